/*
 * libFuzzer target: the zstd decoder against libzstd's own streaming
 * decoder. The first byte picks a mode:
 *
 *  - even: the rest is a .zst file as it comes (seeds are real files,
 *    several frames, skippable frames); when libzstd decodes it, the
 *    input stage must give the same lines, and when libzstd refuses it,
 *    the input stage must fail with a message;
 *  - odd: the rest is text, repeated to up to about 1 MiB and
 *    compressed here in 1 to 4 frames (window, level, checksum and a
 *    skippable frame between them chosen by the next bytes), so that
 *    valid frames of every shape cross the ends of 512 KiB pool buffers.
 *
 * "The same lines": each line cut to INPUT_LINE_MAX + 1 bytes, the rule
 * of input.h (a stream delivers an overlong line's head and skips the
 * rest; workers look at no more of a line either way).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "mxtally/input.h"

#include "fuzz_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REF_MAX		((size_t)32 << 20)	/* bigger outputs: not compared */

/* A zstd frame's magic or a skippable frame's (0x184D2A5?). */
static int
zstd_magic(const uint8_t *p)
{
	return (p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) ||
	    ((p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d &&
	    p[3] == 0x18);
}

/* libzstd's reading: 0 and the output, -1 if refused, 1 if too big. */
static int
ref_decode(const uint8_t *z, size_t n, struct buf *out)
{
	ZSTD_DCtx	*dc = ZSTD_createDCtx();
	ZSTD_inBuffer	 in = { z, n, 0 };
	ZSTD_outBuffer	 o;
	char		 tmp[65536];
	size_t		 r = 0;
	int		 rc = 0;

	if (dc == NULL)
		abort();
	while (in.pos < in.size || r != 0) {
		o = (ZSTD_outBuffer){ tmp, sizeof(tmp), 0 };
		r = ZSTD_decompressStream(dc, &o, &in);
		if (ZSTD_isError(r)) {
			rc = -1;
			break;
		}
		buf_add(out, tmp, o.pos);
		if (out->len > REF_MAX) {
			rc = 1;
			break;
		}
		if (o.pos == 0 && in.pos == in.size && r != 0) {
			rc = -1;	/* ends inside a frame */
			break;
		}
	}
	ZSTD_freeDCtx(dc);
	return rc;
}

/* Mode odd: text repeated and compressed into frames as p asks. */
static void
make_frames(const uint8_t *p, size_t n, struct buf *plain, struct buf *z)
{
	static const unsigned char skip[12] = { 0x5a, 0x2a, 0x4d, 0x18, 4 };
	ZSTD_CCtx	*cc;
	size_t		 total, part, beg, len, bound, r;
	int		 frames, i, wlog, level;
	char		*dst;

	if (n < 3)
		return;
	frames = 1 + (p[0] & 3);
	wlog = 10 + p[1] % 14;		/* up to 8 MiB: in place or not */
	level = 1 + (p[0] >> 4) % 4;
	total = ((size_t)p[2] << 12) + 1;	/* up to 1 MiB */
	p += 3;
	n -= 3;
	if (n == 0)
		return;
	while (plain->len < total)
		buf_add(plain, p, n);
	if ((cc = ZSTD_createCCtx()) == NULL)
		abort();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, wlog);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
	part = plain->len / (size_t)frames;
	for (i = 0; i < frames; i++) {
		ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, i & 1);
		beg = part * (size_t)i;
		len = i == frames - 1 ? plain->len - beg : part;
		bound = ZSTD_compressBound(len);
		if ((dst = malloc(bound)) == NULL)
			abort();
		r = ZSTD_compress2(cc, dst, bound, plain->p + beg, len);
		if (ZSTD_isError(r))
			abort();
		buf_add(z, dst, r);
		free(dst);
		if (p[0] & 2)
			buf_add(z, skip, sizeof(skip));
	}
	ZSTD_freeCCtx(cc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 z = { NULL, 0, 0 }, plain = { NULL, 0, 0 };
	struct buf	 ref = { NULL, 0, 0 }, got = { NULL, 0, 0 }, a, b;
	struct input_opts o = { .buf_size = (size_t)512 << 10 };
	int		 rrc, mrc, nbufs;

	if (size < 1)
		return 0;
	nbufs = 2 + (data[0] >> 1 & 3);
	if (data[0] & 1) {
		make_frames(data + 1, size - 1, &plain, &z);
		if (z.len == 0)
			goto out;
		rrc = 0;
		ref = plain;
		plain.p = NULL;
	} else {
		buf_add(&z, data + 1, size - 1);
		/* only what the input stage takes for zstd (input.c) */
		if (z.len < 4 || !zstd_magic((const uint8_t *)z.p) ||
		    (rrc = ref_decode((const uint8_t *)z.p, z.len,
		    &ref)) == 1)
			goto out;
	}
	o.nbufs = nbufs;
	mrc = mxt_read(z.p, z.len, &o, FMT_ZSTD, &got);
	if (rrc == -1) {
		if (mrc != -1) {
			fprintf(stderr, "libzstd refuses it, mxtally not\n");
			abort();
		}
		goto out;
	}
	if (mrc != 0) {
		fprintf(stderr, "mxtally refuses what libzstd reads\n");
		abort();
	}
	a = lines_cut(&ref);
	b = lines_cut(&got);
	if (a.len != b.len || (a.len > 0 && memcmp(a.p, b.p, a.len) != 0)) {
		fprintf(stderr, "lines differ: libzstd %zu bytes, mxtally %zu\n",
		    a.len, b.len);
		abort();
	}
	free(a.p);
	free(b.p);
out:
	free(z.p);
	free(plain.p);
	free(ref.p);
	free(got.p);
	return 0;
}
