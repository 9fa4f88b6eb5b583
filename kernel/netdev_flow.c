// SPDX-License-Identifier: GPL-2.0
/*
 * wwan%d's IPv4 data path: the sans-IO flow translator (flow.h) wired to
 * the interface and to the modem's links. Flows are a second consumer of
 * links, a peer of the AF_ATNET sockets, on the same slot table.
 *
 * - ndo_start_xmit runs in atomic context and the engine's ops queue modem
 *   commands under m->lock (a mutex): xmit only queues the skb (bounded,
 *   tx_dropped beyond) and kicks flow_work, which feeds the engine under
 *   m->lock.
 * - Link events: the owner callbacks run under m->lock, possibly inside
 *   one of the engine's own ops (a close wakes the owner), and the engine
 *   must not be re-entered. So they only queue flow_work, which compares
 *   each link with what it last reported (connected, rx bytes, tx room,
 *   closed) and tells the engine.
 * - Time: flow_tick fires at atnet_flow_next_timer() and queues flow_work.
 * - The context going down (PDP loss, modem restart, detach all take it
 *   down) resets every flow: atnet_netdev_flow_ctx(p, false).
 */
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/uio.h>

#include "dialect.h"
#include "modem.h"
#include "netdev_priv.h"

static u64 atnet_flow_now(void)
{
	return jiffies64_to_msecs(get_jiffies_64());
}

static struct atnet_link *atnet_flow_link(struct atnet_netdev *p, int link)
{
	if (link < 0 || link >= ATNET_LINKS_MAX)
		return NULL;
	return p->links[link].l;
}

/* ---- link owner: wake the work, nothing more ------------------------ */

static void atnet_flow_owner_wake(struct atnet_link *l)
{
	struct atnet_netdev *p = l->owner;

	queue_work(system_wq, &p->flow_work);
}

static const struct atnet_link_owner_ops atnet_flow_owner_ops = {
	.state_change = atnet_flow_owner_wake,
	.data_ready = atnet_flow_owner_wake,
	.write_space = atnet_flow_owner_wake,
	/* The interface counts IP packets: xmit and netif_rx. */
	.own_stats = true,
};

/* ---- the engine's ops, under m->lock -------------------------------- */

static int atnet_flow_op_open(void *ctx, u8 proto, __be32 daddr,
			      __be16 dport, __be16 sport)
{
	struct atnet_netdev *p = ctx;
	struct atnet_flow_link *fl;
	struct atnet_link *l;

	lockdep_assert_held(&p->m->lock);
	l = atnet_link_open_lport(p->m, p->ctx, proto, daddr, dport, 0,
				  &atnet_flow_owner_ops, p);
	if (IS_ERR(l))
		return PTR_ERR(l);
	fl = &p->links[l->slot];
	memset(fl, 0, sizeof(*fl));
	fl->l = l;
	fl->room = atnet_link_tx_room(l);
	return l->slot;
}

static int atnet_flow_op_write(void *ctx, int link, const u8 *buf,
			       size_t len)
{
	struct atnet_netdev *p = ctx;
	struct atnet_link *l = atnet_flow_link(p, link);
	struct iov_iter it;
	struct kvec v = { .iov_base = (void *)buf, .iov_len = len };
	int n;

	lockdep_assert_held(&p->m->lock);
	if (!l)
		return -EBADF;
	if (l->err || l->peer_closed)
		return l->err ?: -EPIPE;
	if (!atnet_link_dgram(l))
		len = min(len, atnet_link_tx_room(l));
	else if (len > READ_ONCE(l->mtu))
		return 0;	/* never queue what no send command can carry */
	if (!len)
		return 0;
	v.iov_len = len;
	iov_iter_kvec(&it, ITER_SOURCE, &v, 1, len);
	n = atnet_link_tx_write(l, &it, len);
	if (n > 0)
		atnet_link_kick(l);
	p->links[link].room = atnet_link_tx_room(l);
	return n;
}

static size_t atnet_flow_op_room(void *ctx, int link)
{
	struct atnet_netdev *p = ctx;
	struct atnet_link *l = atnet_flow_link(p, link);

	if (!l || l->err || l->peer_closed)
		return 0;
	return atnet_link_tx_room(l);
}

static int atnet_flow_op_peek(void *ctx, int link, size_t off, u8 *buf,
			      size_t len)
{
	struct atnet_netdev *p = ctx;
	struct atnet_link *l = atnet_flow_link(p, link);
	struct kvec v = { .iov_base = buf, .iov_len = len };
	struct iov_iter it;
	int n;

	lockdep_assert_held(&p->m->lock);
	if (!l)
		return -EBADF;
	if (off + len > atnet_link_rx_avail(l))
		return -EINVAL;
	iov_iter_kvec(&it, ITER_DEST, &v, 1, len);
	n = atnet_link_rx_peek(l, &it, off, len);
	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -EIO;
}

static void atnet_flow_op_consume(void *ctx, int link, size_t len)
{
	struct atnet_netdev *p = ctx;
	struct atnet_link *l = atnet_flow_link(p, link);

	lockdep_assert_held(&p->m->lock);
	if (!l)
		return;
	atnet_link_rx_consume(l, len);
	p->links[link].avail = atnet_link_rx_avail(l);
	if (atnet_link_rx_starved(l))
		atnet_link_kick(l);
}

static void atnet_flow_op_close(void *ctx, int link, bool abort)
{
	struct atnet_netdev *p = ctx;
	struct atnet_link *l = atnet_flow_link(p, link);

	lockdep_assert_held(&p->m->lock);
	if (!l)
		return;
	p->links[link].l = NULL;
	if (abort)
		atnet_link_abort(l, -ECONNRESET);
	/* Queued sends still go out before the modem's close (settle). */
	atnet_link_release(l);
}

static u8 *atnet_flow_op_pkt_alloc(void *ctx, size_t len, void **pkt)
{
	struct atnet_netdev *p = ctx;
	struct sk_buff *skb;

	skb = netdev_alloc_skb(p->dev, len);
	if (!skb)
		return NULL;
	*pkt = skb;
	return skb_put(skb, len);
}

static void atnet_flow_op_pkt_deliver(void *ctx, void *pkt, size_t len)
{
	struct atnet_netdev *p = ctx;
	struct sk_buff *skb = pkt;

	skb->protocol = htons(ETH_P_IP);
	skb_reset_mac_header(skb);	/* raw IP: no link-layer header */
	skb_reset_network_header(skb);
	/* The engine computed every checksum itself. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	atomic64_add(len, &p->rx_bytes);
	atomic64_inc(&p->rx_packets);
	netif_rx(skb);
}

static void atnet_flow_op_pkt_free(void *ctx, void *pkt)
{
	kfree_skb(pkt);
}

static void atnet_flow_op_drop(void *ctx, enum atnet_flow_drop why)
{
	struct atnet_netdev *p = ctx;

	switch (why) {
	case ATNET_FLOW_DROP_NOMEM:
		atomic64_inc(&p->rx_dropped);
		break;
	case ATNET_FLOW_DROP_TABLE_FULL:
	case ATNET_FLOW_DROP_NO_LINK:
	case ATNET_FLOW_DROP_REFUSED:
	case ATNET_FLOW_DROP_TIMEOUT:
	case ATNET_FLOW_DROP_RESET:
		/* A connection failed or ended badly, no packet was lost. */
		atomic64_inc(&p->tx_errors);
		break;
	default:
		atomic64_inc(&p->tx_dropped);
		break;
	}
}

static const struct atnet_flow_ops atnet_netdev_flow_ops = {
	.open = atnet_flow_op_open,
	.write = atnet_flow_op_write,
	.room = atnet_flow_op_room,
	.peek = atnet_flow_op_peek,
	.consume = atnet_flow_op_consume,
	.close = atnet_flow_op_close,
	.pkt_alloc = atnet_flow_op_pkt_alloc,
	.pkt_deliver = atnet_flow_op_pkt_deliver,
	.pkt_free = atnet_flow_op_pkt_free,
	.drop = atnet_flow_op_drop,
};

/* ---- link events -> engine ------------------------------------------ */

/* Tell the engine what link @i did since it last heard; m->lock held. */
static void atnet_flow_poll_link(struct atnet_netdev *p, int i)
{
	struct atnet_flow_link *fl = &p->links[i];
	struct atnet_flow_table *t = &p->flows;
	struct atnet_link *l = fl->l;
	size_t avail, room;

	lockdep_assert_held(&p->m->lock);
	if (!l)
		return;
	if (!fl->connected) {
		if (l->state == ATNET_LINK_CONNECTED ||
		    (l->peer_closed && !l->err)) {
			/*
			 * Connected; perhaps closed by the peer already (its
			 * data and close in one batch): the data and the FIN
			 * follow below.
			 */
			fl->connected = true;
			atnet_flow_connected(t, i, 0);
		} else if (l->err || l->state != ATNET_LINK_CONNECTING) {
			fl->connected = true;
			fl->closed = true;
			atnet_flow_connected(t, i, l->err ?: -ECONNREFUSED);
			return;
		} else {
			return;
		}
		if (!fl->l)
			return;
	}
	if (atnet_link_dgram(l)) {
		int next;

		/* Each datagram once: the engine consumes what it is told. */
		while (fl->l && (next = atnet_link_rx_next(l)) >= 0) {
			avail = atnet_link_rx_avail(l);
			atnet_flow_dgram(t, i, next);
			if (fl->l && atnet_link_rx_avail(l) == avail)
				break;
		}
	} else {
		avail = atnet_link_rx_avail(l);
		if (avail != fl->avail) {
			fl->avail = avail;
			atnet_flow_rx(t, i, avail);
		}
	}
	if (!fl->l)
		return;
	room = atnet_link_tx_room(l);
	if (room > fl->room) {
		fl->room = room;
		atnet_flow_writable(t, i);
	} else {
		fl->room = room;
	}
	if (!fl->l || fl->closed)
		return;
	/* Closed, and everything the modem held is in the ring. */
	if (smp_load_acquire(&l->rx_eof)) {
		fl->closed = true;
		atnet_flow_closed(t, i, l->err == -ECONNRESET ? -ECONNRESET :
				  l->err);
	}
}

static void atnet_flow_work(struct work_struct *work)
{
	struct atnet_netdev *p = container_of(work, struct atnet_netdev,
					      flow_work);
	struct atnet_modem *m = p->m;
	struct sk_buff *skb;
	unsigned int n;
	u64 next, now;
	int i;

	mutex_lock(&m->lock);
	if (!p->flow_on) {
		while ((skb = skb_dequeue(&p->txq))) {
			atomic64_inc(&p->tx_dropped);
			kfree_skb(skb);
		}
		mutex_unlock(&m->lock);
		return;
	}
	now = atnet_flow_now();
	atnet_flow_tick(&p->flows, now);
	/* At most a queue's worth per run: senders must not hold m->lock. */
	for (n = 0; n < ATNET_FLOW_TXQ && (skb = skb_dequeue(&p->txq)); n++) {
		atomic64_add(skb->len, &p->tx_bytes);
		atomic64_inc(&p->tx_packets);
		atnet_flow_input(&p->flows, skb->data, skb->len);
		consume_skb(skb);
	}
	if (!skb_queue_empty(&p->txq))
		queue_work(system_wq, &p->flow_work);
	for (i = 0; i < ATNET_LINKS_MAX; i++)
		atnet_flow_poll_link(p, i);
	next = atnet_flow_next_timer(&p->flows);
	if (next)
		mod_delayed_work(system_wq, &p->flow_tick,
				 msecs_to_jiffies(next > now ? next - now : 0));
	mutex_unlock(&m->lock);
}

static void atnet_flow_tick_work(struct work_struct *work)
{
	struct atnet_netdev *p = container_of(to_delayed_work(work),
					      struct atnet_netdev, flow_tick);

	queue_work(system_wq, &p->flow_work);
}

/* ---- interface side ------------------------------------------------- */

void atnet_netdev_flow_setup(struct atnet_netdev *p)
{
	skb_queue_head_init(&p->txq);
	INIT_WORK(&p->flow_work, atnet_flow_work);
	INIT_DELAYED_WORK(&p->flow_tick, atnet_flow_tick_work);
}

netdev_tx_t atnet_netdev_flow_xmit(struct atnet_netdev *p,
				   struct sk_buff *skb)
{
	/* The engine wants whole IPv4 packets with their checksums. */
	if (skb->protocol != htons(ETH_P_IP) || !READ_ONCE(p->flow_on) ||
	    skb_queue_len(&p->txq) >= ATNET_FLOW_TXQ ||
	    skb_linearize(skb) ||
	    (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))) {
		atomic64_inc(&p->tx_dropped);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	skb_queue_tail(&p->txq, skb);
	queue_work(system_wq, &p->flow_work);
	return NETDEV_TX_OK;
}

void atnet_netdev_flow_ctx(struct atnet_netdev *p, bool up)
{
	struct atnet_modem *m = p->m;

	lockdep_assert_held(&m->lock);
	if (up && !p->flow_on) {
		struct atnet_flow_cfg cfg = {
			.max_send = min_t(unsigned int, m->dialect ?
					  m->dialect->max_send : 0,
					  ATNET_LINK_MTU_MAX),
			.mtu = p->dev->mtu,
		};

		memset(p->links, 0, sizeof(p->links));
		atnet_flow_init(&p->flows, &atnet_netdev_flow_ops, p, &cfg,
				get_random_u32(), atnet_flow_now());
		WRITE_ONCE(p->flow_on, true);
	} else if (!up && p->flow_on) {
		/* Every flow's link closes here, before the links die. */
		atnet_flow_reset_all(&p->flows);
		WRITE_ONCE(p->flow_on, false);
		queue_work(system_wq, &p->flow_work);
	}
}

void atnet_netdev_flow_stop(struct atnet_netdev *p)
{
	struct atnet_modem *m = p->m;

	mutex_lock(&m->lock);
	atnet_netdev_flow_ctx(p, false);
	mutex_unlock(&m->lock);
	cancel_delayed_work_sync(&p->flow_tick);
	cancel_work_sync(&p->flow_work);
	skb_queue_purge(&p->txq);
}
