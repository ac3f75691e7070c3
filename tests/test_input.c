/*
 * Tests for the input stage: every way in (mapped file, --no-mmap
 * stream, gzip, zstd, stdin pipe) must give back exactly the bytes that
 * went in, cut into chunks of whole lines, and every damaged input must
 * deliver the good chunks before it and then fail with a named reason.
 * Test files live in a fresh mkdtemp directory per test.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <criterion/criterion.h>

#include "mxtally/input.h"

#define MIB		((size_t)1 << 20)
#define BUF_DEFAULT	(4 * MIB)	/* stream pool buffer, see input.h */

static char	tmpdir[64];
static void	*owned[256];		/* test buffers, freed at teardown */

static void
tmp_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxt-input-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static void
tmp_teardown(void)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 i;

	if ((d = opendir(tmpdir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(tmpdir);
	for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		free(owned[i]);
}

TestSuite(input, .init = tmp_setup, .fini = tmp_teardown);

/* A growing byte buffer. */
struct bytes {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

/* Keeps track of a test buffer moving from old to p (old may be NULL). */
static void
own(void *old, void *p)
{
	size_t	 i;

	for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (owned[i] == old) {
			owned[i] = p;
			return;
		}
	cr_assert_fail("too many test buffers");
}

static void
bytes_add(struct bytes *b, const void *p, size_t n)
{
	char	*q;

	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		q = realloc(b->p, b->cap);
		cr_assert_not_null(q);
		own(b->p, q);
		b->p = q;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Mail-log-like lines of varied length, at least size bytes, ending '\n'. */
static struct bytes
gen_lines(size_t size, uint64_t seed)
{
	static const char	*st[] = { "sent", "deferred", "bounced" };
	struct bytes		 b = { NULL, 0, 0 };
	char			 line[1024];
	uint64_t		 x = seed | 1;
	int			 n, words, i;

	while (b.len < size) {
		n = snprintf(line, sizeof(line),
		    "Nov 21 %02u:%02u:%02u mx%u postfix/smtp[%u]: %08X: "
		    "to=<user%u@example.net>, status=%s (",
		    (unsigned)(rnd(&x) % 24), (unsigned)(rnd(&x) % 60),
		    (unsigned)(rnd(&x) % 60), (unsigned)(rnd(&x) % 9),
		    (unsigned)(rnd(&x) % 99999), (unsigned)rnd(&x),
		    (unsigned)(rnd(&x) % 5000), st[rnd(&x) % 3]);
		words = (int)(rnd(&x) % 40);
		for (i = 0; i < words; i++)
			n += snprintf(line + n, sizeof(line) - (size_t)n,
			    "w%x ", (unsigned)(rnd(&x) % 4096));
		n += snprintf(line + n, sizeof(line) - (size_t)n, ")\n");
		bytes_add(&b, line, (size_t)n);
	}
	return b;
}

static char *
tpath(const char *name)
{
	static char	 p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE	*f = fopen(path, "wb");

	cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(p, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

/* gzip with one member per part (parts split the data evenly). */
static struct bytes
gz_bytes(const struct bytes *d, int members)
{
	struct bytes	 out = { NULL, 0, 0 };
	unsigned char	 buf[65536];
	z_stream	 zs;
	size_t		 part = d->len / (size_t)members, beg, n;
	int		 i, r;

	for (i = 0; i < members; i++) {
		beg = part * (size_t)i;
		n = i == members - 1 ? d->len - beg : part;
		memset(&zs, 0, sizeof(zs));
		cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY), Z_OK);
		zs.next_in = (Bytef *)(d->p + beg);
		zs.avail_in = (uInt)n;
		do {
			zs.next_out = buf;
			zs.avail_out = sizeof(buf);
			r = deflate(&zs, Z_FINISH);
			cr_assert(r == Z_OK || r == Z_STREAM_END);
			bytes_add(&out, buf, sizeof(buf) - zs.avail_out);
		} while (r != Z_STREAM_END);
		deflateEnd(&zs);
	}
	return out;
}

/* zstd with one frame per part, with checksums. */
static struct bytes
zst_bytes(const struct bytes *d, int frames)
{
	struct bytes	 out = { NULL, 0, 0 };
	ZSTD_CCtx	*cc = ZSTD_createCCtx();
	size_t		 part = d->len / (size_t)frames, beg, n, bound, r;
	char		*buf;
	int		 i;

	cr_assert_not_null(cc);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	for (i = 0; i < frames; i++) {
		beg = part * (size_t)i;
		n = i == frames - 1 ? d->len - beg : part;
		bound = ZSTD_compressBound(n);
		buf = malloc(bound);
		r = ZSTD_compress2(cc, buf, bound, d->p + beg, n);
		cr_assert(!ZSTD_isError(r), "%s", ZSTD_getErrorName(r));
		bytes_add(&out, buf, r);
		free(buf);
	}
	ZSTD_freeCCtx(cc);
	return out;
}

struct drained {
	struct bytes	 out;
	int		 rc;
	int		 chunks;
	size_t		 max_chunk;
	size_t		 last_chunk;
	char		 err[128];
};

/*
 * Reads s to the end, checking the chunk contract on the way: chunks are
 * non-empty, only the last may lack a final '\n', offsets follow each
 * other (unless a stream cut an overlong line), file is the given index.
 */
static struct drained
drain(struct source *s, int file, int check_off)
{
	struct drained	 d;
	struct chunk	 c;
	size_t		 n;
	int		 open_line = 0;

	memset(&d, 0, sizeof(d));
	while ((d.rc = source_next(s, &c, d.err, sizeof(d.err))) == 1) {
		cr_assert(c.beg < c.end, "empty chunk");
		cr_assert(!open_line, "chunk after one without a newline");
		cr_assert_eq(c.file, file);
		if (check_off)
			cr_assert_eq(c.off, d.out.len, "chunk at %ju, expected %zu",
			    (uintmax_t)c.off, d.out.len);
		n = (size_t)(c.end - c.beg);
		open_line = c.end[-1] != '\n';
		bytes_add(&d.out, c.beg, n);
		if (n > d.max_chunk)
			d.max_chunk = n;
		d.last_chunk = n;
		d.chunks++;
		source_release(s, &c);
	}
	return d;
}

static struct drained
drain_path_off(const char *path, const struct input_opts *o,
    enum input_fmt fmt, int check_off)
{
	struct source	*s;
	struct drained	 d;
	char		 err[128] = "";

	s = source_open(path, 7, o, err, sizeof(err));
	cr_assert_not_null(s, "open %s: %s", path, err);
	cr_assert_eq(source_format(s), fmt, "format %s",
	    input_fmt_name(source_format(s)));
	d = drain(s, 7, check_off);
	source_close(s);
	return d;
}

static struct drained
drain_path(const char *path, const struct input_opts *o, enum input_fmt fmt)
{
	return drain_path_off(path, o, fmt, 1);
}

static void
assert_same(const struct drained *d, const struct bytes *want)
{
	cr_assert_eq(d->rc, 0, "rc %d: %s", d->rc, d->err);
	cr_assert_eq(d->out.len, want->len, "got %zu bytes, want %zu",
	    d->out.len, want->len);
	cr_assert(want->len == 0 || memcmp(d->out.p, want->p, want->len) == 0,
	    "content differs");
}

static const struct input_opts	opt_mmap = { 0 };
static const struct input_opts	opt_stream = { .no_mmap = 1 };

Test(input, mmap_roundtrip, .timeout = 60)
{
	struct bytes	 data = gen_lines(10 * MIB, 1);
	struct drained	 d;

	write_file(tpath("plain"), data.p, data.len);
	d = drain_path(tpath("plain"), &opt_mmap, FMT_PLAIN);
	assert_same(&d, &data);
	cr_assert_eq(d.chunks, 3);
	cr_assert_lt(d.max_chunk, BUF_DEFAULT + 1024);
}

/*
 * With jobs set, a mapped file's chunks grow to size / (jobs * 16), from
 * chunk_size up to 4 times it: a 1 MiB file with 2 jobs and a 4096-byte
 * chunk_size gets 16 KiB chunks (32 KiB wanted, capped), so about 64;
 * a 64 KiB file keeps 4096-byte ones (2 KiB wanted), so about 16. The
 * last ones shrink to a quarter of what is left (half a job's share),
 * down to a sixteenth of a chunk: a few more, and the very last small.
 */
Test(input, mmap_chunks_grow_with_jobs, .timeout = 60)
{
	struct input_opts	 o = { .chunk_size = 4096, .jobs = 2 };
	struct bytes		 big = gen_lines(MIB, 3), small = gen_lines(64 * 1024, 4);
	struct drained		 d;

	write_file(tpath("plain"), big.p, big.len);
	d = drain_path(tpath("plain"), &o, FMT_PLAIN);
	assert_same(&d, &big);
	cr_assert_geq(d.max_chunk, 4 * 4096, "max chunk %zu", d.max_chunk);
	cr_assert_lt(d.max_chunk, 4 * 4096 + 1024);
	cr_assert_leq(d.chunks, big.len / (4 * 4096) + 16, "%d chunks", d.chunks);
	cr_assert_lt(d.last_chunk, 2 * 1024, "last chunk %zu", d.last_chunk);
	write_file(tpath("plain"), small.p, small.len);
	d = drain_path(tpath("plain"), &o, FMT_PLAIN);
	assert_same(&d, &small);
	cr_assert_lt(d.max_chunk, 4096 + 1024, "max chunk %zu", d.max_chunk);
	cr_assert_geq(d.chunks, small.len / (4096 + 1024), "%d chunks", d.chunks);
}

Test(input, mmap_small_chunks, .timeout = 60)
{
	struct input_opts	 o = { .chunk_size = 4096 };
	struct bytes		 data = gen_lines(MIB, 2);
	struct drained		 d;

	write_file(tpath("plain"), data.p, data.len);
	d = drain_path(tpath("plain"), &o, FMT_PLAIN);
	assert_same(&d, &data);
	/* Every chunk but the last reaches the target: no tiny chunks. */
	cr_assert_leq(d.chunks, data.len / 4096 + 1, "%d chunks", d.chunks);
	cr_assert_geq(d.chunks, data.len / (4096 + 1024), "only %d chunks",
	    d.chunks);
	cr_assert_lt(d.max_chunk, 4096 + 1024);
}

Test(input, stream_roundtrip, .timeout = 60)
{
	struct bytes	 data = gen_lines(10 * MIB, 3);
	struct drained	 d;

	write_file(tpath("plain"), data.p, data.len);
	d = drain_path(tpath("plain"), &opt_stream, FMT_PLAIN);
	assert_same(&d, &data);
	cr_assert_geq(d.chunks, 3);
	cr_assert_leq(d.max_chunk, BUF_DEFAULT);
}

Test(input, stream_small_pool, .timeout = 60)
{
	struct input_opts	 o = { .no_mmap = 1, .chunk_size = 4096, .nbufs = 1 };	/* clamped to 2 */
	struct bytes		 data = gen_lines(9 * MIB, 4);
	struct drained		 d;

	write_file(tpath("plain"), data.p, data.len);
	d = drain_path(tpath("plain"), &o, FMT_PLAIN);
	assert_same(&d, &data);
}

Test(input, gzip_roundtrip, .timeout = 60)
{
	struct bytes	 data = gen_lines(10 * MIB, 5);
	struct bytes	 gz = gz_bytes(&data, 1);
	struct drained	 d;
	struct source	*s;
	char		 err[128];

	write_file(tpath("log.txt"), gz.p, gz.len);	/* not named .gz */
	d = drain_path(tpath("log.txt"), &opt_mmap, FMT_GZIP);
	assert_same(&d, &data);
	cr_assert_geq(d.chunks, 3);

	s = source_open(tpath("log.txt"), 0, NULL, err, sizeof(err));
	cr_assert_not_null(s);
	d = drain(s, 0, 1);
	cr_assert_eq(source_bytes(s), gz.len, "read %ju of %zu",
	    (uintmax_t)source_bytes(s), gz.len);
	source_close(s);
}

Test(input, gzip_multi_member, .timeout = 60)
{
	struct bytes	 data = gen_lines(10 * MIB, 6);
	struct bytes	 empty = { NULL, 0, 0 };
	struct bytes	 gz = gz_bytes(&data, 5), gz0 = gz_bytes(&empty, 1);
	struct bytes	 all = { NULL, 0, 0 };
	struct drained	 d;

	/* Five members, an empty member, five more: as gzip -d sees them. */
	bytes_add(&all, gz.p, gz.len);
	bytes_add(&all, gz0.p, gz0.len);
	bytes_add(&all, gz.p, gz.len);
	write_file(tpath("multi"), all.p, all.len);
	d = drain_path(tpath("multi"), &opt_stream, FMT_GZIP);
	cr_assert_eq(d.rc, 0, "%s", d.err);
	cr_assert_eq(d.out.len, 2 * data.len, "got %zu", d.out.len);
	cr_assert(memcmp(d.out.p, data.p, data.len) == 0);
	cr_assert(memcmp(d.out.p + data.len, data.p, data.len) == 0);
}

Test(input, gzip_command, .timeout = 60)
{
	struct bytes	 data = gen_lines(3 * MIB, 7);
	struct drained	 d;
	char		 cmd[512];

	/* Made by gzip(1) in two runs, appended: a real multi-member file. */
	write_file(tpath("a"), data.p, data.len / 2);
	write_file(tpath("b"), data.p + data.len / 2, data.len - data.len / 2);
	snprintf(cmd, sizeof(cmd), "cd %s && gzip -c a > x && gzip -c b >> x",
	    tmpdir);
	cr_assert_eq(system(cmd), 0);
	d = drain_path(tpath("x"), &opt_mmap, FMT_GZIP);
	assert_same(&d, &data);
}

Test(input, zstd_roundtrip, .timeout = 60)
{
	struct bytes	 data = gen_lines(10 * MIB, 8);
	struct bytes	 zst = zst_bytes(&data, 1);
	struct drained	 d;

	write_file(tpath("log"), zst.p, zst.len);
	d = drain_path(tpath("log"), &opt_mmap, FMT_ZSTD);
	assert_same(&d, &data);
	cr_assert_geq(d.chunks, 3);
}

Test(input, zstd_multi_frame, .timeout = 60)
{
	struct bytes	 data = gen_lines(10 * MIB, 9);
	struct bytes	 zst = zst_bytes(&data, 7);
	struct drained	 d;
	char		 cmd[512];

	write_file(tpath("log"), zst.p, zst.len);
	d = drain_path(tpath("log"), &opt_stream, FMT_ZSTD);
	assert_same(&d, &data);

	/* And a file made by zstd(1), with its checksum, appended twice. */
	write_file(tpath("p"), data.p, data.len);
	snprintf(cmd, sizeof(cmd), "cd %s && zstd -q -c p > z && "
	    "zstd -q -c p >> z", tmpdir);
	cr_assert_eq(system(cmd), 0);
	d = drain_path(tpath("z"), &opt_stream, FMT_ZSTD);
	cr_assert_eq(d.rc, 0, "%s", d.err);
	cr_assert_eq(d.out.len, 2 * data.len);
	cr_assert(memcmp(d.out.p + data.len, data.p, data.len) == 0);
}

/* One zstd frame of p with the given window log, appended to out. */
static void
zst_frame_wlog(struct bytes *out, const char *p, size_t n, int wlog)
{
	ZSTD_CCtx	*cc = ZSTD_createCCtx();
	size_t		 bound = ZSTD_compressBound(n), r;
	char		*buf = malloc(bound);

	cr_assert_not_null(cc);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, wlog);
	r = ZSTD_compress2(cc, buf, bound, p, n);
	cr_assert(!ZSTD_isError(r), "%s", ZSTD_getErrorName(r));
	bytes_add(out, buf, r);
	free(buf);
	ZSTD_freeCCtx(cc);
}

/* n bytes of gen_lines(period) over and over: matches period bytes back */
static struct bytes
repeating(size_t n, size_t period, uint64_t seed)
{
	struct bytes	 unit = gen_lines(period, seed), b = { NULL, 0, 0 };

	while (b.len < n)
		bytes_add(&b, unit.p, unit.len);
	return b;
}

/*
 * Frames decoded in place (windows up to 2 MiB: blocks refer back across
 * pool buffers), one whose 8 MiB window needs libzstd's own buffer, a
 * 1 KiB window (small blocks) and a skippable frame between them, read
 * with the default pool and with two buffers.
 */
Test(input, zstd_windows_and_skippable, .timeout = 20)
{
	struct bytes	 far = repeating(12 * MIB, 3 * MIB, 31);
	struct bytes	 near = repeating(9 * MIB, 3 * MIB / 2, 32);
	struct bytes	 tiny = gen_lines(MIB, 33), all = { NULL, 0, 0 };
	struct bytes	 zst = { NULL, 0, 0 };
	struct input_opts o2 = { .nbufs = 2 };
	struct drained	 d;
	unsigned char	 skip[8 + 100] = { 0x50, 0x2a, 0x4d, 0x18, 100, 0, 0, 0 };

	zst_frame_wlog(&zst, far.p, far.len, 23);
	bytes_add(&zst, skip, sizeof(skip));
	zst_frame_wlog(&zst, near.p, near.len, 21);
	zst_frame_wlog(&zst, tiny.p, tiny.len, 10);
	bytes_add(&all, far.p, far.len);
	bytes_add(&all, near.p, near.len);
	bytes_add(&all, tiny.p, tiny.len);
	write_file(tpath("w.zst"), zst.p, zst.len);
	d = drain_path(tpath("w.zst"), &opt_mmap, FMT_ZSTD);
	assert_same(&d, &all);
	d = drain_path(tpath("w.zst"), &o2, FMT_ZSTD);
	assert_same(&d, &all);
}

/*
 * A file that starts with a skippable frame (pzstd writes one, any of
 * the 16 magic numbers 0x184D2A50..5F) is zstd, not plain text.
 */
Test(input, zstd_skippable_first, .timeout = 60)
{
	struct bytes	 data = gen_lines(MIB, 34), zst;
	struct drained	 d;
	unsigned char	 skip[8 + 4] = { 0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0 };
	int		 m;

	for (m = 0; m < 16; m += 15) {
		zst = (struct bytes){ NULL, 0, 0 };
		skip[0] = (unsigned char)(0x50 + m);
		bytes_add(&zst, skip, sizeof(skip));
		zst_frame_wlog(&zst, data.p, data.len, 20);
		write_file(tpath("k.zst"), zst.p, zst.len);
		d = drain_path(tpath("k.zst"), &opt_mmap, FMT_ZSTD);
		assert_same(&d, &data);
		d = drain_path(tpath("k.zst"), &opt_stream, FMT_ZSTD);
		assert_same(&d, &data);
	}
}

/* Each line cut to INPUT_LINE_MAX + 1 bytes, as workers see them. */
static struct bytes
lines_cut(const struct bytes *b)
{
	struct bytes	 out = { NULL, 0, 0 };
	const char	*p = b->p, *end = b->p + b->len, *nl;
	size_t		 n;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		bytes_add(&out, p, n < INPUT_LINE_MAX + 1 ? n : INPUT_LINE_MAX + 1);
		bytes_add(&out, "\n", 1);
		p += n + 1;
	}
	return out;
}

/*
 * Decoded in place, a partial line of a quarter buffer or more is not
 * carried but cut (its head and '\n', the rest skipped): the lines that
 * workers see are the same as from the file itself.
 */
Test(input, zstd_inplace_long_lines, .timeout = 20)
{
	struct bytes	 data = { NULL, 0, 0 }, zst = { NULL, 0, 0 };
	struct bytes	 want, got;
	struct drained	 d;
	char		*x = malloc(3 * MIB + 64);
	size_t		 len[] = { 100, 70000, MIB / 2, 3 * MIB / 2, 3 * MIB };
	int		 i;

	memset(x, 'x', 3 * MIB + 64);
	for (i = 0; i < 40; i++) {
		bytes_add(&data, "short line\n", 11);
		bytes_add(&data, x, len[i % 5] + (size_t)i);
		bytes_add(&data, "\n", 1);
	}
	zst_frame_wlog(&zst, data.p, data.len, 21);
	write_file(tpath("l.zst"), zst.p, zst.len);
	d = drain_path_off(tpath("l.zst"), &opt_mmap, FMT_ZSTD, 0);
	cr_assert_eq(d.rc, 0, "%s", d.err);
	want = lines_cut(&data);
	got = lines_cut(&d.out);
	cr_assert_eq(got.len, want.len, "got %zu, want %zu", got.len, want.len);
	cr_assert(memcmp(got.p, want.p, want.len) == 0);
	free(x);
}

/*
 * A size sweep: files that end just before, at and after the pool's
 * buffer ends, each one frame as zstd -3 writes it. The frame's last
 * block needs room in the buffer like any other block: without it,
 * libzstd refused the valid file ("Destination buffer is too small")
 * for many of these sizes.
 */
Test(input, zstd_size_sweep, .timeout = 60)
{
	struct bytes	 data = gen_lines(12 * MIB + MIB / 2, 41), part, zst;
	struct drained	 d;
	const char	*nl;
	size_t		 base[] = { 4 * MIB, 8 * MIB, 12 * MIB }, n;
	int		 i, k;

	for (i = 0; i < 3; i++)
		for (k = -3; k < 12; k++) {
			n = base[i] + (size_t)(k * 20011);
			nl = memchr(data.p + n, '\n', data.len - n);
			cr_assert_not_null(nl);
			part = (struct bytes){ data.p, (size_t)(nl + 1 - data.p),
			    0 };
			zst = (struct bytes){ NULL, 0, 0 };
			zst_frame_wlog(&zst, part.p, part.len, 21);
			write_file(tpath("s.zst"), zst.p, zst.len);
			d = drain_path(tpath("s.zst"), &opt_mmap, FMT_ZSTD);
			cr_assert_eq(d.rc, 0, "%zu bytes: %s", part.len, d.err);
			assert_same(&d, &part);
			own(zst.p, NULL);
			own(d.out.p, NULL);
			free(zst.p);
			free(d.out.p);
		}
}

Test(input, empty_file, .timeout = 60)
{
	struct bytes		 empty = { NULL, 0, 0 };
	struct bytes		 gz = gz_bytes(&empty, 1);
	struct bytes		 zst = zst_bytes(&empty, 1);
	struct drained		 d;

	write_file(tpath("e"), "", 0);
	d = drain_path(tpath("e"), &opt_mmap, FMT_PLAIN);
	cr_assert_eq(d.chunks, 0);
	assert_same(&d, &empty);
	d = drain_path(tpath("e"), &opt_stream, FMT_PLAIN);
	cr_assert_eq(d.chunks, 0);
	assert_same(&d, &empty);
	write_file(tpath("e.gz"), gz.p, gz.len);
	d = drain_path(tpath("e.gz"), &opt_mmap, FMT_GZIP);
	cr_assert_eq(d.chunks, 0);
	assert_same(&d, &empty);
	write_file(tpath("e.zst"), zst.p, zst.len);
	d = drain_path(tpath("e.zst"), &opt_mmap, FMT_ZSTD);
	cr_assert_eq(d.chunks, 0);
	assert_same(&d, &empty);
}

Test(input, no_trailing_newline, .timeout = 60)
{
	struct bytes		 data = gen_lines(6 * MIB, 10);
	struct bytes		 small = { NULL, 0, 0 }, gz;
	const struct input_opts	*o[] = { &opt_mmap, &opt_stream };
	struct drained		 d;
	int			 i;

	bytes_add(&data, "the last line", 13);
	bytes_add(&small, "a\nb", 3);
	write_file(tpath("big"), data.p, data.len);
	write_file(tpath("small"), small.p, small.len);
	for (i = 0; i < 2; i++) {
		d = drain_path(tpath("big"), o[i], FMT_PLAIN);
		assert_same(&d, &data);
		d = drain_path(tpath("small"), o[i], FMT_PLAIN);
		assert_same(&d, &small);
	}
	gz = gz_bytes(&data, 1);
	write_file(tpath("big.gz"), gz.p, gz.len);
	d = drain_path(tpath("big.gz"), &opt_mmap, FMT_GZIP);
	assert_same(&d, &data);
}

/* "first\n", n bytes of 'x', tail: a line too long for a stream buffer. */
static struct bytes
long_line(size_t n, const char *tail)
{
	struct bytes	 b = { NULL, 0, 0 };
	char		*x = malloc(n);

	memset(x, 'x', n);
	bytes_add(&b, "first\n", 6);
	bytes_add(&b, x, n);
	bytes_add(&b, tail, strlen(tail));
	free(x);
	return b;
}

/* What a stream delivers for long_line(n, tail) when n is overlong. */
static struct bytes
long_line_cut(const char *after)
{
	return long_line(INPUT_LINE_MAX + 1, after);
}

static void
check_long_line(const char *path, const struct input_opts *o,
    enum input_fmt fmt, size_t n)
{
	struct bytes	 want = long_line_cut("\nafter 1\nafter 2\n");
	struct source	*s;
	struct drained	 d;
	struct chunk	 c;
	uint64_t	 off = UINT64_MAX;
	char		 err[128];

	s = source_open(path, 0, o, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(source_format(s), fmt);
	d = drain(s, 0, 0);
	source_close(s);
	assert_same(&d, &want);
	/* The line after the cut one starts a chunk at its true offset. */
	s = source_open(path, 0, o, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	while (source_next(s, &c, err, sizeof(err)) == 1) {
		if (c.end - c.beg >= 7 && memcmp(c.beg, "after 1", 7) == 0)
			off = c.off;
		source_release(s, &c);
	}
	source_close(s);
	cr_assert_eq(off, 6 + n + 1, "after 1 at %ju", (uintmax_t)off);
}

Test(input, long_line_stream, .timeout = 60)
{
	size_t		 n = 10 * 1000 * 1000;
	struct bytes	 data = long_line(n, "\nafter 1\nafter 2\n");
	struct bytes	 gz = gz_bytes(&data, 1);
	struct bytes	 zst = zst_bytes(&data, 1);
	struct drained	 d;

	write_file(tpath("long"), data.p, data.len);
	check_long_line(tpath("long"), &opt_stream, FMT_PLAIN, n);
	write_file(tpath("long.gz"), gz.p, gz.len);
	check_long_line(tpath("long.gz"), &opt_mmap, FMT_GZIP, n);
	write_file(tpath("long.zst"), zst.p, zst.len);
	check_long_line(tpath("long.zst"), &opt_mmap, FMT_ZSTD, n);

	/* A mapped file keeps the line whole. */
	d = drain_path(tpath("long"), &opt_mmap, FMT_PLAIN);
	assert_same(&d, &data);
}

Test(input, long_line_at_eof, .timeout = 60)
{
	struct bytes	 data = long_line(10 * MIB, "");
	struct bytes	 want = long_line_cut("\n");
	struct drained	 d;

	write_file(tpath("long"), data.p, data.len);
	d = drain_path(tpath("long"), &opt_stream, FMT_PLAIN);
	assert_same(&d, &want);
}

Test(input, long_line_buffer_edge, .timeout = 60)
{
	struct bytes	 fits = long_line(BUF_DEFAULT - 1, "\nend\n");
	struct bytes	 over = long_line(BUF_DEFAULT, "\nend\n");
	struct bytes	 want = long_line_cut("\nend\n");
	struct drained	 d;

	/* After "first\n" is delivered, the line fills a buffer exactly. */
	write_file(tpath("fits"), fits.p, fits.len);
	d = drain_path(tpath("fits"), &opt_stream, FMT_PLAIN);
	assert_same(&d, &fits);
	write_file(tpath("over"), over.p, over.len);
	d = drain_path_off(tpath("over"), &opt_stream, FMT_PLAIN, 0);
	cr_assert_eq(d.rc, 0);
	cr_assert_eq(d.out.len, want.len, "got %zu", d.out.len);
	cr_assert(memcmp(d.out.p, want.p, want.len) == 0);
}

Test(input, binary_passes_through, .timeout = 60)
{
	static const char	 junk[] = "CRLF line\r\nnul\0in\0line\n"
	    "bad utf8 \xc3\x28 \xff\xfe\n\r\r\n\n\0\n";
	struct bytes		 data = { NULL, 0, 0 }, gz, zst;
	struct drained		 d;

	while (data.len < 6 * MIB)
		bytes_add(&data, junk, sizeof(junk) - 1);
	write_file(tpath("bin"), data.p, data.len);
	d = drain_path(tpath("bin"), &opt_mmap, FMT_PLAIN);
	assert_same(&d, &data);
	d = drain_path(tpath("bin"), &opt_stream, FMT_PLAIN);
	assert_same(&d, &data);
	gz = gz_bytes(&data, 1);
	write_file(tpath("bin.gz"), gz.p, gz.len);
	d = drain_path(tpath("bin.gz"), &opt_stream, FMT_GZIP);
	assert_same(&d, &data);
	zst = zst_bytes(&data, 1);
	write_file(tpath("bin.zst"), zst.p, zst.len);
	d = drain_path(tpath("bin.zst"), &opt_stream, FMT_ZSTD);
	assert_same(&d, &data);
}

/* Damaged input: good whole lines first, then -1 and the reason. */
static void
check_damaged(const struct bytes *data, const struct drained *d,
    const char *msg, int prefix_only)
{
	cr_assert_eq(d->rc, -1, "rc %d", d->rc);
	cr_assert(strncmp(d->err, msg, strlen(msg)) == 0, "error \"%s\"",
	    d->err);
	cr_assert_gt(d->chunks, 0, "no chunk before the error");
	cr_assert_gt(d->out.len, 0);
	if (prefix_only) {
		/* Corrupt data may decode to garbage before it is caught. */
		cr_assert(memcmp(d->out.p, data->p, MIB) == 0);
		return;
	}
	cr_assert_lt(d->out.len, data->len);
	cr_assert(memcmp(d->out.p, data->p, d->out.len) == 0);
	cr_assert_eq(d->out.p[d->out.len - 1], '\n');
}

Test(input, truncated_gzip, .timeout = 60)
{
	struct bytes	 data = gen_lines(16 * MIB, 11);
	struct bytes	 gz = gz_bytes(&data, 1);
	struct drained	 d;

	write_file(tpath("t.gz"), gz.p, gz.len / 2);
	d = drain_path(tpath("t.gz"), &opt_mmap, FMT_GZIP);
	check_damaged(&data, &d, "truncated gzip stream", 0);
	cr_assert_str_eq(d.err, "truncated gzip stream");
	/* Cut inside the 10-byte header of a second member. */
	bytes_add(&gz, gz.p, 5);
	write_file(tpath("t2.gz"), gz.p, gz.len);
	d = drain_path(tpath("t2.gz"), &opt_mmap, FMT_GZIP);
	cr_assert_eq(d.rc, -1);
	cr_assert_str_eq(d.err, "truncated gzip stream");
	cr_assert_eq(d.out.len, data.len);
}

/*
 * bzip2, xz and lz4 as their tools write them: two streams appended (as
 * `cmd -c >>` or a parallel compressor leaves them), read through two
 * pool buffers; half of the file is "truncated NAME stream" with the
 * lines before the cut; lz4 -l's legacy format is refused by name.
 * Before these decoders the files were read as text, junk lines.
 */
Test(input, bzip2_xz_lz4_command, .timeout = 120)
{
	static const struct {
		const char	*tool;
		const char	*name;
		enum input_fmt	 fmt;
	} c[] = {
		{ "bzip2", "bzip2", FMT_BZIP2 },
		{ "xz", "xz", FMT_XZ },
		{ "lz4 -q", "lz4", FMT_LZ4 },
	};
	struct bytes	 data = gen_lines(9 * MIB, 8);
	struct input_opts o2 = { .nbufs = 2 };
	struct drained	 d;
	char		 cmd[512], msg[64];
	size_t		 i;

	write_file(tpath("a"), data.p, data.len / 3);
	write_file(tpath("b"), data.p + data.len / 3, data.len - data.len / 3);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cd %s && %s -c a > x && %s -c b "
		    ">> x && head -c $(($(wc -c < x) / 2)) x > t", tmpdir,
		    c[i].tool, c[i].tool);
		cr_assert_eq(system(cmd), 0, "%s", cmd);
		d = drain_path(tpath("x"), &opt_mmap, c[i].fmt);
		assert_same(&d, &data);
		d = drain_path(tpath("x"), &o2, c[i].fmt);
		assert_same(&d, &data);
		d = drain_path(tpath("t"), &opt_mmap, c[i].fmt);
		snprintf(msg, sizeof(msg), "truncated %s stream", c[i].name);
		check_damaged(&data, &d, msg, 0);
	}
	snprintf(cmd, sizeof(cmd), "cd %s && lz4 -q -l -c a > l", tmpdir);
	cr_assert_eq(system(cmd), 0);
	{
		char	 err[128] = "";

		cr_assert_null(source_open(tpath("l"), 0, &opt_mmap, err,
		    sizeof(err)));
		cr_assert(strstr(err, "lz4 legacy format") != NULL, "%s", err);
	}
}

Test(input, truncated_zstd, .timeout = 60)
{
	struct bytes	 data = gen_lines(16 * MIB, 12);
	struct bytes	 zst = zst_bytes(&data, 1);
	struct drained	 d;

	write_file(tpath("t.zst"), zst.p, zst.len / 2);
	d = drain_path(tpath("t.zst"), &opt_mmap, FMT_ZSTD);
	check_damaged(&data, &d, "truncated zstd stream", 0);
	cr_assert_str_eq(d.err, "truncated zstd stream");
	/* Just the magic of a second frame. */
	bytes_add(&zst, zst.p, 4);
	write_file(tpath("t2.zst"), zst.p, zst.len);
	d = drain_path(tpath("t2.zst"), &opt_mmap, FMT_ZSTD);
	cr_assert_eq(d.rc, -1);
	cr_assert_str_eq(d.err, "truncated zstd stream");
	cr_assert_eq(d.out.len, data.len);
}

Test(input, corrupt_gzip, .timeout = 60)
{
	struct bytes	 data = gen_lines(16 * MIB, 13);
	struct bytes	 gz = gz_bytes(&data, 1);
	struct drained	 d;

	memset(gz.p + gz.len * 3 / 4, 0xff, 64);
	write_file(tpath("c.gz"), gz.p, gz.len);
	d = drain_path(tpath("c.gz"), &opt_mmap, FMT_GZIP);
	check_damaged(&data, &d, "corrupt gzip data: ", 1);
}

Test(input, corrupt_zstd, .timeout = 60)
{
	struct bytes	 data = gen_lines(16 * MIB, 14);
	struct bytes	 zst = zst_bytes(&data, 1);
	struct drained	 d;

	memset(zst.p + zst.len * 3 / 4, 0xff, 64);
	write_file(tpath("c.zst"), zst.p, zst.len);
	d = drain_path(tpath("c.zst"), &opt_mmap, FMT_ZSTD);
	check_damaged(&data, &d, "corrupt zstd data: ", 1);
}

Test(input, trailing_garbage, .timeout = 60)
{
	struct bytes	 data = gen_lines(MIB, 20);
	struct bytes	 gz = gz_bytes(&data, 1), zst = zst_bytes(&data, 1);
	struct drained	 d;

	/* gzip -d ignores what follows the last member; zstd -d refuses. */
	bytes_add(&gz, "not gzip\n", 9);
	write_file(tpath("g"), gz.p, gz.len);
	d = drain_path(tpath("g"), &opt_mmap, FMT_GZIP);
	assert_same(&d, &data);
	bytes_add(&zst, "not zstd\n", 9);
	write_file(tpath("z"), zst.p, zst.len);
	d = drain_path(tpath("z"), &opt_mmap, FMT_ZSTD);
	cr_assert_eq(d.rc, -1);
	cr_assert(strncmp(d.err, "corrupt zstd data: ", 19) == 0, "%s", d.err);
	cr_assert_eq(d.out.len, data.len);
	cr_assert(memcmp(d.out.p, data.p, data.len) == 0);
}

Test(input, open_errors, .timeout = 60)
{
	struct source	*s;
	char		 err[128] = "";

	s = source_open(tpath("nonexistent"), 0, NULL, err, sizeof(err));
	cr_assert_null(s);
	cr_assert_str_eq(err, "cannot open: No such file or directory");
	err[0] = '\0';
	s = source_open(tmpdir, 0, NULL, err, sizeof(err));
	cr_assert_null(s);
	cr_assert_str_eq(err, "is a directory");
	err[0] = '\0';
	s = source_open(tmpdir, 0, &opt_stream, err, sizeof(err));
	cr_assert_null(s);
	cr_assert_str_eq(err, "is a directory");
}

Test(input, file_facts, .timeout = 60)
{
	struct bytes	 data = gen_lines(MIB, 15);
	struct source	*s;
	struct stat	 sb;
	struct drained	 d;
	char		 err[128];

	cr_assert_str_eq(input_fmt_name(FMT_PLAIN), "plain");
	cr_assert_str_eq(input_fmt_name(FMT_GZIP), "gzip");
	cr_assert_str_eq(input_fmt_name(FMT_ZSTD), "zstd");
	write_file(tpath("f"), data.p, data.len);
	cr_assert_eq(stat(tpath("f"), &sb), 0);
	s = source_open(tpath("f"), 3, NULL, err, sizeof(err));
	cr_assert_not_null(s);
	cr_assert_eq(source_mtime(s), (int64_t)sb.st_mtime);
	d = drain(s, 3, 1);
	cr_assert_eq(source_bytes(s), data.len);
	source_close(s);
	s = source_open(tpath("f"), 3, &opt_stream, err, sizeof(err));
	d = drain(s, 3, 1);
	cr_assert_eq(source_bytes(s), data.len);
	cr_assert_eq(d.out.len, data.len);
	source_close(s);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

Test(input, pseudo_file, .timeout = 60)
{
	struct drained	 d;

	/* Size 0 in fstat, content when read: must not look empty. */
	d = drain_path("/proc/self/status", &opt_mmap, FMT_PLAIN);
	cr_assert_eq(d.rc, 0, "%s", d.err);
	cr_assert_gt(d.out.len, 0);
	cr_assert_not_null(memmem(d.out.p, d.out.len, "Name:", 5));
}

/* Puts a pipe on fd 0 and forks a child that writes p to it. */
static pid_t
stdin_from(const void *p, size_t n)
{
	int	 fd[2];
	pid_t	 pid;

	cr_assert_eq(pipe(fd), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		close(fd[0]);
		_exit(write_all(fd[1], p, n) == 0 ? 0 : 1);
	}
	close(fd[1]);
	cr_assert_neq(dup2(fd[0], STDIN_FILENO), -1);
	close(fd[0]);
	return pid;
}

static void
reap(pid_t pid)
{
	int	 status;

	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "writer failed");
}

Test(input, stdin_pipe, .timeout = 60)
{
	struct bytes	 data = gen_lines(9 * MIB, 16);
	struct source	*s;
	struct drained	 d;
	char		 err[128];
	pid_t		 pid;

	pid = stdin_from(data.p, data.len);
	s = source_open("-", 1, NULL, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(source_format(s), FMT_PLAIN);
	cr_assert_eq(source_mtime(s), 0);
	d = drain(s, 1, 1);
	source_close(s);
	reap(pid);
	assert_same(&d, &data);
	cr_assert_geq(d.chunks, 3);
	/* stdin stays open for whoever reads it next. */
	cr_assert_neq(fcntl(STDIN_FILENO, F_GETFD), -1);
}

Test(input, stdin_pipe_compressed, .timeout = 60)
{
	struct bytes	 data = gen_lines(6 * MIB, 17);
	struct bytes	 gz = gz_bytes(&data, 2), zst = zst_bytes(&data, 2);
	struct bytes	 tiny = { NULL, 0, 0 };
	struct source	*s;
	struct drained	 d;
	char		 err[128];
	pid_t		 pid;

	pid = stdin_from(gz.p, gz.len);
	s = source_open("-", 0, NULL, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(source_format(s), FMT_GZIP);
	d = drain(s, 0, 1);
	source_close(s);
	reap(pid);
	assert_same(&d, &data);

	pid = stdin_from(zst.p, zst.len);
	s = source_open("-", 0, NULL, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(source_format(s), FMT_ZSTD);
	d = drain(s, 0, 1);
	source_close(s);
	reap(pid);
	assert_same(&d, &data);

	/* Shorter than any magic: plain. */
	bytes_add(&tiny, "\x1f", 1);
	pid = stdin_from(tiny.p, tiny.len);
	s = source_open("-", 0, NULL, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(source_format(s), FMT_PLAIN);
	d = drain(s, 0, 1);
	source_close(s);
	reap(pid);
	assert_same(&d, &tiny);
}

struct next_arg {
	struct source	*s;
	struct chunk	 c;
	int		 rc;
	int		 done;		/* guarded by done_lock */
	pthread_mutex_t	 done_lock;
};

static void *
next_thread(void *arg)
{
	struct next_arg	*a = arg;
	char		 err[128];

	a->rc = source_next(a->s, &a->c, err, sizeof(err));
	pthread_mutex_lock(&a->done_lock);
	a->done = 1;
	pthread_mutex_unlock(&a->done_lock);
	return NULL;
}

Test(input, pool_blocks_until_release, .timeout = 60)
{
	struct input_opts	 o = { .no_mmap = 1, .nbufs = 2 };
	struct bytes		 data = gen_lines(20 * MIB, 18);
	struct next_arg		 a;
	struct chunk		 c1, c2;
	struct timespec		 ts = { 0, 200 * 1000 * 1000 };
	pthread_t		 t;
	void			*b1;
	char			 err[128];
	int			 done;

	write_file(tpath("p"), data.p, data.len);
	memset(&a, 0, sizeof(a));
	pthread_mutex_init(&a.done_lock, NULL);
	a.s = source_open(tpath("p"), 0, &o, err, sizeof(err));
	cr_assert_not_null(a.s, "%s", err);
	cr_assert_eq(source_next(a.s, &c1, err, sizeof(err)), 1);
	cr_assert_eq(source_next(a.s, &c2, err, sizeof(err)), 1);
	cr_assert_neq(c1.buf, c2.buf);
	pthread_create(&t, NULL, next_thread, &a);
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&a.done_lock);
	done = a.done;
	pthread_mutex_unlock(&a.done_lock);
	cr_assert_eq(done, 0, "source_next did not wait for a free buffer");
	b1 = c1.buf;
	source_release(a.s, &c1);
	pthread_join(t, NULL);
	cr_assert_eq(a.rc, 1);
	cr_assert_eq(a.c.buf, b1, "the released buffer was not reused");
	cr_assert_eq(a.c.off, c2.off + (uint64_t)(c2.end - c2.beg));
	source_release(a.s, &c2);
	source_release(a.s, &a.c);
	source_close(a.s);
}

/*
 * 200 MB through a pipe, pool of 4, two worker threads releasing chunks
 * out of order. Each chunk is checked against the repeating block at its
 * offset, so a lost, doubled or misplaced byte fails.
 */
#define QLEN	8

struct queue {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct chunk	 c[QLEN];
	int		 head, n, closed;
	struct source	*s;
	const char	*block;
	size_t		 blen;
	uint64_t	 bytes;		/* summed by the workers */
	int		 bad;
	void		*bufs[16];	/* distinct pool buffers seen */
	int		 nbufs;
};

static int
check_chunk(const struct queue *q, const struct chunk *c)
{
	size_t	 pos = (size_t)(c->off % q->blen), n;
	const char *p = c->beg;

	while (p < c->end) {
		n = q->blen - pos;
		if (n > (size_t)(c->end - p))
			n = (size_t)(c->end - p);
		if (memcmp(p, q->block + pos, n) != 0)
			return -1;
		p += n;
		pos = 0;
	}
	return 0;
}

static void *
worker(void *arg)
{
	struct queue	*q = arg;
	struct chunk	 c;
	int		 bad;

	for (;;) {
		pthread_mutex_lock(&q->lock);
		while (q->n == 0 && !q->closed)
			pthread_cond_wait(&q->cond, &q->lock);
		if (q->n == 0) {
			pthread_mutex_unlock(&q->lock);
			return NULL;
		}
		c = q->c[q->head];
		q->head = (q->head + 1) % QLEN;
		q->n--;
		pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->lock);
		bad = check_chunk(q, &c) == -1 || c.end[-1] != '\n';
		pthread_mutex_lock(&q->lock);
		q->bytes += (uint64_t)(c.end - c.beg);
		q->bad += bad;
		pthread_mutex_unlock(&q->lock);
		source_release(q->s, &c);
	}
}

static void
queue_push(struct queue *q, const struct chunk *c)
{
	int	 i;

	pthread_mutex_lock(&q->lock);
	while (q->n == QLEN)
		pthread_cond_wait(&q->cond, &q->lock);
	for (i = 0; i < q->nbufs && q->bufs[i] != c->buf; i++)
		;
	if (i == q->nbufs && q->nbufs < 16)
		q->bufs[q->nbufs++] = c->buf;
	q->c[(q->head + q->n) % QLEN] = *c;
	q->n++;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

Test(input, big_stream_bounded, .timeout = 60)
{
	struct input_opts	 o = { .no_mmap = 1, .nbufs = 4 };
	struct bytes		 block = gen_lines(MIB, 19);
	struct queue		 q;
	struct chunk		 c;
	pthread_t		 t[2];
	size_t			 total = 0, reps = 0;
	char			 err[128];
	int			 fd[2], i, rc;
	pid_t			 pid;

	while (total < 200 * 1000 * 1000) {
		total += block.len;
		reps++;
	}
	cr_assert_eq(pipe(fd), 0);
	if ((pid = fork()) == 0) {
		close(fd[0]);
		for (i = 0; i < (int)reps; i++)
			if (write_all(fd[1], block.p, block.len) == -1)
				_exit(1);
		_exit(0);
	}
	close(fd[1]);
	cr_assert_neq(dup2(fd[0], STDIN_FILENO), -1);
	close(fd[0]);

	memset(&q, 0, sizeof(q));
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.cond, NULL);
	q.block = block.p;
	q.blen = block.len;
	q.s = source_open("-", 0, &o, err, sizeof(err));
	cr_assert_not_null(q.s, "%s", err);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, &q);
	while ((rc = source_next(q.s, &c, err, sizeof(err))) == 1)
		queue_push(&q, &c);
	pthread_mutex_lock(&q.lock);
	q.closed = 1;
	pthread_cond_broadcast(&q.cond);
	pthread_mutex_unlock(&q.lock);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	source_close(q.s);
	reap(pid);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(q.bad, 0, "%d chunks differ from the input", q.bad);
	cr_assert_eq(q.bytes, total, "got %ju of %zu", (uintmax_t)q.bytes,
	    total);
	cr_assert_leq(q.nbufs, 4, "%d buffers in use, pool is 4", q.nbufs);
}
