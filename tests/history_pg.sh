#!/bin/sh
# --history into a real PostgreSQL (Debian's postgresql-15), started on
# a socket in a temporary directory and stopped at the end. Two
# "servers" write into one database: the lines of samples/history/dayN.log
# for host store1 (server A) and all other lines (server B), three
# nights each; days 2 and 3 of both run at the same time. A's and B's
# lines together are the whole sample, so `mxtally trend` must give
# the numbers tests/history.sh derives by hand for it (see its header):
# store1 2,3,5 (slope 1.5, 4 days to 10/day), store2 0,0,1 (19 days),
# mx2 2,1,0 (never), daily storage 4,4,6, users alice then carol.
# Re-running B's day 3 must not count it twice. Skipped when the
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
check '[.hosts[].host] == ["store1", "store2", "mx2"]'
check '.hosts[0].events == [2, 3, 5] and .hosts[0].slope == 1.5 and
    .hosts[0].days_to_threshold == 4'
check '.hosts[1].days_to_threshold == 19 and
    .hosts[2].days_to_threshold == null'
check '[.users[].user] == ["alice@example.net", "carol@example.net"]'
n=$(psql -h "$tmp" -U mxt -At -c 'select count(*) from runs' hist)
[ "$n" = 6 ] && ok || bad "runs: $n, want 6 (3 nights x 2 servers)"
v=$(psql -h "$tmp" -U mxt -At -c 'select max(version) from schema_version' hist)
[ "$v" = 1 ] && ok || bad "schema_version: $v"
"$MXTALLY" trend --history "$url" | sed -n 2p |
    grep -q "^Next to run out: store1, reaches 10 events a day in 4 days" &&
	ok || bad "text headline"

t_end
