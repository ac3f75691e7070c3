/*
 * What the decoder fuzz targets share: a growing byte buffer and the
 * lines a text is expected to come back as (each cut to INPUT_LINE_MAX
 * + 1 bytes, as the input stage cuts them, and ended by '\n').
 * Included by one target each; static, as a target is one file.
 */
#ifndef FUZZ_BUF_H
#define FUZZ_BUF_H

#include <stdlib.h>
#include <string.h>

#include "mxtally/input.h"

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* b's lines, each cut to INPUT_LINE_MAX + 1 bytes and ended by '\n'. */
static struct buf
lines_cut(const struct buf *b)
{
	struct buf	 out = { NULL, 0, 0 };
	const char	*p = b->p, *end, *nl;
	size_t		 n;

	if (b->len == 0)	/* b->p may be NULL: no arithmetic on it */
		return out;
	end = b->p + b->len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		buf_add(&out, p, n < INPUT_LINE_MAX + 1 ? n : INPUT_LINE_MAX + 1);
		buf_add(&out, "\n", 1);
		p += n + 1;
	}
	return out;
}

#endif
