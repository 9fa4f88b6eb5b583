#!/bin/bash
# AF_ATNET benchmark: boots the test VM per configuration, runs bench in it
# and prints one table. Usage: selftests/bench/bench.sh (or make -C
# selftests/bench bench). Needs atnet.ko, modem-sim and echod built.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build/bench
mkdir -p "$out"
make -s -C "$root/selftests/bench" TOP="$root" >/dev/null

run() { # run NAME BAUD SIMARGS BENCHARGS [MODEL]
	local name=$1 baud=$2 sim=$3 args=$4 model=${5:-sim7000}
	"$root/selftests/vm.sh" -q --model "$model" --baud "$baud" --sim-args "$sim" \
		--add "$out/bench" --timeout 900 -- "bench $args" \
		>"$out/$name.txt" 2>&1 || true
}

val() { sed -n "s/^$2 //p" "$out/$1.txt" | head -n 1; }

run b115k 115200 "" "--bytes 262144 --no-fair"
run b921k 921600 "" "--bytes 1048576"
run rtt200 115200 "--rtt 200" "--bytes 0 --no-fair"
# SIM7020: binary (AT+CSODSEND, AT+CSORCVFLAG=1) and the hex fallback.
run s20bin 115200 "" "--bytes 131072 --no-fair" sim7020
run s20hex 115200 "--no-binary" "--bytes 65536 --no-fair" sim7020

printf '%-40s %12s %12s\n' "AF_ATNET (simulated SIM7000, QEMU TCG)" "115200" "921600"
printf '%-40s %11s%% %11s%%\n' "bulk upload, % of baud/10" "$(val b115k up_pct)" "$(val b921k up_pct)"
printf '%-40s %11s%% %11s%%\n' "bulk download, % of baud/10" "$(val b115k down_pct)" "$(val b921k down_pct)"
printf '%-40s %9s ms %9s ms\n' "64-byte echo RTT (median)" "$(val b115k rtt_ms)" "$(val b921k rtt_ms)"
printf '%-40s %9s ms\n' "64-byte echo RTT, sim --rtt 200" "$(val rtt200 rtt_ms)"
printf '%-40s %12s %11s%%\n' "8 sockets x 64 KiB down: total" "-" "$(val b921k fair_total_pct)"
printf '%-40s %12s %12s\n' "8 sockets: Jain fairness index" "-" "$(val b921k fair_jain)"
printf '%-40s %12s\n' "module core size (bytes)" "$(val b921k module_coresize)"
printf '%-40s %12s\n' "struct atnet_sock (slab object)" "$(val b921k slab_ATNET_objsize)"
printf '%-40s %12s\n' "struct socket + inode (slab object)" "$(val b921k slab_sock_inode_cache_objsize)"
printf '%-40s %12s\n' "per-link buffers (rx + tx ring + chunk)" "$((16384 + 16384 + 1460))"
echo
printf '%-40s %12s %12s\n' "AF_ATNET (simulated SIM7020, 115200)" "binary" "hex"
printf '%-40s %11s%% %11s%%\n' "bulk upload, % of baud/10" "$(val s20bin up_pct)" "$(val s20hex up_pct)"
printf '%-40s %11s%% %11s%%\n' "bulk download, % of baud/10" "$(val s20bin down_pct)" "$(val s20hex down_pct)"
printf '%-40s %9s ms %9s ms\n' "64-byte echo RTT (median)" "$(val s20bin rtt_ms)" "$(val s20hex rtt_ms)"
echo "raw outputs: $out/*.txt"
