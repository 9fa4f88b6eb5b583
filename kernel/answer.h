/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure parsers of modem answers: a line (or the rest of it after its
 * "+XYZ:" prefix) in, numbers and addresses out. No state, no locks, no
 * kernel API, so answer.c builds in userspace like chat.c and is unit-tested
 * and fuzzed there (selftests/host). What an answer means for a request or
 * a link stays with the caller; the forms are those of the SIM7000 Series
 * AT Command Manual and of SIMCom's TCP/IP application notes for the
 * SIM7000 and SIM7020 series, and what real firmware prints besides.
 */
#ifndef _ATNET_ANSWER_H
#define _ATNET_ANSWER_H

#include "chat.h"

#include <linux/atnet.h>		/* ATNET_HOST_MAX */

/*
 * A strict dotted quad "a.b.c.d": four decimal octets of 1-3 digits, each
 * 0-255, nothing before or after. 0 and the address in network order, or
 * -EINVAL (and *addr untouched).
 */
int atnet_parse_ipv4(const char *s, __be32 *addr);

/*
 * AT+CGCONTRDP's address field (SIM7020): address and mask run together as
 * eight octets "a.b.c.d.m.m.m.m"; plain "a.b.c.d" is taken too (mask 0).
 * Octets as atnet_parse_ipv4(). @mask may be NULL.
 */
int atnet_parse_addr_mask(const char *s, __be32 *addr, __be32 *mask);

/*
 * "+CGCONTRDP: cid,bearer,"apn","a.b.c.d.m.m.m.m"[,...]" after its prefix:
 * the fourth field through atnet_parse_addr_mask(). Lines no longer than
 * ATNET_CGCONTRDP_MAX - 1 bytes (at least a step answer, dialect.h).
 */
#define ATNET_CGCONTRDP_MAX	128
int atnet_parse_cgcontrdp(const char *rest, __be32 *addr, __be32 *mask);

/* AT+CDNSGIP: addresses one answer line can carry. */
#define ATNET_DNS_ADDRS		4

enum atnet_dns_kind {
	ATNET_DNS_ERROR,	/* "0,err": the lookup failed */
	ATNET_DNS_FOUND,	/* "1,"host","ip"[,"ip2"...]": SIM7000 form */
	ATNET_DNS_BARE,		/* "ip"[,...]: SIM7020 (its TCP/IP note, 2.3) */
};

struct atnet_dns_answer {
	enum atnet_dns_kind kind;
	int fields;		/* comma-separated fields seen (at most 2 + ADDRS) */
	u32 error;		/* ERROR: the code; 0xffff missing or unreadable */
	const char *host;	/* FOUND: the name asked for, NULL if absent */
	int n_addrs;		/* readable addresses, in the order given */
	__be32 addrs[ATNET_DNS_ADDRS];
	char buf[ATNET_HOST_MAX + 100];
};

/*
 * "+CDNSGIP: ..." after its prefix, every form both dialects print. Field
 * one "0" is ERROR, "1" FOUND, anything else BARE (all fields addresses).
 * Fields that are no address are skipped: the caller decides whether an
 * answer without one is an error. 0, or -EINVAL for no fields or unbalanced
 * quotes. @a->host points into @a->buf.
 */
int atnet_parse_cdnsgip(const char *rest, struct atnet_dns_answer *a);

/*
 * The <errcode> of "+CDNSGIP: 0,<errcode>": a negative errno in *@err and a
 * message for the caller (a string literal: static). Codes without their
 * own meaning are -EIO.
 */
const char *atnet_cdnsgip_error(u32 code, int *err);

/* AT+CIPPING: the largest sequence number either dialect accepts. */
#define ATNET_PING_SEQ_MAX	1000

struct atnet_ping_answer {
	u32 seq;
	__be32 addr;
	u32 rtt;		/* the modem's 100 ms units */
	u32 ttl;
};

/*
 * "+CIPPING: i,"ip",rtt,ttl" after its prefix (quotes optional, fields
 * beyond four ignored): seq 0-ATNET_PING_SEQ_MAX, ip a dotted quad, rtt
 * 0-100000, ttl 0-255. 0 or -EINVAL.
 */
int atnet_parse_cipping(const char *rest, struct atnet_ping_answer *p);

struct atnet_cipstatus_answer {
	u32 slot;		/* 0-255 */
	int port;		/* -1 when empty or unreadable (idle slot) */
	const char *state;	/* "CONNECTED", "INITIAL", ...; into @buf */
	char buf[96];
};

/*
 * One link's line of AT+CIPSTATUS, "n,bearer,"TCP","ip","port","STATE""
 * (after "C:" or "+CIPSTATUS:"); the address is not read. 0 or -EINVAL
 * (fewer than six fields, slot not a number up to 255).
 */
int atnet_parse_cipstatus(const char *rest, struct atnet_cipstatus_answer *c);

/*
 * "+CIPSEND: n,size" of AT+CIPSEND? (after its prefix): what one AT+CIPSEND
 * may carry on link n now (fields past two ignored). Slot 0-255, size
 * 0-65535; the caller applies the dialect's bounds. 0 or -EINVAL.
 */
int atnet_parse_cipsend(const char *rest, u32 *slot, u32 *size);

#endif /* _ATNET_ANSWER_H */
