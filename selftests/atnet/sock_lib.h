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
/* atnet_nl.h has its own sim_ctl(); the socket tests use atport.h's. */
#define sim_ctl anl_sim_ctl
#include "atnet_nl.h"
#undef sim_ctl
/* atnet_af(), sat_of(), sock_connect() and set_timeo() are atnet_nl.h's. */

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

static inline int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
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

/*
 * What the attached modem can do, for tests that run against both models.
 * The dialect is what ATNET_CMD_GET reports (ATNET_A_DIALECT), so a test
 * checks the driver's own idea of the modem; $ATNET_MODEL (the bed's
 * --model) only when GET fails. The numbers are the uapi header's
 * ("Sockets", "SIM7020"); per-link limits the kernel reports
 * (ATNET_LINK_A_MAX_SEND) come from sock_link_max_send().
 */
struct sock_model {
	int dialect;		/* enum atnet_dialect */
	const char *name;
	int links;		/* links at once: 8 (SIM7000), 5 (SIM7020) */
	int dgram_rx_max;	/* largest datagram received in one piece */
	int holds_rx;		/* unread data waits in the modem (pull) */
	int connect_blocks;	/* a TCP connect holds every other command */
	int listen;		/* has a server mode */
};

static const struct sock_model sock_models[] = {
	{ ATNET_DIALECT_SIM7000, "SIM7000", 8, 1460, 1, 0, 1 },
	/* one +CSONMI: 512 bytes on common firmware (modem-sim --nmi-max) */
	{ ATNET_DIALECT_SIM7020, "SIM7020", 5, 512, 0, 1, 0 },
};

/* ATNET_CMD_GET of WWAN into @md (atnet_nl.h parses it); 0 or -errno. */
static inline int sock_get(struct anl_modem *md)
{
	struct anl nl;
	int err;

	memset(md, 0, sizeof(*md));
	err = anl_open(&nl, 0);
	if (!err)
		err = anl_get(&nl, WWAN, md);
	anl_close(&nl);
	return err;
}

static inline const struct sock_model *sock_model(void)
{
	struct anl_modem g;
	unsigned int i;
	int d;

	if (!sock_get(&g) && g.dialect)
		d = g.dialect;
	else
		d = strcmp(at_env_model(), "sim7020") ? ATNET_DIALECT_SIM7000 :
		    ATNET_DIALECT_SIM7020;
	for (i = 0; i < sizeof(sock_models) / sizeof(sock_models[0]); i++)
		if (sock_models[i].dialect == d)
			return &sock_models[i];
	return &sock_models[0];
}

/*
 * The kernel's largest single send (ATNET_LINK_A_MAX_SEND) of the only
 * connected link of @proto: a UDP datagram's limit. -ENOENT when there is
 * no such link, -EEXIST when there are several.
 */
static inline int sock_link_max_send(int proto)
{
	struct anl_modem g;
	int i, n = 0, max = -ENOENT;

	if (sock_get(&g))
		return -EIO;
	for (i = 0; i < g.n_links; i++)
		if (g.links[i].proto == proto &&
		    g.links[i].state == ATNET_LINK_CONNECTED) {
			max = g.links[i].max_send;
			n++;
		}
	return n > 1 ? -EEXIST : max;
}

/* Sockets the SIM7020 simulator holds ("socketN ..." status lines). */
static inline int sim_sockets(void)
{
	char reply[2048], *l, *save;
	int n = 0, id;

	if (sim_ctl("status", reply, sizeof(reply), 5000))
		return -1;
	for (l = strtok_r(reply, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (sscanf(l, "socket%d ", &id) == 1)
			n++;
	return n;
}

/*
 * SIM7020: wait until the modem holds no socket (the driver closed every
 * one), e.g. after a connect it abandoned: AT+CSOCON blocks the modem
 * until the simulator gives up on it.
 */
static inline int wait_sim_sockets_gone(int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	while (now_ms() < end) {
		if (sim_sockets() == 0)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/*
 * How often @fixed went to the modem (@dir '>') or came from it ('<'). The
 * transcript logs each read() on its own line ("S.mmm > bytes", CR as
 * "\\r"), so one direction's lines are joined before searching.
 */
static inline int transcript_count(char dir, const char *fixed)
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
		if (!p || p[1] != dir || p[2] != ' ')
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
