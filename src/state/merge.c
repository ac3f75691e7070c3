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
 * or into the merge's own allocations, all freed by merge_free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/event.h"
#include "mxtally/hash.h"
#include "mxtally/log.h"
#include "mxtally/parse.h"
#include "mxtally/state.h"
#include "state_int.h"

/* A string-keyed index: key (borrowed) to a row number. */
struct smap {
	const char	**keys;
	size_t		*vals;
	size_t		 cap, len;
};

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
	struct smap	 idx;
};

struct mcause {
	uint64_t	 events, users;
	struct user_count *top;		/* summed top_users, when incomplete */
	size_t		 ntop, cap;
	struct smap	 tidx;
	uint64_t	 dir[DIR_COUNT];
	struct key_count *detail;	/* summed, first example kept */
	size_t		 ndetail, capdetail;
	struct smap	 didx;
	struct key_count *remotes;	/* top_remotes, rebuilt */
};

/*
 * Senders or recipients summed over the reports' top lists (by count
 * and by size, an address in both counted once per report).
 */
struct tlist {
	struct traffic_row *v, *bysize;
	size_t		 n, cap;
	struct smap	 idx;
	int		 partial;	/* a report does not list them all */
};

struct merged {
	struct result	 r;		/* first: merge_free casts back */
	struct json	**docs;
	size_t		 ndocs;
	struct rows	 users, hosts, hours, clients, remotes;
	struct wmem	*wmem;		/* result_clients' */
	struct mcause	 causes[CAUSE_MAX];
	struct smap	 codeidx, pop3idx, anidx;
	size_t		 capcodes, cappop3, capuncl;
	char		**owned;	/* keys built here */
	size_t		 nowned;
	int		 partial;	/* a report lists only some users */
	uint64_t	 extra_users, extra_hosts, extra_clients, extra_remotes;
	struct tlist	 senders, rcpts;
	uint64_t	 why_defer[CAUSE_MAX], why_bounce[CAUSE_MAX];
	uint64_t	 why_reject[CAUSE_MAX];
	struct traffic_hour *thours;
	size_t		 capthours;
	struct smap	 thouridx;
	struct reason_row *reasons;	/* the three lists, one allocation */
};

/* Row number of key; when absent, stores next and sets *isnew. */
static size_t
smap_get(struct smap *m, const char *key, size_t next, int *isnew)
{
	size_t	 i, j, mask;

	if (2 * (m->len + 1) > m->cap) {
		struct smap o = *m;
		m->cap = o.cap ? 2 * o.cap : 64;
		m->keys = xcalloc(m->cap, sizeof(*m->keys));
		m->vals = xcalloc(m->cap, sizeof(*m->vals));
		m->len = 0;
		for (i = 0; i < o.cap; i++)
			if (o.keys[i] != NULL)
				smap_get(m, o.keys[i], o.vals[i], isnew);
		free(o.keys);
		free(o.vals);
	}
	mask = m->cap - 1;
	for (j = (size_t)hash_fnv(HASH_FNV_INIT, key, strlen(key)) & mask; m->keys[j] != NULL;
	    j = (j + 1) & mask)
		if (strcmp(m->keys[j], key) == 0) {
			*isnew = 0;
			return m->vals[j];
		}
	m->keys[j] = key;
	m->vals[j] = next;
	m->len++;
	*isnew = 1;
	return next;
}

static void
smap_release(struct smap *m)
{
	free(m->keys);
	free(m->vals);
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

/* The cause number of id, adding it from doc's causes when unknown. */
static int
cause_of(const struct json *doc, const char *id)
{
	const struct json	*ci;
	int			 c;

	if (id == NULL)
		return CAUSE_NONE;
	if ((c = cause_find(id, strlen(id))) != CAUSE_NONE)
		return c;
	ci = json_get(json_get(doc, "causes"), id);
	c = cause_add(id, json_str(ci, "group") ? json_str(ci, "group") : "",
	    json_str(ci, "meaning") ? json_str(ci, "meaning") : "",
	    json_str(ci, "advice") ? json_str(ci, "advice") : "");
	return c < 0 ? CAUSE_NONE : c;
}

static const struct json *
arr(const struct json *o, const char *key)
{
	const struct json *a = json_get(o, key);

	return a != NULL && a->type == JSON_ARRAY ? a : NULL;
}

#define EACH(i, a)	for ((i) = 0; (a) != NULL && (i) < (a)->n; (i)++)

static void
add_entities(const struct json *doc, const struct json *a, const char *label,
    struct rows *rs)
{
	const struct json	*e, *by;
	struct mrow		*row;
	size_t			 i, k, ix;
	int			 isnew, c;

	EACH(i, a) {
		e = a->kids[i];
		if (label != NULL && json_str(e, label) == NULL)
			continue;
		rs->v = grow(rs->v, &rs->cap, rs->n, sizeof(*rs->v));
		if (label != NULL)
			ix = smap_get(&rs->idx, json_str(e, label), rs->n,
			    &isnew);
		else
			ix = smap_get(&rs->idx, json_str(e, "start") ?
			    json_str(e, "start") : "", rs->n, &isnew);
		if (isnew) {
			row = &rs->v[rs->n++];
			row->name = json_str(e, label ? label : "start");
			row->start = parse_stamp(json_str(e, "start"));
		}
		row = &rs->v[ix];
		row->events += json_u64(e, "events");
		row->urgent += json_u64(e, "urgent");
		if (row->note == NULL)
			row->note = json_str(e, "name") != NULL ?
			    json_str(e, "name") : json_str(e, "host");
		if (row->reply == NULL)
			row->reply = json_str(e, "reply");
		by = json_get(e, "causes");
		EACH(k, by)
			if ((c = cause_of(doc, by->keys[k])) != CAUSE_NONE &&
			    by->kids[k]->is_uint)
				row->by[c] += by->kids[k]->u;
	}
}

static void
add_top(struct mcause *mc, const struct json *top)
{
	const struct json	*p;
	size_t			 i, ix;
	int			 isnew;

	EACH(i, top) {
		p = top->kids[i];
		if (p->type != JSON_ARRAY || p->n != 2 ||
		    p->kids[0]->type != JSON_STRING || !p->kids[1]->is_uint)
			continue;
		mc->top = grow(mc->top, &mc->cap, mc->ntop, sizeof(*mc->top));
		ix = smap_get(&mc->tidx, p->kids[0]->str, mc->ntop, &isnew);
		if (isnew)
			mc->top[mc->ntop++].user = p->kids[0]->str;
		mc->top[ix].n += p->kids[1]->u;
	}
}

/* A cause's direction and details, summed; the first example kept. */
static void
add_where(struct mcause *mc, const struct json *o)
{
	const struct json	*dir = json_get(o, "direction"), *p;
	const struct json	*det = arr(o, "detail");
	const struct json	*ex = json_get(o, "detail_examples");
	size_t			 i, ix;
	int			 d, isnew;

	for (d = DIR_TO_CLIENT; d < DIR_COUNT; d++)
		mc->dir[d] += json_u64(dir, dir_name(d));
	EACH(i, det) {
		p = det->kids[i];
		if (p->type != JSON_ARRAY || p->n != 2 ||
		    p->kids[0]->type != JSON_STRING || !p->kids[1]->is_uint)
			continue;
		mc->detail = grow(mc->detail, &mc->capdetail, mc->ndetail,
		    sizeof(*mc->detail));
		ix = smap_get(&mc->didx, p->kids[0]->str, mc->ndetail, &isnew);
		if (isnew)
			mc->detail[mc->ndetail++] = (struct key_count){
			    p->kids[0]->str, 0, NULL };
		mc->detail[ix].n += p->kids[1]->u;
		if (mc->detail[ix].example == NULL)
			mc->detail[ix].example = json_str(ex, p->kids[0]->str);
	}
}

static void
add_causes(struct merged *m, const struct json *doc)
{
	const struct json	*cs = json_get(doc, "causes");
	size_t			 i;
	int			 c;

	EACH(i, cs) {
		if ((c = cause_of(doc, cs->keys[i])) == CAUSE_NONE)
			continue;
		m->causes[c].events += json_u64(cs->kids[i], "events");
		m->causes[c].users += json_u64(cs->kids[i], "users");
		add_top(&m->causes[c], arr(cs->kids[i], "top_users"));
		add_where(&m->causes[c], cs->kids[i]);
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
add_codes(struct merged *m, const struct json *doc)
{
	const struct json	*a = arr(doc, "codes"), *e;
	struct result		*r = &m->r;
	struct code_row		 row;
	char			*key;
	size_t			 i, ix;
	int			 isnew;

	EACH(i, a) {
		e = a->kids[i];
		memset(&row, 0, sizeof(row));
		row.proto = proto_of(json_str(e, "protocol"));
		copy_field(row.code, sizeof(row.code), json_str(e, "code"));
		copy_field(row.enh, sizeof(row.enh), json_str(e, "enhanced"));
		copy_field(row.resp, sizeof(row.resp), json_str(e, "response"));
		row.cause = cause_of(doc, json_str(e, "cause"));
		if (asprintf(&key, "%d\x1f%s\x1f%s\x1f%s\x1f%d", row.proto,
		    row.code, row.enh, row.resp, row.cause) == -1)
			log_die("out of memory");
		r->codes = grow(r->codes, &m->capcodes, r->ncodes,
		    sizeof(*r->codes));
		ix = smap_get(&m->codeidx, own(m, key), r->ncodes, &isnew);
		if (isnew)
			r->codes[r->ncodes++] = row;
		r->codes[ix].events += json_u64(e, "events");
	}
}

static void
add_templates(struct merged *m, const struct json *doc)
{
	const struct json	*a = arr(doc, "pop3"), *e;
	struct result		*r = &m->r;
	char			*key;
	size_t			 i, ix;
	int			 isnew, c;

	EACH(i, a) {
		e = a->kids[i];
		if (json_str(e, "reply") == NULL)
			continue;
		c = cause_of(doc, json_str(e, "cause"));
		if (asprintf(&key, "%s\x1f%d", json_str(e, "reply"), c) == -1)
			log_die("out of memory");
		r->pop3 = grow(r->pop3, &m->cappop3, r->npop3,
		    sizeof(*r->pop3));
		ix = smap_get(&m->pop3idx, own(m, key), r->npop3, &isnew);
		if (isnew)
			r->pop3[r->npop3++] = (struct reply_row){
			    json_str(e, "reply"), c, 0 };
		r->pop3[ix].events += json_u64(e, "events");
	}
	a = arr(doc, "unclassified");
	EACH(i, a) {
		e = a->kids[i];
		if (json_str(e, "template") == NULL)
			continue;
		r->unclassified = grow(r->unclassified, &m->capuncl,
		    r->nunclassified, sizeof(*r->unclassified));
		ix = smap_get(&m->anidx, json_str(e, "template"),
		    r->nunclassified, &isnew);
		if (isnew)
			r->unclassified[r->nunclassified++] = (struct tmpl_row){
			    json_str(e, "template"), json_str(e, "example"), 0 };
		r->unclassified[ix].events += json_u64(e, "events");
	}
}

static void
add_logins(struct login_counts *l, const struct json *o)
{
	l->ok += json_u64(o, "ok");
	l->failed += json_u64(o, "failed");
}

static void
add_traffic(struct traffic *t, const struct json *o)
{
	const struct json *lg = json_get(o, "logins");
	const struct json *cf = arr(o, "counted_from");
	const char	*name;
	size_t		 i;
	int		 f;

	EACH(i, cf)
		for (f = 1; f < 32 && cf->kids[i]->type == JSON_STRING; f++)
			if ((name = parse_family_name(f)) != NULL &&
			    strcmp(name, cf->kids[i]->str) == 0)
				t->counted_from |= UINT32_C(1) << f;
	t->received += json_u64(o, "received");
	t->delivered += json_u64(o, "delivered");
	t->forwarded += json_u64(o, "forwarded");
	t->deferred += json_u64(o, "deferred");
	t->bounced += json_u64(o, "bounced");
	t->rejected += json_u64(o, "rejected");
	t->held += json_u64(o, "held");
	t->discarded += json_u64(o, "discarded");
	t->bytes_received += json_u64(o, "bytes_received");
	t->bytes_delivered += json_u64(o, "bytes_delivered");
	t->senders += json_u64(o, "senders");
	t->recipients += json_u64(o, "recipients");
	t->deferrals += json_u64(o, "deferrals");
	t->reject_warnings += json_u64(o, "reject_warnings");
	t->sender_domains += json_u64(o, "sender_domains");
	t->recipient_domains += json_u64(o, "recipient_domains");
	/* the lists: add_traffic_lists */
	add_logins(&t->pop3, json_get(lg, "pop3"));
	add_logins(&t->imap, json_get(lg, "imap"));
	add_logins(&t->smtp_auth, json_get(lg, "smtp_auth"));
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
add_tlist(struct tlist *tl, const struct json *a, const struct json *b,
    const char *what, uint64_t distinct)
{
	const struct json	*lists[2] = { a, b }, *e;
	struct smap		 seen = { 0 };
	size_t			 i, k, ix;
	int			 isnew;

	for (k = 0; k < 2; k++)
		EACH(i, lists[k]) {
			e = lists[k]->kids[i];
			if (json_str(e, "address") == NULL)
				continue;
			smap_get(&seen, json_str(e, "address"), 0, &isnew);
			if (!isnew)
				continue;
			tl->v = grow(tl->v, &tl->cap, tl->n, sizeof(*tl->v));
			ix = smap_get(&tl->idx, json_str(e, "address"), tl->n,
			    &isnew);
			if (isnew)
				tl->v[tl->n++].name = json_str(e, "address");
			tl->v[ix].n += json_u64(e, what);
			tl->v[ix].bytes += json_u64(e, "bytes");
		}
	if (seen.len < distinct)
		tl->partial = 1;
	smap_release(&seen);
}

static void
add_reasons(const struct json *doc, uint64_t *by, const struct json *o)
{
	size_t	 i;
	int	 c;

	if (o == NULL || o->type != JSON_OBJECT)
		return;
	EACH(i, o)
		if ((c = cause_of(doc, o->keys[i])) != CAUSE_NONE &&
		    o->kids[i]->is_uint)
			by[c] += o->kids[i]->u;
}

/* The traffic lists of doc: top senders and recipients, reasons, hours. */
static void
add_traffic_lists(struct merged *m, const struct json *doc)
{
	const struct json	*o = json_get(doc, "traffic");
	const struct json	*a = arr(o, "hours"), *e;
	struct traffic_hour	*h;
	const char		*start;
	size_t			 i, ix;
	int			 isnew;

	add_tlist(&m->senders, arr(o, "top_senders"),
	    arr(o, "top_senders_by_size"), "messages", json_u64(o, "senders"));
	add_tlist(&m->rcpts, arr(o, "top_recipients"),
	    arr(o, "top_recipients_by_size"), "deliveries",
	    json_u64(o, "recipients"));
	add_reasons(doc, m->why_defer, json_get(o, "defer_reasons"));
	add_reasons(doc, m->why_bounce, json_get(o, "bounce_reasons"));
	add_reasons(doc, m->why_reject, json_get(o, "reject_reasons"));
	EACH(i, a) {
		e = a->kids[i];
		start = json_str(e, "start") ? json_str(e, "start") : "";
		m->thours = grow(m->thours, &m->capthours, m->r.traffic.nhours,
		    sizeof(*m->thours));
		ix = smap_get(&m->thouridx, start, m->r.traffic.nhours,
		    &isnew);
		if (isnew)
			m->thours[m->r.traffic.nhours++].start =
			    parse_stamp(json_str(e, "start"));
		h = &m->thours[ix];
		h->received += json_u64(e, "received");
		h->delivered += json_u64(e, "delivered");
		h->deferred += json_u64(e, "deferred");
		h->bounced += json_u64(e, "bounced");
		h->rejected += json_u64(e, "rejected");
	}
}

static void
add_input(struct merged *m, const struct json *in)
{
	struct result		*r = &m->r;
	const struct json	*a = arr(in, "files"), *b = arr(in, "errors");
	size_t			 i;

	r->files = xrealloc(r->files, (r->nfiles + (a ? a->n : 0) + 1) *
	    sizeof(*r->files));
	EACH(i, a)
		r->files[r->nfiles++] = (struct file_row){
		    json_str(a->kids[i], "path"),
		    json_str(a->kids[i], "format"),
		    json_u64(a->kids[i], "bytes"),
		    json_u64(a->kids[i], "lines"),
		    json_str(a->kids[i], "layout"),
		    json_u64(a->kids[i], "recognised") };
	r->errors = xrealloc(r->errors, (r->nerrors + (b ? b->n : 0) + 1) *
	    sizeof(*r->errors));
	EACH(i, b)
		r->errors[r->nerrors++] = (struct error_row){
		    json_str(b->kids[i], "path"),
		    json_str(b->kids[i], "error") };
	b = arr(in, "warnings");
	r->warnings = xrealloc(r->warnings, (r->nwarnings + (b ? b->n : 0) +
	    1) * sizeof(*r->warnings));
	EACH(i, b)
		r->warnings[r->nwarnings++] = (struct error_row){
		    json_str(b->kids[i], "path"),
		    json_str(b->kids[i], "warning") };
	r->bytes += json_u64(in, "bytes");
	r->lines += json_u64(in, "lines");
	r->error_lines += json_u64(in, "error_lines");
	r->unparsed_lines += json_u64(in, "unparsed_lines");
	r->overlong_lines += json_u64(in, "overlong_lines");
}

/* Fired alerts are episodes, not counts: each report's are appended. */
static void
add_alerts(struct merged *m, const struct json *a)
{
	struct result		*r = &m->r;
	const struct json	*o, *f;
	size_t			 i;

	r->alerts = xrealloc(r->alerts, (r->nalerts + (a ? a->n : 0) + 1) *
	    sizeof(*r->alerts));
	EACH(i, a) {
		o = a->kids[i];
		f = json_get(o, "firing");
		r->alerts[r->nalerts++] = (struct alert_row){
		    json_str(o, "rule") ? json_str(o, "rule") : "",
		    json_str(o, "severity") ? json_str(o, "severity") : "",
		    json_str(o, "by"),
		    json_str(o, "key") ? json_str(o, "key") : "",
		    json_str(o, "window") ? json_str(o, "window") : "",
		    json_u64(o, "value"), json_u64(o, "threshold"),
		    json_u64(o, "events"), parse_stamp(json_str(o, "first")),
		    parse_stamp(json_str(o, "last")),
		    f != NULL && f->type == JSON_TRUE };
	}
}

static void
add_doc(struct merged *m, const struct json *doc)
{
	struct result		*r = &m->r;
	const struct json	*tot = json_get(doc, "totals");
	const struct json	*users = arr(doc, "users");
	const struct json	*hosts = arr(doc, "hosts");
	const struct json	*per = json_get(doc, "period");
	size_t			 nu = users ? users->n : 0;
	size_t			 nh = hosts ? hosts->n : 0;
	int64_t			 t;

	add_input(m, json_get(doc, "input"));
	t = parse_stamp(json_str(per, "first"));
	if (t != T_NONE && (r->first == T_NONE || t < r->first))
		r->first = t;
	t = parse_stamp(json_str(per, "last"));
	if (t != T_NONE && (r->last == T_NONE || t > r->last))
		r->last = t;
	r->events += json_u64(tot, "events");
	r->folded_users += json_u64(tot, "folded_users");
	r->folded_hosts += json_u64(tot, "folded_hosts");
	r->folded_hours += json_u64(tot, "folded_hours");
	r->folded_codes += json_u64(tot, "folded_codes");
	r->folded_pop3 += json_u64(tot, "folded_pop3");
	r->folded_unclassified += json_u64(tot, "folded_unclassified");
	r->join_unresolved += json_u64(tot, "join_unresolved");
	r->join_dropped += json_u64(tot, "join_dropped");
	r->join_evicted += json_u64(tot, "join_evicted");
	r->join_paired += json_u64(tot, "join_paired");
	if (json_u64(tot, "max_keys") > r->max_keys)
		r->max_keys = json_u64(tot, "max_keys");
	if (json_u64(tot, "users") > nu || json_u64(tot, "folded_users")) {
		m->partial = 1;
		m->extra_users += json_u64(tot, "users") > nu ?
		    json_u64(tot, "users") - nu : 0;
	}
	if (json_u64(tot, "hosts") > nh)
		m->extra_hosts += json_u64(tot, "hosts") - nh;
	add_traffic(&r->traffic, json_get(doc, "traffic"));
	add_traffic_lists(m, doc);
	add_causes(m, doc);
	add_codes(m, doc);
	add_templates(m, doc);
	add_entities(doc, users, "user", &m->users);
	add_entities(doc, hosts, "host", &m->hosts);
	add_entities(doc, arr(doc, "timeline"), NULL, &m->hours);
	add_entities(doc, arr(doc, "clients"), "client", &m->clients);
	add_entities(doc, arr(doc, "remotes"), "remote", &m->remotes);
	r->folded_clients += json_u64(tot, "folded_clients");
	r->folded_remotes += json_u64(tot, "folded_remotes");
	nu = arr(doc, "clients") ? arr(doc, "clients")->n : 0;
	if (json_u64(tot, "clients") > nu)
		m->extra_clients += json_u64(tot, "clients") - nu;
	nu = arr(doc, "remotes") ? arr(doc, "remotes")->n : 0;
	if (json_u64(tot, "remotes") > nu)
		m->extra_remotes += json_u64(tot, "remotes") - nu;
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

static int
cmp_mrow(const void *x, const void *y)
{
	const struct mrow *a = x, *b = y;

	if (a->events != b->events)
		return a->events < b->events ? 1 : -1;
	return strcmp(a->name, b->name);
}

static int
cmp_hour(const void *x, const void *y)
{
	const struct mrow *a = x, *b = y;

	return (a->start > b->start) - (a->start < b->start);
}

static int
cmp_top(const void *x, const void *y)
{
	const struct user_count *a = x, *b = y;

	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return strcmp(a->user, b->user);
}

/* As agg's code key: code, enhanced, response, protocol, cause. */
static int
cmp_code(const void *x, const void *y)
{
	const struct code_row *a = x, *b = y;
	int	 c;

	if (a->events != b->events)
		return a->events < b->events ? 1 : -1;
	if ((c = strncmp(a->code, b->code, sizeof(a->code))) != 0 ||
	    (c = strncmp(a->enh, b->enh, sizeof(a->enh))) != 0 ||
	    (c = strncmp(a->resp, b->resp, sizeof(a->resp))) != 0)
		return c;
	if (a->proto != b->proto)
		return a->proto - b->proto;
	return (unsigned char)a->cause - (unsigned char)b->cause;
}

static int
cmp_reply(const void *x, const void *y)
{
	const struct reply_row *a = x, *b = y;
	int	 c;

	if (a->events != b->events)
		return a->events < b->events ? 1 : -1;
	if ((c = strcmp(a->reply, b->reply)) != 0)
		return c;
	return (unsigned char)a->cause - (unsigned char)b->cause;
}

static int
cmp_tmpl(const void *x, const void *y)
{
	const struct tmpl_row *a = x, *b = y;

	if (a->events != b->events)
		return a->events < b->events ? 1 : -1;
	return strcmp(a->tmpl, b->tmpl);
}

/* As traffic.c's result: count descending, then address. */
static int
cmp_traffic_n(const void *x, const void *y)
{
	const struct traffic_row *a = x, *b = y;

	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return strcmp(a->name, b->name);
}

/* Bytes descending, then as cmp_traffic_n. */
static int
cmp_traffic_bytes(const void *x, const void *y)
{
	const struct traffic_row *a = x, *b = y;

	if (a->bytes != b->bytes)
		return a->bytes < b->bytes ? 1 : -1;
	return cmp_traffic_n(x, y);
}

static int
cmp_thour(const void *x, const void *y)
{
	const struct traffic_hour *a = x, *b = y;

	return (a->start > b->start) - (a->start < b->start);
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

/* by[] as reason rows at rows: count descending, then cause number. */
static size_t
reason_rows(const uint64_t *by, struct reason_row *rows)
{
	size_t	 i, j, k = 0;

	for (i = 0; i < CAUSE_MAX; i++) {
		if (by[i] == 0)
			continue;
		for (j = k; j > 0 && rows[j - 1].n < by[i]; j--)
			rows[j] = rows[j - 1];
		rows[j] = (struct reason_row){ (int)i, by[i] };
		k++;
	}
	return k;
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
	t->ndefer_reasons = reason_rows(m->why_defer, t->defer_reasons);
	t->bounce_reasons = m->reasons + CAUSE_MAX;
	t->nbounce_reasons = reason_rows(m->why_bounce, t->bounce_reasons);
	t->reject_reasons = m->reasons + 2 * CAUSE_MAX;
	t->nreject_reasons = reason_rows(m->why_reject, t->reject_reasons);
	sort_rows(m->thours, t->nhours, sizeof(*m->thours), cmp_thour);
	t->hours = m->thours;
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

	if (a->n != b->n)
		return a->n < b->n ? 1 : -1;
	return strcmp(a->key, b->key);
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
	r->nclients = m->clients.n + m->extra_clients;
	r->nclients_shown = top && top < m->clients.n ? top : m->clients.n;
	r->remotes = where_rows(&m->remotes);
	r->nremotes = m->remotes.n + m->extra_remotes;
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
		for (j = k = 0; j < m->remotes.n; j++)
			if (r->remotes[j].by_cause[c] > 0)
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
	r->nusers = m->users.n + m->extra_users;
	r->nusers_shown = top && top < m->users.n ? top : m->users.n;
	r->hosts = entity_rows(&m->hosts, 0);
	r->nhosts = m->hosts.n + m->extra_hosts;
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
	build_traffic(m, top);
}

struct result *
merge_reports(char *const *paths, size_t n, size_t top, char *err,
    size_t errlen)
{
	struct merged	*m = xcalloc(1, sizeof(*m));
	struct json	*doc;
	char		 msg[200];
	const char	*schema;
	size_t		 i;

	m->r.first = m->r.last = T_NONE;
	m->docs = xcalloc(n + 1, sizeof(*m->docs));
	for (i = 0; i < n; i++) {
		if ((doc = json_load(paths[i], msg, sizeof(msg))) == NULL) {
			snprintf(err, errlen, "'%s': %s", paths[i], msg);
			goto fail;
		}
		m->docs[m->ndocs++] = doc;
		schema = json_str(doc, "schema");
		if (schema == NULL || strcmp(schema, "mxtally/1") != 0) {
			snprintf(err, errlen, "'%s': not an mxtally/1 report",
			    paths[i]);
			goto fail;
		}
		add_doc(m, doc);
	}
	build(m, top);
	return &m->r;
fail:
	merge_free(&m->r);
	return NULL;
}

static void
rows_release(struct rows *rs)
{
	free(rs->v);
	smap_release(&rs->idx);
}

void
merge_free(struct result *r)
{
	struct merged	*m = (struct merged *)r;
	size_t		 i;

	if (m == NULL)
		return;
	for (i = 0; i < CAUSE_MAX; i++) {
		free(m->causes[i].top);
		smap_release(&m->causes[i].tidx);
		free(m->causes[i].detail);
		smap_release(&m->causes[i].didx);
		free(m->causes[i].remotes);
	}
	rows_release(&m->users);
	rows_release(&m->hosts);
	rows_release(&m->hours);
	rows_release(&m->clients);
	rows_release(&m->remotes);
	result_clients_free(m->wmem);
	smap_release(&m->codeidx);
	smap_release(&m->pop3idx);
	smap_release(&m->anidx);
	free(m->senders.v);
	free(m->senders.bysize);
	smap_release(&m->senders.idx);
	free(m->rcpts.v);
	free(m->rcpts.bysize);
	smap_release(&m->rcpts.idx);
	free(m->thours);
	smap_release(&m->thouridx);
	free(m->reasons);
	for (i = 0; i < m->nowned; i++)
		free(m->owned[i]);
	free(m->owned);
	free(r->files);
	free(r->errors);
	free(r->warnings);
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
	free(r->alerts);
	for (i = 0; i < m->ndocs; i++)
		json_free(m->docs[i]);
	free(m->docs);
	free(m);
}
