// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/atnet.h>

#include "genl.h"
#include "util.h"

static int genl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_MAX + 1], *grp;
	struct genl *g = data;

	nl_parse(nlh, GENL_HDRLEN, tb);
	g->family = nl_u16(tb[CTRL_ATTR_FAMILY_ID], 0);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *gtb[NL_TB_MAX + 1];
		const char *name;

		nl_parse_nested(grp, gtb);
		name = nl_str(gtb[CTRL_ATTR_MCAST_GRP_NAME]);
		if (name && !strcmp(name, ATNET_GENL_MCGRP_EVENTS))
			g->events_group = nl_u32(gtb[CTRL_ATTR_MCAST_GRP_ID], 0);
	}
	return 0;
}

int genl_open(struct genl *g)
{
	char buf[8192];
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;
	int err;

	memset(g, 0, sizeof(*g));
	err = nl_open(&g->nl, NETLINK_GENERIC);
	if (err) {
		nl_perror(NULL, err, "generic netlink socket");
		return -1;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	gh = mnl_nlmsg_put_extra_header(nlh, sizeof(*gh));
	gh->cmd = CTRL_CMD_GETFAMILY;
	gh->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ATNET_GENL_NAME);

	err = nl_talk(&g->nl, nlh, genl_family_cb, g);
	if (err == -ENOENT || (!err && !g->family)) {
		errorf("family " ATNET_GENL_NAME " not found: is the module loaded?");
		goto fail;
	}
	if (err) {
		nl_perror(&g->nl, err, "resolving family " ATNET_GENL_NAME);
		goto fail;
	}
	return 0;
fail:
	nl_close(&g->nl);
	return -1;
}

void genl_close(struct genl *g)
{
	nl_close(&g->nl);
}

int genl_join_events(struct genl *g)
{
	if (!g->events_group) {
		errorf("family " ATNET_GENL_NAME " has no \"" ATNET_GENL_MCGRP_EVENTS "\" group");
		return -1;
	}
	if (mnl_socket_setsockopt(g->nl.sock, NETLINK_ADD_MEMBERSHIP,
				  &g->events_group, sizeof(g->events_group)) < 0) {
		nl_perror(NULL, -errno, "joining the events group");
		return -1;
	}
	return 0;
}

struct nlmsghdr *genl_req(struct genl *g, void *buf, uint8_t cmd,
			  uint16_t flags, uint32_t ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *gh;

	nlh->nlmsg_type = g->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	gh = mnl_nlmsg_put_extra_header(nlh, sizeof(*gh));
	gh->cmd = cmd;
	gh->version = ATNET_GENL_VERSION;
	if (ifindex)
		mnl_attr_put_u32(nlh, ATNET_A_IFINDEX, ifindex);
	return nlh;
}

void genl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	nl_parse(nlh, GENL_HDRLEN, tb);
}

struct genl_answer {
	struct nl *nl;
	nl_msg_cb cb;
	void *data;
};

static int genl_answer_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NL_TB_MAX + 1];
	struct genl_answer *a = data;
	const char *msg;

	genl_parse(nlh, tb);
	if (tb[ATNET_A_ERRNO]) {
		msg = nl_str(tb[ATNET_A_ERRMSG]);
		if (msg)
			snprintf(a->nl->ext, sizeof(a->nl->ext), "%s", msg);
		return -(int)nl_u32(tb[ATNET_A_ERRNO], EIO);
	}
	return a->cb ? a->cb(nlh, a->data) : 0;
}

int genl_ask(struct genl *g, struct nlmsghdr *nlh, nl_msg_cb cb, void *data)
{
	struct genl_answer a = { .nl = &g->nl, .cb = cb, .data = data };

	return nl_ask(&g->nl, nlh, genl_answer_cb, &a);
}
