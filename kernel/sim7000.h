/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIM7000 dialect internals, shared by sim7000.c (control plane) and
 * sim7000_link.c (links). Everything here runs with m->lock held.
 */
#ifndef _ATNET_SIM7000_H
#define _ATNET_SIM7000_H

#include <linux/types.h>

#include "chat.h"
#include "link.h"
#include "modem.h"

#define SIM7000_MAX_LINKS	8	/* SIM7000 TCP/IP Application Note: links 0..7 */

/*
 * Link reconciliation: the answer to AT+CIPSTATUS ("OK", then "STATE:",
 * "S:" for the server and one "C:" line per slot) as it comes in. While it
 * runs m->rec.reconciling is set, and m->rec.reconcile_until once the OK is in and
 * the lines follow as URCs.
 */
struct atnet_sim7000_status {
	bool server;			/* an "S:" line said LISTENING */
	u8 seen;			/* bitmap of slots with a "C:" line */
	u8 alive;			/* bitmap: the modem holds them open */
	u32 gen[SIM7000_MAX_LINKS];	/* link generations when asked */
	char state[SIM7000_MAX_LINKS][16];
	struct atnet_chat_cmd cmd;
	struct atnet_chat_cmd send_cmd;	/* AT+CIPSEND? after it */
	bool send_busy;
};

/* m->dialect_priv of a SIM7000. */
struct atnet_sim7000 {
	int cur_ctx;			/* AT+CIPSGTXT selection, -1 unknown */
	int clport[2];			/* AT+CLPORT "TCP", "UDP" as set, -1 unknown */
	struct atnet_sim7000_status status;
};

static inline struct atnet_sim7000 *atnet_sim7000(struct atnet_modem *m)
{
	return m->dialect_priv;
}

/* sim7000.c */
extern const struct atnet_dialect_ops atnet_sim7000_dialect;
extern const struct atnet_chat_frame atnet_sim7000_frames[];

#endif /* _ATNET_SIM7000_H */
