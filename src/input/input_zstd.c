/*
 * The zstd decoder, in the producer thread. A frame whose window fits
 * the pool's rule (DEC_WINDOW of a buffer) is decoded in place, block by
 * block, with the buffer-less API straight into the pool buffer: blocks
 * refer back into the bytes already there and into the buffer before,
 * which the pool keeps unchanged (input_int.h), so nothing is copied.
 * A frame with a larger window goes through ZSTD_decompressStream and
 * its own window buffer, within libzstd's default limit (128 MiB), so
 * memory stays bounded; a frame that needs more is refused by name.
 *
 * Concatenated frames and skippable frames are read in turn, as zstd -d
 * does. Input that ends inside a frame is "truncated zstd stream";
 * libzstd's complaint is "corrupt zstd data: ...".
 */
#define ZSTD_STATIC_LINKING_ONLY	/* the buffer-less API */
#include <stdlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "mxtally/input.h"
#include "mxtally/log.h"
#include "input_int.h"

enum zmode {
	Z_IDLE,		/* between frames */
	Z_INPLACE,	/* ZSTD_decompressContinue into the pool buffer */
	Z_STREAM,	/* ZSTD_decompressStream, copying out of its window */
	Z_SKIP,		/* dropping a skippable frame */
};

struct zst {
	ZSTD_DCtx	*dctx;
	enum zmode	 mode;
	size_t		 block;		/* in place: the frame's largest block */
	uint64_t	 skip;		/* skippable: bytes left to drop */
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

/* Makes n unconsumed bytes (at most INPUT_INBUF) readable in st.in. */
static int
zst_want(struct source *s, size_t n)
{
	struct stream	*st = &s->st;

	while (st->in_len - st->in_pos < n) {
		if (st->in_eof)
			return stream_fail(s, "truncated zstd stream");
		if (stream_refill(s) == -1)
			return -1;
	}
	return 0;
}

/*
 * At a frame boundary: 0 at a clean end of input, 1 with the next
 * frame's mode chosen from its header, -1 after stream_fail.
 */
static int
zst_frame(struct source *s, struct zst *z)
{
	struct stream		*st = &s->st;
	ZSTD_frameHeader	 fh;
	size_t			 r;

	if (st->in_pos == st->in_len && stream_refill(s) <= 0)
		return st->failed ? -1 : 0;
	while ((r = ZSTD_getFrameHeader(&fh, st->in + st->in_pos,
	    st->in_len - st->in_pos)) != 0) {
		if (ZSTD_isError(r))
			return zst_error(s, r);
		if (zst_want(s, r) == -1)
			return -1;
	}
	if (fh.frameType == ZSTD_skippableFrame) {
		z->mode = Z_SKIP;
		z->skip = ZSTD_SKIPPABLEHEADERSIZE + fh.frameContentSize;
	} else if (fh.windowSize <= DEC_WINDOW(st->cap)) {
		z->mode = Z_INPLACE;
		z->block = fh.blockSizeMax;
		r = ZSTD_decompressBegin(z->dctx);
	} else {
		z->mode = Z_STREAM;
		r = ZSTD_DCtx_reset(z->dctx, ZSTD_reset_session_only);
	}
	if (ZSTD_isError(r))
		return zst_error(s, r);
	return 1;
}

/* Decodes blocks into dst while a whole one fits; bytes written. */
static size_t
zst_inplace(struct source *s, struct zst *z, char *dst, size_t cap)
{
	struct stream		*st = &s->st;
	ZSTD_nextInputType_e	 t;
	size_t			 out = 0, need, r;

	while ((need = ZSTD_nextSrcSizeToDecompress(z->dctx)) != 0) {
		/* the frame's last block needs room as much as any other */
		t = ZSTD_nextInputType(z->dctx);
		if ((t == ZSTDnit_block || t == ZSTDnit_lastBlock) &&
		    cap - out < z->block)
			return out;		/* the pool's next buffer */
		if (zst_want(s, need) == -1)
			return out;
		r = ZSTD_decompressContinue(z->dctx, dst + out, cap - out,
		    st->in + st->in_pos, need);
		if (ZSTD_isError(r)) {
			zst_error(s, r);
			return out;
		}
		st->in_pos += need;
		out += r;
	}
	z->mode = Z_IDLE;
	return out;
}

static size_t
zst_stream(struct source *s, struct zst *z, char *dst, size_t cap)
{
	struct stream	*st = &s->st;
	ZSTD_outBuffer	 out = { dst, cap, 0 };
	ZSTD_inBuffer	 in;
	size_t		 r;

	for (;;) {
		/* with no input left, this still flushes what libzstd holds */
		in = (ZSTD_inBuffer){ st->in, st->in_len, st->in_pos };
		r = ZSTD_decompressStream(z->dctx, &out, &in);
		st->in_pos = in.pos;
		if (ZSTD_isError(r)) {
			zst_error(s, r);
			break;
		}
		if (r == 0) {
			z->mode = Z_IDLE;
			break;
		}
		if (out.pos == out.size ||
		    (st->in_pos == st->in_len && zst_want(s, 1) == -1))
			break;
	}
	return out.pos;
}

static void
zst_skip(struct source *s, struct zst *z)
{
	struct stream	*st = &s->st;
	size_t		 n;

	while (z->skip > 0) {
		if (zst_want(s, 1) == -1)
			return;
		n = st->in_len - st->in_pos;
		if (n > z->skip)
			n = (size_t)z->skip;
		st->in_pos += n;
		z->skip -= n;
	}
	z->mode = Z_IDLE;
}

static size_t
zst_fill(struct source *s, char *dst, size_t cap)
{
	struct stream	*st = &s->st;
	struct zst	*z = st->dstate;
	size_t		 out = 0;

	while (out < cap && !st->failed) {
		switch (z->mode) {
		case Z_IDLE:
			if (zst_frame(s, z) != 1)
				return out;
			break;
		case Z_INPLACE:
			if (cap - out < z->block)
				return out;
			out += zst_inplace(s, z, dst + out, cap - out);
			if (z->mode == Z_INPLACE)
				return out;	/* full, or failed */
			break;
		case Z_STREAM:
			out += zst_stream(s, z, dst + out, cap - out);
			break;
		case Z_SKIP:
			zst_skip(s, z);
			break;
		}
	}
	return out;
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
	.init = zst_init, .fill = zst_fill, .fini = zst_fini, .inplace = 1
};
