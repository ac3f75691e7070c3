/*
 * From the merged agg to the sorted result the writers walk. This is the
 * one place where output order is decided: by count descending, then by
 * key ascending (bytes), timeline by time. Nothing here depends on how
 * the input was split over threads.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "mxtally/order.h"
#include "agg_int.h"

struct result_mem {
	struct result	 r;
	struct arena	 ar;
	struct wmem	*wmem;		/* result_clients' */
};

/* the name of folded keys' row, made last by entities() */
static const char other_name[] = "(other)";

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

	return order_count_bytes(a->n, a->key, a->klen, b->n, b->key, b->klen);
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

/*
 * See agg_int.h. One pass counts all eight bytes; a byte that is the
 * same in every key costs no pass.
 */
void
kidx_sort(struct kidx *v, size_t n)
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
	kidx_sort(k, *n);
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
 * A key's name as every writer, the merge and the history get it:
 * key[0..len) itself (tables keep keys NUL-terminated), unless it holds
 * a NUL byte: then a copy with "\x00" for each (arena_strndup_name).
 */
static const char *
key_name(struct arena *ar, const char *key, size_t len)
{
	if (memchr(key, '\0', len) == NULL)
		return key;
	return arena_strndup_name(ar, key, len);
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
				r->name = key_name(ar, e->key + 1,
				    e->klen - 1);
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
	kidx_sort(k, n);
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

	return order_time(a->start, b->start);
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
top_add(struct arena *ar, struct cause_row *row, const struct ent *e)
{
	row->top[row->ntop].user = key_name(ar, e->key + 1, e->klen - 1);
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
				top_add(&m->ar, row, best[c * per + i]);
		else			/* sorted: the first of cause c */
			for (i = 0; i < n && row->ntop < top; i++)
				if ((unsigned char)v[i]->key[0] == c &&
				    v[i]->klen > 1)
					top_add(&m->ar, row, v[i]);
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

	return order_count_name(a->events, cause_get(a->cause)->id, b->events,
	    cause_get(b->cause)->id);
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

static int
cmp_where_row(const void *x, const void *y)
{
	const struct where_row *a = x, *b = y;

	return order_count_other(a->events, a->name, a->name == other_name,
	    b->events, b->name, b->name == other_name);
}

/*
 * A (cause byte + name) table as where rows, one per name with counts
 * per cause and the example of lowest position as note; by count, then
 * name, "(other)" last among equals. With urgent (same keys): each
 * row's urgent count, and as reply the example of its last cause there.
 */
static struct where_row *
where_rows(struct arena *ar, const struct tab *t, const struct tab *urgent,
    size_t *nrows)
{
	size_t		 n, i, k = 0, nc = (size_t)cause_count();
	struct ent	**v = tab_sorted_by_name(t, &n), *e, *u;
	struct where_row *rows = arena_alloc(ar, (n + 2) * sizeof(*rows));
	uint64_t	 expos = UINT64_MAX;

	for (i = 0; i < n; i++) {
		if ((e = v[i])->klen <= 1)
			continue;
		if (k == 0 || e->klen != v[i - 1]->klen ||
		    memcmp(e->key + 1, v[i - 1]->key + 1, e->klen - 1) != 0 ||
		    v[i - 1]->klen <= 1) {
			rows[k].by_cause = arena_alloc(ar, nc * sizeof(uint64_t));
			rows[k++].name = key_name(ar, e->key + 1, e->klen - 1);
			expos = UINT64_MAX;
		}
		rows[k - 1].by_cause[(unsigned char)e->key[0]] += e->n;
		rows[k - 1].events += e->n;
		if (e->ex != NULL && e->pos < expos) {	/* the first example */
			expos = e->pos;
			rows[k - 1].note = e->ex;
		}
		if (urgent != NULL && (u = tab_find(urgent, e->key,
		    e->klen)) != NULL) {
			rows[k - 1].urgent += u->n;
			if (u->ex != NULL)
				rows[k - 1].reply = u->ex;
		}
	}
	free(v);
	if (t->other_n > 0) {
		struct where_row *r = &rows[k++];
		r->name = other_name;
		r->by_cause = arena_alloc(ar, nc * sizeof(uint64_t));
		for (i = 0; i < nc; i++)
			r->events += r->by_cause[i] = t->other_by[i];
	}
	if (k > 1)
		qsort(rows, k, sizeof(*rows), cmp_where_row);
	*nrows = k;
	return rows;
}

/* by cause byte, then count descending, then key */
static int
cmp_cause_count(const void *x, const void *y)
{
	const struct ent *a = *(struct ent *const *)x;
	const struct ent *b = *(struct ent *const *)y;

	if (a->key[0] != b->key[0])
		return order_cause(a->key[0], b->key[0]);
	return cmp_count_ent(x, y);
}

/*
 * The network of a client address into buf: "a.b.c.0/24" for IPv4 (also
 * IPv4-mapped IPv6), "x:x:x:x::/64" for IPv6. Returns 0 when ip is not
 * an address (a client logged by name).
 */
/*
 * The length of ip up to and with its third '.' when ip is an IPv4
 * address as inet_pton reads one (four decimal parts of 0-255, no
 * leading zeros, nothing else), else 0. Such an address is written as
 * its network is, so "a.b.c." is the network's text but for "0/24".
 */
static size_t
ipv4_prefix(const char *ip)
{
	size_t		 i = 0, pre = 0;
	unsigned	 part, v, digits;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (ip[i++] != '.')
				return 0;
			if (part == 3)
				pre = i;
		}
		for (v = 0, digits = 0; (unsigned)(ip[i] - '0') <= 9; i++) {
			if (digits++ > 0 && v == 0)
				return 0;	/* a leading zero */
			if ((v = v * 10 + (unsigned)(ip[i] - '0')) > 255)
				return 0;
		}
		if (digits == 0)
			return 0;
	}
	return ip[i] == '\0' ? pre : 0;
}

MXT_STATIC int
client_network(const char *ip, char *buf, size_t len)
{
	unsigned char	 a[16];
	char		 s[INET6_ADDRSTRLEN];
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	size_t		 pre;

	if ((pre = ipv4_prefix(ip)) != 0 && pre + sizeof("0/24") <= len) {
		memcpy(buf, ip, pre);
		memcpy(buf + pre, "0/24", sizeof("0/24"));
		return 1;
	}
	if (inet_pton(AF_INET, ip, a) == 1) {	/* buf too short: cut */
		snprintf(buf, len, "%u.%u.%u.0/24", a[0], a[1], a[2]);
		return 1;
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return 0;
	if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		snprintf(buf, len, "%u.%u.%u.0/24", a[12], a[13], a[14]);
		return 1;
	}
	memset(a + 8, 0, 8);
	if (inet_ntop(AF_INET6, a, s, sizeof(s)) == NULL)
		return 0;
	snprintf(buf, len, "%s/64", s);
	return 1;
}

/* A client address (or network) and its count, for the roll-up. */
struct wmem;
struct cli {
	const char	*key;
	const char	*net;		/* NULL: not an address */
	uint64_t	 n;
	size_t		 i;		/* after rollup: addresses */
	size_t		 row;		/* the caller's row index */
	uint64_t	 nh;		/* tab_hash of net */
};

static int
cmp_cli_count(const void *x, const void *y)
{
	const struct cli *a = x, *b = y;

	return order_count_name(a->n, a->key, b->n, b->key);
}

/*
 * Rolls up v[0..n) (addresses): a network dominates when ROLLUP_ADDRS or
 * more of its addresses are in v and together they hold at least a tenth
 * of all v's events (ROLLUP_SHARE): one source spread over a few
 * addresses (a dictionary attack from five addresses of one /24), not
 * two unrelated neighbours. Each dominating network's addresses become
 * one entry keyed by the network, with its address count in *addrs of
 * that entry (addrs[i] parallel to the output), and the result is sorted
 * by count, then key (the keys differ, so the order the networks were
 * grouped in does not show). Returns the new length; the array is reused.
 * Network strings are copied into ar.
 */
#define ROLLUP_SHARE	10	/* 1/10 of the events with a client */
#define ROLLUP_ADDRS	3	/* addresses of one network, at least */

/* One network of rollup: its addresses' events and how many. */
struct net_grp {
	const char	*net;		/* NULL: a free slot */
	uint64_t	 nh;
	uint64_t	 sum;
	size_t		 addrs;
	int		 done;		/* its entry is written */
};

/* The group of c's network in g (mask + 1 slots), added if new. */
static struct net_grp *
net_grp(struct net_grp *g, size_t mask, const struct cli *c)
{
	size_t	 j;

	for (j = c->nh & mask; g[j].net != NULL; j = (j + 1) & mask)
		if (g[j].nh == c->nh && strcmp(g[j].net, c->net) == 0)
			return &g[j];
	g[j].net = c->net;
	g[j].nh = c->nh;
	return &g[j];
}

static size_t
rollup(struct cli *v, size_t n, uint64_t *addrs)
{
	uint64_t	 total = 0;
	size_t		 i, out = 0, cap = 16;
	struct net_grp	*g, *e;

	while (cap < 2 * n)
		cap <<= 1;
	g = xcalloc(cap, sizeof(*g));
	for (i = 0; i < n; i++) {
		total += v[i].n;
		if (v[i].net != NULL) {
			e = net_grp(g, cap - 1, &v[i]);
			e->sum += v[i].n;
			e->addrs++;
		}
	}
	/* out <= i: each entry is written once, over one already read */
	for (i = 0; i < n; i++) {
		e = v[i].net != NULL ? net_grp(g, cap - 1, &v[i]) : NULL;
		if (e != NULL && e->addrs >= ROLLUP_ADDRS &&
		    e->sum * ROLLUP_SHARE >= total) {
			if (!e->done)
				v[out++] = (struct cli){ v[i].net, v[i].net,
				    e->sum, e->addrs, SIZE_MAX, v[i].nh };
			e->done = 1;
			continue;
		}
		v[out] = v[i];
		v[out++].i = 1;
	}
	free(g);
	qsort(v, out, sizeof(*v), cmp_cli_count);
	for (i = 0; i < out; i++)
		if (addrs != NULL)
			addrs[i] = v[i].i;
	return out;
}

/*
 * Per cause: its direction counts, every detail (with its example) and
 * the top remotes.
 */
static void
build_cause_where(struct result_mem *m, struct agg *a, size_t top)
{
	struct result	*r = &m->r;
	struct tab	*tabs[2] = { &a->details, &a->remotes };
	size_t		 t, n, i, j, c, k, ci, nk;
	struct ent	**v;
	struct cause_where *row;
	struct key_count *kc;

	r->where = arena_alloc(&m->ar, ((size_t)cause_count() + 1) *
	    sizeof(*r->where));
	for (ci = 0; ci < r->ncauses; ci++) {
		row = &r->where[r->causes[ci].cause];
		memcpy(row->dir, a->dir_n[r->causes[ci].cause],
		    sizeof(row->dir));
		for (i = 0; i < DIR_COUNT; i++)
			r->dir[i] += row->dir[i];
	}
	for (t = 0; t < 2; t++) {
		v = tab_list(tabs[t], &n);
		qsort(v, n, sizeof(*v), cmp_cause_count);
		for (i = 0; i < n; i = j) {
			c = (unsigned char)v[i]->key[0];
			for (j = i; j < n && (unsigned char)v[j]->key[0] == c; j++)
				;
			if (c >= (size_t)cause_count() || a->cause_n[c] == 0)
				continue;
			row = &r->where[c];
			kc = arena_alloc(&m->ar, (j - i + 1) * sizeof(*kc));
			for (nk = 0, k = i; k < j && (t == 0 || nk < top); k++)
				if (v[k]->klen > 1)
					kc[nk++] = (struct key_count){
					    key_name(&m->ar, v[k]->key + 1,
					    v[k]->klen - 1), v[k]->n, v[k]->ex };
			if (t == 0) {
				row->detail = kc;
				row->ndetail = nk;
			} else {
				row->top_remotes = kc;
				row->ntop_remotes = nk;
			}
		}
		free(v);
	}
}

/* Allocations of result_clients, freed together. */
struct wmem {
	struct wmem	*next;
	max_align_t	 data[];
};

static void *
wmem_alloc(struct wmem **list, size_t n)
{
	struct wmem	*w = xcalloc(1, sizeof(*w) + n + 1);

	w->next = *list;
	*list = w;
	return w->data;
}

void
result_clients_free(struct wmem *list)
{
	struct wmem	*next;

	for (; list != NULL; list = next) {
		next = list->next;
		free(list);
	}
}

/* Strings copied into 64 KiB blocks of the list: one allocation each. */
struct wstr {
	char	*p;
	size_t	 left;
};

static char *
wmem_strdup(struct wmem **list, struct wstr *ws, const char *s)
{
	size_t	 n = strlen(s) + 1;
	char	*p;

	if (ws->left < n) {
		ws->left = n > 65536 ? n : 65536;
		ws->p = wmem_alloc(list, ws->left);
	}
	p = memcpy(ws->p, s, n);
	ws->p += n;
	ws->left -= n;
	return p;
}

/* Rolls up cl[0..n) into the key counts kc (at most top); returns how many. */
static size_t
cli_top(struct cli *cl, size_t n, struct key_count *kc, size_t top)
{
	size_t	 k, nk = rollup(cl, n, NULL);

	for (k = 0; k < nk && k < top; k++)
		kc[k] = (struct key_count){ cl[k].key, cl[k].n, NULL };
	return k;
}

void
result_clients(struct result *r, size_t n, size_t top, struct wmem **mem)
{
	struct where_row *rows = r->clients;
	size_t		 i, j, k, nv, ci, nc = (size_t)cause_count();
	size_t		 per = top ? top : 10;
	struct cli	*cl = xmalloc((n + 1) * sizeof(*cl));
	uint64_t	*addrs = xmalloc((n + 1) * sizeof(*addrs));
	uint64_t	*nh = xcalloc(n + 1, sizeof(*nh));
	char		 net[INET6_ADDRSTRLEN + 4];
	struct cause_where *row;
	struct wstr	 ws = { NULL, 0 };
	int		 c;

	for (i = 0; i < n; i++) {
		r->client_events += rows[i].events;
		rows[i].network = client_network(rows[i].name, net,
		    sizeof(net)) ? wmem_strdup(mem, &ws, net) : NULL;
		if (rows[i].network != NULL)
			nh[i] = tab_hash(net, strlen(net));
	}
	/* every cause's top clients, its networks rolled up within it */
	for (ci = 0; ci < r->ncauses; ci++) {
		c = r->causes[ci].cause;
		row = &r->where[c];
		for (i = k = 0; i < n; i++)
			if (rows[i].by_cause[c] > 0)
				cl[k++] = (struct cli){ rows[i].name,
				    rows[i].network, rows[i].by_cause[c], 0, i,
				    nh[i] };
		row->top_clients = wmem_alloc(mem, (k + 1) *
		    sizeof(*row->top_clients));
		row->ntop_clients = cli_top(cl, k, row->top_clients, per);
	}
	for (i = 0; i < n; i++)
		cl[i] = (struct cli){ rows[i].name, rows[i].network,
		    rows[i].events, i, i, nh[i] };
	nv = rollup(cl, n, addrs);
	r->client_view = wmem_alloc(mem, (nv + 1) * sizeof(*rows));
	r->networks = wmem_alloc(mem, (nv + 1) * sizeof(*rows));
	r->nnetworks = 0;
	for (i = 0; i < nv; i++) {
		struct where_row *e = &r->client_view[i];
		if (cl[i].row != SIZE_MAX) {	/* an address */
			*e = rows[cl[i].row];
			continue;
		}
		e->name = e->network = cl[i].net;
		e->addrs = addrs[i];
		e->events = cl[i].n;
		e->by_cause = wmem_alloc(mem, nc * sizeof(uint64_t));
		for (j = 0; j < n; j++)
			if (rows[j].network != NULL && nh[j] == cl[i].nh &&
			    strcmp(rows[j].network, e->network) == 0)
				for (k = 0; k < nc; k++)
					e->by_cause[k] += rows[j].by_cause[k];
		r->networks[r->nnetworks++] = *e;
	}
	r->nclient_view = top && top < nv ? top : nv;
	free(nh);
	free(addrs);
	free(cl);
}

/*
 * A part of the result that needs only the agg and what is built before
 * it starts, and writes only its own fields of r: built into its own
 * arena and allocation list (taken into the result's by part_wait) and,
 * for a merged agg, on a thread of its own beside the rest, since the
 * workers' cores are idle by then. A run with one worker stays on one
 * thread, as agg_finish's traffic half does.
 */
struct part_job {
	struct job	 job;
	struct agg	*a;
	struct result	*r;
	size_t		 top;
	struct arena	 ar;
	struct wmem	*wmem;
};

static void
part_start(struct part_job *j, void (*run)(void *), struct agg *a,
    struct result *r, size_t top)
{
	j->a = a;
	j->r = r;
	j->top = top;
	j->wmem = NULL;
	arena_init(&j->ar);
	job_start(&j->job, run, j, a->merged);
}

static void
part_wait(struct part_job *j, struct result_mem *m)
{
	struct wmem	**end = &j->wmem;

	job_wait(&j->job);
	arena_take(&m->ar, &j->ar);
	while (*end != NULL)
		end = &(*end)->next;
	*end = m->wmem;
	m->wmem = j->wmem;
}

/*
 * A part: clients by address, the dominating networks and the rolled-up
 * view, once the causes and their rows are built (a tenth of the -j2
 * serial tail on 512 MiB).
 */
static void
clients_run(void *arg)
{
	struct part_job		*j = arg;
	struct result		*r = j->r;
	size_t			 n;
	struct where_row	*rows = where_rows(&j->ar, &j->a->clients, NULL,
	    &n);

	r->clients = rows;
	r->nclients = n - (j->a->clients.other_n > 0);
	r->nclients_shown = j->top && j->top < n ? j->top : n;
	r->folded_clients = j->a->clients.other_n;
	result_clients(r, n, j->top, &j->wmem);
}

/*
 * Remote domains; the MX host and reply from the first example, the
 * reply of an urgent refusal (our IP listed) before it.
 */
static void
build_remotes(struct result_mem *m, struct agg *a, size_t top)
{
	struct result	*r = &m->r;
	size_t		 n, i;
	struct where_row *rows = where_rows(&m->ar, &a->remotes, &a->urgent,
	    &n);
	char		*tab;

	for (i = 0; i < n; i++) {
		r->remote_events += rows[i].events;
		r->urgent_events += rows[i].urgent;
		if (rows[i].note != NULL &&
		    (tab = strchr(rows[i].note, '\t')) != NULL) {
			char *h = arena_strndup(&m->ar, rows[i].note,
			    (size_t)(tab - rows[i].note));
			if (rows[i].reply == NULL)
				rows[i].reply = tab + 1;
			rows[i].note = h[0] != '\0' ? h : NULL;
		}
	}
	r->remotes = rows;
	r->nremotes = n - (a->remotes.other_n > 0);
	r->nremotes_shown = top && top < n ? top : n;
	r->folded_remotes = a->remotes.other_n;
}

/* agg_result's own memory: the arena, the client view, the struct */
static void
result_release(struct result *r)
{
	struct result_mem	*m = (struct result_mem *)r;

	arena_release(&m->ar);
	result_clients_free(m->wmem);
	free(m);
}

/*
 * The lock holders of a merged agg, found on a thread of their own from
 * agg_finish on: they need nothing the finish or the tables settle, and
 * took 60 ms of the -j2 serial tail on 512 MiB, half of it with the
 * main thread waiting for them at the end.
 */
struct lock_job {
	struct job	 job;
	struct lock_agg	*l;
	struct arena	 ar;
	struct result	 r;		/* only its lock fields */
};

static void
lock_job_run(void *arg)
{
	struct lock_job	*j = arg;

	locks_result(j->l, &j->ar, &j->r);
}

void
locks_job_start(struct agg *a)
{
	struct lock_job	*j;

	if (!a->merged)
		return;
	j = xcalloc(1, sizeof(*j));
	j->l = a->locks;
	arena_init(&j->ar);
	job_start(&j->job, lock_job_run, j, 1);
	a->locking = j;
}

void
locks_job_end(struct agg *a, struct result *r, struct arena *ar)
{
	struct lock_job	*j = a->locking;

	if (j == NULL)
		return;
	job_wait(&j->job);
	if (r != NULL) {
		r->locks = j->r.locks;
		r->nlocks = j->r.nlocks;
		r->nlocks_all = j->r.nlocks_all;
		r->nlocks_imap = j->r.nlocks_imap;
		r->locks_held = j->r.locks_held;
		r->locks_dropped = j->r.locks_dropped;
		r->lock_pairs = j->r.lock_pairs;
		r->nlock_pairs = j->r.nlock_pairs;
		arena_take(ar, &j->ar);
	}
	arena_release(&j->ar);
	free(j);
	a->locking = NULL;
}

/*
 * A part: the users table, and the lock holders (taken from agg_finish's
 * thread, or found here when it started none).
 */
static void
users_run(void *arg)
{
	struct part_job	*j = arg;
	struct result	*r = j->r;
	size_t		 n;

	r->users = entities(&j->ar, &j->a->users, &n, 0);
	rows_by_count(r->users, n);
	r->nusers = n - (j->a->users.other_n > 0);	/* distinct names kept */
	r->nusers_shown = j->top && j->top < n ? j->top : n;
	if (j->a->locking != NULL)
		locks_job_end(j->a, r, &j->ar);
	else
		locks_result(j->a->locks, &j->ar, r);
}

struct result *
agg_result(struct agg *a, size_t top)
{
	struct result_mem	*m = xcalloc(1, sizeof(*m));
	struct result		*r = &m->r;
	struct part_job		 users, clients;
	size_t			 n;

	arena_init(&m->ar);
	r->release = result_release;
	r->top = top;
	r->events = a->events;
	r->first = r->last = T_NONE;
	part_start(&users, users_run, a, r, top);
	build_causes(m, a, top ? top : 10);
	qsort(r->causes, r->ncauses, sizeof(*r->causes), result_cmp_cause);
	build_cause_where(m, a, top ? top : 10);
	part_start(&clients, clients_run, a, r, top);
	build_remotes(m, a, top);
	build_codes(m, a);
	build_templates(m, a);
	build_folds(r, a);
	r->hosts = entities(&m->ar, &a->hosts, &n, 0);
	rows_by_count(r->hosts, n);
	r->nhosts = n - (a->hosts.other_n > 0);
	r->nhosts_shown = top && top < n ? top : n;
	r->hours = entities(&m->ar, &a->hours, &r->nhours, 1);
	qsort(r->hours, r->nhours, sizeof(*r->hours), cmp_hour);
	r->space = space_result(a->space, &m->ar, &r->nspace);
	part_wait(&clients, m);
	part_wait(&users, m);
	agg_traffic_wait(a);	/* last: agg_finish's thread ran beside */
	join_traffic(a);
	traffic_result(a->traffic, &r->traffic, &m->ar, top);
	return r;
}

void
result_free(struct result *r)
{
	if (r == NULL)
		return;
	report_views_release(r);
	free(r->files);
	free(r->errors);
	free(r->warnings);
	free(r->alerts);
	r->release(r);
}
