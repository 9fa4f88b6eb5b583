#!/bin/bash
# Build the cached base initramfs of the test VM:
#   mkbase.sh KVER OUT.cpio [--no-modules]
# Holds what comes from the host system and rarely changes: static busybox
# with its applet links, iproute2's ip/ss and util-linux's ldattach (plus
# socat, strace when present) with the shared libraries ldd names, the
# dummy and veth modules of the Debian kernel KVER, and /init.
# Project-built files (module, tool, simulator, tests) go into the small
# per-run archive that selftests/vm.sh appends.
# --no-modules: the kernel has dummy and veth built in (the debug kernel of
# scripts/debug-kernel.sh), so no modules are taken from /lib/modules.
set -euo pipefail

kver=$1
out=$2
with_modules=1
[ "${3:-}" = --no-modules ] && with_modules=0
here=$(cd "$(dirname "$0")" && pwd)

stage=$(mktemp -d "${TMPDIR:-/tmp}/atnet-base.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,proc,sys,dev,tmp,run,root,var,lib/modules/base,tests,extra}
ln -s ../run "$stage/var/run"

# busybox (static) and its applets; host tools below take precedence
install -m 0755 /bin/busybox "$stage/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] && continue
	case $a in sh | ash | bash) continue ;; esac
	[ -e "$stage/bin/$a" ] || ln -s busybox "$stage/bin/$a"
done

# copy_bin SRC DSTDIR: a host binary plus every library ldd resolves
copy_bin() {
	local src=$1 dst=$2 lib
	install -m 0755 "$src" "$stage$dst/$(basename "$src")"
	for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' || true); do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

# iproute2's ip (busybox ip has no netns), ldattach (ldisc attach)
copy_bin "$(command -v ip || echo /usr/sbin/ip)" /sbin
copy_bin "$(command -v ldattach || echo /usr/sbin/ldattach)" /sbin
rm -f "$stage/bin/ip"
# busybox sh runs its own applets before PATH (so "ip" would be busybox's):
# use dash as /bin/sh, and provide bash for scripts that want it
for sh in dash bash; do
	p=$(command -v "$sh" || true)
	[ -n "$p" ] || continue
	copy_bin "$p" /bin
done
if [ -e "$stage/bin/dash" ]; then
	rm -f "$stage/bin/sh"
	ln -s dash "$stage/bin/sh"
fi
for opt in ss tc socat strace; do
	p=$(PATH=/usr/sbin:/sbin:/usr/bin:/bin command -v "$opt" || true)
	if [ -n "$p" ]; then
		copy_bin "$p" /usr/bin
		rm -f "$stage/bin/$opt"
	fi
done
# dynamic linker path the binaries name
if [ -e /lib64/ld-linux-x86-64.so.2 ] && [ ! -e "$stage/lib64/ld-linux-x86-64.so.2" ]; then
	mkdir -p "$stage/lib64"
	cp -L /lib64/ld-linux-x86-64.so.2 "$stage/lib64/"
fi

# kernel modules the bed needs (Debian ships them uncompressed in 6.1, but
# newer packages may compress them: busybox insmod wants plain .ko)
add_mod() {
	local name=$1 f
	f=$(modinfo -k "$kver" -n "$name" 2>/dev/null || true)
	if [ -z "$f" ] || [ ! -e "$f" ]; then
		f=$(find "/lib/modules/$kver/kernel" -name "$name.ko*" | head -n 1)
	fi
	[ -n "$f" ] || { echo "mkbase: module $name not found for $kver" >&2; exit 1; }
	case "$f" in
	*.ko.xz)  xz -dc "$f" >"$stage/lib/modules/base/$2-$name.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$stage/lib/modules/base/$2-$name.ko" ;;
	*.ko.gz)  gzip -dc "$f" >"$stage/lib/modules/base/$2-$name.ko" ;;
	*)        cp "$f" "$stage/lib/modules/base/$2-$name.ko" ;;
	esac
}
if [ "$with_modules" = 1 ]; then
	add_mod dummy 10
	add_mod veth 20
fi

install -m 0755 "$here/vm-init.sh" "$stage/init"
cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/false
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo "127.0.0.1 localhost" >"$stage/etc/hosts"
echo "$kver" >"$stage/etc/atnet-kver"

tmp=$out.tmp.$$
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp"
mv "$tmp" "$out"
