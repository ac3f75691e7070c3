/*
 * --history and `mxtally trend` (src/history/): the daily database a
 * report run appends its counts to (history.c, SQLite or PostgreSQL)
 * and the trend read back from it and fitted (history_trend.c).
 */
#ifndef MXTALLY_HISTORY_H
#define MXTALLY_HISTORY_H

#include <stddef.h>

#include "mxtally/report.h"
#include "mxtally/trend.h"

/*
 * Daily history (history.c): target is an SQLite file, created when
 * missing if create is set (a run records; trend only reads), never a
 * symbolic link, or a postgresql:// URL. Opening applies the schema
 * migrations the database lacks. NULL, "'target': what" said.
 */
struct history;

struct history *history_open(const char *target, int create);
void history_close(struct history *h);

/* The schema version this build creates (the newest migration). */
int history_schema_version(void);

/*
 * Appends r per day, in one transaction; a run over the same inputs
 * (same first-line keys, same first timestamp) replaces its earlier
 * rows instead of adding to them. A result without timestamps records
 * nothing. Borrows r; opens r's input files again to key them.
 */
int history_record(struct history *h, const struct result *r);

/*
 * Runs sql (a static string; parameters $1..$n as text) and calls fn per
 * row with the columns as strings (NULL for SQL NULL); fn returns -1 to
 * stop, having said why. -1, the database's message said ("'DB': what").
 */
typedef int history_row_fn(void *arg, int ncol, const char *const *col);
int history_query(struct history *h, const char *sql, int n,
    const char *const *params, history_row_fn *fn, void *arg);
const char *history_name(const struct history *h);

/*
 * The trend over a history (history_trend.c). trend_load reads the
 * window of t->days days ending at the newest recorded day from h and
 * fills t (struct trend, trend.h); nothing recorded yet leaves t->nd 0.
 * -1 with the database's message said ("'DB': what"). trend_release
 * frees what it made and t->causes.
 */
int trend_load(struct history *h, struct trend *t);
void trend_release(struct trend *t);

/*
 * Least-squares line y = icpt + slope * x through n points: -1 when
 * there are fewer than two distinct x. trend_days_to: whole days after
 * xlast until that line reaches threshold: 0 when it is there already
 * at xlast, -1 when it never does (slope <= 0).
 */
int trend_fit(const double *x, const double *y, size_t n, double *slope,
    double *icpt);
long trend_days_to(double slope, double icpt, double xlast,
    double threshold);

/*
 * The free space of f projected to 0 bytes, from x (days since the
 * window's first, the recorded days with a figure, ascending, n of
 * them) and y (their last figures): with 2 days or more the line
 * through them, with one the fall from f->first at f->first_at to that
 * day's last at f->last_at (seconds). Sets f->fit, slope (bytes a
 * day), now (bytes free at xend, the newest recorded day, >= 0) and
 * hours (to 0 bytes from now); returns the days to 0 bytes after xend
 * (ceil of hours / 24; 0 when at 0 already), -1 when the space is not
 * falling or no fall is known.
 */
long trend_free_project(struct trend_free *f, const double *x,
    const double *y, size_t n, double xend);

#endif
