/* SPDX-License-Identifier: GPL-2.0 */
/* Human-readable rendering of GET answers and events. */
#ifndef _ATNET_SHOW_H
#define _ATNET_SHOW_H

#include <stdio.h>

#include "nl.h"

void show_modem(FILE *f, const struct nlmsghdr *nlh);
void show_event(FILE *f, const struct nlmsghdr *nlh);

#endif /* _ATNET_SHOW_H */
