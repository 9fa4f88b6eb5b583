// SPDX-License-Identifier: GPL-2.0
/*
 * The modem object: lifetime, lookups, the chat engine's glue (bytes in,
 * bytes out, time), the contexts, and the modem states that chat results
 * and URCs lead to. recover.c holds settle's dispatcher, reconciliation and
 * the recovery ladder; script.c the script runner; probe.c the probe.
 *
 * Lock order
 * ----------
 *   rtnl_lock -> m->lock                 (ndo_open/ndo_stop)
 *   lock_sock(sk) -> atnet_modems_lock -> m->lock -> m->tx.lock
 *
 * - m->lock (mutex) protects the chat engine and all modem state, including
 *   the link table. It is never held across waiting for the modem: every
 *   operation only queues commands, and their completions run later from
 *   receive_buf2 or the timer work, under m->lock again.
 * - Never take rtnl or lock_sock under m->lock: interfaces are registered
 *   from netdev_work, outside it; carrier changes need neither.
 * - Never cancel_*_sync() our works under m->lock: they take it.
 * - m->tx.lock (spinlock, bh) guards m->tx.tty and the tx fifo: the chat
 *   engine's ->write() and the tx work write to the tty under it,
 *   write_wakeup (IRQ context) only schedules the tx work.
 * - Requests (DNS, ping, server) queue on m->reqs[] under m->lock; nobody
 *   sleeps holding anything for them (request.c).
 *
 * Pending work
 * ------------
 * URCs and chat completions run inside the chat engine, where acting would
 * re-enter it: they only set a bit of m->todo (under m->lock) and
 * atnet_modem_settle() (recover.c), called after every feed, tick and
 * request, handles the bits in the order of enum atnet_todo. Faults and
 * the recovery ladder: see recover.c.
 *
 * Lifetime
 * --------
 * The line discipline holds one reference from open to close; each
 * registered interface holds one until its destructor runs (after an RCU
 * grace period, so lookups under rcu_read_lock may take a reference); the
 * socket layer takes its own. Detach and hangup first mark the modem dead
 * (every entry point checks m->dead), then the works are cancelled, the
 * interfaces unregistered and the tty forgotten. The memory goes with the
 * last reference.
 */
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tty.h>

#include "dialect.h"
#include "modem.h"
#include "netdev.h"
#include "netlink.h"

static LIST_HEAD(atnet_modems);
static DEFINE_MUTEX(atnet_modems_lock);

/* The chat engine's resync: a live modem answers it at once. */
#define ATNET_SYNC_MS		2000

u64 atnet_now_ms(void)
{
	/* Never 0: the chat engine reads 0 as "no deadline". */
	return ktime_to_ms(ktime_get()) + 1;
}

void atnet_modem_get(struct atnet_modem *m)
{
	kref_get(&m->ref);
}

static void atnet_modem_release(struct kref *ref)
{
	struct atnet_modem *m = container_of(ref, struct atnet_modem, ref);

	/* Sockets hold the modem, and with it their links, until here. */
	atnet_links_destroy(m);
	put_net(m->net);
	mutex_destroy(&m->lock);
	kfree(m->dialect_priv);
	kfree(m);
}

void atnet_modem_put(struct atnet_modem *m)
{
	kref_put(&m->ref, atnet_modem_release);
}

void atnet_modem_set_reason(struct atnet_modem *m, const char *fmt, ...)
{
	va_list ap;

	lockdep_assert_held(&m->lock);
	va_start(ap, fmt);
	vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
	va_end(ap);
}

/* Transmit -------------------------------------------------------------- */

/* Move what the tty takes from the tx fifo into it. */
static void atnet_modem_tx_push_locked(struct atnet_modem *m)
{
	struct tty_struct *tty;
	unsigned int n;
	int written;

	lockdep_assert_held(&m->tx.lock);
	while ((tty = m->tx.tty)) {
		n = kfifo_out_peek(&m->tx.fifo, m->tx.buf, sizeof(m->tx.buf));
		if (!n) {
			clear_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
			break;
		}
		/* Set before writing, so a wakeup for the rest is not missed. */
		set_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
		written = tty->ops->write(tty, m->tx.buf, n);
		if (written <= 0)
			break;
		n = kfifo_out(&m->tx.fifo, m->tx.buf, written);
	}
}

/*
 * The chat engine's ->room(): what ->write() takes whole now. Only the
 * fifo counts (the tty may take more): the engine checks it before a
 * command, so a command and its payload are never cut short (issue 9).
 */
static size_t atnet_modem_chat_room(void *ctx)
{
	struct atnet_modem *m = ctx;
	size_t room;

	lockdep_assert_held(&m->lock);
	spin_lock_bh(&m->tx.lock);
	room = m->tx.tty ? kfifo_avail(&m->tx.fifo) : 0;
	spin_unlock_bh(&m->tx.lock);
	return room;
}

/*
 * The chat engine's ->write(). It runs in process context (m->lock is a
 * mutex), so it writes to the tty at once: going through the tx work would
 * cost a workqueue hop on every turnaround (prompt -> payload, result ->
 * next command), most of a round trip. With nothing queued before it, @buf
 * goes to the tty without a copy through the fifo; what the tty does not
 * take is queued and goes out from the tx work on write_wakeup. All or
 * nothing: bytes that cannot all be queued are all dropped, so no partial
 * command or payload ever reaches the modem (the engine's room check makes
 * that a can't-happen; it is counted if it does).
 */
static void atnet_modem_chat_write(void *ctx, const u8 *buf, size_t len)
{
	struct atnet_modem *m = ctx;
	struct tty_struct *tty;
	bool dropped = false;
	int written;

	lockdep_assert_held(&m->lock);
	spin_lock_bh(&m->tx.lock);
	tty = m->tx.tty;
	if (len > kfifo_avail(&m->tx.fifo)) {
		dropped = true;
	} else if (tty && kfifo_is_empty(&m->tx.fifo)) {
		set_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
		written = tty->ops->write(tty, buf, len);
		if (written > 0) {
			buf += written;
			len -= written;
		}
		if (!len)
			clear_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
	}
	if (!dropped && len)
		kfifo_in(&m->tx.fifo, buf, len);
	spin_unlock_bh(&m->tx.lock);
	if (dropped) {
		m->tx.overflows++;
		atnet_warn_ratelimited(m, "tx fifo full, %zu bytes dropped whole\n",
				       len);
	}
}

static void atnet_modem_tx_work(struct work_struct *work)
{
	struct atnet_modem *m = container_of(work, struct atnet_modem, tx.work);

	spin_lock_bh(&m->tx.lock);
	atnet_modem_tx_push_locked(m);
	spin_unlock_bh(&m->tx.lock);
}

/* From write_wakeup, possibly in IRQ context: only schedule. */
void atnet_modem_write_wakeup(struct atnet_modem *m)
{
	schedule_work(&m->tx.work);
}

/* Time ------------------------------------------------------------------ */

/* Wake the timer work at the earliest chat deadline or script retry. */
void atnet_modem_arm(struct atnet_modem *m)
{
	u64 d, now;

	lockdep_assert_held(&m->lock);
	if (m->dead)
		return;
	d = atnet_chat_deadline(&m->chat);
	if (m->run.retry_at && (!d || m->run.retry_at < d))
		d = m->run.retry_at;
	now = atnet_recover_due(m);
	if (now && (!d || now < d))
		d = now;
	if (!d)
		return;
	now = atnet_now_ms();
	mod_delayed_work(system_wq, &m->timer_work,
			 d > now ? msecs_to_jiffies(d - now) + 1 : 0);
}

static void atnet_modem_timer_work(struct work_struct *work)
{
	struct atnet_modem *m = container_of(to_delayed_work(work),
					     struct atnet_modem, timer_work);
	u64 now;

	mutex_lock(&m->lock);
	if (!m->dead) {
		now = atnet_now_ms();
		atnet_chat_tick(&m->chat, now);
		if (m->run.retry_at && now >= m->run.retry_at)
			atnet_script_retry(m);
		atnet_recover_tick(m, now);
		atnet_modem_settle(m);
	}
	mutex_unlock(&m->lock);
}

/* Receive --------------------------------------------------------------- */

void atnet_modem_receive(struct atnet_modem *m, const u8 *buf, size_t len)
{
	mutex_lock(&m->lock);
	if (!m->dead) {
		atnet_chat_feed(&m->chat, buf, len, atnet_now_ms());
		atnet_modem_settle(m);
	}
	mutex_unlock(&m->lock);
}

/* The UART lost bytes here (overrun, break): what follows may be misframed. */
void atnet_modem_rx_lost(struct atnet_modem *m)
{
	mutex_lock(&m->lock);
	if (!m->dead)
		atnet_chat_damaged(&m->chat);
	mutex_unlock(&m->lock);
}

/* Contexts -------------------------------------------------------------- */

static const char *const atnet_ctx_state_names[] = {
	[ATNET_CTX_DOWN] = "down",
	[ATNET_CTX_ACTIVATING] = "activating",
	[ATNET_CTX_UP] = "up",
	[ATNET_CTX_DEACTIVATING] = "deactivating",
};

/* Move context @i to @state, keep carrier in step, report @event (or 0). */
void atnet_modem_ctx_set(struct atnet_modem *m, int i,
			 enum atnet_ctx_state state, int event,
			 const char *why)
{
	struct atnet_ctx *ctx = &m->ctx[i];
	enum atnet_ctx_state old = ctx->state;

	lockdep_assert_held(&m->lock);
	ctx->state = state;
	atnet_netdev_carrier(m, i, state == ATNET_CTX_UP);
	if (state == ATNET_CTX_DOWN)
		ctx->addr = 0;
	if (old == ATNET_CTX_UP && state != ATNET_CTX_UP) {
		atnet_links_ctx_down(m, i, -ENETDOWN);
		/* The modem's server dies with its context. */
		if (m->lsn.on && m->lsn.ctx == i)
			atnet_modem_lsn_off(m, -ENETDOWN, "its context went down");
	}
	if (state == ATNET_CTX_UP)
		atnet_info(m, "context %d up, address %pI4\n", i, &ctx->addr);
	else if (event == ATNET_EV_CONTEXT_LOST)
		atnet_info(m, "context %d lost: %s\n", i,
			   why ? why : "unknown reason");
	else if (old != state)
		atnet_dbg(m, "context %d %s\n", i,
			  atnet_ctx_state_names[state]);
	if (event)
		atnet_nl_event_ctx(m, event, i, why);
}

/* Every context goes down, with @event for those that were not down. */
static void atnet_modem_ctx_all_down(struct atnet_modem *m, int event,
				     const char *why)
{
	unsigned int i;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < ATNET_CONTEXTS; i++) {
		struct atnet_ctx *ctx = &m->ctx[i];
		bool was_down = ctx->state == ATNET_CTX_DOWN;

		ctx->want_up = false;
		ctx->need_shut = false;
		ctx->lost = false;
		ctx->verify = false;
		atnet_modem_ctx_set(m, i, ATNET_CTX_DOWN, was_down ? 0 : event,
				    why);
	}
}

bool atnet_modem_ctx_up(struct atnet_modem *m, int ctx)
{
	lockdep_assert_held(&m->lock);
	return !m->dead && m->state == ATNET_MODEM_READY && ctx >= 0 &&
	       ctx < m->n_ctx && m->ctx[ctx].state == ATNET_CTX_UP;
}

/*
 * Ask for context @i up or down. Asynchronous: the state machine acts in
 * settle, the outcome is an event. @strict (netlink) refuses a modem that is
 * not usable; ndo_open only records the wish.
 */
int atnet_modem_ctx_request(struct atnet_modem *m, int i, bool up,
			    bool strict, struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&m->lock);
	if (m->dead) {
		NL_SET_ERR_MSG(extack, "modem is gone");
		err = -ENODEV;
	} else if (i < 0 || i >= m->n_ctx) {
		NL_SET_ERR_MSG(extack, "no such context on this modem");
		err = -EINVAL;
	} else if (strict && up && m->state == ATNET_MODEM_FAILED) {
		NL_SET_ERR_MSG(extack, "modem failed; see the reason in GET");
		err = -ENETDOWN;
	} else {
		m->ctx[i].want_up = up;
		atnet_modem_settle(m);
	}
	mutex_unlock(&m->lock);
	return err;
}

/* Start the next context operation, when nothing else runs: true if one. */
static bool atnet_modem_kick_once(struct atnet_modem *m)
{
	const struct atnet_dialect_ops *d = m->dialect;
	unsigned int i;

	lockdep_assert_held(&m->lock);
	if (m->run.script || m->state != ATNET_MODEM_READY || !d)
		return false;
	for (i = 0; i < m->n_ctx; i++) {
		struct atnet_ctx *ctx = &m->ctx[i];

		if (!ctx->verify)
			continue;
		ctx->verify = false;
		if (ctx->state == ATNET_CTX_UP && d->ctx_verify) {
			m->run.ctx = i;
			atnet_script_start(m, d->ctx_verify);
			return true;
		}
	}
	for (i = 0; i < m->n_ctx; i++) {
		if (m->ctx[i].need_shut && m->ctx[i].state == ATNET_CTX_DOWN) {
			m->run.ctx = i;
			atnet_script_start(m, d->ctx_shut);
			return true;
		}
	}
	for (i = 0; i < m->n_ctx; i++) {
		struct atnet_ctx *ctx = &m->ctx[i];

		if (ctx->want_up && ctx->state == ATNET_CTX_DOWN) {
			m->run.ctx = i;
			atnet_modem_ctx_set(m, i, ATNET_CTX_ACTIVATING, 0, NULL);
			atnet_script_start(m, d->ctx_up);
			return true;
		}
		if (!ctx->want_up && ctx->state == ATNET_CTX_UP) {
			m->run.ctx = i;
			atnet_modem_ctx_set(m, i, ATNET_CTX_DEACTIVATING, 0,
					    NULL);
			atnet_script_start(m, d->ctx_down);
			return true;
		}
	}
	return false;
}

/*
 * A script with nothing to send (a shut with nothing left to close) ends
 * inside atnet_script_start(): nothing would settle again, so look for the
 * next operation at once (a few times at most).
 */
void atnet_modem_kick(struct atnet_modem *m)
{
	unsigned int n;

	lockdep_assert_held(&m->lock);
	for (n = 0; n < 4 && atnet_modem_kick_once(m) && !m->run.script; n++)
		;
}

/* Modem states ---------------------------------------------------------- */

/* Forget whatever we sent: its answers would be misread now. */
void atnet_modem_forget(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->gen++;
	m->run.script = NULL;
	m->run.retry_at = 0;
	clear_bit(ATNET_TODO_CHECK_ALIVE, &m->todo);
	/* Probing (autobaud) repeats AT on purpose: no resync there. */
	atnet_chat_set_sync(&m->chat, NULL, NULL, 0);
}

void atnet_modem_fail(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	atnet_modem_forget(m);
	if (!m->reason[0])
		strscpy(m->reason, "unknown failure", sizeof(m->reason));
	m->state = ATNET_MODEM_FAILED;
	atnet_recover_failed(m);
	atnet_req_abort_all(m, -ENETDOWN,
			    "the modem failed; see the reason in GET");
	atnet_modem_lsn_off(m, -EIO, "the modem failed");
	/* Links first: woken owners must see the modem's error, not ENETDOWN. */
	atnet_links_modem_down(m, -EIO);
	atnet_modem_ctx_all_down(m, ATNET_EV_CONTEXT_LOST, m->reason);
	/*
	 * What was queued would go out without a sync (none in FAILED), one
	 * command after the other, each waiting its timeout ahead of the
	 * revive poll, and a late answer of one could complete the next.
	 */
	atnet_chat_abort(&m->chat, -ENETDOWN);
	atnet_warn(m, "%s\n", m->reason);
	atnet_nl_event_state(m);
}

void atnet_modem_ready(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->state = ATNET_MODEM_READY;
	m->reason[0] = '\0';
	/*
	 * After a timeout, an unprompted send or a late prompt, the next
	 * command goes after ESC and the resync command, whose answer every
	 * model prints before its OK, so a late OK of an earlier command is
	 * never taken for it (chat.h).
	 */
	atnet_chat_set_sync(&m->chat, atnet_ts27007.sync_cmd,
			    atnet_ts27007.sync_answer, ATNET_SYNC_MS);
	m->rec.seen_timeouts = m->chat.stats.timeouts;
	m->rec.seen_errors = m->chat.stats.errors;
	/* The announcement waits for the other contexts' interfaces. */
	schedule_work(&m->netdev_work);
}

/*
 * The modem said it switches itself off (its power-down line: a command,
 * the power key, its supply). It is gone as surely as after a failure:
 * every context, link and request ends now, nothing is sent, and its
 * power-up banner brings it back through a restart and a new probe.
 */
void atnet_modem_powered_down(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	atnet_modem_set_reason(m, "the modem powered down (%s); waiting for it to power up",
			       m->power_down_why);
	/*
	 * Not revived with polls: driving TX into a module that is off
	 * back-powers it (SIMCom's hardware design guides); it says so when
	 * it is back.
	 */
	m->rec.silent = false;
	atnet_modem_fail(m);
}

/* Whatever we knew of the modem is void: it is probed afresh. */
static void atnet_modem_forget_all(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->rec.silent = false;
	atnet_modem_forget(m);
	/* A fresh modem: the recovery ladder starts again from the bottom. */
	m->rec.faults = 0;
	m->rec.ladder = 0;
	clear_bit(ATNET_TODO_RECONCILE, &m->todo);
}

static void atnet_modem_set_probing(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->state = ATNET_MODEM_PROBING;
	m->reason[0] = '\0';
	atnet_nl_event_state(m);
}

static void atnet_modem_reprobe(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	/* Not from a chat callback: settle runs after feed and tick return. */
	atnet_chat_abort(&m->chat, -ECONNRESET);
	m->dialect = NULL;
	atnet_probe_start(m);
}

void atnet_modem_restarted(struct atnet_modem *m)
{
	enum atnet_modem_state was = m->state;

	lockdep_assert_held(&m->lock);
	atnet_modem_forget_all(m);
	atnet_req_abort_all(m, -ENETRESET, "the modem restarted");
	atnet_modem_lsn_off(m, -ENETRESET, "the modem restarted");
	if (was != ATNET_MODEM_PROBING) {
		m->restarts++;
		atnet_info(m, "modem restarted; probing it again\n");
		atnet_links_modem_down(m, -ENETRESET);
		atnet_modem_ctx_all_down(m, ATNET_EV_CONTEXT_LOST,
					 "modem restarted");
		/* After the carrier went: a listener may look at it at once. */
		atnet_nl_event_restart(m);
		atnet_modem_set_probing(m);
	}
	atnet_modem_reprobe(m);
}

/* A silent failed modem answered the revive poll: probe it again. */
void atnet_modem_revived(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	atnet_info(m, "the failed modem answers AT again; probing it\n");
	atnet_modem_forget_all(m);
	atnet_modem_set_probing(m);
	atnet_modem_reprobe(m);
}

/*
 * The dialect's context-deactivation URC names no context. With one up, it
 * is that one. With two, the dialect asks which (ctx_verify): losing one
 * must not take the other.
 */
void atnet_modem_deact(struct atnet_modem *m)
{
	const struct atnet_dialect_ops *d = m->dialect;
	unsigned int i, up = 0;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < m->n_ctx; i++)
		up += m->ctx[i].state == ATNET_CTX_UP;
	for (i = 0; i < m->n_ctx && up > 1 && d && d->ctx_verify; i++) {
		if (m->ctx[i].state == ATNET_CTX_UP)
			m->ctx[i].verify = true;
		else if (m->ctx[i].state == ATNET_CTX_ACTIVATING)
			m->ctx[i].lost = true;
	}
	if (up > 1 && d && d->ctx_verify)
		return;
	for (i = 0; i < m->n_ctx; i++) {
		struct atnet_ctx *ctx = &m->ctx[i];

		if (ctx->state == ATNET_CTX_ACTIVATING) {
			ctx->lost = true;
		} else if (ctx->state == ATNET_CTX_UP) {
			/* The dialect's manual: shut before anything else. */
			ctx->want_up = false;
			ctx->need_shut = true;
			atnet_modem_ctx_set(m, i, ATNET_CTX_DOWN,
					    ATNET_EV_CONTEXT_LOST,
					    d ? d->deact_why : NULL);
		}
	}
}

/* Registers the interfaces of contexts beyond the first, then announces. */
static void atnet_modem_netdev_work(struct work_struct *work)
{
	struct atnet_modem *m = container_of(work, struct atnet_modem,
					     netdev_work);
	struct net_device *dev;
	unsigned int i, n;
	char names[64];
	int len;

	mutex_lock(&m->lock);
	n = m->dead ? 0 : m->n_ctx;
	mutex_unlock(&m->lock);

	for (i = 1; i < n; i++) {
		mutex_lock(&m->lock);
		dev = m->ctx[i].dev;
		mutex_unlock(&m->lock);
		if (dev)
			continue;
		dev = atnet_netdev_create(m, i);
		if (IS_ERR(dev)) {
			atnet_warn(m, "no interface for context %u: %ld\n", i,
				   PTR_ERR(dev));
			break;
		}
		/* Stored even if dead by now: teardown unregisters it. */
		mutex_lock(&m->lock);
		m->ctx[i].dev = dev;
		mutex_unlock(&m->lock);
	}

	mutex_lock(&m->lock);
	if (!m->dead && m->state == ATNET_MODEM_READY) {
		names[0] = '\0';
		len = 0;
		for (i = 0; i < m->n_ctx; i++)
			if (m->ctx[i].dev)
				len += scnprintf(names + len, sizeof(names) - len,
						 "%s%s", len ? ", " : "",
						 m->ctx[i].dev->name);
		atnet_info(m, "%s (%s) ready as %s\n", m->model,
			   m->firmware[0] ? m->firmware : "firmware unknown",
			   names);
		atnet_nl_event_state(m);
	}
	mutex_unlock(&m->lock);
}

/* Submission for the link layer ----------------------------------------- */

int atnet_modem_submit(struct atnet_modem *m, struct atnet_chat_cmd *cmd)
{
	lockdep_assert_held(&m->lock);
	if (m->dead)
		return -ENODEV;
	if (m->state != ATNET_MODEM_READY)
		return -ENETDOWN;
	atnet_chat_submit(&m->chat, cmd, atnet_now_ms());
	atnet_modem_arm(m);
	return 0;
}

/* Lookups --------------------------------------------------------------- */

/* The first context's interface name, for the ldisc's SIOCGIFNAME. */
int atnet_modem_ifname(struct atnet_modem *m, char *name)
{
	int err = -ENODEV;

	mutex_lock(&m->lock);
	if (m->ctx[0].dev) {
		strscpy(name, m->ctx[0].dev->name, IFNAMSIZ);
		err = 0;
	}
	mutex_unlock(&m->lock);
	return err;
}

/* The modem behind interface @name, or @ifindex when @name is NULL. */
static struct atnet_modem *atnet_modem_get_by_dev(struct net *net,
						  int ifindex,
						  const char *name, int *ctx)
{
	struct atnet_modem *m = NULL;
	struct net_device *dev;

	rcu_read_lock();
	dev = name ? dev_get_by_name_rcu(net, name) :
		     dev_get_by_index_rcu(net, ifindex);
	if (dev)
		m = atnet_netdev_modem_get(dev, ctx);
	rcu_read_unlock();
	return m;
}

struct atnet_modem *atnet_modem_get_by_ifindex(struct net *net, int ifindex,
					       int *ctx)
{
	return atnet_modem_get_by_dev(net, ifindex, NULL, ctx);
}

struct atnet_modem *atnet_modem_get_by_ifname(struct net *net,
					      const char *name, int *ctx)
{
	return atnet_modem_get_by_dev(net, 0, name, ctx);
}

struct atnet_modem *atnet_modem_get_first_up(struct net *net, int *ctx)
{
	struct atnet_modem *m, *found = NULL;
	int i;

	mutex_lock(&atnet_modems_lock);
	list_for_each_entry(m, &atnet_modems, node) {
		if (!net_eq(m->net, net))
			continue;
		mutex_lock(&m->lock);
		for (i = 0; i < m->n_ctx && !found; i++) {
			if (atnet_modem_ctx_up(m, i)) {
				atnet_modem_get(m);
				*ctx = i;
				found = m;
			}
		}
		mutex_unlock(&m->lock);
		if (found)
			break;
	}
	mutex_unlock(&atnet_modems_lock);
	return found;
}

/* For dumps: the @idx-th modem of @net, with a reference. */
struct atnet_modem *atnet_modem_get_nth(struct net *net, unsigned long idx)
{
	struct atnet_modem *m, *found = NULL;

	mutex_lock(&atnet_modems_lock);
	list_for_each_entry(m, &atnet_modems, node) {
		if (!net_eq(m->net, net))
			continue;
		if (!idx--) {
			atnet_modem_get(m);
			found = m;
			break;
		}
	}
	mutex_unlock(&atnet_modems_lock);
	return found;
}

/* Attach and detach ----------------------------------------------------- */

static const struct atnet_chat_ops atnet_modem_chat_ops = {
	.write = atnet_modem_chat_write,
	.urc = atnet_dialect_urc,
	.room = atnet_modem_chat_room,
};

struct atnet_modem *atnet_modem_create(struct tty_struct *tty)
{
	struct net_device *dev;
	struct atnet_modem *m;
	int i, err;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	kref_init(&m->ref);
	INIT_LIST_HEAD(&m->node);
	mutex_init(&m->lock);
	spin_lock_init(&m->tx.lock);
	INIT_KFIFO(m->tx.fifo);
	INIT_WORK(&m->tx.work, atnet_modem_tx_work);
	INIT_WORK(&m->netdev_work, atnet_modem_netdev_work);
	INIT_DELAYED_WORK(&m->timer_work, atnet_modem_timer_work);
	m->net = get_net(current->nsproxy->net_ns);
	m->tx.tty = tty;
	strscpy(m->tty_name, tty->name, sizeof(m->tty_name));
	m->owner_pid = task_tgid_vnr(current);
	m->state = ATNET_MODEM_PROBING;
	m->n_ctx = 1;
	for (i = 0; i < ATNET_CONTEXTS; i++)
		m->ctx[i].id = i;
	atnet_chat_init(&m->chat, &atnet_modem_chat_ops, m);
	for (i = 0; i < ATNET_REQ_KINDS; i++)
		INIT_LIST_HEAD(&m->reqs[i]);

	err = atnet_links_init(m, ATNET_LINKS_MAX);
	if (err)
		goto err_free;

	/* The first context's interface names the modem from the start. */
	dev = atnet_netdev_create(m, 0);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto err_put;
	}
	m->ctx[0].dev = dev;

	mutex_lock(&atnet_modems_lock);
	list_add_tail(&m->node, &atnet_modems);
	mutex_unlock(&atnet_modems_lock);
	return m;

err_put:
	/* The release frees the links too. */
	atnet_modem_put(m);
	return ERR_PTR(err);
err_free:
	put_net(m->net);
	kfree(m);
	return ERR_PTR(err);
}

/* Once the tty can deliver bytes to us. */
void atnet_modem_start(struct atnet_modem *m)
{
	mutex_lock(&m->lock);
	atnet_dbg(m, "attached, probing\n");
	atnet_probe_start(m);
	atnet_nl_event_state(m);
	atnet_modem_settle(m);
	mutex_unlock(&m->lock);
}

/*
 * The line is gone (hangup) or going (detach): fail everything that waits,
 * tell listeners, and make every entry point return -ENODEV from now on.
 * Nothing is sent: during close no answer could arrive anyway.
 */
void atnet_modem_kill(struct atnet_modem *m, const char *why)
{
	mutex_lock(&m->lock);
	if (!m->dead) {
		atnet_modem_forget(m);
		atnet_req_abort_all(m, -ENODEV, "modem is gone");
		atnet_modem_lsn_off(m, -ENODEV, NULL);
		atnet_links_modem_down(m, -ENODEV);
		atnet_modem_ctx_all_down(m, ATNET_EV_CONTEXT_LOST, why);
		m->state = ATNET_MODEM_GONE;
		strscpy(m->reason, why, sizeof(m->reason));
		atnet_nl_event_state(m);
		m->dead = true;
		atnet_chat_abort(&m->chat, -ENODEV);
		atnet_info(m, "%s\n", why);
	}
	mutex_unlock(&m->lock);
}

/* From the ldisc's close: tear down and drop the ldisc's reference. */
void atnet_modem_destroy(struct atnet_modem *m)
{
	struct net_device *dev;
	int i;

	atnet_modem_kill(m, "detached");

	mutex_lock(&atnet_modems_lock);
	list_del_init(&m->node);
	mutex_unlock(&atnet_modems_lock);

	cancel_delayed_work_sync(&m->timer_work);
	cancel_work_sync(&m->netdev_work);

	for (i = 0; i < ATNET_CONTEXTS; i++) {
		mutex_lock(&m->lock);
		dev = m->ctx[i].dev;
		m->ctx[i].dev = NULL;
		mutex_unlock(&m->lock);
		if (dev)
			atnet_netdev_destroy(dev);
	}

	spin_lock_bh(&m->tx.lock);
	m->tx.tty = NULL;
	kfifo_reset(&m->tx.fifo);
	spin_unlock_bh(&m->tx.lock);
	cancel_work_sync(&m->tx.work);

	atnet_modem_put(m);
}
