/*
 * Unit tests of the key cap (--max-keys): folding into "(other)" keeps
 * totals exact and does not depend on how the events were split over
 * per-thread aggs nor on their order. Expected counts are derived from
 * the inputs built here, not from the program's output.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/parse.h"

#define NUSERS	2996		/* 428 weeks of 7: sum of (i % 7) + 1 is NUSERS * 4 */

/* user i has (i % 7) + 1 events: 28 a week of 7, so NUSERS * 4 in all */
static void
add_user(struct agg *a, unsigned i)
{
	char		 name[32];
	struct event	 ev;

	snprintf(name, sizeof(name), "user%05u", i);
	event_reset(&ev);
	ev.cause = CAUSE_QUOTA_EXCEEDED;
	ev.user = (struct slice){ name, strlen(name) };
	ev.host = (struct slice){ "mx", 2 };
	ev.t = 3600;
	ev.count = (i % 7) + 1;
	agg_add(a, &ev, i);
}

/*
 * Spreads the NUSERS users over nparts aggs (user i to part
 * (i * stride) % nparts, in order or in reverse) and merges them.
 */
static struct agg *
run_split(size_t max, unsigned nparts, unsigned stride, int reverse)
{
	struct agg	*p[8];
	unsigned	 k, i, u;

	for (k = 0; k < nparts; k++) {
		p[k] = agg_new();
		agg_set_max_keys(p[k], max);
	}
	for (i = 0; i < NUSERS; i++) {
		u = reverse ? NUSERS - 1 - i : i;
		add_user(p[(u * stride) % nparts], u);
	}
	for (k = 1; k < nparts; k++) {
		agg_merge(p[0], p[k]);
		agg_free(p[k]);
	}
	agg_finish(p[0]);
	return p[0];
}

static uint64_t
row_sum(const struct result *r)
{
	uint64_t	 s = 0;
	size_t		 i;

	for (i = 0; i < r->nusers_shown; i++)
		s += r->users[i].events;
	return s;
}

Test(cap, no_fold_under_cap, .timeout = 5)
{
	struct agg	*a = run_split(NUSERS, 3, 1, 0);
	struct result	*r = agg_result(a, 0);

	cr_assert_eq(r->events, NUSERS * 4);
	cr_assert_eq(r->nusers, NUSERS);
	cr_assert_eq(r->folded_users, 0);
	cr_assert_eq(r->nusers_shown, NUSERS);
	result_free(r);
	agg_free(a);
}

Test(cap, fold_is_exact, .timeout = 5)
{
	struct agg	*a = run_split(100, 1, 1, 0);
	struct result	*r = agg_result(a, 0);
	size_t		 i, other = SIZE_MAX;
	unsigned	 u;

	cr_assert_eq(r->events, NUSERS * 4);
	cr_assert_leq(r->nusers, 100);
	cr_assert_gt(r->nusers, 0);
	cr_assert_gt(r->folded_users, 0);
	cr_assert_eq(row_sum(r), NUSERS * 4, "rows plus (other) are all events");
	for (i = 0; i < r->nusers_shown; i++) {
		if (strcmp(r->users[i].name, "(other)") == 0) {
			other = i;
			continue;
		}
		/* a kept user has exactly its (u % 7) + 1 events */
		cr_assert_eq(sscanf(r->users[i].name, "user%05u", &u), 1);
		cr_assert_eq(r->users[i].events, (u % 7) + 1);
	}
	cr_assert_neq(other, SIZE_MAX, "an (other) row");
	cr_assert_eq(r->users[other].events, r->folded_users);
	cr_assert_eq(r->users[other].by_cause[CAUSE_QUOTA_EXCEEDED],
	    r->folded_users);
	/* the hosts table has one key and is never folded */
	cr_assert_eq(r->folded_hosts, 0);
	cr_assert_eq(r->nhosts, 1);
	result_free(r);
	agg_free(a);
}

/* Same kept names and counts for 1, 2, 3 and 5 parts, in either order. */
Test(cap, split_independent, .timeout = 10)
{
	struct agg	*ref = run_split(100, 1, 1, 0);
	struct result	*rr = agg_result(ref, 0);
	static const unsigned cfg[][3] = {
		{ 2, 1, 0 }, { 3, 2, 1 }, { 5, 3, 0 }, { 5, 1, 1 }, { 1, 1, 1 }
	};
	size_t		 c, i;

	for (c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
		struct agg	*a = run_split(100, cfg[c][0], cfg[c][1],
		    (int)cfg[c][2]);
		struct result	*r = agg_result(a, 0);

		cr_assert_eq(r->nusers, rr->nusers, "config %zu", c);
		cr_assert_eq(r->folded_users, rr->folded_users, "config %zu", c);
		for (i = 0; i < r->nusers_shown; i++) {
			cr_assert_str_eq(r->users[i].name, rr->users[i].name);
			cr_assert_eq(r->users[i].events, rr->users[i].events);
		}
		result_free(r);
		agg_free(a);
	}
	result_free(rr);
	agg_free(ref);
}

/* Events with no user name are never folded nor listed. */
Test(cap, empty_user_not_folded, .timeout = 5)
{
	struct agg	*a = agg_new();
	struct event	 ev;
	struct result	*r;
	unsigned	 i;

	agg_set_max_keys(a, 10);
	event_reset(&ev);
	ev.cause = CAUSE_QUOTA_EXCEEDED;
	ev.user = (struct slice){ "", 0 };
	agg_add(a, &ev, 0);
	for (i = 0; i < 500; i++)
		add_user(a, i);
	agg_finish(a);
	r = agg_result(a, 0);
	/* 1 nameless + sum over i < 500 of (i % 7) + 1 = 71 weeks of 28 + 6 */
	cr_assert_eq(r->events, 1 + 71 * 28 + 1 + 2 + 3);
	cr_assert_eq(row_sum(r), r->events - 1);
	result_free(r);
	agg_free(a);
}
