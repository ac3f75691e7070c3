/*
 * mxtally trend: reads the daily history (history.c) and answers the
 * capacity planner's question "where will we run out of space next".
 * Over a window of --days calendar days ending at the newest recorded
 * day it builds, for every host and every user, the series of daily
 * events of the chosen causes (the storage group by default), fits a
 * least-squares line through each, ranks hosts by how soon that line
 * reaches --threshold events a day, and lists the users whose line
 * rises fastest. Output is text (the answer in the first lines), JSON
 * or a self-contained HTML page with inline SVG bars.
 *
 * What the numbers are: mxtally sees refused mail, not disk usage. A
 * "days to N/day" value is how many days after the newest day the
 * fitted line of daily events reaches N events a day if the trend
 * holds; it is not a disk-full date. Days inside the window with no
 * recorded run are left out of the fit (unknown, not zero); a recorded
 * day without events for a host or user counts as zero.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "mxtally/state.h"

#include "../report/report_int.h"

#define TREND_DAYS	14
#define TREND_THRESHOLD	10.0
#define TREND_TOP	10

enum { T_USAGE = 2, T_DB = 3 };
enum trend_fmt { TF_TEXT, TF_JSON, TF_HTML };

struct series {
	char		*name;
	uint64_t	*n;		/* events per recorded day */
	uint64_t	 total;
	int		 fit;		/* slope and icpt are valid */
	double		 slope, icpt;	/* events/day = icpt + slope * x */
	double		 now;		/* the line at the newest day, >= 0 */
	long		 days_to;	/* to threshold; 0 already, -1 never */
};

struct trend {
	const char	*db;
	int		 days;		/* --days: window length */
	double		 threshold;	/* events a day */
	size_t		 top;
	const char	**causes;	/* the causes counted */
	size_t		 ncauses;
	long		 day0;		/* day number of the window's first */
	size_t		 nd;		/* recorded days in the window */
	long		*dn;		/* their day numbers, ascending */
	uint64_t	*daily;		/* nd x ncauses events */
	struct series	*hosts, *users;
	size_t		 nhosts, nusers;
	struct series	**load;		/* loading: hosts or users ... */
	size_t		*nload;		/* ... and their count */
	int		 storage;	/* every cause is a storage one */
	long		 earliest;	/* first recorded day, -1 = none */
	long		 older;		/* recorded days before the window */
	unsigned char	*seen;		/* loading: days earliest .. day0 - 1 */
};

/* --- math ------------------------------------------------------------- */

int
trend_fit(const double *x, const double *y, size_t n, double *slope,
    double *icpt)
{
	double	 mx = 0, my = 0, sxx = 0, sxy = 0;
	size_t	 i;

	if (n < 2)
		return -1;
	for (i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (sxx == 0)
		return -1;
	*slope = sxy / sxx;
	*icpt = my - *slope * mx;
	return 0;
}

long
trend_days_to(double slope, double icpt, double xlast, double threshold)
{
	double	 now = icpt + slope * xlast, d;

	if (now >= threshold - 1e-9)
		return 0;
	if (slope <= 0)
		return -1;
	d = ceil((threshold - now) / slope - 1e-9);
	return d > (double)LONG_MAX ? -1 : (long)d;
}

/* --- days ------------------------------------------------------------- */

/* Day number (days since 1970-01-01) of "2026-11-21", or -1. */
static long
day_num(const char *s)
{
	struct tm	 tm = { 0 };
	int		 y, m, d;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (long)(timegm(&tm) / 86400);
}

static char *
day_str(long n, char *buf, size_t len)
{
	time_t		 t = (time_t)n * 86400;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

/* Index of day number n among the recorded days, or -1. */
static long
day_index(const struct trend *t, long n)
{
	size_t	 lo = 0, hi = t->nd, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (t->dn[mid] == n)
			return (long)mid;
		if (t->dn[mid] < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static long
cause_index(const struct trend *t, const char *id)
{
	size_t	 i;

	for (i = 0; i < t->ncauses; i++)
		if (strcmp(t->causes[i], id) == 0)
			return (long)i;
	return -1;
}

/* --- loading ---------------------------------------------------------- */

static int
row_newest(void *arg, int ncol, const char *const *col, char *err,
    size_t errlen)
{
	(void)err;
	(void)errlen;
	if (ncol > 0 && col[0] != NULL)
		*(long *)arg = day_num(col[0]);
	return 0;
}

/* Marks the days [day_first, day_last] of a run in a window bitmap. */
static int
row_run(void *arg, int ncol, const char *const *col, char *err,
    size_t errlen)
{
	struct trend	*t = arg;
	long		 a, b, d;

	(void)err;
	(void)errlen;
	if (ncol < 2 || (a = day_num(col[0])) < 0 || (b = day_num(col[1])) < 0)
		return 0;
	for (d = a; d <= b; d++)
		if (d >= t->day0 && d < t->day0 + t->days)
			t->dn[d - t->day0] = 1;
	return 0;
}

static int
row_daily(void *arg, int ncol, const char *const *col, char *err,
    size_t errlen)
{
	struct trend	*t = arg;
	long		 i, c;

	(void)err;
	(void)errlen;
	if (ncol < 3 || col[0] == NULL || col[1] == NULL || col[2] == NULL ||
	    (i = day_index(t, day_num(col[0]))) < 0 ||
	    (c = cause_index(t, col[1])) < 0)
		return 0;
	t->daily[(size_t)i * t->ncauses + (size_t)c] +=
	    strtoull(col[2], NULL, 10);
	return 0;
}

/* Rows (name, day, cause, events), grouped by name. */
static int
row_series(void *arg, int ncol, const char *const *col, char *err,
    size_t errlen)
{
	struct trend	*t = arg;
	struct series	**v = t->load;
	struct series	*s;
	long		 i;
	uint64_t	 n;

	(void)err;
	(void)errlen;
	if (ncol < 4 || col[0] == NULL || col[1] == NULL || col[2] == NULL ||
	    col[3] == NULL || (i = day_index(t, day_num(col[1]))) < 0 ||
	    cause_index(t, col[2]) < 0 || (n = strtoull(col[3], NULL, 10)) == 0)
		return 0;
	if (*t->nload == 0 || strcmp((*v)[*t->nload - 1].name, col[0]) != 0) {
		*v = xrealloc(*v, (*t->nload + 1) * sizeof(**v));
		s = &(*v)[(*t->nload)++];
		memset(s, 0, sizeof(*s));
		s->name = xstrdup(col[0]);
		s->n = xcalloc(t->nd, sizeof(*s->n));
	}
	s = &(*v)[*t->nload - 1];
	s->n[i] += n;
	s->total += n;
	return 0;
}

static const char sql_newest[] = "SELECT MAX(day_last) FROM runs";
static const char sql_earliest[] = "SELECT MIN(day_first) FROM runs";
static const char sql_older[] = "SELECT day_first, day_last FROM runs "
    "WHERE day_first < $1";

/* Marks the recorded days before the window (t->seen). */
static int
row_older(void *arg, int ncol, const char *const *col, char *err,
    size_t errlen)
{
	struct trend	*t = arg;
	long		 a, b, d;

	(void)err;
	(void)errlen;
	if (ncol < 2 || (a = day_num(col[0])) < 0 || (b = day_num(col[1])) < 0)
		return 0;
	for (d = a; d <= b && d < t->day0; d++)
		if (d >= t->earliest)
			t->seen[d - t->earliest] = 1;
	return 0;
}

/*
 * The recorded days the window leaves out: none are dropped silently,
 * every output says how many there are and the --days that covers them.
 */
static int
trend_older(struct history *h, struct trend *t, char *err, size_t errlen)
{
	char		 a[16];
	const char	*p[1] = { a };
	long		 d;

	t->older = 0;
	if (history_query(h, sql_earliest, 0, NULL, row_newest, &t->earliest,
	    err, errlen) == -1)
		return -1;
	if (t->earliest < 0 || t->earliest >= t->day0)
		return 0;
	if (t->day0 - t->earliest > 366 * 100)
		t->earliest = t->day0 - 366 * 100;
	t->seen = xcalloc((size_t)(t->day0 - t->earliest), 1);
	day_str(t->day0, a, sizeof(a));
	if (history_query(h, sql_older, 1, p, row_older, t, err, errlen) == -1)
		return -1;
	for (d = 0; d < t->day0 - t->earliest; d++)
		t->older += t->seen[d];
	free(t->seen);
	t->seen = NULL;
	return 0;
}
static const char sql_runs[] = "SELECT day_first, day_last FROM runs "
    "WHERE day_last >= $1 AND day_first <= $2";
static const char sql_daily[] = "SELECT day, cause, SUM(events) FROM "
    "day_cause WHERE day >= $1 AND day <= $2 GROUP BY day, cause";
static const char sql_hosts[] = "SELECT host, day, cause, SUM(events) FROM "
    "day_host WHERE day >= $1 AND day <= $2 GROUP BY host, day, cause "
    "ORDER BY host";
static const char sql_users[] = "SELECT \"user\", day, cause, SUM(events) "
    "FROM day_user WHERE day >= $1 AND day <= $2 "
    "GROUP BY \"user\", day, cause ORDER BY \"user\"";

static void
fit_series(const struct trend *t, struct series *s)
{
	double	*x = xcalloc(t->nd + 1, sizeof(*x));
	double	*y = xcalloc(t->nd + 1, sizeof(*y));
	double	 xl = (double)(t->dn[t->nd - 1] - t->day0);
	size_t	 i;

	for (i = 0; i < t->nd; i++) {
		x[i] = (double)(t->dn[i] - t->day0);
		y[i] = (double)s->n[i];
	}
	s->fit = trend_fit(x, y, t->nd, &s->slope, &s->icpt) == 0;
	if (!s->fit) {
		s->slope = 0;
		s->icpt = y[t->nd - 1];
	}
	s->now = s->icpt + s->slope * xl;
	s->days_to = trend_days_to(s->slope, s->icpt, xl, t->threshold);
	if (s->now < 0)		/* a falling line: no negative rates */
		s->now = 0;
	free(x);
	free(y);
}

/* Hosts: soonest to reach the threshold first, then steepest. */
static int
cmp_host(const void *a, const void *b)
{
	const struct series	*x = a, *y = b;
	long			 dx = x->days_to < 0 ? LONG_MAX : x->days_to;
	long			 dy = y->days_to < 0 ? LONG_MAX : y->days_to;

	if (dx != dy)
		return dx < dy ? -1 : 1;
	if (x->slope != y->slope)
		return x->slope > y->slope ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Users: steepest rise first. */
static int
cmp_user(const void *a, const void *b)
{
	const struct series	*x = a, *y = b;

	if (x->slope != y->slope)
		return x->slope > y->slope ? -1 : 1;
	if (x->now != y->now)
		return x->now > y->now ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
trend_load(struct history *h, struct trend *t, char *err, size_t errlen)
{
	char		 a[16], b[16];
	const char	*p[2] = { a, b };
	long		 newest = -1, d;
	size_t		 i;

	if (history_query(h, sql_newest, 0, NULL, row_newest, &newest, err,
	    errlen) == -1)
		return -1;
	if (newest < 0)
		return 0;	/* nothing recorded yet */
	t->day0 = newest - (t->days - 1);
	if (trend_older(h, t, err, errlen) == -1)
		return -1;
	day_str(t->day0, a, sizeof(a));
	day_str(newest, b, sizeof(b));
	t->dn = xcalloc((size_t)t->days, sizeof(*t->dn));
	if (history_query(h, sql_runs, 2, p, row_run, t, err, errlen) == -1)
		return -1;
	for (d = 0; d < t->days; d++)	/* bitmap to the list of days */
		if (t->dn[d])
			t->dn[t->nd++] = t->day0 + d;
	t->daily = xcalloc(t->nd * t->ncauses + 1, sizeof(*t->daily));
	if (history_query(h, sql_daily, 2, p, row_daily, t, err, errlen) == -1)
		return -1;
	t->load = &t->hosts;
	t->nload = &t->nhosts;
	if (history_query(h, sql_hosts, 2, p, row_series, t, err, errlen) == -1)
		return -1;
	t->load = &t->users;
	t->nload = &t->nusers;
	if (history_query(h, sql_users, 2, p, row_series, t, err, errlen) == -1)
		return -1;
	for (i = 0; i < t->nhosts; i++)
		fit_series(t, &t->hosts[i]);
	for (i = 0; i < t->nusers; i++)
		fit_series(t, &t->users[i]);
	qsort(t->hosts, t->nhosts, sizeof(*t->hosts), cmp_host);
	qsort(t->users, t->nusers, sizeof(*t->users), cmp_user);
	return 0;
}

static void
trend_release(struct trend *t)
{
	size_t	 i;

	for (i = 0; i < t->nhosts; i++) {
		free(t->hosts[i].name);
		free(t->hosts[i].n);
	}
	for (i = 0; i < t->nusers; i++) {
		free(t->users[i].name);
		free(t->users[i].n);
	}
	free(t->hosts);
	free(t->users);
	free(t->dn);
	free(t->daily);
	free(t->causes);
}

/* --- text --------------------------------------------------------------- */

static const char method_text[] =
    "Method: a least-squares line through each host's and user's daily\n"
    "events of the causes above, over the recorded days of the window\n"
    "(days without a recorded run are left out, not counted as zero).\n"
    "\"days to N/day\" is how many days after the newest day that line\n"
    "reaches N events a day if the trend holds: 0 = already there,\n"
    "\"-\" = not rising. mxtally sees refused mail, not disk usage: this\n"
    "is when refusals reach that rate, not the date a disk fills up.\n";

static size_t
name_width(const struct series *v, size_t n, size_t top, size_t min)
{
	size_t	 i, w = min, l;

	for (i = 0; i < n && i < top; i++)
		if ((l = strlen(v[i].name)) > w)
			w = l;
	return w > 40 ? 40 : w;
}

static void
text_name(FILE *out, const char *s, size_t w)
{
	size_t	 used = rep_text_mem(out, s, strlen(s) > w ? w : strlen(s));

	rep_pad(out, used < w ? w - used : 0);
}

static void
text_days(FILE *out, const struct trend *t, const struct series *s)
{
	size_t	 i;

	for (i = 0; i < t->nd; i++)
		fprintf(out, "%s%" PRIu64, i ? " " : "", s->n[i]);
	fputc('\n', out);
}

/* What the window leaves out, one sentence ("" when nothing). */
static void
older_note(FILE *out, const struct trend *t, const char *end)
{
	char	 a[16];

	if (t->older <= 0)
		return;
	fprintf(out, "%ld earlier recorded day%s (from %s) %s outside this "
	    "window: --days %ld covers %s.%s", t->older, t->older == 1 ?
	    "" : "s", day_str(t->earliest, a, sizeof(a)), t->older == 1 ?
	    "is" : "are", (long)t->days + (t->day0 - t->earliest),
	    t->older == 1 ? "it" : "them", end);
}

static const char *
trend_question(const struct trend *t)
{
	return t->storage ? "where will we run out of space next" :
	    "are these errors rising or falling";
}

/* Least-squares slope of the daily events of cause c (0 when < 2 days). */
static double
cause_slope(const struct trend *t, size_t c, double *now)
{
	double	*x = xcalloc(t->nd + 1, sizeof(*x));
	double	*y = xcalloc(t->nd + 1, sizeof(*y));
	double	 slope = 0, icpt = 0;
	size_t	 i;

	for (i = 0; i < t->nd; i++) {
		x[i] = (double)(t->dn[i] - t->dn[0]);
		y[i] = (double)t->daily[i * t->ncauses + c];
	}
	*now = t->nd ? y[t->nd - 1] : 0;
	if (t->nd >= 2 && trend_fit(x, y, t->nd, &slope, &icpt) == 0)
		*now = icpt + slope * x[t->nd - 1];
	if (*now < 0)
		*now = 0;
	free(x);
	free(y);
	return slope;
}

/*
 * For causes that are not about space (policy rejections, auth
 * failures ...), the answer is whether each is rising or falling.
 */
static void
rate_headline(FILE *out, const struct trend *t)
{
	double	 slope, now;
	size_t	 c;

	for (c = 0; c < t->ncauses; c++) {
		slope = cause_slope(t, c, &now);
		fprintf(out, "%s%s: %s, %+.2f events/day each day (now %.2f/"
		    "day)", c ? "; " : "", t->causes[c], t->nd < 2 ?
		    "too few days to tell" : slope > 0.005 ? "rising" :
		    slope < -0.005 ? "falling" : "flat", slope, now);
	}
	fputs(".\n", out);
}

typedef void str_fn(FILE *, const char *);

static void
text_str(FILE *out, const char *s)
{
	rep_text_str(out, s);
}

/* The answer in one sentence; str writes the host name safely. */
static void
headline(FILE *out, const struct trend *t, str_fn *str)
{
	const struct series	*s = t->nhosts ? &t->hosts[0] : NULL;
	char			 day[16];

	if (!t->storage) {
		rate_headline(out, t);
		return;
	}
	if (s == NULL) {
		fputs("No events of these causes in this window: nothing is "
		    "running out.\n", out);
		return;
	}
	if (s->days_to < 0) {
		fputs("No host's events are rising: nothing is on course to "
		    "run out.\n", out);
		return;
	}
	fputs("Next to run out: ", out);
	str(out, s->name);
	if (s->days_to == 0)
		fprintf(out, ", already at %.2f events a day (threshold "
		    "%g/day).\n", s->now, t->threshold);
	else
		fprintf(out, ", reaches %g events a day in %ld days (%s) at "
		    "%+.2f/day each day (now %.2f/day).\n", t->threshold,
		    s->days_to, day_str(t->dn[t->nd - 1] + s->days_to, day,
		    sizeof(day)), s->slope, s->now);
}

static void
text_hosts(FILE *out, const struct trend *t)
{
	size_t	 i, w = name_width(t->hosts, t->nhosts, t->top, 4);
	char	 col[32];

	fputs("\nHosts, soonest first\n  ", out);
	text_name(out, "host", w);
	snprintf(col, sizeof(col), "days to %g/day", t->threshold);
	fprintf(out, "  %16s  %8s  %9s  %6s  per day\n", col, "now/day",
	    "slope/day", "total");
	for (i = 0; i < t->nhosts && i < t->top; i++) {
		const struct series *s = &t->hosts[i];

		fputs("  ", out);
		text_name(out, s->name, w);
		if (s->days_to < 0)
			fprintf(out, "  %16s", "-");
		else
			fprintf(out, "  %16ld", s->days_to);
		fprintf(out, "  %8.2f  %+9.2f  %6" PRIu64 "  ", s->now,
		    s->slope, s->total);
		text_days(out, t, s);
	}
}

static void
text_users(FILE *out, const struct trend *t)
{
	size_t	 i, shown = 0, w = name_width(t->users, t->nusers, t->top, 4);

	fputs("\nTop growing users (least-squares slope of daily events)\n",
	    out);
	for (i = 0; i < t->nusers && shown < t->top; i++) {
		const struct series *s = &t->users[i];

		if (!s->fit || s->slope <= 0)
			break;
		if (shown++ == 0) {
			fputs("  ", out);
			text_name(out, "user", w);
			fprintf(out, "  %9s  %8s  %6s  per day\n", "slope/day",
			    "now/day", "total");
		}
		fputs("  ", out);
		text_name(out, s->name, w);
		fprintf(out, "  %+9.2f  %8.2f  %6" PRIu64 "  ", s->slope,
		    s->now, s->total);
		text_days(out, t, s);
	}
	if (shown == 0)
		fputs("  none: no user's events rise over the window\n", out);
}

static void
text_daily(FILE *out, const struct trend *t)
{
	char	 day[16];
	size_t	 i, c;

	fputs("\nPer day\n  day         events", out);
	for (c = 0; c < t->ncauses; c++)
		fprintf(out, "  %s", t->causes[c]);
	fputc('\n', out);
	for (i = 0; i < t->nd; i++) {
		uint64_t sum = 0;

		for (c = 0; c < t->ncauses; c++)
			sum += t->daily[i * t->ncauses + c];
		fprintf(out, "  %s  %6" PRIu64, day_str(t->dn[i], day,
		    sizeof(day)), sum);
		for (c = 0; c < t->ncauses; c++)
			fprintf(out, "  %*" PRIu64, (int)strlen(t->causes[c]),
			    t->daily[i * t->ncauses + c]);
		fputc('\n', out);
	}
}

static void
trend_text(FILE *out, const struct trend *t)
{
	char	 a[16], b[16];
	size_t	 c;

	fprintf(out, "mxtally trend: %s\n", trend_question(t));
	if (t->nd == 0) {
		fputs("No runs recorded yet in '", out);
		rep_text_str(out, t->db);
		fputs("': run mxtally --history on each night's log.\n", out);
		return;
	}
	headline(out, t, text_str);
	fputs("history '", out);
	rep_text_str(out, t->db);
	fprintf(out, "': %s .. %s, %zu of %d days recorded\ncauses:",
	    day_str(t->day0, a, sizeof(a)), day_str(t->dn[t->nd - 1], b,
	    sizeof(b)), t->nd, t->days);
	for (c = 0; c < t->ncauses; c++)
		fprintf(out, "%s %s", c ? "," : "", t->causes[c]);
	fputc('\n', out);
	older_note(out, t, "\n");
	text_hosts(out, t);
	text_users(out, t);
	text_daily(out, t);
	fputc('\n', out);
	fputs(method_text, out);
}

/* --- json --------------------------------------------------------------- */

static void
json_series(FILE *out, const struct trend *t, const struct series *v,
    size_t n, const char *key, int growing)
{
	size_t	 i, j, shown = 0;

	fprintf(out, ",\n  \"%ss\": [", key);
	for (i = 0; i < n && shown < t->top; i++) {
		const struct series *s = &v[i];

		if (growing && (!s->fit || s->slope <= 0))
			break;
		fprintf(out, "%s\n    {\"%s\": ", shown++ ? "," : "", key);
		rep_json_str(out, s->name);
		fputs(", \"events\": [", out);
		for (j = 0; j < t->nd; j++)
			fprintf(out, "%s%" PRIu64, j ? ", " : "", s->n[j]);
		fprintf(out, "], \"total\": %" PRIu64, s->total);
		if (s->fit)
			fprintf(out, ", \"slope\": %.4f", s->slope);
		else
			fputs(", \"slope\": null", out);
		fprintf(out, ", \"now\": %.4f, \"days_to_threshold\": ", s->now);
		if (s->days_to < 0)
			fputs("null}", out);
		else
			fprintf(out, "%ld}", s->days_to);
	}
	fputs(shown ? "\n  ]" : "]", out);
}

static void
trend_json(FILE *out, const struct trend *t)
{
	char	 day[16];
	size_t	 i, c;

	fputs("{\n  \"schema\": \"mxtally-trend/1\",\n  \"history\": ", out);
	rep_json_str(out, t->db);
	fprintf(out, ",\n  \"window_days\": %d,\n  \"threshold\": %g,\n"
	    "  \"question\": \"%s\",\n  \"days_before_window\": %ld,\n"
	    "  \"method\": ", t->days, t->threshold, trend_question(t),
	    t->older);
	rep_json_str(out, method_text);
	fputs(",\n  \"causes\": [", out);
	for (c = 0; c < t->ncauses; c++) {
		fputs(c ? ", " : "", out);
		rep_json_str(out, t->causes[c]);
	}
	fputs("],\n  \"days\": [", out);
	for (i = 0; i < t->nd; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : "",
		    day_str(t->dn[i], day, sizeof(day)));
	fputs("],\n  \"daily\": [", out);
	for (i = 0; i < t->nd; i++) {
		uint64_t sum = 0;

		for (c = 0; c < t->ncauses; c++)
			sum += t->daily[i * t->ncauses + c];
		fprintf(out, "%s\n    {\"day\": \"%s\", \"events\": %" PRIu64
		    ", \"causes\": {", i ? "," : "", day_str(t->dn[i], day,
		    sizeof(day)), sum);
		for (c = 0; c < t->ncauses; c++) {
			fputs(c ? ", " : "", out);
			rep_json_str(out, t->causes[c]);
			fprintf(out, ": %" PRIu64, t->daily[i * t->ncauses + c]);
		}
		fputs("}}", out);
	}
	fputs(t->nd ? "\n  ]" : "]", out);
	json_series(out, t, t->hosts, t->nhosts, "host", 0);
	json_series(out, t, t->users, t->nusers, "user", 1);
	fputs("\n}\n", out);
}

/* --- html --------------------------------------------------------------- */

static const char *const bar_colors[] = { "#c2410c", "#1d4ed8", "#15803d",
    "#7e22ce", "#a16207", "#0e7490" };

/*
 * A host's or user's bars count every cause above together: drawn in a
 * colour of no cause, so that system storage on a host is never shown in
 * quota's colour (or the reverse).
 */
#define SERIES_COLOR	"#52525b"

/* Per-day stacked bars of the causes (all series when s is NULL). */
static void
html_bars(FILE *out, const struct trend *t, const struct series *s,
    double w, double hgt)
{
	uint64_t	 max = 1, v;
	double		 slot = w / (double)(t->nd ? t->nd : 1), y;
	char		 day[16];
	size_t		 i, c;

	for (i = 0; i < t->nd; i++) {
		v = 0;
		if (s != NULL)
			v = s->n[i];
		else
			for (c = 0; c < t->ncauses; c++)
				v += t->daily[i * t->ncauses + c];
		if (v > max)
			max = v;
	}
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
	    "role=\"img\">", w, hgt, w, hgt);
	for (i = 0; i < t->nd; i++) {
		y = hgt;
		for (c = 0; c < (s != NULL ? 1 : t->ncauses); c++) {
			v = s != NULL ? s->n[i] : t->daily[i * t->ncauses + c];
			if (v == 0)
				continue;
			double bh = (hgt - 2) * (double)v / (double)max;
			y -= bh;
			fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"%s\"><title>%s %s: %"
			    PRIu64 "</title></rect>", (double)i * slot + 1, y,
			    slot - 2 > 1 ? slot - 2 : 1, bh, s != NULL ?
			    SERIES_COLOR : bar_colors[c % 6], day_str(t->dn[i], day,
			    sizeof(day)), s != NULL ? "events" : t->causes[c],
			    v);
		}
	}
	fputs("</svg>", out);
}

static void
html_rows(FILE *out, const struct trend *t, const struct series *v,
    size_t n, int growing)
{
	size_t	 i, shown = 0;

	for (i = 0; i < n && shown < t->top; i++) {
		const struct series *s = &v[i];

		if (growing && (!s->fit || s->slope <= 0))
			break;
		shown++;
		fputs("<tr><td>", out);
		rep_html_str(out, s->name);
		if (!growing) {
			if (s->days_to < 0)
				fputs("</td><td>-", out);
			else
				fprintf(out, "</td><td>%ld", s->days_to);
		}
		fprintf(out, "</td><td>%.2f</td><td>%+.2f</td><td>%" PRIu64
		    "</td><td>", s->now, s->slope, s->total);
		html_bars(out, t, s, 12.0 * (double)t->nd, 24);
		fputs("</td></tr>\n", out);
	}
	if (shown == 0)
		fputs("<tr><td colspan=\"6\">none</td></tr>\n", out);
}

/* Prose with line breaks as one HTML paragraph (no "\\x0a" escapes). */
static void
html_text(FILE *out, const char *s)
{
	char	*c = xstrdup(s), *p;

	for (p = c; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	rep_html_str(out, c);
	free(c);
}

static void
trend_html(FILE *out, const struct trend *t)
{
	char	 a[16], b[16];
	size_t	 c;

	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<title>mxtally trend: %s</title>\n<style>body{font:14px system-ui,sans-serif;margin:1em;"
	    "max-width:60em}table{border-collapse:collapse}td,th{padding:"
	    "2px 8px;text-align:right}td:first-child,th:first-child{text-align"
	    ":left}svg{display:block}.lead{font-size:1.3em}</style>\n"
	    "</head>\n<body>\n<h1>%c%s</h1>\n"
	    "<p class=\"lead\" id=\"headline\">", trend_question(t),
	    trend_question(t)[0] - 32, trend_question(t) + 1);
	if (t->nd == 0) {
		fputs("No runs recorded yet.</p>\n</body>\n</html>\n", out);
		return;
	}
	headline(out, t, rep_html_str);
	fputs("</p>\n<p>", out);
	fprintf(out, "%s .. %s, %zu of %d days recorded; causes:",
	    day_str(t->day0, a, sizeof(a)), day_str(t->dn[t->nd - 1], b,
	    sizeof(b)), t->nd, t->days);
	for (c = 0; c < t->ncauses; c++) {
		fprintf(out, "%s <span style=\"color:%s\">", c ? "," : "",
		    bar_colors[c % 6]);
		rep_html_str(out, t->causes[c]);
		fputs("</span>", out);
	}
	if (t->older > 0) {
		fputs("</p>\n<p id=\"older\">", out);
		older_note(out, t, "");
	}
	fputs("</p>\n<h2>Events per day</h2>\n<div id=\"daily\">", out);
	html_bars(out, t, NULL, 40.0 * (double)t->nd, 160);
	fprintf(out, "</div>\n<h2>Hosts, soonest first</h2>\n<table id=\""
	    "hosts\"><tr><th>host</th><th>days to %g/day</th><th>now/day</th>"
	    "<th>slope/day</th><th>total</th><th>per day</th></tr>\n",
	    t->threshold);
	html_rows(out, t, t->hosts, t->nhosts, 0);
	fputs("</table>\n<h2>Top growing users</h2>\n<table id=\"users\">"
	    "<tr><th>user</th><th>now/day</th><th>slope/day</th><th>total</th>"
	    "<th>per day</th></tr>\n", out);
	html_rows(out, t, t->users, t->nusers, 1);
	fputs("</table>\n<p id=\"method\">", out);
	html_text(out, method_text);
	fputs("</p>\n</body>\n</html>\n", out);
}

/* --- command -------------------------------------------------------------- */

static void
trend_usage(FILE *f)
{
	fputs("usage: mxtally trend --history DB [--days N] [--cause ID... | "
	    "--group G]\n"
	    "                     [--threshold N] [--top N] "
	    "[-f text|json|html]\n", f);
}

static int
valid_id(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return 0;
	return 1;
}

static int
pick_group(struct trend *t, const char *group)
{
	int	 c;

	for (c = 0; c < cause_count(); c++)
		if (strcmp(cause_get(c)->group, group) == 0) {
			t->causes = xrealloc(t->causes, (t->ncauses + 1) *
			    sizeof(*t->causes));
			t->causes[t->ncauses++] = cause_get(c)->id;
		}
	return t->ncauses ? 0 : log_error("unknown group '%s' (lock, auth, "
	    "storage)", group);
}

/* 1 when every cause counted is in the storage group. */
static int
trend_storage(const struct trend *t)
{
	size_t	 i;
	int	 c;

	for (i = 0; i < t->ncauses; i++)
		if ((c = cause_find(t->causes[i], strlen(t->causes[i]))) ==
		    CAUSE_NONE || strcmp(cause_get(c)->group, "storage") != 0)
			return 0;
	return 1;
}

static int
trend_args(int argc, char **argv, struct trend *t, const char **db,
    enum trend_fmt *fmt)
{
	enum { O_HISTORY = 256, O_DAYS, O_CAUSE, O_GROUP, O_THRESHOLD, O_TOP };
	static const struct option longopts[] = {
		{ "history", required_argument, NULL, O_HISTORY },
		{ "days", required_argument, NULL, O_DAYS },
		{ "cause", required_argument, NULL, O_CAUSE },
		{ "group", required_argument, NULL, O_GROUP },
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "top", required_argument, NULL, O_TOP },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*group = NULL;
	char		*end;
	long		 v;
	int		 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_HISTORY:
			*db = optarg;
			break;
		case O_DAYS:
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 3660)
				return log_error("bad --days '%s': 1 to 3660",
				    optarg);
			t->days = (int)v;
			break;
		case O_CAUSE:
			if (!valid_id(optarg))
				return log_error("bad --cause '%s'", optarg);
			t->causes = xrealloc(t->causes, (t->ncauses + 1) *
			    sizeof(*t->causes));
			t->causes[t->ncauses++] = optarg;
			break;
		case O_GROUP:
			group = optarg;
			break;
		case O_THRESHOLD:
			t->threshold = strtod(optarg, &end);
			if (*end != '\0' || end == optarg ||
			    !(t->threshold > 0 && t->threshold < 1e12))
				return log_error("bad --threshold '%s'", optarg);
			break;
		case O_TOP:
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1)
				return log_error("bad --top '%s'", optarg);
			t->top = (size_t)v;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				*fmt = TF_TEXT;
			else if (strcmp(optarg, "json") == 0)
				*fmt = TF_JSON;
			else if (strcmp(optarg, "html") == 0)
				*fmt = TF_HTML;
			else
				return log_error("unknown format '%s' (text, "
				    "json, html)", optarg);
			break;
		case 'h':
			trend_usage(stdout);
			return 1;
		default:
			return -1;
		}
	}
	if (optind < argc)
		return log_error("trend: unexpected argument '%s'", argv[optind]);
	if (*db == NULL)
		return log_error("trend needs --history DB");
	if (group != NULL && t->ncauses > 0)
		return log_error("give --cause or --group, not both");
	if (t->ncauses == 0 && pick_group(t, group != NULL ? group :
	    "storage") == -1)
		return -1;
	t->storage = trend_storage(t);
	return 0;
}

int
trend_main(int argc, char **argv)
{
	struct trend	 t = { .days = TREND_DAYS, .threshold = TREND_THRESHOLD,
	    .top = TREND_TOP };
	struct history	*h;
	enum trend_fmt	 fmt = TF_TEXT;
	const char	*db = NULL;
	char		 err[512];
	int		 rc;

	if ((rc = trend_args(argc, argv, &t, &db, &fmt)) != 0) {
		free(t.causes);
		if (rc == 1)
			return 0;
		trend_usage(stderr);
		return T_USAGE;
	}
	t.db = db;
	if ((h = history_open(db, 0, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		free(t.causes);
		return T_DB;
	}
	t.db = history_name(h);
	if (trend_load(h, &t, err, sizeof(err)) == -1) {
		log_error("%s", err);
		rc = T_DB;
	} else {
		if (fmt == TF_JSON)
			trend_json(stdout, &t);
		else if (fmt == TF_HTML)
			trend_html(stdout, &t);
		else
			trend_text(stdout, &t);
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = (log_errno("cannot write the trend"), T_DB);
	}
	trend_release(&t);
	history_close(h);
	return rc;
}
