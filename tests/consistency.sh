#!/bin/sh
# End-to-end properties of the binary:
#  - the report does not depend on -j, on mmap vs read(2), nor on whether
#    the same bytes come plain, gzip, zstd or through stdin;
#  - bad input (empty, no final newline, CRLF, NUL bytes, a 10 MB line,
#    invalid UTF-8, truncated .gz/.zst, a missing file, a directory) gives
#    a clear error naming the file, exit status 3 where an input failed,
#    and every other input still counted.
set -u
MXTALLY=${MXTALLY:-./mxtally}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
t_begin consistency
# the report minus what names the input (paths, formats, sizes on disk)
norm() { jq -S 'del(.input.files, .input.bytes)' "$1"; }
run() { "$MXTALLY" -q --year 2026 -f json "$@"; }

cat samples/*/*.log >"$tmp/all.log"
if [ -f ../shared/tools/genmail/genmail.py ]; then
	python3 ../shared/tools/genmail/genmail.py 6M -o "$tmp/gen.log" \
	    --truth "$tmp/gen.truth.json" >/dev/null 2>&1
	cat "$tmp/gen.log" >>"$tmp/all.log"
fi

# 1. thread count and read path
run -j1 "$tmp/all.log" >"$tmp/j1.json" || bad "-j1 run"
for j in 2 7; do
	run -j$j "$tmp/all.log" >"$tmp/j$j.json"
	cmp -s "$tmp/j1.json" "$tmp/j$j.json" && ok || bad "-j1 and -j$j differ"
done
run -j3 --no-mmap "$tmp/all.log" >"$tmp/nommap.json"
cmp -s "$tmp/j1.json" "$tmp/nommap.json" && ok || bad "--no-mmap differs"
"$MXTALLY" -q --year 2026 -j1 "$tmp/all.log" >"$tmp/t1.txt"
"$MXTALLY" -q --year 2026 -j5 "$tmp/all.log" >"$tmp/t5.txt"
cmp -s "$tmp/t1.txt" "$tmp/t5.txt" && ok || bad "text report -j1 and -j5 differ"

# 2. compressed and piped input
good0=samples/qpopper/pop.log
gzip -c "$tmp/all.log" >"$tmp/all.gz"
zstd -q -c "$tmp/all.log" >"$tmp/all.zst"
cp "$tmp/all.gz" "$tmp/named-plain.log"
norm "$tmp/j1.json" >"$tmp/ref"
for f in all.gz all.zst named-plain.log; do
	run -j2 "$tmp/$f" >"$tmp/out.json"
	norm "$tmp/out.json" | cmp -s "$tmp/ref" - && ok || bad "$f differs from plain"
done
run -j2 <"$tmp/all.log" >"$tmp/out.json"
norm "$tmp/out.json" | cmp -s "$tmp/ref" - && ok || bad "stdin differs from plain"
zstd -q -dc "$tmp/all.zst" | run -j2 - >"$tmp/out.json"
norm "$tmp/out.json" | cmp -s "$tmp/ref" - && ok || bad "pipe differs from plain"
# gzip members concatenated, as logrotate's delaycompress can leave them
head -c 100000 "$tmp/all.log" | gzip -c >"$tmp/multi.gz"
tail -c +100001 "$tmp/all.log" | gzip -c >>"$tmp/multi.gz"
run -j2 "$tmp/multi.gz" >"$tmp/out.json"
norm "$tmp/out.json" | cmp -s "$tmp/ref" - && ok || bad "multi-member gzip differs"

# bzip2, xz and lz4 (logrotate can use any): the same report as plain,
# two streams appended too; cut short: "truncated NAME stream", exit 3
# (all three were read as text before: junk lines, exit 0)
for z in bzip2 xz lz4; do
	command -v $z >/dev/null || { bad "$z missing (.ci/deps)"; continue; }
	$z -q -c "$tmp/all.log" >"$tmp/all.$z"
	{ head -c 100000 "$tmp/all.log" | $z -q -c
	  tail -c +100001 "$tmp/all.log" | $z -q -c; } >"$tmp/multi.$z"
	for f in all.$z multi.$z; do
		run -j2 "$tmp/$f" >"$tmp/out.json" || bad "$f exit $?"
		norm "$tmp/out.json" | cmp -s "$tmp/ref" - && ok ||
		    bad "$f differs from plain"
	done
	head -c 3000 "$tmp/all.$z" >"$tmp/trunc.$z"
	run -j2 "$good0" "$tmp/trunc.$z" >/dev/null 2>"$tmp/err"
	[ $? = 3 ] && grep -q "trunc.$z': truncated $z stream" "$tmp/err" &&
	    ok || bad "truncated $z: $(cat "$tmp/err")"
done
lz4 -q -l -c "$tmp/all.log" >"$tmp/legacy.lz4"
run -j2 "$tmp/legacy.lz4" >/dev/null 2>"$tmp/err"
[ $? = 3 ] && grep -q "legacy.lz4': lz4 legacy format" "$tmp/err" && ok ||
    bad "lz4 -l: $(cat "$tmp/err")"
# zstd as zstd(1) and pzstd write it: frames concatenated (the README
# promises it; split -C keeps lines whole), a skippable frame first
# (pzstd), and sizes where the frame's last block met the end of a pool
# buffer ("Destination buffer is too small" before): every line read
split -C 300000 "$tmp/all.log" "$tmp/part."
for f in "$tmp"/part.*; do zstd -q -c "$f"; done >"$tmp/multi.zst"
rm -f "$tmp"/part.*
pzstd -q -p 2 -c "$tmp/all.log" >"$tmp/p.zst" 2>/dev/null ||
    bad "pzstd missing (package zstd)"
for f in multi.zst p.zst; do
	run -j2 "$tmp/$f" >"$tmp/out.json" || bad "$f exit $?"
	norm "$tmp/out.json" | cmp -s "$tmp/ref" - && ok || bad "$f differs from plain"
done
for i in 1 2 3 4 5 6 7 8; do cat "$tmp/all.log"; done | head -c 17000000 >"$tmp/cut"
for n in 4198400 8392000 8400000 8450000 12600000 16800000; do
	head -c $n "$tmp/cut" | sed '$d' >"$tmp/c.log"
	zstd -q -3 -c "$tmp/c.log" >"$tmp/c.zst"
	want=$(wc -l <"$tmp/c.log")
	got=$(run -j2 "$tmp/c.zst" 2>"$tmp/err" | jq .input.lines)
	[ "$got" = "$want" ] && [ ! -s "$tmp/err" ] && ok ||
	    bad "zstd -3 of $n bytes: $got of $want lines, $(cat "$tmp/err")"
done
# one line of exactly 8, 16, 24, 32 MiB (with its newline), then a short
# one: two lines, one overlong, as from the plain file
for m in 8 16 24 32; do
	{ head -c $((m * 1048576 - 1)) /dev/zero | tr '\0' x; echo
	  echo "Nov 21 08:00:00 mx dovecot: imap(u): Error: x"; } >"$tmp/l.log"
	zstd -q -3 -c "$tmp/l.log" >"$tmp/l.zst"
	got=$(run -j2 "$tmp/l.zst" 2>"$tmp/err" |
	    jq -c '[.input.lines, .input.overlong_lines]')
	[ "$got" = "[2,1]" ] && [ ! -s "$tmp/err" ] && ok ||
	    bad "$m MiB line in zstd: $got, $(cat "$tmp/err")"
done
rm -f "$tmp/cut" "$tmp/c.log" "$tmp/c.zst" "$tmp/l.log" "$tmp/l.zst"

# eight copies: queue ids come again without their "removed", on both
# sides of chunk ends (a reception starts a new message either way)
for i in 1 2 3 4 5 6 7 8; do cat "$tmp/all.log"; done >"$tmp/big.log"
zstd -q -c "$tmp/big.log" >"$tmp/big.zst"
run -j1 "$tmp/big.log" >"$tmp/out.json"
norm "$tmp/out.json" >"$tmp/bigref"
run -j2 --no-mmap "$tmp/big.log" >"$tmp/out.json"
norm "$tmp/out.json" | cmp -s "$tmp/bigref" - && ok ||
    bad "queue ids used again: chunks change the traffic counts"
# the reading thread scanning chunks itself while it decodes (at -j2 it
# does when chunks wait; the test binary's hook makes it do so whenever
# one waits, and say how many it scanned): same report
MXTALLY_T=${MXTALLY_T:-}
if [ -n "$MXTALLY_T" ] && [ -x "$MXTALLY_T" ]; then
	MXT_TEST_HELP=1 "$MXTALLY_T" -q --year 2026 -f json -j2 "$tmp/big.zst" \
	    >"$tmp/out.json" 2>"$tmp/err"
	n=$(sed -n 's/.*thread scanned \([0-9]*\) chunks/\1/p' "$tmp/err")
	if [ "${n:-0}" -gt 0 ] && norm "$tmp/out.json" | cmp -s "$tmp/bigref" -
	then ok
	else bad "reading thread helping: ${n:-no} chunks, $(cat "$tmp/err")"
	fi
else
	skip "reader help: no MXTALLY_T (build/rel/mxtally-t)"
fi

# 3. bad input
good=samples/qpopper/pop.log
events() { jq .totals.events "$1"; }
want=$(run "$good" | jq .totals.events)
: >"$tmp/empty.log"
printf 'Nov 21 07:02:00 h popper[1]: bob at x (192.0.2.1): -ERR [AUTH] bad password' >"$tmp/nonl.log"
printf 'Nov 21 07:02:00 h popper[1]: bob at x (192.0.2.1): -ERR [AUTH] bad password\r\n' >"$tmp/crlf.log"
printf 'Nov 21 07:02:00 h popper[1]: bob at x (192.0.2.1): -ERR [AUTH] bad\000password\n\000\000\000\n' >"$tmp/nul.log"
printf 'Nov 21 07:02:00 h popper[1]: b\377\376b at x (192.0.2.1): -ERR [AUTH] bad \300password\n' >"$tmp/utf8.log"
{ printf 'Nov 21 07:02:00 h popper[1]: '; head -c 10485760 /dev/zero | tr '\0' 'x'; printf '\n';
  printf 'Nov 21 07:02:01 h popper[1]: bob at x (192.0.2.1): -ERR [AUTH] bad password\n'; } >"$tmp/long.log"
head -c 2000 /dev/urandom >"$tmp/junk.log"
for f in nonl crlf nul utf8 long; do
	run -j2 "$good" "$tmp/$f.log" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	n=$(events "$tmp/out.json")
	[ $rc -eq 0 ] && [ "$n" -eq $((want + 1)) ] && ok ||
	    bad "$f.log: exit $rc, $n events, want $((want + 1))"
	jq -e . "$tmp/out.json" >/dev/null || bad "$f.log: invalid JSON"
done
run -j2 --no-mmap "$tmp/long.log" >"$tmp/out.json" && [ "$(events "$tmp/out.json")" -eq 1 ] &&
    [ "$(jq .input.overlong_lines "$tmp/out.json")" -eq 1 ] && ok || bad "long line via read(2)"
for f in empty junk; do
	run -j2 "$good" "$tmp/$f.log" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 0 ] && [ "$(events "$tmp/out.json")" -eq "$want" ] && ok || bad "$f.log: exit $rc"
done
head -c 3000 "$tmp/all.gz" >"$tmp/trunc.gz"
head -c 3000 "$tmp/all.zst" >"$tmp/trunc.zst"
mkdir "$tmp/dir"
for f in trunc.gz trunc.zst missing.log dir; do
	run -j2 "$good" "$tmp/$f" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	n=$(events "$tmp/out.json")
	nerr=$(jq '.input.errors | length' "$tmp/out.json")
	if [ $rc -eq 3 ] && [ "$n" -ge "$want" ] && [ "$nerr" -eq 1 ] &&
	    grep -q "$tmp/$f" "$tmp/err"; then
		ok
	else
		bad "$f: exit $rc, $n events, $nerr errors; stderr: $(cat "$tmp/err")"
	fi
done
grep -h . "$tmp/err" >/dev/null
run -j2 "$tmp/trunc.gz" 2>"$tmp/err" >/dev/null
grep -q "truncated gzip" "$tmp/err" && ok || bad "truncated gzip message: $(cat "$tmp/err")"
run -j2 "$tmp/trunc.zst" 2>"$tmp/err" >/dev/null
grep -q "truncated zstd" "$tmp/err" && ok || bad "truncated zstd message: $(cat "$tmp/err")"

# user rules run under PCRE2 match and depth limits: a catastrophic
# pattern is named by rules --check (and at load) as backtracking badly,
# a line that hits the limit is no match, reported once per rule
printf '[cause.quota_exceeded]\npattern = (a+)+$\n' >"$tmp/bt.ini"
printf '[cause.quota_exceeded]\npattern = mailbox (is )?full\n' >"$tmp/ok.ini"
"$MXTALLY" rules --check "$tmp/bt.ini" "$tmp/ok.ini" >/dev/null 2>"$tmp/err"
[ $? = 0 ] && grep -q "bt.ini:2: pattern '(a+)+\$' backtracks badly" "$tmp/err" &&
    ! grep -q "ok.ini" "$tmp/err" && ok || bad "rules --check backtracking: $(cat "$tmp/err")"
a900=$(head -c 900 /dev/zero | tr '\0' a)
for i in 1 2 3; do
	echo "Nov 21 07:02:0$i h popper[1]: bob at x (192.0.2.1): -ERR [AUTH] $a900!"
done >"$tmp/bt.log"
timeout 60 "$MXTALLY" -f json --rules "$tmp/bt.ini" "$tmp/bt.log" \
    >"$tmp/out.json" 2>"$tmp/err"
[ $? = 0 ] && [ "$(grep -c 'hit the match limit on a line' "$tmp/err")" = 1 ] &&
    [ "$(jq .totals.events "$tmp/out.json")" = 3 ] && ok ||
    bad "match limit: $(cat "$tmp/err")"

# every command's standard output checked: a full device is exit 4 and
# named (explain and the help texts exited 0 with nothing written)
if [ -w /dev/full ]; then
	for c in "explain 452" "rules --dump" "--help" "--version" \
	    "explain --help" "trend --help" "alert --help" "merge --help" \
	    "-f json $good0"; do
		# shellcheck disable=SC2086
		"$MXTALLY" $c >/dev/full 2>"$tmp/err"
		rc=$?
		[ $rc = 4 ] && grep -q "No space left" "$tmp/err" && ok ||
		    bad "$c > /dev/full: exit $rc, $(head -c 200 "$tmp/err")"
	done
else
	skip "no /dev/full"
fi

# alert rules and no records (an empty log): qsort(NULL, 0) aborted the
# UBSan build (make san runs this with it); every alert format, exit 0,
# nothing on stderr
for a in "" "alert" "alert -f prometheus" "alert -f jsonl" "alert -f nagios"; do
	# shellcheck disable=SC2086
	"$MXTALLY" $a -q --rules samples/alerts.ini "$tmp/empty.log" \
	    >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 0 ] && [ ! -s "$tmp/err" ] && ok ||
	    bad "rules, empty log (${a:-report}): exit $rc, $(head -c 300 "$tmp/err")"
done

# 4. usage errors exit 2; explain needs no log
"$MXTALLY" --jobs 0 "$good" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--jobs 0 not a usage error"
"$MXTALLY" -f nope "$good" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "-f nope not a usage error"
# -o writes atomically and leaves no temp file behind
"$MXTALLY" -q -f json -o "$tmp/rep.json" "$good" && jq -e . "$tmp/rep.json" >/dev/null &&
    [ -z "$(ls "$tmp" | grep 'rep.json.tmp')" ] && ok || bad "-o FILE"

t_end
