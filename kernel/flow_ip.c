// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4, TCP and ICMP parsing and building for the flow translator (flow.h).
 * Fields are read and written byte by byte, so packets need no alignment;
 * the checksums use the kernel's csum helpers (flow_host.h in userspace).
 * Everything the host sends is checked before use: lengths against the
 * buffer, then the checksums.
 */

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <net/checksum.h>
#endif

#include "flow.h"

#define ATNET_IPPROTO_ICMP	1
#define ATNET_IPPROTO_TCP	6
#define ATNET_IPPROTO_UDP	17
#define ATNET_IP_DF		0x4000
#define ATNET_IP_MF		0x2000
#define ATNET_IP_OFFSET		0x1fff
#define ATNET_IP_TTL		64
#define ATNET_TCPOPT_EOL	0
#define ATNET_TCPOPT_NOP	1
#define ATNET_TCPOPT_MSS	2

static u16 atnet_get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 atnet_get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void atnet_put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void atnet_put32(u8 *p, u32 v)
{
	atnet_put16(p, v >> 16);
	atnet_put16(p + 2, v & 0xffff);
}

/* 0/8, 127/8, 169.254/16, 224/4 and above: not a remote unicast host. */
static bool atnet_flow_unicast(__be32 addr)
{
	u32 a = be32_to_cpu(addr);

	return (a >> 24) != 0 && (a >> 24) != 127 && (a >> 16) != 0xa9fe &&
	       (a >> 28) < 0xe;
}

int atnet_flow_parse_ip(const u8 *buf, size_t len, struct atnet_flow_pkt *p)
{
	size_t ihl, tot;
	u16 frag;

	memset(p, 0, sizeof(*p));
	if (len < 1 || buf[0] >> 4 != 4)
		return ATNET_FLOW_DROP_NOT_IPV4;
	if (len < ATNET_IP_HLEN)
		return ATNET_FLOW_DROP_MALFORMED;
	ihl = (buf[0] & 0xf) * 4;
	tot = atnet_get16(buf + 2);
	if (ihl < ATNET_IP_HLEN || ihl > tot || tot > len)
		return ATNET_FLOW_DROP_MALFORMED;
	if (ip_fast_csum(buf, ihl / 4))
		return ATNET_FLOW_DROP_CSUM;
	if (ihl != ATNET_IP_HLEN)
		return ATNET_FLOW_DROP_OPTIONS;
	frag = atnet_get16(buf + 6);
	if (frag & (ATNET_IP_MF | ATNET_IP_OFFSET))
		return ATNET_FLOW_DROP_FRAGMENT;
	p->proto = buf[9];
	memcpy(&p->saddr, buf + 12, 4);
	memcpy(&p->daddr, buf + 16, 4);
	if (!atnet_flow_unicast(p->daddr) || !atnet_flow_unicast(p->saddr))
		return ATNET_FLOW_DROP_NOT_UNICAST;
	p->l4 = buf + ihl;
	p->l4_len = tot - ihl;
	return ATNET_FLOW_OK;
}

static __sum16 atnet_flow_l4_csum(__be32 saddr, __be32 daddr, u8 proto,
				  const u8 *l4, size_t len)
{
	return csum_tcpudp_magic(saddr, daddr, len, proto,
				 csum_partial(l4, len, 0));
}

/* The MSS option of a SYN; 0 when absent or malformed. */
static u16 atnet_flow_parse_mss(const u8 *opt, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (opt[i] == ATNET_TCPOPT_EOL)
			break;
		if (opt[i] == ATNET_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		if (opt[i] == ATNET_TCPOPT_MSS && opt[i + 1] == 4)
			return atnet_get16(opt + i + 2);
		i += opt[i + 1];
	}
	return 0;
}

int atnet_flow_parse_tcp(struct atnet_flow_pkt *p)
{
	const u8 *th = p->l4;
	size_t doff;

	if (p->l4_len < ATNET_TCP_HLEN)
		return ATNET_FLOW_DROP_MALFORMED;
	doff = (th[12] >> 4) * 4;
	if (doff < ATNET_TCP_HLEN || doff > p->l4_len)
		return ATNET_FLOW_DROP_MALFORMED;
	if (atnet_flow_l4_csum(p->saddr, p->daddr, ATNET_IPPROTO_TCP, th,
			       p->l4_len))
		return ATNET_FLOW_DROP_CSUM;
	memcpy(&p->sport, th, 2);
	memcpy(&p->dport, th + 2, 2);
	p->seq = atnet_get32(th + 4);
	p->ack = atnet_get32(th + 8);
	p->flags = th[13];
	p->win = atnet_get16(th + 14);
	if (p->flags & ATNET_TCP_SYN)
		p->mss = atnet_flow_parse_mss(th + ATNET_TCP_HLEN,
					      doff - ATNET_TCP_HLEN);
	p->data = th + doff;
	p->data_len = p->l4_len - doff;
	return ATNET_FLOW_OK;
}

int atnet_flow_parse_udp(struct atnet_flow_pkt *p)
{
	const u8 *uh = p->l4;
	size_t ulen;

	if (p->l4_len < 8)
		return ATNET_FLOW_DROP_MALFORMED;
	ulen = atnet_get16(uh + 4);
	if (ulen < 8 || ulen > p->l4_len)
		return ATNET_FLOW_DROP_MALFORMED;
	/* A zero checksum is "none" in IPv4 (RFC 768). */
	if ((uh[6] || uh[7]) &&
	    atnet_flow_l4_csum(p->saddr, p->daddr, ATNET_IPPROTO_UDP, uh, ulen))
		return ATNET_FLOW_DROP_CSUM;
	memcpy(&p->sport, uh, 2);
	memcpy(&p->dport, uh + 2, 2);
	p->data = uh + 8;
	p->data_len = ulen - 8;
	return ATNET_FLOW_OK;
}

int atnet_flow_parse_icmp(struct atnet_flow_pkt *p)
{
	if (p->l4_len < ATNET_ICMP_HLEN)
		return ATNET_FLOW_DROP_MALFORMED;
	if (csum_fold(csum_partial(p->l4, p->l4_len, 0)))
		return ATNET_FLOW_DROP_CSUM;
	p->icmp_type = p->l4[0];
	p->icmp_code = p->l4[1];
	memcpy(&p->sport, p->l4 + 4, 2);
	p->data = p->l4;
	p->data_len = p->l4_len;
	return ATNET_FLOW_OK;
}

/*
 * Is @buf a well-formed IPv4 packet of exactly @len bytes whose IP and TCP,
 * UDP or ICMP checksums are right? The tests check every packet the engine
 * emits with it.
 */
bool atnet_flow_csum_ok(const u8 *buf, size_t len)
{
	__be32 saddr, daddr;
	size_t l4_len;
	const u8 *l4;

	if (len < ATNET_IP_HLEN || buf[0] != 0x45 ||
	    atnet_get16(buf + 2) != len || ip_fast_csum(buf, 5))
		return false;
	memcpy(&saddr, buf + 12, 4);
	memcpy(&daddr, buf + 16, 4);
	l4 = buf + ATNET_IP_HLEN;
	l4_len = len - ATNET_IP_HLEN;
	switch (buf[9]) {
	case ATNET_IPPROTO_TCP:
		if (l4_len < ATNET_TCP_HLEN || (l4[12] >> 4) * 4 > l4_len ||
		    (l4[12] >> 4) < 5)
			return false;
		return !atnet_flow_l4_csum(saddr, daddr, buf[9], l4, l4_len);
	case ATNET_IPPROTO_UDP:
		if (l4_len < 8 || atnet_get16(l4 + 4) != l4_len)
			return false;
		return !atnet_flow_l4_csum(saddr, daddr, buf[9], l4, l4_len);
	case ATNET_IPPROTO_ICMP:
		if (l4_len < ATNET_ICMP_HLEN)
			return false;
		return !csum_fold(csum_partial(l4, l4_len, 0));
	}
	return false;
}

void atnet_flow_build_ip(u8 *buf, size_t len, u8 proto, u16 id,
			 __be32 saddr, __be32 daddr)
{
	__sum16 sum;

	buf[0] = 0x45;
	buf[1] = 0;
	atnet_put16(buf + 2, len);
	atnet_put16(buf + 4, id);
	atnet_put16(buf + 6, ATNET_IP_DF);
	buf[8] = ATNET_IP_TTL;
	buf[9] = proto;
	buf[10] = 0;
	buf[11] = 0;
	memcpy(buf + 12, &saddr, 4);
	memcpy(buf + 16, &daddr, 4);
	sum = ip_fast_csum(buf, 5);
	memcpy(buf + 10, &sum, 2);
}

size_t atnet_flow_tcp_hlen(u8 flags)
{
	return ATNET_TCP_HLEN + (flags & ATNET_TCP_SYN ? 4 : 0);
}

/*
 * The TCP header at @buf (payload already in place after it; @len is
 * header and payload) and its checksum. A SYN carries the MSS option.
 */
void atnet_flow_build_tcp(u8 *buf, size_t len, __be32 saddr, __be32 daddr,
			  __be16 sport, __be16 dport, u32 seq, u32 ack,
			  u8 flags, u16 win, u16 mss)
{
	size_t hlen = atnet_flow_tcp_hlen(flags);
	__sum16 sum;

	memcpy(buf, &sport, 2);
	memcpy(buf + 2, &dport, 2);
	atnet_put32(buf + 4, seq);
	atnet_put32(buf + 8, flags & ATNET_TCP_ACK ? ack : 0);
	buf[12] = (hlen / 4) << 4;
	buf[13] = flags;
	atnet_put16(buf + 14, win);
	memset(buf + 16, 0, 4);
	if (flags & ATNET_TCP_SYN) {
		buf[20] = ATNET_TCPOPT_MSS;
		buf[21] = 4;
		atnet_put16(buf + 22, mss);
	}
	sum = atnet_flow_l4_csum(saddr, daddr, ATNET_IPPROTO_TCP, buf, len);
	memcpy(buf + 16, &sum, 2);
}

/* The UDP header at @buf (payload in place; @len: header and payload). */
void atnet_flow_build_udp(u8 *buf, size_t len, __be32 saddr, __be32 daddr,
			  __be16 sport, __be16 dport)
{
	__sum16 sum;

	memcpy(buf, &sport, 2);
	memcpy(buf + 2, &dport, 2);
	atnet_put16(buf + 4, len);
	buf[6] = 0;
	buf[7] = 0;
	sum = atnet_flow_l4_csum(saddr, daddr, ATNET_IPPROTO_UDP, buf, len);
	/* RFC 768: a computed zero is sent as all ones. */
	if (!sum)
		sum = CSUM_MANGLED_0;
	memcpy(buf + 6, &sum, 2);
}

/* The checksum of the ICMP message at @buf (@len bytes). */
void atnet_flow_build_icmp(u8 *buf, size_t len)
{
	__sum16 sum;

	buf[2] = 0;
	buf[3] = 0;
	sum = csum_fold(csum_partial(buf, len, 0));
	memcpy(buf + 2, &sum, 2);
}

/* RFC 792: the original IP header and the first 8 bytes of its data. */
static size_t atnet_flow_icmp_quote(size_t orig_len)
{
	return min_t(size_t, orig_len, ATNET_IP_HLEN + 8);
}

size_t atnet_flow_icmp_err_len(size_t orig_len)
{
	return ATNET_IP_HLEN + ATNET_ICMP_HLEN + atnet_flow_icmp_quote(orig_len);
}

/* The ICMP error at @buf (@len: ICMP header and quote). */
void atnet_flow_build_icmp_err(u8 *buf, size_t len, u8 type, u8 code,
			       const u8 *orig, size_t orig_len)
{
	__sum16 sum;

	buf[0] = type;
	buf[1] = code;
	memset(buf + 2, 0, 6);
	memcpy(buf + ATNET_ICMP_HLEN, orig, atnet_flow_icmp_quote(orig_len));
	sum = csum_fold(csum_partial(buf, len, 0));
	memcpy(buf + 2, &sum, 2);
}
