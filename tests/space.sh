#!/bin/sh
# Free space as servers log it (issue 15 item 5), end to end: the report's
# capacity rows, the history's day_space, day_client and day_remote, the
# migration of a version-1 history (its run of 2026-11-20 stays). Expected
# values are worked out by hand from samples/space/day{1,2,3}.log:
#   day1 mx1 queue: 314572800 (300 MiB) at 10:00, 419430400 at 11:00:
#     samples 2, lowest 314572800, last 419430400, rising (no rate)
#   lowest per day mx1: 300, 200, 100 MiB
#   mx2 spool: space=51200 K = 52428800 bytes on day 3 only: no line
# and, with ../shared, from the kdent Postfix log by awk.
set -u
. "$(dirname "$0")/lib.sh"
t_setup space
S=samples/space

check() {	# file, jq expression that must be true
	jq -e "$2" "$1" >/dev/null && ok || bad "$1: $2"
}

"$MXTALLY" --year 2026 -j1 -f json "$S/day1.log" >"$tmp/r1.json" ||
	bad "report day1"
check "$tmp/r1.json" '.capacity == [{"host": "mx1", "store": "queue",
    "samples": 2, "free_min": 314572800, "free_min_at": "2026-11-21T10:00:00",
    "free_first": 314572800, "first": "2026-11-21T10:00:00",
    "free_last": 419430400, "last": "2026-11-21T11:00:00",
    "falling_per_hour": null, "hours_to_empty": null}]'
# the warning is no second event: 2 rejects, 2 events
check "$tmp/r1.json" '.causes.system_storage.events == 2'
"$MXTALLY" --year 2026 "$S/day1.log" | grep -Eq \
    'mx1 +queue  lowest 300\.0 MiB at 2026-11-21T10:00:00, last 400\.0 MiB \(2 figures\)$' &&
	ok || bad "text capacity line"
"$MXTALLY" --year 2026 -f csv --table capacity "$S/day3.log" | tr -d '\r' \
    >"$tmp/c.csv"
printf '%s\n' "host,store,samples,free_min,free_min_at,free_first,first,free_last,last" \
    "mx2,spool,1,52428800,2026-11-23T12:00:00,52428800,2026-11-23T12:00:00,52428800,2026-11-23T12:00:00" \
    "mx1,queue,1,104857600,2026-11-23T10:00:00,104857600,2026-11-23T10:00:00,104857600,2026-11-23T10:00:00" |
    cmp -s - "$tmp/c.csv" && ok || bad "csv capacity: $(cat "$tmp/c.csv")"
"$MXTALLY" --year 2026 -f html "$S/day3.log" | grep -q \
    '<tr data-store="spool"><td>mx2 <span class="note">spool</span></td><td class="n" data-bytes="52428800">50.0 MiB<br>' &&
	ok || bad "html capacity row"

# the three days at once: mx1 fell 314572800 - 104857600 = 209715200
# bytes in 48 h, 4369066.7 an hour, 104857600 / that = 24.0 h left
"$MXTALLY" --year 2026 -j2 -f json "$S"/day*.log >"$tmp/r123.json" ||
	bad "report days 1-3"
check "$tmp/r123.json" '.capacity[] | select(.store == "queue") |
    .falling_per_hour == 4369067 and .hours_to_empty == 24 and .samples == 4'

# merge: day1 and day3 reports give mx1 queue 3 figures, lowest and
# last 104857600 (day3 10:00), first 314572800 (day1 10:00); mx2 as is
"$MXTALLY" --year 2026 -j1 -f json "$S/day3.log" >"$tmp/r3.json" ||
	bad "report day3"
"$MXTALLY" merge -f json "$tmp/r1.json" "$tmp/r3.json" >"$tmp/m.json" ||
	bad "merge"
check "$tmp/m.json" '[.capacity[] | [.host, .store, .samples, .free_min,
    .free_first, .first, .free_last, .last]] == [
    ["mx2", "spool", 1, 52428800, 52428800, "2026-11-23T12:00:00", 52428800,
     "2026-11-23T12:00:00"],
    ["mx1", "queue", 3, 104857600, 314572800, "2026-11-21T10:00:00",
     104857600, "2026-11-23T10:00:00"]]'

# a version-1 history (as 0.1 wrote it) is migrated, its run kept
python3 - "$tmp/h.db" <<'EOF' || bad "making a v1 history"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE runs (id INTEGER PRIMARY KEY, input_key TEXT NOT NULL UNIQUE,
 host TEXT NOT NULL, started BIGINT NOT NULL, period_first TEXT,
 period_last TEXT, day_first TEXT, day_last TEXT, files TEXT NOT NULL,
 events BIGINT NOT NULL);
CREATE TABLE day_cause (run_id BIGINT NOT NULL, day TEXT NOT NULL,
 cause TEXT NOT NULL, events BIGINT NOT NULL, PRIMARY KEY (run_id, day, cause));
CREATE TABLE day_user (run_id BIGINT NOT NULL, day TEXT NOT NULL,
 "user" TEXT NOT NULL, cause TEXT NOT NULL, events BIGINT NOT NULL,
 PRIMARY KEY (run_id, day, "user", cause));
CREATE TABLE day_host (run_id BIGINT NOT NULL, day TEXT NOT NULL,
 host TEXT NOT NULL, cause TEXT NOT NULL, events BIGINT NOT NULL,
 PRIMARY KEY (run_id, day, host, cause));
CREATE TABLE day_code (run_id BIGINT NOT NULL, day TEXT NOT NULL,
 protocol TEXT NOT NULL, code TEXT NOT NULL, enhanced TEXT NOT NULL,
 response TEXT NOT NULL, cause TEXT NOT NULL, events BIGINT NOT NULL,
 PRIMARY KEY (run_id, day, protocol, code, enhanced, response, cause));
INSERT INTO runs VALUES (1, 'old', 'h', 0, NULL, NULL, '2026-11-20',
 '2026-11-20', '[]', 7);
INSERT INTO day_cause VALUES (1, '2026-11-20', 'system_storage', 7);
""")
db.commit()
EOF
for d in 1 2 3; do
	"$MXTALLY" -q --year 2026 -j1 --history "$tmp/h.db" "$S/day$d.log" \
	    >/dev/null || bad "history run day$d"
done
python3 - "$tmp/h.db" >"$tmp/q.txt" <<'EOF' || bad "reading the history"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
q = lambda s: db.execute(s).fetchall()
print(q("SELECT MAX(version) FROM schema_version"))
print(q("SELECT events FROM runs WHERE input_key = 'old'"))
print(q("SELECT day, host, store, samples, free_min, free_last FROM day_space ORDER BY day, host"))
print(q("SELECT day, client, network, cause, events FROM day_client ORDER BY day"))
EOF
printf '%s\n' "[(4,)]" "[(7,)]" \
    "[('2026-11-21', 'mx1', 'queue', 2, 314572800, 419430400), ('2026-11-22', 'mx1', 'queue', 1, 209715200, 209715200), ('2026-11-23', 'mx1', 'queue', 1, 104857600, 104857600), ('2026-11-23', 'mx2', 'spool', 1, 52428800, 52428800)]" \
    "[('2026-11-21', '192.0.2.10', '192.0.2.0/24', 'system_storage', 2), ('2026-11-22', '192.0.2.10', '192.0.2.0/24', 'system_storage', 1), ('2026-11-23', '192.0.2.10', '192.0.2.0/24', 'system_storage', 1)]" |
    diff - "$tmp/q.txt" >/dev/null && ok || { bad "history rows"; cat "$tmp/q.txt"; }

# trend on the migrated history projects from those bytes: mx1's last
# figure a day 400, 200, 100 MiB (Nov 20, the v1 run, has none; x = 0,
# 1, 2 from Nov 21: mean 233.33, Sxy = -300,
# Sxx = 2): -150 MiB (-157286400 bytes) a day, 383.33 - 300 = 83.33 MiB
# (87381333 bytes) now, 83.33 / 150 = 0.56 days (13.33 hours): 1 day;
# mx2's spool has one figure: no fall known (null), still from bytes
"$MXTALLY" trend --history "$tmp/h.db" -f json >"$tmp/t.json" ||
	bad "trend on it"
check "$tmp/t.json" '[.system.hosts[] | [.host, .store, .basis, .free_fit,
    .days_to_full, .free_now, .free_change_per_day, .hours_to_full,
    .free_bytes]] == [
    ["mx1", "queue", "free_space_bytes", "days", 1, 87381333, -157286400,
     13.33, [null, 419430400, 209715200, 104857600]],
    ["mx2", "spool", "free_space_bytes", "none", null, 52428800, null, null,
     [null, null, null, 52428800]]]'
"$MXTALLY" trend --history "$tmp/h.db" | grep -Eq \
    '^  mx2 spool +-  from logged free space +50\.0 MiB +- +1  ' &&
	ok || bad "trend text: mx2 spool without a fall"
# rows as version 2 wrote them (no first figure, no times): the fit over
# days needs none, the newest day's times are null
cp "$tmp/h.db" "$tmp/v2.db"
python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute("UPDATE day_space SET free_first = NULL, first_at = NULL, last_at = NULL"); db.commit()' "$tmp/v2.db" ||
	bad "making v2 rows"
"$MXTALLY" trend --history "$tmp/v2.db" -f json >"$tmp/t2.json" ||
	bad "trend on v2 rows"
check "$tmp/t2.json" '[.system.hosts[] | [.host, .days_to_full, .free_now,
    .newest_first_at]] == [["mx1", 1, 87381333, null],
    ["mx2", null, 52428800, null]]'

# the kdent Postfix log: every figure, counted by awk
K=../shared/corpus/kdent-postfix_log_analysis/mail.log
if [ ! -r "$K" ]; then
	skip "no ../shared"
	t_end
fi
grep -a 'postfix/smtpd.*warning: not enough free space in mail queue: [0-9]* bytes' "$K" |
    awk '{ for (i = 1; i < NF; i++) if ($i == "bytes") b = $(i - 1)
	n++; if (n == 1 || b + 0 < min) min = b + 0
	t = $1 " " $2 " " $3; if (t != lt) { lastb = b + 0; lt = t }
	else if (b + 0 < lastb) lastb = b + 0
	if (n == 1) { first = b + 0; ft = t } else if (t == ft && b + 0 < first) first = b + 0 }
    END { printf "%d %d %d %d\n", n, min, first, lastb }' >"$tmp/awk.txt"
for j in 1 2; do
	"$MXTALLY" --year 2026 -j$j -f json "$K" |
	    jq -r '.capacity[] | select(.host == "conch" and .store == "queue") |
	    "\(.samples) \(.free_min) \(.free_first) \(.free_last)"' >"$tmp/mx$j.txt"
done
[ -s "$tmp/awk.txt" ] && cmp -s "$tmp/awk.txt" "$tmp/mx1.txt" && ok ||
	bad "kdent figures: awk $(cat "$tmp/awk.txt"), mxtally $(cat "$tmp/mx1.txt")"
cmp -s "$tmp/mx1.txt" "$tmp/mx2.txt" && ok || bad "kdent -j1 vs -j2"
t_end
