/* SPDX-License-Identifier: GPL-2.0 */
/* wwan%d: one interface per PDP context. */
#ifndef _ATNET_NETDEV_H
#define _ATNET_NETDEV_H

#include <linux/netdevice.h>

struct atnet_modem;

/* Register/unregister: take rtnl, so never under m->lock. */
struct net_device *atnet_netdev_create(struct atnet_modem *m, int ctx);
void atnet_netdev_destroy(struct net_device *dev);

/* Under m->lock. */
void atnet_netdev_carrier(struct atnet_modem *m, int ctx, bool on);
void atnet_netdev_count(struct atnet_modem *m, int ctx, size_t rx, size_t tx);

/*
 * Under m->lock: context @ctx's interface index, 0 while it has none (not
 * registered yet, or torn down), and the address the network gave it.
 */
int atnet_ctx_ifindex(struct atnet_modem *m, int ctx);
__be32 atnet_ctx_addr(struct atnet_modem *m, int ctx);

/* Under rcu_read_lock: the modem behind one of our interfaces, referenced. */
struct atnet_modem *atnet_netdev_modem_get(struct net_device *dev, int *ctx);

#endif /* _ATNET_NETDEV_H */
