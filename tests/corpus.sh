#!/bin/sh
# Corpus sweep: every source of ../shared/corpus is read in one run per
# source (-j2); no input may fail, and the share of error events left
# unclassified must stay at or under the ceiling in tests/corpus-ceilings.tsv.
# Prints one row per source. Skipped when ../shared is absent (a user's
# clone).
set -u
MXTALLY=${MXTALLY:-./mxtally}
corpus=${CORPUS:-../shared/corpus}
ceil=tests/corpus-ceilings.tsv
if [ ! -d "$corpus" ]; then
	echo "skipped: no ../shared"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
printf '%-28s %8s %7s %7s %7s %6s\n' source lines errors events uncl share
for src in "$corpus"/*/; do
	name=$(basename "$src")
	find "$src" -type f | LC_ALL=C sort >"$tmp/files"
	# shellcheck disable=SC2046
	"$MXTALLY" -q -j2 -f json --year 2026 $(cat "$tmp/files") >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] || ! jq -e . "$tmp/out.json" >/dev/null 2>&1; then
		echo "FAIL $name: exit $rc"; head -5 "$tmp/err"; fail=$((fail + 1)); continue
	fi
	jq -r '[.input.lines, .input.error_lines, .totals.events,
	    (.causes.unclassified.events // 0)] | @tsv' "$tmp/out.json" >"$tmp/row"
	read -r lines errs events uncl <"$tmp/row"
	share=$(awk -v u="$uncl" -v e="$events" 'BEGIN { printf "%.1f", e ? 100 * u / e : 0 }')
	max=$(awk -v s="$name" '$1 == s { print $2 }' "$ceil")
	printf '%-28s %8s %7s %7s %7s %5s%%' "$name" "$lines" "$errs" "$events" "$uncl" "$share"
	if [ -z "$max" ]; then
		echo "  FAIL: no ceiling in $ceil"; fail=$((fail + 1))
	elif awk -v s="$share" -v m="$max" 'BEGIN { exit !(s > m) }'; then
		echo "  FAIL: over ceiling $max%"; fail=$((fail + 1))
	else
		echo "  (ceiling $max%)"; pass=$((pass + 1))
	fi
done
echo "corpus: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
