// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <linux/atnet.h>

#include "tty.h"
#include "util.h"

#define LDISC_PARAM	"/sys/module/atnet/parameters/ldisc"

static const struct {
	uint32_t baud;
	speed_t speed;
} bauds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
	{ 921600, B921600 }, { 1000000, B1000000 }, { 1500000, B1500000 },
	{ 2000000, B2000000 }, { 3000000, B3000000 },
};

static speed_t baud_speed(uint32_t baud)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bauds); i++)
		if (bauds[i].baud == baud)
			return bauds[i].speed;
	return B0;
}

bool tty_baud_ok(uint32_t baud)
{
	return baud_speed(baud) != B0;
}

int tty_open(const char *path)
{
	int fd, flags;

	/* O_NONBLOCK: do not wait for carrier on a modem line without CLOCAL yet */
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		errorf("attach %s: %s", path, strerror(errno));
		return -1;
	}
	if (!isatty(fd)) {
		errorf("attach %s: not a tty", path);
		close(fd);
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		errorf("attach %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int tty_setup(int fd, const char *path, uint32_t baud, bool rtscts)
{
	speed_t speed = baud_speed(baud);
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		goto fail;
	cfmakeraw(&t);
	t.c_cflag &= ~(CSIZE | PARENB | CSTOPB | CRTSCTS);
	t.c_cflag |= CS8 | CLOCAL | CREAD;
	if (rtscts)
		t.c_cflag |= CRTSCTS;
	t.c_iflag &= ~(IXON | IXOFF | IXANY);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (cfsetispeed(&t, speed) < 0 || cfsetospeed(&t, speed) < 0)
		goto fail;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		goto fail;
	/* whatever the modem said before we listened is not an answer */
	tcflush(fd, TCIOFLUSH);
	return 0;
fail:
	errorf("attach %s: termios: %s", path, strerror(errno));
	return -1;
}

int tty_kernel_name(const char *path, char *buf, size_t size)
{
	char real[PATH_MAX];
	const char *p;
	size_t n = 0;

	if (!realpath(path, real))
		return -1;
	p = real;
	if (!strncmp(p, "/dev/", 5))
		p += 5;
	/* "/dev/pts/3" is "pts3" to the kernel */
	for (; *p && n + 1 < size; p++)
		if (*p != '/')
			buf[n++] = *p;
	buf[n] = '\0';
	return 0;
}

int tty_atnet_ldisc(void)
{
	FILE *f = fopen(LDISC_PARAM, "re");
	int n = ATNET_LDISC_DEFAULT;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = ATNET_LDISC_DEFAULT;
		fclose(f);
	}
	return n;
}
