/*
 * The JSON report, schema mxtally/1 (shared/spec/interface.md). The
 * layout is fixed so that output diffs and greps well: one top-level key
 * or section member per line, and each row of a table (a file, a cause, a
 * code, a user, an hour) on a line of its own. The small writer below owns
 * commas and indentation so the sections cannot get them wrong, and
 * buffers the output itself.
 */
#include <string.h>

#include "mxtally/event.h"
#include "mxtally/log.h"
#include "mxtally/parse.h"
#include "mxtally/report.h"
#include "report_int.h"

#define JW_DEPTH	8

/*
 * The writer keeps its own buffer: a users table is a few hundred
 * thousand short strings and numbers, and a memcpy each is several times
 * cheaper than a stdio call each.
 */
struct jw {
	FILE		*out;
	int		 depth;			/* open containers */
	int		 flat;			/* first depth kept on one line, 0 = none */
	unsigned char	 used[JW_DEPTH];	/* container at depth has a member */
	size_t		 len;			/* bytes in buf */
	char		 buf[1 << 16];
};

static void
jw_flush(struct jw *w)
{
	fwrite_unlocked(w->buf, 1, w->len, w->out);
	w->len = 0;
}

static void
jw_put(struct jw *w, const char *p, size_t n)
{
	if (w->len + n > sizeof(w->buf)) {
		jw_flush(w);
		if (n > sizeof(w->buf)) {
			fwrite_unlocked(p, 1, n, w->out);
			return;
		}
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void
jw_putc(struct jw *w, char c)
{
	if (w->len == sizeof(w->buf))
		jw_flush(w);
	w->buf[w->len++] = c;
}

#define jw_lit(w, s)	jw_put((w), (s), sizeof(s) - 1)

/* s as a JSON string, or null */
static void
jw_quoted(struct jw *w, const char *s)
{
	char	 esc[8];
	size_t	 n;

	if (s == NULL) {
		jw_lit(w, "null");
		return;
	}
	jw_putc(w, '"');
	for (;;) {
		n = rep_json_plain(s);
		jw_put(w, s, n);
		if (s[n] == '\0')
			break;
		jw_put(w, esc, rep_json_escape((unsigned char)s[n], esc));
		s += n + 1;
	}
	jw_putc(w, '"');
}

/* A new line indented for the current depth (at most 2 * JW_DEPTH). */
static void
jw_newline(struct jw *w, int depth)
{
	static const char	 nl[] = "\n                ";	/* 2 * JW_DEPTH */

	jw_put(w, nl, 1 + 2 * (size_t)depth);
}

/* Before a member or an element: comma, then a new line or a space. */
static void
jw_sep(struct jw *w)
{
	int	 used = w->used[w->depth];

	if (used)
		jw_putc(w, ',');
	w->used[w->depth] = 1;
	if (w->flat != 0 && w->depth >= w->flat) {
		if (used)
			jw_putc(w, ' ');
		return;
	}
	if (w->depth > 0)
		jw_newline(w, w->depth);
}

/* Starts a member of an object (key) or an element of an array (NULL). */
static void
jw_item(struct jw *w, const char *key)
{
	jw_sep(w);
	if (key != NULL) {
		jw_quoted(w, key);
		jw_lit(w, ": ");
	}
}

static void
jw_open(struct jw *w, const char *key, int ch, int flat)
{
	if (w->depth > 0)
		jw_item(w, key);
	if (w->depth + 1 >= JW_DEPTH)
		BUG("json nesting too deep");
	jw_putc(w, (char)ch);
	w->used[++w->depth] = 0;
	if (flat && w->flat == 0)
		w->flat = w->depth;
}

static void
jw_close(struct jw *w, int ch)
{
	int	 flat = w->flat != 0 && w->depth >= w->flat;

	if (w->used[w->depth] && !flat)
		jw_newline(w, w->depth - 1);
	if (w->flat == w->depth)
		w->flat = 0;
	w->depth--;
	jw_putc(w, (char)ch);
}

static void
jw_u64(struct jw *w, const char *key, uint64_t v)
{
	char	 buf[24], *p = buf + sizeof(buf);

	jw_item(w, key);
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	jw_put(w, p, (size_t)(buf + sizeof(buf) - p));
}

static void
jw_str(struct jw *w, const char *key, const char *s)
{
	jw_item(w, key);
	jw_quoted(w, s);
}

/* A timestamp, or null for T_NONE. */
static void
jw_time(struct jw *w, const char *key, int64_t t)
{
	char	 buf[32];

	jw_str(w, key, t == T_NONE ? NULL : report_time(t, buf, sizeof(buf)));
}

/* A cause id, or null for a number outside the table. */
static void
jw_cause(struct jw *w, const char *key, int cause)
{
	const struct cause_info *ci = rep_cause(cause);

	jw_str(w, key, ci != NULL ? ci->id : NULL);
}

/* "causes": {"<id>": n, ...}, nonzero entries in cause-number order. */
static void
jw_by_cause(struct jw *w, const uint64_t *by_cause)
{
	int	 c, nc = cause_count();

	jw_open(w, "causes", '{', 1);
	for (c = 0; by_cause != NULL && c < nc; c++)
		if (by_cause[c] != 0)
			jw_u64(w, cause_get(c)->id, by_cause[c]);
	jw_close(w, '}');
}

static void
json_input(struct jw *w, const struct result *r)
{
	size_t	 i;

	jw_open(w, "input", '{', 0);
	jw_open(w, "files", '[', 0);
	for (i = 0; i < r->nfiles; i++) {
		jw_open(w, NULL, '{', 1);
		jw_str(w, "path", r->files[i].path);
		jw_u64(w, "bytes", r->files[i].bytes);
		jw_u64(w, "lines", r->files[i].lines);
		jw_str(w, "format", r->files[i].format);
		if (r->files[i].layout != NULL) {
			jw_str(w, "layout", r->files[i].layout);
			jw_u64(w, "recognised", r->files[i].recognised);
		}
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_u64(w, "bytes", r->bytes);
	jw_u64(w, "lines", r->lines);
	jw_u64(w, "error_lines", r->error_lines);
	jw_u64(w, "unparsed_lines", r->unparsed_lines);
	jw_u64(w, "overlong_lines", r->overlong_lines);
	jw_open(w, "errors", '[', 0);
	for (i = 0; i < r->nerrors; i++) {
		jw_open(w, NULL, '{', 1);
		jw_str(w, "path", r->errors[i].path);
		jw_str(w, "error", r->errors[i].error);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "warnings", '[', 0);
	for (i = 0; i < r->nwarnings; i++) {
		jw_open(w, NULL, '{', 1);
		jw_str(w, "path", r->warnings[i].path);
		jw_str(w, "warning", r->warnings[i].error);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_close(w, '}');
}

static void
jw_logins(struct jw *w, const char *key, const struct login_counts *l)
{
	jw_open(w, key, '{', 1);
	jw_u64(w, "ok", l->ok);
	jw_u64(w, "failed", l->failed);
	jw_close(w, '}');
}

/* [{"address", "<what>": n, "bytes": b}, ...] in result order */
static void
jw_traffic_rows(struct jw *w, const char *key, const char *what,
    const struct traffic_row *rows, size_t n)
{
	size_t	 i;

	jw_open(w, key, '[', 0);
	for (i = 0; i < n; i++) {
		jw_open(w, NULL, '{', 1);
		jw_str(w, "address", rows[i].name);
		jw_u64(w, what, rows[i].n);
		jw_u64(w, "bytes", rows[i].bytes);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* {"<cause id>": n, ...} by count descending */
static void
jw_reasons(struct jw *w, const char *key, const struct reason_row *rows,
    size_t n)
{
	const struct cause_info *ci;
	size_t	 i;

	jw_open(w, key, '{', 1);
	for (i = 0; i < n; i++)
		if ((ci = rep_cause(rows[i].cause)) != NULL)
			jw_u64(w, ci->id, rows[i].n);
	jw_close(w, '}');
}

static void
jw_traffic_hours(struct jw *w, const struct traffic *t)
{
	size_t	 i;

	jw_open(w, "hours", '[', 0);
	for (i = 0; i < t->nhours; i++) {
		jw_open(w, NULL, '{', 1);
		jw_time(w, "start", t->hours[i].start);
		jw_u64(w, "received", t->hours[i].received);
		jw_u64(w, "delivered", t->hours[i].delivered);
		jw_u64(w, "deferred", t->hours[i].deferred);
		jw_u64(w, "bounced", t->hours[i].bounced);
		jw_u64(w, "rejected", t->hours[i].rejected);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* "counted_from": the families whose message traffic was counted */
static void
jw_counted_from(struct jw *w, uint32_t fams)
{
	const char	*name;
	int		 f;

	jw_open(w, "counted_from", '[', 1);
	for (f = 1; f < 32; f++)
		if ((fams & (UINT32_C(1) << f)) &&
		    (name = parse_family_name(f)) != NULL)
			jw_str(w, NULL, name);
	jw_close(w, ']');
}

static void
json_traffic(struct jw *w, const struct traffic *t)
{
	jw_open(w, "traffic", '{', 0);
	jw_counted_from(w, t->counted_from);
	jw_u64(w, "received", t->received);
	jw_u64(w, "delivered", t->delivered);
	jw_u64(w, "forwarded", t->forwarded);
	jw_u64(w, "deferred", t->deferred);
	jw_u64(w, "bounced", t->bounced);
	jw_u64(w, "rejected", t->rejected);
	jw_u64(w, "held", t->held);
	jw_u64(w, "discarded", t->discarded);
	jw_u64(w, "bytes_received", t->bytes_received);
	jw_u64(w, "bytes_delivered", t->bytes_delivered);
	jw_u64(w, "senders", t->senders);
	jw_u64(w, "recipients", t->recipients);
	jw_open(w, "logins", '{', 0);
	jw_logins(w, "pop3", &t->pop3);
	jw_logins(w, "imap", &t->imap);
	jw_logins(w, "smtp_auth", &t->smtp_auth);
	jw_close(w, '}');
	jw_u64(w, "deferrals", t->deferrals);
	jw_u64(w, "reject_warnings", t->reject_warnings);
	jw_u64(w, "sender_domains", t->sender_domains);
	jw_u64(w, "recipient_domains", t->recipient_domains);
	jw_u64(w, "folded_senders", t->folded_senders);
	jw_u64(w, "folded_recipients", t->folded_recipients);
	jw_traffic_rows(w, "top_senders", "messages", t->top_senders,
	    t->ntop_senders);
	jw_traffic_rows(w, "top_senders_by_size", "messages",
	    t->top_senders_size, t->ntop_senders_size);
	jw_traffic_rows(w, "top_recipients", "deliveries", t->top_recipients,
	    t->ntop_recipients);
	jw_traffic_rows(w, "top_recipients_by_size", "deliveries",
	    t->top_recipients_size, t->ntop_recipients_size);
	jw_reasons(w, "defer_reasons", t->defer_reasons, t->ndefer_reasons);
	jw_reasons(w, "bounce_reasons", t->bounce_reasons, t->nbounce_reasons);
	jw_reasons(w, "reject_reasons", t->reject_reasons, t->nreject_reasons);
	jw_traffic_hours(w, t);
	jw_close(w, '}');
}

/* [["key", n], ...] */
static void
jw_key_counts(struct jw *w, const char *key, const struct key_count *v,
    size_t n)
{
	size_t	 i;

	jw_open(w, key, '[', 1);
	for (i = 0; i < n; i++) {
		jw_open(w, NULL, '[', 1);
		jw_str(w, NULL, v[i].key);
		jw_u64(w, NULL, v[i].n);
		jw_close(w, ']');
	}
	jw_close(w, ']');
}

/* {"inbound": n, "outbound": n, "local": n} */
static void
jw_dir(struct jw *w, const uint64_t *dir)
{
	int	 d;

	jw_open(w, "direction", '{', 1);
	for (d = DIR_TO_CLIENT; d < DIR_COUNT; d++)
		jw_u64(w, dir_name(d), dir[d]);
	jw_close(w, '}');
}

/* A cause's direction, detail (with an example each), clients, remotes. */
static void
json_cause_where(struct jw *w, const struct cause_where *row)
{
	size_t	 j;

	jw_dir(w, row->dir);
	jw_key_counts(w, "detail", row->detail, row->ndetail);
	jw_open(w, "detail_examples", '{', 1);
	for (j = 0; j < row->ndetail; j++)
		if (row->detail[j].example != NULL)
			jw_str(w, row->detail[j].key, row->detail[j].example);
	jw_close(w, '}');
	jw_key_counts(w, "top_clients", row->top_clients, row->ntop_clients);
	jw_key_counts(w, "top_remotes", row->top_remotes, row->ntop_remotes);
}

/*
 * clients: [{"client", "network", "name", "events", "causes"}], networks
 * rolled up: [{"network", "addresses", "events", "causes"}], remotes:
 * [{"remote", "host", "events", "urgent", "reply", "causes"}].
 */
static void
json_where(struct jw *w, const struct result *r)
{
	const struct where_row	*e;
	size_t			 i;

	jw_open(w, "clients", '[', 0);
	for (i = 0; i < r->nclients_shown; i++) {
		e = &r->clients[i];
		jw_open(w, NULL, '{', 1);
		jw_str(w, "client", e->name);
		jw_str(w, "network", e->network);
		if (e->note != NULL)
			jw_str(w, "name", e->note);
		jw_u64(w, "events", e->events);
		jw_by_cause(w, e->by_cause);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "networks", '[', 0);
	for (i = 0; i < r->nnetworks; i++) {
		e = &r->networks[i];
		jw_open(w, NULL, '{', 1);
		jw_str(w, "network", e->name);
		jw_u64(w, "addresses", e->addrs);
		jw_u64(w, "events", e->events);
		jw_by_cause(w, e->by_cause);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "remotes", '[', 0);
	for (i = 0; i < r->nremotes_shown; i++) {
		e = &r->remotes[i];
		jw_open(w, NULL, '{', 1);
		jw_str(w, "remote", e->name);
		jw_str(w, "host", e->note);
		jw_u64(w, "events", e->events);
		jw_u64(w, "urgent", e->urgent);
		jw_str(w, "reply", e->reply);
		jw_by_cause(w, e->by_cause);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void
json_causes(struct jw *w, const struct result *r)
{
	const struct cause_row	*row;
	const struct cause_info	*ci;
	size_t			 i, j;

	jw_open(w, "causes", '{', 0);
	for (i = 0; i < r->ncauses; i++) {
		row = &r->causes[i];
		if ((ci = rep_cause(row->cause)) == NULL)
			continue;	/* no id to key it by */
		jw_open(w, ci->id, '{', 1);
		jw_u64(w, "events", row->events);
		jw_u64(w, "users", row->users);
		jw_str(w, "group", ci->group != NULL ? ci->group : "");
		jw_str(w, "meaning", ci->meaning);
		jw_str(w, "advice", ci->advice);
		jw_open(w, "top_users", '[', 1);
		for (j = 0; j < row->ntop; j++) {
			jw_open(w, NULL, '[', 1);
			jw_str(w, NULL, row->top[j].user);
			jw_u64(w, NULL, row->top[j].n);
			jw_close(w, ']');
		}
		jw_close(w, ']');
		json_cause_where(w, rep_where(r, row->cause));
		jw_close(w, '}');
	}
	jw_close(w, '}');
}

/* A fixed-size code field, null when empty. */
static void
jw_code(struct jw *w, const char *key, const char *s, size_t size)
{
	char	 buf[32];
	size_t	 n = rep_code_field(s, size, buf, sizeof(buf));

	jw_str(w, key, n > 0 ? buf : NULL);
}

static void
json_codes(struct jw *w, const struct result *r)
{
	const struct code_row	*c;
	char			 meaning[512];
	size_t			 i;

	jw_open(w, "codes", '[', 0);
	for (i = 0; i < r->ncodes; i++) {
		c = &r->codes[i];
		jw_open(w, NULL, '{', 1);
		jw_str(w, "protocol", proto_name(c->proto));
		jw_code(w, "code", c->code, sizeof(c->code));
		jw_code(w, "enhanced", c->enh, sizeof(c->enh));
		if (c->resp[0] != '\0')
			jw_code(w, "response", c->resp, sizeof(c->resp));
		jw_u64(w, "events", c->events);
		jw_cause(w, "cause", c->cause);
		jw_str(w, "meaning", rep_code_meaning(c, meaning,
		    sizeof(meaning)));
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void
json_pop3(struct jw *w, const struct result *r)
{
	size_t	 i;

	jw_open(w, "pop3", '[', 0);
	for (i = 0; i < r->npop3; i++) {
		jw_open(w, NULL, '{', 1);
		jw_str(w, "reply", r->pop3[i].reply);
		jw_u64(w, "events", r->pop3[i].events);
		jw_cause(w, "cause", r->pop3[i].cause);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* users, hosts: [{"<label>": name, "events": n, "causes": {...}}] */
static void
json_entities(struct jw *w, const char *key, const char *label,
    const struct entity_row *rows, size_t n)
{
	size_t	 i, b, nb = (size_t)cause_count() * sizeof(uint64_t);

	jw_open(w, key, '[', 0);
	for (i = 0; i < n; i++) {
		/*
		 * Rows are in count order, their names and counts in table
		 * and name order: cache misses, so ask for them early.
		 */
		if (i + 8 < n) {
			__builtin_prefetch(rows[i + 8].name);
			for (b = 0; b < nb; b += 64)
				__builtin_prefetch((const char *)
				    rows[i + 8].by_cause + b);
		}
		jw_open(w, NULL, '{', 1);
		jw_str(w, label, rows[i].name);
		jw_u64(w, "events", rows[i].events);
		jw_by_cause(w, rows[i].by_cause);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void
json_timeline(struct jw *w, const struct result *r)
{
	size_t	 i;

	jw_open(w, "timeline", '[', 0);
	for (i = 0; i < r->nhours; i++) {
		jw_open(w, NULL, '{', 1);
		jw_time(w, "start", r->hours[i].start);
		jw_u64(w, "events", r->hours[i].events);
		jw_by_cause(w, r->hours[i].by_cause);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void
json_unclassified(struct jw *w, const struct result *r)
{
	size_t	 i;

	jw_open(w, "unclassified", '[', 0);
	for (i = 0; i < r->nunclassified; i++) {
		jw_open(w, NULL, '{', 1);
		jw_str(w, "template", r->unclassified[i].tmpl);
		jw_u64(w, "events", r->unclassified[i].events);
		jw_str(w, "example", r->unclassified[i].example);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* Fired alerts, fields in the order `mxtally alert -f jsonl` writes. */
static void
json_alerts(struct jw *w, const struct result *r)
{
	const struct alert_row	*a;
	size_t			 i;

	jw_open(w, "alerts", '[', 0);
	for (i = 0; i < r->nalerts; i++) {
		a = &r->alerts[i];
		jw_open(w, NULL, '{', 1);
		jw_str(w, "rule", a->rule);
		jw_str(w, "severity", a->severity);
		if (a->by != NULL)
			jw_str(w, "by", a->by);
		jw_str(w, "key", a->key);
		jw_u64(w, "value", a->value);
		jw_u64(w, "threshold", a->threshold);
		jw_str(w, "window", a->window);
		jw_time(w, "first", a->first);
		jw_time(w, "last", a->last);
		jw_u64(w, "events", a->events);
		jw_item(w, "firing");
		if (a->firing)
			jw_lit(w, "true");
		else
			jw_lit(w, "false");
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/*
 * "capacity": the free space servers logged (Postfix's queue, Exim's
 * spool and log directories), lowest first, in bytes; with two or more
 * timed figures that fall, the fall per hour from the first to the last
 * and the hours left at that rate, else null.
 */
static void
json_capacity(struct jw *w, const struct result *r,
    const struct result_views *v)
{
	const struct space_row	*s;
	const struct view_space	*vs;
	char			 buf[32];
	size_t			 i;

	jw_open(w, "capacity", '[', 0);
	for (i = 0; i < r->nspace; i++) {
		s = &r->space[i];
		jw_open(w, NULL, '{', 1);
		jw_str(w, "host", s->host);
		jw_str(w, "store", space_name(s->kind));
		jw_u64(w, "samples", s->f.samples);
		jw_u64(w, "free_min", s->f.min);
		jw_time(w, "free_min_at", s->f.min_at);
		jw_u64(w, "free_first", s->f.first);
		jw_time(w, "first", s->f.first_at);
		jw_u64(w, "free_last", s->f.last);
		jw_time(w, "last", s->f.last_at);
		vs = &v->space[i];
		if (vs->falling) {
			jw_u64(w, "falling_per_hour", (uint64_t)(vs->per_hour +
			    0.5));
			jw_item(w, "hours_to_empty");
			jw_put(w, buf, (size_t)snprintf(buf, sizeof(buf),
			    "%.1f", vs->hours_left));
		} else {
			jw_item(w, "falling_per_hour");
			jw_lit(w, "null");
			jw_item(w, "hours_to_empty");
			jw_lit(w, "null");
		}
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

#define LOCK_ROWS	100	/* refused sessions listed */

/*
 * "lock_contention": the POP3 sessions refused their mailbox lock and,
 * from the same log, the session that held it (agg/locks.c): pairs of
 * refused and holding client per mailbox, most first, and the refused
 * sessions, latest first (at most LOCK_ROWS).
 */
static void
json_locks(struct jw *w, const struct result *r)
{
	size_t	 i;

	jw_open(w, "lock_contention", '{', 0);
	jw_u64(w, "refused_sessions", r->nlocks_all);
	jw_u64(w, "holder_found", r->locks_held);
	jw_u64(w, "dropped", r->locks_dropped);
	if (r->nlocks_imap > 0)
		jw_u64(w, "imap_refused_sessions", r->nlocks_imap);
	jw_open(w, "pairs", '[', 0);
	for (i = 0; i < r->nlock_pairs; i++) {
		jw_open(w, NULL, '{', 1);
		jw_str(w, "user", r->lock_pairs[i].user);
		jw_str(w, "client", r->lock_pairs[i].client);
		jw_str(w, "holder_client", r->lock_pairs[i].holder);
		jw_u64(w, "events", r->lock_pairs[i].events);
		if (r->lock_pairs[i].imap) {	/* POP3 rows as they were */
			jw_str(w, "protocol", "imap");
			jw_str(w, "holder_user", r->lock_pairs[i].holder_user);
		}
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_open(w, "sessions", '[', 0);
	for (i = 0; i < r->nlocks && i < LOCK_ROWS; i++) {
		const struct lock_row *l = &r->locks[i];

		jw_open(w, NULL, '{', 1);
		jw_str(w, "user", l->user);
		jw_time(w, "refused_at", l->t);
		jw_str(w, "session", l->session);
		jw_str(w, "client", l->client[0] != '\0' ? l->client : NULL);
		jw_str(w, "holder_client", l->holder != NULL &&
		    l->holder[0] != '\0' ? l->holder : NULL);
		jw_str(w, "holder_session", l->holder_session);
		jw_time(w, "holder_since", l->since);
		if (l->imap) {
			jw_str(w, "protocol", "imap");
			jw_str(w, "holder_user", l->holder_user);
			if (l->holder_pid != 0)
				jw_u64(w, "holder_pid", l->holder_pid);
			else		/* Dovecot named none (a dotlock) */
				jw_str(w, "holder_pid", NULL);
		}
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_close(w, '}');
}

int
report_json(FILE *out, const struct result *r, const struct report_opts *o)
{
	struct jw	 w = { .out = out };

	jw_open(&w, NULL, '{', 0);
	jw_str(&w, "schema", "mxtally/1");
	jw_str(&w, "version", o->version != NULL ? o->version : "");
	json_input(&w, r);
	jw_open(&w, "period", '{', 1);
	jw_time(&w, "first", r->first);
	jw_time(&w, "last", r->last);
	jw_close(&w, '}');
	jw_open(&w, "totals", '{', 1);
	jw_u64(&w, "events", r->events);
	jw_u64(&w, "users", r->nusers);
	jw_u64(&w, "hosts", r->nhosts);
	jw_u64(&w, "clients", r->nclients);
	jw_u64(&w, "remotes", r->nremotes);
	jw_u64(&w, "client_events", r->client_events);
	jw_u64(&w, "remote_events", r->remote_events);
	jw_u64(&w, "urgent_events", r->urgent_events);
	jw_dir(&w, r->dir);
	jw_u64(&w, "folded_users", r->folded_users);
	jw_u64(&w, "folded_clients", r->folded_clients);
	jw_u64(&w, "folded_remotes", r->folded_remotes);
	jw_u64(&w, "folded_hosts", r->folded_hosts);
	jw_u64(&w, "folded_hours", r->folded_hours);
	jw_u64(&w, "folded_codes", r->folded_codes);
	jw_u64(&w, "folded_pop3", r->folded_pop3);
	jw_u64(&w, "folded_unclassified", r->folded_unclassified);
	jw_u64(&w, "join_unresolved", r->join_unresolved);
	jw_u64(&w, "join_dropped", r->join_dropped);
	jw_u64(&w, "join_evicted", r->join_evicted);
	jw_u64(&w, "join_paired", r->join_paired);
	jw_u64(&w, "max_keys", r->max_keys);
	jw_close(&w, '}');
	json_traffic(&w, &r->traffic);
	json_causes(&w, r);
	json_capacity(&w, r, rep_views(r));
	json_locks(&w, r);
	json_codes(&w, r);
	json_pop3(&w, r);
	json_entities(&w, "users", "user", r->users, r->nusers_shown);
	json_entities(&w, "hosts", "host", r->hosts, r->nhosts_shown);
	json_where(&w, r);
	json_timeline(&w, r);
	json_unclassified(&w, r);
	json_alerts(&w, r);
	jw_close(&w, '}');
	jw_putc(&w, '\n');
	jw_flush(&w);
	if (fflush(out) == EOF || ferror(out))
		return -1;
	return 0;
}
