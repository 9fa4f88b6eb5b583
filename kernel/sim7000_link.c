// SPDX-License-Identifier: GPL-2.0
/*
 * The AT of SIM7000 links (SIM7000 Series TCP/IP Application Note,
 * sections 4, 7, 8 and 10), with AT+CIPMUX=1, AT+CIPQSEND=1 and
 * AT+CIPRXGET=1 set by the bring-up:
 *
 *   AT+CIPSTART=n,"TCP","a.b.c.d",port   OK, later "n, CONNECT OK|FAIL"
 *   AT+CIPSEND?                          "+CIPSEND: n,size" per link, OK
 *   AT+CIPSEND=n,len  "> "  payload      "DATA ACCEPT:n,len" | "n, SEND OK|FAIL"
 *   AT+CIPRXGET=2,n,len                  "+CIPRXGET: 2,n,got,left", got bytes, OK
 *   AT+CIPCLOSE=n                        "n, CLOSE OK"
 *   AT+CIPACK=n                          "+CIPACK: tx,acked,nacked", OK
 *   AT+CLPORT=n,"TCP",port               OK (bound local port, before CIPSTART)
 *   AT+CIPSTATUS=n                       "+CIPSTATUS: n,ctx,"TCP","ip","port","STATE"", OK
 *   URCs: "+CIPRXGET: 1,n", "n, CLOSED", "n, REMOTE IP: a.b.c.d" (a client
 *   of the modem's server: a listening socket takes it, or it is hung up)
 *
 * Unconnected UDP sockets get a link per peer (socket.c): the modem's "UDP
 * extended mode" (AT+CIPUDPMODE, SIM7000 Series TCP/IP Application Note,
 * 3.1.4) exists only in single-link mode (AT+CIPMUX=0), which would cost
 * every other link; a connected UDP link hears only its peer, so AT+CIPSRIP
 * is not needed either. A bound port is set with AT+CLPORT before the
 * link's AT+CIPSTART.
 *
 * Result lines come as "0, CONNECT OK" or "0,CONNECT OK": both are taken.
 * Everything here runs under the modem lock (chat engine callbacks).
 */
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/string.h>

#include "answer.h"
#include "chat.h"
#include "dialect.h"
#include "link.h"
#include "modem.h"
#include "sim7000.h"
#include "sim7000_link.h"

#define ATNET_SIM7000_CMD_MS	10000	/* CIPSEND, CIPRXGET, CIPCLOSE, CIPACK */
#define ATNET_SIM7000_OPEN_MS	20000	/* AT+CIPSTART's own OK */

/*
 * The decimal number at @p, up to the first of @stops (which must follow),
 * at most @max: what follows its stop, or NULL. answer.h has no parser of
 * a number that ends a line's head; chat.h's field parser does the digits.
 */
static const char *atnet_sim7000_num(const char *p, const char *stops,
				     u32 max, u32 *val)
{
	size_t n = strcspn(p, stops);
	char num[12];

	if (!p[n] || n >= sizeof(num))
		return NULL;
	memcpy(num, p, n);
	num[n] = '\0';
	if (atnet_chat_uint(num, max, val))
		return NULL;
	return p + n + 1;
}

/*
 * "n, WORDS" or "n,WORDS": returns WORDS and sets *slot, or NULL when the
 * line does not start with a link number.
 */
static const char *atnet_sim7000_slot_line(const char *line, unsigned int *slot)
{
	const char *p;
	u32 n;

	p = atnet_sim7000_num(line, ",", 255, &n);
	if (!p)
		return NULL;
	*slot = n;
	return skip_spaces(p);
}

/* "n, WORDS" about @l's own slot: WORDS, else NULL. */
static const char *atnet_sim7000_link_line(const struct atnet_link *l,
					   const char *line)
{
	unsigned int slot;
	const char *what = atnet_sim7000_slot_line(line, &slot);

	return what && slot == l->slot ? what : NULL;
}

/* A line handler's verdict that ends its command with @result. */
static enum atnet_chat_verdict atnet_sim7000_end(struct atnet_chat_cmd *cmd,
						 int result)
{
	cmd->result = result;
	return ATNET_CHAT_DONE;
}

/* ---- AT+CIPSGTXT / AT+CIPSEND? (sel_cmd) ----------------------------- */

static void atnet_sim7000_select_done(struct atnet_chat_cmd *cmd, int result)
{
	/* Older firmware without the command keeps context 0: not fatal. */
	atnet_link_sel_done(atnet_link_of_cmd(cmd), result);
}

static enum atnet_chat_verdict
atnet_sim7000_limits_line(struct atnet_chat_cmd *cmd, const char *line,
			  size_t len)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	const char *rest = atnet_chat_prefix(line, "+CIPSEND:");
	u32 slot, size;

	if (!rest)
		return ATNET_CHAT_PASS;
	if (!atnet_parse_cipsend(rest, &slot, &size) && slot == l->slot)
		l->note.sel_mtu = size;
	return ATNET_CHAT_MORE;
}

/* Every command but AT+CIPSTART and AT+CIPSEND: the usual time, no data. */
static int atnet_sim7000_cmd(struct atnet_link *l, struct atnet_chat_cmd *cmd,
			     enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *,
							     const char *, size_t),
			     void (*done)(struct atnet_chat_cmd *, int))
{
	return atnet_link_submit(l, cmd, ATNET_SIM7000_CMD_MS, line, done,
				 NULL, 0);
}

static void atnet_sim7000_limits_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);

	if (!result && l->note.sel_mtu)
		atnet_link_set_mtu(l, l->note.sel_mtu);
	atnet_link_sel_done(l, 0);
	atnet_link_connected(l, 0);
}

/* "n, CONNECT OK": ask how much one AT+CIPSEND may carry, then go. */
static void atnet_sim7000_connect_ok(struct atnet_link *l)
{
	struct atnet_chat_cmd *cmd = &l->sel_cmd;

	if (l->busy & ATNET_LINK_BUSY_SEL) {
		atnet_link_connected(l, 0);
		return;
	}
	l->note.sel_mtu = 0;
	strscpy(cmd->text, "AT+CIPSEND?", sizeof(cmd->text));
	l->busy |= ATNET_LINK_BUSY_SEL;
	if (atnet_sim7000_cmd(l, cmd, atnet_sim7000_limits_line,
			      atnet_sim7000_limits_done)) {
		l->busy &= ~ATNET_LINK_BUSY_SEL;
		atnet_link_connected(l, 0);
	}
}

/* ---- AT+CIPSTART (ctl_cmd) ------------------------------------------ */

static void atnet_sim7000_result(struct atnet_link *l, const char *what)
{
	if (!strcmp(what, "CONNECT OK"))
		atnet_sim7000_connect_ok(l);
	else if (!strcmp(what, "ALREADY CONNECT"))
		atnet_link_already(l);
	else
		atnet_link_connected(l, -ECONNREFUSED);
}

static bool atnet_sim7000_is_result(const char *what)
{
	return !strcmp(what, "CONNECT OK") || !strcmp(what, "CONNECT FAIL") ||
	       !strcmp(what, "ALREADY CONNECT");
}

static enum atnet_chat_verdict
atnet_sim7000_open_line(struct atnet_chat_cmd *cmd, const char *line,
			size_t len)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	const char *what = atnet_sim7000_link_line(l, line);

	/* Some firmware reports the result before the OK: keep waiting. */
	if (what && atnet_sim7000_is_result(what)) {
		atnet_sim7000_result(l, what);
		return ATNET_CHAT_MORE;
	}
	return ATNET_CHAT_PASS;
}

static void atnet_sim7000_open_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);

	/* Never written (its sync timed out, no room): nothing to close. */
	if (!cmd->written)
		l->open_sent = false;
	/* ERROR: the modem would not even try (no bearer, bad state). */
	atnet_link_open_done(l, result == -EIO ? -ENETUNREACH : result);
}

static void atnet_sim7000_lport_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	struct atnet_modem *m = l->modem;

	l->busy &= ~ATNET_LINK_BUSY_PORT;
	if (result) {
		/* Unknown now; the connect must not go out from another port. */
		atnet_sim7000(m)->clport[atnet_link_dgram(l)] = -1;
		atnet_link_abort(l, -EADDRINUSE);
	}
	atnet_link_kick(l);
}

/*
 * AT+CLPORT=n,"TCP"|"UDP",port (SIM7000 Series TCP/IP Application Note,
 * 3.3): the local port of the next client link of that protocol, 0 =
 * automatic. The modem keeps the setting, so it is sent only when the port
 * wanted differs from it.
 */
static int atnet_sim7000_lport(struct atnet_modem *m, struct atnet_link *l)
{
	int idx = atnet_link_dgram(l), err;

	if (atnet_sim7000(m)->clport[idx] == l->local_port)
		return 0;
	snprintf(l->port_cmd.text, sizeof(l->port_cmd.text),
		 "AT+CLPORT=%u,\"%s\",%u", l->slot, idx ? "UDP" : "TCP",
		 l->local_port);
	l->busy |= ATNET_LINK_BUSY_PORT;
	err = atnet_sim7000_cmd(l, &l->port_cmd, NULL, atnet_sim7000_lport_done);
	if (err) {
		l->busy &= ~ATNET_LINK_BUSY_PORT;
		return err;
	}
	atnet_sim7000(m)->clport[idx] = l->local_port;
	return 0;
}

static int atnet_sim7000_open(struct atnet_modem *m, struct atnet_link *l)
{
	struct atnet_chat_cmd *cmd = &l->ctl_cmd;
	int err;

	lockdep_assert_held(&m->lock);
	/* Two contexts: AT+CIPSGTXT picks the one the next CIPSTART uses. */
	if (m->n_ctx > 1 && atnet_sim7000(m)->cur_ctx != l->ctx &&
	    !(l->busy & ATNET_LINK_BUSY_SEL)) {
		snprintf(l->sel_cmd.text, sizeof(l->sel_cmd.text),
			 "AT+CIPSGTXT=%u", l->ctx);
		l->busy |= ATNET_LINK_BUSY_SEL;
		err = atnet_sim7000_cmd(l, &l->sel_cmd, NULL,
					atnet_sim7000_select_done);
		if (err) {
			l->busy &= ~ATNET_LINK_BUSY_SEL;
			return err;
		}
		atnet_sim7000(m)->cur_ctx = l->ctx;
	}
	err = atnet_sim7000_lport(m, l);
	if (err)
		return err;
	snprintf(cmd->text, sizeof(cmd->text),
		 "AT+CIPSTART=%u,\"%s\",\"%pI4\",%u", l->slot,
		 atnet_link_dgram(l) ? "UDP" : "TCP", &l->remote_addr,
		 ntohs(l->remote_port));
	return atnet_link_submit(l, cmd, ATNET_SIM7000_OPEN_MS,
				 atnet_sim7000_open_line,
				 atnet_sim7000_open_done, NULL, 0);
}

/* ---- AT+CIPSEND=n,len (tx_cmd) ------------------------------------- */

/*
 * The slot's line that ends a send ("n, SEND OK", "n, SEND FAIL", or
 * "DATA ACCEPT:n,len" with AT+CIPQSEND=1) or a close ("n, CLOSE OK").
 */
static enum atnet_chat_verdict
atnet_sim7000_result_line(struct atnet_chat_cmd *cmd, const char *line,
			  size_t len)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	const char *what = atnet_sim7000_link_line(l, line);
	bool send = cmd == &l->tx_cmd;

	if (send && atnet_chat_prefix(line, "DATA ACCEPT:"))
		return atnet_sim7000_end(cmd, 0);
	if (!what)
		return ATNET_CHAT_PASS;
	if (!strcmp(what, send ? "SEND OK" : "CLOSE OK"))
		return atnet_sim7000_end(cmd, 0);
	if (send && !strcmp(what, "SEND FAIL"))
		return atnet_sim7000_end(cmd, -ECOMM);
	return ATNET_CHAT_PASS;
}

static void atnet_sim7000_send_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);

	/* ERROR to a send: the modem would not take it. */
	if (result == -EIO)
		result = -ECOMM;
	atnet_link_sent(l, cmd->payload_len, result);
}

static int atnet_sim7000_send(struct atnet_modem *m, struct atnet_link *l,
			      const u8 *buf, size_t len)
{
	struct atnet_chat_cmd *cmd = &l->tx_cmd;

	lockdep_assert_held(&m->lock);
	if (!len || len > ATNET_LINK_MTU_MAX)
		return -EMSGSIZE;
	snprintf(cmd->text, sizeof(cmd->text), "AT+CIPSEND=%u,%zu", l->slot,
		 len);
	return atnet_link_submit(l, cmd, ATNET_SIM7000_CMD_MS,
				 atnet_sim7000_result_line,
				 atnet_sim7000_send_done, buf, len);
}

/* ---- AT+CIPRXGET=2,n,len (rx_cmd) ---------------------------------- */

static void atnet_sim7000_rx_sink(void *ctx, const u8 *buf, size_t len,
				  bool last)
{
	atnet_link_rx(ctx, buf, len);
}

static void atnet_sim7000_drop_sink(void *ctx, const u8 *buf, size_t len,
				    bool last)
{
}

#define ATNET_SIM7000_FIELDS_MAX	48

/*
 * The fields of an answer line "prefix: a,b,...": how many (up to @n) in
 * @f, copied into @buf; -EINVAL when they are unreadable, -ENOENT when the
 * line has another prefix.
 */
static int atnet_sim7000_fields(const char *line, const char *prefix,
				char buf[ATNET_SIM7000_FIELDS_MAX],
				const char **f, int n)
{
	const char *rest = atnet_chat_prefix(line, prefix);

	if (!rest)
		return -ENOENT;
	return atnet_chat_fields(rest, buf, ATNET_SIM7000_FIELDS_MAX, f, n);
}

static enum atnet_chat_verdict
atnet_sim7000_recv_line(struct atnet_chat_cmd *cmd, const char *line,
			size_t len)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	char buf[ATNET_SIM7000_FIELDS_MAX];
	u32 mode, slot, got, left, asked;
	const char *f[4];

	if (atnet_sim7000_fields(line, "+CIPRXGET:", buf, f, 4) != 4 ||
	    atnet_chat_uint(f[0], 4, &mode) || mode != 2 ||
	    atnet_chat_uint(f[1], 255, &slot) || slot != l->slot)
		return ATNET_CHAT_PASS;	/* "+CIPRXGET: 1,n" is a URC */
	/*
	 * No more than was asked for: a corrupted digit must not swallow
	 * later output as data. Unreadable, the data that follows would be
	 * read as lines: the link's stream has a hole (EIO) and the engine
	 * resynchronises before the next command.
	 */
	/* What we asked for is in our own command line. */
	asked = ATNET_LINK_MTU_MAX;
	if (atnet_chat_uint(strrchr(cmd->text, ',') + 1, ATNET_LINK_MTU_MAX,
			    &asked))
		asked = ATNET_LINK_MTU_MAX;
	if (atnet_chat_uint(f[2], asked, &got) ||
	    atnet_chat_uint(f[3], 0x7fffffff, &left)) {
		atnet_chat_damaged(&l->modem->chat);
		cmd->result = -EBADMSG;
		return ATNET_CHAT_DONE;
	}
	l->note.rx_left = left;
	/* atnet_link_rx() never writes more than was asked for. */
	atnet_chat_expect_raw(&l->modem->chat, got, atnet_sim7000_rx_sink, l);
	return ATNET_CHAT_MORE;
}

static void atnet_sim7000_recv_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);

	/*
	 * Never written (the sync before it timed out, no room): the modem
	 * still holds the bytes, the stream has no hole. Ask again after a
	 * sync timeout (that waits its own deadline); after -ENOBUFS the
	 * next "+CIPRXGET: 1" or read asks.
	 */
	if (result && !cmd->written) {
		atnet_link_rx_done(l, result == -ETIMEDOUT, 0);
		return;
	}
	atnet_link_rx_done(l, result ? 0 : l->note.rx_left, result);
	/*
	 * No answer: the modem may have taken the bytes out of its buffer
	 * and send them late (dropped then, see the URC). A stream with a
	 * hole cannot go on: fail it rather than lose bytes silently.
	 */
	if ((result == -ETIMEDOUT || result == -EBADMSG) &&
	    !atnet_link_dgram(l))
		atnet_link_abort(l, -EIO);
}

static int atnet_sim7000_recv(struct atnet_modem *m, struct atnet_link *l,
			      size_t max)
{
	struct atnet_chat_cmd *cmd = &l->rx_cmd;

	lockdep_assert_held(&m->lock);
	max = min_t(size_t, max, ATNET_LINK_MTU_MAX);
	l->note.rx_left = 0;
	snprintf(cmd->text, sizeof(cmd->text), "AT+CIPRXGET=2,%u,%zu", l->slot,
		 max);
	return atnet_sim7000_cmd(l, cmd, atnet_sim7000_recv_line,
				 atnet_sim7000_recv_done);
}

/* ---- AT+CIPCLOSE=n (ctl_cmd) --------------------------------------- */

static void atnet_sim7000_close_done(struct atnet_chat_cmd *cmd, int result)
{
	atnet_link_close_done(atnet_link_of_cmd(cmd), result);
}

static int atnet_sim7000_close(struct atnet_modem *m, struct atnet_link *l)
{
	struct atnet_chat_cmd *cmd = &l->ctl_cmd;

	lockdep_assert_held(&m->lock);
	snprintf(cmd->text, sizeof(cmd->text), "AT+CIPCLOSE=%u", l->slot);
	return atnet_sim7000_cmd(l, cmd, atnet_sim7000_result_line,
				 atnet_sim7000_close_done);
}

/* ---- AT+CIPACK=n (ack_cmd) ----------------------------------------- */

static enum atnet_chat_verdict
atnet_sim7000_ack_line(struct atnet_chat_cmd *cmd, const char *line,
		       size_t len)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	char buf[ATNET_SIM7000_FIELDS_MAX];
	const char *f[3];
	u32 v[3];
	int i, n;

	n = atnet_sim7000_fields(line, "+CIPACK:", buf, f, 3);
	if (n == -ENOENT)
		return ATNET_CHAT_PASS;
	if (n != 3)
		return ATNET_CHAT_MORE;
	for (i = 0; i < 3; i++)
		if (atnet_chat_uint(f[i], 0xffffffff, &v[i]))
			return ATNET_CHAT_MORE;
	l->note.ack_tx = v[0];
	l->note.ack_acked = v[1];
	l->note.ack_nacked = v[2];
	return ATNET_CHAT_MORE;
}

static void atnet_sim7000_ack_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);

	atnet_link_acked(l, l->note.ack_tx, l->note.ack_acked,
			 l->note.ack_nacked, result);
}

static int atnet_sim7000_ack(struct atnet_modem *m, struct atnet_link *l)
{
	struct atnet_chat_cmd *cmd = &l->ack_cmd;

	lockdep_assert_held(&m->lock);
	/* No answer line leaves the last known figures standing. */
	l->note.ack_tx = l->tx_bytes;
	l->note.ack_acked = l->acked;
	l->note.ack_nacked = l->nacked;
	snprintf(cmd->text, sizeof(cmd->text), "AT+CIPACK=%u", l->slot);
	return atnet_sim7000_cmd(l, cmd, atnet_sim7000_ack_line,
				 atnet_sim7000_ack_done);
}

const struct atnet_link_ops atnet_sim7000_link_ops = {
	.open = atnet_sim7000_open,
	.send = atnet_sim7000_send,
	.recv = atnet_sim7000_recv,
	.close = atnet_sim7000_close,
	.ack = atnet_sim7000_ack,
};

/* ---- clients of the modem's server --------------------------------- */

/* "+CIPSTATUS: n,ctx,"TCP","ip","port","STATE"": the client's port. */
static enum atnet_chat_verdict
atnet_sim7000_peer_line(struct atnet_chat_cmd *cmd, const char *line,
			size_t len)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	const char *rest = atnet_chat_prefix(line, "+CIPSTATUS:");
	struct atnet_cipstatus_answer c;

	if (!rest)
		return ATNET_CHAT_PASS;
	if (!atnet_parse_cipstatus(rest, &c) && c.slot == l->slot &&
	    c.port >= 0)
		l->remote_port = htons(c.port);
	return ATNET_CHAT_MORE;
}

static void atnet_sim7000_peer_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);

	/* Without the port the client is still a client: accept it. */
	atnet_link_sel_done(l, 0);
	if (l->owner_ops)
		l->owner_ops->state_change(l);
}

/*
 * "n, REMOTE IP: a.b.c.d": a listening socket takes it (the link is ready
 * for accept() once AT+CIPSTATUS=n told the client's port), or nobody
 * does and it is hung up.
 */
static void atnet_sim7000_incoming(struct atnet_modem *m, unsigned int slot,
				   const char *ip)
{
	struct atnet_link *l;
	__be32 addr;

	ip = skip_spaces(ip);
	if (atnet_parse_ipv4(ip, &addr)) {
		atnet_link_stray(m, slot);
		return;
	}
	l = atnet_modem_incoming(m, slot, addr);
	if (!l) {
		atnet_link_stray(m, slot);
		return;
	}
	snprintf(l->sel_cmd.text, sizeof(l->sel_cmd.text), "AT+CIPSTATUS=%u",
		 slot);
	l->busy |= ATNET_LINK_BUSY_SEL;
	if (atnet_sim7000_cmd(l, &l->sel_cmd, atnet_sim7000_peer_line,
			      atnet_sim7000_peer_done))
		atnet_link_sel_done(l, 0);
}

/* ---- URCs ---------------------------------------------------------- */

/* "+RECEIVE,n,len[,ip:port]:": auto-receive data we never asked for. */
static bool atnet_sim7000_receive_urc(struct atnet_modem *m, const char *rest)
{
	unsigned int slot;
	const char *p;
	u32 len;

	p = atnet_sim7000_slot_line(rest, &slot);
	if (!p || !atnet_sim7000_num(p, ":,", 65535, &len))
		return true;
	/* Bring-up set manual receive; stay in sync with the stream anyway. */
	atnet_chat_expect_raw(&m->chat, len, atnet_sim7000_drop_sink, NULL);
	return true;
}

bool atnet_sim7000_link_urc(struct atnet_modem *m, const char *line,
			    size_t len)
{
	struct atnet_link *l;
	const char *rest, *what;
	const char *f[4];
	unsigned int slot;
	char buf[48];
	u32 mode, n, got;
	int nf;

	lockdep_assert_held(&m->lock);
	rest = atnet_chat_prefix(line, "+CIPRXGET:");
	if (rest) {
		nf = atnet_chat_fields(rest, buf, sizeof(buf), f, 4);
		if (nf < 2 || atnet_chat_uint(f[0], 4, &mode) ||
		    atnet_chat_uint(f[1], 255, &n))
			return true;
		if (mode == 1) {
			l = atnet_link_by_slot(m, n);
			if (l)
				atnet_link_rx_pending(l);
		} else if (mode == 2 && (nf != 4 ||
			   atnet_chat_uint(f[2], ATNET_LINK_MTU_MAX, &got))) {
			/* Its data follows, length unknown: resync. */
			atnet_warn_ratelimited(m, "unreadable late +CIPRXGET: 2 header\n");
			atnet_chat_damaged(&m->chat);
		} else if (mode == 2) {
			/*
			 * The answer to an AT+CIPRXGET=2 that timed out: its
			 * bytes follow and must not be read as lines (a peer
			 * could send "OK" or "0, CLOSED"). The link failed
			 * with the timeout; the bytes are dropped.
			 */
			atnet_warn_ratelimited(m, "late +CIPRXGET: 2 for link %u: %u bytes dropped\n",
					       n, got);
			atnet_chat_expect_raw(&m->chat, got,
					      atnet_sim7000_drop_sink, NULL);
		}
		return true;
	}
	rest = atnet_chat_prefix(line, "+RECEIVE,");
	if (rest)
		return atnet_sim7000_receive_urc(m, rest);
	if (atnet_chat_prefix(line, "DATA ACCEPT:"))
		return true;	/* a send we already gave up on */

	what = atnet_sim7000_slot_line(line, &slot);
	if (!what)
		return false;
	l = atnet_link_by_slot(m, slot);
	if (atnet_sim7000_is_result(what)) {
		if (!l)
			return true;
		if (l->state == ATNET_LINK_CONNECTING)
			atnet_sim7000_result(l, what);
		else if (!strcmp(what, "CONNECT OK") &&
			 l->state == ATNET_LINK_FREE)
			atnet_link_stray(m, slot);
		return true;
	}
	if (!strcmp(what, "CLOSED")) {
		if (l)
			atnet_link_closed(l, 0);
		return true;
	}
	rest = atnet_chat_prefix(what, "REMOTE IP:");
	if (rest) {
		atnet_sim7000_incoming(m, slot, rest);
		return true;
	}
	return !strcmp(what, "SEND OK") || !strcmp(what, "SEND FAIL") ||
	       !strcmp(what, "CLOSE OK");
}
