/*
 * Unit tests of order.h, the one set of orderings the scan's result and
 * merge both sort by. Every expected sign is read off the rule (count
 * descending, key ascending as unsigned bytes, a prefix first, time
 * ascending), not taken from a run.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/order.h"

static int
sign(int c)
{
	return (c > 0) - (c < 0);
}

Test(order, count_descending)
{
	cr_assert_eq(sign(order_count(5, 3)), -1, "more events come first");
	cr_assert_eq(sign(order_count(3, 5)), 1);
	cr_assert_eq(order_count(4, 4), 0, "a tie is left to the key");
	cr_assert_eq(sign(order_count(UINT64_MAX, 0)), -1, "no wrap");
	cr_assert_eq(sign(order_count(0, UINT64_MAX)), 1);
}

Test(order, bytes_prefix_first_unsigned)
{
	cr_assert_eq(sign(order_bytes("ab", 2, "abc", 3)), -1);
	cr_assert_eq(sign(order_bytes("abc", 3, "ab", 2)), 1);
	cr_assert_eq(sign(order_bytes("b", 1, "abc", 3)), 1);
	cr_assert_eq(order_bytes("abc", 3, "abc", 3), 0);
	/* 0xc3 (a UTF-8 lead byte) sorts after 'z' as unsigned */
	cr_assert_eq(sign(order_bytes("\xc3\xa9", 2, "z", 1)), 1);
	cr_assert_eq(sign(order_bytes("", 0, "a", 1)), -1);
}

/*
 * merge sorts NUL-terminated names with order_count_name, the scan its
 * keys with order_count_bytes: on every pair of these names (no NUL in
 * them) both must give the same sign, or the two would print one table
 * in two orders.
 */
Test(order, name_agrees_with_bytes)
{
	static const char *names[] = { "", "a", "A", "ab", "abc", "b",
	    "\xc3\xa9", "\x7f", "z", "(other)", "10.0.0.1", "9.0.0.1" };
	static const uint64_t counts[] = { 1, 2 };
	size_t	 n = sizeof(names) / sizeof(names[0]);
	size_t	 i, j, ci, cj;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			for (ci = 0; ci < 2; ci++)
				for (cj = 0; cj < 2; cj++) {
					int	 s = sign(order_count_name(
					    counts[ci], names[i], counts[cj],
					    names[j]));
					int	 t = sign(order_count_bytes(
					    counts[ci], names[i],
					    strlen(names[i]), counts[cj],
					    names[j], strlen(names[j])));

					cr_assert_eq(s, t, "'%s'/%zu vs "
					    "'%s'/%zu", names[i], ci,
					    names[j], cj);
				}
}

struct row {
	const char	*name;
	uint64_t	 n;
};

static int
cmp_row(const void *x, const void *y)
{
	const struct row *a = x, *b = y;

	return order_count_name(a->n, a->name, b->n, b->name);
}

/* A table sorted as a report prints it: 7 first, then the 3s by name. */
Test(order, table_order)
{
	struct row	 v[] = { { "carol", 3 }, { "bob", 7 }, { "al", 3 },
	    { "alice", 3 }, { "dave", 1 } };
	const char	*want[] = { "bob", "al", "alice", "carol", "dave" };
	size_t		 i;

	qsort(v, 5, sizeof(v[0]), cmp_row);
	for (i = 0; i < 5; i++)
		cr_assert_str_eq(v[i].name, want[i], "row %zu", i);
}

/*
 * The row of folded keys comes last among equal counts, though "(" sorts
 * before letters and digits; a larger count still comes first.
 */
Test(order, other_last_among_equals)
{
	cr_assert_eq(sign(order_count_other(3, "(other)", 1, 3, "alice", 0)),
	    1);
	cr_assert_eq(sign(order_count_other(3, "alice", 0, 3, "(other)", 1)),
	    -1);
	cr_assert_eq(sign(order_count_other(4, "(other)", 1, 3, "alice", 0)),
	    -1, "count before the folded row's place");
	cr_assert_eq(sign(order_count_other(3, "b", 0, 3, "a", 0)), 1);
	cr_assert_eq(order_count_other(3, "(other)", 1, 3, "(other)", 1), 0);
}

Test(order, time_and_cause)
{
	cr_assert_eq(sign(order_time(-1, 0)), -1);
	cr_assert_eq(sign(order_time(INT64_MAX, INT64_MIN)), 1,
	    "no overflow");
	cr_assert_eq(sign(order_time(INT64_MIN, INT64_MAX)), -1);
	cr_assert_eq(order_time(3600, 3600), 0);
	cr_assert_eq(sign(order_cause(0xff, 1)), 1, "cause bytes unsigned");
	cr_assert_eq(sign(order_cause(1, 2)), -1);
}
