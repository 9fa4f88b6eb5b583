// SPDX-License-Identifier: GPL-2.0
/*
 * AF_ATNET unconnected UDP (sendto/recvfrom without connect()): a link per
 * peer, opened by the first sendto() to it; see the top of socket.c for
 * why, and for the lock rules. The peers (as->udp[]) change under
 * lock_sock only.
 */
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include <linux/atnet.h>

#include "link.h"
#include "modem.h"
#include "netdev.h"
#include "socket.h"
#include "socket_priv.h"

/* ---- unconnected UDP: a link per peer ------------------------------- */

/* lock_sock held: retire peer @i (its queued datagrams still go out). */
static void atnet_udp_drop(struct sock *sk, unsigned int i)
{
	struct atnet_udp_peer *p = &atnet_sk(sk)->udp[i];
	struct atnet_modem *m = p->modem;

	if (!p->link)
		return;
	mutex_lock(&m->lock);
	atnet_link_release(p->link);
	mutex_unlock(&m->lock);
	p->link = NULL;
	p->modem = NULL;
	atnet_modem_put(m);
	/* A sender waiting on this peer looks again. */
	wake_up_interruptible_all(sk_sleep(sk));
}

void atnet_udp_drop_all(struct sock *sk)
{
	unsigned int i;

	for (i = 0; i < ATNET_UDP_PEERS; i++)
		atnet_udp_drop(sk, i);
}

bool atnet_udp_any(const struct atnet_sock *as)
{
	unsigned int i;

	for (i = 0; i < ATNET_UDP_PEERS; i++)
		if (as->udp[i].link)
			return true;
	return false;
}

/* The next peer with a datagram waiting, round robin; -1 when none. */
int atnet_udp_ready(struct atnet_sock *as)
{
	unsigned int i, k;

	for (i = 0; i < ATNET_UDP_PEERS; i++) {
		k = (as->udp_next + i) % ATNET_UDP_PEERS;
		if (as->udp[k].link && atnet_link_rx_next(as->udp[k].link) >= 0)
			return k;
	}
	return -1;
}

static bool atnet_udp_dead(const struct atnet_link *l)
{
	return atnet_sk_tx_dead(l) || READ_ONCE(l->state) == ATNET_LINK_CLOSED;
}

/*
 * lock_sock held: the link to @sat's peer, opened (and connected) if new.
 * ERR_PTR(-EAGAIN) with *@retry set: another thread retired the peer while
 * we waited for its link; the caller looks again.
 */
static struct atnet_udp_peer *atnet_udp_peer(struct sock *sk,
					     const struct sockaddr_atnet *sat,
					     long *timeo, bool *retry)
{
	struct atnet_sock *as = atnet_sk(sk);
	int ifindex = sat->sat_ifindex ?: READ_ONCE(sk->sk_bound_dev_if);
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct atnet_udp_peer *p = NULL;
	struct atnet_hold h;
	struct atnet_modem *m;
	struct atnet_link *l;
	unsigned int i;
	int err = 0, ctx = 0;
	bool ours;

	for (i = 0; i < ATNET_UDP_PEERS; i++) {
		p = &as->udp[i];
		if (!p->link || p->addr.sat_addr.s_addr != sat->sat_addr.s_addr ||
		    p->addr.sat_port != sat->sat_port ||
		    (sat->sat_ifindex &&
		     p->addr.sat_ifindex != sat->sat_ifindex))
			continue;
		if (!atnet_udp_dead(p->link)) {
			/* Another thread's sendto() may still connect it. */
			if (!atnet_sk_connecting(p->link))
				return p;
			l = p->link;
			m = p->modem;
			goto wait;
		}
		atnet_udp_drop(sk, i);
	}
	for (i = 0, p = NULL; i < ATNET_UDP_PEERS && !p; i++)
		if (!as->udp[i].link)
			p = &as->udp[i];
	for (i = 0; i < ATNET_UDP_PEERS && !p; i++) {
		/*
		 * Full: the oldest peer makes room, but not one whose link
		 * another thread's sendto() is still opening or waits on for
		 * ring room (it would only open it again, retiring the next
		 * one, and a blocking sendto() could end in EAGAIN).
		 */
		unsigned int k = (as->udp_next + i) % ATNET_UDP_PEERS;

		if (atnet_sk_connecting(as->udp[k].link) ||
		    as->udp[k].waiters)
			continue;
		atnet_udp_drop(sk, k);
		as->udp_next = k + 1;
		p = &as->udp[k];
	}
	if (!p)
		return ERR_PTR(-EAGAIN);

	if (ifindex)
		m = atnet_modem_get_by_ifindex(sock_net(sk), ifindex, &ctx);
	else
		m = atnet_modem_get_first_up(sock_net(sk), &ctx);
	if (!m)
		return ERR_PTR(ifindex ? -ENODEV : -ENETUNREACH);
	mutex_lock(&m->lock);
	l = atnet_link_open_lport(m, ctx, IPPROTO_UDP, sat->sat_addr.s_addr,
				  sat->sat_port, ntohs(as->bound.sat_port),
				  &atnet_sk_wake_ops, sk);
	if (IS_ERR(l)) {
		mutex_unlock(&m->lock);
		atnet_modem_put(m);
		/* As connect(): a modem going away is an interface going down. */
		return ERR_PTR(PTR_ERR(l) == -ENODEV ? -ENETDOWN : PTR_ERR(l));
	}
	p->modem = m;
	p->link = l;
	p->addr = *sat;
	memset(p->addr.sat_zero, 0, sizeof(p->addr.sat_zero));
	/* Under the lock: a detach clears dev. */
	if (atnet_ctx_ifindex(m, ctx))
		p->addr.sat_ifindex = atnet_ctx_ifindex(m, ctx);
	mutex_unlock(&m->lock);

wait:
	/*
	 * A UDP link's open answers at once; wait like connect() does, so
	 * a refused or failed link is this sendto()'s error. A wait that
	 * stops (non-blocking, timeout, signal) while the link is still
	 * being opened leaves it be: the datagram is queued on it and goes
	 * out once it is connected (the link sends nothing before), as a
	 * UDP sendto() never waits for its peer.
	 */
	atnet_hold(&h, m, l);
	p->waiters++;
	atnet_sk_wait_add(sk, &wait);
	while ((ours = atnet_hold_ok(&h, p->link)) && atnet_sk_connecting(l)) {
		err = atnet_sk_wait_stop(*timeo);
		if (err)
			break;
		atnet_sk_sleep(sk, timeo, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	p->waiters--;
	if (ours && err && atnet_sk_connecting(l)) {
		atnet_hold_put(&h);
		return p;
	}
	if (!ours) {
		/* Retired by another thread: not ours to drop. */
		atnet_hold_put(&h);
		*retry = true;
		return ERR_PTR(-EAGAIN);
	}
	if (!err && !atnet_sk_connected(l))
		err = READ_ONCE(l->err) ?: -ECONNREFUSED;
	atnet_hold_put(&h);
	if (err) {
		atnet_udp_drop(sk, p - as->udp);
		return ERR_PTR(err == -ENODEV ? -ENETDOWN : err);
	}
	return p;
}

/* sendto() on an unconnected UDP socket; lock_sock held. */
int atnet_udp_sendto(struct sock *sk, struct msghdr *msg, size_t len,
		     long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct atnet_udp_peer *p;
	struct atnet_hold h;
	struct atnet_link *l;
	unsigned int tries;
	bool ours, retry;
	int err;

	err = atnet_check_addr(sk, msg->msg_name, msg->msg_namelen);
	if (err)
		return err;
	if (!len || len > ATNET_LINK_MTU_MAX)
		return len ? -EMSGSIZE : -EINVAL;
	/*
	 * Other threads' sendto()s may retire the peer whenever we sleep:
	 * then look it up (open it) again, a few times at most.
	 */
	for (tries = 0; tries < 4; tries++) {
		/* Another thread's connect() ended the unconnected life. */
		if (atnet_sk(sk)->link)
			return -EISCONN;
		retry = false;
		p = atnet_udp_peer(sk, msg->msg_name, &timeo, &retry);
		if (retry)
			continue;
		if (IS_ERR(p))
			return PTR_ERR(p);
		l = p->link;
		if (len > READ_ONCE(l->mtu))
			return -EMSGSIZE;
		atnet_hold(&h, p->modem, l);
		p->waiters++;
		atnet_sk_wait_add(sk, &wait);
		while ((ours = atnet_hold_ok(&h, p->link)) &&
		       atnet_link_tx_room(l) < len && !atnet_udp_dead(l)) {
			set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
			err = atnet_sk_wait_stop(timeo);
			if (err)
				break;
			atnet_sk_sleep(sk, &timeo, &wait);
		}
		remove_wait_queue(sk_sleep(sk), &wait);
		/* p is a slot of as->udp: still ours to count on. */
		p->waiters--;
		if (!ours) {
			atnet_hold_put(&h);
			continue;
		}
		if (!err && atnet_udp_dead(l)) {
			err = READ_ONCE(l->err) ?: -EPIPE;
			if (err == -ENODEV)
				err = -ENETDOWN;
		}
		if (!err) {
			err = atnet_link_tx_write(l, &msg->msg_iter, len);
			if (err >= 0) {
				mutex_lock(&h.m->lock);
				atnet_link_kick(l);
				mutex_unlock(&h.m->lock);
				err = len;
			}
		}
		atnet_hold_put(&h);
		return err;
	}
	return -EAGAIN;
}

/* atnet_udp_recvfrom(): the socket changed under it, look again. */
#define ATNET_RECV_AGAIN	INT_MIN

/* recvfrom() on an unconnected UDP socket; lock_sock held. */
int atnet_udp_recvfrom(struct sock *sk, struct msghdr *msg,
		       size_t len, int flags, long *timeo)
{
	struct atnet_sock *as = atnet_sk(sk);
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	DECLARE_SOCKADDR(struct sockaddr_atnet *, sat, msg->msg_name);
	struct atnet_udp_peer *p;
	int k, next, err = 0;

	atnet_sk_wait_add(sk, &wait);
	while ((k = atnet_udp_ready(as)) < 0) {
		/* shutdown(SHUT_RD): as UDP, reads return 0 from now on. */
		if (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN)
			break;
		err = atnet_sk_wait_stop(*timeo);
		if (err)
			break;
		atnet_sk_sleep(sk, timeo, &wait);
		/*
		 * Another thread's connect() ended the unconnected life:
		 * the caller reads from the connected link instead.
		 */
		if (as->link || !atnet_udp_any(as)) {
			err = -EAGAIN;
			k = -2;
			break;
		}
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	if (k == -2)
		return ATNET_RECV_AGAIN;
	if (k < 0)
		return err;

	p = &as->udp[k];
	next = atnet_link_rx_next(p->link);
	err = atnet_link_rx_peek(p->link, &msg->msg_iter, 0,
				 min_t(size_t, len, next));
	if (err < 0)
		return err;
	if (next > len)
		msg->msg_flags |= MSG_TRUNC;
	if (sat) {
		*sat = p->addr;
		msg->msg_namelen = sizeof(*sat);
	}
	if (!(flags & MSG_PEEK)) {
		atnet_link_rx_consume(p->link, next);
		as->udp_next = k + 1;
		if (atnet_link_rx_starved(p->link)) {
			mutex_lock(&p->modem->lock);
			atnet_link_kick(p->link);
			mutex_unlock(&p->modem->lock);
		}
	}
	return (flags & MSG_TRUNC) ? next : err;
}
