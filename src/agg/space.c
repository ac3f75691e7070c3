/*
 * Free space as servers log it (event.h, enum space_kind): per store
 * (Postfix's mail queue, Exim's spool and log directories) and syslog
 * host, how many figures were seen, the lowest (and when), the first and
 * the last. Every one of these is a minimum or maximum over the figures,
 * so -j1 and -jN agree whatever the order the workers saw them in.
 *
 * Hosts are few, but a hostile log may name millions: the table keeps
 * at most SPACE_MAX keys, those whose hash is at most hmax (halved when
 * the table is full, as tab.c does for the Dovecot sessions), and adds
 * the figures of the rest into one "(other)" record per store. Which
 * keys are kept depends only on the set of keys.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/log.h"
#include "agg_int.h"

#define SPACE_MAX	4096

struct srec_space {
	uint64_t	 hash;
	char		*host;		/* in the agg's arena; NULL: empty */
	uint8_t		 kind;
	struct space_fig f;
};

struct space_agg {
	struct srec_space *slot;
	size_t		 cap, len;
	uint64_t	 hmax;
	struct space_fig other[SP_COUNT];
	struct arena	 ar;
};

struct space_agg *
space_new(void)
{
	struct space_agg	*s = xcalloc(1, sizeof(*s));

	s->cap = 16;
	s->hmax = UINT64_MAX;
	s->slot = xcalloc(s->cap, sizeof(*s->slot));
	arena_init(&s->ar);
	return s;
}

void
space_free(struct space_agg *s)
{
	if (s == NULL)
		return;
	free(s->slot);
	arena_release(&s->ar);
	free(s);
}

/* T_NONE sorts after every time for "first", before every one for "last" */
static int
t_before(int64_t a, int64_t b)
{
	if (a == T_NONE)
		return 0;
	return b == T_NONE || a < b;
}

/* Adds the figures of b into a. */
void
space_fig_add(struct space_fig *a, const struct space_fig *b)
{
	if (b->samples == 0)
		return;
	if (a->samples == 0) {
		*a = *b;
		return;
	}
	a->samples += b->samples;
	if (b->min < a->min || (b->min == a->min && t_before(b->min_at,
	    a->min_at))) {
		a->min = b->min;
		a->min_at = b->min_at;
	}
	if (t_before(b->first_at, a->first_at) || (b->first_at ==
	    a->first_at && b->first < a->first)) {
		a->first = b->first;
		a->first_at = b->first_at;
	}
	if ((b->last_at != T_NONE && (a->last_at == T_NONE ||
	    b->last_at > a->last_at)) || (b->last_at == a->last_at &&
	    b->last < a->last)) {
		a->last = b->last;
		a->last_at = b->last_at;
	}
}

static size_t
space_probe(const struct space_agg *s, int kind, const char *host,
    size_t len, uint64_t h)
{
	size_t			 j;
	const struct srec_space	*r;

	for (j = h & (s->cap - 1); (r = &s->slot[j])->host != NULL;
	    j = (j + 1) & (s->cap - 1))
		if (r->hash == h && r->kind == kind &&
		    strncmp(r->host, host, len) == 0 && r->host[len] == '\0')
			return j;
	return j;
}

static void space_put(struct space_agg *s, int kind, const char *host,
    size_t len, const struct space_fig *f);

/*
 * Doubles the table, or halves hmax when it holds SPACE_MAX keys; with
 * grow 0, only puts every key again (hmax was lowered).
 */
static void
space_grow(struct space_agg *s, int grow)
{
	struct srec_space	*old = s->slot;
	size_t			 n = s->cap, i;

	if (grow && s->len >= SPACE_MAX)
		s->hmax >>= 1;
	else if (grow)
		s->cap *= 2;
	s->slot = xcalloc(s->cap, sizeof(*s->slot));
	s->len = 0;
	for (i = 0; i < n; i++)
		if (old[i].host != NULL)
			space_put(s, old[i].kind, old[i].host,
			    strlen(old[i].host), &old[i].f);
	free(old);
}

static void
space_put(struct space_agg *s, int kind, const char *host, size_t len,
    const struct space_fig *f)
{
	uint64_t		 h = tab_hash(host, len) ^ (uint64_t)kind;
	struct srec_space	*r;
	size_t			 j;

	if (h > s->hmax) {
		space_fig_add(&s->other[kind], f);
		return;
	}
	j = space_probe(s, kind, host, len, h);
	r = &s->slot[j];
	if (r->host == NULL) {
		if ((s->len + 1) * 2 > s->cap) {
			space_grow(s, 1);
			space_put(s, kind, host, len, f);
			return;
		}
		r->hash = h;
		r->kind = (uint8_t)kind;
		r->host = arena_strndup(&s->ar, host, len);
		s->len++;
	}
	space_fig_add(&r->f, f);
}

void
space_add(struct space_agg *s, const struct event *ev)
{
	struct space_fig	 f = {
		.samples = 1, .min = ev->free, .min_at = ev->t,
		.first = ev->free, .first_at = ev->t,
		.last = ev->free, .last_at = ev->t,
	};
	size_t			 len = ev->host.len < KEY_MAX ? ev->host.len :
				    KEY_MAX;
	const char		*host = ev->host.p != NULL ? ev->host.p : "";
	char			 esc[4 * KEY_MAX + 1];

	if (ev->space == SP_NONE || ev->space >= SP_COUNT)
		return;
	if (len > 0 && memchr(host, '\0', len) != NULL) {
		/* a NUL would end the name: "\x00", as for users (agg_int.h) */
		len = name_escape(host, len, esc);
		host = esc;
	}
	space_put(s, ev->space, host, len, &f);
}

void
space_add_fig(struct space_agg *s, int kind, const char *host,
    const struct space_fig *f)
{
	if (kind <= SP_NONE || kind >= SP_COUNT)
		return;
	if (host == NULL)
		space_fig_add(&s->other[kind], f);
	else
		space_put(s, kind, host, strlen(host), f);
}

void
space_merge(struct space_agg *into, struct space_agg *from)
{
	size_t	 i;

	if (from->hmax < into->hmax) {
		into->hmax = from->hmax;
		space_grow(into, 0);	/* refold into at the lower hmax */
	}
	for (i = 0; i < from->cap; i++)
		if (from->slot[i].host != NULL)
			space_put(into, from->slot[i].kind, from->slot[i].host,
			    strlen(from->slot[i].host), &from->slot[i].f);
	for (i = 0; i < SP_COUNT; i++)
		space_fig_add(&into->other[i], &from->other[i]);
}

static int
cmp_space(const void *x, const void *y)
{
	const struct space_row	*a = x, *b = y;
	int			 oa = strcmp(a->host, "(other)") == 0;
	int			 ob = strcmp(b->host, "(other)") == 0;
	int			 c;

	if (oa != ob)
		return oa - ob;
	if (oa)
		return a->kind - b->kind;
	if (a->f.min != b->f.min)
		return a->f.min < b->f.min ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	c = strcmp(a->host, b->host);
	return c;
}

struct space_row *
space_result(const struct space_agg *s, struct arena *ar, size_t *n)
{
	struct space_row	*v;
	size_t			 i, k = 0;

	v = arena_alloc(ar, (s->len + SP_COUNT) * sizeof(*v) + 1);
	for (i = 0; i < s->cap; i++)
		if (s->slot[i].host != NULL) {
			v[k].host = s->slot[i].host;
			v[k].kind = s->slot[i].kind;
			v[k++].f = s->slot[i].f;
		}
	for (i = 0; i < SP_COUNT; i++)
		if (s->other[i].samples > 0) {
			v[k].host = "(other)";
			v[k].kind = (int)i;
			v[k++].f = s->other[i];
		}
	space_sort(v, k);
	*n = k;
	return v;
}

void
space_sort(struct space_row *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_space);
}

int
space_rate(const struct space_fig *f, double *per_hour, double *hours_left)
{
	double	 dt;

	if (f->samples < 2 || f->first_at == T_NONE || f->last_at == T_NONE ||
	    f->last_at <= f->first_at || f->last >= f->first)
		return 0;
	dt = (double)(f->last_at - f->first_at) / 3600.0;
	*per_hour = (double)(f->first - f->last) / dt;
	*hours_left = (double)f->last / *per_hour;
	return 1;
}
