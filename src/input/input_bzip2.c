/*
 * The bzip2 decoder: libbz2 decompresses from the 1 MiB compressed
 * buffer into the free tail of a pool buffer, in the producer thread,
 * as the gzip decoder does. Streams are read one after another as
 * bzip2 -d does (pbzip2 and `bzip2 -c >>` write several); bytes after
 * the last stream that do not start another one are ignored, as
 * bzip2 -d ignores them with a warning. Input that ends inside a stream
 * is "truncated bzip2 stream"; libbz2's complaint is
 * "corrupt bzip2 data: ...".
 */
#include <bzlib.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/input.h"
#include "mxtally/log.h"
#include "input_int.h"

struct bz {
	bz_stream	 bs;
	int		 live;		/* bs is initialised */
	int		 stream_end;	/* a stream ended: is there another? */
	int		 done;		/* no stream follows */
};

/* A new stream; the output window (next_out, avail_out) stays. */
static int
bz_start(struct source *s, struct bz *b)
{
	char		*out = b->bs.next_out;
	unsigned	 room = b->bs.avail_out;
	int		 r;

	memset(&b->bs, 0, sizeof(b->bs));
	if ((r = BZ2_bzDecompressInit(&b->bs, 0, 0)) != BZ_OK)
		return stream_fail(s, "cannot start bzip2: error %d", r);
	b->bs.next_out = out;
	b->bs.avail_out = room;
	b->live = 1;
	return 0;
}

static int
bz_init(struct source *s)
{
	struct bz	*b = xcalloc(1, sizeof(*b));

	s->st.dstate = b;
	return bz_start(s, b);
}

/* After a stream: start the next one if its magic follows, else stop. */
static int
bz_next_stream(struct source *s, struct bz *b)
{
	int	 more;

	if ((more = stream_magic(s, "BZh", 3)) == -1)
		return -1;
	b->stream_end = 0;
	BZ2_bzDecompressEnd(&b->bs);
	b->live = 0;
	if (more)
		return bz_start(s, b);
	b->done = 1;
	return 0;
}

static int
bz_step(struct source *s, struct bz *b)
{
	struct stream	*st = &s->st;
	size_t		 avail;
	int		 r;

	if (stream_more(s, "bzip2") == -1)
		return -1;
	avail = st->in_len - st->in_pos;
	b->bs.next_in = (char *)(st->in + st->in_pos);
	b->bs.avail_in = avail > UINT_MAX ? UINT_MAX : (unsigned)avail;
	if (avail > UINT_MAX)
		avail = UINT_MAX;
	r = BZ2_bzDecompress(&b->bs);
	st->in_pos += avail - b->bs.avail_in;
	switch (r) {
	case BZ_OK:
		return 0;
	case BZ_STREAM_END:
		b->stream_end = 1;
		return 0;
	case BZ_MEM_ERROR:
		return stream_fail(s, "out of memory in libbz2");
	default:		/* BZ_DATA_ERROR, BZ_DATA_ERROR_MAGIC */
		return stream_fail(s, "corrupt bzip2 data: error %d", r);
	}
}

static size_t
bz_fill(struct source *s, char *dst, size_t cap)
{
	struct bz	*b = s->st.dstate;
	unsigned	 room = cap > UINT_MAX ? UINT_MAX : (unsigned)cap;
	int		 r;

	b->bs.next_out = dst;
	b->bs.avail_out = room;
	while (b->bs.avail_out > 0 && !b->done && !s->st.failed) {
		if (b->stream_end)
			r = bz_next_stream(s, b);
		else
			r = bz_step(s, b);
		if (r == -1)
			break;
	}
	return room - b->bs.avail_out;
}

static void
bz_fini(struct source *s)
{
	struct bz	*b = s->st.dstate;

	if (b == NULL)
		return;
	if (b->live)
		BZ2_bzDecompressEnd(&b->bs);
	free(b);
	s->st.dstate = NULL;
}

const struct decoder decoder_bzip2 = {
	.init = bz_init, .fill = bz_fill, .fini = bz_fini
};
