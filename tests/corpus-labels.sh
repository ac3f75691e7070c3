#!/bin/sh
# Hand-labelled corpus lines (#12 item 5): tests/corpus-labels/SOURCE.tsv
# names lines of ../shared/corpus/SOURCE and the cause each one must get,
# read off the line against causes.md (never taken from a run). Each
# labelled line is run alone through mxtally (JSON) and the causes it
# gets are compared with the label; "none" means the line is no error
# event. Every mismatch is printed (file:line, expected, actual, the
# line) and fails the check. Skipped when ../shared is absent.
#
# A label file line: FILE<TAB>LINE<TAB>CAUSE<TAB>why, FILE relative to
# the source's directory, LINE its 1-based number; '#' starts a comment.
set -u
MXTALLY=${MXTALLY:-./mxtally}
corpus=${CORPUS:-../shared/corpus}
labels=tests/corpus-labels
. "$(dirname "$0")/lib.sh"
t_begin corpus-labels
[ -d "$corpus" ] || t_skip_all "no ../shared"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tab=$(printf '\t')
n=0
for lf in "$labels"/*.tsv; do
	src=$(basename "$lf" .tsv)
	if [ ! -d "$corpus/$src" ]; then
		bad "$lf: no source $corpus/$src"
		continue
	fi
	while IFS="$tab" read -r file lno want why; do
		case $file in ''|'#'*) continue ;; esac
		n=$((n + 1))
		path=$corpus/$src/$file
		one=$tmp/$(basename "$file")
		if ! sed -n "${lno}{p;q;}" "$path" >"$one" 2>/dev/null ||
		    [ ! -s "$one" ]; then
			bad "$src/$file:$lno: no such line"
			continue
		fi
		if ! "$MXTALLY" -q -j1 -f json --year 2026 "$one" \
		    >"$tmp/out.json" 2>"$tmp/err"; then
			bad "$src/$file:$lno: mxtally failed: $(head -1 "$tmp/err")"
			continue
		fi
		got=$(jq -r '[.causes | keys[]] | if length == 0 then "none"
		    else join(",") end' "$tmp/out.json")
		if [ "$got" = "$want" ]; then
			ok
		else
			bad "$src/$file:$lno: expected $want, got $got ($why)"
			echo "    $(cut -c1-300 "$one")"
		fi
		rm -f "$one"
	done <"$lf"
done
[ "$n" -gt 0 ] || bad "no labelled lines in $labels"
t_end
