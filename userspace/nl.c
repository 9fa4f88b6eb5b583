// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netlink.h>

#include "nl.h"

static char nl_buf[NL_BUFSIZE] __attribute__((aligned(8)));

int nl_open(struct nl *nl, int bus)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open(bus);
	if (!nl->sock)
		return -errno;
	/*
	 * Extended acks carry the kernel's explanation ("APN contains '"'");
	 * capped acks keep our request out of the error so it stays small.
	 * Both are best effort: old kernels just do not explain.
	 */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

int nl_fd(const struct nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

static int nl_tb_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= NL_TB_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

void nl_parse(const struct nlmsghdr *nlh, size_t hdrlen,
	      const struct nlattr **tb)
{
	memset(tb, 0, sizeof(*tb) * (NL_TB_MAX + 1));
	if (mnl_nlmsg_get_payload_len(nlh) >= hdrlen)
		mnl_attr_parse(nlh, hdrlen, nl_tb_cb, tb);
}

void nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb)
{
	memset(tb, 0, sizeof(*tb) * (NL_TB_MAX + 1));
	if (nest)
		mnl_attr_parse_nested(nest, nl_tb_cb, tb);
}

uint8_t nl_u8(const struct nlattr *a, uint8_t def)
{
	return a && mnl_attr_get_payload_len(a) >= 1 ? mnl_attr_get_u8(a) : def;
}

uint16_t nl_u16(const struct nlattr *a, uint16_t def)
{
	return a && mnl_attr_get_payload_len(a) >= 2 ? mnl_attr_get_u16(a) : def;
}

uint32_t nl_u32(const struct nlattr *a, uint32_t def)
{
	return a && mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : def;
}

uint64_t nl_u64(const struct nlattr *a, uint64_t def)
{
	uint64_t v;

	if (!a)
		return def;
	if (mnl_attr_get_payload_len(a) == 4)
		return mnl_attr_get_u32(a);
	if (mnl_attr_get_payload_len(a) < 8)
		return def;
	/* u64 attributes are only 4-byte aligned */
	memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
	return v;
}

const char *nl_str(const struct nlattr *a)
{
	uint16_t len;

	if (!a)
		return NULL;
	len = mnl_attr_get_payload_len(a);
	if (!len || memchr(mnl_attr_get_payload(a), '\0', len) == NULL)
		return NULL;
	return mnl_attr_get_str(a);
}

/* Remember the extack message that follows an error or a failed dump. */
static void nl_extack(struct nl *nl, const struct nlmsghdr *nlh, size_t off)
{
	const struct nlattr *tb[NL_TB_MAX + 1];
	const char *msg;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	nl_parse(nlh, off, tb);
	msg = nl_str(tb[NLMSGERR_ATTR_MSG]);
	if (msg)
		snprintf(nl->ext, sizeof(nl->ext), "%s", msg);
}

static int nl_error(struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return -EBADMSG;
	if (!err->error)
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	nl_extack(nl, nlh, off);
	return err->error;
}

static int nl_done(struct nl *nl, const struct nlmsghdr *nlh)
{
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err < 0)
		nl_extack(nl, nlh, sizeof(err));
	return err < 0 ? err : 0;
}

/*
 * Walk one datagram. Returns 1 when the exchange is over, 0 to keep
 * reading, -errno on error. Stale answers (other seq) are skipped.
 */
static int nl_walk(struct nl *nl, int len, bool solicited,
		   nl_msg_cb cb, void *data)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl_buf;
	int ret;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (solicited && (nlh->nlmsg_seq != nl->seq ||
				  nlh->nlmsg_pid != nl->portid))
			continue;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			continue;
		case NLMSG_ERROR:
			ret = nl_error(nl, nlh);
			return ret ? ret : 1;
		case NLMSG_DONE:
			ret = nl_done(nl, nlh);
			return ret ? ret : 1;
		}
		if (cb) {
			ret = cb(nlh, data);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_msg_cb cb, void *data)
{
	ssize_t len;
	int ret;

	nl->ext[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl->sock, nl_buf, sizeof(nl_buf));
		if (len < 0)
			return -errno;
		ret = nl_walk(nl, (int)len, true, cb, data);
	} while (ret == 0);
	return ret < 0 ? ret : 0;
}

struct nl_answer {
	nl_msg_cb cb;
	void *data;
	bool answered;
};

static int nl_answer_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_answer *a = data;

	a->answered = true;
	return a->cb ? a->cb(nlh, a->data) : 0;
}

static long long nl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int nl_ask(struct nl *nl, struct nlmsghdr *nlh, nl_msg_cb cb, void *data)
{
	struct nl_answer a = { .cb = cb, .data = data };
	long long deadline = nl_now_ms() + (nl->ask_ms ?: NL_ASK_MS);
	struct pollfd pfd = { .fd = nl_fd(nl), .events = POLLIN };
	bool acked = false;
	long long left;
	ssize_t len;
	int ret;

	nl->ext[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		left = deadline - nl_now_ms();
		ret = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (!ret) {
			snprintf(nl->ext, sizeof(nl->ext),
				 "no %s from the kernel within %u s",
				 acked ? "answer" : "acknowledgement",
				 (nl->ask_ms ?: NL_ASK_MS) / 1000);
			return -ETIMEDOUT;
		}
		len = mnl_socket_recvfrom(nl->sock, nl_buf, sizeof(nl_buf));
		if (len < 0)
			return -errno;
		ret = nl_walk(nl, (int)len, true, nl_answer_cb, &a);
		if (ret < 0)
			return ret;
		if (ret)
			acked = true;
	} while (!acked || !a.answered);
	return 0;
}

int nl_recv(struct nl *nl, nl_msg_cb cb, void *data)
{
	ssize_t len;
	int ret;

	len = mnl_socket_recvfrom(nl->sock, nl_buf, sizeof(nl_buf));
	if (len < 0)
		return -errno;
	ret = nl_walk(nl, (int)len, false, cb, data);
	return ret < 0 ? ret : 0;
}
