/*
 * The scan stage: one producer (the calling thread) reads every input in
 * order and hands whole-line chunks to -j worker threads; each worker
 * parses, classifies and counts into its own agg; at the end the aggs are
 * merged once. Results never depend on the number of workers.
 */
#ifndef MXTALLY_SCAN_H
#define MXTALLY_SCAN_H

#include <signal.h>
#include <stdint.h>

#include "mxtally/agg.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"

struct alert_set;

struct anon;
struct state;

struct scan_opts {
	int		 jobs;		/* worker threads, >= 1 */
	int		 no_mmap;
	int		 year;		/* --year, 0 = infer */
	int		 progress;	/* progress bar on stderr: 1, 0, -1 = if large */
	int64_t		 since, until;	/* event time filter, T_NONE = open */
	struct anon	*anon;		/* --anonymize pseudonyms, or NULL */
	struct state	*state;		/* --state: resume inputs, or NULL */
	struct alert_set *alerts;	/* collects alert records, or NULL */
	size_t		 max_keys;	/* per agg table, 0 = no cap */
	const volatile sig_atomic_t *stop; /* nonzero: stop early, or NULL */
};

struct scan_file {
	const char	*path;		/* borrowed from argv */
	const char	*format;	/* "plain", "gzip", "zstd" */
	uint64_t	 bytes;		/* read from disk */
	uint64_t	 lines;
	char		 error[256];	/* "" when the input was read whole */
};

struct scan_stats {
	uint64_t	 lines, error_lines, unparsed, overlong;
	int64_t		 first, last;	/* time range of the lines read */
};

/*
 * The per-line pipeline, one for every command: header split, family
 * parse, the --since/--until filter, classification, anonymisation, then
 * the command's sink. The scan workers (report, alert) and watch each own
 * one reader; a reader is used by one thread at a time.
 *
 * The sink gets each classified error event (is_event 1, the Dovecot
 * auth verdicts flagged EV_AUTH_UNKNOWN included) and each line that is
 * traffic only (is_event 0). ev borrows from the line.
 */
typedef void scan_sink_fn(void *arg, struct event *ev, uint64_t pos,
    int is_event);

struct scan_reader;

/* o and cl are borrowed for the reader's life. Never NULL. */
struct scan_reader *scan_reader_new(const struct scan_opts *o,
    const struct classifier *cl, scan_sink_fn *sink, void *arg);
void scan_reader_free(struct scan_reader *r);

/* Counts of the lines r has read so far. */
const struct scan_stats *scan_reader_stats(const struct scan_reader *r);

/*
 * Runs every line that starts in [beg, end) through r: the last one may
 * lack its newline; a '\r' before a newline is dropped; a line longer
 * than INPUT_LINE_MAX is looked at in its first INPUT_LINE_MAX bytes and
 * counted as overlong. pos is the input position of beg (POS_MAKE); tc
 * is the file's time context. Returns the number of lines.
 */
uint64_t scan_lines(struct scan_reader *r, const char *beg, const char *end,
    const struct timectx *tc, uint64_t pos);

/*
 * Scans files[0..n) (path "-" is stdin) with the classifier c. Returns the
 * merged, finished agg; an input that fails gets its message in
 * files[i].error and the others are still read. Never NULL.
 */
struct agg *scan_run(const struct scan_opts *o, const struct classifier *c,
    struct scan_file *files, size_t n, struct scan_stats *st);

#endif
