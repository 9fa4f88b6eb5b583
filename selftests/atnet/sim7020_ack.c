// SPDX-License-Identifier: GPL-2.0
/*
 * sim7020_ack: SIOCOUTQ on a SIM7020 counts what the peer has not
 * acknowledged, from the "SEND: id,len" URCs of AT+CSOSENDFLAG=1. A cellular
 * round trip of one second (modem-sim --rtt) keeps the acks visibly late.
 */
#include "sock_lib.h"
#include "kselftest_harness.h"
#include "vmtest.h"

VM_TEST_META("sim7020", "--sim-args --rtt=1000");

static int outq(int fd)
{
	int n = -1;

	if (ioctl(fd, SIOCOUTQ, &n))
		return -errno;
	return n;
}

TEST(siocoutq_follows_send_acks)
{
	static char buf[3000];
	long long t0, t_acked = 0;
	int fd, n;

	ASSERT_EQ(0, wwan_up(30000));
	ASSERT_EQ(0, sock_servers());
	fd = sock_connect(SOCK_STREAM, SRV, PORT_SINK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, outq(fd));
	memset(buf, 'q', sizeof(buf));
	/* A blocking send returns once the modem accepted every byte. */
	ASSERT_EQ((int)sizeof(buf), send(fd, buf, sizeof(buf), 0));
	t0 = now_ms();
	n = outq(fd);
	EXPECT_LT(0, n);
	EXPECT_GE((int)sizeof(buf), n);
	/* "SEND: id,len" arrives a round trip later and drains it. */
	while (now_ms() - t0 < 10000) {
		n = outq(fd);
		ASSERT_LE(0, n);
		if (!n) {
			t_acked = now_ms();
			break;
		}
		usleep(20000);
	}
	EXPECT_NE(0, t_acked);
	TH_LOG("acknowledged %lld ms after the send returned", t_acked - t0);
	EXPECT_LE(200, t_acked - t0);
	close(fd);
}

TEST(siocoutq_udp_is_what_the_modem_has_not_taken)
{
	int fd, n;

	ASSERT_EQ(0, wwan_up(30000));
	fd = sock_connect(SOCK_DGRAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, send(fd, "hello", 5, 0));
	n = outq(fd);
	EXPECT_EQ(0, n);
	close(fd);
}

TEST_HARNESS_MAIN
