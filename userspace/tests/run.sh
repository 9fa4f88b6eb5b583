#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host tests of the atnet tool, TAP output. Needs no module: on a host
# without atnet loaded every netlink verb must fail cleanly on the family.
# Usage: run.sh PATH/TO/atnet
set -u
ATNET=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fails=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
	sed 's/^/# /' "$T/err" "$T/out" 2>/dev/null
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# expect NAME STATUS STDERR-SUBSTRING -- ARGS...: one error line at most
expect() {
	name=$1 want=$2 msg=$3
	shift 4
	"$ATNET" "$@" >"$T/out" 2>"$T/err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "exit $got, want $want" >>"$T/err"; not_ok "$name"; return
	fi
	if [ -n "$msg" ] && ! grep -qF -- "$msg" "$T/err"; then
		echo "stderr lacks: $msg" >>"$T/err"; not_ok "$name"; return
	fi
	# errors are one clear line (usage errors add the "Try" hint)
	if [ "$want" -eq 1 ] && [ "$(wc -l <"$T/err")" -ne 1 ]; then
		echo "not one line" >>"$T/err"; not_ok "$name"; return
	fi
	ok "$name"
}

# --- usage ---------------------------------------------------------------
expect "help"			0 ""	-- help
"$ATNET" --help | grep -q "^Usage: atnet VERB" && ok "--help prints usage" || not_ok "--help prints usage"
expect "no verb"		2 "Usage:" --
expect "unknown verb"		2 "unknown verb 'frob'" -- frob
expect "show: extra args"	2 "too many"	-- show a b
expect "set: no iface"		2 "missing interface" -- set
expect "set: nothing"		2 "nothing to set" -- set lo context 0
expect "set: dangling"		2 "'apn' needs a value" -- set lo apn
expect "set: bad keyword"	2 "unknown keyword 'apm'" -- set lo apm x
expect "set: bad context"	2 "bad context 'x'" -- set lo context x apn a
expect "up: bad context"	2 "bad context '256'" -- up lo context 256
expect "down: syntax"		2 "usage: atnet down" -- down lo ctx 1
expect "listen: port 0"		2 "bad port '0'" -- listen lo 0
expect "listen: port big"	2 "bad port '65536'" -- listen lo 65536
expect "unlisten: syntax"	2 "usage" -- unlisten
expect "resolve: syntax"	2 "usage" -- resolve lo
expect "ping: not ipv4"		2 "not an IPv4 address" -- ping lo example.com
expect "ping: -c 0"		2 "-c needs a count" -- ping lo 192.0.2.1 -c 0
expect "ping: -c missing"	2 "-c needs a count" -- ping lo 192.0.2.1 -c
expect "monitor: args"		2 "usage" -- monitor now
expect "detach: syntax"		2 "usage" -- detach
expect "attach: no tty"		2 "missing tty" -- attach
expect "attach: two ttys"	2 "unexpected argument" -- attach /dev/a /dev/b
expect "attach: baud"		2 "unsupported baud rate '12345'" -- attach /dev/null --baud 12345
expect "attach: flow"		2 "--flow none|rtscts" -- attach /dev/null --flow xon
expect "attach: route bits"	2 "host bits" -- attach /dev/null --route=192.0.2.1/24
expect "attach: route syntax"	2 "bad route" -- attach /dev/null --route=10.0.0.0/33
expect "attach: user w/o apn"	2 "go with --apn" -- attach /dev/null --user u
expect "attach: wait w/o up"	2 "--wait goes with --up" -- attach /dev/null --wait
expect "attach: unknown option"	2 "unknown option '--bogus'" -- attach /dev/null --bogus
expect "attach: missing value"	2 "needs a value" -- attach /dev/null --apn
expect "attach: ldisc"		2 "bad line discipline" -- attach /dev/null --ldisc 300

# --- local errors ---------------------------------------------------------
expect "show: no such iface"	1 "show nosuch0: no such interface" -- show nosuch0
expect "up: no such iface"	1 "up nosuch0: no such interface" -- up nosuch0
expect "detach: no such iface"	1 "detach nosuch0: no such interface" -- detach nosuch0
expect "attach: not a tty"	1 "attach /dev/null: not a tty" -- attach /dev/null --foreground
expect "attach: no device"	1 "No such file or directory" -- attach /dev/nonexistent-tty --foreground
expect "attach: daemon error reaches caller" 1 "not a tty" -- attach /dev/null

# --- no module on the host: the family is missing ------------------------
NOFAM="atnet: family atnet not found: is the module loaded?"
if [ -d /sys/module/atnet ]; then
	for v in show monitor set up detach ping pty; do
		skip "$v: no family" "atnet module loaded"
	done
else
	expect "show: no family"	1 "$NOFAM" -- show
	expect "monitor: no family"	1 "$NOFAM" -- monitor
	expect "set: no family"		1 "$NOFAM" -- set lo context 0 apn internet
	expect "up: no family"		1 "$NOFAM" -- up lo
	expect "detach: no family"	1 "$NOFAM" -- detach lo
	expect "ping: no family"	1 "$NOFAM" -- ping lo 127.0.0.1 -c 1
	for c in "57600 rtscts foreground" "115200 none foreground" \
		 "921600 none" "9600 rtscts"; do
		# shellcheck disable=SC2086
		if ./ptytest "$ATNET" $c 2>"$T/err"; then
			ok "attach on a pty: termios $c, no ldisc change"
		else
			not_ok "attach on a pty: termios $c, no ldisc change"
		fi
	done
fi

# --- addresses and routes, in a private network namespace -----------------
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	T="$T" unshare -n sh -c '
		./rtnltest link add lo 0.0.0.0 &&
		ip link show lo | grep -q "<LOOPBACK,UP" &&
		./rtnltest addr add lo 10.9.8.7 &&
		ip -4 -o addr show dev lo | grep -q "inet 10.9.8.7/32 scope global lo" &&
		! ip -4 -o addr show dev lo | grep -q "10.9.8.7 peer" &&
		./rtnltest route add lo 0.0.0.0 0 &&
		./rtnltest route add lo 192.0.2.0 24 &&
		ip route | grep -q "^default dev lo proto static scope link" &&
		ip route | grep -q "^192.0.2.0/24 dev lo proto static scope link" &&
		./rtnltest route del lo 0.0.0.0 0 &&
		./rtnltest addr del lo 10.9.8.7 &&
		! ip route | grep -q "^default" &&
		! ip -4 -o addr show dev lo | grep -q 10.9.8.7 &&
		ip link set lo down &&
		! ./rtnltest route add lo 0.0.0.0 0 2>"$T/rterr" &&
		grep -q "route add: Network is down: .*not up" "$T/rterr"
	' >"$T/out" 2>"$T/err"
	if [ $? -eq 0 ]; then
		ok "rtnl: link up, /32 address without peer, routes, removal, extack"
	else
		not_ok "rtnl: link up, /32 address without peer, routes, removal, extack"
	fi
else
	skip "rtnl in a private netns" "needs root and unshare"
fi

# --- rendering --------------------------------------------------------------
for what in modem events; do
	./fakemsg $what >"$T/out" 2>"$T/err"
	if diff -u "expected/$what.txt" "$T/out" >"$T/err"; then
		ok "render $what (unknown attributes skipped)"
	else
		not_ok "render $what (unknown attributes skipped)"
	fi
done

# --- the binary goes into a busybox initramfs ------------------------------
if file "$ATNET" | grep -q "statically linked"; then
	ok "binary is static"
else
	file "$ATNET" >"$T/err"; not_ok "binary is static"
fi

echo "1..$n"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
