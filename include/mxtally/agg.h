/*
 * Aggregation: per-thread tables of counts keyed by (cause), (cause,
 * user), (cause, host), (cause, hour), (code), (POP3 reply template) and
 * (unclassified template), plus the Dovecot auth join. Each worker owns one
 * agg; after all workers finish they are merged into one and turned into a
 * sorted result (report.h) in a single place, so -j1 and -jN agree byte for
 * byte. agg_add copies every string it keeps into the agg's arena.
 * `merge` fills an agg from saved reports through agg_add_row and its
 * kin (the cold path, src/agg/rows.c), so its result is made the same way.
 */
#ifndef MXTALLY_AGG_H
#define MXTALLY_AGG_H

#include <stdint.h>
#include <stdio.h>

#include "mxtally/event.h"
#include "mxtally/report.h"

struct agg;

#define JOIN_PEER_MAX	255	/* bytes join_peer_key writes at most */

/*
 * The key under which an MTA's deferral to LMTP and the LMTP server's
 * refusal meet (join.c): user's local part, lower-cased, without an
 * address extension ("Alice+news@x" is "alice"), into k (JOIN_PEER_MAX
 * bytes). Returns its length. Public for --anonymize (anon.c), which
 * gives the join the token of this key.
 */
size_t join_peer_key(struct slice user, char *k);

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
 * The cold path of `merge`: rows a report counted, added to a's tables
 * as the scan's events would have left them, so that agg_finish and
 * agg_result sort, cut and fold them with the scan's own code. Never
 * called per line. One row is one key of one table with its count.
 */
enum agg_table {
	AGG_USERS, AGG_HOSTS, AGG_CLIENTS, AGG_REMOTES,	/* cause + name */
	AGG_URGENT,		/* remotes: our IP listed; ex = reply */
	AGG_DETAILS,		/* cause + detail key; ex = example */
	AGG_HOURS,		/* cause + start */
	AGG_CODES,		/* cause + code */
	AGG_POP3,		/* cause + reply template */
	AGG_UNCL,		/* template; ex = example */
	AGG_SENDERS, AGG_RCPTS	/* traffic: address, n and bytes */
};

struct agg_row {
	enum agg_table	 table;
	const char	*name;		/* the key; NULL: the keys a report
					   folded into "(other)" */
	int		 cause;
	int64_t		 start;		/* AGG_HOURS */
	const struct code_row *code;	/* AGG_CODES: proto, code, enh, resp */
	uint64_t	 n;		/* events, messages or deliveries */
	uint64_t	 bytes;		/* AGG_SENDERS, AGG_RCPTS */
	const char	*ex;		/* example, client's name, remote's
					   "MX host\treply"; NULL: none */
	uint64_t	 pos;		/* the example of the lowest is kept */
};

/*
 * Adds row to its table, copying name and ex. Returns 0, or -1 with
 * errno ERANGE when a count would pass 2^64 - 1 (nothing is added).
 */
int agg_add_row(struct agg *a, const struct agg_row *row);

/*
 * Adds n events of cause and their count by direction (dir[DIR_COUNT],
 * or NULL); -1 with ERANGE as agg_add_row.
 */
int agg_add_cause(struct agg *a, int cause, uint64_t n, const uint64_t *dir);

/*
 * Adds t's counters (messages, bytes, logins, the families counted
 * from), its reasons and its hours to a's traffic; not its lists (rows
 * of AGG_SENDERS, AGG_RCPTS) nor its distinct counts, which do not add
 * up. -1 with ERANGE as agg_add_row.
 */
int agg_add_traffic(struct agg *a, const struct traffic *t);

/*
 * Adds the free-space figures of host's store kind (enum space_kind);
 * host NULL: the hosts a report folded into "(other)".
 */
void agg_add_space(struct agg *a, int kind, const char *host,
    const struct space_fig *f);

/*
 * A report's lock contention: its counts (refused: every refused
 * session, listed or not), then each listed refused session and each
 * pair, which agg_result lists and joins (pairs of one user, client and
 * holder add up) with the scan's own. Borrows the strings: they must
 * live as long as the result. The counts and the pairs' events return
 * -1 with ERANGE, adding nothing, where a sum would pass 2^64 - 1.
 */
struct lock_counts {
	uint64_t	 refused, held, dropped, imap;
};
int agg_add_lock_counts(struct agg *a, const struct lock_counts *c);
void agg_add_lock_row(struct agg *a, const struct lock_row *row);
int agg_add_lock_pair(struct agg *a, const struct lock_pair *p);

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

/*
 * The one free of every result, whoever made it (agg_result,
 * merge_reports): its files, errors, warnings and alerts arrays, then
 * the maker's own memory (r->release). NULL is ignored.
 */
void result_free(struct result *r);

/*
 * The nonzero counts of by[0..CAUSE_MAX) (per cause) as reason rows at
 * rows (room for CAUSE_MAX): count descending, then cause number.
 * Returns how many. The traffic section's and merge's one ordering.
 */
size_t agg_reason_rows(const uint64_t *by, struct reason_row *rows);

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
 * The same joins over a stream of lines (watch), where nothing waits for
 * the end of the input: a line that may still join a later one (a Dovecot
 * LMTP failure, an MTA's LMTP failure) is held until it joins, or until
 * the stream's log time is 30 seconds past it (a Dovecot login failure:
 * 5 seconds for an auth verdict logged after it; a verdict is kept 120
 * seconds for its login); every other event, and
 * the first line of a Dovecot group other than LMTP, goes to emit at
 * once, and later lines of a group are absorbed. emit(arg, ev, pos)
 * gets each event as the report counts it (ev borrowed for the call).
 *
 * Log time is kept per source (a followed file, POS_MAKE's file): held
 * lines are let go when every source still being read (busy) is past
 * them, or, when none is, the newest line read is; so one file read
 * ahead of another does not release lines the other may still join, and
 * the result does not depend on how the lines arrive in reads, as long
 * as each file's lines are in time order within the window. Memory: at
 * most max held entries (lines and group keys); past it the oldest is
 * let go early and counted as evicted.
 */
struct join_stream;

struct join_stream_stats {
	uint64_t	 held;		/* entries held now */
	uint64_t	 evicted;	/* let go early: the cap */
	uint64_t	 paired;	/* MTA and server failures counted once */
};

/* nsrc sources, all busy until join_stream_busy says otherwise. */
struct join_stream *join_stream_new(size_t nsrc, size_t max,
    agg_emit_fn *emit, void *arg);
void join_stream_free(struct join_stream *js);
/* Whether source src has lines not read yet. */
void join_stream_busy(struct join_stream *js, size_t src, int busy);
/* A line of source src at log time t (T_NONE: no time) that is no event. */
void join_stream_line(struct join_stream *js, size_t src, int64_t t);
/* A classified event (verdicts included) at pos; copies what it holds. */
void join_stream_add(struct join_stream *js, const struct event *ev,
    uint64_t pos);
/*
 * With no source busy, lets go what now (the newest log time moved on
 * by the time the logs were quiet) is past.
 */
void join_stream_tick(struct join_stream *js, int64_t now);
/* Lets go of everything held (shutdown). */
void join_stream_flush(struct join_stream *js);
void join_stream_stats(const struct join_stream *js,
    struct join_stream_stats *st);

#define JOIN_STREAM_MAX	16384	/* entries a stream holds at most */

/* Events counted so far (for progress and tests). */
uint64_t agg_events(const struct agg *a);

#define POS_MAKE(file, off)	(((uint64_t)(file) << 40) | (uint64_t)(off))

#endif
