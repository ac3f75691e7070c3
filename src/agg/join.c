/*
 * One failure, one event, when several lines log it (causes.md rule 2).
 *
 * Groups: a mail process logs one failure on several lines with the same
 * session id (EV_GROUP, see parse_dovecot.c). The group key is the
 * session, the subkey and every field agg_count looks at except the text
 * (cause, protocol, hour, host, user, codes), so all lines of one key
 * would count the same: a key counts one event, and a key the cap folds
 * counts its lines, exactly, from one line kept per key and the number of
 * lines (the groups table's n). Lines whose text would matter (an
 * unclassified template, a POP3 wire reply) are not grouped.
 *
 * Peers: an MTA's LMTP delivery failure (EV_PEER, Postfix's lmtp agent)
 * and the LMTP server's own line for the same refusal (a Dovecot LMTP
 * group) are one event. Both wait here until agg_finish, keyed by the
 * recipient's local part, lower-cased; then, per local part and in time
 * order, a server failure and an MTA failure at most PEER_WINDOW seconds
 * apart pair up (when the server names the user with a domain, it must
 * be the recipient's domain; a "+extension" is not part of the key). A pair counts once, as the server's event with
 * the MTA's reply code, and with the MTA's cause only when the server's
 * says less (server_error, unclassified).
 *
 * Nothing is settled before agg_finish, so which chunk, worker or file a
 * line came from does not matter. Memory: one line per group key per
 * worker and each MTA failure wait here; both tables are capped at
 * --max-keys keys by the hash rule of tab.c (the same keys survive for
 * any -j). A line whose key the cap folds is counted on its own, as it
 * was logged, and in join_evicted.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "agg_int.h"


struct jpend {				/* a line waiting for agg_finish */
	struct jpend	*next;
	struct event	 ev;		/* slices point into the list's arena */
	uint64_t	 pos;
	uint64_t	 hash;		/* of key */
	const char	*key;
	uint32_t	 klen;
};

struct jlist {
	struct jpend	*head;
	struct arena	 ar;		/* the entries, nothing else */
	size_t		 n;
};

static size_t
put_part(char *k, struct slice s)
{
	size_t	 n = s.len < PART_MAX ? s.len : PART_MAX;

	k[0] = (char)n;
	memcpy(k + 1, s.p, n);
	return 1 + n;
}

size_t
join_group_key(const struct event *ev, char *k)
{
	int64_t	 hour = T_NONE;
	size_t	 n = 0;

	if (ev->t != T_NONE)
		hour = ev->t - ((ev->t % 3600) + 3600) % 3600;
	k[n++] = (char)ev->cause;
	k[n++] = (char)ev->proto;
	memcpy(k + n, &hour, sizeof(hour));
	n += sizeof(hour);
	n += put_part(k + n, ev->session);
	n += put_part(k + n, ev->subkey);
	n += put_part(k + n, ev->host);
	n += put_part(k + n, ev->user);
	memcpy(k + n, ev->code, sizeof(ev->code));
	n += sizeof(ev->code);
	memcpy(k + n, ev->enh, sizeof(ev->enh));
	n += sizeof(ev->enh);
	memcpy(k + n, ev->resp, sizeof(ev->resp));
	return n + sizeof(ev->resp);
}

int
join_groupable(const struct event *ev)
{
	return ev->session.len > 0 && ev->cause != CAUSE_UNCLASSIFIED &&
	    !(ev->flags & EV_WIRE);
}

_Static_assert(JOIN_PEER_MAX == PART_MAX, "agg.h's bound is the key part's");

size_t
join_peer_key(struct slice user, char *k)
{
	const char	*at = memchr(user.p, '@', user.len), *plus;
	size_t		 n = at ? (size_t)(at - user.p) : user.len, i;

	if ((plus = memchr(user.p, '+', n)) != NULL && plus > user.p)
		n = (size_t)(plus - user.p);

	if (n > PART_MAX)
		n = PART_MAX;
	for (i = 0; i < n; i++)
		k[i] = (char)tolower((unsigned char)user.p[i]);
	return n;
}

/*
 * The user the joins compare: under --anonymize its pseudonym's form
 * (event.peer, local part and domain each a token), whose local part
 * and domain meet where the raw user's do.
 */
static struct slice
join_user(const struct event *ev)
{
	return ev->peer.len > 0 ? ev->peer : ev->user;
}

static struct slice
keep(struct arena *ar, struct slice s)
{
	return (struct slice){ arena_strndup(ar, s.p, s.len), s.len };
}

static struct jpend *
jlist_add(struct jlist *l, const struct event *ev, uint64_t pos,
    const char *key, size_t klen, uint64_t hash)
{
	struct jpend	*p = arena_alloc(&l->ar, sizeof(*p));

	p->ev = *ev;
	p->ev.host = keep(&l->ar, ev->host);
	p->ev.program = keep(&l->ar, ev->program);
	p->ev.user = keep(&l->ar, ev->user);
	p->ev.client = keep(&l->ar, ev->client);
	p->ev.cname = keep(&l->ar, ev->cname);
	p->ev.remote = keep(&l->ar, ev->remote);
	p->ev.darg = keep(&l->ar, ev->darg);
	p->ev.text = keep(&l->ar, ev->text);
	p->ev.peer = keep(&l->ar, ev->peer);
	p->ev.session = keep(&l->ar, ev->session);
	p->ev.subkey = keep(&l->ar, ev->subkey);
	p->ev.qid = SLICE_NULL;
	p->ev.addr = SLICE_NULL;
	p->pos = pos;
	p->hash = hash;
	p->key = arena_strndup(&l->ar, key, klen);
	p->klen = (uint32_t)klen;
	p->next = l->head;
	l->head = p;
	l->n++;
	return p;
}

void
join_init(struct agg *a)
{
	tab_init(&a->groups);
	tab_init(&a->peers);
	a->gpend = xcalloc(1, sizeof(*a->gpend));
	a->ppend = xcalloc(1, sizeof(*a->ppend));
	arena_init(&a->gpend->ar);
	arena_init(&a->ppend->ar);
}

void
join_release(struct agg *a)
{
	tab_release(&a->groups);
	tab_release(&a->peers);
	if (a->gpend != NULL)
		arena_release(&a->gpend->ar);
	if (a->ppend != NULL)
		arena_release(&a->ppend->ar);
	free(a->gpend);
	free(a->ppend);
	free(a->recause);
	a->gpend = a->ppend = NULL;
	a->recause = NULL;
}

/* Counts p's line n times, as it was logged. */
static void
count_as_is(struct agg *a, const struct jpend *p, uint64_t n)
{
	struct event	 ev = p->ev;

	if (n == 0)
		return;
	ev.count = (uint32_t)n;
	ev.flags &= (uint8_t)~(EV_GROUP | EV_PEER);
	agg_count(a, &ev, p->pos);
}

/*
 * Lowers t's threshold to hmax. The waiting lines of the keys that fall
 * out are counted on their own: a group's kept line as many times as the
 * group had lines here (then its entry's n is spent, so that a second
 * waiting line of the key counts nothing), an MTA failure once. The
 * others move to a fresh arena.
 */
static void
join_fold_to(struct agg *a, struct tab *t, struct jlist *l, uint64_t hmax)
{
	struct jpend	*p, *next, *list = l->head;
	struct arena	 old = l->ar;
	struct ent	*e;
	uint64_t	 n;

	if (hmax >= t->hmax)
		return;
	l->head = NULL;
	l->n = 0;
	arena_init(&l->ar);
	for (p = list; p != NULL; p = next) {
		next = p->next;
		if (p->hash <= hmax || p->klen <= 1) {	/* as tab.c */
			jlist_add(l, &p->ev, p->pos, p->key, p->klen, p->hash);
			continue;
		}
		n = 1;
		if (t == &a->groups) {
			e = tab_find(t, p->key, p->klen);
			n = e != NULL ? e->n : 0;
			if (e != NULL)
				e->n = 0;
		}
		count_as_is(a, p, n);
		a->join_evicted += n;
	}
	arena_release(&old);
	tab_fold_to(t, hmax);
}

static void
join_cap(struct agg *a, struct tab *t, struct jlist *l)
{
	while (a->join_max != 0 && t->len > a->join_max && t->hmax > 0)
		join_fold_to(a, t, l, t->hmax >> 1);
}

/*
 * Takes a line marked EV_GROUP or EV_PEER (copying what it keeps); lines
 * that cannot be joined are counted at once.
 */
void
join_add(struct agg *a, const struct event *ev, uint64_t pos)
{
	char		 k[GKEY_MAX];
	struct ent	*e;
	size_t		 n;

	if (ev->user.len == 0 && (ev->flags & EV_PEER))
		goto alone;
	if (ev->flags & EV_PEER) {
		n = join_peer_key(join_user(ev), k);
		if (tab_count(&a->peers, k, n, 1) == NULL)
			goto evicted;
		jlist_add(a->ppend, ev, pos, k, n, tab_hash(k, n));
		join_cap(a, &a->peers, a->ppend);
		return;
	}
	if (!join_groupable(ev))
		goto alone;
	if (ev->proto == PROTO_LMTP && ev->user.len > 0) {
		/* a server failure an MTA's may join: its local part */
		n = join_peer_key(join_user(ev), k);
		tab_count(&a->peers, k, n, 0);	/* folded: it joins none */
		join_cap(a, &a->peers, a->ppend);
	}
	n = join_group_key(ev, k);
	if ((e = tab_count(&a->groups, k, n, 1)) == NULL)
		goto evicted;
	if (e->n == 1)
		jlist_add(a->gpend, ev, pos, k, n, e->hash);
	join_cap(a, &a->groups, a->gpend);
	return;
evicted:
	a->join_evicted++;
alone:
	{
		struct event	 e1 = *ev;

		e1.flags &= (uint8_t)~(EV_GROUP | EV_PEER);
		agg_count(a, &e1, pos);
	}
}

void
join_set_max(struct agg *a, size_t max)
{
	a->join_max = max;
}

/* Moves from's table and waiting lines of one join into into's. */
static void
join_merge_one(struct agg *into, struct tab *ti, struct jlist *li,
    struct agg *from, struct tab *tf, struct jlist *lf)
{
	uint64_t	 h = ti->hmax < tf->hmax ? ti->hmax : tf->hmax;
	struct jpend	*p;
	struct ent	*s;
	size_t		 i;

	join_fold_to(into, ti, li, h);
	join_fold_to(from, tf, lf, h);
	for (i = 0; i < tf->cap; i++)
		if ((s = tf->slot[i].e) != NULL)
			tab_count(ti, s->key, s->klen, s->n);
	/* from's lines, and the arena they point into, move as they are */
	if ((p = lf->head) != NULL) {
		while (p->next != NULL)
			p = p->next;
		p->next = li->head;
		li->head = lf->head;
		li->n += lf->n;
	}
	arena_take(&li->ar, &lf->ar);
	lf->head = NULL;
	lf->n = 0;
	tab_release(tf);
	tab_init(tf);
	join_cap(into, ti, li);
}

/*
 * Call before from's counts are merged: folding may count lines in from.
 */
void
join_merge(struct agg *into, struct agg *from)
{
	join_merge_one(into, &into->groups, into->gpend, from, &from->groups,
	    from->gpend);
	join_merge_one(into, &into->peers, into->ppend, from, &from->peers,
	    from->ppend);
	into->join_evicted += from->join_evicted;
	into->join_paired += from->join_paired;
	from->join_evicted = from->join_paired = 0;
}

static int
cmp_key_pos(const void *x, const void *y)
{
	const struct jpend	*a = *(struct jpend *const *)x;
	const struct jpend	*b = *(struct jpend *const *)y;
	size_t			 n = a->klen < b->klen ? a->klen : b->klen;
	int			 c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* peers: by local part (the key), then time, then input position */
static int
cmp_key_time(const void *x, const void *y)
{
	const struct jpend	*a = *(struct jpend *const *)x;
	const struct jpend	*b = *(struct jpend *const *)y;
	size_t			 n = a->klen < b->klen ? a->klen : b->klen;
	int			 c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	if (a->ev.t != b->ev.t)
		return a->ev.t < b->ev.t ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/*
 * Sorts v[0..n) by the keys' hashes, then by cmp within each run of one
 * hash (one key, or keys that collide): a radix sort on integers where
 * a comparison sort compared key bytes. Which key comes first does not
 * matter to the joins (each key is settled on its own, and what they
 * count adds up), only the order within one key.
 */
static void
sort_by_hash(struct jpend **v, size_t n, int (*cmp)(const void *,
    const void *))
{
	struct kidx	*k = xmalloc((n + 1) * sizeof(*k));
	struct jpend	**tmp = xmalloc((n + 1) * sizeof(*tmp));
	size_t		 i, j;

	for (i = 0; i < n; i++)
		k[i] = (struct kidx){ v[i]->hash, i };
	kidx_sort(k, n);
	for (i = 0; i < n; i++)
		tmp[i] = v[k[i].i];
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && k[j].key == k[i].key; j++)
			;
		if (j - i > 1)
			qsort(tmp + i, j - i, sizeof(*tmp), cmp);
	}
	if (n > 0)
		memcpy(v, tmp, n * sizeof(*v));
	free(tmp);
	free(k);
}

static struct jpend **
jlist_array(const struct jlist *l)
{
	struct jpend	**v = xmalloc((l->n + 1) * sizeof(*v)), *p;
	size_t		 i = 0;

	for (p = l->head; p != NULL; p = p->next)
		v[i++] = p;
	return v;
}

int
join_same_user(struct slice s, struct slice m)
{
	const char	*sa = memchr(s.p, '@', s.len), *ma;
	size_t		 n;

	if (sa == NULL)
		return 1;		/* the local parts are the key */
	if ((ma = memchr(m.p, '@', m.len)) == NULL)
		return 0;
	n = (size_t)(s.p + s.len - sa);
	return n == (size_t)(m.p + m.len - ma) && strncasecmp(sa, ma, n) == 0;
}

static int
weak_cause(int c)
{
	return c == CAUSE_SERVER_ERROR || c == CAUSE_UNCLASSIFIED ||
	    c == CAUSE_NONE;
}

void
join_pair_event(struct event *ev, const struct event *m)
{
	if (weak_cause(ev->cause) && !weak_cause(m->cause)) {
		ev->cause = m->cause;
		ev->detail = m->detail;
	}
	if (ev->code[0] == '\0')
		memcpy(ev->code, m->code, sizeof(ev->code));
	if (ev->enh[0] == '\0')
		memcpy(ev->enh, m->enh, sizeof(ev->enh));
	ev->count = 1;
	ev->flags &= (uint8_t)~(EV_GROUP | EV_PEER);
}

/* One event for the server's line d and the MTA's line m. */
static void
count_pair(struct agg *a, const struct jpend *d, const struct jpend *m)
{
	struct event	 ev = d->ev;

	join_pair_event(&ev, &m->ev);
	agg_count(a, &ev, d->pos);
	a->join_paired++;
	/* the deferral or bounce in the traffic counts gets that cause too */
	if (ev.cause != m->ev.cause && ev.cause >= 0 && m->ev.cause >= 0 &&
	    (m->ev.tkind == TR_DEFERRED || m->ev.tkind == TR_BOUNCED)) {
		if (a->recause == NULL)
			a->recause = xcalloc(2 * CAUSE_MAX * CAUSE_MAX,
			    sizeof(*a->recause));
		a->recause[((m->ev.tkind == TR_BOUNCED) * CAUSE_MAX +
		    (size_t)m->ev.cause) * CAUSE_MAX + (size_t)ev.cause]++;
	}
}

void
join_traffic(struct agg *a)
{
	size_t	 k, f, t;
	uint64_t n;

	if (a->recause == NULL)
		return;
	for (k = 0; k < 2; k++)
		for (f = 0; f < CAUSE_MAX; f++)
			for (t = 0; t < CAUSE_MAX; t++)
				if ((n = a->recause[(k * CAUSE_MAX + f) *
				    CAUSE_MAX + t]) != 0)
					traffic_recause(a->traffic, k ?
					    TR_BOUNCED : TR_DEFERRED, (int)f,
					    (int)t, n);
	free(a->recause);
	a->recause = NULL;
}

static int
pairs(const struct jpend *d, const struct jpend *m)
{
	int64_t	 dt;

	if (d->ev.t == T_NONE || m->ev.t == T_NONE)
		return 0;
	dt = d->ev.t - m->ev.t;
	return dt <= JOIN_WINDOW && dt >= -JOIN_WINDOW &&
	    join_same_user(join_user(&d->ev), join_user(&m->ev));
}

/* x before y in sort_by_hash's order */
static int
before(const struct jpend *x, const struct jpend *y)
{
	if (x->hash != y->hash)
		return x->hash < y->hash;
	return cmp_key_time(&x, &y) < 0;
}

/* Pairs the server failures d[0..nd) and MTA failures m[0..nm). */
static void
peers_settle(struct agg *a, struct jpend **d, size_t nd, struct jpend **m,
    size_t nm)
{
	size_t	 i = 0, j = 0;
	int	 c;

	sort_by_hash(d, nd, cmp_key_time);
	sort_by_hash(m, nm, cmp_key_time);
	while (i < nd || j < nm) {
		c = i == nd ? 1 : j == nm ? -1 :
		    d[i]->klen == m[j]->klen &&
		    memcmp(d[i]->key, m[j]->key, d[i]->klen) == 0 ? 0 :
		    before(d[i], m[j]) ? -1 : 1;
		if (c == 0 && pairs(d[i], m[j])) {
			count_pair(a, d[i++], m[j++]);
			continue;
		}
		if (c == 0)
			c = before(d[i], m[j]) ? -1 : 1;
		if (c < 0)
			count_as_is(a, d[i++], 1);
		else
			count_as_is(a, m[j++], 1);
	}
}

/*
 * Once, on the merged agg, before its tables settle: one event per group
 * (its line of the lowest input position), LMTP groups paired with the
 * MTA failures, the rest counted on their own.
 */
void
join_finish(struct agg *a)
{
	struct jpend	**g = jlist_array(a->gpend), **m = jlist_array(a->ppend);
	struct jpend	**d = xmalloc((a->gpend->n + 1) * sizeof(*d));
	struct jpend	 *p;
	const char	 *prev = NULL;
	uint32_t	  prevlen = 0;
	char		  k[PART_MAX];
	size_t		  i, nd = 0, n;

	sort_by_hash(g, a->gpend->n, cmp_key_pos);
	for (i = 0; i < a->gpend->n; i++) {
		p = g[i];
		if (prev != NULL && prevlen == p->klen &&
		    memcmp(prev, p->key, p->klen) == 0)
			continue;	/* a later line of the same group */
		prev = p->key;
		prevlen = p->klen;
		n = join_peer_key(join_user(&p->ev), k);
		if (p->ev.proto == PROTO_LMTP && p->ev.user.len > 0 &&
		    tab_find(&a->peers, k, n) != NULL) {
			/* from here on, p stands for the server's failure */
			p->key = arena_strndup(&a->gpend->ar, k, n);
			p->klen = (uint32_t)n;
			p->hash = tab_hash(k, n);	/* as the MTA's */
			d[nd++] = p;
		} else
			count_as_is(a, p, 1);
	}
	peers_settle(a, d, nd, m, a->ppend->n);
	free(g);
	free(d);
	free(m);
	arena_release(&a->gpend->ar);
	arena_release(&a->ppend->ar);
	a->gpend->head = a->ppend->head = NULL;
	a->gpend->n = a->ppend->n = 0;
}
