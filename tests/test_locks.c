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
