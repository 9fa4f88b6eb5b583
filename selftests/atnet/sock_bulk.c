// SPDX-License-Identifier: GPL-2.0
/*
 * sock_bulk: data integrity through AF_ATNET at the simulated UART speed
 * (115200 here; sock_bulk_fast.c builds this at 921600 with the heavier
 * tests): 1 MiB up to a sink (crc32 checked by the server), 1 MiB down from
 * a source (pattern checked), echo both ways at once, every link of the
 * modem at once (8 on SIM7000, 5 on SIM7020), and a reader that sleeps
 * while the peer sends a lot (SIM7000: the modem holds the data; a SIM7020
 * keeps nothing back, see sim7020_sock's overflow tests).
 */
#include <pthread.h>

#include "sock_lib.h"
#include "kselftest_harness.h"
#include "vmtest.h"

#ifndef BULK_META
#define BULK_META	""
VM_TEST_META("sim7000 sim7020", BULK_META);
#define BULK_FULL	0
/* At 115200 the simulated wire sets the pace, not the CPU: see run_vm_tests.sh */
static const char bulk_lane[] __attribute__((used)) = "\nvm-lane: side\n";
#endif
static const char bulk_timeout[] __attribute__((used)) = "\nvm-timeout: 900\n";

#define MIB		(1024 * 1024)
#define BULK_TIMEOUT	600

static double rate_pct(size_t bytes, long long ms)
{
	int baud = atoi(getenv("ATNET_BAUD") ? getenv("ATNET_BAUD") : "115200");

	return ms > 0 ? 100.0 * bytes / ((double)baud / 10 * ms / 1000) : 0;
}

/* Wait for echod's "sink ... bytes N crc32 X" line. */
static int sink_logged(size_t bytes, uint32_t crc, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	char want[96], line[256];

	snprintf(want, sizeof(want), "bytes %zu crc32 %08x", bytes, crc);
	while (now_ms() < end) {
		FILE *f = fopen("/tmp/echod-sock.log", "r");

		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, want)) {
				fclose(f);
				return 0;
			}
		if (f)
			fclose(f);
		usleep(50000);
	}
	return -ETIMEDOUT;
}

FIXTURE(bulk) {
	int dummy;
};

FIXTURE_SETUP(bulk)
{
	ASSERT_EQ(0, wwan_up(20000));
	ASSERT_EQ(0, sock_servers());
}

FIXTURE_TEARDOWN(bulk)
{
}

TEST_F_TIMEOUT(bulk, upload_1m, BULK_TIMEOUT)
{
	static uint8_t buf[MIB];
	uint32_t crc;
	long long t0;
	size_t off = 0;
	int fd;

	fd = sock_connect(SOCK_STREAM, SRV, PORT_SINK);
	ASSERT_LE(0, fd);
	srand(1);
	for (off = 0; off < sizeof(buf); off++)
		buf[off] = rand();
	crc = crc32_update(0, buf, sizeof(buf));
	t0 = now_ms();
	for (off = 0; off < sizeof(buf);) {
		ssize_t n = send(fd, buf + off, sizeof(buf) - off, 0);

		ASSERT_LT(0, n) TH_LOG("send: %s", strerror(errno));
		off += n;
	}
	TH_LOG("upload 1 MiB in %lld ms: %.1f%% of the wire", now_ms() - t0,
	       rate_pct(MIB, now_ms() - t0));
	close(fd);
	EXPECT_EQ(0, sink_logged(MIB, crc, 30000));
}

TEST_F_TIMEOUT(bulk, download_1m, BULK_TIMEOUT)
{
	static uint8_t buf[65536], want[65536];
	size_t total = 0;
	long long t0;
	char c;
	int fd;

	fd = sock_connect(SOCK_STREAM, SRV, PORT_SOURCE_BIG);
	ASSERT_LE(0, fd);
	t0 = now_ms();
	while (total < MIB) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		ASSERT_LT(0, n) TH_LOG("recv at %zu: %zd %s", total, n,
				       strerror(errno));
		pattern(want, n, total);
		ASSERT_EQ(0, memcmp(buf, want, n)) TH_LOG("at %zu", total);
		total += n;
	}
	TH_LOG("download 1 MiB in %lld ms: %.1f%% of the wire", now_ms() - t0,
	       rate_pct(MIB, now_ms() - t0));
	EXPECT_EQ(0, recv(fd, &c, 1, 0));
	close(fd);
}

#if BULK_FULL
struct pump {
	int fd;
	size_t len;
	uint32_t seed;
	int err;
};

static void *pump_send(void *arg)
{
	struct pump *p = arg;
	static uint8_t buf[MIB];
	size_t off;

	for (off = 0; off < p->len; off++)
		buf[off] = (off * 7 + p->seed) & 0xff;
	for (off = 0; off < p->len;) {
		ssize_t n = send(p->fd, buf + off, p->len - off, 0);

		if (n <= 0) {
			p->err = errno;
			return NULL;
		}
		off += n;
	}
	return NULL;
}

TEST_F_TIMEOUT(bulk, echo_1m_both_ways, BULK_TIMEOUT)
{
	struct pump p = { .len = MIB, .seed = 3 };
	static uint8_t buf[65536];
	size_t total = 0, i;
	pthread_t th;

	p.fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, p.fd);
	ASSERT_EQ(0, pthread_create(&th, NULL, pump_send, &p));
	set_timeo(p.fd, SO_RCVTIMEO, 60000);
	while (total < MIB) {
		ssize_t n = recv(p.fd, buf, sizeof(buf), 0);

		ASSERT_LT(0, n) TH_LOG("recv at %zu: %s", total, strerror(errno));
		for (i = 0; i < (size_t)n; i++)
			ASSERT_EQ((uint8_t)((total + i) * 7 + 3), buf[i]);
		total += n;
	}
	pthread_join(th, NULL);
	EXPECT_EQ(0, p.err);
	close(p.fd);
}

/*
 * Every link of a modem that pushes what it receives (SIM7020: +CSONMI,
 * nothing held back, 16 KiB per link, then ENOBUFS by design): each link
 * echoes 64 KiB with at most WINDOW bytes unanswered, so a reader the
 * scheduler delays cannot overflow and the test measures the driver, not
 * the guest's scheduling. All links share the UART at once.
 */
#define ECHO_LINK	(64 * 1024)
#define WINDOW		8192

static void every_link_echo(struct __test_metadata *_metadata, int links)
{
	static uint8_t out[ECHO_LINK], buf[16384];
	size_t sent[8] = { 0 }, got[8] = { 0 };
	long long t0 = now_ms(), done_ms[8] = { 0 };
	struct pollfd pfd[8];
	int i, open = links;

	pattern(out, sizeof(out), 0);
	for (i = 0; i < links; i++) {
		pfd[i].fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
		ASSERT_LE(0, pfd[i].fd) TH_LOG("socket %d", i);
	}
	while (open) {
		for (i = 0; i < links; i++)
			pfd[i].events = POLLIN | (sent[i] < ECHO_LINK &&
				sent[i] - got[i] < WINDOW ? POLLOUT : 0);
		ASSERT_LT(0, poll(pfd, links, 60000));
		for (i = 0; i < links; i++) {
			size_t room = WINDOW - (sent[i] - got[i]);
			ssize_t n;

			if (pfd[i].fd < 0)
				continue;
			if ((pfd[i].revents & POLLOUT) && sent[i] < ECHO_LINK &&
			    sent[i] - got[i] < WINDOW) {
				if (room > ECHO_LINK - sent[i])
					room = ECHO_LINK - sent[i];
				n = send(pfd[i].fd, out + sent[i], room,
					 MSG_DONTWAIT | MSG_NOSIGNAL);
				ASSERT_TRUE(n > 0 || errno == EAGAIN)
					TH_LOG("socket %d send: %s", i, strerror(errno));
				if (n > 0)
					sent[i] += n;
			}
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = recv(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0 && errno == EAGAIN)
				continue;
			ASSERT_LT(0, n) TH_LOG("socket %d at %zu: %s", i, got[i],
					       n ? strerror(errno) : "EOF");
			ASSERT_GE(sent[i] - got[i], (size_t)n);
			ASSERT_EQ(0, memcmp(buf, out + got[i], n))
				TH_LOG("socket %d at %zu", i, got[i]);
			got[i] += n;
			if (got[i] == ECHO_LINK) {
				done_ms[i] = now_ms() - t0;
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open--;
			}
		}
	}
	for (i = 0; i < links; i++)
		TH_LOG("socket %d: %zu bytes echoed, done at %lld ms", i, got[i],
		       done_ms[i]);
}

TEST_F_TIMEOUT(bulk, every_link_at_once, BULK_TIMEOUT)
{
	static uint8_t buf[16384], want[16384];
	size_t got[8] = { 0 };
	long long t0, done_ms[8] = { 0 };
	struct pollfd pfd[8];
	int i, links = sock_model()->links, open = links;
	char c;

	ASSERT_GE(8, links);
	if (!sock_model()->holds_rx) {
		every_link_echo(_metadata, links);
		return;
	}
	for (i = 0; i < links; i++) {
		pfd[i].fd = sock_connect(SOCK_STREAM, SRV, PORT_SOURCE);
		ASSERT_LE(0, pfd[i].fd) TH_LOG("socket %d", i);
		pfd[i].events = POLLIN;
	}
	t0 = now_ms();
	while (open) {
		ASSERT_LT(0, poll(pfd, links, 60000));
		for (i = 0; i < links; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = recv(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0 && errno == EAGAIN)
				continue;
			ASSERT_LE(0, n) TH_LOG("socket %d: %s", i, strerror(errno));
			if (n == 0) {
				EXPECT_EQ((size_t)SOURCE_BYTES, got[i]);
				done_ms[i] = now_ms() - t0;
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open--;
				continue;
			}
			pattern(want, n, got[i]);
			ASSERT_EQ(0, memcmp(buf, want, n)) TH_LOG("socket %d at %zu", i, got[i]);
			got[i] += n;
		}
	}
	for (i = 0; i < links; i++)
		TH_LOG("socket %d: %zu bytes done at %lld ms", i, got[i], done_ms[i]);
	(void)c;
}

TEST_F_TIMEOUT(bulk, sleepy_reader, BULK_TIMEOUT)
{
	static uint8_t buf[65536], want[65536];
	size_t total = 0;
	int fd, n0;

	if (!sock_model()->holds_rx)
		SKIP(return, "sleepy_reader: %s keeps no received data back (+CSONMI): "
		     "a sleeping reader overflows by design, sim7020_sock tests that",
		     sock_model()->name);
	fd = sock_connect(SOCK_STREAM, SRV, PORT_SOURCE);
	ASSERT_LE(0, fd);
	/* The source sends 256 KiB while we sleep: the modem must hold it. */
	sleep(4);
	ASSERT_EQ(0, ioctl(fd, SIOCINQ, &n0));
	TH_LOG("after 4 s asleep, %d bytes queued in the socket", n0);
	EXPECT_GE(16384, n0);
	set_timeo(fd, SO_RCVTIMEO, 60000);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		ASSERT_LE(0, n) TH_LOG("recv at %zu: %s", total, strerror(errno));
		if (!n)
			break;
		pattern(want, n, total);
		ASSERT_EQ(0, memcmp(buf, want, n)) TH_LOG("at %zu", total);
		total += n;
		if (total < 65536)
			usleep(100000);	/* slow at first */
	}
	EXPECT_EQ((size_t)SOURCE_BYTES, total);
	close(fd);
}
#endif

TEST_HARNESS_MAIN
