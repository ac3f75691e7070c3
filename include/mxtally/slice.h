/*
 * A slice is a borrowed view into a mapped or buffered chunk of input. It
 * is valid only while that chunk is; anything that must outlive the chunk
 * is copied (see agg.h).
 */
#ifndef MXTALLY_SLICE_H
#define MXTALLY_SLICE_H

#include <stddef.h>
#include <string.h>

struct slice {
	const char	*p;	/* first byte, not NUL-terminated */
	size_t		 len;	/* bytes */
};

/*
 * The empty slice points at "" rather than NULL, so that s.p + s.len and
 * memchr(s.p, c, 0) are defined for every slice a parser hands on.
 */
#define SLICE_NULL	((struct slice){ "", 0 })
#define SLICE_LIT(s)	((struct slice){ (s), sizeof(s) - 1 })

static inline struct slice
slice_make(const char *p, const char *end)
{
	return (struct slice){ p, (size_t)(end - p) };
}

static inline int
slice_eq(struct slice s, const char *lit, size_t n)
{
	return s.len == n && memcmp(s.p, lit, n) == 0;
}

static inline int
slice_starts(struct slice s, const char *lit, size_t n)
{
	return s.len >= n && memcmp(s.p, lit, n) == 0;
}

/*
 * Returns a pointer to the first occurrence of lit (n >= 1 bytes) in s,
 * or NULL. The hot path's literals start with uncommon bytes, so a
 * vectorised memchr for the first byte and a memcmp beat memmem's set-up
 * on short lines.
 */
static inline const char *
slice_find(struct slice s, const char *lit, size_t n)
{
	const char	*p = s.p, *end = s.p + s.len, *q;

	/*
	 * A literal that starts with a blank or a comma (", status=", " said:
	 * "): every blank of a line would be a candidate, with a memchr and a
	 * memcmp call each. Its second byte is searched for instead, from the
	 * second byte of s, and the byte before it checked: the first such
	 * place is the first occurrence of lit.
	 */
	if (n >= 2 && (lit[0] == ' ' || lit[0] == ',')) {
		if (s.len < n)
			return NULL;
		for (p++; (size_t)(end - p) >= n - 1 &&
		    (q = memchr(p, lit[1], (size_t)(end - p) - (n - 1) + 1)) !=
		    NULL; p = q + 1)
			if (q[-1] == lit[0] && memcmp(q + 1, lit + 2, n - 2) == 0)
				return q - 1;
		return NULL;
	}
	while ((size_t)(end - p) >= n &&
	    (q = memchr(p, lit[0], (size_t)(end - p) - n + 1)) != NULL) {
		if (memcmp(q + 1, lit + 1, n - 1) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

#define SLICE_EQ(s, lit)	slice_eq((s), (lit), sizeof(lit) - 1)
#define SLICE_STARTS(s, lit)	slice_starts((s), (lit), sizeof(lit) - 1)
#define SLICE_FIND(s, lit)	slice_find((s), (lit), sizeof(lit) - 1)

#endif
