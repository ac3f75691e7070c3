/*
 * The one spill-and-merge engine (issue 17): how a bounded buffer keeps
 * more records than fit in memory. The buffer sorts what it holds and
 * writes it as a run, an unlinked temporary file in $TMPDIR (nothing is
 * left behind, whatever happens to the process); runs of one level are
 * merged into one run of the next when SPILL_FANIN of them pile up, so a
 * buffer never holds more than SPILL_FANIN open runs a level; and one
 * k-way merge reads every run and one sorted source in memory back in
 * order. Its users: agg/fold.c (the capped report tables and address
 * sets, equal keys adding up) and alert.c (the alert records, in time
 * order, none combined).
 *
 * The user says what a record is (struct spill_ops): its order, its
 * encoding in a run, and whether equal records combine. A record is
 * handed over as a pointer; a record read back from a run lives in a
 * buffer of ops->size bytes, holding its strings too, valid until the
 * next one is read. When a run cannot be written (no such directory, disk
 * full, a file size limit), one warning a process per ops names the
 * directory and the reason, the spill set stops spilling (failed) and the
 * caller keeps its records in memory: nothing is lost.
 */
#ifndef MXTALLY_SPILL_H
#define MXTALLY_SPILL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SPILL_FANIN	16	/* runs of a level merged into one */

struct spill_ops {
	size_t	 size;		/* bytes of a record read back, strings too */
	/* the order of the runs: <0, 0 or >0 */
	int	(*cmp)(const void *a, const void *b);
	/* writes a record to f; -1 on a write error (ferror) */
	int	(*put)(FILE *f, const void *rec);
	/* reads one into buf (size bytes); -1 when short or bad */
	int	(*get)(FILE *f, void *buf);
	/* with add: combining equal records: buf = rec (a deep copy) ... */
	void	(*copy)(void *buf, const void *rec);
	/* ... and buf += rec; add NULL: equal records stay apart */
	void	(*add)(void *buf, const void *rec);
	/* the end of the warning: what a failure means for the user */
	const char *consequence;
	atomic_int *warned;	/* that warning was given (once a process) */
};

struct spill_run {
	FILE		*f;		/* sealed: rewound, ready to read */
	uint64_t	 nrec;
	unsigned	 level;		/* merged from SPILL_FANIN^level runs */
};

struct spill {
	const struct spill_ops *ops;
	struct spill_run *runs;
	size_t		 nruns, runcap;
	int		 failed;	/* a run could not be written */
};

/* The i-th record of a sorted source in memory. */
typedef const void *spill_at_fn(void *arg, size_t i);

/* Called for each record of a merge, in order; -1 stops the merge. */
typedef int spill_emit_fn(void *ctx, const void *rec);

/* An empty spill set of records described by ops (borrowed). */
void spill_init(struct spill *s, const struct spill_ops *ops);

/* Closes (and so removes) every run. s may be used again. */
void spill_release(struct spill *s);

/*
 * Writes the n records at(arg, 0..n), which must be in ops->cmp order,
 * as a new run of s, and merges full levels. Returns 0, or -1 when the
 * run could not be written (also when s failed before): then s->failed
 * is set, the warning was given and the caller keeps its records.
 */
int spill_write(struct spill *s, spill_at_fn *at, void *arg, size_t n);

/* Moves from's runs (and its failure) to into; from is left empty. */
void spill_take(struct spill *into, struct spill *from);

/*
 * The k-way merge of s's runs and of the n records at(arg, 0..n) (sorted,
 * may be 0): calls emit once per record in ops->cmp order, equal records
 * combined first when ops->add is set. Equal records that are not
 * combined come in the order of the runs, the memory source last, so the
 * order never depends on the heap. Returns 0, or emit's -1 (the merge
 * stops there). The runs are rewound, so s may be merged again; a run
 * that cannot be read back is an i/o error: the process dies naming the
 * spill directory.
 */
int spill_merge(struct spill *s, spill_at_fn *at, void *arg, size_t n,
    spill_emit_fn *emit, void *ctx);

/* The directory runs go to: $TMPDIR, or /tmp. */
const char *spill_dir(void);

#endif
