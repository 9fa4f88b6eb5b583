#!/bin/bash
# The layer boundary of kernel/ (see kernel/README): the core files name no
# modem family, carry no AT command or answer text and never branch on the
# dialect id; all of that lives in the dialect files. One TAP test per core
# file; a failure prints the offending lines.
#
#   check_layers.sh [KERNEL_DIR]
#
# Dialect files (exempt): sim7000*, sim7020* (one family each), dialects.c
# (the model table), ts27007.c (the ITU-T V.250 / 3GPP TS 27.007 commands
# every family answers alike) and answer.[ch] (the sans-IO parsers of the
# dialects' answers). Everything else in kernel/ is core.
# The chat engine may name the final result codes of V.250 and TS 27.007
# ("+CME ERROR", "+CMS ERROR"): recognising those is its job.
set -uo pipefail

dir=${1:-$(cd "$(dirname "$0")/../../kernel" && pwd)}
cd "$dir" || exit 2

# family names, dialect-id branches, AT command text, answer/URC text
pat='[Ss][Ii][Mm]70[0-9][0-9]|dialect_id|ATNET_DIALECT_SIM'
pat+='|AT[+&*#$%^][A-Z]|"AT"|\<AT[EIOD][0-9]?\>|\<ATE\>'
pat+='|\+[A-Z]{2,}[:,= ]|\+[A-Z]{3,}\>'
pat+='|\<(RDY|POWER DOWN|SMS Ready|CONNECT OK|SEND OK|CLOSE OK|SHUT OK|SERVER OK|ALREADY CONNECT|REMOTE IP|DATA ACCEPT)\>'
allow='\+CM[ES] ERROR'

n=0 fail=0
files=()
for f in *.c *.h; do
	case $f in sim70[0-9][0-9]* | dialects.c | ts27007.c | answer.[ch] | *.mod.c) continue ;; esac
	files+=("$f")
done
echo "TAP version 13"
echo "1..${#files[@]}"
for f in "${files[@]}"; do
	n=$((n + 1))
	hits=$(grep -nE "$pat" "$f" | grep -vE "^[0-9]+:.*($allow)[^+]*$" || true)
	if [ -z "$hits" ]; then
		echo "ok $n - layers: $f names no dialect and carries no AT text"
	else
		echo "not ok $n - layers: $f names a dialect or carries AT text ($(echo "$hits" | wc -l) lines)"
		echo "$hits" | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
done
[ "$fail" = 0 ]
