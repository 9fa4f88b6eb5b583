// SPDX-License-Identifier: GPL-2.0
/*
 * The link slot table: which consumer holds which of the modem's connection
 * slots, each slot's state, its rings and counters. The dialect speaks the AT
 * (struct atnet_link_ops) and reports back through the atnet_link_*()
 * notifications; owners (sockets) are woken through their owner ops.
 *
 * Lock order: lock_sock(sk) -> modem->lock. Everything in this file runs
 * under modem->lock, except the ring accessors at the end, which only the
 * owner calls under its own lock (see link.h for the ring rules).
 *
 * Why the slot stays taken until it is quiet: a command for slot n may still
 * sit in the chat queue when its owner goes away; handing n to a new owner
 * then would let the old command's answer land on the new connection.
 */
#include <linux/circ_buf.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "dialect.h"
#include "link.h"
#include "modem.h"
#include "netdev.h"

static unsigned int connect_timeout_ms = 75000;
module_param(connect_timeout_ms, uint, 0644);
MODULE_PARM_DESC(connect_timeout_ms,
		 "Give up a connect the modem has not answered (ms, default 75000 as the modem's own connect)");

/* Per-modem table state behind m->link_priv. */
struct atnet_links {
	unsigned int n;		/* slots the dialect offers */
	unsigned int next;	/* round-robin start for allocation */
};

static const struct atnet_link_ops *atnet_link_ops(struct atnet_link *l)
{
	struct atnet_modem *m = l->modem;

	return m->dialect ? m->dialect->link_ops : NULL;
}

/* ---- rings ---------------------------------------------------------- */

static int atnet_ring_alloc(struct atnet_ring *r, u32 size)
{
	r->buf = kvmalloc(size, GFP_KERNEL);
	if (!r->buf)
		return -ENOMEM;
	r->size = size;
	r->head = 0;
	r->tail = 0;
	return 0;
}

static void atnet_ring_free(struct atnet_ring *r)
{
	kvfree(r->buf);
	r->buf = NULL;
	r->size = 0;
}

/* @idx plus @n, wrapped into the ring. */
static u32 atnet_ring_idx(const struct atnet_ring *r, u32 idx, u32 n)
{
	return (idx + n) & (r->size - 1);
}

static void atnet_ring_put(struct atnet_ring *r, u32 idx, const void *src,
			   size_t len)
{
	u32 off = idx & (r->size - 1);
	size_t first = min_t(size_t, len, r->size - off);

	memcpy(r->buf + off, src, first);
	memcpy(r->buf, src + first, len - first);
}

static void atnet_ring_get(const struct atnet_ring *r, u32 idx, void *dst,
			   size_t len)
{
	u32 off = idx & (r->size - 1);
	size_t first = min_t(size_t, len, r->size - off);

	memcpy(dst, r->buf + off, first);
	memcpy(dst + first, r->buf, len - first);
}

/*
 * Copy @len bytes between the ring at @idx and @it (@in: into the ring),
 * wrapping; stops at a short copy (a fault). Returns the bytes copied.
 */
static size_t atnet_ring_iter(const struct atnet_ring *r, u32 idx,
			      struct iov_iter *it, size_t len, bool in)
{
	size_t done = 0;

	while (done < len) {
		u32 off = idx & (r->size - 1);
		size_t chunk = min_t(size_t, len - done, r->size - off);
		size_t got = in ? copy_from_iter(r->buf + off, chunk, it) :
				  copy_to_iter(r->buf + off, chunk, it);

		done += got;
		idx += got;
		if (got != chunk)
			break;
	}
	return done;
}

/* Producer side: free bytes. */
static u32 atnet_ring_room(const struct atnet_ring *r)
{
	/* Pairs with the consumer's release of tail: its reads are done. */
	return CIRC_SPACE(r->head, smp_load_acquire(&r->tail), r->size);
}

/* Consumer side: bytes published. */
static u32 atnet_ring_used(const struct atnet_ring *r)
{
	/* Pairs with the producer's release of head: the bytes are there. */
	return CIRC_CNT(smp_load_acquire(&r->head), r->tail, r->size);
}

/* ---- owner notification --------------------------------------------- */

static void atnet_link_wake_state(struct atnet_link *l)
{
	if (l->owner_ops)
		l->owner_ops->state_change(l);
}

static void atnet_link_wake_data(struct atnet_link *l)
{
	if (l->owner_ops)
		l->owner_ops->data_ready(l);
}

static void atnet_link_wake_write(struct atnet_link *l)
{
	if (l->owner_ops)
		l->owner_ops->write_space(l);
}

/* A command of @l ended: its busy bit goes. False: the slot is free. */
static bool atnet_link_cmd_end(struct atnet_link *l, u8 bit)
{
	lockdep_assert_held(&l->modem->lock);
	l->busy &= ~bit;
	return l->state != ATNET_LINK_FREE;
}

/* State or error changed: the owner looks again, sends may have stopped. */
static void atnet_link_wake_all(struct atnet_link *l)
{
	atnet_link_wake_state(l);
	atnet_link_wake_write(l);
}

static void atnet_link_set_state(struct atnet_link *l, u8 state,
				 const char *modem_state)
{
	WRITE_ONCE(l->state, state);
	if (modem_state)
		strscpy(l->modem_state, modem_state, sizeof(l->modem_state));
}

/* ---- slot lifetime -------------------------------------------------- */

static void atnet_link_free(struct atnet_link *l)
{
	atnet_ring_free(&l->rx);
	atnet_ring_free(&l->tx);
	kfree(l->tx_chunk);
	l->tx_chunk = NULL;
	atnet_link_set_state(l, ATNET_LINK_FREE, "INITIAL");
}

/*
 * A free slot taken for a new link, ours (connect) or the modem's (a client
 * of its server): buffers, then a clean slate of counters and flags for
 * the new owner. -ENOMEM leaves the slot free.
 */
static int atnet_link_setup(struct atnet_link *l, int ctx, u8 proto,
			    __be32 addr, __be16 port, u16 lport,
			    const struct atnet_link_owner_ops *ops, void *owner)
{
	struct atnet_modem *m = l->modem;

	lockdep_assert_held(&m->lock);
	if (atnet_ring_alloc(&l->rx, ATNET_LINK_RXBUF) ||
	    atnet_ring_alloc(&l->tx, ATNET_LINK_TXBUF))
		goto nomem;
	l->tx_chunk = kmalloc(ATNET_LINK_MTU_MAX, GFP_KERNEL);
	if (!l->tx_chunk)
		goto nomem;

	l->proto = proto;
	l->ctx = ctx;
	l->remote_addr = addr;
	l->remote_port = port;
	l->local_port = lport;
	WRITE_ONCE(l->tx_bytes, 0);
	l->rx_bytes = 0;
	l->rx_got = 0;
	l->acked = 0;
	l->nacked = 0;
	l->rx_dropped = 0;
	WRITE_ONCE(l->err, 0);
	WRITE_ONCE(l->peer_closed, false);
	WRITE_ONCE(l->rx_eof, false);
	l->close_wanted = false;
	l->reopen = false;
	l->retried = false;
	l->rx_pending = false;
	l->rx_urc = false;
	WRITE_ONCE(l->rx_starved, false);
	l->tx_inflight = 0;
	l->tx_inflight_payload = 0;
	WRITE_ONCE(l->tx_queued, 0);
	WRITE_ONCE(l->mtu, min_t(u32, m->dialect->max_send, ATNET_LINK_MTU_MAX));
	/* The owner tells its link from the slot's next use by it. */
	WRITE_ONCE(l->gen, l->gen + 1);
	l->owner_ops = ops;
	l->owner = owner;
	l->own_stats = ops && ops->own_stats;
	return 0;

nomem:
	atnet_link_free(l);
	return -ENOMEM;
}

/* Free the slot once nobody owns it and nothing is outstanding for it. */
static void atnet_link_try_free(struct atnet_link *l)
{
	if (l->state == ATNET_LINK_FREE || l->owner || l->busy)
		return;
	if (l->state != ATNET_LINK_CLOSED)
		return;
	atnet_link_free(l);
}

/* The rx side is finished once the modem holds nothing more for us. */
static void atnet_link_check_eof(struct atnet_link *l)
{
	if (l->rx_eof)
		return;
	if (!l->peer_closed && !l->err)
		return;
	if (l->rx_pending || (l->busy & ATNET_LINK_BUSY_RX))
		return;
	/* Pairs with the owner's acquire: every byte before EOF is visible. */
	smp_store_release(&l->rx_eof, true);
	atnet_link_wake_data(l);
}

static void atnet_link_submit_close(struct atnet_link *l)
{
	const struct atnet_link_ops *ops = atnet_link_ops(l);
	int err;

	l->close_wanted = false;
	if (!ops || l->modem->dead) {
		atnet_link_set_state(l, ATNET_LINK_CLOSED, "CLOSED");
		l->open_sent = false;
		return;
	}
	atnet_link_set_state(l, ATNET_LINK_CLOSING, "CLOSING");
	l->busy |= ATNET_LINK_BUSY_CTL;
	err = ops->close(l->modem, l);
	if (err) {
		l->busy &= ~ATNET_LINK_BUSY_CTL;
		l->open_sent = false;
		atnet_link_set_state(l, ATNET_LINK_CLOSED, "CLOSED");
	}
}

/*
 * Record the first fatal error and take the link down. @modem_open says the
 * modem may still hold the slot open, so it needs the dialect's close.
 */
static void atnet_link_fail(struct atnet_link *l, int err, bool modem_open)
{
	if (!l->err)
		WRITE_ONCE(l->err, err);
	cancel_delayed_work(&l->connect_timeout);
	if (modem_open && l->open_sent) {
		l->close_wanted = true;
	} else {
		l->close_wanted = false;
		l->reopen = false;
		l->open_sent = false;
		l->rx_pending = false;
		if (l->state != ATNET_LINK_FREE)
			atnet_link_set_state(l, ATNET_LINK_CLOSED, "CLOSED");
	}
	atnet_link_wake_all(l);
}

static u32 atnet_link_chunk(struct atnet_link *l, u32 *payload)
{
	struct atnet_ring *r = &l->tx;
	u32 used = atnet_ring_used(r);
	u16 hdr;

	if (!atnet_link_dgram(l)) {
		*payload = min(used, l->mtu);
		atnet_ring_get(r, r->tail, l->tx_chunk, *payload);
		return *payload;
	}
	if (used < sizeof(hdr))
		return 0;
	atnet_ring_get(r, r->tail, &hdr, sizeof(hdr));
	/* The owner checked the length against mtu; never trust it twice. */
	if (WARN_ON_ONCE(hdr > l->mtu || used < sizeof(hdr) + hdr))
		return 0;
	atnet_ring_get(r, r->tail + sizeof(hdr), l->tx_chunk, hdr);
	*payload = hdr;
	return sizeof(hdr) + hdr;
}

static void atnet_link_pump_tx(struct atnet_link *l)
{
	const struct atnet_link_ops *ops = atnet_link_ops(l);
	u32 payload = 0, n;
	int err;

	if (!ops || l->state != ATNET_LINK_CONNECTED || l->err ||
	    l->peer_closed || (l->busy & ATNET_LINK_BUSY_TX))
		return;
	n = atnet_link_chunk(l, &payload);
	if (!n)
		return;
	l->tx_inflight = n;
	l->tx_inflight_payload = payload;
	l->busy |= ATNET_LINK_BUSY_TX;
	err = ops->send(l->modem, l, l->tx_chunk, payload);
	if (err) {
		l->busy &= ~ATNET_LINK_BUSY_TX;
		l->tx_inflight = 0;
		atnet_link_fail(l, err, true);
	}
}

static void atnet_link_pump_rx(struct atnet_link *l)
{
	const struct atnet_link_ops *ops = atnet_link_ops(l);
	u32 room, want;
	int err;

	if (!ops || !ops->recv || !l->owner || !l->rx_pending || l->err ||
	    (l->busy & ATNET_LINK_BUSY_RX))
		return;
	if (l->state != ATNET_LINK_CONNECTED &&
	    !(l->state == ATNET_LINK_CLOSED && l->peer_closed))
		return;
	/*
	 * Only ask for what fits: the modem keeps the rest, so a slow reader
	 * never loses a byte. A datagram must fit whole.
	 */
	WRITE_ONCE(l->rx_starved, true);
	/*
	 * Pairs with the barrier in atnet_link_rx_starved(): either the owner
	 * sees rx_starved and kicks, or we see the room it made.
	 */
	smp_mb();
	room = atnet_ring_room(&l->rx);
	want = ATNET_LINK_MTU_MAX;
	if (room < want + (atnet_link_dgram(l) ? sizeof(u16) : 0))
		return;
	WRITE_ONCE(l->rx_starved, false);
	l->rx_limit = want;
	l->rx_wr = 0;
	l->rx_urc = false;
	l->busy |= ATNET_LINK_BUSY_RX;
	err = ops->recv(l->modem, l, want);
	if (err) {
		l->busy &= ~ATNET_LINK_BUSY_RX;
		l->rx_pending = false;
		atnet_link_check_eof(l);
	}
}

/* Nothing left to send, or nothing can be sent any more. */
static bool atnet_link_tx_flushed(struct atnet_link *l)
{
	if (l->err || l->peer_closed || l->state != ATNET_LINK_CONNECTED)
		return true;
	return !(l->busy & ATNET_LINK_BUSY_TX) && !atnet_ring_used(&l->tx);
}

/* Move whatever can move now; called after every state change. */
static void atnet_link_settle(struct atnet_link *l)
{
	if (l->state == ATNET_LINK_FREE)
		return;
	atnet_link_pump_tx(l);
	if (l->close_wanted && !(l->busy & ATNET_LINK_BUSY_CTL) &&
	    !(l->busy & ATNET_LINK_BUSY_SEL) && atnet_link_tx_flushed(l))
		atnet_link_submit_close(l);
	atnet_link_pump_rx(l);
	atnet_link_check_eof(l);
	atnet_link_try_free(l);
}

static void atnet_link_connect_timeout(struct work_struct *work)
{
	struct atnet_link *l = container_of(to_delayed_work(work),
					    struct atnet_link, connect_timeout);
	struct atnet_modem *m = l->modem;

	mutex_lock(&m->lock);
	if (l->state == ATNET_LINK_CONNECTING &&
	    time_after_eq(jiffies, l->deadline)) {
		atnet_link_fail(l, -ETIMEDOUT, true);
		atnet_link_settle(l);
	}
	mutex_unlock(&m->lock);
}

/* ---- the table ------------------------------------------------------ */

int atnet_links_init(struct atnet_modem *m, unsigned int n)
{
	struct atnet_links *t;
	unsigned int i;

	n = min_t(unsigned int, n, ATNET_LINKS_MAX);
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->n = n;
	for (i = 0; i < n; i++) {
		struct atnet_link *l = kzalloc(sizeof(*l), GFP_KERNEL);

		if (!l)
			goto err;
		l->modem = m;
		l->slot = i;
		l->modem_id = -1;
		l->state = ATNET_LINK_FREE;
		strscpy(l->modem_state, "INITIAL", sizeof(l->modem_state));
		INIT_DELAYED_WORK(&l->connect_timeout,
				  atnet_link_connect_timeout);
		m->links[i] = l;
	}
	m->link_priv = t;
	return 0;
err:
	while (i--) {
		kfree(m->links[i]);
		m->links[i] = NULL;
	}
	kfree(t);
	return -ENOMEM;
}

void atnet_links_destroy(struct atnet_modem *m)
{
	unsigned int i;

	for (i = 0; i < ATNET_LINKS_MAX; i++) {
		struct atnet_link *l = m->links[i];

		if (!l)
			continue;
		cancel_delayed_work_sync(&l->connect_timeout);
		/* Every owner is gone by now: it held a modem reference. */
		WARN_ON_ONCE(l->owner);
		atnet_ring_free(&l->rx);
		atnet_ring_free(&l->tx);
		kfree(l->tx_chunk);
		kfree(l);
		m->links[i] = NULL;
	}
	kfree(m->link_priv);
	m->link_priv = NULL;
}

static unsigned int atnet_links_n(struct atnet_modem *m)
{
	struct atnet_links *t = m->link_priv;
	unsigned int n = t ? t->n : 0;

	if (m->dialect)
		n = min(n, m->dialect->max_links);
	return n;
}

struct atnet_link *atnet_link_by_slot(struct atnet_modem *m, unsigned int slot)
{
	lockdep_assert_held(&m->lock);
	if (slot >= atnet_links_n(m))
		return NULL;
	return m->links[slot];
}

unsigned int atnet_links_busy(struct atnet_modem *m)
{
	unsigned int i, busy = 0;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < ATNET_LINKS_MAX; i++)
		if (m->links[i] && m->links[i]->state != ATNET_LINK_FREE)
			busy++;
	return busy;
}

static void atnet_link_die(struct atnet_link *l, int err)
{
	if (l->state == ATNET_LINK_FREE)
		return;
	/*
	 * The modem's side of the link is gone: nothing to close, no data.
	 * Losing the modem says more than the context going down with it.
	 */
	if (l->err == -ENETDOWN && err != -ENETDOWN)
		WRITE_ONCE(l->err, err);
	l->open_sent = false;
	atnet_link_fail(l, err, false);
	atnet_link_check_eof(l);
	atnet_link_try_free(l);
}

void atnet_links_ctx_down(struct atnet_modem *m, int ctx, int err)
{
	unsigned int i;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < ATNET_LINKS_MAX; i++) {
		struct atnet_link *l = m->links[i];

		if (l && l->state != ATNET_LINK_FREE && l->ctx == ctx)
			atnet_link_die(l, err ? err : -ENETDOWN);
	}
}

void atnet_links_modem_down(struct atnet_modem *m, int err)
{
	unsigned int i;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < ATNET_LINKS_MAX; i++) {
		struct atnet_link *l = m->links[i];

		if (l)
			atnet_link_die(l, err ? err : -ECONNRESET);
	}
}

/* ---- owners --------------------------------------------------------- */

static int atnet_link_start(struct atnet_link *l)
{
	const struct atnet_link_ops *ops = atnet_link_ops(l);
	int err;

	l->busy |= ATNET_LINK_BUSY_CTL;
	l->open_sent = true;
	atnet_link_set_state(l, ATNET_LINK_CONNECTING, "CONNECTING");
	err = ops->open(l->modem, l);
	if (err) {
		l->busy &= ~ATNET_LINK_BUSY_CTL;
		l->open_sent = false;
	}
	return err;
}

/*
 * A fixed local port is the modem's to give once: who has it already? The
 * same owner may hold it on several links (an unconnected UDP socket's
 * peers).
 */
static bool atnet_lport_taken(struct atnet_modem *m, u8 proto, u16 lport,
			      void *owner)
{
	unsigned int i;

	if (proto == IPPROTO_TCP && atnet_lsn_has_port(m, lport))
		return true;
	for (i = 0; i < ATNET_LINKS_MAX; i++) {
		struct atnet_link *l = m->links[i];

		/* A released link only waits for its close command. */
		if (l && l->state != ATNET_LINK_FREE && l->proto == proto &&
		    l->local_port == lport && l->owner && l->owner != owner)
			return true;
	}
	return false;
}

struct atnet_link *atnet_link_open_lport(struct atnet_modem *m, int ctx,
					 u8 proto, __be32 addr, __be16 port,
					 u16 lport,
					 const struct atnet_link_owner_ops *ops,
					 void *owner)
{
	struct atnet_links *t = m->link_priv;
	struct atnet_link *l = NULL;
	unsigned int i, n;
	int err;

	lockdep_assert_held(&m->lock);
	if (m->dead)
		return ERR_PTR(-ENODEV);
	if (!m->dialect || !m->dialect->link_ops || !t)
		return ERR_PTR(-ENETUNREACH);
	if (!atnet_modem_ctx_up(m, ctx))
		return ERR_PTR(-ENETDOWN);
	if (lport && !m->dialect->fixed_lport)
		return ERR_PTR(-EOPNOTSUPP);
	if (lport && atnet_lport_taken(m, proto, lport, owner))
		return ERR_PTR(-EADDRINUSE);
	/* The modem's TCP server holds one of the slots (listen.c). */
	if (atnet_lsn_running(m) && atnet_links_busy(m) + 1 >= atnet_links_n(m))
		return ERR_PTR(-EAGAIN);

	/* Round robin, so a slot just closed rests before it is reused. */
	n = atnet_links_n(m);
	for (i = 0; i < n; i++) {
		struct atnet_link *c = m->links[(t->next + i) % n];

		if (c->state == ATNET_LINK_FREE && !c->busy) {
			l = c;
			break;
		}
	}
	if (!l)
		return ERR_PTR(-EAGAIN);
	t->next = (l->slot + 1) % n;

	err = atnet_link_setup(l, ctx, proto, addr, port, lport, ops, owner);
	if (err)
		return ERR_PTR(err);
	err = atnet_link_start(l);
	if (err) {
		l->owner = NULL;
		l->owner_ops = NULL;
		atnet_link_free(l);
		return ERR_PTR(err);
	}
	l->deadline = jiffies + msecs_to_jiffies(connect_timeout_ms);
	mod_delayed_work(system_wq, &l->connect_timeout,
			 msecs_to_jiffies(connect_timeout_ms));
	return l;
}

void atnet_link_release(struct atnet_link *l)
{
	lockdep_assert_held(&l->modem->lock);
	l->owner = NULL;
	l->owner_ops = NULL;
	/* Queued sends still go out: the close waits for them (settle). */
	atnet_link_close(l);
}

void atnet_link_close(struct atnet_link *l)
{
	lockdep_assert_held(&l->modem->lock);
	if (l->state == ATNET_LINK_CONNECTED ||
	    l->state == ATNET_LINK_CONNECTING) {
		if (l->open_sent)
			l->close_wanted = true;
		else
			atnet_link_set_state(l, ATNET_LINK_CLOSED, "CLOSED");
	}
	l->reopen = false;
	l->rx_pending = false;
	atnet_link_settle(l);
}

void atnet_link_kick(struct atnet_link *l)
{
	lockdep_assert_held(&l->modem->lock);
	atnet_link_settle(l);
}

int atnet_link_ack(struct atnet_link *l)
{
	const struct atnet_link_ops *ops = atnet_link_ops(l);
	int err;

	lockdep_assert_held(&l->modem->lock);
	if (l->busy & ATNET_LINK_BUSY_ACK)
		return 0;
	if (!ops || !ops->ack || l->modem->dead)
		return -ENODEV;
	if (l->state != ATNET_LINK_CONNECTED)
		return -ENOTCONN;
	l->busy |= ATNET_LINK_BUSY_ACK;
	err = ops->ack(l->modem, l);
	if (err)
		l->busy &= ~ATNET_LINK_BUSY_ACK;
	return err;
}

size_t atnet_link_tx_withdraw(struct atnet_link *l, u64 from)
{
	struct atnet_ring *r = &l->tx;
	u64 pos, dropped, off;
	u32 used;

	lockdep_assert_held(&l->modem->lock);
	if (!r->buf)
		return 0;
	/* Both sides are ours: the owner (our caller's) and the dialect. */
	used = CIRC_CNT(r->head, r->tail, r->size);
	/* What the active send command covers is the modem's already. */
	off = (l->busy & ATNET_LINK_BUSY_TX) ? l->tx_inflight : 0;
	pos = l->tx_bytes + ((l->busy & ATNET_LINK_BUSY_TX) ?
			     l->tx_inflight_payload : 0);
	if (!atnet_link_dgram(l)) {
		/* Stream: ring bytes and payload bytes are the same. */
		if (from > pos) {
			off += from - pos;
			pos = from;
		}
	} else {
		/* Datagrams go whole: cut at the first record from @from on. */
		while (off < used && pos < from) {
			u16 hdr;

			atnet_ring_get(r, r->tail + off, &hdr, sizeof(hdr));
			off += sizeof(hdr) + hdr;
			pos += hdr;
		}
	}
	if (pos >= l->tx_queued || off >= used)
		return 0;
	dropped = l->tx_queued - pos;
	/* The producer is our caller's owner, serialised with us. */
	smp_store_release(&r->head, atnet_ring_idx(r, r->tail, off));
	WRITE_ONCE(l->tx_queued, pos);
	return dropped;
}

/* ---- dialect notifications ------------------------------------------ */

void atnet_link_open_done(struct atnet_link *l, int err)
{
	lockdep_assert_held(&l->modem->lock);
	l->busy &= ~ATNET_LINK_BUSY_CTL;
	if (err && l->state == ATNET_LINK_CONNECTING) {
		/* ERROR: nothing opened. Timeout: the modem may have. */
		if (err != -ETIMEDOUT)
			l->open_sent = false;
		atnet_link_fail(l, err, err == -ETIMEDOUT);
	}
	atnet_link_settle(l);
}

void atnet_link_connected(struct atnet_link *l, int err)
{
	lockdep_assert_held(&l->modem->lock);
	if (l->state != ATNET_LINK_CONNECTING)
		return;
	if (err) {
		l->open_sent = false;
		atnet_link_fail(l, err, false);
	} else if (l->close_wanted) {
		/* Released or timed out meanwhile: settle closes it. */
	} else {
		cancel_delayed_work(&l->connect_timeout);
		atnet_link_set_state(l, ATNET_LINK_CONNECTED, "CONNECTED");
		atnet_link_wake_all(l);
	}
	atnet_link_settle(l);
}

void atnet_link_sel_done(struct atnet_link *l, int err)
{
	lockdep_assert_held(&l->modem->lock);
	l->busy &= ~ATNET_LINK_BUSY_SEL;
	atnet_link_settle(l);
}

void atnet_link_set_mtu(struct atnet_link *l, u32 mtu)
{
	lockdep_assert_held(&l->modem->lock);
	if (mtu >= 1 && mtu <= ATNET_LINK_MTU_MAX)
		WRITE_ONCE(l->mtu, mtu);
}

int atnet_link_submit(struct atnet_link *l, struct atnet_chat_cmd *cmd,
		      u32 timeout_ms,
		      enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *,
						      const char *, size_t),
		      void (*done)(struct atnet_chat_cmd *, int),
		      const u8 *payload, size_t payload_len)
{
	lockdep_assert_held(&l->modem->lock);
	atnet_chat_cmd_prepare(cmd, timeout_ms, line, done, l);
	cmd->payload = payload;
	cmd->payload_len = payload_len;
	return atnet_modem_submit(l->modem, cmd);
}

void atnet_link_sent(struct atnet_link *l, size_t len, int err)
{
	struct atnet_ring *r = &l->tx;

	if (!atnet_link_cmd_end(l, ATNET_LINK_BUSY_TX))
		return;
	if (err) {
		l->tx_inflight = 0;
		/* Stream integrity is lost: the rest must not follow. */
		atnet_link_fail(l, l->peer_closed ? -EPIPE : err, true);
		atnet_link_settle(l);
		return;
	}
	/* The owner's blocking send waits for this without the lock. */
	WRITE_ONCE(l->tx_bytes, l->tx_bytes + l->tx_inflight_payload);
	if (!l->own_stats)
		atnet_netdev_count(l->modem, l->ctx, 0,
				   l->tx_inflight_payload);
	/* The modem has the bytes: the owner may overwrite them. */
	smp_store_release(&r->tail, atnet_ring_idx(r, r->tail, l->tx_inflight));
	l->tx_inflight = 0;
	atnet_link_wake_write(l);
	atnet_link_settle(l);
}

void atnet_link_rx_pending(struct atnet_link *l)
{
	lockdep_assert_held(&l->modem->lock);
	if (l->state == ATNET_LINK_FREE || l->err)
		return;
	l->rx_pending = true;
	if (l->busy & ATNET_LINK_BUSY_RX)
		l->rx_urc = true;
	atnet_link_settle(l);
}

void atnet_link_rx(struct atnet_link *l, const u8 *buf, size_t len)
{
	struct atnet_ring *r = &l->rx;
	u32 hdr = atnet_link_dgram(l) ? sizeof(u16) : 0;

	lockdep_assert_held(&l->modem->lock);
	if (!r->buf || !(l->busy & ATNET_LINK_BUSY_RX))
		return;
	/* A modem sending more than asked must not overrun the ring. */
	len = min_t(size_t, len, l->rx_limit - l->rx_wr);
	if (!len)
		return;
	atnet_ring_put(r, r->head + hdr + l->rx_wr, buf, len);
	l->rx_wr += len;
	l->rx_bytes += len;
	l->rx_got += len;
	if (!hdr) {
		/*
		 * Streams publish as bytes arrive; the owner is woken once
		 * per read (rx_done), not per UART burst.
		 */
		smp_store_release(&r->head, atnet_ring_idx(r, r->head, len));
		l->rx_wr = 0;
		l->rx_limit -= len;
	}
}

void atnet_link_rx_done(struct atnet_link *l, size_t remaining, int err)
{
	struct atnet_ring *r = &l->rx;

	if (!atnet_link_cmd_end(l, ATNET_LINK_BUSY_RX))
		return;
	if (atnet_link_dgram(l) && r->buf && l->rx_wr && !err) {
		u16 hdr = l->rx_wr;

		atnet_ring_put(r, r->head, &hdr, sizeof(hdr));
		/* Publish the whole record, header last, to the owner. */
		smp_store_release(&r->head,
				  atnet_ring_idx(r, r->head, sizeof(hdr) + hdr));
	}
	/* One read, one packet: a datagram once published, a stream always. */
	if (l->rx_got && !l->own_stats &&
	    (!atnet_link_dgram(l) || (r->buf && !err)))
		atnet_netdev_count(l->modem, l->ctx, l->rx_got, 0);
	l->rx_got = 0;
	atnet_link_wake_data(l);
	l->rx_wr = 0;
	/* A data announcement seen meanwhile may be for bytes after these. */
	l->rx_pending = !err && (remaining > 0 || l->rx_urc);
	l->rx_urc = false;
	atnet_link_settle(l);
}

/*
 * Overflow policy of push-style receive. The modem sends without being asked
 * and holds nothing back, so when a record does not fit the ring there is no
 * one to leave it with: it is dropped whole and counted in rx_dropped (never
 * silently). A datagram link just loses that datagram, as a full UDP socket
 * does. A stream now has a gap, and no byte after it can be trusted: the link
 * fails with -ENOBUFS, which the owner reports after delivering every byte
 * that arrived before the gap.
 */
bool atnet_link_rx_push(struct atnet_link *l, size_t len)
{
	struct atnet_ring *r = &l->rx;
	u32 hdr = atnet_link_dgram(l) ? sizeof(u16) : 0;

	lockdep_assert_held(&l->modem->lock);
	if (!r->buf || l->state != ATNET_LINK_CONNECTED || l->err ||
	    (l->busy & ATNET_LINK_BUSY_RX))
		return false;
	if ((hdr && len > U16_MAX) || len + hdr > atnet_ring_room(r)) {
		WRITE_ONCE(l->rx_dropped, l->rx_dropped + len);
		if (!hdr) {
			atnet_link_fail(l, -ENOBUFS, true);
			atnet_link_settle(l);
		}
		return false;
	}
	l->rx_limit = len;
	l->rx_wr = 0;
	l->rx_urc = false;
	l->busy |= ATNET_LINK_BUSY_RX;
	return true;
}

void atnet_link_closed(struct atnet_link *l, int err)
{
	lockdep_assert_held(&l->modem->lock);
	if (l->state == ATNET_LINK_FREE)
		return;
	if (l->state == ATNET_LINK_CLOSING) {
		/* Our close command crossed the peer's close: done either way. */
		l->open_sent = false;
		atnet_link_set_state(l, ATNET_LINK_CLOSED, "CLOSED");
		atnet_link_settle(l);
		return;
	}
	if (l->state == ATNET_LINK_CONNECTING) {
		l->open_sent = false;
		atnet_link_fail(l, -ECONNREFUSED, false);
		atnet_link_settle(l);
		return;
	}
	/* The peer closed: no more sends; the modem may still hold data. */
	l->open_sent = false;
	WRITE_ONCE(l->peer_closed, true);
	l->close_wanted = false;
	atnet_link_set_state(l, ATNET_LINK_CLOSED, "CLOSED");
	if (err && !l->err)
		WRITE_ONCE(l->err, err);
	atnet_link_wake_all(l);
	atnet_link_settle(l);
}

void atnet_link_close_done(struct atnet_link *l, int err)
{
	if (!atnet_link_cmd_end(l, ATNET_LINK_BUSY_CTL))
		return;
	/* Closed, ERROR (not open) or timeout: the slot is closed to us. */
	l->open_sent = false;
	l->rx_pending = false;
	if (l->state == ATNET_LINK_CLOSING)
		atnet_link_set_state(l, ATNET_LINK_CLOSED, "CLOSED");
	if (l->reopen && l->owner && !l->err && !l->modem->dead) {
		const struct atnet_link_ops *ops = atnet_link_ops(l);

		l->reopen = false;
		if (ops && !atnet_link_start(l))
			return;
		atnet_link_fail(l, -ECONNREFUSED, false);
	}
	atnet_link_wake_state(l);
	atnet_link_settle(l);
}

void atnet_link_already(struct atnet_link *l)
{
	lockdep_assert_held(&l->modem->lock);
	if (l->state != ATNET_LINK_CONNECTING || l->close_wanted)
		return;
	/* Our table and the modem disagree: close its slot, try once more. */
	if (l->retried) {
		atnet_link_fail(l, -EADDRINUSE, true);
	} else {
		l->retried = true;
		l->reopen = true;
		l->close_wanted = true;
	}
	atnet_link_settle(l);
}

void atnet_link_stray(struct atnet_modem *m, unsigned int slot)
{
	struct atnet_link *l = atnet_link_by_slot(m, slot);

	lockdep_assert_held(&m->lock);
	if (!l || l->state != ATNET_LINK_FREE || l->busy)
		return;
	/* Nobody asked for this connection: hang it up. */
	l->open_sent = true;
	WRITE_ONCE(l->err, -ECONNRESET);
	l->close_wanted = true;
	atnet_link_set_state(l, ATNET_LINK_CLOSING, "CLOSING");
	atnet_link_submit_close(l);
}

bool atnet_link_modem_state(struct atnet_link *l, const char *state,
			    bool alive)
{
	lockdep_assert_held(&l->modem->lock);
	if (l->state == ATNET_LINK_FREE) {
		/* Open on the modem, unknown to us: hang it up. */
		if (alive)
			atnet_link_stray(l->modem, l->slot);
		return false;
	}
	strscpy(l->modem_state, state, sizeof(l->modem_state));
	/* With an open or close in flight the answer may predate it. */
	if (alive || (l->busy & ATNET_LINK_BUSY_CTL))
		return false;
	if (l->state == ATNET_LINK_CONNECTING) {
		atnet_link_connected(l, -ECONNREFUSED);
		return true;
	}
	if (l->state == ATNET_LINK_CONNECTED) {
		/* CLOSED: the modem may still hold data; INITIAL: nothing. */
		atnet_link_closed(l, strcmp(state, "CLOSED") &&
				  strcmp(state, "REMOTE CLOSING") ?
				  -ECONNRESET : 0);
		return true;
	}
	return false;
}

void atnet_link_abort(struct atnet_link *l, int err)
{
	lockdep_assert_held(&l->modem->lock);
	if (l->state != ATNET_LINK_CONNECTED &&
	    l->state != ATNET_LINK_CONNECTING)
		return;
	atnet_link_fail(l, err, true);
	atnet_link_settle(l);
}

struct atnet_link *atnet_link_incoming(struct atnet_modem *m,
				       unsigned int slot, int ctx,
				       __be32 addr, u16 local_port,
				       const struct atnet_link_owner_ops *ops,
				       void *owner)
{
	struct atnet_link *l = atnet_link_by_slot(m, slot);

	lockdep_assert_held(&m->lock);
	if (!l || l->state != ATNET_LINK_FREE || l->busy || !m->dialect)
		return NULL;
	/* The client's port is not known yet: the dialect asks for it. */
	if (atnet_link_setup(l, ctx, IPPROTO_TCP, addr, 0, local_port, ops,
			     owner))
		return NULL;
	/* The modem holds it open: closing it needs the close command. */
	l->open_sent = true;
	atnet_link_set_state(l, ATNET_LINK_CONNECTED, "CONNECTED");
	return l;
}

bool atnet_link_incoming_ready(const struct atnet_link *l)
{
	lockdep_assert_held(&l->modem->lock);
	/* The dialect may still be asking the modem for the client's port. */
	return !(l->busy & ATNET_LINK_BUSY_SEL);
}

void atnet_link_set_owner(struct atnet_link *l,
			  const struct atnet_link_owner_ops *ops, void *owner)
{
	lockdep_assert_held(&l->modem->lock);
	l->owner_ops = ops;
	l->owner = owner;
}

int atnet_link_ifindex(const struct atnet_link *l)
{
	return atnet_ctx_ifindex(l->modem, l->ctx);
}

void atnet_link_acked(struct atnet_link *l, u64 tx, u64 acked, u64 nacked,
		      int err)
{
	lockdep_assert_held(&l->modem->lock);
	l->busy &= ~ATNET_LINK_BUSY_ACK;
	if (!err) {
		WRITE_ONCE(l->acked, acked);
		WRITE_ONCE(l->nacked, nacked);
	}
	WRITE_ONCE(l->ack_gen, l->ack_gen + 1);
	atnet_link_wake_state(l);
	atnet_link_settle(l);
}

/* ---- owner ring access (lock_sock only) ------------------------------ */

size_t atnet_link_tx_room(const struct atnet_link *l)
{
	u32 room = atnet_ring_room(&l->tx);

	if (!atnet_link_dgram(l))
		return room;
	return room > sizeof(u16) ? room - sizeof(u16) : 0;
}

int atnet_link_tx_write(struct atnet_link *l, struct iov_iter *from,
			size_t len)
{
	struct atnet_ring *r = &l->tx;
	u32 hdr = atnet_link_dgram(l) ? sizeof(u16) : 0;
	u32 idx = r->head + hdr;
	size_t done;

	if (len + hdr > atnet_ring_room(r))
		return -ENOSPC;
	done = atnet_ring_iter(r, idx, from, len, true);
	idx += done;
	if (hdr) {
		u16 h = len;

		/* A datagram goes whole or not at all. */
		if (done != len) {
			iov_iter_revert(from, done);
			return -EFAULT;
		}
		atnet_ring_put(r, r->head, &h, sizeof(h));
	}
	if (!done)
		return -EFAULT;
	/* Pairs with the dialect's acquire in atnet_ring_used(). */
	smp_store_release(&r->head, atnet_ring_idx(r, idx, 0));
	WRITE_ONCE(l->tx_queued, l->tx_queued + done);
	return done;
}

size_t atnet_link_rx_avail(const struct atnet_link *l)
{
	if (!l->rx.buf)
		return 0;
	return atnet_ring_used(&l->rx);
}

int atnet_link_rx_next(const struct atnet_link *l)
{
	u16 hdr;

	if (atnet_link_rx_avail(l) < sizeof(hdr))
		return -1;
	atnet_ring_get(&l->rx, l->rx.tail, &hdr, sizeof(hdr));
	return hdr;
}

int atnet_link_rx_peek(const struct atnet_link *l, struct iov_iter *to,
		       size_t off, size_t len)
{
	const struct atnet_ring *r = &l->rx;
	u32 idx = r->tail + off + (atnet_link_dgram(l) ? sizeof(u16) : 0);
	size_t done = atnet_ring_iter(r, idx, to, len, false);

	return done || !len ? done : -EFAULT;
}

void atnet_link_rx_consume(struct atnet_link *l, size_t len)
{
	struct atnet_ring *r = &l->rx;
	int next;

	if (atnet_link_dgram(l)) {
		next = atnet_link_rx_next(l);
		if (next < 0)
			return;
		len = sizeof(u16) + next;
	}
	WRITE_ONCE(r->consumed, r->consumed + len);
	/* Pairs with the dialect's acquire in atnet_ring_room(). */
	smp_store_release(&r->tail, atnet_ring_idx(r, r->tail, len));
}

bool atnet_link_rx_starved(const struct atnet_link *l)
{
	/* Pairs with the barrier in atnet_link_pump_rx(). */
	smp_mb();
	return READ_ONCE(l->rx_starved);
}
