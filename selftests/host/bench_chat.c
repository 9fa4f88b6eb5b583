// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing throughput of the chat engine, in userspace: how many bytes per
 * second it frames, with the dialects' data-header tables as the module
 * sets them. Three profiles: text (command answers and URCs, every byte
 * through the line framer, SIM7000 table), data (+RECEIVE headers with
 * 1460-byte raw payloads, the bulk path, SIM7000 table) and hex (+CSONMI
 * headers the table ends, 1024 bytes as 2048 hex digits, SIM7020 table).
 * Not a timed test: it only prints numbers.
 *
 * Usage: bench_chat [MiB per profile]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chat.h"
#include "frames.h"

static struct atnet_chat chat;
static struct atnet_chat_cmd cmd;
static unsigned long long lines, rawbytes;

static void b_write(void *ctx, const u8 *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

static void b_sink(void *ctx, const u8 *buf, size_t len, bool last)
{
	(void)ctx;
	(void)buf;
	(void)last;
	rawbytes += len;
}

static void b_urc(void *ctx, const char *line, size_t len)
{
	const char *rest = atnet_chat_prefix(line, "+RECEIVE,");
	u32 n;

	(void)ctx;
	lines++;
	/* The headers here are always "+RECEIVE,0,1460:", "+CSONMI: 0,2048,". */
	if (rest && len > 12 && !atnet_chat_uint("1460", 1460, &n))
		atnet_chat_expect_raw(&chat, n, b_sink, NULL);
	else if (line[1] == 'C' && atnet_chat_prefix(line, "+CSONMI:") &&
		 !atnet_chat_uint("2048", 2048, &n))
		atnet_chat_expect_raw(&chat, n, b_sink, NULL);
}

static void b_done(struct atnet_chat_cmd *c, int result)
{
	(void)result;
	/* Keep one command outstanding, as a busy driver would. */
	atnet_chat_submit(&chat, c, 0);
}

static const struct atnet_chat_ops b_ops = {
	.write = b_write,
	.urc = b_urc,
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

enum profile { TEXT, DATA, HEX };

static size_t fill(char *buf, size_t size, enum profile p)
{
	static const char text[] =
		"\r\n+CIPRXGET: 1,0\r\n\r\n+CSQ: 20,0\r\n\r\nOK\r\n"
		"\r\nC: 1,0,\"TCP\",\"116.228.221.51\",\"8500\",\"CONNECTED\"\r\n"
		"\r\n0, SEND OK\r\n\r\nDATA ACCEPT:0,10\r\n\r\nOK\r\n";
	size_t len = 0, n;

	while (len + 2100 < size) {
		if (p == DATA) {
			n = sprintf(buf + len, "\r\n+RECEIVE,0,1460:\r\n");
			memset(buf + len + n, 'x', 1460);
			n += 1460;
			n += sprintf(buf + len + n, "\r\nOK\r\n");
		} else if (p == HEX) {
			n = sprintf(buf + len, "\r\n+CSONMI: 0,2048,");
			memset(buf + len + n, 'a', 2048);
			n += 2048;
			n += sprintf(buf + len + n, "\r\n");
		} else {
			memcpy(buf + len, text, sizeof(text) - 1);
			n = sizeof(text) - 1;
		}
		len += n;
	}
	return len;
}

static void run(const char *name, enum profile p,
		const struct atnet_chat_frame *frames, size_t mib)
{
	static char buf[1 << 16];
	size_t len = fill(buf, sizeof(buf), p), off, total = 0;
	double t0, t;

	atnet_chat_init(&chat, &b_ops, NULL);
	atnet_chat_set_frames(&chat, frames);
	snprintf(cmd.text, sizeof(cmd.text), "AT+CSQ");
	cmd.timeout_ms = 1000;
	cmd.done = b_done;
	atnet_chat_submit(&chat, &cmd, 0);
	lines = 0;
	rawbytes = 0;
	t0 = now_s();
	while (total < mib << 20) {
		/* 4 KiB pieces, like a tty flip buffer. */
		for (off = 0; off < len; off += 4096)
			atnet_chat_feed(&chat, (const u8 *)buf + off,
					len - off < 4096 ? len - off : 4096, 0);
		total += len;
	}
	t = now_s() - t0;
	printf("%-5s %8.1f MB/s  %zu bytes in %.3f s, %llu lines, %llu raw bytes, %llu garbage\n",
	       name, total / t / 1e6, total, t, lines, rawbytes,
	       (unsigned long long)chat.stats.garbage);
	atnet_chat_abort(&chat, -1);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;

	run("text", TEXT, atnet_sim7000_frames, mib);
	run("data", DATA, atnet_sim7000_frames, mib);
	run("hex", HEX, atnet_sim7020_frames, mib);
	return 0;
}
