/*
 * The zstd decoder: ZSTD_decompressStream from the 1 MiB compressed
 * buffer straight into the free tail of a pool buffer, in the producer
 * thread. Concatenated frames (and skippable frames) are read in turn,
 * as zstd -d does. Input that ends inside a frame is "truncated zstd
 * stream"; libzstd's complaint is "corrupt zstd data: ...". The window
 * limit stays libzstd's default (128 MiB), so memory stays bounded; a
 * frame that needs more is refused by name.
 */
#include <stdlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "mxtally/input.h"
#include "mxtally/log.h"
#include "input_int.h"

struct zst {
	ZSTD_DCtx	*dctx;
	size_t		 hint;		/* last return: 0 = between frames */
};

static int
zst_init(struct source *s)
{
	struct zst	*z;

	z = xcalloc(1, sizeof(*z));
	if ((z->dctx = ZSTD_createDCtx()) == NULL) {
		free(z);
		return stream_fail(s, "cannot start zstd: out of memory");
	}
	z->hint = 1;			/* a frame must follow the magic */
	s->st.dstate = z;
	return 0;
}

static int
zst_error(struct source *s, size_t r)
{
	if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge)
		return stream_fail(s, "zstd window too large: %s",
		    ZSTD_getErrorName(r));
	return stream_fail(s, "corrupt zstd data: %s", ZSTD_getErrorName(r));
}

static size_t
zst_fill(struct source *s, char *dst, size_t cap)
{
	struct stream	*st = &s->st;
	struct zst	*z = st->dstate;
	ZSTD_outBuffer	 out = { dst, cap, 0 };
	ZSTD_inBuffer	 in;
	size_t		 r, before;

	while (out.pos < out.size && !st->failed) {
		if (st->in_pos == st->in_len && stream_refill(s) == -1)
			break;
		if (st->in_pos == st->in_len && z->hint == 0)
			break;			/* clean end between frames */
		in.src = st->in;
		in.size = st->in_len;
		in.pos = st->in_pos;
		before = out.pos;
		r = ZSTD_decompressStream(z->dctx, &out, &in);
		st->in_pos = in.pos;
		if (ZSTD_isError(r)) {
			zst_error(s, r);
			break;
		}
		z->hint = r;
		if (r != 0 && st->in_eof && st->in_pos == st->in_len &&
		    out.pos == before && out.pos < out.size) {
			stream_fail(s, "truncated zstd stream");
			break;
		}
	}
	return out.pos;
}

static void
zst_fini(struct source *s)
{
	struct zst	*z = s->st.dstate;

	if (z == NULL)
		return;
	ZSTD_freeDCtx(z->dctx);
	free(z);
	s->st.dstate = NULL;
}

const struct decoder decoder_zstd = {
	zst_init, zst_fill, zst_fini
};
