#!/bin/sh
# The multi-line joins end to end (README "Counting"): the real Dovecot
# and Postfix lines of samples/dovecot-lmtp, read in chunks of about 1 kB
# (MXT_TEST_CHUNK, the test binary's hook) so that the four lines of one
# LMTP refusal and the two daemons' lines fall into different chunks and
# workers, give the report of one whole chunk, for -j1, -j2 and -j4, and
# with the Postfix lines first. The counts themselves are derived by hand
# in samples/dovecot-lmtp/README.md: 24 events, 19 pairs.
set -u
MXTALLY=${MXTALLY:-./mxtally}
MXTALLY_T=${MXTALLY_T:-}
. "$(dirname "$0")/lib.sh"
t_begin joins
[ -n "$MXTALLY_T" ] && [ -x "$MXTALLY_T" ] ||
	t_skip_all "no MXTALLY_T (build/rel/mxtally-t)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=samples/dovecot-lmtp/store.log
norm() { jq -S 'del(.input.files, .input.bytes)' "$1"; }

"$MXTALLY" -q -j1 -f json --year 2026 "$log" >"$tmp/ref.json" ||
	t_die "mxtally exit $?"
[ "$(jq .totals.events "$tmp/ref.json")" -eq 24 ] &&
[ "$(jq .totals.join_paired "$tmp/ref.json")" -eq 19 ] && ok ||
	bad "whole file: $(jq -c .totals "$tmp/ref.json")"
norm "$tmp/ref.json" >"$tmp/ref"
for j in 1 2 4; do
	MXT_TEST_CHUNK=256 "$MXTALLY_T" -q -j$j -f json --year 2026 "$log" \
	    >"$tmp/out.json" || bad "-j$j small chunks: exit $?"
	norm "$tmp/out.json" | cmp -s "$tmp/ref" - && ok ||
		bad "-j$j with 1 kB chunks differs from one chunk"
done
# the same lines in another order: Postfix's before Dovecot's
grep ' postfix/' "$log" >"$tmp/swapped.log"
grep -v ' postfix/' "$log" >>"$tmp/swapped.log"
MXT_TEST_CHUNK=256 "$MXTALLY_T" -q -j2 -f json --year 2026 \
    "$tmp/swapped.log" >"$tmp/out.json" || bad "swapped: exit $?"
jq -S '{totals, causes, codes, users}' "$tmp/ref.json" >"$tmp/a"
jq -S '{totals, causes, codes, users}' "$tmp/out.json" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok || bad "Postfix lines first: other counts"
# two files, one per daemon, read by different workers
grep ' postfix/' "$log" >"$tmp/postfix.log"
grep -v ' postfix/' "$log" >"$tmp/dovecot.log"
"$MXTALLY" -q -j2 -f json --year 2026 "$tmp/dovecot.log" "$tmp/postfix.log" \
    >"$tmp/out.json" || bad "two files: exit $?"
jq -S '{totals, causes, codes, users}' "$tmp/out.json" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok || bad "one file per daemon: other counts"
# Postfix alone: its 18 deferrals are all it knows (server_error)
"$MXTALLY" -q -j2 -f json --year 2026 "$tmp/postfix.log" >"$tmp/out.json"
[ "$(jq '.causes.server_error.events' "$tmp/out.json")" -eq 18 ] &&
[ "$(jq '.totals.join_paired' "$tmp/out.json")" -eq 0 ] && ok ||
	bad "Postfix alone: $(jq -c '.causes | map_values(.events)' "$tmp/out.json")"
t_end
