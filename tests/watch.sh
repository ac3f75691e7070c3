#!/bin/sh
# `mxtally watch` end to end: appends to a followed log, rotates it by
# rename and by copytruncate, appends again, and checks the exact counts
# on /metrics (curl); then SIGHUP reloads the rules and SIGTERM ends it
# with status 0. Counts are of the lines this script writes.
set -u
MXTALLY=${MXTALLY:-./mxtally}
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
t_begin watch

command -v curl >/dev/null || t_skip_all "no curl"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port/metrics

now=$(date '+%b %e %H:%M:%S')
err() {		# err N HOST: N error lines (system storage) from HOST
	i=0
	while [ $i -lt "$1" ]; do
		echo "$now $2 postfix/smtpd[1]: NOQUEUE: reject: MAIL from a.example[192.0.2.10]: 452 4.3.1 Insufficient system storage; from=<s@a.example> proto=ESMTP helo=<a.example>"
		i=$((i + 1))
	done
}
noise() {	# noise N: N lines that are no error
	i=0
	while [ $i -lt "$1" ]; do
		echo "$now mx1 postfix/qmgr[9]: 3F2A11C0A1: removed"
		i=$((i + 1))
	done
}
# metric NAME: its value now ("" when absent)
metric() { curl -s "$url" | awk -v m="$1" '$1 == m { print $2 }'; }
# wait_for NAME VALUE: up to 10 s
wait_for() {
	n=0
	while [ $n -lt 100 ]; do
		[ "$(metric "$1")" = "$2" ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
expect() {	# expect WHAT NAME VALUE
	if wait_for "$2" "$3"; then ok; else bad "$1: $2 is '$(metric "$2")', want $3"; fi
}

cat >"$tmp/rules.ini" <<'EOF'
[disk]
cause     = system_storage
by        = host
threshold = 100
window    = 10m
severity  = critical
EOF
log=$tmp/mail.log
noise 2 >"$log"		# there before the start: not counted
dlog=$tmp/dovecot.log	# Dovecot's own log_path file, empty for now
: >"$dlog"
# --max-windows 2: mx1 and mx2 take the two windows; mx3's events, all
# within the 10m window of the others, are counted as overflow
"$MXTALLY" watch -q --rules "$tmp/rules.ini" --listen "127.0.0.1:$port" \
    --max-windows 2 "$log" "$dlog" 2>"$tmp/stderr" &
pid=$!
LINES=mxtally_lines_total
STORE='mxtally_events_total{cause="system_storage",group="storage"}'
expect "start" $LINES 0

{ err 3 mx1; noise 2; } >>"$log"			# 5 lines, 3 errors
expect "append" $LINES 5
expect "append" "$STORE" 3

# rename: the writer adds 2 more lines to the old file, then a new one
mv "$log" "$log.1"
{ err 1 mx1; noise 1; } >>"$log.1"
{ err 2 mx2; noise 2; } >"$log"
expect "rename" $LINES 11
expect "rename" "$STORE" 6
expect "rename" 'mxtally_events_by_host_total{host="mx2",cause="system_storage"}' 2

# copytruncate: copy, empty in place, the writer goes on (fewer bytes
# than were there, so the shrink shows)
cp "$log" "$log.2"
: >"$log"
{ err 1 mx3; noise 1; } >>"$log"
expect "copytruncate" $LINES 13
expect "copytruncate" "$STORE" 7

# a partial line waits for its newline
printf '%s' "$(err 1 mx3)" >>"$log"
sleep 1.5
expect "partial" $LINES 13
echo >>"$log"
expect "partial done" $LINES 14
expect "window cap" mxtally_alert_windows 2
expect "window cap" mxtally_alert_window_overflow_total 2
{ err 2 mx1; noise 3; } >>"$log"
expect "again" $LINES 19
expect "again" "$STORE" 10
expect "by host" 'mxtally_events_by_host_total{host="mx1",cause="system_storage"}' 6
expect "no alert" 'mxtally_alerts_firing{rule="disk",key="mx1",severity="critical"}' ""

# SIGHUP: threshold 100 -> 2; mx1 has 2 new errors within 10m
sed 's/threshold = 100/threshold = 2/' "$tmp/rules.ini" >"$tmp/r2" &&
    mv "$tmp/r2" "$tmp/rules.ini"
kill -HUP "$pid"
sleep 1.5
err 2 mx1 >>"$log"
expect "reload" 'mxtally_alerts_firing{rule="disk",key="mx1",severity="critical"}' 1
expect "reload" $LINES 21

# a broken rule file on SIGHUP keeps the old rules and the process
echo '[x]' >"$tmp/rules.ini"; echo 'cause = nosuch' >>"$tmp/rules.ini"
kill -HUP "$pid"
sleep 1.5
kill -0 "$pid" 2>/dev/null && ok || bad "died on a bad reload"
grep -q "rules.ini:2: rule 'x': unknown cause 'nosuch'" "$tmp/stderr" && ok ||
    bad "bad reload message: $(cat "$tmp/stderr")"
expect "kept rules" 'mxtally_alerts_firing{rule="disk",key="mx1",severity="critical"}' 1

# SIGHUP with rules that did not change keeps the alert firing: its
# window moves to the new rules (it used to resolve every alert)
printf '[disk]\ncause     = system_storage\nby        = host\nthreshold = 2\nwindow    = 10m\nseverity  = critical\n' >"$tmp/rules.ini"
kill -HUP "$pid"
sleep 1.5
check_firing() { [ "$(metric 'mxtally_alerts_firing{rule="disk",key="mx1",severity="critical"}')" = 1 ]; }
check_firing && ok || bad "an unchanged rule's alert resolved on SIGHUP"
# the same rule with another threshold is another rule: it starts empty
sed 's/threshold = 2/threshold = 3/' "$tmp/rules.ini" >"$tmp/r3" && mv "$tmp/r3" "$tmp/rules.ini"
kill -HUP "$pid"
sleep 1.5
expect "changed rule" 'mxtally_alerts_firing{rule="disk",key="mx1",severity="critical"}' ""

# the Dovecot join: "unknown user" for session S1 comes before S1's login
# failure (2 attempts): still auth_failure (causes.md: an unknown login),
# 2; S2 has no verdict: auth 1; so auth_failure 3, unknown_mailbox none
dv="$now store1 dovecot:"
{ echo "$dv auth-worker(7): sql(ghost,198.51.100.5,<S1>): unknown user"
  echo "$dv pop3-login: Disconnected (auth failed, 2 attempts in 4 secs): user=<ghost>, method=PLAIN, rip=198.51.100.5, lip=10.0.0.1, session=<S1>"
  echo "$dv imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<bob>, method=PLAIN, rip=198.51.100.6, lip=10.0.0.1, session=<S2>"
} >>"$log"
expect "join" $LINES 24
expect "join" 'mxtally_events_total{cause="unknown_mailbox",group=""}' 0
expect "join" 'mxtally_events_total{cause="auth_failure",group="auth"}' 3

# Dovecot's own layout (real lines of samples/layout-dovecot, stamped
# now): the lock counts as it does through syslog; the login is no event
dnow=$(date '+%b %d %H:%M:%S')
{ echo "$dnow pop3-login: Info: Login: user=<alice>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=5051, secured, session=<UlWrugpilOh/AAAB>"
  echo "$dnow pop3(alice)<5051><UlWrugpilOh/AAAB>: Info: Disconnected: Couldn't lock POP3 session top=0/0, retr=0/0, del=0/0, size=0"
} >>"$dlog"
expect "dovecot-log" $LINES 26
expect "dovecot-log" 'mxtally_events_total{cause="lock_contention",group="lock"}' 1

kill -TERM "$pid"
n=0
while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	bad "still running 5 s after SIGTERM"
else
	wait "$pid"
	rc=$?
	[ $rc -eq 0 ] && ok || bad "SIGTERM exit status $rc"
fi
pid=

# One evaluation on log time: the same file, with late and out-of-order
# lines, to report, alert and watch (--from-start) must fire the same
# alerts now. By hand (S = system storage):
#  - mx1: 12 events two minutes apart (10:00..10:22): at most 3 in any 5
#    minutes, so "five" (5 in 5m) fires nowhere (watch used to move them
#    to the wall clock and fire); "three" fires from 10:04 on and is
#    firing at the end, 3 in its window (10:18, 10:20, 10:22); its
#    count falls to 2 between events, so 10 episodes (first event 10:00,
#    10:02, ... 10:18), the last one firing;
#  - mx2: 10:20:00, 10:22:00, then 10:21:30 written after 10:22 (late,
#    inside the window): "three" (3 in 5m) fires and is firing at the
#    end (10:22), 3 in its window;
#  - mx3: 10:00:00 and 10:01:00, and 10:02:00 written last (20 minutes
#    late): report and alert see an episode that ended (not firing);
#    for watch it is older than any window now (counted as late). Either
#    way nothing fires now for mx3.
S="postfix/smtpd[1]: NOQUEUE: reject: MAIL from a.example[192.0.2.10]: 452 4.3.1 Insufficient system storage; from=<s@a.example> proto=ESMTP helo=<a.example>"
agree=$tmp/agree.log
: >"$agree"
for m in 00 02 04 06 08 10 12 14 16 18 20 22; do
	echo "Nov 21 10:$m:00 mx1 $S" >>"$agree"
	[ $m = 00 ] && echo "Nov 21 10:00:00 mx3 $S" >>"$agree"
	[ $m = 00 ] && echo "Nov 21 10:01:00 mx3 $S" >>"$agree"
	[ $m = 20 ] && echo "Nov 21 10:20:00 mx2 $S" >>"$agree"
	[ $m = 22 ] && echo "Nov 21 10:22:00 mx2 $S" >>"$agree"
done
echo "Nov 21 10:21:30 mx2 $S" >>"$agree"
echo "Nov 21 10:02:00 mx3 $S" >>"$agree"
printf '[five]\ncause = system_storage\nby = host\nthreshold = 5\nwindow = 5m\n\n[three]\ncause = system_storage\nby = host\nthreshold = 3\nwindow = 5m\nseverity = critical\n' >"$tmp/agree.ini"
"$MXTALLY" alert -q --year 2026 --rules "$tmp/agree.ini" "$agree" >"$tmp/agree.jsonl"
check_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: want '$2', got '$3'"; fi; }
check_eq "alert: episodes" 'three mx2 true 2026-11-21T10:20:00
three mx3 false 2026-11-21T10:00:00' \
    "$(jq -r 'select(.key != "mx1") | "\(.rule) \(.key) \(.firing) \(.first)"' "$tmp/agree.jsonl" | sort)"
check_eq "alert: mx1 episodes" '10 2026-11-21T10:18:00 true' \
    "$(jq -sr '[.[] | select(.key == "mx1")] | "\(length) \(.[-1].first) \(.[-1].firing)"' "$tmp/agree.jsonl")"
check_eq "alert: firing at the end" 'three mx1
three mx2' \
    "$(jq -r 'select(.firing) | "\(.rule) \(.key)"' "$tmp/agree.jsonl")"
"$MXTALLY" -q -f json --year 2026 --rules "$tmp/agree.ini" "$agree" >"$tmp/agree.json"
check_eq "report alerts = alert" "$(jq -c . "$tmp/agree.jsonl")" \
    "$(jq -c '.alerts[]' "$tmp/agree.json")"
out=$("$MXTALLY" alert -q --year 2026 -f nagios --rules "$tmp/agree.ini" "$agree")
case $out in "MXTALLY CRITICAL - 2 alerts firing: three mx1 (3 in 5m), three mx2 (3 in 5m) | rule_five=3;5;;0 rule_three=3;;3;0 "*) ok ;;
*) bad "agree nagios: $out" ;; esac

port2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url2=http://127.0.0.1:$port2/metrics
# wait2 N: until watch on port2 has read N lines (10 s at most)
wait2() {
	n=0
	while [ $n -lt 100 ] && ! curl -s "$url2" | grep -qx "mxtally_lines_total $1"; do
		sleep 0.1; n=$((n + 1))
	done
}
"$MXTALLY" watch -q --year 2026 --from-start --rules "$tmp/agree.ini" \
    --listen "127.0.0.1:$port2" "$agree" 2>"$tmp/agree.err" &
pid2=$!
wait2 17
curl -s "$url2" >"$tmp/agree.prom"
check_eq "watch: firing now" 'mxtally_alerts_firing{rule="three",key="mx1",severity="critical"} 1
mxtally_alerts_firing{rule="three",key="mx2",severity="critical"} 1' \
    "$(grep '^mxtally_alerts_firing{' "$tmp/agree.prom")"
check_eq "watch: window count" 'mxtally_alert_window_events{rule="three",key="mx1"} 3
mxtally_alert_window_events{rule="three",key="mx2"} 3' \
    "$(grep '^mxtally_alert_window_events{' "$tmp/agree.prom")"
# mx3's 10:02, 20 minutes behind the clock (10:22), is older than any
# window: counted as late once for each rule that counts it (five and
# three: 2), in no window (alert's mx3 episode ended, so nothing fires
# now either way)
check_eq "watch: late events" 'mxtally_alert_late_events_total 2' \
    "$(grep '^mxtally_alert_late_events_total' "$tmp/agree.prom")"
kill -TERM "$pid2"; wait "$pid2"
# The same lines written while watch follows the file (not from the
# start), in three pieces a second apart on the wall clock: the windows
# still run on the lines' own times, so the same alerts fire now.
: >"$tmp/follow.log"
"$MXTALLY" watch -q --year 2026 --rules "$tmp/agree.ini" \
    --listen "127.0.0.1:$port2" "$tmp/follow.log" 2>"$tmp/follow.err" &
pid2=$!
wait2 0
sed -n 1,6p "$agree" >>"$tmp/follow.log"
sleep 1
sed -n 7,12p "$agree" >>"$tmp/follow.log"
sleep 1
sed -n '13,$p' "$agree" >>"$tmp/follow.log"
wait2 17
curl -s "$url2" >"$tmp/follow.prom"
check_eq "watch follows: firing now" "$(grep '^mxtally_alerts_firing{' "$tmp/agree.prom")" \
    "$(grep '^mxtally_alerts_firing{' "$tmp/follow.prom")"
check_eq "watch follows: windows, late" "$(grep -E '^mxtally_alert_(window_events\{|late_events_total)' "$tmp/agree.prom")" \
    "$(grep -E '^mxtally_alert_(window_events\{|late_events_total)' "$tmp/follow.prom")"
cmp -s "$agree" "$tmp/follow.log" && ok || bad "follow.log is not the agree file"
kill -TERM "$pid2"; wait "$pid2"

# A line longer than 64 KiB is one line, looked at in its first 64 KiB,
# as in the report: the error text after 64 KiB is not a line of its own,
# even when watch reads the line's start before its end is written.
long=$tmp/long.log
part1() {
	printf 'Nov 21 10:00:00 mx1 postfix/qmgr[9]: 3F2A11C0A1: '
	head -c 70000 /dev/zero | tr '\0' x
}
part2() {
	echo "Nov 21 10:00:01 mx1 $S"
	echo "Nov 21 10:00:02 mx1 postfix/qmgr[9]: 3F2A11C0A1: removed"
}
{ part1; part2; } >"$long"
check_eq "report: long line" "2 1 0" \
    "$("$MXTALLY" -q -f json --year 2026 "$long" | jq -r '"\(.input.lines) \(.input.overlong_lines) \(.totals.events)"')"
: >"$long"
"$MXTALLY" watch -q --year 2026 --from-start --rules "$tmp/agree.ini" \
    --listen "127.0.0.1:$port2" "$long" 2>/dev/null &
pid2=$!
wait2 0
part1 >>"$long"
sleep 1.5
part2 >>"$long"
wait2 2
sleep 0.5
curl -s "$url2" >"$tmp/long.prom"
check_eq "watch: long line is one line" 'mxtally_lines_total 2' "$(grep '^mxtally_lines_total' "$tmp/long.prom")"
check_eq "watch: no event from inside it" 'mxtally_events_total{cause="system_storage",group="storage"} 0' \
    "$(grep '^mxtally_events_total{cause="system_storage"' "$tmp/long.prom")"
kill -TERM "$pid2"; wait "$pid2"

# an endless source still ends on SIGTERM (within 2 s), status 0
"$MXTALLY" watch -q --from-start --rules "$tmp/agree.ini" /dev/zero &
pid2=$!
sleep 1
kill -TERM "$pid2"
n=0
while kill -0 "$pid2" 2>/dev/null && [ $n -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
if kill -0 "$pid2" 2>/dev/null; then
	bad "watch /dev/zero ignores SIGTERM"
	kill -KILL "$pid2"
else
	wait "$pid2"
	check_eq "watch /dev/zero SIGTERM status" 0 $?
fi

# A hung Alertmanager (accepts, never answers) must not hold up the
# counting: pushes go through a queue to a sender thread. Each batch
# below fires a new alert (a push); its lines must show on /metrics
# within 2 s, while every post waits 5 s for its timeout.
hang=$(mktemp "$tmp/hang.XXXXXX")
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
conns = []
end = time.time() + 60
s.settimeout(0.5)
while time.time() < end:
    try:
        conns.append(s.accept()[0])
    except socket.timeout:
        pass
' >"$hang" &
hpid=$!
n=0
while [ ! -s "$hang" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
hport=$(cat "$hang")
printf '[disk]\ncause = system_storage\nby = host\nthreshold = 1\nwindow = 10m\nseverity = critical\n' >"$tmp/one.ini"
: >"$tmp/hung.log"
"$MXTALLY" watch -q --rules "$tmp/one.ini" --listen "127.0.0.1:$port2" \
    --alertmanager "http://127.0.0.1:$hport" "$tmp/hung.log" 2>/dev/null &
pid2=$!
wait2 0
now=$(date '+%b %e %H:%M:%S')
total=0
for h in 1 2 3 4; do
	echo "$now hung$h $S" >>"$tmp/hung.log"
	total=$((total + 1))
	n=0
	while [ $n -lt 20 ] && ! curl -s "$url2" | grep -qx "mxtally_lines_total $total"; do
		sleep 0.1; n=$((n + 1))
	done
	[ $n -lt 20 ] && ok || bad "batch $h not counted within 2 s (hung Alertmanager)"
done
kill -TERM "$pid2"
n=0
while kill -0 "$pid2" 2>/dev/null && [ $n -lt 80 ]; do sleep 0.1; n=$((n + 1)); done
kill -0 "$pid2" 2>/dev/null && { bad "watch with a hung Alertmanager did not end"; kill -KILL "$pid2"; }
wait "$pid2" 2>/dev/null
kill "$hpid" 2>/dev/null; wait "$hpid" 2>/dev/null

# Slow clients: 1000 connections that each send a header line a second
# (never a whole request) must not lock the scrapes out (epoll, no
# FD_SETSIZE bound; idle timeout; connection cap). Bounded: 8 s.
: >"$tmp/slow.log"
"$MXTALLY" watch -q --rules "$tmp/one.ini" --listen "127.0.0.1:$port2" \
    "$tmp/slow.log" 2>/dev/null &
pid2=$!
wait2 0
python3 -c '
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
port = int(sys.argv[1])
socks = []
for i in range(1000):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=2)
        c.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        socks.append(c)
    except OSError:
        break
print(len(socks), flush=True)
end = time.time() + 8
while time.time() < end:
    for c in socks:
        try:
            c.send(b"X-Slow: 1\r\n")
        except OSError:
            pass
    time.sleep(1)
' "$port2" >"$tmp/slow.n" &
spid=$!
n=0
while [ ! -s "$tmp/slow.n" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
check_eq "slow clients connected" 1000 "$(cat "$tmp/slow.n")"
good=0
for i in 1 2 3 4 5; do
	curl -s -m 2 "$url2" | grep -q '^mxtally_lines_total 0$' && good=$((good + 1))
	sleep 1
done
check_eq "scrapes under 1000 slow clients" 5 $good
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
kill -TERM "$pid2"; wait "$pid2"

t_end
