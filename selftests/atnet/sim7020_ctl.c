// SPDX-License-Identifier: GPL-2.0
/*
 * sim7020_ctl: the SIM7020 control plane beside the sockets: "ip link"
 * down/up as AT+CGACT=0,1 / AT+CGACT=1,1, and a modem restart that starts
 * with "+CPIN: NOT READY" (modem-sim --cpin-notready) recognised as one even
 * though our own radio cycle prints the same line, then recovered with the
 * PDN up again.
 */
#include "sock_lib.h"
#include "kselftest_harness.h"
#include "vmtest.h"

VM_TEST_META("sim7020", "--sim-args --cpin-notready");

/* Wait until @fixed went to the modem at least @min times. */
static int wait_sent(const char *fixed, int min, int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		if (transcript_count('>', fixed) >= min)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

TEST(ip_link_down_up_is_cgact)
{
	int before = transcript_count('>', "AT+CGACT=1,1");
	int fd;

	ASSERT_EQ(0, wwan_up(30000));
	ASSERT_EQ(0, wwan_down(20000));
	EXPECT_EQ(0, wait_sent("AT+CGACT=0,1", 1, 5000));
	/* Down, the PDN is gone: no socket gets through. */
	EXPECT_EQ(-ENETUNREACH, sock_connect(SOCK_STREAM, SRV, PORT_ECHO));
	ASSERT_EQ(0, wwan_up(30000));
	EXPECT_EQ(0, wait_sent("AT+CGACT=1,1", before + 1, 5000));
	EXPECT_EQ(0, sh("atnet show " WWAN " | grep -q 'context 0: up, address 192.0.2.100'"));
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST(restart_with_cpin_not_ready)
{
	int fd, cycles;

	ASSERT_EQ(0, wwan_up(30000));
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	cycles = transcript_count('>', "AT+CFUN=0");
	ASSERT_EQ(0, sim_ctl("restart", NULL, 0, 5000));
	/* The socket learns it, the context goes, the modem is probed again. */
	set_timeo(fd, SO_RCVTIMEO, 10000);
	{
		char c;

		EXPECT_EQ(-1, recv(fd, &c, 1, 0));
		EXPECT_EQ(ENETRESET, errno);
	}
	close(fd);
	EXPECT_EQ(0, wait_sent("AT+CFUN=0", cycles + 1, 30000));
	ASSERT_EQ(0, wait_carrier(1, 60000));
	EXPECT_EQ(0, sh("atnet show " WWAN " | grep -q 'restarts 1'"));
	/* Our own radio cycle of the new bring-up was not a second restart. */
	EXPECT_EQ(0, sh("[ \"$(dmesg | grep -c 'modem restarted; probing')\" = 1 ]"));
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_HARNESS_MAIN
