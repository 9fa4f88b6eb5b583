// SPDX-License-Identifier: GPL-2.0
/*
 * sim7020_hex: sim7020_sock's tests against a firmware without the binary
 * commands (modem-sim --no-binary: AT+CSORCVFLAG and AT+CSODSEND answer
 * ERROR), so the dialect falls back to hex AT+CSOSEND and hex +CSONMI.
 */
#include "vmtest.h"

VM_TEST_META("sim7020", "--sim-args --no-binary");
#define SIM7020_HEX 1
#include "sim7020_sock.c"
