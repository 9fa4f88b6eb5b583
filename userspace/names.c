// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <netinet/in.h>
#include <linux/atnet.h>

#include "names.h"
#include "util.h"

static const char *lookup(const char *const *names, unsigned int n,
			  unsigned int v)
{
	static char buf[4][16];
	static unsigned int next;
	char *b;

	if (v < n && names[v])
		return names[v];
	b = buf[next++ % ARRAY_SIZE(buf)];
	snprintf(b, sizeof(buf[0]), "%u", v);
	return b;
}

#define NAME(table, v)	lookup(table, ARRAY_SIZE(table), v)

const char *modem_state_name(unsigned int v)
{
	static const char *const t[] = {
		[ATNET_MODEM_PROBING] = "probing",
		[ATNET_MODEM_READY] = "ready",
		[ATNET_MODEM_FAILED] = "failed",
		[ATNET_MODEM_GONE] = "gone",
	};
	return NAME(t, v);
}

const char *ctx_state_name(unsigned int v)
{
	static const char *const t[] = {
		[ATNET_CTX_DOWN] = "down",
		[ATNET_CTX_ACTIVATING] = "activating",
		[ATNET_CTX_UP] = "up",
		[ATNET_CTX_DEACTIVATING] = "deactivating",
	};
	return NAME(t, v);
}

const char *link_state_name(unsigned int v)
{
	static const char *const t[] = {
		[ATNET_LINK_FREE] = "free",
		[ATNET_LINK_CONNECTING] = "connecting",
		[ATNET_LINK_CONNECTED] = "connected",
		[ATNET_LINK_CLOSING] = "closing",
		[ATNET_LINK_CLOSED] = "closed",
		[ATNET_LINK_LISTENING] = "listening",
	};
	return NAME(t, v);
}

const char *dialect_name(unsigned int v)
{
	static const char *const t[] = {
		[ATNET_DIALECT_UNKNOWN] = "unknown",
		[ATNET_DIALECT_SIM7000] = "sim7000",
		[ATNET_DIALECT_SIM7020] = "sim7020",
	};
	return NAME(t, v);
}

const char *event_name(unsigned int v)
{
	static const char *const t[] = {
		[ATNET_EV_NONE] = "none",
		[ATNET_EV_MODEM_STATE] = "modem-state",
		[ATNET_EV_CONTEXT_UP] = "context-up",
		[ATNET_EV_CONTEXT_DOWN] = "context-down",
		[ATNET_EV_CONTEXT_LOST] = "context-lost",
		[ATNET_EV_MODEM_RESTART] = "modem-restart",
		[ATNET_EV_LINK_CLOSED] = "link-closed",
		[ATNET_EV_MODEM_WARNING] = "modem-warning",
	};
	return NAME(t, v);
}

/* 3GPP TS 27.007 +CREG/+CGREG <stat> */
const char *reg_name(unsigned int v)
{
	static const char *const t[] = {
		"not registered", "registered (home)", "searching",
		"denied", "unknown", "registered (roaming)",
	};
	return NAME(t, v);
}

const char *proto_name(unsigned int v)
{
	if (v == IPPROTO_TCP)
		return "tcp";
	if (v == IPPROTO_UDP)
		return "udp";
	return lookup(NULL, 0, v);
}

const char *ip_str(uint32_t be)
{
	static char buf[2][INET_ADDRSTRLEN];
	static unsigned int next;
	struct in_addr a = { be };
	char *b = buf[next++ % ARRAY_SIZE(buf)];

	return inet_ntop(AF_INET, &a, b, sizeof(buf[0]));
}

const char *if_str(uint32_t ifindex)
{
	static char buf[IF_NAMESIZE > 16 ? IF_NAMESIZE : 16];

	if (!if_indextoname(ifindex, buf))
		snprintf(buf, sizeof(buf), "if%u", ifindex);
	return buf;
}
