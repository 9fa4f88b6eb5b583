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
#include "../lib/inet_peer.h"

VM_TEST_META("sim7000", "");

#define IFACE	"wwan0"
#define PORT_B	7300

/* Peer B: reports each sender ("a.b.c.d port") and answers "from B". */
static int peer_b(struct inet_peer *p, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, from;
	int fd, c;
	socklen_t fl;
	char buf[64];

	c = inet_peer_fork(p);
	if (c)
		return c < 0 ? -1 : 0;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = htons(PORT_B);
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		_exit(3);
	if (write(p->fd, "ready\n", 6) != 6)
		_exit(3);
	while (n-- > 0) {
		fl = sizeof(from);
		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &fl) < 0)
			_exit(4);
		c = snprintf(buf, sizeof(buf), "%s %d\n",
			     inet_ntoa(from.sin_addr), ntohs(from.sin_port));
		if (write(p->fd, buf, c) != c)
			_exit(5);
		if (sendto(fd, "from B", 6, 0, (struct sockaddr *)&from, fl) != 6)
			_exit(6);
	}
	_exit(0);
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
	struct inet_peer b;
};

FIXTURE_SETUP(udp)
{
	struct anl_modem md;
	char line[32];

	ASSERT_EQ(0, anl_open(&self->nl, 0));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 0));
	ASSERT_EQ(0, peer_b(&self->b, 3));
	ASSERT_EQ(0, inet_peer_line(&self->b, line, sizeof(line)));
}

FIXTURE_TEARDOWN(udp)
{
	inet_peer_stop(&self->b);
	anl_close(&self->nl);
}

TEST_F(udp, two_peers_real_sources)
{
	struct sockaddr_atnet a = sat_of("192.0.2.1", 7), b = sat_of("192.0.2.1", PORT_B);
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
	ASSERT_EQ(0, inet_peer_line(&self->b, line, sizeof(line)));
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
	struct sockaddr_atnet a = sat_of("192.0.2.1", 7), b = sat_of("192.0.2.1", PORT_B);
	struct sockaddr_atnet me = sat_of("0.0.0.0", 46000), src;
	struct pollfd pf;
	char buf[64], line[64];
	int fd, n, i;

	fd = socket(atnet_af(), SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&me, sizeof(me)));
	ASSERT_EQ(2, sendto(fd, "b1", 2, 0, (struct sockaddr *)&b, sizeof(b)));
	ASSERT_EQ(0, inet_peer_line(&self->b, line, sizeof(line)));
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
		struct sockaddr_atnet x = sat_of("192.0.2.1", 7400 + i);

		EXPECT_EQ(1, sendto(fd, "x", 1, 0, (struct sockaddr *)&x,
				    sizeof(x)));
	}
	ASSERT_EQ(2, sendto(fd, "b2", 2, 0, (struct sockaddr *)&b, sizeof(b)));
	ASSERT_EQ(0, inet_peer_line(&self->b, line, sizeof(line)));
	EXPECT_STREQ("192.0.2.100 46000", line);
	close(fd);
}

TEST_HARNESS_MAIN
