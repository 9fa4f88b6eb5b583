// SPDX-License-Identifier: GPL-2.0
/*
 * Client sockets with a fixed local port (bind() + connect(): AT+CLPORT,
 * seed 000 section 3.3) and the context chosen by SO_BINDTODEVICE (seed 000
 * section 5: the link lands on that bearer). The peer runs in the simulated
 * internet and reports the source address and port it saw.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "../lib/vmtest.h"
#include "atnet_nl.h"
#include "../lib/inet_peer.h"

VM_TEST_META("sim7000", "");

#define IFACE		"wwan0"
#define PEER_TCP	7100
#define PEER_UDP	7101

/*
 * A server on 192.0.2.1 in netns "inet" that writes each client's source
 * address and port to a pipe: TCP (accept, then close) or UDP (recvfrom,
 * then echo back), @n clients.
 */
static int peer_start(struct inet_peer *p, int udp, int n, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, from;
	socklen_t fl;
	int fd, c, one = 1;
	char buf[64];

	c = inet_peer_fork(p);
	if (c)
		return c < 0 ? -1 : 0;
	fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons(port);
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || (!udp && listen(fd, 8)))
		_exit(3);
	if (write(p->fd, "ready\n", 6) != 6)
		_exit(3);
	while (n-- > 0) {
		fl = sizeof(from);
		if (udp) {
			ssize_t r = recvfrom(fd, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from, &fl);

			if (r < 0 || sendto(fd, buf, r, 0,
					    (struct sockaddr *)&from, fl) != r)
				_exit(4);
		} else {
			int k = accept(fd, (struct sockaddr *)&from, &fl);

			if (k < 0)
				_exit(4);
			c = snprintf(buf, sizeof(buf), "%s %d\n",
				     inet_ntoa(from.sin_addr),
				     ntohs(from.sin_port));
			if (write(p->fd, buf, c) != c)
				_exit(5);
			/* Open until the client closes. */
			while (read(k, buf, sizeof(buf)) > 0)
				;
			close(k);
			continue;
		}
		c = snprintf(buf, sizeof(buf), "%s %d\n",
			     inet_ntoa(from.sin_addr), ntohs(from.sin_port));
		if (write(p->fd, buf, c) != c)
			_exit(5);
	}
	_exit(0);
}

/* connect() @type from local port @lport (0: none bound), or -errno. */
static int sock_from(int type, int lport, const char *dev, int port)
{
	struct sockaddr_atnet me = sat_of("0.0.0.0", lport);
	struct sockaddr_atnet a = sat_of("192.0.2.1", port);
	int fd = sock_new(type), e;

	if (fd < 0)
		return -errno;
	set_timeo(fd, SO_RCVTIMEO, 10000);
	if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev,
			      strlen(dev) + 1))
		goto fail;
	if (lport && bind(fd, (struct sockaddr *)&me, sizeof(me)))
		goto fail;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		goto fail;
	return fd;
fail:
	e = -errno;
	close(fd);
	return e;
}

FIXTURE(lp) {
	struct anl nl;
	struct inet_peer p;
};

FIXTURE_SETUP(lp)
{
	struct anl_modem md;

	ASSERT_EQ(0, anl_open(&self->nl, 0));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 0));
}

FIXTURE_TEARDOWN(lp)
{
	anl_close(&self->nl);
}

TEST_F(lp, tcp_fixed_port)
{
	struct sockaddr_atnet me;
	socklen_t len = sizeof(me);
	char line[64];
	int fd, fd2;

	ASSERT_EQ(0, peer_start(&self->p, 0, 3, PEER_TCP));
	ASSERT_EQ(0, inet_peer_line(&self->p, line, sizeof(line)));
	fd = sock_from(SOCK_STREAM, 45000, NULL, PEER_TCP);
	ASSERT_LE(0, fd) {
		TH_LOG("connect: %s", strerror(-fd));
	}
	ASSERT_EQ(0, inet_peer_line(&self->p, line, sizeof(line)));
	EXPECT_STREQ("192.0.2.100 45000", line);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&me, &len));
	EXPECT_EQ(45000, ntohs(me.sat_port));
	/* Taken on this modem while the first has it. */
	fd2 = sock_from(SOCK_STREAM, 45000, NULL, PEER_TCP);
	EXPECT_EQ(-EADDRINUSE, fd2);
	close(fd);
	/* Unbound again: the modem picks (AT+CLPORT back to 0). */
	fd2 = sock_from(SOCK_STREAM, 0, NULL, PEER_TCP);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, inet_peer_line(&self->p, line, sizeof(line)));
	EXPECT_EQ(NULL, strstr(line, " 45000"));
	close(fd2);
	inet_peer_stop(&self->p);
}

TEST_F(lp, udp_fixed_port)
{
	char line[64], buf[8];
	int fd;

	ASSERT_EQ(0, peer_start(&self->p, 1, 1, PEER_UDP));
	ASSERT_EQ(0, inet_peer_line(&self->p, line, sizeof(line)));
	fd = sock_from(SOCK_DGRAM, 45001, NULL, PEER_UDP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, send(fd, "ping", 4, 0));
	ASSERT_EQ(0, inet_peer_line(&self->p, line, sizeof(line)));
	EXPECT_STREQ("192.0.2.100 45001", line);
	EXPECT_EQ(4, recv(fd, buf, sizeof(buf), 0));
	close(fd);
	inet_peer_stop(&self->p);
}

/* SO_BINDTODEVICE wwan1: context 1's bearer, its own address. */
TEST_F(lp, bindtodevice_second_context)
{
	struct anl_modem md;
	char line[64];
	int fd, i;

	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 1));
	ASSERT_EQ(0, peer_start(&self->p, 0, 1, PEER_TCP + 2));
	ASSERT_EQ(0, inet_peer_line(&self->p, line, sizeof(line)));
	fd = sock_from(SOCK_STREAM, 0, "wwan1", PEER_TCP + 2);
	ASSERT_LE(0, fd) {
		TH_LOG("connect: %s", strerror(-fd));
	}
	ASSERT_EQ(0, inet_peer_line(&self->p, line, sizeof(line)));
	EXPECT_EQ(0, strncmp(line, "192.0.2.101 ", 12)) {
		TH_LOG("peer saw %s", line);
	}
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	for (i = 0; i < md.n_links; i++)
		EXPECT_EQ(1, md.links[i].ctx);
	close(fd);
	inet_peer_stop(&self->p);
	anl_updown(&self->nl, IFACE, 1, 0);
}

TEST_HARNESS_MAIN
