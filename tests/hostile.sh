#!/bin/sh
# Adversarial cardinality at small scale: a log with 200,000 distinct
# user names (and 20,000 distinct unclassified texts), read with
# --max-keys 1000. Checks, against counts known from how bench/hostile.c
# writes the log (see its header), that:
#  - totals stay exact: every event is in a kept row or in (other);
#  - the users table holds the 1000 most frequent names plus an (other)
#    row whose count is totals.folded_users, and the text report says it
#    folded;
#  - the JSON and text reports are byte-identical for -j1, -j2, -j4 and
#    with --no-mmap;
#  - --max-keys 0 turns folding off and counts every name;
#  - alerts over records spilled to disk equal the in-memory ones;
#  - the same for Postfix traffic sets and the Dovecot join (200,000
#    distinct senders, recipients and sessions), and the capped run's
#    peak RSS stays well below the uncapped one's.
set -u
MXTALLY=${MXTALLY:-./mxtally}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
t_begin hostile

$CC -O2 -std=c11 -o "$tmp/hostile" bench/hostile.c || { echo "FAIL build"; exit 1; }
# 200000 users, 20000 texts, a line for "heavy" after every 100th:
# events = 200000 + 2000, distinct users = 200001 (hostile.c header)
"$tmp/hostile" 200000 20000 100 >"$tmp/h.log"
events=202000

run() { "$MXTALLY" -q --year 2026 --max-keys 1000 "$@" "$tmp/h.log"; }
run -j1 -f json >"$tmp/j1.json" || bad "-j1 exit $?"
for a in -j2 -j4 "-j3 --no-mmap"; do
	# shellcheck disable=SC2086
	run $a -f json >"$tmp/o.json"
	cmp -s "$tmp/j1.json" "$tmp/o.json" && ok || bad "json $a differs from -j1"
done
run -j1 >"$tmp/t1.txt"
run -j4 >"$tmp/t4.txt"
cmp -s "$tmp/t1.txt" "$tmp/t4.txt" && ok || bad "text -j4 differs from -j1"

q() { jq -r "$1" "$tmp/j1.json"; }
[ "$(q .totals.events)" -eq $events ] && ok || bad "events $(q .totals.events), want $events"
[ "$(q '[.users[].events] | add')" -eq $events ] && ok || bad "user rows do not add up to $events"
[ "$(q '[.unclassified[].events] | add')" -eq $events ] && ok ||
    bad "unclassified rows do not add up to $events"
[ "$(q '.users | length')" -le 1001 ] && ok || bad "$(q '.users | length') user rows > 1001"
[ "$(q .totals.users)" -eq 1000 ] && ok ||
    bad "totals.users $(q .totals.users)"
other=$(q '[.users[] | select(.user == "(other)") | .events] | add // 0')
[ "$other" -gt 0 ] && [ "$other" -eq "$(q .totals.folded_users)" ] && ok ||
    bad "(other) row $other, folded_users $(q .totals.folded_users)"
# the kept names are exact: every one but heavy has 1 event, heavy 2000
[ "$(q '[.users[] | select(.user != "(other)" and .user != "heavy" and .events != 1)] | length')" -eq 0 ] &&
    ok || bad "a kept user with a wrong count"
# the least frequent fold: heavy (2000 events) is kept, then 999 of the
# single-event names, so (other) holds 202000 - 2000 - 999 = 199001
[ "$(q '[.users[] | select(.user == "heavy") | .events] | add // 0')" -eq 2000 ] &&
    ok || bad "heavy not kept, or kept with a wrong count"
[ "$other" -eq 199001 ] && ok || bad "(other) $other, want 199001"
[ "$(q .totals.folded_unclassified)" -gt 0 ] && [ "$(q .totals.max_keys)" -eq 1000 ] &&
    ok || bad "folded_unclassified / max_keys"
grep -q '^  Folded    over --max-keys 1,000, the least frequent into (other): 199,001 events of users' \
    "$tmp/t1.txt" && ok || bad "text report does not say it folded"
run -j2 -f html >"$tmp/h.html"
grep -q '<p class="note" id="folded">Over <code>--max-keys 1,000</code>, the least frequent keys were folded into <b>(other)</b>: <span>199,001</span> events of users' \
    "$tmp/h.html" && ok || bad "html report does not say it folded"

"$MXTALLY" -q --max-keys 0 -j2 -f json "$tmp/h.log" >"$tmp/all.json"
[ "$(jq .totals.users "$tmp/all.json")" -eq 200001 ] &&
    [ "$(jq .totals.folded_users "$tmp/all.json")" -eq 0 ] && ok ||
    bad "--max-keys 0: $(jq -c .totals "$tmp/all.json")"
"$MXTALLY" -q --max-keys x "$tmp/h.log" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--max-keys x not a usage error"

# Alert records: every line is selected by the rules below, so with
# --max-keys 1000 (records bounded at 65,536 a worker) the 202,000
# records go to sorted runs; the alerts must be those of an all-in-memory
# run (--max-keys 0), for any -j. With no TMPDIR to spill into, a warning
# says so and the alerts are still the same.
# By hand: "heavy" has a line after every 100th of one-per-second users,
# so more than 5 in its first minute; 60 lines a minute pass 50.
printf '[burst]\ncause = unclassified\nthreshold = 50\nwindow = 1m\n[heavy]\ncause = unclassified\nby = user\nthreshold = 5\nwindow = 10m\n' >"$tmp/r.ini"
arun() { "$MXTALLY" alert -q --year 2026 --rules "$tmp/r.ini" "$@" "$tmp/h.log"; }
arun -j1 --max-keys 0 >"$tmp/a0.jsonl"
[ "$(jq -r .rule "$tmp/a0.jsonl" | sort -u | tr '\n' ' ')" = "burst heavy " ] &&
    [ "$(jq -r 'select(.rule == "heavy") | .key' "$tmp/a0.jsonl" | sort -u)" = heavy ] &&
    ok || bad "alerts in memory: $(head -c 300 "$tmp/a0.jsonl")"
for a in -j1 -j2 "-j3 --no-mmap"; do
	# shellcheck disable=SC2086
	arun $a --max-keys 1000 >"$tmp/a.jsonl"
	cmp -s "$tmp/a0.jsonl" "$tmp/a.jsonl" && ok || bad "alerts $a with spilled records differ"
done
TMPDIR="$tmp/none" "$MXTALLY" alert --year 2026 --rules "$tmp/r.ini" -j1 \
    --max-keys 1000 "$tmp/h.log" >"$tmp/a.jsonl" 2>"$tmp/aerr"
cmp -s "$tmp/a0.jsonl" "$tmp/a.jsonl" && grep -q "cannot create a spill file in '$tmp/none': No such file or directory; alert records stay in memory" "$tmp/aerr" &&
    ok || bad "alerts without TMPDIR: $(cat "$tmp/aerr")"

# Traffic and the Dovecot join at small scale: 200,000 Postfix messages,
# each from and to its own address and domain, 1000 bytes, and 200,000
# Dovecot login failures in their own sessions, the even ones with an
# "unknown user" verdict (hostile.c header). Expected by hand: received =
# delivered = 200000, bytes 200000000 each way; one message per sender
# and one delivery per recipient, so 1000 of each are kept (all equal:
# the lowest names) and 199000 fold, while the distinct counts stay
# exact at 200000; failures: all 200000 auth_failure (causes.md: an
# unknown login too), and each verdict is either joined (detail
# unknown_user) or dropped, unknown_user + join_dropped = 100000.
build_rss() { $CC -O2 -std=gnu11 -o "$tmp/rss" bench/rss.c; }
build_rss || { echo "FAIL build rss"; exit 1; }
"$tmp/hostile" 0 1 0 200000 200000 >"$tmp/t.log"
rm -f "$tmp/h.log"
trun() { "$MXTALLY" -q --year 2026 "$@" "$tmp/t.log"; }
"$tmp/rss" "$MXTALLY" -q --year 2026 --max-keys 1000 -j1 -f json \
    "$tmp/t.log" >"$tmp/tj1.json" 2>"$tmp/rss1" || bad "traffic -j1 exit"
for a in -j2 -j4 "-j3 --no-mmap"; do
	# shellcheck disable=SC2086
	trun --max-keys 1000 $a -f json >"$tmp/o.json"
	cmp -s "$tmp/tj1.json" "$tmp/o.json" && ok ||
	    bad "traffic json $a differs from -j1"
done
tq() { jq -r "$1" "$tmp/tj1.json"; }
[ "$(tq '.traffic | [.received, .delivered, .bytes_received, .bytes_delivered] | join(" ")')" = \
    "200000 200000 200000000 200000000" ] && ok ||
    bad "traffic totals $(tq -c '.traffic | [.received, .delivered, .bytes_received, .bytes_delivered]')"
for side in senders recipients; do
	folded=$(tq ".traffic.folded_$side")
	[ "$(tq ".traffic.$side")" -eq 200000 ] && [ "$folded" -eq 199000 ] && ok ||
	    bad "$side: $(tq ".traffic.$side") distinct, $folded folded"
	col=$([ $side = senders ] && echo messages || echo deliveries)
	[ "$(tq "[.traffic.top_$side[] | select(.address == \"(other)\")] | .[0] | \"\\(.$col) \\(.bytes)\"")" = \
	    "$folded $((folded * 1000))" ] && ok || bad "$side (other) row not $folded"
done
uu='[.causes.auth_failure.detail[]? | select(.[0] == "unknown_user") | .[1]] | add // 0'
um=$(tq "$uu")
af=$(tq '.causes.auth_failure.events // 0')
[ "$af" -eq 200000 ] && [ "$((um + $(tq .totals.join_dropped)))" -eq 100000 ] &&
    [ "$(tq .totals.join_unresolved)" -ge 199000 ] && ok ||
    bad "join: unknown_user $um auth_failure $af totals $(tq -c .totals)"
"$tmp/rss" "$MXTALLY" -q --year 2026 --max-keys 0 -j1 -f json "$tmp/t.log" \
    >"$tmp/tall.json" 2>"$tmp/rss0" || bad "traffic --max-keys 0 exit"
[ "$(jq -r "[.traffic.senders, ($uu)] | join(\" \")" "$tmp/tall.json")" = \
    "200000 100000" ] && ok || bad "--max-keys 0 traffic not exact"
# peak RSS: the cap must save at least a quarter of the uncapped run's.
# Not under ASan: its quarantine keeps freed memory (the spills' sort
# arrays) resident, so the figures are not the program's.
kb() { sed -n 's/.*maxrss_kb=\([0-9]*\).*/\1/p' "$1" | tail -1; }
r1=$(kb "$tmp/rss1") r0=$(kb "$tmp/rss0")
case $MXTALLY in
*san-*)	echo "hostile: RSS compared in the release run only, not under sanitizers (capped ${r1} KiB, uncapped ${r0} KiB)" ;;
*)	[ "$((r1 * 4))" -lt "$((r0 * 3))" ] && ok || bad "capped RSS ${r1} KiB not well below ${r0} KiB"
	echo "hostile: traffic RSS capped ${r1} KiB, uncapped ${r0} KiB" ;;
esac

t_end
