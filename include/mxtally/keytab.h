/*
 * The keyed table of every table off the per-line path (the hot agg
 * tables stay specialised in agg/tab.c and agg/traffic.c): byte-string
 * keys to a 64-bit value of the caller's, open addressing with linear
 * probing over a power-of-two array grown at half full, hashed with
 * hash_fnv. The table copies each key it keeps (NUL-terminated, so it
 * may be used as a string) and frees it on release.
 */
#ifndef MXTALLY_KEYTAB_H
#define MXTALLY_KEYTAB_H

#include <stddef.h>
#include <stdint.h>

struct keytab_ent {
	char		*key;		/* the table's copy; NULL: a free slot */
	size_t		 klen;
	uint64_t	 hash;		/* hash_fnv of the key */
	uint64_t	 val;		/* the caller's, 0 when added */
};

struct keytab {
	struct keytab_ent *slot;	/* cap of them; iterate over key != NULL */
	size_t		 cap, len;	/* cap 0 (all zero): empty, no memory */
};

void keytab_release(struct keytab *t);

/* The entry of key[0..klen), or NULL. Valid until the next add. */
struct keytab_ent *keytab_find(const struct keytab *t, const char *key,
    size_t klen);

/*
 * The entry of key[0..klen), added (copied, val 0) when absent; *isnew
 * (may be NULL) says which. Valid until the next add.
 */
struct keytab_ent *keytab_add(struct keytab *t, const char *key, size_t klen,
    int *isnew);

/*
 * Calls keep(e, arg) on every entry, in slot order; drops those it
 * returns 0 for (their keys freed; the values are the caller's, to free
 * in keep) and fits the array to the entries left.
 */
void keytab_filter(struct keytab *t, int (*keep)(struct keytab_ent *, void *),
    void *arg);

#endif
