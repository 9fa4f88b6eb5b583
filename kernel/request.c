// SPDX-License-Identifier: GPL-2.0
/*
 * Requests a netlink caller waits for: DNS (AT+CDNSGIP), ping (AT+CIPPING)
 * and the SIM7000's TCP server (sim7000.c). See request.h for the object.
 *
 * References: the waiter holds one from alloc to its final put; every chat
 * command in flight holds one until its ->done(); the modem's pending slot
 * m->req[kind] holds one while the answer may still come as a URC after
 * the final result. So a waiter that gives up (signal, deadline) only
 * clears the slot under m->lock and leaves: a late answer finds no request,
 * a late ->done() drops the last reference.
 *
 * SIM7000 runs the AT below (its dialect's ->resolve/->ping); the SIM7020
 * dialect has its own, behind callbacks (sim7020.h), which the adapters at
 * the end of this file turn into the same request.
 *
 * The answers, as both SIMCom dialects give them (at-reference.md):
 *   AT+CDNSGIP="host"  SIM7000: OK, later +CDNSGIP: 1,"host","ip1"[,"ip2"]
 *                      or +CDNSGIP: 0,<err>; SIM7020: +CDNSGIP: ip, OK, or
 *                      ERROR for an unknown name.
 *   AT+CIPPING="ip",n,32,<timeout>  "+CIPPING: i,"ip",rtt,ttl" per request,
 *                      rtt in 100 ms units, "600,255" when none came back;
 *                      before the OK on SIM7000, after it on SIM7020.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>

#include "answer.h"
#include "dialect.h"
#include "modem.h"
#include "request.h"
#include "sim7020.h"

/* AT+CIPPING's per-request timeout we ask for, in the modem's 100 ms. */
#define ATNET_PING_TIMEOUT	50
/* What the modem prints for a request that timed out anyway. */
#define ATNET_PING_LOST_RTT	600
#define ATNET_DNS_CMD_MS	10000

static void atnet_req_release(struct kref *ref)
{
	kfree(container_of(ref, struct atnet_req, ref));
}

struct atnet_req *atnet_req_alloc(enum atnet_req_kind kind)
{
	struct atnet_req *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return NULL;
	kref_init(&r->ref);
	init_completion(&r->done);
	r->kind = kind;
	return r;
}

void atnet_req_put(struct atnet_req *r)
{
	kref_put(&r->ref, atnet_req_release);
}

struct atnet_req *atnet_req_pending(struct atnet_modem *m,
				    enum atnet_req_kind kind)
{
	lockdep_assert_held(&m->lock);
	return m->req[kind];
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
	/* A dialect holding a callback to us must forget it now. */
	if (r->cancel)
		r->cancel(m);
	if (m->req[r->kind] == r) {
		m->req[r->kind] = NULL;
		atnet_req_put(r);
	}
	complete_all(&r->done);
}

/* The modem failed, restarted or went away: nobody will answer. */
void atnet_req_abort_all(struct atnet_modem *m, int err, const char *msg)
{
	unsigned int i;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < ATNET_REQ_KINDS; i++)
		if (m->req[i])
			atnet_req_finish(m, m->req[i], err, msg);
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
	err = atnet_modem_submit(m, cmd);
	if (err)
		atnet_req_put(r);
	return err;
}

/* +CME ERROR is the modem's own trouble: a fault for the recovery ladder. */
void atnet_req_cme(struct atnet_modem *m, struct atnet_chat_cmd *cmd)
{
	lockdep_assert_held(&m->lock);
	if (cmd->cme_error >= 0 && m->state == ATNET_MODEM_READY)
		atnet_modem_fault(m, "+CME ERROR to a request");
}

static void atnet_req_select_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_req *r = cmd->priv;

	/*
	 * On failure the question that follows goes to whatever context the
	 * modem has selected: forget our idea of it, the answer says the rest.
	 */
	if (result && r->m->cur_ctx == r->ctx)
		r->m->cur_ctx = -1;
	atnet_req_put(r);
}

int atnet_req_select(struct atnet_modem *m, struct atnet_req *r)
{
	int err;

	lockdep_assert_held(&m->lock);
	if (m->n_ctx < 2 || m->cur_ctx == r->ctx)
		return 0;
	snprintf(r->sel.text, sizeof(r->sel.text), "AT+CIPSGTXT=%d", r->ctx);
	err = atnet_req_submit(m, r, &r->sel, 2000, NULL,
			       atnet_req_select_done);
	if (!err)
		m->cur_ctx = r->ctx;
	return err;
}

static int __atnet_req_run(struct atnet_modem *m, struct atnet_req *r,
			   int (*start)(struct atnet_modem *m,
					struct atnet_req *r),
			   unsigned int timeout_ms,
			   struct netlink_ext_ack *extack, bool intr)
{
	long left;
	int err;

	r->m = m;
	/* One question of a kind at a time: the answers carry no tag. */
	if (!intr)
		mutex_lock(&m->req_lock[r->kind]);
	else if (mutex_lock_interruptible(&m->req_lock[r->kind]))
		return -EINTR;

	mutex_lock(&m->lock);
	if (m->dead) {
		atnet_req_finish(m, r, -ENODEV, "modem is gone");
	} else if (m->state != ATNET_MODEM_READY) {
		atnet_req_finish(m, r, -ENETDOWN,
				 "modem is not ready; see its state in GET");
	} else {
		WARN_ON_ONCE(m->req[r->kind]);
		kref_get(&r->ref);
		m->req[r->kind] = r;
		err = start(m, r);
		if (err)
			atnet_req_finish(m, r, err, r->msg ?: "modem is busy or gone");
	}
	mutex_unlock(&m->lock);

	left = msecs_to_jiffies(timeout_ms);
	if (intr)
		left = wait_for_completion_interruptible_timeout(&r->done, left);
	else
		left = wait_for_completion_timeout(&r->done, left);

	mutex_lock(&m->lock);
	if (!r->finished) {
		if (left < 0)
			atnet_req_finish(m, r, -EINTR, "interrupted");
		else if (r->kind == ATNET_REQ_PING)
			/* What came back is the answer; the rest is lost. */
			atnet_req_finish(m, r, 0, NULL);
		else
			atnet_req_finish(m, r, -ETIMEDOUT,
					 "the modem did not answer in time");
	}
	mutex_unlock(&m->lock);
	mutex_unlock(&m->req_lock[r->kind]);

	if (r->err && r->msg && extack)
		extack->_msg = r->msg;
	return r->err;
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

static const char *atnet_dns_msg(u32 code, int *err)
{
	/* SIM7000 AT manual, AT+CDNSGIP <errcode>. */
	switch (code) {
	case 8:
		*err = -ENOENT;
		return "host not found (+CDNSGIP: 0,8: DNS error)";
	case 3:
		*err = -ENETUNREACH;
		return "no network for DNS (+CDNSGIP: 0,3: network error)";
	case 10:
		*err = -ETIMEDOUT;
		return "DNS timed out in the modem (+CDNSGIP: 0,10)";
	default:
		*err = -EIO;
		return "the modem's DNS failed (+CDNSGIP: 0,<code>; see dmesg)";
	}
}

/* "+CDNSGIP: ..." for @r: true when it ends the request. */
static bool atnet_dns_parse(struct atnet_modem *m, struct atnet_req *r,
			    const char *rest)
{
	struct atnet_dns_answer a;
	const char *msg;
	int i;
	int err;

	if (atnet_parse_cdnsgip(rest, &a))
		return false;
	if (a.kind == ATNET_DNS_ERROR) {
		msg = atnet_dns_msg(a.error, &err);
		if (err == -EIO)
			pr_info("%s: AT+CDNSGIP=\"%s\": error %u\n",
				m->tty_name, r->host, a.error);
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
				 "unreadable +CDNSGIP answer from the modem");
		return true;
	}
	/* The SIM7020 form comes before OK: let the OK end it. */
	if (a.kind == ATNET_DNS_FOUND || r->ok_seen)
		atnet_req_finish(m, r, 0, NULL);
	return true;
}

static enum atnet_chat_verdict atnet_dns_line(struct atnet_chat_cmd *cmd,
					      const char *line, size_t len)
{
	struct atnet_req *r = cmd->priv;
	const char *rest = atnet_chat_prefix(line, "+CDNSGIP:");

	if (!rest || r->finished)
		return ATNET_CHAT_PASS;
	atnet_dns_parse(r->m, r, rest);
	return ATNET_CHAT_MORE;
}

static void atnet_dns_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_req *r = cmd->priv;
	struct atnet_modem *m = r->m;

	lockdep_assert_held(&m->lock);
	atnet_req_cme(m, cmd);
	if (r->finished)
		goto out;
	if (result == -EIO && m->dialect_id == ATNET_DIALECT_SIM7020)
		/* Seed 002: an unknown name answers plain ERROR. */
		atnet_req_finish(m, r, -ENOENT,
				 "host not found (AT+CDNSGIP answered ERROR)");
	else if (result == -EIO)
		atnet_req_finish(m, r, -EIO,
				 "the modem refused AT+CDNSGIP (ERROR)");
	else if (result)
		atnet_req_finish(m, r, result,
				 "AT+CDNSGIP failed: timeout or modem restart");
	else if (r->n_addrs)
		atnet_req_finish(m, r, 0, NULL);
	else
		r->ok_seen = true;	/* the answer follows as a URC */
out:
	atnet_req_put(r);
}

int atnet_req_resolve_at(struct atnet_modem *m, struct atnet_req *r)
{
	int err;

	lockdep_assert_held(&m->lock);
	err = atnet_req_select(m, r);
	if (err)
		return err;
	/* netlink.c validated the name: no quote, ';', CR, LF, control. */
	snprintf(r->cmd.text, sizeof(r->cmd.text), "AT+CDNSGIP=\"%s\"",
		 r->host);
	return atnet_req_submit(m, r, &r->cmd, ATNET_DNS_CMD_MS,
				atnet_dns_line, atnet_dns_done);
}

/* Ping ------------------------------------------------------------------ */

/* "+CIPPING: i,"ip",rtt,ttl" (quotes optional). */
static void atnet_ping_parse(struct atnet_req *r, const char *rest)
{
	struct atnet_ping_reply *p;
	struct atnet_ping_answer a;

	if (atnet_parse_cipping(rest, &a) ||
	    !a.seq || a.seq > ATNET_PING_MAX || a.addr != r->addr ||
	    r->n_replies >= min_t(u32, r->count, ATNET_PING_MAX))
		return;
	p = &r->replies[r->n_replies++];
	p->seq = a.seq;
	p->lost = a.rtt >= ATNET_PING_LOST_RTT || a.rtt > ATNET_PING_TIMEOUT;
	p->rtt_ms = a.rtt * 100;
	p->ttl = a.ttl;
}

static enum atnet_chat_verdict atnet_ping_line(struct atnet_chat_cmd *cmd,
					       const char *line, size_t len)
{
	struct atnet_req *r = cmd->priv;
	const char *rest = atnet_chat_prefix(line, "+CIPPING:");

	if (!rest || r->finished)
		return ATNET_CHAT_PASS;
	atnet_ping_parse(r, rest);
	return ATNET_CHAT_MORE;
}

static void atnet_ping_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_req *r = cmd->priv;
	struct atnet_modem *m = r->m;

	lockdep_assert_held(&m->lock);
	atnet_req_cme(m, cmd);
	if (r->finished)
		goto out;
	if (result == -EIO)
		atnet_req_finish(m, r, -EIO, "the modem refused AT+CIPPING (ERROR)");
	else if (result && !r->n_replies)
		atnet_req_finish(m, r, result,
				 "AT+CIPPING failed: timeout or modem restart");
	else if (result || r->n_replies >= r->count)
		atnet_req_finish(m, r, 0, NULL);
	else
		r->ok_seen = true;	/* SIM7020: the replies follow the OK */
out:
	atnet_req_put(r);
}

int atnet_req_ping_at(struct atnet_modem *m, struct atnet_req *r)
{
	int err;

	lockdep_assert_held(&m->lock);
	err = atnet_req_select(m, r);
	if (err)
		return err;
	snprintf(r->cmd.text, sizeof(r->cmd.text),
		 "AT+CIPPING=\"%pI4\",%u,32,%u", &r->addr, r->count,
		 ATNET_PING_TIMEOUT);
	/* SIM7000 prints every reply before the OK: allow for all of them. */
	return atnet_req_submit(m, r, &r->cmd,
				r->count * (ATNET_PING_TIMEOUT * 100 + 1000) +
				5000, atnet_ping_line, atnet_ping_done);
}

/* From the SIM7000 URC table: answers that come after the OK. */
bool atnet_req_urc(struct atnet_modem *m, const char *line, size_t len)
{
	struct atnet_req *r;
	const char *rest;

	lockdep_assert_held(&m->lock);
	rest = atnet_chat_prefix(line, "+CDNSGIP:");
	if (rest) {
		r = m->req[ATNET_REQ_RESOLVE];
		if (r && !r->finished)
			atnet_dns_parse(m, r, rest);
		return true;
	}
	rest = atnet_chat_prefix(line, "+CIPPING:");
	if (rest) {
		r = m->req[ATNET_REQ_PING];
		if (r && !r->finished) {
			atnet_ping_parse(r, rest);
			if (r->ok_seen && r->n_replies >= r->count)
				atnet_req_finish(m, r, 0, NULL);
		}
		return true;
	}
	return false;
}

/* Server ---------------------------------------------------------------- */

/* Checks every dialect shares; then the dialect's AT. Lock held. */
int atnet_req_server_start(struct atnet_modem *m, struct atnet_req *r)
{
	const struct atnet_dialect_ops *d = m->dialect;

	lockdep_assert_held(&m->lock);
	if (!d || !d->server) {
		if (d && d->listen)
			d->listen(m, r->ctx, r->port);
		if (m->dialect_id == ATNET_DIALECT_SIM7020)
			r->msg = "SIM7020 has no TCP server mode (SIMCom app note 3.1)";
		else
			r->msg = "this modem has no TCP server mode";
		return -EOPNOTSUPP;
	}
	if (!r->port) {
		if (!m->lsn.on) {
			r->msg = "no listener is running on this modem";
			return -ENOENT;
		}
		return d->server(m, r);
	}
	if (r->ctx >= m->n_ctx) {
		r->msg = "no such context on this modem";
		return -EINVAL;
	}
	if (m->lsn.on) {
		r->msg =
		"a listener already runs on this modem (one per modem); stop it first";
		return -EBUSY;
	}
	if (!atnet_modem_ctx_up(m, r->ctx)) {
		r->msg = "the listener's context is not up";
		return -ENETDOWN;
	}
	if (atnet_links_busy(m) >= d->max_links) {
		r->msg =
		"all 8 links are in use: the server needs one (7 client links + server)";
		return -ENOSPC;
	}
	return d->server(m, r);
}

/* SIM7020 adapters ------------------------------------------------------ */

static void atnet_req_sim7020_dns(void *ctx, int err, const __be32 *addrs,
				  unsigned int n)
{
	struct atnet_req *r = ctx;

	r->n_addrs = min_t(unsigned int, n, ATNET_REQ_ADDRS);
	memcpy(r->addrs, addrs, r->n_addrs * sizeof(*addrs));
	if (err == -ENOENT)
		atnet_req_finish(r->m, r, err, "host not found (AT+CDNSGIP)");
	else if (err)
		atnet_req_finish(r->m, r, err,
				 "AT+CDNSGIP failed: timeout or modem restart");
	else
		atnet_req_finish(r->m, r, 0, NULL);
}

static void atnet_req_sim7020_pong(void *ctx, int err, u32 seq, u32 rtt_ms,
				   u32 ttl, bool last)
{
	struct atnet_req *r = ctx;
	struct atnet_ping_reply *p;

	if (!seq) {
		/* The request itself failed: what came back still counts. */
		atnet_req_finish(r->m, r, r->n_replies ? 0 : err,
				 "AT+CIPPING failed: refused, timeout or modem restart");
		return;
	}
	if (r->n_replies < ATNET_PING_MAX) {
		p = &r->replies[r->n_replies++];
		p->seq = seq;
		p->lost = err != 0;
		p->rtt_ms = rtt_ms;
		p->ttl = ttl;
	}
	if (last)
		atnet_req_finish(r->m, r, 0, NULL);
}

static int atnet_req_errmsg(struct atnet_req *r, int err, const char *msg)
{
	if (err)
		r->msg = msg;
	return err;
}

int atnet_req_resolve_start(struct atnet_modem *m, struct atnet_req *r)
{
	const struct atnet_dialect_ops *d = m->dialect;

	lockdep_assert_held(&m->lock);
	if (!atnet_modem_ctx_up(m, r->ctx)) {
		r->msg = "the interface's context is not up";
		return -ENETDOWN;
	}
	if (d->resolve)
		return d->resolve(m, r);
	if (m->dialect_id == ATNET_DIALECT_SIM7020) {
		r->cancel = atnet_sim7020_resolve_cancel;
		return atnet_req_errmsg(r, atnet_sim7020_resolve(m, r->host,
						atnet_req_sim7020_dns, r),
					"the SIM7020 takes no spaces or ',' in a host name");
	}
	r->msg = "this modem cannot resolve names";
	return -EOPNOTSUPP;
}

int atnet_req_ping_start(struct atnet_modem *m, struct atnet_req *r)
{
	const struct atnet_dialect_ops *d = m->dialect;

	lockdep_assert_held(&m->lock);
	if (!atnet_modem_ctx_up(m, r->ctx)) {
		r->msg = "the interface's context is not up";
		return -ENETDOWN;
	}
	if (d->ping)
		return d->ping(m, r);
	if (m->dialect_id == ATNET_DIALECT_SIM7020) {
		r->cancel = atnet_sim7020_ping_cancel;
		return atnet_req_errmsg(r, atnet_sim7020_ping(m, r->addr,
						r->count,
						atnet_req_sim7020_pong, r),
					"the SIM7020 refused the ping");
	}
	r->msg = "this modem cannot ping";
	return -EOPNOTSUPP;
}
