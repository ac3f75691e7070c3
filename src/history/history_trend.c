/*
 * The trend over the daily history (history.c): reads a window of
 * --days calendar days ending at the newest recorded day and computes,
 * once, the struct trend (trend.h) that the writers in src/report/
 * show. Nothing here writes output or parses options.
 *
 * For every cause counted it keeps the events per recorded day (from
 * day_cause, which a run splits by hour into days) and a least-squares
 * line through them. The causes then go to their part (trend_kind_of):
 * system storage is read per host from day_host, mailbox quota per user
 * from day_user, and the other causes per host, so that one user's full
 * mailbox never ranks a host as running out of disk, and a host's full
 * spool never shows as a user's quota. Each row of a part gets its own
 * line; system rows also the days until that line reaches --threshold
 * refusals a day.
 *
 * What the numbers are. Where servers logged their free space (Postfix
 * "not enough free space in mail queue: N bytes", Exim's spool and log
 * checks; history table day_space) and system_storage is counted, each
 * host and store with figures gets a row from those bytes
 * (TREND_BYTES): a line through each recorded day's last figure, or,
 * with figures on one day only, the fall from that day's first figure
 * to its last, projected to the newest recorded day and on to 0 bytes
 * free. A host without figures keeps the row from its refusals
 * (TREND_EVENTS): "days to N/day" is how many days after the newest day
 * the fitted line reaches N events a day if the trend holds, not a
 * disk-full date. Every row says which (basis). Days inside the window
 * with no recorded run are left out of the fit (unknown, not zero); a
 * recorded day without events for a host or user counts as zero, but a
 * recorded day without a free-space figure is unknown (Postfix logs
 * the figure only while space is short).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxtally/cause.h"
#include "mxtally/history.h"
#include "mxtally/log.h"
#include "mxtally/trend.h"

#define TREND_SPAN_MAX	(366 * 100)	/* days before the window looked at */

/* Loading: where row_series, row_space and row_older put what they read. */
struct load {
	struct trend		*t;
	struct trend_part	*p;	/* row_series: the part */
	unsigned char		*seen;	/* row_older: days from earliest */
	struct trend_series	*sp;	/* row_space: per host and store */
	size_t			 nsp;
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

long
trend_free_project(struct trend_free *f, const double *x, const double *y,
    size_t n, double xend)
{
	double	 icpt, dt;

	f->fit = TREND_FREE_NONE;
	f->slope = 0;
	f->hours = -1;
	f->now = n ? y[n - 1] : 0;
	if (n >= 2 && trend_fit(x, y, n, &f->slope, &icpt) == 0) {
		f->fit = TREND_FREE_DAYS;
		f->now = icpt + f->slope * xend;
	} else if (n == 1 && f->first_at >= 0 && f->last_at > f->first_at) {
		dt = (double)(f->last_at - f->first_at) / 86400.0;
		f->slope = (y[0] - (double)f->first) / dt;
		f->fit = TREND_FREE_WITHIN_DAY;
		f->now = y[0] + f->slope * (xend - x[0]);
	} else {
		return -1;
	}
	if (f->now <= 0) {
		f->now = 0;
		f->hours = 0;
		return 0;
	}
	if (f->slope >= 0)
		return -1;
	f->hours = f->now / -f->slope * 24.0;
	return (long)ceil(f->hours / 24.0 - 1e-9);
}

/* Fits s over the recorded days (x = days since the window's first). */
static void
series_fit(const struct trend *t, struct trend_series *s, int days_to)
{
	double	*x = xcalloc(t->nd + 1, sizeof(*x));
	double	*y = xcalloc(t->nd + 1, sizeof(*y));
	double	 xl;
	size_t	 i;

	for (i = 0; i < t->nd; i++) {
		x[i] = (double)(t->dn[i] - t->day0);
		y[i] = (double)s->n[i];
		s->days += s->n[i] != 0;
	}
	xl = t->nd ? x[t->nd - 1] : 0;
	s->fit = trend_fit(x, y, t->nd, &s->slope, &s->icpt) == 0;
	if (!s->fit) {
		s->slope = 0;
		s->icpt = t->nd ? y[t->nd - 1] : 0;
	}
	s->now = s->icpt + s->slope * xl;
	s->days_to = days_to ? trend_days_to(s->slope, s->icpt, xl,
	    t->threshold) : -1;
	if (s->now < 0)		/* a falling line: no negative rates */
		s->now = 0;
	free(x);
	free(y);
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

/* Index of cause c (into t->causes) among p's causes, or -1. */
static long
part_index(const struct trend_part *p, long c)
{
	size_t	 i;

	for (i = 0; i < p->ncauses; i++)
		if ((long)p->causes[i] == c)
			return (long)i;
	return -1;
}

/* --- rows ------------------------------------------------------------- */

static int
row_newest(void *arg, int ncol, const char *const *col)
{
	if (ncol > 0 && col[0] != NULL)
		*(long *)arg = day_num(col[0]);
	return 0;
}

/* Marks the days [day_first, day_last] of a run in the window bitmap. */
static int
row_run(void *arg, int ncol, const char *const *col)
{
	struct trend	*t = arg;
	long		 a, b, d;

	if (ncol < 2 || (a = day_num(col[0])) < 0 || (b = day_num(col[1])) < 0)
		return 0;
	for (d = a > t->day0 ? a : t->day0; d <= b && d < t->day0 + t->days;
	    d++)
		t->dn[d - t->day0] = 1;
	return 0;
}

/* Marks the recorded days before the window (in a bitmap from earliest). */
static int
row_older(void *arg, int ncol, const char *const *col)
{
	struct load	*l = arg;
	struct trend	*t = l->t;
	long		 a, b, d;

	if (ncol < 2 || (a = day_num(col[0])) < 0 || (b = day_num(col[1])) < 0)
		return 0;
	for (d = a > t->earliest ? a : t->earliest; d <= b && d < t->day0; d++)
		l->seen[d - t->earliest] = 1;
	return 0;
}

/* Rows (day, cause, events): the events per day of each cause. */
static int
row_daily(void *arg, int ncol, const char *const *col)
{
	struct trend	*t = arg;
	long		 i, c;

	if (ncol < 3 || col[0] == NULL || col[1] == NULL || col[2] == NULL ||
	    (i = day_index(t, day_num(col[0]))) < 0 ||
	    (c = cause_index(t, col[1])) < 0)
		return 0;
	t->rates[c].n[i] += strtoull(col[2], NULL, 10);
	return 0;
}

/* Rows (name, day, cause, events), grouped by name, into a part. */
static int
row_series(void *arg, int ncol, const char *const *col)
{
	struct load		*l = arg;
	struct trend		*t = l->t;
	struct trend_part	*p = l->p;
	struct trend_series	*s;
	long			 i, k;
	uint64_t		 n;

	if (ncol < 4 || col[0] == NULL || col[1] == NULL || col[2] == NULL ||
	    col[3] == NULL || (i = day_index(t, day_num(col[1]))) < 0 ||
	    (k = part_index(p, cause_index(t, col[2]))) < 0 ||
	    (n = strtoull(col[3], NULL, 10)) == 0)
		return 0;
	if (p->nrows == 0 || strcmp(p->rows[p->nrows - 1].name, col[0]) != 0) {
		p->rows = xrealloc(p->rows, (p->nrows + 1) * sizeof(*p->rows));
		s = &p->rows[p->nrows++];
		memset(s, 0, sizeof(*s));
		s->name = xstrdup(col[0]);
		s->n = xcalloc(t->nd, sizeof(*s->n));
		s->by = xcalloc(t->nd * p->ncauses, sizeof(*s->by));
	}
	s = &p->rows[p->nrows - 1];
	s->n[i] += n;
	s->by[(size_t)i * p->ncauses + (size_t)k] += n;
	s->total += n;
	return 0;
}

static struct trend_series *
space_series(struct load *l, const char *host, const char *store)
{
	struct trend		*t = l->t;
	struct trend_series	*s;
	size_t			 i;

	if (l->nsp > 0) {
		s = &l->sp[l->nsp - 1];
		if (strcmp(s->name, host) == 0 &&
		    strcmp(s->free->store, store) == 0)
			return s;
	}
	l->sp = xrealloc(l->sp, (l->nsp + 1) * sizeof(*l->sp));
	s = &l->sp[l->nsp++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(host);
	s->basis = TREND_BYTES;
	s->free = xcalloc(1, sizeof(*s->free));
	s->free->store = xstrdup(store);
	s->free->last = xcalloc(t->nd, sizeof(*s->free->last));
	for (i = 0; i < t->nd; i++)
		s->free->last[i] = -1;
	s->free->first_at = s->free->last_at = -1;
	return s;
}

/*
 * Rows (host, store, day, free_last, free_first, first_at, last_at),
 * grouped by host and store, ascending by day and last_at: each day's
 * last figure,
 * and the newest day's first and last with their times (several runs
 * on one day: the earliest first, the latest last; without times, as
 * version 2 wrote them, the lowest last).
 */
static int
row_space(void *arg, int ncol, const char *const *col)
{
	struct load		*l = arg;
	struct trend_free	*f;
	long			 i;
	long long		 v, first, fa, la;

	if (ncol < 7 || col[0] == NULL || col[1] == NULL || col[3] == NULL ||
	    (i = day_index(l->t, day_num(col[2]))) < 0)
		return 0;
	v = strtoll(col[3], NULL, 10);
	first = col[4] != NULL ? strtoll(col[4], NULL, 10) : v;
	fa = col[5] != NULL ? strtoll(col[5], NULL, 10) : -1;
	la = col[6] != NULL ? strtoll(col[6], NULL, 10) : -1;
	f = space_series(l, col[0], col[1])->free;
	if (f->last[i] < 0) {
		if (f->days == 0 || (size_t)i > f->newest)
			f->newest = (size_t)i;
		f->days++;
		f->last[i] = v;
		if ((size_t)i == f->newest) {
			f->first = first;
			f->first_at = fa;
			f->last_at = la;
		}
		return 0;
	}
	if ((size_t)i != f->newest) {
		if (la >= 0 || v < f->last[i])	/* later: rows by last_at */
			f->last[i] = v;
		return 0;
	}
	if (la >= 0 && la >= f->last_at) {
		f->last[i] = v;
		f->last_at = la;
	} else if (la < 0 && f->last_at < 0 && v < f->last[i]) {
		f->last[i] = v;
	}
	if (fa >= 0 && (f->first_at < 0 || fa < f->first_at)) {
		f->first = first;
		f->first_at = fa;
	}
	return 0;
}

static void
series_release(struct trend_series *s)
{
	free(s->name);
	free(s->n);
	free(s->by);
	if (s->free != NULL) {
		free(s->free->store);
		free(s->free->last);
		free(s->free);
	}
}

/* --- ranking ---------------------------------------------------------- */

/*
 * System storage: soonest to run out first (to 0 bytes or to the
 * threshold, by each row's basis), measured bytes before counted
 * refusals, then the steepest rise of refusals.
 */
static int
cmp_system(const void *a, const void *b)
{
	const struct trend_series	*x = a, *y = b;
	long				 dx = x->days_full < 0 ? LONG_MAX :
	    x->days_full;
	long				 dy = y->days_full < 0 ? LONG_MAX :
	    y->days_full;
	int				 c;

	if (dx != dy)
		return dx < dy ? -1 : 1;
	if (x->basis != y->basis)
		return x->basis == TREND_BYTES ? -1 : 1;
	if (x->slope != y->slope)
		return x->slope > y->slope ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if ((c = strcmp(x->name, y->name)) != 0 || x->free == NULL)
		return c;
	return strcmp(x->free->store, y->free->store);
}

/*
 * Quota: refused on the newest day first (most refusals first: that
 * mailbox is full now), then refused on more days (full for longer),
 * then the steepest rise.
 */
static int
cmp_quota(const void *a, const void *b, void *arg)
{
	const struct trend_series	*x = a, *y = b;
	size_t				 cmp_last = *(const size_t *)arg;

	if (x->n[cmp_last] != y->n[cmp_last])
		return x->n[cmp_last] > y->n[cmp_last] ? -1 : 1;
	if (x->days != y->days)
		return x->days > y->days ? -1 : 1;
	if (x->slope != y->slope)
		return x->slope > y->slope ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Other causes: steepest rise first. */
static int
cmp_rate(const void *a, const void *b)
{
	const struct trend_series	*x = a, *y = b;

	if (x->slope != y->slope)
		return x->slope > y->slope ? -1 : 1;
	if (x->now != y->now)
		return x->now > y->now ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* --- loading ---------------------------------------------------------- */

static const char sql_newest[] = "SELECT MAX(day_last) FROM runs";
static const char sql_earliest[] = "SELECT MIN(day_first) FROM runs";
static const char sql_older[] = "SELECT day_first, day_last FROM runs "
    "WHERE day_first < $1";
static const char sql_runs[] = "SELECT day_first, day_last FROM runs "
    "WHERE day_last >= $1 AND day_first <= $2";
static const char sql_daily[] = "SELECT day, cause, SUM(events) FROM "
    "day_cause WHERE day >= $1 AND day <= $2 GROUP BY day, cause";
static const char sql_hosts[] = "SELECT host, day, cause, SUM(events) FROM "
    "day_host WHERE day >= $1 AND day <= $2 GROUP BY host, day, cause "
    "ORDER BY host";
static const char sql_space[] = "SELECT host, store, day, free_last, "
    "free_first, first_at, last_at FROM day_space WHERE day >= $1 AND "
    "day <= $2 ORDER BY host, store, day, last_at";
static const char sql_users[] = "SELECT \"user\", day, cause, SUM(events) "
    "FROM day_user WHERE day >= $1 AND day <= $2 "
    "GROUP BY \"user\", day, cause ORDER BY \"user\"";

/*
 * The recorded days the window leaves out: none are dropped silently,
 * every output says how many there are and the --days that covers them.
 */
static int
load_older(struct history *h, struct trend *t)
{
	char		 a[16];
	const char	*p[1] = { a };
	struct load	 l = { t, NULL, NULL, NULL, 0 };
	long		 d;
	int		 rc;

	t->older = 0;
	if (history_query(h, sql_earliest, 0, NULL, row_newest, &t->earliest) == -1)
		return -1;
	if (t->earliest < 0 || t->earliest >= t->day0)
		return 0;
	if (t->day0 - t->earliest > TREND_SPAN_MAX)
		t->earliest = t->day0 - TREND_SPAN_MAX;
	l.seen = xcalloc((size_t)(t->day0 - t->earliest), 1);
	trend_day(t->day0, a, sizeof(a));
	rc = history_query(h, sql_older, 1, p, row_older, &l);
	for (d = 0; rc == 0 && d < t->day0 - t->earliest; d++)
		t->older += l.seen[d];
	free(l.seen);
	return rc;
}

/* The recorded days of the window, ascending, into t->dn. */
static int
load_days(struct history *h, struct trend *t, const char *const *p)
{
	long	 d;

	t->dn = xcalloc((size_t)t->days, sizeof(*t->dn));
	if (history_query(h, sql_runs, 2, p, row_run, t) == -1)
		return -1;
	for (d = 0; d < t->days; d++)	/* bitmap to the list of days */
		if (t->dn[d])
			t->dn[t->nd++] = t->day0 + d;
	return 0;
}

/* The causes of each kind into their part, in the order given. */
static void
parts_init(struct trend *t)
{
	struct trend_part	*p;
	size_t			 i;
	int			 k;

	for (k = 0; k < TREND_KINDS; k++) {
		p = &t->part[k];
		p->kind = (enum trend_kind)k;
		p->causes = xcalloc(t->ncauses + 1, sizeof(*p->causes));
		for (i = 0; i < t->ncauses; i++)
			if (trend_kind_of(t->causes[i]) == p->kind)
				p->causes[p->ncauses++] = i;
	}
}

/* The free-space rows' projections (x: days since the window's first). */
static void
space_fit(const struct trend *t, struct trend_series *s)
{
	struct trend_free	*f = s->free;
	double			*x = xcalloc(t->nd + 1, sizeof(*x));
	double			*y = xcalloc(t->nd + 1, sizeof(*y));
	size_t			 i, n = 0;

	for (i = 0; i < t->nd; i++)
		if (f->last[i] >= 0) {
			x[n] = (double)(t->dn[i] - t->day0);
			y[n++] = (double)f->last[i];
		}
	s->days_full = trend_free_project(f, x, y, n,
	    (double)(t->dn[t->nd - 1] - t->day0));
	free(x);
	free(y);
}

static int
part_has(const struct trend *t, const struct trend_part *p, const char *id)
{
	size_t	 i;

	for (i = 0; i < p->ncauses; i++)
		if (strcmp(t->causes[p->causes[i]], id) == 0)
			return 1;
	return 0;
}

/*
 * System storage: the free space logged per host and store replaces
 * that host's row of refusals, which its rows keep as their events
 * (their bars); hosts without figures keep the row of refusals. Only
 * when system_storage is counted: the figures are about that cause.
 */
static int
part_space(struct history *h, struct trend *t, struct trend_part *p,
    const char *const *prm)
{
	struct load	 l = { t, p, NULL, NULL, 0 };
	unsigned char	*used;
	size_t		 i, j, n = 0;

	if (!part_has(t, p, "system_storage"))
		return 0;
	if (history_query(h, sql_space, 2, prm, row_space, &l) == -1) {
		for (i = 0; i < l.nsp; i++)
			series_release(&l.sp[i]);
		free(l.sp);
		return -1;
	}
	used = xcalloc(p->nrows + 1, 1);
	for (i = 0; i < l.nsp; i++) {
		struct trend_series *b = &l.sp[i];

		b->n = xcalloc(t->nd, sizeof(*b->n));
		b->by = xcalloc(t->nd * p->ncauses + 1, sizeof(*b->by));
		for (j = 0; j < p->nrows; j++)
			if (strcmp(p->rows[j].name, b->name) == 0)
				break;
		if (j == p->nrows)
			continue;
		used[j] = 1;
		memcpy(b->n, p->rows[j].n, t->nd * sizeof(*b->n));
		memcpy(b->by, p->rows[j].by, t->nd * p->ncauses *
		    sizeof(*b->by));
		b->total = p->rows[j].total;
	}
	l.sp = xrealloc(l.sp, (l.nsp + p->nrows + 1) * sizeof(*l.sp));
	n = l.nsp;
	for (j = 0; j < p->nrows; j++)
		if (used[j])
			series_release(&p->rows[j]);
		else
			l.sp[n++] = p->rows[j];
	free(used);
	free(p->rows);
	p->rows = l.sp;
	p->nrows = n;
	return 0;
}

/* A part's rows, their lines and ranking; its total and keys per day. */
static int
part_load(struct history *h, struct trend *t, struct trend_part *p,
    const char *const *prm)
{
	struct load	 l = { t, p, NULL, NULL, 0 };
	size_t		 i, j, last = t->nd - 1;

	p->all.n = xcalloc(t->nd + 1, sizeof(*p->all.n));
	p->keys.n = xcalloc(t->nd + 1, sizeof(*p->keys.n));
	if (p->ncauses == 0)
		return 0;
	if (history_query(h, p->kind == TREND_QUOTA ? sql_users : sql_hosts,
	    2, prm, row_series, &l) == -1)
		return -1;
	for (i = 0; i < t->nd; i++) {
		for (j = 0; j < p->ncauses; j++)
			p->all.n[i] += t->rates[p->causes[j]].n[i];
		p->all.total += p->all.n[i];
	}
	for (j = 0; j < p->nrows; j++)
		for (i = 0; i < t->nd; i++)
			p->keys.n[i] += p->rows[j].n[i] != 0;
	for (i = 0; i < t->nd; i++)
		p->keys.total += p->keys.n[i];
	if (p->kind == TREND_SYSTEM && part_space(h, t, p, prm) == -1)
		return -1;
	for (j = 0; j < p->nrows; j++) {
		series_fit(t, &p->rows[j], p->kind == TREND_SYSTEM);
		p->rows[j].days_full = p->rows[j].days_to;
		if (p->rows[j].free != NULL)
			space_fit(t, &p->rows[j]);
	}
	series_fit(t, &p->all, p->kind == TREND_SYSTEM);
	series_fit(t, &p->keys, 0);
	if (p->nrows < 2)
		return 0;	/* qsort's base may not be NULL */
	if (p->kind == TREND_QUOTA)
		qsort_r(p->rows, p->nrows, sizeof(*p->rows), cmp_quota, &last);
	else
		qsort(p->rows, p->nrows, sizeof(*p->rows),
		    p->kind == TREND_SYSTEM ? cmp_system : cmp_rate);
	return 0;
}

int
trend_load(struct history *h, struct trend *t)
{
	char		 a[16], b[16];
	const char	*prm[2] = { a, b };
	long		 newest = -1;
	size_t		 c;
	int		 k;

	t->earliest = -1;
	parts_init(t);
	if (history_query(h, sql_newest, 0, NULL, row_newest, &newest) == -1)
		return -1;
	if (newest < 0)
		return 0;	/* nothing recorded yet */
	t->day0 = newest - (t->days - 1);
	if (load_older(h, t) == -1)
		return -1;
	trend_day(t->day0, a, sizeof(a));
	trend_day(newest, b, sizeof(b));
	if (load_days(h, t, prm) == -1)
		return -1;
	t->rates = xcalloc(t->ncauses + 1, sizeof(*t->rates));
	for (c = 0; c < t->ncauses; c++) {
		t->rates[c].name = xstrdup(t->causes[c]);
		t->rates[c].n = xcalloc(t->nd + 1, sizeof(*t->rates[c].n));
	}
	t->day_events = xcalloc(t->nd + 1, sizeof(*t->day_events));
	if (t->nd == 0)
		return 0;
	if (history_query(h, sql_daily, 2, prm, row_daily, t) == -1)
		return -1;
	for (c = 0; c < t->ncauses; c++) {
		for (k = 0; k < (int)t->nd; k++) {
			t->rates[c].total += t->rates[c].n[k];
			t->day_events[k] += t->rates[c].n[k];
		}
		series_fit(t, &t->rates[c], 0);
	}
	for (k = 0; k < TREND_KINDS; k++)
		if (part_load(h, t, &t->part[k], prm) == -1)
			return -1;
	return 0;
}

void
trend_release(struct trend *t)
{
	size_t	 i;
	int	 k;

	for (k = 0; k < TREND_KINDS; k++) {
		struct trend_part *p = &t->part[k];

		for (i = 0; i < p->nrows; i++)
			series_release(&p->rows[i]);
		free(p->rows);
		free(p->causes);
		series_release(&p->all);
		series_release(&p->keys);
	}
	for (i = 0; t->rates != NULL && i < t->ncauses; i++)
		series_release(&t->rates[i]);
	free(t->rates);
	free(t->day_events);
	free(t->dn);
	free(t->causes);
}
