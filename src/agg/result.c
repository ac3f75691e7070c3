/*
 * From the merged agg to the sorted result the writers walk. This is the
 * one place where output order is decided: by count descending, then by
 * key ascending (bytes), timeline by time. Nothing here depends on how
 * the input was split over threads.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "agg_int.h"

struct result_mem {
	struct result	 r;
	struct arena	 ar;
};

/* the name of folded keys' row, made last by entities() */
static const char other_name[] = "(other)";

static int
cmp_key(const struct ent *a, const struct ent *b)
{
	size_t	 n = a->klen < b->klen ? a->klen : b->klen;
	int	 c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	return (a->klen > b->klen) - (a->klen < b->klen);
}

/* by key, so that all causes of one user are adjacent (key minus cause) */
static int
cmp_name_ent(const void *x, const void *y)
{
	const struct ent *a = *(struct ent *const *)x;
	const struct ent *b = *(struct ent *const *)y;
	size_t	 n = (a->klen < b->klen ? a->klen : b->klen) - 1;
	int	 c = memcmp(a->key + 1, b->key + 1, n);

	if (c != 0)
		return c;
	if (a->klen != b->klen)
		return (a->klen > b->klen) - (a->klen < b->klen);
	return (unsigned char)a->key[0] - (unsigned char)b->key[0];
}

static int
cmp_count_ent(const void *x, const void *y)
{
	const struct ent *a = *(struct ent *const *)x;
	const struct ent *b = *(struct ent *const *)y;

	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return cmp_key(a, b);
}

static struct ent **
tab_list(const struct tab *t, size_t *n)
{
	struct ent	**v = xmalloc((t->len + 1) * sizeof(*v));
	size_t		 i, k = 0;

	for (i = 0; i < t->cap; i++)
		if (t->slot[i].e != NULL)
			v[k++] = t->slot[i].e;
	*n = k;
	return v;
}

/* A sort key and the index of what it stands for. */
struct kidx {
	uint64_t	 key;
	size_t		 i;
};

/*
 * Sorts v by key, stably (LSD radix, a byte a pass): with the indexes
 * ascending on entry, equal keys stay in index order. One pass counts
 * all eight bytes; a byte that is the same in every key costs no pass.
 */
static void
radix_sort(struct kidx *v, size_t n)
{
	size_t		(*cnt)[256] = xcalloc(8, sizeof(*cnt));
	struct kidx	*tmp = xmalloc((n + 1) * sizeof(*tmp)), *a = v, *b = tmp, *t;
	size_t		 i, d, sum, c;

	for (i = 0; i < n; i++)
		for (d = 0; d < 8; d++)
			cnt[d][v[i].key >> (8 * d) & 255]++;
	for (d = 0; d < 8 && n > 1; d++) {
		if (cnt[d][v[0].key >> (8 * d) & 255] == n)
			continue;
		for (sum = 0, c = 0; c < 256; c++) {
			i = cnt[d][c];
			cnt[d][c] = sum;
			sum += i;
		}
		for (i = 0; i < n; i++)
			b[cnt[d][a[i].key >> (8 * d) & 255]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	if (a != v)
		memcpy(v, a, n * sizeof(*v));
	free(tmp);
	free(cnt);
}

/*
 * t's entries in cmp_name_ent order: a radix sort on the first eight
 * bytes of the names, then a comparison sort within each run of equal
 * prefixes (the causes of one user, or names alike that far).
 */
static struct ent **
tab_sorted_by_name(const struct tab *t, size_t *n)
{
	struct ent	**v = tab_list(t, n), **out;
	struct kidx	*k = xmalloc((*n + 1) * sizeof(*k));
	size_t		 i, j;

	for (i = 0; i < *n; i++)
		k[i] = (struct kidx){ v[i]->klen > 0 ?
		    key_prefix(v[i]->key + 1, v[i]->klen - 1) : 0, i };
	radix_sort(k, *n);
	out = xmalloc((*n + 1) * sizeof(*out));
	for (i = 0; i < *n; i++)
		out[i] = v[k[i].i];
	for (i = 0; i < *n; i = j) {
		for (j = i + 1; j < *n && k[j].key == k[i].key; j++)
			;
		if (j - i > 1)
			qsort(out + i, j - i, sizeof(*out), cmp_name_ent);
	}
	free(k);
	free(v);
	return out;
}

/*
 * Groups a (cause byte + name) table into one row per name with counts
 * per cause; rows with an empty name are skipped (events with no user).
 */
static struct entity_row *
entities(struct arena *ar, const struct tab *t, size_t *nrows, int hours)
{
	size_t		 n, i, k = 0, nc = (size_t)cause_count();
	struct ent	**v = tab_sorted_by_name(t, &n);
	struct entity_row *rows = arena_alloc(ar, (n + 2) * sizeof(*rows));

	for (i = 0; i < n; i++) {
		struct ent *e = v[i];
		if (i + 8 < n)	/* name order is not memory order */
			__builtin_prefetch(v[i + 8]);
		if (e->klen <= 1)
			continue;
		if (k == 0 || e->klen != v[i - 1]->klen ||
		    memcmp(e->key + 1, v[i - 1]->key + 1, e->klen - 1) != 0 ||
		    v[i - 1]->klen <= 1) {
			struct entity_row *r = &rows[k++];
			r->by_cause = arena_alloc(ar, nc * sizeof(uint64_t));
			if (hours)
				memcpy(&r->start, e->key + 1, sizeof(r->start));
			else
				r->name = e->key + 1;
		}
		rows[k - 1].by_cause[(unsigned char)e->key[0]] += e->n;
		rows[k - 1].events += e->n;
	}
	free(v);
	if (t->other_n > 0 && !hours) {
		struct entity_row *r = &rows[k++];
		r->name = other_name;
		r->by_cause = arena_alloc(ar, nc * sizeof(uint64_t));
		for (i = 0; i < nc; i++)
			r->events += r->by_cause[i] = t->other_by[i];
	}
	*nrows = k;
	return rows;
}

/*
 * Sorts rows by events, descending. entities() made them in name order
 * with (other) last, so equal counts keep that order (the sort is
 * stable): by name, (other) last. Small (key, index) pairs move, not rows.
 */
static void
rows_by_count(struct entity_row *rows, size_t n)
{
	struct kidx	*k = xmalloc((n + 1) * sizeof(*k));
	struct entity_row *tmp = xmalloc((n + 1) * sizeof(*tmp));
	size_t		 i;

	for (i = 0; i < n; i++)
		k[i] = (struct kidx){ ~rows[i].events, i };
	radix_sort(k, n);
	for (i = 0; i < n; i++)
		tmp[i] = rows[k[i].i];
	if (n > 0)
		memcpy(rows, tmp, n * sizeof(*rows));
	free(tmp);
	free(k);
}

static int
cmp_hour(const void *x, const void *y)
{
	const struct entity_row *a = x, *b = y;

	return (a->start > b->start) - (a->start < b->start);
}

#define TOP_SELECT	64	/* up to this many rows: selection, not a sort */

/* Puts e into b, the best *k (at most top) so far by count, then name. */
static void
top_insert(struct ent **b, size_t *k, size_t top, struct ent *e)
{
	size_t	 j;

	if (*k == top && cmp_count_ent(&e, &b[top - 1]) >= 0)
		return;
	j = *k < top ? (*k)++ : top - 1;
	for (; j > 0 && cmp_count_ent(&e, &b[j - 1]) < 0; j--)
		b[j] = b[j - 1];
	b[j] = e;
}

static void
top_add(struct cause_row *row, const struct ent *e)
{
	row->top[row->ntop].user = e->key + 1;
	row->top[row->ntop++].n = e->n;
}

/*
 * The users of each cause and its top ones, by count then name. Up to
 * TOP_SELECT rows, one pass over the (cause, user) table keeps the best
 * so far of every cause instead of sorting the whole table by count.
 */
static void
build_causes(struct result_mem *m, struct agg *a, size_t top)
{
	struct result	*r = &m->r;
	size_t		 n, i, c, nc = (size_t)cause_count();
	size_t		 per = top <= TOP_SELECT ? top : 0;
	size_t		*k = xcalloc(nc, sizeof(*k));
	uint64_t	*users = xcalloc(nc, sizeof(*users));
	struct ent	**v = tab_list(&a->users, &n), *e;
	struct ent	**best = xmalloc((nc * per + 1) * sizeof(*best));
	struct cause_row *row;

	if (per == 0)
		qsort(v, n, sizeof(*v), cmp_count_ent);
	for (i = 0; i < n; i++) {
		if (i + 8 < n)	/* table order is not memory order */
			__builtin_prefetch(v[i + 8]);
		if ((e = v[i])->klen <= 1)
			continue;
		c = (unsigned char)e->key[0];
		users[c]++;
		if (per > 0)
			top_insert(best + c * per, &k[c], per, e);
	}
	r->causes = arena_alloc(&m->ar, nc * sizeof(*r->causes));
	for (c = 0; c < nc; c++) {
		if (a->cause_n[c] == 0)
			continue;
		row = &r->causes[r->ncauses++];
		row->cause = (int)c;
		row->events = a->cause_n[c];
		row->users = users[c];
		row->top = arena_alloc(&m->ar, top * sizeof(*row->top));
		if (per > 0)		/* selected */
			for (i = 0; i < k[c]; i++)
				top_add(row, best[c * per + i]);
		else			/* sorted: the first of cause c */
			for (i = 0; i < n && row->ntop < top; i++)
				if ((unsigned char)v[i]->key[0] == c &&
				    v[i]->klen > 1)
					top_add(row, v[i]);
	}
	free(best);
	free(users);
	free(k);
	free(v);
}

int
result_cmp_cause(const void *x, const void *y)
{
	const struct cause_row *a = x, *b = y;

	if (a->events != b->events)
		return a->events < b->events ? 1 : -1;
	return strcmp(cause_get(a->cause)->id, cause_get(b->cause)->id);
}

static void
build_codes(struct result_mem *m, struct agg *a)
{
	struct result	*r = &m->r;
	size_t		 n, i;
	struct ent	**v = tab_list(&a->codes, &n);

	qsort(v, n, sizeof(*v), cmp_count_ent);
	r->codes = arena_alloc(&m->ar, (n + 1) * sizeof(*r->codes));
	for (i = 0; i < n; i++) {
		struct code_row	*c = &r->codes[i];
		const char	*k = v[i]->key;
		memcpy(c->code, k, sizeof(c->code));
		k += sizeof(c->code);
		memcpy(c->enh, k, sizeof(c->enh));
		k += sizeof(c->enh);
		memcpy(c->resp, k, sizeof(c->resp));
		k += sizeof(c->resp);
		c->proto = (unsigned char)k[0];
		c->cause = (unsigned char)k[1];
		c->events = v[i]->n;
	}
	r->ncodes = n;
	free(v);
}

static void
build_templates(struct result_mem *m, struct agg *a)
{
	struct result	*r = &m->r;
	size_t		 n, i;
	struct ent	**v = tab_list(&a->pop3, &n);

	qsort(v, n, sizeof(*v), cmp_count_ent);
	r->pop3 = arena_alloc(&m->ar, (n + 1) * sizeof(*r->pop3));
	for (i = 0; i < n; i++) {
		r->pop3[i].reply = v[i]->key;
		r->pop3[i].cause = (unsigned char)v[i]->key[v[i]->klen - 1];
		r->pop3[i].events = v[i]->n;
	}
	r->npop3 = n;
	free(v);
	v = tab_list(&a->uncl, &n);
	qsort(v, n, sizeof(*v), cmp_count_ent);
	r->unclassified = arena_alloc(&m->ar, (n + 2) * sizeof(*r->unclassified));
	for (i = 0; i < n; i++) {
		r->unclassified[i].tmpl = v[i]->key;
		r->unclassified[i].example = v[i]->ex;
		r->unclassified[i].events = v[i]->n;
	}
	free(v);
	if (a->uncl.other_n > 0) {
		/* after every kept template: they are all counted exactly */
		r->unclassified[n].tmpl = other_name;
		r->unclassified[n].example = "";
		r->unclassified[n++].events = a->uncl.other_n;
	}
	r->nunclassified = n;
}

static void
build_folds(struct result *r, const struct agg *a)
{
	r->folded_users = a->users.other_n;
	r->folded_hosts = a->hosts.other_n;
	r->folded_hours = a->hours.other_n;
	r->folded_codes = a->codes.other_n;
	r->folded_pop3 = a->pop3.other_n;
	r->folded_unclassified = a->uncl.other_n;
	r->join_unresolved = a->join_unresolved;
	r->join_dropped = a->verdicts.other_n;
	r->join_evicted = a->join_evicted;
	r->join_paired = a->join_paired;
	r->max_keys = a->users.max;
}

struct result *
agg_result(struct agg *a, size_t top)
{
	struct result_mem	*m = xcalloc(1, sizeof(*m));
	struct result		*r = &m->r;
	size_t			 n;

	arena_init(&m->ar);
	r->top = top;
	r->events = a->events;
	r->first = r->last = T_NONE;
	build_causes(m, a, top ? top : 10);
	qsort(r->causes, r->ncauses, sizeof(*r->causes), result_cmp_cause);
	build_codes(m, a);
	build_templates(m, a);
	build_folds(r, a);
	r->users = entities(&m->ar, &a->users, &n, 0);
	rows_by_count(r->users, n);
	r->nusers = n - (a->users.other_n > 0);	/* distinct names kept */
	r->nusers_shown = top && top < n ? top : n;
	r->hosts = entities(&m->ar, &a->hosts, &n, 0);
	rows_by_count(r->hosts, n);
	r->nhosts = n - (a->hosts.other_n > 0);
	r->nhosts_shown = top && top < n ? top : n;
	r->hours = entities(&m->ar, &a->hours, &r->nhours, 1);
	qsort(r->hours, r->nhours, sizeof(*r->hours), cmp_hour);
	agg_traffic_wait(a);	/* last: agg_finish's thread ran beside */
	join_traffic(a);
	traffic_result(a->traffic, &r->traffic, &m->ar, top);
	return r;
}

void
result_free(struct result *r)
{
	struct result_mem	*m = (struct result_mem *)r;

	if (m == NULL)
		return;
	arena_release(&m->ar);
	free(m);
}
