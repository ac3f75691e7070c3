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

struct kv {
	char		*key;		/* parts joined by 0x1f; NULL = free */
	size_t		 klen;
	uint64_t	 hash;
	uint64_t	 n;
};

struct kvtab {
	struct kv	*slot;
	size_t		 cap, len;
	size_t		 max;		/* label sets kept; 0 = all */
	uint64_t	 other;		/* events of label sets over the cap */
};

struct metrics {
	uint64_t	 lines;
	uint64_t	 cause_n[CAUSE_MAX];
	struct kvtab	 codes;		/* protocol, code, enhanced */
	struct kvtab	 hosts;		/* host, cause */
};

/* cap: label sets kept per table (and firing alerts listed). */
void metrics_init(struct metrics *m, size_t cap);
void metrics_release(struct metrics *m);

/* Counts a classified event (not a join verdict). Copies what it keeps. */
void metrics_event(struct metrics *m, const struct event *ev);

/* Writes the exposition text; e (may be NULL) gives the firing alerts. */
void metrics_write(FILE *f, const struct metrics *m, struct alert_eval *e);

#endif
