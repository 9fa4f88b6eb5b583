// SPDX-License-Identifier: GPL-2.0
/*
 * "atnet show": every attribute that is present is printed, absent ones are
 * left out and unknown ones ignored, so old tools work with newer modules.
 */
#include <inttypes.h>
#include <string.h>
#include <linux/atnet.h>

#include "commands.h"
#include "genl.h"
#include "names.h"
#include "show.h"
#include "util.h"

typedef const struct nlattr *attr_tb[NL_TB_MAX + 1];

static void show_signal(FILE *f, const struct nlattr **tb)
{
	const char *sep = "  ";

	if (tb[ATNET_A_SIGNAL]) {
		unsigned int rssi = nl_u8(tb[ATNET_A_SIGNAL], 99);

		/* AT+CSQ: 0 is -113 dBm or less, 31 is -51 dBm or more */
		if (rssi <= 31)
			fprintf(f, "%ssignal: %u (%d dBm)", sep, rssi,
				-113 + 2 * (int)rssi);
		else
			fprintf(f, "%ssignal: unknown", sep);
		sep = ", ";
	}
	if (tb[ATNET_A_REG]) {
		fprintf(f, "%sregistration: %s", sep,
			reg_name(nl_u8(tb[ATNET_A_REG], 4)));
		sep = ", ";
	}
	if (nl_str(tb[ATNET_A_OPERATOR])) {
		fprintf(f, "%soperator: \"%s\"", sep, nl_str(tb[ATNET_A_OPERATOR]));
		sep = ", ";
	}
	if (strcmp(sep, "  "))
		fputc('\n', f);
}

static void show_context(FILE *f, const struct nlattr *nest)
{
	attr_tb tb;

	nl_parse_nested(nest, tb);
	fprintf(f, "  context %u: %s", nl_u8(tb[ATNET_CTX_A_ID], 0),
		ctx_state_name(nl_u8(tb[ATNET_CTX_A_STATE], ATNET_CTX_DOWN)));
	if (nl_str(tb[ATNET_CTX_A_APN]))
		fprintf(f, ", apn \"%s\"", nl_str(tb[ATNET_CTX_A_APN]));
	if (nl_str(tb[ATNET_CTX_A_USER]) && *nl_str(tb[ATNET_CTX_A_USER]))
		fprintf(f, ", user \"%s\"", nl_str(tb[ATNET_CTX_A_USER]));
	if (nl_u32(tb[ATNET_CTX_A_ADDR], 0))
		fprintf(f, ", address %s", ip_str(nl_u32(tb[ATNET_CTX_A_ADDR], 0)));
	if (tb[ATNET_CTX_A_IFINDEX])
		fprintf(f, ", interface %s",
			if_str(nl_u32(tb[ATNET_CTX_A_IFINDEX], 0)));
	fputc('\n', f);
}

static void show_link(FILE *f, const struct nlattr *nest)
{
	attr_tb tb;

	nl_parse_nested(nest, tb);
	fprintf(f, "  link %u: %s %s", nl_u8(tb[ATNET_LINK_A_SLOT], 0),
		proto_name(nl_u8(tb[ATNET_LINK_A_PROTO], 0)),
		link_state_name(nl_u8(tb[ATNET_LINK_A_STATE], 0)));
	if (tb[ATNET_LINK_A_REMOTE_ADDR])
		fprintf(f, " %s:%u", ip_str(nl_u32(tb[ATNET_LINK_A_REMOTE_ADDR], 0)),
			nl_u16(tb[ATNET_LINK_A_REMOTE_PORT], 0));
	if (tb[ATNET_LINK_A_LOCAL_PORT])
		fprintf(f, ", local port %u", nl_u16(tb[ATNET_LINK_A_LOCAL_PORT], 0));
	if (tb[ATNET_LINK_A_CONTEXT])
		fprintf(f, ", context %u", nl_u8(tb[ATNET_LINK_A_CONTEXT], 0));
	fprintf(f, ", tx %" PRIu64 " rx %" PRIu64,
		nl_u64(tb[ATNET_LINK_A_TX_BYTES], 0),
		nl_u64(tb[ATNET_LINK_A_RX_BYTES], 0));
	if (tb[ATNET_LINK_A_ACKED])
		fprintf(f, " acked %" PRIu64, nl_u64(tb[ATNET_LINK_A_ACKED], 0));
	if (tb[ATNET_LINK_A_NACKED])
		fprintf(f, " unacked %" PRIu64, nl_u64(tb[ATNET_LINK_A_NACKED], 0));
	if (tb[ATNET_LINK_A_RX_DROPPED])
		fprintf(f, " rx-dropped %" PRIu64,
			nl_u64(tb[ATNET_LINK_A_RX_DROPPED], 0));
	fputs(" bytes", f);
	if (tb[ATNET_LINK_A_MAX_SEND])
		fprintf(f, ", max send %u", nl_u32(tb[ATNET_LINK_A_MAX_SEND], 0));
	if (nl_str(tb[ATNET_LINK_A_MODEM_STATE]))
		fprintf(f, ", modem \"%s\"", nl_str(tb[ATNET_LINK_A_MODEM_STATE]));
	fputc('\n', f);
}

static void show_listener(FILE *f, const struct nlattr *nest)
{
	attr_tb tb;

	nl_parse_nested(nest, tb);
	if (!nl_u8(tb[ATNET_LSN_A_STATE], 0)) {
		fputs("  listener: off\n", f);
		return;
	}
	fprintf(f, "  listener: port %u, context %u\n",
		nl_u16(tb[ATNET_LSN_A_PORT], 0), nl_u8(tb[ATNET_LSN_A_CONTEXT], 0));
}

static void show_counters(FILE *f, const struct nlattr *nest)
{
	static const char *const names[] = {
		[ATNET_CNT_A_CMDS] = "commands",
		[ATNET_CNT_A_TIMEOUTS] = "timeouts",
		[ATNET_CNT_A_ERRORS] = "errors",
		[ATNET_CNT_A_GARBAGE] = "garbage",
		[ATNET_CNT_A_URCS] = "urcs",
		[ATNET_CNT_A_RESTARTS] = "restarts",
		[ATNET_CNT_A_RECONCILES] = "reconciles",
		[ATNET_CNT_A_LINKS_LOST] = "links-lost",
		[ATNET_CNT_A_RECOVER_CLOSE] = "recover-close",
		[ATNET_CNT_A_RECOVER_SHUT] = "recover-shut",
		[ATNET_CNT_A_RECOVER_RESET] = "recover-reset",
		[ATNET_CNT_A_LINES] = "lines",
		[ATNET_CNT_A_OVERLONG] = "overlong",
		[ATNET_CNT_A_STRAYS] = "strays",
		[ATNET_CNT_A_CANCELS] = "cancels",
		[ATNET_CNT_A_SYNCS] = "syncs",
		[ATNET_CNT_A_NOBUFS] = "nobufs",
		[ATNET_CNT_A_DAMAGED] = "damaged",
		[ATNET_CNT_A_TX_OVERFLOWS] = "tx-overflows",
	};
	const char *sep = "  counters: ";
	unsigned int i;
	attr_tb tb;

	nl_parse_nested(nest, tb);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!names[i] || !tb[i])
			continue;
		fprintf(f, "%s%s %" PRIu64, sep, names[i], nl_u64(tb[i], 0));
		sep = ", ";
	}
	fputc('\n', f);
}

void show_modem(FILE *f, const struct nlmsghdr *nlh)
{
	const struct nlattr *a;
	attr_tb tb;

	genl_parse(nlh, tb);
	if (nl_str(tb[ATNET_A_IFNAME]))
		fputs(nl_str(tb[ATNET_A_IFNAME]), f);
	else
		fputs(if_str(nl_u32(tb[ATNET_A_IFINDEX], 0)), f);
	fprintf(f, ": tty %s", nl_str(tb[ATNET_A_TTY]) ? nl_str(tb[ATNET_A_TTY]) : "?");
	if (tb[ATNET_A_OWNER_PID])
		fprintf(f, ", owner pid %u", nl_u32(tb[ATNET_A_OWNER_PID], 0));
	fputc('\n', f);

	if (nl_str(tb[ATNET_A_MODEL]) || tb[ATNET_A_DIALECT]) {
		fprintf(f, "  modem: %s", nl_str(tb[ATNET_A_MODEL]) ?
			nl_str(tb[ATNET_A_MODEL]) : "?");
		if (tb[ATNET_A_DIALECT])
			fprintf(f, " (%s)", dialect_name(nl_u8(tb[ATNET_A_DIALECT], 0)));
		if (nl_str(tb[ATNET_A_FIRMWARE]))
			fprintf(f, ", firmware %s", nl_str(tb[ATNET_A_FIRMWARE]));
		fputc('\n', f);
	}
	if (tb[ATNET_A_STATE]) {
		fprintf(f, "  state: %s", modem_state_name(nl_u8(tb[ATNET_A_STATE], 0)));
		if (nl_str(tb[ATNET_A_REASON]) && *nl_str(tb[ATNET_A_REASON]))
			fprintf(f, " (%s)", nl_str(tb[ATNET_A_REASON]));
		fputc('\n', f);
	}
	show_signal(f, tb);
	if (tb[ATNET_A_CONTEXTS])
		mnl_attr_for_each_nested(a, tb[ATNET_A_CONTEXTS])
			if (mnl_attr_get_type(a) == ATNET_A_CONTEXT)
				show_context(f, a);
	if (tb[ATNET_A_LINKS])
		mnl_attr_for_each_nested(a, tb[ATNET_A_LINKS])
			if (mnl_attr_get_type(a) == ATNET_A_LINK)
				show_link(f, a);
	if (tb[ATNET_A_LISTENER])
		show_listener(f, tb[ATNET_A_LISTENER]);
	if (tb[ATNET_A_COUNTERS])
		show_counters(f, tb[ATNET_A_COUNTERS]);
}

/* One line per event: "IFACE EVENT key=value...", easy to grep. */
void show_event(FILE *f, const struct nlmsghdr *nlh)
{
	attr_tb tb;

	genl_parse(nlh, tb);
	/* the interface may be gone already (modem gone): prefer its name */
	fprintf(f, "%s %s", nl_str(tb[ATNET_A_IFNAME]) ? nl_str(tb[ATNET_A_IFNAME]) :
		if_str(nl_u32(tb[ATNET_A_IFINDEX], 0)),
		event_name(nl_u8(tb[ATNET_A_EVENT], ATNET_EV_NONE)));
	if (tb[ATNET_A_STATE])
		fprintf(f, " state=%s", modem_state_name(nl_u8(tb[ATNET_A_STATE], 0)));
	if (tb[ATNET_A_CONTEXT]) {
		attr_tb ctb;

		nl_parse_nested(tb[ATNET_A_CONTEXT], ctb);
		if (ctb[ATNET_CTX_A_ID])
			fprintf(f, " context=%u", nl_u8(ctb[ATNET_CTX_A_ID], 0));
		if (ctb[ATNET_CTX_A_STATE])
			fprintf(f, " context-state=%s",
				ctx_state_name(nl_u8(ctb[ATNET_CTX_A_STATE], 0)));
		if (nl_u32(ctb[ATNET_CTX_A_ADDR], 0))
			fprintf(f, " address=%s", ip_str(nl_u32(ctb[ATNET_CTX_A_ADDR], 0)));
	}
	if (tb[ATNET_A_LINK]) {
		attr_tb ltb;

		nl_parse_nested(tb[ATNET_A_LINK], ltb);
		fprintf(f, " link=%u", nl_u8(ltb[ATNET_LINK_A_SLOT], 0));
	}
	if (nl_str(tb[ATNET_A_REASON]) && *nl_str(tb[ATNET_A_REASON]))
		fprintf(f, " reason=\"%s\"", nl_str(tb[ATNET_A_REASON]));
	fputc('\n', f);
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	bool *first = data;

	if (!*first)
		fputc('\n', stdout);
	*first = false;
	show_modem(stdout, nlh);
	return 0;
}

int cmd_show(int argc, char **argv)
{
	static char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh;
	uint32_t ifindex = 0;
	bool first = true;
	struct genl g;
	int err;

	if (argc > 2)
		return usage_error("show: too many arguments");
	if (argc == 2 && !(ifindex = parse_ifname("show", argv[1])))
		return 1;
	if (genl_open(&g))
		return 1;
	nlh = genl_req(&g, buf, ATNET_CMD_GET, ifindex ? 0 : NLM_F_DUMP, ifindex);
	err = nl_talk(&g.nl, nlh, show_cb, &first);
	if (err)
		nl_perror(&g.nl, err, "show%s%s", ifindex ? " " : "",
			  ifindex ? argv[1] : "");
	genl_close(&g);
	return err ? 1 : 0;
}
