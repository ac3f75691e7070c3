#!/bin/sh
# bench/run.sh: the measurements behind `make bench`.
#
# Builds mxgen, lc and rss into $BENCH_DIR, generates (once per size, seed
# and generator version) a synthetic log plus .gz and .zst copies and a
# 256 MiB slice, warms the page cache, then times each row best of
# $BENCH_RUNS and prints a markdown report for bench/RESULTS.md on stdout.
# Progress goes to stderr.  Missing tools become a note, not a failure.
#
#   MXTALLY=build/rel/mxtally BENCH_SIZE=1G BENCH_RUNS=5 sh bench/run.sh
#
# Environment: MXTALLY (binary under test), MXTALLY_BASE (an older
# build to compare with in the same run, e.g. a worktree of the last
# release: adds a "-j2 (base)" row and its ratio), MXTALLY_PREV (the
# build before a change, for a performance commit's before and after in
# one run: adds a "-j2 (before)" row and its ratio), BENCH_SIZE (1G; 64M
# for a quick run), BENCH_RUNS (5), BENCH_SEED (20261121), BENCH_DIR
# (build/bench), BENCH_SCAN_ONLY (1: only the anchors and the plain-file
# rows, no grep, decompressors, pflogsumm or compressed inputs), CC (cc).

set -u

MXTALLY=${MXTALLY:-build/rel/mxtally}
BENCH_SIZE=${BENCH_SIZE:-1G}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_SEED=${BENCH_SEED:-20261121}
BENCH_DIR=${BENCH_DIR:-build/bench}
BENCH_SCAN_ONLY=${BENCH_SCAN_ONLY:-0}
CC=${CC:-cc}
SLICE_BYTES=268435456
PATTERN='-ERR| [45][0-9][0-9] '

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

to_bytes() {
	case $1 in
	*[kK]) m=1024 n=${1%?} ;;
	*[mM]) m=1048576 n=${1%?} ;;
	*[gG]) m=1073741824 n=${1%?} ;;
	*) m=1 n=$1 ;;
	esac
	case $n in
	''|*[!0-9]*) die "bad BENCH_SIZE '$1' (use e.g. 64M, 1G)" ;;
	esac
	echo $((n * m))
}

case $BENCH_RUNS in ''|*[!0-9]*|0) die "bad BENCH_RUNS '$BENCH_RUNS'" ;; esac
case $BENCH_SEED in ''|*[!0-9]*) die "bad BENCH_SEED '$BENCH_SEED'" ;; esac
SIZE_BYTES=$(to_bytes "$BENCH_SIZE") || exit 1
mkdir -p "$BENCH_DIR" || die "cannot create '$BENCH_DIR'"

# ---- tools ----------------------------------------------------------

build() {
	src=bench/$1.c
	bin=$BENCH_DIR/$1
	shift
	if [ ! -x "$bin" ] || [ -n "$(find "$src" -newer "$bin")" ]; then
		say "bench: building $bin"
		$CC -O2 -std=c11 -D_GNU_SOURCE -o "$bin" "$src" "$@" ||
		    die "cannot build $bin"
	fi
}
build mxgen -lm
build lc -pthread
build rss
MXGEN=$BENCH_DIR/mxgen
LC=$BENCH_DIR/lc
RSS=$BENCH_DIR/rss

# ---- data, cached by size, seed and generator version ---------------

GEN=$(cksum < bench/mxgen.c | cut -d' ' -f1)
LOG=$BENCH_DIR/mail-$BENCH_SIZE-s$BENCH_SEED-g$GEN.log
for f in "$BENCH_DIR"/mail-*; do
	case $f in
	"$BENCH_DIR/mail-*"|*"-g$GEN.log"*) ;;
	*) say "bench: removing stale $f"; rm -f "$f" ;;
	esac
done
if [ ! -s "$LOG" ]; then
	say "bench: generating $LOG"
	"$MXGEN" -s "$BENCH_SEED" "$BENCH_SIZE" > "$LOG.tmp" &&
	    mv "$LOG.tmp" "$LOG" || die "cannot generate $LOG"
fi
if have pigz; then GZIP_CMD="pigz -1"; else GZIP_CMD="gzip -1"; fi
if [ ! -s "$LOG.gz" ] && have gzip; then
	say "bench: compressing with $GZIP_CMD"
	$GZIP_CMD -c "$LOG" > "$LOG.gz.tmp" && mv "$LOG.gz.tmp" "$LOG.gz" ||
	    die "cannot write $LOG.gz"
fi
if [ ! -s "$LOG.zst" ] && have zstd; then
	say "bench: compressing with zstd -3"
	zstd -q -3 -T0 -c "$LOG" > "$LOG.zst.tmp" &&
	    mv "$LOG.zst.tmp" "$LOG.zst" || die "cannot write $LOG.zst"
fi
if [ "$SIZE_BYTES" -gt "$SLICE_BYTES" ]; then
	SLICE=${LOG%.log}.slice256m.log
	if [ ! -s "$SLICE" ]; then
		say "bench: cutting a 256 MiB slice"
		# the first 256 MiB, without the partial last line
		head -c "$SLICE_BYTES" "$LOG" | sed '$d' > "$SLICE.tmp" &&
		    mv "$SLICE.tmp" "$SLICE" || die "cannot write $SLICE"
	fi
else
	SLICE=$LOG
fi
if [ "$SLICE" = "$LOG" ]; then
	SNOTE="slice = whole input (<= 256 MiB)"
else
	SNOTE="256 MiB slice"
fi

BYTES=$(wc -c < "$LOG" | tr -d ' ')
LINES=$("$LC" -j2 "$LOG")
SBYTES=$(wc -c < "$SLICE" | tr -d ' ')
SLINES=$("$LC" -j2 "$SLICE")

say "bench: warming the page cache"
for f in "$LOG" "$LOG.gz" "$LOG.zst" "$SLICE"; do
	[ -f "$f" ] && cat "$f" > /dev/null
done

# ---- measuring --------------------------------------------------------

OUT=$BENCH_DIR/out.txt
ERR=$BENCH_DIR/err.txt
ROWS=$BENCH_DIR/rows.tsv
: > "$ROWS"

# measure KEY MAXRC SINK CMD...: runs CMD BENCH_RUNS times under rss,
# stdout to SINK; sets T (best wall seconds), KB (peak RSS of all runs),
# RC (0, or the first exit status above MAXRC).
measure() {
	key=$1 maxrc=$2 sink=$3
	shift 3
	T='' KB=0 KA=0 RC=0 i=0
	while [ "$i" -lt "$BENCH_RUNS" ]; do
		"$RSS" "$@" > "$sink" 2> "$ERR"
		rc=$?
		if [ "$rc" -gt "$maxrc" ]; then
			RC=$rc
			return
		fi
		last=$(tail -n 1 "$ERR")
		w=${last#wall=}
		w=${w%% *}
		kb=${last##*maxrss_kb=}
		ka=${last#*anon_kb=}
		ka=${ka%% *}
		T=$(awk -v a="$T" -v b="$w" \
		    'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
		[ "$kb" -gt "$KB" ] && KB=$kb
		[ "$ka" -gt "$KA" ] && KA=$ka
		i=$((i + 1))
	done
	eval "T_$key=\$T KB_$key=\$KB KA_$key=\$KA"
}

# row KEY LABEL TEXT BYTES LINES NOTE MAXRC SINK CMD...: measures CMD
# (see measure) and appends a row; TEXT is the command as shown.
row() {
	key=$1 label=$2 text=$3 bytes=$4 lines=$5 note=$6 maxrc=$7 sink=$8
	shift 8
	say "bench: $label"
	measure "$key" "$maxrc" "$sink" "$@"
	if [ "$RC" -ne 0 ]; then
		why=$(grep -v '^wall=' "$ERR" | head -n 1 | cut -c1-80 |
		    tr '|' '/')
		skip "$label" "$text" "failed (exit $RC)${why:+: $why}"
		return
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$text" "$T" \
	    "$bytes" "$lines" "$KB" "$note" >> "$ROWS"
}

skip() {
	printf '%s\t%s\t-\t-\t-\t-\t%s\n' "$1" "$2" "$3" >> "$ROWS"
}

N=$(basename "$LOG")
S=$(basename "$SLICE")

row lc1 "lc -j1" "lc -j1 $N" "$BYTES" "$LINES" "speed anchor" 0 /dev/null \
    "$LC" -j1 "$LOG"
row lc2 "lc -j2" "lc -j2 $N" "$BYTES" "$LINES" "" 0 /dev/null \
    "$LC" -j2 "$LOG"
if have rg; then
	row rg "rg -c" "rg -c -e '$PATTERN' $N" "$BYTES" "$LINES" "" 1 \
	    "$OUT" rg -c -e "$PATTERN" "$LOG"
	RG_COUNT=$(cat "$OUT")
else
	skip "rg -c" "rg -c" "ripgrep not installed"
fi
if [ "$BENCH_SCAN_ONLY" = 1 ]; then
	:
else
row grep "grep -cE" "grep -cE -e '$PATTERN' $N" "$BYTES" "$LINES" \
    "" 1 "$OUT" grep -cE -e "$PATTERN" "$LOG"
GREP_COUNT=$(cat "$OUT")
if have zstd && [ -f "$LOG.zst" ]; then
	row zstd "zstd -dc" "zstd -dc $N.zst" "$BYTES" "$LINES" \
	    "MB/s of output" 0 /dev/null zstd -dc "$LOG.zst"
else
	skip "zstd -dc" "zstd -dc" "zstd not installed"
fi
if have zcat && [ -f "$LOG.gz" ]; then
	row zcat "zcat" "zcat $N.gz" "$BYTES" "$LINES" "MB/s of output" 0 \
	    /dev/null zcat "$LOG.gz"
else
	skip "zcat" "zcat" "gzip not installed"
fi
if have pflogsumm; then
	row pflog "pflogsumm (slice)" "pflogsumm $S" "$SBYTES" "$SLINES" \
	    "$SNOTE" 0 "$OUT" pflogsumm "$SLICE"
else
	skip "pflogsumm (slice)" "pflogsumm" \
	    "not installed (Debian package pflogsumm)"
fi
fi

MXOK=0
if [ ! -x "$MXTALLY" ]; then
	say "bench: mxtally not built ($MXTALLY)"
	skip "mxtally" "$MXTALLY" "mxtally not built"
elif ! MXVER=$("$MXTALLY" --version 2>&1 | head -n 1); then
	skip "mxtally" "$MXTALLY" "mxtally --version fails: $MXVER"
else
	MXOK=1
fi
# -o goes to a regular file: mxtally writes -o atomically (temp file and
# rename beside it), which must never be aimed at /dev/null.
J=$BENCH_DIR/mxtally
mx() {
	key=$1 label=$2 opts=$3 file=$4 bytes=$5 lines=$6 note=$7
	shift 7
	row "$key" "$label" "mxtally $opts -f json -o out.json $(basename "$file")" \
	    "$bytes" "$lines" "$note" 0 /dev/null \
	    "$MXTALLY" "$@" -f json -o "$J-$key.json" "$file"
}
if [ "$MXOK" -eq 1 ]; then
	mx mx1 "mxtally -j1" "-j1" "$LOG" "$BYTES" "$LINES" "" -j1
	mx mx2 "mxtally -j2" "-j2" "$LOG" "$BYTES" "$LINES" "" -j2
	mx mxr "mxtally --no-mmap -j2" "--no-mmap -j2" "$LOG" "$BYTES" \
	    "$LINES" "read(2) path" --no-mmap -j2
fi
if [ "$MXOK" -eq 1 ] && [ "$BENCH_SCAN_ONLY" != 1 ]; then
	if [ -f "$LOG.zst" ]; then
		mx mxz "mxtally -j2 .zst" "-j2" "$LOG.zst" "$BYTES" "$LINES" \
		    "MB/s of output" -j2
	fi
	if [ -f "$LOG.gz" ]; then
		mx mxg "mxtally -j2 .gz" "-j2" "$LOG.gz" "$BYTES" "$LINES" \
		    "MB/s of output" -j2
	fi
	mx mxs "mxtally -j2 (slice)" "-j2" "$SLICE" "$SBYTES" "$SLINES" \
	    "$SNOTE" -j2
fi
if [ -n "${MXTALLY_BASE:-}" ] && [ -x "$MXTALLY_BASE" ]; then
	row mxb "mxtally -j2 (base)" "base -j2 -f json -o out.json $N" \
	    "$BYTES" "$LINES" "MXTALLY_BASE: $("$MXTALLY_BASE" --version |
	    head -n 1)" 0 /dev/null "$MXTALLY_BASE" -j2 -f json \
	    -o "$J-mxb.json" "$LOG"
fi
if [ -n "${MXTALLY_PREV:-}" ] && [ -x "$MXTALLY_PREV" ]; then
	row mxp "mxtally -j2 (before)" "before -j2 -f json -o out.json $N" \
	    "$BYTES" "$LINES" "MXTALLY_PREV: $MXTALLY_PREV" 0 /dev/null \
	    "$MXTALLY_PREV" -j2 -f json -o "$J-mxp.json" "$LOG"
fi

# ---- interleaved: the -j2 rows and their anchors, round by round --------

# On a shared machine the load changes between rows measured a minute
# apart, and a ratio of two such rows says more about the load than about
# the builds. Here each round runs every command once, in turn, and each
# keeps its best round: the ratios of this table compare runs made
# seconds apart. Keys: I_<key> best seconds.
ilog() {	# ilog KEY CMD...: one run of CMD, I_KEY = best wall so far
	k=$1
	shift
	"$RSS" "$@" > /dev/null 2> "$ERR" || return 0
	w=$(tail -n 1 "$ERR")
	w=${w#wall=}
	w=${w%% *}
	eval "o=\${I_$k:-}"
	w=$(awk -v a="$o" -v b="$w" \
	    'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
	eval "I_$k=\$w"
}
if [ "$MXOK" -eq 1 ]; then
	say "bench: interleaved rounds"
	i=0
	while [ "$i" -lt "$BENCH_RUNS" ]; do
		ilog lc2 "$LC" -j2 "$LOG"
		have rg && ilog rg rg -c -e "$PATTERN" "$LOG"
		ilog mx2 "$MXTALLY" -j2 -f json -o "$J-i2.json" "$LOG"
		[ -n "${MXTALLY_BASE:-}" ] && [ -x "$MXTALLY_BASE" ] &&
			ilog mxb "$MXTALLY_BASE" -j2 -f json -o "$J-ib.json" "$LOG"
		[ -n "${MXTALLY_PREV:-}" ] && [ -x "$MXTALLY_PREV" ] &&
			ilog mxp "$MXTALLY_PREV" -j2 -f json -o "$J-ip.json" "$LOG"
		i=$((i + 1))
	done
fi

# ---- report -----------------------------------------------------------

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo \
    2>/dev/null)
[ -n "$cpu" ] || cpu=$(sysctl -n machdep.cpu.brand_string 2>/dev/null)
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
ver() { have "$1" && "$@" 2>&1 | head -n 1 | tr -d '*' |
    sed 's/^ *//; s/ *$//; s/, by .*//'; }

echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — $(uname -srm)"
echo
echo "CPU: ${cpu:-unknown}, $cores online cores."
echo "Input: \`mxgen -s $BENCH_SEED $BENCH_SIZE\`, $BYTES bytes, $LINES lines;"
[ -f "$LOG.gz" ] && echo "\`$GZIP_CMD\`: $(mib "$(wc -c < "$LOG.gz")");"
[ -f "$LOG.zst" ] && echo "\`zstd -3\`: $(mib "$(wc -c < "$LOG.zst")");"
echo "slice: $SBYTES bytes, $SLINES lines. Best of $BENCH_RUNS runs, warm cache."
echo "Versions: ${MXVER:-mxtally not built}; $(ver rg --version);"
echo "$(ver grep --version); $(ver zstd --version); $(ver gzip --version);"
echo "$(ver pflogsumm --version)."
echo
echo "| row | seconds | MB/s | lines/s | peak RSS MiB | notes |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
awk -F'\t' '{
	if ($3 == "-") {
		printf "| %s | – | – | – | – | %s |\n", $1, $7
		next
	}
	t = $3 < 0.0005 ? 0.0005 : $3
	printf "| %s | %.3f | %.0f | %.2f M | %.1f | %s |\n", $1, $3,
	    $4 / t / 1e6, $5 / t / 1e6, $6 / 1024, $7
}' "$ROWS"
echo
echo "Commands (in $BENCH_DIR):"
echo
awk -F'\t' '{ printf "- %s: `%s`\n", $1, $2 }' "$ROWS"
echo

get() { eval "echo \${$1_$2:-}"; }
ratio() {	# ratio LABEL A B MODE: A/B as a percentage or a factor
	a=$(get T "$2") b=$(get T "$3")
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo "| $1 | – (row missing) |"
		return
	fi
	awk -v l="$1" -v a="$a" -v b="$b" -v m="$4" 'BEGIN {
		if (b < 0.0005) b = 0.0005
		if (m == "%") printf "| %s | %.0f %% |\n", l, 100 * a / b
		else printf "| %s | %.2fx |\n", l, a / b
	}'
}
echo "| ratio | value |"
echo "| --- | ---: |"
ratio "mxtally -j2 vs \`rg -c\` (throughput)" rg mx2 %
ratio "mxtally -j2 vs \`lc -j2\` (throughput)" lc2 mx2 %
ratio "mxtally -j2 vs pflogsumm on the slice (faster by)" pflog mxs x
ratio "mxtally -j2 vs -j1 (speed-up)" mx1 mx2 x
[ -n "${MXTALLY_BASE:-}" ] &&
	ratio "mxtally -j2 vs the base build (throughput)" mxb mx2 %
[ -n "${MXTALLY_PREV:-}" ] &&
	ratio "mxtally -j2 vs the build before (throughput)" mxp mx2 %
[ -n "${MXTALLY_BASE:-}" ] && [ -n "${MXTALLY_PREV:-}" ] &&
	ratio "the build before vs \`rg -c\` (throughput)" rg mxp %
[ -n "${MXTALLY_BASE:-}" ] &&
	ratio "the base build vs \`rg -c\` (throughput)" rg mxb %
ratio "mxtally -j2 .zst vs \`zstd -dc\` (throughput)" zstd mxz %
ratio "mxtally -j2 .gz vs \`zcat\` (throughput)" zcat mxg %
kb=$(get KB mx2)
if [ -n "$kb" ]; then
	awk -v kb="$kb" -v ka="$(get KA mx2)" -v r="$(get KB mxr)" \
	    -v z="$(get KB mxz)" 'BEGIN {
		if (ka > 0)
			printf "| mxtally -j2 heap: peak anonymous RSS " \
			    "(RssAnon, sampled every 5 ms) | %.1f MiB |\n",
			    ka / 1024
		printf "| mxtally -j2 peak RSS (heap + mapped chunks in " \
		    "flight: upper bound on heap) | %.1f MiB |\n", kb / 1024
		if (r != "")
			printf "| mxtally --no-mmap -j2 peak RSS (heap + " \
			    "buffers) | %.1f MiB |\n", r / 1024
		if (z != "")
			printf "| mxtally -j2 .zst peak RSS (heap + " \
			    "buffers) | %.1f MiB |\n", z / 1024
	}'
fi
echo
echo "Mapped chunks leave the resident set as workers finish them, so the"
echo "peak RSS of a mapped run is the heap plus the chunks being scanned"
echo "(at most one per worker) and the binary: an upper bound on the heap."
if [ -n "${I_mx2:-}" ]; then
	echo
	echo "Interleaved: \`lc -j2\`, \`rg -c\`, mxtally -j2 and the older builds"
	echo "run one after another in each of $BENCH_RUNS rounds, best round each"
	echo "(the ratios to quote on a loaded machine):"
	echo
	echo "| row | seconds | MB/s | ratio |"
	echo "| --- | ---: | ---: | --- |"
	irow() {	# irow LABEL KEY: seconds, MB/s and throughput ratios
		eval "t=\${I_$2:-}"
		[ -n "$t" ] || return 0
		awk -v l="$1" -v t="$t" -v b="$BYTES" -v rg="${I_rg:-}" \
		    -v lc="${I_lc2:-}" -v mb="${I_mxb:-}" -v k="$2" 'BEGIN {
			if (t < 0.0005) t = 0.0005
			r = ""
			if (k != "rg" && k != "lc2" && rg != "")
				r = sprintf("%.0f %% of rg -c", 100 * rg / t)
			if (k != "rg" && k != "lc2" && lc != "")
				r = r sprintf(", %.0f %% of lc -j2", 100 * lc / t)
			if (k != "mxb" && k != "rg" && k != "lc2" && mb != "")
				r = r sprintf(", %.0f %% of base", 100 * mb / t)
			printf "| %s | %.3f | %.0f | %s |\n", l, t, b / t / 1e6, r
		}'
	}
	irow "lc -j2" lc2
	irow "rg -c" rg
	irow "mxtally -j2" mx2
	irow "mxtally -j2 (before)" mxp
	irow "mxtally -j2 (base)" mxb
fi
if [ -n "${RG_COUNT:-}" ] && [ "$RG_COUNT" != "${GREP_COUNT:-}" ]; then
	echo
	echo "Note: rg counted $RG_COUNT lines, grep $GREP_COUNT."
fi
if [ "$MXOK" -eq 1 ] && [ -f "$J-mx1.json" ] && [ -f "$J-mx2.json" ]; then
	echo
	if cmp -s "$J-mx1.json" "$J-mx2.json"; then
		echo "Check: \`-j1\` and \`-j2\` reports are byte-identical."
	else
		echo "Check: \`-j1\` and \`-j2\` reports DIFFER (see $J-mx1.json)."
	fi
fi
