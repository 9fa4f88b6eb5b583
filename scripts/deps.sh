#!/bin/sh
# Install every Debian package atnet's build and test bed needs.
# Idempotent: apt-get runs only when a package is missing.
#   scripts/deps.sh           install what is missing
#   scripts/deps.sh --check   exit 1 (quietly) if something is missing
set -eu

PKGS="
qemu-system-x86
linux-image-amd64
linux-headers-amd64
linux-source-6.1
busybox-static
libmnl-dev
sparse
iproute2
util-linux
cpio
kmod
clang
llvm
libclang-rt-14-dev
python3
gcc
make
libc6-dev
xz-utils
socat
bc
flex
bison
libelf-dev
libssl-dev
file
"

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done

# The package being installed is not enough: the VM boots a kernel that
# also needs its headers for the module build.
kver_ok() { "$(dirname "$0")/kver.sh" >/dev/null 2>&1; }

if [ "${1:-}" = --check ]; then
	[ -z "$missing" ] && kver_ok
	exit $?
fi

if [ -z "$missing" ]; then
	if kver_ok; then
		echo "deps: all packages present (kernel $("$(dirname "$0")/kver.sh"))"
		exit 0
	fi
	# kernel image and headers disagree: reinstall the metapackages
	missing="linux-image-amd64 linux-headers-amd64"
fi

echo "deps: installing:$missing"
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps: need root (or sudo) to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update </dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing </dev/null
"$(dirname "$0")/kver.sh" >/dev/null
echo "deps: done (kernel $("$(dirname "$0")/kver.sh"))"
