/*
 * Streams: stdin, pipes, --no-mmap files and decompressed input. One
 * producer (the thread calling source_next) has the decoder fill a free
 * buffer of a fixed pool, hands out the whole lines as one chunk and
 * copies the partial last line to the front of the next buffer. Workers
 * give buffers back with source_release from any thread; the producer
 * waits while all are out, so memory is bounded by the pool whatever the
 * input size. A line longer than a buffer is cut to INPUT_LINE_MAX + 1
 * bytes plus '\n' and the rest of it is skipped. This file also holds the
 * plain decoder, which read(2)s straight into the pool buffer.
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
 * Fills b from *len up to cap, end of input or an error. While skipping
 * an overlong line, drops bytes up to and including its newline and adds
 * them to *off (the input offset of b's first byte).
 */
static size_t
buf_fill(struct source *s, struct sbuf *b, size_t len, uint64_t *off)
{
	struct stream	*st = &s->st;
	const char	*nl;
	size_t		 n, drop;

	for (;;) {
		while (len < st->cap && !st->eof && !st->failed) {
			n = st->dec->fill(s, b->data + len, st->cap - len);
			if (n == 0 && !st->failed)
				st->eof = 1;
			len += n;
		}
		if (!st->skipping || len == 0)
			return len;
		nl = memchr(b->data, '\n', len);
		drop = nl != NULL ? (size_t)(nl - b->data) + 1 : len;
		memmove(b->data, b->data + drop, len - drop);
		len -= drop;
		*off += drop;
		if (nl != NULL)
			st->skipping = 0;
		else if (st->eof || st->failed)
			return 0;
	}
}

static void
deliver(struct source *s, struct sbuf *b, size_t n, uint64_t off,
    struct chunk *c)
{
	c->beg = b->data;
	c->end = b->data + n;
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
 * A chunk always starts at the front of its buffer: the carried partial
 * line, then fresh input. A full buffer gives its whole lines and carries
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
	size_t		 len;

	if (st->failed || st->eof)
		return stream_end(st, err, errlen);
	b = pool_get(st);
	off = st->next_off;
	len = buf_fill(s, b, carry_take(st, b), &off);
	nl = len > 0 ? memrchr(b->data, '\n', len) : NULL;
	if (len == st->cap && nl == NULL) {
		/* One line fills the buffer: keep its head, skip the rest. */
		b->data[INPUT_LINE_MAX + 1] = '\n';
		deliver(s, b, INPUT_LINE_MAX + 2, off, c);
		st->skipping = 1;
		st->next_off = off + len;
		return 1;
	}
	if (len == st->cap || (st->failed && nl != NULL)) {
		/* Whole lines go out; the partial one is carried (or lost). */
		deliver(s, b, (size_t)(nl - b->data) + 1, off, c);
		st->carry_beg = (size_t)(nl - b->data) + 1;
		st->carry_len = len - st->carry_beg;
		st->next_off = off + st->carry_beg;
		if (st->carry_len > 0 && !st->failed) {
			pthread_mutex_lock(&st->lock);
			b->refs++;
			pthread_mutex_unlock(&st->lock);
			st->carry = b;
		}
		return 1;
	}
	if (len > 0 && !st->failed) {
		/* End of input: the last line may lack its newline. */
		deliver(s, b, len, off, c);
		return 1;
	}
	pool_put(st, b, 1);
	return stream_end(st, err, errlen);
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
	NULL, plain_fill, NULL
};
