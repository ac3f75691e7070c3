/*
 * Traffic context: how much mail went through, so that error counts read
 * as rates. The counting follows pflogsumm for Postfix (received =
 * smtpd client= and pickup lines; delivered = status=sent minus
 * "forwarded as"; deferred = distinct queue ids with a deferral; bytes
 * received = the first qmgr size of a message received in the log;
 * bytes delivered = that size once per delivered recipient) and adds
 * logins for the POP3/IMAP/SMTP AUTH servers.
 *
 * Bytes need a join on the queue id across lines, and lines of one
 * message may fall in different chunks, read by different workers. Each
 * worker settles what it can inside the current chunk (a small table,
 * emptied at every chunk end); what depends on another chunk becomes a
 * record (a client= still waiting for its size, a size or delivery whose
 * message began elsewhere, a size still live at the chunk's end). After
 * the merge the records are replayed in input order, so the totals do
 * not depend on -j. Memory: the chunk table is bounded by a chunk's
 * lines; records by the messages that cross a chunk edge; the sender,
 * recipient, domain and deferred-queue-id sets by --max-keys, with the
 * rule of the error tables (fold.c): a full set writes a sorted run to a
 * temporary file, and traffic_finish keeps the max keys with the most
 * messages and adds the counts and bytes of the rest to its "other"
 * entry. The kept keys, every total and the distinct counts are exact and
 * the same for any -j.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "mxtally/order.h"
#include "agg_int.h"

#define ADDR_MAX	320	/* bytes of an address kept */

struct tent {			/* one key of a traffic table */
	uint64_t	 hash;
	uint64_t	 n;		/* count */
	uint64_t	 bytes;		/* bytes; chunk table: message size */
	uint64_t	 pos;		/* chunk table: line of the state */
	const char	*aux;		/* chunk table: client domain */
	uint8_t		 flags;		/* chunk table: enum msg_flags */
	uint32_t	 klen;
	char		 key[];
};

enum msg_flags {
	M_RCVD = 1 << 0,	/* received in this chunk, size not yet seen */
	M_SIZE = 1 << 1,	/* size known (bytes) */
	M_HEAD = 1 << 2,	/* began before this chunk: records made */
};

struct tslot {				/* the hash beside the pointer: probes */
	uint64_t	 hash;		/* stay in the slot array */
	struct tent	*e;
};

struct tset {
	struct tslot	*slot;
	size_t		 cap, len;	/* cap: power of two */
	size_t		 max;		/* keys kept; SIZE_MAX = all */
	uint64_t	 distinct;	/* after traffic_finish: kept + folded */
	struct tent	*other;		/* counts of the folded keys */
	struct tent	**top_n, **top_b; /* after finish: the best TOP_SELECT */
	size_t		 ntop_n, ntop_b;  /* by count and by bytes */
	struct spill	 sp;		/* runs of a capped set */
	struct arena	*ar;		/* own, or the chunk's */
	struct arena	 own;
	int		 folded;	/* rows.c: a report folded keys */
};

enum rec_kind { R_RCVD, R_SIZE, R_SIZE_TAIL, R_DLV, R_REMOVED };

struct trec {			/* a fact that needs another chunk */
	uint64_t	 pos;
	uint64_t	 size;
	const char	*qid;
	const char	*str;		/* sender, recipient or client domain */
	uint64_t	 qh, sh;	/* tab_hash of qid, of str: made in the */
	uint32_t	 qlen, slen;	/* workers, not in the serial replay */
	uint8_t		 kind;		/* enum rec_kind */
};

/*
 * The big sets miss the cache on nearly every probe (the slot, then the
 * entry it points to). Counts of senders and recipients wait in a batch
 * and are added together: first the entries of all their home slots are
 * prefetched, so the misses overlap instead of following one another.
 * Counts add up and the fold rule does not depend on order (fold.c),
 * so the result is the same as adding each at once.
 */
#define BATCH_ADDRS	16	/* addresses waiting; two counts each */

struct tinc {			/* a count waiting in the batch */
	struct tset	*set;
	const char	*key;		/* in abuf, the chunk arena or t->ar */
	size_t		 klen;
	uint64_t	 h, n, bytes;
};

struct traffic_agg {
	struct arena	 ar;
	uint64_t	 n[TR_COUNT];	/* lines of each kind */
	uint32_t	 fams;		/* bit ev->fam: message traffic seen */
	uint64_t	 bytes_in, bytes_out;
	uint64_t	 ok[PROTO_COUNT], failed[PROTO_COUNT];
	uint64_t	 why_defer[CAUSE_MAX], why_bounce[CAUSE_MAX];
	uint64_t	 why_reject[CAUSE_MAX];
	struct tset	 deferred;	/* queue ids with a deferral */
	struct tset	 senders, sdomains, rcpts, rdomains;
	struct tset	 hours;		/* kind byte + int64 hour start */
	struct tent	*hour_e[TR_COUNT];	/* the last hour of each kind */
	struct trec	*rec;		/* sorted by pos up to rec_chunk */
	size_t		 nrec, caprec;
	size_t		 rec_chunk;	/* the first of the current chunk's */
	struct arena	 car;		/* the current chunk's */
	struct tset	 msgs;		/* the current chunk's queue ids */
	struct tinc	 inc[2 * BATCH_ADDRS];
	size_t		 ninc, naddr;
	char		 abuf[BATCH_ADDRS][ADDR_MAX];
};

/* --- a small hash set -------------------------------------------------- */

/* ar: the arena of the entries, NULL for the set's own (needed to cap) */
static void
tset_init(struct tset *t, struct arena *ar)
{
	memset(t, 0, sizeof(*t));
	t->cap = 64;
	t->max = SIZE_MAX;
	fold_init(&t->sp, 1);		/* aux: bytes */
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	t->other = xcalloc(1, sizeof(*t->other) + 1);
	arena_init(&t->own);
	t->ar = ar != NULL ? ar : &t->own;
}

static void
tset_release(struct tset *t)
{
	free(t->slot);
	free(t->other);
	free(t->top_n);
	free(t->top_b);
	spill_release(&t->sp);
	arena_release(&t->own);
	t->slot = NULL;
	t->other = NULL;
	t->cap = t->len = 0;
}

/* The slot of key, or of the empty place where it would go. */
static size_t
tset_probe(const struct tset *t, const char *key, size_t klen, uint64_t h)
{
	const struct tslot	*s;
	size_t			 j;

	for (j = h & (t->cap - 1); (s = &t->slot[j])->e != NULL;
	    j = (j + 1) & (t->cap - 1))
		if (s->hash == h && s->e->klen == klen &&
		    key_eq(s->e->key, key, klen))
			break;
	return j;
}

/*
 * Empties slot j (linear probing, backward shift: a later entry of the
 * same run moves into the hole unless its home is after the hole).
 */
static void
tset_del(struct tset *t, size_t j)
{
	size_t	 i = j, home, mask = t->cap - 1;

	for (;;) {
		i = (i + 1) & mask;
		if (t->slot[i].e == NULL)
			break;
		home = t->slot[i].hash & mask;
		if (j < i ? (home > j && home <= i) : (home > j || home <= i))
			continue;	/* still reachable from its home */
		t->slot[j] = t->slot[i];
		j = i;
	}
	t->slot[j] = (struct tslot){ 0, NULL };
	t->len--;
}

static struct tent *
tset_find(const struct tset *t, const char *key, size_t klen, uint64_t h)
{
	return t->slot[tset_probe(t, key, klen, h)].e;
}

static void
tset_grow(struct tset *t)
{
	struct tslot	*old = t->slot;
	size_t		 oldcap = t->cap, i, j;

	t->cap *= 2;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < oldcap; i++) {
		if (old[i].e == NULL)
			continue;
		for (j = old[i].hash & (t->cap - 1); t->slot[j].e != NULL;
		    j = (j + 1) & (t->cap - 1))
			;
		t->slot[j] = old[i];
	}
	free(old);
}

/* t's entries as spill records (aux: bytes). */
static struct srec *
tset_srecs(const struct tset *t, size_t *n)
{
	struct srec	*v = xmalloc((t->len + 1) * sizeof(*v));
	struct tent	*e;
	size_t		 i, k = 0;

	for (i = 0; i < t->cap; i++)
		if ((e = t->slot[i].e) != NULL)
			v[k++] = (struct srec){ .n = e->n, .aux = e->bytes,
			    .key = e->key, .klen = e->klen };
	*n = k;
	return v;
}

/* Writes t's entries to a sorted run and empties t; or keeps them. */
static void
tset_spill(struct tset *t)
{
	size_t		 n;
	struct srec	*v = tset_srecs(t, &n);
	int		 rc = fold_write(&t->sp, v, n);

	free(v);
	if (rc == 0) {
		memset(t->slot, 0, t->cap * sizeof(*t->slot));
		t->len = 0;
		arena_reset(&t->own);
	}
}

/*
 * Finds key, adding a zero entry (copying key) when absent. The entry is
 * valid until the next tset_get on t: a capped set that is full writes
 * its entries to a run (fold.c) and starts afresh.
 */
static struct tent *
tset_get_h(struct tset *t, const char *key, size_t klen, uint64_t h)
{
	size_t		 j;
	struct tent	*e;

	j = tset_probe(t, key, klen, h);
	if ((e = t->slot[j].e) != NULL)
		return e;
	if (t->len >= t->max && !t->sp.failed) {
		tset_spill(t);
		j = tset_probe(t, key, klen, h);
	}
	e = arena_alloc(t->ar, sizeof(*e) + klen + 1);
	e->hash = h;
	e->klen = (uint32_t)klen;
	if (klen > 0)
		memcpy(e->key, key, klen);
	t->slot[j] = (struct tslot){ h, e };
	if (++t->len * 2 > t->cap)
		tset_grow(t);
	return e;
}

/* tset_get_h with the key's tab_hash computed here. */
static struct tent *
tset_get(struct tset *t, const char *key, size_t klen)
{
	return tset_get_h(t, key, klen, tab_hash(key, klen));
}

#ifdef MXT_TESTING
int tset_del_check(size_t n);	/* tests/test_traffic.c */

/*
 * n keys in, every third one out again (in an order that shifts runs
 * across the table's end too), then every key looked up: 0 when the
 * kept ones are all found, the others not, and the count is right.
 */
int
tset_del_check(size_t n)
{
	struct tset	 t;
	char		 k[32];
	size_t		 i, j, kl, bad = 0;

	tset_init(&t, NULL);
	for (i = 0; i < n; i++) {
		kl = (size_t)snprintf(k, sizeof(k), "q%zu", i * 7919);
		tset_get(&t, k, kl)->n = i;
	}
	for (i = n; i-- > 0;)
		if (i % 3 == 0) {
			kl = (size_t)snprintf(k, sizeof(k), "q%zu", i * 7919);
			j = tset_probe(&t, k, kl, tab_hash(k, kl));
			bad += t.slot[j].e == NULL;
			tset_del(&t, j);
		}
	for (i = 0; i < n; i++) {
		struct tent *e;
		kl = (size_t)snprintf(k, sizeof(k), "q%zu", i * 7919);
		e = tset_find(&t, k, kl, tab_hash(k, kl));
		bad += i % 3 == 0 ? e != NULL : e == NULL || e->n != i;
	}
	bad += t.len != n - (n + 2) / 3;
	tset_release(&t);
	return bad != 0;
}
#endif

static void
tset_fold_srec(void *ctx, const struct srec *r)
{
	struct tset	*t = ctx;

	t->other->n += r->n;
	t->other->bytes += r->aux;
}

/*
 * Once, after the last merge: a capped set that spilled (or outgrew its
 * cap when it could not) keeps its max keys with the most messages and
 * folds the rest into t->other; either way t->distinct is exact.
 */
static void
tset_settle(struct tset *t)
{
	struct srec	*v, *kept;
	struct tent	*e;
	size_t		 nv, nkept, i;

	t->distinct = t->len;
	if (t->max == SIZE_MAX || (t->sp.nruns == 0 && t->len <= t->max))
		return;
	v = tset_srecs(t, &nv);
	t->distinct = fold_pick(&t->sp, v, nv, t->max, tset_fold_srec, t,
	    &kept, &nkept);
	free(v);
	memset(t->slot, 0, t->cap * sizeof(*t->slot));
	t->len = 0;
	arena_reset(&t->own);
	for (i = 0; i < nkept; i++) {
		e = tset_get(t, kept[i].key, kept[i].klen);
		e->n = kept[i].n;
		e->bytes = kept[i].aux;
	}
	fold_kept_free(kept, nkept);
}

/*
 * The hash of key for tset_get_h on t, starting the load of its home
 * slot: the big sets miss the cache on nearly every probe, and the work
 * done between this and the probe hides part of that wait. The slot is
 * looked up again at the probe, so a set that grows in between costs
 * only the hint.
 */
static uint64_t
tset_want(const struct tset *t, const char *key, size_t klen)
{
	uint64_t	 h = tab_hash(key, klen);

	__builtin_prefetch(&t->slot[h & (t->cap - 1)]);
	return h;
}

#define MERGE_AHEAD	8	/* slots of from prefetched ahead */

static void
tset_merge(struct tset *into, struct tset *from)
{
	size_t		 i;
	struct tent	*s, *d;

	for (i = 0; i < from->cap; i++) {
		if (i + MERGE_AHEAD < from->cap &&
		    (s = from->slot[i + MERGE_AHEAD].e) != NULL) {
			__builtin_prefetch(s);
			__builtin_prefetch(&into->slot[from->slot[i +
			    MERGE_AHEAD].hash & (into->cap - 1)]);
		}
		if ((s = from->slot[i].e) == NULL)
			continue;
		d = tset_get_h(into, s->key, s->klen, s->hash);
		d->n += s->n;
		d->bytes += s->bytes;
	}
	spill_take(&into->sp, &from->sp);
}

/* --- lifecycle ---------------------------------------------------------- */

#define TSETS(t)	{ &(t)->deferred, &(t)->senders, &(t)->sdomains, \
			  &(t)->rcpts, &(t)->rdomains, &(t)->hours }

struct traffic_agg *
traffic_new(void)
{
	struct traffic_agg	*t = xcalloc(1, sizeof(*t));
	struct tset		*s[] = TSETS(t);
	size_t			 i;

	arena_init(&t->ar);
	arena_init(&t->car);
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		tset_init(s[i], NULL);
	tset_init(&t->msgs, &t->car);
	return t;
}

/*
 * Caps the sender, recipient, domain and deferred-queue-id sets at max
 * distinct keys each (0 = no cap); the same value on every agg of a run.
 * The hour set is bounded by the log's span and the chunk table by a
 * chunk: never folded.
 */
void
traffic_set_max_keys(struct traffic_agg *t, size_t max)
{
	struct tset	*s[] = TSETS(t);
	size_t		 i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (s[i] != &t->hours)
			s[i]->max = max != 0 ? max : SIZE_MAX;
}

void
traffic_free(struct traffic_agg *t)
{
	struct tset	*s[] = TSETS(t);
	size_t		 i;

	if (t == NULL)
		return;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		tset_release(s[i]);
	tset_release(&t->msgs);
	arena_release(&t->car);
	arena_release(&t->ar);
	free(t->rec);
	free(t);
}

/* --- addresses and domains, as pflogsumm names them --------------------- */

/* The address with its domain part lower-cased; "from=<>" when empty. */
static size_t
addr_norm(struct slice a, char *buf, int sender)
{
	size_t		 n = a.len < ADDR_MAX ? a.len : ADDR_MAX, i;
	const char	*at;

	if (n == 0 && sender) {
		memcpy(buf, "from=<>", 7);
		return 7;
	}
	if (n == 0)
		return 0;
	at = memchr(a.p, '@', n);
	i = at != NULL ? (size_t)(at - a.p) : n;
	memcpy(buf, a.p, i);
	lower_ascii(buf + i, a.p + i, n - i);
	return n;
}

/* After the first '@' when the local part is not empty; else NULL. */
static const char *
addr_domain(const char *a, size_t n)
{
	const char	*at = memchr(a, '@', n);

	return at != NULL && at > a ? at + 1 : NULL;
}

static size_t
label_len(const char *b, const char *e)
{
	const char	*d = memrchr(b, '.', (size_t)(e - b));

	return (size_t)(e - (d ? d + 1 : b));
}

/*
 * The dots in [p, end): sixteen bytes a compare, then byte by byte (a
 * client's host name is 20 to 40 bytes, on every received line).
 */
static size_t
count_dots(const char *p, const char *end)
{
	size_t	 dots = 0;

#ifdef __SSE2__
	const __m128i	 dot = _mm_set1_epi8('.');

	for (; end - p >= 16; p += 16)
		dots += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(_mm_loadu_si128(
		    (const __m128i *)(const void *)p), dot)));
#endif
	for (; p < end; p++)
		dots += *p == '.';
	return dots;
}

/*
 * pflogsumm's domain of a client "host[ip]": the ip when the host is
 * unknown, else the last two labels when the last has three letters
 * ("mail.example.com" -> "example.com"), the last three when it is
 * "xx(x).yy" ("a.b.co.uk" -> "b.co.uk"), lower-cased; otherwise the
 * host as logged.
 */
#ifdef MXT_TESTING
size_t client_domain(struct slice c, char *buf, size_t len);	/* tests */
#endif

MXT_STATIC size_t
client_domain(struct slice c, char *buf, size_t len)
{
	const char	*b = memchr(c.p, '[', c.len), *e, *cut, *s;
	size_t		 n, l1, l2, dots = 0;

	if (b == NULL)
		b = c.p + c.len;
	e = memchr(b, ']', (size_t)(c.p + c.len - b));
	if (b == c.p || (b - c.p == 7 && memcmp(c.p, "unknown", 7) == 0)) {
		s = b < c.p + c.len ? b + 1 : b;
		n = (size_t)((e ? e : c.p + c.len) - s);
		n = n < len ? n : len;
		memcpy(buf, s, n);
		return n;
	}
	dots = count_dots(c.p, b);
	l1 = label_len(c.p, b);
	cut = NULL;
	if (dots >= 2 && l1 == 3)
		cut = b - l1 - 1;		/* at the dot before the last */
	else if (dots >= 3 && l1 == 2) {
		l2 = label_len(c.p, b - l1 - 1);
		if (l2 == 2 || l2 == 3)
			cut = b - l1 - 1 - l2 - 1;
	}
	if (cut != NULL) {
		while (cut > c.p && cut[-1] != '.')
			cut--;			/* the label before */
		if (cut == c.p || cut[-1] != '.' || cut == b)
			cut = NULL;
	}
	s = cut != NULL ? cut : c.p;
	n = (size_t)(b - s) < len ? (size_t)(b - s) : len;
	if (cut != NULL)
		lower_ascii(buf, s, n);	/* tolower: no setlocale, the C one */
	else
		memcpy(buf, s, n);
	return n;
}

/* --- counting ----------------------------------------------------------- */

static void
count_hour(struct traffic_agg *t, int kind, int64_t tm)
{
	char		 key[1 + sizeof(int64_t)];
	int64_t		 hour;
	struct tent	*e;

	if (tm == T_NONE)
		return;
	hour = tm - ((tm % 3600) + 3600) % 3600;
	/*
	 * Lines come in time order, mostly within the hour of the line
	 * before: the entry of the last hour saves the probe. Entries of
	 * the hour set never move (it is never folded).
	 */
	if ((e = t->hour_e[kind]) != NULL &&
	    memcmp(e->key + 1, &hour, sizeof(hour)) == 0) {
		e->n++;
		return;
	}
	key[0] = (char)kind;
	memcpy(key + 1, &hour, sizeof(hour));
	e = tset_get(&t->hours, key, sizeof(key));
	e->n++;
	t->hour_e[kind] = e;
}

/* Adds the counts of the batch to their sets and empties it. */
static void
batch_flush(struct traffic_agg *t)
{
	struct tinc	*c;
	struct tslot	*s;
	struct tent	*e;
	size_t		 i;

	for (i = 0; i < t->ninc; i++) {
		c = &t->inc[i];
		s = &c->set->slot[c->h & (c->set->cap - 1)];
		if (s->e != NULL && s->hash == c->h)
			__builtin_prefetch(s->e);
	}
	for (i = 0; i < t->ninc; i++) {
		c = &t->inc[i];
		e = tset_get_h(c->set, c->key, c->klen, c->h);
		e->n += c->n;
		e->bytes += c->bytes;
	}
	t->ninc = t->naddr = 0;
}

/*
 * The buffer of the batch's next address: on_size and on_sent write the
 * address there as they normalise it, so that taking it costs no copy.
 */
static char *
batch_next(struct traffic_agg *t)
{
	return t->abuf[t->naddr];
}

/*
 * A copy of the address addr, n bytes, valid until the batch is flushed;
 * an address already written to batch_next is only taken.
 */
static const char *
batch_addr(struct traffic_agg *t, const char *addr, size_t n)
{
	char	*a = t->abuf[t->naddr++];

	if (a != addr)
		memcpy(a, addr, n < ADDR_MAX ? n : ADDR_MAX);
	return a;
}

static void
batch_add(struct traffic_agg *t, struct tset *set, const char *key,
    size_t klen, uint64_t h, uint64_t n, uint64_t bytes)
{
	t->inc[t->ninc++] = (struct tinc){ set, key, klen, h, n, bytes };
}

/*
 * A received message's first size: one sender, its domain, its bytes,
 * through the batch. h: tset_want of addr on t->senders.
 */
static void
count_sender(struct traffic_agg *t, const char *addr, size_t n, uint64_t h,
    const char *client, uint64_t size)
{
	const char	*d = addr_domain(addr, n), *a = batch_addr(t, addr, n);
	const char	*dk;
	size_t		 dn;
	uint64_t	 hd;

	/* the domain key, in the batch's copy when part of the address */
	if (d != NULL && d != addr + n) {
		dk = a + (d - addr);
		dn = (size_t)(addr + n - d);
	} else if (strcmp(client, "pickup") == 0) {
		dk = a;
		dn = n;
	} else {
		dk = client;
		dn = strlen(client);
	}
	hd = tset_want(&t->sdomains, dk, dn);
	batch_add(t, &t->senders, a, n, h, 1, size);
	batch_add(t, &t->sdomains, dk, dn, hd, 1, size);
	t->bytes_in += size;
	if (t->naddr == BATCH_ADDRS)
		batch_flush(t);
}

/*
 * A recipient's deliveries and bytes, with its domain's, through the
 * batch (a delivery whose size is in another chunk adds its bytes later,
 * with deliveries 0). h: tset_want of addr on t->rcpts.
 */
static void
count_rcpt(struct traffic_agg *t, const char *addr, size_t n, uint64_t h,
    uint64_t deliveries, uint64_t size)
{
	const char	*d = addr_domain(addr, n), *dk = d != NULL ? d : addr;
	size_t		 dn = d != NULL ? (size_t)(addr + n - d) : n;
	uint64_t	 hd = tset_want(&t->rdomains, dk, dn);
	const char	*a = batch_addr(t, addr, n);

	batch_add(t, &t->rcpts, a, n, h, deliveries, size);
	batch_add(t, &t->rdomains, a + (dk - addr), dn, hd, deliveries,
	    size);
	t->bytes_out += size;
	if (t->naddr == BATCH_ADDRS)
		batch_flush(t);
}

/* sh: tab_hash of str when replay() counts it (R_SIZE, R_DLV), else 0 */
static void
record(struct traffic_agg *t, int kind, uint64_t pos, struct slice qid,
    uint64_t size, const char *str, size_t slen, uint64_t sh)
{
	struct trec	*r;
	const char	*q, *s;

	/*
	 * Copy first, count last: qid and str may be in a mapped chunk, and
	 * a file cut under us (SIGBUS) leaves the scan in the middle of a
	 * copy; then the record must not exist yet.
	 */
	q = arena_strndup(&t->ar, qid.p, qid.len);
	s = str != NULL ? arena_strndup(&t->ar, str, slen) : NULL;
	if (t->nrec == t->caprec) {
		t->caprec = t->caprec ? t->caprec * 2 : 256;
		t->rec = xrealloc(t->rec, t->caprec * sizeof(*t->rec));
	}
	r = &t->rec[t->nrec];
	r->pos = pos;
	r->size = size;
	r->kind = (uint8_t)kind;
	r->qid = q;
	r->qlen = (uint32_t)qid.len;
	r->qh = tab_hash(q, qid.len);
	r->str = s;
	r->slen = s != NULL ? (uint32_t)slen : 0;
	r->sh = sh;
	t->nrec++;
}

static struct tent *
msg_get(struct traffic_agg *t, struct slice qid)
{
	return tset_get(&t->msgs, qid.p, qid.len);
}

static struct tent *
msg_find(struct traffic_agg *t, struct slice qid)
{
	return tset_find(&t->msgs, qid.p, qid.len, tab_hash(qid.p, qid.len));
}

static void
on_received(struct traffic_agg *t, const struct event *ev, uint64_t pos)
{
	struct tent	*m;
	char		 dom[ADDR_MAX];
	size_t		 n;

	t->n[TR_RECEIVED]++;
	count_hour(t, TR_RECEIVED, ev->t);
	if (ev->tkind == TR_RECEIVED && ev->user.len > 0)
		t->ok[PROTO_SMTP]++;
	if (ev->qid.len == 0)
		return;
	/*
	 * A reception starts a new message, even under a queue id seen
	 * before without its "removed" (a log cut or spliced): what the
	 * id held is forgotten here as in replay(), wherever chunks end.
	 */
	m = msg_get(t, ev->qid);
	m->flags = M_RCVD;
	m->pos = pos;
	if (ev->tkind == TR_PICKUP)
		m->aux = "pickup";
	else {
		n = client_domain(ev->addr, dom, sizeof(dom));
		m->aux = arena_strndup(&t->car, dom, n);
	}
}

static void
on_size(struct traffic_agg *t, const struct event *ev, uint64_t pos)
{
	char		*a = batch_next(t);
	size_t		 n = addr_norm(ev->addr, a, 1);
	uint64_t	 h = tset_want(&t->senders, a, n);
	struct tent	*m = msg_find(t, ev->qid);

	if (m != NULL && (m->flags & M_SIZE))
		return;			/* a later queue run: counted once */
	if (m != NULL && (m->flags & M_RCVD)) {
		count_sender(t, a, n, h, m->aux, ev->size);
		m->flags = (uint8_t)((m->flags & ~M_RCVD) | M_SIZE);
		m->bytes = ev->size;
		m->pos = pos;
		return;
	}
	/* the message began before this chunk */
	record(t, R_SIZE, pos, ev->qid, ev->size, a, n, h);
	m = msg_get(t, ev->qid);
	m->flags |= M_SIZE | M_HEAD;
	m->bytes = ev->size;
}

static void
on_sent(struct traffic_agg *t, const struct event *ev, struct slice addr,
    uint64_t pos)
{
	char		*a = batch_next(t);
	size_t		 n = addr_norm(addr, a, 0);
	uint64_t	 h = tset_want(&t->rcpts, a, n);
	struct tent	*m = msg_find(t, ev->qid);

	t->n[TR_SENT]++;
	count_hour(t, TR_SENT, ev->t);
	if (ev->size > 0) {		/* the delivery line says it (Courier) */
		count_rcpt(t, a, n, h, 1, ev->size);
		return;
	}
	if (m != NULL && (m->flags & M_SIZE)) {
		count_rcpt(t, a, n, h, 1, m->bytes);
		return;
	}
	count_rcpt(t, a, n, h, 1, 0);
	record(t, R_DLV, pos, ev->qid, 0, a, n, h);
	msg_get(t, ev->qid)->flags |= M_HEAD;
}

/*
 * Each recipient of a list line (EV_RCPT_LIST, sendmail's "to=a,<b>",
 * Exchange's "a;b"): a delivery of its own. An anonymized list may hold
 * fewer addresses than it named (one token for the whole list): the
 * deliveries it no longer names are still counted, without an address.
 */
static void
on_sent_list(struct traffic_agg *t, const struct event *ev, uint64_t pos)
{
	const char	*p = ev->addr.p, *end = p + ev->addr.len, *c;
	struct slice	 a;
	uint32_t	 n = 0;

	for (; p < end && n < ev->nrcpt; p = c + 1) {
		for (c = p; c < end && *c != ',' && *c != ';'; c++)
			;
		a = slice_make(p, c);
		if (a.len >= 2 && a.p[0] == '<' && a.p[a.len - 1] == '>')
			a = slice_make(a.p + 1, a.p + a.len - 1);
		if (c == p)
			continue;
		on_sent(t, ev, a, pos);
		n++;
	}
	for (; n < ev->nrcpt; n++) {
		t->n[TR_SENT]++;
		count_hour(t, TR_SENT, ev->t);
	}
}

/*
 * The message is gone: its entry leaves the chunk's table (which so
 * holds only the messages under way, and stays small), and the queue id
 * may be used again.
 */
static void
on_removed(struct traffic_agg *t, const struct event *ev, uint64_t pos)
{
	uint64_t	 h = tab_hash(ev->qid.p, ev->qid.len);
	size_t		 j = tset_probe(&t->msgs, ev->qid.p, ev->qid.len, h);
	struct tent	*m = t->msgs.slot[j].e;

	if (m == NULL || (m->flags & M_HEAD))
		record(t, R_REMOVED, pos, ev->qid, 0, NULL, 0, 0);
	if (m != NULL)
		tset_del(&t->msgs, j);
}

static void
on_failure(struct traffic_agg *t, const struct event *ev)
{
	if (ev->flags & EV_AUTH_UNKNOWN)
		return;
	if ((ev->cause == CAUSE_AUTH_FAILURE || (ev->flags & EV_JOIN)) &&
	    ev->proto < PROTO_COUNT)
		t->failed[ev->proto] += ev->count;
}

/*
 * Counts ev's traffic fact (ev->tkind) at input position pos; error is 1
 * when ev is also an error event (classified), so that login failures and
 * the causes of deferrals, bounces and rejects are counted. Copies what it
 * keeps.
 */
void
traffic_add(struct traffic_agg *t, const struct event *ev, uint64_t pos,
    int error)
{
	int	 c = ev->cause >= 0 && ev->cause < CAUSE_MAX ? ev->cause :
		    CAUSE_UNCLASSIFIED;
	/* a list line (sendmail) stands for each of its recipients */
	uint64_t n = (ev->flags & EV_RCPT_LIST) && ev->nrcpt > 1 ?
	    ev->nrcpt : 1, i;

	if (error)
		on_failure(t, ev);
	if (ev->tkind > TR_NONE && ev->tkind < TR_REMOVED && ev->fam < 32)
		t->fams |= UINT32_C(1) << ev->fam;
	switch (ev->tkind) {
	case TR_RECEIVED:
	case TR_PICKUP:
		on_received(t, ev, pos);
		if (ev->size > 0 && ev->qid.len > 0) {
			/* Exim's "<=" carries the size: as qmgr's from= */
			struct event s = *ev;
			s.addr = ev->from;
			on_size(t, &s, pos);
		}
		break;
	case TR_SIZE:
		if (ev->qid.len > 0)
			on_size(t, ev, pos);
		break;
	case TR_SENT:
		if (ev->size > 0 && ev->qid.len > 0) {
			/* Courier: the size and sender come with a delivery */
			struct event s = *ev;
			s.addr = ev->from;
			on_size(t, &s, pos);
		}
		if (ev->flags & EV_RCPT_LIST)
			on_sent_list(t, ev, pos);
		else
			on_sent(t, ev, ev->addr, pos);
		break;
	case TR_DEFERRED:
		for (i = 0; i < n; i++) {
			t->n[TR_DEFERRED]++;
			count_hour(t, TR_DEFERRED, ev->t);
		}
		tset_get(&t->deferred, ev->qid.p, ev->qid.len)->n += n;
		t->why_defer[c] += error * n;
		break;
	case TR_BOUNCED:
		for (i = 0; i < n; i++) {
			t->n[TR_BOUNCED]++;
			count_hour(t, TR_BOUNCED, ev->t);
		}
		t->why_bounce[c] += error * n;
		break;
	case TR_REJECTED:
		t->n[TR_REJECTED]++;
		count_hour(t, TR_REJECTED, ev->t);
		t->why_reject[c] += error;
		break;
	case TR_REMOVED:
		on_removed(t, ev, pos);
		break;
	case TR_LOGIN_OK:
		if (ev->proto < PROTO_COUNT)
			t->ok[ev->proto]++;
		break;
	case TR_NONE:
		break;
	default:
		if (ev->tkind < TR_COUNT)
			t->n[ev->tkind]++;
		break;
	}
}

static int
cmp_rec(const void *x, const void *y)
{
	const struct trec *a = x, *b = y;

	return (a->pos > b->pos) - (a->pos < b->pos);
}

/*
 * Sorts the records the chunk just ended made: those of its lines come
 * in input order, those made at its end (messages still live) carry the
 * position of their state's line. A worker reads its chunks in input
 * order, so its records stay sorted as a whole, and merging two sorted
 * lists is cheaper than sorting all after the join.
 */
static void
sort_chunk_recs(struct traffic_agg *t)
{
	if (t->nrec == t->rec_chunk)
		return;
	qsort(t->rec + t->rec_chunk, t->nrec - t->rec_chunk, sizeof(*t->rec),
	    cmp_rec);
	if (t->rec_chunk > 0 &&
	    t->rec[t->rec_chunk - 1].pos > t->rec[t->rec_chunk].pos)
		qsort(t->rec, t->nrec, sizeof(*t->rec), cmp_rec);
	t->rec_chunk = t->nrec;
}

/* into's records and from's, both sorted, merged in order; from's strings
 * move with their arena. */
static void
merge_recs(struct traffic_agg *into, struct traffic_agg *from)
{
	struct trec	*v;
	size_t		 i = 0, j = 0, k = 0, n = into->nrec + from->nrec;

	if (from->nrec == 0)
		return;
	v = xmalloc(n * sizeof(*v));
	while (i < into->nrec && j < from->nrec)
		v[k++] = into->rec[i].pos <= from->rec[j].pos ?
		    into->rec[i++] : from->rec[j++];
	while (i < into->nrec)
		v[k++] = into->rec[i++];
	while (j < from->nrec)
		v[k++] = from->rec[j++];
	free(into->rec);
	into->rec = v;
	into->nrec = into->caprec = into->rec_chunk = n;
	arena_take(&into->ar, &from->ar);
	from->nrec = from->rec_chunk = 0;
}

/*
 * Ends the current chunk: what is still open (a client= waiting for its
 * size, a size later chunks may deliver) becomes a record; the chunk
 * table is emptied.
 */
void
traffic_chunk_end(struct traffic_agg *t)
{
	struct tent	*m;
	size_t		 i;

	batch_flush(t);		/* client domains are in the chunk arena */
	if (t->msgs.len == 0)
		return;
	for (i = 0; i < t->msgs.cap; i++) {
		if ((m = t->msgs.slot[i].e) == NULL)
			continue;
		struct slice q = { m->key, m->klen };
		if (m->flags & M_RCVD)
			record(t, R_RCVD, m->pos, q, 0, m->aux, strlen(m->aux),
			    0);
		else if ((m->flags & (M_SIZE | M_HEAD)) == M_SIZE)
			record(t, R_SIZE_TAIL, m->pos, q, m->bytes, NULL, 0,
			    0);
	}
	/* keep the slot array and one arena block for the next chunk */
	memset(t->msgs.slot, 0, t->msgs.cap * sizeof(*t->msgs.slot));
	t->msgs.len = 0;
	arena_reset(&t->car);
	sort_chunk_recs(t);
}

void
traffic_merge(struct traffic_agg *into, struct traffic_agg *from)
{
	struct tset	*d[] = TSETS(into), *s[] = TSETS(from);
	size_t		 i;

	traffic_chunk_end(into);
	traffic_chunk_end(from);
	for (i = 0; i < TR_COUNT; i++)
		into->n[i] += from->n[i];
	into->fams |= from->fams;
	into->bytes_in += from->bytes_in;
	into->bytes_out += from->bytes_out;
	for (i = 0; i < PROTO_COUNT; i++) {
		into->ok[i] += from->ok[i];
		into->failed[i] += from->failed[i];
	}
	for (i = 0; i < CAUSE_MAX; i++) {
		into->why_defer[i] += from->why_defer[i];
		into->why_bounce[i] += from->why_bounce[i];
		into->why_reject[i] += from->why_reject[i];
	}
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		tset_merge(d[i], s[i]);
	merge_recs(into, from);
}

/* Replays the records in input order against one queue-id table. */
static void
replay(struct traffic_agg *t)
{
	struct tset	 q;
	struct arena	 ar;
	struct tent	*m;
	size_t		 i;

	arena_init(&ar);
	tset_init(&q, &ar);
	for (i = 0; i < t->nrec; i++) {
		struct trec *r = &t->rec[i];
		m = tset_get_h(&q, r->qid, r->qlen, r->qh);
		switch (r->kind) {
		case R_RCVD:		/* a new message, as in on_received */
			m->flags = M_RCVD;
			m->aux = r->str;
			break;
		case R_SIZE_TAIL:	/* counted in its chunk, received there */
			m->flags = M_SIZE;
			m->bytes = r->size;
			break;
		case R_SIZE:
			if (m->flags & M_SIZE)
				break;
			m->flags |= M_SIZE;
			m->bytes = r->size;
			if (m->flags & M_RCVD) {
				count_sender(t, r->str, r->slen, r->sh, m->aux,
				    r->size);
				m->flags &= (uint8_t)~M_RCVD;
			}
			break;
		case R_DLV:
			if (m->flags & M_SIZE)
				count_rcpt(t, r->str, r->slen, r->sh, 0,
				    m->bytes);
			break;
		case R_REMOVED:
			m->flags = 0;
			break;
		}
	}
	batch_flush(t);
	tset_release(&q);
	arena_release(&ar);
	t->nrec = 0;
}

static void tset_tops(struct tset *t);

/*
 * After the last merge: the facts across chunks, the caps, then the top
 * senders and recipients (chosen here, on agg's traffic thread, rather
 * than in the serial result step).
 */
void
traffic_finish(struct traffic_agg *t)
{
	struct tset	*s[] = TSETS(t);
	size_t		 i;

	traffic_chunk_end(t);
	if (t->nrec > 0)
		replay(t);
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		tset_settle(s[i]);
	tset_tops(&t->senders);
	tset_tops(&t->rcpts);
}

/* --- rows counted elsewhere (merge) ------------------------------------ */

/* *to += n, or 1 when the sum would pass 2^64 - 1 (then *to is kept). */
static int
add_over(uint64_t *to, uint64_t n)
{
	return __builtin_add_overflow(*to, n, to) ? (*to -= n, 1) : 0;
}

int
traffic_add_row(struct traffic_agg *t, int rcpt, const char *name,
    uint64_t n, uint64_t bytes)
{
	struct tset	*s = rcpt ? &t->rcpts : &t->senders;
	struct tent	*e = name != NULL ? tset_get(s, name, strlen(name)) :
			    s->other;

	if (add_over(&e->n, n))
		return -1;
	if (add_over(&e->bytes, bytes)) {
		e->n -= n;
		return -1;
	}
	s->folded |= name == NULL;
	return 0;
}

/* by[cause] += n for each of rows[0..n); 1 on an overflow. */
static int
add_reasons(uint64_t *by, const struct reason_row *rows, size_t n)
{
	size_t	 i;
	int	 over = 0;

	for (i = 0; i < n; i++)
		if (rows[i].cause >= 0 && rows[i].cause < CAUSE_MAX)
			over |= add_over(&by[rows[i].cause], rows[i].n);
	return over;
}

/* The hours of h[0..n), every kind a key (even at 0), as the scan's. */
static int
add_hours(struct traffic_agg *t, const struct traffic_hour *h, size_t n)
{
	static const int kinds[] = { TR_RECEIVED, TR_SENT, TR_DEFERRED,
	    TR_BOUNCED, TR_REJECTED };
	char		 key[1 + sizeof(int64_t)];
	size_t		 i, k;
	int		 over = 0;

	for (i = 0; i < n; i++) {
		const uint64_t v[] = { h[i].received, h[i].delivered,
		    h[i].deferred, h[i].bounced, h[i].rejected };
		memcpy(key + 1, &h[i].start, sizeof(h[i].start));
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			key[0] = (char)kinds[k];
			over |= add_over(&tset_get(&t->hours, key,
			    sizeof(key))->n, v[k]);
		}
	}
	return over;
}

int
traffic_add_counts(struct traffic_agg *t, const struct traffic *in)
{
	const struct { uint64_t *to, n; } v[] = {
		{ &t->n[TR_RECEIVED], in->received },
		{ &t->n[TR_SENT], in->delivered },
		{ &t->n[TR_FORWARDED], in->forwarded },
		{ &t->n[TR_DEFERRED], in->deferrals },
		{ &t->n[TR_BOUNCED], in->bounced },
		{ &t->n[TR_REJECTED], in->rejected },
		{ &t->n[TR_REJECT_WARNING], in->reject_warnings },
		{ &t->n[TR_HELD], in->held },
		{ &t->n[TR_DISCARDED], in->discarded },
		{ &t->bytes_in, in->bytes_received },
		{ &t->bytes_out, in->bytes_delivered },
		{ &t->ok[PROTO_POP3], in->pop3.ok },
		{ &t->failed[PROTO_POP3], in->pop3.failed },
		{ &t->ok[PROTO_IMAP], in->imap.ok },
		{ &t->failed[PROTO_IMAP], in->imap.failed },
		{ &t->ok[PROTO_SMTP], in->smtp_auth.ok },
		{ &t->failed[PROTO_SMTP], in->smtp_auth.failed },
	};
	size_t	 i;
	int	 over = 0;

	t->fams |= in->counted_from;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		over |= add_over(v[i].to, v[i].n);
	over |= add_reasons(t->why_defer, in->defer_reasons,
	    in->ndefer_reasons);
	over |= add_reasons(t->why_bounce, in->bounce_reasons,
	    in->nbounce_reasons);
	over |= add_reasons(t->why_reject, in->reject_reasons,
	    in->nreject_reasons);
	over |= add_hours(t, in->hours, in->nhours);
	return over ? -1 : 0;
}

/* --- the result ----------------------------------------------------------- */

static int
cmp_tent_n(const void *x, const void *y)
{
	const struct tent *a = *(struct tent *const *)x;
	const struct tent *b = *(struct tent *const *)y;

	return order_count_bytes(a->n, a->key, a->klen, b->n, b->key, b->klen);
}

static int
cmp_tent_bytes(const void *x, const void *y)
{
	const struct tent *a = *(struct tent *const *)x;
	const struct tent *b = *(struct tent *const *)y;
	int	 c = order_count(a->bytes, b->bytes);

	return c != 0 ? c : cmp_tent_n(x, y);
}

static struct tent **
tset_list(const struct tset *t)
{
	struct tent	**v = xmalloc((t->len + 1) * sizeof(*v));
	size_t		 i, k = 0;

	for (i = 0; i < t->cap; i++)
		if (t->slot[i].e != NULL)
			v[k++] = t->slot[i].e;
	return v;
}

#define TOP_SELECT	64	/* up to this many rows: selection, not a sort */

/* Puts e into v, the best k (at most top) so far in cmp's order. */
static void
top_insert(struct tent **v, size_t *k, size_t top, struct tent *e,
    int (*cmp)(const void *, const void *))
{
	size_t	 j;

	if (*k == top && cmp(&e, &v[*k - 1]) >= 0)
		return;
	j = *k < top ? (*k)++ : *k - 1;
	for (; j > 0 && cmp(&e, &v[j - 1]) < 0; j--)
		v[j] = v[j - 1];
	v[j] = e;
}

/* v[0..n) as rows copied into ar, then (other) when t folded keys. */
static struct traffic_row *
rows_of(const struct tset *t, struct arena *ar, struct tent **v, size_t n,
    size_t *nrows)
{
	struct traffic_row *rows = arena_alloc(ar, (n + 1) * sizeof(*rows));
	size_t		 i;

	for (i = 0; i < n; i++) {
		rows[i].name = arena_strndup_name(ar, v[i]->key, v[i]->klen);
		rows[i].n = v[i]->n;
		rows[i].bytes = v[i]->bytes;
	}
	if (t->distinct > t->len || t->folded) {	/* last, whatever its count */
		rows[n].name = "(other)";
		rows[n].n = t->other->n;
		rows[n].bytes = t->other->bytes;
		n++;
	}
	*nrows = n;
	return rows;
}

/*
 * The best TOP_SELECT entries of t by count and by bytes: one pass keeps
 * both lists of the best so far (a list costs about one comparison per
 * key, and the big sets miss the cache on each entry: once, not twice).
 * The comparisons are total orders (keys are distinct), so the lists
 * are the heads of a sort, and any shorter list is their head too.
 */
static void
tset_tops(struct tset *t)
{
	struct tent	*e;
	size_t		 i;

	t->top_n = xmalloc(TOP_SELECT * sizeof(*t->top_n));
	t->top_b = xmalloc(TOP_SELECT * sizeof(*t->top_b));
	for (i = 0; i < t->cap; i++) {
		if (i + 16 < t->cap && t->slot[i + 16].e != NULL)
			__builtin_prefetch(t->slot[i + 16].e);
		if ((e = t->slot[i].e) != NULL) {
			top_insert(t->top_n, &t->ntop_n, TOP_SELECT, e,
			    cmp_tent_n);
			top_insert(t->top_b, &t->ntop_b, TOP_SELECT, e,
			    cmp_tent_bytes);
		}
	}
}

/* The top rows of t by count and by bytes, copied into ar. */
static void
top_rows(const struct tset *t, struct arena *ar, size_t top,
    struct traffic_row **by_n, size_t *nn, struct traffic_row **by_b,
    size_t *nb)
{
	struct tent	**vn, **vb;
	size_t		 k = t->len < top ? t->len : top;

	if (t->top_n == NULL)
		BUG("traffic result before traffic_finish");
	if (top <= TOP_SELECT) {
		*by_n = rows_of(t, ar, t->top_n, k, nn);
		*by_b = rows_of(t, ar, t->top_b, k, nb);
		return;
	}
	vn = tset_list(t);
	vb = tset_list(t);
	qsort(vn, t->len, sizeof(*vn), cmp_tent_n);
	qsort(vb, t->len, sizeof(*vb), cmp_tent_bytes);
	*by_n = rows_of(t, ar, vn, k, nn);
	*by_b = rows_of(t, ar, vb, k, nb);
	free(vn);
	free(vb);
}

void
traffic_recause(struct traffic_agg *t, int kind, int from, int to, uint64_t n)
{
	uint64_t	*by = kind == TR_DEFERRED ? t->why_defer :
			  kind == TR_BOUNCED ? t->why_bounce : NULL;

	if (by == NULL || from < 0 || to < 0 || from >= CAUSE_MAX ||
	    to >= CAUSE_MAX || by[from] < n)
		return;
	by[from] -= n;
	by[to] += n;
}

size_t
agg_reason_rows(const uint64_t *by, struct reason_row *rows)
{
	size_t	 i, j, k = 0;

	for (i = 0; i < CAUSE_MAX; i++) {
		if (by[i] == 0)
			continue;
		/* insertion by count descending, then cause number */
		for (j = k; j > 0 && rows[j - 1].n < by[i]; j--)
			rows[j] = rows[j - 1];
		rows[j] = (struct reason_row){ (int)i, by[i] };
		k++;
	}
	return k;
}

static struct reason_row *
reasons(const uint64_t *by, struct arena *ar, size_t *nrows)
{
	struct reason_row *rows = arena_alloc(ar, CAUSE_MAX * sizeof(*rows));

	*nrows = agg_reason_rows(by, rows);
	return rows;
}

static int
cmp_hour_key(const void *x, const void *y)
{
	const struct tent *a = *(struct tent *const *)x;
	const struct tent *b = *(struct tent *const *)y;
	int64_t		 sa, sb;

	memcpy(&sa, a->key + 1, sizeof(sa));
	memcpy(&sb, b->key + 1, sizeof(sb));
	return order_time(sa, sb);
}

static void
hour_rows(const struct tset *t, struct arena *ar, struct traffic *out)
{
	struct tent	**v = tset_list(t);
	struct traffic_hour *h = arena_alloc(ar, (t->len + 1) * sizeof(*h));
	size_t		 i, k = 0;
	int64_t		 start;

	qsort(v, t->len, sizeof(*v), cmp_hour_key);
	for (i = 0; i < t->len; i++) {
		memcpy(&start, v[i]->key + 1, sizeof(start));
		if (k == 0 || h[k - 1].start != start)
			h[k++].start = start;
		switch (v[i]->key[0]) {
		case TR_RECEIVED: h[k - 1].received += v[i]->n; break;
		case TR_SENT: h[k - 1].delivered += v[i]->n; break;
		case TR_DEFERRED: h[k - 1].deferred += v[i]->n; break;
		case TR_BOUNCED: h[k - 1].bounced += v[i]->n; break;
		case TR_REJECTED: h[k - 1].rejected += v[i]->n; break;
		}
	}
	free(v);
	out->hours = h;
	out->nhours = k;
}

/*
 * Fills out from the finished t; rows are copied into ar. top: rows of
 * the top sender and recipient lists (0 = 10).
 */
void
traffic_result(const struct traffic_agg *t, struct traffic *out,
    struct arena *ar, size_t top)
{
	top = top ? top : 10;
	out->counted_from = t->fams;
	out->received = t->n[TR_RECEIVED];
	out->delivered = t->n[TR_SENT];
	out->forwarded = t->n[TR_FORWARDED];
	out->deferred = t->deferred.distinct;
	out->deferrals = t->n[TR_DEFERRED];
	out->bounced = t->n[TR_BOUNCED];
	out->rejected = t->n[TR_REJECTED];
	out->reject_warnings = t->n[TR_REJECT_WARNING];
	out->held = t->n[TR_HELD];
	out->discarded = t->n[TR_DISCARDED];
	out->bytes_received = t->bytes_in;
	out->bytes_delivered = t->bytes_out;
	out->senders = t->senders.distinct;
	out->sender_domains = t->sdomains.distinct;
	out->recipients = t->rcpts.distinct;
	out->recipient_domains = t->rdomains.distinct;
	out->folded_senders = t->senders.other->n;
	out->folded_recipients = t->rcpts.other->n;
	out->pop3 = (struct login_counts){ t->ok[PROTO_POP3], t->failed[PROTO_POP3] };
	out->imap = (struct login_counts){ t->ok[PROTO_IMAP], t->failed[PROTO_IMAP] };
	out->smtp_auth = (struct login_counts){ t->ok[PROTO_SMTP],
	    t->failed[PROTO_SMTP] };
	top_rows(&t->senders, ar, top, &out->top_senders, &out->ntop_senders,
	    &out->top_senders_size, &out->ntop_senders_size);
	top_rows(&t->rcpts, ar, top, &out->top_recipients,
	    &out->ntop_recipients, &out->top_recipients_size,
	    &out->ntop_recipients_size);
	out->defer_reasons = reasons(t->why_defer, ar, &out->ndefer_reasons);
	out->bounce_reasons = reasons(t->why_bounce, ar, &out->nbounce_reasons);
	out->reject_reasons = reasons(t->why_reject, ar, &out->nreject_reasons);
	hour_rows(&t->hours, ar, out);
}
