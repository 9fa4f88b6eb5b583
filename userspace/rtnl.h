/* SPDX-License-Identifier: GPL-2.0 */
/* rtnetlink: the context's address (/32, no peer) and routes through it. */
#ifndef _ATNET_RTNL_H
#define _ATNET_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#include "nl.h"

/* Addresses and prefixes are __be32. All return 0 or -errno (ext in nl). */
int rtnl_addr(struct nl *nl, bool add, uint32_t ifindex, uint32_t addr);
/* Set IFF_UP (an up context on a down interface takes no routes). */
int rtnl_link_up(struct nl *nl, uint32_t ifindex);
int rtnl_route(struct nl *nl, bool add, uint32_t ifindex, uint32_t dst,
	       unsigned int plen);

#endif /* _ATNET_RTNL_H */
