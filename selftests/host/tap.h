/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checks the host unit tests share: a failure prints a TAP comment
 * naming the test file and line and marks the running test failed; main()
 * clears @failed before each test and prints "ok"/"not ok" from it.
 */
#ifndef _ATNET_HOST_TAP_H
#define _ATNET_HOST_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int failed;	/* failures in the running test */

static void __attribute__((format(printf, 3, 4)))
tap_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed++;
}

#define fail(line, ...) tap_fail(__FILE__, line, __VA_ARGS__)

#define CHECK(cond) do { if (!(cond)) fail(__LINE__, "%s", #cond); } while (0)
#define CHECK_EQ(a, b) do {						\
	long long _a = (a), _b = (b);					\
	if (_a != _b)							\
		fail(__LINE__, "%s == %lld, expected %lld", #a, _a, _b);\
} while (0)

#endif /* _ATNET_HOST_TAP_H */
