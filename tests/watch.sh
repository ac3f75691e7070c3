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
"$MXTALLY" watch -q --rules "$tmp/rules.ini" --listen "127.0.0.1:$port" \
    "$log" 2>"$tmp/stderr" &
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

# the Dovecot join: "unknown user" for session S1 comes before S1's login
# failure (2 attempts): unknown_mailbox 2; S2 has no verdict: auth 1
dv="$now store1 dovecot:"
{ echo "$dv auth-worker(7): sql(ghost,198.51.100.5,<S1>): unknown user"
  echo "$dv pop3-login: Disconnected (auth failed, 2 attempts in 4 secs): user=<ghost>, method=PLAIN, rip=198.51.100.5, lip=10.0.0.1, session=<S1>"
  echo "$dv imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<bob>, method=PLAIN, rip=198.51.100.6, lip=10.0.0.1, session=<S2>"
} >>"$log"
expect "join" $LINES 24
expect "join" 'mxtally_events_total{cause="unknown_mailbox",group=""}' 2
expect "join" 'mxtally_events_total{cause="auth_failure",group="auth"}' 1

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

t_end
