/*
 * Folding by frequency: how a capped table keeps its most frequent keys
 * in bounded memory, exactly and for any split of the input. The tables
 * (tab.c's report tables, traffic.c's address sets) hand their entries
 * over as struct srec; this file owns the runs and the choice.
 *
 * A table holds at most max keys in memory. When a new key would make it
 * max + 1, the table writes all its entries, sorted by key, as a run of
 * the spill engine (spill.h: unlinked files in $TMPDIR, merged a level
 * at a time, equal keys adding up) and empties itself. agg_merge moves
 * runs from agg to agg (spill_take).
 *
 * fold_pick, once, after the last merge: all runs and what the table
 * still holds are merged into one stream of distinct keys with their
 * exact totals, and a heap of max entries keeps the best: the highest
 * count, then the lowest key bytes; every other key is handed to a fold
 * callback. Since the totals are exact before the choice is made, which
 * keys survive depends on the set of events alone, never on -j or order.
 *
 * Memory: max entries a table a worker, SPILL_FANIN * levels stdio
 * buffers, the heap. Disk: the distinct keys a few times over (each
 * record is its key, its example and 24 bytes). When a run cannot be
 * written (disk full, no such directory) the table stops spilling and
 * keeps counting in memory, with one warning naming the directory: the
 * cap no longer bounds memory, but no count is lost and the result is
 * the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/log.h"
#include "mxtally/spill.h"
#include "agg_int.h"

#define REC_KEY_MAX	1024
#define REC_EX_MAX	1024
#define NO_EX		UINT32_MAX	/* exlen of a record without example */

struct rec {			/* a record read back: its own buffers */
	struct srec	 s;		/* first: a struct rec is a srec; key
					   and ex point below */
	char		 key[REC_KEY_MAX];
	char		 ex[REC_EX_MAX];
};

struct sortkey {
	uint64_t	 pfx;
	size_t		 i;
};

/*
 * A record: n, aux (8 bytes each), klen, exlen (4 each), key, example.
 * One thread owns a run at a time: the unlocked stdio calls are safe.
 */
static int
rec_put(FILE *f, const void *rec)
{
	const struct srec *r = rec;
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

static int
rec_get(FILE *f, void *buf)
{
	struct rec	*r = buf;
	uint64_t	 h[2];
	uint32_t	 l[2];

	if (fread_unlocked(h, sizeof(h), 1, f) != 1 ||
	    fread_unlocked(l, sizeof(l), 1, f) != 1 ||
	    l[0] > REC_KEY_MAX || (l[1] != NO_EX && l[1] >= REC_EX_MAX) ||
	    fread_unlocked(r->key, 1, l[0], f) != l[0] ||
	    (l[1] != NO_EX && fread_unlocked(r->ex, 1, l[1], f) != l[1]))
		return -1;
	r->s.n = h[0];
	r->s.aux = h[1];
	r->s.klen = l[0];
	r->s.key = r->key;
	r->s.pfx = key_prefix(r->key, l[0]);
	r->s.own = NULL;
	r->s.ex = NULL;
	if (l[1] != NO_EX) {
		r->ex[l[1]] = '\0';
		r->s.ex = r->ex;
	}
	return 0;
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

/* rec = r, copied into rec's own buffers */
static void
rec_copy(void *buf, const void *rec)
{
	struct rec		*cur = buf;
	const struct srec	*r = rec;

	cur->s = *r;
	cur->s.own = NULL;
	memcpy(cur->key, r->key, r->klen);
	cur->s.key = cur->key;
	if (r->ex != NULL) {
		memcpy(cur->ex, r->ex, strlen(r->ex) + 1);
		cur->s.ex = cur->ex;
	}
}

/* buf += rec: counts and aux (bytes) add up */
static void
rec_add_sum(void *buf, const void *rec)
{
	struct rec		*cur = buf;
	const struct srec	*r = rec;

	cur->s.n += r->n;
	cur->s.aux += r->aux;
}

/* buf += rec: counts add up; the lowest aux (a position) and its example */
static void
rec_add_min(void *buf, const void *rec)
{
	struct rec		*cur = buf;
	const struct srec	*r = rec;

	cur->s.n += r->n;
	if (r->aux < cur->s.aux) {
		cur->s.aux = r->aux;
		cur->s.ex = NULL;
		if (r->ex != NULL) {
			memcpy(cur->ex, r->ex, strlen(r->ex) + 1);
			cur->s.ex = cur->ex;
		}
	}
}

static int
rec_cmp(const void *a, const void *b)
{
	return key_cmp(a, b);
}

static atomic_int	 fold_warned;

static const struct spill_ops fold_ops[2] = {
	{ sizeof(struct rec), rec_cmp, rec_put, rec_get, rec_copy,
	    rec_add_min, "--max-keys no longer bounds memory in this run",
	    &fold_warned },
	{ sizeof(struct rec), rec_cmp, rec_put, rec_get, rec_copy,
	    rec_add_sum, "--max-keys no longer bounds memory in this run",
	    &fold_warned },
};

void
fold_init(struct spill *s, int sum_aux)
{
	spill_init(s, &fold_ops[sum_aux != 0]);
}

struct sorted {				/* v in the order ord */
	const struct srec *v;
	const struct sortkey *ord;
};

static const void *
sorted_at(void *arg, size_t i)
{
	const struct sorted *o = arg;

	return &o->v[o->ord[i].i];
}

int
fold_write(struct spill *s, struct srec *v, size_t n)
{
	struct sorted	 o;
	struct sortkey	*ord;
	int		 rc;

	if (s->failed)
		return -1;
	ord = srec_order(v, n);
	o = (struct sorted){ v, ord };
	rc = spill_write(s, sorted_at, &o, n);
	free(ord);
	return rc;
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
emit_pick(void *ctx, const void *rec)
{
	const struct srec *r = rec;
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
fold_pick(struct spill *s, struct srec *v, size_t nv, size_t max,
    void (*fold)(void *, const struct srec *), void *ctx,
    struct srec **kept, size_t *nkept)
{
	struct pick	 p;
	struct sortkey	*ord;
	struct sorted	 o;

	memset(&p, 0, sizeof(p));
	p.max = max;
	p.heap = xmalloc((max + 1) * sizeof(*p.heap));
	p.fold = fold;
	p.ctx = ctx;
	ord = srec_order(v, nv);
	o = (struct sorted){ v, ord };
	spill_merge(s, sorted_at, &o, nv, emit_pick, &p);
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
fold_kept_free(struct srec *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i].own);
	free(v);
}
