#!/bin/sh
# Traffic totals agree with pflogsumm's "Grand Totals" on the same
# Postfix log (interface.md: traffic follows pflogsumm's definitions).
# Runs both on the Postfix corpus samples (../shared/corpus) and on a
# bench/mxgen log, and compares each total after formatting mxtally's
# number the way pflogsumm prints it (over 512k: "NNNk", over 512m:
# "NNNm"). A difference fails unless tests/pflogsumm-diff.tsv lists it
# (file, total, pflogsumm, mxtally), each row explained in
# tests/pflogsumm-diff.md.
#
# Environment: MXTALLY (binary), PFLOGSUMM (default pflogsumm),
# MXGEN_SIZE (default 8M).
set -u
MXTALLY=${MXTALLY:-./mxtally}
PFLOGSUMM=${PFLOGSUMM:-pflogsumm}
MXGEN_SIZE=${MXGEN_SIZE:-8M}
here=$(cd "$(dirname "$0")" && pwd)
allow=$here/pflogsumm-diff.tsv
corpus=$here/../../shared/corpus
[ -d "$corpus" ] || corpus=$here/../shared/corpus

. "$here/lib.sh"
t_begin pflogsumm
command -v "$PFLOGSUMM" >/dev/null 2>&1 ||
	t_skip_all "no pflogsumm (sh .ci/deps)"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# pflogsumm's adj_int_units: "%d" of v, v/1024 "k" or v/1048576 "m"
units() {
	awk -v v="$1" 'BEGIN {
		if (v > 536870912) printf "%dm\n", v / 1048576
		else if (v > 524288) printf "%dk\n", v / 1024
		else printf "%d\n", v }'
}

# pflogsumm's Grand Totals as "name value" lines
pfl_totals() {
	"$PFLOGSUMM" "$@" 2>/dev/null | awk '
	/^Grand Totals/ { on = 1; next }
	on && /recipient hosts\/domains/ { print "recipient_domains", $1; exit }
	on && /^ *[0-9]/ {
		v = $1
		if ($2 == "received") print "received", v
		else if ($2 == "delivered") print "delivered", v
		else if ($2 == "forwarded") print "forwarded", v
		else if ($2 == "deferred") {
			print "deferred", v
			d = 0
			if (index($0, " deferrals)")) {
				d = $0
				sub(/.*\(/, "", d)
				sub(/ .*/, "", d)
			}
			print "deferrals", d
		}
		else if ($2 == "bounced") print "bounced", v
		else if ($2 == "rejected") {
			print "rejected", v
			p = $3; gsub(/[()%]/, "", p); print "rejected_pct", p
		}
		else if ($2 == "reject") print "reject_warnings", v
		else if ($2 == "held") print "held", v
		else if ($2 == "discarded") print "discarded", v
		else if ($2 == "bytes" && $3 == "received") print "bytes_received", v
		else if ($2 == "bytes" && $3 == "delivered") print "bytes_delivered", v
		else if ($2 == "senders") print "senders", v
		else if ($2 == "sending") print "sender_domains", v
		else if ($2 == "recipients") print "recipients", v
	}'
}

# mxtally's totals, formatted as pflogsumm prints them. Two corpus logs
# are also sendmail's, whose traffic mxtally counts and pflogsumm does
# not read: its lines are left out, so that Postfix's totals compare.
mxt_totals() {
	grep -vE ' (sendmail|sm-mta|sm-msp-queue)\[[0-9]+\]: ' "$1" \
	    >"$tmp/postfix-only.log"
	touch -r "$1" "$tmp/postfix-only.log"	# the year from its mtime
	"$MXTALLY" -q -j 2 -f json "$tmp/postfix-only.log" | jq -r '.traffic |
	    [ "received", "delivered", "forwarded", "deferred", "deferrals",
	      "bounced", "rejected", "reject_warnings", "held", "discarded",
	      "bytes_received", "bytes_delivered", "senders",
	      "sender_domains", "recipients", "recipient_domains" ] as $k |
	    ($k[] as $n | "\($n) \(.[$n])"),
	    "rejected_pct \((.delivered + .rejected + .discarded) as $t |
		if $t == 0 then 0 else (.rejected * 100 / $t | floor) end)"' |
	while read -r name v; do
		echo "$name $(units "$v")"
	done
}

compare() {
	label=$1
	shift
	pfl_totals "$@" > "$tmp/p" || { bad "$label: pflogsumm"; return; }
	mxt_totals "$@" > "$tmp/m" || { bad "$label: mxtally"; return; }
	[ -s "$tmp/p" ] || { bad "$label: no Grand Totals from pflogsumm"; return; }
	while read -r name pv; do
		mv=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/m")
		if [ "$pv" = "$mv" ]; then ok; continue; fi
		if awk -F '\t' -v f="$label" -v n="$name" -v p="$pv" -v m="$mv" \
		    '$1 == f && $2 == n && $3 == p && $4 == m { ok = 1 }
		    END { exit !ok }' "$allow" 2>/dev/null; then
			echo "known $label: $name pflogsumm $pv mxtally $mv"
			ok
			continue
		fi
		bad "$label: $name pflogsumm $pv mxtally $mv" \
		    "(not in tests/pflogsumm-diff.tsv)"
	done < "$tmp/p"
}

if [ -d "$corpus" ]; then
	for f in postfix-maillog-dump/maillog postfix-maillog-dump/mailog2 \
	    kdent-postfix_log_analysis/mail.log \
	    kdent-postfix_log_analysis/mail2.log \
	    kdent-postfix_log_analysis/mail3.log gomaillex/maillog \
	    digineo-postfix_exporter/mail.log \
	    lightmeter/complete_logs_sample/mail.log \
	    lightmeter/complete_logs_sample/mail.log.1; do
		[ -f "$corpus/$f" ] && compare "$f" "$corpus/$f"
	done
	for f in "$corpus"/lightmeter/individual_files/*.log; do
		compare "lightmeter/$(basename "$f")" "$f"
	done
else
	skip "corpus: no ../shared"
fi

if cc -O2 -o "$tmp/mxgen" "$here/../bench/mxgen.c" -lm 2>/dev/null; then
	"$tmp/mxgen" -s 7 "$MXGEN_SIZE" > "$tmp/gen.log"
	compare "mxgen-$MXGEN_SIZE" "$tmp/gen.log"
else
	bad "cannot build bench/mxgen.c"
fi

t_end
