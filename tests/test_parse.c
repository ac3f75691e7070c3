/*
 * Unit tests of the parse stage: timestamps, the line header, the reply
 * reader and each family parser on real-shaped lines.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/parse.h"
#include "parse_util.h"

Test(parse_time, rfc3164, .timeout = 5)
{
	struct timectx	 tc;
	int64_t		 t;

	timectx_init(&tc, 0, 2026);
	cr_assert_eq(time_parse(S("Nov 21 03:14:15 host x"), &tc, &t), 15);
	cr_assert_eq(t, time_days(2026, 11, 21) * 86400 + 3 * 3600 + 14 * 60 + 15);
	cr_assert_eq(time_parse(S("Nov  1 00:00:00 host"), &tc, &t), 15);
	cr_assert_eq(t, time_days(2026, 11, 1) * 86400);
	cr_assert_eq(time_parse(S("Now 21 03:14:15 host"), &tc, &t), 0);
	cr_assert_eq(time_parse(S("Nov 21 25:14:15 host"), &tc, &t), 0);
}

Test(parse_time, december_in_january_file, .timeout = 5)
{
	struct timectx	 tc;
	int64_t		 t;

	/* a file last written on 2027-01-02: December lines are 2026's */
	timectx_init(&tc, (time_days(2027, 1, 2) * 86400) + 43200, 0);
	cr_assert_eq(tc.year, 2027);
	cr_assert_eq(time_parse(S("Dec 31 23:59:59 h"), &tc, &t), 15);
	cr_assert_eq(t, time_days(2026, 12, 31) * 86400 + 86399);
	cr_assert_eq(time_parse(S("Jan  1 00:00:01 h"), &tc, &t), 15);
	cr_assert_eq(t, time_days(2027, 1, 1) * 86400 + 1);
}

Test(parse_time, iso_and_exim, .timeout = 5)
{
	struct timectx	 tc;
	int64_t		 t, want = time_days(2026, 11, 21) * 86400 + 14 * 3600;

	timectx_init(&tc, 0, 2026);
	cr_assert_eq(time_parse(S("2026-11-21T14:00:00.123456+01:00 h"), &tc, &t), 32);
	cr_assert_eq(t, want);
	cr_assert_eq(time_parse(S("2026-11-21T14:00:00Z h"), &tc, &t), 20);
	cr_assert_eq(time_parse(S("2026-11-21 14:00:00 1abc"), &tc, &t), 19);
	cr_assert_eq(t, want);
	cr_assert_eq(time_days(1970, 1, 1), 0);
	cr_assert_eq(time_days(2000, 3, 1), 11017);
}

Test(parse_header, syslog, .timeout = 5)
{
	struct timectx	 tc;
	struct logline	 ll;

	timectx_init(&tc, 0, 2026);
	cr_assert_eq(parse_header(S("Nov 21 03:14:15 mx1 postfix/smtpd[42]: hello world"), &tc, NULL, &ll), 0);
	cr_assert(eq(ll.host, "mx1"));
	cr_assert(eq(ll.program, "postfix/smtpd"));
	cr_assert(eq(ll.msg, "hello world"));
	cr_assert_eq(parse_header(S("Nov 21 03:14:15 st1 dovecot: imap-login: x"), &tc, NULL, &ll), 0);
	cr_assert(eq(ll.program, "dovecot"));
	cr_assert(eq(ll.msg, "imap-login: x"));
	cr_assert_eq(parse_header(S("garbage without time"), &tc, NULL, &ll), -1);
	cr_assert_eq(ll.t, T_NONE);
	cr_assert(eq(ll.msg, "garbage without time"));
}

Test(parse_reply, pop3_imap_smtp, .timeout = 5)
{
	struct event	 ev;

	event_reset(&ev);
	cr_assert_eq(parse_reply(S("-ERR [IN-USE] Mailbox Locked"), &ev), 1);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert_str_eq(ev.resp, "IN-USE");
	cr_assert(eq(ev.text, "Mailbox Locked"));
	event_reset(&ev);
	cr_assert_eq(parse_reply(S("a001 NO [OVERQUOTA] Quota exceeded"), &ev), 1);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_str_eq(ev.resp, "OVERQUOTA");
	event_reset(&ev);
	cr_assert_eq(parse_reply(S("552 5.2.2 Mailbox full"), &ev), 1);
	cr_assert_str_eq(ev.code, "552");
	cr_assert_str_eq(ev.enh, "5.2.2");
	cr_assert(eq(ev.text, "Mailbox full"));
	event_reset(&ev);
	cr_assert_eq(parse_reply(S("250 2.0.0 Ok"), &ev), 0);
	cr_assert_eq(parse_reply(S("+OK ready"), &ev), 0);
}

/* "tag NO" at the very end of the line: no byte past it is read (ASan) */
Test(parse_reply, tag_at_end_of_buffer, .timeout = 5)
{
	struct event	 ev;
	char		*b = malloc(4), *c = malloc(5);

	memcpy(b, "a NO", 4);
	memcpy(c, "a BAD", 5);
	event_reset(&ev);
	cr_assert_eq(parse_reply((struct slice){ b, 4 }, &ev), 0);
	cr_assert_eq(parse_reply((struct slice){ c, 5 }, &ev), 0);
	free(b);
	free(c);
}

/* a missing field arrives as SLICE_NULL (found by fuzz_parse) */
Test(parse_reply, null_slice, .timeout = 5)
{
	struct event	 ev;

	event_reset(&ev);
	cr_assert_eq(parse_reply(SLICE_NULL, &ev), 0);
	/* OpenSMTPD line whose result= is misspelt: no reply to read */
	cr_assert_eq(line("Nov 21 10:00:03 mx smtpd[811]: 38dd06274cde1fd7 "
	    "smtp failed-command command=\"DATA\" resuly=\"503 5.5.1 "
	    "Invalid command: No recipient specified\"", &ev), 0);
}

Test(parse_postfix, noqueue_rcpt_reject, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 09:05:10 mx1 postfix/smtpd[4101]: NOQUEUE: reject: RCPT from unknown[198.51.100.7]: 550 5.1.1 <zed@example.net>: Recipient address rejected: User unknown in virtual mailbox table; from=<spam@bad.example> to=<zed@example.net> proto=ESMTP helo=<WIN-1>", &ev), 1);
	cr_assert_str_eq(ev.code, "550");
	cr_assert_str_eq(ev.enh, "5.1.1");
	cr_assert(eq(ev.user, "zed@example.net"));
	cr_assert(eq(ev.client, "198.51.100.7"));
	cr_assert(eq(ev.host, "mx1"));
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert(eq(ev.text, "<zed@example.net>: Recipient address rejected: User unknown in virtual mailbox table"));
}

Test(parse_postfix, mail_stage_uses_sender, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:02:00 mx2 postfix/smtpd[5001]: NOQUEUE: reject: MAIL from m.example.org[192.0.2.10]: 452 4.3.1 Insufficient system storage; from=<s@example.org> proto=ESMTP helo=<m>", &ev), 1);
	cr_assert(eq(ev.user, "s@example.org"));
	cr_assert_str_eq(ev.code, "452");
}

Test(parse_postfix, postscreen, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 09:10:00 mx1 postfix/postscreen[901]: NOQUEUE: reject: RCPT from [203.0.113.45]:51544: 550 5.7.1 Service unavailable; client [203.0.113.45] blocked using bl.spamcop.net; from=<q@r.example>, to=<carol@example.net>, proto=ESMTP, helo=<x>", &ev), 1);
	cr_assert(eq(ev.client, "203.0.113.45"));
	cr_assert(eq(ev.user, "carol@example.net"));
	cr_assert_str_eq(ev.code, "550");
}

Test(parse_postfix, deferred_remote_reply, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 11:20:00 mx1 postfix/lmtp[4200]: 8B1C21C0B2: to=<alice@example.net>, relay=store1[10.0.0.11]:24, delay=0.9, delays=0.8/0/0/0.1, dsn=4.2.2, status=deferred (host store1[10.0.0.11] said: 452 4.2.2 <alice@example.net> Quota exceeded (mailbox for user is full) (in reply to end of DATA command))", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_LMTP);
	/* our own LMTP store refused it: local, no remote */
	cr_assert_eq(ev.dir, DIR_LOCAL);
	cr_assert_eq(ev.remote.len, 0);
	cr_assert_str_eq(ev.code, "452");
	cr_assert_str_eq(ev.enh, "4.2.2");
	cr_assert(eq(ev.user, "alice@example.net"));
}

Test(parse_postfix, bounce_outbound_remote, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 11:21:00 mx1 postfix/smtp[4201]: 9C1D21C0B3: to=<bob@far.example>, relay=mx2.far.example[198.51.100.25]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.7.1, status=bounced (host mx2.far.example[198.51.100.25] said: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using b.barracudacentral.org (in reply to RCPT TO command))", &ev), 1);
	cr_assert_eq(ev.dir, DIR_FROM_REMOTE);
	cr_assert(eq(ev.remote, "mx2.far.example"));
	cr_assert_eq(ev.client.len, 0);
	cr_assert_str_eq(ev.code, "554");
	/* a connection that never got a reply is still outbound */
	cr_assert_eq(line("Nov 21 11:22:00 mx1 postfix/smtp[4202]: 9C1D21C0B4: to=<c@slow.example>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.slow.example[203.0.113.9]:25: Connection timed out)", &ev), 1);
	cr_assert_eq(ev.dir, DIR_FROM_REMOTE);
	cr_assert(eq(ev.remote, "mx.slow.example"));
	cr_assert(eq(ev.user, "c@slow.example"));
}

Test(parse_postfix, client_reverse_name, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 09:11:00 mx1 postfix/smtpd[902]: NOQUEUE: reject: RCPT from mail.spam.example[203.0.113.46]: 554 5.7.1 Service unavailable; Client host [203.0.113.46] blocked using zen.spamhaus.org; from=<q@r.example> to=<dave@example.net> proto=ESMTP helo=<x>", &ev), 1);
	cr_assert(eq(ev.client, "203.0.113.46"));
	cr_assert(eq(ev.cname, "mail.spam.example"));
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	cr_assert_eq(line("Nov 21 09:12:00 mx1 postfix/smtpd[902]: NOQUEUE: reject: RCPT from unknown[2001:db8::7]: 550 5.1.1 <x@example.net>: Recipient address rejected: User unknown; from=<q@r.example> to=<x@example.net> proto=ESMTP helo=<x>", &ev), 1);
	cr_assert(eq(ev.client, "2001:db8::7"));
	cr_assert_eq(ev.cname.len, 0);
	cr_assert_eq(line("Nov 21 09:13:00 mx1 postfix/smtpd[902]: warning: dsl.example[198.51.100.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=eve", &ev), 1);
	cr_assert(eq(ev.client, "198.51.100.9"));
	cr_assert(eq(ev.cname, "dsl.example"));
}

Test(parse_postfix, bounced_without_reply, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 11:31:00 smtp1 postfix/smtp[6102]: BE4F51C0E5: to=<g@nx.example>, relay=none, delay=0.5, delays=0.1/0/0.4/0, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=nx.example type=MX: Host not found)", &ev), 1);
	cr_assert_str_eq(ev.code, "");
	cr_assert_str_eq(ev.enh, "5.4.4");
	cr_assert(eq(ev.text, "Host or domain name not found. Name service error for name=nx.example type=MX: Host not found"));
}

Test(parse_postfix, sent_and_sasl, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 09:00:03 mx1 postfix/lmtp[4103]: 3F2A11C0A1: to=<a@example.net>, relay=s[10.0.0.11]:24, delay=1.2, delays=0.1/0/0.1/1, dsn=2.0.0, status=sent (250 2.0.0 Saved)", &ev), 0);
	cr_assert_eq(line("Nov 21 10:15:00 smtp1 postfix/submission/smtpd[6001]: warning: unknown[198.51.100.200]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=dave@example.net", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);
	cr_assert(eq(ev.user, "dave@example.net"));
	cr_assert(eq(ev.client, "198.51.100.200"));
	cr_assert_str_eq(ev.code, "535");
	cr_assert_eq(line("Nov 21 10:02:00 mx2 postfix/smtpd[5001]: warning: not enough free space in mail queue: 10485760 bytes < 1.5*message size limit", &ev), 0);
}

Test(parse_dovecot, login_auth_failed_counts_attempts, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 08:01:05 store1 dovecot: pop3-login: Disconnected: Connection closed (auth failed, 3 attempts in 5 secs): user=<bob@example.net>, method=PLAIN, rip=192.0.2.22, lip=10.0.0.11, TLS, session=<bbbb0001>", &ev), 1);
	cr_assert_eq(ev.count, 3);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert(eq(ev.user, "bob@example.net"));
	cr_assert(eq(ev.client, "192.0.2.22"));
	cr_assert(eq(ev.session, "bbbb0001"));
	cr_assert(ev.flags & EV_JOIN);
	cr_assert_str_eq(ev.resp, "AUTH");
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);
}

Test(parse_dovecot, auth_verdict_unknown_user, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 08:02:00 store1 dovecot: auth-worker(2001): conn unix:auth-worker (pid=2000,uid=97): auth-worker<3>: sql(admin,203.0.113.66,<cc/+01>): unknown user", &ev), 1);
	cr_assert(ev.flags & EV_AUTH_UNKNOWN);
	cr_assert(eq(ev.session, "cc/+01"));
	cr_assert(eq(ev.user, "admin"));
	cr_assert_eq(line("Nov 21 08:01:00 store1 dovecot: auth-worker(2001): conn unix:auth-worker (pid=2000,uid=97): auth-worker<1>: sql(bob@example.net,192.0.2.22,<bbbb0001>): Password mismatch", &ev), 0);
	cr_assert_eq(line("Nov 21 08:03:13 store1 dovecot: imap-login: Disconnected: Connection closed (no auth attempts in 0 secs): user=<>, rip=203.0.113.70, session=<d>", &ev), 0);
}

Test(parse_dovecot, lock_quota_space, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 08:10:00 store2 dovecot: pop3(carol@example.net)<3100><e1>: Disconnected: Couldn't lock POP3 session top=0/0, retr=0/0, del=0/0, size=0", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_LOCK_CONTENTION);
	cr_assert(eq(ev.user, "carol@example.net"));
	cr_assert_str_eq(ev.resp, "IN-USE");
	cr_assert_eq(line("Nov 21 09:30:00 store1 dovecot: lmtp(alice@example.net)<3200><f1>: msgid=<m1@example.org>: save failed to INBOX: Quota exceeded (mailbox for user is full)", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_QUOTA_EXCEEDED);
	cr_assert_eq(ev.proto, PROTO_LMTP);
	cr_assert_eq(line("Nov 21 09:45:00 store2 dovecot: imap(dave@example.net)<3300><g1>: Error: write(/var/mail/x) failed: No space left on device", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_SYSTEM_STORAGE);
	cr_assert_eq(ev.proto, PROTO_IMAP);
}

Test(parse_qpopper, err_reply, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 07:01:00 pop-legacy popper[7002]: alice at home.example (192.0.2.31): -ERR [IN-USE] /var/spool/mail/.alice.pop lock busy!  Is another session active? (11) [pop_dropcopy.c:1111]", &ev), 1);
	cr_assert(eq(ev.user, "alice"));
	cr_assert(eq(ev.client, "192.0.2.31"));
	cr_assert_str_eq(ev.resp, "IN-USE");
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert_eq(line("Nov 21 07:06:00 pop-legacy popper[7008]: (null) at 192.0.2.35 (192.0.2.35): -ERR POP EOF or I/O Error [popper.c:840]", &ev), 1);
	cr_assert_eq(ev.user.len, 0);
	cr_assert_eq(line("Nov 21 07:00:00 pop-legacy popper[7001]: Stats: alice 2 4096 0 0 192.0.2.31 192.0.2.31 [pop_updt.c:298]", &ev), 0);
}

Test(parse_generic, err_and_smtp_codes, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 06:00:00 mail1 pop3d[100]: client 192.0.2.41 user erin: -ERR unable to lock mailbox", &ev), 1);
	cr_assert(eq(ev.user, "erin"));
	cr_assert(eq(ev.program, "pop3d"));
	cr_assert(eq(ev.text, "unable to lock mailbox"));
	cr_assert_eq(line("Nov 21 06:01:20 mail1 mysmtpd[106]: client 192.0.2.47 said 550 5.7.1 go away", &ev), 1);
	cr_assert_str_eq(ev.code, "550");
	cr_assert_str_eq(ev.enh, "5.7.1");
	/* a number that merely looks like a code is not a reply */
	cr_assert_eq(line("Nov 21 06:01:20 mail1 cron[1]: job 550 finished in 4.2.1 s", &ev), 0);
	cr_assert_eq(line("no time at all -ERR [AUTH] bad", &ev), 1);
	cr_assert_eq(ev.t, T_NONE);
}
