// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the chat engine.
 *
 * The input is a program of operations, one opcode byte each followed by
 * its arguments: feed the next n bytes, let time pass, submit one of eight
 * commands (with or without payload, with handlers that claim lines, expect
 * raw data, submit or abort from inside), expect raw data from the top level,
 * abort, limit the room ->write() has, turn the resync off and on (it is
 * on, AT+CSQ, from the start), pick the data-header table (the SIM7000's
 * from the start, the SIM7020's, both, an empty one or none). The callbacks
 * check the contract as they go: lines are
 * NUL-terminated, bounded and free of control bytes; every submitted command
 * completes exactly once; raw payloads arrive whole unless an abort cut them;
 * the engine never calls a handler of a command that is not active. Any
 * violation aborts the process, which libFuzzer reports.
 *
 * mkcorpus.py writes the seed corpus in the same format.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "frames.h"

#define NCMD		8
#define BUDGET		64	/* callbacks that submit/abort, per input */

#define ASSERT(c) do { if (!(c)) { \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); abort(); } \
} while (0)

enum kind {
	K_PLAIN,	/* default handling only */
	K_OK_MORE,	/* "OK" is intermediate, "n, X OK" ends */
	K_RXGET,	/* "+CIPRXGET: 2,n,got,rem" announces raw data */
	K_ABORT,	/* aborts on "RDY" */
	K_SUBMIT,	/* submits another command on "+CIPRXGET: 1," */
	K_NR,
};

struct fcmd {
	struct atnet_chat_cmd cmd;
	enum kind kind;
	bool pending;
	bool resubmit;
};

static struct {
	struct atnet_chat chat;
	struct fcmd pool[NCMD];
	u64 now;
	int budget;
	bool ending;
	int aborting;
	bool raw_open;
	size_t raw_want, raw_got;
	u8 payload[256];
	size_t room;		/* what ->write() takes whole (op 7, 0x80) */
} F;

/* Both models' headers in one table: several entries to try per byte. */
static const struct atnet_chat_frame both[] = {
	{ .prefix = "+IPD,", .end = ':', .count = 1 },
	{ .prefix = "+CSONMI:", .end = ',', .count = 2 },
	{ }
};

static const struct atnet_chat_frame empty[] = { { } };

static const struct atnet_chat_frame *const tables[] = {
	atnet_sim7000_frames, atnet_sim7020_frames, both, empty, NULL,
};

static const char *const texts[] = {
	"AT", "ATE0", "AT+CIPSEND=0,5", "AT+CIPRXGET=2,0,1460",
	"AT+CIPSTART=0,\"TCP\",\"1.2.3.4\",\"80\"", "AT+CIPSHUT",
	"AT+CSOC=1,1,1", "AT+CIPSTATUS",
};

static void check_line(const char *line, size_t len)
{
	size_t i;

	ASSERT(len > 0 && len <= ATNET_CHAT_LINE_MAX);
	ASSERT(line[len] == '\0');
	for (i = 0; i < len; i++)
		ASSERT((u8)line[i] >= 0x20 && line[i] != 0x7f);
}

static void f_sink(void *ctx, const u8 *buf, size_t len, bool last)
{
	ASSERT(ctx == &F && buf);
	ASSERT(F.raw_open);
	F.raw_got += len;
	ASSERT(F.raw_got <= F.raw_want);
	if (!last) {
		ASSERT(len && F.raw_got < F.raw_want);
		return;
	}
	ASSERT(F.raw_got == F.raw_want || F.aborting);
	F.raw_open = false;
}

static void expect_raw(size_t len)
{
	if (F.raw_open)
		return;
	F.raw_open = true;
	F.raw_want = len;
	F.raw_got = 0;
	atnet_chat_expect_raw(&F.chat, len, f_sink, &F);
}

static void do_abort(int err)
{
	F.aborting++;
	atnet_chat_abort(&F.chat, err);
	F.aborting--;
	/* Inside a callback nothing starts; at top level a resubmit may. */
	ASSERT(!F.chat.in_callback || !F.chat.active);
}

static void submit(struct fcmd *c)
{
	ASSERT(!c->pending);
	c->pending = true;
	atnet_chat_submit(&F.chat, &c->cmd, F.now);
}

static bool spend(void)
{
	if (F.ending || F.budget <= 0)
		return false;
	F.budget--;
	return true;
}

static void init_cmd(struct fcmd *c, int slot, int flags);

/* From a callback: a plain read command in a free slot, within budget. */
static void submit_idle(void)
{
	int i;

	for (i = 0; i < NCMD; i++) {
		if (F.pool[i].pending)
			continue;
		if (!spend())
			return;
		init_cmd(&F.pool[i], 3 << 3, K_RXGET | 0x10);
		submit(&F.pool[i]);
		return;
	}
}

/* The last field of "+RECEIVE,n,len:" / "+IPD,len:" / "n,got,rem". */
static bool parse_len(const char *rest, int want, int idx, u32 *len)
{
	char buf[ATNET_CHAT_LINE_MAX + 1];
	const char *f[6];
	int n = atnet_chat_fields(rest, buf, sizeof(buf), f, 6);

	if (n < 0)
		return false;
	ASSERT(n <= 6);
	if (n != want)
		return false;
	return !atnet_chat_uint(f[idx], 4096, len);
}

static void f_write(void *ctx, const u8 *buf, size_t len)
{
	ASSERT(ctx == &F && buf && len);
	ASSERT(len <= ATNET_CHAT_CMD_MAX + 1 || len <= sizeof(F.payload));
}

/*
 * "+RECEIVE,n,len:", "+IPD,len:" and "+CSONMI: id,len," announce raw data:
 * the header without its last byte has @want fields, the last the length.
 */
static void urc_raw(const char *line, size_t len)
{
	const char *rest = atnet_chat_prefix(line, "+RECEIVE,");
	char end = ':';
	int want = 2;
	char copy[64];
	size_t n;
	u32 got;

	if (!rest) {
		rest = atnet_chat_prefix(line, "+IPD,");
		want = 1;
	}
	if (!rest) {
		rest = atnet_chat_prefix(line, "+CSONMI:");
		end = ',';
		want = 2;
	}
	if (!rest || line[len - 1] != end)
		return;
	n = len - 1 - (size_t)(rest - line);
	if (n >= sizeof(copy))
		return;
	memcpy(copy, rest, n);
	copy[n] = '\0';
	if (parse_len(copy, want, want - 1, &got))
		expect_raw(got);
}

static void f_urc(void *ctx, const char *line, size_t len)
{
	ASSERT(ctx == &F);
	check_line(line, len);
	urc_raw(line, len);
	if (atnet_chat_prefix(line, "+CIPRXGET: 1,"))
		submit_idle();
}

static enum atnet_chat_verdict f_line(struct atnet_chat_cmd *cmd,
				      const char *line, size_t len)
{
	struct fcmd *c = (struct fcmd *)cmd;
	const char *rest;
	u32 n;

	check_line(line, len);
	ASSERT(F.chat.active == cmd && c->pending);
	switch (c->kind) {
	case K_OK_MORE:
		if (!strcmp(line, "OK"))
			return ATNET_CHAT_MORE;
		rest = strstr(line, " OK");
		if (rest && !rest[3]) {
			cmd->result = 0;
			return ATNET_CHAT_DONE;
		}
		break;
	case K_RXGET:
		rest = atnet_chat_prefix(line, "+CIPRXGET: 2,");
		if (rest && parse_len(rest, 3, 1, &n)) {
			expect_raw(n);
			return ATNET_CHAT_MORE;
		}
		break;
	case K_ABORT:
		if (!strcmp(line, "RDY") && spend()) {
			do_abort(-ENODEV);
			return ATNET_CHAT_MORE;
		}
		break;
	case K_SUBMIT:
		if (atnet_chat_prefix(line, "+CIPRXGET: 1,"))
			submit_idle();
		break;
	default:
		break;
	}
	if (len > 2 && !strcmp(line + len - 2, "!!")) {
		cmd->result = -EPROTO;
		return ATNET_CHAT_DONE;
	}
	return ATNET_CHAT_PASS;
}

static void f_done(struct atnet_chat_cmd *cmd, int result)
{
	struct fcmd *c = (struct fcmd *)cmd;

	ASSERT(c->pending);
	ASSERT(F.chat.active != cmd);
	ASSERT(cmd->result == result);
	ASSERT(result <= 0);
	if (result == -EIO)
		ASSERT(cmd->cme_error >= -1 && cmd->cme_error <= 65535);
	c->pending = false;
	if (c->resubmit && spend())
		submit(c);
}

static size_t f_room(void *ctx)
{
	(void)ctx;
	return F.room;
}

static const struct atnet_chat_ops f_ops = {
	.write = f_write,
	.urc = f_urc,
	.room = f_room,
};

static int next(const u8 **p, size_t *left)
{
	if (!*left)
		return -1;
	(*left)--;
	return *(*p)++;
}

static void init_cmd(struct fcmd *c, int slot, int flags)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	snprintf(c->cmd.text, sizeof(c->cmd.text), "%s",
		 texts[(slot >> 3) % (sizeof(texts) / sizeof(texts[0]))]);
	c->kind = (flags & 7) % K_NR;
	c->resubmit = flags & 8;
	c->cmd.timeout_ms = (flags >> 4) * 100;
	c->cmd.line = (slot & 0x80) ? NULL : f_line;
	c->cmd.done = f_done;
	if (slot & 0x40) {
		for (i = 0; i < sizeof(F.payload); i++)
			F.payload[i] = "> OK\r\n+x"[i & 7];
		c->cmd.payload = F.payload;
		c->cmd.payload_len = 1 + (flags % sizeof(F.payload));
	}
}

static void op_submit(int slot, int flags)
{
	struct fcmd *c = &F.pool[slot & (NCMD - 1)];

	if (c->pending)
		return;
	init_cmd(c, slot, flags);
	submit(c);
}

static void op_feed(const u8 **p, size_t *left, int n)
{
	size_t len = (size_t)n % 64;

	if (n >= 192)	/* big chunks too: overlong lines, long payloads */
		len = (size_t)(n - 191) * 64;
	if (len > *left)
		len = *left;
	atnet_chat_feed(&F.chat, *p, len, F.now);
	*p += len;
	*left -= len;
}

static void check_idle_state(void)
{
	u64 dl = atnet_chat_deadline(&F.chat);

	ASSERT(!F.chat.in_callback);
	ASSERT(F.chat.len <= ATNET_CHAT_LINE_MAX);
	ASSERT(!F.chat.head || F.chat.active);
	ASSERT(!!dl == !!F.chat.active);
	ASSERT(atnet_chat_busy(&F.chat) == !!F.chat.active);
	ASSERT(F.raw_open == !!F.chat.raw_left);
	/* Nothing is written while a sync is owed its answer. */
	ASSERT(!F.chat.sync_owed || !F.chat.active || F.chat.syncing ||
	       !F.chat.active->written);
	ASSERT(!F.chat.syncing || F.chat.active);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const u8 *p = data;
	size_t left = size;
	int op, arg, arg2, i;

	memset(&F, 0, sizeof(F));
	F.budget = BUDGET;
	F.room = SIZE_MAX;
	atnet_chat_init(&F.chat, &f_ops, &F);
	atnet_chat_set_sync(&F.chat, "AT+CSQ", "+CSQ:", 2000);
	atnet_chat_set_frames(&F.chat, atnet_sim7000_frames);
	while ((op = next(&p, &left)) >= 0) {
		arg = next(&p, &left);
		if (arg < 0)
			arg = 0;
		switch (op & 7) {
		case 0: case 1: case 2:
			op_feed(&p, &left, arg);
			break;
		case 3:
			F.now += (u64)arg * 37;
			atnet_chat_tick(&F.chat, F.now);
			break;
		case 4:
			arg2 = next(&p, &left);
			op_submit(arg, arg2 < 0 ? 0 : arg2);
			break;
		case 5:
			expect_raw(arg);
			break;
		case 6:
			do_abort(-ENODEV);
			break;
		default:
			/*
			 * 0x80: room for arg * 8 bytes (0: any); 0x40: sync
			 * off/on; 0x20: data-header table arg
			 */
			if (op & 0x80)
				F.room = arg ? (size_t)arg * 8 : SIZE_MAX;
			else if (op & 0x40)
				atnet_chat_set_sync(&F.chat, F.chat.sync_on ?
						    NULL : "AT+CSQ", "+CSQ:", 2000);
			else if (op & 0x20)
				atnet_chat_set_frames(&F.chat, tables[arg %
					(sizeof(tables) / sizeof(tables[0]))]);
			else
				F.now += arg;
			break;
		}
		check_idle_state();
	}
	/* Tear down: nothing may resubmit, and everything completes. */
	F.ending = true;
	do_abort(-ESHUTDOWN);
	ASSERT(!atnet_chat_busy(&F.chat));
	ASSERT(!F.raw_open);
	for (i = 0; i < NCMD; i++)
		ASSERT(!F.pool[i].pending);
	return 0;
}
