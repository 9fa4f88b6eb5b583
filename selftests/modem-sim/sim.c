// SPDX-License-Identifier: GPL-2.0
/*
 * modem-sim core: tty, pacing, framing, timers, fd watches, control
 * socket, fault script, transcript.  See sim.h for the dialect API and
 * `modem-sim --help` for the command line.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "sim.h"

#define LINE_MAX_LEN	2200	/* a hex AT+CSOSEND of 1024 bytes fits */
#define INQ_MAX		(64 * 1024)
#define MAX_CLIENTS	16
#define BURST_US	5000	/* UART pacing: at most 5 ms of bytes at once */

struct buf {
	u8 *p;
	size_t len, cap;
};

struct timer {
	struct timer *next;
	unsigned long id;
	uint64_t due_us;
	sim_timer_fn fn;
	void *arg;
};

struct watch {
	int fd;
	short events;
	bool dead;
	sim_fd_fn fn;
	void *arg;
};

struct client {
	int fd;
	char buf[1024];
	size_t len;
};

struct after {
	struct after *next;
	char *prefix;
	char *cmd;
	bool done;
};

/* One-shot faults armed on the next command line starting with prefix. */
struct hook {
	struct hook *next;
	char *prefix;
	char *text;		/* stray: printed as a line before the answer */
	unsigned int late_ms;	/* late: the answer is held this long */
};

struct sim_core {
	/* tty */
	bool pty;
	const char *dev;	/* --tty DEV or --pty LINK */
	int fd;			/* tty or pty master, -1 when dropped */
	int slave_fd;		/* pty mode: our own slave fd, keeps it up */
	struct buf out, in;
	uint64_t out_t_us, in_t_us;	/* pacing clocks */
	uint64_t last_in_us;
	uint64_t tty_quiet_us;	/* do not poll the tty before this */
	char line[LINE_MAX_LEN + 1];
	size_t line_len;
	bool raw;
	unsigned int autobaud_left;
	/* faults */
	bool stalled, dropped;
	bool off;		/* powered down: silent, deaf until restart */
	unsigned long off_rx;	/* bytes the host sent while off */
	int cme_next;		/* >= 0: answer next command with this */
	struct after *afters;
	struct hook *hooks;
	bool hold;		/* late: no input taken, no new output sent */
	size_t hold_keep;	/* output from before the hold still goes */
	/* time */
	uint64_t start_us, now_us;
	uint64_t net_free_us[2];
	/* timers and watches */
	struct timer *timers;
	unsigned long timer_id;
	struct watch *watches;
	size_t nwatches, capwatches;
	/* control */
	const char *control_path;
	int ctl_fd;
	struct client clients[MAX_CLIENTS];
	/* transcript */
	FILE *transcript;
	bool quit;
};

static volatile sig_atomic_t got_signal;

/* ---------------------------------------------------------------- util */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("modem-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void buf_add(struct buf *b, const void *p, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + len)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			die("out of memory");
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
}

static void buf_drop(struct buf *b, size_t n)
{
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

uint64_t sim_now(struct sim *s)
{
	return (s->core->now_us - s->core->start_us) / 1000;
}

void sim_log(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->cfg.verbose)
		return;
	fprintf(stderr, "modem-sim %llu.%03llu: ",
		(unsigned long long)sim_now(s) / 1000,
		(unsigned long long)sim_now(s) % 1000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *sim_prefix(const char *line, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncasecmp(line, prefix, n))
		return NULL;
	return line + n;
}

long sim_number(const char *s, long max)
{
	long v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

static char *trim(char *p)
{
	char *e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	return p;
}

int sim_split(char *buf, char **fields, int max)
{
	int n = 0;
	char *p = buf;

	if (!*trim(buf))
		return 0;
	for (;;) {
		char *start, *end;

		while (*p == ' ')
			p++;
		if (n == max)
			return -1;
		if (*p == '"') {
			start = ++p;
			end = strchr(p, '"');
			if (!end)
				return -1;
			*end = 0;
			p = end + 1;
			while (*p == ' ')
				p++;
			if (*p && *p != ',')
				return -1;
		} else {
			start = p;
			p += strcspn(p, ",");
		}
		fields[n++] = start;
		if (*p == ',') {
			*p++ = 0;
			if (start != p - 1 && start[-1] != '"')
				trim(start);
			continue;
		}
		*p = 0;
		if (start[-1] != '"' || start == buf)
			trim(start);
		return n;
	}
}

const char *sim_ntoa(struct in_addr a)
{
	static char bufs[2][INET_ADDRSTRLEN];
	static int i;

	i ^= 1;
	inet_ntop(AF_INET, &a, bufs[i], sizeof(bufs[i]));
	return bufs[i];
}

/* ---------------------------------------------------------- transcript */

static void transcript(struct sim *s, char dir, const u8 *p, size_t len)
{
	FILE *f = s->core->transcript;
	uint64_t ms = sim_now(s);
	size_t i;

	if (!f || !len)
		return;
	fprintf(f, "%llu.%03llu %c ", (unsigned long long)ms / 1000,
		(unsigned long long)ms % 1000, dir);
	for (i = 0; i < len; i++) {
		u8 c = p[i];

		if (c == '\r')
			fputs("\\r", f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\\')
			fputs("\\\\", f);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	fputc('\n', f);
	fflush(f);
}

/* ---------------------------------------------------------- tty output */

void sim_write(struct sim *s, const void *buf, size_t len)
{
	struct sim_core *c = s->core;

	/* A stalled or unplugged modem says nothing; what it "said" is lost. */
	if (c->stalled || c->dropped || c->off || c->fd < 0)
		return;
	buf_add(&c->out, buf, len);
}

static void sim_vprintf(struct sim *s, const char *fmt, va_list ap)
{
	char *p;
	int n = vasprintf(&p, fmt, ap);

	if (n < 0)
		die("out of memory");
	sim_write(s, p, n);
	free(p);
}

void sim_printf(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_vprintf(s, fmt, ap);
	va_end(ap);
}

void sim_line(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	sim_write(s, "\r\n", 2);
	va_start(ap, fmt);
	sim_vprintf(s, fmt, ap);
	va_end(ap);
	sim_write(s, "\r\n", 2);
}

void sim_ok(struct sim *s)
{
	sim_line(s, "OK");
}

void sim_error(struct sim *s)
{
	sim_line(s, "ERROR");
}

void sim_link_line(struct sim *s, int n, const char *what)
{
	sim_line(s, s->cfg.compact ? "%d,%s" : "%d, %s", n, what);
}

void sim_prompt(struct sim *s)
{
	if (s->cfg.prompt_bare)
		sim_write(s, "> ", 2);
	else
		sim_write(s, "\r\n> ", 4);
}

size_t sim_out_pending(struct sim *s)
{
	return s->core->out.len;
}

static uint64_t byte_us(struct sim *s)
{
	return 10000000ULL / s->cfg.baud;
}

/* How many bytes the simulated UART may move now; clock is advanced by caller. */
static size_t pace_allow(struct sim *s, uint64_t *clock)
{
	uint64_t now = s->core->now_us;

	if (!s->cfg.baud)
		return SIZE_MAX;
	if (*clock + BURST_US < now)
		*clock = now - BURST_US;
	if (*clock > now)
		return 0;
	return (now - *clock) / byte_us(s);
}

static void out_flush(struct sim *s)
{
	struct sim_core *c = s->core;
	size_t n = c->out.len, allow;
	ssize_t w;

	if (c->hold && n > c->hold_keep)
		n = c->hold_keep;
	if (!n || c->fd < 0)
		return;
	allow = pace_allow(s, &c->out_t_us);
	if (n > allow)
		n = allow;
	if (!n)
		return;
	w = write(c->fd, c->out.p, n);
	if (w < 0) {
		if (errno != EAGAIN && errno != EINTR)
			sim_log(s, "tty write: %s", strerror(errno));
		return;
	}
	transcript(s, '<', c->out.p, w);
	if (c->hold)
		c->hold_keep -= w;
	if (s->cfg.baud)
		c->out_t_us += w * byte_us(s);
	buf_drop(&c->out, w);
}

/* ----------------------------------------------------------- tty input */

void sim_raw_begin(struct sim *s)
{
	s->core->raw = true;
}

void sim_raw_end(struct sim *s)
{
	s->core->raw = false;
}

bool sim_in_raw(struct sim *s)
{
	return s->core->raw;
}

uint64_t sim_input_idle_ms(struct sim *s)
{
	return (s->core->now_us - s->core->last_in_us) / 1000;
}

bool sim_autobauding(struct sim *s)
{
	return s->core->autobaud_left > 0;
}

static int run_command(struct sim *s, const char *cmdline, FILE *out);

static void after_hooks(struct sim *s, const char *line)
{
	struct after *a;

	for (a = s->core->afters; a; a = a->next) {
		if (a->done || strncasecmp(line, a->prefix, strlen(a->prefix)))
			continue;
		a->done = true;
		sim_log(s, "script: after %s -> %s", a->prefix, a->cmd);
		if (run_command(s, a->cmd, NULL))
			sim_log(s, "script command failed: %s", a->cmd);
	}
}

static void hold_end(struct sim *s, void *arg)
{
	(void)arg;
	s->core->hold = false;
	sim_log(s, "late: answering again");
}

/*
 * stray/late faults: the first armed hook whose prefix the line starts
 * with fires once. A stray line comes right before the answer (a late
 * result of an earlier command); late holds this answer and everything
 * after it (the modem is busy; input waits in its UART buffer).
 */
static void fault_hooks(struct sim *s, const char *line)
{
	struct hook **pp, *h;

	for (pp = &s->core->hooks; (h = *pp); pp = &h->next) {
		if (strncasecmp(line, h->prefix, strlen(h->prefix)))
			continue;
		*pp = h->next;
		if (h->text) {
			sim_log(s, "stray before '%s': %s", line, h->text);
			sim_line(s, "%s", h->text);
		} else {
			sim_log(s, "late: '%s' answered in %u ms", line,
				h->late_ms);
			s->core->hold = true;
			s->core->hold_keep = s->core->out.len;
			sim_timer_add(s, h->late_ms, hold_end, NULL);
		}
		free(h->prefix);
		free(h->text);
		free(h);
		return;
	}
}

static void handle_line(struct sim *s)
{
	struct sim_core *c = s->core;
	char *line = c->line;

	c->line[c->line_len] = 0;
	c->line_len = 0;
	/* Real modems hunt for "AT" and ignore anything else. */
	while (*line && !(toupper((unsigned char)line[0]) == 'A' &&
			  toupper((unsigned char)line[1]) == 'T'))
		line++;
	if (!*line)
		return;
	if (c->autobaud_left) {
		c->autobaud_left--;
		sim_log(s, "autobaud: swallowed '%s', %u left", line,
			c->autobaud_left);
		return;
	}
	fault_hooks(s, line);
	if (c->cme_next >= 0) {
		sim_line(s, "+CME ERROR: %d", c->cme_next);
		c->cme_next = -1;
	} else {
		s->d->line(s, line);
	}
	after_hooks(s, line);
}

/* Returns how many bytes it took: a late fault stops it after its line. */
static size_t in_feed(struct sim *s, const u8 *p, size_t len)
{
	struct sim_core *c = s->core;
	size_t total = len;

	while (len) {
		u8 b;

		if (c->stalled || c->dropped || c->off)
			return total;
		if (c->hold)
			return total - len;
		if (c->raw) {
			size_t n = s->d->raw ? s->d->raw(s, p, len) : len;

			if (n > len)
				n = len;
			p += n;
			len -= n;
			if (c->raw && n == 0)
				return total;	/* dialect wants the bytes later */
			continue;
		}
		b = *p++;
		len--;
		if (s->echo && !c->autobaud_left)
			sim_write(s, &b, 1);
		if (b == '\r') {
			handle_line(s);
		} else if (b == '\n' || b == 0) {
			continue;
		} else if (b == 0x08 || b == 0x7f) {
			if (c->line_len)
				c->line_len--;
		} else if (c->line_len < LINE_MAX_LEN) {
			c->line[c->line_len++] = b;
		}
	}
	return total;
}

static void in_process(struct sim *s)
{
	struct sim_core *c = s->core;
	size_t n = c->in.len, allow;

	if (!n || c->hold)
		return;
	allow = pace_allow(s, &c->in_t_us);
	if (n > allow)
		n = allow;
	if (!n)
		return;
	c->last_in_us = c->now_us;
	/* in_feed may re-enter nothing that touches c->in, so feed a copy. */
	{
		u8 tmp[n];

		memcpy(tmp, c->in.p, n);
		n = in_feed(s, tmp, n);
		buf_drop(&c->in, n);
	}
	if (s->cfg.baud)
		c->in_t_us += n * byte_us(s);
}

static void tty_read(struct sim *s)
{
	struct sim_core *c = s->core;
	u8 tmp[4096];
	ssize_t n = read(c->fd, tmp, sizeof(tmp));

	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/*
		 * A hung-up serial line keeps reporting EOF/EIO: look again
		 * in 100 ms instead of spinning.
		 */
		sim_log(s, "tty read: %s", n ? strerror(errno) : "EOF");
		c->tty_quiet_us = c->now_us + 100000;
		return;
	}
	transcript(s, '>', tmp, n);
	if (c->off)
		c->off_rx += n;
	if (c->stalled || c->off)
		return;
	buf_add(&c->in, tmp, n);
}

/* -------------------------------------------------------------- timers */

unsigned long sim_timer_add(struct sim *s, unsigned int ms, sim_timer_fn fn,
			    void *arg)
{
	struct sim_core *c = s->core;
	struct timer *t = calloc(1, sizeof(*t)), **pp;

	if (!t)
		die("out of memory");
	t->id = ++c->timer_id;
	t->due_us = c->now_us + (uint64_t)ms * 1000;
	t->fn = fn;
	t->arg = arg;
	/* Sorted, FIFO among equal due times so output order is stable. */
	for (pp = &c->timers; *pp && (*pp)->due_us <= t->due_us; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	return t->id;
}

void sim_timer_del(struct sim *s, unsigned long id)
{
	struct timer **pp, *t;

	for (pp = &s->core->timers; (t = *pp); pp = &t->next) {
		if (t->id == id) {
			*pp = t->next;
			free(t);
			return;
		}
	}
}

void sim_timer_del_arg(struct sim *s, const void *arg)
{
	struct timer **pp = &s->core->timers, *t;

	while ((t = *pp)) {
		if (t->arg == arg) {
			*pp = t->next;
			free(t);
		} else {
			pp = &t->next;
		}
	}
}

static void timers_run(struct sim *s)
{
	struct sim_core *c = s->core;
	struct timer *t;

	while ((t = c->timers) && t->due_us <= c->now_us) {
		c->timers = t->next;
		t->fn(s, t->arg);
		free(t);
	}
}

/* -------------------------------------------------------------- watches */

void sim_fd_add(struct sim *s, int fd, short events, sim_fd_fn fn, void *arg)
{
	struct sim_core *c = s->core;

	if (c->nwatches == c->capwatches) {
		c->capwatches = c->capwatches ? c->capwatches * 2 : 16;
		c->watches = realloc(c->watches,
				     c->capwatches * sizeof(*c->watches));
		if (!c->watches)
			die("out of memory");
	}
	c->watches[c->nwatches++] = (struct watch){
		.fd = fd, .events = events, .fn = fn, .arg = arg,
	};
}

static struct watch *watch_find(struct sim *s, int fd)
{
	size_t i;

	for (i = 0; i < s->core->nwatches; i++)
		if (!s->core->watches[i].dead && s->core->watches[i].fd == fd)
			return &s->core->watches[i];
	return NULL;
}

void sim_fd_set(struct sim *s, int fd, short events)
{
	struct watch *w = watch_find(s, fd);

	if (w)
		w->events = events;
}

void sim_fd_del(struct sim *s, int fd)
{
	struct watch *w = watch_find(s, fd);

	/* Only marked: the poll loop may be iterating; compacted later. */
	if (w)
		w->dead = true;
}

static void watches_compact(struct sim_core *c)
{
	size_t i, j = 0;

	for (i = 0; i < c->nwatches; i++)
		if (!c->watches[i].dead)
			c->watches[j++] = c->watches[i];
	c->nwatches = j;
}

/* -------------------------------------------------------------- network */

int sim_resolve(struct sim *s, const char *name, struct in_addr *out, int max)
{
	char line[512];
	int n = 0;
	FILE *f;

	if (max <= 0)
		return 0;
	if (inet_pton(AF_INET, name, &out[0]) == 1)
		return 1;
	if (!s->cfg.hosts)
		return 0;
	f = fopen(s->cfg.hosts, "r");
	if (!f) {
		sim_log(s, "hosts %s: %s", s->cfg.hosts, strerror(errno));
		return 0;
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		char *save, *ip, *tok;
		struct in_addr a;

		line[strcspn(line, "#\n")] = 0;
		ip = strtok_r(line, " \t", &save);
		if (!ip || inet_pton(AF_INET, ip, &a) != 1)
			continue;
		while ((tok = strtok_r(NULL, " \t", &save))) {
			if (!strcasecmp(tok, name)) {
				out[n++] = a;
				break;
			}
		}
	}
	fclose(f);
	return n;
}

bool sim_addr_local(struct sim *s, struct in_addr addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = addr };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	(void)s;
	if (fd < 0)
		return false;
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

int sim_socket(struct sim *s, int type, struct in_addr bind_ip, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr = bind_ip };
	int one = 1, err;
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind_ip.s_addr || port) {
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		err = errno;
		if (err != EADDRNOTAVAIL)
			goto fail;
		sim_log(s, "%s not on this host, socket left unbound",
			sim_ntoa(bind_ip));
		if (port) {
			sa.sin_addr.s_addr = htonl(INADDR_ANY);
			if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
				err = errno;
				goto fail;
			}
		}
	}
	return fd;
fail:
	close(fd);
	return -err;
}

unsigned int sim_net_delay(struct sim *s, int dir, size_t len)
{
	struct sim_core *c = s->core;
	uint64_t *free_us = &c->net_free_us[dir ? 1 : 0];

	if (*free_us < c->now_us)
		*free_us = c->now_us;
	if (s->cfg.bandwidth)
		*free_us += (uint64_t)len * 8 * 1000000 / s->cfg.bandwidth;
	return (*free_us - c->now_us) / 1000 + s->cfg.rtt_ms / 2;
}

/* ------------------------------------------------------------------ tty */

static void set_raw(int fd, unsigned int baud)
{
	struct termios t;
	speed_t sp = B115200;

	if (tcgetattr(fd, &t))
		return;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	switch (baud) {
	case 9600: sp = B9600; break;
	case 19200: sp = B19200; break;
	case 38400: sp = B38400; break;
	case 57600: sp = B57600; break;
	case 230400: sp = B230400; break;
	case 460800: sp = B460800; break;
	case 921600: sp = B921600; break;
	}
	cfsetispeed(&t, sp);
	cfsetospeed(&t, sp);
	tcsetattr(fd, TCSANOW, &t);
}

static int pty_open(struct sim *s, char *err, size_t errlen)
{
	struct sim_core *c = s->core;
	char tmp[4096];
	const char *name;
	int m;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (m < 0 || grantpt(m) || unlockpt(m) || !(name = ptsname(m))) {
		snprintf(err, errlen, "pty: %s", strerror(errno));
		if (m >= 0)
			close(m);
		return -1;
	}
	/*
	 * Hold the slave open ourselves: the master then never sees a
	 * hangup when the user closes and reopens it, and the line
	 * settings (raw, no echo) we set here stay.
	 */
	c->slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->slave_fd < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		close(m);
		return -1;
	}
	set_raw(c->slave_fd, s->cfg.baud);
	snprintf(tmp, sizeof(tmp), "%s.tmp%d", c->dev, (int)getpid());
	unlink(tmp);
	if (symlink(name, tmp) || rename(tmp, c->dev)) {
		snprintf(err, errlen, "symlink %s: %s", c->dev, strerror(errno));
		unlink(tmp);
		close(c->slave_fd);
		close(m);
		return -1;
	}
	c->fd = m;
	return 0;
}

static void tty_open(struct sim *s)
{
	struct sim_core *c = s->core;
	char err[256];

	if (c->pty) {
		if (pty_open(s, err, sizeof(err)))
			die("%s", err);
		return;
	}
	c->fd = open(c->dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0)
		die("%s: %s", c->dev, strerror(errno));
	if (!isatty(c->fd))
		die("%s: not a tty", c->dev);
	set_raw(c->fd, s->cfg.baud);
}

/* The cable is pulled: the DTE must see a hangup / DCD drop. */
static void line_drop(struct sim *s)
{
	struct sim_core *c = s->core;
	int bits = TIOCM_DTR | TIOCM_RTS;

	c->dropped = true;
	c->out.len = 0;
	c->in.len = 0;
	c->line_len = 0;
	if (c->pty) {
		if (c->fd >= 0)
			close(c->fd);
		if (c->slave_fd >= 0)
			close(c->slave_fd);
		c->fd = c->slave_fd = -1;
	} else {
		ioctl(c->fd, TIOCMBIC, &bits);
	}
}

static int line_undrop(struct sim *s, char *err, size_t errlen)
{
	struct sim_core *c = s->core;
	int bits = TIOCM_DTR | TIOCM_RTS;

	if (!c->dropped)
		return 0;
	if (c->pty) {
		if (pty_open(s, err, errlen))
			return -1;
	} else {
		ioctl(c->fd, TIOCMBIS, &bits);
	}
	c->dropped = false;
	return 0;
}

/* ------------------------------------------------------------- restart */

void sim_restart(struct sim *s)
{
	struct sim_core *c = s->core;

	c->off = false;
	s->echo = s->cfg.echo;
	c->autobaud_left = s->cfg.autobaud;
	c->raw = false;
	c->line_len = 0;
	c->cme_next = -1;
	if (s->d->restart)
		s->d->restart(s);
}

/* ------------------------------------------------------------- commands */

static const char core_help[] =
	"status              print state (key value lines)\n"
	"stall               stop answering: input ignored, no output\n"
	"unstall             answer again\n"
	"garbage N           write N random bytes to the tty\n"
	"drop                line drop: pty mode closes the master (hangup),\n"
	"                    tty mode drops DTR/RTS and stops answering\n"
	"undrop              reconnect: new pty behind LINK / raise DTR\n"
	"restart             modem reboot (links and contexts gone, RDY...)\n"
	"cme N               answer the next command with +CME ERROR: N\n"
	"urc TEXT            print \\r\\nTEXT\\r\\n (any URC)\n"
	"power-down [normal|under|over]\n"
	"                    print NORMAL / UNDER-VOLTAGE / OVER-VOLTAGE POWER\n"
	"                    DOWN and switch off: links and contexts gone, no\n"
	"                    answer until restart (power on: RDY...)\n"
	"power-warn under|over\n"
	"                    print UNDER-VOLTAGE / OVER-VOLTAGE WARNNING\n"
	"                    (SIMCom's spelling); the modem stays on\n"
	"stray PREFIX TEXT   print TEXT as a line right before the answer to\n"
	"                    the next command starting with PREFIX (a late\n"
	"                    result of an earlier command: OK, ERROR, ...)\n"
	"late PREFIX MS      answer the next command starting with PREFIX\n"
	"                    MS late: output and input wait meanwhile (a\n"
	"                    busy modem; a \"> \" prompt comes late too)\n"
	"csq-noplus on|off   AT+CSQ answers \"CSQ: n,0\" without the '+'\n"
	"quit                exit the simulator\n";

/*
 * Run one control/script command.  Output lines (status, help) go to out
 * when not NULL.  Returns 0 or -1 with the message in out as "error: ...".
 */
static int run_command(struct sim *s, const char *cmdline, FILE *out)
{
	struct sim_core *c = s->core;
	char buf[LINE_MAX_LEN + 1], err[256] = "", *name, *arg;
	long n;
	int r;

	snprintf(buf, sizeof(buf), "%s", cmdline);
	name = trim(buf);
	arg = name + strcspn(name, " \t");
	if (*arg) {
		*arg++ = 0;
		arg = trim(arg);
	}
	if (!*arg)
		arg = NULL;

	if (!*name) {
		snprintf(err, sizeof(err), "empty command");
		goto fail;
	}
	if (!strcmp(name, "help")) {
		if (out) {
			fputs(core_help, out);
			if (s->d->fault_help)
				fputs(s->d->fault_help, out);
		}
		return 0;
	}
	if (!strcmp(name, "status")) {
		if (out) {
			fprintf(out, "model %s\n", s->d->name);
			fprintf(out, "uptime_ms %llu\n",
				(unsigned long long)sim_now(s));
			fprintf(out, "echo %d\n", s->echo);
			fprintf(out, "stalled %d\n", c->stalled);
			fprintf(out, "dropped %d\n", c->dropped);
			fprintf(out, "off %d\n", c->off);
			fprintf(out, "off_rx %lu\n", c->off_rx);
			fprintf(out, "autobaud_left %u\n", c->autobaud_left);
			fprintf(out, "raw %d\n", c->raw);
			if (s->d->status)
				s->d->status(s, out);
		}
		return 0;
	}
	if (!strcmp(name, "stall") || !strcmp(name, "unstall") ||
	    !strcmp(name, "drop") || !strcmp(name, "undrop") ||
	    !strcmp(name, "restart") || !strcmp(name, "quit")) {
		if (arg) {
			snprintf(err, sizeof(err), "%s takes no argument", name);
			goto fail;
		}
		if (!strcmp(name, "stall")) {
			c->stalled = true;
			c->out.len = 0;
			c->in.len = 0;
		} else if (!strcmp(name, "unstall")) {
			c->stalled = false;
		} else if (!strcmp(name, "drop")) {
			line_drop(s);
		} else if (!strcmp(name, "undrop")) {
			if (line_undrop(s, err, sizeof(err)))
				goto fail;
		} else if (!strcmp(name, "restart")) {
			sim_restart(s);
		} else {
			c->quit = true;
		}
		return 0;
	}
	if (!strcmp(name, "garbage")) {
		n = sim_number(arg, 1 << 20);
		if (n < 0) {
			snprintf(err, sizeof(err), "garbage needs a byte count");
			goto fail;
		}
		while (n-- > 0) {
			u8 b = rand();

			sim_write(s, &b, 1);
		}
		return 0;
	}
	if (!strcmp(name, "cme")) {
		n = sim_number(arg, 65535);
		if (n < 0) {
			snprintf(err, sizeof(err), "cme needs an error number");
			goto fail;
		}
		c->cme_next = n;
		return 0;
	}
	if (!strcmp(name, "power-down")) {
		static const char *const what[][2] = {
			{ "normal", "NORMAL POWER DOWN" },
			{ "under", "UNDER-VOLTAGE POWER DOWN" },
			{ "over", "OVER-VOLTAGE POWER DOWN" },
		};
		size_t i;

		for (i = 0; i < 3; i++)
			if (!strcmp(arg ? arg : "normal", what[i][0]))
				break;
		if (i == 3) {
			snprintf(err, sizeof(err),
				 "power-down takes normal, under or over");
			goto fail;
		}
		/* The last words go out; the dialect forgets links, contexts. */
		sim_line(s, "%s", what[i][1]);
		/* Its boot URCs and timers run into a switched-off modem. */
		c->off = true;
		if (s->d->restart)
			s->d->restart(s);
		c->raw = false;
		c->line_len = 0;
		c->in.len = 0;
		return 0;
	}
	if (!strcmp(name, "csq-noplus")) {
		if (!arg || (strcmp(arg, "on") && strcmp(arg, "off"))) {
			snprintf(err, sizeof(err), "csq-noplus takes on or off");
			goto fail;
		}
		s->cfg.csq_noplus = !strcmp(arg, "on");
		return 0;
	}
	if (!strcmp(name, "power-warn")) {
		if (!arg || (strcmp(arg, "under") && strcmp(arg, "over"))) {
			snprintf(err, sizeof(err), "power-warn takes under or over");
			goto fail;
		}
		sim_line(s, "%s-VOLTAGE WARNNING",
			 !strcmp(arg, "under") ? "UNDER" : "OVER");
		return 0;
	}
	if (!strcmp(name, "stray") || !strcmp(name, "late")) {
		struct hook *h, **pp;
		char *rest = arg ? arg + strcspn(arg, " \t") : NULL;

		if (rest && *rest)
			*rest++ = 0;
		if (rest)
			rest = trim(rest);
		n = rest && !strcmp(name, "late") ? sim_number(rest, 600000) : 0;
		if (!rest || !*rest || n < 0) {
			snprintf(err, sizeof(err), "%s needs PREFIX %s", name,
				 strcmp(name, "late") ? "TEXT" : "MS");
			goto fail;
		}
		h = calloc(1, sizeof(*h));
		if (!h)
			die("out of memory");
		h->prefix = strdup(arg);
		if (!strcmp(name, "stray"))
			h->text = strdup(rest);
		else
			h->late_ms = n;
		for (pp = &c->hooks; *pp; pp = &(*pp)->next)
			;
		*pp = h;
		return 0;
	}
	if (!strcmp(name, "urc")) {
		if (!arg) {
			snprintf(err, sizeof(err), "urc needs a text");
			goto fail;
		}
		sim_line(s, "%s", arg);
		return 0;
	}
	r = s->d->fault ? s->d->fault(s, name, arg, err, sizeof(err)) : 1;
	if (r == 0)
		return 0;
	if (r > 0)
		snprintf(err, sizeof(err), "unknown command '%s' (try help)",
			 name);
fail:
	if (out)
		fprintf(out, "error: %s\n", err);
	else
		sim_log(s, "error: %s", err);
	return -1;
}

/* ------------------------------------------------------------- control */

static void ctl_open(struct sim *s)
{
	struct sim_core *c = s->core;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(c->control_path) >= sizeof(sa.sun_path))
		die("--control path too long");
	strcpy(sa.sun_path, c->control_path);
	unlink(c->control_path);
	c->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->ctl_fd < 0 || bind(c->ctl_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(c->ctl_fd, 8))
		die("control socket %s: %s", c->control_path, strerror(errno));
}

static void ctl_accept(struct sim *s)
{
	struct sim_core *c = s->core;
	int fd = accept4(c->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (c->clients[i].fd < 0) {
			c->clients[i].fd = fd;
			c->clients[i].len = 0;
			return;
		}
	}
	dprintf(fd, "error: too many control clients\n");
	close(fd);
}

static void ctl_reply(int fd, const char *p, size_t len)
{
	/* Replies are small; a blocking write keeps ordering simple. */
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w <= 0)
			break;
		p += w;
		len -= w;
	}
	fcntl(fd, F_SETFL, fl);
}

static void ctl_read(struct sim *s, struct client *cl)
{
	ssize_t n = read(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len);
	char *nl;

	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		close(cl->fd);
		cl->fd = -1;
		return;
	}
	cl->len += n;
	cl->buf[cl->len] = 0;
	while ((nl = strchr(cl->buf, '\n'))) {
		char *outp = NULL;
		size_t outlen = 0;
		FILE *out = open_memstream(&outp, &outlen);
		int r;

		*nl = 0;
		if (nl > cl->buf && nl[-1] == '\r')
			nl[-1] = 0;
		sim_log(s, "control: %s", cl->buf);
		r = run_command(s, cl->buf, out);
		if (!r)
			fputs("ok\n", out);
		fclose(out);
		ctl_reply(cl->fd, outp, outlen);
		free(outp);
		cl->len -= nl + 1 - cl->buf;
		memmove(cl->buf, nl + 1, cl->len + 1);
	}
	if (cl->len == sizeof(cl->buf) - 1) {
		static const char msg[] = "error: line too long\n";

		ctl_reply(cl->fd, msg, sizeof(msg) - 1);
		cl->len = 0;
	}
}

/* -------------------------------------------------------------- script */

static void script_timer(struct sim *s, void *arg)
{
	sim_log(s, "script: %s", (char *)arg);
	run_command(s, arg, NULL);
}

static void script_load(struct sim *s, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[LINE_MAX_LEN];
	int lineno = 0;

	if (!f)
		die("--script %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p, *kw, *a1, *rest;

		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		p = trim(line);
		if (!*p || *p == '#')
			continue;
		kw = strtok_r(p, " \t", &rest);
		a1 = strtok_r(NULL, " \t", &rest);
		rest = rest ? trim(rest) : NULL;
		if (!a1 || !rest || !*rest)
			die("%s:%d: expected 'at MS COMMAND' or 'after PREFIX COMMAND'",
			    path, lineno);
		if (!strcmp(kw, "at")) {
			long ms = sim_number(a1, 1L << 30);

			if (ms < 0)
				die("%s:%d: bad time '%s'", path, lineno, a1);
			sim_timer_add(s, ms, script_timer, strdup(rest));
		} else if (!strcmp(kw, "after")) {
			struct after *a = calloc(1, sizeof(*a)), **pp;

			a->prefix = strdup(a1);
			a->cmd = strdup(rest);
			for (pp = &s->core->afters; *pp; pp = &(*pp)->next)
				;
			*pp = a;
		} else {
			die("%s:%d: unknown keyword '%s'", path, lineno, kw);
		}
	}
	fclose(f);
}

/* ------------------------------------------------------------ options */

static const char usage_text[] =
"Usage: modem-sim --model sim7000|sim7020 (--tty DEV | --pty LINK) [OPTIONS]\n"
"\n"
"Simulates a SIMCom SIM7000 or SIM7020 modem on a tty, with real TCP/UDP\n"
"sockets on the network side.\n"
"\n"
"Line:\n"
"  --model M            sim7000 or sim7020 (required)\n"
"  --tty DEV            run on an existing tty (set to raw mode)\n"
"  --pty LINK           create a pty, LINK becomes a symlink to its slave\n"
"  --baud N             UART pacing: every byte takes 10/N s, both ways\n"
"                       (0 = unpaced, default); also sets the tty speed\n"
"  --echo on|off        command echo after power-up (default on)\n"
"  --autobaud N         the first N AT commands get no answer, no RDY\n"
"  --rdy                print the boot URCs (RDY, +CFUN: 1, +CPIN: READY,\n"
"                       SMS Ready) at start\n"
"  --prompt-bare        data prompt is \"> \" instead of \"\\r\\n> \"\n"
"  --echo-data          with echo on, also echo the data after \"> \"\n"
"Network:\n"
"  --ip A               context 1 address (default 192.0.2.100)\n"
"  --ip2 A              context 2 address (default 192.0.2.101)\n"
"                       sockets bind to it when it exists on this host\n"
"  --hosts FILE         hosts(5) file for DNS (CIPSTART, CDNSGIP)\n"
"  --rtt MS             cellular round trip time (connect, ack, data)\n"
"  --bandwidth BPS      cellular bandwidth in bit/s each way (0 = no limit)\n"
"  --rx-buffer N        modem-side receive buffer per link (default 8192);\n"
"                       when full the socket is not read (backpressure)\n"
"  --attach-ms MS       PDP activation time of AT+CIICR (default 100)\n"
"  --connect-timeout MS CIPSTART gives up after MS (default 75000)\n"
"  --dns-ms MS          time until the DNS answer (default 50)\n"
"Quirks (see docs/at-reference.md):\n"
"  --compact            \"0,CONNECT OK\" instead of \"0, CONNECT OK\" (all N, X)\n"
"  --urc-noise          DST: 0 / *PSUTTZ before SHUT OK and the OK of CIICR;\n"
"                       extra +CIPRXGET: 1,n before CIPRXGET=4 answers;\n"
"                       received data held (<=1 s) and shown as +RECEIVE\n"
"                       right before the next \"> \" prompt\n"
"  --shut-pdp-deact     AT+CIPSHUT answers only \"+PDP: DEACT\"\n"
"  --cpin-notready      a restart first prints +CPIN: NOT READY\n"
"  --restart-ms MS      reboot time before RDY (default 200)\n"
"Identity:\n"
"  --model-name S       AT+CGMM answer (default SIMCOM_SIM7000E / SIM7020E)\n"
"  --revision S         AT+CGMR answer (default Revision:1351B04SIM7000E)\n"
"  --csq N              rssi of +CSQ (default 20)\n"
"  --csq-noplus         \"CSQ: 20,0\" without the '+' (some firmware)\n"
"  --operator S         operator of +COPS? (default \"Test Operator\")\n"
"Testing:\n"
"  --control PATH       unix stream socket, one command per line, reply\n"
"                       lines ending with \"ok\" or \"error: ...\"\n"
"  --script FILE        fault script: \"at MS COMMAND\" (MS after start) or\n"
"                       \"after PREFIX COMMAND\" (once, after the first\n"
"                       command line starting with PREFIX); # comments\n"
"  --transcript FILE    log both directions: \"S.mmm > bytes-in\",\n"
"                       \"S.mmm < bytes-out\", \\r \\n \\\\ \\xHH escaped\n"
"  -v, --verbose        debug log to stderr\n"
"  -h, --help           this help\n"
"\n"
"Control / script commands:\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
	fputs(core_help, f);
	fputs(sim7000_dialect.fault_help ? sim7000_dialect.fault_help : "", f);
	if (sim7020_dialect.fault_help)
		fprintf(f, "(sim7020)\n%s", sim7020_dialect.fault_help);
	if (sim7000_dialect.option_help)
		fprintf(f, "\nsim7000 options:\n%s", sim7000_dialect.option_help);
	if (sim7020_dialect.option_help)
		fprintf(f, "\nsim7020 options:\n%s", sim7020_dialect.option_help);
}

static long opt_num(const char *opt, const char *v, long max)
{
	long n = sim_number(v, max);

	if (n < 0)
		die("%s: '%s' is not a number in 0..%ld", opt, v, max);
	return n;
}

static void opt_ip(const char *opt, const char *v, struct in_addr *a)
{
	if (inet_pton(AF_INET, v, a) != 1)
		die("%s: '%s' is not an IPv4 address", opt, v);
}

enum {
	O_MODEL = 256, O_TTY, O_PTY, O_BAUD, O_ECHO, O_AUTOBAUD, O_RDY,
	O_PROMPT_BARE, O_ECHO_DATA, O_IP, O_IP2, O_HOSTS, O_RTT, O_BW,
	O_RXBUF, O_ATTACH, O_CONNTMO, O_DNS, O_COMPACT, O_NOISE,
	O_SHUTDEACT, O_CPIN, O_RESTART, O_MODELNAME, O_REV, O_CSQ, O_OPER,
	O_CSQNOPLUS,
	O_CONTROL, O_SCRIPT, O_TRANSCRIPT,
};

static const struct option long_opts[] = {
	{ "model", required_argument, 0, O_MODEL },
	{ "tty", required_argument, 0, O_TTY },
	{ "pty", required_argument, 0, O_PTY },
	{ "baud", required_argument, 0, O_BAUD },
	{ "echo", required_argument, 0, O_ECHO },
	{ "autobaud", required_argument, 0, O_AUTOBAUD },
	{ "rdy", no_argument, 0, O_RDY },
	{ "prompt-bare", no_argument, 0, O_PROMPT_BARE },
	{ "echo-data", no_argument, 0, O_ECHO_DATA },
	{ "ip", required_argument, 0, O_IP },
	{ "ip2", required_argument, 0, O_IP2 },
	{ "hosts", required_argument, 0, O_HOSTS },
	{ "rtt", required_argument, 0, O_RTT },
	{ "bandwidth", required_argument, 0, O_BW },
	{ "rx-buffer", required_argument, 0, O_RXBUF },
	{ "attach-ms", required_argument, 0, O_ATTACH },
	{ "connect-timeout", required_argument, 0, O_CONNTMO },
	{ "dns-ms", required_argument, 0, O_DNS },
	{ "compact", no_argument, 0, O_COMPACT },
	{ "urc-noise", no_argument, 0, O_NOISE },
	{ "shut-pdp-deact", no_argument, 0, O_SHUTDEACT },
	{ "cpin-notready", no_argument, 0, O_CPIN },
	{ "restart-ms", required_argument, 0, O_RESTART },
	{ "model-name", required_argument, 0, O_MODELNAME },
	{ "revision", required_argument, 0, O_REV },
	{ "csq", required_argument, 0, O_CSQ },
	{ "csq-noplus", no_argument, 0, O_CSQNOPLUS },
	{ "operator", required_argument, 0, O_OPER },
	{ "control", required_argument, 0, O_CONTROL },
	{ "script", required_argument, 0, O_SCRIPT },
	{ "transcript", required_argument, 0, O_TRANSCRIPT },
	{ "verbose", no_argument, 0, 'v' },
	{ "help", no_argument, 0, 'h' },
	{ 0, 0, 0, 0 }
};

/*
 * An option the core does not know goes to the dialect named by --model
 * (looked up first, since it may come later on the command line).
 */
static bool dialect_option(int argc, char **argv)
{
	const struct sim_dialect *d = NULL;
	char name[64], err[256] = "", *eq;
	const char *arg = argv[optind - 1], *val = NULL;
	int i, r;

	for (i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "--model"))
			d = !strcmp(argv[i + 1], "sim7020") ? &sim7020_dialect :
			    !strcmp(argv[i + 1], "sim7000") ? &sim7000_dialect :
			    NULL;
	if (!d || !d->option || strncmp(arg, "--", 2))
		return false;
	snprintf(name, sizeof(name), "%s", arg + 2);
	eq = strchr(name, '=');
	if (eq) {
		*eq = 0;
		val = strchr(arg, '=') + 1;
	}
	r = d->option(name, val, err, sizeof(err));
	if (r == 2 && !val) {
		if (optind >= argc)
			die("option %s needs an argument (see --help)", arg);
		val = argv[optind++];
		r = d->option(name, val, err, sizeof(err));
	}
	if (r < 0)
		die("%s: %s", arg, err[0] ? err : "bad value");
	return r == 0;
}

static const char *parse_args(struct sim *s, int argc, char **argv)
{
	struct sim_config *cfg = &s->cfg;
	struct sim_core *c = s->core;
	const char *script = NULL, *transcript_path = NULL;
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, ":hv", long_opts, NULL)) != -1) {
		switch (o) {
		case 'h': usage(stdout); exit(0);
		case 'v': cfg->verbose++; break;
		case O_MODEL: cfg->model = optarg; break;
		case O_TTY:
		case O_PTY:
			if (c->dev)
				die("give only one of --tty and --pty");
			c->dev = optarg;
			c->pty = o == O_PTY;
			break;
		case O_BAUD: cfg->baud = opt_num("--baud", optarg, 4000000); break;
		case O_ECHO:
			if (!strcmp(optarg, "on"))
				cfg->echo = true;
			else if (!strcmp(optarg, "off"))
				cfg->echo = false;
			else
				die("--echo: expected on or off, got '%s'", optarg);
			break;
		case O_AUTOBAUD: cfg->autobaud = opt_num("--autobaud", optarg, 100); break;
		case O_RDY: cfg->rdy = true; break;
		case O_PROMPT_BARE: cfg->prompt_bare = true; break;
		case O_ECHO_DATA: cfg->echo_data = true; break;
		case O_IP: opt_ip("--ip", optarg, &cfg->ip[0]); break;
		case O_IP2: opt_ip("--ip2", optarg, &cfg->ip[1]); break;
		case O_HOSTS:
			if (access(optarg, R_OK))
				die("--hosts %s: %s", optarg, strerror(errno));
			cfg->hosts = optarg;
			break;
		case O_RTT: cfg->rtt_ms = opt_num("--rtt", optarg, 600000); break;
		case O_BW: cfg->bandwidth = opt_num("--bandwidth", optarg, 1L << 40); break;
		case O_RXBUF: cfg->rxbuf = opt_num("--rx-buffer", optarg, 1 << 24);
			if (cfg->rxbuf < 64)
				die("--rx-buffer: at least 64");
			break;
		case O_ATTACH: cfg->attach_ms = opt_num("--attach-ms", optarg, 600000); break;
		case O_CONNTMO: cfg->connect_timeout_ms = opt_num("--connect-timeout", optarg, 600000); break;
		case O_DNS: cfg->dns_ms = opt_num("--dns-ms", optarg, 600000); break;
		case O_COMPACT: cfg->compact = true; break;
		case O_NOISE: cfg->urc_noise = true; break;
		case O_SHUTDEACT: cfg->shut_pdp_deact = true; break;
		case O_CPIN: cfg->cpin_notready = true; break;
		case O_RESTART: cfg->restart_ms = opt_num("--restart-ms", optarg, 600000); break;
		case O_MODELNAME: cfg->model_name = optarg; break;
		case O_REV: cfg->revision = optarg; break;
		case O_CSQ: cfg->csq = opt_num("--csq", optarg, 99); break;
		case O_CSQNOPLUS: cfg->csq_noplus = true; break;
		case O_OPER: cfg->operator_name = optarg; break;
		case O_CONTROL: c->control_path = optarg; break;
		case O_SCRIPT: script = optarg; break;
		case O_TRANSCRIPT: transcript_path = optarg; break;
		case ':':
			die("option %s needs an argument (see --help)", argv[optind - 1]);
		default:
			if (!dialect_option(argc, argv))
				die("unknown option '%s' (see --help)", argv[optind - 1]);
			break;
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);
	if (!cfg->model)
		die("--model sim7000|sim7020 is required (see --help)");
	if (!strcmp(cfg->model, "sim7000"))
		s->d = &sim7000_dialect;
	else if (!strcmp(cfg->model, "sim7020"))
		s->d = &sim7020_dialect;
	else
		die("--model: unknown model '%s' (sim7000 or sim7020)", cfg->model);
	if (!c->dev)
		die("one of --tty DEV or --pty LINK is required (see --help)");
	if (transcript_path) {
		c->transcript = fopen(transcript_path, "w");
		if (!c->transcript)
			die("--transcript %s: %s", transcript_path, strerror(errno));
	}
	return script;
}

/* ------------------------------------------------------------- main */

static void on_signal(int sig)
{
	got_signal = sig;
}

static int next_timeout_ms(struct sim *s)
{
	struct sim_core *c = s->core;
	uint64_t due = UINT64_MAX;

	if (c->timers)
		due = c->timers->due_us;
	if (c->tty_quiet_us > c->now_us && c->tty_quiet_us < due)
		due = c->tty_quiet_us;
	if (c->hold) {
		/* Only what came before it, until hold_end's timer. */
		if (c->hold_keep && !s->cfg.baud)
			due = c->now_us;
		else if (c->hold_keep && c->out_t_us + byte_us(s) < due)
			due = c->out_t_us + byte_us(s);
	} else if (s->cfg.baud) {
		if (c->out.len && c->fd >= 0 && c->out_t_us + byte_us(s) < due)
			due = c->out_t_us + byte_us(s);
		if (c->in.len && c->in_t_us + byte_us(s) < due)
			due = c->in_t_us + byte_us(s);
	} else if (c->in.len) {
		due = c->now_us;
	}
	if (due == UINT64_MAX)
		return -1;
	if (due <= c->now_us)
		return 0;
	return (due - c->now_us + 999) / 1000;
}

int main(int argc, char **argv)
{
	static struct sim_core core;
	static struct sim sim;
	struct sim *s = &sim;
	struct sim_core *c = &core;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *script;
	sigset_t block, waitmask;
	int i;

	s->core = c;
	c->fd = c->slave_fd = c->ctl_fd = -1;
	c->cme_next = -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
	s->cfg.echo = true;
	inet_pton(AF_INET, "192.0.2.100", &s->cfg.ip[0]);
	inet_pton(AF_INET, "192.0.2.101", &s->cfg.ip[1]);
	s->cfg.rxbuf = 8192;
	s->cfg.attach_ms = 100;
	s->cfg.connect_timeout_ms = 75000;
	s->cfg.dns_ms = 50;
	s->cfg.restart_ms = 200;
	s->cfg.csq = 20;
	s->cfg.operator_name = "Test Operator";

	c->now_us = c->start_us = mono_us();
	c->last_in_us = c->now_us;
	script = parse_args(s, argc, argv);
	srand(getpid());

	/*
	 * Signals stay blocked except inside ppoll(), so a SIGTERM between
	 * the loop test and the wait cannot be lost.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	tty_open(s);
	if (c->control_path)
		ctl_open(s);
	if (script)
		script_load(s, script);
	s->echo = s->cfg.echo;
	c->autobaud_left = s->cfg.autobaud;
	if (s->d->init)
		s->d->init(s);
	sim_log(s, "running %s on %s", s->d->name, c->dev);

	while (!got_signal && !c->quit) {
		struct pollfd pfd[3 + MAX_CLIENTS + c->nwatches];
		int idx_ctl = -1, idx_cl[MAX_CLIENTS], n = 0, idx_w, idx_tty, r;
		size_t nw;

		c->now_us = mono_us();
		timers_run(s);
		in_process(s);
		out_flush(s);
		watches_compact(c);

		idx_tty = -1;
		if (c->fd >= 0) {
			idx_tty = n;
			pfd[n].fd = c->fd;
			pfd[n].events = 0;
			if (c->in.len < INQ_MAX && c->now_us >= c->tty_quiet_us)
				pfd[n].events |= POLLIN;
			if (c->out.len && (!c->hold || c->hold_keep) &&
			    (!s->cfg.baud ||
			     c->out_t_us + byte_us(s) <= mono_us()))
				pfd[n].events |= POLLOUT;
			/* Nothing wanted: leave it out, a hangup would spin. */
			if (pfd[n].events)
				n++;
			else
				idx_tty = -1;
		}
		if (c->ctl_fd >= 0) {
			idx_ctl = n;
			pfd[n++] = (struct pollfd){ .fd = c->ctl_fd, .events = POLLIN };
		}
		for (i = 0; i < MAX_CLIENTS; i++) {
			idx_cl[i] = -1;
			if (c->clients[i].fd >= 0) {
				idx_cl[i] = n;
				pfd[n++] = (struct pollfd){ .fd = c->clients[i].fd,
							    .events = POLLIN };
			}
		}
		idx_w = n;
		nw = c->nwatches;
		for (i = 0; i < (int)nw; i++)
			pfd[n++] = (struct pollfd){ .fd = c->watches[i].fd,
						    .events = c->watches[i].events };

		{
			int ms = next_timeout_ms(s);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

			r = ppoll(pfd, n, ms < 0 ? NULL : &ts, &waitmask);
		}
		c->now_us = mono_us();
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (idx_tty >= 0 && c->fd == pfd[idx_tty].fd) {
			if (pfd[idx_tty].revents & (POLLIN | POLLHUP | POLLERR))
				tty_read(s);
			if (pfd[idx_tty].revents & POLLOUT)
				out_flush(s);
		}
		if (idx_ctl >= 0 && (pfd[idx_ctl].revents & POLLIN))
			ctl_accept(s);
		for (i = 0; i < MAX_CLIENTS; i++)
			if (idx_cl[i] >= 0 && pfd[idx_cl[i]].revents &&
			    c->clients[i].fd == pfd[idx_cl[i]].fd)
				ctl_read(s, &c->clients[i]);
		for (i = 0; i < (int)nw; i++) {
			struct watch *w = &c->watches[i];
			short re = pfd[idx_w + i].revents;

			/* A callback may have deleted or replaced this fd. */
			if (!re || w->dead || w->fd != pfd[idx_w + i].fd)
				continue;
			w->fn(s, w->fd, re, w->arg);
		}
	}

	if (c->control_path)
		unlink(c->control_path);
	if (c->pty)
		unlink(c->dev);
	if (c->transcript)
		fclose(c->transcript);
	return 0;
}
