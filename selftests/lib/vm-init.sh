#!/bin/sh
# /init of the atnet test VM (busybox sh, PID 1).  Built into the base
# initramfs by selftests/lib/mkbase.sh; the per-run archive adds
# /etc/vm.conf (settings), /etc/vm-cmd.sh (the command), /tests, /extra,
# /usr/local/bin/{modem-sim,echod,atnet} and /lib/modules/extra/*.ko.
#
# Markers on the console (ttyS0) that selftests/vm.sh reads:
#   @@ATNET-VM@@ READY <uptime>     setup done, command starts
#   @@ATNET-VM@@ EXIT <status>      command finished
#   @@ATNET-VM@@ SETUP-FAIL <why>   the bed could not be set up
#   @@KLOG@@ <line>                 full kernel log, dumped at the end
#   @@SIMLOG@@ <line>               simulator transcript (on failure)

export PATH=/tests:/extra:/usr/local/bin:/usr/local/sbin:/sbin:/usr/sbin:/bin:/usr/bin
export HOME=/root TERM=dumb

M=@@ATNET-VM@@

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null
hostname atnet-vm
ip link set lo up

. /etc/vm.conf

# kmemleak (debug kernel only): a scan before the command forgets what boot
# leaked; one after it reports what the command leaked.  kmemleak ignores
# objects younger than 5 s, hence the wait.
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_scan() {
	[ -w "$KMEMLEAK" ] || return 0
	echo scan >"$KMEMLEAK"
	if [ "$1" = report ]; then
		cat "$KMEMLEAK"
	else
		echo clear >"$KMEMLEAK"
	fi
}

finish() {
	st=$1
	echo "$M EXIT $st"
	if [ "$st" != 0 ] && [ -f /tmp/sim.log ]; then
		tail -n 200 /tmp/sim.log | sed 's/^/@@SIMLOG@@ /'
	fi
	if [ -w "$KMEMLEAK" ]; then
		sleep 6
		kmemleak_scan report >/tmp/kmemleak.out 2>&1
	fi
	dmesg | sed 's/^/@@KLOG@@ /'
	[ -s /tmp/kmemleak.out ] && sed 's/^/@@KLOG@@ kmemleak: /' /tmp/kmemleak.out
	echo "$M DONE"
	sync
	poweroff -f
	# not reached; if poweroff failed, make QEMU exit through -no-reboot
	reboot -f
}

setup_fail() {
	echo "$M SETUP-FAIL $*"
	finish 125
}

# wait_for SECONDS TEST...: poll TEST every 20 ms until true or deadline
wait_for() {
	_n=$(($1 * 50))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		usleep 20000
		_n=$((_n - 1))
	done
	return 1
}

for ko in /lib/modules/base/*.ko; do
	[ -e "$ko" ] || continue
	insmod "$ko" || setup_fail "insmod $ko"
done

# The "internet": netns inet with a dummy interface holding the servers'
# address and the modem contexts' addresses.
ip netns add inet || setup_fail "ip netns add inet"
ip -n inet link set lo up
ip -n inet link add inet0 type dummy || setup_fail "dummy link"
ip -n inet addr add 192.0.2.1/24 dev inet0
ip -n inet addr add 192.0.2.100/24 dev inet0
ip -n inet addr add 192.0.2.101/24 dev inet0
ip -n inet link set inet0 up

if command -v echod >/dev/null 2>&1; then
	ip netns exec inet echod --bind 0.0.0.0 --tcp 7 --udp 7 --daemon ||
		setup_fail "echod"
fi

stty -F /dev/ttyS1 raw -echo "$ATNET_BAUD" 2>/dev/null
stty -F /dev/ttyS2 raw -echo "$ATNET_BAUD" 2>/dev/null

if [ "$VM_SIM" = 1 ] && command -v modem-sim >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	ip netns exec inet modem-sim --model "$ATNET_MODEL" --tty /dev/ttyS2 \
		--baud "$ATNET_BAUD" --hosts /etc/sim-hosts \
		--control "$SIM_CTL" --transcript /tmp/sim.log $VM_SIM_ARGS \
		</dev/null >/tmp/sim.out 2>&1 &
	echo $! >/run/sim.pid
	if ! wait_for 20 test -S "$SIM_CTL"; then
		cat /tmp/sim.out
		setup_fail "modem-sim did not create $SIM_CTL"
	fi
fi

attached() {
	ls /sys/class/net 2>/dev/null | grep -q '^wwan'
}

if [ "$VM_ATTACH" = 1 ] && [ -f /lib/modules/extra/atnet.ko ]; then
	for ko in /lib/modules/extra/dep-*.ko; do
		[ -e "$ko" ] && insmod "$ko"
	done
	insmod /lib/modules/extra/atnet.ko $VM_ATNET_PARAMS ||
		setup_fail "insmod atnet.ko"
	if command -v atnet >/dev/null 2>&1; then
		# The tool may daemonise (returns) or stay in the foreground
		# holding the tty: accept either once the interface exists.
		atnet attach /dev/ttyS1 --baud "$ATNET_BAUD" >/tmp/attach.out 2>&1 &
		apid=$!
		if ! wait_for 30 sh -c "! kill -0 $apid 2>/dev/null || ls /sys/class/net | grep -q '^wwan'"; then
			cat /tmp/attach.out
			setup_fail "atnet attach did not finish"
		fi
		if ! kill -0 "$apid" 2>/dev/null; then
			wait "$apid" || {
				cat /tmp/attach.out
				setup_fail "atnet attach /dev/ttyS1 failed"
			}
		fi
		cat /tmp/attach.out
	else
		ldattach -s "$ATNET_BAUD" 29 /dev/ttyS1 ||
			setup_fail "ldattach 29 /dev/ttyS1"
	fi
	export ATNET_ATTACHED=1
fi

kmemleak_scan forget

# Test-only (ATNET_VM_PLANT_HANG of vm.sh): stall before READY, the way a
# guest that hangs in early boot looks from outside, until killed.
if [ "${VM_PLANT_HANG:-0}" = 1 ]; then
	echo "vm-init: planted boot hang (ATNET_VM_PLANT_HANG)"
	while :; do sleep 3600; done
fi

cd /tests 2>/dev/null || cd /
read -r up _ </proc/uptime
echo "$M READY $up"
sh /etc/vm-cmd.sh </dev/null
finish $?
