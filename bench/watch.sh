#!/bin/sh
# Watch-mode throughput: generates a mail log with bench/mxgen, cuts it to
# LINES lines (default 1 million), starts `mxtally watch` on an empty
# file, appends the lines in one go and measures the time until /metrics
# shows mxtally_lines_total = LINES. Prints lines, seconds and lines/s.
# A benchmark, not a test: the figure depends on the machine and load.
set -u
MXTALLY=${MXTALLY:-./mxtally}
LINES=${LINES:-1000000}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

cc -O2 -o "$tmp/mxgen" bench/mxgen.c -lm || exit 1
# about 150 bytes a line: ask for enough and cut at LINES
"$tmp/mxgen" $((LINES * 200)) | head -n "$LINES" >"$tmp/input.log"
have=$(wc -l <"$tmp/input.log" | tr -d ' ')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
: >"$tmp/mail.log"
"$MXTALLY" watch -q --rules samples/alerts.ini --listen "127.0.0.1:$port" \
    "$tmp/mail.log" &
pid=$!
n=0
until curl -sf "http://127.0.0.1:$port/metrics" >/dev/null; do
	sleep 0.1; n=$((n + 1)); [ $n -gt 100 ] && { echo "watch did not start"; exit 1; }
done
start=$(date +%s.%N)
cat "$tmp/input.log" >>"$tmp/mail.log"
while :; do
	got=$(curl -s "http://127.0.0.1:$port/metrics" |
	    awk '$1 == "mxtally_lines_total" { print $2 }')
	[ "$got" = "$have" ] && break
	sleep 0.05
done
end=$(date +%s.%N)
awk -v n="$have" -v a="$start" -v b="$end" -v by="$(wc -c <"$tmp/input.log")" 'BEGIN {
	s = b - a
	printf "watch: %d lines (%.0f MB) appended, visible in /metrics after %.2f s: %.0f lines/s\n", n, by / 1e6, s, n / s
}'
