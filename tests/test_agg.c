/*
 * Unit tests of the agg stage: counting, the Dovecot auth join across
 * per-thread tables, merge order independence and example choice.
 */
#include <criterion/criterion.h>
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
