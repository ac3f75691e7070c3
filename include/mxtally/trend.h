/*
 * A trend: what the daily history (--history, history.c) says about
 * where things lead, as the writers take it. trend_load (history.h,
 * src/history/history_trend.c) reads a window of days and computes,
 * once, everything the writers show (src/report/report_trend_*.c, helpers in
 * report_trend.c); the command (src/cmd/trend.c) parses options, loads
 * and picks a writer. Like struct result, this model belongs to the
 * report stage, so that the writers need nothing from the database.
 *
 * The causes counted fall into three parts, each ranked on its own,
 * because each means something else and calls for another fix:
 *  - system storage, per host (system_storage, deleted_not_removed and
 *    rule-added storage causes not named *quota*): a server's disk or
 *    queue is short of space. Where the history holds free space the
 *    server logged (day_space, with system_storage counted), a row per
 *    host and store projects the days until 0 bytes free from those
 *    bytes (TREND_BYTES); only a host without such figures is
 *    projected from its refusals, by how soon the least-squares line of
 *    its daily refusals reaches --threshold a day (TREND_EVENTS). Rows
 *    are ranked by days_full, whatever their basis, and say it;
 *  - mailbox quota, per user (quota_exceeded and rule-added storage
 *    causes named *quota*): one user's allocation is full; users still
 *    refused on the newest day first, and the number of users over
 *    quota per day with its own line (a default quota too small shows
 *    as that number rising);
 *  - every other cause: is it rising, falling or flat, per cause, and
 *    the hosts where it rises fastest.
 *
 * Days of the window without a recorded run are unknown, not zero: they
 * are left out of every fit. A recorded day without events for a host,
 * user or cause counts as zero.
 */
#ifndef MXTALLY_TREND_H
#define MXTALLY_TREND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum trend_kind {
	TREND_SYSTEM,		/* per host: disk, queue, spool */
	TREND_QUOTA,		/* per user: the mailbox allocation */
	TREND_RATE,		/* any other cause: rising or falling */
	TREND_KINDS
};

enum trend_basis {
	TREND_EVENTS,		/* the refusals a day: days to --threshold */
	TREND_BYTES		/* the free space logged: days to 0 bytes */
};

enum trend_free_fit {
	TREND_FREE_NONE,	/* no fall measured: too few figures, rising */
	TREND_FREE_DAYS,	/* a line through each day's last figure */
	TREND_FREE_WITHIN_DAY	/* one day: its first to its last figure */
};

/* The free space of one host and store (TREND_BYTES rows). */
struct trend_free {
	char		*store;		/* "queue", "spool", "log"; owned */
	int64_t		*last;		/* a day's last figure, -1 none (nd) */
	size_t		 newest;	/* index of the newest day with one */
	int64_t		 first;		/* newest day: its first figure */
	int64_t		 first_at, last_at;	/* its times, -1 unknown */
	size_t		 days;		/* recorded days with a figure */
	enum trend_free_fit fit;
	double		 slope;		/* bytes a day, < 0 falling */
	double		 now;		/* bytes free now: line or last figure */
	double		 hours;		/* hours to 0 bytes, -1 never */
};

/* A daily series (a host, a user, a cause or a part's total) and its line. */
struct trend_series {
	char		*name;		/* host, user or cause; owned */
	uint64_t	*n;		/* events per recorded day (nd) */
	uint64_t	*by;		/* nd x the part's causes, or NULL */
	uint64_t	 total;
	size_t		 days;		/* recorded days with events */
	int		 fit;		/* slope and icpt valid (>= 2 days) */
	double		 slope, icpt;	/* events/day = icpt + slope * x */
	double		 now;		/* the line on the newest day, >= 0 */
	long		 days_to;	/* to --threshold: 0 already, -1 never */
	enum trend_basis basis;		/* what days_full is from */
	long		 days_full;	/* the ranking: days_to or to 0 bytes */
	struct trend_free *free;	/* TREND_BYTES: the figures; owned */
};

/* One ranking: its causes, their total per day, its rows. */
struct trend_part {
	enum trend_kind	 kind;
	size_t		*causes;	/* indices into trend.causes */
	size_t		 ncauses;
	struct trend_series all;	/* the part's events per day */
	struct trend_series keys;	/* hosts or users with events, per day */
	struct trend_series *rows;	/* hosts or users, ranked */
	size_t		 nrows;
};

struct trend {
	/* asked for (set before trend_load) */
	const char	*db;		/* for messages; borrowed */
	int		 days;		/* --days: window length */
	double		 threshold;	/* --threshold: events a day */
	size_t		 top;		/* --top: rows each writer shows */
	const char	**causes;	/* the causes counted; array owned */
	size_t		 ncauses;
	/* found by trend_load */
	long		 day0;		/* day number of the window's first */
	size_t		 nd;		/* recorded days in the window */
	long		*dn;		/* their day numbers, ascending */
	long		 earliest;	/* first recorded day, -1 = none */
	long		 older;		/* recorded days before the window */
	struct trend_series *rates;	/* per cause, as causes[] */
	uint64_t	*day_events;	/* per recorded day (dn[]): the events
					   of every cause counted, summed once
					   for every writer */
	struct trend_part part[TREND_KINDS];
};

/* "free_space_bytes" or "event_counts" (JSON) */
const char *trend_basis_id(enum trend_basis b);

/* "from logged free space" or "from event counts" (text, HTML) */
const char *trend_basis_words(enum trend_basis b);

/* The part a cause id belongs to (an id this build lacks: TREND_RATE). */
enum trend_kind trend_kind_of(const char *cause);

/* "rising", "falling", "flat", or "too few days" when s has no line. */
const char *trend_direction(const struct trend_series *s);

/* 1 when a storage part (system or quota) has causes. */
int trend_storage(const struct trend *t);

/* "2026-11-21" for day number n (days since 1970-01-01) into buf. */
char *trend_day(long n, char *buf, size_t len);

/* The writers (src/report/report_trend_*.c); -1 when out failed. */
int report_trend_text(FILE *out, const struct trend *t);
int report_trend_json(FILE *out, const struct trend *t);
int report_trend_html(FILE *out, const struct trend *t, const char *version);

#endif
