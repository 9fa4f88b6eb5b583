#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seed corpus of fuzz_flow.c: a few programs that reach the deep states
(established flows with data both ways, closes from either side, UDP and
ping), so a short fuzz run starts there. Format: see fuzz_flow.c.

    mkcorpus_flow.py DIR
"""
import os
import struct
import sys

SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08


def seg(flags, dack=0, win=0xffff, dlen=0, k=0, dseq=0, mss=None):
    b = bytes([0x01, k | (0x10 if mss else 0), flags, dseq & 0xff,
               dack & 0xff]) + struct.pack('>HH', win, dlen)
    return b + (bytes([mss]) if mss else b'')


def connected(h=0, err=False):
    return bytes([0x04 | h << 4 | (0x80 if err else 0)])


def rx(n, h=0):
    return bytes([0x05 | h << 4]) + struct.pack('>H', n)


def closed(h=0, reset=False):
    return bytes([0x07 | h << 4 | (0x80 if reset else 0)])


def writable(h=0):
    return bytes([0x06 | h << 4])


NEXT_TIMER = b'\x03'


def tick(ms):
    return b'\x08' + struct.pack('>H', ms // 4)


def handshake(k=0):
    return seg(SYN, k=k, mss=0xb4) + connected() + seg(ACK, dack=1, k=k)


SEEDS = {
    'tcp_data_fin': handshake() + seg(ACK | PSH, dlen=100) + rx(4000) +
    seg(ACK, win=0) + NEXT_TIMER + seg(ACK) + writable() + NEXT_TIMER +
    seg(ACK | FIN, dseq=100) + NEXT_TIMER + NEXT_TIMER,
    'tcp_modem_close': handshake() + rx(300) + closed() + NEXT_TIMER +
    seg(ACK, dack=0x41) + seg(ACK | FIN) + tick(70000),
    'tcp_reset': handshake() + rx(100) + closed(reset=True) +
    seg(SYN, k=1) + connected(h=0, err=True) + seg(RST),
    'udp_ping': b'\x0c\x00\x00\x20' + b'\x0d\x00\x40' + b'\x0e\x00\x00\x38' +
    b'\x0f\x00' + b'\x0e\x00\x00\x38' + NEXT_TIMER + b'\x09',
}

if __name__ == '__main__':
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name + '.bin'), 'wb') as f:
            f.write(data)
