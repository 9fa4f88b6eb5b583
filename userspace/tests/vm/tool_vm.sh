#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-models: sim7000
# vm-timeout: 400
#
# The atnet tool in the VM (vm.sh has run "atnet attach /dev/ttyS1"): the
# attach daemon's addresses and routes, --wait/--keep-up through PDP loss
# and a modem restart, detach of atnet attach and of ldattach, SIGTERM,
# SIGKILL and hangup of the attaching process, error lines.

N=0
FAIL=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N - $*"; }
check() { _n=$1; shift; if "$@"; then ok "$_n"; else not_ok "$_n"; fi; }
# wait_for SECONDS CMD...: every 100 ms until CMD succeeds
wait_for() {
	_t=$(($1 * 10)); shift
	while [ "$_t" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		usleep 100000
		_t=$((_t - 1))
	done
	return 1
}

ADDR=192.0.2.100
has_if() { [ -e "/sys/class/net/$1" ]; }
no_wwan() { ! ls /sys/class/net | grep -q '^wwan'; }
has_addr() { ip -4 addr show dev wwan0 2>/dev/null | grep -q "inet $ADDR/32 scope global wwan0"; }
no_addr() { ! ip -4 addr show dev wwan0 2>/dev/null | grep -q "inet "; }
has_route() { ip route | grep -q '^default dev wwan0'; }
no_route() { ! ip route | grep -q '^default'; }
show_has() { atnet show "$1" 2>/dev/null | grep -q -- "$2"; }
alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! kill -0 "$1" 2>/dev/null; }
addr_and_route() { has_addr && has_route; }
route_and_daemon_gone() { no_route && dead "$P"; }
detach_gone() { atnet detach wwan0 && no_wwan; }
owner() { atnet show wwan0 | sed -n 's/.*owner pid \([0-9]*\).*/\1/p'; }
sim() { printf '%s\n' "$2" | socat -t 5 - "UNIX-CONNECT:$1" | grep -q '^ok'; }
# one line on stderr, status 1, and the kernel's extack after the errno text
one_error() {
	"$@" >/tmp/out 2>/tmp/err
	[ $? = 1 ] && [ "$(wc -l </tmp/err)" = 1 ] && [ ! -s /tmp/out ]
}



# --- the daemon vm.sh started ---------------------------------------------
check "attached by atnet attach: ready" wait_for 60 show_has wwan0 "state: ready"
P=$(owner)
check "owner pid is the live attach daemon" grep -q attach "/proc/$P/cmdline"
atnet monitor >/tmp/mon.log 2>&1 &
MON=$!
usleep 300000
injection() {
	one_error atnet set wwan0 context 0 apn 'a"b' &&
		grep -q '^atnet: set wwan0: Invalid argument: .' /tmp/err
}
check "set: injection refused with the kernel's reason" injection
check "set apn" atnet set wwan0 context 0 apn internet
check "up" atnet up wwan0
check "daemon puts $ADDR/32 (no peer) on wwan0" wait_for 60 has_addr
check "monitor: context-up line" wait_for 5 grep -q "^wwan0 context-up context=0 context-state=up address=$ADDR" /tmp/mon.log
check "down" atnet down wwan0
check "daemon removes the address" wait_for 60 no_addr
check "detach (atnet attach)" atnet detach wwan0
check "  daemon gone" wait_for 5 dead "$P"
check "  interfaces gone" no_wwan

# --- attach --up --wait --keep-up --default-route ---------------------------
atnet attach /dev/ttyS1 --apn internet --up --wait --keep-up --default-route >/tmp/out 2>/tmp/err
check "attach --up --wait returns 0 once up" [ $? = 0 ]
check "  prints 'atnet: ttyS1 attached as wwan0'" grep -q "^atnet: ttyS1 attached as wwan0$" /tmp/out
check "  address and default route" addr_and_route
P=$(owner)
sim "$SIM_CTL" pdp-deact
check "PDP deactivated: address removed" wait_for 20 no_addr
check "  --keep-up brings address and route back" wait_for 40 addr_and_route
sim "$SIM_CTL" restart
check "modem restart: address removed" wait_for 20 no_addr
check "  back after the re-probe" wait_for 90 addr_and_route
check "detach with the context up" atnet detach wwan0
check "  route gone, daemon gone" route_and_daemon_gone

# --- ldattach, foreground, SIGKILL ---------------------------------------
ldattach -s 115200 29 /dev/ttyS1
check "ldattach: interface" wait_for 10 has_if wwan0
check "detach of an ldattach'ed modem" detach_gone

atnet attach /dev/ttyS1 --foreground >/tmp/fg.out 2>&1 &
FG=$!
wait_for 10 has_if wwan0
kill "$FG"
wait "$FG"
check "foreground: SIGTERM exits 0" [ $? = 0 ]
check "  interfaces gone" wait_for 10 no_wwan

atnet attach /dev/ttyS1 >/dev/null 2>&1
P=$(owner)
kill -9 "$P"
check "SIGKILL of the daemon: interfaces gone" wait_for 10 no_wwan

# --- hangup: a second simulator on a pty drops the line ---------------------
modem-sim --model sim7000 --pty /tmp/m9 --control /tmp/m9.ctl >/tmp/m9.out 2>&1 &
SIM9=$!
wait_for 10 test -S /tmp/m9.ctl
atnet attach /tmp/m9 --foreground >/tmp/fg9.out 2>&1 &
FG=$!
check "attach on a pty" wait_for 30 grep -q "attached as wwan" /tmp/fg9.out
sim /tmp/m9.ctl drop
check "hangup: the attach process exits" wait_for 10 dead "$FG"
wait "$FG"
st=$?
check "  with status 1, saying so" eval '[ $st = 1 ] && grep -q "tty hung up" /tmp/fg9.out'
kill "$SIM9" 2>/dev/null

# --- errors ---------------------------------------------------------------
check "unknown ldisc: one line, status 1" one_error atnet attach /dev/ttyS1 --ldisc 28 --foreground
check "show of a missing interface: one line, status 1" one_error atnet show wwan0

kill "$MON" 2>/dev/null
echo "1..$N"
echo "# $((N - FAIL)) passed, $FAIL failed"
[ "$FAIL" = 0 ]
