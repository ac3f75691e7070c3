/*
 * Alert evaluation. During a scan each worker appends a compact record
 * for every timed event some rule selects (alert_buf_add copies the key
 * strings into the buffer's own blocks). The events are the ones the
 * report counts, as the agg hands them on once their joins are settled
 * (agg_set_emit): a failure logged on several lines or by two daemons is
 * one record with the report's cause, and a Dovecot login failure is
 * auth_failure whatever the auth process said (causes.md; its detail is
 * unknown_user when that was an unknown user). The buffers are merged
 * and the records fed, in (event time, input position) order, to
 * the sliding-window evaluator, which keeps per (rule, key) the events
 * of the last window (same-second events share one slot) and opens an
 * episode when their count reaches the threshold and closes it when it
 * falls below.
 *
 * Memory: a buffer holds at most max_records records (alert_set_bound); a
 * full one is sorted and written as a run of the spill engine (spill.h),
 * and evaluation then reads all runs in one k-way merge by (time,
 * position): the same order, so the same alerts. When no run can be
 * written the records stay in memory, after one warning.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/afile.h"
#include "mxtally/agg.h"
#include "mxtally/alert.h"
#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "mxtally/scan.h"
#include "mxtally/spill.h"
#include "alert_int.h"

#define BLK_SIZE	(64u << 10)
#define STR_MAX		ALERT_STR_MAX	/* bytes of a key string kept */

struct blk {
	struct blk	*next;
	size_t		 used, cap;
	char		 p[];
};

struct rec {
	int64_t		 t;
	uint64_t	 pos;		/* input position, the tie-break */
	const char	*str[3];	/* copies, NUL-ended: enum rec_str */
	uint32_t	 count;
	int16_t		 cause;
	char		 code[4], enh[12], resp[24];
};

enum rec_str { S_HOST, S_USER, S_CLIENT, S_NSTR };

/* the part of a record written as it is; the strings follow it */
#define REC_FIXED	offsetof(struct rec, count)

struct rbuf {			/* a record read back, with its strings */
	struct rec	 r;		/* first: a struct rbuf is a rec */
	char		 sb[S_NSTR][STR_MAX + 1];
};

struct alert_buf {
	struct rec	*v;
	size_t		 n, cap;
	struct blk	*blocks;
	struct spill	 sp;		/* runs, each sorted by (t, pos) */
};

#define RECORDS_MIN	65536

void
alert_set_bound(struct alert_set *s, size_t max_keys)
{
	s->max_records = max_keys == 0 || max_keys >= RECORDS_MIN ? max_keys :
	    RECORDS_MIN;
	s->max_windows = max_keys;
}

static const struct spill_ops rec_ops;

struct alert_buf *
alert_buf_new(void)
{
	struct alert_buf	*b = xcalloc(1, sizeof(*b));

	spill_init(&b->sp, &rec_ops);
	return b;
}

static void
blocks_free(struct alert_buf *b)
{
	struct blk	*k, *next;

	for (k = b->blocks; k != NULL; k = next) {
		next = k->next;
		free(k);
	}
	b->blocks = NULL;
}

void
alert_buf_free(struct alert_buf *b)
{
	if (b == NULL)
		return;
	blocks_free(b);
	spill_release(&b->sp);
	free(b->v);
	free(b);
}

static const char *
buf_str(struct alert_buf *b, struct slice s, int lower)
{
	struct blk	*k = b->blocks;
	char		*d;

	if (s.len == 0)
		return "";
	if (k == NULL || k->cap - k->used < STR_MAX + 1) {
		k = xmalloc(sizeof(*k) + BLK_SIZE);
		k->cap = BLK_SIZE;
		k->used = 0;
		k->next = b->blocks;
		b->blocks = k;
	}
	d = k->p + k->used;
	k->used += alert_str_copy(d, s, lower) + 1;
	return d;
}

static int
any_match(const struct alert_set *s, int cause, const struct event *ev)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (alert_match_parts(&s->rules[i], cause, ev->code, ev->enh,
		    ev->resp))
			return 1;
	return 0;
}

static int
buf_wants(const struct alert_set *s, const struct event *ev)
{
	if (ev->t == T_NONE || (ev->flags & EV_AUTH_UNKNOWN))
		return 0;	/* no window to go in; verdicts: no event */
	return any_match(s, ev->cause, ev);
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec	*x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
rec_put(FILE *f, const void *rec)
{
	const struct rec	*r = rec;
	unsigned char		 len[S_NSTR];
	size_t			 i;

	for (i = 0; i < S_NSTR; i++)
		len[i] = (unsigned char)strlen(r->str[i]);
	fwrite(&r->t, sizeof(r->t), 1, f);
	fwrite(&r->pos, sizeof(r->pos), 1, f);
	fwrite(&r->count, sizeof(r->count), 1, f);
	fwrite(&r->cause, sizeof(r->cause), 1, f);
	fwrite(r->code, sizeof(r->code), 1, f);
	fwrite(r->enh, sizeof(r->enh), 1, f);
	fwrite(r->resp, sizeof(r->resp), 1, f);
	fwrite(len, sizeof(len), 1, f);
	for (i = 0; i < S_NSTR; i++)
		fwrite(r->str[i], 1, len[i], f);
	return ferror(f) ? -1 : 0;
}

static int
rec_get(FILE *f, void *buf)
{
	struct rbuf	*d = buf;
	unsigned char	 len[S_NSTR];
	size_t		 i;
	int		 ok;

	ok = fread(&d->r.t, sizeof(d->r.t), 1, f) == 1 &&
	    fread(&d->r.pos, sizeof(d->r.pos), 1, f) == 1 &&
	    fread(&d->r.count, sizeof(d->r.count), 1, f) == 1 &&
	    fread(&d->r.cause, sizeof(d->r.cause), 1, f) == 1 &&
	    fread(d->r.code, sizeof(d->r.code), 1, f) == 1 &&
	    fread(d->r.enh, sizeof(d->r.enh), 1, f) == 1 &&
	    fread(d->r.resp, sizeof(d->r.resp), 1, f) == 1 &&
	    fread(len, sizeof(len), 1, f) == 1;
	for (i = 0; ok && i < S_NSTR; i++) {
		ok = fread(d->sb[i], 1, len[i], f) == len[i];
		d->sb[i][len[i]] = '\0';
		d->r.str[i] = d->sb[i];
	}
	return ok ? 0 : -1;
}

static atomic_int	 rec_warned;

static const struct spill_ops rec_ops = {
	sizeof(struct rbuf), rec_cmp, rec_put, rec_get, NULL, NULL,
	"alert records stay in memory", &rec_warned
};

static const void *
rec_at(void *arg, size_t i)
{
	return &((const struct rec *)arg)[i];
}

/* Sorts b's records into a new run and empties b; on error keeps them. */
static void
buf_spill(struct alert_buf *b)
{
	qsort(b->v, b->n, sizeof(*b->v), rec_cmp);
	if (spill_write(&b->sp, rec_at, b->v, b->n) == -1)
		return;
	b->n = 0;
	blocks_free(b);
}

void
alert_buf_add(struct alert_buf *b, const struct alert_set *s,
    const struct event *ev, uint64_t pos)
{
	struct rec	*r;

	if (!buf_wants(s, ev))
		return;
	if (s->max_records != 0 && b->n >= s->max_records && !b->sp.failed)
		buf_spill(b);
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	r = &b->v[b->n++];
	r->t = ev->t;
	r->pos = pos;
	r->str[S_HOST] = buf_str(b, ev->host, 0);
	r->str[S_USER] = buf_str(b, ev->user, 1);
	r->str[S_CLIENT] = buf_str(b, ev->client, 0);
	r->count = ev->count;
	r->cause = ev->cause;
	memcpy(r->code, ev->code, sizeof(r->code));
	memcpy(r->enh, ev->enh, sizeof(r->enh));
	memcpy(r->resp, ev->resp, sizeof(r->resp));
}

static void *
sink_part_new(void *arg)
{
	(void)arg;
	return alert_buf_new();
}

static void
sink_event(void *arg, void *part, const struct event *ev, uint64_t pos)
{
	alert_buf_add(part, arg, ev, pos);
}

static void
sink_part_end(void *arg, void *part)
{
	alert_set_merge(arg, part);
}

void
alert_set_sink(struct alert_set *s, struct scan_sink *sk)
{
	*sk = (struct scan_sink){ sink_part_new, sink_event, sink_part_end, s };
}

void
alert_set_merge(struct alert_set *s, struct alert_buf *from)
{
	struct alert_buf	*to;
	struct blk		*k;

	if (s->all == NULL) {
		s->all = from;
		return;
	}
	to = s->all;
	if (to->n + from->n > to->cap) {
		to->cap = to->n + from->n;
		to->v = xrealloc(to->v, to->cap * sizeof(*to->v));
	}
	if (from->n > 0)
		memcpy(to->v + to->n, from->v, from->n * sizeof(*from->v));
	to->n += from->n;
	from->n = 0;
	while ((k = from->blocks) != NULL) {
		from->blocks = k->next;
		k->next = to->blocks;
		to->blocks = k;
	}
	spill_take(&to->sp, &from->sp);
	alert_buf_free(from);
	if (s->max_records != 0 && to->n > s->max_records && !to->sp.failed)
		buf_spill(to);
}

struct collect {
	struct alert	*v;
	size_t		 n, cap;
};

static void
collect_one(const struct alert *a, void *arg)
{
	struct collect	*c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n] = *a;
	c->v[c->n].key = xstrdup(a->key);
	if (!a->firing)
		c->v[c->n].current = 0;
	c->n++;
}

static int
alert_cmp(const void *a, const void *b)
{
	const struct alert	*x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int
rec_feed(void *ctx, const void *rec)
{
	struct alert_eval	*e = ctx;
	const struct rec	*x = rec;
	struct alert_item	 it = {
		.t = x->t, .count = x->count, .cause = x->cause,
		.code = x->code, .enh = x->enh, .resp = x->resp,
		.host = x->str[S_HOST], .user = x->str[S_USER],
		.client = x->str[S_CLIENT]
	};

	alert_eval_item(e, &it);
	return 0;
}

/* Feeds every record of b, runs and memory, in (time, position) order. */
static void
buf_feed(struct alert_eval *e, struct alert_buf *b)
{
	if (b->n > 1)		/* b->v is NULL with no records */
		qsort(b->v, b->n, sizeof(*b->v), rec_cmp);
	spill_merge(&b->sp, rec_at, b->v, b->n, rec_feed, e);
}

/* Reads the windows an earlier run left; a missing file is none. */
static void
windows_load(struct alert_eval *e, const struct alert_set *s)
{
	FILE	*f;

	if ((f = fopen(s->windows, "r")) == NULL) {
		if (errno != ENOENT)
			log_warn("cannot read '%s': %s; alert windows start "
			    "empty", s->windows, strerror(errno));
		return;
	}
	if (alert_eval_load(e, f, s->windows) == -1)
		log_warn("alert windows of '%s' only in part", s->windows);
	fclose(f);
}

static void
windows_keep(struct alert_eval *e, struct alert_set *s)
{
	FILE	*f;

	free(s->carry);
	s->carry = NULL;
	s->carrylen = 0;
	if ((f = open_memstream(&s->carry, &s->carrylen)) == NULL)
		log_die("out of memory");
	alert_eval_save(e, f);
	fclose(f);
}

int
alert_set_save(const struct alert_set *s)
{
	if (s->windows == NULL || s->carry == NULL)
		return 0;
	return afile_write(s->windows, s->carry, s->carrylen);
}

struct alert *
alert_set_eval(struct alert_set *s, int64_t end, size_t *n)
{
	struct collect		 c = { NULL, 0, 0 };
	struct alert_eval	*e = alert_eval_new(s, collect_one, &c);

	alert_eval_set_max(e, s->max_windows);
	if (s->windows != NULL)
		windows_load(e, s);
	if (s->all != NULL)
		buf_feed(e, s->all);
	if (end != T_NONE)
		alert_eval_tick(e, end);
	s->overflow = alert_eval_overflow(e);
	if (s->overflow > 0)
		log_warn("alert windows over --max-keys (%zu): %llu events of "
		    "new keys counted in no window", s->max_windows,
		    (unsigned long long)s->overflow);
	free(s->current);
	s->current = xcalloc(s->n + 1, sizeof(*s->current));
	alert_eval_current(e, s->current);
	if (s->windows != NULL)
		windows_keep(e, s);
	alert_eval_firing(e, collect_one, &c);
	alert_eval_free(e);
	alert_buf_free(s->all);
	s->all = NULL;
	if (c.n > 1)
		qsort(c.v, c.n, sizeof(*c.v), alert_cmp);
	*n = c.n;
	return c.v;
}

void
alert_list_free(struct alert *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}
