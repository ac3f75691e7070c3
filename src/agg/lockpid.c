/*
 * IMAP lock contention explained by pid (issue 15 item 6). A Dovecot
 * mail process that gives up waiting for a lock logs "imap(u)<pid><S>:
 * ... Timeout (Ns) while waiting for lock for transaction log file PATH
 * (WRITE lock held by pid N)", and the login process logged, for every
 * session, "imap-login: Login: user=<u>, ..., rip=IP, ..., mpid=N, ...,
 * session=<S>" (pop3-login too: a POP3 session may hold the lock). The
 * holder is the session whose mail process had pid N on the same host:
 * of those logged in by the refusal and not yet ended (or, with no end
 * in the log, logged in at most PID_OPEN seconds before), the latest
 * (a pid is used again only after its process ended). Its user may
 * differ from the refused one (a shared mailbox).
 *
 * Records (logins with their pid, session ends, refusals with the pid
 * named) are appended in any order and sorted once, so the answer is
 * the same for any -j and wherever chunks end. --max-keys caps them as
 * locks.c caps its own: only records whose session id hashes at or
 * below hmax are kept, halved while too many, so a session's records
 * are kept or dropped together and which are kept depends only on the
 * set of records. Most records are logins no refusal names: the answer
 * first keeps the refused sessions and the sessions of the pids named,
 * and sorts only those.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mxtally/agg.h"
#include "mxtally/ascii.h"
#include "mxtally/log.h"
#include "agg_int.h"

enum { P_LOGIN, P_END, P_REFUSED };

/*
 * A session whose end is not in the log counts as open for at most this
 * long after its login: IMAP clients stay connected for hours.
 */
#define PID_OPEN	86400

struct prec {
	uint64_t	 hash;		/* of the session id: the cap's */
	uint64_t	 sh;		/* of host and session id */
	uint64_t	 ph;		/* of host and pid (login: its own;
					   refusal: the holder's) */
	int64_t		 t;
	const char	*sid, *user, *client;	/* as logged; "" when none */
	const char	*host;		/* lower-cased */
	uint32_t	 pid;		/* login: mpid; refusal: holder's */
	uint16_t	 nsid, nuser, nclient;	/* their lengths */
	uint8_t		 kind;
};

#define PBLOCK		2048	/* records a block holds */

struct pblock {				/* records v[0..n), in the order added */
	struct pblock	*next;
	size_t		 n;
	struct prec	 v[PBLOCK];
};

struct lock_pid {
	struct pblock	*head;		/* lockpid_add fills the head */
	size_t		 n;		/* records in all blocks */
	struct prec	*v;		/* lockpid_result: the kept ones */
	size_t		 max;		/* records kept; 0 = all */
	uint64_t	 hmax;
	uint64_t	 dropped;	/* refusals the cap left out */
	struct {
		const char	*name;	/* a recent record's host, in ar */
		uint64_t	 h;	/* its tab_hash */
	}		 host[8];	/* by the last byte of its name */
	struct arena	 ar;
};

struct lock_pid *
lockpid_new(void)
{
	struct lock_pid	*l = xcalloc(1, sizeof(*l));

	l->hmax = UINT64_MAX;
	arena_init(&l->ar);
	return l;
}

static void
pblocks_free(struct pblock *b)
{
	struct pblock	*next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

void
lockpid_free(struct lock_pid *l)
{
	if (l == NULL)
		return;
	pblocks_free(l->head);
	free(l->v);
	arena_release(&l->ar);
	free(l);
}

void
lockpid_set_max(struct lock_pid *l, size_t max)
{
	l->max = max;
}

/* Drops what hmax no longer keeps; halves it while over the cap. */
static void
lockpid_fold(struct lock_pid *l)
{
	struct pblock	*b;
	size_t		 i, k;

	for (;;) {
		l->n = 0;
		for (b = l->head; b != NULL; b = b->next) {
			for (i = k = 0; i < b->n; i++)
				if (b->v[i].hash <= l->hmax)
					b->v[k++] = b->v[i];
				else if (b->v[i].kind == P_REFUSED)
					l->dropped++;
			b->n = k;
			l->n += k;
		}
		if (l->max == 0 || l->n <= l->max || l->hmax == 0)
			return;
		l->hmax >>= 1;
	}
}

/* r, which hmax keeps, into the head block. */
static void
lockpid_push(struct lock_pid *l, const struct prec *r)
{
	struct pblock	*b = l->head;

	if (b == NULL || b->n == PBLOCK) {
		b = xmalloc(sizeof(*b));
		b->n = 0;
		b->next = l->head;
		l->head = b;
	}
	b->v[b->n++] = *r;
	if (l->max != 0 && ++l->n > l->max)
		lockpid_fold(l);
	else if (l->max == 0)
		l->n++;
}

static uint64_t
mix(uint64_t a, uint64_t b)
{
	return a * 0x9e3779b97f4a7c15ULL ^ b;
}

/*
 * The record's strings, as logged (at most KEY_MAX bytes each), in one
 * allocation: most records are logins no refusal names, so the user is
 * lower-cased and a NUL escaped only for the few kept (lockpid_keep).
 */
static void
pcopy3(struct lock_pid *l, struct prec *r, struct slice a, struct slice b,
    struct slice c)
{
	size_t	 na = a.len < KEY_MAX ? a.len : KEY_MAX;
	size_t	 nb = b.len < KEY_MAX ? b.len : KEY_MAX;
	size_t	 nc = c.len < KEY_MAX ? c.len : KEY_MAX;
	char	*p = arena_alloc(&l->ar, na + nb + nc + 3);

	memcpy(p, a.p, na);
	r->sid = p;
	p += na + 1;
	memcpy(p, b.p, nb);
	r->user = p;
	p += nb + 1;
	memcpy(p, c.p, nc);
	r->client = p;
	r->nsid = (uint16_t)na;
	r->nuser = (uint16_t)nb;
	r->nclient = (uint16_t)nc;
}

/* A string of a kept record as the report shows it: NULs escaped. */
static const char *
pname(struct lock_pid *l, const char *s, size_t n, int lower)
{
	char	 low[KEY_MAX];

	if (n == 0)
		return "";
	if (lower) {
		lower_ascii(low, s, n);
		s = low;
	}
	return arena_strndup_name(&l->ar, s, n);
}

/*
 * The host of a recent record when s names it again (a log has a few
 * hosts, "store1" to "store8" end in different bytes); *h its hash.
 */
static const char *
phost(struct lock_pid *l, struct slice s, uint64_t *h)
{
	size_t	 n = s.len < KEY_MAX ? s.len : KEY_MAX;
	size_t	 k = n > 0 ? (unsigned char)s.p[n - 1] % 8 : 0;

	if (l->host[k].name == NULL || strncasecmp(l->host[k].name,
	    s.p != NULL ? s.p : "", n) != 0 || l->host[k].name[n] != '\0') {
		l->host[k].name = pname(l, s.p, n, 1);
		l->host[k].h = tab_hash(l->host[k].name,
		    strlen(l->host[k].name));
	}
	*h = l->host[k].h;
	return l->host[k].name;
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

void
lockpid_add(struct lock_pid *l, const struct event *ev)
{
	struct prec	 r;
	uint64_t	 hh;

	if (ev->session.len == 0 || ev->t == T_NONE)
		return;
	memset(&r, 0, sizeof(r));
	if (ev->sess == SESS_LOGIN) {
		if ((r.pid = pid_of(ev->subkey)) == 0)
			return;		/* no mpid: it cannot be named */
		r.kind = P_LOGIN;
	} else if (ev->sess == SESS_END)
		r.kind = P_END;
	else if (ev->cause == CAUSE_LOCK_CONTENTION && ev->proto == PROTO_IMAP) {
		r.kind = P_REFUSED;
		r.pid = holder_pid(ev->text);
	} else
		return;
	r.hash = tab_hash(ev->session.p, ev->session.len);
	if (r.hash > l->hmax) {
		if (r.kind == P_REFUSED)
			l->dropped++;
		return;
	}
	r.t = ev->t;
	pcopy3(l, &r, ev->session, r.kind == P_END ? SLICE_NULL : ev->user,
	    r.kind == P_LOGIN ? ev->client : SLICE_NULL);
	r.host = phost(l, ev->host, &hh);
	r.sh = mix(hh, r.hash);
	r.ph = mix(hh, r.pid);
	lockpid_push(l, &r);
}

/* Moves from's blocks into into, whole; then the cap as one set. */
void
lockpid_merge(struct lock_pid *into, struct lock_pid *from)
{
	struct pblock	*b;

	arena_take(&into->ar, &from->ar);
	into->dropped += from->dropped;
	if (from->head != NULL) {
		for (b = from->head; b->next != NULL; b = b->next)
			;
		b->next = into->head;
		into->head = from->head;
		into->n += from->n;
	}
	if (from->hmax < into->hmax)
		into->hmax = from->hmax;
	if (into->hmax < UINT64_MAX || (into->max != 0 && into->n > into->max))
		lockpid_fold(into);
	from->head = NULL;
	from->n = 0;
	memset(from->host, 0, sizeof(from->host));
	from->dropped = 0;
}

/* --- the answer ---------------------------------------------------- */

struct psess {				/* one session, its records joined */
	uint64_t	 ph;		/* of host and its own pid */
	const char	*sid, *user, *client, *host;
	uint32_t	 pid;		/* its mail process, 0 unknown */
	uint32_t	 holder;	/* refused: the pid named, else 0 */
	int64_t		 tin, tout, refused;	/* T_NONE: not seen */
};

static int
cmp_prec(const void *x, const void *y)
{
	const struct prec	*a = x, *b = y;
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

/* By host and pid (hash first), then login time (unknown first), sid. */
static int
cmp_psess(const void *x, const void *y)
{
	const struct psess	*a = x, *b = y;
	int			 c;

	if (a->ph != b->ph)
		return a->ph < b->ph ? -1 : 1;
	if ((c = strcmp(a->host, b->host)) != 0)
		return c;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->tin != b->tin) {
		if (a->tin == T_NONE || b->tin == T_NONE)
			return a->tin == T_NONE ? -1 : 1;
		return a->tin < b->tin ? -1 : 1;
	}
	return strcmp(a->sid, b->sid);
}

/* A sorted set of 64-bit hashes, for the filter below. */
static int
cmp_u64(const void *x, const void *y)
{
	uint64_t	 a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

static int
in_set(const uint64_t *v, size_t n, uint64_t x)
{
	return n > 0 && bsearch(&x, v, n, sizeof(*v), cmp_u64) != NULL;
}

/*
 * Keeps the records of the refused sessions and of the sessions whose
 * pid a refusal named (on its host): only they can change the answer.
 * Hash collisions only keep more.
 */
static void
lockpid_keep(struct lock_pid *l)
{
	struct pblock	*b;
	uint64_t	*ph, *sh;
	size_t		 i, k = 0, np = 0, ns = 0;

	for (b = l->head; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++)
			np += b->v[i].kind == P_REFUSED;
	ph = xcalloc(np + 1, sizeof(*ph));
	for (b = l->head; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++)
			if (b->v[i].kind == P_REFUSED)
				ph[k++] = b->v[i].ph;
	qsort(ph, np, sizeof(*ph), cmp_u64);
	/* the refused sessions, and the sessions of the pids named */
	k = 0;
	for (b = l->head; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++)
			ns += b->v[i].kind == P_REFUSED ||
			    (b->v[i].kind == P_LOGIN &&
			    in_set(ph, np, b->v[i].ph));
	sh = xcalloc(ns + 1, sizeof(*sh));
	ns = 0;
	for (b = l->head; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++)
			if (b->v[i].kind == P_REFUSED ||
			    (b->v[i].kind == P_LOGIN &&
			    in_set(ph, np, b->v[i].ph)))
				sh[ns++] = b->v[i].sh;
	qsort(sh, ns, sizeof(*sh), cmp_u64);
	for (b = l->head; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++)
			k += in_set(sh, ns, b->v[i].sh);
	l->v = xcalloc(k + 1, sizeof(*l->v));
	k = 0;
	for (b = l->head; b != NULL; b = b->next)
		for (i = 0; i < b->n; i++)
			if (in_set(sh, ns, b->v[i].sh)) {
				struct prec *r = &l->v[k++];

				*r = b->v[i];
				r->sid = pname(l, r->sid, r->nsid, 0);
				r->user = pname(l, r->user, r->nuser, 1);
				r->client = pname(l, r->client, r->nclient, 0);
			}
	l->n = k;
	pblocks_free(l->head);
	l->head = NULL;
	free(ph);
	free(sh);
}

/* The records of each session as one session; *n of them. */
static struct psess *
lockpid_sessions(struct lock_pid *l, size_t *n)
{
	struct psess	*s, *cur = NULL;
	size_t		 i, k = 0;

	lockpid_keep(l);
	s = xcalloc(l->n + 1, sizeof(*s));
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_prec);
	for (i = 0; i < l->n; i++) {
		const struct prec *r = &l->v[i];

		if (cur == NULL || strcmp(cur->sid, r->sid) != 0 ||
		    strcmp(cur->host, r->host) != 0) {
			cur = &s[k++];
			cur->sid = r->sid;
			cur->host = r->host;
			cur->user = r->user;
			cur->client = "";
			cur->tin = cur->tout = cur->refused = T_NONE;
		}
		if (r->kind == P_LOGIN && cur->tin == T_NONE) {
			cur->tin = r->t;
			cur->pid = r->pid;
			cur->ph = r->ph;
			cur->user = r->user;
			cur->client = r->client;
		} else if (r->kind == P_END && cur->tout == T_NONE)
			cur->tout = r->t;
		else if (r->kind == P_REFUSED && cur->refused == T_NONE) {
			cur->refused = r->t;
			cur->holder = r->pid;
			if (cur->user[0] == '\0')
				cur->user = r->user;
		}
	}
	*n = k;
	return s;
}

/*
 * The session that held r's lock among s[0..n) (sorted by cmp_psess):
 * on r's host with the pid named, logged in by the refusal and open
 * then, the latest such; NULL when none.
 */
static const struct psess *
lockpid_holder(const struct psess *s, size_t n, const struct psess *r,
    uint64_t ph)
{
	const struct psess	*best = NULL;
	size_t			 lo = 0, hi = n, i;

	while (lo < hi) {		/* the first of ph's group */
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].ph < ph)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < n && s[i].ph == ph; i++) {
		const struct psess *h = &s[i];

		if (h->pid != r->holder || h->tin == T_NONE ||
		    h->tin > r->refused || strcmp(h->host, r->host) != 0 ||
		    strcmp(h->sid, r->sid) == 0)
			continue;
		if ((h->tout == T_NONE && r->refused - h->tin <= PID_OPEN) ||
		    (h->tout != T_NONE && h->tout >= r->refused))
			best = h;	/* sorted by login: the latest wins */
	}
	return best;
}

void
lockpid_result(struct lock_pid *l, struct arena *ar, struct lock_row **rowsp,
    size_t *nrows, uint64_t *dropped)
{
	struct psess	*s, *by;
	struct lock_row	*rows;
	size_t		 n, i, k = 0;
	uint64_t	 hh;

	s = lockpid_sessions(l, &n);
	by = xcalloc(n + 1, sizeof(*by));
	memcpy(by, s, n * sizeof(*s));
	if (n > 1)
		qsort(by, n, sizeof(*by), cmp_psess);
	rows = arena_alloc(ar, (n + 1) * sizeof(*rows));
	for (i = 0; i < n; i++) {
		const struct psess *r = &s[i], *h = NULL;

		if (r->refused == T_NONE)
			continue;
		hh = tab_hash(r->host, strlen(r->host));
		if (r->holder != 0)
			h = lockpid_holder(by, n, r, mix(hh, r->holder));
		rows[k] = (struct lock_row){ .user = r->user, .t = r->refused,
		    .session = r->sid, .client = r->client, .since = T_NONE,
		    .holder_pid = r->holder, .imap = 1 };
		if (h != NULL) {
			rows[k].holder = h->client;
			rows[k].holder_session = h->sid;
			rows[k].holder_user = h->user;
			rows[k].since = h->tin;
		}
		k++;
	}
	*rowsp = rows;
	*nrows = k;
	*dropped = l->dropped;
	free(by);
	free(s);
}
