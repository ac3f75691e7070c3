#!/bin/sh
# --history into a real PostgreSQL (Debian's postgresql-15), started on
# a socket in a temporary directory and stopped at the end. Two
# "servers" write into one database: the lines of samples/history/dayN.log
# for host store1 (server A) and all other lines (server B), three
# nights each; days 2 and 3 of both run at the same time. A's and B's
# lines together are the whole sample, so `mxtally trend` must give
# the numbers tests/history.sh derives by hand for it (see its header):
# system storage per host store2 0,0,1 (19 days to 10/day), mx2 2,1,0
# (never), store1 (quota only) not a host; quota per user alice 1,2,4
# (slope 1.5) then bob; daily storage 4,4,6.
# Re-running B's day 3 must not count it twice. Then the scenario of
# tests/trend_logs.sh (a missing night, an older day) goes into a second
# database and must give the numbers tests/trend.sh derives by hand. Skipped when the
# binary was built without libpq or PostgreSQL is not installed.
set -u
MXTALLY=${MXTALLY:-./mxtally}
case $MXTALLY in /*) ;; *) MXTALLY=$(pwd)/$MXTALLY ;; esac
pgbin=/usr/lib/postgresql/15/bin
. "$(dirname "$0")/lib.sh"
t_begin history_pg
[ -x "$pgbin/initdb" ] || t_skip_all "no $pgbin/initdb (apt-get install postgresql)"
tmp=$(mktemp -d)
chmod 755 "$tmp"
as=""
if [ "$(id -u)" = 0 ]; then	# initdb refuses to run as root
	as="runuser -u postgres --"
	chown postgres "$tmp"
fi
stop() {
	$as "$pgbin/pg_ctl" -D "$tmp/db" -m fast stop >/dev/null 2>&1
	rm -rf "$tmp"
}
trap stop EXIT

$as "$pgbin/initdb" -D "$tmp/db" -A trust -U mxt >"$tmp/initdb.log" 2>&1 ||
	{ echo "FAIL initdb"; cat "$tmp/initdb.log"; exit 1; }
$as "$pgbin/pg_ctl" -D "$tmp/db" -l "$tmp/db/server.log" -w \
    -o "-k $tmp -c listen_addresses=''" start >/dev/null ||
	{ echo "FAIL pg_ctl start"; cat "$tmp/db/server.log"; exit 1; }
$as "$pgbin/../bin/createdb" -h "$tmp" -U mxt hist 2>/dev/null ||
	createdb -h "$tmp" -U mxt hist || { echo "FAIL createdb"; exit 1; }
url="postgresql:///hist?host=$tmp&user=mxt"

mkdir "$tmp/in"
for d in 1 2 3; do
	grep ' store1 ' "samples/history/day$d.log" >"$tmp/in/a$d.log"
	grep -v ' store1 ' "samples/history/day$d.log" >"$tmp/in/b$d.log"
done
run() { "$MXTALLY" -q --year 2026 -j1 --history "$url" "$1" >/dev/null; }

if ! run "$tmp/in/a1.log" 2>"$tmp/err"; then
	if grep -q "built without PostgreSQL" "$tmp/err"; then
		t_skip_all "mxtally built without libpq"
	fi
	bad "server A day 1: $(cat "$tmp/err")"
fi
run "$tmp/in/b1.log" || bad "server B day 1"
for d in 2 3; do
	run "$tmp/in/a$d.log" & a=$!
	run "$tmp/in/b$d.log" & b=$!
	wait $a || bad "server A day $d"
	wait $b || bad "server B day $d"
done
run "$tmp/in/b3.log" || bad "server B day 3 again"

"$MXTALLY" trend --history "$url" -f json >"$tmp/t.json" || bad "trend"
check() {
	jq -e "$1" "$tmp/t.json" >/dev/null && ok || bad "json: $1"
}
check '.days == ["2026-11-21", "2026-11-22", "2026-11-23"]'
check '[.daily[].events] == [4, 4, 6]'
check '[.system.hosts[].host] == ["store2", "mx2"]'
check '.system.hosts[0].events == [0, 0, 1] and .system.hosts[0].slope == 0.5 and
    .system.hosts[0].days_to_threshold == 19'
check '.system.hosts[1].days_to_threshold == null'
check '[.quota.users[].user] == ["alice@example.net", "bob@example.net"]'
check '.quota.users[0].events == [1, 2, 4] and .quota.users[0].slope == 1.5'
n=$(psql -h "$tmp" -U mxt -At -c 'select count(*) from runs' hist)
[ "$n" = 6 ] && ok || bad "runs: $n, want 6 (3 nights x 2 servers)"
v=$(psql -h "$tmp" -U mxt -At -c 'select max(version) from schema_version' hist)
[ "$v" = 1 ] && ok || bad "schema_version: $v"
"$MXTALLY" trend --history "$url" | sed -n 2p |
    grep -q "^System storage (per host): next to run out: store2, reaches 10 refusals a day in 19 days" &&
	ok || bad "text headline"

# the trend scenario (tests/trend.sh has the arithmetic): Dec 5 missing,
# Dec 1 older than --days 5
. "$(dirname "$0")/trend_logs.sh"
$as "$pgbin/../bin/createdb" -h "$tmp" -U mxt scen 2>/dev/null ||
	createdb -h "$tmp" -U mxt scen || bad "createdb scen"
url2="postgresql:///scen?host=$tmp&user=mxt"
mkdir "$tmp/scen"
trend_logs "$tmp/scen"
for d in 01 03 04 06 07; do
	"$MXTALLY" -q --year 2026 -j1 --history "$url2" "$tmp/scen/dec$d.log" \
	    >/dev/null || bad "scenario dec$d"
done
"$MXTALLY" trend --history "$url2" --days 5 --threshold 5 -f json \
    >"$tmp/s.json" || bad "trend scenario"
jq -e '.days == ["2026-12-03", "2026-12-04", "2026-12-06", "2026-12-07"] and
    .days_before_window == 1 and
    [.system.hosts[].host] == ["mx2", "mx1", "store1", "mx3"] and
    [.system.hosts[].days_to_threshold] == [0, 2, 22, null] and
    [.quota.users[].user] == ["alice@example.net", "bob@example.net",
    "carol@example.net"] and .quota.users_per_day == [2, 2, 1, 2] and
    .quota.users_per_day_line.slope == -0.1' "$tmp/s.json" >/dev/null &&
	ok || bad "scenario in PostgreSQL: $(jq -c '.system.hosts, .quota' "$tmp/s.json")"

t_end
