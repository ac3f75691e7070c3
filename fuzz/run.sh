#!/bin/sh
# fuzz/run.sh FUZZER...: runs each libFuzzer binary for FUZZ_SECONDS
# (default 20) on its own corpus (build/fuzz/corpus/NAME, kept between
# runs) seeded from samples/ and, when present, ../shared/corpus, or for
# FUZZ_RUNS inputs from a fixed seed (see below). A crash
# leaves its input in build/fuzz/artifacts/ and fails the run: turn it
# into a regression test: copy it to tests/regress/NAME/, which this
# script replays before fuzzing NAME.
set -u
S=${FUZZ_SECONDS:-20}
# FUZZ_RUNS=N: a fixed number of inputs from a fixed seed instead of a
# time budget, so that a run (CI's) finds the same things every time
if [ -n "${FUZZ_RUNS:-}" ]; then
	budget="-runs=$FUZZ_RUNS -seed=${FUZZ_SEED:-1}"
	what="$FUZZ_RUNS runs from seed ${FUZZ_SEED:-1}"
else
	budget="-max_total_time=$S"
	what="${S}s"
fi
D=build/fuzz
mkdir -p "$D/artifacts" "$D/seeds/lines" "$D/seeds/files" "$D/seeds/rules" \
    "$D/seeds/zstd" "$D/seeds/json" "$D/seeds/decode"

# seeds: one file per log line (line targets), whole logs plain, gzip,
# zstd, bzip2, xz and lz4 (input), INI files (rules)
if [ ! -f "$D/seeds/.done" ]; then
	i=0
	{ cat samples/*/*.log
	  if [ -d ../shared/corpus ]; then
		find ../shared/corpus -type f -name '*log*' | sort | head -200 |
		    while read -r f; do head -c 100000 "$f" | head -20; done
	  fi; } | while IFS= read -r line; do
		i=$((i + 1))
		printf '%s\n' "$line" >"$D/seeds/lines/$i"
	done
	for f in samples/*/*.log; do
		n=$(echo "$f" | tr / _)
		head -c 65536 "$f" >"$D/seeds/files/$n"
		gzip -c "$f" | head -c 65536 >"$D/seeds/files/$n.gz"
		zstd -q -c "$f" | head -c 65536 >"$D/seeds/files/$n.zst" 2>/dev/null
		for z in bzip2 xz lz4; do
			$z -q -c "$f" 2>/dev/null | head -c 65536 \
			    >"$D/seeds/files/$n.$z"
		done
	done
	for f in samples/*.ini samples/*/*.ini; do
		[ -f "$f" ] && cp "$f" "$D/seeds/rules/$(echo "$f" | tr / _)"
	done
	: >"$D/seeds/.done"
fi

if [ ! -f "$D/seeds/.zstd-done" ]; then
	# zstd (fuzz_zstd): 0 then a .zst file (one frame, several frames,
	# a skippable frame first as pzstd writes, and between frames), or
	# 1 and three parameter bytes then text to repeat and compress
	z=$D/seeds/zstd
	for f in samples/*/*.log; do
		n=$(echo "$f" | tr / _)
		head -c 6000 "$f" >"$z.txt"
		{ printf '\0'; zstd -q -c "$z.txt"; } >"$z/$n.zst"
		{ printf '\0'; zstd -q -c --no-check "$z.txt"
		  printf '\120\52\115\30\4\0\0\0abcd'
		  zstd -q -19 -c "$z.txt"; } >"$z/$n.multi.zst"
		{ printf '\0'; pzstd -q -c -p 2 "$z.txt"; } >"$z/$n.pzstd" \
		    2>/dev/null
		{ printf '\1\1\15\100'; head -c 3000 "$f"; } >"$z/$n.a"
		{ printf '\7\13\13\377'; head -c 3000 "$f"; } >"$z/$n.b"
		{ printf '\3\6\377\377'; head -c 200 "$f"; } >"$z/$n.c"
	done
	rm -f "$z.txt"
	: >"$D/seeds/.zstd-done"
fi

if [ ! -f "$D/seeds/.decode-done" ]; then
	# decoders (fuzz_decode): five parameter bytes (codec and streams,
	# level, size, cut) then text; each codec whole and cut short,
	# one of each past a 512 KiB buffer
	for f in samples/*/*.log; do
		n=$(echo "$f" | tr / _)
		for c in 0 1 2 3; do
			o=$(printf '%03o' $((c | 4)))
			t=$(printf '%03o' $((c | 16 | 32)))
			{ printf "\\$o\\3\\40\\0\\0"; head -c 2000 "$f"; } \
			    >"$D/seeds/decode/$n.$c"
			{ printf "\\$t\\5\\40\\7\\1"; head -c 2000 "$f"; } \
			    >"$D/seeds/decode/$n.$c.cut"
		done
	done
	for c in 0 1 2 3; do
		{ printf "\\$(printf '%03o' $((c | 12)))\\1\\377\\0\\0"
		  head -c 6000 samples/postfix/mx.log; } >"$D/seeds/decode/big.$c"
	done
	: >"$D/seeds/.decode-done"
fi

if [ ! -f "$D/seeds/.json-done" ]; then
	# reports (fuzz_merge): the samples' expected reports made whole
	# enough to merge (a schema), and one with traffic lists
	for f in samples/*/*.expect.json; do
		jq -c '. + {schema: "mxtally/1"}' "$f" \
		    >"$D/seeds/json/$(echo "$f" | tr / _)" 2>/dev/null
	done
	: >"$D/seeds/.json-done"
fi

fail=0
for bin in "$@"; do
	name=$(basename "$bin")
	# past findings first: each file once, no fuzzing
	if [ -d "tests/regress/$name" ]; then
		if ! "$bin" tests/regress/"$name"/* >"$D/$name.regress.log" 2>&1; then
			echo "FAIL $name: a regression input crashes; see $D/$name.regress.log"
			grep -m1 -A8 ERROR "$D/$name.regress.log"
			fail=$((fail + 1))
			continue
		fi
	fi
	case $name in
	fuzz_input) seeds=$D/seeds/files ;;
	fuzz_rules) seeds=$D/seeds/rules ;;
	fuzz_zstd) seeds=$D/seeds/zstd ;;
	fuzz_decode) seeds=$D/seeds/decode ;;
	fuzz_merge) seeds=$D/seeds/json ;;
	*) seeds=$D/seeds/lines ;;
	esac
	mkdir -p "$D/corpus/$name"
	# fuzz_decode compresses every input four ways in the target: a
	# tenth of the runs costs about what the others' full count does
	b=$budget
	[ -n "${FUZZ_RUNS:-}" ] && [ "$name" = fuzz_decode ] &&
	    b="-runs=$((FUZZ_RUNS / 10)) -seed=${FUZZ_SEED:-1}"
	echo "fuzz: $name, $what"
	# shellcheck disable=SC2086
	if ! "$bin" $b -max_len=8192 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$D/artifacts/$name-" \
	    "$D/corpus/$name" "$seeds" >"$D/$name.log" 2>&1; then
		echo "FAIL $name: see $D/$name.log and $D/artifacts/"
		tail -30 "$D/$name.log"
		fail=$((fail + 1))
	else
		grep -E 'stat::number_of_executed_units|cov:' "$D/$name.log" | tail -2
	fi
done
echo "fuzz: $(($# - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
