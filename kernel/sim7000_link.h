/* SPDX-License-Identifier: GPL-2.0 */
/* SIM7000 links (sim7000_link.c), for the dialect's table in sim7000.c. */
#ifndef _ATNET_SIM7000_LINK_H
#define _ATNET_SIM7000_LINK_H

#include <linux/types.h>

struct atnet_modem;

extern const struct atnet_link_ops atnet_sim7000_link_ops;
/* Link URCs: "+CIPRXGET:", "n, CLOSED", "n, REMOTE IP:", ...; lock held. */
bool atnet_sim7000_link_urc(struct atnet_modem *m, const char *line,
			    size_t len);

#endif /* _ATNET_SIM7000_LINK_H */
