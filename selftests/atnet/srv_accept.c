// SPDX-License-Identifier: GPL-2.0
/*
 * bind + listen + accept on an AF_ATNET stream socket (seed 000 4.2): one
 * connected socket per "n, REMOTE IP:", getpeername giving the client's
 * address and port, data both ways, the backlog honoured (a client beyond
 * it is hung up), poll and O_NONBLOCK on the listener, close stopping the
 * modem's server, the errors of bind/listen, and faults in the middle of
 * accepts (context loss with a client queued, restart).
 *
 * Clients connect from the simulated internet (netns "inet") from
 * 192.0.2.1, a fixed port each, so the peer address is known.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "../lib/vmtest.h"
#include "atnet_nl.h"
#include "../lib/inet_peer.h"

VM_TEST_META("sim7000", "");

#define IFACE		"wwan0"
#define MODEM_IP	"192.0.2.100"

/* A listening AF_ATNET socket on @port, or -errno. */
static int lsn_open(int port, int backlog)
{
	struct sockaddr_atnet a = sat_of("0.0.0.0", port);
	int fd = sock_new(SOCK_STREAM), e;

	a.sat_ifindex = if_nametoindex(IFACE);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, backlog)) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

/* accept() with a deadline: the new fd, or -errno. */
static int accept_ms(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	if (poll(&p, 1, ms) <= 0)
		return -ETIMEDOUT;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * A client from 192.0.2.1:@lport to the modem's @port: sends "hello
 * @lport\n", expects "HELLO\n" back (when @talk), then waits for the close.
 * Exit: 0 talked and saw the close, 1 no answer, 2 no connection, 4 hung
 * up without talking.
 */
static pid_t client(int port, int lport, int talk, int ms)
{
	pid_t pid = inet_fork();
	char buf[64];
	ssize_t n;
	int fd;

	if (pid)
		return pid;
	fd = inet_tcp_client(MODEM_IP, port, lport, ms);
	n = snprintf(buf, sizeof(buf), "hello %d\n", lport);
	if (write(fd, buf, n) != n)
		_exit(4);
	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		_exit(n == 0 || errno == ECONNRESET ? 4 : 1);
	if (!talk || n != 6 || memcmp(buf, "HELLO\n", 6))
		_exit(1);
	n = read(fd, buf, sizeof(buf));
	_exit(n == 0 ? 0 : 1);
}

static int listener_on(struct anl *nl, int *port)
{
	struct anl_modem md;

	if (anl_get(nl, IFACE, &md))
		return -1;
	*port = md.lsn_port;
	return md.lsn_on;
}

static int wait_listener_off(struct anl *nl, int ms)
{
	long long end = anl_now_ms() + ms;
	int port;

	while (anl_now_ms() < end) {
		if (listener_on(nl, &port) == 0)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

FIXTURE(acc) {
	struct anl nl;
};

FIXTURE_SETUP(acc)
{
	struct anl_modem md;

	ASSERT_EQ(0, anl_open(&self->nl, 0));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 0));
}

FIXTURE_TEARDOWN(acc)
{
	anl_close(&self->nl);
}

TEST_F(acc, accept_talk_close)
{
	struct sockaddr_atnet peer, me;
	socklen_t len = sizeof(peer);
	char buf[64];
	int lfd, fd, port;
	pid_t c;

	lfd = lsn_open(6000, 4);
	ASSERT_LE(0, lfd) {
		TH_LOG("listen: %s", strerror(-lfd));
	}
	EXPECT_EQ(1, listener_on(&self->nl, &port));
	EXPECT_EQ(6000, port);
	len = sizeof(me);
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&me, &len));
	EXPECT_EQ(htons(6000), me.sat_port);
	EXPECT_STREQ(MODEM_IP, inet_ntoa(me.sat_addr));

	c = client(6000, 41001, 1, 10000);
	fd = accept_ms(lfd, 10000);
	ASSERT_LE(0, fd) {
		TH_LOG("accept: %s", strerror(-fd));
	}
	len = sizeof(peer);
	ASSERT_EQ(0, getpeername(fd, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(atnet_af(), peer.sat_family);
	EXPECT_STREQ("192.0.2.1", inet_ntoa(peer.sat_addr));
	EXPECT_EQ(41001, ntohs(peer.sat_port));
	EXPECT_EQ(if_nametoindex(IFACE), peer.sat_ifindex);
	/* Data both ways. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(12, recv(fd, buf, 12, MSG_WAITALL));
	EXPECT_STREQ("hello 41001\n", buf);
	EXPECT_EQ(6, send(fd, "HELLO\n", 6, 0));
	close(fd);
	EXPECT_EQ(0, inet_peer_wait(c));

	/* No client: O_NONBLOCK says so. */
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-1, accept(lfd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	/* One listener per modem: the port of any other is taken. */
	fd = lsn_open(6001, 1);
	EXPECT_EQ(-EADDRINUSE, fd);
	close(lfd);
	EXPECT_EQ(0, wait_listener_off(&self->nl, 10000));
}

TEST_F(acc, bind_listen_errors)
{
	struct sockaddr_atnet a = { .sat_port = htons(6002) };
	int fd;

	a.sat_family = atnet_af();
	fd = socket(atnet_af(), SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(EDESTADDRREQ, errno);
	a.sat_port = 0;
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
	a.sat_port = htons(6002);
	inet_pton(AF_INET, "10.0.0.1", &a.sat_addr);
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	a.sat_addr.s_addr = 0;
	EXPECT_EQ(0, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	fd = socket(atnet_af(), SOCK_DGRAM, 0);
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);
	/* The netlink listener holds the modem's server. */
	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 6003, -1));
	EXPECT_EQ(-EADDRINUSE, lsn_open(6002, 1));
	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 0, -1));
}

TEST_F(acc, backlog)
{
	pid_t c1, c2;
	int lfd, fd;

	lfd = lsn_open(6004, 1);
	ASSERT_LE(0, lfd);
	c1 = client(6004, 41002, 1, 15000);
	/* Let the first be queued before the second comes. */
	usleep(1500000);
	c2 = client(6004, 41003, 1, 15000);
	/* Beyond the backlog: hung up without a word. */
	EXPECT_EQ(4, inet_peer_wait(c2));
	fd = accept_ms(lfd, 10000);
	ASSERT_LE(0, fd);
	EXPECT_EQ(6, send(fd, "HELLO\n", 6, 0));
	close(fd);
	EXPECT_EQ(0, inet_peer_wait(c1));
	close(lfd);
}

TEST_F(acc, faults_during_accepts)
{
	struct anl_modem md;
	int lfd, fd, n;
	char buf[16];
	pid_t c;

	/* A client queued, then the context goes: accept says ENETDOWN. */
	lfd = lsn_open(6005, 4);
	ASSERT_LE(0, lfd);
	c = client(6005, 41004, 1, 10000);
	usleep(1500000);
	ASSERT_EQ(0, sim_ctl("pdp-deact 0"));
	EXPECT_EQ(0, wait_listener_off(&self->nl, 10000));
	/* The queued client comes out dead (or not at all), then the error. */
	fd = accept_ms(lfd, 5000);
	if (fd >= 0) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		EXPECT_GE(12, n);
		close(fd);
		fd = accept_ms(lfd, 5000);
	}
	EXPECT_EQ(-ENETDOWN, fd);
	EXPECT_EQ(-ENETDOWN, accept_ms(lfd, 1000));
	EXPECT_NE(0, inet_peer_wait(c));
	close(lfd);

	/* Up again, a listener, a restart: the listener fails, none leaks. */
	anl_updown(&self->nl, IFACE, 0, 1);
	usleep(100000);
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	for (n = 0; n < 600; n++) {
		if (!anl_get(&self->nl, IFACE, &md) &&
		    md.ctx[0].state == ATNET_CTX_UP)
			break;
		usleep(100000);
	}
	lfd = lsn_open(6006, 4);
	ASSERT_LE(0, lfd) {
		TH_LOG("listen: %s", strerror(-lfd));
	}
	ASSERT_EQ(0, sim_ctl("restart"));
	EXPECT_EQ(-ENETRESET, accept_ms(lfd, 15000));
	close(lfd);
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	EXPECT_EQ(0, md.lsn_on);
	EXPECT_EQ(0, md.n_links);
}

TEST_HARNESS_MAIN
