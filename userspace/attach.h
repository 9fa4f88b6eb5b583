/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What "atnet attach" was asked for, and the daemon that keeps the tty
 * open and mirrors each context's address onto its interface.
 */
#ifndef _ATNET_ATTACH_H
#define _ATNET_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#define ATTACH_MAX_ROUTES	8

struct attach_route {
	uint32_t dst;		/* __be32 */
	unsigned int plen;
};

struct attach_opts {
	const char *tty;
	uint32_t baud;
	bool rtscts;
	int ldisc;		/* -1: the module's parameter, else 29 */
	const char *apn, *user, *password;
	uint32_t context;
	bool up, wait, keep_up, foreground;
	uint32_t timeout_s;
	unsigned int nroutes;
	struct attach_route routes[ATTACH_MAX_ROUTES];
};

/* attach_opts.c */
int attach_parse(int argc, char **argv, struct attach_opts *o);

#endif /* _ATNET_ATTACH_H */
