/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sans-IO AT chat engine. It is fed bytes and time and emits bytes and events
 * through callbacks; it takes no locks and calls no kernel API, so the same
 * chat.c builds in userspace for unit tests and fuzzing. The caller serialises
 * every call on one engine (the modem's lock in the kernel).
 *
 * Framing: lines end in CR, LF or any run of them (echo gives "\r\r\n"); empty
 * lines are skipped. Lines handed to callbacks are NUL-terminated and never
 * contain control bytes. "> " at the start of a line is always a prompt and
 * never text: the active command's when it has a payload (payload_len > 0)
 * and has not been prompted yet (the engine writes the whole payload at
 * once, one ->write()), else a late one (below). With echo on the modem
 * echoes the payload too, and nothing strips that: turn echo off before
 * any payload.
 *
 * Data headers: the dialect's frame table (atnet_chat_set_frames(), none
 * by default) names the headers after which data follows on the same line,
 * with no line end between them. A line that begins with a frame's prefix
 * ends, as a line, at the first of the frame's end bytes at which the text
 * after the prefix is at least two bytes long and holds at least the
 * frame's count of end bytes (the byte is part of the line). Its handler
 * must then take the data, whatever its encoding, with
 * atnet_chat_expect_raw(), or the data is framed as the next line.
 *
 * Raw payloads: a handler that has parsed a length-counted header, one
 * ending in a line end or one the frame table ended, calls
 * atnet_chat_expect_raw(): the next len bytes go to its sink unframed, in
 * chunks as they arrive, the final chunk with last = true. When the header
 * line ended in CR, one LF right after it is still part of the line end, not
 * of the payload. len 0 calls the sink once at once with (empty, 0, true).
 * The engine never reads a length itself: the handler knows its bounds
 * (what it asked for, the encoding) and reports a header it cannot read
 * with atnet_chat_damaged().
 *
 * Matching: while a command is active, a line equal to its text is its echo
 * and is dropped. Every other line is first offered to its ->line() handler.
 * ATNET_CHAT_PASS gives the engine's default: "OK" ends the command with 0,
 * "ERROR" with -EIO, "+CME ERROR: n"/"+CMS ERROR: n" with -EIO and cme_error
 * = n (-1 when n is not a number); anything else is a URC and goes to
 * ops->urc. Without an active command every line is a URC. One command is
 * outstanding at a time; further submissions queue in order. A command's
 * deadline is now + timeout_ms when it is written; atnet_chat_tick() expires
 * at most the one active command per call (-ETIMEDOUT) and starts the next.
 *
 * A result belongs to the command that expects it. A modem answers a
 * command the engine gave up on (timeout) late, and that answer must not end
 * the next one. A command with a payload expects "> " before anything else:
 * before its prompt no line reaches its handler (they are URCs), and a final
 * result is not its own: "OK" is a stray (stats.strays); "ERROR" or
 * "+CME ERROR" may be its refusal or a stray, so the command waits
 * ATNET_CHAT_DOUBT_MS more for its prompt before it ends with -EIO. No send
 * answers a plain "OK" after its payload either: there it is a stray too.
 * A "> " that no command waits for means the modem is collecting payload for
 * a command the engine no longer runs. The engine answers with the filler,
 * never AT text, which the modem would take as payload: ESC (0x1b), which
 * cancels a prompt (a send command whose data ends in Ctrl-Z takes ESC as
 * "do not send"), and when a send ended unprompted (pending_len), NUL bytes
 * up to its length: a length-counted send takes every byte as data, ESC
 * too, so the filler completes it. The peer of a send that already failed
 * may then get ESC and NULs, never a command.
 *
 * Resynchronisation: after a timeout, a send that ended without its payload
 * or a late prompt, the engine is unsure of the modem's state. With a sync
 * command set (atnet_chat_set_sync()), the next command is then preceded by
 * the filler and the sync command: the filler ends any payload collection
 * (the modem takes its input in order, so it comes after any command that
 * may still prompt), and until the sync's own answer line (its prefix, the
 * leading '+' optional) and then "OK" arrive, every final result is a
 * stray. Only then is the command written, with its own deadline; when the
 * sync times out, the command ends with -ETIMEDOUT without having been
 * written. The sync stays owed its answer after that, and it is absorbed
 * also while no command runs. The next sync written while one is owed
 * takes the other form, the test form "<sync>=?", whose answer line is a
 * '(' list after the prefix: a busy modem's late answer to the earlier
 * sync is then a stray and never releases a command early; a sync that
 * was lost (an autobauding modem swallowed it) does not block the next.
 * atnet_chat_abort() gives up on an owed sync. Without a sync command
 * the filler still precedes the next command after a send that ended
 * unprompted (also by abort), so no command text becomes payload.
 *
 * Room: when ops->room is set, a command is written only when the command,
 * its tail, its payload and an ESC fit at once; otherwise it ends with
 * -ENOBUFS unwritten, so a full transmit buffer never cuts a command or a
 * payload short.
 *
 * Callbacks (->write, ->urc, ->line, ->done, sinks) may call
 * atnet_chat_submit(), atnet_chat_expect_raw() and atnet_chat_abort(); they
 * must not call atnet_chat_feed() or atnet_chat_tick() (ignored if they do).
 * A command submitted from a callback is written only after the outermost
 * callback returns, so a handler never sees the engine change under it.
 *
 * Abort completes the commands active or queued when it is called, active
 * first, then in queue order, and ends a pending raw payload with one
 * (empty, 0, last = true) sink call. Commands that ->done() callbacks submit
 * during the abort are not aborted: they queue and start when the abort
 * returns, so a resubmitting ->done() cannot loop. To tear down, stop
 * submitting first.
 *
 * Bad input: lines longer than ATNET_CHAT_LINE_MAX are discarded whole and
 * counted (stats.overlong, their bytes in stats.garbage); NUL and other
 * control bytes outside raw payloads are dropped and counted as garbage. The
 * engine never reads or writes out of bounds for any byte sequence.
 */
#ifndef _ATNET_CHAT_H
#define _ATNET_CHAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
typedef __u8 u8;
typedef __u32 u32;
typedef __u64 u64;
#endif

/* A URC with 2048 hex characters of data inline, and its header. */
#define ATNET_CHAT_LINE_MAX	2200
/* A command line with three quoted 50-byte fields (APN, user, password). */
#define ATNET_CHAT_CMD_MAX	300
#define ATNET_CHAT_ESC		0x1b	/* cancels a "> " prompt */
#define ATNET_CHAT_DOUBT_MS	500	/* a prompt may follow a stray ERROR */
#define ATNET_CHAT_SYNC_MAX	31	/* the sync command and its answer prefix */

enum atnet_chat_verdict {
	ATNET_CHAT_PASS,	/* not mine: default final-result / URC handling */
	ATNET_CHAT_MORE,	/* consumed; the command goes on */
	ATNET_CHAT_DONE,	/* consumed; the command ends with cmd->result */
};

struct atnet_chat;

typedef void (*atnet_chat_sink_t)(void *ctx, const u8 *buf, size_t len,
				   bool last);

struct atnet_chat_cmd {
	/* Filled in by the submitter. */
	char text[ATNET_CHAT_CMD_MAX];	/* without the trailing CR */
	const u8 *payload;		/* written after the "> " prompt */
	size_t payload_len;
	/* Written right after text, before its CR (long hex command lines). */
	const u8 *tail;
	size_t tail_len;
	u32 timeout_ms;
	/* May be NULL: then only the default handling applies. */
	enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *cmd,
					const char *line, size_t len);
	/*
	 * Called exactly once, also on timeout (-ETIMEDOUT) and abort; may be
	 * NULL. The engine no longer touches @cmd once it is called.
	 */
	void (*done)(struct atnet_chat_cmd *cmd, int result);
	void *priv;

	/* Set by ->line() before returning ATNET_CHAT_DONE, else by the engine. */
	int result;
	int cme_error;			/* n of "+CME ERROR: n", else -1 */

	/* Engine private. */
	struct atnet_chat_cmd *next;
	u64 deadline;
	bool prompted;
	bool written;			/* its line went to the modem */
	bool doubt;			/* ERROR before the prompt: wait a little */
};

/*
 * Fill in the submitter's part of @cmd but its text, payload and tail (none
 * by default); atnet_chat_submit() resets result, cme_error and the engine's
 * fields itself.
 */
static inline void
atnet_chat_cmd_prepare(struct atnet_chat_cmd *cmd, u32 timeout_ms,
		       enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *,
						       const char *, size_t),
		       void (*done)(struct atnet_chat_cmd *, int), void *priv)
{
	cmd->payload = NULL;
	cmd->payload_len = 0;
	cmd->tail = NULL;
	cmd->tail_len = 0;
	cmd->timeout_ms = timeout_ms;
	cmd->line = line;
	cmd->done = done;
	cmd->priv = priv;
}

struct atnet_chat_ops {
	/* Bytes for the modem. Must take them all (the caller sizes its buffer
	 * for one command plus its payload).
	 */
	void (*write)(void *ctx, const u8 *buf, size_t len);
	/* A line no active command claimed. */
	void (*urc)(void *ctx, const char *line, size_t len);
	/* May be NULL: bytes ->write() takes now without dropping any. */
	size_t (*room)(void *ctx);
};

/*
 * One data header that the data follows on the same line (see Data headers
 * above): a line beginning @prefix ends at an @end byte once @count of them
 * follow the prefix (0 counts as 1). A table ends with a NULL @prefix.
 */
struct atnet_chat_frame {
	const char *prefix;
	char end;
	u8 count;
};

struct atnet_chat_stats {
	u64 lines;
	u64 urcs;
	u64 cmds;
	u64 timeouts;
	u64 errors;		/* commands ended by ERROR, +CME/+CMS ERROR */
	u64 garbage;		/* bytes dropped: overlong lines, stray controls */
	u64 overlong;		/* lines dropped for length */
	u64 echoes;		/* command lines echoed back */
	u64 strays;		/* final results no command expected */
	u64 cancels;		/* ESC written for a prompt nobody waits for */
	u64 syncs;		/* resynchronisations started */
	u64 nobufs;		/* commands not written for lack of room */
	u64 damaged;		/* input reported lost or unreadable */
};

struct atnet_chat {
	const struct atnet_chat_ops *ops;
	void *ctx;
	const struct atnet_chat_frame *frames;	/* the dialect's, or NULL */
	bool frame_end[256];			/* their end bytes */

	struct atnet_chat_cmd *active;
	struct atnet_chat_cmd *head, *tail;	/* queued, not yet written */

	char line[ATNET_CHAT_LINE_MAX + 1];
	size_t len;
	bool overlong;				/* discarding to end of line */
	bool skip_lf;				/* last line ended in CR */

	size_t raw_left;			/* bytes still owed to raw_sink */
	atnet_chat_sink_t raw_sink;
	void *raw_ctx;

	u64 now;
	bool in_callback;			/* defer starting the next command */
	bool unsure;				/* resync before the next command */
	size_t pending_len;			/* payload the modem may still want */
	bool syncing;				/* active command waits for the sync */
	bool sync_seen;				/* the sync's answer line came */
	bool sync_owed;				/* sync written, answer not seen */
	bool sync_alt;				/* it was the "=?" form */
	bool sync_on;				/* resync before commands */
	char sync_text[ATNET_CHAT_SYNC_MAX + 1];	/* a sync in progress */
	char sync_expect[ATNET_CHAT_SYNC_MAX + 1];	/* keeps its own */
	u32 sync_ms;
	struct atnet_chat_stats stats;

	char tx[ATNET_CHAT_CMD_MAX + 1];	/* command text plus CR */
};

void atnet_chat_init(struct atnet_chat *chat, const struct atnet_chat_ops *ops,
		     void *ctx);
/* Queue @cmd; written at once when no command is active. */
void atnet_chat_submit(struct atnet_chat *chat, struct atnet_chat_cmd *cmd,
		       u64 now_ms);
/* Bytes from the modem. */
void atnet_chat_feed(struct atnet_chat *chat, const u8 *buf, size_t len,
		     u64 now_ms);
/* Time passes: expire the active command if its deadline is reached. */
void atnet_chat_tick(struct atnet_chat *chat, u64 now_ms);
/* The active command's deadline (at least 1), or 0 when nothing waits. */
u64 atnet_chat_deadline(const struct atnet_chat *chat);
/*
 * From a ->line() or ->urc() handler: the next @len bytes go to @sink.
 * Ignored while another raw payload is pending or without a sink.
 */
void atnet_chat_expect_raw(struct atnet_chat *chat, size_t len,
			   atnet_chat_sink_t sink, void *ctx);
/*
 * The data headers of the modem's dialect (see above): @frames, ended by an
 * entry with a NULL prefix, is used in place from the next byte on and must
 * outlive its use; NULL (the default) for none.
 */
void atnet_chat_set_frames(struct atnet_chat *chat,
			   const struct atnet_chat_frame *frames);
/*
 * The command that resynchronises with the modem (see above): @text (NULL
 * turns resync off), the prefix of its answer line @expect (NULL: the first
 * "OK" counts), its timeout. Both are copied, except while a sync runs: it
 * ends as it began. Longer than ATNET_CHAT_SYNC_MAX turns resync off.
 */
void atnet_chat_set_sync(struct atnet_chat *chat, const char *text,
			 const char *expect, u32 timeout_ms);
/*
 * Input was lost or unreadable (a UART overrun, a data header whose length
 * cannot be read): what follows may be misframed, so resynchronise before
 * the next command. Callable from callbacks.
 */
void atnet_chat_damaged(struct atnet_chat *chat);
/* Complete the active and every queued command with @err (modem gone). */
void atnet_chat_abort(struct atnet_chat *chat, int err);
bool atnet_chat_busy(const struct atnet_chat *chat);

/* Tolerant parsing helpers shared by the dialects. */

/* @line starts with @prefix; returns the rest, else NULL. */
const char *atnet_chat_prefix(const char *line, const char *prefix);
/*
 * Parse up to @max comma-separated fields of @s into @out (pointers into a
 * copy in @buf of @bufsz bytes): spaces around fields and surrounding quotes
 * are removed; commas inside quotes do not split. Fields beyond @max are
 * ignored (newer firmware appends fields). Returns the number of fields (0
 * for an empty @s), or -EINVAL (unbalanced quotes, @buf too small, @max < 1).
 */
int atnet_chat_fields(const char *s, char *buf, size_t bufsz,
		      const char **out, int max);
/* Strict decimal parse of a whole field into [0, max]; -EINVAL otherwise. */
int atnet_chat_uint(const char *s, u32 max, u32 *val);

#endif /* _ATNET_CHAT_H */
