/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "atnet" (uapi/linux/atnet.h documents it). */
#ifndef _ATNET_NETLINK_H
#define _ATNET_NETLINK_H

#include <linux/netlink.h>
#include <linux/types.h>

struct atnet_modem;

/*
 * NL_SET_ERR_MSG() for a message chosen at run time (r->msg, a table's):
 * the macro takes a string literal only, which it copies into a static
 * array of its own. @msg must be static as well: the extack keeps the
 * pointer. @extack may be NULL, as for the macro.
 */
static inline void atnet_nl_set_err_msg(struct netlink_ext_ack *extack,
					const char *msg)
{
	do_trace_netlink_extack(msg);
	if (extack)
		extack->_msg = msg;
}

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
