// SPDX-License-Identifier: GPL-2.0
/* Command line of "atnet attach". */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "tty.h"
#include "util.h"

#define DEFAULT_BAUD		115200
#define DEFAULT_TIMEOUT_S	60

enum {
	OPT_BAUD = 'b', OPT_FOREGROUND = 'f',
	OPT_FLOW = 256, OPT_LDISC, OPT_APN, OPT_USER, OPT_PASSWORD,
	OPT_CONTEXT, OPT_UP, OPT_WAIT, OPT_KEEP_UP, OPT_ROUTE, OPT_DEFAULT_ROUTE, OPT_TIMEOUT,
};

static const struct option options[] = {
	{ "baud", required_argument, NULL, OPT_BAUD },
	{ "flow", required_argument, NULL, OPT_FLOW },
	{ "ldisc", required_argument, NULL, OPT_LDISC },
	{ "apn", required_argument, NULL, OPT_APN },
	{ "user", required_argument, NULL, OPT_USER },
	{ "password", required_argument, NULL, OPT_PASSWORD },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "up", no_argument, NULL, OPT_UP },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "keep-up", no_argument, NULL, OPT_KEEP_UP },
	{ "route", optional_argument, NULL, OPT_ROUTE },
	{ "default-route", no_argument, NULL, OPT_DEFAULT_ROUTE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "foreground", no_argument, NULL, OPT_FOREGROUND },
	{ NULL, 0, NULL, 0 },
};

/* "A.B.C.D[/LEN]" with no host bits set; no argument is the default route */
static int parse_route(const char *s, struct attach_opts *o)
{
	struct attach_route *r;
	char addr[INET_ADDRSTRLEN];
	const char *slash;
	uint32_t plen = 32, mask;
	size_t n;

	if (o->nroutes == ATTACH_MAX_ROUTES)
		return usage_error("attach: at most %d routes", ATTACH_MAX_ROUTES);
	r = &o->routes[o->nroutes];
	if (!s || !*s)
		s = "0.0.0.0/0";
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(addr))
		goto bad;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (parse_ipv4(addr, &r->dst) || (slash && parse_u32(slash + 1, 32, &plen)))
		goto bad;
	mask = plen ? htonl(~0u << (32 - plen)) : 0;
	if (r->dst & ~mask)
		return usage_error("attach: route %s has host bits set", s);
	r->plen = plen;
	o->nroutes++;
	return 0;
bad:
	return usage_error("attach: bad route '%s' (want A.B.C.D/LEN)", s);
}

int attach_parse(int argc, char **argv, struct attach_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->baud = DEFAULT_BAUD;
	o->ldisc = -1;
	o->timeout_s = DEFAULT_TIMEOUT_S;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:f", options, NULL)) != -1) {
		uint32_t v;

		switch (c) {
		case OPT_BAUD:
			if (parse_u32(optarg, UINT32_MAX, &o->baud) ||
			    !tty_baud_ok(o->baud))
				return usage_error("attach: unsupported baud rate '%s'", optarg);
			break;
		case OPT_FLOW:
			if (!strcmp(optarg, "rtscts"))
				o->rtscts = true;
			else if (strcmp(optarg, "none"))
				return usage_error("attach: --flow none|rtscts, not '%s'", optarg);
			break;
		case OPT_LDISC:
			if (parse_u32(optarg, 255, &v))
				return usage_error("attach: bad line discipline '%s'", optarg);
			o->ldisc = (int)v;
			break;
		case OPT_APN:
			o->apn = optarg;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_PASSWORD:
			o->password = optarg;
			break;
		case OPT_CONTEXT:
			if (parse_u32(optarg, 255, &o->context))
				return usage_error("attach: bad context '%s'", optarg);
			break;
		case OPT_UP:
			o->up = true;
			break;
		case OPT_WAIT:
			o->wait = true;
			break;
		case OPT_KEEP_UP:
			o->keep_up = o->up = true;
			break;
		case OPT_ROUTE:
			if (parse_route(optarg, o))
				return EXIT_USAGE;
			break;
		case OPT_DEFAULT_ROUTE:
			if (parse_route(NULL, o))
				return EXIT_USAGE;
			break;
		case OPT_TIMEOUT:
			if (parse_u32(optarg, 3600, &o->timeout_s) || !o->timeout_s)
				return usage_error("attach: bad timeout '%s'", optarg);
			break;
		case OPT_FOREGROUND:
			o->foreground = true;
			break;
		case ':':
			return usage_error("attach: option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("attach: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_error("attach: missing tty");
	if (optind + 1 != argc)
		return usage_error("attach: unexpected argument '%s'", argv[optind + 1]);
	o->tty = argv[optind];
	if ((o->user || o->password) && !o->apn)
		return usage_error("attach: --user and --password go with --apn");
	if (o->wait && !o->up)
		return usage_error("attach: --wait goes with --up");
	return 0;
}
