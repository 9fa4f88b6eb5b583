/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Links: the modem's connection slots (its TCP/UDP client connections; the
 * dialect says how many, ATNET_LINKS_MAX at most).
 *
 * link.c owns the slot table of each modem: which consumer (a socket today)
 * holds a slot, the slot's state, its tx and rx rings and its counters. It
 * never writes AT itself: the dialect's struct atnet_link_ops does, and calls
 * back into the atnet_link_*() notifications below.
 *
 * Lifetime: the table is created by atnet_links_init() when the modem is
 * created and freed by atnet_links_destroy() from the modem's final kref
 * release, never earlier: a socket holds a modem reference and a pointer to
 * its link until it is released. A slot becomes free only when its owner has
 * released it AND no command for it is queued in the chat engine AND the
 * modem closed it, so a slot number is never reused under a live command.
 *
 * Locking: every field is protected by the modem's lock, except the ring
 * indices, which also follow the single-producer/single-consumer rules
 * (smp_store_release()/smp_load_acquire()), so the owner can copy to and from
 * user memory under lock_sock() alone:
 *   rx ring: producer = the dialect (modem lock), consumer = the owner;
 *   tx ring: producer = the owner, consumer = the dialect (modem lock).
 * Owner callbacks run under the modem lock: they wake, nothing more.
 */
#ifndef _ATNET_LINK_H
#define _ATNET_LINK_H

#include <linux/types.h>
#include <linux/in.h>
#include <linux/uio.h>
#include <linux/workqueue.h>

#include "chat.h"

struct atnet_modem;
struct atnet_link;

#ifndef ATNET_LINKS_MAX
#define ATNET_LINKS_MAX		8	/* the largest of any dialect's max_links */
#endif
#define ATNET_LINK_RXBUF	16384	/* per link, power of two; holds one byte less */
#define ATNET_LINK_TXBUF	16384	/* (circ_buf keeps one byte free) */
#define ATNET_LINK_MTU_MAX	1460	/* the largest send or read command of any dialect */

/*
 * Single-producer/single-consumer byte ring in the <linux/circ_buf.h>
 * convention: indices in [0, size), one byte always free, so CIRC_CNT()
 * and CIRC_SPACE() tell used and free bytes. Not a kfifo: the link peeks
 * at an offset without consuming (MSG_PEEK, datagram headers), writes a
 * record's header after its payload, and the producer withdraws what it
 * queued but the modem has not started on (atnet_link_tx_withdraw()).
 */
struct atnet_ring {
	u8 *buf;
	u32 size;		/* power of two */
	u32 head;		/* written by the producer only */
	u32 tail;		/* written by the consumer only */
	/*
	 * Bytes consumed since the ring was made, written by the consumer
	 * only: tail comes back to the same value after a whole ring's worth,
	 * this tells a sleeping MSG_PEEK reader that another one consumed.
	 */
	unsigned long consumed;
};

struct atnet_link_owner_ops {
	/* All called with the modem lock held, to wake the owner. */
	void (*state_change)(struct atnet_link *l);	/* state or err */
	void (*data_ready)(struct atnet_link *l);	/* rx ring grew */
	void (*write_space)(struct atnet_link *l);	/* tx accepted */
	/*
	 * The owner counts its traffic on the interface itself (the IP data
	 * path counts packets): the link's bytes are not counted again.
	 */
	bool own_stats;
};

/* Commands a link may have outstanding, at most one of each. */
enum {
	ATNET_LINK_BUSY_CTL = 1 << 0,	/* open, close: ctl_cmd */
	ATNET_LINK_BUSY_SEL = 1 << 1,	/* context, limits, peer query: sel_cmd */
	ATNET_LINK_BUSY_TX = 1 << 2,	/* send: tx_cmd */
	ATNET_LINK_BUSY_RX = 1 << 3,	/* read: rx_cmd */
	ATNET_LINK_BUSY_ACK = 1 << 4,	/* acknowledgment query: ack_cmd */
	ATNET_LINK_BUSY_PORT = 1 << 5,	/* local port setting: port_cmd */
};

struct atnet_link {
	struct atnet_modem *modem;	/* the modem whose slot this is */

	/*
	 * Read by netlink (ATNET_LINK_A_*) under the modem lock. Meaningful
	 * while state != ATNET_LINK_FREE.
	 */
	u8 slot;			/* the modem's link id, 0..max_links-1 */
	u8 proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	u8 state;			/* enum atnet_link_state */
	u8 ctx;				/* PDP context the link runs on */
	__be32 remote_addr;
	__be16 remote_port;
	u16 local_port;			/* host order, 0 = not known */
	u64 tx_bytes;			/* payload accepted by the modem */
	u64 rx_bytes;			/* payload read from the modem */
	u64 acked;			/* acknowledged by the peer (ops->ack) */
	u64 nacked;			/* sent, not yet acknowledged (ops->ack) */
	u64 rx_dropped;			/* pushed bytes dropped: ring full (rx_push) */
	char modem_state[16];		/* as the modem last reported it */

	/* Owner, NULL once released. */
	const struct atnet_link_owner_ops *owner_ops;
	void *owner;
	bool own_stats;			/* the first owner's, until reuse */

	int err;			/* first fatal error, negative; sticky */
	bool peer_closed;		/* "n, CLOSED": no more sends */
	bool rx_eof;			/* modem holds nothing more: EOF after ring */
	bool close_wanted;		/* ops->close as soon as ctl_cmd is free */
	bool reopen;			/* ops->open again after that close */
	bool open_sent;			/* the modem may have the slot open */
	u8 busy;			/* ATNET_LINK_BUSY_* */
	u32 gen;			/* bumped each time the slot is taken;
					 * read by the owner under lock_sock
					 */
	unsigned long deadline;		/* jiffies: connect gives up */

	/* Receive: pull only while the ring has room for a whole read. */
	struct atnet_ring rx;
	bool rx_pending;		/* the modem holds data for us */
	bool rx_urc;			/* data announced during a read */
	bool rx_starved;		/* a read waits for ring room (owner kicks) */
	u32 rx_limit;			/* bytes the current read may write */
	u32 rx_wr;			/* bytes it wrote so far */
	u32 rx_got;			/* bytes it delivered: the interface's counters */

	/* Transmit: one send command outstanding, from tx_chunk. */
	struct atnet_ring tx;
	u8 *tx_chunk;
	u32 tx_inflight;		/* ring bytes the active send covers */
	u32 tx_inflight_payload;	/* payload bytes of it */
	u64 tx_queued;			/* payload bytes the owner queued */
	u32 mtu;			/* largest send command for this link */

	u32 ack_gen;			/* bumped when an ops->ack ends */
	bool retried;			/* reopened once after "already open" */
	/*
	 * The dialect's notes on its commands, one set per command slot
	 * (one command of each may be outstanding, so they never share):
	 * what an answer line told the command's ->done().
	 */
	struct atnet_link_notes {
		int ctl_id;		/* ctl_cmd: the socket id given, -1 none */
		bool ctl_coded;		/* ctl_cmd: the modem reported ctl_code */
		int ctl_code;		/* ctl_cmd: its error code */
		int ctl_err;		/* ctl_cmd: errno to report at its end */
		u32 sel_mtu;		/* sel_cmd: the link's send limit, 0 none */
		u32 rx_left;		/* rx_cmd: bytes the modem still holds */
		u32 tx_len;		/* tx_cmd: payload of a send in pieces */
		u32 tx_off;		/* tx_cmd: the part of it sent */
		u64 ack_tx;		/* ack_cmd: the figures it answered */
		u64 ack_acked;
		u64 ack_nacked;
	} note;
	s16 modem_id;			/* the modem's socket id where the modem
					 * picks it (ops->open), -1 none; the
					 * dialect's, kept across reuse
					 */

	struct delayed_work connect_timeout;

	/* Command storage for the dialect: one of each may be outstanding. */
	struct atnet_chat_cmd ctl_cmd;
	struct atnet_chat_cmd sel_cmd;
	struct atnet_chat_cmd tx_cmd;
	struct atnet_chat_cmd rx_cmd;
	struct atnet_chat_cmd ack_cmd;
	struct atnet_chat_cmd port_cmd;
};

/* The modem (modem.c) calls these; init/destroy without the lock. */
int atnet_links_init(struct atnet_modem *m, unsigned int n);
void atnet_links_destroy(struct atnet_modem *m);
/* Lock held: links on @ctx (all links) die with @err, owners wake. */
void atnet_links_ctx_down(struct atnet_modem *m, int ctx, int err);
void atnet_links_modem_down(struct atnet_modem *m, int err);
/* Links not free. */
unsigned int atnet_links_busy(struct atnet_modem *m);
/* Link @slot of @m, or NULL when out of range or not allocated. */
struct atnet_link *atnet_link_by_slot(struct atnet_modem *m, unsigned int slot);

/*
 * The dialect calls these with the modem lock held. Each command's ->done()
 * ends in exactly one of them, which clears the matching busy bit.
 */
void atnet_link_open_done(struct atnet_link *l, int err);	/* ctl_cmd */
void atnet_link_connected(struct atnet_link *l, int err);	/* URC or sel_cmd */
void atnet_link_sel_done(struct atnet_link *l, int err);	/* sel_cmd */
void atnet_link_sent(struct atnet_link *l, size_t len, int err);	/* tx_cmd */
void atnet_link_rx_pending(struct atnet_link *l);		/* URC */
void atnet_link_rx(struct atnet_link *l, const u8 *buf, size_t len);
void atnet_link_rx_done(struct atnet_link *l, size_t remaining, int err); /* rx_cmd */
void atnet_link_closed(struct atnet_link *l, int err);		/* URC "n, CLOSED" */
void atnet_link_close_done(struct atnet_link *l, int err);	/* ctl_cmd */
void atnet_link_acked(struct atnet_link *l, u64 tx, u64 acked, u64 nacked,
		      int err);					/* ack_cmd */
void atnet_link_set_mtu(struct atnet_link *l, u32 mtu);
/*
 * Queue one of @l's commands (ctl_cmd, tx_cmd, ...) with @l as its ->priv,
 * which the handlers get back with atnet_link_of_cmd(); @payload follows
 * the "> " prompt. Both dialects send their link AT through it.
 */
int atnet_link_submit(struct atnet_link *l, struct atnet_chat_cmd *cmd,
		      u32 timeout_ms,
		      enum atnet_chat_verdict (*line)(struct atnet_chat_cmd *cmd,
						      const char *line,
						      size_t len),
		      void (*done)(struct atnet_chat_cmd *cmd, int result),
		      const u8 *payload, size_t payload_len);

static inline struct atnet_link *atnet_link_of_cmd(struct atnet_chat_cmd *cmd)
{
	return cmd->priv;
}

/*
 * Push-style receive, for modems that send data unasked (no ops->recv):
 * announce a record of @len bytes; when this returns true, deliver it with
 * atnet_link_rx() and end it with atnet_link_rx_done(l, 0, err). False: the
 * record is dropped (see link.c for the overflow policy).
 */
bool atnet_link_rx_push(struct atnet_link *l, size_t len);
/* The modem says the slot is open already: close it, then open again once. */
void atnet_link_already(struct atnet_link *l);
/* A connect result for a slot nobody is connecting: close it. */
void atnet_link_stray(struct atnet_modem *m, unsigned int slot);
/*
 * Reconciliation (the dialect's link-status command): the modem's word for the slot and
 * whether it holds it open. Returns true when a link we believed open was
 * lost without its URC; it then ends as that URC would have ended it.
 */
bool atnet_link_modem_state(struct atnet_link *l, const char *state,
			    bool alive);
/* Recovery: fail the link with @err and close it on the modem. */
void atnet_link_abort(struct atnet_link *l, int err);
/*
 * A client of the modem's server took @slot (listen.c): the slot
 * becomes a connected TCP link on @ctx owned by @owner (the listener until
 * accept() hands it on by changing owner and owner_ops under the lock).
 */
struct atnet_link *atnet_link_incoming(struct atnet_modem *m,
				       unsigned int slot, int ctx,
				       __be32 addr, u16 local_port,
				       const struct atnet_link_owner_ops *ops,
				       void *owner);

/* Owners: under the modem lock. */
/* An incoming link is complete: accept() may have it. */
bool atnet_link_incoming_ready(const struct atnet_link *l);
/* Hand the link to a new owner (accept()). */
void atnet_link_set_owner(struct atnet_link *l,
			  const struct atnet_link_owner_ops *ops, void *owner);
/* The interface index of the link's context, 0 when it has none. */
int atnet_link_ifindex(const struct atnet_link *l);
/*
 * Open a link to @addr:@port on @ctx; @lport 0 lets the modem pick the
 * local port, else (bind()) -EADDRINUSE when a link of that protocol on @m
 * (or the TCP server) has it, -EOPNOTSUPP when the dialect cannot fix one.
 */
struct atnet_link *atnet_link_open_lport(struct atnet_modem *m, int ctx,
					 u8 proto, __be32 addr, __be16 port,
					 u16 lport,
					 const struct atnet_link_owner_ops *ops,
					 void *owner);
/* The owner is gone: close (after the connect result) and free when quiet. */
void atnet_link_release(struct atnet_link *l);
/* Close the modem's link now; the owner stays (shutdown(SHUT_RDWR)). */
void atnet_link_close(struct atnet_link *l);
/* The owner queued tx or consumed rx: move data. */
void atnet_link_kick(struct atnet_link *l);
/* Start an ops->ack unless one is running; ack_gen moves when it ends. */
int atnet_link_ack(struct atnet_link *l);
/*
 * Drop the queued payload from payload position @from on (tx_queued
 * counts positions), as far as the modem has not started on it; the
 * caller owns every byte from @from to the end of the queue. Returns how
 * many payload bytes were dropped.
 */
size_t atnet_link_tx_withdraw(struct atnet_link *l, u64 from);

/*
 * Owners: under lock_sock() only (ring producer/consumer side). Datagram
 * links keep one record per datagram in each ring.
 */
size_t atnet_link_tx_room(const struct atnet_link *l);
int atnet_link_tx_write(struct atnet_link *l, struct iov_iter *from,
			size_t len);
size_t atnet_link_rx_avail(const struct atnet_link *l);
/* Datagram links: length of the next datagram, or -1 when none. */
int atnet_link_rx_next(const struct atnet_link *l);
/* Copy up to @len payload bytes from @off on without consuming them. */
int atnet_link_rx_peek(const struct atnet_link *l, struct iov_iter *to,
		       size_t off, size_t len);
/* Stream: drop @len bytes. Datagram: drop the next datagram. */
void atnet_link_rx_consume(struct atnet_link *l, size_t len);
/* After consuming: does a read wait for the room just made? */
bool atnet_link_rx_starved(const struct atnet_link *l);

static inline bool atnet_link_dgram(const struct atnet_link *l)
{
	return l->proto == IPPROTO_UDP;
}

#endif /* _ATNET_LINK_H */
