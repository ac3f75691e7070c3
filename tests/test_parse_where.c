/*
 * The who and where each family's parser gives an event: the client's
 * address and reverse name (inbound), the remote server (outbound) and
 * the direction. One case per family, lines as the daemons write them;
 * the expected fields are read off the lines by hand.
 */
#include "parse_util.h"

/* What a line must give: NULL leaves a field unchecked, "" wants it empty. */
struct want {
	const char	*client, *cname, *remote, *user;
	int		 dir;		/* enum dir, as event_dir settles it */
};

static void
field(struct slice got, const char *want, const char *what, const char *l)
{
	if (want != NULL)
		cr_assert(eq(got, want), "%s: got '%.*s', want '%s' in %s",
		    what, (int)got.len, got.p != NULL ? got.p : "", want, l);
}

/* Parses l, which must be one event, and checks who and where it names. */
static void
where(const char *l, struct want w)
{
	struct event	 ev;

	cr_assert_eq(line(l, &ev), 1, "not an event: %s", l);
	field(ev.client, w.client, "client", l);
	field(ev.cname, w.cname, "reverse name", l);
	field(ev.remote, w.remote, "remote", l);
	field(ev.user, w.user, "user", l);
	cr_assert_eq(event_dir(&ev), w.dir, "direction of %s", l);
}

Test(parse_where, postfix_postscreen_client, .timeout = 5)
{
	where("Nov 21 09:10:00 mx1 postfix/postscreen[901]: NOQUEUE: reject: "
	    "RCPT from [2001:db8::45]:51544: 550 5.7.1 Service unavailable; "
	    "client [2001:db8::45] blocked using zen.spamhaus.org; "
	    "from=<q@r.example>, to=<c@example.net>, proto=ESMTP, helo=<x>",
	    (struct want){ "2001:db8::45", "", NULL, NULL, DIR_TO_CLIENT });
}

Test(parse_where, dovecot_rip, .timeout = 5)
{
	where("Nov 21 08:01:05 store1 dovecot: pop3-login: Disconnected: "
	    "Connection closed (auth failed, 2 attempts in 5 secs): "
	    "user=<bob@example.net>, method=PLAIN, rip=192.0.2.22, "
	    "lip=10.0.0.11, TLS, session=<bbbb0001>",
	    (struct want){ "192.0.2.22", NULL, NULL, NULL, DIR_TO_CLIENT });
}

Test(parse_where, exim_reject_name_and_ip, .timeout = 5)
{
	where("2026-11-21 09:06:00 H=relay.example.com [203.0.113.5] "
	    "F=<a@example.com> rejected RCPT <someone@elsewhere.example>: "
	    "relay not permitted", (struct want){ "203.0.113.5",
	    "relay.example.com", NULL, NULL, DIR_TO_CLIENT });
	/* a HELO name in parentheses is no reverse name */
	where("2026-11-21 09:07:00 H=(pc) [192.0.2.20] F=<a@example.com> "
	    "rejected RCPT <zed@example.net>: Unrouteable address",
	    (struct want){ "192.0.2.20", "", NULL, NULL, DIR_TO_CLIENT });
}

Test(parse_where, exim_delivery_remote, .timeout = 5)
{
	where("2026-11-21 10:00:02 1vA2bb-000002-CD ** erin@remote.example "
	    "R=dnslookup T=remote_smtp H=mx.remote.example [192.0.2.50]: "
	    "SMTP error from remote mail server after RCPT "
	    "TO:<erin@remote.example>: 550 5.1.1 <erin@remote.example>: "
	    "Recipient address rejected: User unknown", (struct want){ "",
	    NULL, "mx.remote.example", "erin@remote.example",
	    DIR_FROM_REMOTE });
}

Test(parse_where, sendmail_relay, .timeout = 5)
{
	where("Nov 21 09:05:00 mx1 sm-mta[102]: 4ALA0002: ruleset=check_rcpt, "
	    "arg1=<someone@elsewhere.example>, relay=dsl.example.net. "
	    "[198.51.100.7], reject=550 5.7.1 <someone@elsewhere.example>... "
	    "Relaying denied", (struct want){ "198.51.100.7",
	    "dsl.example.net", NULL, NULL, DIR_TO_CLIENT });
	/* an SMTP mailer's deferral: outbound to the relay */
	where("Nov 21 09:10:00 mx1 sm-mta[104]: 4ALA0004: to=<x@far.example>, "
	    "delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, "
	    "relay=mx.far.example. [192.0.2.80], dsn=4.2.2, stat=Deferred: "
	    "452 4.2.2 Mailbox full", (struct want){ "", NULL,
	    "mx.far.example", NULL, DIR_FROM_REMOTE });
}

Test(parse_where, courier_ip, .timeout = 5)
{
	where("Nov 21 08:01:00 mail imapd: LOGIN FAILED, user=bob, "
	    "ip=[::ffff:192.0.2.32]",
	    (struct want){ "192.0.2.32", NULL, NULL, NULL, DIR_TO_CLIENT });
}

Test(parse_where, cyrus_badlogin_name, .timeout = 5)
{
	where("Nov 21 07:01:00 store cyrus/imap[501]: badlogin: pc.example "
	    "[192.0.2.32] plaintext bob SASL(-13): authentication failure: "
	    "checkpass failed", (struct want){ "192.0.2.32", "pc.example",
	    NULL, NULL, DIR_TO_CLIENT });
}

Test(parse_where, uw_host, .timeout = 5)
{
	where("Nov 21 06:01:00 mail imapd[601]: Login failed user=bob "
	    "auth=bob host=pc.example [192.0.2.32]", (struct want){
	    "192.0.2.32", "pc.example", NULL, NULL, DIR_TO_CLIENT });
}

Test(parse_where, opensmtpd_address, .timeout = 5)
{
	/* this line has no address=: the client stays empty, never wrong */
	where("Nov 21 10:00:02 mx smtpd[811]: 38dd06274cde1fd7 smtp "
	    "failed-command command=\"RCPT TO:<nobody@example.net>\" "
	    "result=\"550 Invalid recipient: <nobody@example.net>\"",
	    (struct want){ "", NULL, NULL, NULL, DIR_TO_CLIENT });
	where("Nov 21 10:05:02 mx smtpd[811]: 45addba89269aeaa smtp "
	    "authentication user=alice address=203.0.113.7 host=<unknown> "
	    "result=permfail", (struct want){ "203.0.113.7", NULL, NULL, NULL,
	    DIR_TO_CLIENT });
}

Test(parse_where, exchange_endpoint, .timeout = 5)
{
	where("2026-11-21T10:00:05.000Z,EX01\\Default Frontend EX01,"
	    "08DE2A1B3C4D5E70,4,10.0.0.5:25,198.51.100.8:40022,>,550 5.1.10 "
	    "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP "
	    "address lookup,", (struct want){ "198.51.100.8", NULL, NULL, NULL,
	    DIR_TO_CLIENT });
}

/* Exim's traffic: what each mainlog verb gives (exim_exporter's lines) */
Test(parse_where, exim_traffic, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2020-06-19 04:51:49 [123] 1jmFYj-00039V-QX <= "
	    "noreply@test.corp H=(test.corp) [2.2.2.2] P=smtp S=7386", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert(eq(ev.qid, "1jmFYj-00039V-QX"));
	cr_assert(eq(ev.from, "noreply@test.corp"));
	cr_assert(eq(ev.addr, "[2.2.2.2]"));
	cr_assert_eq(ev.size, 7386);
	cr_assert_str_eq(parse_family_name(ev.fam), "exim");
	cr_assert_eq(line("2020-06-19 04:54:02 1jmFas-0004f6-EB <= <> "
	    "R=1jmFYj-00039V-QX U=Debian-exim P=local S=8656", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert_eq(ev.from.len, 0);		/* the null sender */
	cr_assert_eq(ev.size, 8656);
	cr_assert_eq(line("2020-06-20 00:13:16 1jmXgg-000AIC-89 -> "
	    "sally@dummy.corp R=dnslookup T=remote_smtp_smarthost "
	    "H=smarthost.test.corp [5.5.5.5] C=\"250 OK\"", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SENT);
	cr_assert(eq(ev.addr, "sally@dummy.corp"));
	cr_assert_eq(line("2020-06-19 06:26:02 1jmH1s-000AVD-5t Completed",
	    &ev), 0);
	cr_assert_eq(ev.tkind, TR_REMOVED);
	cr_assert_eq(line("2020-06-19 04:54:02 1jmFYj-00039V-QX ** "
	    "bob@null.corp: retry timeout exceeded", &ev), 1);
	cr_assert_eq(ev.tkind, TR_BOUNCED);
	/* a wait is no attempt: neither an event nor a deferral */
	cr_assert_eq(line("2020-06-19 05:00:00 1jmFYj-00039V-QX == "
	    "bob@null.corp R=dnslookup T=remote_smtp defer (-53): retry time "
	    "not reached for any host", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
}
