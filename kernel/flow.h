/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sans-IO IPv4 flow translator: the wwan interface's data path. The host
 * stack's IPv4 packets go in, link operations and host-bound IPv4 packets
 * come out through a caller's ops table. No locks, no allocation (the table
 * is one fixed array the caller allocates), no kernel API beyond the csum
 * helpers, so flow*.c build in userspace for unit tests and fuzzing (see
 * selftests/host/flow_host.h). The caller serialises every call on a table
 * (in the kernel: the modem's lock) and its ops never call back into it.
 *
 * One table per PDP context (per wwan interface). What maps to what:
 * - a TCP connection of the host = one flow = one TCP link of the modem.
 *   SYN -> ops->open(); the SYN-ACK goes out only on atnet_flow_connected(),
 *   so the host's connect() returns when the remote end accepted.
 *   Refused (connected with an error), no free link (open fails) or a full
 *   table -> RST: connect() fails with ECONNREFUSED at once. No answer
 *   within cfg->connect_timeout_ms -> ICMP host unreachable quoting the SYN:
 *   Linux fails a connect() in SYN-SENT on it at once, with EHOSTUNREACH
 *   (a closer word for "nobody answered" than ECONNREFUSED, and a bounded
 *   one instead of minutes of SYN retries).
 * - host -> modem: an in-order segment is written into the link, as far as
 *   ops->room() allows, straight from the packet (ops->write() copies into
 *   the link's send buffer); what was written is ACKed, the rest dropped
 *   (the host resends it). The window advertised to the host is the link's
 *   room (at most 65535: no window scaling). Old, duplicate or
 *   out-of-order segments are answered with a plain ACK and change nothing:
 *   idempotent, no reassembly queue.
 * - modem -> host: the link's receive buffer is the retransmission queue.
 *   Segments of at most min(host's MSS, 1460, mtu - 40) bytes are peeked
 *   from it (ops->peek() into the packet ops->pkt_alloc() gave: one copy),
 *   within the host's window; bytes are consumed (ops->consume()) only when
 *   the host ACKs them. RTO: cfg->rto_ms doubling to cfg->rto_max_ms, go
 *   back to the oldest unACKed byte and re-peek; after cfg->retries
 *   timeouts in a row the flow is reset. A zero host window is probed on
 *   the same timer (an old-sequence ACK, which the host answers with its
 *   window) and never resets the flow.
 * - MSS option of the SYN-ACK: min(cfg->max_send, mtu - 40), so a host
 *   segment fits one send of the modem. No window scale, SACK or timestamp
 *   options are advertised (the host then uses none); the host's other
 *   options are ignored.
 * - close. The modem closes both directions at once, so there is no real
 *   half-close. Host FIN: ACKed once in order; the data the link holds at
 *   that moment is still delivered and ACKed, nothing that arrives later;
 *   then ops->close(link, false) (the link sends what it accepted, then
 *   closes; later modem data is discarded) and a FIN goes to the host. So
 *   a host that half-closes and then waits for an answer gets EOF instead:
 *   the remote end sees its EOF only when the link closes. Modem close
 *   (atnet_flow_closed(link, 0)): the data still in the link is delivered,
 *   then a FIN; the window stays open (Linux holds its FIN back at a zero
 *   window) and host data arriving after that gets a RST (the remote end is
 *   gone). A flow whose FIN is ACKed waits cfg->fin_timeout_ms for the
 *   host's FIN, then is reset. No TIME-WAIT: the host-side 4-tuple is
 *   protected by the host's own TIME-WAIT, the modem picks its own ports,
 *   and a late duplicate segment for a freed flow only draws a RST.
 * - RST both ways: host RST -> ops->close(link, true), flow freed. Peer
 *   reset (closed with -ECONNRESET) or any other link error -> RST to the
 *   host. atnet_flow_reset_all() (PDP loss, modem restart, detach) resets
 *   every flow and closes every link.
 * - everything else (not IPv4, IP options, fragments, bad lengths or
 *   checksums, non-unicast destinations, segments without a flow, ICMP
 *   other than echo, other protocols) is counted by
 *   ATNET_FLOW_DROP_* (ops->drop() and t->drops[]); a protocol we do not
 *   carry is answered with ICMP protocol unreachable, a TCP segment without
 *   a flow with a RST, so the application fails fast.
 * - UDP flows and ICMP echo: flow_udp.c (its top comment). Flows of both
 *   protocols share the table and its bound.
 *
 * What the caller (netdev.c's xmit, link.c) owes the engine:
 * - whole IPv4 packets with their checksums computed: the interface offers
 *   no checksum offload or GSO, or xmit runs skb_checksum_help() and
 *   skb_linearize() first. The engine verifies every checksum.
 * - the time: atnet_flow_tick(now) at atnet_flow_next_timer() and before
 *   any other entry when time moved (deadlines count from the last tick).
 * - serialised calls, and ops that never call back into the engine (an
 *   event the link layer learns inside an op is reported after it returns).
 * - UDP links keep datagram boundaries: one ops->write() is one datagram,
 *   accepted whole (queued while the link is still opening) or refused.
 *
 * Integration (for netdev.c and link.c): one table per wwan interface,
 * allocated with it, atnet_flow_init() when its context comes up (max_send:
 * the dialect's largest send; mtu: the device's; connect_timeout_ms: the
 * module parameter; isn_seed: get_random_u32()). ndo_start_xmit runs in
 * atomic context and the engine's ops start AT commands: xmit queues the
 * skb (bounded queue, tx_dropped beyond it) and a work item, under the
 * modem's lock, feeds atnet_flow_input() and frees the skb. pkt_alloc is
 * netdev_alloc_skb() + skb_put(); pkt_deliver sets protocol ETH_P_IP,
 * CHECKSUM_UNNECESSARY, counts rx_packets/bytes and calls netif_rx(); drop
 * counts tx_dropped or tx_errors. open/write/room/peek/consume/close are
 * the link layer's, on links shared with AF_ATNET sockets; it reports
 * connected/rx/writable/closed/dgram from its URC and completion handlers.
 * A timer at atnet_flow_next_timer() ticks; PDP loss, modem restart and
 * detach call atnet_flow_reset_all(); ping is the dialect's ping command,
 * its result atnet_flow_ping_done().
 *
 * Contract with the link layer: every handle ops->open() returned gets
 * exactly one ops->close(), after which the engine never names it again
 * and ignores events for it. Until then peek/consume/room work, also after
 * the link reported closed (peek then reads what is left). Events carry the
 * handle; the engine looks it up in its table.
 *
 * Memory: sizeof(struct atnet_flow_table), 3.4 KB on 64-bit (32 flows of
 * 80 bytes, 4 echo requests of at most 128 bytes kept for their replies),
 * no other buffers: packets are built in the caller's buffers (skbs), data
 * lives in the links. At most cfg->max_flows flows of both protocols; a
 * SYN beyond that is refused, a datagram answered port unreachable.
 * Every path that ends a flow (RST, FIN exchange, timeouts, reset_all)
 * closes its link and frees its slot.
 *
 * Initial sequence numbers: a counter from the caller's random seed, moved
 * by time and per flow. The host side is the local stack only (netif_rx),
 * no off-path sender can reach it, so no RFC 6528 hash is needed.
 */
#ifndef _ATNET_FLOW_H
#define _ATNET_FLOW_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "flow_host.h"
#endif

#define ATNET_FLOW_MAX		32	/* flows per table, hard bound */
#define ATNET_FLOW_MSS_MAX	1460	/* host-bound segments, at most */
#define ATNET_FLOW_WIN_MAX	65535	/* no window scaling */
#define ATNET_FLOW_PINGS	4	/* echo requests in flight */
#define ATNET_FLOW_PING_DATA	128	/* ICMP header and data, at most */

/* Defaults for a zero field of struct atnet_flow_cfg. */
#define ATNET_FLOW_CONNECT_MS	30000
#define ATNET_FLOW_RTO_MS	300
#define ATNET_FLOW_RTO_MAX_MS	8000
#define ATNET_FLOW_RETRIES	8
#define ATNET_FLOW_FIN_MS	60000
#define ATNET_FLOW_MTU		1500
#define ATNET_FLOW_UDP_IDLE_MS	60000
#define ATNET_FLOW_PING_MS	10000

enum atnet_flow_drop {
	ATNET_FLOW_DROP_MALFORMED,	/* truncated, bad lengths or offsets */
	ATNET_FLOW_DROP_CSUM,		/* bad IP, TCP, UDP or ICMP checksum */
	ATNET_FLOW_DROP_NOT_IPV4,
	ATNET_FLOW_DROP_OPTIONS,	/* IP options */
	ATNET_FLOW_DROP_FRAGMENT,
	ATNET_FLOW_DROP_NOT_UNICAST,	/* broadcast, multicast, 0/8, 127/8, link-local */
	ATNET_FLOW_DROP_PROTO,		/* a protocol not carried (ICMP answer sent) */
	ATNET_FLOW_DROP_NO_FLOW,	/* TCP segment of no flow (RST sent) */
	ATNET_FLOW_DROP_TABLE_FULL,	/* SYN refused: table full */
	ATNET_FLOW_DROP_NO_LINK,	/* SYN refused: ops->open() failed */
	ATNET_FLOW_DROP_REFUSED,	/* the remote end refused the connection */
	ATNET_FLOW_DROP_TIMEOUT,	/* connect or retransmission timeout */
	ATNET_FLOW_DROP_RESET,		/* flow reset: host, peer, link or context */
	ATNET_FLOW_DROP_NOMEM,		/* ops->pkt_alloc() failed */
	ATNET_FLOW_DROP_TOO_BIG,	/* datagram or echo beyond what we carry */
	ATNET_FLOW_DROP_NO_ROOM,	/* UDP: the link had no room */
	ATNET_FLOW_DROP_NR,
};

/* What the parsers return for a packet they accept. */
#define ATNET_FLOW_OK	ATNET_FLOW_DROP_NR

struct atnet_flow_ops {
	/* Start a link to daddr:dport; a handle >= 0 or -errno (no link). */
	int (*open)(void *ctx, u8 proto, __be32 daddr, __be16 dport,
		    __be16 sport);
	/* Take up to @len bytes for the link; returns bytes taken or -errno. */
	int (*write)(void *ctx, int link, const u8 *buf, size_t len);
	/* Free space of the link's send buffer. */
	size_t (*room)(void *ctx, int link);
	/* Copy @len received bytes from offset @off, unconsumed; 0 or -errno. */
	int (*peek)(void *ctx, int link, size_t off, u8 *buf, size_t len);
	/* Drop the first @len received bytes: the host has them. */
	void (*consume)(void *ctx, int link, size_t len);
	/* Release the handle: flush and close, or abort (@abort). */
	void (*close)(void *ctx, int link, bool abort);
	/* A buffer for a host-bound packet of @len bytes; NULL if none. */
	u8 *(*pkt_alloc)(void *ctx, size_t len, void **pkt);
	/* Hand a built packet to the host stack (netif_rx). */
	void (*pkt_deliver)(void *ctx, void *pkt, size_t len);
	/* Give back a buffer that was not delivered. */
	void (*pkt_free)(void *ctx, void *pkt);
	/* Count a drop (the engine also counts it in t->drops[]). */
	void (*drop)(void *ctx, enum atnet_flow_drop why);
	/* Ping @daddr; report with atnet_flow_ping_done(@cookie). Optional. */
	int (*ping)(void *ctx, __be32 daddr, u32 cookie);
};

struct atnet_flow_cfg {
	unsigned int max_flows;	/* <= ATNET_FLOW_MAX; 0: ATNET_FLOW_MAX */
	unsigned int max_send;	/* largest single send of a link (MSS clamp) */
	unsigned int mtu;
	unsigned int connect_timeout_ms;
	unsigned int rto_ms;
	unsigned int rto_max_ms;
	unsigned int retries;
	unsigned int fin_timeout_ms;
	unsigned int udp_idle_ms;	/* a UDP flow's link goes after this */
	unsigned int ping_timeout_ms;	/* an echo without answer is dropped */
};

enum atnet_flow_state {
	ATNET_FLOW_FREE,
	ATNET_FLOW_OPENING,	/* link requested, waiting for connected */
	ATNET_FLOW_SYN_RCVD,	/* SYN-ACK sent */
	ATNET_FLOW_ESTABLISHED,	/* also every closing step (flags) */
	ATNET_FLOW_UDP,		/* a UDP flow, opening or open */
};

struct atnet_flow {
	u8 state;
	bool host_fin;		/* host's FIN received (and ACKed) */
	bool link_closed;	/* the modem closed the link */
	bool fin_sent;		/* our FIN is at sequence snd_max */
	bool fin_acked;
	u8 retries;
	u8 dupacks;
	int link;		/* handle, -1 once closed */
	__be32 haddr, raddr;	/* host and remote address */
	__be16 hport, rport;
	u32 irs;		/* host's initial sequence number */
	u32 rcv_nxt;		/* next host byte expected */
	u32 adv_wnd;		/* window last advertised to the host */
	u32 iss;
	u32 snd_una;		/* oldest unACKed; link offset 0 */
	u32 snd_nxt;		/* next to send */
	u32 snd_max;		/* highest sent (snd_nxt <= snd_max) */
	u32 snd_wnd;		/* host's window, from snd_una */
	u32 avail;		/* unconsumed bytes in the link */
	u16 mss;		/* host-bound segment size */
	bool persist;		/* the timer probes a zero window */
	u32 rto;
	u64 deadline;		/* of the flow's one timer; 0: none */
};

/* An echo request waiting for the modem's ping: the reply echoes it. */
struct atnet_flow_ping {
	u32 cookie;		/* 0: free; slot and generation */
	__be32 saddr, daddr;
	u64 deadline;
	u16 len;		/* ICMP header and data */
	u8 msg[ATNET_FLOW_PING_DATA];
};

struct atnet_flow_table {
	const struct atnet_flow_ops *ops;
	void *ctx;
	struct atnet_flow_cfg cfg;
	u64 now;
	u32 isn;
	u16 ip_id;
	u32 ping_gen;
	unsigned int nflows;
	unsigned long drops[ATNET_FLOW_DROP_NR];
	struct atnet_flow flows[ATNET_FLOW_MAX];
	struct atnet_flow_ping pings[ATNET_FLOW_PINGS];
};

void atnet_flow_init(struct atnet_flow_table *t,
		     const struct atnet_flow_ops *ops, void *ctx,
		     const struct atnet_flow_cfg *cfg, u32 isn_seed, u64 now_ms);
/* A packet the host sent out of the interface (IPv4 bytes). */
void atnet_flow_input(struct atnet_flow_table *t, const u8 *pkt, size_t len);
/* The link's connection attempt ended: 0 or -errno. */
void atnet_flow_connected(struct atnet_flow_table *t, int link, int err);
/* The link now holds @avail unconsumed received bytes in all. */
void atnet_flow_rx(struct atnet_flow_table *t, int link, size_t avail);
/* The link's send room grew. */
void atnet_flow_writable(struct atnet_flow_table *t, int link);
/* The link closed: 0 by the remote end, -ECONNRESET reset, else lost. */
void atnet_flow_closed(struct atnet_flow_table *t, int link, int err);
/* Time passed: timers run. */
void atnet_flow_tick(struct atnet_flow_table *t, u64 now_ms);
/* The context is gone (PDP loss, restart, detach): reset every flow. */
void atnet_flow_reset_all(struct atnet_flow_table *t);
/* A UDP link holds a datagram of @len bytes at the head of its buffer. */
void atnet_flow_dgram(struct atnet_flow_table *t, int link, size_t len);
/* The ping of @cookie ended: 0 (answered) or -errno. */
void atnet_flow_ping_done(struct atnet_flow_table *t, u32 cookie, int err);
/* The earliest timer (absolute ms), 0 if none: when to call tick. */
u64 atnet_flow_next_timer(const struct atnet_flow_table *t);

/* flow_ip.c: parsing and building (internal to flow*.c and the tests). */
struct atnet_flow_pkt {
	__be32 saddr, daddr;
	u8 proto;
	const u8 *l4;		/* transport header */
	size_t l4_len;		/* transport header and payload */
	/* TCP and UDP; ICMP echo: sport is the identifier */
	__be16 sport, dport;
	u32 seq, ack;
	u8 flags;
	u16 win;
	u16 mss;		/* MSS option, 0 if none */
	u8 icmp_type, icmp_code;
	const u8 *data;
	size_t data_len;
};

#define ATNET_TCP_FIN	0x01
#define ATNET_TCP_SYN	0x02
#define ATNET_TCP_RST	0x04
#define ATNET_TCP_PSH	0x08
#define ATNET_TCP_ACK	0x10
#define ATNET_TCP_URG	0x20

#define ATNET_IP_HLEN	20
#define ATNET_TCP_HLEN	20
#define ATNET_ICMP_HLEN	8

/* Both return ATNET_FLOW_OK or the drop reason. */
int atnet_flow_parse_ip(const u8 *buf, size_t len, struct atnet_flow_pkt *p);
int atnet_flow_parse_tcp(struct atnet_flow_pkt *p);
int atnet_flow_parse_udp(struct atnet_flow_pkt *p);
int atnet_flow_parse_icmp(struct atnet_flow_pkt *p);
void atnet_flow_build_udp(u8 *buf, size_t len, __be32 saddr, __be32 daddr,
			  __be16 sport, __be16 dport);
void atnet_flow_build_icmp(u8 *buf, size_t len);
bool atnet_flow_csum_ok(const u8 *buf, size_t len);
void atnet_flow_build_ip(u8 *buf, size_t len, u8 proto, u16 id,
			 __be32 saddr, __be32 daddr);
size_t atnet_flow_tcp_hlen(u8 flags);
void atnet_flow_build_tcp(u8 *buf, size_t len, __be32 saddr, __be32 daddr,
			  __be16 sport, __be16 dport, u32 seq, u32 ack,
			  u8 flags, u16 win, u16 mss);
size_t atnet_flow_icmp_err_len(size_t orig_len);
void atnet_flow_build_icmp_err(u8 *buf, size_t len, u8 type, u8 code,
			       const u8 *orig, size_t orig_len);

/* flow.c helpers shared with flow_tcp.c */
struct atnet_flow *atnet_flow_new(struct atnet_flow_table *t);
struct atnet_flow *atnet_flow_find(struct atnet_flow_table *t,
				   const struct atnet_flow_pkt *p);
void atnet_flow_bind(struct atnet_flow *f, int link,
		     const struct atnet_flow_pkt *p);
void atnet_flow_free(struct atnet_flow_table *t, struct atnet_flow *f);
void atnet_flow_count(struct atnet_flow_table *t, enum atnet_flow_drop why);
u8 *atnet_flow_alloc(struct atnet_flow_table *t, size_t len, void **pkt);
void atnet_flow_send_icmp_err(struct atnet_flow_table *t, u8 type, u8 code,
			      const u8 *orig, size_t orig_len);
void atnet_flow_tcp_input(struct atnet_flow_table *t,
			  const struct atnet_flow_pkt *p);
void atnet_flow_tcp_send_rst(struct atnet_flow_table *t,
			     const struct atnet_flow_pkt *p);
void atnet_flow_tcp_tick(struct atnet_flow_table *t, struct atnet_flow *f);
void atnet_flow_tcp_connected(struct atnet_flow_table *t, struct atnet_flow *f,
			      int err);
void atnet_flow_tcp_rx(struct atnet_flow_table *t, struct atnet_flow *f,
		       size_t avail);
void atnet_flow_tcp_writable(struct atnet_flow_table *t, struct atnet_flow *f);
void atnet_flow_tcp_closed(struct atnet_flow_table *t, struct atnet_flow *f,
			   int err);
void atnet_flow_tcp_reset(struct atnet_flow_table *t, struct atnet_flow *f);
/* flow_udp.c */
void atnet_flow_udp_input(struct atnet_flow_table *t,
			  const struct atnet_flow_pkt *p);
void atnet_flow_udp_dgram(struct atnet_flow_table *t, struct atnet_flow *f,
			  size_t len);
void atnet_flow_udp_end(struct atnet_flow_table *t, struct atnet_flow *f,
			enum atnet_flow_drop why);
void atnet_flow_udp_tick(struct atnet_flow_table *t, struct atnet_flow *f);
void atnet_flow_icmp_input(struct atnet_flow_table *t,
			   const struct atnet_flow_pkt *p);
void atnet_flow_ping_tick(struct atnet_flow_table *t);

#endif /* _ATNET_FLOW_H */
