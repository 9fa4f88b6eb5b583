// SPDX-License-Identifier: GPL-2.0
/*
 * The SIM7000's data headers for the chat engine (chat.h, "Data headers"):
 * the ones its data follows on the same line. Plain C that needs chat.h
 * alone, so the host tests of the engine build this very table.
 *
 * "+IPD,len:data" (also "+IPD,len,TCP:data" with AT+CIPSHOWTP, "RECV
 * FROM:ip:port" on the line before with AT+CIPSRIP=1): automatic receive
 * with AT+CIPHEAD=1, SIM7000 Series TCP/IP Application Note, sections 3.1.4
 * and 8.1. The header ends at its first ':'; the data, len bytes of it,
 * follows at once. The bring-up selects manual receive (AT+CIPRXGET=1), so
 * a modem that pushes data anyway still stays in frame. The other data
 * headers end in CR LF and need no entry: "+CIPRXGET: 2,n,got,left"
 * (section 8.2) and "+RECEIVE,n,len:" (multi-link automatic receive,
 * section 4.1).
 */
#include "chat.h"
#ifdef __KERNEL__
#include "sim7000.h"	/* declares the table for the dialect ops */
#endif

const struct atnet_chat_frame atnet_sim7000_frames[] = {
	{ .prefix = "+IPD,", .end = ':', .count = 1 },
	{ }
};
