/*
 * Alert evaluation. During a scan each worker appends a compact record
 * for every event some rule selects (alert_buf_add copies the key strings
 * into the buffer's own blocks); after the join the buffers are merged,
 * the Dovecot auth join is settled as agg settles it, and the records are
 * sorted by (event time, input position) and fed to the sliding-window
 * evaluator, which keeps per (rule, key) the events of the last window
 * (same-second events share one slot) and opens an episode when their
 * count reaches the threshold and closes it when it falls below.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/alert.h"
#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "alert_int.h"

#define BLK_SIZE	(64u << 10)

struct blk {
	struct blk	*next;
	size_t		 used, cap;
	char		 p[];
};

struct rec {
	int64_t		 t;
	uint64_t	 pos;		/* input position, the tie-break */
	const char	*host, *user, *client, *session; /* copies, NUL-ended */
	uint32_t	 count;
	int16_t		 cause;
	uint8_t		 flags;		/* enum event_flags */
	char		 code[4], enh[12], resp[24];
};

struct alert_buf {
	struct rec	*v;
	size_t		 n, cap;
	struct blk	*blocks;
};

struct alert_buf *
alert_buf_new(void)
{
	return xcalloc(1, sizeof(struct alert_buf));
}

void
alert_buf_free(struct alert_buf *b)
{
	struct blk	*k, *next;

	if (b == NULL)
		return;
	for (k = b->blocks; k != NULL; k = next) {
		next = k->next;
		free(k);
	}
	free(b->v);
	free(b);
}

static const char *
buf_str(struct alert_buf *b, struct slice s, int lower)
{
	struct blk	*k = b->blocks;
	char		*d;
	size_t		 i, n = s.len > 255 ? 255 : s.len;

	if (n == 0)
		return "";
	if (k == NULL || k->cap - k->used < n + 1) {
		k = xmalloc(sizeof(*k) + BLK_SIZE);
		k->cap = BLK_SIZE;
		k->used = 0;
		k->next = b->blocks;
		b->blocks = k;
	}
	d = k->p + k->used;
	for (i = 0; i < n; i++)
		d[i] = lower && s.p[i] >= 'A' && s.p[i] <= 'Z' ?
		    (char)(s.p[i] + 32) : s.p[i];
	d[n] = '\0';
	k->used += n + 1;
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
	size_t	 i;

	if (ev->flags & EV_AUTH_UNKNOWN) {
		if (ev->session.len == 0)
			return 0;
		for (i = 0; i < s->n; i++)
			if (s->rules[i].sel != SEL_CODE)
				return 1;
		return 0;
	}
	if ((ev->flags & EV_JOIN) && ev->session.len > 0)
		return any_match(s, CAUSE_AUTH_FAILURE, ev) ||
		    any_match(s, CAUSE_UNKNOWN_MAILBOX, ev);
	return any_match(s, ev->cause, ev);
}

void
alert_buf_add(struct alert_buf *b, const struct alert_set *s,
    const struct event *ev, uint64_t pos)
{
	struct rec	*r;

	if (!buf_wants(s, ev))
		return;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	r = &b->v[b->n++];
	r->t = ev->t;
	r->pos = pos;
	r->host = buf_str(b, ev->host, 0);
	r->user = buf_str(b, ev->user, 1);
	r->client = buf_str(b, ev->client, 0);
	r->session = (ev->flags & (EV_JOIN | EV_AUTH_UNKNOWN)) ?
	    buf_str(b, ev->session, 0) : "";
	r->count = ev->count;
	r->cause = ev->cause;
	r->flags = ev->flags;
	memcpy(r->code, ev->code, sizeof(r->code));
	memcpy(r->enh, ev->enh, sizeof(r->enh));
	memcpy(r->resp, ev->resp, sizeof(r->resp));
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
	while ((k = from->blocks) != NULL) {
		from->blocks = k->next;
		k->next = to->blocks;
		to->blocks = k;
	}
	alert_buf_free(from);
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
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Dovecot: a login failure whose session the auth process found no user
 * for is unknown_mailbox (as agg_finish decides). */
static void
settle_join(struct alert_buf *b)
{
	const char	**ss = xcalloc(b->n + 1, sizeof(*ss));
	size_t		 i, ns = 0;

	for (i = 0; i < b->n; i++)
		if (b->v[i].flags & EV_AUTH_UNKNOWN)
			ss[ns++] = b->v[i].session;
	qsort(ss, ns, sizeof(*ss), str_cmp);
	for (i = 0; i < b->n; i++)
		if ((b->v[i].flags & EV_JOIN) && b->v[i].session[0] != '\0' &&
		    bsearch(&b->v[i].session, ss, ns, sizeof(*ss),
		    str_cmp) != NULL)
			b->v[i].cause = CAUSE_UNKNOWN_MAILBOX;
	free(ss);
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

static const char *
rec_key(const struct alert_rule *r, const struct rec *x)
{
	switch (r->by) {
	case BY_HOST: return x->host;
	case BY_USER: return x->user;
	case BY_CLIENT: return x->client;
	}
	return "";
}

struct alert *
alert_set_eval(struct alert_set *s, int64_t end, size_t *n)
{
	struct collect		 c = { NULL, 0, 0 };
	struct alert_eval	*e = alert_eval_new(s, collect_one, &c);
	struct alert_buf	*b = s->all;
	const struct rec	*x;
	const char		*key;
	size_t			 i, ri;

	if (b != NULL) {
		settle_join(b);
		qsort(b->v, b->n, sizeof(*b->v), rec_cmp);
		for (i = 0; i < b->n; i++) {
			x = &b->v[i];
			if (x->t == T_NONE || (x->flags & EV_AUTH_UNKNOWN))
				continue;
			for (ri = 0; ri < s->n; ri++) {
				if (!alert_match_parts(&s->rules[ri], x->cause,
				    x->code, x->enh, x->resp))
					continue;
				key = rec_key(&s->rules[ri], x);
				if (s->rules[ri].by != BY_NONE && *key == '\0')
					continue;
				alert_eval_feed(e, ri, key, strlen(key), x->t,
				    x->count);
			}
		}
	}
	if (end != T_NONE)
		alert_eval_tick(e, end);
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
