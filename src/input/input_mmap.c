/*
 * Mapped regular files. The whole file is mapped once (its size is taken
 * at open; bytes appended later are not seen) and handed out as chunks of
 * about chunk_size bytes, each cut just after a newline, so a chunk holds
 * whole lines and a line of any length stays whole. Nothing is copied and
 * release is a no-op; the mapping lives until source_close.
 *
 * If the file is truncated while mapped, touching the lost pages raises
 * SIGBUS: that is the price of mapping, and --no-mmap (or reading a copy)
 * avoids it for logs that may be rotated by truncation under us.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mxtally/input.h"
#include "input_int.h"

static int
map_next(struct source *s, struct chunk *c, char *err, size_t errlen)
{
	struct mapping	*m = &s->map;
	const char	*beg, *nl;
	size_t		 rest, n, skip, want = s->chunk_size;

	(void)err;
	(void)errlen;
	if (m->pos >= m->size)
		return 0;
	beg = m->base + m->pos;
	rest = m->size - m->pos;
	n = rest;
	/*
	 * The last chunks shrink with what is left (half a worker's share,
	 * at least a sixteenth of a chunk), so that the workers run out of
	 * lines at about the same time instead of one scanning a whole
	 * chunk while the others wait.
	 */
	if (s->jobs > 1 && rest / (2 * (size_t)s->jobs) < want) {
		want = rest / (2 * (size_t)s->jobs);
		if (want < s->chunk_size / 16)
			want = s->chunk_size / 16;
		if (want == 0)
			want = 1;
	}
	if (rest > want) {
		/* The chunk ends after the first newline at or past the target. */
		skip = want - 1;
		nl = memchr(beg + skip, '\n', rest - skip);
		if (nl != NULL)
			n = (size_t)(nl - beg) + 1;
	}
	c->beg = beg;
	c->end = beg + n;
	c->off = m->pos;
	c->file = s->file;
	c->buf = NULL;
	m->pos += n;
	atomic_store_explicit(&s->bytes, m->pos, memory_order_relaxed);
	return 1;
}

/*
 * Unmaps the chunk's whole pages (the page cache keeps them): in the
 * worker, beside the others, instead of all at once in munmap at the
 * end, which for 1 GiB takes tens of milliseconds with every worker
 * idle. A page the chunk shares with a neighbour stays mapped.
 */
static void
map_release(struct source *s, struct chunk *c)
{
	uintptr_t	 pg = (uintptr_t)s->map.page - 1;
	uintptr_t	 a = ((uintptr_t)c->beg + pg) & ~pg;
	uintptr_t	 b = (uintptr_t)c->end & ~pg;

	if (b > a)
		(void)madvise((void *)a, b - a, MADV_DONTNEED);
}

static void
map_close(struct source *s)
{
	munmap((void *)(uintptr_t)s->map.base, s->map.size);
	if (s->own_fd && s->fd != -1)
		close(s->fd);
	free(s);
}

static const struct source_ops map_ops = {
	map_next, map_release, map_close
};

int
map_open(struct source *s, off_t size, char *err, size_t errlen)
{
	void	*p;

	if ((uint64_t)size > SIZE_MAX) {
		input_seterr(err, errlen, "cannot map: file too large");
		return -1;
	}
	p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, s->fd, 0);
	if (p == MAP_FAILED) {
		input_seterr(err, errlen, "cannot map: %s", strerror(errno));
		return -1;
	}
	/* Advice only: a failure costs read-ahead, not correctness. */
	(void)madvise(p, (size_t)size, MADV_SEQUENTIAL);
	s->map.base = p;
	s->map.size = (size_t)size;
	s->map.pos = 0;
	s->map.page = (size_t)sysconf(_SC_PAGESIZE);
	/* The mapping keeps the file; the descriptor is not needed. */
	if (s->own_fd)
		close(s->fd);
	s->fd = -1;
	s->ops = &map_ops;
	return 0;
}
