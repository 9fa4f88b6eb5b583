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

struct atnet_dns_answer;
struct atnet_lsn_ops;
struct atnet_modem;
struct atnet_ping_answer;
struct net;
struct sk_buff;
struct netlink_ext_ack;

enum atnet_req_kind {
	ATNET_REQ_RESOLVE,
	ATNET_REQ_PING,
	ATNET_REQ_SERVER,
	ATNET_REQ_KINDS,
};

#define ATNET_REQ_ADDRS		4	/* a DNS answer gives two; room for more */
#define ATNET_PING_MAX		100	/* echoes one PING asks for (uapi) */
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

	/* The dialect's context selection, then the question itself. */
	struct atnet_chat_cmd sel;
	struct atnet_chat_cmd cmd;
};

/*
 * How one dialect asks the questions of DNS and ping: its commands, the
 * prefixes and parsers (answer.c) of its answers, and when the answers
 * come. request.c does the rest for every dialect: the queue and its
 * slot, the bounds, the deadlines, giving up, and the answer to the
 * caller. A dialect without one (or without a builder) answers
 * -EOPNOTSUPP. Every hook runs with m->lock held.
 */
struct atnet_req_dialect {
	/*
	 * Optional: before a request's command, point the modem at r->ctx
	 * (through r->sel and atnet_req_submit()). 0 when nothing was owed.
	 */
	int (*select)(struct atnet_modem *m, struct atnet_req *r);

	/* DNS: the command that looks up r->host; its length or < 0. */
	int (*resolve_cmd)(const struct atnet_req *r, char *buf, size_t size);
	const char *dns_prefix;		/* of the answer, before or after OK */
	int (*dns_parse)(const char *rest, struct atnet_dns_answer *a);
	/* The answer's error code: errno and a message, static. */
	const char *(*dns_error)(u32 code, int *err);
	/* Optional: a name the command line cannot carry, refused with ... */
	bool (*host_ok)(const char *host);
	const char *host_msg;		/* ... this */
	/* Not NULL: ERROR to the command means an unknown name (-ENOENT). */
	const char *dns_enoent_msg;
	u32 dns_cmd_ms;			/* the command, any answer before OK */
	u32 dns_urc_ms;			/* an answer after the OK */
	/* The lookup blocks the modem's command line: admins only (uapi). */
	bool dns_admin;

	/* Ping: the command that sends one echo to r->addr. */
	int (*ping_cmd)(const struct atnet_req *r, char *buf, size_t size);
	const char *ping_prefix;	/* of the reply, one per echo */
	int (*ping_parse)(const char *rest, struct atnet_ping_answer *a);
	u32 ping_cmd_ms;
	/* Not 0: the reply follows the OK, within this; else before it. */
	u32 ping_urc_ms;
	/* A reply slower than this (100 ms units) is an echo lost. */
	u32 ping_max_rtt;
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
/* The dialect's ->select(): @r's context, when it has another selected. */
int atnet_req_select(struct atnet_modem *m, struct atnet_req *r);

/* RESOLVE, PING on any dialect (start functions; SERVER's: listen.h). */
int atnet_req_resolve_start(struct atnet_modem *m, struct atnet_req *r);
int atnet_req_ping_start(struct atnet_modem *m, struct atnet_req *r);
/*
 * The dialect's DNS answer and ping reply after the OK: handlers for its
 * URC table (struct atnet_urc), on the lines that start with ->dns_prefix
 * and ->ping_prefix. Lock held.
 */
void atnet_req_dns_urc(struct atnet_modem *m, const char *line, size_t len);
void atnet_req_ping_urc(struct atnet_modem *m, const char *line, size_t len);
/* @r's answer after its OK came: it no longer waits (listen.c). */
void atnet_req_urc_end(struct atnet_modem *m, struct atnet_req *r);
/* Queue @r next after the active one and run the queue (listen.c). */
void atnet_req_queue_next(struct atnet_modem *m, struct atnet_req *r);

int atnet_req_init(void);
void atnet_req_exit(void);

#endif /* _ATNET_REQUEST_H */
