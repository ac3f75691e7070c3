/*
 * Opening an input and choosing how to read it. source_open owns the
 * decision: "-" is stdin; a directory is refused; the format comes from
 * the first bytes (gzip 1f 8b, zstd 28 b5 2f fd or a skippable frame's
 * 5? 2a 4d 18, bzip2 "BZh", xz fd "7zXZ", lz4 04 22 4d 18), never from
 * the name; a
 * regular plain file is mapped unless --no-mmap, and everything else
 * (stdin, pipes, compressed files) is streamed through the buffer pool.
 * The public calls dispatch through the source's ops table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mxtally/input.h"
#include "mxtally/log.h"
#include "input_int.h"

#define MAGIC_MAX	10

void
input_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static enum input_fmt
detect(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return FMT_GZIP;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f &&
	    p[3] == 0xfd)
		return FMT_ZSTD;
	/* a skippable frame first (pzstd writes one): 0x184D2A5? LE */
	if (n >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d &&
	    p[3] == 0x18)
		return FMT_ZSTD;
	/* "BZh", the block size, then a block's or the end's magic */
	if (n >= 10 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' &&
	    p[3] <= '9' && (memcmp(p + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 ||
	    memcmp(p + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0))
		return FMT_BZIP2;
	if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
		return FMT_XZ;
	if (n >= 4 && memcmp(p, "\x04\x22\x4d\x18", 4) == 0)
		return FMT_LZ4;
	if (n >= 4 && memcmp(p, "\x02\x21\x4c\x18", 4) == 0)
		return FMT_LZ4_LEGACY;
	return FMT_PLAIN;
}

/*
 * A regular file is sniffed with pread so the file offset stays at 0 for
 * the stream path; -1 with a message in err.
 */
static int
sniff_file(struct source *s, enum input_fmt *fmt, char *err, size_t errlen)
{
	unsigned char	 magic[MAGIC_MAX];
	ssize_t		 n;

	do
		n = pread(s->fd, magic, sizeof(magic), 0);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		input_seterr(err, errlen, "read error: %s", strerror(errno));
		return -1;
	}
	*fmt = detect(magic, (size_t)n);
	return 0;
}

static int
open_fd(struct source *s, const char *path, struct stat *sb, char *err,
    size_t errlen)
{
	if (strcmp(path, "-") == 0) {
		s->fd = STDIN_FILENO;
		s->own_fd = 0;
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd == -1) {
			input_seterr(err, errlen, "cannot open: %s",
			    strerror(errno));
			return -1;
		}
		s->own_fd = 1;
	}
	if (fstat(s->fd, sb) == -1) {
		input_seterr(err, errlen, "cannot stat: %s", strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb->st_mode)) {
		input_seterr(err, errlen, "is a directory");
		return -1;
	}
	s->mtime = s->own_fd ? (int64_t)sb->st_mtim.tv_sec : 0;
	return 0;
}

static int
open_stream(struct source *s, const struct input_opts *o, char *err,
    size_t errlen)
{
	const struct decoder	*dec;

	if (stream_open(s, o, MAGIC_MAX, err, errlen) == -1)
		return -1;
	s->fmt = detect(s->st.in, s->st.in_len);
	switch (s->fmt) {
	case FMT_GZIP:
		dec = &decoder_gzip;
		break;
	case FMT_ZSTD:
		dec = &decoder_zstd;
		break;
	case FMT_BZIP2:
		dec = &decoder_bzip2;
		break;
	case FMT_XZ:
		dec = &decoder_xz;
		break;
	case FMT_LZ4:
		dec = &decoder_lz4;
		break;
	case FMT_LZ4_LEGACY:
		input_seterr(err, errlen, "lz4 legacy format (lz4 -l) is not "
		    "supported: recompress with lz4 (frame format)");
		return -1;
	default:
		dec = &decoder_plain;
		break;
	}
	return stream_start(s, dec, err, errlen);
}

/*
 * Chunks of a mapped file: bigger ones for a big file (each chunk ends
 * the chunk-local queue-id joins, whose leftovers are settled serially
 * after the scan: 16 MiB chunks made a 1 GiB run at -j2 4 % faster than
 * 4 MiB ones), but still 16 a worker so that the last ones even out;
 * from chunk (the stream buffer size) to 4 times that. Mapped chunks
 * cost no memory of their own.
 */
static size_t
map_chunk(size_t chunk, uint64_t size, int jobs)
{
	uint64_t	 c = size / ((uint64_t)jobs * 16);

	if (c < chunk)
		return chunk;
	return c > 4 * (uint64_t)chunk ? 4 * chunk : (size_t)c;
}

struct source *
source_open(const char *path, int file, const struct input_opts *o,
    char *err, size_t errlen)
{
	struct source	*s;
	struct stat	 sb;
	enum input_fmt	 fmt;
	int		 no_mmap = o != NULL && o->no_mmap;

	s = xcalloc(1, sizeof(*s));
	s->fd = -1;
	s->file = file;
	s->chunk_size = o != NULL && o->chunk_size ? o->chunk_size :
	    INPUT_CHUNK_DEFAULT;
	atomic_init(&s->bytes, 0);
	if (open_fd(s, path, &sb, err, errlen) == -1)
		goto fail;
	/* Size 0 may be a pseudo-file (/proc) that reads as a stream. */
	if (S_ISREG(sb.st_mode) && sb.st_size > 0 && s->own_fd && !no_mmap) {
		if (sniff_file(s, &fmt, err, errlen) == -1)
			goto fail;
		if (fmt == FMT_PLAIN) {
			s->fmt = FMT_PLAIN;
			if (o != NULL && o->jobs > 0) {
				s->chunk_size = map_chunk(s->chunk_size,
				    (uint64_t)sb.st_size, o->jobs);
				s->jobs = o->jobs;
			}
			if (map_open(s, sb.st_size, err, errlen) == -1)
				goto fail;
			return s;
		}
	}
	if (open_stream(s, o, err, errlen) == -1)
		goto fail;
	return s;
fail:
	if (s->ops != NULL)
		s->ops->close(s);
	else {
		if (s->own_fd && s->fd != -1)
			close(s->fd);
		free(s);
	}
	return NULL;
}

int
source_next(struct source *s, struct chunk *c, char *err, size_t errlen)
{
	return s->ops->next(s, c, err, errlen);
}

void
source_release(struct source *s, struct chunk *c)
{
	s->ops->release(s, c);
}

void
source_close(struct source *s)
{
	if (s != NULL)
		s->ops->close(s);
}

enum input_fmt
source_format(const struct source *s)
{
	return s->fmt;
}

const char *
input_fmt_name(enum input_fmt f)
{
	switch (f) {
	case FMT_PLAIN:
		return "plain";
	case FMT_GZIP:
		return "gzip";
	case FMT_ZSTD:
		return "zstd";
	case FMT_BZIP2:
		return "bzip2";
	case FMT_XZ:
		return "xz";
	case FMT_LZ4:
	case FMT_LZ4_LEGACY:
		return "lz4";
	}
	return "unknown";
}

uint64_t
source_bytes(const struct source *s)
{
	return atomic_load_explicit(&s->bytes, memory_order_relaxed);
}

int64_t
source_mtime(const struct source *s)
{
	return s->mtime;
}
