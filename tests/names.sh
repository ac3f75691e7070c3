#!/bin/sh
# Names with a NUL byte inside (#14 item 6, beyond users and hosts): a
# log can hold one anywhere, and a name that ended at its NUL made
# "a\0b" and "a\0c" one row everywhere. Every kept name follows the
# users' rule (agg_int.h arena_strndup_name): each NUL is written "\x00",
# so such names stay apart, and are valid UTF-8 without controls in
# text, JSON, CSV, the history, merge and alert keys. The log below
# pairs each kind of name, the two differing only after a NUL:
#   clients      198.51.100.\0007, 198.51.100.\0008 (one rbl reject each)
#   remotes      d\000a.example, d\000b.example (one 452 deferral each)
#   senders      s\000a@x.example, s\000b@x.example (one message each)
#   recipients   t\000a@x.example, t\000b@x.example (one delivery each)
#   locks        user al\000a refused at 192.0.2.\0002, held by \0001;
#                user al\000b refused at 192.0.2.\0004, held by \0003
#   capacity     hosts mx\000a (300 MiB free), mx\000b (395.4 MiB)
#   examples     the rbl detail's first reply "... see x\000hidden1"
# Before the fix: clients "198.51.100." twice, remotes "d" twice, one
# capacity row "mx" of 2 figures, one lock pair "al" of 2, the example
# cut at "see x", and the alert key "198.51.100." of 2 events.
set -u
MXTALLY=${MXTALLY:-./mxtally}
case $MXTALLY in /*) ;; *) MXTALLY=$(pwd)/$MXTALLY ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
t_begin names

command -v jq >/dev/null || t_skip_all "no jq"
command -v sqlite3 >/dev/null || t_skip_all "no sqlite3"

L=$tmp/n.log
{
printf 'Nov 21 09:05:10 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[198.51.100.\0007]: 554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org; see x\000hidden1; from=<a@b.example> to=<u@x.example> proto=ESMTP helo=<h>\n'
printf 'Nov 21 09:05:11 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[198.51.100.\0008]: 554 5.7.1 Service unavailable; Client host [198.51.100.8] blocked using zen.spamhaus.org; see x\000hidden2; from=<a@b.example> to=<u@x.example> proto=ESMTP helo=<h>\n'
printf 'Nov 21 09:05:59 mx1 postfix/smtpd[3]: AAA1: client=unknown[192.0.2.5]\n'
printf 'Nov 21 09:05:59 mx1 postfix/smtpd[3]: AAA2: client=unknown[192.0.2.5]\n'
for m in a b; do
	q=AAA1; [ $m = b ] && q=AAA2
	printf 'Nov 21 09:06:00 mx1 postfix/qmgr[9]: %s: from=<s\000%s@x.example>, size=100, nrcpt=1 (queue active)\n' $q $m
	printf 'Nov 21 09:06:01 mx1 postfix/smtp[8]: %s: to=<r@d\000%s.example>, relay=mx.d.example[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=4.2.2, status=deferred (host mx.d.example[192.0.2.9] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command))\n' $q $m
	printf 'Nov 21 09:06:04 mx1 postfix/lmtp[7]: %s: to=<t\000%s@x.example>, relay=s[10.0.0.1]:24, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n' $q $m
done
printf 'Nov 21 10:00:00 store3 dovecot: pop3-login: Login: user=<al\000a>, method=PLAIN, rip=192.0.2.\0001, lip=192.0.2.250, mpid=100, session=<aaaa0001>\n'
printf 'Nov 21 10:00:05 store3 dovecot: pop3-login: Login: user=<al\000a>, method=PLAIN, rip=192.0.2.\0002, lip=192.0.2.250, mpid=101, session=<aaaa0002>\n'
printf "Nov 21 10:00:06 store3 dovecot: pop3(al\000a)<101><aaaa0002>: Disconnected: Couldn't lock POP3 session top=0/0, retr=0/0, del=0/0, size=0\n"
printf 'Nov 21 10:00:07 store3 dovecot: pop3-login: Login: user=<al\000b>, method=PLAIN, rip=192.0.2.\0003, lip=192.0.2.250, mpid=102, session=<aaaa0003>\n'
printf 'Nov 21 10:00:08 store3 dovecot: pop3-login: Login: user=<al\000b>, method=PLAIN, rip=192.0.2.\0004, lip=192.0.2.250, mpid=103, session=<aaaa0004>\n'
printf "Nov 21 10:00:09 store3 dovecot: pop3(al\000b)<103><aaaa0004>: Disconnected: Couldn't lock POP3 session top=0/0, retr=0/0, del=0/0, size=0\n"
printf 'Nov 21 10:00:00 mx\000a postfix/smtpd[100]: warning: not enough free space in mail queue: 314572800 bytes < 1.5*message size limit\n'
printf 'Nov 21 10:00:00 mx\000b postfix/smtpd[100]: warning: not enough free space in mail queue: 414572800 bytes < 1.5*message size limit\n'
} >"$L"

# JSON: every list holds both names, each with its own count
"$MXTALLY" --year 2026 -f json "$L" >"$tmp/r.json" 2>"$tmp/err" ||
	bad "json report: exit $?, $(cat "$tmp/err")"
jq -e '
  ([.clients[] | [.client, .events]] ==
      [["198.51.100.\\x007", 1], ["198.51.100.\\x008", 1]]) and
  (.causes.policy_rejection.top_clients ==
      [["198.51.100.\\x007", 1], ["198.51.100.\\x008", 1]]) and
  ([.remotes[] | [.remote, .events]] ==
      [["d\\x00a.example", 1], ["d\\x00b.example", 1]]) and
  (.causes.quota_exceeded.top_remotes ==
      [["d\\x00a.example", 1], ["d\\x00b.example", 1]]) and
  ([.traffic.top_senders[] | [.address, .messages]] ==
      [["s\\x00a@x.example", 1], ["s\\x00b@x.example", 1]]) and
  ([.traffic.top_recipients[] | [.address, .deliveries]] ==
      [["t\\x00a@x.example", 1], ["t\\x00b@x.example", 1]]) and
  ([.capacity[] | [.host, .samples]] == [["mx\\x00a", 1], ["mx\\x00b", 1]]) and
  (.lock_contention.pairs == [
      {"user": "al\\x00a", "client": "192.0.2.\\x002",
       "holder_client": "192.0.2.\\x001", "events": 1},
      {"user": "al\\x00b", "client": "192.0.2.\\x004",
       "holder_client": "192.0.2.\\x003", "events": 1}]) and
  (.causes.policy_rejection.detail_examples["rbl:zen.spamhaus.org"] |
      endswith("see x\\x00hidden1"))' "$tmp/r.json" >/dev/null &&
	ok || bad "json names: $(jq -c '[.clients, .remotes, .traffic.top_senders, .traffic.top_recipients, .capacity, .lock_contention.pairs]' "$tmp/r.json")"

# text: the same names, escaped as written
"$MXTALLY" --year 2026 "$L" >"$tmp/r.txt"
for s in '198.51.100.\x007         1' '198.51.100.\x008         1' \
    'd\x00a.example (mx.d.example)  1' 'd\x00b.example (mx.d.example)  1' \
    'mx\x00a  queue  lowest 300.0 MiB' 'mx\x00b  queue  lowest 395.4 MiB' \
    'al\x00b from 192.0.2.\x004: held by 192.0.2.\x003' \
    'al\x00a from 192.0.2.\x002: held by 192.0.2.\x001'; do
	grep -qF "$s" "$tmp/r.txt" && ok || bad "text: no '$s'"
done
tr -d '\n' <"$tmp/r.txt" | LC_ALL=C grep -q '[[:cntrl:]]' &&
	bad "text holds a control byte" || ok

# CSV: one row per name
for t in clients:'198.51.100.\x007,' clients:'198.51.100.\x008,' \
    remotes:'d\x00a.example,mx.d.example,1,' remotes:'d\x00b.example,mx.d.example,1,' \
    capacity:'mx\x00a,queue,1,314572800,' capacity:'mx\x00b,queue,1,414572800,' \
    locks:'al\x00a,2026-11-21T10:00:06,aaaa0002,192.0.2.\x002,192.0.2.\x001,' \
    locks:'al\x00b,2026-11-21T10:00:09,aaaa0004,192.0.2.\x004,192.0.2.\x003,' \
    details:'see x\x00hidden1'; do
	"$MXTALLY" --year 2026 -f csv --table "${t%%:*}" "$L" | tr -d '\r' |
	    grep -qF "${t#*:}" && ok || bad "csv ${t%%:*}: no '${t#*:}'"
done

# merge: the report with itself, each name twice its count, none joined
"$MXTALLY" merge -f json "$tmp/r.json" "$tmp/r.json" >"$tmp/m.json" 2>"$tmp/err" ||
	bad "merge: exit $?, $(cat "$tmp/err")"
jq -e '
  ([.clients[] | [.client, .events]] ==
      [["198.51.100.\\x007", 2], ["198.51.100.\\x008", 2]]) and
  ([.remotes[] | [.remote, .events]] ==
      [["d\\x00a.example", 2], ["d\\x00b.example", 2]]) and
  ([.traffic.top_senders[] | [.address, .messages]] ==
      [["s\\x00a@x.example", 2], ["s\\x00b@x.example", 2]]) and
  ([.capacity[] | [.host, .samples]] == [["mx\\x00a", 2], ["mx\\x00b", 2]]) and
  ([.lock_contention.pairs[] | [.user, .client, .events]] ==
      [["al\\x00a", "192.0.2.\\x002", 2], ["al\\x00b", "192.0.2.\\x004", 2]])' \
    "$tmp/m.json" >/dev/null && ok ||
	bad "merge names: $(jq -c '[.clients, .remotes, .capacity, .lock_contention.pairs]' "$tmp/m.json")"

# history (SQLite): one row per name; a second run of the same log
# records again (exit 0) in place of the first
for n in 1 2; do
	"$MXTALLY" -q --year 2026 --history "$tmp/h.db" "$L" >/dev/null 2>"$tmp/err" ||
	    bad "history run $n: exit $?, $(cat "$tmp/err")"
done
q() { sqlite3 "$tmp/h.db" "$1" | tr '\n' ' '; }
[ "$(q 'select client || "=" || sum(events) from day_client group by client order by 1')" = \
    '198.51.100.\x007=1 198.51.100.\x008=1 ' ] && ok ||
	bad "history clients: $(q 'select client, events from day_client')"
[ "$(q 'select remote || "=" || sum(events) from day_remote group by remote order by 1')" = \
    'd\x00a.example=1 d\x00b.example=1 ' ] && ok ||
	bad "history remotes: $(q 'select remote, events from day_remote')"
[ "$(q 'select host || "=" || sum(samples) from day_space group by host order by 1')" = \
    'mx\x00a=1 mx\x00b=1 ' ] && ok ||
	bad "history capacity: $(q 'select host, samples from day_space')"

# alert keys: by client, two of 1 event each, not one of 2
printf '[pc]\ncause = policy_rejection\nby = client\nthreshold = 1\nwindow = 10m\nseverity = warning\n' >"$tmp/r.ini"
"$MXTALLY" alert --year 2026 --rules "$tmp/r.ini" -f jsonl "$L" >"$tmp/a.jsonl"
[ "$(jq -r '.key + "=" + (.events | tostring)' "$tmp/a.jsonl" | tr '\n' ' ')" = \
    '198.51.100.\x007=1 198.51.100.\x008=1 ' ] && ok ||
	bad "alert keys: $(cat "$tmp/a.jsonl")"

# watch: /metrics series by host and the alert keys. Before the fix
# both hosts were one series "mx" and, the key cut before its cause,
# counted as lock_contention
command -v curl >/dev/null || t_skip_all "no curl"
printf 'Nov 21 09:05:10 mx\000%s postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[198.51.100.\000%s]: 554 5.7.1 Relay access denied; from=<a@b.example> to=<u@x.example> proto=ESMTP helo=<h>\n' \
    a 1 b 2 >"$tmp/w.log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$MXTALLY" watch -q --from-start --rules "$tmp/r.ini" \
    --listen "127.0.0.1:$port" "$tmp/w.log" 2>"$tmp/err" &
wpid=$!
n=0
while [ $n -lt 100 ]; do
	curl -s "http://127.0.0.1:$port/metrics" >"$tmp/m.txt" 2>/dev/null &&
	    grep -q '^mxtally_lines_total 2$' "$tmp/m.txt" && break
	sleep 0.1
	n=$((n + 1))
done
kill "$wpid"
wait "$wpid" || bad "watch: exit $?, $(cat "$tmp/err")"
for s in 'mxtally_events_by_host_total{host="mx\\x00a",cause="policy_rejection"} 1' \
    'mxtally_events_by_host_total{host="mx\\x00b",cause="policy_rejection"} 1' \
    'mxtally_alert_window_events{rule="pc",key="198.51.100.\\x001"} 1' \
    'mxtally_alert_window_events{rule="pc",key="198.51.100.\\x002"} 1'; do
	grep -qxF "$s" "$tmp/m.txt" && ok || bad "watch /metrics: no '$s'"
done

t_end
