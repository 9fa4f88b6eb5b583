/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A dialect is one modem family's AT: how to bring it up, how to run its
 * contexts, its URCs and its links. probe.c identifies the model with the
 * commands every family answers alike (ts27007.c) and picks the dialect
 * from the model table (dialects.c, never by guessing); every operation
 * runs with m->lock held and is asynchronous: it starts a script and
 * reports through the modem's state.
 */
#ifndef _ATNET_DIALECT_H
#define _ATNET_DIALECT_H

#include <linux/bits.h>
#include <linux/types.h>

#include <linux/atnet.h>

#include "chat.h"

struct atnet_modem;
struct atnet_link;
struct atnet_req;
struct atnet_req_dialect;
struct atnet_script;

/*
 * The socket layer's view of a dialect (see the kernel contract, link.h).
 * recv is optional: a modem that pushes its data (atnet_link_rx_push())
 * has none, and link.c never asks it to pull.
 */
struct atnet_link_ops {
	int (*open)(struct atnet_modem *m, struct atnet_link *l);
	int (*send)(struct atnet_modem *m, struct atnet_link *l, const u8 *buf,
		    size_t len);
	int (*recv)(struct atnet_modem *m, struct atnet_link *l, size_t max);
	int (*close)(struct atnet_modem *m, struct atnet_link *l);
	int (*ack)(struct atnet_modem *m, struct atnet_link *l);
};

/* One URC: lines starting with @prefix go to @handle. */
struct atnet_urc {
	const char *prefix;
	void (*handle)(struct atnet_modem *m, const char *line, size_t len);
};

struct atnet_dialect_ops {
	const char *name;
	enum atnet_dialect id;
	/* Configure an identified modem; ends in atnet_modem_ready/_fail. */
	const struct atnet_script *bring_up;
	/* Activate/deactivate context m->run.ctx; shut: clean up after loss. */
	const struct atnet_script *ctx_up;
	const struct atnet_script *ctx_down;
	const struct atnet_script *ctx_shut;
	/*
	 * Optional: the dialect's context-deactivation URC names no context
	 * (ATNET_TODO_DEACT); with two up, this asks whether context
	 * m->run.ctx still is (ends in done()).
	 */
	const struct atnet_script *ctx_verify;
	/*
	 * Optional, NULL answers -EOPNOTSUPP. server sends the commands of
	 * request @r with atnet_req_submit(), whose ->done() ends in
	 * atnet_req_cmd_done(): start (r->port) or stop (0) the TCP server;
	 * without one, no_server says why (listen.c).
	 * reconcile: send the dialect's link-status command and resynchronise
	 * the link table; m->rec.reconciling is set while it runs (the dialect
	 * clears it), m->rec.reconcile_until while its lines are still owed.
	 */
	int (*server)(struct atnet_modem *m, struct atnet_req *r);
	void (*reconcile)(struct atnet_modem *m);
	/* Offered every line the chat engine calls a URC; first match wins. */
	const struct atnet_urc *urcs;
	unsigned int n_urcs;
	/* Tried before the table: the link layer's URCs. True when consumed. */
	bool (*link_urc)(struct atnet_modem *m, const char *line, size_t len);
	const struct atnet_link_ops *link_ops;
	bool fixed_lport;		/* links may have a bound local port */
	unsigned int max_links;
	unsigned int contexts;
	size_t max_send;
	/* DNS and ping (request.h); NULL: neither (-EOPNOTSUPP). */
	const struct atnet_req_dialect *req;
	/* kzalloc'ed as m->dialect_priv when the model is identified. */
	size_t priv_size;
	/*
	 * Optional: true while the dialect itself cycles the radio, whose
	 * banners (ATNET_BANNER_RADIO) then mean no restart.
	 */
	bool (*radio_cycling)(struct atnet_modem *m);
	/* Recovery step 2's dmesg words, and the reason the contexts get. */
	const char *shut_step;
	const char *shut_why;
	/* The reason a context taken by the unnamed deactivation URC gets. */
	const char *deact_why;
	/* Its data headers for the chat engine (chat.h); NULL for none. */
	const struct atnet_chat_frame *frames;
	/* No ->server(): why, for listen()'s caller (netlink message). */
	const char *no_server;
};

/*
 * One step of a script. The runner sends the command (literal @cmd, or
 * ->build() into a buffer: > 0 its length, 0 skip the step, < 0 fail), keeps
 * the first answer line (the one starting with @prefix, or with @bare the
 * first line that is neither echo, result nor a URC) and asks ->check(): 0
 * goes on, -EAGAIN tries again after @retry_ms while tries remain, anything
 * else fails the script with m->reason set.
 * A step with @sub sends nothing itself: the runner runs that script's steps
 * in its place (one level deep, at least one step; its ->done is not
 * called), so two scripts can share a run of steps.
 */
struct atnet_step {
	const struct atnet_script *sub;
	const char *cmd;
	int (*build)(struct atnet_modem *m, char *buf, size_t size);
	const char *prefix;
	bool bare;
	/* Custom line handler, for answers that end without OK. */
	enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *cmd,
					const char *line, size_t len);
	int (*check)(struct atnet_modem *m, int err, const char *answer);
	u32 timeout_ms;
	u16 retry_ms;
	u8 tries;			/* 0 means 1 */
};

#define ATNET_ANSWER_MAX	128

/* A command a script runner sent: the chat command plus what it needs back. */
struct atnet_step_cmd {
	struct atnet_chat_cmd chat;
	struct atnet_modem *m;
	const struct atnet_step *step;
	u32 gen;
	char answer[ATNET_ANSWER_MAX];
};

/* script.c */
void atnet_script_start(struct atnet_modem *m, const struct atnet_script *s);
void atnet_script_retry(struct atnet_modem *m);

/* probe.c */
void atnet_probe_start(struct atnet_modem *m);
void atnet_probe_identified(struct atnet_modem *m, int err);
void atnet_probe_check_alive(struct atnet_modem *m);
bool atnet_probe_checking_alive(struct atnet_modem *m);
bool atnet_is_urc_like(const char *line);
void atnet_dialect_urc(void *ctx, const char *line, size_t len);

/*
 * ts27007.c: the commands of ITU-T V.250 and 3GPP TS 27.007 every family
 * answers alike, and the lines every family prints unasked.
 */

/* Kinds of a power-up banner (struct atnet_banner). */
#define ATNET_BANNER_LATE	BIT(0)	/* also follows the first, same boot */
#define ATNET_BANNER_RADIO	BIT(1)	/* also printed when the radio comes on */

struct atnet_banner {
	const char *text;
	unsigned int kind;
};

struct atnet_ts27007 {
	const struct atnet_script *probe;	/* ends in atnet_probe_identified() */
	const struct atnet_script *alive;	/* is a silent modem still there? */
	const char *alive_cmd;			/* the revive poll */
	const char *reset_cmd;			/* the recovery ladder's reset */
	const char *sync_cmd, *sync_answer;	/* the chat engine's resync */
	const struct atnet_banner *banners;	/* power-up: every state is gone */
	unsigned int n_banners;
	const char *const *power_down;		/* the modem switches itself off */
	unsigned int n_power_down;
	const char *const *power_warn;		/* its supply is near a limit */
	unsigned int n_power_warn;
	const char *const *unasked;		/* never an identification answer */
	unsigned int n_unasked;
};

extern const struct atnet_ts27007 atnet_ts27007;

int atnet_check_cpin(struct atnet_modem *m, int err, const char *answer);
int atnet_check_csq(struct atnet_modem *m, int err, const char *answer);
int atnet_check_cgreg(struct atnet_modem *m, int err, const char *answer,
		      int idx);
int atnet_check_cops(struct atnet_modem *m, int err, const char *answer);
int atnet_check_tolerant(struct atnet_modem *m, int err, const char *answer);

/* dialects.c: the model table */
bool atnet_model_known(const char *model);
int atnet_dialect_pick(struct atnet_modem *m);
enum atnet_dialect atnet_modem_dialect(struct atnet_modem *m);

#endif /* _ATNET_DIALECT_H */
