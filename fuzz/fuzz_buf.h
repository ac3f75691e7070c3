/*
 * What the decoder fuzz targets share: a growing byte buffer, the
 * lines a text is expected to come back as (each cut to INPUT_LINE_MAX
 * + 1 bytes, as the input stage cuts them, and ended by '\n'), and
 * the input stage's reading of bytes from a memfd.
 * Included by one target each; static, as a target is one file.
 */
#ifndef FUZZ_BUF_H
#define FUZZ_BUF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/*
 * The input stage's reading of z[0..n) with options o: 0 or -1 (with a
 * message), the bytes in out. Aborts when the input is not read as
 * format fmt or an error has no message.
 */
static int
mxt_read(const void *z, size_t n, const struct input_opts *o, int fmt,
    struct buf *out)
{
	struct source	*s;
	struct chunk	 c;
	char		 path[64], err[256] = "";
	int		 fd, rc;

	if ((fd = memfd_create("fuzz", 0)) == -1)
		abort();
	if (n > 0 && write(fd, z, n) != (ssize_t)n)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((s = source_open(path, 0, o, err, sizeof(err))) == NULL) {
		close(fd);
		if (err[0] == '\0')
			abort();
		return -1;
	}
	if ((int)source_format(s) != fmt) {
		fprintf(stderr, "read as format %d, not %d\n",
		    (int)source_format(s), fmt);
		abort();
	}
	while ((rc = source_next(s, &c, err, sizeof(err))) == 1) {
		buf_add(out, c.beg, (size_t)(c.end - c.beg));
		source_release(s, &c);
	}
	if (rc == -1 && err[0] == '\0')
		abort();
	source_close(s);
	close(fd);
	return rc;
}

#endif
