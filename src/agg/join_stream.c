/*
 * The joins of join.c over a stream of lines (watch): one failure logged
 * on several lines, or by two daemons, is one event, with the cause,
 * code and count the report gives it (causes.md rule 2). The rules are
 * join.c's (join_group_key, join_peer_key, join_same_user,
 * join_pair_event); what differs is when they are settled. A batch run
 * settles every join after the last line; here a line that may still
 * join a later one is held for JOIN_WINDOW seconds of log time:
 *
 *   - a Dovecot LMTP failure with a user (JS_SERVER, keyed by the local
 *     part) waits for the MTA's failure for that recipient, and the
 *     MTA's (JS_MTA) for the server's; the first pair within the window
 *     counts once, as the server's event with the MTA's code;
 *   - a Dovecot login failure (EV_JOIN, JS_LOGIN, keyed by session)
 *     waits LOGIN_WAIT seconds for the auth process's "unknown user"
 *     verdict, which gives it detail unknown_user; a verdict (JS_VERDICT) is
 *     kept VERDICT_KEEP seconds for its logins;
 *   - the key of every Dovecot group (JS_GROUP) is kept while its lines
 *     come, so later lines of the group count nothing; its first line
 *     counts at once (LMTP: is the JS_SERVER).
 *
 * Entries sit in a hash table (by kind and key) and in a heap by the
 * time they expire (their line's log time + the wait; then arrival
 * order). They expire when the stream's log time is past that: the
 * oldest log time among the sources still being read, or the newest
 * when none is. A held line that expires counts on its own, as logged.
 * At most max entries: the oldest goes early (evicted).
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "agg_int.h"

#define STR_KEEP	255	/* bytes of each string of a held event */
/*
 * The auth process says "unknown user" when it looks the login up, and
 * the login process logs the failure after the client gave up (seconds,
 * "N attempts in M secs"): a verdict is kept VERDICT_KEEP seconds for its
 * login; a login waits LOGIN_WAIT seconds for a verdict logged after it
 * (lines of two processes out of order), so failed logins are not held
 * up for the whole window.
 */
#define VERDICT_KEEP	120
#define LOGIN_WAIT	5

enum js_kind { JS_GROUP, JS_SERVER, JS_MTA, JS_LOGIN, JS_VERDICT };

struct jse {
	struct jse	*next;		/* in its bucket */
	uint64_t	 hash;
	int64_t		 expire;	/* let go when the clock is past it */
	uint64_t	 seq;		/* arrival order: the heap's tie-break */
	size_t		 hi;		/* index in the heap */
	uint64_t	 pos;
	struct event	 ev;		/* SERVER, MTA, LOGIN: the held line */
	uint8_t		 kind;		/* enum js_kind */
	uint32_t	 klen;
	char		*key;		/* in mem, after the strings */
	char		 mem[];
};

struct jsrc {
	int64_t		 clock;		/* newest log time read, or INT64_MIN */
	int		 busy;		/* lines not read yet */
};

struct join_stream {
	struct jse	**bucket;
	size_t		 nbucket;	/* a power of two */
	struct jse	**heap;
	size_t		 n, max;
	uint64_t	 seq;
	struct jsrc	*src;
	size_t		 nsrc;
	agg_emit_fn	*emit;
	void		*arg;
	uint64_t	 evicted, paired;
};

struct join_stream *
join_stream_new(size_t nsrc, size_t max, agg_emit_fn *emit, void *arg)
{
	struct join_stream	*js = xcalloc(1, sizeof(*js));
	size_t			 i;

	js->max = max > 0 ? max : 1;
	for (js->nbucket = 64; js->nbucket < 2 * js->max; js->nbucket <<= 1)
		;
	js->bucket = xcalloc(js->nbucket, sizeof(*js->bucket));
	js->heap = xcalloc(js->max, sizeof(*js->heap));
	js->nsrc = nsrc > 0 ? nsrc : 1;
	js->src = xcalloc(js->nsrc, sizeof(*js->src));
	for (i = 0; i < js->nsrc; i++)
		js->src[i] = (struct jsrc){ INT64_MIN, 1 };
	js->emit = emit;
	js->arg = arg;
	return js;
}

static int
heap_less(const struct jse *a, const struct jse *b)
{
	if (a->expire != b->expire)
		return a->expire < b->expire;
	return a->seq < b->seq;
}

static void
heap_set(struct join_stream *js, size_t i, struct jse *e)
{
	js->heap[i] = e;
	e->hi = i;
}

static void
heap_up(struct join_stream *js, size_t i)
{
	struct jse	*e = js->heap[i];

	while (i > 0 && heap_less(e, js->heap[(i - 1) / 2])) {
		heap_set(js, i, js->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(js, i, e);
}

static void
heap_down(struct join_stream *js, size_t i)
{
	struct jse	*e = js->heap[i];
	size_t		 c;

	while ((c = 2 * i + 1) < js->n) {
		if (c + 1 < js->n && heap_less(js->heap[c + 1], js->heap[c]))
			c++;
		if (!heap_less(js->heap[c], e))
			break;
		heap_set(js, i, js->heap[c]);
		i = c;
	}
	heap_set(js, i, e);
}

static uint64_t
key_hash(int kind, const char *key, size_t klen)
{
	return tab_hash(key, klen) ^ ((uint64_t)kind * 0x9e3779b97f4a7c15ULL);
}

/* Unlinks e from its bucket and the heap, and frees it. */
static void
jse_drop(struct join_stream *js, struct jse *e)
{
	struct jse	**pp = &js->bucket[e->hash & (js->nbucket - 1)], *x;
	size_t		 i = e->hi;

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	js->n--;
	if (i < js->n) {
		x = js->heap[js->n];
		heap_set(js, i, x);
		heap_down(js, i);
		heap_up(js, x->hi);
	}
	free(e);
}

/* Counts e's line on its own, if it holds one, and drops e. */
static void
jse_release(struct join_stream *js, struct jse *e)
{
	if (e->kind == JS_SERVER || e->kind == JS_MTA || e->kind == JS_LOGIN)
		js->emit(js->arg, &e->ev, e->pos);
	jse_drop(js, e);
}

static struct slice
keep(char **p, struct slice s)
{
	size_t	 n = s.len < STR_KEEP ? s.len : STR_KEEP;
	char	*d = *p;

	memcpy(d, s.p, n);
	d[n] = '\0';
	*p += n + 1;
	return (struct slice){ d, n };
}

#define NSTR	11

/* The strings of a held event, to copy. */
static void
strs(struct event *ev, struct slice **s)
{
	s[0] = &ev->host;
	s[1] = &ev->program;
	s[2] = &ev->user;
	s[3] = &ev->client;
	s[4] = &ev->cname;
	s[5] = &ev->remote;
	s[6] = &ev->darg;
	s[7] = &ev->text;
	s[8] = &ev->session;
	s[9] = &ev->subkey;
	s[10] = &ev->peer;
}

/*
 * The user the joins compare, as join.c's join_user: under --anonymize
 * its pseudonym's form (event.peer), whose local part and domain meet
 * where the raw user's do; the user field itself is one token, and the
 * token of "alice@x" is not the token of "alice".
 */
static struct slice
jsu(const struct event *ev)
{
	return ev->peer.len > 0 ? ev->peer : ev->user;
}

/*
 * Holds a new entry (key at most GKEY_MAX bytes); ev, if not NULL, is
 * copied, each string cut at STR_KEEP bytes. Makes room first.
 */
static struct jse *
jse_put(struct join_stream *js, int kind, const char *key, size_t klen,
    const struct event *ev, uint64_t pos, int64_t expire)
{
	struct slice	*s[NSTR];
	struct event	 e0;
	struct jse	*e;
	size_t		 i, size = klen + 1;
	char		*p;

	if (js->n == js->max) {
		js->evicted++;
		jse_release(js, js->heap[0]);
	}
	if (ev != NULL) {
		e0 = *ev;
		strs(&e0, s);
		for (i = 0; i < NSTR; i++)
			size += (s[i]->len < STR_KEEP ? s[i]->len : STR_KEEP) + 1;
	}
	e = xmalloc(sizeof(*e) + size);
	memset(e, 0, sizeof(*e));
	p = e->mem;
	if (ev != NULL) {
		e->ev = *ev;
		e->ev.flags &= (uint8_t)~(EV_GROUP | EV_PEER);
		e->ev.count = ev->flags & EV_GROUP ? 1 : ev->count;
		e->ev.qid = e->ev.addr = e->ev.from = SLICE_NULL;
		strs(&e->ev, s);
		for (i = 0; i < NSTR; i++)
			*s[i] = keep(&p, *s[i]);
	}
	e->key = p;
	memcpy(e->key, key, klen);
	e->klen = (uint32_t)klen;
	e->kind = (uint8_t)kind;
	e->pos = pos;
	e->expire = expire;
	e->seq = js->seq++;
	e->hash = key_hash(kind, key, klen);
	e->next = js->bucket[e->hash & (js->nbucket - 1)];
	js->bucket[e->hash & (js->nbucket - 1)] = e;
	heap_set(js, js->n++, e);
	heap_up(js, js->n - 1);
	return e;
}

/* The first entry of kind and key (newest first), or NULL. */
static struct jse *
jse_find(struct join_stream *js, int kind, const char *key, size_t klen,
    struct jse *after)
{
	uint64_t	 h = key_hash(kind, key, klen);
	struct jse	*e = after != NULL ? after->next :
	    js->bucket[h & (js->nbucket - 1)];

	for (; e != NULL; e = e->next)
		if (e->hash == h && e->kind == kind && e->klen == klen &&
		    memcmp(e->key, key, klen) == 0)
			return e;
	return NULL;
}

/* The stream's log time: see the file's opening. */
static int64_t
js_clock(const struct join_stream *js)
{
	int64_t	 lo = INT64_MAX, hi = INT64_MIN;
	size_t	 i;

	for (i = 0; i < js->nsrc; i++) {
		if (js->src[i].busy && js->src[i].clock < lo)
			lo = js->src[i].clock;
		if (js->src[i].clock > hi)
			hi = js->src[i].clock;
	}
	return lo != INT64_MAX ? lo : hi;
}

static void
js_expire(struct join_stream *js, int64_t now)
{
	while (js->n > 0 && now != INT64_MIN && js->heap[0]->expire < now)
		jse_release(js, js->heap[0]);
}

void
join_stream_line(struct join_stream *js, size_t src, int64_t t)
{
	struct jsrc	*s = &js->src[src < js->nsrc ? src : js->nsrc - 1];

	if (t != T_NONE && t > s->clock)
		s->clock = t;
	js_expire(js, js_clock(js));
}

void
join_stream_busy(struct join_stream *js, size_t src, int busy)
{
	if (src < js->nsrc)
		js->src[src].busy = busy;
}

void
join_stream_tick(struct join_stream *js, int64_t now)
{
	size_t	 i;

	int64_t	 c = js_clock(js);

	for (i = 0; i < js->nsrc; i++)
		if (js->src[i].busy)
			return;
	js_expire(js, now > c ? now : c);
}

void
join_stream_flush(struct join_stream *js)
{
	while (js->n > 0)
		jse_release(js, js->heap[0]);
}

/*
 * The held counterpart of ev (kind JS_SERVER or JS_MTA, local part k)
 * that pairs with it: within the window, the right user, the earliest.
 */
static struct jse *
find_peer(struct join_stream *js, int kind, const char *k, size_t n,
    const struct event *ev)
{
	struct jse	*e = NULL, *best = NULL;
	int64_t		 dt;

	while ((e = jse_find(js, kind, k, n, e)) != NULL) {
		dt = e->ev.t - ev->t;
		if (dt > JOIN_WINDOW || dt < -JOIN_WINDOW)
			continue;
		if (!(kind == JS_SERVER ? join_same_user(jsu(&e->ev), jsu(ev)) :
		    join_same_user(jsu(ev), jsu(&e->ev))))
			continue;
		if (best == NULL || e->ev.t < best->ev.t ||
		    (e->ev.t == best->ev.t && e->seq < best->seq))
			best = e;
	}
	return best;
}

/* Server failure d (held or not) and MTA failure m: one event. */
static void
emit_pair(struct join_stream *js, const struct event *d, uint64_t dpos,
    const struct event *m)
{
	struct event	 ev = *d;

	join_pair_event(&ev, m);
	js->emit(js->arg, &ev, dpos);
	js->paired++;
}

static void
add_peer(struct join_stream *js, const struct event *ev, uint64_t pos)
{
	char		 k[PART_MAX];
	size_t		 n = join_peer_key(jsu(ev), k);
	struct jse	*d = find_peer(js, JS_SERVER, k, n, ev);

	if (d != NULL) {
		emit_pair(js, &d->ev, d->pos, ev);
		jse_drop(js, d);
	} else
		jse_put(js, JS_MTA, k, n, ev, pos, ev->t + JOIN_WINDOW);
}

static void
add_group(struct join_stream *js, const struct event *ev, uint64_t pos)
{
	char		 k[GKEY_MAX];
	size_t		 n = join_group_key(ev, k);
	struct jse	*g = jse_find(js, JS_GROUP, k, n, NULL), *m;
	struct event	 e1;

	if (g != NULL) {		/* a later line of a group: absorbed */
		if (ev->t + JOIN_WINDOW > g->expire) {
			g->expire = ev->t + JOIN_WINDOW;
			heap_down(js, g->hi);
		}
		return;
	}
	jse_put(js, JS_GROUP, k, n, NULL, pos, ev->t + JOIN_WINDOW);
	e1 = *ev;
	e1.count = 1;
	e1.flags &= (uint8_t)~(EV_GROUP | EV_PEER);
	if (ev->proto != PROTO_LMTP || ev->user.len == 0) {
		js->emit(js->arg, &e1, pos);
		return;
	}
	n = join_peer_key(jsu(ev), k);
	if ((m = find_peer(js, JS_MTA, k, n, ev)) != NULL) {
		emit_pair(js, &e1, pos, &m->ev);
		jse_drop(js, m);
	} else
		jse_put(js, JS_SERVER, k, n, ev, pos, ev->t + JOIN_WINDOW);
}

/* A session id as a key: its first PART_MAX bytes. */
#define SID(ev)	(ev)->session.p, \
	((ev)->session.len < PART_MAX ? (ev)->session.len : PART_MAX)

/* A verdict settles the logins of its session, and waits for later ones. */
static void
add_verdict(struct join_stream *js, const struct event *ev, uint64_t pos)
{
	struct jse	*l;

	while ((l = jse_find(js, JS_LOGIN, SID(ev), NULL)) != NULL) {
		/* still auth_failure (causes.md); a user rule's cause stays */
		if (l->ev.cause == CAUSE_AUTH_FAILURE)
			l->ev.detail = POL_UNKNOWN_USER;
		jse_release(js, l);
	}
	if (jse_find(js, JS_VERDICT, SID(ev), NULL) == NULL)
		jse_put(js, JS_VERDICT, SID(ev), NULL, pos,
		    ev->t + VERDICT_KEEP);
}

static void
add_login(struct join_stream *js, const struct event *ev, uint64_t pos)
{
	struct event	 e1 = *ev;

	if (jse_find(js, JS_VERDICT, SID(ev), NULL) == NULL) {
		jse_put(js, JS_LOGIN, SID(ev), ev, pos, ev->t + LOGIN_WAIT);
		return;
	}
	if (e1.cause == CAUSE_AUTH_FAILURE)	/* as in add_verdict */
		e1.detail = POL_UNKNOWN_USER;
	js->emit(js->arg, &e1, pos);
}

void
join_stream_add(struct join_stream *js, const struct event *ev, uint64_t pos)
{
	struct event	 e1;

	join_stream_line(js, (size_t)(pos >> 40), ev->t);
	if (ev->t == T_NONE)		/* no time to wait on: as logged */
		goto alone;
	if ((ev->flags & EV_AUTH_UNKNOWN) && ev->session.len > 0)
		add_verdict(js, ev, pos);
	else if ((ev->flags & EV_JOIN) && ev->session.len > 0)
		add_login(js, ev, pos);
	else if ((ev->flags & EV_PEER) && ev->user.len > 0)
		add_peer(js, ev, pos);
	else if ((ev->flags & EV_GROUP) && join_groupable(ev))
		add_group(js, ev, pos);
	else
		goto alone;
	return;
alone:
	if (ev->flags & EV_AUTH_UNKNOWN)
		return;			/* a verdict is no event */
	e1 = *ev;
	e1.flags &= (uint8_t)~(EV_GROUP | EV_PEER);
	js->emit(js->arg, &e1, pos);
}

void
join_stream_stats(const struct join_stream *js, struct join_stream_stats *st)
{
	st->held = js->n;
	st->evicted = js->evicted;
	st->paired = js->paired;
}

void
join_stream_free(struct join_stream *js)
{
	size_t	 i;

	if (js == NULL)
		return;
	for (i = 0; i < js->n; i++)
		free(js->heap[i]);
	free(js->heap);
	free(js->bucket);
	free(js->src);
	free(js);
}
