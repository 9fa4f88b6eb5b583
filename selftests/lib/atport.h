/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atport.h - talk AT to the simulated modem from a guest test program.
 *
 * Header-only helpers for VM tests (selftests/smoke, selftests/atnet):
 * open a tty raw at a baud rate, read lines with deadlines (poll, never
 * fixed sleeps), run a command up to its final result, wait for a URC,
 * read raw payload bytes, and send a command to the simulator's control
 * socket ($SIM_CTL).  Every wait has a deadline in milliseconds.
 *
 * Return values: 0 or a length on success, -ETIMEDOUT at the deadline,
 * -EIO on a read/write error or EOF, -EPROTO when the modem answered
 * ERROR / +CME ERROR.
 */
#ifndef ATNET_SELFTEST_ATPORT_H
#define ATNET_SELFTEST_ATPORT_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define AT_BUFSZ 8192

struct at_port {
	int fd;
	size_t len;		/* bytes buffered in buf */
	int verbose;		/* trace lines to stderr as "# <- ..." */
	unsigned char buf[AT_BUFSZ];
};

/* Copy a string, truncating to size - 1 bytes (no format warnings). */
static inline void at_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (!size)
		return;
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static inline long long at_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline speed_t at_speed(int baud)
{
	switch (baud) {
	case 1200: return B1200;
	case 2400: return B2400;
	case 4800: return B4800;
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	case 230400: return B230400;
	case 460800: return B460800;
	case 921600: return B921600;
	case 1000000: return B1000000;
	case 2000000: return B2000000;
	case 3000000: return B3000000;
	case 4000000: return B4000000;
	default: return B115200;
	}
}

/* Baud rate the VM was started with ($ATNET_BAUD), default 115200. */
static inline int at_env_baud(void)
{
	const char *b = getenv("ATNET_BAUD");

	return b && *b ? atoi(b) : 115200;
}

/* Model the VM simulates ($ATNET_MODEL): "sim7000" or "sim7020". */
static inline const char *at_env_model(void)
{
	const char *m = getenv("ATNET_MODEL");

	return m && *m ? m : "sim7000";
}

static inline int at_open(struct at_port *p, const char *dev, int baud)
{
	struct termios t;

	memset(p, 0, sizeof(*p));
	p->verbose = getenv("AT_VERBOSE") != NULL;
	p->fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (p->fd < 0)
		return -errno;
	if (tcgetattr(p->fd, &t) < 0)
		return -errno;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~CRTSCTS;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, at_speed(baud));
	cfsetospeed(&t, at_speed(baud));
	if (tcsetattr(p->fd, TCSANOW, &t) < 0)
		return -errno;
	tcflush(p->fd, TCIOFLUSH);
	return 0;
}

static inline void at_close(struct at_port *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* Read more bytes into the buffer, waiting until the deadline. */
static inline int at_fill(struct at_port *p, long long deadline)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	long long left;
	ssize_t n;
	int r;

	if (p->len >= sizeof(p->buf))
		return -ENOBUFS;
	for (;;) {
		left = deadline - at_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(p->fd, p->buf + p->len, sizeof(p->buf) - p->len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -EIO;
		p->len += n;
		return 0;
	}
}

static inline void at_consume(struct at_port *p, size_t n)
{
	memmove(p->buf, p->buf + n, p->len - n);
	p->len -= n;
}

/*
 * Next non-empty line without its CR/LF, or "> " (the unterminated send
 * prompt) when that is what the modem printed.
 */
static inline int at_read_line(struct at_port *p, char *line, size_t size,
			       int timeout_ms)
{
	long long deadline = at_now_ms() + timeout_ms;
	size_t i, n;
	int r;

	for (;;) {
		/* drop leading line ends (empty lines, "\r\r\n" tails) */
		for (i = 0; i < p->len && (p->buf[i] == '\r' || p->buf[i] == '\n'); i++)
			;
		if (i)
			at_consume(p, i);
		for (i = 0; i < p->len; i++)
			if (p->buf[i] == '\n')
				break;
		if (i < p->len) {
			/* a line ends at LF; consume the LF so that payload
			 * bytes after "+RECEIVE,n,len:\r\n" stay intact */
			n = i;
			while (n && p->buf[n - 1] == '\r')
				n--;
			if (n > size - 1)
				n = size - 1;
			memcpy(line, p->buf, n);
			line[n] = '\0';
			at_consume(p, i + 1);
			if (p->verbose)
				fprintf(stderr, "# <- %s\n", line);
			return (int)n;
		}
		if (p->len >= 2 && p->buf[0] == '>' && p->buf[1] == ' ') {
			strcpy(line, "> ");
			at_consume(p, 2);
			if (p->verbose)
				fprintf(stderr, "# <- > (prompt)\n");
			return 2;
		}
		r = at_fill(p, deadline);
		if (r)
			return r;
	}
}

/* at_read_line() with what is left until @deadline; -ETIMEDOUT after it. */
static inline int at_read_line_by(struct at_port *p, char *line, size_t size,
				  long long deadline)
{
	long long left = deadline - at_now_ms();

	if (left <= 0)
		return -ETIMEDOUT;
	return at_read_line(p, line, size, (int)left);
}

/* Exactly len raw bytes (payload after +RECEIVE, +CIPRXGET: 2, ...). */
static inline int at_read_raw(struct at_port *p, void *dst, size_t len,
			      int timeout_ms)
{
	long long deadline = at_now_ms() + timeout_ms;
	unsigned char *d = dst;
	size_t got = 0, n;
	int r;

	while (got < len) {
		if (!p->len) {
			r = at_fill(p, deadline);
			if (r)
				return r;
		}
		n = p->len < len - got ? p->len : len - got;
		memcpy(d + got, p->buf, n);
		at_consume(p, n);
		got += n;
	}
	return (int)got;
}

static inline int at_write(struct at_port *p, const void *data, size_t len)
{
	const unsigned char *s = data;
	struct pollfd pfd = { .fd = p->fd, .events = POLLOUT };
	ssize_t n;

	while (len) {
		n = write(p->fd, s, len);
		if (n < 0 && errno == EAGAIN) {
			if (poll(&pfd, 1, 5000) <= 0)
				return -ETIMEDOUT;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		s += n;
		len -= n;
	}
	return 0;
}

/* Send "cmd\r" (no wait). */
static inline int at_send(struct at_port *p, const char *cmd)
{
	int r;

	if (p->verbose)
		fprintf(stderr, "# -> %s\n", cmd);
	r = at_write(p, cmd, strlen(cmd));
	return r ? r : at_write(p, "\r", 1);
}

static inline int at_is_final(const char *l)
{
	return !strcmp(l, "OK") || !strcmp(l, "ERROR") ||
	       !strncmp(l, "+CME ERROR", 10) || !strncmp(l, "+CMS ERROR", 10) ||
	       !strcmp(l, "SHUT OK");
}

/*
 * Run a command up to its final result (OK, ERROR, +CME ERROR, SHUT OK).
 * The echo of the command is skipped; other lines are collected, '\n'
 * separated, into out (may be NULL).  0 on OK/SHUT OK, -EPROTO on an error.
 */
static inline int at_cmd(struct at_port *p, const char *cmd, char *out,
			 size_t outsz, int timeout_ms)
{
	long long deadline = at_now_ms() + timeout_ms;
	char line[1024];
	size_t used = 0;
	int r;

	if (out && outsz)
		out[0] = '\0';
	r = at_send(p, cmd);
	if (r)
		return r;
	for (;;) {
		r = at_read_line_by(p, line, sizeof(line), deadline);
		if (r < 0)
			return r;
		if (!strcmp(line, cmd))
			continue;	/* echo */
		if (at_is_final(line))
			return strstr(line, "ERROR") ? -EPROTO : 0;
		if (out && used + strlen(line) + 2 < outsz) {
			used += sprintf(out + used, "%s%s", used ? "\n" : "",
					line);
		}
	}
}

/* Read lines until one contains needle; copy it to out (may be NULL). */
static inline int at_expect(struct at_port *p, const char *needle, char *out,
			    size_t outsz, int timeout_ms)
{
	long long deadline = at_now_ms() + timeout_ms;
	char line[1024];
	int r;

	for (;;) {
		r = at_read_line_by(p, line, sizeof(line), deadline);
		if (r < 0)
			return r;
		if (strstr(line, needle)) {
			if (out && outsz)
				at_strlcpy(out, line, outsz);
			return 0;
		}
	}
}

/*
 * Wake the modem up: "AT" until it answers OK (the simulator, like an
 * autobauding modem, may need more than one), within timeout_ms.
 */
static inline int at_sync(struct at_port *p, int timeout_ms)
{
	long long deadline = at_now_ms() + timeout_ms;
	int r = -ETIMEDOUT;

	while (at_now_ms() < deadline) {
		r = at_cmd(p, "AT", NULL, 0, 1000);
		if (!r)
			return 0;
	}
	return r;
}

/*
 * SIM7020: wait until the PDN the network activates by itself is up
 * (AT+CGACT? shows context 1 active), asking again every 100 ms.
 */
static inline int at_wait_pdn(struct at_port *p, int timeout_ms)
{
	long long deadline = at_now_ms() + timeout_ms;
	char out[512], line[256];
	int r;

	for (;;) {
		r = at_cmd(p, "AT+CGACT?", out, sizeof(out), 2000);
		if (!r && (strstr(out, "+CGACT: 1,1") || strstr(out, "+CGACT:1,1")))
			return 0;
		if (at_now_ms() >= deadline)
			return r ? r : -ETIMEDOUT;
		/* pause by waiting for URCs, not by sleeping blind */
		r = at_read_line(p, line, sizeof(line), 100);
		if (r < 0 && r != -ETIMEDOUT)
			return r;
	}
}

/*
 * SIM7000: a fresh multi-link context, from IP INITIAL whatever an earlier
 * test left (AT+CIPSHUT, AT+CIPMUX=1, AT+CSTT, AT+CIICR), and its address
 * (AT+CIFSR answers it bare, no OK) into @addr. 0, or the first failure's
 * error with that command in @addr.
 */
static inline int at_sim7000_context_up(struct at_port *p, char *addr,
					size_t size)
{
	static const struct {
		const char *cmd;
		int ms;
	} steps[] = {
		{ "AT+CIPSHUT", 65000 },
		{ "AT+CIPMUX=1", 2000 },
		{ "AT+CSTT=\"CMNET\"", 2000 },
		{ "AT+CIICR", 85000 },
		{ NULL, 0 }
	};
	unsigned int i;
	int r;

	for (i = 0; steps[i].cmd; i++) {
		r = at_cmd(p, steps[i].cmd, NULL, 0, steps[i].ms);
		if (r)
			goto fail;
	}
	r = at_send(p, "AT+CIFSR");
	if (r)
		goto fail;
	r = at_read_line(p, addr, size, 5000);
	if (r > 0)
		return 0;
	r = r ?: -EPROTO;
fail:
	snprintf(addr, size, "%s", steps[i].cmd ?: "AT+CIFSR");
	return r;
}

/* Final line of a control reply: "ok" -> 0, "error..." -> -EPROTO, else 1. */
static inline int sim_ctl_final(const char *buf, size_t len)
{
	const char *l = buf, *nl;

	while ((nl = memchr(l, '\n', len - (l - buf)))) {
		size_t n = nl - l;

		if (n && l[n - 1] == '\r')
			n--;
		if (n == 2 && !strncmp(l, "ok", 2))
			return 0;
		if (n >= 5 && !strncasecmp(l, "error", 5))
			return -EPROTO;
		l = nl + 1;
	}
	return 1;
}

/*
 * Send one command to the simulator's control socket ($SIM_CTL, a unix
 * stream socket, one command per line) and collect the reply: any output
 * lines, then "ok" or "error: ...".  The whole reply (without the final
 * newline) goes to reply.  0 on "ok", -EPROTO on "error: ...".
 */
static inline int sim_ctl(const char *cmd, char *reply, size_t rsz,
			  int timeout_ms)
{
	const char *path = getenv("SIM_CTL");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = at_now_ms() + timeout_ms;
	char buf[4096];
	size_t got = 0;
	int fd, r = 1;

	if (reply && rsz)
		reply[0] = '\0';
	if (!path || !*path)
		path = "/run/sim.ctl";
	at_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		r = -errno;
		close(fd);
		return r;
	}
	at_strlcpy(buf, cmd, sizeof(buf) - 1);
	strcat(buf, "\n");
	if (write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf)) {
		r = -errno;
		close(fd);
		return r;
	}
	while (r == 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - at_now_ms();
		ssize_t n;

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0) {
			r = got ? -EPROTO : -EIO;	/* EOF before "ok" */
			break;
		}
		got += n;
		r = sim_ctl_final(buf, got);
		if (r == 1 && got == sizeof(buf) - 1)
			r = -ENOBUFS;
	}
	close(fd);
	while (got && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
		got--;
	buf[got] = '\0';
	if (reply && rsz)
		at_strlcpy(reply, buf, rsz);
	return r;
}

#endif /* ATNET_SELFTEST_ATPORT_H */
