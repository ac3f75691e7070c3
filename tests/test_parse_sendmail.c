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
