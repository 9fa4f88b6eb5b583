/* SPDX-License-Identifier: GPL-2.0 */
/* The serial side of attach: open, raw termios, line discipline. */
#ifndef _ATNET_TTY_H
#define _ATNET_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Open path as a tty that is not our controlling one; prints errors. */
int tty_open(const char *path);
/* Raw 8N1 at baud with or without RTS/CTS; prints errors. 0 or -1. */
int tty_setup(int fd, const char *path, uint32_t baud, bool rtscts);
bool tty_baud_ok(uint32_t baud);
/* The kernel's name for the tty at path ("ttyS1", "pts3"). */
int tty_kernel_name(const char *path, char *buf, size_t size);
/* The ldisc number the module registered (module parameter), else 29. */
int tty_atnet_ldisc(void);

#endif /* _ATNET_TTY_H */
