// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection works from inside the guest: a command on the
 * simulator's control socket ($SIM_CTL) shows up on the AT port as the
 * modem would report it (remote close of a link -> "0, CLOSED" on SIM7000,
 * "+CSOERR: 0,..." on SIM7020), and a bad control command gets an error.
 * One test per fault of the simulator's control interface: pdp-deact,
 * restart, close, refuse, blackhole, send-fail, stall, garbage, drop.
 */
#include "kselftest_harness.h"
#include "../lib/atport.h"
#include "../lib/vmtest.h"

VM_TEST_META("sim7000 sim7020", "--no-attach");

FIXTURE(modem) {
	struct at_port port;
};

FIXTURE_SETUP(modem)
{
	ASSERT_EQ(0, at_open(&self->port, "/dev/ttyS1", at_env_baud()));
	ASSERT_EQ(0, at_sync(&self->port, 10000));
	ASSERT_EQ(0, at_cmd(&self->port, "ATE0", NULL, 0, 2000));
}

FIXTURE_TEARDOWN(modem)
{
	at_close(&self->port);
}

static int is_7020(void)
{
	return !strcmp(at_env_model(), "sim7020");
}

/* Inject a fault; the control socket must answer "ok". */
#define FAULT(cmd) do {							\
		char _r[256];						\
		ASSERT_EQ(0, sim_ctl(cmd, _r, sizeof(_r), 5000)) {	\
			TH_LOG("control '%s': '%s'", cmd, _r);		\
		}							\
	} while (0)

/* SIM7020: free every socket an earlier test left. */
static void sim7020_reset(struct at_port *p)
{
	char cmd[32];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(cmd, sizeof(cmd), "AT+CSOCL=%d", i);
		at_cmd(p, cmd, NULL, 0, 2000);
	}
}

static int open_link(struct __test_metadata *_metadata, struct at_port *p)
{
	char out[256], line[256];
	int id = 0;

	if (!strcmp(at_env_model(), "sim7020")) {
		sim7020_reset(p);
		EXPECT_EQ(0, at_wait_pdn(p, 30000));
		EXPECT_EQ(0, at_cmd(p, "AT+CSOC=1,1,1", out, sizeof(out), 5000));
		EXPECT_NE(NULL, strstr(out, "+CSOC:"));
		if (!strstr(out, "+CSOC:"))
			return -1;
		id = atoi(strchr(out, ':') + 1);
		snprintf(line, sizeof(line), "AT+CSOCON=%d,7,\"192.0.2.1\"", id);
		EXPECT_EQ(0, at_cmd(p, line, NULL, 0, 75000));
		return id;
	}
	EXPECT_EQ(0, at_sim7000_context_up(p, line, sizeof(line))) {
		TH_LOG("%s failed", line);
	}
	EXPECT_EQ(0, at_cmd(p, "AT+CIPSTART=0,\"TCP\",\"192.0.2.1\",7",
			    NULL, 0, 5000));
	EXPECT_EQ(0, at_expect(p, "CONNECT OK", NULL, 0, 75000));
	return _metadata->passed ? 0 : -1;
}

TEST_F_TIMEOUT(modem, remote_close_via_control_socket, 240)
{
	char cmd[32], reply[256], line[256], want[32];
	int id = open_link(_metadata, &self->port);

	ASSERT_LE(0, id);
	snprintf(cmd, sizeof(cmd), "close %d", id);
	EXPECT_EQ(0, sim_ctl(cmd, reply, sizeof(reply), 5000));
	TH_LOG("control '%s' reply: '%s'", cmd, reply);
	if (!strcmp(at_env_model(), "sim7020")) {
		snprintf(want, sizeof(want), "+CSOERR: %d,", id);
		ASSERT_EQ(0, at_expect(&self->port, want, line, sizeof(line),
				       10000));
	} else {
		ASSERT_EQ(0, at_expect(&self->port, "CLOSED", line,
				       sizeof(line), 10000));
		EXPECT_TRUE(!strcmp(line, "0, CLOSED") ||
			    !strcmp(line, "0,CLOSED"));
	}
	TH_LOG("URC: %s", line);
	if (!strcmp(at_env_model(), "sim7020")) {
		snprintf(line, sizeof(line), "AT+CSOCL=%d", id);
		at_cmd(&self->port, line, NULL, 0, 5000);
	} else {
		EXPECT_EQ(0, at_cmd(&self->port, "AT+CIPSHUT", NULL, 0, 65000));
	}
}

TEST_F_TIMEOUT(modem, pdp_deact, 240)
{
	char line[256], want[32];
	int id = open_link(_metadata, &self->port);

	ASSERT_LE(0, id);
	FAULT("pdp-deact");
	if (is_7020()) {
		snprintf(want, sizeof(want), "+CSOERR: %d,11", id);
		ASSERT_EQ(0, at_expect(&self->port, want, line, sizeof(line), 10000));
		sim7020_reset(&self->port);
	} else {
		ASSERT_EQ(0, at_expect(&self->port, "+PDP: DEACT", line,
				       sizeof(line), 10000));
		/* after +PDP: DEACT, AT+CIPSHUT is mandatory */
		ASSERT_EQ(0, at_cmd(&self->port, "AT+CIPSHUT", NULL, 0, 65000));
	}
	TH_LOG("URC: %s", line);
}

TEST_F(modem, restart)
{
	FAULT("restart");
	ASSERT_EQ(0, at_expect(&self->port, "RDY", NULL, 0, 10000));
	/* a restarted modem echoes again: turn it off and talk */
	ASSERT_EQ(0, at_sync(&self->port, 10000));
	ASSERT_EQ(0, at_cmd(&self->port, "ATE0", NULL, 0, 2000));
}

TEST_F_TIMEOUT(modem, refuse, 240)
{
	char line[256];

	if (is_7020()) {
		char out[256];
		int id;

		sim7020_reset(&self->port);
		ASSERT_EQ(0, at_wait_pdn(&self->port, 30000));
		ASSERT_EQ(0, at_cmd(&self->port, "AT+CSOC=1,1,1", out,
				    sizeof(out), 5000));
		ASSERT_NE(NULL, strstr(out, "+CSOC:"));
		id = atoi(strchr(out, ':') + 1);
		FAULT("refuse");
		snprintf(line, sizeof(line), "AT+CSOCON=%d,7,\"192.0.2.1\"", id);
		ASSERT_EQ(-EPROTO, at_cmd(&self->port, line, NULL, 0, 10000));
		sim7020_reset(&self->port);
		return;
	}
	ASSERT_EQ(0, at_sim7000_context_up(&self->port, line, sizeof(line))) {
		TH_LOG("%s failed", line);
	}
	FAULT("refuse");
	ASSERT_EQ(0, at_cmd(&self->port, "AT+CIPSTART=0,\"TCP\",\"192.0.2.1\",7",
			    NULL, 0, 5000));
	ASSERT_EQ(0, at_expect(&self->port, "CONNECT", line, sizeof(line), 10000));
	TH_LOG("%s", line);
	ASSERT_NE(NULL, strstr(line, "CONNECT FAIL"));
	ASSERT_EQ(0, at_cmd(&self->port, "AT+CIPSHUT", NULL, 0, 65000));
}

TEST_F_TIMEOUT(modem, blackhole, 240)
{
	char line[256];

	if (is_7020())
		SKIP(return, "a silent AT+CSOCON blocks the port for the connect timeout");
	ASSERT_EQ(0, at_sim7000_context_up(&self->port, line, sizeof(line))) {
		TH_LOG("%s failed", line);
	}
	FAULT("blackhole");
	ASSERT_EQ(0, at_cmd(&self->port, "AT+CIPSTART=0,\"TCP\",\"192.0.2.1\",7",
			    NULL, 0, 5000));
	/* no CONNECT OK / CONNECT FAIL while the connect hangs */
	ASSERT_EQ(-ETIMEDOUT, at_expect(&self->port, "CONNECT", line,
					sizeof(line), 2000));
	ASSERT_EQ(0, at_cmd(&self->port, "AT+CIPSHUT", NULL, 0, 65000));
}

TEST_F_TIMEOUT(modem, send_fail, 240)
{
	char line[256];
	int id = open_link(_metadata, &self->port);

	ASSERT_LE(0, id);
	FAULT("send-fail");
	if (is_7020()) {
		snprintf(line, sizeof(line), "AT+CSOSEND=%d,4,\"6869\"", id);
		ASSERT_EQ(-EPROTO, at_cmd(&self->port, line, NULL, 0, 10000));
		sim7020_reset(&self->port);
		return;
	}
	ASSERT_EQ(0, at_send(&self->port, "AT+CIPSEND=0,2"));
	ASSERT_EQ(0, at_expect(&self->port, "> ", NULL, 0, 5000));
	ASSERT_EQ(0, at_write(&self->port, "hi", 2));
	ASSERT_EQ(0, at_expect(&self->port, "SEND", line, sizeof(line), 10000));
	TH_LOG("%s", line);
	ASSERT_NE(NULL, strstr(line, "SEND FAIL"));
	ASSERT_EQ(0, at_cmd(&self->port, "AT+CIPSHUT", NULL, 0, 65000));
}

TEST_F(modem, stall_and_unstall)
{
	FAULT("stall");
	/* a stalled modem says nothing at all */
	ASSERT_EQ(-ETIMEDOUT, at_cmd(&self->port, "AT", NULL, 0, 1500));
	FAULT("unstall");
	ASSERT_EQ(0, at_sync(&self->port, 5000));
}

TEST_F(modem, garbage_bytes)
{
	long long deadline;

	FAULT("garbage 64");
	/* 64 random bytes arrive on the AT port */
	deadline = at_now_ms() + 5000;
	while (self->port.len < 64)
		ASSERT_EQ(0, at_fill(&self->port, deadline));
	self->port.len = 0;
	/* and the modem still talks */
	ASSERT_EQ(0, at_sync(&self->port, 5000));
}

TEST_F(modem, line_drop)
{
	FAULT("drop");
	ASSERT_EQ(-ETIMEDOUT, at_cmd(&self->port, "AT", NULL, 0, 1500));
	FAULT("undrop");
	ASSERT_EQ(0, at_sync(&self->port, 5000));
}

TEST(bad_control_command_errors)
{
	char reply[256];

	EXPECT_EQ(-EPROTO, sim_ctl("no-such-fault 42", reply, sizeof(reply),
				   5000));
	TH_LOG("control reply: '%s'", reply);
	EXPECT_NE(0, reply[0]);
}

TEST_HARNESS_MAIN
