#!/bin/sh
# Faults around a run, made deterministic:
#  - a mapped file truncated while being read (SIGBUS): MXTALLY_T, the
#    binary built with -DMXT_TESTING, truncates the file named by
#    MXT_TEST_TRUNCATE to 0 bytes right after queueing its first chunk,
#    so every page of it is gone before or while it is read; the file
#    must be named as failed, the run must exit 3 and the other input
#    must still be counted. With --no-mmap the same truncation just ends
#    the file early (read(2) sees end of file).
#  - SIGPIPE: mxtally ... | head -1 ends quietly (status 141, no message).
#  - SIGINT during a scan: "mxtally: interrupted", status 130, and no -o
#    file nor temp file left behind.
#  - --max-keys with no room to spill: $TMPDIR missing, or a file size
#    limit (ulimit -f) that stops a run file midway: one warning naming
#    the directory, and the same report as with room (counted in memory).
set -u
MXTALLY=${MXTALLY:-./mxtally}
MXTALLY_T=${MXTALLY_T:-}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
t_begin faults

good=samples/qpopper/pop.log
want=$("$MXTALLY" -q -f json "$good" | jq .totals.events)
$CC -O2 -std=c11 -o "$tmp/hostile" bench/hostile.c || { echo "FAIL build"; exit 1; }
# 150,000 lines of about 80 bytes: 12 MB, three 4 MiB chunks
"$tmp/hostile" 150000 100 >"$tmp/src.log"

# 1. SIGBUS
if [ -n "$MXTALLY_T" ] && [ -x "$MXTALLY_T" ]; then
	for j in 1 2; do
		cp "$tmp/src.log" "$tmp/big.log"
		MXT_TEST_TRUNCATE="$tmp/big.log" "$MXTALLY_T" -q -j$j -f json \
		    "$good" "$tmp/big.log" >"$tmp/out.json" 2>"$tmp/err"
		rc=$?
		n=$(jq .totals.events "$tmp/out.json" 2>/dev/null || echo -1)
		e=$(jq -r '.input.errors[0].error' "$tmp/out.json" 2>/dev/null)
		if [ $rc -eq 3 ] && [ "$n" -ge "$want" ] &&
		    [ "$e" = "file shrank while being read (use --no-mmap)" ] &&
		    grep -q "big.log': file shrank" "$tmp/err"; then
			ok
		else
			bad "sigbus -j$j: exit $rc, $n events, error '$e'; $(cat "$tmp/err")"
		fi
	done
	cp "$tmp/src.log" "$tmp/big.log"
	MXT_TEST_TRUNCATE="$tmp/big.log" "$MXTALLY_T" -q -j2 --no-mmap -f json \
	    "$good" "$tmp/big.log" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	n=$(jq .totals.events "$tmp/out.json" 2>/dev/null || echo -1)
	[ $rc -eq 0 ] && [ "$n" -ge "$want" ] && [ "$n" -lt $((want + 150000)) ] &&
	    ok || bad "truncated under --no-mmap: exit $rc, $n events"
else
	skip "sigbus: no MXTALLY_T (build/rel/mxtally-t)"
fi

# an output that cannot be written is exit 4, not "an input could not be read"
"$MXTALLY" -q -o "$tmp/no/such/dir/r.txt" "$good" 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] && grep -q "no/such/dir/r.txt" "$tmp/err" && ok ||
	bad "-o into a missing directory: exit $rc, $(cat "$tmp/err")"
# and a full device: named, exit 4 (robustness.md said exit 3, untested)
if [ -w /dev/full ]; then
	"$MXTALLY" -q -o /dev/full "$good" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 4 ] && grep -q "cannot write '/dev/full': No space left" "$tmp/err" &&
	    ok || bad "-o /dev/full: exit $rc, $(cat "$tmp/err")"
else
	skip "no /dev/full"
fi

# 2. SIGPIPE: quiet, status 141 (killed by SIGPIPE, the default action)
"$MXTALLY" -j2 "$tmp/src.log" "$good" 2>"$tmp/err" | head -1 >/dev/null
[ ! -s "$tmp/err" ] && ok || bad "| head -1 printed: $(cat "$tmp/err")"
# the JSON lists all 150,000 users: megabytes, far over a pipe buffer,
# so the write certainly meets the closed pipe
sh -c '"$1" -j2 -f json "$2" 2>"$3"; echo $? >"$4"' sh "$MXTALLY" \
    "$tmp/src.log" "$tmp/err" "$tmp/rc" | head -c 10 >/dev/null
rc=$(cat "$tmp/rc")
[ "$rc" -eq 141 ] && [ ! -s "$tmp/err" ] && ok || bad "SIGPIPE: status $rc, $(cat "$tmp/err")"

# 3. SIGINT while scanning: an endless input on a FIFO, so the scan is
# certainly still running when the signal comes
mkfifo "$tmp/fifo"
yes "$(head -1 "$tmp/src.log")" >"$tmp/fifo" & holder=$!
"$MXTALLY" -q -j2 -o "$tmp/rep.txt" "$tmp/fifo" 2>"$tmp/err" & pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
kill $holder 2>/dev/null
wait $holder 2>/dev/null
[ $rc -eq 130 ] && ok || bad "SIGINT: status $rc"
grep -qx 'mxtally: interrupted' "$tmp/err" && ok || bad "SIGINT message: $(cat "$tmp/err")"
[ -z "$(ls "$tmp" | grep '^rep.txt')" ] && ok || bad "SIGINT left $(ls "$tmp" | grep rep.txt)"

# 4. Spill failures. 150,000 users, 200 kept: hundreds of runs of about
# 6 KB, merged 16 at a time into runs of 100 KB and 1.6 MB, so a limit of
# 200 blocks (100 or 200 KB, by the shell's block size) stops one merge.
"$MXTALLY" -q -j2 --max-keys 200 -f json "$tmp/src.log" >"$tmp/ref.json"
[ "$(jq .totals.folded_users "$tmp/ref.json")" -gt 0 ] && ok || bad "spill: nothing folded"
TMPDIR="$tmp/none" "$MXTALLY" -j2 --max-keys 200 -f json "$tmp/src.log" \
    >"$tmp/o.json" 2>"$tmp/err"
cmp -s "$tmp/ref.json" "$tmp/o.json" && ok || bad "spill: no TMPDIR changed the report"
grep -q "cannot create a spill file in '$tmp/none'" "$tmp/err" && ok ||
    bad "spill: no TMPDIR message: $(cat "$tmp/err")"
mkdir "$tmp/spill"
(ulimit -f 200; TMPDIR="$tmp/spill" exec "$MXTALLY" -j1 --max-keys 200 \
    -f json "$tmp/src.log" >"$tmp/o.json" 2>"$tmp/err")
cmp -s "$tmp/ref.json" "$tmp/o.json" && ok || bad "spill: ulimit -f changed the report"
[ "$(grep -c "cannot write a spill file in '$tmp/spill'" "$tmp/err")" -eq 1 ] && ok ||
    bad "spill: ulimit -f message: $(cat "$tmp/err")"
[ -z "$(ls "$tmp/spill")" ] && ok || bad "spill: files left in TMPDIR"

# 5. signals while an output is written (MXTALLY_T raises the signal
# right after the temp file is made): the signal waits until the file is
# renamed, so no FILE.tmp.* stays; SIGINT/SIGTERM (handled) end with
# "interrupted" and 130/143 (after the scan they were exit 3 or 4 with
# no word), nothing recorded in --state; SIGHUP/SIGUSR1/SIGALRM (not
# handled) end the process by the signal (128 + N) after the rename
if [ -n "${MXTALLY_T:-}" ] && [ -x "$MXTALLY_T" ]; then
	mkdir "$tmp/sig"
	for s in 2 15 1 10 14; do
		MXT_TEST_SIGNAL_WRITE=$s "$MXTALLY_T" -q -f json -o "$tmp/sig/r.json" \
		    --state "$tmp/sig/st" samples/qpopper/pop.log 2>"$tmp/err"
		rc=$?
		[ $rc -eq $((128 + s)) ] && ok || bad "signal $s while writing: status $rc"
		left=$(ls "$tmp/sig" | grep '\.tmp\.')
		[ -z "$left" ] && ok || bad "signal $s left $left"
		case $s in 2|15)
			grep -qx 'mxtally: interrupted' "$tmp/err" && ok ||
			    bad "signal $s: $(cat "$tmp/err")"
			[ ! -e "$tmp/sig/st" ] && ok || bad "signal $s: state saved"
		esac
	done
else
	skip "signals while writing: no MXTALLY_T"
fi

# 6. file modes of -o, --state and --prom-file: a new file gets 0666
# less the umask (was 0644 always), an existing file keeps its mode
mkdir "$tmp/mode"
( umask 077
  "$MXTALLY" -q -f json -o "$tmp/mode/r.json" --state "$tmp/mode/st" \
      samples/qpopper/pop.log
  "$MXTALLY" alert -q --rules samples/alerts.ini --prom-file "$tmp/mode/p.prom" \
      samples/qpopper/pop.log >/dev/null )
for f in r.json st p.prom; do
	[ "$(stat -c %a "$tmp/mode/$f")" = 600 ] && ok ||
	    bad "umask 077: $f is $(stat -c %a "$tmp/mode/$f")"
done
chmod 640 "$tmp/mode/r.json" "$tmp/mode/p.prom"
( umask 022
  "$MXTALLY" -q -f json -o "$tmp/mode/r.json" samples/qpopper/pop.log
  "$MXTALLY" alert -q --rules samples/alerts.ini --prom-file "$tmp/mode/p.prom" \
      samples/qpopper/pop.log >/dev/null
  "$MXTALLY" -q -f json -o "$tmp/mode/n.json" samples/qpopper/pop.log )
for f in r.json p.prom; do
	[ "$(stat -c %a "$tmp/mode/$f")" = 640 ] && ok ||
	    bad "existing $f: mode $(stat -c %a "$tmp/mode/$f"), want 640 kept"
done
[ "$(stat -c %a "$tmp/mode/n.json")" = 644 ] && ok ||
    bad "umask 022: n.json is $(stat -c %a "$tmp/mode/n.json")"

t_end
