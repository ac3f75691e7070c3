#!/bin/sh
# The multi-line joins end to end (README "Counting"): the real Dovecot
# and Postfix lines of samples/dovecot-lmtp, read in chunks of about 1 kB
# (MXT_TEST_CHUNK, the test binary's hook) so that the four lines of one
# LMTP refusal and the two daemons' lines fall into different chunks and
# workers, give the report of one whole chunk, for -j1, -j2 and -j4, and
# with the Postfix lines first. The counts themselves are derived by hand
# in samples/dovecot-lmtp/README.md: 24 events, 19 pairs. Then `alert`
# must count what the report counts (one joined failure, one event, the
# report's cause), on that file and on a small one written here.
set -u
MXTALLY=${MXTALLY:-./mxtally}
MXTALLY_T=${MXTALLY_T:-}
. "$(dirname "$0")/lib.sh"
t_begin joins
[ -n "$MXTALLY_T" ] && [ -x "$MXTALLY_T" ] ||
	t_skip_all "no MXTALLY_T (build/rel/mxtally-t)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=samples/dovecot-lmtp/store.log
norm() { jq -S 'del(.input.files, .input.bytes)' "$1"; }

"$MXTALLY" -q -j1 -f json --year 2026 "$log" >"$tmp/ref.json" ||
	t_die "mxtally exit $?"
[ "$(jq .totals.events "$tmp/ref.json")" -eq 24 ] &&
[ "$(jq .totals.join_paired "$tmp/ref.json")" -eq 19 ] && ok ||
	bad "whole file: $(jq -c .totals "$tmp/ref.json")"
norm "$tmp/ref.json" >"$tmp/ref"
for j in 1 2 4; do
	MXT_TEST_CHUNK=256 "$MXTALLY_T" -q -j$j -f json --year 2026 "$log" \
	    >"$tmp/out.json" || bad "-j$j small chunks: exit $?"
	norm "$tmp/out.json" | cmp -s "$tmp/ref" - && ok ||
		bad "-j$j with 1 kB chunks differs from one chunk"
done
# the same lines in another order: Postfix's before Dovecot's
grep ' postfix/' "$log" >"$tmp/swapped.log"
grep -v ' postfix/' "$log" >>"$tmp/swapped.log"
MXT_TEST_CHUNK=256 "$MXTALLY_T" -q -j2 -f json --year 2026 \
    "$tmp/swapped.log" >"$tmp/out.json" || bad "swapped: exit $?"
jq -S '{totals, causes, codes, users}' "$tmp/ref.json" >"$tmp/a"
jq -S '{totals, causes, codes, users}' "$tmp/out.json" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok || bad "Postfix lines first: other counts"
# two files, one per daemon, read by different workers
grep ' postfix/' "$log" >"$tmp/postfix.log"
grep -v ' postfix/' "$log" >"$tmp/dovecot.log"
"$MXTALLY" -q -j2 -f json --year 2026 "$tmp/dovecot.log" "$tmp/postfix.log" \
    >"$tmp/out.json" || bad "two files: exit $?"
jq -S '{totals, causes, codes, users}' "$tmp/out.json" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok || bad "one file per daemon: other counts"
# Postfix alone: its 18 deferrals are all it knows (server_error)
"$MXTALLY" -q -j2 -f json --year 2026 "$tmp/postfix.log" >"$tmp/out.json"
[ "$(jq '.causes.server_error.events' "$tmp/out.json")" -eq 18 ] &&
[ "$(jq '.totals.join_paired' "$tmp/out.json")" -eq 0 ] && ok ||
	bad "Postfix alone: $(jq -c '.causes | map_values(.events)' "$tmp/out.json")"

# alert counts the report's events: one rule per cause, threshold 1 and
# a window of a day, so each fires once with "events" = the cause's
# events (samples/dovecot-lmtp/README.md): system_storage 22 (72 + 12 +
# 7 Dovecot lines), quota_exceeded 1 (2 lines), lock_contention 1,
# server_error none (Postfix's 18 deferrals joined), code 451 18 (the
# joined pairs take the code Postfix got). Line by line it was 91, 2,
# 1, 18 and 18.
cat >"$tmp/causes.ini" <<'INI'
[storage]
cause = system_storage
threshold = 1
window = 1d
[server]
cause = server_error
threshold = 1
window = 1d
[quota]
cause = quota_exceeded
threshold = 1
window = 1d
[lock]
cause = lock_contention
threshold = 1
window = 1d
[unknown]
cause = unknown_mailbox
threshold = 1
window = 1d
[auth]
cause = auth_failure
threshold = 1
window = 1d
[c451]
code = 451
threshold = 1
window = 1d
[burst]
cause = system_storage
threshold = 4
window = 10m
severity = critical
INI
# alert_counts FILE: "rule events" per fired alert, sorted
alert_counts() { jq -r '"\(.rule) \(.events)"' "$1" | sort; }
for j in 1 2 4; do
	MXT_TEST_CHUNK=256 "$MXTALLY_T" alert -q -j$j --year 2026 \
	    --rules "$tmp/causes.ini" "$log" >"$tmp/a.jsonl"
	got=$(alert_counts "$tmp/a.jsonl" | grep -v '^burst' | tr '\n' ' ')
	[ "$got" = "c451 18 lock 1 quota 1 storage 22 " ] && ok ||
		bad "alert -j$j on store.log: $got"
done

# A small file, each case derived by hand (Dovecot and Postfix lines as
# the real daemons wrote them, samples/dovecot-lmtp, times changed):
#  alice 10:00:00  4 Dovecot LMTP lines, then Postfix's 451: 1 event,
#                  system_storage, 451 4.2.0;
#  bob   10:01:00  Postfix's 451 first, Dovecot's 4 lines at 10:01:01
#                  (the order reversed): 1 event, system_storage, 451;
#  carol 10:03:00  4 Dovecot lines, Postfix's 451 at 10:04:00, 60 s
#                  later (outside the 30 s window): 2 events,
#                  system_storage (no code) and server_error (451);
#  dave  10:05:00  Postfix's 552 bounce first, Dovecot's quota line at
#                  10:05:02: 1 event, quota_exceeded, 552 5.2.2;
#  ghost 10:06:00  a POP3 login failure (2 attempts), the auth process's
#                  "unknown user" verdict for its session after it, at
#                  10:06:01: auth_failure 2 with detail unknown_user
#                  (causes.md: a login naming no user);
#  zed   10:06:02  an IMAP login failure with no verdict: auth_failure 1;
#  10:07:00        a qmgr line (no error; moves log time on).
# Report: 8 events: system_storage 3, server_error 1, quota_exceeded 1,
# auth_failure 3 (2 of them unknown_user); code 451 3 (alice's and bob's pairs,
# carol's deferral); join_paired 3 (alice, bob, dave). "burst" (4
# storage events in 10m) fires nowhere: line by line it was 12.
lmtp() {	# lmtp TIME USER SESSION: the 4 lines of one refused recipient
	p="Dec  7 $1 mx dovecot: lmtp($2)<22207><$3>:"
	w="write(/tmp/mxj-dc/mail/$2/tmp/1796648271.M199276P22207.vm) failed: No space left on device"
	e="Error: lmtp-server: conn 127.0.0.1:47612 [3]: rcpt $2@example.org: Mailbox INBOX: Saving mail:"
	echo "$p $e save: $w"
	echo "$p $e $w"
	echo "$p $e $w"
	echo "$p msgid=<t0.1796648271190073255@example.net>: save failed to INBOX: Mailbox INBOX: Saving mail: $w"
}
deferred() {	# deferred TIME USER: Postfix's lmtp client told 451
	echo "Dec  7 $1 mx postfix/lmtp[21760]: 2F298A72992: to=<$2@example.org>, relay=127.0.0.1[127.0.0.1]:24201, delay=0.01, delays=0/0/0/0, dsn=4.2.0, status=deferred (host 127.0.0.1[127.0.0.1] said: 451 4.2.0 <$2@example.org> Internal error occurred. Refer to server log for more information. [2026-12-07 $1] (in reply to end of DATA command))"
}
small=$tmp/small.log
{
	lmtp 10:00:00 alice yKm5C0+tFmu/VgAAg+zDdQ
	deferred 10:00:00 alice
	deferred 10:01:00 bob
	lmtp 10:01:01 bob zLm5C0+tFmu/VgAAg+zDdQ
	lmtp 10:03:00 carol aMm5C0+tFmu/VgAAg+zDdQ
	deferred 10:04:00 carol
	echo "Dec  7 10:05:00 mx postfix/lmtp[21760]: DC002A73566: to=<dave@example.org>, relay=127.0.0.1[127.0.0.1]:24201, delay=0.07, delays=0/0.01/0.06/0.01, dsn=5.2.2, status=bounced (host 127.0.0.1[127.0.0.1] said: 552 5.2.2 <dave@example.org> Quota exceeded (mailbox for user is full) (in reply to end of DATA command))"
	echo "Dec  7 10:05:02 mx dovecot: lmtp(dave)<21757><+NlsOT6tFmv9VAAAg+zDdQ>: msgid=<t2.1796648254899333224@example.net>: save failed to INBOX: Quota exceeded (mailbox for user is full)"
	echo "Dec  7 10:06:00 mx dovecot: pop3-login: Disconnected (auth failed, 2 attempts in 4 secs): user=<ghost>, method=PLAIN, rip=198.51.100.5, lip=10.0.0.1, session=<S1>"
	echo "Dec  7 10:06:01 mx dovecot: auth-worker(7): sql(ghost,198.51.100.5,<S1>): unknown user"
	echo "Dec  7 10:06:02 mx dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<zed>, method=PLAIN, rip=198.51.100.6, lip=10.0.0.1, session=<S2>"
	echo "Dec  7 10:07:00 mx postfix/qmgr[9]: 3F2A11C0A1: removed"
} >"$small"
want_counts='auth 3 c451 3 quota 1 server 1 storage 3 '
"$MXTALLY" -q -f json --year 2026 "$small" >"$tmp/small.json" ||
	bad "report small: exit $?"
got=$(jq -r '"\(.totals.events) \(.totals.join_paired) " + ([.causes | to_entries[] | "\(.key)=\(.value.events)"] | sort | join(" "))' "$tmp/small.json")
want='8 3 auth_failure=3 quota_exceeded=1 server_error=1 system_storage=3'
[ "$got" = "$want" ] && ok || bad "report small: $got, want $want"
got=$(jq -c '.causes.auth_failure.detail' "$tmp/small.json")
[ "$got" = '[["unknown_user",2]]' ] && ok || bad "report small: auth detail $got"
for j in 1 2; do
	MXT_TEST_CHUNK=256 "$MXTALLY_T" alert -q -j$j --year 2026 \
	    --rules "$tmp/causes.ini" "$small" >"$tmp/a.jsonl"
	got=$(alert_counts "$tmp/a.jsonl" | tr '\n' ' ')
	[ "$got" = "$want_counts" ] && ok || bad "alert -j$j small: $got"
done
# the report's own alerts section fires the same
"$MXTALLY" -q -f json --year 2026 --rules "$tmp/causes.ini" "$small" |
    jq -c '.alerts[]' >"$tmp/r.jsonl"
"$MXTALLY" alert -q --year 2026 --rules "$tmp/causes.ini" "$small" |
    jq -c . >"$tmp/a.jsonl"
cmp -s "$tmp/r.jsonl" "$tmp/a.jsonl" && ok || bad "report alerts differ from alert"

# watch joins as it reads (agg/join_stream.c): the same files, read from
# the start or appended in pieces, must show the report's counts on
# /metrics: the alerts' window events (every event of the hour is in
# the 1d windows), the events per cause and the pairs.
command -v curl >/dev/null || { skip "watch: no curl"; t_end; exit; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port/metrics
wpid=
trap '[ -n "$wpid" ] && kill "$wpid" 2>/dev/null; rm -rf "$tmp"' EXIT
# wait_lines N: until watch has read N lines (10 s at most)
wait_lines() {
	n=0
	while [ $n -lt 100 ] && ! curl -s "$url" | grep -qx "mxtally_lines_total $1"; do
		sleep 0.1; n=$((n + 1))
	done
	sleep 0.3	# the round's end: held lines go when all are read
}
# watch_counts: "rule events" of the alerts firing, as alert_counts
watch_counts() {
	curl -s "$url" >"$tmp/w.prom"
	sed -n 's/^mxtally_alert_window_events{rule="\([a-z0-9]*\)",key=""} \([0-9]*\)$/\1 \2/p' \
	    "$tmp/w.prom" | sort | tr '\n' ' '
}
wcause() { awk -v m="mxtally_events_total{cause=\"$1\"" 'index($0, m) == 1 { print $2 }' "$tmp/w.prom"; }
wstart() {	# wstart FILE...: watch them from the start
	"$MXTALLY" watch -q --year 2026 --from-start --rules "$tmp/causes.ini" \
	    --listen "127.0.0.1:$port" "$@" 2>"$tmp/w.err" &
	wpid=$!
}
wstop() { kill -TERM "$wpid"; wait "$wpid"; wpid=; }

wstart "$small"
wait_lines 21
got=$(watch_counts)
[ "$got" = "$want_counts" ] && ok || bad "watch small: $got"
got="$(wcause system_storage) $(wcause server_error) $(wcause unknown_mailbox) $(wcause auth_failure) $(grep '^mxtally_join_paired_total' "$tmp/w.prom")"
[ "$got" = "3 1 0 3 mxtally_join_paired_total 3" ] && ok ||
	bad "watch small, events per cause: $got"
wstop

# store.log's two daemons' lines as two files (one read ahead of the
# other), and as one file in time order: the counts of the README (see
# alert above), 19 pairs; "burst" fires (22 storage events in 2 min).
# (store.log itself is Dovecot's log, then Postfix's: dave's 12:57:34
# bounce comes after Dovecot's 12:58:12 lines, later than the 30 s a
# stream waits, so watch counts it on its own there.)
grep ' postfix/' "$log" >"$tmp/postfix.log"
grep -v ' postfix/' "$log" >"$tmp/dovecot.log"
sort -s -k3,3 "$log" >"$tmp/sorted.log"
for set in "$tmp/sorted.log" "$tmp/dovecot.log $tmp/postfix.log" \
    "$tmp/postfix.log $tmp/dovecot.log"; do
	# shellcheck disable=SC2086
	wstart $set
	wait_lines "$(cat $set | wc -l | tr -d ' ')"
	got=$(watch_counts)
	[ "$got" = "burst 22 c451 18 lock 1 quota 1 storage 22 " ] &&
	    grep -qx 'mxtally_join_paired_total 19' "$tmp/w.prom" && ok ||
		bad "watch $set: $got $(grep '^mxtally_join_paired' "$tmp/w.prom")"
	wstop
done

# Lines appended in pieces while watch follows: a piece ends between
# alice's Dovecot lines and Postfix's, between bob's Postfix line and
# his Dovecot lines, and between ghost's login failure and its verdict
# (the verdict line comes last, in a later read). The same counts.
: >"$tmp/live.log"
"$MXTALLY" watch -q --year 2026 --rules "$tmp/causes.ini" \
    --listen "127.0.0.1:$port" "$tmp/live.log" 2>"$tmp/w.err" &
wpid=$!
wait_lines 0
total=0
for cut in 3 7 10 14 20 21; do
	sed -n "$((total + 1)),${cut}p" "$small" >>"$tmp/live.log"
	total=$cut
	wait_lines $total
done
got=$(watch_counts)
[ "$got" = "$want_counts" ] && ok || bad "watch, appended in pieces: $got"
wstop
t_end
