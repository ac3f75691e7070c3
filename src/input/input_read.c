/*
 * Streams: stdin, pipes, --no-mmap files and decompressed input. One
 * producer (the thread calling source_next) has the decoder fill a free
 * buffer of a fixed pool, hands out the whole lines as one chunk and
 * copies the partial last line to the front of the next buffer. Workers
 * give buffers back with source_release from any thread; the producer
 * waits while all are out, so memory is bounded by the pool whatever the
 * input size. A partial line too long to carry (a buffer's worth; a
 * quarter of one for an in-place decoder) is cut to INPUT_LINE_MAX + 1
 * bytes plus '\n' and the rest of it is skipped. This file also holds
 * the plain decoder, which read(2)s straight into the pool buffer.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mxtally/input.h"
#include "mxtally/log.h"
#include "input_int.h"

int
stream_fail(struct source *s, const char *fmt, ...)
{
	va_list	 ap;

	if (!s->st.failed) {
		va_start(ap, fmt);
		vsnprintf(s->st.errmsg, sizeof(s->st.errmsg), fmt, ap);
		va_end(ap);
		s->st.failed = 1;
	}
	return -1;
}

ssize_t
stream_read(struct source *s, void *dst, size_t len)
{
	ssize_t	 n;

	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	do
		n = read(s->fd, dst, len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return stream_fail(s, "read error: %s", strerror(errno));
	if (n == 0)
		s->st.in_eof = 1;
	atomic_fetch_add_explicit(&s->bytes, (uint64_t)n,
	    memory_order_relaxed);
	return n;
}

ssize_t
stream_refill(struct source *s)
{
	struct stream	*st = &s->st;
	ssize_t		 n;

	if (st->in_eof)
		return 0;
	if (st->in_pos > 0) {
		memmove(st->in, st->in + st->in_pos, st->in_len - st->in_pos);
		st->in_len -= st->in_pos;
		st->in_pos = 0;
	}
	if (st->in_len == INPUT_INBUF)
		BUG("refill with a full input buffer");
	n = stream_read(s, st->in + st->in_len, INPUT_INBUF - st->in_len);
	if (n > 0)
		st->in_len += (size_t)n;
	return n;
}

int
stream_magic(struct source *s, const void *magic, size_t n)
{
	struct stream	*st = &s->st;

	while (st->in_len - st->in_pos < n && !st->in_eof)
		if (stream_refill(s) == -1)
			return -1;
	return st->in_len - st->in_pos >= n &&
	    memcmp(st->in + st->in_pos, magic, n) == 0;
}

int
stream_more(struct source *s, const char *what)
{
	ssize_t	 n;

	if (s->st.in_pos < s->st.in_len)
		return 0;
	if ((n = stream_refill(s)) == -1)
		return -1;
	if (n == 0)
		return stream_fail(s, "truncated %s stream", what);
	return 0;
}

/* Blocks until a pool buffer is free and takes the producer's hold. */
static struct sbuf *
pool_get(struct stream *st)
{
	struct sbuf	*b = NULL;
	int		 i;

	pthread_mutex_lock(&st->lock);
	for (;;) {
		for (i = 0; i < st->nbufs; i++)
			if (st->bufs[i].refs == 0) {
				b = &st->bufs[i];
				break;
			}
		if (b != NULL)
			break;
		pthread_cond_wait(&st->freed, &st->lock);
	}
	b->refs = 1;
	pthread_mutex_unlock(&st->lock);
	if (b->data == NULL)
		b->data = xmalloc(st->cap);
	return b;
}

/* One more hold on b, which the caller already holds. */
static void
pool_hold(struct stream *st, struct sbuf *b)
{
	pthread_mutex_lock(&st->lock);
	b->refs++;
	pthread_mutex_unlock(&st->lock);
}

static void
pool_put(struct stream *st, struct sbuf *b, int holds)
{
	pthread_mutex_lock(&st->lock);
	b->refs -= holds;
	if (b->refs < 0)
		BUG("pool buffer released twice");
	if (b->refs == 0)
		pthread_cond_signal(&st->freed);
	pthread_mutex_unlock(&st->lock);
}

/* Moves the partial line left by the last chunk to the front of b. */
static size_t
carry_take(struct stream *st, struct sbuf *b)
{
	size_t	 len = st->carry_len;

	if (st->carry == NULL)
		return 0;
	memcpy(b->data, st->carry->data + st->carry_beg, len);
	pool_put(st, st->carry, 1);
	st->carry = NULL;
	st->carry_len = 0;
	return len;
}

/*
 * Fills b from len up to cap (less the decoder's slack), end of input or
 * an error. While skipping an overlong line, the bytes up to and
 * including its newline are left out: *start is b's first byte to
 * deliver, and *off (the input offset of b's first byte on entry) moves
 * to it. Decoded bytes are never moved: an in-place decoder reads them.
 */
static size_t
buf_fill(struct source *s, struct sbuf *b, size_t len, size_t *start,
    uint64_t *off)
{
	struct stream	*st = &s->st;
	const char	*nl;
	size_t		 n;

	while (len + st->slack < st->cap && !st->eof && !st->failed) {
		n = st->dec->fill(s, b->data + len, st->cap - len);
		if (n == 0 && !st->failed)
			st->eof = 1;
		len += n;
	}
	*start = 0;
	if (st->skipping && len > 0) {	/* the carry is empty then */
		nl = memchr(b->data, '\n', len);
		*start = nl != NULL ? (size_t)(nl - b->data) + 1 : len;
		*off += *start;
		if (nl != NULL)
			st->skipping = 0;
	}
	return len;
}

/* An in-place decoder's history: b, filled, replaces the last one. */
static void
hist_keep(struct stream *st, struct sbuf *b)
{
	if (!st->dec->inplace)
		return;
	pool_hold(st, b);
	if (st->hist != NULL)
		pool_put(st, st->hist, 1);
	st->hist = b;
}

static void
deliver(struct source *s, struct sbuf *b, size_t beg, size_t end,
    uint64_t off, struct chunk *c)
{
	c->beg = b->data + beg;
	c->end = b->data + end;
	c->off = off;
	c->file = s->file;
	c->buf = b;
}

/* No chunk left: 0 at end of input, or -1 and the error. */
static int
stream_end(struct stream *st, char *err, size_t errlen)
{
	if (!st->failed)
		return 0;
	input_seterr(err, errlen, "%s", st->errmsg);
	return -1;
}

/*
 * The carried line is too long to carry (carry_limit): its first
 * INPUT_LINE_MAX + 1 bytes and a '\n' go out alone in b, and the rest
 * of it is skipped.
 */
static void
carry_cut(struct source *s, struct sbuf *b, struct chunk *c)
{
	struct stream	*st = &s->st;
	uint64_t	 off = st->next_off;

	memcpy(b->data, st->carry->data + st->carry_beg, INPUT_LINE_MAX + 1);
	b->data[INPUT_LINE_MAX + 1] = '\n';
	st->next_off += st->carry_len;
	pool_put(st, st->carry, 1);
	st->carry = NULL;
	st->carry_len = 0;
	st->skipping = 1;
	deliver(s, b, 0, INPUT_LINE_MAX + 2, off, c);
}

/*
 * A chunk is the carried partial line, then fresh input, less what an
 * overlong line skips. A full buffer gives its whole lines and carries
 * the rest; at the end everything goes; on an error the whole lines go
 * and the cut line is dropped, and the next call reports the error.
 */
static int
stream_next(struct source *s, struct chunk *c, char *err, size_t errlen)
{
	struct stream	*st = &s->st;
	struct sbuf	*b;
	const char	*nl;
	uint64_t	 off;
	size_t		 len, start, end;

	for (;;) {
		if (st->carry == NULL && (st->failed || st->eof))
			return stream_end(st, err, errlen);
		b = pool_get(st);
		if (st->carry != NULL && st->carry_len >= st->carry_limit) {
			carry_cut(s, b, c);
			return 1;
		}
		off = st->next_off;
		len = buf_fill(s, b, carry_take(st, b), &start, &off);
		hist_keep(st, b);
		if (st->eof && !st->failed) {
			/* End of input: the last line may lack its newline. */
			if (len > start) {
				deliver(s, b, start, len, off, c);
				return 1;
			}
			pool_put(st, b, 1);
			return 0;
		}
		nl = len > start ? memrchr(b->data + start, '\n', len - start) :
		    NULL;
		end = nl != NULL ? (size_t)(nl - b->data) + 1 : start;
		st->next_off = off + (end - start);
		if (end < len && !st->failed) {
			/* Whole lines go out; the partial one is carried. */
			pool_hold(st, b);
			st->carry = b;
			st->carry_beg = end;
			st->carry_len = len - end;
		}
		if (end > start) {
			deliver(s, b, start, end, off, c);
			return 1;
		}
		pool_put(st, b, 1);	/* all skipped, or all carried */
	}
}

static void
stream_release(struct source *s, struct chunk *c)
{
	if (c->buf != NULL)
		pool_put(&s->st, c->buf, 1);
	c->buf = NULL;
}

static void
stream_close(struct source *s)
{
	struct stream	*st = &s->st;
	int		 i;

	if (st->dec != NULL && st->dec->fini != NULL)
		st->dec->fini(s);
	for (i = 0; i < st->nbufs; i++)
		free(st->bufs[i].data);
	free(st->bufs);
	free(st->in);
	pthread_cond_destroy(&st->freed);
	pthread_mutex_destroy(&st->lock);
	if (s->own_fd && s->fd != -1)
		close(s->fd);
	free(s);
}

static const struct source_ops stream_ops = {
	stream_next, stream_release, stream_close
};

int
stream_open(struct source *s, const struct input_opts *o, size_t want,
    char *err, size_t errlen)
{
	struct stream	*st = &s->st;
	int		 nbufs = o != NULL && o->nbufs > 0 ? o->nbufs :
			    INPUT_NBUFS_DEFAULT;

	if (nbufs < INPUT_NBUFS_MIN)
		nbufs = INPUT_NBUFS_MIN;
	st->nbufs = nbufs;
	st->cap = s->chunk_size > INPUT_CHUNK_DEFAULT ? s->chunk_size :
	    INPUT_CHUNK_DEFAULT;
	if (o != NULL && o->buf_size >= INPUT_BUF_MIN)
		st->cap = o->buf_size;
	st->carry_limit = st->cap;	/* a line that fills a buffer is cut */
	st->bufs = xcalloc((size_t)nbufs, sizeof(*st->bufs));
	st->in = xmalloc(INPUT_INBUF);
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->freed, NULL);
	s->ops = &stream_ops;
	while (st->in_len < want && !st->in_eof)
		if (stream_refill(s) == -1) {
			input_seterr(err, errlen, "%s", st->errmsg);
			return -1;
		}
	return 0;
}

int
stream_start(struct source *s, const struct decoder *dec, char *err,
    size_t errlen)
{
	s->st.dec = dec;
	if (dec->inplace) {
		s->st.slack = DEC_SLACK;
		s->st.carry_limit = DEC_CARRY_LIMIT(s->st.cap);
	}
	if (dec->init != NULL && dec->init(s) == -1) {
		s->st.dec = NULL;
		input_seterr(err, errlen, "%s", s->st.errmsg);
		return -1;
	}
	return 0;
}

/*
 * The plain decoder: the sniffed bytes first, then read(2) straight into
 * the pool buffer until it is full or the input ends.
 */
static size_t
plain_fill(struct source *s, char *dst, size_t cap)
{
	struct stream	*st = &s->st;
	size_t		 got = 0;
	ssize_t		 n;

	if (st->in_pos < st->in_len) {
		got = st->in_len - st->in_pos;
		if (got > cap)
			got = cap;
		memcpy(dst, st->in + st->in_pos, got);
		st->in_pos += got;
	}
	while (got < cap && !st->in_eof) {
		n = stream_read(s, dst + got, cap - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

const struct decoder decoder_plain = {
	.fill = plain_fill
};
