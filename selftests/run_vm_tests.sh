#!/bin/bash
# Run the VM test suite: every test program in build/vm-tests/, one VM boot
# per program and model, and print one TAP stream.
#
#   selftests/run_vm_tests.sh [--model M] [--list] [--dir DIR] [-j N]
#                             [--no-variants] [NAME...]
#
# -j N (or VM_JOBS=N): N VMs at a time (default 1; each VM uses -smp 2).
#
# Registration: any executable file in build/vm-tests/ is a test (subdir
# Makefiles install there; VMTESTS=<abs path> is passed by the top Makefile).
# Which models it runs against and extra selftests/vm.sh options come from,
# in this order:
#   1. a sidecar file build/vm-tests/NAME.vm with lines
#        vm-models: sim7000 sim7020
#        vm-args: --no-attach --baud 9600
#        vm-timeout: 300
#   2. the same "vm-models:" / "vm-args:" / "vm-timeout:" strings inside the
#      file itself (a "# vm-models: ..." comment in a script, or
#      VM_TEST_META("sim7000 sim7020", "--no-attach") from selftests/lib/vmtest.h
#      in a C program)
#   3. default: sim7000, no extra options, 300 s.
#   vm-variants: MODELS/OPTS ...   (optional) extra runs of the test, each
#                   against the simulator with real-modem quirks: MODELS is
#                   a comma list (of the test's models), OPTS a comma list of
#                   modem-sim options (--urc-noise,--autobaud=3), added with
#                   --sim-args; reported as "NAME [MODEL OPTS...]".
#                   --no-variants (or VM_VARIANTS=0) runs only the plain runs
#   vm-lane: side   (optional) a test whose time is the simulated wire's,
#                   not the CPU's (bulk transfers at 115200): it runs in a
#                   side lane, one at a time, next to the main lane
#                   (VM_SIDE_LANE=0 runs it in the main lane)
# The program prints TAP (kselftest_harness does); each "ok"/"not ok" line
# counts as one test.  A program without TAP counts as one test judged by its
# exit status.  A non-zero exit, a kernel warning/oops or a timeout adds a
# "not ok" entry when the program's own TAP did not already fail.
# A boot hang (selftests/vm.sh exit status 7: the guest never reached READY)
# is retried once; the summary line counts the retries ("N retried").
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/build/vm-tests
only_model=
list=0
jobs=${VM_JOBS:-1}
names=()
while [ $# -gt 0 ]; do
	case $1 in
	--model) only_model=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	--list) list=1; shift ;;
	--no-variants) VM_VARIANTS=0; shift ;;
	-j) jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	-h | --help) sed -n '2,/^set /p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run_vm_tests.sh: unknown option $1" >&2; exit 2 ;;
	*) names+=("$1"); shift ;;
	esac
done

meta() { # meta FILE KEY -> value
	local f=$1 key=$2 side=${1}.vm
	if [ -f "$side" ]; then
		sed -n "s/^[# ]*$key:[[:space:]]*//p" "$side" | head -n 1
		return
	fi
	grep -a -o -m 1 "$key:[^\"\\\\]*" "$f" 2>/dev/null | head -n 1 |
		sed -e "s/^$key:[[:space:]]*//" -e 's/[[:space:]]*$//'
}

tests=()
if [ ${#names[@]} -gt 0 ]; then
	for n in "${names[@]}"; do tests+=("$dir/$(basename "$n")"); done
else
	for f in "$dir"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		case $f in *.vm | *.o | *.d) continue ;; esac
		tests+=("$f")
	done
fi

# runs: the main lane's first, then the side lane's (reported in this order)
runs=()
side=()
for f in "${tests[@]+"${tests[@]}"}"; do
	[ -x "$f" ] || { echo "run_vm_tests.sh: no test program $f" >&2; exit 2; }
	models=$(meta "$f" vm-models)
	[ -n "$models" ] || models=sim7000
	lane=$(meta "$f" vm-lane)
	[ "${VM_SIDE_LANE:-1}" = 1 ] || lane=
	variants=
	[ "${VM_VARIANTS:-1}" = 0 ] || variants=$(meta "$f" vm-variants)
	for m in $models; do
		[ -z "$only_model" ] || [ "$m" = "$only_model" ] || continue
		vs=("")
		for v in $variants; do
			case ",${v%%/*}," in *",$m,"*) vs+=("${v#*/}") ;; esac
		done
		for v in "${vs[@]}"; do
			if [ "$lane" = side ]; then
				side+=("$f|$m|$v")
			else
				runs+=("$f|$m|$v")
			fi
		done
	done
done
n_main=${#runs[@]}
runs+=("${side[@]+"${side[@]}"}")

if [ "$list" = 1 ]; then
	for r in "${runs[@]+"${runs[@]}"}"; do
		f=${r%%|*} v=${r##*|} m=${r#*|}
		m=${m%|*}
		echo "$(basename "$f") $m $(meta "$f" vm-args)${v:+ --sim-args ${v//,/ --sim-args }}"
	done
	exit 0
fi

echo "TAP version 13"
if [ ${#runs[@]} -eq 0 ]; then
	echo "1..0 # SKIP no VM test programs in $dir"
	echo "# vm: 0 passed, 0 failed, 0 skipped, 0 retried (boot hang)"
	exit 0
fi

logdir=$root/build/vm/results
# the debug-kernel tier (ATNET_DEBUG_KERNEL=1, selftests/vm.sh) keeps its own
[ "${ATNET_DEBUG_KERNEL:-0}" = 1 ] && logdir=$root/build/vm/results-debug
mkdir -p "$logdir"
n=0 pass=0 fail=0 skip=0 retries=0
t_start=$(date +%s)

emit() { # emit ok|notok DESC [directive]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2${3:+ # $3}"
		case ${3:-} in SKIP* | skip*) skip=$((skip + 1)) ;; *) pass=$((pass + 1)) ;; esac
	else
		echo "not ok $n - $2${3:+ # $3}"
		fail=$((fail + 1))
	fi
}

# out_of I: the output file of runs[I] (its status file adds .st)
out_of() {
	local r=${runs[$1]} f m v
	f=${r%%|*} v=${r##*|} m=${r#*|}
	m=${m%|*}
	v=$(printf '%s' "$v" | tr -c 'A-Za-z0-9=._-' '_')
	echo "$logdir/$(basename "$f").$m${v:+.$v}.out"
}

# run_vars I: runs[I]'s program, model, name, vm.sh args, timeout, output
# and console files, TAP tag, into the caller's locals f m name args to out
# vlog tag
run_vars() {
	local r=${runs[$1]} v
	f=${r%%|*} v=${r##*|} m=${r#*|}
	m=${m%|*} name=$(basename "$f")
	args=$(meta "$f" vm-args)
	# a variant: its simulator options (vm.sh adds up --sim-args)
	args="$args${v:+ --sim-args ${v//,/ --sim-args }}"
	# how TAP names the run: the model, and a variant's options
	tag="$m${v:+ ${v//,/ }}"
	to=$(meta "$f" vm-timeout)
	[ -n "$to" ] || to=300
	out=$(out_of "$1")
	vlog=${out%.out}.console
}

# start_run I: boot the VM for runs[I] in the background; the status and
# duration land in $out.st when it is done
start_run() {
	local f m name args to out vlog tag
	run_vars "$1"
	rm -f "$out.st"
	(
		t0=$(date +%s)
		rm -f "$out.hang"
		for attempt in 1 2; do
			# shellcheck disable=SC2086
			ATNET_VM_ATTEMPT=$attempt "$root/selftests/vm.sh" --model "$m" --timeout "$to" --log "$vlog" -q $args -- "$name" >"$out" 2>&1 </dev/null
			st=$?
			# 7: a boot hang (the bed's, not the test's): once more
			[ "$st" = 7 ] && [ "$attempt" = 1 ] || break
			mv "$out" "$out.hang"
		done
		echo "$st $(($(date +%s) - t0)) $((attempt - 1))" >"$out.st.tmp"
		mv "$out.st.tmp" "$out.st"
	) &
}

# report_run I: turn runs[I]'s output into TAP lines
report_run() {
	local f m name args to out vlog tag st secs retried line desc dir_ bed reason tap_fail tap_n
	run_vars "$1"
	read -r st secs retried <"$out.st"
	rm -f "$out.st"
	echo "# $name [$tag] (vm.sh $args) exit $st, ${secs}s"
	if [ "${retried:-0}" != 0 ]; then
		retries=$((retries + 1))
		echo "# $name [$tag]: RETRIED after a boot hang: $(sed -n 's/^vm\.sh: FAIL: //p' "$out.hang" | head -n 1)"
		rm -f "$out.hang"
	fi

	tap_fail=0 tap_n=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"ok "* | "not ok "*)
			tap_n=$((tap_n + 1))
			if [[ $line =~ ^(not\ )?ok\ +[0-9]*\ *-?\ *([^#]*)(#\ *(.*))?$ ]]; then
				desc=${BASH_REMATCH[2]% }
				dir_=${BASH_REMATCH[4]:-}
			else
				desc=$line dir_=
			fi
			if [ "${line#not }" != "$line" ]; then
				case $dir_ in TODO* | todo*) emit ok "$name [$tag]: $desc" "$dir_" ;;
				*) emit notok "$name [$tag]: $desc"; tap_fail=1 ;; esac
			else
				emit ok "$name [$tag]: $desc" "$dir_"
			fi
			;;
		esac
	done <"$out"

	if [ "$st" != 0 ] || [ "$tap_fail" = 1 ]; then
		# the program's own diagnostics, then the bed's verdict
		sed -e '/^\(not \)\{0,1\}ok /d' -e 's/^/#   /' "$out" | tail -n 150
	fi
	# vm.sh says why it failed the run (kernel report, timeout, setup)
	bed=$(sed -n 's/^vm\.sh: FAIL: //p' "$out" | head -n 1)
	reason=${bed:-exit status $st}
	if [ "$tap_n" = 0 ]; then
		if [ "$st" = 0 ]; then
			emit ok "$name [$tag]"
		else
			emit notok "$name [$tag]: $reason"
		fi
	elif [ -n "$bed" ] || { [ "$st" != 0 ] && [ "$tap_fail" = 0 ]; }; then
		emit notok "$name [$tag]: $reason"
	fi
}

st_of() { # st_of I: the status file of runs[I]
	echo "$(out_of "$1").st"
}

for ((i = 0; i < ${#runs[@]}; i++)); do
	rm -f "$(st_of "$i")"
done

# The side lane: its runs one after the other, next to the main lane.
if [ "$n_main" -lt "${#runs[@]}" ]; then
	(
		for ((i = n_main; i < ${#runs[@]}; i++)); do
			start_run "$i"
			wait
		done
	) &
fi

# The main lane: VM_JOBS (or -j N) VMs at a time. TAP is printed in the
# order of runs[] whichever VM ends first.
next=0
total=${#runs[@]}
running() { # main-lane VMs started and not yet done
	local i c=0
	for ((i = next; i < $1; i++)); do
		[ -f "$(st_of "$i")" ] || c=$((c + 1))
	done
	echo "$c"
}
for ((i = 0; i < n_main; i++)); do
	while [ "$(running "$i")" -ge "$jobs" ]; do
		wait -n 2>/dev/null || sleep 1
		while [ "$next" -lt "$i" ] && [ -f "$(st_of "$next")" ]; do
			report_run "$next"
			next=$((next + 1))
		done
	done
	start_run "$i"
done
while [ "$next" -lt "$total" ]; do
	while [ ! -f "$(st_of "$next")" ]; do
		wait -n 2>/dev/null || sleep 1
	done
	report_run "$next"
	next=$((next + 1))
done
wait

echo "1..$n"
echo "# vm: $pass passed, $fail failed, $skip skipped, $retries retried (boot hang) in $(($(date +%s) - t_start))s"
[ "$fail" = 0 ]
