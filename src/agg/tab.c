/*
 * The arena and the hash table of the agg stage. Linear probing over a
 * power-of-two array of (hash, entry) slots, grown at 50% load: a probe
 * reads an entry only when the hash matches, and growth never rehashes
 * keys. Each table has its own arena, so folding (the key cap) can
 * rebuild it and give memory back.
 *
 * Folding by hash (tables without spill; fold.c has the other way).
 * Why it is the same for any split of the input: let K(h) be the
 * keys of a set D that a threshold h keeps. The thresholds form one
 * sequence UINT64_MAX >> k, and |D & K(h)| only grows with D and with h.
 * tab_count lowers h one step only while the table holds more than max
 * keys, so after any sequence of additions h is the highest threshold,
 * at or below the one it started from, that keeps at most max of the keys
 * seen. A thread sees a subset of D, so its h is at or above the final h
 * for all of D; merging starts from the lowest thread threshold and lowers
 * further while needed, ending at the same h as a single thread would.
 * Every key kept at the end was kept everywhere, so its count is exact,
 * and other_n holds exactly the rest.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/log.h"
#include "agg_int.h"

#define BLOCK_MIN	(1u << 20)

struct arena_block {
	struct arena_block *next;
	size_t		 cap;
	char		 data[];
};

void
arena_init(struct arena *ar)
{
	memset(ar, 0, sizeof(*ar));
}

static void
blocks_free(struct arena_block *b)
{
	struct arena_block	*next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

void
arena_release(struct arena *ar)
{
	blocks_free(ar->head);
	blocks_free(ar->spare);
	memset(ar, 0, sizeof(*ar));
}

/* n bytes rounded up to 8, not zeroed: the caller writes them all. */
static void *
arena_raw(struct arena *ar, size_t n)
{
	struct arena_block	*b;
	size_t			 size;
	void			*p;

	if (ar->head == NULL || ar->used + n > ar->cap) {
		if ((b = ar->spare) != NULL && b->cap >= n)
			ar->spare = b->next;
		else {
			size = n > BLOCK_MIN ? n : BLOCK_MIN;
			b = xmalloc(sizeof(*b) + size);
			b->cap = size;
		}
		b->next = ar->head;
		ar->head = b;
		ar->used = 0;
		ar->cap = b->cap;
	}
	p = ar->head->data + ar->used;
	ar->used += n;
	return p;
}

void *
arena_alloc(struct arena *ar, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	return memset(arena_raw(ar, n), 0, n);
}

/*
 * Moves every block to the spare list, where arena_alloc takes them
 * before asking the system: a table that fills and empties again (a
 * spill, a chunk) reuses its memory instead of freeing and faulting it
 * back in.
 */
void
arena_reset(struct arena *ar)
{
	struct arena_block	*b, *next;

	for (b = ar->head; b != NULL; b = next) {
		next = b->next;
		b->next = ar->spare;
		ar->spare = b;
	}
	ar->head = NULL;
	ar->used = ar->cap = 0;
}

/*
 * Moves from's blocks, and what they hold, into into; from ends empty.
 * They go behind into's head block, which keeps taking allocations.
 */
void
arena_take(struct arena *into, struct arena *from)
{
	struct arena_block	*b, *next, **at;

	at = into->head != NULL ? &into->head->next : &into->head;
	for (b = from->head; b != NULL; b = next) {
		next = b->next;
		b->next = *at;
		*at = b;
	}
	if (into->cap == 0 && into->head != NULL)
		into->used = into->cap = into->head->cap;	/* full */
	for (b = from->spare; b != NULL; b = next) {
		next = b->next;
		b->next = into->spare;
		into->spare = b;
	}
	arena_init(from);
}

/*
 * The copy with its NUL and the padding to 8 bytes zeroed, as
 * arena_alloc leaves it, without zeroing the bytes copied over (a
 * memset call per key showed in profiles).
 */
char *
arena_strndup(struct arena *ar, const char *s, size_t n)
{
	size_t	 size = (n + 1 + 7) & ~(size_t)7;
	char	*p = arena_raw(ar, size);

	memset(p + size - 8, 0, 8);
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t
name_escape(const char *s, size_t n, char *buf)
{
	size_t	 i;
	char	*o = buf;

	for (i = 0; i < n; i++)
		if (s[i] == '\0') {
			memcpy(o, "\\x00", 4);
			o += 4;
		} else
			*o++ = s[i];
	*o = '\0';
	return (size_t)(o - buf);
}

char *
arena_strndup_name(struct arena *ar, const char *s, size_t n)
{
	size_t	 i, m = n;
	char	*p;

	if (n == 0 || memchr(s, '\0', n) == NULL)
		return arena_strndup(ar, s, n);
	for (i = 0; i < n; i++)
		m += s[i] == '\0' ? 3 : 0;
	p = arena_alloc(ar, m + 1);
	name_escape(s, n, p);
	return p;
}

/*
 * Eight bytes at a time with a multiply-xorshift mix (splitmix64's
 * constants): the keys are short and hashed on every error line and
 * every traffic fact, where FNV's byte loop showed in profiles.
 */
uint64_t
tab_hash(const void *key, size_t len)
{
	const unsigned char	*p = key;
	uint64_t		 h = 0x9e3779b97f4a7c15ULL ^ len, w;
	uint32_t		 lo, hi;
	int			 whole = len >= 8;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	/*
	 * w: the last len (< 8) bytes as memcpy leaves them, zero above, read
	 * without a memcpy call of a variable length: as the end of the
	 * last eight bytes of a key of eight or more, else as two
	 * overlapping four-byte loads, else byte by byte.
	 */
	if (len == 0)
		w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	else if (whole) {
		memcpy(&w, p + len - 8, 8);
		w >>= 8 * (8 - len);
	} else if (len >= 4) {
		memcpy(&lo, p, 4);
		memcpy(&hi, p + len - 4, 4);
		w = (uint64_t)lo | (uint64_t)hi << (8 * (len - 4));
	} else
		w = (uint64_t)p[0] | (uint64_t)p[len / 2] << (8 * (len / 2)) |
		    (uint64_t)p[len - 1] << (8 * (len - 1));
#else
	else {
		w = 0;
		memcpy(&w, p, len);
	}
#endif
	h = (h ^ w) * 0x94d049bb133111ebULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

uint64_t
key_prefix(const char *key, size_t len)
{
	const unsigned char *p = (const unsigned char *)key;
	uint64_t	 x = 0;
	size_t		 i;

	for (i = 0; i < 8; i++)
		x = x << 8 | (i < len ? p[i] : 0);
	return x;
}

void
tab_init(struct tab *t)
{
	memset(t, 0, sizeof(*t));
	t->cap = 64;
	t->hmax = UINT64_MAX;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	arena_init(&t->ar);
	fold_init(&t->sp, 0);		/* aux: the example's position */
}

void
tab_release(struct tab *t)
{
	spill_release(&t->sp);
	free(t->slot);
	arena_release(&t->ar);
	t->slot = NULL;
	t->cap = t->len = 0;
}

/* Puts e in the first free slot from its home (no key compare). */
static void
tab_place(struct tab *t, struct ent *e)
{
	size_t	 j;

	for (j = e->hash & (t->cap - 1); t->slot[j].e != NULL;
	    j = (j + 1) & (t->cap - 1))
		;
	t->slot[j] = (struct eslot){ e->hash, e };
}

static void
tab_grow(struct tab *t)
{
	struct eslot	*old = t->slot;
	size_t		 oldcap = t->cap, i;

	t->cap *= 2;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < oldcap; i++)
		if (old[i].e != NULL)
			tab_place(t, old[i].e);
	free(old);
}

static size_t
tab_probe(const struct tab *t, const void *key, size_t klen, uint64_t h)
{
	const struct eslot	*s;
	size_t			 j;

	for (j = h & (t->cap - 1); (s = &t->slot[j])->e != NULL;
	    j = (j + 1) & (t->cap - 1))
		if (s->hash == h && s->e->klen == klen &&
		    key_eq(s->e->key, key, klen))
			break;
	return j;
}

struct ent *
tab_find(const struct tab *t, const void *key, size_t klen)
{
	return t->slot[tab_probe(t, key, klen, tab_hash(key, klen))].e;
}

static struct ent *
tab_insert(struct tab *t, size_t j, const void *key, size_t klen,
    uint64_t h)
{
	struct ent	*e;

	e = arena_alloc(&t->ar, sizeof(*e) + klen + 1);
	e->hash = h;
	e->klen = (uint32_t)klen;
	e->pos = UINT64_MAX;
	memcpy(e->key, key, klen);
	t->slot[j] = (struct eslot){ h, e };
	if (++t->len * 2 > t->cap)
		tab_grow(t);
	return e;
}

struct ent *
tab_get(struct tab *t, const void *key, size_t klen)
{
	uint64_t	 h = tab_hash(key, klen);
	size_t		 j = tab_probe(t, key, klen, h);

	if (t->slot[j].e != NULL)
		return t->slot[j].e;
	return tab_insert(t, j, key, klen, h);
}

static int
tab_keeps(const struct tab *t, uint64_t h, size_t klen)
{
	return h <= t->hmax || klen <= 1;
}

static void
tab_fold_ent(struct tab *t, const char *key, size_t klen, uint64_t n)
{
	t->other_n += n;
	t->other_by[klen > 0 ? (unsigned char)key[0] : 0] += n;
}

/* Rebuilds t in a fresh arena with the keys hmax keeps. */
void
tab_fold_to(struct tab *t, uint64_t hmax)
{
	struct eslot	*old = t->slot;
	struct ent	*e, *d;
	struct arena	 oldar = t->ar;
	size_t		 i;

	if (hmax >= t->hmax)
		return;
	t->hmax = hmax;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	t->len = 0;
	arena_init(&t->ar);
	for (i = 0; i < t->cap; i++) {
		if ((e = old[i].e) == NULL)
			continue;
		if (!tab_keeps(t, e->hash, e->klen)) {
			tab_fold_ent(t, e->key, e->klen, e->n);
			continue;
		}
		d = arena_alloc(&t->ar, sizeof(*d) + e->klen + 1);
		memcpy(d, e, sizeof(*d) + e->klen + 1);
		if (e->ex != NULL)
			d->ex = arena_strndup(&t->ar, e->ex, strlen(e->ex));
		tab_place(t, d);
		t->len++;
	}
	free(old);
	arena_release(&oldar);
}

/* t's entries as spill records (aux: the example's position). */
static struct srec *
tab_srecs(const struct tab *t, size_t *n)
{
	struct srec	*v = xmalloc((t->len + 1) * sizeof(*v));
	struct ent	*e;
	size_t		 i, k = 0;

	for (i = 0; i < t->cap; i++)
		if ((e = t->slot[i].e) != NULL)
			v[k++] = (struct srec){ .n = e->n, .aux = e->pos,
			    .key = e->key, .ex = e->ex, .klen = e->klen };
	*n = k;
	return v;
}

/* Writes t's entries to a sorted run and empties t; or keeps them. */
static void
tab_spill(struct tab *t)
{
	size_t		 n;
	struct srec	*v = tab_srecs(t, &n);
	int		 rc = fold_write(&t->sp, v, n);

	free(v);
	if (rc == 0) {
		memset(t->slot, 0, t->cap * sizeof(*t->slot));
		t->len = 0;
		arena_reset(&t->ar);
	}
}

static void
tab_fold_srec(void *ctx, const struct srec *r)
{
	tab_fold_ent(ctx, r->key, r->klen, r->n);
}

void
tab_settle(struct tab *t)
{
	struct srec	*v, *kept;
	struct ent	*e;
	size_t		 nv, nkept, i;

	if (t->max == 0 || (t->sp.nruns == 0 && t->len <= t->max))
		return;
	v = tab_srecs(t, &nv);
	fold_pick(&t->sp, v, nv, t->max, tab_fold_srec, t, &kept, &nkept);
	free(v);
	/* the kept keys are copies: refill the emptied table with them */
	memset(t->slot, 0, t->cap * sizeof(*t->slot));
	t->len = 0;
	arena_reset(&t->ar);
	for (i = 0; i < nkept; i++) {
		e = tab_get(t, kept[i].key, kept[i].klen);
		e->n = kept[i].n;
		e->pos = kept[i].aux;
		if (kept[i].ex != NULL)
			e->ex = arena_strndup(&t->ar, kept[i].ex,
			    strlen(kept[i].ex));
	}
	fold_kept_free(kept, nkept);
}

struct ent *
tab_count(struct tab *t, const void *key, size_t klen, uint64_t n)
{
	uint64_t	 h = tab_hash(key, klen);
	struct ent	*e;

	if (!tab_keeps(t, h, klen))
		goto fold;
	if ((e = t->slot[tab_probe(t, key, klen, h)].e) == NULL) {
		if (t->spill && t->max != 0 && t->len >= t->max &&
		    !t->sp.failed)
			tab_spill(t);
		/* insertion may grow the table: j is stale afterwards */
		e = tab_insert(t, tab_probe(t, key, klen, h), key, klen, h);
		if (!t->spill && t->max != 0 && t->len > t->max) {
			while (t->len > t->max && t->hmax > 0)
				tab_fold_to(t, t->hmax >> 1);
			if (!tab_keeps(t, h, klen))
				goto fold;
			e = t->slot[tab_probe(t, key, klen, h)].e;
		}
	}
	e->n += n;
	return e;
fold:
	tab_fold_ent(t, key, klen, n);
	return NULL;
}
