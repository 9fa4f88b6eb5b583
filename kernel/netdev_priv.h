/* SPDX-License-Identifier: GPL-2.0 */
/* wwan%d internals shared by netdev.c and netdev_flow.c. */
#ifndef _ATNET_NETDEV_PRIV_H
#define _ATNET_NETDEV_PRIV_H

#include <linux/atomic.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

#include "flow.h"
#include "link.h"

/* Packets the host sent that wait for the flow work, at most. */
#define ATNET_FLOW_TXQ		256

/* A link the flow engine holds: the engine's handle is the slot number. */
struct atnet_flow_link {
	struct atnet_link *l;
	size_t avail;			/* rx bytes last reported */
	size_t room;			/* tx room last seen */
	bool connected;			/* connect result reported */
	bool closed;			/* close reported */
};

struct atnet_netdev {
	struct atnet_modem *m;		/* referenced until the destructor */
	struct net_device *dev;
	int ctx;
	atomic64_t rx_bytes;
	atomic64_t rx_packets;
	atomic64_t rx_dropped;
	atomic64_t tx_bytes;
	atomic64_t tx_packets;
	atomic64_t tx_dropped;
	atomic64_t tx_errors;

	/* The IPv4 data path (netdev_flow.c); all but txq under m->lock. */
	bool flow_on;			/* the table is initialised: context up */
	struct sk_buff_head txq;	/* xmit -> flow work */
	struct work_struct flow_work;
	struct delayed_work flow_tick;
	struct atnet_flow_link links[ATNET_LINKS_MAX];
	struct atnet_flow_table flows;
};

/* netdev_flow.c */
void atnet_netdev_flow_setup(struct atnet_netdev *p);
netdev_tx_t atnet_netdev_flow_xmit(struct atnet_netdev *p,
				   struct sk_buff *skb);
/* Under m->lock: the context came up or went away. */
void atnet_netdev_flow_ctx(struct atnet_netdev *p, bool up);
/* The interface goes away: no xmit any more. Not under m->lock. */
void atnet_netdev_flow_stop(struct atnet_netdev *p);

#endif /* _ATNET_NETDEV_PRIV_H */
