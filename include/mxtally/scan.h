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
 * Scans files[0..n) (path "-" is stdin) with the classifier c. Returns the
 * merged, finished agg; an input that fails gets its message in
 * files[i].error and the others are still read. Never NULL.
 */
struct agg *scan_run(const struct scan_opts *o, const struct classifier *c,
    struct scan_file *files, size_t n, struct scan_stats *st);

#endif
