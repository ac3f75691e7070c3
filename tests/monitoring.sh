#!/bin/sh
# mxtally watch against real servers: starts Prometheus (scraping watch's
# /metrics every second) and Alertmanager (receiving watch's pushes) on
# 127.0.0.1, free ports, temporary config and data directories; appends
# 3 storage errors from mx7 (rule: 2 within 10m, by host) and 2 other
# lines; then asks Prometheus' query API for the counters and
# Alertmanager's /api/v2/alerts for the alert. Every server is started
# here and stopped here, by its pid. Waits are bounded.
set -u
MXTALLY=${MXTALLY:-./mxtally}
PROM=${PROMETHEUS:-prometheus}
AM=${ALERTMANAGER:-prometheus-alertmanager}

have() { command -v "$PROM" >/dev/null && command -v "$AM" >/dev/null &&
    command -v promtool >/dev/null &&
    command -v curl >/dev/null && command -v jq >/dev/null; }
if ! have && [ "$(id -u)" = 0 ] && [ -f .ci/deps ]; then
	sh .ci/deps >/dev/null 2>&1
fi
. "$(dirname "$0")/lib.sh"
t_begin monitoring
have || t_skip_all "prometheus, prometheus-alertmanager, curl or jq missing and not installable"

tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

set -- $(python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
wport=$1 pport=$2 aport=$3

cat >"$tmp/am.yml" <<'EOF'
route:
  receiver: "null"
  group_wait: 1s
receivers:
  - name: "null"
EOF
# the shipped alerting rules, checked by promtool and loaded for real
if promtool check rules examples/prometheus-mxtally-rules.yml >"$tmp/rules.check" 2>&1; then
	ok
else
	bad "promtool check rules: $(cat "$tmp/rules.check")"
fi
cp examples/prometheus-mxtally-rules.yml "$tmp/mxtally-rules.yml"
cat >"$tmp/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["$tmp/mxtally-rules.yml"]
scrape_configs:
  - job_name: mxtally
    static_configs:
      - targets: ["127.0.0.1:$wport"]
EOF
cat >"$tmp/rules.ini" <<'EOF'
[disk]
cause     = system_storage
by        = host
threshold = 2
window    = 10m
severity  = critical
EOF

"$AM" --config.file="$tmp/am.yml" --storage.path="$tmp/am" \
    --web.listen-address="127.0.0.1:$aport" --cluster.listen-address= \
    >"$tmp/am.log" 2>&1 &
pids="$pids $!"
"$PROM" --config.file="$tmp/prom.yml" --storage.tsdb.path="$tmp/prom" \
    --web.listen-address="127.0.0.1:$pport" >"$tmp/prom.log" 2>&1 &
pids="$pids $!"
: >"$tmp/mail.log"
"$MXTALLY" watch -q --rules "$tmp/rules.ini" --listen "127.0.0.1:$wport" \
    --alertmanager "http://127.0.0.1:$aport" "$tmp/mail.log" &
wpid=$!
pids="$pids $wpid"

# until CMD succeeds, at most $1 tenths of a second
until_ok() {
	n=0 max=$1
	shift
	while [ $n -lt "$max" ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
ready() { curl -sf "$1" >/dev/null; }
until_ok 300 ready "http://127.0.0.1:$aport/-/ready" || bad "alertmanager not ready: $(tail -3 "$tmp/am.log")"
until_ok 300 ready "http://127.0.0.1:$pport/-/ready" || bad "prometheus not ready: $(tail -3 "$tmp/prom.log")"
until_ok 100 ready "http://127.0.0.1:$wport/metrics" || bad "watch not serving"

now=$(date '+%b %e %H:%M:%S')
S='postfix/smtpd[1]: NOQUEUE: reject: MAIL from a.example[192.0.2.10]: 452 4.3.1 Insufficient system storage; from=<s@a.example> proto=ESMTP helo=<a.example>'
{
	echo "$now mx7 $S"
	echo "$now mx7 postfix/qmgr[9]: 3F2A11C0A1: removed"
	echo "$now mx7 $S"
	echo "$now mx7 $S"
	echo "$now mx8 postfix/qmgr[9]: 3F2A11C0A1: removed"
} >>"$tmp/mail.log"
# one byte that is no UTF-8 in a host name: the label is made valid
# (U+00FF for \377, as the JSON report writes it), Prometheus still
# scrapes (a single bad label used to take the whole target down)
printf '%s h\377x %s\n' "$now" "$S" >>"$tmp/mail.log"

# query EXPR: the value of the first series Prometheus returns
query() {
	curl -sG "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
	    jq -r '.data.result[0].value[1] // empty'
}
prom_is() { [ "$(query "$1")" = "$2" ]; }
for q in 'mxtally_lines_total 6' \
    'up{job="mxtally"} 1' \
    'mxtally_events_by_host_total{host="hÿx",cause="system_storage"} 1' \
    'mxtally_events_total{cause="system_storage"} 4' \
    'mxtally_events_by_host_total{host="mx7",cause="system_storage"} 3' \
    'mxtally_events_by_code_total{protocol="smtp",code="452",enhanced="4.3.1"} 4' \
    'mxtally_alerts_firing{rule="disk",key="mx7"} 1'; do
	expr=${q% *} want=${q##* }
	if until_ok 200 prom_is "$expr" "$want"; then ok; else
		bad "prometheus: $expr is '$(query "$expr")', want $want"
	fi
done

am_alert() {
	curl -s "http://127.0.0.1:$aport/api/v2/alerts" |
	    jq -e '.[] | select(.labels.alertname == "disk" and
		.labels.key == "mx7" and .labels.severity == "critical" and
		.status.state == "active" and
		(.annotations.advice | length) > 0)' >/dev/null
}
if until_ok 200 am_alert; then ok; else
	bad "alertmanager has no disk/mx7 alert: $(curl -s "http://127.0.0.1:$aport/api/v2/alerts")"
fi

# the summary says for which key (it read "events for client  within")
am_summary() {
	curl -s "http://127.0.0.1:$aport/api/v2/alerts" |
	    jq -r '.[] | select(.labels.alertname == "disk" and .labels.key == "mx7") | .annotations.summary'
}
case $(am_summary) in
[23]" system_storage events for host mx7 within 10m (threshold 2)") ok ;;
*) bad "alertmanager summary: '$(am_summary)'" ;;
esac

# the exposition passes promtool's checks (names, units, _total), and
# every metric the shipped Grafana dashboard draws is served; each of its
# queries runs in Prometheus
curl -s "http://127.0.0.1:$wport/metrics" >"$tmp/scrape.prom"
if promtool check metrics <"$tmp/scrape.prom" >"$tmp/lint" 2>&1 && [ ! -s "$tmp/lint" ]; then
	ok
else
	bad "promtool check metrics: $(cat "$tmp/lint")"
fi
for m in $(jq -r '.panels[].targets[].expr' examples/grafana-mxtally.json |
    grep -o '\(mxtally\|process\)_[a-z_]*' | sort -u); do
	grep -q "^# TYPE $m " "$tmp/scrape.prom" && ok || bad "dashboard metric $m not served"
done
jq -r '.panels[].targets[].expr' examples/grafana-mxtally.json |
    sed 's/\$__rate_interval/1m/g; s/\$instance/.*/g' >"$tmp/exprs"
while IFS= read -r e; do
	st=$(curl -sG "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$e" | jq -r .status)
	[ "$st" = success ] && ok || bad "dashboard query fails: $e"
done <"$tmp/exprs"
# the alerting rules are loaded and evaluate without error
rules_ok() {
	[ "$(curl -s "http://127.0.0.1:$pport/api/v1/rules" |
	    jq '[.data.groups[].rules[] | select(.health == "ok")] | length')" = 8 ]
}
if until_ok 100 rules_ok; then ok; else
	bad "prometheus rules: $(curl -s "http://127.0.0.1:$pport/api/v1/rules" | jq -c '[.data.groups[].rules[] | [.name, .health, .lastError]]')"
fi

# SIGHUP with the same rules: the alert stays active in Alertmanager (a
# reload used to resolve every alert)
kill -HUP "$wpid"
sleep 3
if am_alert; then ok; else
	bad "alert resolved by a reload: $(curl -s "http://127.0.0.1:$aport/api/v2/alerts")"
fi

# --prom-file of `mxtally alert` with the same bad byte: valid for promtool
printf '[any]\ncause = system_storage\nby = host\nthreshold = 1\n' >"$tmp/any.ini"
"$MXTALLY" alert -q --rules "$tmp/any.ini" --prom-file "$tmp/alert.prom" \
    "$tmp/mail.log" >/dev/null
if promtool check metrics <"$tmp/alert.prom" >"$tmp/lint2" 2>&1; then ok; else
	bad "--prom-file: promtool: $(cat "$tmp/lint2")"
fi
grep -q 'key="hÿx"' "$tmp/alert.prom" && ok || bad "--prom-file: no hÿx key"

kill -TERM "$wpid"
if until_ok 50 sh -c "! kill -0 $wpid 2>/dev/null"; then ok; else bad "watch did not exit"; fi

t_end
