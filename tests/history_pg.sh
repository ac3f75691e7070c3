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
[ "$v" = 4 ] && ok || bad "schema_version: $v"
# version 2: who and where per day (store1's quota lines name no client)
n=$(psql -h "$tmp" -U mxt -At -c 'select count(*) from day_client' hist)
[ "$n" -gt 0 ] 2>/dev/null && ok || bad "day_client rows: $n"
"$MXTALLY" trend --history "$url" | sed -n 2p |
    grep -q "^System storage (per host): next to run out: store2 reaches 10 refusals a day in 19 days" &&
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
    [.system.hosts[].host] == ["mx2", "mx5", "mx1", "mx4", "store1", "mx3"] and
    [.system.hosts[].days_to_threshold] == [0, 10, 2, null, 22, null] and
    [.system.hosts[].days_to_full] == [0, 1, 2, 5, 22, null] and
    [.system.hosts[].basis] == ["event_counts", "free_space_bytes",
    "event_counts", "free_space_bytes", "event_counts", "event_counts"] and
    (.system.hosts[3] | .free_bytes == [943718400, 838860800, 629145600,
    524288000] and .free_change_per_day == -104857600 and
    .hours_to_full == 120) and
    (.system.hosts[1] | .free_fit == "within_day" and .hours_to_full == 5 and
    .newest_first == 419430400) and
    [.quota.users[].user] == ["alice@example.net", "bob@example.net",
    "carol@example.net"] and .quota.users_per_day == [2, 2, 1, 2] and
    .quota.users_per_day_line.slope == -0.1' "$tmp/s.json" >/dev/null &&
	ok || bad "scenario in PostgreSQL: $(jq -c '.system.hosts, .quota' "$tmp/s.json")"

# hostile user names (#14.6): quotes, a backslash, a control, DEL, a
# Latin-1 byte, CR inside the line, a literal "\x00", two names that
# differ only after a NUL (kept apart as "a\x00b" and "a\x00c"), SQL,
# emoji, 300 bytes. PostgreSQL refused the Latin-1 one ("invalid byte
# sequence for encoding UTF8"). Each is stored by the rule CSV fields follow
# (rep_clean_len: valid UTF-8 as it is, other bytes and controls as
# "\xHH"), the same rows as in SQLite, and read back unchanged.
pl() { printf 'Dec  1 07:02:%02d h popper[1]: %b at x (192.0.2.1): -ERR [AUTH] bad password\n' "$1" "$2"; }
long=$(printf '%0300d' 0 | tr 0 l)
{ pl 0 "o'hara"; pl 1 'back\\slash'; pl 2 'c\001d'; pl 3 'd\177e'
  pl 4 'b\0351a'; pl 5 'cr\rx'; pl 6 'n\\x00ul'; pl 7 "x');drop--"
  pl 8 'd"q'; pl 9 '\0360\0237\0230\0200'; pl 10 "$long"; pl 11 "o'hara"
  pl 12 'a\0000b'; pl 13 'a\0000c'
} >"$tmp/in/names.log"
run "$tmp/in/names.log" 2>"$tmp/err" || bad "hostile names: $(cat "$tmp/err")"
run "$tmp/in/names.log" 2>"$tmp/err" || bad "hostile names again: $(cat "$tmp/err")"
q="select \"user\" || '=' || sum(events) from day_user where day = '2026-12-01' group by \"user\""
psql -h "$tmp" -U mxt -At -c "$q" hist | LC_ALL=C sort >"$tmp/pg.names"
"$MXTALLY" -q --year 2026 -j1 --history "$tmp/names.db" "$tmp/in/names.log" \
    >/dev/null ||
    bad "hostile names into SQLite"
sqlite3 "$tmp/names.db" "$q" | LC_ALL=C sort >"$tmp/lite.names"
printf '%s=1\n' "o'hara" 'back\slash' 'c\x01d' 'd\x7fe' 'b\xe9a' 'cr\x0dx' \
    'n\x00ul' 'a\x00b' 'a\x00c' "x');drop--" 'd"q' "$(printf '\360\237\230\200')" "$long" |
    sed "s/^o'hara=1$/o'hara=2/" | LC_ALL=C sort >"$tmp/want.names"
cmp -s "$tmp/pg.names" "$tmp/want.names" && ok ||
    bad "PostgreSQL names: $(diff "$tmp/want.names" "$tmp/pg.names" | head -5)"
cmp -s "$tmp/lite.names" "$tmp/want.names" && ok ||
    bad "SQLite names: $(diff "$tmp/want.names" "$tmp/lite.names" | head -5)"
# the CSV users table writes the same names (one escape rule), but a
# CR, which a quoted CSV field holds as it is (RFC 4180; dropped here
# with the line ends)
"$MXTALLY" -q --year 2026 -f csv --table users "$tmp/in/names.log" |
    tail -n +2 | cut -d, -f1 | tr -d '\r' | sed "s/^\"\\(.*\\)\"$/\\1/; s/\"\"/\"/g" |
    LC_ALL=C sort >"$tmp/csv.names"
sed 's/=[0-9]*$//; s/^cr\\x0dx$/crx/' "$tmp/want.names" | LC_ALL=C sort \
    >"$tmp/want.users"
cmp -s "$tmp/csv.names" "$tmp/want.users" && ok ||
    bad "CSV names: $(diff "$tmp/want.users" "$tmp/csv.names" | head -5)"

t_end
