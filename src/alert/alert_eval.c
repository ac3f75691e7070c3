/*
 * The sliding-window evaluator. One window per (rule, key), in a keyed
 * table per rule (keytab.h, which owns the key): a ring of (second, count) slots holding the
 * events of the last `window` seconds of event time, their sum, and the
 * open episode when the sum reached the threshold. An event at t is in
 * the window that ends at now when now - t < window, so with a 10m
 * window, events at 0 and 599 are together and events at 0 and 600 are
 * not. Windows that fell empty are dropped now and then, so a watch over
 * months keeps only keys seen in the last window.
 *
 * Events are counted at their own log time, whatever order they come
 * in: one older than the clock (the newest time seen) but within its
 * rule's window of it is inserted in time order into the ring, so the
 * count of the window ending now is exact; an older one can change no
 * window that ends now or later and is counted as late. The batch
 * commands feed records sorted by time, so nothing is late there;
 * watch feeds lines as they are read.
 *
 * The number of windows is capped (alert_eval_set_max): a new key past
 * the cap first makes room by dropping windows that fell empty; when
 * none did, its events are counted as overflow and in no window.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/alert.h"
#include "mxtally/keytab.h"
#include "mxtally/log.h"
#include "alert_int.h"

struct slot {
	int64_t		 t;
	uint64_t	 n;
};

struct win {
	size_t		 ri;		/* rule index */
	struct slot	*ring;
	size_t		 head, len, cap;
	uint64_t	 sum;
	size_t		 fi;		/* index in e->firing, when firing */
	struct alert	 ep;		/* the episode; ep.firing; ep.key is
					   the table's copy of the key */
};

struct alert_eval {
	const struct alert_set *s;
	alert_done_fn	*done;
	void		*arg;
	struct keytab	*tab;		/* s->n of them: key -> struct win * */
	size_t		 len;		/* windows in all tables */
	struct win	**firing;
	size_t		 nfiring, capfiring;
	int64_t		 now;		/* newest event time seen */
	int64_t		 swept;		/* event time of the last sweep */
	size_t		 max;		/* windows kept, 0 = no cap */
	int64_t		 full_swept;	/* clock of the last sweep at the cap */
	uint64_t	 overflow;	/* events of keys past the cap */
	uint64_t	 late;		/* events older than their window */
};

#define WIN(ent)	((struct win *)(uintptr_t)(ent)->val)

struct alert_eval *
alert_eval_new(const struct alert_set *s, alert_done_fn *done, void *arg)
{
	struct alert_eval	*e = xcalloc(1, sizeof(*e));

	e->s = s;
	e->done = done;
	e->arg = arg;
	e->tab = xcalloc(s->n + 1, sizeof(*e->tab));
	e->now = e->swept = e->full_swept = INT64_MIN;
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
	size_t	 ri, i;

	if (e == NULL)
		return;
	for (ri = 0; ri < e->s->n; ri++) {
		for (i = 0; i < e->tab[ri].cap; i++)
			if (e->tab[ri].slot[i].key != NULL)
				win_free(WIN(&e->tab[ri].slot[i]));
		keytab_release(&e->tab[ri]);
	}
	free(e->tab);
	free(e->firing);
	free(e);
}

static size_t table_sweep(struct alert_eval *e);

/* The window of (ri, key), added when absent; NULL past the cap. */
static struct win *
win_get(struct alert_eval *e, size_t ri, const char *key, size_t klen)
{
	struct keytab_ent	*ent;
	struct win		*w;

	if ((ent = keytab_find(&e->tab[ri], key, klen)) != NULL)
		return WIN(ent);
	if (e->max != 0 && e->len >= e->max &&
	    (e->full_swept == e->now || table_sweep(e) >= e->max))
		return NULL;
	ent = keytab_add(&e->tab[ri], key, klen, NULL);
	w = xcalloc(1, sizeof(*w));
	w->ri = ri;
	w->ep.rule = &e->s->rules[ri];
	w->ep.key = ent->key;
	ent->val = (uintptr_t)w;
	e->len++;
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
win_grow(struct win *w)
{
	struct slot	*nr;
	size_t		 i;

	nr = xcalloc(w->cap ? w->cap * 2 : 4, sizeof(*nr));
	for (i = 0; i < w->len; i++)
		nr[i] = w->ring[(w->head + i) % w->cap];
	free(w->ring);
	w->ring = nr;
	w->head = 0;
	w->cap = w->cap ? w->cap * 2 : 4;
}

#define RING(w, i)	((w)->ring[((w)->head + (i)) % (w)->cap])

/* Adds n events at t, keeping the ring in time order. */
static void
win_push(struct win *w, int64_t t, uint64_t n)
{
	size_t	 i;

	for (i = w->len; i > 0 && RING(w, i - 1).t > t; i--)
		;
	if (i > 0 && RING(w, i - 1).t == t) {
		RING(w, i - 1).n += n;
		return;
	}
	if (w->len == w->cap)
		win_grow(w);
	w->len++;
	for (size_t k = w->len - 1; k > i; k--)
		RING(w, k) = RING(w, k - 1);
	RING(w, i) = (struct slot){ t, n };
}

int
alert_eval_feed(struct alert_eval *e, size_t ri, const char *key,
    size_t klen, int64_t t, uint64_t n)
{
	const struct alert_rule	*r = &e->s->rules[ri];
	struct win		*w;

	if (e->now != INT64_MIN && t <= e->now - r->window) {
		e->late += n;
		return 0;
	}
	if (t > e->now)
		e->now = t;
	if ((w = win_get(e, ri, key, klen)) == NULL) {
		e->overflow += n;
		return 0;
	}
	win_evict(e, w, e->now);
	win_push(w, t, n);
	w->sum += n;
	if (w->ep.firing) {
		if (t > w->ep.last)
			w->ep.last = t;
		w->ep.events += n;
		if (w->sum > w->ep.value)
			w->ep.value = w->sum;
		return 0;
	}
	if (w->sum < r->threshold)
		return 0;
	w->ep.firing = 1;
	w->ep.first = w->ring[w->head].t;
	w->ep.last = RING(w, w->len - 1).t;
	w->ep.value = w->ep.events = w->sum;
	firing_add(e, w);
	return 1;
}

/* keytab_filter's keep: ends what left the window, drops the empty. */
static int
sweep_keep(struct keytab_ent *ent, void *arg)
{
	struct alert_eval	*e = arg;
	struct win		*w = WIN(ent);

	if (w->ep.firing)
		return 1;
	win_evict(e, w, e->now);
	if (w->sum != 0)
		return 1;
	win_free(w);
	e->len--;
	return 0;
}

/* Drops every window that fell empty; returns how many are left. */
static size_t
table_sweep(struct alert_eval *e)
{
	size_t	 ri;

	e->swept = e->full_swept = e->now;
	for (ri = 0; ri < e->s->n; ri++)
		keytab_filter(&e->tab[ri], sweep_keep, e);
	return e->len;
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
	table_sweep(e);
}

void
alert_eval_set_max(struct alert_eval *e, size_t max)
{
	e->max = max;
}

uint64_t
alert_eval_overflow(const struct alert_eval *e)
{
	return e->overflow;
}

uint64_t
alert_eval_late(const struct alert_eval *e)
{
	return e->late;
}

size_t
alert_eval_windows(const struct alert_eval *e)
{
	return e->len;
}

int64_t
alert_eval_now(const struct alert_eval *e)
{
	return e->now;
}

static const char *
item_key(const struct alert_rule *r, const struct alert_item *x)
{
	switch (r->by) {
	case BY_HOST: return x->host;
	case BY_USER: return x->user;
	case BY_CLIENT: return x->client;
	}
	return "";
}

int
alert_eval_item(struct alert_eval *e, const struct alert_item *x)
{
	const struct alert_set	*s = e->s;
	const char		*key;
	size_t			 ri;
	int			 fired = 0;

	for (ri = 0; ri < s->n; ri++) {
		if (!alert_match_parts(&s->rules[ri], x->cause, x->code,
		    x->enh, x->resp))
			continue;
		key = item_key(&s->rules[ri], x);
		if (s->rules[ri].by != BY_NONE && *key == '\0')
			continue;
		fired |= alert_eval_feed(e, ri, key, strlen(key), x->t,
		    x->count);
	}
	return fired;
}

size_t
alert_str_copy(char *d, struct slice s, int lower)
{
	size_t	 i, o = 0;

	for (i = 0; i < s.len; i++) {
		if (s.p[i] == '\0') {		/* "\x00", as in reports */
			if (o + 4 > ALERT_STR_MAX)
				break;
			memcpy(d + o, "\\x00", 4);
			o += 4;
			continue;
		}
		if (o + 1 > ALERT_STR_MAX)
			break;
		d[o++] = lower && s.p[i] >= 'A' && s.p[i] <= 'Z' ?
		    (char)(s.p[i] + 32) : s.p[i];
	}
	d[o] = '\0';
	return o;
}

static const char *
item_str(char *d, struct slice s, int lower)
{
	alert_str_copy(d, s, lower);
	return d;
}

int
alert_item_make(struct alert_item *x, const struct event *ev,
    char buf[3][ALERT_STR_MAX + 1])
{
	if (ev->t == T_NONE || (ev->flags & EV_AUTH_UNKNOWN))
		return 0;
	x->t = ev->t;
	x->count = ev->count;
	x->cause = ev->cause;
	x->code = ev->code;
	x->enh = ev->enh;
	x->resp = ev->resp;
	x->host = item_str(buf[0], ev->host, 0);
	x->user = item_str(buf[1], ev->user, 1);
	x->client = item_str(buf[2], ev->client, 0);
	return 1;
}

static int
win_cmp(const void *a, const void *b)
{
	const struct win	*x = *(const struct win *const *)a;
	const struct win	*y = *(const struct win *const *)b;

	if (x->ri != y->ri)
		return x->ri < y->ri ? -1 : 1;
	return strcmp(x->ep.key, y->ep.key);
}

/* Every window, by rule and key (the order of a saved windows file). */
static struct win **
win_sorted(const struct alert_eval *e, size_t *n)
{
	struct win	**v = xcalloc(e->len + 1, sizeof(*v));
	size_t		 ri, i;

	*n = 0;
	for (ri = 0; ri < e->s->n; ri++)
		for (i = 0; i < e->tab[ri].cap; i++)
			if (e->tab[ri].slot[i].key != NULL)
				v[(*n)++] = WIN(&e->tab[ri].slot[i]);
	qsort(v, *n, sizeof(*v), win_cmp);
	return v;
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
	for (i = 0; i < e->nfiring; i++) {
		v[i]->ep.current = v[i]->sum;
		fn(&v[i]->ep, arg);
	}
	free(v);
}

void
alert_eval_current(struct alert_eval *e, uint64_t *per_rule)
{
	struct win	*w;
	size_t		 ri, i;

	memset(per_rule, 0, e->s->n * sizeof(*per_rule));
	for (ri = 0; ri < e->s->n; ri++)
		for (i = 0; i < e->tab[ri].cap; i++) {
			if (e->tab[ri].slot[i].key == NULL)
				continue;
			w = WIN(&e->tab[ri].slot[i]);
			win_evict(e, w, e->now);
			if (w->sum > per_rule[ri])
				per_rule[ri] = w->sum;
		}
}

/*
 * The carried windows, one line each after a "mxtally-windows 1 NOW"
 * header, by rule and key: rule name, rule signature and key in hex, the episode
 * (firing first last value events), then "t:n" per slot.
 */
static void
hex_put(FILE *f, const char *s)
{
	if (*s == '\0')
		putc('-', f);		/* never empty */
	for (; *s != '\0'; s++)
		fprintf(f, "%02x", (unsigned char)*s);
}

static void
rule_sig(const struct alert_rule *r, char *buf, size_t len)
{
	snprintf(buf, len, "%d/%s/%d/%llu/%lld", r->sel, r->what, r->by,
	    (unsigned long long)r->threshold, (long long)r->window);
}

void
alert_eval_save(const struct alert_eval *e, FILE *f)
{
	struct win		**v;
	const struct win	*w;
	char			 sig[512];
	size_t			 i, k, n;

	fprintf(f, "mxtally-windows 1 %lld\n", (long long)e->now);
	v = win_sorted(e, &n);
	for (i = 0; i < n; i++) {
		if ((w = v[i])->len == 0 && !w->ep.firing)
			continue;
		rule_sig(w->ep.rule, sig, sizeof(sig));
		hex_put(f, w->ep.rule->name);
		putc(' ', f);
		hex_put(f, sig);
		putc(' ', f);
		hex_put(f, w->ep.key);
		fprintf(f, " %d %lld %lld %llu %llu", w->ep.firing,
		    (long long)w->ep.first, (long long)w->ep.last,
		    (unsigned long long)w->ep.value,
		    (unsigned long long)w->ep.events);
		for (k = 0; k < w->len; k++)
			fprintf(f, " %lld:%llu", (long long)RING(w, k).t,
			    (unsigned long long)RING(w, k).n);
		putc('\n', f);
	}
	free(v);
}

/* Decodes hex up to a space into buf; returns the end, NULL if bad. */
static char *
hex_get(char *p, char *buf, size_t len)
{
	size_t		 n = 0;
	unsigned	 v;

	if (*p == '-')
		return buf[0] = '\0', p + 1;
	while (isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1])) {
		if (n + 1 >= len || sscanf(p, "%2x", &v) != 1)
			return NULL;
		buf[n++] = (char)v;
		p += 2;
	}
	buf[n] = '\0';
	return n > 0 ? p : NULL;
}

static int
rule_find(const struct alert_set *s, const char *name, const char *sig)
{
	char	 mine[512];
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		rule_sig(&s->rules[i], mine, sizeof(mine));
		if (strcmp(s->rules[i].name, name) == 0 &&
		    strcmp(sig, mine) == 0)
			return (int)i;
	}
	return -1;
}

/* One window line into e; 1 when done, 0 for another rule, -1 bad. */
static int
load_line(struct alert_eval *e, char *p)
{
	char		 name[512], sig[512], key[ALERT_STR_MAX + 1];
	long long	 first, last, t;
	unsigned long long value, events, n;
	int		 firing, ri, used;
	struct win	*w;

	if ((p = hex_get(p, name, sizeof(name))) == NULL || *p++ != ' ' ||
	    (p = hex_get(p, sig, sizeof(sig))) == NULL || *p++ != ' ' ||
	    (p = hex_get(p, key, sizeof(key))) == NULL ||
	    sscanf(p, " %d %lld %lld %llu %llu%n", &firing, &first, &last,
	    &value, &events, &used) != 5)
		return -1;
	p += used;
	if ((ri = rule_find(e->s, name, sig)) == -1)
		return 0;
	if ((w = win_get(e, (size_t)ri, key, strlen(key))) == NULL)
		return 0;
	while (sscanf(p, " %lld:%llu%n", &t, &n, &used) == 2) {
		win_push(w, t, n);
		w->sum += n;
		p += used;
	}
	if (firing && !w->ep.firing) {
		w->ep.firing = 1;
		w->ep.first = first;
		w->ep.last = last;
		w->ep.value = value;
		w->ep.events = events;
		firing_add(e, w);
	}
	return 1;
}

int
alert_eval_load(struct alert_eval *e, FILE *f, const char *name)
{
	char		*line = NULL;
	size_t		 cap = 0;
	long long	 now;
	int		 ln = 1, rc = 0;

	if (getline(&line, &cap, f) == -1 ||
	    sscanf(line, "mxtally-windows 1 %lld", &now) != 1) {
		free(line);
		return log_error("'%s': not a windows file", name);
	}
	if (now > e->now)
		e->now = now;
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		ln++;
		if (load_line(e, line) == -1)
			rc = log_error("'%s':%d: bad window line", name, ln);
	}
	free(line);
	return rc;
}

void
alert_eval_carry(struct alert_eval *to, struct alert_eval *from,
    alert_done_fn *gone, void *arg)
{
	struct win	**v, *w, *nw;
	char		 sig[512];
	size_t		 i, k, n;
	int		 ri;

	if (from->now > to->now)
		to->now = from->now;
	v = win_sorted(from, &n);
	for (i = 0; i < n; i++) {
		w = v[i];
		rule_sig(w->ep.rule, sig, sizeof(sig));
		ri = rule_find(to->s, w->ep.rule->name, sig);
		if (ri == -1 || (nw = win_get(to, (size_t)ri, w->ep.key,
		    strlen(w->ep.key))) == NULL) {
			if (w->ep.firing && gone != NULL) {
				w->ep.current = w->sum;
				gone(&w->ep, arg);
			}
			continue;
		}
		for (k = 0; k < w->len; k++)
			win_push(nw, RING(w, k).t, RING(w, k).n);
		nw->sum += w->sum;
		if (w->ep.firing && !nw->ep.firing) {
			nw->ep.firing = 1;
			nw->ep.first = w->ep.first;
			nw->ep.last = w->ep.last;
			nw->ep.value = w->ep.value;
			nw->ep.events = w->ep.events;
			firing_add(to, nw);
		}
	}
	free(v);
	to->late += from->late;
	to->overflow += from->overflow;
}
