#!/bin/sh
# Corpus conformance: every source of ../shared/corpus (one directory
# each) is read in one run, and a Markdown table of what mxtally found is
# written to OUT (default tests/corpus-report.md): files, lines, error
# lines, events, causes, the unclassified share and its ceiling from
# tests/corpus-ceilings.tsv, then the most frequent unclassified
# templates. Fails when a run fails, a source has no ceiling or a share
# is above its ceiling. When OUT is not the committed report, says so if
# the committed one is out of date (without failing: `make corpus-report`
# refreshes it). Skipped when ../shared is absent (a user's clone).
set -u
MXTALLY=${MXTALLY:-./mxtally}
corpus=${CORPUS:-../shared/corpus}
ceil=tests/corpus-ceilings.tsv
committed=tests/corpus-report.md
out=${1:-$committed}
. "$(dirname "$0")/lib.sh"
t_begin corpus
[ -d "$corpus" ] || t_skip_all "no ../shared"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/rows"
: >"$tmp/causes"
: >"$tmp/templates"
printf '%-28s %8s %7s %7s %7s %6s\n' source lines errors events uncl share
for src in "$corpus"/*/; do
	name=$(basename "$src")
	find "$src" -type f | LC_ALL=C sort >"$tmp/files"
	nfiles=$(wc -l <"$tmp/files" | tr -d ' ')
	# shellcheck disable=SC2046
	"$MXTALLY" -q -j2 -f json --year 2026 $(cat "$tmp/files") >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] || ! jq -e . "$tmp/out.json" >/dev/null 2>&1; then
		echo "FAIL $name: exit $rc"; head -5 "$tmp/err"; fail=$((fail + 1))
		printf '| %s | %s | run failed (exit %s) | | | | | |\n' "$name" "$nfiles" "$rc" >>"$tmp/rows"
		continue
	fi
	jq -r '[.input.lines, .input.error_lines, .totals.events,
	    (.causes.unclassified.events // 0)] | @tsv' "$tmp/out.json" >"$tmp/row"
	read -r lines errs events uncl <"$tmp/row"
	share=$(awk -v u="$uncl" -v e="$events" 'BEGIN { printf "%.1f", e ? 100 * u / e : 0 }')
	max=$(awk -v s="$name" '$1 == s { print $2 }' "$ceil")
	printf '%-28s %8s %7s %7s %7s %5s%%' "$name" "$lines" "$errs" "$events" "$uncl" "$share"
	if [ -z "$max" ]; then
		echo "  FAIL: no ceiling in $ceil"; fail=$((fail + 1)); verdict="no ceiling"
	elif awk -v s="$share" -v m="$max" 'BEGIN { exit !(s > m) }'; then
		echo "  FAIL: over ceiling $max%"; fail=$((fail + 1)); verdict="$max % **over**"
	else
		echo "  (ceiling $max%)"; pass=$((pass + 1)); verdict="$max %"
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s %% | %s |\n' "$name" "$nfiles" \
	    "$lines" "$errs" "$events" "$uncl" "$share" "$verdict" >>"$tmp/rows"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$nfiles" "$lines" "$errs" "$events" "$uncl" "$name" >>"$tmp/sums"
	jq -r --arg s "$name" '"| \($s) | " + ([.causes | to_entries[]
	    | select(.key != "unclassified")] | sort_by(-.value.events, .key)
	    | map("\(.key) \(.value.events)") | join(", ")
	    | if . == "" then "-" else . end) + " |"' "$tmp/out.json" >>"$tmp/causes"
	jq -r --arg s "$name" '.unclassified[:5][]
	    | "| \($s) | \(.events) | `\(.template | gsub("[`|]"; "?"))` |"' \
	    "$tmp/out.json" >>"$tmp/templates"
done

total=$(awk -F '\t' '{ f += $1; l += $2; r += $3; e += $4; u += $5 }
    END { printf "| **all** | %d | %d | %d | %d | %d | %.1f %% | |", f, l, r, e, u, e ? 100 * u / e : 0 }' \
    "$tmp/sums" 2>/dev/null)
{
	cat <<'EOF'
# Corpus conformance report

What mxtally finds in each source of `../shared/corpus`, one directory per
source, read in one run with `mxtally -q -j2 -f json --year 2026 FILE...`
(files in byte order). Written by `tests/corpus-report.sh`; regenerate this
file with `make corpus-report` after changing a parser or a rule, and
commit it. `make check` runs the same sweep into the build directory and
fails when a source's unclassified share is above its ceiling in
`tests/corpus-ceilings.tsv`; lower a ceiling when the rules improve (the
aim is under 2 % everywhere).

*Error lines* are lines with at least one error event; *events* are failed
replies (one line may stand for several, e.g. Dovecot's `N attempts`);
*share* is unclassified events over all events.

| source | files | lines | error lines | events | unclassified | share | ceiling |
|---|--:|--:|--:|--:|--:|--:|--:|
EOF
	cat "$tmp/rows"
	echo "$total"
	cat <<'EOF'

## Causes per source

Events per cause, most frequent first (unclassified is counted above).

| source | causes |
|---|---|
EOF
	cat "$tmp/causes"
	cat <<'EOF'

## Unclassified templates

The five most frequent templates per source (numbers, addresses, hosts and
queue ids masked): the replies a new rule would have to explain.

| source | events | template |
|---|--:|---|
EOF
	if [ -s "$tmp/templates" ]; then cat "$tmp/templates"; else echo "| - | | none |"; fi
} >"$tmp/report.md"
if ! mkdir -p "$(dirname "$out")" || ! cp "$tmp/report.md" "$out"; then
	echo "FAIL: cannot write $out"; fail=$((fail + 1))
fi
if [ "$out" != "$committed" ] && [ -f "$committed" ] && ! cmp -s "$out" "$committed"; then
	echo "note: $committed is out of date; run make corpus-report"
fi
t_end
