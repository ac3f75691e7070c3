/*
 * Unit tests of the line layouts (src/parse/layout.c) with real lines:
 * Dovecot 2.3.19 writing its own log files (log_path, info_log_path,
 * default and ISO log_timestamp; run on 127.0.0.1 with a failed login, an
 * unknown user and a POP3 lock contention made with Python's poplib),
 * journalctl 252's short, short-iso, short-precise and short-iso-precise
 * output of one journal, util-linux logger's RFC 5424 and RFC 3164
 * datagrams, daemontools' multilog and tai64nlocal, and lines of
 * ../shared/corpus (fail2ban, exim-testsuite, lograptor). Expected fields
 * are read off the lines by eye; times are time_days plus h * 3600 + m *
 * 60 + s of the stamp as written (TAI64N: label - 2^62 - 10, worked out
 * by hand below).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/parse.h"
#include "parse_util.h"

#define DAY(y, m, d)	(time_days((y), (m), (d)) * 86400)
#define HMS(h, m, s)	((h) * 3600 + (m) * 60 + (s))

static struct timecache	 cache;

/* The header of l with the year 2026 and no file layout. */
static int
hdr(const char *l, struct logline *ll)
{
	struct timectx	 tc;

	timectx_init(&tc, 0, 2026);
	return parse_header(S(l), &tc, &cache, ll);
}

static void
want_ll(const struct logline *ll, int layout, int64_t t, const char *host,
    const char *prog, const char *msg)
{
	cr_assert_eq(ll->layout, layout, "layout %s, want %s",
	    layout_name(ll->layout), layout_name(layout));
	cr_assert_eq(ll->t, t, "t %lld, want %lld", (long long)ll->t,
	    (long long)t);
	cr_assert(eq(ll->host, host), "host '%.*s'", (int)ll->host.len,
	    ll->host.p);
	cr_assert(eq(ll->program, prog), "program '%.*s'",
	    (int)ll->program.len, ll->program.p);
	cr_assert(eq(ll->msg, msg), "msg '%.*s'", (int)ll->msg.len,
	    ll->msg.p);
}

/* --- Dovecot's own log files ----------------------------------------- */

Test(layout, dovecot_default_timestamp, .timeout = 5)
{
	struct logline	 ll;

	cr_assert_eq(hdr("Dec 07 12:54:27 pop3-login: Info: Disconnected: "
	    "Connection closed (auth failed, 1 attempts in 2 secs): "
	    "user=<alice>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, "
	    "secured, session=<iRW9uQpi9s5/AAAB>", &ll), 0);
	want_ll(&ll, LAYOUT_DOVECOT, DAY(2026, 12, 7) + HMS(12, 54, 27), "",
	    "dovecot", "pop3-login: Disconnected: Connection closed (auth "
	    "failed, 1 attempts in 2 secs): user=<alice>, method=PLAIN, "
	    "rip=127.0.0.1, lip=127.0.0.1, secured, "
	    "session=<iRW9uQpi9s5/AAAB>");
	/* a level other than Info stays, as Dovecot writes it to syslog */
	cr_assert_eq(hdr("2026-12-07 12:55:39 master: Warning: Killed with "
	    "signal 15 (by pid=11478 uid=0 code=kill)", &ll), 0);
	want_ll(&ll, LAYOUT_DOVECOT, DAY(2026, 12, 7) + HMS(12, 55, 39), "",
	    "dovecot", "master: Warning: Killed with signal 15 (by "
	    "pid=11478 uid=0 code=kill)");
}

Test(layout, dovecot_iso_timestamp, .timeout = 5)
{
	struct logline	 ll;

	cr_assert_eq(hdr("2026-12-07 12:55:13 auth: Info: passwd-file(nosuch,"
	    "127.0.0.1,<pn1YvApi0Ld/AAAB>): unknown user", &ll), 0);
	want_ll(&ll, LAYOUT_DOVECOT, DAY(2026, 12, 7) + HMS(12, 55, 13), "",
	    "dovecot", "auth: passwd-file(nosuch,127.0.0.1,"
	    "<pn1YvApi0Ld/AAAB>): unknown user");
}

/*
 * Each real own-file line and the line Dovecot would have sent to syslog
 * for the same event (log prefix, then the text, without "Info: "): the
 * Dovecot parser must make the same event, or the same non-event, of
 * both.
 */
Test(layout, dovecot_counts_as_through_syslog, .timeout = 5)
{
	static const char *const pairs[][2] = {
		{ "Dec 07 12:54:27 pop3-login: Info: Disconnected: Connection "
		  "closed (auth failed, 1 attempts in 2 secs): user=<alice>, "
		  "method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, secured, "
		  "session=<iRW9uQpi9s5/AAAB>",
		  "Dec  7 12:54:27 mx dovecot: pop3-login: Disconnected: "
		  "Connection closed (auth failed, 1 attempts in 2 secs): "
		  "user=<alice>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, "
		  "secured, session=<iRW9uQpi9s5/AAAB>" },
		{ "Dec 07 12:54:41 pop3-login: Info: Login: user=<alice>, "
		  "method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=5040, "
		  "secured, session=<mhwwugpi+Ml/AAAB>",
		  "Dec  7 12:54:41 mx dovecot: pop3-login: Login: "
		  "user=<alice>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, "
		  "mpid=5040, secured, session=<mhwwugpi+Ml/AAAB>" },
		{ "Dec 07 12:54:51 pop3(alice)<5051><UlWrugpilOh/AAAB>: Info: "
		  "Disconnected: Couldn't lock POP3 session top=0/0, "
		  "retr=0/0, del=0/0, size=0",
		  "Dec  7 12:54:51 mx dovecot: pop3(alice)<5051>"
		  "<UlWrugpilOh/AAAB>: Disconnected: Couldn't lock POP3 "
		  "session top=0/0, retr=0/0, del=0/0, size=0" },
		{ "2026-12-07 12:55:07 auth: Info: passwd-file(alice,127.0.0.1,"
		  "<YjVBvApiwLd/AAAB>): Password mismatch",
		  "Dec  7 12:55:07 mx dovecot: auth: passwd-file(alice,"
		  "127.0.0.1,<YjVBvApiwLd/AAAB>): Password mismatch" },
		{ "2026-12-07 12:55:13 auth: Info: passwd-file(nosuch,"
		  "127.0.0.1,<pn1YvApi0Ld/AAAB>): unknown user",
		  "Dec  7 12:55:13 mx dovecot: auth: passwd-file(nosuch,"
		  "127.0.0.1,<pn1YvApi0Ld/AAAB>): unknown user" },
		{ "Dec 07 12:54:53 imap-login: Info: Disconnected: Connection "
		  "closed (auth failed, 1 attempts in 2 secs): user=<bob>, "
		  "method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, secured, "
		  "session=<pLRKuwpi8p5/AAAB>",
		  "Dec  7 12:54:53 mx dovecot: imap-login: Disconnected: "
		  "Connection closed (auth failed, 1 attempts in 2 secs): "
		  "user=<bob>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, "
		  "secured, session=<pLRKuwpi8p5/AAAB>" },
	};
	/* what each pair must give: return, count, user, tkind */
	static const struct {
		int		 rc;
		unsigned	 count;
		const char	*user;
		int		 tkind;
	} want[] = {
		{ 1, 1, "alice", TR_NONE },
		{ 0, 1, "", TR_LOGIN_OK },
		{ 1, 1, "alice", TR_NONE },
		{ 0, 1, "", TR_NONE },
		{ 1, 1, "nosuch", TR_NONE },
		{ 1, 1, "bob", TR_NONE },
	};
	struct timecache	 c2;
	struct timectx		 tc;
	struct logline		 a, b;
	struct event		 ea, eb;
	size_t			 i;
	int			 ra, rb, ka, kb;

	memset(&c2, 0, sizeof(c2));
	timectx_init(&tc, 0, 2026);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		parse_header(S(pairs[i][0]), &tc, &cache, &a);
		parse_header(S(pairs[i][1]), &tc, &c2, &b);
		cr_assert_eq(a.layout, LAYOUT_DOVECOT, "%zu", i);
		cr_assert_eq(b.layout, LAYOUT_SYSLOG, "%zu", i);
		cr_assert_eq(a.t, b.t, "%zu", i);
		ra = parse_line_known(&a, &ea, &ka);
		rb = parse_line_known(&b, &eb, &kb);
		cr_assert(ka && kb, "%zu: recognised", i);
		cr_assert_eq(ra, want[i].rc, "%zu", i);
		cr_assert_eq(rb, want[i].rc, "%zu", i);
		cr_assert_eq(ea.count, want[i].count, "%zu", i);
		cr_assert_eq(eb.count, want[i].count, "%zu", i);
		cr_assert_eq(ea.tkind, want[i].tkind, "%zu", i);
		cr_assert_eq(eb.tkind, want[i].tkind, "%zu", i);
		cr_assert_eq(ea.cause, eb.cause, "%zu", i);
		cr_assert_eq(ea.proto, eb.proto, "%zu", i);
		cr_assert_eq(ea.flags, eb.flags, "%zu", i);
		if (ra == 1) {
			cr_assert(eq(ea.user, want[i].user), "%zu", i);
			cr_assert(eq(eb.user, want[i].user), "%zu", i);
			cr_assert(slice_eq(ea.session, eb.session.p,
			    eb.session.len), "%zu", i);
			cr_assert(slice_eq(ea.text, eb.text.p, eb.text.len),
			    "%zu: '%.*s'", i, (int)ea.text.len, ea.text.p);
		}
	}
}

/* Without the header state there is no scratch: "Info: " stays. */
Test(layout, dovecot_without_scratch, .timeout = 5)
{
	struct timectx	 tc;
	struct logline	 ll;

	timectx_init(&tc, 0, 2026);
	cr_assert_eq(parse_header(S("Dec 07 12:54:41 pop3-login: Info: "
	    "Login: user=<alice>"), &tc, NULL, &ll), 0);
	want_ll(&ll, LAYOUT_DOVECOT, DAY(2026, 12, 7) + HMS(12, 54, 41), "",
	    "dovecot", "pop3-login: Info: Login: user=<alice>");
}

/* --- journald ---------------------------------------------------------- */

#define JMSG	"NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 550 5.1.1 " \
	"<nobody@example.net>: Recipient address rejected: User unknown in " \
	"local recipient table; from=<a@example.org> to=<nobody@example.net> " \
	"proto=ESMTP helo=<x>"

Test(layout, journalctl_outputs, .timeout = 5)
{
	static const struct {
		const char	*line;
		int		 layout;
	} j[] = {
		{ "Dec 07 11:43:35 mx postfix/smtpd[12345]: " JMSG,
		  LAYOUT_SYSLOG },
		{ "2026-12-07T11:43:35+0000 mx postfix/smtpd[12345]: " JMSG,
		  LAYOUT_JOURNAL_ISO },
		{ "Dec 07 11:43:35.123456 mx postfix/smtpd[12345]: " JMSG,
		  LAYOUT_PRECISE },
		{ "2026-12-07T11:43:35.123456+0000 mx postfix/smtpd[12345]: "
		  JMSG, LAYOUT_JOURNAL_ISO },
	};
	struct logline	 ll;
	struct event	 ev;
	size_t		 i;

	for (i = 0; i < sizeof(j) / sizeof(j[0]); i++) {
		cr_assert_eq(hdr(j[i].line, &ll), 0, "%s", j[i].line);
		want_ll(&ll, j[i].layout, DAY(2026, 12, 7) + HMS(11, 43, 35),
		    "mx", "postfix/smtpd", JMSG);
		cr_assert_eq(parse_line(&ll, &ev), 1);
		cr_assert_str_eq(ev.code, "550");
		cr_assert_str_eq(ev.enh, "5.1.1");
		cr_assert(eq(ev.user, "nobody@example.net"));
	}
	/* journald under another zone: the wall clock as written */
	cr_assert_eq(hdr("2026-12-07T12:43:35+0100 mx postfix/smtpd[12345]: "
	    JMSG, &ll), 0);
	want_ll(&ll, LAYOUT_JOURNAL_ISO, DAY(2026, 12, 7) + HMS(12, 43, 35),
	    "mx", "postfix/smtpd", JMSG);
	/* rsyslog's RFC 3339 stamp has a colon in its zone */
	cr_assert_eq(hdr("2026-12-07T11:43:35.651227+01:00 mx "
	    "postfix/smtpd[12345]: " JMSG, &ll), 0);
	want_ll(&ll, LAYOUT_RFC3339, DAY(2026, 12, 7) + HMS(11, 43, 35),
	    "mx", "postfix/smtpd", JMSG);
}

/* --- RFC 3164 without host, without pid -------------------------------- */

Test(layout, rfc3164_without_host_or_pid, .timeout = 5)
{
	struct logline	 ll;
	struct event	 ev;

	/* ../shared/corpus/fail2ban/cyrus-imap */
	cr_assert_eq(hdr("Feb 20 17:23:32 cyrus/pop3[4297]: badlogin: "
	    "example.com [1.2.3.4] plaintext mail0001 SASL(-13): "
	    "authentication failure: checkpass failed", &ll), 0);
	want_ll(&ll, LAYOUT_SYSLOG, DAY(2026, 2, 20) + HMS(17, 23, 32), "",
	    "cyrus/pop3", "badlogin: example.com [1.2.3.4] plaintext "
	    "mail0001 SASL(-13): authentication failure: checkpass failed");
	cr_assert_eq(parse_line(&ll, &ev), 1);
	cr_assert(eq(ev.user, "mail0001"));
	/* with host, without pid */
	cr_assert_eq(hdr("Dec  7 13:09:15 vm popper: alice at 198.51.100.7 "
	    "(198.51.100.7): -ERR [IN-USE] Unable to lock maildrop", &ll), 0);
	want_ll(&ll, LAYOUT_SYSLOG, DAY(2026, 12, 7) + HMS(13, 9, 15), "vm",
	    "popper", "alice at 198.51.100.7 (198.51.100.7): -ERR [IN-USE] "
	    "Unable to lock maildrop");
	/* with "<PRI>" before it, as util-linux logger --rfc3164 sends */
	cr_assert_eq(hdr("<19>Dec  7 13:09:15 vm popper[4242]: alice at "
	    "198.51.100.7 (198.51.100.7): -ERR [IN-USE] Unable to lock "
	    "maildrop", &ll), 0);
	want_ll(&ll, LAYOUT_SYSLOG, DAY(2026, 12, 7) + HMS(13, 9, 15), "vm",
	    "popper", "alice at 198.51.100.7 (198.51.100.7): -ERR [IN-USE] "
	    "Unable to lock maildrop");
}

/* ../shared/corpus/fail2ban: a one-digit day with one blank, and a
 * template's "<facility.level>" before the host */
Test(layout, rfc3164_short_day_and_level, .timeout = 5)
{
	struct logline	 ll;
	struct event	 ev;

	cr_assert_eq(hdr("Jan 4 21:51:05 hostname cyrus/imap[5355]: badlogin: "
	    "localhost.localdomain [127.0.0.1] plaintext cyrus@localdomain "
	    "SASL(-13): authentication failure: checkpass failed", &ll), 0);
	want_ll(&ll, LAYOUT_SYSLOG, DAY(2026, 1, 4) + HMS(21, 51, 5),
	    "hostname", "cyrus/imap", "badlogin: localhost.localdomain "
	    "[127.0.0.1] plaintext cyrus@localdomain SASL(-13): "
	    "authentication failure: checkpass failed");
	cr_assert_eq(parse_line(&ll, &ev), 1);
	cr_assert(eq(ev.user, "cyrus@localdomain"));
	cr_assert_eq(hdr("Jun 17 14:37:39 <mail.notice> robin sm-mta[2794]: "
	    "55HIbcGI002794: <baduser@yourhost.com>... User unknown", &ll), 0);
	want_ll(&ll, LAYOUT_SYSLOG, DAY(2026, 6, 17) + HMS(14, 37, 39),
	    "robin", "sm-mta", "55HIbcGI002794: <baduser@yourhost.com>... "
	    "User unknown");
	/* a day of two digits after one blank is still the usual stamp */
	cr_assert_eq(hdr("Dec 12 01:02:03 mx popper: x", &ll), 0);
	want_ll(&ll, LAYOUT_SYSLOG, DAY(2026, 12, 12) + HMS(1, 2, 3), "mx",
	    "popper", "x");
	/* "Jan 0 ..." is no stamp */
	cr_assert_eq(hdr("Jan 0 01:02:03 mx popper: x", &ll), -1);
}

/* --- RFC 5424 ------------------------------------------------------- */

Test(layout, rfc5424, .timeout = 5)
{
	struct logline	 ll;
	struct event	 ev;

	/* util-linux logger --rfc5424 */
	cr_assert_eq(hdr("<22>1 2026-12-07T13:09:15.651227+00:00 vm "
	    "postfix/smtpd 12345 - [timeQuality tzKnown=\"1\" "
	    "isSynced=\"0\"] " JMSG, &ll), 0);
	want_ll(&ll, LAYOUT_RFC5424, DAY(2026, 12, 7) + HMS(13, 9, 15), "vm",
	    "postfix/smtpd", JMSG);
	cr_assert_eq(parse_line(&ll, &ev), 1);
	cr_assert_str_eq(ev.enh, "5.1.1");
	/* two SD elements, a ']' escaped inside a quoted value */
	cr_assert_eq(hdr("<22>1 2026-12-07T13:09:15.665644+00:00 vm dovecot "
	    "- - [timeQuality tzKnown=\"1\" isSynced=\"0\"][origin@32473 "
	    "software=\"dovecot\\]x\"] pop3(alice)<24272><T9rJuwli>: "
	    "Disconnected: Couldn't lock POP3 session top=0/0, retr=0/0, "
	    "del=0/0, size=0", &ll), 0);
	want_ll(&ll, LAYOUT_RFC5424, DAY(2026, 12, 7) + HMS(13, 9, 15), "vm",
	    "dovecot", "pop3(alice)<24272><T9rJuwli>: Disconnected: Couldn't "
	    "lock POP3 session top=0/0, retr=0/0, del=0/0, size=0");
	cr_assert_eq(parse_line(&ll, &ev), 1);
	cr_assert(eq(ev.user, "alice"));
	/* logger --rfc5424=notime: no time ("-"), still split */
	cr_assert_eq(hdr("<22>1 - vm dovecot - - - x", &ll), -1);
	cr_assert_eq(ll.layout, LAYOUT_RFC5424);
	cr_assert(eq(ll.program, "dovecot"));
	cr_assert(eq(ll.msg, "x"));
	/* RFC 5424's own example (../shared/corpus/lograptor/rfc5424.log) */
	cr_assert_eq(hdr("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com "
	    "su - ID47 - BOM'su root' failed for lonvick on /dev/pts/8",
	    &ll), 0);
	want_ll(&ll, LAYOUT_RFC5424, DAY(2003, 10, 11) + HMS(22, 14, 15),
	    "mymachine.example.com", "su", "BOM'su root' failed for lonvick "
	    "on /dev/pts/8");
	/* without "<PRI>", and a real BOM before the message */
	cr_assert_eq(hdr("1 2026-12-07T11:43:35Z mx postfix/smtpd 12 - - "
	    "\xef\xbb\xbf" JMSG, &ll), 0);
	want_ll(&ll, LAYOUT_RFC5424, DAY(2026, 12, 7) + HMS(11, 43, 35), "mx",
	    "postfix/smtpd", JMSG);
}

/* --- multilog, tai64nlocal ------------------------------------------ */

/*
 * multilog t wrote "@400000006b16afe83244eb5c" at Unix time 1796648936
 * (0x6b16afe8 - 10), 2026-12-07 13:08:46 UTC: tai64nlocal printed
 * "2026-12-07 13:08:46.843377500" under TZ=UTC for the same line.
 */
#define QDEFER	"delivery 12: deferral: Connected_to_192.0.2.25_but_greeting_" \
	"failed./Remote_host_said:_421_4.3.2_Service_shutting_down/"

Test(layout, multilog_qmail, .timeout = 5)
{
	struct logline	 ll;
	struct event	 ev;
	int		 known;

	cr_assert_eq(hdr("@400000006b16afe83244eb5c " QDEFER, &ll), 0);
	want_ll(&ll, LAYOUT_MULTILOG, DAY(2026, 12, 7) + HMS(13, 8, 46), "",
	    "", QDEFER);
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 1);
	cr_assert(known);
	cr_assert_str_eq(ev.code, "421");
	cr_assert_str_eq(ev.enh, "4.3.2");
	cr_assert_eq(ev.dir, DIR_FROM_REMOTE);
	/* qmail-send's other lines are qmail's too, but no event */
	cr_assert_eq(hdr("@400000006b16afe83244e774 starting delivery 12: msg "
	    "1180211 to remote nobody@example.net", &ll), 0);
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 0);
	cr_assert(known);
	/* tcpserver's are nobody's this report knows */
	cr_assert_eq(hdr("@400000006b16afe83244eb5c tcpserver: status: 1/40",
	    &ll), 0);
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 0);
	cr_assert(!known);
	/* tai64nlocal's rendering of the same line */
	cr_assert_eq(hdr("2026-12-07 13:08:46.843377500 " QDEFER, &ll), 0);
	want_ll(&ll, LAYOUT_TAI64NLOCAL, DAY(2026, 12, 7) + HMS(13, 8, 46),
	    "", "", QDEFER);
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 1);
	cr_assert(known);
	cr_assert_str_eq(ev.code, "421");
	/* not Exim's, though the stamp looks like a mainlog's */
	cr_assert_eq(hdr("2026-12-07 13:08:46.843377500 tcpserver: status: "
	    "1/40", &ll), 0);
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 0);
	cr_assert(!known);
}

/*
 * Dovecot logging to stderr under multilog (../shared/corpus/fail2ban/
 * dovecot): 0x4c91b044 = 1284616260, less 10 s = 2010-09-16 05:50:50.
 */
Test(layout, multilog_dovecot, .timeout = 5)
{
	struct logline	 ll;
	struct event	 ev;

	cr_assert_eq(hdr("@400000004c91b044077a9e94 imap-login: Info: Aborted "
	    "login (auth failed, 1 attempts): user=<martin@waschbuesch.de>, "
	    "method=CRAM-MD5, rip=80.187.101.33, lip=80.254.129.240, TLS",
	    &ll), 0);
	want_ll(&ll, LAYOUT_MULTILOG, DAY(2010, 9, 16) + HMS(5, 50, 50), "",
	    "dovecot", "imap-login: Aborted login (auth failed, 1 attempts): "
	    "user=<martin@waschbuesch.de>, method=CRAM-MD5, "
	    "rip=80.187.101.33, lip=80.254.129.240, TLS");
	cr_assert_eq(parse_line(&ll, &ev), 1);
	cr_assert(eq(ev.user, "martin@waschbuesch.de"));
	/* not 24 hex digits: no stamp */
	cr_assert_eq(hdr("@400000004c91b044077a9e9 x", &ll), -1);
	cr_assert_eq(hdr("@400000004c91b044077a9g94 x", &ll), -1);
}

/* --- Exim, Exchange ----------------------------------------------------- */

/* ../shared/corpus/exim-testsuite: mainlog, rejectlog, paniclog */
Test(layout, exim_logs, .timeout = 5)
{
	struct logline	 ll;
	struct event	 ev;
	int		 known;

	cr_assert_eq(hdr("1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** "
	    "usery@domain1 <userx@domain1> R=route_smtp T=smtp H=127.0.0.1 "
	    "[127.0.0.1] : SMTP error from remote mail server after RCPT "
	    "TO:<usery@domain1>: 550 Not that one", &ll), 0);
	cr_assert_eq(ll.layout, LAYOUT_EXIM);
	cr_assert_eq(ll.t, DAY(1999, 3, 2) + HMS(9, 44, 33));
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 1);
	cr_assert(known);
	cr_assert_str_eq(ev.code, "550");
	/* log_selector +pid, +millisec */
	cr_assert_eq(hdr("1999-03-02 09:44:33 [1237] exim x.yz daemon started: "
	    "pid=p1236, no queue runs, listening for SMTPS on port PORT_D",
	    &ll), 0);
	cr_assert_eq(ll.layout, LAYOUT_EXIM);
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 0);
	cr_assert(known);
	cr_assert_eq(hdr("2017-07-30 18:51:05.712 H=(tester) [127.0.0.1] "
	    "Ci=p1234 F=<someone@some.domain> rejected RCPT "
	    "<dummy@reject.ex>: relay not permitted", &ll), 0);
	cr_assert_eq(ll.layout, LAYOUT_EXIM);
	cr_assert_eq(ll.t, DAY(2017, 7, 30) + HMS(18, 51, 5));
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 1);
	cr_assert(eq(ev.user, "dummy@reject.ex"));
	/* rejectlog: the reject, then the headers, which are no log line */
	cr_assert_eq(hdr("1999-03-02 09:44:33 10HmaX-000000005vi-0000 "
	    "F=<CALLER@myhost.test.ex> rejected by non-SMTP ACL: Nyet", &ll),
	    0);
	cr_assert_eq(ll.layout, LAYOUT_EXIM);
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 1);
	cr_assert_eq(hdr("Envelope-from: <CALLER@myhost.test.ex>", &ll), -1);
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 0);
	cr_assert(!known);
	/* paniclog */
	cr_assert_eq(hdr("1999-03-02 09:44:33 Exim configuration error in line "
	    "12 of TESTSUITE/test-config:", &ll), 0);
	cr_assert_eq(ll.layout, LAYOUT_EXIM);
	cr_assert_eq(parse_line_known(&ll, &ev, &known), 0);
	cr_assert(known);
}

/* samples/exchange/recv.log */
Test(layout, exchange_csv, .timeout = 5)
{
	struct logline	 ll;

	cr_assert_eq(hdr("2026-11-21T10:00:01.102Z,EX01\\Default Frontend "
	    "EX01,08DE2A1B3C4D5E70,1,10.0.0.5:25,198.51.100.8:40022,>,\"220 "
	    "ex01.example.net Microsoft ESMTP MAIL Service ready at Sat, 21 "
	    "Nov 2026 10:00:01 +0000\",", &ll), 0);
	cr_assert_eq(ll.layout, LAYOUT_EXCHANGE);
	cr_assert_eq(ll.t, DAY(2026, 11, 21) + HMS(10, 0, 1));
	cr_assert_eq(ll.msg.p[0], ',');
}

/* --- Docker json-file --------------------------------------------------- */

Test(layout, docker_json_file, .timeout = 5)
{
	struct logline	 ll;
	struct event	 ev;

	/* a syslog line inside; the escapes undone; the year from "time" */
	cr_assert_eq(hdr("{\"log\":\"Dec  7 11:43:35 mx postfix/smtpd[12]: "
	    "NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 550 5.1.1 "
	    "\\u003cnobody@example.net\\u003e: Recipient address rejected: "
	    "User unknown in local recipient table; "
	    "from=\\u003ca@example.org\\u003e to=\\u003cnobody@example.net"
	    "\\u003e proto=ESMTP helo=\\u003cx\\u003e\\n\",\"stream\":"
	    "\"stdout\",\"time\":\"2025-12-07T11:43:35.123456789Z\"}", &ll),
	    0);
	want_ll(&ll, LAYOUT_DOCKER, DAY(2025, 12, 7) + HMS(11, 43, 35), "mx",
	    "postfix/smtpd", JMSG);
	cr_assert_eq(parse_line(&ll, &ev), 1);
	cr_assert(eq(ev.user, "nobody@example.net"));
	/* a Dec line logged on Jan 1st is last year's */
	cr_assert_eq(hdr("{\"log\":\"Dec 31 23:59:59 mx postfix/smtpd[12]: "
	    "x\\n\",\"stream\":\"stdout\",\"time\":"
	    "\"2026-01-01T00:00:01.5Z\"}", &ll), 0);
	cr_assert_eq(ll.t, DAY(2025, 12, 31) + HMS(23, 59, 59));
	/* Dovecot's own layout inside, logging to stderr */
	cr_assert_eq(hdr("{\"log\":\"Dec 07 12:54:51 pop3(alice)<5051>"
	    "<UlWrugpilOh/AAAB>: Info: Disconnected: Couldn't lock POP3 "
	    "session top=0/0, retr=0/0, del=0/0, size=0\\n\",\"stream\":"
	    "\"stderr\",\"time\":\"2026-12-07T12:54:51.000000001Z\"}", &ll),
	    0);
	want_ll(&ll, LAYOUT_DOCKER, DAY(2026, 12, 7) + HMS(12, 54, 51), "",
	    "dovecot", "pop3(alice)<5051><UlWrugpilOh/AAAB>: Disconnected: "
	    "Couldn't lock POP3 session top=0/0, retr=0/0, del=0/0, size=0");
	cr_assert_eq(parse_line(&ll, &ev), 1);
	cr_assert(eq(ev.user, "alice"));
	/* a line without its own stamp gets Docker's (UTC) */
	cr_assert_eq(hdr("{\"log\":\"qmail-smtpd: 421 unable to read "
	    "controls (#4.3.0)\\r\\n\",\"stream\":\"stdout\",\"time\":"
	    "\"2026-12-07T11:43:35.5Z\"}", &ll), 0);
	want_ll(&ll, LAYOUT_DOCKER, DAY(2026, 12, 7) + HMS(11, 43, 35), "",
	    "", "qmail-smtpd: 421 unable to read controls (#4.3.0)");
	/* a string that does not end is no Docker line */
	cr_assert_eq(hdr("{\"log\":\"Dec  7 11:43:35 mx p: \\", &ll), -1);
	cr_assert_eq(ll.layout, LAYOUT_UNKNOWN);
}

/* --- the per-file sniff --------------------------------------------------- */

static int
sniffed(const char *head)
{
	struct timectx	 tc;
	struct layout	 lo;

	timectx_init(&tc, 0, 2026);
	layout_sniff(S(head), &tc, &cache, &lo);
	return lo.kind;
}

Test(layout, sniff, .timeout = 5)
{
	cr_assert_eq(sniffed(""), LAYOUT_UNKNOWN);
	cr_assert_eq(sniffed("root:x:0:0:root:/root:/bin/bash\n"
	    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"),
	    LAYOUT_UNKNOWN);
	/* the majority wins; a tie goes to the first seen */
	cr_assert_eq(sniffed("Dec 07 12:54:21 master: Info: Dovecot v2.3.19.1 "
	    "starting up\nDec  7 12:54:22 mx postfix/qmgr[1]: x\n"
	    "Dec 07 12:54:27 pop3-login: Info: Disconnected: x\n"),
	    LAYOUT_DOVECOT);
	cr_assert_eq(sniffed("Dec  7 12:54:22 mx postfix/qmgr[1]: x\r\n"
	    "Dec 07 12:54:27 pop3-login: Info: Disconnected: x\r\n"),
	    LAYOUT_SYSLOG);
	cr_assert_eq(sniffed("#Software: Microsoft Exchange Server\n"
	    "#Version: 15.0.0.0\n#Log-type: SMTP Receive Protocol Log\n"
	    "#Date: 2026-11-21T09:00:00.000Z\n"
	    "#Fields: date-time,connector-id,session-id\n"),
	    LAYOUT_EXCHANGE);
	cr_assert_eq(sniffed("@400000006b16afe83244e38c new msg 1180211\n"
	    "@400000006b16afe83244e774 info msg 1180211: bytes 2207\n"),
	    LAYOUT_MULTILOG);
	cr_assert_eq(sniffed("2026-11-21 10:00:00,123 INFO  [ImapServer-1] "
	    "[] imap - x\n"), LAYOUT_LOG4J);
	cr_assert_eq(strcmp(layout_name(LAYOUT_DOVECOT), "dovecot-log"), 0);
	cr_assert_eq(strcmp(layout_name(-1), "unknown"), 0);
	cr_assert_eq(strcmp(layout_name(LAYOUT_COUNT), "unknown"), 0);
}

/* A file's layout reads its lines, and falls back on a line of another. */
Test(layout, file_layout_falls_back, .timeout = 5)
{
	struct layout	 lo = { LAYOUT_EXIM };
	struct timectx	 tc;
	struct logline	 ll;

	timectx_init(&tc, 0, 2026);
	/* in an Exim file, a Dovecot-looking line stays Exim's */
	cr_assert_eq(layout_header(S("2026-12-07 11:43:35 H=x: Error: y"),
	    &lo, &tc, &cache, &ll), 0);
	cr_assert_eq(ll.layout, LAYOUT_EXIM);
	cr_assert(eq(ll.msg, "H=x: Error: y"));
	/* a syslog line in it is read as syslog */
	cr_assert_eq(layout_header(S("Dec  7 11:43:35 mx postfix/smtpd[1]: "
	    "x"), &lo, &tc, &cache, &ll), 0);
	cr_assert_eq(ll.layout, LAYOUT_SYSLOG);
	cr_assert(eq(ll.program, "postfix/smtpd"));
	lo.kind = LAYOUT_MULTILOG;
	cr_assert_eq(layout_header(S("@400000006b16afe83244e38c new msg 1"),
	    &lo, &tc, &cache, &ll), 0);
	cr_assert_eq(ll.layout, LAYOUT_MULTILOG);
	cr_assert_eq(layout_header(S("new msg 1"), &lo, &tc, &cache, &ll), -1);
	cr_assert(eq(ll.msg, "new msg 1"));
}

static int
same(struct slice a, struct slice b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/*
 * A syslog file's lines in the cached minute take a short path
 * (hdr_syslog_fast); each must give what the long path, with no cache,
 * gives: the same layout, time, host, program and message, and -1 where
 * there is no stamp. The second line of each pair is in the minute the
 * first put in the cache.
 */
Test(layout, syslog_fast_path_as_long_path, .timeout = 5)
{
	static const char *const lines[] = {
		"Dec  7 11:43:35 mx postfix/smtpd[1]: connect from x",
		"Dec  7 11:43:36 mx postfix/smtpd[12]: NOQUEUE: reject: x",
		"Dec  7 11:43:37  mx2   dovecot: imap-login: Login: user=<a>",
		"Dec  7 11:43:38 mx popper[7]:",
		"Dec  7 11:43:39 mx popper[7]",
		"Dec  7 11:43:40 mx sshd",
		"Dec  7 11:43:41 mx prog: ",
		"Dec  7 11:43:42 mx [x]: y",
		"Dec  7 11:43:43 mx dovecot[1: unclosed pid",
		"Dec  7 11:43:44 mx",
		"Dec  7 11:43:45 mx ",
		"Dec  7 11:43:46 mx,1,2,3",
		"Dec  7 11:43:47 ,x,y",
		"Dec  7 11:43:48 postfix/smtpd[1]: no host",
		"Dec  7 11:43:49 pop3(u)<1><s>: Info: Disconnected",
		"Dec  7 11:43:50.123456 mx postfix/qmgr[3]: precise",
		"Dec  7 11:43:60 mx leap: second 60",
		"Dec  7 11:43:61 mx bad: second 61",
		"Dec  7 11:43:5x mx bad: digit",
		"Dec  7 11:43:51xmx glued: host",
		"Dec  7 11:43:52",
		"Dec  7 11:44:00 mx next: minute",
	};
	struct layout	 lo = { LAYOUT_SYSLOG };
	struct timectx	 tc;
	struct logline	 a, b;
	static struct timecache cold;
	struct timecache *warm = &cache;
	size_t		 i;
	int		 ra, rb;

	timectx_init(&tc, 0, 2026);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		/* warm the minute with the first line, then read line i */
		(void)layout_header(S(lines[0]), &lo, &tc, warm, &a);
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		ra = layout_header(S(lines[i]), &lo, &tc, warm, &a);
		memset(&cold, 0, sizeof(cold));
		rb = parse_header(S(lines[i]), &tc, &cold, &b);
		cr_assert_eq(ra, rb, "'%s': %d, long path %d", lines[i], ra,
		    rb);
		cr_assert_eq(a.layout, b.layout, "'%s': layout", lines[i]);
		cr_assert_eq(a.t, b.t, "'%s': time", lines[i]);
		cr_assert(same(a.host, b.host), "'%s': host", lines[i]);
		cr_assert(same(a.program, b.program), "'%s': program",
		    lines[i]);
		cr_assert(same(a.msg, b.msg), "'%s': msg", lines[i]);
	}
	/* the short path took the common line */
	(void)layout_header(S(lines[0]), &lo, &tc, warm, &a);
	cr_assert_eq(layout_header(S(lines[1]), &lo, &tc, warm, &a), 0);
	cr_assert(eq(a.host, "mx") && eq(a.program, "postfix/smtpd") &&
	    eq(a.msg, "NOQUEUE: reject: x"));
	cr_assert_eq(a.t, DAY(2026, 12, 7) + HMS(11, 43, 36));
}
