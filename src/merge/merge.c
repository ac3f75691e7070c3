/*
 * `mxtally merge`: reads JSON reports (schema mxtally/1) written by many
 * servers or on many nights and rebuilds one struct result from them, so
 * that every report writer can print the combination. This file is the
 * reader: every row of a report's tables (users, hosts, hours, codes,
 * replies, templates, clients, remotes, details, traffic lists and
 * hours, free space) goes into an agg through its cold path
 * (agg_add_row), and agg_result makes the result with the scan's own
 * code: the same keys, sums, sort, --top cuts and "(other)" rows. So
 * merging a single report gives it back unchanged, "(other)" rows of
 * --max-keys where it had them, and merging reports of disjoint inputs
 * gives what one run over all the inputs gives.
 *
 * What a report cannot give back exactly is settled in build(): keys a
 * report did not list (--top, or folded into "(other)") count as many
 * as it said, an upper bound when several reports leave some out; with
 * users left out, a cause's users are summed and its top users are the
 * reports' summed top lists. A merged top list of senders or
 * recipients is exact only when each report's list was complete, since
 * a report lists its top N only. Distinct senders and recipients are
 * counted from the lists when every report listed all of its own, else
 * summed; sender and recipient domains and deferred messages (distinct
 * queue ids) are always summed: these sums are upper bounds. Lock
 * contention goes to the agg as listed sessions, pairs and counts
 * (agg_add_lock_*), which agg_result joins as it joins a scan's; fired
 * alerts are appended.
 *
 * Owns the parsed documents, the aggs and agg_result's results: every
 * string in the result points into them or into the merge's own
 * allocations, all freed by result_free (which calls merge_release).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/event.h"
#include "mxtally/keytab.h"
#include "mxtally/log.h"
#include "mxtally/merge.h"
#include "mxtally/parse.h"

/*
 * The traffic lists of one kind (senders or recipients): their distinct
 * count, summed, and whether a report listed fewer than it counted.
 */
struct tdist {
	uint64_t	 sum;
	int		 partial;
};

struct merged {
	struct result	 r;		/* first: merge_release casts back */
	struct agg	*agg;		/* every report's rows */
	struct agg	*tops;		/* the causes' top_users lists */
	struct result	*ares, *tres;	/* agg_result of agg and of tops */
	json_t		**docs;
	size_t		 ndocs;
	const char	*path;		/* the report being added */
	int		 failed;	/* its first error was said */
	uint64_t	 pos;		/* rows added: the first example wins */
	int		 partial;	/* a report lists only some users */
	uint64_t	 extra_users, extra_hosts, extra_clients, extra_remotes;
	uint64_t	 client_events, remote_events, urgent_events; /* summed */
	uint64_t	 cause_users[CAUSE_MAX];	/* summed "users" */
	struct tdist	 senders, rcpts;
	uint64_t	 sender_domains, recipient_domains, deferred;
};

static void	merge_release(struct result *r);

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

/* A report's row of folded keys (--max-keys): its name, nothing else. */
static int
is_other(const char *name)
{
	return strcmp(name, "(other)") == 0;
}

/* row into the agg a (m's agg or its tops), in reading order. */
static void
put(struct merged *m, struct agg *a, struct agg_row *row, const char *what)
{
	row->pos = m->pos++;
	if (agg_add_row(a, row) == -1)
		merge_fail(m, "'%s' adds up past 2^64 - 1", what);
}

/*
 * A remote's MX host and reply as the scan keeps them, "host\treply"
 * (host alone when there is no reply); NULL when neither is given.
 * The caller frees it.
 */
static char *
remote_example(const json_t *e)
{
	const char	*host = jstr(e, "host"), *reply = jstr(e, "reply");
	char		*ex;

	if (reply == NULL)
		return host != NULL ? xstrdup(host) : NULL;
	if (asprintf(&ex, "%s\t%s", host != NULL ? host : "", reply) == -1)
		log_die("out of memory");
	return ex;
}

/*
 * One row of users, hosts, clients, remotes or timeline (label NULL):
 * a table row per cause, its "(other)" row into the table's remainder;
 * a client's name and a remote's host and reply as the example, a
 * remote's urgent count on its first cause. Its events must be the sum
 * of its causes, as the report writes them.
 */
static void
add_entity(struct merged *m, const json_t *doc, const json_t *e,
    enum agg_table t, const char *label)
{
	const char	*name = jstr(e, label != NULL ? label : "start"), *key;
	struct agg_row	 row = { .table = t };
	uint64_t	 events = cnt(m, e, "events"), sumc = 0;
	uint64_t	 urgent = cnt(m, e, "urgent");
	char		*ex = NULL;
	json_t		*v;
	int		 c;

	if (label == NULL)
		row.start = parse_stamp(name);
	else if (name == NULL)
		return;
	else if (!is_other(name)) {
		row.name = name;
		ex = t == AGG_REMOTES ? remote_example(e) : NULL;
		row.ex = t == AGG_CLIENTS ? jstr(e, "name") : ex;
	}
	json_object_foreach(json_object_get(e, "causes"), key, v) {
		if ((c = cause_of(doc, key)) == CAUSE_NONE ||
		    (row.n = count_of(m, v, key)) == 0)
			continue;
		row.cause = c;
		put(m, m->agg, &row, key);
		sum(m, &sumc, row.n, key);
		if (urgent > 0 && row.name != NULL) {
			put(m, m->agg, &(struct agg_row){ .table = AGG_URGENT,
			    .name = name, .cause = c, .n = urgent,
			    .ex = jstr(e, "reply") }, "urgent");
			urgent = 0;
		}
	}
	free(ex);
	if (sumc != events)
		merge_fail(m, "'%s': causes add up to %ju, not to its %ju "
		    "events", name != NULL ? name : "(no start)",
		    (uintmax_t)sumc, (uintmax_t)events);
}

static void
add_entities(struct merged *m, const json_t *doc, const json_t *a,
    enum agg_table t, const char *label)
{
	size_t	 i;

	EACH(i, a)
		add_entity(m, doc, json_array_get(a, i), t, label);
}

/* The [name, count] pairs of a cause's top list a into m's tops. */
static void
add_top(struct merged *m, struct agg_row *row, enum agg_table t,
    const json_t *a, const char *what)
{
	size_t	 i;

	row->table = t;
	EACH(i, a)
		if ((row->name = pair(m, json_array_get(a, i), &row->n,
		    what)) != NULL)
			put(m, m->tops, row, what);
}

/*
 * A cause: its events and direction; its users, summed, and its top
 * users, clients and remotes into m's tops (used when a report lists
 * only some of them); its details with their examples.
 */
static void
add_cause(struct merged *m, int c, const json_t *o)
{
	const json_t	*dir = json_object_get(o, "direction");
	const json_t	*top = arr(o, "top_users"), *det = arr(o, "detail");
	const json_t	*ex = json_object_get(o, "detail_examples");
	struct agg_row	 row = { .cause = c };
	uint64_t	 n = cnt(m, o, "events"), by[DIR_COUNT] = { 0 };
	size_t		 i;
	int		 d;

	for (d = DIR_TO_CLIENT; d < DIR_COUNT; d++)
		by[d] = cnt(m, dir, dir_name(d));
	if (agg_add_cause(m->agg, c, n, by) == -1 ||
	    agg_add_cause(m->tops, c, n, NULL) == -1)
		merge_fail(m, "'%s' adds up past 2^64 - 1", "events");
	sum(m, &m->cause_users[c], cnt(m, o, "users"), "users");
	add_top(m, &row, AGG_USERS, top, "top_users");
	add_top(m, &row, AGG_CLIENTS, arr(o, "top_clients"), "top_clients");
	add_top(m, &row, AGG_REMOTES, arr(o, "top_remotes"), "top_remotes");
	row.table = AGG_DETAILS;
	EACH(i, det)
		if ((row.name = pair(m, json_array_get(det, i), &row.n,
		    "detail")) != NULL) {
			row.ex = jstr(ex, row.name);
			put(m, m->agg, &row, "detail");
		}
}

static void
add_causes(struct merged *m, const json_t *doc)
{
	json_t		*cs = json_object_get(doc, "causes"), *v;
	const char	*key;
	int		 c;

	json_object_foreach(cs, key, v)
		if ((c = cause_of(doc, key)) != CAUSE_NONE)
			add_cause(m, c, v);
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

/* The cause a codes or pop3 row names; CAUSE_NONE fails the merge. */
static int
row_cause(struct merged *m, const json_t *doc, const json_t *e,
    const char *what)
{
	int	 c = cause_of(doc, jstr(e, "cause"));

	if (c == CAUSE_NONE)
		merge_fail(m, "a row of '%s' names no cause", what);
	return c;
}

static void
add_codes(struct merged *m, const json_t *doc)
{
	const json_t	*a = arr(doc, "codes"), *e;
	struct code_row	 code;
	struct agg_row	 row = { .table = AGG_CODES, .code = &code };
	size_t		 i;

	EACH(i, a) {
		e = json_array_get(a, i);
		memset(&code, 0, sizeof(code));
		code.proto = proto_of(jstr(e, "protocol"));
		copy_field(code.code, sizeof(code.code), jstr(e, "code"));
		copy_field(code.enh, sizeof(code.enh), jstr(e, "enhanced"));
		copy_field(code.resp, sizeof(code.resp), jstr(e, "response"));
		if ((row.cause = row_cause(m, doc, e, "codes")) == CAUSE_NONE)
			return;
		row.n = cnt(m, e, "events");
		put(m, m->agg, &row, "events");
	}
}

/* "capacity": figures of one host and store add up (space_fig_add). */
static void
add_space(struct merged *m, const json_t *doc)
{
	const json_t	*a = arr(doc, "capacity"), *e;
	struct space_fig f;
	const char	*host, *store;
	size_t		 i;
	int		 kind;

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
		agg_add_space(m->agg, kind, is_other(host) ? NULL : host, &f);
	}
}
/*
 * "lock_contention": its counts, its listed refused sessions and its
 * pairs go to the agg, whose result lists them with the scan's rules
 * (pairs of one user, client and holder add up, sessions latest first).
 */
static void
add_locks(struct merged *m, const json_t *doc)
{
	const json_t		*o = json_object_get(doc, "lock_contention");
	const json_t		*a, *e;
	struct lock_counts	 c = { 0 };
	struct lock_pair	 p;
	size_t			 i;

	if (o == NULL)
		return;
	c.held = cnt(m, o, "holder_found");
	c.dropped = cnt(m, o, "dropped");
	c.imap = cnt(m, o, "imap_refused_sessions");
	a = arr(o, "sessions");
	c.refused = cnt(m, o, "refused_sessions");
	c.refused = c.refused > json_array_size(a) ?
	    c.refused - json_array_size(a) : 0;	/* the ones not listed */
	if (agg_add_lock_counts(m->agg, &c) == -1)
		merge_fail(m, "'lock_contention' adds up past 2^64 - 1");
	EACH(i, a) {
		e = json_array_get(a, i);
		agg_add_lock_row(m->agg, &(struct lock_row){
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
		    strcmp(jstr(e, "protocol"), "imap") == 0 });
	}
	a = arr(o, "pairs");
	EACH(i, a) {
		e = json_array_get(a, i);
		p = (struct lock_pair){ .user = jstr(e, "user"),
		    .client = jstr(e, "client"),
		    .holder = jstr(e, "holder_client"),
		    .holder_user = jstr(e, "holder_user"),
		    .events = cnt(m, e, "events"),
		    .imap = jstr(e, "protocol") != NULL &&
		    strcmp(jstr(e, "protocol"), "imap") == 0 };
		if (p.user == NULL || p.client == NULL || p.holder == NULL)
			continue;
		if (agg_add_lock_pair(m->agg, &p) == -1)
			merge_fail(m, "'events' of lock pairs add up past "
			    "2^64 - 1");
	}
}

/* POP3 reply templates, and unclassified templates with an example. */
static void
add_templates(struct merged *m, const json_t *doc)
{
	const json_t	*a = arr(doc, "pop3"), *e;
	struct agg_row	 row = { .table = AGG_POP3 };
	size_t		 i;

	EACH(i, a) {
		e = json_array_get(a, i);
		if ((row.name = jstr(e, "reply")) == NULL)
			continue;
		if ((row.cause = row_cause(m, doc, e, "pop3")) == CAUSE_NONE)
			return;
		row.n = cnt(m, e, "events");
		put(m, m->agg, &row, "events");
	}
	a = arr(doc, "unclassified");
	row = (struct agg_row){ .table = AGG_UNCL };
	EACH(i, a) {
		e = json_array_get(a, i);
		if ((row.name = jstr(e, "template")) == NULL)
			continue;
		row.name = is_other(row.name) ? NULL : row.name;
		row.ex = jstr(e, "example");
		row.n = cnt(m, e, "events");
		put(m, m->agg, &row, "events");
	}
}

static void
add_logins(struct merged *m, struct login_counts *l, const json_t *o)
{
	l->ok = cnt(m, o, "ok");
	l->failed = cnt(m, o, "failed");
}

/* The reasons of object o ({cause: count}) as rows at v (CAUSE_MAX). */
static size_t
read_reasons(struct merged *m, const json_t *doc, json_t *o,
    struct reason_row *v)
{
	const char	*key;
	json_t		*n;
	size_t		 k = 0;
	int		 c;

	json_object_foreach(o, key, n)
		if ((c = cause_of(doc, key)) != CAUSE_NONE && k < CAUSE_MAX)
			v[k++] = (struct reason_row){ c, count_of(m, n, key) };
	return k;
}

/* The traffic section's hours as rows (the caller frees them). */
static struct traffic_hour *
read_hours(struct merged *m, const json_t *a, size_t *n)
{
	struct traffic_hour	*h = xcalloc(json_array_size(a) + 1,
				    sizeof(*h));
	const json_t		*e;
	size_t			 i;

	EACH(i, a) {
		e = json_array_get(a, i);
		h[i] = (struct traffic_hour){
		    .start = parse_stamp(jstr(e, "start")),
		    .received = cnt(m, e, "received"),
		    .delivered = cnt(m, e, "delivered"),
		    .deferred = cnt(m, e, "deferred"),
		    .bounced = cnt(m, e, "bounced"),
		    .rejected = cnt(m, e, "rejected") };
	}
	*n = json_array_size(a);
	return h;
}

/*
 * The counts of traffic section o, its reasons and its hours; its
 * distinct counts are summed apart (upper bounds, see build).
 */
static void
add_traffic(struct merged *m, const json_t *doc, const json_t *o)
{
	const json_t	*lg = json_object_get(o, "logins");
	const json_t	*cf = arr(o, "counted_from");
	struct reason_row why[3][CAUSE_MAX];
	struct traffic	 t = { 0 };
	const char	*name, *s;
	size_t		 i;
	int		 f;

	EACH(i, cf)
		for (f = 1; f < 32 &&
		    (s = json_string_value(json_array_get(cf, i))) != NULL; f++)
			if ((name = parse_family_name(f)) != NULL &&
			    strcmp(name, s) == 0)
				t.counted_from |= UINT32_C(1) << f;
	t.received = cnt(m, o, "received");
	t.delivered = cnt(m, o, "delivered");
	t.forwarded = cnt(m, o, "forwarded");
	t.bounced = cnt(m, o, "bounced");
	t.rejected = cnt(m, o, "rejected");
	t.held = cnt(m, o, "held");
	t.discarded = cnt(m, o, "discarded");
	t.bytes_received = cnt(m, o, "bytes_received");
	t.bytes_delivered = cnt(m, o, "bytes_delivered");
	t.deferrals = cnt(m, o, "deferrals");
	t.reject_warnings = cnt(m, o, "reject_warnings");
	add_logins(m, &t.pop3, json_object_get(lg, "pop3"));
	add_logins(m, &t.imap, json_object_get(lg, "imap"));
	add_logins(m, &t.smtp_auth, json_object_get(lg, "smtp_auth"));
	t.defer_reasons = why[0];
	t.ndefer_reasons = read_reasons(m, doc,
	    json_object_get(o, "defer_reasons"), why[0]);
	t.bounce_reasons = why[1];
	t.nbounce_reasons = read_reasons(m, doc,
	    json_object_get(o, "bounce_reasons"), why[1]);
	t.reject_reasons = why[2];
	t.nreject_reasons = read_reasons(m, doc,
	    json_object_get(o, "reject_reasons"), why[2]);
	t.hours = read_hours(m, arr(o, "hours"), &t.nhours);
	if (agg_add_traffic(m->agg, &t) == -1)
		merge_fail(m, "'%s' adds up past 2^64 - 1", "traffic");
	free(t.hours);
	ADD(m, &m->deferred, o, "deferred");
	ADD(m, &m->sender_domains, o, "sender_domains");
	ADD(m, &m->recipient_domains, o, "recipient_domains");
}

/*
 * Adds one report's top senders (or recipients) to m's agg: lists a (by
 * count) and b (by size) of that report, each address once, its
 * "(other)" row into the folded remainder. The sum is exact only for
 * addresses every report listed: a report lists its top N only, so an
 * address just outside one server's top N is missing from the sum (as
 * users are with --top). distinct: the report's count of distinct
 * addresses; when it lists fewer, td is partial.
 */
static void
add_tlist(struct merged *m, struct tdist *td, enum agg_table t,
    const json_t *a, const json_t *b, const char *what, uint64_t distinct)
{
	const json_t	*lists[2] = { a, b }, *e;
	struct keytab	 seen = { 0 };
	struct agg_row	 row = { .table = t };
	const char	*addr;
	size_t		 i, k, named = 0;
	int		 isnew;

	for (k = 0; k < 2; k++)
		EACH(i, lists[k]) {
			e = json_array_get(lists[k], i);
			if ((addr = jstr(e, "address")) == NULL)
				continue;
			keytab_add(&seen, addr, strlen(addr), &isnew);
			if (!isnew)
				continue;
			row.name = is_other(addr) ? NULL : addr;
			named += row.name != NULL;
			row.n = cnt(m, e, what);
			row.bytes = cnt(m, e, "bytes");
			put(m, m->agg, &row, what);
		}
	if (named < distinct)
		td->partial = 1;
	sum(m, &td->sum, distinct, what);
	keytab_release(&seen);
}

/* The traffic lists of doc: top senders and recipients. */
static void
add_traffic_lists(struct merged *m, const json_t *doc)
{
	const json_t	*o = json_object_get(doc, "traffic");

	add_tlist(m, &m->senders, AGG_SENDERS, arr(o, "top_senders"),
	    arr(o, "top_senders_by_size"), "messages", cnt(m, o, "senders"));
	add_tlist(m, &m->rcpts, AGG_RCPTS, arr(o, "top_recipients"),
	    arr(o, "top_recipients_by_size"), "deliveries",
	    cnt(m, o, "recipients"));
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
	ADD(m, &r->folded_clients, tot, "folded_clients");
	ADD(m, &r->folded_remotes, tot, "folded_remotes");
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
	sum(m, &m->extra_clients, unlisted(m, tot, "clients",
	    arr(doc, "clients"), "client"), "clients");
	sum(m, &m->extra_remotes, unlisted(m, tot, "remotes",
	    arr(doc, "remotes"), "remote"), "remotes");
	ADD(m, &m->client_events, tot, "client_events");
	ADD(m, &m->remote_events, tot, "remote_events");
	ADD(m, &m->urgent_events, tot, "urgent_events");
	add_traffic(m, doc, json_object_get(doc, "traffic"));
	add_traffic_lists(m, doc);
	add_causes(m, doc);
	add_codes(m, doc);
	add_space(m, doc);
	add_locks(m, doc);
	add_templates(m, doc);
	add_entities(m, doc, arr(doc, "users"), AGG_USERS, "user");
	add_entities(m, doc, arr(doc, "hosts"), AGG_HOSTS, "host");
	add_entities(m, doc, arr(doc, "timeline"), AGG_HOURS, NULL);
	add_entities(m, doc, arr(doc, "clients"), AGG_CLIENTS, "client");
	add_entities(m, doc, arr(doc, "remotes"), AGG_REMOTES, "remote");
	add_alerts(m, arr(doc, "alerts"));
}

/*
 * What the reports give whole rather than as rows of a table (their
 * inputs, period, totals, folded and join counts, lock contention and
 * alerts), from w into r.
 */
static void
given_whole(struct result *r, const struct result *w)
{
	r->files = w->files;
	r->nfiles = w->nfiles;
	r->errors = w->errors;
	r->nerrors = w->nerrors;
	r->warnings = w->warnings;
	r->nwarnings = w->nwarnings;
	r->bytes = w->bytes;
	r->lines = w->lines;
	r->error_lines = w->error_lines;
	r->unparsed_lines = w->unparsed_lines;
	r->overlong_lines = w->overlong_lines;
	r->first = w->first;
	r->last = w->last;
	r->events = w->events;
	r->folded_users = w->folded_users;
	r->folded_hosts = w->folded_hosts;
	r->folded_hours = w->folded_hours;
	r->folded_codes = w->folded_codes;
	r->folded_pop3 = w->folded_pop3;
	r->folded_unclassified = w->folded_unclassified;
	r->folded_clients = w->folded_clients;
	r->folded_remotes = w->folded_remotes;
	r->join_unresolved = w->join_unresolved;
	r->join_dropped = w->join_dropped;
	r->join_evicted = w->join_evicted;
	r->join_paired = w->join_paired;
	r->max_keys = w->max_keys;
	r->alerts = w->alerts;
	r->nalerts = w->nalerts;
}

/*
 * The causes' users and top users (when a report left users out), top
 * clients and top remotes (likewise) from the reports' own lists.
 */
static void
cause_tops(struct merged *m)
{
	struct result	*r = &m->r;
	const struct result *t = m->tres;
	struct cause_row *row;
	struct cause_where *w;
	size_t		 i, j;

	for (i = 0; i < r->ncauses; i++) {
		row = &r->causes[i];
		w = &r->where[row->cause];
		for (j = 0; m->partial && j < t->ncauses; j++)
			if (t->causes[j].cause == row->cause)
				break;
		if (m->partial) {
			row->users = m->cause_users[row->cause];
			row->top = j < t->ncauses ? t->causes[j].top : NULL;
			row->ntop = j < t->ncauses ? t->causes[j].ntop : 0;
		}
		if (m->extra_clients > 0) {
			w->top_clients = t->where[row->cause].top_clients;
			w->ntop_clients = t->where[row->cause].ntop_clients;
		}
		if (m->extra_remotes > 0) {
			w->top_remotes = t->where[row->cause].top_remotes;
			w->ntop_remotes = t->where[row->cause].ntop_remotes;
		}
	}
}

/*
 * The result: agg_result over the rows, then what the reports cannot
 * give back exactly. Keys a report did not list (--top, or folded into
 * "(other)") are counted by adding its count of them to the keys
 * listed: an upper bound when several reports leave some out. With
 * users left out, a cause's users are the reports' sum and its top
 * users the summed top lists (agg_result over m->tops), and so are its
 * top clients and remotes when clients or remotes are left out. Distinct
 * senders and recipients are counted from the lists when every report
 * listed all of its own, else summed; sender and recipient domains and
 * deferred messages are always summed: upper bounds. The events that
 * name a client or a remote (and urgent ones) are the reports' totals
 * summed, exact where --top cut the lists, or the listed rows' where
 * those hold more (a report without the totals).
 */
static void
build(struct merged *m, size_t top)
{
	struct result	 whole = m->r, *r = &m->r;

	agg_finish(m->agg);
	agg_finish(m->tops);
	m->ares = agg_result(m->agg, top);
	m->tres = agg_result(m->tops, top);
	*r = *m->ares;
	r->release = merge_release;
	given_whole(r, &whole);
	r->nusers += m->extra_users;
	r->nhosts += m->extra_hosts;
	r->nclients += m->extra_clients;
	r->nremotes += m->extra_remotes;
	if (m->senders.partial)
		r->traffic.senders = m->senders.sum;
	if (m->rcpts.partial)
		r->traffic.recipients = m->rcpts.sum;
	r->traffic.sender_domains = m->sender_domains;
	r->traffic.recipient_domains = m->recipient_domains;
	r->traffic.deferred = m->deferred;
	cause_tops(m);
	/* events with a client, remote, urgent reply: sums, not cut lists */
	r->client_events = r->client_events > m->client_events ?
	    r->client_events : m->client_events;
	r->remote_events = r->remote_events > m->remote_events ?
	    r->remote_events : m->remote_events;
	r->urgent_events = r->urgent_events > m->urgent_events ?
	    r->urgent_events : m->urgent_events;
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
	m->agg = agg_new();
	m->tops = agg_new();
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

/*
 * The merge's own memory, as result_free's last step: agg_result's two
 * results (whose rows r shares), the aggs they point into, the lock
 * rows and keys made here, the documents.
 */
static void
merge_release(struct result *r)
{
	struct merged	*m = (struct merged *)r;
	size_t		 i;

	result_free(m->ares);
	result_free(m->tres);
	agg_free(m->agg);
	agg_free(m->tops);
	for (i = 0; i < m->ndocs; i++)
		json_decref(m->docs[i]);
	free(m->docs);
	free(m);
}
