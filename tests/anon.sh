#!/bin/sh
# --anonymize users,ips leaves no name or address in any output (#14.9).
#
# Every sample log of every family is copied with its people renamed to
# names that occur nowhere else (alice -> zqalice, ..., and the sample
# addresses 192.0.2.x, 198.51.100.x, 203.0.113.x moved to 172.29.20x.x),
# and hand-written lines put such names where the report used to copy
# them out: inside POP3 replies (the reply templates), unclassified
# texts (templates and examples), a Postfix refusal that quotes the
# recipient and the client, an Exim sender, a qpopper client name, an
# IPv6 client in a reply, and a file nobody understands (its quoted
# first line). The run without --anonymize must show these names in
# those places (else this test proves nothing); with it, no output may
# hold one: text, JSON, HTML, each CSV table, the alerts of --rules,
# the --history database and `trend` over it, a mailed report and
# stderr; `alert` in every format (and --prom-file), `watch`'s /metrics
# and stderr and what a real Alertmanager was pushed. The counts must
# stay those of the plain run, and alert's and watch's keys must be the
# report's tokens for the same key file (so they can be correlated).
set -u
MXTALLY=${MXTALLY:-./mxtally}
. "$(dirname "$0")/lib.sh"
t_begin anon
command -v jq >/dev/null || t_skip_all "no jq"
command -v sqlite3 >/dev/null || t_skip_all "no sqlite3"
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
mkdir "$tmp/in"

for f in samples/*/*.log; do
	sed -E 's/alice/zqalice/gI; s/bob/zqbob/gI; s/carol/zqcarol/gI;
	    s/dave/zqdave/gI; s/frank/zqfrank/gI; s/erin/zqerin/gI;
	    s/(zed|gina|sales|admin|someone|spam)@/zq\1@/g;
	    s/192\.0\.2\./172.29.201./g; s/198\.51\.100\./172.29.202./g;
	    s/203\.0\.113\./172.29.203./g' "$f" \
	    >"$tmp/in/$(echo "$f" | tr / _)"
done
cat >"$tmp/in/crafted.log" <<'EOF'
Nov 21 06:00:00 mail1 pop3d[100]: client 172.29.201.41 user zqerin: -ERR [IN-USE] zqerin locked by session from 172.29.201.41
Nov 21 06:00:05 mail1 pop3d[100]: client 172.29.201.42 user zqmary@zq-corp.example: -ERR mailbox zqmary over quota, mail zqmary@zq-corp.example
Nov 21 06:00:07 mail1 pop3d[100]: client 2001:db8:77::5 user zqpaul: -ERR frobnicator zqpaul out of sync with 2001:db8:77::5
Nov 21 06:00:09 mail1 pop3d[100]: client 172.29.201.43 user zqpaul: -ERR frobnicator zqpaul out of sync with [IPv6:2001:db8:77::6]
Nov 21 07:05:00 pop-legacy popper[7010]: zqjane at zqhome.example (172.29.201.44): -ERR [SYS/TEMP] zqjane maildrop busy, ask zqjane@zq-corp.example
Nov 21 09:06:10 mx1 postfix/smtpd[4101]: NOQUEUE: reject: RCPT from unknown[172.29.203.7]: 550 5.1.1 <zqzoe@example.net>: Recipient address rejected: User zqzoe unknown, client 172.29.203.7; from=<zqspam@zq-bad.example> to=<zqzoe@example.net> proto=ESMTP helo=<WIN-1>
Nov 21 11:26:00 smtp1 postfix/smtp[6101]: 9C2D31C0D4: to=<zqanna@zq-far.example>, relay=mx.remote.example[172.29.202.50]:25, delay=2, delays=0.1/0/1/0.9, dsn=5.1.1, status=bounced (host mx.remote.example[172.29.202.50] said: 550 5.1.1 <zqanna@zq-far.example>: Recipient address rejected: zqanna unknown (in reply to RCPT TO command))
Nov 21 09:45:30 store2 dovecot: imap(zqdan@example.net)<3301><gggg0002>: Error: write(/var/mail/zqdan/dovecot.index.log) failed: No space left on device (zqdan@example.net from 172.29.201.45)
EOF
printf '2026-11-21 09:05:30 H=unknown.example [172.29.202.9] F=<zqsue@zq-corp.example> rejected RCPT <zqtom@example.net>: zqtom unknown\n' \
    >"$tmp/in/exim_crafted.log"
printf 'hello zqnobody from 172.29.201.99, nothing a mail server writes\n' \
    >"$tmp/in/junk.log"
printf '0123456789abcdef0123456789abcdef\n' >"$tmp/key"
chmod 600 "$tmp/key"
anon="--anonymize users,ips --anonymize-key $tmp/key"
leak='zq|172\.29\.20[0-9]\.|2001:db8:77:'
# leaks FILE: the planted strings in FILE, the temporary directory's
# name (random letters) left out
leaks() { sed "s|$tmp||g" "$1" | grep -Eoi ".{0,30}($leak).{0,20}" | head -3; }

# run NAME ARGS...: both runs, plain into NAME.plain, anonymised into
# NAME.anon, their stderr into NAME-err.plain and NAME-err.anon
run() {
	name=$1
	shift
	"$MXTALLY" --year 2026 -j2 "$@" "$tmp"/in/*.log \
	    >"$tmp/$name.plain" 2>"$tmp/$name-err.plain"
	"$MXTALLY" --year 2026 -j2 $anon "$@" "$tmp"/in/*.log \
	    >"$tmp/$name.anon" 2>"$tmp/$name-err.anon"
}
run text -f text
run json -f json --rules samples/alerts.ini
run jsonq -f json -q
run html -f html
run alerts -f text --rules samples/alerts.ini
for t in causes users hosts codes hours; do
	run "csv-$t" -f csv --table "$t"
done

# the plain run has the names where they used to leak
jq -e '[.pop3[].reply] | map(select(test("zqerin"))) | length > 0' \
    "$tmp/jsonq.plain" >/dev/null && ok || bad "plain: no name in a POP3 template"
jq -e '[.unclassified[] | .template, .example] |
    map(select(test("zqpaul|2001:db8:77"))) | length > 0' \
    "$tmp/jsonq.plain" >/dev/null && ok || bad "plain: no name in an unclassified text"
jq -e '[.traffic.top_senders[].address] | map(select(test("zq"))) |
    length > 0' "$tmp/jsonq.plain" >/dev/null && ok ||
    bad "plain: no planted sender"
jq -e '[.input.warnings[].warning] | map(select(test("zqnobody"))) |
    length > 0' "$tmp/jsonq.plain" >/dev/null && ok ||
    bad "plain: the junk file's line is not quoted"
jq -e '.alerts | length > 0' "$tmp/json.plain" >/dev/null && ok ||
    bad "plain: no alert fired"
[ -n "$(leaks "$tmp/csv-users.plain")" ] && ok || bad "plain: no planted user"
grep -q "zqnobody" "$tmp/text-err.plain" && ok ||
    bad "plain: the junk file's line is not on stderr"

for f in "$tmp"/*.anon; do
	l=$(leaks "$f")
	[ -z "$l" ] && ok || bad "$(basename "$f"): $l"
done

# alert: jsonl, nagios, prometheus (stdout and --prom-file) and stderr,
# rules keyed by user and by client that fire on the planted names
arules() {	# arules PREFIX: one rule per (selector, key), threshold 1
	for r in group=auth,user group=auth,client group=storage,user \
	    group=lock,user group=lock,client cause=unknown_mailbox,user \
	    cause=policy_rejection,client cause=policy_rejection,user; do
		sel=${r%,*}
		printf '[%s%s_%s]\n%s = %s\nby = %s\nthreshold = 1\nwindow = 30d\n' \
		    "$1" "${sel#*=}" "${r#*,}" "${sel%=*}" "${sel#*=}" "${r#*,}"
	done
}
arules "" >"$tmp/arules.ini"
for f in jsonl nagios prometheus; do
	for m in plain anon; do
		a=
		[ $m = anon ] && a=$anon
		"$MXTALLY" alert --year 2026 --rules "$tmp/arules.ini" -f $f \
		    $a --prom-file "$tmp/alert-$f-prom.$m" "$tmp"/in/*.log \
		    >"$tmp/alert-$f.$m" 2>"$tmp/alert-$f-err.$m"
		echo $? >"$tmp/alert-$f-rc.$m"
	done
	# the plain run has the names (else nothing is proved), the same
	# exit status, and the anonymised run none of them
	[ -n "$(leaks "$tmp/alert-$f.plain")" ] && ok ||
	    bad "plain alert -f $f: no planted name"
	cmp -s "$tmp/alert-$f-rc.plain" "$tmp/alert-$f-rc.anon" && ok ||
	    bad "alert -f $f: exit $(cat "$tmp/alert-$f-rc.anon"), plain $(cat "$tmp/alert-$f-rc.plain")"
	for x in "$tmp/alert-$f.anon" "$tmp/alert-$f-prom.anon" \
	    "$tmp/alert-$f-err.anon"; do
		l=$(leaks "$x")
		[ -z "$l" ] && ok || bad "$(basename "$x"): $l"
	done
done
grep -q zqnobody "$tmp/alert-jsonl-err.plain" && ok ||
    bad "plain alert: the junk file's line is not on stderr"
# the same alerts (rule, events) and, for the same key, the report's
# tokens: an alert's user or client is found in the anonymised report
sel='[.rule, .by, .events, .firing] | @text'
[ "$(jq -r "$sel" "$tmp/alert-jsonl.plain" | sort)" = \
  "$(jq -r "$sel" "$tmp/alert-jsonl.anon" | sort)" ] && ok ||
    bad "alert: the anonymised alerts differ from the plain ones"
"$MXTALLY" --year 2026 -j2 $anon -f json -q "$tmp"/in/*.log >"$tmp/all.json"
jq -r 'select(.by == "user") | .key' "$tmp/alert-jsonl.anon" | sort -u >"$tmp/ak.user"
jq -r 'select(.by == "client") | .key' "$tmp/alert-jsonl.anon" | sort -u >"$tmp/ak.client"
jq -r '.users[].user' "$tmp/all.json" | sort -u >"$tmp/rk.user"
jq -r '.clients[].client' "$tmp/all.json" | sort -u >"$tmp/rk.client"
for k in user client; do
	[ "$(grep -c '^u-\|^ip-' "$tmp/ak.$k")" -gt 3 ] &&
	    [ -z "$(comm -23 "$tmp/ak.$k" "$tmp/rk.$k")" ] && ok ||
	    bad "alert keys by $k not the report's tokens: $(comm -23 "$tmp/ak.$k" "$tmp/rk.$k" | head -3 | tr '\n' ' ')"
done

# the counts are the plain run's
counts='[.totals.events, .totals.users, .totals.hosts, .totals.clients,
    .input.lines, .input.error_lines, .input.unparsed_lines,
    (.causes | to_entries | map([.key, .value.events, .value.users])),
    [.codes[].events], (.traffic | [.received, .delivered, .deferred,
    .bounced, .rejected, .senders, .recipients]), [.timeline[].events],
    [.alerts[] | [.rule, .events]]]'
[ "$(jq -c "$counts" "$tmp/json.plain")" = \
  "$(jq -c "$counts" "$tmp/json.anon")" ] && ok ||
    bad "counts differ: $(jq -c "$counts" "$tmp/json.plain") vs $(jq -c "$counts" "$tmp/json.anon")"
[ "$(jq -c '[.users[].events] | sort' "$tmp/jsonq.plain")" = \
  "$(jq -c '[.users[].events] | sort' "$tmp/jsonq.anon")" ] && ok ||
    bad "per-user counts differ"

# --history and trend over it
"$MXTALLY" -q --year 2026 $anon --history "$tmp/h.db" "$tmp"/in/*.log \
    >/dev/null 2>&1 || bad "--history run: exit $?"
sqlite3 "$tmp/h.db" .dump >"$tmp/db.anon"
for f in text json html; do
	"$MXTALLY" trend --history "$tmp/h.db" -f $f >"$tmp/trend-$f.anon" 2>&1 ||
	    bad "trend -f $f: exit $?"
done
for f in "$tmp/db.anon" "$tmp"/trend-*.anon; do
	l=$(leaks "$f")
	[ -z "$l" ] && ok || bad "$(basename "$f"): $l"
done
[ "$(sqlite3 "$tmp/h.db" 'select count(distinct "user") from day_user')" -gt 5 ] &&
    ok || bad "history: no users recorded"

# a mailed report (a sendmail that keeps the message)
cat >"$tmp/sendmail" <<EOF
#!/bin/sh
cat >"$tmp/mail.anon"
EOF
chmod +x "$tmp/sendmail"
"$MXTALLY" -q --year 2026 $anon --mail-to ops@example.test \
    --sendmail "$tmp/sendmail" "$tmp"/in/*.log >/dev/null 2>&1 ||
    bad "--mail-to: exit $?"
# headers and every part, decoded (the parts are base64)
python3 -c 'import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for k, v in m.items():
    print(k + ": " + v)
for p in m.walk():
    b = p.get_payload(decode=True)
    if b:
        sys.stdout.write(b.decode("utf-8", "replace"))' "$tmp/mail.anon" \
    >"$tmp/mail.txt" || bad "mail: not a MIME message"
l=$(leaks "$tmp/mail.txt")
[ "$(wc -c <"$tmp/mail.txt")" -gt 1000 ] && grep -q "u-" "$tmp/mail.txt" &&
    [ -z "$l" ] && ok || bad "mail: $l"

# watch: /metrics of a real run (loopback, a port the kernel gives),
# its stderr, and what a real Alertmanager was sent; one Alertmanager,
# the plain watch's rules named p_*, the anonymised one's a_*
command -v curl >/dev/null || t_skip_all "watch: no curl"
AM=${ALERTMANAGER:-prometheus-alertmanager}
set -- $(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
wport=$1 aport=$2
amurl=
if command -v "$AM" >/dev/null; then
	printf 'route:\n  receiver: "null"\n  group_wait: 1s\nreceivers:\n  - name: "null"\n' \
	    >"$tmp/am.yml"
	"$AM" --config.file="$tmp/am.yml" --storage.path="$tmp/am" \
	    --web.listen-address="127.0.0.1:$aport" --cluster.listen-address= \
	    >"$tmp/am.log" 2>&1 &
	ampid=$!
	trap 'kill $ampid 2>/dev/null; wait $ampid 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
	n=0
	until curl -sf "http://127.0.0.1:$aport/-/ready" >/dev/null; do
		n=$((n + 1))
		[ $n -lt 300 ] || break
		sleep 0.1
	done
	amurl=http://127.0.0.1:$aport
else
	skip "watch: no $AM (Alertmanager pushes not checked)"
fi
# am_alerts PREFIX: the alerts Alertmanager holds from rules PREFIX*
am_alerts() {
	curl -s "$amurl/api/v2/alerts" |
	    jq -c --arg p "$1" '[.[] | select(.labels.alertname | startswith($p))]'
}
# watch_run NAME PREFIX ARGS: reads the logs from the start, scrapes
# /metrics once every line is counted, waits for the pushes, stops it
want_lines=$(cat "$tmp"/in/*.log | wc -l)
watch_run() {
	name=$1 prefix=$2
	shift 2
	arules "$prefix" >"$tmp/w-$name.ini"
	"$MXTALLY" watch --year 2026 --from-start --rules "$tmp/w-$name.ini" \
	    --listen "127.0.0.1:$wport" ${amurl:+--alertmanager "$amurl"} "$@" \
	    "$tmp"/in/*.log 2>"$tmp/watch-err.$name" &
	wpid=$!
	n=0
	while [ $n -lt 200 ]; do
		curl -s "http://127.0.0.1:$wport/metrics" >"$tmp/metrics.$name" &&
		    grep -qx "mxtally_lines_total $want_lines" "$tmp/metrics.$name" &&
		    break
		sleep 0.1
		n=$((n + 1))
	done
	grep -qx "mxtally_lines_total $want_lines" "$tmp/metrics.$name" && ok ||
	    bad "watch $name: not every line counted: $(grep '^mxtally_lines_total' "$tmp/metrics.$name")"
	if [ -n "$amurl" ]; then
		n=0
		while [ $n -lt 100 ] && [ "$(am_alerts "$prefix" | jq length)" -lt 20 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		am_alerts "$prefix" >"$tmp/am.$name"
	fi
	kill "$wpid"
	wait "$wpid" || bad "watch $name: exit $?"
}
watch_run plain p_
watch_run anon a_ $anon
[ -n "$(leaks "$tmp/metrics.plain")" ] && ok || bad "plain watch: no planted name on /metrics"
for x in "$tmp/metrics.anon" "$tmp/watch-err.anon"; do
	l=$(leaks "$x")
	[ -z "$l" ] && ok || bad "$(basename "$x"): $l"
done
grep -q 'key="u-' "$tmp/metrics.anon" && grep -q 'key="ip-' "$tmp/metrics.anon" &&
    ok || bad "watch /metrics: no tokens as alert keys"
if [ -n "$amurl" ]; then
	[ -n "$(leaks "$tmp/am.plain")" ] && ok ||
	    bad "plain watch: no planted name in Alertmanager ($(jq length "$tmp/am.plain") alerts)"
	l=$(leaks "$tmp/am.anon")
	[ "$(jq length "$tmp/am.anon")" -gt 0 ] && [ -z "$l" ] && ok ||
	    bad "Alertmanager ($(jq length "$tmp/am.anon") alerts): $l"
	# the same keys as alert's for the same key file
	jq -r '.[] | select(.labels.by == "user") | .labels.key' "$tmp/am.anon" |
	    sort -u >"$tmp/amk.user"
	[ -s "$tmp/amk.user" ] && [ -z "$(comm -23 "$tmp/amk.user" "$tmp/ak.user")" ] &&
	    ok || bad "Alertmanager keys not alert's tokens: $(comm -23 "$tmp/amk.user" "$tmp/ak.user" | head -3 | tr '\n' ' ')"
fi

t_end
