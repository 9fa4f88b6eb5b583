/* SPDX-License-Identifier: GPL-2.0 */
/*
 * modem-sim core API.
 *
 * The core (sim.c) owns everything that is the same for every modem: the
 * tty (raw mode, UART pacing, echo, command-line framing, raw-byte
 * collection for "> " prompts), timers, fd watches for network sockets,
 * the cellular delay model, the hosts file, the transcript, the control
 * socket, the fault script and the generic faults (stall, garbage, drop,
 * restart, cme, urc).  A dialect (sim7000.c, sim7020.c) is a table of
 * callbacks, struct sim_dialect, that turns command lines into answers.
 *
 * Everything runs in one thread from one poll() loop, so no callback ever
 * races another: a dialect may call any sim_* function from any callback.
 *
 * Output framing helpers follow SIMCom's ATV1 framing: every information
 * line, result code and URC is "\r\n" TEXT "\r\n" (sim_line()).
 *
 * This header is a stable interface shared by both dialects: extend it,
 * never change the meaning of what is here.
 */
#ifndef _SIM_H
#define _SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

typedef uint8_t u8;

struct sim;

/* Command-line options (see `modem-sim --help`); read-only for dialects. */
struct sim_config {
	const char *model;		/* --model: dialect name */
	const char *model_name;		/* --model-name, NULL: dialect default */
	const char *revision;		/* --revision, NULL: dialect default */
	struct in_addr ip[2];		/* --ip, --ip2: context 1 / 2 address */
	const char *hosts;		/* --hosts FILE, NULL: only literals */
	unsigned int baud;		/* --baud, 0: no UART pacing */
	unsigned int rtt_ms;		/* --rtt: cellular round trip */
	unsigned long bandwidth;	/* --bandwidth bit/s, 0: unlimited */
	bool echo;			/* --echo on|off: echo at power-up */
	bool compact;			/* --compact: "0,CONNECT OK" */
	bool urc_noise;			/* --urc-noise */
	bool rdy;			/* --rdy: boot URCs at start */
	unsigned int autobaud;		/* --autobaud N */
	bool shut_pdp_deact;		/* --shut-pdp-deact */
	bool cpin_notready;		/* --cpin-notready: on restart */
	bool prompt_bare;		/* --prompt-bare: "> " not "\r\n> " */
	bool echo_data;			/* --echo-data: echo bytes after "> " */
	unsigned int rxbuf;		/* --rx-buffer: per-link bytes */
	unsigned int attach_ms;		/* --attach-ms: PDP activation time */
	unsigned int connect_timeout_ms;/* --connect-timeout */
	unsigned int dns_ms;		/* --dns-ms: DNS answer time */
	unsigned int restart_ms;	/* --restart-ms: reboot duration */
	int csq;			/* --csq: rssi for +CSQ */
	bool csq_noplus;		/* --csq-noplus: "CSQ: n,0" (seed 000) */
	const char *operator_name;	/* --operator */
	int verbose;			/* -v */
};

/*
 * A dialect.  Callbacks may be NULL except line.
 *
 * init     power-on: allocate the dialect state (store it in s->priv) and
 *          print the boot URCs if s->cfg.rdy (use sim_autobauding()).
 * line     one complete command line, CR stripped, starting with "AT"
 *          (case as typed).  The core already echoed it (if echo is on),
 *          swallowed it while autobauding, and handled an injected
 *          `cme` fault.  The dialect answers with sim_line()/sim_ok()...
 * raw      while sim_raw_begin() is in effect, input bytes come here
 *          instead of the line framer (no echo unless the dialect does
 *          it).  Return how many bytes were consumed; when the dialect
 *          calls sim_raw_end() it returns the count consumed so far and
 *          the core frames the rest of the buffer as command lines.
 * restart  modem reboot (AT+CFUN=1,1 calls sim_restart(); so does the
 *          `restart` fault): drop every link and context, close sockets,
 *          cancel timers, then print the boot URCs after
 *          s->cfg.restart_ms unless sim_autobauding().  The core has
 *          already reset echo, autobaud and raw mode.
 * fault    a dialect fault from the control socket or the script: name
 *          and optional arg (NULL if none).  Return 0 done, -1 failed
 *          (write a reason into err), 1 unknown fault name.
 * status   extra lines for the `status` control command ("key value").
 */
struct sim_dialect {
	const char *name;
	void (*init)(struct sim *s);
	void (*line)(struct sim *s, const char *line);
	size_t (*raw)(struct sim *s, const u8 *buf, size_t len);
	void (*restart)(struct sim *s);
	int (*fault)(struct sim *s, const char *name, const char *arg,
		     char *err, size_t errlen);
	void (*status)(struct sim *s, FILE *out);
	const char *fault_help;		/* one line per dialect fault */
	/*
	 * Dialect command-line options, parsed before init: "--NAME" or
	 * "--NAME=VALUE" (value NULL without '=').  Return 0 taken, 1 not
	 * mine, 2 needs a value (the core then passes the next argument),
	 * -1 bad value (reason in err).  option_help goes into --help.
	 */
	int (*option)(const char *name, const char *value, char *err,
		      size_t errlen);
	const char *option_help;
};

extern const struct sim_dialect sim7000_dialect;
extern const struct sim_dialect sim7020_dialect;

/*
 * The simulator.  Dialects read cfg, read/write echo and priv; the rest
 * belongs to sim.c.
 */
struct sim {
	struct sim_config cfg;
	const struct sim_dialect *d;
	void *priv;			/* dialect state */
	bool echo;			/* current ATE setting */
	struct sim_core *core;		/* private to sim.c */
};

/* ---- time ---- */

/* Milliseconds since start (monotonic). */
uint64_t sim_now(struct sim *s);

/* ---- tty output (queued, paced at --baud, logged to the transcript) ---- */

void sim_write(struct sim *s, const void *buf, size_t len);
void sim_printf(struct sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "\r\n" TEXT "\r\n": information line, result code or URC. */
void sim_line(struct sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sim_ok(struct sim *s);		/* "\r\nOK\r\n" */
void sim_error(struct sim *s);		/* "\r\nERROR\r\n" */
/* "\r\nN, WHAT\r\n" or with --compact "\r\nN,WHAT\r\n". */
void sim_link_line(struct sim *s, int n, const char *what);
/* The SIMCom data prompt: "\r\n> " (or "> " with --prompt-bare). */
void sim_prompt(struct sim *s);
/* Bytes queued for the tty and not yet written (for backpressure). */
size_t sim_out_pending(struct sim *s);

/* ---- tty input ---- */

/* Route input bytes to dialect->raw until sim_raw_end(). */
void sim_raw_begin(struct sim *s);
void sim_raw_end(struct sim *s);
bool sim_in_raw(struct sim *s);
/* Milliseconds since the last input byte was consumed (guard times). */
uint64_t sim_input_idle_ms(struct sim *s);
/* True while the first --autobaud "AT"s are still being swallowed. */
bool sim_autobauding(struct sim *s);

/* ---- timers ---- */

typedef void (*sim_timer_fn)(struct sim *s, void *arg);
/* One-shot timer; returns an id > 0.  Never fires after sim_timer_del. */
unsigned long sim_timer_add(struct sim *s, unsigned int ms,
			    sim_timer_fn fn, void *arg);
void sim_timer_del(struct sim *s, unsigned long id);
/* Cancel every timer whose arg is arg (use before freeing arg). */
void sim_timer_del_arg(struct sim *s, const void *arg);

/* ---- fd watches (network sockets) ---- */

typedef void (*sim_fd_fn)(struct sim *s, int fd, short revents, void *arg);
void sim_fd_add(struct sim *s, int fd, short events, sim_fd_fn fn,
		void *arg);
void sim_fd_set(struct sim *s, int fd, short events);	/* change events */
void sim_fd_del(struct sim *s, int fd);			/* does not close */

/* ---- network helpers ---- */

/*
 * Resolve a dotted quad or a name from --hosts (case-insensitive).
 * Fills up to max addresses; returns how many (0: unknown name).
 */
int sim_resolve(struct sim *s, const char *name, struct in_addr *out,
		int max);
/* True if addr is configured on this host/netns (bind() would work). */
bool sim_addr_local(struct sim *s, struct in_addr addr);
/*
 * Non-blocking, close-on-exec socket of type SOCK_STREAM or SOCK_DGRAM,
 * SO_REUSEADDR, bound to bind_ip:port when bind_ip exists here; when it
 * does not (EADDRNOTAVAIL) bound to INADDR_ANY:port (port 0: no bind at
 * all).  Returns the fd or -errno.
 */
int sim_socket(struct sim *s, int type, struct in_addr bind_ip,
	       uint16_t port);
/*
 * Cellular delay model: milliseconds until len bytes handed to the radio
 * now reach the other side (rtt/2 plus serialisation at --bandwidth,
 * queued behind earlier bytes in the same direction).
 * dir: SIM_UP (modem -> network) or SIM_DOWN (network -> modem).
 */
enum { SIM_UP, SIM_DOWN };
unsigned int sim_net_delay(struct sim *s, int dir, size_t len);
/* "a.b.c.d" in a static buffer (two rotating buffers). */
const char *sim_ntoa(struct in_addr a);

/* ---- modem-level helpers ---- */

/* Reboot the modem (core reset + dialect->restart). */
void sim_restart(struct sim *s);
/* Debug log to stderr with -v. */
void sim_log(struct sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- small parsing helpers for dialects ---- */

/* Case-insensitive prefix match; returns pointer after prefix or NULL. */
const char *sim_prefix(const char *line, const char *prefix);
/*
 * Split "a,\"b,c\",d" into at most max fields, removing the quotes of
 * quoted fields and surrounding blanks.  buf is modified.  Returns the
 * number of fields (an empty string gives 0), or -1 if too many or a
 * quote is not closed.
 */
int sim_split(char *buf, char **fields, int max);
/* Strict unsigned decimal; returns -1 if not a number or > max. */
long sim_number(const char *s, long max);

#endif /* _SIM_H */
