/*
 * Stage-private: the /metrics counters of `mxtally watch` (metrics.c).
 */
#ifndef MXTALLY_METRICS_H
#define MXTALLY_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "mxtally/alert.h"
#include "mxtally/cause.h"
#include "mxtally/event.h"
#include "mxtally/keytab.h"

struct kvtab {
	struct keytab	 tab;		/* parts joined by 0x1f, to events */
	size_t		 max;		/* label sets kept; 0 = all */
	uint64_t	 other;		/* events of label sets over the cap */
};

/* One followed file, as watch keeps it (under its lock). */
struct metrics_file {
	const char	*path;		/* borrowed */
	uint64_t	 bytes;		/* read, over every rotation */
	uint64_t	 lines;
	int64_t		 last;		/* log time of the newest line, T_NONE */
	uint64_t	 rotations;	/* by rename or copytruncate */
	int64_t		 unread;	/* bytes written, not yet read; -1 */
};

/* The process's own health, gathered by watch at each scrape. */
struct metrics_health {
	int64_t		 started;	/* Unix seconds */
	uint64_t	 push_sent, push_failed, push_dropped, push_retries;
	uint64_t	 push_queued;
	uint64_t	 reloads, reload_errors;
	uint64_t	 windows, window_overflow, late_events;
	uint64_t	 join_held, join_evicted, join_paired; /* join_stream */
};

struct metrics {
	uint64_t	 lines;
	uint64_t	 cause_n[CAUSE_MAX];
	struct kvtab	 codes;		/* protocol, code, enhanced */
	struct kvtab	 hosts;		/* host, cause */
	uint64_t	 traffic[TR_COUNT];	/* by enum traffic_kind */
	uint64_t	 logins[PROTO_COUNT][2];	/* ok, failed */
	struct metrics_file *files;	/* nfiles, owned by watch */
	size_t		 nfiles;
};

/* cap: label sets kept per table (and firing alerts listed). */
void metrics_init(struct metrics *m, size_t cap);
void metrics_release(struct metrics *m);

/* Counts a classified event (not a join verdict). Copies what it keeps. */
void metrics_event(struct metrics *m, const struct event *ev);

/* Counts the traffic fact and login of any line (ev->tkind). */
void metrics_traffic(struct metrics *m, const struct event *ev);

/*
 * Writes the exposition text (names and units by the Prometheus
 * conventions: _total counters, _seconds, _bytes); e (may be NULL) gives
 * the firing alerts, h (may be NULL) the process's health.
 */
void metrics_write(FILE *f, const struct metrics *m, struct alert_eval *e,
    const struct metrics_health *h);

#endif
