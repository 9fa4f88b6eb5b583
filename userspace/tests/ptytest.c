// SPDX-License-Identifier: GPL-2.0
/*
 * ptytest ATNET BAUD FLOW [MODE]: run "ATNET attach <pty> --baud BAUD
 * --flow FLOW [--foreground]" on a fresh pty. Without the module (this is
 * a host test) attach must fail on the family, after setting up the line
 * and without touching the line discipline. Checks the exit status, the
 * error line, the termios the tool left and the ldisc. Exit 0 if all hold.
 */
#include <errno.h>
#include <pty.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int failed;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# ptytest: " __VA_ARGS__);		\
		fputc('\n', stderr);					\
		failed = 1;						\
	}								\
} while (0)

static speed_t speed_of(const char *baud)
{
	switch (atoi(baud)) {
	case 9600: return B9600;
	case 57600: return B57600;
	case 115200: return B115200;
	case 921600: return B921600;
	}
	return B0;
}

int main(int argc, char **argv)
{
	int master, slave, pipefd[2], status, ldisc = -1;
	char name[64], err[1024] = "";
	bool foreground;
	struct termios t;
	ssize_t n, len = 0;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: ptytest ATNET BAUD FLOW [foreground]\n");
		return 2;
	}
	foreground = argc > 4 && !strcmp(argv[4], "foreground");
	if (openpty(&master, &slave, name, NULL, NULL) < 0 || pipe(pipefd) < 0) {
		perror("openpty");
		return 2;
	}
	/* start cooked, so every raw flag the tool sets is visible */
	tcgetattr(slave, &t);
	t.c_lflag |= ICANON | ECHO;
	t.c_oflag |= OPOST;
	tcsetattr(slave, TCSANOW, &t);

	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		execl(argv[1], argv[1], "attach", name, "--baud", argv[2],
		      "--flow", argv[3], foreground ? "--foreground" : NULL,
		      (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	/* EOF once the tool (and any daemon child) is done with stderr */
	while ((n = read(pipefd[0], err + len, sizeof(err) - 1 - len)) > 0)
		len += n;
	err[len] = '\0';
	waitpid(pid, &status, 0);

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	      "exit status %d, want 1", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	CHECK(strstr(err, "atnet: family atnet not found: is the module loaded?\n"),
	      "stderr: '%s'", err);
	CHECK(!strchr(err, '\n') || strchr(err, '\n')[1] == '\0',
	      "more than one error line: '%s'", err);

	CHECK(tcgetattr(slave, &t) == 0, "tcgetattr: %s", strerror(errno));
	CHECK(cfgetospeed(&t) == speed_of(argv[2]), "output speed %u", cfgetospeed(&t));
	CHECK(cfgetispeed(&t) == speed_of(argv[2]), "input speed %u", cfgetispeed(&t));
	CHECK((t.c_cflag & CSIZE) == CS8, "not 8 bits");
	CHECK(!(t.c_cflag & (PARENB | CSTOPB)), "parity or 2 stop bits");
	CHECK((t.c_cflag & (CLOCAL | CREAD)) == (CLOCAL | CREAD), "CLOCAL/CREAD");
	CHECK(!!(t.c_cflag & CRTSCTS) == !strcmp(argv[3], "rtscts"), "CRTSCTS");
	CHECK(!(t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)), "not raw (lflag)");
	CHECK(!(t.c_iflag & (IXON | IXOFF | ICRNL | ISTRIP)), "not raw (iflag)");
	CHECK(!(t.c_oflag & OPOST), "not raw (OPOST)");
	CHECK(t.c_cc[VMIN] == 1 && t.c_cc[VTIME] == 0, "VMIN/VTIME");

	/* no module: the tool must not have asked for a line discipline */
	CHECK(ioctl(slave, TIOCGETD, &ldisc) == 0 && ldisc == N_TTY,
	      "ldisc %d, want N_TTY", ldisc);
	return failed;
}
