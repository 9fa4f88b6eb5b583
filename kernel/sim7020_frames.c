// SPDX-License-Identifier: GPL-2.0
/*
 * The SIM7020's data headers for the chat engine (chat.h, "Data headers"):
 * the ones its data follows on the same line. Plain C that needs chat.h
 * alone, so the host tests of the engine build this very table.
 *
 * "+CSONMI: id,len,data": data the modem pushes for socket id, SIM7020
 * Series TCP/IP Application Note, section 3.7. len counts the characters
 * that follow: hex digits by default, raw bytes after AT+CSORCVFLAG=1
 * (binary receive), which may hold CR, LF or anything. The header ends at
 * its second ',', so one raw read takes the data in either encoding and
 * hex data never counts against the engine's line limit.
 */
#include "chat.h"
#ifdef __KERNEL__
#include "sim7020.h"	/* declares the table for the dialect ops */
#endif

const struct atnet_chat_frame atnet_sim7020_frames[] = {
	{ .prefix = "+CSONMI:", .end = ',', .count = 2 },
	{ }
};
