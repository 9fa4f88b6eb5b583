/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dialects' data-header tables (kernel/sim7000_frames.c,
 * kernel/sim7020_frames.c), declared as kernel/sim7000.h and sim7020.h declare them: the
 * host tests give the engine the very tables the module does.
 */
#ifndef _ATNET_HOST_FRAMES_H
#define _ATNET_HOST_FRAMES_H

#include "chat.h"

extern const struct atnet_chat_frame atnet_sim7000_frames[];
extern const struct atnet_chat_frame atnet_sim7020_frames[];

#endif
