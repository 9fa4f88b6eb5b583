// SPDX-License-Identifier: GPL-2.0
/*
 * wwan%d: one interface per PDP context. It carries IPv4 through the flow
 * translator (netdev_flow.c); it shows the context's state as carrier,
 * counts the modem's traffic on that context, and "ip link set up/down"
 * asks for the context. ndo_open/ndo_stop run under rtnl, so
 * they only record the wish: the modem answers seconds later, in events.
 */
#include <linux/atomic.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "modem.h"
#include "netdev.h"
#include "netdev_priv.h"

/* The largest payload one send command of any dialect carries. */
#define ATNET_MTU		ATNET_LINK_MTU_MAX
#define ATNET_MIN_MTU		68

int atnet_ctx_ifindex(struct atnet_modem *m, int ctx)
{
	lockdep_assert_held(&m->lock);
	return m->ctx[ctx].dev ? m->ctx[ctx].dev->ifindex : 0;
}

__be32 atnet_ctx_addr(struct atnet_modem *m, int ctx)
{
	lockdep_assert_held(&m->lock);
	return m->ctx[ctx].addr;
}

static const struct device_type atnet_wwan_type = {
	.name = "wwan",
};

static int atnet_netdev_open(struct net_device *dev)
{
	struct atnet_netdev *p = netdev_priv(dev);

	return atnet_modem_ctx_request(p->m, p->ctx, true, false, NULL);
}

static int atnet_netdev_stop(struct net_device *dev)
{
	struct atnet_netdev *p = netdev_priv(dev);

	/* A dead modem has nothing left to stop. */
	atnet_modem_ctx_request(p->m, p->ctx, false, false, NULL);
	return 0;
}

static netdev_tx_t atnet_netdev_xmit(struct sk_buff *skb,
				     struct net_device *dev)
{
	return atnet_netdev_flow_xmit(netdev_priv(dev), skb);
}

static void atnet_netdev_get_stats64(struct net_device *dev,
				     struct rtnl_link_stats64 *s)
{
	struct atnet_netdev *p = netdev_priv(dev);

	s->rx_bytes = atomic64_read(&p->rx_bytes);
	s->rx_packets = atomic64_read(&p->rx_packets);
	s->tx_bytes = atomic64_read(&p->tx_bytes);
	s->tx_packets = atomic64_read(&p->tx_packets);
	s->rx_dropped = atomic64_read(&p->rx_dropped);
	s->tx_dropped = atomic64_read(&p->tx_dropped);
	s->tx_errors = atomic64_read(&p->tx_errors);
}

/* Unregistering: the interface is down, no xmit comes any more. */
static void atnet_netdev_uninit(struct net_device *dev)
{
	atnet_netdev_flow_stop(netdev_priv(dev));
}

static const struct net_device_ops atnet_netdev_ops = {
	.ndo_uninit = atnet_netdev_uninit,
	.ndo_open = atnet_netdev_open,
	.ndo_stop = atnet_netdev_stop,
	.ndo_start_xmit = atnet_netdev_xmit,
	.ndo_get_stats64 = atnet_netdev_get_stats64,
};

static void atnet_netdev_destructor(struct net_device *dev)
{
	struct atnet_netdev *p = netdev_priv(dev);

	atnet_modem_put(p->m);
}

static void atnet_netdev_setup(struct net_device *dev)
{
	dev->netdev_ops = &atnet_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	/* The modem belongs to the namespace that attached it. */
	dev->features |= NETIF_F_NETNS_LOCAL;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ATNET_MTU;
	dev->min_mtu = ATNET_MIN_MTU;
	dev->max_mtu = ATNET_MTU;
	dev->needs_free_netdev = true;
	SET_NETDEV_DEVTYPE(dev, &atnet_wwan_type);
}

struct net_device *atnet_netdev_create(struct atnet_modem *m, int ctx)
{
	struct atnet_netdev *p;
	struct net_device *dev;
	int err;

	dev = alloc_netdev(sizeof(*p), "wwan%d", NET_NAME_ENUM,
			   atnet_netdev_setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev_net_set(dev, m->net);
	p = netdev_priv(dev);
	p->m = m;
	p->dev = dev;
	p->ctx = ctx;
	atnet_netdev_flow_setup(p);
	netif_carrier_off(dev);

	err = register_netdev(dev);
	if (err) {
		free_netdev(dev);
		return ERR_PTR(err);
	}
	/*
	 * Only now: register_netdev() would have run the destructor on
	 * failure, dropping a reference we never took.
	 */
	atnet_modem_get(m);
	dev->priv_destructor = atnet_netdev_destructor;
	return dev;
}

void atnet_netdev_destroy(struct net_device *dev)
{
	unregister_netdev(dev);
}

void atnet_netdev_carrier(struct atnet_modem *m, int ctx, bool on)
{
	struct net_device *dev = m->ctx[ctx].dev;

	lockdep_assert_held(&m->lock);
	if (!dev)
		return;
	atnet_netdev_flow_ctx(netdev_priv(dev), on);
	if (on)
		netif_carrier_on(dev);
	else
		netif_carrier_off(dev);
}

/*
 * The modem's traffic on context @ctx, as the link layer moves it: @tx bytes
 * the modem accepted in one send (one packet), @rx bytes it delivered (one
 * packet: a datagram, or one delivery of a stream).
 */
void atnet_netdev_count(struct atnet_modem *m, int ctx, size_t rx, size_t tx)
{
	struct atnet_netdev *p;

	lockdep_assert_held(&m->lock);
	if (ctx < 0 || ctx >= ATNET_CONTEXTS || !m->ctx[ctx].dev)
		return;
	p = netdev_priv(m->ctx[ctx].dev);
	if (rx) {
		atomic64_add(rx, &p->rx_bytes);
		atomic64_inc(&p->rx_packets);
	}
	if (tx) {
		atomic64_add(tx, &p->tx_bytes);
		atomic64_inc(&p->tx_packets);
	}
}

struct atnet_modem *atnet_netdev_modem_get(struct net_device *dev, int *ctx)
{
	struct atnet_netdev *p;

	if (dev->netdev_ops != &atnet_netdev_ops)
		return NULL;
	p = netdev_priv(dev);
	/* The interface's reference lasts until after a grace period. */
	atnet_modem_get(p->m);
	if (ctx)
		*ctx = p->ctx;
	return p->m;
}
