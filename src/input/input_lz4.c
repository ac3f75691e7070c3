/*
 * The lz4 decoder (frame format, what lz4(1) writes): liblz4's frame
 * API decompresses from the 1 MiB compressed buffer into the free tail
 * of a pool buffer, in the producer thread, as the gzip decoder does.
 * Concatenated and skippable frames are read in turn, as lz4 -d does.
 * The legacy format (lz4 -l, magic 0x184C2102) is refused by name.
 * Input that ends inside a frame is "truncated lz4 stream"; liblz4's
 * complaint is "corrupt lz4 data: ...".
 */
#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/input.h"
#include "mxtally/log.h"
#include "input_int.h"

struct lz {
	LZ4F_dctx	*dctx;
	int		 mid;		/* inside a frame */
	int		 done;		/* clean end of input */
};

static int
lz_init(struct source *s)
{
	struct lz	*l = xcalloc(1, sizeof(*l));
	size_t		 r;

	s->st.dstate = l;
	r = LZ4F_createDecompressionContext(&l->dctx, LZ4F_VERSION);
	if (LZ4F_isError(r))
		return stream_fail(s, "cannot start lz4: %s",
		    LZ4F_getErrorName(r));
	return 0;
}

static size_t
lz_fill(struct source *s, char *dst, size_t cap)
{
	struct stream	*st = &s->st;
	struct lz	*l = st->dstate;
	size_t		 out = 0, dn, sn, r;
	ssize_t		 n;

	while (out < cap && !l->done && !st->failed) {
		if (st->in_pos == st->in_len) {
			if ((n = stream_refill(s)) == -1)
				break;
			if (n == 0) {
				if (l->mid)
					stream_fail(s, "truncated lz4 stream");
				l->done = 1;
				break;
			}
		}
		dn = cap - out;
		sn = st->in_len - st->in_pos;
		r = LZ4F_decompress(l->dctx, dst + out, &dn,
		    st->in + st->in_pos, &sn, NULL);
		st->in_pos += sn;
		out += dn;
		if (LZ4F_isError(r)) {
			stream_fail(s, "corrupt lz4 data: %s",
			    LZ4F_getErrorName(r));
			break;
		}
		l->mid = r != 0;
	}
	return out;
}

static void
lz_fini(struct source *s)
{
	struct lz	*l = s->st.dstate;

	if (l == NULL)
		return;
	LZ4F_freeDecompressionContext(l->dctx);
	free(l);
	s->st.dstate = NULL;
}

const struct decoder decoder_lz4 = {
	.init = lz_init, .fill = lz_fill, .fini = lz_fini
};
