/*
 * The sliding-window evaluator. One window per (rule, key) in an
 * open-addressing table: a ring of (second, count) slots holding the
 * events of the last `window` seconds of event time, their sum, and the
 * open episode when the sum reached the threshold. An event at t is in
 * the window that ends at now when now - t < window, so with a 10m
 * window, events at 0 and 599 are together and events at 0 and 600 are
 * not. Windows that fell empty are dropped now and then, so a watch over
 * months keeps only keys seen in the last window.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/alert.h"
#include "mxtally/log.h"

struct slot {
	int64_t		 t;
	uint64_t	 n;
};

struct win {
	uint64_t	 hash;
	size_t		 ri;		/* rule index */
	struct slot	*ring;
	size_t		 head, len, cap;
	uint64_t	 sum;
	size_t		 fi;		/* index in e->firing, when firing */
	struct alert	 ep;		/* the episode; ep.firing */
	char		 key[];
};

struct alert_eval {
	const struct alert_set *s;
	alert_done_fn	*done;
	void		*arg;
	struct win	**slot;
	size_t		 cap, len;	/* cap a power of two */
	struct win	**firing;
	size_t		 nfiring, capfiring;
	int64_t		 now;		/* newest event time seen */
	int64_t		 swept;		/* event time of the last sweep */
};

static uint64_t
hash_key(size_t ri, const char *k, size_t n)
{
	uint64_t	 h = 1469598103934665603ULL ^ (uint64_t)ri;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

struct alert_eval *
alert_eval_new(const struct alert_set *s, alert_done_fn *done, void *arg)
{
	struct alert_eval	*e = xcalloc(1, sizeof(*e));

	e->s = s;
	e->done = done;
	e->arg = arg;
	e->cap = 64;
	e->slot = xcalloc(e->cap, sizeof(*e->slot));
	e->now = e->swept = INT64_MIN;
	return e;
}

static void
win_free(struct win *w)
{
	free(w->ring);
	free(w);
}

void
alert_eval_free(struct alert_eval *e)
{
	size_t	 i;

	if (e == NULL)
		return;
	for (i = 0; i < e->cap; i++)
		if (e->slot[i] != NULL)
			win_free(e->slot[i]);
	free(e->slot);
	free(e->firing);
	free(e);
}

static void
table_put(struct win **slot, size_t cap, struct win *w)
{
	size_t	 i = w->hash & (cap - 1);

	while (slot[i] != NULL)
		i = (i + 1) & (cap - 1);
	slot[i] = w;
}

/* Rebuilds the table with room for want windows, keeping those kept. */
static void
table_rebuild(struct alert_eval *e, size_t want, int drop_idle)
{
	struct win	**old = e->slot;
	size_t		 oldcap = e->cap, i;

	e->cap = 64;
	while (e->cap < want * 2)
		e->cap *= 2;
	e->slot = xcalloc(e->cap, sizeof(*e->slot));
	e->len = 0;
	for (i = 0; i < oldcap; i++) {
		if (old[i] == NULL)
			continue;
		if (drop_idle && old[i]->sum == 0 && !old[i]->ep.firing) {
			win_free(old[i]);
			continue;
		}
		table_put(e->slot, e->cap, old[i]);
		e->len++;
	}
	free(old);
}

static struct win *
win_get(struct alert_eval *e, size_t ri, const char *key, size_t klen)
{
	uint64_t	 h = hash_key(ri, key, klen);
	size_t		 i = h & (e->cap - 1);
	struct win	*w;

	while ((w = e->slot[i]) != NULL) {
		if (w->hash == h && w->ri == ri && strlen(w->key) == klen &&
		    memcmp(w->key, key, klen) == 0)
			return w;
		i = (i + 1) & (e->cap - 1);
	}
	w = xcalloc(1, sizeof(*w) + klen + 1);
	w->hash = h;
	w->ri = ri;
	memcpy(w->key, key, klen);
	w->ep.rule = &e->s->rules[ri];
	w->ep.key = w->key;
	e->slot[i] = w;
	if (++e->len * 2 > e->cap)
		table_rebuild(e, e->len, 0);
	return w;
}

static void
firing_add(struct alert_eval *e, struct win *w)
{
	if (e->nfiring == e->capfiring) {
		e->capfiring = e->capfiring ? e->capfiring * 2 : 16;
		e->firing = xrealloc(e->firing,
		    e->capfiring * sizeof(*e->firing));
	}
	w->fi = e->nfiring;
	e->firing[e->nfiring++] = w;
}

static void
firing_del(struct alert_eval *e, struct win *w)
{
	struct win	*last = e->firing[--e->nfiring];

	e->firing[w->fi] = last;
	last->fi = w->fi;
}

/* Drops slots that left the window ending at now; ends the episode. */
static void
win_evict(struct alert_eval *e, struct win *w, int64_t now)
{
	int64_t		 width = w->ep.rule->window;
	struct slot	*s;

	while (w->len > 0) {
		s = &w->ring[w->head];
		if (now - s->t < width)
			break;
		w->sum -= s->n;
		w->head = (w->head + 1) % w->cap;
		w->len--;
	}
	if (w->ep.firing && w->sum < w->ep.rule->threshold) {
		w->ep.firing = 0;
		firing_del(e, w);
		if (e->done != NULL)
			e->done(&w->ep, e->arg);
	}
}

static void
win_push(struct win *w, int64_t t, uint64_t n)
{
	struct slot	*nr;
	size_t		 i;

	if (w->len > 0 && w->ring[(w->head + w->len - 1) % w->cap].t == t) {
		w->ring[(w->head + w->len - 1) % w->cap].n += n;
		return;
	}
	if (w->len == w->cap) {
		nr = xcalloc(w->cap ? w->cap * 2 : 4, sizeof(*nr));
		for (i = 0; i < w->len; i++)
			nr[i] = w->ring[(w->head + i) % w->cap];
		free(w->ring);
		w->ring = nr;
		w->head = 0;
		w->cap = w->cap ? w->cap * 2 : 4;
	}
	w->ring[(w->head + w->len) % w->cap] = (struct slot){ t, n };
	w->len++;
}

int
alert_eval_feed(struct alert_eval *e, size_t ri, const char *key,
    size_t klen, int64_t t, uint64_t n)
{
	struct win	*w = win_get(e, ri, key, klen);

	if (t < e->now)
		t = e->now;
	e->now = t;
	win_evict(e, w, t);
	win_push(w, t, n);
	w->sum += n;
	if (w->ep.firing) {
		w->ep.last = t;
		w->ep.events += n;
		if (w->sum > w->ep.value)
			w->ep.value = w->sum;
		return 0;
	}
	if (w->sum < w->ep.rule->threshold)
		return 0;
	w->ep.firing = 1;
	w->ep.first = w->ring[w->head].t;
	w->ep.last = t;
	w->ep.value = w->ep.events = w->sum;
	firing_add(e, w);
	return 1;
}

void
alert_eval_tick(struct alert_eval *e, int64_t now)
{
	size_t	 i;

	if (now > e->now)
		e->now = now;
	for (i = e->nfiring; i > 0; i--)
		win_evict(e, e->firing[i - 1], e->now);
	if (e->swept == INT64_MIN)
		e->swept = e->now;
	if (e->now - e->swept < 300 || e->len < 1024)
		return;
	e->swept = e->now;
	for (i = 0; i < e->cap; i++)
		if (e->slot[i] != NULL && !e->slot[i]->ep.firing)
			win_evict(e, e->slot[i], e->now);
	table_rebuild(e, e->len, 1);
}

static int
win_cmp(const void *a, const void *b)
{
	const struct win	*x = *(const struct win *const *)a;
	const struct win	*y = *(const struct win *const *)b;

	if (x->ri != y->ri)
		return x->ri < y->ri ? -1 : 1;
	return strcmp(x->key, y->key);
}

void
alert_eval_firing(struct alert_eval *e, alert_done_fn *fn, void *arg)
{
	struct win	**v;
	size_t		 i;

	if (e->nfiring == 0)
		return;
	v = xcalloc(e->nfiring, sizeof(*v));
	memcpy(v, e->firing, e->nfiring * sizeof(*v));
	qsort(v, e->nfiring, sizeof(*v), win_cmp);
	for (i = 0; i < e->nfiring; i++)
		fn(&v[i]->ep, arg);
	free(v);
}
