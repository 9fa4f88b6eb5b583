/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "atnet" (uapi/linux/atnet.h documents it). */
#ifndef _ATNET_NETLINK_H
#define _ATNET_NETLINK_H

#include <linux/types.h>

struct atnet_modem;

int atnet_netlink_init(void);
void atnet_netlink_exit(void);

/* Events to the "events" group; all with m->lock held. */
void atnet_nl_event_state(struct atnet_modem *m);
void atnet_nl_event_ctx(struct atnet_modem *m, int event, int ctx,
			const char *why);
void atnet_nl_event_restart(struct atnet_modem *m);
void atnet_nl_event_warning(struct atnet_modem *m, const char *what);
void atnet_nl_event_link_closed(struct atnet_modem *m, int slot);

#endif /* _ATNET_NETLINK_H */
