/*
 * Periods of the command line: absolute stamps, words ("yesterday",
 * "last-week"), offsets ("-24h", "-7d") and --day, all turned into the
 * wall-clock seconds the parsers give log lines (parse_time.c), in the
 * machine's local time zone; and the rotated files (mail.log.1,
 * mail.log.2.gz, ...) a period reaches back into.
 *
 * Days and weeks are counted on the civil scale, where every day is
 * 86400 seconds: "yesterday" is the civil day before today whether it
 * lasted 23, 24 or 25 real hours, and "-7d" is the same clock time seven
 * days ago. Minutes and hours are elapsed time: "-24h" is the real
 * instant 24 hours ago, read on the local clock (on the day after a DST
 * change, one hour off "-1d").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "mxtally/log.h"
#include "mxtally/parse.h"
#include "mxtally/period.h"

#define DAY		86400
#define ROTATED_MAX	1000	/* mail.log.1 ... mail.log.999 */

int64_t
period_civil(int64_t t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL)
		return t;
	return time_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * DAY +
	    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

/* Civil days since 1970-01-01 of now's local date, and its weekday. */
static int64_t
today_days(int64_t now, int *wday)
{
	int64_t	 c = period_civil(now);
	int64_t	 d = (c >= 0 ? c : c - (DAY - 1)) / DAY;

	/* 1970-01-01 was a Thursday: Monday = 0 */
	*wday = (int)(((d + 3) % 7 + 7) % 7);
	return d;
}

/* "2026-11-21", "2026-11-21T14:00", "2026-11-21 14:00:00" */
static int
point_absolute(const char *s, int64_t *t)
{
	char		 buf[32];
	struct timectx	 tc = { 0, 0, 1 };
	size_t		 n = strlen(s);

	if (n == 10)
		snprintf(buf, sizeof(buf), "%sT00:00:00", s);
	else if (n == 16)
		snprintf(buf, sizeof(buf), "%s:00", s);
	else if (n == 19)
		snprintf(buf, sizeof(buf), "%s", s);
	else
		return -1;
	return time_parse((struct slice){ buf, strlen(buf) }, &tc, t) ==
	    strlen(buf) ? 0 : -1;
}

/* "-90m", "-24h" (real time back), "-7d", "-2w" (civil days back) */
static int
point_offset(const char *s, int64_t now, int64_t *t)
{
	char	*end;
	long	 n;

	if (s[0] != '-' || (unsigned)(s[1] - '0') > 9)
		return -1;
	errno = 0;
	n = strtol(s + 1, &end, 10);
	if (errno != 0 || end[0] == '\0' || end[1] != '\0' ||
	    n > 100L * 366 * 24 * 60)
		return -1;
	switch (end[0]) {
	case 's':
		*t = period_civil(now - n);
		return 0;
	case 'm':
		*t = period_civil(now - n * 60);
		return 0;
	case 'h':
		*t = period_civil(now - n * 3600);
		return 0;
	case 'd':
		*t = period_civil(now) - (int64_t)n * DAY;
		return 0;
	case 'w':
		*t = period_civil(now) - (int64_t)n * 7 * DAY;
		return 0;
	}
	return -1;
}

int
period_point(const char *s, int64_t now, int64_t *t)
{
	int64_t	 d;
	int	 wday;

	if (strcmp(s, "now") == 0) {
		*t = period_civil(now);
		return 0;
	}
	d = today_days(now, &wday);
	if (strcmp(s, "today") == 0)
		*t = d * DAY;
	else if (strcmp(s, "yesterday") == 0)
		*t = (d - 1) * DAY;
	else if (strcmp(s, "this-week") == 0)
		*t = (d - wday) * DAY;
	else if (strcmp(s, "last-week") == 0)
		*t = (d - wday - 7) * DAY;
	else if (s[0] == '-')
		return point_offset(s, now, t);
	else
		return point_absolute(s, t);
	return 0;
}

int
period_day(const char *s, int64_t now, int64_t *since, int64_t *until)
{
	int64_t	 t;

	if (strcmp(s, "today") != 0 && strcmp(s, "yesterday") != 0 &&
	    strlen(s) != 10)
		return -1;
	if (period_point(s, now, &t) == -1)
		return -1;
	*since = t;
	*until = t + DAY;
	return 0;
}

/* the names logrotate gives a rotated file: plain or compressed */
static const char *const rotated_ext[] = { "", ".gz", ".zst", ".bz2",
    ".xz", ".lz4" };
#define NEXT	(sizeof(rotated_ext) / sizeof(rotated_ext[0]))

/* Whether path ends in ".N", or ".N" and a compressed suffix. */
static int
is_rotated(const char *path)
{
	size_t	 n = strlen(path), d, k, e;

	for (k = 1; k < NEXT; k++) {
		e = strlen(rotated_ext[k]);
		if (n > e && strcmp(path + n - e, rotated_ext[k]) == 0) {
			n -= e;
			break;
		}
	}
	for (d = 0; d < n && (unsigned)(path[n - 1 - d] - '0') <= 9; d++)
		;
	return d > 0 && d < n && path[n - 1 - d] == '.';
}

size_t
period_rotated(const char *path, int64_t since, char ***out)
{
	struct stat	 sb;
	char		**v = NULL, *name;
	size_t		 n = 0, i, k;

	*out = NULL;
	if (strcmp(path, "-") == 0 || is_rotated(path) ||
	    stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return 0;
	for (i = 1; i < ROTATED_MAX; i++) {
		for (k = 0; k < NEXT; k++) {
			if (asprintf(&name, "%s.%zu%s", path, i,
			    rotated_ext[k]) < 0)
				log_die("out of memory");
			if (stat(name, &sb) == 0 && S_ISREG(sb.st_mode))
				break;
			free(name);
		}
		if (k == NEXT)
			break;		/* no older file */
		if (period_civil((int64_t)sb.st_mtime) < since) {
			free(name);	/* last written before the period */
			break;
		}
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = name;
	}
	*out = v;
	return n;
}
