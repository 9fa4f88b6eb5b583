// SPDX-License-Identifier: GPL-2.0
/*
 * sim7020_sock: the SIM7020-only paths of the socket layer, through AF_ATNET
 * and the simulator's control socket: the framing in use (binary
 * AT+CSODSEND / +CSONMI, or hex with --no-binary: sim7020_hex), byte
 * transparency, datagram limits, every +CSOERR code's errno, peer close and
 * reset, refused connects, the receive overflow policy, PDN loss, the
 * radio cycle of an APN change, and listen's EOPNOTSUPP.
 */
#include <pthread.h>

#include "sock_lib.h"
#include "kselftest_harness.h"
#include "vmtest.h"

#ifndef SIM7020_HEX
VM_TEST_META("sim7020", "");
#define BINARY		1
#define DGRAM_MAX	1024	/* AT+CSODSEND */
#else
#define BINARY		0
#define DGRAM_MAX	512	/* one AT+CSOSEND: 1024 hex characters */
#endif
#define RXBUF		16384	/* ATNET_LINK_RXBUF (it holds RXBUF - 1) */

/* The simulator's id of its only socket of @proto ("tcp"/"udp"), or -1. */
static int modem_sock_id(const char *proto)
{
	char reply[2048], *l;
	int id = -1, n;
	char p[8], st[16];

	if (sim_ctl("status", reply, sizeof(reply), 5000))
		return -1;
	for (l = strtok(reply, "\n"); l; l = strtok(NULL, "\n"))
		if (sscanf(l, "socket%d %7s %15s", &n, p, st) == 3 &&
		    !strcmp(p, proto) && !strcmp(st, "connected"))
			id = n;
	return id;
}

static int transcript_has(const char *fixed)
{
	return transcript_count('>', fixed) > 0;
}

static int dmesg_has(const char *fixed)
{
	return !sh("dmesg | grep -qF -- '%s'", fixed);
}

static int wait_dmesg(const char *fixed, int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		if (dmesg_has(fixed))
			return 0;
		usleep(100000);
	}
	return -ETIMEDOUT;
}

static int sim_cmd(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return sim_ctl(cmd, NULL, 0, 5000);
}

/* Send @len bytes and read them back concurrently (the echo server). */
static int echo_roundtrip(int fd, const uint8_t *out, uint8_t *in, size_t len,
			  int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	size_t sent = 0, got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (now_ms() > end)
			return -ETIMEDOUT;
		if (sent < len)
			p.events |= POLLOUT;
		if (poll(&p, 1, 200) <= 0)
			continue;
		if (p.revents & POLLOUT) {
			r = send(fd, out + sent, len - sent > 4096 ? 4096 :
				 len - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (r < 0 && errno != EAGAIN)
				return -errno;
			if (r > 0)
				sent += r;
		}
		if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
			r = recv(fd, in + got, len - got, MSG_DONTWAIT);
			if (r < 0 && errno != EAGAIN)
				return -errno;
			if (r == 0)
				return -EPIPE;
			if (r > 0)
				got += r;
		}
	}
	return 0;
}

FIXTURE(up) {
	int dummy;
};

FIXTURE_SETUP(up)
{
	ASSERT_EQ(0, wwan_up(30000));
}

FIXTURE_TEARDOWN(up)
{
}

TEST_F(up, identified_and_cycled)
{
	/* Detected by model, brought up with the seed's radio cycle. */
	EXPECT_EQ(0, sh("atnet show " WWAN " | grep -q 'sim7020'"));
	EXPECT_TRUE(transcript_has("AT+CFUN=0"));
	EXPECT_TRUE(transcript_has("AT+CFUN=1"));
	EXPECT_TRUE(transcript_has("AT+CGCONTRDP"));
	/* "+CPIN: NOT READY" of our own AT+CFUN=0 is no restart. */
	EXPECT_FALSE(dmesg_has("modem restarted"));
	EXPECT_EQ(0, sh("atnet show " WWAN " | grep -q 'restarts 0'"));
	EXPECT_EQ(1, read_int_file("/sys/class/net/" WWAN "/carrier"));
	EXPECT_TRUE(dmesg_has(BINARY ? "SIM7020 binary receive, binary send" :
			      "SIM7020 hex receive, hex send"));
}

TEST_F(up, tcp_every_byte_value)
{
	static uint8_t out[8192], in[8192];
	size_t i;
	int fd;

	/* CR, LF, NUL, '"', "> " and "\r\nOK\r\n" inside the data. */
	for (i = 0; i < sizeof(out); i++)
		out[i] = (i * 7 + i / 256) & 0xff;
	memcpy(out + 100, "\r\nOK\r\n> \r\n+CSONMI: 0,4,\r\nERROR\r\n", 31);
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, echo_roundtrip(fd, out, in, sizeof(out), 30000));
	EXPECT_EQ(0, memcmp(out, in, sizeof(out)));
	close(fd);
	/* The framing this firmware got. */
	/* Data sends, not the bring-up's AT+CSODSEND=? probe. */
	EXPECT_EQ(BINARY, transcript_count('>', "AT+CSODSEND=") >
			  transcript_count('>', "AT+CSODSEND=?"));
	EXPECT_EQ(!BINARY, transcript_has("AT+CSOSEND="));
	EXPECT_EQ(0, wait_sim_sockets_gone(5000));
}

TEST_F_TIMEOUT(up, tcp_bulk_64k, 120)
{
	static uint8_t out[65536], in[65536];
	long long t0;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(out); i++)
		out[i] = rand();
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	t0 = now_ms();
	ASSERT_EQ(0, echo_roundtrip(fd, out, in, sizeof(out), 100000));
	TH_LOG("64 KiB echoed in %lld ms (%s)", now_ms() - t0,
	       BINARY ? "binary" : "hex");
	EXPECT_EQ(0, memcmp(out, in, sizeof(out)));
	close(fd);
}

TEST_F(up, udp_datagrams)
{
	static uint8_t big[DGRAM_MAX + 1], buf[4096];
	int fd = sock_connect(SOCK_DGRAM, SRV, PORT_ECHO), i, n;
	int sizes[] = { 1, 13, 100, DGRAM_MAX < 500 ? DGRAM_MAX : 500 };

	ASSERT_LE(0, fd);
	set_timeo(fd, SO_RCVTIMEO, 10000);
	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = i ^ 0x5a;
	/* Bigger than one command (binary) or one hex line: EMSGSIZE. */
	EXPECT_EQ(-1, send(fd, big, DGRAM_MAX + 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	for (i = 0; i < (int)(sizeof(sizes) / sizeof(sizes[0])); i++) {
		ASSERT_EQ(sizes[i], send(fd, big, sizes[i], 0));
		n = recv(fd, buf, sizeof(buf), 0);
		ASSERT_EQ(sizes[i], n);
		EXPECT_EQ(0, memcmp(buf, big, n));
	}
	/* The largest one still goes (one +CSONMI brings at most 512 back). */
	ASSERT_EQ(DGRAM_MAX, send(fd, big, DGRAM_MAX, 0));
	close(fd);
}

TEST_F(up, peer_close_eof_epipe)
{
	char buf[16];
	int fd, id;

	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	ASSERT_EQ(2, send(fd, "hi", 2, 0));
	ASSERT_EQ(2, read_full(fd, buf, 2, 10000));
	id = modem_sock_id("tcp");
	ASSERT_LE(0, id);
	/* "+CSOERR: id,4": the peer closed. */
	ASSERT_EQ(0, sim_cmd("close %d", id));
	set_timeo(fd, SO_RCVTIMEO, 10000);
	EXPECT_EQ(0, recv(fd, buf, 1, 0));
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	/* The driver freed the dead socket in the modem. */
	EXPECT_EQ(0, wait_sim_sockets_gone(5000));
	close(fd);
}

TEST_F(up, peer_reset)
{
	char buf[16];
	int fd, id;

	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	id = modem_sock_id("tcp");
	ASSERT_LE(0, id);
	ASSERT_EQ(0, sim_cmd("reset %d", id));
	set_timeo(fd, SO_RCVTIMEO, 10000);
	EXPECT_EQ(-1, recv(fd, buf, 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(0, wait_sim_sockets_gone(5000));
	close(fd);
}

TEST_F(up, refused_frees_modem_socket)
{
	int fd;

	ASSERT_EQ(0, sim_cmd("refuse"));
	EXPECT_EQ(-ECONNREFUSED, sock_connect(SOCK_STREAM, SRV, PORT_ECHO));
	/* AT+CSOC made a socket before AT+CSOCON failed: closed again. */
	EXPECT_EQ(0, wait_sim_sockets_gone(5000));
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	EXPECT_LE(0, fd);
	close(fd);
}

/* Every +CSOERR code of seed 002 3.9 and the errno recv reports. */
TEST_F(up, csoerr_errno_table)
{
	static const struct { int code, err; } table[] = {
		{ -1, EIO }, { 1, EHOSTUNREACH }, { 2, ECONNABORTED },
		{ 3, ECONNRESET }, { 4, 0 /* EOF */ }, { 5, EINVAL },
		{ 6, ENOBUFS }, { 7, EBUSY }, { 8, EADDRINUSE },
		{ 9, EALREADY }, { 10, EISCONN }, { 11, ENETDOWN },
		{ 99, EIO },
	};
	unsigned int i;
	char buf[4];
	int fd, id, r;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
		ASSERT_LE(0, fd);
		id = modem_sock_id("tcp");
		ASSERT_LE(0, id);
		ASSERT_EQ(0, sim_cmd("urc +CSOERR: %d,%d", id, table[i].code));
		set_timeo(fd, SO_RCVTIMEO, 10000);
		r = recv(fd, buf, 1, 0);
		if (table[i].err) {
			EXPECT_EQ(-1, r) TH_LOG("code %d", table[i].code);
			EXPECT_EQ(table[i].err, errno)
				TH_LOG("code %d: %s", table[i].code,
				       strerror(errno));
		} else {
			EXPECT_EQ(0, r) TH_LOG("code %d", table[i].code);
		}
		close(fd);
		EXPECT_EQ(0, wait_sim_sockets_gone(5000));
		/* A bearer error also asked whether the PDN is still up. */
		if (table[i].code == 11)
			ASSERT_EQ(0, wait_carrier(1, 5000));
	}
}

TEST_F(up, listen_eopnotsupp)
{
	int fd = sock_new(SOCK_STREAM);

	ASSERT_LE(0, fd);
	/* No server mode on a SIM7020 (seed 002 3.1). */
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);
}

/*
 * The overflow policy: +CSONMI pushes, nothing waits in the modem. A slow
 * stream reader gets every byte up to the gap, then ENOBUFS.
 */
TEST_F_TIMEOUT(up, overflow_stream_enobufs, 90)
{
	static uint8_t buf[SOURCE_BYTES], want[SOURCE_BYTES];
	ssize_t got = 0, r;
	int fd;

	ASSERT_EQ(0, sock_servers());
	sh("dmesg -c >/dev/null");
	fd = sock_connect(SOCK_STREAM, SRV, PORT_SOURCE);
	ASSERT_LE(0, fd);
	/* Do not read: 256 KiB come, the ring holds 16 KiB. */
	ASSERT_EQ(0, wait_dmesg("receive buffer full", 60000));
	for (;;) {
		r = recv(fd, buf + got, sizeof(buf) - got, MSG_DONTWAIT);
		if (r <= 0)
			break;
		got += r;
	}
	EXPECT_EQ(-1, r);
	EXPECT_EQ(ENOBUFS, errno);
	EXPECT_LT(0, got);
	EXPECT_GE(RXBUF, got);
	pattern(want, got, 0);
	EXPECT_EQ(0, memcmp(buf, want, got));
	close(fd);
	EXPECT_EQ(0, wait_sim_sockets_gone(10000));
}

/* A slow datagram reader loses datagrams, whole, and dmesg says so. */
TEST_F_TIMEOUT(up, overflow_dgram_dropped, 90)
{
	/* One and a half receive buffers' worth, at most 255 (the markers). */
	enum { SZ = DGRAM_MAX < 400 ? DGRAM_MAX : 400,
	       N = 3 * RXBUF / 2 / (SZ + 2) + 10 };
	static uint8_t d[SZ], buf[2048];
	int fd = sock_connect(SOCK_DGRAM, SRV, PORT_ECHO), i, n, got = 0;
	int last = -1;

	ASSERT_LE(0, fd);
	sh("dmesg -c >/dev/null");
	for (i = 0; i < N; i++) {
		memset(d, i, SZ);
		ASSERT_EQ(SZ, send(fd, d, SZ, 0));
	}
	ASSERT_EQ(0, wait_dmesg("receive buffer full", 60000));
	usleep(500000);
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		EXPECT_EQ(SZ, n);
		EXPECT_LT(last, buf[0]);	/* in order, whole */
		EXPECT_EQ(buf[0], buf[SZ - 1]);
		last = buf[0];
		got++;
	}
	TH_LOG("%d of %d datagrams kept", got, N);
	EXPECT_LT(0, got);
	EXPECT_GT(N, got);
	/* The socket goes on. */
	ASSERT_EQ(1, send(fd, "z", 1, 0));
	set_timeo(fd, SO_RCVTIMEO, 10000);
	EXPECT_EQ(1, recv(fd, buf, sizeof(buf), 0));
	close(fd);
}

/* The network drops the PDN: sockets fail, carrier goes, "up" brings it. */
TEST_F_TIMEOUT(up, pdn_loss, 90)
{
	char buf[4];
	int fd;

	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sim_cmd("pdp-deact"));
	set_timeo(fd, SO_RCVTIMEO, 10000);
	EXPECT_EQ(-1, recv(fd, buf, 1, 0));
	EXPECT_EQ(ENETDOWN, errno);
	close(fd);
	ASSERT_EQ(0, wait_carrier(0, 10000));
	EXPECT_EQ(0, wait_sim_sockets_gone(10000));
	ASSERT_EQ(0, sh("atnet up " WWAN));
	ASSERT_EQ(0, wait_carrier(1, 30000));
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	EXPECT_LE(0, fd);
	close(fd);
}

/* A new APN: "down", "up" cycles the radio around AT*MCGDEFCONT. */
TEST_F_TIMEOUT(up, apn_change_radio_cycle, 120)
{
	char reply[2048];
	int fd;

	ASSERT_EQ(0, sh("atnet set " WWAN " apn test.apn"));
	EXPECT_FALSE(transcript_has("AT*MCGDEFCONT=\"IP\",\"test.apn\""));
	ASSERT_EQ(0, sh("atnet down " WWAN));
	ASSERT_EQ(0, wait_carrier(0, 30000));
	ASSERT_EQ(0, sh("atnet up " WWAN));
	ASSERT_EQ(0, wait_carrier(1, 60000));
	EXPECT_TRUE(transcript_has("AT+CGACT=0,1"));
	EXPECT_TRUE(transcript_has("AT*MCGDEFCONT=\"IP\",\"test.apn\""));
	ASSERT_EQ(0, sim_ctl("status", reply, sizeof(reply), 5000));
	EXPECT_NE(NULL, strstr(reply, "apn test.apn"));
	EXPECT_FALSE(dmesg_has("modem restarted"));
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	EXPECT_LE(0, fd);
	close(fd);
	/* The same APN again: no second radio cycle. */
	sh("dmesg -c >/dev/null");
	ASSERT_EQ(0, sh("atnet down " WWAN));
	ASSERT_EQ(0, wait_carrier(0, 30000));
	ASSERT_EQ(0, sh("atnet up " WWAN));
	ASSERT_EQ(0, wait_carrier(1, 60000));
	EXPECT_EQ(1, transcript_count('>', "AT*MCGDEFCONT="));
}

TEST_HARNESS_MAIN
