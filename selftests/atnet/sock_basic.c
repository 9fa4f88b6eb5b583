// SPDX-License-Identifier: GPL-2.0
/*
 * sock_basic: AF_ATNET socket creation, addresses, connect errors, TCP and
 * UDP echo, getsockname/getpeername, recv flags, poll, shutdown.
 */
#include "sock_lib.h"
#include "kselftest_harness.h"
#include "vmtest.h"

VM_TEST_META("sim7000", "");

FIXTURE(up) {
	int dummy;
};

FIXTURE_SETUP(up)
{
	ASSERT_EQ(0, wwan_up(20000));
}

FIXTURE_TEARDOWN(up)
{
}

TEST(family_param)
{
	ASSERT_EQ(ATNET_AF_DEFAULT, atnet_af());
}

TEST(create_types)
{
	int af = atnet_af(), fd;

	fd = socket(af, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	close(fd);
	fd = socket(af, SOCK_STREAM, IPPROTO_TCP);
	ASSERT_LE(0, fd);
	close(fd);
	fd = socket(af, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	close(fd);
	fd = socket(af, SOCK_DGRAM, IPPROTO_UDP);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-1, socket(af, SOCK_STREAM, IPPROTO_UDP));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_EQ(-1, socket(af, SOCK_DGRAM, IPPROTO_TCP));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_EQ(-1, socket(af, SOCK_STREAM, 99));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_EQ(-1, socket(af, SOCK_RAW, 0));
	EXPECT_EQ(ESOCKTNOSUPPORT, errno);
	EXPECT_EQ(-1, socket(af, SOCK_SEQPACKET, 0));
	EXPECT_EQ(ESOCKTNOSUPPORT, errno);
}

TEST_F(up, connect_bad_addr)
{
	struct sockaddr_atnet a = sat_of(SRV, PORT_ECHO);
	int fd = sock_new(SOCK_STREAM);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, 0));
	EXPECT_EQ(EINVAL, errno);
	a.sat_family = AF_INET;
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	a = sat_of(SRV, 0);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
	a = sat_of("0.0.0.0", PORT_ECHO);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
	a = sat_of("255.255.255.255", PORT_ECHO);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
	a = sat_of("224.0.0.1", PORT_ECHO);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
	/* lo is no atnet interface */
	a = sat_of(SRV, PORT_ECHO);
	a.sat_ifindex = if_nametoindex("lo");
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(ENODEV, errno);
	a.sat_ifindex = 99999;
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(ENODEV, errno);
	/* still usable after all that */
	a = sat_of(SRV, PORT_ECHO);
	a.sat_ifindex = if_nametoindex(WWAN);
	EXPECT_EQ(0, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
}

TEST_F(up, tcp_echo_names)
{
	struct sockaddr_atnet a = sat_of(SRV, PORT_ECHO), p;
	socklen_t pl = sizeof(p);
	char buf[64];
	int fd = sock_new(SOCK_STREAM);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, getpeername(fd, (struct sockaddr *)&p, &pl));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, recv(fd, buf, 1, MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EISCONN, errno);

	pl = sizeof(p);
	ASSERT_EQ(0, getpeername(fd, (struct sockaddr *)&p, &pl));
	EXPECT_EQ(sizeof(p), pl);
	EXPECT_EQ(atnet_af(), p.sat_family);
	EXPECT_EQ(a.sat_addr.s_addr, p.sat_addr.s_addr);
	EXPECT_EQ(htons(PORT_ECHO), p.sat_port);
	EXPECT_EQ(if_nametoindex(WWAN), p.sat_ifindex);
	pl = sizeof(p);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&p, &pl));
	EXPECT_EQ(atnet_af(), p.sat_family);
	EXPECT_NE(0U, p.sat_addr.s_addr);	/* the context's address */
	EXPECT_EQ(if_nametoindex(WWAN), p.sat_ifindex);

	ASSERT_EQ(5, send(fd, "hello", 5, 0));
	ASSERT_EQ(5, read_full(fd, buf, 5, 10000));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	close(fd);
}

TEST_F(up, recv_flags)
{
	int fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO), n, lowat;
	struct pollfd pfd;
	long long t0;
	char buf[64];

	ASSERT_LE(0, fd);
	/* nothing yet */
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	set_timeo(fd, SO_RCVTIMEO, 300);
	t0 = now_ms();
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LE(250, now_ms() - t0);
	set_timeo(fd, SO_RCVTIMEO, 10000);
	EXPECT_EQ(-1, recv(fd, buf, sizeof(buf), MSG_OOB));
	EXPECT_EQ(EOPNOTSUPP, errno);

	ASSERT_EQ(10, send(fd, "0123456789", 10, 0));
	/* MSG_WAITALL: all ten, however the modem splits them */
	ASSERT_EQ(10, recv(fd, buf, 10, MSG_WAITALL | MSG_PEEK));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));
	ASSERT_EQ(0, ioctl(fd, SIOCINQ, &n));
	EXPECT_EQ(10, n);
	ASSERT_EQ(4, recv(fd, buf, 4, MSG_PEEK));
	EXPECT_EQ(0, memcmp(buf, "0123", 4));
	ASSERT_EQ(4, recv(fd, buf, 4, 0));
	EXPECT_EQ(0, memcmp(buf, "0123", 4));
	ASSERT_EQ(6, recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "456789", 6));
	ASSERT_EQ(0, ioctl(fd, SIOCINQ, &n));
	EXPECT_EQ(0, n);

	/* SO_RCVLOWAT: no POLLIN below it, recv waits for it */
	lowat = 8;
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)));
	ASSERT_EQ(4, send(fd, "abcd", 4, 0));
	ASSERT_EQ(4, recv(fd, buf, 4, MSG_PEEK | MSG_WAITALL));
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 200));
	ASSERT_EQ(4, send(fd, "efgh", 4, 0));
	ASSERT_EQ(8, recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "abcdefgh", 8));

	/* SIOCOUTQ: all acknowledged after the echo came back */
	ASSERT_EQ(0, ioctl(fd, SIOCOUTQ, &n));
	EXPECT_EQ(0, n);
	close(fd);
}

TEST_F(up, poll_states)
{
	int fd = sock_new(SOCK_STREAM);
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };
	char buf[8];

	ASSERT_LE(0, fd);
	/* like TCP: a fresh socket is writable and hung up */
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT | POLLHUP, pfd.revents);
	close(fd);

	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	pfd.fd = fd;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	ASSERT_EQ(1, send(fd, "z", 1, 0));
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(1, recv(fd, buf, 1, 0));
	close(fd);
}

TEST_F(up, nonblocking_connect)
{
	struct sockaddr_atnet a = sat_of(SRV, PORT_ECHO);
	int fd = socket(atnet_af(), SOCK_STREAM | SOCK_NONBLOCK, 0), e;
	struct pollfd pfd = { .events = POLLOUT };
	socklen_t el = sizeof(e);

	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EALREADY, errno);
	pfd.fd = fd;
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	EXPECT_EQ(POLLOUT, pfd.revents);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el));
	EXPECT_EQ(0, e);
	/* as TCP: the next connect reports the outcome, then EISCONN */
	EXPECT_EQ(0, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EISCONN, errno);
	close(fd);
}

TEST_F(up, refused)
{
	struct sockaddr_atnet a = sat_of(SRV, PORT_ECHO);
	struct pollfd pfd = { .events = POLLOUT };
	socklen_t el = sizeof(int);
	int fd, e;

	ASSERT_EQ(0, sim_ctl("refuse", NULL, 0, 5000));
	EXPECT_EQ(-ECONNREFUSED, sock_connect(SOCK_STREAM, SRV, PORT_ECHO));

	ASSERT_EQ(0, sim_ctl("refuse", NULL, 0, 5000));
	fd = socket(atnet_af(), SOCK_STREAM | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	pfd.fd = fd;
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	EXPECT_TRUE(pfd.revents & POLLERR);
	EXPECT_TRUE(pfd.revents & POLLHUP);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el));
	EXPECT_EQ(ECONNREFUSED, e);
	/* as TCP: the outcome was taken by SO_ERROR, then it starts afresh */
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(ECONNABORTED, errno);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	EXPECT_EQ(POLLOUT, pfd.revents);
	close(fd);
}

TEST_F(up, connect_timeouts)
{
	int fd = sock_new(SOCK_STREAM);
	struct sockaddr_atnet a = sat_of(SRV, PORT_ECHO);
	long long t0;

	ASSERT_LE(0, fd);
	/* SO_SNDTIMEO bounds a blocking connect */
	ASSERT_EQ(0, sim_ctl("blackhole", NULL, 0, 5000));
	set_timeo(fd, SO_SNDTIMEO, 1000);
	t0 = now_ms();
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LE(900, now_ms() - t0);
	EXPECT_GE(5000, now_ms() - t0);
	close(fd);

	/* without it, the module's connect_timeout_ms does */
	ASSERT_EQ(0, sh("echo 1500 > /sys/module/atnet/parameters/connect_timeout_ms"));
	ASSERT_EQ(0, sim_ctl("blackhole", NULL, 0, 5000));
	t0 = now_ms();
	EXPECT_EQ(-ETIMEDOUT, sock_connect(SOCK_STREAM, SRV, PORT_ECHO));
	EXPECT_LE(1400, now_ms() - t0);
	ASSERT_EQ(0, sh("echo 75000 > /sys/module/atnet/parameters/connect_timeout_ms"));
	/* and the slots recover */
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(up, all_links_busy)
{
	int fd[9], i;

	for (i = 0; i < 8; i++) {
		fd[i] = sock_connect(i & 1 ? SOCK_DGRAM : SOCK_STREAM, SRV,
				     PORT_ECHO);
		ASSERT_LE(0, fd[i]) TH_LOG("link %d: %s", i, strerror(-fd[i]));
	}
	EXPECT_EQ(-EAGAIN, sock_connect(SOCK_STREAM, SRV, PORT_ECHO));
	close(fd[3]);
	/* the slot frees once AT+CIPCLOSE answered */
	for (i = 0; i < 100; i++) {
		fd[8] = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
		if (fd[8] != -EAGAIN)
			break;
		usleep(50000);
	}
	EXPECT_LE(0, fd[8]);
	close(fd[8]);
	for (i = 0; i < 8; i++)
		if (i != 3)
			close(fd[i]);
}

TEST_F(up, iface_down)
{
	struct sockaddr_atnet a = sat_of(SRV, PORT_ECHO);
	int fd = sock_new(SOCK_STREAM);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wwan_down(20000));
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(ENETUNREACH, errno);
	a.sat_ifindex = if_nametoindex(WWAN);
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(ENETDOWN, errno);
	ASSERT_EQ(0, wwan_up(20000));
	EXPECT_EQ(0, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
}

TEST_F(up, udp_echo)
{
	int fd = sock_connect(SOCK_DGRAM, SRV, PORT_ECHO), i, n;
	struct sockaddr_atnet from, to = sat_of(SRV, PORT_ECHO);
	socklen_t fl = sizeof(from);
	static char big[1461], buf[2000];

	ASSERT_LE(0, fd);
	memset(big, 'u', sizeof(big));
	EXPECT_EQ(-1, send(fd, big, sizeof(big), 0));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)));
	EXPECT_EQ(EISCONN, errno);
	/* boundaries kept, one at a time (the modem joins queued ones) */
	for (i = 1; i <= 1460; i = i * 3 + 1) {
		memset(big, 'a' + i % 26, i);
		ASSERT_EQ(i, send(fd, big, i, 0));
		set_timeo(fd, SO_RCVTIMEO, 10000);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		ASSERT_EQ(i, n);
		EXPECT_EQ(0, memcmp(buf, big, i));
		EXPECT_EQ(to.sat_addr.s_addr, from.sat_addr.s_addr);
	}
	/* truncation */
	ASSERT_EQ(100, send(fd, big, 100, 0));
	n = recv(fd, buf, 10, MSG_PEEK);
	EXPECT_EQ(10, n);
	ASSERT_EQ(0, ioctl(fd, SIOCINQ, &n));
	EXPECT_EQ(100, n);
	n = recv(fd, buf, 10, MSG_TRUNC);
	EXPECT_EQ(100, n);
	EXPECT_EQ(-1, recv(fd, buf, 10, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
	fd = sock_new(SOCK_DGRAM);
	EXPECT_EQ(-1, send(fd, "x", 1, 0));
	EXPECT_EQ(EDESTADDRREQ, errno);
	close(fd);
}

static int sigpipes;

static void on_sigpipe(int sig)
{
	sigpipes++;
}

TEST_F(up, peer_close_eof_epipe)
{
	static char buf[SOURCE_4K + 100];
	struct pollfd pfd;
	uint8_t want[SOURCE_4K];
	int fd;

	ASSERT_EQ(0, sock_servers());
	fd = sock_connect(SOCK_STREAM, SRV, PORT_SOURCE_4K);
	ASSERT_LE(0, fd);
	/* everything, then EOF */
	pattern(want, sizeof(want), 0);
	ASSERT_EQ(SOURCE_4K, read_full(fd, buf, sizeof(buf), 20000));
	EXPECT_EQ(0, memcmp(buf, want, SOURCE_4K));
	EXPECT_EQ(0, recv(fd, buf, 1, 0));
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };
	ASSERT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(POLLIN | POLLOUT | POLLRDHUP | POLLHUP, pfd.revents);
	signal(SIGPIPE, on_sigpipe);
	EXPECT_EQ(-1, send(fd, "x", 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	close(fd);
}

TEST_F(up, shutdown_semantics)
{
	int fd = sock_new(SOCK_STREAM);
	char buf[16];

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, shutdown(fd, SHUT_WR));
	EXPECT_EQ(ENOTCONN, errno);
	close(fd);
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, shutdown(fd, 7));
	EXPECT_EQ(EINVAL, errno);
	/* SHUT_WR is local: no FIN (no half-close), reads go on */
	ASSERT_EQ(3, send(fd, "abc", 3, 0));
	ASSERT_EQ(0, shutdown(fd, SHUT_WR));
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	ASSERT_EQ(3, read_full(fd, buf, 3, 10000));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	/* SHUT_RD: reads end */
	ASSERT_EQ(0, shutdown(fd, SHUT_RD));
	EXPECT_EQ(0, recv(fd, buf, sizeof(buf), 0));
	close(fd);

	/* SHUT_RDWR closes the link: EOF, slot freed */
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shutdown(fd, SHUT_RDWR));
	EXPECT_EQ(0, recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	close(fd);
}

TEST_F(up, send_fail)
{
	int fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	char buf[8];
	int e;
	socklen_t el = sizeof(e);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sim_ctl("send-fail", NULL, 0, 5000));
	EXPECT_EQ(-1, send(fd, "abc", 3, MSG_NOSIGNAL));
	EXPECT_EQ(ECOMM, errno);
	/* the link is closed after a failed send: EPIPE from now on */
	EXPECT_EQ(-1, send(fd, "abc", 3, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el));
	EXPECT_EQ(0, e);
	EXPECT_EQ(0, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	close(fd);
}

TEST_HARNESS_MAIN
