/* SPDX-License-Identifier: GPL-2.0 */
/* The "atnet" generic netlink family: resolving it and building requests. */
#ifndef _ATNET_GENL_H
#define _ATNET_GENL_H

#include <linux/genetlink.h>

#include "nl.h"

struct genl {
	struct nl nl;
	uint16_t family;
	uint32_t events_group;	/* 0 if the kernel has no events group */
};

/* Open and resolve the family; prints the error itself. 0 or -1. */
int genl_open(struct genl *g);
void genl_close(struct genl *g);
int genl_join_events(struct genl *g);

/* Start a request for cmd in buf (NL_BUFSIZE bytes), naming ifindex if != 0. */
struct nlmsghdr *genl_req(struct genl *g, void *buf, uint8_t cmd,
			  uint16_t flags, uint32_t ifindex);

/*
 * RESOLVE, PING, LISTENER_*: acked at once, answered later (uapi
 * "Requests"). cb gets the answer; its error form becomes -errno with the
 * message in g->nl.ext. 0 or -errno.
 */
int genl_ask(struct genl *g, struct nlmsghdr *nlh, nl_msg_cb cb, void *data);

/* Parse an atnet message's top-level attributes. */
void genl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb);

#endif /* _ATNET_GENL_H */
