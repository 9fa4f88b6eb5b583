// SPDX-License-Identifier: GPL-2.0
/*
 * sock_race2: the second round of several-threads-per-socket defects
 * (issue 9, review of the first round). A non-blocking or interrupted
 * sendto() to a peer whose link is still being opened (it used to retire
 * the peer: EAGAIN every time), connect() racing a blocked sendto() (a UDP
 * peer left on a connected socket), shutdown() waking accept() and an
 * unconnected recvfrom(), a failed UDP connect() leaving a fresh socket,
 * and the error of a detach kept for SO_ERROR after a partial send.
 * Threads are known to be blocked from /proc (state S in the syscall),
 * not from a sleep. Both models; the detach case runs last.
 */
#include <pthread.h>
#include <sys/syscall.h>

#include "sock_lib.h"
#include "kselftest_harness.h"
#include "vmtest.h"

#ifndef POLLRDHUP
#define POLLRDHUP	0x2000
#endif

VM_TEST_META("sim7000 sim7020", "--sim-args --connect-timeout=3000");

FIXTURE(up) {
	int dummy;
};

FIXTURE_SETUP(up)
{
	ASSERT_EQ(0, wwan_up(20000));
	ASSERT_EQ(0, sock_servers());
}

FIXTURE_TEARDOWN(up)
{
	atnet_param_set("connect_timeout_ms", "75000");
}

static void on_signal(int sig)
{
}

/* A call made by a thread: what it returned, its errno, when it ended. */
struct call {
	int fd;
	int op;
	size_t len;
	const void *buf;
	void *rbuf;
	struct sockaddr_atnet addr;
	ssize_t ret;
	int err;
	int tid;
	int done;
	pthread_t th;
};

enum { OP_SENDTO, OP_RECVFROM, OP_ACCEPT, OP_SEND, OP_PEEK };

static void *call_run(void *arg)
{
	struct call *c = arg;

	__atomic_store_n(&c->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	switch (c->op) {
	case OP_SENDTO:
		c->ret = sendto(c->fd, c->buf, c->len, MSG_NOSIGNAL,
				(struct sockaddr *)&c->addr, sizeof(c->addr));
		break;
	case OP_RECVFROM:
		c->ret = recvfrom(c->fd, c->rbuf, c->len, 0, NULL, NULL);
		break;
	case OP_ACCEPT:
		c->ret = accept(c->fd, NULL, NULL);
		break;
	case OP_SEND:
		c->ret = send(c->fd, c->buf, c->len, MSG_NOSIGNAL);
		break;
	case OP_PEEK:
		c->ret = recv(c->fd, c->rbuf, c->len, MSG_PEEK | MSG_WAITALL);
		break;
	}
	c->err = errno;
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int call_start(struct call *c)
{
	c->done = 0;
	c->tid = 0;
	return pthread_create(&c->th, NULL, call_run, c);
}

/* Join @c within @ms: 0, or -ETIMEDOUT (the call still blocks). */
static int call_wait(struct call *c, int ms)
{
	long long end = now_ms() + ms;

	while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(5000);
	}
	pthread_join(c->th, NULL);
	return 0;
}

/*
 * Wait until @c's thread sleeps in system call @nr (/proc: state S, that
 * call number first in "syscall"): it is blocked in the kernel. 0, or
 * -ETIMEDOUT within @ms.
 */
static int call_blocked_in(struct call *c, long nr, int ms)
{
	long long end = now_ms() + ms;
	char path[64], buf[256], state;
	long cur;
	FILE *f;
	int tid;

	while (now_ms() < end) {
		tid = __atomic_load_n(&c->tid, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE))
			return -ECHILD;
		if (!tid)
			goto again;
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
		f = fopen(path, "r");
		if (!f)
			goto again;
		state = 0;
		if (fgets(buf, sizeof(buf), f) && strrchr(buf, ')'))
			state = strrchr(buf, ')')[2];
		fclose(f);
		snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
		f = fopen(path, "r");
		if (!f)
			goto again;
		cur = -1;
		if (fscanf(f, "%ld", &cur) != 1)
			cur = -1;
		fclose(f);
		/* glibc's accept() may be accept4() */
		if (state == 'S' && (cur == nr ||
				     (nr == SYS_accept && cur == SYS_accept4)))
			return 0;
again:
		usleep(5000);
	}
	return -ETIMEDOUT;
}

static int sim7000(void)
{
	return sock_model()->dialect == ATNET_DIALECT_SIM7000;
}

/* ---- sendto() to a peer being opened (finding 1) ---------------------- */

/*
 * A non-blocking sendto() to a new peer queues the datagram (it goes out
 * once the link is up) and returns its length, as UDP's never waits for a
 * peer. It used to stop waiting for the link, retire the peer, and answer
 * EAGAIN every time (an epoll loop on POLLOUT spun forever).
 */
TEST_F(up, sendto_nonblock_new_peer)
{
	struct sockaddr_atnet a = sat_of(SRV, PORT_ECHO);
	int fd = sock_new(SOCK_DGRAM), i;
	char buf[32];

	ASSERT_LE(0, fd);
	set_timeo(fd, SO_RCVTIMEO, 10000);
	for (i = 0; i < 2; i++) {
		ssize_t n = sendto(fd, "nb-ping", 7, MSG_DONTWAIT,
				   (struct sockaddr *)&a, sizeof(a));

		EXPECT_EQ(7, n) TH_LOG("sendto %d: %s", i, strerror(errno));
		if (n != 7)
			break;
		/* the echo of that datagram comes back: it went out */
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(7, recv(fd, buf, sizeof(buf), 0));
		EXPECT_STREQ("nb-ping", buf);
		/* a fresh socket each time: the peer is new again */
		close(fd);
		fd = sock_new(SOCK_DGRAM);
		ASSERT_LE(0, fd);
		set_timeo(fd, SO_RCVTIMEO, 10000);
	}
	close(fd);
}

/*
 * SIM7000 (its UDP link stays CONNECTING while the peer is blackholed):
 * a signal to the thread opening a peer, and a non-blocking sendto() of
 * another thread to it, leave the link to its opener; the opener's sendto
 * then ends with the link's own outcome (ETIMEDOUT at connect_timeout_ms),
 * once: not a storm of AT+CIPSTART / AT+CIPCLOSE.
 */
TEST_F_TIMEOUT(up, sendto_opening_peer, 60)
{
	struct call o = { .op = OP_SENDTO };
	struct sigaction sa = { .sa_handler = on_signal };
	int fd = sock_new(SOCK_DGRAM), starts;
	ssize_t n;

	if (!sim7000())
		SKIP(return, "SIM7020 UDP links open at once");
	ASSERT_LE(0, fd);
	sigaction(SIGUSR1, &sa, NULL);
	ASSERT_EQ(0, atnet_param_set("connect_timeout_ms", "3000"));
	ASSERT_EQ(0, sim_ctl("blackhole", NULL, 0, 5000));
	starts = transcript_count('>', "AT+CIPSTART=");
	o.fd = fd;
	o.buf = "opener";
	o.len = 6;
	o.addr = sat_of(SRV, PORT_ECHO);
	ASSERT_EQ(0, call_start(&o));
	ASSERT_EQ(0, call_blocked_in(&o, SYS_sendto, 5000));
	/* another thread, non-blocking: queued on the opening link */
	n = sendto(fd, "other", 5, MSG_DONTWAIT, (struct sockaddr *)&o.addr,
		   sizeof(o.addr));
	EXPECT_EQ(5, n) TH_LOG("non-blocking sendto: %s", strerror(errno));
	/* the opener still waits on its link: the peer was not retired */
	EXPECT_EQ(0, call_blocked_in(&o, SYS_sendto, 2000));
	/* a signal: the datagram stays queued, the call returns its length */
	pthread_kill(o.th, SIGUSR1);
	ASSERT_EQ(0, call_wait(&o, 10000));
	EXPECT_EQ(6, o.ret) TH_LOG("interrupted opener: %zd %s", o.ret,
				   strerror(o.err));
	/* one link was opened for both, not one per call */
	EXPECT_EQ(starts + 1, transcript_count('>', "AT+CIPSTART="));
	close(fd);
}

/* ---- connect() racing sendto() (finding 3) ----------------------------- */

/*
 * A sendto() blocked while its peer opens, and another thread's connect()
 * to another peer: the sendto() answers EISCONN (as UDP's on a connected
 * socket); it used to open a new peer on the connected socket, holding a
 * modem link and the port until close().
 */
TEST_F_TIMEOUT(up, connect_vs_sendto, 60)
{
	struct call o = { .op = OP_SENDTO };
	struct sockaddr_atnet b = sat_of(SRV, 10002);
	int fd = sock_new(SOCK_DGRAM), starts;

	if (!sim7000())
		SKIP(return, "SIM7020 UDP links open at once");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, atnet_param_set("connect_timeout_ms", "3000"));
	ASSERT_EQ(0, sim_ctl("blackhole", NULL, 0, 5000));
	starts = transcript_count('>', "AT+CIPSTART=");
	o.fd = fd;
	o.buf = "x";
	o.len = 1;
	o.addr = sat_of(SRV, PORT_ECHO);
	ASSERT_EQ(0, call_start(&o));
	ASSERT_EQ(0, call_blocked_in(&o, SYS_sendto, 5000));
	/* (the blackhole took only the first link) */
	EXPECT_EQ(0, connect(fd, (struct sockaddr *)&b, sizeof(b)))
		TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(0, call_wait(&o, 10000));
	EXPECT_EQ(-1, o.ret);
	EXPECT_EQ(EISCONN, o.err) TH_LOG("sendto: %zd %s", o.ret, strerror(o.err));
	/* the peer's link and the connect()'s: no third one */
	EXPECT_EQ(starts + 2, transcript_count('>', "AT+CIPSTART="));
	close(fd);
}

/* ---- eviction spares a peer with a waiter (finding 7) ----------------- */

struct udp_flood {
	int fd, n, len, ok, err, tid, done;
	struct sockaddr_atnet to;
};

static void *udp_flood_run(void *arg)
{
	static char d[1400];
	struct udp_flood *u = arg;
	int i;

	__atomic_store_n(&u->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	for (i = 0; i < u->n; i++) {
		if (sendto(u->fd, d, u->len, 0, (struct sockaddr *)&u->to,
			   sizeof(u->to)) == u->len) {
			u->ok++;
		} else if (!u->err) {
			u->err = errno;
		}
	}
	__atomic_store_n(&u->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Four peers; a thread floods the oldest faster than the UART drains it
 * and sleeps for ring room; a fifth peer then retires another one, not
 * the one the sleeper waits on (which it would open again: one more
 * AT+CIPSTART, and two such senders could end in EAGAIN).
 */
TEST_F_TIMEOUT(up, udp_no_evict_waiter, 60)
{
	/* SIM7020: 512 bytes fit hex and binary (uapi "SIM7020") */
	struct udp_flood u = { .n = 60, .len = sim7000() ? 1400 : 512 };
	struct call w = { 0 };
	struct sockaddr_atnet a;
	int fd = sock_new(SOCK_DGRAM), i, starts;
	pthread_t th;

	ASSERT_LE(0, fd);
	starts = transcript_count('>', "AT+CIPSTART=");
	for (i = 0; i < 4; i++) {
		a = sat_of(SRV, 10001 + i);
		ASSERT_EQ(1, sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)));
	}
	u.fd = fd;
	u.to = sat_of(SRV, 10001);
	ASSERT_EQ(0, pthread_create(&th, NULL, udp_flood_run, &u));
	/* call_blocked_in() looks at w's tid and done: the flooder's */
	while (!__atomic_load_n(&u.tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	w.tid = u.tid;
	ASSERT_EQ(0, call_blocked_in(&w, SYS_sendto, 10000))
		TH_LOG("flooder never blocked: %d sent, %s", u.ok, strerror(u.err));
	a = sat_of(SRV, 10005);
	EXPECT_EQ(1, sendto(fd, "y", 1, 0, (struct sockaddr *)&a, sizeof(a)))
		TH_LOG("fifth peer: %s", strerror(errno));
	for (i = 0; i < 6000 && !__atomic_load_n(&u.done, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	ASSERT_TRUE(__atomic_load_n(&u.done, __ATOMIC_ACQUIRE));
	pthread_join(th, NULL);
	EXPECT_EQ(u.n, u.ok) TH_LOG("flooder: %d of %d, %s", u.ok, u.n,
				    strerror(u.err));
	if (sim7000())
		EXPECT_EQ(starts + 5, transcript_count('>', "AT+CIPSTART="));
	close(fd);
}

/* ---- shutdown() wakes accept() and recvfrom() (finding 5) ------------- */

TEST_F_TIMEOUT(up, shutdown_wakes_recvfrom, 30)
{
	struct sockaddr_atnet a = sat_of(SRV, PORT_SINK);
	struct call r = { .op = OP_RECVFROM };
	int fd = sock_new(SOCK_DGRAM);
	char buf[16];

	ASSERT_LE(0, fd);
	/* a peer that never answers: recvfrom() blocks */
	ASSERT_EQ(1, sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)));
	r.fd = fd;
	r.rbuf = buf;
	r.len = sizeof(buf);
	ASSERT_EQ(0, call_start(&r));
	ASSERT_EQ(0, call_blocked_in(&r, SYS_recvfrom, 5000));
	/* as UDP: ENOTCONN, but shut down all the same */
	EXPECT_EQ(-1, shutdown(fd, SHUT_RD));
	EXPECT_EQ(ENOTCONN, errno);
	ASSERT_EQ(0, call_wait(&r, 5000)) TH_LOG("recvfrom stays blocked");
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	close(fd);
}

TEST_F_TIMEOUT(up, shutdown_wakes_accept, 30)
{
	struct sockaddr_atnet b = sat_of("0.0.0.0", 8090);
	struct call c = { .op = OP_ACCEPT };
	int fd = sock_new(SOCK_STREAM);

	ASSERT_LE(0, fd);
	b.sat_ifindex = if_nametoindex(WWAN);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&b, sizeof(b)));
	if (listen(fd, 2) && errno == EOPNOTSUPP) {
		close(fd);
		SKIP(return, "no TCP server on this model");
	}
	c.fd = fd;
	ASSERT_EQ(0, call_start(&c));
	ASSERT_EQ(0, call_blocked_in(&c, SYS_accept, 5000));
	EXPECT_EQ(0, shutdown(fd, SHUT_RDWR));
	ASSERT_EQ(0, call_wait(&c, 5000)) TH_LOG("accept stays blocked");
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(EINVAL, c.err);
	close(fd);
}

/* ---- MSG_PEEK against another reader (finding 8) ---------------------- */

/*
 * A MSG_PEEK|MSG_WAITALL reader that peeked part of what it wants and
 * sleeps, another thread consuming meanwhile: the peek returns the stream
 * as it is when it returns, from its start. It used to go on at its old
 * offset into the new start: bytes skipped, others twice.
 */
TEST_F_TIMEOUT(up, peek_vs_recv, 30)
{
	struct call p = { .op = OP_RECVFROM };
	int fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO), n = 0, i;
	char buf[32] = "", c5[8];

	ASSERT_LE(0, fd);
	set_timeo(fd, SO_RCVTIMEO, 10000);
	ASSERT_EQ(10, send(fd, "0123456789", 10, 0));
	for (i = 0; i < 1000 && n < 10; i++) {
		ASSERT_EQ(0, ioctl(fd, SIOCINQ, &n));
		if (n < 10)
			usleep(10000);
	}
	ASSERT_EQ(10, n);
	p.fd = fd;
	p.rbuf = buf;
	p.len = 20;
	p.op = OP_PEEK;
	ASSERT_EQ(0, call_start(&p));
	/* it has peeked the ten bytes and waits for ten more */
	ASSERT_EQ(0, call_blocked_in(&p, SYS_recvfrom, 5000));
	ASSERT_EQ(5, recv(fd, c5, 5, MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(c5, "01234", 5));
	ASSERT_EQ(15, send(fd, "ABCDEFGHIJKLMNO", 15, 0));
	ASSERT_EQ(0, call_wait(&p, 10000));
	EXPECT_EQ(20, p.ret);
	EXPECT_EQ(0, memcmp(buf, "56789ABCDEFGHIJKLMNO", 20))
		TH_LOG("peeked \"%.20s\"", buf);
	close(fd);
}

/* ---- a failed UDP connect() (finding 12) ------------------------------- */

/* After a failed connect() a datagram socket is a fresh one: POLLOUT. */
TEST_F_TIMEOUT(up, udp_connect_failed_fresh, 30)
{
	struct sockaddr_atnet a = sat_of(SRV, PORT_ECHO);
	struct pollfd p;
	char c;

	if (!sim7000())
		SKIP(return, "SIM7020 UDP links open at once");
	p.fd = sock_new(SOCK_DGRAM);
	p.events = POLLIN | POLLOUT | POLLRDHUP;
	ASSERT_LE(0, p.fd);
	ASSERT_EQ(0, atnet_param_set("connect_timeout_ms", "1500"));
	ASSERT_EQ(0, sim_ctl("blackhole", NULL, 0, 5000));
	EXPECT_EQ(-1, connect(p.fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents);
	EXPECT_EQ(-1, recv(p.fd, &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	close(p.fd);
}

/* ---- detach under a partial send (finding 6): last, it detaches ------- */

/*
 * A blocking send() of more than the ring holds to the sink, the modem
 * detached under it: the call returns what the modem took (or ENODEV when
 * nothing), and the error is left for SO_ERROR (as TCP's, which reports
 * the error once, on the next call); it used to be consumed inside the
 * call, and later calls saw EPIPE without a reason.
 */
TEST_F_TIMEOUT(up, detach_error_kept, 60)
{
	static unsigned char big[256 * 1024];
	struct call s = { .op = OP_SEND };
	socklen_t el = sizeof(int);
	int err = -1;

	s.fd = sock_connect(SOCK_STREAM, SRV, PORT_SINK);
	ASSERT_LE(0, s.fd);
	s.buf = big;
	s.len = sizeof(big);
	ASSERT_EQ(0, call_start(&s));
	ASSERT_EQ(0, call_blocked_in(&s, SYS_sendto, 5000));
	ASSERT_EQ(0, sh("atnet detach " WWAN " || pkill -f 'atnet attach'"));
	ASSERT_EQ(0, call_wait(&s, 20000));
	if (s.ret < 0) {
		EXPECT_EQ(ENODEV, s.err);
	} else {
		EXPECT_LT(0, s.ret);
		ASSERT_EQ(0, getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &el));
		EXPECT_EQ(ENODEV, err) TH_LOG("sent %zd, then SO_ERROR %d", s.ret, err);
	}
	close(s.fd);
}

TEST_HARNESS_MAIN
