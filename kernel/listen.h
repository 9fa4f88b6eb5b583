/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The modem's TCP server as the socket layer sees it: one per modem, run
 * through the request queue (ATNET_REQ_SERVER), whose clients are links a
 * listening socket takes (or that are hung up). listen.c owns m->lsn; every
 * function here runs with m->lock held unless said otherwise.
 */
#ifndef _ATNET_LISTEN_H
#define _ATNET_LISTEN_H

#include <linux/types.h>

struct atnet_link;
struct atnet_link_owner_ops;
struct atnet_modem;
struct atnet_req;

/* Who takes the clients of the modem's server: a listening socket. */
struct atnet_lsn_ops {
	/*
	 * A client took @slot from @addr: take it with atnet_lsn_take(), or
	 * return NULL (it is hung up).
	 */
	struct atnet_link *(*incoming)(void *owner, struct atnet_modem *m,
				       unsigned int slot, __be32 addr);
	/* The server is gone (context, modem, reconciliation): @err. */
	void (*lost)(void *owner, int err);
};

/* The modem's TCP server: one per modem, in struct atnet_modem. */
struct atnet_listener {
	bool on;
	u16 port;
	u8 ctx;
	/* NULL: started by netlink, clients are hung up. */
	const struct atnet_lsn_ops *ops;
	void *owner;
};

/* The server is gone: say why (when it was on), tell its owner @err. */
void atnet_modem_lsn_off(struct atnet_modem *m, int err, const char *why);
/* A client of the server on @slot (the dialect): its taker, if any. */
struct atnet_link *atnet_modem_incoming(struct atnet_modem *m,
					unsigned int slot, __be32 addr);
/* For ->incoming(): slot @slot becomes a link on the server's context. */
struct atnet_link *atnet_lsn_take(struct atnet_modem *m, unsigned int slot,
				  __be32 addr,
				  const struct atnet_link_owner_ops *ops,
				  void *owner);
/* The owner stops taking clients: true when @owner had the server. */
bool atnet_lsn_disown(struct atnet_modem *m, void *owner);
/* -EOPNOTSUPP when the modem is known to have no server, else 0. */
int atnet_lsn_supported(struct atnet_modem *m);
/* The server runs (and holds a slot); on TCP port @port. */
bool atnet_lsn_running(const struct atnet_modem *m);
bool atnet_lsn_has_port(const struct atnet_modem *m, u16 port);

/*
 * The request queue's start function of ATNET_REQ_SERVER: checks every
 * dialect shares, then the dialect's ->server(). r->port 0 stops it.
 */
int atnet_req_server_start(struct atnet_modem *m, struct atnet_req *r);
/* The dialect: the modem's answer to a start (0 or an errno). */
void atnet_req_server_result(struct atnet_modem *m, struct atnet_req *r,
			     int err);
/* The dialect: the modem started a server no request is waiting for. */
void atnet_req_server_stray(struct atnet_modem *m);

#endif /* _ATNET_LISTEN_H */
