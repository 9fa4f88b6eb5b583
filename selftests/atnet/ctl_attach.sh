#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-models: sim7000 sim7020
# vm-args: --no-attach
#
# Attach with ldattach and with the atnet tool, detach with the context up,
# and unload the module afterwards: nothing may stay registered. On the
# bed's model ($ATNET_MODEL): a SIM7000 has two contexts (two interfaces), a
# SIM7020 one, whose PDN the network brings up by itself.
. "$(dirname "$0")/ctl_lib.inc"

case ${ATNET_MODEL:-sim7000} in
sim7020) IDENT="SIM7020E (1752B12SIM7020E)" NIF=1 ;;
*) IDENT="SIM7000E (1351B04SIM7000E)" NIF=2 ;;
esac

echo "1..20"
check "insmod atnet.ko" load_module
check "/proc/tty/ldiscs lists atnet 29" grep -q '^atnet *29$' /proc/tty/ldiscs
check "ldisc parameter readable" test "$(cat /sys/module/atnet/parameters/ldisc)" = 29

# ldattach: plain TIOCSETD, then atnet up
attach_ld /dev/ttyS1
check "ldattach: probe ends ready (one dmesg line)" wait_for 20 klog_has "atnet: ttyS1: $IDENT ready as wwan0"
check "ldattach: $NIF interface(s), one per context" wait_for 5 wwan_count_is $NIF
check "atnet show wwan0: ready" show_has wwan0 ready
ip link set wwan0 up
check "ip link set wwan0 up: carrier on" wait_for 30 carrier_is wwan0 1
check "atnet show: simulator's address" wait_for 5 show_has wwan0 192.0.2.100
# detach with the context up: the attaching process goes away
kill "$LDPID"
wait "$LDPID" 2>/dev/null
check "detach with context up: interfaces gone" wait_for 10 wwan_count_is 0
check "detach logged" klog_has "atnet: ttyS1: detached"

# the atnet tool: attach daemon, up, address on the interface, detach
if atnet attach /dev/ttyS1 --baud 115200 >/tmp/attach.out 2>&1; then
	ok "atnet attach /dev/ttyS1"
else
	not_ok "atnet attach /dev/ttyS1"
	cat /tmp/attach.out
fi
check "atnet attach: ready again (re-probe after a context left up)" wait_for 20 show_has wwan0 ready
check "atnet up wwan0" atnet up wwan0
check "address on the interface" wait_for 30 sh -c 'ip addr show wwan0 | grep -q 192.0.2.100'
check "atnet down wwan0" atnet down wwan0
check "carrier off after down" wait_for 70 sh -c 'atnet show wwan0 | grep -v 192.0.2.100 >/dev/null && ! ip addr show wwan0 | grep -q 192.0.2.100'
check "atnet detach wwan0" atnet detach wwan0
check "atnet detach: interfaces gone" wait_for 10 wwan_count_is 0

check "rmmod atnet" rmmod atnet
check "ldisc unregistered" sh -c '! grep -q "^atnet " /proc/tty/ldiscs'
finish
