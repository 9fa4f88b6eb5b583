#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vm-models: sim7000 sim7020
# vm-args: --sim-args --rtt=300
#
# ATNET_CMD_RESOLVE and ATNET_CMD_PING through the atnet tool, end to end:
# names from the simulator's hosts file (AT+CDNSGIP), unknown names
# (+CDNSGIP: 0,8 -> ENOENT), host names that could inject AT, the second
# context (AT+CIPSGTXT first), ping round trips in the modem's 100 ms units,
# lost pings, a caller interrupted while the modem is silent, a modem
# restart under a waiting caller, and callers in parallel.
. "$(dirname "$0")/ctl_lib.inc"

IF=wwan0
echo "1..25"

check "modem ready" wait_for 30 show_has $IF ready
if [ "$ATNET_MODEL" = sim7000 ]; then
	atnet up $IF
fi
check "context 0 up" wait_for 60 show_has $IF "context 0: up"

out=$(atnet resolve $IF echo.atnet.test 2>&1)
check "resolve echo.atnet.test -> 192.0.2.1 ($out)" test "$out" = 192.0.2.1
out=$(atnet resolve $IF www.example.com 2>&1)
check "resolve www.example.com -> 192.0.2.1 ($out)" test "$out" = 192.0.2.1

out=$(atnet resolve $IF nosuch.atnet.test 2>&1)
st=$?
check "unknown name fails" test $st = 1
case $out in *"No such file or directory"*"host not found"*) ok "unknown name: ENOENT, host not found ($out)" ;;
*) not_ok "unknown name: ENOENT, host not found ($out)" ;; esac

for bad in 'a"b' 'a;b' "$(printf 'a\tb')"; do
	out=$(atnet resolve $IF "$bad" 2>&1)
	case $out in *"Invalid argument"*"host name must"*) ok "rejected host name: $out" ;;
	*) not_ok "rejected host name: $out" ;; esac
done
long=$(printf '%0256d' 0)
out=$(atnet resolve $IF "$long" 2>&1)
case $out in *"too long"*) ok "256-byte name: too long" ;; *) not_ok "256-byte name: $out" ;; esac
out=$(atnet resolve $IF "$(printf '%0255d' 0)" 2>&1)
case $out in *"host not found"*) ok "255-byte name reaches the modem" ;; *) not_ok "255-byte name: $out" ;; esac

out=$(atnet ping $IF 192.0.2.1 -c 3 2>&1)
n=$(echo "$out" | grep -c 'reply from 192.0.2.1 ttl=[0-9]* time=[0-9]* ms')
check "ping -c 3: three replies ($n)" test "$n" = 3
t=$(echo "$out" | sed -n 's/.*seq=1 .*time=\([0-9]*\) ms/\1/p')
check "rtt in 100 ms units, about --rtt 300 ($t ms)" test "${t:-0}" -ge 100 -a "${t:-0}" -le 1500
out=$(atnet ping $IF 192.0.2.77 -c 1 2>&1)
st=$?
case $out in *"seq=1 timeout"*) ok "unanswered ping: timeout" ;; *) not_ok "unanswered ping: $out" ;; esac
check "unanswered ping: exit 1" test $st = 1
out=$(atnet ping $IF 224.0.0.1 -c 1 2>&1)
case $out in *"not a unicast"*) ok "multicast refused" ;; *) not_ok "multicast: $out" ;; esac

# Two callers at once: served one after the other, both answered.
atnet resolve $IF echo.atnet.test >/tmp/r1 2>&1 &
p1=$!
atnet resolve $IF server.atnet.test >/tmp/r2 2>&1 &
p2=$!
wait $p1
s1=$?
wait $p2
s2=$?
check "parallel resolves both answered ($(cat /tmp/r1 /tmp/r2 | tr '\n' ' '))" \
	test $s1 = 0 -a $s2 = 0 -a "$(cat /tmp/r1)" = 192.0.2.1 -a "$(cat /tmp/r2)" = 192.0.2.1

# A silent modem: the caller waits, a signal ends the wait at once (TERM:
# a background job of a script ignores INT).
sim_cmd "$SIM_CTL" stall
t0=$(date +%s)
atnet resolve $IF echo.atnet.test >/tmp/r3 2>&1 &
p3=$!
sleep 1
kill -TERM $p3
wait $p3
st=$?
t1=$(date +%s)
check "interrupted resolve returns at once (exit $st, $((t1 - t0)) s)" test $((t1 - t0)) -le 3 -a $st != 0
sim_cmd "$SIM_CTL" unstall
check "modem ready again after the silence" wait_for 40 sh -c "atnet resolve $IF echo.atnet.test | grep -q 192.0.2.1"

# A restart under a waiting caller ends its wait with an error.
sim_cmd "$SIM_CTL" stall
atnet resolve $IF echo.atnet.test >/tmp/r4 2>&1 &
p4=$!
sleep 1
sim_cmd "$SIM_CTL" unstall
sim_cmd "$SIM_CTL" restart
wait $p4
st=$?
check "restart ends the wait with an error ($(cat /tmp/r4))" test $st != 0
check "ready after the restart" wait_for 60 show_has $IF ready

if [ "$ATNET_MODEL" = sim7000 ]; then
	# The second context answers for its own interface (AT+CIPSGTXT=1).
	out=$(atnet resolve wwan1 echo.atnet.test 2>&1)
	case $out in *"context is not up"*) ok "context 1 down: $out" ;; *) not_ok "context 1 down: $out" ;; esac
	atnet up $IF
	atnet up wwan1
	both_up() { show_has $IF "context 0: up" && show_has $IF "context 1: up"; }
	check "contexts 0 and 1 up" wait_for 60 both_up
	atnet resolve $IF echo.atnet.test >/dev/null 2>&1
	out=$(atnet resolve wwan1 echo.atnet.test 2>&1)
	check "resolve on wwan1 after wwan0 ($out)" test "$out" = 192.0.2.1
	# The transcript splits writes; the simulator's own view is exact.
	sel=$(printf 'status\n' | socat -t 5 - "UNIX-CONNECT:$SIM_CTL" | sed -n 's/^context //p')
	check "the modem had context 1 selected for it (context $sel)" test "$sel" = 1
else
	out=$(atnet listen $IF 5000 2>&1)
	case $out in *"Operation not supported"*"SIM7020 has no TCP server mode"*) ok "SIM7020 listener: EOPNOTSUPP ($out)" ;;
	*) not_ok "SIM7020 listener: $out" ;; esac
	ok "# SKIP second context: SIM7000 only"
	ok "# SKIP second context: SIM7000 only"
	ok "# SKIP second context: SIM7000 only"
fi
finish
