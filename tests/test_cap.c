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
#include "traffic_util.h"
#include "agg_helpers.h"

#define NUSERS	2996		/* 428 weeks of 7: sum of (i % 7) + 1 is NUSERS * 4 */

/* n quota events of user i at input position pos */
static void
add_events(struct agg *a, unsigned i, unsigned n, uint64_t pos)
{
	char		 name[32];
	struct event	 ev;

	snprintf(name, sizeof(name), "user%05u", i);
	event_reset(&ev);
	ev.cause = CAUSE_QUOTA_EXCEEDED;
	ev.user = (struct slice){ name, strlen(name) };
	ev.host = (struct slice){ "mx", 2 };
	ev.t = 3600;
	ev.count = n;
	agg_add(a, &ev, pos);
}

/* user i has (i % 7) + 1 events: 28 a week of 7, so NUSERS * 4 in all */
static void
add_user(struct agg *a, unsigned i)
{
	add_events(a, i, (i % 7) + 1, i);
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

/*
 * The kept users are the most frequent: 428 users have 7 events (i % 7 ==
 * 6), more than the cap of 100, so the kept ones are the 100 of those
 * with the lowest names, i = 6, 13, ..., 699, and nothing else.
 */
static void
assert_top_sevens(const struct result *r, unsigned keep)
{
	unsigned	 k, u;

	cr_assert_eq(r->nusers, keep);
	cr_assert_eq(r->folded_users, NUSERS * 4 - 7 * keep);
	cr_assert_eq(r->nusers_shown, keep + 1);
	/* (other) has the most events, so it comes first */
	cr_assert_str_eq(r->users[0].name, "(other)");
	for (k = 0; k < keep; k++) {
		/* equal counts sort by name: the order of i */
		cr_assert_eq(sscanf(r->users[k + 1].name, "user%05u", &u), 1);
		cr_assert_eq(u, 6 + 7 * k, "row %u is user%05u", k, u);
		cr_assert_eq(r->users[k + 1].events, 7);
	}
}

Test(cap, fold_keeps_most_frequent, .timeout = 5)
{
	struct agg	*a = run_split(100, 1, 1, 0);
	struct result	*r = agg_result(a, 0);

	assert_top_sevens(r, 100);
	result_free(r);
	agg_free(a);
}

/*
 * Each user's events arrive one at a time, spread over three aggs, with
 * a cap of 10: every agg spills hundreds of runs (merged in levels of
 * 16), and a user's 7 events are in several runs of several aggs. Only
 * the exact totals make the sevens the top.
 */
Test(cap, fold_by_total_across_spills, .timeout = 10)
{
	struct agg	*p[3];
	struct result	*r;
	unsigned	 i, j, k;

	for (k = 0; k < 3; k++) {
		p[k] = agg_new();
		agg_set_max_keys(p[k], 10);
	}
	for (j = 0; j < 7; j++)
		for (i = 0; i < NUSERS; i++)
			if (j <= i % 7)
				add_events(p[(i + j) % 3], i, 1,
				    (uint64_t)j * NUSERS + i);
	agg_merge(p[1], p[2]);
	agg_merge(p[0], p[1]);
	agg_finish(p[0]);
	r = agg_result(p[0], 0);
	cr_assert_eq(r->events, NUSERS * 4);
	assert_top_sevens(r, 10);
	result_free(r);
	for (k = 0; k < 3; k++)
		agg_free(p[k]);
}

/* The example of a template is the earliest, through spills too. */
Test(cap, fold_keeps_earliest_example, .timeout = 5)
{
	struct agg	*a = agg_new(), *b = agg_new();
	struct event	 ev;
	struct result	*r;
	char		 text[32];
	unsigned	 i;

	agg_set_max_keys(a, 2);
	agg_set_max_keys(b, 2);
	event_reset(&ev);
	ev.cause = CAUSE_UNCLASSIFIED;
	/* "frob N" from 3 positions (the earliest, 7, in b), then 40
	 * single templates "zz<letters>" that force spills in a */
	ev.text = (struct slice){ "frob 900", 8 };
	agg_add(a, &ev, 900);
	ev.text = (struct slice){ "frob 7", 6 };
	agg_add(b, &ev, 7);
	for (i = 0; i < 40; i++) {
		snprintf(text, sizeof(text), "zz%c%c", 'g' + i % 20,
		    'g' + i / 20);
		ev.text = (struct slice){ text, strlen(text) };
		agg_add(a, &ev, 1000 + i);
	}
	ev.text = (struct slice){ "frob 55", 7 };
	agg_add(a, &ev, 55);
	agg_merge(a, b);
	agg_finish(a);
	r = agg_result(a, 0);
	cr_assert_str_eq(r->unclassified[0].tmpl, "frob N");
	cr_assert_eq(r->unclassified[0].events, 3);
	cr_assert_str_eq(r->unclassified[0].example, "frob 7");
	/* the second kept: the lowest of the singles, "zzgg" */
	cr_assert_str_eq(r->unclassified[1].tmpl, "zzgg");
	cr_assert_eq(r->nunclassified, 3);
	cr_assert_str_eq(r->unclassified[2].tmpl, "(other)");
	cr_assert_eq(r->unclassified[2].events, 39);
	result_free(r);
	agg_free(a);
	agg_free(b);
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

/* --- the traffic sets ---------------------------------------------------- */

#define NMSGS	2996		/* as NUSERS: deliveries sum to NMSGS * 4 */

/*
 * Message i, all in one agg: received, 100 bytes from "s<i>@x.example",
 * delivered (i % 7) + 1 times to "r<i>@d<i>.example", removed.
 */
static void
add_msg(struct agg *a, unsigned i)
{
	char	 snd[32], rcp[32];

	snprintf(snd, sizeof(snd), "s%05u@x.example", i);
	snprintf(rcp, sizeof(rcp), "r%05u@d%05u.example", i, i);
	add_message(a, i, snd, rcp);
}

static struct agg *
run_msgs(size_t max, unsigned nparts, unsigned stride, int reverse)
{
	struct agg	*p[8];
	unsigned	 k, i, m;

	for (k = 0; k < nparts; k++) {
		p[k] = agg_new();
		agg_set_max_keys(p[k], max);
	}
	for (i = 0; i < NMSGS; i++) {
		m = reverse ? NMSGS - 1 - i : i;
		add_msg(p[(m * stride) % nparts], m);
		agg_chunk_end(p[(m * stride) % nparts]);
	}
	for (k = 1; k < nparts; k++) {
		agg_merge(p[0], p[k]);
		agg_free(p[k]);
	}
	agg_finish(p[0]);
	return p[0];
}

Test(cap, traffic_no_fold_under_cap, .timeout = 5)
{
	struct agg	*a = run_msgs(NMSGS, 2, 1, 0);
	struct result	*r = agg_result(a, 0);
	const struct traffic *t = &r->traffic;

	cr_assert_eq(t->senders, NMSGS);
	cr_assert_eq(t->recipients, NMSGS);
	cr_assert_eq(t->recipient_domains, NMSGS);
	cr_assert_eq(t->folded_senders, 0);
	cr_assert_eq(t->ntop_recipients, 10, "no (other) row");
	result_free(r);
	agg_free(a);
}

Test(cap, traffic_fold_is_exact, .timeout = 5)
{
	struct agg	*a = run_msgs(100, 1, 1, 0);
	struct result	*r = agg_result(a, 1000000);
	const struct traffic *t = &r->traffic;
	const struct traffic_row *o;
	uint64_t	 dl = 0;
	size_t		 i;
	unsigned	 u;

	/* every total stays exact: NMSGS messages, NMSGS * 4 deliveries */
	cr_assert_eq(t->received, NMSGS);
	cr_assert_eq(t->delivered, NMSGS * 4);
	cr_assert_eq(t->bytes_received, NMSGS * 100);
	cr_assert_eq(t->bytes_delivered, NMSGS * 4 * 100);
	/* the distinct counts stay exact over the cap */
	cr_assert_eq(t->senders, NMSGS);
	cr_assert_eq(t->recipients, NMSGS);
	cr_assert_eq(t->recipient_domains, NMSGS);
	cr_assert_eq(t->deferred, 0);
	/* one message per sender: 100 kept (s00000..s00099), the rest folded */
	cr_assert_eq(t->folded_senders, NMSGS - 100);
	cr_assert_eq(t->ntop_senders, 101);
	cr_assert_str_eq(t->top_senders[0].name, "s00000@x.example");
	cr_assert_str_eq(t->top_senders[99].name, "s00099@x.example");
	o = &t->top_senders[t->ntop_senders - 1];
	cr_assert_str_eq(o->name, "(other)");
	cr_assert_eq(o->n, t->folded_senders);
	cr_assert_eq(o->bytes, t->folded_senders * 100);
	/*
	 * the kept recipients are the 100 most frequent: those with 7
	 * deliveries (u % 7 == 6), lowest names first, u = 6, 13, ...;
	 * all listed, (other) last
	 */
	cr_assert_eq(t->ntop_recipients, 101);
	cr_assert_eq(t->folded_recipients, NMSGS * 4 - 700);
	for (i = 0; i + 1 < t->ntop_recipients; i++) {
		cr_assert_eq(sscanf(t->top_recipients[i].name, "r%05u@", &u),
		    1);
		cr_assert_eq(u, 6 + 7 * i);
		cr_assert_eq(t->top_recipients[i].n, (u % 7) + 1);
		cr_assert_eq(t->top_recipients[i].bytes, ((u % 7) + 1) * 100);
		dl += t->top_recipients[i].n;
	}
	o = &t->top_recipients[i];
	cr_assert_str_eq(o->name, "(other)");
	cr_assert_eq(o->n, t->folded_recipients);
	cr_assert_eq(dl + o->n, NMSGS * 4);
	cr_assert_eq(o->bytes, o->n * 100);
	result_free(r);
	agg_free(a);
}

/* Same kept senders and recipients for any split of the messages. */
Test(cap, traffic_split_independent, .timeout = 10)
{
	struct agg	*ref = run_msgs(100, 1, 1, 0);
	struct result	*rr = agg_result(ref, 1000000);
	static const unsigned cfg[][3] = {
		{ 2, 1, 0 }, { 3, 2, 1 }, { 5, 3, 0 }, { 1, 1, 1 }
	};
	size_t		 c, i;

	for (c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
		struct agg	*a = run_msgs(100, cfg[c][0], cfg[c][1],
		    (int)cfg[c][2]);
		struct result	*r = agg_result(a, 1000000);
		const struct traffic *t = &r->traffic, *rt = &rr->traffic;

		cr_assert_eq(t->senders, rt->senders, "config %zu", c);
		cr_assert_eq(t->folded_recipients, rt->folded_recipients);
		cr_assert_eq(t->ntop_recipients, rt->ntop_recipients);
		for (i = 0; i < t->ntop_recipients; i++) {
			cr_assert_str_eq(t->top_recipients[i].name,
			    rt->top_recipients[i].name);
			cr_assert_eq(t->top_recipients[i].n,
			    rt->top_recipients[i].n);
		}
		result_free(r);
		agg_free(a);
	}
	result_free(rr);
	agg_free(ref);
}

/* --- the Dovecot auth join ----------------------------------------------- */

#define NSESS	1000

/*
 * Session i: an auth verdict "unknown user" for even i, then a login
 * failure; event k of the 3 * NSESS / 2 goes to part (k * stride) %
 * nparts, so verdict and failure often land in different parts.
 */
static struct result *
run_join(size_t max, unsigned nparts, unsigned stride, struct agg **out)
{
	struct agg	*p[8];
	char		 s[16];
	struct event	 ev;
	unsigned	 k, i, n = 0;

	for (k = 0; k < nparts; k++) {
		p[k] = agg_new();
		agg_set_max_keys(p[k], max);
	}
	for (i = 0; i < NSESS; i++) {
		snprintf(s, sizeof(s), "S%04u", i);
		event_reset(&ev);
		ev.session = (struct slice){ s, strlen(s) };
		ev.user = (struct slice){ s, strlen(s) };
		if (i % 2 == 0) {
			ev.flags = EV_AUTH_UNKNOWN;
			agg_add(p[(n * stride) % nparts], &ev, n);
			n++;
		}
		ev.flags = EV_JOIN;
		ev.cause = CAUSE_AUTH_FAILURE;
		agg_add(p[(n * stride) % nparts], &ev, n);
		n++;
	}
	for (k = 1; k < nparts; k++) {
		agg_merge(p[0], p[k]);
		agg_free(p[k]);
	}
	agg_finish(p[0]);
	*out = p[0];
	return agg_result(p[0], 0);
}

Test(cap, join_exact_under_cap, .timeout = 5)
{
	struct agg	*a;
	struct result	*r = run_join(NSESS, 3, 1, &a);

	/* every even session has its verdict, in whichever part */
	cr_assert_eq(detail_events(r, CAUSE_AUTH_FAILURE, "unknown_user"),
	    NSESS / 2);
	cr_assert_eq(cause_events(r, CAUSE_UNKNOWN_MAILBOX), 0);
	cr_assert_eq(cause_events(r, CAUSE_AUTH_FAILURE), NSESS);
	cr_assert_eq(r->join_unresolved, 0);
	cr_assert_eq(r->join_dropped, 0);
	result_free(r);
	agg_free(a);
}

Test(cap, join_capped_split_independent, .timeout = 10)
{
	struct agg	*ra, *a;
	struct result	*rr = run_join(50, 1, 1, &ra), *r;
	static const unsigned cfg[][2] = { { 2, 1 }, { 3, 2 }, { 5, 3 } };
	uint64_t	 um = detail_events(rr, CAUSE_AUTH_FAILURE, "unknown_user");
	size_t		 c;

	/* no event lost; a kept even session is auth_failure/unknown_user */
	cr_assert_eq(rr->events, NSESS);
	cr_assert_gt(rr->join_unresolved, 0);
	cr_assert_eq(um + rr->join_dropped, NSESS / 2, "each verdict once");
	cr_assert_eq(cause_events(rr, CAUSE_AUTH_FAILURE), NSESS);
	/* at most 50 sessions kept: the failures of the rest unresolved */
	cr_assert_geq(rr->join_unresolved, NSESS - 50);
	for (c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
		r = run_join(50, cfg[c][0], cfg[c][1], &a);
		cr_assert_eq(detail_events(r, CAUSE_AUTH_FAILURE,
		    "unknown_user"), um,
		    "config %zu", c);
		cr_assert_eq(r->join_unresolved, rr->join_unresolved);
		cr_assert_eq(r->join_dropped, rr->join_dropped);
		result_free(r);
		agg_free(a);
	}
	result_free(rr);
	agg_free(ra);
}
