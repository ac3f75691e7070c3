/*
 * Unit tests of the OpenSMTPD parser on lines shaped as smtpd 6.x and
 * 7.x log them (smtp_session.c, mta.c); the 6.0-6.3 failed-command shape
 * is the one in the sshguard corpus. Expectations are read off each line
 * by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"
#include "parse_util.h"

Test(parse_opensmtpd, failed_rcpt, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:02 mx smtpd[811]: 38dd06274cde1fd7 "
	    "smtp failed-command command=\"RCPT TO:<nobody@example.net>\" "
	    "result=\"550 Invalid recipient: <nobody@example.net>\"", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	cr_assert_str_eq(ev.code, "550");
	cr_assert_str_eq(ev.enh, "");
	cr_assert(eq(ev.text, "Invalid recipient: <nobody@example.net>"),
	    "got '%.*s'", (int)ev.text.len, ev.text.p);
	cr_assert(eq(ev.user, "nobody@example.net"));
	cr_assert(eq(ev.program, "smtpd"));
	cr_assert_eq(ev.client.len, 0);
	cr_assert_str_eq(cause_of(&ev), "unknown_mailbox");
}

Test(parse_opensmtpd, auth_counts_once, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:03 mx smtpd[811]: 38dd06274cde1fd7 "
	    "smtp authentication user=alice result=permfail", &ev), 1);
	cr_assert(eq(ev.user, "alice"));
	cr_assert_str_eq(ev.code, "535");
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	cr_assert_str_eq(cause_of(&ev), "auth_failure");
	/* the same failure as the reply: not counted again */
	cr_assert_eq(line("Nov 21 10:00:03 mx smtpd[811]: 38dd06274cde1fd7 "
	    "smtp failed-command command=\"AUTH PLAIN (...)\" "
	    "result=\"535 Authentication failed\"", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:03 mx smtpd[811]: 38dd06274cde1fd7 "
	    "smtp failed-command command=\"AUTH LOGIN (password)\" "
	    "result=\"535 Authentication failed\"", &ev), 0);
	/* a lookup that failed inside the server */
	cr_assert_eq(line("Nov 21 10:00:04 mx smtpd[811]: 38dd06274cde1fd7 "
	    "smtp authentication user=bob result=tempfail", &ev), 1);
	cr_assert(eq(ev.user, "bob"));
	cr_assert_str_eq(ev.code, "421");
	cr_assert_str_eq(cause_of(&ev), "server_error");
	/* a login that worked is traffic */
	cr_assert_eq(line("Nov 21 10:00:05 mx smtpd[811]: 38dd06274cde1fd7 "
	    "smtp authentication user=carol result=ok", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_SMTP);
}

Test(parse_opensmtpd, six_x_shape, .timeout = 5)
{
	struct event	 ev;

	/* sshguard corpus: AUTH not offered has no authentication line */
	cr_assert_eq(line("Nov 21 10:00:06 mx smtpd[90]: 38dd06274cde1fd7 "
	    "smtp event=failed-command address=185.236.202.133 "
	    "host=no-mans-land.m247.com command=\"AUTH LOGIN\" result=\"503 "
	    "5.5.1 Invalid command: Command not supported\"", &ev), 1);
	cr_assert_str_eq(ev.code, "503");
	cr_assert_str_eq(ev.enh, "5.5.1");
	cr_assert(eq(ev.client, "185.236.202.133"));
	cr_assert_eq(ev.user.len, 0);
	cr_assert_str_eq(cause_of(&ev), "protocol_error");
	cr_assert_eq(line("Nov 21 10:00:07 mx smtpd[90]: 45addba89269aeaa "
	    "smtp event=failed-command address=128.237.183.69 "
	    "host=zeta.wv.cc.cmu.edu command=\"AUTH PLAIN (...)\" "
	    "result=\"535 Authentication failed\"", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:07 mx smtpd[90]: 45addba89269aeaa "
	    "smtp event=authentication user=dave address=128.237.183.69 "
	    "host=zeta.wv.cc.cmu.edu result=permfail", &ev), 1);
	cr_assert(eq(ev.user, "dave"));
	cr_assert(eq(ev.client, "128.237.183.69"));
}

Test(parse_opensmtpd, bad_input, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:08 mx smtpd[811]: 0000000000abcdef "
	    "smtp bad-input result=\"500 5.5.1 Line too long\"", &ev), 1);
	cr_assert_str_eq(ev.code, "500");
	cr_assert_str_eq(cause_of(&ev), "protocol_error");
}

Test(parse_opensmtpd, mta_delivery, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:09 mx smtpd[812]: 5c6c4a8ea9f6fa7c "
	    "mta delivery evpid=5c6c4a8ea9f6fa7c0a1b2c3d from=<a@example.net> "
	    "to=<b@example.org> rcpt=<-> source=\"192.0.2.1\" "
	    "relay=\"203.0.113.5 (mx.example.org)\" delay=2s "
	    "result=\"TempFail\" stat=\"452 4.2.2 Mailbox full\"", &ev), 1);
	cr_assert_eq(ev.dir, DIR_FROM_REMOTE);
	cr_assert_str_eq(ev.code, "452");
	cr_assert_str_eq(ev.enh, "4.2.2");
	cr_assert(eq(ev.text, "Mailbox full"));
	cr_assert(eq(ev.user, "b@example.org"));
	/* the relay's name in parentheses is the remote; no client */
	cr_assert(eq(ev.remote, "mx.example.org"));
	cr_assert_eq(ev.client.len, 0);
	cr_assert_str_eq(cause_of(&ev), "quota_exceeded");
	/* OpenSMTPD's own words, no reply */
	cr_assert_eq(line("Nov 21 10:00:10 mx smtpd[812]: 5c6c4a8ea9f6fa7d "
	    "mta delivery evpid=5c6c4a8ea9f6fa7d0a1b2c3d from=<a@example.net> "
	    "to=<c@nowhere.example> rcpt=<-> source=\"192.0.2.1\" "
	    "relay=\"198.51.100.3 (mx.nowhere.example)\" delay=1h "
	    "result=\"PermFail\" stat=\"Connection refused\"", &ev), 1);
	cr_assert_str_eq(ev.code, "");
	cr_assert(eq(ev.text, "Connection refused"));
	cr_assert(eq(ev.user, "c@nowhere.example"));
	cr_assert_str_eq(cause_of(&ev), "service_unavailable");
	cr_assert_eq(line("Nov 21 10:00:11 mx smtpd[812]: 5c6c4a8ea9f6fa7e "
	    "mta delivery evpid=5c6c4a8ea9f6fa7e0a1b2c3d from=<a@example.net> "
	    "to=<d@example.org> rcpt=<-> source=\"192.0.2.1\" "
	    "relay=\"203.0.113.5 (mx.example.org)\" delay=1s result=\"Ok\" "
	    "stat=\"250 2.0.0 Ok: queued as 4C2B1B\"", &ev), 0);
}

Test(parse_opensmtpd, ordinary_lines, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:01 mx smtpd[811]: 38dd06274cde1fd7 "
	    "smtp connected address=198.51.100.7 host=client.example.org",
	    &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:04 mx smtpd[811]: 38dd06274cde1fd7 "
	    "smtp disconnected reason=quit", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:04 mx smtpd[811]: 38dd06274cde1fd7 "
	    "smtp disconnected reason=io-error: 421 4.4.2 Timeout", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:04 mx smtpd[811]: 38dd06274cde1fd7 "
	    "mta error reason=Connection refused", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:00 mx smtpd[810]: info: OpenSMTPD "
	    "7.5.0 starting", &ev), 0);
	/* not a session id: the hex check rejects it */
	cr_assert_eq(line("Nov 21 10:00:00 mx smtpd[810]: 38dd06274cde1fdX "
	    "smtp failed-command command=\"DATA\" result=\"554 No\"", &ev), 0);
}

/* lines a real OpenSMTPD 6.8 wrote in tests/realservers */
Test(parse_opensmtpd, real_traffic_and_rcpt_user, .timeout = 5)
{
	struct event	 ev;

	/* the command as the client sent it: "rcpt TO:<x>" */
	cr_assert_eq(line("Dec  7 14:36:42 vm smtpd[7094]: 53fc910a7e790010 smtp failed-command command=\"rcpt TO:<nobody0@example.org>\" result=\"550 5.1.1 User unknown\"", &ev), 1);
	cr_assert(eq(ev.user, "nobody0@example.org"));
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert_str_eq(cause_of(&ev), "unknown_mailbox");
	cr_assert_eq(line("Dec  7 14:36:42 vm smtpd[7094]: 53fc9110b445a4de smtp failed-command command=\"data\" result=\"554 5.3.4 Message too big for system: Transaction failed, message too big\"", &ev), 1);
	cr_assert_eq(ev.user.len, 0);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert_str_eq(cause_of(&ev), "message_too_large");
	cr_assert_eq(line("Dec  7 14:36:42 vm smtpd[7094]: 53fc910eb549d2cd smtp message msgid=ff145f25 size=430 nrcpt=2 proto=ESMTP", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert(eq(ev.qid, "ff145f25"));
	cr_assert_eq(line("Dec  7 14:36:42 vm smtpd[7094]: 53fc910eb549d2cd smtp envelope evpid=ff145f25ef2ce071 from=<sender@example.net> to=<carol@example.org>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SIZE);
	cr_assert(eq(ev.qid, "ff145f25"));
	cr_assert(eq(ev.addr, "sender@example.net"));
	cr_assert_eq(line("Dec  7 14:36:42 vm smtpd[7094]: 53fc91122e2e51bd mda delivery evpid=ff145f255b4641af from=<sender@example.net> to=<dave@example.org> rcpt=<dave@example.org> user=mail delay=0s result=Ok stat=Delivered", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SENT);
	cr_assert(eq(ev.qid, "ff145f25"));
	cr_assert(eq(ev.addr, "dave@example.org"));
	cr_assert_eq(line("Dec  7 14:36:42 vm smtpd[7094]: 53fc911cfdac38b0 mda delivery evpid=0b8760ccb802e1a1 from=<sender@example.net> to=<full1@example.org> rcpt=<full1@example.org> user=mail delay=0s result=TempFail stat=Error (temporary failure: \"mail.maildir: No space left on device\")", &ev), 1);
	cr_assert_eq(ev.tkind, TR_DEFERRED);
	cr_assert(eq(ev.user, "full1@example.org"));
	cr_assert_str_eq(cause_of(&ev), "system_storage");
}
