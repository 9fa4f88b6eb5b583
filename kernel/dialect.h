/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A dialect is one modem family's AT: how to bring it up, how to run its
 * contexts, its URCs and its links. probe.c identifies the model with the
 * generic commands (AT, ATE0, AT+CGMM, AT+CGMR, ATI) and picks the dialect
 * from its model table (never by guessing); every operation runs with
 * m->lock held and is asynchronous: it starts a script and reports through
 * the modem's state.
 */
#ifndef _ATNET_DIALECT_H
#define _ATNET_DIALECT_H

#include <linux/types.h>

#include <linux/atnet.h>

#include "chat.h"

struct atnet_modem;
struct atnet_link;
struct atnet_req;
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
	/* Activate/deactivate context m->script_ctx; shut: clean up after loss. */
	const struct atnet_script *ctx_up;
	const struct atnet_script *ctx_down;
	const struct atnet_script *ctx_shut;
	/*
	 * Optional: +PDP: DEACT names no context; with two up, this asks
	 * whether context m->script_ctx still is (ends in done()).
	 */
	const struct atnet_script *ctx_verify;
	/*
	 * Optional, NULL answers -EOPNOTSUPP (both dialects use request.c's
	 * AT+CDNSGIP and AT+CIPPING). Each sends the commands of request @r
	 * (ping: one echo, r->echo) with atnet_req_submit(), whose ->done()
	 * ends in atnet_req_cmd_done(). server: start (r->port) or stop (0)
	 * the TCP server (listen.c); without one, no_server says why.
	 * reconcile: send AT+CIPSTATUS and resynchronise the link table.
	 */
	int (*resolve)(struct atnet_modem *m, struct atnet_req *r);
	int (*ping)(struct atnet_modem *m, struct atnet_req *r);
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
 */
struct atnet_step {
	const char *cmd;
	int (*build)(struct atnet_modem *m, char *buf, size_t size);
	const char *prefix;
	bool bare;
	/* Custom line handler, for answers without OK (AT+CIFSR, SHUT OK). */
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

/* probe.c */
void atnet_script_start(struct atnet_modem *m, const struct atnet_script *s);
void atnet_script_retry(struct atnet_modem *m);
void atnet_probe_start(struct atnet_modem *m);
void atnet_probe_check_alive(struct atnet_modem *m);
bool atnet_probe_checking_alive(struct atnet_modem *m);
bool atnet_is_urc_like(const char *line);
int atnet_check_cpin(struct atnet_modem *m, int err, const char *answer);
int atnet_check_csq(struct atnet_modem *m, int err, const char *answer);
int atnet_check_cops(struct atnet_modem *m, int err, const char *answer);
int atnet_check_tolerant(struct atnet_modem *m, int err, const char *answer);
void atnet_dialect_urc(void *ctx, const char *line, size_t len);

extern const struct atnet_dialect_ops atnet_sim7000_dialect;
extern const struct atnet_dialect_ops atnet_sim7020_dialect;

#endif /* _ATNET_DIALECT_H */
