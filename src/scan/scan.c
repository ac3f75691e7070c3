/*
 * The scan stage: producer, bounded chunk queue, workers, merge. The hot
 * loop (scan_chunk) finds lines with memchr, splits the header and hands
 * the message to the family parser; no malloc, lock or stdio per line.
 *
 * A mapped file truncated under us raises SIGBUS in whichever thread
 * touches a lost page (the producer finding chunk ends, or a worker). The
 * handler jumps back to the chunk boundary of that thread; the file is
 * marked failed ("file shrank while being read") and the other inputs
 * are still read. Lines counted before the fault stay counted.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mxtally/cause.h"
#include "mxtally/input.h"
#include "mxtally/log.h"
#include "mxtally/parse.h"
#include "mxtally/scan.h"

struct qitem {
	struct chunk	 c;
	struct source	*src;
};

struct queue {
	pthread_mutex_t	 mu;
	pthread_cond_t	 nonempty, nonfull, released;
	struct qitem	*ring;
	size_t		 cap, head, len;
	size_t		 outstanding;	/* chunks of the current source */
	int		 closed;
	int		 jobs;
	int		 busy, max_busy;	/* workers scanning, and the limit */
};

/* One reader of lines: the per-line state any command's thread owns. */
struct scan_reader {
	const struct scan_opts	*o;
	const struct classifier	*cl;
	struct classify_scratch	*cs;
	scan_sink_fn		*sink;
	void			*arg;
	struct timecache	 tcache;
	char			 editbuf[SCAN_EDIT_MAX];
	struct scan_stats	 st;
};

/* Each worker's own cache lines: its hot fields must not share one. */
struct worker {
	_Alignas(64) pthread_t	 tid;
	struct queue		*q;
	const struct scan_opts	*o;
	const struct timectx	*tc;	/* per file */
	const struct layout	*lo;	/* per file */
	struct scan_reader	*rd;
	struct agg		*agg;
	void			*part[SCAN_SINK_MAX]; /* the sinks' parts */
	uint64_t		*lines;	/* per file */
	struct scan_known	*known;	/* per file: recognised lines */
	unsigned char		*shrank; /* per file: SIGBUS while reading */
	size_t			 scanned;	/* chunks */
	char			 pad[64];	/* keep the next worker off our line */
};

#define SHRANK_MSG	"file shrank while being read (use --no-mmap)"

/* where this thread's SIGBUS goes; NULL outside a guarded read */
static _Thread_local sigjmp_buf *bus_jump;

static void
on_sigbus(int sig)
{
	if (bus_jump != NULL)
		siglongjmp(*bus_jump, 1);
	signal(sig, SIG_DFL);	/* not ours: die as we would have */
	raise(sig);
}

static int
stopped(const struct scan_opts *o)
{
	return o->stop != NULL && *o->stop != 0;
}

struct scan_reader *
scan_reader_new(const struct scan_opts *o, const struct classifier *cl,
    scan_sink_fn *sink, void *arg)
{
	struct scan_reader	*r = xcalloc(1, sizeof(*r));

	r->o = o;
	r->cl = cl;
	r->cs = classify_scratch_new(cl);
	r->sink = sink;
	r->arg = arg;
	r->st.first = INT64_MAX;
	r->st.last = INT64_MIN;
	return r;
}

void
scan_reader_free(struct scan_reader *r)
{
	if (r == NULL)
		return;
	classify_scratch_free(r->cs);
	free(r);
}

const struct scan_stats *
scan_reader_stats(const struct scan_reader *r)
{
	return &r->st;
}

static int
in_range(const struct scan_opts *o, int64_t t)
{
	return (o->since == T_NONE || (t != T_NONE && t >= o->since)) &&
	    (o->until == T_NONE || (t != T_NONE && t < o->until));
}

/*
 * Returns 1 if a mail-server parser understood the line (scan_known).
 * Inlined in the loop of scan_lines: its call was a tenth of its cost.
 */
static inline __attribute__((always_inline)) int
scan_line(struct scan_reader *r, struct slice line, const struct timectx *tc,
    const struct layout *lo, uint64_t pos)
{
	struct logline	 ll;
	struct event	 ev;
	int		 known;

	if (layout_header(line, lo, tc, &r->tcache, &ll) == -1)
		r->st.unparsed++;
	else if ((r->o->since == T_NONE || ll.t >= r->o->since) &&
	    (r->o->until == T_NONE || ll.t < r->o->until)) {
		if (ll.t < r->st.first)
			r->st.first = ll.t;
		if (ll.t > r->st.last)
			r->st.last = ll.t;
	}
	if (!parse_line_known(&ll, &ev, &known)) {
		if (ev.tkind == TR_NONE && (ev.space | ev.sess) == 0)
			return known;
		if (r->o->edit != NULL)
			r->o->edit(r->o->edit_arg, &ev, r->editbuf);
		if (in_range(r->o, ev.t))
			r->sink(r->arg, &ev, pos, 0);	/* no event */
		return known;
	}
	if (!in_range(r->o, ev.t))
		return known;
	classify_event(r->cl, r->cs, &ev);
	if (r->o->edit != NULL)		/* before any sink sees them */
		r->o->edit(r->o->edit_arg, &ev, r->editbuf);
	if (!(ev.flags & EV_AUTH_UNKNOWN))
		r->st.error_lines++;
	r->sink(r->arg, &ev, pos, 1);
	return known;
}

/* Keeps line as the file's first unrecognised one if it is earlier. */
static void
scan_unknown(struct scan_known *k, struct slice line, uint64_t pos)
{
	if (line.len == 0 || pos >= k->unknown_pos)
		return;
	k->unknown_pos = pos;
	k->unknown_cut = line.len > sizeof(k->unknown);
	k->unknown_len = k->unknown_cut ? sizeof(k->unknown) : line.len;
	memcpy(k->unknown, line.p, k->unknown_len);
}

void
scan_known_init(struct scan_known *k)
{
	memset(k, 0, sizeof(*k));
	k->unknown_pos = UINT64_MAX;
}

void
scan_known_merge(struct scan_known *into, const struct scan_known *k)
{
	into->recognised += k->recognised;
	if (k->unknown_pos < into->unknown_pos) {
		into->unknown_pos = k->unknown_pos;
		into->unknown_len = k->unknown_len;
		into->unknown_cut = k->unknown_cut;
		memcpy(into->unknown, k->unknown, k->unknown_len);
	}
}

uint64_t
scan_lines(struct scan_reader *r, const char *beg, const char *end,
    const struct timectx *tc, const struct layout *lo, uint64_t pos,
    struct scan_known *k)
{
	const char	*p = beg, *nl, *le;
	uint64_t	 n = 0, known = 0, at;
	struct slice	 line;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl ? nl : end;
		line = slice_make(p, le);
		if (line.len > 0 && line.p[line.len - 1] == '\r')
			line.len--;
		if (line.len > INPUT_LINE_MAX) {
			line.len = INPUT_LINE_MAX;
			r->st.overlong++;
		}
		n++;
		at = pos + (uint64_t)(p - beg);
		if (scan_line(r, line, tc, lo, at))
			known++;
		else if (k != NULL && at < k->unknown_pos)
			scan_unknown(k, line, at);
		p = nl ? nl + 1 : end;
	}
	r->st.lines += n;
	if (k != NULL)
		k->recognised += known;
	return n;
}

void
scan_add_sink(struct scan_opts *o, const struct scan_sink *sk)
{
	if (o->nsinks == SCAN_SINK_MAX)
		BUG("too many scan sinks");
	o->sinks[o->nsinks++] = *sk;
}

/*
 * The worker's own: the registered sinks' parts, then the counts in its
 * own tables.
 */
static void
worker_sink(void *arg, struct event *ev, uint64_t pos, int is_event)
{
	struct worker	*w = arg;

	if (!is_event) {
		agg_traffic(w->agg, ev, pos, 0);
		return;
	}
	agg_traffic(w->agg, ev, pos, 1);
	agg_add(w->agg, ev, pos);
}

/*
 * The events w's agg counts, joins settled, to the registered sinks'
 * parts: while scanning, the worker's own; after the threads end, the
 * merges and the finish count joined events into w[0]'s (agg_set_emit).
 */
static void
worker_emit(void *arg, const struct event *ev, uint64_t pos)
{
	struct worker	*w = arg;
	size_t		 i;

	for (i = 0; i < w->o->nsinks; i++)
		w->o->sinks[i].event(w->o->sinks[i].arg, w->part[i], ev, pos);
}

/* Every line in [beg, end) is whole; the last may lack its newline. */
static void
scan_chunk(struct worker *w, const struct chunk *c)
{
	uint64_t	 n;

	n = scan_lines(w->rd, c->beg, c->end, &w->tc[c->file],
	    &w->lo[c->file], POS_MAKE(c->file, c->off), &w->known[c->file]);
	agg_chunk_end(w->agg);	/* queue-id joins end with the chunk */
	w->lines[c->file] += n;
}

/* scan_chunk, or -1 when the mapped chunk vanished under us (SIGBUS) */
static int
scan_chunk_guarded(struct worker *w, const struct chunk *c)
{
	sigjmp_buf	 jb;

	if (sigsetjmp(jb, 1) != 0) {
		bus_jump = NULL;
		agg_chunk_end(w->agg);	/* close what the lost lines began */
		return -1;
	}
	bus_jump = &jb;
	scan_chunk(w, c);
	bus_jump = NULL;
	return 0;
}

/* Takes the oldest queued chunk; the caller holds q->mu. */
static struct qitem
queue_pop(struct queue *q)
{
	struct qitem	 it = q->ring[q->head];

	q->head = (q->head + 1) % q->cap;
	q->len--;
	pthread_cond_signal(&q->nonfull);
	return it;
}

/* Scans it and gives its buffer back; busy: it counted as a worker's. */
static void
scan_item(struct worker *w, struct queue *q, struct qitem *it, int busy)
{
	if (!stopped(w->o) && scan_chunk_guarded(w, &it->c) == -1)
		w->shrank[it->c.file] = 1;
	source_release(it->src, &it->c);
	w->scanned++;

	pthread_mutex_lock(&q->mu);
	q->busy -= busy;
	if (--q->outstanding == 0)
		pthread_cond_broadcast(&q->released);
	if (q->len > 0)
		pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
}

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	struct queue	*q = w->q;
	struct qitem	 it;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		while ((q->len == 0 && !q->closed) ||
		    (q->len > 0 && q->busy >= q->max_busy))
			pthread_cond_wait(&q->nonempty, &q->mu);
		if (q->len == 0) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		it = queue_pop(q);
		q->busy++;
		pthread_mutex_unlock(&q->mu);
		scan_item(w, q, &it, 1);
	}
}

/*
 * While a compressed input is decoded with a job set aside for it (see
 * queue_limit), the reading thread scans queued chunks itself whenever
 * HELP_AT of them wait: the decoder is then ahead of the workers, and
 * would soon only wait for a free buffer. Its lines go to its own agg.
 * (1 GiB .zst, -j2: 1.15 s without, 1.08 s helping at 3 waiting.)
 */
#define HELP_AT		3

#ifdef MXT_TESTING	/* tests/consistency.sh: help whenever one waits */
#define help_at()	(getenv("MXT_TEST_HELP") != NULL ? 1 : HELP_AT)
#else
#define help_at()	HELP_AT
#endif

static void
queue_help(struct queue *q, struct worker *self)
{
	struct qitem	 it;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		if (q->max_busy == q->jobs || q->len < help_at()) {
			pthread_mutex_unlock(&q->mu);
			return;
		}
		it = queue_pop(q);
		pthread_mutex_unlock(&q->mu);
		scan_item(self, q, &it, 0);
	}
}

/*
 * How many workers may scan at once while s is read. A compressed input
 * keeps the reading thread busy decoding, so it takes one of the jobs:
 * with as many jobs as cores, one more scanning thread would only take
 * turns with the decoder, and the decoder is what the others wait for
 * (1 GiB .zst on 2 cores: 1.33 s with two scanning, 1.23 s with one).
 * Once the input is decoded (s NULL), every worker scans what is queued.
 */
static void
queue_limit(struct queue *q, const struct source *s)
{
	pthread_mutex_lock(&q->mu);
	q->max_busy = q->jobs;
	if (s != NULL && source_format(s) != FMT_PLAIN && q->jobs > 1)
		q->max_busy = q->jobs - 1;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
}

static void
queue_push(struct queue *q, const struct chunk *c, struct source *src)
{
	pthread_mutex_lock(&q->mu);
	while (q->len == q->cap)
		pthread_cond_wait(&q->nonfull, &q->mu);
	q->ring[(q->head + q->len) % q->cap] = (struct qitem){ *c, src };
	q->len++;
	q->outstanding++;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
}

/* Waits until workers have released every chunk of the current source. */
static void
queue_drain(struct queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->outstanding > 0)
		pthread_cond_wait(&q->released, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

#define PROGRESS_MIN	(64u << 20)	/* bytes of input for an automatic bar */

struct progress {
	int		 on;
	uint64_t	 total, done;	/* disk bytes */
	struct timespec	 start, last;
};

static double
since_s(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
progress_draw(struct progress *pg, uint64_t cur, int final)
{
	struct timespec	 now;
	double		 frac, el;
	int		 i, fill;
	char		 bar[41];

	if (!pg->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && since_s(&pg->last, &now) < 0.2)
		return;
	pg->last = now;
	if (final) {
		fprintf(stderr, "\r%60s\r", "");
		return;
	}
	frac = pg->total ? (double)(pg->done + cur) / (double)pg->total : 0;
	if (frac > 1)
		frac = 1;
	fill = (int)(frac * 40);
	for (i = 0; i < 40; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[40] = '\0';
	el = since_s(&pg->start, &now);
	fprintf(stderr, "\r[%s] %3d%% %6.0f MB/s", bar, (int)(frac * 100),
	    el > 0 ? (double)(pg->done + cur) / el / 1e6 : 0.0);
}

/* source_next, with a SIGBUS while finding the chunk end as an error */
static int
next_guarded(struct source *s, struct chunk *c, struct scan_file *f)
{
	sigjmp_buf	 jb;
	int		 rc;

	if (sigsetjmp(jb, 1) != 0) {
		bus_jump = NULL;
		snprintf(f->error, sizeof(f->error), "%s", SHRANK_MSG);
		return -1;
	}
	bus_jump = &jb;
	rc = source_next(s, c, f->error, sizeof(f->error));
	bus_jump = NULL;
	return rc;
}

#ifdef MXT_TESTING
/*
 * Test hook (tests/consistency.sh): MXT_TEST_HELP set, the reading thread
 * scans whenever a chunk waits (help_at), and says how many it scanned.
 */
static void
test_helped(size_t chunks)
{
	if (getenv("MXT_TEST_HELP") != NULL)
		fprintf(stderr, "test hook: the reading thread scanned %zu "
		    "chunks\n", chunks);
}

/*
 * Test hook (tests/sigbus.sh): MXT_TEST_TRUNCATE=PATH truncates PATH to
 * 0 bytes right after its first chunk is queued, so the pages of every
 * chunk, queued or not, are gone when touched.
 */
static void
test_truncate(const char *path)
{
	const char	*p = getenv("MXT_TEST_TRUNCATE");

	if (p != NULL && strcmp(p, path) == 0 && truncate(path, 0) == -1)
		log_errno("test hook: cannot truncate '%s'", path);
}

/*
 * Test hook (tests/joins.sh): MXT_TEST_CHUNK=N asks for chunks of N
 * bytes (a mapped file's chunks grow to size / (16 * jobs), at most 4 N),
 * so that the lines of one failure fall into several chunks and workers.
 */
static void
test_chunk(size_t *size)
{
	const char	*p = getenv("MXT_TEST_CHUNK");

	if (p != NULL && atol(p) > 0)
		*size = (size_t)atol(p);
}
#else
#define test_chunk(size)	((void)0)
#define test_helped(chunks)	((void)0)
#define test_truncate(path)	((void)0)
#endif

/*
 * The layout of a file from its first chunk, before any worker sees it;
 * a mapped file cut short under us leaves it unknown (the chunk's scan
 * reports the loss).
 */
static void
sniff_guarded(struct worker *self, const struct chunk *c,
    const struct timectx *tc, struct layout *lo)
{
	sigjmp_buf	 jb;

	if (sigsetjmp(jb, 1) != 0) {
		bus_jump = NULL;
		lo->kind = LAYOUT_UNKNOWN;
		return;
	}
	bus_jump = &jb;
	layout_sniff(slice_make(c->beg, c->end), tc, &self->rd->tcache, lo);
	bus_jump = NULL;
}

static void
read_one(struct queue *q, struct worker *self, struct scan_file *f, size_t idx,
    const struct input_opts *io, struct timectx *tc, struct layout *lo,
    const struct scan_opts *o, struct progress *pg)
{
	struct source	*s;
	struct chunk	 c;
	const struct scan_resume *rs = &o->resume;
	void		*cur = NULL;
	int		 rc = 0, sniffed = 0;

	f->format = "plain";
	s = source_open(f->path, (int)idx, io, f->error, sizeof(f->error));
	if (s == NULL)
		return;
	f->format = input_fmt_name(source_format(s));
	queue_limit(q, s);
	timectx_init(tc, source_mtime(s), o->year);
	if (rs->open != NULL)
		cur = rs->open(rs->arg, f->path, source_format(s) != FMT_PLAIN);
	while (!stopped(o) && (rc = next_guarded(s, &c, f)) == 1) {
		if (!sniffed) {		/* workers read lo once it is queued */
			sniff_guarded(self, &c, tc, lo);
			sniffed = 1;
		}
		if (cur != NULL && rs->chunk(cur, &c) == 0) {
			source_release(s, &c);	/* read by an earlier run */
			continue;
		}
		queue_push(q, &c, s);
		if (c.off == 0)
			test_truncate(f->path);
		progress_draw(pg, source_bytes(s), 0);
		queue_help(q, self);
	}
	if (rc == 0)
		f->error[0] = '\0';
	if (cur != NULL)
		rs->close(cur, rc == 0);
	queue_limit(q, NULL);	/* nothing left to decode */
	queue_drain(q);
	f->bytes = source_bytes(s);
	pg->done += f->bytes;
	source_close(s);
}

static uint64_t
total_size(const struct scan_file *files, size_t n)
{
	struct stat	 sb;
	uint64_t	 t = 0;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (strcmp(files[i].path, "-") != 0 &&
		    stat(files[i].path, &sb) == 0 && S_ISREG(sb.st_mode))
			t += (uint64_t)sb.st_size;
	return t;
}

static void
worker_init(struct worker *w, struct queue *q, const struct scan_opts *o,
    const struct classifier *cl, const struct timectx *tc,
    const struct layout *lo, size_t n)
{
	size_t	 i;

	w->q = q;
	w->o = o;
	w->tc = tc;
	w->lo = lo;
	w->rd = scan_reader_new(o, cl, worker_sink, w);
	w->agg = agg_new();
	for (i = 0; i < o->nsinks; i++)
		w->part[i] = o->sinks[i].part_new(o->sinks[i].arg);
	if (o->nsinks > 0)
		agg_set_emit(w->agg, worker_emit, w);
	agg_set_max_keys(w->agg, o->max_keys);
	w->lines = xcalloc(n ? n : 1, sizeof(uint64_t));
	w->known = xcalloc(n ? n : 1, sizeof(*w->known));
	for (i = 0; i < n; i++)
		scan_known_init(&w->known[i]);
	w->shrank = xcalloc(n ? n : 1, 1);
}

/* Adds w's counts to files and st, and its tables to all (unless its). */
static void
worker_collect(struct worker *w, struct agg *all, struct scan_file *files,
    size_t n, struct scan_stats *st)
{
	const struct scan_stats	*ws = scan_reader_stats(w->rd);
	size_t			 i;

	if (w->agg != all) {
		if (w->scanned)		/* the reading thread's may be empty */
			agg_merge(all, w->agg);
		agg_free(w->agg);
	}
	for (i = 0; i < n; i++) {
		files[i].lines += w->lines[i];
		scan_known_merge(&files[i].known, &w->known[i]);
		if (w->shrank[i] && files[i].error[0] == '\0')
			snprintf(files[i].error, sizeof(files[i].error),
			    "%s", SHRANK_MSG);
	}
	st->lines += ws->lines;
	st->error_lines += ws->error_lines;
	st->unparsed += ws->unparsed;
	st->overlong += ws->overlong;
	if (ws->first < st->first)
		st->first = ws->first;
	if (ws->last > st->last)
		st->last = ws->last;
	scan_reader_free(w->rd);
	free(w->lines);
	free(w->known);
	free(w->shrank);
}

/* s as a quoted, escaped string into buf (n > 8): '"', '\\', controls. */
static void
quote_sample(const char *s, size_t len, int cut, char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t		 i, o = 0;
	unsigned char	 c;

	buf[o++] = '"';
	for (i = 0; i < len && o + 8 < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			buf[o++] = '\\';
			if (c == '"' || c == '\\')
				buf[o++] = (char)c;
			else {
				buf[o++] = 'x';
				buf[o++] = hex[c >> 4];
				buf[o++] = hex[c & 15];
			}
		} else
			buf[o++] = (char)c;
	}
	if (cut || i < len)
		buf[o++] = '.', buf[o++] = '.', buf[o++] = '.';
	buf[o++] = '"';
	buf[o] = '\0';
}

/*
 * The warning of a file that was read but not understood: no line
 * recognised, or fewer than one in SCAN_UNDERSTOOD_SHARE.
 */
static void
scan_verdict(struct scan_file *f)
{
	char	 q[SCAN_SAMPLE * 4 + 16];

	f->warning[0] = '\0';
	if (f->lines == 0 || f->known.recognised * SCAN_UNDERSTOOD_SHARE >= f->lines)
		return;
	if (f->known.unknown_pos == UINT64_MAX)
		snprintf(q, sizeof(q), "(none: only empty lines)");
	else
		quote_sample(f->known.unknown, f->known.unknown_len, f->known.unknown_cut, q,
		    sizeof(q));
	if (f->known.recognised == 0)
		snprintf(f->warning, sizeof(f->warning), "no line recognised "
		    "as a mail server's (layout %s); first unrecognised "
		    "line: %s", f->layout, q);
	else
		snprintf(f->warning, sizeof(f->warning), "only %llu of %llu "
		    "lines recognised as a mail server's (layout %s); first "
		    "unrecognised line: %s", (unsigned long long)f->known.recognised,
		    (unsigned long long)f->lines, f->layout, q);
}

struct agg *
scan_run(const struct scan_opts *o, const struct classifier *cl,
    struct scan_file *files, size_t n, struct scan_stats *st)
{
	struct queue		 q;
	struct worker		*w;
	struct timectx		*tc = xcalloc(n, sizeof(*tc));
	struct layout		*lo = xcalloc(n ? n : 1, sizeof(*lo));
	struct input_opts	 io = { .no_mmap = o->no_mmap };
	struct progress		 pg = { .on = o->progress };
	struct agg		*all;
	struct sigaction	 sa, oldsa;
	size_t			 i, k;
	int			 jobs = o->jobs > 0 ? o->jobs : 1;

	memset(&q, 0, sizeof(q));
	pthread_mutex_init(&q.mu, NULL);
	pthread_cond_init(&q.nonempty, NULL);
	pthread_cond_init(&q.nonfull, NULL);
	pthread_cond_init(&q.released, NULL);
	q.cap = (size_t)jobs * 2 + 2;
	q.ring = xcalloc(q.cap, sizeof(*q.ring));
	q.jobs = q.max_busy = jobs;
	/* chunks small enough that every worker gets several per file */
	io.chunk_size = 4u << 20;
	test_chunk(&io.chunk_size);
	/*
	 * Stream buffers of 8 MiB: a chunk boundary costs the queue-id
	 * joins a record per message under way, settled serially at the
	 * end (1 GiB .zst: 370k records with 4 MiB, 200k with 8 MiB).
	 */
	io.buf_size = 8u << 20;
	io.jobs = jobs;
	/* w[jobs]: the reading thread's own, for the chunks it scans */
	w = xcalloc((size_t)jobs + 1, sizeof(*w));
	for (k = 0; k <= (size_t)jobs; k++) {
		worker_init(&w[k], &q, o, cl, tc, lo, n);
		if (k < (size_t)jobs &&
		    pthread_create(&w[k].tid, NULL, worker_main, &w[k]) != 0)
			log_die("cannot start worker thread");
	}
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_sigbus;
	sa.sa_flags = 0;
	sigaction(SIGBUS, &sa, &oldsa);
	pg.total = total_size(files, n);
	/* by default only when there is enough input to wait for */
	if (o->progress < 0)
		pg.on = pg.total >= PROGRESS_MIN;
	clock_gettime(CLOCK_MONOTONIC, &pg.start);
	pg.last = pg.start;
	for (i = 0; i < n; i++) {
		scan_known_init(&files[i].known);
		read_one(&q, &w[jobs], &files[i], i, &io, &tc[i], &lo[i], o,
		    &pg);
	}
	progress_draw(&pg, 0, 1);

	pthread_mutex_lock(&q.mu);
	q.closed = 1;
	pthread_cond_broadcast(&q.nonempty);
	pthread_mutex_unlock(&q.mu);
	memset(st, 0, sizeof(*st));
	st->first = INT64_MAX;
	st->last = INT64_MIN;
	all = w[0].agg;
	test_helped(w[jobs].scanned);
	for (k = 0; k < (size_t)jobs; k++)
		pthread_join(w[k].tid, NULL);
	/* the merges and the finish settle joins: one thread, w[0]'s parts */
	for (k = 1; o->nsinks > 0 && k <= (size_t)jobs; k++)
		agg_set_emit(w[k].agg, worker_emit, &w[0]);
	for (k = 0; k <= (size_t)jobs; k++)
		worker_collect(&w[k], all, files, n, st);
	if (st->first == INT64_MAX)
		st->first = st->last = T_NONE;
	for (i = 0; i < n; i++) {
		files[i].layout = layout_name(lo[i].kind);
		scan_verdict(&files[i]);
	}
	sigaction(SIGBUS, &oldsa, NULL);
	agg_finish(all);
	for (k = 0; k <= (size_t)jobs; k++)
		for (i = 0; i < o->nsinks; i++)
			o->sinks[i].part_end(o->sinks[i].arg, w[k].part[i]);
	free(w);
	free(q.ring);
	free(tc);
	free(lo);
	pthread_mutex_destroy(&q.mu);
	pthread_cond_destroy(&q.nonempty);
	pthread_cond_destroy(&q.nonfull);
	pthread_cond_destroy(&q.released);
	return all;
}
