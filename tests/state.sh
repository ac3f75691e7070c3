#!/bin/sh
# End-to-end tests of what outlives one run:
#  - merge: one saved report merged alone gives itself back (run settings
#    such as max_keys aside);
#    reports of the sample files merged give what one run over all of them
#    gives (the expectation is mxtally's own all-files report: both sides
#    are computed independently, by the scan and by the merge); bad
#    arguments fail with exit 2 or 3 and name the file.
set -u
MXTALLY=${MXTALLY:-./mxtally}
case $MXTALLY in /*) ;; *) MXTALLY=$(pwd)/$MXTALLY ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
run() { "$MXTALLY" -q --year 2026 -j1 "$@"; }
# max_keys is a run setting, not a count: a merge has none of its own
norm() { jq -S 'del(.totals.max_keys)' "$1"; }

# 1. merge
for f in samples/*/*.log; do
	run -f json "$f" >"$tmp/$(basename "$f" .log).json"
done
run -f json samples/*/*.log >"$tmp/all.json"
ls samples/*/*.log | sed 's|.*/||; s|\.log$|.json|' >"$tmp/order"
"$MXTALLY" merge -f json "$tmp/pop3.json" >"$tmp/one.json" || bad "merge one"
norm "$tmp/one.json" >"$tmp/one.n"
norm "$tmp/pop3.json" >"$tmp/pop3.n"
cmp -s "$tmp/one.n" "$tmp/pop3.n" && ok ||
    bad "merging one report changes it"
(cd "$tmp" && "$MXTALLY" merge -f json $(cat order)) >"$tmp/m.json" ||
    bad "merge all"
# the merged files list names the paths as the reports gave them
norm "$tmp/m.json" >"$tmp/m.n"
norm "$tmp/all.json" >"$tmp/all.n"
cmp -s "$tmp/m.n" "$tmp/all.n" && ok ||
    { bad "merge of per-file reports differs from one run"; diff "$tmp/m.n" "$tmp/all.n" | head; }
# text output of a merge is the text report of the combined result
"$MXTALLY" merge "$tmp/mx.json" "$tmp/store.json" >"$tmp/m.txt" && ok ||
    bad "merge text"
grep -q "^" "$tmp/m.txt" && ok || bad "merge text empty"
# --top 1 while merging: one user listed, the total still counts all
"$MXTALLY" merge --top 1 -f json "$tmp/mx.json" "$tmp/store.json" \
    >"$tmp/top.json"
[ "$(jq '.users | length' "$tmp/top.json")" = 1 ] && ok || bad "merge --top 1"
[ "$(jq .totals.users "$tmp/top.json")" = \
  "$(jq -s '[.[].users[].user] | unique | length' "$tmp/mx.json" "$tmp/store.json")" ] &&
    ok || bad "merge --top 1 total users"
# errors
"$MXTALLY" merge 2>"$tmp/err"; [ $? = 2 ] && ok || bad "merge without reports: not 2"
"$MXTALLY" merge "$tmp/nonexistent.json" 2>"$tmp/err"
[ $? = 3 ] && grep -q "nonexistent.json.*cannot open" "$tmp/err" && ok ||
    bad "merge of a missing report"
printf '{"schema": "mxtally/1", "totals": {' >"$tmp/cut.json"
"$MXTALLY" merge "$tmp/cut.json" 2>"$tmp/err"
[ $? = 3 ] && grep -q "cut.json': line 1: " "$tmp/err" && ok ||
    bad "merge of a truncated report"

echo "state: $pass passed, $fail failed"
[ "$fail" = 0 ]
