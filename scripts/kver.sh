#!/bin/sh
# Print the newest Debian 6.1 kernel version that has both a bootable image
# (/boot/vmlinuz-$V) and a build tree (/usr/src/linux-headers-$V or
# /lib/modules/$V/build), so the module is built for the kernel the VM boots.
# Override with KVER=... in the environment.
set -eu
if [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi
best=
for img in /boot/vmlinuz-6.1.*; do
	[ -e "$img" ] || continue
	v=${img#/boot/vmlinuz-}
	if [ -d "/usr/src/linux-headers-$v" ] || [ -d "/lib/modules/$v/build" ]; then
		[ -d "/lib/modules/$v/kernel" ] || continue
		best="$best$v
"
	fi
done
v=$(printf '%s' "$best" | sort -V | tail -n 1)
if [ -z "$v" ]; then
	echo "kver.sh: no 6.1 kernel with both /boot/vmlinuz-V and headers; run 'make deps'" >&2
	exit 1
fi
echo "$v"
