// SPDX-License-Identifier: GPL-2.0
/*
 * Requests asked of the modem: DNS, ping and the TCP server of a dialect
 * that has one. See request.h for the object. What the questions look
 * like on the wire is the dialect's (struct atnet_req_dialect: commands,
 * answer prefixes and parsers, whether an answer comes before or after
 * the OK, timeouts); everything else is here, the same for every dialect.
 *
 * Nobody sleeps in a genetlink doit for them: the doit queues the request
 * and returns (the caller gets its ack at once), and the answer goes to
 * the caller's port and sequence number when the modem is done
 * (r->answer, netlink.c). Socket calls that need the answer first
 * (listen(), close() of a listener) wait on r->done, outside m->lock.
 *
 * Queue: m->reqs[kind] lists one kind's requests in order; the modem
 * works on the first (its "slot"), because the answers carry no tag that
 * would tell two questions apart. A request keeps the slot until the
 * modem is done with it: its commands answered (r->cmds) and the answer
 * that follows as a URC come or given up (r->await_urc, bounded by
 * r->timer). Giving up on a request (the waiter's signal or deadline, the
 * netlink caller's socket closing) only says that nobody wants the answer
 * (r->orphan): a result still comes to the request whose command it
 * answers, never to the next one, and a server started for a listen()
 * that gave up is stopped again.
 *
 * Bounds: a ping is one command per echo, each bounded by its own
 * timeout, and the pings in the queue take turns echo by echo, so no
 * caller holds the modem's command slot for longer than one echo (on a
 * dialect whose ping command answers only after the echo) and other
 * commands run between echoes. When other commands waited behind a
 * request's command that held the slot for a while (an echo to a silent
 * address, a lookup that blocks the modem), the kind's next command waits
 * as long (m->req_rest[], r->paused): requests never take more than half
 * of a busy modem's time, in turns long enough for a socket's exchange.
 * At most ATNET_REQ_QUEUE_MAX requests of a
 * kind wait on a modem, of them ATNET_REQ_UNPRIV_MAX from all users
 * without CAP_NET_ADMIN together and ATNET_REQ_USER_MAX per such user;
 * beyond that: -EBUSY, said in the extack message. The same rules hold
 * for listen() (the socket's caller); only a listener's close() is never
 * refused. CAP_NET_ADMIN means in the initial user namespace, the one
 * check everywhere (netlink_capable(), sk_capable(), like the commands
 * flagged GENL_ADMIN_PERM): a user namespace's root is unprivileged here.
 *
 * References: the creator holds one until its put; the queue holds one
 * while the request is listed; every chat command in flight one until its
 * ->done(); the timer one while it is pending. A request holds its modem
 * (and a netlink caller's netns) until it is freed. Anyone holding
 * m->lock holds a reference on the modem, so a put under m->lock never
 * frees the modem.
 *
 * The answers (the dialects' files give their forms): a DNS answer comes
 * before the OK or after it as a URC, in a form that names the host or
 * one that does not (before the OK only: the OK ends it), or an error
 * code; a ping reply per echo, before or after the OK as the dialect says.
 */
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "answer.h"
#include "dialect.h"
#include "modem.h"
#include "netlink.h"
#include "request.h"

/* A command that held the busy modem this long makes the next one wait. */
#define ATNET_REQ_REST_MIN_MS	1000

static struct workqueue_struct *atnet_req_wq;

/* Live requests of netlink callers (r->answer set): see request.h. */
atomic_t atnet_req_answers = ATOMIC_INIT(0);

static void atnet_req_timeout(struct work_struct *work);

/*
 * The dialect's DNS and ping, or NULL. A command's ->done() may run while
 * the modem restarts (its commands aborted, the dialect forgotten next).
 */
static const struct atnet_req_dialect *atnet_req_dialect(struct atnet_modem *m)
{
	return m->dialect ? m->dialect->req : NULL;
}

static void atnet_req_release(struct kref *ref)
{
	struct atnet_req *r = container_of(ref, struct atnet_req, ref);

	if (r->m)
		atnet_modem_put(r->m);
	if (r->net)
		put_net(r->net);
	kfree_skb(r->spare);
	if (r->answer)
		atomic_dec(&atnet_req_answers);
	kfree(r);
}

struct atnet_req *atnet_req_alloc(enum atnet_req_kind kind)
{
	struct atnet_req *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return NULL;
	kref_init(&r->ref);
	INIT_LIST_HEAD(&r->node);
	init_completion(&r->done);
	INIT_DELAYED_WORK(&r->timer, atnet_req_timeout);
	r->kind = kind;
	return r;
}

void atnet_req_put(struct atnet_req *r)
{
	kref_put(&r->ref, atnet_req_release);
}

static struct atnet_req *atnet_req_head(struct atnet_modem *m,
					enum atnet_req_kind kind)
{
	lockdep_assert_held(&m->lock);
	return list_first_entry_or_null(&m->reqs[kind], struct atnet_req,
					node);
}

struct atnet_req *atnet_req_awaiting(struct atnet_modem *m,
				     enum atnet_req_kind kind)
{
	struct atnet_req *r = atnet_req_head(m, kind);

	return r && r->await_urc ? r : NULL;
}

void atnet_req_finish(struct atnet_modem *m, struct atnet_req *r, int err,
		      const char *msg)
{
	lockdep_assert_held(&m->lock);
	if (r->finished)
		return;
	r->finished = true;
	r->err = err;
	r->msg = msg;
	/* Refused inside atnet_req_queue(): its caller returns the error. */
	if (r->answer && !r->sync && !r->orphan)
		r->answer(r);
	complete_all(&r->done);
}

void atnet_req_await(struct atnet_modem *m, struct atnet_req *r,
		     unsigned int ms)
{
	lockdep_assert_held(&m->lock);
	r->await_urc = true;
	/* Idle before: the timer's reference is a new one. */
	if (!mod_delayed_work(atnet_req_wq, &r->timer, msecs_to_jiffies(ms)))
		kref_get(&r->ref);
}

static void atnet_req_unawait(struct atnet_req *r)
{
	r->await_urc = false;
	r->paused = false;
	if (cancel_delayed_work(&r->timer))
		atnet_req_put(r);
}

static void atnet_req_unpause(struct atnet_req *r)
{
	if (r->paused)
		atnet_req_unawait(r);
}

static int atnet_req_ping_echo(struct atnet_modem *m, struct atnet_req *r);

/* The first request of @kind that is idle gets the modem. */
static void atnet_req_next(struct atnet_modem *m, enum atnet_req_kind kind)
{
	struct atnet_req *r;
	u64 now;
	int err;

	lockdep_assert_held(&m->lock);
	while ((r = atnet_req_head(m, kind))) {
		if (r->cmds || r->await_urc || r->paused)
			break;			/* the modem has it */
		now = atnet_now_ms();
		if (!r->finished && m->req_rest[kind] > now) {
			/* Others' turn on the modem first. */
			r->paused = true;
			if (!mod_delayed_work(atnet_req_wq, &r->timer,
					      msecs_to_jiffies(m->req_rest[kind] - now)))
				kref_get(&r->ref);
			break;
		}
		kref_get(&r->ref);
		if (r->finished) {
			list_del_init(&r->node);
			atnet_req_put(r);	/* the queue's */
		} else if (!r->started) {
			r->started = true;
			err = r->start(m, r);
			if (err)
				atnet_req_finish(m, r, err,
						 r->msg ?: "the modem is busy or gone");
		} else if (r->kind == ATNET_REQ_PING) {
			/* Its turn again: the next echo. */
			err = atnet_req_ping_echo(m, r);
			if (err)
				atnet_req_finish(m, r, err,
						 r->msg ?: "the modem is busy or gone");
		} else {
			atnet_req_finish(m, r, -EIO, "request lost its command");
		}
		atnet_req_put(r);
	}
}

/*
 * @r may be done with the modem: then it leaves the queue and the next
 * one starts. The caller holds its own reference on @r.
 */
static void atnet_req_leave(struct atnet_modem *m, struct atnet_req *r)
{
	enum atnet_req_kind kind = r->kind;	/* @r may go with the put */

	lockdep_assert_held(&m->lock);
	if (r->finished && !r->cmds && !r->await_urc && !r->paused &&
	    !list_empty(&r->node)) {
		list_del_init(&r->node);
		atnet_req_put(r);
	}
	atnet_req_next(m, kind);
}

/* An answer after the command's OK ended @r's wait: on with the queue. */
void atnet_req_urc_end(struct atnet_modem *m, struct atnet_req *r)
{
	lockdep_assert_held(&m->lock);
	if (r->await_urc) {
		atnet_req_unawait(r);
		atnet_req_leave(m, r);
	}
}

/*
 * Queue @r (with the creator's reference) right behind the request that has
 * the modem, before the head when the head has not started (a request
 * waiting there must not be overtaken by what @r undoes), and run the queue.
 */
void atnet_req_queue_next(struct atnet_modem *m, struct atnet_req *r)
{
	struct atnet_req *head = atnet_req_head(m, r->kind);

	lockdep_assert_held(&m->lock);
	if (head && head->started)
		list_add(&r->node, &head->node);
	else
		list_add(&r->node, &m->reqs[r->kind]);
	atnet_req_next(m, r->kind);
}

static const char *const atnet_req_user_msg[ATNET_REQ_KINDS] = {
	[ATNET_REQ_RESOLVE] =
	"one RESOLVE at a time per user without CAP_NET_ADMIN; wait for its answer",
	[ATNET_REQ_PING] =
	"one PING at a time per user without CAP_NET_ADMIN; wait for its answer",
	[ATNET_REQ_SERVER] =
	"one listener request at a time per user without CAP_NET_ADMIN",
};

int atnet_req_queue(struct atnet_modem *m, struct atnet_req *r,
		    int (*start)(struct atnet_modem *m, struct atnet_req *r))
{
	unsigned int n = 0, unpriv = 0, mine = 0;
	struct atnet_req *q;

	lockdep_assert_held(&m->lock);
	if (m->dead) {
		r->msg = "modem is gone";
		return -ENODEV;
	}
	if (m->state != ATNET_MODEM_READY) {
		r->msg = "modem is not ready; see its state in GET";
		return -ENETDOWN;
	}
	/*
	 * A lookup that blocks the modem's command line until the network
	 * answers (up to a minute) holds up every socket and context change
	 * meanwhile, so only an admin may ask it (uapi, RESOLVE).
	 */
	if (r->kind == ATNET_REQ_RESOLVE && !r->admin &&
	    atnet_req_dialect(m) && atnet_req_dialect(m)->dns_admin) {
		r->msg = "RESOLVE on this modem needs CAP_NET_ADMIN (its lookup blocks the modem)";
		return -EPERM;
	}
	list_for_each_entry(q, &m->reqs[r->kind], node) {
		n++;
		if (q->admin || q->finished)
			continue;
		unpriv++;
		if (uid_eq(q->uid, r->uid))
			mine++;
	}
	/*
	 * A listener's close() stops its server: refusing it would leave
	 * the modem listening for nobody. There is one per modem at most.
	 */
	if (r->closing)
		goto queue;
	if (n >= ATNET_REQ_QUEUE_MAX) {
		r->msg = "too many requests of this kind wait on this modem; try again later";
		return -EBUSY;
	}
	if (!r->admin && mine >= ATNET_REQ_USER_MAX) {
		r->msg = atnet_req_user_msg[r->kind];
		return -EBUSY;
	}
	if (!r->admin && unpriv >= ATNET_REQ_UNPRIV_MAX) {
		r->msg = "unprivileged users fill their share of the queue; try again later";
		return -EBUSY;
	}
queue:
	if (!r->m) {
		atnet_modem_get(m);
		r->m = m;
	}
	r->start = start;
	kref_get(&r->ref);			/* the queue's */
	list_add_tail(&r->node, &m->reqs[r->kind]);
	r->sync = true;
	atnet_req_next(m, r->kind);
	r->sync = false;
	if (r->finished && r->err)
		return r->err;
	if (r->finished && r->answer && !r->orphan)
		r->answer(r);
	return 0;
}

void atnet_req_abandon(struct atnet_modem *m, struct atnet_req *r, int err,
		       const char *msg)
{
	lockdep_assert_held(&m->lock);
	r->orphan = true;
	atnet_req_finish(m, r, err, msg);
	/*
	 * A result the modem still owes comes to @r (its deadline holds),
	 * DNS too: a DNS answer's error form names no host, so the next
	 * lookup must not start before it came.
	 */
	atnet_req_unpause(r);
	atnet_req_leave(m, r);
}

void atnet_req_release_port(struct atnet_modem *m, struct net *net,
			    u32 portid)
{
	struct atnet_req *r;
	unsigned int k;

	mutex_lock(&m->lock);
	for (k = 0; k < ATNET_REQ_KINDS; k++) {
again:
		list_for_each_entry(r, &m->reqs[k], node) {
			if (r->orphan || !r->answer || r->portid != portid ||
			    !net_eq(r->net, net))
				continue;
			kref_get(&r->ref);
			atnet_req_abandon(m, r, -ECANCELED,
					  "the caller's socket was closed");
			atnet_req_put(r);
			goto again;
		}
	}
	mutex_unlock(&m->lock);
}

/* The modem failed, restarted or went away: nobody will answer. */
void atnet_req_abort_all(struct atnet_modem *m, int err, const char *msg)
{
	struct atnet_req *r, *tmp;
	unsigned int k;

	lockdep_assert_held(&m->lock);
	for (k = 0; k < ATNET_REQ_KINDS; k++) {
		list_for_each_entry_safe(r, tmp, &m->reqs[k], node) {
			kref_get(&r->ref);
			atnet_req_unawait(r);
			atnet_req_finish(m, r, err, msg);
			/* With commands in flight: it leaves at their ->done(). */
			if (!r->cmds) {
				list_del_init(&r->node);
				atnet_req_put(r);
			}
			atnet_req_put(r);
		}
	}
}

static void atnet_req_expired(struct atnet_modem *m, struct atnet_req *r);

static void atnet_req_timeout(struct work_struct *work)
{
	struct atnet_req *r = container_of(to_delayed_work(work),
					   struct atnet_req, timer);
	struct atnet_modem *m = r->m;

	mutex_lock(&m->lock);
	/* Re-armed meanwhile: that timer decides. */
	if (!delayed_work_pending(&r->timer)) {
		if (r->await_urc) {
			r->await_urc = false;
			atnet_req_expired(m, r);
			atnet_req_leave(m, r);
		} else if (r->paused) {
			r->paused = false;
			atnet_req_leave(m, r);
		}
	}
	mutex_unlock(&m->lock);
	atnet_req_put(r);
}

int atnet_req_submit(struct atnet_modem *m, struct atnet_req *r,
		     struct atnet_chat_cmd *cmd, u32 timeout_ms,
		     enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *,
						     const char *, size_t),
		     void (*done)(struct atnet_chat_cmd *, int))
{
	int err;

	lockdep_assert_held(&m->lock);
	atnet_chat_cmd_prepare(cmd, timeout_ms, line, done, r);
	kref_get(&r->ref);
	r->cmds++;
	err = atnet_modem_submit(m, cmd);
	if (err) {
		r->cmds--;
		atnet_req_put(r);
	}
	return err;
}

void atnet_req_cmd_done(struct atnet_modem *m, struct atnet_req *r,
			struct atnet_chat_cmd *cmd)
{
	u64 now = atnet_now_ms(), sent;

	lockdep_assert_held(&m->lock);
	/*
	 * The engine armed the deadline when it wrote the command: the time
	 * since then is how long the command held the modem. Others waited
	 * meanwhile: the kind's next command waits as long.
	 */
	sent = cmd->deadline ? cmd->deadline - cmd->timeout_ms : now;
	if (now - sent >= ATNET_REQ_REST_MIN_MS && atnet_chat_busy(&m->chat))
		m->req_rest[r->kind] = now + (now - sent);
	r->cmds--;
	atnet_req_leave(m, r);
	atnet_req_put(r);			/* the command's */
}

/* +CME ERROR is the modem's own trouble: a fault for the recovery ladder. */
void atnet_req_cme(struct atnet_modem *m, struct atnet_chat_cmd *cmd)
{
	lockdep_assert_held(&m->lock);
	if (cmd->cme_error >= 0 && m->state == ATNET_MODEM_READY)
		atnet_modem_fault(m, "+CME ERROR to a request");
}

/*
 * The same for a request's command, but only for an admin's: a +CME ERROR
 * is an answer (the modem is alive), and a user without CAP_NET_ADMIN
 * must not be able to walk the recovery ladder (closing everyone's
 * links, resetting the modem) with questions that fail quickly.
 */
void atnet_req_cme_of(struct atnet_modem *m, struct atnet_req *r,
		      struct atnet_chat_cmd *cmd)
{
	lockdep_assert_held(&m->lock);
	if (r->admin)
		atnet_req_cme(m, cmd);
}

int atnet_req_select(struct atnet_modem *m, struct atnet_req *r)
{
	const struct atnet_req_dialect *rd = atnet_req_dialect(m);

	lockdep_assert_held(&m->lock);
	return rd && rd->select ? rd->select(m, r) : 0;
}

static int __atnet_req_run(struct atnet_modem *m, struct atnet_req *r,
			   int (*start)(struct atnet_modem *m,
					struct atnet_req *r),
			   unsigned int timeout_ms,
			   struct netlink_ext_ack *extack, bool intr)
{
	long left;
	int err;

	/* The caller set r->uid and r->admin, as for a netlink request. */
	mutex_lock(&m->lock);
	err = atnet_req_queue(m, r, start);
	mutex_unlock(&m->lock);
	if (err)
		goto out;

	left = msecs_to_jiffies(timeout_ms);
	if (intr)
		left = wait_for_completion_interruptible_timeout(&r->done, left);
	else
		left = wait_for_completion_timeout(&r->done, left);
	if (left <= 0) {
		mutex_lock(&m->lock);
		if (!r->finished)
			atnet_req_abandon(m, r, left < 0 ? -EINTR : -ETIMEDOUT,
					  left < 0 ? "interrupted" :
					  "the modem did not answer in time");
		mutex_unlock(&m->lock);
	}
	err = r->err;
out:
	if (err && r->msg)
		atnet_nl_set_err_msg(extack, r->msg);
	return err;
}

int atnet_req_run(struct atnet_modem *m, struct atnet_req *r,
		  int (*start)(struct atnet_modem *m, struct atnet_req *r),
		  unsigned int timeout_ms, struct netlink_ext_ack *extack)
{
	return __atnet_req_run(m, r, start, timeout_ms, extack, true);
}

/*
 * For close(): a signal must not leave the modem's server running, so the
 * wait (bounded by @timeout_ms) is not interruptible.
 */
int atnet_req_run_close(struct atnet_modem *m, struct atnet_req *r,
			int (*start)(struct atnet_modem *m,
				     struct atnet_req *r),
			unsigned int timeout_ms)
{
	return __atnet_req_run(m, r, start, timeout_ms, NULL, false);
}

/* DNS ------------------------------------------------------------------- */

/*
 * A DNS answer for @r (after the dialect's prefix): true when it answers
 * @r's question for good. The form that names no host comes before the
 * OK, which ends it.
 */
static bool atnet_dns_parse(struct atnet_modem *m, struct atnet_req *r,
			    const char *rest)
{
	const struct atnet_req_dialect *rd = m->dialect->req;
	struct atnet_dns_answer a;
	const char *msg;
	int i;
	int err;

	if (rd->dns_parse(rest, &a))
		return false;
	if (a.kind == ATNET_DNS_ERROR) {
		msg = rd->dns_error(a.error, &err);
		/* Anyone may ask: a flood of these must not flood dmesg. */
		if (err == -EIO)
			atnet_info_ratelimited(m, "%s: error %u\n",
					       r->cmd.text, a.error);
		atnet_req_finish(m, r, err, msg);
		return true;
	}
	/* A late answer to an earlier question names another host. */
	if (a.kind == ATNET_DNS_FOUND &&
	    (a.fields < 3 || strcasecmp(a.host, r->host)))
		return false;
	for (i = 0; i < a.n_addrs && r->n_addrs < ATNET_REQ_ADDRS; i++)
		r->addrs[r->n_addrs++] = a.addrs[i];
	if (!r->n_addrs) {
		atnet_req_finish(m, r, -EIO,
				 "unreadable DNS answer from the modem");
		return true;
	}
	if (a.kind != ATNET_DNS_FOUND && !r->ok_seen)
		return false;
	atnet_req_finish(m, r, 0, NULL);
	return true;
}

/*
 * The lookup's final result (@rd NULL: the modem restarts): an error ends
 * @r (-EIO: ERROR); otherwise @r ends, or waits for the answer that
 * follows.
 */
static void atnet_dns_result(struct atnet_modem *m, struct atnet_req *r,
			     const struct atnet_req_dialect *rd, int result)
{
	if (result == -EIO && rd && rd->dns_enoent_msg)
		atnet_req_finish(m, r, -ENOENT, rd->dns_enoent_msg);
	else if (result == -EIO)
		atnet_req_finish(m, r, -EIO,
				 "the modem refused the DNS query (ERROR)");
	else if (result)
		atnet_req_finish(m, r, result,
				 "the DNS query failed: timeout or modem restart");
	else if (r->n_addrs)
		atnet_req_finish(m, r, 0, NULL);
	else if (rd && (!r->finished || r->orphan))
		/* Given up on or not: the answer owed is this one's. */
		atnet_req_await(m, r, rd->dns_urc_ms);
	r->ok_seen = !result;
}

/* Ping ------------------------------------------------------------------ */

/* A ping reply (after the dialect's prefix): true when it is @r's. */
static bool atnet_ping_parse(struct atnet_req *r, const char *rest)
{
	const struct atnet_req_dialect *rd = r->m->dialect->req;
	struct atnet_ping_reply *p;
	struct atnet_ping_answer a;

	if (rd->ping_parse(rest, &a) || a.addr != r->addr ||
	    !r->echo || r->echo_answered)
		return false;
	r->echo_answered = true;
	if (r->n_replies >= ATNET_PING_MAX)
		return true;
	p = &r->replies[r->n_replies++];
	p->seq = r->echo;
	p->lost = a.rtt > rd->ping_max_rtt;
	p->rtt_ms = a.rtt * 100;
	p->ttl = a.ttl;
	return true;
}

/*
 * One echo is over (answered or not): the request ends, or waits for its
 * turn behind the other pings (round robin). The caller then lets the
 * queue move.
 */
static void atnet_ping_echo_end(struct atnet_modem *m, struct atnet_req *r,
				int result)
{
	lockdep_assert_held(&m->lock);
	if (r->finished)
		return;
	if (result == -EIO && !r->n_replies)
		atnet_req_finish(m, r, -EIO,
				 "the modem refused the ping (ERROR)");
	else if (result && result != -EIO)
		/* A timeout (itself a fault) or a restart: no more echoes. */
		atnet_req_finish(m, r, result,
				 "the ping failed: timeout or modem restart");
	else if (r->echo >= r->count)
		atnet_req_finish(m, r, 0, NULL);
	else
		list_move_tail(&r->node, &m->reqs[ATNET_REQ_PING]);
}

/* The echo command's final result (@rd NULL: the modem restarts). */
static void atnet_ping_result(struct atnet_modem *m, struct atnet_req *r,
			      const struct atnet_req_dialect *rd, int result)
{
	if (!result && !r->echo_answered && (!r->finished || r->orphan) &&
	    rd && rd->ping_urc_ms)
		/*
		 * The reply follows the OK. Given up on, the request still
		 * waits for it, so that it is not taken for the next echo;
		 * ended by the modem's failure, nothing follows.
		 */
		atnet_req_await(m, r, rd->ping_urc_ms);
	else
		atnet_ping_echo_end(m, r, result);
}

/* Answers, before the OK and after it ------------------------------------ */

/* An answer line for @r after its prefix: true when it ends the question. */
static bool atnet_req_parse(struct atnet_modem *m, struct atnet_req *r,
			    const char *rest)
{
	return r->kind == ATNET_REQ_PING ? atnet_ping_parse(r, rest) :
					   atnet_dns_parse(m, r, rest);
}

/* The rest of @line after the dialect's prefix of @kind's answer, or NULL. */
static const char *atnet_req_prefix(struct atnet_modem *m,
				    enum atnet_req_kind kind, const char *line)
{
	const struct atnet_req_dialect *rd = m->dialect->req;

	return atnet_chat_prefix(line, kind == ATNET_REQ_PING ?
				 rd->ping_prefix : rd->dns_prefix);
}

/* The answer before the OK: a line of the command's own. */
static enum atnet_chat_verdict atnet_req_line(struct atnet_chat_cmd *cmd,
					      const char *line, size_t len)
{
	struct atnet_req *r = cmd->priv;
	const char *rest = atnet_req_prefix(r->m, r->kind, line);

	if (!rest)
		return ATNET_CHAT_PASS;
	atnet_req_parse(r->m, r, rest);
	return ATNET_CHAT_MORE;
}

/* The final result of the command of a DNS or ping request. */
static void atnet_req_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_req *r = cmd->priv;
	struct atnet_modem *m = r->m;

	lockdep_assert_held(&m->lock);
	atnet_req_cme_of(m, r, cmd);
	if (r->kind == ATNET_REQ_PING)
		atnet_ping_result(m, r, atnet_req_dialect(m), result);
	else
		atnet_dns_result(m, r, atnet_req_dialect(m), result);
	atnet_req_cmd_done(m, r, cmd);
}

/* The answer after the OK, for the request of @kind that awaits it. */
static void atnet_req_urc(struct atnet_modem *m, enum atnet_req_kind kind,
			  const char *line)
{
	struct atnet_req *r = atnet_req_awaiting(m, kind);
	const char *rest = atnet_req_prefix(m, kind, line);

	lockdep_assert_held(&m->lock);
	if (!r || !rest)
		return;
	/* Leaving drops the queue's and the timer's references: ours too. */
	kref_get(&r->ref);
	if (atnet_req_parse(m, r, rest)) {
		atnet_req_unawait(r);
		if (kind == ATNET_REQ_PING)
			atnet_ping_echo_end(m, r, 0);
		atnet_req_leave(m, r);
	}
	atnet_req_put(r);
}

void atnet_req_dns_urc(struct atnet_modem *m, const char *line, size_t len)
{
	atnet_req_urc(m, ATNET_REQ_RESOLVE, line);
}

void atnet_req_ping_urc(struct atnet_modem *m, const char *line, size_t len)
{
	atnet_req_urc(m, ATNET_REQ_PING, line);
}

/* The answer a URC owed did not come in time. */
static void atnet_req_expired(struct atnet_modem *m, struct atnet_req *r)
{
	lockdep_assert_held(&m->lock);
	switch (r->kind) {
	case ATNET_REQ_RESOLVE:
		atnet_req_finish(m, r, -ETIMEDOUT,
				 "no DNS answer from the modem in time");
		break;
	case ATNET_REQ_PING:
		atnet_ping_echo_end(m, r, 0);	/* this echo is lost */
		break;
	default:
		atnet_req_finish(m, r, -ETIMEDOUT,
				 "the modem did not confirm the server in time");
		break;
	}
}

/* Questions --------------------------------------------------------------- */

/*
 * The dialect's command for @r (the lookup, or one echo; @build NULL: the
 * dialect has none), after the context selection it may need.
 */
static int atnet_req_ask(struct atnet_modem *m, struct atnet_req *r,
			 int (*build)(const struct atnet_req *r, char *buf,
				      size_t size),
			 u32 timeout_ms)
{
	const struct atnet_req_dialect *rd = atnet_req_dialect(m);
	int err;

	lockdep_assert_held(&m->lock);
	if (!atnet_modem_ctx_up(m, r->ctx)) {
		r->msg = "the interface's context is not up";
		return -ENETDOWN;
	}
	if (!build) {
		r->msg = r->kind == ATNET_REQ_PING ? "this modem cannot ping" :
			 "this modem cannot resolve names";
		return -EOPNOTSUPP;
	}
	/* netlink.c validated the name: no quote, ';', CR, LF, control. */
	if (r->kind == ATNET_REQ_RESOLVE && rd->host_ok &&
	    !rd->host_ok(r->host)) {
		r->msg = rd->host_msg;
		return -EINVAL;
	}
	err = atnet_req_select(m, r);
	if (err)
		return err;
	err = build(r, r->cmd.text, sizeof(r->cmd.text));
	if (err < 0)
		return err;
	return atnet_req_submit(m, r, &r->cmd, timeout_ms, atnet_req_line,
				atnet_req_done);
}

/*
 * The next echo of @r: its turn came. One per command, so that other
 * commands run between echoes.
 */
static int atnet_req_ping_echo(struct atnet_modem *m, struct atnet_req *r)
{
	const struct atnet_req_dialect *rd = atnet_req_dialect(m);

	lockdep_assert_held(&m->lock);
	r->echo++;
	r->echo_answered = false;
	return atnet_req_ask(m, r, rd ? rd->ping_cmd : NULL,
			     rd ? rd->ping_cmd_ms : 0);
}

/* Module ------------------------------------------------------------------ */

int __init atnet_req_init(void)
{
	atnet_req_wq = alloc_workqueue("atnet_req", 0, 0);
	return atnet_req_wq ? 0 : -ENOMEM;
}

void atnet_req_exit(void)
{
	destroy_workqueue(atnet_req_wq);
}

/* Dialect entry points ------------------------------------------------------ */

int atnet_req_resolve_start(struct atnet_modem *m, struct atnet_req *r)
{
	const struct atnet_req_dialect *rd = atnet_req_dialect(m);

	lockdep_assert_held(&m->lock);
	return atnet_req_ask(m, r, rd ? rd->resolve_cmd : NULL,
			     rd ? rd->dns_cmd_ms : 0);
}

int atnet_req_ping_start(struct atnet_modem *m, struct atnet_req *r)
{
	lockdep_assert_held(&m->lock);
	r->echo = 0;
	return atnet_req_ping_echo(m, r);
}
