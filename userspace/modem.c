// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <linux/atnet.h>

#include "modem.h"

static void copy_str(char *dst, size_t size, const struct nlattr *a)
{
	const char *s = nl_str(a);

	snprintf(dst, size, "%s", s ? s : "");
}

void modem_from_msg(const struct nlmsghdr *nlh, struct modem *m)
{
	const struct nlattr *tb[NL_TB_MAX + 1], *c;

	memset(m, 0, sizeof(*m));
	genl_parse(nlh, tb);
	m->ifindex = nl_u32(tb[ATNET_A_IFINDEX], 0);
	copy_str(m->ifname, sizeof(m->ifname), tb[ATNET_A_IFNAME]);
	copy_str(m->tty, sizeof(m->tty), tb[ATNET_A_TTY]);
	m->state = nl_u8(tb[ATNET_A_STATE], MODEM_NO_STATE);
	copy_str(m->reason, sizeof(m->reason), tb[ATNET_A_REASON]);
	m->owner_pid = nl_u32(tb[ATNET_A_OWNER_PID], 0);
	if (!tb[ATNET_A_CONTEXTS])
		return;
	mnl_attr_for_each_nested(c, tb[ATNET_A_CONTEXTS]) {
		const struct nlattr *ctb[NL_TB_MAX + 1];
		struct modem_ctx *ctx;

		if (mnl_attr_get_type(c) != ATNET_A_CONTEXT ||
		    m->nctx == MODEM_MAX_CTX)
			continue;
		nl_parse_nested(c, ctb);
		ctx = &m->ctx[m->nctx++];
		ctx->id = nl_u8(ctb[ATNET_CTX_A_ID], (uint8_t)(m->nctx - 1));
		ctx->state = nl_u8(ctb[ATNET_CTX_A_STATE], ATNET_CTX_DOWN);
		ctx->addr = nl_u32(ctb[ATNET_CTX_A_ADDR], 0);
		ctx->ifindex = nl_u32(ctb[ATNET_CTX_A_IFINDEX], 0);
	}
}

static int modem_get_cb(const struct nlmsghdr *nlh, void *data)
{
	modem_from_msg(nlh, data);
	return 0;
}

int modem_get(struct genl *g, uint32_t ifindex, struct modem *m)
{
	static char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh;

	memset(m, 0, sizeof(*m));
	m->state = MODEM_NO_STATE;
	nlh = genl_req(g, buf, ATNET_CMD_GET, 0, ifindex);
	return nl_talk(&g->nl, nlh, modem_get_cb, m);
}

struct dump_walk {
	modem_cb cb;
	void *data;
	int ret;
};

static int modem_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_walk *w = data;
	struct modem m;

	/* keep reading to the end of the dump even once cb is satisfied */
	if (w->ret)
		return 0;
	modem_from_msg(nlh, &m);
	w->ret = w->cb(&m, w->data);
	return 0;
}

int modem_dump(struct genl *g, modem_cb cb, void *data)
{
	static char buf[NL_BUFSIZE];
	struct dump_walk w = { cb, data, 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = genl_req(g, buf, ATNET_CMD_GET, NLM_F_DUMP, 0);
	err = nl_talk(&g->nl, nlh, modem_dump_cb, &w);
	return err ? err : w.ret;
}
