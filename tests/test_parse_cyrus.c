/*
 * Unit tests of the Cyrus parser on lines shaped like fail2ban's
 * cyrus-imap samples and Cyrus lmtpd's messages; expectations are read
 * off the lines by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/parse.h"
#include "parse_util.h"

Test(parse_cyrus, badlogin, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 h cyrus/imap[5355]: badlogin: localhost.localdomain [127.0.0.1] plaintext cyrus@localdomain SASL(-13): authentication failure: checkpass failed", &ev), 1);
	cr_assert(eq(ev.user, "cyrus@localdomain"));
	cr_assert(eq(ev.client, "127.0.0.1"));
	cr_assert(eq(ev.text, "SASL(-13): authentication failure: checkpass failed"));
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_eq(line("Nov 21 10:00:00 h cyrus/pop3[4297]: badlogin: example.com [192.0.2.4] plaintext mail0001 SASL(-13): authentication failure: checkpass failed", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert(eq(ev.user, "mail0001"));
	cr_assert_eq(line("Nov 21 10:00:00 h imap[22130]: badlogin: [192.0.2.4] plain [SASL(-13): authentication failure: Password verification failed]", &ev), 1);
	cr_assert_eq(ev.user.len, 0);
	cr_assert(eq(ev.text, "SASL(-13): authentication failure: Password verification failed"));
	cr_assert_eq(line("Nov 21 10:00:00 h cyrus/imap[5355]: login: h.example [192.0.2.9] bob plaintext User logged in", &ev), 0);
}

Test(parse_cyrus, quota_and_ioerror, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 st cyrus/lmtpunix[900]: verify_user(user.bob) failed: Over quota", &ev), 1);
	cr_assert(eq(ev.user, "bob"));
	cr_assert(eq(ev.text, "Over quota"));
	cr_assert_eq(ev.proto, PROTO_LMTP);
	cr_assert_eq(line("Nov 21 10:00:00 st cyrus/imap[901]: IOERROR: opening /var/spool/imap/user/carol/cyrus.header: No such file or directory", &ev), 1);
	cr_assert(eq(ev.user, "carol"));
	cr_assert_str_eq(ev.resp, "SERVERBUG");
	cr_assert(eq(ev.text, "opening /var/spool/imap/user/carol/cyrus.header: No such file or directory"));
	cr_assert_eq(line("Nov 21 10:00:00 st cyrus/master[1]: process 77 exited, status 0", &ev), 0);
}

/* lines a real Cyrus 3 wrote in tests/realservers: user "(bob)" is bob */
Test(parse_cyrus, real_badlogin_parentheses, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Dec  7 14:36:44 vm cyrus/imap[7669]: badlogin: [127.0.1.38] plaintext (bob) [SASL(-13): authentication failure: checkpass failed]", &ev), 1);
	cr_assert(eq(ev.user, "bob"));
	cr_assert(eq(ev.client, "127.0.1.38"));
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_str_eq(cause_of(&ev), "auth_failure");
	cr_assert_eq(line("Dec  7 14:36:50 vm cyrus/imap[7669]: badlogin: [127.0.1.179] plaintext (ghost) [SASL(-13): user not found: checkpass failed]", &ev), 1);
	cr_assert(eq(ev.user, "ghost"));
	/* causes.md: a login naming no user is auth_failure, unknown_user */
	cr_assert_str_eq(cause_of(&ev), "auth_failure");
	cr_assert_eq(ev.detail, POL_UNKNOWN_USER);
}

/* real Cyrus 3 logins, also under the names Courier owns ("imapd") */
Test(parse_cyrus, real_login_ok, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Dec  7 14:36:44 vm cyrus/imap[7687]: login: [127.0.1.36] alice plaintext User logged in SESSIONID=<cyrus-1796654204-7687-1-6577664451045965856>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_eq(line("Dec  7 14:36:47 vm cyrus/pop3[7746]: login: [127.0.1.141] dave plaintext User logged in SESSIONID=<cyrus-1796654207-7746-1-18008088003946618118>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert_eq(line("Dec  7 14:36:44 vm imapd[7669]: login: localhost [127.0.0.1] cyrus plaintext User logged in", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	/* lmtpd's "login:" is no POP3/IMAP login */
	cr_assert_eq(line("Dec  7 14:36:44 vm cyrus/lmtp[7700]: login: [127.0.0.1] cyrus plaintext User logged in", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
}

/* timsieved logs as "sieve" or "timsieved" (fail2ban's samples) */
Test(parse_cyrus, timsieved, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Dec 1 20:36:56 mail sieve[23713]: badlogin: example.com[1.2.3.4] PLAIN authentication failure", &ev), 1);
	cr_assert(eq(ev.client, "1.2.3.4"));
	cr_assert_str_eq(cause_of(&ev), "auth_failure");
	cr_assert_eq(line("Sep 25 22:07:38 web9 timsieved[21040]: badlogin: web4[1.2.3.4] OTP authentication failure", &ev), 1);
	cr_assert_str_eq(cause_of(&ev), "auth_failure");
}
