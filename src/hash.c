/*
 * 64-bit FNV-1a (hash.h), the hash of the tables that are not per-line
 * and of the keys kept in state files and the history database.
 */
#include "mxtally/hash.h"

#define FNV_PRIME	0x100000001b3ULL

uint64_t
hash_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*s = p;

	while (n-- > 0)
		h = (h ^ *s++) * FNV_PRIME;
	return h;
}
