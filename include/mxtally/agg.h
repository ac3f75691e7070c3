/*
 * Aggregation: per-thread tables of counts keyed by (cause), (cause,
 * user), (cause, host), (cause, hour), (code), (POP3 reply template) and
 * (unclassified template), plus the Dovecot auth join. Each worker owns one
 * agg; after all workers finish they are merged into one and turned into a
 * sorted result (report.h) in a single place, so -j1 and -jN agree byte for
 * byte. agg_add copies every string it keeps into the agg's arena.
 */
#ifndef MXTALLY_AGG_H
#define MXTALLY_AGG_H

#include <stdint.h>
#include <stdio.h>

#include "mxtally/event.h"
#include "mxtally/report.h"

struct agg;

struct agg *agg_new(void);
void agg_free(struct agg *a);

/*
 * Caps each report table (users, hosts, hours, codes, POP3 and
 * unclassified templates) at max distinct keys, 0 = no cap; set it to the
 * same value on every agg of a run. Over the cap a table keeps its max
 * most frequent keys (spilling sorted runs to $TMPDIR to find them) and
 * counts the events of the rest exactly into an "(other)" total, so
 * results still do not depend on -j. The traffic sets and the Dovecot
 * sessions keep a subset chosen by key hash instead (tab.c).
 */
void agg_set_max_keys(struct agg *a, size_t max);

#define AGG_MAX_KEYS_DEFAULT	1000000	/* --max-keys */

/*
 * Counts ev (classified, cause set) at input position pos (file index in
 * the high 24 bits, byte offset below; it picks each template's example
 * deterministically). Login failures that wait for a Dovecot auth verdict
 * (EV_JOIN) and the verdicts themselves (EV_AUTH_UNKNOWN) are kept aside
 * and settled by agg_finish.
 */
void agg_add(struct agg *a, const struct event *ev, uint64_t pos);

/*
 * Counts ev's traffic fact (ev->tkind, see event.h) at pos; error is 1
 * when ev is also an error event, classified, and then counts login
 * failures and the cause of a deferral, bounce or reject. Queue-id joins
 * (sizes for bytes) are settled inside a chunk, or after the merge.
 */
void agg_traffic(struct agg *a, const struct event *ev, uint64_t pos,
    int error);

/* Ends a chunk of contiguous input; call after each chunk's last line. */
void agg_chunk_end(struct agg *a);

/* Adds everything of from into into; from is left empty but usable. */
void agg_merge(struct agg *into, struct agg *from);

/*
 * Settles pending joins; call once, on the merged agg, before agg_result.
 * On an agg that others were merged into, the traffic half may still be
 * settling on a helper thread when it returns; agg_result and agg_free
 * wait for it.
 */
void agg_finish(struct agg *a);

/*
 * Builds the sorted result; its arrays point into a and into memory the
 * result owns. top limits rows of top users per cause (0 = 10) and users
 * and hosts listed (0 = all). Free with result_free before agg_free.
 */
struct result *agg_result(struct agg *a, size_t top);

/*
 * From r->clients[0..n) (addresses with counts per cause, by count, an
 * "(other)" row included): each address's network, the
 * networks that dominate (three or more addresses with at least a tenth
 * of the events that name a client), the rolled-up view, client_events and
 * every cause's top_clients (at most top, 0 = 10). agg_result and merge
 * call it; what it allocates hangs on *mem, freed by result_clients_free.
 */
struct wmem;
void result_clients(struct result *r, size_t n, size_t top,
    struct wmem **mem);
void result_clients_free(struct wmem *mem);

/* qsort order of result.causes: events descending, then cause id. */
int result_cmp_cause(const void *x, const void *y);
void result_free(struct result *r);

/*
 * Every event a's tables count, once its joins are settled (the cause,
 * code and count the report gives it; a joined failure once, at the
 * time and position of its first line), is also handed to fn(arg, ev,
 * pos), ev borrowed for the call: the alert records take their events
 * from here, so alert and report count the same. fn runs on the thread
 * that counts: a's worker while scanning, then the caller of agg_merge
 * (which may count in both aggs) and agg_finish; set it on every agg of
 * a run before the merges. NULL: none.
 */
typedef void agg_emit_fn(void *arg, const struct event *ev, uint64_t pos);
void agg_set_emit(struct agg *a, agg_emit_fn *fn, void *arg);

/*
 * An unlinked temporary file in $TMPDIR (default /tmp) for spilled runs,
 * open for writing and reading; NULL with errno set when none can be
 * made. *dir gets the directory, for messages.
 */
FILE *agg_spill_file(const char **dir);

/* Events counted so far (for progress and tests). */
uint64_t agg_events(const struct agg *a);

#define POS_MAKE(file, off)	(((uint64_t)(file) << 40) | (uint64_t)(off))

#endif
