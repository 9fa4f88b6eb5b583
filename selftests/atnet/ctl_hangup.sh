#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-models: sim7000 sim7020
# vm-args: --no-attach
#
# Two modems at once (ttyS1 and a simulator on a pty), tty hangup (the
# simulator drops the line) with a context up and requests pending (each
# caller gets its error answer at once), the attaching process
# killed; the module unloads at the end. Silent and garbage modems are in
# ctl_pty.c. Modem 1 is the bed's model ($ATNET_MODEL: a SIM7000 has two
# interfaces, a SIM7020 one); modem 2 is a SIM7000.
. "$(dirname "$0")/ctl_lib.inc"

case ${ATNET_MODEL:-sim7000} in
sim7020) N1=1 ;;
*) N1=2 ;;
esac
N12=$((N1 + 2))

echo "1..27"
check "insmod atnet.ko" load_module

attach_ld /dev/ttyS1
S1=$LDPID
check "modem 1 (ttyS1) ready" wait_for 20 klog_has "atnet: ttyS1: .* ready as wwan0"

check "simulator on a pty" sim_pty /tmp/m0
attach_ld /tmp/m0
M0=$LDPID
# the kernel names a pty slave "ptsN"
PTS=$(readlink /tmp/m0 | sed 's|/dev/||; s|/||')
check "modem 2 (pty) ready at the same time" wait_for 20 klog_has "atnet: $PTS: .* ready as"
IF2=$(ready_if "$PTS")
check "$N12 interfaces" wait_for 5 wwan_count_is $N12
ip link set wwan0 up
ip link set "$IF2" up
check "both modems carry a context" wait_for 30 sh -c "grep -q 1 /sys/class/net/wwan0/carrier && grep -q 1 /sys/class/net/$IF2/carrier"

# requests pending on a silent modem when the line goes
sim_cmd /tmp/m0.ctl stall
atnet resolve "$IF2" echo.atnet.test >/tmp/hr1 2>&1 &
R1=$!
atnet ping "$IF2" 192.0.2.1 -c 3 >/tmp/hr2 2>&1 &
R2=$!
# one of them is on the line (whichever came first), the other queued
check "requests reach the silent modem" \
	wait_for 5 grep -q -e CDNSGIP -e CIPPING /tmp/m0.log

# hangup: the simulator closes the pty master
check "simulator drops the line" sim_cmd /tmp/m0.ctl drop
check "hangup ends both requests at once" \
	wait_for 5 sh -c "! kill -0 $R1 2>/dev/null && ! kill -0 $R2 2>/dev/null"
# A tool that still waits would hang the test: it fails instead.
kill -9 "$R1" "$R2" 2>/dev/null
wait "$R1"
s1=$?
wait "$R2"
s2=$?
check "hangup answers the pending resolve ($s1: $(cat /tmp/hr1))" sh -c \
	"[ $s1 = 1 ] && grep -q 'No such device.*modem is gone' /tmp/hr1"
check "hangup answers the pending ping ($s2: $(tail -n 1 /tmp/hr2))" sh -c \
	"[ $s2 = 1 ] && grep -q 'No such device.*modem is gone' /tmp/hr2"
sim_cmd /tmp/m0.ctl unstall
check "hangup: modem 2's interfaces gone" wait_for 10 wwan_count_is $N1
check "hangup logged" klog_has "tty hung up"
check "modem 1 unaffected" carrier_is wwan0 1
kill "$M0" 2>/dev/null
wait "$M0" 2>/dev/null

# the line comes back: attach again
check "simulator back" sim_cmd /tmp/m0.ctl undrop
attach_ld /tmp/m0
M0=$LDPID
check "modem 2 ready again" wait_for 20 wwan_count_is $N12

# the model decides the dialect; one we do not drive is refused by name
check "simulator with an unknown model" sim_pty /tmp/m1 --model-name ACME_X1 --revision Revision:1.0
attach_ld /tmp/m1
M1=$LDPID
check "unknown model: failed, named" wait_for 20 klog_has 'unknown model "ACME_X1"'
sim_cmd /tmp/m1.ctl drop
check "simulator as SIM7020" sh -c 'modem-sim --model sim7020 --pty /tmp/m2 --control /tmp/m2.ctl </dev/null >/tmp/m2.out 2>&1 & sleep 0; true'
wait_for 10 test -e /tmp/m2
attach_ld /tmp/m2
M2=$LDPID
check "SIM7020: identified by AT+CGMM, its own dialect" wait_for 20 klog_has "atnet: pts.*: SIM7020E.* ready as"
sim_cmd /tmp/m2.ctl drop
check "both gone again" wait_for 10 wwan_count_is $N12
kill "$M1" "$M2" 2>/dev/null
wait "$M1" "$M2" 2>/dev/null

# the attaching process killed (ttyS1: nobody else holds it open)
kill -9 "$S1"
wait "$S1" 2>/dev/null
check "attach process killed: modem 1's interfaces gone" wait_for 10 wwan_count_is 2
check "modem 1 detached" klog_has "atnet: ttyS1: detached"

check "simulator drops the line again" sim_cmd /tmp/m0.ctl drop
check "last modem gone" wait_for 10 wwan_count_is 0
kill "$M0" 2>/dev/null
wait "$M0" 2>/dev/null
check "rmmod atnet" rmmod atnet
check "ldisc unregistered" sh -c '! grep -q "^atnet " /proc/tty/ldiscs'
finish
