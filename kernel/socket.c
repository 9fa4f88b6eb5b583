// SPDX-License-Identifier: GPL-2.0
/*
 * AF_ATNET sockets: a TCP or UDP client whose connection lives in the modem
 * (one link slot per socket). The semantics and every errno are documented
 * in uapi/linux/atnet.h ("Sockets").
 *
 * Lock order: lock_sock(sk) -> modem->lock. The link layer calls our owner
 * ops under modem->lock: they mirror the link into sk_state, sk_shutdown and
 * sk_err and wake, nothing more. Never lock_sock under modem->lock.
 *
 * While a socket has a link, sk_state, sk_shutdown and as->err_seen are only
 * written with modem->lock held (from both sides); data moves through the
 * link's rings without it (see link.h).
 *
 * Several threads may use one socket: as->link, as->modem and the UDP peers
 * change only under lock_sock, which every blocking call drops while it
 * sleeps. So a blocking call holds what it started on (struct atnet_hold:
 * the link, its gen and a modem reference), sleeps with atnet_sk_sleep()
 * (which, unlike sk_wait_event(), evaluates nothing without the lock) and,
 * after every wake, checks that the socket still has that link before it
 * touches it again. When another thread changed it (a connect() ended and
 * dropped the link, a sendto() retired the peer), the call answers as a
 * second TCP caller would, from the socket's state.
 *
 * Listening (bind + listen on SOCK_STREAM) runs the modem's TCP server
 * (listen.c, one per modem): each client the modem accepts becomes a link
 * the listener holds in its accept queue (as->acceptq, under modem->lock)
 * until accept() hands it to a new socket; beyond the backlog, or with no
 * listener, the modem's link is hung up. Lock order as above; listen()
 * and close() wait for the modem's answer under lock_sock alone.
 *
 * Unconnected UDP (sendto/recvfrom): a modem's own unconnected mode, where
 * it has one, costs every other link (see the dialect's link file), so the
 * mapping onto the modem's links is a link per peer: the first sendto() to
 * a peer opens a UDP link to it (with the bound local port, if any, so
 * every peer sees that port), later ones reuse it; recvfrom() takes the
 * next datagram of any of them, round robin, and reports that link's peer
 * as the source (the real one: a connected UDP link hears only its peer,
 * so the modem need not say who sent a datagram). At most ATNET_UDP_PEERS
 * peers at once: a new one retires the oldest. A datagram from a peer the
 * socket never sent to cannot reach it.
 */
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include <linux/atnet.h>

#include "link.h"
#include "modem.h"
#include "netdev.h"
#include "request.h"
#include "socket.h"

static int family = ATNET_AF_DEFAULT;
module_param(family, int, 0444);
MODULE_PARM_DESC(family, "Address family number of AF_ATNET (default 25)");

/* Peers an unconnected UDP socket talks to at once (one link each). */
#define ATNET_UDP_PEERS		4

/* How long SIOCOUTQ waits for an ack query before answering from cache. */
#define ATNET_ACK_WAIT_MS	2000

struct atnet_sock {
	struct sock sk;
	struct atnet_modem *modem;	/* a reference while link is set */
	struct atnet_link *link;	/* ours until atnet_sk_unlink() */
	int ctx;
	struct sockaddr_atnet peer;
	int err_seen;			/* link->err last copied to sk_err */
	bool nodelay;			/* TCP_NODELAY, accepted and kept */

	/* bind(): the port (and interface) for listen(). */
	struct sockaddr_atnet bound;
	/* listen(): a modem reference while listening. */
	struct atnet_modem *lsn_modem;
	int lsn_ctx;
	int lsn_err;			/* the server is gone: accept() fails */
	/* Clients not accepted yet; under lsn_modem->lock. */
	struct atnet_link *acceptq[ATNET_LINKS_MAX];
	unsigned int nq;

	/* Unconnected UDP: a link per peer (sendto); under lock_sock. */
	struct atnet_udp_peer {
		struct atnet_modem *modem;	/* a reference while link is set */
		struct atnet_link *link;
		struct sockaddr_atnet addr;
		/* sendto()s asleep on it: not evicted meanwhile. */
		unsigned int waiters;
	} udp[ATNET_UDP_PEERS];
	unsigned int udp_next;		/* round robin: receive, eviction */
};

static struct atnet_sock *atnet_sk(const struct sock *sk)
{
	return container_of(sk, struct atnet_sock, sk);
}

static bool atnet_sk_dgram(const struct sock *sk)
{
	return sk->sk_type == SOCK_DGRAM;
}

static void atnet_sk_set_state(struct sock *sk, u8 state)
{
	WRITE_ONCE(sk->sk_state, state);
}

/* What a blocking call holds across a sleep; see the top of this file. */
struct atnet_hold {
	struct atnet_modem *m;
	struct atnet_link *l;
	u32 gen;
};

/* lock_sock held, @l is the socket's (or its peer's) link on @m. */
static void atnet_hold(struct atnet_hold *h, struct atnet_modem *m,
		       struct atnet_link *l)
{
	h->m = m;
	h->l = l;
	h->gen = READ_ONCE(l->gen);
	/* The link table lives as long as the modem: @l stays readable. */
	atnet_modem_get(m);
}

static void atnet_hold_put(struct atnet_hold *h)
{
	atnet_modem_put(h->m);
}

/* lock_sock held: is @now (as->link, p->link) still the held link? */
static bool atnet_hold_ok(const struct atnet_hold *h,
			  const struct atnet_link *now)
{
	return now == h->l && READ_ONCE(h->l->gen) == h->gen;
}

/*
 * Queue @wait on sk_sleep(sk) before the caller's first test of its
 * condition. The wakers (sk_data_ready and the like, called under
 * modem->lock, not lock_sock) test skwq_has_sleeper() locklessly after a
 * full barrier; this is the pairing one, as in sock_poll_wait(): without
 * it the list_add can still sit in the store buffer while we read the old
 * condition, the waker sees no sleeper, and the wake is lost for good.
 */
static void atnet_sk_wait_add(struct sock *sk, struct wait_queue_entry *wait)
{
	add_wait_queue(sk_sleep(sk), wait);
	/* Pairs with the smp_mb() of skwq_has_sleeper() in the wakers. */
	smp_mb();
}

/*
 * Sleep until a wake on @wait (on sk_sleep(sk) already), the timeout or a
 * signal, without lock_sock. Callers test their condition under lock_sock
 * before and after: a wake in between is not lost (WQ_FLAG_WOKEN).
 */
static void atnet_sk_sleep(struct sock *sk, long *timeo,
			   struct wait_queue_entry *wait)
{
	release_sock(sk);
	*timeo = wait_woken(wait, TASK_INTERRUPTIBLE, *timeo);
	lock_sock(sk);
}

/* ---- link owner ops: modem->lock held ------------------------------ */

static void atnet_sk_sync(struct sock *sk, struct atnet_link *l)
{
	struct atnet_sock *as = atnet_sk(sk);
	u8 state = sk->sk_state, shut = sk->sk_shutdown;
	int err = READ_ONCE(l->err);

	lockdep_assert_held(&l->modem->lock);
	if (err) {
		state = TCP_CLOSE;
		shut = SHUTDOWN_MASK;
	} else if (l->peer_closed) {
		state = TCP_CLOSE_WAIT;
		shut |= SEND_SHUTDOWN;
		if (l->rx_eof)
			shut |= RCV_SHUTDOWN;
	} else if (l->state == ATNET_LINK_CONNECTED) {
		state = TCP_ESTABLISHED;
	} else if (l->state == ATNET_LINK_CONNECTING) {
		state = TCP_SYN_SENT;
	}
	WRITE_ONCE(sk->sk_shutdown, shut);
	atnet_sk_set_state(sk, state);
	if (err && err != as->err_seen) {
		as->err_seen = err;
		WRITE_ONCE(sk->sk_err, -err);
		sk_error_report(sk);
	}
}

static void atnet_sk_state_change(struct atnet_link *l)
{
	struct sock *sk = l->owner;

	atnet_sk_sync(sk, l);
	sk->sk_state_change(sk);
}

static void atnet_sk_data_ready(struct atnet_link *l)
{
	struct sock *sk = l->owner;

	atnet_sk_sync(sk, l);
	sk->sk_data_ready(sk);
}

static void atnet_sk_write_space(struct atnet_link *l)
{
	struct sock *sk = l->owner;

	sk->sk_write_space(sk);
}

/*
 * Owners of a link whose state is not the socket's (a UDP peer, a client
 * in the accept queue) only wake the socket, which looks for itself.
 */
static void atnet_sk_wake(struct atnet_link *l)
{
	struct sock *sk = l->owner;

	sk->sk_data_ready(sk);
	atnet_sk_write_space(l);
}

static const struct atnet_link_owner_ops atnet_sk_owner_ops = {
	.state_change = atnet_sk_state_change,
	.data_ready = atnet_sk_data_ready,
	.write_space = atnet_sk_write_space,
}, atnet_sk_wake_ops = {
	.state_change = atnet_sk_wake,
	.data_ready = atnet_sk_wake,
	.write_space = atnet_sk_wake,
};

/* ---- helpers ------------------------------------------------------- */

/* Drop the link (closing it) and the modem reference; lock_sock held. */
static void atnet_sk_unlink(struct sock *sk)
{
	struct atnet_sock *as = atnet_sk(sk);
	struct atnet_modem *m = as->modem;

	if (!as->link)
		return;
	mutex_lock(&m->lock);
	atnet_link_release(as->link);
	/* Plain: as->link is only read under lock_sock, as it is written. */
	as->link = NULL;
	mutex_unlock(&m->lock);
	as->modem = NULL;
	as->err_seen = 0;
	atnet_modem_put(m);
	/* Other threads waiting on the link look again. */
	wake_up_interruptible_all(sk_sleep(sk));
}

/* lock_sock held: move the socket's link's data, if it has one. */
static void atnet_sk_kick(struct sock *sk)
{
	struct atnet_sock *as = atnet_sk(sk);

	if (!as->link)
		return;
	mutex_lock(&as->modem->lock);
	atnet_link_kick(as->link);
	mutex_unlock(&as->modem->lock);
}

static bool atnet_sk_connecting(const struct atnet_link *l)
{
	return READ_ONCE(l->state) == ATNET_LINK_CONNECTING && !READ_ONCE(l->err);
}

static bool atnet_sk_connected(const struct atnet_link *l)
{
	return READ_ONCE(l->state) == ATNET_LINK_CONNECTED && !READ_ONCE(l->err);
}

/* Every received byte was delivered to the ring and nothing more comes. */
static bool atnet_sk_rx_eof(const struct atnet_link *l)
{
	/* Pairs with the release in atnet_link_check_eof(): data first. */
	return smp_load_acquire(&l->rx_eof) && !atnet_link_rx_avail(l);
}

static bool atnet_sk_tx_writable(const struct atnet_link *l)
{
	size_t room = atnet_link_tx_room(l);

	if (atnet_link_dgram(l))
		return room >= READ_ONCE(l->mtu);
	/* Like TCP: wake writers only when a useful amount fits. */
	return room >= ATNET_LINK_TXBUF / 2;
}

/* Nothing more to read: shut down for receive, or the link's data ended. */
static bool atnet_sk_rx_done(const struct sock *sk, const struct atnet_link *l)
{
	return (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) || atnet_sk_rx_eof(l);
}

/* The link failed or the peer closed: what is queued will not go out. */
static bool atnet_sk_tx_dead(const struct atnet_link *l)
{
	return READ_ONCE(l->err) || READ_ONCE(l->peer_closed);
}

/*
 * Every blocking loop here asks the same before it sleeps again: -EAGAIN
 * once the timeout ran out (or at once for a non-blocking call), the
 * signal's errno when one is pending, else 0: sleep on.
 */
static int atnet_sk_wait_stop(long timeo)
{
	if (!timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(timeo);
	return 0;
}

/*
 * One sleep of a blocking call on the socket's link held in @h: 0 and
 * *ours when it may look again, 0 and !*ours when the socket's link
 * changed meanwhile, or the error that ends the wait (timeout, signal).
 */
static int atnet_sk_wait_held(struct sock *sk, long *timeo,
			      struct wait_queue_entry *wait,
			      const struct atnet_hold *h, bool *ours)
{
	int err = atnet_sk_wait_stop(*timeo);

	if (err)
		return err;
	atnet_sk_sleep(sk, timeo, wait);
	*ours = atnet_hold_ok(h, atnet_sk(sk)->link);
	return 0;
}

static void atnet_lsn_stop(struct sock *sk);
static void atnet_udp_drop_all(struct sock *sk);
static bool atnet_lsn_ready(struct atnet_sock *as);
static int atnet_bind(struct socket *sock, struct sockaddr *uaddr,
		      int addr_len);
static int atnet_listen(struct socket *sock, int backlog);
static int atnet_accept(struct socket *sock, struct socket *newsock,
			int flags, bool kern);

/* ---- create / release ---------------------------------------------- */

static struct proto atnet_proto = {
	.name = "ATNET",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct atnet_sock),
};

static int atnet_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	lock_sock(sk);
	atnet_lsn_stop(sk);
	atnet_udp_drop_all(sk);
	/* Queued sends still go out; the link closes after them. */
	atnet_sk_unlink(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	atnet_sk_set_state(sk, TCP_CLOSE);
	sk->sk_state_change(sk);
	sock_orphan(sk);
	sock->sk = NULL;
	release_sock(sk);
	sock_put(sk);
	return 0;
}

/* ---- connect ------------------------------------------------------- */

static int atnet_check_addr(const struct sock *sk, struct sockaddr *uaddr,
			    int addr_len)
{
	const struct sockaddr_atnet *sat = (const struct sockaddr_atnet *)uaddr;
	__be32 a;

	if (addr_len < (int)offsetofend(struct sockaddr_atnet, sat_ifindex))
		return -EINVAL;
	if (sat->sat_family != family)
		return -EAFNOSUPPORT;
	a = sat->sat_addr.s_addr;
	if (!sat->sat_port || ipv4_is_zeronet(a) || ipv4_is_lbcast(a))
		return -EINVAL;
	if (!atnet_sk_dgram(sk) && ipv4_is_multicast(a))
		return -EINVAL;
	return 0;
}

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

static void atnet_udp_drop_all(struct sock *sk)
{
	unsigned int i;

	for (i = 0; i < ATNET_UDP_PEERS; i++)
		atnet_udp_drop(sk, i);
}

static bool atnet_udp_any(const struct atnet_sock *as)
{
	unsigned int i;

	for (i = 0; i < ATNET_UDP_PEERS; i++)
		if (as->udp[i].link)
			return true;
	return false;
}

/* The next peer with a datagram waiting, round robin; -1 when none. */
static int atnet_udp_ready(struct atnet_sock *as)
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
static int atnet_udp_sendto(struct sock *sk, struct msghdr *msg, size_t len,
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
static int atnet_udp_recvfrom(struct sock *sk, struct msghdr *msg,
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

static int atnet_connect_start(struct sock *sk, const struct sockaddr_atnet *sat)
{
	struct atnet_sock *as = atnet_sk(sk);
	struct atnet_modem *m;
	struct atnet_link *l;
	int ctx = 0;
	/* sat_ifindex, else SO_BINDTODEVICE, names the context. */
	int ifindex = sat->sat_ifindex ?: READ_ONCE(sk->sk_bound_dev_if);

	if (ifindex)
		m = atnet_modem_get_by_ifindex(sock_net(sk), ifindex, &ctx);
	else
		m = atnet_modem_get_first_up(sock_net(sk), &ctx);
	if (!m)
		return ifindex ? -ENODEV : -ENETUNREACH;

	mutex_lock(&m->lock);
	/* A bound port is the link's local port (the dialect sets it). */
	l = atnet_link_open_lport(m, ctx, atnet_sk_dgram(sk) ? IPPROTO_UDP :
				  IPPROTO_TCP, sat->sat_addr.s_addr,
				  sat->sat_port, ntohs(as->bound.sat_port),
				  &atnet_sk_owner_ops, sk);
	if (IS_ERR(l)) {
		mutex_unlock(&m->lock);
		atnet_modem_put(m);
		/* A modem going away is an interface going down. */
		return PTR_ERR(l) == -ENODEV ? -ENETDOWN : PTR_ERR(l);
	}
	as->modem = m;
	as->link = l;
	as->ctx = ctx;
	as->err_seen = 0;
	as->peer = *sat;
	memset(as->peer.sat_zero, 0, sizeof(as->peer.sat_zero));
	if (atnet_ctx_ifindex(m, ctx))
		as->peer.sat_ifindex = atnet_ctx_ifindex(m, ctx);
	WRITE_ONCE(sk->sk_err, 0);
	WRITE_ONCE(sk->sk_shutdown, 0);
	atnet_sk_set_state(sk, TCP_SYN_SENT);
	mutex_unlock(&m->lock);
	return 0;
}

/*
 * lock_sock held: a connect() failed or was given up. A stream socket
 * stays shut down (as after tcp_done(): POLLHUP, recv() returns 0); a
 * datagram socket is a fresh unconnected one again (POLLOUT only).
 */
static void atnet_sk_disconnected(struct sock *sk)
{
	atnet_sk_unlink(sk);
	if (atnet_sk_dgram(sk))
		WRITE_ONCE(sk->sk_shutdown, 0);
	atnet_sk_set_state(sk, TCP_CLOSE);
	sk->sk_socket->state = SS_UNCONNECTED;
}

static int atnet_connect(struct socket *sock, struct sockaddr *uaddr,
			 int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	struct atnet_sock *as = atnet_sk(sk);
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct atnet_link *l;
	struct atnet_hold h;
	bool ours;
	long timeo;
	int err;

	err = atnet_check_addr(sk, uaddr, addr_len);
	if (err)
		return err;

	lock_sock(sk);
	if (as->lsn_modem) {
		err = -EISCONN;		/* as TCP on a listening socket */
		goto out;
	}
	switch (sock->state) {
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		/* Like TCP: EALREADY while it runs, its outcome once it ended. */
		err = -EALREADY;
		break;
	default:
		/* A failed attempt leaves its dead link: start afresh. */
		atnet_sk_unlink(sk);
		/* connect() ends the unconnected life: one peer from now on. */
		atnet_udp_drop_all(sk);
		err = atnet_connect_start(sk, (struct sockaddr_atnet *)uaddr);
		if (err)
			goto out;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	}

	l = as->link;
	if (!l)
		goto changed;
	if (atnet_sk_connecting(l)) {
		timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
		if (!timeo)
			goto out;
		atnet_hold(&h, as->modem, l);
		atnet_sk_wait_add(sk, &wait);
		while ((ours = atnet_hold_ok(&h, as->link)) &&
		       atnet_sk_connecting(l) && timeo) {
			if (signal_pending(current))
				break;
			atnet_sk_sleep(sk, &timeo, &wait);
		}
		remove_wait_queue(sk_sleep(sk), &wait);
		atnet_hold_put(&h);
		if (!ours)
			goto changed;
		if (atnet_sk_connecting(l)) {
			if (signal_pending(current)) {
				/* The attempt goes on, as TCP's does. */
				err = sock_intr_errno(timeo);
				goto out;
			}
			/* SO_SNDTIMEO ran out: give the attempt up. */
			atnet_sk_disconnected(sk);
			err = -ETIMEDOUT;
			goto out;
		}
	}

	if (atnet_sk_connected(l)) {
		sock->state = SS_CONNECTED;
		err = 0;
		goto out;
	}
	/*
	 * Refused, timed out, interface or modem gone. As TCP: once SO_ERROR
	 * took the reason, a later connect() reports ECONNABORTED.
	 */
	err = sock_error(sk) ?: -ECONNABORTED;
	atnet_sk_disconnected(sk);
	goto out;
changed:
	/*
	 * Another connect() of this socket ended the attempt while we slept
	 * (and took the link): as TCP's second waiter, its outcome.
	 */
	if (sock->state == SS_CONNECTED)
		err = 0;
	else
		err = sock_error(sk) ?: -ECONNABORTED;
out:
	release_sock(sk);
	return err;
}

/* ---- send ---------------------------------------------------------- */

/* Wait until a connect in progress ended; lock_sock held. */
static int atnet_wait_connect(struct sock *sk, long *timeo)
{
	struct atnet_sock *as = atnet_sk(sk);
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct atnet_link *l = as->link;
	struct atnet_hold h;
	int err = 0;

	if (!l || !atnet_sk_connecting(l))
		return 0;
	/* The caller looks at as->link afresh: a connect() may drop it. */
	atnet_hold(&h, as->modem, l);
	atnet_sk_wait_add(sk, &wait);
	while (atnet_hold_ok(&h, as->link) && atnet_sk_connecting(l)) {
		err = atnet_sk_wait_stop(*timeo);
		if (err)
			break;
		atnet_sk_sleep(sk, timeo, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	atnet_hold_put(&h);
	return err;
}

/*
 * lock_sock held: a send cannot go on (an error, shut down, link dead or
 * gone). Consumes nothing: the error stays for the caller's final
 * atnet_send_check() when nothing was sent, else for the next call.
 */
static bool atnet_send_stopped(struct sock *sk)
{
	struct atnet_link *l = atnet_sk(sk)->link;

	return READ_ONCE(sk->sk_err) || !l ||
	       (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
	       atnet_sk_tx_dead(l) || !atnet_sk_connected(l);
}

/*
 * Did the modem accept the payload up to position @end (or will it never)?
 * tx_bytes is a u64 the dialect writes under modem->lock: read it there,
 * as a lockless read can tear on 32-bit machines.
 */
static bool atnet_sk_accepted(struct atnet_modem *m, struct atnet_link *l,
			      u64 end)
{
	bool done;

	mutex_lock(&m->lock);
	done = l->tx_bytes >= end || atnet_sk_tx_dead(l);
	mutex_unlock(&m->lock);
	return done;
}

/* Why a send cannot go on, or 0; consumes sk_err, raises SIGPIPE. */
static int atnet_send_check(struct sock *sk, int flags)
{
	struct atnet_sock *as = atnet_sk(sk);
	struct atnet_link *l = as->link;
	int err;

	err = sock_error(sk);
	if (err)
		return err;
	/* As tcp_sendmsg() (sk_stream_wait_connect()): EPIPE, SIGPIPE. */
	if (!l)
		return atnet_sk_dgram(sk) ? -EDESTADDRREQ :
		       sk_stream_error(sk, flags, -EPIPE);
	if ((READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
	    atnet_sk_tx_dead(l) || !atnet_sk_connected(l))
		return sk_stream_error(sk, flags, -EPIPE);
	return 0;
}

static int atnet_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct atnet_sock *as = atnet_sk(sk);
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	bool dgram = atnet_sk_dgram(sk);
	bool blocking, dead, ours = true, stopped = false;
	struct atnet_link *l;
	struct atnet_hold h;
	size_t queued = 0;
	u64 first = 0, seg = 0, end = 0, other = 0;
	long timeo;
	int err;

	if (msg->msg_flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE |
			       MSG_EOR | MSG_CMSG_COMPAT))
		return -EOPNOTSUPP;

	lock_sock(sk);
	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	if (msg->msg_name && dgram) {
		err = as->link ? -EISCONN :
		      atnet_udp_sendto(sk, msg, len, timeo);
		goto out;
	}
	err = atnet_wait_connect(sk, &timeo);
	if (err)
		goto out;
	err = atnet_send_check(sk, msg->msg_flags);
	if (err)
		goto out;
	l = as->link;
	if (dgram && (len > READ_ONCE(l->mtu) || !len)) {
		err = len ? -EMSGSIZE : -EINVAL;
		goto out;
	}

	/*
	 * Bytes count as sent once the modem accepted them: a blocking send
	 * returns when it did; a non-blocking one reports what it queued
	 * (SIOCOUTQ includes it, a later failure is a socket error).
	 *
	 * Other threads may queue on the same link while we sleep, so our
	 * bytes are the payload positions (tx_queued) [first, end) less the
	 * @other bytes queued in between; @seg starts our last piece, the
	 * only one we may withdraw, and only while nothing follows it.
	 */
	atnet_hold(&h, as->modem, l);
	blocking = timeo != 0;
	atnet_sk_wait_add(sk, &wait);
	while (queued < len) {
		size_t room = atnet_link_tx_room(l);
		size_t n = min(room, len - queued);
		u64 pos = l->tx_queued;

		if (dgram && room < len)
			n = 0;
		if (n) {
			err = atnet_link_tx_write(l, &msg->msg_iter, n);
			if (err < 0)
				break;
			if (!queued)
				first = pos;
			if (!queued || pos != end) {
				other += queued ? pos - end : 0;
				seg = pos;
			}
			end = pos + err;
			queued += err;
			err = 0;
			atnet_sk_kick(sk);
			continue;
		}
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		err = atnet_sk_wait_held(sk, &timeo, &wait, &h, &ours);
		if (err || !ours)
			break;
		/* As TCP: the error and SIGPIPE only if nothing was sent. */
		stopped = atnet_send_stopped(sk);
		if (stopped)
			break;
	}
	/* Blocking: wait for the modem's acceptance of what we queued. */
	if (!err && ours && blocking) {
		while (!atnet_sk_accepted(h.m, l, end)) {
			err = atnet_sk_wait_held(sk, &timeo, &wait, &h, &ours);
			if (err || !ours)
				break;
		}
	}
	remove_wait_queue(sk_sleep(sk), &wait);

	/*
	 * Decided under modem->lock, where the link fails, its slot is taken
	 * again (gen) and the modem's acceptance (tx_bytes) is counted: so
	 * dead, gen and tx_bytes agree with each other.
	 */
	mutex_lock(&h.m->lock);
	if (!ours) {
		/*
		 * A connect() of another thread dropped the failed link: only
		 * its counters, while the slot was not taken again, tell what
		 * of ours the modem accepted.
		 */
		dead = true;
		if (l->gen != h.gen)
			queued = 0;
	} else {
		dead = atnet_sk_tx_dead(l);
	}
	if (blocking && queued && (err || dead || !ours || stopped)) {
		if (!dead) {
			/*
			 * Interrupted or timed out: what the modem has not
			 * started on is withdrawn, so the count we return is
			 * exact, unless another send queued after it: then
			 * it goes out, and counts.
			 */
			if (l->tx_queued == end) {
				size_t dropped = atnet_link_tx_withdraw(l, seg);

				queued -= min(queued, dropped);
				end -= dropped;
			}
		} else {
			/*
			 * Failed: what of ours the modem took before. Exact
			 * unless the failure came before our last piece; then
			 * the other senders' bytes count as taken first, and
			 * we may under-count, never over-count.
			 */
			s64 sent = (s64)(l->tx_bytes - first - other);

			queued = clamp_t(s64, sent, 0, queued);
		}
	}
	mutex_unlock(&h.m->lock);
	atnet_hold_put(&h);
	if (queued) {
		err = queued;
	} else if (dead || stopped || !err) {
		int e = atnet_send_check(sk, msg->msg_flags);

		err = e ? e : err;
	}
out:
	release_sock(sk);
	return err;
}

/* ---- recv ---------------------------------------------------------- */

static void atnet_fill_name(struct atnet_sock *as, struct msghdr *msg)
{
	DECLARE_SOCKADDR(struct sockaddr_atnet *, sat, msg->msg_name);

	if (!sat)
		return;
	*sat = as->peer;
	msg->msg_namelen = sizeof(*sat);
}

/* After a wait: the socket lost its link to another thread's connect(). */
static int atnet_recv_changed(struct sock *sk)
{
	return sock_error(sk) ?: -ENOTCONN;
}

static int atnet_recv_dgram(struct sock *sk, struct msghdr *msg, size_t len,
			    int flags, long timeo)
{
	struct atnet_sock *as = atnet_sk(sk);
	struct atnet_link *l = as->link;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct atnet_hold h;
	int next, err = 0;
	bool ours = true;

	atnet_hold(&h, as->modem, l);
	atnet_sk_wait_add(sk, &wait);
	while ((next = atnet_link_rx_next(l)) < 0) {
		err = sock_error(sk);
		if (err)
			break;
		if (atnet_sk_rx_done(sk, l))
			break;
		err = atnet_sk_wait_held(sk, &timeo, &wait, &h, &ours);
		if (err || !ours)
			break;
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	atnet_hold_put(&h);
	if (!ours)
		return atnet_recv_changed(sk);
	if (next < 0)
		return err;

	err = atnet_link_rx_peek(l, &msg->msg_iter, 0, min_t(size_t, len, next));
	if (err < 0)
		return err;
	if (next > len)
		msg->msg_flags |= MSG_TRUNC;
	atnet_fill_name(as, msg);
	if (!(flags & MSG_PEEK)) {
		atnet_link_rx_consume(l, next);
		if (atnet_link_rx_starved(l))
			atnet_sk_kick(sk);
	}
	return (flags & MSG_TRUNC) ? next : err;
}

static int atnet_recv_stream(struct sock *sk, struct msghdr *msg, size_t len,
			     int flags, long timeo)
{
	struct atnet_sock *as = atnet_sk(sk);
	struct atnet_link *l = as->link;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	bool peek = flags & MSG_PEEK, consumed = false, ours = true;
	struct atnet_hold h;
	int copied = 0, err = 0;
	/* MSG_PEEK: where the bytes we peeked start (the ring's consumer). */
	u32 tail = READ_ONCE(l->rx.tail);

	atnet_hold(&h, as->modem, l);
	atnet_sk_wait_add(sk, &wait);
	while (copied < len) {
		size_t avail = atnet_link_rx_avail(l);
		size_t off = peek ? copied : 0;

		if (avail > off) {
			size_t n = min_t(size_t, avail - off, len - copied);
			int got;

			/* MSG_TRUNC: as TCP, the bytes are not copied. */
			if (flags & MSG_TRUNC)
				got = n;
			else
				got = atnet_link_rx_peek(l, &msg->msg_iter,
							 off, n);
			if (got <= 0) {
				if (!copied)
					copied = got ? got : -EFAULT;
				break;
			}
			if (!peek) {
				atnet_link_rx_consume(l, got);
				consumed = true;
			}
			copied += got;
			continue;
		}
		if (copied >= target)
			break;
		if (copied && READ_ONCE(sk->sk_err))
			break;
		err = sock_error(sk);
		if (err)
			break;
		if (atnet_sk_rx_done(sk, l))
			break;
		err = atnet_sk_wait_stop(timeo);
		if (err)
			break;
		/* Room was made: let the modem refill it while we sleep. */
		if (consumed && atnet_link_rx_starved(l))
			atnet_sk_kick(sk);
		consumed = false;
		atnet_sk_sleep(sk, &timeo, &wait);
		ours = atnet_hold_ok(&h, as->link);
		if (!ours)
			break;
		/*
		 * Another reader consumed while we slept: what we peeked is
		 * no longer the stream's start. Peek again from the start
		 * (TCP appends the new start to what it had copied).
		 */
		if (peek && READ_ONCE(l->rx.tail) != tail) {
			if (!(flags & MSG_TRUNC))
				iov_iter_revert(&msg->msg_iter, copied);
			copied = 0;
			tail = READ_ONCE(l->rx.tail);
		}
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	atnet_hold_put(&h);
	if (!ours)
		return copied ? copied : atnet_recv_changed(sk);
	if (consumed && atnet_link_rx_starved(l))
		atnet_sk_kick(sk);
	if (copied > 0 && msg->msg_name)
		atnet_fill_name(as, msg);
	return copied ? copied : err;
}

static int atnet_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
			 int flags)
{
	struct sock *sk = sock->sk;
	struct atnet_sock *as = atnet_sk(sk);
	long timeo;
	int err;

	if (flags & ~(MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL | MSG_TRUNC |
		      MSG_NOSIGNAL | MSG_CMSG_COMPAT))
		return -EOPNOTSUPP;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
again:
	err = atnet_wait_connect(sk, &timeo);
	if (err)
		goto out;
	if (!as->link && atnet_sk_dgram(sk) && atnet_udp_any(as)) {
		err = atnet_udp_recvfrom(sk, msg, len, flags, &timeo);
		if (err == ATNET_RECV_AGAIN)
			goto again;
		goto out;
	}
	if (!as->link) {
		err = (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) ? 0 : -ENOTCONN;
		goto out;
	}
	if (atnet_sk_dgram(sk))
		err = atnet_recv_dgram(sk, msg, len, flags, timeo);
	else
		err = atnet_recv_stream(sk, msg, len, flags, timeo);
out:
	release_sock(sk);
	return err;
}

/* ---- poll ---------------------------------------------------------- */

static __poll_t atnet_poll(struct file *file, struct socket *sock,
			   poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct atnet_sock *as = atnet_sk(sk);
	struct atnet_link *l;
	__poll_t mask = 0;
	u8 state, shut;

	sock_poll_wait(file, sock, wait);
	/* as->link (and the modem behind it) changes only under lock_sock. */
	lock_sock(sk);
	if (!as->link && atnet_sk_dgram(sk) && atnet_udp_any(as)) {
		mask = EPOLLOUT | EPOLLWRNORM;
		if (atnet_udp_ready(as) >= 0)
			mask |= EPOLLIN | EPOLLRDNORM;
		release_sock(sk);
		return mask;
	}
	if (as->lsn_modem) {
		if (READ_ONCE(sk->sk_err) || READ_ONCE(as->lsn_err))
			mask |= EPOLLERR;
		if (atnet_lsn_ready(as))
			mask |= EPOLLIN | EPOLLRDNORM;
		release_sock(sk);
		return mask;
	}
	state = READ_ONCE(sk->sk_state);
	shut = READ_ONCE(sk->sk_shutdown);
	l = as->link;

	/*
	 * As tcp_poll() and, for datagrams, datagram_poll(): an unconnected
	 * UDP socket can sendto() and is not hung up.
	 */
	if (shut == SHUTDOWN_MASK ||
	    (state == TCP_CLOSE && !atnet_sk_dgram(sk)))
		mask |= EPOLLHUP;
	if (shut & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;

	if (state != TCP_SYN_SENT) {
		if (l) {
			int target = sock_rcvlowat(sk, 0, INT_MAX);

			if (atnet_sk_dgram(sk) ? atnet_link_rx_next(l) >= 0 :
			    atnet_link_rx_avail(l) >= target ||
			    atnet_sk_rx_eof(l))
				mask |= EPOLLIN | EPOLLRDNORM;
		}
		if (!(shut & SEND_SHUTDOWN)) {
			if (!l || state != TCP_ESTABLISHED) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else if (atnet_sk_tx_writable(l)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* Race with the modem accepting a send. */
				smp_mb__after_atomic();
				if (atnet_sk_tx_writable(l))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	/* As tcp_poll(): sk_err is read after the state it explains. */
	smp_rmb();
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	release_sock(sk);
	return mask;
}

/* ---- shutdown, names, ioctl, options -------------------------------- */

/*
 * The modem has no half-close: closing a link ends both directions at once.
 * SHUT_RD and SHUT_WR therefore only act locally (reads return 0, sends
 * fail with EPIPE); the peer sees the end of the stream when the link is
 * closed: at SHUT_RDWR, or at close(). Queued sends still go out first.
 */
static int atnet_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct atnet_sock *as = atnet_sk(sk);
	u8 mask;
	int err = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mask = how + 1;		/* SHUT_RD -> RCV_SHUTDOWN, ... */

	lock_sock(sk);
	if (!as->link) {
		/*
		 * As inet_shutdown(): a listener stops accepting (accept()
		 * fails with EINVAL; the server itself stops at close()), an
		 * unconnected socket answers ENOTCONN but is shut down all
		 * the same: a recvfrom() blocked on it returns 0.
		 */
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | mask);
		err = as->lsn_modem ? 0 : -ENOTCONN;
		sk->sk_state_change(sk);
		goto out;
	}
	mutex_lock(&as->modem->lock);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | mask);
	if (mask == SHUTDOWN_MASK)
		atnet_link_close(as->link);
	mutex_unlock(&as->modem->lock);
	sk->sk_state_change(sk);
out:
	release_sock(sk);
	return err;
}

static int atnet_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sock *sk = sock->sk;
	struct atnet_sock *as = atnet_sk(sk);
	struct sockaddr_atnet *sat = (struct sockaddr_atnet *)uaddr;

	memset(sat, 0, sizeof(*sat));
	sat->sat_family = family;
	lock_sock(sk);
	if (peer) {
		u8 state = READ_ONCE(sk->sk_state);

		if (!as->link ||
		    (state != TCP_ESTABLISHED && state != TCP_CLOSE_WAIT)) {
			release_sock(sk);
			return -ENOTCONN;
		}
		*sat = as->peer;
	} else if (as->lsn_modem) {
		struct atnet_modem *m = as->lsn_modem;

		mutex_lock(&m->lock);
		sat->sat_addr.s_addr = atnet_ctx_addr(m, as->lsn_ctx);
		sat->sat_port = as->bound.sat_port;
		sat->sat_ifindex = atnet_ctx_ifindex(m, as->lsn_ctx);
		mutex_unlock(&m->lock);
	} else if (as->link) {
		struct atnet_modem *m = as->modem;

		mutex_lock(&m->lock);
		sat->sat_addr.s_addr = atnet_ctx_addr(m, as->ctx);
		sat->sat_port = htons(as->link->local_port);
		sat->sat_ifindex = as->peer.sat_ifindex;
		mutex_unlock(&m->lock);
	} else {
		/* As AF_INET: the bound port (and interface), if any. */
		sat->sat_port = as->bound.sat_port;
		sat->sat_ifindex = as->bound.sat_ifindex;
	}
	release_sock(sk);
	return sizeof(*sat);
}

/* SIOCOUTQ: what the peer has not acknowledged (ack query), lock_sock held. */
static int atnet_outq(struct sock *sk)
{
	struct atnet_sock *as = atnet_sk(sk);
	struct atnet_link *l = as->link;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long timeo = msecs_to_jiffies(ATNET_ACK_WAIT_MS);
	struct atnet_hold h;
	u64 queued, acked;
	bool ours = true;
	u32 ack_gen;
	int err;

	if (!l)
		return 0;
	/* The u64 counters under modem->lock: no torn reads on 32 bits. */
	mutex_lock(&as->modem->lock);
	queued = l->tx_queued;
	if (atnet_sk_dgram(sk) || !atnet_sk_connected(l)) {
		queued -= l->tx_bytes;
		mutex_unlock(&as->modem->lock);
		return min_t(u64, queued, INT_MAX);
	}
	ack_gen = l->ack_gen;
	err = atnet_link_ack(l);
	mutex_unlock(&as->modem->lock);
	if (!err) {
		atnet_hold(&h, as->modem, l);
		atnet_sk_wait_add(sk, &wait);
		while ((ours = atnet_hold_ok(&h, as->link)) &&
		       READ_ONCE(l->ack_gen) == ack_gen && timeo &&
		       !signal_pending(current))
			atnet_sk_sleep(sk, &timeo, &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
		atnet_hold_put(&h);
		/* Another thread's connect() dropped the link: nothing queued. */
		if (!ours)
			return 0;
	}
	mutex_lock(&as->modem->lock);
	acked = l->acked;
	mutex_unlock(&as->modem->lock);
	return acked < queued ? min_t(u64, queued - acked, INT_MAX) : 0;
}

static int atnet_ioctl(struct socket *sock, unsigned int cmd,
		       unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct atnet_sock *as = atnet_sk(sk);
	int val;

	switch (cmd) {
	case SIOCINQ:
		lock_sock(sk);
		if (!as->link)
			val = 0;
		else if (atnet_sk_dgram(sk))
			val = max(atnet_link_rx_next(as->link), 0);
		else
			val = atnet_link_rx_avail(as->link);
		release_sock(sk);
		break;
	case SIOCOUTQ:
		lock_sock(sk);
		val = atnet_outq(sk);
		release_sock(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(val, (int __user *)arg);
}

static int atnet_setsockopt(struct socket *sock, int level, int optname,
			    sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int val;

	/* TCP_NODELAY is what the modem does anyway: accept it. */
	if (level != SOL_TCP || optname != TCP_NODELAY || atnet_sk_dgram(sk))
		return -ENOPROTOOPT;
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	atnet_sk(sk)->nodelay = !!val;
	release_sock(sk);
	return 0;
}

static int atnet_getsockopt(struct socket *sock, int level, int optname,
			    char __user *optval, int __user *optlen)
{
	struct sock *sk = sock->sk;
	int len, val;

	if (level != SOL_TCP || optname != TCP_NODELAY || atnet_sk_dgram(sk))
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = min_t(int, len, sizeof(int));
	val = atnet_sk(sk)->nodelay;
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/* Not const: .family is the module parameter, set once at init. */
static struct proto_ops atnet_ops __ro_after_init = {
	.owner = THIS_MODULE,
	.release = atnet_release,
	.bind = atnet_bind,
	.connect = atnet_connect,
	.socketpair = sock_no_socketpair,
	.accept = atnet_accept,
	.getname = atnet_getname,
	.poll = atnet_poll,
	.ioctl = atnet_ioctl,
	.gettstamp = sock_gettstamp,
	.listen = atnet_listen,
	.shutdown = atnet_shutdown,
	.setsockopt = atnet_setsockopt,
	.getsockopt = atnet_getsockopt,
	.sendmsg = atnet_sendmsg,
	.recvmsg = atnet_recvmsg,
	.mmap = sock_no_mmap,
	.sendpage = sock_no_sendpage,
};

/* ---- listening ----------------------------------------------------- */

/* modem->lock held: a client arrived; queue it unless the backlog is full. */
static struct atnet_link *atnet_lsn_incoming(void *owner,
					     struct atnet_modem *m,
					     unsigned int slot, __be32 addr)
{
	struct sock *sk = owner;
	struct atnet_sock *as = atnet_sk(sk);
	u32 backlog = max_t(u32, READ_ONCE(sk->sk_max_ack_backlog), 1);
	struct atnet_link *l;

	lockdep_assert_held(&m->lock);
	if (as->nq >= ARRAY_SIZE(as->acceptq) || as->nq >= backlog)
		return NULL;
	l = atnet_lsn_take(m, slot, addr, &atnet_sk_wake_ops, sk);
	if (!l)
		return NULL;
	as->acceptq[as->nq++] = l;
	sk->sk_data_ready(sk);
	return l;
}

/* modem->lock held: the modem's server is gone; accept() reports @err. */
static void atnet_lsn_lost(void *owner, int err)
{
	struct sock *sk = owner;

	WRITE_ONCE(atnet_sk(sk)->lsn_err, err);
	WRITE_ONCE(sk->sk_err, -err);
	sk_error_report(sk);
	sk->sk_state_change(sk);
}

static const struct atnet_lsn_ops atnet_lsn_ops = {
	.incoming = atnet_lsn_incoming,
	.lost = atnet_lsn_lost,
};

/* modem->lock held: the first client ready for accept(), dequeued. */
static struct atnet_link *atnet_lsn_pop(struct atnet_sock *as)
{
	struct atnet_link *l;
	unsigned int i;

	lockdep_assert_held(&as->lsn_modem->lock);
	for (i = 0; i < as->nq; i++) {
		l = as->acceptq[i];
		if (!atnet_link_incoming_ready(l))
			continue;
		as->nq--;
		memmove(&as->acceptq[i], &as->acceptq[i + 1],
			(as->nq - i) * sizeof(as->acceptq[0]));
		return l;
	}
	return NULL;
}

static bool atnet_lsn_ready(struct atnet_sock *as)
{
	bool ready = false;
	unsigned int i;

	mutex_lock(&as->lsn_modem->lock);
	for (i = 0; i < as->nq; i++)
		if (atnet_link_incoming_ready(as->acceptq[i]))
			ready = true;
	mutex_unlock(&as->lsn_modem->lock);
	return ready;
}

/* lock_sock held: stop the modem's server if it is ours, drop the queue. */
static void atnet_lsn_stop(struct sock *sk)
{
	struct atnet_sock *as = atnet_sk(sk);
	struct atnet_modem *m = as->lsn_modem;
	struct atnet_req *r;
	bool ours;

	if (!m)
		return;
	mutex_lock(&m->lock);
	ours = atnet_lsn_disown(m, sk);
	while (as->nq)
		atnet_link_release(as->acceptq[--as->nq]);
	mutex_unlock(&m->lock);
	/* The server's stop, waited for: a new listen() may follow at once. */
	r = ours ? atnet_req_alloc(ATNET_REQ_SERVER) : NULL;
	if (r) {
		/* Never refused for the queue's bounds (request.c). */
		r->closing = true;
		r->admin = true;
		atnet_req_run_close(m, r, atnet_req_server_start, 15000);
		atnet_req_put(r);
	}
	as->lsn_modem = NULL;
	atnet_modem_put(m);
}

static int atnet_bind(struct socket *sock, struct sockaddr *uaddr,
		      int addr_len)
{
	const struct sockaddr_atnet *sat = (const struct sockaddr_atnet *)uaddr;
	struct sock *sk = sock->sk;
	struct atnet_sock *as = atnet_sk(sk);
	u16 port;
	int err = 0;

	if (addr_len < (int)offsetofend(struct sockaddr_atnet, sat_ifindex))
		return -EINVAL;
	if (sat->sat_family != family)
		return -EAFNOSUPPORT;
	/* The address is the context's: only "any" means something here. */
	if (sat->sat_addr.s_addr != htonl(INADDR_ANY))
		return -EADDRNOTAVAIL;
	port = ntohs(sat->sat_port);
	if (!port)
		return -EINVAL;
	if (port < 1024 &&
	    !ns_capable(sock_net(sk)->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;
	lock_sock(sk);
	if (as->bound.sat_port || as->link || as->lsn_modem)
		err = -EINVAL;
	else
		as->bound = *sat;
	release_sock(sk);
	return err;
}

static int atnet_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct atnet_sock *as = atnet_sk(sk);
	struct atnet_modem *m;
	struct atnet_req *r;
	int err, ifindex, ctx = 0;

	if (sock->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	lock_sock(sk);
	if (as->lsn_modem) {
		WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
		err = 0;
		goto out;
	}
	err = -EINVAL;
	if (sock->state != SS_UNCONNECTED || as->link)
		goto out;
	ifindex = as->bound.sat_ifindex ?: READ_ONCE(sk->sk_bound_dev_if);
	if (ifindex)
		m = atnet_modem_get_by_ifindex(sock_net(sk), ifindex, &ctx);
	else
		m = atnet_modem_get_first_up(sock_net(sk), &ctx);
	err = ifindex ? -ENODEV : -ENETUNREACH;
	if (!m)
		goto out;
	/* A modem without a server says so before anything else. */
	mutex_lock(&m->lock);
	err = atnet_lsn_supported(m);
	mutex_unlock(&m->lock);
	if (!err && !as->bound.sat_port)
		err = -EDESTADDRREQ;	/* bind() a port first */
	if (err) {
		atnet_modem_put(m);
		goto out;
	}
	err = -ENOMEM;
	r = atnet_req_alloc(ATNET_REQ_SERVER);
	if (!r) {
		atnet_modem_put(m);
		goto out;
	}
	r->port = ntohs(as->bound.sat_port);
	r->ctx = ctx;
	r->lsn_ops = &atnet_lsn_ops;
	r->lsn_owner = sk;
	/* Bounded as a netlink request of the caller's (request.c). */
	r->uid = current_uid();
	r->admin = sk_capable(sk, CAP_NET_ADMIN);
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	WRITE_ONCE(sk->sk_err, 0);
	WRITE_ONCE(as->lsn_err, 0);
	err = atnet_req_run(m, r, atnet_req_server_start, 15000, NULL);
	atnet_req_put(r);
	if (err) {
		atnet_modem_put(m);
		/* One server per modem: its port is as good as taken. */
		if (err == -EBUSY)
			err = -EADDRINUSE;
		goto out;
	}
	as->lsn_modem = m;
	as->lsn_ctx = ctx;
	atnet_sk_set_state(sk, TCP_LISTEN);
out:
	release_sock(sk);
	return err;
}

static int atnet_accept(struct socket *sock, struct socket *newsock,
			int flags, bool kern)
{
	struct sock *sk = sock->sk, *newsk;
	struct atnet_sock *as = atnet_sk(sk), *nas;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct atnet_modem *m;
	struct atnet_link *l;
	long timeo;
	int err;

	lock_sock(sk);
	m = as->lsn_modem;
	err = -EINVAL;
	if (!m)
		goto out;
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	atnet_sk_wait_add(sk, &wait);
	for (;;) {
		newsk = sk_alloc(sock_net(sk), family, GFP_KERNEL, &atnet_proto,
				 kern);
		err = -ENOMEM;
		if (!newsk)
			break;
		mutex_lock(&m->lock);
		l = atnet_lsn_pop(as);
		if (l) {
			sock_init_data(newsock, newsk);
			nas = atnet_sk(newsk);
			atnet_modem_get(m);
			nas->modem = m;
			nas->link = l;
			nas->ctx = l->ctx;
			nas->peer.sat_family = family;
			nas->peer.sat_port = l->remote_port;
			nas->peer.sat_addr.s_addr = l->remote_addr;
			nas->peer.sat_ifindex = atnet_link_ifindex(l);
			atnet_link_set_owner(l, &atnet_sk_owner_ops, newsk);
			atnet_sk_sync(newsk, l);
			atnet_link_kick(l);
			mutex_unlock(&m->lock);
			newsock->ops = &atnet_ops;
			newsock->state = SS_CONNECTED;
			newsk->sk_protocol = IPPROTO_TCP;
			err = 0;
			break;
		}
		mutex_unlock(&m->lock);
		sk_free(newsk);
		/* shutdown() of the listener: as TCP's, accept() ends. */
		err = -EINVAL;
		if (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN)
			break;
		/* Clients that came before the loss are still handed out. */
		err = READ_ONCE(as->lsn_err);
		if (err) {
			sock_error(sk);
			break;
		}
		err = atnet_sk_wait_stop(timeo);
		if (err)
			break;
		atnet_sk_sleep(sk, &timeo, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
out:
	release_sock(sk);
	return err;
}

static int atnet_create(struct net *net, struct socket *sock, int protocol,
			int kern)
{
	struct sock *sk;

	switch (sock->type) {
	case SOCK_STREAM:
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		protocol = IPPROTO_TCP;
		break;
	case SOCK_DGRAM:
		if (protocol && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		protocol = IPPROTO_UDP;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}

	sk = sk_alloc(net, family, GFP_KERNEL, &atnet_proto, kern);
	if (!sk)
		return -ENOMEM;
	sock_init_data(sock, sk);
	sock->ops = &atnet_ops;
	sock->state = SS_UNCONNECTED;
	sk->sk_protocol = protocol;
	atnet_sk_set_state(sk, TCP_CLOSE);
	return 0;
}

static struct net_proto_family atnet_family_ops __ro_after_init = {
	.create = atnet_create,
	.owner = THIS_MODULE,
};

int atnet_socket_init(void)
{
	int err;

	if (family <= AF_UNSPEC || family >= NPROTO) {
		pr_err("family %d out of range 1..%d\n", family, NPROTO - 1);
		return -EINVAL;
	}
	atnet_ops.family = family;
	atnet_family_ops.family = family;

	err = proto_register(&atnet_proto, 1);
	if (err)
		return err;
	err = sock_register(&atnet_family_ops);
	if (err) {
		pr_err("address family %d is taken (module parameter family)\n",
		       family);
		proto_unregister(&atnet_proto);
		return err;
	}
	return 0;
}

void atnet_socket_exit(void)
{
	sock_unregister(family);
	proto_unregister(&atnet_proto);
}
