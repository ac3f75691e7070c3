/*
 * The one string hash of every table off the hot path (the hot agg
 * tables use tab_hash, agg_int.h): 64-bit FNV-1a. Its values are kept
 * in files (the --state input keys, the history database's run keys),
 * so it never changes.
 */
#ifndef MXTALLY_HASH_H
#define MXTALLY_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_INIT	0xcbf29ce484222325ULL	/* FNV-1a's offset basis */

/* FNV-1a of p[0..n) continued from h (HASH_FNV_INIT for a new hash). */
uint64_t hash_fnv(uint64_t h, const void *p, size_t n);

#endif
