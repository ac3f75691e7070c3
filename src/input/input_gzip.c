/*
 * The gzip decoder: zlib inflates from the 1 MiB compressed buffer
 * straight into the free tail of a pool buffer, in the producer thread.
 * Members are read one after another as gzip -d does; bytes after the
 * last member that do not start another one are trailing garbage and are
 * ignored, as gzip -d ignores them. Input that ends inside a member is
 * "truncated gzip stream"; zlib's complaint is "corrupt gzip data: ...".
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mxtally/input.h"
#include "mxtally/log.h"
#include "input_int.h"

struct gz {
	z_stream	 zs;
	int		 member_end;	/* a member ended: is there another? */
	int		 done;		/* no member follows */
};

static int
gz_init(struct source *s)
{
	struct gz	*g = xcalloc(1, sizeof(*g));
	int		 r;

	r = inflateInit2(&g->zs, 15 + 16);	/* gzip wrapper only */
	if (r != Z_OK) {
		free(g);
		return stream_fail(s, "cannot start zlib: %s", zError(r));
	}
	s->st.dstate = g;
	return 0;
}

/* After a member: start the next one if its magic follows, else stop. */
static int
gz_next_member(struct source *s, struct gz *g)
{
	int	 more;

	if ((more = stream_magic(s, "\x1f\x8b", 2)) == -1)
		return -1;
	g->member_end = 0;
	if (more) {
		if (inflateReset(&g->zs) != Z_OK)
			return stream_fail(s, "corrupt gzip data: reset");
		return 0;
	}
	g->done = 1;
	return 0;
}

static int
gz_inflate(struct source *s, struct gz *g)
{
	struct stream	*st = &s->st;
	z_stream	*zs = &g->zs;
	int		 r;

	if (stream_more(s, "gzip") == -1)
		return -1;
	zs->next_in = st->in + st->in_pos;
	zs->avail_in = (uInt)(st->in_len - st->in_pos);
	r = inflate(zs, Z_NO_FLUSH);
	st->in_pos = st->in_len - zs->avail_in;
	switch (r) {
	case Z_OK:
	case Z_BUF_ERROR:		/* no progress: needs more input */
		return 0;
	case Z_STREAM_END:
		g->member_end = 1;
		return 0;
	case Z_MEM_ERROR:
		return stream_fail(s, "out of memory in zlib");
	default:			/* Z_DATA_ERROR, Z_NEED_DICT */
		return stream_fail(s, "corrupt gzip data: %s",
		    zs->msg != NULL ? zs->msg : zError(r));
	}
}

static size_t
gz_fill(struct source *s, char *dst, size_t cap)
{
	struct gz	*g = s->st.dstate;
	z_stream	*zs = &g->zs;
	uInt		 room = cap > UINT_MAX ? UINT_MAX : (uInt)cap;
	int		 r;

	zs->next_out = (Bytef *)dst;
	zs->avail_out = room;
	while (zs->avail_out > 0 && !g->done && !s->st.failed) {
		if (g->member_end)
			r = gz_next_member(s, g);
		else
			r = gz_inflate(s, g);
		if (r == -1)
			break;
	}
	return room - zs->avail_out;
}

static void
gz_fini(struct source *s)
{
	struct gz	*g = s->st.dstate;

	if (g == NULL)
		return;
	inflateEnd(&g->zs);
	free(g);
	s->st.dstate = NULL;
}

const struct decoder decoder_gzip = {
	.init = gz_init, .fill = gz_fill, .fini = gz_fini
};
