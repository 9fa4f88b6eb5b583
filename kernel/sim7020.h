/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIM7020 dialect internals, shared by sim7020.c (control plane) and
 * sim7020_link.c (sockets). Everything here runs with m->lock held.
 */
#ifndef _ATNET_SIM7020_H
#define _ATNET_SIM7020_H

#include <linux/bits.h>
#include <linux/types.h>

#include "chat.h"
#include "modem.h"

struct atnet_modem;
struct atnet_link;

#define SIM7020_MAX_LINKS	5	/* the application note, 3.1: ids 0..4 */
#define SIM7020_BIN_MAX		1024	/* AT+CSODSEND / one +CSONMI */
/*
 * AT+CSOSEND=id,len,"<hex>" (SIM7020 Series TCP/IP Application Note,
 * section 3.5): hex doubles every byte on the command line, and <len>
 * counts the hex characters. 1024 of them, 512
 * bytes, is what one command carries here (the simulator's firmware takes
 * the same); the data goes as the command's tail, after its text.
 */
#define SIM7020_HEX_MAX		512

/* What this firmware accepted at bring-up (atnet_sim7020.flags). */
#define SIM7020_F_SENDFLAG	BIT(0)	/* AT+CSOSENDFLAG=1: "SEND: id,len" */
#define SIM7020_F_BIN_RX	BIT(1)	/* AT+CSORCVFLAG=1: binary +CSONMI */
#define SIM7020_F_BIN_TX	BIT(2)	/* AT+CSODSEND */
#define SIM7020_F_PDN		BIT(3)	/* AT+CGACT? said cid 1 is active */
#define SIM7020_F_APN_DIFF	BIT(4)	/* the modem's APN is not ours: cycle */
#define SIM7020_F_APN_FAIL	BIT(5)	/* AT*MCGDEFCONT refused ours */

/* m->dialect_priv of a SIM7020. */
struct atnet_sim7020 {
	unsigned long flags;		/* SIM7020_F_* */
	bool radio_cycle;		/* our AT+CFUN=0/1: +CPIN: NOT READY is no restart */
	u8 csocl_next;			/* the bring-up's next AT+CSOCL id */

	/* The +CSONMI payload being received (one at a time per modem). */
	struct atnet_link *nmi_link;	/* NULL: dropping it */
	size_t nmi_left;		/* payload characters still owed */
	int nmi_nibble;			/* hex: high nibble waiting, or -1 */
	bool nmi_hex;
	bool nmi_bad;			/* a character that is not hex */
	u64 nmi_orphans;		/* bytes for sockets we do not know */

	/* Hex AT+CSOSEND data per link: quoted hex, the command's tail. */
	char hex[SIM7020_MAX_LINKS][2 * SIM7020_HEX_MAX + 2];
};

static inline struct atnet_sim7020 *atnet_sim7020(struct atnet_modem *m)
{
	return m->dialect_priv;
}

/* sim7020.c */
extern const struct atnet_dialect_ops atnet_sim7020_dialect;
extern const struct atnet_chat_frame atnet_sim7020_frames[];
int atnet_sim7020_fire(struct atnet_modem *m, u32 timeout_ms,
		       enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *,
						       const char *, size_t),
		       const char *fmt, ...) __printf(4, 5);
void atnet_sim7020_bearer_check(struct atnet_modem *m);
void atnet_sim7020_reap(struct atnet_modem *m);

/* sim7020_link.c */
extern const struct atnet_link_ops atnet_sim7020_link_ops;
bool atnet_sim7020_link_urc(struct atnet_modem *m, const char *line,
			    size_t len);
int atnet_sim7020_errno(int code, bool connecting);

#endif /* _ATNET_SIM7020_H */
