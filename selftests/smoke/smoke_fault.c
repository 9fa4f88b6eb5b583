// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection works from inside the guest: a command on the
 * simulator's control socket ($SIM_CTL) shows up on the AT port as the
 * modem would report it (remote close of a link -> "0, CLOSED" on SIM7000,
 * "+CSOERR: 0,..." on SIM7020), and a bad control command gets an error.
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

static int open_link(struct __test_metadata *_metadata, struct at_port *p)
{
	char out[256], line[256];
	int id = 0;

	if (!strcmp(at_env_model(), "sim7020")) {
		EXPECT_EQ(0, at_cmd(p, "AT+CSOC=1,1,1", out, sizeof(out), 5000));
		EXPECT_NE(NULL, strstr(out, "+CSOC:"));
		if (!strstr(out, "+CSOC:"))
			return -1;
		id = atoi(strchr(out, ':') + 1);
		snprintf(line, sizeof(line), "AT+CSOCON=%d,7,\"192.0.2.1\"", id);
		EXPECT_EQ(0, at_cmd(p, line, NULL, 0, 75000));
		return id;
	}
	EXPECT_EQ(0, at_cmd(p, "AT+CIPSHUT", NULL, 0, 65000));
	EXPECT_EQ(0, at_cmd(p, "AT+CIPMUX=1", NULL, 0, 2000));
	EXPECT_EQ(0, at_cmd(p, "AT+CSTT=\"CMNET\"", NULL, 0, 2000));
	EXPECT_EQ(0, at_cmd(p, "AT+CIICR", NULL, 0, 85000));
	EXPECT_EQ(0, at_send(p, "AT+CIFSR"));
	EXPECT_LT(0, at_read_line(p, line, sizeof(line), 5000));
	EXPECT_EQ(0, at_cmd(p, "AT+CIPSTART=0,\"TCP\",\"192.0.2.1\",7",
			    NULL, 0, 5000));
	EXPECT_EQ(0, at_expect(p, "CONNECT OK", NULL, 0, 75000));
	return _metadata->passed ? 0 : -1;
}

TEST_F_TIMEOUT(modem, remote_close_via_control_socket, 240)
{
	char reply[256], line[256], want[32];
	int id = open_link(_metadata, &self->port);

	ASSERT_LE(0, id);
	snprintf(reply, sizeof(reply), "close %d", id);
	ASSERT_EQ(0, sim_ctl(reply, reply, sizeof(reply), 5000));
	TH_LOG("control reply: '%s'", reply);
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

TEST(bad_control_command_errors)
{
	char reply[256];

	EXPECT_EQ(-EPROTO, sim_ctl("no-such-fault 42", reply, sizeof(reply),
				   5000));
	TH_LOG("control reply: '%s'", reply);
	EXPECT_NE(0, reply[0]);
}

TEST_HARNESS_MAIN
