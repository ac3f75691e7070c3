/*
 * Unit tests of the multi-line joins (agg/join.c): one failure logged on
 * several lines, or by two daemons, is one event, however the lines fall
 * over chunks and workers (simulated here by separate aggs merged in
 * either order), and the --max-keys cap keeps the counts the same for
 * any split.
 *
 * The lines are real: Dovecot 2.3.19.1 with its mail store on a 1 MiB
 * tmpfs and Postfix 3.7.11 delivering to it over LMTP
 * (samples/dovecot-lmtp/README.md says how; its log_path lines are put
 * in syslog form here, "Info: " dropped as syslog does). What the
 * clients were told: per refused recipient one "451 4.2.0 <rcpt>
 * Internal error occurred" (Postfix logs it), one "552 5.2.2 <dave@..>
 * Quota exceeded"; IMAP: two APPENDs "NO [SERVERBUG]", a CREATE "OK";
 * POP3: erin "-ERR [SYS/TEMP]", bob "-ERR [IN-USE]".
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mxtally/agg.h"
#include "mxtally/anon.h"
#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"
#include "mxtally/scan.h"
#include "parse_util.h"
#include "agg_helpers.h"

/* LMTP: one refused recipient each, alice and bob (one transaction) */
static const char *const lmtp_lines[] = {
	"Dec  7 12:57:51 mx dovecot: lmtp(alice)<22207><yKm5C0+tFmu/VgAAg+zDdQ>: Error: lmtp-server: conn 127.0.0.1:47612 [3]: rcpt alice@example.org: Mailbox INBOX: Saving mail: save: write(/tmp/mxj-dc/mail/alice/tmp/1796648271.M199276P22207.vm) failed: No space left on device",
	"Dec  7 12:57:51 mx dovecot: lmtp(alice)<22207><yKm5C0+tFmu/VgAAg+zDdQ>: Error: lmtp-server: conn 127.0.0.1:47612 [3]: rcpt alice@example.org: Mailbox INBOX: Saving mail: write(/tmp/mxj-dc/mail/alice/tmp/1796648271.M199276P22207.vm) failed: No space left on device",
	"Dec  7 12:57:51 mx dovecot: lmtp(alice)<22207><yKm5C0+tFmu/VgAAg+zDdQ>: Error: lmtp-server: conn 127.0.0.1:47612 [3]: rcpt alice@example.org: Mailbox INBOX: Saving mail: write(/tmp/mxj-dc/mail/alice/tmp/1796648271.M199276P22207.vm) failed: No space left on device",
	"Dec  7 12:57:51 mx dovecot: lmtp(alice)<22207><yKm5C0+tFmu/VgAAg+zDdQ>: msgid=<t0.1796648271190073255@example.net>: save failed to INBOX: Mailbox INBOX: Saving mail: write(/tmp/mxj-dc/mail/alice/tmp/1796648271.M199276P22207.vm) failed: No space left on device",
	"Dec  7 12:57:51 mx dovecot: lmtp(bob)<22207><yKm5C0+tFmu/VgAAg+zDdQ:R2>: Error: lmtp-server: conn 127.0.0.1:47612 [3]: rcpt bob@example.org: Mailbox INBOX: Saving mail: save: write(/tmp/mxj-dc/mail/bob/tmp/1796648271.M199991P22207.vm) failed: No space left on device",
	"Dec  7 12:57:51 mx dovecot: lmtp(bob)<22207><yKm5C0+tFmu/VgAAg+zDdQ:R2>: Error: lmtp-server: conn 127.0.0.1:47612 [3]: rcpt bob@example.org: Mailbox INBOX: Saving mail: write(/tmp/mxj-dc/mail/bob/tmp/1796648271.M199991P22207.vm) failed: No space left on device",
	"Dec  7 12:57:51 mx dovecot: lmtp(bob)<22207><yKm5C0+tFmu/VgAAg+zDdQ:R2>: Error: lmtp-server: conn 127.0.0.1:47612 [3]: rcpt bob@example.org: Mailbox INBOX: Saving mail: write(/tmp/mxj-dc/mail/bob/tmp/1796648271.M199991P22207.vm) failed: No space left on device",
	"Dec  7 12:57:51 mx dovecot: lmtp(bob)<22207><yKm5C0+tFmu/VgAAg+zDdQ:R2>: msgid=<t0.1796648271190073255@example.net>: save failed to INBOX: Mailbox INBOX: Saving mail: write(/tmp/mxj-dc/mail/bob/tmp/1796648271.M199991P22207.vm) failed: No space left on device",
};

/* what Postfix's lmtp client was told for the same two */
static const char *const postfix_lines[] = {
	"Dec  7 12:57:51 mx postfix/lmtp[21760]: 2F298A72992: to=<alice@example.org>, relay=127.0.0.1[127.0.0.1]:24201, delay=0.01, delays=0/0/0/0, dsn=4.2.0, status=deferred (host 127.0.0.1[127.0.0.1] said: 451 4.2.0 <alice@example.org> Internal error occurred. Refer to server log for more information. [2026-12-07 12:57:51] (in reply to end of DATA command))",
	"Dec  7 12:57:51 mx postfix/lmtp[21760]: 2F298A72992: to=<bob@example.org>, relay=127.0.0.1[127.0.0.1]:24201, delay=0.02, delays=0/0/0/0.01, dsn=4.2.0, status=deferred (host 127.0.0.1[127.0.0.1] said: 451 4.2.0 <bob@example.org> Internal error occurred. Refer to server log for more information. [2026-12-07 12:57:51] (in reply to end of DATA command))",
};

/* IMAP: two failed APPENDs, then a CREATE that succeeded */
static const char *const imap_lines[] = {
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox INBOX: Saving mail: save: write(/tmp/mxj-dc/mail/alice/tmp/1796648281.M775386P24735.vm) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox INBOX: Saving mail: write(/tmp/mxj-dc/mail/alice/tmp/1796648281.M775386P24735.vm) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox INBOX: Saving mail: write(/tmp/mxj-dc/mail/alice/tmp/1796648281.M775386P24735.vm) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox INBOX: Saving mail: save: write(/tmp/mxj-dc/mail/alice/tmp/1796648281.M777956P24735.vm) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox INBOX: Saving mail: write(/tmp/mxj-dc/mail/alice/tmp/1796648281.M777956P24735.vm) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox INBOX: Saving mail: write(/tmp/mxj-dc/mail/alice/tmp/1796648281.M777956P24735.vm) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox Archive1796648281778731752: write(/tmp/mxj-dc/mail/alice/.Archive1796648281778731752/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox Archive1796648281778731752: write(/tmp/mxj-dc/mail/alice/.Archive1796648281778731752/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox Archive1796648281778731752: write(/tmp/mxj-dc/mail/alice/.Archive1796648281778731752/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox Archive1796648281778731752: write(/tmp/mxj-dc/mail/alice/.Archive1796648281778731752/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox Archive1796648281778731752: write(/tmp/mxj-dc/mail/alice/.Archive1796648281778731752/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Error: Mailbox Archive1796648281778731752: write(/tmp/mxj-dc/mail/alice/.Archive1796648281778731752/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:01 mx dovecot: imap(alice)<24735><WPiexgpiUsJ/AAAB>: Disconnected: Logged out in=312145 out=812 deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0",
};

/* POP3: erin's INBOX cannot be set up; bob's second session */
static const char *const pop3_lines[] = {
	"Dec  7 12:58:02 mx dovecot: pop3(erin)<24822><mraixgpiFMN/AAAB>: Error: write(/tmp/mxj-dc/mail/erin/dovecot-uidvalidity) failed: No space left on device",
	"Dec  7 12:58:02 mx dovecot: pop3(erin)<24822><mraixgpiFMN/AAAB>: Error: Mailbox INBOX: write(/tmp/mxj-dc/mail/erin/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:02 mx dovecot: pop3(erin)<24822><mraixgpiFMN/AAAB>: Error: Mailbox INBOX: write(/tmp/mxj-dc/mail/erin/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:02 mx dovecot: pop3(erin)<24822><mraixgpiFMN/AAAB>: Error: Couldn't init INBOX: Mailbox INBOX: write(/tmp/mxj-dc/mail/erin/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:02 mx dovecot: pop3(erin)<24822><mraixgpiFMN/AAAB>: Disconnected: Couldn't init INBOX: Mailbox INBOX: write(/tmp/mxj-dc/mail/erin/dovecot-uidlist.tmp) failed: No space left on device top=0/0, retr=0/0, del=0/0, size=0",
	"Dec  7 12:58:02 mx dovecot: pop3(erin)<24822><mraixgpiFMN/AAAB>: Error: Mailbox INBOX: write(/tmp/mxj-dc/mail/erin/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:02 mx dovecot: pop3(erin)<24822><mraixgpiFMN/AAAB>: Error: Mailbox INBOX: write(/tmp/mxj-dc/mail/erin/dovecot-uidlist.tmp) failed: No space left on device",
	"Dec  7 12:58:12 mx dovecot: pop3(bob)<24828><3TqjxgpiHMN/AAAB>: Disconnected: Couldn't lock POP3 session top=0/0, retr=0/0, del=0/0, size=0",
};

/* dave over quota: Dovecot's line and Postfix's */
static const char *const quota_lines[] = {
	"Dec  7 12:57:34 mx dovecot: lmtp(dave)<21757><+NlsOT6tFmv9VAAAg+zDdQ>: msgid=<t2.1796648254899333224@example.net>: save failed to INBOX: Quota exceeded (mailbox for user is full)",
	"Dec  7 12:57:34 mx postfix/lmtp[21760]: DC002A73566: to=<dave@example.org>, relay=127.0.0.1[127.0.0.1]:24201, delay=0.07, delays=0/0.01/0.06/0.01, dsn=5.2.2, status=bounced (host 127.0.0.1[127.0.0.1] said: 552 5.2.2 <dave@example.org> Quota exceeded (mailbox for user is full) (in reply to end of DATA command))",
};

#define N(v)	(sizeof(v) / sizeof((v)[0]))

static struct classifier	*cl;
static struct classify_scratch	*cs;

static void
setup(void)
{

	cl = classify_new();
	cr_assert_not_null(cl);
	cs = classify_scratch_new(cl);
}

static void
teardown(void)
{
	classify_scratch_free(cs);
	classify_free(cl);
}

TestSuite(join, .init = setup, .fini = teardown, .timeout = 10);

/* One line through parse, classify and agg_add, as a worker does. */
static void
feed(struct agg *a, const char *l, uint64_t pos)
{
	struct event	 ev;

	if (line(l, &ev) != 1)
		return;
	classify_event(cl, cs, &ev);
	agg_traffic(a, &ev, pos, 1);
	agg_add(a, &ev, pos);
}

/* Lines v[0..n) with positions base + i, those with (i % m == r). */
static void
feed_some(struct agg *a, const char *const *v, size_t n, uint64_t base,
    size_t m, size_t r)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (i % m == r)
			feed(a, v[i], base + i);
}

static uint64_t
user_events(const struct result *r, const char *user)
{
	size_t	 i;

	for (i = 0; i < r->nusers; i++)
		if (strcmp(r->users[i].name, user) == 0)
			return r->users[i].events;
	return 0;
}

static uint64_t
code_events(const struct result *r, const char *code, const char *enh,
    int cause)
{
	size_t	 i;

	for (i = 0; i < r->ncodes; i++)
		if (strcmp(r->codes[i].code, code) == 0 &&
		    strcmp(r->codes[i].enh, enh) == 0 &&
		    r->codes[i].cause == cause)
			return r->codes[i].events;
	return 0;
}

static struct result *
finish(struct agg *a)
{
	agg_finish(a);
	return agg_result(a, 0);
}

static struct agg	*one;

/* The report of lines v[0..n) fed in order to one agg; done() frees it. */
static struct result *
report_of(const char *const *v, size_t n)
{
	one = agg_new();
	feed_some(one, v, n, 0, 1, 0);
	return finish(one);
}

static void
done(struct result *r)
{
	result_free(r);
	agg_free(one);
	one = NULL;
}

/* v[0..n) (n <= 8) then l: for a line changed by subst() */
static const char *const *
plus(const char **buf, const char *const *v, size_t n, const char *l)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		buf[i] = v[i];
	buf[n] = l;
	return buf;
}

Test(join, parse_session_and_subkey)
{
	struct event	 ev;

	cr_assert_eq(line(lmtp_lines[4], &ev), 1);
	cr_assert(ev.flags & EV_GROUP);
	cr_assert(eq(ev.session, "yKm5C0+tFmu/VgAAg+zDdQ:R2"));
	cr_assert(eq(ev.user, "bob"));
	cr_assert_eq(ev.subkey.len, 0, "LMTP: the session alone");
	cr_assert_eq(line(imap_lines[0], &ev), 1);
	cr_assert(eq(ev.subkey,
	    "/tmp/mxj-dc/mail/alice/tmp/1796648281.M775386P24735.vm"));
	cr_assert_eq(line(postfix_lines[0], &ev), 1);
	cr_assert(ev.flags & EV_PEER);
	cr_assert(eq(ev.user, "alice@example.org"));
	/* a pid alone, no session: a line of its own */
	cr_assert_eq(line("Dec  7 12:57:51 mx dovecot: lmtp(22207): Error: "
	    "write(/x) failed: No space left on device", &ev), 1);
	cr_assert_eq(ev.flags & EV_GROUP, 0);
}

/* Dovecot's own log file keeps "Info: " / "Error: ": the same groups. */
Test(join, level_prefix_tolerated)
{
	static const char *const v[] = {
		"Dec  7 12:57:51 mx dovecot: lmtp(alice)<22207><S1>: Error: "
		    "Mailbox INBOX: Saving mail: write(/m/a.vm) failed: "
		    "No space left on device",
		"Dec  7 12:57:51 mx dovecot: lmtp(alice)<22207><S1>: Info: "
		    "msgid=<m@x>: save failed to INBOX: Mailbox INBOX: Saving "
		    "mail: write(/m/a.vm) failed: No space left on device",
	};
	struct result	*r = report_of(v, N(v));

	cr_assert_eq(r->events, 1);
	cr_assert_eq(cause_events(r, CAUSE_SYSTEM_STORAGE), 1);
	done(r);
}

/* 3 Error lines + 1 save failed line per recipient: 2 events, not 8. */
Test(join, lmtp_one_event_per_recipient)
{
	struct result	*r = report_of(lmtp_lines, N(lmtp_lines));

	cr_assert_eq(r->events, 2);
	cr_assert_eq(cause_events(r, CAUSE_SYSTEM_STORAGE), 2);
	cr_assert_eq(user_events(r, "alice"), 1);
	cr_assert_eq(user_events(r, "bob"), 1);
	cr_assert_eq(r->join_evicted, 0);
	done(r);
}

/*
 * A chunk end (or another worker) anywhere in the lines: every split
 * point, the two halves merged either way, and lines dealt round-robin
 * to three aggs.
 */
Test(join, split_anywhere)
{
	size_t		 k, order;
	struct agg	*a, *b, *c;
	struct result	*r;

	for (k = 0; k <= N(lmtp_lines); k++)
		for (order = 0; order < 2; order++) {
			a = agg_new();
			b = agg_new();
			for (size_t i = 0; i < N(lmtp_lines); i++)
				feed(i < k ? a : b, lmtp_lines[i], i);
			feed(order ? a : b, postfix_lines[0], 100);
			if (order)
				agg_merge(b, a);
			else
				agg_merge(a, b);
			r = finish(order ? b : a);
			cr_assert_eq(r->events, 2, "split %zu order %zu", k,
			    order);
			cr_assert_eq(cause_events(r, CAUSE_SYSTEM_STORAGE), 2);
			cr_assert_eq(r->join_paired, 1);
			result_free(r);
			agg_free(a);
			agg_free(b);
		}
	a = agg_new();
	b = agg_new();
	c = agg_new();
	feed_some(a, lmtp_lines, N(lmtp_lines), 0, 3, 0);
	feed_some(b, lmtp_lines, N(lmtp_lines), 0, 3, 1);
	feed_some(c, lmtp_lines, N(lmtp_lines), 0, 3, 2);
	agg_merge(a, c);
	agg_merge(a, b);
	r = finish(a);
	cr_assert_eq(r->events, 2);
	result_free(r);
	agg_free(a);
	agg_free(b);
	agg_free(c);
}

/* IMAP: one event per session and file: the two APPENDs and the CREATE */
Test(join, imap_per_file)
{
	struct result	*r = report_of(imap_lines, N(imap_lines));

	cr_assert_eq(r->events, 3);
	cr_assert_eq(cause_events(r, CAUSE_SYSTEM_STORAGE), 3);
	done(r);
}

/* POP3: erin's seven lines are one -ERR; bob's lock another */
Test(join, pop3_per_session)
{
	struct result	*r = report_of(pop3_lines, N(pop3_lines));

	cr_assert_eq(r->events, 2);
	cr_assert_eq(cause_events(r, CAUSE_SYSTEM_STORAGE), 1);
	cr_assert_eq(cause_events(r, CAUSE_LOCK_CONTENTION), 1);
	cr_assert_eq(user_events(r, "erin"), 1);
	done(r);
}

/* Postfix alone: its two deferrals are what it knows, server_error. */
Test(join, postfix_alone)
{
	struct result	*r = report_of(postfix_lines, N(postfix_lines));

	cr_assert_eq(r->events, 2);
	cr_assert_eq(cause_events(r, CAUSE_SERVER_ERROR), 2);
	cr_assert_eq(r->join_paired, 0);
	done(r);
}

/* Both daemons: two events, Dovecot's cause, the code Postfix got. */
Test(join, postfix_and_dovecot_one_event)
{
	struct agg	*a = agg_new(), *b = agg_new();
	struct result	*r;

	feed_some(b, postfix_lines, N(postfix_lines), 0, 1, 0);
	feed_some(a, lmtp_lines, N(lmtp_lines), 1000, 1, 0);
	agg_merge(a, b);
	r = finish(a);
	cr_assert_eq(r->events, 2);
	cr_assert_eq(cause_events(r, CAUSE_SYSTEM_STORAGE), 2);
	cr_assert_eq(cause_events(r, CAUSE_SERVER_ERROR), 0);
	cr_assert_eq(code_events(r, "451", "4.2.0", CAUSE_SYSTEM_STORAGE), 2);
	cr_assert_eq(r->join_paired, 2);
	/* the deferrals' reason in the traffic counts follows */
	cr_assert_eq(r->traffic.ndefer_reasons, 1);
	cr_assert_eq(r->traffic.defer_reasons[0].cause, CAUSE_SYSTEM_STORAGE);
	cr_assert_eq(r->traffic.defer_reasons[0].n, 2);
	cr_assert_eq(user_events(r, "alice"), 1);
	result_free(r);
	agg_free(a);
	agg_free(b);
}

Test(join, quota_pair)
{
	struct result	*r = report_of(quota_lines, N(quota_lines));

	cr_assert_eq(r->events, 1);
	cr_assert_eq(cause_events(r, CAUSE_QUOTA_EXCEEDED), 1);
	cr_assert_eq(code_events(r, "552", "5.2.2", CAUSE_QUOTA_EXCEEDED), 1);
	done(r);
}

/* l with the first from replaced by to, into buf */
static const char *
subst(char *buf, size_t len, const char *l, const char *from, const char *to)
{
	const char	*p = strstr(l, from);

	cr_assert_not_null(p);
	snprintf(buf, len, "%.*s%s%s", (int)(p - l), l, to, p + strlen(from));
	return buf;
}

/* Two minutes apart: not the same refusal. */
Test(join, peer_window)
{
	const char	*v[5];
	char		 buf[1024];
	struct result	*r = report_of(plus(v, lmtp_lines, 4, subst(buf,
	    sizeof(buf), postfix_lines[0], "12:57:51", "12:59:51")), 5);

	cr_assert_eq(r->events, 2);	/* alice's 4 lines, then Postfix's */
	cr_assert_eq(cause_events(r, CAUSE_SERVER_ERROR), 1);
	cr_assert_eq(r->join_paired, 0);
	done(r);
}

/* An address extension is delivered to the mailbox without it. */
Test(join, peer_address_extension)
{
	const char	*v[5];
	char		 pl[1024];
	struct result	*r = report_of(plus(v, lmtp_lines, 4, subst(pl,
	    sizeof(pl), postfix_lines[0], "to=<alice@", "to=<alice+news@")),
	    5);

	cr_assert_eq(r->events, 1);
	cr_assert_eq(r->join_paired, 1);
	done(r);
}

/* A Dovecot login with a domain must be the recipient's address. */
Test(join, peer_full_address)
{
	struct agg	*a;
	struct result	*r;
	char		 dl[1024], pl[1024];
	int		 same;

	for (same = 0; same < 2; same++) {
		a = agg_new();
		feed(a, subst(dl, sizeof(dl), lmtp_lines[3], "lmtp(alice)",
		    "lmtp(Alice@example.org)"), 0);
		feed(a, subst(pl, sizeof(pl), postfix_lines[0], "to=<alice@",
		    same ? "to=<alice@" : "to=<alice@other."), 1);
		r = finish(a);
		cr_assert_eq(r->events, same ? 1 : 2);
		cr_assert_eq(r->join_paired, (uint64_t)same);
		result_free(r);
		agg_free(a);
	}
}

#define NGROUPS	50

/* NGROUPS LMTP failures of 4 lines each, session "Sxx", over m aggs. */
static struct result *
capped(struct agg **v, size_t m, size_t max)
{
	static const char *const tail[] = { "Error: save: write(/m/x) "
	    "failed: ", "Error: write(/m/x) failed: ", "Error: write(/m/x) "
	    "failed: ", "msgid=<m>: save failed to INBOX: write(/m/x) "
	    "failed: " };
	char	 l[256];
	size_t	 g, i, n = 0;

	for (i = 0; i < m; i++) {
		v[i] = agg_new();
		agg_set_max_keys(v[i], max);
	}
	for (g = 0; g < NGROUPS; g++)
		for (i = 0; i < 4; i++, n++) {
			snprintf(l, sizeof(l), "Dec  7 12:57:51 mx dovecot: "
			    "lmtp(u%zu)<1><S%zu>: %sNo space left on device",
			    g, g, tail[i]);
			feed(v[n % m], l, n);
		}
	for (i = 1; i < m; i++)
		agg_merge(v[0], v[i]);
	return finish(v[0]);
}

/* Over the cap some groups count line by line, the same for any split. */
Test(join, cap_same_for_any_split)
{
	struct agg	*v[3];
	struct result	*r1, *r3;
	size_t		 i;

	r1 = capped(v, 1, 8);
	agg_free(v[0]);
	cr_assert_gt(r1->join_evicted, 0, "the cap of 8 evicts");
	cr_assert_eq(r1->join_evicted % 4, 0, "whole groups");
	cr_assert_eq(r1->events,
	    NGROUPS - r1->join_evicted / 4 + r1->join_evicted);
	r3 = capped(v, 3, 8);
	for (i = 0; i < 3; i++)
		agg_free(v[i]);
	cr_assert_eq(r3->events, r1->events);
	cr_assert_eq(r3->join_evicted, r1->join_evicted);
	result_free(r1);
	result_free(r3);
}

/*
 * The streaming joins (agg/join_stream.c, watch): lines one by one, in
 * the order given, must give the events the batch joins give.
 */
struct tally {
	uint64_t	 events;
	uint64_t	 n[CAUSE_MAX];
	uint64_t	 c451;		/* events with code 451 */
	uint64_t	 unknown_user;	/* events with that detail */
	int64_t		 t[64];		/* the events' times, as emitted */
};

static void
tally_emit(void *arg, const struct event *ev, uint64_t pos)
{
	struct tally	*t = arg;

	(void)pos;
	if (t->events < 64)
		t->t[t->events] = ev->t;
	t->events += ev->count;
	t->n[ev->cause] += ev->count;
	if (ev->detail == POL_UNKNOWN_USER)
		t->unknown_user += ev->count;
	t->c451 += strcmp(ev->code, "451") == 0;
}

/* One line of source src into js, as watch's sink hands it on. */
static void
stream_feed(struct join_stream *js, const char *l, size_t src, uint64_t off)
{
	struct event	 ev;
	int		 rc = line(l, &ev);

	if (rc == 1) {
		classify_event(cl, cs, &ev);
		join_stream_add(js, &ev, POS_MAKE(src, off));
	} else if (ev.tkind != TR_NONE)	/* traffic only, as scan_line */
		join_stream_line(js, src, ev.t);
}

/* Lines v[0..n) of one source in order, then the end of the input. */
static void
stream_of(struct tally *t, const char *const *v, size_t n,
    struct join_stream_stats *st)
{
	struct join_stream	*js = join_stream_new(1, JOIN_STREAM_MAX,
	    tally_emit, t);
	size_t			 i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n; i++)
		stream_feed(js, v[i], 0, i);
	join_stream_busy(js, 0, 0);
	join_stream_flush(js);
	join_stream_stats(js, st);
	join_stream_free(js);
}

/*
 * Every line of this file in time order (dave's quota, the LMTP
 * refusals and Postfix's deferrals, IMAP, POP3), and with each daemon's
 * pair reversed: the batch's counts. By hand: quota_exceeded 1, the two
 * LMTP pairs system_storage 2 (code 451), IMAP 3 and erin's POP3 1
 * system_storage, bob's lock 1: 8 events, 3 pairs.
 */
Test(join, stream_equals_batch)
{
	const char		*v[64];
	struct tally		 t;
	struct join_stream_stats st;
	struct result		*r;
	size_t			 n = 0, i, rev;

	for (rev = 0; rev < 2; rev++) {
		n = 0;
		v[n++] = quota_lines[rev];
		v[n++] = quota_lines[!rev];
		if (rev)
			for (i = 0; i < N(postfix_lines); i++)
				v[n++] = postfix_lines[i];
		for (i = 0; i < N(lmtp_lines); i++)
			v[n++] = lmtp_lines[i];
		if (!rev)
			for (i = 0; i < N(postfix_lines); i++)
				v[n++] = postfix_lines[i];
		for (i = 0; i < N(imap_lines); i++)
			v[n++] = imap_lines[i];
		for (i = 0; i < N(pop3_lines); i++)
			v[n++] = pop3_lines[i];
		stream_of(&t, v, n, &st);
		r = report_of(v, n);
		cr_assert_eq(t.events, 8, "reversed %zu", rev);
		cr_assert_eq(r->events, 8);
		for (i = 0; i < CAUSE_MAX; i++)
			cr_assert_eq(t.n[i], cause_events(r, (int)i),
			    "cause %zu reversed %zu", i, rev);
		cr_assert_eq(t.n[CAUSE_SYSTEM_STORAGE], 6);
		cr_assert_eq(t.c451, 2);
		cr_assert_eq(st.paired, 3);
		cr_assert_eq(st.paired, r->join_paired);
		cr_assert_eq(st.evicted, 0);
		done(r);
	}
}

/*
 * --anonymize: each line through anon_event after classify, as the
 * scan's edit does. The user fields are tokens then, and the token of
 * "dave@example.org" (Postfix's recipient) is not that of "dave"
 * (Dovecot's LMTP user): the stream must meet on event.peer as the
 * batch join does. By hand: dave's quota is one event, one pair, either
 * order; it was two events (quota_exceeded 2) and no pair.
 */
Test(join, stream_anon_meets_on_peer)
{
	char			 path[] = "/tmp/mxt-join-key.XXXXXX";
	static const char	 key[] = "0123456789abcdef0123456789abcdef\n";
	char			*buf = malloc(SCAN_EDIT_MAX);
	struct anon		*a;
	struct join_stream	*js;
	struct tally		 t;
	struct join_stream_stats st;
	struct event		 ev;
	size_t			 i, rev;
	int			 fd = mkstemp(path);

	cr_assert(fd != -1 && buf != NULL);
	cr_assert_eq(write(fd, key, sizeof(key) - 1), (ssize_t)sizeof(key) - 1);
	close(fd);
	a = anon_new(ANON_USERS | ANON_IPS, path);
	unlink(path);
	cr_assert_not_null(a);
	for (rev = 0; rev < 2; rev++) {
		memset(&t, 0, sizeof(t));
		js = join_stream_new(1, JOIN_STREAM_MAX, tally_emit, &t);
		for (i = 0; i < 2; i++) {
			cr_assert_eq(line(quota_lines[i ^ rev], &ev), 1);
			classify_event(cl, cs, &ev);
			anon_edit(a, &ev, buf);
			join_stream_add(js, &ev, POS_MAKE(0, i));
		}
		join_stream_busy(js, 0, 0);
		join_stream_flush(js);
		join_stream_stats(js, &st);
		join_stream_free(js);
		cr_assert_eq(t.events, 1, "reversed %zu: %llu events", rev,
		    (unsigned long long)t.events);
		cr_assert_eq(t.n[CAUSE_QUOTA_EXCEEDED], 1);
		cr_assert_eq(st.paired, 1);
	}
	anon_free(a);
	free(buf);
}

/*
 * Postfix's deferral two minutes after Dovecot's lines: not one refusal
 * (2 events, server_error 1), and Dovecot's event goes as soon as the
 * stream's log time is 30 s past it, before Postfix's line comes.
 */
Test(join, stream_window)
{
	const char		*v[5];
	char			 buf[1024];
	struct tally		 t;
	struct join_stream_stats st;
	struct join_stream	*js;
	size_t			 i;

	stream_of(&t, plus(v, lmtp_lines, 4, subst(buf, sizeof(buf),
	    postfix_lines[0], "12:57:51", "12:59:51")), 5, &st);
	cr_assert_eq(t.events, 2);
	cr_assert_eq(t.n[CAUSE_SERVER_ERROR], 1);
	cr_assert_eq(t.n[CAUSE_SYSTEM_STORAGE], 1);
	cr_assert_eq(st.paired, 0);

	memset(&t, 0, sizeof(t));
	js = join_stream_new(1, JOIN_STREAM_MAX, tally_emit, &t);
	for (i = 0; i < 4; i++)
		stream_feed(js, lmtp_lines[i], 0, i);
	cr_assert_eq(t.events, 0, "held: Postfix's line may come");
	stream_feed(js, "Dec  7 12:58:21 mx postfix/qmgr[9]: 3F2A11C0A1: "
	    "removed", 0, 4);
	cr_assert_eq(t.events, 0, "12:58:21 is 30 s after: still held");
	stream_feed(js, "Dec  7 12:58:22 mx postfix/qmgr[9]: 3F2A11C0A1: "
	    "removed", 0, 5);
	cr_assert_eq(t.events, 1, "31 s after: let go");
	join_stream_free(js);
}

/*
 * The auth verdict after the login failure it settles (two processes'
 * lines out of order): auth_failure with detail unknown_user (causes.md),
 * 2 attempts; a login with no verdict is a plain auth_failure once the
 * stream is 5 s past it.
 */
Test(join, stream_verdict_last)
{
	static const char *const v[] = {
		"Dec  7 10:06:00 mx dovecot: pop3-login: Disconnected (auth "
		    "failed, 2 attempts in 4 secs): user=<ghost>, method=PLAIN, "
		    "rip=198.51.100.5, lip=10.0.0.1, session=<S1>",
		"Dec  7 10:06:01 mx dovecot: auth-worker(7): sql(ghost,"
		    "198.51.100.5,<S1>): unknown user",
		"Dec  7 10:06:02 mx dovecot: imap-login: Disconnected (auth "
		    "failed, 1 attempts in 2 secs): user=<zed>, method=PLAIN, "
		    "rip=198.51.100.6, lip=10.0.0.1, session=<S2>",
		"Dec  7 10:06:08 mx postfix/qmgr[9]: 3F2A11C0A1: removed",
	};
	struct tally		 t;
	struct join_stream_stats st;
	struct result		*r;

	stream_of(&t, v, N(v), &st);
	r = report_of(v, N(v));
	cr_assert_eq(t.n[CAUSE_UNKNOWN_MAILBOX], 0);
	cr_assert_eq(t.n[CAUSE_AUTH_FAILURE], 3);
	cr_assert_eq(t.unknown_user, 2);
	cr_assert_eq(cause_events(r, CAUSE_UNKNOWN_MAILBOX), 0);
	cr_assert_eq(cause_events(r, CAUSE_AUTH_FAILURE), 3);
	cr_assert_eq(st.held, 0, "flushed");
	done(r);
}

/*
 * Two files, Dovecot's read whole before Postfix's (watch --from-start):
 * Dovecot's log time runs minutes past the refusals, but Postfix's file
 * is still to be read (busy), so they wait, and pair.
 */
Test(join, stream_sources)
{
	struct tally		 t = { 0 };
	struct join_stream	*js = join_stream_new(2, JOIN_STREAM_MAX,
	    tally_emit, &t);
	struct join_stream_stats st;
	size_t			 i;

	for (i = 0; i < N(lmtp_lines); i++)
		stream_feed(js, lmtp_lines[i], 0, i);
	for (i = 0; i < N(pop3_lines); i++)	/* up to 12:58:12 */
		stream_feed(js, pop3_lines[i], 0, 100 + i);
	cr_assert_eq(t.n[CAUSE_SYSTEM_STORAGE], 1, "erin's POP3 only");
	join_stream_busy(js, 0, 0);		/* Dovecot's file read */
	for (i = 0; i < N(postfix_lines); i++)
		stream_feed(js, postfix_lines[i], 1, i);
	join_stream_busy(js, 1, 0);
	join_stream_tick(js, INT64_MIN);	/* 12:58:12: 21 s later */
	join_stream_stats(js, &st);
	cr_assert_eq(st.paired, 2);
	cr_assert_eq(t.n[CAUSE_SYSTEM_STORAGE], 3);
	cr_assert_eq(t.n[CAUSE_SERVER_ERROR], 0);
	cr_assert_eq(t.c451, 2);
	join_stream_free(js);
}

/*
 * Over the cap the oldest entry goes early, counted: 50 LMTP refusals
 * (4 lines each, no MTA line) with room for 8 entries still give 50
 * events; with each group's key gone early, its later lines count
 * again, so events = 50 + the lines that came after their key went.
 */
Test(join, stream_cap)
{
	struct tally		 t = { 0 };
	struct join_stream	*js = join_stream_new(1, 8, tally_emit, &t);
	struct join_stream_stats st;
	char			 l[256];
	size_t			 g;

	for (g = 0; g < 50; g++) {
		snprintf(l, sizeof(l), "Dec  7 12:57:51 mx dovecot: "
		    "lmtp(u%zu)<1><S%zu>: Error: write(/m/x) failed: No space "
		    "left on device", g, g);
		stream_feed(js, l, 0, g);
		stream_feed(js, l, 0, g);	/* a second line: absorbed */
	}
	join_stream_stats(js, &st);
	cr_assert_leq(st.held, 8);
	cr_assert_gt(st.evicted, 0);
	join_stream_flush(js);
	cr_assert_eq(t.events, 50, "each refusal once: %llu",
	    (unsigned long long)t.events);
	join_stream_free(js);
}
