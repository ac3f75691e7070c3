/*
 * Lock contention explained (issue 15 item 6): for each session Dovecot
 * refused a mailbox lock, the session that held it. This file owns a
 * worker's lock records and the answer; one engine serves two rules:
 *
 * - POP3 lets one session at a time open a mailbox and refuses the
 *   next with "pop3(u)<pid><S>: Disconnected: Couldn't lock POP3
 *   session". The holder is a session of the same user on the same
 *   host that had logged in by the refusal, was still open and was not
 *   refused itself: the earliest such, which took the lock first.
 * - An IMAP mail process that gives up waiting logs "imap(u)<pid><S>:
 *   ... Timeout (Ns) while waiting for lock for transaction log file
 *   PATH (WRITE lock held by pid N)". The holder is the session whose
 *   mail process had pid N on that host (its login's "mpid=N"; a POP3
 *   session may hold it too), logged in by the refusal and still open:
 *   the latest such (a pid is used again only after its process
 *   ended). Its user may differ (a shared mailbox).
 *
 * Open is: ended at or after the refusal or, with no end in the log
 * (rotated away, or the log ends), logged in at most the rule's window
 * before it. A session id is one host's: sessions are keyed by host
 * and id, from "*-login: Login: user=<u>, rip=IP, mpid=N, session=<S>",
 * the "Disconnected" end and the refusal.
 *
 * Records are appended in any order, in blocks a merge moves whole,
 * and sorted once at the end, so the answer is the same for any -j and
 * wherever chunks end. A record serves the rules its line concerns (its
 * roles: a POP3 login with a pid serves both). --max-keys caps each
 * rule's records apart: over it, a record keeps a role only while its
 * session id hashes at or below the rule's hmax (halved while too
 * many, as tab.c does for the Dovecot sessions), so a session's records
 * are kept or dropped together and which are kept depends only on the
 * set of records.
 *
 * Nearly every record is a login no refusal concerns, and only the end
 * can tell (the refusal may be in another worker's chunk), so a record
 * is cheap: hashes, the time, the pid, the session id inline (Dovecot's
 * are 16 bytes), an IPv4 client packed in 32 bits, its user copied with
 * the user's lower-cased hash, and pointers to the host and any other
 * client, interned once per worker. (Users are far fewer than logins,
 * but a set of them is far from the cache: its probes cost more time
 * than the copies' memory.) The answer filters
 * on hashes and names only the records it keeps. Under the cap a fold
 * that left most of the arena unused builds it anew from the records
 * kept, so memory stays bounded on hostile input.
 *
 * merge hands in what saved reports say (locks_add_counts, _row, _pair):
 * their refused sessions are listed beside the scan's, their pairs join
 * the scan's by user, client and holder, their counts add up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/ascii.h"
#include "mxtally/log.h"
#include "agg_int.h"

enum { L_LOGIN, L_END, L_REFUSED };	/* a session's records sort so */
enum { RULE_POP3, RULE_IMAP, RULE_COUNT };

/*
 * How long a session whose end is not in the log counts as open after
 * its login: POP3 sessions last seconds to minutes, IMAP clients stay
 * connected for hours.
 */
#define LOCK_OPEN	3600
#define PID_OPEN	86400

static const struct lrule {		/* where the two rules differ */
	int64_t		 open;		/* LOCK_OPEN or PID_OPEN */
	int		 latest;	/* the latest open session holds (else
					   the earliest) */
	int		 unrefused;	/* a refused session holds nothing */
} rules[RULE_COUNT] = {
	[RULE_POP3] = { LOCK_OPEN, 0, 1 },
	[RULE_IMAP] = { PID_OPEN, 1, 0 },
};

struct lstr {				/* an interned name, in the arena */
	uint64_t	 hash;		/* tab_hash of s[0..len) */
	uint64_t	 fold;		/* the same of s lower-cased */
	uint32_t	 len;
	char		 s[];		/* as logged (cut at KEY_MAX), then
					   a NUL */
};

struct luser {				/* a record's user, in the arena */
	uint64_t	 fold;		/* tab_hash of s lower-cased; 0 when
					   the record is no POP3 rule's */
	uint32_t	 len;
	char		 s[];		/* as logged (cut at KEY_MAX) */
};

#define LSID_IN		16	/* bytes of a session id kept inline */

struct lrec {
	uint64_t	 hash;		/* tab_hash of the session id */
	int64_t		 t;
	const struct lstr *host;
	const struct luser *user;	/* NULL for an end */
	union {
		const struct lstr *name;	/* NULL but for a login */
		uint32_t	 v4;	/* with v4: the address, packed */
	}		 client;
	union {
		char		 in[LSID_IN];	/* nsid <= LSID_IN */
		const char	*p;	/* else, in the arena */
	}		 sid;		/* as logged, cut at KEY_MAX */
	uint32_t	 pid;		/* login: its mail process; IMAP
					   refusal: the pid named; else 0 */
	uint16_t	 nsid;
	uint8_t		 kind;		/* L_LOGIN, L_END, L_REFUSED */
	uint8_t		 roles : 7;	/* 1 << RULE_*: the rules it serves */
	uint8_t		 v4 : 1;	/* the client is a dotted quad, packed */
};

/* records a block holds: the block fills 64 KiB, an allocator class */
#define LBLOCK		((65536 - 2 * sizeof(size_t)) / sizeof(struct lrec))

struct lblock {				/* records v[0..n) */
	struct lblock	*next;
	size_t		 n;
	struct lrec	 v[LBLOCK];
};

struct lcap {				/* one rule's share of --max-keys */
	size_t		 n;		/* records that serve the rule */
	uint64_t	 hmax;
	uint64_t	 dropped;	/* its refusals the cap left out */
};

struct lock_agg {
	struct lblock	*head;		/* locks_add fills the head */
	size_t		 n;		/* records in all blocks */
	size_t		 max;		/* records a rule keeps; 0 = all */
	struct lcap	 cap[RULE_COUNT];
	struct arena	 ar;		/* names, users, long session ids */
	struct lslot {
		uint64_t		 hash;	/* e's, probed without e */
		const struct lstr	*e;	/* NULL: a free slot */
	}		*set;		/* ar's names by hash */
	size_t		 mask, nset;
	size_t		 made;		/* names and ids put in ar */
	const struct lstr *host[8];	/* recent hosts, by their last byte */
	struct {			/* saved reports' (merge), borrowed */
		struct lock_row	*rows;
		struct lock_pair *pairs;
		size_t		 nrows, caprows, npairs, cappairs;
		struct lock_counts c;
		uint64_t	 events;	/* of the pairs */
	}		 given;
};

static void
intern_init(struct lock_agg *l, size_t n)
{
	size_t	 cap = 64;

	while (cap < 2 * n)
		cap <<= 1;
	l->set = xcalloc(cap, sizeof(*l->set));
	l->mask = cap - 1;
	l->nset = 0;
}

struct lock_agg *
locks_new(void)
{
	struct lock_agg	*l = xcalloc(1, sizeof(*l));
	int		 i;

	for (i = 0; i < RULE_COUNT; i++)
		l->cap[i].hmax = UINT64_MAX;
	arena_init(&l->ar);
	intern_init(l, 0);
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
	free(l->set);
	free(l->given.rows);
	free(l->given.pairs);
	free(l);
}

int
locks_add_counts(struct lock_agg *l, const struct lock_counts *c)
{
	struct lock_counts	 t = l->given.c;

	if (__builtin_add_overflow(t.refused, c->refused, &t.refused) ||
	    __builtin_add_overflow(t.held, c->held, &t.held) ||
	    __builtin_add_overflow(t.dropped, c->dropped, &t.dropped) ||
	    __builtin_add_overflow(t.imap, c->imap, &t.imap)) {
		errno = ERANGE;
		return -1;
	}
	l->given.c = t;
	return 0;
}

void
locks_add_row(struct lock_agg *l, const struct lock_row *row)
{
	if (l->given.nrows == l->given.caprows) {
		l->given.caprows = l->given.caprows ? 2 * l->given.caprows : 16;
		l->given.rows = xrealloc(l->given.rows,
		    l->given.caprows * sizeof(*l->given.rows));
	}
	l->given.rows[l->given.nrows++] = *row;
}

/* No pair's sum passes 2^64 - 1 while all the pairs' events do not. */
int
locks_add_pair(struct lock_agg *l, const struct lock_pair *p)
{
	uint64_t	 total;

	if (__builtin_add_overflow(l->given.events, p->events, &total)) {
		errno = ERANGE;
		return -1;
	}
	l->given.events = total;
	if (l->given.npairs == l->given.cappairs) {
		l->given.cappairs = l->given.cappairs ?
		    2 * l->given.cappairs : 16;
		l->given.pairs = xrealloc(l->given.pairs,
		    l->given.cappairs * sizeof(*l->given.pairs));
	}
	l->given.pairs[l->given.npairs++] = *p;
	return 0;
}

void
locks_set_max(struct lock_agg *l, size_t max)
{
	l->max = max;
}

/* --- names --------------------------------------------------------- */

/*
 * The slot of the name s[0..n) (hash h): its own, or the free one. The
 * slots hold the hashes: a probe reads a name only when they match (a
 * set of 100k names is far from the cache).
 */
static size_t
intern_slot(const struct lock_agg *l, uint64_t h, const char *s, size_t n)
{
	const struct lslot	*v = l->set;
	size_t			 i;

	for (i = (size_t)(h ^ h >> 29) & l->mask; v[i].e != NULL;
	    i = (i + 1) & l->mask)
		if (v[i].hash == h && v[i].e->len == n &&
		    memcmp(v[i].e->s, s, n) == 0)
			break;
	return i;
}

static void
intern_grow(struct lock_agg *l)
{
	struct lslot	*old = l->set;
	size_t		 i, j, mask = l->mask, n = l->nset;

	intern_init(l, 2 * n);
	for (i = 0; i <= mask; i++)
		if (old[i].e != NULL) {
			for (j = (size_t)(old[i].hash ^ old[i].hash >> 29) &
			    l->mask; l->set[j].e != NULL; j = (j + 1) & l->mask)
				;
			l->set[j] = old[i];
		}
	l->nset = n;
	free(old);
}

/*
 * The name s[0..n) (n <= KEY_MAX, hash h), interned: copied and its
 * lower-cased hash made once (hosts are compared so).
 */
static const struct lstr *
intern(struct lock_agg *l, const char *s, size_t n, uint64_t h)
{
	size_t		 i = intern_slot(l, h, s, n);
	struct lstr	*e;

	if (l->set[i].e != NULL)
		return l->set[i].e;
	e = arena_alloc(&l->ar, sizeof(*e) + n + 1);
	e->hash = h;
	e->len = (uint32_t)n;
	lower_ascii(e->s, s, n);
	e->fold = tab_hash(e->s, n);
	memcpy(e->s, s, n);
	l->set[i].hash = h;
	l->set[i].e = e;
	l->made++;
	if (++l->nset > l->mask / 2)
		intern_grow(l);
	return e;
}

/*
 * s, cut at KEY_MAX bytes, copied but not interned: users. A login's
 * user is looked up nowhere else, and a set of 50,000 users is far from
 * the cache: its probe cost more time than the copy's memory does. The
 * POP3 rule pairs by user: with fold, the lower-cased hash is made.
 */
static const struct luser *
lcopy(struct lock_agg *l, const char *s, size_t n, int fold)
{
	struct luser	*e = arena_alloc(&l->ar, sizeof(*e) + n);

	e->len = (uint32_t)n;
	if (fold) {
		lower_ascii(e->s, s, n);
		e->fold = tab_hash(e->s, n);
	}
	memcpy(e->s, s, n);
	l->made++;
	return e;
}

/* s, cut at KEY_MAX bytes, interned: hosts, clients. */
static const struct lstr *
lname(struct lock_agg *l, struct slice s)
{
	size_t		 n = s.len < KEY_MAX ? s.len : KEY_MAX;
	const char	*p = n > 0 ? s.p : "";

	return intern(l, p, n, tab_hash(p, n));
}

/*
 * The host s, interned: a recent record's when s names it again (a log
 * has a few hosts, "store1" to "store8" end in different bytes).
 */
static const struct lstr *
lhost(struct lock_agg *l, struct slice s)
{
	size_t			 n = s.len < KEY_MAX ? s.len : KEY_MAX;
	const struct lstr	**c;

	c = &l->host[n > 0 ? (unsigned char)s.p[n - 1] % 8 : 0];
	if (*c == NULL || (*c)->len != n || memcmp((*c)->s, s.p, n) != 0)
		*c = lname(l, s);
	return *c;
}

/* The session id s, cut at KEY_MAX bytes, into r: inline if it fits. */
static void
lsid_set(struct lock_agg *l, struct lrec *r, const char *s, size_t n)
{
	char	*p;

	r->nsid = (uint16_t)n;
	if (n <= LSID_IN) {
		memcpy(r->sid.in, s, n);
		return;
	}
	p = arena_alloc(&l->ar, n);
	memcpy(p, s, n);
	r->sid.p = p;
	l->made++;
}

static const char *
lsid(const struct lrec *r)
{
	return r->nsid <= LSID_IN ? r->sid.in : r->sid.p;
}

/*
 * Makes ar and the set anew from the records kept: after folds most of
 * the names and ids made belong to records dropped.
 */
static void
locks_compact(struct lock_agg *l)
{
	struct arena		 old = l->ar;
	struct lslot		*oset = l->set;
	struct lblock		*b;
	size_t			 i;

	arena_init(&l->ar);
	intern_init(l, 0);
	l->made = 0;
	memset(l->host, 0, sizeof(l->host));
	for (b = l->head; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++) {
			struct lrec *r = &b->v[i];

			r->host = intern(l, r->host->s, r->host->len,
			    r->host->hash);
			if (r->user != NULL)
				r->user = lcopy(l, r->user->s, r->user->len,
				    r->roles & 1 << RULE_POP3);
			if (!r->v4 && r->client.name != NULL)
				r->client.name = intern(l, r->client.name->s,
				    r->client.name->len, r->client.name->hash);
			if (r->nsid > LSID_IN)
				lsid_set(l, r, r->sid.p, r->nsid);
		}
	arena_release(&old);
	free(oset);
}

/* --- records and the cap ------------------------------------------- */

/*
 * Drops the roles hmax no longer keeps, and the records left with none,
 * packing the rest into the first blocks (a capped run must not keep
 * a block per 64 KiB of records ever added); the empty blocks are freed.
 */
static void
locks_fold_pass(struct lock_agg *l)
{
	struct lblock	*w = l->head, *b, *next;
	size_t		 i, k = 0;
	int		 j;

	l->n = 0;
	for (b = l->head; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++) {
			struct lrec *r = &b->v[i];

			for (j = 0; j < RULE_COUNT; j++)
				if ((r->roles & 1 << j) &&
				    r->hash > l->cap[j].hmax) {
					r->roles &= (uint8_t)~(1 << j);
					l->cap[j].n--;
					l->cap[j].dropped += r->kind ==
					    L_REFUSED;
				}
			if (r->roles == 0)
				continue;
			if (k == LBLOCK) {	/* w is full, and behind b */
				w->n = LBLOCK;
				w = w->next;
				k = 0;
			}
			w->v[k++] = *r;
			l->n++;
		}
	if (w == NULL)
		return;
	w->n = k;
	for (b = w->next; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	w->next = NULL;
}

/* Drops what the rules' hmax no longer keep; halves each while over. */
static void
locks_fold(struct lock_agg *l)
{
	int	 j, over;

	do {
		locks_fold_pass(l);
		for (j = over = 0; j < RULE_COUNT; j++)
			if (l->max != 0 && l->cap[j].n > l->max &&
			    l->cap[j].hmax != 0) {
				l->cap[j].hmax >>= 1;
				over = 1;
			}
	} while (over);
	if (l->made > 4 * l->n + 1024)
		locks_compact(l);
}

static void
locks_push(struct lock_agg *l, const struct lrec *r)
{
	struct lblock	*b = l->head;
	int		 j, over = 0;

	if (b == NULL || b->n == LBLOCK) {
		b = xmalloc(sizeof(*b));
		b->n = 0;
		b->next = l->head;
		l->head = b;
	}
	b->v[b->n++] = *r;
	l->n++;
	for (j = 0; j < RULE_COUNT; j++)
		if (r->roles & 1 << j)
			over |= ++l->cap[j].n > l->max;
	if (l->max != 0 && over)
		locks_fold(l);
}

/* The decimal pid at s (all digits, not 0), else 0. */
static uint32_t
pid_of(struct slice s)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (s.len == 0 || s.len > 9)
		return 0;
	for (i = 0; i < s.len; i++) {
		if ((unsigned)(s.p[i] - '0') > 9)
			return 0;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	return (uint32_t)v;
}

/* "... (WRITE lock held by pid N)" in the text: N, else 0. */
static uint32_t
holder_pid(struct slice text)
{
	static const char	 key[] = "lock held by pid ";
	const char		*p = slice_find(text, key, sizeof(key) - 1), *q;
	const char		*end = text.p + text.len;

	if (p == NULL)
		return 0;
	p += sizeof(key) - 1;
	for (q = p; q < end && (unsigned)(*q - '0') <= 9; q++)
		;
	return pid_of(slice_make(p, q));
}

/*
 * The dotted quad s as 32 bits when it is one as the writers show it
 * (four numbers 0 to 255, no leading zero): most clients, kept in the
 * record, not interned.
 */
static int
v4_pack(struct slice s, uint32_t *v)
{
	uint32_t	 a = 0, part = 0;
	size_t		 i, digits = 0, dots = 0;

	if (s.len < 7 || s.len > 15)
		return 0;
	for (i = 0; i < s.len; i++) {
		if (s.p[i] == '.') {
			if (digits == 0 || ++dots > 3)
				return 0;
			a = a << 8 | part;
			part = digits = 0;
		} else if ((unsigned)(s.p[i] - '0') > 9 ||
		    (digits > 0 && part == 0) ||
		    (part = part * 10 + (uint32_t)(s.p[i] - '0')) > 255)
			return 0;
		else
			digits++;
	}
	if (dots != 3 || digits == 0)
		return 0;
	*v = a << 8 | part;
	return 1;
}

/*
 * The rules ev serves and its kind: the POP3 rule takes a POP3 login,
 * end or refusal that names its user; the IMAP rule a login with the
 * pid of its mail process (POP3's too: either may hold the lock), an
 * end, and an IMAP refusal with the pid it names.
 */
static int
locks_roles(const struct event *ev, struct lrec *r)
{
	int	 roles = 0;

	if (ev->sess == SESS_LOGIN) {
		r->kind = L_LOGIN;
		if ((r->pid = pid_of(ev->subkey)) != 0)
			roles = 1 << RULE_IMAP;	/* else none can name it */
	} else if (ev->sess == SESS_END) {
		r->kind = L_END;
		roles = 1 << RULE_IMAP;
	} else if (ev->cause == CAUSE_LOCK_CONTENTION) {
		r->kind = L_REFUSED;
		if (ev->proto == PROTO_IMAP) {
			r->pid = holder_pid(ev->text);
			roles = 1 << RULE_IMAP;
		}
	} else
		return 0;
	if (ev->proto == PROTO_POP3 && ev->user.len > 0)
		roles |= 1 << RULE_POP3;
	return roles;
}

void
locks_add(struct lock_agg *l, const struct event *ev)
{
	struct lrec	 r;
	int		 roles, j;

	if (ev->session.len == 0 || ev->t == T_NONE ||
	    (ev->proto != PROTO_POP3 && ev->proto != PROTO_IMAP))
		return;
	memset(&r, 0, sizeof(r));
	if ((roles = locks_roles(ev, &r)) == 0)
		return;
	r.hash = tab_hash(ev->session.p, ev->session.len);
	for (j = 0; j < RULE_COUNT; j++)
		if ((roles & 1 << j) && r.hash > l->cap[j].hmax) {
			roles &= ~(1 << j);
			l->cap[j].dropped += r.kind == L_REFUSED;
		}
	if (roles == 0)
		return;
	r.roles = (uint8_t)roles;
	r.t = ev->t;
	r.host = lhost(l, ev->host);
	if (r.kind != L_END)
		r.user = lcopy(l, ev->user.len > 0 ? ev->user.p : "",
		    ev->user.len < KEY_MAX ? ev->user.len : KEY_MAX,
		    roles & 1 << RULE_POP3);
	if (r.kind == L_LOGIN && !(r.v4 = v4_pack(ev->client, &r.client.v4)))
		r.client.name = lname(l, ev->client);
	lsid_set(l, &r, ev->session.p,
	    ev->session.len < KEY_MAX ? ev->session.len : KEY_MAX);
	locks_push(l, &r);
}

/* Moves from's blocks into into, whole; then the cap over both. */
void
locks_merge(struct lock_agg *into, struct lock_agg *from)
{
	struct lblock	*b;
	int		 j, fold = 0;

	arena_take(&into->ar, &from->ar);
	into->made += from->made;
	if (from->head != NULL) {
		for (b = from->head; b->next != NULL; b = b->next)
			;
		b->next = into->head;
		into->head = from->head;
		into->n += from->n;
	}
	for (j = 0; j < RULE_COUNT; j++) {
		into->cap[j].n += from->cap[j].n;
		into->cap[j].dropped += from->cap[j].dropped;
		if (from->cap[j].hmax < into->cap[j].hmax)
			into->cap[j].hmax = from->cap[j].hmax;
		fold |= into->cap[j].hmax < UINT64_MAX ||
		    (into->max != 0 && into->cap[j].n > into->max);
		from->cap[j].n = 0;
		from->cap[j].dropped = 0;
	}
	if (fold)
		locks_fold(into);
	/* from's names are into's now */
	from->head = NULL;
	from->n = from->made = from->nset = 0;
	memset(from->set, 0, (from->mask + 1) * sizeof(*from->set));
	memset(from->host, 0, sizeof(from->host));
}

/* --- the answer ---------------------------------------------------- */

/* Sorts and groups by these before any string compare. */
static uint64_t
hash_pair(uint64_t a, uint64_t b)
{
	return a * 0x9e3779b97f4a7c15ULL ^ b;
}

/* Of host and session id: which session r is part of. */
static uint64_t
rec_session(const struct lrec *r)
{
	return hash_pair(r->host->fold, r->hash);
}

/*
 * What the rule pairs r by, 0 none: POP3 host and user; IMAP host and
 * pid (a login's own, the one a refusal names).
 */
static uint64_t
rec_key(const struct lrec *r, int rule)
{
	if (rule == RULE_POP3)
		return r->user != NULL ? hash_pair(r->host->fold,
		    r->user->fold) : 0;
	return r->pid != 0 ? hash_pair(r->host->fold, r->pid) : 0;
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
	return h->n > 0 && h->v[hset_slot(h, x != 0 ? x : 1)] != 0;
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
 * A record locks_keep kept, with its names (NULs escaped, users and
 * hosts lower-cased).
 */
struct lsel {
	uint64_t	 sh;		/* rec_session */
	uint64_t	 hh, uh;	/* of host, of user (0 none) */
	int64_t		 t;
	const char	*sid, *user, *client, *host;	/* "" none */
	uint32_t	 pid;
	uint8_t		 kind;
};

static const char *
sel_name(struct arena *ar, const char *s, size_t n, int lower)
{
	char	 low[KEY_MAX];

	if (n == 0)
		return "";
	if (!lower)
		return arena_strndup_name(ar, s, n);
	lower_ascii(low, s, n);
	return arena_strndup_name(ar, low, n);
}

static const char *
sel_client(struct arena *ar, const struct lrec *r)
{
	char		 buf[16], *p = buf;
	unsigned	 b;
	int		 i;

	if (!r->v4)
		return r->client.name == NULL ? "" : sel_name(ar,
		    r->client.name->s, r->client.name->len, 0);
	for (i = 24; i >= 0; i -= 8) {	/* the dotted quad v4_pack read */
		b = r->client.v4 >> i & 255;
		if (b >= 100)
			*p++ = (char)('0' + b / 100);
		if (b >= 10)
			*p++ = (char)('0' + b / 10 % 10);
		*p++ = (char)('0' + b % 10);
		*p++ = '.';
	}
	return arena_strndup(ar, buf, (size_t)(p - buf - 1));
}

/*
 * The records of the rule that can change its answer, *n of them, named
 * in ar: those of the refused sessions and of every session that shares
 * a key with one (on its host). Most sessions are never refused nor
 * named: this leaves the string sort below a few records instead of
 * every session of the log. Hash collisions only keep more. The passes
 * read hashes only; the sets are as large as the answer.
 */
static struct lsel *
locks_keep(const struct lock_agg *l, int rule, struct arena *ar,
    size_t *n)
{
	struct hset	 rs, ks, ss;
	struct lblock	*b;
	struct lsel	*v = NULL;
	size_t		 i, k = 0, cap = 0;
	uint64_t	 key;
	int		 role = 1 << rule;

	hset_init(&rs, 0);
	hset_init(&ks, 0);
	hset_init(&ss, 0);
	for (b = l->head; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++)
			if ((b->v[i].roles & role) &&
			    b->v[i].kind == L_REFUSED)
				hset_add(&rs, rec_session(&b->v[i]));
	for (b = l->head; b != NULL && rs.n > 0; b = b->next)
		for (i = 0; i < b->n; i++)
			if ((b->v[i].roles & role) &&
			    (key = rec_key(&b->v[i], rule)) != 0 &&
			    hset_has(&rs, rec_session(&b->v[i])))
				hset_add(&ks, key);
	for (b = l->head; b != NULL && rs.n > 0; b = b->next)
		for (i = 0; i < b->n; i++)
			if ((b->v[i].roles & role) &&
			    (b->v[i].kind == L_REFUSED ||
			    ((key = rec_key(&b->v[i], rule)) != 0 &&
			    hset_has(&ks, key))))
				hset_add(&ss, rec_session(&b->v[i]));
	for (b = l->head; b != NULL && ss.n > 0; b = b->next)
		for (i = 0; i < b->n; i++) {
			const struct lrec *r = &b->v[i];

			if (!(r->roles & role) ||
			    !hset_has(&ss, rec_session(r)))
				continue;
			if (k == cap) {
				cap = cap ? 2 * cap : 4 * ss.n;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[k++] = (struct lsel){ rec_session(r), r->host->fold,
			    r->user != NULL ? r->user->fold : 0, r->t,
			    arena_strndup_name(ar, lsid(r), r->nsid),
			    r->user != NULL ? sel_name(ar, r->user->s,
			    r->user->len, 1) : "",
			    sel_client(ar, r),
			    sel_name(ar, r->host->s, r->host->len, 1), r->pid,
			    r->kind };
		}
	free(rs.v);
	free(ks.v);
	free(ss.v);
	*n = k;
	return v;
}

struct lsess {				/* one session, its records joined */
	uint64_t	 kh;		/* hash_pair of host and key */
	uint64_t	 hh, uh;	/* of host, of user */
	const char	*sid, *user, *client, *host;	/* "" none */
	const char	*ku;		/* its key: POP3 its user, IMAP "" */
	uint32_t	 kp;		/* its key: IMAP its pid, POP3 0 */
	uint32_t	 holder;	/* IMAP refused: the pid named */
	int64_t		 tin, tout, refused;	/* T_NONE: not seen */
	int64_t		 open;		/* open until (sess_open) */
	int64_t		 reach;		/* the latest open of its key's
					   sessions up to it */
	size_t		 next;		/* the first session of another key */
};

static int
cmp_sel(const void *x, const void *y)
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
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if ((c = strcmp(a->user, b->user)) != 0)
		return c;
	return strcmp(a->client, b->client);
}

/*
 * By key (its hash first: the groups' order does not matter, the rows
 * are sorted at the end), then login (unknown last), then session id.
 */
static int
cmp_sess(const void *x, const void *y)
{
	const struct lsess	*a = x, *b = y;
	int			 c;

	if (a->kh != b->kh)
		return a->kh < b->kh ? -1 : 1;
	if ((c = strcmp(a->host, b->host)) != 0 ||
	    (c = strcmp(a->ku, b->ku)) != 0)
		return c;
	if (a->kp != b->kp)
		return a->kp < b->kp ? -1 : 1;
	if (a->tin != b->tin) {
		if (a->tin == T_NONE || b->tin == T_NONE)
			return a->tin == T_NONE ? 1 : -1;
		return a->tin < b->tin ? -1 : 1;
	}
	return strcmp(a->sid, b->sid);
}

static int
same_key(const struct lsess *a, const struct lsess *b)
{
	return a->kh == b->kh && a->kp == b->kp &&
	    strcmp(a->host, b->host) == 0 && strcmp(a->ku, b->ku) == 0;
}

/*
 * Until when s can hold a lock: its end, or with no end in the log its
 * login and the rule's window; INT64_MIN when it cannot (no login, or
 * refused where the rule says a refused session holds nothing).
 */
static int64_t
sess_open(const struct lsess *s, const struct lrule *ru)
{
	if (s->tin == T_NONE || (ru->unrefused && s->refused != T_NONE))
		return INT64_MIN;
	return s->tout != T_NONE ? s->tout : s->tin + ru->open;
}

/* Joins r, the next record of cur's session by cmp_sel, into cur. */
static void
sess_join(struct lsess *cur, const struct lsel *r)
{
	if (r->kind == L_LOGIN && cur->tin == T_NONE) {
		cur->tin = r->t;
		cur->kp = r->pid;
		cur->user = r->user;
		cur->uh = r->uh;
		cur->client = r->client;
	} else if (r->kind == L_END && cur->tout == T_NONE)
		cur->tout = r->t;
	else if (r->kind == L_REFUSED && cur->refused == T_NONE) {
		cur->refused = r->t;
		cur->holder = r->pid;
		if (cur->user[0] == '\0') {	/* no login, or no user */
			cur->user = r->user;
			cur->uh = r->uh;
		}
	}
}

/* The rule's sessions, *n of them, sorted by cmp_sess; names in ar. */
static struct lsess *
locks_sessions(const struct lock_agg *l, int rule, struct arena *ar,
    size_t *n)
{
	struct lsess	*s, *cur = NULL;
	struct lsel	*v;
	size_t		 i, k = 0, nv;

	v = locks_keep(l, rule, ar, &nv);
	s = xcalloc(nv + 1, sizeof(*s));
	if (nv > 1)		/* v is NULL when nothing was kept */
		qsort(v, nv, sizeof(*v), cmp_sel);
	for (i = 0; i < nv; i++) {
		if (cur == NULL || v[i].sh != v[i - 1].sh ||
		    strcmp(cur->sid, v[i].sid) != 0 ||
		    strcmp(cur->host, v[i].host) != 0) {
			cur = &s[k++];
			cur->sid = v[i].sid;
			cur->host = v[i].host;
			cur->hh = v[i].hh;
			cur->user = cur->client = cur->ku = "";
			cur->tin = cur->tout = cur->refused = T_NONE;
		}
		sess_join(cur, &v[i]);
	}
	for (i = 0; i < k; i++) {
		if (rule == RULE_POP3) {
			s[i].ku = s[i].user;
			s[i].kp = 0;
			s[i].kh = hash_pair(s[i].hh, s[i].uh);
		} else
			s[i].kh = hash_pair(s[i].hh, s[i].kp);
	}
	free(v);
	if (k > 1)
		qsort(s, k, sizeof(*s), cmp_sess);
	for (i = k; i-- > 0;)
		s[i].next = i + 1 < k && same_key(&s[i], &s[i + 1]) ?
		    s[i + 1].next : i + 1;
	for (i = 0; i < k; i++) {
		s[i].open = sess_open(&s[i], &rules[rule]);
		s[i].reach = i > 0 && s[i - 1].next == s[i].next &&
		    s[i - 1].reach > s[i].open ? s[i - 1].reach : s[i].open;
	}
	*n = k;
	return s;
}

/*
 * The session that held r's lock among s[0..n) (sorted by cmp_sess):
 * of the sessions with the key the rule pairs r by (POP3: its own, IMAP:
 * the pid named, on r's host) logged in by the refusal and open then,
 * the earliest or the latest as the rule says; NULL when none.
 */
static const struct lsess *
locks_holder(const struct lsess *s, size_t n, const struct lsess *r,
    int rule)
{
	const struct lrule	*ru = &rules[rule];
	const char		*ku = rule == RULE_POP3 ? r->ku : "";
	uint32_t		 kp = rule == RULE_POP3 ? 0 : r->holder;
	uint64_t		 kh = hash_pair(r->hh, rule == RULE_POP3 ?
				    r->uh : r->holder);
	size_t			 lo = 0, hi = n, i, q;

	if (rule == RULE_IMAP && r->holder == 0)
		return NULL;		/* a dotlock: no pid named */
	while (lo < hi) {		/* the first of kh's group */
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].kh < kh)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < n && s[i].kh == kh && (s[i].kp != kp ||
	    strcmp(s[i].host, r->host) != 0 || strcmp(s[i].ku, ku) != 0);
	    i = s[i].next)
		;			/* another key of the same hash */
	if (i == n || s[i].kh != kh)
		return NULL;
	/* [i, q): the key's sessions logged in by the refusal, by login */
	for (lo = i, hi = s[i].next; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].tin != T_NONE && s[mid].tin <= r->refused)
			lo = mid + 1;
		else
			hi = mid;
	}
	q = lo;
	if (ru->latest) {
		while (q-- > i)		/* the latest open */
			if (&s[q] != r && s[q].open >= r->refused)
				return &s[q];
		return NULL;
	}
	/* the earliest open: where reach (never less further on) gets there */
	for (lo = i, hi = q; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].reach < r->refused)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < q && &s[lo] != r ? &s[lo] : NULL;
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

/* The rule's refused sessions of s[0..n) as rows at rows; how many. */
static size_t
locks_rows(const struct lsess *s, size_t n, int rule,
    struct lock_row *rows)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++) {
		const struct lsess *x = &s[i], *h;

		if (x->refused == T_NONE)
			continue;
		h = locks_holder(s, n, x, rule);
		rows[k] = (struct lock_row){ .user = x->user,
		    .t = x->refused, .session = x->sid, .client = x->client,
		    .since = T_NONE, .imap = rule == RULE_IMAP,
		    .holder_pid = rule == RULE_IMAP ? x->holder : 0 };
		if (h != NULL) {
			rows[k].holder = h->client;
			rows[k].holder_session = h->sid;
			rows[k].since = h->tin;
			if (rule == RULE_IMAP)
				rows[k].holder_user = h->user;
		}
		k++;
	}
	return k;
}

void
locks_result(struct lock_agg *l, struct arena *ar, struct result *r)
{
	struct lsess	*s[RULE_COUNT];
	struct lock_row	*rows;
	struct lock_pair *pairs;
	size_t		 ns[RULE_COUNT], i, j, k, np, all = 1, npairs;
	int		 rule;

	for (rule = 0; rule < RULE_COUNT; rule++) {
		s[rule] = locks_sessions(l, rule, ar, &ns[rule]);
		all += ns[rule];
	}
	rows = arena_alloc(ar, (all + l->given.nrows) * sizeof(*rows));
	pairs = arena_alloc(ar, (all + l->given.npairs) * sizeof(*pairs));
	k = locks_rows(s[RULE_POP3], ns[RULE_POP3], RULE_POP3, rows);
	r->nlocks_imap = locks_rows(s[RULE_IMAP], ns[RULE_IMAP], RULE_IMAP,
	    rows + k);
	k += r->nlocks_imap;
	/* pairs: the held refusals by user, client and holder, counted */
	for (i = np = 0; i < k; i++)
		if (rows[i].holder != NULL)
			pairs[np++] = (struct lock_pair){
			    .user = rows[i].user, .client = rows[i].client,
			    .holder = rows[i].holder, .events = 1,
			    .holder_user = rows[i].holder_user,
			    .imap = rows[i].imap };
	r->locks_held = np + l->given.c.held;
	r->nlocks_imap += l->given.c.imap;
	/* a saved report's rows and pairs join the scan's (merge) */
	if (l->given.nrows > 0)
		memcpy(rows + k, l->given.rows, l->given.nrows * sizeof(*rows));
	k += l->given.nrows;
	r->nlocks_all = k + l->given.c.refused;
	if (l->given.npairs > 0)
		memcpy(pairs + np, l->given.pairs,
		    l->given.npairs * sizeof(*pairs));
	npairs = np + l->given.npairs;
	qsort(pairs, npairs, sizeof(*pairs), cmp_pair_key);
	for (i = np = 0; i < npairs; i = j) {
		pairs[np] = pairs[i];
		for (j = i + 1; j < npairs &&
		    cmp_pair_key(&pairs[i], &pairs[j]) == 0; j++)
			pairs[np].events += pairs[j].events;
		np++;
	}
	locks_sort(rows, k, pairs, np);
	r->locks = rows;
	r->nlocks = k;
	r->lock_pairs = pairs;
	r->nlock_pairs = np;
	r->locks_dropped = l->cap[RULE_POP3].dropped +
	    l->cap[RULE_IMAP].dropped + l->given.c.dropped;
	for (rule = 0; rule < RULE_COUNT; rule++)
		free(s[rule]);
}
