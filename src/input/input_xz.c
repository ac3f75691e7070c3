/*
 * The xz decoder: liblzma decompresses from the 1 MiB compressed buffer
 * into the free tail of a pool buffer, in the producer thread, as the
 * gzip decoder does. Concatenated .xz streams and stream padding are
 * read as xz -d reads them (LZMA_CONCATENATED). The decoder may use at
 * most XZ_MEMLIMIT (xz -9 needs 65 MiB); a file that needs more is
 * refused by name. Input that ends inside a stream is "truncated xz
 * stream"; liblzma's complaint is "corrupt xz data: ...".
 */
#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/input.h"
#include "mxtally/log.h"
#include "input_int.h"

#define XZ_MEMLIMIT	((uint64_t)256 << 20)

struct xz {
	lzma_stream	 ls;
	int		 done;		/* LZMA_STREAM_END */
};

static int
xz_init(struct source *s)
{
	struct xz	*x = xcalloc(1, sizeof(*x));
	lzma_ret	 r;

	x->ls = (lzma_stream)LZMA_STREAM_INIT;
	s->st.dstate = x;
	r = lzma_stream_decoder(&x->ls, XZ_MEMLIMIT, LZMA_CONCATENATED);
	if (r != LZMA_OK)
		return stream_fail(s, "cannot start xz: error %d", (int)r);
	return 0;
}

static const char *
xz_what(lzma_ret r)
{
	switch (r) {
	case LZMA_FORMAT_ERROR:
		return "not an xz stream";
	case LZMA_OPTIONS_ERROR:
		return "unsupported options";
	case LZMA_DATA_ERROR:
		return "data is corrupt";
	case LZMA_BUF_ERROR:
		return "unexpected end";
	default:
		return "error";
	}
}

static size_t
xz_fill(struct source *s, char *dst, size_t cap)
{
	struct stream	*st = &s->st;
	struct xz	*x = st->dstate;
	lzma_action	 act;
	lzma_ret	 r;

	x->ls.next_out = (uint8_t *)dst;
	x->ls.avail_out = cap;
	while (x->ls.avail_out > 0 && !x->done && !st->failed) {
		if (st->in_pos == st->in_len && !st->in_eof &&
		    stream_refill(s) == -1)
			break;
		act = st->in_eof && st->in_pos == st->in_len ? LZMA_FINISH :
		    LZMA_RUN;
		x->ls.next_in = st->in + st->in_pos;
		x->ls.avail_in = st->in_len - st->in_pos;
		r = lzma_code(&x->ls, act);
		st->in_pos = st->in_len - x->ls.avail_in;
		if (r == LZMA_STREAM_END)
			x->done = 1;
		else if (r == LZMA_MEMLIMIT_ERROR)
			stream_fail(s, "xz stream needs more than %ju MiB to "
			    "decode", (uintmax_t)(XZ_MEMLIMIT >> 20));
		else if (r == LZMA_MEM_ERROR)
			stream_fail(s, "out of memory in liblzma");
		else if (r == LZMA_BUF_ERROR && act == LZMA_FINISH)
			stream_fail(s, "truncated xz stream");
		else if (r != LZMA_OK && r != LZMA_BUF_ERROR)
			stream_fail(s, "corrupt xz data: %s", xz_what(r));
	}
	return cap - x->ls.avail_out;
}

static void
xz_fini(struct source *s)
{
	struct xz	*x = s->st.dstate;

	if (x == NULL)
		return;
	lzma_end(&x->ls);
	free(x);
	s->st.dstate = NULL;
}

const struct decoder decoder_xz = {
	.init = xz_init, .fill = xz_fill, .fini = xz_fini
};
