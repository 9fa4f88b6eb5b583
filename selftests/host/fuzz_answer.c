// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the answer parsers (kernel/answer.c).
 *
 * The input, cut at its first NUL, is handed to every parser as a line
 * would be (the chat engine's lines are NUL-terminated). Besides the
 * sanitizers, each result is checked against what the parsers promise:
 * counts in range, pointers into the answer's own buffer, and an address
 * accepted only when it prints back as the same dotted quad (modulo
 * leading zeros).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"

#define ASSERT(c) do { if (!(c)) { \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); abort(); } \
} while (0)

static bool in_buf(const char *p, const char *buf, size_t size)
{
	return p >= buf && p < buf + size && memchr(p, '\0', buf + size - p);
}

/* Octets by hand, the way inet_pton(3) reads them but with zeros allowed. */
static void check_ipv4(const char *s)
{
	unsigned int o[4];
	char tail;
	__be32 a, want;
	int r = atnet_parse_ipv4(s, &a);
	int dots = 0;
	const char *p;

	ASSERT(r == 0 || r == -EINVAL);
	if (r)
		return;
	for (p = s; *p; p++) {
		ASSERT((*p >= '0' && *p <= '9') || *p == '.');
		dots += *p == '.';
	}
	ASSERT(dots == 3 && strlen(s) <= 15);
	ASSERT(sscanf(s, "%u.%u.%u.%u%c", &o[0], &o[1], &o[2], &o[3],
		      &tail) == 4);
	ASSERT(o[0] < 256 && o[1] < 256 && o[2] < 256 && o[3] < 256);
	want = htonl(o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3]);
	ASSERT(a == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct atnet_cipstatus_answer c;
	struct atnet_ping_answer p;
	struct atnet_dns_answer d;
	__be32 addr, mask;
	u32 slot, max_send;
	char *s = malloc(size + 1);
	int r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	check_ipv4(s);

	r = atnet_parse_addr_mask(s, &addr, &mask);
	ASSERT(r == 0 || r == -EINVAL);
	r = atnet_parse_addr_mask(s, &addr, NULL);
	ASSERT(r == 0 || r == -EINVAL);
	r = atnet_parse_cgcontrdp(s, &addr, &mask);
	ASSERT(r == 0 || r == -EINVAL);

	r = atnet_parse_cdnsgip(s, &d);
	ASSERT(r == 0 || r == -EINVAL);
	if (!r) {
		ASSERT(d.fields >= 1 && d.fields <= 2 + ATNET_DNS_ADDRS);
		ASSERT(d.n_addrs >= 0 && d.n_addrs <= ATNET_DNS_ADDRS);
		ASSERT(d.kind == ATNET_DNS_ERROR || d.kind == ATNET_DNS_FOUND ||
		       d.kind == ATNET_DNS_BARE);
		if (d.kind == ATNET_DNS_ERROR)
			ASSERT(d.n_addrs == 0 && d.error <= 0xffff);
		if (d.kind == ATNET_DNS_FOUND) {
			ASSERT(d.n_addrs <= d.fields - 2 || !d.n_addrs);
			ASSERT(!d.host == (d.fields < 2));
			if (d.host)
				ASSERT(in_buf(d.host, d.buf, sizeof(d.buf)));
		}
		if (d.kind == ATNET_DNS_BARE)
			ASSERT(d.n_addrs <= d.fields);
	}

	r = atnet_parse_cipping(s, &p);
	ASSERT(r == 0 || r == -EINVAL);
	if (!r)
		ASSERT(p.seq <= ATNET_PING_SEQ_MAX && p.rtt <= 100000 &&
		       p.ttl <= 255);

	r = atnet_parse_cipsend(s, &slot, &max_send);
	ASSERT(r == 0 || r == -EINVAL);
	if (!r)
		ASSERT(slot <= 255 && max_send <= 65535);

	r = atnet_parse_cipstatus(s, &c);
	ASSERT(r == 0 || r == -EINVAL);
	if (!r) {
		ASSERT(c.slot <= 255 && c.port >= -1 && c.port <= 65535);
		ASSERT(in_buf(c.state, c.buf, sizeof(c.buf)));
	}
	free(s);
	return 0;
}
