/*
 * Input sources: a regular file mapped whole, or a stream (stdin, pipe,
 * --no-mmap, gzip, zstd, bzip2, xz, lz4) read into a small pool of large buffers. Either
 * way the source hands out chunks that hold whole lines only, in order.
 * Format is detected by magic bytes, never by name.
 *
 * Threading: source_next is called by one producer thread; source_release
 * may be called from any worker thread. Memory is bounded by the pool.
 */
#ifndef MXTALLY_INPUT_H
#define MXTALLY_INPUT_H

#include <stddef.h>
#include <stdint.h>

enum input_fmt {
	FMT_PLAIN,
	FMT_GZIP,
	FMT_ZSTD,
	FMT_BZIP2,
	FMT_XZ,
	FMT_LZ4,
	FMT_LZ4_LEGACY		/* refused: lz4 -l */
};

struct input_opts {
	int		 no_mmap;	/* stream regular files too */
	size_t		 chunk_size;	/* target chunk bytes; 0 = default */
	int		 nbufs;		/* stream pool size; 0 = default */
	int		 jobs;		/* workers sharing a mapped file's chunks:
					   bigger for big files; 0 = chunk_size */
	size_t		 buf_size;	/* stream pool buffer bytes; 0 = the
					   larger of chunk_size and 4 MiB */
};

/*
 * A run of whole lines [beg, end). The last line may lack its newline
 * only at end of input. Lines may be of any length in a mapped file; a
 * stream source that meets a line longer than its buffer delivers the
 * line's first INPUT_LINE_MAX + 1 bytes followed by '\n' and skips the
 * rest. Workers look at no more than INPUT_LINE_MAX bytes of any line and
 * count longer ones as overlong, so both paths give the same result.
 */
struct chunk {
	const char	*beg;
	const char	*end;
	uint64_t	 off;		/* offset of beg in the (decompressed) input */
	int		 file;		/* index given to source_open */
	void		*buf;		/* pool buffer, for source_release */
};

#define INPUT_LINE_MAX	(64 * 1024)

struct source;

/*
 * Opens path ("-" for stdin) and detects its format. Returns NULL with a
 * message in err (NUL-terminated, at most errlen) on failure, e.g.
 * "cannot open: Permission denied", "is a directory".
 */
struct source *source_open(const char *path, int file,
    const struct input_opts *o, char *err, size_t errlen);

/*
 * Fills c with the next chunk. Returns 1 for a chunk, 0 at end of input,
 * -1 on an error (message in err; every chunk before it was good, e.g.
 * "truncated gzip stream" or "corrupt zstd frame at byte 1234").
 * May block until a worker releases a buffer.
 */
int source_next(struct source *s, struct chunk *c, char *err, size_t errlen);

/* Gives c's buffer back to the pool. Thread-safe. */
void source_release(struct source *s, struct chunk *c);

/* Closes; every chunk must have been released. */
void source_close(struct source *s);

enum input_fmt source_format(const struct source *s);
/* "plain", "gzip", "zstd", "bzip2", "xz", "lz4" */
const char *input_fmt_name(enum input_fmt f);
uint64_t source_bytes(const struct source *s);	/* bytes read from disk */
int64_t source_mtime(const struct source *s);	/* seconds, 0 for stdin */

#endif
