// SPDX-License-Identifier: GPL-2.0
/*
 * sim7020_hexdgram: a SIM7020 firmware with binary receive (AT+CSORCVFLAG)
 * but without binary send (modem-sim --no-dsend). Issue 9, defects 13 and
 * 7: the driver learns at bring-up (AT+CSODSEND=?) that it sends hex, so a
 * UDP link's limit is hex's from its connect on; datagrams up to it go
 * whole, one byte more is EMSGSIZE and the socket goes on. Before the fix
 * the driver assumed binary send, fell back to hex at the first ERROR and
 * kept a 1024-byte limit that hex could not carry: a 135-byte datagram
 * killed the link.
 */
#include "sock_lib.h"
#include "kselftest_harness.h"
#include "vmtest.h"

VM_TEST_META("sim7020", "--sim-args --no-dsend");

#define HEX_MAX	512	/* uapi header: a hex datagram carries 512 bytes */

static int dgram_echo(int fd, size_t len)
{
	static unsigned char buf[2048], got[2048];
	size_t i;
	ssize_t r;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 13 + len);
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -errno;
	r = read_full(fd, got, len, 10000);
	if (r != (ssize_t)len)
		return r < 0 ? (int)r : -EMSGSIZE;
	return memcmp(got, buf, len) ? -EBADMSG : 0;
}

FIXTURE(f) {
	int fd;
};

FIXTURE_SETUP(f)
{
	ASSERT_EQ(0, wwan_up(30000));
	self->fd = sock_connect(SOCK_DGRAM, SRV, PORT_ECHO);
	ASSERT_LE(0, self->fd);
	set_timeo(self->fd, SO_SNDTIMEO, 15000);
}

FIXTURE_TEARDOWN(f)
{
	close(self->fd);
}

TEST_F_TIMEOUT(f, limit_is_hex_from_the_start, 60)
{
	EXPECT_EQ(HEX_MAX, sock_link_max_send(IPPROTO_UDP));
}

TEST_F_TIMEOUT(f, datagram_sizes, 90)
{
	static const size_t sizes[] = { 1, 134, 135, 512 };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		EXPECT_EQ(0, dgram_echo(self->fd, sizes[i]))
			TH_LOG("datagram of %zu bytes", sizes[i]);
}

TEST_F_TIMEOUT(f, max_plus_one_keeps_the_socket, 60)
{
	static char big[2048];
	int max = sock_link_max_send(IPPROTO_UDP);

	ASSERT_LT(0, max);
	ASSERT_GT((int)sizeof(big), max);
	EXPECT_EQ(0, dgram_echo(self->fd, max));
	EXPECT_EQ(-1, send(self->fd, big, max + 1, MSG_NOSIGNAL));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(0, dgram_echo(self->fd, 10));
}

/* A stream goes out in hex pieces of at most 512 bytes, in order. */
TEST_F_TIMEOUT(f, stream_in_hex_pieces, 90)
{
	static unsigned char buf[3000], got[3000];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i % 251);
	fd = sock_connect(SOCK_STREAM, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	set_timeo(fd, SO_SNDTIMEO, 30000);
	EXPECT_EQ((ssize_t)sizeof(buf), send(fd, buf, sizeof(buf), MSG_NOSIGNAL));
	EXPECT_EQ((ssize_t)sizeof(got), read_full(fd, got, sizeof(got), 30000));
	EXPECT_EQ(0, memcmp(got, buf, sizeof(buf)));
	close(fd);
}

TEST_HARNESS_MAIN
