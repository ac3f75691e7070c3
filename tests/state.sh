#!/bin/sh
# End-to-end tests of what outlives one run:
#  - merge: a saved report merged alone gives itself back whole, each
#    sample's and those of --max-keys with their "(other)" rows in their
#    own order (tables, traffic lists, templates) and their own distinct
#    counts;
#    reports of the sample files merged give what one run over all of them
#    gives (the expectation is mxtally's own all-files report: both sides
#    are computed independently, by the scan and by the merge); bad
#    arguments fail with exit 2 or 3 and name the file;
#  - anonymize: no user name of the input is left in any output, the
#    key file is made once (0600) and the same user gets the same token
#    run after run; alice@example.net's token (computed apart with
#    Python's hmac, see tests/test_anon.c) carries her 2 quota events
#    (lines 1 and 2 of anon.log below, one spelt Alice@Example.NET);
#  - state: a log written, appended to and rotated (maillog -> .1 ->
#    .2.gz, copytruncate, a rotation straight to .gz) is read run after
#    run; each line is one event, so the expected events per run are
#    the lines added since the last run, counted by hand below.
set -u
. "$(dirname "$0")/lib.sh"
t_setup state
run() { "$MXTALLY" -q --year 2026 -j1 "$@"; }
# everything is compared, traffic lists included (each sample's top lists
# are complete, so distinct senders and recipients are exact), except
# sender_domains and recipient_domains: a merge sums them (upper bounds,
# see src/merge/merge.c), and since Exim's traffic is counted a domain
# appears in both postfix/mx.log and exim/mainlog.log
norm() {
	jq -S 'if .traffic then del(.traffic.sender_domains,
	    .traffic.recipient_domains) else . end' "$1"
}

# 1. merge
for f in samples/*/*.log; do
	b=$(echo "$f" | sed 's|^samples/||; s|/|_|; s|\.log$||')
	run -f json "$f" >"$tmp/$b.json"
	echo "$b.json" >>"$tmp/order"
done
run -f json samples/*/*.log >"$tmp/all.json"
"$MXTALLY" merge -f json "$tmp/generic_pop3.json" >"$tmp/one.json" || bad "merge one"
norm "$tmp/one.json" >"$tmp/one.n"
norm "$tmp/generic_pop3.json" >"$tmp/pop3.n"
cmp -s "$tmp/one.n" "$tmp/pop3.n" && ok ||
    bad "merging one report changes it"
# and so does every sample's report, whole: the merge counts its rows
# with the scan's aggregation (src/agg/rows.c, agg_result)
n=0
for b in $(cat "$tmp/order"); do
	"$MXTALLY" merge -f json "$tmp/$b" | jq -S . >"$tmp/alone.n"
	jq -S . "$tmp/$b" | cmp -s - "$tmp/alone.n" ||
	    { n=$((n + 1)); echo "merged alone differs: $b"; }
done
[ $n = 0 ] && ok || bad "$n sample reports merged alone differ"
(cd "$tmp" && "$MXTALLY" merge -f json $(cat order)) >"$tmp/m.json" ||
    bad "merge all"
# the merged files list names the paths as the reports gave them
norm "$tmp/m.json" >"$tmp/m.n"
norm "$tmp/all.json" >"$tmp/all.n"
cmp -s "$tmp/m.n" "$tmp/all.n" && ok ||
    { bad "merge of per-file reports differs from one run"; diff "$tmp/m.n" "$tmp/all.n" | head; }
# the same traffic twice: a merge adds the lists address by address and
# counts the distinct senders and recipients from the (complete) lists,
# as one run over the log read twice does; domains and deferred
# messages (distinct queue ids) are summed, an upper bound, so left out
cp samples/postfix/mx.log "$tmp/mx2.log"
run -f json samples/postfix/mx.log "$tmp/mx2.log" >"$tmp/twice.json"
"$MXTALLY" merge -f json "$tmp/postfix_mx.json" "$tmp/postfix_mx.json" \
    >"$tmp/m2.json" || bad "merge twice"
tr2() {
	jq -S '.traffic | del(.deferred, .sender_domains, .recipient_domains)' "$1"
}
tr2 "$tmp/m2.json" >"$tmp/m2.n"
tr2 "$tmp/twice.json" >"$tmp/twice.n"
cmp -s "$tmp/m2.n" "$tmp/twice.n" && ok ||
    { bad "merged traffic twice differs from one run"; diff "$tmp/m2.n" "$tmp/twice.n" | head; }
# text output of a merge is the text report of the combined result
"$MXTALLY" merge "$tmp/postfix_mx.json" "$tmp/dovecot_store.json" >"$tmp/m.txt" && ok ||
    bad "merge text"
grep -q "^" "$tmp/m.txt" && ok || bad "merge text empty"
# a --top report merged alone keeps its events with a client, remote
# and urgent reply: they are totals, not the sum of the rows it listed
run --top 2 -f json samples/*/*.log >"$tmp/top2.json"
"$MXTALLY" merge -f json "$tmp/top2.json" >"$tmp/top2-m.json"
q='[.totals.client_events, .totals.remote_events, .totals.urgent_events]'
[ "$(jq -c "$q" "$tmp/top2.json")" = "$(jq -c "$q" "$tmp/top2-m.json")" ] &&
    ok || bad "merge --top 2 report: client and remote events differ"
# and each cause's top clients and remotes, from its own lists
q='[.causes[] | [.top_clients, .top_remotes]]'
[ "$(jq -c "$q" "$tmp/top2.json")" = "$(jq -c "$q" "$tmp/top2-m.json")" ] &&
    ok || bad "merge --top 2 report: top clients or remotes differ"
# --top 1 while merging: one user listed, the total still counts all
"$MXTALLY" merge --top 1 -f json "$tmp/postfix_mx.json" "$tmp/dovecot_store.json" \
    >"$tmp/top.json"
[ "$(jq '.users | length' "$tmp/top.json")" = 1 ] && ok || bad "merge --top 1"
[ "$(jq .totals.users "$tmp/top.json")" = \
  "$(jq -s '[.[].users[].user] | unique | length' "$tmp/postfix_mx.json" "$tmp/dovecot_store.json")" ] &&
    ok || bad "merge --top 1 total users"
# a report whose --max-keys folded keys into "(other)", merged alone, lists
# its users, hosts, clients, networks and remotes in its own order: the
# scan puts "(other)" last among equal counts, and so must merge (its name
# would sort it first). With --max-keys 5 over the samples the remotes
# have such a tie.
for mk in 3 5 8; do
	run --max-keys $mk -f json samples/*/*.log >"$tmp/mk.json"
	"$MXTALLY" merge -f json "$tmp/mk.json" >"$tmp/mk-m.json"
	for k in users hosts clients networks remotes; do
		q="[.$k[] | (.user // .host // .client // .network // .remote)]"
		[ "$(jq -c "$q" "$tmp/mk.json")" = "$(jq -c "$q" "$tmp/mk-m.json")" ] &&
		    ok || bad "merge --max-keys $mk report: $k order differs"
	done
	# the traffic top lists and the unclassified templates in their own
	# order too: there "(other)" comes after every kept key, whatever
	# its count (a merge sorted it among them by its count)
	q='[.traffic | .top_senders, .top_senders_by_size, .top_recipients,
	    .top_recipients_by_size | map([.address, .messages // .deliveries,
	    .bytes])]'
	[ "$(jq -c "$q" "$tmp/mk.json")" = "$(jq -c "$q" "$tmp/mk-m.json")" ] &&
	    ok || bad "merge --max-keys $mk report: traffic list order differs"
	q='[.unclassified[] | [.template, .events, .example]]'
	[ "$(jq -c "$q" "$tmp/mk.json")" = "$(jq -c "$q" "$tmp/mk-m.json")" ] &&
	    ok || bad "merge --max-keys $mk report: template order differs"
	# in short, it gives the whole report back
	[ "$(jq -S . "$tmp/mk.json")" = "$(jq -S . "$tmp/mk-m.json")" ] &&
	    ok || bad "merge --max-keys $mk report: merged alone differs"
	# and counts its users, hosts, clients, remotes as it did: the
	# "(other)" row is no user (a merge counted it as one more)
	q='[.totals.users, .totals.hosts, .totals.clients, .totals.remotes]'
	[ "$(jq -c "$q" "$tmp/mk.json")" = "$(jq -c "$q" "$tmp/mk-m.json")" ] &&
	    ok || bad "merge --max-keys $mk report: totals differ"
	# a cause's top remotes are kept keys: no "(other)" among them
	q='[.causes[] | .top_remotes]'
	[ "$(jq -c "$q" "$tmp/mk.json")" = "$(jq -c "$q" "$tmp/mk-m.json")" ] &&
	    ok || bad "merge --max-keys $mk report: top_remotes differ"
	# the traffic lists' folded counts are summed like folded_users
	q='[.traffic.folded_senders, .traffic.folded_recipients]'
	[ "$(jq -c "$q" "$tmp/mk.json")" = "$(jq -c "$q" "$tmp/mk-m.json")" ] &&
	    ok || bad "merge --max-keys $mk report: folded traffic differs"
done
# errors
"$MXTALLY" merge 2>"$tmp/err"; [ $? = 2 ] && ok || bad "merge without reports: not 2"
"$MXTALLY" merge "$tmp/nonexistent.json" 2>"$tmp/err"
[ $? = 3 ] && grep -q "nonexistent.json.*cannot open" "$tmp/err" && ok ||
    bad "merge of a missing report"
printf '{"schema": "mxtally/1", "totals": {' >"$tmp/cut.json"
"$MXTALLY" merge "$tmp/cut.json" 2>"$tmp/err"
[ $? = 3 ] && grep -q "cut.json': line 1, column 35 (byte 35): " "$tmp/err" && ok ||
    bad "merge of a truncated report"

# one Postfix LMTP quota deferral: $1 second digit, $2 the user
qline() {
	echo "Nov 21 11:20:0$1 mx1 postfix/lmtp[4200]: 8B1C21C0B$1:" \
	    "to=<$2>, relay=store1.example.net[10.0.0.11]:24, delay=0.9," \
	    "delays=0.8/0/0/0.1, dsn=4.2.2, status=deferred (host" \
	    "store1.example.net[10.0.0.11] said: 452 4.2.2 <$2> Quota" \
	    "exceeded (mailbox for user is full) (in reply to end of DATA" \
	    "command))"
}

# 2. anonymize
{ qline 1 alice@example.net; qline 2 Alice@Example.NET
  qline 3 bob@example.net; } >"$tmp/anon.log"
printf '0123456789abcdef0123456789abcdef\n' >"$tmp/key"
for fmt in json text; do
	run -f $fmt --anonymize users,ips --anonymize-key "$tmp/key" \
	    "$tmp/anon.log" >"$tmp/anon.$fmt" || bad "anonymize -f $fmt"
	if grep -Eqiw 'alice|bob' \
	    "$tmp/anon.$fmt"; then
		bad "a user name is left in the anonymized $fmt report"
	else
		ok
	fi
done
# the traffic lists (top senders and recipients) are covered too
for fmt in json text html; do
	run -f $fmt --anonymize users,ips --anonymize-key "$tmp/key" \
	    samples/postfix/mx.log >"$tmp/anon2.$fmt" || bad "anonymize -f $fmt"
	if grep -Eqi 'alice|news@|erin@|192\.0\.2\.10' "$tmp/anon2.$fmt"; then
		bad "a sender, recipient or client is left in the $fmt report"
	else
		ok
	fi
done
[ "$(jq -c '[.users[] | select(.user == "u-6c295d5f50ae") | .causes]' \
    "$tmp/anon.json")" = '[{"quota_exceeded":2}]' ] && ok ||
    bad "alice@example.net's token or its counts"
[ "$(jq .totals.users "$tmp/anon.json")" = 2 ] &&
    ok || bad "anonymizing changed the number of users"
run -f json --anonymize users --anonymize-key "$tmp/new.key" \
    "$tmp/anon.log" >"$tmp/k1.json" || bad "anonymize with a new key"
[ "$(stat -c %a "$tmp/new.key")" = 600 ] && ok || bad "new key file not 0600"
run -f json --anonymize users --anonymize-key "$tmp/new.key" \
    "$tmp/anon.log" >"$tmp/k2.json"
cmp -s "$tmp/k1.json" "$tmp/k2.json" && ok || bad "tokens differ between runs"
cmp -s "$tmp/k1.json" "$tmp/anon.json" && bad "another key, same tokens" || ok
run --anonymize users samples/postfix/mx.log >/dev/null 2>&1
[ $? = 2 ] && ok || bad "--anonymize without a key: not 2"
run --anonymize names --anonymize-key "$tmp/key" samples/postfix/mx.log \
    >/dev/null 2>&1
[ $? = 2 ] && ok || bad "--anonymize names: not 2"

# 3. state: events of one run over the given logs
srun() {
	(cd "$tmp/rot" && "$MXTALLY" -q --year 2026 -f json --state st "$@") |
	    jq .totals.events
}
expect() { [ "$1" = "$2" ] && ok || bad "state $3: $1 events, want $2"; }
mkdir "$tmp/rot"
m=$tmp/rot/maillog
{ qline 1 u1@x; qline 2 u2@x; qline 3 u3@x; } >"$m"
printf 'Nov 21 11:20:04 mx1 postfix/lmtp[4200]: 8B1C21C0B4:' >>"$m"
expect "$(srun maillog)" 3 "first run (3 lines, 1 partial)"
head -1 "$tmp/rot/st" | grep -qx 'mxtally-state 1' && ok || bad "state header"
qline 4 u4@x | sed 's/^.*8B1C21C0B4://' >>"$m"	# the partial line ends
qline 5 u5@x >>"$m"
expect "$(srun maillog)" 2 "after appending (line 4 finished, 5)"
expect "$(srun maillog)" 0 "nothing new"
mv "$m" "$m.1"; { qline 6 v1@x; qline 7 v2@x; } >"$m"
qline 6 u6@x >>"$m.1"		# written just before the rotation
expect "$(srun maillog maillog.1)" 3 "rotated (.1: 1, new: 2)"
qline 8 v3@x >>"$m"
gzip "$m.1"; mv "$tmp/rot/maillog.1.gz" "$tmp/rot/maillog.2.gz"
mv "$m" "$m.1"; qline 9 w1@x >"$m"
expect "$(srun maillog.2.gz maillog.1 maillog)" 2 "rotated twice (.2.gz: 0, .1: 1, new: 1)"
expect "$(srun maillog maillog.1 maillog.2.gz)" 0 "any order, nothing new"
# copytruncate: the same first line, but shorter than what was read
qline 8 w3@x >>"$m"
expect "$(srun maillog)" 1 "appended before copytruncate"
qline 9 w1@x >"$m"
expect "$(srun maillog)" 1 "copytruncate"
# straight to .gz (no delaycompress): the unread tail is in the .gz
qline 5 w2@x >>"$m"; gzip -c "$m" >"$m.1.gz"; qline 1 z1@x >"$m"
expect "$(srun maillog maillog.1.gz)" 2 "rotated to .gz (.1.gz: 1, new: 1)"
# Exchange and IIS logs all start with the same '#' header lines: a new
# log is not the old one (it was: resumed at the old one's offset, 0
# events). One POP3 logon failure per data line ($1 hour, $2 minute).
xhead() { printf '%s\n' '#Software: Microsoft Exchange Server' \
    '#Version: 15.02.1544.004' '#Log-type: POP3 Protocol Log' \
    '#Fields: dateTime,sessionId,seqNumber,sIp,cIp,user,duration,rqsize,rpsize,command,parameters,context'; }
xline() { printf '2026-11-21T%s:%s:01.200Z,0000000000B1C2D1,2,10.0.0.5:995,203.0.113.20:50001,c%s@x,46,6,49,pass,****,"R=""-ERR Logon failure: unknown user name or bad password."";Msg=User:c%s@x"\n' "$1" "$2" "$2" "$2"; }
x=$tmp/rot/ex
{ xhead; xline 10 01; xline 10 02; xline 10 03; } >"$x.a"
expect "$(srun ex.a)" 3 "Exchange log a (3 lines)"
{ xhead; xline 11 01; xline 11 02; xline 11 04; xline 11 05; } >"$x.b"
expect "$(srun ex.b)" 4 "Exchange log b, same headers (4 lines)"
expect "$(srun ex.a ex.b)" 0 "both again, nothing new"
xhead >"$x.c"
expect "$(srun ex.c)" 0 "headers only"
xline 12 01 >>"$x.c"
expect "$(srun ex.c)" 1 "headers only, then a line"
# rotation by rename: ex.b -> ex.b.1 (one more line written before),
# a new ex.b with the same headers
xline 11 03 >>"$x.b"; mv "$x.b" "$x.b.1"; { xhead; xline 13 01; } >"$x.b"
expect "$(srun ex.b ex.b.1)" 2 "Exchange rotated (.1: 1, new: 1)"
# copytruncate: same headers, new lines, shorter than what was read
xline 13 02 >>"$x.b"
expect "$(srun ex.b)" 1 "Exchange appended"
{ xhead; xline 14 01; } >"$x.b"
expect "$(srun ex.b)" 1 "Exchange copytruncate"
# copytruncate that writes more than was read before: still new lines
{ xhead; xline 15 01; xline 15 02; xline 15 03; xline 15 04; } >"$x.b"
expect "$(srun ex.b)" 4 "Exchange copytruncate, longer than before"
# a state file written when the key was the first line's: the same
# inode is still found (its offset kept), another file is not
fnv() { python3 -c 'import sys
h = 0xcbf29ce484222325
for b in sys.stdin.buffer.readline():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)'; }
{ xhead; xline 16 01; xline 16 02; } >"$x.d"
set -- $(stat -c '%d %i %s' "$x.d")
printf 'mxtally-state 1\n%s %s %s %s %s 0 %s ex.d\n' "$(fnv <"$x.d")" \
    "$1" "$2" "$3" "$3" "$(date +%s)" >"$tmp/rot/st"
xline 16 03 >>"$x.d"
{ xhead; xline 17 01; } >"$x.e"
expect "$(srun ex.d ex.e)" 2 "old state file (ex.d: 1, ex.e: 1)"
printf 'garbage\n' >"$tmp/rot/bad"
(cd "$tmp/rot" && "$MXTALLY" -q --state bad maillog >/dev/null 2>&1)
[ $? = 2 ] && ok || bad "a bad state file: not 2"
# numbers a state file cannot hold: an offset past 2^64 - 1 (sscanf
# gave UINT64_MAX, so the file was skipped for good), a negative size
# (wrapped to 2^64 - 1), a device in hex. Each names the file and line;
# the same entry with the largest offset that fits loads.
good="0123456789abcdef 1 2 3 18446744073709551615 0 1 p"
for e in "0123456789abcdef 1 2 3 18446744073709551616 0 1 p" \
    "0123456789abcdef 1 2 -3 4 0 1 p" "0123456789abcdef 0x1 2 3 4 0 1 p" \
    "0123456789abcdef 1 2 3 4 7 1 p"; do
	printf 'mxtally-state 1\n%s\n%s\n' "$good" "$e" >"$tmp/rot/big"
	(cd "$tmp/rot" && "$MXTALLY" -q --state big maillog >/dev/null 2>"$tmp/err")
	[ $? = 2 ] && grep -q "'big' line 3: not an mxtally state file" "$tmp/err" &&
	    ok || bad "state line '$e': $(cat "$tmp/err")"
done
printf 'mxtally-state 1\n%s\n' "$good" >"$tmp/rot/big"
(cd "$tmp/rot" && "$MXTALLY" -q --state big maillog >/dev/null 2>"$tmp/err") &&
    ok || bad "state offset 2^64 - 1: $(cat "$tmp/err")"
# 200,000 entries load in linear time (34 s before: each line looked
# for its key among all the lines read before it)
awk 'BEGIN { print "mxtally-state 1"; t = systime();
    for (i = 1; i <= 200000; i++) printf "%016x 1 %d 10 10 0 %d f%d\n", i, i, t, i }' \
    >"$tmp/rot/many"
s0=$(date +%s)
(cd "$tmp/rot" && "$MXTALLY" -q --state many maillog >/dev/null) ||
    bad "200,000 state entries: exit $?"
s1=$(date +%s)
[ $((s1 - s0)) -lt 10 ] && [ "$(wc -l <"$tmp/rot/many")" -ge 200001 ] && ok ||
    bad "200,000 state entries: $((s1 - s0)) s, $(wc -l <"$tmp/rot/many") lines kept"

t_end
