// SPDX-License-Identifier: GPL-2.0
/*
 * SIM7000 control plane: bring-up, the two PDP contexts and their URCs, in
 * the words of SIMCom's TCP/IP application note (seed 000). The links'
 * commands and URCs live in sim7000_link.c.
 *
 * Bring-up: AT+CIPSHUT first, so a modem left with a context up by an
 * earlier attach is back in IP INITIAL, where AT+CIPMUX=1 is allowed; then
 * SIM, signal, attach and registration with a few retries each (seed 002
 * section 4 gives the policy: up to three retries); then multi-link, quick
 * send and manual receive, which the link layer relies on.
 *
 * Contexts: AT+CIPSGTXT selects the context the next AT+CSTT, AT+CIICR,
 * AT+CIFSR or AT+CIPSHUT applies to (seed 000 section 5); it is sent only
 * when the selection changes.
 */
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "dialect.h"
#include "link.h"
#include "modem.h"
#include "netlink.h"

#define SIM7000_MAX_LINKS	8
#define SIM7000_MAX_SEND	1460
#define SIM7000_CONTEXTS	2

static int sim7000_cpin_check(struct atnet_modem *m, int err,
			      const char *answer)
{
	if (err)
		return -EAGAIN;
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

static int sim7000_csq_check(struct atnet_modem *m, int err,
			     const char *answer)
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

static int sim7000_cgatt_check(struct atnet_modem *m, int err,
			       const char *answer)
{
	if (err)
		return -EAGAIN;
	if (strcmp(answer, "1")) {
		atnet_modem_set_reason(m, "not attached to the packet domain (+CGATT: %s)",
				       answer);
		return -EAGAIN;
	}
	return 0;
}

static int sim7000_cgreg_check(struct atnet_modem *m, int err,
			       const char *answer)
{
	const char *f[4];
	char buf[ATNET_ANSWER_MAX];
	u32 stat;

	if (err)
		return -EAGAIN;
	if (atnet_chat_fields(answer, buf, sizeof(buf), f, 4) < 2 ||
	    atnet_chat_uint(f[1], 255, &stat)) {
		atnet_modem_set_reason(m, "unreadable AT+CGREG? answer \"%s\"",
				       answer);
		return -EAGAIN;
	}
	m->reg = stat;
	/* 1 home, 5 roaming */
	if (stat != 1 && stat != 5) {
		atnet_modem_set_reason(m, "not registered (+CGREG stat %u)",
				       stat);
		return -EAGAIN;
	}
	return 0;
}

/* Operator name is nice to show, not needed: errors are ignored. */
static int sim7000_cops_check(struct atnet_modem *m, int err,
			      const char *answer)
{
	const char *f[4];
	char buf[ATNET_ANSWER_MAX];

	if (!err && atnet_chat_fields(answer, buf, sizeof(buf), f, 4) >= 3)
		strscpy(m->operator, f[2], sizeof(m->operator));
	return 0;
}

static int sim7000_tolerant_check(struct atnet_modem *m, int err,
				  const char *answer)
{
	if (err == -ETIMEDOUT)
		return -EAGAIN;
	return 0;
}

/* "SHUT OK"; "+PDP: DEACT" can be the only answer (at-reference quirk). */
static enum atnet_chat_verdict sim7000_shut_line(struct atnet_chat_cmd *cmd,
						 const char *line, size_t len)
{
	if ((len == 7 && !memcmp(line, "SHUT OK", 7)) ||
	    (len == 11 && !memcmp(line, "+PDP: DEACT", 11))) {
		cmd->result = 0;
		return ATNET_CHAT_DONE;
	}
	return ATNET_CHAT_PASS;
}

/* AT+CIFSR answers the bare address and no OK. */
static enum atnet_chat_verdict sim7000_cifsr_line(struct atnet_chat_cmd *cmd,
						  const char *line, size_t len)
{
	struct atnet_step_cmd *c = container_of(cmd, struct atnet_step_cmd, chat);
	__be32 addr;

	if (len < 7 || len > 15 || !in4_pton(line, len, (u8 *)&addr, -1, NULL))
		return ATNET_CHAT_PASS;
	memcpy(c->answer, line, len);
	c->answer[len] = '\0';
	cmd->result = 0;
	return ATNET_CHAT_DONE;
}

static const struct atnet_step sim7000_bring_up_steps[] = {
	{ .cmd = "AT+CIPSHUT", .line = sim7000_shut_line,
	  .check = sim7000_tolerant_check, .timeout_ms = 65000 },
	{ .cmd = "AT+CPIN?", .prefix = "+CPIN:", .check = sim7000_cpin_check,
	  .timeout_ms = 5000, .tries = 4, .retry_ms = 2000 },
	{ .cmd = "AT+CSQ", .prefix = "+CSQ:", .check = sim7000_csq_check,
	  .timeout_ms = 2000, .tries = 4, .retry_ms = 2000 },
	{ .cmd = "AT+CGATT?", .prefix = "+CGATT:", .check = sim7000_cgatt_check,
	  .timeout_ms = 10000, .tries = 4, .retry_ms = 2000 },
	{ .cmd = "AT+CGREG?", .prefix = "+CGREG:", .check = sim7000_cgreg_check,
	  .timeout_ms = 2000, .tries = 4, .retry_ms = 2000 },
	{ .cmd = "AT+COPS?", .prefix = "+COPS:", .check = sim7000_cops_check,
	  .timeout_ms = 5000 },
	{ .cmd = "AT+CIPMUX=1", .timeout_ms = 2000 },
	{ .cmd = "AT+CIPQSEND=1", .timeout_ms = 2000 },
	{ .cmd = "AT+CIPRXGET=1", .timeout_ms = 2000 },
};

static void sim7000_bring_up_done(struct atnet_modem *m, int err)
{
	lockdep_assert_held(&m->lock);
	if (err)
		atnet_modem_fail(m);
	else
		atnet_modem_ready(m);
}

static const struct atnet_script sim7000_bring_up = {
	.steps = sim7000_bring_up_steps,
	.n = ARRAY_SIZE(sim7000_bring_up_steps),
	.done = sim7000_bring_up_done,
};

/* Contexts -------------------------------------------------------------- */

static int sim7000_sgtxt_build(struct atnet_modem *m, char *buf, size_t size)
{
	if (m->cur_ctx == m->script_ctx)
		return 0;
	return snprintf(buf, size, "AT+CIPSGTXT=%d", m->script_ctx);
}

static int sim7000_sgtxt_check(struct atnet_modem *m, int err,
			       const char *answer)
{
	/* Single-context firmware lacks the command: context 0 is implied. */
	if (!err || (err != -ETIMEDOUT && m->script_ctx == 0)) {
		m->cur_ctx = m->script_ctx;
		return 0;
	}
	return err == -ETIMEDOUT ? -ETIMEDOUT : -EIO;
}

/* Strings were validated by netlink.c: printable, no '"', ';', CR, LF. */
static int sim7000_cstt_build(struct atnet_modem *m, char *buf, size_t size)
{
	struct atnet_ctx *ctx = &m->ctx[m->script_ctx];

	if (ctx->user[0] || ctx->password[0])
		return snprintf(buf, size, "AT+CSTT=\"%s\",\"%s\",\"%s\"",
				ctx->apn, ctx->user, ctx->password);
	return snprintf(buf, size, "AT+CSTT=\"%s\"", ctx->apn);
}

static int sim7000_cifsr_check(struct atnet_modem *m, int err,
			       const char *answer)
{
	struct atnet_ctx *ctx = &m->ctx[m->script_ctx];

	if (err)
		return -EIO;
	if (!in4_pton(answer, -1, (u8 *)&ctx->addr, -1, NULL)) {
		atnet_modem_set_reason(m, "unreadable AT+CIFSR answer");
		return -EIO;
	}
	return 0;
}

static const struct atnet_step sim7000_ctx_up_steps[] = {
	{ .build = sim7000_sgtxt_build, .check = sim7000_sgtxt_check,
	  .timeout_ms = 2000 },
	{ .build = sim7000_cstt_build, .timeout_ms = 5000 },
	{ .cmd = "AT+CIICR", .timeout_ms = 85000 },
	{ .cmd = "AT+CIFSR", .line = sim7000_cifsr_line,
	  .check = sim7000_cifsr_check, .timeout_ms = 5000 },
};

static void sim7000_ctx_up_done(struct atnet_modem *m, int err)
{
	struct atnet_ctx *ctx = &m->ctx[m->script_ctx];

	lockdep_assert_held(&m->lock);
	if (!err && ctx->lost) {
		atnet_modem_set_reason(m, "+PDP: DEACT during activation");
		err = -ENETDOWN;
	}
	ctx->lost = false;
	if (err) {
		/* The modem may sit in IP START/GPRSACT: shut before retrying. */
		ctx->need_shut = true;
		ctx->want_up = false;
		atnet_modem_ctx_set(m, ctx->id, ATNET_CTX_DOWN,
				    ATNET_EV_CONTEXT_LOST, m->reason);
		return;
	}
	atnet_modem_ctx_set(m, ctx->id, ATNET_CTX_UP, ATNET_EV_CONTEXT_UP,
			    NULL);
}

static const struct atnet_script sim7000_ctx_up = {
	.steps = sim7000_ctx_up_steps,
	.n = ARRAY_SIZE(sim7000_ctx_up_steps),
	.done = sim7000_ctx_up_done,
};

static const struct atnet_step sim7000_ctx_down_steps[] = {
	{ .build = sim7000_sgtxt_build, .check = sim7000_sgtxt_check,
	  .timeout_ms = 2000 },
	{ .cmd = "AT+CIPSHUT", .line = sim7000_shut_line, .timeout_ms = 65000 },
};

static void sim7000_ctx_down_done(struct atnet_modem *m, int err)
{
	struct atnet_ctx *ctx = &m->ctx[m->script_ctx];

	lockdep_assert_held(&m->lock);
	/* Whatever the answer, the context is not ours to use any more. */
	ctx->need_shut = !!err;
	atnet_modem_ctx_set(m, ctx->id, ATNET_CTX_DOWN, ATNET_EV_CONTEXT_DOWN,
			    err ? m->reason : NULL);
}

static const struct atnet_script sim7000_ctx_down = {
	.steps = sim7000_ctx_down_steps,
	.n = ARRAY_SIZE(sim7000_ctx_down_steps),
	.done = sim7000_ctx_down_done,
};

static void sim7000_ctx_shut_done(struct atnet_modem *m, int err)
{
	lockdep_assert_held(&m->lock);
	if (err == -ETIMEDOUT || err == -EIO)
		pr_warn("%s: %s\n", m->tty_name, m->reason);
	/* Tried once; the next activation starts with AT+CIPSHUT's effect. */
	m->ctx[m->script_ctx].need_shut = false;
}

static const struct atnet_script sim7000_ctx_shut = {
	.steps = sim7000_ctx_down_steps,
	.n = ARRAY_SIZE(sim7000_ctx_down_steps),
	.done = sim7000_ctx_shut_done,
};

/* URCs ------------------------------------------------------------------ */

static void sim7000_pdp_deact(struct atnet_modem *m, const char *line,
			      size_t len)
{
	lockdep_assert_held(&m->lock);
	m->pdp_deact = true;
}

static const struct atnet_urc sim7000_urcs[] = {
	{ "+PDP: DEACT", sim7000_pdp_deact },
};

const struct atnet_dialect_ops atnet_sim7000_dialect = {
	.name = "SIM7000",
	.id = ATNET_DIALECT_SIM7000,
	.bring_up = &sim7000_bring_up,
	.ctx_up = &sim7000_ctx_up,
	.ctx_down = &sim7000_ctx_down,
	.ctx_shut = &sim7000_ctx_shut,
	.urcs = sim7000_urcs,
	.link_urc = atnet_sim7000_link_urc,
	.link_ops = &atnet_sim7000_link_ops,
	.n_urcs = ARRAY_SIZE(sim7000_urcs),
	.max_links = SIM7000_MAX_LINKS,
	.contexts = SIM7000_CONTEXTS,
	.max_send = SIM7000_MAX_SEND,
};
