/*
 * Unit tests of the Sendmail parser on lines shaped like those of
 * parse-syslog-mail and fail2ban's samples; expectations are read off
 * the lines by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/parse.h"
#include "parse_util.h"

Test(parse_sendmail, deferred_452, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 mx sendmail[42]: j4K97fD5028627: to=<Bob@example.net>,<c@example.net>, delay=00:00:01, xdelay=00:00:00, mailer=esmtp, pri=34674, relay=mx.example.net. [192.0.2.5], dsn=4.3.1, stat=Deferred: 452 4.3.1 Insufficient system storage", &ev), 1);
	cr_assert(eq(ev.user, "Bob@example.net"));
	cr_assert_str_eq(ev.code, "452");
	cr_assert_str_eq(ev.enh, "4.3.1");
	cr_assert(eq(ev.text, "Insufficient system storage"));
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert_eq(ev.dir, DIR_FROM_REMOTE);
	cr_assert(eq(ev.host, "mx"));
}

Test(parse_sendmail, user_unknown_and_sent, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 mx sendmail[42]: 21QBRGdX006005: to=This, ctladdr=root (0/0), delay=00:00:00, mailer=relay, pri=180030, relay=[127.0.0.1] [127.0.0.1], dsn=5.1.1, stat=User unknown", &ev), 1);
	cr_assert(eq(ev.user, "This"));
	cr_assert_str_eq(ev.enh, "5.1.1");
	cr_assert(eq(ev.text, "User unknown"));
	cr_assert_eq(line("Nov 21 10:00:00 mx sendmail[42]: j4KDBEJ9018059: to=a@b.example, delay=00:00:01, mailer=esmtp, relay=x. [192.0.2.1], dsn=2.0.0, stat=Sent (ok)", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[42]: 21QCF5Nw011754: <line@server1.example>... User unknown", &ev), 1);
	cr_assert(eq(ev.user, "line@server1.example"));
	cr_assert(eq(ev.text, "User unknown"));
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	/* notices after a failure are not counted again */
	cr_assert_eq(line("Nov 21 10:00:00 mx sendmail[42]: j4K970hV028494: j4K975hV028499: DSN: Service unavailable", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:00 mx sendmail[42]: j4K970hV028494: from=<a@b>, size=1, class=0, nrcpts=1, relay=[192.0.2.1]", &ev), 0);
}

Test(parse_sendmail, ruleset_reject, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, arg1=<d@hotmail.example>, relay=int0.example [192.0.2.119] (may be forged), reject=550 5.7.1 <d@hotmail.example>... Relaying denied. IP name possibly forged [192.0.2.119]", &ev), 1);
	cr_assert(eq(ev.user, "d@hotmail.example"));
	cr_assert(eq(ev.client, "192.0.2.119"));
	cr_assert_str_eq(ev.code, "550");
	cr_assert_str_eq(ev.enh, "5.7.1");
	cr_assert(eq(ev.text, "Relaying denied. IP name possibly forged [192.0.2.119]"));
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[24422]: ruleset=check_relay, arg1=leased.example, arg2=192.0.2.82, relay=leased.example [192.0.2.82], reject=421 4.3.2 Connection rate limit exceeded.", &ev), 1);
	cr_assert_eq(ev.user.len, 0);
	cr_assert(eq(ev.client, "192.0.2.82"));
	cr_assert_str_eq(ev.code, "421");
}

Test(parse_sendmail, auth_failure, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 relay1 sendmail[16664]: 06I02CNi016764: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=user@example.com, relay=example.com [192.0.2.3] (may be forged)", &ev), 1);
	cr_assert(eq(ev.user, "user@example.com"));
	cr_assert(eq(ev.client, "192.0.2.3"));
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);
	cr_assert_str_eq(ev.code, "535");
	cr_assert_eq(line("Nov 21 10:00:00 smtp1 sm-mta[5133]: s1GNXHYB005133: [192.0.2.178]: possible SMTP attack: command=AUTH, count=5", &ev), 0);
}

/*
 * Traffic (README "Traffic"): lines of the corpus (parse-syslog-mail's
 * sendmail-plain.log, hirstar's mail.log) and, for a list of recipients
 * and the AUTH login, lines shaped per sendmail's deliver.c and
 * srvrsmtp.c.
 */
Test(parse_sendmail, traffic_received, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Jan  6 02:37:33 Jupiter sendmail[812]: j061bXn5000812: from=<maddingue@jupiter.maddingue.net>, size=2262, class=0, nrcpts=1, msgid=<200501060137.j061bW9V000809@jupiter.maddingue.net>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert_eq(ev.size, 2262);
	cr_assert(eq(ev.qid, "j061bXn5000812"));
	cr_assert(eq(ev.from, "maddingue@jupiter.maddingue.net"));
	cr_assert(eq(ev.addr, "localhost"));
	/* a local submission: the sender has no domain, the relay a user */
	cr_assert_eq(line("Feb 26 12:27:16 server1 sendmail[6005]: 21QBRGdX006005: from=root, size=30, class=0, nrcpts=6, msgid=<202202261127.21QBRGdX006005@server1.alsoft.org>, relay=root@localhost", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert(eq(ev.from, "root"));
	cr_assert(eq(ev.addr, "localhost"));
	cr_assert_eq(line("Apr 25 00:20:30 srv1 sendmail[711]: u3P0KTa7000711: from=<b@bounces.example>, size=42109, class=0, nrcpts=1, msgid=<x@y>, proto=ESMTP, daemon=MTA, relay=a0-21.smtp-out.eu-west-1.amazonses.com. [54.240.0.21]", &ev), 0);
	cr_assert(eq(ev.addr, "a0-21.smtp-out.eu-west-1.amazonses.com"));
	cr_assert_eq(line("Apr 25 02:47:30 srv1 sendmail[1382]: u3P2R7tS001382: from=<uwadh@plus.com>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=[157.122.148.246]", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
	/* RCPT taken, then QUIT: nrcpts=1 but size=0, no message */
	cr_assert_eq(line("Apr 27 19:45:58 srv1 sendmail[23935]: u3RJjutT023935: from=<k@a.example>, size=0, class=0, nrcpts=1, proto=SMTP, daemon=MTA, relay=a.example [194.247.60.183]", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[1]: 4ALA0001: from=<>, size=10, class=0, nrcpts=1, relay=[192.0.2.1]", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert_eq(ev.from.len, 0);
	cr_assert(eq(ev.addr, "[192.0.2.1]"));
}

Test(parse_sendmail, traffic_deliveries, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Jan  6 02:37:43 Jupiter sendmail[814]: j061bXn5000812: to=<cpan-testers@perl.org>, delay=00:00:10, xdelay=00:00:10, mailer=esmtp, pri=30373, relay=mx.develooper.com. [63.251.223.176], dsn=2.0.0, stat=Sent (Queued! <200501060137.j061bW9V000809@jupiter.maddingue.net>)", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SENT);
	cr_assert(eq(ev.qid, "j061bXn5000812"));
	cr_assert(eq(ev.addr, "<cpan-testers@perl.org>"));
	cr_assert_eq(ev.nrcpt, 1);
	cr_assert(ev.flags & EV_RCPT_LIST);
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[2]: 4ALA0001: to=<a@x.example>,b@x.example,<c@x.example>, delay=00:00:00, mailer=esmtp, pri=1, relay=mx.x.example. [192.0.2.2], dsn=2.0.0, stat=Sent (ok)", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SENT);
	cr_assert(eq(ev.addr, "<a@x.example>,b@x.example,<c@x.example>"));
	cr_assert_eq(ev.nrcpt, 3);
	/* a long list goes on on "[more]" lines, each ending in ',' */
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[2]: 4ALA0001: to=<a@x.example>,<b@x.example>, [more], delay=00:00:00, mailer=esmtp, pri=1, relay=mx.x.example. [192.0.2.2], dsn=5.1.1, stat=User unknown", &ev), 1);
	cr_assert_eq(ev.tkind, TR_BOUNCED);
	cr_assert_eq(ev.nrcpt, 2);
	cr_assert(eq(ev.user, "a@x.example"));
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[2]: 4ALA0001: to=<d@y.example>, delay=00:00:02, mailer=esmtp, pri=1, relay=mx.y.example. [192.0.2.3], dsn=4.4.1, stat=Deferred: Connection timed out with mx.y.example.", &ev), 1);
	cr_assert_eq(ev.tkind, TR_DEFERRED);
	cr_assert_eq(ev.nrcpt, 1);
	/* queued, not yet tried: neither delivered nor deferred */
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[2]: 4ALA0001: to=<d@y.example>, delay=00:00:00, mailer=esmtp, pri=1, stat=queued", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
}

Test(parse_sendmail, traffic_rejects_and_logins, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, arg1=<d@h.example>, relay=int0.example [192.0.2.119], reject=550 5.7.1 <d@h.example>... Relaying denied", &ev), 1);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[103]: 4ALA0003: <zed@example.net>... User unknown", &ev), 1);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[15]: 4ALA0003: Milter: to=<i@here.example>, reject=550 5.7.1 Rejected by policy", &ev), 1);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert(eq(ev.user, "i@here.example"));
	cr_assert_str_eq(ev.code, "550");
	cr_assert(eq(ev.text, "Rejected by policy"));
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[15]: Milter: connect: host=h.example, addr=192.0.2.7, reject=554 5.7.1 Go away", &ev), 1);
	cr_assert(eq(ev.client, "192.0.2.7"));
	/* the same reject again, logged at a higher MilterLogLevel */
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[15]: 4ALA0003: milter=spamf, action=data, reject=554 5.7.1 Spam", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert_eq(line("Nov 21 10:00:00 mx sm-mta[16]: AUTH=server, relay=client.example [192.0.2.9], authid=alice, mech=PLAIN, bits=0", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert(eq(ev.user, "alice"));
}
