// SPDX-License-Identifier: GPL-2.0
/*
 * The modem's TCP server, as the socket layer and netlink see it: one per
 * modem (m->lsn), started and stopped through the request queue
 * (ATNET_REQ_SERVER, request.c) by the dialect's ->server(), which reports
 * the modem's answers back here. Each client the modem accepts takes one of
 * its link slots; the dialect hands it to atnet_modem_incoming() and the
 * listening socket takes it as a link (atnet_lsn_take()) or it is hung up.
 *
 * A dialect without a server has no ->server() and says why in
 * ->no_server: listen() and netlink's LISTEN fail with -EOPNOTSUPP.
 *
 * Locking: everything here runs with m->lock held (asserted); the owner's
 * callbacks (struct atnet_lsn_ops) too: they queue and wake, nothing more.
 */
#include <linux/errno.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/lockdep.h>

#include "dialect.h"
#include "link.h"
#include "listen.h"
#include "modem.h"
#include "request.h"

/*
 * The modem's server is gone: say why (when it was on), and tell its owner,
 * which is forgotten: it learns through @err and never hears from us again.
 */
void atnet_modem_lsn_off(struct atnet_modem *m, int err, const char *why)
{
	const struct atnet_lsn_ops *ops = m->lsn.ops;
	void *owner = m->lsn.owner;

	lockdep_assert_held(&m->lock);
	if (m->lsn.on && why)
		atnet_info(m, "listener on port %u stopped: %s\n", m->lsn.port,
			   why);
	m->lsn.on = false;
	m->lsn.ops = NULL;
	m->lsn.owner = NULL;
	if (ops)
		ops->lost(owner, err);
}

/* A client of the modem's server on @slot: its taker, if any. */
struct atnet_link *atnet_modem_incoming(struct atnet_modem *m,
					unsigned int slot, __be32 addr)
{
	lockdep_assert_held(&m->lock);
	if (!m->lsn.on || !m->lsn.ops)
		return NULL;
	return m->lsn.ops->incoming(m->lsn.owner, m, slot, addr);
}

struct atnet_link *atnet_lsn_take(struct atnet_modem *m, unsigned int slot,
				  __be32 addr,
				  const struct atnet_link_owner_ops *ops,
				  void *owner)
{
	lockdep_assert_held(&m->lock);
	return atnet_link_incoming(m, slot, m->lsn.ctx, addr, m->lsn.port,
				   ops, owner);
}

bool atnet_lsn_disown(struct atnet_modem *m, void *owner)
{
	lockdep_assert_held(&m->lock);
	if (!owner || m->lsn.owner != owner)
		return false;
	m->lsn.ops = NULL;
	m->lsn.owner = NULL;
	return true;
}

int atnet_lsn_supported(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	return m->dialect && !m->dialect->server ? -EOPNOTSUPP : 0;
}

bool atnet_lsn_running(const struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	return m->lsn.on;
}

bool atnet_lsn_has_port(const struct atnet_modem *m, u16 port)
{
	lockdep_assert_held(&m->lock);
	return m->lsn.on && m->lsn.port == port;
}

/* Checks every dialect shares; then the dialect's command. Lock held. */
int atnet_req_server_start(struct atnet_modem *m, struct atnet_req *r)
{
	const struct atnet_dialect_ops *d = m->dialect;

	lockdep_assert_held(&m->lock);
	if (!d || !d->server) {
		r->msg = (d ? d->no_server : NULL) ?:
			 "this modem has no TCP server mode";
		atnet_info_ratelimited(m, "%s: listen refused\n", r->msg);
		return -EOPNOTSUPP;
	}
	if (!r->port) {
		if (!m->lsn.on && !r->force) {
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
	/* The dialect checks that the server has a slot of its own. */
	return d->server(m, r);
}

/* Stop a server the modem runs for nobody, before any new listen(). */
static void atnet_req_server_stop_now(struct atnet_modem *m)
{
	struct atnet_req *r;

	lockdep_assert_held(&m->lock);
	if (m->dead || m->state != ATNET_MODEM_READY)
		return;
	r = atnet_req_alloc(ATNET_REQ_SERVER);
	if (!r)
		return;
	atnet_modem_get(m);
	r->m = m;
	r->admin = true;
	r->force = true;
	r->orphan = true;
	r->start = atnet_req_server_start;
	/* The queue takes over the creator's reference. */
	atnet_req_queue_next(m, r);
}

void atnet_req_server_result(struct atnet_modem *m, struct atnet_req *r,
			     int err)
{
	/*
	 * Finished before its result: given up on (orphan) or ended by the
	 * modem's failure or restart (atnet_req_abort_all()), whose caller
	 * already had its error and may be gone, socket and all. Its server
	 * has nobody to take clients: never install its owner.
	 */
	bool gone = r->orphan || r->finished;

	lockdep_assert_held(&m->lock);
	if (r->ok_seen)
		return;			/* said once already */
	r->ok_seen = true;
	if (err) {
		atnet_req_finish(m, r, err,
				 "the modem could not listen on that port");
	} else if (gone && m->state != ATNET_MODEM_READY) {
		/* The modem failed or restarts: its bring-up ends the server. */
		atnet_info(m, "server on port %u started after its request ended; the modem's bring-up stops it\n",
			   r->port);
	} else {
		/* The truth first: the modem listens on r->port now. */
		m->lsn.on = true;
		m->lsn.port = r->port;
		m->lsn.ctx = r->ctx;
		m->lsn.ops = gone ? NULL : r->lsn_ops;
		m->lsn.owner = gone ? NULL : r->lsn_owner;
		atnet_info(m, "listening on TCP port %u, context %d\n",
			   r->port, r->ctx);
		if (gone && r->lsn_ops) {
			/* Its listen() gave up or failed: nobody would accept. */
			atnet_info(m, "listen() on port %u ended before the server started: stopping the server\n",
				   r->port);
			atnet_req_server_stop_now(m);
		}
		atnet_req_finish(m, r, 0, NULL);
	}
	atnet_req_urc_end(m, r);
}

void atnet_req_server_stray(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	if (m->lsn.on)
		return;
	atnet_info(m, "a server started that no request is waiting for: stopping it\n");
	atnet_req_server_stop_now(m);
}
