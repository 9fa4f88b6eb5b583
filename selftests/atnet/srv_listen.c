// SPDX-License-Identifier: GPL-2.0
/*
 * The SIM7000's TCP server through netlink (seed 000 sections 3.1.3, 4.2):
 * LISTENER_START/STOP with their errors (no context, already running, port
 * below 1024 without CAP_NET_BIND_SERVICE, all links taken), the listener
 * in GET and in the simulator, the server's slot counted against the 8
 * links (7 clients + server), an incoming client closed when nobody
 * accepts it, the second context, and faults in the middle of accepts
 * (context loss, restart, a silent modem) that must leave no listener the
 * modem does not have and no link behind.
 *
 * Peers connect from the simulated internet: a child enters netns "inet".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "../lib/vmtest.h"
#include "atnet_nl.h"
#include "../lib/inet_peer.h"

VM_TEST_META("sim7000", "");

#define IFACE		"wwan0"
#define SRV		"192.0.2.1"
#define PORT_ECHO	7

FIXTURE(srv) {
	struct anl nl;
	struct anl_modem md;
};

/* Poll GET until @pred holds, up to @ms. */
static int until(struct anl *nl, int (*pred)(struct anl_modem *), int ms,
		 struct anl_modem *md)
{
	long long end = anl_now_ms() + ms;

	while (anl_now_ms() < end) {
		if (!anl_get(nl, IFACE, md) && pred(md))
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

static int lsn_off(struct anl_modem *md)
{
	return !md->lsn_on;
}

static unsigned long long restarts;

static int restarted(struct anl_modem *md)
{
	return md->restarts > restarts;
}

static int no_links(struct anl_modem *md)
{
	return md->n_links == 0;
}

/*
 * A peer in the simulated internet connects to @ip:@port and waits up to
 * @ms for the far end to close. Exit: 0 closed by us, 1 still open, 2 no
 * connection.
 */
static pid_t peer_start(const char *ip, int port, int ms)
{
	pid_t pid = inet_fork();
	char buf[64];
	ssize_t n;
	int fd;

	if (pid)
		return pid;
	fd = inet_tcp_client(ip, port, 0, ms);
	if (write(fd, "hello server\n", 13) < 0)
		_exit(0);
	n = read(fd, buf, sizeof(buf));
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		_exit(0);
	_exit(1);
}

FIXTURE_SETUP(srv)
{
	ASSERT_EQ(0, anl_open(&self->nl, 0));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &self->md));
	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 0));
	/* A stopped listener from an earlier test is fine. */
	anl_listen(&self->nl, IFACE, 0, -1);
}

FIXTURE_TEARDOWN(srv)
{
	anl_listen(&self->nl, IFACE, 0, -1);
	anl_close(&self->nl);
}

TEST_F(srv, start_stop_errors)
{
	struct anl_modem md;

	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 5000, -1)) {
		TH_LOG("%s", self->nl.err);
	}
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(1, md.lsn_on);
	EXPECT_EQ(5000, md.lsn_port);
	EXPECT_EQ(0, md.lsn_ctx);
	EXPECT_TRUE(sim_has("^server 5000 ctx=0"));

	EXPECT_EQ(-EBUSY, anl_listen(&self->nl, IFACE, 5001, -1));
	EXPECT_NE(NULL, strstr(self->nl.err, "already runs"));
	/* Context 2 does not exist: the policy's range. */
	EXPECT_EQ(-ERANGE, anl_listen(&self->nl, IFACE, 0x10000 - 1, 2));

	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 0, -1));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(0, md.lsn_on);
	EXPECT_FALSE(sim_has("^server "));
	EXPECT_EQ(-ENOENT, anl_listen(&self->nl, IFACE, 0, -1));
	EXPECT_NE(NULL, strstr(self->nl.err, "no listener"));

	/* Context 1 is down: no server there. */
	EXPECT_EQ(-ENETDOWN, anl_listen(&self->nl, IFACE, 5000, 1));
	EXPECT_NE(NULL, strstr(self->nl.err, "context is not up"));
}

/* Ports below 1024: CAP_NET_BIND_SERVICE, as for bind(). */
TEST_F(srv, low_port_needs_cap)
{
	pid_t pid = fork();
	int st;

	ASSERT_LE(0, pid);
	if (!pid) {
		struct __user_cap_header_struct h = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct d[2] = {};
		struct anl nl;

		if (syscall(SYS_capget, &h, d))
			_exit(10);
		d[0].effective &= ~(1u << CAP_NET_BIND_SERVICE);
		if (syscall(SYS_capset, &h, d))
			_exit(11);
		if (anl_open(&nl, 0))
			_exit(12);
		if (anl_listen(&nl, IFACE, 80, -1) != -EACCES)
			_exit(13);
		if (!strstr(nl.err, "CAP_NET_BIND_SERVICE"))
			_exit(14);
		if (anl_listen(&nl, IFACE, 8080, -1))
			_exit(15);
		_exit(anl_listen(&nl, IFACE, 0, -1) ? 16 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(0, anl_listen(&self->nl, IFACE, 80, -1));
}

/* Nobody accepts: the incoming link is hung up, no slot stays taken. */
TEST_F(srv, incoming_closed)
{
	struct anl_modem md;
	pid_t p;

	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 5002, -1));
	p = peer_start("192.0.2.100", 5002, 10000);
	EXPECT_EQ(0, inet_peer_wait(p));
	EXPECT_EQ(0, until(&self->nl, no_links, 10000, &md));
	EXPECT_EQ(1, md.lsn_on);
	/* And again: the slot came back. */
	p = peer_start("192.0.2.100", 5002, 10000);
	EXPECT_EQ(0, inet_peer_wait(p));
	EXPECT_EQ(0, until(&self->nl, no_links, 10000, &md));
}

/* 7 client links + the server: the 8th client is refused, and back. */
TEST_F(srv, server_holds_a_slot)
{
	int fd[8], i, e;

	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 5003, -1));
	for (i = 0; i < 7; i++) {
		fd[i] = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
		ASSERT_LE(0, fd[i]) {
			TH_LOG("client %d: %s", i, strerror(-fd[i]));
		}
	}
	e = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	EXPECT_EQ(-EAGAIN, e) {
		TH_LOG("8th client with the server on: %d", e);
	}
	if (e >= 0)
		close(e);
	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 0, -1));
	fd[7] = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	EXPECT_LE(0, fd[7]);
	/* All 8 taken: the server has no slot. */
	EXPECT_EQ(-ENOSPC, anl_listen(&self->nl, IFACE, 5003, -1));
	EXPECT_NE(NULL, strstr(self->nl.err, "7 client links + server"));
	for (i = 0; i < 8; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

/* The second context: its own address and bearer. */
TEST_F(srv, second_context)
{
	struct anl_modem md;
	pid_t p;

	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 1));
	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 5004, 1)) {
		TH_LOG("%s", self->nl.err);
	}
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(1, md.lsn_ctx);
	EXPECT_TRUE(sim_has("^server 5004 ctx=1"));
	p = peer_start("192.0.2.101", 5004, 10000);
	EXPECT_EQ(0, inet_peer_wait(p));
	/*
	 * Losing context 1 takes the listener with it; +PDP: DEACT names no
	 * context, AT+CIFSR per context tells context 0 survived.
	 */
	ASSERT_EQ(0, sim_ctl("pdp-deact 1"));
	EXPECT_EQ(0, until(&self->nl, lsn_off, 10000, &md));
	EXPECT_EQ(0, until(&self->nl, no_links, 10000, &md));
	EXPECT_EQ(ATNET_CTX_UP, md.ctx[0].state);
	EXPECT_NE(ATNET_CTX_UP, md.ctx[1].state);
}

/* Faults while clients come in: nothing stays that the modem lacks. */
TEST_F(srv, faults_during_accepts)
{
	struct anl_modem md;
	pid_t p[3];
	int i;

	/* Context loss with a client arriving. */
	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 5005, -1));
	p[0] = peer_start("192.0.2.100", 5005, 10000);
	ASSERT_EQ(0, sim_ctl("pdp-deact 0"));
	EXPECT_EQ(0, until(&self->nl, lsn_off, 10000, &md));
	inet_peer_wait(p[0]);
	EXPECT_EQ(0, until(&self->nl, no_links, 10000, &md));
	EXPECT_FALSE(sim_has("^server "));

	/* Back up: a listener again, clients, then a restart. */
	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 0));
	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 5005, -1)) {
		TH_LOG("%s", self->nl.err);
	}
	for (i = 0; i < 3; i++)
		p[i] = peer_start("192.0.2.100", 5005, 15000);
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	restarts = md.restarts;
	ASSERT_EQ(0, sim_ctl("restart"));
	for (i = 0; i < 3; i++)
		EXPECT_NE(-1, inet_peer_wait(p[i]));
	EXPECT_EQ(0, until(&self->nl, restarted, 30000, &md));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	EXPECT_EQ(0, md.lsn_on);
	EXPECT_EQ(0, md.n_links);

	/*
	 * A silent modem while a client arrives: its REMOTE IP is lost. The
	 * timeout that follows makes us check AT+CIPSTATUS, which finds the
	 * link the modem holds and nobody owns: it is hung up.
	 */
	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 0));
	ASSERT_EQ(0, anl_listen(&self->nl, IFACE, 5005, -1));
	ASSERT_EQ(0, sim_ctl("stall"));
	p[0] = peer_start("192.0.2.100", 5005, 30000);
	usleep(500000);
	/* Something for the modem to time out on. */
	if (system("atnet resolve " IFACE " echo.atnet.test >/dev/null 2>&1 &"))
		TH_LOG("could not start atnet resolve");
	usleep(1500000);
	ASSERT_EQ(0, sim_ctl("unstall"));
	EXPECT_EQ(0, inet_peer_wait(p[0]));
	EXPECT_EQ(0, until(&self->nl, no_links, 20000, &md));
	EXPECT_EQ(1, md.lsn_on);
	EXPECT_LE(1ULL, md.reconciles);
}

TEST_HARNESS_MAIN
