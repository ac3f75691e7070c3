/*
 * Unit tests of the Exim parser on mainlog and syslog lines shaped like
 * those in Exim's test suite and fail2ban's samples. Expectations are
 * read off the lines by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/parse.h"
#include "parse_util.h"

Test(parse_exim, bounce_remote_reply, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21 10:00:00 1jmKso-0009d4-Uf ** molly@zee.example R=dnslookup T=remote_smtp H=mx.zee.example [192.0.2.3] X=TLS1.2:ECDHE:256 CV=yes: SMTP error from remote mail server after RCPT TO:<molly@zee.example>: 550 5.1.1 <molly@zee.example>: No such user", &ev), 1);
	cr_assert(eq(ev.user, "molly@zee.example"));
	cr_assert_str_eq(ev.code, "550");
	cr_assert_str_eq(ev.enh, "5.1.1");
	cr_assert(eq(ev.text, "<molly@zee.example>: No such user"));
	cr_assert_eq(ev.dir, DIR_FROM_REMOTE);
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert_eq(ev.host.len, 0);
}

Test(parse_exim, defer_and_retry_lines, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21 10:00:00 +0200 [77] 1jmFYj-00039V-QX == bob@null.example R=dnslookup T=remote_smtp defer (110): Connection timed out", &ev), 1);
	cr_assert(eq(ev.user, "bob@null.example"));
	cr_assert(eq(ev.text, "Connection timed out"));
	cr_assert_eq(ev.code[0], '\0');
	/* no attempt: not counted */
	cr_assert_eq(line("2026-11-21 10:00:00 1jmFYj-00039V-QX == bob@null.example routing defer (-51): retry time not reached", &ev), 0);
	/* Exim's own bookkeeping, nobody told */
	cr_assert_eq(line("2026-11-21 10:00:00 1jmFYj-00039V-QX == bob@null.example R=r T=t defer (-1): forced defer", &ev), 0);
	cr_assert_eq(line("2026-11-21 10:00:00 10HmaX-000000005vi-0000 == u@x.example R=local T=appendfile defer (-22): mailbox is full (MTA-imposed quota exceeded while writing to /var/mail/u)", &ev), 1);
	cr_assert(eq(ev.user, "u@x.example"));
	cr_assert_eq(line("2026-11-21 10:00:00 1jmFYj-00039V-QX ** bob@null.example: retry timeout exceeded", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_EXPIRED);
	cr_assert_eq(line("2026-11-21 10:00:00 1jmFYj-00039V-QX => bob@null.example R=dnslookup T=remote_smtp H=mx [192.0.2.9] C=\"250 OK\"", &ev), 0);
	cr_assert_eq(line("2026-11-21 10:00:00 1jmFYj-00039V-QX H=null.example [192.0.2.6] Connection timed out", &ev), 0);
}

Test(parse_exim, rejects_we_sent, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21 10:00:00 H=mx.example (helo.example) [192.0.2.3]:4711 I=[10.0.0.1]:25 F=<a@b.example> rejected RCPT <Some.One@example.net>: Unrouteable address", &ev), 1);
	cr_assert(eq(ev.user, "Some.One@example.net"));
	cr_assert(eq(ev.client, "192.0.2.3"));
	cr_assert(eq(ev.text, "Unrouteable address"));
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	cr_assert_eq(line("2026-11-21 10:00:00 [2249] H=([192.0.2.95]) [192.0.2.95]:52391 F=x@y.example rejected RCPT some@example.com: relay not permitted", &ev), 1);
	cr_assert(eq(ev.user, "some@example.com"));
	cr_assert(eq(ev.client, "192.0.2.95"));
	cr_assert_eq(line("2026-11-21 10:00:00 1Unmew-0000ea-SE H=a.example [192.0.2.8]:32706 F=s@x.example rejected after DATA: This message contains a virus (Eicar-Test).", &ev), 1);
	cr_assert_eq(ev.user.len, 0);
	cr_assert(eq(ev.text, "This message contains a virus (Eicar-Test)."));
	/* no message: ACL policy */
	cr_assert_eq(line("2026-11-21 10:00:00 H=[192.0.2.8] F=<ok@test.example> rejected RCPT <main@test.example>", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_POLICY_REJECTION);
	/* the verify note is not the reply */
	cr_assert_eq(line("2026-11-21 10:00:00 H=a.example [192.0.2.3] sender verify fail for <u@x.example>: Unrouteable address", &ev), 0);
	/* a remote's "rejected" is not one of ours */
	cr_assert_eq(line("2026-11-21 10:00:00 1raAO7-0094KF-7u H=(relay) [192.0.2.4]: SMTP error from remote mail server after RCPT TO:<r@x>: 550 recipient rejected now", &ev), 0);
}

Test(parse_exim, auth_and_protocol, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21 10:00:00 dovecot_login authenticator failed for (User) [192.0.2.1]:21298 I=[10.0.0.5]:465 Ci=30416: 535 Incorrect authentication data (set_id=Uaf589@example.com)", &ev), 1);
	cr_assert(eq(ev.user, "Uaf589@example.com"));
	cr_assert(eq(ev.client, "192.0.2.1"));
	cr_assert_str_eq(ev.code, "535");
	cr_assert(eq(ev.text, "Incorrect authentication data"));
	cr_assert_eq(line("2026-11-21 10:00:00 login authenticator failed for (ylmf-pc) [192.0.2.45]: 535 Incorrect authentication data: 1 Time(s)", &ev), 1);
	cr_assert_eq(ev.user.len, 0);
	cr_assert(eq(ev.text, "Incorrect authentication data"));
	cr_assert_eq(line("2026-11-21 10:00:00 [13314] SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[192.0.2.19]:25936 I=[10.0.0.1]:25 input=\"GET /\"", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_PROTOCOL_ERROR);
	cr_assert(eq(ev.client, "192.0.2.19"));
	cr_assert_str_eq(ev.code, "554");
	cr_assert_eq(line("2026-11-21 10:00:00 no MAIL in SMTP connection from [192.0.2.7] D=0s", &ev), 0);
}

Test(parse_exim, via_syslog, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 mx1 exim[8003]: [8003] SMTP protocol error in \"AUTH LOGIN\" H=(User) [192.0.2.29]:4816 I=[192.0.2.1]:25 AUTH command used when not advertised", &ev), 1);
	cr_assert(eq(ev.host, "mx1"));
	cr_assert(eq(ev.client, "192.0.2.29"));
	cr_assert_eq(ev.hint, CAUSE_PROTOCOL_ERROR);
	/* a syslog header after a mainlog stamp */
	cr_assert_eq(line("2026-11-21 10:00:00 mx2.example exim[29786]: plain authenticator failed for (User) [192.0.2.37]: 535 Incorrect authentication data (set_id=test@domain.example)", &ev), 1);
	cr_assert(eq(ev.host, "mx2.example"));
	cr_assert(eq(ev.user, "test@domain.example"));
}

/* lines a real Exim wrote in tests/realservers (mainlog and syslog) */
Test(parse_exim, real_size_and_spool, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-12-07 14:36:43 rejected MAIL FROM:<big@example.org> H=([127.0.0.1]) [127.0.1.22]: message too big: size=1500000 max=1000000", &ev), 1);
	cr_assert(eq(ev.user, "big@example.org"));
	cr_assert(eq(ev.client, "127.0.1.22"));
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	cr_assert_str_eq(cause_of(&ev), "message_too_large");
	cr_assert_eq(line("2026-12-07 14:36:43 1xaZpb-0001yI-1O rejected from <huge@example.org> H=([127.0.0.1]) [127.0.1.26]: message too big: read=1234429 max=1000000", &ev), 1);
	cr_assert(eq(ev.user, "huge@example.org"));
	cr_assert(eq(ev.client, "127.0.1.26"));
	cr_assert_str_eq(cause_of(&ev), "message_too_large");
	/* through syslog the DATA reject is the first part of a split record */
	cr_assert_eq(line("Dec  7 14:36:44 vm exim[7667]: [1\\6] 1xaZpb-0001zf-2u rejected from <huge@example.org> H=([127.0.0.1]) [127.0.1.31]: message too big: read=1234429 max=1000000", &ev), 1);
	cr_assert(eq(ev.user, "huge@example.org"));
	cr_assert_str_eq(cause_of(&ev), "message_too_large");
	/* the client was told "452 Space shortage, please try later" */
	cr_assert_eq(line("2026-12-07 14:36:45 spool directory space check failed: space=1024 inodes=3085458", &ev), 1);
	cr_assert_str_eq(ev.code, "452");
	cr_assert_eq(ev.user.len, 0);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert_str_eq(cause_of(&ev), "system_storage");
	cr_assert_eq(line("Dec  7 14:36:45 vm exim[8250]: spool directory space check failed: space=1024 inodes=3085458", &ev), 1);
	cr_assert_str_eq(cause_of(&ev), "system_storage");
}

/* a real Exim 4.96 "<=" with A=: a reception and an SMTP AUTH login */
Test(parse_exim, real_received_authenticated, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-12-07 14:36:43 1xaZpb-0001wY-0k <= alice@example.com H=([127.0.0.1]) [127.0.1.23] P=esmtpa A=plain:alice@example.com S=257", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert(eq(ev.user, "alice@example.com"));
	cr_assert_eq(ev.size, 257);
	cr_assert_eq(line("2026-12-07 14:36:42 1xaZpa-0001t3-2D <= sender@example.org H=([127.0.0.1]) [127.0.1.4] P=esmtp S=255", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert_eq(ev.user.len, 0);
}

/*
 * A local SMTP session (exim -bs) has no host: Exim's host_and_ident()
 * writes "U=ident" where a remote one has "H=" ("U=unknown" without an
 * ident); its rejects are read as the H= ones.
 */
Test(parse_exim, local_smtp_rejects, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-12-07 14:36:42 U=alice F=<alice@example.com> rejected RCPT <someone@elsewhere.example>: relay not permitted", &ev), 1);
	cr_assert(eq(ev.user, "someone@elsewhere.example"));
	cr_assert_eq(ev.client.len, 0);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert_str_eq(cause_of(&ev), "policy_rejection");
	cr_assert_eq(line("2026-12-07 14:36:43 U=unknown F=<a@example.com> rejected RCPT <nobody@example.com>: Unrouteable address", &ev), 1);
	cr_assert(eq(ev.user, "nobody@example.com"));
	cr_assert_str_eq(cause_of(&ev), "unknown_mailbox");
	cr_assert_eq(line("2026-12-07 14:36:44 1xaZpa-0001t3-2D U=alice F=<alice@example.com> rejected after DATA: message rejected by policy", &ev), 1);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	/* not a reject: "U=" as a field of a reception line */
	cr_assert_eq(line("2026-12-07 14:36:45 1xaZpa-0001t3-2E <= alice@example.com U=alice P=local S=300", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
}
