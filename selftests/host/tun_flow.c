// SPDX-License-Identifier: GPL-2.0
/*
 * The flow translator against the real Linux TCP/IP stack, TAP: the engine
 * (kernel/flow*.c built in userspace) serves a TUN device in a private
 * network namespace (run it under `unshare -n`; the Makefile does), and
 * ordinary sockets of this host's kernel talk through it to fake remote
 * services in the link layer below the engine:
 *
 *   192.0.2.1:7 echo, :9 discard (counts and sums), :19 sends CHARGEN_LEN
 *   bytes then closes, :1 refuses, :2 never answers, :3 resets on data;
 *   UDP :53 echoes datagrams; ICMP echo is answered by the "modem ping".
 *
 * This proves what unit tests cannot: that Linux accepts the engine's
 * SYN-ACK, windows, FINs, RSTs and ICMP errors, and that connect(), read()
 * and write() in an application see what flow.h promises (ECONNREFUSED,
 * EHOSTUNREACH, ECONNRESET, EOF, nothing lost with a sleeping reader).
 * Nothing leaves the namespace. The engine runs in its own thread; only
 * that thread touches it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "flow.h"

#define NLINK		16
#define RXCAP		(256 * 1024)
#define TXROOM		16384
#define CHARGEN_LEN	(1024 * 1024)
#define BULK_LEN	(1024 * 1024)
#define REMOTE		"192.0.2.1"
#define CONNECT_MS	1000

struct link {
	bool used, connected, closed;
	u8 proto;
	u16 port;
	u8 rx[RXCAP];
	size_t rxhead, rxlen;
	size_t dgrams[16];		/* UDP: lengths queued in rx */
	unsigned int ndgram;
	bool dirty_rx, dirty_tx;
	bool reset_due;
	size_t generated;		/* chargen */
	u64 discarded;			/* discard: bytes and their sum */
	u32 sum;
};

static struct atnet_flow_table t;
static struct link links[NLINK];
static int tunfd;
static atomic_bool stop;
static atomic_ulong drops[ATNET_FLOW_DROP_NR];
static atomic_uint nflows, discard_done;
static atomic_ulong discard_bytes, discard_sum;
static u32 ping_cookies[8];
static unsigned int nping;
static int failed;

static u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static u8 chargen(size_t i)
{
	return (u8)(i * 7 + (i >> 10));
}

static int o_open(void *ctx, u8 proto, __be32 daddr, __be16 dport,
		  __be16 sport)
{
	int i;

	(void)ctx, (void)daddr, (void)sport;
	for (i = 0; i < NLINK; i++) {
		struct link *l = &links[i];

		if (!l->used) {
			memset(l, 0, sizeof(*l));
			l->used = true;
			l->proto = proto;
			l->port = ntohs(dport);
			return i;
		}
	}
	return -EBUSY;
}

static size_t o_room(void *ctx, int h)
{
	struct link *l = &links[h];

	(void)ctx;
	if (l->closed)
		return 0;
	if (l->port == 7)	/* echo: what comes back must fit */
		return RXCAP - (l->rxlen - l->rxhead) > TXROOM ?
		       TXROOM : RXCAP - (l->rxlen - l->rxhead);
	return TXROOM;
}

static void rx_append(struct link *l, const u8 *buf, size_t len)
{
	if (l->rxhead && l->rxlen + len > RXCAP) {
		memmove(l->rx, l->rx + l->rxhead, l->rxlen - l->rxhead);
		l->rxlen -= l->rxhead;
		l->rxhead = 0;
	}
	memcpy(l->rx + l->rxlen, buf, len);
	l->rxlen += len;
	l->dirty_rx = true;
}

static int o_write(void *ctx, int h, const u8 *buf, size_t len)
{
	struct link *l = &links[h];
	size_t i;

	if (len > o_room(ctx, h))
		return -EINVAL;
	if (l->proto == 17) {
		if (l->ndgram < 16) {
			rx_append(l, buf, len);
			l->dgrams[l->ndgram++] = len;
		}
		return (int)len;
	}
	switch (l->port) {
	case 7:
		rx_append(l, buf, len);
		break;
	case 3:
		l->reset_due = true;
		break;
	default:
		for (i = 0; i < len; i++)
			l->sum = l->sum * 31 + buf[i];
		l->discarded += len;
	}
	l->dirty_tx = true;
	return (int)len;
}

static int o_peek(void *ctx, int h, size_t off, u8 *buf, size_t len)
{
	struct link *l = &links[h];

	(void)ctx;
	if (off + len > l->rxlen - l->rxhead)
		return -EINVAL;
	memcpy(buf, l->rx + l->rxhead + off, len);
	return 0;
}

static void o_consume(void *ctx, int h, size_t len)
{
	(void)ctx;
	links[h].rxhead += len;
}

static void o_close(void *ctx, int h, bool abort)
{
	struct link *l = &links[h];

	(void)ctx;
	if (l->port == 9 && !abort) {
		atomic_store(&discard_bytes, l->discarded);
		atomic_store(&discard_sum, l->sum);
		atomic_fetch_add(&discard_done, 1);
	}
	l->used = false;
}

static u8 *o_alloc(void *ctx, size_t len, void **pkt)
{
	(void)ctx;
	*pkt = malloc(len);
	return *pkt;
}

static void o_deliver(void *ctx, void *pkt, size_t len)
{
	(void)ctx;
	if (write(tunfd, pkt, len) != (ssize_t)len)
		perror("# tun write");
	free(pkt);
}

static void o_free(void *ctx, void *pkt)
{
	(void)ctx;
	free(pkt);
}

static void o_drop(void *ctx, enum atnet_flow_drop why)
{
	(void)ctx;
	atomic_fetch_add(&drops[why], 1);
}

static int o_ping(void *ctx, __be32 daddr, u32 cookie)
{
	(void)ctx, (void)daddr;
	if (nping < 8)
		ping_cookies[nping++] = cookie;
	return 0;
}

static const struct atnet_flow_ops ops = {
	.open = o_open, .write = o_write, .room = o_room, .peek = o_peek,
	.consume = o_consume, .close = o_close, .pkt_alloc = o_alloc,
	.pkt_deliver = o_deliver, .pkt_free = o_free, .drop = o_drop,
	.ping = o_ping,
};

/* The "modem": connects, generates, echoes, reports; never inside an op. */
static void modem(void)
{
	unsigned int i, k;

	for (i = 0; i < nping; i++)
		atnet_flow_ping_done(&t, ping_cookies[i], 0);
	nping = 0;
	for (i = 0; i < NLINK; i++) {
		struct link *l = &links[i];

		if (!l->used)
			continue;
		if (!l->connected && l->port != 2) {
			l->connected = true;
			atnet_flow_connected(&t, i, l->port == 1 ?
					     -ECONNREFUSED : 0);
			continue;
		}
		if (!l->used || !l->connected)
			continue;
		if (l->reset_due) {
			l->closed = true;
			atnet_flow_closed(&t, i, -ECONNRESET);
			continue;
		}
		if (l->port == 19 && l->generated < CHARGEN_LEN &&
		    l->rxlen - l->rxhead < RXCAP / 2) {
			u8 chunk[4096];
			size_t n = CHARGEN_LEN - l->generated;

			n = n < sizeof(chunk) ? n : sizeof(chunk);
			for (k = 0; k < n; k++)
				chunk[k] = chargen(l->generated + k);
			l->generated += n;
			rx_append(l, chunk, n);
		}
		if (l->proto == 17) {
			for (k = 0; k < l->ndgram && l->used; k++)
				atnet_flow_dgram(&t, i, l->dgrams[k]);
			l->ndgram = 0;
			continue;
		}
		if (l->dirty_rx) {
			l->dirty_rx = false;
			atnet_flow_rx(&t, i, l->rxlen - l->rxhead);
		}
		if (l->used && l->dirty_tx) {
			l->dirty_tx = false;
			atnet_flow_writable(&t, i);
		}
		if (l->used && l->port == 19 && !l->closed &&
		    l->generated == CHARGEN_LEN) {
			l->closed = true;
			atnet_flow_closed(&t, i, 0);
		}
	}
}

static void *engine(void *arg)
{
	struct atnet_flow_cfg cfg = {
		.max_send = 1460, .mtu = 1500, .connect_timeout_ms = CONNECT_MS,
		.udp_idle_ms = 2000,
	};
	static u8 pkt[65536];

	(void)arg;
	atnet_flow_init(&t, &ops, NULL, &cfg, (u32)now_ms() * 2654435761u,
			now_ms());
	while (!atomic_load(&stop)) {
		struct pollfd pfd = { .fd = tunfd, .events = POLLIN };
		ssize_t n;

		poll(&pfd, 1, 5);
		atnet_flow_tick(&t, now_ms());
		while ((n = read(tunfd, pkt, sizeof(pkt))) > 0) {
			atnet_flow_input(&t, pkt, n);
			modem();
		}
		modem();
		atomic_store(&nflows, t.nflows);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */

static int ntest;

static void result(bool ok, const char *name)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++ntest, name);
	if (!ok)
		failed++;
}

static int tcp(int port, int *err)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, REMOTE, &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*err = 0;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		*err = errno;
		close(fd);
		return -1;
	}
	return fd;
}

static void *writer(void *arg)
{
	int fd = *(int *)arg;
	size_t off = 0;
	u8 buf[8192];

	while (off < BULK_LEN) {
		size_t i, n = BULK_LEN - off < sizeof(buf) ?
			      BULK_LEN - off : sizeof(buf);
		ssize_t w;

		for (i = 0; i < n; i++)
			buf[i] = chargen(off + i) ^ 0x5a;
		w = write(fd, buf, n);
		if (w <= 0)
			break;
		off += w;
	}
	return NULL;
}

static void t_echo(void)
{
	int fd, err;
	size_t got = 0;
	pthread_t th;
	bool same = true;
	u8 buf[8192];

	fd = tcp(7, &err);
	if (fd < 0) {
		printf("# connect: %s\n", strerror(err));
		result(false, "echo: 1 MiB both ways at once, in order");
		return;
	}
	pthread_create(&th, NULL, writer, &fd);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf)), i;

		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			same &= buf[i] == (chargen(got + i) ^ 0x5a);
		got += n;
		if (got >= BULK_LEN)
			break;
	}
	pthread_join(th, NULL);
	close(fd);
	printf("# echoed %zu bytes\n", got);
	result(got == BULK_LEN && same,
	       "echo: 1 MiB both ways at once, in order");
}

static void t_chargen(int sleep_s, const char *name)
{
	int fd, err;
	size_t got = 0;
	bool same = true;
	ssize_t n = 0;
	u8 buf[8192];

	fd = tcp(19, &err);
	if (fd >= 0 && sleep_s)
		sleep(sleep_s);		/* the window fills and shuts */
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++)
			same &= buf[i] == chargen(got + i);
		got += n;
	}
	printf("# %zu bytes, last read %zd (%s)\n", got, n,
	       n < 0 ? strerror(errno) : "EOF");
	if (fd >= 0)
		close(fd);
	result(fd >= 0 && got == CHARGEN_LEN && same && n == 0, name);
}

static void *chargen_reader(void *arg)
{
	bool *ok = arg;
	size_t got = 0;
	int fd, err;
	u8 buf[8192];
	ssize_t n;

	fd = tcp(19, &err);
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++)
			if (buf[i] != chargen(got + i))
				n = -1;
		if (n < 0)
			break;
		got += n;
	}
	if (fd >= 0)
		close(fd);
	*ok = got == CHARGEN_LEN;
	return NULL;
}

static void t_parallel(void)
{
	bool ok[8] = { false };
	pthread_t th[8];
	int i, good = 0;

	for (i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, chargen_reader, &ok[i]);
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		good += ok[i];
	}
	printf("# %d of 8 complete\n", good);
	result(good == 8, "8 concurrent downloads of 1 MiB, all intact");
}

static void t_burst(void)
{
	int i, fd, err, refused = 0;

	for (i = 0; i < 200; i++) {
		fd = tcp(1, &err);
		refused += fd < 0 && err == ECONNREFUSED;
		if (fd >= 0)
			close(fd);
	}
	usleep(100000);
	printf("# %d of 200 refused, %u flows\n", refused,
	       atomic_load(&nflows));
	result(refused == 200 && atomic_load(&nflows) <= 1,
	       "200 connects to a refused port: each refused, none kept");
}

static void t_discard(void)
{
	int fd, err;
	unsigned int before = atomic_load(&discard_done);
	u32 sum = 0;
	size_t i;
	u8 c;
	ssize_t n;

	fd = tcp(9, &err);
	if (fd >= 0) {
		writer(&fd);
		shutdown(fd, SHUT_WR);
		n = read(fd, &c, 1);	/* our FIN comes after the link closed */
		printf("# read after shutdown: %zd\n", n);
		close(fd);
	}
	for (i = 0; i < 200 && atomic_load(&discard_done) == before; i++)
		usleep(10000);
	for (i = 0; i < BULK_LEN; i++)
		sum = sum * 31 + (chargen(i) ^ 0x5a);
	printf("# the link took %lu bytes\n", atomic_load(&discard_bytes));
	result(fd >= 0 && atomic_load(&discard_done) == before + 1 &&
	       atomic_load(&discard_bytes) == BULK_LEN &&
	       atomic_load(&discard_sum) == sum,
	       "upload 1 MiB, shutdown: all of it in the link, then closed");
}

static void t_errors(void)
{
	int fd, err;
	u64 t0;
	ssize_t n;

	fd = tcp(1, &err);
	printf("# refused: %s\n", strerror(err));
	result(fd < 0 && err == ECONNREFUSED, "refused port: ECONNREFUSED");
	t0 = now_ms();
	fd = tcp(2, &err);
	printf("# blackhole: %s after %llu ms\n", strerror(err),
	       (unsigned long long)(now_ms() - t0));
	result(fd < 0 && err == EHOSTUNREACH &&
	       now_ms() - t0 < CONNECT_MS + 1000,
	       "no answer: EHOSTUNREACH after the connect timeout");
	fd = tcp(3, &err);
	n = fd >= 0 ? write(fd, "x", 1) : -1;
	n = fd >= 0 ? read(fd, &err, 1) : -1;
	printf("# reset: read %zd (%s)\n", n, strerror(errno));
	result(fd >= 0 && n < 0 && errno == ECONNRESET,
	       "peer reset: ECONNRESET");
	if (fd >= 0)
		close(fd);
}

static void t_udp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(53) };
	struct timeval tv = { .tv_sec = 3 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[100];
	ssize_t n;

	inet_pton(AF_INET, REMOTE, &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	connect(fd, (struct sockaddr *)&a, sizeof(a));
	send(fd, "hello udp", 9, 0);
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	result(n == 9 && !memcmp(buf, "hello udp", 9), "UDP datagram echoed");
}

static void t_ping(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 3 };
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	u8 req[64] = { ICMP_ECHO }, buf[256];
	u32 s = 0;
	size_t i;
	ssize_t n;

	inet_pton(AF_INET, REMOTE, &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	req[4] = 0x12;
	req[7] = 1;
	for (i = 8; i < sizeof(req); i++)
		req[i] = i;
	for (i = 0; i < sizeof(req); i += 2)
		s += req[i] << 8 | req[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	req[2] = ~s >> 8;
	req[3] = ~s;
	sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&a, sizeof(a));
	n = recv(fd, buf, sizeof(buf), 0);	/* IP header included */
	close(fd);
	result(n == 20 + 64 && buf[20] == ICMP_ECHOREPLY &&
	       !memcmp(buf + 24, req + 4, 60), "ICMP echo answered");
}

int main(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	pthread_t th;
	unsigned int i;

	printf("TAP version 13\n1..13\n");
	tunfd = open("/dev/net/tun", O_RDWR);
	strcpy(ifr.ifr_name, "wwan0");
	if (tunfd < 0 || ioctl(tunfd, TUNSETIFF, &ifr) ||
	    system("ip link set lo up && ip addr add 10.0.0.2/32 dev wwan0 &&"
		   " ip link set wwan0 mtu 1500 up &&"
		   " ip route add default dev wwan0")) {
		printf("Bail out! no TUN device in a private namespace "
		       "(run under unshare -n as root)\n");
		return 1;
	}
	fcntl(tunfd, F_SETFL, O_NONBLOCK);
	pthread_create(&th, NULL, engine, NULL);
	t_echo();
	t_chargen(0, "download 1 MiB, modem close: all of it, then EOF");
	t_chargen(3, "sleeping reader: zero window 3 s, nothing lost");
	t_parallel();
	t_discard();
	t_errors();
	t_udp();
	t_ping();
	t_burst();
	/* every flow ends: the host's TIME-WAIT is its own, not ours */
	for (i = 0; i < 300 && atomic_load(&nflows); i++)
		usleep(10000);
	printf("# flows left: %u\n", atomic_load(&nflows));
	result(atomic_load(&nflows) <= 1,	/* the UDP flow idles out later */
	       "flows freed after the tests");
	atomic_store(&stop, true);
	pthread_join(th, NULL);
	for (i = 0; i < ATNET_FLOW_MAX; i++) {
		const struct atnet_flow *f = &t.flows[i];

		if (f->state)
			printf("# left: state %u port %u link %d host_fin %d "
			       "fin_sent %d fin_acked %d link_closed %d "
			       "avail %u una %u max %u wnd %u\n", f->state,
			       ntohs(f->rport), f->link, f->host_fin,
			       f->fin_sent, f->fin_acked, f->link_closed,
			       f->avail, f->snd_una, f->snd_max, f->snd_wnd);
	}
	for (i = 0; i < ATNET_FLOW_DROP_NR; i++)
		if (atomic_load(&drops[i]))
			printf("# drop %u: %lu\n", i, atomic_load(&drops[i]));
	result(!atomic_load(&drops[ATNET_FLOW_DROP_CSUM]) &&
	       !atomic_load(&drops[ATNET_FLOW_DROP_MALFORMED]),
	       "nothing Linux sent was malformed or failed a checksum");
	return failed ? 1 : 0;
}
