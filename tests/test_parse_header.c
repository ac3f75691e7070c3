/*
 * Unit tests of the line header's fast paths: the per-thread minute cache
 * of RFC 3164 stamps and the 16-byte field scans. Every expected value is
 * worked out by hand from the line (fields counted by eye, times from
 * time_days plus h * 3600 + m * 60 + s); the cached path must give what
 * an uncached parse gives.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/parse.h"
#include "parse_util.h"

#define DAY21	(time_days(2026, 11, 21) * 86400)

/* The stamp of line, which must parse, through the cache c. */
static int64_t
stamp(const char *line, const struct timectx *tc, struct timecache *c)
{
	struct logline	 ll;

	cr_assert_eq(parse_header(S(line), tc, c, &ll), 0, "%s", line);
	return ll.t;
}

Test(parse_header_cache, seconds_within_the_minute, .timeout = 5)
{
	struct timectx	 tc;
	struct timecache c;

	memset(&c, 0, sizeof(c));
	timectx_init(&tc, 0, 2026);
	cr_assert_eq(stamp("Nov 21 03:14:15 mx1 p: a", &tc, &c),
	    DAY21 + 3 * 3600 + 14 * 60 + 15);
	/* same minute, other seconds: from the cache */
	cr_assert_eq(stamp("Nov 21 03:14:00 mx1 p: a", &tc, &c),
	    DAY21 + 3 * 3600 + 14 * 60);
	cr_assert_eq(stamp("Nov 21 03:14:59 mx1 p: a", &tc, &c),
	    DAY21 + 3 * 3600 + 14 * 60 + 59);
	/* a leap second is accepted, as time_parse accepts it */
	cr_assert_eq(stamp("Nov 21 03:14:60 mx1 p: a", &tc, &c),
	    DAY21 + 3 * 3600 + 15 * 60);
	/* the next minute misses and refills */
	cr_assert_eq(stamp("Nov 21 03:15:01 mx1 p: a", &tc, &c),
	    DAY21 + 3 * 3600 + 15 * 60 + 1);
	cr_assert_eq(stamp("Nov 21 03:15:02 mx1 p: a", &tc, &c),
	    DAY21 + 3 * 3600 + 15 * 60 + 2);
}

Test(parse_header_cache, bad_seconds_are_no_stamp, .timeout = 5)
{
	struct timectx	 tc;
	struct timecache cache;
	struct logline	 ll;

	memset(&cache, 0, sizeof(cache));
	timectx_init(&tc, 0, 2026);
	cr_assert_eq(parse_header(S("Nov 21 03:14:15 mx1 p: a"), &tc, &cache,
	    &ll), 0);
	/* the minute matches but the seconds do not parse */
	cr_assert_eq(parse_header(S("Nov 21 03:14:1x mx1 p: a"), &tc, &cache,
	    &ll), -1);
	cr_assert_eq(ll.t, T_NONE);
	cr_assert_eq(parse_header(S("Nov 21 03:14:61 mx1 p: a"), &tc, &cache,
	    &ll), -1);
	/* a line of just the minute is too short for a stamp */
	cr_assert_eq(parse_header(S("Nov 21 03:14:"), &tc, &cache, &ll), -1);
}

Test(parse_header_cache, other_file_context, .timeout = 5)
{
	struct timectx	 a, b;
	struct timecache cache;

	memset(&cache, 0, sizeof(cache));
	timectx_init(&a, 0, 2026);
	timectx_init(&b, 0, 2025);
	stamp("Nov 21 03:14:15 mx1 p: a", &a, &cache);
	/* same text, a file of another year: no hit from a's minute */
	cr_assert_eq(stamp("Nov 21 03:14:16 mx1 p: a", &b, &cache),
	    time_days(2025, 11, 21) * 86400 + 3 * 3600 + 14 * 60 + 16);
}

Test(parse_header_scan, long_fields, .timeout = 5)
{
	struct timectx	 tc;
	struct logline	 ll;

	timectx_init(&tc, 0, 2026);
	/* host of 20 and program of 24 bytes: past one 16-byte step */
	cr_assert_eq(parse_header(S("Nov 21 03:14:15 store12.int.example "
	    "postfix/submission/smtpd[1234567]: 5AB: client=x"), &tc, NULL,
	    &ll), 0);
	cr_assert(eq(ll.host, "store12.int.example"));
	cr_assert(eq(ll.program, "postfix/submission/smtpd"));
	cr_assert(eq(ll.msg, "5AB: client=x"));
	/* the stop byte exactly at a 16-byte boundary of the program */
	cr_assert_eq(parse_header(S("Nov 21 03:14:15 h abcdefghijklmnop: m"),
	    &tc, NULL, &ll), 0);
	cr_assert(eq(ll.program, "abcdefghijklmnop"));
	cr_assert(eq(ll.msg, "m"));
}

Test(parse_header_scan, odd_shapes, .timeout = 5)
{
	struct timectx	 tc;
	struct logline	 ll;

	timectx_init(&tc, 0, 2026);
	/* no ']' after the pid: the message is empty */
	cr_assert_eq(parse_header(S("Nov 21 03:14:15 mx1 popper[12"), &tc,
	    NULL, &ll), 0);
	cr_assert(eq(ll.program, "popper"));
	cr_assert_eq(ll.msg.len, 0);
	/* a space before any ':' or '[': no program, msg after the host */
	cr_assert_eq(parse_header(S("Nov 21 03:14:15 mx1 last message "
	    "repeated 2 times"), &tc, NULL, &ll), 0);
	cr_assert_eq(ll.program.len, 0);
	cr_assert(eq(ll.msg, "last message repeated 2 times"));
	/* a host and nothing after it */
	cr_assert_eq(parse_header(S("Nov 21 03:14:15 mx1"), &tc, NULL, &ll),
	    0);
	cr_assert_eq(ll.host.len, 0);
	cr_assert(eq(ll.msg, "mx1"));
	/* no stop byte within a long program-like token */
	cr_assert_eq(parse_header(S("Nov 21 03:14:15 mx1 "
	    "abcdefghijklmnopqrstuvwxyz0123456789"), &tc, NULL, &ll), 0);
	cr_assert_eq(ll.program.len, 0);
	cr_assert(eq(ll.msg, "abcdefghijklmnopqrstuvwxyz0123456789"));
}
