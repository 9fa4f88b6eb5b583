/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_ATNET: TCP (SOCK_STREAM) and UDP (SOCK_DGRAM) client sockets over the
 * modem's links. main.c calls atnet_socket_init() after the modems can be
 * found and atnet_socket_exit() first on the way out.
 */
#ifndef _ATNET_SOCKET_H
#define _ATNET_SOCKET_H

int atnet_socket_init(void);
void atnet_socket_exit(void);

#endif /* _ATNET_SOCKET_H */
