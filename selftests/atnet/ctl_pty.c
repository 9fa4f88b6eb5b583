// SPDX-License-Identifier: GPL-2.0
/*
 * Modems we play ourselves on ptys: the test holds the master, so it can be
 * a modem that never answers, one that only sends garbage, or a line that
 * hangs up in the middle of the probe. Also: attaching needs CAP_NET_ADMIN,
 * and many modems can be attached at once.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/wait.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "../lib/vmtest.h"
#include "atnet_nl.h"

VM_TEST_META("sim7000", "");

/* The line discipline number, as the module parameter says. */
static int ldisc_num(void)
{
	int n = read_int_file(ATNET_PARAM "ldisc");

	return n < 0 ? ATNET_LDISC_DEFAULT : n;
}

struct pty {
	int master;
	int slave;
	char ifname[IF_NAMESIZE];
};

static int pty_open(struct pty *p)
{
	struct termios t;

	p->slave = -1;
	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->master < 0 || grantpt(p->master) || unlockpt(p->master))
		return -1;
	p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->slave < 0 || tcgetattr(p->slave, &t))
		return -1;
	cfmakeraw(&t);
	return tcsetattr(p->slave, TCSANOW, &t);
}

static int pty_attach(struct pty *p)
{
	int ld = ldisc_num();

	if (ioctl(p->slave, TIOCSETD, &ld))
		return -errno;
	/* The ldisc answers SIOCGIFNAME like slip and can327 do. */
	if (ioctl(p->slave, SIOCGIFNAME, p->ifname))
		return -errno;
	return 0;
}

static void pty_close(struct pty *p)
{
	if (p->slave >= 0)
		close(p->slave);
	if (p->master >= 0)
		close(p->master);
	p->slave = p->master = -1;
}

FIXTURE(pty) {
	struct anl nl;
	struct pty p;
};

FIXTURE_SETUP(pty)
{
	ASSERT_EQ(0, anl_open(&self->nl, 0));
	ASSERT_EQ(0, pty_open(&self->p));
}

FIXTURE_TEARDOWN(pty)
{
	pty_close(&self->p);
	anl_close(&self->nl);
}

TEST_F(pty, attach_needs_cap_net_admin)
{
	int status, ld = ldisc_num();
	pid_t pid;

	pid = anl_fork_nobody();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (!ioctl(self->p.slave, TIOCSETD, &ld))
			_exit(11);
		_exit(errno == EPERM ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Attach returns at once; the verdict comes after 10 unanswered ATs. */
TEST_F_TIMEOUT(pty, silent_modem_fails, 60)
{
	struct anl_modem md;
	long long t0 = anl_now_ms();
	char buf[256];

	ASSERT_EQ(0, pty_attach(&self->p));
	EXPECT_GT(2000, anl_now_ms() - t0);
	ASSERT_EQ(0, anl_get(&self->nl, self->p.ifname, &md));
	EXPECT_EQ(ATNET_MODEM_PROBING, md.state);
	ASSERT_EQ(0, anl_wait_state(&self->nl, self->p.ifname,
				    ATNET_MODEM_FAILED, 30000, &md));
	EXPECT_NE(NULL, strstr(md.reason, "no answer to AT after 10 tries")) {
		TH_LOG("reason \"%s\"", md.reason);
	}
	/* It did ask: "AT\r" went out on the line. */
	EXPECT_LT(0, read(self->p.master, buf, sizeof(buf)));
	pty_close(&self->p);
	usleep(200000);
	EXPECT_EQ(-ENODEV, anl_get(&self->nl, md.ifname, &md));
}

TEST_F_TIMEOUT(pty, garbage_modem_fails, 60)
{
	struct anl_modem md;
	unsigned char junk[64];
	long long deadline;
	unsigned int i, seed = 1;
	int flags;

	ASSERT_EQ(0, pty_attach(&self->p));
	flags = fcntl(self->p.master, F_GETFL);
	fcntl(self->p.master, F_SETFL, flags | O_NONBLOCK);
	deadline = anl_now_ms() + 30000;
	md.state = -1;
	while (anl_now_ms() < deadline) {
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = rand_r(&seed);
		write(self->p.master, junk, sizeof(junk));
		read(self->p.master, junk, sizeof(junk));
		if (!anl_get(&self->nl, self->p.ifname, &md) &&
		    md.state == ATNET_MODEM_FAILED)
			break;
		usleep(100000);
	}
	ASSERT_EQ(ATNET_MODEM_FAILED, md.state);
	EXPECT_NE(NULL, strstr(md.reason, "garbage")) {
		TH_LOG("reason \"%s\"", md.reason);
	}
	EXPECT_LT(0ULL, md.garbage);
}

/* The line hangs up while the probe waits for an answer. */
TEST_F(pty, hangup_while_probing)
{
	struct anl_modem md;
	char ifname[IF_NAMESIZE];

	ASSERT_EQ(0, pty_attach(&self->p));
	strcpy(ifname, self->p.ifname);
	usleep(300000);
	close(self->p.master);
	self->p.master = -1;
	usleep(300000);
	EXPECT_EQ(-ENODEV, anl_get(&self->nl, ifname, &md));
}

TEST_F(pty, many_at_once)
{
	struct pty more[6];
	struct anl_dump d0, d1;
	unsigned int i;

	ASSERT_EQ(0, anl_dump(&self->nl, &d0));
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, pty_open(&more[i]));
		ASSERT_EQ(0, pty_attach(&more[i]));
	}
	ASSERT_EQ(0, anl_dump(&self->nl, &d1));
	EXPECT_EQ(d0.count + 6, d1.count);
	for (i = 0; i < 6; i++)
		pty_close(&more[i]);
	usleep(300000);
	ASSERT_EQ(0, anl_dump(&self->nl, &d1));
	EXPECT_EQ(d0.count, d1.count);
}

TEST_HARNESS_MAIN
