#!/bin/sh
# End-to-end test of --history and `mxtally trend` over three nightly
# runs of samples/history/day{1,2,3}.log (2026-11-21 .. 23). Expected
# numbers, counted by hand from the logs (storage = quota_exceeded +
# system_storage + deleted_not_removed):
#   store1 quota lines: day1 alice 1 + bob 1 = 2, day2 alice 2 + bob 1
#     = 3, day3 alice 4 + bob 1 = 5 (quota: per user, never per host)
#   mx2 "452 4.3.1" lines: 2, 1, 0 (sender news@example.org); store2
#     "No space left" (user carol): 0, 0, 1 (system: per host)
#   smtp1 SASL failures (auth, not storage): 1, 1, 1
#   per day storage: 2 + 2 = 4, 3 + 1 = 4, 5 + 1 = 6
# Least squares at x = 0, 1, 2 (mean 1, Sxx = 2):
#   system storage per host: store2 0,0,1: Sxy = 2/3, slope 0.5,
#     intercept 1/3 - 0.5, now 0.8333, (10 - 0.8333) / 0.5 = 18.3 -> 19
#     days (2026-11-23 + 19 = 2026-12-12); mx2 2,1,0: slope -1, now 0,
#     never (null), ranked last; store1 (quota only) is not listed
#   quota per user: alice 1,2,4: Sxy = -(1 - 7/3) + (4 - 7/3) = 3,
#     slope 1.5; bob 1,1,1: slope 0; both refused on the newest day
#     (alice 4, bob 1), 2 users over quota each day (flat); carol (a
#     system_storage user) and news@example.org (a sender) are not
#     quota users
# --days 2 (day2, day3 only, x = 0, 1): store2 0,1: slope 1, now 1,
#   (10 - 1) / 1 = 9 days; alice 2,4: slope 2
set -u
. "$(dirname "$0")/lib.sh"
t_setup history
db=$tmp/h.db
S=samples/history

for d in 1 2 3; do
	"$MXTALLY" -q --year 2026 -j1 --history "$db" "$S/day$d.log" \
	    >/dev/null || bad "run day$d"
done
"$MXTALLY" trend --history "$db" >"$tmp/t.txt" || bad "trend text exit"
"$MXTALLY" trend --history "$db" -f json >"$tmp/t.json" ||
	bad "trend json exit"

# the answer is in the first lines
sed -n 2p "$tmp/t.txt" | grep -qx "System storage (per host): next to run out: store2 reaches 10 refusals a day in 19 days (2026-12-12) at +0.50/day each day (now 0.83/day, from event counts)." &&
	ok || { bad "headline"; head -3 "$tmp/t.txt"; }
sed -n 3p "$tmp/t.txt" | grep -qx "Mailbox quota (per user): 2 users over quota on 2026-11-23, most refused alice@example.net (4); users over quota a day: flat (+0.00/day each day)." &&
	ok || { bad "quota headline"; head -3 "$tmp/t.txt"; }
grep -q "3 of 14 days recorded" "$tmp/t.txt" && ok || bad "days recorded"
grep -Eq "^  store2 +19  from event counts +0\.83/day +\+0\.50/day +1  0 0 1$" "$tmp/t.txt" && ok ||
	bad "store2 row"
grep -Eq "^  mx2 +-  from event counts +0\.00/day +-1\.00/day +3  2 1 0$" "$tmp/t.txt" && ok ||
	bad "mx2 row"
grep -Eq "^  store1 " "$tmp/t.txt" && bad "store1 (quota) ranked as a host" ||
	ok
grep -Eq "^  alice@example\.net +4 +3/3 +rising +\+1\.50 +7  1 2 4$" \
    "$tmp/t.txt" && ok || bad "alice row"
grep -q "least-squares" "$tmp/t.txt" && grep -q "not the date a disk" \
    "$tmp/t.txt" && ok || bad "method not stated"

check() {	# jq expression that must be true
	jq -e "$1" "$tmp/t.json" >/dev/null && ok || bad "json: $1"
}
check '.days == ["2026-11-21", "2026-11-22", "2026-11-23"]'
check '[.daily[].events] == [4, 4, 6]'
check '[.daily[].causes.system_storage] == [2, 1, 1]'
check '[.system.hosts[].host] == ["store2", "mx2"]'
check '.system.hosts[0].events == [0, 0, 1] and .system.hosts[0].slope == 0.5 and
    .system.hosts[0].days_to_threshold == 19 and .system.hosts[0].now == 0.8333'
check '.system.hosts[1].slope == -1 and .system.hosts[1].days_to_threshold == null'
check '[.quota.users[].user] == ["alice@example.net", "bob@example.net"]'
check '.quota.users[0].events == [1, 2, 4] and .quota.users[0].slope == 1.5'
check '.quota.users_per_day == [2, 2, 2]'
check '[.system.hosts[].host] | index("smtp1") == null'

# the same night read again (and from stdin) does not count twice
"$MXTALLY" -q --year 2026 --history "$db" "$S/day3.log" >/dev/null ||
	bad "rerun"
"$MXTALLY" trend --history "$db" -f json >"$tmp/t2.json"
cmp -s "$tmp/t.json" "$tmp/t2.json" && ok || bad "rerun changed the trend"
[ "$(sqlite3 "$db" 'select count(*) from runs')" = 3 ] && ok ||
	bad "rerun added a run"

# two Exchange logs with the same '#' headers and the same first time,
# but different lines: two runs, both kept (the run key was the hash of
# the first lines: the second run replaced the first)
xlog() { printf '%s\n' '#Software: Microsoft Exchange Server' \
    '#Fields: dateTime,sessionId,seqNumber,sIp,cIp,user,duration,rqsize,rpsize,command,parameters,context'
    for u in "$@"; do printf '2026-11-24T10:00:01.200Z,0000000000B1C2D1,2,10.0.0.5:995,203.0.113.20:50001,%s@x,46,6,49,pass,****,"R=""-ERR Logon failure: unknown user name or bad password."";Msg=User:%s@x"\n' "$u" "$u"; done; }
xlog ann bea >"$tmp/ex1.log"
xlog cid dan eve >"$tmp/ex2.log"
cp "$db" "$tmp/x.db"
for f in ex1 ex2; do
	"$MXTALLY" -q --history "$tmp/x.db" "$tmp/$f.log" >/dev/null ||
	    bad "history $f.log"
done
[ "$(sqlite3 "$tmp/x.db" "select sum(events) from day_cause where day = '2026-11-24'")" = 5 ] &&
    ok || bad "same-header logs: $(sqlite3 "$tmp/x.db" "select sum(events) from day_cause where day = '2026-11-24'") events on 11-24, want 2 + 3"

# user names that broke the history for good: Latin-1 (not UTF-8), two
# that differ only after a NUL, a logged "(other)" beside the folded
# row (--max-keys 1). Stored as valid UTF-8 ("\xe9" for the byte; a NUL
# as "\x00", so the two stay apart: they were one row "a" of 2 when the
# C string ended at the NUL), names that meet add up, every run
# records (exit 0), also the run after
pl() { printf 'Nov 21 07:02:0%s h popper[1]: %b at x (192.0.2.1): -ERR [AUTH] bad password\n' "$1" "$2"; }
{ pl 0 'b\0351a'; pl 1 '(other)'; pl 2 'a\0000b'; pl 3 'a\0000c'; pl 4 zed; pl 5 zed; } >"$tmp/names.log"
for k in 0 1; do
	for n in 1 2; do
		"$MXTALLY" -q --year 2026 --max-keys $k --history "$tmp/n$k.db" \
		    "$tmp/names.log" >/dev/null 2>"$tmp/err" ||
		    bad "names, --max-keys $k, run $n: exit $?, $(cat "$tmp/err")"
	done
done
[ "$(sqlite3 "$tmp/n0.db" 'select "user" || "=" || events from day_user order by 1' | tr '\n' ' ')" = '(other)=1 a\x00b=1 a\x00c=1 b\xe9a=1 zed=2 ' ] &&
    ok || bad "names stored: $(sqlite3 "$tmp/n0.db" 'select "user", events from day_user')"
[ "$(sqlite3 "$tmp/n1.db" 'select "user" || "=" || events from day_user order by 1' | tr '\n' ' ')" = '(other)=4 zed=2 ' ] &&
    ok || bad "names folded: $(sqlite3 "$tmp/n1.db" 'select "user", events from day_user')"

# --days 2: the window is day2 .. day3
"$MXTALLY" trend --history "$db" --days 2 -f json >"$tmp/t3.json"
jq -e '.days == ["2026-11-22", "2026-11-23"] and
    .system.hosts[0].host == "store2" and .system.hosts[0].slope == 1 and
    .system.hosts[0].days_to_threshold == 9 and
    .quota.users[0].slope == 2' \
    "$tmp/t3.json" >/dev/null && ok || bad "--days 2"

# the window never drops days silently: with --days 2, day1 (11-21) is
# recorded but outside, and every output says so
"$MXTALLY" trend --history "$db" --days 2 >"$tmp/t3.txt"
grep -qx "1 earlier recorded day (from 2026-11-21) is outside this window: --days 3 covers it." \
    "$tmp/t3.txt" && ok || bad "--days 2 text: $(cat "$tmp/t3.txt")"
jq -e '.days_before_window == 1' "$tmp/t3.json" >/dev/null && ok ||
    bad "--days 2 json: days_before_window"
jq -e '.days_before_window == 0' "$tmp/t.json" >/dev/null && ok ||
    bad "default window: days_before_window"
"$MXTALLY" trend --history "$db" --days 2 -f html | grep -q 'id="older">1 earlier recorded day' &&
    ok || bad "--days 2 html: no note of the older day"

# a cause that is not about space is answered as a rate: auth_failure
# (smtp1 1, 1, 1 a day) is flat, not "where will we run out of space"
"$MXTALLY" trend --history "$db" --cause auth_failure >"$tmp/t4.txt"
[ "$(sed -n 1,2p "$tmp/t4.txt")" = "mxtally trend: are these errors rising or falling
auth_failure: flat, +0.00 events/day each day (now 1.00/day)." ] && ok ||
    bad "--cause auth_failure text: $(head -2 "$tmp/t4.txt")"
# the storage group keeps its question
[ "$(sed -n 1p "$tmp/t.txt")" = "mxtally trend: where will we run out of space next" ] &&
    ok || bad "storage question: $(head -1 "$tmp/t.txt")"

# --cause auth_failure: smtp1 is flat at 1 a day
"$MXTALLY" trend --history "$db" --cause auth_failure -f json >"$tmp/t4.json"
jq -e '.causes == ["auth_failure"] and [.rates.hosts[].host] == ["smtp1"] and
    .rates.hosts[0].events == [1, 1, 1] and .rates.hosts[0].slope == 0 and
    .rates.hosts[0].trend == "flat" and .system == null and .quota == null' \
    "$tmp/t4.json" >/dev/null && ok || bad "--cause auth_failure"

# errors: usage 2; a file that is not a database 3, named
"$MXTALLY" trend >/dev/null 2>&1
[ $? = 2 ] && ok || bad "trend without --history: not 2"
"$MXTALLY" trend --history "$db" --days 0 >/dev/null 2>&1
[ $? = 2 ] && ok || bad "--days 0: not 2"
printf 'not a database\n%0500d\n' 0 >"$tmp/junk.db"
"$MXTALLY" trend --history "$tmp/junk.db" >/dev/null 2>"$tmp/err"
[ $? = 3 ] && grep -q "junk.db" "$tmp/err" && ok ||
	bad "junk db: $(cat "$tmp/err")"
"$MXTALLY" -q --history "$tmp/no/such/dir/h.db" "$S/day1.log" \
    >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "no/such/dir/h.db" "$tmp/err" && ok ||
	bad "unopenable db: $(cat "$tmp/err")"
"$MXTALLY" merge --history "$db" "$tmp/t.json" >/dev/null 2>&1
[ $? = 2 ] && ok || bad "merge --history accepted"

# empty history (made by a run over an empty log): says so, exit 0
"$MXTALLY" -q --history "$tmp/empty.db" /dev/null >/dev/null ||
    bad "run over /dev/null"
"$MXTALLY" trend --history "$tmp/empty.db" >"$tmp/e.txt" &&
    grep -q "No runs recorded yet" "$tmp/e.txt" && ok || bad "empty history"
# trend on a mistyped path: exit 3, named, no database made (it made an
# empty one and exited 0)
"$MXTALLY" trend --history "$tmp/typo.db" >/dev/null 2>"$tmp/err"
[ $? = 3 ] && grep -q "typo.db': no such history database" "$tmp/err" &&
    [ ! -e "$tmp/typo.db" ] && ok || bad "trend typo.db: $(cat "$tmp/err")"
# a symlink planted as the database path is refused (run and trend),
# nothing is written where it points; the real path works
ln -s "$tmp/elsewhere.db" "$tmp/link.db"
"$MXTALLY" -q --history "$tmp/link.db" "$S/day1.log" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "link.db': is a symbolic link" "$tmp/err" &&
    [ ! -e "$tmp/elsewhere.db" ] && ok || bad "symlink db: $(cat "$tmp/err")"
ln -sf "$db" "$tmp/link2.db"
"$MXTALLY" trend --history "$tmp/link2.db" >/dev/null 2>"$tmp/err"
[ $? = 3 ] && grep -q "is a symbolic link" "$tmp/err" && ok ||
    bad "trend through a symlink: $(cat "$tmp/err")"

# html: one page, the answer up front, one bar per day and cause with
# events (4 + 4 + 6 days x causes: 2 + 2 + 2 non-zero), host names
# escaped; balanced tags checked by python's parser
"$MXTALLY" trend --history "$db" -f html >"$tmp/t.html" || bad "html exit"
grep -q 'id="answer-system">System storage (per host): next to run out: store2' \
    "$tmp/t.html" && ok || bad "html headline"
# a host's bars show system storage causes only, a user's quota only:
# store1's quota refusals are never drawn as a host's (#c62828 family)
sed -n '/id="system"/,/<\/section>/p' "$tmp/t.html" | grep -o 'data-cause="[a-z_]*"' |
    sort -u | tr '\n' ' ' | grep -qx 'data-cause="system_storage" ' &&
    ok || bad "system section shows a cause not its own"
sed -n '/id="quota"/,/<\/section>/p' "$tmp/t.html" | grep -o 'data-cause="[a-z_]*"' |
    sort -u | tr '\n' ' ' | grep -qx 'data-cause="quota_exceeded" ' &&
    ok || bad "quota section shows a cause not its own"
# the method is prose, not an escaped "\x0a" per line break
grep -q 'x0a' "$tmp/t.html" && bad "html shows a literal \\x0a" || ok
python3 - "$tmp/t.html" <<'EOF' && ok || bad "html not well formed"
import sys
from html.parser import HTMLParser
void = {"meta", "br", "img", "input", "link", "hr"}
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []
        self.rects = 0
    def handle_starttag(self, tag, a):
        if tag == "rect" and self.stack and "chart" in self.path() and \
                dict(a).get("class") != "unknown":
            self.rects += 1
        if tag not in void:
            self.stack.append((tag, dict(a).get("id", "")))
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            sys.exit("unbalanced </%s> after %s" % (tag, self.stack[-3:]))
        self.stack.pop()
    def path(self):
        return [i for _, i in self.stack]
p = P()
p.feed(open(sys.argv[1]).read())
p.close()
if p.stack:
    sys.exit("unclosed %s" % p.stack)
if p.rects != 6:
    sys.exit("daily chart has %d bars, want 6" % p.rects)
EOF

t_end
