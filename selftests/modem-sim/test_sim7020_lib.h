/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small harness for the SIM7020 simulator host tests: start modem-sim and
 * echod as child processes, talk to the simulator's pty with exact byte
 * expectations and hard deadlines, print TAP.
 *
 * Every wait has a deadline; nothing sleeps and hopes. A mismatch prints the
 * expected and received bytes (escaped) as TAP diagnostics.
 */
#ifndef _TEST_SIM7020_LIB_H
#define _TEST_SIM7020_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define T_MAX_ARGS	48

struct t_sim {
	pid_t pid;
	int fd;				/* pty (our side is the slave link) */
	char dir[64];			/* scratch directory of this instance */
	char link[128];
	char ctl[100];			/* control socket path */
	char trn[100];			/* transcript */
	unsigned char buf[65536];	/* received, not yet consumed */
	size_t len;
};

/* TAP bookkeeping. */
extern int t_failed_checks;
void t_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void t_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Path of the binaries under test (directory of this test program). */
extern char t_bindir[];

/* Start modem-sim --model sim7020 with extra options (NULL-terminated). */
bool t_sim_start(struct t_sim *s, const char *const *extra);
void t_sim_stop(struct t_sim *s);

/* Write bytes to the modem. */
bool t_send(struct t_sim *s, const void *buf, size_t len);
bool t_sends(struct t_sim *s, const char *str);

/*
 * Wait until the next bytes from the modem equal exp (exactly, consumed), or
 * fail after ms milliseconds or on the first differing byte.
 */
bool t_expect(struct t_sim *s, const void *exp, size_t len, int ms);
bool t_expects(struct t_sim *s, const char *exp, int ms);

/*
 * Like t_expects, but '#' in pattern matches one or more decimal digits
 * (optionally preceded by '-'). For values that depend on timing.
 */
bool t_expect_pat(struct t_sim *s, const char *pat, int ms);

/* Read one CRLF-framed line ("\r\nTEXT\r\n") into out; fail on timeout. */
bool t_read_line(struct t_sim *s, char *out, size_t outlen, int ms);

/* The next len bytes, whatever they are. */
bool t_read_raw(struct t_sim *s, void *out, size_t len, int ms);

/* Nothing at all arrives for ms milliseconds. */
bool t_quiet(struct t_sim *s, int ms);

/* Command helper: send "cmd\r", expect "\r\n<answer>" exactly. */
bool t_cmd(struct t_sim *s, const char *cmd, const char *answer, int ms);

/*
 * Send a control command on the simulator's control socket; reply in out.
 * Returns 1 for "ok", -1 for "error: ...", 0 (and a failed check) when no
 * complete reply came.  t_fault: must answer ok.
 */
int t_ctl(struct t_sim *s, const char *cmd, char *out, size_t outlen);
bool t_fault(struct t_sim *s, const char *cmd);

/* Echo server: start echod on 127.0.0.1 (ports chosen by it). */
struct t_echod {
	pid_t pid;
	int tcp_port;
	int udp_port;
};
bool t_echod_start(struct t_echod *e);
void t_echod_stop(struct t_echod *e);

/* Helpers for local peers under the test's control. */
int t_tcp_listen(int *port);			/* 127.0.0.1, ephemeral */
int t_accept(int lfd, int ms);
int t_udp_bind(int *port);
ssize_t t_recv_deadline(int fd, void *buf, size_t len, int ms);

/* Escape bytes for diagnostics. */
void t_escape(char *out, size_t outlen, const void *buf, size_t len);

#endif
