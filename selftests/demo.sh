#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo runs this inside the test VM (selftests/vm.sh copies it to
# /extra): the bed has attached atnet to ttyS1, with the simulated modem on
# the other end of the null modem. Bring wwan0 up and show what a user
# sees: the kernel's lines, the interface with its counters, "atnet show",
# and what went over the wire.
# vm-args:

wait_for() {
	n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		usleep 100000
		n=$((n - 1))
	done
	return 1
}

step() {
	printf '\n$ %s\n' "$*"
	"$@"
}

if ! wait_for 30 sh -c 'atnet show wwan0 2>/dev/null | grep -q ready'; then
	echo "demo: the modem did not become ready" >&2
	atnet show >&2
	exit 1
fi
echo "== the kernel's view of the attach"
dmesg | grep 'atnet: tty' | sed 's/^\[ *[0-9.]*\] //'
step atnet set wwan0 apn CMNET
step ip link set wwan0 up
# "atnet attach" puts the address on the interface; with ldattach nobody does
if ! wait_for 30 sh -c 'ip addr show wwan0 | grep -q "inet "' &&
   ! wait_for 30 sh -c 'atnet show wwan0 | grep -q 192.0.2'; then
	echo "demo: the context did not come up" >&2
	exit 1
fi
dmesg | grep 'atnet: tty.*context' | sed 's/^\[ *[0-9.]*\] //'
step ip -s link show wwan0
step ip addr show wwan0
step atnet show
printf '\n== simulator transcript (excerpt; > to the modem, < from it)\n'
head -n 60 "${SIM_LOG:-/tmp/sim.log}"
