/*
 * Unit tests of hash.c: FNV-1a against the published 64-bit test
 * vectors (the FNV authors' list: "", "a", "foobar"), continuation, and
 * the --state input key built on it, whose value is kept in state files
 * (the expected key is FNV-1a of the bytes named, computed apart).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/hash.h"
#include "mxtally/state.h"

Test(hash, fnv1a_vectors, .timeout = 5)
{
	cr_assert_eq(hash_fnv(HASH_FNV_INIT, "", 0), 0xcbf29ce484222325ULL);
	cr_assert_eq(hash_fnv(HASH_FNV_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
	cr_assert_eq(hash_fnv(HASH_FNV_INIT, "foobar", 6),
	    0x85944171f73967e8ULL);
}

Test(hash, continues_from_h, .timeout = 5)
{
	uint64_t	 h = hash_fnv(HASH_FNV_INIT, "foo", 3);

	cr_assert_eq(hash_fnv(h, "bar", 3), 0x85944171f73967e8ULL);
	cr_assert_neq(hash_fnv(HASH_FNV_INIT, "bar", 3), 0x85944171f73967e8ULL);
}

Test(hash, bytes_above_0x7f, .timeout = 5)
{
	/* each byte unsigned: "\xff" is 0xff ^ basis, then one multiply */
	uint64_t	 want = (0xcbf29ce484222325ULL ^ 0xff) * 0x100000001b3ULL;

	cr_assert_eq(hash_fnv(HASH_FNV_INIT, "\xff", 1), want);
}

Test(hash, state_key_is_fnv_of_first_data_line, .timeout = 5)
{
	const char	*p = "#Software: x\nabc\nrest\n";
	int		 complete;

	/* the header line and the first data line, newline included */
	cr_assert_eq(state_key(p, strlen(p), &complete), 0xac60c767e0e78acdULL);
	cr_assert_eq(complete, 1);
	cr_assert_eq(state_key("abc\nrest\n", 9, &complete),
	    0xfc17b183ee074373ULL);
}
