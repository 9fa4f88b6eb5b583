// SPDX-License-Identifier: GPL-2.0
/*
 * "atnet detach IFACE": the ldisc lives as long as its tty is open, so
 * detaching means ending the process that holds it: the owner the kernel
 * recorded (atnet attach), or, when that pid is stale (ldattach forks
 * after TIOCSETD), whoever has the tty open. Then wait for the interface
 * to go, so that the next command sees the modem detached.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "genl.h"
#include "modem.h"
#include "util.h"

#define DETACH_TIMEOUT_MS	10000
#define POLL_MS			50

static bool holds_tty(pid_t pid, dev_t rdev)
{
	char path[64];
	struct dirent *d;
	struct stat st;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		/* stat follows the fd's link to the device node */
		found = !fstatat(dirfd(dir), d->d_name, &st, 0) &&
			S_ISCHR(st.st_mode) && st.st_rdev == rdev;
	}
	closedir(dir);
	return found;
}

/* SIGTERM every process with the tty open; returns how many. */
static unsigned int kill_holders(dev_t rdev)
{
	unsigned int n = 0;
	struct dirent *d;
	DIR *proc = opendir("/proc");

	if (!proc)
		return 0;
	while ((d = readdir(proc))) {
		pid_t pid = (pid_t)atoi(d->d_name);

		if (pid <= 0 || pid == getpid() || !holds_tty(pid, rdev))
			continue;
		if (kill(pid, SIGTERM) == 0)
			n++;
	}
	closedir(proc);
	return n;
}

static int tty_rdev(const char *name, dev_t *rdev)
{
	char path[PATH_MAX];
	struct stat st;

	/* the kernel says "pts3" for /dev/pts/3 */
	if (!strncmp(name, "pts", 3))
		snprintf(path, sizeof(path), "/dev/pts/%s", name + 3);
	else
		snprintf(path, sizeof(path), "/dev/%s", name);
	if (stat(path, &st) || !S_ISCHR(st.st_mode))
		return -1;
	*rdev = st.st_rdev;
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	char name[IF_NAMESIZE];
	uint64_t deadline;
	struct modem m;
	uint32_t ifindex;
	struct genl g;
	dev_t rdev;
	bool have_rdev;
	int err;

	if (argc != 2)
		return usage_error("usage: atnet detach IFACE");
	ifindex = parse_ifname("detach", argv[1]);
	if (!ifindex || genl_open(&g))
		return 1;
	err = modem_get(&g, ifindex, &m);
	if (err)
		nl_perror(&g.nl, err, "detach %s", argv[1]);
	genl_close(&g);
	if (err)
		return 1;

	have_rdev = m.tty[0] && !tty_rdev(m.tty, &rdev);
	if (m.owner_pid && (!have_rdev || holds_tty((pid_t)m.owner_pid, rdev))) {
		if (kill((pid_t)m.owner_pid, SIGTERM) < 0) {
			errorf("detach %s: pid %u: %s", argv[1], m.owner_pid,
			       strerror(errno));
			return 1;
		}
	} else if (!have_rdev || !kill_holders(rdev)) {
		errorf("detach %s: no process holds %s", argv[1],
		       m.tty[0] ? m.tty : "its tty");
		return 1;
	}

	deadline = now_ms() + DETACH_TIMEOUT_MS;
	while (if_indextoname(ifindex, name)) {
		if (now_ms() >= deadline) {
			errorf("detach %s: interface still there after %us",
			       argv[1], DETACH_TIMEOUT_MS / 1000);
			return 1;
		}
		sleep_ms(POLL_MS);
	}
	return 0;
}
