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
#include <linux/lockdep.h>
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
 * Work that URCs and completions leave for atnet_modem_settle() (bits of
 * m->todo, set and cleared under m->lock). Its dispatcher handles them in
 * this order, which is their priority: a restart makes a power-down before
 * it moot, a modem that restarted or powered down needs no revive, and
 * contexts, liveness and links are only looked at on a modem still there.
 */
enum atnet_todo {
	ATNET_TODO_RESTARTED,	/* a power-up banner, or echo after an autobaud */
	ATNET_TODO_POWER_DOWN,	/* the modem said it switches off (power_down_why) */
	ATNET_TODO_REVIVED,	/* a silent failed modem answered the revive poll */
	ATNET_TODO_DEACT,	/* a context deactivation URC that names none */
	ATNET_TODO_CHECK_ALIVE,	/* a command timed out: is the modem still there? */
	ATNET_TODO_RECONCILE,	/* check the link table with the dialect's reconcile */
};

struct atnet_ctx {
	struct net_device *dev;		/* NULL until registered, and after teardown */
	u8 id;
	enum atnet_ctx_state state;
	bool want_up;			/* asked for by ndo_open or CONTEXT_UP */
	bool need_shut;			/* the dialect's shut owed before the next activation */
	bool lost;			/* deactivated by the network during activation */
	bool verify;			/* an unnamed deactivation: is this one still up? */
	__be32 addr;
	char apn[ATNET_APN_MAX + 1];
	char user[ATNET_CRED_MAX + 1];
	char password[ATNET_CRED_MAX + 1];
};

/* A script: AT steps run one after the other by script.c's runner. */
struct atnet_script {
	const struct atnet_step *steps;
	unsigned int n;
	/* 0 on success; otherwise m->reason says why. Lock held. */
	void (*done)(struct atnet_modem *m, int err);
};

/* The script runner's place (script.c): one script at a time. */
struct atnet_run {
	const struct atnet_script *script;	/* NULL: none runs */
	unsigned int step;
	unsigned int sub_step;		/* within steps[step].sub */
	unsigned int tries;
	int ctx;			/* context a control script works on */
	u64 retry_at;			/* ms; 0 = no retry pending */
};

/*
 * Keeping the modem honest (recover.c): the liveness check, the revive poll
 * of a silent failed modem, link reconciliation and the recovery ladder.
 */
struct atnet_recovery {
	u64 seen_timeouts;		/* chat timeouts already acted upon */
	u64 seen_errors;		/* chat errors already counted as faults */
	u64 alive_echoes;		/* chat echoes when the liveness check began */
	bool silent;			/* FAILED because it stopped answering */
	bool revive_busy;		/* revive_cmd is queued */
	u32 revive_gen;			/* m->gen when revive_cmd was sent */
	u64 probe_at;			/* ms: the last probe started */
	u64 revive_at;			/* ms: next AT to a silent failed modem */
	struct atnet_chat_cmd revive_cmd;	/* that AT */
	bool reconciling;		/* the dialect's reconcile runs (it clears this) */
	u64 reconcile_until;		/* ms: its lines are given up on; 0 = none owed */
	u64 status_at;			/* ms: last reconcile started */
	unsigned int faults;		/* in the current recovery window */
	u64 fault_at;			/* ms: last fault */
	u8 ladder;			/* recovery steps taken in this window */
	u64 reconciles;
	u64 links_lost;
	u64 recover_close;
	u64 recover_shut;
	u64 recover_reset;
	struct atnet_chat_cmd reset_cmd;	/* the ladder's last step */
};

/* The transmit path (modem.c). */
struct atnet_tx {
	spinlock_t lock;		/* tty and fifo; bh-safe (write_wakeup) */
	struct tty_struct *tty;		/* NULL once detached */
	DECLARE_KFIFO(fifo, u8, ATNET_TX_FIFO);
	u8 buf[256];
	struct work_struct work;
	u64 overflows;
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
	void *dialect_priv;		/* the dialect's own state, freed with the modem */
	/* The dialect identified last (dialect_priv is its): kept in a re-probe. */
	const struct atnet_dialect_ops *last_dialect;
	enum atnet_modem_state state;
	char reason[ATNET_REASON_MAX];
	char model[ATNET_IDENT_MAX];
	char firmware[ATNET_IDENT_MAX];
	char operator[ATNET_IDENT_MAX];
	u8 signal;
	u8 reg;
	u64 restarts;
	bool synced;			/* answered AT since the last (re)start */
	unsigned long todo;		/* enum atnet_todo bits: handled in settle */
	char power_down_why[32];	/* the power-down URC */

	struct atnet_chat chat;
	struct delayed_work timer_work;	/* chat deadlines and retry pauses */
	struct atnet_run run;
	struct atnet_recovery rec;

	/* Requests (request.c): per kind, in order; the first has the modem. */
	struct list_head reqs[ATNET_REQ_KINDS];
	u64 req_rest[ATNET_REQ_KINDS];	/* ms: the kind's next command waits */
	struct atnet_listener lsn;	/* the TCP server (listen.c) */

	struct atnet_ctx ctx[ATNET_CONTEXTS];
	unsigned int n_ctx;		/* contexts the dialect offers (1 until identified) */
	struct work_struct netdev_work;	/* registers the extra contexts' interfaces */

	/* Owned by link.c (the socket layer): atnet_links_init()/_destroy(). */
	struct atnet_link *links[ATNET_LINKS_MAX];
	void *link_priv;

	struct atnet_tx tx;
};

/*
 * Messages about one modem start with its tty's name, as the kernel's own
 * tty_warn() and friends do, but from the copy taken at attach: the tty may
 * be gone (hangup) when they print. Messages about one context's interface
 * use netdev_*() on it instead. Use these, never pr_*("%s:", tty_name).
 */
#define atnet_msg(pr, m, fmt, ...) pr("%s: " fmt, (m)->tty_name, ##__VA_ARGS__)
#define atnet_err(m, ...)		atnet_msg(pr_err, m, __VA_ARGS__)
#define atnet_warn(m, ...)		atnet_msg(pr_warn, m, __VA_ARGS__)
#define atnet_info(m, ...)		atnet_msg(pr_info, m, __VA_ARGS__)
#define atnet_dbg(m, ...)		atnet_msg(pr_debug, m, __VA_ARGS__)
#define atnet_warn_ratelimited(m, ...)	atnet_msg(pr_warn_ratelimited, m, __VA_ARGS__)
#define atnet_info_ratelimited(m, ...)	atnet_msg(pr_info_ratelimited, m, __VA_ARGS__)

struct atnet_modem *atnet_modem_create(struct tty_struct *tty);
void atnet_modem_start(struct atnet_modem *m);
void atnet_modem_kill(struct atnet_modem *m, const char *why);
void atnet_modem_destroy(struct atnet_modem *m);
void atnet_modem_receive(struct atnet_modem *m, const u8 *buf, size_t len);
void atnet_modem_rx_lost(struct atnet_modem *m);
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

/* Leave work for settle's dispatcher (enum atnet_todo). Lock held. */
static inline void atnet_modem_todo(struct atnet_modem *m,
				    enum atnet_todo what)
{
	lockdep_assert_held(&m->lock);
	set_bit(what, &m->todo);
}

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
void atnet_probe_alive_done(struct atnet_modem *m, int err);

/* Between modem.c and recover.c; lock held. */
void atnet_modem_kick(struct atnet_modem *m);
void atnet_modem_forget(struct atnet_modem *m);
void atnet_modem_restarted(struct atnet_modem *m);
void atnet_modem_powered_down(struct atnet_modem *m);
void atnet_modem_revived(struct atnet_modem *m);
void atnet_modem_deact(struct atnet_modem *m);
void atnet_recover_failed(struct atnet_modem *m);
void atnet_recover_reset(struct atnet_modem *m);
u64 atnet_recover_due(struct atnet_modem *m);
void atnet_recover_tick(struct atnet_modem *m, u64 now);

#endif /* _ATNET_MODEM_H */
