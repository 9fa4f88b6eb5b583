// SPDX-License-Identifier: GPL-2.0
/*
 * Requests that wait on the modem (RESOLVE, PING, LISTENER_*) under
 * concurrency and without privileges (issue 9, defects 2, 4 and 8):
 *  - the ack comes at once, the answer later to the caller's port and
 *    sequence number (uapi "Requests"), several outstanding on one socket;
 *  - an unprivileged ping never holds the modem's command slot for long:
 *    root's socket traffic goes on meanwhile, and a caller that is killed
 *    cancels its echoes;
 *  - unprivileged floods get EBUSY with a message once the bound is hit;
 *  - an interrupted listen() leaves no server the module does not know of;
 *  - an unprivileged GET shows no APN user name;
 *  - a modem restart under pending requests answers each with an error.
 *
 * "192.0.2.77" answers no ping (the simulator's unanswered address).
 */
#include <pthread.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "../lib/vmtest.h"
#include "sock_lib.h"

VM_TEST_META("sim7000 sim7020", "");

#define IFACE		"wwan0"
#define DEAD		"192.0.2.77"

FIXTURE(nla) {
	struct anl nl;
	int sim7000;
};

FIXTURE_SETUP(nla)
{
	struct anl_modem md;

	self->sim7000 = !getenv("ATNET_MODEL") ||
			!strcmp(getenv("ATNET_MODEL"), "sim7000");
	ASSERT_EQ(0, anl_open(&self->nl, 0));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 0));
}

FIXTURE_TEARDOWN(nla)
{
	anl_close(&self->nl);
}

/* Message builders. */
static void msg_resolve(struct anl *nl, struct anl_msg *m, const char *host)
{
	anl_msg_init(m, nl->family, ATNET_CMD_RESOLVE, 0);
	anl_name(m, IFACE);
	anl_put_str(m, ATNET_A_HOST, host);
}

static void msg_ping(struct anl *nl, struct anl_msg *m, const char *ip,
		     int count)
{
	struct in_addr a;

	inet_pton(AF_INET, ip, &a);
	anl_msg_init(m, nl->family, ATNET_CMD_PING, 0);
	anl_name(m, IFACE);
	anl_put(m, ATNET_A_ADDR, &a, 4);
	anl_put_u32(m, ATNET_A_PING_COUNT, count);
}

/* What an answer carried. */
struct answer {
	int cmd;
	int n_addrs;
	struct in_addr addr;
	int n_replies;		/* ping entries */
	int n_rtt;		/* of which answered */
	int lsn_state;
};

static void answer_cb(struct nlmsghdr *nlh, void *arg)
{
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), l2, l3;
	struct genlmsghdr *g = NLMSG_DATA(nlh);
	struct answer *x = arg;
	struct nlattr *a, *c, *d;

	x->cmd = g->cmd;
	anl_for_each_attr(a, (char *)g + GENL_HDRLEN, len) {
		l2 = ANL_LEN(a);
		if (ANL_TYPE(a) == ATNET_A_ADDRS) {
			anl_for_each_attr(c, ANL_DATA(a), l2)
				if (ANL_TYPE(c) == ATNET_A_ADDR &&
				    !x->n_addrs++)
					memcpy(&x->addr, ANL_DATA(c), 4);
		} else if (ANL_TYPE(a) == ATNET_A_PING_REPLIES) {
			anl_for_each_attr(c, ANL_DATA(a), l2) {
				x->n_replies++;
				l3 = ANL_LEN(c);
				anl_for_each_attr(d, ANL_DATA(c), l3)
					if (ANL_TYPE(d) == ATNET_PING_A_RTT_MS)
						x->n_rtt++;
			}
		} else if (ANL_TYPE(a) == ATNET_A_LISTENER) {
			anl_for_each_attr(c, ANL_DATA(a), l2)
				if (ANL_TYPE(c) == ATNET_LSN_A_STATE)
					x->lsn_state =
						*(unsigned char *)ANL_DATA(c);
		}
	}
}

/*
 * Outcomes of requests sent back to back on one socket, by sequence
 * number: the ack's error, then the answer's.
 */
struct outcome {
	int seq;
	int acked, ack_err;
	int answered, err;
	char msg[256];
	struct answer ans;
};

static int collect(struct anl *nl, struct outcome *o, int n, int ms)
{
	long long deadline = anl_now_ms() + ms;
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	int i, r, left, open;

	for (;;) {
		for (open = 0, i = 0; i < n; i++)
			open += !o[i].acked ||
				(!o[i].ack_err && !o[i].answered);
		if (!open)
			return 0;
		left = deadline - anl_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		r = recv(nl->fd, nl->buf, sizeof(nl->buf), MSG_DONTWAIT);
		for (nlh = (void *)nl->buf; r > 0 && NLMSG_OK(nlh, r);
		     nlh = NLMSG_NEXT(nlh, r)) {
			for (i = 0; i < n; i++)
				if (o[i].seq == (int)nlh->nlmsg_seq)
					break;
			if (i == n)
				continue;
			nl->err[0] = '\0';
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				o[i].acked = 1;
				o[i].ack_err = anl_errmsg(nl, nlh);
			} else if (nlh->nlmsg_type == nl->family) {
				o[i].answered++;
				o[i].err = anl_reply_err(nl, nlh);
				answer_cb(nlh, &o[i].ans);
			}
			if (nl->err[0])
				snprintf(o[i].msg, sizeof(o[i].msg), "%s",
					 nl->err);
		}
	}
}

/*
 * After collect(): read @ms more, counting answers that come again (a
 * second answer to one request would break "exactly one answer").
 */
static void collect_more(struct anl *nl, struct outcome *o, int n, int ms)
{
	long long deadline = anl_now_ms() + ms;
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	int i, r, left;

	while ((left = deadline - anl_now_ms()) > 0) {
		if (poll(&pfd, 1, left) <= 0)
			continue;
		r = recv(nl->fd, nl->buf, sizeof(nl->buf), MSG_DONTWAIT);
		for (nlh = (void *)nl->buf; r > 0 && NLMSG_OK(nlh, r);
		     nlh = NLMSG_NEXT(nlh, r))
			for (i = 0; i < n; i++)
				if (o[i].seq == (int)nlh->nlmsg_seq)
					o[i].answered += nlh->nlmsg_type ==
							 nl->family;
	}
}

/* Requests in one sendmsg(): the module sees them back to back. */
static int send_batch(struct anl *nl, struct anl_msg *m, struct outcome *o,
		      int n)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static char buf[16384];
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		m[i].nlh->nlmsg_seq = ++nl->seq;
		memset(&o[i], 0, sizeof(o[i]));
		o[i].seq = nl->seq;
		memcpy(buf + len, m[i].buf, m[i].nlh->nlmsg_len);
		len += NLMSG_ALIGN(m[i].nlh->nlmsg_len);
	}
	return sendto(nl->fd, buf, len, 0, (void *)&sa, sizeof(sa)) < 0 ?
	       -errno : 0;
}

/* A TCP echo round trip as root; its time in ms, or -errno. */
static long long echo_round_trip(int ms)
{
	long long t0 = now_ms();
	char buf[8];
	int fd;

	fd = socket(atnet_af(), SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_timeo(fd, SO_SNDTIMEO, ms);
	{
		struct sockaddr_atnet a = sat_of(SRV, PORT_ECHO);

		if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			int e = -errno;

			close(fd);
			return e;
		}
	}
	if (send(fd, "ping", 4, 0) != 4 || read_full(fd, buf, 4, ms) != 4) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return now_ms() - t0;
}

static int wait_transcript(const char *what, int above, int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		if (transcript_count('>', what) > above)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/* The ack comes at once; the answer follows when the modem is done. */
TEST_F_TIMEOUT(nla, ack_at_once, 90)
{
	struct answer x = { 0 };
	long long ack_ms;
	struct anl_msg m;
	int err;

	msg_ping(&self->nl, &m, DEAD, 2);
	err = anl_ask(&self->nl, &m, answer_cb, &x, 60000, &ack_ms);
	ASSERT_EQ(0, err) {
		TH_LOG("%s", self->nl.err);
	}
	EXPECT_LE(0, ack_ms);
	EXPECT_GT(1000, ack_ms) {
		TH_LOG("PING's ack took %lld ms: the doit slept", ack_ms);
	}
	EXPECT_EQ(ATNET_CMD_PING, x.cmd);
	EXPECT_EQ(2, x.n_replies);
	EXPECT_EQ(0, x.n_rtt);

	memset(&x, 0, sizeof(x));
	msg_resolve(&self->nl, &m, "echo.atnet.test");
	ASSERT_EQ(0, anl_ask(&self->nl, &m, answer_cb, &x, 60000, &ack_ms));
	EXPECT_GT(1000, ack_ms);
	EXPECT_EQ(ATNET_CMD_RESOLVE, x.cmd);
	EXPECT_EQ(1, x.n_addrs);
	EXPECT_STREQ("192.0.2.1", inet_ntoa(x.addr));

	/* The error form, to the same sequence number. */
	msg_resolve(&self->nl, &m, "nosuch.atnet.test");
	EXPECT_EQ(-ENOENT, anl_ask(&self->nl, &m, NULL, NULL, 60000, NULL));
	EXPECT_NE(NULL, strstr(self->nl.err, "host not found")) {
		TH_LOG("message \"%s\"", self->nl.err);
	}
}

/*
 * An unprivileged ping of 100 echoes to an address that never answers:
 * root's socket traffic goes on meanwhile, and killing the caller stops
 * the echoes (the modem is free for root's ping at once).
 */
TEST_F_TIMEOUT(nla, unpriv_ping_yields_and_cancels, 120)
{
	int p[2], before, n0, n1, status;
	long long ack_ms = -1, rt;
	struct answer x = { 0 };
	struct pollfd pfd;
	struct anl_msg m;
	pid_t pid;

	before = transcript_count('>', "AT+CIPPING");
	ASSERT_EQ(0, pipe(p));
	pid = anl_fork_nobody();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct anl nl;
		long long t0;

		close(p[0]);
		if (anl_open(&nl, 0))
			_exit(11);
		msg_ping(&nl, &m, DEAD, 100);
		t0 = anl_now_ms();
		anl_send(&nl, &m);
		/* The ack, then wait to be killed. */
		if (recv(nl.fd, nl.buf, sizeof(nl.buf), 0) > 0) {
			ack_ms = anl_now_ms() - t0;
			if (write(p[1], &ack_ms, sizeof(ack_ms)) < 0)
				_exit(12);
		}
		pause();
		_exit(0);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 3000)) {
		TH_LOG("the unprivileged PING was not acknowledged in 3 s");
	}
	if (pfd.revents & POLLIN)
		EXPECT_EQ((ssize_t)sizeof(ack_ms),
			  read(p[0], &ack_ms, sizeof(ack_ms)));
	close(p[0]);
	EXPECT_GT(1000, ack_ms);
	ASSERT_EQ(0, wait_transcript("AT+CIPPING", before, 10000));

	/* Root's traffic within a bound: one echo's time, plus its own. */
	rt = echo_round_trip(20000);
	TH_LOG("root's echo round trip beside the ping: %lld ms", rt);
	EXPECT_LT(0, rt) {
		TH_LOG("root's echo failed: %s", strerror((int)-rt));
	}
	EXPECT_GT(13000, rt) {
		TH_LOG("root's echo took %lld ms", rt);
	}

	/* The caller goes away: at most the echo in flight finishes. */
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	usleep(1000000);
	n0 = transcript_count('>', "AT+CIPPING");
	msg_ping(&self->nl, &m, SRV, 1);
	EXPECT_EQ(0, anl_ask(&self->nl, &m, answer_cb, &x, 30000, NULL)) {
		TH_LOG("root's ping after the kill: %s", self->nl.err);
	}
	EXPECT_EQ(1, x.n_rtt);
	usleep(self->sim7000 ? 6000000 : 11000000);
	n1 = transcript_count('>', "AT+CIPPING");
	/* The echo in flight, root's ping; nothing after. */
	EXPECT_GE(2, n1 - n0) {
		TH_LOG("%d AT+CIPPING after the caller was killed", n1 - n0);
	}
}

/* The ack to @seq on @nl within @ms: its error, or 1000 when none came. */
static int ack_of(struct anl *nl, int seq, int ms)
{
	long long end = anl_now_ms() + ms;
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	int n;

	while (anl_now_ms() < end) {
		if (poll(&pfd, 1, end - anl_now_ms()) <= 0)
			continue;
		n = recv(nl->fd, nl->buf, sizeof(nl->buf), MSG_DONTWAIT);
		for (nlh = (void *)nl->buf; n > 0 && NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n))
			if ((int)nlh->nlmsg_seq == seq &&
			    nlh->nlmsg_type == NLMSG_ERROR)
				return anl_errmsg(nl, nlh);
	}
	return 1000;
}

/*
 * Unprivileged requests beyond the bound: EBUSY with a message; root's
 * traffic and requests go on meanwhile.
 */
TEST_F_TIMEOUT(nla, unpriv_flood_bounded, 120)
{
	int status, p[2], res[7];
	struct answer x = { 0 };
	struct anl_msg m;
	long long rt;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = anl_fork_nobody();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct outcome o[6];
		struct anl_msg mb[6];
		struct anl nl;
		int i;

		close(p[0]);
		if (anl_open(&nl, 0))
			_exit(11);
		for (i = 0; i < 3; i++)
			msg_ping(&nl, &mb[i], DEAD, 1);
		for (i = 3; i < 6; i++)
			msg_resolve(&nl, &mb[i], "echo.atnet.test");
		if (send_batch(&nl, mb, o, 6))
			_exit(12);
		/* The bound is per user, not per socket. */
		{
			struct anl nl2;
			int seq;

			res[6] = 1000;
			if (!anl_open(&nl2, 0)) {
				msg_ping(&nl2, &mb[0], DEAD, 1);
				seq = anl_send(&nl2, &mb[0]);
				res[6] = seq < 0 ? seq : ack_of(&nl2, seq, 3000);
				anl_close(&nl2);
			}
		}
		collect(&nl, o, 6, 40000);
		for (i = 0; i < 6; i++) {
			res[i] = !o[i].acked ? 1000 : o[i].ack_err ?:
				 (!o[i].answered ? 2000 : o[i].err);
			if (o[i].ack_err == -EBUSY &&
			    !strstr(o[i].msg, "at a time"))
				res[i] = 3000;
		}
		if (write(p[1], res, sizeof(res)) < 0)
			_exit(13);
		_exit(0);
	}
	close(p[1]);
	/* Root meanwhile: its echo and its own ping. */
	usleep(300000);
	rt = echo_round_trip(20000);
	EXPECT_LT(0, rt);
	EXPECT_GT(13000, rt) {
		TH_LOG("root's echo took %lld ms", rt);
	}
	msg_ping(&self->nl, &m, SRV, 1);
	EXPECT_EQ(0, anl_ask(&self->nl, &m, answer_cb, &x, 30000, NULL)) {
		TH_LOG("root's ping: %s", self->nl.err);
	}
	EXPECT_EQ(1, x.n_rtt);
	ASSERT_EQ((ssize_t)sizeof(res), read(p[0], res, sizeof(res)));
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* One ping and one resolve per user at a time; the rest EBUSY. */
	EXPECT_EQ(-EBUSY, res[6]) {
		TH_LOG("a second socket of the same user was not bounded");
	}
	EXPECT_EQ(0, res[0]);
	EXPECT_EQ(-EBUSY, res[1]);
	EXPECT_EQ(-EBUSY, res[2]);
	if (self->sim7000) {
		EXPECT_EQ(0, res[3]);
		EXPECT_EQ(-EBUSY, res[4]);
		EXPECT_EQ(-EBUSY, res[5]);
	} else {
		/* Its lookup blocks the modem: admins only (uapi). */
		EXPECT_EQ(-EPERM, res[3]);
		EXPECT_EQ(-EPERM, res[4]);
		EXPECT_EQ(-EPERM, res[5]);
	}
}

/* An unprivileged GET shows the APN, never the user name or password. */
TEST_F(nla, unpriv_get_no_credentials)
{
	struct anl_modem md;
	int status;
	pid_t pid;

	ASSERT_EQ(0, anl_set(&self->nl, IFACE, 0, "CMNET", "joe", "s3cret"));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_STREQ("joe", md.ctx[0].user);
	/* Write-only for everyone (uapi), root included. */
	EXPECT_EQ(0, md.ctx[0].has_password);
	pid = anl_fork_nobody();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct anl nl;
		struct anl_dump d;

		if (anl_open(&nl, 0) || anl_get(&nl, IFACE, &md))
			_exit(11);
		if (strcmp(md.ctx[0].apn, "CMNET"))
			_exit(12);
		if (md.ctx[0].user[0])
			_exit(13);
		if (anl_dump(&nl, &d) || d.count < 1 ||
		    d.last.ctx[0].user[0])
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, anl_set(&self->nl, IFACE, 0, "CMNET", "", ""));
}

/* Threads, each with its own socket, asking everything at once. */
struct worker {
	int ok, fail;
	char why[300];
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct anl_modem md;
	struct anl_msg m;
	struct anl nl;
	int i, err;

	if (anl_open(&nl, 0)) {
		w->fail++;
		return NULL;
	}
	for (i = 0; i < 3; i++) {
		struct answer x = { 0 };

		msg_resolve(&nl, &m, "echo.atnet.test");
		err = anl_ask(&nl, &m, answer_cb, &x, 60000, NULL);
		if (err || x.n_addrs != 1 || strcmp(inet_ntoa(x.addr), SRV)) {
			snprintf(w->why, sizeof(w->why), "resolve %d %s", err,
				 nl.err);
			w->fail++;
		} else {
			w->ok++;
		}
		memset(&x, 0, sizeof(x));
		msg_ping(&nl, &m, SRV, 1);
		err = anl_ask(&nl, &m, answer_cb, &x, 60000, NULL);
		if (err || x.n_rtt != 1) {
			snprintf(w->why, sizeof(w->why), "ping %d %s", err,
				 nl.err);
			w->fail++;
		} else {
			w->ok++;
		}
		if (anl_get(&nl, IFACE, &md) || md.state != ATNET_MODEM_READY)
			w->fail++;
		else
			w->ok++;
	}
	anl_close(&nl);
	return NULL;
}

TEST_F_TIMEOUT(nla, threads_and_one_socket, 150)
{
	struct worker w[3] = { 0 };
	struct outcome o[5];
	struct anl_msg m[5];
	pthread_t t[3];
	int i, n = 3;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_run, &w[i]));

	/* Several requests outstanding on one socket, each answered. */
	msg_resolve(&self->nl, &m[0], "echo.atnet.test");
	msg_ping(&self->nl, &m[1], SRV, 2);
	msg_resolve(&self->nl, &m[2], "nosuch.atnet.test");
	if (self->sim7000) {
		unsigned short port = 5021;

		anl_msg_init(&m[3], self->nl.family, ATNET_CMD_LISTENER_START,
			     0);
		anl_name(&m[3], IFACE);
		anl_nest_start(&m[3], ATNET_A_LISTENER);
		anl_put(&m[3], ATNET_LSN_A_PORT, &port, 2);
		anl_nest_end(&m[3]);
		anl_msg_init(&m[4], self->nl.family, ATNET_CMD_LISTENER_STOP,
			     0);
		anl_name(&m[4], IFACE);
		n = 5;
	}
	ASSERT_EQ(0, send_batch(&self->nl, m, o, n));
	ASSERT_EQ(0, collect(&self->nl, o, n, 90000));
	collect_more(&self->nl, o, n, 500);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, o[i].ack_err) {
			TH_LOG("request %d: %s", i, o[i].msg);
		}
		EXPECT_EQ(1, o[i].answered);
	}
	EXPECT_EQ(0, o[0].err);
	EXPECT_STREQ(SRV, inet_ntoa(o[0].ans.addr));
	EXPECT_EQ(0, o[1].err);
	EXPECT_EQ(2, o[1].ans.n_rtt);
	EXPECT_EQ(-ENOENT, o[2].err);
	if (n == 5) {
		EXPECT_EQ(0, o[3].err) {
			TH_LOG("LISTENER_START: %s", o[3].msg);
		}
		EXPECT_EQ(1, o[3].ans.lsn_state);
		EXPECT_EQ(0, o[4].err);
		EXPECT_EQ(0, o[4].ans.lsn_state);
	}
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(9, w[i].ok) {
			TH_LOG("worker %d: %s", i, w[i].why);
		}
		EXPECT_EQ(0, w[i].fail);
	}
}

static void on_usr1(int sig)
{
}

struct lsn_arg {
	int fd, ret, err;
};

static void *lsn_run(void *arg)
{
	struct lsn_arg *a = arg;

	a->ret = listen(a->fd, 4);
	a->err = errno;
	return NULL;
}

static int bound_socket(int port)
{
	struct sockaddr_atnet a = sat_of("0.0.0.0", port);
	int fd = sock_new(SOCK_STREAM);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

/*
 * A listen() interrupted while its AT+CIPSERVER waits behind an echo:
 * the modem's answer still belongs to it, so another caller's listener
 * gets its own port, no server stays that the module does not know of,
 * and the next listen() on that port works.
 */
TEST_F_TIMEOUT(nla, listen_interrupted, 120)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct lsn_arg la = { 0 };
	struct anl_modem md;
	struct anl ping;
	struct anl_msg m;
	long long end;
	pthread_t t;
	int before, fd;

	if (!self->sim7000)
		SKIP(return, "SIM7020 has no server mode");
	sigaction(SIGUSR1, &sa, NULL);
	/* An echo that takes the modem's 5 s, on a socket of its own. */
	ASSERT_EQ(0, anl_open(&ping, 0));
	before = transcript_count('>', "AT+CIPPING");
	msg_ping(&ping, &m, DEAD, 2);
	if (fork() == 0) {
		anl_ask(&ping, &m, NULL, NULL, 60000, NULL);
		_exit(0);
	}
	ASSERT_EQ(0, wait_transcript("AT+CIPPING", before, 10000));

	la.fd = bound_socket(5030);
	ASSERT_LE(0, la.fd);
	ASSERT_EQ(0, pthread_create(&t, NULL, lsn_run, &la));
	usleep(700000);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT_EQ(-1, la.ret);
	EXPECT_EQ(EINTR, la.err);
	close(la.fd);

	/* Another caller's listener meanwhile: it gets its own port. */
	EXPECT_EQ(0, anl_listen(&self->nl, IFACE, 5031, -1)) {
		TH_LOG("LISTENER_START 5031: %s", self->nl.err);
	}
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(1, md.lsn_on);
	EXPECT_EQ(5031, md.lsn_port);
	EXPECT_TRUE(sim_has("^server 5031"));
	EXPECT_EQ(0, anl_listen(&self->nl, IFACE, 0, -1));

	/* The pings end; GET and the modem agree: no server. */
	wait(NULL);
	anl_close(&ping);
	end = now_ms() + 10000;
	do {
		usleep(200000);
		ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	} while (now_ms() < end &&
		 (md.lsn_on || sim_has("^server 5030")));
	EXPECT_EQ(0, md.lsn_on);
	EXPECT_FALSE(sim_has("^server 5030"));

	/* And that port can be listened on again. */
	fd = bound_socket(5030);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, listen(fd, 4)) {
		TH_LOG("listen again: %s", strerror(errno));
	}
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(1, md.lsn_on);
	EXPECT_EQ(5030, md.lsn_port);
	EXPECT_TRUE(sim_has("^server 5030"));
	close(fd);
	end = now_ms() + 10000;
	do {
		usleep(100000);
		ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	} while (now_ms() < end && md.lsn_on);
	EXPECT_EQ(0, md.lsn_on);
}

/* A restart under pending requests: each gets its error answer. */
TEST_F_TIMEOUT(nla, restart_answers_pending, 120)
{
	struct outcome o[3];
	struct anl_msg m[3];
	struct anl_modem md;
	int i;

	ASSERT_EQ(0, anl_sim_ctl("stall"));
	msg_resolve(&self->nl, &m[0], "echo.atnet.test");
	msg_ping(&self->nl, &m[1], SRV, 3);
	msg_resolve(&self->nl, &m[2], "server.atnet.test");
	ASSERT_EQ(0, send_batch(&self->nl, m, o, 3));
	usleep(500000);
	ASSERT_EQ(0, anl_sim_ctl("unstall"));
	ASSERT_EQ(0, anl_sim_ctl("restart"));
	EXPECT_EQ(0, collect(&self->nl, o, 3, 30000));
	collect_more(&self->nl, o, 3, 500);
	for (i = 0; i < 3; i++) {
		/* Queued at once; the restart ends each (uapi: ENETRESET). */
		EXPECT_EQ(1, o[i].acked);
		EXPECT_EQ(0, o[i].ack_err) {
			TH_LOG("request %d refused: %s", i, o[i].msg);
		}
		EXPECT_EQ(1, o[i].answered);
		EXPECT_EQ(-ENETRESET, o[i].err) {
			TH_LOG("request %d: %d %s", i, o[i].err, o[i].msg);
		}
		EXPECT_NE(0, o[i].msg[0]);
	}
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
}

static void *lsn_report(void *arg)
{
	struct lsn_arg *a = arg;
	int res;

	a->ret = listen(a->fd, 4);
	res = a->ret ? errno : 0;
	if (write(a->err, &res, sizeof(res)) < 0)
		a->ret = -2;
	return NULL;
}

/*
 * Unprivileged users together never take every slot of a queue, however
 * many uids they switch between (a user namespace's subordinate uids are
 * distinct users): 16 uids ask for a ping while the modem is busy, at
 * most half are queued, root's request still is. The same for listen():
 * one unprivileged user's 16 listen() calls are bounded as netlink
 * requests are (review findings 4 and 5).
 */
#define FLOOD	16
TEST_F_TIMEOUT(nla, unpriv_cannot_fill_queue, 90)
{
	int p[2], i, res, ok = 0, busy = 0, other = 0, seq, status;
	struct pollfd pfd;
	pid_t pids[FLOOD];
	struct anl hold, root;
	struct anl_modem md;
	struct anl_msg m;
	long long end;
	int before;

	/* Root's echo to a silent address keeps the modem busy. */
	before = transcript_count('>', "AT+CIPPING");
	ASSERT_EQ(0, anl_open(&hold, 0));
	msg_ping(&hold, &m, DEAD, 2);
	ASSERT_LT(0, anl_send(&hold, &m));
	ASSERT_EQ(0, wait_transcript("AT+CIPPING", before, 10000));

	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < FLOOD; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			struct anl nl;

			close(p[0]);
			if (setgid(65534) || setuid(20000 + i))
				_exit(10);
			res = 2000;
			if (!anl_open(&nl, 0)) {
				msg_ping(&nl, &m, DEAD, 1);
				seq = anl_send(&nl, &m);
				res = seq < 0 ? seq : ack_of(&nl, seq, 3000);
			}
			if (write(p[1], &res, sizeof(res)) < 0)
				_exit(11);
			pause();
			_exit(0);
		}
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	end = now_ms() + 8000;
	for (i = 0; i < FLOOD && now_ms() < end; ) {
		if (poll(&pfd, 1, end - now_ms()) <= 0)
			continue;
		if (read(p[0], &res, sizeof(res)) != sizeof(res))
			break;
		i++;
		if (!res)
			ok++;
		else if (res == -EBUSY)
			busy++;
		else
			other++;
	}
	close(p[0]);
	/* Root is never locked out. */
	ASSERT_EQ(0, anl_open(&root, 0));
	msg_ping(&root, &m, SRV, 1);
	seq = anl_send(&root, &m);
	EXPECT_EQ(0, ack_of(&root, seq, 3000)) {
		TH_LOG("root's PING beside %d unprivileged ones: %s", ok,
		       root.err);
	}
	anl_close(&root);
	for (i = 0; i < FLOOD; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
	}
	TH_LOG("%d unprivileged pings queued, %d EBUSY, %d other", ok, busy,
	       other);
	EXPECT_EQ(0, other);
	/* Half the queue for all unprivileged users; root's is apart. */
	EXPECT_GE(FLOOD / 2, ok);
	EXPECT_LE(1, ok);
	EXPECT_EQ(FLOOD, ok + busy);

	if (self->sim7000) {
		struct lsn_arg la[FLOOD];
		pthread_t t[FLOOD];
		int fast = 0, q[2];
		pid_t pid;

		ASSERT_EQ(0, pipe(q));
		pid = anl_fork_nobody();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(q[0]);
			for (i = 0; i < FLOOD; i++) {
				la[i].fd = bound_socket(5040 + i);
				la[i].err = q[1];
				if (la[i].fd < 0 ||
				    pthread_create(&t[i], NULL, lsn_report,
						   &la[i]))
					_exit(12);
			}
			pause();
			_exit(0);
		}
		close(q[1]);
		/* The echo still holds the modem: the refused ones are quick. */
		pfd.fd = q[0];
		end = now_ms() + 1500;
		while (now_ms() < end && fast < FLOOD - 1) {
			if (poll(&pfd, 1, end - now_ms()) <= 0)
				continue;
			if (read(q[0], &res, sizeof(res)) != sizeof(res))
				break;
			fast += res == EADDRINUSE;
		}
		EXPECT_EQ(FLOOD - 1, fast) {
			TH_LOG("unprivileged listen() calls were not bounded");
		}
		/* Root's LISTENER_START is still queued. */
		ASSERT_EQ(0, anl_open(&root, 0));
		anl_msg_init(&m, root.family, ATNET_CMD_LISTENER_START, 0);
		anl_name(&m, IFACE);
		anl_nest_start(&m, ATNET_A_LISTENER);
		{
			unsigned short port = 5039;

			anl_put(&m, ATNET_LSN_A_PORT, &port, 2);
		}
		anl_nest_end(&m);
		seq = anl_send(&root, &m);
		EXPECT_EQ(0, ack_of(&root, seq, 3000)) {
			TH_LOG("root's LISTENER_START: %s", root.err);
		}
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(q[0]);
		/* Its answer, then no server is left behind. */
		anl_close(&root);
		anl_close(&hold);
		end = now_ms() + 20000;
		do {
			usleep(300000);
			anl_listen(&self->nl, IFACE, 0, -1);
			ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
		} while (now_ms() < end && md.lsn_on);
		EXPECT_EQ(0, md.lsn_on);
		/*
		 * The killed callers' queued pings went with them: root's
		 * ping runs after at most the echo in flight, not after
		 * eight 5 s echoes.
		 */
		msg_ping(&self->nl, &m, SRV, 1);
		EXPECT_EQ(0, anl_ask(&self->nl, &m, NULL, NULL, 10000, NULL)) {
			TH_LOG("root's ping after the kill: %s", self->nl.err);
		}
	} else {
		anl_close(&hold);
	}
}

/*
 * +CME ERROR answers to an unprivileged user's requests are answers, not
 * modem faults: a loop of them never walks the recovery ladder, which
 * would close every user's links (review finding 6).
 */
TEST_F_TIMEOUT(nla, unpriv_cme_no_fault, 60)
{
	struct atnet_rec_params saved;
	unsigned long long closed;
	int i, status, failed = 0;
	struct anl_modem md;
	pid_t pid;

	ASSERT_EQ(0, atnet_rec_params_save(&saved));
	EXPECT_EQ(0, atnet_param_set("recover_window_ms", "120000"));
	EXPECT_EQ(0, atnet_param_set("recover_close", "2"));
	EXPECT_EQ(0, atnet_param_set("status_interval_ms", "0"));
	EXPECT_EQ(0, anl_get(&self->nl, IFACE, &md));
	closed = md.recover[0];
	for (i = 0; i < 3; i++) {
		/* "cme" answers the next command: let background ones end. */
		usleep(1000000);
		EXPECT_EQ(0, anl_sim_ctl("cme 3"));
		pid = anl_fork_nobody();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct anl_msg m;
			struct anl nl;

			if (anl_open(&nl, 0))
				_exit(11);
			/* Anyone may ping, on both models. */
			msg_ping(&nl, &m, SRV, 1);
			_exit(anl_ask(&nl, &m, NULL, NULL, 30000, NULL) ?
			      1 : 0);
		}
		waitpid(pid, &status, 0);
		failed += WEXITSTATUS(status) == 1;
	}
	EXPECT_EQ(0, anl_get(&self->nl, IFACE, &md));
	atnet_rec_params_restore(&saved);
	EXPECT_LE(2, failed) {
		TH_LOG("the +CME ERROR went to other commands");
	}
	EXPECT_EQ(closed, md.recover[0]) {
		TH_LOG("unprivileged requests drove the recovery ladder");
	}
	EXPECT_EQ(ATNET_MODEM_READY, md.state);
}

/*
 * A lookup given up on keeps the modem's DNS slot until its own answer
 * came: SIM7000's "+CDNSGIP: 0,8" names no host, so the next caller's
 * lookup must not take it (review finding 3).
 */
TEST_F_TIMEOUT(nla, resolve_abandoned_keeps_slot, 60)
{
	struct answer x = { 0 };
	struct anl a, b;
	struct anl_msg m;
	int sa, sb, err;
	long long t0;

	if (!self->sim7000)
		SKIP(return, "SIM7020 answers a lookup inside its command");
	ASSERT_EQ(0, anl_open(&a, 0));
	ASSERT_EQ(0, anl_open(&b, 0));
	msg_resolve(&a, &m, "nosuch.atnet.test");
	sa = anl_send(&a, &m);
	ASSERT_LT(0, sa);
	msg_resolve(&b, &m, "echo.atnet.test");
	t0 = anl_now_ms();
	sb = anl_send(&b, &m);
	ASSERT_LT(0, sb);
	EXPECT_EQ(0, ack_of(&a, sa, 3000));
	anl_close(&a);
	err = anl_await(&b, sb, answer_cb, &x, t0, 40000, NULL);
	EXPECT_EQ(0, err) {
		TH_LOG("the second lookup: %s", b.err);
	}
	EXPECT_EQ(1, x.n_addrs);
	EXPECT_STREQ(SRV, inet_ntoa(x.addr));
	anl_close(&b);
}

/*
 * anl_ask() keeps an error answer that comes before the ack (review
 * finding 9): messages stand in for the module on a socket pair.
 */
TEST(answer_before_ack)
{
	struct { struct nlmsghdr h; struct genlmsghdr g; struct nlattr a;
		 int v; } ans = { 0 };
	struct { struct nlmsghdr h; struct nlmsgerr e; } ack = { 0 };
	struct anl nl = { 0 };
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	nl.fd = sv[0];
	nl.family = 0x20;
	ans.h.nlmsg_len = sizeof(ans);
	ans.h.nlmsg_type = nl.family;
	ans.h.nlmsg_seq = 7;
	ans.g.cmd = ATNET_CMD_RESOLVE;
	ans.a.nla_len = NLA_HDRLEN + 4;
	ans.a.nla_type = ATNET_A_ERRNO;
	ans.v = ENOENT;
	ack.h.nlmsg_len = sizeof(ack);
	ack.h.nlmsg_type = NLMSG_ERROR;
	ack.h.nlmsg_seq = 7;
	ASSERT_EQ((ssize_t)sizeof(ans), write(sv[1], &ans, sizeof(ans)));
	ASSERT_EQ((ssize_t)sizeof(ack), write(sv[1], &ack, sizeof(ack)));
	EXPECT_EQ(-ENOENT, anl_await(&nl, 7, NULL, NULL, anl_now_ms(), 2000,
				     NULL));
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
