// SPDX-License-Identifier: GPL-2.0
/*
 * SIM7020 (NB-IoT, CSO* socket commands) dialect of modem-sim.
 *
 * Source of truth: SIMCom's SIM7020 TCP/IP application note (seed 002) and
 * docs/at-reference.md.  Where both are silent the choice made here is
 * documented next to the code and, when a real firmware might differ, made
 * configurable with a dialect option (see S7_OPTION_HELP).
 *
 * What the modem prints (ATV1 framing, every line "\r\n" TEXT "\r\n"):
 *
 *   AT+CPIN?          "+CPIN:READY" OK       (seed 2.1 spelling; --spaced:
 *                                             "+CPIN: READY")
 *   AT+CSOC=1,t,1[,1] "+CSOC:N" OK           (seed 3.2; --spaced: "+CSOC: N")
 *   AT+CFUN=0         [+CSOERR: n,11 per socket] "+CPIN: NOT READY" OK
 *   AT+CFUN=1         OK "+CPIN: READY", PDN up after --attach-ms
 *   AT+CSOCON         OK once the TCP handshake is done; refused, timed out
 *                     or unreachable: ERROR (with --csocon-urc first
 *                     "+CSOERR: n,3" refused / "+CSOERR: n,1" timeout)
 *   +CSONMI           hex (default): "+CSONMI: n,<2*len>,<HEX>" (upper case)
 *                     binary (AT+CSORCVFLAG=1): "\r\n+CSONMI: n,len," then
 *                     len raw bytes then "\r\n" (data inline, as Contiki's
 *                     and RIOT's SIM7020 drivers parse it); at most
 *                     --nmi-max bytes (default 512) per URC
 *   remote FIN        after all data: "+CSOERR: n,4" (--close-code; mbed-os's
 *                     SIM7020 driver treats code 4 as "closed by peer")
 *   remote RST        "+CSOERR: n,3" (seed 3.9: connection reset)
 *   PDN lost          "+CSOERR: n,11" (bearer error) for every allocated
 *                     socket, AT+CGACT? -> "+CGACT: 1,0"; "+CGEV: NW PDN
 *                     DEACT 1" only after AT+CGEREP=1 (or --cgerep)
 *   AT+CSODSEND=n,l   "\r\n> ", l raw bytes, "DATA ACCEPT: l" (no OK);
 *                     ERROR with --no-binary or --no-dsend
 *   AT+CSODSEND=?     "+CSODSEND: (0-4),(1-<send-max>)" OK; ERROR where
 *                     the firmware lacks the command
 *   AT+CDNSGIP="h"    "+CDNSGIP: ip" OK (seed 2.3), unknown name: ERROR;
 *                     --cdnsgip-long: OK then "+CDNSGIP: 1,"h","ip"[,"ip2"]"
 *                     or "+CDNSGIP: 0,8"
 *   AT+CIPPING="ip"   OK then "+CIPPING: i,ip,rtt,ttl" per echo (rtt in
 *                     100 ms units, at least 1); no reply within the
 *                     timeout: "+CIPPING: i,ip,600,255"
 *
 *   echo (ATE1)       the core echoes the line up to its CR; this firmware
 *                     then adds "\r\n" (seed 3.8 hex dump: "AT+CFUN?\r\r\n"
 *                     "\r\n+CFUN: 1\r\n\r\nOK\r\n"); --plain-echo drops it
 *   AT+CSOSEND=n,0,"t" SEND: n,len after the peer's ACK when
 *                     AT+CSOSENDFLAG=1 (TCP only); ERROR when not connected,
 *                     hex length odd or not matching, ASCII unquoted or
 *                     holding quotes/control characters
 *   AT+CGREG=1|2      "+CGREG: 1" / "+CGREG: 0" URCs on attach / detach
 *   restart           (fault, AT+CFUN=1,1) after --restart-ms: RDY,
 *                     "+CFUN: 1", "+CPIN: READY" (--cpin-notready: first
 *                     "+CPIN: NOT READY"); AT*MCGDEFCONT survives
 *   --urc-noise       *PSUTTZ and DST: 0 before the OK of CSOCON/CGCONTRDP
 *   unknown, CIP* toolkit, server, transparent mode: ERROR (seed 3.1)
 *
 * A blocking command (TCP AT+CSOCON, AT+CDNSGIP, AT+CSODSEND) holds later
 * command lines until it is done, like a busy modem; URCs still flow.
 * Command lines are limited to the core's 2200 characters, so a hex
 * AT+CSOSEND carries up to --send-max (1024) bytes; so does AT+CSODSEND.
 *
 * Sockets survive a PDN loss in the modem's table (ids stay taken) but are
 * dead: the host must AT+CSOCL them, as seed 002 section 4 recommends
 * ("re-create").  A restart frees everything.  Sockets are real sockets
 * bound to --ip when that address exists here; received data is read from
 * the kernel only while less than --rx-buffer bytes wait for the tty, so
 * a slow UART closes the peer's TCP window instead of losing data.  AT+CIPPING sends real ICMP
 * echoes (raw socket, from --ip) and counts only its own replies.
 *
 * Dialect faults: pdp-deact, close N, reset N, refuse [COUNT],
 * blackhole [COUNT] (connects and pings), send-fail [COUNT].
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim.h"

#define S7_SOCKS	5
#define S7_QUEUE	16		/* command lines held while busy */
#define S7_APN_MAX	99

/* Socket error codes, seed 002 section 3.9. */
enum {
	S7_ERR_ROUTE = 1,
	S7_ERR_ABORT = 2,
	S7_ERR_RESET = 3,
	S7_ERR_CONN = 4,
	S7_ERR_BEARER = 11,
};

/* ---- dialect options (fixed before power-on) ---- */

static struct {
	bool no_binary;		/* firmware without CSODSEND / CSORCVFLAG */
	bool no_dsend;		/* firmware with CSORCVFLAG, without CSODSEND */
	bool spaced;		/* "+CSOC: 0", "+CPIN: READY" */
	bool cdnsgip_long;	/* SIM7000-style asynchronous DNS answer */
	bool csocon_urc;	/* "+CSOERR" before ERROR on a failed connect */
	bool cgerep;		/* +CGEV URCs at power-up */
	bool plain_echo;	/* echo "AT\r" without the extra "\r\n" */
	int close_code;		/* +CSOERR code for a remote FIN */
	unsigned int nmi_max;	/* bytes per +CSONMI */
	unsigned int send_max;	/* bytes per CSOSEND / CSODSEND */
	char apn[S7_APN_MAX + 1];	/* network-assigned APN */
} opt = {
	.close_code = S7_ERR_CONN,
	.nmi_max = 512,
	.send_max = 1024,
	.apn = "shnbiot",
};

#define S7_OPTION_HELP \
"  --plain-echo        echo a command as typed (\"AT\\r\"); default adds\n" \
"                      \"\\r\\n\" after the CR like seed 002 3.8\n" \
"  --no-binary         firmware without AT+CSODSEND/AT+CSORCVFLAG (ERROR)\n" \
"  --no-dsend          firmware with AT+CSORCVFLAG but without AT+CSODSEND\n" \
"  --spaced            \"+CSOC: n\" and \"+CPIN: READY\" (default: seed's\n" \
"                      \"+CSOC:n\", \"+CPIN:READY\")\n" \
"  --cdnsgip-long      OK, then +CDNSGIP: 1,\"host\",\"ip\" / +CDNSGIP: 0,8\n" \
"  --csocon-urc        failed AT+CSOCON prints +CSOERR: n,code before ERROR\n" \
"  --cgerep            +CGEV PDN URCs from power-up (AT+CGEREP=1)\n" \
"  --close-code N      +CSOERR code for a remote close (default 4)\n" \
"  --nmi-max N         bytes per +CSONMI (default 512)\n" \
"  --send-max N        bytes per AT+CSOSEND/AT+CSODSEND (default 1024)\n" \
"  --apn NAME          APN the network assigns (default shnbiot)\n"

static int s7_option(const char *name, const char *val, char *err,
		     size_t errlen)
{
	long n;

	if (!val && (!strcmp(name, "close-code") || !strcmp(name, "nmi-max") ||
		     !strcmp(name, "send-max") || !strcmp(name, "apn")))
		return 2;
	if (!strcmp(name, "plain-echo"))
		opt.plain_echo = true;
	else if (!strcmp(name, "no-binary"))
		opt.no_binary = true;
	else if (!strcmp(name, "no-dsend"))
		opt.no_dsend = true;
	else if (!strcmp(name, "spaced"))
		opt.spaced = true;
	else if (!strcmp(name, "cdnsgip-long"))
		opt.cdnsgip_long = true;
	else if (!strcmp(name, "csocon-urc"))
		opt.csocon_urc = true;
	else if (!strcmp(name, "cgerep"))
		opt.cgerep = true;
	else if (!strcmp(name, "close-code") || !strcmp(name, "nmi-max") ||
		 !strcmp(name, "send-max")) {
		n = val ? sim_number(val, 65535) : -1;
		if (n < 0 || (name[0] != 'c' && n < 1)) {
			snprintf(err, errlen, "--%s needs a number", name);
			return -1;
		}
		if (name[0] == 'c')
			opt.close_code = (int)n;
		else if (name[0] == 'n')
			opt.nmi_max = (unsigned int)n;
		else
			opt.send_max = (unsigned int)n;
	} else if (!strcmp(name, "apn")) {
		if (!val || !*val || strlen(val) > S7_APN_MAX ||
		    strpbrk(val, "\",;\r\n")) {
			snprintf(err, errlen, "--apn needs a plain name");
			return -1;
		}
		snprintf(opt.apn, sizeof(opt.apn), "%s", val);
	} else {
		return 1;
	}
	return 0;
}

/* ---- state ---- */

struct s7_chunk {
	struct s7_chunk *next;
	uint64_t due;			/* sim_now() when it may go */
	size_t len, off;
	u8 data[];
};

struct s7_sock {
	bool used;
	int type;			/* SOCK_STREAM / SOCK_DGRAM */
	int fd;				/* -1: no network socket */
	bool connecting, connected, dead;
	struct sockaddr_in peer;
	unsigned long conn_timer;
	/* uplink: bytes waiting for the cellular delay, then the kernel */
	struct s7_chunk *tx_head, *tx_tail;
	unsigned long tx_timer;
	bool tx_blocked;		/* waiting for POLLOUT */
	/* downlink: one chunk on its way to the tty at a time */
	struct s7_chunk *rx;
	int rx_err;			/* report after rx: +CSOERR code */
	unsigned long rx_timer;
	unsigned long retry_timer;
};

struct s7_ping {
	bool active;
	struct in_addr dst;
	int fd;
	int count, seq, timeout_ms;
	uint16_t ident;
	u8 cookie[8];			/* echoed payload: this ping's own */
	uint64_t sent_at;
	unsigned long timer;
};

struct s7 {
	int cfun;
	bool attached, pdn;
	unsigned long attach_timer;
	char apn[S7_APN_MAX + 1], user[64], pwd[64];
	bool apn_set;			/* AT*MCGDEFCONT given */
	int cgreg_n, cgerep;
	bool sendflag, rcvbin;
	struct s7_sock sk[S7_SOCKS];
	/* a command that answers later; further lines wait in queue */
	bool busy;
	unsigned long busy_timer;
	int busy_sock;			/* CSOCON in progress, or -1 */
	char *queue[S7_QUEUE];
	int qlen;
	/* AT+CSODSEND in progress */
	int dsend_sock;
	size_t dsend_len, dsend_got;
	u8 *dsend_buf;
	/* DNS */
	char dns_host[256];
	unsigned long dns_timer;
	struct s7_ping ping;
	/* one-shot faults */
	int refuse, blackhole, send_fail;
};

static struct s7 *S(struct sim *s)
{
	return s->priv;
}

static void s7_exec(struct sim *s, const char *line);
static void s7_sock_free(struct sim *s, int id);

/* ---- helpers ---- */

static void s7_done(struct sim *s)
{
	struct s7 *m = S(s);

	m->busy = false;
	m->busy_sock = -1;
	/* Lines typed while the modem was busy are answered in order now. */
	while (!m->busy && m->qlen && !sim_in_raw(s)) {
		char *l = m->queue[0];

		memmove(m->queue, m->queue + 1, --m->qlen * sizeof(char *));
		s7_exec(s, l);
		free(l);
	}
}

/* --urc-noise: network time URCs between a command and its result. */
static void s7_noise(struct sim *s)
{
	if (!s->cfg.urc_noise)
		return;
	sim_line(s, "*PSUTTZ: 21/11/21,05:20:00\",\"+32\",0");
	sim_line(s, "DST: 0");
}

static void s7_csoerr(struct sim *s, int id, int code)
{
	sim_line(s, "+CSOERR: %d,%d", id, code);
}

static void s7_cgreg_urc(struct sim *s)
{
	struct s7 *m = S(s);

	if (m->cgreg_n == 1)
		sim_line(s, "+CGREG: %d", m->attached ? 1 : 0);
	else if (m->cgreg_n == 2)
		sim_line(s, "+CGREG: %d", m->attached ? 1 : 0);
}

static void chunk_free_list(struct s7_chunk *c)
{
	while (c) {
		struct s7_chunk *n = c->next;

		free(c);
		c = n;
	}
}

static struct s7_chunk *chunk_new(const u8 *data, size_t len)
{
	struct s7_chunk *c = calloc(1, sizeof(*c) + len);

	if (!c)
		abort();
	memcpy(c->data, data, len);
	c->len = len;
	return c;
}

/* Close the network side of a socket; the id stays allocated. */
static void s7_sock_kill(struct sim *s, struct s7_sock *k)
{
	if (k->fd >= 0) {
		sim_fd_del(s, k->fd);
		close(k->fd);
		k->fd = -1;
	}
	sim_timer_del_arg(s, k);
	k->conn_timer = k->tx_timer = k->rx_timer = k->retry_timer = 0;
	chunk_free_list(k->tx_head);
	k->tx_head = k->tx_tail = NULL;
	free(k->rx);
	k->rx = NULL;
	k->rx_err = 0;
	k->connecting = k->connected = k->tx_blocked = false;
	k->dead = true;
}

static void s7_sock_free(struct sim *s, int id)
{
	struct s7_sock *k = &S(s)->sk[id];

	s7_sock_kill(s, k);
	memset(k, 0, sizeof(*k));
	k->fd = -1;
}

/* The bearer is gone: every socket learns it through +CSOERR: n,11. */
static void s7_pdn_down(struct sim *s, bool network)
{
	struct s7 *m = S(s);
	int i;

	if (!m->pdn)
		return;
	m->pdn = false;
	for (i = 0; i < S7_SOCKS; i++) {
		if (!m->sk[i].used)
			continue;
		if (!m->sk[i].dead)
			s7_csoerr(s, i, S7_ERR_BEARER);
		s7_sock_kill(s, &m->sk[i]);
	}
	if (m->cgerep)
		sim_line(s, "+CGEV: %s PDN DEACT 1", network ? "NW" : "ME");
	/* An AT+CSOCON still waiting for its handshake fails with it. */
	if (m->busy && m->busy_sock >= 0) {
		sim_error(s);
		s7_done(s);
	}
}

static void s7_attach_done(struct sim *s, void *arg)
{
	struct s7 *m = S(s);

	(void)arg;
	m->attach_timer = 0;
	if (m->cfun != 1)
		return;
	/* NB-IoT attach brings the default PDN up by itself (seed 2.1). */
	m->attached = true;
	m->pdn = true;
	s7_cgreg_urc(s);
	if (m->cgerep)
		sim_line(s, "+CGEV: ME PDN ACT 1");
}

static void s7_start_attach(struct sim *s)
{
	struct s7 *m = S(s);

	sim_timer_del(s, m->attach_timer);
	m->attach_timer = sim_timer_add(s, s->cfg.attach_ms, s7_attach_done,
					NULL);
}

/* ---- downlink ---- */

static void s7_rx_arm(struct sim *s, struct s7_sock *k);

static void s7_emit_nmi(struct sim *s, int id, const u8 *d, size_t len)
{
	struct s7 *m = S(s);
	static const char hx[] = "0123456789ABCDEF";
	char *buf;
	size_t i;

	if (m->rcvbin) {
		sim_printf(s, "\r\n+CSONMI: %d,%zu,", id, len);
		sim_write(s, d, len);
		sim_write(s, "\r\n", 2);
		return;
	}
	buf = malloc(len * 2 + 1);
	if (!buf)
		abort();
	for (i = 0; i < len; i++) {
		buf[2 * i] = hx[d[i] >> 4];
		buf[2 * i + 1] = hx[d[i] & 15];
	}
	buf[2 * len] = 0;
	sim_line(s, "+CSONMI: %d,%zu,%s", id, len * 2, buf);
	free(buf);
}

static void s7_rx_deliver(struct sim *s, void *arg)
{
	struct s7_sock *k = arg;
	struct s7 *m = S(s);
	int id = (int)(k - m->sk);

	k->rx_timer = 0;
	if (k->rx) {
		struct s7_chunk *c = k->rx;
		size_t n = c->len - c->off;

		if (n > opt.nmi_max)
			n = opt.nmi_max;
		s7_emit_nmi(s, id, c->data + c->off, n);
		c->off += n;
		if (c->off < c->len) {
			/* The rest of a big datagram follows in the next URC. */
			k->rx_timer = sim_timer_add(s, 1, s7_rx_deliver, k);
			return;
		}
		free(c);
		k->rx = NULL;
	}
	if (k->rx_err) {
		int code = k->rx_err;

		s7_sock_kill(s, k);
		s7_csoerr(s, id, code);
		return;
	}
	s7_rx_arm(s, k);
}

static void s7_rx_retry(struct sim *s, void *arg)
{
	struct s7_sock *k = arg;

	k->retry_timer = 0;
	s7_rx_arm(s, k);
}

static void s7_sock_io(struct sim *s, int fd, short rev, void *arg);

static short s7_events(struct s7_sock *k)
{
	short ev = 0;

	if (k->connecting || k->tx_blocked)
		ev |= POLLOUT;
	if (k->connected && !k->rx && !k->rx_err && !k->rx_timer &&
	    !k->retry_timer)
		ev |= POLLIN;
	return ev;
}

/* Read from the network again once the previous chunk reached the tty. */
static void s7_rx_arm(struct sim *s, struct s7_sock *k)
{
	if (k->fd < 0)
		return;
	if (sim_out_pending(s) > s->cfg.rxbuf) {
		/* The UART is the bottleneck: leave data in the kernel so the
		 * peer's TCP sees a closing window, as with a real modem. */
		if (!k->retry_timer)
			k->retry_timer = sim_timer_add(s, 20, s7_rx_retry, k);
	}
	sim_fd_set(s, k->fd, s7_events(k));
}

static void s7_rx_read(struct sim *s, struct s7_sock *k)
{
	u8 buf[65536];
	size_t want = k->type == SOCK_STREAM ? opt.nmi_max : sizeof(buf);
	ssize_t n;

	if (want > sizeof(buf))
		want = sizeof(buf);
	n = recv(k->fd, buf, want, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (k->type == SOCK_DGRAM)
			return;	/* ICMP errors on UDP: the modem ignores them */
		k->rx_err = errno == ECONNRESET ? S7_ERR_RESET : S7_ERR_ABORT;
	} else if (n == 0 && k->type == SOCK_STREAM) {
		k->rx_err = opt.close_code;
	} else if (n == 0) {
		return;		/* an empty datagram shows nothing */
	} else {
		k->rx = chunk_new(buf, n);
	}
	sim_fd_set(s, k->fd, s7_events(k));
	/* Bytes and the close report travel through the same delay queue, so
	 * everything received is delivered before the close is reported. */
	k->rx_timer = sim_timer_add(s, sim_net_delay(s, SIM_DOWN,
						     k->rx ? k->rx->len : 0),
				    s7_rx_deliver, k);
}

/* ---- uplink ---- */

static void s7_tx_kick(struct sim *s, struct s7_sock *k);

static void s7_tx_timer(struct sim *s, void *arg)
{
	struct s7_sock *k = arg;

	k->tx_timer = 0;
	s7_tx_kick(s, k);
}

static void s7_tx_kick(struct sim *s, struct s7_sock *k)
{
	while (k->tx_head && k->fd >= 0) {
		struct s7_chunk *c = k->tx_head;
		uint64_t now = sim_now(s);
		ssize_t n;

		if (c->due > now) {
			if (!k->tx_timer)
				k->tx_timer = sim_timer_add(s, c->due - now,
							    s7_tx_timer, k);
			return;
		}
		n = send(k->fd, c->data + c->off, c->len - c->off,
			 MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			k->tx_blocked = true;
			sim_fd_set(s, k->fd, s7_events(k));
			return;
		}
		if (n < 0) {
			if (k->type == SOCK_DGRAM) {
				n = c->len - c->off;	/* lost datagram */
			} else {
				int id = (int)(k - S(s)->sk);

				s7_sock_kill(s, k);
				s7_csoerr(s, id, errno == ECONNRESET ?
					  S7_ERR_RESET : S7_ERR_ABORT);
				return;
			}
		}
		c->off += n;
		if (c->off < c->len)
			continue;
		k->tx_head = c->next;
		if (!k->tx_head)
			k->tx_tail = NULL;
		free(c);
	}
	if (k->tx_blocked && k->fd >= 0) {
		k->tx_blocked = false;
		sim_fd_set(s, k->fd, s7_events(k));
	}
}

struct s7_ack {
	int id;
	size_t len;
};

static void s7_send_ack(struct sim *s, void *arg)
{
	struct s7_ack *a = arg;
	struct s7_sock *k = &S(s)->sk[a->id];

	if (k->connected)
		sim_line(s, "SEND: %d,%zu", a->id, a->len);
	free(a);
}

/* Queue bytes for the network; returns false if the socket cannot send. */
static bool s7_send(struct sim *s, int id, const u8 *data, size_t len)
{
	struct s7 *m = S(s);
	struct s7_sock *k = &m->sk[id];
	struct s7_chunk *c;
	unsigned int delay;

	if (!m->pdn || !k->connected || k->fd < 0)
		return false;
	if (m->send_fail) {
		m->send_fail--;
		return false;
	}
	delay = sim_net_delay(s, SIM_UP, len);
	c = chunk_new(data, len);
	c->due = sim_now(s) + delay;
	if (k->tx_tail)
		k->tx_tail->next = c;
	else
		k->tx_head = c;
	k->tx_tail = c;
	s7_tx_kick(s, k);
	if (m->sendflag && k->type == SOCK_STREAM) {
		/* "SEND: n,len" once the peer acknowledged: the data's
		 * one-way delay plus the ACK's way back. */
		struct s7_ack *a = malloc(sizeof(*a));

		if (!a)
			abort();
		a->id = id;
		a->len = len;
		sim_timer_add(s, delay + s->cfg.rtt_ms / 2 + 1, s7_send_ack, a);
	}
	return true;
}

/* ---- connect ---- */

static void s7_connect_result(struct sim *s, struct s7_sock *k, int err)
{
	struct s7 *m = S(s);
	int id = (int)(k - m->sk);

	sim_timer_del(s, k->conn_timer);
	k->conn_timer = 0;
	k->connecting = false;
	if (!err) {
		k->connected = true;
		sim_fd_set(s, k->fd, s7_events(k));
		s7_noise(s);
		sim_ok(s);
	} else {
		/* The socket stays allocated and unconnected: the host may
		 * retry AT+CSOCON or close it. */
		if (k->fd >= 0) {
			sim_fd_del(s, k->fd);
			close(k->fd);
			k->fd = -1;
		}
		if (opt.csocon_urc)
			s7_csoerr(s, id, err == ETIMEDOUT ? S7_ERR_ROUTE :
				  err == ECONNREFUSED ? S7_ERR_RESET :
				  S7_ERR_ROUTE);
		sim_error(s);
	}
	s7_done(s);
}

struct s7_late {
	struct s7_sock *k;
	int err;
};

static void s7_connect_late(struct sim *s, void *arg)
{
	struct s7_sock *k = arg;

	k->conn_timer = 0;
	s7_connect_result(s, k, k->dead ? ECONNABORTED : 0);
}

static void s7_connect_refused(struct sim *s, void *arg)
{
	struct s7_sock *k = arg;

	k->conn_timer = 0;
	s7_connect_result(s, k, ECONNREFUSED);
}

static void s7_connect_timeout(struct sim *s, void *arg)
{
	struct s7_sock *k = arg;

	k->conn_timer = 0;
	s7_connect_result(s, k, ETIMEDOUT);
}

static void s7_sock_io(struct sim *s, int fd, short rev, void *arg)
{
	struct s7_sock *k = arg;

	(void)fd;
	if (k->connecting) {
		int err = 0;
		socklen_t el = sizeof(err);

		if (!(rev & (POLLOUT | POLLERR | POLLHUP)))
			return;
		getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		k->connecting = false;
		sim_fd_set(s, k->fd, 0);
		sim_timer_del(s, k->conn_timer);
		if (err) {
			k->conn_timer = 0;
			s7_connect_result(s, k, err);
			return;
		}
		/* The local handshake is instant: the SYN/SYN-ACK still has
		 * to cross the cellular link. */
		k->conn_timer = sim_timer_add(s, s->cfg.rtt_ms, s7_connect_late,
					      k);
		return;
	}
	if ((rev & POLLOUT) && k->tx_blocked) {
		k->tx_blocked = false;
		s7_tx_kick(s, k);
		if (k->fd < 0)
			return;
	}
	if ((rev & (POLLIN | POLLERR | POLLHUP)) && k->connected && !k->rx &&
	    !k->rx_err && !k->rx_timer)
		s7_rx_read(s, k);
}

static void s7_csocon(struct sim *s, struct s7_sock *k, struct in_addr ip,
		      int port)
{
	struct s7 *m = S(s);
	int fd, r;

	k->peer.sin_family = AF_INET;
	k->peer.sin_addr = ip;
	k->peer.sin_port = htons(port);
	k->dead = false;
	fd = sim_socket(s, k->type, s->cfg.ip[0], 0);
	if (fd < 0) {
		sim_error(s);
		return;
	}
	k->fd = fd;
	sim_fd_add(s, fd, 0, s7_sock_io, k);
	if (k->type == SOCK_DGRAM) {
		/* UDP "connect" only fixes the peer. */
		if (connect(fd, (struct sockaddr *)&k->peer,
			    sizeof(k->peer)) < 0) {
			sim_fd_del(s, fd);
			close(fd);
			k->fd = -1;
			sim_error(s);
			return;
		}
		k->connected = true;
		sim_fd_set(s, fd, s7_events(k));
		sim_ok(s);
		return;
	}
	/* TCP: the command blocks until the handshake ends, like the modem. */
	m->busy = true;
	m->busy_sock = (int)(k - m->sk);
	k->connecting = true;
	if (m->refuse) {
		m->refuse--;
		k->connecting = false;
		k->conn_timer = sim_timer_add(s, s->cfg.rtt_ms,
					      s7_connect_refused, k);
		return;
	}
	if (m->blackhole) {
		m->blackhole--;
		k->connecting = false;
		k->conn_timer = sim_timer_add(s, s->cfg.connect_timeout_ms,
					      s7_connect_timeout, k);
		return;
	}
	r = connect(fd, (struct sockaddr *)&k->peer, sizeof(k->peer));
	if (r < 0 && errno != EINPROGRESS) {
		k->connecting = false;
		s7_connect_result(s, k, errno);
		return;
	}
	sim_fd_set(s, fd, POLLOUT);
	k->conn_timer = sim_timer_add(s, s->cfg.connect_timeout_ms,
				      s7_connect_timeout, k);
}

/* ---- DNS ---- */

static void s7_dns_done(struct sim *s, void *arg)
{
	struct s7 *m = S(s);
	struct in_addr a[2];
	int n;

	(void)arg;
	m->dns_timer = 0;
	n = sim_resolve(s, m->dns_host, a, 2);
	if (opt.cdnsgip_long) {
		if (n <= 0)
			sim_line(s, "+CDNSGIP: 0,8");
		else if (n == 1)
			sim_line(s, "+CDNSGIP: 1,\"%s\",\"%s\"", m->dns_host,
				 sim_ntoa(a[0]));
		else
			sim_line(s, "+CDNSGIP: 1,\"%s\",\"%s\",\"%s\"",
				 m->dns_host, sim_ntoa(a[0]), sim_ntoa(a[1]));
		return;
	}
	if (n <= 0) {
		sim_error(s);
	} else {
		sim_line(s, "+CDNSGIP: %s", sim_ntoa(a[0]));
		sim_ok(s);
	}
	s7_done(s);
}

/* ---- ping (real ICMP echo from the PDP address) ---- */

static uint16_t icmp_sum(const void *p, size_t len)
{
	const u8 *b = p;
	uint32_t sum = 0;

	while (len > 1) {
		sum += (b[0] << 8) | b[1];
		b += 2;
		len -= 2;
	}
	if (len)
		sum += b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static void s7_ping_next(struct sim *s, void *arg);

static void s7_ping_stop(struct sim *s)
{
	struct s7_ping *p = &S(s)->ping;

	if (p->fd >= 0) {
		sim_fd_del(s, p->fd);
		close(p->fd);
	}
	sim_timer_del_arg(s, p);
	p->fd = -1;
	p->active = false;
}

static void s7_ping_report(struct sim *s, int rtt, int ttl)
{
	struct s7_ping *p = &S(s)->ping;

	sim_line(s, "+CIPPING: %d,%s,%d,%d", p->seq, sim_ntoa(p->dst), rtt,
		 ttl);
	if (p->seq >= p->count) {
		s7_ping_stop(s);
		return;
	}
	sim_timer_del_arg(s, p);
	p->timer = sim_timer_add(s, 100, s7_ping_next, p);
}

static void s7_ping_timeout(struct sim *s, void *arg)
{
	(void)arg;
	s7_ping_report(s, 600, 255);
}

struct s7_pong {
	int rtt, ttl;
};

static void s7_ping_late(struct sim *s, void *arg)
{
	struct s7_pong *r = arg;
	int rtt = r->rtt, ttl = r->ttl;

	free(r);
	if (S(s)->ping.active)
		s7_ping_report(s, rtt, ttl);
}

static void s7_ping_io(struct sim *s, int fd, short rev, void *arg)
{
	struct s7_ping *p = arg;
	u8 buf[1500];
	struct iphdr *ip = (struct iphdr *)buf;
	struct icmphdr *ic;
	struct s7_pong *r;
	uint64_t ms;
	ssize_t n;

	(void)rev;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(*ip) || n < ip->ihl * 4 + 8)
		return;
	ic = (struct icmphdr *)(buf + ip->ihl * 4);
	/* A raw socket sees every echo reply on the host: keep only ours
	 * (other simulators may ping the same address at the same time). */
	if (ic->type != ICMP_ECHOREPLY || ic->un.echo.id != htons(p->ident) ||
	    ntohs(ic->un.echo.sequence) != p->seq ||
	    ip->saddr != p->dst.s_addr ||
	    n < ip->ihl * 4 + 8 + (ssize_t)sizeof(p->cookie) ||
	    memcmp(ic + 1, p->cookie, sizeof(p->cookie)))
		return;
	sim_timer_del_arg(s, p);
	ms = sim_now(s) - p->sent_at;
	r = malloc(sizeof(*r));
	if (!r)
		abort();
	/* The echo also crosses the cellular link both ways. */
	ms += s->cfg.rtt_ms;
	r->rtt = (int)((ms + 50) / 100);
	if (r->rtt < 1)
		r->rtt = 1;
	r->ttl = ip->ttl;
	sim_timer_add(s, s->cfg.rtt_ms, s7_ping_late, r);
}

static void s7_ping_next(struct sim *s, void *arg)
{
	struct s7_ping *p = arg;
	struct s7 *m = S(s);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = p->dst };
	u8 pkt[64] = { 0 };
	struct icmphdr *ic = (struct icmphdr *)pkt;

	p->timer = 0;
	p->seq++;
	ic->type = ICMP_ECHO;
	ic->un.echo.id = htons(p->ident);
	ic->un.echo.sequence = htons(p->seq);
	memcpy(ic + 1, p->cookie, sizeof(p->cookie));
	ic->checksum = icmp_sum(pkt, sizeof(pkt));
	p->sent_at = sim_now(s);
	p->timer = sim_timer_add(s, p->timeout_ms, s7_ping_timeout, p);
	if (m->blackhole) {
		m->blackhole--;
		return;
	}
	if (p->fd >= 0)
		sendto(p->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
		       sizeof(to));
}

static void s7_ping_start(struct sim *s, struct in_addr dst, int count,
			  int timeout_ms)
{
	struct s7_ping *p = &S(s)->ping;
	struct sockaddr_in me = { .sin_family = AF_INET };
	int i;

	p->active = true;
	p->dst = dst;
	p->count = count;
	p->seq = 0;
	p->timeout_ms = timeout_ms;
	p->ident = (uint16_t)getpid();
	for (i = 0; i < (int)sizeof(p->cookie); i++)
		p->cookie[i] = (u8)rand();
	p->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       IPPROTO_ICMP);
	if (p->fd >= 0) {
		me.sin_addr = s->cfg.ip[0];
		if (sim_addr_local(s, me.sin_addr))
			bind(p->fd, (struct sockaddr *)&me, sizeof(me));
		sim_fd_add(s, p->fd, POLLIN, s7_ping_io, p);
	} else {
		sim_log(s, "sim7020: no raw ICMP socket (%s): pings time out",
			strerror(errno));
	}
	p->timer = sim_timer_add(s, 1, s7_ping_next, p);
}

/* ---- AT+CSODSEND raw payload ---- */

static size_t s7_raw(struct sim *s, const u8 *buf, size_t len)
{
	struct s7 *m = S(s);
	size_t take = m->dsend_len - m->dsend_got;

	if (take > len)
		take = len;
	memcpy(m->dsend_buf + m->dsend_got, buf, take);
	m->dsend_got += take;
	if (s->echo && s->cfg.echo_data)
		sim_write(s, buf, take);
	if (m->dsend_got == m->dsend_len) {
		sim_raw_end(s);
		if (s7_send(s, m->dsend_sock, m->dsend_buf, m->dsend_len))
			sim_line(s, "DATA ACCEPT: %zu", m->dsend_len);
		else
			sim_error(s);
		free(m->dsend_buf);
		m->dsend_buf = NULL;
		s7_done(s);
	}
	return take;
}

/* ---- commands ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int sock_arg(struct s7 *m, const char *f)
{
	long id = sim_number(f, S7_SOCKS - 1);

	if (id < 0 || !m->sk[id].used)
		return -1;
	return (int)id;
}

static void cmd_csoc(struct sim *s, char *args)
{
	struct s7 *m = S(s);
	char *f[5];
	int n = sim_split(args, f, 5), i;
	long dom, type, proto, cid = 1;

	if (n < 3 || n > 4)
		goto err;
	dom = sim_number(f[0], 2);
	type = sim_number(f[1], 3);
	proto = sim_number(f[2], 1);
	if (n == 4)
		cid = sim_number(f[3], 10);
	/* IPv4 only: the simulated network has no IPv6. One PDN: cid 1. */
	if (dom != 1 || (type != 1 && type != 2) || proto != 1 || cid != 1 ||
	    !m->pdn)
		goto err;
	for (i = 0; i < S7_SOCKS; i++)
		if (!m->sk[i].used)
			break;
	if (i == S7_SOCKS)
		goto err;
	memset(&m->sk[i], 0, sizeof(m->sk[i]));
	m->sk[i].used = true;
	m->sk[i].fd = -1;
	m->sk[i].type = type == 1 ? SOCK_STREAM : SOCK_DGRAM;
	sim_line(s, opt.spaced ? "+CSOC: %d" : "+CSOC:%d", i);
	sim_ok(s);
	return;
err:
	sim_error(s);
}

static void cmd_csocon(struct sim *s, char *args)
{
	struct s7 *m = S(s);
	char *f[4];
	struct in_addr ip;
	long port;
	int id;

	if (sim_split(args, f, 4) != 3)
		goto err;
	id = sock_arg(m, f[0]);
	port = sim_number(f[1], 65535);
	if (id < 0 || port < 1 || !inet_aton(f[2], &ip) || !m->pdn)
		goto err;
	if (m->sk[id].connected || m->sk[id].connecting || m->sk[id].fd >= 0)
		goto err;
	s7_csocon(s, &m->sk[id], ip, (int)port);
	return;
err:
	sim_error(s);
}

/* AT+CSOSEND=id,len,data: hex when len > 0, a quoted string when len is 0. */
static void cmd_csosend(struct sim *s, char *args)
{
	struct s7 *m = S(s);
	char *p = args, *data, *end;
	long id, len;
	u8 *buf = NULL;
	size_t n, i;

	/* Not sim_split: the ASCII payload may hold commas. */
	id = strtol(p, &end, 10);
	if (end == p || *end != ',' || id < 0 || id >= S7_SOCKS ||
	    !m->sk[id].used)
		goto err;
	p = end + 1;
	len = strtol(p, &end, 10);
	if (end == p || *end != ',' || len < 0)
		goto err;
	data = end + 1;
	n = strlen(data);
	if (n >= 2 && data[0] == '"' && data[n - 1] == '"') {
		data++;
		n -= 2;
	} else if (len == 0) {
		goto err;	/* ASCII data must be quoted */
	}
	if (len == 0) {
		if (n == 0 || n > opt.send_max || memchr(data, '"', n))
			goto err;
		for (i = 0; i < n; i++)
			if ((u8)data[i] < 0x20 || data[i] == 0x7f)
				goto err;
		buf = malloc(n);
		memcpy(buf, data, n);
	} else {
		if ((size_t)len != n || len % 2 || (size_t)len / 2 > opt.send_max)
			goto err;
		n = len / 2;
		buf = malloc(n);
		for (i = 0; i < n; i++) {
			int hi = hexval(data[2 * i]), lo = hexval(data[2 * i + 1]);

			if (hi < 0 || lo < 0)
				goto err;
			buf[i] = (u8)(hi << 4 | lo);
		}
	}
	if (!s7_send(s, (int)id, buf, n))
		goto err;
	free(buf);
	sim_ok(s);
	return;
err:
	free(buf);
	sim_error(s);
}

static void cmd_csodsend(struct sim *s, char *args)
{
	struct s7 *m = S(s);
	char *f[3];
	long len;
	int id;

	if (opt.no_binary || opt.no_dsend)
		goto err;
	if (!strcmp(args, "?")) {
		/* The test form: what a firmware with the command answers. */
		sim_line(s, "+CSODSEND: (0-%d),(1-%u)", S7_SOCKS - 1,
			 opt.send_max);
		sim_ok(s);
		return;
	}
	if (sim_split(args, f, 3) != 2)
		goto err;
	id = sock_arg(m, f[0]);
	len = sim_number(f[1], opt.send_max);
	if (id < 0 || len < 1 || !m->sk[id].connected || !m->pdn)
		goto err;
	m->dsend_sock = id;
	m->dsend_len = len;
	m->dsend_got = 0;
	m->dsend_buf = malloc(len);
	if (!m->dsend_buf)
		abort();
	m->busy = true;
	sim_prompt(s);
	sim_raw_begin(s);
	return;
err:
	sim_error(s);
}

static void cmd_cfun(struct sim *s, char *args)
{
	struct s7 *m = S(s);
	char *f[3];
	int n = sim_split(args, f, 3);
	long fun = n >= 1 ? sim_number(f[0], 1) : -1;
	long rst = n == 2 ? sim_number(f[1], 1) : 0;

	if (n < 1 || n > 2 || fun < 0 || rst < 0) {
		sim_error(s);
		return;
	}
	if (rst == 1) {
		sim_ok(s);
		sim_restart(s);
		return;
	}
	if (fun == 0) {
		if (m->cfun == 1) {
			sim_timer_del(s, m->attach_timer);
			m->attach_timer = 0;
			s7_pdn_down(s, false);
			m->cfun = 0;
			if (m->attached) {
				m->attached = false;
				s7_cgreg_urc(s);
			}
			/* Seed 2.2: the URC comes before the OK. */
			sim_line(s, "+CPIN: NOT READY");
		}
		sim_ok(s);
		return;
	}
	sim_ok(s);
	if (m->cfun == 0) {
		m->cfun = 1;
		/* Seed 2.2: OK first, then the SIM comes back. */
		sim_line(s, "+CPIN: READY");
		s7_start_attach(s);
	}
}

static void cmd_mcgdefcont(struct sim *s, char *args)
{
	struct s7 *m = S(s);
	char *f[5];
	int n = sim_split(args, f, 5);

	/* The APN can only change with the radio off (seed 2.2). */
	if (m->cfun != 0 || (n != 2 && n != 4))
		goto err;
	if (strcasecmp(f[0], "IP") && strcasecmp(f[0], "IPV6") &&
	    strcasecmp(f[0], "IPV4V6") && strcasecmp(f[0], "Non-IP"))
		goto err;
	if (strlen(f[1]) > S7_APN_MAX || (n == 4 && (strlen(f[2]) > 63 ||
						     strlen(f[3]) > 63)))
		goto err;
	snprintf(m->apn, sizeof(m->apn), "%s", f[1]);
	snprintf(m->user, sizeof(m->user), "%s", n == 4 ? f[2] : "");
	snprintf(m->pwd, sizeof(m->pwd), "%s", n == 4 ? f[3] : "");
	m->apn_set = true;
	sim_ok(s);
	return;
err:
	sim_error(s);
}

static void cmd_cgact(struct sim *s, char *args)
{
	struct s7 *m = S(s);
	char *f[3];
	long st, cid;

	if (sim_split(args, f, 3) != 2)
		goto err;
	st = sim_number(f[0], 1);
	cid = sim_number(f[1], 10);
	if (st < 0 || cid != 1)
		goto err;
	if (st == 0) {
		s7_pdn_down(s, false);
		sim_ok(s);
		return;
	}
	if (!m->attached)
		goto err;
	if (!m->pdn) {
		m->pdn = true;
		if (m->cgerep)
			sim_line(s, "+CGEV: ME PDN ACT 1");
	}
	sim_ok(s);
	return;
err:
	sim_error(s);
}

static void cmd_cdnsgip(struct sim *s, char *args)
{
	struct s7 *m = S(s);
	char *f[2];

	if (sim_split(args, f, 2) != 1 || !*f[0] || strlen(f[0]) > 255 ||
	    !m->pdn) {
		sim_error(s);
		return;
	}
	snprintf(m->dns_host, sizeof(m->dns_host), "%s", f[0]);
	if (opt.cdnsgip_long) {
		sim_ok(s);
	} else {
		/* Seed 2.3: the address, then OK: the command blocks. */
		m->busy = true;
	}
	sim_timer_del(s, m->dns_timer);
	m->dns_timer = sim_timer_add(s, s->cfg.dns_ms, s7_dns_done, NULL);
}

static void cmd_cipping(struct sim *s, char *args)
{
	struct s7 *m = S(s);
	char *f[6];
	int n = sim_split(args, f, 6);
	long count = 4, timeout = 100;
	struct in_addr a;

	/* AT+CIPPING=addr[,retries[,size[,timeout (100 ms)[,ttl]]]] */
	if (n < 1 || !m->pdn || m->ping.active)
		goto err;
	if (n >= 2)
		count = sim_number(f[1], 100);
	if (n >= 4)
		timeout = sim_number(f[3], 600);
	if (count < 1 || timeout < 1 || sim_resolve(s, f[0], &a, 1) != 1)
		goto err;
	sim_ok(s);
	s7_ping_start(s, a, (int)count, (int)timeout * 100);
	return;
err:
	sim_error(s);
}

static void cmd_csocl(struct sim *s, char *args)
{
	struct s7 *m = S(s);
	char *f[2];
	int id;

	if (sim_split(args, f, 2) != 1 || (id = sock_arg(m, f[0])) < 0) {
		sim_error(s);
		return;
	}
	s7_sock_free(s, id);
	sim_ok(s);
}

static void cmd_flag(struct sim *s, const char *name, bool *flag,
		     const char *rest)
{
	if (!strcmp(rest, "?")) {
		sim_line(s, "+%s: %d", name, *flag);
		sim_ok(s);
	} else if (!strcmp(rest, "=0") || !strcmp(rest, "=1")) {
		*flag = rest[1] == '1';
		sim_ok(s);
	} else if (!strcmp(rest, "=?")) {
		sim_line(s, "+%s: (0,1)", name);
		sim_ok(s);
	} else {
		sim_error(s);
	}
}

static void s7_exec(struct sim *s, const char *line)
{
	struct s7 *m = S(s);
	const char *r;
	char args[2200];

	if (!strcasecmp(line, "AT")) {
		sim_ok(s);
	} else if (!strcasecmp(line, "ATE0") || !strcasecmp(line, "ATE1") ||
		   !strcasecmp(line, "ATE")) {
		s->echo = line[3] == '1';
		sim_ok(s);
	} else if (!strcasecmp(line, "ATI")) {
		sim_line(s, "%s R1752", s->cfg.model_name ?: "SIM7020E");
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CGMM")) {
		sim_line(s, "%s", s->cfg.model_name ?: "SIM7020E");
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CGMR")) {
		sim_line(s, "%s", s->cfg.revision ?: "Revision:1752B12SIM7020E");
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CGMI")) {
		sim_line(s, "SIMCOM_Ltd");
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CPIN?")) {
		if (m->cfun == 0) {
			/* SIM powered down with the radio. */
			sim_line(s, "+CME ERROR: 10");
			return;
		}
		sim_line(s, opt.spaced ? "+CPIN: READY" : "+CPIN:READY");
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CSQ=?")) {
		sim_line(s, "%sCSQ: (0-31,99),(99)",
			 s->cfg.csq_noplus ? "" : "+");
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CSQ")) {
		if (m->cfun == 1)
			sim_line(s, "%sCSQ: %d,0",
				 s->cfg.csq_noplus ? "" : "+", s->cfg.csq);
		else
			sim_line(s, "%sCSQ: 99,99",
				 s->cfg.csq_noplus ? "" : "+");
		sim_ok(s);
	} else if ((r = sim_prefix(line, "AT+CGREG"))) {
		if (!strcmp(r, "?")) {
			sim_line(s, "+CGREG: %d,%d", m->cgreg_n,
				 m->attached ? 1 : m->cfun ? 2 : 0);
			sim_ok(s);
		} else if (r[0] == '=' && sim_number(r + 1, 2) >= 0) {
			m->cgreg_n = (int)sim_number(r + 1, 2);
			sim_ok(s);
		} else {
			sim_error(s);
		}
	} else if (!strcasecmp(line, "AT+CEREG?")) {
		sim_line(s, "+CEREG: 0,%d", m->attached ? 1 : m->cfun ? 2 : 0);
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CGATT?")) {
		sim_line(s, "+CGATT: %d", m->attached);
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CGACT?")) {
		sim_line(s, "+CGACT: 1,%d", m->pdn);
		sim_ok(s);
	} else if ((r = sim_prefix(line, "AT+CGACT="))) {
		snprintf(args, sizeof(args), "%s", r);
		cmd_cgact(s, args);
	} else if ((r = sim_prefix(line, "AT+CGEREP"))) {
		if (!strcmp(r, "?")) {
			sim_line(s, "+CGEREP: %d,0", m->cgerep);
			sim_ok(s);
		} else if (r[0] == '=' && sim_number(r + 1, 1) >= 0) {
			m->cgerep = (int)sim_number(r + 1, 1);
			sim_ok(s);
		} else {
			sim_error(s);
		}
	} else if (!strcasecmp(line, "AT+COPS?")) {
		if (m->attached)
			sim_line(s, "+COPS: 0,0,\"%s\",9",
				 s->cfg.operator_name ?: "CHN-UNICOM");
		else
			sim_line(s, "+COPS: 0");
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CGCONTRDP")) {
		/* Address and mask run together (seed 2.1); nothing at all
		 * while the PDN is down (seed 2.4). */
		if (m->pdn)
			sim_line(s, "+CGCONTRDP: 1,5,\"%s\",\"%s.255.255.255.0\"",
				 m->apn, sim_ntoa(s->cfg.ip[0]));
		s7_noise(s);
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CGPADDR") ||
		   !strcasecmp(line, "AT+CGPADDR=1")) {
		if (m->pdn)
			sim_line(s, "+CGPADDR: 1,\"%s\"", sim_ntoa(s->cfg.ip[0]));
		sim_ok(s);
	} else if (!strcasecmp(line, "AT+CFUN?")) {
		sim_line(s, "+CFUN: %d", m->cfun);
		sim_ok(s);
	} else if ((r = sim_prefix(line, "AT+CFUN="))) {
		snprintf(args, sizeof(args), "%s", r);
		cmd_cfun(s, args);
	} else if (!strcasecmp(line, "AT*MCGDEFCONT?")) {
		sim_line(s, "*MCGDEFCONT: \"IP\",\"%s\",\"%s\",\"%s\"",
			 m->apn_set ? m->apn : "", m->user, m->pwd);
		sim_ok(s);
	} else if ((r = sim_prefix(line, "AT*MCGDEFCONT="))) {
		snprintf(args, sizeof(args), "%s", r);
		cmd_mcgdefcont(s, args);
	} else if (!strcasecmp(line, "AT+CSOC?")) {
		int i;

		for (i = 0; i < S7_SOCKS; i++)
			if (m->sk[i].used)
				sim_line(s, "+CSOC: %d,1,%d,1", i,
					 m->sk[i].type == SOCK_STREAM ? 1 : 2);
		sim_ok(s);
	} else if ((r = sim_prefix(line, "AT+CSOC="))) {
		snprintf(args, sizeof(args), "%s", r);
		cmd_csoc(s, args);
	} else if ((r = sim_prefix(line, "AT+CSOCON="))) {
		snprintf(args, sizeof(args), "%s", r);
		cmd_csocon(s, args);
	} else if ((r = sim_prefix(line, "AT+CSOSEND="))) {
		snprintf(args, sizeof(args), "%s", r);
		cmd_csosend(s, args);
	} else if ((r = sim_prefix(line, "AT+CSODSEND="))) {
		snprintf(args, sizeof(args), "%s", r);
		cmd_csodsend(s, args);
	} else if ((r = sim_prefix(line, "AT+CSOSENDFLAG"))) {
		cmd_flag(s, "CSOSENDFLAG", &m->sendflag, r);
	} else if ((r = sim_prefix(line, "AT+CSORCVFLAG"))) {
		if (opt.no_binary)
			sim_error(s);
		else
			cmd_flag(s, "CSORCVFLAG", &m->rcvbin, r);
	} else if ((r = sim_prefix(line, "AT+CSOCL="))) {
		snprintf(args, sizeof(args), "%s", r);
		cmd_csocl(s, args);
	} else if ((r = sim_prefix(line, "AT+CDNSGIP="))) {
		snprintf(args, sizeof(args), "%s", r);
		cmd_cdnsgip(s, args);
	} else if ((r = sim_prefix(line, "AT+CIPPING="))) {
		snprintf(args, sizeof(args), "%s", r);
		cmd_cipping(s, args);
	} else {
		/* Everything else, including the SIM7000 TCP/IP toolkit, server
		 * and transparent mode (seed 002 3.1: not supported). */
		sim_error(s);
	}
}

static void s7_line(struct sim *s, const char *line)
{
	struct s7 *m = S(s);

	/* The core echoed the line up to its CR; this firmware follows the
	 * echo with "\r\n" (seed 002 3.8 hex dump: "AT+CFUN?\r\r\n"). */
	if (s->echo && !opt.plain_echo)
		sim_write(s, "\r\n", 2);
	if (m->busy || sim_in_raw(s)) {
		/* A busy modem reads the next command when it is done. */
		if (m->qlen < S7_QUEUE)
			m->queue[m->qlen++] = strdup(line);
		return;
	}
	s7_exec(s, line);
}

/* ---- lifecycle ---- */

static void s7_boot_urcs(struct sim *s, void *arg)
{
	(void)arg;
	if (sim_autobauding(s))
		return;
	sim_line(s, "RDY");
	sim_line(s, "+CFUN: 1");
	sim_line(s, "+CPIN: READY");
}

static void s7_power_on(struct sim *s)
{
	struct s7 *m = S(s);
	int i;

	m->cfun = 1;
	m->attached = m->pdn = false;
	snprintf(m->apn, sizeof(m->apn), "%s", opt.apn);
	m->cgerep = opt.cgerep;
	m->busy_sock = -1;
	m->dsend_sock = -1;
	m->ping.fd = -1;
	for (i = 0; i < S7_SOCKS; i++)
		m->sk[i].fd = -1;
	s7_start_attach(s);
}

static void s7_init(struct sim *s)
{
	struct s7 *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	s->priv = m;
	s7_power_on(s);
	if (s->cfg.rdy)
		s7_boot_urcs(s, NULL);
}

static void s7_restart(struct sim *s)
{
	struct s7 *m = S(s);
	char apn[sizeof(m->apn)], user[64], pwd[64];
	bool apn_set = m->apn_set;
	int i;

	for (i = 0; i < S7_SOCKS; i++)
		s7_sock_free(s, i);
	s7_ping_stop(s);
	sim_timer_del(s, m->attach_timer);
	sim_timer_del(s, m->dns_timer);
	sim_timer_del(s, m->busy_timer);
	for (i = 0; i < m->qlen; i++)
		free(m->queue[i]);
	free(m->dsend_buf);
	/* AT*MCGDEFCONT is stored in NV memory: it survives the reboot. */
	memcpy(apn, m->apn, sizeof(apn));
	memcpy(user, m->user, sizeof(user));
	memcpy(pwd, m->pwd, sizeof(pwd));
	memset(m, 0, sizeof(*m));
	s7_power_on(s);
	if (apn_set) {
		memcpy(m->apn, apn, sizeof(apn));
		memcpy(m->user, user, sizeof(user));
		memcpy(m->pwd, pwd, sizeof(pwd));
		m->apn_set = true;
	}
	/* --cpin-notready: the SIM drops out first, as on a brown-out. */
	if (s->cfg.cpin_notready)
		sim_line(s, "+CPIN: NOT READY");
	sim_timer_add(s, s->cfg.restart_ms, s7_boot_urcs, NULL);
}

static int s7_count_arg(const char *arg, int *out)
{
	long n = arg ? sim_number(arg, 1000) : 1;

	if (n < 0)
		return -1;
	*out = (int)n;
	return 0;
}

static int s7_fault(struct sim *s, const char *name, const char *arg,
		    char *err, size_t errlen)
{
	struct s7 *m = S(s);

	if (!strcmp(name, "pdp-deact")) {
		if (!m->pdn) {
			snprintf(err, errlen, "PDN is not active");
			return -1;
		}
		s7_pdn_down(s, true);
		return 0;
	}
	if (!strcmp(name, "close") || !strcmp(name, "reset")) {
		long id = arg ? sim_number(arg, S7_SOCKS - 1) : -1;
		struct s7_sock *k;

		if (id < 0) {
			snprintf(err, errlen, "%s needs a socket id 0..4", name);
			return -1;
		}
		k = &m->sk[id];
		if (!k->used || !k->connected || k->fd < 0) {
			snprintf(err, errlen, "socket %ld is not connected", id);
			return -1;
		}
		if (name[0] == 'r') {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			/* Make the kernel send a real RST to the peer. */
			setsockopt(k->fd, SOL_SOCKET, SO_LINGER, &lg,
				   sizeof(lg));
		}
		/* The remote side went away: drop our end for real, then
		 * report it after whatever is already on its way. */
		sim_fd_del(s, k->fd);
		close(k->fd);
		k->fd = -1;
		k->connected = false;
		chunk_free_list(k->tx_head);
		k->tx_head = k->tx_tail = NULL;
		k->rx_err = name[0] == 'r' ? S7_ERR_RESET : opt.close_code;
		if (!k->rx_timer) {
			k->rx_timer = sim_timer_add(s, sim_net_delay(s,
							SIM_DOWN, 0),
						    s7_rx_deliver, k);
		}
		return 0;
	}
	if (!strcmp(name, "refuse"))
		return s7_count_arg(arg, &m->refuse) ?
			(snprintf(err, errlen, "bad count"), -1) : 0;
	if (!strcmp(name, "blackhole"))
		return s7_count_arg(arg, &m->blackhole) ?
			(snprintf(err, errlen, "bad count"), -1) : 0;
	if (!strcmp(name, "send-fail"))
		return s7_count_arg(arg, &m->send_fail) ?
			(snprintf(err, errlen, "bad count"), -1) : 0;
	return 1;
}

static void s7_status(struct sim *s, FILE *out)
{
	struct s7 *m = S(s);
	int i;

	fprintf(out, "cfun %d\nattached %d\npdn %d\napn %s\n", m->cfun,
		m->attached, m->pdn, m->apn);
	for (i = 0; i < S7_SOCKS; i++) {
		struct s7_sock *k = &m->sk[i];

		if (!k->used)
			continue;
		fprintf(out, "socket%d %s %s %s:%d\n", i,
			k->type == SOCK_STREAM ? "tcp" : "udp",
			k->connected ? "connected" : k->connecting ?
			"connecting" : k->dead ? "dead" : "created",
			inet_ntoa(k->peer.sin_addr), ntohs(k->peer.sin_port));
	}
}

const struct sim_dialect sim7020_dialect = {
	.name = "sim7020",
	.init = s7_init,
	.line = s7_line,
	.raw = s7_raw,
	.restart = s7_restart,
	.fault = s7_fault,
	.status = s7_status,
	.fault_help =
	"  pdp-deact           the network drops the PDN: +CSOERR: n,11\n"
	"  close N             peer closes socket N: +CSOERR: N,4\n"
	"  reset N             peer resets socket N: +CSOERR: N,3\n"
	"  refuse [COUNT]      next TCP AT+CSOCON is refused: ERROR\n"
	"  blackhole [COUNT]   next AT+CSOCON / ping gets no answer\n"
	"  send-fail [COUNT]   next AT+CSOSEND/AT+CSODSEND answers ERROR\n",
	.option = s7_option,
	.option_help = S7_OPTION_HELP,
};
