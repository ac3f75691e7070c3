# Sourced by tests/trend.sh and tests/history_pg.sh: trend_logs DIR
# writes the hand-made nightly logs of the trend scenario into
# DIR/dec01.log, dec03.log, dec04.log, dec06.log and dec07.log (no log
# for Dec 5: that night's run is missing). Every error line is one
# event; the counts per day, host and user are in the table at the
# bottom, and tests/trend.sh derives its expectations from them.
tl_n=0
tl_rep() {	# tl_rep N FORMAT ARGS...: N lines, %d in FORMAT = a unique id
	tl_i=0
	tl_count=$1
	shift
	while [ "$tl_i" -lt "$tl_count" ]; do
		tl_i=$((tl_i + 1))
		tl_n=$((tl_n + 1))
		# shellcheck disable=SC2059
		printf "$@" "$tl_i" "$tl_n"
	done
}
# one line each: the day's first and last line (no error)
tl_open() { echo "$1 00:00:05 mx9 postfix/qmgr[900]: 3F2A11C0A1: removed"; }
tl_close() { echo "$1 23:59:00 mx9 postfix/qmgr[900]: 3F2A11C0A2: removed"; }
# sys DAY HOUR HOST N: N "452 4.3.1" rejects by HOST (system_storage;
# the sender news@example.org is the event's user)
tl_sys() {
	tl_rep "$4" "$1 $2:%02d:00 $3 postfix/smtpd[%d]: NOQUEUE: reject: MAIL from mail.example.org[192.0.2.10]: 452 4.3.1 Insufficient system storage; from=<news@example.org> proto=ESMTP helo=<mail.example.org>\n"
}
# quota DAY USER N: N Dovecot LMTP quota refusals on store1
tl_quota() {
	tl_rep "$3" "$1 03:%02d:00 store1 dovecot: lmtp($2)<%d>: save failed to INBOX: Quota exceeded (mailbox for user is full)\n"
}
# dele DAY N: N qpopper "deleted messages not removed" on store1 (erin)
tl_dele() {
	tl_rep "$2" "$1 07:%02d:00 store1 popper[%d]: erin at 192.0.2.33 (192.0.2.33): -ERR some deleted messages not removed [pop_updt.c:512]\n"
}
# auth DAY N: N SASL login failures on smtp1 (dave@, auth_failure)
tl_auth() {
	tl_rep "$2" "$1 12:%02d:00 smtp1 postfix/submission/smtpd[%d]: warning: unknown[198.51.100.200]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=dave@example.net\n"
}

# space DAY TIME HOST BYTES: Postfix's free-space warning (BYTES free in
# the mail queue, no event) and its 452 reject (one system_storage event)
tl_space() {
	echo "$1 $2 $3 postfix/smtpd[77]: warning: not enough free space in mail queue: $4 bytes < 1.5*message size limit"
	echo "$1 $2 $3 postfix/smtpd[77]: NOQUEUE: reject: MAIL from mail.example.org[192.0.2.10]: 452 4.3.1 Insufficient system storage; from=<news@example.org> proto=ESMTP helo=<mail.example.org>"
}
M=1048576	# a MiB

#            Dec 1 | Dec 3  Dec 4  (5)  Dec 6  Dec 7
# mx1 sys      3   |   1      2     -     3      4
# mx2 sys      -   |   5      5     -     6      6
# mx3 sys      -   |   3      2     -     1      0
# alice quota  -   |   2      2     -     3      3
# bob quota    -   |   0      0     -     0      1
# carol quota  -   |   1      1     -     0      0
# erin dele    -   |   0      0     -     0      1   (on store1)
# dave auth    -   |   0      1     -     2      3   (on smtp1)
# mx4 sys      -   |   2      2     -     2      2   (each a free-space line)
# mx5 sys      -   |   0      0     -     0      2   (each a free-space line)
# mx4 queue free (MiB), 13:00 then 14:00:
#                  | 950,900 750,800  -  650,600 550,500
# mx5 queue free (MiB): Dec 7 09:00 400, 12:00 250
trend_logs() {
	d="Dec  1"
	{ tl_open "$d"; tl_sys "$d" 09 mx1 3; tl_close "$d"; } >"$1/dec01.log"
	d="Dec  3"
	{ tl_open "$d"; tl_quota "$d" alice@example.net 2
	  tl_quota "$d" carol@example.net 1; tl_sys "$d" 09 mx1 1
	  tl_sys "$d" 10 mx2 5; tl_sys "$d" 11 mx3 3
	  tl_space "$d" 13:00:00 mx4 $((950 * M))
	  tl_space "$d" 14:00:00 mx4 $((900 * M)); tl_close "$d"
	} >"$1/dec03.log"
	d="Dec  4"
	{ tl_open "$d"; tl_quota "$d" alice@example.net 2
	  tl_quota "$d" carol@example.net 1; tl_sys "$d" 09 mx1 2
	  tl_sys "$d" 10 mx2 5; tl_sys "$d" 11 mx3 2; tl_auth "$d" 1
	  tl_space "$d" 13:00:00 mx4 $((750 * M))
	  tl_space "$d" 14:00:00 mx4 $((800 * M)); tl_close "$d"
	} >"$1/dec04.log"
	d="Dec  6"
	{ tl_open "$d"; tl_quota "$d" alice@example.net 3
	  tl_sys "$d" 09 mx1 3; tl_sys "$d" 10 mx2 6; tl_sys "$d" 11 mx3 1
	  tl_auth "$d" 2; tl_space "$d" 13:00:00 mx4 $((650 * M))
	  tl_space "$d" 14:00:00 mx4 $((600 * M)); tl_close "$d"
	} >"$1/dec06.log"
	d="Dec  7"
	{ tl_open "$d"; tl_quota "$d" alice@example.net 3
	  tl_quota "$d" bob@example.net 1; tl_dele "$d" 1
	  tl_sys "$d" 09 mx1 4; tl_sys "$d" 10 mx2 6; tl_auth "$d" 3
	  tl_space "$d" 09:00:00 mx5 $((400 * M))
	  tl_space "$d" 12:00:00 mx5 $((250 * M))
	  tl_space "$d" 13:00:00 mx4 $((550 * M))
	  tl_space "$d" 14:00:00 mx4 $((500 * M)); tl_close "$d"
	} >"$1/dec07.log"
}
