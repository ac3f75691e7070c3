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

struct chunk;

/*
 * What consumes the scan besides the aggregation is registered by the
 * command (architecture.md: the scan knows none of its consumers):
 *
 * An edit rewrites each event before any sink sees it (--anonymize):
 * it may point ev's slices into buf, SCAN_EDIT_MAX bytes that the
 * reading thread owns and keeps until its next line.
 */
#define SCAN_EDIT_MAX	4608	/* anon.c's struct anon_buf: a reply
				   text of 4 KiB and its tokens */

typedef void scan_edit_fn(const void *arg, struct event *ev, char *buf);

/*
 * A sink of the error events the aggregation counts (alert records),
 * each once its joins are settled (agg_set_emit): a failure logged on
 * several lines or by two daemons comes once, with the report's cause.
 * Each scanning thread gets its own part from part_new and gives it the
 * events its agg counts (ev borrows; pos is the input position of the
 * event's first line); after the threads end, the merges and the finish
 * give the joined events to the first thread's part, on the calling
 * thread. Then every part goes to part_end, in thread order, which
 * merges it into the whole and frees it. A part is one thread's alone;
 * arg is shared.
 */
struct scan_sink {
	void	*(*part_new)(void *arg);
	void	 (*event)(void *arg, void *part, const struct event *ev,
		    uint64_t pos);
	void	 (*part_end)(void *arg, void *part);
	void	*arg;
};

/*
 * Resuming inputs read before (--state), on the reading thread: open
 * returns a cursor over path (NULL: read it all), chunk trims each chunk
 * of it in order and returns 0 when nothing of it is new, close records
 * how far it was read (whole: to its end, without error).
 */
struct scan_resume {
	void	*(*open)(void *arg, const char *path, int compressed);
	int	 (*chunk)(void *cursor, struct chunk *c);
	void	 (*close)(void *cursor, int whole);
	void	*arg;
};

#define SCAN_SINK_MAX	4

struct scan_opts {
	int		 jobs;		/* worker threads, >= 1 */
	int		 no_mmap;
	int		 year;		/* --year, 0 = infer */
	int		 progress;	/* progress bar on stderr: 1, 0, -1 = if large */
	int64_t		 since, until;	/* event time filter, T_NONE = open */
	scan_edit_fn	*edit;		/* rewrites each event, or NULL */
	const void	*edit_arg;
	struct scan_resume resume;	/* skips what was read; open NULL: none */
	struct scan_sink sinks[SCAN_SINK_MAX]; /* besides the aggregation */
	size_t		 nsinks;
	size_t		 max_keys;	/* per agg table, 0 = no cap */
	const volatile sig_atomic_t *stop; /* nonzero: stop early, or NULL */
};

/* Appends sk to o's sinks; BUG() past SCAN_SINK_MAX. */
void scan_add_sink(struct scan_opts *o, const struct scan_sink *sk);

#define SCAN_SAMPLE	120	/* bytes of the first unrecognised line kept */

/*
 * A file whose lines were not understood: fewer than one in
 * SCAN_UNDERSTOOD_SHARE of its lines recognised (none, in a short file)
 * gets a warning.
 */
#define SCAN_UNDERSTOOD_SHARE	100

/* What a file's lines were: how many were understood, the first not. */
struct scan_known {
	/*
	 * Lines a mail-server parser understood (parse_line_known): a
	 * family took the line by its program name or its sniff, or the
	 * generic reader found a failure reply in it.
	 */
	uint64_t	 recognised;
	uint64_t	 unknown_pos;	/* position of the first other non-empty line */
	size_t		 unknown_len;	/* its length, up to SCAN_SAMPLE */
	int		 unknown_cut;	/* it was longer */
	char		 unknown[SCAN_SAMPLE];	/* its bytes, as logged */
};

/* Empty: nothing recognised, no line kept (unknown_pos UINT64_MAX). */
void scan_known_init(struct scan_known *k);

/* Adds k to into; the earlier first unrecognised line is kept. */
void scan_known_merge(struct scan_known *into, const struct scan_known *k);

struct scan_file {
	const char	*path;		/* borrowed from argv */
	const char	*format;	/* "plain", "gzip", "zstd" */
	const char	*layout;	/* layout_name() of its line layout */
	uint64_t	 bytes;		/* read from disk */
	uint64_t	 lines;
	struct scan_known known;	/* recognised lines */
	char		 error[256];	/* "" when the input was read whole */
	char		 warning[768];	/* "" unless it was not understood */
};

struct scan_stats {
	uint64_t	 lines, error_lines, unparsed, overlong;
	int64_t		 first, last;	/* time range of the lines read */
};

/*
 * The per-line pipeline, one for every command: header split, family
 * parse, the --since/--until filter, classification, the command's edit
 * (o->edit), then the command's sink. The scan workers (report, alert) and watch each own
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
 * is the file's time context and lo its layout (layout_sniff). k, if not
 * NULL, counts the lines a mail-server parser understood and keeps the
 * first other one. Returns the number of lines.
 */
uint64_t scan_lines(struct scan_reader *r, const char *beg, const char *end,
    const struct timectx *tc, const struct layout *lo, uint64_t pos,
    struct scan_known *k);

/*
 * Scans files[0..n) (path "-" is stdin) with the classifier c. Returns the
 * merged, finished agg; an input that fails gets its message in
 * files[i].error and the others are still read. Never NULL.
 */
struct agg *scan_run(const struct scan_opts *o, const struct classifier *c,
    struct scan_file *files, size_t n, struct scan_stats *st);

#endif
