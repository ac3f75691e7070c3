/*
 * Unit tests of the traffic batch (src/agg/traffic.c): sender and
 * recipient counts wait in a batch of 16 addresses before they reach
 * their sets, so the result must not depend on where the chunks end (a
 * batch is flushed when full and at every chunk end), on repeated keys
 * inside one batch, nor, under a key cap, on a fold that happens in the
 * middle of a flush. Expected totals are derived by hand from the
 * messages built here, not from the program's output.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/parse.h"
#include "traffic_util.h"

#define NMSGS	2996		/* 428 weeks of 7: deliveries sum to NMSGS * 4 */

/*
 * Message i: received, 100 bytes from "s<i % 150>@x<i % 3>.example"
 * (150 senders: i % 150 fixes i % 3; 3 domains), delivered (i % 7) + 1
 * times to "r<i>@d<i % 11>.example" (NMSGS recipients, 11 domains).
 */
static void
add_msg(struct agg *a, unsigned i)
{
	char	 snd[32], rcp[32];

	snprintf(snd, sizeof(snd), "s%03u@x%u.example", i % 150, i % 3);
	snprintf(rcp, sizeof(rcp), "r%05u@d%02u.example", i, i % 11);
	add_message(a, i, snd, rcp);
}

/* All messages into one agg, a chunk ending after every per messages. */
static struct result *
run(size_t max, unsigned per, struct agg **out)
{
	struct agg	*a = agg_new();
	unsigned	 i;

	agg_set_max_keys(a, max);
	for (i = 0; i < NMSGS; i++) {
		add_msg(a, i);
		if ((i + 1) % per == 0)
			agg_chunk_end(a);
	}
	agg_finish(a);
	*out = a;
	return agg_result(a, 1000000);
}

static void
sums(const struct traffic_row *r, size_t n, uint64_t *cnt, uint64_t *bytes)
{
	size_t	 i;

	*cnt = *bytes = 0;
	for (i = 0; i < n; i++) {
		*cnt += r[i].n;
		*bytes += r[i].bytes;
	}
}

static void
same_rows(const struct traffic_row *a, size_t na, const struct traffic_row *b,
    size_t nb)
{
	size_t	 i;

	cr_assert_eq(na, nb);
	for (i = 0; i < na; i++) {
		cr_assert_str_eq(a[i].name, b[i].name);
		cr_assert_eq(a[i].n, b[i].n, "%s", a[i].name);
		cr_assert_eq(a[i].bytes, b[i].bytes, "%s", a[i].name);
	}
}

static void
check_totals(const struct traffic *t)
{
	uint64_t	 n, b;

	cr_assert_eq(t->received, NMSGS);
	cr_assert_eq(t->delivered, NMSGS * 4);
	cr_assert_eq(t->bytes_received, NMSGS * 100);
	cr_assert_eq(t->bytes_delivered, NMSGS * 4 * 100);
	/* every row listed (top 1000000), (other) included when folded */
	sums(t->top_senders, t->ntop_senders, &n, &b);
	cr_assert_eq(n, NMSGS);
	cr_assert_eq(b, NMSGS * 100);
	sums(t->top_recipients, t->ntop_recipients, &n, &b);
	cr_assert_eq(n, NMSGS * 4);
	cr_assert_eq(b, NMSGS * 4 * 100);
}

/* A run at cap max, per messages a chunk, gives want's traffic result. */
static void
same_as(const struct result *want, size_t max, unsigned per)
{
	struct agg	*a;
	struct result	*r = run(max, per, &a);

	check_totals(&r->traffic);
	cr_assert_eq(r->traffic.senders, want->traffic.senders);
	cr_assert_eq(r->traffic.recipients, want->traffic.recipients);
	same_rows(r->traffic.top_senders, r->traffic.ntop_senders,
	    want->traffic.top_senders, want->traffic.ntop_senders);
	same_rows(r->traffic.top_recipients, r->traffic.ntop_recipients,
	    want->traffic.top_recipients, want->traffic.ntop_recipients);
	result_free(r);
	agg_free(a);
}

Test(tbatch, uncapped_any_chunking, .timeout = 10)
{
	static const unsigned per[] = { 1, 2, 5, 16, 17, 100, NMSGS };
	struct agg	*ra;
	struct result	*rr = run(0, 1, &ra);
	size_t		 i;

	check_totals(&rr->traffic);
	cr_assert_eq(rr->traffic.senders, 150);
	cr_assert_eq(rr->traffic.sender_domains, 3);
	cr_assert_eq(rr->traffic.recipients, NMSGS);
	cr_assert_eq(rr->traffic.recipient_domains, 11);
	/* i % 150 < 146 occurs 20 times below 2996, the rest 19 times */
	cr_assert_eq(rr->traffic.top_senders[0].n, 20);
	cr_assert_eq(rr->traffic.top_senders[149].n, 19);
	for (i = 0; i < sizeof(per) / sizeof(per[0]); i++)
		same_as(rr, 0, per[i]);
	result_free(rr);
	agg_free(ra);
}

Test(tbatch, capped_any_chunking, .timeout = 10)
{
	static const unsigned per[] = { 2, 16, 17, NMSGS };
	struct agg	*ra;
	struct result	*rr = run(100, 1, &ra);
	size_t		 i;

	check_totals(&rr->traffic);
	/* distinct counts stay exact; kept: the 100 senders of 20 messages
	 * with the lowest names (s000..s099), so 46 * 20 + 4 * 19 fold */
	cr_assert_eq(rr->traffic.senders, 150);
	cr_assert_eq(rr->traffic.recipients, NMSGS);
	cr_assert_eq(rr->traffic.folded_senders, 46 * 20 + 4 * 19);
	cr_assert_eq(rr->traffic.ntop_senders, 101);
	cr_assert_str_eq(rr->traffic.top_senders[0].name, "s000@x0.example");
	cr_assert_str_eq(rr->traffic.top_senders[99].name, "s099@x0.example");
	for (i = 0; i < sizeof(per) / sizeof(per[0]); i++)
		same_as(rr, 100, per[i]);
	result_free(rr);
	agg_free(ra);
}
