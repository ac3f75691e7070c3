#!/bin/sh
# Cross-check against ../shared/tools/genmail, an independent generator
# with a ground-truth file. genmail counts lines per "kind"; mxtally counts
# replies per cause (causes.md rule 2). The mapping below follows from that
# rule and is documented in README.md ("Counting"):
#  - a Dovecot login line "auth failed, N attempts" counts N and the
#    auth-worker lines are not counted again, so genmail's per-attempt
#    auth-worker lines equal our count: Password mismatch -> auth_failure,
#    unknown user -> unknown_mailbox (joined by session id);
#  - genmail's policy kinds (relay, rbl, helo, sender, greylist, client
#    DNS, remote spam/greylist) are all policy_rejection here;
#  - network and timeout kinds are service_unavailable;
#  - genmail's Postfix lmtp quota lines (lmtp_quota) each log the refusal
#    of a Dovecot LMTP quota line (dovecot_lmtp_quota: same user, a few
#    seconds before, as the two kinds' equal line counts and top users
#    show): one failure, one event, so they count through the Dovecot
#    line and every one of them is joined (totals.join_paired).
# Per-cause totals must agree exactly, and the top users of the causes
# whose kinds are the same on both sides (lock, quota, storage) too.
set -u
MXTALLY=${MXTALLY:-./mxtally}
gen=../shared/tools/genmail/genmail.py
. "$(dirname "$0")/lib.sh"
t_begin genmail
[ -f "$gen" ] || t_skip_all "no ../shared"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$gen" 16M --seed 7 -o "$tmp/g.log" --truth "$tmp/t.json" >/dev/null 2>&1 ||
	t_die "genmail did not run"
"$MXTALLY" -q -j2 -f json --year 2026 "$tmp/g.log" >"$tmp/r.json" ||
	t_die "mxtally exit $?"
want() {	# cause, jq sum of genmail kinds
	w=$(jq "[.kinds | $2] | add // 0" "$tmp/t.json")
	g=$(jq ".causes.$1.events // 0" "$tmp/r.json")
	if [ "$w" -eq "$g" ]; then pass=$((pass + 1)); else
		echo "FAIL $1: genmail $w, mxtally $g"; fail=$((fail + 1)); fi
}
want lock_contention '.dovecot_pop3_lock.lines, .qpopper_lock.lines'
# causes.md: a login naming no user is an auth_failure (unknown_user)
want auth_failure '.dovecot_auth_password_mismatch.lines, .dovecot_auth_unknown_user.lines, .qpopper_auth.lines, .smtpd_sasl_auth_failed.lines'
want unknown_mailbox '.smtpd_reject_user_unknown.lines, .smtp_remote_user_unknown.lines'
w=$(jq '.kinds.dovecot_auth_unknown_user.lines' "$tmp/t.json")
g=$(jq '[.causes.auth_failure.detail[]? | select(.[0] == "unknown_user") | .[1]] | add // 0' "$tmp/r.json")
if [ "$w" -gt 0 ] && [ "$w" -eq "$g" ]; then pass=$((pass + 1)); else
	echo "FAIL auth_failure unknown_user: genmail $w, mxtally $g"; fail=$((fail + 1)); fi
want quota_exceeded '.dovecot_lmtp_quota.lines, .qpopper_quota.lines, .virtual_quota.lines, .local_mailbox_full.lines, .smtp_remote_mailbox_full.lines'
w=$(jq '.kinds.lmtp_quota.lines' "$tmp/t.json")
g=$(jq '.totals.join_paired' "$tmp/r.json")
if [ "$w" -gt 0 ] && [ "$w" -eq "$g" ]; then pass=$((pass + 1)); else
	echo "FAIL joined lmtp quota lines: genmail $w, mxtally $g"; fail=$((fail + 1)); fi
want system_storage '.smtpd_reject_storage.lines, .smtp_remote_storage.lines'
want policy_rejection '.smtpd_reject_relay.lines, .smtpd_reject_rbl.lines, .postscreen_reject_rbl.lines, .smtpd_reject_helo.lines, .smtpd_reject_sender_domain.lines, .smtpd_reject_greylist.lines, .smtpd_reject_unknown_client.lines, .smtp_remote_spam.lines, .smtp_remote_greylist.lines'
want rate_limited '.smtp_remote_ratelimit.lines'
want service_unavailable '.smtp_connect_failed.lines, .qpopper_io.lines, .qpopper_timeout.lines'
want dns_failure '.smtp_dns_failed.lines'
# nothing the generator writes is left unclassified
want unclassified 'empty'
# genmail's quota users count both lines of a joined pair; without the
# Postfix lines the same users must come out as with them
grep -v 'postfix/lmtp.*Quota exceeded' "$tmp/g.log" >"$tmp/nolmtp.log"
"$MXTALLY" -q -j2 -f json --year 2026 "$tmp/nolmtp.log" >"$tmp/n.json" ||
	t_die "mxtally exit $?"
a=$(jq -c '.causes.quota_exceeded.top_users' "$tmp/n.json")
b=$(jq -c '.causes.quota_exceeded.top_users' "$tmp/r.json")
if [ "$a" = "$b" ] && [ "$(jq '.totals.join_paired' "$tmp/n.json")" -eq 0 ]
then pass=$((pass + 1)); else
	echo "FAIL top users quota_exceeded with and without the lmtp lines:"
	echo "  without $a"; echo "  with    $b"; fail=$((fail + 1)); fi
for pair in lock:lock_contention storage:system_storage; do
	g=${pair%%:*} m=${pair#*:}
	a=$(jq -c ".causes.$g.top_users[:10]" "$tmp/t.json")
	b=$(jq -c ".causes.$m.top_users[:10]" "$tmp/r.json")
	if [ "$a" = "$b" ]; then pass=$((pass + 1)); else
		echo "FAIL top users $m:"; echo "  genmail $a"; echo "  mxtally $b"; fail=$((fail + 1)); fi
done
t_end
