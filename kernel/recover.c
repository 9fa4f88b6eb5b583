// SPDX-License-Identifier: GPL-2.0
/*
 * Settle: the one dispatcher of the work URCs and completions leave
 * (m->todo), and what keeps a modem honest: link reconciliation, the
 * liveness check, the revive poll of a silent failed modem and the
 * recovery ladder. Everything here runs with m->lock held.
 *
 * A command that times out, a +CME ERROR to one of our requests, and a link
 * the modem lost without telling us, is a fault (a plain ERROR is not: it
 * is often the network's answer). Every fault, and every ERROR, asks for
 * reconciliation: the link table is checked against the dialect's
 * link-status command, so we never believe a link alive that the modem has
 * not (SIMCom's TCP/IP application notes; the dialect files name the
 * sections). Faults that keep coming within recover_window_ms climb the
 * ladder those notes recommend, one step each time a threshold is passed: close every link,
 * then shut the contexts (they come back up if they were wanted), then
 * reset the modem. Each step is one dmesg line and a counter.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>

#include "dialect.h"
#include "modem.h"
#include "netlink.h"

static unsigned int status_interval_ms = 60000;
module_param(status_interval_ms, uint, 0644);
MODULE_PARM_DESC(status_interval_ms,
		 "Check links with the modem's link status this often while any is in use (ms, 0 = only after faults)");
static unsigned int recover_window_ms = 30000;
module_param(recover_window_ms, uint, 0644);
MODULE_PARM_DESC(recover_window_ms,
		 "Faults this close together count as repeated (ms)");

/* The ladder's thresholds, by step (1 close, 2 shut, 3 reset). */
static unsigned int recover_close = 4;
module_param(recover_close, uint, 0644);
MODULE_PARM_DESC(recover_close, "Repeated faults before every link is closed (0 = never)");
static unsigned int recover_shut = 6;
module_param(recover_shut, uint, 0644);
MODULE_PARM_DESC(recover_shut, "Repeated faults before every context is shut (0 = never)");
static unsigned int recover_reset = 8;
module_param(recover_reset, uint, 0644);
MODULE_PARM_DESC(recover_reset, "Repeated faults before the modem is reset (0 = never)");

static unsigned int revive_ms = 3000;
module_param(revive_ms, uint, 0644);
MODULE_PARM_DESC(revive_ms,
		 "Poll a modem that failed by going silent this often; an answer probes it again (ms, 0 = wait for its power-up banner)");

/* At most one reconciliation per second, however many faults come. */
#define ATNET_STATUS_GAP_MS	1000

/* Reconciliation -------------------------------------------------------- */

/* When the reconciliation has work to do (ms), or 0. */
static u64 atnet_recover_status_due(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	if (m->state != ATNET_MODEM_READY || !m->dialect ||
	    !m->dialect->reconcile)
		return 0;
	if (m->rec.reconcile_until)
		return m->rec.reconcile_until;
	/*
	 * status_kick() waits for a script (an activation, a shut, the
	 * liveness check) to end, and the script's end settles again: a due
	 * time now would only make the timer work spin until then.
	 */
	if (m->rec.reconciling || m->run.script)
		return 0;
	if (test_bit(ATNET_TODO_RECONCILE, &m->todo))
		return m->rec.status_at + ATNET_STATUS_GAP_MS;
	if (status_interval_ms && atnet_links_busy(m))
		return m->rec.status_at + status_interval_ms;
	return 0;
}

/* Time for the dialect's link check? It sends it. */
static void atnet_recover_status_kick(struct atnet_modem *m)
{
	u64 due, now = atnet_now_ms();

	lockdep_assert_held(&m->lock);
	if (m->rec.reconcile_until && now >= m->rec.reconcile_until) {
		/* Lines went missing: nothing half-read is acted upon. */
		m->rec.reconcile_until = 0;
		m->rec.reconciling = false;
		atnet_modem_todo(m, ATNET_TODO_RECONCILE);
	}
	due = atnet_recover_status_due(m);
	if (!due || now < due || m->rec.reconciling || m->run.script)
		return;
	clear_bit(ATNET_TODO_RECONCILE, &m->todo);
	m->rec.status_at = now;
	m->rec.reconciles++;
	m->dialect->reconcile(m);
}

/* Reviving a silent failed modem ---------------------------------------- */

/*
 * A modem that failed by going silent (no answer to AT) comes back with
 * its power-up banner, except one that autobauds: it prints nothing until
 * it is spoken to. So it is asked AT every revive_ms; the first answer has
 * it probed again. A modem that answers but failed otherwise (no SIM) is
 * not asked: probing it again would only fail again.
 */
static void atnet_recover_revive_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_modem *m = cmd->priv;

	lockdep_assert_held(&m->lock);
	m->rec.revive_busy = false;
	if (!result && m->rec.revive_gen == m->gen &&
	    m->state == ATNET_MODEM_FAILED)
		atnet_modem_todo(m, ATNET_TODO_REVIVED);
}

static bool atnet_recover_reviving(struct atnet_modem *m)
{
	return m->state == ATNET_MODEM_FAILED && m->rec.silent && revive_ms &&
	       !m->rec.revive_busy;
}

/* The modem just failed: the first revive poll is due in revive_ms. */
void atnet_recover_failed(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->rec.revive_at = atnet_now_ms() + revive_ms;
}

/* From the timer work: send the revive poll when it is due. */
void atnet_recover_tick(struct atnet_modem *m, u64 now)
{
	struct atnet_chat_cmd *cmd = &m->rec.revive_cmd;

	lockdep_assert_held(&m->lock);
	if (!atnet_recover_reviving(m) || now < m->rec.revive_at)
		return;
	m->rec.revive_at = now + revive_ms;
	m->rec.revive_busy = true;
	m->rec.revive_gen = m->gen;
	strscpy(cmd->text, atnet_ts27007.alive_cmd, sizeof(cmd->text));
	atnet_chat_cmd_prepare(cmd, 1000, NULL, atnet_recover_revive_done, m);
	atnet_chat_submit(&m->chat, cmd, now);
}

/* The earliest time (ms) recover.c needs the timer work, or 0. */
u64 atnet_recover_due(struct atnet_modem *m)
{
	u64 d = atnet_recover_status_due(m);

	if (atnet_recover_reviving(m) && (!d || m->rec.revive_at < d))
		d = m->rec.revive_at;
	return d;
}

/* The recovery ladder --------------------------------------------------- */

static void atnet_recover_reset_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_modem *m = cmd->priv;

	lockdep_assert_held(&m->lock);
	/*
	 * Never written (its sync timed out, no room): no reset happened, so
	 * it is not counted and the step may be taken again.
	 */
	if (!cmd->written) {
		if (m->rec.recover_reset)
			m->rec.recover_reset--;
		if (m->rec.ladder == 3)
			m->rec.ladder = 2;
		atnet_warn(m, "%s not sent (%d)\n", cmd->text, result);
		return;
	}
	/* OK, then the power-up banner takes us through restart. */
	if (result && result != -ECONNRESET && result != -ENODEV)
		atnet_warn(m, "%s failed (%d)\n", cmd->text, result);
}

/* Step 3: reset the modem; its power-up banner restarts everything. */
void atnet_recover_reset(struct atnet_modem *m)
{
	struct atnet_chat_cmd *cmd = &m->rec.reset_cmd;

	lockdep_assert_held(&m->lock);
	strscpy(cmd->text, atnet_ts27007.reset_cmd, sizeof(cmd->text));
	atnet_chat_cmd_prepare(cmd, 10000, NULL, atnet_recover_reset_done, m);
	atnet_modem_submit(m, cmd);
}

/* Step 2: shut every context; kick activates the wanted ones again. */
static void atnet_recover_shut(struct atnet_modem *m)
{
	const struct atnet_dialect_ops *d = m->dialect;
	unsigned int i;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < m->n_ctx; i++) {
		struct atnet_ctx *ctx = &m->ctx[i];

		/* want_up stays: kick activates them again after it. */
		ctx->need_shut = true;
		if (ctx->state == ATNET_CTX_UP)
			atnet_modem_ctx_set(m, i, ATNET_CTX_DOWN,
					    ATNET_EV_CONTEXT_LOST,
					    d ? d->shut_why : "recovery");
	}
}

/* Step 1: close every link. */
static void atnet_recover_close(struct atnet_modem *m)
{
	unsigned int i;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < ATNET_LINKS_MAX; i++) {
		struct atnet_link *l = atnet_link_by_slot(m, i);

		if (l)
			atnet_link_abort(l, -ECONNRESET);
	}
}

static void atnet_recover(struct atnet_modem *m, const char *what)
{
	const struct atnet_dialect_ops *d = m->dialect;

	lockdep_assert_held(&m->lock);
	if (m->rec.ladder < 3 && recover_reset && m->rec.faults >= recover_reset) {
		m->rec.ladder = 3;
		m->rec.recover_reset++;
		atnet_warn(m, "%u faults (last: %s): resetting the modem, %s (recovery step 3 of 3)\n",
			   m->rec.faults, what, atnet_ts27007.reset_cmd);
		atnet_recover_reset(m);
	} else if (m->rec.ladder < 2 && recover_shut && m->rec.faults >= recover_shut) {
		m->rec.ladder = 2;
		m->rec.recover_shut++;
		atnet_warn(m, "%u faults (last: %s): %s, contexts come back up (recovery step 2 of 3)\n",
			   m->rec.faults, what, d ? d->shut_step : "contexts shut");
		atnet_recover_shut(m);
	} else if (m->rec.ladder < 1 && recover_close && m->rec.faults >= recover_close) {
		m->rec.ladder = 1;
		m->rec.recover_close++;
		atnet_warn(m, "%u faults (last: %s): closing every link (recovery step 1 of 3)\n",
			   m->rec.faults, what);
		atnet_recover_close(m);
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
	if (m->rec.faults && now - m->rec.fault_at > recover_window_ms) {
		m->rec.faults = 0;
		m->rec.ladder = 0;
	}
	m->rec.fault_at = now;
	m->rec.faults++;
	atnet_modem_todo(m, ATNET_TODO_RECONCILE);
	atnet_recover(m, what);
}

/* Settle ---------------------------------------------------------------- */

/*
 * After every feed, tick or request: act on what the URCs and completions
 * left in m->todo, in the order of enum atnet_todo (its priority), start
 * the next operation, rearm the timer. The one place m->todo is handled.
 * Never called from inside the chat engine.
 */
void atnet_modem_settle(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	if (m->dead)
		return;
	if (test_and_clear_bit(ATNET_TODO_RESTARTED, &m->todo)) {
		/* A power-down before its power-up banner is over. */
		clear_bit(ATNET_TODO_POWER_DOWN, &m->todo);
		atnet_modem_restarted(m);
	}
	if (test_and_clear_bit(ATNET_TODO_POWER_DOWN, &m->todo))
		atnet_modem_powered_down(m);
	if (test_and_clear_bit(ATNET_TODO_REVIVED, &m->todo) &&
	    m->state == ATNET_MODEM_FAILED)
		atnet_modem_revived(m);
	if (test_and_clear_bit(ATNET_TODO_DEACT, &m->todo)) {
		atnet_modem_deact(m);
		atnet_modem_todo(m, ATNET_TODO_RECONCILE);
	}
	if (m->chat.stats.timeouts != m->rec.seen_timeouts) {
		m->rec.seen_timeouts = m->chat.stats.timeouts;
		if (m->state == ATNET_MODEM_READY) {
			bool again = test_and_set_bit(ATNET_TODO_CHECK_ALIVE,
						      &m->todo) ||
				     atnet_probe_checking_alive(m);

			if (!again)
				atnet_modem_fault(m, "a command timed out");
		}
	}
	/*
	 * ERROR is often the network's answer (a refused connect), not the
	 * modem's trouble: check the links, count no fault.
	 */
	if (m->chat.stats.errors != m->rec.seen_errors) {
		m->rec.seen_errors = m->chat.stats.errors;
		if (m->state == ATNET_MODEM_READY)
			atnet_modem_todo(m, ATNET_TODO_RECONCILE);
	}
	/* Liveness first: contexts wait until the modem proved it is there. */
	if (!m->run.script && m->state == ATNET_MODEM_READY && m->dialect &&
	    test_and_clear_bit(ATNET_TODO_CHECK_ALIVE, &m->todo))
		atnet_probe_check_alive(m);
	atnet_modem_kick(m);
	if (!m->dead)
		atnet_recover_status_kick(m);
	atnet_modem_arm(m);
}
