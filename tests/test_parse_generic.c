/*
 * Unit tests of what every family shares: the user normalisation, the
 * header of CSV protocol logs, and the generic fallback's IMAP replies
 * (tagged NO/BAD, mapped to the same causes as POP3 and SMTP). Every
 * expectation is read off the input line by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"
#include "../src/parse/parse_int.h"
#include "parse_util.h"

/* The cause the classifier gives a parsed line, or "" for no event. */
static const char *
cause_of_line(const char *l, struct event *ev)
{
	struct classifier	*cl;
	struct classify_scratch	*cs;
	const char		*id;

	if (!line(l, ev))
		return "";
	cl = classify_new();
	cr_assert_not_null(cl);
	cs = classify_scratch_new(cl);
	classify_event(cl, cs, ev);
	id = cause_get(ev->cause)->id;
	classify_scratch_free(cs);
	classify_free(cl);
	return id;
}

Test(user_normal, shapes, .timeout = 5)
{
	cr_assert(eq(user_normal(S("<Alice@Example.NET>")), "Alice@Example.NET"));
	cr_assert(eq(user_normal(S("\"bob\"")), "bob"));
	cr_assert(eq(user_normal(S("'carol@x'")), "carol@x"));
	cr_assert(eq(user_normal(S("user=<dave>")), "dave"));
	cr_assert(eq(user_normal(S("user=erin")), "erin"));
	cr_assert(eq(user_normal(S("  frank ")), "frank"));
	cr_assert(eq(user_normal(S("<>")), ""));
	/* unbalanced brackets are data, not decoration */
	cr_assert(eq(user_normal(S("<grace")), "<grace"));
	cr_assert(eq(user_normal(S("heidi@x")), "heidi@x"));
}

Test(user_normal, applied_to_every_family, .timeout = 5)
{
	struct event	 ev;

	/* the generic parser reads "user=<u>" up to the '>' itself */
	cr_assert_eq(line("Nov 21 10:00:00 mx popd[1]: user=\"ivan\" "
	    "-ERR [AUTH] Invalid login", &ev), 1);
	cr_assert(eq(ev.user, "ivan"), "got '%.*s'", (int)ev.user.len,
	    ev.user.p);
}

Test(parse_header, csv_protocol_log, .timeout = 5)
{
	struct timectx	 tc;
	struct logline	 ll;
	const char	*l = "2026-11-21T10:00:00.123Z,0000000000000A1B,5,"
	    "10.0.0.5:110,203.0.113.9:51234,>,-ERR Logon failure.,";

	timectx_init(&tc, 0, 2026);
	cr_assert_eq(parse_header(S(l), &tc, NULL, &ll), 0);
	cr_assert_eq(ll.t, time_days(2026, 11, 21) * 86400 + 10 * 3600);
	cr_assert_eq(ll.host.len, 0);
	cr_assert_eq(ll.program.len, 0);
	cr_assert_eq(ll.msg.p, l + 24);	/* at the ',' after the stamp */
	cr_assert_eq(ll.msg.p[0], ',');
}

Test(parse_generic, imap_tagged_no, .timeout = 5)
{
	struct event	 ev;

	cr_assert_str_eq(cause_of_line("Nov 21 10:00:00 mx imapproxyd[7]: "
	    "session 12 user=alice 203.0.113.9: a0004 NO [OVERQUOTA] "
	    "Mailbox is at its limit", &ev), "quota_exceeded");
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_str_eq(ev.resp, "OVERQUOTA");
	cr_assert(eq(ev.user, "alice"));
	cr_assert(eq(ev.program, "imapproxyd"));
	cr_assert(eq(ev.text, "Mailbox is at its limit"));
}

Test(parse_generic, imap_causes_as_pop3_and_smtp, .timeout = 5)
{
	struct event	 ev;

	/* RFC 5530 codes, each the cause its POP3/SMTP twin has */
	cr_assert_str_eq(cause_of_line("Nov 21 10:00:00 mx mapi[3]: "
	    "S: 7 NO [AUTHENTICATIONFAILED] Try again", &ev), "auth_failure");
	cr_assert_str_eq(cause_of_line("Nov 21 10:00:00 mx mapi[3]: "
	    "S: B12 NO [INUSE] Try later", &ev), "lock_contention");
	cr_assert_str_eq(ev.resp, "INUSE");
	cr_assert_str_eq(cause_of_line("Nov 21 10:00:00 mx mapi[3]: "
	    "S: 1.2 NO [LIMIT] Try later", &ev), "rate_limited");
	cr_assert_str_eq(cause_of_line("Nov 21 10:00:00 mx mapi[3]: "
	    "reply=\"a9 BAD Unknown command\"", &ev), "protocol_error");
	cr_assert_eq(ev.proto, PROTO_IMAP);
}

Test(parse_generic, imap_untagged, .timeout = 5)
{
	struct event	 ev;

	/* "* NO" is a warning, "* BAD" a protocol error */
	cr_assert_eq(line("Nov 21 10:00:00 mx mapi[3]: S: * NO [ALERT] "
	    "Maintenance at noon", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:00 mx mapi[3]: S: * BAD Line "
	    "too long", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert(eq(ev.text, "Line too long"));
}

Test(parse_generic, imap_prose_is_no_reply, .timeout = 5)
{
	struct event	 ev;

	/* no digit in the "tag" */
	cr_assert_eq(line("Nov 21 10:00:00 mx cron[3]: we said NO "
	    "Thanks to them", &ev), 0);
	/* lower case after the verb */
	cr_assert_eq(line("Nov 21 10:00:00 mx cron[3]: a1 NO such thing",
	    &ev), 0);
	/* the tag neither starts the message nor follows ": " */
	cr_assert_eq(line("Nov 21 10:00:00 mx cron[3]: job 42 NO Output",
	    &ev), 0);
	/* a tag of 21 bytes */
	cr_assert_eq(line("Nov 21 10:00:00 mx cron[3]: "
	    "a12345678901234567890 NO Output", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:00 mx cron[3]: NO [X] at start",
	    &ev), 0);
}
