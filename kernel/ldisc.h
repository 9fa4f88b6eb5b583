/* SPDX-License-Identifier: GPL-2.0 */
/* The tty line discipline "atnet". */
#ifndef _ATNET_LDISC_H
#define _ATNET_LDISC_H

int atnet_ldisc_init(int num);
void atnet_ldisc_exit(void);

#endif /* _ATNET_LDISC_H */
