/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few facts about a modem that the tool itself acts on (attach, detach,
 * the address daemon), extracted from ATNET_CMD_GET answers.
 */
#ifndef _ATNET_MODEM_H
#define _ATNET_MODEM_H

#include <net/if.h>
#include <stdint.h>

#include "genl.h"

#define MODEM_NO_STATE	0xff
#define MODEM_MAX_CTX	8

struct modem_ctx {
	uint8_t id;
	uint8_t state;
	uint32_t addr;		/* __be32, 0 if none */
	uint32_t ifindex;	/* 0 if not reported */
};

struct modem {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	char tty[64];
	uint8_t state;		/* MODEM_NO_STATE if not reported */
	char reason[128];
	uint32_t owner_pid;
	unsigned int nctx;
	struct modem_ctx ctx[MODEM_MAX_CTX];
};

typedef int (*modem_cb)(const struct modem *m, void *data);

void modem_from_msg(const struct nlmsghdr *nlh, struct modem *m);
/* GET (do) for one interface. 0 or -errno (extack in g->nl.ext). */
int modem_get(struct genl *g, uint32_t ifindex, struct modem *m);
/* GET (dump); cb returning non-zero stops the walk and is returned. */
int modem_dump(struct genl *g, modem_cb cb, void *data);

#endif /* _ATNET_MODEM_H */
