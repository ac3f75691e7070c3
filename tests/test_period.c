/*
 * Tests of the command line's periods (src/period.c) with TZ set and
 * "now" injected. Expected bounds are civil seconds (what parse_time.c
 * gives "2026-03-29 00:00:00"), written as literals computed apart from
 * the code (Python's calendar.timegm on the civil date); real instants
 * are UTC epochs of the zone's DST changes (tzdata: Europe/Berlin
 * 2026-03-29 01:00Z and 2026-10-25 01:00Z, America/New_York 2026-11-01
 * 06:00Z).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "mxtally/period.h"

static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* civil midnights */
#define C_0328		1774656000LL
#define C_0329		1774742400LL
#define C_0330		1774828800LL
#define C_1025		1792886400LL
#define C_1026		1792972800LL
#define C_1101		1793491200LL
#define C_1102		1793577600LL
#define C_1130		1795996800LL
#define C_1206		1796515200LL
#define C_1207		1796601600LL

/*
 * Every real second of [rbeg, rend) reads, on the local clock, inside
 * [since, until), and the seconds just outside read outside: the civil
 * day is exactly that real span.
 */
static void
covers(int64_t since, int64_t until, int64_t rbeg, int64_t rend)
{
	int64_t	 t;

	for (t = rbeg; t < rend; t += 60) {
		cr_assert_geq(period_civil(t), since, "t=%lld", (long long)t);
		cr_assert_lt(period_civil(t), until, "t=%lld", (long long)t);
	}
	cr_assert_geq(period_civil(rend - 1), since);
	cr_assert_lt(period_civil(rend - 1), until);
	cr_assert_lt(period_civil(rbeg - 1), since);
	cr_assert_geq(period_civil(rend), until);
}

Test(period, berlin_spring_day_is_23_hours, .timeout = 5)
{
	int64_t	 since, until, t;

	zone("Europe/Berlin");
	/* now: 2026-03-30 08:00 CEST = 06:00Z */
	cr_assert_eq(period_day("yesterday", 1774850400LL, &since, &until), 0);
	cr_assert_eq(since, C_0329);
	cr_assert_eq(until, C_0330);
	/* 2026-03-28 23:00Z (00:00 CET) to 2026-03-29 22:00Z (00:00 CEST) */
	covers(since, until, 1774738800LL, 1774821600LL);
	cr_assert_eq(1774821600LL - 1774738800LL, 23 * 3600);
	cr_assert_eq(period_point("yesterday", 1774850400LL, &t), 0);
	cr_assert_eq(t, C_0329);
	cr_assert_eq(period_point("today", 1774850400LL, &t), 0);
	cr_assert_eq(t, C_0330);
}

Test(period, berlin_autumn_day_is_25_hours, .timeout = 5)
{
	int64_t	 since, until;

	zone("Europe/Berlin");
	/* now: 2026-10-26 00:30 CET = 2026-10-25 23:30Z */
	cr_assert_eq(period_day("yesterday", 1792971000LL, &since, &until), 0);
	cr_assert_eq(since, C_1025);
	cr_assert_eq(until, C_1026);
	/* 2026-10-24 22:00Z (00:00 CEST) to 2026-10-25 23:00Z (00:00 CET) */
	covers(since, until, 1792879200LL, 1792969200LL);
	cr_assert_eq(1792969200LL - 1792879200LL, 25 * 3600);
}

Test(period, hours_are_real_days_are_civil, .timeout = 5)
{
	int64_t	 t;

	zone("Europe/Berlin");
	/* now: 2026-03-29 12:00 CEST = 10:00Z, the day clocks sprang on */
	cr_assert_eq(period_point("-24h", 1774778400LL, &t), 0);
	/* 2026-03-28 10:00Z = 11:00 CET */
	cr_assert_eq(t, 1774695600LL);
	cr_assert_eq(period_point("-1d", 1774778400LL, &t), 0);
	cr_assert_eq(t, 1774699200LL);		/* 2026-03-28 12:00 */
	cr_assert_eq(period_point("-90m", 1774778400LL, &t), 0);
	cr_assert_eq(t, C_0329 + 10 * 3600 + 30 * 60);	/* 10:30 CEST */
	/* 11 hours back crosses the change: 23:00Z = 00:00 CET */
	cr_assert_eq(period_point("-11h", 1774778400LL, &t), 0);
	cr_assert_eq(t, C_0329);
	cr_assert_eq(period_point("-2w", 1774778400LL, &t), 0);
	cr_assert_eq(t, C_0329 + 12 * 3600 - 14 * 86400LL);
	cr_assert_eq(period_point("now", 1774778400LL, &t), 0);
	cr_assert_eq(t, C_0329 + 12 * 3600);
}

Test(period, new_york_fall_back, .timeout = 5)
{
	int64_t	 since, until, t;

	zone("America/New_York");
	/* now: 2026-11-02 00:30 EST = 05:30Z */
	cr_assert_eq(period_day("yesterday", 1793597400LL, &since, &until), 0);
	cr_assert_eq(since, C_1101);
	cr_assert_eq(until, C_1102);
	/* 2026-11-01 04:00Z (00:00 EDT) to 2026-11-02 05:00Z (00:00 EST) */
	covers(since, until, 1793505600LL, 1793595600LL);
	/* 24 real hours back: 2026-11-01 05:30Z = 01:30 EDT */
	cr_assert_eq(period_point("-24h", 1793597400LL, &t), 0);
	cr_assert_eq(t, C_1101 + 90 * 60);
}

Test(period, weeks_start_monday, .timeout = 5)
{
	int64_t	 t;

	zone("UTC");
	/* Monday 2026-12-07 13:00Z */
	cr_assert_eq(period_point("this-week", 1796648400LL, &t), 0);
	cr_assert_eq(t, C_1207);
	cr_assert_eq(period_point("last-week", 1796648400LL, &t), 0);
	cr_assert_eq(t, C_1130);
	/* Sunday 2026-12-06 23:59Z: still the week of Monday 11-30 */
	cr_assert_eq(period_point("this-week", 1796601540LL, &t), 0);
	cr_assert_eq(t, C_1130);
	cr_assert_eq(period_point("last-week", 1796601540LL, &t), 0);
	cr_assert_eq(t, C_1130 - 7 * 86400LL);
	/* the same instant is Monday 13:59 on Kiritimati (UTC+14) */
	zone("Pacific/Kiritimati");
	cr_assert_eq(period_point("this-week", 1796601540LL, &t), 0);
	cr_assert_eq(t, C_1207);
	cr_assert_eq(period_point("yesterday", 1796601540LL, &t), 0);
	cr_assert_eq(t, C_1206);
}

Test(period, absolute_forms, .timeout = 5)
{
	int64_t	 since, until, t;

	zone("Europe/Berlin");
	cr_assert_eq(period_point("2026-03-29", 0, &t), 0);
	cr_assert_eq(t, C_0329);
	cr_assert_eq(period_point("2026-03-29T02:30", 0, &t), 0);
	cr_assert_eq(t, C_0329 + 2 * 3600 + 30 * 60);
	cr_assert_eq(period_point("2026-03-29 02:30:15", 0, &t), 0);
	cr_assert_eq(t, C_0329 + 2 * 3600 + 30 * 60 + 15);
	cr_assert_eq(period_day("2026-12-06", 0, &since, &until), 0);
	cr_assert_eq(since, C_1206);
	cr_assert_eq(until, C_1207);
}

Test(period, refused, .timeout = 5)
{
	static const char *const bad[] = { "", "yesterdays", "Yesterday",
	    "-", "-24", "-24x", "-24hh", "--24h", "+24h", "24h", "-h",
	    "2026-13-01", "2026-12-32", "2026-12-06T25:00", "2026-12-6",
	    "2026-12-06T10", "-99999999999999999999d", "last_week" };
	int64_t	 t, s, u;
	size_t	 i;

	zone("UTC");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(period_point(bad[i], 1796648400LL, &t), -1,
		    "'%s' accepted", bad[i]);
	cr_assert_eq(period_day("-24h", 1796648400LL, &s, &u), -1);
	cr_assert_eq(period_day("this-week", 1796648400LL, &s, &u), -1);
	cr_assert_eq(period_day("2026-12-06T10:00", 1796648400LL, &s, &u), -1);
}

static void
touch(const char *dir, const char *name, int64_t mtime)
{
	char		 path[512];
	struct timeval	 tv[2] = { { (time_t)mtime, 0 }, { (time_t)mtime, 0 } };
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("x\n", f);
	fclose(f);
	cr_assert_eq(utimes(path, tv), 0);
}

Test(period, rotated_by_mtime, .timeout = 5)
{
	char	 dir[] = "/tmp/mxt-period.XXXXXX", live[512], **v;
	size_t	 n, i;

	zone("UTC");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(live, sizeof(live), "%s/mail.log", dir);
	touch(dir, "mail.log", C_1207 + 3600);
	touch(dir, "mail.log.1", C_1207);		/* rotated at midnight */
	touch(dir, "mail.log.2.gz", C_1206);
	touch(dir, "mail.log.3.zst", C_1206 - 86400);
	touch(dir, "mail.log.4.xz", C_1206 - 2 * 86400);
	touch(dir, "mail.log.5.bz2", C_1206 - 3 * 86400);
	touch(dir, "mail.log.6.lz4", C_1206 - 4 * 86400);
	/* since 12-06 00:00: .1 holds 12-06, .2.gz was last written at
	 * 12-06 00:00 (its last line may be 00:00:00), .3 ends before */
	n = period_rotated(live, C_1206, &v);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(strrchr(v[0], '/'), "/mail.log.1");
	cr_assert_str_eq(strrchr(v[1], '/'), "/mail.log.2.gz");
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	/* since 12-06 00:00:01: .2.gz ends before */
	cr_assert_eq(n = period_rotated(live, C_1206 + 1, &v), 1);
	free(v[0]);
	free(v);
	/* a long period: all six, newest first, whatever compression */
	cr_assert_eq(n = period_rotated(live, C_1130, &v), 6);
	cr_assert_str_eq(strrchr(v[3], '/'), "/mail.log.4.xz");
	cr_assert_str_eq(strrchr(v[4], '/'), "/mail.log.5.bz2");
	cr_assert_str_eq(strrchr(v[5], '/'), "/mail.log.6.lz4");
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	/* a named rotated file gets none; nor does stdin */
	snprintf(live, sizeof(live), "%s/mail.log.1", dir);
	cr_assert_eq(period_rotated(live, C_1130, &v), 0);
	snprintf(live, sizeof(live), "%s/mail.log.2.gz", dir);
	cr_assert_eq(period_rotated(live, C_1130, &v), 0);
	snprintf(live, sizeof(live), "%s/mail.log.4.xz", dir);
	cr_assert_eq(period_rotated(live, C_1130, &v), 0);
	cr_assert_eq(period_rotated("-", C_1130, &v), 0);
	/* a gap ends the chain: no .1, nothing older is looked at */
	snprintf(live, sizeof(live), "%s/mail.log.1", dir);
	cr_assert_eq(unlink(live), 0);
	snprintf(live, sizeof(live), "%s/mail.log", dir);
	cr_assert_eq(period_rotated(live, C_1130, &v), 0);
	cr_assert_eq(system(NULL) != 0, 1);
	snprintf(live, sizeof(live), "rm -rf '%s'", dir);
	cr_assert_eq(system(live), 0);
}
