# SPDX-License-Identifier: GPL-2.0
"""Harness for modem-sim host tests (python3 stdlib only).

Starts modem-sim on a pty and echod on 127.0.0.1, talks to the pty with
exact byte expectations and hard deadlines, prints TAP.  Nothing sleeps and
hopes: every wait has a deadline and fails loudly with what arrived.
"""
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import termios
import time
import traceback
import tty
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
MODEM_SIM = os.path.join(HERE, "modem-sim")
ECHOD = os.path.join(HERE, "echod")
IP1 = "127.0.0.100"
IP2 = "127.0.0.101"


class Fail(Exception):
    pass


def esc(b):
    out = []
    for c in b:
        if c == 13:
            out.append("\\r")
        elif c == 10:
            out.append("\\n")
        elif 32 <= c < 127 and c != 92:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return "".join(out)


def free_port(kind=socket.SOCK_STREAM, addr="127.0.0.1"):
    s = socket.socket(socket.AF_INET, kind)
    s.bind((addr, 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.01)
    raise Fail("timed out after %.1fs waiting for %s" % (timeout, what))


class Sim:
    """One modem-sim on a pty."""

    def __init__(self, *opts, model="sim7000", hosts=None, script=None,
                 echo_default=True):
        self.dir = tempfile.mkdtemp(prefix="modem-sim-test.")
        self.link = os.path.join(self.dir, "tty")
        self.ctl_path = os.path.join(self.dir, "ctl")
        self.transcript = os.path.join(self.dir, "transcript")
        self.log = os.path.join(self.dir, "log")
        args = [MODEM_SIM, "--model", model, "--pty", self.link,
                "--control", self.ctl_path, "--transcript", self.transcript,
                "--ip", IP1, "--ip2", IP2, "-v"]
        if hosts is not None:
            hp = os.path.join(self.dir, "hosts")
            with open(hp, "w") as f:
                f.write(hosts)
            args += ["--hosts", hp]
        if script is not None:
            sp = os.path.join(self.dir, "script")
            with open(sp, "w") as f:
                f.write(script)
            args += ["--script", sp]
        args += list(opts)
        self.logf = open(self.log, "w")
        self.p = subprocess.Popen(args, stdout=self.logf, stderr=self.logf)
        self.buf = b""
        self.fd = None
        try:
            wait_for(lambda: (os.path.exists(self.link) and
                              os.path.exists(self.ctl_path))
                     or self.p.poll() is not None, 5, "modem-sim to start")
            if self.p.poll() is not None:
                raise Fail("modem-sim exited: %s" % open(self.log).read())
            self.fd = os.open(self.link, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            tty.setraw(self.fd, termios.TCSANOW)
        except Exception:
            self.close()
            raise

    # --- tty ---
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        end = time.monotonic() + 5
        while data:
            try:
                n = os.write(self.fd, data)
                data = data[n:]
            except BlockingIOError:
                if time.monotonic() > end:
                    raise Fail("tty write blocked")
                time.sleep(0.005)

    def _fill(self, deadline):
        t = deadline - time.monotonic()
        if t <= 0:
            return False
        r, _, _ = select.select([self.fd], [], [], t)
        if not r:
            return False
        try:
            d = os.read(self.fd, 65536)
        except BlockingIOError:
            return True
        except OSError as e:
            raise Fail("tty read: %s" % e)
        if not d:
            raise Fail("tty EOF")
        self.buf += d
        return True

    def expect(self, exp, timeout=3.0):
        """The next bytes from the modem are exactly exp."""
        if isinstance(exp, str):
            exp = exp.encode()
        deadline = time.monotonic() + timeout
        while True:
            n = min(len(self.buf), len(exp))
            if self.buf[:n] != exp[:n]:
                raise Fail("expected '%s'\n     got '%s'" %
                           (esc(exp), esc(self.buf)))
            if len(self.buf) >= len(exp):
                self.buf = self.buf[len(exp):]
                return
            if not self._fill(deadline):
                raise Fail("timeout: expected '%s'\n     got '%s'" %
                           (esc(exp), esc(self.buf)))

    def expect_re(self, pattern, timeout=3.0):
        """The next bytes match the regex (anchored); returns the match."""
        if isinstance(pattern, str):
            pattern = pattern.encode()
        rx = re.compile(pattern, re.S)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.match(self.buf)
            if m:
                # Let a pattern that ends at the buffer end see more bytes.
                if m.end() == len(self.buf) and self._fill(
                        min(deadline, time.monotonic() + 0.05)):
                    continue
                self.buf = self.buf[m.end():]
                return m
            if not self._fill(deadline):
                raise Fail("timeout: expected /%s/\n     got '%s'" %
                           (pattern.decode(errors="replace"), esc(self.buf)))

    def read_n(self, n, timeout=5.0):
        deadline = time.monotonic() + timeout
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise Fail("timeout: wanted %d bytes, got %d" % (n, len(self.buf)))
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def quiet(self, secs):
        """Nothing arrives for secs."""
        deadline = time.monotonic() + secs
        while self._fill(deadline):
            pass
        if self.buf:
            raise Fail("expected silence, got '%s'" % esc(self.buf))

    def cmd(self, c, answer, timeout=3.0, echo=True):
        """Send c + CR, expect its echo then answer, byte for byte."""
        self.send(c + "\r")
        self.expect((c + "\r" if echo else "") + answer, timeout)

    # --- control socket ---
    def ctl(self, line, expect_ok=True):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(self.ctl_path)
        s.sendall(line.encode() + b"\n")
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
            lines = data.decode().splitlines()
            if data.endswith(b"\n") and lines and (
                    lines[-1] == "ok" or lines[-1].startswith("error: ")):
                break
        s.close()
        text = data.decode()
        if expect_ok and not text.endswith("ok\n"):
            raise Fail("control '%s' -> %s" % (line, text))
        return text

    def status(self):
        d = {}
        for ln in self.ctl("status").splitlines()[:-1]:
            k, _, v = ln.partition(" ")
            d[k] = v
        return d

    def close(self):
        if self.fd is not None:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = None
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.logf.close()
        if os.environ.get("KEEP"):
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            try:
                tail = open(self.log).read().splitlines()[-15:]
                exc[1].args = (str(exc[1]) + "\nsim log:\n  " +
                               "\n  ".join(tail),)
            except Exception:  # noqa: BLE001
                pass
        self.close()
        return False

    def bring_up(self, mux=False, echo=True):
        """CSTT/CIICR/CIFSR as the seeds do it."""
        if mux:
            self.cmd("AT+CIPMUX=1", "\r\nOK\r\n", echo=echo)
        self.cmd('AT+CSTT="CMNET"', "\r\nOK\r\n", echo=echo)
        self.cmd("AT+CIICR", "\r\nOK\r\n", echo=echo)
        self.cmd("AT+CIFSR", "\r\n%s\r\n" % IP1, echo=echo)


class Echod:
    def __init__(self, *extra, addr="127.0.0.1"):
        self.tcp = free_port()
        self.udp = free_port(socket.SOCK_DGRAM)
        self.sink = free_port()
        self.source = free_port()
        self.source_n = 100000
        self.dir = tempfile.mkdtemp(prefix="echod-test.")
        self.log = os.path.join(self.dir, "log")
        self.p = subprocess.Popen(
            [ECHOD, "--bind", addr, "--tcp", str(self.tcp), "--udp", str(self.udp),
             "--sink", str(self.sink), "--source",
             "%d:%d" % (self.source, self.source_n), "--log", self.log] + list(extra))

        def up():
            try:
                socket.create_connection((addr, self.tcp), 0.2).close()
                return True
            except OSError:
                return self.p.poll() is not None
        wait_for(up, 5, "echod")
        if self.p.poll() is not None:
            raise Fail("echod exited %d" % self.p.returncode)

    def log_lines(self):
        try:
            return open(self.log).read().splitlines()
        except OSError:
            return []

    def close(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            self.p.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


def tcp_listen(addr="127.0.0.1"):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 0))
    s.listen(8)
    s.settimeout(5)
    return s, s.getsockname()[1]


def udp_sock(addr="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    s.settimeout(5)
    return s, s.getsockname()[1]


def recv_exact(sock, n, timeout=5.0):
    sock.settimeout(timeout)
    d = b""
    while len(d) < n:
        c = sock.recv(n - len(d))
        if not c:
            raise Fail("peer closed after %d of %d bytes" % (len(d), n))
        d += c
    return d


def crc32(b):
    return zlib.crc32(b) & 0xffffffff


# --- TAP ---
_tests = []


def test(fn):
    _tests.append(fn)
    return fn


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def run(argv=None):
    argv = argv or sys.argv[1:]
    sel = [t for t in _tests if not argv or any(a in t.__name__ for a in argv)]
    print("TAP version 13")
    print("1..%d" % len(sel))
    failed = 0
    for i, t in enumerate(sel, 1):
        name = t.__name__.replace("test_", "", 1)
        t0 = time.monotonic()
        try:
            t()
            print("ok %d - %s # %.2fs" % (i, name, time.monotonic() - t0))
        except Exception as e:  # noqa: BLE001 - any failure is a test failure
            failed += 1
            print("not ok %d - %s" % (i, name))
            msg = str(e) if isinstance(e, Fail) else traceback.format_exc()
            for ln in msg.splitlines():
                print("# " + ln)
            if not isinstance(e, Fail):
                pass
        sys.stdout.flush()
    print("# %d passed, %d failed" % (len(sel) - failed, failed))
    return 1 if failed else 0
