// SPDX-License-Identifier: GPL-2.0
/*
 * AF_ATNET listening sockets: listen() runs the modem's TCP server
 * (listen.c), whose clients wait in as->acceptq (under the modem's lock)
 * until accept() hands each to a new socket. listen() and close() wait for
 * the modem's answer under lock_sock alone; see the top of socket.c.
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
#include "request.h"
#include "socket.h"
#include "socket_priv.h"

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

bool atnet_lsn_ready(struct atnet_sock *as)
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
void atnet_lsn_stop(struct sock *sk)
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

int atnet_listen(struct socket *sock, int backlog)
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

int atnet_accept(struct socket *sock, struct socket *newsock,
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
		newsk = sk_alloc(sock_net(sk), atnet_family, GFP_KERNEL,
				 sk->sk_prot, kern);
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
			nas->peer.sat_family = atnet_family;
			nas->peer.sat_port = l->remote_port;
			nas->peer.sat_addr.s_addr = l->remote_addr;
			nas->peer.sat_ifindex = atnet_link_ifindex(l);
			atnet_link_set_owner(l, &atnet_sk_owner_ops, newsk);
			atnet_sk_sync(newsk, l);
			atnet_link_kick(l);
			mutex_unlock(&m->lock);
			newsock->ops = sock->ops;	/* atnet_ops */
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
