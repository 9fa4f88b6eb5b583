#!/bin/bash
# The test part of `make check` (the build is already done): run every
# suite that exists, print its TAP, count results over all suites and end
# with the line "N passed, N failed".  Exit non-zero on any failure.
#
# Suites (skipped when absent):
#   host:<dir>   `make -C <dir> check` for userspace, selftests/modem-sim,
#                selftests/host (and any other selftests/* with a check
#                target, except smoke/atnet whose tests run in the VM)
#   vm.sh        selftests/smoke/vm_selftest.sh: the VM harness checks itself
#   vm           selftests/run_vm_tests.sh: every program in build/vm-tests
# CHECK_SUITES="host vm.sh vm" selects (space separated, prefixes match).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
logdir=$root/build/check
mkdir -p "$logdir"

pass=0 fail=0 skip=0
failed_suites=()
t_all=$(date +%s)

want() {
	local s
	[ -n "${CHECK_SUITES:-}" ] || return 0
	for s in $CHECK_SUITES; do
		case $1 in "$s"*) return 0 ;; esac
	done
	return 1
}

# run_suite NAME CMD...: stream the output, then count its TAP lines
run_suite() {
	local name=$1 log st p=0 f=0 s=0 t0 line
	shift
	want "$name" || return 0
	log=$logdir/$(echo "$name" | tr '/:' '__').log
	echo "# ===== suite $name: $* ====="
	t0=$(date +%s)
	"$@" </dev/null 2>&1 | tee "$log"
	st=${PIPESTATUS[0]}
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"not ok "* | "not ok")
			case $line in *"# TODO"* | *"# todo"*) p=$((p + 1)) ;; *) f=$((f + 1)) ;; esac ;;
		"ok "* | ok)
			case $line in *"# SKIP"* | *"# skip"*) s=$((s + 1)) ;; *) p=$((p + 1)) ;; esac ;;
		esac
	done <"$log"
	if [ "$st" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - suite $name exited with status $st"
		f=1
	fi
	if [ $((p + f + s)) = 0 ] && [ "$st" = 0 ]; then
		# a suite that ran but printed no TAP counts as one test
		echo "ok - suite $name (no TAP, exit 0)"
		p=1
	fi
	echo "# ===== suite $name: $p passed, $f failed, $s skipped, $(($(date +%s) - t0))s ====="
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ "$f" = 0 ] || failed_suites+=("$name")
}

has_check() {
	[ -f "$1/Makefile" ] && grep -q '^check:' "$1/Makefile"
}

host_dirs=(selftests/modem-sim selftests/host userspace)
for d in selftests/*/; do
	d=${d%/}
	case $d in selftests/smoke | selftests/atnet | selftests/lib) continue ;; esac
	case " ${host_dirs[*]} " in *" $d "*) continue ;; esac
	host_dirs+=("$d")
done
for d in "${host_dirs[@]}"; do
	if has_check "$d"; then
		run_suite "host:$d" make --no-print-directory -C "$d" check
	else
		want "host:$d" && echo "# suite host:$d: no Makefile with a check target, skipped"
	fi
done

run_suite vm.sh "$root/selftests/smoke/vm_selftest.sh"
run_suite vm "$root/selftests/run_vm_tests.sh"

# boot hangs the VM runner retried stay visible (selftests/run_vm_tests.sh)
retried=$(sed -n 's/^# vm: .*, \([0-9]*\) retried (boot hang).*/\1/p' \
	"$logdir"/vm.log "$logdir"/vm.sh.log 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
echo "# total time $(($(date +%s) - t_all))s, $skip skipped, $retried VM boot hangs retried"
if [ ${#failed_suites[@]} -gt 0 ]; then
	echo "# failed suites: ${failed_suites[*]} (logs in $logdir)"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
