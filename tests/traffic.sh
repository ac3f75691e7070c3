#!/bin/sh
# Traffic for Exim, checked against counts made with grep and awk over
# the same real mainlog (../shared/corpus/exim_exporter/mainlog, as
# Exim writes it): "<=" receptions and their S= bytes, "=>" and "->"
# deliveries, "**" bounces, "==" deferrals (each of its "==" lines is a
# failed attempt: a timeout, a 450), rejects, and traffic.counted_from
# naming exim. A log of a family whose traffic is not counted says so
# (counted_from empty, "not counted" in the text), never a bare 0.
set -u
MXTALLY=${MXTALLY:-./mxtally}
. "$(dirname "$0")/lib.sh"
t_begin traffic
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

log=../shared/corpus/exim_exporter/mainlog
[ -r "$log" ] || t_skip_all "no ../shared"

"$MXTALLY" -q -f json "$log" >"$tmp/exim.json" || bad "mxtally on $log"
want() {	# want JQ-PATH VALUE
	got=$(jq -c "$1" "$tmp/exim.json")
	[ "$got" = "$2" ] && ok || bad "exim $1: got $got, want $2"
}
want .traffic.received "$(grep -c ' <= ' "$log")"
want .traffic.delivered "$(grep -cE ' (=>|->) ' "$log")"
want .traffic.bounced "$(grep -c ' \*\* ' "$log")"
want .traffic.deferrals "$(grep -c ' == ' "$log")"
want .traffic.rejected "$(grep -c ' rejected ' "$log")"
want .traffic.bytes_received "$(awk '/ <= / { for (i = 1; i <= NF; i++)
    if ($i ~ /^S=[0-9]+$/) s += substr($i, 3) } END { print s + 0 }' "$log")"
# distinct senders: the word after "<=", "<>" the null sender
want .traffic.senders "$(awk '/ <= / { for (i = 1; i <= NF; i++)
    if ($i == "<=") print $(i + 1) }' "$log" | sort -u | wc -l | tr -d ' ')"
want .traffic.counted_from '["exim"]'
"$MXTALLY" -q "$log" >"$tmp/exim.txt"
grep -q '^  Traffic   counted from exim$' "$tmp/exim.txt" && ok ||
	bad "text: no 'counted from exim' line"

# a POP3 server's log: no message traffic read, so "not counted"
"$MXTALLY" -q -f json samples/qpopper/pop.log >"$tmp/pop.json"
[ "$(jq -c .traffic.counted_from "$tmp/pop.json")" = '[]' ] && ok ||
	bad "qpopper: counted_from not empty"
"$MXTALLY" -q samples/qpopper/pop.log | grep -q '^  Traffic   not counted' &&
    ok || bad "qpopper: the text does not say traffic is not counted"
t_end
