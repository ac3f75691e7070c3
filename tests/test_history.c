/*
 * Unit tests of the daily history (src/state/history.c) and the trend
 * math (src/state/trend.c): the schema made from an empty file, a
 * newer schema refused, a run recorded per day, the same run recorded
 * again replacing itself, and least-squares slopes and days-to-threshold
 * on series whose results are worked out by hand in each test.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mxtally/cause.h"
#include "mxtally/event.h"
#include "mxtally/history.h"
#include "mxtally/report.h"
#include "slurp.h"

static char dbpath[64];

static void
setup(void)
{
	int	 fd;

	snprintf(dbpath, sizeof(dbpath), "/tmp/mxt-hist-XXXXXX");
	fd = mkstemp(dbpath);
	cr_assert(fd >= 0);
	close(fd);
	unlink(dbpath);		/* history_open creates it */
}

/* setup, and stderr redirected: the errors said are read back */
static void
setup_err(void)
{
	setup();
	cr_redirect_stderr();
}

/* What the code under test said on stderr, to the end. */
static char *
stderr_of(void)
{
	fflush(stderr);
	return slurp(cr_get_redirected_stderr());
}

static void
teardown(void)
{
	char	 p[96];

	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
}

/* The first column of the first row of sql, as a number; -1 if none. */
static long long
scalar(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	long long	 v = -1;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
exec(const char *sql)
{
	sqlite3	*db;

	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

Test(history, migrates_empty_file, .init = setup, .fini = teardown,
    .timeout = 5)
{
	struct history	*h;

	h = history_open(dbpath, 1);
	cr_assert_not_null(h);
	history_close(h);
	cr_assert_eq(history_schema_version(), 4);
	cr_assert_eq(scalar("SELECT MAX(version) FROM schema_version"), 4);
	/* v4: traffic per day */
	cr_assert_eq(scalar("SELECT COUNT(*) FROM pragma_table_info("
	    "'day_traffic') WHERE name IN ('day', 'counted_from', 'received', "
	    "'delivered', 'deferrals', 'bounced', 'rejected')"), 7);
	/* v3: when the free space was logged */
	cr_assert_eq(scalar("SELECT COUNT(*) FROM pragma_table_info("
	    "'day_space') WHERE name IN ('free_first', 'first_at', "
	    "'last_at')"), 3);
	/* v2: who and where, and the free space logged */
	cr_assert_eq(scalar("SELECT COUNT(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name IN ('day_client', 'day_remote', "
	    "'day_space')"), 3);
	/* v1: runs and the four per-day tables */
	cr_assert_eq(scalar("SELECT COUNT(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name IN ('runs', 'day_cause', 'day_user', "
	    "'day_host', 'day_code')"), 5);
	cr_assert_eq(scalar("SELECT COUNT(*) FROM pragma_table_info('day_code')"
	    " WHERE name IN ('day', 'protocol', 'code', 'enhanced', 'cause', "
	    "'events')"), 6);
	/* WAL is a property of the file: a fresh connection sees it */
	{
		sqlite3		*db;
		sqlite3_stmt	*st;

		cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
		sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
		cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
		cr_assert_str_eq((const char *)sqlite3_column_text(st, 0),
		    "wal");
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	/* opening again applies nothing twice: one row per migration */
	h = history_open(dbpath, 1);
	cr_assert_not_null(h);
	history_close(h);
	cr_assert_eq(scalar("SELECT COUNT(*) FROM schema_version"), 4);
}

Test(history, newer_schema_refused, .init = setup_err, .fini = teardown,
    .timeout = 5)
{
	struct history	*h;
	char		*err;

	h = history_open(dbpath, 1);
	cr_assert_not_null(h);
	history_close(h);
	exec("INSERT INTO schema_version VALUES (99)");
	h = history_open(dbpath, 1);
	cr_assert_null(h);
	err = stderr_of();
	cr_assert(strncmp(err, "mxtally: error: '", 17) == 0 &&
	    strstr(err, dbpath) != NULL, "%s", err);
	cr_assert(strstr(err, "newer") != NULL, "%s", err);
	free(err);
}

Test(history, not_a_database, .init = setup_err, .fini = teardown,
    .timeout = 5)
{
	struct history	*h;
	char		*err;
	FILE		*f = fopen(dbpath, "w");

	cr_assert_not_null(f);
	fputs("this is not an SQLite file, just some text long enough to "
	    "fill a header page's worth of bytes..........................\n",
	    f);
	fclose(f);
	h = history_open(dbpath, 1);
	cr_assert_null(h);
	/* "mxtally: error: 'PATH': file is not a database", said once */
	err = stderr_of();
	cr_assert(strncmp(err, "mxtally: error: '", 17) == 0 &&
	    strncmp(err + 17, dbpath, strlen(dbpath)) == 0 &&
	    strncmp(err + 17 + strlen(dbpath), "': ", 3) == 0, "%s", err);
	cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "%s", err);
	free(err);
}

/*
 * A result by hand: 2026-11-21 23:00 has 2 quota events, 2026-11-22
 * 01:00 has 3 quota and 1 system_storage; user alice 5 quota, host
 * store1 5 quota + 1 system_storage; one code row 552 5.2.2 x 5.
 */
struct fake {
	struct result		 r;
	struct entity_row	 hours[2], users[1], hosts[1];
	struct code_row		 codes[1];
	struct file_row		 files[1];
	uint64_t		 by[4][CAUSE_MAX];
};

static void
fake_init(struct fake *f, int64_t first)
{
	int64_t	 d21 = 20778LL * 86400;	/* 2026-11-21 00:00, see below */

	/* 2026-11-21: 56 years of days from 1970 (14 leap days: 1972..
	 * 2024) = 56 * 365 + 14 = 20454, plus Jan..Oct 2026 = 304, plus 20
	 * = 20778 */
	memset(f, 0, sizeof(*f));
	f->by[0][CAUSE_QUOTA_EXCEEDED] = 2;
	f->by[1][CAUSE_QUOTA_EXCEEDED] = 3;
	f->by[1][CAUSE_SYSTEM_STORAGE] = 1;
	f->by[2][CAUSE_QUOTA_EXCEEDED] = 5;
	f->by[3][CAUSE_QUOTA_EXCEEDED] = 5;
	f->by[3][CAUSE_SYSTEM_STORAGE] = 1;
	f->hours[0] = (struct entity_row){ NULL, d21 + 23 * 3600, 2, f->by[0] };
	f->hours[1] = (struct entity_row){ NULL, d21 + 86400 + 3600, 4,
	    f->by[1] };
	f->users[0] = (struct entity_row){ "alice", 0, 5, f->by[2] };
	f->hosts[0] = (struct entity_row){ "store1", 0, 6, f->by[3] };
	f->codes[0].proto = 0;
	memcpy(f->codes[0].code, "552", 4);
	memcpy(f->codes[0].enh, "5.2.2", 6);
	f->codes[0].cause = CAUSE_QUOTA_EXCEEDED;
	f->codes[0].events = 5;
	f->files[0] = (struct file_row){ "-", "plain", 100, 4, NULL, 0 };
	f->r.files = f->files;
	f->r.nfiles = 1;
	f->r.first = first == 0 ? d21 + 23 * 3600 : first;
	f->r.last = d21 + 86400 + 3600 + 60;
	f->r.events = 6;
	f->r.hours = f->hours;
	f->r.nhours = 2;
	f->r.users = f->users;
	f->r.nusers_shown = 1;
	f->r.hosts = f->hosts;
	f->r.nhosts_shown = 1;
	f->r.codes = f->codes;
	f->r.ncodes = 1;
}

static void
record(const struct fake *f)
{
	struct history	*h;

	h = history_open(dbpath, 1);
	cr_assert_not_null(h);
	cr_assert_eq(history_record(h, &f->r), 0);
	history_close(h);
}

Test(history, record_by_day, .init = setup, .fini = teardown, .timeout = 5)
{
	struct fake	 f;

	fake_init(&f, 0);
	cr_assert_str_eq(report_time(f.r.first, (char[32]){ 0 }, 32),
	    "2026-11-21T23:00:00");
	record(&f);
	cr_assert_eq(scalar("SELECT COUNT(*) FROM runs"), 1);
	/* causes split by hour: 2 on the 21st, 3 + 1 on the 22nd */
	cr_assert_eq(scalar("SELECT SUM(events) FROM day_cause WHERE "
	    "day = '2026-11-21' AND cause = 'quota_exceeded'"), 2);
	cr_assert_eq(scalar("SELECT SUM(events) FROM day_cause WHERE "
	    "day = '2026-11-22' AND cause = 'quota_exceeded'"), 3);
	cr_assert_eq(scalar("SELECT SUM(events) FROM day_cause WHERE "
	    "day = '2026-11-22' AND cause = 'system_storage'"), 1);
	cr_assert_eq(scalar("SELECT COUNT(*) FROM day_cause"), 3);
	/* users, hosts and codes go to the last day, the 22nd */
	cr_assert_eq(scalar("SELECT SUM(events) FROM day_user WHERE "
	    "day = '2026-11-22' AND \"user\" = 'alice' AND "
	    "cause = 'quota_exceeded'"), 5);
	cr_assert_eq(scalar("SELECT COUNT(*) FROM day_user"), 1);
	cr_assert_eq(scalar("SELECT SUM(events) FROM day_host WHERE "
	    "day = '2026-11-22' AND host = 'store1'"), 6);
	cr_assert_eq(scalar("SELECT SUM(events) FROM day_code WHERE "
	    "day = '2026-11-22' AND code = '552' AND enhanced = '5.2.2' AND "
	    "cause = 'quota_exceeded'"), 5);
	cr_assert_eq(scalar("SELECT COUNT(*) FROM runs WHERE "
	    "day_first = '2026-11-21' AND day_last = '2026-11-22'"), 1);
}

Test(history, same_run_replaces, .init = setup, .fini = teardown,
    .timeout = 5)
{
	struct fake	 f;

	fake_init(&f, 0);
	record(&f);
	record(&f);
	cr_assert_eq(scalar("SELECT COUNT(*) FROM runs"), 1);
	cr_assert_eq(scalar("SELECT SUM(events) FROM day_user"), 5);
	cr_assert_eq(scalar("SELECT SUM(events) FROM day_cause"), 6);
	/* the same input read again after it grew: still one run, the
	 * newer counts */
	f.by[2][CAUSE_QUOTA_EXCEEDED] = 7;
	record(&f);
	cr_assert_eq(scalar("SELECT COUNT(*) FROM runs"), 1);
	cr_assert_eq(scalar("SELECT SUM(events) FROM day_user"), 7);
	/* a run starting elsewhere (the next --state run) is added */
	fake_init(&f, f.r.first + 1800);
	record(&f);
	cr_assert_eq(scalar("SELECT COUNT(*) FROM runs"), 2);
	cr_assert_eq(scalar("SELECT SUM(events) FROM day_user"), 7 + 5);
}

Test(history, no_timestamps_no_rows, .init = setup, .fini = teardown,
    .timeout = 5)
{
	struct fake	 f;

	fake_init(&f, 0);
	f.r.first = f.r.last = T_NONE;
	record(&f);
	cr_assert_eq(scalar("SELECT COUNT(*) FROM runs"), 0);
}

/* y = 2, 3, 5 at x = 0, 1, 2: mean x 1, mean y 10/3, Sxx = 2,
 * Sxy = (-1)(2 - 10/3) + (1)(5 - 10/3) = 4/3 + 5/3 = 3: slope 3/2,
 * intercept 10/3 - 3/2 = 11/6. */
Test(trend, fit_three_days, .timeout = 5)
{
	double	 x[] = { 0, 1, 2 }, y[] = { 2, 3, 5 }, b, a;

	cr_assert_eq(trend_fit(x, y, 3, &b, &a), 0);
	cr_assert_float_eq(b, 1.5, 1e-12);
	cr_assert_float_eq(a, 11.0 / 6, 1e-12);
}

/* A gap: x = 0, 2, 3 with y = 1, 3, 4 lies on y = 1 + x exactly. */
Test(trend, fit_with_gap, .timeout = 5)
{
	double	 x[] = { 0, 2, 3 }, y[] = { 1, 3, 4 }, b, a;

	cr_assert_eq(trend_fit(x, y, 3, &b, &a), 0);
	cr_assert_float_eq(b, 1.0, 1e-12);
	cr_assert_float_eq(a, 1.0, 1e-12);
}

Test(trend, fit_needs_two_days, .timeout = 5)
{
	double	 x[] = { 4, 4 }, y[] = { 1, 9 }, b, a;

	cr_assert_eq(trend_fit(x, y, 1, &b, &a), -1);
	cr_assert_eq(trend_fit(x, y, 2, &b, &a), -1);	/* same day */
}

/* y = 2, 1, 0: slope -1 (Sxy = (-1)(1) + (1)(-1) = -2, Sxx = 2). */
Test(trend, fit_falling, .timeout = 5)
{
	double	 x[] = { 0, 1, 2 }, y[] = { 2, 1, 0 }, b, a;

	cr_assert_eq(trend_fit(x, y, 3, &b, &a), 0);
	cr_assert_float_eq(b, -1.0, 1e-12);
	cr_assert_float_eq(a, 2.0, 1e-12);
}

Test(trend, days_to_threshold, .timeout = 5)
{
	/* 11/6 + 1.5 * 2 = 29/6 now; (10 - 29/6) / 1.5 = 3.44: 4 days */
	cr_assert_eq(trend_days_to(1.5, 11.0 / 6, 2, 10), 4);
	/* 0 + 1 * 2 = 2 now; (5 - 2) / 1 = 3 exactly: 3 days, not 4 */
	cr_assert_eq(trend_days_to(1, 0, 2, 5), 3);
	/* at or above the threshold: 0, even when falling */
	cr_assert_eq(trend_days_to(-1, 14, 2, 10), 0);
	cr_assert_eq(trend_days_to(0, 10, 2, 10), 0);
	/* flat or falling below it: never */
	cr_assert_eq(trend_days_to(0, 3, 2, 10), -1);
	cr_assert_eq(trend_days_to(-1, 2, 2, 10), -1);
	/* y = 0, 0, 1: slope 1/2, intercept -1/6, now 5/6;
	 * (10 - 5/6) / (1/2) = 18.33: 19 days */
	cr_assert_eq(trend_days_to(0.5, -1.0 / 6, 2, 10), 19);
}

/*
 * Free space over days: last figures 900, 800, 600, 500 MiB on x = 0,
 * 1, 3, 4 (a day left out) lie on 900 - 100 x exactly: 500 MiB now at
 * x = 4, -100 MiB a day, 5 days (120 hours) to 0 bytes. Were the gap
 * closed up (x = 0, 1, 2, 3), Sxy = -700, Sxx = 5: -140 a day, 490 at
 * x = 3, 3.5 days: 4.
 */
Test(trend, free_over_days, .timeout = 5)
{
	const double		 M = 1048576;
	double			 x[] = { 0, 1, 3, 4 };
	double			 y[] = { 900 * M, 800 * M, 600 * M, 500 * M };
	double			 xc[] = { 0, 1, 2, 3 };
	struct trend_free	 f = { .first_at = -1, .last_at = -1 };

	cr_assert_eq(trend_free_project(&f, x, y, 4, 4), 5);
	cr_assert_eq(f.fit, TREND_FREE_DAYS);
	cr_assert_float_eq(f.slope, -100 * M, 1e-3);
	cr_assert_float_eq(f.now, 500 * M, 1e-3);
	cr_assert_float_eq(f.hours, 120, 1e-9);
	cr_assert_eq(trend_free_project(&f, xc, y, 4, 3), 4);
	cr_assert_float_eq(f.slope, -140 * M, 1e-3);
	/* a newest recorded day after the last figure: the line goes on
	 * (x = 6: 300 MiB, 3 days) */
	cr_assert_eq(trend_free_project(&f, x, y, 4, 6), 3);
	cr_assert_float_eq(f.now, 300 * M, 1e-3);
}

/*
 * One day: 400 MiB at 09:00, 250 MiB at 12:00 fell 150 MiB in 3 hours,
 * 50 MiB an hour (1200 MiB a day): 250 / 50 = 5 hours, within a day.
 */
Test(trend, free_within_day, .timeout = 5)
{
	const double		 M = 1048576;
	double			 x[] = { 4 }, y[] = { 250 * M };
	struct trend_free	 f = { .first = (int64_t)(400 * M),
	    .first_at = 9 * 3600, .last_at = 12 * 3600 };

	cr_assert_eq(trend_free_project(&f, x, y, 1, 4), 1);
	cr_assert_eq(f.fit, TREND_FREE_WITHIN_DAY);
	cr_assert_float_eq(f.slope, -1200 * M, 1e-3);
	cr_assert_float_eq(f.hours, 5, 1e-9);
	cr_assert_float_eq(f.now, 250 * M, 1e-3);
}

Test(trend, free_not_falling, .timeout = 5)
{
	double			 x[] = { 0, 1 }, y[] = { 100, 200 };
	double			 x1[] = { 0 }, y1[] = { 100 };
	struct trend_free	 f = { .first = 50, .first_at = 0,
	    .last_at = 3600 };

	/* rising over days: a line, but never empty */
	cr_assert_eq(trend_free_project(&f, x, y, 2, 1), -1);
	cr_assert_eq(f.fit, TREND_FREE_DAYS);
	cr_assert_float_eq(f.hours, -1, 1e-12);
	/* rising within the day (50 then 100) */
	cr_assert_eq(trend_free_project(&f, x1, y1, 1, 0), -1);
	cr_assert_eq(f.fit, TREND_FREE_WITHIN_DAY);
	/* one figure, or no times (a version-2 row): no fall known */
	f.first_at = f.last_at = -1;
	cr_assert_eq(trend_free_project(&f, x1, y1, 1, 0), -1);
	cr_assert_eq(f.fit, TREND_FREE_NONE);
	f.first_at = f.last_at = 3600;
	cr_assert_eq(trend_free_project(&f, x1, y1, 1, 0), -1);
	cr_assert_eq(f.fit, TREND_FREE_NONE);
	/* a line already at or below 0: 0 days (5 - 10 x at x = 1) */
	y[0] = 5;
	y[1] = -5;
	cr_assert_eq(trend_free_project(&f, x, y, 2, 1), 0);
	cr_assert_float_eq(f.now, 0, 1e-12);
}
