// SPDX-License-Identifier: GPL-2.0
/*
 * The recovery ladder (seed 000 section 13): repeated faults close every
 * link, then AT+CIPSHUT (the context comes back up by itself), then reset
 * the modem with AT+CFUN=1,1; each step is one dmesg line and a counter.
 * SIM7020 climbs the same ladder; its step 2 closes the sockets and
 * re-activates the PDN (no AT+CIPSHUT there).
 * Faults are commands the simulator answers with +CME ERROR ("cme 3"),
 * here on purpose one after the other; the thresholds are lowered through
 * the module parameters.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "../lib/vmtest.h"
#include "atnet_nl.h"

VM_TEST_META("sim7000 sim7020", "");

#define IFACE		"wwan0"
#define SRV		"192.0.2.1"
#define PORT_ECHO	7

/* A TCP socket connected to @ip:@port whose reads give up after 10 s. */
static int tcp_connect(const char *ip, int port)
{
	int fd = sock_connect(SOCK_STREAM, ip, port);

	if (fd >= 0)
		set_timeo(fd, SO_RCVTIMEO, 10000);
	return fd;
}

/* One fault: the next command (a DNS question) answers +CME ERROR: 3. */
static int fault(void)
{
	/*
	 * "cme" answers whatever command comes next: let the background ones
	 * (AT+CIPCLOSE of a closed socket, AT+CIPSTATUS) finish first.
	 */
	usleep(1500000);
	if (sim_ctl("cme 3"))
		return -1;
	/* Fails on purpose; its status does not matter. */
	if (system("atnet resolve " IFACE " echo.atnet.test >/dev/null 2>&1"))
		return 0;
	return 0;
}

static int klog_has(const char *what)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "dmesg | grep -q '%s'", what);
	return system(cmd) == 0;
}

FIXTURE(ladder) {
	struct anl nl;
	struct anl ev;
	struct atnet_rec_params saved;
};

FIXTURE_SETUP(ladder)
{
	struct anl_modem md;

	ASSERT_EQ(0, atnet_rec_params_save(&self->saved));
	ASSERT_EQ(0, anl_open(&self->nl, 0));
	ASSERT_EQ(0, anl_open(&self->ev, 1));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	ASSERT_EQ(0, atnet_param_set("recover_window_ms", "120000"));
	ASSERT_EQ(0, atnet_param_set("recover_close", "2"));
	ASSERT_EQ(0, atnet_param_set("recover_shut", "3"));
	ASSERT_EQ(0, atnet_param_set("recover_reset", "4"));
	ASSERT_EQ(0, atnet_param_set("status_interval_ms", "0"));
}

FIXTURE_TEARDOWN(ladder)
{
	atnet_rec_params_restore(&self->saved);
	anl_close(&self->nl);
	anl_close(&self->ev);
}

TEST_F_TIMEOUT(ladder, close_shut_reset, 180)
{
	const char *model = getenv("ATNET_MODEL");
	int sim7020 = model && !strcmp(model, "sim7020");
	unsigned long long restarts;
	struct anl_modem md, ev;
	char c;
	int fd;

	anl_updown(&self->nl, IFACE, 0, 1);
	ASSERT_EQ(0, anl_wait_ctx(&self->nl, IFACE, 0, ATNET_CTX_UP, 60000, &md));
	restarts = md.restarts;
	ASSERT_EQ(0ULL, md.recover[0]);
	fd = tcp_connect(SRV, PORT_ECHO);
	ASSERT_LE(0, fd);

	/* One fault: nothing but a check of the links. */
	ASSERT_EQ(0, fault());
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(0ULL, md.recover[0]);
	ASSERT_EQ(1, write(fd, "x", 1));
	EXPECT_EQ(1, read(fd, &c, 1));

	/* Two: every link is closed, its socket sees ECONNRESET. */
	ASSERT_EQ(0, fault());
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(1ULL, md.recover[0]);
	EXPECT_EQ(-1, read(fd, &c, 1));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_TRUE(klog_has("closing every link (recovery step 1 of 3)"));
	close(fd);

	/* Three: AT+CIPSHUT; the context is lost and comes back. */
	ASSERT_EQ(0, fault());
	ASSERT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_CONTEXT_LOST, 0,
				    10000, &ev));
	EXPECT_NE(NULL, strstr(ev.reason, sim7020 ? "recovery: PDN re-activated" :
			       "recovery: AT+CIPSHUT"));
	ASSERT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_CONTEXT_UP, 0,
				    60000, &ev));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(1ULL, md.recover[1]);
	EXPECT_TRUE(klog_has(sim7020 ?
			     "sockets closed, PDN re-activated, contexts come back up (recovery step 2 of 3)" :
			     "AT+CIPSHUT, contexts come back up (recovery step 2 of 3)"));
	fd = tcp_connect(SRV, PORT_ECHO);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);

	/* Four: the modem is reset, probed again and ready. */
	ASSERT_EQ(0, fault());
	ASSERT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_MODEM_RESTART, -1,
				    20000, &ev));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	EXPECT_EQ(1ULL, md.recover[2]);
	EXPECT_EQ(restarts + 1, md.restarts);
	EXPECT_TRUE(klog_has("resetting the modem, AT+CFUN=1,1 (recovery step 3 of 3)"));

	/* A fresh modem starts at the bottom of the ladder. */
	anl_updown(&self->nl, IFACE, 0, 1);
	ASSERT_EQ(0, anl_wait_ctx(&self->nl, IFACE, 0, ATNET_CTX_UP, 60000, &md));
	ASSERT_EQ(0, fault());
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(1ULL, md.recover[0]);
	EXPECT_EQ(ATNET_CTX_UP, md.ctx[0].state);
}

TEST_HARNESS_MAIN
