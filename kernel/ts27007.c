// SPDX-License-Identifier: GPL-2.0
/*
 * What every modem family answers alike: the commands of ITU-T V.250 (AT,
 * ATE0, ATI) and 3GPP TS 27.007 (AT+CGMM, AT+CGMR, AT+CPIN?, AT+CSQ,
 * AT+CGREG?, AT+COPS?, AT+CFUN), and the lines SIMCom's families print
 * unasked on power-up and power-down (the hardware design manuals of the SIM7000 and
 * SIM7020 series). probe.c and recover.c run these as data: the probe and
 * liveness scripts, the revive poll, the reset and the resync.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "dialect.h"
#include "modem.h"

/* Identification -------------------------------------------------------- */

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
	if (atnet_model_known(m->model))
		return 0;
	return strscpy(buf, "ATI", size);
}

static int atnet_probe_ati_check(struct atnet_modem *m, int err,
				 const char *answer)
{
	if (!err && atnet_model_known(answer))
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

static const struct atnet_script atnet_probe_script = {
	.steps = atnet_probe_steps,
	.n = ARRAY_SIZE(atnet_probe_steps),
	.done = atnet_probe_identified,
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

/*
 * Field @idx of @answer to @cmd as a number up to @max (@idx < 0: the
 * second of two, or the only one). 0, or -EAGAIN with m->reason set.
 */
static int atnet_answer_uint(struct atnet_modem *m, const char *cmd,
			     const char *answer, int idx, u32 max, u32 *val)
{
	const char *f[4];
	char buf[ATNET_ANSWER_MAX];
	int n;

	n = atnet_chat_fields(answer, buf, sizeof(buf), f, 4);
	if (idx < 0)
		idx = n > 1;
	if (n <= idx || atnet_chat_uint(f[idx], max, val)) {
		atnet_modem_set_reason(m, "unreadable %s answer \"%s\"", cmd,
				       answer);
		return -EAGAIN;
	}
	return 0;
}

int atnet_check_csq(struct atnet_modem *m, int err, const char *answer)
{
	u32 rssi;

	if (err || atnet_answer_uint(m, "AT+CSQ", answer, 0, 99, &rssi))
		return -EAGAIN;
	m->signal = rssi;
	if (rssi == 99) {
		atnet_modem_set_reason(m, "no signal (+CSQ: 99)");
		return -EAGAIN;
	}
	return 0;
}

/*
 * "+CGREG: n,stat[,...]" (@idx 1), or also the bare "+CGREG: stat" of the
 * URC (@idx -1): registered at home (1) or roaming (5).
 */
int atnet_check_cgreg(struct atnet_modem *m, int err, const char *answer,
		      int idx)
{
	u32 stat;

	if (err || atnet_answer_uint(m, "AT+CGREG?", answer, idx, 255, &stat))
		return -EAGAIN;
	m->reg = stat;
	if (stat != 1 && stat != 5) {
		atnet_modem_set_reason(m, "not registered (+CGREG stat %u)",
				       stat);
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
 * Clean-up and optional steps (a context shut or a socket close that may
 * find nothing, event reporting): an ERROR means nothing to clean or a
 * feature the firmware lacks, and bring-up goes on; only silence is worth
 * a retry.
 */
int atnet_check_tolerant(struct atnet_modem *m, int err, const char *answer)
{
	return err == -ETIMEDOUT ? -EAGAIN : 0;
}

/* Liveness: after a command timed out, is anybody still there? ---------- */

static int atnet_alive_check(struct atnet_modem *m, int err,
			     const char *answer)
{
	if (err) {
		atnet_modem_set_reason(m,
				       "modem stopped answering: a command timed out, then AT 3 times");
		return -EAGAIN;
	}
	/*
	 * It answers, and echoes our AT: echo is on after power-up (V.250
	 * ATE) and the probe turned it off (ATE0). So it restarted without a
	 * banner, as an autobauding modem does (no RDY), and forgot
	 * everything we set up.
	 */
	if (m->chat.stats.echoes != m->rec.alive_echoes) {
		atnet_info(m, "the modem echoes commands again: it restarted without RDY (autobaud)\n");
		atnet_modem_todo(m, ATNET_TODO_RESTARTED);
	}
	return 0;
}

static const struct atnet_step atnet_alive_steps[] = {
	{ .cmd = "AT", .check = atnet_alive_check, .timeout_ms = 1000,
	  .tries = 3 },
};

static const struct atnet_script atnet_alive_script = {
	.steps = atnet_alive_steps,
	.n = ARRAY_SIZE(atnet_alive_steps),
	.done = atnet_probe_alive_done,
};

/* Lines nobody asked for ------------------------------------------------- */

/*
 * Power-up banners. "+CFUN: 1" alone is not one: the modem also prints it
 * when its radio comes back on (AT+CFUN=1), and a power-up prints "RDY"
 * before it. "SMS Ready" follows RDY seconds later on every SIM7000 boot.
 */
static const struct atnet_banner atnet_banners[] = {
	{ "RDY", 0 },
	{ "SMS Ready", ATNET_BANNER_LATE },
	{ "+CPIN: NOT READY", ATNET_BANNER_LATE | ATNET_BANNER_RADIO },
};

/*
 * The modem's power supervision: "... POWER DOWN" is its last line before
 * it switches off (AT+CPOWD, PWRKEY, its supply), "... WARNNING" (SIMCom's
 * spelling; "WARNING" accepted too) a supply near its limit.
 */
static const char *const atnet_power_down[] = {
	"NORMAL POWER DOWN", "UNDER-VOLTAGE POWER DOWN",
	"OVER-VOLTAGE POWER DOWN",
};

static const char *const atnet_power_warn[] = {
	"UNDER-VOLTAGE WARNNING", "OVER-VOLTAGE WARNNING",
	"UNDER-VOLTAGE WARNING", "OVER-VOLTAGE WARNING",
};

/* Prefixes of lines that are never the answer to an identification command. */
static const char *const atnet_unasked[] = {
	"+", "*", "RDY", "SMS Ready", "Call Ready", "DST:",
	"NORMAL POWER DOWN", "UNDER-VOLTAGE", "OVER-VOLTAGE", "CLOSED",
};

const struct atnet_ts27007 atnet_ts27007 = {
	.probe = &atnet_probe_script,
	.alive = &atnet_alive_script,
	.alive_cmd = "AT",
	/* TS 27.007 AT+CFUN=<fun>,<rst>: full functionality, after a reset. */
	.reset_cmd = "AT+CFUN=1,1",
	/* Every model answers "+CSQ:" and then OK (chat.h, the resync). */
	.sync_cmd = "AT+CSQ",
	.sync_answer = "+CSQ:",
	.banners = atnet_banners,
	.n_banners = ARRAY_SIZE(atnet_banners),
	.power_down = atnet_power_down,
	.n_power_down = ARRAY_SIZE(atnet_power_down),
	.power_warn = atnet_power_warn,
	.n_power_warn = ARRAY_SIZE(atnet_power_warn),
	.unasked = atnet_unasked,
	.n_unasked = ARRAY_SIZE(atnet_unasked),
};
