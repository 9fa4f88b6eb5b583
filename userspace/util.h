/* SPDX-License-Identifier: GPL-2.0 */
/* Error reporting, number parsing and clocks shared by the verbs. */
#ifndef _ATNET_UTIL_H
#define _ATNET_UTIL_H

#include <stdint.h>

#include "nl.h"

#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define PRINTF(f, a)	__attribute__((format(printf, f, a)))

/* "atnet: <msg>" on stderr. */
void errorf(const char *fmt, ...) PRINTF(1, 2);
/* "atnet: <what>: <strerror>[: <kernel's extack message>]" on stderr. */
void nl_perror(const struct nl *nl, int err, const char *fmt, ...) PRINTF(3, 4);
/* Print a usage problem and return EXIT_USAGE. */
int usage_error(const char *fmt, ...) PRINTF(1, 2);

int parse_u32(const char *s, uint32_t max, uint32_t *v);
/* Interface name to index; prints the error. 0 if unknown. */
uint32_t parse_ifname(const char *verb, const char *name);
int parse_ipv4(const char *s, uint32_t *be);

uint64_t now_ms(void);
void sleep_ms(unsigned int ms);

#endif /* _ATNET_UTIL_H */
