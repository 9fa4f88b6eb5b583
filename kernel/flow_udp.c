// SPDX-License-Identifier: GPL-2.0
/*
 * UDP flows and ICMP echo of the flow translator (flow.h has the design).
 *
 * UDP: a (host address and port, remote address and port) pair is a flow on
 * one UDP link, opened by its first datagram and closed after
 * cfg->udp_idle_ms without a datagram either way. A host datagram is one
 * ops->write(), whole or not at all: the link layer keeps datagram
 * boundaries and queues what it accepts while the link is still opening,
 * so the engine buffers nothing. A datagram larger than cfg->max_send, or a
 * link without room, is dropped and counted (UDP may lose; the sender's
 * own retries cover it). Datagrams from the modem arrive with
 * atnet_flow_dgram(): peeked into a packet, consumed at once. No free flow
 * or link: ICMP port unreachable, so a resolver moves on at once.
 *
 * ICMP echo: ops->ping() (the modem's own ping) with a cookie; when it
 * reports success the request is sent back as the echo reply, so the
 * application's round trip is the modem's plus the AT exchange. At most
 * ATNET_FLOW_PINGS requests of at most ATNET_FLOW_PING_DATA bytes wait at
 * once, each at most cfg->ping_timeout_ms. Other ICMP from the host is
 * counted and dropped (never answered: no ICMP error about ICMP).
 */

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "flow.h"

#define ATNET_IPPROTO_ICMP	1
#define ATNET_IPPROTO_UDP	17
#define ATNET_ICMP_ECHOREPLY	0
#define ATNET_ICMP_DEST_UNREACH	3
#define ATNET_ICMP_HOST_UNREACH	1
#define ATNET_ICMP_PORT_UNREACH	3
#define ATNET_ICMP_ECHO		8
#define ATNET_UDP_HLEN		8
#define ATNET_UDP_MAX		(65535 - ATNET_IP_HLEN - ATNET_UDP_HLEN)

/* The host's packet again, for an ICMP error quoting it. */
static void atnet_flow_unreach(struct atnet_flow_table *t,
			       const struct atnet_flow_pkt *p, u8 code,
			       enum atnet_flow_drop why)
{
	atnet_flow_count(t, why);
	atnet_flow_send_icmp_err(t, ATNET_ICMP_DEST_UNREACH, code,
				 p->l4 - ATNET_IP_HLEN,
				 ATNET_IP_HLEN + p->l4_len);
}

/* End a UDP flow: release its link, free the slot; count @why unless OK. */
void atnet_flow_udp_end(struct atnet_flow_table *t, struct atnet_flow *f,
			enum atnet_flow_drop why)
{
	if (why != ATNET_FLOW_OK)
		atnet_flow_count(t, why);
	if (f->link >= 0)
		t->ops->close(t->ctx, f->link, false);
	atnet_flow_free(t, f);
}

void atnet_flow_udp_input(struct atnet_flow_table *t,
			  const struct atnet_flow_pkt *p)
{
	struct atnet_flow *f;
	int link, n;

	if (!p->data_len) {
		/* The modems send no empty datagram. */
		atnet_flow_count(t, ATNET_FLOW_DROP_MALFORMED);
		return;
	}
	if (p->data_len > t->cfg.max_send) {
		atnet_flow_count(t, ATNET_FLOW_DROP_TOO_BIG);
		return;
	}
	f = atnet_flow_find(t, p);
	if (!f) {
		f = atnet_flow_new(t);
		if (!f) {
			atnet_flow_unreach(t, p, ATNET_ICMP_PORT_UNREACH,
					   ATNET_FLOW_DROP_TABLE_FULL);
			return;
		}
		link = t->ops->open(t->ctx, ATNET_IPPROTO_UDP, p->daddr,
				    p->dport, p->sport);
		if (link < 0) {
			atnet_flow_free(t, f);
			atnet_flow_unreach(t, p, ATNET_ICMP_PORT_UNREACH,
					   ATNET_FLOW_DROP_NO_LINK);
			return;
		}
		f->state = ATNET_FLOW_UDP;
		atnet_flow_bind(f, link, p);
	}
	f->deadline = t->now + t->cfg.udp_idle_ms;
	if (t->ops->room(t->ctx, f->link) < p->data_len) {
		atnet_flow_count(t, ATNET_FLOW_DROP_NO_ROOM);
		return;
	}
	n = t->ops->write(t->ctx, f->link, p->data, p->data_len);
	if (n < 0)
		atnet_flow_udp_end(t, f, ATNET_FLOW_DROP_RESET);
	else if ((size_t)n != p->data_len)
		atnet_flow_count(t, ATNET_FLOW_DROP_NO_ROOM);
}

void atnet_flow_udp_dgram(struct atnet_flow_table *t, struct atnet_flow *f,
			  size_t len)
{
	size_t plen = ATNET_IP_HLEN + ATNET_UDP_HLEN + len;
	void *pkt;
	u8 *buf;

	f->deadline = t->now + t->cfg.udp_idle_ms;
	if (len > ATNET_UDP_MAX) {
		atnet_flow_count(t, ATNET_FLOW_DROP_TOO_BIG);
		t->ops->consume(t->ctx, f->link, len);
		return;
	}
	buf = atnet_flow_alloc(t, plen, &pkt);
	if (buf && len && t->ops->peek(t->ctx, f->link, 0,
				       buf + ATNET_IP_HLEN + ATNET_UDP_HLEN,
				       len)) {
		t->ops->pkt_free(t->ctx, pkt);
		buf = NULL;
	}
	if (len)
		t->ops->consume(t->ctx, f->link, len);
	if (!buf)
		return;
	atnet_flow_build_udp(buf + ATNET_IP_HLEN, plen - ATNET_IP_HLEN,
			     f->raddr, f->haddr, f->rport, f->hport);
	atnet_flow_build_ip(buf, plen, ATNET_IPPROTO_UDP, t->ip_id++, f->raddr,
			    f->haddr);
	t->ops->pkt_deliver(t->ctx, pkt, plen);
}

void atnet_flow_udp_tick(struct atnet_flow_table *t, struct atnet_flow *f)
{
	atnet_flow_udp_end(t, f, ATNET_FLOW_OK);	/* idle */
}

void atnet_flow_icmp_input(struct atnet_flow_table *t,
			   const struct atnet_flow_pkt *p)
{
	struct atnet_flow_ping *q = NULL;
	unsigned int i;

	if (p->icmp_type != ATNET_ICMP_ECHO || p->icmp_code ||
	    !t->ops->ping) {
		atnet_flow_count(t, ATNET_FLOW_DROP_PROTO);
		return;
	}
	if (p->l4_len > ATNET_FLOW_PING_DATA) {
		atnet_flow_count(t, ATNET_FLOW_DROP_TOO_BIG);
		return;
	}
	for (i = 0; i < ATNET_FLOW_PINGS && !q; i++)
		if (!t->pings[i].cookie)
			q = &t->pings[i];
	if (!q) {
		atnet_flow_count(t, ATNET_FLOW_DROP_TABLE_FULL);
		return;
	}
	/* slot in the low bits, a generation above: late answers miss */
	t->ping_gen++;
	q->cookie = (t->ping_gen << 4 | (u32)(q - t->pings)) | 0x80000000;
	q->saddr = p->saddr;
	q->daddr = p->daddr;
	q->len = p->l4_len;
	memcpy(q->msg, p->l4, p->l4_len);
	q->deadline = t->now + t->cfg.ping_timeout_ms;
	if (t->ops->ping(t->ctx, p->daddr, q->cookie)) {
		q->cookie = 0;
		atnet_flow_unreach(t, p, ATNET_ICMP_HOST_UNREACH,
				   ATNET_FLOW_DROP_NO_LINK);
	}
}

void atnet_flow_ping_done(struct atnet_flow_table *t, u32 cookie, int err)
{
	struct atnet_flow_ping *q = &t->pings[cookie & 0xf];
	size_t len;
	void *pkt;
	u8 *buf;

	if ((cookie & 0xf) >= ATNET_FLOW_PINGS || !cookie ||
	    q->cookie != cookie)
		return;		/* timed out, reset or never ours */
	q->cookie = 0;
	if (err) {
		atnet_flow_count(t, ATNET_FLOW_DROP_TIMEOUT);
		return;
	}
	len = ATNET_IP_HLEN + q->len;
	buf = atnet_flow_alloc(t, len, &pkt);
	if (!buf)
		return;
	memcpy(buf + ATNET_IP_HLEN, q->msg, q->len);
	buf[ATNET_IP_HLEN] = ATNET_ICMP_ECHOREPLY;
	atnet_flow_build_icmp(buf + ATNET_IP_HLEN, q->len);
	atnet_flow_build_ip(buf, len, ATNET_IPPROTO_ICMP, t->ip_id++, q->daddr,
			    q->saddr);
	t->ops->pkt_deliver(t->ctx, pkt, len);
}

void atnet_flow_ping_tick(struct atnet_flow_table *t)
{
	unsigned int i;

	for (i = 0; i < ATNET_FLOW_PINGS; i++) {
		struct atnet_flow_ping *q = &t->pings[i];

		if (q->cookie && q->deadline <= t->now) {
			q->cookie = 0;
			atnet_flow_count(t, ATNET_FLOW_DROP_TIMEOUT);
		}
	}
}
