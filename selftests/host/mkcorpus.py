#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the fuzz corpus: seed dialogues as fuzz_chat.c operation programs.

Run from selftests/host: ./mkcorpus.py (rewrites corpus/*.bin).
"""
import os

TEXTS = ["AT", "ATE0", "AT+CIPSEND=0,5", "AT+CIPRXGET=2,0,1460",
         'AT+CIPSTART=0,"TCP","1.2.3.4","80"', "AT+CIPSHUT",
         "AT+CSOC=1,1,1", "AT+CIPSTATUS"]
K_PLAIN, K_OK_MORE, K_RXGET, K_ABORT, K_SUBMIT = range(5)


def submit(slot, text, kind=K_PLAIN, payload=False, resubmit=False,
           timeout=10, no_handler=False):
    a = slot | (TEXTS.index(text) << 3) | (0x40 if payload else 0) | \
        (0x80 if no_handler else 0)
    b = kind | (8 if resubmit else 0) | (min(timeout, 15) << 4)
    return bytes([4, a, b])


def feed(data):
    out = b""
    if isinstance(data, str):
        data = data.encode("latin-1")
    while data:
        n, data = data[:63], data[63:]
        out += bytes([0, len(n)]) + n
    return out


def tick(ms):
    return bytes([3, min(ms // 37, 255)])


def raw(n):
    return bytes([5, n])


def abort():
    return bytes([6, 0])


def room(n8):
    return bytes([7 | 0x80, n8])


SIM7000_FRAMES, SIM7020_FRAMES, BOTH_FRAMES, EMPTY_FRAMES, NO_FRAMES = range(5)


def frames(table):
    return bytes([7 | 0x20, table])


SEEDS = {
    "probe": submit(0, "AT") + submit(1, "ATE0") +
    feed("AT\r\r\nOK\r\nATE0\r\r\nOK\r\n"),
    "cipstart": submit(0, TEXTS[4], K_OK_MORE) +
    feed("\r\nOK\r\n\r\n0, CONNECT OK\r\n"),
    "cipstart_nospace": submit(0, TEXTS[4], K_OK_MORE) +
    feed("\r\nOK\r\n\r\n0,CONNECT OK\r\n"),
    "cipsend": submit(0, "AT+CIPSEND=0,5", K_OK_MORE, payload=True) +
    feed("\r\n> ") + feed("\r\n0, SEND OK\r\n"),
    "quicksend": submit(0, "AT+CIPSEND=0,5", payload=True) +
    feed("\r\n> \r\nDATA ACCEPT:0,5\r\n\r\nOK\r\n"),
    "receive": feed("\r\n+RECEIVE,0,17:\r\nSIM7000 TCP test\n\r\n0, CLOSED\r\n"),
    "ipd": feed("\r\nRECV FROM:116.228.221.51:9600\r\n+IPD,5:test1\r\n"),
    "rxget": submit(0, "AT+CIPRXGET=2,0,1460", K_RXGET) +
    feed("\r\n+CIPRXGET: 2,0,11,0\r\nHELLO WORLD\r\nOK\r\n"),
    "rxget_urc_submit": submit(0, "AT+CIPRXGET=2,0,1460", K_SUBMIT) +
    feed("\r\n+CIPRXGET: 1,0\r\n\r\n+CIPRXGET: 1,1\r\nOK\r\nOK\r\n"),
    "status": submit(0, "AT+CIPSTATUS", K_OK_MORE) +
    feed("\r\nOK\r\n\r\nSTATE: IP PROCESSING\r\n"
         '\r\nC: 2,,"","","","INITIAL"\r\n'),
    "shut_urcs": submit(0, "AT+CIPSHUT", K_OK_MORE) +
    feed('\r\nDST: 0\r\n\r\n*PSUTTZ: 24/01/01,12:00:00","+32",0\r\n'
         "\r\nSHUT OK\r\n"),
    "pdp_deact_timeout": submit(0, "AT+CIPSHUT", timeout=2) +
    submit(1, "AT") + feed("\r\n+PDP: DEACT\r\n") + tick(200) + tick(200) +
    feed("OK\r\n"),
    "receive_before_prompt": submit(0, "AT+CIPSEND=0,5", K_OK_MORE,
                                    payload=True) +
    feed("\r\n+RECEIVE,0,4:\r\nab> \r\n> \r\n0, SEND OK\r\n"),
    "cme": submit(0, "AT") + submit(1, "ATE0") + submit(2, "AT+CSOC=1,1,1") +
    feed("\r\n+CME ERROR: 148\r\n\r\n+CMS ERROR: 500\r\n\r\nERROR\r\n"),
    "garbage": submit(0, "AT") +
    feed("\xff\xfe\x01garbage\x00\x02\r\n\x1b[0m\x7f\r\nO\0K\r\n"),
    "abort_rdy": submit(0, "AT", K_ABORT, resubmit=True) + submit(1, "ATE0") +
    feed("\r\nRDY\r\n") + abort() + feed("OK\r\n"),
    "abort_raw": raw(10) + feed("abc") + abort() + feed("\r\nRDY\r\n"),
    "sim7020": frames(SIM7020_FRAMES) +
    submit(0, "AT+CSOC=1,1,1", no_handler=True) +
    feed("\r\n+CSOC: 0\r\n\r\nOK\r\n\r\nSEND: 0,11\r\n"
         "\r\n+CSONMI: 0,6,313233\r\n\r\n+CSOERR: 0,2\r\n"),
    "hexdump": submit(0, "AT", no_handler=True) +
    feed(bytes.fromhex("41542B4346554E3F0D0D0A0D0A2B4346554E3A20310D0A0D0A4F4B0D0A")),
    "overlong": submit(0, "AT") + bytes([0, 255]) + b"B" * 4096 + feed("\r\nOK\r\n"),
    # issue 9: late and stray results, late prompts, resync, room
    "stray_ok_prompt": submit(0, "AT+CIPSEND=0,5", payload=True) +
    feed("\r\nOK\r\n\r\n> \r\nOK\r\nDATA ACCEPT:0,5\r\n"),
    "stray_error_prompt": submit(0, "AT+CIPSEND=0,5", payload=True) +
    feed("\r\nERROR\r\n") + tick(100) + feed("\r\n> ") + submit(1, "AT") +
    feed("\r\nOK\r\n"),
    "error_then_late_prompt": submit(0, "AT+CIPSEND=0,5", payload=True) +
    feed("\r\n+CME ERROR: 3\r\n") + tick(600) + feed("\r\n> ") +
    submit(1, "AT") + feed("\r\nERROR\r\n\r\n+CSQ: 20,0\r\n\r\nOK\r\nOK\r\n"),
    "timeout_late_ok": submit(0, "AT+CIPSTATUS", timeout=1) +
    submit(1, "AT+CIPSEND=0,5", payload=True) + tick(1100) +
    feed("\r\nOK\r\n\r\n+CSQ: 20,0\r\n\r\nOK\r\n\r\n> \r\nDATA ACCEPT:0,5\r\n"),
    "sync_timeout": submit(0, "AT", timeout=1) + submit(1, "ATE0") +
    submit(2, "AT+CIPSHUT") + tick(1100) + tick(2100) +
    feed("\r\n> \r\n+CSQ: 1,0\r\nOK\r\nOK\r\n"),
    # review of the issue 9 fix: a sync that timed out, answered late
    "sync_two_answers": submit(0, "AT", timeout=1) + submit(1, "ATE0") +
    submit(2, "AT+CSOC=1,1,1") + tick(1100) + tick(2100) +
    feed("\r\nOK\r\n\r\n+CSQ: 5,0\r\n\r\nOK\r\n\r\n+CSOC: 0\r\n\r\nOK\r\n"),
    "sync_noplus": submit(0, "AT", timeout=1) + submit(1, "ATE0") + tick(1100) +
    feed("\r\nOK\r\n\r\nCSQ: 5,0\r\n\r\nOK\r\n\r\nOK\r\n"),
    "abort_unprompted": submit(0, "AT+CIPSEND=0,5", payload=True) + abort() +
    submit(1, "AT") + feed("\r\n> \r\nOK\r\n"),
    "room": room(2) + submit(0, "AT+CIPSEND=0,5", payload=True) + room(0) +
    submit(1, "AT") + feed("\r\nOK\r\n"),
    # issue 10: the data headers are the dialect's table
    "csonmi_binary": frames(SIM7020_FRAMES) +
    feed("\r\n+CSONMI: 1,7,a\r\nOK\r\n\r\n+CSONMI: 2,2,>\x20\r\nSEND: 1,3\r\n"),
    "frames_switch": feed("+IPD,2:ab\r\n") + frames(NO_FRAMES) +
    feed("+IPD,2:ab\r\n") + frames(BOTH_FRAMES) +
    feed("+CSONMI: 0,4,3132+IPD,1:x\r\n") + frames(EMPTY_FRAMES) +
    feed("+CSONMI: 0,4,3132\r\n"),
}

os.makedirs("corpus", exist_ok=True)
for name, prog in SEEDS.items():
    with open(os.path.join("corpus", name + ".bin"), "wb") as f:
        f.write(prog)
