// SPDX-License-Identifier: GPL-2.0
/*
 * Harness for the SIM7020 simulator host tests (see test_sim7020_lib.h).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "test_sim7020_lib.h"

int t_failed_checks;
char t_bindir[512] = ".";

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void t_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void t_fail(const char *fmt, ...)
{
	va_list ap;

	t_failed_checks++;
	fputs("# FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void t_escape(char *out, size_t outlen, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t o = 0, i;

	if (!outlen)
		return;
	for (i = 0; i < len && o + 5 < outlen; i++) {
		unsigned char c = p[i];

		if (c == '\r')
			o += snprintf(out + o, outlen - o, "\\r");
		else if (c == '\n')
			o += snprintf(out + o, outlen - o, "\\n");
		else if (c == '\\')
			o += snprintf(out + o, outlen - o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = c;
	}
	if (i < len && o + 4 < outlen)
		o += snprintf(out + o, outlen - o, "...");
	out[o < outlen ? o : outlen - 1] = 0;
}

static pid_t spawn(const char *const *argv, const char *out_path)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(out_path ? out_path : "/dev/null",
			      O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		setpgid(0, 0);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static void reap(pid_t pid)
{
	long long end = now_ms() + 3000;
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (now_ms() < end) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

bool t_sim_start(struct t_sim *s, const char *const *extra)
{
	static int seq;
	const char *argv[T_MAX_ARGS];
	char bin[600], log[200];
	struct termios tio;
	long long end;
	int n = 0;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	snprintf(s->dir, sizeof(s->dir), "/tmp/t7020.%d.%d", getpid(), seq++);
	mkdir(s->dir, 0700);
	snprintf(s->link, sizeof(s->link), "%s/tty", s->dir);
	snprintf(s->ctl, sizeof(s->ctl), "%s/ctl", s->dir);
	snprintf(log, sizeof(log), "%s/sim.log", s->dir);
	snprintf(s->trn, sizeof(s->trn), "%s/transcript", s->dir);
	snprintf(bin, sizeof(bin), "%s/modem-sim", t_bindir);

	argv[n++] = bin;
	argv[n++] = "--model";
	argv[n++] = "sim7020";
	argv[n++] = "--pty";
	argv[n++] = s->link;
	argv[n++] = "--control";
	argv[n++] = s->ctl;
	argv[n++] = "--transcript";
	argv[n++] = s->trn;
	while (extra && *extra && n < T_MAX_ARGS - 1)
		argv[n++] = *extra++;
	argv[n] = NULL;

	s->pid = spawn(argv, log);
	if (s->pid < 0) {
		t_fail("fork: %s", strerror(errno));
		return false;
	}
	end = now_ms() + 5000;
	while (now_ms() < end) {
		int st;

		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			t_fail("modem-sim exited early (see %s)", log);
			s->pid = 0;
			return false;
		}
		s->fd = open(s->link, O_RDWR | O_NOCTTY | O_NONBLOCK);
		if (s->fd >= 0)
			break;
		usleep(10000);
	}
	if (s->fd < 0) {
		t_fail("pty %s did not appear", s->link);
		return false;
	}
	if (tcgetattr(s->fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(s->fd, TCSANOW, &tio);
	}
	/* The control socket appears together with the pty, give it a moment. */
	end = now_ms() + 2000;
	while (now_ms() < end && access(s->ctl, F_OK) != 0)
		usleep(10000);
	return true;
}

void t_sim_stop(struct t_sim *s)
{
	char path[200];

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	reap(s->pid);
	s->pid = 0;
	if (getenv("T7020_KEEP"))
		return;
	snprintf(path, sizeof(path), "%s/sim.log", s->dir);
	unlink(path);
	unlink(s->trn);
	unlink(s->ctl);
	unlink(s->link);
	rmdir(s->dir);
}

bool t_send(struct t_sim *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	long long end = now_ms() + 3000;

	while (len) {
		ssize_t n = write(s->fd, p, len);

		if (n > 0) {
			p += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			t_fail("write to modem: %s", strerror(errno));
			return false;
		}
		if (now_ms() > end) {
			t_fail("write to modem timed out");
			return false;
		}
		{
			struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };

			poll(&pfd, 1, 50);
		}
	}
	return true;
}

bool t_sends(struct t_sim *s, const char *str)
{
	return t_send(s, str, strlen(str));
}

/* Read whatever arrives within ms (at least one byte unless timeout). */
static int fill(struct t_sim *s, int ms)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	ssize_t n;
	int r;

	if (s->len >= sizeof(s->buf))
		return -1;
	r = poll(&pfd, 1, ms < 0 ? 0 : ms);
	if (r <= 0)
		return 0;
	n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	s->len += n;
	return (int)n;
}

static void consume(struct t_sim *s, size_t n)
{
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
}

static void mismatch(struct t_sim *s, const void *exp, size_t len,
		     const char *why)
{
	char e[1200], g[1200];

	t_escape(e, sizeof(e), exp, len);
	t_escape(g, sizeof(g), s->buf, s->len);
	t_fail("%s", why);
	t_diag("  expected: \"%s\"", e);
	t_diag("  received: \"%s\"", g);
}

bool t_expect(struct t_sim *s, const void *exp, size_t len, int ms)
{
	long long end = now_ms() + ms;

	for (;;) {
		size_t n = s->len < len ? s->len : len;

		if (memcmp(s->buf, exp, n) != 0) {
			mismatch(s, exp, len, "unexpected bytes from modem");
			s->len = 0;
			return false;
		}
		if (s->len >= len) {
			consume(s, len);
			return true;
		}
		if (now_ms() >= end) {
			mismatch(s, exp, len, "timeout waiting for modem");
			return false;
		}
		if (fill(s, (int)(end - now_ms())) < 0) {
			mismatch(s, exp, len, "modem pty closed");
			return false;
		}
	}
}

bool t_expects(struct t_sim *s, const char *exp, int ms)
{
	return t_expect(s, exp, strlen(exp), ms);
}

/*
 * Match pat against buf; returns bytes matched (>0), 0 if buf is a proper
 * prefix of a possible match (need more), -1 on mismatch.
 */
static int pat_match(const char *pat, const unsigned char *buf, size_t len)
{
	size_t i = 0;

	while (*pat) {
		if (*pat == '#') {
			size_t start;

			if (i < len && buf[i] == '-')
				i++;
			start = i;
			while (i < len && buf[i] >= '0' && buf[i] <= '9')
				i++;
			if (i == len)
				return 0;
			if (i == start)
				return -1;
			pat++;
			continue;
		}
		if (i == len)
			return 0;
		if ((unsigned char)*pat != buf[i])
			return -1;
		pat++;
		i++;
	}
	return (int)i;
}

bool t_expect_pat(struct t_sim *s, const char *pat, int ms)
{
	long long end = now_ms() + ms;

	for (;;) {
		int r = pat_match(pat, s->buf, s->len);

		if (r > 0) {
			consume(s, r);
			return true;
		}
		if (r < 0) {
			mismatch(s, pat, strlen(pat), "bytes do not match pattern");
			s->len = 0;
			return false;
		}
		if (now_ms() >= end) {
			mismatch(s, pat, strlen(pat), "timeout waiting for pattern");
			return false;
		}
		if (fill(s, (int)(end - now_ms())) < 0) {
			mismatch(s, pat, strlen(pat), "modem pty closed");
			return false;
		}
	}
}

bool t_read_line(struct t_sim *s, char *out, size_t outlen, int ms)
{
	long long end = now_ms() + ms;

	for (;;) {
		if (s->len >= 2 && s->buf[0] == '\r' && s->buf[1] == '\n') {
			unsigned char *e = memmem(s->buf + 2, s->len - 2, "\r\n", 2);

			if (e) {
				size_t n = e - (s->buf + 2);

				if (n >= outlen)
					n = outlen - 1;
				memcpy(out, s->buf + 2, n);
				out[n] = 0;
				consume(s, (e - s->buf) + 2);
				return true;
			}
		} else if (s->len >= 2) {
			mismatch(s, "\r\n", 2, "line does not start with CRLF");
			return false;
		}
		if (now_ms() >= end) {
			mismatch(s, "\r\n...\r\n", 7, "timeout waiting for a line");
			return false;
		}
		if (fill(s, (int)(end - now_ms())) < 0)
			return false;
	}
}

bool t_quiet(struct t_sim *s, int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end && s->len == 0)
		if (fill(s, (int)(end - now_ms())) < 0)
			break;
	if (s->len) {
		mismatch(s, "", 0, "modem sent bytes while it should be quiet");
		s->len = 0;
		return false;
	}
	return true;
}

bool t_cmd(struct t_sim *s, const char *cmd, const char *answer, int ms)
{
	char line[4200];

	snprintf(line, sizeof(line), "%s\r", cmd);
	if (!t_sends(s, line))
		return false;
	snprintf(line, sizeof(line), "\r\n%s", answer);
	return t_expects(s, line, ms);
}

/* 1: reply ends in "ok", -1: in "error: ...", 0: incomplete. */
static int ctl_final(const char *out)
{
	size_t n = strlen(out);
	const char *last;

	if (!n || out[n - 1] != '\n')
		return 0;
	last = out + n - 1;
	while (last > out && last[-1] != '\n')
		last--;
	if (!strncmp(last, "ok", 2))
		return 1;
	if (!strncmp(last, "error:", 6))
		return -1;
	return 0;
}

int t_ctl(struct t_sim *s, const char *cmd, char *out, size_t outlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char tmp[256];
	size_t got = 0;
	long long end;
	int fd;

	if (!out) {
		out = tmp;
		outlen = sizeof(tmp);
	}
	out[0] = 0;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->ctl);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		t_fail("control connect %s: %s", s->ctl, strerror(errno));
		close(fd);
		return 0;
	}
	if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
		t_fail("control write: %s", strerror(errno));
		close(fd);
		return 0;
	}
	end = now_ms() + 3000;
	while (now_ms() < end && got + 1 < outlen) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, (int)(end - now_ms())) <= 0)
			break;
		n = read(fd, out + got, outlen - 1 - got);
		if (n <= 0)
			break;
		got += n;
		out[got] = 0;
		if (ctl_final(out))
			break;
	}
	close(fd);
	if (!ctl_final(out)) {
		t_fail("no complete reply to control command '%s'", cmd);
		return 0;
	}
	return ctl_final(out);
}

bool t_fault(struct t_sim *s, const char *cmd)
{
	char out[1024];
	int r = t_ctl(s, cmd, out, sizeof(out));

	if (r < 0)
		t_fail("control command '%s' answered '%s'", cmd, out);
	return r > 0;
}

static int free_port(int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, type, 0), port = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool port_open(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

bool t_echod_start(struct t_echod *e)
{
	char bin[600], tp[16], up[16];
	const char *argv[12];
	long long end;
	int n = 0;

	e->tcp_port = free_port(SOCK_STREAM);
	e->udp_port = free_port(SOCK_DGRAM);
	snprintf(tp, sizeof(tp), "%d", e->tcp_port);
	snprintf(up, sizeof(up), "%d", e->udp_port);
	snprintf(bin, sizeof(bin), "%s/echod", t_bindir);
	argv[n++] = bin;
	argv[n++] = "--addr";
	argv[n++] = "127.0.0.1";
	argv[n++] = "--tcp";
	argv[n++] = tp;
	argv[n++] = "--udp";
	argv[n++] = up;
	argv[n] = NULL;
	e->pid = spawn(argv, NULL);
	end = now_ms() + 5000;
	while (now_ms() < end) {
		if (port_open(e->tcp_port))
			return true;
		usleep(20000);
	}
	t_fail("echod did not start on port %d", e->tcp_port);
	return false;
}

void t_echod_stop(struct t_echod *e)
{
	reap(e->pid);
	e->pid = 0;
}

int t_tcp_listen(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

int t_accept(int lfd, int ms)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	return accept(lfd, NULL, NULL);
}

int t_udp_bind(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

ssize_t t_recv_deadline(int fd, void *buf, size_t len, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	return recv(fd, buf, len, 0);
}

bool t_read_raw(struct t_sim *s, void *out, size_t len, int ms)
{
	long long end = now_ms() + ms;

	while (s->len < len) {
		if (now_ms() >= end) {
			t_fail("timeout reading %zu raw bytes (have %zu)", len,
			       s->len);
			return false;
		}
		if (fill(s, (int)(end - now_ms())) < 0) {
			t_fail("modem pty closed");
			return false;
		}
	}
	memcpy(out, s->buf, len);
	consume(s, len);
	return true;
}
