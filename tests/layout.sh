#!/bin/sh
# Line layouts end to end (src/parse/layout.c, scan.c's verdict):
#  - each samples/layout-*/ file is given the layout its README names,
#    with every line recognised where the README says so;
#  - a file nothing understands warns on stderr and in input.warnings,
#    naming the file, the layout and its first unrecognised line, exits
#    0, and the text report says the input was not understood instead of
#    "no error events found"; -q silences stderr only;
#  - the 1-in-100 threshold on both sides;
#  - layout, recognised counts and the first unrecognised line do not
#    depend on -j, even when the file spans many chunks.
set -u
MXTALLY=${MXTALLY:-./mxtally}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
run() { "$MXTALLY" --year 2026 -f json "$@"; }

# 1. each layout sample: layout and recognised lines (READMEs say why)
check_layout() {	# file layout recognised
	run -q -j1 "$1" >"$tmp/o.json" || { bad "$1: exit $?"; return; }
	got=$(jq -r '.input.files[0] | "\(.layout) \(.recognised)"' "$tmp/o.json")
	[ "$got" = "$2 $3" ] && ok || bad "$1: got '$got', want '$2 $3'"
	n=$(jq '.input.warnings | length' "$tmp/o.json")
	[ "$n" = 0 ] && ok || bad "$1: $n warnings"
}
check_layout samples/layout-dovecot/dovecot-info.log dovecot-log 10
check_layout samples/layout-dovecot/dovecot-iso.log dovecot-log 11
check_layout samples/layout-journal/short.log syslog 3
check_layout samples/layout-journal/short-iso.log journal-short-iso 3
check_layout samples/layout-journal/short-precise.log journal-short-precise 3
check_layout samples/layout-journal/short-iso-precise.log journal-short-iso 3
check_layout samples/layout-rfc5424/logger.log rfc5424 4
check_layout samples/layout-multilog/current.log multilog 5
check_layout samples/layout-multilog/local.log tai64nlocal 5
check_layout samples/layout-docker/mx-json.log docker-json 4

# 2. a file of something else entirely
printf 'root:x:0:0:root:/root:/bin/bash\n\ndaemon:x:1:1:\033[31mdaemon:/usr/sbin:/usr/sbin/nologin\n' >"$tmp/passwd"
run -j2 "$tmp/passwd" >"$tmp/w.json" 2>"$tmp/w.err"
rc=$?
[ "$rc" = 0 ] && ok || bad "not understood: exit $rc, want 0"
grep -q "^mxtally: warning: '$tmp/passwd': no line recognised as a mail server's (layout unknown); first unrecognised line: \"root:x:0:0:root:/root:/bin/bash\"\$" "$tmp/w.err" &&
    ok || bad "not understood: stderr: $(cat "$tmp/w.err")"
jq -e --arg p "$tmp/passwd" '.input.warnings == [{"path": $p, "warning":
    "no line recognised as a mail server'"'"'s (layout unknown); first unrecognised line: \"root:x:0:0:root:/root:/bin/bash\""}]
    and .input.files[0].recognised == 0 and .input.files[0].layout == "unknown"' \
    "$tmp/w.json" >/dev/null && ok || bad "not understood: JSON $(jq -c .input "$tmp/w.json")"
"$MXTALLY" --year 2026 -q "$tmp/passwd" >"$tmp/w.txt" 2>"$tmp/w.err"
[ ! -s "$tmp/w.err" ] && ok || bad "-q: stderr not empty: $(cat "$tmp/w.err")"
grep -q "^input not understood" "$tmp/w.txt" && ! grep -q "no error events found" "$tmp/w.txt" &&
    ok || bad "text report of a file not understood: $(cat "$tmp/w.txt")"
run -q "$tmp/passwd" | jq -e '.input.warnings | length == 1' >/dev/null &&
    ok || bad "-q dropped the JSON warning"
# the first unrecognised line is escaped: control bytes as \xNN
{ printf '\n\001bell\033[2J x\n'; cat "$tmp/passwd"; } >"$tmp/ctl"
"$MXTALLY" --year 2026 -f json "$tmp/ctl" 2>"$tmp/c.err" >/dev/null
grep -q 'first unrecognised line: "\\x01bell\\x1b\[2J x"$' "$tmp/c.err" &&
    ok || bad "escaped sample: $(cat -v "$tmp/c.err")"
# a clean report over a mail log still says so
printf 'Dec  7 11:43:35 mx postfix/qmgr[12]: 9A2FA6D82E8: removed\n' >"$tmp/clean.log"
"$MXTALLY" --year 2026 "$tmp/clean.log" >"$tmp/c.txt" 2>"$tmp/c.err"
grep -q "^no error events found" "$tmp/c.txt" && [ ! -s "$tmp/c.err" ] &&
    ok || bad "clean mail log: $(cat "$tmp/c.txt" "$tmp/c.err")"

# 3. the threshold: fewer than 1 in 100 lines recognised warns
awk 'BEGIN { for (i = 0; i < 199; i++) print "noise line " i }' >"$tmp/t1"
cat "$tmp/t1" "$tmp/clean.log" >"$tmp/one"		# 1 of 200
cat "$tmp/t1" "$tmp/clean.log" "$tmp/clean.log" | tail -n 200 >"$tmp/two"	# 2 of 200
run -q "$tmp/one" | jq -e '.input.warnings[0].warning | startswith("only 1 of 200 lines recognised as a mail server'"'"'s (layout unknown); first unrecognised line: \"noise line 0\"")' >/dev/null &&
    ok || bad "1 of 200: $(run -q "$tmp/one" | jq -c .input)"
run -q "$tmp/two" | jq -e '.input.warnings == [] and .input.files[0].recognised == 2' >/dev/null &&
    ok || bad "2 of 200: $(run -q "$tmp/two" | jq -c .input)"

# 4. -j: many chunks (over 4 MiB each) of a Dovecot log file, unknown
# lines after the first 3000 (3010 of 403010 recognised: a warning); the
# same layout, counts and sample for any -j
# (each copy's sessions renamed: one session's lines are one failure)
awk '{ a[NR] = $0 } END { for (c = 0; c < 300; c++) for (i = 1; i <= NR; i++) {
	l = a[i]; gsub(/AAAB>/, "C" c ">", l); print l } }' \
    samples/layout-dovecot/dovecot-info.log >"$tmp/big.log"
awk 'BEGIN { for (i = 0; i < 400000; i++) print "unrelated line " i }' >>"$tmp/big.log"
cat samples/layout-dovecot/dovecot-info.log >>"$tmp/big.log"
run -q -j1 "$tmp/big.log" >"$tmp/b1.json"
for j in 2 5; do
	run -q -j$j "$tmp/big.log" >"$tmp/b$j.json"
	cmp -s "$tmp/b1.json" "$tmp/b$j.json" && ok || bad "big: -j1 and -j$j differ"
done
jq -e '.input.files[0].layout == "dovecot-log" and
    .input.files[0].recognised == 3010 and
    (.input.warnings[0].warning | endswith("first unrecognised line: \"unrelated line 0\""))' \
    "$tmp/b1.json" >/dev/null && ok || bad "big: $(jq -c .input "$tmp/b1.json")"
# 3 auth failures and 1 lock per copy (see samples/layout-dovecot/README.md)
jq -e '.causes.auth_failure.events == 903 and .causes.lock_contention.events == 301' \
    "$tmp/b1.json" >/dev/null && ok || bad "big: causes $(jq -c '.causes | map_values(.events)' "$tmp/b1.json")"

# 5. one real run logged five ways (tests/layouts/README.md): the same
# report in every layout; the logins are what the clients were told
same() {	# NAME FILE...: the causes, users and logins of FILE... as JSON
	name=$1; shift
	"$MXTALLY" -q -j2 -f json "$@" | jq -S -c '{causes: (.causes |
	    map_values({events, users})), logins: .traffic.logins,
	    recognised: ([.input.files[].recognised] | add),
	    warnings: (.input.warnings | length)}' >"$tmp/$name.same"
}
L=tests/layouts
same s3164 $L/dp-syslog-3164.log
same s3339 $L/dp-rfc3339.log
same journal $L/dp-journal-short-iso.log
same own $L/dp-own-dovecot.log $L/dp-own-postfix.log
same owniso $L/dp-own-iso-dovecot.log $L/dp-own-iso-postfix.log
for v in s3339 journal own owniso; do
	jq -c 'del(.recognised)' "$tmp/$v.same" >"$tmp/a"
	jq -c 'del(.recognised)' "$tmp/s3164.same" >"$tmp/b"
	cmp -s "$tmp/a" "$tmp/b" && ok || bad "real run, $v: $(cat "$tmp/a") != syslog $(cat "$tmp/b")"
done
jq -e --slurpfile t $L/dp-truth.json '.logins == $t[0].logins and
    .warnings == 0' "$tmp/s3164.same" >/dev/null &&
    ok || bad "real run: logins $(jq -c .logins "$tmp/s3164.same")"
"$MXTALLY" -q -f json $L/dp-own-dovecot.log $L/dp-own-iso-dovecot.log \
    $L/dp-journal-short-iso.log $L/dp-rfc3339.log | jq -r '[.input.files[] |
    .layout, (.lines == .recognised)] | @tsv' >"$tmp/l"
printf 'dovecot-log\ttrue\tdovecot-log\ttrue\tjournal-short-iso\ttrue\trfc3339\ttrue\n' |
    cmp -s - "$tmp/l" && ok || bad "real run layouts: $(cat "$tmp/l")"
same emain $L/exim-mainlog.log
same esys $L/exim-syslog-3164.log
jq -c 'del(.recognised)' "$tmp/emain.same" >"$tmp/a"
jq -c 'del(.recognised)' "$tmp/esys.same" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok || bad "real Exim run: mainlog $(cat "$tmp/a") != syslog $(cat "$tmp/b")"

echo "layout: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
