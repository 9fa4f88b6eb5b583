/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * atnet: SIMCom AT-command modems (SIM7000, SIM7020) as a line discipline,
 * a network interface per PDP context and a socket family.
 *
 * Attaching
 * ---------
 * Set the tty's line discipline to "atnet" (number ATNET_LDISC_DEFAULT unless
 * the module parameter "ldisc" says otherwise; /proc/tty/ldiscs lists it):
 * "ldattach 29 /dev/ttyS1" or "atnet attach /dev/ttyS1". This needs
 * CAP_NET_ADMIN. The modem is probed in the background; its outcome is
 * reported by ATNET_CMD_GET, by an ATNET_EV_MODEM_STATE event and by one dmesg
 * line. Closing the tty (the attaching process exits) or a hangup detaches.
 *
 * Each modem gets an interface "wwan%d" per PDP context (ARPHRD_NONE,
 * IFF_POINTOPOINT | IFF_NOARP). "ip link set wwanN up" activates the context,
 * "down" deactivates it; carrier is on while the context is up.
 *
 * Generic netlink
 * ---------------
 * Family ATNET_GENL_NAME, version ATNET_GENL_VERSION, multicast group
 * ATNET_GENL_MCGRP_EVENTS. Every command names its modem (and context) by the
 * interface: ATNET_A_IFINDEX or ATNET_A_IFNAME. Commands marked (admin) need
 * CAP_NET_ADMIN and fail with -EPERM otherwise; errors come with an extack
 * message. CAP_NET_ADMIN means in the initial user namespace everywhere in
 * this API (as GENL_ADMIN_PERM checks it): the root of a user namespace,
 * and a netns it owns, is an unprivileged caller here.
 *
 * ATNET_CMD_GET (do, dump)
 *   Reply: ATNET_A_IFINDEX, ATNET_A_IFNAME, ATNET_A_TTY, ATNET_A_MODEL,
 *   ATNET_A_FIRMWARE, ATNET_A_DIALECT, ATNET_A_STATE, ATNET_A_REASON (when
 *   failed), ATNET_A_SIGNAL, ATNET_A_REG, ATNET_A_OPERATOR, ATNET_A_OWNER_PID,
 *   ATNET_A_CONTEXTS (nest of ATNET_A_CONTEXT, each ATNET_CTX_A_*),
 *   ATNET_A_LINKS (nest of ATNET_A_LINK, each ATNET_LINK_A_*),
 *   ATNET_A_LISTENER (ATNET_LSN_A_*), ATNET_A_COUNTERS (ATNET_CNT_A_*).
 *   Anyone may GET. Credentials: ATNET_CTX_A_USER only to callers with
 *   CAP_NET_ADMIN (the same who may set it); ATNET_CTX_A_PASSWORD never.
 *   Everything else (the APN too) is reported to everyone.
 *
 * ATNET_CMD_SET_CONTEXT (admin)
 *   ATNET_A_CONTEXT (ATNET_CTX_A_ID, ATNET_CTX_A_APN, ATNET_CTX_A_USER,
 *   ATNET_CTX_A_PASSWORD). Strings must be printable ASCII without '"', ';',
 *   CR or LF, at most ATNET_APN_MAX / ATNET_CRED_MAX bytes: -EINVAL otherwise,
 *   so no string can inject an AT command.
 *
 * ATNET_CMD_CONTEXT_UP, ATNET_CMD_CONTEXT_DOWN (admin)
 *   Optional ATNET_A_CONTEXT with ATNET_CTX_A_ID (default: the interface's
 *   context). Asynchronous: returns once queued; the outcome is an event.
 *
 * Requests: RESOLVE, PING, LISTENER_START, LISTENER_STOP
 *   These wait for the modem, but no command sleeps for it: the request is
 *   checked and queued, and acknowledged at once (an error there is the
 *   usual netlink error with its extack message, and nothing follows).
 *   Otherwise exactly one answer follows, as a unicast message to the
 *   caller's port with the request's sequence number and command: the
 *   answer attributes below, or the error form ATNET_A_ERRNO (u32, the
 *   positive errno value) and ATNET_A_ERRMSG (string, why). The answer may
 *   come before the ack: read until both came. Several requests may be
 *   outstanding on one socket; their sequence numbers tell them apart.
 *   A socket that is closed cancels its requests: a queued one that has
 *   not started is dropped, one the modem has ends at its next step (a
 *   ping sends no further echo; a command already handed to the modem is
 *   still sent and answered), and its answer, which is nobody's, still
 *   keeps the modem's slot for that kind until it came or its deadline
 *   passed, so that it is never taken for the next caller's. The modem
 *   works on one request of a kind at a time, in order; pings take turns
 *   echo by echo. A modem restart, failure or detach answers the pending
 *   requests with ENETRESET, ENETDOWN or ENODEV (a ping's echoes collected
 *   so far are not reported then). Deadlines run from when the modem gets
 *   the command, not from the ack; how long a request waits in the queue
 *   depends on those before it (at most 16, each bounded).
 *   Bounds: at most 16 requests of a kind wait on a modem; of them at most
 *   8 from all callers without CAP_NET_ADMIN together (the rest is kept
 *   for admins, however many uids the others use), and one per kind per
 *   such user (its uid): beyond that -EBUSY, said by the extack message
 *   ("one PING at a time per user..."). listen() on a socket is bounded
 *   the same way, as a SERVER request of its caller (EADDRINUSE); only a
 *   listener's close() is never refused. A ping is one AT+CIPPING per
 *   echo, so other commands (sockets, contexts) run between echoes: nobody
 *   holds the modem's command slot for more than one echo. A +CME ERROR
 *   answer to a request of a caller without CAP_NET_ADMIN is that
 *   request's error only, never a fault for the recovery ladder (below).
 *   If the answer cannot be built (no memory, too large), its error form
 *   with ENOMEM or EMSGSIZE is sent instead: the one answer always comes,
 *   unless the caller's receive buffer is full (its next read: ENOBUFS).
 *   An answer goes to the port id the request came from: a new socket
 *   that binds the port id of one just closed, before the close has
 *   cancelled its requests, may receive an answer it did not ask for;
 *   it has a sequence number that socket never used. The window is the
 *   close itself (the port id is free before the cancel runs): another
 *   thread of the same process opening a socket then (autobind tries the
 *   process id first) or anyone binding that port id explicitly. Check the
 *   sequence number of every answer.
 *
 * ATNET_CMD_LISTENER_START (admin): ATNET_A_LISTENER (ATNET_LSN_A_PORT,
 *   ATNET_LSN_A_CONTEXT, default the interface's context). Answered once
 *   the modem said "SERVER OK": ATNET_A_LISTENER (ATNET_LSN_A_STATE 1,
 *   PORT, CONTEXT). The modem's server holds one of its 8 links (7 client
 *   links + the server): -ENOSPC when all are in use, -EBUSY when a
 *   listener already runs or the modem answers AT+CIPSERVER with ERROR
 *   (its context not up, a server running, no free link),
 *   -EADDRINUSE on "SERVER FAIL", ports below 1024
 *   need CAP_NET_BIND_SERVICE (-EACCES); no "SERVER OK" within 10 s:
 *   -ETIMEDOUT. Once the modem has the command, a
 *   closed caller does not stop it: the listener starts (GET shows it).
 *   ATNET_CMD_LISTENER_STOP (admin): -ENOENT when none runs; answered
 *   with ATNET_A_LISTENER (ATNET_LSN_A_STATE 0). SIM7020 has no server
 *   mode: -EOPNOTSUPP. GET reports ATNET_A_LISTENER. The modem's "SERVER
 *   OK" / "SERVER FAIL" belongs to the AT+CIPSERVER that asked for it;
 *   one that nobody asked for (its caller long gone) stops that server.
 *
 * ATNET_CMD_RESOLVE: ATNET_A_HOST (at most ATNET_HOST_MAX bytes, printable
 *   ASCII without '"', ';', CR, LF: -EINVAL otherwise; SIM7020: no blank or
 *   ','), asked on the interface's context -> answer ATNET_A_HOST,
 *   ATNET_A_ADDRS (nest of ATNET_A_ADDR, each a __be32). Unknown host
 *   (+CDNSGIP: 0,8, or ERROR on SIM7020): ENOENT; network error
 *   (+CDNSGIP: 0,3): ENETUNREACH; no answer in time: ETIMEDOUT (SIM7000:
 *   10 s for the command's OK, then 30 s for +CDNSGIP; SIM7020: 60 s for
 *   the command); the message quotes the modem's error code. A SIM7020
 *   runs no other command while it resolves (SIM7020 Series TCP/IP
 *   Application Note 2.3: the command blocks), so on a SIM7020 RESOLVE
 *   needs CAP_NET_ADMIN (-EPERM, said by the extack message); on a
 *   SIM7000 anyone may ask, within the bounds above.
 *
 * ATNET_CMD_PING: ATNET_A_ADDR, optional ATNET_A_PING_COUNT (1..100,
 *   default 4) -> answer ATNET_A_ADDR, ATNET_A_PING_REPLIES (nest of
 *   ATNET_A_PING_REPLY, each ATNET_PING_A_SEQ and, when an answer came,
 *   ATNET_PING_A_RTT_MS and ATNET_PING_A_TTL), one per request. The modem
 *   measures in 100 ms units; each echo is one AT+CIPPING: the SIM7000
 *   gets 5 s for it (and answers only after it), the SIM7020 its default
 *   (10 s; it answers at once and reports the echo later, awaited 15 s).
 *   An echo the modem refuses with ERROR while none came back yet: EIO
 *   (after one came back, that echo counts as lost and the ping goes on);
 *   a command that timed out or the modem's restart: that error
 *   (ETIMEDOUT, ENETRESET), no further echo; the context going down
 *   before the next echo: ENETDOWN.
 *
 * Faults and recovery: a command that times out, a +CME ERROR to a request
 *   of an admin (DNS, ping, server) or to the module's own AT+CIPSTATUS,
 *   or a link the modem lost without telling
 *   (found by AT+CIPSTATUS, which also runs every status_interval_ms while
 *   links are in use) is a fault; a plain ERROR is not (often the network's
 *   answer). After each fault or ERROR the link table is resynchronised
 *   with AT+CIPSTATUS (SIM7000), and each link's
 *   ATNET_LINK_A_MODEM_STATE is the modem's word. Faults that keep coming
 *   (module parameters recover_window_ms, recover_close, recover_shut,
 *   recover_reset) close every link (ECONNRESET), then AT+CIPSHUT (the
 *   contexts come back up), then reset the modem (AT+CFUN=1,1): one dmesg
 *   line and one ATNET_CNT_A_RECOVER_* counter each.
 *
 * Restarts and power: "RDY", "SMS Ready" or "+CPIN: NOT READY" that the
 *   module did not cause mean the modem restarted (the latter two not
 *   within 20 s of the probe a restart started: a SIM7000 prints "SMS
 *   Ready" seconds after RDY on every boot) (ATNET_EV_MODEM_RESTART,
 *   ATNET_CNT_A_RESTARTS): every context goes down (ATNET_EV_CONTEXT_LOST),
 *   links fail with ENETRESET, requests with ENETRESET, and the modem is
 *   probed again. "+CFUN: 1" alone is not a restart: the modem also prints
 *   it when its radio comes back on (AT+CFUN=1), and a power-up prints RDY
 *   first. An autobauding modem prints no banner: its restart is found by
 *   the next command that times out, when the liveness check's AT comes
 *   back echoed (a power-up turns echo back on), and is handled as above.
 *   A modem that failed by going silent (no answer to AT; not one that
 *   announced a power-down, below) is asked AT every revive_ms (module
 *   parameter, default 3000, 0 = never):
 *   once it answers, it is probed again (ATNET_MODEM_PROBING), so one that
 *   autobauds comes back without RDY too.
 *   "NORMAL POWER DOWN", "UNDER-VOLTAGE POWER DOWN" and
 *   "OVER-VOLTAGE POWER DOWN" mean the modem switched itself off: it is
 *   ATNET_MODEM_FAILED at once (ATNET_A_REASON quotes the line; nothing is
 *   sent to it any more), every context goes down (ATNET_EV_CONTEXT_LOST),
 *   links fail with EIO, requests with ENETDOWN; when it powers up again
 *   its RDY restarts it as above. "UNDER-VOLTAGE WARNNING" and
 *   "OVER-VOLTAGE WARNNING" (SIMCom's spelling; "WARNING" too) change
 *   nothing but are reported: ATNET_EV_MODEM_WARNING and a dmesg line.
 *
 * ATNET_CMD_EVENT (multicast only, group ATNET_GENL_MCGRP_EVENTS)
 *   ATNET_A_IFINDEX, ATNET_A_EVENT (enum atnet_event), and per event
 *   ATNET_A_STATE, ATNET_A_REASON, ATNET_A_CONTEXT (ATNET_CTX_A_ID,
 *   ATNET_CTX_A_STATE, ATNET_CTX_A_ADDR), ATNET_A_LINK (ATNET_LINK_A_SLOT).
 *
 * Sockets
 * -------
 * socket(AF_ATNET, SOCK_STREAM, 0 or IPPROTO_TCP) is a TCP connection made by
 * the modem; SOCK_DGRAM (0 or IPPROTO_UDP) a UDP one. Addresses are
 * struct sockaddr_atnet. The family number is ATNET_AF_DEFAULT unless the
 * module parameter "family" says otherwise (/sys/module/atnet/parameters/family).
 * Other types: ESOCKTNOSUPPORT; other protocols: EPROTONOSUPPORT. Each
 * connected socket holds one of the modem's links (8 on SIM7000, 5 on
 * SIM7020) and a reference on the module: rmmod fails with EBUSY while any
 * socket is open and does not disturb them; it succeeds once they are closed.
 *
 * connect(): sat_ifindex picks the wwan interface (modem and context), 0 the
 * first one up. Blocking connect waits for the modem's verdict, at most
 * SO_SNDTIMEO; non-blocking gives EINPROGRESS, then POLLOUT (plus POLLERR on
 * failure) and SO_ERROR, like TCP. Without an answer the attempt fails after
 * the module parameter connect_timeout_ms (default 75000, as AT+CIPSTART).
 * Unlike TCP (EINPROGRESS), a blocking connect whose SO_SNDTIMEO runs out
 * gives ETIMEDOUT and abandons the attempt (the link is closed).
 * Servers (SIM7000): bind() a port (sat_addr INADDR_ANY, else
 * EADDRNOTAVAIL; port 0: EINVAL; below 1024 needs CAP_NET_BIND_SERVICE:
 * EACCES; sat_ifindex picks the context, 0 the first one up), then listen()
 * (without a port: EDESTADDRREQ) starts the modem's TCP server
 * (AT+CIPSERVER, one per modem: EADDRINUSE when it already runs or, for
 * a caller without CAP_NET_ADMIN, when the request bounds above are
 * reached, ENOSPC when all 8 links are taken) and returns once it runs; a signal ends
 * the wait with EINTR, and a server the modem starts after all is stopped
 * again (GET never shows a listener the modem lacks). Each client
 * ("n, REMOTE IP:") waits in the accept queue, up to the backlog (at least
 * 1); beyond it, or once the listener is closed, the modem's link is hung
 * up. accept() gives a connected socket, getpeername() the client's address
 * and port (AT+CIPSTATUS=n). When the server is lost (its context goes
 * down, the modem restarts), clients already queued are still handed out,
 * then accept() fails with the reason (ENETDOWN, ENETRESET, ...) and poll()
 * reports POLLERR. close() stops the server (AT+CIPSERVER=0).
 *
 * Fixed local port (SIM7000, seed 000 3.3): a socket (stream or datagram)
 * bound to a port that connect()s, or sendto()s unconnected, uses it as its
 * local port (AT+CLPORT before AT+CIPSTART); EADDRINUSE when a link of that
 * protocol on that modem (or its TCP server) has it. On SIM7020 bind()
 * succeeds and that connect() or sendto() fails with EOPNOTSUPP. The
 * context of connect() is sat_ifindex,
 * else the interface of SO_BINDTODEVICE, else the first one up.
 *
 * Unconnected UDP (both models; the SIM7000's "UDP extended mode", seed 000
 * 3.1.4, offers it, the SIM7020 has nothing like it): sendto() any peer,
 * recvfrom() reports each datagram's real source. The
 * modem's own extended mode (AT+CIPUDPMODE) exists only in single-link
 * mode, which atnet does not use (it would cost every other link), so the
 * mapping onto multi-link mode is one UDP link per peer: the first sendto()
 * to a peer opens it (bound port: every peer sees that port), recvfrom()
 * takes the next datagram of any of them, round robin, with that link's
 * peer as the source. Up to 4 peers at once, a fifth retires the oldest
 * (its queued datagrams still go out) that no thread's sendto() is still
 * opening or waiting on for ring room (EAGAIN, even for a blocking sendto(),
 * when all four are). A datagram from a peer the socket never sent to does
 * not reach it. recv() before any sendto(): ENOTCONN. connect() ends this
 * and keeps one peer: a sendto() asleep meanwhile answers EISCONN, a
 * recvfrom() asleep reads from the connected peer from then on.
 * Unlike a connected send (below), sendto() returns once the datagram is
 * queued, as UDP's does: a blocking one waits for its peer's link to open
 * (its failure, ECONNREFUSED or ETIMEDOUT, is the call's errno) and for
 * ring room; non-blocking, at SO_SNDTIMEO or interrupted while the link is
 * still being opened, the datagram stays queued on it (it goes out once the
 * link is up, or is lost with it) and the call returns its length. Connected UDP sockets keep
 * datagram boundaries the same way,
 * one AT+CIPRXGET read being one datagram. The SIM7000 does not mark
 * boundaries in its receive buffer, so datagrams that queue up in the modem
 * before they are read can come out joined.
 *
 * send() splits a stream into the modem's largest AT+CIPSEND (AT+CIPSEND?,
 * at most 1460). Bytes count as sent once the modem accepted them: a
 * blocking send returns when every byte was accepted (or, interrupted or at
 * SO_SNDTIMEO, the count of its bytes that were accepted or will be: bytes
 * the modem had not started on are withdrawn, unless another thread queued
 * bytes after them on the same socket; then they go out and count). A
 * non-blocking send (O_NONBLOCK, MSG_DONTWAIT) returns what
 * it queued in the socket's 16 KiB send ring, EAGAIN when full; a later
 * failure of those bytes is reported as a socket error. SIOCOUTQ gives the
 * bytes the peer has not acknowledged yet (AT+CIPACK; UDP: not yet accepted).
 * The links share the UART round-robin, one AT+CIPSEND outstanding per link.
 *
 * recv() data is pulled with AT+CIPRXGET only while the socket's 16 KiB
 * receive ring has room for a full read, so a slow reader loses nothing: the
 * modem (and then the peer's TCP) holds the rest. MSG_PEEK, MSG_DONTWAIT,
 * MSG_WAITALL, MSG_TRUNC, SO_RCVTIMEO, SO_RCVLOWAT and SIOCINQ work as on
 * TCP/UDP (MSG_TRUNC on a stream discards the bytes without copying them;
 * a blocking MSG_PEEK whose bytes another thread consumes while it waits
 * peeks again from the new start of the stream, where TCP appends the new
 * start to what it had copied). End of stream (0) comes only after every byte the modem
 * received was delivered. After a fault, buffered bytes are delivered first,
 * then the error once (SO_ERROR), then 0.
 *
 * poll(): POLLIN, POLLOUT, POLLHUP, POLLRDHUP, POLLERR as TCP and UDP report
 * them (a fresh stream socket is POLLOUT|POLLHUP, a fresh datagram socket
 * POLLOUT; POLLOUT needs half the send ring free). A peer's close gives
 * POLLHUP (with POLLIN while bytes are left to read) once the modem handed
 * over all it received, where TCP gives POLLIN|POLLRDHUP only: the modem
 * has no half-close, so the socket cannot send either.
 *
 * shutdown(): the modem has no half-close (AT+CIPCLOSE ends both directions),
 * so SHUT_RD and SHUT_WR act locally only: reads return 0, sends fail with
 * EPIPE; the peer sees no FIN. SHUT_RDWR closes the link (after queued
 * sends): the peer sees the end of the stream, reads return 0. As on
 * AF_INET, shutdown() of a listener makes accept() (also one blocked
 * already) fail with EINVAL (the modem's server stops at close()), and
 * shutdown() of an unconnected socket answers ENOTCONN but shuts it down
 * all the same: a recvfrom() blocked on it, and later ones, return 0. close()
 * releases the link the same way, in the background. getsockname() gives the
 * context's address and interface, getpeername() the peer.
 *
 * Differences from AF_INET, call by call (the rest behaves as TCP/UDP):
 *   socket()       SOCK_STREAM and SOCK_DGRAM only.
 *   bind()         sat_addr must be INADDR_ANY (EADDRNOTAVAIL), port 0 is
 *                  EINVAL (no ephemeral port); EADDRINUSE comes from the
 *                  connect(), sendto() or listen() that uses the port.
 *   connect()      SO_SNDTIMEO abandons the attempt (ETIMEDOUT, above). A
 *                  connected UDP socket cannot be connected again or
 *                  disconnected (AF_UNSPEC): EISCONN, EAFNOSUPPORT. Threads
 *                  that connect() one socket at once: one starts the
 *                  attempt, the others wait for it (EALREADY non-blocking)
 *                  and get its outcome: 0, the reason, or ECONNABORTED once
 *                  another caller took the reason, as TCP's waiters do.
 *                  After a failed connect() a stream socket stays shut down
 *                  (POLLHUP, recv() 0, as TCP after tcp_done()), a
 *                  datagram socket is a fresh unconnected one (POLLOUT).
 *   listen()       SIM7000 only, one server per modem (above).
 *   send*()        MSG_MORE and MSG_EOR are accepted and have no effect;
 *                  MSG_OOB and other flags: EOPNOTSUPP. A blocking send
 *                  returns once the modem accepted the bytes, not when they
 *                  were queued (above). As TCP's: when the call returns a
 *                  count, an error that stopped it stays for SO_ERROR and
 *                  the next call, and SIGPIPE comes only with EPIPE when
 *                  nothing was sent.
 *   recv*()        MSG_OOB, MSG_ERRQUEUE: EOPNOTSUPP. A peer's reset reads as
 *                  the end of the stream (0) on SIM7000, which reports
 *                  "n, CLOSED" for a close and a reset alike; SIM7020 tells
 *                  them apart (+CSOERR 3: ECONNRESET).
 *   poll()         POLLHUP at a peer's close (above).
 *   shutdown()     no half-close (above).
 *   getsockname()  the context's address; the bound port until connected.
 *   ioctl()        SIOCINQ and SIOCOUTQ (and the interface ioctls any
 *                  socket has; others: ENOTTY); SIOCOUTQ of
 *                  a TCP socket asks the modem (AT+CIPACK) and may take up
 *                  to 2 s; SIOCINQ on an unconnected UDP socket gives 0.
 *   setsockopt()   SOL_SOCKET options as on any socket, but SO_SNDBUF and
 *                  SO_RCVBUF do not size the fixed 16 KiB rings; at SOL_TCP
 *                  only TCP_NODELAY (the modem sends at once anyway); other
 *                  levels and options: ENOPROTOOPT.
 *   close()        queued sends still go out, then the link closes (as TCP
 *                  without SO_LINGER; SO_LINGER has no effect).
 * Several threads may use one socket as on TCP: a blocking call that sleeps
 * sees another thread's connect(), shutdown() or sendto() when it wakes
 * (a sendto() of a fifth peer does not retire a peer another thread waits
 * on; a dead peer is retired and opened again by the next sendto()).
 * Concurrent stream sends may interleave at ring-room boundaries, as TCP's.
 *
 * Socket errnos, beyond the generic ones (EFAULT, ENOMEM, EINTR):
 *   EINVAL          connect: address shorter than sat_ifindex, port 0, address
 *                   0.0.0.0/8 or 255.255.255.255, multicast for TCP;
 *                   shutdown: bad how; send: empty UDP datagram
 *   EAFNOSUPPORT    connect: sat_family is not AF_ATNET
 *   ENODEV          connect: sat_ifindex is no atnet interface;
 *                   established: the tty hung up or the ldisc was detached
 *   ENETUNREACH     connect: no atnet interface is up (sat_ifindex 0), the
 *                   modem is not ready, or it answered AT+CIPSTART with ERROR
 *   ENETDOWN        connect: the chosen interface (context) is down, or the
 *                   modem went away while the link was opened (also an
 *                   unconnected sendto() opening a peer: the same errno
 *                   whenever the detach happens);
 *                   established: the PDP context went down (+PDP: DEACT,
 *                   ip link set down)
 *   ENETRESET       established: the modem restarted (RDY, SMS Ready,
 *                   +CPIN: NOT READY)
 *   EIO             established: the modem failed (stopped answering) or
 *                   powered down ("... POWER DOWN");
 *                   recv (SIM7000): an AT+CIPRXGET that got no answer (the
 *                   bytes it may have taken from the modem are lost, so the
 *                   stream ends here)
 *   EAGAIN          connect: all of the modem's links are in use;
 *                   send/recv: would block, or SO_SNDTIMEO/SO_RCVTIMEO
 *   ECONNREFUSED    connect: "n, CONNECT FAIL" (or the link closed at once)
 *   ETIMEDOUT       connect: no answer within SO_SNDTIMEO or
 *                   connect_timeout_ms; send: the modem did not answer
 *                   AT+CIPSEND (the link is closed). send() counts only
 *                   bytes the modem accepted; if its "> " prompt for the
 *                   failed send comes after all, the driver completes it
 *                   with filler (ESC, then NULs, at most that send's
 *                   length) so that no AT command becomes data: the peer
 *                   of the closed link may receive those bytes
 *   EADDRINUSE      connect: "n, ALREADY CONNECT" twice (slot out of sync)
 *   EISCONN         connect: already connected; sendto with an address on
 *                   a connected UDP socket
 *   EALREADY        connect: a non-blocking connect is still in progress
 *   ECONNABORTED    connect: again after SO_ERROR took a failure's reason
 *   ENOTCONN        recv/getpeername/shutdown: never connected (TCP; send()
 *                   gives EPIPE and SIGPIPE there, as TCP's)
 *   EDESTADDRREQ    send() without an address on an unconnected UDP socket;
 *                   listen() without a bound port
 *   EMSGSIZE        send: UDP datagram larger than the link's AT+CIPSEND
 *                   maximum (1460)
 *   ECOMM           send: "n, SEND FAIL" or ERROR to AT+CIPSEND; the link
 *                   is closed (stream integrity is lost)
 *   EPIPE           send on a never connected stream socket, after the
 *                   peer closed ("n, CLOSED"), after shutdown(SHUT_WR) or
 *                   once an error was reported;
 *                   SIGPIPE too unless MSG_NOSIGNAL
 *   EOPNOTSUPP      send/recv: unsupported flags (MSG_OOB...); listen on a
 *                   datagram socket; listen on SIM7020; connect or
 *                   sendto of a bound socket on SIM7020
 *   ENOPROTOOPT     socket options other than SOL_SOCKET ones and TCP_NODELAY
 *   ENOBUFS         SIM7020 only: a stream's pushed data overflowed
 *                   (below); both models: send, connect or a request when
 *                   the driver's transmit buffer to the modem (4096 bytes)
 *                   has no room for the whole command and its payload: not
 *                   one byte of it was written, but a stream send still
 *                   closes the link like ECOMM (its data may have been
 *                   partly accepted by earlier sends)
 *
 * Commands that the driver never wrote (the resynchronisation before them
 * got no answer, or no transmit room) end with ETIMEDOUT / ENOBUFS like
 * the ones the modem did not answer; a SIM7000 recv then asks again and
 * the stream stays intact, a connect leaves nothing open on the modem.
 *
 * SIM7020
 * -------
 * The same commands and sockets drive a SIM7020 (NB-IoT), within what its
 * firmware has: one context (0), five links, no server mode and no
 * transparent mode (listen() and ATNET_CMD_LISTENER_START: -EOPNOTSUPP).
 * The network brings the PDN up by itself after the attach: it is reported
 * as context 0 up. A new APN (ATNET_CMD_SET_CONTEXT) applies at the next
 * ATNET_CMD_CONTEXT_UP, through a radio cycle (AT+CFUN=0, AT*MCGDEFCONT,
 * AT+CFUN=1). Data is binary (AT+CSODSEND, AT+CSORCVFLAG=1) where the
 * firmware has it, hex (AT+CSOSEND) otherwise, each way decided once at
 * bring-up (AT+CSODSEND=? for sending); a UDP datagram carries at most 1024
 * bytes in binary and 512 in hex (EMSGSIZE above: the datagram is refused,
 * the socket stays usable; ATNET_LINK_A_MAX_SEND tells), and one that
 * arrives as more than one +CSONMI (512 bytes each on common firmware)
 * reaches the socket as that many datagrams. SIOCOUTQ counts the bytes the
 * peer has not acknowledged ("SEND: id,len" of AT+CSOSENDFLAG=1). A TCP
 * connect blocks the modem until it ends (AT+CSOCON answers only then).
 *
 * Receive overflow: the SIM7020 pushes what it receives (+CSONMI) and keeps
 * nothing back, so the data cannot be left in the modem as on SIM7000. Each
 * link buffers 16 KiB; a +CSONMI that does not fit is dropped whole, counted
 * in ATNET_LINK_A_RX_DROPPED (bytes) and logged, never silently. A UDP socket
 * loses those datagrams, as a full UDP socket does. A TCP socket cannot go on
 * with a gap in its stream: it delivers every byte received before the gap,
 * then fails with ENOBUFS (recv, poll's POLLERR, SO_ERROR) and the
 * connection is closed.
 *
 * +CSOERR codes (SIMCom SIM7020 TCP/IP application note, 3.9) and errno:
 *   -1  common error        EIO
 *    1  route error         EHOSTUNREACH
 *    2  connection aborted  ECONNABORTED
 *    3  connection reset    ECONNRESET (ECONNREFUSED while connecting)
 *    4  connected error     the peer closed: EOF, then EPIPE on send
 *                           (ECONNREFUSED while connecting)
 *    5  illegal error       EINVAL
 *    6  buffer error        ENOBUFS
 *    7  block error         EBUSY
 *    8  address in use      EADDRINUSE
 *    9  already connecting  EALREADY
 *   10  already connected   EISCONN
 *   11  bearer error        ENETDOWN; the PDN is checked (AT+CGACT?), and
 *                           when it is gone context 0 goes down
 *   any other code          EIO
 * A connect that AT+CSOCON answers ERROR without a code: ECONNREFUSED.
 */
#ifndef _UAPI_LINUX_ATNET_H
#define _UAPI_LINUX_ATNET_H

#include <linux/types.h>
#include <linux/socket.h>
#include <linux/in.h>

/* N_DEVELOPMENT: free for out-of-tree line disciplines. */
#define ATNET_LDISC_DEFAULT	29

/*
 * 25 was reserved for WANPIPE, which never had an implementation in mainline:
 * no 6.1 kernel registers it.
 */
#define ATNET_AF_DEFAULT	25
#ifndef AF_ATNET
#define AF_ATNET		ATNET_AF_DEFAULT
#endif
#ifndef PF_ATNET
#define PF_ATNET		AF_ATNET
#endif

struct sockaddr_atnet {
	__kernel_sa_family_t	sat_family;	/* AF_ATNET */
	__be16			sat_port;
	struct in_addr		sat_addr;
	/* The wwan interface names modem and context; 0 = the first one up. */
	__u32			sat_ifindex;
	__u8			sat_zero[4];	/* pad to sizeof(struct sockaddr) */
};

#define ATNET_GENL_NAME		"atnet"
#define ATNET_GENL_VERSION	1
#define ATNET_GENL_MCGRP_EVENTS	"events"

#define ATNET_APN_MAX		50	/* AT+CSTT: each field at most 50 bytes */
#define ATNET_CRED_MAX		50
#define ATNET_HOST_MAX		255
#define ATNET_CONTEXTS		2	/* SIM7000 AT+CIPSGTXT: contexts 0 and 1 */

enum atnet_cmd {
	ATNET_CMD_UNSPEC,
	ATNET_CMD_GET,
	ATNET_CMD_SET_CONTEXT,
	ATNET_CMD_CONTEXT_UP,
	ATNET_CMD_CONTEXT_DOWN,
	ATNET_CMD_LISTENER_START,
	ATNET_CMD_LISTENER_STOP,
	ATNET_CMD_RESOLVE,
	ATNET_CMD_PING,
	ATNET_CMD_EVENT,
	__ATNET_CMD_MAX
};

#define ATNET_CMD_MAX (__ATNET_CMD_MAX - 1)

enum atnet_attr {
	ATNET_A_UNSPEC,
	ATNET_A_IFINDEX,	/* u32 */
	ATNET_A_IFNAME,		/* string */
	ATNET_A_TTY,		/* string */
	ATNET_A_MODEL,		/* string, AT+CGMM */
	ATNET_A_FIRMWARE,	/* string, AT+CGMR */
	ATNET_A_DIALECT,	/* u8, enum atnet_dialect */
	ATNET_A_STATE,		/* u8, enum atnet_modem_state */
	ATNET_A_REASON,		/* string: why the modem failed or an event happened */
	ATNET_A_SIGNAL,		/* u8, AT+CSQ rssi (0..31, 99 unknown) */
	ATNET_A_REG,		/* u8, +CGREG/+CREG stat */
	ATNET_A_OPERATOR,	/* string, AT+COPS? */
	ATNET_A_OWNER_PID,	/* u32, process that attached the ldisc */
	ATNET_A_CONTEXTS,	/* nest of ATNET_A_CONTEXT */
	ATNET_A_CONTEXT,	/* nest, ATNET_CTX_A_* */
	ATNET_A_LINKS,		/* nest of ATNET_A_LINK */
	ATNET_A_LINK,		/* nest, ATNET_LINK_A_* */
	ATNET_A_LISTENER,	/* nest, ATNET_LSN_A_* */
	ATNET_A_EVENT,		/* u8, enum atnet_event */
	ATNET_A_HOST,		/* string */
	ATNET_A_ADDRS,		/* nest of ATNET_A_ADDR */
	ATNET_A_ADDR,		/* __be32 IPv4 address */
	ATNET_A_PING_COUNT,	/* u32 */
	ATNET_A_PING_REPLIES,	/* nest of ATNET_A_PING_REPLY */
	ATNET_A_PING_REPLY,	/* nest, ATNET_PING_A_* */
	ATNET_A_COUNTERS,	/* nest, ATNET_CNT_A_* */
	ATNET_A_PAD,
	ATNET_A_ERRNO,		/* u32, errno value (positive): a request failed */
	ATNET_A_ERRMSG,		/* string, why (as an extack message) */
	__ATNET_A_MAX
};

#define ATNET_A_MAX (__ATNET_A_MAX - 1)

enum atnet_ctx_attr {
	ATNET_CTX_A_UNSPEC,
	ATNET_CTX_A_ID,		/* u8, 0 or 1 */
	ATNET_CTX_A_APN,	/* string */
	ATNET_CTX_A_USER,	/* string */
	ATNET_CTX_A_PASSWORD,	/* string, write only */
	ATNET_CTX_A_STATE,	/* u8, enum atnet_ctx_state */
	ATNET_CTX_A_ADDR,	/* __be32 */
	ATNET_CTX_A_IFINDEX,	/* u32, the context's wwan interface */
	__ATNET_CTX_A_MAX
};

#define ATNET_CTX_A_MAX (__ATNET_CTX_A_MAX - 1)

enum atnet_link_attr {
	ATNET_LINK_A_UNSPEC,
	ATNET_LINK_A_SLOT,	/* u8, modem link id */
	ATNET_LINK_A_PROTO,	/* u8, IPPROTO_TCP or IPPROTO_UDP */
	ATNET_LINK_A_STATE,	/* u8, enum atnet_link_state */
	ATNET_LINK_A_CONTEXT,	/* u8 */
	ATNET_LINK_A_REMOTE_ADDR, /* __be32 */
	ATNET_LINK_A_REMOTE_PORT, /* u16, host order */
	ATNET_LINK_A_LOCAL_PORT, /* u16, host order */
	ATNET_LINK_A_TX_BYTES,	/* u64, accepted by the modem */
	ATNET_LINK_A_RX_BYTES,	/* u64 */
	ATNET_LINK_A_ACKED,	/* u64, acknowledged by the peer (AT+CIPACK) */
	ATNET_LINK_A_MODEM_STATE, /* string, as AT+CIPSTATUS last reported it */
	ATNET_LINK_A_PAD,
	ATNET_LINK_A_RX_DROPPED, /* u64, received bytes dropped: buffer full (SIM7020) */
	ATNET_LINK_A_NACKED,	/* u64, sent, not yet acknowledged (AT+CIPACK) */
	ATNET_LINK_A_MAX_SEND,	/* u32, largest AT+CIPSEND (AT+CIPSEND?) */
	__ATNET_LINK_A_MAX
};

#define ATNET_LINK_A_MAX (__ATNET_LINK_A_MAX - 1)

enum atnet_lsn_attr {
	ATNET_LSN_A_UNSPEC,
	ATNET_LSN_A_PORT,	/* u16, host order */
	ATNET_LSN_A_CONTEXT,	/* u8 */
	ATNET_LSN_A_STATE,	/* u8, 0 off, 1 listening */
	__ATNET_LSN_A_MAX
};

#define ATNET_LSN_A_MAX (__ATNET_LSN_A_MAX - 1)

enum atnet_ping_attr {
	ATNET_PING_A_UNSPEC,
	ATNET_PING_A_SEQ,	/* u32 */
	ATNET_PING_A_RTT_MS,	/* u32 */
	ATNET_PING_A_TTL,	/* u32 */
	__ATNET_PING_A_MAX
};

#define ATNET_PING_A_MAX (__ATNET_PING_A_MAX - 1)

enum atnet_cnt_attr {
	ATNET_CNT_A_UNSPEC,
	ATNET_CNT_A_CMDS,	/* u64, AT commands completed */
	ATNET_CNT_A_TIMEOUTS,	/* u64, commands that timed out */
	ATNET_CNT_A_ERRORS,	/* u64, commands that answered ERROR */
	ATNET_CNT_A_GARBAGE,	/* u64, bytes discarded while resynchronising */
	ATNET_CNT_A_URCS,	/* u64 */
	ATNET_CNT_A_RESTARTS,	/* u64, modem restarts seen */
	ATNET_CNT_A_PAD,
	ATNET_CNT_A_RECONCILES,	/* u64, link table checks (AT+CIPSTATUS) */
	ATNET_CNT_A_LINKS_LOST,	/* u64, links the modem lost without a URC */
	ATNET_CNT_A_RECOVER_CLOSE, /* u64, recovery step 1: every link closed */
	ATNET_CNT_A_RECOVER_SHUT, /* u64, recovery step 2: AT+CIPSHUT */
	ATNET_CNT_A_RECOVER_RESET, /* u64, recovery step 3: AT+CFUN=1,1 */
	/* The AT channel's health, from the module's own line reader: */
	ATNET_CNT_A_LINES,	/* u64, lines read from the modem */
	ATNET_CNT_A_OVERLONG,	/* u64, lines dropped for their length */
	ATNET_CNT_A_STRAYS,	/* u64, final results no command waited for */
	ATNET_CNT_A_CANCELS,	/* u64, data prompts cancelled (ESC) */
	ATNET_CNT_A_SYNCS,	/* u64, resynchronisations of the channel */
	ATNET_CNT_A_NOBUFS,	/* u64, commands failed: no room to write */
	ATNET_CNT_A_DAMAGED,	/* u64, input the tty reported lost/corrupt */
	ATNET_CNT_A_TX_OVERFLOWS, /* u64, writes dropped: transmit FIFO full */
	__ATNET_CNT_A_MAX
};

#define ATNET_CNT_A_MAX (__ATNET_CNT_A_MAX - 1)

enum atnet_dialect {
	ATNET_DIALECT_UNKNOWN,
	ATNET_DIALECT_SIM7000,
	ATNET_DIALECT_SIM7020,
};

enum atnet_modem_state {
	ATNET_MODEM_PROBING,	/* synchronising and identifying */
	ATNET_MODEM_READY,	/* identified, registered, configured */
	ATNET_MODEM_FAILED,	/* ATNET_A_REASON says why (also: powered down) */
	ATNET_MODEM_GONE,	/* tty hung up or detaching */
};

enum atnet_ctx_state {
	ATNET_CTX_DOWN,
	ATNET_CTX_ACTIVATING,
	ATNET_CTX_UP,
	ATNET_CTX_DEACTIVATING,
};

enum atnet_link_state {
	ATNET_LINK_FREE,
	ATNET_LINK_CONNECTING,
	ATNET_LINK_CONNECTED,
	ATNET_LINK_CLOSING,
	ATNET_LINK_CLOSED,	/* closed by the peer or the modem, data may remain */
	ATNET_LINK_LISTENING,
};

enum atnet_event {
	ATNET_EV_NONE,
	ATNET_EV_MODEM_STATE,	/* ATNET_A_STATE, ATNET_A_REASON */
	ATNET_EV_CONTEXT_UP,	/* ATNET_A_CONTEXT */
	ATNET_EV_CONTEXT_DOWN,	/* ATNET_A_CONTEXT; asked for */
	ATNET_EV_CONTEXT_LOST,	/* ATNET_A_CONTEXT; +PDP: DEACT or failed activation */
	ATNET_EV_MODEM_RESTART,	/* RDY, SMS Ready, +CPIN: NOT READY unasked */
	ATNET_EV_LINK_CLOSED,	/* ATNET_A_LINK */
	ATNET_EV_MODEM_WARNING,	/* ATNET_A_REASON: UNDER-/OVER-VOLTAGE WARNNING */
};

#endif /* _UAPI_LINUX_ATNET_H */
