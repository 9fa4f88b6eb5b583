/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inet_peer.h - a peer in the bed's simulated internet (netns "inet", made
 * by vm-init.sh; it holds 192.0.2.1): a forked child that talks to the
 * modem from there and reports one line per event over a pipe, which the
 * test reads with a deadline.
 */
#ifndef ATNET_SELFTEST_INET_PEER_H
#define ATNET_SELFTEST_INET_PEER_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* setns() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

/* Move this (forked) process into the simulated internet; 0 or -1. */
static inline int inet_enter(void)
{
	int ns = open("/run/netns/inet", O_RDONLY);

	return ns < 0 || setns(ns, CLONE_NEWNET) ? -1 : 0;
}

/* fork(); the child is in the simulated internet or exits 3. */
static inline pid_t inet_fork(void)
{
	pid_t pid = fork();

	if (!pid && inet_enter())
		_exit(3);
	return pid;
}

/*
 * In a peer: a TCP connection from 192.0.2.1:@lport (0: any port) to
 * @ip:@port whose reads give up after @ms (whole seconds). Exits 3 when
 * it cannot have @lport, 2 when it gets no connection.
 */
static inline int inet_tcp_client(const char *ip, int port, int lport, int ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = ms / 1000 };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (lport) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		a.sin_port = htons(lport);
		inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			_exit(3);
	}
	a.sin_port = htons(port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		_exit(2);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

struct inet_peer {
	pid_t pid;
	int fd;		/* parent: read end; child: write end of the reports */
};

/*
 * Fork a peer. Parent: 1, with @p->pid and @p->fd to read. Child: 0, in
 * netns "inet" (it exits 3 when it cannot get there), @p->fd to write.
 * -1 when there is no pipe or no child.
 */
static inline int inet_peer_fork(struct inet_peer *p)
{
	int pfd[2];

	if (pipe(pfd))
		return -1;
	p->pid = inet_fork();
	if (p->pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (p->pid) {
		close(pfd[1]);
		p->fd = pfd[0];
		return 1;
	}
	close(pfd[0]);
	p->fd = pfd[1];
	return 0;
}

/* The next line the peer reported, without the '\n', within 15 s: 0 or -1. */
static inline int inet_peer_line(struct inet_peer *p, char *buf, size_t size)
{
	struct pollfd pf = { .fd = p->fd, .events = POLLIN };
	struct timespec ts;
	long long end, left;
	size_t i = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 + 15000;
	while (i < size - 1) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		left = end - (ts.tv_sec * 1000LL + ts.tv_nsec / 1000000);
		if (left <= 0 || poll(&pf, 1, left) != 1 ||
		    read(p->fd, buf + i, 1) != 1)
			return -1;
		if (buf[i] == '\n')
			break;
		i++;
	}
	buf[i] = '\0';
	return 0;
}

/* The exit status of peer process @pid once it ends; -1 if it did not exit. */
static inline int inet_peer_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static inline void inet_peer_stop(struct inet_peer *p)
{
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	close(p->fd);
}

#endif
