/*
 * Private to the input stage: the layout of struct source, the ops table
 * that input.c dispatches through, and the decoder interface that the
 * stream pool (input_read.c) pulls decompressed bytes from. A source is
 * either a mapping (input_mmap.c) or a stream; a stream is a buffer pool
 * plus one decoder (plain read(2), gzip, zstd, bzip2, xz or lz4) that
 * fills it.
 */
#ifndef MXTALLY_INPUT_INT_H
#define MXTALLY_INPUT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mxtally/input.h"

#define INPUT_CHUNK_DEFAULT	((size_t)4 << 20)	/* mmap chunk, stream buffer */
#define INPUT_NBUFS_DEFAULT	6
#define INPUT_NBUFS_MIN		2	/* one buffer may hold the carry */
#define INPUT_INBUF		((size_t)1 << 20)	/* compressed read size */
/*
 * The smallest pool buffer input_opts.buf_size may ask for. Tests and
 * fuzzers (MXT_TESTING) may go down to 512 KiB, so that small inputs
 * cross buffer ends often; a quarter of it still holds an overlong
 * line's INPUT_LINE_MAX + 1 bytes.
 */
#ifdef MXT_TESTING
#define INPUT_BUF_MIN		((size_t)512 << 10)
#else
#define INPUT_BUF_MIN		INPUT_CHUNK_DEFAULT
#endif

struct source;

struct source_ops {
	int	(*next)(struct source *, struct chunk *, char *, size_t);
	void	(*release)(struct source *, struct chunk *);
	void	(*close)(struct source *);
};

/*
 * A decoder writes decompressed bytes into the free tail of a pool
 * buffer. fill returns how many bytes it wrote; it returns less than cap
 * only at end of input, on an error (reported by stream_fail; the bytes
 * written before it are good) or, for an in-place decoder, when fewer
 * than DEC_SLACK bytes are left. fill is only called from the producer.
 *
 * An in-place decoder (inplace = 1) reads back what it wrote: the pool
 * then never changes decoded bytes, keeps the last buffer it filled
 * unchanged until the next one is full, and carries at most
 * st.carry_limit bytes of a partial line, so that every buffer holds at
 * least DEC_WINDOW(cap) bytes of the decoder's output after the carry.
 */
struct decoder {
	int	(*init)(struct source *);	/* 0, or -1 after stream_fail */
	size_t	(*fill)(struct source *, char *, size_t);
	void	(*fini)(struct source *);
	int	  inplace;
};

#define DEC_SLACK		((size_t)128 << 10)	/* zstd's largest block */
#define DEC_CARRY_LIMIT(cap)	((cap) / 4)
#define DEC_WINDOW(cap)		((cap) - DEC_SLACK - DEC_CARRY_LIMIT(cap))

extern const struct decoder decoder_plain;
extern const struct decoder decoder_gzip;
extern const struct decoder decoder_zstd;
extern const struct decoder decoder_bzip2;
extern const struct decoder decoder_xz;
extern const struct decoder decoder_lz4;

struct mapping {
	const char	*base;		/* whole file */
	size_t		 size;		/* bytes mapped, from fstat at open */
	size_t		 pos;		/* start of the next chunk */
	size_t		 page;		/* page size */
};

struct sbuf {
	char		*data;		/* cap bytes, allocated on first use */
	int		 refs;		/* holds: chunk, carry; 0 = free */
};

struct stream {
	const struct decoder	*dec;
	void			*dstate;	/* decoder's own state */
	unsigned char		*in;		/* sniffed and compressed bytes */
	size_t			 in_pos;	/* next unconsumed byte of in */
	size_t			 in_len;	/* bytes held in in */
	int			 in_eof;	/* read(2) returned 0 */

	struct sbuf		*bufs;		/* the pool */
	int			 nbufs;
	size_t			 cap;		/* bytes per pool buffer */
	pthread_mutex_t		 lock;		/* guards every sbuf.refs */
	pthread_cond_t		 freed;		/* a buffer's refs fell to 0 */

	struct sbuf		*carry;		/* holds the partial last line */
	size_t			 carry_beg;	/* its index in carry->data */
	size_t			 carry_len;
	size_t			 carry_limit;	/* a longer one is cut */
	size_t			 slack;		/* what fill may leave free */
	struct sbuf		*hist;		/* in-place: the last buffer filled */
	uint64_t		 next_off;	/* input offset of the carry */
	int			 skipping;	/* dropping an overlong line */
	int			 eof;		/* all input delivered */
	int			 failed;	/* errmsg holds the reason */
	char			 errmsg[160];
};

struct source {
	const struct source_ops	*ops;
	enum input_fmt		 fmt;
	int			 fd;		/* -1 once no longer needed */
	int			 own_fd;	/* 0 for stdin */
	int			 file;		/* index for chunk.file */
	int64_t			 mtime;		/* 0 for stdin */
	size_t			 chunk_size;	/* mmap chunk target */
	int			 jobs;		/* workers sharing the chunks */
	_Atomic uint64_t	 bytes;		/* bytes read from disk so far */
	struct mapping		 map;
	struct stream		 st;
};

void	input_seterr(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* input_mmap.c: maps s->fd (size > 0 bytes); -1 with a message in err. */
int	map_open(struct source *s, off_t size, char *err, size_t errlen);

/*
 * input_read.c: the stream pool. stream_open sets up the pool and reads
 * the first bytes into st.in (at least want of them unless the input is
 * shorter) so input.c can look at the magic; stream_start then attaches
 * the decoder. Both return -1 with a message in err.
 */
int	stream_open(struct source *s, const struct input_opts *o,
	    size_t want, char *err, size_t errlen);
int	stream_start(struct source *s, const struct decoder *dec,
	    char *err, size_t errlen);

/*
 * For decoders: stream_read is one read(2) into dst (counted, EINTR
 * retried): bytes, 0 at end of input, -1 after stream_fail.
 * stream_refill moves the unconsumed part of st.in to its front and reads
 * more after it, with the same returns. stream_fail records the first
 * error and returns -1.
 */
ssize_t	stream_read(struct source *s, void *dst, size_t len);
ssize_t	stream_refill(struct source *s);
int	stream_fail(struct source *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Between two members of a compressed file: refills until n bytes are
 * unread or the input ended; 1 when they are magic[0..n), 0 when not (or
 * fewer are left: the end of the file), -1 after stream_fail.
 */
int	stream_magic(struct source *s, const void *magic, size_t n);

/*
 * Inside a member: at least one unread byte in st.in; 0, or -1 after
 * stream_fail ("truncated WHAT stream" when the input ended).
 */
int	stream_more(struct source *s, const char *what);

#endif
