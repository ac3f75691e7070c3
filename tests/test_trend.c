/*
 * Unit tests of the trend writers' helpers (src/report/report_trend.c)
 * and of the text writer on a trend built by hand: which part a cause
 * belongs to (quota per user, system storage per host, the rest as
 * rates), the words for a slope, day names, and the answers each writer
 * opens with. The end-to-end numbers over a real history are in
 * tests/trend.sh.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/trend.h"

Test(trend, kind_of_builtin, .timeout = 5)
{
	cr_assert_eq(trend_kind_of("quota_exceeded"), TREND_QUOTA);
	cr_assert_eq(trend_kind_of("system_storage"), TREND_SYSTEM);
	cr_assert_eq(trend_kind_of("deleted_not_removed"), TREND_SYSTEM);
	cr_assert_eq(trend_kind_of("auth_failure"), TREND_RATE);
	cr_assert_eq(trend_kind_of("policy_rejection"), TREND_RATE);
	/* an id this build does not know (from another server's rules) */
	cr_assert_eq(trend_kind_of("no_such_cause"), TREND_RATE);
}

/* Rule-added storage causes: named *quota* are a user's, others a host's. */
Test(trend, kind_of_rule_causes, .timeout = 5)
{
	cr_assert_geq(cause_add("soft_quota_warning", "storage", "m", "a"), 0);
	cr_assert_geq(cause_add("spool_full", "storage", "m", "a"), 0);
	cr_assert_geq(cause_add("quota_tool_down", "", "m", "a"), 0);
	cr_assert_eq(trend_kind_of("soft_quota_warning"), TREND_QUOTA);
	cr_assert_eq(trend_kind_of("spool_full"), TREND_SYSTEM);
	cr_assert_eq(trend_kind_of("quota_tool_down"), TREND_RATE);
}

Test(trend, direction, .timeout = 5)
{
	struct trend_series	 s = { 0 };

	cr_assert_str_eq(trend_direction(&s), "too few days");
	s.fit = 1;
	s.slope = 0.3;
	cr_assert_str_eq(trend_direction(&s), "rising");
	s.slope = -0.1;
	cr_assert_str_eq(trend_direction(&s), "falling");
	s.slope = 0.004;	/* under 0.005 a day either way: flat */
	cr_assert_str_eq(trend_direction(&s), "flat");
	s.slope = -0.004;
	cr_assert_str_eq(trend_direction(&s), "flat");
}

Test(trend, day_names, .timeout = 5)
{
	char	 b[16];

	/* 2026-11-21 is day 20778 since 1970-01-01 (date arithmetic) */
	cr_assert_str_eq(trend_day(20778, b, sizeof(b)), "2026-11-21");
	cr_assert_str_eq(trend_day(20778 + 19, b, sizeof(b)), "2026-12-10");
	cr_assert_str_eq(trend_day(0, b, sizeof(b)), "1970-01-01");
}

/*
 * A trend by hand: one system host and one quota user over two recorded
 * days (2026-11-21, -23). The text opens with one answer per part, the
 * host name from a log escaped, and the quota user never among hosts.
 */
Test(trend, text_answers, .timeout = 5)
{
	static const char	*causes[] = { "quota_exceeded", "system_storage" };
	long			 dn[2] = { 20778, 20780 };
	uint64_t		 hn[2] = { 1, 3 }, hb[2] = { 1, 3 };
	uint64_t		 un[2] = { 2, 2 }, ub[2] = { 2, 2 };
	uint64_t		 one[2] = { 1, 1 }, sys[2] = { 1, 3 }, q[2] = { 2, 2 };
	uint64_t		 day_events[2] = { 3, 5 };	/* q + sys */
	size_t			 qc[1] = { 0 }, sc[1] = { 1 };
	struct trend_series	 host = { .name = (char *)"mx\x1b[2J1", .n = hn,
	    .by = hb, .total = 4, .days = 2, .fit = 1, .slope = 1, .icpt = 1,
	    .now = 3, .days_to = 7, .days_full = 7 };
	struct trend_series	 user = { .name = (char *)"alice", .n = un,
	    .by = ub, .total = 4, .days = 2, .fit = 1, .now = 2,
	    .days_to = -1 };
	struct trend_series	 rates[2] = { { .name = (char *)"quota_exceeded",
	    .n = q, .total = 4 }, { .name = (char *)"system_storage",
	    .n = sys, .total = 4 } };
	struct trend		 t = { .db = "h.db", .days = 14, .threshold = 10,
	    .top = 10, .causes = causes, .ncauses = 2, .day0 = 20767,
	    .nd = 2, .dn = dn, .earliest = 20778, .rates = rates,
	    .day_events = day_events };
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f;

	t.part[TREND_SYSTEM] = (struct trend_part){ TREND_SYSTEM, sc, 1,
	    { .n = sys }, { .n = one }, &host, 1 };
	t.part[TREND_QUOTA] = (struct trend_part){ TREND_QUOTA, qc, 1,
	    { .n = q }, { .n = one, .fit = 1 }, &user, 1 };
	t.part[TREND_RATE].kind = TREND_RATE;
	cr_assert_not_null(f = open_memstream(&buf, &len));
	cr_assert_eq(report_trend_text(f, &t), 0);
	fclose(f);
	/* newest day 2026-11-23 + 7 days = 2026-11-30 */
	cr_assert(strstr(buf, "mxtally trend: where will we run out of space "
	    "next\nSystem storage (per host): next to run out: mx\\x1b[2J1 "
	    "reaches 10 refusals a day in 7 days (2026-11-30) at +1.00/day "
	    "each day (now 3.00/day, from event counts).\nMailbox quota (per user): 1 user over "
	    "quota on 2026-11-23, most refused alice (2); users over quota a "
	    "day: flat (+0.00/day each day).\n") == buf, "%s", buf);
	cr_assert_null(strchr(buf, '\x1b'));
	cr_assert_not_null(strstr(buf, "\nSystem storage per host "
	    "(system_storage)\n"));
	cr_assert_not_null(strstr(buf, "\nMailbox quota per user "
	    "(quota_exceeded)\n"));
	/* the per-day table: the day's events of both causes, then each */
	cr_assert_not_null(strstr(buf, "\n  2026-11-21       3  "
	    "             2               1\n  2026-11-23       5  "
	    "             2               3\n"), "%s", buf);
	free(buf);
}
