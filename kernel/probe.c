// SPDX-License-Identifier: GPL-2.0
/*
 * The script runner and the model-independent probe.
 *
 * A script is a table of AT steps (dialect.h); the runner sends one step at a
 * time through the chat engine, keeps its answer line, asks the step's check
 * and retries, goes on or fails. Only one script runs per modem: the probe,
 * the bring-up, a context change or a liveness check. Everything here runs
 * with m->lock held, from chat callbacks or from modem.c.
 *
 * Completions carry the modem's generation: a restart or a failure bumps it,
 * so answers to commands sent before are dropped rather than misread.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dialect.h"
#include "modem.h"
#include "netlink.h"

static bool atnet_starts(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(line, prefix, n);
}

/* Lines that are never the answer to an identification command. */
bool atnet_is_urc_like(const char *line)
{
	static const char *const urcs[] = {
		"+", "*", "RDY", "SMS Ready", "Call Ready", "DST:",
		"NORMAL POWER DOWN", "UNDER-VOLTAGE", "OVER-VOLTAGE", "CLOSED",
	};
	size_t len = strlen(line);
	int i;

	for (i = 0; i < ARRAY_SIZE(urcs); i++)
		if (atnet_starts(line, len, urcs[i]))
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
		/* Some firmware drops the '+' ("CSQ: 20,0" in seed 000). */
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
	const struct atnet_script *s = m->script;

	lockdep_assert_held(&m->lock);
	m->script = NULL;
	m->retry_at = 0;
	if (s && s->done)
		s->done(m, err);
}

/* "AT+CSTT=..." -> "AT+CSTT": reasons never repeat credentials. */
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
		if (++m->tries < tries) {
			if (st->retry_ms) {
				m->retry_at = atnet_now_ms() + st->retry_ms;
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
		 * modem that browned out and autobauds now (no RDY), so
		 * the failure is one the revive polls may undo.
		 */
		m->silent = result == -ETIMEDOUT;
		atnet_script_finish(m, err);
		return;
	}
	m->tries = 0;
	if (++m->step >= m->script->n) {
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
	if (c->gen == m->gen && !m->dead && m->script)
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
	m->retry_at = 0;
	while (m->script && !m->dead) {
		if (m->step >= m->script->n) {
			atnet_script_finish(m, 0);
			return;
		}
		st = &m->script->steps[m->step];
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
				m->step++;
				m->tries = 0;
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
	WARN_ON_ONCE(m->script);
	m->script = s;
	m->step = 0;
	m->tries = 0;
	m->reason[0] = '\0';
	atnet_script_retry(m);
}

/* Identification -------------------------------------------------------- */

/*
 * Families by the string AT+CGMM or ATI names. A family without a dialect is
 * recognised, reported and refused: its file plugs in here.
 */
static const struct {
	const char *family;
	const struct atnet_dialect_ops *dialect;
	enum atnet_dialect id;
} atnet_models[] = {
	{ "SIM7000", &atnet_sim7000_dialect, ATNET_DIALECT_SIM7000 },
	{ "SIM7020", &atnet_sim7020_dialect, ATNET_DIALECT_SIM7020 },
};

static int atnet_model_find(const char *model)
{
	int i;

	if (!model[0])
		return -1;
	for (i = 0; i < ARRAY_SIZE(atnet_models); i++)
		if (strstr(model, atnet_models[i].family))
			return i;
	return -1;
}

static int atnet_probe_sync_check(struct atnet_modem *m, int err,
				  const char *answer)
{
	if (!err) {
		m->synced = true;
		return 0;
	}
	if (m->chat.stats.garbage)
		atnet_modem_set_reason(m,
				       "no answer to AT after 10 tries (%llu garbage bytes received); check baud rate and wiring",
				       m->chat.stats.garbage);
	else
		atnet_modem_set_reason(m,
				       "no answer to AT after 10 tries; check baud rate and wiring");
	return -EAGAIN;
}

static int atnet_probe_echo_check(struct atnet_modem *m, int err,
				  const char *answer)
{
	if (err)
		atnet_modem_set_reason(m, "ATE0 failed: modem answers AT but not ATE0");
	return err ? -EAGAIN : 0;
}

static int atnet_probe_cgmm_check(struct atnet_modem *m, int err,
				  const char *answer)
{
	const char *s = answer;

	/* "SIMCOM_SIM7000E" on some firmware, "SIM7000E" on others. */
	if (!strncmp(s, "SIMCOM_", 7))
		s += 7;
	if (!err)
		strscpy(m->model, s, sizeof(m->model));
	return 0;
}

static int atnet_probe_cgmr_check(struct atnet_modem *m, int err,
				  const char *answer)
{
	const char *s = answer;

	if (!strncmp(s, "Revision:", 9))
		s += 9;
	else if (!strncmp(s, "+CGMR:", 6))
		s += 6;
	if (!err)
		strscpy(m->firmware, skip_spaces(s), sizeof(m->firmware));
	return 0;
}

/* ATI only when AT+CGMM did not name a family we know. */
static int atnet_probe_ati_build(struct atnet_modem *m, char *buf, size_t size)
{
	if (atnet_model_find(m->model) >= 0)
		return 0;
	return strscpy(buf, "ATI", size);
}

static int atnet_probe_ati_check(struct atnet_modem *m, int err,
				 const char *answer)
{
	if (!err && atnet_model_find(answer) >= 0)
		strscpy(m->model, answer, sizeof(m->model));
	else if (!err && !m->model[0])
		strscpy(m->model, answer, sizeof(m->model));
	return 0;
}

static const struct atnet_step atnet_probe_steps[] = {
	/* Autobauding modems need a few AT before they answer at all. */
	{ .cmd = "AT", .check = atnet_probe_sync_check, .timeout_ms = 1000,
	  .tries = 10 },
	{ .cmd = "ATE0", .check = atnet_probe_echo_check, .timeout_ms = 2000,
	  .tries = 3, .retry_ms = 500 },
	{ .cmd = "AT+CGMM", .bare = true, .check = atnet_probe_cgmm_check,
	  .timeout_ms = 2000 },
	{ .cmd = "AT+CGMR", .bare = true, .check = atnet_probe_cgmr_check,
	  .timeout_ms = 2000 },
	{ .build = atnet_probe_ati_build, .bare = true,
	  .check = atnet_probe_ati_check, .timeout_ms = 2000 },
};

static void atnet_probe_done(struct atnet_modem *m, int err)
{
	int i;

	lockdep_assert_held(&m->lock);
	if (err) {
		/* Silence (not a refusal) may be a modem still autobauding. */
		m->silent = m->silent || !m->synced;
		atnet_modem_fail(m);
		return;
	}
	i = atnet_model_find(m->model);
	if (i < 0) {
		atnet_modem_set_reason(m,
				       "unknown model \"%s\" (AT+CGMM/ATI); supported: SIM7000, SIM7020",
				       m->model[0] ? m->model : "(no answer)");
		atnet_modem_fail(m);
		return;
	}
	m->dialect_id = atnet_models[i].id;
	if (!atnet_models[i].dialect) {
		atnet_modem_set_reason(m, "%s not supported yet",
				       atnet_models[i].family);
		atnet_modem_fail(m);
		return;
	}
	m->dialect = atnet_models[i].dialect;
	atnet_chat_set_frames(&m->chat, m->dialect->frames);
	m->n_ctx = min_t(unsigned int, m->dialect->contexts, ATNET_CONTEXTS);
	atnet_script_start(m, m->dialect->bring_up);
}

static const struct atnet_script atnet_probe_script = {
	.steps = atnet_probe_steps,
	.n = ARRAY_SIZE(atnet_probe_steps),
	.done = atnet_probe_done,
};

/* Step checks every dialect shares: AT+CPIN? and AT+CSQ answer alike. */
int atnet_check_cpin(struct atnet_modem *m, int err, const char *answer)
{
	if (err) {
		atnet_modem_set_reason(m, "SIM card not ready (AT+CPIN? failed)");
		return -EAGAIN;
	}
	if (!strcmp(answer, "READY"))
		return 0;
	if (strstr(answer, "PIN") || strstr(answer, "PUK")) {
		atnet_modem_set_reason(m, "SIM card locked (+CPIN: %s)",
				       answer);
		return -EACCES;
	}
	atnet_modem_set_reason(m, "SIM card not ready (+CPIN: %s)",
			       answer[0] ? answer : "no answer");
	return -EAGAIN;
}

int atnet_check_csq(struct atnet_modem *m, int err, const char *answer)
{
	const char *f[2];
	char buf[ATNET_ANSWER_MAX];
	u32 rssi;

	if (err)
		return -EAGAIN;
	if (atnet_chat_fields(answer, buf, sizeof(buf), f, 2) < 1 ||
	    atnet_chat_uint(f[0], 99, &rssi)) {
		atnet_modem_set_reason(m, "unreadable AT+CSQ answer \"%s\"",
				       answer);
		return -EAGAIN;
	}
	m->signal = rssi;
	if (rssi == 99) {
		atnet_modem_set_reason(m, "no signal (+CSQ: 99)");
		return -EAGAIN;
	}
	return 0;
}

/* AT+COPS? only informs: the operator's name, when the answer has one. */
int atnet_check_cops(struct atnet_modem *m, int err, const char *answer)
{
	const char *f[4];
	char buf[ATNET_ANSWER_MAX];

	if (!err && atnet_chat_fields(answer, buf, sizeof(buf), f, 4) >= 3)
		strscpy(m->operator, f[2], sizeof(m->operator));
	return 0;
}

/*
 * Clean-up and optional steps (AT+CIPSHUT, AT+CSOCL of a socket that may not
 * exist, AT+CGEREP=1): an ERROR means nothing to clean or a feature the
 * firmware lacks, and bring-up goes on; only silence is worth a retry.
 */
int atnet_check_tolerant(struct atnet_modem *m, int err, const char *answer)
{
	return err == -ETIMEDOUT ? -EAGAIN : 0;
}

void atnet_probe_start(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->synced = false;
	m->probe_at = atnet_now_ms();
	m->cur_ctx = -1;
	/* A restarted modem forgot its fixed local ports. */
	m->clport[0] = -1;
	m->clport[1] = -1;
	atnet_script_start(m, &atnet_probe_script);
}

/* Liveness: after a command timed out, is anybody still there? */

static int atnet_alive_check(struct atnet_modem *m, int err,
			     const char *answer)
{
	if (err) {
		atnet_modem_set_reason(m,
				       "modem stopped answering: a command timed out, then AT 3 times");
		return -EAGAIN;
	}
	/*
	 * It answers, and echoes our AT: echo is on after power-up and the
	 * probe turned it off (ATE0). So it restarted without a banner, as an
	 * autobauding modem does (no RDY), and forgot everything we set up.
	 */
	if (m->chat.stats.echoes != m->alive_echoes) {
		pr_info("%s: the modem echoes commands again: it restarted without RDY (autobaud)\n",
			m->tty_name);
		m->restart_seen = true;
	}
	return 0;
}

static const struct atnet_step atnet_alive_steps[] = {
	{ .cmd = "AT", .check = atnet_alive_check, .timeout_ms = 1000,
	  .tries = 3 },
};

static void atnet_alive_done(struct atnet_modem *m, int err)
{
	lockdep_assert_held(&m->lock);
	if (err) {
		m->silent = true;
		atnet_modem_fail(m);
	}
}

static const struct atnet_script atnet_alive_script = {
	.steps = atnet_alive_steps,
	.n = ARRAY_SIZE(atnet_alive_steps),
	.done = atnet_alive_done,
};

void atnet_probe_check_alive(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	m->alive_echoes = m->chat.stats.echoes;
	atnet_script_start(m, &atnet_alive_script);
}

/* Its own timeouts are one fault, the one that started it. */
bool atnet_probe_checking_alive(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	return m->script == &atnet_alive_script;
}

/* URCs ------------------------------------------------------------------ */

static bool atnet_line_is(const char *line, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(line, word, len);
}

/*
 * The modem's power supervision (SIMCom's hardware design manuals):
 * "... POWER DOWN" is its last line before it switches off, "... WARNNING"
 * (SIMCom's spelling; "WARNING" accepted too) a supply near its limit.
 * Returns true when @line was one of them.
 */
static bool atnet_power_urc(struct atnet_modem *m, const char *line,
			    size_t len)
{
	static const char *const downs[] = {
		"NORMAL POWER DOWN", "UNDER-VOLTAGE POWER DOWN",
		"OVER-VOLTAGE POWER DOWN",
	};
	static const char *const warns[] = {
		"UNDER-VOLTAGE WARNNING", "OVER-VOLTAGE WARNNING",
		"UNDER-VOLTAGE WARNING", "OVER-VOLTAGE WARNING",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(downs); i++) {
		if (atnet_line_is(line, len, downs[i])) {
			/* Acted upon in settle: it aborts the chat engine. */
			strscpy(m->power_down_why, downs[i],
				sizeof(m->power_down_why));
			m->power_down = true;
			return true;
		}
	}
	for (i = 0; i < ARRAY_SIZE(warns); i++) {
		if (atnet_line_is(line, len, warns[i])) {
			pr_warn_ratelimited("%s: the modem warns: %s\n",
					    m->tty_name, warns[i]);
			atnet_nl_event_warning(m, warns[i]);
			return true;
		}
	}
	return false;
}

/* Boot banners after RDY within this long belong to the same restart. */
#define ATNET_BANNER_MS	20000

/* The chat engine's ->urc(): restarts first, then the dialect's table. */
void atnet_dialect_urc(void *ctx, const char *line, size_t len)
{
	struct atnet_modem *m = ctx;
	const struct atnet_dialect_ops *d = m->dialect;
	unsigned int i;

	lockdep_assert_held(&m->lock);
	/*
	 * Power-up banners: every context and link on the modem is gone.
	 * "+CFUN: 1" alone is not one: the modem also prints it when its
	 * radio comes back on (AT+CFUN=1, the SIM7020's radio cycle), and a
	 * power-up prints "RDY" before it. An autobauding modem prints no
	 * banner at all: atnet_alive_check() finds its restart.
	 */
	if (atnet_line_is(line, len, "RDY") ||
	    atnet_line_is(line, len, "SMS Ready") ||
	    atnet_line_is(line, len, "+CPIN: NOT READY")) {
		/* Our own SIM7020 radio cycle (AT+CFUN=0/1) prints these. */
		if (m->radio_cycle && line[0] == '+')
			return;
		/*
		 * A SIM7000 prints "SMS Ready" seconds after RDY on every
		 * boot: the restart RDY began, not another one. RDY always
		 * counts (a power-up prints it first).
		 */
		if (line[0] != 'R' &&
		    atnet_now_ms() - m->probe_at < ATNET_BANNER_MS)
			return;
		if (m->synced || m->state != ATNET_MODEM_PROBING)
			m->restart_seen = true;
		return;
	}
	if (atnet_power_urc(m, line, len))
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
