/*
 * Unit tests of the Zimbra parser on mailbox.log and audit.log lines
 * (log4j "%d %-5p [%t] [%z] %c{1} - %m"), and of its sniff against the
 * Exim mainlog that shares the stamp. Expectations are read off each
 * line by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"
#include "parse_util.h"

Test(parse_zimbra, imap_invalid_password, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21 10:00:00,123 INFO  [ImapServer-1] "
	    "[name=carol@example.com;ip=198.51.100.20;] imap - authentication "
	    "failed for [carol@example.com], invalid password", &ev), 1);
	/* 10:00:00 on 2026-11-21: the milliseconds are dropped */
	cr_assert_eq(ev.t, time_days(2026, 11, 21) * 86400 + 36000);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	cr_assert(eq(ev.user, "carol@example.com"));
	cr_assert(eq(ev.client, "198.51.100.20"));
	cr_assert_eq(ev.host.len, 0);
	cr_assert(eq(ev.text, "authentication failed for "
	    "[carol@example.com], invalid password"));
	cr_assert_str_eq(cause_of(&ev), "auth_failure");
}

Test(parse_zimbra, pop_account_not_found, .timeout = 5)
{
	struct event	 ev;

	/* the context names no account: the user is the one in brackets */
	cr_assert_eq(line("2026-11-21 10:00:01,456 INFO  [Pop3Server-2] "
	    "[ip=198.51.100.21;] pop - authentication failed for "
	    "[ghost@example.com], account not found", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert(eq(ev.user, "ghost@example.com"));
	cr_assert(eq(ev.client, "198.51.100.21"));
	cr_assert_str_eq(cause_of(&ev), "auth_failure");	/* causes.md */
	cr_assert_eq(ev.detail, POL_UNKNOWN_USER);
}

Test(parse_zimbra, audit_security, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21 10:00:03,001 WARN  [qtp1-22:https://"
	    "10.0.0.1:443/service/soap/AuthRequest] [name=erin@example.com;"
	    "oip=203.0.113.9;ua=ZimbraWebClient;] security - cmd=Auth; "
	    "account=erin@example.com; protocol=soap; error=authentication "
	    "failed for [erin@example.com], invalid password;", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_NONE);
	cr_assert(eq(ev.user, "erin@example.com"));
	cr_assert(eq(ev.client, "203.0.113.9"));
	cr_assert(eq(ev.text, "authentication failed for "
	    "[erin@example.com], invalid password"));
	cr_assert_str_eq(cause_of(&ev), "auth_failure");
	cr_assert_eq(line("2026-11-21 10:00:04,001 INFO  [ImapSSLServer-9] "
	    "[ip=10.0.0.7;oip=203.0.113.10;] security - cmd=Auth; "
	    "account=frank@example.com; protocol=imap; error=authentication "
	    "failed for [frank@example.com], account not found;", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert(eq(ev.user, "frank@example.com"));
	cr_assert(eq(ev.client, "203.0.113.10"), "oip, not ip");
	cr_assert_str_eq(cause_of(&ev), "auth_failure");	/* causes.md */
	cr_assert_eq(ev.detail, POL_UNKNOWN_USER);
	/* a successful login in the audit log */
	cr_assert_eq(line("2026-11-21 10:00:05,001 INFO  [ImapSSLServer-9] "
	    "[ip=10.0.0.7;] security - cmd=Auth; account=frank@example.com; "
	    "protocol=imap;", &ev), 0);
}

Test(parse_zimbra, quota, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21 10:00:02,789 WARN  [LmtpServer-3] "
	    "[name=dave@example.com;mid=7;] lmtp - rejecting message: "
	    "Quota exceeded", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_LMTP);
	cr_assert(eq(ev.user, "dave@example.com"));
	cr_assert_str_eq(cause_of(&ev), "quota_exceeded");
	/* DEBUG lines are not counted */
	cr_assert_eq(line("2026-11-21 10:00:02,790 DEBUG [LmtpServer-3] "
	    "[name=dave@example.com;] lmtp - checking: quota exceeded", &ev),
	    0);
}

Test(parse_zimbra, ordinary_lines, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21 10:00:04,002 INFO  [ImapServer-1] "
	    "[name=carol@example.com;ip=198.51.100.20;] imap - user "
	    "carol@example.com authenticated, mechanism=LOGIN", &ev), 0);
	cr_assert_eq(line("2026-11-21 10:00:04,003 INFO  [ImapServer-1] [] "
	    "imap - * BYE Zimbra IMAP server terminating connection", &ev), 0);
	cr_assert_eq(line("2026-11-21 10:00:04,004 INFO  no brackets here",
	    &ev), 0);
}

Test(parse_zimbra, exim_mainlog_is_not_taken, .timeout = 5)
{
	struct event	 ev;

	/* a mainlog reject (Exim's shape): Exim's parser must still see it */
	cr_assert_eq(line("2026-11-21 10:00:00 H=(helo.example) "
	    "[192.0.2.1] F=<a@example.net> rejected RCPT <c@example.org>: "
	    "Unknown user", &ev), 1);
	cr_assert(eq(ev.user, "c@example.org"));
	cr_assert_str_eq(cause_of(&ev), "unknown_mailbox");	/* a recipient */
	cr_assert_eq(ev.detail, POL_NONE);
}
