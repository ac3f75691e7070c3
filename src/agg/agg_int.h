/*
 * Stage-private: the arena and the open-addressing hash table the agg
 * tables are made of. Keys are byte strings copied into the arena with
 * their entry in one allocation (OpenSMTPD's dict_alloc).
 */
#ifndef MXTALLY_AGG_INT_H
#define MXTALLY_AGG_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mxtally/ascii.h"
#include "mxtally/spill.h"

struct arena_block;

struct arena {
	struct arena_block *head;
	struct arena_block *spare;	/* emptied by arena_reset, for reuse */
	size_t		 used, cap;	/* in the head block */
};

void arena_init(struct arena *ar);
void arena_release(struct arena *ar);
void *arena_alloc(struct arena *ar, size_t n);	/* 8-byte aligned, zeroed */
void arena_reset(struct arena *ar);	/* forget all, keep the blocks to reuse */
void arena_take(struct arena *into, struct arena *from); /* from's blocks */
char *arena_strndup(struct arena *ar, const char *s, size_t n);

/*
 * Copies s[0..n) into ar as a name every writer, the merge and the
 * history can hold: a NUL byte inside (a log can have one) would end
 * the C string and make "a\0b" and "a\0c" one name, so each NUL is
 * written "\x00", as the writers show other controls (the same rule as
 * the users and hosts of agg's result). Such a name meets a logged
 * literal "a\x00b": the price of any escape that keeps backslashes.
 */
char *arena_strndup_name(struct arena *ar, const char *s, size_t n);

/*
 * The same into buf, which must hold 4 * n + 1 bytes; returns the
 * length written (buf is NUL-terminated).
 */
size_t name_escape(const char *s, size_t n, char *buf);

struct ent {
	uint64_t	 hash;
	uint64_t	 n;		/* count */
	uint64_t	 pos;		/* input position of the example */
	const char	*ex;		/* example text, or NULL */
	uint32_t	 klen;
	char		 key[];		/* klen bytes, then a NUL */
};

/*
 * A table may be capped at max keys, in one of two ways. A table with
 * spill set (the report tables) keeps its max most frequent keys: it
 * writes sorted runs to temporary files when full and chooses the keys
 * from the exact totals in tab_settle (fold.c). Any other table (the
 * Dovecot sessions, where frequency means nothing) keeps only the keys
 * whose hash is at most hmax (UINT64_MAX >> k, k lowered one step at a
 * time). Either way the rest is counted into other_n, exactly, and which
 * keys survive depends only on the events seen, never on how the input
 * was split over threads or in what order it came (see tab.c, fold.c).
 * Keys of length 0 or 1 (a cause byte with no name) are never folded.
 */
/*
 * fold.c: the sorted runs a capped table writes through the spill engine
 * (spill.h), and the final choice of its most frequent keys.
 */
struct srec {			/* a key and its counts, as runs hold them */
	uint64_t	 n;
	uint64_t	 aux;		/* bytes (summed), or the example's pos */
	const char	*key;
	const char	*ex;		/* example, NUL-ended, or NULL */
	char		*own;		/* a copy's key and ex, or NULL */
	uint64_t	 pfx;		/* fold.c's: the first key bytes */
	uint32_t	 klen;
};

/*
 * s's records: keys with counts that add up, and aux that adds up too
 * (sum_aux: bytes) or is the lowest, with its example (a position).
 */
void fold_init(struct spill *s, int sum_aux);

/*
 * Writes v[0..n), distinct keys in any order (sorted here), as a new run
 * of s. Returns 0, or -1 when it could not: then s->failed is set, one
 * warning names the directory, and the caller keeps its entries.
 */
int fold_write(struct spill *s, struct srec *v, size_t n);

/*
 * The end of a capped table: merges s's runs with v[0..nv) (the keys the
 * table still holds, any order) into exact totals per key, keeps the max
 * best (highest n, then lowest key bytes; keys of 0 or 1 byte always) and
 * calls fold(ctx, r) for every other key. *kept gets copies of the kept
 * records (free with fold_kept_free), *nkept their count. Releases s.
 * Returns the number of distinct keys, kept and folded.
 */
uint64_t fold_pick(struct spill *s, struct srec *v, size_t nv, size_t max,
    void (*fold)(void *, const struct srec *), void *ctx,
    struct srec **kept, size_t *nkept);
void fold_kept_free(struct srec *v, size_t n);

struct eslot {			/* the hash beside the pointer: a probe */
	uint64_t	 hash;		/* touches an entry only on a match */
	struct ent	*e;
};

struct tab {
	struct eslot	*slot;
	size_t		 cap;		/* power of two */
	size_t		 len;
	size_t		 max;		/* keys kept before folding; 0 = all */
	uint64_t	 hmax;		/* keep keys whose hash <= hmax */
	uint64_t	 other_n;	/* events of folded keys */
	uint64_t	 other_by[256];	/* the same, by the key's first byte */
	struct arena	 ar;		/* entries and examples; the table's own */
	int		 spill;		/* fold by frequency (fold.c) */
	struct spill	 sp;		/* its runs */
};

void tab_init(struct tab *t);
void tab_release(struct tab *t);

/*
 * Adds n to key's count (copying key when new) and returns its entry; or,
 * when the cap folds key, adds n to other_n and returns NULL. The entry
 * is valid until the next tab_count or tab_fold_to on t.
 */
struct ent *tab_count(struct tab *t, const void *key, size_t klen,
    uint64_t n);

/* Lowers t's threshold to hmax (when lower), folding what falls out. */
void tab_fold_to(struct tab *t, uint64_t hmax);

/* Finds key, adding a zero entry when absent. Copies key. */
struct ent *tab_get(struct tab *t, const void *key, size_t klen);

/* Finds key without adding; NULL when absent. */
struct ent *tab_find(const struct tab *t, const void *key, size_t klen);

uint64_t tab_hash(const void *key, size_t len);

/*
 * a[0..n) == b[0..n), for a probe whose hashes matched (so nearly always
 * equal): eight bytes a step, the last eight overlapping, no call. The
 * keys are short, where memcmp's call and set-up cost more than this.
 */
static inline int
key_eq(const void *a, const void *b, size_t n)
{
	const char	*p = a, *q = b;
	uint64_t	 x, y;
	uint32_t	 u, v;

	if (n >= 8) {
		for (; n > 8; p += 8, q += 8, n -= 8) {
			memcpy(&x, p, 8);
			memcpy(&y, q, 8);
			if (x != y)
				return 0;
		}
		memcpy(&x, p + n - 8, 8);
		memcpy(&y, q + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		memcpy(&u, p, 4);
		memcpy(&v, q, 4);
		if (u != v)
			return 0;
		memcpy(&u, p + n - 4, 4);
		memcpy(&v, q + n - 4, 4);
		return u == v;
	}
	for (; n > 0; n--)
		if (*p++ != *q++)
			return 0;
	return 1;
}

/*
 * The first 8 bytes of key as a big-endian number, zero-padded: two of
 * them compare as memcmp would over those bytes, so a sort by key can
 * settle most comparisons on one integer and touch the keys only on a
 * tie (then compare them whole, or from byte 8 when both are longer).
 */
uint64_t key_prefix(const char *key, size_t len);

/*
 * Once, after the last merge: when t has spilled or holds more than max
 * keys (spilling failed), keeps its max most frequent keys (ties: lowest
 * key bytes) with exact counts and folds the rest into other_n.
 */
void tab_settle(struct tab *t);

/* A sort key and the index of what it stands for. */
struct kidx {
	uint64_t	 key;
	size_t		 i;
};

/*
 * result.c: sorts v by key, stably (LSD radix, a byte a pass): with the
 * indexes ascending on entry, equal keys stay in index order.
 */
void kidx_sort(struct kidx *v, size_t n);

/* The agg itself; shared by agg.c and result.c. */
#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/event.h"

#define KEY_MAX		512	/* bytes of a user, host or template kept */
#define EXAMPLE_MAX	512

struct pending {			/* a login failure awaiting its verdict */
	struct pending	*next;
	struct event	 ev;		/* slices point into the arena */
	uint64_t	 pos;
};

struct agg {
	struct arena	 ar;
	uint64_t	 cause_n[CAUSE_MAX];
	uint64_t	 events;
	struct tab	 users;		/* cause byte + user */
	struct tab	 hosts;		/* cause byte + host */
	struct tab	 hours;		/* cause byte + int64 hour start */
	struct tab	 codes;		/* code, enh, resp, proto, cause */
	struct tab	 pop3;		/* reply template, NUL, cause byte */
	struct tab	 uncl;		/* template, with example */
	struct tab	 clients;	/* cause byte + client IP, ex = name */
	struct tab	 remotes;	/* cause byte + remote domain,
					   ex = "MX host\treply" */
	struct tab	 urgent;	/* the same, our IP listed (rbl,
					   reputation), ex = reply */
	struct tab	 details;	/* cause byte + detail key, ex = reply */
	uint64_t	 dir_n[CAUSE_MAX][DIR_COUNT];
	struct tab	 verdicts;	/* Dovecot sessions, n = verdicts: agg.c */
	struct pending	*pend;		/* in ar, which holds nothing else */
	uint64_t	 join_unresolved; /* failures of folded sessions */
	struct tab	 groups;	/* EV_GROUP keys, n = lines: join.c */
	struct tab	 peers;		/* local parts of LMTP failures: join.c */
	struct jlist	*gpend, *ppend;	/* their lines waiting: join.c */
	size_t		 join_max;	/* keys kept per join table, 0 = all */
	uint64_t	 join_evicted;	/* lines the cap left unjoined */
	uint64_t	 join_paired;	/* MTA and server lines counted as one */
	uint64_t	*recause;	/* [2][from][to]: joined MTA failures
					   whose cause changed (join.c), NULL */
	agg_emit_fn	*emit;		/* each counted event, or NULL */
	void		*emit_arg;
	struct traffic_agg *traffic;	/* traffic.c */
	struct space_agg *space;	/* space.c: free space logged */
	struct lock_agg	*locks;		/* locks.c: lock holders */
	int		 merged;	/* another agg was merged in */
	struct traffic_job *finishing;	/* traffic_finish still running */
	struct lock_job	*locking;	/* locks_result running: result.c */
	char		 key[KEY_MAX + 64];
};

/*
 * Work run beside the caller, on a thread of its own when threaded (the
 * workers' cores are idle after the scan), else at once. agg.c.
 */
struct job {
	pthread_t	 tid;
	int		 threaded;	/* job_wait has a thread to join */
	void		(*fn)(void *);
	void		*arg;
};
void job_start(struct job *j, void (*fn)(void *), void *arg, int threaded);
void job_wait(struct job *j);

/*
 * result.c: agg_finish starts the lock holders of a merged agg on a
 * thread of their own; agg_result takes them into r, their strings into
 * ar; with r NULL (agg_free) they are only waited for and dropped.
 */
void locks_job_start(struct agg *a);
void locks_job_end(struct agg *a, struct result *r, struct arena *ar);

/*
 * The key of the codes table: code, enhanced code, response code (each
 * as wide as the event's, NUL-padded), protocol and cause; it sorts by
 * code, CODE_KEY_LEN bytes. code_key writes the three codes at k and
 * returns where the protocol and cause bytes go (the caller stores
 * them: agg.c reads the event's only after the copies, as before).
 */
#define CODE_KEY_LEN	(sizeof(((struct event *)0)->code) + \
			 sizeof(((struct event *)0)->enh) + \
			 sizeof(((struct event *)0)->resp) + 2)

static inline char *
code_key(char *k, const char *code, const char *enh, const char *resp)
{
	memcpy(k, code, sizeof(((struct event *)0)->code));
	k += sizeof(((struct event *)0)->code);
	memcpy(k, enh, sizeof(((struct event *)0)->enh));
	k += sizeof(((struct event *)0)->enh);
	memcpy(k, resp, sizeof(((struct event *)0)->resp));
	return k + sizeof(((struct event *)0)->resp);
}

/* Counts ev as one row of every table (agg.c). */
void agg_count(struct agg *a, const struct event *ev, uint64_t pos);

/* join.c: one failure logged on several lines, one event */
struct jlist;
void join_init(struct agg *a);
void join_release(struct agg *a);
void join_set_max(struct agg *a, size_t max);
void join_add(struct agg *a, const struct event *ev, uint64_t pos);
void join_merge(struct agg *into, struct agg *from);
void join_finish(struct agg *a);
/* After the traffic half is settled: the causes of joined deferrals. */
void join_traffic(struct agg *a);

/*
 * The rules of the joins, shared by join.c (batch) and join_stream.c
 * (watch), so that both count one failure the same way.
 */
#define JOIN_WINDOW	30	/* seconds between the two daemons' lines */
#define PART_MAX	255	/* bytes of each part of a group key */
#define GKEY_MAX	(2 + 8 + 4 * (1 + PART_MAX) + 4 + 12 + 24)

/* 1 when an EV_GROUP line can join its group (else it counts alone). */
int join_groupable(const struct event *ev);
/* The group key of ev into k (GKEY_MAX bytes); returns its length. */
size_t join_group_key(const struct event *ev, char *k);
/* join_peer_key (agg.h): the local part of an address or login */
/* 1 if the LMTP server's user s may be the MTA's recipient m */
int join_same_user(struct slice s, struct slice m);
/*
 * ev, the server's failure, becomes the pair's one event with the MTA's
 * failure m: the MTA's cause when the server's says less, its codes
 * where the server logged none, count 1.
 */
void join_pair_event(struct event *ev, const struct event *m);

#ifdef MXT_TESTING
/* agg.c: the blocklist a reply names, into buf; its length or 0 */
size_t detail_list(struct slice text, char *buf, size_t len);
/* result.c: "a.b.c.0/24" or "x:x:x:x::/64" of ip into buf; 0 if no ip */
int client_network(const char *ip, char *buf, size_t len);
#endif

/* space.c: the free space servers logged (see there) */
struct space_agg;
struct space_fig;
struct space_row;
struct space_agg *space_new(void);
void space_free(struct space_agg *s);
void space_add(struct space_agg *s, const struct event *ev);
void space_merge(struct space_agg *into, struct space_agg *from);
/* A host's figures as they are (merge); NULL: into "(other)". */
void space_add_fig(struct space_agg *s, int kind, const char *host,
    const struct space_fig *f);
/* Rows lowest free space first, "(other)" rows last; in ar. */
struct space_row *space_result(const struct space_agg *s, struct arena *ar,
    size_t *n);

/* locks.c: who held the lock a POP3 or IMAP session was refused */
struct lock_agg;
struct result;
struct lock_agg *locks_new(void);
void locks_free(struct lock_agg *l);
void locks_set_max(struct lock_agg *l, size_t max);
/* Keeps what a login, an end or a lock refusal says; copies names once. */
void locks_add(struct lock_agg *l, const struct event *ev);
/* Takes from's records and names; from is left empty. */
void locks_merge(struct lock_agg *into, struct lock_agg *from);
/* What a saved report gives (agg_add_lock_*); borrows the strings. */
int locks_add_counts(struct lock_agg *l, const struct lock_counts *c);
void locks_add_row(struct lock_agg *l, const struct lock_row *row);
int locks_add_pair(struct lock_agg *l, const struct lock_pair *p);
/* Fills r's locks, lock_pairs, locks_held and locks_dropped; in ar. */
void locks_result(struct lock_agg *l, struct arena *ar, struct result *r);

/* Waits for agg_finish's traffic half; agg_result calls it. */
void agg_traffic_wait(struct agg *a);

/* traffic.c: the traffic context of one agg (see agg.h) */
struct traffic;
struct traffic_agg *traffic_new(void);
void traffic_free(struct traffic_agg *t);
void traffic_set_max_keys(struct traffic_agg *t, size_t max);
void traffic_add(struct traffic_agg *t, const struct event *ev, uint64_t pos,
    int error);
void traffic_chunk_end(struct traffic_agg *t);
void traffic_merge(struct traffic_agg *into, struct traffic_agg *from);
void traffic_finish(struct traffic_agg *t);
/*
 * Moves n deferrals (kind TR_DEFERRED) or bounces (TR_BOUNCED) from one
 * reason to another: a joined MTA failure takes the LMTP server's cause.
 */
void traffic_recause(struct traffic_agg *t, int kind, int from, int to,
    uint64_t n);
void traffic_result(const struct traffic_agg *t, struct traffic *out,
    struct arena *ar, size_t top);
/*
 * rows.c's (merge): a sender's (rcpt 0) or recipient's counts, name NULL
 * for the folded ones; a report's counters, reasons and hours. -1 when
 * a count would pass 2^64 - 1.
 */
int traffic_add_row(struct traffic_agg *t, int rcpt, const char *name,
    uint64_t n, uint64_t bytes);
int traffic_add_counts(struct traffic_agg *t, const struct traffic *in);

#endif
