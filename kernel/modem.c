// SPDX-License-Identifier: GPL-2.0
/*
 * The modem object: lifetime, the chat engine's glue (bytes in, bytes out,
 * time), and the state machine that turns chat results and URCs into modem
 * and context states.
 *
 * Lock order
 * ----------
 *   rtnl_lock -> m->lock                 (ndo_open/ndo_stop)
 *   lock_sock(sk) -> atnet_modems_lock -> m->lock -> m->tx_lock
 *
 * - m->lock (mutex) protects the chat engine and all modem state, including
 *   the link table. It is never held across waiting for the modem: every
 *   operation only queues commands, and their completions run later from
 *   receive_buf2 or the timer work, under m->lock again.
 * - Never take rtnl or lock_sock under m->lock: interfaces are registered
 *   from netdev_work, outside it; carrier changes need neither.
 * - Never cancel_*_sync() our works under m->lock: they take it.
 * - m->tx_lock (spinlock, bh) guards m->tty and the tx fifo: the chat
 *   engine's ->write() and the tx work write to the tty under it,
 *   write_wakeup (IRQ context) only schedules the tx work.
 * - Requests (DNS, ping, server) queue on m->reqs[] under m->lock; nobody
 *   sleeps holding anything for them (request.c).
 *
 * Faults and recovery
 * -------------------
 * A command that times out, a +CME ERROR to one of our requests, and a link
 * the modem lost without telling us, is a fault (a plain ERROR is not: it
 * is often the network's answer). Every fault, and every ERROR, asks for
 * reconciliation: the
 * link table is checked against AT+CIPSTATUS, so we never believe a link
 * alive that the modem has not (seed 000 sections 9-11). Faults that keep
 * coming within recover_window_ms climb the ladder of seed 000 section 13,
 * one step each time a threshold is passed: close every link, then
 * AT+CIPSHUT (contexts come back up if they were wanted), then reset the
 * modem with AT+CFUN=1,1. Each step is one dmesg line and a counter.
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
#include <linux/moduleparam.h>
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

static unsigned int status_interval_ms = 60000;
module_param(status_interval_ms, uint, 0644);
MODULE_PARM_DESC(status_interval_ms,
		 "Check links with AT+CIPSTATUS this often while any is in use (ms, 0 = only after faults)");
static unsigned int recover_window_ms = 30000;
module_param(recover_window_ms, uint, 0644);
MODULE_PARM_DESC(recover_window_ms,
		 "Faults this close together count as repeated (ms)");
static unsigned int recover_close = 4;
module_param(recover_close, uint, 0644);
MODULE_PARM_DESC(recover_close,
		 "Repeated faults before every link is closed (0 = never)");
static unsigned int recover_shut = 6;
module_param(recover_shut, uint, 0644);
MODULE_PARM_DESC(recover_shut,
		 "Repeated faults before AT+CIPSHUT (0 = never)");
static unsigned int recover_reset = 8;
module_param(recover_reset, uint, 0644);
MODULE_PARM_DESC(recover_reset,
		 "Repeated faults before the modem is reset, AT+CFUN=1,1 (0 = never)");

static unsigned int revive_ms = 3000;
module_param(revive_ms, uint, 0644);
MODULE_PARM_DESC(revive_ms,
		 "Ask a modem that failed by going silent AT this often; an answer probes it again (ms, 0 = wait for its RDY)");

/* The resync's AT+CSQ: a live modem answers it at once. */
#define ATNET_SYNC_MS		2000

/* At most one AT+CIPSTATUS per second, however many faults come. */
#define ATNET_STATUS_GAP_MS	1000

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

	lockdep_assert_held(&m->tx_lock);
	while ((tty = m->tty)) {
		n = kfifo_out_peek(&m->txfifo, m->txbuf, sizeof(m->txbuf));
		if (!n) {
			clear_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
			break;
		}
		/* Set before writing, so a wakeup for the rest is not missed. */
		set_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
		written = tty->ops->write(tty, m->txbuf, n);
		if (written <= 0)
			break;
		n = kfifo_out(&m->txfifo, m->txbuf, written);
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
	spin_lock_bh(&m->tx_lock);
	room = m->tty ? kfifo_avail(&m->txfifo) : 0;
	spin_unlock_bh(&m->tx_lock);
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
	spin_lock_bh(&m->tx_lock);
	tty = m->tty;
	if (len > kfifo_avail(&m->txfifo)) {
		dropped = true;
	} else if (tty && kfifo_is_empty(&m->txfifo)) {
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
		kfifo_in(&m->txfifo, buf, len);
	spin_unlock_bh(&m->tx_lock);
	if (dropped) {
		m->tx_overflows++;
		pr_warn_ratelimited("%s: tx fifo full, %zu bytes dropped whole\n",
				    m->tty_name, len);
	}
}

static void atnet_modem_tx_work(struct work_struct *work)
{
	struct atnet_modem *m = container_of(work, struct atnet_modem, tx_work);

	spin_lock_bh(&m->tx_lock);
	atnet_modem_tx_push_locked(m);
	spin_unlock_bh(&m->tx_lock);
}

/* From write_wakeup, possibly in IRQ context: only schedule. */
void atnet_modem_write_wakeup(struct atnet_modem *m)
{
	schedule_work(&m->tx_work);
}

/* Time ------------------------------------------------------------------ */

/* When settle has reconciliation work to do (ms), or 0. */
static u64 atnet_modem_status_due(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	if (m->state != ATNET_MODEM_READY || !m->dialect ||
	    !m->dialect->reconcile)
		return 0;
	if (m->status.lines)
		return m->status.until;
	/*
	 * status_kick() waits for a script (AT+CIICR, AT+CIPSHUT, the
	 * liveness check) to end, and the script's end settles again: a due
	 * time now would only make the timer work spin until then.
	 */
	if (m->status.running || m->script)
		return 0;
	if (m->need_status)
		return m->status_at + ATNET_STATUS_GAP_MS;
	if (status_interval_ms && atnet_links_busy(m))
		return m->status_at + status_interval_ms;
	return 0;
}

/* Wake the timer work at the earliest chat deadline or script retry. */
void atnet_modem_arm(struct atnet_modem *m)
{
	u64 d, now;

	lockdep_assert_held(&m->lock);
	if (m->dead)
		return;
	d = atnet_chat_deadline(&m->chat);
	if (m->retry_at && (!d || m->retry_at < d))
		d = m->retry_at;
	now = atnet_modem_status_due(m);
	if (now && (!d || now < d))
		d = now;
	if (m->state == ATNET_MODEM_FAILED && m->silent && revive_ms &&
	    !m->revive_busy && (!d || m->revive_at < d))
		d = m->revive_at;
	if (!d)
		return;
	now = atnet_now_ms();
	mod_delayed_work(system_wq, &m->timer_work,
			 d > now ? msecs_to_jiffies(d - now) + 1 : 0);
}

/*
 * A modem that failed by going silent (no answer to AT) comes back with
 * RDY, except one that autobauds: it prints nothing until it is spoken
 * to. So it is asked AT every revive_ms; the first answer has it probed
 * again. A modem that answers but failed otherwise (no SIM) is not
 * asked: probing it again would only fail again.
 */
static void atnet_modem_revive_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_modem *m = cmd->priv;

	lockdep_assert_held(&m->lock);
	m->revive_busy = false;
	if (!result && m->revive_gen == m->gen &&
	    m->state == ATNET_MODEM_FAILED)
		m->revived = true;
}

static void atnet_modem_revive_kick(struct atnet_modem *m, u64 now)
{
	struct atnet_chat_cmd *cmd = &m->revive_cmd;

	lockdep_assert_held(&m->lock);
	if (m->state != ATNET_MODEM_FAILED || !m->silent || !revive_ms ||
	    m->revive_busy || now < m->revive_at)
		return;
	m->revive_at = now + revive_ms;
	m->revive_busy = true;
	m->revive_gen = m->gen;
	strscpy(cmd->text, "AT", sizeof(cmd->text));
	atnet_chat_cmd_prepare(cmd, 1000, NULL, atnet_modem_revive_done, m);
	atnet_chat_submit(&m->chat, cmd, now);
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
		if (m->retry_at && now >= m->retry_at)
			atnet_script_retry(m);
		atnet_modem_revive_kick(m, now);
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
		pr_info("%s: context %d up, address %pI4\n", m->tty_name, i,
			&ctx->addr);
	else if (event == ATNET_EV_CONTEXT_LOST)
		pr_info("%s: context %d lost: %s\n", m->tty_name, i,
			why ? why : "unknown reason");
	else if (old != state)
		pr_debug("%s: context %d %s\n", m->tty_name, i,
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
	if (m->script || m->state != ATNET_MODEM_READY || !d)
		return false;
	if (m->check_alive) {
		m->check_alive = false;
		atnet_probe_check_alive(m);
		return true;
	}
	for (i = 0; i < m->n_ctx; i++) {
		struct atnet_ctx *ctx = &m->ctx[i];

		if (!ctx->verify)
			continue;
		ctx->verify = false;
		if (ctx->state == ATNET_CTX_UP && d->ctx_verify) {
			m->script_ctx = i;
			atnet_script_start(m, d->ctx_verify);
			return true;
		}
	}
	for (i = 0; i < m->n_ctx; i++) {
		if (m->ctx[i].need_shut && m->ctx[i].state == ATNET_CTX_DOWN) {
			m->script_ctx = i;
			atnet_script_start(m, d->ctx_shut);
			return true;
		}
	}
	for (i = 0; i < m->n_ctx; i++) {
		struct atnet_ctx *ctx = &m->ctx[i];

		if (ctx->want_up && ctx->state == ATNET_CTX_DOWN) {
			m->script_ctx = i;
			atnet_modem_ctx_set(m, i, ATNET_CTX_ACTIVATING, 0, NULL);
			atnet_script_start(m, d->ctx_up);
			return true;
		}
		if (!ctx->want_up && ctx->state == ATNET_CTX_UP) {
			m->script_ctx = i;
			atnet_modem_ctx_set(m, i, ATNET_CTX_DEACTIVATING, 0,
					    NULL);
			atnet_script_start(m, d->ctx_down);
			return true;
		}
	}
	return false;
}

/*
 * A script with nothing to send (SIM7020's ctx_shut when no socket is left
 * to close) ends inside atnet_script_start(): nothing would settle again,
 * so look for the next operation at once (a few times at most).
 */
static void atnet_modem_kick(struct atnet_modem *m)
{
	unsigned int n;

	lockdep_assert_held(&m->lock);
	for (n = 0; n < 4 && atnet_modem_kick_once(m) && !m->script; n++)
		;
}

/* Modem states ---------------------------------------------------------- */

/* Forget whatever we sent: its answers would be misread now. */
static void atnet_modem_forget(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->gen++;
	m->script = NULL;
	m->retry_at = 0;
	m->check_alive = false;
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
	m->revive_at = atnet_now_ms() + revive_ms;
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
	pr_warn("%s: %s\n", m->tty_name, m->reason);
	atnet_nl_event_state(m);
}

void atnet_modem_ready(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->state = ATNET_MODEM_READY;
	m->reason[0] = '\0';
	/*
	 * After a timeout, an unprompted send or a late "> ", the next command
	 * goes after ESC and AT+CSQ: every model answers "+CSQ:" and then OK,
	 * so a late OK of an earlier command is never taken for it (chat.h).
	 */
	atnet_chat_set_sync(&m->chat, "AT+CSQ", "+CSQ:", ATNET_SYNC_MS);
	m->seen_timeouts = m->chat.stats.timeouts;
	m->seen_errors = m->chat.stats.errors;
	/* The announcement waits for the other contexts' interfaces. */
	schedule_work(&m->netdev_work);
}

/*
 * "NORMAL POWER DOWN", "UNDER-VOLTAGE POWER DOWN", "OVER-VOLTAGE POWER
 * DOWN": the modem switched itself off (AT+CPOWD, PWRKEY, its supply). It is
 * gone as surely as after a failure: every context, link and request ends
 * now, nothing is sent, and its power-up banner (RDY) brings it back through
 * a restart and a new probe.
 */
static void atnet_modem_powered_down(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	atnet_modem_set_reason(m, "the modem powered down (%s); waiting for it to power up (RDY)",
			       m->power_down_why);
	/*
	 * Not revived with AT polls: driving TX into a module that is off
	 * back-powers it (SIMCom's hardware design guides); it says RDY when
	 * it is back.
	 */
	m->silent = false;
	atnet_modem_fail(m);
}

static void atnet_modem_restarted(struct atnet_modem *m)
{
	enum atnet_modem_state was = m->state;

	lockdep_assert_held(&m->lock);
	m->silent = false;
	atnet_modem_forget(m);
	atnet_req_abort_all(m, -ENETRESET, "the modem restarted");
	atnet_modem_lsn_off(m, -ENETRESET, "the modem restarted");
	/* A fresh modem: the recovery ladder starts again from the bottom. */
	m->faults = 0;
	m->ladder = 0;
	m->need_status = false;
	if (was != ATNET_MODEM_PROBING) {
		m->restarts++;
		pr_info("%s: modem restarted; probing it again\n",
			m->tty_name);
		atnet_links_modem_down(m, -ENETRESET);
		atnet_modem_ctx_all_down(m, ATNET_EV_CONTEXT_LOST,
					 "modem restarted");
		/* After the carrier went: a listener may look at it at once. */
		atnet_nl_event_restart(m);
		m->state = ATNET_MODEM_PROBING;
		m->reason[0] = '\0';
		atnet_nl_event_state(m);
	}
	/* Not from a chat callback: settle runs after feed and tick return. */
	atnet_chat_abort(&m->chat, -ECONNRESET);
	m->dialect = NULL;
	atnet_probe_start(m);
}

/*
 * +PDP: DEACT names no context. With one up, it is that one. With two, the
 * dialect asks which (ctx_verify): losing one must not take the other.
 */
static void atnet_modem_pdp_deact(struct atnet_modem *m)
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
			/* The manual: AT+CIPSHUT before anything else. */
			ctx->want_up = false;
			ctx->need_shut = true;
			atnet_modem_ctx_set(m, i, ATNET_CTX_DOWN,
					    ATNET_EV_CONTEXT_LOST,
					    "+PDP: DEACT");
		}
	}
}

/* Reconciliation and recovery ------------------------------------------ */

/* Time for AT+CIPSTATUS? Lock held; the dialect sends it. */
static void atnet_modem_status_kick(struct atnet_modem *m)
{
	u64 due, now = atnet_now_ms();

	lockdep_assert_held(&m->lock);
	if (m->status.lines && now >= m->status.until) {
		/* Lines went missing: nothing half-read is acted upon. */
		m->status.lines = false;
		m->status.running = false;
		m->need_status = true;
	}
	due = atnet_modem_status_due(m);
	if (!due || now < due || m->status.running || m->script)
		return;
	m->need_status = false;
	m->status_at = now;
	m->reconciles++;
	m->dialect->reconcile(m);
}

static void atnet_modem_reset_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_modem *m = cmd->priv;

	/*
	 * Never written (its sync timed out, no room): no reset happened, so
	 * it is not counted and the step may be taken again.
	 */
	if (!cmd->written) {
		lockdep_assert_held(&m->lock);
		if (m->recover_reset)
			m->recover_reset--;
		if (m->ladder == 3)
			m->ladder = 2;
		pr_warn("%s: AT+CFUN=1,1 not sent (%d)\n", m->tty_name, result);
		return;
	}
	/* OK, then the power-up banner ("RDY") takes us through restart. */
	if (result && result != -ECONNRESET && result != -ENODEV)
		pr_warn("%s: AT+CFUN=1,1 failed (%d)\n", m->tty_name, result);
}

static void atnet_modem_recover(struct atnet_modem *m, const char *what)
{
	struct atnet_chat_cmd *cmd = &m->reset_cmd;
	const char *step;
	unsigned int i;

	lockdep_assert_held(&m->lock);
	if (m->ladder < 3 && recover_reset && m->faults >= recover_reset) {
		m->ladder = 3;
		m->recover_reset++;
		pr_warn("%s: %u faults (last: %s): resetting the modem, AT+CFUN=1,1 (recovery step 3 of 3)\n",
			m->tty_name, m->faults, what);
		strscpy(cmd->text, "AT+CFUN=1,1", sizeof(cmd->text));
		atnet_chat_cmd_prepare(cmd, 10000, NULL,
				       atnet_modem_reset_done, m);
		atnet_modem_submit(m, cmd);
	} else if (m->ladder < 2 && recover_shut && m->faults >= recover_shut) {
		m->ladder = 2;
		m->recover_shut++;
		/* SIM7020: its ctx_shut closes the sockets, ctx_up re-reads the PDN. */
		step = m->dialect_id == ATNET_DIALECT_SIM7020 ?
		       "sockets closed, PDN re-activated" : "AT+CIPSHUT";
		pr_warn("%s: %u faults (last: %s): %s, contexts come back up (recovery step 2 of 3)\n",
			m->tty_name, m->faults, what, step);
		for (i = 0; i < m->n_ctx; i++) {
			struct atnet_ctx *ctx = &m->ctx[i];

			/* want_up stays: kick activates them again after it. */
			ctx->need_shut = true;
			if (ctx->state == ATNET_CTX_UP)
				atnet_modem_ctx_set(m, i, ATNET_CTX_DOWN,
						    ATNET_EV_CONTEXT_LOST,
						    m->dialect_id == ATNET_DIALECT_SIM7020 ?
						    "recovery: PDN re-activated" :
						    "recovery: AT+CIPSHUT");
		}
	} else if (m->ladder < 1 && recover_close && m->faults >= recover_close) {
		m->ladder = 1;
		m->recover_close++;
		pr_warn("%s: %u faults (last: %s): closing every link (recovery step 1 of 3)\n",
			m->tty_name, m->faults, what);
		for (i = 0; i < ATNET_LINKS_MAX; i++) {
			struct atnet_link *l = atnet_link_by_slot(m, i);

			if (l)
				atnet_link_abort(l, -ECONNRESET);
		}
	}
}

/*
 * Something went wrong that the modem's view of the links may explain:
 * check them soon, and climb the recovery ladder when it keeps happening.
 */
void atnet_modem_fault(struct atnet_modem *m, const char *what)
{
	u64 now = atnet_now_ms();

	lockdep_assert_held(&m->lock);
	if (m->faults && now - m->fault_at > recover_window_ms) {
		m->faults = 0;
		m->ladder = 0;
	}
	m->fault_at = now;
	m->faults++;
	m->need_status = true;
	atnet_modem_recover(m, what);
}

/*
 * After every feed, tick or request: act on what the URCs flagged, start the
 * next operation, rearm the timer. Never called from inside the chat engine.
 */
void atnet_modem_settle(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	if (m->dead)
		return;
	if (m->restart_seen) {
		/* A power-down before its power-up banner is over. */
		m->power_down = false;
		m->restart_seen = false;
		atnet_modem_restarted(m);
	}
	if (m->power_down) {
		m->power_down = false;
		atnet_modem_powered_down(m);
	}
	if (m->revived) {
		m->revived = false;
		if (m->state == ATNET_MODEM_FAILED) {
			pr_info("%s: the failed modem answers AT again; probing it\n",
				m->tty_name);
			m->silent = false;
			atnet_modem_forget(m);
			m->faults = 0;
			m->ladder = 0;
			m->need_status = false;
			m->state = ATNET_MODEM_PROBING;
			m->reason[0] = '\0';
			atnet_nl_event_state(m);
			/* Not from a chat callback: settle runs after them. */
			atnet_chat_abort(&m->chat, -ECONNRESET);
			m->dialect = NULL;
			atnet_probe_start(m);
		}
	}
	if (m->pdp_deact) {
		m->pdp_deact = false;
		atnet_modem_pdp_deact(m);
		m->need_status = true;
	}
	if (m->chat.stats.timeouts != m->seen_timeouts) {
		m->seen_timeouts = m->chat.stats.timeouts;
		if (m->state == ATNET_MODEM_READY) {
			bool again = m->check_alive ||
				     atnet_probe_checking_alive(m);

			m->check_alive = true;
			if (!again)
				atnet_modem_fault(m, "a command timed out");
		}
	}
	/*
	 * ERROR is often the network's answer (a refused connect on SIM7020),
	 * not the modem's trouble: check the links, count no fault.
	 */
	if (m->chat.stats.errors != m->seen_errors) {
		m->seen_errors = m->chat.stats.errors;
		if (m->state == ATNET_MODEM_READY)
			m->need_status = true;
	}
	atnet_modem_kick(m);
	if (!m->dead)
		atnet_modem_status_kick(m);
	atnet_modem_arm(m);
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
			pr_warn("%s: no interface for context %u: %ld\n",
				m->tty_name, i, PTR_ERR(dev));
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
		pr_info("%s: %s (%s) ready as %s\n", m->tty_name,
			m->model, m->firmware[0] ? m->firmware : "firmware unknown",
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

struct atnet_modem *atnet_modem_get_by_ifindex(struct net *net, int ifindex,
					       int *ctx)
{
	struct atnet_modem *m = NULL;
	struct net_device *dev;

	rcu_read_lock();
	dev = dev_get_by_index_rcu(net, ifindex);
	if (dev)
		m = atnet_netdev_modem_get(dev, ctx);
	rcu_read_unlock();
	return m;
}

struct atnet_modem *atnet_modem_get_by_ifname(struct net *net,
					      const char *name, int *ctx)
{
	struct atnet_modem *m = NULL;
	struct net_device *dev;

	rcu_read_lock();
	dev = dev_get_by_name_rcu(net, name);
	if (dev)
		m = atnet_netdev_modem_get(dev, ctx);
	rcu_read_unlock();
	return m;
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
	spin_lock_init(&m->tx_lock);
	INIT_KFIFO(m->txfifo);
	INIT_WORK(&m->tx_work, atnet_modem_tx_work);
	INIT_WORK(&m->netdev_work, atnet_modem_netdev_work);
	INIT_DELAYED_WORK(&m->timer_work, atnet_modem_timer_work);
	m->net = get_net(current->nsproxy->net_ns);
	m->tty = tty;
	strscpy(m->tty_name, tty->name, sizeof(m->tty_name));
	m->owner_pid = task_tgid_vnr(current);
	m->state = ATNET_MODEM_PROBING;
	m->n_ctx = 1;
	m->cur_ctx = -1;
	m->clport[0] = -1;
	m->clport[1] = -1;
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
	pr_debug("%s: attached, probing\n", m->tty_name);
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
		pr_info("%s: %s\n", m->tty_name, why);
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

	spin_lock_bh(&m->tx_lock);
	m->tty = NULL;
	kfifo_reset(&m->txfifo);
	spin_unlock_bh(&m->tx_lock);
	cancel_work_sync(&m->tx_work);

	atnet_modem_put(m);
}
