// SPDX-License-Identifier: GPL-2.0
/*
 * fakemsg modem|events: render hand-built atnet messages with the tool's
 * own show_modem()/show_event(), for comparison with expected output. The
 * messages carry attributes from a future uapi (type 200, and unknown ones
 * inside nests) that must be skipped.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <linux/atnet.h>
#include <linux/genetlink.h>

#include "../nl.h"
#include "../show.h"

#define FUTURE	200	/* an attribute this tool does not know */

static char buf[NL_BUFSIZE];

static struct nlmsghdr *msg(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *gh = mnl_nlmsg_put_extra_header(nlh, sizeof(*gh));

	gh->cmd = cmd;
	gh->version = ATNET_GENL_VERSION;
	return nlh;
}

static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	mnl_attr_put(nlh, type, sizeof(v), &v);
}

static void ctx(struct nlmsghdr *nlh, uint8_t id, uint8_t state,
		const char *apn, const char *addr, uint32_t ifindex)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, ATNET_A_CONTEXT);

	mnl_attr_put_u8(nlh, ATNET_CTX_A_ID, id);
	mnl_attr_put_strz(nlh, ATNET_CTX_A_APN, apn);
	mnl_attr_put_u8(nlh, ATNET_CTX_A_STATE, state);
	if (addr)
		mnl_attr_put_u32(nlh, ATNET_CTX_A_ADDR, inet_addr(addr));
	mnl_attr_put_u32(nlh, ATNET_CTX_A_IFINDEX, ifindex);
	mnl_attr_put_u32(nlh, FUTURE, 7);
	mnl_attr_nest_end(nlh, n);
}

static void modem(void)
{
	struct nlmsghdr *nlh = msg(ATNET_CMD_GET);
	struct nlattr *nest, *n;

	mnl_attr_put_u32(nlh, ATNET_A_IFINDEX, 1);
	mnl_attr_put_strz(nlh, ATNET_A_IFNAME, "wwan0");
	mnl_attr_put_strz(nlh, FUTURE, "ignore me");
	mnl_attr_put_strz(nlh, ATNET_A_TTY, "ttyS1");
	mnl_attr_put_strz(nlh, ATNET_A_MODEL, "SIMCOM_SIM7000E");
	mnl_attr_put_strz(nlh, ATNET_A_FIRMWARE, "1351B04SIM7000E");
	mnl_attr_put_u8(nlh, ATNET_A_DIALECT, ATNET_DIALECT_SIM7000);
	mnl_attr_put_u8(nlh, ATNET_A_STATE, ATNET_MODEM_READY);
	mnl_attr_put_u8(nlh, ATNET_A_SIGNAL, 20);
	mnl_attr_put_u8(nlh, ATNET_A_REG, 1);
	mnl_attr_put_strz(nlh, ATNET_A_OPERATOR, "Test Net");
	mnl_attr_put_u32(nlh, ATNET_A_OWNER_PID, 4242);

	nest = mnl_attr_nest_start(nlh, ATNET_A_CONTEXTS);
	ctx(nlh, 0, ATNET_CTX_UP, "internet", "10.64.0.2", 1);
	ctx(nlh, 1, ATNET_CTX_DOWN, "", NULL, 999999);
	mnl_attr_nest_end(nlh, nest);

	nest = mnl_attr_nest_start(nlh, ATNET_A_LINKS);
	n = mnl_attr_nest_start(nlh, ATNET_A_LINK);
	mnl_attr_put_u8(nlh, ATNET_LINK_A_SLOT, 0);
	mnl_attr_put_u8(nlh, ATNET_LINK_A_PROTO, IPPROTO_TCP);
	mnl_attr_put_u8(nlh, ATNET_LINK_A_STATE, ATNET_LINK_CONNECTED);
	mnl_attr_put_u8(nlh, ATNET_LINK_A_CONTEXT, 0);
	mnl_attr_put_u32(nlh, ATNET_LINK_A_REMOTE_ADDR, inet_addr("192.0.2.1"));
	mnl_attr_put_u16(nlh, ATNET_LINK_A_REMOTE_PORT, 7);
	mnl_attr_put_u16(nlh, ATNET_LINK_A_LOCAL_PORT, 40000);
	put_u64(nlh, ATNET_LINK_A_TX_BYTES, 5000000000ull);
	put_u64(nlh, ATNET_LINK_A_RX_BYTES, 12);
	put_u64(nlh, ATNET_LINK_A_ACKED, 10);
	mnl_attr_put_strz(nlh, ATNET_LINK_A_MODEM_STATE, "CONNECTED");
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, ATNET_A_LINK);
	mnl_attr_put_u8(nlh, ATNET_LINK_A_SLOT, 7);
	mnl_attr_put_u8(nlh, ATNET_LINK_A_PROTO, IPPROTO_UDP);
	mnl_attr_put_u8(nlh, ATNET_LINK_A_STATE, 42);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, nest);

	nest = mnl_attr_nest_start(nlh, ATNET_A_LISTENER);
	mnl_attr_put_u16(nlh, ATNET_LSN_A_PORT, 8080);
	mnl_attr_put_u8(nlh, ATNET_LSN_A_CONTEXT, 0);
	mnl_attr_put_u8(nlh, ATNET_LSN_A_STATE, 1);
	mnl_attr_nest_end(nlh, nest);

	nest = mnl_attr_nest_start(nlh, ATNET_A_COUNTERS);
	put_u64(nlh, ATNET_CNT_A_CMDS, 42);
	put_u64(nlh, ATNET_CNT_A_TIMEOUTS, 1);
	put_u64(nlh, ATNET_CNT_A_ERRORS, 2);
	put_u64(nlh, ATNET_CNT_A_GARBAGE, 3);
	put_u64(nlh, ATNET_CNT_A_URCS, 4);
	put_u64(nlh, ATNET_CNT_A_RESTARTS, 5);
	put_u64(nlh, 30, 6);	/* a counter from the future */
	mnl_attr_nest_end(nlh, nest);
	show_modem(stdout, nlh);

	/* a failed modem: just the basics */
	nlh = msg(ATNET_CMD_GET);
	mnl_attr_put_u32(nlh, ATNET_A_IFINDEX, 999999);
	mnl_attr_put_strz(nlh, ATNET_A_TTY, "pts3");
	mnl_attr_put_u8(nlh, ATNET_A_STATE, ATNET_MODEM_FAILED);
	mnl_attr_put_strz(nlh, ATNET_A_REASON, "no answer to AT");
	mnl_attr_put_u8(nlh, ATNET_A_SIGNAL, 99);
	show_modem(stdout, nlh);
}

static void event(uint8_t ev, uint8_t state, const char *reason, int ctx_id,
		  const char *addr, int slot)
{
	struct nlmsghdr *nlh = msg(ATNET_CMD_EVENT);

	mnl_attr_put_u32(nlh, ATNET_A_IFINDEX, 1);
	mnl_attr_put_u8(nlh, ATNET_A_EVENT, ev);
	if (state != 0xff)
		mnl_attr_put_u8(nlh, ATNET_A_STATE, state);
	if (reason)
		mnl_attr_put_strz(nlh, ATNET_A_REASON, reason);
	if (ctx_id >= 0) {
		struct nlattr *n = mnl_attr_nest_start(nlh, ATNET_A_CONTEXT);

		mnl_attr_put_u8(nlh, ATNET_CTX_A_ID, (uint8_t)ctx_id);
		mnl_attr_put_u8(nlh, ATNET_CTX_A_STATE,
				addr ? ATNET_CTX_UP : ATNET_CTX_DOWN);
		if (addr)
			mnl_attr_put_u32(nlh, ATNET_CTX_A_ADDR, inet_addr(addr));
		mnl_attr_nest_end(nlh, n);
	}
	if (slot >= 0) {
		struct nlattr *n = mnl_attr_nest_start(nlh, ATNET_A_LINK);

		mnl_attr_put_u8(nlh, ATNET_LINK_A_SLOT, (uint8_t)slot);
		mnl_attr_nest_end(nlh, n);
	}
	mnl_attr_put_u32(nlh, FUTURE, 1);
	show_event(stdout, nlh);
}

static void events(void)
{
	event(ATNET_EV_MODEM_STATE, ATNET_MODEM_READY, NULL, -1, NULL, -1);
	event(ATNET_EV_MODEM_STATE, ATNET_MODEM_FAILED, "no SIM", -1, NULL, -1);
	event(ATNET_EV_CONTEXT_UP, 0xff, NULL, 0, "10.64.0.2", -1);
	event(ATNET_EV_CONTEXT_DOWN, 0xff, NULL, 0, NULL, -1);
	event(ATNET_EV_CONTEXT_LOST, 0xff, "+PDP: DEACT", 1, NULL, -1);
	event(ATNET_EV_MODEM_RESTART, 0xff, "RDY", -1, NULL, -1);
	event(ATNET_EV_LINK_CLOSED, 0xff, NULL, -1, NULL, 3);
	event(ATNET_EV_MODEM_WARNING, 0xff, "UNDER-VOLTAGE WARNNING", -1, NULL, -1);
	event(99, 0xff, NULL, -1, NULL, -1);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "modem"))
		modem();
	else if (argc == 2 && !strcmp(argv[1], "events"))
		events();
	else
		return 2;
	return 0;
}
