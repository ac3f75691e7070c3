#!/bin/sh
# End-to-end tests of `mxtally alert`: rules over small logs written here
# (expectations counted by hand from the lines below), the shipped
# samples/alerts.ini over the samples, the three formats, exit status and
# the atomic --prom-file write.
set -u
MXTALLY=${MXTALLY:-./mxtally}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
t_begin alert
# check NAME WANT GOT
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: want '$2', got '$3'"; fi; }

# mx1 is out of disk at 10:00 and 10:05 (one 10m window), again at 10:20
# (15 minutes after the last one: the window has emptied). 198.51.100.9
# fails SASL 3 times within 9 seconds; 198.51.100.10 once.
S='postfix/smtpd[1]: NOQUEUE: reject: MAIL from a.example[192.0.2.10]: 452 4.3.1 Insufficient system storage; from=<s@a.example> proto=ESMTP helo=<a.example>'
A='postfix/submission/smtpd[2]: warning: unknown[198.51.100.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=dave@example.net'
B='postfix/submission/smtpd[2]: warning: unknown[198.51.100.10]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=erin@example.net'
cat >"$tmp/mail.log" <<EOF
Nov 21 10:00:00 mx1 $S
Nov 21 10:01:00 mx1 $A
Nov 21 10:01:04 mx1 $B
Nov 21 10:01:05 mx1 $A
Nov 21 10:01:09 mx1 $A
Nov 21 10:05:00 mx1 $S
Nov 21 10:20:00 mx1 $S
EOF
cat >"$tmp/rules.ini" <<'EOF'
[disk]
cause     = system_storage
by        = host
threshold = 2
window    = 10m
severity  = critical

[cause.ignored]
; a classification section: alert rules skip it

[guess]
cause     = auth_failure
by        = client
threshold = 3
window    = 1m
EOF

"$MXTALLY" alert -q --year 2026 -j1 --rules "$tmp/rules.ini" "$tmp/mail.log" \
    >"$tmp/j1.jsonl"
check "fired exit" 1 $?
"$MXTALLY" alert -q --year 2026 -j2 --rules "$tmp/rules.ini" "$tmp/mail.log" \
    >"$tmp/j2.jsonl"
cmp -s "$tmp/j1.jsonl" "$tmp/j2.jsonl" && ok || bad "-j1 and -j2 differ"
check "alert count" 2 "$(wc -l <"$tmp/j1.jsonl" | tr -d ' ')"
check "disk alert" 'disk mx1 2 2 2026-11-21T10:00:00 2026-11-21T10:05:00 false' \
    "$(jq -r 'select(.rule=="disk") | "\(.rule) \(.key) \(.value) \(.events) \(.first) \(.last) \(.firing)"' "$tmp/j1.jsonl")"
check "guess alert" 'guess 198.51.100.9 3 3 2026-11-21T10:01:00 2026-11-21T10:01:09 warning 1m' \
    "$(jq -r 'select(.rule=="guess") | "\(.rule) \(.key) \(.value) \(.threshold) \(.first) \(.last) \(.severity) \(.window)"' "$tmp/j1.jsonl")"

# --max-keys 1 caps the windows at one: mx1's (10:00, still in its 10m
# window at 10:01) holds the place, so the 3 + 1 SASL failures of two new
# keys are counted in no window, and reported; disk still fires.
"$MXTALLY" alert --year 2026 -j2 --max-keys 1 --rules "$tmp/rules.ini" \
    "$tmp/mail.log" >"$tmp/cap.jsonl" 2>"$tmp/cap.err"
check "capped exit" 1 $?
check "capped alerts" disk "$(jq -r .rule "$tmp/cap.jsonl" | tr '\n' ' ' | sed 's/ $//')"
grep -q 'alert windows over --max-keys (1): 4 events of new keys counted in no window' \
    "$tmp/cap.err" && ok || bad "window overflow not reported: $(cat "$tmp/cap.err")"

# nagios reports the alerts firing at the end (10:20): both episodes
# above ended (disk: only 10:20 in its 10m window; guess: nothing in the
# last minute), so OK, with the windows' counts now as perfdata (disk 1
# of crit 2, guess 0 of warn 3) and the run's events per cause ("c").
"$MXTALLY" alert -q --year 2026 -f nagios --rules "$tmp/rules.ini" \
    "$tmp/mail.log" >"$tmp/nagios"
check "nagios ended exit" 0 $?
check "nagios lines" 1 "$(wc -l <"$tmp/nagios" | tr -d ' ')"
case $(cat "$tmp/nagios") in
"MXTALLY OK - no alert firing | rule_disk=1;;2;0 rule_guess=0;3;;0 "*" auth_failure=4c;;;0 "*" system_storage=3c;;;0 "*) ok ;;
*) bad "nagios line: $(cat "$tmp/nagios")" ;;
esac
# one more full disk at 10:21: 10:20 and 10:21 in one window, firing now
cp "$tmp/mail.log" "$tmp/firing.log"
echo "Nov 21 10:21:00 mx1 $S" >>"$tmp/firing.log"
out=$("$MXTALLY" alert -q --year 2026 -f nagios --rules "$tmp/rules.ini" "$tmp/firing.log")
check "nagios firing exit" 2 $?
case $out in "MXTALLY CRITICAL - 1 alert firing: disk mx1 (2 in 10m) | rule_disk=2;;2;0 rule_guess=0;3;;0 "*) ok ;;
*) bad "nagios firing: $out" ;; esac
# an unreadable input does not hide it: CRITICAL, and both are said
out=$("$MXTALLY" alert -q --year 2026 -f nagios --rules "$tmp/rules.ini" \
    "$tmp/firing.log" "$tmp/missing.log")
check "nagios critical + unreadable exit" 2 $?
case $out in "MXTALLY CRITICAL - an input could not be read; 1 alert firing: disk mx1 (2 in 10m) |"*) ok ;;
*) bad "nagios critical + unreadable: $out" ;; esac
# a WARNING is not worth more than an unreadable input: UNKNOWN
sed 's/severity  = critical/severity = warning/' "$tmp/rules.ini" >"$tmp/warn.ini"
out=$("$MXTALLY" alert -q --year 2026 -f nagios --rules "$tmp/warn.ini" \
    "$tmp/firing.log" "$tmp/missing.log")
check "nagios warning + unreadable exit" 3 $?
case $out in "MXTALLY UNKNOWN - an input could not be read; 1 alert firing: disk mx1 (2 in 10m) |"*) ok ;;
*) bad "nagios warning + unreadable: $out" ;; esac

# A periodic check with --state (NRPE every few minutes): the first run
# sees mx1's disk full at 10:20 and 10:21, CRITICAL; by the next run the
# log has only gone on with lines that are no error (10:35, 10:40): the
# second run reads just those, the window ending 10:40 is empty, OK.
N='postfix/qmgr[9]: 3F2A11C0A1: removed'
cp "$tmp/firing.log" "$tmp/nrpe.log"
"$MXTALLY" alert -q --year 2026 -f nagios --state "$tmp/nrpe.state" \
    --rules "$tmp/rules.ini" "$tmp/nrpe.log" >/dev/null
check "nrpe first run" 2 $?
printf 'Nov 21 10:35:00 mx1 %s\nNov 21 10:40:00 mx1 %s\n' "$N" "$N" >>"$tmp/nrpe.log"
out=$("$MXTALLY" alert -q --year 2026 -f nagios --state "$tmp/nrpe.state" \
    --rules "$tmp/rules.ini" "$tmp/nrpe.log")
check "nrpe second run" 0 $?
case $out in "MXTALLY OK - no alert firing | rule_disk=0;;2;0 "*" system_storage=0c;;;0 "*) ok ;;
*) bad "nrpe second run: $out" ;; esac
# a window spanning two runs: 11:00 in the first (1 of 2), 11:05 in the
# second; only the carried window (FILE.windows) makes it 2: CRITICAL
echo "Nov 21 11:00:00 mx1 $S" >"$tmp/span.log"
"$MXTALLY" alert -q --year 2026 -f nagios --state "$tmp/span.state" \
    --rules "$tmp/rules.ini" "$tmp/span.log" >/dev/null
check "span first run" 0 $?
echo "Nov 21 11:05:00 mx1 $S" >>"$tmp/span.log"
out=$("$MXTALLY" alert -q --year 2026 -f nagios --state "$tmp/span.state" \
    --rules "$tmp/rules.ini" "$tmp/span.log")
check "span second run" 2 $?
case $out in "MXTALLY CRITICAL - 1 alert firing: disk mx1 (2 in 10m) | rule_disk=2;;2;0 "*" system_storage=1c;;;0 "*) ok ;;
*) bad "span second run: $out" ;; esac
# the jsonl of that run: the episode starts in the first run's line
check "span episode" '2026-11-21T11:00:00 2026-11-21T11:05:00 true' \
    "$("$MXTALLY" alert -q --year 2026 --rules "$tmp/rules.ini" "$tmp/span.log" |
    jq -r '"\(.first) \(.last) \(.firing)"')"
# a changed rule drops its carried window: threshold 3 needs 3 new ones
echo "Nov 21 11:06:00 mx1 $S" >>"$tmp/span.log"
sed 's/threshold = 2/threshold = 3/' "$tmp/rules.ini" >"$tmp/three.ini"
"$MXTALLY" alert -q --year 2026 -f nagios --state "$tmp/span.state" \
    --rules "$tmp/three.ini" "$tmp/span.log" >/dev/null
check "changed rule starts empty" 0 $?
# --since: only 10:21 counts (one event, no alert)
out=$("$MXTALLY" alert -q --year 2026 -f nagios --since 2026-11-21T10:21 \
    --rules "$tmp/rules.ini" "$tmp/firing.log")
check "since exit" 0 $?
case $out in *" system_storage=1c;;;0 "*) ok ;; *) bad "since: $out" ;; esac
"$MXTALLY" alert -q --since someday --rules "$tmp/rules.ini" "$tmp/firing.log" 2>/dev/null
check "bad --since" 2 $?

# no alert: thresholds out of reach; exit 0, nothing printed, nagios OK
sed 's/threshold = ./threshold = 99/' "$tmp/rules.ini" >"$tmp/high.ini"
out=$("$MXTALLY" alert -q --year 2026 --rules "$tmp/high.ini" "$tmp/mail.log")
check "quiet exit" 0 $?
check "quiet output" "" "$out"
out=$("$MXTALLY" alert -q --year 2026 -f nagios --rules "$tmp/high.ini" "$tmp/mail.log")
check "nagios ok exit" 0 $?
case $out in "MXTALLY OK - no alert firing | "*) ok ;; *) bad "nagios ok: $out" ;; esac

# prometheus, and --prom-file replaced by rename (a hard link to the old
# file keeps the old content), no temp file left behind
echo old >"$tmp/mxtally.prom"
ln "$tmp/mxtally.prom" "$tmp/old.prom"
"$MXTALLY" alert -q --year 2026 -f prometheus --prom-file "$tmp/mxtally.prom" \
    --rules "$tmp/rules.ini" "$tmp/mail.log" >"$tmp/stdout.prom"
check "prom exit" 1 $?
check "old file untouched" old "$(cat "$tmp/old.prom")"
cmp -s "$tmp/stdout.prom" "$tmp/mxtally.prom" && ok || bad "prom file != stdout"
check "no temp left" "" "$(ls "$tmp" | grep '\.tmp\.' || true)"
grep -qx 'mxtally_alerts_fired{rule="disk",severity="critical"} 1' \
    "$tmp/mxtally.prom" && ok || bad "prom: disk fired"
grep -qx 'mxtally_events_total{cause="system_storage",group="storage"} 3' \
    "$tmp/mxtally.prom" && ok || bad "prom: system_storage events"
grep -qx 'mxtally_lines_total 7' "$tmp/mxtally.prom" && ok || bad "prom: lines"
grep -qx 'mxtally_alert_value{rule="guess",key="198.51.100.9",severity="warning"} 3' \
    "$tmp/mxtally.prom" && ok || bad "prom: guess value"

# exit status: 2 usage (no rules, bad rules), 3 unreadable input
"$MXTALLY" alert -q "$tmp/mail.log" >/dev/null 2>&1
check "no rules" 2 $?
printf '[x]\ncause = nosuch\n' >"$tmp/bad.ini"
err=$("$MXTALLY" alert --rules "$tmp/bad.ini" "$tmp/mail.log" 2>&1 >/dev/null)
check "bad rules" 2 $?
case $err in *"bad.ini:2: rule 'x': unknown cause 'nosuch'"*) ok ;; *) bad "bad rules message: $err" ;; esac
"$MXTALLY" alert -q --rules "$tmp/rules.ini" "$tmp/missing.log" >/dev/null 2>&1
check "unreadable" 3 $?
"$MXTALLY" alert -q -f nagios --rules "$tmp/rules.ini" "$tmp/missing.log" >/dev/null 2>&1
check "unreadable nagios" 3 $?

# the shipped rules over four samples: the two "452 4.3.1 Insufficient
# system storage" lines on mx2 (10:02, 10:03, one window) and the full
# disk on store2 at 09:45 are the only rule hits (lock: erin 2, alice 2,
# carol 2 < 5; auth: at most 2 per client < 10; quota: 1 per user < 3).
"$MXTALLY" alert -q --year 2026 --rules samples/alerts.ini \
    samples/postfix/mx.log samples/dovecot/store.log \
    samples/generic/pop3.log samples/qpopper/pop.log >"$tmp/samples.jsonl"
check "samples exit" 1 $?
check "samples alerts" 'storage_incident store2 1 2026-11-21T09:45:00
storage_incident mx2 2 2026-11-21T10:02:00' \
    "$(jq -r '"\(.rule) \(.key) \(.value) \(.first)"' "$tmp/samples.jsonl")"

# [cause.NAME] sections in the same file classify first, and an alert
# rule may name the cause they add: 2 "Spool partition full" rejects
# from mx4 within a minute, threshold 2
P='postfix/smtpd[1]: NOQUEUE: reject: MAIL from a.example[192.0.2.10]: 452 4.3.1 Spool partition full; from=<s@a.example> proto=ESMTP helo=<a.example>'
printf 'Nov 21 11:00:00 mx4 %s\nNov 21 11:00:30 mx4 %s\n' "$P" "$P" >"$tmp/spool.log"
cat >"$tmp/both.ini" <<'EOF'
[cause.spool_full]
pattern = spool partition full
group   = storage
meaning = The mail spool partition is full.
advice  = Free space on the spool partition.

[spool]
cause     = spool_full
by        = host
threshold = 2
EOF
check "user cause alert" 'spool mx4 2 2' \
    "$("$MXTALLY" alert -q --year 2026 --rules "$tmp/both.ini" "$tmp/spool.log" |
    jq -r '"\(.rule) \(.key) \(.value) \(.events)"')"

# The report's "alerts" array holds what `mxtally alert` fires for the
# same rules and logs (storage_incident fires on the samples), and merge
# appends the alerts of each report it reads.
"$MXTALLY" alert -q --year 2026 --rules samples/alerts.ini samples/*/*.log \
    >"$tmp/fired.jsonl"
"$MXTALLY" -q -f json --year 2026 --rules samples/alerts.ini \
    samples/*/*.log >"$tmp/report.json"
n=$(grep -c . "$tmp/fired.jsonl")
check "report alerts fire" yes "$([ "$n" -gt 0 ] && echo yes)"
check "report alerts = alert jsonl" "$(jq -c . "$tmp/fired.jsonl")" \
    "$(jq -c '.alerts[]' "$tmp/report.json")"
check "merge appends alerts" $((2 * n)) \
    "$("$MXTALLY" merge -f json "$tmp/report.json" "$tmp/report.json" |
    jq '.alerts | length')"

# a key from the log with invalid UTF-8 is escaped as the report does
# (\u00ff), never written raw: jsonl must stay valid JSON
printf 'Nov 21 07:02:0%d h popper[1]: b\377b at x (192.0.2.1): -ERR [AUTH] bad password\n' 1 2 3 >"$tmp/bad8.log"
printf '[burst]\ncause = auth_failure\nby = user\nthreshold = 2\nwindow = 10m\nseverity = warning\n' >"$tmp/r8.ini"
"$MXTALLY" alert --year 2026 --rules "$tmp/r8.ini" "$tmp/bad8.log" >"$tmp/a8.jsonl"
if grep -q '"key":"b\\u00ffb"' "$tmp/a8.jsonl" && ! LC_ALL=C grep -q "$(printf '\377')" "$tmp/a8.jsonl"; then
	ok
else
	bad "invalid UTF-8 key in jsonl: $(cat "$tmp/a8.jsonl")"
fi

t_end
