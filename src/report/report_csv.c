/*
 * The CSV report: one table per run (--table users|causes|codes|hosts|
 * hours|clients|remotes|details|directions|capacity|locks|traffic,
 * default causes), for spreadsheets and for scripts that would
 * rather not parse JSON. Fields follow RFC 4180: a header row, CRLF
 * line ends, a field quoted when it holds a comma, quote, CR or LF, and
 * quotes inside doubled. Counts are plain integers, times are
 * 2026-11-21T14:00:00 as in the JSON report.
 *
 * A spreadsheet runs a cell that starts with = + - @ (and, in some, TAB
 * or CR) as a formula, so a user name such as "=HYPERLINK(...)" in a log
 * could act when the file is opened. Every field that came from a log
 * (user, host, code, response code) and starts with one of those bytes
 * is written with a leading apostrophe, which spreadsheets read as "text
 * follows" and hide. Fields of our own (cause ids, meanings, numbers)
 * are written as they are. Control characters other than TAB, CR and
 * LF, and bytes that are not UTF-8, are written as \xNN so that the file
 * is always valid UTF-8.
 */
#include <string.h>

#include "mxtally/event.h"
#include "mxtally/log.h"
#include "mxtally/parse.h"
#include "mxtally/report.h"
#include "report_int.h"

enum csv_table {
	CSV_USERS, CSV_CAUSES, CSV_CODES, CSV_HOSTS, CSV_HOURS, CSV_CLIENTS,
	CSV_REMOTES, CSV_DETAILS, CSV_DIRECTIONS, CSV_CAPACITY, CSV_LOCKS,
	CSV_TRAFFIC
};

static const char *const table_names[] = {
	"users", "causes", "codes", "hosts", "hours", "clients", "remotes",
	"details", "directions", "capacity", "locks", "traffic", NULL
};

static int
table_find(const char *name)
{
	int	 i;

	for (i = 0; name != NULL && table_names[i] != NULL; i++)
		if (strcmp(name, table_names[i]) == 0)
			return i;
	return -1;
}

int
report_csv_table(const char *name)
{
	return table_find(name) != -1;
}

/* 1 when the field must be quoted: it holds , " CR or LF. */
static int
csv_needs_quotes(const char *s)
{
	return s[strcspn(s, ",\"\r\n")] != '\0';
}

void
rep_csv_field(FILE *out, const char *s, int from_log)
{
	const unsigned char	*p;
	size_t			 n;
	int			 quote;

	if (s == NULL)
		return;
	quote = csv_needs_quotes(s);
	if (quote)
		putc('"', out);
	if (from_log && *s != '\0' && strchr("=+-@\t\r", *s) != NULL)
		putc('\'', out);
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		if ((n = rep_clean_len(p, 1)) == 0) {
			fprintf(out, "\\x%02x", (unsigned)*p);
			n = 1;
			continue;
		}
		if (*p == '"')
			putc('"', out);
		fwrite(p, 1, n, out);
	}
	if (quote)
		putc('"', out);
}

static void
csv_u64(FILE *out, uint64_t n)
{
	fprintf(out, ",%llu", (unsigned long long)n);
}

static void
csv_eol(FILE *out)
{
	fputs("\r\n", out);
}

static const char *
cause_id(int cause)
{
	const struct cause_info *ci = rep_cause(cause);

	return ci != NULL ? ci->id : "";
}

/* A fixed-size code field (not NUL-terminated when full), from a log. */
static void
csv_code(FILE *out, const char *s, size_t size)
{
	char	 buf[32];

	rep_code_field(s, size, buf, sizeof(buf));
	putc(',', out);
	rep_csv_field(out, buf, 1);
}

static void
csv_causes(FILE *out, const struct result *r)
{
	const struct cause_info	*ci;
	size_t			 i;

	fputs("cause,group,events,users,meaning", out);
	csv_eol(out);
	for (i = 0; i < r->ncauses; i++) {
		ci = rep_cause(r->causes[i].cause);
		rep_csv_field(out, ci != NULL ? ci->id : "", 0);
		putc(',', out);
		rep_csv_field(out, ci != NULL ? ci->group : "", 0);
		csv_u64(out, r->causes[i].events);
		csv_u64(out, r->causes[i].users);
		putc(',', out);
		rep_csv_field(out, ci != NULL ? ci->meaning : "", 0);
		csv_eol(out);
	}
}

static void
csv_codes(FILE *out, const struct result *r)
{
	const struct code_row	*c;
	char			 meaning[512];
	size_t			 i;

	fputs("protocol,code,enhanced,response,cause,events,meaning", out);
	csv_eol(out);
	for (i = 0; i < r->ncodes; i++) {
		c = &r->codes[i];
		rep_csv_field(out, proto_name(c->proto), 0);
		csv_code(out, c->code, sizeof(c->code));
		csv_code(out, c->enh, sizeof(c->enh));
		csv_code(out, c->resp, sizeof(c->resp));
		putc(',', out);
		rep_csv_field(out, cause_id(c->cause), 0);
		csv_u64(out, c->events);
		putc(',', out);
		rep_csv_field(out, rep_code_meaning(c, meaning,
		    sizeof(meaning)), 0);
		csv_eol(out);
	}
}

/*
 * users, hosts, hours: the key, its events, then one column per cause
 * present in the result, in the result's cause order (busiest first).
 */
static void
csv_entities(FILE *out, const struct result *r, const char *key,
    const struct entity_row *rows, size_t n)
{
	char	 when[32];
	size_t	 i, j;
	int	 c;

	fputs(key, out);
	fputs(",events", out);
	for (j = 0; j < r->ncauses; j++) {
		putc(',', out);
		rep_csv_field(out, cause_id(r->causes[j].cause), 0);
	}
	csv_eol(out);
	for (i = 0; i < n; i++) {
		if (rows[i].name != NULL)
			rep_csv_field(out, rows[i].name, 1);
		else if (rows[i].start != T_NONE)
			fputs(report_time(rows[i].start, when, sizeof(when)),
			    out);
		csv_u64(out, rows[i].events);
		for (j = 0; j < r->ncauses; j++) {
			c = r->causes[j].cause;
			csv_u64(out, rows[i].by_cause != NULL && c >= 0 &&
			    c < cause_count() ? rows[i].by_cause[c] : 0);
		}
		csv_eol(out);
	}
}

/* The per-cause columns of a where row, as csv_entities writes them. */
static void
csv_by_cause(FILE *out, const struct result *r, const uint64_t *by)
{
	size_t	 j;
	int	 c;

	for (j = 0; j < r->ncauses; j++) {
		c = r->causes[j].cause;
		csv_u64(out, by != NULL && c >= 0 && c < cause_count() ?
		    by[c] : 0);
	}
}

static void
csv_cause_header(FILE *out, const struct result *r, const char *head)
{
	size_t	 j;

	fputs(head, out);
	for (j = 0; j < r->ncauses; j++) {
		putc(',', out);
		rep_csv_field(out, cause_id(r->causes[j].cause), 0);
	}
	csv_eol(out);
}

/* clients: address, network, reverse name, events, per cause */
static void
csv_clients(FILE *out, const struct result *r)
{
	const struct where_row	*e;
	size_t			 i;

	csv_cause_header(out, r, "client,network,name,events");
	for (i = 0; i < r->nclients_shown; i++) {
		e = &r->clients[i];
		rep_csv_field(out, e->name, 1);
		putc(',', out);
		rep_csv_field(out, e->network, 0);
		putc(',', out);
		rep_csv_field(out, e->note, 1);
		csv_u64(out, e->events);
		csv_by_cause(out, r, e->by_cause);
		csv_eol(out);
	}
}

/* remotes: domain, MX host, events, urgent, their reply, per cause */
static void
csv_remotes(FILE *out, const struct result *r)
{
	const struct where_row	*e;
	size_t			 i;

	csv_cause_header(out, r, "remote,host,events,urgent,reply");
	for (i = 0; i < r->nremotes_shown; i++) {
		e = &r->remotes[i];
		rep_csv_field(out, e->name, 1);
		putc(',', out);
		rep_csv_field(out, e->note, 1);
		csv_u64(out, e->events);
		csv_u64(out, e->urgent);
		putc(',', out);
		rep_csv_field(out, e->reply, 1);
		csv_by_cause(out, r, e->by_cause);
		csv_eol(out);
	}
}

/* details: cause, detail key, events, an example reply */
static void
csv_details(FILE *out, const struct result *r)
{
	const struct cause_where *w;
	size_t			 i, j;

	fputs("cause,detail,events,example", out);
	csv_eol(out);
	for (i = 0; i < r->ncauses; i++) {
		w = rep_where(r, r->causes[i].cause);
		for (j = 0; j < w->ndetail; j++) {
			rep_csv_field(out, cause_id(r->causes[i].cause), 0);
			putc(',', out);
			rep_csv_field(out, w->detail[j].key, 1);
			csv_u64(out, w->detail[j].n);
			putc(',', out);
			rep_csv_field(out, w->detail[j].example, 1);
			csv_eol(out);
		}
	}
}

/* directions: cause, inbound, outbound, local */
static void
csv_directions(FILE *out, const struct result *r)
{
	const struct cause_where *w;
	size_t			 i;
	int			 d;

	fputs("cause,inbound,outbound,local", out);
	csv_eol(out);
	for (i = 0; i < r->ncauses; i++) {
		w = rep_where(r, r->causes[i].cause);
		rep_csv_field(out, cause_id(r->causes[i].cause), 0);
		for (d = DIR_TO_CLIENT; d < DIR_COUNT; d++)
			csv_u64(out, w->dir[d]);
		csv_eol(out);
	}
}

/*
 * traffic: one row, the families whose message traffic was counted
 * (space-separated), the totals and the logins. With no family counted
 * the first field says "not counted" and the message totals are empty:
 * never a 0 that stands for "not read".
 */
static void
csv_traffic(FILE *out, const struct result *r)
{
	const struct traffic	*t = &r->traffic;
	const uint64_t		 v[] = { t->received, t->delivered,
	    t->forwarded, t->deferred, t->deferrals, t->bounced, t->rejected,
	    t->reject_warnings, t->held, t->discarded, t->bytes_received,
	    t->bytes_delivered, t->senders, t->recipients };
	const struct login_counts *l[] = { &t->pop3, &t->imap, &t->smtp_auth };
	const char		*name, *sep = "";
	size_t			 i;
	int			 f;

	fputs("counted_from,received,delivered,forwarded,deferred,deferrals,"
	    "bounced,rejected,reject_warnings,held,discarded,bytes_received,"
	    "bytes_delivered,senders,recipients,pop3_ok,pop3_failed,imap_ok,"
	    "imap_failed,smtp_auth_ok,smtp_auth_failed", out);
	csv_eol(out);
	for (f = 1; f < 32; f++)
		if ((t->counted_from & (UINT32_C(1) << f)) &&
		    (name = parse_family_name(f)) != NULL) {
			fprintf(out, "%s%s", sep, name);
			sep = " ";
		}
	if (t->counted_from == 0)
		fputs("not counted", out);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (t->counted_from != 0)
			csv_u64(out, v[i]);
		else
			putc(',', out);
	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		csv_u64(out, l[i]->ok);
		csv_u64(out, l[i]->failed);
	}
	csv_eol(out);
}

/* capacity: the free space servers logged, lowest first, in bytes */
static void
csv_capacity(FILE *out, const struct result *r)
{
	const struct space_row	*s;
	char			 a[32], b[32], c[32];
	size_t			 i;

	fputs("host,store,samples,free_min,free_min_at,free_first,first,"
	    "free_last,last", out);
	csv_eol(out);
	for (i = 0; i < r->nspace; i++) {
		s = &r->space[i];
		rep_csv_field(out, s->host, 1);
		fprintf(out, ",%s", space_name(s->kind));
		csv_u64(out, s->f.samples);
		csv_u64(out, s->f.min);
		fprintf(out, ",%s", s->f.min_at == T_NONE ? "" :
		    report_time(s->f.min_at, a, sizeof(a)));
		csv_u64(out, s->f.first);
		fprintf(out, ",%s", s->f.first_at == T_NONE ? "" :
		    report_time(s->f.first_at, b, sizeof(b)));
		csv_u64(out, s->f.last);
		fprintf(out, ",%s", s->f.last_at == T_NONE ? "" :
		    report_time(s->f.last_at, c, sizeof(c)));
		csv_eol(out);
	}
}

/* locks: refused POP3/IMAP sessions and the session that held the lock */
static void
csv_locks(FILE *out, const struct result *r)
{
	const struct lock_row	*l;
	char			 a[32], b[32];
	size_t			 i;

	fputs("user,refused_at,session,client,holder_client,holder_session,"
	    "holder_since,protocol,holder_user,holder_pid", out);
	csv_eol(out);
	for (i = 0; i < r->nlocks; i++) {
		l = &r->locks[i];
		rep_csv_field(out, l->user, 1);
		fprintf(out, ",%s,", l->t == T_NONE ? "" :
		    report_time(l->t, a, sizeof(a)));
		rep_csv_field(out, l->session, 1);
		putc(',', out);
		rep_csv_field(out, l->client, 1);
		putc(',', out);
		rep_csv_field(out, l->holder != NULL ? l->holder : "", 1);
		putc(',', out);
		rep_csv_field(out, l->holder_session != NULL ?
		    l->holder_session : "", 1);
		fprintf(out, ",%s,%s,", l->since == T_NONE ? "" :
		    report_time(l->since, b, sizeof(b)),
		    l->imap ? "imap" : "pop3");
		rep_csv_field(out, l->holder_user != NULL ? l->holder_user :
		    l->holder != NULL ? l->user : "", 1);
		if (l->holder_pid != 0)
			fprintf(out, ",%lu", (unsigned long)l->holder_pid);
		else
			putc(',', out);
		csv_eol(out);
	}
}

int
report_csv(FILE *out, const struct result *r, const struct report_opts *o)
{
	switch (table_find(o->table != NULL ? o->table : "causes")) {
	case CSV_USERS:
		csv_entities(out, r, "user", r->users, r->nusers_shown);
		break;
	case CSV_CAUSES:
		csv_causes(out, r);
		break;
	case CSV_CODES:
		csv_codes(out, r);
		break;
	case CSV_HOSTS:
		csv_entities(out, r, "host", r->hosts, r->nhosts_shown);
		break;
	case CSV_HOURS:
		csv_entities(out, r, "start", r->hours, r->nhours);
		break;
	case CSV_CLIENTS:
		csv_clients(out, r);
		break;
	case CSV_REMOTES:
		csv_remotes(out, r);
		break;
	case CSV_DETAILS:
		csv_details(out, r);
		break;
	case CSV_DIRECTIONS:
		csv_directions(out, r);
		break;
	case CSV_CAPACITY:
		csv_capacity(out, r);
		break;
	case CSV_LOCKS:
		csv_locks(out, r);
		break;
	case CSV_TRAFFIC:
		csv_traffic(out, r);
		break;
	default:
		return log_error("unknown csv table '%s'", o->table);
	}
	if (fflush(out) == EOF || ferror(out))
		return -1;
	return 0;
}
