// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the flow translator (kernel/flow*.c).
 *
 * The input is a program of operations, one opcode byte each followed by
 * its arguments: a raw host packet (any bytes), a well-formed host TCP
 * segment of one of four flows with fuzzed flags, sequence and ACK offsets
 * (relative to the flow's state, so deep states are reached), window and
 * data; link events (connected, received bytes, send room freed, closed or
 * reset) for one of eight handles; time passing; the context going down;
 * packet buffers failing; links refused. The fake link layer checks the
 * contract as it goes: writes fit the room, peeks and consumes stay inside
 * the received data, a handle is never used after its close and closed
 * once; every emitted packet has a right length and right checksums
 * (checked here, not with the engine's helpers); the table never holds
 * more than max_flows. At the end time passes (no flow may stay half
 * open) and the context goes down: every flow and every handle must be
 * gone. Any violation aborts the process.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"

#define NLINK		8
#define MAXFLOWS	4
#define RXMAX		(1 << 16)

#define ASSERT(c) do { if (!(c)) { \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); abort(); } \
} while (0)

struct link {
	bool open;
	u8 proto;
	size_t cap, txlen;
	size_t rxhead, rxlen;
};

static struct atnet_flow_table t;
static struct link links[NLINK];
static bool nomem, refuse;
static u32 cookies[8];
static unsigned int ncookies;

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

static u16 l4sum(const u8 *ip, const u8 *l4, size_t len)
{
	return fold(sum16(l4, len, sum16(ip + 12, 8, 0) + ip[9] + len));
}

static int o_open(void *ctx, u8 proto, __be32 daddr, __be16 dport,
		  __be16 sport)
{
	int i;

	(void)ctx, (void)daddr, (void)dport, (void)sport;
	ASSERT(proto == 6 || proto == 17);
	if (refuse)
		return -EBUSY;
	for (i = 0; i < NLINK; i++) {
		if (!links[i].open) {
			links[i] = (struct link){ .open = true, .cap = 3000,
						  .proto = proto };
			return i;
		}
	}
	return -EBUSY;
}

static struct link *L(int h)
{
	ASSERT(h >= 0 && h < NLINK && links[h].open);
	return &links[h];
}

static size_t o_room(void *ctx, int h)
{
	(void)ctx;
	return L(h)->cap - L(h)->txlen;
}

static int o_write(void *ctx, int h, const u8 *buf, size_t len)
{
	(void)ctx, (void)buf;
	ASSERT(len > 0 && len <= o_room(ctx, h));
	L(h)->txlen += len;
	return (int)len;
}

static int o_peek(void *ctx, int h, size_t off, u8 *buf, size_t len)
{
	struct link *l = L(h);

	(void)ctx;
	ASSERT(len > 0 && off + len <= l->rxlen - l->rxhead);
	memset(buf, 0xa5, len);
	return 0;
}

static void o_consume(void *ctx, int h, size_t len)
{
	struct link *l = L(h);

	(void)ctx;
	ASSERT(len > 0 && len <= l->rxlen - l->rxhead);
	l->rxhead += len;
}

static void o_close(void *ctx, int h, bool abort)
{
	(void)ctx, (void)abort;
	L(h)->open = false;
}

static u8 *o_alloc(void *ctx, size_t len, void **pkt)
{
	(void)ctx;
	ASSERT(len >= 28 && len <= 65535);
	if (nomem)
		return NULL;
	*pkt = malloc(len);
	return *pkt;
}

static void o_free(void *ctx, void *pkt)
{
	(void)ctx;
	free(pkt);
}

static void o_deliver(void *ctx, void *pkt, size_t len)
{
	const u8 *b = pkt, *l4 = b + 20;

	(void)ctx;
	ASSERT(len >= 28 && b[0] == 0x45 && (size_t)(b[2] << 8 | b[3]) == len);
	ASSERT(fold(sum16(b, 20, 0)) == 0);
	if (b[9] == 6) {
		ASSERT(len >= 40 && (l4[12] >> 4) >= 5 &&
		       20 + (size_t)(l4[12] >> 4) * 4 <= len);
		ASSERT(l4sum(b, l4, len - 20) == 0);
		ASSERT(len <= 20 + 24 + ATNET_FLOW_MSS_MAX);
	} else if (b[9] == 17) {
		ASSERT(len >= 28 && (size_t)(l4[4] << 8 | l4[5]) == len - 20);
		ASSERT(l4sum(b, l4, len - 20) == 0);
	} else {
		ASSERT(b[9] == 1);
		ASSERT(fold(sum16(l4, len - 20, 0)) == 0);
	}
	ASSERT(atnet_flow_csum_ok(b, len));
	free(pkt);
}

static void o_drop(void *ctx, enum atnet_flow_drop why)
{
	(void)ctx;
	ASSERT(why < ATNET_FLOW_DROP_NR);
}

static int o_ping(void *ctx, __be32 daddr, u32 cookie)
{
	(void)ctx, (void)daddr;
	cookies[ncookies++ % 8] = cookie;
	return refuse ? -EBUSY : 0;
}

static const struct atnet_flow_ops ops = {
	.open = o_open, .write = o_write, .room = o_room, .peek = o_peek,
	.consume = o_consume, .close = o_close, .pkt_alloc = o_alloc,
	.pkt_deliver = o_deliver, .pkt_free = o_free, .drop = o_drop,
	.ping = o_ping,
};

struct in {
	const u8 *p;
	size_t n;
};

static u32 get(struct in *in, int bytes)
{
	u32 v = 0;

	while (bytes--) {
		v <<= 8;
		if (in->n) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

/* Small offsets exactly, larger ones in coarse steps. */
static s32 delta(u8 v)
{
	s32 d = (int8_t)v;

	return v & 0x40 ? d * 97 : d;
}

/* A checksummed host TCP segment of flow @k, near the flow's sequence. */
static void segment(struct in *in)
{
	static u8 b[20 + 24 + 2048];
	u8 k = get(in, 1), flags = get(in, 1);
	u32 seq = 1000, ack = 0;
	s32 dseq = delta(get(in, 1)), dack = delta(get(in, 1));
	u16 win = get(in, 2);
	size_t dlen = get(in, 2) % 2048, hl = k & 0x10 ? 24 : 20, len, i;
	u16 port = 40000 + (k & 3);

	for (i = 0; i < ATNET_FLOW_MAX; i++) {
		const struct atnet_flow *f = &t.flows[i];

		if (f->state != ATNET_FLOW_FREE &&
		    f->hport == cpu_to_be16(port)) {
			seq = f->rcv_nxt;
			ack = f->snd_una;
		}
	}
	seq += dseq;
	ack += dack;
	len = 20 + hl + dlen;
	memset(b, 0, len);
	b[0] = 0x45;
	b[2] = len >> 8;
	b[3] = len;
	b[8] = 64;
	b[9] = 6;
	b[12] = 10;
	b[15] = 2;
	b[16] = 192;
	b[18] = 2;
	b[19] = 1 + (k >> 2 & 1);
	i = fold(sum16(b, 20, 0));
	b[10] = i >> 8;
	b[11] = i;
	b[20] = port >> 8;
	b[21] = port;
	b[23] = 80;
	b[24] = seq >> 24;
	b[25] = seq >> 16;
	b[26] = seq >> 8;
	b[27] = seq;
	b[28] = ack >> 24;
	b[29] = ack >> 16;
	b[30] = ack >> 8;
	b[31] = ack;
	b[32] = (hl / 4) << 4;
	b[33] = flags;
	b[34] = win >> 8;
	b[35] = win;
	if (hl == 24) {
		b[40] = 2;
		b[41] = 4;
		b[42] = k >> 3;
		b[43] = get(in, 1);
	}
	i = l4sum(b, b + 20, len - 20);
	b[36] = i >> 8;
	b[37] = i;
	atnet_flow_input(&t, b, len);
}

/* A UDP datagram (proto 17) or an ICMP echo (proto 1) from the host. */
static void other(struct in *in, u8 proto)
{
	static u8 b[20 + 8 + 2048];
	u8 k = get(in, 1);
	size_t dlen = get(in, 2) % (proto == 1 ? 200 : 1100), len, i;
	u8 *l4 = b + 20;

	len = 20 + 8 + dlen;
	memset(b, 0, len);
	b[0] = 0x45;
	b[2] = len >> 8;
	b[3] = len;
	b[9] = proto;
	b[12] = 10;
	b[15] = 2;
	b[16] = 192;
	b[18] = 2;
	b[19] = 1 + (k >> 2 & 1);
	i = fold(sum16(b, 20, 0));
	b[10] = i >> 8;
	b[11] = i;
	if (proto == 17) {
		l4[1] = k & 3;
		l4[3] = 53;
		l4[4] = (8 + dlen) >> 8;
		l4[5] = 8 + dlen;
		i = l4sum(b, l4, 8 + dlen);
		if (!(k & 8)) {
			l4[6] = i >> 8;
			l4[7] = i;
		}
	} else {
		l4[0] = k & 8 ? 13 : 8;
		l4[5] = k;
		i = fold(sum16(l4, 8 + dlen, 0));
		l4[2] = i >> 8;
		l4[3] = i;
	}
	atnet_flow_input(&t, b, len);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct atnet_flow_cfg cfg = {
		.max_flows = MAXFLOWS, .max_send = 1024,
		.connect_timeout_ms = 3000, .retries = 4,
		.fin_timeout_ms = 5000,
	};
	struct in in = { data, size };
	u64 now = 0;
	int i, h;

	memset(links, 0, sizeof(links));
	nomem = refuse = false;
	ncookies = 0;
	atnet_flow_init(&t, &ops, NULL, &cfg, 7, 0);
	while (in.n) {
		u8 op = get(&in, 1);

		h = op >> 4 & (NLINK - 1);
		switch (op & 0xf) {
		case 0: {
			size_t n = get(&in, 1) * 8;

			n = n < in.n ? n : in.n;
			atnet_flow_input(&t, in.p, n);
			in.p += n;
			in.n -= n;
			break;
		}
		case 1:
		case 2:
			segment(&in);
			break;
		case 3:
			/* time runs to the next timer */
			if (atnet_flow_next_timer(&t)) {
				ASSERT(atnet_flow_next_timer(&t) > now);
				now = atnet_flow_next_timer(&t);
				atnet_flow_tick(&t, now);
			}
			break;
		case 12:
			other(&in, 17);
			break;
		case 13:
			if (links[h].open && links[h].proto == 17 &&
			    links[h].rxlen < RXMAX) {
				size_t n = get(&in, 2) % 1500;

				links[h].rxlen += n;
				atnet_flow_dgram(&t, h, n);
				/* whatever the engine did, it was consumed */
				ASSERT(!links[h].open ||
				       links[h].rxhead == links[h].rxlen);
			}
			break;
		case 14:
			other(&in, 1);
			break;
		case 15:
			if (ncookies)
				atnet_flow_ping_done(&t, cookies[get(&in, 1) % 8],
						     op & 0x80 ? -ETIMEDOUT : 0);
			break;
		case 4:
			atnet_flow_connected(&t, h, op & 0x80 ? -ECONNREFUSED : 0);
			break;
		case 5:
			if (links[h].open && links[h].proto == 6 &&
			    links[h].rxlen < RXMAX) {
				links[h].rxlen += get(&in, 2) % 5000;
				atnet_flow_rx(&t, h,
					      links[h].rxlen - links[h].rxhead);
			}
			break;
		case 6:
			if (links[h].open) {
				links[h].txlen = 0;
				atnet_flow_writable(&t, h);
			}
			break;
		case 7:
			if (links[h].open)
				atnet_flow_closed(&t, h, op & 0x80 ?
						  -ECONNRESET : 0);
			break;
		case 8:
			now += get(&in, 2) * 4;
			atnet_flow_tick(&t, now);
			break;
		case 9:
			atnet_flow_reset_all(&t);
			break;
		case 10:
			nomem = !nomem;
			break;
		case 11:
			refuse = !refuse;
			break;
		}
		ASSERT(t.nflows <= MAXFLOWS);
	}
	/* Time alone ends every flow that is not established ... */
	nomem = false;
	for (i = 0; i < 50; i++) {
		now += 60000;
		atnet_flow_tick(&t, now);
	}
	for (i = 0; i < ATNET_FLOW_MAX; i++)
		ASSERT(t.flows[i].state == ATNET_FLOW_FREE ||
		       t.flows[i].state == ATNET_FLOW_ESTABLISHED);
	for (i = 0; i < ATNET_FLOW_PINGS; i++)
		ASSERT(!t.pings[i].cookie);
	/* ... the context going down ends the rest, no handle is left. */
	atnet_flow_reset_all(&t);
	ASSERT(t.nflows == 0);
	for (i = 0; i < NLINK; i++)
		ASSERT(!links[i].open);
	return 0;
}
