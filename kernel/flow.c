// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table of the translator (flow.h is the contract): entry points,
 * the dispatch of host packets by protocol, timers and drop counting. The
 * TCP terminator is flow_tcp.c, parsing and building flow_ip.c.
 */

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "flow.h"

#define ATNET_IPPROTO_ICMP	1
#define ATNET_IPPROTO_TCP	6
#define ATNET_IPPROTO_UDP	17
#define ATNET_ICMP_DEST_UNREACH	3
#define ATNET_ICMP_PROT_UNREACH	2
#define ATNET_FLOW_MTU_MIN	68

static unsigned int atnet_flow_dflt(unsigned int v, unsigned int dflt)
{
	return v ? v : dflt;
}

void atnet_flow_init(struct atnet_flow_table *t,
		     const struct atnet_flow_ops *ops, void *ctx,
		     const struct atnet_flow_cfg *cfg, u32 isn_seed, u64 now_ms)
{
	struct atnet_flow_cfg *c = &t->cfg;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->ops = ops;
	t->ctx = ctx;
	*c = *cfg;
	c->max_flows = atnet_flow_dflt(c->max_flows, ATNET_FLOW_MAX);
	c->max_flows = min_t(unsigned int, c->max_flows, ATNET_FLOW_MAX);
	c->max_send = atnet_flow_dflt(c->max_send, ATNET_FLOW_MSS_MAX);
	c->mtu = atnet_flow_dflt(c->mtu, ATNET_FLOW_MTU);
	if (c->mtu < ATNET_FLOW_MTU_MIN)
		c->mtu = ATNET_FLOW_MTU_MIN;
	c->connect_timeout_ms = atnet_flow_dflt(c->connect_timeout_ms,
						ATNET_FLOW_CONNECT_MS);
	c->rto_ms = atnet_flow_dflt(c->rto_ms, ATNET_FLOW_RTO_MS);
	c->rto_max_ms = atnet_flow_dflt(c->rto_max_ms, ATNET_FLOW_RTO_MAX_MS);
	if (c->rto_max_ms < c->rto_ms)
		c->rto_max_ms = c->rto_ms;
	c->retries = atnet_flow_dflt(c->retries, ATNET_FLOW_RETRIES);
	c->fin_timeout_ms = atnet_flow_dflt(c->fin_timeout_ms,
					    ATNET_FLOW_FIN_MS);
	c->udp_idle_ms = atnet_flow_dflt(c->udp_idle_ms,
					 ATNET_FLOW_UDP_IDLE_MS);
	c->ping_timeout_ms = atnet_flow_dflt(c->ping_timeout_ms,
					     ATNET_FLOW_PING_MS);
	t->now = now_ms;
	t->isn = isn_seed;
	for (i = 0; i < ATNET_FLOW_MAX; i++)
		t->flows[i].link = -1;
}

void atnet_flow_count(struct atnet_flow_table *t, enum atnet_flow_drop why)
{
	t->drops[why]++;
	t->ops->drop(t->ctx, why);
}

u8 *atnet_flow_alloc(struct atnet_flow_table *t, size_t len, void **pkt)
{
	u8 *buf = t->ops->pkt_alloc(t->ctx, len, pkt);

	if (!buf)
		atnet_flow_count(t, ATNET_FLOW_DROP_NOMEM);
	return buf;
}

struct atnet_flow *atnet_flow_new(struct atnet_flow_table *t)
{
	unsigned int i;

	if (t->nflows >= t->cfg.max_flows)
		return NULL;
	for (i = 0; i < ATNET_FLOW_MAX; i++) {
		struct atnet_flow *f = &t->flows[i];

		if (f->state == ATNET_FLOW_FREE) {
			memset(f, 0, sizeof(*f));
			f->link = -1;
			t->nflows++;
			return f;
		}
	}
	return NULL;
}

/* @f carries host packet @p's connection over modem link @link from now on. */
void atnet_flow_bind(struct atnet_flow *f, int link,
		     const struct atnet_flow_pkt *p)
{
	f->link = link;
	f->haddr = p->saddr;
	f->raddr = p->daddr;
	f->hport = p->sport;
	f->rport = p->dport;
}

void atnet_flow_free(struct atnet_flow_table *t, struct atnet_flow *f)
{
	memset(f, 0, sizeof(*f));
	f->state = ATNET_FLOW_FREE;
	f->link = -1;
	t->nflows--;
}

/* The flow of a host packet: its source is the host side. */
struct atnet_flow *atnet_flow_find(struct atnet_flow_table *t,
				   const struct atnet_flow_pkt *p)
{
	bool udp = p->proto == ATNET_IPPROTO_UDP;
	unsigned int i;

	for (i = 0; i < ATNET_FLOW_MAX; i++) {
		struct atnet_flow *f = &t->flows[i];

		bool f_udp = f->state == ATNET_FLOW_UDP;

		if (f->state == ATNET_FLOW_FREE || f_udp != udp)
			continue;
		if (f->haddr == p->saddr && f->raddr == p->daddr &&
		    f->hport == p->sport && f->rport == p->dport)
			return f;
	}
	return NULL;
}

static struct atnet_flow *atnet_flow_by_link(struct atnet_flow_table *t,
					     int link)
{
	unsigned int i;

	if (link < 0)
		return NULL;
	for (i = 0; i < ATNET_FLOW_MAX; i++) {
		struct atnet_flow *f = &t->flows[i];

		if (f->state != ATNET_FLOW_FREE && f->link == link)
			return f;
	}
	return NULL;
}

/*
 * An ICMP error about @orig (a packet the host sent), from its destination
 * to its source, quoting its header and first 8 bytes of data.
 */
void atnet_flow_send_icmp_err(struct atnet_flow_table *t, u8 type, u8 code,
			      const u8 *orig, size_t orig_len)
{
	size_t len = atnet_flow_icmp_err_len(orig_len);
	__be32 saddr, daddr;
	void *pkt;
	u8 *buf;

	buf = atnet_flow_alloc(t, len, &pkt);
	if (!buf)
		return;
	memcpy(&daddr, orig + 12, 4);
	memcpy(&saddr, orig + 16, 4);
	atnet_flow_build_ip(buf, len, ATNET_IPPROTO_ICMP, t->ip_id++, saddr,
			    daddr);
	atnet_flow_build_icmp_err(buf + ATNET_IP_HLEN, len - ATNET_IP_HLEN,
				  type, code, orig, orig_len);
	t->ops->pkt_deliver(t->ctx, pkt, len);
}

/* @p's transport header, by its protocol: ATNET_FLOW_OK or why it drops. */
static int atnet_flow_parse_l4(struct atnet_flow_pkt *p)
{
	switch (p->proto) {
	case ATNET_IPPROTO_TCP:
		return atnet_flow_parse_tcp(p);
	case ATNET_IPPROTO_UDP:
		return atnet_flow_parse_udp(p);
	case ATNET_IPPROTO_ICMP:
		return atnet_flow_parse_icmp(p);
	}
	return ATNET_FLOW_DROP_PROTO;
}

void atnet_flow_input(struct atnet_flow_table *t, const u8 *pkt, size_t len)
{
	struct atnet_flow_pkt p;
	int why;

	why = atnet_flow_parse_ip(pkt, len, &p);
	if (why != ATNET_FLOW_OK) {
		atnet_flow_count(t, why);
		return;
	}
	why = atnet_flow_parse_l4(&p);
	if (why != ATNET_FLOW_OK) {
		atnet_flow_count(t, why);
		if (why == ATNET_FLOW_DROP_PROTO)
			atnet_flow_send_icmp_err(t, ATNET_ICMP_DEST_UNREACH,
						 ATNET_ICMP_PROT_UNREACH, pkt,
						 ATNET_IP_HLEN + p.l4_len);
		return;
	}
	if (p.proto == ATNET_IPPROTO_TCP)
		atnet_flow_tcp_input(t, &p);
	else if (p.proto == ATNET_IPPROTO_UDP)
		atnet_flow_udp_input(t, &p);
	else
		atnet_flow_icmp_input(t, &p);
}

void atnet_flow_connected(struct atnet_flow_table *t, int link, int err)
{
	struct atnet_flow *f = atnet_flow_by_link(t, link);

	if (f && f->state == ATNET_FLOW_UDP) {
		if (err)
			atnet_flow_udp_end(t, f, ATNET_FLOW_DROP_NO_LINK);
	} else if (f) {
		atnet_flow_tcp_connected(t, f, err);
	}
}

void atnet_flow_rx(struct atnet_flow_table *t, int link, size_t avail)
{
	struct atnet_flow *f = atnet_flow_by_link(t, link);

	if (f && f->state != ATNET_FLOW_UDP)
		atnet_flow_tcp_rx(t, f, avail);
}

void atnet_flow_dgram(struct atnet_flow_table *t, int link, size_t len)
{
	struct atnet_flow *f = atnet_flow_by_link(t, link);

	if (f && f->state == ATNET_FLOW_UDP)
		atnet_flow_udp_dgram(t, f, len);
}

void atnet_flow_writable(struct atnet_flow_table *t, int link)
{
	struct atnet_flow *f = atnet_flow_by_link(t, link);

	if (f && f->state != ATNET_FLOW_UDP)
		atnet_flow_tcp_writable(t, f);
}

void atnet_flow_closed(struct atnet_flow_table *t, int link, int err)
{
	struct atnet_flow *f = atnet_flow_by_link(t, link);

	if (f && f->state == ATNET_FLOW_UDP)
		atnet_flow_udp_end(t, f, err ? ATNET_FLOW_DROP_RESET :
				   ATNET_FLOW_OK);
	else if (f)
		atnet_flow_tcp_closed(t, f, err);
}

void atnet_flow_tick(struct atnet_flow_table *t, u64 now_ms)
{
	unsigned int i;

	if (now_ms > t->now)
		t->now = now_ms;
	for (i = 0; i < ATNET_FLOW_MAX; i++) {
		struct atnet_flow *f = &t->flows[i];

		if (f->state == ATNET_FLOW_FREE || !f->deadline ||
		    f->deadline > t->now)
			continue;
		if (f->state == ATNET_FLOW_UDP)
			atnet_flow_udp_tick(t, f);
		else
			atnet_flow_tcp_tick(t, f);
	}
	atnet_flow_ping_tick(t);
}

void atnet_flow_reset_all(struct atnet_flow_table *t)
{
	unsigned int i;

	for (i = 0; i < ATNET_FLOW_MAX; i++) {
		struct atnet_flow *f = &t->flows[i];

		if (f->state == ATNET_FLOW_UDP) {
			atnet_flow_udp_end(t, f, ATNET_FLOW_DROP_RESET);
		} else if (f->state != ATNET_FLOW_FREE) {
			atnet_flow_count(t, ATNET_FLOW_DROP_RESET);
			atnet_flow_tcp_reset(t, f);
		}
	}
	for (i = 0; i < ATNET_FLOW_PINGS; i++) {
		if (t->pings[i].cookie) {
			t->pings[i].cookie = 0;
			atnet_flow_count(t, ATNET_FLOW_DROP_RESET);
		}
	}
}

u64 atnet_flow_next_timer(const struct atnet_flow_table *t)
{
	u64 next = 0;
	unsigned int i;

	for (i = 0; i < ATNET_FLOW_MAX; i++) {
		const struct atnet_flow *f = &t->flows[i];

		if (f->state != ATNET_FLOW_FREE && f->deadline &&
		    (!next || f->deadline < next))
			next = f->deadline;
	}
	for (i = 0; i < ATNET_FLOW_PINGS; i++) {
		const struct atnet_flow_ping *q = &t->pings[i];

		if (q->cookie && (!next || q->deadline < next))
			next = q->deadline;
	}
	return next;
}
