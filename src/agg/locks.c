/*
 * Lock contention explained (issue 15 item 6). A POP3 server lets one
 * session at a time open a mailbox; Dovecot refuses the second with
 * "Couldn't lock POP3 session". The log holds both sessions: each
 * "pop3-login: Login: user=<u>, rip=ip, session=<S>" and each
 * "pop3(u)<pid><S>: Disconnected: ..." line. This file keeps those
 * starts and ends and the refusals, by session id, and at the end finds
 * (a session id is one host's: sessions are keyed by host and id), and
 * for each refused session the one that held the lock: a session of
 * the same user on the same host that had logged in by the refusal, had
 * not yet ended (or, with no end in the log, logged in at most
 * LOCK_OPEN seconds before) and was not refused itself (the earliest
 * such, which took the lock first).
 *
 * Records are appended in any order and sorted once, so the answer is
 * the same for any -j. --max-keys caps the records: over it, only the
 * records whose session id hashes at or below hmax are kept (halved
 * while too many, as tab.c does for the Dovecot sessions); a session's
 * start, end and refusal share the hash, so they are kept or dropped
 * together, and which are kept depends only on the set of records.
 *
 * Nearly every record is a session that no refusal concerns, and only
 * the end can tell (the refusal may come in another worker's chunk),
 * so the records are kept cheaply: in blocks that a merge moves whole,
 * never copied, with the two hashes the end filters on (lkey) apart
 * from the rest (lrec), so that the filter reads a few bytes a record.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mxtally/agg.h"
#include "mxtally/log.h"
#include "agg_int.h"

enum { L_LOGIN, L_END, L_REFUSED };

/*
 * A session whose end is not in the log (rotated away, or the log ends)
 * counts as open for at most this long after its login: POP3 sessions
 * last seconds to minutes.
 */
#define LOCK_OPEN	3600

#define LBLOCK		4096	/* records a block holds */

struct lkey {				/* what locks_keep_refused reads */
	uint64_t	 sh, uh;	/* hash_pair of host and sid, of host and user */
};

struct lrec {
	uint64_t	 hash;		/* of the session id */
	int64_t		 t;
	const char	*sid, *user, *client;	/* client "" when none */
	const char	*host;		/* syslog host: its own locks */
};

struct lblock {				/* records i < n, in the order added */
	struct lblock	*next;
	size_t		 n;
	struct lkey	 k[LBLOCK];
	struct lrec	 v[LBLOCK];
	uint8_t		 kind[LBLOCK];
};

struct lock_agg {
	struct lblock	*head;		/* locks_add fills the head */
	size_t		 n;		/* records in all blocks */
	size_t		 max;		/* records kept; 0 = all */
	uint64_t	 hmax;
	uint64_t	 dropped;	/* refusals the cap left out */
	struct {
		const char	*name;	/* a recent record's host, in ar */
		uint64_t	 h;	/* its tab_hash */
	}		 host[8];	/* by the last byte of its name */
	struct arena	 ar;
	struct lock_pid	*pid;		/* IMAP refusals, by pid (lockpid.c) */
};

struct lock_agg *
locks_new(void)
{
	struct lock_agg	*l = xcalloc(1, sizeof(*l));

	l->hmax = UINT64_MAX;
	arena_init(&l->ar);
	l->pid = lockpid_new();
	return l;
}

static void
blocks_free(struct lblock *b)
{
	struct lblock	*next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

void
locks_free(struct lock_agg *l)
{
	if (l == NULL)
		return;
	blocks_free(l->head);
	arena_release(&l->ar);
	lockpid_free(l->pid);
	free(l);
}

void
locks_set_max(struct lock_agg *l, size_t max)
{
	l->max = max;
	lockpid_set_max(l->pid, max);
}

/* Drops from b what hmax no longer keeps; counts the refusals dropped. */
static void
block_fold(struct lock_agg *l, struct lblock *b)
{
	size_t	 i, k;

	for (i = k = 0; i < b->n; i++)
		if (b->v[i].hash <= l->hmax) {
			b->k[k] = b->k[i];
			b->v[k] = b->v[i];
			b->kind[k++] = b->kind[i];
		} else if (b->kind[i] == L_REFUSED)
			l->dropped++;
	l->n -= b->n - k;
	b->n = k;
}

/* Drops what hmax no longer keeps; halves it while over the cap. */
static void
locks_fold(struct lock_agg *l)
{
	struct lblock	*b;

	for (;;) {
		for (b = l->head; b != NULL; b = b->next)
			block_fold(l, b);
		if (l->max == 0 || l->n <= l->max || l->hmax == 0)
			return;
		l->hmax >>= 1;
	}
}

static void
locks_push(struct lock_agg *l, const struct lkey *k, const struct lrec *r,
    int kind)
{
	struct lblock	*b = l->head;

	if (b == NULL || b->n == LBLOCK) {
		b = xmalloc(sizeof(*b));
		b->n = 0;
		b->next = l->head;
		l->head = b;
	}
	b->k[b->n] = *k;
	b->v[b->n] = *r;
	b->kind[b->n++] = (uint8_t)kind;
	if (l->max != 0 && ++l->n > l->max)
		locks_fold(l);
	else if (l->max == 0)
		l->n++;
}

/*
 * Copies s (at most KEY_MAX bytes, lower-cased if asked, a NUL as
 * "\x00"); *h gets the copy's tab_hash. Lower-casing before the escape
 * is lower-casing after it: "\x00" has no capital.
 */
static const char *
lcopy(struct lock_agg *l, struct slice s, int lower, uint64_t *h)
{
	size_t		 n = s.len < KEY_MAX ? s.len : KEY_MAX;
	const char	*src = s.p != NULL ? s.p : "";
	char		 low[KEY_MAX], *p;

	if (lower) {
		lower_ascii(low, src, n);
		src = low;
	}
	p = arena_strndup_name(&l->ar, src, n);
	if (h != NULL)		/* an escape made it longer than n */
		*h = tab_hash(p, p[n] == '\0' ? n : n + strlen(p + n));
	return p;
}

/* Sorts and groups by these before any string compare. */
static uint64_t
hash_pair(uint64_t a, uint64_t b)
{
	return a * 0x9e3779b97f4a7c15ULL ^ b;
}

/*
 * The host of a recent record when s names it again (a log has a few
 * hosts, "store1" to "store8" end in different bytes); *h its hash.
 */
static const char *
lhost(struct lock_agg *l, struct slice s, uint64_t *h)
{
	size_t	 n = s.len < KEY_MAX ? s.len : KEY_MAX;
	size_t	 k = n > 0 ? (unsigned char)s.p[n - 1] % 8 : 0;

	if (l->host[k].name == NULL || strncasecmp(l->host[k].name,
	    s.p != NULL ? s.p : "", n) != 0 || l->host[k].name[n] != '\0')
		l->host[k].name = lcopy(l, s, 1, &l->host[k].h);
	*h = l->host[k].h;
	return l->host[k].name;
}

void
locks_add(struct lock_agg *l, const struct event *ev)
{
	struct lkey	 k;
	struct lrec	 r;
	uint64_t	 hs, hu, hh;
	int		 kind;

	if (ev->proto == PROTO_IMAP || (ev->proto == PROTO_POP3 &&
	    ev->sess != SESS_NONE))
		lockpid_add(l->pid, ev);	/* a holder may be either */
	if (ev->session.len == 0 || ev->user.len == 0 || ev->t == T_NONE ||
	    ev->proto != PROTO_POP3)
		return;
	if (ev->sess == SESS_LOGIN)
		kind = L_LOGIN;
	else if (ev->sess == SESS_END)
		kind = L_END;
	else if (ev->cause == CAUSE_LOCK_CONTENTION && ev->proto == PROTO_POP3)
		kind = L_REFUSED;
	else
		return;
	r.hash = tab_hash(ev->session.p, ev->session.len);
	if (r.hash > l->hmax) {
		if (kind == L_REFUSED)
			l->dropped++;
		return;
	}
	r.t = ev->t;
	r.sid = lcopy(l, ev->session, 0, NULL);
	/* the copy is the id itself unless cut or escaped: its hash is known */
	hs = ev->session.len <= KEY_MAX && r.sid[ev->session.len] == '\0' ?
	    r.hash : tab_hash(r.sid, strlen(r.sid));
	r.user = lcopy(l, ev->user, 1, &hu);
	r.client = lcopy(l, ev->client, 0, NULL);
	r.host = lhost(l, ev->host, &hh);
	k.sh = hash_pair(hh, hs);
	k.uh = hash_pair(hh, hu);
	locks_push(l, &k, &r, kind);
}

void
locks_merge(struct lock_agg *into, struct lock_agg *from)
{
	struct lblock	*b, *next, **at;
	uint64_t	 hmax = into->hmax;

	lockpid_merge(into->pid, from->pid);
	arena_take(&into->ar, &from->ar);
	into->dropped += from->dropped;
	if (from->hmax < into->hmax)
		into->hmax = from->hmax;
	/* from's blocks go behind into's head, which locks_add fills */
	at = into->head != NULL ? &into->head->next : &into->head;
	for (b = from->head; b != NULL; b = next) {
		next = b->next;
		b->next = *at;
		*at = b;
	}
	into->n += from->n;
	if (into->hmax < hmax || into->hmax < from->hmax ||
	    (into->max != 0 && into->n > into->max))
		locks_fold(into);
	from->head = NULL;
	from->n = 0;
	memset(from->host, 0, sizeof(from->host));
	from->dropped = 0;
}

/* --- the answer ---------------------------------------------------- */

/* A record locks_keep_refused kept, whole. */
struct lsel {
	uint64_t	 sh, uh;	/* as struct lkey */
	int64_t		 t;
	const char	*sid, *user, *client, *host;
	uint8_t		 kind;
};

struct lsess {				/* one session, its records joined */
	uint64_t	 uh;		/* hash_pair of host and user */
	const char	*sid, *user, *client, *host;
	int64_t		 tin, tout, refused;	/* T_NONE: not seen */
};

static int
cmp_rec(const void *x, const void *y)
{
	const struct lsel	*a = x, *b = y;
	int			 c;

	if (a->sh != b->sh)
		return a->sh < b->sh ? -1 : 1;
	if ((c = strcmp(a->host, b->host)) != 0 ||
	    (c = strcmp(a->sid, b->sid)) != 0)
		return c;
	if (a->kind != b->kind)
		return a->kind - b->kind;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if ((c = strcmp(a->user, b->user)) != 0)
		return c;
	return strcmp(a->client, b->client);
}

/*
 * By host and user (their hash first: the groups' order does not
 * matter, the rows are sorted at the end), then start (unknown last),
 * then session id.
 */
static int
cmp_sess(const void *x, const void *y)
{
	const struct lsess	*a = x, *b = y;
	int			 c;

	if (a->uh != b->uh)
		return a->uh < b->uh ? -1 : 1;
	if ((c = strcmp(a->host, b->host)) != 0 ||
	    (c = strcmp(a->user, b->user)) != 0)
		return c;
	if (a->tin != b->tin) {
		if (a->tin == T_NONE || b->tin == T_NONE)
			return a->tin == T_NONE ? 1 : -1;
		return a->tin < b->tin ? -1 : 1;
	}
	return strcmp(a->sid, b->sid);
}

/*
 * A set of 64-bit hashes: open addressing, 0 for a free slot (a 0 hash
 * is stored as 1), at most half full: it doubles as it fills.
 */
struct hset {
	uint64_t	*v;
	size_t		 mask, n;
};

static void
hset_init(struct hset *h, size_t n)
{
	size_t	 cap = 16;

	while (cap < 2 * n)
		cap <<= 1;
	h->v = xcalloc(cap, sizeof(*h->v));
	h->mask = cap - 1;
	h->n = 0;
}

/* The slot of x in h: x's, or the free one where x would go. */
static size_t
hset_slot(const struct hset *h, uint64_t x)
{
	size_t	 i;

	for (i = (size_t)(x ^ x >> 29) & h->mask; h->v[i] != 0 &&
	    h->v[i] != x; i = (i + 1) & h->mask)
		;
	return i;
}

static int
hset_has(const struct hset *h, uint64_t x)
{
	return h->v[hset_slot(h, x != 0 ? x : 1)] != 0;
}

static void
hset_add(struct hset *h, uint64_t x)
{
	struct hset	 old = *h;
	size_t		 i;

	x = x != 0 ? x : 1;
	if (h->v[i = hset_slot(h, x)] != 0)
		return;
	h->v[i] = x;
	if (++h->n <= h->mask / 2)
		return;
	hset_init(h, 2 * h->n);
	for (i = 0; i <= old.mask; i++)
		if (old.v[i] != 0)
			h->v[hset_slot(h, old.v[i])] = old.v[i];
	h->n = old.n;
	free(old.v);
}

/*
 * The records that can change the answer, *n of them: those of every
 * session that shares a user with a refused session (on its host). A
 * refused session's user is one of the users its records name, and a
 * session's user is one its records name, so each refused user's
 * sessions are all kept, whole. Most sessions are never refused: this
 * leaves the string sort below a few records instead of every POP3
 * session of the log. Hash collisions only keep more. The passes read
 * the keys only, and probe sets the size of the answer.
 */
static struct lsel *
locks_keep_refused(struct lock_agg *l, size_t *n)
{
	struct hset	 rs, ru, ks;
	struct lblock	*b;
	struct lsel	*v = NULL;
	size_t		 i, k = 0, cap = 0;

	hset_init(&rs, 0);
	hset_init(&ru, 0);
	hset_init(&ks, 0);
	for (b = l->head; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++)
			if (b->kind[i] == L_REFUSED)
				hset_add(&rs, b->k[i].sh);
	for (b = l->head; b != NULL && rs.n > 0; b = b->next)
		for (i = 0; i < b->n; i++)
			if (hset_has(&rs, b->k[i].sh))
				hset_add(&ru, b->k[i].uh);
	for (b = l->head; b != NULL && ru.n > 0; b = b->next)
		for (i = 0; i < b->n; i++)
			if (hset_has(&ru, b->k[i].uh))
				hset_add(&ks, b->k[i].sh);
	for (b = l->head; b != NULL && ks.n > 0; b = b->next)
		for (i = 0; i < b->n; i++) {
			if (!hset_has(&ks, b->k[i].sh))
				continue;
			if (k == cap) {
				cap = cap ? 2 * cap : 4 * ks.n;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[k++] = (struct lsel){ b->k[i].sh, b->k[i].uh,
			    b->v[i].t, b->v[i].sid, b->v[i].user,
			    b->v[i].client, b->v[i].host, b->kind[i] };
		}
	free(rs.v);
	free(ru.v);
	free(ks.v);
	*n = k;
	return v;
}

/* The records of each session id as one session, by user and start. */
static struct lsess *
locks_sessions(struct lock_agg *l, size_t *n)
{
	struct lsess	*s, *cur = NULL;
	struct lsel	*v;
	size_t		 i, k = 0, nv;

	v = locks_keep_refused(l, &nv);
	s = xcalloc(nv + 1, sizeof(*s));
	if (nv > 1)		/* v is NULL when nothing was kept */
		qsort(v, nv, sizeof(*v), cmp_rec);
	for (i = 0; i < nv; i++) {
		const struct lsel *r = &v[i];

		if (cur == NULL || strcmp(cur->sid, r->sid) != 0 ||
		    strcmp(cur->host, r->host) != 0) {
			cur = &s[k++];
			cur->sid = r->sid;
			cur->user = r->user;
			cur->uh = r->uh;
			cur->host = r->host;
			cur->client = "";
			cur->tin = cur->tout = cur->refused = T_NONE;
		}
		if (r->kind == L_LOGIN && cur->tin == T_NONE) {
			cur->tin = r->t;
			cur->client = r->client;
			cur->user = r->user;
			cur->uh = r->uh;
			cur->host = r->host;
		} else if (r->kind == L_END && cur->tout == T_NONE)
			cur->tout = r->t;
		else if (r->kind == L_REFUSED && cur->refused == T_NONE)
			cur->refused = r->t;
	}
	free(v);
	qsort(s, k, sizeof(*s), cmp_sess);
	*n = k;
	return s;
}

/* The session of the same user (s[lo..hi)) that held r's lock, or NULL. */
static const struct lsess *
locks_holder(const struct lsess *s, size_t lo, size_t hi,
    const struct lsess *r)
{
	size_t	 i;

	for (i = lo; i < hi; i++) {
		const struct lsess *h = &s[i];

		/* by start, unknown last: none after h started in time */
		if (h->tin == T_NONE || h->tin > r->refused)
			break;
		if (h == r || h->refused != T_NONE)
			continue;
		if ((h->tout == T_NONE && r->refused - h->tin <= LOCK_OPEN) ||
		    (h->tout != T_NONE && h->tout >= r->refused))
			return h;	/* the earliest still open */
	}
	return NULL;
}

static int
cmp_pair_key(const void *x, const void *y)
{
	const struct lock_pair	*a = x, *b = y;
	int			 c;

	if ((c = strcmp(a->user, b->user)) != 0)
		return c;
	if ((c = strcmp(a->client, b->client)) != 0)
		return c;
	if ((c = strcmp(a->holder, b->holder)) != 0)
		return c;
	if (a->imap != b->imap)		/* POP3 first */
		return a->imap - b->imap;
	return strcmp(a->holder_user ? a->holder_user : "",
	    b->holder_user ? b->holder_user : "");
}

static int
cmp_pair(const void *x, const void *y)
{
	const struct lock_pair	*a = x, *b = y;

	if (a->events != b->events)
		return a->events > b->events ? -1 : 1;
	return cmp_pair_key(x, y);
}

/* Latest refusal first, then user and session id. */
static int
cmp_lock(const void *x, const void *y)
{
	const struct lock_row	*a = x, *b = y;
	int			 c;

	if (a->t != b->t)
		return a->t > b->t ? -1 : 1;
	if ((c = strcmp(a->user, b->user)) != 0 ||
	    (c = strcmp(a->session, b->session)) != 0 ||
	    (c = strcmp(a->client, b->client)) != 0)
		return c;
	if (a->holder == NULL || b->holder == NULL)
		return (a->holder == NULL) - (b->holder == NULL);
	if ((c = strcmp(a->holder, b->holder)) != 0)
		return c;
	if (a->imap != b->imap)
		return a->imap - b->imap;
	return strcmp(a->holder_user ? a->holder_user : "",
	    b->holder_user ? b->holder_user : "");
}

void
locks_sort(struct lock_row *rows, size_t n, struct lock_pair *pairs,
    size_t np)
{
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_lock);
	if (np > 1)
		qsort(pairs, np, sizeof(*pairs), cmp_pair);
}

void
locks_result(struct lock_agg *l, struct arena *ar, struct result *r)
{
	struct lsess	*s;
	struct lock_row	*rows, *irows;
	struct lock_pair *pairs;
	size_t		 n, i, lo, hi, k = 0, np = 0, j, ni;
	uint64_t	 idropped;

	lockpid_result(l->pid, ar, &irows, &ni, &idropped);
	s = locks_sessions(l, &n);
	rows = arena_alloc(ar, (n + ni + 1) * sizeof(*rows));
	pairs = arena_alloc(ar, (n + ni + 1) * sizeof(*pairs));
	for (lo = 0; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && strcmp(s[hi].user, s[lo].user) ==
		    0 && strcmp(s[hi].host, s[lo].host) == 0; hi++)
			;
		for (i = lo; i < hi; i++) {
			const struct lsess *h;

			if (s[i].refused == T_NONE)
				continue;
			h = locks_holder(s, lo, hi, &s[i]);
			rows[k] = (struct lock_row){ .user = s[i].user,
			    .t = s[i].refused, .session = s[i].sid,
			    .client = s[i].client, .since = T_NONE };
			if (h != NULL) {
				rows[k].holder = h->client;
				rows[k].holder_session = h->sid;
				rows[k].since = h->tin;
			}
			k++;
		}
	}
	/* the IMAP ones, paired by pid */
	memcpy(rows + k, irows, ni * sizeof(*rows));
	k += ni;
	r->nlocks_imap = ni;
	/* pairs: the held refusals by user, client and holder, counted */
	r->locks_held = 0;
	for (i = 0; i < k; i++)
		if (rows[i].holder != NULL)
			pairs[r->locks_held++] = (struct lock_pair){
			    .user = rows[i].user, .client = rows[i].client,
			    .holder = rows[i].holder, .events = 1,
			    .holder_user = rows[i].holder_user,
			    .imap = rows[i].imap };
	qsort(pairs, r->locks_held, sizeof(*pairs), cmp_pair_key);
	for (i = 0; i < r->locks_held; i = j) {
		for (j = i + 1; j < r->locks_held &&
		    cmp_pair_key(&pairs[i], &pairs[j]) == 0; j++)
			;
		pairs[np] = pairs[i];
		pairs[np++].events = j - i;
	}
	locks_sort(rows, k, pairs, np);
	r->locks = rows;
	r->nlocks = r->nlocks_all = k;
	r->lock_pairs = pairs;
	r->nlock_pairs = np;
	r->locks_dropped = l->dropped + idropped;
	free(s);
}
