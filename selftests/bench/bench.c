// SPDX-License-Identifier: GPL-2.0
/*
 * bench: AF_ATNET figures measured in the test VM, printed as "key value"
 * lines that bench.sh turns into a table.
 *
 *   bench [--bytes N] [--rtt-count N] [--fair-bytes N] [--no-fair]
 *
 * up_pct/down_pct: bulk goodput to echod's sink / from its source as a
 * percentage of the wire limit (baud / 10 bytes per second, $ATNET_BAUD);
 * rtt_ms: median of 64-byte echo round trips; fair_*: 8 sockets downloading
 * at once (Jain's index over their goodputs); memory from /proc/slabinfo.
 */
#include "../atnet/sock_lib.h"

#include <math.h>

static int baud(void)
{
	const char *b = getenv("ATNET_BAUD");

	return b ? atoi(b) : 115200;
}

static double pct(size_t bytes, long long ms)
{
	return ms > 0 ? 100.0 * bytes * 1000 / ms / (baud() / 10.0) : 0;
}

static long long upload(size_t bytes)
{
	static uint8_t buf[65536];
	long long t0;
	size_t off = 0;
	int fd = sock_connect(SOCK_STREAM, SRV, PORT_SINK);

	if (fd < 0)
		return -1;
	memset(buf, 0x5a, sizeof(buf));
	t0 = now_ms();
	while (off < bytes) {
		size_t n = bytes - off < sizeof(buf) ? bytes - off : sizeof(buf);
		ssize_t r = send(fd, buf, n, 0);

		if (r <= 0)
			return -1;
		off += r;
	}
	/* a blocking send returns once the modem accepted every byte */
	t0 = now_ms() - t0;
	close(fd);
	return t0;
}

static long long download(int port, size_t bytes)
{
	static uint8_t buf[65536];
	size_t got = 0;
	long long t0;
	int fd = sock_connect(SOCK_STREAM, SRV, port);

	if (fd < 0)
		return -1;
	t0 = now_ms();
	while (got < bytes) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);

		if (r <= 0)
			return -1;
		got += r;
	}
	t0 = now_ms() - t0;
	close(fd);
	return t0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long rtt(int count)
{
	long long v[256];
	char buf[64];
	int fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO), i;

	if (fd < 0 || count > 256)
		return -1;
	memset(buf, 'r', sizeof(buf));
	for (i = 0; i < count; i++) {
		long long t0 = now_ms();

		if (send(fd, buf, sizeof(buf), 0) != sizeof(buf) ||
		    read_full(fd, buf, sizeof(buf), 30000) != sizeof(buf))
			return -1;
		v[i] = now_ms() - t0;
	}
	close(fd);
	qsort(v, count, sizeof(v[0]), cmp_ll);
	return v[count / 2];
}

static void fairness(void)
{
	static uint8_t buf[16384];
	struct pollfd pfd[8];
	size_t got[8] = { 0 };
	long long t0, end[8] = { 0 }, slowest = 0;
	double sum = 0, sq = 0, r[8];
	int i, open = 8;

	for (i = 0; i < 8; i++) {
		pfd[i].fd = sock_connect(SOCK_STREAM, SRV, PORT_SOURCE_64K);
		pfd[i].events = POLLIN;
		if (pfd[i].fd < 0) {
			printf("fair_error %d\n", -pfd[i].fd);
			return;
		}
	}
	t0 = now_ms();
	while (open && poll(pfd, 8, 60000) > 0) {
		for (i = 0; i < 8; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			n = recv(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0 && errno == EAGAIN)
				continue;
			if (n <= 0) {
				end[i] = now_ms() - t0;
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open--;
				continue;
			}
			got[i] += n;
		}
	}
	for (i = 0; i < 8; i++) {
		r[i] = end[i] > 0 ? (double)got[i] / end[i] : 0;
		sum += r[i];
		sq += r[i] * r[i];
	}
	for (i = 0; i < 8; i++)
		slowest = end[i] > slowest ? end[i] : slowest;
	printf("fair_total_pct %.1f\n", pct(8 * 65536, slowest));
	printf("fair_jain %.3f\n", sq > 0 ? sum * sum / (8 * sq) : 0);
	for (i = 0; i < 8; i++)
		printf("fair_sock%d_ms %lld\n", i, end[i]);
}

static void memory(void)
{
	char line[512], name[64];
	unsigned long active, num, objsize;
	FILE *f = fopen("/proc/slabinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &num,
			   &objsize) != 4)
			continue;
		if (!strcmp(name, "ATNET") || !strcmp(name, "sock_inode_cache"))
			printf("slab_%s_objsize %lu\n", name, objsize);
	}
	if (f)
		fclose(f);
	printf("module_coresize %d\n",
	       read_int_file("/sys/module/atnet/coresize"));
}

int main(int argc, char **argv)
{
	size_t bytes = 256 * 1024;
	int rtt_count = 20, fair = 1, i;
	long long ms;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--bytes") && i + 1 < argc)
			bytes = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--rtt-count") && i + 1 < argc)
			rtt_count = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-fair"))
			fair = 0;
	}
	if (wwan_up(30000) || sock_servers()) {
		printf("error bed\n");
		return 1;
	}
	printf("baud %d\n", baud());
	if (bytes) {
		ms = upload(bytes);
		printf("up_bytes %zu\nup_ms %lld\nup_pct %.1f\n", bytes, ms,
		       pct(bytes, ms));
		ms = download(bytes > SOURCE_BYTES ? PORT_SOURCE_BIG : PORT_SOURCE,
			      bytes > SOURCE_BYTES ? SOURCE_BIG : SOURCE_BYTES);
		bytes = bytes > SOURCE_BYTES ? SOURCE_BIG : SOURCE_BYTES;
		printf("down_bytes %zu\ndown_ms %lld\ndown_pct %.1f\n", bytes,
		       ms, pct(bytes, ms));
	}
	printf("rtt_ms %lld\n", rtt(rtt_count));
	if (fair)
		fairness();
	memory();
	return 0;
}
