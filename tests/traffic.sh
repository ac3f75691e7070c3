#!/bin/sh
# Traffic for Exim, checked against counts made with grep and awk over
# the same real mainlog (../shared/corpus/exim_exporter/mainlog, as
# Exim writes it): "<=" receptions and their S= bytes, "=>" and "->"
# deliveries, "**" bounces, "==" deferrals (each of its "==" lines is a
# failed attempt: a timeout, a 450), rejects, and traffic.counted_from
# naming exim. Sendmail the same way on the real syslogs of the corpus
# (tests/traffic-sendmail.awk counts what the README says counts), and
# on lines written per sendmail's logdelivery() for what the corpus
# lacks (deferrals, lists of recipients, milter rejects, AUTH logins).
# Every report also with -j1 and -j2, which must be byte-identical.
# A log of a family whose traffic is not counted says so
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
want() {	# want JQ-PATH VALUE [JSON]
	got=$(jq -c "$1" "${3:-$tmp/exim.json}")
	[ "$got" = "$2" ] && ok || bad "${3:-exim} $1: got $got, want $2"
}
# same_j FILE: -j1 and -j2 give byte-identical JSON
same_j() {
	"$MXTALLY" -q -j1 -f json --year 2026 "$1" >"$tmp/j1.json" &&
	"$MXTALLY" -q -j2 -f json --year 2026 "$1" >"$tmp/j2.json" &&
	cmp -s "$tmp/j1.json" "$tmp/j2.json" && ok || bad "$1: -j1 and -j2 differ"
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

same_j "$log"

# Sendmail: the real logs of the corpus (only their sendmail lines: one
# of them is also a Postfix log, and traffic is not kept per family)
sm=0
for f in hirstar-EMAIL_MONITOR/mail.log postfix-maillog-dump/maillog \
    parse-syslog-mail/t/logs/sendmail-plain.log gomaillex/maillog; do
	sm=$((sm + 1))
	grep -E ' (sendmail|sm-mta|sm-msp-queue)\[[0-9]+\]: ' \
	    "../shared/corpus/$f" >"$tmp/sm$sm.log"
	"$MXTALLY" -q -f json --year 2026 "$tmp/sm$sm.log" >"$tmp/sm$sm.json" ||
	    bad "mxtally on $f"
	awk -f "$(dirname "$0")/traffic-sendmail.awk" "$tmp/sm$sm.log" \
	    >"$tmp/sm$sm.want"
	while read -r key value; do
		want ".traffic.$key" "$value" "$tmp/sm$sm.json"
	done <"$tmp/sm$sm.want"
	want .traffic.counted_from '["sendmail"]' "$tmp/sm$sm.json"
	same_j "$tmp/sm$sm.log"
done
# the figures of the biggest one, counted by hand once more: 146 from=
# lines with nrcpts above 0, of which two with size=0 (RCPT then QUIT),
# 143 stat=Sent, 7,207 ruleset rejects and one "<r>... User unknown"
want '.traffic | [.received, .delivered, .rejected, .bounced]' \
    '[144,143,7208,0]' "$tmp/sm1.json"

# What the corpus has no line of, written per sendmail 8.18's
# deliver.c logdelivery() (a to= list, "[more]" lines), srvrsmtp.c
# ("Milter: ... reject=", "AUTH=server") and headers.c logsender().
cat >"$tmp/smsrc.log" <<'EOF'
Nov 21 09:00:00 mx sm-mta[10]: 4ALA0001: from=<a@src.example>, size=1000, class=0, nrcpts=3, msgid=<1@src.example>, proto=ESMTP, daemon=MTA, relay=mail.src.example [192.0.2.1]
Nov 21 09:00:01 mx sm-mta[11]: 4ALA0001: to=<b@dst.example>,<c@dst.example>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.dst.example. [192.0.2.2], dsn=2.0.0, stat=Sent (ok)
Nov 21 09:00:02 mx sm-mta[11]: 4ALA0001: to=<d@far.example>, delay=00:00:02, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.far.example. [192.0.2.3], dsn=4.4.1, stat=Deferred: Connection timed out with mx.far.example.
Nov 21 09:30:00 mx sm-mta[12]: 4ALA0001: to=<d@far.example>, delay=00:30:00, xdelay=00:00:01, mailer=esmtp, pri=210000, relay=mx.far.example. [192.0.2.3], dsn=2.0.0, stat=Sent (queued)
Nov 21 09:31:00 mx sm-mta[13]: 4ALA0002: from=<>, size=2000, class=0, nrcpts=4, msgid=<2@mx>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]
Nov 21 09:31:01 mx sm-mta[14]: 4ALA0002: to=<e@x.example>,<f@x.example>, [more], delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.x.example. [192.0.2.4], dsn=5.1.1, stat=User unknown
Nov 21 09:31:01 mx sm-mta[14]: 4ALA0002: to=<g@x.example>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.x.example. [192.0.2.4], dsn=5.1.1, stat=User unknown
Nov 21 09:31:02 mx sm-mta[14]: 4ALA0002: to=h@local, ctladdr=root (0/0), delay=00:00:01, mailer=local, pri=30000, dsn=4.2.2, stat=Deferred: 452 4.2.2 Mailbox full
Nov 21 09:32:00 mx sm-mta[15]: 4ALA0003: Milter: to=<i@here.example>, reject=550 5.7.1 Rejected by policy
Nov 21 09:32:01 mx sm-mta[15]: 4ALA0003: Milter: data, reject=554 5.7.1 Spam
Nov 21 09:32:01 mx sm-mta[15]: 4ALA0003: milter=spamf, action=data, reject=554 5.7.1 Spam
Nov 21 09:32:02 mx sm-mta[15]: 4ALA0003: from=<s@spam.example>, size=0, class=0, nrcpts=1, proto=ESMTP, daemon=MTA, relay=[198.51.100.9]
Nov 21 09:33:00 mx sm-mta[16]: AUTH=server, relay=client.example [192.0.2.9], authid=alice, mech=PLAIN, bits=0
EOF
# By hand: received 4ALA0001 (3 recipients) and 4ALA0002 (4), not the
# size=0 one; delivered b, c and later d: 3; deferrals d and h: 2, in
# two messages; bounced e, f (one line) and g: 3; rejected the two
# "Milter:" lines (the "milter=" line is the same reject again); bytes
# delivered 3 x 1000; senders a@src.example and <>; recipients b, c, d;
# one SMTP AUTH login; events: d, e+f, g, h and the two milter rejects.
"$MXTALLY" -q -f json --year 2026 "$tmp/smsrc.log" >"$tmp/smsrc.json"
want '.traffic | [.received, .delivered, .deferred, .deferrals, .bounced,
    .rejected, .bytes_received, .bytes_delivered, .senders, .recipients,
    .logins.smtp_auth.ok]' '[2,3,2,2,3,2,3000,3000,2,3,1]' "$tmp/smsrc.json"
want '[.causes[].events] | add' 6 "$tmp/smsrc.json"
same_j "$tmp/smsrc.log"
# the same through the awk that checks the corpus
awk -f "$(dirname "$0")/traffic-sendmail.awk" "$tmp/smsrc.log" >"$tmp/smsrc.want"
while read -r key value; do
	want ".traffic.$key" "$value" "$tmp/smsrc.json"
done <"$tmp/smsrc.want"

# Courier: the corpus has only courieresmtpd's refusals (fail2ban's
# courier-smtp): each "error,relay=...,from=<s>,to=<r>: NNN" line is a
# rejected attempt, the msg="535 ..." lines are failed logins.
log=../shared/corpus/fail2ban/courier-smtp
"$MXTALLY" -q -f json --year 2026 "$log" >"$tmp/cs.json" || bad "mxtally on $log"
want .traffic.rejected "$(grep -c 'courieresmtpd[^ ]*: error,relay=[^ ]*,from=' "$log")" \
    "$tmp/cs.json"
want .traffic.logins.smtp_auth.failed "$(grep -c 'msg="535 ' "$log")" "$tmp/cs.json"
want .traffic.counted_from '["courier"]' "$tmp/cs.json"
same_j "$log"
# The rest written per Courier's cdmsgq.C (newmsg, completed) and
# libs/comctlfile.c ctlfile_append_reply() (courieresmtp logs a
# delivery with its reply and again as "status: success").
cat >"$tmp/courier.log" <<'EOF'
Nov 21 09:00:00 mx courierd: newmsg,id=0000C9F2.5A4B3C2D.0001B2C3: dns; mail.src.example (mail.src.example [::ffff:192.0.2.1])
Nov 21 09:00:00 mx courierd: started,id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,module=local,host=alice,addr=<alice@mx.example>
Nov 21 09:00:01 mx courierlocal: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<alice@mx.example>,size=1200,success: Message delivered.
Nov 21 09:00:01 mx courierd: started,id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,module=esmtp,host=far.example,addr=<bob@far.example>
Nov 21 09:00:02 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<bob@far.example>,size=1200,success: 250 2.0.0 Ok: queued as 4ALA01
Nov 21 09:00:02 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<bob@far.example>,size=1200,status: success
Nov 21 09:00:03 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<carol@slow.example>: Connection refused
Nov 21 09:00:03 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<carol@slow.example>,status: deferred
Nov 21 09:00:04 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<dan@gone.example>: 550 5.1.1 <dan@gone.example>: Recipient address rejected
Nov 21 09:00:04 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<dan@gone.example>,status: failure
Nov 21 09:05:00 mx courierd: newmsg,id=0000C9F3.5A4B3C2E.0001B2C4, auth=erin: dns; laptop ([::ffff:192.0.2.50])
Nov 21 09:05:01 mx courierlocal: id=0000C9F3.5A4B3C2E.0001B2C4,from=<erin@mx.example>,addr=<alice@mx.example>,size=300,status: success
Nov 21 09:05:02 mx courierd: completed,id=0000C9F3.5A4B3C2E.0001B2C4
Nov 21 09:06:00 mx courieresmtpd: error,relay=::ffff:198.51.100.7,port=40000,from=<spam@bad.example>,to=<zed@mx.example>: 550 User unknown.
Nov 21 09:06:01 mx courieresmtpd: error,relay=::ffff:198.51.100.8,port=40001,msg="535 Authentication failed.",cmd: AUTH LOGIN
Nov 21 09:07:00 mx courierlocal: id=0000C9F4.5A4B3C2F.0001B2C5,from=<x@old.example>,addr=<alice@mx.example>,size=5000,status: success
EOF
# By hand: received 2 (the newmsg lines), one with auth= (a login);
# delivered alice 1200, bob 1200 (once), alice 300, alice 5000: 4 and
# 7,700 bytes, 2 recipients; carol deferred, dan bounced; one rejected
# RCPT; the 535 a failed login. Courier logs a message's size only with
# a delivery (ctlfile_append_msgsize): bytes received are the first
# delivery's size of each message received in the log, 1,200 + 300 =
# 1,500, from 2 senders (a@src.example, erin@mx.example); the 5,000
# one arrived before the log began and adds nothing, as in pflogsumm.
"$MXTALLY" -q -f json --year 2026 "$tmp/courier.log" >"$tmp/courier.json"
want '.traffic | [.received, .delivered, .deferred, .deferrals, .bounced,
    .rejected, .bytes_delivered, .recipients, .logins.smtp_auth.ok,
    .logins.smtp_auth.failed, .bytes_received, .senders]' \
    '[2,4,1,1,1,1,7700,2,1,1,1500,2]' "$tmp/courier.json"
# a message's newmsg and its deliveries in different chunks and workers
# (the test binary's 256-byte chunks): the same traffic
if [ -n "${MXTALLY_T:-}" ]; then
	jq -c .traffic "$tmp/courier.json" >"$tmp/cc0"
	for j in 1 2; do
		MXT_TEST_CHUNK=256 "$MXTALLY_T" -q -j$j -f json --year 2026 \
		    "$tmp/courier.log" | jq -c .traffic >"$tmp/cc$j"
		cmp -s "$tmp/cc0" "$tmp/cc$j" && ok ||
			bad "courier, small chunks -j$j: $(cat "$tmp/cc$j")"
	done
fi
want .traffic.counted_from '["courier"]' "$tmp/courier.json"
same_j "$tmp/courier.log"

# Exchange: the samples' protocol logs, derived by hand in
# samples/exchange/README.md: recv.log's refusals (550 5.1.10, 550
# 5.7.54, 530 5.7.57, 421 4.3.2) are rejected attempts, its two 535s
# failed logins; pop3.log's "pass" +OK and imap4.log's "a1 OK LOGIN"
# successful logins. The rest written per Microsoft's documentation of
# the protocol log: a Receive log's "250 2.6.0 ... Queued mail for
# delivery" is a message received, a Send log's 4xx from the remote a
# deferral and 5xx a bounce; 500-504 (command errors) are no rejects.
"$MXTALLY" -q -f json samples/exchange/recv.log >"$tmp/xr.json"
want '.traffic | [.rejected, .logins.smtp_auth.failed, .counted_from]' \
    '[4,2,["exchange"]]' "$tmp/xr.json"
"$MXTALLY" -q -f json samples/exchange/pop3.log >"$tmp/xp.json"
want '.traffic | [.logins.pop3.ok, .logins.pop3.failed]' '[1,1]' "$tmp/xp.json"
"$MXTALLY" -q -f json samples/exchange/imap4.log >"$tmp/xi.json"
want '.traffic | [.logins.imap.ok, .logins.imap.failed]' '[1,2]' "$tmp/xi.json"
cat >"$tmp/xs.log" <<'EOF'
#Software: Microsoft Exchange Server
#Log-type: SMTP Receive Protocol Log
#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context
2026-11-21T10:00:01.000Z,EX01\Default Frontend EX01,08DE2A1B3C4D5F01,0,10.0.0.5:25,198.51.100.8:40022,+,,
2026-11-21T10:00:01.100Z,EX01\Default Frontend EX01,08DE2A1B3C4D5F01,1,10.0.0.5:25,198.51.100.8:40022,<,DATA,
2026-11-21T10:00:01.300Z,EX01\Default Frontend EX01,08DE2A1B3C4D5F01,2,10.0.0.5:25,198.51.100.8:40022,>,"250 2.6.0 <a1@mail.example.org> [InternalId=1234, Hostname=EX01.example.net] 2145 bytes in 0.078, 26.789 KB/sec Queued mail for delivery",
2026-11-21T10:00:01.400Z,EX01\Default Frontend EX01,08DE2A1B3C4D5F01,3,10.0.0.5:25,198.51.100.8:40022,<,BDAT 4096 LAST,
2026-11-21T10:00:01.500Z,EX01\Default Frontend EX01,08DE2A1B3C4D5F01,4,10.0.0.5:25,198.51.100.8:40022,>,250 2.6.0 <a2@mail.example.org> [InternalId=1235] Queued mail for delivery,
2026-11-21T10:00:01.600Z,EX01\Default Frontend EX01,08DE2A1B3C4D5F01,5,10.0.0.5:25,198.51.100.8:40022,<,XYZZY,
2026-11-21T10:00:01.601Z,EX01\Default Frontend EX01,08DE2A1B3C4D5F01,6,10.0.0.5:25,198.51.100.8:40022,>,500 5.3.3 Unrecognized command,
2026-11-21T10:01:00.000Z,Internet Send Connector,08DE2A1B3C4D5F02,0,10.0.0.5:40100,192.0.2.25:25,+,,
2026-11-21T10:01:00.100Z,Internet Send Connector,08DE2A1B3C4D5F02,1,10.0.0.5:40100,192.0.2.25:25,>,RCPT TO:<bob@far.example>,
2026-11-21T10:01:00.200Z,Internet Send Connector,08DE2A1B3C4D5F02,2,10.0.0.5:40100,192.0.2.25:25,<,550 5.1.1 <bob@far.example>: Recipient address rejected: User unknown,
2026-11-21T10:01:00.300Z,Internet Send Connector,08DE2A1B3C4D5F02,3,10.0.0.5:40100,192.0.2.25:25,>,RCPT TO:<carol@far.example>,
2026-11-21T10:01:00.400Z,Internet Send Connector,08DE2A1B3C4D5F02,4,10.0.0.5:40100,192.0.2.25:25,<,450 4.2.0 <carol@far.example>: Recipient address rejected: Greylisted,
EOF
# by hand: 2 received, 0 rejected (the 500 is a command error), one
# bounce (550 5.1.1), one deferral (450 4.2.0)
"$MXTALLY" -q -f json "$tmp/xs.log" >"$tmp/xs.json"
want '.traffic | [.received, .rejected, .bounced, .deferrals, .counted_from]' \
    '[2,0,1,1,["exchange"]]' "$tmp/xs.json"
same_j "$tmp/xs.log"

# Exchange message tracking logs (tests/exchange/, written per
# Microsoft's list of the log's fields; 2013+ with network-message-id,
# 2010 without). By hand, msgtrk-2016.log: RECEIVE 1001 (4,200 bytes,
# ann@partner.example, to alice and bob), 1002 (1,500, carol), 1003
# (800, eve), 1004 (2,000, carol): 4 received, 8,500 bytes, 3 senders;
# DELIVER 1001 to alice and bob and SEND 1002 to dan: 3 delivered,
# 4,200 x 2 + 1,500 = 9,900 bytes, 3 recipients; DEFER 1004 for x and
# y: 2 deferrals of 1 message; FAIL 1003 (ghost, 550 5.1.1 by our own
# routing: unknown_mailbox, local) and 1004 (y, 550 5.7.1 blocked
# using zen.spamhaus.org by mx.slow.example: policy_rejection,
# outbound): 2 bounced; the DEFER's 451 ... "421 4.3.2 Service not
# available" is service_unavailable for both recipients (outbound);
# AGENTINFO and DSN count nothing.
x=tests/exchange/msgtrk-2016.log
"$MXTALLY" -q -f json "$x" >"$tmp/xt.json" || bad "mxtally on $x"
want '.traffic | [.received, .bytes_received, .senders, .delivered,
    .bytes_delivered, .recipients, .deferred, .deferrals, .bounced,
    .rejected, .counted_from]' '[4,8500,3,3,9900,3,1,2,2,0,["exchange"]]' \
    "$tmp/xt.json"
want '[.causes | to_entries[] | [.key, .value.events, .value.direction.local,
    .value.direction.outbound]]' '[["service_unavailable",2,0,2],["policy_rejection",1,0,1],["unknown_mailbox",1,1,0]]' \
    "$tmp/xt.json"
want '.causes.policy_rejection.detail' '[["rbl:zen.spamhaus.org",1]]' \
    "$tmp/xt.json"
want '[.causes.unknown_mailbox.top_users, .causes.service_unavailable.top_remotes]' \
    '[[["ghost@example.net",1]],[["mx.slow.example",2]]]' "$tmp/xt.json"
# the same with awk (fields split as CSV: quoted ones hold commas):
# RECEIVE lines and their total-bytes (field 15 of 2013+), recipients
# of DELIVER and SEND lines (field 13, ';' between)
got=$(awk 'function csv(s, f,    n, i, c, q, cur) {
	n = 0; q = 0; cur = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (q && c == "\"" && substr(s, i + 1, 1) == "\"") {
			cur = cur c; i++
		} else if (c == "\"")
			q = !q
		else if (c == "," && !q) {
			f[++n] = cur; cur = ""
		} else
			cur = cur c
	}
	f[++n] = cur
	return n
}
!/^#/ { csv($0, f) }
!/^#/ && f[9] == "RECEIVE" { n++; b += f[15] }
!/^#/ && (f[9] == "DELIVER" || f[9] == "SEND") { d += split(f[13], r, ";") }
END { printf "%d %d %d", n, b, d }' "$x")
want '.traffic | "\(.received) \(.bytes_received) \(.delivered)"' "\"$got\"" \
    "$tmp/xt.json"
same_j "$x"
if [ -n "${MXTALLY_T:-}" ]; then
	jq -c '{traffic, causes}' "$tmp/xt.json" >"$tmp/xt0"
	for j in 1 2; do
		MXT_TEST_CHUNK=1024 "$MXTALLY_T" -q -j$j -f json "$x" |
		    jq -c '{traffic, causes}' >"$tmp/xt$j"
		cmp -s "$tmp/xt0" "$tmp/xt$j" && ok ||
			bad "msgtrk, small chunks -j$j: $(cat "$tmp/xt$j")"
	done
fi
# msgtrk-2010.log: RECEIVE 77 (700 bytes, z@old.example), DELIVER 77 to
# alice (700), FAIL 78 (nobody@gone.example, 550 5.1.1 from
# mx.gone.example: unknown_mailbox, outbound; 78 was not received in
# the log)
x=tests/exchange/msgtrk-2010.log
"$MXTALLY" -q -f json "$x" >"$tmp/xu.json" || bad "mxtally on $x"
want '.traffic | [.received, .bytes_received, .senders, .delivered,
    .bytes_delivered, .bounced]' '[1,700,1,1,700,1]' "$tmp/xu.json"
want '.causes.unknown_mailbox | [.events, .direction.outbound, .top_users]' \
    '[1,1,[["nobody@gone.example",1]]]' "$tmp/xu.json"

# History (--history): one day_traffic row per day with the families
# counted; the sendmail lines above by hand, all on 2026-11-21. A log
# that counted no family's traffic stores no row (never a 0).
if command -v sqlite3 >/dev/null 2>&1; then
	"$MXTALLY" -q --year 2026 --history "$tmp/h.db" -o /dev/null \
	    "$tmp/smsrc.log" || bad "--history"
	"$MXTALLY" -q --year 2026 --history "$tmp/h.db" -o /dev/null \
	    samples/qpopper/pop.log || bad "--history pop.log"
	got=$(sqlite3 "$tmp/h.db" 'select day, counted_from, received,
	    delivered, deferrals, bounced, rejected from day_traffic' |
	    tr '\n' ' ')
	[ "$got" = "2026-11-21|sendmail|2|3|2|3|2 " ] && ok ||
	    bad "day_traffic: $got"
	# merge carries counted_from across reports of two families
	"$MXTALLY" merge -f json "$tmp/smsrc.json" "$tmp/courier.json" \
	    >"$tmp/merged.json" || bad "merge"
	want '.traffic | [.counted_from, .received, .delivered]' \
	    '[["sendmail","courier"],4,7]' "$tmp/merged.json"
	"$MXTALLY" -f csv --table traffic -q "$tmp/smsrc.log" \
	    >"$tmp/t.csv" || bad "csv"
	[ "$(sed -n 2p "$tmp/t.csv" | cut -d, -f1-8)" = \
	    "$(printf 'sendmail,2,3,0,2,2,3,2')" ] && ok ||
	    bad "csv traffic: $(sed -n 2p "$tmp/t.csv")"
	"$MXTALLY" -f csv --table traffic -q samples/qpopper/pop.log |
	    sed -n 2p | grep -q '^not counted,,,' && ok ||
	    bad "csv traffic of a POP3 log is not 'not counted'"
else
	skip "sqlite3 not installed"
fi

# a POP3 server's log: no message traffic read, so "not counted"
"$MXTALLY" -q -f json samples/qpopper/pop.log >"$tmp/pop.json"
[ "$(jq -c .traffic.counted_from "$tmp/pop.json")" = '[]' ] && ok ||
	bad "qpopper: counted_from not empty"
"$MXTALLY" -q samples/qpopper/pop.log | grep -q '^  Traffic   not counted' &&
    ok || bad "qpopper: the text does not say traffic is not counted"
t_end
