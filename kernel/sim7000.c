// SPDX-License-Identifier: GPL-2.0
/*
 * SIM7000 control plane: bring-up, the two PDP contexts and their URCs, in
 * the words of the SIM7000 Series TCP/IP Application Note. The links'
 * commands and URCs live in sim7000_link.c.
 *
 * Bring-up: AT+CIPSHUT first, so a modem left with a context up by an
 * earlier attach is back in IP INITIAL, where AT+CIPMUX=1 is allowed; then
 * SIM, signal, attach and registration with a few retries each (the
 * SIM7020 Series TCP/IP Application Note, section 4, gives the policy: up
 * to three retries); then multi-link, quick
 * send and manual receive, which the link layer relies on.
 *
 * Contexts: AT+CIPSGTXT selects the context the next AT+CSTT, AT+CIICR,
 * AT+CIFSR or AT+CIPSHUT applies to (application note, section 5); it is sent only
 * when the selection changes.
 *
 * TCP server (application note, sections 3.1.3, 4.2): AT+CIPSERVER=1,port answers OK,
 * then "SERVER OK" (or "SERVER FAIL"); =0 answers OK, then "SERVER CLOSE".
 * It listens on the context selected by AT+CIPSGTXT and holds one of the
 * eight links while it runs.
 *
 * Reconciliation (application note, sections 9-11): AT+CIPSTATUS answers
 * OK first, then "STATE: ...", an "S: 0,ctx,"port","LISTENING"" line while
 * the server runs, and "C: n,ctx,"TCP","ip","port","STATE"" for each of the
 * 8 slots. The table is compared only once the last slot's line is in.
 * Repeated faults climb the ladder of section 13 (recover.c): close every
 * link, AT+CIPSHUT (this dialect's ctx_shut), AT+CFUN=1,1.
 *
 * The state only this dialect keeps (the context selected, the local
 * ports set, the reconciliation's answer) is struct atnet_sim7000
 * (sim7000.h), m->dialect_priv.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "answer.h"
#include "dialect.h"
#include "link.h"
#include "sim7000_link.h"
#include "modem.h"
#include "netlink.h"
#include "request.h"
#include "sim7000.h"

#define SIM7000_MAX_SEND	1460
#define SIM7000_CONTEXTS	2

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
	/* "+CGREG: n,stat[,...]" */
	return atnet_check_cgreg(m, err, answer, 1);
}

/*
 * "SHUT OK"; some firmware answers AT+CIPSHUT with "+PDP: DEACT" alone
 * (seen on real modems, not in the AT Command Manual).
 */
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

	if (len < 7 || len > 15 || atnet_parse_ipv4(line, &addr))
		return ATNET_CHAT_PASS;
	memcpy(c->answer, line, len);
	c->answer[len] = '\0';
	cmd->result = 0;
	return ATNET_CHAT_DONE;
}

/* The first step: a (re)started modem forgot its selection and ports. */
static int sim7000_begin_build(struct atnet_modem *m, char *buf, size_t size)
{
	struct atnet_sim7000 *s = atnet_sim7000(m);

	s->cur_ctx = -1;
	s->clport[0] = -1;
	s->clport[1] = -1;
	return strscpy(buf, "AT+CIPSHUT", size);
}

static const struct atnet_step sim7000_bring_up_steps[] = {
	{ .build = sim7000_begin_build, .line = sim7000_shut_line,
	  .check = atnet_check_tolerant, .timeout_ms = 65000 },
	{ .cmd = "AT+CPIN?", .prefix = "+CPIN:", .check = atnet_check_cpin,
	  .timeout_ms = 5000, .tries = 4, .retry_ms = 2000 },
	{ .cmd = "AT+CSQ", .prefix = "+CSQ:", .check = atnet_check_csq,
	  .timeout_ms = 2000, .tries = 4, .retry_ms = 2000 },
	{ .cmd = "AT+CGATT?", .prefix = "+CGATT:", .check = sim7000_cgatt_check,
	  .timeout_ms = 10000, .tries = 4, .retry_ms = 2000 },
	{ .cmd = "AT+CGREG?", .prefix = "+CGREG:", .check = sim7000_cgreg_check,
	  .timeout_ms = 2000, .tries = 4, .retry_ms = 2000 },
	{ .cmd = "AT+COPS?", .prefix = "+COPS:", .check = atnet_check_cops,
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
	if (atnet_sim7000(m)->cur_ctx == m->run.ctx)
		return 0;
	return snprintf(buf, size, "AT+CIPSGTXT=%d", m->run.ctx);
}

static int sim7000_sgtxt_check(struct atnet_modem *m, int err,
			       const char *answer)
{
	/* Single-context firmware lacks the command: context 0 is implied. */
	if (!err || (err != -ETIMEDOUT && m->run.ctx == 0)) {
		atnet_sim7000(m)->cur_ctx = m->run.ctx;
		return 0;
	}
	return err == -ETIMEDOUT ? -ETIMEDOUT : -EIO;
}

/* Strings were validated by netlink.c: printable, no '"', ';', CR, LF. */
static int sim7000_cstt_build(struct atnet_modem *m, char *buf, size_t size)
{
	struct atnet_ctx *ctx = &m->ctx[m->run.ctx];

	if (ctx->user[0] || ctx->password[0])
		return snprintf(buf, size, "AT+CSTT=\"%s\",\"%s\",\"%s\"",
				ctx->apn, ctx->user, ctx->password);
	return snprintf(buf, size, "AT+CSTT=\"%s\"", ctx->apn);
}

static int sim7000_cifsr_check(struct atnet_modem *m, int err,
			       const char *answer)
{
	struct atnet_ctx *ctx = &m->ctx[m->run.ctx];

	if (err)
		return -EIO;
	if (atnet_parse_ipv4(answer, &ctx->addr)) {
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
	struct atnet_ctx *ctx = &m->ctx[m->run.ctx];

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
	struct atnet_ctx *ctx = &m->ctx[m->run.ctx];

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
		atnet_warn(m, "%s\n", m->reason);
	/* Tried once; the next activation starts with AT+CIPSHUT's effect. */
	m->ctx[m->run.ctx].need_shut = false;
}

static const struct atnet_script sim7000_ctx_shut = {
	.steps = sim7000_ctx_down_steps,
	.n = ARRAY_SIZE(sim7000_ctx_down_steps),
	.done = sim7000_ctx_shut_done,
};

/* TCP server ------------------------------------------------------------ */

#define SIM7000_SERVER_MS	10000

/*
 * "SERVER OK", "SERVER FAIL" answer one AT+CIPSERVER=1: the command's own
 * lines before its OK, or as URCs after it, for the request that waits
 * for them (request.c keeps its slot until then). Never another request:
 * a listen() given up on still gets its own result, and a result nobody
 * waits for stops that server. "SERVER CLOSE" is the state, whoever
 * asked. True when @line was one of them.
 */
static bool sim7000_server_result(struct atnet_modem *m, struct atnet_req *r,
				  const char *line)
{
	bool ok = !strcmp(line, "SERVER OK");

	lockdep_assert_held(&m->lock);
	if (ok || !strcmp(line, "SERVER FAIL")) {
		if (r && r->port)
			atnet_req_server_result(m, r, ok ? 0 : -EADDRINUSE);
		else if (!r && ok)
			atnet_req_server_stray(m);
		return true;
	}
	if (!strcmp(line, "SERVER CLOSE")) {
		/* Ours (AT+CIPSERVER=0) or the modem's own decision. */
		atnet_modem_lsn_off(m, -ECONNABORTED, "SERVER CLOSE");
		return true;
	}
	return false;
}

static enum atnet_chat_verdict sim7000_server_line(struct atnet_chat_cmd *cmd,
						   const char *line, size_t len)
{
	struct atnet_req *r = cmd->priv;

	return sim7000_server_result(r->m, r, line) ? ATNET_CHAT_MORE :
						      ATNET_CHAT_PASS;
}

static void sim7000_server_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_req *r = cmd->priv;
	struct atnet_modem *m = r->m;

	lockdep_assert_held(&m->lock);
	atnet_req_cme_of(m, r, cmd);
	if (result == -EIO) {
		/* The modem checks state, slots and an already running server. */
		static const char *const why[] = {
			"the modem refused AT+CIPSERVER=0 (ERROR)",
			"the modem refused AT+CIPSERVER (ERROR): context not up, server running or no free link",
		};

		atnet_req_finish(m, r, -EBUSY, why[!!r->port]);
	} else if (result) {
		atnet_req_finish(m, r, result,
				 "AT+CIPSERVER failed: timeout or modem restart");
	} else if (!r->port) {
		atnet_modem_lsn_off(m, -ECONNABORTED, "asked for");
		atnet_req_finish(m, r, 0, NULL);
	} else if (!r->ok_seen) {
		/* "SERVER OK" follows, for this request. */
		atnet_req_await(m, r, SIM7000_SERVER_MS);
	}
	atnet_req_cmd_done(m, r, cmd);
}

static int sim7000_server(struct atnet_modem *m, struct atnet_req *r)
{
	int err;

	lockdep_assert_held(&m->lock);
	/* The server takes a link of its own (app note 4.2). */
	if (r->port && atnet_links_busy(m) >= SIM7000_MAX_LINKS) {
		r->msg =
		"all 8 links are in use: the server needs one (7 client links + server)";
		return -ENOSPC;
	}
	if (r->port) {
		err = atnet_req_select(m, r);
		if (err)
			return err;
		snprintf(r->cmd.text, sizeof(r->cmd.text), "AT+CIPSERVER=1,%u",
			 r->port);
	} else {
		strscpy(r->cmd.text, "AT+CIPSERVER=0", sizeof(r->cmd.text));
	}
	return atnet_req_submit(m, r, &r->cmd, SIM7000_SERVER_MS,
				sim7000_server_line, sim7000_server_done);
}

/* Reconciliation -------------------------------------------------------- */

/* The modem holds the link open: the rest are gone or going. */
static bool sim7000_state_alive(const char *state)
{
	return !strcmp(state, "CONNECTED") || !strcmp(state, "CONNECTING");
}

/*
 * "+CIPSEND: n,size": what one AT+CIPSEND may carry on link n now; it
 * depends on the network (application note, section 7.3), so it is asked again with
 * every check and each link's sends are cut to it.
 */
static enum atnet_chat_verdict sim7000_limits_line(struct atnet_chat_cmd *cmd,
						   const char *line,
						   size_t len)
{
	struct atnet_modem *m = cmd->priv;
	const char *rest = atnet_chat_prefix(line, "+CIPSEND:");
	struct atnet_link *l;
	u32 slot, size;

	if (!rest)
		return ATNET_CHAT_PASS;
	if (!atnet_parse_cipsend(rest, &slot, &size) &&
	    slot < SIM7000_MAX_LINKS && size <= SIM7000_MAX_SEND) {
		l = atnet_link_by_slot(m, slot);
		/* Streams only: a queued datagram was sized for the old one. */
		if (l && l->state == ATNET_LINK_CONNECTED &&
		    l->proto == IPPROTO_TCP && size)
			atnet_link_set_mtu(l, size);
	}
	return ATNET_CHAT_MORE;
}

static void sim7000_limits_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_modem *m = cmd->priv;

	atnet_sim7000(m)->status.send_busy = false;
}

static void sim7000_limits_ask(struct atnet_modem *m)
{
	struct atnet_sim7000_status *st = &atnet_sim7000(m)->status;
	struct atnet_chat_cmd *cmd = &st->send_cmd;

	lockdep_assert_held(&m->lock);
	if (st->send_busy)
		return;
	strscpy(cmd->text, "AT+CIPSEND?", sizeof(cmd->text));
	atnet_chat_cmd_prepare(cmd, 5000, sim7000_limits_line,
			       sim7000_limits_done, m);
	st->send_busy = !atnet_modem_submit(m, cmd);
}

static const struct atnet_script sim7000_ctx_verify;

/* A +PDP: DEACT is being sorted out on @ctx: its end will say why. */
static bool sim7000_ctx_in_doubt(struct atnet_modem *m, unsigned int ctx)
{
	return m->ctx[ctx].verify ||
	       (m->run.script == &sim7000_ctx_verify && m->run.ctx == ctx);
}

static void sim7000_status_apply(struct atnet_modem *m)
{
	struct atnet_sim7000_status *st = &atnet_sim7000(m)->status;
	struct atnet_link *l;
	unsigned int i;

	lockdep_assert_held(&m->lock);
	m->rec.reconcile_until = 0;
	m->rec.reconciling = false;
	for (i = 0; i < SIM7000_MAX_LINKS; i++) {
		l = atnet_link_by_slot(m, i);
		if (!l || !(st->seen & BIT(i)))
			continue;
		if (l->state != ATNET_LINK_FREE &&
		    sim7000_ctx_in_doubt(m, l->ctx))
			continue;
		/* Taken again since we asked: the answer is about the old one. */
		if (l->state != ATNET_LINK_FREE && l->gen != st->gen[i])
			continue;
		if (atnet_link_modem_state(l, st->state[i],
					   st->alive & BIT(i))) {
			m->rec.links_lost++;
			atnet_info(m, "link %u lost without notice (modem says %s)\n",
				   i, st->state[i]);
			atnet_modem_fault(m, "a link was lost without notice");
		} else if (l->state == ATNET_LINK_CONNECTED &&
			   l->proto == IPPROTO_TCP) {
			/* Keep AT+CIPACK's figures fresh for "atnet show". */
			atnet_link_ack(l);
		}
	}
	if (m->lsn.on && !st->server)
		atnet_modem_lsn_off(m, -ECONNABORTED,
				    "AT+CIPSTATUS shows no server");
	if (atnet_links_busy(m))
		sim7000_limits_ask(m);
}

/* "STATE: ...", "S: ...", "C: ...": true when consumed. */
static bool sim7000_status_line(struct atnet_modem *m, const char *line)
{
	struct atnet_sim7000_status *st = &atnet_sim7000(m)->status;
	struct atnet_cipstatus_answer c;
	const char *rest;

	lockdep_assert_held(&m->lock);
	if (atnet_chat_prefix(line, "STATE:"))
		return true;
	rest = atnet_chat_prefix(line, "S:");
	if (rest) {
		if (m->rec.reconciling && strstr(rest, "LISTENING"))
			st->server = true;
		return true;
	}
	rest = atnet_chat_prefix(line, "C:");
	if (!rest)
		return false;
	if (!m->rec.reconciling)
		return true;
	if (atnet_parse_cipstatus(rest, &c) || c.slot >= SIM7000_MAX_LINKS)
		return true;
	strscpy(st->state[c.slot], c.state, sizeof(st->state[c.slot]));
	st->seen |= BIT(c.slot);
	if (sim7000_state_alive(c.state))
		st->alive |= BIT(c.slot);
	if (c.slot == SIM7000_MAX_LINKS - 1)
		sim7000_status_apply(m);
	return true;
}

static enum atnet_chat_verdict sim7000_status_cmd_line(struct atnet_chat_cmd *cmd,
						       const char *line,
						       size_t len)
{
	struct atnet_modem *m = cmd->priv;

	/* Firmware that prints the lines before the OK. */
	return sim7000_status_line(m, line) ? ATNET_CHAT_MORE : ATNET_CHAT_PASS;
}

static void sim7000_status_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_modem *m = cmd->priv;

	lockdep_assert_held(&m->lock);
	atnet_req_cme(m, cmd);
	if (!m->rec.reconciling)
		return;			/* all lines came before the OK */
	if (result) {
		m->rec.reconciling = false;
		return;
	}
	/* The lines follow as URCs: recover.c gives up on them after this. */
	m->rec.reconcile_until = atnet_now_ms() + 3000;
}

static void sim7000_reconcile(struct atnet_modem *m)
{
	struct atnet_sim7000_status *st = &atnet_sim7000(m)->status;
	struct atnet_chat_cmd *cmd = &st->cmd;
	struct atnet_link *l;
	unsigned int i;

	lockdep_assert_held(&m->lock);
	m->rec.reconciling = true;
	m->rec.reconcile_until = 0;
	/* Server, seen, alive, generations, states: this answer's. */
	memset(st, 0, offsetof(struct atnet_sim7000_status, cmd));
	for (i = 0; i < SIM7000_MAX_LINKS; i++) {
		l = atnet_link_by_slot(m, i);
		st->gen[i] = l ? l->gen : 0;
	}
	strscpy(cmd->text, "AT+CIPSTATUS", sizeof(cmd->text));
	atnet_chat_cmd_prepare(cmd, 5000, sim7000_status_cmd_line,
			       sim7000_status_done, m);
	if (atnet_modem_submit(m, cmd))
		m->rec.reconciling = false;
}

/* Which context did +PDP: DEACT take? ---------------------------------- */

/* AT+CIFSR answers the address of a context that is up, ERROR otherwise. */
static int sim7000_verify_check(struct atnet_modem *m, int err,
				const char *answer)
{
	__be32 addr;

	if (err || atnet_parse_ipv4(answer, &addr))
		return -ENETDOWN;
	return 0;
}

static const struct atnet_step sim7000_ctx_verify_steps[] = {
	{ .build = sim7000_sgtxt_build, .check = sim7000_sgtxt_check,
	  .timeout_ms = 2000 },
	{ .cmd = "AT+CIFSR", .line = sim7000_cifsr_line,
	  .check = sim7000_verify_check, .timeout_ms = 5000 },
};

static void sim7000_ctx_verify_done(struct atnet_modem *m, int err)
{
	struct atnet_ctx *ctx = &m->ctx[m->run.ctx];

	lockdep_assert_held(&m->lock);
	if (ctx->state != ATNET_CTX_UP)
		return;
	if (!err) {
		atnet_info(m, "context %d is still up after +PDP: DEACT\n",
			   ctx->id);
		return;
	}
	/* The manual: AT+CIPSHUT before anything else. */
	ctx->want_up = false;
	ctx->need_shut = true;
	atnet_modem_ctx_set(m, ctx->id, ATNET_CTX_DOWN, ATNET_EV_CONTEXT_LOST,
			    "+PDP: DEACT");
}

static const struct atnet_script sim7000_ctx_verify = {
	.steps = sim7000_ctx_verify_steps,
	.n = ARRAY_SIZE(sim7000_ctx_verify_steps),
	.done = sim7000_ctx_verify_done,
};

/* DNS and ping ---------------------------------------------------------- */

/*
 * SIM7000 Series TCP/IP Application Note, section 6, and the SIM7000 Series
 * AT Command Manual: AT+CDNSGIP="host" answers OK, later
 * "+CDNSGIP: 1,"host","ip1"[,"ip2"]" or "+CDNSGIP: 0,<errcode>".
 * AT+CIPPING="ip",1,32,<timeout> sends one echo and answers
 * "+CIPPING: 1,"ip",rtt,ttl" (rtt in 100 ms units) before its OK, once the
 * echo came back or timed out. Both go to the context AT+CIPSGTXT selected.
 */
#define SIM7000_DNS		"+CDNSGIP:"
#define SIM7000_PING		"+CIPPING:"
#define SIM7000_PING_TIMEOUT	50	/* per echo we ask for, in 100 ms */

static void sim7000_req_select_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_req *r = cmd->priv;

	/*
	 * On failure the question that follows goes to whatever context the
	 * modem has selected: forget our idea of it, the answer says the rest.
	 */
	if (result && atnet_sim7000(r->m)->cur_ctx == r->ctx)
		atnet_sim7000(r->m)->cur_ctx = -1;
	atnet_req_cmd_done(r->m, r, cmd);
}

/* AT+CIPSGTXT=ctx first when the modem has another context selected. */
static int sim7000_req_select(struct atnet_modem *m, struct atnet_req *r)
{
	int err;

	lockdep_assert_held(&m->lock);
	if (m->n_ctx < 2 || atnet_sim7000(m)->cur_ctx == r->ctx)
		return 0;
	snprintf(r->sel.text, sizeof(r->sel.text), "AT+CIPSGTXT=%d", r->ctx);
	err = atnet_req_submit(m, r, &r->sel, 2000, NULL,
			       sim7000_req_select_done);
	if (!err)
		atnet_sim7000(m)->cur_ctx = r->ctx;
	return err;
}

static int sim7000_resolve_cmd(const struct atnet_req *r, char *buf,
			       size_t size)
{
	return snprintf(buf, size, "AT+CDNSGIP=\"%s\"", r->host);
}

static int sim7000_ping_cmd(const struct atnet_req *r, char *buf, size_t size)
{
	return snprintf(buf, size, "AT+CIPPING=\"%pI4\",1,32,%u", &r->addr,
			SIM7000_PING_TIMEOUT);
}

static const struct atnet_req_dialect sim7000_req = {
	.select = sim7000_req_select,
	.resolve_cmd = sim7000_resolve_cmd,
	.dns_prefix = SIM7000_DNS,
	.dns_parse = atnet_parse_cdnsgip,
	.dns_error = atnet_cdnsgip_error,
	.dns_cmd_ms = 10000,
	.dns_urc_ms = 30000,
	.ping_cmd = sim7000_ping_cmd,
	.ping_prefix = SIM7000_PING,
	.ping_parse = atnet_parse_cipping,
	/* The echo, then its OK. */
	.ping_cmd_ms = SIM7000_PING_TIMEOUT * 100 + 3000,
	/* Slower than asked for: it timed out ("600,255" on most firmware). */
	.ping_max_rtt = SIM7000_PING_TIMEOUT,
};

/* URCs ------------------------------------------------------------------ */

static void sim7000_pdp_deact(struct atnet_modem *m, const char *line,
			      size_t len)
{
	lockdep_assert_held(&m->lock);
	/* Sorted out in settle (modem.c), which asks ctx_verify which one. */
	atnet_modem_todo(m, ATNET_TODO_DEACT);
}

static void sim7000_server_urc(struct atnet_modem *m, const char *line,
			       size_t len)
{
	struct atnet_req *r = atnet_req_awaiting(m, ATNET_REQ_SERVER);

	/*
	 * The result can end @r and let it leave the queue: the queue's and
	 * the timer's references go, so hold one of our own meanwhile.
	 */
	if (r)
		kref_get(&r->ref);
	sim7000_server_result(m, r, line);
	if (r)
		atnet_req_put(r);
}

static void sim7000_status_urc(struct atnet_modem *m, const char *line,
			       size_t len)
{
	sim7000_status_line(m, line);
}

static const struct atnet_urc sim7000_urcs[] = {
	{ "+PDP: DEACT", sim7000_pdp_deact },
	{ "SERVER ", sim7000_server_urc },
	{ "STATE:", sim7000_status_urc },
	{ "S:", sim7000_status_urc },
	{ "C:", sim7000_status_urc },
	/* AT+CDNSGIP's answer comes after its OK. */
	{ SIM7000_DNS, atnet_req_dns_urc },
	{ SIM7000_PING, atnet_req_ping_urc },
};

const struct atnet_dialect_ops atnet_sim7000_dialect = {
	.name = "SIM7000",
	.id = ATNET_DIALECT_SIM7000,
	.bring_up = &sim7000_bring_up,
	.ctx_up = &sim7000_ctx_up,
	.ctx_down = &sim7000_ctx_down,
	.ctx_shut = &sim7000_ctx_shut,
	.ctx_verify = &sim7000_ctx_verify,
	.server = sim7000_server,
	.reconcile = sim7000_reconcile,
	.urcs = sim7000_urcs,
	.link_urc = atnet_sim7000_link_urc,
	.link_ops = &atnet_sim7000_link_ops,
	.n_urcs = ARRAY_SIZE(sim7000_urcs),
	.fixed_lport = true,
	.max_links = SIM7000_MAX_LINKS,
	.contexts = SIM7000_CONTEXTS,
	.max_send = SIM7000_MAX_SEND,
	.req = &sim7000_req,
	.priv_size = sizeof(struct atnet_sim7000),
	.shut_step = "AT+CIPSHUT",
	.shut_why = "recovery: AT+CIPSHUT",
	.deact_why = "+PDP: DEACT",
	.frames = atnet_sim7000_frames,
};
