// SPDX-License-Identifier: GPL-2.0
/*
 * The TCP terminator of the flow translator (flow.h has the design). The
 * host's side is a real TCP peer; the remote side is a modem link that
 * carries bytes. Sequence space toward the host: offset 0 of the link's
 * receive buffer is snd_una, so a retransmission re-peeks the link and
 * nothing is ever buffered here. A FIN toward the host sits at
 * snd_una + avail once fin_sent is set.
 */

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "flow.h"

#define ATNET_IPPROTO_TCP	6
#define ATNET_ICMP_DEST_UNREACH	3
#define ATNET_ICMP_HOST_UNREACH	1
#define ATNET_TCP_MSS_DFLT	536	/* RFC 1122, when the SYN has none */
#define ATNET_TCP_MSS_MIN	64	/* bounds the segments of one window */
#define ATNET_TCP_DUPACKS	3

static bool atnet_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static bool atnet_after(u32 a, u32 b)
{
	return atnet_before(b, a);
}

/* The MSS we advertise: a host segment fits one send of the link. */
static u16 atnet_flow_rcv_mss(const struct atnet_flow_table *t)
{
	return min_t(unsigned int, t->cfg.max_send, t->cfg.mtu - 40);
}

/*
 * The window we advertise: free space toward the modem. Once the modem has
 * closed, a window that lets the host's FIN in (Linux holds a FIN back at a
 * zero window); data in it draws a RST.
 */
static u32 atnet_flow_wnd(struct atnet_flow_table *t, struct atnet_flow *f)
{
	if (f->link_closed)
		return atnet_flow_rcv_mss(t);
	if (f->link < 0 || f->host_fin)
		return 0;
	return min_t(size_t, t->ops->room(t->ctx, f->link), ATNET_FLOW_WIN_MAX);
}

/*
 * Build and deliver one segment to the host: @dlen bytes of data peeked at
 * link offset @off. False when no buffer or the peek failed.
 */
static bool atnet_flow_tcp_send(struct atnet_flow_table *t,
				struct atnet_flow *f, u32 seq, u8 flags,
				size_t off, size_t dlen)
{
	size_t hlen = atnet_flow_tcp_hlen(flags);
	size_t len = ATNET_IP_HLEN + hlen + dlen;
	void *pkt;
	u8 *buf;
	u32 win;

	buf = atnet_flow_alloc(t, len, &pkt);
	if (!buf)
		return false;
	if (dlen && t->ops->peek(t->ctx, f->link, off,
				 buf + ATNET_IP_HLEN + hlen, dlen)) {
		t->ops->pkt_free(t->ctx, pkt);
		return false;
	}
	win = flags & ATNET_TCP_RST ? 0 : atnet_flow_wnd(t, f);
	f->adv_wnd = win;
	atnet_flow_build_tcp(buf + ATNET_IP_HLEN, len - ATNET_IP_HLEN,
			     f->raddr, f->haddr, f->rport, f->hport, seq,
			     f->rcv_nxt, flags, win, atnet_flow_rcv_mss(t));
	atnet_flow_build_ip(buf, len, ATNET_IPPROTO_TCP, t->ip_id++, f->raddr,
			    f->haddr);
	t->ops->pkt_deliver(t->ctx, pkt, len);
	return true;
}

static void atnet_flow_tcp_ack(struct atnet_flow_table *t,
			       struct atnet_flow *f)
{
	atnet_flow_tcp_send(t, f, f->snd_nxt, ATNET_TCP_ACK, 0, 0);
}

/* RFC 793 "reset generation" for a segment no flow owns. */
void atnet_flow_tcp_send_rst(struct atnet_flow_table *t,
			     const struct atnet_flow_pkt *p)
{
	struct atnet_flow tmp = { .link = -1 };
	u8 flags = ATNET_TCP_RST;
	u32 seq = 0;

	if (p->flags & ATNET_TCP_RST)
		return;
	tmp.haddr = p->saddr;
	tmp.raddr = p->daddr;
	tmp.hport = p->sport;
	tmp.rport = p->dport;
	if (p->flags & ATNET_TCP_ACK) {
		seq = p->ack;
	} else {
		flags |= ATNET_TCP_ACK;
		tmp.rcv_nxt = p->seq + p->data_len +
			      !!(p->flags & ATNET_TCP_SYN) +
			      !!(p->flags & ATNET_TCP_FIN);
	}
	atnet_flow_tcp_send(t, &tmp, seq, flags, 0, 0);
}

/*
 * End a flow at once: RST to the host (its rcv_nxt is what we sent; a host
 * that missed some answers with an ACK, and the RST to that ACK is exact),
 * abort the link, free the slot. The caller counts why.
 */
void atnet_flow_tcp_reset(struct atnet_flow_table *t, struct atnet_flow *f)
{
	atnet_flow_tcp_send(t, f, f->snd_max, ATNET_TCP_RST | ATNET_TCP_ACK,
			    0, 0);
	if (f->link >= 0)
		t->ops->close(t->ctx, f->link, true);
	atnet_flow_free(t, f);
}

static void atnet_flow_tcp_fail(struct atnet_flow_table *t,
				struct atnet_flow *f, enum atnet_flow_drop why)
{
	atnet_flow_count(t, why);
	atnet_flow_tcp_reset(t, f);
}

/* Send what the host's window allows, then a FIN if one is due. */
static void atnet_flow_tcp_output(struct atnet_flow_table *t,
				  struct atnet_flow *f)
{
	for (;;) {
		u32 data_end = f->snd_una + f->avail;
		u32 wnd_end = f->snd_una + f->snd_wnd;
		u8 flags = ATNET_TCP_ACK;
		size_t dlen = 0;

		if (atnet_before(f->snd_nxt, data_end) &&
		    atnet_before(f->snd_nxt, wnd_end)) {
			dlen = min_t(u32, data_end - f->snd_nxt,
				     wnd_end - f->snd_nxt);
			dlen = min_t(size_t, dlen, f->mss);
			if (f->snd_nxt + dlen == data_end)
				flags |= ATNET_TCP_PSH;
		}
		if (f->fin_sent && !f->fin_acked &&
		    f->snd_nxt + dlen == data_end)
			flags |= ATNET_TCP_FIN;
		if (!dlen && !(flags & ATNET_TCP_FIN))
			return;
		if (!atnet_flow_tcp_send(t, f, f->snd_nxt, flags,
					 f->snd_nxt - f->snd_una, dlen))
			return;	/* the retransmission timer tries again */
		f->snd_nxt += dlen + !!(flags & ATNET_TCP_FIN);
		if (atnet_after(f->snd_nxt, f->snd_max))
			f->snd_max = f->snd_nxt;
		if (flags & ATNET_TCP_FIN)
			return;
	}
}

/* The flow's one timer, for what it waits for now. */
static void atnet_flow_tcp_arm(struct atnet_flow_table *t,
			       struct atnet_flow *f)
{
	bool unacked = f->snd_una != f->snd_max;
	/* unsent data: a zero window, or a send that found no buffer */
	bool stalled = f->snd_nxt - f->snd_una < f->avail;

	if (unacked || stalled) {
		f->persist = !unacked;
		if (!f->deadline)
			f->deadline = t->now + f->rto;
	} else if (f->fin_acked && !f->host_fin) {
		if (!f->deadline)
			f->deadline = t->now + t->cfg.fin_timeout_ms;
	} else {
		f->deadline = 0;
	}
}

/* Move the close forward, send, free the flow once both FINs are done. */
static void atnet_flow_tcp_advance(struct atnet_flow_table *t,
				   struct atnet_flow *f)
{
	if (f->state != ATNET_FLOW_ESTABLISHED)
		return;
	if (f->host_fin && !f->fin_sent && !f->link_closed && !f->avail &&
	    f->snd_una == f->snd_max) {
		/* All the host gets is ACKed: the link may go, then our FIN. */
		t->ops->close(t->ctx, f->link, false);
		f->link = -1;
		f->avail = 0;
		f->fin_sent = true;
	}
	if (f->link_closed && !f->fin_sent)
		f->fin_sent = true;
	atnet_flow_tcp_output(t, f);
	if (f->fin_acked && f->link >= 0) {
		t->ops->close(t->ctx, f->link, false);
		f->link = -1;
		f->avail = 0;
	}
	if (f->fin_acked && f->host_fin) {
		atnet_flow_free(t, f);
		return;
	}
	atnet_flow_tcp_arm(t, f);
}

static void atnet_flow_tcp_syn(struct atnet_flow_table *t,
			       const struct atnet_flow_pkt *p)
{
	struct atnet_flow *f;
	int link;

	if ((p->flags & (ATNET_TCP_ACK | ATNET_TCP_FIN | ATNET_TCP_RST)) ||
	    !(p->flags & ATNET_TCP_SYN)) {
		atnet_flow_count(t, ATNET_FLOW_DROP_NO_FLOW);
		atnet_flow_tcp_send_rst(t, p);
		return;
	}
	f = atnet_flow_new(t);
	if (!f) {
		atnet_flow_count(t, ATNET_FLOW_DROP_TABLE_FULL);
		atnet_flow_tcp_send_rst(t, p);
		return;
	}
	link = t->ops->open(t->ctx, ATNET_IPPROTO_TCP, p->daddr, p->dport,
			    p->sport);
	if (link < 0) {
		atnet_flow_free(t, f);
		atnet_flow_count(t, ATNET_FLOW_DROP_NO_LINK);
		atnet_flow_tcp_send_rst(t, p);
		return;
	}
	f->state = ATNET_FLOW_OPENING;
	atnet_flow_bind(f, link, p);
	f->irs = p->seq;
	f->rcv_nxt = p->seq + 1;
	f->snd_wnd = p->win;
	f->mss = min_t(unsigned int, p->mss ? p->mss : ATNET_TCP_MSS_DFLT,
		       min_t(unsigned int, ATNET_FLOW_MSS_MAX,
			     t->cfg.mtu - 40));
	if (f->mss < ATNET_TCP_MSS_MIN)
		f->mss = ATNET_TCP_MSS_MIN;
	f->rto = t->cfg.rto_ms;
	f->deadline = t->now + t->cfg.connect_timeout_ms;
}

static void atnet_flow_tcp_synack(struct atnet_flow_table *t,
				  struct atnet_flow *f)
{
	atnet_flow_tcp_send(t, f, f->iss, ATNET_TCP_SYN | ATNET_TCP_ACK, 0, 0);
	f->deadline = t->now + f->rto;
}

void atnet_flow_tcp_connected(struct atnet_flow_table *t, struct atnet_flow *f,
			      int err)
{
	if (f->state != ATNET_FLOW_OPENING)
		return;
	if (err) {
		atnet_flow_tcp_fail(t, f, ATNET_FLOW_DROP_REFUSED);
		return;
	}
	t->isn += 0x10000 + (u32)t->now * 250;
	f->iss = t->isn;
	f->snd_una = f->iss;
	f->snd_nxt = f->iss + 1;
	f->snd_max = f->snd_nxt;
	f->state = ATNET_FLOW_SYN_RCVD;
	atnet_flow_tcp_synack(t, f);
}

/* A host ACK: consume what it covers, learn the window. */
static void atnet_flow_tcp_ack_in(struct atnet_flow_table *t,
				  struct atnet_flow *f,
				  const struct atnet_flow_pkt *p)
{
	u32 acked;

	if (atnet_before(p->ack, f->snd_una))
		return;		/* old: its window is stale too */
	if (atnet_after(p->ack, f->snd_max)) {
		atnet_flow_tcp_ack(t, f);	/* ACKs what we never sent */
		return;
	}
	acked = p->ack - f->snd_una;
	if (acked) {
		u32 data = acked;

		if (f->fin_sent && acked == f->avail + 1) {
			f->fin_acked = true;
			data = f->avail;
		}
		if (data && f->link >= 0)
			t->ops->consume(t->ctx, f->link, data);
		f->avail -= data;
		f->snd_una = p->ack;
		if (atnet_before(f->snd_nxt, f->snd_una))
			f->snd_nxt = f->snd_una;
		f->retries = 0;
		f->rto = t->cfg.rto_ms;
		f->dupacks = 0;
		f->deadline = 0;
	} else if (!p->data_len && p->win == f->snd_wnd &&
		   f->snd_una != f->snd_max &&
		   ++f->dupacks == ATNET_TCP_DUPACKS) {
		f->snd_nxt = f->snd_una;	/* fast retransmit */
	}
	if (p->win != f->snd_wnd) {
		f->snd_wnd = p->win;
		if (f->persist)
			f->deadline = 0;
	}
}

/* Host data and FIN, in order only, into the link as far as it has room. */
static void atnet_flow_tcp_data_in(struct atnet_flow_table *t,
				   struct atnet_flow *f,
				   const struct atnet_flow_pkt *p)
{
	bool fin = p->flags & ATNET_TCP_FIN;
	const u8 *data = p->data;
	size_t dlen = p->data_len;
	u32 skip;
	int n;

	if (!dlen && !fin) {
		/* An old sequence (a window probe, a keepalive): ACK it. */
		if (atnet_before(p->seq, f->rcv_nxt))
			atnet_flow_tcp_ack(t, f);
		return;
	}
	if (f->host_fin || atnet_after(p->seq, f->rcv_nxt)) {
		atnet_flow_tcp_ack(t, f);	/* duplicate or out of order */
		return;
	}
	skip = f->rcv_nxt - p->seq;
	if (skip > dlen) {
		atnet_flow_tcp_ack(t, f);	/* all old */
		return;
	}
	data += skip;
	dlen -= skip;
	if (dlen) {
		if (f->link < 0 || f->link_closed) {
			/* The remote end is gone: nobody takes the data. */
			atnet_flow_tcp_fail(t, f, ATNET_FLOW_DROP_RESET);
			return;
		}
		dlen = min_t(size_t, dlen, t->ops->room(t->ctx, f->link));
		n = dlen ? t->ops->write(t->ctx, f->link, data, dlen) : 0;
		if (n < 0) {
			atnet_flow_tcp_fail(t, f, ATNET_FLOW_DROP_RESET);
			return;
		}
		f->rcv_nxt += n;
		if ((size_t)n < p->data_len - skip)
			fin = false;	/* the FIN is past what we took */
	}
	if (fin) {
		/* What the link holds now still goes to the host, no more. */
		f->rcv_nxt++;
		f->host_fin = true;
	}
	atnet_flow_tcp_ack(t, f);
}

/* RFC 5961 asks for an exact match; in-window is enough from our host. */
static bool atnet_flow_tcp_rst_ok(const struct atnet_flow *f,
				  const struct atnet_flow_pkt *p)
{
	return !atnet_before(p->seq, f->rcv_nxt) &&
	       !atnet_after(p->seq, f->rcv_nxt + (f->adv_wnd ? f->adv_wnd : 1));
}

void atnet_flow_tcp_input(struct atnet_flow_table *t,
			  const struct atnet_flow_pkt *p)
{
	struct atnet_flow *f = atnet_flow_find(t, p);

	if (!f) {
		atnet_flow_tcp_syn(t, p);
		return;
	}
	if (p->flags & ATNET_TCP_RST) {
		if (!atnet_flow_tcp_rst_ok(f, p)) {
			atnet_flow_count(t, ATNET_FLOW_DROP_NO_FLOW);
			return;
		}
		if (f->link >= 0)
			t->ops->close(t->ctx, f->link, true);
		atnet_flow_free(t, f);
		return;
	}
	if (p->flags & ATNET_TCP_SYN) {
		/* The same SYN again is idempotent; anything else a dup ACK. */
		if (f->state == ATNET_FLOW_SYN_RCVD && p->seq == f->irs)
			atnet_flow_tcp_synack(t, f);
		else if (f->state != ATNET_FLOW_OPENING || p->seq != f->irs)
			atnet_flow_tcp_ack(t, f);
		return;
	}
	if (!(p->flags & ATNET_TCP_ACK) || f->state == ATNET_FLOW_OPENING) {
		atnet_flow_count(t, ATNET_FLOW_DROP_NO_FLOW);
		return;
	}
	if (f->state == ATNET_FLOW_SYN_RCVD) {
		if (p->ack != f->iss + 1) {
			atnet_flow_count(t, ATNET_FLOW_DROP_NO_FLOW);
			atnet_flow_tcp_send_rst(t, p);
			return;
		}
		/* Link offset 0 is the byte after our SYN from now on. */
		f->state = ATNET_FLOW_ESTABLISHED;
		f->snd_una = f->iss + 1;
		f->deadline = 0;
		f->retries = 0;
		f->rto = t->cfg.rto_ms;
	}
	atnet_flow_tcp_ack_in(t, f, p);
	atnet_flow_tcp_data_in(t, f, p);
	if (f->state == ATNET_FLOW_ESTABLISHED)
		atnet_flow_tcp_advance(t, f);
}

void atnet_flow_tcp_rx(struct atnet_flow_table *t, struct atnet_flow *f,
		       size_t avail)
{
	/* After a FIN (ours or the host's) the data end is fixed. */
	if (f->fin_sent || f->host_fin || avail > U32_MAX / 2)
		return;
	f->avail = avail;
	atnet_flow_tcp_advance(t, f);
}

void atnet_flow_tcp_writable(struct atnet_flow_table *t, struct atnet_flow *f)
{
	u32 wnd;

	if (f->state != ATNET_FLOW_ESTABLISHED)
		return;
	wnd = atnet_flow_wnd(t, f);
	/* A window update when it opens from (nearly) shut. */
	if (wnd > f->adv_wnd &&
	    (f->adv_wnd < atnet_flow_rcv_mss(t) ||
	     wnd - f->adv_wnd >= atnet_flow_rcv_mss(t)))
		atnet_flow_tcp_ack(t, f);
}

void atnet_flow_tcp_closed(struct atnet_flow_table *t, struct atnet_flow *f,
			   int err)
{
	if (err) {
		atnet_flow_tcp_fail(t, f, ATNET_FLOW_DROP_RESET);
		return;
	}
	if (f->state == ATNET_FLOW_OPENING) {
		atnet_flow_tcp_fail(t, f, ATNET_FLOW_DROP_REFUSED);
		return;
	}
	f->link_closed = true;
	atnet_flow_tcp_advance(t, f);
}

/*
 * The connect timeout: ICMP host unreachable quoting the host's SYN (its IP
 * header and ports and sequence number, all tcp_v4_err() looks at).
 */
static void atnet_flow_tcp_connect_timeout(struct atnet_flow_table *t,
					   struct atnet_flow *f)
{
	u8 syn[ATNET_IP_HLEN + ATNET_TCP_HLEN];

	atnet_flow_build_ip(syn, sizeof(syn), ATNET_IPPROTO_TCP, 0, f->haddr,
			    f->raddr);
	memset(syn + ATNET_IP_HLEN, 0, ATNET_TCP_HLEN);
	memcpy(syn + ATNET_IP_HLEN, &f->hport, 2);
	memcpy(syn + ATNET_IP_HLEN + 2, &f->rport, 2);
	syn[ATNET_IP_HLEN + 4] = f->irs >> 24;
	syn[ATNET_IP_HLEN + 5] = f->irs >> 16;
	syn[ATNET_IP_HLEN + 6] = f->irs >> 8;
	syn[ATNET_IP_HLEN + 7] = f->irs;
	atnet_flow_count(t, ATNET_FLOW_DROP_TIMEOUT);
	atnet_flow_send_icmp_err(t, ATNET_ICMP_DEST_UNREACH,
				 ATNET_ICMP_HOST_UNREACH, syn, sizeof(syn));
	t->ops->close(t->ctx, f->link, true);
	atnet_flow_free(t, f);
}

static void atnet_flow_tcp_backoff(struct atnet_flow_table *t,
				   struct atnet_flow *f)
{
	f->rto = min_t(u32, f->rto * 2, t->cfg.rto_max_ms);
	f->deadline = t->now + f->rto;
}

void atnet_flow_tcp_tick(struct atnet_flow_table *t, struct atnet_flow *f)
{
	f->deadline = 0;
	switch (f->state) {
	case ATNET_FLOW_OPENING:
		atnet_flow_tcp_connect_timeout(t, f);
		return;
	case ATNET_FLOW_SYN_RCVD:
		if (++f->retries > t->cfg.retries) {
			atnet_flow_tcp_fail(t, f, ATNET_FLOW_DROP_TIMEOUT);
			return;
		}
		atnet_flow_tcp_synack(t, f);
		atnet_flow_tcp_backoff(t, f);
		return;
	}
	if (f->snd_una != f->snd_max && f->snd_wnd) {
		if (++f->retries > t->cfg.retries) {
			atnet_flow_tcp_fail(t, f, ATNET_FLOW_DROP_TIMEOUT);
			return;
		}
		f->snd_nxt = f->snd_una;	/* go back, re-peek */
		atnet_flow_tcp_output(t, f);
		atnet_flow_tcp_backoff(t, f);
	} else if (f->fin_acked && !f->host_fin) {
		atnet_flow_tcp_fail(t, f, ATNET_FLOW_DROP_TIMEOUT);
	} else if (!f->snd_wnd && (f->avail || f->snd_una != f->snd_max)) {
		/*
		 * Zero window probe: an old sequence draws the host's ACK.
		 * A reader that sleeps is not a dead peer: no retry limit.
		 */
		atnet_flow_tcp_send(t, f, f->snd_una - 1, ATNET_TCP_ACK, 0, 0);
		atnet_flow_tcp_backoff(t, f);
	} else {
		atnet_flow_tcp_advance(t, f);	/* a send that failed */
	}
}
