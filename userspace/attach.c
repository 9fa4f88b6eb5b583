// SPDX-License-Identifier: GPL-2.0
/*
 * "atnet attach": put the line discipline on a tty and stay around.
 *
 * The kernel does the modem work; this process only has to keep the tty
 * open (closing it detaches) and do what the kernel leaves to userspace:
 * addresses and routes. It daemonizes *before* TIOCSETD so that the pid
 * the kernel records as the owner is the one "atnet detach" can signal; a
 * pipe carries "ready" back to the original process, which exits only then,
 * so scripts can use the interface as soon as attach returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <syslog.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/atnet.h>

#include "attach.h"
#include "commands.h"
#include "genl.h"
#include "modem.h"
#include "names.h"
#include "rtnl.h"
#include "tty.h"
#include "util.h"

#define POLL_MS		100
#define HANGUP_CHECK_MS	2000
#define KEEP_UP_MIN_MS	2000
#define KEEP_UP_MAX_MS	60000

struct attached {
	const struct attach_opts *o;
	char tty[64];		/* the kernel's name for it */
	int fd;
	int ldisc;
	struct genl req;	/* requests */
	struct genl ev;		/* the events group, nothing else */
	struct nl rt;
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t ifindexes[MODEM_MAX_CTX];	/* of our contexts, for events */
	struct {
		uint32_t ifindex;
		uint32_t addr;
	} assigned[MODEM_MAX_CTX];		/* by context id */
	uint64_t retry_at;	/* --keep-up: when to ask again (ms), 0 = no */
	uint32_t backoff_ms;
	bool daemon;
	bool resync;		/* an event says our contexts changed */
	bool gone;		/* the modem went away */
	bool lost;		/* our context failed (for --wait) */
	char lost_reason[128];
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/*
 * The daemon logs to syslog; before that (and with --foreground) news go
 * to stdout and only problems to stderr.
 */
static void logmsg(const struct attached *a, int prio, const char *fmt, ...)
	PRINTF(3, 4);
static void logmsg(const struct attached *a, int prio, const char *fmt, ...)
{
	FILE *f = prio <= LOG_WARNING ? stderr : stdout;
	va_list ap;

	va_start(ap, fmt);
	if (a->daemon) {
		vsyslog(prio, fmt, ap);
	} else {
		fprintf(f, "atnet: %s: ", a->tty);
		vfprintf(f, fmt, ap);
		fputc('\n', f);
		fflush(f);
	}
	va_end(ap);
}

/* ---- addresses and routes ---------------------------------------------- */

static void ctx_release(struct attached *a, unsigned int id)
{
	uint32_t ifindex = a->assigned[id].ifindex, addr = a->assigned[id].addr;
	unsigned int i;
	int err;

	if (!addr)
		return;
	a->assigned[id].addr = 0;
	for (i = 0; i < a->o->nroutes; i++)
		rtnl_route(&a->rt, false, ifindex, a->o->routes[i].dst,
			   a->o->routes[i].plen);
	err = rtnl_addr(&a->rt, false, ifindex, addr);
	/* gone with its interface is as good as removed */
	if (err && err != -ENODEV && err != -EADDRNOTAVAIL)
		logmsg(a, LOG_WARNING, "removing %s from %s: %s", ip_str(addr),
		       if_str(ifindex), strerror(-err));
	else
		logmsg(a, LOG_INFO, "context %u down: removed %s", id, ip_str(addr));
}

static void ctx_assign(struct attached *a, unsigned int id, uint32_t ifindex,
		       uint32_t addr)
{
	unsigned int i;
	int err;

	if (a->assigned[id].addr == addr && a->assigned[id].ifindex == ifindex)
		return;
	ctx_release(a, id);
	err = rtnl_addr(&a->rt, true, ifindex, addr);
	if (err) {
		logmsg(a, LOG_ERR, "adding %s/32 to %s: %s%s%s", ip_str(addr),
		       if_str(ifindex), strerror(-err), a->rt.ext[0] ? ": " : "",
		       a->rt.ext);
		return;
	}
	a->assigned[id].ifindex = ifindex;
	a->assigned[id].addr = addr;
	logmsg(a, LOG_INFO, "context %u up: %s/32 on %s", id, ip_str(addr),
	       if_str(ifindex));
	/*
	 * CONTEXT_UP does not set IFF_UP, and the kernel refuses routes through
	 * a down interface. Setting it only repeats the wish for this context.
	 */
	if (a->o->nroutes) {
		err = rtnl_link_up(&a->rt, ifindex);
		if (err)
			logmsg(a, LOG_ERR, "setting %s up: %s", if_str(ifindex),
			       strerror(-err));
	}
	for (i = 0; i < a->o->nroutes; i++) {
		const struct attach_route *r = &a->o->routes[i];

		err = rtnl_route(&a->rt, true, ifindex, r->dst, r->plen);
		if (err)
			logmsg(a, LOG_ERR, "route %s/%u dev %s: %s%s%s",
			       ip_str(r->dst), r->plen, if_str(ifindex),
			       strerror(-err), a->rt.ext[0] ? ": " : "", a->rt.ext);
	}
}

/*
 * --keep-up: a context that is down on a ready modem (lost, or the modem
 * restarted) is asked up again, backing off while it keeps failing.
 */
static void keep_up(struct attached *a, const struct modem *m)
{
	unsigned int i;

	if (!a->o->keep_up)
		return;
	for (i = 0; i < m->nctx; i++) {
		if (m->ctx[i].id != a->o->context)
			continue;
		if (m->ctx[i].state == ATNET_CTX_UP) {
			a->backoff_ms = KEEP_UP_MIN_MS;
			a->retry_at = 0;
		} else if (m->ctx[i].state == ATNET_CTX_DOWN &&
			   m->state == ATNET_MODEM_READY && !a->retry_at) {
			a->retry_at = now_ms() + a->backoff_ms;
			logmsg(a, LOG_INFO, "context %u down: up again in %u ms",
			       a->o->context, a->backoff_ms);
			a->backoff_ms = a->backoff_ms * 2 > KEEP_UP_MAX_MS ?
					KEEP_UP_MAX_MS : a->backoff_ms * 2;
		}
	}
}

static int context_up(struct attached *a);

/*
 * Make the interfaces match the kernel's view of the contexts. Working
 * from state instead of from single events means a lost event (ENOBUFS)
 * or one that raced with our start costs nothing.
 */
static void resync(struct attached *a)
{
	struct modem m;
	unsigned int i;
	bool seen[MODEM_MAX_CTX] = { false };
	int err;

	a->resync = false;
	err = modem_get(&a->req, a->ifindex, &m);
	if (err == -ENODEV || err == -ENOENT || (!err && m.state == ATNET_MODEM_GONE)) {
		a->gone = true;
		return;
	}
	if (err) {
		logmsg(a, LOG_WARNING, "reading modem state: %s", strerror(-err));
		return;
	}
	for (i = 0; i < m.nctx; i++) {
		const struct modem_ctx *c = &m.ctx[i];
		uint32_t ifindex = c->ifindex;

		if (c->id >= MODEM_MAX_CTX)
			continue;
		/* an older module may not say which interface: context 0's is ours */
		if (!ifindex && c->id == 0)
			ifindex = a->ifindex;
		a->ifindexes[c->id] = ifindex;
		if (!ifindex)
			continue;
		seen[c->id] = true;
		if (c->state == ATNET_CTX_UP && c->addr)
			ctx_assign(a, c->id, ifindex, c->addr);
		else
			ctx_release(a, c->id);
	}
	for (i = 0; i < MODEM_MAX_CTX; i++)
		if (!seen[i])
			ctx_release(a, i);
	keep_up(a, &m);
}

static bool ours(const struct attached *a, uint32_t ifindex)
{
	unsigned int i;

	if (ifindex == a->ifindex)
		return true;
	for (i = 0; i < MODEM_MAX_CTX; i++)
		if (a->ifindexes[i] && a->ifindexes[i] == ifindex)
			return true;
	return false;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *gh = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NL_TB_MAX + 1], *ctb[NL_TB_MAX + 1];
	struct attached *a = data;
	const char *reason;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*gh) ||
	    gh->cmd != ATNET_CMD_EVENT)
		return 0;
	genl_parse(nlh, tb);
	if (!ours(a, nl_u32(tb[ATNET_A_IFINDEX], 0)))
		return 0;
	reason = nl_str(tb[ATNET_A_REASON]);
	switch (nl_u8(tb[ATNET_A_EVENT], ATNET_EV_NONE)) {
	case ATNET_EV_MODEM_STATE:
		if (nl_u8(tb[ATNET_A_STATE], 0) == ATNET_MODEM_GONE)
			a->gone = true;
		a->resync = true;
		break;
	case ATNET_EV_CONTEXT_LOST:
		nl_parse_nested(tb[ATNET_A_CONTEXT], ctb);
		if (nl_u8(ctb[ATNET_CTX_A_ID], 0) == a->o->context) {
			a->lost = true;
			snprintf(a->lost_reason, sizeof(a->lost_reason), "%s",
				 reason ? reason : "");
		}
		a->resync = true;
		break;
	case ATNET_EV_CONTEXT_UP:
	case ATNET_EV_CONTEXT_DOWN:
	case ATNET_EV_MODEM_RESTART:
		a->resync = true;
		break;
	}
	return 0;
}

static void read_events(struct attached *a)
{
	int err = nl_recv(&a->ev.nl, event_cb, a);

	/* we missed some: the state is still right */
	if (err == -ENOBUFS)
		a->resync = true;
	else if (err && err != -EINTR && err != -EAGAIN)
		logmsg(a, LOG_WARNING, "events: %s", strerror(-err));
}

/* ---- setup ------------------------------------------------------------- */

static int find_cb(const struct modem *m, void *data)
{
	struct attached *a = data;

	if (!m->ifindex)
		return 0;
	if (strcmp(m->tty, a->tty) && m->owner_pid != (uint32_t)getpid())
		return 0;
	a->ifindex = m->ifindex;
	snprintf(a->ifname, sizeof(a->ifname), "%s",
		 m->ifname[0] ? m->ifname : if_str(m->ifindex));
	return 1;
}

/* The interface is registered as soon as the ldisc opens, probing or not. */
static int find_interface(struct attached *a, uint64_t deadline)
{
	int ret;

	for (;;) {
		ret = modem_dump(&a->req, find_cb, a);
		if (ret == 1)
			return 0;
		if (ret < 0) {
			nl_perror(&a->req.nl, ret, "attach %s: listing modems", a->tty);
			return -1;
		}
		if (now_ms() >= deadline)
			break;
		sleep_ms(POLL_MS);
	}
	errorf("attach %s: no atnet interface appeared for this tty", a->tty);
	return -1;
}

static int wait_ready(struct attached *a, uint64_t deadline)
{
	struct modem m;
	int err;

	for (;;) {
		err = modem_get(&a->req, a->ifindex, &m);
		if (err) {
			nl_perror(&a->req.nl, err, "attach %s", a->tty);
			return -1;
		}
		if (m.state == ATNET_MODEM_FAILED || m.state == ATNET_MODEM_GONE) {
			errorf("attach %s: modem %s%s%s", a->tty,
			       modem_state_name(m.state), m.reason[0] ? ": " : "",
			       m.reason);
			return -1;
		}
		if (m.state != ATNET_MODEM_PROBING)
			return 0;
		if (now_ms() >= deadline) {
			errorf("attach %s: modem still probing after %us", a->tty,
			       a->o->timeout_s);
			return -1;
		}
		sleep_ms(POLL_MS);
	}
}

static struct nlattr *put_ctx_id(struct nlmsghdr *nlh, uint32_t id)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, ATNET_A_CONTEXT);

	mnl_attr_put_u8(nlh, ATNET_CTX_A_ID, (uint8_t)id);
	return nest;
}

static int set_context(struct attached *a)
{
	static char buf[NL_BUFSIZE];
	const struct attach_opts *o = a->o;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int err;

	nlh = genl_req(&a->req, buf, ATNET_CMD_SET_CONTEXT, 0, a->ifindex);
	nest = put_ctx_id(nlh, o->context);
	mnl_attr_put_strz(nlh, ATNET_CTX_A_APN, o->apn);
	if (o->user)
		mnl_attr_put_strz(nlh, ATNET_CTX_A_USER, o->user);
	if (o->password)
		mnl_attr_put_strz(nlh, ATNET_CTX_A_PASSWORD, o->password);
	mnl_attr_nest_end(nlh, nest);
	err = nl_talk(&a->req.nl, nlh, NULL, NULL);
	if (err)
		nl_perror(&a->req.nl, err, "set %s", a->ifname);
	return err ? -1 : 0;
}

/* 0 or -errno; the caller reports (terminal or syslog). */
static int context_up(struct attached *a)
{
	static char buf[NL_BUFSIZE];
	struct nlmsghdr *nlh;

	nlh = genl_req(&a->req, buf, ATNET_CMD_CONTEXT_UP, 0, a->ifindex);
	mnl_attr_nest_end(nlh, put_ctx_id(nlh, a->o->context));
	return nl_talk(&a->req.nl, nlh, NULL, NULL);
}

/* --wait: until our context is up with its address, or lost. */
static int wait_up(struct attached *a, uint64_t deadline)
{
	struct pollfd p = { .fd = nl_fd(&a->ev.nl), .events = POLLIN };
	unsigned int id = a->o->context;

	for (;;) {
		if (poll(&p, 1, POLL_MS) > 0)
			read_events(a);
		resync(a);
		if (id < MODEM_MAX_CTX && a->assigned[id].addr)
			return 0;
		if (a->gone || a->lost) {
			errorf("attach %s: context %u %s%s%s", a->tty, id,
			       a->gone ? "gone" : "lost",
			       a->lost_reason[0] ? ": " : "", a->lost_reason);
			return -1;
		}
		if (now_ms() >= deadline) {
			errorf("attach %s: context %u not up after %us", a->tty,
			       id, a->o->timeout_s);
			return -1;
		}
	}
}

static int setup(struct attached *a)
{
	const struct attach_opts *o = a->o;
	uint64_t deadline;
	int err;

	if (tty_kernel_name(o->tty, a->tty, sizeof(a->tty))) {
		errorf("attach %s: %s", o->tty, strerror(errno));
		return -1;
	}
	a->fd = tty_open(o->tty);
	if (a->fd < 0 || tty_setup(a->fd, o->tty, o->baud, o->rtscts))
		return -1;
	/* the family first: without the module there is no ldisc to ask for */
	if (genl_open(&a->req))
		return -1;
	/* subscribe before anything can happen, so no event is missed */
	if (genl_open(&a->ev) || genl_join_events(&a->ev))
		return -1;
	err = nl_open(&a->rt, NETLINK_ROUTE);
	if (err) {
		nl_perror(NULL, err, "rtnetlink socket");
		return -1;
	}
	a->ldisc = o->ldisc >= 0 ? o->ldisc : tty_atnet_ldisc();
	if (ioctl(a->fd, TIOCSETD, &a->ldisc) < 0) {
		err = errno;
		errorf("attach %s: line discipline %d: %s%s", a->tty, a->ldisc,
		       strerror(err),
		       err == EINVAL ? " (not registered: is the module loaded?)" : "");
		a->ldisc = -1;
		return -1;
	}
	deadline = now_ms() + o->timeout_s * 1000ull;
	if (find_interface(a, deadline))
		return -1;
	if (o->apn && set_context(a))
		return -1;
	/* contexts come up only once the modem is registered */
	if (o->up && wait_ready(a, deadline))
		return -1;
	if (o->up && (err = context_up(a))) {
		nl_perror(&a->req.nl, err, "up %s", a->ifname);
		return -1;
	}
	if (o->wait && wait_up(a, deadline))
		return -1;
	printf("atnet: %s attached as %s\n", a->tty, a->ifname);
	fflush(stdout);
	return 0;
}

static void teardown(struct attached *a)
{
	int n_tty = N_TTY;
	unsigned int i;

	for (i = 0; i < MODEM_MAX_CTX; i++)
		ctx_release(a, i);
	/* hung up: the kernel has detached already and this fails harmlessly */
	if (a->ldisc >= 0)
		ioctl(a->fd, TIOCSETD, &n_tty);
	if (a->fd >= 0)
		close(a->fd);
	genl_close(&a->req);
	genl_close(&a->ev);
	nl_close(&a->rt);
}

/* ---- the daemon -------------------------------------------------------- */

/*
 * A hung-up tty fails every ioctl with EIO. Asked periodically because
 * poll() only wakes us for a hangup if the ldisc implements poll.
 */
static bool tty_gone(struct attached *a)
{
	int ldisc;

	if (ioctl(a->fd, TIOCGETD, &ldisc) < 0) {
		logmsg(a, LOG_NOTICE, "tty hung up");
		return true;
	}
	if (ldisc != a->ldisc) {
		logmsg(a, LOG_NOTICE, "line discipline changed to %d", ldisc);
		a->ldisc = -1;	/* not ours to restore */
		return true;
	}
	return false;
}

static int run(struct attached *a)
{
	struct pollfd p[2] = {
		/* no events asked: a hung-up tty still reports POLLHUP/POLLERR */
		{ .fd = a->fd, .events = 0 },
		{ .fd = nl_fd(&a->ev.nl), .events = POLLIN },
	};
	struct timespec tick;
	uint64_t wait_ms;
	sigset_t empty;
	int n, err;

	sigemptyset(&empty);
	a->backoff_ms = KEEP_UP_MIN_MS;
	resync(a);
	while (!stop_signal && !a->gone) {
		wait_ms = HANGUP_CHECK_MS;
		if (a->retry_at) {
			uint64_t now = now_ms();

			if (a->retry_at <= now) {
				a->retry_at = 0;
				err = context_up(a);
				if (err)
					logmsg(a, LOG_WARNING, "up %s: %s%s%s", a->ifname,
					       strerror(-err), a->req.nl.ext[0] ? ": " : "",
					       a->req.nl.ext);
				/* the outcome arrives as an event; failure: try later */
				a->resync = true;
				wait_ms = 0;
			} else if (a->retry_at - now < wait_ms) {
				wait_ms = a->retry_at - now;
			}
		}
		tick.tv_sec = (time_t)(wait_ms / 1000);
		tick.tv_nsec = (long)(wait_ms % 1000) * 1000000;
		n = ppoll(p, 2, &tick, &empty);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			logmsg(a, LOG_ERR, "poll: %s", strerror(errno));
			return 1;
		}
		if (((p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) || !n) &&
		    tty_gone(a))
			return 1;
		/* an ldisc poll that says HUP for a live tty: rely on the tick */
		if (p[0].revents)
			p[0].fd = -1;
		if (p[1].revents & POLLIN)
			read_events(a);
		if (a->resync)
			resync(a);
	}
	if (a->gone) {
		logmsg(a, LOG_NOTICE, "modem %s gone", a->ifname);
		return 1;
	}
	logmsg(a, LOG_INFO, "detaching on signal %d", (int)stop_signal);
	return 0;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* delivered only inside ppoll(), so none slips between check and wait */
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * Double fork; returns in the daemon with the write end of the readiness
 * pipe, or exits in the original process with the daemon's verdict.
 */
static int daemonize(void)
{
	int pipefd[2];
	pid_t pid;
	char ok;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		errorf("attach: pipe: %s", strerror(errno));
		exit(1);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		errorf("attach: fork: %s", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(pipefd[1]);
		waitpid(pid, NULL, 0);
		/* EOF without a byte: the daemon failed and said why on stderr */
		exit(read(pipefd[0], &ok, 1) == 1 ? 0 : 1);
	}
	close(pipefd[0]);
	setsid();
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	return pipefd[1];
}

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	/* nothing of ours keeps a mount busy or the caller's pipe open */
	if (chdir("/") < 0 || fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

int cmd_attach(int argc, char **argv)
{
	struct attach_opts o;
	struct attached a = { .o = &o, .fd = -1, .ldisc = -1 };
	int ready = -1, ret;

	ret = attach_parse(argc, argv, &o);
	if (ret)
		return ret;
	if (!o.foreground)
		ready = daemonize();
	if (setup(&a)) {
		teardown(&a);
		return 1;
	}
	catch_signals();
	if (ready >= 0) {
		detach_stdio();
		openlog("atnet", LOG_PID, LOG_DAEMON);
		a.daemon = true;
		/* the original process exits 0 on this byte, 1 on EOF */
		ret = (int)write(ready, "", 1);
		close(ready);
		if (ret != 1)
			return 1;
	}
	ret = run(&a);
	teardown(&a);
	return ret;
}
