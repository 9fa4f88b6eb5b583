// SPDX-License-Identifier: GPL-2.0
/*
 * Unconnected UDP ("UDP extended mode", seed 000 section 3.1.4, mapped onto
 * multi-link mode as a link per peer; see kernel/socket.c): sendto() any
 * peer, recvfrom() reports the real source of each datagram, two peers at
 * once, a bound port that every peer sees, more peers than links kept,
 * non-blocking and poll, and connect() ending it.
 *
 * Peer A is the bed's UDP echo (192.0.2.1:7); peer B runs in netns "inet"
 * on 192.0.2.1:7300, reports each sender's address and answers "from B".
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

VM_TEST_META("sim7000", "");

#define IFACE	"wwan0"
#define PORT_B	7300

static int atnet_af(void)
{
	FILE *f = fopen("/sys/module/atnet/parameters/family", "r");
	int af = -1;

	if (f) {
		if (fscanf(f, "%d", &af) != 1)
			af = -1;
		fclose(f);
	}
	return af;
}

static struct sockaddr_atnet sat(const char *ip, int port)
{
	struct sockaddr_atnet a = { .sat_port = htons(port) };

	a.sat_family = atnet_af();
	inet_pton(AF_INET, ip, &a.sat_addr);
	return a;
}

struct peer {
	pid_t pid;
	int fd;
};

static int peer_b(struct peer *p, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, from;
	int pfd[2], ns, fd, c;
	socklen_t fl;
	char buf[64];

	if (pipe(pfd))
		return -1;
	p->pid = fork();
	if (p->pid) {
		close(pfd[1]);
		p->fd = pfd[0];
		return 0;
	}
	ns = open("/run/netns/inet", O_RDONLY);
	if (ns < 0 || setns(ns, CLONE_NEWNET))
		_exit(3);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = htons(PORT_B);
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		_exit(3);
	if (write(pfd[1], "ready\n", 6) != 6)
		_exit(3);
	while (n-- > 0) {
		fl = sizeof(from);
		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fl) < 0)
			_exit(4);
		c = snprintf(buf, sizeof(buf), "%s %d\n",
			     inet_ntoa(from.sin_addr), ntohs(from.sin_port));
		if (write(pfd[1], buf, c) != c)
			_exit(5);
		if (sendto(fd, "from B", 6, 0, (struct sockaddr *)&from, fl) != 6)
			_exit(6);
	}
	_exit(0);
}

static int peer_line(struct peer *p, char *buf, size_t size)
{
	struct pollfd pf = { .fd = p->fd, .events = POLLIN };
	size_t i = 0;

	while (i < size - 1) {
		if (poll(&pf, 1, 15000) != 1 || read(p->fd, buf + i, 1) != 1)
			return -1;
		if (buf[i] == '\n')
			break;
		i++;
	}
	buf[i] = '\0';
	return 0;
}

static void peer_stop(struct peer *p)
{
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	close(p->fd);
}

/* recvfrom with a deadline: length, payload and source. */
static int recv_from(int fd, char *buf, size_t size, struct sockaddr_atnet *src)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	socklen_t sl = sizeof(*src);
	ssize_t n;

	if (poll(&pf, 1, 10000) != 1)
		return -ETIMEDOUT;
	n = recvfrom(fd, buf, size - 1, 0, (struct sockaddr *)src, &sl);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

FIXTURE(udp) {
	struct anl nl;
	struct peer b;
};

FIXTURE_SETUP(udp)
{
	struct anl_modem md;
	long long end;
	char line[32];

	ASSERT_EQ(0, anl_open(&self->nl, 0));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	anl_updown(&self->nl, IFACE, 0, 1);
	end = anl_now_ms() + 60000;
	while (anl_now_ms() < end &&
	       (anl_get(&self->nl, IFACE, &md) || md.ctx[0].state != ATNET_CTX_UP))
		usleep(50000);
	ASSERT_EQ(ATNET_CTX_UP, md.ctx[0].state);
	ASSERT_EQ(0, peer_b(&self->b, 3));
	ASSERT_EQ(0, peer_line(&self->b, line, sizeof(line)));
}

FIXTURE_TEARDOWN(udp)
{
	peer_stop(&self->b);
	anl_close(&self->nl);
}

TEST_F(udp, two_peers_real_sources)
{
	struct sockaddr_atnet a = sat("192.0.2.1", 7), b = sat("192.0.2.1", PORT_B);
	struct sockaddr_atnet src;
	int fd, i, n, seen_a = 0, seen_b = 0;
	char buf[64], line[64];

	fd = socket(atnet_af(), SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	/* Nothing sent yet: nothing to receive from. */
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	ASSERT_EQ(4, sendto(fd, "to A", 4, 0, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(4, sendto(fd, "to B", 4, 0, (struct sockaddr *)&b, sizeof(b)));
	ASSERT_EQ(0, peer_line(&self->b, line, sizeof(line)));
	EXPECT_EQ(0, strncmp(line, "192.0.2.100 ", 12));
	for (i = 0; i < 2; i++) {
		memset(&src, 0, sizeof(src));
		n = recv_from(fd, buf, sizeof(buf), &src);
		ASSERT_LT(0, n);
		EXPECT_EQ(atnet_af(), src.sat_family);
		EXPECT_STREQ("192.0.2.1", inet_ntoa(src.sat_addr));
		if (ntohs(src.sat_port) == 7) {
			EXPECT_STREQ("to A", buf);
			seen_a++;
		} else {
			EXPECT_EQ(PORT_B, ntohs(src.sat_port));
			EXPECT_STREQ("from B", buf);
			seen_b++;
		}
	}
	EXPECT_EQ(1, seen_a);
	EXPECT_EQ(1, seen_b);
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);

	/* connect() ends it: one peer, sendto with an address is EISCONN. */
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(-1, sendto(fd, "x", 1, 0, (struct sockaddr *)&b, sizeof(b)));
	EXPECT_EQ(EISCONN, errno);
	close(fd);
}

TEST_F(udp, bound_port_seen_by_every_peer)
{
	struct sockaddr_atnet a = sat("192.0.2.1", 7), b = sat("192.0.2.1", PORT_B);
	struct sockaddr_atnet me = sat("0.0.0.0", 46000), src;
	struct pollfd pf;
	char buf[64], line[64];
	int fd, n, i;

	fd = socket(atnet_af(), SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&me, sizeof(me)));
	ASSERT_EQ(2, sendto(fd, "b1", 2, 0, (struct sockaddr *)&b, sizeof(b)));
	ASSERT_EQ(0, peer_line(&self->b, line, sizeof(line)));
	EXPECT_STREQ("192.0.2.100 46000", line);
	n = recv_from(fd, buf, sizeof(buf), &src);
	EXPECT_EQ(6, n);
	EXPECT_EQ(PORT_B, ntohs(src.sat_port));
	/* A second peer from the same port. */
	ASSERT_EQ(2, sendto(fd, "a1", 2, 0, (struct sockaddr *)&a, sizeof(a)));
	pf.fd = fd;
	pf.events = POLLIN;
	EXPECT_EQ(1, poll(&pf, 1, 10000));
	EXPECT_TRUE(pf.revents & POLLIN);
	n = recv_from(fd, buf, sizeof(buf), &src);
	EXPECT_EQ(2, n);
	EXPECT_EQ(7, ntohs(src.sat_port));
	EXPECT_STREQ("a1", buf);
	/* More peers than it keeps: the oldest makes room, nothing fails. */
	for (i = 0; i < 5; i++) {
		struct sockaddr_atnet x = sat("192.0.2.1", 7400 + i);

		EXPECT_EQ(1, sendto(fd, "x", 1, 0, (struct sockaddr *)&x,
				    sizeof(x)));
	}
	ASSERT_EQ(2, sendto(fd, "b2", 2, 0, (struct sockaddr *)&b, sizeof(b)));
	ASSERT_EQ(0, peer_line(&self->b, line, sizeof(line)));
	EXPECT_STREQ("192.0.2.100 46000", line);
	close(fd);
}

TEST_HARNESS_MAIN
