// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the answer parsers (kernel/answer.c), plain TAP.
 *
 * Valid forms are the ones real modems and SIMCom's application notes give
 * (SIM7000 and SIM7020 Series TCP/IP Application Notes); the malformed ones
 * are what a noisy line or other firmware could bring: missing fields,
 * overlong lines, octets out of range, too few or too many octets, spaces,
 * junk, empty input.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CHECK_STR(a, b) do {						\
	const char *_a = (a), *_b = (b);				\
	if (!_a || strcmp(_a, _b))					\
		fail(__LINE__, "%s == \"%s\", expected \"%s\"", #a,	\
		     _a ? _a : "(null)", _b);				\
} while (0)

static __be32 ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return (__be32)a.s_addr;
}

static void t_ipv4_valid(void)
{
	static const char *const ok[] = {
		"10.78.245.128",	/* AT+CIFSR, at-reference.md */
		"0.0.0.0", "255.255.255.255", "1.2.3.4", "192.168.0.1",
		"8.8.8.8", "100.64.0.1",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		__be32 a = 0x5a5a5a5a;

		if (atnet_parse_ipv4(ok[i], &a))
			fail(__LINE__, "\"%s\" refused", ok[i]);
		else if (a != ip(ok[i]))
			fail(__LINE__, "\"%s\" read as %08x", ok[i], a);
	}
	/* Leading zeros within three digits, as sim7020 always took them. */
	{
		__be32 a;

		CHECK_EQ(atnet_parse_ipv4("010.000.001.009", &a), 0);
		CHECK_EQ(a, ip("10.0.1.9"));
	}
}

static void t_ipv4_malformed(void)
{
	static const char *const bad[] = {
		"", ".", "...", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3",
		"1..2.3", "256.1.1.1", "1.2.3.256", "1.2.3.999", "1000.1.1.1",
		"0001.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1. 2.3.4", "1.2.3.4\t",
		"1.2.3.4:80", "1.2.3.4x", "x1.2.3.4", "1.2.3.a", "0x1.2.3.4",
		"-1.2.3.4", "+1.2.3.4", "1,2,3,4", "\"1.2.3.4\"", "1.2.3.4\"",
		"ERROR", "1.2.3.4.255.255.255.0", "4294967296.1.1.1",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		__be32 a = 0x5a5a5a5a;

		if (atnet_parse_ipv4(bad[i], &a) != -EINVAL)
			fail(__LINE__, "\"%s\" taken", bad[i]);
		else if (a != 0x5a5a5a5a)
			fail(__LINE__, "\"%s\" wrote the address", bad[i]);
	}
}

static void t_addr_mask(void)
{
	__be32 a, m;

	CHECK_EQ(atnet_parse_addr_mask("10.250.0.213.255.255.255.0", &a, &m), 0);
	CHECK_EQ(a, ip("10.250.0.213"));
	CHECK_EQ(m, ip("255.255.255.0"));
	CHECK_EQ(atnet_parse_addr_mask("10.250.0.213", &a, &m), 0);
	CHECK_EQ(a, ip("10.250.0.213"));
	CHECK_EQ(m, 0);
	CHECK_EQ(atnet_parse_addr_mask("10.250.0.213", &a, NULL), 0);
	CHECK_EQ(atnet_parse_addr_mask("1.2.3.4.5", &a, &m), -EINVAL);
	CHECK_EQ(atnet_parse_addr_mask("1.2.3.4.5.6.7", &a, &m), -EINVAL);
	CHECK_EQ(atnet_parse_addr_mask("1.2.3.4.5.6.7.8.9", &a, &m), -EINVAL);
	CHECK_EQ(atnet_parse_addr_mask("1.2.3.4.5.6.7.256", &a, &m), -EINVAL);
	CHECK_EQ(atnet_parse_addr_mask("1.2.3", &a, &m), -EINVAL);
	CHECK_EQ(atnet_parse_addr_mask("", &a, &m), -EINVAL);
	CHECK_EQ(atnet_parse_addr_mask("1.2.3.4 .5.6.7.8", &a, &m), -EINVAL);
}

static void t_cgcontrdp(void)
{
	char big[300];
	__be32 a, m;

	/* SIM7020: address and mask in one field. */
	CHECK_EQ(atnet_parse_cgcontrdp(" 1,5,\"apn\",\"10.250.0.213.255.255.255.0\"",
				       &a, &m), 0);
	CHECK_EQ(a, ip("10.250.0.213"));
	CHECK_EQ(m, ip("255.255.255.0"));
	/* Newer firmware appends gateway, DNS, ...: ignored. */
	CHECK_EQ(atnet_parse_cgcontrdp(" 1,5,\"ctnb\",\"10.1.2.3.255.0.0.0\",\"10.1.2.1\",\"8.8.8.8\"",
				       &a, &m), 0);
	CHECK_EQ(a, ip("10.1.2.3"));
	CHECK_EQ(m, ip("255.0.0.0"));
	CHECK_EQ(atnet_parse_cgcontrdp(" 1,5,\"apn\"", &a, &m), -EINVAL);
	CHECK_EQ(atnet_parse_cgcontrdp("", &a, &m), -EINVAL);
	CHECK_EQ(atnet_parse_cgcontrdp(" 1,5,\"apn\",\"\"", &a, &m), -EINVAL);
	CHECK_EQ(atnet_parse_cgcontrdp(" 1,5,\"apn,\"1.2.3.4\"", &a, &m),
		 -EINVAL);
	CHECK_EQ(atnet_parse_cgcontrdp(" 1,5,\"apn\",\"10.250.0.256.255.255.255.0\"",
				       &a, &m), -EINVAL);
	/* Longer than ATNET_CGCONTRDP_MAX - 1: refused, not cut. */
	snprintf(big, sizeof(big), " 1,5,\"%0*d\",\"1.2.3.4.255.0.0.0\"",
		 (int)ATNET_CGCONTRDP_MAX, 0);
	CHECK_EQ(atnet_parse_cgcontrdp(big, &a, &m), -EINVAL);
}

static void t_cdnsgip_valid(void)
{
	struct atnet_dns_answer d;

	/* SIM7000: after the OK. */
	CHECK_EQ(atnet_parse_cdnsgip(" 1,\"example.com\",\"93.184.216.34\"",
				     &d), 0);
	CHECK_EQ(d.kind, ATNET_DNS_FOUND);
	CHECK_STR(d.host, "example.com");
	CHECK_EQ(d.fields, 3);
	CHECK_EQ(d.n_addrs, 1);
	CHECK_EQ(d.addrs[0], ip("93.184.216.34"));

	CHECK_EQ(atnet_parse_cdnsgip(" 1,\"a.b\",\"1.2.3.4\",\"5.6.7.8\"", &d), 0);
	CHECK_EQ(d.kind, ATNET_DNS_FOUND);
	CHECK_EQ(d.n_addrs, 2);
	CHECK_EQ(d.addrs[0], ip("1.2.3.4"));
	CHECK_EQ(d.addrs[1], ip("5.6.7.8"));

	/* Errors: 8 DNS error, 3 network error. */
	CHECK_EQ(atnet_parse_cdnsgip(" 0,8", &d), 0);
	CHECK_EQ(d.kind, ATNET_DNS_ERROR);
	CHECK_EQ(d.error, 8);
	CHECK_EQ(d.n_addrs, 0);
	CHECK_EQ(atnet_parse_cdnsgip(" 0,3", &d), 0);
	CHECK_EQ(d.error, 3);
	CHECK_EQ(atnet_parse_cdnsgip(" 0", &d), 0);
	CHECK_EQ(d.kind, ATNET_DNS_ERROR);
	CHECK_EQ(d.error, 0xffff);
	CHECK_EQ(atnet_parse_cdnsgip(" 0,x", &d), 0);
	CHECK_EQ(d.error, 0xffff);
	CHECK_EQ(atnet_parse_cdnsgip(" 0,65536", &d), 0);
	CHECK_EQ(d.error, 0xffff);

	/* SIM7020, its application note 2.3: before the OK, no quotes. */
	CHECK_EQ(atnet_parse_cdnsgip(" 10.0.0.7", &d), 0);
	CHECK_EQ(d.kind, ATNET_DNS_BARE);
	CHECK_EQ(d.fields, 1);
	CHECK_EQ(d.n_addrs, 1);
	CHECK_EQ(d.addrs[0], ip("10.0.0.7"));
	CHECK_EQ(atnet_parse_cdnsgip("10.0.0.7", &d), 0);
	CHECK_EQ(d.n_addrs, 1);
	CHECK_EQ(atnet_parse_cdnsgip(" \"10.0.0.7\"", &d), 0);
	CHECK_EQ(d.n_addrs, 1);
}

static void t_cdnsgip_malformed(void)
{
	struct atnet_dns_answer d;
	char big[ATNET_HOST_MAX + 200];

	CHECK_EQ(atnet_parse_cdnsgip("", &d), -EINVAL);
	CHECK_EQ(atnet_parse_cdnsgip("   ", &d), -EINVAL);
	CHECK_EQ(atnet_parse_cdnsgip(" 1,\"host,\"1.2.3.4\"", &d), -EINVAL);

	/* Found without host or address: the caller decides. */
	CHECK_EQ(atnet_parse_cdnsgip(" 1", &d), 0);
	CHECK_EQ(d.kind, ATNET_DNS_FOUND);
	CHECK(!d.host);
	CHECK_EQ(d.fields, 1);
	CHECK_EQ(atnet_parse_cdnsgip(" 1,\"h\"", &d), 0);
	CHECK_STR(d.host, "h");
	CHECK_EQ(d.fields, 2);
	CHECK_EQ(d.n_addrs, 0);

	/* Unreadable addresses are skipped, the readable kept in order. */
	CHECK_EQ(atnet_parse_cdnsgip(" 1,\"h\",\"1.2.3.256\",\"1.2.3\",\"9.9.9.9\"",
				     &d), 0);
	CHECK_EQ(d.n_addrs, 1);
	CHECK_EQ(d.addrs[0], ip("9.9.9.9"));
	CHECK_EQ(atnet_parse_cdnsgip(" 1,\"h\",\"1.2.3.4.5\",\" 1.2.3.4 x\"", &d),
		 0);
	CHECK_EQ(d.n_addrs, 0);
	CHECK_EQ(atnet_parse_cdnsgip(" 1.2.3", &d), 0);
	CHECK_EQ(d.kind, ATNET_DNS_BARE);
	CHECK_EQ(d.n_addrs, 0);
	CHECK_EQ(atnet_parse_cdnsgip(" 01,\"h\",\"1.2.3.4\"", &d), 0);
	CHECK_EQ(d.kind, ATNET_DNS_BARE);	/* "01" is not "1" */
	CHECK_EQ(d.fields, 3);

	/* More addresses than room: the first ATNET_DNS_ADDRS. */
	CHECK_EQ(atnet_parse_cdnsgip(" 1,h,1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5",
				     &d), 0);
	CHECK_EQ(d.fields, 2 + ATNET_DNS_ADDRS);
	CHECK_EQ(d.n_addrs, ATNET_DNS_ADDRS);
	CHECK_EQ(d.addrs[3], ip("4.4.4.4"));

	/* Overlong: refused whole. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ(atnet_parse_cdnsgip(big, &d), -EINVAL);
}

static void t_cipping(void)
{
	struct atnet_ping_answer p;
	char big[100];

	/* SIM7000: quoted address; SIM7020: bare. */
	CHECK_EQ(atnet_parse_cipping(" 1,\"8.8.8.8\",3,116", &p), 0);
	CHECK_EQ(p.seq, 1);
	CHECK_EQ(p.addr, ip("8.8.8.8"));
	CHECK_EQ(p.rtt, 3);
	CHECK_EQ(p.ttl, 116);
	CHECK_EQ(atnet_parse_cipping(" 4,10.0.0.1,600,255", &p), 0);
	CHECK_EQ(p.seq, 4);
	CHECK_EQ(p.rtt, 600);
	CHECK_EQ(p.ttl, 255);
	CHECK_EQ(atnet_parse_cipping(" 1000,1.2.3.4,100000,0", &p), 0);
	/* Fields beyond four: newer firmware, ignored. */
	CHECK_EQ(atnet_parse_cipping(" 2,\"1.2.3.4\",1,64,extra", &p), 0);

	CHECK_EQ(atnet_parse_cipping("", &p), -EINVAL);
	CHECK_EQ(atnet_parse_cipping(" 1,\"8.8.8.8\",3", &p), -EINVAL);
	CHECK_EQ(atnet_parse_cipping(" 1001,1.2.3.4,1,1", &p), -EINVAL);
	CHECK_EQ(atnet_parse_cipping(" 1,1.2.3.4,100001,1", &p), -EINVAL);
	CHECK_EQ(atnet_parse_cipping(" 1,1.2.3.4,1,256", &p), -EINVAL);
	CHECK_EQ(atnet_parse_cipping(" 1,1.2.3.256,1,1", &p), -EINVAL);
	CHECK_EQ(atnet_parse_cipping(" 1,1.2.3,1,1", &p), -EINVAL);
	CHECK_EQ(atnet_parse_cipping(" 1,,1,1", &p), -EINVAL);
	CHECK_EQ(atnet_parse_cipping(" -1,1.2.3.4,1,1", &p), -EINVAL);
	CHECK_EQ(atnet_parse_cipping(" 1,1.2.3.4,1 0,1", &p), -EINVAL);
	CHECK_EQ(atnet_parse_cipping(" list of supported (IP address),(1-100),(1-1460),(1-1000),(1-255)",
				     &p), -EINVAL);
	snprintf(big, sizeof(big), " 1,\"1.2.3.4\",1,1%70s", "");
	CHECK_EQ(atnet_parse_cipping(big, &p), -EINVAL);
}

static void t_cipstatus(void)
{
	struct atnet_cipstatus_answer c;

	/* The link line: "C: n,bearer,"TCP","ip","port","STATE"". */
	CHECK_EQ(atnet_parse_cipstatus(" 0,0,\"TCP\",\"93.184.216.34\",\"80\",\"CONNECTED\"",
				       &c), 0);
	CHECK_EQ(c.slot, 0);
	CHECK_EQ(c.port, 80);
	CHECK_STR(c.state, "CONNECTED");
	CHECK_EQ(atnet_parse_cipstatus(" 7,,\"\",\"\",\"\",\"INITIAL\"", &c), 0);
	CHECK_EQ(c.slot, 7);
	CHECK_EQ(c.port, -1);
	CHECK_STR(c.state, "INITIAL");
	CHECK_EQ(atnet_parse_cipstatus(" 3,0,\"UDP\",\"1.2.3.4\",\"65535\",\"CLOSED\"",
				       &c), 0);
	CHECK_EQ(c.port, 65535);
	CHECK_EQ(atnet_parse_cipstatus(" 3,0,\"UDP\",\"1.2.3.4\",\"65536\",\"CLOSED\"",
				       &c), 0);
	CHECK_EQ(c.port, -1);
	CHECK_EQ(atnet_parse_cipstatus(" 255,0,a,b,1,X", &c), 0);

	CHECK_EQ(atnet_parse_cipstatus("", &c), -EINVAL);
	CHECK_EQ(atnet_parse_cipstatus(" 0,0,\"TCP\",\"1.2.3.4\",\"80\"", &c),
		 -EINVAL);
	CHECK_EQ(atnet_parse_cipstatus(" 256,0,a,b,1,X", &c), -EINVAL);
	CHECK_EQ(atnet_parse_cipstatus(" x,0,a,b,1,X", &c), -EINVAL);
	CHECK_EQ(atnet_parse_cipstatus(" 1,0,\"a,b,1,X", &c), -EINVAL);
	{
		char big[200];

		snprintf(big, sizeof(big), " 1,0,TCP,1.2.3.4,80,%0120d", 0);
		CHECK_EQ(atnet_parse_cipstatus(big, &c), -EINVAL);
	}
}

static void t_cipsend(void)
{
	u32 slot = 9, size = 9;

	CHECK_EQ(atnet_parse_cipsend(" 0,1460", &slot, &size), 0);
	CHECK_EQ(slot, 0);
	CHECK_EQ(size, 1460);
	CHECK_EQ(atnet_parse_cipsend("7,0", &slot, &size), 0);
	CHECK_EQ(slot, 7);
	CHECK_EQ(size, 0);
	CHECK_EQ(atnet_parse_cipsend(" 255,65535", &slot, &size), 0);
	CHECK_EQ(atnet_parse_cipsend(" 256,1460", &slot, &size), -EINVAL);
	CHECK_EQ(atnet_parse_cipsend(" 0,65536", &slot, &size), -EINVAL);
	CHECK_EQ(atnet_parse_cipsend(" 0", &slot, &size), -EINVAL);
	/* Fields beyond two are ignored, as atnet_chat_fields() cuts them. */
	CHECK_EQ(atnet_parse_cipsend(" 1,1000,x", &slot, &size), 0);
	CHECK_EQ(size, 1000);
	CHECK_EQ(atnet_parse_cipsend(" 0,-1", &slot, &size), -EINVAL);
	CHECK_EQ(atnet_parse_cipsend(" a,1460", &slot, &size), -EINVAL);
	CHECK_EQ(atnet_parse_cipsend("", &slot, &size), -EINVAL);
}

/* "+CDNSGIP: 0,<errcode>": errno and a message that names the code. */
static void t_cdnsgip_error(void)
{
	struct atnet_dns_answer a;
	int err = 0;

	CHECK_EQ(atnet_parse_cdnsgip(" 0,8", &a), 0);
	CHECK_STR(atnet_cdnsgip_error(a.error, &err),
		  "host not found (+CDNSGIP: 0,8: DNS error)");
	CHECK_EQ(err, -ENOENT);
	CHECK_EQ(!strstr(atnet_cdnsgip_error(3, &err), "0,3"), 0);
	CHECK_EQ(err, -ENETUNREACH);
	CHECK_EQ(!strstr(atnet_cdnsgip_error(10, &err), "0,10"), 0);
	CHECK_EQ(err, -ETIMEDOUT);
	/* Any other code, or none readable (0xffff), is the modem's EIO. */
	atnet_cdnsgip_error(0xffff, &err);
	CHECK_EQ(err, -EIO);
	atnet_cdnsgip_error(1, &err);
	CHECK_EQ(err, -EIO);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "ipv4: valid dotted quads", t_ipv4_valid },
	{ "ipv4: malformed refused, address untouched", t_ipv4_malformed },
	{ "addr+mask: eight octets or four", t_addr_mask },
	{ "+CGCONTRDP: address and mask", t_cgcontrdp },
	{ "+CDNSGIP: SIM7000 and SIM7020 forms", t_cdnsgip_valid },
	{ "+CDNSGIP: malformed", t_cdnsgip_malformed },
	{ "+CDNSGIP: error codes", t_cdnsgip_error },
	{ "+CIPPING: replies and malformed", t_cipping },
	{ "AT+CIPSTATUS link line", t_cipstatus },
	{ "+CIPSEND: link limit", t_cipsend },
};

int main(void)
{
	size_t i;
	int bad = 0;

	printf("TAP version 13\n1..%zu\n", ARRAY_SIZE(tests));
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		failed = 0;
		tests[i].fn();
		bad += !!failed;
		printf("%sok %zu - %s\n", failed ? "not " : "", i + 1,
		       tests[i].name);
	}
	return bad ? 1 : 0;
}
