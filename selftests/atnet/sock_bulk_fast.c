// SPDX-License-Identifier: GPL-2.0
/*
 * sock_bulk at 921600 baud, with the echo, every-link and sleepy-reader
 * tests.
 */
#include "vmtest.h"

#define BULK_META	"--baud 921600"
VM_TEST_META("sim7000 sim7020", BULK_META);
#define BULK_FULL	1

#include "sock_bulk.c"
