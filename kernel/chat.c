// SPDX-License-Identifier: GPL-2.0
/*
 * Sans-IO AT chat engine; chat.h is the contract.
 *
 * Bytes are taken in one of three modes: raw (owed to a sink, delivered in
 * chunks), discarding (inside an overlong line) and framing (one byte at a
 * time into chat->line). Every callback runs with chat->in_callback set, and
 * the next queued command is written only by the outermost entry point once
 * that callback has returned: handlers can then submit and abort without
 * the engine changing state under them, and nothing recurses.
 */

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <string.h>
#endif

#include "chat.h"

/* 3GPP TS 27.007/27.005 error codes are small; anything bigger is noise. */
#define ATNET_CHAT_ERRCODE_MAX	65535

/* Sinks get a real pointer even for an empty chunk, so memcpy() is safe. */
static const u8 atnet_chat_empty[1];

static size_t atnet_chat_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Time only moves forward, whoever passes a stale timestamp. */
static void atnet_chat_clock(struct atnet_chat *chat, u64 now_ms)
{
	if (now_ms > chat->now)
		chat->now = now_ms;
}

/* Returns true when the caller is the outermost engine entry. */
static bool atnet_chat_enter(struct atnet_chat *chat)
{
	bool outer = !chat->in_callback;

	chat->in_callback = true;
	return outer;
}

static void atnet_chat_start(struct atnet_chat *chat)
{
	struct atnet_chat_cmd *cmd = chat->head;
	size_t len = strnlen(cmd->text, sizeof(cmd->text));

	chat->head = cmd->next;
	if (!chat->head)
		chat->tail = NULL;
	cmd->next = NULL;
	cmd->deadline = chat->now + cmd->timeout_ms;
	chat->active = cmd;
	chat->stats.cmds++;

	/* One write per command line, so the tty sees it in one piece. */
	memcpy(chat->tx, cmd->text, len);
	chat->tx[len] = '\r';
	chat->ops->write(chat->ctx, (const u8 *)chat->tx, len + 1);
}

/*
 * Only the outermost entry starts queued commands, after every callback has
 * returned. in_callback stays set meanwhile because ->write() is a callback
 * too.
 */
static void atnet_chat_leave(struct atnet_chat *chat, bool outer)
{
	if (!outer)
		return;
	while (!chat->active && chat->head)
		atnet_chat_start(chat);
	chat->in_callback = false;
}

/* After ->done() the command belongs to its owner again: never touch it. */
static void atnet_chat_finish(struct atnet_chat *chat,
			      struct atnet_chat_cmd *cmd, int result)
{
	if (chat->active == cmd)
		chat->active = NULL;
	cmd->result = result;
	if (result == -ETIMEDOUT)
		chat->stats.timeouts++;
	if (cmd->done)
		cmd->done(cmd, result);
}

static void atnet_chat_fail(struct atnet_chat *chat,
			    struct atnet_chat_cmd *cmd, const char *code)
{
	u32 n;

	while (code && *code == ' ')
		code++;
	if (code && !atnet_chat_uint(code, ATNET_CHAT_ERRCODE_MAX, &n))
		cmd->cme_error = n;
	chat->stats.errors++;
	atnet_chat_finish(chat, cmd, -EIO);
}

/* The default final results; true when @line ended @cmd. */
static bool atnet_chat_final(struct atnet_chat *chat,
			     struct atnet_chat_cmd *cmd, const char *line)
{
	const char *code;

	if (!strcmp(line, "OK")) {
		atnet_chat_finish(chat, cmd, 0);
		return true;
	}
	if (!strcmp(line, "ERROR")) {
		atnet_chat_fail(chat, cmd, NULL);
		return true;
	}
	code = atnet_chat_prefix(line, "+CME ERROR:");
	if (!code)
		code = atnet_chat_prefix(line, "+CMS ERROR:");
	if (!code)
		return false;
	atnet_chat_fail(chat, cmd, code);
	return true;
}

/* Offer @line to the active command; true when it was consumed. */
static bool atnet_chat_offer(struct atnet_chat *chat,
			     struct atnet_chat_cmd *cmd,
			     const char *line, size_t len)
{
	enum atnet_chat_verdict verdict = ATNET_CHAT_PASS;

	if (len == strnlen(cmd->text, sizeof(cmd->text)) &&
	    !memcmp(line, cmd->text, len)) {
		chat->stats.echoes++;
		return true;	/* echo */
	}

	if (cmd->line) {
		verdict = cmd->line(cmd, line, len);
		/* The handler aborted: @cmd is complete and may be gone. */
		if (chat->active != cmd)
			return true;
	}
	if (verdict == ATNET_CHAT_DONE)
		atnet_chat_finish(chat, cmd, cmd->result);
	if (verdict != ATNET_CHAT_PASS)
		return true;
	return atnet_chat_final(chat, cmd, line);
}

static void atnet_chat_dispatch(struct atnet_chat *chat)
{
	struct atnet_chat_cmd *cmd = chat->active;
	size_t len = chat->len;

	/* feed() cannot nest, so chat->line stays intact for the callbacks. */
	chat->line[len] = '\0';
	chat->len = 0;
	chat->stats.lines++;
	if (cmd && atnet_chat_offer(chat, cmd, chat->line, len))
		return;
	chat->stats.urcs++;
	chat->ops->urc(chat->ctx, chat->line, len);
}

static bool atnet_chat_prompt(struct atnet_chat *chat)
{
	struct atnet_chat_cmd *cmd = chat->active;

	if (!cmd || !cmd->payload || !cmd->payload_len || cmd->prompted)
		return false;
	cmd->prompted = true;
	chat->len = 0;
	chat->ops->write(chat->ctx, cmd->payload, cmd->payload_len);
	return true;
}

static void atnet_chat_eol(struct atnet_chat *chat, bool cr)
{
	/* A header ending in CR is followed by LF before its raw payload. */
	chat->skip_lf = cr;
	if (chat->overlong)
		chat->overlong = false;
	else if (chat->len)
		atnet_chat_dispatch(chat);
}

/*
 * "+CSONMI: id,len," is a header whatever follows: len raw bytes in binary
 * mode, len hex characters otherwise. Ending it at the second comma lets one
 * expect_raw() take either, so hex data never counts against the line limit.
 */
static bool atnet_chat_csonmi_header(const struct atnet_chat *chat)
{
	static const char pfx[] = "+CSONMI:";
	const char *first;

	if (chat->len <= sizeof(pfx) || memcmp(chat->line, pfx, sizeof(pfx) - 1))
		return false;
	first = memchr(chat->line, ',', chat->len - 1);
	return first && first < chat->line + chat->len - 1;
}

/* Text that ends without CR/LF: the "> " prompt and the data headers. */
static void atnet_chat_early_end(struct atnet_chat *chat, u8 c)
{
	if (chat->len == 2 && c == ' ' && chat->line[0] == '>' &&
	    atnet_chat_prompt(chat))
		return;
	if (c == ':' && chat->len > 6 && !memcmp(chat->line, "+IPD,", 5))
		atnet_chat_dispatch(chat);
	else if (c == ',' && atnet_chat_csonmi_header(chat))
		atnet_chat_dispatch(chat);
}

static void atnet_chat_byte(struct atnet_chat *chat, u8 c)
{
	if (c == '\r' || c == '\n') {
		atnet_chat_eol(chat, c == '\r');
		return;
	}
	chat->skip_lf = false;
	if (c < 0x20 || c == 0x7f || chat->overlong) {
		chat->stats.garbage++;
		return;
	}
	if (chat->len == ATNET_CHAT_LINE_MAX) {
		/* Count the whole line, then drop the rest up to its end. */
		chat->stats.garbage += chat->len + 1;
		chat->stats.overlong++;
		chat->overlong = true;
		chat->len = 0;
		return;
	}
	chat->line[chat->len++] = c;
	atnet_chat_early_end(chat, c);
}

static size_t atnet_chat_raw(struct atnet_chat *chat, const u8 *buf,
			     size_t len)
{
	atnet_chat_sink_t sink = chat->raw_sink;
	size_t n = atnet_chat_min(len, chat->raw_left);

	/* Clear the state first: the last chunk's sink may expect more. */
	chat->raw_left -= n;
	if (!chat->raw_left)
		chat->raw_sink = NULL;
	sink(chat->raw_ctx, buf, n, !chat->raw_left);
	return n;
}

/* Consume some of @buf (@len > 0); returns how much. */
static size_t atnet_chat_step(struct atnet_chat *chat, const u8 *buf,
			      size_t len)
{
	if (!chat->raw_left) {
		atnet_chat_byte(chat, buf[0]);
		return 1;
	}
	if (chat->skip_lf && buf[0] == '\n') {
		chat->skip_lf = false;
		return 1;
	}
	chat->skip_lf = false;
	return atnet_chat_raw(chat, buf, len);
}

/* A raw payload that will never arrive: tell its sink it is over. */
static void atnet_chat_end_raw(struct atnet_chat *chat)
{
	atnet_chat_sink_t sink = chat->raw_sink;

	if (!chat->raw_left)
		return;
	chat->raw_left = 0;
	chat->raw_sink = NULL;
	sink(chat->raw_ctx, atnet_chat_empty, 0, true);
}

void atnet_chat_init(struct atnet_chat *chat, const struct atnet_chat_ops *ops,
		     void *ctx)
{
	memset(chat, 0, sizeof(*chat));
	chat->ops = ops;
	chat->ctx = ctx;
}

void atnet_chat_submit(struct atnet_chat *chat, struct atnet_chat_cmd *cmd,
		       u64 now_ms)
{
	bool outer = atnet_chat_enter(chat);

	atnet_chat_clock(chat, now_ms);
	cmd->next = NULL;
	cmd->deadline = 0;
	cmd->prompted = false;
	cmd->result = 0;
	cmd->cme_error = -1;
	if (chat->tail)
		chat->tail->next = cmd;
	else
		chat->head = cmd;
	chat->tail = cmd;
	atnet_chat_leave(chat, outer);
}

void atnet_chat_feed(struct atnet_chat *chat, const u8 *buf, size_t len,
		     u64 now_ms)
{
	size_t done = 0;

	if (chat->in_callback)
		return;
	atnet_chat_clock(chat, now_ms);
	/* Leave after every step: a command queued by a handler must be
	 * written before the next line is matched.
	 */
	while (done < len) {
		chat->in_callback = true;
		done += atnet_chat_step(chat, buf + done, len - done);
		atnet_chat_leave(chat, true);
	}
}

void atnet_chat_tick(struct atnet_chat *chat, u64 now_ms)
{
	struct atnet_chat_cmd *cmd = chat->active;

	if (chat->in_callback)
		return;
	atnet_chat_clock(chat, now_ms);
	if (!cmd || chat->now < cmd->deadline)
		return;
	chat->in_callback = true;
	atnet_chat_finish(chat, cmd, -ETIMEDOUT);
	atnet_chat_leave(chat, true);
}

u64 atnet_chat_deadline(const struct atnet_chat *chat)
{
	if (!chat->active)
		return 0;
	return chat->active->deadline ? chat->active->deadline : 1;
}

void atnet_chat_expect_raw(struct atnet_chat *chat, size_t len,
			   atnet_chat_sink_t sink, void *ctx)
{
	bool outer;

	if (chat->raw_left || !sink)
		return;
	if (len) {
		chat->raw_left = len;
		chat->raw_sink = sink;
		chat->raw_ctx = ctx;
		return;
	}
	outer = atnet_chat_enter(chat);
	sink(ctx, atnet_chat_empty, 0, true);
	atnet_chat_leave(chat, outer);
}

void atnet_chat_abort(struct atnet_chat *chat, int err)
{
	struct atnet_chat_cmd *cmd = chat->active;
	struct atnet_chat_cmd *queued = chat->head;
	bool outer = atnet_chat_enter(chat);

	/* Detach the snapshot before any callback can submit or abort. */
	chat->active = NULL;
	chat->head = NULL;
	chat->tail = NULL;
	atnet_chat_end_raw(chat);
	if (cmd)
		atnet_chat_finish(chat, cmd, err);
	while (queued) {
		cmd = queued;
		queued = cmd->next;
		atnet_chat_finish(chat, cmd, err);
	}
	atnet_chat_leave(chat, outer);
}

bool atnet_chat_busy(const struct atnet_chat *chat)
{
	return chat->active || chat->head;
}

const char *atnet_chat_prefix(const char *line, const char *prefix)
{
	size_t len = strlen(prefix);

	return strncmp(line, prefix, len) ? NULL : line + len;
}

/* Strip spaces, then one pair of surrounding quotes. */
static char *atnet_chat_trim(char *field)
{
	size_t len;

	while (*field == ' ')
		field++;
	len = strlen(field);
	while (len && field[len - 1] == ' ')
		field[--len] = '\0';
	if (len >= 2 && field[0] == '"' && field[len - 1] == '"') {
		field[len - 1] = '\0';
		field++;
	}
	return field;
}

/* Cut @buf in place at commas outside quotes; false on unbalanced quotes. */
static bool atnet_chat_split(char *buf, const char **out, int max, int *n)
{
	char *start = buf;
	bool quoted = false;
	bool end = false;
	char *p;

	for (p = buf; !end; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (*p && (*p != ',' || quoted))
			continue;
		end = !*p;
		*p = '\0';
		if (*n < max)
			out[(*n)++] = atnet_chat_trim(start);
		start = p + 1;
	}
	return !quoted;
}

int atnet_chat_fields(const char *s, char *buf, size_t bufsz,
		      const char **out, int max)
{
	size_t len = strlen(s);
	size_t blank = strspn(s, " ");
	int n = 0;

	if (max < 1 || len >= bufsz)
		return -EINVAL;
	if (blank == len)
		return 0;
	memcpy(buf, s, len + 1);
	if (!atnet_chat_split(buf, out, max, &n))
		return -EINVAL;
	return n;
}

int atnet_chat_uint(const char *s, u32 max, u32 *val)
{
	u32 v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		u32 d = (u32)(u8)*s - '0';

		/* v * 10 + d <= max, without overflowing on the way. */
		if (d > 9 || d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*val = v;
	return 0;
}
