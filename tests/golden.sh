#!/bin/sh
# Golden tests: every samples/<family>/<name>.log with a hand-checked
# <name>.expect.json. The report of the log (-j1 and -j3, which must be
# byte-identical) must contain every field the expectation names with the
# same value (tests/subset.jq), and must itself be valid JSON. A
# <name>.rules.ini beside the log is passed as --rules.
set -u
MXTALLY=${MXTALLY:-./mxtally}
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
t_begin golden

for want in samples/*/*.expect.json; do
	log=${want%.expect.json}.log
	name=${log#samples/}
	rules=
	[ -f "${log%.log}.rules.ini" ] && rules="--rules=${log%.log}.rules.ini"
	# shellcheck disable=SC2086
	if ! "$MXTALLY" -q -j1 -f json --year 2026 $rules "$log" >"$tmp/j1.json" ||
	   ! "$MXTALLY" -q -j3 -f json --year 2026 $rules "$log" >"$tmp/j3.json"; then
		echo "FAIL $name: mxtally exited non-zero"; fail=$((fail + 1)); continue
	fi
	if ! cmp -s "$tmp/j1.json" "$tmp/j3.json"; then
		echo "FAIL $name: -j1 and -j3 differ"; fail=$((fail + 1)); continue
	fi
	if ! jq -e . "$tmp/j1.json" >/dev/null; then
		echo "FAIL $name: not valid JSON"; fail=$((fail + 1)); continue
	fi
	if jq -e -L "$dir" --slurpfile w "$want" \
	    'include "subset"; subset($w[0])' "$tmp/j1.json" >/dev/null; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: report differs from $want"
		jq -L "$dir" --slurpfile w "$want" -r 'include "subset";
		    . as $h | $w[0] | to_entries[] | . as $e
		    | select(($h[$e.key] | subset($e.value)) | not)
		    | "  field \($e.key): want \($e.value | tojson)\n         got  \($h[$e.key] | tojson)"' \
		    "$tmp/j1.json" | cut -c1-600
		fail=$((fail + 1))
	fi
done
# mxtally rules: the dump of the built-in rules passes its own check, and
# a bad pattern is refused with exit 2, naming file and line.
if "$MXTALLY" rules --dump >"$tmp/dump.ini" &&
   "$MXTALLY" rules --check "$tmp/dump.ini" >"$tmp/check" &&
   grep -q "^$tmp/dump.ini: [1-9][0-9]* rules, 20 causes, ok\$" "$tmp/check"; then
	pass=$((pass + 1))
else
	echo "FAIL rules --dump | rules --check"; fail=$((fail + 1))
fi
printf '[cause.x]\npattern = a(b\n' >"$tmp/bad.ini"
"$MXTALLY" rules --check "$tmp/bad.ini" 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q "$tmp/bad.ini:2: .*missing closing parenthesis" "$tmp/err"; then
	pass=$((pass + 1))
else
	echo "FAIL rules --check of a bad pattern"; fail=$((fail + 1))
fi
t_end
