#!/bin/bash
# Build the debug kernel of the debug-kernel test tier: Debian's 6.1 source
# (/usr/src/linux-source-6.1.tar.xz) with a minimal config that boots the
# test VM, plus lockdep, KASAN, kmemleak, UBSAN, debug objects and list
# debugging.  Debian's own kernel has none of these, so this is the only
# place atnet.ko's locking and memory safety get checked.
#
#   scripts/debug-kernel.sh           build if needed; print the build tree
#                                     (the KDIR for the module) on stdout
#   scripts/debug-kernel.sh --check   print the build tree if it is built and
#                                     current, else fail (never builds)
#   scripts/debug-kernel.sh --config  print the config fragment
#
# Everything lives under build/debug-kernel/ (never committed): src/ (the
# extracted tree) and obj/ (O= build output: .config, bzImage, Module.symvers).
# obj/.atnet-stamp holds the hash of this script and the tarball; a second run
# with the same hash does nothing.  The module is built separately
# (make debug-module: a copy of the sources in build/debug-src/).
#
# DUMMY and VETH are built in, so the guest needs no modules but atnet.ko.
# The build shares two cores with other work: nice -n 10, -j2 (DK_JOBS).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tarball=${DK_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
top=$root/build/debug-kernel
src=$top/src
obj=$top/obj
jobs=${DK_JOBS:-2}

# The config fragment: one scripts/config argument list per line.  Start
# from allnoconfig (not tinyconfig: it picks SLOB, which KASAN cannot use).
fragment() {
	cat <<'EOF'
# boot the VM: 64-bit SMP guest, serial console, initramfs, ELF + scripts
--enable 64BIT
--enable SMP
--set-val NR_CPUS 4
--enable PREEMPT
--enable PRINTK
--enable BUG
--enable TTY
--enable SERIAL_8250
--enable SERIAL_8250_CONSOLE
--set-val SERIAL_8250_NR_UARTS 4
--set-val SERIAL_8250_RUNTIME_UARTS 4
--enable UNIX98_PTYS
--enable BLK_DEV_INITRD
--enable RD_GZIP
--enable DEVTMPFS
--enable DEVTMPFS_MOUNT
--enable PROC_FS
--enable PROC_SYSCTL
--enable SYSFS
--enable TMPFS
--enable SHMEM
--enable BINFMT_ELF
--enable BINFMT_SCRIPT
--enable MULTIUSER
--enable FUTEX
--enable EPOLL
--enable SIGNALFD
--enable TIMERFD
--enable EVENTFD
--enable POSIX_TIMERS
--enable FILE_LOCKING
--enable NAMESPACES
--enable UTS_NS
--enable PID_NS
--enable NET_NS
# poweroff -f in the guest's /init ends QEMU through ACPI (S5 lives in the
# DSDT, which needs PCI config space)
--enable PCI
--enable ACPI
--set-str LOCALVERSION -atnet-debug
--disable LOCALVERSION_AUTO
# the module and what the bed runs: netns "inet" on a dummy, veth
--enable MODULES
--enable MODULE_UNLOAD
--disable MODVERSIONS
--disable MODULE_SIG
--enable NET
--enable UNIX
--enable INET
--enable PACKET
--enable NETDEVICES
--enable NET_CORE
--enable DUMMY
--enable VETH
--disable IPV6
--disable WIRELESS
--disable WLAN
--disable ETHERNET
# debugging
--enable DEBUG_KERNEL
--enable KALLSYMS
--enable KALLSYMS_ALL
--enable STACKTRACE
--enable DEBUG_FS
--enable DEBUG_FS_ALLOW_ALL
--enable MAGIC_SYSRQ
--enable PROVE_LOCKING
--enable DEBUG_ATOMIC_SLEEP
--enable DEBUG_PREEMPT
--enable DEBUG_LIST
--enable DEBUG_PLIST
--enable DEBUG_SG
--enable DEBUG_NOTIFIERS
--enable DEBUG_OBJECTS
--enable DEBUG_OBJECTS_FREE
--enable DEBUG_OBJECTS_TIMERS
--enable DEBUG_OBJECTS_WORK
--enable DEBUG_OBJECTS_RCU_HEAD
--enable DEBUG_OBJECTS_PERCPU_COUNTER
--set-val DEBUG_OBJECTS_ENABLE_DEFAULT 1
--enable DEBUG_NET
--enable NET_DEV_REFCNT_TRACKER
--enable NET_NS_REFCNT_TRACKER
--enable SLUB
--enable SLUB_DEBUG
--enable KASAN
--enable KASAN_GENERIC
--enable KASAN_INLINE
--enable KASAN_STACK
--enable DEBUG_KMEMLEAK
--disable DEBUG_KMEMLEAK_AUTO_SCAN
--disable DEBUG_KMEMLEAK_DEFAULT_OFF
--set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 16000
--enable UBSAN
--enable UBSAN_BOUNDS
--enable UBSAN_SHIFT
--enable UBSAN_DIV_ZERO
--enable UBSAN_BOOL
--enable UBSAN_ENUM
--enable UBSAN_SANITIZE_ALL
--disable UBSAN_TRAP
--enable FORTIFY_SOURCE
--enable DETECT_HUNG_TASK
--disable PANIC_ON_OOPS
EOF
}

if [ "${1:-}" = --config ]; then
	fragment | sed -e '/^#/d'
	exit 0
fi

# hash: this script (hence the fragment) and the tarball's identity
hash=$( { cat "$0"; stat -c '%s %Y' "$tarball"; } | md5sum | cut -c1-12)
stamp=$obj/.atnet-stamp
image=$obj/arch/x86/boot/bzImage

current() {
	[ -s "$image" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]
}

if [ "${1:-}" = --check ]; then
	if current; then
		echo "$obj"
		exit 0
	fi
	echo "debug-kernel.sh: no current debug kernel in $obj: run 'make debug-kernel'" >&2
	exit 1
fi

if current; then
	echo "$obj"
	exit 0
fi

log() { echo "debug-kernel.sh: $*" >&2; }
t0=$(date +%s)

[ -r "$tarball" ] || { log "$tarball missing: apt-get install linux-source-6.1"; exit 1; }
if [ ! -f "$src/Makefile" ] || [ "$(cat "$top/.src-id" 2>/dev/null)" != "$(stat -c '%s %Y' "$tarball")" ]; then
	log "extracting $tarball into $src"
	rm -rf "$src"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	stat -c '%s %Y' "$tarball" >"$top/.src-id"
fi
mkdir -p "$obj"

mk() {
	nice -n 10 make -C "$src" O="$obj" ARCH=x86_64 "$@"
}

log "configuring (allnoconfig + fragment)"
mk -s allnoconfig >&2
args=()
while read -r line; do
	case $line in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2206
	args+=($line)
done < <(fragment)
"$src/scripts/config" --file "$obj/.config" "${args[@]}"
mk -s olddefconfig >&2

# every option we asked for must have survived olddefconfig (a missing
# dependency silently drops it)
missing=
while read -r op name val; do
	case $op in
	--enable) want=y ;;
	--disable) continue ;;
	--set-val) want=$val ;;
	--set-str) want="\"$val\"" ;;
	*) continue ;;
	esac
	got=$(sed -n "s/^CONFIG_$name=//p" "$obj/.config")
	[ "$got" = "$want" ] || missing="$missing $name(want $want, got ${got:-unset})"
done < <(fragment | sed -e '/^#/d' -e '/^$/d')
if [ -n "$missing" ]; then
	log "options lost after olddefconfig:$missing"
	exit 1
fi

log "building bzImage + modules (nice -n 10, -j$jobs)"
mk -j"$jobs" bzImage modules >&2
echo "$hash" >"$stamp"
log "built $(cat "$obj/include/config/kernel.release") in $(($(date +%s) - t0)) s"
echo "$obj"
