// SPDX-License-Identifier: GPL-2.0
/*
 * sock_basic: AF_ATNET socket creation, addresses, connect errors, TCP and
 * UDP echo, getsockname/getpeername, recv flags, poll, shutdown; on a
 * SIM7000 and on a SIM7020 (limits from sock_model() and the kernel's
 * ATNET_LINK_A_MAX_SEND). The simulator gives up on a blackholed connect
 * after 5 s: a SIM7020 connect holds the modem until then.
 */
#include "sock_lib.h"
#include "kselftest_harness.h"
#include "vmtest.h"

VM_TEST_META("sim7000 sim7020", "--sim-args --connect-timeout=5000");
/*
 * The real modems' quirks (docs/at-reference.md, modem-sim --help): URCs
 * between a command and its result, "0,CONNECT OK", AT+CIPSHUT answered by
 * +PDP: DEACT alone, a modem that autobauds. SIM7020 has the first and the
 * last.
 */
VM_TEST_VARIANTS("sim7000/--urc-noise,--compact,--shut-pdp-deact,--autobaud=3 "
		 "sim7020/--urc-noise,--autobaud=3");

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

/* The limits the other tests use belong to the modem on the bed. */
TEST(model_is_the_beds)
{
	const struct sock_model *m = sock_model();
	struct anl_modem g;
	struct anl nl;

	/* An autobauding modem (a quirk run) is identified a little later. */
	ASSERT_EQ(0, anl_open(&nl, 0));
	EXPECT_EQ(0, anl_wait_state(&nl, "wwan0", ATNET_MODEM_READY, 30000, &g));
	anl_close(&nl);
	ASSERT_EQ(0, sock_get(&g));
	EXPECT_EQ(strcmp(at_env_model(), "sim7020") ? ATNET_DIALECT_SIM7000 :
		  ATNET_DIALECT_SIM7020, g.dialect);
	EXPECT_EQ(g.dialect, m->dialect);
	TH_LOG("%s: %d links, datagrams received whole up to %d bytes",
	       m->name, m->links, m->dgram_rx_max);
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
	/* as TCP's: EPIPE (SIGPIPE without MSG_NOSIGNAL) */
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
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

	/*
	 * SIOCOUTQ: all acknowledged once the echo came back. SIM7000 asks
	 * the modem (AT+CIPACK); a SIM7020's "SEND: id,len" URC may trail
	 * the echoed data on the UART, so wait for it with a deadline.
	 */
	t0 = now_ms();
	do {
		ASSERT_EQ(0, ioctl(fd, SIOCOUTQ, &n));
		if (!n)
			break;
		usleep(20000);
	} while (now_ms() - t0 < 5000);
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

static int klog_count(const char *fixed)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "dmesg | grep -cF -- '%s'", fixed);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

/*
 * Refused connects are the peer's answer, not a modem fault (a SIM7020
 * answers AT+CSOCON with ERROR): however many there are, the recovery
 * ladder leaves the other links alone.
 */
TEST_F(up, refused_leaves_others_alone)
{
	int fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO), i, steps;
	char buf[8];

	ASSERT_LE(0, fd);
	steps = klog_count("recovery step");
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, sim_ctl("refuse", NULL, 0, 5000));
		EXPECT_EQ(-ECONNREFUSED, sock_connect(SOCK_STREAM, SRV, PORT_ECHO));
	}
	EXPECT_EQ(4, send(fd, "live", 4, MSG_NOSIGNAL)) {
		TH_LOG("send: %s", strerror(errno));
	}
	EXPECT_EQ(4, read_full(fd, buf, 4, 10000));
	EXPECT_EQ(0, memcmp(buf, "live", 4));
	EXPECT_EQ(steps, klog_count("recovery step"));
	close(fd);
}

/*
 * An abandoned connect on a SIM7020: AT+CSOCON still holds the modem until
 * the simulator gives up (--connect-timeout 5000, ERROR); then the driver
 * frees the modem's socket (AT+CSOCL). Nothing else may have run meanwhile.
 */
static int abandoned_connect_ends(const struct sock_model *m)
{
	if (!m->connect_blocks)
		return 0;
	return wait_sim_sockets_gone(15000);
}

TEST_F_TIMEOUT(up, connect_timeouts, 90)
{
	const struct sock_model *m = sock_model();
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
	EXPECT_GE(4000, now_ms() - t0);
	close(fd);
	ASSERT_EQ(0, abandoned_connect_ends(m));

	/* without it, the module's connect_timeout_ms does */
	ASSERT_EQ(0, sh("echo 1500 > /sys/module/atnet/parameters/connect_timeout_ms"));
	ASSERT_EQ(0, sim_ctl("blackhole", NULL, 0, 5000));
	t0 = now_ms();
	EXPECT_EQ(-ETIMEDOUT, sock_connect(SOCK_STREAM, SRV, PORT_ECHO));
	EXPECT_LE(1400, now_ms() - t0);
	EXPECT_GE(4000, now_ms() - t0);
	ASSERT_EQ(0, sh("echo 75000 > /sys/module/atnet/parameters/connect_timeout_ms"));
	ASSERT_EQ(0, abandoned_connect_ends(m));
	/* and the slots recover */
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(up, all_links_busy)
{
	const struct sock_model *m = sock_model();
	int n = m->links, fd[9], i;

	ASSERT_GE(8, n);
	for (i = 0; i < n; i++) {
		fd[i] = sock_connect(i & 1 ? SOCK_DGRAM : SOCK_STREAM, SRV,
				     PORT_ECHO);
		ASSERT_LE(0, fd[i]) TH_LOG("link %d: %s", i, strerror(-fd[i]));
	}
	EXPECT_EQ(-EAGAIN, sock_connect(SOCK_STREAM, SRV, PORT_ECHO));
	close(fd[3]);
	/* the slot frees once AT+CIPCLOSE (AT+CSOCL) answered */
	for (i = 0; i < 100; i++) {
		fd[n] = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
		if (fd[n] != -EAGAIN)
			break;
		usleep(50000);
	}
	EXPECT_LE(0, fd[n]);
	close(fd[n]);
	for (i = 0; i < n; i++)
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

/*
 * Datagram limits: sends up to the link's MAX_SEND (SIM7000 AT+CIPSEND?
 * 1460; SIM7020 1024 binary, 134 hex), EMSGSIZE above; received whole up to
 * the modem's block (SIM7020: one +CSONMI, 512), in blocks above it.
 */
TEST_F(up, udp_echo)
{
	const struct sock_model *m = sock_model();
	int fd = sock_connect(SOCK_DGRAM, SRV, PORT_ECHO), i, n, max, whole;
	struct sockaddr_atnet from, to = sat_of(SRV, PORT_ECHO);
	socklen_t fl = sizeof(from);
	static char big[1461], buf[2000];

	ASSERT_LE(0, fd);
	max = sock_link_max_send(IPPROTO_UDP);
	TH_LOG("%s: datagrams up to %d bytes", m->name, max);
	ASSERT_LT(0, max);
	ASSERT_GE(1460, max);
	if (m->dialect == ATNET_DIALECT_SIM7000)
		EXPECT_EQ(1460, max);
	whole = max < m->dgram_rx_max ? max : m->dgram_rx_max;
	memset(big, 'u', sizeof(big));
	EXPECT_EQ(-1, send(fd, big, max + 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)));
	EXPECT_EQ(EISCONN, errno);
	set_timeo(fd, SO_RCVTIMEO, 10000);
	/* boundaries kept, one at a time (the modem joins queued ones) */
	for (i = 1; i <= whole; i = i < whole && i * 3 + 1 > whole ? whole :
	     i * 3 + 1) {
		memset(big, 'a' + i % 26, i);
		ASSERT_EQ(i, send(fd, big, i, 0));
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		ASSERT_EQ(i, n);
		EXPECT_EQ(0, memcmp(buf, big, i));
		EXPECT_EQ(to.sat_addr.s_addr, from.sat_addr.s_addr);
		if (i == whole)
			break;
	}
	/* the largest: in blocks of the modem's size, in order, nothing lost */
	if (max > whole) {
		for (i = 0; i < max; i++)
			big[i] = i % 251;
		ASSERT_EQ(max, send(fd, big, max, 0));
		for (i = 0; i < max; i += n) {
			n = recv(fd, buf, sizeof(buf), 0);
			ASSERT_LT(0, n) TH_LOG("at %d: %s", i, strerror(errno));
			EXPECT_GE(whole, n);
			ASSERT_GE(max - i, n);
			EXPECT_EQ(0, memcmp(buf, big + i, n)) TH_LOG("at %d", i);
		}
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
