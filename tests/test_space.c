/*
 * Free space as servers log it (issue 15 item 5): the figures parsed
 * from real lines, their sum over any order, and the fall rate. Every
 * expected value is worked out by hand in the comment beside it.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "mxtally/agg.h"
#include "mxtally/report.h"
#include "../src/agg/agg_int.h"
#include "parse_util.h"

/* Postfix 2.x smtpd, from the kdent corpus (conch, Oct 22) */
Test(space, postfix_queue, .timeout = 10)
{
	struct event	 ev;

	cr_assert_eq(line("Oct 22 14:27:26 conch postfix/smtpd[12613]: "
	    "warning: not enough free space in mail queue: 177774592 bytes "
	    "< 1.5*message size limit", &ev), 0, "a fact, not an event");
	cr_assert_eq(ev.space, SP_QUEUE);
	cr_assert_eq(ev.free, 177774592);
	cr_assert(eq(ev.host, "conch"));
}

/* Exim 4.96 on loopback (notes/reallogs): space=1024 K = 1048576 bytes */
Test(space, exim_spool, .timeout = 10)
{
	struct event	 ev;

	cr_assert_eq(line("Dec  7 14:36:45 vm exim[8250]: spool directory "
	    "space check failed: space=1024 inodes=3085458", &ev), 1,
	    "the client was told 452: an event");
	cr_assert_eq(ev.space, SP_SPOOL);
	cr_assert_eq(ev.free, 1048576);
	cr_assert_str_eq(cause_of(&ev), "system_storage");
	cr_assert_eq(line("Dec  7 14:36:45 vm exim[8250]: log directory "
	    "space check failed: space=20 inodes=9", &ev), 1);
	cr_assert_eq(ev.space, SP_LOGDIR);
	cr_assert_eq(ev.free, 20480);
	/* statvfs failed: "-1", no figure, still the 452 event */
	cr_assert_eq(line("Dec  7 14:36:45 vm exim[8250]: spool directory "
	    "space check failed: space=-1 inodes=9", &ev), 1);
	cr_assert_eq(ev.space, SP_NONE);
}

/* Neither a figure without "bytes" nor another warning carries one */
Test(space, postfix_not_a_figure, .timeout = 10)
{
	struct event	 ev;

	line("Oct 22 14:27:26 conch postfix/smtpd[1]: warning: not enough "
	    "free space in mail queue: lots", &ev);
	cr_assert_eq(ev.space, SP_NONE);
	line("Oct 22 14:27:26 conch postfix/smtpd[1]: warning: hostname "
	    "x does not resolve to address 192.0.2.1", &ev);
	cr_assert_eq(ev.space, SP_NONE);
}

static struct space_fig
fig(uint64_t bytes, int64_t t)
{
	return (struct space_fig){ .samples = 1, .min = bytes, .min_at = t,
	    .first = bytes, .first_at = t, .last = bytes, .last_at = t };
}

/*
 * Three figures at t 100 (300), 200 (100), 300 (200), added in each of
 * the six orders: samples 3, lowest 100 at 200, first 300 at 100, last
 * 200 at 300; the same whatever the order (-j must not matter).
 */
Test(space, add_any_order, .timeout = 10)
{
	static const int	 order[6][3] = { { 0, 1, 2 }, { 0, 2, 1 },
	    { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	struct space_fig	 f[3] = { fig(300, 100), fig(100, 200),
	    fig(200, 300) }, sum;
	int			 i, j;

	for (i = 0; i < 6; i++) {
		memset(&sum, 0, sizeof(sum));
		for (j = 0; j < 3; j++)
			space_fig_add(&sum, &f[order[i][j]]);
		cr_assert_eq(sum.samples, 3);
		cr_assert_eq(sum.min, 100);
		cr_assert_eq(sum.min_at, 200);
		cr_assert_eq(sum.first, 300);
		cr_assert_eq(sum.first_at, 100);
		cr_assert_eq(sum.last, 200);
		cr_assert_eq(sum.last_at, 300);
	}
}

/*
 * 182087680 bytes at 14:14:13 and 177774592 at 14:27:26 (the kdent
 * log's first and last): fell 4313088 bytes in 793 s, 19580223.5 bytes
 * an hour; 177774592 / 19580223.5 = 9.079 hours left.
 */
Test(space, rate, .timeout = 10)
{
	struct space_fig	 f = fig(182087680, 51253), g = fig(177774592,
	    52046);
	double			 rate, left;

	space_fig_add(&f, &g);
	cr_assert(space_rate(&f, &rate, &left));
	cr_assert(fabs(rate - 19580223.45) < 1, "rate %f", rate);
	cr_assert(fabs(left - 9.079) < 0.001, "left %f", left);
	g = fig(5, 10);			/* one figure: no rate */
	cr_assert_not(space_rate(&g, &rate, &left));
	f = fig(100, 10);		/* rising: no rate */
	g = fig(200, 20);
	space_fig_add(&f, &g);
	cr_assert_not(space_rate(&f, &rate, &left));
}
