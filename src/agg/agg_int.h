/*
 * Stage-private: the arena and the open-addressing hash table the agg
 * tables are made of. Keys are byte strings copied into the arena with
 * their entry in one allocation (OpenSMTPD's dict_alloc).
 */
#ifndef MXTALLY_AGG_INT_H
#define MXTALLY_AGG_INT_H

#include <stddef.h>
#include <stdint.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t		 used, cap;	/* in the head block */
	size_t		 total;		/* bytes allocated from the system */
};

void arena_init(struct arena *ar);
void arena_release(struct arena *ar);
void *arena_alloc(struct arena *ar, size_t n);	/* 8-byte aligned, zeroed */
char *arena_strndup(struct arena *ar, const char *s, size_t n);

struct ent {
	uint64_t	 hash;
	uint64_t	 n;		/* count */
	uint64_t	 pos;		/* input position of the example */
	const char	*ex;		/* example text, or NULL */
	uint32_t	 klen;
	char		 key[];		/* klen bytes, then a NUL */
};

struct tab {
	struct ent	**slot;
	size_t		 cap;		/* power of two */
	size_t		 len;
	struct arena	*ar;
};

void tab_init(struct tab *t, struct arena *ar);
void tab_release(struct tab *t);

/* Finds key, adding a zero entry when absent. Copies key. */
struct ent *tab_get(struct tab *t, const void *key, size_t klen);

/* Finds key without adding; NULL when absent. */
struct ent *tab_find(const struct tab *t, const void *key, size_t klen);

uint64_t tab_hash(const void *key, size_t len);

/* The agg itself; shared by agg.c and result.c. */
#include "mxtally/cause.h"
#include "mxtally/event.h"

#define KEY_MAX		512	/* bytes of a user, host or template kept */
#define EXAMPLE_MAX	512

struct pending {			/* a login failure awaiting its verdict */
	struct pending	*next;
	struct event	 ev;		/* slices point into the arena */
	uint64_t	 pos;
};

struct agg {
	struct arena	 ar;
	uint64_t	 cause_n[CAUSE_MAX];
	uint64_t	 events;
	struct tab	 users;		/* cause byte + user */
	struct tab	 hosts;		/* cause byte + host */
	struct tab	 hours;		/* cause byte + int64 hour start */
	struct tab	 codes;		/* code, enh, resp, proto, cause */
	struct tab	 pop3;		/* reply template, NUL, cause byte */
	struct tab	 uncl;		/* template, with example */
	struct tab	 verdicts;	/* session ids the auth said are unknown */
	struct pending	*pend;
	char		 key[KEY_MAX + 64];
};

#endif
