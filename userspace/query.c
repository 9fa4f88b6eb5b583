// SPDX-License-Identifier: GPL-2.0
/*
 * resolve and ping: questions the modem answers, one request each; the
 * kernel acks at once and answers later (genl_ask()).
 */
#include <string.h>
#include <linux/atnet.h>

#include "commands.h"
#include "genl.h"
#include "names.h"
#include "util.h"

#define PING_DEFAULT_COUNT	4
#define PING_MAX_COUNT		100

static char buf[NL_BUFSIZE];

static int resolve_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_MAX + 1], *a;
	unsigned int *n = data;

	genl_parse(nlh, tb);
	if (!tb[ATNET_A_ADDRS])
		return 0;
	mnl_attr_for_each_nested(a, tb[ATNET_A_ADDRS]) {
		if (mnl_attr_get_type(a) != ATNET_A_ADDR)
			continue;
		printf("%s\n", ip_str(nl_u32(a, 0)));
		(*n)++;
	}
	return 0;
}

int cmd_resolve(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	unsigned int n = 0;
	uint32_t ifindex;
	struct genl g;
	int err;

	if (argc != 3)
		return usage_error("usage: atnet resolve IFACE HOST");
	ifindex = parse_ifname("resolve", argv[1]);
	if (!ifindex || genl_open(&g))
		return 1;
	nlh = genl_req(&g, buf, ATNET_CMD_RESOLVE, 0, ifindex);
	mnl_attr_put_strz(nlh, ATNET_A_HOST, argv[2]);
	err = genl_ask(&g, nlh, resolve_cb, &n);
	if (err)
		nl_perror(&g.nl, err, "resolve %s", argv[2]);
	else if (!n)
		errorf("resolve %s: no address", argv[2]);
	genl_close(&g);
	return err || !n ? 1 : 0;
}

struct ping_stats {
	const char *addr;
	unsigned int received, lost;
	uint32_t min, max;
	uint64_t sum;
};

static void ping_reply(const struct nlattr *nest, struct ping_stats *s)
{
	const struct nlattr *tb[NL_TB_MAX + 1];
	uint32_t rtt;

	nl_parse_nested(nest, tb);
	printf("seq=%u ", nl_u32(tb[ATNET_PING_A_SEQ], 0));
	if (!tb[ATNET_PING_A_RTT_MS]) {
		printf("timeout\n");
		s->lost++;
		return;
	}
	rtt = nl_u32(tb[ATNET_PING_A_RTT_MS], 0);
	printf("reply from %s", s->addr);
	if (tb[ATNET_PING_A_TTL])
		printf(" ttl=%u", nl_u32(tb[ATNET_PING_A_TTL], 0));
	printf(" time=%u ms\n", rtt);
	if (!s->received || rtt < s->min)
		s->min = rtt;
	if (!s->received || rtt > s->max)
		s->max = rtt;
	s->sum += rtt;
	s->received++;
}

static int ping_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_MAX + 1], *a;

	genl_parse(nlh, tb);
	if (!tb[ATNET_A_PING_REPLIES])
		return 0;
	mnl_attr_for_each_nested(a, tb[ATNET_A_PING_REPLIES])
		if (mnl_attr_get_type(a) == ATNET_A_PING_REPLY)
			ping_reply(a, data);
	fflush(stdout);
	return 0;
}

int cmd_ping(int argc, char **argv)
{
	uint32_t ifindex, addr, count = PING_DEFAULT_COUNT;
	const char *ifname = NULL, *host = NULL;
	struct ping_stats s = { 0 };
	struct nlmsghdr *nlh;
	struct genl g;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c")) {
			if (++i == argc || parse_u32(argv[i], PING_MAX_COUNT, &count) ||
			    !count)
				return usage_error("ping: -c needs a count from 1 to %u",
						   PING_MAX_COUNT);
		} else if (!ifname) {
			ifname = argv[i];
		} else if (!host) {
			host = argv[i];
		} else {
			return usage_error("usage: atnet ping IFACE ADDR [-c N]");
		}
	}
	if (!host)
		return usage_error("usage: atnet ping IFACE ADDR [-c N]");
	if (parse_ipv4(host, &addr))
		return usage_error("ping: '%s' is not an IPv4 address", host);
	ifindex = parse_ifname("ping", ifname);
	if (!ifindex || genl_open(&g))
		return 1;

	printf("PING %s via %s: %u requests\n", host, ifname, count);
	fflush(stdout);
	s.addr = host;
	nlh = genl_req(&g, buf, ATNET_CMD_PING, 0, ifindex);
	mnl_attr_put_u32(nlh, ATNET_A_ADDR, addr);
	mnl_attr_put_u32(nlh, ATNET_A_PING_COUNT, count);
	/* An echo takes up to 15 s (SIM7020), other requests take turns. */
	g.nl.ask_ms = NL_ASK_MS + count * 30000;
	err = genl_ask(&g, nlh, ping_cb, &s);
	if (err)
		nl_perror(&g.nl, err, "ping %s", host);
	genl_close(&g);
	if (err)
		return 1;
	printf("--- %s: %u sent, %u received, %u%% loss", host, count,
	       s.received, count > s.received ?
	       (count - s.received) * 100 / count : 0);
	if (s.received)
		printf(", rtt min/avg/max %u/%u/%u ms", s.min,
		       (uint32_t)(s.sum / s.received), s.max);
	printf("\n");
	return s.received ? 0 : 1;
}
