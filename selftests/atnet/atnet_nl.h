/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atnet_nl.h - a small generic netlink client for the atnet VM tests:
 * commands with extack messages, GET parsed into a struct, events with a
 * deadline, and the simulator's control socket; also the AF_ATNET family
 * number and a connected socket, which every test of the module needs
 * (sock_lib.h adds the socket bed on top). No libraries: the test
 * binaries are static and the harness forks for every test.
 */
#ifndef ATNET_SELFTEST_NL_H
#define ATNET_SELFTEST_NL_H

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <linux/atnet.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct anl {
	int fd;
	int family;
	int mcgrp;
	unsigned int seq;
	char err[256];		/* extack message of the last error */
	char buf[16384];
};

struct anl_ctx {
	int present;
	int id;
	int state;
	int ifindex;
	char apn[64];
	char user[64];
	int has_password;
	struct in_addr addr;
};

struct anl_modem {
	int ifindex;
	char ifname[IF_NAMESIZE];
	char tty[64];
	char model[64];
	char firmware[64];
	char reason[256];
	char operator[64];
	int dialect;
	int state;
	int signal;
	int event;
	int n_ctx;
	struct anl_ctx ctx[ATNET_CONTEXTS];
	unsigned long long garbage;
	unsigned long long restarts;
	unsigned long long reconciles;
	unsigned long long links_lost;
	unsigned long long recover[3];	/* close, shut, reset */
	int lsn_on;			/* ATNET_A_LISTENER */
	int lsn_port;
	int lsn_ctx;
	int n_links;			/* ATNET_A_LINKS */
	struct anl_link {
		int slot;
		int proto;		/* IPPROTO_TCP or IPPROTO_UDP */
		int state;
		int ctx;
		char modem_state[32];
		unsigned long long acked;
		unsigned int max_send;
	} links[8];
};

static inline long long anl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Message building: one request at a time in a static buffer. */
struct anl_msg {
	char buf[4096];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
};

static inline void *anl_tail(struct anl_msg *m)
{
	return m->buf + NLMSG_ALIGN(m->nlh->nlmsg_len);
}

static inline struct nlattr *anl_put(struct anl_msg *m, int type,
				     const void *data, size_t len)
{
	struct nlattr *a = anl_tail(m);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh->nlmsg_len = NLMSG_ALIGN(m->nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static inline void anl_put_u32(struct anl_msg *m, int type, unsigned int v)
{
	anl_put(m, type, &v, 4);
}

static inline void anl_put_u8(struct anl_msg *m, int type, unsigned char v)
{
	anl_put(m, type, &v, 1);
}

static inline void anl_put_str(struct anl_msg *m, int type, const char *s)
{
	anl_put(m, type, s, strlen(s) + 1);
}

static inline void anl_nest_start(struct anl_msg *m, int type)
{
	m->nest = anl_put(m, type | NLA_F_NESTED, NULL, 0);
}

static inline void anl_nest_end(struct anl_msg *m)
{
	m->nest->nla_len = (char *)anl_tail(m) - (char *)m->nest;
}

static inline void anl_msg_init(struct anl_msg *m, int family, int cmd,
				int flags)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, sizeof(m->buf));
	m->nlh = (struct nlmsghdr *)m->buf;
	m->nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh->nlmsg_type = family;
	m->nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = NLMSG_DATA(m->nlh);
	g->cmd = cmd;
	g->version = ATNET_GENL_VERSION;
}

#define anl_for_each_attr(a, head, len)					\
	for ((a) = (struct nlattr *)(head);				\
	     (len) >= (int)NLA_HDRLEN && (a)->nla_len >= NLA_HDRLEN &&	\
	     (a)->nla_len <= (len);					\
	     (len) -= NLA_ALIGN((a)->nla_len),				\
	     (a) = (struct nlattr *)((char *)(a) + NLA_ALIGN((a)->nla_len)))

#define ANL_TYPE(a)	((a)->nla_type & NLA_TYPE_MASK)
#define ANL_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))
#define ANL_LEN(a)	((int)(a)->nla_len - NLA_HDRLEN)

static inline void anl_str(char *dst, size_t size, const struct nlattr *a)
{
	snprintf(dst, size, "%.*s", ANL_LEN(a), (const char *)ANL_DATA(a));
}

/* Parse an nlmsgerr; 0 for an ACK, -errno otherwise (extack into nl->err). */
static inline int anl_errmsg(struct anl *nl, struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nlattr *a;
	int len, off;

	if (e->error && (nlh->nlmsg_flags & NLM_F_ACK_TLVS)) {
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		len = nlh->nlmsg_len - NLMSG_HDRLEN - off;
		anl_for_each_attr(a, (char *)e + off, len)
			if (ANL_TYPE(a) == NLMSGERR_ATTR_MSG)
				anl_str(nl->err, sizeof(nl->err), a);
	}
	return e->error;
}

typedef void (*anl_cb)(struct nlmsghdr *nlh, void *arg);

/* Send @m, collect replies into @cb until the ACK/DONE. */
static inline int anl_talk(struct anl *nl, struct anl_msg *m, anl_cb cb,
			   void *arg)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nlh;
	int n, err = 0, done = 0;

	nl->err[0] = '\0';
	m->nlh->nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, m->buf, m->nlh->nlmsg_len, 0, (void *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	while (!done) {
		n = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
		if (n < 0)
			return -errno;
		for (nlh = (void *)nl->buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != nl->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				err = anl_errmsg(nl, nlh);
				done = 1;
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				done = !(m->nlh->nlmsg_flags & NLM_F_ACK) ||
				       done;
				done = 1;
			} else if (cb) {
				cb(nlh, arg);
			}
		}
	}
	return err;
}

/*
 * The error form of an answer (uapi "Requests"): ATNET_A_ERRNO, with
 * ATNET_A_ERRMSG into nl->err. 0 when @nlh is no error.
 */
static inline int anl_reply_err(struct anl *nl, struct nlmsghdr *nlh)
{
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), err = 0;
	struct nlattr *a;

	anl_for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN, len) {
		if (ANL_TYPE(a) == ATNET_A_ERRNO)
			err = -*(int *)ANL_DATA(a);
		if (ANL_TYPE(a) == ATNET_A_ERRMSG)
			anl_str(nl->err, sizeof(nl->err), a);
	}
	return err;
}

/* Send @m with a new sequence number; returns it, or -errno. */
static inline int anl_send(struct anl *nl, struct anl_msg *m)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	m->nlh->nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, m->buf, m->nlh->nlmsg_len, 0, (void *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	return nl->seq;
}

static inline int anl_await(struct anl *nl, int seq, anl_cb cb, void *arg,
			    long long t0, int ms, long long *ack_ms);

/*
 * A request the module answers later (RESOLVE, PING, LISTENER_*): the ack
 * comes at once, the answer (same command, same sequence number) when the
 * modem is done, an error as its error form. Waits up to @ms for both, in
 * either order. 0, the -errno of the ack or of the answer (message in
 * nl->err), or -ETIMEDOUT. *ack_ms (may be NULL): how long the ack took,
 * -1 when none came.
 */
static inline int anl_ask(struct anl *nl, struct anl_msg *m, anl_cb cb,
			  void *arg, int ms, long long *ack_ms)
{
	long long t0 = anl_now_ms();
	int seq;

	nl->err[0] = '\0';
	if (ack_ms)
		*ack_ms = -1;
	seq = anl_send(nl, m);
	if (seq < 0)
		return seq;
	return anl_await(nl, seq, cb, arg, t0, ms, ack_ms);
}

/*
 * anl_ask() after its send: the ack and the answer to @seq, @t0 the time
 * of the send. The answer may come before the ack: both are kept apart.
 */
static inline int anl_await(struct anl *nl, int seq, anl_cb cb, void *arg,
			    long long t0, int ms, long long *ack_ms)
{
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	int n, left, ack_err = 0, err = 0, acked = 0, answered = 0;
	long long deadline = t0 + ms;
	struct nlmsghdr *nlh;

	while (!acked || !answered) {
		left = deadline - anl_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = recv(nl->fd, nl->buf, sizeof(nl->buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;	/* ENOBUFS: something was lost */
		}
		for (nlh = (void *)nl->buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if ((int)nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				acked = 1;
				if (ack_ms)
					*ack_ms = anl_now_ms() - t0;
				ack_err = anl_errmsg(nl, nlh);
				if (ack_err)
					return ack_err;
			} else if (nlh->nlmsg_type == nl->family) {
				answered = 1;
				err = anl_reply_err(nl, nlh);
				if (!err && cb)
					cb(nlh, arg);
			}
		}
	}
	return err;
}

static void anl_family_cb(struct nlmsghdr *nlh, void *arg)
{
	struct anl *nl = arg;
	struct nlattr *a, *g, *ga;
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), glen, galen;
	int id;
	char name[64];

	anl_for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN, len) {
		if (ANL_TYPE(a) == CTRL_ATTR_FAMILY_ID)
			nl->family = *(unsigned short *)ANL_DATA(a);
		if (ANL_TYPE(a) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		glen = ANL_LEN(a);
		anl_for_each_attr(g, ANL_DATA(a), glen) {
			id = -1;
			name[0] = '\0';
			galen = ANL_LEN(g);
			anl_for_each_attr(ga, ANL_DATA(g), galen) {
				if (ANL_TYPE(ga) == CTRL_ATTR_MCAST_GRP_ID)
					id = *(unsigned int *)ANL_DATA(ga);
				if (ANL_TYPE(ga) == CTRL_ATTR_MCAST_GRP_NAME)
					anl_str(name, sizeof(name), ga);
			}
			if (!strcmp(name, ATNET_GENL_MCGRP_EVENTS))
				nl->mcgrp = id;
		}
	}
}

/* Open a socket and resolve the family; @events joins the events group. */
static inline int anl_open(struct anl *nl, int events)
{
	struct anl_msg m;
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	anl_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)NLMSG_DATA(m.nlh))->version = 1;
	anl_put_str(&m, CTRL_ATTR_FAMILY_NAME, ATNET_GENL_NAME);
	err = anl_talk(nl, &m, anl_family_cb, nl);
	if (err)
		return err;
	if (events) {
		if (nl->mcgrp < 0 ||
		    setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &nl->mcgrp, sizeof(nl->mcgrp)))
			return -errno ?: -ENOENT;
	}
	return 0;
}

static inline void anl_close(struct anl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static inline void anl_parse_ctx(struct anl_modem *md, struct nlattr *c)
{
	struct anl_ctx x = { .present = 1, .id = -1 };
	int len = ANL_LEN(c);
	struct nlattr *a;

	anl_for_each_attr(a, ANL_DATA(c), len) {
		switch (ANL_TYPE(a)) {
		case ATNET_CTX_A_ID:
			x.id = *(unsigned char *)ANL_DATA(a);
			break;
		case ATNET_CTX_A_STATE:
			x.state = *(unsigned char *)ANL_DATA(a);
			break;
		case ATNET_CTX_A_APN:
			anl_str(x.apn, sizeof(x.apn), a);
			break;
		case ATNET_CTX_A_USER:
			anl_str(x.user, sizeof(x.user), a);
			break;
		case ATNET_CTX_A_PASSWORD:
			x.has_password = 1;
			break;
		case ATNET_CTX_A_ADDR:
			memcpy(&x.addr, ANL_DATA(a), 4);
			break;
		case ATNET_CTX_A_IFINDEX:
			x.ifindex = *(unsigned int *)ANL_DATA(a);
			break;
		}
	}
	if (x.id >= 0 && x.id < ATNET_CONTEXTS) {
		md->ctx[x.id] = x;
		if (x.id + 1 > md->n_ctx)
			md->n_ctx = x.id + 1;
	}
}

/* GET replies and events share the attribute space. */
static inline void anl_parse_modem(struct nlmsghdr *nlh, struct anl_modem *md)
{
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), l2;
	struct nlattr *a, *c;

	memset(md, 0, sizeof(*md));
	md->state = -1;
	anl_for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN, len) {
		switch (ANL_TYPE(a)) {
		case ATNET_A_IFINDEX:
			md->ifindex = *(unsigned int *)ANL_DATA(a);
			break;
		case ATNET_A_IFNAME:
			anl_str(md->ifname, sizeof(md->ifname), a);
			break;
		case ATNET_A_TTY:
			anl_str(md->tty, sizeof(md->tty), a);
			break;
		case ATNET_A_MODEL:
			anl_str(md->model, sizeof(md->model), a);
			break;
		case ATNET_A_FIRMWARE:
			anl_str(md->firmware, sizeof(md->firmware), a);
			break;
		case ATNET_A_REASON:
			anl_str(md->reason, sizeof(md->reason), a);
			break;
		case ATNET_A_OPERATOR:
			anl_str(md->operator, sizeof(md->operator), a);
			break;
		case ATNET_A_DIALECT:
			md->dialect = *(unsigned char *)ANL_DATA(a);
			break;
		case ATNET_A_STATE:
			md->state = *(unsigned char *)ANL_DATA(a);
			break;
		case ATNET_A_SIGNAL:
			md->signal = *(unsigned char *)ANL_DATA(a);
			break;
		case ATNET_A_EVENT:
			md->event = *(unsigned char *)ANL_DATA(a);
			break;
		case ATNET_A_CONTEXT:
			anl_parse_ctx(md, a);
			break;
		case ATNET_A_CONTEXTS:
			l2 = ANL_LEN(a);
			anl_for_each_attr(c, ANL_DATA(a), l2)
				if (ANL_TYPE(c) == ATNET_A_CONTEXT)
					anl_parse_ctx(md, c);
			break;
		case ATNET_A_COUNTERS:
			l2 = ANL_LEN(a);
			anl_for_each_attr(c, ANL_DATA(a), l2) {
				if (ANL_TYPE(c) == ATNET_CNT_A_GARBAGE)
					memcpy(&md->garbage, ANL_DATA(c), 8);
				if (ANL_TYPE(c) == ATNET_CNT_A_RESTARTS)
					memcpy(&md->restarts, ANL_DATA(c), 8);
				if (ANL_TYPE(c) == ATNET_CNT_A_RECONCILES)
					memcpy(&md->reconciles, ANL_DATA(c), 8);
				if (ANL_TYPE(c) == ATNET_CNT_A_LINKS_LOST)
					memcpy(&md->links_lost, ANL_DATA(c), 8);
				if (ANL_TYPE(c) >= ATNET_CNT_A_RECOVER_CLOSE &&
				    ANL_TYPE(c) <= ATNET_CNT_A_RECOVER_RESET)
					memcpy(&md->recover[ANL_TYPE(c) -
						ATNET_CNT_A_RECOVER_CLOSE],
					       ANL_DATA(c), 8);
			}
			break;
		case ATNET_A_LISTENER:
			l2 = ANL_LEN(a);
			anl_for_each_attr(c, ANL_DATA(a), l2) {
				if (ANL_TYPE(c) == ATNET_LSN_A_STATE)
					md->lsn_on = *(unsigned char *)ANL_DATA(c);
				if (ANL_TYPE(c) == ATNET_LSN_A_PORT)
					md->lsn_port = *(unsigned short *)ANL_DATA(c);
				if (ANL_TYPE(c) == ATNET_LSN_A_CONTEXT)
					md->lsn_ctx = *(unsigned char *)ANL_DATA(c);
			}
			break;
		case ATNET_A_LINKS:
			l2 = ANL_LEN(a);
			anl_for_each_attr(c, ANL_DATA(a), l2) {
				struct anl_link *k;
				struct nlattr *x;
				int l3 = ANL_LEN(c);

				if (ANL_TYPE(c) != ATNET_A_LINK || md->n_links >= 8)
					continue;
				k = &md->links[md->n_links++];
				anl_for_each_attr(x, ANL_DATA(c), l3) {
					switch (ANL_TYPE(x)) {
					case ATNET_LINK_A_SLOT:
						k->slot = *(unsigned char *)ANL_DATA(x);
						break;
					case ATNET_LINK_A_PROTO:
						k->proto = *(unsigned char *)ANL_DATA(x);
						break;
					case ATNET_LINK_A_STATE:
						k->state = *(unsigned char *)ANL_DATA(x);
						break;
					case ATNET_LINK_A_CONTEXT:
						k->ctx = *(unsigned char *)ANL_DATA(x);
						break;
					case ATNET_LINK_A_MODEM_STATE:
						anl_str(k->modem_state,
							sizeof(k->modem_state), x);
						break;
					case ATNET_LINK_A_ACKED:
						memcpy(&k->acked, ANL_DATA(x), 8);
						break;
					case ATNET_LINK_A_MAX_SEND:
						k->max_send = *(unsigned int *)ANL_DATA(x);
						break;
					}
				}
			}
			break;
		}
	}
}

static void anl_get_cb(struct nlmsghdr *nlh, void *arg)
{
	anl_parse_modem(nlh, arg);
}

static inline void anl_name(struct anl_msg *m, const char *ifname)
{
	anl_put_str(m, ATNET_A_IFNAME, ifname);
}

static inline int anl_get(struct anl *nl, const char *ifname,
			  struct anl_modem *md)
{
	struct anl_msg m;

	anl_msg_init(&m, nl->family, ATNET_CMD_GET, 0);
	anl_name(&m, ifname);
	memset(md, 0, sizeof(*md));
	md->state = -1;
	return anl_talk(nl, &m, anl_get_cb, md);
}

struct anl_dump {
	int count;
	struct anl_modem last;
};

static void anl_dump_cb(struct nlmsghdr *nlh, void *arg)
{
	struct anl_dump *d = arg;

	d->count++;
	anl_parse_modem(nlh, &d->last);
}

static inline int anl_dump(struct anl *nl, struct anl_dump *d)
{
	struct anl_msg m;

	memset(d, 0, sizeof(*d));
	anl_msg_init(&m, nl->family, ATNET_CMD_GET, NLM_F_DUMP);
	return anl_talk(nl, &m, anl_dump_cb, d);
}

/* SET_CONTEXT: NULL strings are left out. */
static inline int anl_set(struct anl *nl, const char *ifname, int ctx,
			  const char *apn, const char *user, const char *pwd)
{
	struct anl_msg m;

	anl_msg_init(&m, nl->family, ATNET_CMD_SET_CONTEXT, 0);
	anl_name(&m, ifname);
	anl_nest_start(&m, ATNET_A_CONTEXT);
	if (ctx >= 0)
		anl_put_u8(&m, ATNET_CTX_A_ID, ctx);
	if (apn)
		anl_put_str(&m, ATNET_CTX_A_APN, apn);
	if (user)
		anl_put_str(&m, ATNET_CTX_A_USER, user);
	if (pwd)
		anl_put_str(&m, ATNET_CTX_A_PASSWORD, pwd);
	anl_nest_end(&m);
	return anl_talk(nl, &m, NULL, NULL);
}

static inline int anl_updown(struct anl *nl, const char *ifname, int ctx,
			     int up)
{
	struct anl_msg m;

	anl_msg_init(&m, nl->family,
		     up ? ATNET_CMD_CONTEXT_UP : ATNET_CMD_CONTEXT_DOWN, 0);
	anl_name(&m, ifname);
	if (ctx >= 0) {
		anl_nest_start(&m, ATNET_A_CONTEXT);
		anl_put_u8(&m, ATNET_CTX_A_ID, ctx);
		anl_nest_end(&m);
	}
	return anl_talk(nl, &m, NULL, NULL);
}

/* LISTENER_START (@port > 0; @ctx < 0: the interface's) or LISTENER_STOP. */
static inline int anl_listen(struct anl *nl, const char *ifname, int port,
			     int ctx)
{
	struct anl_msg m;
	unsigned short p = port;

	anl_msg_init(&m, nl->family, port ? ATNET_CMD_LISTENER_START :
		     ATNET_CMD_LISTENER_STOP, 0);
	anl_name(&m, ifname);
	if (port) {
		anl_nest_start(&m, ATNET_A_LISTENER);
		anl_put(&m, ATNET_LSN_A_PORT, &p, 2);
		if (ctx >= 0)
			anl_put_u8(&m, ATNET_LSN_A_CONTEXT, ctx);
		anl_nest_end(&m);
	}
	return anl_ask(nl, &m, NULL, NULL, 30000, NULL);
}

/*
 * Wait up to @ms for event @event (and context @ctx unless -1) on an events
 * socket; other events are skipped. 0 and *md filled, or -ETIMEDOUT.
 */
static inline int anl_wait_event(struct anl *nl, int event, int ctx, int ms,
				 struct anl_modem *md)
{
	long long deadline = anl_now_ms() + ms;
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	int n, left;

	for (;;) {
		left = deadline - anl_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = recv(nl->fd, nl->buf, sizeof(nl->buf), MSG_DONTWAIT);
		if (n < 0)
			continue;
		for (nlh = (void *)nl->buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type != nl->family)
				continue;
			anl_parse_modem(nlh, md);
			if (md->event != event)
				continue;
			if (ctx >= 0 && (!md->ctx[ctx].present))
				continue;
			return 0;
		}
	}
}

/* Poll GET until the modem reaches @state (or fails), up to @ms. */
static inline int anl_wait_state(struct anl *nl, const char *ifname,
				 int state, int ms, struct anl_modem *md)
{
	long long deadline = anl_now_ms() + ms;
	int err;

	do {
		err = anl_get(nl, ifname, md);
		if (!err && md->state == state)
			return 0;
		usleep(100000);
	} while (anl_now_ms() < deadline);
	return err ?: -ETIMEDOUT;
}

/*
 * Poll GET until context @ctx is in @state and the modem READY, up to @ms;
 * *md holds the last GET. 0 or -ETIMEDOUT.
 */
static inline int anl_wait_ctx(struct anl *nl, const char *ifname, int ctx,
			       int state, int ms, struct anl_modem *md)
{
	long long end = anl_now_ms() + ms;

	while (anl_now_ms() < end) {
		if (!anl_get(nl, ifname, md) && md->state == ATNET_MODEM_READY &&
		    md->ctx[ctx].state == state)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/* CONTEXT_UP of @ctx, then up to 60 s (the bed's PDP activation) for it. */
static inline int anl_ctx_up(struct anl *nl, const char *ifname, int ctx)
{
	struct anl_modem md;

	anl_updown(nl, ifname, ctx, 1);
	return anl_wait_ctx(nl, ifname, ctx, ATNET_CTX_UP, 60000, &md);
}

/* IFLA_CARRIER over rtnetlink: sysfs hides it while the link is down. */
static inline int anl_carrier(const char *ifname)
{
	struct {
		struct nlmsghdr nlh;
		struct ifinfomsg ifi;
	} req = {
		.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nlh.nlmsg_type = RTM_GETLINK,
		.nlh.nlmsg_flags = NLM_F_REQUEST,
		.ifi.ifi_family = AF_UNSPEC,
	};
	char buf[8192];
	struct nlmsghdr *nlh;
	struct rtattr *rta;
	int fd, n, len, carrier = -1;

	req.ifi.ifi_index = if_nametoindex(ifname);
	if (!req.ifi.ifi_index)
		return -1;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (send(fd, &req, req.nlh.nlmsg_len, 0) < 0) {
		close(fd);
		return -1;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	for (nlh = (void *)buf; n > 0 && NLMSG_OK(nlh, n);
	     nlh = NLMSG_NEXT(nlh, n)) {
		if (nlh->nlmsg_type != RTM_NEWLINK)
			continue;
		len = IFLA_PAYLOAD(nlh);
		for (rta = IFLA_RTA(NLMSG_DATA(nlh)); RTA_OK(rta, len);
		     rta = RTA_NEXT(rta, len))
			if (rta->rta_type == IFLA_CARRIER)
				carrier = *(unsigned char *)RTA_DATA(rta);
	}
	return carrier;
}

/*
 * One command on the simulator's control socket ($SIM_CTL, or @path):
 * 0 when it answered "ok".
 */
static inline int sim_ctl_at(const char *path, const char *cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[1024];
	size_t used = 0;
	int fd, n;

	if (!path)
		path = getenv("SIM_CTL") ?: "/run/sim.ctl";
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (void *)&sa, sizeof(sa)) ||
	    write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
		close(fd);
		return -errno;
	}
	while (used < sizeof(buf) - 1) {
		n = read(fd, buf + used, sizeof(buf) - 1 - used);
		if (n <= 0)
			break;
		used += n;
		buf[used] = '\0';
		if (strstr(buf, "ok\n") || strstr(buf, "error"))
			break;
	}
	close(fd);
	buf[used] = '\0';
	return strstr(buf, "error") || !strstr(buf, "ok") ? -EIO : 0;
}

static inline int sim_ctl(const char *cmd)
{
	return sim_ctl_at(NULL, cmd);
}

/* Whether the simulator's "status" has a line matching the regex @what. */
static inline int sim_has(const char *what)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "printf 'status\\n' | socat -t 5 - UNIX-CONNECT:%s | grep -q '%s'",
		 getenv("SIM_CTL") ?: "/run/sim.ctl", what);
	return system(cmd) == 0;
}

/*
 * fork() for a check without privileges: the child runs as nobody (uid and
 * gid 65534, so without CAP_NET_ADMIN) or exits 10. Returns as fork() does.
 */
static inline pid_t anl_fork_nobody(void)
{
	pid_t pid = fork();

	if (!pid && (setgid(65534) || setuid(65534)))
		_exit(10);
	return pid;
}

/* An integer file (sysfs, a module parameter), -1 if there is none. */
static inline int read_int_file(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

#define ATNET_PARAM	"/sys/module/atnet/parameters/"

/* Write module parameter @name (a test's thresholds); 0 or -errno. */
static inline int atnet_param_set(const char *name, const char *val)
{
	char path[128];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), ATNET_PARAM "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	err = fputs(val, f) < 0;
	return fclose(f) || err ? -EIO : 0;
}

/*
 * The recovery and status parameters the rec_* tests change: read before
 * the test and written back after it, so no test copies the module's
 * defaults (which would drift from kernel/modem.c).
 */
static const char *const atnet_rec_param_names[] = {
	"recover_window_ms", "recover_close", "recover_shut",
	"recover_reset", "status_interval_ms",
};

#define ATNET_REC_PARAMS \
	(sizeof(atnet_rec_param_names) / sizeof(atnet_rec_param_names[0]))

struct atnet_rec_params {
	int val[ATNET_REC_PARAMS];
};

static inline int atnet_rec_params_save(struct atnet_rec_params *p)
{
	char path[128];
	size_t i;

	for (i = 0; i < ATNET_REC_PARAMS; i++) {
		snprintf(path, sizeof(path), ATNET_PARAM "%s",
			 atnet_rec_param_names[i]);
		p->val[i] = read_int_file(path);
		if (p->val[i] < 0)
			return -EIO;
	}
	return 0;
}

static inline void atnet_rec_params_restore(const struct atnet_rec_params *p)
{
	char val[16];
	size_t i;

	for (i = 0; i < ATNET_REC_PARAMS; i++) {
		if (p->val[i] < 0)
			continue;
		snprintf(val, sizeof(val), "%d", p->val[i]);
		atnet_param_set(atnet_rec_param_names[i], val);
	}
}

/* The AF_ATNET family number, as the module parameter says. */
static inline int atnet_af(void)
{
	return read_int_file(ATNET_PARAM "family");
}

static inline struct sockaddr_atnet sat_of(const char *ip, int port)
{
	struct sockaddr_atnet a;

	memset(&a, 0, sizeof(a));
	a.sat_family = atnet_af();
	a.sat_port = htons(port);
	inet_pton(AF_INET, ip, &a.sat_addr);
	return a;
}

static inline int sock_new(int type)
{
	return socket(atnet_af(), type | SOCK_CLOEXEC, 0);
}

/*
 * A socket of @type connected to @ip:@port on the context of @ifname (its
 * sat_ifindex; NULL: the default context), or -errno.
 */
static inline int sock_connect_on(int type, const char *ifname,
				  const char *ip, int port)
{
	struct sockaddr_atnet a = sat_of(ip, port);
	int fd = sock_new(type), e;

	if (fd < 0)
		return -errno;
	if (ifname)
		a.sat_ifindex = if_nametoindex(ifname);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

/* A connected socket or -errno. */
static inline int sock_connect(int type, const char *ip, int port)
{
	return sock_connect_on(type, NULL, ip, port);
}

static inline void set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

#endif /* ATNET_SELFTEST_NL_H */
