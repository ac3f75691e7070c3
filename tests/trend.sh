#!/bin/sh
# `mxtally trend` over a history built from the hand-made nightly logs of
# tests/trend_logs.sh (Dec 1, 3, 4, 6, 7 of 2026; no run on Dec 5).
# Every expectation below is derived by hand from the table in that file.
#
# Window --days 5: Dec 3 .. Dec 7; recorded Dec 3, 4, 6, 7 (4 of 5);
# Dec 1 is recorded but older: "--days 7 covers it" (5 + 2 days).
# x = days since Dec 3 = 0, 1, 3, 4 (Dec 5 unknown, left out, not 0):
# mean x = 2, Sxx = 4 + 1 + 1 + 4 = 10; slope = Sxy / 10.
# --threshold 5 refusals a day.
#
# System storage, per host (system_storage, deleted_not_removed; the
# quota refusals on store1 do not count here):
#   mx2 5,5,6,6: mean 5.5, Sxy = 1 + .5 + .5 + 1 = 3, slope 0.3,
#     icpt 5.5 - 0.6 = 4.9, now 4.9 + 1.2 = 6.1 >= 5: days to 0
#   mx1 1,2,3,4: mean 2.5, Sxy = 3 + .5 + .5 + 3 = 7, slope 0.7,
#     icpt 1.1, now 3.9, (5 - 3.9) / 0.7 = 1.57 -> 2 days: 2026-12-09
#     (were Dec 5 a zero, or the gap closed up, the line would differ:
#     gap closed: slope 1, now 4, 1 day)
#   store1 (erin's deleted_not_removed only) 0,0,0,1: mean .25,
#     Sxy = .5 + .25 - .25 + 1.5 = 2, slope 0.2, icpt -.15, now .65,
#     (5 - .65) / .2 = 21.75 -> 22 days
#   mx3 3,2,1,0: slope -0.7, now 2.9 - 2.8 = 0.1, never (null)
#   mx4 logged its free queue space (basis free_space_bytes, not its
#     refusals 2,2,2,2, which are flat: never): each day's last figure
#     (14:00) 900, 800, 600, 500 MiB on x = 0, 1, 3, 4 lies on
#     900 - 100 x: 500 MiB now, -100 MiB (-104857600 bytes) a day,
#     500 / 100 = 5 days (120 hours) to 0 bytes. (The lowest each day,
#     900, 750, 600, 500, would give Sxy = -950, -95/day, 497.5 now,
#     6 days; the gap closed up, -140/day, 490 now, 4 days.)
#   mx5 logged free space on Dec 7 only: 400 MiB at 09:00, 250 MiB at
#     12:00, 150 MiB in 3 h = 50 MiB an hour (-1258291200 bytes a day):
#     250 / 50 = 5 hours to 0 bytes, days to full 1; its refusals
#     0,0,0,2 (mean .5, Sxy = 1 + .5 - .5 + 3 = 4, slope 0.4, icpt -.3,
#     now 1.3, (5 - 1.3) / .4 = 9.25 -> 10 days to 5/day)
#   ranked by days to full: mx2 (0), mx5 (1), mx1 (2), mx4 (5),
#     store1 (22), mx3 (never)
#   hosts with refusals a day: 4 (mx1-4), 4, 4, 5 (mx1, mx2, mx4, mx5,
#     store1)
#   events per day 11, 11, 12, 15 (system_storage 9 + 2 (mx4), 9 + 2,
#     10 + 2, 10 + 2 + 2 (mx5) = 11, 11, 12, 14 plus deleted_not_removed
#     0, 0, 0, 1)
# Mailbox quota, per user (quota_exceeded; news@example.org, the sender
# of the 452s, erin and dave are not quota users):
#   alice 2,2,3,3 (newest 3, 4 of 4 days, slope 3/10 = 0.3 rising)
#   bob 0,0,0,1 (newest 1, 1 day, slope 0.2), carol 1,1,0,0 (newest 0,
#   2 days, Sxy = -1 - .5 - .5 - 1 = -3, slope -0.3 falling)
#   ranked by newest day: alice (3), bob (1), carol (0)
#   users over quota a day: 2 (alice, carol), 2, 1 (alice), 2 (alice,
#   bob): mean 1.75, Sxy = -.5 - .25 - .75 + .5 = -1, slope -0.1 falling
#   events per day 3, 3, 3, 4
# auth_failure (--group auth, not about space): 0,1,2,3 on smtp1,
#   slope 0.7 rising, icpt 0.1, now 2.9
# --days 7 (Dec 1 .. Dec 7, recorded 1, 3, 4, 6, 7; x = 0, 2, 3, 5, 6,
#   mean 3.2): mx1 3,1,2,3,4: mean 2.6, Sxy = (-3.2)(.4) + (-1.2)(-1.6)
#   + (-.2)(-.6) + (1.8)(.4) + (2.8)(1.4) = -1.28 + 1.92 + .12 + .72
#   + 3.92 = 5.4, Sxx = 10.24 + 1.44 + .04 + 3.24 + 7.84 = 22.8,
#   slope 0.2368
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trend_logs.sh"
t_setup trend
command -v jq >/dev/null || t_skip_all "no jq"
db=$tmp/h.db
trend_logs "$tmp"
for d in 01 03 04 06 07; do
	"$MXTALLY" -q --year 2026 -j1 --history "$db" "$tmp/dec$d.log" \
	    >/dev/null || bad "run dec$d"
done
T() { "$MXTALLY" trend --history "$db" --days 5 --threshold 5 "$@"; }
T >"$tmp/t.txt" || bad "trend text: exit $?"
T -f json >"$tmp/t.json" || bad "trend json: exit $?"
T -f html >"$tmp/t.html" || bad "trend html: exit $?"
jq . "$tmp/t.json" >/dev/null 2>&1 || t_die "trend -f json is not JSON"

# text: the answers first, one line per part
line() {	# line N TEXT: line N of the text is TEXT
	[ "$(sed -n "$1p" "$tmp/t.txt")" = "$2" ] && ok ||
	    bad "line $1: '$(sed -n "$1p" "$tmp/t.txt")', want '$2'"
}
line 1 "mxtally trend: where will we run out of space next"
line 2 "System storage (per host): mx2 is already at 6.10 refusals a day (threshold 5/day, from event counts); next: mx5 queue has 250.0 MiB free, falling 50.0 MiB an hour: empty about 5 hours after its last figure (from logged free space)."
line 3 "Mailbox quota (per user): 2 users over quota on 2026-12-07, most refused alice@example.net (3); users over quota a day: falling (-0.10/day each day)."
line 4 "history '$db': 2026-12-03 .. 2026-12-07, 4 of 5 days recorded"
line 6 "1 day without a recorded run, left out (unknown, not zero): 2026-12-05."
line 7 "1 earlier recorded day (from 2026-12-01) is outside this window: --days 7 covers it."
# each part under its own heading, rows as derived above
sec() {	# sec HEADING: the lines of that section
	sed -n "/^$1/,/^\$/p" "$tmp/t.txt"
}
sec "System storage per host" >"$tmp/sys.txt"
sec "Mailbox quota per user" >"$tmp/quota.txt"
has() {	# has FILE ERE: a line of FILE matches
	grep -Eq "$2" "$1" && ok || bad "$(basename "$1"): no line like '$2'"
}
hasnt() {
	grep -Eq "$2" "$1" && bad "$(basename "$1"): a line like '$2'" || ok
}
has "$tmp/sys.txt" "^System storage per host \(system_storage, deleted_not_removed\)$"
has "$tmp/sys.txt" "^  mx2 +0  from event counts +6\.10/day +\+0\.30/day +22  5 5 6 6$"
has "$tmp/sys.txt" "^  mx5 queue +1  from logged free space +250\.0 MiB +-1\.2 GiB/day +2  0 0 0 2$"
has "$tmp/sys.txt" "^    free space, last figure a day \(MiB\): - - - 250\.0; within the day: 400\.0 to 250\.0$"
has "$tmp/sys.txt" "^  mx1 +2  from event counts +3\.90/day +\+0\.70/day +10  1 2 3 4$"
has "$tmp/sys.txt" "^  mx4 queue +5  from logged free space +500\.0 MiB +-100\.0 MiB/day +8  2 2 2 2$"
has "$tmp/sys.txt" "^    free space, last figure a day \(MiB\): 900\.0 800\.0 600\.0 500\.0$"
has "$tmp/sys.txt" "^  store1 +22  from event counts +0\.65/day +\+0\.20/day +1  0 0 0 1$"
has "$tmp/sys.txt" "^  mx3 +-  from event counts +0\.10/day +-0\.70/day +6  3 2 1 0$"
has "$tmp/sys.txt" "days to full: to 0 bytes free \(from logged free space\) or to 5"
has "$tmp/sys.txt" "first step: Run df"
hasnt "$tmp/sys.txt" "alice|bob|carol|news@"
[ "$(grep -Ec '  [0-9]+ [0-9]+ [0-9]+ [0-9]+$' "$tmp/sys.txt")" = 6 ] && ok ||
	bad "system: not 6 rows"
has "$tmp/quota.txt" "^Mailbox quota per user \(quota_exceeded\)$"
has "$tmp/quota.txt" "^  users over quota a day: 2 2 1 2 \(falling, -0\.10/day each day\)$"
has "$tmp/quota.txt" "^  alice@example\.net +3 +4/4 +rising +\+0\.30 +10  2 2 3 3$"
has "$tmp/quota.txt" "^  bob@example\.net +1 +1/4 +rising +\+0\.20 +1  0 0 0 1$"
has "$tmp/quota.txt" "^  carol@example\.net +0 +2/4 +falling +-0\.30 +2  1 1 0 0$"
has "$tmp/quota.txt" "first step: Ask the user"
hasnt "$tmp/quota.txt" "news@|erin|dave|mx1|mx2|store1 "
# the order of the rows is the ranking
[ "$(grep -Eo '^  (mx[0-9]|store1)( queue)? ' "$tmp/sys.txt" | tr -d ' ' | tr '\n' ' ')" = "mx2 mx5queue mx1 mx4queue store1 mx3 " ] &&
	ok || bad "system order: $(cat "$tmp/sys.txt")"
[ "$(grep -Eo '^  [a-z]+@' "$tmp/quota.txt" | tr -d ' @' | tr '\n' ' ')" = "alice bob carol " ] &&
	ok || bad "quota order: $(cat "$tmp/quota.txt")"
has "$tmp/t.txt" "^  2026-12-07 +19 +4 +14 +1$"
hasnt "$tmp/t.txt" "^  2026-12-05"
has "$tmp/t.txt" "least-squares"
has "$tmp/t.txt" "not the date a disk fills up"

# json (mxtally-trend/2): the same numbers, the parts apart
check() {	# jq expression that must be true
	jq -e "$1" "$tmp/t.json" >/dev/null && ok || bad "json: $1"
}
check '.schema == "mxtally-trend/2"'
check '.days == ["2026-12-03", "2026-12-04", "2026-12-06", "2026-12-07"]'
check '.window == {"first": "2026-12-03", "last": "2026-12-07", "days": 5,
    "recorded": 4, "unrecorded": ["2026-12-05"]} and .days_before_window == 1 and
    .earliest_day == "2026-12-01"'
check '[.daily[].events] == [14, 14, 15, 19]'
check '[.system.hosts[].host] == ["mx2", "mx5", "mx1", "mx4", "store1", "mx3"]'
check '[.system.hosts[].basis] == ["event_counts", "free_space_bytes",
    "event_counts", "free_space_bytes", "event_counts", "event_counts"]'
check '[.system.hosts[].days_to_full] == [0, 1, 2, 5, 22, null]'
check '[.system.hosts[].days_to_threshold] == [0, 10, 2, null, 22, null]'
check '[.system.hosts[].slope] == [0.3, 0.4, 0.7, 0, 0.2, -0.7]'
check '.system.hosts[2].now == 3.9 and .system.hosts[4].now == 0.65'
check '[.system.hosts[] | .store] == [null, "queue", null, "queue", null, null]'
check '.system.hosts[3] | .free_fit == "days" and
    .free_bytes == [943718400, 838860800, 629145600, 524288000] and
    .free_now == 524288000 and .free_change_per_day == -104857600 and
    .hours_to_full == 120 and .events == [2, 2, 2, 2] and
    .newest_first == 576716800 and .newest_first_at == "2026-12-07T13:00:00"
    and .newest_last == 524288000 and .newest_last_at == "2026-12-07T14:00:00"'
check '.system.hosts[1] | .free_fit == "within_day" and
    .free_bytes == [null, null, null, 262144000] and
    .free_now == 262144000 and .free_change_per_day == -1258291200 and
    .hours_to_full == 5 and .newest_first == 419430400 and
    .newest_first_at == "2026-12-07T09:00:00" and
    .newest_last_at == "2026-12-07T12:00:00"'
check '[.system.hosts[] | select(.basis == "event_counts") | has("store")] ==
    [false, false, false, false]'
check '.system.events == [11, 11, 12, 15] and
    .system.hosts_per_day == [4, 4, 4, 5] and .system.hosts_total == 6'
check '.system.causes == ["system_storage", "deleted_not_removed"]'
check '[.quota.users[].user] == ["alice@example.net", "bob@example.net",
    "carol@example.net"]'
check '[.quota.users[].newest] == [3, 1, 0] and
    [.quota.users[].days] == [4, 1, 2]'
check '[.quota.users[].trend] == ["rising", "rising", "falling"]'
check '.quota.users_per_day == [2, 2, 1, 2] and
    .quota.users_per_day_line.slope == -0.1 and
    .quota.users_per_day_line.trend == "falling"'
check '.quota.events == [3, 3, 3, 4] and .quota.causes == ["quota_exceeded"]'
check '.rates == null and has("hosts") == false and has("users") == false'
check '[.by_cause[] | {(.cause): .part}] | add == {"quota_exceeded":
    "quota", "system_storage": "system", "deleted_not_removed": "system"}'
check '.answers | length == 2'

# one night in two runs: Dec 6 and Dec 7 each in two files, mx4's
# 14:00 lines alone recorded first, the rest of the night after: each
# day's last figure is still the latest (14:00: 600 and 500 MiB), Dec
# 7's first the earliest (13:00, 550 MiB), so mx4 and mx5 come out as
# above (the row recorded last, 13:00, would give Dec 6 650 MiB)
for d in 01 03 04 06 07; do
	case $d in
	06|07)	grep ' 14:00:00 mx4 ' "$tmp/dec$d.log" >"$tmp/pm$d.log"
		grep -v ' 14:00:00 mx4 ' "$tmp/dec$d.log" >"$tmp/am$d.log"
		set -- "$tmp/pm$d.log" "$tmp/am$d.log" ;;
	*)	set -- "$tmp/dec$d.log" ;;
	esac
	for f; do
		"$MXTALLY" -q --year 2026 -j1 --history "$tmp/split.db" "$f" \
		    >/dev/null || bad "split run $f"
	done
done
"$MXTALLY" trend --history "$tmp/split.db" --days 5 --threshold 5 -f json |
    jq -e '[.system.hosts[] | select(.store) | [.host, .days_to_full,
    .free_bytes, .newest_first, .newest_last]] == [
    ["mx5", 1, [null, null, null, 262144000], 419430400, 262144000],
    ["mx4", 5, [943718400, 838860800, 629145600, 524288000], 576716800,
     524288000]]' >/dev/null && ok || bad "a night in two runs: $(
    "$MXTALLY" trend --history "$tmp/split.db" --days 5 -f json |
    jq -c '.system.hosts[] | select(.store)')"

# the free space is about system_storage: without it, no bytes
"$MXTALLY" trend --history "$db" --days 5 --cause deleted_not_removed \
    -f json | jq -e '[.system.hosts[] | [.host, .basis]] ==
    [["store1", "event_counts"]]' >/dev/null && ok ||
	bad "--cause deleted_not_removed: rows from free space"

# a cause not about space is a rate: rising, with its slope
"$MXTALLY" trend --history "$db" --days 5 --group auth -f json \
    >"$tmp/a.json" || bad "--group auth"
jq -e '.question == "are these errors rising or falling" and
    .system == null and .quota == null and
    .by_cause[0].events == [0, 1, 2, 3] and .by_cause[0].slope == 0.7 and
    .by_cause[0].now == 2.9 and .by_cause[0].trend == "rising" and
    [.rates.hosts[].host] == ["smtp1"]' "$tmp/a.json" >/dev/null && ok ||
	bad "--group auth: $(jq -c '.by_cause, .rates' "$tmp/a.json")"
"$MXTALLY" trend --history "$db" --days 5 --group auth | sed -n 2p |
    grep -qx "auth_failure: rising, +0.70 events/day each day (now 2.90/day)." &&
	ok || bad "--group auth text"

# the window never drops a day silently: for every --days, each of the 5
# recorded days (Dec 1, 3, 4, 6, 7) is in the window or counted before
# it, and each day of the window is recorded or named as unrecorded
for n in 1 2 3 4 5 6 7 8 9 30; do
	"$MXTALLY" trend --history "$db" --days $n -f json |
	    jq -e '.window.recorded + (.window.unrecorded | length) ==
	    .window.days and .window.recorded + .days_before_window == 5 and
	    (.days | length) == .window.recorded' >/dev/null && ok ||
		bad "--days $n: window and recorded days do not add up"
done
# --days 1: Dec 7 alone, 4 earlier days (from Dec 1), --days 7 covers them
"$MXTALLY" trend --history "$db" --days 1 | grep -qx "4 earlier recorded days (from 2026-12-01) are outside this window: --days 7 covers them." &&
	ok || bad "--days 1: older days not said"
# --days 40: 35 days without a run, the first five named
"$MXTALLY" trend --history "$db" --days 40 | grep -qx "35 days without a recorded run, left out (unknown, not zero): 2026-10-29, 2026-10-30, 2026-10-31, 2026-11-01, 2026-11-02 and 30 more." &&
	ok || bad "--days 40: unrecorded days not said"
grep -q '<p class="note" id="gaps">1 day without a recorded run, left out (unknown, not zero): 2026-12-05.</p>' \
    "$tmp/t.html" && ok || bad "html: unrecorded days not said"
grep -q '<p class="alert" id="older">1 earlier recorded day (from 2026-12-01) is outside this window: --days 7 covers it.</p>' \
    "$tmp/t.html" && ok || bad "html: older days not said"

# --days 7 takes Dec 1 in: nothing older, mx1's line changes
"$MXTALLY" trend --history "$db" --days 7 --threshold 5 -f json \
    >"$tmp/t7.json" || bad "--days 7"
jq -e '.days_before_window == 0 and (.days | length) == 5 and
    .window.unrecorded == ["2026-12-02", "2026-12-05"] and
    (.system.hosts[] | select(.host == "mx1") | .events == [3, 1, 2, 3, 4]
    and .slope == 0.2368)' "$tmp/t7.json" >/dev/null && ok ||
	bad "--days 7: $(jq -c '.system.hosts' "$tmp/t7.json")"

# --cause quota_exceeded alone: the quota part only
"$MXTALLY" trend --history "$db" --days 5 --cause quota_exceeded \
    -f json >"$tmp/q.json" || bad "--cause quota_exceeded"
jq -e '.system == null and .rates == null and
    (.quota.users | length) == 3' "$tmp/q.json" >/dev/null && ok ||
	bad "--cause quota_exceeded: parts"
# --top 1 cuts the rows, not the counts
"$MXTALLY" trend --history "$db" --days 5 --threshold 5 --top 1 -f json \
    >"$tmp/top.json" || bad "--top 1"
jq -e '[.system.hosts[].host] == ["mx2"] and .system.hosts_total == 6 and
    .quota.users_total == 3' "$tmp/top.json" >/dev/null && ok ||
	bad "--top 1"

# html: the parts in their own sections, the rows and numbers at their
# data attributes, Dec 5 drawn as unknown, quota colour only in #quota
python3 - "$tmp/t.html" <<'EOF' && ok || bad "html structure"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sec, self.rows, self.fills, self.unknown = None, [], {}, []
        self.stack = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sec = a.get("id")
        if tag == "tr" and ("data-host" in a or "data-user" in a or
                            "data-day" in a):
            self.rows.append((self.sec, a))
        if tag == "rect" and "fill" in a and a["fill"] != "none":
            self.fills.setdefault(self.sec, set()).add(a.get("data-cause"))
        if tag == "rect" and a.get("class") == "unknown":
            self.unknown.append(a["data-start"])
        if tag not in ("meta", "br", "line", "rect", "text"):
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
    def handle_endtag(self, tag):
        if tag in ("rect", "line", "text"):
            return
        if not self.stack or self.stack[-1] != tag:
            sys.exit("unbalanced </%s>: %s" % (tag, self.stack[-3:]))
        self.stack.pop()
p = P()
p.feed(open(sys.argv[1]).read())
fails = []
def want(what, got, exp):
    if got != exp:
        fails.append("%s: %r, want %r" % (what, got, exp))
want("system hosts", [(a["data-host"], a.get("data-store"),
     a["data-days-to-full"], a["data-basis"], a["data-events"])
     for s, a in p.rows if s == "system"],
     [("mx2", None, "0", "event_counts", "22"),
      ("mx5", "queue", "1", "free_space_bytes", "2"),
      ("mx1", None, "2", "event_counts", "10"),
      ("mx4", "queue", "5", "free_space_bytes", "8"),
      ("store1", None, "22", "event_counts", "1"),
      ("mx3", None, "-1", "event_counts", "6")])
want("quota users", [(a["data-user"], a["data-newest"], a["data-days"])
     for s, a in p.rows if s == "quota"],
     [("alice@example.net", "3", "4"), ("bob@example.net", "1", "1"),
      ("carol@example.net", "0", "2")])
want("bars in #system", p.fills.get("system"),
     {"system_storage", "deleted_not_removed"})
want("bars in #quota", p.fills.get("quota"), {"quota_exceeded"})
want("unknown days", p.unknown, ["2026-12-05T00:00:00"])
want("per-day table", [(a["data-day"], a["data-events"]) for s, a in p.rows
     if "data-day" in a], [("2026-12-03", "14"), ("2026-12-04", "14"),
     ("2026-12-06", "15"), ("2026-12-07", "19")])
for f in fails:
    print("FAIL html " + f)
sys.exit(1 if fails else 0)
EOF
grep -q 'id="answer-system">System storage (per host): mx2 is already' \
    "$tmp/t.html" && ok || bad "html: answer first"
grep -Eq '<tr data-host="mx4" data-store="queue"[^>]*><td class="nm">mx4 <span class="note">queue</span><br><span class="note basis">from logged free space</span></td><td class="n">5</td><td class="n wide" data-bytes="524288000">500.0 MiB</td><td class="n wide">-100.0 MiB/day</td>' \
    "$tmp/t.html" && ok || bad "html: mx4 row from logged free space"
grep -Eq '<tr data-host="mx1"[^>]*><td class="nm">mx1<br><span class="note basis">from event counts</span></td>' \
    "$tmp/t.html" && ok || bad "html: mx1 row from event counts"
grep -q '<style>' "$tmp/t.html" && grep -q 'class="tiles"' "$tmp/t.html" &&
	ok || bad "html: not the report's stylesheet and tiles"
grep -q 'x0a' "$tmp/t.html" && bad "html shows a literal \\x0a" || ok

# a host name from a log is data, never markup or a terminal command
printf 'Dec  8 09:00:00 mx<b>1\033[2J postfix/smtpd[1]: NOQUEUE: reject: MAIL from a[192.0.2.1]: 452 4.3.1 Insufficient system storage; from=<a@b> proto=ESMTP helo=<a>\n' \
    >"$tmp/dec08.log"
cp "$db" "$tmp/x.db"
"$MXTALLY" -q --year 2026 --history "$tmp/x.db" "$tmp/dec08.log" >/dev/null ||
	bad "run dec08"
"$MXTALLY" trend --history "$tmp/x.db" -f html >"$tmp/x.html"
grep -q '<b>1' "$tmp/x.html" && bad "html: a host name became markup" || ok
"$MXTALLY" trend --history "$tmp/x.db" | grep -q "$(printf '\033')" &&
	bad "text: an escape from a log reached the terminal" || ok

# a site's own storage causes (--rules, as the runs had them) go to
# their part: soft_quota (named *quota*) per user, spool_full per host;
# without --rules trend does not know them and leaves them out of the
# storage group
cat >"$tmp/site.ini" <<'EOF'
[cause.spool_full]
group = storage
pattern = spool volume full

[cause.soft_quota]
group = storage
pattern = soft quota reached
EOF
printf '%s\n' \
    'Dec  8 07:01:00 store5 popper[3]: zoe at 192.0.2.33 (192.0.2.33): -ERR soft quota reached' \
    'Dec  8 09:01:00 mx7 postfix/smtpd[1]: NOQUEUE: reject: MAIL from a[192.0.2.10]: 452 4.3.1 spool volume full; from=<x@example.org> proto=ESMTP helo=<a>' \
    >"$tmp/site.log"
"$MXTALLY" -q --year 2026 --rules "$tmp/site.ini" --history "$tmp/site.db" \
    "$tmp/site.log" >/dev/null || bad "run with --rules"
"$MXTALLY" trend --history "$tmp/site.db" --rules "$tmp/site.ini" -f json \
    >"$tmp/site.json" || bad "trend --rules"
jq -e '[.system.hosts[].host] == ["mx7"] and [.quota.users[].user] ==
    ["zoe"] and (.system.causes | index("spool_full")) != null and
    (.quota.causes | index("soft_quota")) != null' "$tmp/site.json" \
    >/dev/null && ok || bad "trend --rules: $(jq -c '.system, .quota' "$tmp/site.json")"
"$MXTALLY" trend --history "$tmp/site.db" -f json | jq -e '.system.hosts ==
    [] and .quota.users == []' >/dev/null && ok || bad "trend without --rules"
printf '[cause.x]\npattern = (\n' >"$tmp/bad.ini"
"$MXTALLY" trend --history "$tmp/site.db" --rules "$tmp/bad.ini" \
    >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "bad.ini" "$tmp/err" && ok ||
	bad "trend --rules bad.ini: $(cat "$tmp/err")"

# an output that cannot be written: exit 4
if [ -w /dev/full ]; then
	"$MXTALLY" trend --history "$db" >/dev/full 2>/dev/null
	[ $? = 4 ] && ok || bad "trend >/dev/full: not exit 4"
fi
t_end
