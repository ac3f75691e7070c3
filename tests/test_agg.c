/*
 * Unit tests of the agg stage: counting, the Dovecot auth join across
 * per-thread tables, merge order independence and example choice, and
 * rows counted elsewhere (agg_add_row, the merge's way in).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/parse.h"
#include "agg_helpers.h"

static struct event
ev_make(int cause, const char *user, const char *host, int64_t t)
{
	struct event	 ev;

	event_reset(&ev);
	ev.cause = (int16_t)cause;
	ev.user = (struct slice){ user, strlen(user) };
	ev.host = (struct slice){ host, strlen(host) };
	ev.t = t;
	return ev;
}

Test(agg, counts_users_hosts_hours, .timeout = 5)
{
	struct agg	*a = agg_new();
	struct event	 e1 = ev_make(CAUSE_QUOTA_EXCEEDED, "Alice", "s1", 3600 * 10 + 5);
	struct event	 e2 = ev_make(CAUSE_QUOTA_EXCEEDED, "alice", "s2", 3600 * 10 + 50);
	struct event	 e3 = ev_make(CAUSE_LOCK_CONTENTION, "bob", "s1", 3600 * 11);
	struct result	*r;

	e3.count = 3;
	agg_add(a, &e1, 1);
	agg_add(a, &e2, 2);
	agg_add(a, &e3, 3);
	agg_finish(a);
	r = agg_result(a, 0);
	cr_assert_eq(r->events, 5);
	cr_assert_eq(r->nusers, 2);
	/* bob has 3 events, alice 2 (lower-cased into one row) */
	cr_assert_str_eq(r->users[0].name, "bob");
	cr_assert_str_eq(r->users[1].name, "alice");
	cr_assert_eq(r->users[1].by_cause[CAUSE_QUOTA_EXCEEDED], 2);
	cr_assert_eq(r->nhosts, 2);
	cr_assert_str_eq(r->hosts[0].name, "s1");
	cr_assert_eq(r->hosts[0].events, 4);
	cr_assert_eq(r->nhours, 2);
	cr_assert_eq(r->hours[0].start, 36000);
	cr_assert_eq(r->hours[0].events, 2);
	cr_assert_eq(r->causes[0].cause, CAUSE_LOCK_CONTENTION);
	cr_assert_eq(r->causes[1].users, 1);
	result_free(r);
	agg_free(a);
}

/* The verdict and the login land in different per-thread aggs. */
Test(agg, dovecot_join_across_aggs, .timeout = 5)
{
	struct agg	*a = agg_new(), *b = agg_new();
	struct event	 login = ev_make(CAUSE_AUTH_FAILURE, "admin", "st", 100);
	struct event	 other = ev_make(CAUSE_AUTH_FAILURE, "bob", "st", 101);
	struct event	 verdict;
	struct result	*r;

	login.flags = EV_JOIN;
	login.session = (struct slice){ "S1", 2 };
	other.flags = EV_JOIN;
	other.session = (struct slice){ "S2", 2 };
	other.count = 2;
	event_reset(&verdict);
	verdict.flags = EV_AUTH_UNKNOWN;
	verdict.session = (struct slice){ "S1", 2 };
	agg_add(a, &login, 10);
	agg_add(a, &other, 11);
	agg_add(b, &verdict, 5);
	agg_merge(a, b);
	agg_finish(a);
	r = agg_result(a, 0);
	/* causes.md: an unknown login stays auth_failure, unknown_user */
	cr_assert_eq(cause_events(r, CAUSE_UNKNOWN_MAILBOX), 0);
	cr_assert_eq(cause_events(r, CAUSE_AUTH_FAILURE), 3);
	cr_assert_eq(detail_events(r, CAUSE_AUTH_FAILURE, "unknown_user"), 1);
	cr_assert_eq(r->events, 3);
	result_free(r);
	agg_free(a);
	agg_free(b);
}

/* The join marks only an auth_failure unknown_user: a login a user rule
 * gave another cause keeps it (rate_limited stands for that cause). */
Test(agg, dovecot_join_keeps_user_cause, .timeout = 5)
{
	struct agg	*a = agg_new();
	struct event	 login = ev_make(CAUSE_RATE_LIMITED, "admin", "st", 100);
	struct event	 verdict;
	struct result	*r;

	login.flags = EV_JOIN;
	login.session = (struct slice){ "S1", 2 };
	event_reset(&verdict);
	verdict.flags = EV_AUTH_UNKNOWN;
	verdict.session = (struct slice){ "S1", 2 };
	agg_add(a, &verdict, 5);
	agg_add(a, &login, 10);
	agg_finish(a);
	r = agg_result(a, 0);
	cr_assert_eq(cause_events(r, CAUSE_UNKNOWN_MAILBOX), 0);
	cr_assert_eq(cause_events(r, CAUSE_RATE_LIMITED), 1);
	result_free(r);
	agg_free(a);
}

Test(agg, merge_order_and_examples, .timeout = 5)
{
	struct agg	*x = agg_new(), *y = agg_new(), *p = agg_new(), *q = agg_new();
	struct event	 e = ev_make(CAUSE_UNCLASSIFIED, "u", "h", 1);
	struct result	*r1, *r2;

	e.text = (struct slice){ "frob 1 failed", 13 };
	agg_add(x, &e, POS_MAKE(0, 500));
	agg_add(q, &e, POS_MAKE(0, 500));
	e.text = (struct slice){ "frob 2 failed", 13 };
	agg_add(y, &e, POS_MAKE(0, 100));
	agg_add(p, &e, POS_MAKE(0, 100));
	agg_merge(x, y);	/* late one first */
	agg_merge(p, q);	/* early one first */
	agg_finish(x);
	agg_finish(p);
	r1 = agg_result(x, 0);
	r2 = agg_result(p, 0);
	cr_assert_eq(r1->nunclassified, 1);
	cr_assert_str_eq(r1->unclassified[0].tmpl, "frob N failed");
	cr_assert_eq(r1->unclassified[0].events, 2);
	cr_assert_str_eq(r1->unclassified[0].example, "frob 2 failed");
	cr_assert_str_eq(r2->unclassified[0].example, "frob 2 failed");
	result_free(r1);
	result_free(r2);
	agg_free(x); agg_free(y); agg_free(p); agg_free(q);
}

/*
 * Users are grouped and ordered through the first eight bytes of their
 * names, then the rest: names alike that far, some with two causes,
 * come out by count descending, then by name, as strcmp orders them.
 */
Test(agg, users_alike_in_prefix, .timeout = 5)
{
	struct agg	*a = agg_new();
	struct result	*r;
	char		 names[60][32];
	struct event	 ev;
	size_t		 i, j;

	for (i = 0; i < 60; i++) {
		/* "mailbox-" for all, then a suffix out of order */
		snprintf(names[i], sizeof(names[i]), "mailbox-%c%02zu",
		    i % 2 ? 'b' : 'a', (i * 37) % 60);
		for (j = 0; j <= i % 3; j++) {
			ev = ev_make(j == 0 ? CAUSE_QUOTA_EXCEEDED :
			    CAUSE_LOCK_CONTENTION, names[i], "h", 3600);
			agg_add(a, &ev, i * 4 + j);
		}
	}
	ev = ev_make(CAUSE_QUOTA_EXCEEDED, "mailbox", "h", 3600);	/* short */
	agg_add(a, &ev, 1000);
	agg_finish(a);
	r = agg_result(a, 0);
	cr_assert_eq(r->nusers, 61);
	for (i = 1; i < r->nusers; i++) {
		const struct entity_row *p = &r->users[i - 1], *u = &r->users[i];
		cr_assert(p->events > u->events || (p->events == u->events &&
		    strcmp(p->name, u->name) < 0), "row %zu: %s (%llu) after "
		    "%s (%llu)", i, u->name, (unsigned long long)u->events,
		    p->name, (unsigned long long)p->events);
		cr_assert_eq(u->events, u->by_cause[CAUSE_QUOTA_EXCEEDED] +
		    u->by_cause[CAUSE_LOCK_CONTENTION]);
	}
	cr_assert_str_eq(r->users[40].name, "mailbox");	/* first with 1 */
	result_free(r);
	agg_free(a);
}

/*
 * The cold path (merge): rows counted elsewhere come out of agg_result
 * as the same events counted here do. The scan's agg counts three
 * events; a second agg gets its result's rows back as rows.
 */
Test(agg, rows_as_events, .timeout = 5)
{
	struct agg	*a = agg_new(), *b = agg_new();
	struct event	 e1 = ev_make(CAUSE_QUOTA_EXCEEDED, "carol", "s1", 7200);
	struct event	 e2 = ev_make(CAUSE_QUOTA_EXCEEDED, "alice", "s2", 3600);
	struct event	 e3 = ev_make(CAUSE_LOCK_CONTENTION, "bob", "s1", 7300);
	struct result	*ra, *rb;
	size_t		 i;
	int		 c;

	agg_add(a, &e1, 1);
	agg_add(a, &e2, 2);
	agg_add(a, &e3, 3);
	agg_finish(a);
	ra = agg_result(a, 0);
	/* the rows in reverse, so that order comes from agg_result */
	for (i = ra->nusers; i-- > 0;)
		for (c = 0; c < cause_count(); c++)
			if (ra->users[i].by_cause[c] > 0)
				cr_assert_eq(agg_add_row(b, &(struct agg_row){
				    .table = AGG_USERS, .name = ra->users[i].name,
				    .cause = c, .n = ra->users[i].by_cause[c] }),
				    0);
	for (i = ra->nhours; i-- > 0;)
		for (c = 0; c < cause_count(); c++)
			if (ra->hours[i].by_cause[c] > 0)
				agg_add_row(b, &(struct agg_row){
				    .table = AGG_HOURS, .start = ra->hours[i].start,
				    .cause = c, .n = ra->hours[i].by_cause[c] });
	for (i = 0; i < ra->ncauses; i++)
		agg_add_cause(b, ra->causes[i].cause, ra->causes[i].events, NULL);
	agg_finish(b);
	rb = agg_result(b, 0);
	cr_assert_eq(rb->nusers, 3);
	cr_assert_eq(rb->ncauses, ra->ncauses);
	for (i = 0; i < 3; i++) {
		cr_assert_str_eq(rb->users[i].name, ra->users[i].name);
		cr_assert_eq(rb->users[i].events, ra->users[i].events);
	}
	/* alice 1, bob 1, carol 1: by name */
	cr_assert_str_eq(rb->users[0].name, "alice");
	cr_assert_eq(rb->causes[0].users, ra->causes[0].users);
	cr_assert_str_eq(rb->causes[0].top[0].user, ra->causes[0].top[0].user);
	cr_assert_eq(rb->nhours, 2);
	cr_assert_eq(rb->hours[0].start, 3600);
	cr_assert_eq(rb->hours[1].events, 2);
	result_free(ra);
	result_free(rb);
	agg_free(a);
	agg_free(b);
}

/*
 * A report's "(other)" rows (name NULL) go to the table's remainder:
 * users' after the named rows of equal count, the template's and the
 * top recipients' after every kept key whatever its count, as a scan
 * puts them. A sum past 2^64 - 1 is refused, the count kept.
 */
Test(agg, rows_folded_and_bounded, .timeout = 5)
{
	struct agg	*a = agg_new();
	struct agg_row	 row = { .table = AGG_USERS, .name = "zed",
			    .cause = CAUSE_QUOTA_EXCEEDED, .n = 2 };
	struct result	*r;

	cr_assert_eq(agg_add_row(a, &row), 0);
	row.name = NULL;
	cr_assert_eq(agg_add_row(a, &row), 0);
	row = (struct agg_row){ .table = AGG_UNCL, .name = "frob N",
	    .n = 1, .ex = "frob 7", .pos = 2 };
	agg_add_row(a, &row);
	row.ex = "frob 1";		/* read first: its example is kept */
	row.pos = 1;
	agg_add_row(a, &row);
	row = (struct agg_row){ .table = AGG_UNCL, .n = 5 };
	agg_add_row(a, &row);
	row = (struct agg_row){ .table = AGG_RCPTS, .name = "a@x", .n = 1 };
	agg_add_row(a, &row);
	row.name = NULL;
	row.n = 9;
	agg_add_row(a, &row);
	row = (struct agg_row){ .table = AGG_USERS, .name = "zed",
	    .cause = CAUSE_QUOTA_EXCEEDED, .n = UINT64_MAX };
	cr_assert_eq(agg_add_row(a, &row), -1);
	cr_assert_eq(errno, ERANGE);
	agg_add_cause(a, CAUSE_QUOTA_EXCEEDED, 4, NULL);
	agg_finish(a);
	r = agg_result(a, 0);
	cr_assert_eq(r->nusers, 1);
	cr_assert_str_eq(r->users[0].name, "zed");
	cr_assert_eq(r->users[0].events, 2);
	cr_assert_str_eq(r->users[1].name, "(other)");
	cr_assert_eq(r->nunclassified, 2);
	cr_assert_str_eq(r->unclassified[0].tmpl, "frob N");
	cr_assert_str_eq(r->unclassified[0].example, "frob 1");
	cr_assert_str_eq(r->unclassified[1].tmpl, "(other)");
	cr_assert_eq(r->unclassified[1].events, 5);
	cr_assert_eq(r->traffic.ntop_recipients, 2);
	cr_assert_str_eq(r->traffic.top_recipients[0].name, "a@x");
	cr_assert_str_eq(r->traffic.top_recipients[1].name, "(other)");
	cr_assert_eq(r->traffic.folded_recipients, 9);
	result_free(r);
	agg_free(a);
}

/*
 * A saved report's lock contention through the cold path: rows listed
 * latest first, pairs of one user, client and holder added up, the
 * counts summed (refused: the unlisted ones, beside the rows), sums
 * past 2^64 - 1 refused.
 */
Test(agg, lock_rows_given, .timeout = 5)
{
	struct agg		*a = agg_new();
	struct lock_counts	 c = { .refused = 3, .held = 2, .dropped = 1 };
	struct lock_pair	 p = { .user = "ann", .client = "10.0.0.2",
				    .holder = "10.0.0.1", .events = 2 };
	struct result		*r;

	cr_assert_eq(agg_add_lock_counts(a, &c), 0);
	agg_add_lock_row(a, &(struct lock_row){ .user = "ann", .t = 100,
	    .session = "s1", .client = "10.0.0.2", .holder = "10.0.0.1",
	    .since = 90 });
	agg_add_lock_row(a, &(struct lock_row){ .user = "bob", .t = 200,
	    .session = "s2", .client = "10.0.0.3" });
	cr_assert_eq(agg_add_lock_pair(a, &p), 0);
	p.events = 3;		/* the same pair in a second report */
	cr_assert_eq(agg_add_lock_pair(a, &p), 0);
	p.client = "10.0.0.4";
	p.events = 1;
	cr_assert_eq(agg_add_lock_pair(a, &p), 0);
	p.events = UINT64_MAX;
	cr_assert_eq(agg_add_lock_pair(a, &p), -1);
	cr_assert_eq(errno, ERANGE);
	c.refused = UINT64_MAX;
	cr_assert_eq(agg_add_lock_counts(a, &c), -1);
	cr_assert_eq(errno, ERANGE);
	agg_finish(a);
	r = agg_result(a, 0);
	cr_assert_eq(r->nlocks, 2);
	cr_assert_str_eq(r->locks[0].user, "bob");	/* latest first */
	cr_assert_str_eq(r->locks[1].user, "ann");
	cr_assert_eq(r->nlocks_all, 5);		/* 2 listed + 3 not */
	cr_assert_eq(r->locks_held, 2);
	cr_assert_eq(r->locks_dropped, 1);
	cr_assert_eq(r->nlock_pairs, 2);
	cr_assert_str_eq(r->lock_pairs[0].client, "10.0.0.2");	/* most first */
	cr_assert_eq(r->lock_pairs[0].events, 5);
	cr_assert_str_eq(r->lock_pairs[1].client, "10.0.0.4");
	cr_assert_eq(r->lock_pairs[1].events, 1);
	result_free(r);
	agg_free(a);
}
