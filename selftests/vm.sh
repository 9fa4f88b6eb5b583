#!/bin/bash
# Run a command in a QEMU (TCG) guest booting Debian's 6.1 kernel with a
# busybox initramfs, the modem simulator on ttyS2 inside netns "inet" and
# (once built) atnet.ko attached to ttyS1.  ttyS1 and ttyS2 are joined by one
# QEMU unix-socket chardev pair: a null-modem cable.
#
#   selftests/vm.sh [options] -- COMMAND...
#
# One COMMAND word is run as a shell command line (sh -c); several words are
# run as an argument vector.  The guest's PATH starts with /tests (every file
# of build/vm-tests) and /extra (files given with --add).
# Exit status: COMMAND's, or non-zero with a message on a kernel WARNING,
# BUG, oops, lockdep/KASAN/UBSAN report, boot failure or timeout.
# A guest that never reaches its READY marker (setup done) within
# --boot-timeout is a boot hang: killed at once and reported as a test-bed
# failure, exit status 7 (selftests/run_vm_tests.sh retries it once).
#
# Debug-kernel tier: ATNET_DEBUG_KERNEL=1 in the environment (or
# --debug-kernel) boots the lockdep/KASAN/kmemleak/UBSAN kernel of
# scripts/debug-kernel.sh with the atnet.ko built against it
# (build/debug-src/, make debug-module) instead of Debian's kernel and
# ./atnet.ko; the guest then also reports kmemleak suspects at the end.
# Nothing else changes, so every VM test runs on it: make check-debug.
set -euo pipefail
shopt -s extglob

usage() {
	cat <<'EOF'
usage: selftests/vm.sh [options] -- COMMAND...
  --model sim7000|sim7020  simulated modem (default sim7000; env ATNET_MODEL)
  --baud N                 UART speed of ttyS1/ttyS2 and the simulator (115200)
  --add PATH               copy PATH (file or directory) to /extra in the guest;
                           repeatable
  --no-attach              do not insmod atnet.ko / attach it to ttyS1
  --no-sim                 do not start modem-sim on ttyS2
  --sim-args "ARGS"        extra modem-sim options (realism, faults); repeated,
                           they add up
  --module-params "P"      parameters for insmod atnet.ko
  --timeout S              kill the VM after S seconds (default 300)
  --boot-timeout S         a boot hang: no READY (setup done) within S seconds
                           (default 90, env VM_BOOT_TIMEOUT); exit status 7
  --smp N                  guest CPUs (default 2; MTTCG)
  --mem MB                 guest memory (default 512)
  --append "ARGS"          extra kernel command line
  --log FILE               full console log (default build/vm/logs/...)
  --allow-kernel-warnings  do not fail on WARNING/BUG/lockdep/... in the log
  --debug-kernel           boot the debug kernel (env ATNET_DEBUG_KERNEL=1);
                           timeouts are multiplied by VM_DEBUG_SLOWDOWN (3)
  -q, --quiet              print only COMMAND's output
  -h, --help               this text
Environment in the guest: ATNET_MODEL, ATNET_BAUD, SIM_CTL=/run/sim.ctl,
SIM_LOG=/tmp/sim.log, ATNET_TTY=/dev/ttyS1, SIM_TTY=/dev/ttyS2, ATNET_ATTACHED.
Test-only: ATNET_VM_PLANT_HANG=always (or =first: only while the caller's
ATNET_VM_ATTEMPT is 1) makes the guest's init stall before READY, to check
the boot-hang detection (selftests/smoke/vm_selftest.sh).
EOF
}

die() {
	echo "vm.sh: $*" >&2
	exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)
model=${ATNET_MODEL:-sim7000}
baud=${ATNET_BAUD:-115200}
attach=1
sim=1
sim_args=
mod_params=
timeout=${VM_TIMEOUT:-300}
boot_timeout=${VM_BOOT_TIMEOUT:-90}
smp=${VM_SMP:-2}
mem=${VM_MEM:-512}
append=
log=
check_klog=1
quiet=0
adds=()
debug_kernel=${ATNET_DEBUG_KERNEL:-0}

while [ $# -gt 0 ]; do
	case $1 in
	--model) model=${2?}; shift 2 ;;
	--model=*) model=${1#*=}; shift ;;
	--baud) baud=${2?}; shift 2 ;;
	--baud=*) baud=${1#*=}; shift ;;
	--add) adds+=("${2?}"); shift 2 ;;
	--add=*) adds+=("${1#*=}"); shift ;;
	--no-attach) attach=0; shift ;;
	--no-sim) sim=0; shift ;;
	--sim-args) sim_args="${sim_args:+$sim_args }${2?}"; shift 2 ;;
	--sim-args=*) sim_args="${sim_args:+$sim_args }${1#*=}"; shift ;;
	--module-params) mod_params=${2?}; shift 2 ;;
	--timeout) timeout=${2?}; shift 2 ;;
	--boot-timeout) boot_timeout=${2?}; shift 2 ;;
	--smp) smp=${2?}; shift 2 ;;
	--mem) mem=${2?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--log) log=${2?}; shift 2 ;;
	--allow-kernel-warnings) check_klog=0; shift ;;
	--debug-kernel) debug_kernel=1; shift ;;
	-q | --quiet) quiet=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
done
[ $# -gt 0 ] || { usage >&2; die "no COMMAND given (put it after --)"; }
case $model in sim7000 | sim7020) ;; *) die "--model must be sim7000 or sim7020, not '$model'" ;; esac
case $baud in '' | *[!0-9]*) die "--baud must be a number" ;; esac
case $timeout in '' | *[!0-9]*) die "--timeout must be seconds" ;; esac
case $boot_timeout in '' | *[!0-9]*) die "--boot-timeout must be seconds" ;; esac
plant_hang=0
case ${ATNET_VM_PLANT_HANG:-} in
'') ;;
always) plant_hang=1 ;;
first) [ "${ATNET_VM_ATTEMPT:-1}" != 1 ] || plant_hang=1 ;;
*) die "ATNET_VM_PLANT_HANG must be always or first" ;;
esac
for a in "${adds[@]+"${adds[@]}"}"; do
	[ -e "$a" ] || die "--add: '$a' does not exist"
done

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run 'make deps'"
kver=$("$root/scripts/kver.sh") || die "no usable kernel: run 'make deps'"
kernel=/boot/vmlinuz-$kver
ko=$root/atnet.ko
mkbase_opts=()
if [ "$debug_kernel" = 1 ]; then
	dk=$("$root/scripts/debug-kernel.sh" --check) ||
		die "no debug kernel: run 'make debug-kernel debug-module'"
	kver=$(cat "$dk/include/config/kernel.release")
	kernel=$dk/arch/x86/boot/bzImage
	ko=$root/build/debug-src/atnet.ko
	[ -f "$ko" ] || [ "$attach" = 0 ] || die "no $ko: run 'make debug-module'"
	# dummy and veth are built in
	mkbase_opts=(--no-modules)
	# lockdep, KASAN and kmemleak under TCG: everything is slower
	timeout=$((timeout * ${VM_DEBUG_SLOWDOWN:-3}))
	boot_timeout=$((boot_timeout * ${VM_DEBUG_SLOWDOWN:-3}))
fi
[ -r "$kernel" ] || die "$kernel not readable"

build=$root/build/vm
mkdir -p "$build/logs"

# --- base initramfs, cached by kernel version and builder contents -------
hash=$(cat "$root/selftests/lib/mkbase.sh" "$root/selftests/lib/vm-init.sh" |
	md5sum | cut -c1-12)
base=$build/base-$kver-$hash.cpio
if [ ! -s "$base" ]; then
	[ "$quiet" = 1 ] || echo "vm.sh: building base initramfs $base" >&2
	rm -f "$build/base-$kver-"*.cpio
	"$root/selftests/lib/mkbase.sh" "$kver" "$base" "${mkbase_opts[@]+"${mkbase_opts[@]}"}"
fi

# --- per-run archive ------------------------------------------------------
run=$(mktemp -d /tmp/atnet-vm.XXXXXX)
qpid=
wdpid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	[ -z "$wdpid" ] || kill "$wdpid" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
st=$run/root
mkdir -p "$st"/{etc,tests,extra,usr/local/bin,lib/modules/extra}

q() { # shell-quote one word for sh
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

{
	echo "export ATNET_MODEL=$(q "$model") ATNET_BAUD=$(q "$baud")"
	echo "export SIM_CTL=/run/sim.ctl SIM_LOG=/tmp/sim.log"
	echo "export ATNET_TTY=/dev/ttyS1 SIM_TTY=/dev/ttyS2 ATNET_ATTACHED=0"
	echo "export KVER=$(q "$kver")"
	echo "VM_ATTACH=$attach VM_SIM=$sim"
	echo "VM_SIM_ARGS=$(q "$sim_args")"
	echo "VM_ATNET_PARAMS=$(q "$mod_params")"
	echo "VM_PLANT_HANG=$plant_hang"
} >"$st/etc/vm.conf"

{
	if [ $# -eq 1 ]; then
		echo "exec sh -c $(q "$1")"
	else
		printf 'exec'
		for w in "$@"; do printf ' %s' "$(q "$w")"; done
		echo
	fi
} >"$st/etc/vm-cmd.sh"

# DNS names the simulator resolves (AT+CDNSGIP); the simulator's own file
# wins when it ships one.
if [ -f "$root/selftests/modem-sim/hosts" ]; then
	cp "$root/selftests/modem-sim/hosts" "$st/etc/sim-hosts"
else
	cat >"$st/etc/sim-hosts" <<'EOF'
192.0.2.1 echo.atnet.test
192.0.2.1 server.atnet.test
192.0.2.1 www.example.com
EOF
fi

for b in modem-sim echod; do
	f=$root/selftests/modem-sim/$b
	[ -x "$f" ] && install -m 0755 "$f" "$st/usr/local/bin/$b"
done
[ -x "$root/userspace/atnet" ] && install -m 0755 "$root/userspace/atnet" "$st/usr/local/bin/atnet"
if [ -f "$ko" ]; then
	cp "$ko" "$st/lib/modules/extra/atnet.ko"
	# modules atnet.ko depends on, from the Debian tree
	deps=$(modinfo -F depends "$ko" 2>/dev/null | tr ',' ' ')
	for d in $deps; do
		f=$(modinfo -k "$kver" -n "$d" 2>/dev/null) || continue
		case $f in
		*.xz) xz -dc "$f" >"$st/lib/modules/extra/dep-$d.ko" ;;
		*.zst) zstd -qdc "$f" >"$st/lib/modules/extra/dep-$d.ko" ;;
		*) cp "$f" "$st/lib/modules/extra/dep-$d.ko" ;;
		esac
	done
fi
if [ -d "$root/build/vm-tests" ]; then
	cp -a "$root/build/vm-tests/." "$st/tests/" 2>/dev/null || true
fi
for a in "${adds[@]+"${adds[@]}"}"; do
	cp -a "$a" "$st/extra/"
done

(cd "$st" && find . -mindepth 1 | cpio -o -H newc -R 0:0 --quiet) >"$run/run.cpio"
cat "$base" "$run/run.cpio" >"$run/initrd.cpio"

# --- boot -----------------------------------------------------------------
[ -n "$log" ] || log=$build/logs/$(date +%Y%m%d-%H%M%S)-$$-$model.log
mkdir -p "$(dirname "$log")"
: >"$log"
sock=$run/null-modem.sock
cmdline="console=ttyS0,115200 loglevel=5 panic=-1 mitigations=off"
cmdline="$cmdline 8250.nr_uarts=4 log_buf_len=4M tsc=reliable no_timer_check"
cmdline="$cmdline $append"

qemu=(qemu-system-x86_64 -accel tcg -nic none -m "$mem" -smp "$smp"
	-nographic -no-reboot -monitor none
	-kernel "$kernel" -initrd "$run/initrd.cpio" -append "$cmdline"
	-serial stdio
	-chardev "socket,id=a,path=$sock,server=on,wait=off" -serial chardev:a
	-chardev "socket,id=b,path=$sock" -serial chardev:b)

t0=$(date +%s.%N)
fifo=$run/console
mkfifo "$fifo"
# timeout(1) ends QEMU at the deadline (status 124); the reader sees EOF
timeout --signal=TERM --kill-after=5 "$timeout" "${qemu[@]}" </dev/null >"$fifo" 2>&1 &
qpid=$!
# The boot watchdog: the reader below creates $run/booted at the guest's
# first marker (READY, or SETUP-FAIL/EXIT of a bed that gave up); without
# one by the bound, the boot hung: mark it and end QEMU (timeout(1) passes
# the signal on).
(
	end=$((SECONDS + boot_timeout))
	while [ "$SECONDS" -lt "$end" ]; do
		[ -e "$run/booted" ] && exit 0
		kill -0 "$qpid" 2>/dev/null || exit 0
		sleep 1
	done
	[ -e "$run/booted" ] && exit 0
	: >"$run/boot-hang"
	kill -TERM "$qpid" 2>/dev/null
) &
wdpid=$!

boot_time=
in_cmd=0
while IFS= read -r line || [ -n "$line" ]; do
	line=${line%$'\r'}
	case $line in *$'\e'*) line=${line//$'\e'[\[(]*([0-9;?])[a-zA-Z]/}
		line=${line//$'\e'?/} ;; esac
	printf '%s\n' "$line" >>"$log"
	case $line in "@@ATNET-VM@@ "*) [ -e "$run/booted" ] || : >"$run/booted" ;; esac
	case $line in
	@@KLOG@@* | @@SIMLOG@@* | "@@ATNET-VM@@ DONE"*) ;;
	"@@ATNET-VM@@ READY"*)
		boot_time=$(echo "$(date +%s.%N) - $t0" | bc)
		in_cmd=1
		[ "$quiet" = 1 ] || printf '# vm: booted to command in %.1f s (guest uptime %s s)\n' \
			"$boot_time" "${line##* }"
		;;
	"@@ATNET-VM@@ EXIT"*)
		in_cmd=0
		[ "$quiet" = 1 ] || printf '%s\n' "$line"
		;;
	*)
		if [ "$quiet" = 0 ] || [ "$in_cmd" = 1 ]; then
			printf '%s\n' "$line"
		fi
		;;
	esac
done <"$fifo"
qst=0
wait "$qpid" 2>/dev/null || qst=$?
qpid=
kill "$wdpid" 2>/dev/null || true
wait "$wdpid" 2>/dev/null || true
wdpid=
boot_hang=0
if [ -e "$run/boot-hang" ]; then
	boot_hang=1
	echo "@@ATNET-VM@@ BOOT-HANG" >>"$log"
elif [ "$qst" = 124 ] || [ "$qst" = 137 ]; then
	echo "@@ATNET-VM@@ TIMEOUT" >>"$log"
fi
# keep the newest 300 console logs
{ ls -1t "$build/logs"/*.log 2>/dev/null || true; } | tail -n +301 | xargs -r rm -f

# --- verdict ----------------------------------------------------------------
fail() {
	echo "vm.sh: FAIL: $1" >&2
	echo "vm.sh: console log: $log" >&2
	exit "${2:-1}"
}

status=$(sed -n 's/^@@ATNET-VM@@ EXIT \([0-9]*\).*/\1/p' "$log" | tail -n 1)

# Kernel log: the dmesg dump plus any timestamped console line (reports
# printed while the command ran, or before a crash).
bad='WARNING:|BUG:|Oops|general protection|possible circular locking|possible recursive locking|inconsistent lock state|INFO: |KASAN|UBSAN|Kernel panic|kernel BUG|suspicious RCU usage|refcount_t:|list_add corruption|list_del corruption|stack-protector|hung_task|soft lockup|hard LOCKUP'
# the debug kernel's kmemleak scan (vm-init.sh) and netdev refcount tracker
bad="$bad|suspected memory leak|unreferenced object 0x|unregister_netdevice: waiting|ref_tracker: .* has"
if grep -q '^@@KLOG@@' "$log"; then
	klog=$(sed -n 's/^@@KLOG@@ //p' "$log")
else
	klog=$(grep -a -E '^\[ *[0-9]+\.[0-9]+\] ' "$log" || true)
fi
if [ "$check_klog" = 1 ]; then
	hits=$(printf '%s\n' "$klog" | grep -E "$bad" || true)
	if [ -n "$hits" ]; then
		echo "vm.sh: kernel log reports:" >&2
		printf '%s\n' "$klog" | grep -E -A 20 "$bad" | head -n 60 >&2
		fail "guest kernel logged a warning/bug/lockdep/oops report" 3
	fi
fi
if [ "$boot_hang" = 1 ]; then
	last=$(grep -a -v -e '^[[:space:]]*$' -e '^@@ATNET-VM@@' -e '^qemu-system' "$log" |
		tail -n 1 | cut -c1-160)
	fail "boot hang: the guest did not reach READY within ${boot_timeout}s (test bed, not the test; last console line: ${last:-none})" 7
fi
if grep -q '^@@ATNET-VM@@ TIMEOUT' "$log"; then
	fail "timeout after ${timeout}s (guest killed)" 4
fi
if grep -q '^@@ATNET-VM@@ SETUP-FAIL' "$log"; then
	fail "$(sed -n 's/^@@ATNET-VM@@ SETUP-FAIL //p' "$log" | head -n 1) (test bed setup)" 5
fi
[ -n "$status" ] || fail "guest did not report the command's exit status (crash?)" 6
if [ "$status" != 0 ]; then
	if [ "$quiet" = 0 ] && grep -q '^@@SIMLOG@@' "$log"; then
		echo "# vm: simulator transcript (tail):"
		sed -n 's/^@@SIMLOG@@ /#   /p' "$log" | tail -n 40
	fi
	echo "vm.sh: command exited with status $status (log: $log)" >&2
fi
exit "$status"
