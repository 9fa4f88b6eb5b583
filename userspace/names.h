/* SPDX-License-Identifier: GPL-2.0 */
/* Human names for the uapi enums; unknown values print as numbers. */
#ifndef _ATNET_NAMES_H
#define _ATNET_NAMES_H

#include <stdint.h>

const char *modem_state_name(unsigned int v);
const char *ctx_state_name(unsigned int v);
const char *link_state_name(unsigned int v);
const char *dialect_name(unsigned int v);
const char *event_name(unsigned int v);
const char *reg_name(unsigned int v);
const char *proto_name(unsigned int v);

/* Dotted quad of a __be32, in a static buffer (two in rotation). */
const char *ip_str(uint32_t be);
/* Interface name of ifindex, or "if<N>" when it is gone. Static buffer. */
const char *if_str(uint32_t ifindex);

#endif /* _ATNET_NAMES_H */
