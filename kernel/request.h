/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Requests: questions asked of the modem whose answer comes later (DNS,
 * ping, the TCP server). Nobody sleeps in a genetlink doit for them: a
 * request is queued on its modem and answered when the modem is done,
 * through r->answer (a netlink reply) or r->done (a socket call waiting).
 * request.c describes the queue, the references and the bounds.
 */
#ifndef _ATNET_REQUEST_H
#define _ATNET_REQUEST_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>

#include <linux/atnet.h>

#include "chat.h"

struct atnet_lsn_ops;
struct atnet_modem;
struct net;
struct sk_buff;
struct netlink_ext_ack;

enum atnet_req_kind {
	ATNET_REQ_RESOLVE,
	ATNET_REQ_PING,
	ATNET_REQ_SERVER,
	ATNET_REQ_KINDS,
};

#define ATNET_REQ_ADDRS		4	/* +CDNSGIP gives two; room for more */
#define ATNET_PING_MAX		100	/* AT+CIPPING: 1..100 requests */
/* Requests of one kind queued on one modem, whoever asked. */
#define ATNET_REQ_QUEUE_MAX	16
/*
 * ... of those, all users without CAP_NET_ADMIN together: the rest is
 * kept for admins, however many uids an unprivileged user can switch
 * between (a user namespace's subordinate uids are distinct kuids) ...
 */
#define ATNET_REQ_UNPRIV_MAX	(ATNET_REQ_QUEUE_MAX / 2)
/* ... and per user without CAP_NET_ADMIN. */
#define ATNET_REQ_USER_MAX	1

struct atnet_ping_reply {
	u32 seq;
	u32 rtt_ms;
	u32 ttl;
	bool lost;
};

struct atnet_req {
	struct kref ref;
	struct list_head node;		/* m->reqs[kind], under m->lock */
	struct completion done;		/* complete once finished */
	struct atnet_modem *m;		/* with a reference, once queued */
	enum atnet_req_kind kind;
	int (*start)(struct atnet_modem *m, struct atnet_req *r);

	/* Protected by m->lock. */
	bool started;			/* start() ran: the modem has it */
	bool finished;			/* answer decided: err, msg */
	bool orphan;			/* nobody wants the answer any more */
	bool sync;			/* inside atnet_req_queue(): no answer */
	bool await_urc;			/* final result seen, the answer follows */
	bool paused;			/* waits for m->req_rest[kind] */
	bool ok_seen;
	unsigned int cmds;		/* chat commands in flight */
	int err;
	const char *msg;		/* static: extack keeps the pointer */
	struct delayed_work timer;	/* deadline of await_urc, end of pause */

	/* Who asked: a netlink caller (answer) or a waiter (done). */
	void (*answer)(struct atnet_req *r);
	struct sk_buff *spare;		/* the answer's error form, reserved */
	struct net *net;		/* with a reference */
	u32 portid;
	u32 seq;
	u8 nl_cmd;			/* the command it answers */
	kuid_t uid;
	bool admin;			/* CAP_NET_ADMIN: not bounded per user */
	/* A listener's close(): never refused for the bounds. */
	bool closing;

	/* Question. */
	int ctx;
	char host[ATNET_HOST_MAX + 1];
	__be32 addr;
	u32 count;
	u16 port;			/* server: 0 stops it */
	bool force;			/* server stop: even when none is known */
	const struct atnet_lsn_ops *lsn_ops;	/* server: who takes clients */
	void *lsn_owner;

	/* Answer. */
	unsigned int n_addrs;
	__be32 addrs[ATNET_REQ_ADDRS];
	unsigned int n_replies;
	struct atnet_ping_reply replies[ATNET_PING_MAX];
	u32 echo;			/* ping: the echo in flight, 1..count */
	bool echo_answered;

	/* AT+CIPSGTXT, then the question itself. */
	struct atnet_chat_cmd sel;
	struct atnet_chat_cmd cmd;
};

/*
 * Requests alive that have r->answer (netlink callers'), so that a
 * netlink socket's close looks for its requests only when there are any.
 * Set r->answer, then increment; atnet_req_put() decrements at the free.
 */
extern atomic_t atnet_req_answers;

struct atnet_req *atnet_req_alloc(enum atnet_req_kind kind);
void atnet_req_put(struct atnet_req *r);

/*
 * Queue @r on @m with @start, which sends its commands when @r's turn
 * comes (at once when the modem has no other of its kind). Lock held.
 * Returns 0, or the error (r->msg says why) when @r is refused or fails
 * at once; then no answer follows. Otherwise the answer comes through
 * r->answer / r->done exactly once, unless atnet_req_abandon() comes
 * first.
 */
int atnet_req_queue(struct atnet_modem *m, struct atnet_req *r,
		    int (*start)(struct atnet_modem *m, struct atnet_req *r));
/* The caller gave up (signal, deadline, socket closed). Lock held. */
void atnet_req_abandon(struct atnet_modem *m, struct atnet_req *r, int err,
		       const char *msg);
/* Cancel every request of netlink port @portid in @net (it closed). */
void atnet_req_release_port(struct atnet_modem *m, struct net *net,
			    u32 portid);

/*
 * Queue @r on @m and wait for its answer, up to @timeout_ms,
 * interruptibly, without m->lock. Returns r->err; extack gets r->msg.
 * For socket calls (listen()), never for a genetlink doit.
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
void atnet_req_abort_all(struct atnet_modem *m, int err, const char *msg);
/* Submit @cmd of @r (counted in r->cmds; its ->done must call cmd_done). */
int atnet_req_submit(struct atnet_modem *m, struct atnet_req *r,
		     struct atnet_chat_cmd *cmd, u32 timeout_ms,
		     enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *cmd,
						     const char *line,
						     size_t len),
		     void (*done)(struct atnet_chat_cmd *cmd, int result));
/*
 * From the ->done() of @r's @cmd: @r may go on, finish, or leave its
 * slot; the command's reference is dropped.
 */
void atnet_req_cmd_done(struct atnet_modem *m, struct atnet_req *r,
			struct atnet_chat_cmd *cmd);
/* The final result came; the answer is a URC due within @ms. */
void atnet_req_await(struct atnet_modem *m, struct atnet_req *r,
		     unsigned int ms);
/* The request of @kind whose answer the modem owes as a URC, or NULL. */
struct atnet_req *atnet_req_awaiting(struct atnet_modem *m,
				     enum atnet_req_kind kind);
/* A +CME ERROR answer to @cmd counts as a fault (modem.c). */
void atnet_req_cme(struct atnet_modem *m, struct atnet_chat_cmd *cmd);
/* The same for @r's command: only when @r is an admin's (request.c). */
void atnet_req_cme_of(struct atnet_modem *m, struct atnet_req *r,
		      struct atnet_chat_cmd *cmd);
/* AT+CIPSGTXT=ctx first when the modem has another context selected. */
int atnet_req_select(struct atnet_modem *m, struct atnet_req *r);

/* RESOLVE, PING on any dialect (start functions; SERVER's: listen.h). */
int atnet_req_resolve_start(struct atnet_modem *m, struct atnet_req *r);
int atnet_req_ping_start(struct atnet_modem *m, struct atnet_req *r);
/* AT+CDNSGIP, and one echo of AT+CIPPING: a dialect's ->resolve/->ping. */
int atnet_req_resolve_at(struct atnet_modem *m, struct atnet_req *r);
int atnet_req_ping_at(struct atnet_modem *m, struct atnet_req *r);
/* @r's answer after its OK came: it no longer waits (listen.c). */
void atnet_req_urc_end(struct atnet_modem *m, struct atnet_req *r);
/* Queue @r next after the active one and run the queue (listen.c). */
void atnet_req_queue_next(struct atnet_modem *m, struct atnet_req *r);
/* URCs "+CDNSGIP:" and "+CIPPING:"; true when consumed. Lock held. */
bool atnet_req_urc(struct atnet_modem *m, const char *line, size_t len);

int atnet_req_init(void);
void atnet_req_exit(void);

#endif /* _ATNET_REQUEST_H */
