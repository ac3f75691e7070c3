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
	size_t		 k = 0;

	/*
	 * A literal that starts with blanks or commas (", status=", " said: ",
	 * ", mpid="): every blank or comma of a line would be a candidate,
	 * with a memchr and a memcmp call each. Its first other byte is
	 * searched for instead, k bytes into s, and the k bytes before each
	 * hit checked: the first such place is the first occurrence of lit.
	 * For a literal known at compile time, k is a constant.
	 */
	while (k + 1 < n && (lit[k] == ' ' || lit[k] == ','))
		k++;
	if (s.len < n)
		return NULL;
	for (p += k; (size_t)(end - p) >= n - k &&
	    (q = memchr(p, lit[k], (size_t)(end - p) - (n - k) + 1)) != NULL;
	    p = q + 1)
		if ((k == 0 || memcmp(q - k, lit, k) == 0) &&
		    memcmp(q + 1, lit + k + 1, n - k - 1) == 0)
			return q - k;
	return NULL;
}

#define SLICE_EQ(s, lit)	slice_eq((s), (lit), sizeof(lit) - 1)
#define SLICE_STARTS(s, lit)	slice_starts((s), (lit), sizeof(lit) - 1)
#define SLICE_FIND(s, lit)	slice_find((s), (lit), sizeof(lit) - 1)

#endif
