#!/bin/sh
# vm-models: sim7000 sim7020
# vm-args: --no-attach
# The test bed inside the guest: serial ports, the "internet" namespace,
# the echo servers and the simulator are there and reachable.  TAP.

n=0
fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

echo "TAP version 13"
echo "1..9"

[ -c /dev/ttyS1 ] && [ -c /dev/ttyS2 ]
ok $? "ttyS1 and ttyS2 exist"

ip netns list | grep -q '^inet'
ok $? "netns inet exists"

ip -n inet -4 addr show | grep -q '192.0.2.1/24'
ok $? "192.0.2.1/24 in netns inet"

ip -n inet -4 addr show | grep -q '192.0.2.100/24' &&
	ip -n inet -4 addr show | grep -q '192.0.2.101/24'
ok $? "modem context addresses 192.0.2.100 and .101 in netns inet"

[ -n "$ATNET_MODEL" ] && [ -n "$ATNET_BAUD" ] && [ "$SIM_CTL" = /run/sim.ctl ]
ok $? "ATNET_MODEL=$ATNET_MODEL ATNET_BAUD=$ATNET_BAUD SIM_CTL=$SIM_CTL exported"

if command -v echod >/dev/null 2>&1 && command -v socat >/dev/null 2>&1; then
	r=$(echo ping-tcp | ip netns exec inet timeout 5 socat -t 2 - TCP:192.0.2.1:7)
	[ "$r" = ping-tcp ]
	ok $? "TCP echo at 192.0.2.1:7 ('$r')"
	r=$(echo ping-udp | ip netns exec inet timeout 5 socat -t 2 - UDP:192.0.2.1:7)
	[ "$r" = ping-udp ]
	ok $? "UDP echo at 192.0.2.1:7 ('$r')"
else
	skip "TCP echo at 192.0.2.1:7" "echod or socat missing"
	skip "UDP echo at 192.0.2.1:7" "echod or socat missing"
fi

if command -v modem-sim >/dev/null 2>&1; then
	[ -S "$SIM_CTL" ] && kill -0 "$(cat /run/sim.pid)"
	ok $? "modem-sim runs with control socket $SIM_CTL"
	r=$(echo status | timeout 5 socat -t 2 - "UNIX-CONNECT:$SIM_CTL" | tail -n 1)
	[ "$r" = ok ]
	ok $? "control socket answers 'status' ('$r')"
else
	skip "modem-sim runs" "modem-sim not built"
	skip "control socket answers" "modem-sim not built"
fi

[ "$fails" = 0 ]
