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

/* How often @fixed went to the modem (transcript lines joined). */
static int sent_count(const char *fixed)
{
	FILE *f = fopen(getenv("SIM_LOG") ?: "/tmp/sim.log", "r");
	size_t cap = 1 << 20, len = 0, n;
	char line[8192], *all, *p, *q;
	int count = 0;

	if (!f)
		return -1;
	all = malloc(cap);
	while (all && fgets(line, sizeof(line), f)) {
		p = strchr(line, ' ');
		if (!p || p[1] != '>' || p[2] != ' ')
			continue;
		p += 3;
		n = strcspn(p, "\n");
		if (len + n + 1 > cap) {
			cap = 2 * (len + n + 1);
			all = realloc(all, cap);
			if (!all)
				break;
		}
		memcpy(all + len, p, n);
		len += n;
	}
	fclose(f);
	if (!all)
		return -1;
	all[len] = '\0';
	for (q = all; (q = strstr(q, fixed)); q++)
		count++;
	free(all);
	return count;
}

static int wait_sent(const char *fixed, int min, int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		if (sent_count(fixed) >= min)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

TEST(ip_link_down_up_is_cgact)
{
	int before = sent_count("AT+CGACT=1,1");
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
	cycles = sent_count("AT+CFUN=0");
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
