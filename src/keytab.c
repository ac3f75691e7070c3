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

static void
grow(struct keytab *t)
{
	struct keytab_ent	*old = t->slot;
	size_t			 oldcap = t->cap, i, j;

	t->cap = oldcap ? oldcap * 2 : KEYTAB_MIN;
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
