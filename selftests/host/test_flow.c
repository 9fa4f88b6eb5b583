// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the flow translator (kernel/flow*.c built in userspace),
 * TAP. A fake link layer (send buffers with a set room, receive buffers the
 * engine peeks and consumes) and a scripted host TCP drive the engine; the
 * host's packets are built here, not with the engine's builders, and every
 * packet the engine emits is checked with an independent checksum and
 * length check before a test looks at it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NLINK		64
#define TXCAP		65536
#define RXCAP		(1 << 20)
#define NOUT		4096

#define HADDR		0x0a000002	/* 10.0.0.2, the host */
#define RADDR		0xc0000201	/* 192.0.2.1, the remote */
#define HPORT		40000
#define RPORT		80
#define IRS		1000000u
#define MAX_SEND	1024

struct link {
	bool used, closed_by_engine, aborted;
	int closes;
	u8 proto;
	u32 daddr;
	u16 dport, sport;
	size_t cap;			/* send room in all */
	u8 tx[TXCAP];
	size_t txlen;
	u8 rx[RXCAP];
	size_t rxhead, rxlen;		/* consumed, received */
};

struct seg {
	u8 proto, flags, icmp_type, icmp_code;
	u32 saddr, daddr, seq, ack;
	u16 sport, dport, win, mss;
	int nopts;			/* TCP option bytes */
	u8 data[2048];
	size_t dlen;
	u8 raw[2048];
	size_t len;
};

static struct rig {
	struct atnet_flow_table t;
	struct atnet_flow_cfg cfg;
	struct link links[NLINK];
	int open_err;
	int opens;
	size_t cap;			/* room of new links */
	struct seg out[NOUT];
	unsigned int nout, rd;
	unsigned long drops[ATNET_FLOW_DROP_NR];
	bool nomem;
	u64 now;
	int pings, ping_err;
	u32 ping_cookie, ping_daddr;
} *r;

/* RFC 1071, independent of the engine's csum helpers. */
static u32 sum16(const u8 *p, size_t len, u32 s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += p[i] << 8 | p[i + 1];
	if (len & 1)
		s += p[len - 1] << 8;
	return s;
}

static u16 fold(u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u16)~s;
}

static u16 g16(const u8 *p)
{
	return p[0] << 8 | p[1];
}

static u32 g32(const u8 *p)
{
	return (u32)g16(p) << 16 | g16(p + 2);
}

static void p16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void p32(u8 *p, u32 v)
{
	p16(p, v >> 16);
	p16(p + 2, v);
}

static u16 l4sum(const u8 *ip, const u8 *l4, size_t len)
{
	u32 s = sum16(ip + 12, 8, 0) + ip[9] + len;

	return fold(sum16(l4, len, s));
}

/* ------------------------------------------------------------------ */
/* fake link layer */

static int o_open(void *ctx, u8 proto, __be32 daddr, __be16 dport,
		  __be16 sport)
{
	int i;

	(void)ctx;
	r->opens++;
	if (r->open_err)
		return r->open_err;
	for (i = 0; i < NLINK; i++) {
		struct link *l = &r->links[i];

		if (!l->used) {
			memset(l, 0, sizeof(*l));
			l->used = true;
			l->proto = proto;
			l->daddr = be32_to_cpu(daddr);
			l->dport = be16_to_cpu(dport);
			l->sport = be16_to_cpu(sport);
			l->cap = r->cap;
			return i;
		}
	}
	return -EBUSY;
}

static struct link *L(int h)
{
	if (h < 0 || h >= NLINK || !r->links[h].used ||
	    r->links[h].closed_by_engine) {
		fail(__LINE__, "engine used link %d after close or never", h);
		return NULL;
	}
	return &r->links[h];
}

static size_t o_room(void *ctx, int h)
{
	struct link *l = L(h);

	(void)ctx;
	return l ? l->cap - l->txlen : 0;
}

static int o_write(void *ctx, int h, const u8 *buf, size_t len)
{
	struct link *l = L(h);

	(void)ctx;
	if (!l)
		return -EINVAL;
	if (len > l->cap - l->txlen) {
		fail(__LINE__, "write %zu > room %zu", len, l->cap - l->txlen);
		len = l->cap - l->txlen;
	}
	memcpy(l->tx + l->txlen, buf, len);
	l->txlen += len;
	return (int)len;
}

static int o_peek(void *ctx, int h, size_t off, u8 *buf, size_t len)
{
	struct link *l = L(h);

	(void)ctx;
	if (!l || off + len > l->rxlen - l->rxhead) {
		fail(__LINE__, "peek %zu+%zu beyond the link's data", off, len);
		return -EINVAL;
	}
	memcpy(buf, l->rx + l->rxhead + off, len);
	return 0;
}

static void o_consume(void *ctx, int h, size_t len)
{
	struct link *l = L(h);

	(void)ctx;
	if (!l)
		return;
	if (len > l->rxlen - l->rxhead) {
		fail(__LINE__, "consume %zu > %zu", len, l->rxlen - l->rxhead);
		len = l->rxlen - l->rxhead;
	}
	l->rxhead += len;
}

static void o_close(void *ctx, int h, bool abort)
{
	struct link *l = L(h);

	(void)ctx;
	if (!l)
		return;
	l->closes++;
	l->closed_by_engine = true;
	l->aborted = abort;
}

static u8 *o_alloc(void *ctx, size_t len, void **pkt)
{
	(void)ctx;
	if (r->nomem)
		return NULL;
	*pkt = calloc(1, len + 1);
	return *pkt;
}

static void o_free(void *ctx, void *pkt)
{
	(void)ctx;
	free(pkt);
}

/* Every emitted packet: lengths and checksums, then parsed into out[]. */
static void o_deliver(void *ctx, void *pkt, size_t len)
{
	const u8 *b = pkt, *l4 = b + 20;
	struct seg *s;

	(void)ctx;
	if (r->nout >= NOUT) {
		fail(__LINE__, "too many packets");
		free(pkt);
		return;
	}
	s = &r->out[r->nout++];
	memset(s, 0, sizeof(*s));
	if (len < 28 || len > sizeof(s->raw) || b[0] != 0x45 ||
	    g16(b + 2) != len || fold(sum16(b, 20, 0))) {
		fail(__LINE__, "bad IP header (len %zu)", len);
		free(pkt);
		return;
	}
	memcpy(s->raw, b, len);
	s->len = len;
	s->proto = b[9];
	s->saddr = g32(b + 12);
	s->daddr = g32(b + 16);
	if (s->proto == 6) {
		size_t doff = (l4[12] >> 4) * 4;

		if (len < 40 || doff < 20 || 20 + doff > len ||
		    l4sum(b, l4, len - 20))
			fail(__LINE__, "bad TCP segment");
		s->sport = g16(l4);
		s->dport = g16(l4 + 2);
		s->seq = g32(l4 + 4);
		s->ack = g32(l4 + 8);
		s->flags = l4[13];
		s->win = g16(l4 + 14);
		s->nopts = doff - 20;
		if (doff == 24 && l4[20] == 2 && l4[21] == 4)
			s->mss = g16(l4 + 22);
		s->dlen = len - 20 - doff;
		memcpy(s->data, l4 + doff, s->dlen);
	} else if (s->proto == 17) {
		if (g16(l4 + 4) != len - 20 || !g16(l4 + 6) ||
		    l4sum(b, l4, len - 20))
			fail(__LINE__, "bad UDP datagram");
		s->sport = g16(l4);
		s->dport = g16(l4 + 2);
		s->dlen = len - 28;
		memcpy(s->data, l4 + 8, s->dlen);
	} else if (s->proto == 1) {
		if (fold(sum16(l4, len - 20, 0)))
			fail(__LINE__, "bad ICMP checksum");
		s->icmp_type = l4[0];
		s->icmp_code = l4[1];
	} else {
		fail(__LINE__, "emitted protocol %u", s->proto);
	}
	free(pkt);
}

static void o_drop(void *ctx, enum atnet_flow_drop why)
{
	(void)ctx;
	r->drops[why]++;
}

static int o_ping(void *ctx, __be32 daddr, u32 cookie)
{
	(void)ctx;
	r->pings++;
	r->ping_cookie = cookie;
	r->ping_daddr = be32_to_cpu(daddr);
	return r->ping_err;
}

static const struct atnet_flow_ops ops = {
	.open = o_open, .write = o_write, .room = o_room, .peek = o_peek,
	.consume = o_consume, .close = o_close, .pkt_alloc = o_alloc,
	.pkt_deliver = o_deliver, .pkt_free = o_free, .drop = o_drop,
	.ping = o_ping,
};

/* ------------------------------------------------------------------ */
/* scripted host */

static size_t build(u8 *b, u32 saddr, u32 daddr, u8 proto, const u8 *l4,
		    size_t l4len)
{
	size_t len = 20 + l4len;

	memset(b, 0, 20);
	b[0] = 0x45;
	p16(b + 2, len);
	b[8] = 64;
	b[9] = proto;
	p32(b + 12, saddr);
	p32(b + 16, daddr);
	p16(b + 10, fold(sum16(b, 20, 0)));
	memcpy(b + 20, l4, l4len);
	return len;
}

/* A host TCP segment of flow @port (source port), sent to the engine. */
static void hsend_p(u16 port, u8 flags, u32 seq, u32 ack, u16 win,
		    const u8 *data, size_t dlen, u16 mss)
{
	static u8 b[4096];
	u8 th[2048 + 60];
	size_t hl = mss ? 24 : 20, len;

	memset(th, 0, hl);
	p16(th, port);
	p16(th + 2, RPORT);
	p32(th + 4, seq);
	p32(th + 8, ack);
	th[12] = (hl / 4) << 4;
	th[13] = flags;
	p16(th + 14, win);
	if (mss) {
		th[20] = 2;
		th[21] = 4;
		p16(th + 22, mss);
	}
	if (dlen)
		memcpy(th + hl, data, dlen);
	len = build(b, HADDR, RADDR, 6, th, hl + dlen);
	p16(b + 36, l4sum(b, b + 20, hl + dlen));
	atnet_flow_input(&r->t, b, len);
}

static void hsend(u8 flags, u32 seq, u32 ack, u16 win, const u8 *data,
		  size_t dlen)
{
	hsend_p(HPORT, flags, seq, ack, win, data, dlen, 0);
}

static void none(int line)
{
	if (r->rd != r->nout)
		fail(line, "%u unexpected packets, first flags %#x seq %u",
		     r->nout - r->rd, r->out[r->rd].flags, r->out[r->rd].seq);
	r->rd = r->nout;
}

static struct seg *next(int line)
{
	if (r->rd >= r->nout) {
		fail(line, "no packet from the engine");
		return &r->out[NOUT - 1];
	}
	return &r->out[r->rd++];
}

#define NEXT() next(__LINE__)
#define NONE()	none(__LINE__)
#define A	ATNET_TCP_ACK
#define S	ATNET_TCP_SYN
#define F	ATNET_TCP_FIN
#define R	ATNET_TCP_RST
#define P	ATNET_TCP_PSH

static void tick(u64 ms)
{
	r->now += ms;
	atnet_flow_tick(&r->t, r->now);
}

static void modem_rx(int h, const u8 *data, size_t len)
{
	struct link *l = &r->links[h];

	memcpy(l->rx + l->rxlen, data, len);
	l->rxlen += len;
	atnet_flow_rx(&r->t, h, l->rxlen - l->rxhead);
}

static u32 iss;		/* the engine's, from the SYN-ACK */

/* SYN, connected, SYN-ACK, ACK: an established flow on link 0. */
static int establish(u16 win)
{
	struct seg *s;

	hsend_p(HPORT, S, IRS, 0, win, NULL, 0, 1460);
	atnet_flow_connected(&r->t, 0, 0);
	s = NEXT();
	CHECK_EQ(s->flags, S | A);
	iss = s->seq;
	hsend(A, IRS + 1, iss + 1, win, NULL, 0);
	NONE();
	return 0;
}

static u8 pattern[RXCAP];

/* ------------------------------------------------------------------ */

static void t_handshake(void)
{
	struct seg *s;

	hsend_p(HPORT, S, IRS, 0, 64240, NULL, 0, 1460);
	CHECK_EQ(r->opens, 1);
	CHECK_EQ(r->links[0].proto, 6);
	CHECK_EQ(r->links[0].daddr, RADDR);
	CHECK_EQ(r->links[0].dport, RPORT);
	CHECK_EQ(r->links[0].sport, HPORT);
	NONE();			/* no SYN-ACK before the modem connects */
	hsend_p(HPORT, S, IRS, 0, 64240, NULL, 0, 1460);	/* resent SYN */
	CHECK_EQ(r->opens, 1);
	NONE();
	atnet_flow_connected(&r->t, 0, 0);
	s = NEXT();
	CHECK_EQ(s->flags, S | A);
	CHECK_EQ(s->ack, IRS + 1);
	CHECK_EQ(s->saddr, RADDR);
	CHECK_EQ(s->daddr, HADDR);
	CHECK_EQ(s->sport, RPORT);
	CHECK_EQ(s->dport, HPORT);
	CHECK_EQ(s->nopts, 4);		/* MSS only */
	CHECK_EQ(s->mss, MAX_SEND);
	CHECK_EQ(s->win, r->cap);
	hsend_p(HPORT, S, IRS, 0, 64240, NULL, 0, 1460);	/* again */
	s = NEXT();
	CHECK_EQ(s->flags, S | A);
	hsend(A, IRS + 1, s->seq + 1, 64240, NULL, 0);
	NONE();
	CHECK_EQ(r->t.nflows, 1);
	CHECK_EQ(r->t.flows[0].state, ATNET_FLOW_ESTABLISHED);
	CHECK_EQ(r->links[0].rxhead, 0);	/* the SYN consumed nothing */
}

static void t_mss_clamp(void)
{
	struct seg *s;

	atnet_flow_init(&r->t, &ops, r,
			&(struct atnet_flow_cfg){ .max_send = 1460, .mtu = 600 },
			1, 0);
	hsend_p(HPORT, S, IRS, 0, 64240, NULL, 0, 1460);
	atnet_flow_connected(&r->t, 0, 0);
	s = NEXT();
	CHECK_EQ(s->mss, 560);
	CHECK_EQ(r->t.flows[0].mss, 560);
}

static void t_refused(void)
{
	struct seg *s;

	hsend_p(HPORT, S, IRS, 0, 64240, NULL, 0, 1460);
	atnet_flow_connected(&r->t, 0, -ECONNREFUSED);
	s = NEXT();
	CHECK_EQ(s->flags, R | A);
	CHECK_EQ(s->ack, IRS + 1);
	NONE();
	CHECK_EQ(r->links[0].closes, 1);
	CHECK(r->links[0].aborted);
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_REFUSED], 1);
	atnet_flow_connected(&r->t, 0, 0);	/* stale event: ignored */
	NONE();
}

static void t_no_link(void)
{
	struct seg *s;

	r->open_err = -EBUSY;
	hsend_p(HPORT, S, IRS, 0, 64240, NULL, 0, 1460);
	s = NEXT();
	CHECK_EQ(s->flags, R | A);
	CHECK_EQ(s->ack, IRS + 1);
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_NO_LINK], 1);
}

static void t_connect_timeout(void)
{
	struct seg *s;

	hsend_p(HPORT, S, IRS, 0, 64240, NULL, 0, 1460);
	CHECK_EQ(atnet_flow_next_timer(&r->t), 5000);
	tick(4999);
	NONE();
	tick(1);
	s = NEXT();
	CHECK_EQ(s->proto, 1);
	CHECK_EQ(s->icmp_type, 3);
	CHECK_EQ(s->icmp_code, 1);
	CHECK_EQ(s->saddr, RADDR);
	CHECK_EQ(s->daddr, HADDR);
	CHECK_EQ(s->len, 20 + 8 + 28);
	/* the quote: the SYN's addresses, ports and sequence number */
	CHECK_EQ(g32(s->raw + 28 + 12), HADDR);
	CHECK_EQ(g32(s->raw + 28 + 16), RADDR);
	CHECK_EQ(s->raw[28 + 9], 6);
	CHECK_EQ(g16(s->raw + 48), HPORT);
	CHECK_EQ(g16(s->raw + 50), RPORT);
	CHECK_EQ(g32(s->raw + 52), IRS);
	CHECK_EQ(r->links[0].closes, 1);
	CHECK(r->links[0].aborted);
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_TIMEOUT], 1);
	CHECK_EQ(atnet_flow_next_timer(&r->t), 0);
}

/* Host -> modem: window = room, partial acceptance, window update. */
static void t_host_data_window(void)
{
	struct seg *s;
	u8 d[1400];
	size_t i;

	for (i = 0; i < sizeof(d); i++)
		d[i] = i * 7;
	r->cap = 1000;
	establish(64240);
	/* data and FIN: the FIN is past what fits, so not taken either */
	hsend(A | P | F, IRS + 1, iss + 1, 64240, d, sizeof(d));
	s = NEXT();
	CHECK_EQ(s->flags, A);
	CHECK_EQ(s->ack, IRS + 1 + 1000);
	CHECK(!r->t.flows[0].host_fin);
	CHECK_EQ(s->win, 0);
	CHECK_EQ(r->links[0].txlen, 1000);
	CHECK(!memcmp(r->links[0].tx, d, 1000));
	NONE();
	/* the modem sent 600: room 600, a window update */
	memmove(r->links[0].tx, r->links[0].tx + 600, 400);
	r->links[0].txlen = 400;
	atnet_flow_writable(&r->t, 0);
	s = NEXT();
	CHECK_EQ(s->flags, A);
	CHECK_EQ(s->win, 600);
	atnet_flow_writable(&r->t, 0);		/* nothing new: no packet */
	NONE();
	/* the host resends the rest */
	hsend(A | P, IRS + 1 + 1000, iss + 1, 64240, d + 1000, 400);
	s = NEXT();
	CHECK_EQ(s->ack, IRS + 1 + 1400);
	CHECK_EQ(s->win, 200);
	CHECK_EQ(r->links[0].txlen, 800);
	CHECK(!memcmp(r->links[0].tx + 400, d + 1000, 400));
}

/* A host MSS below 64 is raised to 64 (bounds the segments per window). */
static void t_tiny_mss(void)
{
	struct seg *s;

	hsend_p(HPORT, S, IRS, 0, 64240, NULL, 0, 10);
	atnet_flow_connected(&r->t, 0, 0);
	iss = NEXT()->seq;
	hsend(A, IRS + 1, iss + 1, 64240, NULL, 0);
	modem_rx(0, pattern, 100);
	s = NEXT();
	CHECK_EQ(s->dlen, 64);
	s = NEXT();
	CHECK_EQ(s->dlen, 36);
}

/* Duplicate, overlapping and out-of-order host segments. */
static void t_host_dup(void)
{
	struct seg *s;
	u8 d[300];

	memset(d, 'x', sizeof(d));
	establish(64240);
	hsend(A, IRS + 1, iss + 1, 64240, d, 100);
	s = NEXT();
	CHECK_EQ(s->ack, IRS + 101);
	hsend(A, IRS + 1, iss + 1, 64240, d, 100);	/* duplicate */
	s = NEXT();
	CHECK_EQ(s->ack, IRS + 101);
	CHECK_EQ(r->links[0].txlen, 100);
	hsend(A, IRS + 51, iss + 1, 64240, d, 100);	/* overlaps 50 */
	s = NEXT();
	CHECK_EQ(s->ack, IRS + 151);
	CHECK_EQ(r->links[0].txlen, 150);
	hsend(A, IRS + 300, iss + 1, 64240, d, 100);	/* a hole */
	s = NEXT();
	CHECK_EQ(s->ack, IRS + 151);
	CHECK_EQ(r->links[0].txlen, 150);
	hsend(A, IRS + 151, iss + 5000, 64240, NULL, 0);	/* ACKs the future */
	s = NEXT();
	CHECK_EQ(s->flags, A);
	CHECK_EQ(s->seq, iss + 1);
	CHECK_EQ(r->links[0].rxhead, 0);
	hsend(S, IRS, 0, 64240, NULL, 0);		/* old SYN */
	s = NEXT();
	CHECK_EQ(s->flags, A);
	CHECK_EQ(s->ack, IRS + 151);
	NONE();
	CHECK_EQ(r->t.nflows, 1);
}

/* Modem -> host: segments of the host's MSS within its window. */
static void t_modem_data(void)
{
	struct seg *s;
	u32 got = 0;
	int n = 0;

	establish(3000);
	r->t.flows[0].mss = 1000;	/* as if the host said 1000 */
	modem_rx(0, pattern, 5000);
	while (r->rd < r->nout) {
		s = NEXT();
		CHECK_EQ(s->seq, iss + 1 + got);
		CHECK(s->dlen <= 1000);
		CHECK(!memcmp(s->data, pattern + got, s->dlen));
		got += s->dlen;
		n++;
	}
	CHECK_EQ(got, 3000);
	CHECK_EQ(n, 3);
	CHECK_EQ(r->links[0].rxhead, 0);	/* nothing consumed yet */
	hsend(A, IRS + 1, iss + 1 + 2000, 3000, NULL, 0);
	CHECK_EQ(r->links[0].rxhead, 2000);
	while (r->rd < r->nout) {
		s = NEXT();
		CHECK_EQ(s->seq, iss + 1 + got);
		CHECK(!memcmp(s->data, pattern + got, s->dlen));
		got += s->dlen;
	}
	CHECK_EQ(got, 5000);
	hsend(A, IRS + 1, iss + 1 + 5000, 3000, NULL, 0);
	CHECK_EQ(r->links[0].rxhead, 5000);
	CHECK_EQ(atnet_flow_next_timer(&r->t), 0);
	NONE();
}

/* Host window 0 for a while, then reopened: every byte, in order. */
static void t_slow_reader(void)
{
	u32 got = 0, total = 200000;
	unsigned int rounds = 0;
	struct seg *s;

	establish(4000);
	modem_rx(0, pattern, total);
	/* the reader is asleep: ACK what came with a zero window */
	while (r->rd < r->nout) {
		s = NEXT();
		CHECK(!memcmp(s->data, pattern + got, s->dlen));
		got += s->dlen;
	}
	CHECK_EQ(got, 4000);
	hsend(A, IRS + 1, iss + 1 + got, 0, NULL, 0);
	NONE();
	tick(300);			/* persist probe */
	s = NEXT();
	CHECK_EQ(s->dlen, 0);
	CHECK_EQ(s->seq, iss + got);
	hsend(A, IRS + 1, iss + 1 + got, 0, NULL, 0);	/* still 0 */
	tick(600);
	s = NEXT();
	CHECK_EQ(s->dlen, 0);
	CHECK_EQ(r->t.nflows, 1);
	/* awake: window 4000 again, read everything */
	hsend(A, IRS + 1, iss + 1 + got, 4000, NULL, 0);
	while (got < total && rounds++ < 1000) {
		while (r->rd < r->nout) {
			s = NEXT();
			if (s->seq != iss + 1 + got)
				fail(__LINE__, "seq %u, expected %u", s->seq,
				     iss + 1 + got);
			if (memcmp(s->data, pattern + got, s->dlen))
				fail(__LINE__, "data differs at %u", got);
			got += s->dlen;
		}
		hsend(A, IRS + 1, iss + 1 + got, 4000, NULL, 0);
	}
	CHECK_EQ(got, total);
	CHECK_EQ(r->links[0].rxhead, total);
	CHECK_EQ(r->t.nflows, 1);
}

/* A window shut with data in flight: probed, never reset, then resent. */
static void t_zero_window_inflight(void)
{
	struct seg *s;
	int i;

	establish(4000);
	modem_rx(0, pattern, 4000);
	while (r->rd < r->nout)
		NEXT();
	hsend(A, IRS + 1, iss + 1 + 1000, 0, NULL, 0);	/* 3000 in flight */
	for (i = 0; i < 50; i++) {
		tick(10000);
		while (r->rd < r->nout) {
			s = NEXT();
			CHECK_EQ(s->dlen, 0);
			CHECK(!(s->flags & R));
		}
	}
	CHECK_EQ(r->t.nflows, 1);
	CHECK_EQ(r->links[0].rxhead, 1000);
	hsend(A, IRS + 1, iss + 1 + 1000, 4000, NULL, 0);
	tick(10000);
	s = NEXT();
	CHECK_EQ(s->seq, iss + 1001);
	CHECK(!memcmp(s->data, pattern + 1000, s->dlen));
}

/* A lost host-bound segment comes again on the RTO, re-peeked. */
static void t_retransmit(void)
{
	struct seg *s;

	establish(64240);
	modem_rx(0, pattern, 1000);
	s = NEXT();			/* "lost" */
	CHECK_EQ(s->dlen, 1000);
	NONE();
	CHECK_EQ(atnet_flow_next_timer(&r->t), 300);
	tick(299);
	NONE();
	tick(1);
	s = NEXT();
	CHECK_EQ(s->seq, iss + 1);
	CHECK_EQ(s->dlen, 1000);
	CHECK(!memcmp(s->data, pattern, 1000));
	CHECK_EQ(r->links[0].rxhead, 0);
	tick(599);			/* backed off: 600 */
	NONE();
	tick(1);
	s = NEXT();
	CHECK_EQ(s->seq, iss + 1);
	hsend(A, IRS + 1, iss + 1001, 64240, NULL, 0);
	CHECK_EQ(r->links[0].rxhead, 1000);
	tick(5000);
	NONE();
}

/* Three duplicate ACKs resend at once. */
static void t_fast_retransmit(void)
{
	struct seg *s;
	int i;

	establish(64240);
	r->t.flows[0].mss = 500;
	modem_rx(0, pattern, 2000);
	for (i = 0; i < 4; i++)
		NEXT();
	hsend(A, IRS + 1, iss + 501, 64240, NULL, 0);	/* 2nd lost */
	NONE();
	for (i = 0; i < 3; i++)
		hsend(A, IRS + 1, iss + 501, 64240, NULL, 0);
	s = NEXT();
	CHECK_EQ(s->seq, iss + 501);
	CHECK(!memcmp(s->data, pattern + 500, 500));
}

/* Retransmission gives up after cfg.retries: RST, flow freed. */
static void t_rto_limit(void)
{
	struct seg *s;
	int i;

	establish(64240);
	modem_rx(0, pattern, 100);
	NEXT();
	for (i = 0; i < 3; i++) {
		tick(100000);
		s = NEXT();
		CHECK_EQ(s->dlen, 100);
	}
	tick(100000);
	s = NEXT();
	CHECK_EQ(s->flags, R | A);
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->links[0].closes, 1);
	CHECK(r->links[0].aborted);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_TIMEOUT], 1);
}

/* Host FIN with data in flight: delivered first, then close and FIN. */
static void t_host_fin(void)
{
	struct seg *s;
	u8 d[10] = "0123456789";

	establish(64240);
	hsend(A, IRS + 1, iss + 1, 64240, d, 10);
	NEXT();
	modem_rx(0, pattern, 700);
	s = NEXT();
	CHECK_EQ(s->dlen, 700);
	hsend(A | F, IRS + 11, iss + 1, 64240, NULL, 0);
	s = NEXT();
	CHECK_EQ(s->flags, A);
	CHECK_EQ(s->ack, IRS + 12);
	CHECK_EQ(r->links[0].closes, 0);	/* 700 bytes unACKed */
	modem_rx(0, pattern + 700, 100);	/* newer: not sent */
	NONE();
	hsend(A, IRS + 12, iss + 701, 64240, NULL, 0);
	CHECK_EQ(r->links[0].closes, 1);
	CHECK(!r->links[0].aborted);
	CHECK_EQ(r->links[0].txlen, 10);
	s = NEXT();
	CHECK_EQ(s->flags, F | A);
	CHECK_EQ(s->seq, iss + 701);
	CHECK_EQ(s->dlen, 0);
	tick(300);			/* FIN lost: resent */
	s = NEXT();
	CHECK_EQ(s->flags, F | A);
	CHECK_EQ(s->seq, iss + 701);
	hsend(A, IRS + 12, iss + 702, 64240, NULL, 0);
	CHECK_EQ(r->t.nflows, 0);
	NONE();
}

/* Host FIN while the host's window held data back: that data still goes. */
static void t_host_fin_window(void)
{
	struct seg *s;
	u32 got = 500;

	establish(500);
	modem_rx(0, pattern, 2000);
	s = NEXT();
	CHECK_EQ(s->dlen, 500);
	NONE();
	hsend(A | F, IRS + 1, iss + 1, 500, NULL, 0);	/* 500 in flight */
	s = NEXT();
	CHECK_EQ(s->ack, IRS + 2);
	hsend(A, IRS + 1, iss + 1, 500, (const u8 *)"late", 4);
	CHECK_EQ(r->links[0].txlen, 0);		/* nothing after the FIN */
	s = NEXT();
	CHECK_EQ(s->ack, IRS + 2);
	modem_rx(0, pattern + 2000, 100);	/* after the FIN: not sent */
	while (got < 2000) {
		hsend(A, IRS + 2, iss + 1 + got, 500, NULL, 0);
		CHECK_EQ(r->links[0].closes, 0);
		s = NEXT();
		CHECK_EQ(s->seq, iss + 1 + got);
		CHECK_EQ(s->dlen, 500);
		CHECK(!memcmp(s->data, pattern + got, 500));
		got += 500;
	}
	NONE();
	hsend(A, IRS + 2, iss + 2001, 500, NULL, 0);
	s = NEXT();
	CHECK_EQ(s->flags, A | F);		/* no more data: the FIN */
	CHECK_EQ(s->seq, iss + 2001);
	CHECK_EQ(s->dlen, 0);
	NONE();
	CHECK_EQ(r->links[0].closes, 1);
	CHECK_EQ(r->links[0].rxhead, 2000);
	hsend(A, IRS + 2, iss + 2002, 500, NULL, 0);
	CHECK_EQ(r->t.nflows, 0);
}

/* Modem close: the data left, then FIN; the host's FIN ends the flow. */
static void t_modem_fin(void)
{
	struct seg *s;

	establish(64240);
	modem_rx(0, pattern, 1500);
	s = NEXT();
	CHECK_EQ(s->dlen, 1460);
	s = NEXT();
	CHECK_EQ(s->dlen, 40);
	CHECK_EQ(s->flags, A | P);
	atnet_flow_closed(&r->t, 0, 0);
	s = NEXT();
	CHECK_EQ(s->flags, A | F);
	CHECK_EQ(s->seq, iss + 1 + 1500);
	CHECK_EQ(s->win, MAX_SEND);		/* room for the host's FIN */
	NONE();
	hsend(A, IRS, iss + 1, 0, NULL, 0);	/* a window probe: answered */
	s = NEXT();
	CHECK_EQ(s->flags, A);
	CHECK_EQ(s->ack, IRS + 1);
	CHECK_EQ(r->links[0].closes, 0);	/* still peeked */
	hsend(A, IRS + 1, iss + 1 + 1460, 64240, NULL, 0);
	tick(300);			/* the tail and FIN again */
	s = NEXT();
	CHECK_EQ(s->flags, A | P | F);
	CHECK(!memcmp(s->data, pattern + 1460, 40));
	hsend(A, IRS + 1, iss + 1 + 1501, 64240, NULL, 0);
	CHECK_EQ(r->links[0].closes, 1);
	CHECK_EQ(r->links[0].rxhead, 1500);
	CHECK_EQ(r->t.nflows, 1);		/* the host has not closed */
	hsend(A | F, IRS + 1, iss + 1 + 1501, 64240, NULL, 0);
	s = NEXT();
	CHECK_EQ(s->flags, A);
	CHECK_EQ(s->ack, IRS + 2);
	CHECK_EQ(r->t.nflows, 0);
	NONE();
}

/* Our FIN ACKed, the host never closes: reset after fin_timeout_ms. */
static void t_fin_timeout(void)
{
	struct seg *s;

	establish(64240);
	atnet_flow_closed(&r->t, 0, 0);
	s = NEXT();
	CHECK_EQ(s->flags, A | F);
	hsend(A, IRS + 1, iss + 2, 64240, NULL, 0);
	CHECK_EQ(r->links[0].closes, 1);
	/* data after the modem closed: the remote end is gone */
	tick(9999);
	NONE();
	tick(1);
	s = NEXT();
	CHECK_EQ(s->flags, R | A);
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->links[0].closes, 1);
}

static void t_data_after_modem_close(void)
{
	struct seg *s;

	establish(64240);
	atnet_flow_closed(&r->t, 0, 0);
	NEXT();
	hsend(A, IRS + 1, iss + 1, 64240, (const u8 *)"late", 4);
	s = NEXT();
	CHECK_EQ(s->flags, R | A);
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->links[0].closes, 1);
	CHECK(r->links[0].aborted);
}

static void t_host_rst(void)
{
	establish(64240);
	hsend(R, IRS + 100000, 0, 0, NULL, 0);	/* out of window */
	CHECK_EQ(r->t.nflows, 1);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_NO_FLOW], 1);
	hsend(R, IRS + 1, 0, 0, NULL, 0);
	NONE();
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->links[0].closes, 1);
	CHECK(r->links[0].aborted);
}

static void t_peer_rst(void)
{
	struct seg *s;

	establish(64240);
	modem_rx(0, pattern, 100);
	NEXT();
	atnet_flow_closed(&r->t, 0, -ECONNRESET);
	s = NEXT();
	CHECK_EQ(s->flags, R | A);
	CHECK_EQ(s->seq, iss + 101);
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->links[0].closes, 1);
	CHECK(r->links[0].aborted);
	atnet_flow_closed(&r->t, 0, -ECONNRESET);	/* stale */
	NONE();
}

static void t_context_down(void)
{
	struct seg *s;
	int i;

	establish(64240);
	hsend_p(HPORT + 1, S, IRS, 0, 64240, NULL, 0, 1460);	/* opening */
	hsend_p(HPORT + 2, S, IRS, 0, 64240, NULL, 0, 1460);
	atnet_flow_connected(&r->t, 2, 0);			/* SYN_RCVD */
	NEXT();
	CHECK_EQ(r->t.nflows, 3);
	atnet_flow_reset_all(&r->t);
	for (i = 0; i < 3; i++) {
		s = NEXT();
		CHECK_EQ(s->flags, R | A);
		CHECK(r->links[i].closes == 1 && r->links[i].aborted);
	}
	NONE();
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_RESET], 3);
	CHECK_EQ(atnet_flow_next_timer(&r->t), 0);
	/* new connections work afterwards */
	hsend_p(HPORT, S, IRS + 5, 0, 64240, NULL, 0, 1460);
	CHECK_EQ(r->t.nflows, 1);
}

static void t_table_full(void)
{
	struct seg *s;
	int i;

	atnet_flow_init(&r->t, &ops, r,
			&(struct atnet_flow_cfg){ .max_flows = 2 }, 1, 0);
	for (i = 0; i < 2; i++)
		hsend_p(HPORT + i, S, IRS, 0, 64240, NULL, 0, 1460);
	NONE();
	hsend_p(HPORT + 2, S, IRS, 0, 64240, NULL, 0, 1460);
	s = NEXT();
	CHECK_EQ(s->flags, R | A);
	CHECK_EQ(s->dport, HPORT + 2);
	CHECK_EQ(r->opens, 2);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_TABLE_FULL], 1);
	/* 1000 SYNs to refused ports: bounded, nothing left */
	atnet_flow_reset_all(&r->t);
	for (i = 0; i < 1000; i++) {
		int k;

		for (k = 0; k < 4; k++)
			r->links[k].used = false;
		r->rd = r->nout = 0;
		hsend_p(1024 + i, S, IRS, 0, 64240, NULL, 0, 1460);
		if (r->t.nflows > 2)
			fail(__LINE__, "%u flows", r->t.nflows);
		for (k = 0; k < 4; k++)
			atnet_flow_connected(&r->t, k, -ECONNREFUSED);
	}
	CHECK_EQ(r->t.nflows, 0);
}

static void t_no_flow(void)
{
	struct seg *s;

	hsend(A, IRS, 777, 64240, NULL, 0);
	s = NEXT();
	CHECK_EQ(s->flags, R);
	CHECK_EQ(s->seq, 777);
	hsend(A | F, IRS, 0, 64240, NULL, 0);	/* FIN+ACK, no flow */
	s = NEXT();
	CHECK_EQ(s->flags, R);
	hsend(F, IRS, 0, 64240, (const u8 *)"ab", 2);
	s = NEXT();
	CHECK_EQ(s->flags, R | A);
	CHECK_EQ(s->ack, IRS + 3);
	hsend(R, IRS, 0, 0, NULL, 0);		/* never answer a RST */
	NONE();
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_NO_FLOW], 4);
	CHECK_EQ(r->opens, 0);
}

static void t_nomem(void)
{
	establish(64240);
	r->nomem = true;
	modem_rx(0, pattern, 100);
	NONE();
	CHECK(r->drops[ATNET_FLOW_DROP_NOMEM] >= 1);
	r->nomem = false;
	tick(300);
	CHECK_EQ(NEXT()->dlen, 100);
}

/* Malformed and unsupported packets: each counted in its bucket. */
static void t_malformed(void)
{
	u8 b[200], th[40];
	struct seg *s;
	size_t len;

	memset(th, 0, sizeof(th));
	p16(th, HPORT);
	p16(th + 2, RPORT);
	th[12] = 5 << 4;
	th[13] = S;
	len = build(b, HADDR, RADDR, 6, th, 20);
	p16(b + 36, l4sum(b, b + 20, 20));
	atnet_flow_input(&r->t, b, 10);			/* truncated */
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_MALFORMED], 1);
	atnet_flow_input(&r->t, b, len - 1);		/* tot_len > len */
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_MALFORMED], 2);
	b[24] ^= 1;					/* IP checksum */
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_CSUM], 1);
	b[24] ^= 1;
	b[20 + 4] ^= 1;					/* TCP checksum */
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_CSUM], 2);
	b[20 + 4] ^= 1;
	b[20 + 12] = 15 << 4;				/* doff > length */
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_MALFORMED], 3);
	b[20 + 12] = 5 << 4;
	len = build(b, HADDR, RADDR, 6, th, 10);	/* short TCP */
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_MALFORMED], 4);
	b[0] = 0x60;					/* IPv6 */
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_NOT_IPV4], 1);
	len = build(b, HADDR, RADDR, 6, th, 20);
	b[0] = 0x46;					/* options */
	p16(b + 10, 0);
	p16(b + 10, fold(sum16(b, 24, 0)));
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_OPTIONS], 1);
	len = build(b, HADDR, RADDR, 6, th, 20);
	b[6] = 0x20;					/* more fragments */
	p16(b + 10, 0);
	p16(b + 10, fold(sum16(b, 20, 0)));
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_FRAGMENT], 1);
	len = build(b, HADDR, 0xe0000001, 6, th, 20);	/* multicast */
	atnet_flow_input(&r->t, b, len);
	len = build(b, HADDR, 0xffffffff, 6, th, 20);	/* broadcast */
	atnet_flow_input(&r->t, b, len);
	len = build(b, HADDR, 0xa9fe0001, 6, th, 20);	/* link-local */
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_NOT_UNICAST], 3);
	NONE();
	len = build(b, HADDR, RADDR, 47, th, 20);	/* GRE */
	atnet_flow_input(&r->t, b, len);
	s = NEXT();
	CHECK(s->proto == 1 && s->icmp_type == 3 && s->icmp_code == 2);
	CHECK(!memcmp(s->raw + 28, b, 28));
	memset(th, 0, sizeof(th));
	p16(th + 4, 4);					/* UDP length < 8 */
	len = build(b, HADDR, RADDR, 17, th, 20);
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_MALFORMED], 5);
	p16(th + 4, 21);				/* UDP length > IP's */
	len = build(b, HADDR, RADDR, 17, th, 20);
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_MALFORMED], 6);
	p16(th + 4, 20);
	p16(th + 6, 0x1234);				/* UDP checksum */
	len = build(b, HADDR, RADDR, 17, th, 20);
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_CSUM], 3);
	memset(th, 0, sizeof(th));
	th[0] = 13;					/* ICMP timestamp */
	p16(th + 2, fold(sum16(th, 20, 0)));
	len = build(b, HADDR, RADDR, 1, th, 20);
	atnet_flow_input(&r->t, b, len);
	th[5] ^= 1;					/* ICMP checksum */
	len = build(b, HADDR, RADDR, 1, th, 20);
	atnet_flow_input(&r->t, b, len);
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_CSUM], 4);
	NONE();
	CHECK_EQ(r->t.drops[ATNET_FLOW_DROP_PROTO], 2);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_PROTO], 2);
	CHECK_EQ(r->opens, 0);
	CHECK_EQ(r->t.nflows, 0);
}

/* A host UDP datagram of @sport to RADDR:53 (checksum on unless !csum). */
static void usend(u16 sport, const void *data, size_t dlen, bool csum)
{
	static u8 b[4096];
	u8 uh[2048];
	size_t len;

	p16(uh, sport);
	p16(uh + 2, 53);
	p16(uh + 4, 8 + dlen);
	p16(uh + 6, 0);
	memcpy(uh + 8, data, dlen);
	len = build(b, HADDR, RADDR, 17, uh, 8 + dlen);
	if (csum)
		p16(b + 26, l4sum(b, b + 20, 8 + dlen));
	atnet_flow_input(&r->t, b, len);
}

static void t_udp(void)
{
	struct link *l = &r->links[0];
	static u8 big[2000];
	struct seg *s;

	usend(5353, "query", 5, true);
	NONE();
	CHECK_EQ(r->opens, 1);
	CHECK_EQ(l->proto, 17);
	CHECK_EQ(l->daddr, RADDR);
	CHECK_EQ(l->dport, 53);
	CHECK_EQ(l->sport, 5353);
	CHECK_EQ(l->txlen, 5);
	CHECK(!memcmp(l->tx, "query", 5));
	usend(5353, "again", 5, false);		/* no checksum: fine */
	CHECK_EQ(r->opens, 1);
	CHECK_EQ(l->txlen, 10);
	memcpy(l->rx, "answer", 6);
	l->rxlen = 6;
	atnet_flow_dgram(&r->t, 0, 6);
	s = NEXT();
	CHECK_EQ(s->proto, 17);
	CHECK_EQ(s->saddr, RADDR);
	CHECK_EQ(s->daddr, HADDR);
	CHECK_EQ(s->sport, 53);
	CHECK_EQ(s->dport, 5353);
	CHECK_EQ(s->dlen, 6);
	CHECK(!memcmp(s->data, "answer", 6));
	CHECK_EQ(l->rxhead, 6);
	{
		/* data whose UDP checksum computes to 0: sent as 0xffff */
		u8 ip[20] = { [9] = 17 };
		u8 uh[10] = { 0, 53, 0x14, 0xe9, 0, 10, 0, 0, 0, 0 };
		u16 x;

		p32(ip + 12, RADDR);
		p32(ip + 16, HADDR);
		x = l4sum(ip, uh, 10);		/* ~sum without the data */
		l->rx[6] = x >> 8;
		l->rx[7] = x;
		l->rxlen = 8;
		atnet_flow_dgram(&r->t, 0, 2);
		s = NEXT();
		CHECK_EQ(g16(s->raw + 26), 0xffff);
		CHECK_EQ(g16(s->raw + 28), x);
	}
	usend(5353, big, MAX_SEND + 1, true);		/* > max_send */
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_TOO_BIG], 1);
	usend(5353, big, 0, true);			/* empty */
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_MALFORMED], 1);
	l->txlen = l->cap - 3;				/* no room */
	usend(5353, "query", 5, true);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_NO_ROOM], 1);
	CHECK_EQ(l->txlen, l->cap - 3);
	l->txlen = 0;
	/* idle: 60 s after the last datagram either way */
	tick(59999);
	CHECK_EQ(r->t.nflows, 1);
	usend(5353, "q", 1, true);
	tick(59999);
	CHECK_EQ(r->t.nflows, 1);
	tick(1);
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(l->closes, 1);
	CHECK(!l->aborted);
	NONE();
	/* a second flow: a new link */
	usend(5354, "x", 1, true);
	CHECK_EQ(r->opens, 2);
	CHECK_EQ(r->t.nflows, 1);
}

static void t_udp_refused(void)
{
	struct seg *s;

	r->open_err = -EBUSY;
	usend(5353, "query", 5, true);
	s = NEXT();
	CHECK(s->proto == 1 && s->icmp_type == 3 && s->icmp_code == 3);
	CHECK_EQ(g16(s->raw + 48), 5353);		/* the quoted ports */
	CHECK_EQ(g16(s->raw + 50), 53);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_NO_LINK], 1);
	CHECK_EQ(r->t.nflows, 0);
	r->open_err = 0;
	usend(5353, "query", 5, true);
	atnet_flow_connected(&r->t, 0, -ENETUNREACH);
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->links[0].closes, 1);
	r->links[0].used = false;
	usend(5353, "query", 5, true);
	atnet_flow_closed(&r->t, 0, 0);
	CHECK_EQ(r->t.nflows, 0);
	r->links[0].used = false;
	usend(5353, "query", 5, true);
	atnet_flow_reset_all(&r->t);
	CHECK_EQ(r->t.nflows, 0);
	CHECK_EQ(r->links[0].closes, 1);
	NONE();
}

static void icmp_echo(u16 id, u16 seq, size_t dlen)
{
	static u8 b[4096];
	u8 m[2048];
	size_t i, len;

	memset(m, 0, 8);
	m[0] = 8;
	p16(m + 4, id);
	p16(m + 6, seq);
	for (i = 0; i < dlen; i++)
		m[8 + i] = i;
	p16(m + 2, fold(sum16(m, 8 + dlen, 0)));
	len = build(b, HADDR, RADDR, 1, m, 8 + dlen);
	atnet_flow_input(&r->t, b, len);
}

static void t_ping(void)
{
	struct seg *s;
	u32 c;
	int i;

	icmp_echo(0x1234, 1, 56);
	CHECK_EQ(r->pings, 1);
	CHECK_EQ(r->ping_daddr, RADDR);
	NONE();
	c = r->ping_cookie;
	atnet_flow_ping_done(&r->t, c, 0);
	s = NEXT();
	CHECK_EQ(s->proto, 1);
	CHECK_EQ(s->icmp_type, 0);
	CHECK_EQ(s->saddr, RADDR);
	CHECK_EQ(s->daddr, HADDR);
	CHECK_EQ(s->len, 20 + 8 + 56);
	CHECK_EQ(g16(s->raw + 24), 0x1234);
	CHECK_EQ(g16(s->raw + 26), 1);
	CHECK_EQ(s->raw[28 + 55], 55);
	atnet_flow_ping_done(&r->t, c, 0);		/* again: nothing */
	NONE();
	icmp_echo(0x1234, 2, 56);			/* no answer */
	atnet_flow_ping_done(&r->t, r->ping_cookie, -ETIMEDOUT);
	NONE();
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_TIMEOUT], 1);
	icmp_echo(0x1234, 3, 56);			/* the modem forgets */
	c = r->ping_cookie;
	tick(10000);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_TIMEOUT], 2);
	icmp_echo(0x1234, 4, 56);			/* the same slot */
	atnet_flow_ping_done(&r->t, c, 0);		/* late: ignored */
	NONE();
	atnet_flow_ping_done(&r->t, r->ping_cookie, 0);
	CHECK_EQ(g16(NEXT()->raw + 26), 4);
	for (i = 0; i < 5; i++)
		icmp_echo(0x1234, 10 + i, 56);
	CHECK_EQ(r->pings, 8);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_TABLE_FULL], 1);
	atnet_flow_reset_all(&r->t);
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_RESET], 4);
	CHECK_EQ(atnet_flow_next_timer(&r->t), 0);
	icmp_echo(0x1234, 20, 200);			/* too big */
	CHECK_EQ(r->drops[ATNET_FLOW_DROP_TOO_BIG], 1);
	r->ping_err = -EBUSY;				/* ping refused */
	icmp_echo(0x1234, 21, 56);
	s = NEXT();
	CHECK(s->proto == 1 && s->icmp_type == 3 && s->icmp_code == 1);
	NONE();
}

/* A broken checksum must fail the independent check (tests can fail). */
static void t_checker(void)
{
	u8 th[20] = { [12] = 5 << 4 };
	u8 b[64];
	size_t len = build(b, RADDR, HADDR, 6, th, 20);
	int before = failed;
	void *pkt = malloc(len);

	p16(b + 36, l4sum(b, b + 20, 20));
	CHECK(atnet_flow_csum_ok(b, len));
	memcpy(pkt, b, len);
	((u8 *)pkt)[36] ^= 0xff;
	printf("# expected: one bad TCP segment\n");
	o_deliver(NULL, pkt, len);
	CHECK_EQ(failed, before + 1);
	failed = before;
	CHECK(!atnet_flow_csum_ok(b, len - 1));
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "handshake: SYN-ACK only when connected, MSS only", t_handshake },
	{ "MSS clamped to mtu - 40", t_mss_clamp },
	{ "refused: RST, link closed once", t_refused },
	{ "no free link: RST at once", t_no_link },
	{ "connect timeout: ICMP host unreachable quoting the SYN", t_connect_timeout },
	{ "host data: window is link room, partial accept, update", t_host_data_window },
	{ "host MSS below 64 raised", t_tiny_mss },
	{ "duplicate, overlapping, out-of-order host segments", t_host_dup },
	{ "modem data: MSS segments within the host window", t_modem_data },
	{ "slow reader: zero window, probes, nothing lost", t_slow_reader },
	{ "zero window with data in flight: probed, not reset", t_zero_window_inflight },
	{ "RTO retransmission re-peeks, consume on ACK only", t_retransmit },
	{ "fast retransmit on 3 duplicate ACKs", t_fast_retransmit },
	{ "retransmission limit: RST", t_rto_limit },
	{ "host FIN: in-flight data first, then close and FIN", t_host_fin },
	{ "host FIN: what the link held still goes, then FIN", t_host_fin_window },
	{ "modem close: data, FIN, host FIN frees", t_modem_fin },
	{ "FIN wait timeout", t_fin_timeout },
	{ "host data after modem close: RST", t_data_after_modem_close },
	{ "host RST: in-window only, link aborted", t_host_rst },
	{ "peer reset: RST to the host", t_peer_rst },
	{ "context down: RST every flow", t_context_down },
	{ "table full and 1000 refused SYNs: bounded", t_table_full },
	{ "segments of no flow: RST by RFC 793", t_no_flow },
	{ "no packet buffer: counted, the timer recovers", t_nomem },
	{ "malformed and unsupported packets counted", t_malformed },
	{ "UDP: flow, both ways, limits, idle timeout", t_udp },
	{ "UDP: no link, failed open, close, context down", t_udp_refused },
	{ "ICMP echo: modem ping, reply, loss, timeout, limits", t_ping },
	{ "the checksum checker catches a bad packet", t_checker },
};

int main(void)
{
	static struct rig rig;
	int bad = 0;
	size_t i;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (u8)(i * 131 + (i >> 9));
	printf("TAP version 13\n1..%zu\n", ARRAY_SIZE(tests));
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		memset(&rig, 0, sizeof(rig));
		r = &rig;
		r->cap = 8192;
		r->cfg = (struct atnet_flow_cfg){
			.max_send = MAX_SEND, .connect_timeout_ms = 5000,
			.retries = 3, .fin_timeout_ms = 10000,
		};
		atnet_flow_init(&r->t, &ops, r, &r->cfg, 12345, 0);
		failed = 0;
		tests[i].fn();
		if (!failed) {
			/* every handle the engine was given: closed at most once */
			size_t k;

			for (k = 0; k < NLINK; k++)
				if (r->links[k].closes > 1)
					fail(__LINE__, "link %zu closed %d times",
					     k, r->links[k].closes);
		}
		bad += !!failed;
		printf("%sok %zu - %s\n", failed ? "not " : "", i + 1,
		       tests[i].name);
	}
	return bad ? 1 : 0;
}
