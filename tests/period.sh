#!/bin/sh
# Relative periods and rotated inputs, end to end (the test binary takes
# "now" from MXTALLY_NOW). TZ=Europe/Berlin, now = 2026-03-30 08:00 CEST
# (1774850400), so "yesterday" is 2026-03-29, the 23-hour day clocks
# sprang forward on. The log is rotated at 06:25 as Debian's cron.daily
# does, so yesterday lies in two rotated files, neither of them the live
# one:
#   mail.log.3.gz  27th 06:25 - 28th 06:25  one line  03-28 05:00  (u3a)
#   mail.log.2.gz  28th 06:25 - 29th 06:25  03-28 23:59:59 (u2a),
#                  03-29 00:00:00 (u2b), 03:30 (u2c, after the change),
#                  06:20 (u2d)
#   mail.log.1     29th 06:25 - 30th 06:25  03-29 06:30 (u1a),
#                  23:59:59 (u1b), 03-30 00:00:00 (u1c), 06:00 (u1d)
#   mail.log       30th 06:25 -             03-30 07:00 (u0a)
# Each line is one unknown_mailbox reject of user uNx. By hand:
#   --day yesterday: u2b u2c u2d u1a u1b = 5 events, from .2.gz and .1
#     (.3.gz was last written 28th 06:25, before the day: not read);
#   --since -2d (03-28 08:00): u2a .. u0a = 9 events, .3.gz not read;
#   --since last-week (Monday 03-23): all 10, all four files;
#   --no-rotated: mail.log alone, 0 events.
set -u
MXTALLY_T=${MXTALLY_T:-build/rel/mxtally-t}
case $MXTALLY_T in /*) ;; *) MXTALLY_T=$(pwd)/$MXTALLY_T ;; esac
. "$(dirname "$0")/lib.sh"
t_begin period
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=Europe/Berlin MXTALLY_NOW=1774850400

line() {	# STAMP USER
	printf '%s mx1 postfix/smtpd[41]: NOQUEUE: reject: RCPT from unknown[198.51.100.7]: 550 5.1.1 <%s@example.net>: Recipient address rejected: User unknown in virtual mailbox table; from=<s@bad.example> to=<%s@example.net> proto=ESMTP helo=<x>\n' "$1" "$2" "$2"
}
d=$tmp/log
mkdir "$d"
line 2026-03-28T05:00:00+01:00 u3a | gzip -n >"$d/mail.log.3.gz"
{ line 2026-03-28T23:59:59+01:00 u2a; line 2026-03-29T00:00:00+01:00 u2b
  line 2026-03-29T03:30:00+02:00 u2c; line 2026-03-29T06:20:00+02:00 u2d
} | gzip -n >"$d/mail.log.2.gz"
{ line 2026-03-29T06:30:00+02:00 u1a; line 2026-03-29T23:59:59+02:00 u1b
  line 2026-03-30T00:00:00+02:00 u1c; line 2026-03-30T06:00:00+02:00 u1d
} >"$d/mail.log.1"
line 2026-03-30T07:00:00+02:00 u0a >"$d/mail.log"
touch -d "2026-03-28 06:25:00" "$d/mail.log.3.gz"
touch -d "2026-03-29 06:25:00" "$d/mail.log.2.gz"
touch -d "2026-03-30 06:25:00" "$d/mail.log.1"
touch -d "2026-03-30 07:00:00" "$d/mail.log"

# expect NAME EVENTS "USERS" "FILES" ARGS...
expect() {
	name=$1 ev=$2 users=$3 files=$4
	shift 4
	if ! "$MXTALLY_T" -q -j1 -f json "$@" >"$tmp/out.json"; then
		bad "$name: exit status"
		return
	fi
	got=$(jq -r '.totals.events' "$tmp/out.json")
	[ "$got" = "$ev" ] && ok || bad "$name: events $got, want $ev"
	got=$(jq -r '[.users[].user] | sort | join(" ")' "$tmp/out.json")
	[ "$got" = "$users" ] && ok || bad "$name: users '$got', want '$users'"
	got=$(jq -r '[.input.files[].path | sub(".*/"; "")] | join(" ")' \
	    "$tmp/out.json")
	[ "$got" = "$files" ] && ok || bad "$name: files '$got', want '$files'"
}
y="u1a@example.net u1b@example.net u2b@example.net u2c@example.net u2d@example.net"
expect "--day yesterday" 5 "$y" "mail.log.2.gz mail.log.1 mail.log" \
    --day yesterday "$d/mail.log"
expect "--since yesterday --until today" 5 "$y" \
    "mail.log.2.gz mail.log.1 mail.log" \
    --since yesterday --until today "$d/mail.log"
expect "--day 2026-03-29" 5 "$y" "mail.log.2.gz mail.log.1 mail.log" \
    --day 2026-03-29 "$d/mail.log"
# a rotated file named too is read once
expect "--day yesterday, .1 named" 5 "$y" \
    "mail.log.2.gz mail.log mail.log.1" \
    --day yesterday "$d/mail.log" "$d/mail.log.1"
expect "--since -2d" 9 "u0a@example.net u1a@example.net u1b@example.net u1c@example.net u1d@example.net u2a@example.net $(echo "$y" | cut -d' ' -f3-)" \
    "mail.log.2.gz mail.log.1 mail.log" --since -2d "$d/mail.log"
expect "--since last-week" 10 "u0a@example.net u1a@example.net u1b@example.net u1c@example.net u1d@example.net u2a@example.net $(echo "$y" | cut -d' ' -f3-) u3a@example.net" \
    "mail.log.3.gz mail.log.2.gz mail.log.1 mail.log" \
    --since last-week "$d/mail.log"
expect "--no-rotated" 0 "" "mail.log" --day yesterday --no-rotated \
    "$d/mail.log"
# --until alone asks for no start: no rotated files added; -1h is
# 07:00 CEST, and u0a (07:00:00) is not before it
expect "--until -1h" 0 "" "mail.log" --until -1h "$d/mail.log"
expect "--until -59m" 1 "u0a@example.net" "mail.log" --until -59m \
    "$d/mail.log"

# usage errors: exit 2 and say what is wrong
"$MXTALLY_T" -q --since tomorrow "$d/mail.log" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "bad time 'tomorrow'" "$tmp/err" && ok ||
	bad "--since tomorrow not refused"
"$MXTALLY_T" -q --day yesterday --since -1h "$d/mail.log" >/dev/null \
    2>"$tmp/err"
[ $? = 2 ] && grep -q "not with --since" "$tmp/err" && ok ||
	bad "--day with --since not refused"
"$MXTALLY_T" -q --day last-week "$d/mail.log" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "bad --day 'last-week'" "$tmp/err" && ok ||
	bad "--day last-week not refused"

t_end
