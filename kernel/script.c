// SPDX-License-Identifier: GPL-2.0
/*
 * The script runner. A script is a table of AT steps (dialect.h); the runner
 * sends one step at a time through the chat engine, keeps its answer line,
 * asks the step's check and retries, goes on or fails. Only one script runs
 * per modem: the probe, the bring-up, a context change or a liveness check.
 * Everything here runs with m->lock held, from chat callbacks or from the
 * modem's settle.
 *
 * Completions carry the modem's generation: a restart or a failure bumps it,
 * so answers to commands sent before are dropped rather than misread.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dialect.h"
#include "modem.h"

static bool atnet_starts(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(line, prefix, n);
}

/* Lines that are never the answer to an identification command. */
bool atnet_is_urc_like(const char *line)
{
	size_t len = strlen(line);
	unsigned int i;

	for (i = 0; i < atnet_ts27007.n_unasked; i++)
		if (atnet_starts(line, len, atnet_ts27007.unasked[i]))
			return true;
	return false;
}

static void atnet_copy_line(char *dst, size_t size, const char *line,
			    size_t len)
{
	char *p;

	len = min(len, size - 1);
	memcpy(dst, line, len);
	dst[len] = '\0';
	p = strim(dst);
	memmove(dst, p, strlen(p) + 1);
}

static enum atnet_chat_verdict atnet_step_line(struct atnet_chat_cmd *cmd,
					       const char *line, size_t len)
{
	struct atnet_step_cmd *c = container_of(cmd, struct atnet_step_cmd, chat);
	const struct atnet_step *st = c->step;
	const char *prefix = st->prefix;
	size_t tlen = strlen(cmd->text);
	char tmp[ATNET_ANSWER_MAX];

	if (st->line)
		return st->line(cmd, line, len);
	/* The echo and the final results: the engine's default. */
	if ((len == tlen && !memcmp(line, cmd->text, len)) ||
	    (len == 2 && !memcmp(line, "OK", 2)) ||
	    atnet_starts(line, len, "ERROR") ||
	    atnet_starts(line, len, "+CME ERROR") ||
	    atnet_starts(line, len, "+CMS ERROR"))
		return ATNET_CHAT_PASS;
	if (prefix) {
		/* Some firmware drops the answer's leading '+'. */
		if (!atnet_starts(line, len, prefix) && prefix[0] == '+')
			prefix++;
		if (!atnet_starts(line, len, prefix))
			return ATNET_CHAT_PASS;
		if (!c->answer[0])
			atnet_copy_line(c->answer, sizeof(c->answer),
					line + strlen(prefix),
					len - strlen(prefix));
		return ATNET_CHAT_MORE;
	}
	if (st->bare && !c->answer[0]) {
		atnet_copy_line(tmp, sizeof(tmp), line, len);
		if (tmp[0] && !atnet_is_urc_like(tmp)) {
			strscpy(c->answer, tmp, sizeof(c->answer));
			return ATNET_CHAT_MORE;
		}
	}
	return ATNET_CHAT_PASS;
}

static void atnet_script_finish(struct atnet_modem *m, int err)
{
	const struct atnet_script *s = m->run.script;

	lockdep_assert_held(&m->lock);
	m->run.script = NULL;
	m->run.retry_at = 0;
	if (s && s->done)
		s->done(m, err);
}

/* The command up to its '=' or '?': reasons never repeat credentials. */
static void atnet_cmd_name(char *dst, size_t size, const char *text)
{
	size_t n = strcspn(text, "=?");

	atnet_copy_line(dst, size, text, n);
}

static void atnet_step_reason(struct atnet_modem *m, struct atnet_step_cmd *c,
			      int result)
{
	char name[32];

	atnet_cmd_name(name, sizeof(name), c->chat.text);
	if (result == -ETIMEDOUT)
		atnet_modem_set_reason(m, "%s timed out", name);
	else if (result && c->chat.cme_error >= 0)
		atnet_modem_set_reason(m, "%s: +CME ERROR: %d", name,
				       c->chat.cme_error);
	else if (result)
		atnet_modem_set_reason(m, "%s answered ERROR", name);
	else
		atnet_modem_set_reason(m, "%s: unexpected answer \"%s\"", name,
				       c->answer);
}

/* The step to send now: steps[step], or the step of its sub-script. */
static const struct atnet_step *atnet_script_cur(struct atnet_modem *m)
{
	const struct atnet_step *st = &m->run.script->steps[m->run.step];

	return st->sub ? &st->sub->steps[m->run.sub_step] : st;
}

/* On to the next step: within the sub-script while it has more. */
static void atnet_script_next(struct atnet_modem *m)
{
	const struct atnet_step *st = &m->run.script->steps[m->run.step];

	m->run.tries = 0;
	if (st->sub && ++m->run.sub_step < st->sub->n)
		return;
	m->run.sub_step = 0;
	m->run.step++;
}

static void atnet_script_step_done(struct atnet_modem *m, struct atnet_step_cmd *c,
				   int result)
{
	const struct atnet_step *st = c->step;
	unsigned int tries = st->tries ?: 1;
	int err;

	lockdep_assert_held(&m->lock);
	m->reason[0] = '\0';
	if (st->check)
		err = st->check(m, result, c->answer);
	else
		err = result ? -EAGAIN : 0;
	if (err && !m->reason[0])
		atnet_step_reason(m, c, result);
	if (err == -EAGAIN) {
		if (++m->run.tries < tries) {
			if (st->retry_ms) {
				m->run.retry_at = atnet_now_ms() + st->retry_ms;
				atnet_modem_arm(m);
			} else {
				atnet_script_retry(m);
			}
			return;
		}
		err = -EIO;
	}
	if (err) {
		/*
		 * Whatever the script: a step that got no answer may be a
		 * modem that browned out and autobauds now (no banner), so
		 * the failure is one the revive polls may undo.
		 */
		m->rec.silent = result == -ETIMEDOUT;
		atnet_script_finish(m, err);
		return;
	}
	atnet_script_next(m);
	if (m->run.step >= m->run.script->n) {
		atnet_script_finish(m, 0);
		return;
	}
	atnet_script_retry(m);
}

static void atnet_step_cmd_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_step_cmd *c = container_of(cmd, struct atnet_step_cmd, chat);
	struct atnet_modem *m = c->m;

	lockdep_assert_held(&m->lock);
	if (c->gen == m->gen && !m->dead && m->run.script)
		atnet_script_step_done(m, c, result);
	kfree(c);
}

/* Send the current step (again). */
void atnet_script_retry(struct atnet_modem *m)
{
	const struct atnet_step *st;
	struct atnet_step_cmd *c;
	int n;

	lockdep_assert_held(&m->lock);
	m->run.retry_at = 0;
	while (m->run.script && !m->dead) {
		if (m->run.step >= m->run.script->n) {
			atnet_script_finish(m, 0);
			return;
		}
		st = atnet_script_cur(m);
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (!c) {
			atnet_modem_set_reason(m, "out of memory");
			atnet_script_finish(m, -ENOMEM);
			return;
		}
		if (st->build) {
			n = st->build(m, c->chat.text, sizeof(c->chat.text));
			if (n <= 0) {
				kfree(c);
				if (n < 0) {
					atnet_script_finish(m, n);
					return;
				}
				atnet_script_next(m);
				continue;
			}
		} else {
			strscpy(c->chat.text, st->cmd, sizeof(c->chat.text));
		}
		c->m = m;
		c->step = st;
		c->gen = m->gen;
		atnet_chat_cmd_prepare(&c->chat, st->timeout_ms ?: 1000,
				       atnet_step_line, atnet_step_cmd_done, m);
		atnet_chat_submit(&m->chat, &c->chat, atnet_now_ms());
		atnet_modem_arm(m);
		return;
	}
}

void atnet_script_start(struct atnet_modem *m, const struct atnet_script *s)
{
	lockdep_assert_held(&m->lock);
	WARN_ON_ONCE(m->run.script);
	m->run.script = s;
	m->run.step = 0;
	m->run.sub_step = 0;
	m->run.tries = 0;
	m->reason[0] = '\0';
	atnet_script_retry(m);
}
