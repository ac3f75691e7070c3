/*
 * The agg tables' hash and key compare (agg_int.h, tab.c), against
 * plain definitions: tab_hash reads its last (< 8) bytes without a
 * variable-length copy and key_eq compares eight bytes a step, and both
 * must give what the definitions give for every length and position.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "../src/agg/agg_int.h"

/* tab_hash as defined: words of 8 bytes, then the rest zero-padded. */
static uint64_t
hash_def(const void *key, size_t len)
{
	const unsigned char	*p = key;
	uint64_t		 h = 0x9e3779b97f4a7c15ULL ^ len, w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, p, len);
	h = (h ^ w) * 0x94d049bb133111ebULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

/* every length 0..64 at every offset 0..7 in a buffer of varied bytes */
Test(tab, hash_every_length, .timeout = 5)
{
	unsigned char	 buf[80];
	size_t		 i, len, off;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	for (off = 0; off < 8; off++)
		for (len = 0; len <= 64; len++)
			cr_assert_eq(tab_hash(buf + off, len),
			    hash_def(buf + off, len), "len %zu off %zu", len, off);
}

/* one length's tail differs from another's: no byte of the key is lost */
Test(tab, hash_sees_each_byte, .timeout = 5)
{
	char	 a[24], b[24];
	size_t	 len, i;

	for (len = 1; len <= sizeof(a); len++)
		for (i = 0; i < len; i++) {
			memset(a, 'x', sizeof(a));
			memcpy(b, a, sizeof(b));
			b[i] = 'y';
			cr_assert_neq(tab_hash(a, len), tab_hash(b, len),
			    "len %zu byte %zu", len, i);
		}
}

/* key_eq is memcmp(...) == 0 for every length and a difference anywhere */
Test(tab, key_eq_every_length, .timeout = 5)
{
	char	 a[48], b[48];
	size_t	 len, i;

	for (len = 0; len <= 40; len++) {
		memset(a, 'k', sizeof(a));
		memcpy(b, a, sizeof(b));
		cr_assert(key_eq(a, b, len), "equal, len %zu", len);
		for (i = 0; i < len; i++) {
			b[i] = 'K';
			cr_assert(!key_eq(a, b, len), "len %zu byte %zu", len, i);
			b[i] = 'k';
		}
		b[len] = 'K';	/* past the key: not compared */
		cr_assert(key_eq(a, b, len), "len %zu, byte after", len);
	}
}
