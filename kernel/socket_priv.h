/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the AF_ATNET family (socket*.c): the socket object and what its
 * files share. Who owns what, and the lock rules, are at the top of
 * socket.c; each helper below says which lock it wants.
 */
#ifndef _ATNET_SOCKET_PRIV_H
#define _ATNET_SOCKET_PRIV_H

#include <linux/net.h>
#include <linux/wait.h>
#include <net/sock.h>

#include <linux/atnet.h>

#include "link.h"

struct atnet_modem;

/* Peers an unconnected UDP socket talks to at once (one link each). */
#define ATNET_UDP_PEERS		4

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

static inline struct atnet_sock *atnet_sk(const struct sock *sk)
{
	return container_of(sk, struct atnet_sock, sk);
}

static inline bool atnet_sk_dgram(const struct sock *sk)
{
	return sk->sk_type == SOCK_DGRAM;
}

static inline void atnet_sk_set_state(struct sock *sk, u8 state)
{
	WRITE_ONCE(sk->sk_state, state);
}

/* What a blocking call holds across a sleep; see the top of socket.c. */
struct atnet_hold {
	struct atnet_modem *m;
	struct atnet_link *l;
	u32 gen;
};

/* atnet_udp_recvfrom(): the socket changed under it, look again. */
#define ATNET_RECV_AGAIN	INT_MIN

/* The module parameter "family" (socket.c). */
extern int atnet_family;
/* Link owner ops: a connected socket's; wake-only (UDP peers, accept queue). */
extern const struct atnet_link_owner_ops atnet_sk_owner_ops;
extern const struct atnet_link_owner_ops atnet_sk_wake_ops;

/* socket.c */
void atnet_hold(struct atnet_hold *h, struct atnet_modem *m,
		struct atnet_link *l);
void atnet_hold_put(struct atnet_hold *h);
bool atnet_hold_ok(const struct atnet_hold *h,
		   const struct atnet_link *now);
void atnet_sk_wait_add(struct sock *sk, struct wait_queue_entry *wait);
void atnet_sk_sleep(struct sock *sk, long *timeo,
		    struct wait_queue_entry *wait);
void atnet_sk_sync(struct sock *sk, struct atnet_link *l);
void atnet_sk_unlink(struct sock *sk);
void atnet_sk_kick(struct sock *sk);
bool atnet_sk_connecting(const struct atnet_link *l);
bool atnet_sk_connected(const struct atnet_link *l);
bool atnet_sk_rx_done(const struct sock *sk, const struct atnet_link *l);
bool atnet_sk_tx_dead(const struct atnet_link *l);
int atnet_sk_wait_stop(long timeo);
int atnet_sk_wait_held(struct sock *sk, long *timeo,
		       struct wait_queue_entry *wait,
		       const struct atnet_hold *h, bool *ours);
int atnet_check_addr(const struct sock *sk, struct sockaddr *uaddr,
		     int addr_len);

/* socket_dgram.c */
void atnet_udp_drop_all(struct sock *sk);
bool atnet_udp_any(const struct atnet_sock *as);
int atnet_udp_ready(struct atnet_sock *as);
int atnet_udp_sendto(struct sock *sk, struct msghdr *msg, size_t len,
		     long timeo);
int atnet_udp_recvfrom(struct sock *sk, struct msghdr *msg,
		       size_t len, int flags, long *timeo);

/* socket_conn.c */
int atnet_connect(struct socket *sock, struct sockaddr *uaddr,
		  int addr_len, int flags);
int atnet_sendmsg(struct socket *sock, struct msghdr *msg, size_t len);
int atnet_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		  int flags);
int atnet_shutdown(struct socket *sock, int how);

/* socket_listen.c */
bool atnet_lsn_ready(struct atnet_sock *as);
void atnet_lsn_stop(struct sock *sk);
int atnet_listen(struct socket *sock, int backlog);
int atnet_accept(struct socket *sock, struct socket *newsock,
		 int flags, bool kern);

#endif /* _ATNET_SOCKET_PRIV_H */
