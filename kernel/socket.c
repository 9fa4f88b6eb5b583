// SPDX-License-Identifier: GPL-2.0
/*
 * AF_ATNET sockets: a TCP or UDP client whose connection lives in the modem
 * (one link slot per socket). The semantics and every errno are documented
 * in uapi/linux/atnet.h ("Sockets").
 *
 * Files: socket.c the family, create/release, bind, poll, names, ioctl,
 * options and the helpers below; socket_conn.c connect, send, receive and
 * shutdown of a connected socket; socket_dgram.c unconnected UDP;
 * socket_listen.c listen and accept; socket_priv.h what they share.
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
#include "socket.h"
#include "socket_priv.h"

int atnet_family = ATNET_AF_DEFAULT;
module_param_named(family, atnet_family, int, 0444);
MODULE_PARM_DESC(family, "Address family number of AF_ATNET (default 25)");

/* How long SIOCOUTQ waits for an ack query before answering from cache. */
#define ATNET_ACK_WAIT_MS	2000

/* lock_sock held, @l is the socket's (or its peer's) link on @m. */
void atnet_hold(struct atnet_hold *h, struct atnet_modem *m,
		struct atnet_link *l)
{
	h->m = m;
	h->l = l;
	h->gen = READ_ONCE(l->gen);
	/* The link table lives as long as the modem: @l stays readable. */
	atnet_modem_get(m);
}

void atnet_hold_put(struct atnet_hold *h)
{
	atnet_modem_put(h->m);
}

/* lock_sock held: is @now (as->link, p->link) still the held link? */
bool atnet_hold_ok(const struct atnet_hold *h,
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
void atnet_sk_wait_add(struct sock *sk, struct wait_queue_entry *wait)
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
void atnet_sk_sleep(struct sock *sk, long *timeo,
		    struct wait_queue_entry *wait)
{
	release_sock(sk);
	*timeo = wait_woken(wait, TASK_INTERRUPTIBLE, *timeo);
	lock_sock(sk);
}

/* ---- link owner ops: modem->lock held ------------------------------ */

void atnet_sk_sync(struct sock *sk, struct atnet_link *l)
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

const struct atnet_link_owner_ops atnet_sk_owner_ops = {
	.state_change = atnet_sk_state_change,
	.data_ready = atnet_sk_data_ready,
	.write_space = atnet_sk_write_space,
};

const struct atnet_link_owner_ops atnet_sk_wake_ops = {
	.state_change = atnet_sk_wake,
	.data_ready = atnet_sk_wake,
	.write_space = atnet_sk_wake,
};

/* ---- helpers ------------------------------------------------------- */

/* Drop the link (closing it) and the modem reference; lock_sock held. */
void atnet_sk_unlink(struct sock *sk)
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
void atnet_sk_kick(struct sock *sk)
{
	struct atnet_sock *as = atnet_sk(sk);

	if (!as->link)
		return;
	mutex_lock(&as->modem->lock);
	atnet_link_kick(as->link);
	mutex_unlock(&as->modem->lock);
}

bool atnet_sk_connecting(const struct atnet_link *l)
{
	return READ_ONCE(l->state) == ATNET_LINK_CONNECTING && !READ_ONCE(l->err);
}

bool atnet_sk_connected(const struct atnet_link *l)
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
bool atnet_sk_rx_done(const struct sock *sk, const struct atnet_link *l)
{
	return (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) || atnet_sk_rx_eof(l);
}

/* The link failed or the peer closed: what is queued will not go out. */
bool atnet_sk_tx_dead(const struct atnet_link *l)
{
	return READ_ONCE(l->err) || READ_ONCE(l->peer_closed);
}

/*
 * Every blocking loop here asks the same before it sleeps again: -EAGAIN
 * once the timeout ran out (or at once for a non-blocking call), the
 * signal's errno when one is pending, else 0: sleep on.
 */
int atnet_sk_wait_stop(long timeo)
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
int atnet_sk_wait_held(struct sock *sk, long *timeo,
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

int atnet_check_addr(const struct sock *sk, struct sockaddr *uaddr,
		     int addr_len)
{
	const struct sockaddr_atnet *sat = (const struct sockaddr_atnet *)uaddr;
	__be32 a;

	if (addr_len < (int)offsetofend(struct sockaddr_atnet, sat_ifindex))
		return -EINVAL;
	if (sat->sat_family != atnet_family)
		return -EAFNOSUPPORT;
	a = sat->sat_addr.s_addr;
	if (!sat->sat_port || ipv4_is_zeronet(a) || ipv4_is_lbcast(a))
		return -EINVAL;
	if (!atnet_sk_dgram(sk) && ipv4_is_multicast(a))
		return -EINVAL;
	return 0;
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
	if (sat->sat_family != atnet_family)
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

static int atnet_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sock *sk = sock->sk;
	struct atnet_sock *as = atnet_sk(sk);
	struct sockaddr_atnet *sat = (struct sockaddr_atnet *)uaddr;

	memset(sat, 0, sizeof(*sat));
	sat->sat_family = atnet_family;
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

	sk = sk_alloc(net, atnet_family, GFP_KERNEL, &atnet_proto, kern);
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

	if (atnet_family <= AF_UNSPEC || atnet_family >= NPROTO) {
		pr_err("family %d out of range 1..%d\n", atnet_family,
		       NPROTO - 1);
		return -EINVAL;
	}
	atnet_ops.family = atnet_family;
	atnet_family_ops.family = atnet_family;

	err = proto_register(&atnet_proto, 1);
	if (err)
		return err;
	err = sock_register(&atnet_family_ops);
	if (err) {
		pr_err("address family %d is taken (module parameter family)\n",
		       atnet_family);
		proto_unregister(&atnet_proto);
		return err;
	}
	return 0;
}

void atnet_socket_exit(void)
{
	sock_unregister(atnet_family);
	proto_unregister(&atnet_proto);
}
