/*
 * report_views: what the writers show that is derived from the counts,
 * computed once into the result before any writer (the storage rows
 * busiest first, the space trend, the traffic and login rates, the
 * lock reasons), each checked against figures worked out by hand from
 * the fixture; and a writer refuses a result without views, so no
 * writer can go back to deriving a figure of its own.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "mxtally/agg.h"
#include "report_fixture.h"

static uint64_t carol_by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 1,
    [CAUSE_SYSTEM_STORAGE] = 4 };
static uint64_t dave_by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 2 };

Test(report_views, storage_busiest_first, .timeout = 5)
{
	struct entity_row	 u[] = {
		{ "dave", 0, 2, dave_by },	/* 2 storage, after alice */
		{ "bob", 0, 1, bob_by },	/* none: left out */
		{ "carol", 0, 5, carol_by },	/* 1 + 4 storage */
		{ "alice", 0, 2, alice_by },	/* 2 storage */
	};
	struct result		 r = tiny_result();
	const struct result_views *v = &r.views;

	r.users = u;
	r.nusers_shown = 4;
	cr_assert_eq(v->ready, 0);
	report_views(&r);
	cr_assert(v->ready);
	cr_assert_eq(v->nstorage[VIEW_USERS], 3);
	cr_assert_str_eq(v->storage[VIEW_USERS][0].e->name, "carol");
	cr_assert_eq(v->storage[VIEW_USERS][0].n, 5);
	cr_assert_str_eq(v->storage[VIEW_USERS][1].e->name, "alice");
	cr_assert_eq(v->storage[VIEW_USERS][1].n, 2);
	cr_assert_str_eq(v->storage[VIEW_USERS][2].e->name, "dave");
	/* mx1: 2 quota_exceeded of its 3 events (1 is auth_failure) */
	cr_assert_eq(v->nstorage[VIEW_HOSTS], 1);
	cr_assert_eq(v->storage[VIEW_HOSTS][0].n, 2);
	/* 14:00 has the storage events, 15:00 only an auth failure */
	cr_assert_eq(v->nstorage[VIEW_HOURS], 1);
	cr_assert_eq(v->storage[VIEW_HOURS][0].e->start, T_1400);
	report_views_release(&r);
	cr_assert_eq(v->ready, 0);
	cr_assert_null(v->storage[VIEW_USERS]);
}

Test(report_views, rates, .timeout = 5)
{
	struct result		 r = tiny_result();
	const struct result_views *v = &r.views;

	r.traffic.delivered = 6;
	r.traffic.rejected = 3;
	r.traffic.discarded = 1;
	r.traffic.bounced = 2;
	r.traffic.pop3.ok = 1;
	r.traffic.pop3.failed = 3;
	report_views(&r);
	/* pflogsumm's base: 6 delivered + 3 rejected + 1 discarded */
	cr_assert_eq(v->attempts, 10);
	cr_assert_float_eq(v->reject_pct, 30.0, 1e-9);
	/* 2 bounced of 6 delivered + 2 bounced */
	cr_assert_float_eq(v->bounce_pct, 25.0, 1e-9);
	/* pop3: 3 failed of 4 */
	cr_assert_float_eq(v->login_failed_pct[0], 75.0, 1e-9);
	/* no imap logins: 0, not a division by zero */
	cr_assert_float_eq(v->login_failed_pct[1], 0.0, 1e-9);
	report_views_release(&r);
}

Test(report_views, space_and_locks, .timeout = 5)
{
	struct space_row	 sp[] = {
		/* 1000 MiB free at 10:00, 400 MiB at 16:00: 600 MiB in
		   6 h, 100 MiB an hour, 4 h left */
		{ "mx1", 0, { 2, 400u << 20, 1000u << 20, 400u << 20,
		    T_1400 + 7200, T_1400 - 14400, T_1400 + 7200 } },
		/* one figure: no trend */
		{ "mx2", 0, { 1, 5u << 20, 5u << 20, 5u << 20, T_1400,
		    T_1400, T_1400 } },
		/* rising: no fall to tell */
		{ "mx3", 0, { 2, 5u << 20, 5u << 20, 9u << 20, T_1400,
		    T_1400, T_1400 + 3600 } },
	};
	struct lock_pair	 two[] = {
		{ "alice", "192.0.2.1", "192.0.2.2", 3, NULL, 0 },
		{ "carol", "192.0.2.4", "192.0.2.5", 1, NULL, 0 },
	};
	struct lock_pair	 same[] = { { "bob", "192.0.2.3", "192.0.2.3",
	    1, NULL, 0 } };
	struct result		 r = tiny_result();
	const struct result_views *v = &r.views;

	r.space = sp;
	r.nspace = 3;
	r.lock_pairs = two;
	r.nlock_pairs = 2;
	report_views(&r);
	cr_assert_eq(v->space[0].falling, 1);
	cr_assert_float_eq(v->space[0].per_hour, 100.0 * (1 << 20), 1.0);
	cr_assert_float_eq(v->space[0].hours_left, 4.0, 1e-9);
	cr_assert_eq(v->space[1].falling, 0);
	cr_assert_eq(v->space[2].falling, 0);
	/* two clients only: the first reason, not the second */
	cr_assert_not_null(v->lock_why[0]);
	cr_assert_null(v->lock_why[1]);
	cr_assert(strstr(v->lock_why[0], "two clients") != NULL);
	report_views_release(&r);
	r.lock_pairs = same;
	r.nlock_pairs = 1;
	report_views(&r);
	cr_assert_null(v->lock_why[0]);
	cr_assert(strstr(v->lock_why[1], "polling interval") != NULL);
	cr_assert_null(v->lock_why_imap);
	report_views_release(&r);
	/* an IMAP pair (a lock timeout) has its own reason, not POP3's */
	same[0].imap = 1;
	report_views(&r);
	cr_assert_null(v->lock_why[0]);
	cr_assert_null(v->lock_why[1]);
	cr_assert(strstr(v->lock_why_imap, "lock timeout") != NULL);
	report_views_release(&r);
}

/* A writer given a result without views stops (BUG) at once. */
Test(report_views, text_needs_views, .signal = SIGABRT, .timeout = 5)
{
	struct result		 r = tiny_result();
	struct report_opts	 o = { .version = "0.1.0" };
	FILE			*f = fopen("/dev/null", "w");

	cr_assert_not_null(f);
	report_text(f, &r, &o);
}

Test(report_views, html_needs_views, .signal = SIGABRT, .timeout = 5)
{
	struct result		 r = tiny_result();
	struct report_opts	 o = { .version = "0.1.0" };
	FILE			*f = fopen("/dev/null", "w");

	cr_assert_not_null(f);
	report_html(f, &r, &o);
}

Test(report_views, json_needs_views, .signal = SIGABRT, .timeout = 5)
{
	struct result		 r = tiny_result();
	struct report_opts	 o = { .version = "0.1.0" };
	FILE			*f = fopen("/dev/null", "w");

	cr_assert_not_null(f);
	report_json(f, &r, &o);
}

/* Views twice on one result is a bug: the second would leak the first. */
Test(report_views, twice_is_a_bug, .signal = SIGABRT, .timeout = 5)
{
	struct result		 r = tiny_result();

	report_views(&r);
	report_views(&r);
}
