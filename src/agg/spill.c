/*
 * Folding by frequency: how a capped table keeps its most frequent keys
 * in bounded memory, exactly and for any split of the input. The tables
 * (tab.c's report tables, traffic.c's address sets) hand their entries
 * over as struct srec; this file owns the runs and the choice.
 *
 * A table holds at most max keys in memory. When a new key would make it
 * max + 1, the table writes all its entries, sorted by key, to a run (an
 * unlinked temporary file in $TMPDIR, spill_write) and empties itself.
 * Runs of one level are merged, summing equal keys, into one run of the
 * next level when FANIN of them pile up, so a table never has more than
 * FANIN runs a level open (as sort(1) does). agg_merge moves runs from
 * agg to agg (spill_take).
 *
 * spill_pick, once, after the last merge: all runs and what the table
 * still holds are merged into one stream of distinct keys with their
 * exact totals, and a heap of max entries keeps the best: the highest
 * count, then the lowest key bytes; every other key is handed to a fold
 * callback. Since the totals are exact before the choice is made, which
 * keys survive depends on the set of events alone, never on -j or order.
 *
 * Memory: max entries a table a worker, FANIN * levels stdio buffers, the
 * heap. Disk: the distinct keys a few times over (each record is its key,
 * its example and 24 bytes). When a run cannot be written (disk full, no
 * such directory) the table stops spilling and keeps counting in memory,
 * with one warning naming the directory: the cap no longer bounds memory,
 * but no count is lost and the result is the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mxtally/agg.h"
#include "mxtally/log.h"
#include "agg_int.h"

#define FANIN		16
#define REC_KEY_MAX	1024
#define REC_EX_MAX	1024
#define NO_EX		UINT32_MAX	/* exlen of a record without example */

struct run {
	FILE		*f;
	uint64_t	 nrec;
	unsigned	 level;
};

struct rec {			/* a record being merged: its own buffers */
	struct srec	 s;		/* key and ex point below */
	char		 key[REC_KEY_MAX];
	char		 ex[REC_EX_MAX];
};

struct sortkey {
	uint64_t	 pfx;
	size_t		 i;
};

struct rd {				/* one sorted source being read */
	struct run	*run;		/* a run, or */
	const struct srec *v;		/* the table's entries */
	const struct sortkey *ord;	/* in this order */
	uint64_t	 left;
	struct rec	 r;
};

static const char *
spill_dir(void)
{
	const char	*d = getenv("TMPDIR");

	return d != NULL && *d != '\0' ? d : "/tmp";
}

/* Says once a run why the cap stopped holding; the counts stay exact. */
static void
spill_warn(const char *what)
{
	static atomic_int	 warned;
	int			 e = errno;

	if (atomic_exchange(&warned, 1) == 0)
		log_warn("cannot %s a spill file in '%s': %s; --max-keys "
		    "no longer bounds memory in this run", what, spill_dir(),
		    e != 0 ? strerror(e) : "i/o error");
}

FILE *
agg_spill_file(const char **dirp)
{
	const char	*dir = spill_dir();
	char		 path[4096];
	int		 fd, e;
	FILE		*f;

	*dirp = dir;
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd == -1) {
		snprintf(path, sizeof(path), "%s/mxtally-spill.XXXXXX", dir);
		if ((fd = mkstemp(path)) != -1)
			unlink(path);
	}
	if (fd == -1)
		return NULL;
	if ((f = fdopen(fd, "w+")) == NULL) {
		e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	return f;
}

/*
 * A record: n, aux (8 bytes each), klen, exlen (4 each), key, example.
 * One thread owns a run at a time: the unlocked stdio calls are safe.
 */
static int
rec_write(FILE *f, const struct srec *r)
{
	unsigned char	 b[24 + REC_KEY_MAX];
	uint32_t	 l[2] = { r->klen,
			    r->ex != NULL ? (uint32_t)strlen(r->ex) : NO_EX };

	memcpy(b, &r->n, 8);
	memcpy(b + 8, &r->aux, 8);
	memcpy(b + 16, l, 8);
	memcpy(b + 24, r->key, r->klen);
	fwrite_unlocked(b, 24 + r->klen, 1, f);
	if (l[1] != NO_EX)
		fwrite_unlocked(r->ex, 1, l[1], f);
	return ferror_unlocked(f) ? -1 : 0;
}

/* Ends writing f and rewinds it for reading; -1 (warned) on error. */
static int
run_seal(FILE *f)
{
	if (fflush(f) != 0 || ferror(f)) {
		spill_warn("write");
		return -1;
	}
	rewind(f);
	return 0;
}

/* Our own file, written whole: a failure here is an i/o error or a bug. */
static void
rd_next(struct rd *d)
{
	struct rec	*r = &d->r;
	uint64_t	 h[2];
	uint32_t	 l[2];
	FILE		*f;

	d->left--;
	if (d->v != NULL) {
		r->s = d->v[d->ord++->i];
		return;
	}
	f = d->run->f;
	if (fread_unlocked(h, sizeof(h), 1, f) != 1 ||
	    fread_unlocked(l, sizeof(l), 1, f) != 1 ||
	    l[0] > REC_KEY_MAX || (l[1] != NO_EX && l[1] >= REC_EX_MAX) ||
	    fread_unlocked(r->key, 1, l[0], f) != l[0] ||
	    (l[1] != NO_EX && fread_unlocked(r->ex, 1, l[1], f) != l[1]))
		log_die("reading a spill file in '%s': %s", spill_dir(),
		    ferror(f) ? strerror(errno) : "short record");
	r->s.n = h[0];
	r->s.aux = h[1];
	r->s.klen = l[0];
	r->s.key = r->key;
	r->s.pfx = key_prefix(r->key, l[0]);
	r->s.ex = NULL;
	if (l[1] != NO_EX) {
		r->ex[l[1]] = '\0';
		r->s.ex = r->ex;
	}
}

/*
 * Byte order, shorter first on a common prefix. Equal prefixes mean equal
 * first min(8, len) bytes and zeros after the shorter key's end within
 * them, so only keys of more than 8 bytes need memcmp.
 */
static int
key_cmp(const struct srec *a, const struct srec *b)
{
	size_t	 n = a->klen < b->klen ? a->klen : b->klen;
	int	 c;

	if (a->pfx != b->pfx)
		return a->pfx < b->pfx ? -1 : 1;
	if (n > 8 && (c = memcmp(a->key + 8, b->key + 8, n - 8)) != 0)
		return c;
	return (a->klen > b->klen) - (a->klen < b->klen);
}

static int
sortkey_cmp(const void *x, const void *y, void *arg)
{
	const struct sortkey *a = x, *b = y;
	const struct srec *v = arg;

	if (a->pfx != b->pfx)
		return a->pfx < b->pfx ? -1 : 1;
	return key_cmp(&v[a->i], &v[b->i]);
}

/*
 * The key order of v, as (prefix, index) pairs: small pairs move, and
 * most compares end at the prefix, so a sort of a million keys stays
 * cheap. Sets each v[i].pfx. Free the result.
 */
static struct sortkey *
srec_order(struct srec *v, size_t n)
{
	struct sortkey	*k = xmalloc((n + 1) * sizeof(*k));
	size_t		 i;

	for (i = 0; i < n; i++) {
		v[i].pfx = key_prefix(v[i].key, v[i].klen);
		k[i] = (struct sortkey){ v[i].pfx, i };
	}
	qsort_r(k, n, sizeof(*k), sortkey_cmp, v);
	return k;
}

static void
runs_push(struct spill *s, FILE *f, uint64_t nrec, unsigned level)
{
	if (s->nruns == s->runcap) {
		s->runcap = s->runcap ? s->runcap * 2 : 8;
		s->runs = xrealloc(s->runs, s->runcap * sizeof(*s->runs));
	}
	s->runs[s->nruns++] = (struct run){ f, nrec, level };
}

static void
runs_close(struct run *runs, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		fclose(runs[i].f);
}

static int
rd_less(const struct rd *a, const struct rd *b)
{
	return key_cmp(&a->r.s, &b->r.s) < 0;
}

static void
rd_sift_down(struct rd **h, size_t len, size_t i)
{
	size_t		 c;
	struct rd	*tmp;

	for (; (c = 2 * i + 1) < len; i = c) {
		if (c + 1 < len && rd_less(h[c + 1], h[c]))
			c++;
		if (!rd_less(h[c], h[i]))
			break;
		tmp = h[i];
		h[i] = h[c];
		h[c] = tmp;
	}
}

/* cur = r, copied into cur's own buffers */
static void
rec_copy(struct rec *cur, const struct srec *r)
{
	cur->s = *r;
	cur->s.own = NULL;
	memcpy(cur->key, r->key, r->klen);
	cur->s.key = cur->key;
	if (r->ex != NULL) {
		memcpy(cur->ex, r->ex, strlen(r->ex) + 1);
		cur->s.ex = cur->ex;
	}
}

/*
 * cur += r: counts add up; aux adds up too (sum_aux) or is the lowest,
 * and then the example is the one of the lowest aux (a position).
 */
static void
rec_add(struct rec *cur, const struct srec *r, int sum_aux)
{
	cur->s.n += r->n;
	if (sum_aux)
		cur->s.aux += r->aux;
	else if (r->aux < cur->s.aux) {
		cur->s.aux = r->aux;
		cur->s.ex = NULL;
		if (r->ex != NULL) {
			memcpy(cur->ex, r->ex, strlen(r->ex) + 1);
			cur->s.ex = cur->ex;
		}
	}
}

/*
 * The k-way merge of runs[0..n) (sealed) and v[0..nv) in the order ord:
 * calls emit once per distinct key, in key order, with its totals. Stops
 * at emit's first -1 and returns it; the runs stay open either way.
 */
static int
runs_merge(struct run *runs, size_t n, const struct srec *v,
    const struct sortkey *ord, size_t nv, int sum_aux,
    int (*emit)(void *, const struct srec *), void *ctx)
{
	struct rd	*rd = xcalloc(n + 1, sizeof(*rd));
	struct rd	**heap = xmalloc((n + 1) * sizeof(*heap));
	struct rec	*cur = xmalloc(sizeof(*cur));
	size_t		 i, len = 0;
	int		 have = 0, rc = 0;

	for (i = 0; i <= n; i++) {
		if (i < n) {
			rd[i].run = &runs[i];
			rd[i].left = runs[i].nrec;
		} else {
			rd[i].v = v;
			rd[i].ord = ord;
			rd[i].left = nv;
		}
		if (rd[i].left > 0) {
			rd_next(&rd[i]);
			heap[len++] = &rd[i];
		}
	}
	for (i = len / 2; i-- > 0;)
		rd_sift_down(heap, len, i);
	while (len > 0 && rc == 0) {
		if (have && key_cmp(&cur->s, &heap[0]->r.s) == 0)
			rec_add(cur, &heap[0]->r.s, sum_aux);
		else {
			if (have)
				rc = emit(ctx, &cur->s);
			rec_copy(cur, &heap[0]->r.s);
			have = 1;
		}
		if (heap[0]->left > 0)
			rd_next(heap[0]);
		else
			heap[0] = heap[--len];
		rd_sift_down(heap, len, 0);
	}
	if (have && rc == 0)
		rc = emit(ctx, &cur->s);
	free(cur);
	free(heap);
	free(rd);
	return rc;
}

struct run_out {
	FILE		*f;
	uint64_t	 nrec;
};

static int
emit_run(void *ctx, const struct srec *r)
{
	struct run_out	*o = ctx;

	o->nrec++;
	return rec_write(o->f, r);
}

/*
 * Merges the last FANIN runs while they share a level. On a write error
 * they stay as they are (and the table stops spilling): still correct.
 */
static void
runs_compact(struct spill *s)
{
	struct run_out	 o;
	const char	*dir;
	unsigned	 level;
	size_t		 i, first;

	while (s->nruns >= FANIN) {
		first = s->nruns - FANIN;
		level = s->runs[first].level;
		for (i = first + 1; i < s->nruns; i++)
			if (s->runs[i].level != level)
				return;
		if ((o.f = agg_spill_file(&dir)) == NULL) {
			spill_warn("create");
			s->failed = 1;
			return;
		}
		o.nrec = 0;
		if (runs_merge(s->runs + first, FANIN, NULL, NULL, 0,
		    s->sum_aux, emit_run, &o) != 0 || run_seal(o.f) != 0) {
			spill_warn("write");
			fclose(o.f);
			s->failed = 1;
			for (i = first; i < s->nruns; i++)
				rewind(s->runs[i].f);
			return;
		}
		runs_close(s->runs + first, FANIN);
		s->nruns = first;
		runs_push(s, o.f, o.nrec, level + 1);
	}
}

int
spill_write(struct spill *s, struct srec *v, size_t n)
{
	struct sortkey	*ord;
	const char	*dir;
	FILE		*f;
	size_t		 i;
	int		 rc = 0;

	if (s->failed)
		return -1;
	if ((f = agg_spill_file(&dir)) == NULL) {
		spill_warn("create");
		s->failed = 1;
		return -1;
	}
	ord = srec_order(v, n);
	for (i = 0; i < n && rc == 0; i++)
		rc = rec_write(f, &v[ord[i].i]);
	free(ord);
	if (rc != 0 || run_seal(f) != 0) {
		spill_warn("write");
		fclose(f);
		s->failed = 1;
		return -1;
	}
	runs_push(s, f, n, 0);
	runs_compact(s);
	return 0;
}

void
spill_take(struct spill *into, struct spill *from)
{
	size_t	 i;

	for (i = 0; i < from->nruns; i++) {
		runs_push(into, from->runs[i].f, from->runs[i].nrec,
		    from->runs[i].level);
		runs_compact(into);
	}
	from->nruns = 0;
}

void
spill_release(struct spill *s)
{
	runs_close(s->runs, s->nruns);
	free(s->runs);
	s->runs = NULL;
	s->nruns = s->runcap = 0;
}

/* The kept keys: a heap with the worst (lowest count, highest key) on top. */
struct pick {
	struct srec	*heap;
	size_t		 len, max;
	struct srec	*always;	/* keys of length 0 or 1: never folded */
	size_t		 nalways;
	uint64_t	 distinct;
	void		(*fold)(void *, const struct srec *);
	void		*ctx;
};

/* 1 when a is worse than b: fewer events, or as many and a larger key */
static int
srec_worse(const struct srec *a, const struct srec *b)
{
	if (a->n != b->n)
		return a->n < b->n;
	return key_cmp(a, b) > 0;
}

static void
heap_swap(struct srec *h, size_t i, size_t j)
{
	struct srec	 tmp = h[i];

	h[i] = h[j];
	h[j] = tmp;
}

/* A copy of r owning its key and example (one allocation). */
static struct srec
srec_dup(const struct srec *r)
{
	size_t		 exlen = r->ex != NULL ? strlen(r->ex) + 1 : 0;
	char		*p = xmalloc(r->klen + exlen + 1);
	struct srec	 d = *r;

	memcpy(p, r->key, r->klen);
	p[r->klen] = '\0';
	d.key = d.own = p;
	d.ex = NULL;
	if (r->ex != NULL)
		d.ex = memcpy(p + r->klen + 1, r->ex, exlen);
	return d;
}

static int
emit_pick(void *ctx, const struct srec *r)
{
	struct pick	*p = ctx;
	size_t		 i, c;

	p->distinct++;
	if (r->klen <= 1) {
		p->always = xrealloc(p->always,
		    (p->nalways + 1) * sizeof(*p->always));
		p->always[p->nalways++] = srec_dup(r);
		return 0;
	}
	if (p->len < p->max) {
		p->heap[p->len] = srec_dup(r);
		for (i = p->len++; i > 0 &&
		    srec_worse(&p->heap[i], &p->heap[(i - 1) / 2]); i = c) {
			c = (i - 1) / 2;
			heap_swap(p->heap, i, c);
		}
		return 0;
	}
	if (!srec_worse(&p->heap[0], r)) {
		p->fold(p->ctx, r);
		return 0;
	}
	p->fold(p->ctx, &p->heap[0]);
	free(p->heap[0].own);
	p->heap[0] = srec_dup(r);
	for (i = 0; (c = 2 * i + 1) < p->len; i = c) {
		if (c + 1 < p->len && srec_worse(&p->heap[c + 1], &p->heap[c]))
			c++;
		if (!srec_worse(&p->heap[c], &p->heap[i]))
			break;
		heap_swap(p->heap, i, c);
	}
	return 0;
}

uint64_t
spill_pick(struct spill *s, struct srec *v, size_t nv, size_t max,
    void (*fold)(void *, const struct srec *), void *ctx,
    struct srec **kept, size_t *nkept)
{
	struct pick	 p;
	struct sortkey	*ord;

	memset(&p, 0, sizeof(p));
	p.max = max;
	p.heap = xmalloc((max + 1) * sizeof(*p.heap));
	p.fold = fold;
	p.ctx = ctx;
	ord = srec_order(v, nv);
	runs_merge(s->runs, s->nruns, v, ord, nv, s->sum_aux, emit_pick, &p);
	free(ord);
	spill_release(s);
	p.heap = xrealloc(p.heap,
	    (p.len + p.nalways + 1) * sizeof(*p.heap));
	if (p.nalways > 0)
		memcpy(p.heap + p.len, p.always,
		    p.nalways * sizeof(*p.always));
	free(p.always);
	*kept = p.heap;
	*nkept = p.len + p.nalways;
	return p.distinct;
}

void
spill_kept_free(struct srec *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i].own);
	free(v);
}
