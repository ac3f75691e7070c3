/*
 * `mxtally merge`: reads JSON reports (schema mxtally/1) written by many
 * servers or on many nights and rebuilds one struct result from them, so
 * that every report writer can print the combination. Rows are joined by
 * their key (user, host, hour, code, reply template) and their counts
 * added; the sort at the end is the one agg_result uses (count
 * descending, then key), so merging a single report gives it back
 * unchanged and merging reports of disjoint inputs gives what one run
 * over all the inputs gives. Traffic lists are joined the same way
 * (hours by start, reasons by cause, senders and recipients by address,
 * then cut to the top N); a merged top list is exact only when each
 * report's list was complete, since a report lists its top N only. The
 * distinct senders and recipients are counted from the lists when every
 * report listed all of its own, else summed; sender and recipient
 * domains and deferred messages (distinct queue ids) are always summed:
 * these sums are upper bounds.
 *
 * Owns the parsed documents: every string in the result points into them
 * or into the merge's own allocations, all freed by result_free (which
 * calls merge_release).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/event.h"
#include "mxtally/keytab.h"
#include "mxtally/log.h"
#include "mxtally/merge.h"
#include "mxtally/order.h"
#include "mxtally/parse.h"


struct mrow {				/* a user, host, hour, client, remote */
	const char	*name;
	int64_t		 start;
	uint64_t	 events;
	uint64_t	 by[CAUSE_MAX];
	const char	*note;		/* client's name, remote's MX host */
	const char	*reply;		/* remote's reply */
	uint64_t	 urgent;	/* remote: our IP listed */
};

struct rows {
	struct mrow	*v;
	size_t		 n, cap;
	struct keytab	 idx;
};

struct mcause {
	uint64_t	 events, users;
	struct user_count *top;		/* summed top_users, when incomplete */
	size_t		 ntop, cap;
	struct keytab	 tidx;
	uint64_t	 dir[DIR_COUNT];
	struct key_count *detail;	/* summed, first example kept */
	size_t		 ndetail, capdetail;
	struct keytab	 didx;
	struct key_count *remotes;	/* top_remotes, rebuilt */
};

/*
 * Senders or recipients summed over the reports' top lists (by count
 * and by size, an address in both counted once per report).
 */
struct tlist {
	struct traffic_row *v, *bysize;
	size_t		 n, cap;
	struct keytab	 idx;
	int		 partial;	/* a report does not list them all */
};

struct merged {
	struct result	 r;		/* first: merge_release casts back */
	json_t		**docs;
	size_t		 ndocs;
	const char	*path;		/* the report being added */
	int		 failed;	/* its first error was said */
	struct rows	 users, hosts, hours, clients, remotes;
	struct wmem	*wmem;		/* result_clients' */
	struct mcause	 causes[CAUSE_MAX];
	struct keytab	 codeidx, pop3idx, anidx, spaceidx, lockidx;
	size_t		 capcodes, cappop3, capuncl, capspace;
	size_t		 caplocks, cappairs;
	char		**owned;	/* keys built here */
	size_t		 nowned;
	int		 partial;	/* a report lists only some users */
	uint64_t	 extra_users, extra_hosts, extra_clients, extra_remotes;
	uint64_t	 extra_locks;	/* refused sessions not listed */
	struct tlist	 senders, rcpts;
	uint64_t	 why_defer[CAUSE_MAX], why_bounce[CAUSE_MAX];
	uint64_t	 why_reject[CAUSE_MAX];
	struct traffic_hour *thours;
	size_t		 capthours;
	struct keytab	 thouridx;
	struct reason_row *reasons;	/* the three lists, one allocation */
};

static void	merge_release(struct result *r);

/* Row number of key; when absent, stores next and sets *isnew. */
static size_t
smap_get(struct keytab *m, const char *key, size_t next, int *isnew)
{
	struct keytab_ent	*e = keytab_add(m, key, strlen(key), isnew);

	if (*isnew)
		e->val = next;
	return (size_t)e->val;
}

static void *
grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? 2 * *cap : 16;
	v = xrealloc(v, *cap * size);
	memset((char *)v + n * size, 0, (*cap - n) * size);
	return v;
}

static const char *
own(struct merged *m, char *s)
{
	if ((m->nowned & (m->nowned + 1)) == 0)	/* 0, 1, 3, 7, ... */
		m->owned = xrealloc(m->owned, (2 * m->nowned + 2) *
		    sizeof(*m->owned));
	m->owned[m->nowned++] = s;
	return s;
}

/* "2026-11-21T14:00:00" to seconds; T_NONE for null or a bad string. */
static int64_t
parse_stamp(const char *s)
{
	int	 y, mo, d, h, mi, se, n = 0;

	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d,
	    &h, &mi, &se, &n) != 6 || s[n] != '\0')
		return T_NONE;
	return time_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

/*
 * Says the first error of the report being added, "'PATH': what". Counts
 * are never wrapped or guessed: a count that is negative, a fraction
 * or not a number, or a sum past 2^64 - 1, fails the merge.
 */
static void merge_fail(struct merged *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
merge_fail(struct merged *m, const char *fmt, ...)
{
	char	 msg[160];
	va_list	 ap;

	if (m->failed)
		return;
	m->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("'%s': %s", m->path, msg);
}

/* Member key of o as a string; NULL when absent or not a string. */
static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Member key of o when it is an array, else NULL. */
static json_t *
arr(const json_t *o, const char *key)
{
	json_t	*a = json_object_get(o, key);

	return json_is_array(a) ? a : NULL;
}

/* v as a count, what naming it in the error; 0 after an error. */
static uint64_t
count_of(struct merged *m, const json_t *v, const char *what)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (uint64_t)json_integer_value(v);
	merge_fail(m, "'%s' is %s, not a count", what,
	    json_is_integer(v) ? "negative" : json_is_real(v) ?
	    "a fraction" : "not a number");
	return 0;
}

/* Member key of o as a count; 0 when absent. */
static uint64_t
cnt(struct merged *m, const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	return v != NULL ? count_of(m, v, key) : 0;
}

/* *to += n, or an error when the sum passes 2^64 - 1. */
static void
sum(struct merged *m, uint64_t *to, uint64_t n, const char *what)
{
	if (__builtin_add_overflow(*to, n, to))
		merge_fail(m, "'%s' adds up past 2^64 - 1", what);
}

#define ADD(m, to, o, key)	sum((m), (to), cnt((m), (o), (key)), (key))
#define EACH(i, a)	for ((i) = 0; (i) < json_array_size(a); (i)++)

/*
 * The cause number of id, adding it from doc's causes when unknown. The
 * registry copies the strings (cause_reg_add): they outlive doc, and
 * copies made here would leak.
 */
static int
cause_of(const json_t *doc, const char *id)
{
	json_t		*ci;
	const char	*t[3] = { "group", "meaning", "advice" }, *s[3];
	int		 c, i;

	if (id == NULL)
		return CAUSE_NONE;
	if ((c = cause_find(id, strlen(id))) != CAUSE_NONE)
		return c;
	ci = json_object_get(json_object_get(doc, "causes"), id);
	for (i = 0; i < 3; i++)
		s[i] = jstr(ci, t[i]) ? jstr(ci, t[i]) : "";
	/* the registry keeps copies: the document may be freed */
	if ((c = cause_add(id, s[0], s[1], s[2])) < 0)
		return CAUSE_NONE;
	return c;
}

/* A [name, count] pair's name, its count into *n; NULL if no pair. */
static const char *
pair(struct merged *m, const json_t *p, uint64_t *n, const char *what)
{
	if (json_array_size(p) != 2 ||
	    !json_is_string(json_array_get(p, 0)))
		return NULL;
	*n = count_of(m, json_array_get(p, 1), what);
	return json_string_value(json_array_get(p, 0));
}

/* Each member of object o that names a cause, added to by[cause]. */
static void
add_by_cause(struct merged *m, const json_t *doc, json_t *o,
    uint64_t *by)
{
	const char	*key;
	json_t		*v;
	int		 c;

	json_object_foreach(o, key, v)
		if ((c = cause_of(doc, key)) != CAUSE_NONE)
			sum(m, &by[c], count_of(m, v, key), key);
}

static void
add_entities(struct merged *m, const json_t *doc, json_t *a,
    const char *label, struct rows *rs)
{
	json_t		*e;
	struct mrow	*row;
	const char	*key;
	size_t		 i, ix;
	int		 isnew;

	EACH(i, a) {
		e = json_array_get(a, i);
		key = jstr(e, label != NULL ? label : "start");
		if (label != NULL && key == NULL)
			continue;
		rs->v = grow(rs->v, &rs->cap, rs->n, sizeof(*rs->v));
		ix = smap_get(&rs->idx, key != NULL ? key : "", rs->n, &isnew);
		if (isnew) {
			row = &rs->v[rs->n++];
			row->name = key;
			row->start = parse_stamp(jstr(e, "start"));
		}
		row = &rs->v[ix];
		ADD(m, &row->events, e, "events");
		ADD(m, &row->urgent, e, "urgent");
		if (row->note == NULL)
			row->note = jstr(e, "name") != NULL ?
			    jstr(e, "name") : jstr(e, "host");
		if (row->reply == NULL)
			row->reply = jstr(e, "reply");
		add_by_cause(m, doc, json_object_get(e, "causes"), row->by);
	}
}

static void
add_top(struct merged *m, struct mcause *mc, const json_t *top)
{
	const char	*name;
	uint64_t	 n = 0;
	size_t		 i, ix;
	int		 isnew;

	EACH(i, top) {
		name = pair(m, json_array_get(top, i), &n, "top_users");
		if (name == NULL)
			continue;
		mc->top = grow(mc->top, &mc->cap, mc->ntop, sizeof(*mc->top));
		ix = smap_get(&mc->tidx, name, mc->ntop, &isnew);
		if (isnew)
			mc->top[mc->ntop++].user = name;
		sum(m, &mc->top[ix].n, n, "top_users");
	}
}

/* A cause's direction and details, summed; the first example kept. */
static void
add_where(struct merged *m, struct mcause *mc, const json_t *o)
{
	const json_t	*dir = json_object_get(o, "direction");
	const json_t	*det = arr(o, "detail");
	const json_t	*ex = json_object_get(o, "detail_examples");
	const char	*name;
	uint64_t	 n = 0;
	size_t		 i, ix;
	int		 d, isnew;

	for (d = DIR_TO_CLIENT; d < DIR_COUNT; d++)
		ADD(m, &mc->dir[d], dir, dir_name(d));
	EACH(i, det) {
		name = pair(m, json_array_get(det, i), &n, "detail");
		if (name == NULL)
			continue;
		mc->detail = grow(mc->detail, &mc->capdetail, mc->ndetail,
		    sizeof(*mc->detail));
		ix = smap_get(&mc->didx, name, mc->ndetail, &isnew);
		if (isnew)
			mc->detail[mc->ndetail++] = (struct key_count){
			    name, 0, NULL };
		sum(m, &mc->detail[ix].n, n, "detail");
		if (mc->detail[ix].example == NULL)
			mc->detail[ix].example = jstr(ex, name);
	}
}

static void
add_causes(struct merged *m, const json_t *doc)
{
	json_t		*cs = json_object_get(doc, "causes"), *v;
	const char	*key;
	int		 c;

	json_object_foreach(cs, key, v) {
		if ((c = cause_of(doc, key)) == CAUSE_NONE)
			continue;
		ADD(m, &m->causes[c].events, v, "events");
		ADD(m, &m->causes[c].users, v, "users");
		add_top(m, &m->causes[c], arr(v, "top_users"));
		add_where(m, &m->causes[c], v);
	}
}

static int
proto_of(const char *name)
{
	int	 p;

	for (p = 0; name != NULL && p < PROTO_COUNT; p++)
		if (strcmp(proto_name(p), name) == 0)
			return p;
	return PROTO_NONE;
}

static void
copy_field(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s != NULL ? s : "");
}

static void
add_codes(struct merged *m, const json_t *doc)
{
	const json_t	*a = arr(doc, "codes"), *e;
	struct result	*r = &m->r;
	struct code_row	 row;
	char		*key;
	size_t		 i, ix;
	int		 isnew;

	EACH(i, a) {
		e = json_array_get(a, i);
		memset(&row, 0, sizeof(row));
		row.proto = proto_of(jstr(e, "protocol"));
		copy_field(row.code, sizeof(row.code), jstr(e, "code"));
		copy_field(row.enh, sizeof(row.enh), jstr(e, "enhanced"));
		copy_field(row.resp, sizeof(row.resp), jstr(e, "response"));
		row.cause = cause_of(doc, jstr(e, "cause"));
		if (asprintf(&key, "%d\x1f%s\x1f%s\x1f%s\x1f%d", row.proto,
		    row.code, row.enh, row.resp, row.cause) == -1)
			log_die("out of memory");
		r->codes = grow(r->codes, &m->capcodes, r->ncodes,
		    sizeof(*r->codes));
		ix = smap_get(&m->codeidx, own(m, key), r->ncodes, &isnew);
		if (isnew)
			r->codes[r->ncodes++] = row;
		ADD(m, &r->codes[ix].events, e, "events");
	}
}

/* "capacity": figures of one host and store add up (space_fig_add). */
static void
add_space(struct merged *m, const json_t *doc)
{
	const json_t	*a = arr(doc, "capacity"), *e;
	struct result		*r = &m->r;
	struct space_fig	 f;
	const char		*host, *store;
	char			*key;
	size_t			 i, ix;
	int			 isnew, kind;

	EACH(i, a) {
		e = json_array_get(a, i);
		host = jstr(e, "host");
		store = jstr(e, "store");
		for (kind = SP_NONE + 1; kind < SP_COUNT; kind++)
			if (store != NULL && strcmp(store, space_name(kind)) == 0)
				break;
		if (host == NULL || kind == SP_COUNT)
			continue;
		f = (struct space_fig){ .samples = cnt(m, e, "samples"),
		    .min = cnt(m, e, "free_min"),
		    .min_at = parse_stamp(jstr(e, "free_min_at")),
		    .first = cnt(m, e, "free_first"),
		    .first_at = parse_stamp(jstr(e, "first")),
		    .last = cnt(m, e, "free_last"),
		    .last_at = parse_stamp(jstr(e, "last")) };
		if (asprintf(&key, "%d\x1f%s", kind, host) == -1)
			log_die("out of memory");
		r->space = grow(r->space, &m->capspace, r->nspace,
		    sizeof(*r->space));
		ix = smap_get(&m->spaceidx, own(m, key), r->nspace, &isnew);
		if (isnew)
			r->space[r->nspace++] = (struct space_row){ .host = host,
			    .kind = kind };
		space_fig_add(&r->space[ix].f, &f);
	}
}

/*
 * "lock_contention": counts add up, pairs join by (user, client,
 * holder), refused sessions are listed again latest first.
 */
static void
add_locks(struct merged *m, const json_t *doc)
{
	const json_t	*o = json_object_get(doc, "lock_contention"), *a, *e;
	struct result		*r = &m->r;
	struct lock_pair	 p;
	char			*key;
	size_t			 i, ix;
	int			 isnew;

	if (o == NULL)
		return;
	ADD(m, &r->locks_held, o, "holder_found");
	ADD(m, &r->locks_dropped, o, "dropped");
	ADD(m, &m->extra_locks, o, "refused_sessions");
	ADD(m, &r->nlocks_imap, o, "imap_refused_sessions");
	a = arr(o, "pairs");
	EACH(i, a) {
		e = json_array_get(a, i);
		p = (struct lock_pair){ .user = jstr(e, "user"),
		    .client = jstr(e, "client"),
		    .holder = jstr(e, "holder_client"),
		    .holder_user = jstr(e, "holder_user"),
		    .imap = jstr(e, "protocol") != NULL &&
		    strcmp(jstr(e, "protocol"), "imap") == 0 };
		if (p.user == NULL || p.client == NULL || p.holder == NULL)
			continue;
		if (asprintf(&key, "%s\x1f%s\x1f%s\x1f%d\x1f%s", p.user,
		    p.client, p.holder, p.imap, p.holder_user ?
		    p.holder_user : "") == -1)
			log_die("out of memory");
		r->lock_pairs = grow(r->lock_pairs, &m->cappairs,
		    r->nlock_pairs, sizeof(*r->lock_pairs));
		ix = smap_get(&m->lockidx, own(m, key), r->nlock_pairs, &isnew);
		if (isnew)
			r->lock_pairs[r->nlock_pairs++] = p;
		ADD(m, &r->lock_pairs[ix].events, e, "events");
	}
	a = arr(o, "sessions");
	EACH(i, a) {
		e = json_array_get(a, i);
		r->locks = grow(r->locks, &m->caplocks, r->nlocks,
		    sizeof(*r->locks));
		r->locks[r->nlocks++] = (struct lock_row){
		    .user = jstr(e, "user") ? jstr(e, "user") : "",
		    .t = parse_stamp(jstr(e, "refused_at")),
		    .session = jstr(e, "session") ?
		    jstr(e, "session") : "",
		    .client = jstr(e, "client") ?
		    jstr(e, "client") : "",
		    .holder = jstr(e, "holder_client"),
		    .holder_session = jstr(e, "holder_session"),
		    .since = parse_stamp(jstr(e, "holder_since")),
		    .holder_user = jstr(e, "holder_user"),
		    .holder_pid = json_is_integer(json_object_get(e,
		    "holder_pid")) ? (uint32_t)cnt(m, e, "holder_pid") : 0,
		    .imap = jstr(e, "protocol") != NULL &&
		    strcmp(jstr(e, "protocol"), "imap") == 0 };
		if (m->extra_locks > 0)
			m->extra_locks--;
	}
}

static void
add_templates(struct merged *m, const json_t *doc)
{
	const json_t	*a = arr(doc, "pop3"), *e;
	struct result	*r = &m->r;
	char		*key;
	size_t		 i, ix;
	int		 isnew, c;

	EACH(i, a) {
		e = json_array_get(a, i);
		if (jstr(e, "reply") == NULL)
			continue;
		c = cause_of(doc, jstr(e, "cause"));
		if (asprintf(&key, "%s\x1f%d", jstr(e, "reply"), c) == -1)
			log_die("out of memory");
		r->pop3 = grow(r->pop3, &m->cappop3, r->npop3,
		    sizeof(*r->pop3));
		ix = smap_get(&m->pop3idx, own(m, key), r->npop3, &isnew);
		if (isnew)
			r->pop3[r->npop3++] = (struct reply_row){
			    jstr(e, "reply"), c, 0 };
		ADD(m, &r->pop3[ix].events, e, "events");
	}
	a = arr(doc, "unclassified");
	EACH(i, a) {
		e = json_array_get(a, i);
		if (jstr(e, "template") == NULL)
			continue;
		r->unclassified = grow(r->unclassified, &m->capuncl,
		    r->nunclassified, sizeof(*r->unclassified));
		ix = smap_get(&m->anidx, jstr(e, "template"),
		    r->nunclassified, &isnew);
		if (isnew)
			r->unclassified[r->nunclassified++] = (struct tmpl_row){
			    jstr(e, "template"), jstr(e, "example"), 0 };
		ADD(m, &r->unclassified[ix].events, e, "events");
	}
}

static void
add_logins(struct merged *m, struct login_counts *l, const json_t *o)
{
	ADD(m, &l->ok, o, "ok");
	ADD(m, &l->failed, o, "failed");
}

static void
add_traffic(struct merged *m, struct traffic *t, const json_t *o)
{
	const json_t	*lg = json_object_get(o, "logins");
	const json_t	*cf = arr(o, "counted_from");
	const char	*name, *s;
	size_t		 i;
	int		 f;

	EACH(i, cf)
		for (f = 1; f < 32 &&
		    (s = json_string_value(json_array_get(cf, i))) != NULL; f++)
			if ((name = parse_family_name(f)) != NULL &&
			    strcmp(name, s) == 0)
				t->counted_from |= UINT32_C(1) << f;
	ADD(m, &t->received, o, "received");
	ADD(m, &t->delivered, o, "delivered");
	ADD(m, &t->forwarded, o, "forwarded");
	ADD(m, &t->deferred, o, "deferred");
	ADD(m, &t->bounced, o, "bounced");
	ADD(m, &t->rejected, o, "rejected");
	ADD(m, &t->held, o, "held");
	ADD(m, &t->discarded, o, "discarded");
	ADD(m, &t->bytes_received, o, "bytes_received");
	ADD(m, &t->bytes_delivered, o, "bytes_delivered");
	ADD(m, &t->senders, o, "senders");
	ADD(m, &t->recipients, o, "recipients");
	ADD(m, &t->deferrals, o, "deferrals");
	ADD(m, &t->reject_warnings, o, "reject_warnings");
	ADD(m, &t->sender_domains, o, "sender_domains");
	ADD(m, &t->recipient_domains, o, "recipient_domains");
	ADD(m, &t->folded_senders, o, "folded_senders");
	ADD(m, &t->folded_recipients, o, "folded_recipients");
	/* the lists: add_traffic_lists */
	add_logins(m, &t->pop3, json_object_get(lg, "pop3"));
	add_logins(m, &t->imap, json_object_get(lg, "imap"));
	add_logins(m, &t->smtp_auth, json_object_get(lg, "smtp_auth"));
}

/*
 * Adds one report's top senders (or recipients) to tl: lists a (by
 * count) and b (by size) of that report, each address once. The sum is
 * exact only for addresses every report listed: a report lists its top
 * N only, so an address just outside one server's top N is missing
 * from the sum (as users are with --top). distinct: the report's count
 * of distinct addresses; when its lists hold fewer, tl is partial.
 */
static void
add_tlist(struct merged *m, struct tlist *tl, const json_t *a,
    const json_t *b, const char *what, uint64_t distinct)
{
	const json_t	*lists[2] = { a, b }, *e;
	struct keytab	 seen = { 0 };
	const char	*addr;
	size_t		 i, k, ix;
	int		 isnew;

	for (k = 0; k < 2; k++)
		EACH(i, lists[k]) {
			e = json_array_get(lists[k], i);
			if ((addr = jstr(e, "address")) == NULL)
				continue;
			smap_get(&seen, addr, 0, &isnew);
			if (!isnew)
				continue;
			tl->v = grow(tl->v, &tl->cap, tl->n, sizeof(*tl->v));
			ix = smap_get(&tl->idx, addr, tl->n, &isnew);
			if (isnew)
				tl->v[tl->n++].name = addr;
			ADD(m, &tl->v[ix].n, e, what);
			ADD(m, &tl->v[ix].bytes, e, "bytes");
		}
	if (seen.len < distinct)
		tl->partial = 1;
	keytab_release(&seen);
}

/* The traffic lists of doc: top senders and recipients, reasons, hours. */
static void
add_traffic_lists(struct merged *m, const json_t *doc)
{
	const json_t		*o = json_object_get(doc, "traffic");
	const json_t		*a = arr(o, "hours"), *e;
	struct traffic_hour	*h;
	const char		*start;
	size_t			 i, ix;
	int			 isnew;

	add_tlist(m, &m->senders, arr(o, "top_senders"),
	    arr(o, "top_senders_by_size"), "messages", cnt(m, o, "senders"));
	add_tlist(m, &m->rcpts, arr(o, "top_recipients"),
	    arr(o, "top_recipients_by_size"), "deliveries",
	    cnt(m, o, "recipients"));
	add_by_cause(m, doc, json_object_get(o, "defer_reasons"),
	    m->why_defer);
	add_by_cause(m, doc, json_object_get(o, "bounce_reasons"),
	    m->why_bounce);
	add_by_cause(m, doc, json_object_get(o, "reject_reasons"),
	    m->why_reject);
	EACH(i, a) {
		e = json_array_get(a, i);
		start = jstr(e, "start") ? jstr(e, "start") : "";
		m->thours = grow(m->thours, &m->capthours, m->r.traffic.nhours,
		    sizeof(*m->thours));
		ix = smap_get(&m->thouridx, start, m->r.traffic.nhours,
		    &isnew);
		if (isnew)
			m->thours[m->r.traffic.nhours++].start =
			    parse_stamp(jstr(e, "start"));
		h = &m->thours[ix];
		ADD(m, &h->received, e, "received");
		ADD(m, &h->delivered, e, "delivered");
		ADD(m, &h->deferred, e, "deferred");
		ADD(m, &h->bounced, e, "bounced");
		ADD(m, &h->rejected, e, "rejected");
	}
}

static void
add_input(struct merged *m, const json_t *in)
{
	struct result	*r = &m->r;
	const json_t	*a = arr(in, "files"), *b = arr(in, "errors"), *e;
	size_t		 i;

	r->files = xrealloc(r->files, (r->nfiles + json_array_size(a) + 1) *
	    sizeof(*r->files));
	EACH(i, a) {
		e = json_array_get(a, i);
		r->files[r->nfiles++] = (struct file_row){ jstr(e, "path"),
		    jstr(e, "format"), cnt(m, e, "bytes"), cnt(m, e, "lines"),
		    jstr(e, "layout"), cnt(m, e, "recognised") };
	}
	r->errors = xrealloc(r->errors, (r->nerrors + json_array_size(b) + 1) *
	    sizeof(*r->errors));
	EACH(i, b)
		r->errors[r->nerrors++] = (struct error_row){
		    jstr(json_array_get(b, i), "path"),
		    jstr(json_array_get(b, i), "error") };
	b = arr(in, "warnings");
	r->warnings = xrealloc(r->warnings, (r->nwarnings +
	    json_array_size(b) + 1) * sizeof(*r->warnings));
	EACH(i, b)
		r->warnings[r->nwarnings++] = (struct error_row){
		    jstr(json_array_get(b, i), "path"),
		    jstr(json_array_get(b, i), "warning") };
	ADD(m, &r->bytes, in, "bytes");
	ADD(m, &r->lines, in, "lines");
	ADD(m, &r->error_lines, in, "error_lines");
	ADD(m, &r->unparsed_lines, in, "unparsed_lines");
	ADD(m, &r->overlong_lines, in, "overlong_lines");
}

/* Fired alerts are episodes, not counts: each report's are appended. */
static void
add_alerts(struct merged *m, const json_t *a)
{
	struct result	*r = &m->r;
	const json_t	*o;
	size_t		 i;

	r->alerts = xrealloc(r->alerts, (r->nalerts + json_array_size(a) +
	    1) * sizeof(*r->alerts));
	EACH(i, a) {
		o = json_array_get(a, i);
		r->alerts[r->nalerts++] = (struct alert_row){
		    jstr(o, "rule") ? jstr(o, "rule") : "",
		    jstr(o, "severity") ? jstr(o, "severity") : "",
		    jstr(o, "by"),
		    jstr(o, "key") ? jstr(o, "key") : "",
		    jstr(o, "window") ? jstr(o, "window") : "",
		    cnt(m, o, "value"), cnt(m, o, "threshold"),
		    cnt(m, o, "events"), parse_stamp(jstr(o, "first")),
		    parse_stamp(jstr(o, "last")),
		    json_is_true(json_object_get(o, "firing")) };
	}
}

/*
 * What a report lists fewer of than it counts: n - listed, or 0. Its
 * "(other)" row (--max-keys) is no key, and the count leaves it out.
 */
static uint64_t
unlisted(struct merged *m, const json_t *tot, const char *key,
    const json_t *list, const char *label)
{
	uint64_t	 n = cnt(m, tot, key);
	size_t		 i, listed = 0;
	const char	*name;

	EACH(i, list) {
		name = jstr(json_array_get(list, i), label);
		listed += name == NULL || strcmp(name, "(other)") != 0;
	}
	return n > listed ? n - listed : 0;
}

static void
add_doc(struct merged *m, const json_t *doc)
{
	struct result	*r = &m->r;
	const json_t	*tot = json_object_get(doc, "totals");
	const json_t	*per = json_object_get(doc, "period");
	int64_t		 t;

	add_input(m, json_object_get(doc, "input"));
	t = parse_stamp(jstr(per, "first"));
	if (t != T_NONE && (r->first == T_NONE || t < r->first))
		r->first = t;
	t = parse_stamp(jstr(per, "last"));
	if (t != T_NONE && (r->last == T_NONE || t > r->last))
		r->last = t;
	ADD(m, &r->events, tot, "events");
	ADD(m, &r->folded_users, tot, "folded_users");
	ADD(m, &r->folded_hosts, tot, "folded_hosts");
	ADD(m, &r->folded_hours, tot, "folded_hours");
	ADD(m, &r->folded_codes, tot, "folded_codes");
	ADD(m, &r->folded_pop3, tot, "folded_pop3");
	ADD(m, &r->folded_unclassified, tot, "folded_unclassified");
	ADD(m, &r->join_unresolved, tot, "join_unresolved");
	ADD(m, &r->join_dropped, tot, "join_dropped");
	ADD(m, &r->join_evicted, tot, "join_evicted");
	ADD(m, &r->join_paired, tot, "join_paired");
	if (cnt(m, tot, "max_keys") > r->max_keys)
		r->max_keys = cnt(m, tot, "max_keys");
	if (unlisted(m, tot, "users", arr(doc, "users"), "user") > 0 ||
	    cnt(m, tot, "folded_users") > 0) {
		m->partial = 1;
		sum(m, &m->extra_users, unlisted(m, tot, "users",
		    arr(doc, "users"), "user"), "users");
	}
	sum(m, &m->extra_hosts, unlisted(m, tot, "hosts", arr(doc, "hosts"),
	    "host"), "hosts");
	add_traffic(m, &r->traffic, json_object_get(doc, "traffic"));
	add_traffic_lists(m, doc);
	add_causes(m, doc);
	add_codes(m, doc);
	add_space(m, doc);
	add_locks(m, doc);
	add_templates(m, doc);
	add_entities(m, doc, arr(doc, "users"), "user", &m->users);
	add_entities(m, doc, arr(doc, "hosts"), "host", &m->hosts);
	add_entities(m, doc, arr(doc, "timeline"), NULL, &m->hours);
	add_entities(m, doc, arr(doc, "clients"), "client", &m->clients);
	add_entities(m, doc, arr(doc, "remotes"), "remote", &m->remotes);
	ADD(m, &r->folded_clients, tot, "folded_clients");
	ADD(m, &r->folded_remotes, tot, "folded_remotes");
	sum(m, &m->extra_clients, unlisted(m, tot, "clients",
	    arr(doc, "clients"), "client"), "clients");
	sum(m, &m->extra_remotes, unlisted(m, tot, "remotes",
	    arr(doc, "remotes"), "remote"), "remotes");
	add_alerts(m, arr(doc, "alerts"));
}

/* qsort, but never with a NULL base (empty arrays are NULL here). */
static void
sort_rows(void *v, size_t n, size_t size, int (*cmp)(const void *,
    const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

/* A report's row of folded keys (--max-keys): its name, nothing else. */
static int
is_other(const char *name)
{
	return strcmp(name, "(other)") == 0;
}

/* Users, hosts, clients, remotes: count, then name, "(other)" last. */
static int
cmp_mrow(const void *x, const void *y)
{
	const struct mrow *a = x, *b = y;

	return order_count_other(a->events, a->name, is_other(a->name),
	    b->events, b->name, is_other(b->name));
}

static int
cmp_hour(const void *x, const void *y)
{
	const struct mrow *a = x, *b = y;

	return order_time(a->start, b->start);
}

static int
cmp_top(const void *x, const void *y)
{
	const struct user_count *a = x, *b = y;

	return order_count_name(a->n, a->user, b->n, b->user);
}

/* As agg's code key: code, enhanced, response, protocol, cause. */
static int
cmp_code(const void *x, const void *y)
{
	const struct code_row *a = x, *b = y;
	int	 c;

	if ((c = order_count(a->events, b->events)) != 0 ||
	    (c = strncmp(a->code, b->code, sizeof(a->code))) != 0 ||
	    (c = strncmp(a->enh, b->enh, sizeof(a->enh))) != 0 ||
	    (c = strncmp(a->resp, b->resp, sizeof(a->resp))) != 0)
		return c;
	if (a->proto != b->proto)
		return a->proto - b->proto;
	return order_cause(a->cause, b->cause);
}

static int
cmp_reply(const void *x, const void *y)
{
	const struct reply_row *a = x, *b = y;
	int	 c;

	if ((c = order_count_name(a->events, a->reply, b->events,
	    b->reply)) != 0)
		return c;
	return order_cause(a->cause, b->cause);
}

static int
cmp_tmpl(const void *x, const void *y)
{
	const struct tmpl_row *a = x, *b = y;

	return order_count_name(a->events, a->tmpl, b->events, b->tmpl);
}

/* As traffic.c's result: count descending, then address. */
static int
cmp_traffic_n(const void *x, const void *y)
{
	const struct traffic_row *a = x, *b = y;

	return order_count_name(a->n, a->name, b->n, b->name);
}

/* Bytes descending, then as cmp_traffic_n. */
static int
cmp_traffic_bytes(const void *x, const void *y)
{
	const struct traffic_row *a = x, *b = y;
	int	 c = order_count(a->bytes, b->bytes);

	return c != 0 ? c : cmp_traffic_n(x, y);
}

static int
cmp_thour(const void *x, const void *y)
{
	const struct traffic_hour *a = x, *b = y;

	return order_time(a->start, b->start);
}

/*
 * The top lists of tl, top rows each, by count into *byn and by size
 * into *bysize. Distinct addresses: counted from the union when every
 * report listed all of its own, else left as the reports' sum (an
 * upper bound, as are the domain counts, which no list carries).
 */
static void
tlist_rows(struct tlist *tl, size_t top, struct traffic_row **byn,
    size_t *nbyn, struct traffic_row **bysize, size_t *nbysize,
    uint64_t *distinct)
{
	size_t	 n = tl->n < top ? tl->n : top;

	if (!tl->partial)
		*distinct = tl->n;
	tl->bysize = xcalloc(tl->n + 1, sizeof(*tl->bysize));
	if (tl->n > 0)
		memcpy(tl->bysize, tl->v, tl->n * sizeof(*tl->v));
	sort_rows(tl->v, tl->n, sizeof(*tl->v), cmp_traffic_n);
	sort_rows(tl->bysize, tl->n, sizeof(*tl->v), cmp_traffic_bytes);
	*byn = tl->v;
	*nbyn = n;
	*bysize = tl->bysize;
	*nbysize = n;
}

/* The traffic lists, top rows each (0 = 10, as traffic_result). */
static void
build_traffic(struct merged *m, size_t top)
{
	struct traffic	*t = &m->r.traffic;

	top = top ? top : 10;
	tlist_rows(&m->senders, top, &t->top_senders, &t->ntop_senders,
	    &t->top_senders_size, &t->ntop_senders_size, &t->senders);
	tlist_rows(&m->rcpts, top, &t->top_recipients, &t->ntop_recipients,
	    &t->top_recipients_size, &t->ntop_recipients_size,
	    &t->recipients);
	m->reasons = xcalloc(3 * CAUSE_MAX, sizeof(*m->reasons));
	t->defer_reasons = m->reasons;
	t->ndefer_reasons = agg_reason_rows(m->why_defer, t->defer_reasons);
	t->bounce_reasons = m->reasons + CAUSE_MAX;
	t->nbounce_reasons = agg_reason_rows(m->why_bounce, t->bounce_reasons);
	t->reject_reasons = m->reasons + 2 * CAUSE_MAX;
	t->nreject_reasons = agg_reason_rows(m->why_reject, t->reject_reasons);
	sort_rows(m->thours, t->nhours, sizeof(*m->thours), cmp_thour);
	t->hours = m->thours;
}

/* The rows of rs that are keys: all but a "(other)" row. */
static size_t
rows_named(const struct rows *rs)
{
	return rs->n - (keytab_find(&rs->idx, "(other)", 7) != NULL);
}

/* One entity_row per merged row, by_cause pointing into the row. */
static struct entity_row *
entity_rows(struct rows *rs, int hours)
{
	struct entity_row	*v = xcalloc(rs->n + 1, sizeof(*v));
	size_t			 i;

	sort_rows(rs->v, rs->n, sizeof(*rs->v), hours ? cmp_hour : cmp_mrow);
	for (i = 0; i < rs->n; i++) {
		v[i].name = hours ? NULL : rs->v[i].name;
		v[i].start = hours ? rs->v[i].start : 0;
		v[i].events = rs->v[i].events;
		v[i].by_cause = rs->v[i].by;
	}
	return v;
}

/* One where_row per merged row, as entity_rows. */
static struct where_row *
where_rows(struct rows *rs)
{
	struct where_row	*v = xcalloc(rs->n + 1, sizeof(*v));
	size_t			 i;

	sort_rows(rs->v, rs->n, sizeof(*rs->v), cmp_mrow);
	for (i = 0; i < rs->n; i++) {
		v[i].name = rs->v[i].name;
		v[i].events = rs->v[i].events;
		v[i].by_cause = rs->v[i].by;
		v[i].note = rs->v[i].note;
		v[i].reply = rs->v[i].reply;
		v[i].urgent = rs->v[i].urgent;
	}
	return v;
}

static int
cmp_key_count(const void *x, const void *y)
{
	const struct key_count *a = x, *b = y;

	return order_count_name(a->n, a->key, b->n, b->key);
}

/*
 * Clients and remotes from the merged rows, as agg_result makes them:
 * exact when every report listed all of its own (no --top).
 */
static void
build_where(struct merged *m, size_t top)
{
	struct result	*r = &m->r;
	struct mcause	*mc;
	struct cause_where *row;
	size_t		 i, j, k, per = top ? top : 10;
	int		 c;

	r->clients = where_rows(&m->clients);
	r->nclients = rows_named(&m->clients) + m->extra_clients;
	r->nclients_shown = top && top < m->clients.n ? top : m->clients.n;
	r->remotes = where_rows(&m->remotes);
	r->nremotes = rows_named(&m->remotes) + m->extra_remotes;
	r->nremotes_shown = top && top < m->remotes.n ? top : m->remotes.n;
	for (i = 0; i < m->remotes.n; i++) {
		r->remote_events += r->remotes[i].events;
		r->urgent_events += r->remotes[i].urgent;
	}
	r->where = xcalloc((size_t)cause_count() + 1, sizeof(*r->where));
	for (i = 0; i < r->ncauses; i++) {
		c = r->causes[i].cause;
		row = &r->where[c];
		mc = &m->causes[c];
		memcpy(row->dir, mc->dir, sizeof(row->dir));
		for (j = 0; j < DIR_COUNT; j++)
			r->dir[j] += row->dir[j];
		sort_rows(mc->detail, mc->ndetail, sizeof(*mc->detail),
		    cmp_key_count);
		row->detail = mc->detail;
		row->ndetail = mc->ndetail;
		mc->remotes = xcalloc(m->remotes.n + 1, sizeof(*mc->remotes));
		for (j = k = 0; j < m->remotes.n; j++)	/* (other): no key */
			if (r->remotes[j].by_cause[c] > 0 &&
			    !is_other(r->remotes[j].name))
				mc->remotes[k++] = (struct key_count){
				    r->remotes[j].name,
				    r->remotes[j].by_cause[c], NULL };
		sort_rows(mc->remotes, k, sizeof(*mc->remotes), cmp_key_count);
		row->top_remotes = mc->remotes;
		row->ntop_remotes = k < per ? k : per;
	}
	result_clients(r, m->clients.n, top, &m->wmem);
}

/*
 * Top users and distinct users of cause c: recounted from the merged
 * users when every report listed all of them, else the summed lists.
 */
static void
cause_users(struct merged *m, int c, struct cause_row *row, size_t top)
{
	struct mcause	*mc = &m->causes[c];
	size_t		 i;

	if (m->partial) {
		sort_rows(mc->top, mc->ntop, sizeof(*mc->top), cmp_top);
		row->users = mc->users;
		row->top = mc->top;
		row->ntop = mc->ntop < top ? mc->ntop : top;
		return;
	}
	mc->top = xrealloc(mc->top, (m->users.n + 1) * sizeof(*mc->top));
	mc->ntop = 0;
	for (i = 0; i < m->users.n; i++)
		if (m->users.v[i].by[c] != 0)
			mc->top[mc->ntop++] = (struct user_count){
			    m->users.v[i].name, m->users.v[i].by[c] };
	sort_rows(mc->top, mc->ntop, sizeof(*mc->top), cmp_top);
	row->users = mc->ntop;
	row->top = mc->top;
	row->ntop = mc->ntop < top ? mc->ntop : top;
}

static void
build(struct merged *m, size_t top)
{
	struct result	*r = &m->r;
	int		 c, nc = cause_count();

	r->top = top;
	r->users = entity_rows(&m->users, 0);
	r->nusers = rows_named(&m->users) + m->extra_users;
	r->nusers_shown = top && top < m->users.n ? top : m->users.n;
	r->hosts = entity_rows(&m->hosts, 0);
	r->nhosts = rows_named(&m->hosts) + m->extra_hosts;
	r->nhosts_shown = top && top < m->hosts.n ? top : m->hosts.n;
	r->hours = entity_rows(&m->hours, 1);
	r->nhours = m->hours.n;
	r->causes = xcalloc((size_t)nc + 1, sizeof(*r->causes));
	for (c = 0; c < nc; c++) {
		struct cause_row *row;
		if (m->causes[c].events == 0)
			continue;
		row = &r->causes[r->ncauses++];
		row->cause = c;
		row->events = m->causes[c].events;
		cause_users(m, c, row, top ? top : 10);
	}
	sort_rows(r->causes, r->ncauses, sizeof(*r->causes), result_cmp_cause);
	build_where(m, top);
	sort_rows(r->codes, r->ncodes, sizeof(*r->codes), cmp_code);
	sort_rows(r->pop3, r->npop3, sizeof(*r->pop3), cmp_reply);
	sort_rows(r->unclassified, r->nunclassified, sizeof(*r->unclassified),
	    cmp_tmpl);
	space_sort(r->space, r->nspace);
	locks_sort(r->locks, r->nlocks, r->lock_pairs, r->nlock_pairs);
	r->nlocks_all = r->nlocks + m->extra_locks;
	build_traffic(m, top);
}

/*
 * Reads path with libjansson: one object or array, duplicate member
 * names refused, no NUL inside a string (names in mxtally's reports
 * never hold one). An error names the file and the line, column and
 * byte offset where the parser stopped.
 */
static json_t *
merge_load(const char *path)
{
	json_error_t	 je;
	json_t		*doc;
	FILE		*f;

	if ((f = fopen(path, "re")) == NULL) {
		log_error("'%s': cannot open: %s", path, strerror(errno));
		return NULL;
	}
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	if (ferror(f)) {
		log_error("'%s': cannot read: %s", path, strerror(errno));
		json_decref(doc);
		doc = NULL;
	} else if (doc == NULL)
		log_error("'%s': line %d, column %d (byte %d): %s", path,
		    je.line, je.column, je.position, je.text);
	fclose(f);
	return doc;
}

struct result *
merge_reports(char *const *paths, size_t n, size_t top)
{
	struct merged	*m = xcalloc(1, sizeof(*m));
	json_t		*doc;
	const char	*schema;
	size_t		 i;

	m->r.first = m->r.last = T_NONE;
	m->r.release = merge_release;
	m->docs = xcalloc(n + 1, sizeof(*m->docs));
	for (i = 0; i < n; i++) {
		if ((doc = merge_load(paths[i])) == NULL)
			goto fail;
		m->docs[m->ndocs++] = doc;
		schema = jstr(doc, "schema");
		if (schema == NULL || strcmp(schema, "mxtally/1") != 0) {
			log_error("'%s': not an mxtally/1 report", paths[i]);
			goto fail;
		}
		m->path = paths[i];
		add_doc(m, doc);
		if (m->failed)
			goto fail;
	}
	build(m, top);
	return &m->r;
fail:
	result_free(&m->r);
	return NULL;
}

static void
rows_release(struct rows *rs)
{
	free(rs->v);
	keytab_release(&rs->idx);
}

/* The merge's own memory, as result_free's last step. */
static void
merge_release(struct result *r)
{
	struct merged	*m = (struct merged *)r;
	size_t		 i;

	for (i = 0; i < CAUSE_MAX; i++) {
		free(m->causes[i].top);
		keytab_release(&m->causes[i].tidx);
		free(m->causes[i].detail);
		keytab_release(&m->causes[i].didx);
		free(m->causes[i].remotes);
	}
	rows_release(&m->users);
	rows_release(&m->hosts);
	rows_release(&m->hours);
	rows_release(&m->clients);
	rows_release(&m->remotes);
	result_clients_free(m->wmem);
	keytab_release(&m->codeidx);
	keytab_release(&m->pop3idx);
	keytab_release(&m->anidx);
	keytab_release(&m->spaceidx);
	keytab_release(&m->lockidx);
	free(r->space);
	free(r->locks);
	free(r->lock_pairs);
	free(m->senders.v);
	free(m->senders.bysize);
	keytab_release(&m->senders.idx);
	free(m->rcpts.v);
	free(m->rcpts.bysize);
	keytab_release(&m->rcpts.idx);
	free(m->thours);
	keytab_release(&m->thouridx);
	free(m->reasons);
	for (i = 0; i < m->nowned; i++)
		free(m->owned[i]);
	free(m->owned);
	free(r->causes);
	free(r->codes);
	free(r->pop3);
	free(r->unclassified);
	free(r->users);
	free(r->hosts);
	free(r->hours);
	free(r->clients);
	free(r->remotes);
	free(r->where);
	for (i = 0; i < m->ndocs; i++)
		json_decref(m->docs[i]);
	free(m->docs);
	free(m);
}
