/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Requests: questions a netlink caller asks the modem and waits for (DNS,
 * ping, the TCP server). The answer comes in pieces, partly as URCs after
 * the final result, so a request is an object of its own that the chat
 * commands, the modem's pending slot and the waiter each hold a reference
 * to. The waiter never holds m->lock while it sleeps.
 */
#ifndef _ATNET_REQUEST_H
#define _ATNET_REQUEST_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <linux/atnet.h>

#include "chat.h"

struct atnet_lsn_ops;
struct atnet_modem;
struct netlink_ext_ack;

enum atnet_req_kind {
	ATNET_REQ_RESOLVE,
	ATNET_REQ_PING,
	ATNET_REQ_SERVER,
	ATNET_REQ_KINDS,
};

#define ATNET_REQ_ADDRS		4	/* +CDNSGIP gives two; room for more */
#define ATNET_PING_MAX		100	/* AT+CIPPING: 1..100 requests */

struct atnet_ping_reply {
	u32 seq;
	u32 rtt_ms;
	u32 ttl;
	bool lost;
};

struct atnet_req {
	struct kref ref;
	struct completion done;
	struct atnet_modem *m;
	enum atnet_req_kind kind;

	/* Protected by m->lock until done completes, constant after. */
	bool finished;
	bool ok_seen;			/* final result came, URCs may follow */
	int err;
	const char *msg;		/* static: extack keeps the pointer */
	/* Dialect callbacks registered for us: cancelled when finished. */
	void (*cancel)(struct atnet_modem *m);

	/* Question. */
	int ctx;
	char host[ATNET_HOST_MAX + 1];
	__be32 addr;
	u32 count;
	u16 port;			/* server: 0 stops it */
	const struct atnet_lsn_ops *lsn_ops;	/* server: who takes clients */
	void *lsn_owner;

	/* Answer. */
	unsigned int n_addrs;
	__be32 addrs[ATNET_REQ_ADDRS];
	unsigned int n_replies;
	struct atnet_ping_reply replies[ATNET_PING_MAX];

	/* AT+CIPSGTXT, then the question itself. */
	struct atnet_chat_cmd sel;
	struct atnet_chat_cmd cmd;
};

struct atnet_req *atnet_req_alloc(enum atnet_req_kind kind);
void atnet_req_put(struct atnet_req *r);
/*
 * Start @r on @m with @start (lock held, submits commands) and wait up to
 * @timeout_ms, interruptibly, without m->lock. Returns r->err; extack gets
 * r->msg.
 */
int atnet_req_run(struct atnet_modem *m, struct atnet_req *r,
		  int (*start)(struct atnet_modem *m, struct atnet_req *r),
		  unsigned int timeout_ms, struct netlink_ext_ack *extack);

/* The same, not interruptible: for close() paths. */
int atnet_req_run_close(struct atnet_modem *m, struct atnet_req *r,
			int (*start)(struct atnet_modem *m,
				     struct atnet_req *r),
			unsigned int timeout_ms);

/* Lock held. */
void atnet_req_finish(struct atnet_modem *m, struct atnet_req *r, int err,
		      const char *msg);
struct atnet_req *atnet_req_pending(struct atnet_modem *m,
				    enum atnet_req_kind kind);
void atnet_req_abort_all(struct atnet_modem *m, int err, const char *msg);
/* Submit @cmd of @r (takes a reference the command's ->done must drop). */
int atnet_req_submit(struct atnet_modem *m, struct atnet_req *r,
		     struct atnet_chat_cmd *cmd, u32 timeout_ms,
		     enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *cmd,
						     const char *line,
						     size_t len),
		     void (*done)(struct atnet_chat_cmd *cmd, int result));
/* A +CME ERROR answer to @cmd counts as a fault (modem.c). */
void atnet_req_cme(struct atnet_modem *m, struct atnet_chat_cmd *cmd);
/* AT+CIPSGTXT=ctx first when the modem has another context selected. */
int atnet_req_select(struct atnet_modem *m, struct atnet_req *r);

/* RESOLVE, PING, SERVER on any dialect (start functions for atnet_req_run). */
int atnet_req_resolve_start(struct atnet_modem *m, struct atnet_req *r);
int atnet_req_server_start(struct atnet_modem *m, struct atnet_req *r);
int atnet_req_ping_start(struct atnet_modem *m, struct atnet_req *r);
/* The AT+CDNSGIP / AT+CIPPING requests, for a dialect's ->resolve/->ping. */
int atnet_req_resolve_at(struct atnet_modem *m, struct atnet_req *r);
int atnet_req_ping_at(struct atnet_modem *m, struct atnet_req *r);
/* URCs "+CDNSGIP:" and "+CIPPING:"; true when consumed. Lock held. */
bool atnet_req_urc(struct atnet_modem *m, const char *line, size_t len);

#endif /* _ATNET_REQUEST_H */
