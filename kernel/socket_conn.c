// SPDX-License-Identifier: GPL-2.0
/*
 * AF_ATNET connected sockets: connect(), send, receive and shutdown of a
 * TCP stream or a connected UDP socket on its one link. The lock rules and
 * the blocking-call discipline (struct atnet_hold) are at the top of
 * socket.c.
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

int atnet_connect(struct socket *sock, struct sockaddr *uaddr,
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

int atnet_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
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
	/* MSG_PEEK: the ring's consumer count when our peeked bytes began. */
	unsigned long consumed_at = READ_ONCE(l->rx.consumed);

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
		if (peek && READ_ONCE(l->rx.consumed) != consumed_at) {
			if (!(flags & MSG_TRUNC))
				iov_iter_revert(&msg->msg_iter, copied);
			copied = 0;
			consumed_at = READ_ONCE(l->rx.consumed);
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

int atnet_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
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

/*
 * The modem has no half-close: closing a link ends both directions at once.
 * SHUT_RD and SHUT_WR therefore only act locally (reads return 0, sends
 * fail with EPIPE); the peer sees the end of the stream when the link is
 * closed: at SHUT_RDWR, or at close(). Queued sends still go out first.
 */
int atnet_shutdown(struct socket *sock, int how)
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
