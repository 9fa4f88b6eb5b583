#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host tests of modem-sim --model sim7000 and echod (TAP).

Every dialogue of seed 000 (SIM7000 TCP/IP application note, sections
3-8) is replayed byte for byte: the seed's server 116.228.221.51 becomes a
socket of this test on 127.0.0.1, the modem's address 10.78.245.128
becomes --ip 127.0.0.100 (context 2: 127.0.0.101).  Then every quirk
option and every fault, through the control socket and --script.

Run: python3 test_sim7000.py [NAME-SUBSTRING...]
"""
import os
import select
import socket
import subprocess
import sys
import tempfile
import time

from simtest import (IP1, IP2, ECHOD, MODEM_SIM, Echod, Fail, Sim, check,
                     crc32, free_port, recv_exact, run, tcp_listen, test,
                     udp_sock, wait_for)

OK = "\r\nOK\r\n"
CTRLZ = "\x1a"
HOSTS = ("119.75.218.77 www.baidu.com\n"
         "119.75.217.56 www.baidu.com\n"
         "127.0.0.1 www.sim.com echo.test  # comment\n")


def status_lines(mux_links, state="IP PROCESSING", server=None):
    out = OK + "\r\nSTATE: %s\r\n" % state
    if mux_links is None:
        return out
    out += "\r\n"
    if server:
        out += 'S: 0,%d,"%d","LISTENING"\r\n' % server
    for n in range(8):
        if n in mux_links:
            ctx, proto, ip, port, st = mux_links[n]
            out += 'C: %d,%d,"%s","%s","%d","%s"\r\n' % (n, ctx, proto, ip, port, st)
        else:
            out += 'C: %d,,"","","","INITIAL"\r\n' % n
    return out


# ------------------------------------------------------------ CLI / basics

@test
def test_help_and_bad_options():
    h = subprocess.run([MODEM_SIM, "--help"], capture_output=True, text=True)
    check(h.returncode == 0, "--help exit %d" % h.returncode)
    for opt in ("--model", "--tty", "--pty", "--baud", "--rtt", "--bandwidth",
                "--echo", "--compact", "--urc-noise", "--autobaud", "--rdy",
                "--ip", "--ip2", "--hosts", "--control", "--script",
                "--transcript", "--shut-pdp-deact", "--rx-buffer",
                "--cpin-notready", "--prompt-bare", "--echo-data",
                "pdp-deact", "restart", "close N", "refuse", "blackhole",
                "send-fail", "stall", "unstall", "garbage N", "drop", "status",
                "power-down", "power-warn"):
        check(opt in h.stdout, "--help does not document %s" % opt)
    for args, word in ((["--bogus"], "unknown option"),
                       (["--model", "sim9000", "--pty", "/tmp/x"], "unknown model"),
                       (["--model", "sim7000"], "--tty"),
                       (["--model", "sim7000", "--pty", "/tmp/x", "--baud", "fast"], "--baud"),
                       (["--model", "sim7000", "--pty", "/tmp/x", "--echo", "maybe"], "--echo"),
                       (["--model", "sim7000", "--pty", "/tmp/x", "--ip", "1.2.3"], "--ip")):
        r = subprocess.run([MODEM_SIM] + args, capture_output=True, text=True)
        check(r.returncode != 0, "%s: exit 0" % args)
        lines = r.stderr.strip().splitlines()
        check(len(lines) == 1 and word in lines[0],
              "%s: want one error line with '%s', got %r" % (args, word, r.stderr))


@test
def test_basic_commands():
    with Sim() as s:
        s.cmd("AT", OK)
        s.cmd("ATI", "\r\nSIM7000E R1351\r\n" + OK)
        s.cmd("AT+CGMM", "\r\nSIMCOM_SIM7000E\r\n" + OK)
        s.cmd("AT+CGMR", "\r\nRevision:1351B04SIM7000E\r\n" + OK)
        s.cmd("AT+CPIN?", "\r\n+CPIN: READY\r\n" + OK)
        s.cmd("AT+CSQ", "\r\n+CSQ: 20,0\r\n" + OK)
        s.cmd("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
        s.cmd("AT+CGREG?", "\r\n+CGREG: 0,1\r\n" + OK)
        s.cmd("AT+COPS?", '\r\n+COPS: 0,0,"Test Operator",7\r\n' + OK)
        s.cmd("AT+IFC=2,2", OK)
        s.cmd("AT+CSCLK=1", OK)
        s.cmd("AT+CSCLK=0", OK)
        s.cmd("AT+CFUN?", "\r\n+CFUN: 1\r\n" + OK)
        s.cmd("AT+NOSUCH", "\r\nERROR\r\n")
        s.cmd("ATX9", "\r\nERROR\r\n")
        s.cmd("at+csq", "\r\n+CSQ: 20,0\r\n" + OK)
        # Echo: on at power-up, the command bytes as typed; ATE0 stops it.
        s.send("AT\r\n")              # the LF is echoed after the answer
        s.expect("AT\r\r\nOK\r\n\n")
        s.cmd("ATE0", OK)
        s.cmd("AT", OK, echo=False)
        s.cmd("ATE1", OK, echo=False)
        s.cmd("AT", OK)
        # Not a command: ignored, like the modem does.
        s.send("hello\r")
        s.expect("hello\r")
        s.quiet(0.2)


@test
def test_identity_options():
    with Sim("--model-name", "SIMCOM_SIM7000G", "--revision", "Revision:1529B01SIM7000G",
             "--csq", "31", "--operator", "CHINA MOBILE") as s:
        s.cmd("AT+CGMM", "\r\nSIMCOM_SIM7000G\r\n" + OK)
        s.cmd("ATI", "\r\nSIM7000G R1351\r\n" + OK)
        s.cmd("AT+CGMR", "\r\nRevision:1529B01SIM7000G\r\n" + OK)
        s.cmd("AT+CSQ", "\r\n+CSQ: 31,0\r\n" + OK)
        s.cmd("AT+COPS?", '\r\n+COPS: 0,0,"CHINA MOBILE",7\r\n' + OK)


# --------------------------------------------------------- seed section 3

@test
def test_seed_3_1_1_tcp_client():
    srv, port = tcp_listen()
    with Sim() as s:
        s.cmd("AT+CPIN?", "\r\n+CPIN: READY\r\n" + OK)
        s.cmd("AT+CSQ", "\r\n+CSQ: 20,0\r\n" + OK)
        s.cmd("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
        s.bring_up()
        s.cmd('AT+CIPSTART="TCP","127.0.0.1","%d"' % port, OK + "\r\nCONNECT OK\r\n")
        c, peer = srv.accept()
        check(peer[0] == IP1, "link not bound to the context address: %s" % (peer,))
        s.cmd("AT+CIPSEND", "\r\n> ")
        s.send("hello TCP serve" + CTRLZ)
        s.expect("\r\nSEND OK\r\n")
        check(recv_exact(c, 15) == b"hello TCP serve", "server got wrong data")
        c.sendall(b"hello SIM7000")
        s.expect("hello SIM7000")
        c.close()
        s.expect("\r\nCLOSED\r\n")
        s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: TCP CLOSED\r\n")


@test
def test_seed_3_1_2_udp_client():
    u, port = udp_sock()
    with Sim() as s:
        s.cmd("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
        s.bring_up()
        s.cmd('AT+CIPSTART="UDP","127.0.0.1","%d"' % port, OK + "\r\nCONNECT OK\r\n")
        s.cmd("AT+CIPSEND", "\r\n> ")
        s.send("SIM7000 UDP test" + CTRLZ)
        s.expect("\r\nSEND OK\r\n")
        d, peer = u.recvfrom(100)
        check(d == b"SIM7000 UDP test" and peer[0] == IP1, "udp got %r from %s" % (d, peer))
        u.sendto(b"UDP test", peer)
        s.expect("UDP test")
        s.cmd("AT+CIPCLOSE", "\r\nCLOSE OK\r\n")


@test
def test_seed_3_1_3_tcp_server_single():
    port = free_port(addr=IP1)
    with Sim() as s:
        s.cmd("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
        s.cmd("AT+CIPSERVER=1,%d" % port, OK + "\r\nSERVER OK\r\n")
        s.cmd("AT+CIFSR", "\r\n%s\r\n" % IP1)
        s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: SERVER LISTENING\r\n")
        c = socket.socket()
        c.bind(("127.0.0.7", 0))
        c.connect((IP1, port))
        s.expect("\r\nREMOTE IP: 127.0.0.7\r\n")
        c.sendall(b"hello server")
        s.expect("hello server")
        s.cmd("AT+CIPSEND", "\r\n> ")
        s.send("hello client" + CTRLZ)
        s.expect("\r\nSEND OK\r\n")
        check(recv_exact(c, 12) == b"hello client", "client got wrong data")
        s.cmd("AT+CIPSERVER=0", OK + "\r\nSERVER CLOSE\r\n")
        s.cmd("AT+CIPCLOSE", "\r\nCLOSE OK\r\n")
        c.settimeout(3)
        check(c.recv(10) == b"", "client not closed")


@test
def test_seed_3_1_4_udp_extended():
    a, pa = udp_sock()
    b, pb = udp_sock()
    c, pc = udp_sock("127.0.0.9")
    lport = free_port(socket.SOCK_DGRAM, IP1)
    with Sim() as s:
        s.cmd("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
        s.bring_up()
        s.cmd('AT+CLPORT="UDP",%d' % lport, OK)
        s.cmd("AT+CIPSRIP=1", OK)
        s.cmd("AT+CIPUDPMODE=1", OK)
        s.cmd("AT+CIPHEAD=1", OK)
        s.cmd('AT+CIPSTART="UDP","127.0.0.1","%d"' % pa, OK + "\r\nCONNECT OK\r\n")
        s.cmd("AT+CIPUDPMODE?", '\r\n+CIPUDPMODE: 1,"127.0.0.1",%d\r\n' % pa + OK)
        for sock, port, ip, data in ((a, pa, "127.0.0.1", b"test1"),
                                     (b, pb, "127.0.0.1", b"test2"),
                                     (c, pc, "127.0.0.9", b"test3")):
            sock.sendto(data, (IP1, lport))
            s.expect("\r\nRECV FROM:%s:%d\r\n+IPD,5:%s" % (ip, port, data.decode()))
        s.cmd("AT+CIPSEND", "\r\n> ")
        s.send("Hello 9600" + CTRLZ)
        s.expect("\r\nSEND OK\r\n")
        d, peer = a.recvfrom(100)
        check(d == b"Hello 9600" and peer == (IP1, lport), "a got %r from %s" % (d, peer))
        s.cmd('AT+CIPUDPMODE=2,"127.0.0.1",%d' % pb, OK)
        s.cmd("AT+CIPUDPMODE?", '\r\n+CIPUDPMODE: 1,"127.0.0.1",%d\r\n' % pb + OK)
        s.cmd("AT+CIPSEND", "\r\n> ")
        s.send("Hello 4500" + CTRLZ)
        s.expect("\r\nSEND OK\r\n")
        d, peer = b.recvfrom(100)
        check(d == b"Hello 4500", "b got %r" % d)


@test
def test_seed_3_2_transparent():
    srv, port = tcp_listen()
    with Sim() as s:
        s.cmd("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
        s.cmd("AT+CIPMODE=1", OK)
        s.bring_up()
        s.cmd('AT+CIPSTART="TCP","127.0.0.1","8%d"' % 0 if False else
              'AT+CIPSTART="TCP","127.0.0.1","%d"' % port, OK + "\r\nCONNECT\r\n")
        c, _ = srv.accept()
        # Data mode: no echo, bytes go through, AT is payload.
        s.send("AT\rdata+++more")
        check(recv_exact(c, 14) == b"AT\rdata+++more", "payload mangled")
        s.quiet(0.2)
        c.sendall(b"from server")
        s.expect("from server")
        # "+++" needs 1 s of silence before and after.
        time.sleep(1.1)
        t0 = time.monotonic()
        s.send("+++")
        s.expect(OK, timeout=3)
        check(time.monotonic() - t0 >= 0.95, "escape without the after-guard time")
        s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: CONNECT OK\r\n")
        c.sendall(b"SIM7000 channel test")
        time.sleep(0.2)
        s.cmd("ATO", "\r\nCONNECT\r\n" + "SIM7000 channel test")
        s.send("back")
        check(recv_exact(c, 4) == b"back", "no data after ATO")
        c.close()
        s.expect("\r\nCLOSED\r\n")
        s.cmd("AT", OK)
        s.cmd("ATO", "\r\nERROR\r\n")


@test
def test_transparent_plus_without_guard_is_data():
    srv, port = tcp_listen()
    with Sim() as s:
        s.cmd("AT+CIPMODE=1", OK)
        s.bring_up()
        s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % port, OK + "\r\nCONNECT\r\n")
        c, _ = srv.accept()
        time.sleep(1.1)
        s.send("+++")
        time.sleep(0.3)
        s.send("x")      # breaks the after-guard: all four bytes are data
        check(recv_exact(c, 4) == b"+++x", "held '+' not sent as data")
        s.quiet(1.3)
        # esc disabled by AT+CIPCCFG: "+++" is always data.
        time.sleep(1.1)
        s.send("+++")
        s.expect(OK, timeout=3)
        s.cmd("AT+CIPCCFG?", "\r\n+CIPCCFG: 5,2,1024,1,0,1460,50\r\n" + OK)
        s.cmd("AT+CIPCCFG=5,2,1024,0,0,1460,50", OK)
        s.cmd("ATO", "\r\nCONNECT\r\n")
        time.sleep(1.1)
        s.send("+++")
        check(recv_exact(c, 3) == b"+++", "+++ not data with esc=0")
        s.quiet(1.3)


@test
def test_seed_3_3_clport_tcp():
    srv, port = tcp_listen()
    lport = free_port(addr=IP1)
    with Sim() as s:
        s.bring_up()
        s.cmd('AT+CLPORT="TCP",%d' % lport, OK)
        s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % port, OK + "\r\nCONNECT OK\r\n")
        c, peer = srv.accept()
        check(peer == (IP1, lport), "peer %s, want %s:%d" % (peer, IP1, lport))
        s.cmd('AT+CLPORT?', '\r\n+CLPORT: "TCP",%d\r\n\r\n+CLPORT: "UDP",0\r\n' % lport + OK)


# --------------------------------------------------------- seed section 4

@test
def test_seed_4_1_multi_client():
    srv, port = tcp_listen()
    u, uport = udp_sock()
    with Sim() as s:
        s.cmd("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
        s.bring_up(mux=True)
        s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1","%d"' % port, OK + "\r\n0, CONNECT OK\r\n")
        c, _ = srv.accept()
        s.cmd('AT+CIPSTART=1,"UDP","127.0.0.1","%d"' % uport, OK + "\r\n1, CONNECT OK\r\n")
        s.cmd("AT+CIPSEND=0", "\r\n> ")
        s.send("TCP test" + CTRLZ)
        s.expect("\r\n0, SEND OK\r\n")
        s.cmd("AT+CIPSEND=1", "\r\n> ")
        s.send("UDP test" + CTRLZ)
        s.expect("\r\n1, SEND OK\r\n")
        check(recv_exact(c, 8) == b"TCP test", "tcp data")
        d, upeer = u.recvfrom(100)
        check(d == b"UDP test", "udp data")
        c.sendall(b"SIM7000 TCP test\n")
        s.expect("\r\n+RECEIVE,0,17:\r\nSIM7000 TCP test\n")
        u.sendto(b"SIM7000 UDP test\n", upeer)
        s.expect("\r\n+RECEIVE,1,17:\r\nSIM7000 UDP test\n")
        c.close()
        s.expect("\r\n0, CLOSED\r\n")
        s.cmd("AT+CIPSTATUS", status_lines({
            0: (0, "TCP", "127.0.0.1", port, "CLOSED"),
            1: (0, "UDP", "127.0.0.1", uport, "CONNECTED")}))
        s.cmd("AT+CIPSTATUS=1", '\r\n+CIPSTATUS: 1,0,"UDP","127.0.0.1","%d","CONNECTED"\r\n' % uport + OK)


@test
def test_seed_4_2_multi_server():
    port = free_port(addr=IP1)
    srv, sport = tcp_listen()
    u, uport = udp_sock()
    with Sim() as s:
        s.cmd("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
        s.bring_up(mux=True)
        s.cmd("AT+CIPSERVER=1,%d" % port, OK + "\r\nSERVER OK\r\n")
        cl = socket.create_connection((IP1, port), 5)
        cport = cl.getsockname()[1]
        s.expect("\r\n0, REMOTE IP: 127.0.0.1\r\n")
        msg = b"SIM7000 multi connection TCP server test"[:39]
        cl.sendall(msg)
        s.expect(b"\r\n+RECEIVE,0,39:\r\n" + msg)
        s.cmd("AT+CIPSEND=0", "\r\n> ")
        s.send("hello client" + CTRLZ)
        s.expect("\r\n0, SEND OK\r\n")
        check(recv_exact(cl, 12) == b"hello client", "client data")
        s.cmd('AT+CIPSTART=1,"TCP","127.0.0.1","%d"' % sport, OK + "\r\n1, CONNECT OK\r\n")
        c1, _ = srv.accept()
        s.cmd('AT+CIPSTART=2,"UDP","127.0.0.1","%d"' % uport, OK + "\r\n2, CONNECT OK\r\n")
        s.cmd("AT+CIPSEND=1", "\r\n> ")
        s.send("data from connection 1" + CTRLZ)
        s.expect("\r\n1, SEND OK\r\n")
        check(recv_exact(c1, 22) == b"data from connection 1", "link 1 data")
        c1.sendall(b"data to connection 1")
        s.expect("\r\n+RECEIVE,1,20:\r\ndata to connection 1")
        s.cmd("AT+CIPCLOSE=2", "\r\n2, CLOSE OK\r\n")
        s.cmd("AT+CIPSTATUS", status_lines({
            0: (0, "TCP", "127.0.0.1", cport, "CONNECTED"),
            1: (0, "TCP", "127.0.0.1", sport, "CONNECTED"),
            2: (0, "UDP", "127.0.0.1", uport, "CLOSED")}, server=(0, port)))
        s.cmd("AT+CIPSERVER=0", OK + "\r\nSERVER CLOSE\r\n")
        s.cmd("AT+CIPSHUT", "\r\nSHUT OK\r\n")
        s.cmd("AT+CIPSTATUS", status_lines({}, "IP INITIAL"))


@test
def test_server_slots_seven_clients():
    port = free_port(addr=IP1)
    with Sim() as s:
        s.bring_up(mux=True)
        s.cmd("AT+CIPSERVER=1,%d" % port, OK + "\r\nSERVER OK\r\n")
        cs = []
        for n in range(7):
            cs.append(socket.create_connection((IP1, port), 5))
            s.expect("\r\n%d, REMOTE IP: 127.0.0.1\r\n" % n)
        extra = socket.create_connection((IP1, port), 5)
        extra.settimeout(3)
        check(extra.recv(10) == b"", "8th client was not rejected")
        s.quiet(0.2)
        cs[3].close()
        s.expect("\r\n3, CLOSED\r\n")
        cs.append(socket.create_connection((IP1, port), 5))
        s.expect("\r\n3, REMOTE IP: 127.0.0.1\r\n")


# --------------------------------------------------------- seed section 5

@test
def test_seed_5_two_pdp_contexts():
    srv, port = tcp_listen("0.0.0.0")
    with Sim() as s:
        s.cmd("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
        s.bring_up(mux=True)
        s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % port, OK + "\r\n0, CONNECT OK\r\n")
        c0, p0 = srv.accept()
        s.cmd("AT+CIPSGTXT=1", OK)
        s.cmd('AT+CSTT="CMWAP"', OK)
        s.cmd("AT+CIICR", OK)
        s.cmd("AT+CIFSR", "\r\n%s\r\n" % IP2)
        s.cmd('AT+CIPSTART=1,"TCP","127.0.0.1",%d' % port, OK + "\r\n1, CONNECT OK\r\n")
        c1, p1 = srv.accept()
        check(p0[0] == IP1 and p1[0] == IP2,
              "links do not use their bearer's address: %s %s" % (p0, p1))
        c0.sendall(b"Hello world 000")
        s.expect("\r\n+RECEIVE,0,15:\r\nHello world 000")
        c1.sendall(b"Hello world 111")
        s.expect("\r\n+RECEIVE,1,15:\r\nHello world 111")
        s.cmd("AT+CIPSEND=0", "\r\n> ")
        s.send("test 0" + CTRLZ)
        s.expect("\r\n0, SEND OK\r\n")
        s.cmd("AT+CIPSEND=1", "\r\n> ")
        s.send("test 2" + CTRLZ)
        s.expect("\r\n1, SEND OK\r\n")
        check(recv_exact(c0, 6) == b"test 0" and recv_exact(c1, 6) == b"test 2", "data")
        s.cmd("AT+CIPCLOSE=0", "\r\n0, CLOSE OK\r\n")
        s.cmd("AT+CIPSTATUS", status_lines({
            0: (0, "TCP", "127.0.0.1", port, "CLOSED"),
            1: (1, "TCP", "127.0.0.1", port, "CONNECTED")}))
        s.cmd("AT+CIPSGTXT?", "\r\n+CIPSGTXT: 1\r\n" + OK)
        s.cmd("AT+CIPSHUT", "\r\nSHUT OK\r\n")
        c1.settimeout(3)
        check(c1.recv(10) == b"", "context 2 link survived CIPSHUT")
        s.cmd("AT+CIPSGTXT=0", OK)
        s.cmd("AT+CIPSTATUS", status_lines({
            0: (0, "TCP", "127.0.0.1", port, "CLOSED")}))
        s.cmd("AT+CIPSHUT", "\r\nSHUT OK\r\n")
        s.cmd("AT+CIPSTATUS", status_lines({}, "IP INITIAL"))


# --------------------------------------------------------- seed section 6

@test
def test_seed_6_dns():
    srv, port = tcp_listen()
    with Sim(hosts=HOSTS) as s:
        s.cmd("AT+CDNSGIP=www.baidu.com", "\r\nERROR\r\n")   # no PDP yet
        s.cmd("AT+CGATT?", "\r\n+CGATT: 1\r\n" + OK)
        s.bring_up()
        s.cmd("AT+CDNSGIP=www.baidu.com", OK +
              '\r\n+CDNSGIP: 1,"www.baidu.com","119.75.218.77","119.75.217.56"\r\n')
        s.cmd('AT+CDNSGIP="abctest"', OK + "\r\n+CDNSGIP: 0,8\r\n")
        s.cmd('AT+CIPSTART="TCP","WWW.SIM.COM",%d' % port, OK + "\r\nCONNECT OK\r\n")
        c, _ = srv.accept()
        s.cmd("AT+CIPSEND", "\r\n> ")
        s.send("DNS test" + CTRLZ)
        s.expect("\r\nSEND OK\r\n")
        check(recv_exact(c, 8) == b"DNS test", "data")
        s.cmd("AT+CIPCLOSE", "\r\nCLOSE OK\r\n")
        s.cmd('AT+CIPSTART="TCP","nosuch.example",%d' % port, OK + "\r\nCONNECT FAIL\r\n")


# --------------------------------------------------------- seed section 7

@test
def test_seed_7_1_fixed_length():
    e = Echod()
    try:
        with Sim() as s:
            s.bring_up()
            s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % e.tcp, OK + "\r\nCONNECT OK\r\n")
            s.cmd("AT+CIPSEND=5", "\r\n> ")
            s.send("a\x1ab\rc")          # binary: Ctrl-Z and CR are data
            s.expect("\r\nSEND OK\r\n")
            s.expect("a\x1ab\rc")
        with Sim() as s:
            s.bring_up(mux=True)
            s.cmd('AT+CIPSTART=3,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n3, CONNECT OK\r\n")
            s.cmd("AT+CIPSEND=3,4", "\r\n> ")
            s.send(b"\x1b\x1a\x00\xff")
            s.expect("\r\n3, SEND OK\r\n")
            s.expect(b"\r\n+RECEIVE,3,4:\r\n\x1b\x1a\x00\xff")
            s.cmd("AT+CIPSEND=4,4", "\r\nERROR\r\n")   # link 4 not connected
            s.cmd("AT+CIPSEND=3,0", "\r\nERROR\r\n")
    finally:
        e.close()


@test
def test_seed_7_3_max_length():
    e = Echod()
    try:
        with Sim() as s:
            s.bring_up()
            s.cmd("AT+CIPSEND?", "\r\n+CIPSEND: 0\r\n" + OK)
            s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % e.tcp, OK + "\r\nCONNECT OK\r\n")
            s.cmd("AT+CIPSEND?", "\r\n+CIPSEND: 1460\r\n" + OK)
            s.cmd("AT+CIPSEND=1461", "\r\nERROR\r\n")
            s.cmd("AT+CIPSEND", "\r\n> ")
            s.send("1" * 1461)
            s.expect("\r\nERROR\r\n")
            s.cmd("AT", OK)
            s.cmd("AT+CIPSEND=1460", "\r\n> ")
            s.send("2" * 1460)
            s.expect("\r\nSEND OK\r\n")
            s.expect("2" * 1460)
    finally:
        e.close()


@test
def test_seed_7_4_quick_send():
    e = Echod()
    try:
        with Sim() as s:
            s.bring_up()
            s.cmd("AT+CIPQSEND=1", OK)
            s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % e.tcp, OK + "\r\nCONNECT OK\r\n")
            s.cmd("AT+CIPSEND", "\r\n> ")
            s.send("hello" + CTRLZ)
            s.expect("\r\nDATA ACCEPT:5\r\n")
            s.expect("hello")
        with Sim() as s:
            s.bring_up(mux=True)
            s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n0, CONNECT OK\r\n")
            s.cmd("AT+CIPQSEND=1", OK)
            s.cmd("AT+CIPQSEND?", "\r\n+CIPQSEND: 1\r\n" + OK)
            s.cmd("AT+CIPSEND=0", "\r\n> ")
            s.send("1234567890" + CTRLZ)
            s.expect("\r\nDATA ACCEPT:0,10\r\n")
    finally:
        e.close()


def wait_ack(s, cmd, answer, echo=True):
    def ok():
        s.send(cmd + "\r")
        got = s.expect_re(rb".*?\r\nOK\r\n", 3).group(0)
        return got == ((cmd + "\r" if echo else "") + answer).encode()
    wait_for(ok, 3, "%s -> %r" % (cmd, answer))


@test
def test_seed_7_5_cipack():
    e = Echod()
    srv, port = tcp_listen()
    try:
        with Sim("--rtt", "200") as s:
            s.bring_up()
            s.cmd("AT+CIPQSEND=1", OK)
            s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % port, OK + "\r\nCONNECT OK\r\n")
            c, _ = srv.accept()
            s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: CONNECT OK\r\n")
            s.cmd("AT+CIPSEND", "\r\n> ")
            s.send("012345678912" + CTRLZ)
            s.expect("\r\nDATA ACCEPT:12\r\n")
            # Right after: sent, not yet acknowledged (rtt 200 ms).
            s.cmd("AT+CIPACK", "\r\n+CIPACK: 12,0,12\r\n" + OK)
            wait_ack(s, "AT+CIPACK", "\r\n+CIPACK: 12,12,0\r\n" + OK)
            check(recv_exact(c, 12) == b"012345678912", "data")
        u, uport = udp_sock()
        with Sim() as s:
            s.bring_up(mux=True)
            s.cmd('AT+CIPSTART=1,"TCP","127.0.0.1","%d"' % e.tcp, OK + "\r\n1, CONNECT OK\r\n")
            s.cmd('AT+CIPSTART=2,"UDP","127.0.0.1","%d"' % uport, OK + "\r\n2, CONNECT OK\r\n")
            s.cmd("AT+CIPSTATUS", status_lines({
                1: (0, "TCP", "127.0.0.1", e.tcp, "CONNECTED"),
                2: (0, "UDP", "127.0.0.1", uport, "CONNECTED")}))
            s.cmd("AT+CIPQSEND=1", OK)
            s.cmd("AT+CIPSEND=1", "\r\n> ")
            s.send("TCP" + CTRLZ)
            s.expect("\r\nDATA ACCEPT:1,3\r\n")
            s.expect("\r\n+RECEIVE,1,3:\r\nTCP")
            s.cmd("AT+CIPACK=1", "\r\n+CIPACK: 3,3,0\r\n" + OK)
            s.cmd("AT+CIPSEND=1", "\r\n> ")
            s.send("TCP again" + CTRLZ)
            s.expect("\r\nDATA ACCEPT:1,9\r\n")
            s.expect("\r\n+RECEIVE,1,9:\r\nTCP again")
            s.cmd("AT+CIPACK=1", "\r\n+CIPACK: 12,12,0\r\n" + OK)
            s.cmd("AT+CIPSEND=2", "\r\n> ")
            s.send("UDP" + CTRLZ)
            s.expect("\r\nDATA ACCEPT:2,3\r\n")
            check(u.recvfrom(10)[0] == b"UDP", "udp data")
            s.cmd("AT+CIPACK=2", "\r\n+CIPACK: 3,0,3\r\n" + OK)
            s.cmd("AT+CIPACK=5", "\r\nERROR\r\n")
    finally:
        e.close()


# --------------------------------------------------------- seed section 8

@test
def test_seed_8_1_receive_headers():
    srv, port = tcp_listen()
    with Sim() as s:
        s.bring_up()
        s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % port, OK + "\r\nCONNECT OK\r\n")
        c, _ = srv.accept()
        s.cmd("AT+CIPHEAD=1", OK)
        c.sendall(b"hello")
        s.expect("\r\n+IPD,5:hello")
        s.cmd("AT+CIPSHOWTP=1", OK)
        c.sendall(b"hello")
        s.expect("\r\n+IPD,5,TCP:hello")
        s.cmd("AT+CIPSRIP=1", OK)
        c.sendall(b"hello")
        s.expect("\r\nRECV FROM:127.0.0.1:%d\r\n+IPD,5,TCP:hello" % port)
        s.cmd("AT+CIPHEAD=0", OK)
        c.sendall(b"hello")
        s.expect("\r\nRECV FROM:127.0.0.1:%d\r\nhello" % port)
        s.cmd("AT+CIPHEAD?", "\r\n+CIPHEAD: 0\r\n" + OK)
        s.cmd("AT+CIPSRIP?", "\r\n+CIPSRIP: 1\r\n" + OK)
    srv2, port2 = tcp_listen()
    with Sim() as s:
        s.bring_up(mux=True)
        s.cmd("AT+CIPSRIP=1", OK)
        s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % port2, OK + "\r\n0, CONNECT OK\r\n")
        c, _ = srv2.accept()
        c.sendall(b"hello")
        s.expect("\r\n+RECEIVE,0,5,127.0.0.1:%d:\r\nhello" % port2)


@test
def test_seed_8_2_manual_receive():
    srv, port = tcp_listen()
    with Sim() as s:
        s.bring_up()
        s.cmd("AT+CIPRXGET=1", OK)
        s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % port, OK + "\r\nCONNECT OK\r\n")
        c, _ = srv.accept()
        c.sendall(b"HELLO WORLD")
        s.expect("\r\n+CIPRXGET: 1\r\n")
        s.cmd("AT+CIPRXGET=2,1460", "\r\n+CIPRXGET: 2,11,0\r\nHELLO WORLD" + OK)
        c.sendall(b"HELLO WORLD")
        s.expect("\r\n+CIPRXGET: 1\r\n")
        s.cmd("AT+CIPRXGET=3,730", "\r\n+CIPRXGET: 3,11,0\r\n48454C4C4F20574F524C44" + OK)
        s.cmd("AT+CIPRXGET=3,731", "\r\nERROR\r\n")
        s.cmd("AT+CIPRXGET=2,1461", "\r\nERROR\r\n")
        s.cmd("AT+CIPRXGET?", "\r\n+CIPRXGET: 1\r\n" + OK)


@test
def test_manual_receive_multi_and_close():
    srv, port = tcp_listen()
    with Sim() as s:
        s.bring_up(mux=True)
        s.cmd("AT+CIPRXGET=1", OK)
        s.cmd('AT+CIPSTART=2,"TCP","127.0.0.1",%d' % port, OK + "\r\n2, CONNECT OK\r\n")
        c, _ = srv.accept()
        c.sendall(b"0123456789")
        s.expect("\r\n+CIPRXGET: 1,2\r\n")
        c.sendall(b"abcdef")          # buffer not empty: no second URC
        wait_ack(s, "AT+CIPRXGET=4,2", "\r\n+CIPRXGET: 4,2,16\r\n" + OK)
        s.cmd("AT+CIPRXGET=2,2,4", "\r\n+CIPRXGET: 2,2,4,12\r\n0123" + OK)
        s.cmd("AT+CIPRXGET=3,2,2", "\r\n+CIPRXGET: 3,2,2,10\r\n3435" + OK)
        c.close()                     # close reported only once drained
        s.quiet(0.3)
        s.cmd("AT+CIPRXGET=2,2,100", "\r\n+CIPRXGET: 2,2,10,0\r\n6789abcdef" + OK +
              "\r\n2, CLOSED\r\n")
        s.cmd("AT+CIPRXGET=2,2,100", "\r\nERROR\r\n")


# ---------------------------------------------------- state machine, misc

@test
def test_ip_state_machine():
    with Sim() as s:
        st = lambda name: s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: %s\r\n" % name)
        st("IP INITIAL")
        s.cmd("AT+CIICR", "\r\nERROR\r\n")
        s.cmd("AT+CIFSR", "\r\nERROR\r\n")
        s.cmd('AT+CSTT="CMNET","user","pwd"', OK)
        st("IP START")
        s.cmd("AT+CSTT?", '\r\n+CSTT: "CMNET","user","pwd"\r\n' + OK)
        s.cmd('AT+CSTT="CMNET"', "\r\nERROR\r\n")
        s.cmd("AT+CIPMUX=1", "\r\nERROR\r\n")
        s.cmd("AT+CIFSR", "\r\nERROR\r\n")
        s.cmd("AT+CIICR", OK)
        st("IP GPRSACT")
        s.cmd("AT+CIICR", "\r\nERROR\r\n")
        s.cmd("AT+CIFSR", "\r\n%s\r\n" % IP1)
        st("IP STATUS")
        s.cmd("AT+CIPSHUT", "\r\nSHUT OK\r\n")
        st("IP INITIAL")
        s.cmd('AT+CSTT="%s"' % ("x" * 51), "\r\nERROR\r\n")
        s.cmd("AT+CIPSGTXT=1", "\r\nERROR\r\n")     # single-link
        s.cmd("AT+CIPMUX=1", OK)
        s.cmd("AT+CIPMUX?", "\r\n+CIPMUX: 1\r\n" + OK)
        s.cmd("AT+CIPMODE=1", "\r\nERROR\r\n")      # multi-link
        s.cmd("AT+CIPSTATUS", status_lines({}, "IP INITIAL"))
        s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",1', "\r\nERROR\r\n")


@test
def test_cipstart_forms_and_failures():
    e = Echod()
    closed = free_port()
    try:
        with Sim() as s:
            s.bring_up(mux=True)
            s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n0, CONNECT OK\r\n")
            s.cmd('AT+CIPSTART=1,"TCP","127.0.0.1","%d"' % e.tcp, OK + "\r\n1, CONNECT OK\r\n")
            s.cmd('AT+CIPSTART=1,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n1, ALREADY CONNECT\r\n")
            s.cmd('AT+CIPSTART=2,"TCP","127.0.0.1",%d' % closed, OK + "\r\n2, CONNECT FAIL\r\n")
            s.cmd('AT+CIPSTART=8,"TCP","127.0.0.1",%d' % e.tcp, "\r\nERROR\r\n")
            s.cmd('AT+CIPSTART=3,"SCTP","127.0.0.1",%d' % e.tcp, "\r\nERROR\r\n")
            s.cmd('AT+CIPSTART=3,"TCP","127.0.0.1",70000', "\r\nERROR\r\n")
            s.cmd("AT+CIPCLOSE=0", "\r\n0, CLOSE OK\r\n")
            s.cmd("AT+CIPCLOSE=0", "\r\nERROR\r\n")
            s.cmd('AT+CIPSTART=0,"UDP","127.0.0.1",%d' % e.udp, OK + "\r\n0, CONNECT OK\r\n")
            s.cmd("AT+CIPSEND=0,3", "\r\n> ")
            s.send("udp")
            s.expect("\r\n0, SEND OK\r\n")
            s.expect("\r\n+RECEIVE,0,3:\r\nudp")
        with Sim() as s:   # single-link, straight from IP INITIAL
            s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % e.tcp, OK + "\r\nCONNECT OK\r\n")
            s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % e.tcp, OK + "\r\nALREADY CONNECT\r\n")
            s.cmd("AT+CIPSEND", "\r\n> ")
            s.send("abc\x1b")               # ESC: cancelled, nothing sent
            s.quiet(0.3)
            s.cmd("AT+CIPACK", "\r\n+CIPACK: 0,0,0\r\n" + OK)
            s.cmd("AT+CIPCLOSE=1", "\r\nCLOSE OK\r\n")
            s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % closed, OK + "\r\nCONNECT FAIL\r\n")
    finally:
        e.close()


@test
def test_cfun_restart():
    e = Echod()
    try:
        with Sim() as s:
            s.bring_up(mux=True)
            s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n0, CONNECT OK\r\n")
            s.cmd("ATE0", OK)
            s.cmd("AT+CFUN=1,1", OK, echo=False)
            s.expect("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n", 2)
            s.expect("\r\nSMS Ready\r\n", 2)
            # Power-up defaults again: echo on, single-link, IP INITIAL.
            s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: IP INITIAL\r\n")
            s.cmd("AT+CIPMUX?", "\r\n+CIPMUX: 0\r\n" + OK)
    finally:
        e.close()


@test
def test_cipping():
    with Sim("--rtt", "100", hosts=HOSTS) as s:
        s.cmd('AT+CIPPING="127.0.0.1"', "\r\nERROR\r\n")   # no PDP
        s.bring_up()
        s.send('AT+CIPPING="127.0.0.1"\r')
        s.expect('AT+CIPPING="127.0.0.1"\r')
        for i in range(1, 5):
            s.expect('\r\n+CIPPING: %d,"127.0.0.1",1,64\r\n' % i)
        s.expect(OK)
        s.cmd('AT+CIPPING="www.baidu.com",2,32,100,50',
              '\r\n+CIPPING: 1,"119.75.218.77",1,50\r\n'
              '\r\n+CIPPING: 2,"119.75.218.77",1,50\r\n' + OK)
        t0 = time.monotonic()
        s.cmd('AT+CIPPING="198.51.100.1",2,32,3',
              '\r\n+CIPPING: 1,"198.51.100.1",600,255\r\n'
              '\r\n+CIPPING: 2,"198.51.100.1",600,255\r\n' + OK)
        check(time.monotonic() - t0 >= 0.55, "timeout not waited")


# ------------------------------------------------------------------ quirks

@test
def test_quirk_echo_off_and_compact():
    e = Echod()
    try:
        with Sim("--echo", "off", "--compact") as s:
            s.cmd("AT", OK, echo=False)
            s.bring_up(mux=True, echo=False)
            s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n0,CONNECT OK\r\n", echo=False)
            s.cmd("AT+CIPSEND=0,2", "\r\n> ", echo=False)
            s.send("hi")
            s.expect("\r\n0,SEND OK\r\n")
            s.expect("\r\n+RECEIVE,0,2:\r\nhi")
            s.cmd("AT+CIPCLOSE=0", "\r\n0,CLOSE OK\r\n", echo=False)
    finally:
        e.close()


@test
def test_quirk_urc_noise():
    e = Echod()
    srv, port = tcp_listen()
    try:
        with Sim("--urc-noise") as s:
            noise = '\r\nDST: 0\r\n\r\n*PSUTTZ: 24/01/01,12:00:00","+32",0\r\n'
            s.cmd("AT+CIPMUX=1", OK)
            s.cmd('AT+CSTT="CMNET"', OK)
            s.cmd("AT+CIICR", noise + OK)
            s.cmd("AT+CIFSR", "\r\n%s\r\n" % IP1)
            # +RECEIVE shows up right before the next "> " prompt.
            s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n0, CONNECT OK\r\n")
            s.cmd("AT+CIPSEND=0,3", "\r\n> ")
            s.send("one")
            s.expect("\r\n0, SEND OK\r\n")
            time.sleep(0.2)
            s.cmd("AT+CIPSEND=0,3", "\r\n+RECEIVE,0,3:\r\none\r\n> ")
            s.send("two")
            s.expect("\r\n0, SEND OK\r\n")
            s.expect("\r\n+RECEIVE,0,3:\r\ntwo", 2)   # held at most 1 s
            # Extra +CIPRXGET: 1,n before the answer to CIPRXGET=4.
            s.cmd("AT+CIPRXGET=1", OK)
            s.cmd('AT+CIPSTART=1,"TCP","127.0.0.1",%d' % port, OK + "\r\n1, CONNECT OK\r\n")
            c, _ = srv.accept()
            c.sendall(b"xyz")
            s.expect("\r\n+CIPRXGET: 1,1\r\n")
            s.cmd("AT+CIPRXGET=4,1", "\r\n+CIPRXGET: 1,1\r\n\r\n+CIPRXGET: 4,1,3\r\n" + OK)
            s.cmd("AT+CIPSHUT", noise + "\r\nSHUT OK\r\n")
    finally:
        e.close()


@test
def test_quirk_shut_pdp_deact():
    with Sim("--shut-pdp-deact") as s:
        s.bring_up()
        s.cmd("AT+CIPSHUT", "\r\n+PDP: DEACT\r\n")
        s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: IP INITIAL\r\n")


@test
def test_quirk_autobaud_rdy():
    with Sim("--rdy") as s:
        s.expect("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n")
        s.expect("\r\nSMS Ready\r\n")
        s.cmd("AT", OK)
    with Sim("--rdy", "--autobaud", "3") as s:
        s.quiet(0.5)                  # no RDY while autobauding
        for _ in range(3):
            s.send("AT\r")
            s.quiet(0.15)             # not even echo
        s.cmd("AT", OK)
        check(s.status()["autobaud_left"] == "0", "autobaud not done")


@test
def test_quirk_cpin_notready_prompt_bare_echo_data():
    e = Echod()
    try:
        with Sim("--cpin-notready", "--prompt-bare", "--echo-data") as s:
            s.bring_up()
            s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % e.tcp, OK + "\r\nCONNECT OK\r\n")
            s.cmd("AT+CIPSEND=3", "> ")
            s.send("abc")
            s.expect("abc\r\nSEND OK\r\n")
            s.expect("abc")
            s.ctl("restart")
            s.expect("\r\n+CPIN: NOT READY\r\n")
            s.expect("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS Ready\r\n", 2)
    finally:
        e.close()


@test
def test_quirk_baud_pacing():
    with Sim("--baud", "9600") as s:
        s.bring_up(mux=True)
        t0 = time.monotonic()
        exp = status_lines({}, "IP STATUS")
        s.cmd("AT+CIPSTATUS", exp)
        dt = time.monotonic() - t0
        nbytes = len("AT+CIPSTATUS\r") * 2 + len(exp)
        want = nbytes * 10 / 9600
        check(want * 0.9 <= dt <= want * 4 + 3,
              "%d bytes at 9600 took %.3fs, want ~%.3fs" % (nbytes, dt, want))


@test
def test_quirk_baud_input_pacing():
    e = Echod()
    try:
        with Sim("--baud", "19200", "--echo", "off") as s:
            s.bring_up(mux=True, echo=False)
            s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n0, CONNECT OK\r\n", echo=False)
            s.cmd("AT+CIPSEND=0,960", "\r\n> ", echo=False)
            t0 = time.monotonic()
            s.send("p" * 960)             # the pty takes it at once ...
            s.expect("\r\n0, SEND OK\r\n", 3)
            dt = time.monotonic() - t0    # ... the modem at 1920 bytes/s
            check(0.45 <= dt <= 5, "960 bytes in at 19200 took %.3fs, want ~0.5" % dt)
    finally:
        e.close()


@test
def test_quirk_rtt_bandwidth():
    e = Echod()
    try:
        with Sim("--rtt", "400", "--bandwidth", "80000") as s:
            s.bring_up(mux=True)
            t0 = time.monotonic()
            s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n0, CONNECT OK\r\n")
            dt = time.monotonic() - t0
            check(0.38 <= dt <= 5, "connect took %.3fs with rtt 400" % dt)
            t0 = time.monotonic()
            s.cmd("AT+CIPSEND=0,1000", "\r\n> ")
            s.send("z" * 1000)
            s.expect("\r\n0, SEND OK\r\n")
            dt = time.monotonic() - t0
            # 1000 bytes at 80 kbit/s = 100 ms, then rtt/2 + rtt/2.
            check(0.48 <= dt <= 5, "SEND OK after %.3fs, want ~0.5" % dt)
            s.expect("\r\n+RECEIVE,0,1000:\r\n" + "z" * 1000, 3)
            dt = time.monotonic() - t0
            # up 100 + 200 ms, down 100 + 200 ms
            check(dt >= 0.58, "echo back after %.3fs, want >= 0.6" % dt)
    finally:
        e.close()


@test
def test_backpressure_and_bulk_receive():
    e = Echod()
    try:
        with Sim("--rx-buffer", "4096") as s:
            s.bring_up(mux=True)
            s.cmd("AT+CIPRXGET=1", OK)
            s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % e.source, OK + "\r\n0, CONNECT OK\r\n")
            s.expect("\r\n+CIPRXGET: 1,0\r\n")
            wait_for(lambda: "rx=4096" in s.status().get("link0", ""), 3,
                     "buffer to fill to 4096")
            st = s.status()["link0"]
            check("reading=0" in st, "socket still read with a full buffer: " + st)
            data = b""
            while len(data) < e.source_n:
                s.send("AT+CIPRXGET=2,0,1460\r")
                m = s.expect_re(rb"AT\+CIPRXGET=2,0,1460\r\r\n\+CIPRXGET: 2,0,(\d+),(\d+)\r\n", 5)
                got = int(m.group(1))
                data += s.read_n(got)
                s.expect(OK)
                if got == 0:
                    time.sleep(0.01)
            s.expect("\r\n0, CLOSED\r\n")
            want = bytes(i % 251 for i in range(e.source_n))
            check(data == want, "bulk data corrupted (%d bytes)" % len(data))
    finally:
        e.close()


@test
def test_bulk_auto_receive():
    e = Echod()
    try:
        with Sim("--echo", "off") as s:
            s.bring_up(mux=True, echo=False)
            s.cmd('AT+CIPSTART=1,"TCP","127.0.0.1",%d' % e.source, OK + "\r\n1, CONNECT OK\r\n", echo=False)
            data = b""
            while len(data) < e.source_n:
                m = s.expect_re(rb"\r\n\+RECEIVE,1,(\d+):\r\n", 5)
                n = int(m.group(1))
                check(0 < n <= 1460, "+RECEIVE of %d bytes" % n)
                data += s.read_n(n)
            s.expect("\r\n1, CLOSED\r\n")
            check(data == bytes(i % 251 for i in range(e.source_n)), "bulk data corrupted")
    finally:
        e.close()


@test
def test_bulk_send_to_sink():
    e = Echod()
    try:
        with Sim() as s:
            s.bring_up(mux=True)
            s.cmd("ATE0", OK)
            s.cmd("AT+CIPQSEND=1", OK, echo=False)
            s.cmd('AT+CIPSTART=5,"TCP","127.0.0.1",%d' % e.sink, OK + "\r\n5, CONNECT OK\r\n", echo=False)
            blob = bytes((i * 7 + 3) % 256 for i in range(20 * 1460))
            for k in range(20):
                s.cmd("AT+CIPSEND=5,1460", "\r\n> ", echo=False)
                s.send(blob[k * 1460:(k + 1) * 1460])
                s.expect("\r\nDATA ACCEPT:5,1460\r\n")
            wait_ack(s, "AT+CIPACK=5", "\r\n+CIPACK: 29200,29200,0\r\n" + OK, echo=False)
            s.cmd("AT+CIPCLOSE=5", "\r\n5, CLOSE OK\r\n", echo=False)
            line = wait_for(lambda: [x for x in e.log_lines() if x.startswith("sink")], 3, "sink log")
            check(line[0].endswith("bytes 29200 crc32 %08x" % crc32(blob)),
                  "sink: %s" % line[0])
            check(" from %s:" % IP1 in line[0], "sink peer: %s" % line[0])
    finally:
        e.close()


# ------------------------------------------------------------------ faults

def up_multi_link(s, port):
    s.bring_up(mux=True)
    s.cmd('AT+CIPSTART=0,"TCP","127.0.0.1",%d' % port, OK + "\r\n0, CONNECT OK\r\n")


@test
def test_fault_pdp_deact():
    e = Echod()
    try:
        with Sim() as s:
            up_multi_link(s, e.tcp)
            s.ctl("pdp-deact")
            s.expect("\r\n+PDP: DEACT\r\n")
            s.cmd("AT+CIPSTATUS", status_lines({0: (0, "TCP", "127.0.0.1", e.tcp, "CLOSED")}, "PDP DEACT"))
            s.cmd('AT+CSTT="CMNET"', "\r\nERROR\r\n")
            s.cmd('AT+CIPSTART=1,"TCP","127.0.0.1",%d' % e.tcp, "\r\nERROR\r\n")
            s.cmd("AT+CIPSHUT", "\r\nSHUT OK\r\n")
            s.bring_up(mux=False)
            check("error: pdp-deact" in s.ctl("pdp-deact 7", expect_ok=False), "bad ctx accepted")
    finally:
        e.close()


@test
def test_fault_restart_close_refuse_blackhole_sendfail():
    e = Echod()
    try:
        with Sim() as s:
            up_multi_link(s, e.tcp)
            s.ctl("close 0")
            s.expect("\r\n0, CLOSED\r\n")
            check("error:" in s.ctl("close 0", expect_ok=False), "close of closed link accepted")
            s.ctl("refuse")
            s.cmd('AT+CIPSTART=1,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n1, CONNECT FAIL\r\n")
            s.ctl("blackhole")
            s.cmd('AT+CIPSTART=2,"TCP","127.0.0.1",%d' % e.tcp, OK)
            s.quiet(0.5)
            check(s.status()["link2"].startswith("CONNECTING"), "not connecting")
            s.cmd("AT+CIPCLOSE=2", "\r\n2, CLOSE OK\r\n")
            s.cmd('AT+CIPSTART=2,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n2, CONNECT OK\r\n")
            s.ctl("send-fail")
            s.cmd("AT+CIPSEND=2,3", "\r\n> ")
            s.send("abc")
            s.expect("\r\n2, SEND FAIL\r\n")
            s.cmd("AT+CIPSEND=2,3", "\r\n> ")
            s.send("abc")
            s.expect("\r\n2, SEND OK\r\n")
            s.expect("\r\n+RECEIVE,2,3:\r\nabc")
            s.ctl("restart")
            s.expect("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS Ready\r\n", 2)
            s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: IP INITIAL\r\n")
        with Sim("--connect-timeout", "300") as s:
            s.bring_up()
            s.ctl("blackhole")
            s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % e.tcp, OK)
            s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: TCP CONNECTING\r\n")
            s.expect("\r\nCONNECT FAIL\r\n", 2)
    finally:
        e.close()


@test
def test_fault_power_down_and_warnings():
    e = Echod()
    try:
        with Sim() as s:
            up_multi_link(s, e.tcp)
            s.ctl("power-warn under")
            s.expect("\r\nUNDER-VOLTAGE WARNNING\r\n")
            s.ctl("power-warn over")
            s.expect("\r\nOVER-VOLTAGE WARNNING\r\n")
            check("error:" in s.ctl("power-warn sideways", expect_ok=False),
                  "bad power-warn accepted")
            check("error:" in s.ctl("power-down now", expect_ok=False),
                  "bad power-down accepted")
            s.ctl("power-down under")
            s.expect("\r\nUNDER-VOLTAGE POWER DOWN\r\n")
            check(s.status()["off"] == "1", "not off after power-down")
            # Switched off: deaf and dumb, also past its restart time.
            s.send("AT\r")
            s.quiet(0.6)
            s.ctl("restart")
            s.expect("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS Ready\r\n", 2)
            check(s.status()["off"] == "0", "still off after restart")
            s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: IP INITIAL\r\n")
        with Sim() as s:
            s.ctl("power-down")
            s.expect("\r\nNORMAL POWER DOWN\r\n")
    finally:
        e.close()


@test
def test_fault_stall_garbage_cme_urc():
    with Sim() as s:
        s.ctl("stall")
        s.send("AT\r")
        s.quiet(0.3)
        s.ctl("unstall")
        s.cmd("AT", OK)
        s.ctl("garbage 100")
        check(len(s.read_n(100)) == 100, "garbage")
        s.ctl("cme 148")
        s.cmd("AT+CIICR", "\r\n+CME ERROR: 148\r\n")
        s.cmd("AT", OK)
        s.ctl("urc NORMAL POWER DOWN")
        s.expect("\r\nNORMAL POWER DOWN\r\n")
        for bad, word in (("bogus", "unknown command"), ("garbage", "byte count"),
                          ("garbage x", "byte count"), ("stall now", "no argument"),
                          ("cme", "error number"), ("close 9", "link"),
                          ("refuse 1", "no argument"), ("", "empty")):
            r = s.ctl(bad, expect_ok=False)
            check(r.startswith("error: ") and word in r and r.count("\n") == 1,
                  "'%s' -> %r" % (bad, r))
        h = s.ctl("help")
        check("pdp-deact" in h and "garbage N" in h, "help: " + h)


@test
def test_fault_drop():
    with Sim() as s:
        s.cmd("AT", OK)
        s.ctl("drop")
        import select
        r, _, _ = select.select([s.fd], [], [], 3)
        check(r, "no hangup seen on the slave")
        try:
            d = os.read(s.fd, 10)
            check(d == b"", "read after drop gave %r" % d)
        except OSError:
            pass                       # EIO: the hangup
        check(s.status()["dropped"] == "1", "status")
        s.ctl("undrop")
        os.close(s.fd)
        s.fd = os.open(s.link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        import tty
        tty.setraw(s.fd)
        s.buf = b""
        s.cmd("AT", OK)


@test
def test_fault_script():
    e = Echod()
    try:
        script = ("# faults from a file\n"
                  "at 300 urc HELLO\n"
                  "after AT+CSQ pdp-deact\n"
                  "after AT+CIICR restart\n")
        with Sim(script=script) as s:
            s.expect("\r\nHELLO\r\n", 2)
            s.cmd('AT+CIPSTART="TCP","127.0.0.1",%d' % e.tcp, OK + "\r\nCONNECT OK\r\n")
            s.cmd("AT+CSQ", "\r\n+CSQ: 20,0\r\n" + OK + "\r\n+PDP: DEACT\r\n")
            s.cmd("AT+CSQ", "\r\n+CSQ: 20,0\r\n" + OK)       # once only
            s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: PDP DEACT\r\n")
            s.cmd("AT+CIPSHUT", "\r\nSHUT OK\r\n")
            s.cmd('AT+CSTT="CMNET"', OK)
            s.cmd("AT+CIICR", "")     # the modem reboots instead of answering
            s.expect("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS Ready\r\n", 2)
            s.cmd("AT+CIPSTATUS", OK + "\r\nSTATE: IP INITIAL\r\n")
        bad = os.path.join(os.path.dirname(MODEM_SIM), "nonexistent-script")
        r = subprocess.run([MODEM_SIM, "--model", "sim7000", "--pty", "/tmp/x", "--script", bad],
                           capture_output=True, text=True)
        check(r.returncode != 0 and "--script" in r.stderr, "missing script: %r" % r.stderr)
    finally:
        e.close()


@test
def test_fault_script_bad_line():
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".script") as f:
        f.write("at soon restart\n")
        f.flush()
        r = subprocess.run([MODEM_SIM, "--model", "sim7000", "--pty", f.name + ".tty",
                            "--script", f.name], capture_output=True, text=True)
        check(r.returncode != 0 and ":1: bad time" in r.stderr, "bad script: %r" % r.stderr)


@test
def test_transcript():
    with Sim() as s:
        s.cmd("AT+CSQ", "\r\n+CSQ: 20,0\r\n" + OK)
        s.ctl("garbage 1")
        s.read_n(1)
        text = open(s.transcript).read()
    import re
    check(re.search(r"^\d+\.\d{3} > AT\+CSQ\\r$", text, re.M), "input not logged:\n" + text)
    check(re.search(r"^\d+\.\d{3} < AT\+CSQ\\r\\r\\n\+CSQ: 20,0\\r\\n\\r\\nOK\\r\\n$", text, re.M),
          "output not logged:\n" + text)


@test
def test_tty_mode():
    # --tty on an existing tty: the slave of a pty we own.
    import pty
    m, sl = pty.openpty()
    name = os.ttyname(sl)
    d = tempfile.mkdtemp()
    ctl = os.path.join(d, "ctl")
    p = subprocess.Popen([MODEM_SIM, "--model", "sim7000", "--tty", name, "--control", ctl])
    try:
        import termios
        wait_for(lambda: not termios.tcgetattr(sl)[3] & termios.ECHO, 3,
                 "the simulator to set the tty raw")
        os.write(m, b"AT\r")
        import select
        buf = b""
        end = time.monotonic() + 3
        while not buf.endswith(b"OK\r\n") and time.monotonic() < end:
            if select.select([m], [], [], 0.2)[0]:
                buf += os.read(m, 100)
        check(buf == b"AT\r\r\nOK\r\n", "tty mode got %r" % buf)

        def ctl_cmd(line):
            c = socket.socket(socket.AF_UNIX)
            c.settimeout(3)
            c.connect(ctl)
            c.sendall(line.encode() + b"\n")
            r = c.recv(1000).decode()
            c.close()
            return r
        # drop in --tty mode: DTR/RTS down (TIOCMBIC) and no answer.
        check(ctl_cmd("drop") == "ok\n", "drop")
        os.write(m, b"AT\r")
        check(not select.select([m], [], [], 0.3)[0], "answered while dropped")
        check(ctl_cmd("undrop") == "ok\n", "undrop")
        os.write(m, b"AT\r")
        buf = b""
        end = time.monotonic() + 3
        while not buf.endswith(b"OK\r\n") and time.monotonic() < end:
            if select.select([m], [], [], 0.2)[0]:
                buf += os.read(m, 100)
        check(buf == b"AT\r\r\nOK\r\n", "after undrop got %r" % buf)
    finally:
        p.terminate()
        check(p.wait(5) == 0, "exit status on SIGTERM")
        os.close(m)
        os.close(sl)


# ------------------------------------------------------------------ echod

@test
def test_echod():
    h = subprocess.run([ECHOD, "--help"], capture_output=True, text=True)
    check(h.returncode == 0 and "--source" in h.stdout and "--daemon" in h.stdout, "echod --help")
    r = subprocess.run([ECHOD, "--nope"], capture_output=True, text=True)
    check(r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1, "bad option")
    e = Echod()
    try:
        c = socket.create_connection(("127.0.0.1", e.tcp), 3)
        c.sendall(b"x" * 100000)
        check(recv_exact(c, 100000) == b"x" * 100000, "tcp echo")
        c.close()
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(3)
        u.sendto(b"dgram", ("127.0.0.1", e.udp))
        check(u.recvfrom(100)[0] == b"dgram", "udp echo")
        c = socket.create_connection(("127.0.0.1", e.source), 3)
        d = b""
        while True:
            x = c.recv(65536)
            if not x:
                break
            d += x
        check(d == bytes(i % 251 for i in range(e.source_n)), "source pattern")
        c = socket.create_connection(("127.0.0.1", e.sink), 3)
        c.sendall(b"hello sink")
        c.close()
        line = wait_for(lambda: [x for x in e.log_lines() if x.startswith("sink")], 3, "sink")
        check(line[0].endswith("bytes 10 crc32 %08x" % crc32(b"hello sink")), line[0])
    finally:
        e.p.send_signal(15)
        check(e.p.wait(5) == 0, "echod exit status on SIGTERM")
        e.close()
    # --daemon returns at once and leaves a pidfile.
    import tempfile
    d = tempfile.mkdtemp()
    pf = os.path.join(d, "pid")
    r = subprocess.run([ECHOD, "--bind", "127.0.0.1", "--tcp", str(free_port()),
                        "--daemon", "--pidfile", pf, "--log", os.path.join(d, "log")], timeout=5)
    check(r.returncode == 0, "daemon exit")
    pid = int(wait_for(lambda: os.path.exists(pf) and open(pf).read().strip(), 3, "pidfile"))
    os.kill(pid, 15)
    wait_for(lambda: not os.path.exists(pf), 3, "daemon to exit")


@test
def test_fault_stray_and_late():
    """stray/late faults (issue 9): a late result of an earlier command
    right before the next one's answer, and an answer that comes late."""
    e = Echod()
    try:
        with Sim() as s:
            s.bring_up(mux=True)
            s.cmd('AT+CIPSTART=3,"TCP","127.0.0.1",%d' % e.tcp, OK + "\r\n3, CONNECT OK\r\n")
            s.ctl("stray AT+CIPSEND OK")
            s.ctl("stray AT+CIPSEND ERROR")
            # Only the line with the prefix fires it, once per hook.
            s.cmd("AT", OK)
            s.cmd("AT+CIPSEND=3,4", "\r\nOK\r\n\r\n> ")
            s.send("abcd")
            s.expect("\r\n3, SEND OK\r\n")
            s.expect("\r\n+RECEIVE,3,4:\r\nabcd")
            s.cmd("AT+CIPSEND=3,2", "\r\nERROR\r\n\r\n> ")
            s.send("ef")
            s.expect("\r\n3, SEND OK\r\n")
            s.expect("\r\n+RECEIVE,3,2:\r\nef")
            s.cmd("AT+CIPSEND=3,2", "\r\n> ")
            s.send("gh")
            s.expect("\r\n3, SEND OK\r\n")
            s.expect("\r\n+RECEIVE,3,2:\r\ngh")
            # late: the prompt and what follows wait; input waits too.
            s.ctl("late AT+CIPSEND 600")
            t0 = time.monotonic()
            s.send("AT+CIPSEND=3,3\r")
            s.expect("AT+CIPSEND=3,3\r")
            s.quiet(0.4)
            s.expect("\r\n> ", timeout=1)
            check(time.monotonic() - t0 >= 0.55, "late prompt too early")
            # Fixed length: ESC and NUL are data, the filler completes it.
            s.send(b"\x1b\x00\x00")
            s.expect("\r\n3, SEND OK\r\n")
            s.expect(b"\r\n+RECEIVE,3,3:\r\n\x1b\x00\x00")
            # In command mode ESC and NUL before AT are nothing.
            s.send(b"\x1b\x00\x00AT+CSQ\r")
            s.expect_re(rb"\x1b(\x00)*AT\+CSQ\r\r\n\+CSQ: \d+,\d+\r\n\r\nOK\r\n")
            check(s.ctl("stray", expect_ok=False).startswith("error:"), "stray needs args")
            check(s.ctl("late AT x", expect_ok=False).startswith("error:"), "late needs MS")
    finally:
        e.close()


if __name__ == "__main__":
    sys.exit(run())
