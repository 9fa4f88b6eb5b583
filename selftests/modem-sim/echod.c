// SPDX-License-Identifier: GPL-2.0
/*
 * echod: TCP/UDP echo, sink and source servers for the simulated internet.
 *
 *   echod [--bind ADDR] [--tcp PORT]... [--udp PORT]... [--sink PORT]...
 *         [--source PORT:NBYTES]... [--log FILE] [--daemon] [--pidfile F]
 *
 * tcp     echoes every byte back on the same connection
 * udp     echoes every datagram back to its sender
 * sink    TCP: reads everything; on close prints
 *         "sink PORT from IP:PORT bytes N crc32 XXXXXXXX"
 * source  TCP: sends NBYTES of the pattern byte[i] = i % 251, then closes
 *         (the pattern does not repeat on 256-byte boundaries, so
 *         reordering or loss shows up in a crc)
 *
 * Runs in the foreground unless --daemon; exits cleanly on SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define MAX_FDS 256

enum kind { L_TCP, L_UDP, L_SINK, L_SOURCE, C_ECHO, C_SINK, C_SOURCE };

struct ent {
	int fd;
	enum kind kind;
	int port;		/* listening port this belongs to */
	uint64_t count;		/* sink: bytes; source: bytes left to send */
	uint64_t total;		/* source: total */
	uint32_t crc;
	char peer[32];
	/* echo: bytes read but not yet written back */
	unsigned char *pend;
	size_t plen;
};

static struct ent ents[MAX_FDS];
static int nents;
static volatile sig_atomic_t stop;
static FILE *logf;

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		int k;

		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320U & -(crc & 1));
	}
	return ~crc;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("echod: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(logf, fmt, ap);
	va_end(ap);
	fputc('\n', logf);
	fflush(logf);
}

static struct ent *add(int fd, enum kind kind, int port)
{
	struct ent *e;

	if (nents == MAX_FDS) {
		close(fd);
		return NULL;
	}
	e = &ents[nents++];
	memset(e, 0, sizeof(*e));
	e->fd = fd;
	e->kind = kind;
	e->port = port;
	return e;
}

static void del(struct ent *e)
{
	close(e->fd);
	free(e->pend);
	*e = ents[--nents];
}

static int listen_on(const char *addr, int port, int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, one = 1;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		die("--bind: '%s' is not an IPv4 address", addr);
	fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("bind %s:%d: %s", addr, port, strerror(errno));
	if (type == SOCK_STREAM && listen(fd, 64))
		die("listen %s:%d: %s", addr, port, strerror(errno));
	return fd;
}

static int parse_port(const char *opt, const char *v)
{
	char *end;
	long p = strtol(v, &end, 10);

	if (!*v || (*end && *end != ':') || p <= 0 || p > 65535)
		die("%s: bad port '%s'", opt, v);
	return p;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("Usage: echod [--bind ADDR] [--tcp PORT]... [--udp PORT]...\n"
	      "             [--sink PORT]... [--source PORT:NBYTES]...\n"
	      "             [--log FILE] [--daemon] [--pidfile FILE]\n"
	      "  --bind ADDR      address to listen on (default 0.0.0.0; alias --addr)\n"
	      "  --tcp PORT       TCP echo\n"
	      "  --udp PORT       UDP echo (datagram back to its sender)\n"
	      "  --sink PORT      TCP sink: on close logs\n"
	      "                   \"sink PORT from IP:PORT bytes N crc32 XXXXXXXX\"\n"
	      "  --source P:N     TCP source: sends N bytes (byte i = i %% 251), closes\n"
	      "  --log FILE       log here instead of stdout\n"
	      "  --daemon         detach into the background\n"
	      "  --pidfile FILE   write the pid (after daemonizing)\n"
	      "Exits cleanly on SIGTERM/SIGINT.\n", f);
}

static void accept_one(struct ent *l)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = accept4(l->fd, (struct sockaddr *)&sa, &sl,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);
	enum kind k = l->kind == L_TCP ? C_ECHO :
		      l->kind == L_SINK ? C_SINK : C_SOURCE;
	uint64_t total = l->total;
	int port = l->port;
	struct ent *e;

	if (fd < 0)
		return;
	e = add(fd, k, port);	/* may move *l: copied what we need above */
	if (!e)
		return;
	snprintf(e->peer, sizeof(e->peer), "%s:%d", inet_ntoa(sa.sin_addr),
		 ntohs(sa.sin_port));
	if (k == C_SOURCE) {
		e->count = total;
		e->total = total;
	}
}

/* Returns false when the entry was deleted. */
static bool handle(struct ent *e, short re)
{
	unsigned char buf[65536];
	ssize_t n;

	switch (e->kind) {
	case L_TCP:
	case L_SINK:
	case L_SOURCE:
		accept_one(e);
		return true;
	case L_UDP: {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);

		n = recvfrom(e->fd, buf, sizeof(buf), 0, (struct sockaddr *)&sa, &sl);
		if (n >= 0)
			sendto(e->fd, buf, n, 0, (struct sockaddr *)&sa, sl);
		return true;
	}
	case C_ECHO:
		if (e->plen && (re & POLLOUT)) {
			n = write(e->fd, e->pend, e->plen);
			if (n > 0) {
				memmove(e->pend, e->pend + n, e->plen - n);
				e->plen -= n;
			}
		}
		if ((re & (POLLIN | POLLHUP | POLLERR)) && e->plen < sizeof(buf)) {
			n = read(e->fd, buf, sizeof(buf) - e->plen);
			if (n == 0 || (n < 0 && errno != EAGAIN)) {
				del(e);
				return false;
			}
			if (n > 0) {
				e->pend = realloc(e->pend, e->plen + n);
				memcpy(e->pend + e->plen, buf, n);
				e->plen += n;
			}
		}
		return true;
	case C_SINK:
		n = read(e->fd, buf, sizeof(buf));
		if (n > 0) {
			e->count += n;
			e->crc = crc32_update(e->crc, buf, n);
			return true;
		}
		if (n < 0 && errno == EAGAIN)
			return true;
		logmsg("sink %d from %s bytes %llu crc32 %08x", e->port, e->peer,
		       (unsigned long long)e->count, e->crc);
		del(e);
		return false;
	case C_SOURCE: {
		size_t len = e->count < sizeof(buf) ? e->count : sizeof(buf);
		uint64_t off = e->total - e->count;
		size_t i;

		if (re & (POLLHUP | POLLERR)) {
			del(e);
			return false;
		}
		for (i = 0; i < len; i++)
			buf[i] = (off + i) % 251;
		n = write(e->fd, buf, len);
		if (n > 0)
			e->count -= n;
		if (e->count == 0 || (n < 0 && errno != EAGAIN)) {
			logmsg("source %d to %s bytes %llu", e->port, e->peer,
			       (unsigned long long)(e->total - e->count));
			del(e);
			return false;
		}
		return true;
	}
	}
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bind", required_argument, 0, 'b' },
		{ "addr", required_argument, 0, 'b' },
		{ "tcp", required_argument, 0, 't' },
		{ "udp", required_argument, 0, 'u' },
		{ "sink", required_argument, 0, 's' },
		{ "source", required_argument, 0, 'S' },
		{ "log", required_argument, 0, 'l' },
		{ "daemon", no_argument, 0, 'd' },
		{ "pidfile", required_argument, 0, 'p' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	struct { int kind; int port; uint64_t n; } want[64];
	int nwant = 0, o, i;
	const char *addr = "0.0.0.0", *logpath = NULL, *pidfile = NULL;
	bool daemonize = false;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, waitmask;

	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (nwant == 64)
			die("too many ports");
		switch (o) {
		case 'b': addr = optarg; break;
		case 't': want[nwant++] = (typeof(want[0])){ L_TCP, parse_port("--tcp", optarg), 0 }; break;
		case 'u': want[nwant++] = (typeof(want[0])){ L_UDP, parse_port("--udp", optarg), 0 }; break;
		case 's': want[nwant++] = (typeof(want[0])){ L_SINK, parse_port("--sink", optarg), 0 }; break;
		case 'S': {
			char *c = strchr(optarg, ':'), *end;
			unsigned long long n;

			if (!c)
				die("--source: expected PORT:NBYTES, got '%s'", optarg);
			n = strtoull(c + 1, &end, 10);
			if (!c[1] || *end)
				die("--source: bad byte count '%s'", c + 1);
			want[nwant++] = (typeof(want[0])){ L_SOURCE, parse_port("--source", optarg), n };
			break;
		}
		case 'l': logpath = optarg; break;
		case 'd': daemonize = true; break;
		case 'p': pidfile = optarg; break;
		case 'h': usage(stdout); return 0;
		case ':': die("option %s needs an argument (see --help)", argv[optind - 1]);
		default: die("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);
	if (!nwant)
		die("nothing to serve: give --tcp, --udp, --sink or --source");
	logf = stdout;
	if (logpath && !(logf = fopen(logpath, "a")))
		die("--log %s: %s", logpath, strerror(errno));

	for (i = 0; i < nwant; i++) {
		int type = want[i].kind == L_UDP ? SOCK_DGRAM : SOCK_STREAM;
		struct ent *e = add(listen_on(addr, want[i].port, type),
				    want[i].kind, want[i].port);

		e->total = want[i].n;
	}
	if (daemonize && daemon(0, logpath ? 0 : 1))
		die("daemon: %s", strerror(errno));
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f)
			die("--pidfile %s: %s", pidfile, strerror(errno));
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	/* Blocked except inside ppoll(): a SIGTERM is never lost. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	while (!stop) {
		struct pollfd pfd[MAX_FDS];
		int fds[MAX_FDS], n = nents;

		for (i = 0; i < n; i++) {
			pfd[i].fd = fds[i] = ents[i].fd;
			pfd[i].events = POLLIN;
			if (ents[i].kind == C_ECHO && ents[i].plen)
				pfd[i].events |= POLLOUT;
			if (ents[i].kind == C_ECHO && ents[i].plen >= 65536)
				pfd[i].events &= ~POLLIN;	/* backpressure */
			if (ents[i].kind == C_SOURCE)
				pfd[i].events = POLLOUT;
		}
		if (ppoll(pfd, n, NULL, &waitmask) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (i = 0; i < n; i++) {
			int j;

			if (!pfd[i].revents)
				continue;
			/* Entries move when one is deleted: find by fd. */
			for (j = 0; j < nents && ents[j].fd != fds[i]; j++)
				;
			if (j < nents)
				handle(&ents[j], pfd[i].revents);
		}
	}
	if (pidfile)
		unlink(pidfile);
	return 0;
}
