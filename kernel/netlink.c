// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "atnet". The protocol is documented in
 * uapi/linux/atnet.h. The family runs with parallel_ops: a command only ever
 * holds one modem's lock, and only while it reads or queues, never while the
 * modem thinks, so a slow modem stalls nobody. No doit sleeps on the modem:
 * CONTEXT_UP and CONTEXT_DOWN report their outcome as an event; RESOLVE,
 * PING and the LISTENER commands queue a request (request.c), are
 * acknowledged at once, and their answer is a unicast message to the
 * caller's port and sequence number, built here (atnet_nl_answer). A caller
 * whose socket closes cancels what it asked (NETLINK_URELEASE).
 */
#include <linux/ctype.h>
#include <linux/netdevice.h>
#include <linux/stringify.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include <linux/atnet.h>

#include "dialect.h"
#include "link.h"
#include "modem.h"
#include "netlink.h"
#include "request.h"

#define ATNET_PING_DEFAULT	4

/* Strings are checked by hand below, so that the message names the problem. */
#define ATNET_STR_POLICY_MAX	255

static const struct nla_policy atnet_ctx_policy[ATNET_CTX_A_MAX + 1] = {
	[ATNET_CTX_A_ID] = NLA_POLICY_MAX(NLA_U8, ATNET_CONTEXTS - 1),
	[ATNET_CTX_A_APN] = { .type = NLA_STRING, .len = ATNET_STR_POLICY_MAX },
	[ATNET_CTX_A_USER] = { .type = NLA_STRING, .len = ATNET_STR_POLICY_MAX },
	[ATNET_CTX_A_PASSWORD] = { .type = NLA_STRING,
				   .len = ATNET_STR_POLICY_MAX },
};

static const struct nla_policy atnet_lsn_policy[ATNET_LSN_A_MAX + 1] = {
	[ATNET_LSN_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[ATNET_LSN_A_CONTEXT] = NLA_POLICY_MAX(NLA_U8, ATNET_CONTEXTS - 1),
};

static const struct nla_policy atnet_policy[ATNET_A_MAX + 1] = {
	[ATNET_A_IFINDEX] = { .type = NLA_U32 },
	[ATNET_A_IFNAME] = { .type = NLA_STRING, .len = IFNAMSIZ - 1 },
	[ATNET_A_CONTEXT] = NLA_POLICY_NESTED(atnet_ctx_policy),
	[ATNET_A_LISTENER] = NLA_POLICY_NESTED(atnet_lsn_policy),
	/* Longer than allowed, so that the check below names the problem. */
	[ATNET_A_HOST] = { .type = NLA_STRING, .len = 4 * ATNET_HOST_MAX },
	[ATNET_A_ADDR] = { .type = NLA_U32 },
	[ATNET_A_PING_COUNT] = NLA_POLICY_RANGE(NLA_U32, 1, ATNET_PING_MAX),
};

static struct genl_family atnet_genl_family;

enum atnet_mcgrp {
	ATNET_MCGRP_EVENTS,
};

static const struct genl_multicast_group atnet_mcgrps[] = {
	[ATNET_MCGRP_EVENTS] = { .name = ATNET_GENL_MCGRP_EVENTS },
};

/* Messages ---------------------------------------------------------------- */

static int atnet_nl_put_str(struct sk_buff *skb, int type, const char *s)
{
	return s[0] ? nla_put_string(skb, type, s) : 0;
}

/* The interface, or the modem's first one, names the modem. */
static int atnet_nl_put_ifindex(struct sk_buff *skb, struct atnet_modem *m,
				int ctx)
{
	struct net_device *dev = m->ctx[ctx].dev ?: m->ctx[0].dev;

	if (!dev)
		return 0;
	if (nla_put_u32(skb, ATNET_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, ATNET_A_IFNAME, dev->name))
		return -EMSGSIZE;
	return 0;
}

/*
 * @full: the APN too; @creds: the user name too (CAP_NET_ADMIN callers
 * only). The password is never reported.
 */
static int atnet_nl_put_ctx(struct sk_buff *skb, struct atnet_modem *m,
			    int i, bool full, bool creds)
{
	struct atnet_ctx *ctx = &m->ctx[i];
	struct nlattr *nest;

	nest = nla_nest_start(skb, ATNET_A_CONTEXT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, ATNET_CTX_A_ID, i) ||
	    nla_put_u8(skb, ATNET_CTX_A_STATE, ctx->state) ||
	    (ctx->state == ATNET_CTX_UP &&
	     nla_put_in_addr(skb, ATNET_CTX_A_ADDR, ctx->addr)) ||
	    (ctx->dev &&
	     nla_put_u32(skb, ATNET_CTX_A_IFINDEX, ctx->dev->ifindex)))
		goto cancel;
	if ((full && atnet_nl_put_str(skb, ATNET_CTX_A_APN, ctx->apn)) ||
	    (creds && atnet_nl_put_str(skb, ATNET_CTX_A_USER, ctx->user)))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int atnet_nl_put_link(struct sk_buff *skb, const struct atnet_link *l)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, ATNET_A_LINK);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, ATNET_LINK_A_SLOT, l->slot) ||
	    nla_put_u8(skb, ATNET_LINK_A_PROTO, l->proto) ||
	    nla_put_u8(skb, ATNET_LINK_A_STATE, l->state) ||
	    nla_put_u8(skb, ATNET_LINK_A_CONTEXT, l->ctx) ||
	    nla_put_in_addr(skb, ATNET_LINK_A_REMOTE_ADDR, l->remote_addr) ||
	    nla_put_u16(skb, ATNET_LINK_A_REMOTE_PORT,
			be16_to_cpu(l->remote_port)) ||
	    (l->local_port &&
	     nla_put_u16(skb, ATNET_LINK_A_LOCAL_PORT, l->local_port)) ||
	    nla_put_u64_64bit(skb, ATNET_LINK_A_TX_BYTES, l->tx_bytes,
			      ATNET_LINK_A_PAD) ||
	    nla_put_u64_64bit(skb, ATNET_LINK_A_RX_BYTES, l->rx_bytes,
			      ATNET_LINK_A_PAD) ||
	    nla_put_u64_64bit(skb, ATNET_LINK_A_ACKED, l->acked,
			      ATNET_LINK_A_PAD) ||
	    nla_put_u64_64bit(skb, ATNET_LINK_A_RX_DROPPED, l->rx_dropped,
			      ATNET_LINK_A_PAD) ||
	    nla_put_u64_64bit(skb, ATNET_LINK_A_NACKED, l->nacked,
			      ATNET_LINK_A_PAD) ||
	    nla_put_u32(skb, ATNET_LINK_A_MAX_SEND, l->mtu) ||
	    (l->modem_state[0] &&
	     nla_put_string(skb, ATNET_LINK_A_MODEM_STATE, l->modem_state))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Links in use; free slots are not worth a line. */
static int atnet_nl_put_links(struct sk_buff *skb, struct atnet_modem *m)
{
	const struct atnet_link *l;
	struct nlattr *nest;
	unsigned int i;

	lockdep_assert_held(&m->lock);
	nest = nla_nest_start(skb, ATNET_A_LINKS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ATNET_LINKS_MAX; i++) {
		l = atnet_link_by_slot(m, i);
		if (!l || l->state == ATNET_LINK_FREE)
			continue;
		if (atnet_nl_put_link(skb, l)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int atnet_nl_put_counters(struct sk_buff *skb, struct atnet_modem *m)
{
	const struct atnet_chat_stats *s = &m->chat.stats;
	const struct {
		int type;
		u64 val;
	} cnt[] = {
		{ ATNET_CNT_A_CMDS, s->cmds },
		{ ATNET_CNT_A_TIMEOUTS, s->timeouts },
		{ ATNET_CNT_A_ERRORS, s->errors },
		{ ATNET_CNT_A_GARBAGE, s->garbage },
		{ ATNET_CNT_A_URCS, s->urcs },
		{ ATNET_CNT_A_RESTARTS, m->restarts },
		{ ATNET_CNT_A_RECONCILES, m->rec.reconciles },
		{ ATNET_CNT_A_LINKS_LOST, m->rec.links_lost },
		{ ATNET_CNT_A_RECOVER_CLOSE, m->rec.recover_close },
		{ ATNET_CNT_A_RECOVER_SHUT, m->rec.recover_shut },
		{ ATNET_CNT_A_RECOVER_RESET, m->rec.recover_reset },
		{ ATNET_CNT_A_LINES, s->lines },
		{ ATNET_CNT_A_OVERLONG, s->overlong },
		{ ATNET_CNT_A_STRAYS, s->strays },
		{ ATNET_CNT_A_CANCELS, s->cancels },
		{ ATNET_CNT_A_SYNCS, s->syncs },
		{ ATNET_CNT_A_NOBUFS, s->nobufs },
		{ ATNET_CNT_A_DAMAGED, s->damaged },
		/* The transmit path counts it without m->lock. */
		{ ATNET_CNT_A_TX_OVERFLOWS, READ_ONCE(m->tx.overflows) },
	};
	struct nlattr *nest;
	unsigned int i;

	lockdep_assert_held(&m->lock);
	nest = nla_nest_start(skb, ATNET_A_COUNTERS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(cnt); i++) {
		if (nla_put_u64_64bit(skb, cnt[i].type, cnt[i].val,
				      ATNET_CNT_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int atnet_nl_put_listener(struct sk_buff *skb, struct atnet_modem *m)
{
	struct nlattr *nest;

	lockdep_assert_held(&m->lock);
	nest = nla_nest_start(skb, ATNET_A_LISTENER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, ATNET_LSN_A_STATE, m->lsn.on) ||
	    (m->lsn.on &&
	     (nla_put_u16(skb, ATNET_LSN_A_PORT, m->lsn.port) ||
	      nla_put_u8(skb, ATNET_LSN_A_CONTEXT, m->lsn.ctx)))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int atnet_nl_fill(struct sk_buff *skb, struct atnet_modem *m,
			 u32 portid, u32 seq, int flags, bool creds)
{
	struct nlattr *nest;
	void *hdr;
	int i;

	lockdep_assert_held(&m->lock);
	hdr = genlmsg_put(skb, portid, seq, &atnet_genl_family, flags,
			  ATNET_CMD_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (atnet_nl_put_ifindex(skb, m, 0) ||
	    nla_put_string(skb, ATNET_A_TTY, m->tty_name) ||
	    atnet_nl_put_str(skb, ATNET_A_MODEL, m->model) ||
	    atnet_nl_put_str(skb, ATNET_A_FIRMWARE, m->firmware) ||
	    nla_put_u8(skb, ATNET_A_DIALECT, atnet_modem_dialect(m)) ||
	    nla_put_u8(skb, ATNET_A_STATE, m->state) ||
	    ((m->state == ATNET_MODEM_FAILED || m->state == ATNET_MODEM_GONE) &&
	     atnet_nl_put_str(skb, ATNET_A_REASON, m->reason)) ||
	    nla_put_u8(skb, ATNET_A_SIGNAL, m->signal) ||
	    nla_put_u8(skb, ATNET_A_REG, m->reg) ||
	    atnet_nl_put_str(skb, ATNET_A_OPERATOR, m->operator) ||
	    nla_put_u32(skb, ATNET_A_OWNER_PID, m->owner_pid))
		goto cancel;

	nest = nla_nest_start(skb, ATNET_A_CONTEXTS);
	if (!nest)
		goto cancel;
	for (i = 0; i < m->n_ctx; i++)
		if (atnet_nl_put_ctx(skb, m, i, true, creds))
			goto cancel;
	nla_nest_end(skb, nest);

	if (atnet_nl_put_links(skb, m) || atnet_nl_put_listener(skb, m) ||
	    atnet_nl_put_counters(skb, m))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* The modem (and context) named by ATNET_A_IFINDEX or ATNET_A_IFNAME. */
static struct atnet_modem *atnet_nl_modem(struct genl_info *info, int *ctx)
{
	struct net *net = genl_info_net(info);
	struct atnet_modem *m = NULL;
	char name[IFNAMSIZ];

	if (info->attrs[ATNET_A_IFINDEX]) {
		u32 ifindex = nla_get_u32(info->attrs[ATNET_A_IFINDEX]);

		m = atnet_modem_get_by_ifindex(net, ifindex, ctx);
	} else if (info->attrs[ATNET_A_IFNAME]) {
		nla_strscpy(name, info->attrs[ATNET_A_IFNAME], sizeof(name));
		m = atnet_modem_get_by_ifname(net, name, ctx);
	} else {
		GENL_SET_ERR_MSG(info, "ATNET_A_IFINDEX or ATNET_A_IFNAME is required");
		return ERR_PTR(-EINVAL);
	}
	if (!m) {
		GENL_SET_ERR_MSG(info, "no atnet interface by that index or name");
		return ERR_PTR(-ENODEV);
	}
	return m;
}

/* Commands ---------------------------------------------------------------- */

static int atnet_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct atnet_modem *m;
	struct sk_buff *msg;
	int err;

	m = atnet_nl_modem(info, NULL);
	if (IS_ERR(m))
		return PTR_ERR(m);
	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	mutex_lock(&m->lock);
	err = atnet_nl_fill(msg, m, info->snd_portid, info->snd_seq, 0,
			    netlink_capable(skb, CAP_NET_ADMIN));
	mutex_unlock(&m->lock);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	atnet_modem_put(m);
	return err;
}

static int atnet_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	unsigned long idx = cb->args[0];
	bool creds = netlink_capable(cb->skb, CAP_NET_ADMIN);
	struct atnet_modem *m;
	int err = 0;

	while ((m = atnet_modem_get_nth(net, idx))) {
		mutex_lock(&m->lock);
		err = atnet_nl_fill(skb, m, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI, creds);
		mutex_unlock(&m->lock);
		atnet_modem_put(m);
		if (err)
			break;
		idx++;
	}
	cb->args[0] = idx;
	/* A modem that does not fit goes in the next message, alone. */
	if (err && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* Each field's messages: extack keeps a pointer, so they must be static. */
struct atnet_str_msgs {
	const char *too_long;
	const char *quote;
	const char *semicolon;
	const char *crlf;
	const char *control;
};

/*
 * The same rules for every field, its name and limit in the messages:
 * string literals, so static as extack needs.
 */
#define ATNET_STR_MSGS(what, max) {					\
	.too_long = #what " is too long (at most " __stringify(max)	\
		    " bytes)",						\
	.quote = #what " must not contain '\"'",				\
	.semicolon = #what " must not contain ';'",			\
	.crlf = #what " must not contain CR or LF",			\
	.control = #what " must be printable ASCII",			\
}

static const struct atnet_str_msgs atnet_apn_msgs =
	ATNET_STR_MSGS(APN, ATNET_APN_MAX);
static const struct atnet_str_msgs atnet_user_msgs =
	ATNET_STR_MSGS(user, ATNET_CRED_MAX);
static const struct atnet_str_msgs atnet_pwd_msgs =
	ATNET_STR_MSGS(password, ATNET_CRED_MAX);

/*
 * A string that goes into a quoted AT argument: nothing may end the quote,
 * the command (';' chains commands on SIMCom), or the line.
 */
static int atnet_nl_str(const struct nlattr *attr, char *dst, size_t max,
			const struct atnet_str_msgs *msgs,
			struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);
	size_t len = nla_len(attr), i;
	const char *msg = NULL;

	/* NLA_STRING may or may not carry its NUL. */
	if (len && s[len - 1] == '\0')
		len--;
	if (len > max)
		msg = msgs->too_long;
	for (i = 0; i < len && !msg; i++) {
		if (s[i] == '"')
			msg = msgs->quote;
		else if (s[i] == ';')
			msg = msgs->semicolon;
		else if (s[i] == '\r' || s[i] == '\n')
			msg = msgs->crlf;
		else if (s[i] < 0x20 || s[i] > 0x7e)
			msg = msgs->control;
	}
	if (msg) {
		atnet_nl_set_err_msg(extack, msg);
		NL_SET_BAD_ATTR(extack, attr);
		return -EINVAL;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

static const struct atnet_str_msgs atnet_host_msgs =
	ATNET_STR_MSGS(host name, ATNET_HOST_MAX);

static int atnet_nl_ctx_attrs(struct genl_info *info, struct nlattr **tb)
{
	if (!info->attrs[ATNET_A_CONTEXT])
		return 0;
	return nla_parse_nested(tb, ATNET_CTX_A_MAX,
				info->attrs[ATNET_A_CONTEXT], atnet_ctx_policy,
				info->extack);
}

static int atnet_nl_set_context_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct nlattr *tb[ATNET_CTX_A_MAX + 1] = {};
	char apn[ATNET_APN_MAX + 1], user[ATNET_CRED_MAX + 1];
	char pwd[ATNET_CRED_MAX + 1];
	struct atnet_modem *m;
	int err, ctx = 0;

	if (!info->attrs[ATNET_A_CONTEXT]) {
		GENL_SET_ERR_MSG(info, "ATNET_A_CONTEXT is required");
		return -EINVAL;
	}
	err = atnet_nl_ctx_attrs(info, tb);
	if (err)
		return err;
	if ((tb[ATNET_CTX_A_APN] &&
	     atnet_nl_str(tb[ATNET_CTX_A_APN], apn, ATNET_APN_MAX,
			  &atnet_apn_msgs, info->extack)) ||
	    (tb[ATNET_CTX_A_USER] &&
	     atnet_nl_str(tb[ATNET_CTX_A_USER], user, ATNET_CRED_MAX,
			  &atnet_user_msgs, info->extack)) ||
	    (tb[ATNET_CTX_A_PASSWORD] &&
	     atnet_nl_str(tb[ATNET_CTX_A_PASSWORD], pwd, ATNET_CRED_MAX,
			  &atnet_pwd_msgs, info->extack)))
		return -EINVAL;

	m = atnet_nl_modem(info, &ctx);
	if (IS_ERR(m))
		return PTR_ERR(m);
	if (tb[ATNET_CTX_A_ID])
		ctx = nla_get_u8(tb[ATNET_CTX_A_ID]);

	mutex_lock(&m->lock);
	if (m->dead) {
		GENL_SET_ERR_MSG(info, "modem is gone");
		err = -ENODEV;
	} else if (ctx >= m->n_ctx) {
		GENL_SET_ERR_MSG(info, "no such context on this modem");
		err = -EINVAL;
	} else {
		/* Used by the next activation; an active context keeps going. */
		if (tb[ATNET_CTX_A_APN])
			strscpy(m->ctx[ctx].apn, apn, sizeof(m->ctx[ctx].apn));
		if (tb[ATNET_CTX_A_USER])
			strscpy(m->ctx[ctx].user, user,
				sizeof(m->ctx[ctx].user));
		if (tb[ATNET_CTX_A_PASSWORD])
			strscpy(m->ctx[ctx].password, pwd,
				sizeof(m->ctx[ctx].password));
	}
	mutex_unlock(&m->lock);
	memzero_explicit(pwd, sizeof(pwd));
	atnet_modem_put(m);
	return err;
}

static int atnet_nl_context_updown(struct genl_info *info, bool up)
{
	struct nlattr *tb[ATNET_CTX_A_MAX + 1] = {};
	struct atnet_modem *m;
	int err, ctx = 0;

	err = atnet_nl_ctx_attrs(info, tb);
	if (err)
		return err;
	m = atnet_nl_modem(info, &ctx);
	if (IS_ERR(m))
		return PTR_ERR(m);
	if (tb[ATNET_CTX_A_ID])
		ctx = nla_get_u8(tb[ATNET_CTX_A_ID]);
	err = atnet_modem_ctx_request(m, ctx, up, true, info->extack);
	atnet_modem_put(m);
	return err;
}

static int atnet_nl_context_up_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	return atnet_nl_context_updown(info, true);
}

static int atnet_nl_context_down_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	return atnet_nl_context_updown(info, false);
}

/* Requests: RESOLVE, PING, LISTENER_* -------------------------------------- */

static int atnet_nl_put_ping(struct sk_buff *msg, struct atnet_req *r)
{
	const struct atnet_ping_reply *p;
	struct nlattr *nest, *one;
	unsigned int seq, i;

	nest = nla_nest_start(msg, ATNET_A_PING_REPLIES);
	if (!nest)
		return -EMSGSIZE;
	/* One entry per request; those without an answer have no RTT. */
	for (seq = 1; seq <= r->count; seq++) {
		p = NULL;
		for (i = 0; i < r->n_replies; i++)
			if (r->replies[i].seq == seq)
				p = &r->replies[i];
		one = nla_nest_start(msg, ATNET_A_PING_REPLY);
		if (!one || nla_put_u32(msg, ATNET_PING_A_SEQ, seq))
			return -EMSGSIZE;
		if (p && !p->lost &&
		    (nla_put_u32(msg, ATNET_PING_A_RTT_MS, p->rtt_ms) ||
		     nla_put_u32(msg, ATNET_PING_A_TTL, p->ttl)))
			return -EMSGSIZE;
		nla_nest_end(msg, one);
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int atnet_nl_put_answer(struct sk_buff *msg, struct atnet_req *r)
{
	struct nlattr *nest;
	unsigned int i;

	if (r->err)
		return nla_put_u32(msg, ATNET_A_ERRNO, -r->err) ||
		       (r->msg && nla_put_string(msg, ATNET_A_ERRMSG, r->msg)) ?
		       -EMSGSIZE : 0;
	switch (r->kind) {
	case ATNET_REQ_RESOLVE:
		if (nla_put_string(msg, ATNET_A_HOST, r->host))
			return -EMSGSIZE;
		nest = nla_nest_start(msg, ATNET_A_ADDRS);
		if (!nest)
			return -EMSGSIZE;
		for (i = 0; i < r->n_addrs; i++)
			if (nla_put_in_addr(msg, ATNET_A_ADDR, r->addrs[i]))
				return -EMSGSIZE;
		nla_nest_end(msg, nest);
		return 0;
	case ATNET_REQ_PING:
		if (nla_put_in_addr(msg, ATNET_A_ADDR, r->addr))
			return -EMSGSIZE;
		return atnet_nl_put_ping(msg, r);
	default:
		nest = nla_nest_start(msg, ATNET_A_LISTENER);
		if (!nest || nla_put_u8(msg, ATNET_LSN_A_STATE, !!r->port) ||
		    (r->port &&
		     (nla_put_u16(msg, ATNET_LSN_A_PORT, r->port) ||
		      nla_put_u8(msg, ATNET_LSN_A_CONTEXT, r->ctx))))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
		return 0;
	}
}

/* Room for the answer's error form: its errno and a message. */
#define ATNET_NL_SPARE_SIZE	(nla_total_size(4) + nla_total_size(80))

/*
 * r->answer: the answer (or its error form) to the caller's port and
 * sequence number, as the command it answers. m->lock held; never sleeps
 * on the receiver (a full socket buffer drops it, and the caller's next
 * read says ENOBUFS). Exactly one answer: when the full one cannot be
 * built, its error form goes out in r->spare, reserved at queue time.
 */
static void atnet_nl_answer(struct atnet_req *r)
{
	const char *why = "no memory for the answer";
	struct sk_buff *msg;
	int err = -ENOMEM;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (msg) {
		hdr = genlmsg_put(msg, r->portid, r->seq, &atnet_genl_family,
				  0, r->nl_cmd);
		if (hdr && !atnet_nl_put_answer(msg, r)) {
			genlmsg_end(msg, hdr);
			goto send;
		}
		nlmsg_free(msg);
		err = -EMSGSIZE;
		why = "the answer did not fit in a message";
	}
	msg = r->spare;
	r->spare = NULL;
	if (!msg)
		return;
	hdr = genlmsg_put(msg, r->portid, r->seq, &atnet_genl_family, 0,
			  r->nl_cmd);
	if (!hdr || nla_put_u32(msg, ATNET_A_ERRNO, -err) ||
	    nla_put_string(msg, ATNET_A_ERRMSG, why)) {
		nlmsg_free(msg);	/* cannot happen: sized for it */
		return;
	}
	genlmsg_end(msg, hdr);
send:
	/* -ECONNREFUSED: the caller is gone; its URELEASE comes next. */
	genlmsg_unicast(r->net, msg, r->portid);
}

/*
 * Queue @r on the modem of the interface the message names, on that
 * interface's context unless @ctx_attr names one. Returns at once: 0
 * (the answer follows) or why @r was refused.
 */
static int atnet_nl_req_queue(struct sk_buff *skb, struct genl_info *info,
			      struct atnet_req *r,
			      const struct nlattr *ctx_attr,
			      int (*start)(struct atnet_modem *m,
					   struct atnet_req *r))
{
	struct atnet_modem *m;
	int err, ctx = 0;

	m = atnet_nl_modem(info, &ctx);
	if (IS_ERR(m))
		return PTR_ERR(m);
	r->spare = genlmsg_new(ATNET_NL_SPARE_SIZE, GFP_KERNEL);
	if (!r->spare) {
		atnet_modem_put(m);
		return -ENOMEM;
	}
	r->ctx = ctx_attr ? nla_get_u8(ctx_attr) : ctx;
	r->answer = atnet_nl_answer;
	atomic_inc(&atnet_req_answers);
	r->net = get_net(genl_info_net(info));
	r->portid = info->snd_portid;
	r->seq = info->snd_seq;
	r->nl_cmd = info->genlhdr->cmd;
	r->uid = NETLINK_CB(skb).creds.uid;
	/* Initial user namespace: as GENL_ADMIN_PERM and GET (request.c). */
	r->admin = netlink_capable(skb, CAP_NET_ADMIN);
	mutex_lock(&m->lock);
	err = atnet_req_queue(m, r, start);
	mutex_unlock(&m->lock);
	if (err && r->msg)
		atnet_nl_set_err_msg(info->extack, r->msg);
	atnet_modem_put(m);
	return err;
}

/* RESOLVE's question: ATNET_A_HOST, a name for a quoted AT argument. */
static int atnet_nl_resolve_ask(struct atnet_req *r, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[ATNET_A_HOST];
	int err;

	if (!attr) {
		GENL_SET_ERR_MSG(info, "ATNET_A_HOST is required");
		return -EINVAL;
	}
	err = atnet_nl_str(attr, r->host, ATNET_HOST_MAX, &atnet_host_msgs,
			   info->extack);
	if (!err && !r->host[0]) {
		GENL_SET_ERR_MSG(info, "host name is empty");
		NL_SET_BAD_ATTR(info->extack, attr);
		err = -EINVAL;
	}
	return err;
}

/* PING's: ATNET_A_ADDR, a unicast address, and how many echoes. */
static int atnet_nl_ping_ask(struct atnet_req *r, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[ATNET_A_ADDR];

	if (!attr) {
		GENL_SET_ERR_MSG(info, "ATNET_A_ADDR is required");
		return -EINVAL;
	}
	r->addr = nla_get_in_addr(attr);
	if (ipv4_is_zeronet(r->addr) || ipv4_is_multicast(r->addr) ||
	    ipv4_is_lbcast(r->addr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "not a unicast IPv4 address");
		return -EINVAL;
	}
	r->count = info->attrs[ATNET_A_PING_COUNT] ?
		   nla_get_u32(info->attrs[ATNET_A_PING_COUNT]) :
		   ATNET_PING_DEFAULT;
	return 0;
}

/* A question of @kind: @ask reads it from the message, @start asks it. */
static int atnet_nl_req_doit(struct sk_buff *skb, struct genl_info *info,
			     enum atnet_req_kind kind,
			     int (*ask)(struct atnet_req *r,
					struct genl_info *info),
			     int (*start)(struct atnet_modem *m,
					  struct atnet_req *r))
{
	struct atnet_req *r = atnet_req_alloc(kind);
	int err;

	if (!r)
		return -ENOMEM;
	err = ask(r, info);
	if (!err)
		err = atnet_nl_req_queue(skb, info, r, NULL, start);
	atnet_req_put(r);
	return err;
}

static int atnet_nl_resolve_doit(struct sk_buff *skb, struct genl_info *info)
{
	return atnet_nl_req_doit(skb, info, ATNET_REQ_RESOLVE,
				 atnet_nl_resolve_ask, atnet_req_resolve_start);
}

static int atnet_nl_ping_doit(struct sk_buff *skb, struct genl_info *info)
{
	return atnet_nl_req_doit(skb, info, ATNET_REQ_PING, atnet_nl_ping_ask,
				 atnet_req_ping_start);
}

static int atnet_nl_listener(struct genl_info *info, struct sk_buff *skb,
			     bool start)
{
	struct nlattr *tb[ATNET_LSN_A_MAX + 1] = {};
	struct atnet_req *r;
	int err;
	u16 port = 0;

	if (start) {
		if (!info->attrs[ATNET_A_LISTENER]) {
			GENL_SET_ERR_MSG(info, "ATNET_A_LISTENER is required");
			return -EINVAL;
		}
		err = nla_parse_nested(tb, ATNET_LSN_A_MAX,
				       info->attrs[ATNET_A_LISTENER],
				       atnet_lsn_policy, info->extack);
		if (err)
			return err;
		if (!tb[ATNET_LSN_A_PORT]) {
			GENL_SET_ERR_MSG(info, "ATNET_LSN_A_PORT is required");
			return -EINVAL;
		}
		port = nla_get_u16(tb[ATNET_LSN_A_PORT]);
		/* As bind() would ask of a local TCP server. */
		if (port < 1024 &&
		    !netlink_net_capable(skb, CAP_NET_BIND_SERVICE)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[ATNET_LSN_A_PORT],
					    "ports below 1024 need CAP_NET_BIND_SERVICE");
			return -EACCES;
		}
	}
	r = atnet_req_alloc(ATNET_REQ_SERVER);
	if (!r)
		return -ENOMEM;
	r->port = port;
	err = atnet_nl_req_queue(skb, info, r, tb[ATNET_LSN_A_CONTEXT],
				 atnet_req_server_start);
	atnet_req_put(r);
	return err;
}

static int atnet_nl_listener_start_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	return atnet_nl_listener(info, skb, true);
}

static int atnet_nl_listener_stop_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	return atnet_nl_listener(info, skb, false);
}

static const struct genl_small_ops atnet_genl_ops[] = {
	{
		.cmd = ATNET_CMD_GET,
		.doit = atnet_nl_get_doit,
		.dumpit = atnet_nl_get_dumpit,
	},
	{
		.cmd = ATNET_CMD_SET_CONTEXT,
		.doit = atnet_nl_set_context_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ATNET_CMD_CONTEXT_UP,
		.doit = atnet_nl_context_up_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ATNET_CMD_CONTEXT_DOWN,
		.doit = atnet_nl_context_down_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ATNET_CMD_LISTENER_START,
		.doit = atnet_nl_listener_start_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = ATNET_CMD_LISTENER_STOP,
		.doit = atnet_nl_listener_stop_doit,
		.flags = GENL_ADMIN_PERM,
	},
	/* Questions anyone may ask, within bounds (request.c). */
	{
		.cmd = ATNET_CMD_RESOLVE,
		.doit = atnet_nl_resolve_doit,
	},
	{
		.cmd = ATNET_CMD_PING,
		.doit = atnet_nl_ping_doit,
	},
};

static struct genl_family atnet_genl_family __ro_after_init = {
	.name = ATNET_GENL_NAME,
	.version = ATNET_GENL_VERSION,
	.maxattr = ATNET_A_MAX,
	.policy = atnet_policy,
	.netnsok = true,
	.parallel_ops = true,
	/* Every command validates strictly, reserved header field included. */
	.resv_start_op = ATNET_CMD_GET,
	.small_ops = atnet_genl_ops,
	.n_small_ops = ARRAY_SIZE(atnet_genl_ops),
	.mcgrps = atnet_mcgrps,
	.n_mcgrps = ARRAY_SIZE(atnet_mcgrps),
	.module = THIS_MODULE,
};

/* Events ------------------------------------------------------------------ */

static struct sk_buff *atnet_nl_event_new(struct atnet_modem *m, int event,
					  int ctx, void **hdr)
{
	struct sk_buff *skb;

	lockdep_assert_held(&m->lock);
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &atnet_genl_family, 0, ATNET_CMD_EVENT);
	if (!*hdr ||
	    nla_put_u8(skb, ATNET_A_EVENT, event) ||
	    atnet_nl_put_ifindex(skb, m, ctx) ||
	    nla_put_string(skb, ATNET_A_TTY, m->tty_name)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/* @err: filling @skb failed (it cannot, sized for it): drop it. */
static void atnet_nl_event_send(struct atnet_modem *m, struct sk_buff *skb,
				void *hdr, bool err)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	/* -ESRCH just means nobody listens. */
	genlmsg_multicast_netns(&atnet_genl_family, m->net, skb, 0,
				ATNET_MCGRP_EVENTS, GFP_KERNEL);
}

void atnet_nl_event_state(struct atnet_modem *m)
{
	struct sk_buff *skb;
	void *hdr;

	skb = atnet_nl_event_new(m, ATNET_EV_MODEM_STATE, 0, &hdr);
	if (skb)
		atnet_nl_event_send(m, skb, hdr,
				    nla_put_u8(skb, ATNET_A_STATE, m->state) ||
				    atnet_nl_put_str(skb, ATNET_A_MODEL, m->model) ||
				    (m->state != ATNET_MODEM_READY &&
				     atnet_nl_put_str(skb, ATNET_A_REASON,
						      m->reason)));
}

void atnet_nl_event_ctx(struct atnet_modem *m, int event, int ctx,
			const char *why)
{
	struct sk_buff *skb;
	void *hdr;

	skb = atnet_nl_event_new(m, event, ctx, &hdr);
	if (skb)
		atnet_nl_event_send(m, skb, hdr,
				    atnet_nl_put_ctx(skb, m, ctx, false, false) ||
				    (why && atnet_nl_put_str(skb, ATNET_A_REASON,
							     why)));
}

/* ATNET_EV_MODEM_RESTART, or a warning about the supply (@what its line). */
static void atnet_nl_event_reason(struct atnet_modem *m, int event,
				  const char *what)
{
	struct sk_buff *skb;
	void *hdr;

	skb = atnet_nl_event_new(m, event, 0, &hdr);
	if (skb)
		atnet_nl_event_send(m, skb, hdr,
				    nla_put_string(skb, ATNET_A_REASON, what));
}

void atnet_nl_event_restart(struct atnet_modem *m)
{
	atnet_nl_event_reason(m, ATNET_EV_MODEM_RESTART, "modem restarted");
}

void atnet_nl_event_warning(struct atnet_modem *m, const char *what)
{
	atnet_nl_event_reason(m, ATNET_EV_MODEM_WARNING, what);
}

void atnet_nl_event_link_closed(struct atnet_modem *m, int slot)
{
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;
	bool err;

	skb = atnet_nl_event_new(m, ATNET_EV_LINK_CLOSED, 0, &hdr);
	if (!skb)
		return;
	nest = nla_nest_start(skb, ATNET_A_LINK);
	err = !nest || nla_put_u8(skb, ATNET_LINK_A_SLOT, slot);
	if (!err)
		nla_nest_end(skb, nest);
	atnet_nl_event_send(m, skb, hdr, err);
}

/* A netlink socket closed: what it asked is not wanted any more. */
static int atnet_nl_notify(struct notifier_block *nb, unsigned long state,
			   void *ptr)
{
	struct netlink_notify *n = ptr;
	struct atnet_modem *m;
	unsigned long idx = 0;

	if (state != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	/*
	 * Every generic netlink socket's close comes here (nl80211, ethtool
	 * ...): without a request of ours alive, no modem lock is taken.
	 */
	if (!atomic_read(&atnet_req_answers))
		return NOTIFY_DONE;
	while ((m = atnet_modem_get_nth(n->net, idx++))) {
		atnet_req_release_port(m, n->net, n->portid);
		atnet_modem_put(m);
	}
	return NOTIFY_DONE;
}

static struct notifier_block atnet_nl_notifier = {
	.notifier_call = atnet_nl_notify,
};

int __init atnet_netlink_init(void)
{
	int err;

	err = atnet_req_init();
	if (err)
		return err;
	err = netlink_register_notifier(&atnet_nl_notifier);
	if (err)
		goto err_req;
	err = genl_register_family(&atnet_genl_family);
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	netlink_unregister_notifier(&atnet_nl_notifier);
err_req:
	atnet_req_exit();
	return err;
}

void atnet_netlink_exit(void)
{
	genl_unregister_family(&atnet_genl_family);
	netlink_unregister_notifier(&atnet_nl_notifier);
	/* After every modem: their requests' timers are done. */
	atnet_req_exit();
}
