/*
 * Unit tests of the Courier parser, and of its hand-over of the shared
 * names "imapd"/"pop3d" to Cyrus, UW and the generic parser. Expectations
 * are read off the lines by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/parse.h"
#include "parse_util.h"

Test(parse_courier, login_failed, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 dns2 imapd: LOGIN FAILED, user=sales@example.com, ip=[::ffff:192.0.2.4]", &ev), 1);
	cr_assert(eq(ev.user, "sales@example.com"));
	cr_assert(eq(ev.client, "192.0.2.4"));
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);
	cr_assert_eq(line("Nov 21 10:00:00 srv courierpop3login: LOGIN FAILED, user=USER@EXAMPLE.org, ip=[::ffff:192.0.2.5]", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert_eq(line("Nov 21 10:00:00 srv imapd-ssl[20815]: LOGIN FAILED, method=PLAIN, ip=[2001:db8::1]", &ev), 1);
	cr_assert_eq(ev.user.len, 0);
	cr_assert(eq(ev.client, "2001:db8::1"));
	/* the reason lines are not counted again */
	cr_assert_eq(line("Nov 21 10:00:00 srv imapd: authentication error: No such file or directory", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:00 srv imapd: LOGIN, user=rodrigo, ip=[::ffff:127.0.0.1], port=[50338], protocol=IMAP", &ev), 0);
}

Test(parse_courier, esmtpd, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 web courieresmtpd: error,relay=::ffff:192.0.2.4,ident=tmf,from=<tmf@example.com>,to=<list@example.com>: 550 User unknown.", &ev), 1);
	cr_assert(eq(ev.user, "list@example.com"));
	cr_assert(eq(ev.client, "192.0.2.4"));
	cr_assert_str_eq(ev.code, "550");
	cr_assert(eq(ev.text, "User unknown."));
	cr_assert_eq(line("Nov 21 10:00:00 mail courieresmtpd[26762]: error,relay=::ffff:192.0.2.3,port=43632,msg=\"535 Authentication failed.\",cmd: AUTH LOGIN x@example.com", &ev), 1);
	cr_assert_str_eq(ev.code, "535");
	cr_assert(eq(ev.text, "Authentication failed."));
}

Test(parse_courier, shared_names_handed_over, .timeout = 5)
{
	struct event	 ev;

	/* Cyrus under "imapd" */
	cr_assert_eq(line("Nov 21 10:00:00 h imapd[18454]: badlogin: example.com [192.0.2.57] CRAM-MD5 [SASL(-13): authentication failure: incorrect digest response]", &ev), 1);
	cr_assert(eq(ev.client, "192.0.2.57"));
	/* UW under "imapd" */
	cr_assert_eq(line("Nov 21 10:00:00 h imapd[666]: Login failed user=lizdy auth=lizdy host=h.example [192.0.2.112]", &ev), 1);
	cr_assert(eq(ev.user, "lizdy"));
	/* another POP3 daemon under "pop3d": the generic parser */
	cr_assert_eq(line("Nov 21 10:00:00 mail1 pop3d[100]: client 192.0.2.41 user erin: -ERR unable to lock mailbox", &ev), 1);
	cr_assert(eq(ev.user, "erin"));
	cr_assert_eq(ev.proto, PROTO_POP3);
}

/* lines a real Courier 5 wrote in tests/realservers: successful logins */
Test(parse_courier, real_login_ok, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Dec  7 14:36:42 vm pop3d: LOGIN, user=grace@example.test, ip=[::ffff:127.0.1.15], port=[58389]", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert_eq(line("Dec  7 14:36:42 vm imapd: LOGIN, user=alice@example.test, ip=[::ffff:127.0.1.14], port=[41877], protocol=IMAP", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	/* the failure is still one */
	cr_assert_eq(line("Dec  7 14:36:42 vm pop3d: LOGIN FAILED, user=erin@example.test, ip=[::ffff:127.0.1.20]", &ev), 1);
	cr_assert_eq(ev.tkind, TR_NONE);
}

/*
 * Traffic: lines written per Courier's cdmsgq.C (newmsg, completed) and
 * libs/comctlfile.c ctlfile_append_reply() (delivery results); the
 * corpus has none of these.
 */
Test(parse_courier, traffic, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 09:00:00 mx courierd: newmsg,id=0000C9F2.5A4B3C2D.0001B2C3: dns; helo.example (mail.src.example [::ffff:192.0.2.1])", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert(eq(ev.qid, "0000C9F2.5A4B3C2D.0001B2C3"));
	cr_assert(eq(ev.addr, "mail.src.example"));
	cr_assert_eq(ev.user.len, 0);
	cr_assert_eq(line("Nov 21 09:00:00 mx courierd: newmsg,id=0000C9F3.5A4B3C2E.0001B2C4, auth=erin: dns; laptop ([::ffff:192.0.2.50])", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert(eq(ev.qid, "0000C9F3.5A4B3C2E.0001B2C4"));
	cr_assert(eq(ev.user, "erin"));
	cr_assert(eq(ev.addr, "[::ffff:192.0.2.50]"));
	cr_assert_eq(line("Nov 21 09:00:01 mx courierlocal: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<alice@mx.example>,size=1200,success: Message delivered.", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SENT);
	cr_assert_eq(ev.size, 1200);
	cr_assert(eq(ev.addr, "alice@mx.example"));
	cr_assert(eq(ev.qid, "0000C9F2.5A4B3C2D.0001B2C3"));
	/* courieresmtp logs each delivery twice: the reply line counts */
	cr_assert_eq(line("Nov 21 09:00:02 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<bob@far.example>,size=1200,success: 250 2.0.0 Ok", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SENT);
	cr_assert_eq(line("Nov 21 09:00:02 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<bob@far.example>,size=1200,status: success", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert_eq(line("Nov 21 09:00:02 mx courierlocal: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<alice@mx.example>,status: success", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SENT);
	cr_assert_eq(ev.size, 0);
	cr_assert_eq(line("Nov 21 09:00:03 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<carol@slow.example>: Connection refused", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert_eq(line("Nov 21 09:00:03 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<carol@slow.example>,status: deferred", &ev), 0);
	cr_assert_eq(ev.tkind, TR_DEFERRED);
	cr_assert_eq(line("Nov 21 09:00:04 mx courieresmtp: id=0000C9F2.5A4B3C2D.0001B2C3,from=<a@src.example>,addr=<dan@gone.example>,status: failure", &ev), 0);
	cr_assert_eq(ev.tkind, TR_BOUNCED);
	cr_assert_eq(line("Nov 21 09:05:02 mx courierd: completed,id=0000C9F3.5A4B3C2E.0001B2C4", &ev), 0);
	cr_assert_eq(ev.tkind, TR_REMOVED);
	cr_assert(eq(ev.qid, "0000C9F3.5A4B3C2E.0001B2C4"));
	/* fail2ban's courier-smtp: a refused RCPT is a reject, AUTH is not */
	cr_assert_eq(line("Apr 10 03:47:57 web courieresmtpd: error,relay=::ffff:1.2.3.4,ident=tmf,from=<tmf@example.com>,to=<mailman-subscribe@example.com>: 550 User unknown.", &ev), 1);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert_eq(line("Nov 21 23:16:17 server courieresmtpd: error,relay=::ffff:1.2.3.4,from=<>,to=<>: 550 User unknown.", &ev), 1);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert_eq(line("Jul  3 23:07:20 szerver courieresmtpd: error,relay=::ffff:1.2.3.4,msg=\"535 Authentication failed.\",cmd: YWRvYmVhZG9iZQ==", &ev), 1);
	cr_assert_eq(ev.tkind, TR_NONE);
}
