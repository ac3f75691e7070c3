/*
 * The lines lock contention is explained from (agg/locks.c): Dovecot's
 * POP3 login with its client and session, the session's end, and that
 * a refusal stays an event and no end. Real lines of Dovecot 2.3.19
 * (notes/reallogs, the dovecot-postfix own-log run).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/report.h"
#include "parse_util.h"

Test(locks, pop3_login, .timeout = 10)
{
	struct event	 ev;

	cr_assert_eq(line("Dec  7 14:36:46 vm dovecot: pop3-login: Login: "
	    "user=<lock1@example.net>, method=PLAIN, rip=127.0.1.65, "
	    "lip=127.0.0.1, mpid=8322, session=<7SC6JwxiVeF/AAFB>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK, "still a login for traffic");
	cr_assert_eq(ev.sess, SESS_LOGIN);
	cr_assert(eq(ev.user, "lock1@example.net"));
	cr_assert(eq(ev.client, "127.0.1.65"));
	cr_assert(eq(ev.session, "7SC6JwxiVeF/AAFB"));
	cr_assert(eq(ev.subkey, "8322"), "mpid, the pid a holder is named by");
}

/*
 * IMAP: the login with the pid of the imap process that serves it, the
 * line of a session that timed out waiting for a lock that process
 * held, and the session's end. Lines of Dovecot 2.3.19 with its own log
 * file, two real IMAP clients (tests/realservers).
 */
Test(locks, imap_login_timeout_end, .timeout = 10)
{
	struct event	 ev;

	cr_assert_eq(line("Dec 07 21:48:15 imap-login: Info: Login: "
	    "user=<alice@example.net>, method=PLAIN, rip=127.0.0.11, "
	    "lip=127.0.0.1, mpid=2927, session=<JhLXLhJiz6p/AAAL>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_eq(ev.sess, SESS_LOGIN);
	cr_assert(eq(ev.user, "alice@example.net"));
	cr_assert(eq(ev.client, "127.0.0.11"));
	cr_assert(eq(ev.session, "JhLXLhJiz6p/AAAL"));
	cr_assert(eq(ev.subkey, "2927"));

	cr_assert_eq(line("Dec 07 21:48:19 imap(alice@example.net)<2950>"
	    "<QVTcLhJibbJ/AAAM>: Error: Mailbox INBOX: Timeout (2s) while "
	    "waiting for lock for transaction log file /tmp/dvx/home/alice/"
	    "Maildir/dovecot.index.log (WRITE lock held by pid 2927)", &ev), 1);
	cr_assert_str_eq(cause_of(&ev), "lock_contention");
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_eq(ev.sess, SESS_NONE, "a refusal is no end");
	cr_assert(eq(ev.user, "alice@example.net"));
	cr_assert(eq(ev.session, "QVTcLhJibbJ/AAAM"));
	cr_assert(ev.flags & EV_GROUP, "one session's timeouts: one event");
	cr_assert(eq(ev.subkey, "/tmp/dvx/home/alice/Maildir/dovecot.index.log"));
	cr_assert(eq(ev.text, "Timeout (2s) while waiting for lock for "
	    "transaction log file /tmp/dvx/home/alice/Maildir/dovecot.index.log"
	    " (WRITE lock held by pid 2927)"));
	/* what the real client was told */
	cr_assert_str_eq(ev.resp, "SERVERBUG");

	cr_assert_eq(line("Dec 07 21:48:19 imap(alice@example.net)<2927>"
	    "<JhLXLhJiz6p/AAAL>: Info: Disconnected: Logged out in=573 "
	    "out=2780 deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 "
	    "body_count=0 body_bytes=0", &ev), 0);
	cr_assert_eq(ev.sess, SESS_END);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert(eq(ev.session, "JhLXLhJiz6p/AAAL"));
}

/* The other wordings of mail-transaction-log-file.c and mail-error.h */
Test(locks, other_lock_timeouts, .timeout = 10)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 st1 dovecot: imap(bob)<400><s1>: "
	    "Error: Timeout (180s) while waiting for dotlock for transaction "
	    "log file /home/bob/mail/.imap/INBOX/dovecot.index.log", &ev), 1);
	cr_assert_str_eq(cause_of(&ev), "lock_contention");
	cr_assert(eq(ev.subkey, "/home/bob/mail/.imap/INBOX/dovecot.index.log"));
	cr_assert_eq(line("Nov 21 10:00:00 st1 dovecot: lmtp(carol)<401><s2>: "
	    "Error: msgid=<m@x>: save failed to INBOX: Timeout while waiting "
	    "for lock", &ev), 1);
	cr_assert_str_eq(cause_of(&ev), "lock_contention");
	cr_assert_eq(ev.proto, PROTO_LMTP);
	cr_assert(eq(ev.text, "Timeout while waiting for lock"));
	/* "waiting for" that is no lock timeout */
	cr_assert_eq(line("Nov 21 10:00:00 st1 dovecot: imap(bob)<400><s1>: "
	    "Info: Timeout while waiting for client", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:00 st1 dovecot: imap(bob)<400><s1>: "
	    "Warning: still waiting for lock", &ev), 0);
}

Test(locks, pop3_end_and_refusal, .timeout = 10)
{
	struct event	 ev;

	cr_assert_eq(line("Dec  7 14:36:57 vm dovecot: pop3(lock1@example.net)"
	    "<8322><7SC6JwxiVeF/AAFB>: Disconnected: Logged out top=0/0, "
	    "retr=0/0, del=0/0, size=0", &ev), 0);
	cr_assert_eq(ev.sess, SESS_END);
	cr_assert(eq(ev.user, "lock1@example.net"));
	cr_assert(eq(ev.session, "7SC6JwxiVeF/AAFB"));
	cr_assert_eq(line("Dec  7 14:36:57 vm dovecot: pop3(lock1@example.net)"
	    "<8401><vUe/JwxipeV/AAFQ>: Disconnected: Couldn't lock POP3 "
	    "session top=0/0, retr=0/0, del=0/0, size=0", &ev), 1);
	cr_assert_eq(ev.sess, SESS_NONE, "a refusal is no end");
	cr_assert(eq(ev.session, "vUe/JwxipeV/AAFQ"));
	cr_assert_str_eq(cause_of(&ev), "lock_contention");
}

/*
 * IMAP pairs by pid through parse, classify and agg, the lines of
 * samples/locks/imap.log (per Dovecot's format strings; expected pairs
 * derived by hand in tests/locks.sh) fed to two aggs split at every
 * line, merged either way: the answer does not depend on where a chunk
 * ends or which worker read a line.
 */
static const char *const imap_lines[] = {
	"Nov 21 11:00:00 store1 dovecot: imap-login: Login: user=<carol>, method=PLAIN, rip=192.0.2.10, lip=10.0.0.1, mpid=4100, TLS, session=<cccc0001>",
	"Nov 21 11:00:10 store2 dovecot: imap-login: Login: user=<carol>, method=PLAIN, rip=192.0.2.99, lip=10.0.0.2, mpid=4100, TLS, session=<cccc0099>",
	"Nov 21 11:00:30 store1 dovecot: imap-login: Login: user=<carol>, method=PLAIN, rip=198.51.100.20, lip=10.0.0.1, mpid=4200, TLS, session=<cccc0002>",
	"Nov 21 11:03:30 store1 dovecot: imap(carol)<4200><cccc0002>: Error: Mailbox INBOX: Timeout (180s) while waiting for lock for transaction log file /var/mail/carol/dovecot.index.log (WRITE lock held by pid 4100)",
	"Nov 21 11:07:00 store1 dovecot: imap(carol)<4100><cccc0001>: Disconnected: Logged out in=1200 out=53100",
	"Nov 21 12:00:00 store1 dovecot: imap-login: Login: user=<dave>, method=PLAIN, rip=203.0.113.5, lip=10.0.0.1, mpid=4300, TLS, session=<dddd0001>",
	"Nov 21 12:10:00 store1 dovecot: imap(dave)<4300><dddd0001>: Disconnected: Logged out in=90 out=700",
	"Nov 21 12:20:00 store1 dovecot: imap-login: Login: user=<erin>, method=PLAIN, rip=203.0.113.6, lip=10.0.0.1, mpid=4300, TLS, session=<eeee0001>",
	"Nov 21 12:25:00 store1 dovecot: imap-login: Login: user=<dave>, method=PLAIN, rip=203.0.113.5, lip=10.0.0.1, mpid=4400, TLS, session=<dddd0002>",
	"Nov 21 12:28:00 store1 dovecot: imap(dave)<4400><dddd0002>: Error: Mailbox Shared/erin/INBOX: Timeout (180s) while waiting for lock for transaction log file /var/mail/erin/dovecot.index.log (WRITE lock held by pid 4300)",
};

static struct classifier	*cl;
static struct classify_scratch	*cs;

static void
pair_setup(void)
{
	cl = classify_new();
	cr_assert_not_null(cl);
	cs = classify_scratch_new(cl);
}

static void
pair_teardown(void)
{
	classify_scratch_free(cs);
	classify_free(cl);
}

/* One line as a worker's sink takes it: traffic facts and events. */
static void
feed(struct agg *a, const char *l, uint64_t pos)
{
	struct event	 ev;
	int		 rc = line(l, &ev);

	if (rc == 1) {
		classify_event(cl, cs, &ev);
		agg_traffic(a, &ev, pos, 1);
		agg_add(a, &ev, pos);
	} else if (ev.tkind != TR_NONE || ev.sess != SESS_NONE)
		agg_traffic(a, &ev, pos, 0);
}

static const struct lock_row *
row_of(const struct result *r, const char *session)
{
	size_t	 i;

	for (i = 0; i < r->nlocks; i++)
		if (strcmp(r->locks[i].session, session) == 0)
			return &r->locks[i];
	return NULL;
}

Test(locks, imap_pairs_split_anywhere, .init = pair_setup,
    .fini = pair_teardown, .timeout = 20)
{
	size_t			 k, order, i, n = sizeof(imap_lines) /
				    sizeof(imap_lines[0]);
	struct agg		*a, *b;
	struct result		*r;
	const struct lock_row	*c, *d;

	for (k = 0; k <= n; k++)
		for (order = 0; order < 2; order++) {
			a = agg_new();
			b = agg_new();
			for (i = 0; i < n; i++)
				feed(i < k ? a : b, imap_lines[i], i);
			agg_merge(order ? b : a, order ? a : b);
			agg_finish(order ? b : a);
			r = agg_result(order ? b : a, 0);
			cr_assert_eq(r->nlocks_all, 2, "split %zu order %zu",
			    k, order);
			cr_assert_eq(r->nlocks_imap, 2);
			cr_assert_eq(r->locks_held, 2);
			cr_assert_eq(r->nlock_pairs, 2);
			c = row_of(r, "cccc0002");
			d = row_of(r, "dddd0002");
			cr_assert_not_null(c);
			cr_assert_not_null(d);
			cr_assert(c->imap && d->imap);
			/* carol: pid 4100 on store1, not store2's */
			cr_assert_str_eq(c->client, "198.51.100.20");
			cr_assert_str_eq(c->holder, "192.0.2.10");
			cr_assert_str_eq(c->holder_session, "cccc0001");
			cr_assert_str_eq(c->holder_user, "carol");
			cr_assert_eq(c->holder_pid, 4100);
			/* dave: pid 4300 is erin's now, dave's ended */
			cr_assert_str_eq(d->holder, "203.0.113.6");
			cr_assert_str_eq(d->holder_session, "eeee0001");
			cr_assert_str_eq(d->holder_user, "erin");
			cr_assert_eq(d->holder_pid, 4300);
			cr_assert_str_eq(r->lock_pairs[1].holder_user, "erin");
			result_free(r);
			agg_free(a);
			agg_free(b);
		}
}

/*
 * The one engine under both rules and the cap: the POP3 lines of
 * samples/locks/dovecot.log (3 refused, 2 held; tests/locks.sh) and the
 * IMAP lines above (2 refused, 2 held), split at every line over two
 * aggs and merged either way, with --max-keys off and at 2, 4 and 8
 * records a rule: each answer is the one agg reading every line gives,
 * the refusals kept and dropped adding up to 5. Each rule keeps or
 * drops a session's records together by the session id's hash, so
 * which are kept cannot depend on the split.
 */
static const char *const pop3_lines[] = {
	"Nov 21 10:00:00 store3 dovecot: pop3-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.250, mpid=100, session=<aaaa0001>",
	"Nov 21 10:00:05 store3 dovecot: pop3-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.2, lip=192.0.2.250, mpid=101, session=<aaaa0002>",
	"Nov 21 10:00:06 store3 dovecot: pop3(alice)<101><aaaa0002>: Disconnected: Couldn't lock POP3 session top=0/0, retr=0/0, del=0/0, size=0",
	"Nov 21 10:00:20 store3 dovecot: pop3(alice)<100><aaaa0001>: Disconnected: Logged out top=0/0, retr=2/4096, del=2/2, size=4096",
	"Nov 21 10:00:30 store3 dovecot: pop3-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.2, lip=192.0.2.250, mpid=102, session=<aaaa0003>",
	"Nov 21 10:00:31 store3 dovecot: pop3(alice)<102><aaaa0003>: Disconnected: Couldn't lock POP3 session top=0/0, retr=0/0, del=0/0, size=0",
	"Nov 21 10:01:00 store3 dovecot: pop3-login: Login: user=<Bob>, method=PLAIN, rip=198.51.100.3, lip=192.0.2.250, mpid=103, session=<bbbb0001>",
	"Nov 21 10:01:10 store3 dovecot: pop3-login: Login: user=<bob>, method=PLAIN, rip=198.51.100.3, lip=192.0.2.250, mpid=104, session=<bbbb0002>",
	"Nov 21 10:01:11 store3 dovecot: pop3(bob)<104><bbbb0002>: Disconnected: Couldn't lock POP3 session top=0/0, retr=0/0, del=0/0, size=0",
	"Nov 21 10:02:00 store3 dovecot: pop3(bob)<103><bbbb0001>: Disconnected: Logged out top=0/0, retr=0/0, del=0/0, size=0",
};

/* Line i of the POP3 lines, then the IMAP ones. */
static const char *
both_line(size_t i)
{
	size_t	 np = sizeof(pop3_lines) / sizeof(pop3_lines[0]);

	return i < np ? pop3_lines[i] : imap_lines[i - np];
}

/*
 * The answer of lines [0, n) split at k over two aggs, merged as told;
 * ag gets the aggs, for agg_free after the result's.
 */
static struct result *
both_result(size_t n, size_t k, int order, size_t max, struct agg **ag)
{
	struct agg	*a = agg_new(), *b = agg_new();
	size_t		 i;

	agg_set_max_keys(a, max);
	agg_set_max_keys(b, max);
	for (i = 0; i < n; i++)
		feed(i < k ? a : b, both_line(i), i);
	agg_merge(order ? b : a, order ? a : b);
	agg_finish(order ? b : a);
	ag[0] = a;
	ag[1] = b;
	return agg_result(order ? b : a, 0);
}

Test(locks, both_rules_capped_split_anywhere, .init = pair_setup,
    .fini = pair_teardown, .timeout = 30)
{
	static const size_t	 maxes[] = { 0, 2, 4, 8 };
	size_t			 n = sizeof(pop3_lines) / sizeof(pop3_lines[0]) +
				    sizeof(imap_lines) / sizeof(imap_lines[0]);
	size_t			 m, k, order, i;
	struct result		*want, *r;
	struct agg		*wa[2], *ra[2];

	for (m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
		want = both_result(n, n, 0, maxes[m], wa);
		cr_assert_eq(want->nlocks_all + want->locks_dropped, 5,
		    "max %zu", maxes[m]);
		if (maxes[m] == 0) {
			cr_assert_eq(want->nlocks_all, 5);
			cr_assert_eq(want->nlocks_imap, 2);
			cr_assert_eq(want->locks_held, 4);
		} else if (maxes[m] == 2)
			cr_assert_gt(want->locks_dropped, 0);
		for (k = 0; k <= n; k++)
			for (order = 0; order < 2; order++) {
				r = both_result(n, k, (int)order, maxes[m],
				    ra);
				cr_assert_eq(r->nlocks_all, want->nlocks_all,
				    "max %zu split %zu order %zu", maxes[m], k,
				    order);
				cr_assert_eq(r->nlocks_imap, want->nlocks_imap);
				cr_assert_eq(r->locks_held, want->locks_held);
				cr_assert_eq(r->locks_dropped,
				    want->locks_dropped);
				for (i = 0; i < r->nlocks; i++) {
					const struct lock_row *x = &r->locks[i],
					    *y = &want->locks[i];

					cr_assert_str_eq(x->session, y->session);
					cr_assert_eq(x->holder == NULL,
					    y->holder == NULL);
					if (x->holder != NULL)
						cr_assert_str_eq(
						    x->holder_session,
						    y->holder_session);
				}
				result_free(r);
				agg_free(ra[0]);
				agg_free(ra[1]);
			}
		result_free(want);
		agg_free(wa[0]);
		agg_free(wa[1]);
	}
}
