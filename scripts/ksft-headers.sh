#!/bin/sh
# Extract kselftest_harness.h and kselftest.h from Debian's linux-source-6.1
# tarball into DIR (default build/ksft); never copied into the repository.
set -eu
dir=${1:-build/ksft}
src=${KSRC_TAR:-$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)}
[ -n "$src" ] && [ -r "$src" ] || {
	echo "ksft-headers: /usr/src/linux-source-6.1.tar.xz missing: run 'make deps'" >&2
	exit 1
}
if [ -s "$dir/kselftest_harness.h" ] && [ -s "$dir/kselftest.h" ] &&
	[ "$dir/kselftest_harness.h" -nt "$src" ]; then
	exit 0
fi
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.x.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
top=$(tar -tf "$src" 2>/dev/null | head -n 1 | cut -d/ -f1)
tar -xf "$src" -C "$tmp" --strip-components=4 --occurrence=1 \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/tools/testing/selftests/kselftest.h"
mv "$tmp/kselftest_harness.h" "$tmp/kselftest.h" "$dir/"
touch "$dir/kselftest_harness.h"
echo "ksft-headers: extracted into $dir"
