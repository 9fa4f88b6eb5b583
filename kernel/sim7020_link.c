// SPDX-License-Identifier: GPL-2.0
/*
 * The AT of SIM7020 sockets (SIM7020 Series TCP/IP Application Note,
 * section 3), behind the same link ops as SIM7000's, so the socket layer
 * does not know which modem it drives:
 *
 *   AT+CSOC=1,1|2,1              "+CSOC:id" (or "+CSOC: id"), OK
 *   AT+CSOCON=id,port,"a.b.c.d"  OK once connected, else ERROR (TCP: after
 *                                the handshake; the modem takes no other
 *                                command meanwhile)
 *   AT+CSODSEND=id,len  "> "     len raw bytes, "DATA ACCEPT: len" (no OK)
 *   AT+CSOSEND=id,2*len,"<hex>"  OK (hex: len counts hex characters)
 *   AT+CSOCL=id                  OK
 *   URCs: "+CSONMI: id,len,data" (pushed unasked: hex characters, or len raw
 *   bytes after AT+CSORCVFLAG=1), "+CSOERR: id,code", "SEND: id,len" (the
 *   peer acknowledged len bytes, after AT+CSOSENDFLAG=1).
 *
 * Ids: the modem picks a socket's id (+CSOC), the link layer the slot; the
 * link's modem_id maps one to the other. A socket that died in the modem
 * (+CSOERR, a lost PDN) keeps its id there until AT+CSOCL, so every id we
 * learn is closed exactly once: by ops->close, by the +CSOERR handler or by
 * atnet_sim7020_reap() for links that died with their context.
 *
 * Receive has nothing to pull and the modem keeps nothing: every +CSONMI
 * goes through atnet_link_rx_push(), whose overflow policy (link.c) counts
 * what does not fit and fails a stream with -ENOBUFS, never silently.
 *
 * Send: binary AT+CSODSEND where the firmware has it (AT+CSODSEND=? at
 * bring-up), else hex AT+CSOSEND in pieces of SIM7020_HEX_MAX bytes: a
 * stream's chunk goes out in as many pieces as it needs, a datagram must
 * fit one, and a datagram link's MTU says so from its connect on.
 *
 * Acknowledgment: "SEND: id,len" adds to l->acked; ops->ack (SIOCOUTQ)
 * answers at once from that count. Without AT+CSOSENDFLAG the modem's
 * acceptance is all we learn, and acked follows tx_bytes.
 *
 * +CSOERR codes map to errnos in atnet_sim7020_errno(); the table is in
 * uapi/linux/atnet.h. Everything here runs under the modem lock.
 */
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/string.h>

#include "chat.h"
#include "dialect.h"
#include "link.h"
#include "modem.h"
#include "sim7020.h"

#define SIM7020_CMD_MS		10000	/* CSOC, CSOSEND, CSODSEND, CSOCL */
/* AT+CSOCON blocks until the handshake ends; the modem gives up at 75 s. */
#define SIM7020_CONNECT_MS	90000
/* Sanity bounds of a +CSONMI length: more is garbage, not data. */
#define SIM7020_NMI_MAX		4096

/*
 * The link's notes (link.h) here: ctl_id the id of "+CSOC:", ctl_coded and
 * ctl_code a "+CSOERR:" during AT+CSOCON, ctl_err the errno to report once
 * the AT+CSOCL after a failed connect is done; tx_len, tx_off a hex send.
 */

/*
 * "12,34...": a decimal field and what follows its comma, else NULL.
 * answer.h has no parser of one field of a longer line (the data of
 * +CSONMI follows); chat.h's field parser does the digits.
 */
static const char *sim7020_field(const char *p, u32 max, u32 *val, bool neg_ok,
				 bool *neg)
{
	const char *end = strchrnul(p, ',');
	char num[12];
	size_t n;

	p = skip_spaces(p);
	if (neg)
		*neg = false;
	if (neg_ok && *p == '-') {
		*neg = true;
		p++;
	}
	n = end - p;
	while (n && p[n - 1] == ' ')
		n--;
	if (n >= sizeof(num))
		return NULL;
	memcpy(num, p, n);
	num[n] = '\0';
	if (atnet_chat_uint(num, max, val))
		return NULL;
	return *end ? end + 1 : end;
}

static struct atnet_link *sim7020_link_by_id(struct atnet_modem *m, u32 id)
{
	unsigned int i;

	lockdep_assert_held(&m->lock);
	for (i = 0; i < SIM7020_MAX_LINKS; i++)
		if (m->links[i] && m->links[i]->modem_id == id)
			return m->links[i];
	return NULL;
}

/*
 * +CSOERR code (SIM7020 Series TCP/IP Application Note, 3.9) -> errno;
 * @connecting: the code answered AT+CSOCON. Code 4 ("connected error") is
 * what the firmware reports when the peer closed: 0 here means EOF on
 * recv, then EPIPE on send.
 */
int atnet_sim7020_errno(int code, bool connecting)
{
	switch (code) {
	case 1:		/* route error: host unreachable */
		return -EHOSTUNREACH;
	case 2:		/* connection aborted */
		return -ECONNABORTED;
	case 3:		/* connection reset */
		return connecting ? -ECONNREFUSED : -ECONNRESET;
	case 4:		/* connected error: closed by the peer */
		return connecting ? -ECONNREFUSED : 0;
	case 5:		/* illegal (argument) error */
		return -EINVAL;
	case 6:		/* buffer error */
		return -ENOBUFS;
	case 7:		/* block error: the modem's stack would block */
		return -EBUSY;
	case 8:		/* address in use */
		return -EADDRINUSE;
	case 9:		/* already connecting */
		return -EALREADY;
	case 10:	/* already connected */
		return -EISCONN;
	case 11:	/* bearer error: the PDN is gone */
		return -ENETDOWN;
	default:	/* -1 common error, and codes newer firmware may add */
		return -EIO;
	}
}

/* ---- AT+CSOC, AT+CSOCON (ctl_cmd) ----------------------------------- */

static void sim7020_csocl_failed_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);

	l->modem_id = -1;
	atnet_link_open_done(l, l->note.ctl_err);
}

/* A connect failed: free the modem's socket, then report @err. */
static void sim7020_open_failed(struct atnet_link *l, int err)
{
	struct atnet_chat_cmd *cmd = &l->ctl_cmd;

	lockdep_assert_held(&l->modem->lock);
	if (l->modem_id >= 0) {
		l->note.ctl_err = err;
		snprintf(cmd->text, sizeof(cmd->text), "AT+CSOCL=%d",
			 l->modem_id);
		if (!atnet_link_submit(l, cmd, SIM7020_CMD_MS, NULL,
				       sim7020_csocl_failed_done, NULL, 0))
			return;
		l->modem_id = -1;
	}
	atnet_link_open_done(l, err);
}

static void sim7020_csocon_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	struct atnet_sim7020 *s = atnet_sim7020(l->modem);
	int err;

	if (!result) {
		/* Datagrams go whole in one command: hex ones are smaller. */
		atnet_link_set_mtu(l, (s->flags & SIM7020_F_BIN_TX) ||
				   !atnet_link_dgram(l) ? SIM7020_BIN_MAX :
				   SIM7020_HEX_MAX);
		atnet_link_connected(l, 0);
		atnet_link_open_done(l, 0);
		return;
	}
	if (result == -ETIMEDOUT) {
		/* The modem may still connect: the link layer closes it. */
		atnet_link_open_done(l, -ETIMEDOUT);
		return;
	}
	if (result != -EIO) {
		/* Aborted: modem restart or detach, its sockets are gone. */
		l->modem_id = -1;
		atnet_link_open_done(l, result);
		return;
	}
	/* ERROR; a "+CSOERR: id,code" before it says why. */
	err = l->note.ctl_coded ?
		atnet_sim7020_errno(l->note.ctl_code, true) : -ECONNREFUSED;
	sim7020_open_failed(l, err ?: -ECONNREFUSED);
}

/*
 * A refused or unreachable peer is AT+CSOCON's ordinary answer, ERROR: the
 * connect's verdict, not a modem fault. Claimed here so that the chat
 * engine does not count it in stats.errors, which feeds the recovery
 * ladder: a few refused connects would otherwise close every other link.
 */
static enum atnet_chat_verdict
sim7020_csocon_line(struct atnet_chat_cmd *cmd, const char *line, size_t len)
{
	if (strcmp(line, "ERROR"))
		return ATNET_CHAT_PASS;
	cmd->result = -EIO;
	return ATNET_CHAT_DONE;
}

static enum atnet_chat_verdict
sim7020_csoc_line(struct atnet_chat_cmd *cmd, const char *line, size_t len)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	const char *rest = atnet_chat_prefix(line, "+CSOC:");
	u32 id;

	if (!rest)
		return ATNET_CHAT_PASS;
	if (sim7020_field(rest, 255, &id, false, NULL))
		l->note.ctl_id = id;
	return ATNET_CHAT_MORE;
}

static void sim7020_csoc_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	struct atnet_modem *m = l->modem;
	struct atnet_link *other;
	int id, err;

	if (result || l->note.ctl_id < 0) {
		/* ERROR: no PDN, or no free socket in the modem. */
		atnet_link_open_done(l, result == -EIO ? -ENETUNREACH :
				     result ?: -EPROTO);
		return;
	}
	id = l->note.ctl_id;
	/* The modem gave out an id we thought taken: ours is stale. */
	other = sim7020_link_by_id(m, id);
	if (other)
		other->modem_id = -1;
	l->modem_id = id;
	if (l->close_wanted) {
		/* Released while the socket was being made. */
		sim7020_open_failed(l, -ECONNABORTED);
		return;
	}
	snprintf(cmd->text, sizeof(cmd->text), "AT+CSOCON=%d,%u,\"%pI4\"", id,
		 ntohs(l->remote_port), &l->remote_addr);
	err = atnet_link_submit(l, cmd, SIM7020_CONNECT_MS, sim7020_csocon_line,
				sim7020_csocon_done, NULL, 0);
	if (err) {
		l->modem_id = -1;
		atnet_link_open_done(l, err);
	}
}

static int sim7020_open(struct atnet_modem *m, struct atnet_link *l)
{
	struct atnet_chat_cmd *cmd = &l->ctl_cmd;

	lockdep_assert_held(&m->lock);
	/* A socket this slot held before and nobody closed: first that. */
	if (l->modem_id >= 0) {
		atnet_sim7020_fire(m, SIM7020_CMD_MS, NULL, "AT+CSOCL=%d",
				   l->modem_id);
		l->modem_id = -1;
	}
	atnet_sim7020_reap(m);
	l->note.ctl_id = -1;
	l->note.ctl_coded = false;
	snprintf(cmd->text, sizeof(cmd->text), "AT+CSOC=1,%d,1",
		 atnet_link_dgram(l) ? 2 : 1);
	return atnet_link_submit(l, cmd, SIM7020_CMD_MS, sim7020_csoc_line,
				 sim7020_csoc_done, NULL, 0);
}

/* ---- AT+CSODSEND / AT+CSOSEND (tx_cmd) ------------------------------ */

/*
 * Hex sends keep the data pointer in cmd->payload with payload_len 0, which
 * the chat engine never writes; the chunk stays put until atnet_link_sent().
 */
static void sim7020_hex_done(struct atnet_chat_cmd *cmd, int result);

static int sim7020_hex_piece(struct atnet_link *l)
{
	struct atnet_chat_cmd *cmd = &l->tx_cmd;
	const u8 *buf = cmd->payload;
	u32 len = l->note.tx_len, off = l->note.tx_off;
	u32 n = min_t(u32, len - off, SIM7020_HEX_MAX);
	char *hex = atnet_sim7020(l->modem)->hex[l->slot];
	char *p;

	snprintf(cmd->text, sizeof(cmd->text), "AT+CSOSEND=%d,%u,\"",
		 l->modem_id, 2 * n);
	p = bin2hex(hex, buf + off, n);
	*p++ = '"';
	l->note.tx_off = off + n;
	/* As atnet_link_submit(), with the hex as the line's tail. */
	atnet_chat_cmd_prepare(cmd, SIM7020_CMD_MS, NULL, sim7020_hex_done, l);
	cmd->payload = buf;
	cmd->tail = (const u8 *)hex;
	cmd->tail_len = p - hex;
	return atnet_modem_submit(l->modem, cmd);
}

static void sim7020_hex_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);
	u32 len = l->note.tx_len, off = l->note.tx_off;

	/* ERROR to a send: the modem would not take it (app note 3.5). */
	if (!result && off < len)
		result = sim7020_hex_piece(l);
	else if (!result)
		atnet_link_sent(l, len, 0);
	if (result)
		atnet_link_sent(l, len, result == -EIO ? -ECOMM : result);
}

static int sim7020_send_hex(struct atnet_link *l, const u8 *buf, size_t len)
{
	if (atnet_link_dgram(l) && len > SIM7020_HEX_MAX)
		return -EMSGSIZE;
	if (WARN_ON_ONCE(l->slot >= SIM7020_MAX_LINKS))
		return -EINVAL;
	l->tx_cmd.payload = buf;
	l->note.tx_len = len;
	l->note.tx_off = 0;
	return sim7020_hex_piece(l);
}

static enum atnet_chat_verdict
sim7020_dsend_line(struct atnet_chat_cmd *cmd, const char *line, size_t len)
{
	if (!atnet_chat_prefix(line, "DATA ACCEPT:"))
		return ATNET_CHAT_PASS;
	cmd->result = 0;
	return ATNET_CHAT_DONE;
}

static void sim7020_dsend_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);

	/*
	 * ERROR: this send failed, nothing more. Whether the firmware has
	 * AT+CSODSEND was settled at bring-up (AT+CSODSEND=?); switching to
	 * hex here would write a command while the modem may still prompt.
	 */
	atnet_link_sent(l, cmd->payload_len, result == -EIO ? -ECOMM : result);
}

static int sim7020_send(struct atnet_modem *m, struct atnet_link *l,
			const u8 *buf, size_t len)
{
	struct atnet_chat_cmd *cmd = &l->tx_cmd;

	lockdep_assert_held(&m->lock);
	if (!len || len > SIM7020_BIN_MAX)
		return -EMSGSIZE;
	if (l->modem_id < 0)
		return -ENOTCONN;
	if (!(atnet_sim7020(m)->flags & SIM7020_F_BIN_TX))
		return sim7020_send_hex(l, buf, len);
	snprintf(cmd->text, sizeof(cmd->text), "AT+CSODSEND=%d,%zu",
		 l->modem_id, len);
	return atnet_link_submit(l, cmd, SIM7020_CMD_MS, sim7020_dsend_line,
				 sim7020_dsend_done, buf, len);
}

/* ---- AT+CSOCL (ctl_cmd) -------------------------------------------- */

static void sim7020_close_done(struct atnet_chat_cmd *cmd, int result)
{
	struct atnet_link *l = atnet_link_of_cmd(cmd);

	/* OK, ERROR (not open) or timeout: the id is not ours any more. */
	l->modem_id = -1;
	atnet_link_close_done(l, result);
}

static int sim7020_close(struct atnet_modem *m, struct atnet_link *l)
{
	struct atnet_chat_cmd *cmd = &l->ctl_cmd;

	lockdep_assert_held(&m->lock);
	/* Already closed in the modem (+CSOERR): nothing to send. */
	if (l->modem_id < 0)
		return -ENOTCONN;
	snprintf(cmd->text, sizeof(cmd->text), "AT+CSOCL=%d", l->modem_id);
	return atnet_link_submit(l, cmd, SIM7020_CMD_MS, NULL, sim7020_close_done,
				 NULL, 0);
}

/* ---- acknowledgements ---------------------------------------------- */

static void sim7020_report_acked(struct atnet_link *l)
{
	struct atnet_sim7020 *s = atnet_sim7020(l->modem);
	u64 acked = l->acked;

	lockdep_assert_held(&l->modem->lock);
	if (!(s->flags & SIM7020_F_SENDFLAG) || atnet_link_dgram(l))
		acked = l->tx_bytes;
	atnet_link_acked(l, l->tx_bytes, acked,
			 l->tx_bytes > acked ? l->tx_bytes - acked : 0, 0);
}

/* SIOCOUTQ: the "SEND:" URCs keep the count current, answer at once. */
static int sim7020_ack(struct atnet_modem *m, struct atnet_link *l)
{
	lockdep_assert_held(&m->lock);
	sim7020_report_acked(l);
	return 0;
}

const struct atnet_link_ops atnet_sim7020_link_ops = {
	.open = sim7020_open,
	.send = sim7020_send,
	/* No recv: +CSONMI pushes every byte (atnet_link_rx_push()). */
	.close = sim7020_close,
	.ack = sim7020_ack,
};

/* ---- URCs ---------------------------------------------------------- */

/* Hex characters to bytes, 64 at a time; a stray odd digit waits. */
static void sim7020_nmi_hex(struct atnet_sim7020 *s, struct atnet_link *l,
			    const u8 *buf, size_t len)
{
	u8 out[64];
	size_t i, n = 0;
	int v;

	for (i = 0; i < len; i++) {
		v = hex_to_bin(buf[i]);
		if (v < 0) {
			s->nmi_bad = true;
			continue;
		}
		if (s->nmi_nibble < 0) {
			s->nmi_nibble = v;
			continue;
		}
		out[n++] = s->nmi_nibble << 4 | v;
		s->nmi_nibble = -1;
		if (n == sizeof(out)) {
			atnet_link_rx(l, out, n);
			n = 0;
		}
	}
	if (n)
		atnet_link_rx(l, out, n);
}

static void sim7020_nmi_sink(void *ctx, const u8 *buf, size_t len, bool last)
{
	struct atnet_modem *m = ctx;
	struct atnet_sim7020 *s = atnet_sim7020(m);
	struct atnet_link *l = s->nmi_link;

	lockdep_assert_held(&m->lock);
	s->nmi_left -= min(len, s->nmi_left);
	if (l && s->nmi_hex)
		sim7020_nmi_hex(s, l, buf, len);
	else if (l)
		atnet_link_rx(l, buf, len);
	if (!last)
		return;
	/* Cut short (modem restart) or not hex: a datagram is not kept. */
	if (l)
		atnet_link_rx_done(l, 0, s->nmi_left || s->nmi_bad ? -EIO : 0);
	s->nmi_link = NULL;
}

/* "+CSONMI: id,len," then len characters (the chat engine ends it there). */
static void sim7020_nmi(struct atnet_modem *m, const char *rest)
{
	struct atnet_sim7020 *s = atnet_sim7020(m);
	struct atnet_link *l;
	const char *data;
	bool hex = !(s->flags & SIM7020_F_BIN_RX);
	size_t bytes;
	u32 id, len;

	data = sim7020_field(rest, 255, &id, false, NULL);
	if (data)
		data = sim7020_field(data, SIM7020_NMI_MAX * 2, &len, false,
				     NULL);
	/*
	 * An unreadable header: the data will be framed as lines, so what
	 * looks like results or URCs there may be the peer's bytes: the
	 * engine resynchronises before the next command.
	 */
	if (!data || (hex && len % 2) || (!hex && len > SIM7020_NMI_MAX)) {
		atnet_warn_ratelimited(m, "unreadable +CSONMI header\n");
		atnet_chat_damaged(&m->chat);
		return;
	}
	bytes = hex ? len / 2 : len;
	l = sim7020_link_by_id(m, id);
	if (!l || l->state == ATNET_LINK_FREE) {
		s->nmi_orphans += bytes;
		atnet_warn_ratelimited(m, "+CSONMI for socket %u we do not hold: %zu bytes dropped\n",
				       id, bytes);
		l = NULL;
	} else if (l->state != ATNET_LINK_CONNECTED || l->err) {
		/* Closing or failed: its owner reads no more. */
		l = NULL;
	} else if (!atnet_link_rx_push(l, bytes)) {
		atnet_warn_ratelimited(m, "link %u receive buffer full: %zu bytes dropped%s\n",
				       l->slot, bytes,
				       atnet_link_dgram(l) ? "" :
				       "; stream broken: ENOBUFS");
		l = NULL;
	}
	s->nmi_link = l;
	s->nmi_hex = hex;
	s->nmi_nibble = -1;
	s->nmi_bad = false;
	s->nmi_left = len;
	if (*data) {
		/* A chat engine that did not end the header: data inline. */
		sim7020_nmi_sink(m, (const u8 *)data, strlen(data), true);
		return;
	}
	atnet_chat_expect_raw(&m->chat, len, sim7020_nmi_sink, m);
}

/* "+CSOERR: id,code": the modem's socket is dead, whatever the code. */
static void sim7020_csoerr(struct atnet_modem *m, const char *rest)
{
	struct atnet_link *l;
	const char *p;
	bool neg;
	u32 id, v;
	int code;

	p = sim7020_field(rest, 255, &id, false, NULL);
	if (p)
		p = sim7020_field(p, 255, &v, true, &neg);
	if (!p)
		return;
	code = neg ? -(int)v : (int)v;
	l = sim7020_link_by_id(m, id);
	if (!l)
		return;
	if (l->state == ATNET_LINK_CONNECTING) {
		/* The answer to AT+CSOCON decides; remember why. */
		if (l->busy & ATNET_LINK_BUSY_CTL) {
			l->note.ctl_coded = true;
			l->note.ctl_code = code;
		}
		return;
	}
	if (code == 11)
		atnet_sim7020_bearer_check(m);
	if (l->state == ATNET_LINK_CONNECTED || l->state == ATNET_LINK_CLOSING)
		atnet_link_closed(l, atnet_sim7020_errno(code, false));
	/* Our own AT+CSOCL may be on its way: then it frees the id. */
	if (!(l->busy & ATNET_LINK_BUSY_CTL) && l->modem_id >= 0) {
		atnet_sim7020_fire(m, SIM7020_CMD_MS, NULL, "AT+CSOCL=%d",
				   l->modem_id);
		l->modem_id = -1;
	}
}

/* "SEND: id,len": the peer acknowledged len more bytes. */
static void sim7020_send_ack(struct atnet_modem *m, const char *rest)
{
	struct atnet_link *l;
	const char *p;
	u32 id, len;

	p = sim7020_field(rest, 255, &id, false, NULL);
	if (p)
		p = sim7020_field(p, U32_MAX, &len, false, NULL);
	if (!p)
		return;
	l = sim7020_link_by_id(m, id);
	if (!l || l->state == ATNET_LINK_FREE || atnet_link_dgram(l))
		return;
	/*
	 * Pieces of a chunk are acked before the whole chunk counts as sent.
	 * tx_queued is the owner's (lock_sock), read here without it.
	 */
	WRITE_ONCE(l->acked, min(l->acked + len, READ_ONCE(l->tx_queued)));
	sim7020_report_acked(l);
}

bool atnet_sim7020_link_urc(struct atnet_modem *m, const char *line,
			    size_t len)
{
	const char *rest;

	lockdep_assert_held(&m->lock);
	if (!atnet_sim7020(m))
		return false;
	rest = atnet_chat_prefix(line, "+CSONMI:");
	if (rest) {
		sim7020_nmi(m, rest);
		return true;
	}
	rest = atnet_chat_prefix(line, "+CSOERR:");
	if (rest) {
		sim7020_csoerr(m, rest);
		return true;
	}
	rest = atnet_chat_prefix(line, "SEND:");
	if (rest) {
		sim7020_send_ack(m, rest);
		return true;
	}
	return false;
}
