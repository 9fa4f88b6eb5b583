/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sock_lib.h - helpers for the AF_ATNET socket VM tests (sock_*.c).
 *
 * The guest runs modem-sim on ttyS2 and atnet attached to ttyS1; the
 * simulated internet (netns "inet") serves TCP/UDP echo on 192.0.2.1:7.
 * sock_servers() adds sink/source servers there. Every wait has a deadline.
 */
#ifndef ATNET_SOCK_LIB_H
#define ATNET_SOCK_LIB_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <linux/sockios.h>
#include <unistd.h>

#include "../../uapi/linux/atnet.h"
#include "atport.h"

#define SRV		"192.0.2.1"
#define PORT_ECHO	7
#define PORT_SINK	9
#define PORT_SOURCE	19	/* 256 KiB */
#define PORT_SOURCE_BIG	20	/* 1 MiB */
#define PORT_SOURCE_4K	21	/* 4 KiB */
#define PORT_SOURCE_64K	22	/* 64 KiB */
#define SOURCE_BYTES	(256 * 1024)
#define SOURCE_BIG	(1024 * 1024)
#define SOURCE_4K	4096
#define WWAN		"wwan0"

static inline long long now_ms(void)
{
	return at_now_ms();
}

/* The family number, as the module parameter says. */
static inline int atnet_af(void)
{
	FILE *f = fopen("/sys/module/atnet/parameters/family", "r");
	int af = -1;

	if (f) {
		if (fscanf(f, "%d", &af) != 1)
			af = -1;
		fclose(f);
	}
	return af;
}

static inline int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static inline int read_int_file(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Bring the interface (the PDP context) up and wait for carrier. */
static inline int wwan_up(int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	if (read_int_file("/sys/class/net/" WWAN "/carrier") == 1)
		return 0;
	/* One failure means a broken bed: do not wait again per test. */
	if (!access("/tmp/sock-bed-broken", F_OK))
		return -ENETDOWN;
	if (sh("ip link set " WWAN " up"))
		return -1;
	while (now_ms() < end) {
		if (read_int_file("/sys/class/net/" WWAN "/carrier") == 1)
			return 0;
		usleep(20000);
	}
	sh("touch /tmp/sock-bed-broken; dmesg | tail -n 5 >&2");
	return -ETIMEDOUT;
}

static inline int wwan_down(int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	if (sh("ip link set " WWAN " down"))
		return -1;
	while (now_ms() < end) {
		if (read_int_file("/sys/class/net/" WWAN "/carrier") != 1)
			return 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

/* Wait until no carrier (context lost) or carrier again. */
static inline int wait_carrier(int want, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	while (now_ms() < end) {
		if ((read_int_file("/sys/class/net/" WWAN "/carrier") == 1) == want)
			return 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

/* Sink and source servers in the simulated internet, once per boot. */
static inline int sock_servers(void)
{
	if (!access("/run/sock-servers", F_OK))
		return 0;
	if (sh("ip netns exec inet echod --bind 0.0.0.0 --sink %d --source %d:%d "
	       "--source %d:%d --source %d:%d --source %d:%d "
	       "--log /tmp/echod-sock.log --daemon",
	       PORT_SINK, PORT_SOURCE, SOURCE_BYTES, PORT_SOURCE_BIG,
	       SOURCE_BIG, PORT_SOURCE_4K, SOURCE_4K, PORT_SOURCE_64K, 65536))
		return -1;
	return sh("touch /run/sock-servers");
}

static inline struct sockaddr_atnet sat_of(const char *ip, int port)
{
	struct sockaddr_atnet a;

	memset(&a, 0, sizeof(a));
	a.sat_family = atnet_af();
	a.sat_port = htons(port);
	inet_pton(AF_INET, ip, &a.sat_addr);
	return a;
}

static inline int sock_new(int type)
{
	return socket(atnet_af(), type | SOCK_CLOEXEC, 0);
}

/* A connected socket or -errno. */
static inline int sock_connect(int type, const char *ip, int port)
{
	struct sockaddr_atnet a = sat_of(ip, port);
	int fd = sock_new(type), e;

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static inline void set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* Read exactly n bytes (deadline), returns n or -errno / short count. */
static inline ssize_t read_full(int fd, void *buf, size_t n, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = end - now_ms();
		ssize_t r;

		if (left <= 0)
			return got ? (ssize_t)got : -ETIMEDOUT;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		r = recv(fd, (char *)buf + got, n - got, MSG_DONTWAIT);
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r < 0)
			return got ? (ssize_t)got : -errno;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

static inline uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int k;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* The source servers' pattern: byte i = i % 251. */
static inline void pattern(uint8_t *buf, size_t len, uint64_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (off + i) % 251;
}

#endif
