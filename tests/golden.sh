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
   grep -q "^$tmp/dump.ini: [1-9][0-9]* cause rules, 20 causes, 0 alert rules, ok\$" "$tmp/check"; then
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
# rules --check reads alert rules too, with the checks alert and watch
# apply: samples/alerts.ini holds 4 ([lock_storm], [auth_burst],
# [storage_incident], [quota_refusals]) and no cause section.
# rcheck NAME WANT-EXIT WANT-TEXT INI: the message or line it prints
rcheck() {
	printf "$4" >"$tmp/r.ini"
	out=$("$MXTALLY" rules --check "$tmp/r.ini" 2>&1)
	rc=$?
	case $out in
	*"$3"*) [ $rc -eq "$2" ] && { ok; return; } ;;
	esac
	echo "FAIL rules --check $1: exit $rc, $out"; fail=$((fail + 1))
}
out=$("$MXTALLY" rules --check samples/alerts.ini)
if [ "$out" = "samples/alerts.ini: 0 cause rules, 0 causes, 4 alert rules, ok" ]; then
	ok
else
	echo "FAIL rules --check samples/alerts.ini: $out"; fail=$((fail + 1))
fi
rcheck "by = planet" 2 "r.ini:3: rule 'x': bad by (host, user, client or none)" \
    '[x]\ncause = system_storage\nby = planet\n'
rcheck "threshold = abc" 2 "r.ini:3: rule 'x': bad threshold 'abc'" \
    '[x]\ncause = system_storage\nthreshold = abc\n'
rcheck "unknown cause" 2 "r.ini:2: rule 'x': unknown cause 'nosuch'" \
    '[x]\ncause = nosuch\n'
rcheck "unknown key" 2 "r.ini:3: rule 'x': unknown key 'treshold'" \
    '[x]\ncause = system_storage\ntreshold = 3\n'
rcheck "bad window" 2 "r.ini:3: rule 'x': bad window '10 minutes'" \
    '[x]\ncause = system_storage\nwindow = 10 minutes\n'
rcheck "duplicate rule" 2 "r.ini:4: duplicate section [x] (first at line 1)" \
    '[x]\ncause = system_storage\n\n[x]\nthreshold = 3\n'
rcheck "cause key" 2 "r.ini:2: unknown key 'patern'" '[cause.x]\npatern = a\n'
rcheck "a rule on a user cause" 0 "r.ini: 1 cause rule, 1 cause, 1 alert rule, ok" \
    '[cause.spool]\npattern = spool full\ngroup = storage\n\n[spool]\ncause = spool\n'
# alert refuses what rules --check refuses, with the same message
printf '[x]\ncause = system_storage\nby = planet\n' >"$tmp/r.ini"
out=$("$MXTALLY" alert --rules "$tmp/r.ini" /dev/null 2>&1)
case $out in *"r.ini:3: rule 'x': bad by"*) ok ;;
*) echo "FAIL alert on by = planet: $out"; fail=$((fail + 1)) ;; esac
t_end
