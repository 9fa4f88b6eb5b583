// SPDX-License-Identifier: GPL-2.0
/*
 * flow_tcp: wwan0 carries IPv4 for unmodified applications (the flow
 * translator): plain AF_INET sockets in the guest's root namespace, routed
 * to 192.0.2.0/24 through wwan0, reach the simulated internet's echod.
 * TCP: 64 KiB echoed back intact, a closed port refused with ECONNREFUSED;
 * UDP: one echo round trip; the interface's counters grow; the context
 * lost under an open connection resets it (ECONNRESET). Last, as the
 * context stays down.
 */
#include "sock_lib.h"
#include "kselftest_harness.h"
#include "vmtest.h"

VM_TEST_META("sim7000 sim7020", "");

#define FLOW_SRC	"10.200.0.1"
#define PORT_CLOSED	1

static long long if_stat(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/" WWAN "/statistics/%s",
		 name);
	return read_int_file(path);
}

static int dst(struct sockaddr_in *sa, int port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	return inet_pton(AF_INET, SRV, &sa->sin_addr) == 1 ? 0 : -1;
}

FIXTURE(route) {
	int dummy;
};

FIXTURE_SETUP(route)
{
	ASSERT_EQ(0, wwan_up(30000));
	/* A source address for the host stack; the modem uses its own. */
	sh("ip addr add " FLOW_SRC "/32 dev " WWAN " 2>/dev/null");
	ASSERT_EQ(0, sh("ip route replace 192.0.2.0/24 dev " WWAN
			" src " FLOW_SRC));
}

FIXTURE_TEARDOWN(route)
{
}

/* 64 KiB out and back at once: the echo comes back while we still send. */
TEST_F_TIMEOUT(route, tcp_echo_64k, 240)
{
	static uint8_t out[65536], in[65536];
	struct sockaddr_in sa;
	size_t sent = 0, got = 0;
	long long end, tx0, rx0, rxb0, rxb;
	int fd;

	pattern(out, sizeof(out), 7);
	tx0 = if_stat("tx_packets");
	rx0 = if_stat("rx_packets");
	rxb0 = if_stat("rx_bytes");
	ASSERT_EQ(0, dst(&sa, PORT_ECHO));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_NONBLOCK));
	end = now_ms() + 200000;
	while (got < sizeof(in) && now_ms() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (sent < sizeof(out))
			pfd.events |= POLLOUT;
		ASSERT_LE(0, poll(&pfd, 1, 1000));
		if (pfd.revents & POLLOUT) {
			n = send(fd, out + sent, sizeof(out) - sent, 0);
			ASSERT_TRUE(n > 0 || errno == EAGAIN)
				TH_LOG("send: %s", strerror(errno));
			if (n > 0)
				sent += n;
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(fd, in + got, sizeof(in) - got, 0);
			ASSERT_TRUE(n > 0 || (n < 0 && errno == EAGAIN))
				TH_LOG("recv %zd after %zu bytes: %s", n, got,
				       strerror(errno));
			if (n > 0)
				got += n;
		}
	}
	ASSERT_EQ(sizeof(out), sent);
	ASSERT_EQ(sizeof(in), got);
	ASSERT_EQ(crc32_update(0, out, sizeof(out)),
		  crc32_update(0, in, sizeof(in)));
	ASSERT_EQ(0, memcmp(out, in, sizeof(in)));
	close(fd);
	EXPECT_LT(tx0 + 32, if_stat("tx_packets"));
	EXPECT_LT(rx0 + 32, if_stat("rx_packets"));
	/* IP packets, counted once: the payload and its headers. */
	rxb = if_stat("rx_bytes") - rxb0;
	EXPECT_LE(65536, rxb);
	EXPECT_GT(65536 * 3 / 2, rxb);
	sh("ip -s link show " WWAN " >&2");
}

TEST_F_TIMEOUT(route, tcp_refused, 60)
{
	struct sockaddr_in sa;
	long long t0;
	int fd;

	ASSERT_EQ(0, dst(&sa, PORT_CLOSED));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	t0 = now_ms();
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_EQ(ECONNREFUSED, errno) TH_LOG("connect: %s", strerror(errno));
	/* Refused by the remote end, not given up after a timeout. */
	EXPECT_GT(20000, now_ms() - t0);
	close(fd);
}

/* A plain AF_INET socket of @type connected to the echo server, 20 s reads. */
static int echo_connect(int type)
{
	struct timeval tv = { .tv_sec = 20 };
	struct sockaddr_in sa;
	int fd;

	if (dst(&sa, PORT_ECHO))
		return -1;
	fd = socket(AF_INET, type, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST_F_TIMEOUT(route, udp_echo, 60)
{
	char buf[64], msg[] = "flow udp echo";
	ssize_t n;
	int fd;

	fd = echo_connect(SOCK_DGRAM);
	ASSERT_LE(0, fd) TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ((ssize_t)sizeof(msg), send(fd, msg, sizeof(msg), 0));
	n = recv(fd, buf, sizeof(buf), 0);
	ASSERT_EQ((ssize_t)sizeof(msg), n) TH_LOG("recv: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
	close(fd);
}

TEST_F_TIMEOUT(route, pdp_deact_resets, 60)
{
	char buf[8];
	ssize_t n;
	int fd;

	fd = echo_connect(SOCK_STREAM);
	ASSERT_LE(0, fd) TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(4, send(fd, "ping", 4, 0));
	ASSERT_EQ(4, read_full(fd, buf, 4, 20000));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	ASSERT_EQ(0, sim_ctl("pdp-deact", NULL, 0, 5000));
	n = recv(fd, buf, sizeof(buf), 0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ECONNRESET, errno) TH_LOG("recv %zd: %s", n, strerror(errno));
	close(fd);
}

TEST_HARNESS_MAIN
