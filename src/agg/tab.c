/*
 * The arena and the hash table of the agg stage. Linear probing over a
 * power-of-two array of entry pointers, grown at 50% load; the hash is
 * kept in the entry so growth never rehashes keys.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/log.h"
#include "agg_int.h"

#define BLOCK_MIN	(1u << 20)

struct arena_block {
	struct arena_block *next;
	char		 data[];
};

void
arena_init(struct arena *ar)
{
	memset(ar, 0, sizeof(*ar));
}

void
arena_release(struct arena *ar)
{
	struct arena_block	*b, *next;

	for (b = ar->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	memset(ar, 0, sizeof(*ar));
}

void *
arena_alloc(struct arena *ar, size_t n)
{
	struct arena_block	*b;
	size_t			 size;
	void			*p;

	n = (n + 7) & ~(size_t)7;
	if (ar->head == NULL || ar->used + n > ar->cap) {
		size = n > BLOCK_MIN ? n : BLOCK_MIN;
		b = xmalloc(sizeof(*b) + size);
		b->next = ar->head;
		ar->head = b;
		ar->used = 0;
		ar->cap = size;
		ar->total += size;
	}
	p = ar->head->data + ar->used;
	ar->used += n;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *ar, const char *s, size_t n)
{
	char	*p = arena_alloc(ar, n + 1);

	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

uint64_t
tab_hash(const void *key, size_t len)
{
	const unsigned char	*p = key;
	uint64_t		 h = 0xcbf29ce484222325ULL;
	size_t			 i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

void
tab_init(struct tab *t, struct arena *ar)
{
	t->cap = 64;
	t->len = 0;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	t->ar = ar;
}

void
tab_release(struct tab *t)
{
	free(t->slot);
	t->slot = NULL;
	t->cap = t->len = 0;
}

static void
tab_grow(struct tab *t)
{
	struct ent	**old = t->slot;
	size_t		 oldcap = t->cap, i, j;

	t->cap *= 2;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < oldcap; i++) {
		if (old[i] == NULL)
			continue;
		for (j = old[i]->hash & (t->cap - 1); t->slot[j] != NULL;
		    j = (j + 1) & (t->cap - 1))
			;
		t->slot[j] = old[i];
	}
	free(old);
}

static size_t
tab_probe(const struct tab *t, const void *key, size_t klen, uint64_t h)
{
	size_t		 j;
	struct ent	*e;

	for (j = h & (t->cap - 1); (e = t->slot[j]) != NULL;
	    j = (j + 1) & (t->cap - 1))
		if (e->hash == h && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			break;
	return j;
}

struct ent *
tab_find(const struct tab *t, const void *key, size_t klen)
{
	return t->slot[tab_probe(t, key, klen, tab_hash(key, klen))];
}

struct ent *
tab_get(struct tab *t, const void *key, size_t klen)
{
	uint64_t	 h = tab_hash(key, klen);
	size_t		 j = tab_probe(t, key, klen, h);
	struct ent	*e;

	if (t->slot[j] != NULL)
		return t->slot[j];
	e = arena_alloc(t->ar, sizeof(*e) + klen + 1);
	e->hash = h;
	e->klen = (uint32_t)klen;
	e->pos = UINT64_MAX;
	memcpy(e->key, key, klen);
	t->slot[j] = e;
	if (++t->len * 2 > t->cap)
		tab_grow(t);
	return e;
}
