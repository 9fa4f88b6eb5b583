// SPDX-License-Identifier: GPL-2.0
/*
 * SIM7000 dialect: the SIMCom TCP/IP toolkit (CIP* commands) as seed 000
 * (SIM7000 TCP/IP application note) and docs/at-reference.md show it.
 *
 * Model:
 *  - two PDP contexts (AT+CIPSGTXT), each with its own APN, state and
 *    address (--ip / --ip2); the state machine is seed 000 section 9;
 *  - eight link slots; single-link mode uses slot 0;
 *  - each link is a real non-blocking socket bound to its context's
 *    address; bytes cross the "radio" through the core's delay model
 *    (sim_net_delay) as packets on timers, so ordering is preserved and
 *    a close is reported only after every byte before it was delivered;
 *  - the per-link modem buffer (--rx-buffer) is the backpressure point:
 *    when it (or, in auto receive, the tty queue) is full the socket is
 *    not read any more.
 *
 * Choices where the seed is silent (documented here, tested in
 * test_sim7000.py):
 *  - ESC (0x1b) after "> " cancels the send silently (nothing printed);
 *  - single-link CIPSTART/CIPSERVER in IP INITIAL bring the context up
 *    with the default APN (seed 3.1.3 starts a server right after
 *    AT+CGATT?); multi-link requires IP STATUS;
 *  - CIPPING does not send ICMP: an address answers if it is configured
 *    on this host/netns, is in --hosts or is 127/8, after --rtt; other
 *    addresses time out ("+CIPPING: i,"ip",600,255").  rtt is printed in
 *    100 ms units, all replies are followed by OK;
 *  - single-link connect failure prints just "CONNECT FAIL".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <poll.h>

#include "sim.h"

#define NLINK		8
#define MAX_SEND	1460
#define MAX_HEX		730
#define NOISE_HOLD_MS	1000

enum ctx_state { C_INITIAL, C_START, C_CONFIG, C_GPRSACT, C_STATUS, C_DEACT };
enum link_state { L_INITIAL, L_CONNECTING, L_CONNECTED, L_CLOSED };

struct s7;

struct pkt {
	struct pkt *next;
	struct link *l;
	size_t len;
	bool eof;
	bool quiet;			/* transparent mode: no SEND OK */
	struct sockaddr_in from;
	u8 data[];
};

struct link {
	int n;
	enum link_state st;
	bool udp;
	int ctx;
	int fd;
	struct sockaddr_in peer;	/* remote (CIPSTART target / client) */
	struct sockaddr_in target;	/* UDP extended mode send target */
	bool udp_ext;
	bool manual;			/* CIPRXGET=1 when it connected */
	bool transparent;
	bool announced;			/* +CIPRXGET: 1 shown, not drained */
	bool remote_closed;		/* EOF delivered, close not reported */
	bool reading;			/* POLLIN currently requested */
	bool recheck;			/* backpressure re-check timer armed */
	struct pkt *rxpkts, *txpkts;	/* in flight (timers pending) */
	size_t inflight;
	u8 *rx;				/* modem buffer */
	size_t rxlen;
	struct sockaddr_in rxfrom;	/* sender of the buffered bytes */
	u8 *tx;				/* written to the socket on POLLOUT */
	size_t txlen;
	uint64_t txbytes, ackbytes;
};

struct ctx {
	enum ctx_state st;
	char apn[51], user[51], pwd[51];
};

struct s7 {
	struct ctx ctx[2];
	int cur;			/* CIPSGTXT */
	struct link link[NLINK];
	bool mux, mode, qsend, rxget, head, srip, showtp, esc;
	int udpmode;
	uint16_t clport_tcp, clport_udp;
	bool cgatt;
	/* server */
	int srv_fd;
	uint16_t srv_port;
	int srv_ctx;
	/* CIPSEND in progress */
	struct link *send_link;
	long send_want;			/* -1: until Ctrl-Z */
	u8 sendbuf[MAX_SEND + 1];
	size_t sendlen;
	/* transparent data mode */
	bool datamode;
	int plus;			/* '+' held for the escape sequence */
	unsigned long plus_timer;
	uint64_t last_data_ms;
	/* boot */
	bool booting;
	/* one-shot faults */
	bool f_refuse, f_blackhole, f_sendfail;
	/* CIPPING */
	struct in_addr ping_addr;
	int ping_i, ping_n, ping_timeout, ping_ttl;
	bool ping_ok;
	unsigned long ping_timer;
};

#define S7(s) ((struct s7 *)(s)->priv)

static void link_poll(struct sim *s, struct link *l);
static void link_report_close(struct sim *s, struct link *l);

/* ------------------------------------------------------------ helpers */

static struct link *single(struct sim *s)
{
	return &S7(s)->link[0];
}

static const char *ctx_state_name(enum ctx_state st)
{
	static const char *const names[] = {
		"IP INITIAL", "IP START", "IP CONFIG", "IP GPRSACT",
		"IP STATUS", "PDP DEACT",
	};
	return names[st];
}

static bool ctx_up(struct sim *s, int c)
{
	enum ctx_state st = S7(s)->ctx[c].st;

	return st == C_GPRSACT || st == C_STATUS;
}

static const char *state_name(struct sim *s)
{
	struct s7 *m = S7(s);
	struct ctx *c = &m->ctx[m->cur];
	struct link *l = single(s);
	int i;

	if (c->st != C_STATUS)
		return ctx_state_name(c->st);
	if (m->mux) {
		if (m->srv_fd >= 0)
			return "IP PROCESSING";
		for (i = 0; i < NLINK; i++)
			if (m->link[i].st != L_INITIAL)
				return "IP PROCESSING";
		return "IP STATUS";
	}
	switch (l->st) {
	case L_CONNECTING:
		return l->udp ? "UDP CONNECTING" : "TCP CONNECTING";
	case L_CONNECTED:
		return "CONNECT OK";
	case L_CLOSED:
		if (m->srv_fd >= 0)
			return "SERVER LISTENING";
		return l->udp ? "UDP CLOSED" : "TCP CLOSED";
	default:
		return m->srv_fd >= 0 ? "SERVER LISTENING" : "IP STATUS";
	}
}

/* "n, WHAT" in multi-link, "WHAT" in single-link. */
static void link_result(struct sim *s, struct link *l, const char *what)
{
	if (S7(s)->mux)
		sim_link_line(s, l->n, what);
	else
		sim_line(s, "%s", what);
}

static void noise_time(struct sim *s)
{
	if (!s->cfg.urc_noise)
		return;
	sim_line(s, "DST: 0");
	sim_line(s, "*PSUTTZ: 24/01/01,12:00:00\",\"+32\",0");
}

static bool addr_in_hosts(struct sim *s, struct in_addr a)
{
	char line[512];
	bool found = false;
	FILE *f;

	if (!s->cfg.hosts || !(f = fopen(s->cfg.hosts, "r")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		struct in_addr b;
		char *ip = strtok(line, " \t\r\n#");

		found = ip && inet_pton(AF_INET, ip, &b) == 1 &&
			b.s_addr == a.s_addr;
	}
	fclose(f);
	return found;
}

/* ------------------------------------------------------- link teardown */

static void free_pkts(struct sim *s, struct pkt **list)
{
	struct pkt *p;

	while ((p = *list)) {
		*list = p->next;
		sim_timer_del_arg(s, p);
		free(p);
	}
}

static void unlink_pkt(struct pkt **list, struct pkt *p)
{
	for (; *list; list = &(*list)->next) {
		if (*list == p) {
			*list = p->next;
			return;
		}
	}
}

static void link_close_fd(struct sim *s, struct link *l)
{
	if (l->fd >= 0) {
		sim_fd_del(s, l->fd);
		close(l->fd);
		l->fd = -1;
	}
	l->reading = false;
}

/* Free everything; keep the peer for CIPSTATUS if st is L_CLOSED. */
static void link_reset(struct sim *s, struct link *l, enum link_state st)
{
	struct s7 *m = S7(s);

	link_close_fd(s, l);
	sim_timer_del_arg(s, l);
	free_pkts(s, &l->rxpkts);
	free_pkts(s, &l->txpkts);
	free(l->rx);
	free(l->tx);
	l->rx = l->tx = NULL;
	l->rxlen = l->txlen = l->inflight = 0;
	l->announced = l->remote_closed = l->recheck = false;
	l->st = st;
	if (st == L_INITIAL) {
		int n = l->n;

		memset(l, 0, sizeof(*l));
		l->n = n;
		l->fd = -1;
	}
	if (m->send_link == l) {
		m->send_link = NULL;
		if (sim_in_raw(s) && !m->datamode)
			sim_raw_end(s);
	}
	if (l->transparent && m->datamode) {
		m->datamode = false;
		sim_raw_end(s);
	}
}

/* -------------------------------------------------------- receive path */

static size_t rx_room(struct sim *s, struct link *l)
{
	size_t used = l->rxlen + l->inflight;

	/* Auto receive goes straight to the tty: that is the buffer. */
	if (!l->manual && !l->transparent)
		used += sim_out_pending(s);
	return used >= s->cfg.rxbuf ? 0 : s->cfg.rxbuf - used;
}

static void recheck_timer(struct sim *s, void *arg)
{
	struct link *l = arg;

	l->recheck = false;
	link_poll(s, l);
}

/* Read from the socket only while the modem has room (backpressure). */
static void link_poll(struct sim *s, struct link *l)
{
	short ev = 0;
	size_t need = l->udp ? (s->cfg.rxbuf < 1500 ? s->cfg.rxbuf : 1500) : 1;

	if (l->fd < 0 || l->st != L_CONNECTED)
		return;
	if (!l->remote_closed && rx_room(s, l) >= need)
		ev |= POLLIN;
	else if (!l->remote_closed && !l->recheck) {
		/* The tty drains without telling us: look again soon. */
		l->recheck = true;
		sim_timer_add(s, 10, recheck_timer, l);
	}
	if (l->txlen)
		ev |= POLLOUT;
	l->reading = ev & POLLIN;
	sim_fd_set(s, l->fd, ev);
}

static void rx_append(struct link *l, const u8 *p, size_t len)
{
	l->rx = realloc(l->rx, l->rxlen + len + 1);
	memcpy(l->rx + l->rxlen, p, len);
	l->rxlen += len;
}

static void rx_consume(struct link *l, size_t n)
{
	memmove(l->rx, l->rx + n, l->rxlen - n);
	l->rxlen -= n;
}

/* Auto receive header + data, as the current CIPHEAD/CIPSRIP settings say. */
static void show_data(struct sim *s, struct link *l, const u8 *p, size_t len,
		      const struct sockaddr_in *from)
{
	struct s7 *m = S7(s);
	const char *ip = sim_ntoa(from->sin_addr);
	int port = ntohs(from->sin_port);

	if (m->mux) {
		if (m->srip)
			sim_line(s, "+RECEIVE,%d,%zu,%s:%d:", l->n, len, ip, port);
		else
			sim_line(s, "+RECEIVE,%d,%zu:", l->n, len);
	} else {
		if (m->srip)
			sim_line(s, "RECV FROM:%s:%d", ip, port);
		if (m->head) {
			if (!m->srip)
				sim_write(s, "\r\n", 2);
			if (m->showtp)
				sim_printf(s, "+IPD,%zu,%s:", len,
					   l->udp ? "UDP" : "TCP");
			else
				sim_printf(s, "+IPD,%zu:", len);
		}
	}
	sim_write(s, p, len);
}

static void flush_held(struct sim *s, struct link *l)
{
	if (!l->rxlen || l->manual || l->transparent)
		return;
	show_data(s, l, l->rx, l->rxlen, &l->rxfrom);
	l->rxlen = 0;
	if (l->remote_closed)
		link_report_close(s, l);
}

static void hold_timer(struct sim *s, void *arg)
{
	flush_held(s, arg);
	link_poll(s, arg);
}

static void announce(struct sim *s, struct link *l)
{
	if (S7(s)->mux)
		sim_line(s, "+CIPRXGET: 1,%d", l->n);
	else
		sim_line(s, "+CIPRXGET: 1");
	l->announced = true;
}

static void link_report_close(struct sim *s, struct link *l)
{
	struct s7 *m = S7(s);

	/*
	 * Deliver everything received before reporting the close: manual
	 * receive waits until CIPRXGET drained the buffer, held auto data
	 * (--urc-noise) until it is shown.
	 */
	if ((l->rxlen && !l->transparent) || l->inflight)
		return;
	if (l->transparent && m->datamode) {
		m->datamode = false;
		sim_raw_end(s);
	}
	link_result(s, l, "CLOSED");
	link_reset(s, l, L_CLOSED);
}

static void deliver(struct sim *s, void *arg)
{
	struct pkt *p = arg;
	struct link *l = p->l;
	struct s7 *m = S7(s);

	unlink_pkt(&l->rxpkts, p);
	l->inflight -= p->len;
	if (p->eof) {
		l->remote_closed = true;
		free(p);
		link_report_close(s, l);
		return;
	}
	if (l->transparent) {
		if (m->datamode)
			sim_write(s, p->data, p->len);
		else
			rx_append(l, p->data, p->len);
	} else if (l->manual) {
		bool was_empty = !l->rxlen;

		rx_append(l, p->data, p->len);
		if (was_empty && !l->announced)
			announce(s, l);
	} else if (s->cfg.urc_noise) {
		/* Held so that it can show up right before a "> " prompt. */
		if (!l->rxlen)
			sim_timer_add(s, NOISE_HOLD_MS, hold_timer, l);
		rx_append(l, p->data, p->len);
		l->rxfrom = p->from;
	} else {
		show_data(s, l, p->data, p->len, &p->from);
	}
	free(p);
	link_poll(s, l);
}

static void queue_rx(struct sim *s, struct link *l, const u8 *data, size_t len,
		     bool eof, const struct sockaddr_in *from)
{
	struct pkt *p = malloc(sizeof(*p) + len), **pp;

	p->next = NULL;
	p->l = l;
	p->len = len;
	p->eof = eof;
	p->quiet = false;
	p->from = *from;
	memcpy(p->data, data, len);
	for (pp = &l->rxpkts; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	l->inflight += len;
	sim_timer_add(s, sim_net_delay(s, SIM_DOWN, len), deliver, p);
}

static void link_write(struct sim *s, struct link *l)
{
	ssize_t w;

	(void)s;
	if (!l->txlen || l->fd < 0)
		return;
	w = write(l->fd, l->tx, l->txlen);
	if (w > 0) {
		memmove(l->tx, l->tx + w, l->txlen - w);
		l->txlen -= w;
	}
}

static void link_io(struct sim *s, int fd, short re, void *arg)
{
	struct link *l = arg;
	u8 buf[65536];
	ssize_t n;

	(void)fd;
	if (re & POLLOUT)
		link_write(s, l);
	if ((re & (POLLHUP | POLLERR)) && !l->reading && !l->udp) {
		/*
		 * Reset while we were not reading (backpressure): poll keeps
		 * reporting it, so take the last bytes and the error now.
		 */
		l->reading = true;
	}
	if ((re & (POLLIN | POLLHUP | POLLERR)) && l->reading) {
		struct sockaddr_in from = l->peer;
		socklen_t sl = sizeof(from);
		size_t room = rx_room(s, l);

		/* A real modem hands out at most 1460 bytes per +RECEIVE. */
		if (room > MAX_SEND || (re & (POLLHUP | POLLERR)))
			room = MAX_SEND;
		if (!room && !l->udp) {
			link_poll(s, l);
			return;
		}

		if (l->udp) {
			n = recvfrom(l->fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &sl);
			if (n > 0)
				queue_rx(s, l, buf, n, false, &from);
		} else {
			n = read(l->fd, buf, room);
			if (n > 0) {
				queue_rx(s, l, buf, n, false, &from);
			} else if (n == 0 || errno != EAGAIN) {
				/* EOF or reset: the peer closed the link. */
				queue_rx(s, l, buf, 0, true, &from);
				link_close_fd(s, l);
				l->remote_closed = false;
				return;
			}
		}
	}
	link_poll(s, l);
}

/* ----------------------------------------------------------- send path */

static void tx_ack(struct sim *s, void *arg)
{
	struct pkt *p = arg;
	struct link *l = p->l;

	unlink_pkt(&l->txpkts, p);
	l->ackbytes += p->len;
	if (!S7(s)->qsend && !p->quiet)
		link_result(s, l, "SEND OK");
	free(p);
}

static void tx_arrive(struct sim *s, void *arg)
{
	struct pkt *p = arg;
	struct link *l = p->l;

	if (l->udp) {
		const struct sockaddr_in *to = l->udp_ext ? &l->target : &l->peer;

		sendto(l->fd, p->data, p->len, 0, (const struct sockaddr *)to,
		       sizeof(*to));
		unlink_pkt(&l->txpkts, p);
		if (!S7(s)->qsend && !p->quiet)
			link_result(s, l, "SEND OK");
		free(p);
		return;
	}
	l->tx = realloc(l->tx, l->txlen + p->len);
	memcpy(l->tx + l->txlen, p->data, p->len);
	l->txlen += p->len;
	link_write(s, l);
	link_poll(s, l);
	/* The TCP ack travels back to the modem: SEND OK after the rtt. */
	sim_timer_add(s, s->cfg.rtt_ms / 2, tx_ack, p);
}

static void do_send(struct sim *s, struct link *l, const u8 *data, size_t len,
		    bool quiet)
{
	struct s7 *m = S7(s);
	struct pkt *p, **pp;

	if (m->f_sendfail && !quiet) {
		m->f_sendfail = false;
		link_result(s, l, "SEND FAIL");
		return;
	}
	if (l->st != L_CONNECTED) {
		if (!quiet)
			link_result(s, l, "SEND FAIL");
		return;
	}
	p = malloc(sizeof(*p) + len);
	p->next = NULL;
	p->l = l;
	p->len = len;
	p->eof = false;
	p->quiet = quiet;
	memcpy(p->data, data, len);
	for (pp = &l->txpkts; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	l->txbytes += len;
	if (!quiet && m->qsend) {
		if (m->mux)
			sim_line(s, "DATA ACCEPT:%d,%zu", l->n, len);
		else
			sim_line(s, "DATA ACCEPT:%zu", len);
	}
	sim_timer_add(s, sim_net_delay(s, SIM_UP, len), tx_arrive, p);
}

/* ------------------------------------------------------------- connect */

static void connect_result(struct sim *s, void *arg)
{
	struct link *l = arg;
	struct s7 *m = S7(s);

	if (l->st != L_CONNECTING)
		return;
	if (l->fd < 0) {
		/* Refused, unreachable or timed out. */
		link_result(s, l, "CONNECT FAIL");
		link_reset(s, l, L_CLOSED);
		return;
	}
	l->st = L_CONNECTED;
	sim_fd_set(s, l->fd, 0);
	if (l->transparent) {
		sim_line(s, "CONNECT");
		m->datamode = true;
		m->plus = 0;
		m->last_data_ms = sim_now(s);
		sim_raw_begin(s);
	} else {
		link_result(s, l, "CONNECT OK");
	}
	link_poll(s, l);
}

static void connect_timeout(struct sim *s, void *arg)
{
	struct link *l = arg;

	link_close_fd(s, l);
	connect_result(s, l);
}

static void connect_io(struct sim *s, int fd, short re, void *arg)
{
	struct link *l = arg;
	int err = 0;
	socklen_t sl = sizeof(err);

	(void)re;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl);
	sim_timer_del_arg(s, l);	/* the connect timeout */
	if (err) {
		sim_log(s, "link %d connect: %s", l->n, strerror(err));
		link_close_fd(s, l);
	} else {
		sim_fd_set(s, fd, 0);
		sim_fd_del(s, fd);
		sim_fd_add(s, fd, 0, link_io, l);
	}
	sim_timer_add(s, s->cfg.rtt_ms, connect_result, l);
}

/* Bring a single-link context up implicitly (seed 3.1.3). */
static bool auto_activate(struct sim *s)
{
	struct s7 *m = S7(s);
	struct ctx *c = &m->ctx[m->cur];

	if (m->mux || c->st != C_INITIAL)
		return c->st == C_STATUS || c->st == C_GPRSACT;
	strcpy(c->apn, "CMNET");
	c->st = C_STATUS;
	return true;
}

static void start_link(struct sim *s, struct link *l, bool udp,
		       struct in_addr addr, int port)
{
	struct s7 *m = S7(s);
	uint16_t lport = udp ? m->clport_udp : m->clport_tcp;
	int fd;

	link_reset(s, l, L_INITIAL);
	l->st = L_CONNECTING;
	l->udp = udp;
	l->ctx = m->cur;
	l->manual = m->rxget;
	l->transparent = !m->mux && m->mode;
	l->peer.sin_family = AF_INET;
	l->peer.sin_addr = addr;
	l->peer.sin_port = htons(port);
	l->target = l->peer;
	l->udp_ext = udp && !m->mux && m->udpmode;

	if (m->f_refuse) {
		m->f_refuse = false;
		sim_timer_add(s, s->cfg.rtt_ms, connect_result, l);
		return;
	}
	if (m->f_blackhole) {
		m->f_blackhole = false;
		sim_timer_add(s, s->cfg.connect_timeout_ms, connect_timeout, l);
		return;
	}
	fd = sim_socket(s, udp ? SOCK_DGRAM : SOCK_STREAM, s->cfg.ip[l->ctx],
			lport);
	if (fd < 0) {
		sim_log(s, "link %d socket: %s", l->n, strerror(-fd));
		sim_timer_add(s, 0, connect_result, l);
		return;
	}
	l->fd = fd;
	if (udp) {
		if (!l->udp_ext && connect(fd, (struct sockaddr *)&l->peer,
					   sizeof(l->peer))) {
			link_close_fd(s, l);
		} else {
			sim_fd_add(s, fd, 0, link_io, l);
		}
		/* No handshake: the result comes right after OK. */
		sim_timer_add(s, 0, connect_result, l);
		return;
	}
	if (connect(fd, (struct sockaddr *)&l->peer, sizeof(l->peer)) &&
	    errno != EINPROGRESS) {
		link_close_fd(s, l);
		sim_timer_add(s, s->cfg.rtt_ms, connect_result, l);
		return;
	}
	sim_fd_add(s, fd, POLLOUT, connect_io, l);
	sim_timer_add(s, s->cfg.connect_timeout_ms, connect_timeout, l);
}

/* -------------------------------------------------------------- server */

static int links_in_use(struct s7 *m)
{
	int i, n = 0;

	for (i = 0; i < NLINK; i++)
		n += m->link[i].st == L_CONNECTING || m->link[i].st == L_CONNECTED;
	return n;
}

static void server_io(struct sim *s, int fd, short re, void *arg)
{
	struct s7 *m = S7(s);
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct link *l = NULL;
	int c, i;

	(void)re;
	(void)arg;
	c = accept4(fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	if (m->mux) {
		/* The server holds one of the 8 slots: 7 links at most. */
		if (links_in_use(m) < NLINK - 1)
			for (i = 0; i < NLINK && !l; i++)
				if (m->link[i].st == L_INITIAL ||
				    m->link[i].st == L_CLOSED)
					l = &m->link[i];
	} else if (single(s)->st != L_CONNECTING &&
		   single(s)->st != L_CONNECTED) {
		l = single(s);
	}
	if (!l) {
		sim_log(s, "server: no free link, rejecting %s",
			sim_ntoa(sa.sin_addr));
		close(c);
		return;
	}
	link_reset(s, l, L_INITIAL);
	l->st = L_CONNECTED;
	l->ctx = m->srv_ctx;
	l->fd = c;
	l->peer = sa;
	l->manual = m->rxget;
	sim_fd_add(s, c, 0, link_io, l);
	if (m->mux) {
		char what[40];

		snprintf(what, sizeof(what), "REMOTE IP: %s",
			 sim_ntoa(sa.sin_addr));
		sim_link_line(s, l->n, what);
	} else {
		sim_line(s, "REMOTE IP: %s", sim_ntoa(sa.sin_addr));
	}
	link_poll(s, l);
}

static void server_stop(struct sim *s)
{
	struct s7 *m = S7(s);

	if (m->srv_fd < 0)
		return;
	sim_fd_del(s, m->srv_fd);
	close(m->srv_fd);
	m->srv_fd = -1;
}

/* ------------------------------------------------------------ shutdown */

static void ctx_down(struct sim *s, int c)
{
	struct s7 *m = S7(s);
	int i;

	for (i = 0; i < NLINK; i++)
		if (m->link[i].st != L_INITIAL && m->link[i].ctx == c)
			link_reset(s, &m->link[i], L_INITIAL);
	if (m->srv_fd >= 0 && m->srv_ctx == c)
		server_stop(s);
}

static void pdp_deact(struct sim *s, int c)
{
	struct s7 *m = S7(s);
	int i;

	if (m->ctx[c].st == C_INITIAL || m->ctx[c].st == C_DEACT ||
	    m->ctx[c].st == C_START)
		return;
	for (i = 0; i < NLINK; i++)
		if (m->link[i].st != L_INITIAL && m->link[i].ctx == c)
			link_reset(s, &m->link[i], L_CLOSED);
	if (m->srv_fd >= 0 && m->srv_ctx == c)
		server_stop(s);
	m->ctx[c].st = C_DEACT;
	sim_line(s, "+PDP: DEACT");
}

/* ------------------------------------------------------------ commands */

enum form { FM_EXEC, FM_SET, FM_READ, FM_TEST };

struct cmd {
	const char *name;
	void (*fn)(struct sim *s, enum form f, char *arg);
};

static int parse_args(char *arg, char **v, int max)
{
	return arg ? sim_split(arg, v, max) : 0;
}

static void info_ok(struct sim *s, const char *fmt, const char *v)
{
	sim_line(s, fmt, v);
	sim_ok(s);
}

/* Settings that are a single 0|1 with a "+NAME: v" read form. */
static void flag_cmd(struct sim *s, enum form f, char *arg, const char *name,
		     bool *flag)
{
	char *v[2];
	long n;

	if (f == FM_READ) {
		sim_line(s, "+%s: %d", name, *flag);
		sim_ok(s);
		return;
	}
	if (f == FM_TEST) {
		sim_line(s, "+%s: (0,1)", name);
		sim_ok(s);
		return;
	}
	if (f != FM_SET || parse_args(arg, v, 2) != 1 ||
	    (n = sim_number(v[0], 1)) < 0) {
		sim_error(s);
		return;
	}
	*flag = n;
	sim_ok(s);
}

static void c_cgmm(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	if (f != FM_EXEC && f != FM_TEST)
		return sim_error(s);
	info_ok(s, "%s", s->cfg.model_name ? s->cfg.model_name : "SIMCOM_SIM7000E");
}

static void c_cgmr(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	if (f != FM_EXEC && f != FM_TEST)
		return sim_error(s);
	info_ok(s, "%s", s->cfg.revision ? s->cfg.revision : "Revision:1351B04SIM7000E");
}

static void c_cgmi(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	(void)f;
	info_ok(s, "%s", "SIMCOM R&D");
}

static void c_cgsn(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	(void)f;
	info_ok(s, "%s", "869951030000001");
}

static void c_cimi(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	(void)f;
	info_ok(s, "%s", "460001234567890");
}

static void c_ccid(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	(void)f;
	info_ok(s, "%s", "89860000000000000001");
}

static void c_cpin(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	if (f != FM_READ)
		return sim_error(s);
	info_ok(s, "%s", "+CPIN: READY");
}

static void c_csq(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	if (f == FM_TEST) {
		sim_line(s, "%sCSQ: (0-31,99),(0-7,99)",
			 s->cfg.csq_noplus ? "" : "+");
		return sim_ok(s);
	}
	if (f != FM_EXEC)
		return sim_error(s);
	sim_line(s, "%sCSQ: %d,0", s->cfg.csq_noplus ? "" : "+", s->cfg.csq);
	sim_ok(s);
}

static void c_cgatt(struct sim *s, enum form f, char *arg)
{
	flag_cmd(s, f, arg, "CGATT", &S7(s)->cgatt);
}

static void c_reg(struct sim *s, enum form f, const char *name)
{
	if (f == FM_READ) {
		sim_line(s, "+%s: 0,1", name);
		return sim_ok(s);
	}
	sim_ok(s);	/* =n: URC mode, accepted */
}

static void c_creg(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	c_reg(s, f, "CREG");
}

static void c_cgreg(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	c_reg(s, f, "CGREG");
}

static void c_cereg(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	c_reg(s, f, "CEREG");
}

static void c_cops(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	if (f == FM_READ) {
		sim_line(s, "+COPS: 0,0,\"%s\",7", s->cfg.operator_name);
		return sim_ok(s);
	}
	sim_ok(s);
}

static void boot_done(struct sim *s, void *arg)
{
	(void)arg;
	S7(s)->booting = false;
	if (sim_autobauding(s))
		return;
	sim_line(s, "SMS Ready");
}

static void boot_urcs(struct sim *s, void *arg)
{
	(void)arg;
	if (!sim_autobauding(s)) {
		sim_line(s, "RDY");
		sim_line(s, "+CFUN: 1");
		sim_line(s, "+CPIN: READY");
	}
	/* SMS Ready comes a little later, after the SIM is read. */
	sim_timer_add(s, s->cfg.restart_ms, boot_done, NULL);
}

static void c_cfun(struct sim *s, enum form f, char *arg)
{
	char *v[2];
	int n;

	if (f == FM_READ) {
		sim_line(s, "+CFUN: 1");
		return sim_ok(s);
	}
	if (f == FM_TEST) {
		sim_line(s, "+CFUN: (0,1,4,5,6,7),(0,1)");
		return sim_ok(s);
	}
	n = parse_args(arg, v, 2);
	if (f != FM_SET || n < 1 || sim_number(v[0], 7) < 0) {
		sim_error(s);
		return;
	}
	sim_ok(s);
	if (n == 2 && sim_number(v[1], 1) == 1)
		sim_restart(s);
}

static void c_ok(struct sim *s, enum form f, char *arg)
{
	(void)f;
	(void)arg;
	sim_ok(s);
}

static void c_csclk(struct sim *s, enum form f, char *arg)
{
	static bool csclk;

	flag_cmd(s, f, arg, "CSCLK", &csclk);
}

static void c_ifc(struct sim *s, enum form f, char *arg)
{
	(void)arg;
	if (f == FM_READ) {
		sim_line(s, "+IFC: 0,0");
		return sim_ok(s);
	}
	sim_ok(s);
}

static void c_cipmux(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	bool v = m->mux;

	if (f == FM_SET && (m->ctx[0].st != C_INITIAL || (m->mode && arg && *arg == '1'))) {
		sim_error(s);
		return;
	}
	flag_cmd(s, f, arg, "CIPMUX", &v);
	m->mux = v;
}

static void c_cipmode(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	bool v = m->mode;

	if (f == FM_SET && (m->mux || m->ctx[0].st != C_INITIAL)) {
		sim_error(s);
		return;
	}
	flag_cmd(s, f, arg, "CIPMODE", &v);
	m->mode = v;
}

static void c_cstt(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	struct ctx *c = &m->ctx[m->cur];
	char *v[4];
	int n, i;

	if (f == FM_READ) {
		sim_line(s, "+CSTT: \"%s\",\"%s\",\"%s\"",
			 c->apn[0] ? c->apn : "CMNET", c->user, c->pwd);
		return sim_ok(s);
	}
	if (f == FM_TEST) {
		sim_line(s, "+CSTT: \"APN\",\"USER\",\"PWD\"");
		return sim_ok(s);
	}
	n = parse_args(arg, v, 3);
	if (c->st != C_INITIAL || n < 0 || (f == FM_SET && n < 1)) {
		sim_error(s);
		return;
	}
	for (i = 0; i < n; i++)
		if (strlen(v[i]) > 50)
			return sim_error(s);
	snprintf(c->apn, sizeof(c->apn), "%s", n > 0 ? v[0] : "CMNET");
	snprintf(c->user, sizeof(c->user), "%s", n > 1 ? v[1] : "");
	snprintf(c->pwd, sizeof(c->pwd), "%s", n > 2 ? v[2] : "");
	c->st = C_START;
	sim_ok(s);
}

static void ciicr_done(struct sim *s, void *arg)
{
	struct ctx *c = arg;

	if (c->st != C_CONFIG)
		return;
	c->st = C_GPRSACT;
	noise_time(s);
	sim_ok(s);
}

static void c_ciicr(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	struct ctx *c = &m->ctx[m->cur];

	(void)arg;
	if (f == FM_TEST)
		return sim_ok(s);
	if (f != FM_EXEC || c->st != C_START || !m->cgatt) {
		sim_error(s);
		return;
	}
	c->st = C_CONFIG;
	sim_timer_add(s, s->cfg.attach_ms, ciicr_done, c);
}

static void c_cifsr(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	struct ctx *c = &m->ctx[m->cur];

	(void)arg;
	if (f == FM_TEST)
		return sim_ok(s);
	if (f != FM_EXEC || (c->st != C_GPRSACT && c->st != C_STATUS)) {
		sim_error(s);
		return;
	}
	c->st = C_STATUS;
	sim_line(s, "%s", sim_ntoa(s->cfg.ip[m->cur]));
}

static bool parse_port(const char *p, int *port)
{
	long n = sim_number(p, 65535);

	if (n <= 0)
		return false;
	*port = n;
	return true;
}

static void c_cipstart(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	struct link *l;
	struct in_addr addr;
	char *v[5], **a = v;
	int n, port;
	bool udp;

	if (f == FM_TEST) {
		sim_line(s, "+CIPSTART: (\"TCP\",\"UDP\"),(\"(0-255).(0-255).(0-255).(0-255)\"),(1-65535)");
		return sim_ok(s);
	}
	n = parse_args(arg, v, 4);
	if (f != FM_SET || n != (m->mux ? 4 : 3))
		return sim_error(s);
	if (m->mux) {
		long id = sim_number(v[0], NLINK - 1);

		if (id < 0)
			return sim_error(s);
		l = &m->link[id];
		a++;
	} else {
		l = single(s);
	}
	if (!strcasecmp(a[0], "TCP"))
		udp = false;
	else if (!strcasecmp(a[0], "UDP"))
		udp = true;
	else
		return sim_error(s);
	if (!parse_port(a[2], &port) || !*a[1])
		return sim_error(s);
	if (m->mux ? m->ctx[m->cur].st != C_STATUS : !auto_activate(s))
		return sim_error(s);
	if (!m->mux && m->srv_fd >= 0)
		return sim_error(s);
	if (l->st == L_CONNECTING || l->st == L_CONNECTED) {
		sim_ok(s);
		link_result(s, l, "ALREADY CONNECT");
		return;
	}
	if (m->mux && m->srv_fd >= 0 && links_in_use(m) >= NLINK - 1)
		return sim_error(s);
	if (!m->mux && m->ctx[0].st == C_GPRSACT)
		m->ctx[0].st = C_STATUS;
	sim_ok(s);
	if (sim_resolve(s, a[1], &addr, 1) < 1) {
		link_reset(s, l, L_INITIAL);
		l->st = L_CONNECTING;
		l->udp = udp;
		l->ctx = m->cur;
		sim_timer_add(s, s->cfg.dns_ms, connect_result, l);
		return;
	}
	start_link(s, l, udp, addr, port);
}

static size_t send_max(struct link *l)
{
	return l->st == L_CONNECTED ? MAX_SEND : 0;
}

static void c_cipsend(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	struct link *l = single(s);
	long want = -1;
	char *v[3];
	int n, i;

	if (f == FM_READ) {
		if (!m->mux) {
			sim_line(s, "+CIPSEND: %zu", send_max(l));
		} else {
			for (i = 0; i < NLINK; i++)
				if (m->link[i].st == L_CONNECTED)
					sim_line(s, "+CIPSEND: %d,%zu", i,
						 send_max(&m->link[i]));
		}
		return sim_ok(s);
	}
	if (f == FM_TEST) {
		sim_line(s, m->mux ? "+CIPSEND: (0-7),(1-1460)" : "+CIPSEND: (1-1460)");
		return sim_ok(s);
	}
	n = parse_args(arg, v, 2);
	if (m->mux) {
		long id;

		if (f != FM_SET || n < 1 || (id = sim_number(v[0], NLINK - 1)) < 0)
			return sim_error(s);
		l = &m->link[id];
		if (n == 2 && (want = sim_number(v[1], 1 << 20)) < 0)
			return sim_error(s);
	} else {
		if (f == FM_SET && (n != 1 || (want = sim_number(v[0], 1 << 20)) < 0))
			return sim_error(s);
	}
	if (l->st != L_CONNECTED || l->transparent || want == 0 ||
	    want > MAX_SEND)
		return sim_error(s);
	/* --urc-noise: data received meanwhile shows up before the prompt. */
	for (i = 0; i < NLINK; i++)
		flush_held(s, &m->link[i]);
	m->send_link = l;
	m->send_want = want;
	m->sendlen = 0;
	sim_prompt(s);
	sim_raw_begin(s);
}

static void send_done(struct sim *s)
{
	struct s7 *m = S7(s);
	struct link *l = m->send_link;

	m->send_link = NULL;
	sim_raw_end(s);
	do_send(s, l, m->sendbuf, m->sendlen, false);
}

/* Bytes after "> ": fixed length, or until Ctrl-Z; ESC cancels. */
static size_t send_raw(struct sim *s, const u8 *p, size_t len)
{
	struct s7 *m = S7(s);
	size_t i;

	for (i = 0; i < len; i++) {
		if (s->echo && s->cfg.echo_data)
			sim_write(s, &p[i], 1);
		if (m->send_want >= 0) {
			m->sendbuf[m->sendlen++] = p[i];
			if ((long)m->sendlen == m->send_want) {
				send_done(s);
				return i + 1;
			}
			continue;
		}
		if (p[i] == 0x1a) {
			if (m->sendlen)
				send_done(s);
			else {
				m->send_link = NULL;
				sim_raw_end(s);
				sim_ok(s);
			}
			return i + 1;
		}
		if (p[i] == 0x1b) {
			m->send_link = NULL;
			sim_raw_end(s);
			return i + 1;
		}
		if (m->sendlen == MAX_SEND) {
			/* Seed 7.3: too much data -> ERROR, rest is input. */
			m->send_link = NULL;
			sim_raw_end(s);
			sim_error(s);
			return i + 1;
		}
		m->sendbuf[m->sendlen++] = p[i];
	}
	return len;
}

/* ---- transparent mode ---- */

static void plus_flush(struct sim *s)
{
	struct s7 *m = S7(s);
	static const u8 plus[3] = "+++";

	if (m->plus && single(s)->st == L_CONNECTED)
		do_send(s, single(s), plus, m->plus, true);
	m->plus = 0;
	if (m->plus_timer)
		sim_timer_del(s, m->plus_timer);
	m->plus_timer = 0;
}

static void plus_timer(struct sim *s, void *arg)
{
	struct s7 *m = S7(s);

	(void)arg;
	m->plus_timer = 0;
	if (m->plus == 3) {
		/* 1 s of silence after "+++": back to command mode. */
		m->plus = 0;
		m->datamode = false;
		sim_raw_end(s);
		sim_ok(s);
		return;
	}
	plus_flush(s);
}

/*
 * Transparent data mode: everything is payload except "+++" preceded and
 * followed by 1 s of silence (with each '+' less than 1 s apart).  Held
 * '+' bytes become payload when the guard times are not met.
 */
static size_t data_raw(struct sim *s, const u8 *p, size_t len)
{
	struct s7 *m = S7(s);
	uint64_t idle = sim_now(s) - m->last_data_ms;
	u8 *out = malloc(len);
	size_t i, olen = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '+' && m->esc && m->plus < 3 &&
		    (m->plus || (i == 0 && idle >= 1000))) {
			m->plus++;
			if (m->plus_timer)
				sim_timer_del(s, m->plus_timer);
			m->plus_timer = sim_timer_add(s, 1000, plus_timer, NULL);
			continue;
		}
		if (m->plus)
			plus_flush(s);
		out[olen++] = p[i];
	}
	if (olen)
		do_send(s, single(s), out, olen, true);
	free(out);
	m->last_data_ms = sim_now(s);
	return len;
}

static size_t s7_raw(struct sim *s, const u8 *p, size_t len)
{
	struct s7 *m = S7(s);

	if (m->datamode)
		return data_raw(s, p, len);
	if (m->send_link)
		return send_raw(s, p, len);
	sim_raw_end(s);
	return 0;
}

static void c_cipqsend(struct sim *s, enum form f, char *arg)
{
	flag_cmd(s, f, arg, "CIPQSEND", &S7(s)->qsend);
}

static struct link *link_arg(struct sim *s, char **v, int n, int *used)
{
	struct s7 *m = S7(s);
	long id;

	*used = 0;
	if (!m->mux)
		return single(s);
	if (n < 1 || (id = sim_number(v[0], NLINK - 1)) < 0)
		return NULL;
	*used = 1;
	return &m->link[id];
}

static void c_cipack(struct sim *s, enum form f, char *arg)
{
	struct link *l;
	char *v[2];
	int n, used;

	n = parse_args(arg, v, 1);
	if (f == FM_TEST)
		return sim_ok(s);
	if ((S7(s)->mux && f != FM_SET) || (!S7(s)->mux && f != FM_EXEC))
		return sim_error(s);
	l = link_arg(s, v, n, &used);
	if (!l || l->st != L_CONNECTED)
		return sim_error(s);
	sim_line(s, "+CIPACK: %llu,%llu,%llu", (unsigned long long)l->txbytes,
		 (unsigned long long)l->ackbytes,
		 (unsigned long long)(l->txbytes - l->ackbytes));
	sim_ok(s);
}

static void c_ciprxget(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	struct link *l;
	char *v[4];
	long mode, want = MAX_SEND;
	int n, used, i;

	if (f == FM_READ) {
		sim_line(s, "+CIPRXGET: %d", m->rxget);
		return sim_ok(s);
	}
	if (f == FM_TEST) {
		sim_line(s, "+CIPRXGET: (0-4),(1-1460)");
		return sim_ok(s);
	}
	n = parse_args(arg, v, 3);
	if (f != FM_SET || n < 1 || (mode = sim_number(v[0], 4)) < 0)
		return sim_error(s);
	if (mode <= 1) {
		if (n != 1)
			return sim_error(s);
		m->rxget = mode;
		return sim_ok(s);
	}
	l = link_arg(s, v + 1, n - 1, &used);
	if (!l || !l->manual || (l->st != L_CONNECTED && !l->rxlen))
		return sim_error(s);
	if (mode == 4) {
		if (n != 1 + used)
			return sim_error(s);
		if (s->cfg.urc_noise)
			for (i = 0; i < NLINK; i++)
				if (m->link[i].manual && m->link[i].rxlen)
					announce(s, &m->link[i]);
		if (m->mux)
			sim_line(s, "+CIPRXGET: 4,%d,%zu", l->n, l->rxlen);
		else
			sim_line(s, "+CIPRXGET: 4,%zu", l->rxlen);
		return sim_ok(s);
	}
	if (n == 2 + used && (want = sim_number(v[1 + used], 1 << 20)) < 0)
		return sim_error(s);
	if (n > 2 + used || want < 1 || want > (mode == 3 ? MAX_HEX : MAX_SEND))
		return sim_error(s);
	{
		size_t got = l->rxlen < (size_t)want ? l->rxlen : (size_t)want;

		if (m->mux)
			sim_line(s, "+CIPRXGET: %ld,%d,%zu,%zu", mode, l->n, got,
				 l->rxlen - got);
		else
			sim_line(s, "+CIPRXGET: %ld,%zu,%zu", mode, got,
				 l->rxlen - got);
		if (mode == 2) {
			sim_write(s, l->rx, got);
		} else {
			size_t k;

			for (k = 0; k < got; k++)
				sim_printf(s, "%02X", l->rx[k]);
		}
		rx_consume(l, got);
		sim_ok(s);
		if (!l->rxlen) {
			l->announced = false;
			if (l->remote_closed)
				link_report_close(s, l);
		}
		link_poll(s, l);
	}
}

static void c_ciphead(struct sim *s, enum form f, char *arg)
{
	flag_cmd(s, f, arg, "CIPHEAD", &S7(s)->head);
}

static void c_cipsrip(struct sim *s, enum form f, char *arg)
{
	flag_cmd(s, f, arg, "CIPSRIP", &S7(s)->srip);
}

static void c_cipshowtp(struct sim *s, enum form f, char *arg)
{
	flag_cmd(s, f, arg, "CIPSHOWTP", &S7(s)->showtp);
}

static void c_cipudpmode(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	struct link *l = single(s);
	struct in_addr a;
	char *v[4];
	long mode;
	int n, port;

	if (m->mux)
		return sim_error(s);
	if (f == FM_READ) {
		if (m->udpmode && l->udp && l->udp_ext)
			sim_line(s, "+CIPUDPMODE: %d,\"%s\",%d", m->udpmode ? 1 : 0,
				 sim_ntoa(l->target.sin_addr),
				 ntohs(l->target.sin_port));
		else
			sim_line(s, "+CIPUDPMODE: %d", m->udpmode ? 1 : 0);
		return sim_ok(s);
	}
	if (f == FM_TEST) {
		sim_line(s, "+CIPUDPMODE: (0-2),(\"(0-255).(0-255).(0-255).(0-255)\"),(1-65535)");
		return sim_ok(s);
	}
	n = parse_args(arg, v, 3);
	if (f != FM_SET || n < 1 || (mode = sim_number(v[0], 2)) < 0)
		return sim_error(s);
	if (mode < 2) {
		if (n != 1)
			return sim_error(s);
		m->udpmode = mode;
		return sim_ok(s);
	}
	/* =2,"ip",port: new send target of the extended-mode UDP link. */
	if (n != 3 || !m->udpmode || inet_pton(AF_INET, v[1], &a) != 1 ||
	    !parse_port(v[2], &port))
		return sim_error(s);
	l->target.sin_family = AF_INET;
	l->target.sin_addr = a;
	l->target.sin_port = htons(port);
	sim_ok(s);
}

static void c_clport(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	char *v[4], **a = v;
	int n, port;

	if (f == FM_READ) {
		sim_line(s, "+CLPORT: \"TCP\",%d", m->clport_tcp);
		sim_line(s, "+CLPORT: \"UDP\",%d", m->clport_udp);
		return sim_ok(s);
	}
	if (f == FM_TEST)
		return sim_ok(s);
	n = parse_args(arg, v, 3);
	if (m->mux) {
		if (n != 3 || sim_number(v[0], NLINK - 1) < 0)
			return sim_error(s);
		a++;
	} else if (n != 2) {
		return sim_error(s);
	}
	if (!strcmp(a[1], "0"))
		port = 0;
	else if (!parse_port(a[1], &port))
		return sim_error(s);
	if (!strcasecmp(a[0], "TCP"))
		m->clport_tcp = port;
	else if (!strcasecmp(a[0], "UDP"))
		m->clport_udp = port;
	else
		return sim_error(s);
	sim_ok(s);
}

static void server_ok(struct sim *s, void *arg)
{
	(void)arg;
	if (S7(s)->srv_fd >= 0)
		sim_line(s, "SERVER OK");
}

static void c_cipserver(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	char *v[3];
	long mode;
	int n, port, fd;

	if (f == FM_READ) {
		if (m->srv_fd >= 0)
			sim_line(s, "+CIPSERVER: 1,%d", m->srv_port);
		else
			sim_line(s, "+CIPSERVER: 0");
		return sim_ok(s);
	}
	if (f == FM_TEST) {
		sim_line(s, "+CIPSERVER: (0,1),(1-65535)");
		return sim_ok(s);
	}
	n = parse_args(arg, v, 2);
	if (f != FM_SET || n < 1 || (mode = sim_number(v[0], 1)) < 0)
		return sim_error(s);
	if (mode == 0) {
		if (m->srv_fd < 0)
			return sim_error(s);
		server_stop(s);
		sim_ok(s);
		sim_line(s, "SERVER CLOSE");
		return;
	}
	if (n != 2 || !parse_port(v[1], &port) || m->srv_fd >= 0)
		return sim_error(s);
	if (m->mux ? m->ctx[m->cur].st != C_STATUS : !auto_activate(s))
		return sim_error(s);
	if (m->mux && links_in_use(m) >= NLINK)
		return sim_error(s);
	if (!m->mux && (single(s)->st == L_CONNECTED ||
			single(s)->st == L_CONNECTING))
		return sim_error(s);
	fd = sim_socket(s, SOCK_STREAM, s->cfg.ip[m->cur], port);
	if (fd < 0 || listen(fd, 8)) {
		sim_log(s, "server: %s", strerror(fd < 0 ? -fd : errno));
		if (fd >= 0)
			close(fd);
		sim_ok(s);
		sim_line(s, "SERVER FAIL");
		return;
	}
	m->srv_fd = fd;
	m->srv_port = port;
	m->srv_ctx = m->cur;
	sim_fd_add(s, fd, POLLIN, server_io, NULL);
	sim_ok(s);
	sim_timer_add(s, 0, server_ok, NULL);
}

static const char *link_state_name(enum link_state st)
{
	static const char *const names[] = {
		"INITIAL", "CONNECTING", "CONNECTED", "CLOSED",
	};
	return names[st];
}

static void status_link(struct sim *s, struct link *l, const char *prefix)
{
	if (l->st == L_INITIAL) {
		sim_printf(s, "%s%d,,\"\",\"\",\"\",\"INITIAL\"\r\n", prefix, l->n);
		return;
	}
	sim_printf(s, "%s%d,%d,\"%s\",\"%s\",\"%d\",\"%s\"\r\n", prefix, l->n,
		   l->ctx, l->udp ? "UDP" : "TCP", sim_ntoa(l->peer.sin_addr),
		   ntohs(l->peer.sin_port), link_state_name(l->st));
}

static void c_cipstatus(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	char *v[2];
	int i;

	if (f == FM_TEST)
		return sim_ok(s);
	if (f == FM_SET) {
		long id;

		if (!m->mux || parse_args(arg, v, 1) != 1 ||
		    (id = sim_number(v[0], NLINK - 1)) < 0)
			return sim_error(s);
		sim_write(s, "\r\n", 2);
		status_link(s, &m->link[id], "+CIPSTATUS: ");
		return sim_ok(s);
	}
	if (f != FM_EXEC)
		return sim_error(s);
	/* SIMCom prints OK first, then the state lines. */
	sim_ok(s);
	sim_line(s, "STATE: %s", state_name(s));
	if (!m->mux)
		return;
	sim_write(s, "\r\n", 2);
	if (m->srv_fd >= 0)
		sim_printf(s, "S: 0,%d,\"%d\",\"LISTENING\"\r\n", m->srv_ctx,
			   m->srv_port);
	for (i = 0; i < NLINK; i++)
		status_link(s, &m->link[i], "C: ");
}

static void c_cipclose(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	struct link *l;
	char *v[3];
	int n, used;

	if (f == FM_TEST)
		return sim_ok(s);
	n = parse_args(arg, v, 2);
	if (m->mux && f != FM_SET)
		return sim_error(s);
	l = link_arg(s, v, n, &used);
	if (!l || n > used + 1 ||
	    (n == used + 1 && sim_number(v[used], 1) < 0))
		return sim_error(s);
	if (l->st != L_CONNECTED && l->st != L_CONNECTING)
		return sim_error(s);
	link_reset(s, l, L_CLOSED);
	link_result(s, l, "CLOSE OK");
}

static void c_cipshut(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);

	(void)arg;
	if (f == FM_TEST)
		return sim_ok(s);
	if (f != FM_EXEC)
		return sim_error(s);
	ctx_down(s, m->cur);
	m->ctx[m->cur].st = C_INITIAL;
	m->ctx[m->cur].apn[0] = 0;
	if (s->cfg.shut_pdp_deact) {
		sim_line(s, "+PDP: DEACT");
		return;
	}
	noise_time(s);
	sim_line(s, "SHUT OK");
}

static void c_cipsgtxt(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	bool v = m->cur;

	if (f == FM_SET && !m->mux)
		return sim_error(s);
	flag_cmd(s, f, arg, "CIPSGTXT", &v);
	m->cur = v;
}

struct dns_q {
	char name[256];
};

static void dns_answer(struct sim *s, void *arg)
{
	struct dns_q *q = arg;
	struct in_addr a[2];
	int n = sim_resolve(s, q->name, a, 2);

	if (n == 0)
		sim_line(s, "+CDNSGIP: 0,8");
	else if (n == 1)
		sim_line(s, "+CDNSGIP: 1,\"%s\",\"%s\"", q->name, sim_ntoa(a[0]));
	else
		sim_line(s, "+CDNSGIP: 1,\"%s\",\"%s\",\"%s\"", q->name,
			 sim_ntoa(a[0]), sim_ntoa(a[1]));
	free(q);
}

static void c_cdnsgip(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	struct dns_q *q;
	char *v[2];

	if (f == FM_TEST)
		return sim_ok(s);
	if (f != FM_SET || parse_args(arg, v, 1) != 1 || !*v[0] ||
	    strlen(v[0]) > 255)
		return sim_error(s);
	if (!ctx_up(s, m->cur))
		return sim_error(s);
	q = calloc(1, sizeof(*q));
	strcpy(q->name, v[0]);
	sim_ok(s);
	sim_timer_add(s, s->cfg.dns_ms, dns_answer, q);
}

static void ping_step(struct sim *s, void *arg)
{
	struct s7 *m = S7(s);

	(void)arg;
	m->ping_timer = 0;
	m->ping_i++;
	if (m->ping_ok)
		sim_line(s, "+CIPPING: %d,\"%s\",%u,%d", m->ping_i,
			 sim_ntoa(m->ping_addr), s->cfg.rtt_ms / 100,
			 m->ping_ttl);
	else
		sim_line(s, "+CIPPING: %d,\"%s\",600,255", m->ping_i,
			 sim_ntoa(m->ping_addr));
	if (m->ping_i >= m->ping_n) {
		sim_ok(s);
		return;
	}
	m->ping_timer = sim_timer_add(s, m->ping_ok ? s->cfg.rtt_ms :
				      (unsigned int)m->ping_timeout * 100, ping_step, NULL);
}

static void c_cipping(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	char *v[6];
	long x[5] = { 0, 4, 32, 100, 64 };
	long lim[5] = { 0, 100, 1460, 1000, 255 };
	int n, i;

	if (f == FM_TEST) {
		sim_line(s, "+CIPPING: list of supported (IP address),(1-100),(1-1460),(1-1000),(1-255)");
		return sim_ok(s);
	}
	n = parse_args(arg, v, 5);
	if (f != FM_SET || n < 1 || m->ping_timer || !ctx_up(s, m->cur))
		return sim_error(s);
	for (i = 1; i < n; i++)
		if ((x[i] = sim_number(v[i], lim[i])) < 1)
			return sim_error(s);
	if (sim_resolve(s, v[0], &m->ping_addr, 1) < 1)
		return sim_error(s);
	m->ping_ok = sim_addr_local(s, m->ping_addr) ||
		     addr_in_hosts(s, m->ping_addr) ||
		     (ntohl(m->ping_addr.s_addr) >> 24) == 127;
	m->ping_i = 0;
	m->ping_n = x[1];
	m->ping_timeout = x[3];
	m->ping_ttl = x[4];
	m->ping_timer = sim_timer_add(s, m->ping_ok ? s->cfg.rtt_ms :
				      (unsigned int)m->ping_timeout * 100, ping_step, NULL);
}

static void c_cipccfg(struct sim *s, enum form f, char *arg)
{
	struct s7 *m = S7(s);
	char *v[8];
	int n, i;

	if (f == FM_READ) {
		sim_line(s, "+CIPCCFG: 5,2,1024,%d,0,1460,50", m->esc);
		return sim_ok(s);
	}
	if (f == FM_TEST)
		return sim_ok(s);
	n = parse_args(arg, v, 7);
	if (f != FM_SET || n < 1)
		return sim_error(s);
	for (i = 0; i < n; i++)
		if (sim_number(v[i], 100000) < 0)
			return sim_error(s);
	if (n >= 4) {
		if (sim_number(v[3], 1) < 0)
			return sim_error(s);
		m->esc = v[3][0] == '1';
	}
	sim_ok(s);
}

static const struct cmd cmds[] = {
	{ "CGMM", c_cgmm }, { "CGMR", c_cgmr }, { "CGMI", c_cgmi },
	{ "CGSN", c_cgsn }, { "GSN", c_cgsn }, { "CIMI", c_cimi },
	{ "CCID", c_ccid }, { "CPIN", c_cpin }, { "CSQ", c_csq },
	{ "CGATT", c_cgatt }, { "CREG", c_creg }, { "CGREG", c_cgreg },
	{ "CEREG", c_cereg }, { "COPS", c_cops }, { "CFUN", c_cfun },
	{ "IFC", c_ifc }, { "CSCLK", c_csclk }, { "IPR", c_ok },
	{ "CMEE", c_ok }, { "CIPSPRT", c_ok },
	{ "CIPMUX", c_cipmux }, { "CIPMODE", c_cipmode },
	{ "CSTT", c_cstt }, { "CIICR", c_ciicr }, { "CIFSR", c_cifsr },
	{ "CIPSTART", c_cipstart }, { "CIPSEND", c_cipsend },
	{ "CIPQSEND", c_cipqsend }, { "CIPACK", c_cipack },
	{ "CIPRXGET", c_ciprxget }, { "CIPHEAD", c_ciphead },
	{ "CIPSRIP", c_cipsrip }, { "CIPSHOWTP", c_cipshowtp },
	{ "CIPUDPMODE", c_cipudpmode }, { "CLPORT", c_clport },
	{ "CIPSERVER", c_cipserver }, { "CIPSTATUS", c_cipstatus },
	{ "CIPCLOSE", c_cipclose }, { "CIPSHUT", c_cipshut },
	{ "CIPSGTXT", c_cipsgtxt }, { "CDNSGIP", c_cdnsgip },
	{ "CIPPING", c_cipping }, { "CIPCCFG", c_cipccfg },
};

static void basic(struct sim *s, const char *p)
{
	struct s7 *m = S7(s);
	struct link *l = single(s);

	if (!*p)
		return sim_ok(s);
	if (!strcasecmp(p, "E") || !strcasecmp(p, "E0") || !strcasecmp(p, "E1")) {
		s->echo = p[1] == '1';
		return sim_ok(s);
	}
	if (!strcasecmp(p, "I") || !strcasecmp(p, "I0")) {
		const char *name = s->cfg.model_name ? s->cfg.model_name :
				   "SIMCOM_SIM7000E";
		const char *u = strchr(name, '_');

		sim_line(s, "%s R1351", u ? u + 1 : name);
		return sim_ok(s);
	}
	if (!strcasecmp(p, "O") || !strcasecmp(p, "O0")) {
		if (!l->transparent || l->st != L_CONNECTED)
			return sim_error(s);
		sim_line(s, "CONNECT");
		m->datamode = true;
		m->plus = 0;
		m->last_data_ms = sim_now(s);
		sim_raw_begin(s);
		if (l->rxlen) {
			sim_write(s, l->rx, l->rxlen);
			l->rxlen = 0;
		}
		link_poll(s, l);
		return;
	}
	if (!strcasecmp(p, "Z") || !strcasecmp(p, "&F") || !strcasecmp(p, "&W") ||
	    !strcasecmp(p, "V1") || !strcasecmp(p, "Q0") || !strcasecmp(p, "H") ||
	    !strcasecmp(p, "H0") ||
	    ((p[0] == '&') && (p[1] == 'D' || p[1] == 'd' || p[1] == 'C' ||
			       p[1] == 'c') && (!p[2] || (p[2] >= '0' && p[2] <= '2' && !p[3]))))
		return sim_ok(s);
	sim_error(s);
}

static void s7_line(struct sim *s, const char *line)
{
	char buf[1100], *p, *arg = NULL;
	enum form f = FM_EXEC;
	size_t i, n;

	if (S7(s)->booting)
		return;		/* still rebooting: nobody listens */
	snprintf(buf, sizeof(buf), "%s", line + 2);
	p = buf;
	if (*p != '+')
		return basic(s, p);
	p++;
	n = strcspn(p, "=?");
	if (p[n] == '?' && !p[n + 1]) {
		f = FM_READ;
	} else if (p[n] == '=' && p[n + 1] == '?' && !p[n + 2]) {
		f = FM_TEST;
	} else if (p[n] == '=') {
		f = FM_SET;
		arg = p + n + 1;
	} else if (p[n]) {
		return sim_error(s);
	}
	p[n] = 0;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcasecmp(p, cmds[i].name))
			return cmds[i].fn(s, f, arg);
	sim_error(s);
}

/* -------------------------------------------------------- init/restart */

static void s7_defaults(struct sim *s)
{
	struct s7 *m = S7(s);
	int i;

	memset(m, 0, sizeof(*m));
	m->srv_fd = -1;
	m->esc = true;
	m->cgatt = true;
	for (i = 0; i < NLINK; i++) {
		m->link[i].n = i;
		m->link[i].fd = -1;
	}
}

static void s7_init(struct sim *s)
{
	s->priv = calloc(1, sizeof(struct s7));
	s7_defaults(s);
	if (s->cfg.rdy)
		boot_urcs(s, NULL);
}

static void s7_restart(struct sim *s)
{
	struct s7 *m = S7(s);
	int i;

	for (i = 0; i < NLINK; i++)
		link_reset(s, &m->link[i], L_INITIAL);
	server_stop(s);
	sim_timer_del_arg(s, NULL);	/* boot, ping, server-ok timers */
	for (i = 0; i < 2; i++)
		sim_timer_del_arg(s, &m->ctx[i]);
	s7_defaults(s);
	m->booting = true;
	if (s->cfg.cpin_notready && !sim_autobauding(s))
		sim_line(s, "+CPIN: NOT READY");
	sim_timer_add(s, s->cfg.restart_ms, boot_urcs, NULL);
}

/* ------------------------------------------------------------- faults */

static int s7_fault(struct sim *s, const char *name, const char *arg,
		    char *err, size_t errlen)
{
	struct s7 *m = S7(s);
	long n = -1;

	if (!strcmp(name, "pdp-deact")) {
		if (arg && (n = sim_number(arg, 1)) < 0) {
			snprintf(err, errlen, "pdp-deact: context is 0 or 1");
			return -1;
		}
		if (n < 0) {
			pdp_deact(s, 0);
			pdp_deact(s, 1);
		} else {
			pdp_deact(s, n);
		}
		return 0;
	}
	if (!strcmp(name, "close")) {
		struct link *l;

		n = arg ? sim_number(arg, NLINK - 1) : 0;
		if (n < 0) {
			snprintf(err, errlen, "close: link is 0..7");
			return -1;
		}
		l = &m->link[n];
		if (l->st != L_CONNECTED) {
			snprintf(err, errlen, "close: link %ld is not connected", n);
			return -1;
		}
		/* The remote end closes: like a FIN after what is in flight. */
		if (l->fd >= 0) {
			struct sockaddr_in from = l->peer;

			link_close_fd(s, l);
			queue_rx(s, l, (const u8 *)"", 0, true, &from);
		}
		return 0;
	}
	if (!strcmp(name, "refuse") || !strcmp(name, "blackhole") ||
	    !strcmp(name, "send-fail")) {
		if (arg) {
			snprintf(err, errlen, "%s takes no argument", name);
			return -1;
		}
		if (!strcmp(name, "refuse"))
			m->f_refuse = true;
		else if (!strcmp(name, "blackhole"))
			m->f_blackhole = true;
		else
			m->f_sendfail = true;
		return 0;
	}
	return 1;
}

static void s7_status(struct sim *s, FILE *out)
{
	struct s7 *m = S7(s);
	int i;

	fprintf(out, "state %s\n", state_name(s));
	fprintf(out, "mux %d\nmode %d\ndatamode %d\ncontext %d\n", m->mux,
		m->mode, m->datamode, m->cur);
	for (i = 0; i < 2; i++)
		fprintf(out, "ctx%d %s apn=%s ip=%s\n", i,
			ctx_state_name(m->ctx[i].st), m->ctx[i].apn,
			sim_ntoa(s->cfg.ip[i]));
	if (m->srv_fd >= 0)
		fprintf(out, "server %d ctx=%d\n", m->srv_port, m->srv_ctx);
	for (i = 0; i < NLINK; i++) {
		struct link *l = &m->link[i];

		if (l->st == L_INITIAL)
			continue;
		fprintf(out, "link%d %s %s %s:%d ctx=%d rx=%zu inflight=%zu tx=%llu ack=%llu reading=%d\n",
			i, link_state_name(l->st), l->udp ? "UDP" : "TCP",
			sim_ntoa(l->peer.sin_addr), ntohs(l->peer.sin_port),
			l->ctx, l->rxlen, l->inflight,
			(unsigned long long)l->txbytes,
			(unsigned long long)l->ackbytes, l->reading);
	}
	fprintf(out, "faults%s%s%s\n", m->f_refuse ? " refuse" : "",
		m->f_blackhole ? " blackhole" : "",
		m->f_sendfail ? " send-fail" : "");
}

const struct sim_dialect sim7000_dialect = {
	.name = "sim7000",
	.init = s7_init,
	.line = s7_line,
	.raw = s7_raw,
	.restart = s7_restart,
	.fault = s7_fault,
	.status = s7_status,
	.fault_help =
	"pdp-deact [CTX]     network drops the PDP context(s): +PDP: DEACT\n"
	"close N             remote end closes link N (N, CLOSED / CLOSED)\n"
	"refuse              next CIPSTART answers CONNECT FAIL\n"
	"blackhole           next CIPSTART never answers (until timeout)\n"
	"send-fail           next CIPSEND answers SEND FAIL\n",
};
