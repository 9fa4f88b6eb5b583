// SPDX-License-Identifier: GPL-2.0
/*
 * SIM7020 control plane: bring-up, the one PDN and its URCs, in the words of
 * the SIM7020 Series TCP/IP Application Note. The sockets' commands and
 * URCs live in sim7020_link.c.
 *
 * Bring-up (application note, section 4): SIM, signal and registration with up to
 * three retries each, then a CFUN=0/CFUN=1 radio cycle, which also applies
 * an APN set before (AT*MCGDEFCONT is accepted only with the radio off).
 * The network brings the PDN up by itself after the attach: the bring-up
 * reads it from AT+CGACT? and AT+CGCONTRDP and reports it as context 0, up,
 * as SIM7000's context is reported after AT+CIICR. The socket features the
 * firmware has are probed here: AT+CSOSENDFLAG=1 (acknowledgements),
 * AT+CSORCVFLAG=1 (binary receive) and AT+CSODSEND=? (binary send; some
 * firmware has binary receive without it).
 *
 * Context 0: "up" is AT+CGACT=1,1, "down" AT+CGACT=0,1 (section 2.4). A new
 * APN (ATNET_CMD_SET_CONTEXT) is used by the next activation, as on
 * SIM7000: "up" cycles the radio around AT*MCGDEFCONT when the modem's
 * configured APN differs, the only way the note (2.2) gives to change it.
 *
 * The radio cycle makes the modem say "+CPIN: NOT READY", which otherwise
 * means it restarted: ->radio_cycling() tells the URC dispatcher it is ours.
 *
 * What the SIM7020 lacks (section 3.1): server mode and transparent mode.
 * listen answers -EOPNOTSUPP with a message saying so.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "answer.h"
#include "dialect.h"
#include "link.h"
#include "modem.h"
#include "request.h"
#include "sim7020.h"

#define SIM7020_CONTEXTS	1
#define SIM7020_PDN_TRIES	10	/* AT+CGACT? every 500 ms after attach */

/* Fire and forget ---------------------------------------------------------- */

/* A command nobody waits for (housekeeping: AT+CSOCL, AT+CGACT?). */
struct atnet_sim7020_cmd {
	struct atnet_chat_cmd chat;
	struct atnet_modem *m;
	u32 gen;
};

static void atnet_sim7020_fire_done(struct atnet_chat_cmd *cmd, int result)
{
	kfree(container_of(cmd, struct atnet_sim7020_cmd, chat));
}

/*
 * Queue a command whose answer only matters to @line (may be NULL). Its
 * ->priv is the modem; the handler must check c->gen against m->gen.
 */
int atnet_sim7020_fire(struct atnet_modem *m, u32 timeout_ms,
		       enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *,
						       const char *, size_t),
		       const char *fmt, ...)
{
	struct atnet_sim7020_cmd *c;
	va_list ap;
	int err;

	lockdep_assert_held(&m->lock);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(c->chat.text, sizeof(c->chat.text), fmt, ap);
	va_end(ap);
	c->m = m;
	c->gen = m->gen;
	atnet_chat_cmd_prepare(&c->chat, timeout_ms, line,
			       atnet_sim7020_fire_done, m);
	err = atnet_modem_submit(m, &c->chat);
	if (err)
		kfree(c);
	return err;
}

/*
 * Sockets whose link died with its context or the modem still hold an id in
 * the modem (it keeps dead sockets until AT+CSOCL, application note section 4:
 * "re-create"): close them, so the five ids never run out.
 */
void atnet_sim7020_reap(struct atnet_modem *m)
{
	unsigned int i;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < SIM7020_MAX_LINKS; i++) {
		struct atnet_link *l = m->links[i];

		if (!l || l->modem_id < 0 || (l->busy & ATNET_LINK_BUSY_CTL))
			continue;
		if (l->state != ATNET_LINK_FREE && l->state != ATNET_LINK_CLOSED)
			continue;
		/* If it cannot be sent, the next bring-up closes them all. */
		atnet_sim7020_fire(m, 10000, NULL, "AT+CSOCL=%d", l->modem_id);
		l->modem_id = -1;
	}
}

/* Context 0 ---------------------------------------------------------------- */

static void sim7020_pdn_lost(struct atnet_modem *m, const char *why)
{
	struct atnet_ctx *ctx = &m->ctx[0];

	lockdep_assert_held(&m->lock);
	/* An activation in progress checks AT+CGACT? at its end anyway. */
	if (ctx->state != ATNET_CTX_UP)
		return;
	/* As on SIM7000: the owner asks again; ctx_shut reaps the sockets. */
	ctx->want_up = false;
	ctx->need_shut = true;
	atnet_modem_ctx_set(m, 0, ATNET_CTX_DOWN, ATNET_EV_CONTEXT_LOST, why);
}

/* "+CGACT: 1,0": the PDN is gone (answer to a bearer check). */
static enum atnet_chat_verdict
sim7020_bearer_line(struct atnet_chat_cmd *cmd, const char *line, size_t len)
{
	struct atnet_sim7020_cmd *c = container_of(cmd, struct atnet_sim7020_cmd,
						   chat);
	const char *rest = atnet_chat_prefix(line, "+CGACT:");
	const char *f[2];
	char buf[32];
	u32 cid, st;

	if (!rest)
		return ATNET_CHAT_PASS;
	if (c->gen == c->m->gen &&
	    atnet_chat_fields(rest, buf, sizeof(buf), f, 2) == 2 &&
	    !atnet_chat_uint(f[0], 255, &cid) && cid == 1 &&
	    !atnet_chat_uint(f[1], 1, &st) && !st)
		sim7020_pdn_lost(c->m, "PDN deactivated (+CSOERR bearer error, +CGACT: 1,0)");
	return ATNET_CHAT_MORE;
}

/* A socket reported a bearer error: is the PDN still there? */
void atnet_sim7020_bearer_check(struct atnet_modem *m)
{
	lockdep_assert_held(&m->lock);
	if (m->ctx[0].state == ATNET_CTX_UP)
		atnet_sim7020_fire(m, 5000, sim7020_bearer_line, "AT+CGACT?");
}

/* Step checks -------------------------------------------------------------- */

static int sim7020_cgreg_check(struct atnet_modem *m, int err,
			       const char *answer)
{
	/* "+CGREG: n,stat[,...]"; the bare "+CGREG: stat" of the URC too. */
	err = atnet_check_cgreg(m, err, answer, -1);
	/* Attached again after a radio cycle: its URCs are behind us. */
	if (!err)
		atnet_sim7020(m)->radio_cycle = false;
	return err;
}

/* A feature probe: OK sets @flag, anything else leaves it clear. */
static int sim7020_flag_check(struct atnet_modem *m, int err,
			      unsigned long flag)
{
	struct atnet_sim7020 *s = atnet_sim7020(m);

	if (err == -ETIMEDOUT)
		return -EAGAIN;
	if (!err)
		s->flags |= flag;
	return 0;
}

static int sim7020_sendflag_check(struct atnet_modem *m, int err,
				  const char *answer)
{
	return sim7020_flag_check(m, err, SIM7020_F_SENDFLAG);
}

static int sim7020_rcvflag_check(struct atnet_modem *m, int err,
				 const char *answer)
{
	return sim7020_flag_check(m, err, SIM7020_F_BIN_RX);
}

/*
 * AT+CSODSEND=? answers its ranges where the firmware has binary send,
 * ERROR where it has not (some firmware has AT+CSORCVFLAG without it).
 * Decided once here: a later ERROR to a send is that send's failure, never
 * a reason to switch to hex while the modem may still be prompting.
 */
static int sim7020_dsend_check(struct atnet_modem *m, int err,
			       const char *answer)
{
	return sim7020_flag_check(m, err, SIM7020_F_BIN_TX);
}

/* The first step of a script: forget per-script flags. */
static void sim7020_script_begin(struct atnet_modem *m)
{
	struct atnet_sim7020 *s = atnet_sim7020(m);

	s->flags &= ~(SIM7020_F_PDN | SIM7020_F_APN_DIFF | SIM7020_F_APN_FAIL);
}

/* *MCGDEFCONT? and the APN --------------------------------------------- */

static int sim7020_defcont_build(struct atnet_modem *m, char *buf, size_t size)
{
	sim7020_script_begin(m);
	atnet_sim7020_reap(m);
	/* Assume different until the modem shows the same. */
	if (m->ctx[0].apn[0])
		atnet_sim7020(m)->flags |= SIM7020_F_APN_DIFF;
	return strscpy(buf, "AT*MCGDEFCONT?", size);
}

/* *MCGDEFCONT: "IP","apn","user","pwd" */
static int sim7020_defcont_check(struct atnet_modem *m, int err,
				 const char *answer)
{
	struct atnet_ctx *ctx = &m->ctx[0];
	const char *f[4];
	char buf[ATNET_ANSWER_MAX];
	int n;

	/*
	 * ERROR (a firmware without the query) leaves the APN "different":
	 * the radio cycle sets it. No answer is a stalled modem, not an
	 * unknown APN: stop here instead of waiting out the radio cycle's
	 * long timeouts before the liveness check can run.
	 */
	if (err == -ETIMEDOUT)
		return -EAGAIN;
	if (err || !ctx->apn[0])
		return 0;
	n = atnet_chat_fields(answer, buf, sizeof(buf), f, 4);
	if (n < 2 || strcmp(f[1], ctx->apn) ||
	    strcmp(n > 2 ? f[2] : "", ctx->user) ||
	    strcmp(n > 3 ? f[3] : "", ctx->password))
		return 0;
	atnet_sim7020(m)->flags &= ~SIM7020_F_APN_DIFF;
	return 0;
}

static bool sim7020_cycle(struct atnet_modem *m)
{
	return atnet_sim7020(m)->flags & SIM7020_F_APN_DIFF;
}

static int sim7020_cfun0_build(struct atnet_modem *m, char *buf, size_t size)
{
	/* The bring-up always cycles (section 4), "up" on a new APN. */
	if (m->run.script != m->dialect->bring_up && !sim7020_cycle(m))
		return 0;
	atnet_sim7020(m)->radio_cycle = true;
	return strscpy(buf, "AT+CFUN=0", size);
}

/* Strings were validated by netlink.c: printable, no '"', ';', CR, LF. */
static int sim7020_mcgdefcont_build(struct atnet_modem *m, char *buf,
				    size_t size)
{
	struct atnet_ctx *ctx = &m->ctx[0];

	if (!sim7020_cycle(m))
		return 0;
	if (ctx->user[0] || ctx->password[0])
		return snprintf(buf, size, "AT*MCGDEFCONT=\"IP\",\"%s\",\"%s\",\"%s\"",
				ctx->apn, ctx->user, ctx->password);
	return snprintf(buf, size, "AT*MCGDEFCONT=\"IP\",\"%s\"", ctx->apn);
}

/* A refused APN must not leave the radio off: note it, turn it back on. */
static int sim7020_mcgdefcont_check(struct atnet_modem *m, int err,
				    const char *answer)
{
	if (err)
		atnet_sim7020(m)->flags |= SIM7020_F_APN_FAIL;
	return 0;
}

static int sim7020_cfun1_build(struct atnet_modem *m, char *buf, size_t size)
{
	if (!atnet_sim7020(m)->radio_cycle)
		return 0;
	return strscpy(buf, "AT+CFUN=1", size);
}

static int sim7020_cfun1_check(struct atnet_modem *m, int err,
			       const char *answer)
{
	if (err) {
		atnet_modem_set_reason(m, "AT+CFUN=1 failed: radio stays off");
		return -EAGAIN;
	}
	/*
	 * radio_cycle stays set until the attach: "+CPIN: READY" (and on
	 * some firmware "+CFUN: 1") follow this OK and are ours too.
	 */
	return 0;
}

/* PDN ------------------------------------------------------------------- */

static int sim7020_cgact_check(struct atnet_modem *m, int err,
			       const char *answer)
{
	const char *f[2];
	char buf[ATNET_ANSWER_MAX];
	u32 cid, st;

	if (!err && atnet_chat_fields(answer, buf, sizeof(buf), f, 2) == 2 &&
	    !atnet_chat_uint(f[0], 255, &cid) && cid == 1 &&
	    !atnet_chat_uint(f[1], 1, &st) && st) {
		atnet_sim7020(m)->flags |= SIM7020_F_PDN;
		return 0;
	}
	atnet_modem_set_reason(m, "PDN not active (+CGACT: %s)",
			       answer[0] ? answer : "no answer");
	/* m->run.tries counts this step's earlier tries. */
	return m->run.tries + 1 < SIM7020_PDN_TRIES ? -EAGAIN : 0;
}

static int sim7020_contrdp_build(struct atnet_modem *m, char *buf, size_t size)
{
	if (!(atnet_sim7020(m)->flags & SIM7020_F_PDN))
		return 0;
	return strscpy(buf, "AT+CGCONTRDP", size);
}

/* The parser must take every answer a step can hold. */
static_assert(ATNET_CGCONTRDP_MAX >= ATNET_ANSWER_MAX);

/* +CGCONTRDP: cid,bearer,"apn","a.b.c.d.m.m.m.m"[,...] */
static int sim7020_contrdp_check(struct atnet_modem *m, int err,
				 const char *answer)
{
	struct atnet_ctx *ctx = &m->ctx[0];
	__be32 addr;

	if (err == -ETIMEDOUT)
		return -EAGAIN;
	/* Section 2.1; answer.c takes the address alone too. */
	if (err || atnet_parse_cgcontrdp(answer, &addr, NULL) || !addr) {
		atnet_modem_set_reason(m, "no address from AT+CGCONTRDP (\"%s\")",
				       answer);
		atnet_sim7020(m)->flags &= ~SIM7020_F_PDN;
		return m->run.script == m->dialect->bring_up ? 0 : -EIO;
	}
	ctx->addr = addr;
	return 0;
}

/*
 * The end of a script with the radio cycle: it is over, and an APN the
 * modem refused fails the script.
 */
static int sim7020_radio_done(struct atnet_modem *m, int err)
{
	struct atnet_sim7020 *s = atnet_sim7020(m);

	lockdep_assert_held(&m->lock);
	s->radio_cycle = false;
	if (!err && (s->flags & SIM7020_F_APN_FAIL)) {
		atnet_modem_set_reason(m, "AT*MCGDEFCONT refused APN \"%s\"",
				       m->ctx[0].apn);
		err = -EINVAL;
	}
	return err;
}

/* Bring-up --------------------------------------------------------------- */

static int sim7020_cpin_build(struct atnet_modem *m, char *buf, size_t size)
{
	struct atnet_sim7020 *s = atnet_sim7020(m);
	unsigned int i;

	if (m->run.tries == 0) {
		/* A (re)started modem has no socket of ours any more. */
		s->flags = 0;
		s->radio_cycle = false;
		s->csocl_next = 0;
		for (i = 0; i < SIM7020_MAX_LINKS; i++)
			if (m->links[i])
				m->links[i]->modem_id = -1;
	}
	return strscpy(buf, "AT+CPIN?", size);
}

/* One step per socket id, 0..4 in turn (none of them is tried twice). */
static int sim7020_csocl_build(struct atnet_modem *m, char *buf, size_t size)
{
	return snprintf(buf, size, "AT+CSOCL=%u",
			atnet_sim7020(m)->csocl_next++);
}

/*
 * Shared by the bring-up and context up: the radio cycle around
 * AT*MCGDEFCONT (accepted only with the radio off), then the attach.
 */
static const struct atnet_step sim7020_radio_cycle_steps[] = {
	{ .build = sim7020_defcont_build, .prefix = "*MCGDEFCONT:",
	  .check = sim7020_defcont_check, .timeout_ms = 2000 },
	{ .build = sim7020_cfun0_build, .timeout_ms = 15000, .tries = 2,
	  .retry_ms = 1000 },
	{ .build = sim7020_mcgdefcont_build, .check = sim7020_mcgdefcont_check,
	  .timeout_ms = 5000 },
	{ .build = sim7020_cfun1_build, .check = sim7020_cfun1_check,
	  .timeout_ms = 15000, .tries = 3, .retry_ms = 1000 },
	/* NB-IoT attach after the radio cycle: give it 30 s. */
	{ .cmd = "AT+CGREG?", .prefix = "+CGREG:",
	  .check = sim7020_cgreg_check, .timeout_ms = 2000, .tries = 30,
	  .retry_ms = 1000 },
};

static const struct atnet_script sim7020_radio_cycle = {
	.steps = sim7020_radio_cycle_steps,
	.n = ARRAY_SIZE(sim7020_radio_cycle_steps),
};

/* Shared too: is the PDN up, and with which address and DNS servers. */
static const struct atnet_step sim7020_pdn_query_steps[] = {
	{ .cmd = "AT+CGACT?", .prefix = "+CGACT:",
	  .check = sim7020_cgact_check, .timeout_ms = 2000,
	  .tries = SIM7020_PDN_TRIES, .retry_ms = 500 },
	{ .build = sim7020_contrdp_build, .prefix = "+CGCONTRDP:",
	  .check = sim7020_contrdp_check, .timeout_ms = 5000, .tries = 2 },
};

static const struct atnet_script sim7020_pdn_query = {
	.steps = sim7020_pdn_query_steps,
	.n = ARRAY_SIZE(sim7020_pdn_query_steps),
};

/*
 * The note's recommended flow (section 4): up to three retries of each check.
 * The radio cycle comes after them, so it starts from a SIM that answered.
 */
static const struct atnet_step sim7020_bring_up_steps[] = {
	{ .build = sim7020_cpin_build, .prefix = "+CPIN:",
	  .check = atnet_check_cpin, .timeout_ms = 5000, .tries = 4,
	  .retry_ms = 2000 },
	{ .cmd = "AT+CSQ", .prefix = "+CSQ:", .check = atnet_check_csq,
	  .timeout_ms = 2000, .tries = 4, .retry_ms = 2000 },
	{ .cmd = "AT+CGREG?", .prefix = "+CGREG:",
	  .check = sim7020_cgreg_check, .timeout_ms = 2000, .tries = 4,
	  .retry_ms = 2000 },
	/* Sockets an earlier attach left behind: ids 0..4. */
	{ .build = sim7020_csocl_build, .check = atnet_check_tolerant,
	  .timeout_ms = 5000 },
	{ .build = sim7020_csocl_build, .check = atnet_check_tolerant,
	  .timeout_ms = 5000 },
	{ .build = sim7020_csocl_build, .check = atnet_check_tolerant,
	  .timeout_ms = 5000 },
	{ .build = sim7020_csocl_build, .check = atnet_check_tolerant,
	  .timeout_ms = 5000 },
	{ .build = sim7020_csocl_build, .check = atnet_check_tolerant,
	  .timeout_ms = 5000 },
	{ .sub = &sim7020_radio_cycle },
	{ .cmd = "AT+COPS?", .prefix = "+COPS:", .check = atnet_check_cops,
	  .timeout_ms = 5000 },
	/* PDN events, so a loss is seen without a socket (tolerated). */
	{ .cmd = "AT+CGEREP=1", .check = atnet_check_tolerant,
	  .timeout_ms = 2000 },
	{ .cmd = "AT+CSOSENDFLAG=1", .check = sim7020_sendflag_check,
	  .timeout_ms = 2000, .tries = 2 },
	{ .cmd = "AT+CSORCVFLAG=1", .check = sim7020_rcvflag_check,
	  .timeout_ms = 2000, .tries = 2 },
	{ .cmd = "AT+CSODSEND=?", .prefix = "+CSODSEND:",
	  .check = sim7020_dsend_check, .timeout_ms = 2000, .tries = 2 },
	{ .sub = &sim7020_pdn_query },
};

static void sim7020_bring_up_done(struct atnet_modem *m, int err)
{
	struct atnet_sim7020 *s = atnet_sim7020(m);
	struct atnet_ctx *ctx = &m->ctx[0];

	err = sim7020_radio_done(m, err);
	if (err) {
		atnet_modem_fail(m);
		return;
	}
	atnet_info(m, "SIM7020 %s receive, %s send, %s\n",
		   (s->flags & SIM7020_F_BIN_RX) ? "binary" : "hex",
		   (s->flags & SIM7020_F_BIN_TX) ? "binary" : "hex",
		   (s->flags & SIM7020_F_SENDFLAG) ? "peer acks (SEND:)" :
		   "no peer acks (AT+CSOSENDFLAG refused)");
	atnet_modem_ready(m);
	/* The PDN came up by itself: context 0 is up, and wanted so. */
	if ((s->flags & SIM7020_F_PDN) && ctx->addr) {
		ctx->want_up = true;
		atnet_modem_ctx_set(m, 0, ATNET_CTX_UP, ATNET_EV_CONTEXT_UP,
				    NULL);
	} else {
		ctx->addr = 0;
	}
}

static const struct atnet_script sim7020_bring_up = {
	.steps = sim7020_bring_up_steps,
	.n = ARRAY_SIZE(sim7020_bring_up_steps),
	.done = sim7020_bring_up_done,
};

/* Context up ------------------------------------------------------------- */

static int sim7020_cgact1_check(struct atnet_modem *m, int err,
				const char *answer)
{
	/* Already active answers ERROR on some firmware: AT+CGACT? decides. */
	return err == -ETIMEDOUT ? -EAGAIN : 0;
}

static const struct atnet_step sim7020_ctx_up_steps[] = {
	{ .sub = &sim7020_radio_cycle },
	{ .cmd = "AT+CGACT=1,1", .check = sim7020_cgact1_check,
	  .timeout_ms = 30000, .tries = 2 },
	{ .sub = &sim7020_pdn_query },
};

static void sim7020_ctx_up_done(struct atnet_modem *m, int err)
{
	struct atnet_sim7020 *s = atnet_sim7020(m);
	struct atnet_ctx *ctx = &m->ctx[0];

	err = sim7020_radio_done(m, err);
	if (!err && (!(s->flags & SIM7020_F_PDN) || !ctx->addr)) {
		if (!m->reason[0])
			atnet_modem_set_reason(m, "PDN did not come up");
		err = -ENETDOWN;
	}
	if (!err && ctx->lost) {
		atnet_modem_set_reason(m, "PDN lost during activation");
		err = -ENETDOWN;
	}
	ctx->lost = false;
	if (err) {
		ctx->want_up = false;
		atnet_modem_ctx_set(m, 0, ATNET_CTX_DOWN, ATNET_EV_CONTEXT_LOST,
				    m->reason);
		return;
	}
	atnet_modem_ctx_set(m, 0, ATNET_CTX_UP, ATNET_EV_CONTEXT_UP, NULL);
}

static const struct atnet_script sim7020_ctx_up = {
	.steps = sim7020_ctx_up_steps,
	.n = ARRAY_SIZE(sim7020_ctx_up_steps),
	.done = sim7020_ctx_up_done,
};

/* Context down and clean-up after a loss --------------------------------- */

static int sim7020_cgact0_build(struct atnet_modem *m, char *buf, size_t size)
{
	sim7020_script_begin(m);
	atnet_sim7020_reap(m);
	return strscpy(buf, "AT+CGACT=0,1", size);
}

static const struct atnet_step sim7020_ctx_down_steps[] = {
	{ .build = sim7020_cgact0_build, .timeout_ms = 30000 },
};

static void sim7020_ctx_down_done(struct atnet_modem *m, int err)
{
	lockdep_assert_held(&m->lock);
	/* Whatever the answer, the PDN is not ours to use any more. */
	atnet_modem_ctx_set(m, 0, ATNET_CTX_DOWN, ATNET_EV_CONTEXT_DOWN,
			    err ? m->reason : NULL);
	atnet_sim7020_reap(m);
}

static const struct atnet_script sim7020_ctx_down = {
	.steps = sim7020_ctx_down_steps,
	.n = ARRAY_SIZE(sim7020_ctx_down_steps),
	.done = sim7020_ctx_down_done,
};

static int sim7020_shut_build(struct atnet_modem *m, char *buf, size_t size)
{
	/* The network took the PDN: only the dead sockets need closing. */
	atnet_sim7020_reap(m);
	return 0;
}

static const struct atnet_step sim7020_ctx_shut_steps[] = {
	{ .build = sim7020_shut_build },
};

static void sim7020_ctx_shut_done(struct atnet_modem *m, int err)
{
	lockdep_assert_held(&m->lock);
	m->ctx[m->run.ctx].need_shut = false;
}

static const struct atnet_script sim7020_ctx_shut = {
	.steps = sim7020_ctx_shut_steps,
	.n = ARRAY_SIZE(sim7020_ctx_shut_steps),
	.done = sim7020_ctx_shut_done,
};

/* DNS and ping ------------------------------------------------------------ */

/*
 * SIM7020 Series TCP/IP Application Note, section 2.3: AT+CDNSGIP="host"
 * answers "+CDNSGIP: a.b.c.d" before its OK (the command blocks the modem
 * until the network answers), ERROR for an unknown name, or on some
 * firmware OK first and later the SIM7000's "+CDNSGIP: 1,"host","ip"" /
 * "+CDNSGIP: 0,err". AT+CIPPING="a.b.c.d" answers OK, then
 * "+CIPPING: seq,ip,rtt,ttl" (rtt in 100 ms units, "600,255" for an echo
 * lost). A name with a blank or ',' would be split on the command line.
 */
#define SIM7020_DNS		"+CDNSGIP:"
#define SIM7020_PING		"+CIPPING:"

static int sim7020_resolve_cmd(const struct atnet_req *r, char *buf,
			       size_t size)
{
	return snprintf(buf, size, "AT+CDNSGIP=\"%s\"", r->host);
}

static bool sim7020_host_ok(const char *host)
{
	return !strpbrk(host, " ,");
}

/* One echo; the modem's default timeout (the note shows no other). */
static int sim7020_ping_cmd(const struct atnet_req *r, char *buf, size_t size)
{
	return snprintf(buf, size, "AT+CIPPING=\"%pI4\",1", &r->addr);
}

static const struct atnet_req_dialect sim7020_req = {
	.resolve_cmd = sim7020_resolve_cmd,
	.dns_prefix = SIM7020_DNS,
	.dns_parse = atnet_parse_cdnsgip,
	.dns_error = atnet_cdnsgip_error,
	.host_ok = sim7020_host_ok,
	.host_msg = "the SIM7020 takes no spaces or ',' in a host name",
	.dns_enoent_msg = "host not found (AT+CDNSGIP answered ERROR)",
	.dns_cmd_ms = 60000,
	.dns_urc_ms = 30000,
	.dns_admin = true,
	.ping_cmd = sim7020_ping_cmd,
	.ping_prefix = SIM7020_PING,
	.ping_parse = atnet_parse_cipping,
	.ping_cmd_ms = 8000,		/* its OK comes at once */
	/* The reply within the modem's default 10 s. */
	.ping_urc_ms = 15000,
	.ping_max_rtt = 599,		/* "600,255": no echo came back */
};

/* Our own AT+CFUN=0/1: its "+CPIN: NOT READY" is no restart. */
static bool sim7020_radio_cycling(struct atnet_modem *m)
{
	struct atnet_sim7020 *s = atnet_sim7020(m);

	return s && s->radio_cycle;
}

/* "+CGEV: NW PDN DEACT 1" (network) or "+CGEV: ME PDN DEACT 1" (us). */
static void sim7020_cgev(struct atnet_modem *m, const char *line, size_t len)
{
	lockdep_assert_held(&m->lock);
	/* Ours (AT+CFUN=0, AT+CGACT=0,1) come while context 0 is not up. */
	if (strstr(line, "DEACT"))
		sim7020_pdn_lost(m, line);
}

static const struct atnet_urc sim7020_urcs[] = {
	{ "+CGEV:", sim7020_cgev },
	{ SIM7020_DNS, atnet_req_dns_urc },
	{ SIM7020_PING, atnet_req_ping_urc },
};

const struct atnet_dialect_ops atnet_sim7020_dialect = {
	.name = "SIM7020",
	.id = ATNET_DIALECT_SIM7020,
	.bring_up = &sim7020_bring_up,
	.ctx_up = &sim7020_ctx_up,
	.ctx_down = &sim7020_ctx_down,
	.ctx_shut = &sim7020_ctx_shut,
	.urcs = sim7020_urcs,
	.n_urcs = ARRAY_SIZE(sim7020_urcs),
	.link_urc = atnet_sim7020_link_urc,
	.link_ops = &atnet_sim7020_link_ops,
	.max_links = SIM7020_MAX_LINKS,
	.contexts = SIM7020_CONTEXTS,
	.max_send = SIM7020_BIN_MAX,
	.req = &sim7020_req,
	.priv_size = sizeof(struct atnet_sim7020),
	.radio_cycling = sim7020_radio_cycling,
	/* Its ctx_shut closes the sockets, ctx_up re-reads the PDN. */
	.shut_step = "sockets closed, PDN re-activated",
	.shut_why = "recovery: PDN re-activated",
	.frames = atnet_sim7020_frames,
	/* SIM7020 Series TCP/IP Application Note, 3.1: no server mode. */
	.no_server = "SIM7020 has no TCP server mode (SIMCom app note 3.1)",
};
