#!/bin/sh
# ThreadSanitizer run of the binary over samples/ and a generated log with
# -j 4 (Criterion cannot run under TSan here, see STYLE.md).
set -u
MXTALLY=${MXTALLY:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat samples/*/*.log >"$tmp/all.log"
[ -f ../shared/tools/genmail/genmail.py ] &&
	python3 ../shared/tools/genmail/genmail.py 4M -o "$tmp/all.log.g" >/dev/null 2>&1 &&
	cat "$tmp/all.log.g" >>"$tmp/all.log"
fail=0
# "-j4 --max-keys 50": every table spills runs and alert records too
printf '[a]\ncause = auth_failure\nby = user\nthreshold = 3\n' >"$tmp/r.ini"
for args in "-j4" "-j4 --no-mmap" "-j4 --max-keys 50 --rules $tmp/r.ini"; do
	# shellcheck disable=SC2086
	if ! TSAN_OPTIONS=halt_on_error=1:exitcode=66 "$MXTALLY" -q $args -f json \
	    "$tmp/all.log" >/dev/null; then
		echo "FAIL tsan $args"; fail=$((fail + 1))
	fi
	gzip -c "$tmp/all.log" | TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
	    "$MXTALLY" -q $args >/dev/null || { echo "FAIL tsan stdin $args"; fail=$((fail + 1)); }
done
# the decoding thread scanning beside the workers: the test binary's
# hook has it help whenever a chunk waits (several 8 MiB buffers)
n=6
if [ -n "${MXTALLY_T:-}" ] && [ -x "$MXTALLY_T" ]; then
	for i in 1 2 3 4 5 6; do cat "$tmp/all.log"; done | zstd -q -c >"$tmp/big.zst"
	if ! MXT_TEST_HELP=1 TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
	    "$MXTALLY_T" -q -j2 -f json "$tmp/big.zst" >/dev/null 2>"$tmp/err" ||
	    ! grep -q "scanned [1-9]" "$tmp/err"; then
		echo "FAIL tsan reading thread helping: $(cat "$tmp/err")"
		fail=$((fail + 1))
	fi
	n=7
fi
# watch: the reading thread, the HTTP thread scraping, the sender thread
# posting (to a closed port: every post fails and is retried), and two
# SIGHUP reloads while lines come in
if command -v curl >/dev/null; then
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# a cause section: each reload builds and publishes a cause registry
	# while the scrapes read the one in use
	printf '[cause.disk_alarm]\npattern = disk alarm\nmeaning = m\n[a]\ncause = system_storage\nby = host\nthreshold = 1\n' >"$tmp/w.ini"
	: >"$tmp/w.log"
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 "$MXTALLY" watch -q \
	    --rules "$tmp/w.ini" --listen "127.0.0.1:$port" \
	    --alertmanager "http://127.0.0.1:$dead" "$tmp/w.log" 2>"$tmp/werr" &
	wpid=$!
	sleep 2
	for i in 1 2 3 4 5 6; do
		head -200 "$tmp/all.log" >>"$tmp/w.log"
		echo "Nov 21 10:00:0$i mx$i postfix/smtpd[1]: NOQUEUE: reject: MAIL from a[192.0.2.1]: 452 4.3.1 Insufficient system storage; from=<a@b> proto=ESMTP helo=<a>" >>"$tmp/w.log"
		curl -s "http://127.0.0.1:$port/metrics" >/dev/null &
		curl -s "http://127.0.0.1:$port/metrics" >/dev/null
		[ $i = 2 ] || [ $i = 4 ] && kill -HUP "$wpid"
		sleep 0.5
	done
	kill -TERM "$wpid"
	wait "$wpid"
	rc=$?
	if [ $rc -ne 0 ] || grep -q ThreadSanitizer "$tmp/werr"; then
		echo "FAIL tsan watch (exit $rc): $(head -20 "$tmp/werr")"
		fail=$((fail + 1))
	fi
	n=$((n + 1))
fi
echo "tsan: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
