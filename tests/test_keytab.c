/*
 * Unit tests of keytab.c, the cold keyed table: adding and finding,
 * growth keeping every entry, keys compared by their bytes and length,
 * copies owned by the table.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "mxtally/keytab.h"

Test(keytab, add_then_find, .timeout = 5)
{
	struct keytab		 t = { 0 };
	struct keytab_ent	*e;
	int			 isnew;

	cr_assert_null(keytab_find(&t, "a", 1), "an empty table finds none");
	e = keytab_add(&t, "alpha", 5, &isnew);
	cr_assert_eq(isnew, 1);
	cr_assert_eq(e->val, 0);
	e->val = 7;
	e = keytab_add(&t, "alpha", 5, &isnew);
	cr_assert_eq(isnew, 0);
	cr_assert_eq(e->val, 7);
	cr_assert_eq(keytab_find(&t, "alpha", 5)->val, 7);
	cr_assert_null(keytab_find(&t, "alph", 4));
	cr_assert_null(keytab_find(&t, "alphab", 6));
	cr_assert_eq(t.len, 1);
	keytab_release(&t);
	cr_assert_eq(t.cap, 0);
	cr_assert_null(t.slot);
}

Test(keytab, copies_the_key, .timeout = 5)
{
	struct keytab		 t = { 0 };
	char			 buf[8] = "host";
	struct keytab_ent	*e;

	e = keytab_add(&t, buf, 4, NULL);
	memcpy(buf, "XXXX", 4);
	cr_assert_str_eq(e->key, "host", "NUL-terminated copy");
	cr_assert_not_null(keytab_find(&t, "host", 4));
	cr_assert_null(keytab_find(&t, "XXXX", 4));
	keytab_release(&t);
}

Test(keytab, bytes_not_strings, .timeout = 5)
{
	struct keytab	 t = { 0 };

	keytab_add(&t, "a\0b", 3, NULL)->val = 1;
	keytab_add(&t, "a\0c", 3, NULL)->val = 2;
	keytab_add(&t, "a", 1, NULL)->val = 3;
	cr_assert_eq(t.len, 3);
	cr_assert_eq(keytab_find(&t, "a\0b", 3)->val, 1);
	cr_assert_eq(keytab_find(&t, "a\0c", 3)->val, 2);
	cr_assert_eq(keytab_find(&t, "a", 1)->val, 3);
	keytab_release(&t);
}

Test(keytab, grows_keeping_every_entry, .timeout = 10)
{
	struct keytab	 t = { 0 };
	char		 k[32];
	size_t		 i, n = 10000, seen = 0;
	int		 len;

	for (i = 0; i < n; i++) {
		len = snprintf(k, sizeof(k), "user%zu@example.net", i);
		keytab_add(&t, k, (size_t)len, NULL)->val = i + 1;
	}
	cr_assert_eq(t.len, n);
	cr_assert(t.cap >= 2 * n, "at most half full: cap %zu", t.cap);
	cr_assert_eq(t.cap & (t.cap - 1), 0, "a power of two");
	for (i = 0; i < n; i++) {
		len = snprintf(k, sizeof(k), "user%zu@example.net", i);
		cr_assert_eq(keytab_find(&t, k, (size_t)len)->val, i + 1);
	}
	for (i = 0; i < t.cap; i++)
		seen += t.slot[i].key != NULL;
	cr_assert_eq(seen, n, "iteration over the slots sees each once");
	keytab_release(&t);
}

static int
keep_odd(struct keytab_ent *e, void *arg)
{
	(*(size_t *)arg)++;
	return e->val % 2 == 1;
}

static int
keep_none(struct keytab_ent *e, void *arg)
{
	(void)e;
	(void)arg;
	return 0;
}

/* A filter drops what keep refuses, keeps the rest findable, shrinks. */
Test(keytab, filter_drops_and_shrinks, .timeout = 10)
{
	struct keytab	 t = { 0 };
	char		 k[32];
	size_t		 i, n = 5000, calls = 0, bigcap;
	int		 len;

	for (i = 0; i < n; i++) {
		len = snprintf(k, sizeof(k), "k%zu", i);
		keytab_add(&t, k, (size_t)len, NULL)->val = i;
	}
	bigcap = t.cap;
	keytab_filter(&t, keep_odd, &calls);
	cr_assert_eq(calls, n, "keep sees every entry once");
	cr_assert_eq(t.len, n / 2);
	cr_assert_lt(t.cap, bigcap, "the array fits what is left");
	cr_assert_geq(t.cap, 2 * t.len);
	for (i = 0; i < n; i++) {
		len = snprintf(k, sizeof(k), "k%zu", i);
		if (i % 2 == 1)
			cr_assert_eq(keytab_find(&t, k, (size_t)len)->val, i);
		else
			cr_assert_null(keytab_find(&t, k, (size_t)len));
	}
	keytab_add(&t, "new", 3, NULL)->val = 1;
	cr_assert_eq(t.len, n / 2 + 1, "adds after a filter");
	keytab_filter(&t, keep_none, NULL);
	cr_assert_eq(t.len, 0);
	cr_assert_eq(t.cap, 0, "an emptied table holds no memory");
	cr_assert_null(keytab_find(&t, "new", 3));
	keytab_release(&t);
}
