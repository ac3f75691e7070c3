#!/bin/sh
# bench/hostile.sh: memory and time under adversarial cardinality, the
# second half of `make bench`.
#
# Writes bench/hostile.c's log (HOSTILE_USERS distinct user names, each
# failing once, HOSTILE_TEXTS distinct unclassified texts, a "heavy" user
# after every 1000th line), then runs mxtally -j2 --no-mmap over it with
# the default --max-keys and with --max-keys 0, and prints a markdown
# table: wall time, peak RSS (with --no-mmap that is the heap plus the
# read buffers, no mapped input), kept users and folded events. It checks
# that every event is accounted for and that "heavy" is kept. Progress
# goes to stderr. Nothing is installed.
#
#   MXTALLY=build/rel/mxtally HOSTILE_USERS=10000000 sh bench/hostile.sh
#
# Environment: MXTALLY, HOSTILE_USERS (10000000), HOSTILE_TEXTS (1000000),
# HOSTILE_UNCAPPED (1: also run --max-keys 0), BENCH_DIR (build/bench), CC.

set -u

MXTALLY=${MXTALLY:-build/rel/mxtally}
USERS=${HOSTILE_USERS:-10000000}
TEXTS=${HOSTILE_TEXTS:-1000000}
UNCAPPED=${HOSTILE_UNCAPPED:-1}
BENCH_DIR=${BENCH_DIR:-build/bench}
CC=${CC:-cc}

say() { printf '%s\n' "$*" >&2; }
die() { say "bench/hostile: $*"; exit 1; }

case $USERS$TEXTS in *[!0-9]*) die "bad HOSTILE_USERS or HOSTILE_TEXTS" ;; esac
[ -x "$MXTALLY" ] || die "no mxtally at '$MXTALLY' (run make)"
command -v jq >/dev/null 2>&1 || die "needs jq"
mkdir -p "$BENCH_DIR" || die "cannot create '$BENCH_DIR'"
for t in hostile rss; do
	if [ ! -x "$BENCH_DIR/$t" ] || [ -n "$(find bench/$t.c -newer "$BENCH_DIR/$t")" ]; then
		$CC -O2 -std=gnu11 -o "$BENCH_DIR/$t" bench/$t.c || die "cannot build $t"
	fi
done

log=$BENCH_DIR/hostile-$USERS-$TEXTS.log
if [ ! -s "$log" ] || [ -n "$(find bench/hostile.c -newer "$log")" ]; then
	say "bench/hostile: writing $log"
	"$BENCH_DIR/hostile" "$USERS" "$TEXTS" 1000 >"$log.tmp" && mv "$log.tmp" "$log" ||
	    die "cannot write $log"
fi
events=$((USERS + USERS / 1000))

echo "### Hostile cardinality: $USERS users, $TEXTS texts"
echo
echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, $(wc -c <"$log") bytes, \`$MXTALLY -j2 --no-mmap -f json\`."
echo
echo "| --max-keys | wall s | peak RSS MiB | users kept | events folded into (other) | all events counted |"
echo "| ---: | ---: | ---: | ---: | ---: | --- |"
row() {
	out=$BENCH_DIR/hostile-$1.json
	say "bench/hostile: --max-keys $1"
	"$BENCH_DIR/rss" "$MXTALLY" -q -j2 --no-mmap --max-keys "$1" -f json \
	    -o "$out" "$log" 2>"$out.rss" || die "mxtally --max-keys $1 failed"
	wall=$(sed -n 's/.*wall=\([0-9.]*\).*/\1/p' "$out.rss")
	kb=$(sed -n 's/.*maxrss_kb=\([0-9]*\).*/\1/p' "$out.rss")
	set -- "$1" "$(jq .totals.users "$out")" "$(jq .totals.folded_users "$out")" \
	    "$(jq .totals.events "$out")" \
	    "$(jq '[.users[] | select(.user == "heavy")] | length' "$out")"
	ok=no
	[ "$4" -eq "$events" ] && [ "$5" -eq 1 ] && ok=yes
	echo "| $1 | $wall | $((kb / 1024)) | $2 | $3 | $ok |"
	[ $ok = yes ] || say "bench/hostile: --max-keys $1: events $4 (want $events), heavy kept $5"
}
row 1000000
[ "$UNCAPPED" = 1 ] && row 0
exit 0
