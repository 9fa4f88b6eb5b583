/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink plumbing shared by the generic netlink and rtnetlink sides:
 * a socket that asks for extended acks, one request/answer loop that turns
 * NLMSG_ERROR into -errno plus the kernel's extack message, and attribute
 * tables that simply skip what they do not know (forward compatibility).
 */
#ifndef _ATNET_NL_H
#define _ATNET_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

/* Dumps can be large; the kernel sizes dump skbs after our buffer. */
#define NL_BUFSIZE	65536

/* Highest attribute type kept in a table; larger ones are ignored. */
#define NL_TB_MAX	63

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char ext[256];		/* extack message of the last error, or "" */
	unsigned int ask_ms;	/* nl_ask()'s deadline; 0: NL_ASK_MS */
};

/* How long nl_ask() waits for its ack and answer unless told otherwise. */
#define NL_ASK_MS	120000

typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

int nl_open(struct nl *nl, int bus);
void nl_close(struct nl *nl);
int nl_fd(const struct nl *nl);

/* Send nlh (seq is filled in) and read until ACK/DONE. 0 or -errno. */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_msg_cb cb, void *data);

/*
 * For requests answered later (the kernel acks at once, then sends one
 * message with the same seq): send nlh and read until both came, in
 * either order. cb gets the answer; what it returns < 0 is the answer's
 * error. 0 or -errno; -ETIMEDOUT when both did not come within
 * nl->ask_ms (ext says so), so that a lost answer never hangs the caller.
 */
int nl_ask(struct nl *nl, struct nlmsghdr *nlh, nl_msg_cb cb, void *data);

/* Read one batch of unsolicited (multicast) messages. 0 or -errno. */
int nl_recv(struct nl *nl, nl_msg_cb cb, void *data);

/* Attribute tables: tb[] must hold NL_TB_MAX + 1 entries. */
void nl_parse(const struct nlmsghdr *nlh, size_t hdrlen,
	      const struct nlattr **tb);
void nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb);

/* Getters that tolerate absent or short attributes. */
uint8_t nl_u8(const struct nlattr *a, uint8_t def);
uint16_t nl_u16(const struct nlattr *a, uint16_t def);
uint32_t nl_u32(const struct nlattr *a, uint32_t def);
uint64_t nl_u64(const struct nlattr *a, uint64_t def);
const char *nl_str(const struct nlattr *a);	/* NULL unless terminated */

#endif /* _ATNET_NL_H */
