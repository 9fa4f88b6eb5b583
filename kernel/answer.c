// SPDX-License-Identifier: GPL-2.0
/*
 * Pure parsers of modem answers (answer.h). Fields are split by
 * atnet_chat_fields() and numbers read by atnet_chat_uint(), so every
 * answer is cut and quoted the same way; this file only adds the shapes.
 *
 * Addresses are read here rather than with in4_pton(): the kernel's takes
 * any byte it does not know as the end of the address ("1.2.3.4 x" and
 * "1.2.3.4:80" pass) and octets of any number of leading zeros, and it does
 * not build in userspace. A modem prints neither.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <string.h>
#endif

#include "answer.h"

/*
 * Up to @max dot-separated octets of 1-3 digits, 0-255, and nothing else:
 * the number read, or -EINVAL (empty octet, more than @max, stray byte).
 */
static int atnet_parse_octets(const char *s, u8 *oct, int max)
{
	int n = 0, digits;
	u32 v;

	for (;;) {
		v = 0;
		for (digits = 0; *s >= '0' && *s <= '9'; s++) {
			if (++digits > 3)
				return -EINVAL;
			v = v * 10 + (*s - '0');
		}
		if (!digits || v > 255 || n == max)
			return -EINVAL;
		oct[n++] = v;
		if (!*s)
			return n;
		if (*s++ != '.')
			return -EINVAL;
	}
}

int atnet_parse_ipv4(const char *s, __be32 *addr)
{
	u8 oct[4];

	if (atnet_parse_octets(s, oct, 4) != 4)
		return -EINVAL;
	memcpy(addr, oct, 4);
	return 0;
}

int atnet_parse_addr_mask(const char *s, __be32 *addr, __be32 *mask)
{
	u8 oct[8];
	int n = atnet_parse_octets(s, oct, 8);

	if (n != 4 && n != 8)
		return -EINVAL;
	if (n == 4)
		memset(oct + 4, 0, 4);
	memcpy(addr, oct, 4);
	if (mask)
		memcpy(mask, oct + 4, 4);
	return 0;
}

int atnet_parse_cgcontrdp(const char *rest, __be32 *addr, __be32 *mask)
{
	char buf[ATNET_CGCONTRDP_MAX];
	const char *f[4];

	if (atnet_chat_fields(rest, buf, sizeof(buf), f, 4) < 4)
		return -EINVAL;
	return atnet_parse_addr_mask(f[3], addr, mask);
}

int atnet_parse_cdnsgip(const char *rest, struct atnet_dns_answer *a)
{
	const char *f[2 + ATNET_DNS_ADDRS];
	int n, i, first;

	n = atnet_chat_fields(rest, a->buf, sizeof(a->buf), f, 2 + ATNET_DNS_ADDRS);
	if (n < 1)
		return -EINVAL;
	a->fields = n;
	a->error = 0;
	a->host = NULL;
	a->n_addrs = 0;
	if (!strcmp(f[0], "0")) {
		a->kind = ATNET_DNS_ERROR;
		if (n < 2 || atnet_chat_uint(f[1], 0xffff, &a->error))
			a->error = 0xffff;
		return 0;
	}
	if (!strcmp(f[0], "1")) {
		a->kind = ATNET_DNS_FOUND;
		if (n >= 2)
			a->host = f[1];
		first = 2;
	} else {
		a->kind = ATNET_DNS_BARE;
		first = 0;
	}
	for (i = first; i < n && a->n_addrs < ATNET_DNS_ADDRS; i++)
		if (!atnet_parse_ipv4(f[i], &a->addrs[a->n_addrs]))
			a->n_addrs++;
	return 0;
}

const char *atnet_cdnsgip_error(u32 code, int *err)
{
	/* SIM7000 Series AT Command Manual, AT+CDNSGIP <errcode>. */
	switch (code) {
	case 8:
		*err = -ENOENT;
		return "host not found (+CDNSGIP: 0,8: DNS error)";
	case 3:
		*err = -ENETUNREACH;
		return "no network for DNS (+CDNSGIP: 0,3: network error)";
	case 10:
		*err = -ETIMEDOUT;
		return "DNS timed out in the modem (+CDNSGIP: 0,10)";
	default:
		*err = -EIO;
		return "the modem's DNS failed (+CDNSGIP: 0,<code>; see dmesg)";
	}
}

int atnet_parse_cipping(const char *rest, struct atnet_ping_answer *p)
{
	const char *f[4];
	char buf[64];

	if (atnet_chat_fields(rest, buf, sizeof(buf), f, 4) != 4 ||
	    atnet_chat_uint(f[0], ATNET_PING_SEQ_MAX, &p->seq) ||
	    atnet_parse_ipv4(f[1], &p->addr) ||
	    atnet_chat_uint(f[2], 100000, &p->rtt) ||
	    atnet_chat_uint(f[3], 255, &p->ttl))
		return -EINVAL;
	return 0;
}

int atnet_parse_cipsend(const char *rest, u32 *slot, u32 *size)
{
	const char *f[2];
	char buf[32];

	if (atnet_chat_fields(rest, buf, sizeof(buf), f, 2) != 2 ||
	    atnet_chat_uint(f[0], 255, slot) ||
	    atnet_chat_uint(f[1], 65535, size))
		return -EINVAL;
	return 0;
}

int atnet_parse_cipstatus(const char *rest, struct atnet_cipstatus_answer *c)
{
	const char *f[6];
	u32 port;

	if (atnet_chat_fields(rest, c->buf, sizeof(c->buf), f, 6) != 6 ||
	    atnet_chat_uint(f[0], 255, &c->slot))
		return -EINVAL;
	c->port = atnet_chat_uint(f[4], 65535, &port) ? -1 : (int)port;
	c->state = f[5];
	return 0;
}
