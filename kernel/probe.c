// SPDX-License-Identifier: GPL-2.0
/*
 * The model-independent probe and the lines nobody asked for.
 *
 * The probe (ts27007.c's script, run by script.c) syncs with the modem,
 * turns echo off and reads its model; the model table (dialects.c) picks
 * the dialect, whose bring-up takes over. The liveness check asks a modem
 * whose command timed out whether it is still there. Every URC passes
 * atnet_dialect_urc(): the power-up and power-down lines every family
 * prints (ts27007.c's tables) first, then the dialect's own. Everything
 * here runs with m->lock held.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "dialect.h"
#include "modem.h"
#include "netlink.h"

/* Boot banners after the first within this long belong to the same restart. */
#define ATNET_BANNER_MS	20000

void atnet_probe_start(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->synced = false;
	m->rec.probe_at = atnet_now_ms();
	atnet_script_start(m, atnet_ts27007.probe);
}

/* The probe script's end: pick the dialect and bring the modem up. */
void atnet_probe_identified(struct atnet_modem *m, int err)
{
	lockdep_assert_held(&m->lock);
	if (err) {
		/* Silence (not a refusal) may be a modem still autobauding. */
		m->rec.silent = m->rec.silent || !m->synced;
		atnet_modem_fail(m);
		return;
	}
	if (atnet_dialect_pick(m)) {
		atnet_modem_fail(m);
		return;
	}
	atnet_chat_set_frames(&m->chat, m->dialect->frames);
	m->n_ctx = min_t(unsigned int, m->dialect->contexts, ATNET_CONTEXTS);
	atnet_script_start(m, m->dialect->bring_up);
}

/* Liveness: after a command timed out, is anybody still there? */
void atnet_probe_check_alive(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->rec.alive_echoes = m->chat.stats.echoes;
	atnet_script_start(m, atnet_ts27007.alive);
}

void atnet_probe_alive_done(struct atnet_modem *m, int err)
{
	lockdep_assert_held(&m->lock);
	if (err) {
		m->rec.silent = true;
		atnet_modem_fail(m);
	}
}

/* Its own timeouts are one fault, the one that started it. */
bool atnet_probe_checking_alive(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	return m->run.script == atnet_ts27007.alive;
}

/* URCs ------------------------------------------------------------------ */

static bool atnet_starts(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(line, prefix, n);
}

static bool atnet_line_is(const char *line, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(line, word, len);
}

/* @line in @words, or -1. */
static int atnet_line_in(const char *line, size_t len,
			 const char *const *words, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (atnet_line_is(line, len, words[i]))
			return i;
	return -1;
}

/*
 * A power-up banner: every context and link on the modem is gone. An
 * autobauding modem prints none at all: the liveness check finds its
 * restart. True when @line was one.
 */
static bool atnet_banner_urc(struct atnet_modem *m, const char *line,
			     size_t len)
{
	/* Its state outlives a re-probe, as a radio cycle may. */
	const struct atnet_dialect_ops *d = m->last_dialect;
	const struct atnet_banner *b = NULL;
	unsigned int i;

	for (i = 0; i < atnet_ts27007.n_banners && !b; i++)
		if (atnet_line_is(line, len, atnet_ts27007.banners[i].text))
			b = &atnet_ts27007.banners[i];
	if (!b)
		return false;
	/* The dialect's own radio cycle prints these. */
	if ((b->kind & ATNET_BANNER_RADIO) && d && d->radio_cycling &&
	    d->radio_cycling(m))
		return true;
	/*
	 * A banner that also follows the first on every boot, seconds after
	 * it: the restart the first began, not another one. The first always
	 * counts.
	 */
	if ((b->kind & ATNET_BANNER_LATE) &&
	    atnet_now_ms() - m->rec.probe_at < ATNET_BANNER_MS)
		return true;
	if (m->synced || m->state != ATNET_MODEM_PROBING)
		atnet_modem_todo(m, ATNET_TODO_RESTARTED);
	return true;
}

/* The modem's power supervision: true when @line was one of its lines. */
static bool atnet_power_urc(struct atnet_modem *m, const char *line,
			    size_t len)
{
	const struct atnet_ts27007 *t = &atnet_ts27007;
	int i;

	i = atnet_line_in(line, len, t->power_down, t->n_power_down);
	if (i >= 0) {
		/* Acted upon in settle: it aborts the chat engine. */
		strscpy(m->power_down_why, t->power_down[i],
			sizeof(m->power_down_why));
		atnet_modem_todo(m, ATNET_TODO_POWER_DOWN);
		return true;
	}
	i = atnet_line_in(line, len, t->power_warn, t->n_power_warn);
	if (i >= 0) {
		atnet_warn_ratelimited(m, "the modem warns: %s\n",
				       t->power_warn[i]);
		atnet_nl_event_warning(m, t->power_warn[i]);
		return true;
	}
	return false;
}

/* The chat engine's ->urc(): restarts first, then the dialect's table. */
void atnet_dialect_urc(void *ctx, const char *line, size_t len)
{
	struct atnet_modem *m = ctx;
	const struct atnet_dialect_ops *d = m->dialect;
	unsigned int i;

	lockdep_assert_held(&m->lock);
	if (atnet_banner_urc(m, line, len) || atnet_power_urc(m, line, len))
		return;
	if (!d)
		return;
	if (d->link_urc && d->link_urc(m, line, len))
		return;
	for (i = 0; i < d->n_urcs; i++) {
		if (atnet_starts(line, len, d->urcs[i].prefix)) {
			d->urcs[i].handle(m, line, len);
			return;
		}
	}
}
