/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One attached modem: the tty it talks through, the chat engine, the probe
 * and control scripts, the PDP contexts with their wwan interfaces, and the
 * link table the socket layer owns. See the lock order at the top of modem.c.
 */
#ifndef _ATNET_MODEM_H
#define _ATNET_MODEM_H

#include <linux/kfifo.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include <linux/atnet.h>

#include "chat.h"
#include "link.h"
#include "listen.h"
#include "request.h"

#define ATNET_TX_FIFO		4096	/* one command plus a 1460-byte payload, twice */
#define ATNET_REASON_MAX	128
#define ATNET_IDENT_MAX		64

struct atnet_dialect_ops;
struct atnet_link;
struct atnet_step;

/*
 * Link reconciliation: the answer to AT+CIPSTATUS ("OK", then "STATE:",
 * "S:" for the server and one "C:" line per slot) as it comes in.
 */
struct atnet_status {
	bool running;			/* command queued or lines expected */
	bool lines;			/* OK seen: the lines follow as URCs */
	bool server;			/* an "S:" line said LISTENING */
	u64 until;			/* ms: give up on missing lines */
	u8 seen;			/* bitmap of slots with a "C:" line */
	u8 alive;			/* bitmap: the modem holds them open */
	u32 gen[ATNET_LINKS_MAX];	/* link generations when asked */
	char state[ATNET_LINKS_MAX][16];
	struct atnet_chat_cmd cmd;
	struct atnet_chat_cmd send_cmd;	/* AT+CIPSEND? after it */
	bool send_busy;
};

struct atnet_ctx {
	struct net_device *dev;		/* NULL until registered, and after teardown */
	u8 id;
	enum atnet_ctx_state state;
	bool want_up;			/* asked for by ndo_open or CONTEXT_UP */
	bool need_shut;			/* AT+CIPSHUT owed before the next activation */
	bool lost;			/* +PDP: DEACT during activation */
	bool verify;			/* +PDP: DEACT: is this one still up? */
	__be32 addr;
	char apn[ATNET_APN_MAX + 1];
	char user[ATNET_CRED_MAX + 1];
	char password[ATNET_CRED_MAX + 1];
};

/* A script: AT steps run one after the other by probe.c's runner. */
struct atnet_script {
	const struct atnet_step *steps;
	unsigned int n;
	/* 0 on success; otherwise m->reason says why. Lock held. */
	void (*done)(struct atnet_modem *m, int err);
};

struct atnet_modem {
	struct kref ref;
	struct list_head node;		/* atnet_modems, under atnet_modems_lock */
	struct net *net;		/* netns of the attaching process */

	/* Everything below is protected by lock unless said otherwise. */
	struct mutex lock;
	bool dead;			/* hung up or detaching: every entry point checks it */
	u32 gen;			/* bumped on restart/failure: drops stale answers */

	char tty_name[64];		/* constant after attach */
	pid_t owner_pid;		/* constant after attach */

	const struct atnet_dialect_ops *dialect;	/* NULL until identified */
	enum atnet_dialect dialect_id;
	enum atnet_modem_state state;
	char reason[ATNET_REASON_MAX];
	char model[ATNET_IDENT_MAX];
	char firmware[ATNET_IDENT_MAX];
	char operator[ATNET_IDENT_MAX];
	u8 signal;
	u8 reg;
	u64 restarts;
	bool synced;			/* answered AT since the last (re)start */
	bool restart_seen;		/* URC said the modem restarted: handled in settle */
	bool pdp_deact;			/* URC +PDP: DEACT: handled in settle */
	bool power_down;		/* URC "... POWER DOWN": handled in settle */
	char power_down_why[32];	/* that URC */
	bool check_alive;		/* a command timed out: is the modem still there? */
	u64 alive_echoes;		/* chat echoes when the liveness check began */
	bool silent;			/* FAILED because it stopped answering */
	bool revive_busy;		/* revive_cmd is queued */
	bool revived;			/* it answered revive_cmd: probe it (settle) */
	u32 revive_gen;			/* m->gen when revive_cmd was sent */
	u64 probe_at;			/* ms: the last probe started */
	u64 revive_at;			/* ms: next AT to a silent failed modem */
	struct atnet_chat_cmd revive_cmd;	/* that AT */
	u64 seen_timeouts;
	int cur_ctx;			/* AT+CIPSGTXT selection, -1 unknown */
	int clport[2];			/* AT+CLPORT "TCP", "UDP" as set, -1 unknown */
	bool radio_cycle;		/* our AT+CFUN=0/1: +CPIN: NOT READY is no restart */
	void *dialect_priv;		/* the dialect's own state, freed with the modem */

	/* Requests (request.c): per kind, in order; the first has the modem. */
	struct list_head reqs[ATNET_REQ_KINDS];
	u64 req_rest[ATNET_REQ_KINDS];	/* ms: the kind's next command waits */
	struct atnet_listener lsn;	/* the TCP server (listen.c) */

	/* Reconciliation and the recovery ladder (modem.c). */
	struct atnet_status status;
	bool need_status;		/* resynchronise links with AT+CIPSTATUS */
	u64 status_at;			/* ms: last AT+CIPSTATUS sent */
	u64 seen_errors;		/* chat errors already counted as faults */
	unsigned int faults;		/* in the current recovery window */
	u64 fault_at;			/* ms: last fault */
	u8 ladder;			/* recovery steps taken in this window */
	u64 reconciles;
	u64 links_lost;
	u64 recover_close;
	u64 recover_shut;
	u64 recover_reset;
	struct atnet_chat_cmd reset_cmd;	/* AT+CFUN=1,1 */

	/* The script runner (probe.c). */
	const struct atnet_script *script;
	unsigned int step;
	unsigned int tries;
	int script_ctx;			/* context a control script works on */
	u64 retry_at;			/* ms; 0 = no retry pending */

	struct atnet_chat chat;
	struct delayed_work timer_work;	/* chat deadlines and retry pauses */
	struct work_struct netdev_work;	/* registers the extra contexts' interfaces */

	struct atnet_ctx ctx[ATNET_CONTEXTS];
	unsigned int n_ctx;		/* contexts the dialect offers (1 until identified) */

	/* Owned by link.c (the socket layer): atnet_links_init()/_destroy(). */
	struct atnet_link *links[ATNET_LINKS_MAX];
	void *link_priv;

	/* Transmit path: tx_lock protects tty and txfifo (bh-safe). */
	spinlock_t tx_lock;
	struct tty_struct *tty;		/* NULL once detached */
	DECLARE_KFIFO(txfifo, u8, ATNET_TX_FIFO);
	u8 txbuf[256];
	struct work_struct tx_work;
	u64 tx_overflows;
};

/*
 * Messages about one modem start with its tty's name, as the kernel's own
 * tty_warn() and friends do, but from the copy taken at attach: the tty may
 * be gone (hangup) when they print. Messages about one context's interface
 * use netdev_*() on it instead. Use these, never pr_*("%s:", tty_name).
 */
#define atnet_err(m, fmt, ...) \
	pr_err("%s: " fmt, (m)->tty_name, ##__VA_ARGS__)
#define atnet_warn(m, fmt, ...) \
	pr_warn("%s: " fmt, (m)->tty_name, ##__VA_ARGS__)
#define atnet_info(m, fmt, ...) \
	pr_info("%s: " fmt, (m)->tty_name, ##__VA_ARGS__)
#define atnet_dbg(m, fmt, ...) \
	pr_debug("%s: " fmt, (m)->tty_name, ##__VA_ARGS__)
#define atnet_warn_ratelimited(m, fmt, ...) \
	pr_warn_ratelimited("%s: " fmt, (m)->tty_name, ##__VA_ARGS__)
#define atnet_info_ratelimited(m, fmt, ...) \
	pr_info_ratelimited("%s: " fmt, (m)->tty_name, ##__VA_ARGS__)

struct atnet_modem *atnet_modem_create(struct tty_struct *tty);
void atnet_modem_start(struct atnet_modem *m);
void atnet_modem_kill(struct atnet_modem *m, const char *why);
void atnet_modem_destroy(struct atnet_modem *m);
void atnet_modem_receive(struct atnet_modem *m, const u8 *buf, size_t len);
void atnet_modem_write_wakeup(struct atnet_modem *m);

void atnet_modem_get(struct atnet_modem *m);
void atnet_modem_put(struct atnet_modem *m);
struct atnet_modem *atnet_modem_get_by_ifindex(struct net *net, int ifindex,
					       int *ctx);
struct atnet_modem *atnet_modem_get_by_ifname(struct net *net,
					      const char *name, int *ctx);
struct atnet_modem *atnet_modem_get_first_up(struct net *net, int *ctx);
int atnet_modem_ifname(struct atnet_modem *m, char *name);
struct atnet_modem *atnet_modem_get_nth(struct net *net, unsigned long idx);

int atnet_modem_submit(struct atnet_modem *m, struct atnet_chat_cmd *cmd);
bool atnet_modem_ctx_up(struct atnet_modem *m, int ctx);
int atnet_modem_ctx_request(struct atnet_modem *m, int ctx, bool up,
			    bool strict, struct netlink_ext_ack *extack);

/* For the dialects and the script runner; lock held. */
u64 atnet_now_ms(void);
void atnet_modem_settle(struct atnet_modem *m);
void atnet_modem_arm(struct atnet_modem *m);
void atnet_modem_set_reason(struct atnet_modem *m, const char *fmt, ...)
	__printf(2, 3);
void atnet_modem_fail(struct atnet_modem *m);
void atnet_modem_ready(struct atnet_modem *m);
void atnet_modem_ctx_set(struct atnet_modem *m, int ctx,
			 enum atnet_ctx_state state, int event,
			 const char *why);
void atnet_modem_fault(struct atnet_modem *m, const char *what);

#endif /* _ATNET_MODEM_H */
