/*
 * The cold keyed table (keytab.h): a probe compares the stored hash
 * before the key bytes, and growing moves the entries without hashing
 * them again.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/hash.h"
#include "mxtally/keytab.h"
#include "mxtally/log.h"

#define KEYTAB_MIN	64	/* slots of a table's first array */

void
keytab_release(struct keytab *t)
{
	size_t	 i;

	for (i = 0; i < t->cap; i++)
		free(t->slot[i].key);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* The slot of key: its entry, or the free slot where it would go. */
static size_t
probe(const struct keytab *t, const char *key, size_t klen, uint64_t h)
{
	size_t			 i, mask = t->cap - 1;
	const struct keytab_ent	*e;

	for (i = (size_t)h & mask; (e = &t->slot[i])->key != NULL;
	    i = (i + 1) & mask)
		if (e->hash == h && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			break;
	return i;
}

struct keytab_ent *
keytab_find(const struct keytab *t, const char *key, size_t klen)
{
	size_t	 i;

	if (t->cap == 0)
		return NULL;
	i = probe(t, key, klen, hash_fnv(HASH_FNV_INIT, key, klen));
	return t->slot[i].key != NULL ? &t->slot[i] : NULL;
}

/* Moves the entries of old[0..oldcap) into a new array of cap slots. */
static void
rehash(struct keytab *t, struct keytab_ent *old, size_t oldcap, size_t cap)
{
	size_t	 i, j;

	t->cap = cap;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		for (j = (size_t)old[i].hash & (t->cap - 1);
		    t->slot[j].key != NULL; j = (j + 1) & (t->cap - 1))
			;
		t->slot[j] = old[i];
	}
	free(old);
}

static void
grow(struct keytab *t)
{
	rehash(t, t->slot, t->cap, t->cap ? t->cap * 2 : KEYTAB_MIN);
}

void
keytab_filter(struct keytab *t, int (*keep)(struct keytab_ent *, void *),
    void *arg)
{
	size_t	 i, cap = KEYTAB_MIN;

	for (i = 0; i < t->cap; i++) {
		if (t->slot[i].key == NULL || keep(&t->slot[i], arg))
			continue;
		free(t->slot[i].key);
		t->slot[i].key = NULL;
		t->len--;
	}
	if (t->len == 0) {
		keytab_release(t);
		return;
	}
	while (2 * (t->len + 1) > cap)
		cap *= 2;
	rehash(t, t->slot, t->cap, cap);
}

struct keytab_ent *
keytab_add(struct keytab *t, const char *key, size_t klen, int *isnew)
{
	uint64_t		 h = hash_fnv(HASH_FNV_INIT, key, klen);
	struct keytab_ent	*e;

	if (2 * (t->len + 1) > t->cap)
		grow(t);
	e = &t->slot[probe(t, key, klen, h)];
	if (isnew != NULL)
		*isnew = e->key == NULL;
	if (e->key != NULL)
		return e;
	e->key = xmalloc(klen + 1);
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	e->klen = klen;
	e->hash = h;
	e->val = 0;
	t->len++;
	return e;
}
