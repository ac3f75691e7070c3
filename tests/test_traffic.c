/*
 * Unit tests of the traffic context: the Postfix and Dovecot lines that
 * carry a traffic fact (parse stage) and the queue-id join that turns
 * sizes into bytes, inside one chunk, across chunks and across workers
 * (agg stage). Every expectation is derived by hand from the lines.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/parse.h"
#include "parse_util.h"

size_t client_domain(struct slice c, char *buf, size_t len);
void lower_ascii(char *dst, const char *src, size_t n);

/*
 * Eight bytes a step must lower-case as the C locale's tolower does a
 * byte: every byte value, at every place of a step and in the tail.
 */
Test(traffic_parse, lower_ascii_as_tolower, .timeout = 5)
{
	char	 src[256 + 7], dst[sizeof(src)];
	size_t	 i, off, n;

	for (off = 0; off < 8; off++) {
		for (n = 0; n < 256; n++)
			src[n] = (char)((n + off) & 255);
		for (n = 256; n < sizeof(src); n++)
			src[n] = 'Q';
		memset(dst, 0, sizeof(dst));
		lower_ascii(dst, src, sizeof(src) - off);
		for (i = 0; i < sizeof(src) - off; i++) {
			unsigned char c = (unsigned char)src[i];
			unsigned char w = c >= 'A' && c <= 'Z' ?
			    (unsigned char)(c + 32) : c;
			cr_assert_eq((unsigned char)dst[i], w,
			    "byte 0x%02x at %zu: 0x%02x", c, i,
			    (unsigned char)dst[i]);
		}
	}
}

Test(traffic_parse, smtpd_client, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 09:00:01 mx1 postfix/smtpd[4101]: 3F2A11C0A1: client=mail.example.org[192.0.2.10]", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert(eq(ev.qid, "3F2A11C0A1"));
	cr_assert(eq(ev.addr, "mail.example.org[192.0.2.10]"));
	cr_assert_eq(ev.user.len, 0);
}

Test(traffic_parse, smtpd_client_sasl, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 smtp1 postfix/submission/smtpd[6001]: 4B2A11C0A1: client=unknown[198.51.100.9], sasl_method=PLAIN, sasl_username=dave@example.net", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert(eq(ev.addr, "unknown[198.51.100.9]"));
	cr_assert(eq(ev.user, "dave@example.net"));
	cr_assert_eq(ev.proto, PROTO_SMTP);
}

/* pflogsumm: a re-injecting smtpd instance is no second reception */
Test(traffic_parse, reinjection_not_received, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Dec 17 06:29:07 sm02 postfix/amavisd/smtpd[115286]: 33DE0DC24C3: client=localhost[127.0.0.1]", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert_eq(line("Dec 17 06:29:07 sm02 postfix-out/smtp[1]: 33DE0DC24C3: to=<a@b.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
}

Test(traffic_parse, pickup, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Aug 31 21:12:04 h postfix/pickup[6046]: 12A313E2928: uid=0 from=<root>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_PICKUP);
	cr_assert(eq(ev.qid, "12A313E2928"));
}

Test(traffic_parse, qmgr_size_and_removed, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 09:00:02 mx1 postfix/qmgr[900]: 3F2A11C0A1: from=<news@Example.org>, size=4120, nrcpt=1 (queue active)", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SIZE);
	cr_assert_eq(ev.size, 4120);
	cr_assert(eq(ev.addr, "news@Example.org"));
	cr_assert_eq(line("Nov 21 09:00:02 mx1 postfix/qmgr[900]: 3F2A11C0A1: from=<>, size=0, nrcpt=1 (queue active)", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SIZE);
	cr_assert_eq(ev.addr.len, 0);
	cr_assert_eq(line("Nov 21 09:00:03 mx1 postfix/qmgr[900]: 3F2A11C0A1: removed", &ev), 0);
	cr_assert_eq(ev.tkind, TR_REMOVED);
	/* an expiry is still an error event, not a size */
	cr_assert_eq(line("Nov 21 09:00:03 mx1 postfix/qmgr[900]: 3F2A11C0A1: from=<a@b.example>, status=expired, returned to sender", &ev), 1);
	cr_assert_eq(ev.tkind, TR_NONE);
}

Test(traffic_parse, sent_and_forwarded, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 09:00:03 mx1 postfix/lmtp[4103]: 3F2A11C0A1: to=<alice@example.net>, relay=s[10.0.0.11]:24, delay=1.2, delays=0.1/0/0.1/1, dsn=2.0.0, status=sent (250 2.0.0 Saved)", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SENT);
	cr_assert(eq(ev.addr, "alice@example.net"));
	cr_assert_eq(line("Nov 21 09:00:03 mx1 postfix/local[4103]: 3F2A11C0A1: to=<bob@example.net>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (forwarded as 5C2A11C0A1)", &ev), 0);
	cr_assert_eq(ev.tkind, TR_FORWARDED);
}

Test(traffic_parse, deferred_bounced_are_events_too, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 11:30:00 smtp1 postfix/smtp[6101]: AD3E41C0D4: to=<frank@slow.example>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.slow.example[192.0.2.60]:25: Connection timed out)", &ev), 1);
	cr_assert_eq(ev.tkind, TR_DEFERRED);
	cr_assert(eq(ev.qid, "AD3E41C0D4"));
	cr_assert_eq(line("Nov 21 11:31:00 smtp1 postfix/smtp[6102]: BE4F51C0E5: to=<gina@nxdomain.example>, relay=none, delay=0.5, delays=0.1/0/0.4/0, dsn=5.4.4, status=bounced (Host or domain name not found)", &ev), 1);
	cr_assert_eq(ev.tkind, TR_BOUNCED);
}

Test(traffic_parse, rejects, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 09:07:00 mx1 postfix/smtpd[4104]: NOQUEUE: reject: RCPT from relay.example.com[203.0.113.5]: 554 5.7.1 <s@e.example>: Relay access denied; from=<a@example.com> to=<s@e.example> proto=ESMTP helo=<r>", &ev), 1);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	/* smtpd's own milter-reject: an event, but not rejected (pflogsumm) */
	cr_assert_eq(line("Nov 21 09:07:00 mx1 postfix/smtpd[4104]: NOQUEUE: milter-reject: RCPT from x[203.0.113.5]: 550 5.7.1 Spam; from=<a@example.com> to=<s@e.example> proto=ESMTP helo=<r>", &ev), 1);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert_eq(line("Nov 21 09:07:00 mx1 postfix/cleanup[4105]: 6A1B2C3D4E: milter-reject: END-OF-MESSAGE from x[203.0.113.5]: 5.7.1 Spam; from=<a@example.com> to=<s@e.example> proto=ESMTP helo=<r>", &ev), 1);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert_eq(line("Nov 21 09:07:00 mx1 postfix/cleanup[4105]: 6A1B2C3D4E: hold: header Subject: x from x[203.0.113.5]; from=<a@example.com> to=<s@e.example>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_HELD);
	cr_assert_eq(line("Nov 21 09:07:00 mx1 postfix/cleanup[4105]: 6A1B2C3D4E: warning: header Subject: x from x[203.0.113.5]; from=<a@example.com> to=<s@e.example>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_REJECT_WARNING);
	cr_assert_eq(line("Nov 21 09:07:00 mx1 postfix/smtpd[4104]: NOQUEUE: discard: RCPT from x[203.0.113.5]: <s@e.example>: Recipient address triggers DISCARD action; from=<a@example.com> to=<s@e.example> proto=ESMTP helo=<r>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_DISCARDED);
}

Test(traffic_parse, dovecot_login_ok, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 08:00:00 store1 dovecot: pop3-login: Login: user=<alice@example.net>, method=PLAIN, rip=192.0.2.20, lip=10.0.0.11, mpid=3001, session=<a1>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert_eq(line("Nov 21 08:00:00 store1 dovecot: imap-login: Login: user=<bob>, method=PLAIN, rip=192.0.2.21, lip=10.0.0.11, mpid=3002, session=<b1>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_IMAP);
}

Test(traffic_domain, pflogsumm_reduction, .timeout = 5)
{
	char	 b[64];
	size_t	 n;

	n = client_domain(S("mail.Example.com[192.0.2.1]"), b, sizeof(b));
	cr_assert_eq(n, 11);
	cr_assert(memcmp(b, "example.com", n) == 0);
	n = client_domain(S("unknown[192.0.2.7]"), b, sizeof(b));
	cr_assert(n == 9 && memcmp(b, "192.0.2.7", n) == 0);
	n = client_domain(S("a.b.co.uk[192.0.2.1]"), b, sizeof(b));
	cr_assert(n == 7 && memcmp(b, "b.co.uk", n) == 0);
	/* two labels, or a two-letter top level: kept as logged */
	n = client_domain(S("Example.com[192.0.2.1]"), b, sizeof(b));
	cr_assert(n == 11 && memcmp(b, "Example.com", n) == 0);
	n = client_domain(S("mail.example.de[192.0.2.1]"), b, sizeof(b));
	cr_assert(n == 15 && memcmp(b, "mail.example.de", n) == 0);
}

/* --- the queue-id join ---------------------------------------------- */

/* The message of samples/postfix/mx.log, 09:00:01-09:00:03, plus a
 * second recipient and a retry of the same message. */
static const char *const msg[] = {
	"Nov 21 09:00:01 mx1 postfix/smtpd[4101]: 3F2A11C0A1: client=mail.example.org[192.0.2.10]",
	"Nov 21 09:00:02 mx1 postfix/qmgr[900]: 3F2A11C0A1: from=<news@Example.ORG>, size=4120, nrcpt=2 (queue active)",
	"Nov 21 09:00:03 mx1 postfix/lmtp[4103]: 3F2A11C0A1: to=<alice@example.net>, relay=s[10.0.0.11]:24, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
	"Nov 21 09:00:03 mx1 postfix/lmtp[4103]: 3F2A11C0A1: to=<bob@example.net>, relay=s[10.0.0.11]:24, delay=1, delays=0/0/0/1, dsn=4.2.2, status=deferred (host s said: 452 4.2.2 full)",
	"Nov 21 10:00:02 mx1 postfix/qmgr[900]: 3F2A11C0A1: from=<news@Example.ORG>, size=4120, nrcpt=1 (queue active)",
	"Nov 21 10:00:03 mx1 postfix/lmtp[4103]: 3F2A11C0A1: to=<Bob@Example.NET>, relay=s[10.0.0.11]:24, delay=3601, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
	"Nov 21 10:00:03 mx1 postfix/qmgr[900]: 3F2A11C0A1: removed",
};
#define NMSG	(sizeof(msg) / sizeof(msg[0]))

/* Feeds msg[i] to the aggs: chunk c ends after line i when cut[i]. */
static struct result *
feed(struct agg **a, const int *worker, const int *cut)
{
	struct timectx	 tc;
	struct logline	 ll;
	struct event	 ev;
	size_t		 i;
	int		 rc;

	timectx_init(&tc, 0, 2026);
	for (i = 0; i < NMSG; i++) {
		parse_header(S(msg[i]), &tc, NULL, &ll);
		rc = parse_line(&ll, &ev);
		ev.cause = CAUSE_QUOTA_EXCEEDED;	/* what classify says */
		agg_traffic(a[worker[i]], &ev, POS_MAKE(0, i * 200), rc);
		if (cut[i])
			agg_chunk_end(a[worker[i]]);
	}
	agg_merge(a[0], a[1]);
	agg_finish(a[0]);
	return agg_result(a[0], 0);
}

/*
 * By hand: 1 received; sender news@example.org (domain lower-cased), one
 * message of 4120 bytes; delivered alice and Bob@example.net (two
 * distinct recipients, bob's domain lower-cased), 2 x 4120 bytes; the
 * 10:00 size line is the same message again and counts nothing; one
 * deferral of one message.
 */
static void
check(const struct traffic *t)
{
	cr_assert_eq(t->received, 1);
	cr_assert_eq(t->delivered, 2);
	cr_assert_eq(t->deferred, 1);
	cr_assert_eq(t->deferrals, 1);
	cr_assert_eq(t->bytes_received, 4120);
	cr_assert_eq(t->bytes_delivered, 8240);
	cr_assert_eq(t->senders, 1);
	cr_assert_eq(t->sender_domains, 1);
	cr_assert_eq(t->recipients, 2);
	cr_assert_eq(t->recipient_domains, 1);
	cr_assert_str_eq(t->top_senders[0].name, "news@example.org");
	cr_assert_eq(t->top_senders[0].bytes, 4120);
	cr_assert_eq(t->ndefer_reasons, 1);
	cr_assert_eq(t->defer_reasons[0].cause, CAUSE_QUOTA_EXCEEDED);
	cr_assert_eq(t->nhours, 2);
	cr_assert_eq(t->hours[0].received, 1);
	cr_assert_eq(t->hours[1].delivered, 1);
}

static void
run(const int *worker, const int *cut)
{
	struct agg	*a[2] = { agg_new(), agg_new() };
	struct result	*r = feed(a, worker, cut);

	check(&r->traffic);
	result_free(r);
	agg_free(a[0]);
	agg_free(a[1]);
}

Test(traffic_join, one_chunk, .timeout = 5)
{
	int	 w[NMSG] = { 0 }, cut[NMSG] = { 0 };

	run(w, cut);
}

/* each line its own chunk, alternating workers: everything is a record */
Test(traffic_join, every_line_a_chunk, .timeout = 5)
{
	int	 w[NMSG] = { 0, 1, 0, 1, 0, 1, 0 };
	int	 cut[NMSG] = { 1, 1, 1, 1, 1, 1, 1 };

	run(w, cut);
}

/* client= alone in one chunk, the rest in a later one on another worker */
Test(traffic_join, size_in_next_chunk, .timeout = 5)
{
	int	 w[NMSG] = { 1, 0, 0, 0, 0, 0, 0 };
	int	 cut[NMSG] = { 1, 0, 0, 1, 0, 0, 0 };

	run(w, cut);
}

/* a queue id used again after "removed" is a new message */
Test(traffic_join, reuse_after_removed, .timeout = 5)
{
	static const char *const l[] = {
		"Nov  7 06:07:38 c postfix/smtpd[1]: 82B9E242D5: client=a.example.com[192.0.2.1]",
		"Nov  7 06:07:38 c postfix/qmgr[2]: 82B9E242D5: from=<x@a.example.com>, size=4643, nrcpt=1 (queue active)",
		"Nov  7 06:07:41 c postfix/smtp[3]: 82B9E242D5: to=<k@s.example>, relay=m[192.0.2.9]:25, delay=2, delays=0/0/0/2, dsn=2.0.0, status=sent (250 ok)",
		"Nov  7 06:07:41 c postfix/qmgr[2]: 82B9E242D5: removed",
		"Nov  7 09:43:42 c postfix/smtpd[4]: 82B9E242D5: client=b.example.com[192.0.2.2]",
		"Nov  7 09:43:42 c postfix/qmgr[2]: 82B9E242D5: from=<y@b.example.com>, size=5433, nrcpt=1 (queue active)",
		"Nov  7 09:43:45 c postfix/smtp[5]: 82B9E242D5: to=<r@s.example>, relay=m[192.0.2.9]:25, delay=3, delays=0/0/0/3, dsn=2.0.0, status=sent (250 ok)",
	};
	struct agg	*a = agg_new(), *b = agg_new();
	struct timectx	 tc;
	struct logline	 ll;
	struct event	 ev;
	struct result	*r;
	size_t		 i;

	timectx_init(&tc, 0, 2026);
	for (i = 0; i < 7; i++) {
		parse_header(S(l[i]), &tc, NULL, &ll);
		cr_assert_eq(parse_line(&ll, &ev), 0);
		agg_traffic(i < 4 ? a : b, &ev, POS_MAKE(0, i * 100), 0);
	}
	agg_merge(a, b);
	agg_finish(a);
	r = agg_result(a, 0);
	/* by hand: 4643 + 5433 in and out, two senders, two domains */
	cr_assert_eq(r->traffic.bytes_received, 10076);
	cr_assert_eq(r->traffic.bytes_delivered, 10076);
	cr_assert_eq(r->traffic.senders, 2);
	cr_assert_eq(r->traffic.sender_domains, 2);
	result_free(r);
	agg_free(a);
	agg_free(b);
}

/* logins: ok from Login: lines and SMTP AUTH client=, failures per attempt */
Test(traffic_join, logins, .timeout = 5)
{
	struct agg	*a = agg_new();
	struct event	 ev;
	struct result	*r;

	memset(&ev, 0, sizeof(ev));
	ev.tkind = TR_LOGIN_OK;
	ev.proto = PROTO_POP3;
	agg_traffic(a, &ev, 0, 0);
	agg_traffic(a, &ev, 1, 0);
	ev.tkind = TR_NONE;
	ev.cause = CAUSE_AUTH_FAILURE;
	ev.count = 3;			/* "auth failed, 3 attempts" */
	agg_traffic(a, &ev, 2, 1);
	ev.proto = PROTO_SMTP;
	ev.count = 1;
	agg_traffic(a, &ev, 3, 1);
	agg_finish(a);
	r = agg_result(a, 0);
	cr_assert_eq(r->traffic.pop3.ok, 2);
	cr_assert_eq(r->traffic.pop3.failed, 3);
	cr_assert_eq(r->traffic.smtp_auth.failed, 1);
	cr_assert_eq(r->traffic.imap.ok + r->traffic.imap.failed, 0);
	result_free(r);
	agg_free(a);
}

int tset_del_check(size_t n);	/* src/agg/traffic.c, MXT_TESTING */

/* The chunk's queue-id table drops removed messages: lookups still work. */
Test(traffic, set_delete_keeps_runs, .timeout = 5)
{
	size_t	 n[] = { 1, 2, 3, 40, 41, 1000, 50000 };
	size_t	 i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		cr_assert_eq(tset_del_check(n[i]), 0, "n = %zu", n[i]);
}
