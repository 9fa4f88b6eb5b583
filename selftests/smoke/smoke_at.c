// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke test of the VM test bed, before the kernel side exists: talk AT to
 * the simulator through the null modem (ttyS1 <-> ttyS2), bring up a data
 * context and echo bytes over TCP through the "internet" namespace.
 */
#include "kselftest_harness.h"
#include "../lib/atport.h"
#include "../lib/vmtest.h"

VM_TEST_META("sim7000 sim7020", "--no-attach");

#define TTY "/dev/ttyS1"

static int is_7020(void)
{
	return !strcmp(at_env_model(), "sim7020");
}

FIXTURE(modem) {
	struct at_port port;
};

FIXTURE_SETUP(modem)
{
	ASSERT_EQ(0, at_open(&self->port, TTY, at_env_baud()));
	ASSERT_EQ(0, at_sync(&self->port, 10000));
	ASSERT_EQ(0, at_cmd(&self->port, "ATE0", NULL, 0, 2000));
}

FIXTURE_TEARDOWN(modem)
{
	at_close(&self->port);
}

TEST_F(modem, at_ok)
{
	char out[256];

	ASSERT_EQ(0, at_cmd(&self->port, "AT", out, sizeof(out), 2000));
	/* echo off: nothing but the final result */
	EXPECT_STREQ("", out);
}

TEST_F(modem, echo_on_off)
{
	char line[256];

	ASSERT_EQ(0, at_cmd(&self->port, "ATE1", NULL, 0, 2000));
	ASSERT_EQ(0, at_send(&self->port, "AT"));
	ASSERT_LT(0, at_read_line(&self->port, line, sizeof(line), 2000));
	EXPECT_STREQ("AT", line);
	ASSERT_LT(0, at_read_line(&self->port, line, sizeof(line), 2000));
	EXPECT_STREQ("OK", line);
	ASSERT_EQ(0, at_cmd(&self->port, "ATE0", NULL, 0, 2000));
}

TEST_F(modem, cgmm_names_model)
{
	char out[256];

	ASSERT_EQ(0, at_cmd(&self->port, "AT+CGMM", out, sizeof(out), 2000));
	TH_LOG("AT+CGMM: %s", out);
	EXPECT_NE(NULL, strstr(out, is_7020() ? "7020" : "7000"));
}

TEST_F(modem, bad_command_errors)
{
	EXPECT_EQ(-EPROTO, at_cmd(&self->port, "AT+NOSUCHCMD", NULL, 0, 2000));
}

static void sim7000_context_up(struct __test_metadata *_metadata,
			       struct at_port *p)
{
	char out[256];

	ASSERT_EQ(0, at_sim7000_context_up(p, out, sizeof(out))) {
		TH_LOG("%s failed", out);
	}
	TH_LOG("AT+CIFSR: %s", out);
	ASSERT_NE(NULL, strchr(out, '.'));
}

static void sim7000_tcp_echo(struct __test_metadata *_metadata,
			     struct at_port *p)
{
	static const char msg[] = "hello, atnet\r\n\x1a\x00\xff";
	const size_t len = sizeof(msg) - 1;
	char line[256], cmd[64], rx[64];
	int send_ok = 0, received = 0, n;

	sim7000_context_up(_metadata, p);
	ASSERT_EQ(0, at_cmd(p, "AT+CIPSTART=0,\"TCP\",\"192.0.2.1\",7",
			    NULL, 0, 5000));
	ASSERT_EQ(0, at_expect(p, "CONNECT", line, sizeof(line), 75000));
	TH_LOG("%s", line);
	ASSERT_TRUE(!strcmp(line, "0, CONNECT OK") ||
		    !strcmp(line, "0,CONNECT OK"));

	snprintf(cmd, sizeof(cmd), "AT+CIPSEND=0,%zu", len);
	ASSERT_EQ(0, at_send(p, cmd));
	ASSERT_EQ(0, at_expect(p, "> ", NULL, 0, 5000));
	ASSERT_EQ(0, at_write(p, msg, len));
	/* "0, SEND OK" and the echoed "+RECEIVE,0,len:" come in any order */
	while (!send_ok || received < (int)len) {
		ASSERT_LT(0, at_read_line(p, line, sizeof(line), 10000));
		if (strstr(line, "SEND OK")) {
			send_ok = 1;
		} else if (!strncmp(line, "+RECEIVE,0,", 11)) {
			n = atoi(line + 11);
			ASSERT_GT(n, 0);
			ASSERT_GE((int)len - received, n);
			ASSERT_EQ(n, at_read_raw(p, rx + received, n, 5000));
			received += n;
		} else {
			ASSERT_EQ(NULL, strstr(line, "FAIL"));
		}
	}
	ASSERT_EQ(0, memcmp(msg, rx, len));
	ASSERT_EQ(0, at_send(p, "AT+CIPCLOSE=0"));
	ASSERT_EQ(0, at_expect(p, "CLOSE OK", NULL, 0, 5000));
	ASSERT_EQ(0, at_cmd(p, "AT+CIPSHUT", NULL, 0, 65000));
}

static void sim7020_tcp_echo(struct __test_metadata *_metadata,
			     struct at_port *p)
{
	char out[256], line[512];
	int id;

	ASSERT_EQ(0, at_cmd(p, "AT+CPIN?", out, sizeof(out), 2000));
	ASSERT_NE(NULL, strstr(out, "READY"));
	ASSERT_EQ(0, at_wait_pdn(p, 30000));
	ASSERT_EQ(0, at_cmd(p, "AT+CSOC=1,1,1", out, sizeof(out), 5000));
	ASSERT_NE(NULL, strstr(out, "+CSOC:"));
	id = atoi(strchr(out, ':') + 1);
	ASSERT_GE(id, 0);
	ASSERT_LE(id, 4);
	snprintf(line, sizeof(line), "AT+CSOCON=%d,7,\"192.0.2.1\"", id);
	ASSERT_EQ(0, at_cmd(p, line, NULL, 0, 75000));
	/* "hello" in hex: the length counts hex characters */
	snprintf(line, sizeof(line), "AT+CSOSEND=%d,10,\"68656c6c6f\"", id);
	ASSERT_EQ(0, at_cmd(p, line, NULL, 0, 10000));
	ASSERT_EQ(0, at_expect(p, "+CSONMI:", line, sizeof(line), 10000));
	TH_LOG("%s", line);
	snprintf(out, sizeof(out), "+CSONMI: %d,10,68656C6C6F", id);
	EXPECT_EQ(0, strcasecmp(out, line));
	snprintf(line, sizeof(line), "AT+CSOCL=%d", id);
	ASSERT_EQ(0, at_cmd(p, line, NULL, 0, 5000));
}

TEST_F_TIMEOUT(modem, tcp_echo, 240)
{
	if (is_7020())
		sim7020_tcp_echo(_metadata, &self->port);
	else
		sim7000_tcp_echo(_metadata, &self->port);
}

TEST_HARNESS_MAIN
