/*
 * The orderings of every table a report prints, in one place, so that the
 * scan's result (src/agg/result.c, traffic.c) and merge (src/merge/) cannot
 * disagree on them: count descending, ties by key ascending as bytes
 * (memcmp, a prefix before the longer key; strcmp agrees for keys without
 * NUL), the timelines by start time. Each takes the two sides' fields, not
 * rows, because the scan sorts table entries and merge sorts its own rows.
 */
#ifndef MXTALLY_ORDER_H
#define MXTALLY_ORDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* count descending; 0 when equal, for the caller's tie-break */
static inline int
order_count(uint64_t a, uint64_t b)
{
	if (a != b)
		return a < b ? 1 : -1;
	return 0;
}

/* keys of alen and blen bytes ascending, a prefix first */
static inline int
order_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
	int	 c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/* count descending, then key ascending as order_bytes */
static inline int
order_count_bytes(uint64_t an, const void *a, size_t alen, uint64_t bn,
    const void *b, size_t blen)
{
	int	 c = order_count(an, bn);

	return c != 0 ? c : order_bytes(a, alen, b, blen);
}

/* count descending, then name ascending (strcmp, as order_bytes) */
static inline int
order_count_name(uint64_t an, const char *a, uint64_t bn, const char *b)
{
	int	 c = order_count(an, bn);

	return c != 0 ? c : strcmp(a, b);
}

/*
 * As order_count_name, but among equal counts the row of folded keys
 * ("(other)", a_other or b_other set) comes last, where the scan puts it
 * (it made it after the kept keys), not where its name would sort.
 */
static inline int
order_count_other(uint64_t an, const char *a, int a_other, uint64_t bn,
    const char *b, int b_other)
{
	int	 c = order_count(an, bn);

	if (c != 0)
		return c;
	if (!a_other != !b_other)
		return a_other ? 1 : -1;
	return strcmp(a, b);
}

/* start time ascending: the timelines */
static inline int
order_time(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

/* cause byte ascending (as unsigned char, the key's first byte) */
static inline int
order_cause(unsigned char a, unsigned char b)
{
	return a - b;
}

#endif
