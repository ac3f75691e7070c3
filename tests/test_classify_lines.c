/*
 * Whole log lines through the family parsers and the classifier: the
 * cause is decided in classify/ alone, so a user rule overrides what a
 * parser hints, and the built-in rules give each real daemon line the
 * cause its words say. Every line is as the daemon writes it (the
 * format strings are in the daemons' sources); each expected cause is
 * read off the line against causes.md, not taken from a run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "parse_util.h"

static struct classifier *cl;
static struct classify_scratch *cs;
static char path[64];

static void
setup(void)
{

	cl = classify_new();
	cr_assert_not_null(cl);
}

static void
teardown(void)
{
	classify_scratch_free(cs);
	classify_free(cl);
	if (path[0] != '\0')
		unlink(path);
}

/* Loads text as a --rules file. */
static void
rules(const char *text)
{
	FILE	*f;
	int	 fd;

	snprintf(path, sizeof(path), "/tmp/mxt-lines.XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cr_assert_gt(classify_load_rules(cl, path), 0);
}

/* The cause of one whole log line, "" when it is no error event. */
static const char *
cause_line(const char *l, struct event *ev)
{
	if (cs == NULL)
		cs = classify_scratch_new(cl);
	event_reset(ev);
	if (line(l, ev) != 1)
		return "";
	classify_event(cl, cs, ev);
	return cause_get(ev->cause)->id;
}

#define POSTFIX_SASL "Dec  7 10:00:00 mx postfix/smtpd[4242]: warning: " \
	"unknown[192.0.2.9]: SASL LOGIN authentication failed: " \
	"UGFzc3dvcmQ6, sasl_username=alice@example.com"
#define DOVECOT_LOGIN "Dec  7 10:00:01 mx dovecot: pop3-login: " \
	"Disconnected (auth failed, 1 attempts in 2 secs): user=<alice>, " \
	"method=PLAIN, rip=192.0.2.9, lip=192.0.2.1, session=<Ab12Cd34>"
#define DOVECOT_LOCK "Dec  7 10:00:02 mx dovecot: pop3(alice)<77><Ef56>: " \
	"Error: Couldn't lock /var/mail/alice: Resource temporarily unavailable"

/* Without rules the parsers' own lines get the built-in causes. */
Test(classify_lines, builtin_causes, .init = setup, .fini = teardown,
    .timeout = 5)
{
	struct event	 ev;

	cr_assert_str_eq(cause_line(POSTFIX_SASL, &ev), "auth_failure");
	cr_assert_str_eq(cause_line(DOVECOT_LOGIN, &ev), "auth_failure");
	cr_assert_str_eq(cause_line(DOVECOT_LOCK, &ev), "lock_contention");
}

/* The case: the rule matched generic lines, not Postfix's own. */
Test(classify_lines, user_rule_beats_postfix_sasl, .init = setup,
    .fini = teardown, .timeout = 5)
{
	struct event	 ev;

	rules("[cause.x]\npattern = sasl login authentication failed\n");
	cr_assert_str_eq(cause_line(POSTFIX_SASL, &ev), "x");
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);	/* the parser's hint */
	/* a line the rule does not match keeps the built-in cause */
	cr_assert_str_eq(cause_line(DOVECOT_LOGIN, &ev), "auth_failure");
}

Test(classify_lines, user_rule_beats_dovecot_hint, .init = setup,
    .fini = teardown, .timeout = 5)
{
	struct event	 ev;

	rules("[cause.pop_lock]\nprogram = dovecot\npattern = couldn't lock\n"
	    "[cause.pop_login]\npattern = ^auth failed\n");
	cr_assert_str_eq(cause_line(DOVECOT_LOCK, &ev), "pop_lock");
	cr_assert_eq(ev.hint, CAUSE_LOCK_CONTENTION);
	cr_assert_str_eq(cause_line(DOVECOT_LOGIN, &ev), "pop_login");
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);
	cr_assert_eq(ev.count, 1);
}

/* A user rule may also name a built-in cause for a parser's line. */
Test(classify_lines, user_rule_names_builtin, .init = setup,
    .fini = teardown, .timeout = 5)
{
	struct event	 ev;

	rules("[cause.server_error]\nprogram = postfix/smtpd\n"
	    "pattern = authentication failed: ugfzc3dvcmq6\n");
	cr_assert_str_eq(cause_line(POSTFIX_SASL, &ev), "server_error");
}

/* --- #12's wrong causes, each with the line as the daemon writes it ---- */

/*
 * A Postfix smtp(8) delivery line: "QID: to=<TO>, relay=RELAY, delay=1,
 * delays=0/0/1/0, dsn=DSN, status=STATUS (REPLY)", and what it must get.
 */
struct smtp_case {
	const char	*qid, *to, *relay, *dsn, *status, *reply;
	const char	*cause;		/* the cause it must get */
	int		 detail;	/* and its detail (enum policy), or -1 */
};

#define SAID(host, text)	"host " host " said: " text

static void
smtp_cases(const struct smtp_case *c, size_t n)
{
	char		 l[1024];
	struct event	 ev;

	for (; n-- > 0; c++) {
		snprintf(l, sizeof(l), "Dec  7 10:00:00 mx postfix/smtp[31]: "
		    "%s: to=<%s>, relay=%s, delay=1, delays=0/0/1/0, dsn=%s, "
		    "status=%s (%s)", c->qid, c->to, c->relay, c->dsn,
		    c->status, c->reply);
		cr_assert_str_eq(cause_line(l, &ev), c->cause, "%s", l);
		if (c->detail != -1)
			cr_assert_eq(ev.detail, c->detail, "%s", l);
	}
}

#define ORG	"bob@example.org"
#define ORG_MX	"mx.example.org[192.0.2.1]"

/* Postfix: the reason after "delivery temporarily suspended: " decides */
Test(classify_lines, postfix_suspended_by_reason, .init = setup,
    .fini = teardown, .timeout = 5)
{
	static const struct smtp_case c[] = {
		{ "3F2A11C0A1", ORG, "none", "4.4.1", "deferred", "delivery "
		    "temporarily suspended: connect to " ORG_MX ":25: "
		    "Connection timed out", "service_unavailable",
		    POL_TIMEOUT },
		{ "3F2A11C0A2", ORG, "none", "4.4.1", "deferred", "delivery "
		    "temporarily suspended: connect to " ORG_MX ":25: "
		    "Connection refused", "service_unavailable", POL_REFUSED },
		{ "3F2A11C0A3", ORG, "none", "4.4.3", "deferred", "delivery "
		    "temporarily suspended: Host or domain name not found. "
		    "Name service error for name=example.org type=MX: Host "
		    "not found, try again", "dns_failure", -1 },
		/* an account really suspended stays account_disabled */
		{ "3F2A11C0A4", ORG, ORG_MX ":25", "5.0.0", "bounced",
		    SAID(ORG_MX, "550 Account suspended (in reply to RCPT TO "
		    "command)"), "account_disabled", -1 },
	};

	smtp_cases(c, sizeof(c) / sizeof(c[0]));
}

/* 450 and 550 decide nothing alone; the text or the enhanced code does */
Test(classify_lines, bare_450_550, .init = setup, .fini = teardown,
    .timeout = 5)
{
	static const struct smtp_case c[] = {
		{ "3F2A11C0B1", ORG, ORG_MX ":25", "4.0.0", "deferred",
		    SAID(ORG_MX, "450 Sorry, come back in a while (in reply "
		    "to RCPT TO command)"), "unclassified", -1 },
		{ "3F2A11C0B2", ORG, ORG_MX ":25", "4.2.1", "deferred",
		    SAID(ORG_MX, "450 4.2.1 Mailbox busy, try again (in "
		    "reply to RCPT TO command)"), "lock_contention", -1 },
		{ "3F2A11C0B3", ORG, ORG_MX ":25", "5.0.0", "bounced",
		    SAID(ORG_MX, "550 Rejected for no good reason (in reply "
		    "to RCPT TO command)"), "unclassified", -1 },
		{ "3F2A11C0B4", ORG, ORG_MX ":25", "5.1.1", "bounced",
		    SAID(ORG_MX, "550 5.1.1 <bob@example.org>: Recipient "
		    "address rejected (in reply to RCPT TO command)"),
		    "policy_rejection", -1 },
	};

	smtp_cases(c, sizeof(c) / sizeof(c[0]));
}

#define COM_MX	"mx.example.com[192.0.2.2]"
#define NET_MX	"mx.example.net[192.0.2.3]"

/* 550s about the sending IP: blocklist or reputation, not the mailbox */
Test(classify_lines, reputation_550, .init = setup, .fini = teardown,
    .timeout = 5)
{
	static const struct smtp_case c[] = {
		{ "3F2A11C0C1", ORG, ORG_MX ":25", "5.7.1", "bounced",
		    SAID(ORG_MX, "550 5.7.1 Service unavailable; client "
		    "[198.51.100.4] blocked using zen.spamhaus.org (in reply "
		    "to RCPT TO command)"), "policy_rejection", POL_BLOCKLIST },
		{ "3F2A11C0C2", "bob@example.com", COM_MX ":25", "5.7.1",
		    "bounced", SAID(COM_MX, "550-5.7.1 [198.51.100.4] Our "
		    "system has detected that this message is likely "
		    "suspicious due to the very low reputation of the sending "
		    "IP address. (in reply to end of DATA command)"),
		    "policy_rejection", POL_REPUTATION },
		{ "3F2A11C0C3", "bob@example.net", NET_MX ":25", "5.7.1",
		    "bounced", SAID(NET_MX, "550 5.7.1 Unfortunately, "
		    "messages from [198.51.100.4] weren't sent. Please contact "
		    "your Internet service provider since part of their "
		    "network is on our block list (S3150). (in reply to MAIL "
		    "FROM command)"), "policy_rejection", POL_BLOCKLIST },
		/* no enhanced code at all: the text alone must say it */
		{ "3F2A11C0C4", "bob@example.net", NET_MX ":25", "5.0.0",
		    "bounced", SAID(NET_MX, "550 Your IP has a poor "
		    "reputation (in reply to MAIL FROM command)"),
		    "policy_rejection", POL_REPUTATION },
	};

	smtp_cases(c, sizeof(c) / sizeof(c[0]));
}

/* sendmail's stat= label is weaker than the dsn= beside it */
Test(classify_lines, sendmail_label_below_dsn, .init = setup,
    .fini = teardown, .timeout = 5)
{
	struct event	 ev;

	cr_assert_str_eq(cause_line("Dec  7 10:00:00 mx sendmail[123]: "
	    "0B7A0a1B012345: to=<bob@example.org>, delay=00:00:01, "
	    "xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.example.org. "
	    "[192.0.2.1], dsn=5.1.3, stat=Service unavailable", &ev),
	    "invalid_address");
	cr_assert(ev.flags & EV_LABEL);
	/* a remote reply in stat= is the reply, not a label */
	cr_assert_str_eq(cause_line("Dec  7 10:00:00 mx sendmail[123]: "
	    "0B7A0a1B012346: to=<bob@example.org>, delay=00:00:01, "
	    "xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.example.org. "
	    "[192.0.2.1], dsn=4.0.0, stat=Deferred: 421 4.3.2 Service not "
	    "available, closing transmission channel", &ev),
	    "service_unavailable");
	cr_assert_eq(ev.flags & EV_LABEL, 0);
}

/* Postfix SASL: an auth service outage checked no password */
Test(classify_lines, sasl_auth_service, .init = setup, .fini = teardown,
    .timeout = 5)
{
	struct event	 ev;

	cr_assert_str_eq(cause_line("Dec  7 10:00:00 mx postfix/smtpd[4242]: "
	    "warning: unknown[192.0.2.9]: SASL PLAIN authentication failed: "
	    "Connection lost to authentication server", &ev), "server_error");
	cr_assert_eq(ev.detail, POL_AUTH_SERVICE);
	cr_assert(eq(ev.client, "192.0.2.9"));
}

/* UW imapd's failed AUTHENTICATE, with no user logged */
Test(classify_lines, uw_authenticate, .init = setup, .fini = teardown,
    .timeout = 5)
{
	struct event	 ev;

	cr_assert_str_eq(cause_line("Dec  7 10:00:00 mx imapd[12]: "
	    "AUTHENTICATE LOGIN failure host=pc.example [192.0.2.5]", &ev),
	    "auth_failure");
	cr_assert(eq(ev.client, "192.0.2.5"));
	cr_assert(eq(ev.text, "AUTHENTICATE LOGIN failure"));
	cr_assert_eq(ev.user.len, 0);
	cr_assert_str_eq(cause_line("Dec  7 10:00:00 mx ipop3d[12]: "
	    "AUTHENTICATE PLAIN failure host=[192.0.2.6]", &ev),
	    "auth_failure");
	cr_assert_eq(ev.proto, PROTO_POP3);
	/* an invalid mechanism is a BAD, not a failed login */
	cr_assert_str_eq(cause_line("Dec  7 10:00:00 mx imapd[12]: "
	    "AUTHENTICATE FOO invalid host=[192.0.2.6]", &ev), "");
}

/* Exim callouts and sender verification: policy, sender_verify */
Test(classify_lines, exim_sender_verify, .init = setup, .fini = teardown,
    .timeout = 5)
{
	struct event	 ev;

	cr_assert_str_eq(cause_line("1999-03-02 09:44:33 H=(test) "
	    "[192.0.2.1] F=<x9@test.ex> rejected RCPT <r9@test.ex>: Previous (cached) "
	    "callout verification failure", &ev), "policy_rejection");
	cr_assert_eq(ev.detail, POL_SENDER_VERIFY);
	cr_assert_str_eq(cause_line("2026-12-07 10:00:00 H=(test) "
	    "[192.0.2.1] F=<a@b.example> temporarily rejected RCPT "
	    "<r@test.ex>: Could not complete sender verify", &ev),
	    "policy_rejection");
	cr_assert_eq(ev.detail, POL_SENDER_VERIFY);
	/* the unknown user named is the sender's, not our mailbox */
	cr_assert_str_eq(cause_line("2026-12-07 10:00:00 H=(test) "
	    "[192.0.2.1] F=<a@b.example> rejected RCPT <r@test.ex>: Sender "
	    "verify failed: Unknown user", &ev), "policy_rejection");
}

/* Dovecot login processes that hung up on bad commands or too many */
Test(classify_lines, dovecot_login_refused, .init = setup,
    .fini = teardown, .timeout = 5)
{
	struct event	 ev;

	cr_assert_str_eq(cause_line("Jan 27 07:20:55 mail dovecot: "
	    "imap-login: Disconnected: Too many invalid commands (no auth "
	    "attempts in 3 secs): user=<>, rip=202.239.45.60, "
	    "lip=170.45.1.1, TLS, session=<w+SdnNy5/KRTYRQZ>", &ev),
	    "protocol_error");
	cr_assert(eq(ev.client, "202.239.45.60"));
	cr_assert(eq(ev.text, "Too many invalid commands"));
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_str_eq(cause_line("Dec  7 10:00:01 mx dovecot: pop3-login: "
	    "Disconnected: Too many bad commands (no auth attempts in 2 "
	    "secs): user=<>, rip=192.0.2.9, lip=192.0.2.1, session=<Ab12>",
	    &ev), "protocol_error");
	cr_assert_str_eq(cause_line("Apr  1 10:00:06 raptor dovecot: "
	    "imap-login: Maximum number of connections from user+IP exceeded "
	    "(mail_max_userip_connections): user=<oviraptor>, PID=12150, "
	    "method=PLAIN, rip=10.0.0.18, lip=192.168.190.13, TLS", &ev),
	    "rate_limited");
	cr_assert(eq(ev.user, "oviraptor"));
	/* other disconnects are not failures told to the client */
	cr_assert_str_eq(cause_line("Dec  7 10:00:01 mx dovecot: imap-login: "
	    "Disconnected (no auth attempts in 0 secs): user=<>, "
	    "rip=192.0.2.9, lip=192.0.2.1, session=<Ab12>", &ev), "");
}

/* too many connections: rate_limited, whoever says it */
Test(classify_lines, too_many_connections, .init = setup,
    .fini = teardown, .timeout = 5)
{
	struct event	 ev;

	cr_assert_str_eq(cause_line("Dec  7 10:00:00 mx postfix/postscreen[12]: "
	    "NOQUEUE: reject: CONNECT from [192.0.2.4]:1337: too many "
	    "connections", &ev), "rate_limited");
	cr_assert_str_eq(cause_line("2026-12-07 10:00:00 Connection from "
	    "[192.0.2.3] refused: too many connections from that IP address",
	    &ev), "rate_limited");
	cr_assert(eq(ev.client, "192.0.2.3"));
	smtp_cases(&(const struct smtp_case){ "3F2A11C0D1", ORG, ORG_MX ":25",
	    "4.7.0", "deferred", SAID(ORG_MX, "421 4.7.0 Too many concurrent "
	    "SMTP connections from this IP address; please try again later. "
	    "(in reply to end of DATA command)"), "rate_limited", -1 }, 1);
}

/* Postfix smtpd hangs up on a non-SMTP command (221 "I can break rules") */
Test(classify_lines, postfix_non_smtp, .init = setup, .fini = teardown,
    .timeout = 5)
{
	struct event	 ev;

	cr_assert_str_eq(cause_line("Jun 21 12:00:56 acme "
	    "postfix/submission/smtpd[20201]: warning: non-SMTP command from "
	    "unknown[1.2.3.4]: GET / HTTP/1.1", &ev), "protocol_error");
	cr_assert(eq(ev.client, "1.2.3.4"));
	cr_assert(eq(ev.text, "non-SMTP command"));
	/* other smtpd warnings stay no event */
	cr_assert_str_eq(cause_line("Aug 14 10:00:01 mail postfix/smtpd[1234]: "
	    "warning: hostname bad.example.com does not resolve to address "
	    "192.0.2.44: Name or service not known", &ev), "");
}
