/*
 * libFuzzer target: the gzip, bzip2, xz and lz4 decoders of the input
 * stage against the libraries' own encoders. The fuzzed text is
 * repeated to a fuzzed size (now and then just past a 512 KiB pool buffer
 * of the MXT_TESTING build), split into 1 to 4 parts, each compressed
 * here as one stream (member, frame) with a fuzzed level, and the
 * streams appended, as logrotate's compresscmd or `cat a.gz b.gz`
 * leave them. The first byte picks the codec, the number of streams,
 * mapped or streamed reading and whether the file is cut short.
 *
 *  - whole: the input stage reads it as that format, without error,
 *    and gives exactly the text's lines;
 *  - cut short: it gives no line the text does not start with (its
 *    last line may be cut), and an error comes with a message.
 *
 * Lines are compared cut to INPUT_LINE_MAX + 1 bytes, the rule of
 * input.h. fuzz_zstd does the same for zstd, also on raw .zst bytes.
 */
#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "mxtally/input.h"

#include "fuzz_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
enc_gzip(const char *s, size_t n, int level, struct buf *z)
{
	z_stream	 zs = { 0 };
	unsigned char	 out[65536];
	int		 r;

	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	zs.next_in = (unsigned char *)(uintptr_t)s;
	zs.avail_in = (uInt)n;
	do {
		zs.next_out = out;
		zs.avail_out = sizeof(out);
		if ((r = deflate(&zs, Z_FINISH)) == Z_STREAM_ERROR)
			abort();
		buf_add(z, out, sizeof(out) - zs.avail_out);
	} while (r != Z_STREAM_END);
	deflateEnd(&zs);
}

static void
enc_bzip2(const char *s, size_t n, int level, struct buf *z)
{
	unsigned int	 dlen = (unsigned int)(n + n / 100 + 600);
	char		*d = malloc(dlen);

	/* blocks of 100 or 200 kB: -9's 900 kB cost 8 MB a run */
	if (d == NULL || BZ2_bzBuffToBuffCompress(d, &dlen, (char *)(uintptr_t)s,
	    (unsigned int)n, 1 + level % 2, 0, 0) != BZ_OK)
		abort();
	buf_add(z, d, dlen);
	free(d);
}

static void
enc_xz(const char *s, size_t n, int level, struct buf *z)
{
	size_t		 cap = lzma_stream_buffer_bound(n), pos = 0;
	uint8_t		*d = malloc(cap);

	/* presets 0 and 1 (256 KiB, 1 MiB dictionaries): cheap per run */
	if (d == NULL || lzma_easy_buffer_encode((uint32_t)level % 2,
	    level & 1 ? LZMA_CHECK_CRC32 : LZMA_CHECK_CRC64, NULL,
	    (const uint8_t *)s, n, d, &pos, cap) != LZMA_OK)
		abort();
	buf_add(z, d, pos);
	free(d);
}

static void
enc_lz4(const char *s, size_t n, int level, struct buf *z)
{
	LZ4F_preferences_t	 pr;
	size_t			 cap, r;
	void			*d;

	memset(&pr, 0, sizeof(pr));
	pr.frameInfo.blockSizeID = (LZ4F_blockSizeID_t)(LZ4F_max64KB +
	    level % 4);
	pr.frameInfo.blockMode = level & 4 ? LZ4F_blockIndependent :
	    LZ4F_blockLinked;
	pr.frameInfo.contentChecksumFlag = level & 8 ?
	    LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum;
	pr.compressionLevel = level % 10;
	cap = LZ4F_compressFrameBound(n, &pr);
	if ((d = malloc(cap)) == NULL)
		abort();
	r = LZ4F_compressFrame(d, cap, s, n, &pr);
	if (LZ4F_isError(r))
		abort();
	buf_add(z, d, r);
	free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const enc[4])(const char *, size_t, int, struct buf *) =
	    { enc_gzip, enc_bzip2, enc_xz, enc_lz4 };
	static const int fmts[4] = { FMT_GZIP, FMT_BZIP2, FMT_XZ, FMT_LZ4 };
	struct buf	 plain = { NULL, 0, 0 }, z = { NULL, 0, 0 };
	struct buf	 got = { NULL, 0, 0 }, a, b;
	struct input_opts o = { .chunk_size = 4096, .nbufs = 2,
	    .buf_size = (size_t)512 << 10 };
	size_t		 total, part, beg, len, cut;
	int		 codec, streams, truncated, level, no_mmap, i, rc;

	if (size < 5)
		return 0;
	codec = data[0] & 3;
	streams = 1 + (data[0] >> 2 & 3);
	truncated = data[0] >> 4 & 1;
	no_mmap = data[0] >> 5 & 1;
	level = 1 + data[1] % 9;
	/*
	 * mostly up to 16 KiB; one input in 64 of 520 to 700 KiB, past a
	 * 512 KiB buffer (more costs seconds a run under load: timeouts)
	 */
	total = (data[2] & 0xfc) == 0xfc ? ((size_t)520 + 60 *
	    (size_t)(data[2] & 3)) << 10 : ((size_t)(data[2] & 0x3f) << 8) + 1;
	cut = (size_t)data[3] << 8 | data[4];
	data += 5;
	size -= 5;
	if (size == 0)
		return 0;
	while (plain.len < total)
		buf_add(&plain, data, size);
	part = plain.len / (size_t)streams;
	for (i = 0; i < streams; i++) {
		beg = part * (size_t)i;
		len = i == streams - 1 ? plain.len - beg : part;
		enc[codec](plain.p + beg, len, level, &z);
	}
	if (truncated && z.len > 10) {
		/*
		 * after the 10 bytes the format is told by (bzip2: "BZh",
		 * the level and a block's magic), never the whole file
		 */
		cut = 10 + cut % (z.len - 10);
		z.len = cut;
	}
	else
		truncated = 0;
	o.no_mmap = no_mmap;
	rc = mxt_read(z.p, z.len, &o, fmts[codec], &got);
	a = lines_cut(&plain);
	b = lines_cut(&got);
	if (!truncated) {
		if (rc != 0) {
			fprintf(stderr, "codec %d: refuses its own stream\n",
			    codec);
			abort();
		}
		if (a.len != b.len || (a.len > 0 &&
		    memcmp(a.p, b.p, a.len) != 0)) {
			fprintf(stderr, "codec %d: lines differ: %zu bytes, "
			    "mxtally %zu\n", codec, a.len, b.len);
			abort();
		}
	} else if (b.len > 0 && (b.len - 1 > a.len ||
	    memcmp(a.p, b.p, b.len - 1) != 0)) {
		/* the last line may be cut: all but its newline a prefix */
		fprintf(stderr, "codec %d cut at %zu: a line the text does not "
		    "hold\n", codec, cut);
		abort();
	}
	free(a.p);
	free(b.p);
	free(plain.p);
	free(z.p);
	free(got.p);
	return 0;
}
