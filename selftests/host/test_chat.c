// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the chat engine (kernel/chat.c), plain TAP.
 *
 * Every scenario is a dialogue from the SIMCom application notes (SIM7000
 * Series TCP/IP Application Note, SIM7020 Series TCP/IP Application Note) or
 * a quirk of real modems' firmware. The rig records
 * everything the engine does (bytes written, lines claimed, URCs, raw
 * payloads, completions) as text in one log, and each scenario compares that
 * log with the exact expected sequence. Scenarios run once per split mode:
 * whole buffer, byte at a time and several seeded random splits; the log
 * must not depend on how the bytes were cut.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "frames.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Print a multi-line string as TAP comments. */
static void dump(const char *title, const char *s)
{
	printf("# %s:\n#   ", title);
	for (; *s; s++) {
		putchar(*s);
		if (*s == '\n' && s[1])
			printf("#   ");
	}
	printf("\n");
}

static void check_str(int line, const char *got, const char *want)
{
	if (!strcmp(got, want))
		return;
	fail(line, "log differs");
	dump("expected", want);
	dump("got", got);
}

struct rig;

/* A test command: declarative line handling, like a dialect would do. */
struct tcmd {
	struct atnet_chat_cmd cmd;
	struct rig *rig;
	const char *claim[4];	/* prefixes consumed as intermediate lines */
	const char *final;	/* prefix that ends the command with 0 */
	const char *word;	/* "n, WORD" / "n,WORD" ends it with 0 */
	const char *abort_on;	/* prefix on which the handler aborts */
	const char *submit_on;	/* prefix on which the handler submits @next */
	bool ok_more;		/* "OK" is intermediate (CIPSTART, CIPSTATUS) */
	bool ip_done;		/* a bare IPv4 address ends it (CIFSR) */
	bool rxget;		/* "+CIPRXGET: 2,n,got,rem" announces raw data */
	int c_lines;		/* ends after this many "C:" lines */
	int seen;
	struct tcmd *next;	/* submitted by the handler or by ->done() */
	bool chain;		/* ->done() submits @next */
};

struct rig {
	struct atnet_chat chat;
	char log[32768];
	size_t loglen;
	u64 now;
	int split;		/* 0 whole, 1 bytes, else random seed */
	unsigned int rnd;
	bool urc_raw;		/* URC handler expects "+RECEIVE"/"+IPD" data */
	const char *urc_trigger;	/* URC prefix that submits urc_cmd */
	struct tcmd *urc_cmd;
	bool nest;		/* URC handler tries to feed/tick (ignored) */
	/* raw payload being collected */
	u8 raw[4096];
	size_t raw_len, raw_want;
	bool raw_open;
};

__attribute__((format(printf, 2, 3)))
static void logp(struct rig *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->log + r->loglen, sizeof(r->log) - r->loglen, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->loglen += n;
	if (r->loglen >= sizeof(r->log))
		r->loglen = sizeof(r->log) - 1;
}

/* Make bytes readable in the log: \r, \n, \xNN for the rest. */
static const char *esc(const void *buf, size_t len)
{
	static char out[8192];
	const u8 *p = buf;
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < sizeof(out); i++) {
		if (p[i] == '\r')
			o += sprintf(out + o, "\\r");
		else if (p[i] == '\n')
			o += sprintf(out + o, "\\n");
		else if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\')
			o += sprintf(out + o, "\\x%02x", p[i]);
		else
			out[o++] = p[i];
	}
	out[o] = '\0';
	return out;
}

static void check_line(struct rig *r, const char *line, size_t len)
{
	size_t i;

	CHECK_EQ(strlen(line), len);
	CHECK(len > 0 && len <= ATNET_CHAT_LINE_MAX);
	for (i = 0; i < len; i++)
		CHECK((u8)line[i] >= 0x20 && line[i] != 0x7f);
	(void)r;
}

static void w_write(void *ctx, const u8 *buf, size_t len)
{
	logp(ctx, "tx %s\n", esc(buf, len));
}

static void w_sink(void *ctx, const u8 *buf, size_t len, bool last)
{
	struct rig *r = ctx;

	CHECK(buf != NULL);
	CHECK(r->raw_open);
	CHECK(r->raw_len + len <= r->raw_want);
	if (r->raw_len + len <= sizeof(r->raw)) {
		memcpy(r->raw + r->raw_len, buf, len);
		r->raw_len += len;
	}
	/* Only the chunk that completes the payload is last, but abort ends it early. */
	if (!last) {
		CHECK(r->raw_len < r->raw_want);
		return;
	}
	logp(r, "raw %zu/%zu %s\n", r->raw_len, r->raw_want,
	     esc(r->raw, r->raw_len));
	r->raw_open = false;
}

static void expect_raw(struct rig *r, size_t len)
{
	CHECK(!r->raw_open);
	r->raw_open = true;
	r->raw_len = 0;
	r->raw_want = len;
	atnet_chat_expect_raw(&r->chat, len, w_sink, r);
}

/* Length of "+RECEIVE,n,len:" / "+IPD,len:" headers (last field, ':'). */
static int header_len(const char *rest, u32 *len)
{
	char copy[64], buf[64];
	const char *f[4];
	size_t n = strlen(rest);
	int nf;

	if (!n || n >= sizeof(copy) || rest[n - 1] != ':')
		return -EINVAL;
	memcpy(copy, rest, n - 1);
	copy[n - 1] = '\0';
	nf = atnet_chat_fields(copy, buf, sizeof(buf), f, 4);
	if (nf < 1)
		return -EINVAL;
	return atnet_chat_uint(f[nf - 1], 1460, len);
}

/* "+CSONMI: id,len," -> len; the data follows as raw bytes. */
static int csonmi_len(const char *rest, u32 *len)
{
	char buf[64];
	const char *f[3];
	int nf;

	nf = atnet_chat_fields(rest, buf, sizeof(buf), f, 3);
	if (nf != 3 || f[2][0])
		return -EINVAL;
	return atnet_chat_uint(f[1], 2048, len);
}

static void w_urc(void *ctx, const char *line, size_t len)
{
	struct rig *r = ctx;
	const char *rest;
	u32 n;

	check_line(r, line, len);
	logp(r, "urc %s\n", esc(line, len));
	if (r->nest) {
		atnet_chat_feed(&r->chat, (const u8 *)"OK\r\n", 4, r->now);
		atnet_chat_tick(&r->chat, r->now + 1000000);
	}
	rest = atnet_chat_prefix(line, "+RECEIVE,");
	if (!rest)
		rest = atnet_chat_prefix(line, "+IPD,");
	if (r->urc_raw && rest && !header_len(rest, &n))
		expect_raw(r, n);
	rest = atnet_chat_prefix(line, "+CSONMI:");
	if (r->urc_raw && rest && !csonmi_len(rest, &n))
		expect_raw(r, n);
	if (r->urc_trigger && atnet_chat_prefix(line, r->urc_trigger)) {
		logp(r, "submit %s\n", r->urc_cmd->cmd.text);
		atnet_chat_submit(&r->chat, &r->urc_cmd->cmd, r->now);
		/* Written only after this handler returns. */
		logp(r, "urc end\n");
	}
}

static const struct atnet_chat_ops w_ops = {
	.write = w_write,
	.urc = w_urc,
};

static bool is_ipv4(const char *s)
{
	int dots = 0;

	for (; *s; s++) {
		if (*s == '.')
			dots++;
		else if (*s < '0' || *s > '9')
			return false;
	}
	return dots == 3;
}

/* "0, CONNECT OK" and "0,CONNECT OK" alike, via the field parser. */
static bool link_word(const char *line, const char *word)
{
	char buf[128];
	const char *f[3];
	u32 id;

	if (atnet_chat_fields(line, buf, sizeof(buf), f, 3) != 2)
		return false;
	return !atnet_chat_uint(f[0], 7, &id) && !strcmp(f[1], word);
}

static enum atnet_chat_verdict t_rxget(struct tcmd *t, const char *rest)
{
	char buf[64];
	const char *f[4];
	u32 got;

	/* "n,got,rem" after the prefix */
	if (atnet_chat_fields(rest, buf, sizeof(buf), f, 4) != 3 ||
	    atnet_chat_uint(f[1], 1460, &got))
		return ATNET_CHAT_PASS;
	expect_raw(t->rig, got);
	return ATNET_CHAT_MORE;
}

static enum atnet_chat_verdict t_match(struct tcmd *t, const char *line)
{
	struct atnet_chat_cmd *c = &t->cmd;
	const char *rest;
	size_t i;

	rest = atnet_chat_prefix(line, "+CIPRXGET: 2,");
	if (t->rxget && rest)
		return t_rxget(t, rest);
	if (t->ok_more && !strcmp(line, "OK"))
		return ATNET_CHAT_MORE;
	if ((t->final && atnet_chat_prefix(line, t->final)) ||
	    (t->word && link_word(line, t->word)) ||
	    (t->ip_done && is_ipv4(line))) {
		c->result = 0;
		return ATNET_CHAT_DONE;
	}
	if (t->c_lines && atnet_chat_prefix(line, "C:")) {
		c->result = 0;
		return ++t->seen == t->c_lines ? ATNET_CHAT_DONE :
						 ATNET_CHAT_MORE;
	}
	for (i = 0; i < ARRAY_SIZE(t->claim) && t->claim[i]; i++)
		if (atnet_chat_prefix(line, t->claim[i]))
			return ATNET_CHAT_MORE;
	return ATNET_CHAT_PASS;
}

static enum atnet_chat_verdict t_line(struct atnet_chat_cmd *c,
				      const char *line, size_t len)
{
	struct tcmd *t = container_of(c, struct tcmd, cmd);
	struct rig *r = t->rig;
	enum atnet_chat_verdict v;

	check_line(r, line, len);
	CHECK(r->chat.active == c);
	if (t->abort_on && atnet_chat_prefix(line, t->abort_on)) {
		logp(r, "abort on %s\n", line);
		atnet_chat_abort(&r->chat, -ENODEV);
		CHECK(r->chat.active == NULL);
		return ATNET_CHAT_MORE;
	}
	if (t->submit_on && atnet_chat_prefix(line, t->submit_on)) {
		logp(r, "submit %s\n", t->next->cmd.text);
		atnet_chat_submit(&r->chat, &t->next->cmd, r->now);
		CHECK(r->chat.active == c);
	}
	v = t_match(t, line);
	if (v != ATNET_CHAT_PASS)
		logp(r, "line %s\n", esc(line, len));
	return v;
}

static void t_done(struct atnet_chat_cmd *c, int result)
{
	struct tcmd *t = container_of(c, struct tcmd, cmd);
	struct rig *r = t->rig;

	CHECK(r->chat.active != c);
	CHECK_EQ(c->result, result);
	if (c->cme_error != -1)
		logp(r, "done %s %d cme=%d\n", c->text, result, c->cme_error);
	else
		logp(r, "done %s %d\n", c->text, result);
	if (t->chain && t->next) {
		logp(r, "submit %s\n", t->next->cmd.text);
		atnet_chat_submit(&r->chat, &t->next->cmd, r->now);
		/* Nothing starts inside a callback. */
		CHECK(r->chat.active == NULL);
	}
}

static void tcmd_init(struct tcmd *t, struct rig *r, const char *text,
		      u32 timeout_ms)
{
	memset(t, 0, sizeof(*t));
	t->rig = r;
	snprintf(t->cmd.text, sizeof(t->cmd.text), "%s", text);
	t->cmd.timeout_ms = timeout_ms;
	t->cmd.line = t_line;
	t->cmd.done = t_done;
}

static void submit(struct rig *r, struct tcmd *t)
{
	atnet_chat_submit(&r->chat, &t->cmd, r->now);
}

static unsigned int rnd(struct rig *r)
{
	r->rnd ^= r->rnd << 13;
	r->rnd ^= r->rnd >> 17;
	r->rnd ^= r->rnd << 5;
	return r->rnd;
}

/* Feed @len bytes, cut as the split mode says. */
static void feedn(struct rig *r, const void *buf, size_t len)
{
	const u8 *p = buf;
	size_t n;

	while (len) {
		if (r->split == 0)
			n = len;
		else if (r->split == 1)
			n = 1;
		else
			n = 1 + rnd(r) % 24;
		if (n > len)
			n = len;
		atnet_chat_feed(&r->chat, p, n, r->now);
		p += n;
		len -= n;
	}
}

/* String literals may hold NUL bytes: take the literal's size. */
#define FEED(r, lit) feedn((r), (lit), sizeof(lit) - 1)
#define LOG(r, want) check_str(__LINE__, (r)->log, (want))

static void log_reset(struct rig *r)
{
	r->loglen = 0;
	r->log[0] = '\0';
}

/* ---- SIM7000 Series TCP/IP Application Note ---- */

static void t_sim7000_probe(struct rig *r)
{
	struct tcmd at, ate0, cpin, csq, cgatt;

	tcmd_init(&at, r, "AT", 1000);
	tcmd_init(&ate0, r, "ATE0", 1000);
	tcmd_init(&cpin, r, "AT+CPIN?", 5000);
	cpin.claim[0] = "+CPIN:";
	tcmd_init(&csq, r, "AT+CSQ", 1000);
	csq.claim[0] = "+CSQ:";
	tcmd_init(&cgatt, r, "AT+CGATT?", 1000);
	cgatt.claim[0] = "+CGATT:";
	submit(r, &at);
	submit(r, &ate0);
	submit(r, &cpin);
	submit(r, &csq);
	submit(r, &cgatt);
	/* Echo is on after power-up: "AT\r" comes back as "AT\r\r\n". */
	FEED(r, "AT\r\r\nOK\r\nATE0\r\r\nOK\r\n"
		"\r\n+CPIN: READY\r\n\r\nOK\r\n"
		"\r\n+CSQ: 20,0\r\n\r\nOK\r\n"
		"\r\n+CGATT: 1\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT\\r\n"
	    "done AT 0\n"
	    "tx ATE0\\r\n"
	    "done ATE0 0\n"
	    "tx AT+CPIN?\\r\n"
	    "line +CPIN: READY\n"
	    "done AT+CPIN? 0\n"
	    "tx AT+CSQ\\r\n"
	    "line +CSQ: 20,0\n"
	    "done AT+CSQ 0\n"
	    "tx AT+CGATT?\\r\n"
	    "line +CGATT: 1\n"
	    "done AT+CGATT? 0\n");
	CHECK(!atnet_chat_busy(&r->chat));
	CHECK_EQ(r->chat.stats.cmds, 5);
	CHECK_EQ(r->chat.stats.urcs, 0);
	CHECK_EQ(r->chat.stats.garbage, 0);
}

static void t_sim7000_pdp(struct rig *r)
{
	struct tcmd mux, cstt, ciicr, cifsr, start0, start1;

	tcmd_init(&mux, r, "AT+CIPMUX=1", 1000);
	tcmd_init(&cstt, r, "AT+CSTT=\"CMNET\"", 1000);
	tcmd_init(&ciicr, r, "AT+CIICR", 85000);
	tcmd_init(&cifsr, r, "AT+CIFSR", 1000);
	cifsr.ip_done = true;
	tcmd_init(&start0, r, "AT+CIPSTART=0,\"TCP\",\"116.228.221.51\",\"8500\"",
		  75000);
	start0.ok_more = true;
	start0.word = "CONNECT OK";
	tcmd_init(&start1, r, "AT+CIPSTART=1,\"UDP\",\"116.228.221.51\",\"9600\"",
		  75000);
	start1.ok_more = true;
	start1.word = "CONNECT OK";
	/* Chained from ->done(), as a bring-up script would. */
	mux.chain = cstt.chain = ciicr.chain = cifsr.chain = start0.chain = true;
	mux.next = &cstt;
	cstt.next = &ciicr;
	ciicr.next = &cifsr;
	cifsr.next = &start0;
	start0.next = &start1;
	submit(r, &mux);
	/* CIFSR answers with the bare address and no OK. */
	FEED(r, "\r\nOK\r\n\r\nOK\r\n\r\nOK\r\n\r\n10.78.245.128\r\n"
		"\r\nOK\r\n\r\n0, CONNECT OK\r\n"
		"\r\nOK\r\n\r\n1,CONNECT OK\r\n");
	LOG(r,
	    "tx AT+CIPMUX=1\\r\n"
	    "done AT+CIPMUX=1 0\n"
	    "submit AT+CSTT=\"CMNET\"\n"
	    "tx AT+CSTT=\"CMNET\"\\r\n"
	    "done AT+CSTT=\"CMNET\" 0\n"
	    "submit AT+CIICR\n"
	    "tx AT+CIICR\\r\n"
	    "done AT+CIICR 0\n"
	    "submit AT+CIFSR\n"
	    "tx AT+CIFSR\\r\n"
	    "line 10.78.245.128\n"
	    "done AT+CIFSR 0\n"
	    "submit AT+CIPSTART=0,\"TCP\",\"116.228.221.51\",\"8500\"\n"
	    "tx AT+CIPSTART=0,\"TCP\",\"116.228.221.51\",\"8500\"\\r\n"
	    "line OK\n"
	    "line 0, CONNECT OK\n"
	    "done AT+CIPSTART=0,\"TCP\",\"116.228.221.51\",\"8500\" 0\n"
	    "submit AT+CIPSTART=1,\"UDP\",\"116.228.221.51\",\"9600\"\n"
	    "tx AT+CIPSTART=1,\"UDP\",\"116.228.221.51\",\"9600\"\\r\n"
	    "line OK\n"
	    "line 1,CONNECT OK\n"
	    "done AT+CIPSTART=1,\"UDP\",\"116.228.221.51\",\"9600\" 0\n");
	CHECK(!atnet_chat_busy(&r->chat));
}

static void t_sim7000_send(struct rig *r)
{
	struct tcmd s0, s1;

	tcmd_init(&s0, r, "AT+CIPSEND=0,8", 10000);
	s0.cmd.payload = (const u8 *)"TCP test";
	s0.cmd.payload_len = 8;
	s0.word = "SEND OK";
	tcmd_init(&s1, r, "AT+CIPSEND=1,8", 10000);
	s1.cmd.payload = (const u8 *)"UDP\r\n> \0K";
	s1.cmd.payload_len = 9;
	s1.word = "SEND OK";
	submit(r, &s0);
	submit(r, &s1);
	FEED(r, "\r\n> \r\n0, SEND OK\r\n\r\n> \r\n1, SEND OK\r\n");
	LOG(r,
	    "tx AT+CIPSEND=0,8\\r\n"
	    "tx TCP test\n"
	    "line 0, SEND OK\n"
	    "done AT+CIPSEND=0,8 0\n"
	    "tx AT+CIPSEND=1,8\\r\n"
	    "tx UDP\\r\\n> \\x00K\n"
	    "line 1, SEND OK\n"
	    "done AT+CIPSEND=1,8 0\n");
}

static void t_sim7000_quicksend(struct rig *r)
{
	struct tcmd q, s;

	tcmd_init(&q, r, "AT+CIPQSEND=1", 1000);
	tcmd_init(&s, r, "AT+CIPSEND=0,10", 10000);
	s.cmd.payload = (const u8 *)"1234567890";
	s.cmd.payload_len = 10;
	s.final = "DATA ACCEPT:";
	submit(r, &q);
	submit(r, &s);
	FEED(r, "\r\nOK\r\n\r\n> \r\nDATA ACCEPT:0,10\r\n");
	LOG(r,
	    "tx AT+CIPQSEND=1\\r\n"
	    "done AT+CIPQSEND=1 0\n"
	    "tx AT+CIPSEND=0,10\\r\n"
	    "tx 1234567890\n"
	    "line DATA ACCEPT:0,10\n"
	    "done AT+CIPSEND=0,10 0\n");
}

static void t_sim7000_receive(struct rig *r)
{
	r->urc_raw = true;
	/* The payload holds line ends, a prompt, "OK" and a NUL: never framed. */
	FEED(r, "\r\n+RECEIVE,0,17:\r\nSIM7000 TCP test\n"
		"\r\n+RECEIVE,1,12:\r\nab\r\nOK\r\n> \0z"
		"\r\n0, CLOSED\r\n");
	LOG(r,
	    "urc +RECEIVE,0,17:\n"
	    "raw 17/17 SIM7000 TCP test\\n\n"
	    "urc +RECEIVE,1,12:\n"
	    "raw 12/12 ab\\r\\nOK\\r\\n> \\x00z\n"
	    "urc 0, CLOSED\n");
	CHECK_EQ(r->chat.stats.garbage, 0);
	CHECK_EQ(r->chat.stats.urcs, 3);
}

static void t_sim7000_rxget(struct rig *r)
{
	struct tcmd get;

	tcmd_init(&get, r, "AT+CIPRXGET=2,0,1460", 5000);
	get.rxget = true;
	r->urc_trigger = "+CIPRXGET: 1,";
	r->urc_cmd = &get;
	/* The URC handler submits the read; it is written once it returns. */
	FEED(r, "\r\n+CIPRXGET: 1,0\r\n"
		"\r\n+CIPRXGET: 2,0,11,0\r\nHELLO WORLD\r\nOK\r\n");
	LOG(r,
	    "urc +CIPRXGET: 1,0\n"
	    "submit AT+CIPRXGET=2,0,1460\n"
	    "urc end\n"
	    "tx AT+CIPRXGET=2,0,1460\\r\n"
	    "line +CIPRXGET: 2,0,11,0\n"
	    "raw 11/11 HELLO WORLD\n"
	    "done AT+CIPRXGET=2,0,1460 0\n");
}

static void t_sim7000_rxget_empty(struct rig *r)
{
	struct tcmd get;

	tcmd_init(&get, r, "AT+CIPRXGET=2,3,1460", 5000);
	get.rxget = true;
	submit(r, &get);
	FEED(r, "\r\n+CIPRXGET: 2,3,0,0\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT+CIPRXGET=2,3,1460\\r\n"
	    "raw 0/0 \n"
	    "line +CIPRXGET: 2,3,0,0\n"
	    "done AT+CIPRXGET=2,3,1460 0\n");
}

static void t_sim7000_status(struct rig *r)
{
	struct tcmd st;

	tcmd_init(&st, r, "AT+CIPSTATUS", 5000);
	st.ok_more = true;
	st.claim[0] = "STATE:";
	st.claim[1] = "S:";
	st.c_lines = 8;
	submit(r, &st);
	/* OK comes first, then the state lines. */
	FEED(r, "\r\nOK\r\n\r\nSTATE: IP PROCESSING\r\n"
		"\r\nS: 0,0,\"8888\",\"LISTENING\"\r\n"
		"\r\nC: 0,0,\"TCP\",\"10.76.40.73\",\"2020\",\"CONNECTED\"\r\n"
		"\r\nC: 1,0,\"TCP\",\"116.228.221.51\",\"8500\",\"CONNECTED\"\r\n"
		"\r\nC: 2,0,\"UDP\",\"116.228.221.51\",\"9600\",\"CLOSED\"\r\n"
		"\r\nC: 3,,\"\",\"\",\"\",\"INITIAL\"\r\n"
		"\r\nC: 4,,\"\",\"\",\"\",\"INITIAL\"\r\n"
		"\r\n0, CLOSED\r\n"
		"\r\nC: 5,,\"\",\"\",\"\",\"INITIAL\"\r\n"
		"\r\nC: 6,,\"\",\"\",\"\",\"INITIAL\"\r\n"
		"\r\nC: 7,,\"\",\"\",\"\",\"INITIAL\"\r\n");
	LOG(r,
	    "tx AT+CIPSTATUS\\r\n"
	    "line OK\n"
	    "line STATE: IP PROCESSING\n"
	    "line S: 0,0,\"8888\",\"LISTENING\"\n"
	    "line C: 0,0,\"TCP\",\"10.76.40.73\",\"2020\",\"CONNECTED\"\n"
	    "line C: 1,0,\"TCP\",\"116.228.221.51\",\"8500\",\"CONNECTED\"\n"
	    "line C: 2,0,\"UDP\",\"116.228.221.51\",\"9600\",\"CLOSED\"\n"
	    "line C: 3,,\"\",\"\",\"\",\"INITIAL\"\n"
	    "line C: 4,,\"\",\"\",\"\",\"INITIAL\"\n"
	    "urc 0, CLOSED\n"
	    "line C: 5,,\"\",\"\",\"\",\"INITIAL\"\n"
	    "line C: 6,,\"\",\"\",\"\",\"INITIAL\"\n"
	    "line C: 7,,\"\",\"\",\"\",\"INITIAL\"\n"
	    "done AT+CIPSTATUS 0\n");
}

static void t_sim7000_server(struct rig *r)
{
	struct tcmd srv, close2, shut;

	r->urc_raw = true;
	tcmd_init(&srv, r, "AT+CIPSERVER=1,8888", 5000);
	srv.ok_more = true;
	srv.final = "SERVER OK";
	tcmd_init(&close2, r, "AT+CIPCLOSE=2", 5000);
	close2.word = "CLOSE OK";
	tcmd_init(&shut, r, "AT+CIPSHUT", 65000);
	shut.final = "SHUT OK";
	submit(r, &srv);
	/* Section 4.2 says 39 for this 40-byte text: the length rules. */
	FEED(r, "\r\nOK\r\n\r\nSERVER OK\r\n"
		"\r\n0, REMOTE IP: 10.76.40.73\r\n"
		"\r\n+RECEIVE,0,40:\r\nSIM7000 multi connection TCP server test");
	submit(r, &close2);
	FEED(r, "\r\n2, CLOSE OK\r\n");
	submit(r, &shut);
	FEED(r, "\r\nSHUT OK\r\n");
	LOG(r,
	    "tx AT+CIPSERVER=1,8888\\r\n"
	    "line OK\n"
	    "line SERVER OK\n"
	    "done AT+CIPSERVER=1,8888 0\n"
	    "urc 0, REMOTE IP: 10.76.40.73\n"
	    "urc +RECEIVE,0,40:\n"
	    "raw 40/40 SIM7000 multi connection TCP server test\n"
	    "tx AT+CIPCLOSE=2\\r\n"
	    "line 2, CLOSE OK\n"
	    "done AT+CIPCLOSE=2 0\n"
	    "tx AT+CIPSHUT\\r\n"
	    "line SHUT OK\n"
	    "done AT+CIPSHUT 0\n");
}

static void t_sim7000_dns(struct rig *r)
{
	struct tcmd ok, bad;
	const char *f[5];
	char buf[128];

	tcmd_init(&ok, r, "AT+CDNSGIP=\"www.baidu.com\"", 20000);
	tcmd_init(&bad, r, "AT+CDNSGIP=\"abctest\"", 20000);
	submit(r, &ok);
	submit(r, &bad);
	/* The answer is asynchronous: OK first, the result later as a URC. */
	FEED(r, "\r\nOK\r\n"
		"\r\n+CDNSGIP: 1,\"www.baidu.com\",\"119.75.218.77\",\"119.75.217.56\"\r\n"
		"\r\nOK\r\n\r\n+CDNSGIP: 0,8\r\n");
	LOG(r,
	    "tx AT+CDNSGIP=\"www.baidu.com\"\\r\n"
	    "done AT+CDNSGIP=\"www.baidu.com\" 0\n"
	    "tx AT+CDNSGIP=\"abctest\"\\r\n"
	    "urc +CDNSGIP: 1,\"www.baidu.com\",\"119.75.218.77\",\"119.75.217.56\"\n"
	    "done AT+CDNSGIP=\"abctest\" 0\n"
	    "urc +CDNSGIP: 0,8\n");
	CHECK_EQ(atnet_chat_fields(" 1,\"www.baidu.com\",\"119.75.218.77\",\"119.75.217.56\"",
				   buf, sizeof(buf), f, 5), 4);
	CHECK(!strcmp(f[1], "www.baidu.com") && !strcmp(f[3], "119.75.217.56"));
}

static void t_sim7000_ipd(struct rig *r)
{
	r->urc_raw = true;
	/* Single-link receive with CIPHEAD=1/CIPSRIP=1: data on the header line. */
	FEED(r, "\r\nRECV FROM:116.228.221.51:9600\r\n+IPD,5:test1"
		"\r\nRECV FROM:10.78.103.220:5678\r\n+IPD,7:a\r\nOK\r\n\r\n");
	LOG(r,
	    "urc RECV FROM:116.228.221.51:9600\n"
	    "urc +IPD,5:\n"
	    "raw 5/5 test1\n"
	    "urc RECV FROM:10.78.103.220:5678\n"
	    "urc +IPD,7:\n"
	    "raw 7/7 a\\r\\nOK\\r\\n\n");
}

static void t_sim7020_csonmi_binary(struct rig *r)
{
	r->urc_raw = true;
	/* AT+CSORCVFLAG=1: len raw bytes after the header, CR/LF and all. */
	FEED(r, "\r\n+CSONMI: 1,7,a\r\nOK\r\n\r\n+CSONMI: 2,2,>\x20\r\nSEND: 1,3\r\n");
	LOG(r,
	    "urc +CSONMI: 1,7,\n"
	    "raw 7/7 a\\r\\nOK\\r\\n\n"
	    "urc +CSONMI: 2,2,\n"
	    "raw 2/2 > \n"
	    "urc SEND: 1,3\n");
}

static void t_ipd_unclaimed(struct rig *r)
{
	/* Nobody expects the data: it is framed like any text, no crash. */
	FEED(r, "+IPD,5:test1\r\n+IPD,:x\r\n");
	LOG(r,
	    "urc +IPD,5:\n"
	    "urc test1\n"
	    "urc +IPD,:x\n");
}

/* ---- data-header tables (atnet_chat_set_frames()) ---- */

/* Both models' data headers, each as one line up to its CR LF. */
static void frames_unframed(struct rig *r)
{
	r->urc_raw = true;
	FEED(r, "\r\n+IPD,5:test1\r\n\r\n+CSONMI: 1,4,abcd\r\n");
	LOG(r,
	    "urc +IPD,5:test1\n"
	    "urc +CSONMI: 1,4,abcd\n");
	CHECK_EQ(r->chat.stats.lines, 2);
}

static void t_frames_none(struct rig *r)
{
	/* The default: a dialect without data headers. */
	CHECK(r->chat.frames == NULL);
	frames_unframed(r);
}

static void t_frames_empty(struct rig *r)
{
	static const struct atnet_chat_frame none[] = { { } };

	atnet_chat_set_frames(&r->chat, none);
	frames_unframed(r);
}

static void t_frames_sim7000(struct rig *r)
{
	/* The SIM7000 frames its own header, not the SIM7020's. */
	r->urc_raw = true;
	FEED(r, "\r\n+CSONMI: 1,2,ab\r\n+IPD,2:cd\r\n");
	LOG(r,
	    "urc +CSONMI: 1,2,ab\n"
	    "urc +IPD,2:\n"
	    "raw 2/2 cd\n");
}

static void t_frames_sim7020(struct rig *r)
{
	/* The SIM7020 frames its own header, not the SIM7000's. */
	r->urc_raw = true;
	FEED(r, "\r\n+IPD,2:cd\r\n+CSONMI: 1,2,ab\r\n");
	LOG(r,
	    "urc +IPD,2:cd\n"
	    "urc +CSONMI: 1,2,\n"
	    "raw 2/2 ab\n");
}

static void t_frames_rule(struct rig *r)
{
	/* An end byte ends it once two bytes and @count ends follow the prefix. */
	static const struct atnet_chat_frame tbl[] = {
		{ .prefix = "+X", .end = ';', .count = 3 },
		{ .prefix = "#", .end = '#', .count = 0 },
		{ }
	};

	atnet_chat_set_frames(&r->chat, tbl);
	FEED(r, "+X;a;b;data\r\n+X;;x\r\n+X;;;y\r\n##z\r\n###w\r\n"
		"+Y;;;v\r\nx+X;;;u\r\n");
	LOG(r,
	    "urc +X;a;b;\n"
	    "urc data\n"
	    "urc +X;;x\n"
	    "urc +X;;;\n"
	    "urc y\n"
	    "urc ##z\n"
	    "urc ###\n"
	    "urc w\n"
	    "urc +Y;;;v\n"
	    "urc x+X;;;u\n");
}

static void t_frames_edges(struct rig *r)
{
	/* The shortest headers, framed as before the tables; no length, no data. */
	r->urc_raw = true;
	atnet_chat_set_frames(&r->chat, atnet_sim7000_frames);
	FEED(r, "+IPD,:\r\n+IPD,:1:a\r\n+IPD,::b\r\n");
	atnet_chat_set_frames(&r->chat, atnet_sim7020_frames);
	FEED(r, "+CSONMI:,,c\r\n+CSONMI:,\r\n");
	/* Turned off again: the next header is a line. */
	atnet_chat_set_frames(&r->chat, NULL);
	FEED(r, "+CSONMI: 1,1,d\r\n");
	LOG(r,
	    "urc +IPD,:\n"
	    "urc +IPD,:1:\n"
	    "urc a\n"
	    "urc +IPD,::\n"
	    "urc b\n"
	    "urc +CSONMI:,,\n"
	    "urc c\n"
	    "urc +CSONMI:,\n"
	    "urc +CSONMI: 1,1,d\n");
}

/* ---- SIM7020 Series TCP/IP Application Note ---- */

static void t_sim7020_socket(struct rig *r)
{
	struct tcmd soc, con, send, cl;

	tcmd_init(&soc, r, "AT+CSOC=1,1,1", 5000);
	soc.claim[0] = "+CSOC:";
	tcmd_init(&con, r, "AT+CSOCON=0,5245,\"116.247.119.165\"", 60000);
	tcmd_init(&send, r, "AT+CSOSEND=0,0,\"Hello World\"", 10000);
	tcmd_init(&cl, r, "AT+CSOCL=0", 5000);
	submit(r, &soc);
	submit(r, &con);
	submit(r, &send);
	submit(r, &cl);
	r->urc_raw = true;
	FEED(r, "\r\n+CSOC:0\r\n\r\nOK\r\n\r\nOK\r\n\r\nOK\r\n"
		"\r\nSEND: 0,11\r\n\r\n+CSONMI: 0,6,313233\r\n"
		"\r\n+CSOERR: 0,2\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT+CSOC=1,1,1\\r\n"
	    "line +CSOC:0\n"
	    "done AT+CSOC=1,1,1 0\n"
	    "tx AT+CSOCON=0,5245,\"116.247.119.165\"\\r\n"
	    "done AT+CSOCON=0,5245,\"116.247.119.165\" 0\n"
	    "tx AT+CSOSEND=0,0,\"Hello World\"\\r\n"
	    "done AT+CSOSEND=0,0,\"Hello World\" 0\n"
	    "tx AT+CSOCL=0\\r\n"
	    "urc SEND: 0,11\n"
	    "urc +CSONMI: 0,6,\n"
	    "raw 6/6 313233\n"
	    "urc +CSOERR: 0,2\n"
	    "done AT+CSOCL=0 0\n");
}

static void t_sim7020_hexdump(struct rig *r)
{
	struct tcmd cfun;

	tcmd_init(&cfun, r, "AT+CFUN?", 5000);
	cfun.claim[0] = "+CFUN:";
	submit(r, &cfun);
	/* Section 3.8, byte for byte (echo on). */
	FEED(r, "\x41\x54\x2B\x43\x46\x55\x4E\x3F\x0D\x0D\x0A\x0D\x0A\x2B\x43"
		"\x46\x55\x4E\x3A\x20\x31\x0D\x0A\x0D\x0A\x4F\x4B\x0D\x0A");
	LOG(r,
	    "tx AT+CFUN?\\r\n"
	    "line +CFUN: 1\n"
	    "done AT+CFUN? 0\n");
	CHECK_EQ(r->chat.stats.lines, 3);
}

static void t_sim7020_pdn(struct rig *r)
{
	struct tcmd cfun0, def, cfun1, rdp, ping, deact;

	tcmd_init(&cfun0, r, "AT+CFUN=0", 10000);
	tcmd_init(&def, r, "AT*MCGDEFCONT=\"IP\",\"3GNET\"", 5000);
	tcmd_init(&cfun1, r, "AT+CFUN=1", 10000);
	tcmd_init(&rdp, r, "AT+CGCONTRDP", 5000);
	rdp.claim[0] = "+CGCONTRDP:";
	tcmd_init(&ping, r, "AT+CIPPING=\"61.135.169.121\"", 5000);
	tcmd_init(&deact, r, "AT+CGACT=0,1", 5000);
	submit(r, &cfun0);
	submit(r, &def);
	submit(r, &cfun1);
	submit(r, &rdp);
	submit(r, &ping);
	submit(r, &deact);
	FEED(r, "\r\n+CPIN: NOT READY\r\n\r\nOK\r\n\r\nOK\r\n\r\nOK\r\n"
		"\r\n+CPIN: READY\r\n"
		"\r\n+CGCONTRDP: 1,5,\"3GNET\",\"10.250.0.253.255.255.255.0\"\r\n"
		"\r\nOK\r\n\r\nOK\r\n"
		"\r\n+CIPPING: 1,61.135.169.121,11,52\r\n"
		"\r\n+CIPPING: 2,61.135.169.121,2,52\r\n"
		"\r\nOK\r\n");
	LOG(r,
	    "tx AT+CFUN=0\\r\n"
	    "urc +CPIN: NOT READY\n"
	    "done AT+CFUN=0 0\n"
	    "tx AT*MCGDEFCONT=\"IP\",\"3GNET\"\\r\n"
	    "done AT*MCGDEFCONT=\"IP\",\"3GNET\" 0\n"
	    "tx AT+CFUN=1\\r\n"
	    "done AT+CFUN=1 0\n"
	    "tx AT+CGCONTRDP\\r\n"
	    "urc +CPIN: READY\n"
	    "line +CGCONTRDP: 1,5,\"3GNET\",\"10.250.0.253.255.255.255.0\"\n"
	    "done AT+CGCONTRDP 0\n"
	    "tx AT+CIPPING=\"61.135.169.121\"\\r\n"
	    "done AT+CIPPING=\"61.135.169.121\" 0\n"
	    "tx AT+CGACT=0,1\\r\n"
	    "urc +CIPPING: 1,61.135.169.121,11,52\n"
	    "urc +CIPPING: 2,61.135.169.121,2,52\n"
	    "done AT+CGACT=0,1 0\n");
}

/* ---- quirks of real modems ---- */

static void t_shut_urcs(struct rig *r)
{
	struct tcmd shut;

	tcmd_init(&shut, r, "AT+CIPSHUT", 65000);
	shut.final = "SHUT OK";
	submit(r, &shut);
	FEED(r, "\r\nDST: 0\r\n\r\n*PSUTTZ: 24/01/01,12:00:00\",\"+32\",0\r\n"
		"\r\nSHUT OK\r\n");
	LOG(r,
	    "tx AT+CIPSHUT\\r\n"
	    "urc DST: 0\n"
	    "urc *PSUTTZ: 24/01/01,12:00:00\",\"+32\",0\n"
	    "line SHUT OK\n"
	    "done AT+CIPSHUT 0\n");
}

static void t_pdp_deact_timeout(struct rig *r)
{
	struct tcmd shut, next;

	r->now = 1000;
	tcmd_init(&shut, r, "AT+CIPSHUT", 65000);
	shut.final = "SHUT OK";
	tcmd_init(&next, r, "AT", 500);
	submit(r, &shut);
	submit(r, &next);
	CHECK_EQ(atnet_chat_deadline(&r->chat), 66000);
	/* "+PDP: DEACT" may be the only answer to AT+CIPSHUT. */
	r->now = 2000;
	FEED(r, "\r\n+PDP: DEACT\r\n");
	atnet_chat_tick(&r->chat, 65999);
	logp(r, "tick 65999\n");
	atnet_chat_tick(&r->chat, 66000);
	CHECK_EQ(atnet_chat_deadline(&r->chat), 66500);
	r->now = 66100;
	FEED(r, "OK\r\n");
	CHECK_EQ(atnet_chat_deadline(&r->chat), 0);
	LOG(r,
	    "tx AT+CIPSHUT\\r\n"
	    "urc +PDP: DEACT\n"
	    "tick 65999\n"
	    "done AT+CIPSHUT -110\n"
	    "tx AT\\r\n"
	    "done AT 0\n");
	CHECK_EQ(r->chat.stats.timeouts, 1);
}

static void t_autobaud(struct rig *r)
{
	struct tcmd at[3];
	int i;

	/* Repeat AT until the modem has found the baud rate and answers. */
	for (i = 0; i < 3; i++) {
		tcmd_init(&at[i], r, "AT", 500);
		at[i].chain = i < 2;
		at[i].next = &at[i + 1];
	}
	at[2].chain = false;
	submit(r, &at[0]);
	r->now = 400;
	FEED(r, "\xf8\x80");
	atnet_chat_tick(&r->chat, 500);
	atnet_chat_tick(&r->chat, 1000);
	r->now = 1200;
	FEED(r, "AT\r\r\nOK\r\n");
	LOG(r,
	    "tx AT\\r\n"
	    "done AT -110\n"
	    "submit AT\n"
	    "tx AT\\r\n"
	    "done AT -110\n"
	    "submit AT\n"
	    "tx AT\\r\n"
	    "urc \\xf8\\x80AT\n"
	    "done AT 0\n");
	CHECK_EQ(r->chat.stats.timeouts, 2);
}

static void t_timeout_zero(struct rig *r)
{
	struct tcmd a, b;

	tcmd_init(&a, r, "AT+A", 0);
	tcmd_init(&b, r, "AT+B", 0);
	submit(r, &a);
	submit(r, &b);
	/* One expiry per tick, even when the next command has no time. */
	atnet_chat_tick(&r->chat, 0);
	logp(r, "tick\n");
	atnet_chat_tick(&r->chat, 0);
	atnet_chat_tick(&r->chat, 0);
	LOG(r,
	    "tx AT+A\\r\n"
	    "done AT+A -110\n"
	    "tx AT+B\\r\n"
	    "tick\n"
	    "done AT+B -110\n");
	CHECK(!atnet_chat_busy(&r->chat));
}

static void t_rxget_urcs_first(struct rig *r)
{
	struct tcmd q;

	tcmd_init(&q, r, "AT+CIPRXGET=4,0", 5000);
	q.claim[0] = "+CIPRXGET: 4,";
	submit(r, &q);
	FEED(r, "\r\n+CIPRXGET: 1,1\r\n\r\n+CIPRXGET: 1,2\r\n\r\n+CIPRXGET: 1,3\r\n"
		"\r\n+CIPRXGET: 4,0,120\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT+CIPRXGET=4,0\\r\n"
	    "urc +CIPRXGET: 1,1\n"
	    "urc +CIPRXGET: 1,2\n"
	    "urc +CIPRXGET: 1,3\n"
	    "line +CIPRXGET: 4,0,120\n"
	    "done AT+CIPRXGET=4,0 0\n");
}

static void t_receive_before_prompt(struct rig *r)
{
	struct tcmd s, s2;

	r->urc_raw = true;
	tcmd_init(&s, r, "AT+CIPSEND=1,5", 10000);
	s.cmd.payload = (const u8 *)"hello";
	s.cmd.payload_len = 5;
	s.word = "SEND OK";
	tcmd_init(&s2, r, "AT+CIPSEND=1,2", 10000);
	s2.cmd.payload = (const u8 *)"hi";
	s2.cmd.payload_len = 2;
	s2.word = "SEND OK";
	submit(r, &s);
	submit(r, &s2);
	/* The received data contains "> ": that is payload, not the prompt. */
	FEED(r, "\r\n+RECEIVE,0,4:\r\nab> \r\n> \r\n+CIPRXGET: 1,2\r\n"
		"\r\n1, SEND OK\r\n"
		"\r\n+RECEIVE,0,3:\r\nxyz> 1, SEND OK\r\n");
	LOG(r,
	    "tx AT+CIPSEND=1,5\\r\n"
	    "urc +RECEIVE,0,4:\n"
	    "raw 4/4 ab> \n"
	    "tx hello\n"
	    "urc +CIPRXGET: 1,2\n"
	    "line 1, SEND OK\n"
	    "done AT+CIPSEND=1,5 0\n"
	    "tx AT+CIPSEND=1,2\\r\n"
	    "urc +RECEIVE,0,3:\n"
	    "raw 3/3 xyz\n"
	    "tx hi\n"
	    "line 1, SEND OK\n"
	    "done AT+CIPSEND=1,2 0\n");
}

static void t_prompt_rules(struct rig *r)
{
	struct tcmd plain, s;

	tcmd_init(&plain, r, "AT+X", 1000);
	tcmd_init(&s, r, "AT+CIPSEND=0,1", 1000);
	s.cmd.payload = (const u8 *)"Z";
	s.cmd.payload_len = 1;
	s.word = "SEND OK";
	/*
	 * "> " at a line start is always a prompt: idle or during a command
	 * without payload nobody waits for it, and ESC cancels it.
	 */
	FEED(r, "> \r\n");
	submit(r, &plain);
	FEED(r, "\r\n> \r\n>x\r\nOK\r\n");
	submit(r, &s);
	/* Not at line start, then the real one, then a second one. */
	FEED(r, "x> \r\n> > \r\n0, SEND OK\r\n");
	LOG(r,
	    "tx \\x1b\n"
	    "tx AT+X\\r\n"
	    "tx \\x1b\n"
	    "urc >x\n"
	    "done AT+X 0\n"
	    "tx AT+CIPSEND=0,1\\r\n"
	    "urc x> \n"
	    "tx Z\n"
	    "tx \\x1b\n"
	    "line 0, SEND OK\n"
	    "done AT+CIPSEND=0,1 0\n");
	CHECK_EQ(r->chat.stats.cancels, 3);
}

/*
 * ERROR before the prompt: the send's refusal, once no prompt followed
 * within the doubt window; a prompt after that is cancelled with ESC, and
 * the next command resynchronises first.
 */
static void t_error_before_prompt(struct rig *r)
{
	struct tcmd s, next;

	atnet_chat_set_sync(&r->chat, "AT+CSQ", "+CSQ:", 2000);
	tcmd_init(&s, r, "AT+CIPSEND=0,1461", 1000);
	s.cmd.payload = (const u8 *)"x";
	s.cmd.payload_len = 1;
	tcmd_init(&next, r, "AT+CIPACK=0", 1000);
	next.claim[0] = "+CIPACK:";
	submit(r, &s);
	FEED(r, "\r\n+CME ERROR: 3\r\n");
	CHECK(atnet_chat_busy(&r->chat));
	r->now += ATNET_CHAT_DOUBT_MS - 1;
	atnet_chat_tick(&r->chat, r->now);
	logp(r, "tick\n");
	r->now += 1;
	atnet_chat_tick(&r->chat, r->now);
	FEED(r, "\r\n> ");
	submit(r, &next);
	/* The cancel may print anything: strays until the sync's answer. */
	FEED(r, "\r\nERROR\r\n\r\nOK\r\n\r\n+CSQ: 20,0\r\n\r\nOK\r\n"
		"\r\n+CIPACK: 1,1,0\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT+CIPSEND=0,1461\\r\n"
	    "tick\n"
	    "done AT+CIPSEND=0,1461 -5 cme=3\n"
	    "tx \\x1b\n"
	    "tx \\x1b\n"
	    "tx AT+CSQ\\r\n"
	    "tx AT+CIPACK=0\\r\n"
	    "line +CIPACK: 1,1,0\n"
	    "done AT+CIPACK=0 0\n");
	CHECK_EQ(r->chat.stats.errors, 1);
	CHECK_EQ(r->chat.stats.strays, 2);
	CHECK_EQ(r->chat.stats.syncs, 1);
	CHECK_EQ(r->chat.len, 0);
	CHECK(!atnet_chat_busy(&r->chat));
}

static void t_echo(struct rig *r)
{
	struct tcmd csq, s;

	tcmd_init(&csq, r, "AT+CSQ", 1000);
	csq.claim[0] = "+CSQ:";
	tcmd_init(&s, r, "AT+CIPSEND=0,2", 1000);
	s.cmd.payload = (const u8 *)"hi";
	s.cmd.payload_len = 2;
	s.word = "SEND OK";
	submit(r, &csq);
	submit(r, &s);
	/* The echo ends in \r\r\n; with no command active it is a URC. */
	FEED(r, "AT+CSQ\r\r\n\r\n+CSQ: 20,0\r\n\r\nOK\r\n"
		"AT+CIPSEND=0,2\r\r\n> \r\n0, SEND OK\r\nAT+CSQ\r\r\n");
	LOG(r,
	    "tx AT+CSQ\\r\n"
	    "line +CSQ: 20,0\n"
	    "done AT+CSQ 0\n"
	    "tx AT+CIPSEND=0,2\\r\n"
	    "tx hi\n"
	    "line 0, SEND OK\n"
	    "done AT+CIPSEND=0,2 0\n"
	    "urc AT+CSQ\n");
}

static void t_cme_errors(struct rig *r)
{
	struct tcmd a, b, c, d, e;

	tcmd_init(&a, r, "AT+CSTT=\"x\"", 1000);
	tcmd_init(&b, r, "AT+CIICR", 1000);
	tcmd_init(&c, r, "AT+CMGS=1", 1000);
	tcmd_init(&d, r, "AT+CPIN?", 1000);
	tcmd_init(&e, r, "AT+CGATT=1", 1000);
	submit(r, &a);
	submit(r, &b);
	submit(r, &c);
	submit(r, &d);
	submit(r, &e);
	FEED(r, "\r\nERROR\r\n\r\n+CME ERROR: 148\r\n\r\n+CMS ERROR: 500\r\n"
		"\r\n+CME ERROR: SIM not inserted\r\n\r\n+CME ERROR:30\r\n");
	LOG(r,
	    "tx AT+CSTT=\"x\"\\r\n"
	    "done AT+CSTT=\"x\" -5\n"
	    "tx AT+CIICR\\r\n"
	    "done AT+CIICR -5 cme=148\n"
	    "tx AT+CMGS=1\\r\n"
	    "done AT+CMGS=1 -5 cme=500\n"
	    "tx AT+CPIN?\\r\n"
	    "done AT+CPIN? -5\n"
	    "tx AT+CGATT=1\\r\n"
	    "done AT+CGATT=1 -5 cme=30\n");
	CHECK_EQ(r->chat.stats.errors, 5);
}

static void t_garbage(struct rig *r)
{
	struct tcmd at;

	tcmd_init(&at, r, "AT", 1000);
	submit(r, &at);
	/* Autobaud noise: high bytes stay (a dialect ignores the line), controls go. */
	FEED(r, "\xff\xfe\x01garbage\x00\x02\r\n\x1b[0m\x7f\r\nO\0K\r\n\0\0\r\n");
	LOG(r,
	    "tx AT\\r\n"
	    "urc \\xff\\xfegarbage\n"
	    "urc [0m\n"
	    "done AT 0\n");
	CHECK_EQ(r->chat.stats.garbage, 8);
	CHECK_EQ(r->chat.stats.lines, 3);
}

static void t_overlong(struct rig *r)
{
	static char buf[3 * ATNET_CHAT_LINE_MAX];
	struct tcmd at;
	size_t n;

	tcmd_init(&at, r, "AT", 1000);
	submit(r, &at);
	/* Exactly the maximum is a line. */
	memset(buf, 'A', ATNET_CHAT_LINE_MAX);
	memcpy(buf + ATNET_CHAT_LINE_MAX, "\r\n", 2);
	feedn(r, buf, ATNET_CHAT_LINE_MAX + 2);
	CHECK_EQ(r->chat.stats.urcs, 1);
	CHECK_EQ(r->loglen, strlen("tx AT\\r\nurc \n") + ATNET_CHAT_LINE_MAX);
	log_reset(r);
	/* One more byte and the whole line goes, "> " and ':' inside too. */
	n = ATNET_CHAT_LINE_MAX + 1;
	memset(buf, 'B', n);
	memcpy(buf + n, "> +IPD,3:OK\r\nOK\r\n", 17);
	feedn(r, buf, n + 17);
	LOG(r, "done AT 0\n");
	CHECK_EQ(r->chat.stats.overlong, 1);
	CHECK_EQ(r->chat.stats.garbage, n + 11);
	CHECK_EQ(r->chat.stats.lines, 2);
}

static void t_lf_only(struct rig *r)
{
	struct tcmd at;

	r->urc_raw = true;
	tcmd_init(&at, r, "AT", 1000);
	submit(r, &at);
	/* LF-only line ends; after an LF header, the next LF is payload. */
	FEED(r, "\nRDY\n\n+RECEIVE,0,3:\n\nab\rOK\n");
	LOG(r,
	    "tx AT\\r\n"
	    "urc RDY\n"
	    "urc +RECEIVE,0,3:\n"
	    "raw 3/3 \\nab\n"
	    "done AT 0\n");
}

static void t_raw_crlf(struct rig *r)
{
	r->urc_raw = true;
	/* Only the LF of the header's own CRLF is skipped. */
	FEED(r, "+RECEIVE,0,4:\r\n\r\nab+RECEIVE,0,2:\r\r\n\r\n");
	LOG(r,
	    "urc +RECEIVE,0,4:\n"
	    "raw 4/4 \\r\\nab\n"
	    "urc +RECEIVE,0,2:\n"
	    "raw 2/2 \\r\\n\n");
}

static void t_urc_while_prompt(struct rig *r)
{
	struct tcmd s;

	tcmd_init(&s, r, "AT+CIPSEND=0,3", 1000);
	s.cmd.payload = (const u8 *)"abc";
	s.cmd.payload_len = 3;
	s.word = "SEND OK";
	submit(r, &s);
	FEED(r, "\r\n+CIPRXGET: 1,0\r\n> \r\n+PDP: DEACT\r\n\r\n0, SEND OK\r\n");
	LOG(r,
	    "tx AT+CIPSEND=0,3\\r\n"
	    "urc +CIPRXGET: 1,0\n"
	    "tx abc\n"
	    "urc +PDP: DEACT\n"
	    "line 0, SEND OK\n"
	    "done AT+CIPSEND=0,3 0\n");
}

static void t_abort(struct rig *r)
{
	struct tcmd a, b, c;

	tcmd_init(&a, r, "AT+A", 1000);
	tcmd_init(&b, r, "AT+B", 1000);
	tcmd_init(&c, r, "AT+C", 1000);
	submit(r, &a);
	submit(r, &b);
	submit(r, &c);
	atnet_chat_abort(&r->chat, -ENODEV);
	CHECK(!atnet_chat_busy(&r->chat));
	CHECK_EQ(atnet_chat_deadline(&r->chat), 0);
	/* Lines after the abort are URCs again. */
	FEED(r, "\r\nOK\r\n");
	LOG(r,
	    "tx AT+A\\r\n"
	    "done AT+A -19\n"
	    "done AT+B -19\n"
	    "done AT+C -19\n"
	    "urc OK\n");
}

static void t_abort_resubmit(struct rig *r)
{
	struct tcmd a, b, again;

	tcmd_init(&a, r, "AT+A", 1000);
	tcmd_init(&b, r, "AT+B", 1000);
	tcmd_init(&again, r, "AT+AGAIN", 1000);
	a.chain = true;
	a.next = &again;
	b.chain = true;
	b.next = &b;	/* resubmits itself: must not loop */
	submit(r, &a);
	submit(r, &b);
	atnet_chat_abort(&r->chat, -ENODEV);
	LOG(r,
	    "tx AT+A\\r\n"
	    "done AT+A -19\n"
	    "submit AT+AGAIN\n"
	    "done AT+B -19\n"
	    "submit AT+B\n"
	    "tx AT+AGAIN\\r\n");
	CHECK(r->chat.active == &again.cmd);
	CHECK(r->chat.head == &b.cmd && r->chat.tail == &b.cmd);
	b.chain = false;
	atnet_chat_abort(&r->chat, -ESHUTDOWN);
	CHECK(!atnet_chat_busy(&r->chat));
}

static void t_abort_from_line(struct rig *r)
{
	struct tcmd a, b;

	tcmd_init(&a, r, "AT+A", 1000);
	a.abort_on = "RDY";
	tcmd_init(&b, r, "AT+B", 1000);
	submit(r, &a);
	submit(r, &b);
	FEED(r, "\r\nRDY\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT+A\\r\n"
	    "abort on RDY\n"
	    "done AT+A -19\n"
	    "done AT+B -19\n"
	    "urc OK\n");
}

static void t_abort_raw(struct rig *r)
{
	r->urc_raw = true;
	FEED(r, "\r\n+RECEIVE,0,10:\r\nabc");
	/* A second expectation while one is pending is ignored. */
	atnet_chat_expect_raw(&r->chat, 5, w_sink, r);
	atnet_chat_expect_raw(&r->chat, 5, NULL, r);
	CHECK_EQ(r->chat.raw_left, 7);
	atnet_chat_abort(&r->chat, -ENODEV);
	CHECK_EQ(r->chat.raw_left, 0);
	FEED(r, "\r\nRDY\r\n");
	LOG(r,
	    "urc +RECEIVE,0,10:\n"
	    "raw 3/10 abc\n"
	    "urc RDY\n");
}

static void t_submit_from_line(struct rig *r)
{
	struct tcmd st, rd;

	tcmd_init(&st, r, "AT+CIPRXGET=4,0", 1000);
	st.claim[0] = "+CIPRXGET: 4,";
	st.submit_on = "+CIPRXGET: 4,";
	tcmd_init(&rd, r, "AT+CIPRXGET=2,0,5", 1000);
	rd.rxget = true;
	st.next = &rd;
	submit(r, &st);
	/* Queued from the handler; written only after this command ends. */
	FEED(r, "\r\n+CIPRXGET: 4,0,5\r\n\r\nOK\r\n"
		"\r\n+CIPRXGET: 2,0,5,0\r\nOK\r\n\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT+CIPRXGET=4,0\\r\n"
	    "submit AT+CIPRXGET=2,0,5\n"
	    "line +CIPRXGET: 4,0,5\n"
	    "done AT+CIPRXGET=4,0 0\n"
	    "tx AT+CIPRXGET=2,0,5\\r\n"
	    "line +CIPRXGET: 2,0,5,0\n"
	    "raw 5/5 OK\\r\\n\\r\n"
	    "done AT+CIPRXGET=2,0,5 0\n");
}

static void t_no_nesting(struct rig *r)
{
	struct tcmd a;

	r->nest = true;
	tcmd_init(&a, r, "AT+A", 1000);
	submit(r, &a);
	/* feed() and tick() from a callback are ignored. */
	FEED(r, "\r\nRING\r\n");
	CHECK(r->chat.active == &a.cmd);
	FEED(r, "\r\nOK\r\n");
	LOG(r,
	    "tx AT+A\\r\n"
	    "urc RING\n"
	    "done AT+A 0\n");
}

static void t_text_limits(struct rig *r)
{
	struct tcmd t;

	/* A text filling the whole array (no NUL) is written as 300 bytes. */
	tcmd_init(&t, r, "", 1000);
	memset(t.cmd.text, 'A', sizeof(t.cmd.text));
	submit(r, &t);
	CHECK_EQ(r->loglen, strlen("tx \\r\n") + ATNET_CHAT_CMD_MAX);
	atnet_chat_abort(&r->chat, -ENODEV);
}

/* ---- parsing helpers ---- */

static void t_parse_prefix(struct rig *r)
{
	const char *s = "+CSOC: 0";

	(void)r;
	CHECK(atnet_chat_prefix(s, "+CSOC:") == s + 6);
	CHECK(atnet_chat_prefix(s, "") == s);
	CHECK(atnet_chat_prefix(s, "+CSOCX") == NULL);
	CHECK(atnet_chat_prefix("+CS", "+CSOC:") == NULL);
}

static void t_parse_fields(struct rig *r)
{
	const char *f[8];
	char buf[64];

	(void)r;
	CHECK_EQ(atnet_chat_fields(" 2,,\"\",\"\",\"\",\"INITIAL\"", buf,
				   sizeof(buf), f, 8), 6);
	CHECK(!strcmp(f[0], "2") && !strcmp(f[1], "") && !strcmp(f[2], "") &&
	      !strcmp(f[5], "INITIAL"));
	CHECK_EQ(atnet_chat_fields("0, CONNECT OK", buf, sizeof(buf), f, 8), 2);
	CHECK(!strcmp(f[1], "CONNECT OK"));
	CHECK_EQ(atnet_chat_fields(" 0 ,\"a,b\" , \" x \"", buf, sizeof(buf),
				   f, 8), 3);
	CHECK(!strcmp(f[0], "0") && !strcmp(f[1], "a,b") &&
	      !strcmp(f[2], " x "));
	CHECK_EQ(atnet_chat_fields(" 12, 12, 0", buf, sizeof(buf), f, 2), 2);
	CHECK(!strcmp(f[1], "12"));
	CHECK_EQ(atnet_chat_fields("", buf, sizeof(buf), f, 8), 0);
	CHECK_EQ(atnet_chat_fields("   ", buf, sizeof(buf), f, 8), 0);
	CHECK_EQ(atnet_chat_fields(",", buf, sizeof(buf), f, 8), 2);
	CHECK_EQ(atnet_chat_fields("\"", buf, sizeof(buf), f, 8), -EINVAL);
	CHECK_EQ(atnet_chat_fields("1,\"ab", buf, sizeof(buf), f, 8), -EINVAL);
	CHECK_EQ(atnet_chat_fields("1", buf, sizeof(buf), f, 0), -EINVAL);
	CHECK_EQ(atnet_chat_fields("12345", buf, 5, f, 8), -EINVAL);
	CHECK_EQ(atnet_chat_fields("1234", buf, 5, f, 8), 1);
	CHECK_EQ(atnet_chat_fields("1,\"shnbiot\",\"10.250.0.213.255.255.255.0\"",
				   buf, sizeof(buf), f, 8), 3);
	CHECK(!strcmp(f[2], "10.250.0.213.255.255.255.0"));
}

static void t_parse_uint(struct rig *r)
{
	u32 v = 7;

	(void)r;
	CHECK(!atnet_chat_uint("0", 0, &v) && v == 0);
	CHECK(!atnet_chat_uint("4294967295", 0xffffffff, &v) &&
	      v == 0xffffffff);
	CHECK_EQ(atnet_chat_uint("4294967296", 0xffffffff, &v), -EINVAL);
	CHECK_EQ(atnet_chat_uint("99999999999999999999", 0xffffffff, &v),
		 -EINVAL);
	CHECK(!atnet_chat_uint("1460", 1460, &v) && v == 1460);
	CHECK_EQ(atnet_chat_uint("1461", 1460, &v), -EINVAL);
	CHECK_EQ(atnet_chat_uint("8", 7, &v), -EINVAL);
	CHECK_EQ(atnet_chat_uint("7", 5, &v), -EINVAL);
	CHECK(!atnet_chat_uint("007", 7, &v) && v == 7);
	v = 3;
	CHECK_EQ(atnet_chat_uint("", 10, &v), -EINVAL);
	CHECK_EQ(atnet_chat_uint("+1", 10, &v), -EINVAL);
	CHECK_EQ(atnet_chat_uint("-1", 10, &v), -EINVAL);
	CHECK_EQ(atnet_chat_uint(" 1", 10, &v), -EINVAL);
	CHECK_EQ(atnet_chat_uint("1 ", 10, &v), -EINVAL);
	CHECK_EQ(atnet_chat_uint("1a", 10, &v), -EINVAL);
	CHECK_EQ(atnet_chat_uint("\xb1", 0xffffffff, &v), -EINVAL);
	CHECK_EQ(v, 3);
}

/* ---- issue 9, defect 10: results matched to their own command ---- */

/* A late OK of an earlier command is not a send's success (no prompt yet). */
static void t_stray_ok_before_prompt(struct rig *r)
{
	struct tcmd s;

	tcmd_init(&s, r, "AT+CIPSEND=0,4", 10000);
	s.cmd.payload = (const u8 *)"data";
	s.cmd.payload_len = 4;
	s.final = "DATA ACCEPT:";
	submit(r, &s);
	FEED(r, "\r\nOK\r\n\r\n> \r\nDATA ACCEPT:0,4\r\n");
	LOG(r,
	    "tx AT+CIPSEND=0,4\\r\n"
	    "tx data\n"
	    "line DATA ACCEPT:0,4\n"
	    "done AT+CIPSEND=0,4 0\n");
	CHECK_EQ(r->chat.stats.errors, 0);
}

/* No send answers a plain OK after its payload either: that is stray too. */
static void t_stray_ok_after_prompt(struct rig *r)
{
	struct tcmd s;

	tcmd_init(&s, r, "AT+CSODSEND=0,4", 10000);
	s.cmd.payload = (const u8 *)"data";
	s.cmd.payload_len = 4;
	s.final = "DATA ACCEPT:";
	submit(r, &s);
	FEED(r, "\r\n> \r\nOK\r\n\r\nDATA ACCEPT: 4\r\n");
	LOG(r,
	    "tx AT+CSODSEND=0,4\\r\n"
	    "tx data\n"
	    "line DATA ACCEPT: 4\n"
	    "done AT+CSODSEND=0,4 0\n");
}

/*
 * A late ERROR right before the send's own prompt: the prompt that follows
 * within the doubt window is the send's, and the payload goes.
 */
static void t_stray_error_before_prompt(struct rig *r)
{
	struct tcmd s;

	tcmd_init(&s, r, "AT+CIPSEND=0,2", 10000);
	s.cmd.payload = (const u8 *)"hi";
	s.cmd.payload_len = 2;
	s.word = "SEND OK";
	submit(r, &s);
	FEED(r, "\r\nERROR\r\n\r\n> \r\n0, SEND OK\r\n");
	LOG(r,
	    "tx AT+CIPSEND=0,2\\r\n"
	    "tx hi\n"
	    "line 0, SEND OK\n"
	    "done AT+CIPSEND=0,2 0\n");
	CHECK_EQ(r->chat.stats.errors, 0);
}

/* A prompt nobody waits for: the modem collects payload, ESC cancels it. */
static void t_late_prompt_idle(struct rig *r)
{
	struct tcmd plain;

	FEED(r, "\r\n> ");
	tcmd_init(&plain, r, "AT+X", 1000);
	submit(r, &plain);
	FEED(r, "\r\n> \r\nOK\r\n");
	LOG(r,
	    "tx \\x1b\n"
	    "tx AT+X\\r\n"
	    "tx \\x1b\n"
	    "done AT+X 0\n");
	CHECK_EQ(r->chat.stats.urcs, 0);
}

/*
 * The issue's dialogue: a command times out, its OK arrives late, right
 * when the next one (a send) is written. The send resynchronises first:
 * the late OK is a stray, the send goes after the sync's own answer.
 */
static void t_timeout_late_ok(struct rig *r)
{
	struct tcmd a, s;

	atnet_chat_set_sync(&r->chat, "AT+CSQ", "+CSQ:", 2000);
	tcmd_init(&a, r, "AT+CIPRXGET=4,0", 1000);
	tcmd_init(&s, r, "AT+CIPSEND=0,4", 10000);
	s.cmd.payload = (const u8 *)"data";
	s.cmd.payload_len = 4;
	s.final = "DATA ACCEPT:";
	submit(r, &a);
	submit(r, &s);
	r->now += 1000;
	atnet_chat_tick(&r->chat, r->now);
	FEED(r, "\r\n+CIPRXGET: 4,0,0\r\n\r\nOK\r\n"
		"\r\n+CSQ: 20,0\r\n\r\nOK\r\n\r\n> \r\nDATA ACCEPT:0,4\r\n");
	LOG(r,
	    "tx AT+CIPRXGET=4,0\\r\n"
	    "done AT+CIPRXGET=4,0 -110\n"
	    "tx \\x1b\n"
	    "tx AT+CSQ\\r\n"
	    "urc +CIPRXGET: 4,0,0\n"
	    "tx AT+CIPSEND=0,4\\r\n"
	    "tx data\n"
	    "line DATA ACCEPT:0,4\n"
	    "done AT+CIPSEND=0,4 0\n");
	CHECK_EQ(r->chat.stats.strays, 1);
	CHECK(!r->chat.unsure);
}

/*
 * A send times out before its prompt; the prompt comes while the sync runs.
 * The sync's ESC went after the send's line, so the modem has left data
 * mode already: no second ESC, no AT text as payload, and the sync ends it.
 */
static void t_timeout_late_prompt(struct rig *r)
{
	struct tcmd s, next;

	atnet_chat_set_sync(&r->chat, "AT+CSQ", "+CSQ:", 2000);
	tcmd_init(&s, r, "AT+CIPSEND=0,4", 1000);
	s.cmd.payload = (const u8 *)"data";
	s.cmd.payload_len = 4;
	tcmd_init(&next, r, "AT+CIPCLOSE=0", 1000);
	submit(r, &s);
	submit(r, &next);
	r->now += 1000;
	atnet_chat_tick(&r->chat, r->now);
	FEED(r, "\r\n> \r\nAT+CSQ\r\r\n\r\n+CSQ: 20,0\r\n\r\nOK\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT+CIPSEND=0,4\\r\n"
	    "done AT+CIPSEND=0,4 -110\n"
	    "tx \\x1b\n"
	    "tx \\x00\\x00\\x00\n"
	    "tx AT+CSQ\\r\n"
	    "tx AT+CIPCLOSE=0\\r\n"
	    "done AT+CIPCLOSE=0 0\n");
	CHECK_EQ(r->chat.stats.cancels, 0);
}

/* The sync itself times out: the waiting command ends unwritten. */
static void t_sync_timeout(struct rig *r)
{
	struct tcmd a, b, c;

	atnet_chat_set_sync(&r->chat, "AT+CSQ", "+CSQ:", 2000);
	tcmd_init(&a, r, "AT+A", 1000);
	tcmd_init(&b, r, "AT+B", 1000);
	tcmd_init(&c, r, "AT+C", 1000);
	submit(r, &a);
	submit(r, &b);
	submit(r, &c);
	r->now += 1000;
	atnet_chat_tick(&r->chat, r->now);
	/* OK alone is not the sync's answer. */
	FEED(r, "\r\nOK\r\n");
	r->now += 2000;
	atnet_chat_tick(&r->chat, r->now);
	/* The second sync is the test form: only its own answer counts. */
	FEED(r, "\r\n+CSQ: (0-31,99),(0-7,99)\r\n\r\nOK\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT+A\\r\n"
	    "done AT+A -110\n"
	    "tx \\x1b\n"
	    "tx AT+CSQ\\r\n"
	    "done AT+B -110\n"
	    "tx \\x1b\n"
	    "tx AT+CSQ=?\\r\n"
	    "tx AT+C\\r\n"
	    "done AT+C 0\n");
	CHECK_EQ(r->chat.stats.syncs, 2);
}

/*
 * Review finding 1: the sync itself times out and the modem, only slow,
 * then answers everything it was sent, in order. The modem model answers
 * every AT+CSQ the engine wrote: each must be absorbed before the next
 * command goes out, or every later command takes the previous command's
 * final result.
 */
static void t_sync_two_answers(struct rig *r)
{
	struct tcmd a, b, c;
	u64 n;

	atnet_chat_set_sync(&r->chat, "AT+CSQ", "+CSQ:", 2000);
	tcmd_init(&a, r, "AT+A", 1000);
	tcmd_init(&b, r, "AT+B", 1000);
	tcmd_init(&c, r, "AT+C", 1000);
	c.claim[0] = "+C:";
	submit(r, &a);
	submit(r, &b);
	submit(r, &c);
	r->now += 1000;
	atnet_chat_tick(&r->chat, r->now);
	r->now += 2000;
	atnet_chat_tick(&r->chat, r->now);
	/*
	 * A's OK, then one answer per sync written, each in the form its
	 * command asks for (plain AT+CSQ, test form AT+CSQ=?), then C's.
	 */
	FEED(r, "\r\nOK\r\n");
	for (n = 0; n < r->chat.stats.syncs; n++) {
		if (n % 2)
			FEED(r, "\r\n+CSQ: (0-31,99),(0-7,99)\r\n\r\nOK\r\n");
		else
			FEED(r, "\r\n+CSQ: 5,0\r\n\r\nOK\r\n");
	}
	FEED(r, "\r\n+C: 1\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT+A\\r\n"
	    "done AT+A -110\n"
	    "tx \\x1b\n"
	    "tx AT+CSQ\\r\n"
	    "done AT+B -110\n"
	    "tx \\x1b\n"
	    "tx AT+CSQ=?\\r\n"
	    "tx AT+C\\r\n"
	    "line +C: 1\n"
	    "done AT+C 0\n");
	CHECK_EQ(r->chat.stats.urcs, 0);
	CHECK(!r->chat.unsure);
}

/* The sync's answer arrives while nothing runs: it is absorbed there. */
static void t_sync_answer_idle(struct rig *r)
{
	struct tcmd a, b, c;

	atnet_chat_set_sync(&r->chat, "AT+CSQ", "+CSQ:", 2000);
	tcmd_init(&a, r, "AT+A", 1000);
	tcmd_init(&b, r, "AT+B", 1000);
	tcmd_init(&c, r, "AT+C", 1000);
	submit(r, &a);
	submit(r, &b);
	r->now += 1000;
	atnet_chat_tick(&r->chat, r->now);
	r->now += 2000;
	atnet_chat_tick(&r->chat, r->now);
	FEED(r, "\r\nOK\r\n\r\n+CSQ: 5,0\r\n\r\nOK\r\n");
	submit(r, &c);
	FEED(r, "\r\nOK\r\n");
	LOG(r,
	    "tx AT+A\\r\n"
	    "done AT+A -110\n"
	    "tx \\x1b\n"
	    "tx AT+CSQ\\r\n"
	    "done AT+B -110\n"
	    "tx AT+C\\r\n"
	    "done AT+C 0\n");
	CHECK_EQ(r->chat.stats.urcs, 0);
}

/*
 * Review finding 2: some SIM7000 firmware prints "CSQ: 20,0" without the
 * '+' (the probe accepts it); that answers the sync all the same.
 */
static void t_sync_no_plus(struct rig *r)
{
	struct tcmd a, b;

	atnet_chat_set_sync(&r->chat, "AT+CSQ", "+CSQ:", 2000);
	tcmd_init(&a, r, "AT+A", 1000);
	tcmd_init(&b, r, "AT+B", 1000);
	submit(r, &a);
	submit(r, &b);
	r->now += 1000;
	atnet_chat_tick(&r->chat, r->now);
	FEED(r, "\r\nOK\r\n\r\nCSQ: 20,0\r\n\r\nOK\r\n\r\nOK\r\n");
	LOG(r,
	    "tx AT+A\\r\n"
	    "done AT+A -110\n"
	    "tx \\x1b\n"
	    "tx AT+CSQ\\r\n"
	    "tx AT+B\\r\n"
	    "done AT+B 0\n");
}

/*
 * Review finding 3: without a sync command (probing, a failed modem) a
 * send that ended unprompted still gets its filler before the next
 * command, so that command is never taken as its payload.
 */
static void t_fill_without_sync(struct rig *r)
{
	struct tcmd s, at;

	tcmd_init(&s, r, "AT+CIPSEND=0,4", 1000);
	s.cmd.payload = (const u8 *)"data";
	s.cmd.payload_len = 4;
	tcmd_init(&at, r, "AT", 1000);
	submit(r, &s);
	submit(r, &at);
	r->now += 1000;
	atnet_chat_tick(&r->chat, r->now);
	FEED(r, "\r\nOK\r\n");
	LOG(r,
	    "tx AT+CIPSEND=0,4\\r\n"
	    "done AT+CIPSEND=0,4 -110\n"
	    "tx \\x1b\n"
	    "tx \\x00\\x00\\x00\n"
	    "tx AT\\r\n"
	    "done AT 0\n");
}

/* An aborted send, written but not prompted, is filled before the next. */
static void t_abort_unprompted(struct rig *r)
{
	struct tcmd s, at;

	atnet_chat_set_sync(&r->chat, "AT+CSQ", "+CSQ:", 2000);
	tcmd_init(&s, r, "AT+CIPSEND=0,4", 1000);
	s.cmd.payload = (const u8 *)"data";
	s.cmd.payload_len = 4;
	tcmd_init(&at, r, "AT", 1000);
	submit(r, &s);
	atnet_chat_abort(&r->chat, -ECONNRESET);
	atnet_chat_set_sync(&r->chat, NULL, NULL, 0);
	submit(r, &at);
	/* The prompt was out before the modem read the filler: one ESC more. */
	FEED(r, "\r\n> \r\nOK\r\n");
	LOG(r,
	    "tx AT+CIPSEND=0,4\\r\n"
	    "done AT+CIPSEND=0,4 -104\n"
	    "tx \\x1b\n"
	    "tx \\x00\\x00\\x00\n"
	    "tx AT\\r\n"
	    "tx \\x1b\n"
	    "done AT 0\n");
}

/* Input reported damaged: the next command resynchronises first. */
static void t_damaged(struct rig *r)
{
	struct tcmd a;

	atnet_chat_set_sync(&r->chat, "AT+CSQ", "+CSQ:", 2000);
	atnet_chat_damaged(&r->chat);
	tcmd_init(&a, r, "AT+A", 1000);
	submit(r, &a);
	FEED(r, "\r\nOK\r\n\r\n+CSQ: 5,0\r\n\r\nOK\r\n\r\nOK\r\n");
	LOG(r,
	    "tx \\x1b\n"
	    "tx AT+CSQ\\r\n"
	    "tx AT+A\\r\n"
	    "done AT+A 0\n");
	CHECK_EQ(r->chat.stats.damaged, 1);
	CHECK_EQ(r->chat.stats.strays, 1);
}

static size_t room_left;

static size_t w_room(void *ctx)
{
	(void)ctx;
	return room_left;
}

static const struct atnet_chat_ops room_ops = {
	.write = w_write,
	.urc = w_urc,
	.room = w_room,
};

/*
 * A transmit buffer without room for a command and its payload: the
 * command ends with -ENOBUFS and not one byte of it is written.
 */
static void t_room(struct rig *r)
{
	struct tcmd s, t;

	atnet_chat_init(&r->chat, &room_ops, r);
	tcmd_init(&s, r, "AT+CIPSEND=0,4", 1000);
	s.cmd.payload = (const u8 *)"data";
	s.cmd.payload_len = 4;
	s.final = "DATA ACCEPT:";
	tcmd_init(&t, r, "AT+CSOSEND=0,4,", 1000);
	room_left = 19;		/* 14 + CR + 4: no room for the ESC */
	submit(r, &s);
	room_left = 23;	/* 15 + 6 + CR + ESC */
	t.cmd.tail = (const u8 *)"\"6869\"";
	t.cmd.tail_len = 6;
	submit(r, &t);
	FEED(r, "\r\nOK\r\n");
	LOG(r,
	    "done AT+CIPSEND=0,4 -105\n"
	    "tx AT+CSOSEND=0,4,\n"
	    "tx \"6869\"\n"
	    "tx \\r\n"
	    "done AT+CSOSEND=0,4, 0\n");
	CHECK_EQ(r->chat.stats.nobufs, 1);
}

/*
 * A send refused (ERROR, no prompt within the doubt window), then its
 * prompt comes while nothing runs: ESC and NULs up to its length, so a
 * length-counted send completes with filler and the modem is back in
 * command mode before the next command (which resynchronises first).
 */
static void t_late_prompt_fills(struct rig *r)
{
	struct tcmd s;

	tcmd_init(&s, r, "AT+CIPSEND=0,5", 10000);
	s.cmd.payload = (const u8 *)"hello";
	s.cmd.payload_len = 5;
	submit(r, &s);
	FEED(r, "\r\nERROR\r\n");
	r->now += ATNET_CHAT_DOUBT_MS;
	atnet_chat_tick(&r->chat, r->now);
	FEED(r, "\r\n> \r\n> ");
	LOG(r,
	    "tx AT+CIPSEND=0,5\\r\n"
	    "done AT+CIPSEND=0,5 -5\n"
	    "tx \\x1b\n"
	    "tx \\x00\\x00\\x00\\x00\n"
	    "tx \\x1b\n");
	CHECK_EQ(r->chat.stats.cancels, 2);
	CHECK(r->chat.unsure);
}

struct test {
	const char *name;
	void (*fn)(struct rig *r);
	bool split;	/* a dialogue: run in every split mode */
	const struct atnet_chat_frame *frames;	/* set before it runs */
};

#define DIALOGUE(fn) { &#fn[2], fn, true, NULL }
#define UNIT(fn) { &#fn[2], fn, false, NULL }
/* A dialogue with one model's data headers, as its dialect sets them. */
#define SIM7000(fn) { &#fn[2], fn, true, atnet_sim7000_frames }
#define SIM7020(fn) { &#fn[2], fn, true, atnet_sim7020_frames }

static const struct test tests[] = {
	SIM7000(t_sim7000_probe),
	SIM7000(t_sim7000_pdp),
	SIM7000(t_sim7000_send),
	SIM7000(t_sim7000_quicksend),
	SIM7000(t_sim7000_receive),
	SIM7000(t_sim7000_rxget),
	SIM7000(t_sim7000_rxget_empty),
	SIM7000(t_sim7000_status),
	SIM7000(t_sim7000_server),
	SIM7000(t_sim7000_dns),
	SIM7000(t_sim7000_ipd),
	SIM7020(t_sim7020_csonmi_binary),
	SIM7000(t_ipd_unclaimed),
	DIALOGUE(t_frames_none),
	DIALOGUE(t_frames_empty),
	SIM7000(t_frames_sim7000),
	SIM7020(t_frames_sim7020),
	DIALOGUE(t_frames_rule),
	DIALOGUE(t_frames_edges),
	SIM7020(t_sim7020_socket),
	SIM7020(t_sim7020_hexdump),
	SIM7020(t_sim7020_pdn),
	DIALOGUE(t_shut_urcs),
	DIALOGUE(t_pdp_deact_timeout),
	DIALOGUE(t_autobaud),
	DIALOGUE(t_rxget_urcs_first),
	DIALOGUE(t_receive_before_prompt),
	DIALOGUE(t_prompt_rules),
	DIALOGUE(t_error_before_prompt),
	DIALOGUE(t_echo),
	DIALOGUE(t_cme_errors),
	DIALOGUE(t_garbage),
	DIALOGUE(t_overlong),
	DIALOGUE(t_lf_only),
	DIALOGUE(t_raw_crlf),
	DIALOGUE(t_urc_while_prompt),
	DIALOGUE(t_abort_from_line),
	DIALOGUE(t_abort_raw),
	DIALOGUE(t_submit_from_line),
	DIALOGUE(t_no_nesting),
	DIALOGUE(t_stray_ok_before_prompt),
	DIALOGUE(t_stray_ok_after_prompt),
	DIALOGUE(t_stray_error_before_prompt),
	DIALOGUE(t_late_prompt_idle),
	DIALOGUE(t_timeout_late_ok),
	DIALOGUE(t_timeout_late_prompt),
	DIALOGUE(t_late_prompt_fills),
	UNIT(t_sync_timeout),
	UNIT(t_sync_two_answers),
	UNIT(t_sync_answer_idle),
	UNIT(t_sync_no_plus),
	UNIT(t_fill_without_sync),
	UNIT(t_abort_unprompted),
	UNIT(t_damaged),
	UNIT(t_room),
	UNIT(t_timeout_zero),
	UNIT(t_abort),
	UNIT(t_abort_resubmit),
	UNIT(t_text_limits),
	UNIT(t_parse_prefix),
	UNIT(t_parse_fields),
	UNIT(t_parse_uint),
};

static const char *const split_names[] = {
	"whole", "bytes", "random 1", "random 2", "random 3",
};

int main(void)
{
	static struct rig rig;
	int total = 0, bad = 0, n = 0;
	size_t i, m;

	for (i = 0; i < ARRAY_SIZE(tests); i++)
		total += tests[i].split ? ARRAY_SIZE(split_names) : 1;
	printf("TAP version 13\n1..%d\n", total);
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		size_t modes = tests[i].split ? ARRAY_SIZE(split_names) : 1;

		for (m = 0; m < modes; m++) {
			memset(&rig, 0, sizeof(rig));
			atnet_chat_init(&rig.chat, &w_ops, &rig);
			atnet_chat_set_frames(&rig.chat, tests[i].frames);
			rig.split = m;
			rig.rnd = 2463534242u * (m + 1);
			failed = 0;
			tests[i].fn(&rig);
			bad += !!failed;
			printf("%sok %d - %s%s%s%s\n", failed ? "not " : "",
			       ++n, tests[i].name, modes > 1 ? " [" : "",
			       modes > 1 ? split_names[m] : "",
			       modes > 1 ? "]" : "");
		}
	}
	return bad ? 1 : 0;
}
