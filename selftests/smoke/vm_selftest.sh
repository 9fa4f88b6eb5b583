#!/bin/bash
# Host-side checks of selftests/vm.sh itself (TAP): it must pass output and
# exit status through, install --add files, join ttyS1 and ttyS2, and fail
# the run on a kernel WARNING, a timeout or a boot hang -- otherwise no VM
# test could ever fail for those reasons.  Each check boots a VM.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
vm=$root/selftests/vm.sh
tmp=$(mktemp -d /tmp/atnet-vmself.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

n=0 fails=0
ok() { # ok STATUS DESC
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
		sed 's/^/#   /' "$tmp/out" | tail -n 30
	fi
}

echo "TAP version 13"
echo "1..10"

# 1: a normal full bed boot, timed (target: command runs within 20 s)
"$vm" -- 'echo bed-up' >"$tmp/out" 2>&1 </dev/null
st=$?
bt=$(sed -n 's/^# vm: booted to command in \([0-9.]*\) s.*/\1/p' "$tmp/out")
echo "# boot to command: ${bt:-?} s"
[ "$st" = 0 ] && grep -q '^bed-up$' "$tmp/out" &&
	[ -n "$bt" ] && [ "$(echo "$bt < 20" | bc)" = 1 ]
ok $? "full bed boots and runs the command in under 20 s (${bt:-?} s)"

# 2: exit status passes through
"$vm" -q --no-sim --no-attach -- 'exit 7' >"$tmp/out" 2>&1 </dev/null
st=$?
[ "$st" = 7 ]
ok $? "exit status of the command is vm.sh's (got $st, want 7)"

# 3: argv form keeps words, output is printed
"$vm" -q --no-sim --no-attach -- printf '%s|' 'two words' three >"$tmp/out" 2>&1 </dev/null
grep -q '^two words|three|' "$tmp/out"
ok $? "argument vector passed word by word and output printed"

# 4: --add puts files under /extra, on PATH
printf '#!/bin/sh\necho added-script-ran "$@"\n' >"$tmp/added.sh"
chmod +x "$tmp/added.sh"
mkdir -p "$tmp/adir"
echo payload >"$tmp/adir/data.txt"
"$vm" -q --no-sim --no-attach --add "$tmp/added.sh" --add "$tmp/adir" -- \
	'added.sh x && cat /extra/adir/data.txt' >"$tmp/out" 2>&1 </dev/null
grep -q '^added-script-ran x$' "$tmp/out" && grep -q '^payload$' "$tmp/out"
ok $? "--add files appear under /extra and on PATH"

# 5: ttyS1 and ttyS2 are one null-modem cable, both directions
# (both ends held open before writing, so nothing depends on timing)
"$vm" -q --no-sim --no-attach -- 'exec 3<>/dev/ttyS1 4<>/dev/ttyS2
	stty raw -echo <&3; stty raw -echo <&4
	printf ping12 >&3; printf pong34 >&4
	a=$(timeout 10 head -c 6 <&4); b=$(timeout 10 head -c 6 <&3)
	echo "got $a $b"' >"$tmp/out" 2>&1 </dev/null
grep -q '^got ping12 pong34$' "$tmp/out"
ok $? "ttyS1 <-> ttyS2 null modem carries bytes both ways"

# 6: a kernel WARNING fails the run even when the command succeeds
"$vm" -q --no-sim --no-attach -- 'echo "WARNING: CPU: 0 PID: 1 at selftest" > /dev/kmsg; true' \
	>"$tmp/out" 2>&1 </dev/null
st=$?
[ "$st" != 0 ] && grep -q 'kernel logged' "$tmp/out"
ok $? "kernel WARNING in the guest log fails the run (status $st)"

# 7: lockdep-style report fails the run too
"$vm" -q --no-sim --no-attach -- 'echo "<4>WARNING: possible circular locking dependency detected" > /dev/kmsg; true' \
	>"$tmp/out" 2>&1 </dev/null
st=$?
[ "$st" != 0 ]
ok $? "lockdep report in the guest log fails the run (status $st)"

# 8: timeout kills the guest and fails
t0=$(date +%s)
"$vm" -q --no-sim --no-attach --timeout 25 -- 'sleep 600' >"$tmp/out" 2>&1 </dev/null
st=$?
el=$(($(date +%s) - t0))
[ "$st" != 0 ] && grep -q timeout "$tmp/out" && [ "$el" -lt 60 ]
ok $? "timeout kills the VM and fails (status $st after ${el}s)"

# 9: a boot that never reaches READY is a bed failure, found at the bound
# (the guest's init stalls before READY: ATNET_VM_PLANT_HANG, test-only)
t0=$(date +%s)
ATNET_VM_PLANT_HANG=always "$vm" -q --no-sim --no-attach --boot-timeout 20 -- 'echo never' \
	>"$tmp/out" 2>&1 </dev/null
st=$?
el=$(($(date +%s) - t0))
[ "$st" = 7 ] && grep -q 'FAIL: boot hang: the guest did not reach READY within 20s (test bed' "$tmp/out" &&
	grep -q 'planted boot hang' "$tmp/out" && ! grep -q '^never$' "$tmp/out" && [ "$el" -lt 50 ]
ok $? "boot hang detected within the bound and reported as the bed's (status $st after ${el}s)"

# 10: the runner retries a boot hang once, and says so in its summary
mkdir -p "$tmp/vmt"
printf '#!/bin/sh\necho "ok 1 - hello from the guest"\n' >"$tmp/vmt/hello.sh"
chmod +x "$tmp/vmt/hello.sh"
echo "vm-args: --no-sim --no-attach --add $tmp/vmt/hello.sh" >"$tmp/vmt/hello.sh.vm"
ATNET_VM_PLANT_HANG=first VM_BOOT_TIMEOUT=20 "$root/selftests/run_vm_tests.sh" \
	--dir "$tmp/vmt" >"$tmp/out" 2>&1 </dev/null
st=$?
[ "$st" = 0 ] && grep -q '^ok 1 - hello.sh \[sim7000\]: hello from the guest' "$tmp/out" &&
	grep -q 'RETRIED after a boot hang: boot hang' "$tmp/out" &&
	grep -q '^# vm: 1 passed, 0 failed, 0 skipped, 1 retried (boot hang)' "$tmp/out"
ok $? "run_vm_tests.sh retries a boot hang once and counts it (status $st)"

[ "$fails" = 0 ]
