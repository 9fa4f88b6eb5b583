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

static void atnet_chat_finish(struct atnet_chat *chat,
			      struct atnet_chat_cmd *cmd, int result);

static void atnet_chat_out(struct atnet_chat *chat, const void *buf,
			   size_t len)
{
	chat->ops->write(chat->ctx, buf, len);
}

/* Can ->write() take @need bytes now, whole? */
static bool atnet_chat_room(struct atnet_chat *chat, size_t need)
{
	return !chat->ops->room || chat->ops->room(chat->ctx) >= need;
}

/* Write the active @cmd's line; it ends with -ENOBUFS when it cannot fit. */
static void atnet_chat_send(struct atnet_chat *chat, struct atnet_chat_cmd *cmd)
{
	size_t len = strnlen(cmd->text, sizeof(cmd->text));
	size_t need = len + 1 + cmd->tail_len + cmd->payload_len;

	/* The payload and an ESC must fit later without waiting. */
	if (!atnet_chat_room(chat, need + 1)) {
		chat->stats.nobufs++;
		atnet_chat_finish(chat, cmd, -ENOBUFS);
		return;
	}
	cmd->deadline = chat->now + cmd->timeout_ms;
	cmd->written = true;
	if (cmd->tail_len) {
		atnet_chat_out(chat, cmd->text, len);
		atnet_chat_out(chat, cmd->tail, cmd->tail_len);
		atnet_chat_out(chat, "\r", 1);
		return;
	}
	/* One write per command line, so the tty sees it in one piece. */
	memcpy(chat->tx, cmd->text, len);
	chat->tx[len] = '\r';
	atnet_chat_out(chat, chat->tx, len + 1);
}

/*
 * Leave data mode, whatever the modem does with ESC: where it cancels the
 * prompt the NULs after it are nothing in command mode; where the length
 * counts (a length-counted send takes any byte) ESC and the NULs complete
 * the payload the modem still expects. Never AT text. Returns how many
 * bytes that takes.
 */
static size_t atnet_chat_fill_len(const struct atnet_chat *chat)
{
	return chat->pending_len ? chat->pending_len : 1;
}

static void atnet_chat_fill(struct atnet_chat *chat)
{
	static const u8 esc = ATNET_CHAT_ESC;
	static const u8 nul[64];
	size_t left = atnet_chat_fill_len(chat) - 1, n;

	chat->pending_len = 0;
	atnet_chat_out(chat, &esc, 1);
	while (left) {
		n = atnet_chat_min(left, sizeof(nul));
		atnet_chat_out(chat, nul, n);
		left -= n;
	}
}

/*
 * ESC (and filler), then the sync command; @cmd waits for its answer. When
 * an earlier sync is still owed its answer (it timed out: the modem may be
 * busy and answer it late, or it was lost), this one takes the other form,
 * the test form "<sync>=?", whose answer lists ranges in parentheses after
 * the prefix instead of values: the earlier one's late answer is then a
 * stray, never this one's.
 */
static void atnet_chat_sync(struct atnet_chat *chat, struct atnet_chat_cmd *cmd)
{
	size_t len = strlen(chat->sync_text);

	if (!atnet_chat_room(chat, atnet_chat_fill_len(chat) + len + 3)) {
		chat->stats.nobufs++;
		atnet_chat_finish(chat, cmd, -ENOBUFS);
		return;
	}
	chat->syncing = true;
	cmd->deadline = chat->now + chat->sync_ms;
	chat->sync_alt = chat->sync_owed ? !chat->sync_alt : false;
	chat->sync_seen = false;
	chat->sync_owed = true;
	chat->stats.syncs++;
	atnet_chat_fill(chat);
	memcpy(chat->tx, chat->sync_text, len);
	if (chat->sync_alt) {
		memcpy(chat->tx + len, "=?", 2);
		len += 2;
	}
	chat->tx[len] = '\r';
	atnet_chat_out(chat, chat->tx, len + 1);
}

static void atnet_chat_start(struct atnet_chat *chat)
{
	struct atnet_chat_cmd *cmd = chat->head;

	chat->head = cmd->next;
	if (!chat->head)
		chat->tail = NULL;
	cmd->next = NULL;
	chat->active = cmd;
	chat->stats.cmds++;
	if (chat->sync_on && (chat->unsure || chat->sync_owed)) {
		atnet_chat_sync(chat, cmd);
		return;
	}
	/* Sync turned off: an answer still owed is not waited for. */
	chat->sync_owed = false;
	/*
	 * No sync (probing, a failed modem): after a send that ended
	 * unprompted the filler still goes first, or a modem collecting its
	 * payload takes this command's text as data. Nothing else: an
	 * autobauding modem trains on the attention prefix, not on ESC.
	 */
	if (chat->pending_len) {
		if (!atnet_chat_room(chat, atnet_chat_fill_len(chat))) {
			chat->stats.nobufs++;
			atnet_chat_finish(chat, cmd, -ENOBUFS);
			return;
		}
		atnet_chat_fill(chat);
	}
	atnet_chat_send(chat, cmd);
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
	if (chat->active == cmd) {
		chat->active = NULL;
		chat->syncing = false;
		/* Written but not prompted: the modem may still collect it. */
		if (cmd->payload_len && cmd->written && !cmd->prompted)
			chat->pending_len = cmd->payload_len;
	}
	cmd->result = result;
	if (result == -ETIMEDOUT)
		chat->stats.timeouts++;
	if (cmd->done)
		cmd->done(cmd, result);
}

/* The error code of "+CME ERROR: n" (@code: " n"; NULL for none). */
static void atnet_chat_code(struct atnet_chat_cmd *cmd, const char *code)
{
	u32 n;

	while (code && *code == ' ')
		code++;
	if (code && !atnet_chat_uint(code, ATNET_CHAT_ERRCODE_MAX, &n))
		cmd->cme_error = n;
}

static void atnet_chat_fail(struct atnet_chat *chat,
			    struct atnet_chat_cmd *cmd, const char *code)
{
	atnet_chat_code(cmd, code);
	chat->stats.errors++;
	atnet_chat_finish(chat, cmd, -EIO);
}

/* "+CME ERROR: n" / "+CMS ERROR: n": the code; "ERROR": ""; else NULL. */
static const char *atnet_chat_error(const char *line)
{
	const char *code;

	if (!strcmp(line, "ERROR"))
		return "";
	code = atnet_chat_prefix(line, "+CME ERROR:");
	if (!code)
		code = atnet_chat_prefix(line, "+CMS ERROR:");
	return code;
}

static bool atnet_chat_is_final(const char *line)
{
	return !strcmp(line, "OK") || atnet_chat_error(line);
}

/* The default final results; true when @line ended @cmd. */
static bool atnet_chat_final(struct atnet_chat *chat,
			     struct atnet_chat_cmd *cmd, const char *line)
{
	const char *code;

	if (!strcmp(line, "OK")) {
		/* No send ends in a plain OK: an earlier command's, late. */
		if (cmd->payload_len) {
			chat->stats.strays++;
			return true;
		}
		atnet_chat_finish(chat, cmd, 0);
		return true;
	}
	code = atnet_chat_error(line);
	if (!code)
		return false;
	atnet_chat_fail(chat, cmd, *code ? code : NULL);
	return true;
}

/*
 * A send before its prompt: only ERROR may be its own answer (a refusal),
 * and even that may be an earlier command's, late: then the prompt follows,
 * so wait a little for it (chat.h). Other lines are URCs.
 */
static bool atnet_chat_unprompted(struct atnet_chat *chat,
				  struct atnet_chat_cmd *cmd, const char *line)
{
	const char *code = atnet_chat_error(line);

	if (!atnet_chat_is_final(line))
		return false;
	if (!code || cmd->doubt) {
		chat->stats.strays++;
		return true;
	}
	atnet_chat_code(cmd, code);
	cmd->doubt = true;
	cmd->deadline = chat->now + ATNET_CHAT_DOUBT_MS;
	return true;
}

/*
 * A sync's answer line: its prefix, with or without the leading '+' (some
 * firmware drops the '+' of an answer; the probe takes both). 1 for the
 * test form's answer (a '(' list), 0 for the plain one's, -1 if none.
 */
static int atnet_chat_sync_answer(const struct atnet_chat *chat,
				  const char *line)
{
	const char *expect = chat->sync_expect;
	const char *rest = atnet_chat_prefix(line, expect);

	if (!rest && expect[0] == '+')
		rest = atnet_chat_prefix(line, expect + 1);
	if (!rest)
		return -1;
	while (*rest == ' ')
		rest++;
	return *rest == '(';
}

/* The sync's echo, either form. */
static bool atnet_chat_sync_echo(const struct atnet_chat *chat,
				 const char *line)
{
	size_t len = strlen(chat->sync_text);

	return !strncmp(line, chat->sync_text, len) &&
	       (!line[len] || !strcmp(line + len, "=?"));
}

/*
 * While a sync is owed its answer (whether or not a command still waits
 * for it): true when @line was the sync's or a stray. Lines other than
 * final results go on to the active command's handler or as URCs.
 */
static bool atnet_chat_sync_line(struct atnet_chat *chat, const char *line)
{
	struct atnet_chat_cmd *cmd = chat->active;

	int form;

	if (atnet_chat_sync_echo(chat, line))
		return true;
	form = chat->sync_expect[0] ? atnet_chat_sync_answer(chat, line) : -1;
	if (form >= 0) {
		/* The other form's answer: an earlier sync's, late. */
		if (form != chat->sync_alt)
			chat->stats.strays++;
		else
			chat->sync_seen = true;
		return true;
	}
	if (!atnet_chat_is_final(line))
		return false;
	if (strcmp(line, "OK") || (chat->sync_expect[0] && !chat->sync_seen)) {
		chat->stats.strays++;
		return true;
	}
	chat->sync_seen = false;
	chat->sync_owed = false;
	chat->unsure = false;
	if (cmd && chat->syncing) {
		chat->syncing = false;
		atnet_chat_send(chat, cmd);
	}
	return true;
}

/* Offer @line to the active command; true when it was consumed. */
static bool atnet_chat_offer(struct atnet_chat *chat,
			     struct atnet_chat_cmd *cmd,
			     const char *line, size_t len)
{
	enum atnet_chat_verdict verdict = ATNET_CHAT_PASS;

	if (chat->syncing)
		return false;	/* not written yet: nothing is its answer */
	if (len == strnlen(cmd->text, sizeof(cmd->text)) &&
	    !memcmp(line, cmd->text, len)) {
		chat->stats.echoes++;
		return true;	/* echo */
	}
	if (cmd->payload_len && !cmd->prompted)
		return atnet_chat_unprompted(chat, cmd, line);

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
	if (chat->sync_owed && atnet_chat_sync_line(chat, chat->line))
		return;
	if (cmd && atnet_chat_offer(chat, cmd, chat->line, len))
		return;
	chat->stats.urcs++;
	chat->ops->urc(chat->ctx, chat->line, len);
}

/*
 * "> " at the start of a line. The active send's prompt (also during its
 * doubt window) gets the payload; any other is a prompt nobody waits for:
 * ESC cancels it, and the next command resynchronises first. While the
 * sync runs its own ESC has already gone after whatever prompted.
 */
static void atnet_chat_prompt(struct atnet_chat *chat)
{
	struct atnet_chat_cmd *cmd = chat->active;

	chat->len = 0;
	if (cmd && !chat->syncing && cmd->payload_len && !cmd->prompted) {
		cmd->prompted = true;
		if (cmd->doubt) {
			cmd->doubt = false;
			cmd->cme_error = -1;
			cmd->deadline = chat->now + cmd->timeout_ms;
		}
		atnet_chat_out(chat, cmd->payload, cmd->payload_len);
		return;
	}
	chat->unsure = true;
	/* Prompted before the modem read the sync's filler: ended by it. */
	if (chat->sync_owed)
		return;
	chat->stats.cancels++;
	if (atnet_chat_room(chat, atnet_chat_fill_len(chat)))
		atnet_chat_fill(chat);
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
 * Does @c, just added to the line, end a data header of the frame table
 * (chat.h)? Ending the header there lets one expect_raw() take the data
 * whatever its encoding, so inline data never counts against the line
 * limit.
 */
static bool atnet_chat_header_end(const struct atnet_chat *chat, u8 c)
{
	const struct atnet_chat_frame *f;
	unsigned int n;
	size_t len, i;

	/* Most bytes end no header: one look-up says so. */
	if (!chat->frame_end[c])
		return false;
	for (f = chat->frames; f && f->prefix; f++) {
		if (c != (u8)f->end)
			continue;
		len = strlen(f->prefix);
		if (chat->len < len + 2 || memcmp(chat->line, f->prefix, len))
			continue;
		for (n = 0, i = len; i < chat->len; i++)
			n += chat->line[i] == f->end;
		if (n >= f->count)
			return true;
	}
	return false;
}

/* Text that ends without CR/LF: the "> " prompt and the data headers. */
static void atnet_chat_early_end(struct atnet_chat *chat, u8 c)
{
	if (chat->len == 2 && c == ' ' && chat->line[0] == '>')
		atnet_chat_prompt(chat);
	else if (atnet_chat_header_end(chat, c))
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
	cmd->written = false;
	cmd->doubt = false;
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
	/* Whatever it was, the modem may still answer it or be prompting. */
	chat->unsure = true;
	if (cmd->doubt)
		atnet_chat_fail(chat, cmd, NULL);
	else
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

void atnet_chat_set_frames(struct atnet_chat *chat,
			   const struct atnet_chat_frame *frames)
{
	const struct atnet_chat_frame *f;

	chat->frames = frames;
	memset(chat->frame_end, 0, sizeof(chat->frame_end));
	for (f = frames; f && f->prefix; f++)
		chat->frame_end[(u8)f->end] = true;
}

void atnet_chat_set_sync(struct atnet_chat *chat, const char *text,
			 const char *expect, u32 timeout_ms)
{
	chat->sync_on = false;
	/* An owed answer is still absorbed while a command waits for it. */
	if (!chat->syncing) {
		chat->sync_owed = false;
		chat->sync_seen = false;
	}
	if (!text || strlen(text) > ATNET_CHAT_SYNC_MAX ||
	    (expect && strlen(expect) > ATNET_CHAT_SYNC_MAX))
		return;
	chat->sync_on = true;
	/* A sync in progress keeps the text and prefix it was written with. */
	if (chat->syncing)
		return;
	/* Lengths checked above: both fit with their NUL. */
	memcpy(chat->sync_text, text, strlen(text) + 1);
	if (!expect)
		expect = "";
	memcpy(chat->sync_expect, expect, strlen(expect) + 1);
	chat->sync_ms = timeout_ms;
}

void atnet_chat_abort(struct atnet_chat *chat, int err)
{
	struct atnet_chat_cmd *cmd = chat->active;
	struct atnet_chat_cmd *queued = chat->head;
	bool outer = atnet_chat_enter(chat);

	/* Written but not prompted: the modem may still collect it. */
	if (cmd && cmd->written) {
		chat->unsure = true;
		if (cmd->payload_len && !cmd->prompted)
			chat->pending_len = cmd->payload_len;
	}
	/* Detach the snapshot before any callback can submit or abort. */
	chat->active = NULL;
	chat->syncing = false;
	/* Whoever aborts gives up on the modem's answers (restart, failure). */
	chat->sync_owed = false;
	chat->sync_seen = false;
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

void atnet_chat_damaged(struct atnet_chat *chat)
{
	chat->unsure = true;
	chat->stats.damaged++;
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
