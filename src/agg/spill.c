/*
 * Folding by frequency: how a capped report table keeps its most
 * frequent keys in bounded memory, exactly and for any split of the input.
 *
 * A table holds at most max keys in memory. When a new key would make it
 * max + 1, tab_spill writes all its entries, sorted by key, to a run (an
 * unlinked temporary file in $TMPDIR) and empties it. Runs of one level
 * are merged, summing equal keys, into one run of the next level when
 * FANIN of them pile up, so a table never has more than FANIN runs a
 * level open (as sort(1) does). agg_merge moves runs from agg to agg.
 *
 * tab_settle, once, after the last merge: the table spills what it holds,
 * all runs are merged into one stream of distinct keys with their exact
 * totals, and a heap of max entries keeps the best: the highest count,
 * then the lowest key bytes. Everything else goes to the table's "other"
 * counters. Since the totals are exact before the choice is made, which
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
#include <stddef.h>
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
#define NO_EX		UINT32_MAX	/* exlen of an entry without example */

struct run {
	FILE		*f;
	uint64_t	 nrec;
	unsigned	 level;
};

struct rec {
	uint64_t	 n, pos;
	uint32_t	 klen, exlen;
	char		 key[REC_KEY_MAX];
	char		 ex[REC_EX_MAX];
};

struct rd {				/* one sorted source being read */
	struct run	*run;		/* a run, or */
	struct ent	**v;		/* the table's own entries, sorted */
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

static FILE *
run_create(void)
{
	const char	*dir;
	FILE		*f = agg_spill_file(&dir);

	if (f == NULL)
		spill_warn("create");
	return f;
}

static int
rec_write(FILE *f, uint64_t n, uint64_t pos, const char *key, uint32_t klen,
    const char *ex, uint32_t exlen)
{
	uint64_t	 h[2] = { n, pos };
	uint32_t	 l[2] = { klen, exlen };

	fwrite(h, sizeof(h), 1, f);
	fwrite(l, sizeof(l), 1, f);
	fwrite(key, 1, klen, f);
	if (exlen != NO_EX)
		fwrite(ex, 1, exlen, f);
	return ferror(f) ? -1 : 0;
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
	struct ent	*e;
	uint64_t	 h[2];
	uint32_t	 l[2];
	FILE		*f;

	d->left--;
	if (d->v != NULL) {
		e = *d->v++;
		r->n = e->n;
		r->pos = e->pos;
		r->klen = e->klen;
		memcpy(r->key, e->key, e->klen);
		r->exlen = e->ex != NULL ? (uint32_t)strlen(e->ex) : NO_EX;
		if (e->ex != NULL)
			memcpy(r->ex, e->ex, r->exlen);
		return;
	}
	f = d->run->f;
	if (fread(h, sizeof(h), 1, f) != 1 || fread(l, sizeof(l), 1, f) != 1 ||
	    l[0] > REC_KEY_MAX || (l[1] != NO_EX && l[1] > REC_EX_MAX) ||
	    fread(r->key, 1, l[0], f) != l[0] ||
	    (l[1] != NO_EX && fread(r->ex, 1, l[1], f) != l[1]))
		log_die("reading a spill file in '%s': %s", spill_dir(),
		    ferror(f) ? strerror(errno) : "short record");
	r->n = h[0];
	r->pos = h[1];
	r->klen = l[0];
	r->exlen = l[1];
}

static int
key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int	 c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

static int
ent_cmp(const void *x, const void *y)
{
	const struct ent *a = *(struct ent *const *)x;
	const struct ent *b = *(struct ent *const *)y;

	return key_cmp(a->key, a->klen, b->key, b->klen);
}

/* t's entries sorted by key; *n of them. Free the array. */
static struct ent **
tab_sorted(const struct tab *t, size_t *n)
{
	struct ent	**v = xmalloc((t->len + 1) * sizeof(*v));
	size_t		 i, k = 0;

	for (i = 0; i < t->cap; i++)
		if (t->slot[i] != NULL)
			v[k++] = t->slot[i];
	qsort(v, k, sizeof(*v), ent_cmp);
	*n = k;
	return v;
}

static void
runs_push(struct tab *t, FILE *f, uint64_t nrec, unsigned level)
{
	if (t->nruns == t->runcap) {
		t->runcap = t->runcap ? t->runcap * 2 : 8;
		t->runs = xrealloc(t->runs, t->runcap * sizeof(*t->runs));
	}
	t->runs[t->nruns++] = (struct run){ f, nrec, level };
}

static int
rd_less(const struct rd *a, const struct rd *b)
{
	return key_cmp(a->r.key, a->r.klen, b->r.key, b->r.klen) < 0;
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

/* cur += r: counts add up, the example is the one of the lowest position */
static void
rec_add(struct rec *cur, const struct rec *r)
{
	cur->n += r->n;
	if (r->pos < cur->pos) {
		cur->pos = r->pos;
		cur->exlen = r->exlen;
		if (r->exlen != NO_EX)
			memcpy(cur->ex, r->ex, r->exlen);
	}
}

static void
rec_copy(struct rec *cur, const struct rec *r)
{
	memcpy(cur, r, offsetof(struct rec, key) + r->klen);
	if (r->exlen != NO_EX)
		memcpy(cur->ex, r->ex, r->exlen);
}

/*
 * The k-way merge of runs[0..n) (sealed) and the sorted entries v[0..nv):
 * calls emit once per distinct key, in key order, with the summed count
 * and the example of the lowest position. Stops at emit's first -1 and
 * returns it; the runs stay open either way.
 */
static int
runs_merge(struct run *runs, size_t n, struct ent **v, size_t nv,
    int (*emit)(void *, const struct rec *), void *ctx)
{
	struct rd	*rd = xcalloc(n + 1, sizeof(*rd));
	struct rd	**heap = xmalloc((n + 1) * sizeof(*heap));
	struct rec	*cur = xmalloc(sizeof(*cur)), *r;
	size_t		 i, len = 0;
	int		 have = 0, rc = 0;

	for (i = 0; i <= n; i++) {
		if (i < n) {
			rd[i].run = &runs[i];
			rd[i].left = runs[i].nrec;
		} else {
			rd[i].v = v;
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
		r = &heap[0]->r;
		if (have && key_cmp(cur->key, cur->klen, r->key, r->klen) == 0)
			rec_add(cur, r);
		else {
			if (have)
				rc = emit(ctx, cur);
			rec_copy(cur, r);
			have = 1;
		}
		if (heap[0]->left > 0)
			rd_next(heap[0]);
		else
			heap[0] = heap[--len];
		rd_sift_down(heap, len, 0);
	}
	if (have && rc == 0)
		rc = emit(ctx, cur);
	free(cur);
	free(heap);
	free(rd);
	return rc;
}

static void
runs_close(struct run *runs, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		fclose(runs[i].f);
}

struct run_out {
	FILE		*f;
	uint64_t	 nrec;
};

static int
emit_run(void *ctx, const struct rec *r)
{
	struct run_out	*o = ctx;

	o->nrec++;
	return rec_write(o->f, r->n, r->pos, r->key, r->klen, r->ex,
	    r->exlen);
}

/*
 * Merges the last FANIN runs while they share a level. On a write error
 * they stay as they are (and the table stops spilling): still correct.
 */
static void
runs_compact(struct tab *t)
{
	struct run_out	 o;
	unsigned	 level;
	size_t		 i, first;

	while (t->nruns >= FANIN) {
		first = t->nruns - FANIN;
		level = t->runs[first].level;
		for (i = first + 1; i < t->nruns; i++)
			if (t->runs[i].level != level)
				return;
		if ((o.f = run_create()) == NULL) {
			t->spill_failed = 1;
			return;
		}
		o.nrec = 0;
		if (runs_merge(t->runs + first, FANIN, NULL, 0, emit_run,
		    &o) != 0 || run_seal(o.f) != 0) {
			spill_warn("write");
			fclose(o.f);
			t->spill_failed = 1;
			for (i = first; i < t->nruns; i++)
				rewind(t->runs[i].f);
			return;
		}
		runs_close(t->runs + first, FANIN);
		t->nruns = first;
		runs_push(t, o.f, o.nrec, level + 1);
	}
}

void
tab_spill(struct tab *t)
{
	struct ent	**v;
	size_t		 i, k;
	FILE		*f;
	int		 rc = 0;

	if (t->len == 0 || t->spill_failed)
		return;
	if ((f = run_create()) == NULL) {
		t->spill_failed = 1;
		return;
	}
	v = tab_sorted(t, &k);
	for (i = 0; i < k && rc == 0; i++)
		rc = rec_write(f, v[i]->n, v[i]->pos, v[i]->key, v[i]->klen,
		    v[i]->ex, v[i]->ex != NULL ? (uint32_t)strlen(v[i]->ex)
		    : NO_EX);
	free(v);
	if (rc != 0 || run_seal(f) != 0) {
		/* the entries are still here: keep counting in memory */
		spill_warn("write");
		fclose(f);
		t->spill_failed = 1;
		return;
	}
	runs_push(t, f, k, 0);
	memset(t->slot, 0, t->cap * sizeof(*t->slot));
	t->len = 0;
	arena_reset(&t->ar);
	runs_compact(t);
}

void
tab_take_runs(struct tab *into, struct tab *from)
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
tab_close_runs(struct tab *t)
{
	runs_close(t->runs, t->nruns);
	free(t->runs);
	t->runs = NULL;
	t->nruns = t->runcap = 0;
}

/* The kept keys: a heap with the worst (lowest count, highest key) on top. */
struct sel {
	uint64_t	 n, pos;
	char		*ex;
	uint32_t	 klen;
	char		 key[];
};

struct pick {
	struct tab	*t;
	struct sel	**heap;
	size_t		 len, max;
	struct sel	**always;	/* keys of length 0 or 1: never folded */
	size_t		 nalways;
};

/* 1 when a is worse than b: fewer events, or as many and a larger key */
static int
sel_worse(const struct sel *a, const struct sel *b)
{
	if (a->n != b->n)
		return a->n < b->n;
	return key_cmp(a->key, a->klen, b->key, b->klen) > 0;
}

static void
sel_sift_down(struct sel **h, size_t len, size_t i)
{
	size_t		 c;
	struct sel	*tmp;

	for (; (c = 2 * i + 1) < len; i = c) {
		if (c + 1 < len && sel_worse(h[c + 1], h[c]))
			c++;
		if (!sel_worse(h[c], h[i]))
			break;
		tmp = h[i];
		h[i] = h[c];
		h[c] = tmp;
	}
}

static struct sel *
sel_new(const struct rec *r)
{
	struct sel	*s = xmalloc(sizeof(*s) + r->klen);

	s->n = r->n;
	s->pos = r->pos;
	s->klen = r->klen;
	memcpy(s->key, r->key, r->klen);
	s->ex = r->exlen == NO_EX ? NULL : xstrndup(r->ex, r->exlen);
	return s;
}

static void
fold(struct tab *t, const char *key, size_t klen, uint64_t n)
{
	t->other_n += n;
	t->other_by[klen > 0 ? (unsigned char)key[0] : 0] += n;
}

static void
sel_free(struct sel *s)
{
	free(s->ex);
	free(s);
}

static int
emit_pick(void *ctx, const struct rec *r)
{
	struct pick	*p = ctx;
	struct sel	*s, *w;
	size_t		 i, c;

	if (r->klen <= 1) {
		p->always = xrealloc(p->always,
		    (p->nalways + 1) * sizeof(*p->always));
		p->always[p->nalways++] = sel_new(r);
		return 0;
	}
	if (p->len < p->max) {
		p->heap[p->len] = sel_new(r);
		for (i = p->len++; i > 0; i = c) {	/* sift up */
			c = (i - 1) / 2;
			if (!sel_worse(p->heap[i], p->heap[c]))
				break;
			s = p->heap[i];
			p->heap[i] = p->heap[c];
			p->heap[c] = s;
		}
		return 0;
	}
	w = p->heap[0];
	if (w->n > r->n || (w->n == r->n &&
	    key_cmp(w->key, w->klen, r->key, r->klen) < 0)) {
		fold(p->t, r->key, r->klen, r->n);
		return 0;
	}
	fold(p->t, w->key, w->klen, w->n);
	sel_free(w);
	p->heap[0] = sel_new(r);
	sel_sift_down(p->heap, p->len, 0);
	return 0;
}

static void
sel_keep(struct tab *t, struct sel *s)
{
	struct ent	*e = tab_get(t, s->key, s->klen);

	e->n = s->n;
	e->pos = s->pos;
	if (s->ex != NULL)
		e->ex = arena_strndup(&t->ar, s->ex, strlen(s->ex));
	sel_free(s);
}

void
tab_settle(struct tab *t)
{
	struct pick	 p;
	struct ent	**v;
	size_t		 i, nv;

	if (t->max == 0 || (t->nruns == 0 && t->len <= t->max))
		return;
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.max = t->max;
	p.heap = xmalloc(p.max * sizeof(*p.heap));
	v = tab_sorted(t, &nv);
	runs_merge(t->runs, t->nruns, v, nv, emit_pick, &p);
	free(v);
	runs_close(t->runs, t->nruns);
	t->nruns = 0;
	/* the kept keys were copied: refill the emptied table with them */
	memset(t->slot, 0, t->cap * sizeof(*t->slot));
	t->len = 0;
	arena_reset(&t->ar);
	for (i = 0; i < p.nalways; i++)
		sel_keep(t, p.always[i]);
	for (i = 0; i < p.len; i++)
		sel_keep(t, p.heap[i]);
	free(p.always);
	free(p.heap);
}
