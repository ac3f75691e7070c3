/*
 * The text report: what a postmaster reads over coffee. It answers, in
 * order, "did the run see everything?" (summary, input errors first),
 * "what went wrong?" (causes with a first step), "is storage running
 * out?" (the storage section), "who and when?" (top users, codes, POP3
 * replies, the hourly timeline) and "what do we not understand yet?"
 * (unclassified templates). Empty sections are left out. Every string
 * from a log goes through rep_text_str, so a log line cannot send
 * control sequences to the reader's terminal.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/event.h"
#include "mxtally/log.h"
#include "mxtally/report.h"
#include "report_int.h"

#define ROWS_DEFAULT	10	/* table rows when --top is not given */
#define BAR_WIDTH	40	/* timeline bar of the busiest hour */
#define NAME_MAX_COLS	40	/* a longer name overflows its column */
#define MEANING_COLS	60	/* short meaning in the codes table */
#define GAP_HOURS	24	/* longer timeline gaps print as "..." */
#define WRAP_COLS	78	/* prose (meanings, advice) wraps here */

#define SGR_BOLD	"\033[1m"
#define SGR_RED		"\033[31m"
#define SGR_YELLOW	"\033[33m"
#define SGR_OFF		"\033[0m"

struct tx {
	FILE			*out;
	const struct result	*r;
	const struct result_views *v;	/* r's views (report_views) */
	int			 color;	/* ANSI colour wanted */
	size_t			 rows;	/* rows per table */
};

/* An SGR sequence, or "" without colour. */
static const char *
sgr(const struct tx *t, const char *seq)
{
	return t->color && seq != NULL ? seq : "";
}

/* Colour for the counts of a cause: red for auth and storage. */
static const char *
cause_sgr(int cause)
{
	if (rep_cause_in(cause, "auth") || rep_cause_in(cause, "storage"))
		return SGR_RED;
	if (rep_cause_in(cause, "lock"))
		return SGR_YELLOW;
	return NULL;
}

static void
heading(const struct tx *t, const char *title)
{
	fprintf(t->out, "\n%s%s%s\n", sgr(t, SGR_BOLD), title,
	    sgr(t, SGR_OFF));
}

/* s (log data or not), escaped, left-aligned in width columns. */
static void
cell(const struct tx *t, const char *s, size_t width)
{
	size_t	 cols = rep_text_str(t->out, s);

	if (cols < width)
		rep_pad(t->out, width - cols);
}

/* n with separators, right-aligned in width columns, in colour seq. */
static void
count(const struct tx *t, uint64_t n, size_t width, const char *seq)
{
	char	 buf[32];
	size_t	 len;

	rep_num(n, buf, sizeof(buf));
	len = strlen(buf);
	if (len < width)
		rep_pad(t->out, width - len);
	fprintf(t->out, "%s%s%s", sgr(t, seq), buf,
	    t->color && seq != NULL ? SGR_OFF : "");
}

static size_t
num_width(uint64_t n)
{
	char	 buf[32];

	return strlen(rep_num(n, buf, sizeof(buf)));
}

/* Columns for a name column: widest shown name, at least min. */
static size_t
name_width(const char *name, size_t w)
{
	size_t	 cols = rep_text_str(NULL, name);

	if (cols > NAME_MAX_COLS)
		cols = NAME_MAX_COLS;
	return cols > w ? cols : w;
}

static void
more(const struct tx *t, size_t shown, uint64_t total, const char *what)
{
	char	 buf[32];

	if (total > shown)
		fprintf(t->out, "    ... %s more %s\n",
		    rep_num(total - shown, buf, sizeof(buf)), what);
}

/* "1 user", "2,345 users" */
static void
nouns(const struct tx *t, uint64_t n, const char *one, const char *many)
{
	char	 buf[32];

	fprintf(t->out, "%s %s", rep_num(n, buf, sizeof(buf)),
	    n == 1 ? one : many);
}

/* "2026-11-21 14:00" */
static char *
hour_label(int64_t start, char *buf, size_t len)
{
	report_time(start, buf, len);
	if (strlen(buf) >= 16) {
		buf[10] = ' ';
		buf[16] = '\0';
	}
	return buf;
}

/*
 * Writes s word-wrapped at WRAP_COLS; the cursor is at column col, and
 * continuation lines are indented to column indent.
 */
static void
wrap(const struct tx *t, const char *s, size_t col, size_t indent)
{
	rep_text_wrap(t->out, s, col, indent, WRAP_COLS);
}

/* --- summary ------------------------------------------------------- */

/*
 * Under a cause: its directions ("inbound 411, outbound 2") and the
 * checks that fired ("411 by zen.spamhaus.org", "104 helo").
 */
static void
text_cause_where(const struct tx *t, const struct cause_where *row)
{
	char		 buf[32], lab[600];
	const char	*sep = "";
	size_t		 j, n;
	int		 d;

	for (d = DIR_TO_CLIENT; d < DIR_COUNT; d++) {
		if (row->dir[d] == 0)
			continue;
		fprintf(t->out, "%s%s %s", sep[0] ? sep : "      ", dir_name(d),
		    rep_num(row->dir[d], buf, sizeof(buf)));
		sep = ", ";
	}
	if (sep[0] != '\0')
		putc('\n', t->out);
	n = row->ndetail < t->rows ? row->ndetail : t->rows;
	for (j = 0; j < n; j++) {
		fputs("      ", t->out);
		count(t, row->detail[j].n, 8, NULL);
		fputs(" ", t->out);
		rep_text_str(t->out, rep_detail_label(row->detail[j].key, lab,
		    sizeof(lab)));
		putc('\n', t->out);
	}
	if (row->ndetail > n)
		fprintf(t->out, "      ... %zu more checks\n", row->ndetail - n);
}

#define FILES_LISTED	8	/* more inputs than this: totals only */

/*
 * How many lines a mail-server parser understood, and each input that
 * was not understood (scan.c's warning), so that a report without
 * events never looks clean because its input was not read right.
 */
static void
text_recognised(const struct tx *t)
{
	const struct result	*r = t->r;
	uint64_t		 n = 0, lines = 0;
	char			 a[32], b[32];
	size_t			 i, known = 0;

	for (i = 0; i < r->nfiles; i++)
		if (r->files[i].layout != NULL) {
			n += r->files[i].recognised;
			lines += r->files[i].lines;
			known++;
		}
	if (known > 0)
		fprintf(t->out, "  Known     %s of %s lines recognised as a "
		    "mail server's\n", rep_num(n, a, sizeof(a)),
		    rep_num(lines, b, sizeof(b)));
	for (i = 0; i < r->nwarnings; i++) {
		fprintf(t->out, "%s  !! not understood:%s ",
		    sgr(t, SGR_BOLD SGR_RED), sgr(t, SGR_OFF));
		rep_text_str(t->out, r->warnings[i].path);
		fputs(": ", t->out);
		rep_text_str(t->out, r->warnings[i].error);
		putc('\n', t->out);
	}
}

static void
text_files(const struct tx *t)
{
	const struct result	*r = t->r;
	char			 a[32], b[32];
	size_t			 i, w = 0, wn = 0;

	if (r->nfiles == 1) {
		fputs("  Input     ", t->out);
		rep_text_str(t->out, r->files[0].path);
		fprintf(t->out, " (%s", r->files[0].format != NULL ?
		    r->files[0].format : "plain");
		if (r->files[0].layout != NULL)
			fprintf(t->out, ", %s", r->files[0].layout);
		fputs("), ", t->out);
	} else {
		fprintf(t->out, "  Input     %s files, ",
		    rep_num(r->nfiles, a, sizeof(a)));
	}
	fprintf(t->out, "%s lines, %s\n", rep_num(r->lines, a, sizeof(a)),
	    rep_bytes(r->bytes, b, sizeof(b)));
	if (r->nfiles < 2 || r->nfiles > FILES_LISTED)
		return;		/* a long list is in the JSON's input.files */
	for (i = 0; i < r->nfiles; i++) {
		w = name_width(r->files[i].path, w);
		if (num_width(r->files[i].lines) > wn)
			wn = num_width(r->files[i].lines);
	}
	for (i = 0; i < r->nfiles; i++) {
		fputs("              ", t->out);
		cell(t, r->files[i].path, w);
		fprintf(t->out, "  %-5s ", r->files[i].format != NULL ?
		    r->files[i].format : "plain");
		if (r->files[i].layout != NULL)
			fprintf(t->out, "%-21s ", r->files[i].layout);
		count(t, r->files[i].lines, wn, NULL);
		fprintf(t->out, " lines, %s", rep_bytes(r->files[i].bytes, b,
		    sizeof(b)));
		if (r->files[i].layout != NULL)
			fprintf(t->out, ", %s recognised",
			    rep_num(r->files[i].recognised, a, sizeof(a)));
		putc('\n', t->out);
	}
}

static void
text_lines(const struct tx *t)
{
	const struct result	*r = t->r;
	char			 a[32], b[32], c[32];

	fprintf(t->out, "  Lines     %s with errors, %s unparsed",
	    rep_num(r->error_lines, a, sizeof(a)),
	    rep_num(r->unparsed_lines, b, sizeof(b)));
	if (r->overlong_lines != 0)
		fprintf(t->out, ", %s overlong (cut at 64 KiB)",
		    rep_num(r->overlong_lines, c, sizeof(c)));
	putc('\n', t->out);
}

/* Says when --max-keys folded keys into "(other)"; nothing otherwise. */
static void
text_folded(const struct tx *t)
{
	const struct result	*r = t->r;
	struct rep_fold		 f[REP_FOLD_MAX];
	char			 a[32], b[32];
	size_t			 i, n = rep_folded(r, f);

	for (i = 0; i < n; i++) {
		if (i == 0)
			fprintf(t->out, "  Folded    over --max-keys %s, "
			    "the least frequent into (other): ",
			    rep_num(r->max_keys, b, sizeof(b)));
		fprintf(t->out, "%s%s events of %s", i > 0 ? "; " : "",
		    rep_num(f[i].events, a, sizeof(a)), f[i].what);
	}
	if (n > 0)
		putc('\n', t->out);
	if (r->join_unresolved != 0 || r->join_dropped != 0)
		fprintf(t->out, "  Join      over --max-keys: %s login "
		    "failures counted without their verdict, %s verdicts "
		    "dropped\n",
		    rep_num(r->join_unresolved, a, sizeof(a)),
		    rep_num(r->join_dropped, b, sizeof(b)));
	if (r->join_evicted != 0)
		fprintf(t->out, "  Join      over --max-keys: %s lines of "
		    "multi-line failures counted one by one\n",
		    rep_num(r->join_evicted, a, sizeof(a)));
}

/* "12.3 %" into buf */
static const char *
pct(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f %%", v);
	return buf;
}

/*
 * Traffic context, so that error counts read as rates. The reject rate
 * is pflogsumm's: of delivered + rejected + discarded recipients.
 */
static void
text_traffic(const struct tx *t)
{
	const struct traffic	*tr = &t->r->traffic;
	const struct login_counts *l[3] = { &tr->pop3, &tr->imap,
	    &tr->smtp_auth };
	static const char *const names[3] = { "pop3", "imap", "smtp auth" };
	const struct result_views *v = t->v;
	char			 a[32], b[32], c[32], d[32], e[32];
	int			 i, any = 0;

	if (tr->counted_from == 0 && t->r->events > 0)
		fputs("  Traffic   not counted (no traffic line of a known "
		    "server read)\n", t->out);
	else if (tr->counted_from != 0)
		rep_counted_from(t->out, tr->counted_from,
		    "  Traffic   counted from ");
	if (tr->received + tr->delivered + tr->deferred + tr->bounced +
	    tr->rejected != 0) {
		fprintf(t->out, "  Traffic   %s received, %s delivered, "
		    "%s deferred (%s deferrals), %s bounced\n",
		    rep_num(tr->received, a, sizeof(a)),
		    rep_num(tr->delivered, b, sizeof(b)),
		    rep_num(tr->deferred, c, sizeof(c)),
		    rep_num(tr->deferrals, d, sizeof(d)),
		    rep_num(tr->bounced, e, sizeof(e)));
		fprintf(t->out, "            rejected %s of %s attempts (%s)",
		    pct(v->reject_pct, a, sizeof(a)),
		    rep_num(v->attempts, b, sizeof(b)),
		    rep_num(tr->rejected, c, sizeof(c)));
		fprintf(t->out, ", bounced %s of sent + bounced\n",
		    pct(v->bounce_pct, d, sizeof(d)));
		fprintf(t->out, "            %s bytes received, %s delivered, "
		    "%s senders, %s recipients\n",
		    rep_num(tr->bytes_received, a, sizeof(a)),
		    rep_num(tr->bytes_delivered, b, sizeof(b)),
		    rep_num(tr->senders, c, sizeof(c)),
		    rep_num(tr->recipients, d, sizeof(d)));
	}
	for (i = 0; i < 3; i++) {
		if (l[i]->ok + l[i]->failed == 0)
			continue;
		fprintf(t->out, "%s%s %s ok, %s failed (%s)", any ? "; " :
		    "  Logins    ", names[i], rep_num(l[i]->ok, a, sizeof(a)),
		    rep_num(l[i]->failed, b, sizeof(b)),
		    pct(v->login_failed_pct[i], c, sizeof(c)));
		any = 1;
	}
	if (any)
		putc('\n', t->out);
}

static void
text_summary(const struct tx *t, const char *version)
{
	const struct result	*r = t->r;
	char			 a[32], b[32];
	size_t			 i;

	fprintf(t->out, "%smxtally %s: mail error report%s\n",
	    sgr(t, SGR_BOLD), version != NULL ? version : "",
	    sgr(t, SGR_OFF));
	for (i = 0; i < r->nerrors; i++) {
		fprintf(t->out, "%s!! input not read:%s ",
		    sgr(t, SGR_BOLD SGR_RED), sgr(t, SGR_OFF));
		rep_text_str(t->out, r->errors[i].path);
		fputs(": ", t->out);
		rep_text_str(t->out, r->errors[i].error);
		putc('\n', t->out);
	}
	putc('\n', t->out);
	text_files(t);
	text_recognised(t);
	fprintf(t->out, "  Period    %s to %s\n",
	    report_time(r->first, a, sizeof(a)),
	    report_time(r->last, b, sizeof(b)));
	fprintf(t->out, "  Errors    %s%s events%s, ", sgr(t, SGR_BOLD),
	    rep_num(r->events, a, sizeof(a)), sgr(t, SGR_OFF));
	nouns(t, r->nusers, "user", "users");
	fputs(", ", t->out);
	nouns(t, r->nhosts, "host", "hosts");
	putc('\n', t->out);
	text_lines(t);
	text_folded(t);
	text_traffic(t);
}

/* --- alerts -------------------------------------------------------- */

/*
 * "  critical  storage_incident  mx2  2 in 10m  FIRST .. LAST", the
 * alerts --rules fired, in their order; nothing when none fired.
 */
static void
text_alerts(const struct tx *t)
{
	const struct result	*r = t->r;
	const struct alert_row	*a;
	char			 f[32], l[32];
	size_t			 i, n, wr = 4, wk = 3, wv = 1;

	if (r->nalerts == 0)
		return;
	n = r->nalerts < t->rows ? r->nalerts : t->rows;
	for (i = 0; i < n; i++) {
		wr = name_width(r->alerts[i].rule, wr);
		wk = name_width(r->alerts[i].key, wk);
		if (num_width(r->alerts[i].value) > wv)
			wv = num_width(r->alerts[i].value);
	}
	heading(t, "Alerts");
	for (i = 0; i < n; i++) {
		a = &r->alerts[i];
		fprintf(t->out, "  %s%-8s%s  ", sgr(t, strcmp(a->severity,
		    "critical") == 0 ? SGR_RED : SGR_YELLOW), a->severity,
		    sgr(t, SGR_OFF));
		cell(t, a->rule, wr);
		fputs("  ", t->out);
		cell(t, a->key[0] != '\0' ? a->key : "-", wk);
		fputs("  ", t->out);
		count(t, a->value, wv, NULL);
		fprintf(t->out, " in %-4s  %s .. %s%s\n", a->window,
		    report_time(a->first, f, sizeof(f)),
		    report_time(a->last, l, sizeof(l)),
		    a->firing ? "  (firing)" : "");
	}
	more(t, n, r->nalerts, "alerts");
}

/* --- causes -------------------------------------------------------- */

static void
text_causes(const struct tx *t)
{
	const struct result	*r = t->r;
	const struct cause_row	*row;
	const struct cause_where *wh;
	const struct cause_info	*ci;
	size_t			 i, wid = 5, wev = 6;

	for (i = 0; i < r->ncauses; i++) {
		wid = name_width(rep_cause_id(r->causes[i].cause), wid);
		if (num_width(r->causes[i].events) > wev)
			wev = num_width(r->causes[i].events);
	}
	heading(t, "Causes");
	fputs("  ", t->out);
	cell(t, "cause", wid);
	fprintf(t->out, "  %*s   share    users  group\n", (int)wev, "events");
	for (i = 0; i < r->ncauses; i++) {
		row = &r->causes[i];
		ci = rep_cause(row->cause);
		fputs("  ", t->out);
		cell(t, rep_cause_id(row->cause), wid);
		fputs("  ", t->out);
		count(t, row->events, wev, cause_sgr(row->cause));
		fprintf(t->out, "  %5.1f%%  ", r->events != 0 ?
		    100.0 * (double)row->events / (double)r->events : 0.0);
		count(t, row->users, 7, NULL);
		fputs("  ", t->out);
		rep_text_str(t->out, ci != NULL && ci->group != NULL &&
		    ci->group[0] != '\0' ? ci->group : "-");
		putc('\n', t->out);
		if (ci == NULL)
			continue;
		fputs("      ", t->out);
		wrap(t, ci->meaning, 6, 6);
		wh = rep_where(r, row->cause);
		text_cause_where(t, wh);
		fprintf(t->out, "      %sfirst step:%s ", sgr(t, SGR_BOLD),
		    sgr(t, SGR_OFF));
		wrap(t, rep_mostly_outbound(wh) ?
		    rep_advice_outbound(row->cause) : ci->advice, 18, 18);
		if (!rep_mostly_outbound(wh) && wh->dir[DIR_FROM_REMOTE] > 0) {
			fprintf(t->out, "      %soutbound:%s ", sgr(t, SGR_BOLD),
			    sgr(t, SGR_OFF));
			wrap(t, rep_advice_outbound(row->cause), 16, 16);
		}
	}
}

/* --- storage ------------------------------------------------------- */

struct picks {
	const struct view_pick	*p;
	size_t			 n;	/* rows shown */
	size_t			 all;	/* rows with storage events */
	struct view_pick	*own;	/* the hours shown in time order */
};

static int
cmp_pick_start(const void *x, const void *y)
{
	const struct view_pick *a = x, *b = y;

	return (a->e->start > b->e->start) - (a->e->start < b->e->start);
}

/*
 * The storage view's rows of kind k (enum view_rows), busiest first, at
 * most t->rows of them; the hours shown are put back in time order.
 */
static struct picks
storage_pick(const struct tx *t, int k)
{
	struct picks	 s;

	s.p = t->v->storage[k];
	s.all = t->v->nstorage[k];
	s.n = s.all < t->rows ? s.all : t->rows;
	s.own = NULL;
	if (k == VIEW_HOURS && s.n > 0) {
		s.own = xcalloc(s.n, sizeof(*s.own));
		memcpy(s.own, s.p, s.n * sizeof(*s.own));
		qsort(s.own, s.n, sizeof(*s.own), cmp_pick_start);
		s.p = s.own;
	}
	return s;
}

/* "quota_exceeded 3, system_storage 1" for one row's storage causes */
static void
storage_detail(const struct tx *t, const uint64_t *by_cause)
{
	char	 buf[32];
	int	 c, nc = cause_count(), any = 0;

	for (c = 0; c < nc; c++) {
		if (by_cause[c] == 0 || !rep_cause_in(c, "storage"))
			continue;
		fputs(any ? ", " : "  ", t->out);
		rep_text_str(t->out, rep_cause_id(c));
		fprintf(t->out, " %s", rep_num(by_cause[c], buf, sizeof(buf)));
		any = 1;
	}
}

static void
storage_print(const struct tx *t, const char *title, const char *noun,
    const struct picks *s, size_t w, size_t wn)
{
	char	 buf[32];
	size_t	 i;

	if (s->n == 0)
		return;
	fprintf(t->out, "  %s\n", title);
	for (i = 0; i < s->n; i++) {
		fputs("    ", t->out);
		cell(t, s->p[i].e->name == NULL ? hour_label(s->p[i].e->start, buf, sizeof(buf)) :
		    s->p[i].e->name, w);
		fputs("  ", t->out);
		count(t, s->p[i].n, wn, SGR_RED);
		storage_detail(t, s->p[i].e->by_cause);
		putc('\n', t->out);
	}
	more(t, s->n, s->all, noun);
}

/*
 * The free space servers logged, lowest first: "conch  queue  lowest
 * 96.0 MiB at ..., last 169.5 MiB (17 figures); fell 18.7 MiB/h:
 * empty in 9.1 h at that rate".
 */
static void
text_space(const struct tx *t)
{
	const struct result	*r = t->r;
	const struct space_row	*s;
	const struct view_space	*vs;
	char			 b[32], c[32];
	size_t			 i, w = 4;

	if (r->nspace == 0)
		return;
	for (i = 0; i < r->nspace; i++)
		w = name_width(r->space[i].host, w);
	fputs("  free space the server logged (bytes measured, lowest "
	    "first)\n", t->out);
	for (i = 0; i < r->nspace && i < t->rows; i++) {
		s = &r->space[i];
		fputs("    ", t->out);
		cell(t, s->host[0] != '\0' ? s->host : "-", w);
		fprintf(t->out, "  %-5s  lowest %s", space_name(s->kind),
		    rep_bytes(s->f.min, b, sizeof(b)));
		if (s->f.min_at != T_NONE)
			fprintf(t->out, " at %s", report_time(s->f.min_at, c,
			    sizeof(c)));
		fprintf(t->out, ", last %s (%" PRIu64 " %s)",
		    rep_bytes(s->f.last, b, sizeof(b)), s->f.samples,
		    s->f.samples == 1 ? "figure" : "figures");
		vs = &t->v->space[i];
		if (vs->falling)
			fprintf(t->out, "; fell %s/h: empty in %.1f h at "
			    "that rate", rep_bytes((uint64_t)vs->per_hour, b,
			    sizeof(b)), vs->hours_left);
		putc('\n', t->out);
	}
	more(t, i, r->nspace, "stores");
}

static void
text_str(FILE *out, const char *s)
{
	rep_text_str(out, s);
}

static const struct lock_fmt text_lock_fmt = {
	text_str, report_time, "    ", "  ", "", "", "\n"
};

/*
 * Lock contention explained: the mailboxes polled by two sessions at
 * once, the refused and the holding client (agg/locks.c), why, and the
 * latest refused sessions.
 */
static void
text_locks(const struct tx *t)
{
	const struct result	*r = t->r;
	char			 a[32], b[32];
	const char		*why;
	size_t			 i, w = 16;

	if (r->nlocks_all == 0)
		return;
	heading(t, "Lock contention: who held the lock");
	fputs("  ", t->out);
	rep_lock_count(t->out, r, rep_num(r->nlocks_all, a, sizeof(a)),
	    rep_num(r->locks_held, b, sizeof(b)));
	fputc('\n', t->out);
	for (i = 0; i < r->nlock_pairs && i < t->rows; i++)
		w = name_width(r->lock_pairs[i].user, w);
	if (r->nlock_pairs > 0) {
		fputs("  ", t->out);
		cell(t, "mailbox", w);
		fputs("  refused client    held by client     times\n", t->out);
	}
	for (i = 0; i < r->nlock_pairs && i < t->rows; i++) {
		const struct lock_pair *p = &r->lock_pairs[i];

		fputs("  ", t->out);
		cell(t, p->user, w);
		fputs("  ", t->out);
		cell(t, p->client[0] != '\0' ? p->client : "-", 16);
		fputs("  ", t->out);
		cell(t, p->holder[0] != '\0' ? p->holder : "-", 16);
		fprintf(t->out, "  %5s", rep_num(p->events, a, sizeof(a)));
		if (p->imap)
			fputs("  IMAP", t->out);
		if (p->holder_user != NULL &&
		    strcmp(p->holder_user, p->user) != 0) {
			fputs(", held as ", t->out);
			rep_text_str(t->out, p->holder_user);
		}
		fputc('\n', t->out);
	}
	more(t, i, r->nlock_pairs, "pairs");
	if ((why = t->v->lock_why[0]) != NULL)
		fprintf(t->out, "  Why: %s\n", why);
	if ((why = t->v->lock_why[1]) != NULL)
		fprintf(t->out, "  Why (one client on both sides): %s\n",
		    why);
	if ((why = t->v->lock_why_imap) != NULL)
		fprintf(t->out, "  Why (IMAP): %s\n", why);
	fputs("  latest refused sessions\n", t->out);
	for (i = 0; i < r->nlocks && i < t->rows; i++)
		rep_lock_session(t->out, &r->locks[i], &text_lock_fmt);
	more(t, i, r->nlocks_all, "refused sessions");
}

/* One cause line per storage cause, then who and when. */
static void
text_storage(const struct tx *t)
{
	const struct result	*r = t->r;
	struct picks		 s[3];
	size_t			 i, j, w = 16, wn = 6;

	for (i = 0, j = 0; i < r->ncauses; i++)
		if (rep_cause_in(r->causes[i].cause, "storage")) {
			w = name_width(rep_cause_id(r->causes[i].cause), w);
			j++;
		}
	if (j == 0 && r->nspace == 0)
		return;
	s[0] = storage_pick(t, VIEW_USERS);
	s[1] = storage_pick(t, VIEW_HOSTS);
	s[2] = storage_pick(t, VIEW_HOURS);
	for (i = 0; i < 3; i++)
		for (j = 0; j < s[i].n; j++) {
			if (i < 2)
				w = name_width(s[i].p[j].e->name, w);
			wn = num_width(s[i].p[j].n) > wn ?
			    num_width(s[i].p[j].n) : wn;
		}
	heading(t, "Storage");
	for (i = 0; i < r->ncauses; i++) {
		if (!rep_cause_in(r->causes[i].cause, "storage"))
			continue;
		fputs("  ", t->out);
		cell(t, rep_cause_id(r->causes[i].cause), w + 2);
		count(t, r->causes[i].events, wn, SGR_RED);
		fputs(" events, ", t->out);
		nouns(t, r->causes[i].users, "user", "users");
		putc('\n', t->out);
	}
	storage_print(t, "top users", "users", &s[0], w, wn);
	storage_print(t, "top hosts", "hosts", &s[1], w, wn);
	storage_print(t, "busiest hours", "hours", &s[2], w, wn);
	for (i = 0; i < 3; i++)
		free(s[i].own);
	text_space(t);
}

/* --- top users ----------------------------------------------------- */

static void
text_top_users(const struct tx *t)
{
	const struct result	*r = t->r;
	const struct cause_row	*row;
	size_t			 i, j, n, w = 16, wn = 6, any = 0;

	/* one width for all causes, so the lists line up */
	for (i = 0; i < r->ncauses; i++) {
		row = &r->causes[i];
		for (j = 0; j < row->ntop && j < t->rows; j++, any++) {
			w = name_width(row->top[j].user, w);
			if (num_width(row->top[j].n) > wn)
				wn = num_width(row->top[j].n);
		}
	}
	if (any == 0)
		return;
	heading(t, "Top users by cause");
	for (i = 0; i < r->ncauses; i++) {
		row = &r->causes[i];
		if (row->ntop == 0)
			continue;
		n = row->ntop < t->rows ? row->ntop : t->rows;
		fputs("  ", t->out);
		rep_text_str(t->out, rep_cause_id(row->cause));
		fputs(" (", t->out);
		nouns(t, row->users, "user", "users");
		fputs(")\n", t->out);
		for (j = 0; j < n; j++) {
			fputs("    ", t->out);
			cell(t, row->top[j].user, w);
			fputs("  ", t->out);
			count(t, row->top[j].n, wn, cause_sgr(row->cause));
			putc('\n', t->out);
		}
		more(t, n, row->users, "users");
	}
}

/* --- clients, remotes ---------------------------------------------- */

/* The cause with most events in by_cause: "unknown_mailbox 1,100" */
static void
top_cause(const struct tx *t, const uint64_t *by_cause)
{
	int		 c, best = -1, nc = cause_count();
	char		 buf[32];

	for (c = 0; by_cause != NULL && c < nc; c++)
		if (by_cause[c] > 0 && (best < 0 || by_cause[c] > by_cause[best]))
			best = c;
	if (best < 0)
		return;
	rep_text_str(t->out, rep_cause_id(best));
	fprintf(t->out, " %s", rep_num(by_cause[best], buf, sizeof(buf)));
}

/*
 * Clients our server refused, networks rolled up where one dominates:
 * "203.0.113.0/24 (5 addresses)  1,100  unknown_mailbox 1,100".
 */
static void
text_clients(const struct tx *t)
{
	const struct result	*r = t->r;
	const struct where_row	*e;
	size_t			 i, n, w = 18, wn = 6;
	char			 buf[64];

	if (r->nclient_view == 0)
		return;
	n = r->nclient_view < t->rows ? r->nclient_view : t->rows;
	for (i = 0; i < n; i++) {
		w = name_width(r->client_view[i].name, w);
		if (num_width(r->client_view[i].events) > wn)
			wn = num_width(r->client_view[i].events);
	}
	heading(t, "Clients refused (inbound)");
	fputs("  ", t->out);
	cell(t, "client", w);
	fprintf(t->out, "  %*s  top cause, name\n", (int)wn, "events");
	for (i = 0; i < n; i++) {
		e = &r->client_view[i];
		fputs("  ", t->out);
		cell(t, e->name, w);
		fputs("  ", t->out);
		count(t, e->events, wn, NULL);
		fputs("  ", t->out);
		top_cause(t, e->by_cause);
		if (e->addrs > 1)
			fprintf(t->out, "  (%s addresses)",
			    rep_num(e->addrs, buf, sizeof(buf)));
		else if (e->note != NULL) {
			fputs("  ", t->out);
			rep_text_str(t->out, e->note);
		}
		putc('\n', t->out);
	}
	more(t, n, r->nclient_view, "clients");
}

/* Top clients by cause, as top users by cause. */
static void
text_top_clients(const struct tx *t)
{
	const struct result	*r = t->r;
	const struct cause_where *row;
	size_t			 i, j, n, w = 18, wn = 6, any = 0;

	for (i = 0; i < r->ncauses; i++) {
		row = rep_where(r, r->causes[i].cause);
		for (j = 0; j < row->ntop_clients && j < t->rows; j++, any++) {
			w = name_width(row->top_clients[j].key, w);
			if (num_width(row->top_clients[j].n) > wn)
				wn = num_width(row->top_clients[j].n);
		}
	}
	if (any == 0)
		return;
	heading(t, "Top clients by cause");
	for (i = 0; i < r->ncauses; i++) {
		row = rep_where(r, r->causes[i].cause);
		if (row->ntop_clients == 0)
			continue;
		n = row->ntop_clients < t->rows ? row->ntop_clients : t->rows;
		fputs("  ", t->out);
		rep_text_str(t->out, rep_cause_id(r->causes[i].cause));
		putc('\n', t->out);
		for (j = 0; j < n; j++) {
			fputs("    ", t->out);
			cell(t, row->top_clients[j].key, w);
			fputs("  ", t->out);
			count(t, row->top_clients[j].n, wn,
			    cause_sgr(r->causes[i].cause));
			putc('\n', t->out);
		}
	}
}

/* One remote: "URGENT far.example (mx.far.example)  3  policy... 3" */
static void
remote_row(const struct tx *t, const struct where_row *e, size_t wn)
{
	fputs("  ", t->out);
	if (e->urgent > 0)
		fprintf(t->out, "%sURGENT%s ", sgr(t, SGR_RED SGR_BOLD),
		    sgr(t, SGR_OFF));
	rep_text_str(t->out, e->name);
	if (e->note != NULL) {
		fputs(" (", t->out);
		rep_text_str(t->out, e->note);
		putc(')', t->out);
	}
	fputs("  ", t->out);
	count(t, e->events, wn, NULL);
	fputs("  ", t->out);
	top_cause(t, e->by_cause);
	putc('\n', t->out);
	if (e->reply != NULL) {
		fputs("      they said: ", t->out);
		wrap(t, e->reply, 17, 17);
	}
}

/*
 * Outbound deferrals and bounces by remote domain and MX host; remotes
 * that refused us for a blocklist or reputation (our IP listed) first.
 */
static void
text_remotes(const struct tx *t)
{
	const struct result	*r = t->r;
	size_t			 i, n, shown = 0, wn = 1;
	char			 buf[32];

	if (r->nremotes_shown == 0)
		return;
	n = r->nremotes_shown < t->rows ? r->nremotes_shown : t->rows;
	for (i = 0; i < r->nremotes_shown; i++)
		if (num_width(r->remotes[i].events) > wn)
			wn = num_width(r->remotes[i].events);
	heading(t, "Our mail refused by others (outbound)");
	fprintf(t->out, "  %s deferrals and bounces from %s remote domains",
	    rep_num(r->remote_events, buf, sizeof(buf)),
	    rep_num(r->nremotes, buf + 16, sizeof(buf) - 16));
	if (r->urgent_events > 0)
		fprintf(t->out, "; %s%s name a blocklist or our reputation: "
		    "our IP is listed%s", sgr(t, SGR_RED SGR_BOLD),
		    rep_num(r->urgent_events, buf, sizeof(buf)),
		    sgr(t, SGR_OFF));
	putc('\n', t->out);
	for (i = 0; i < r->nremotes_shown; i++)	/* urgent first */
		if (r->remotes[i].urgent > 0 && shown < n) {
			remote_row(t, &r->remotes[i], wn);
			shown++;
		}
	for (i = 0; i < r->nremotes_shown && shown < n; i++)
		if (r->remotes[i].urgent == 0) {
			remote_row(t, &r->remotes[i], wn);
			shown++;
		}
	more(t, shown, r->nremotes, "remote domains");
}

/* --- codes, pop3 --------------------------------------------------- */

/* "452", "[IN-USE]", "550 [X]" or "-" for the code column. */
static char *
code_label(const struct code_row *c, char *buf, size_t len)
{
	int	 nc = (int)strnlen(c->code, sizeof(c->code));
	int	 nr = (int)strnlen(c->resp, sizeof(c->resp));

	if (nc == 0 && nr == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*s%s%s%.*s%s", nc, c->code,
		    nc && nr ? " " : "", nr ? "[" : "", nr, c->resp,
		    nr ? "]" : "");
	return buf;
}

static char *
enh_label(const struct code_row *c, char *buf, size_t len)
{
	int	 n = (int)strnlen(c->enh, sizeof(c->enh));

	if (n == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*s", n, c->enh);
	return buf;
}

/*
 * The short form of a composed meaning: up to its first ": ", "; " or
 * " (" (the code's name before any explanation), and at most cols bytes,
 * cut on a character boundary with "...".
 */
static char *
shorten(char *s, size_t cols)
{
	static const char *const stops[] = { ": ", "; ", " (" };
	char	*cut;
	size_t	 n, i;

	for (i = 0; i < sizeof(stops) / sizeof(*stops); i++)
		if ((cut = strstr(s, stops[i])) != NULL && cut > s)
			*cut = '\0';
	n = strlen(s);

	if (n <= cols)
		return s;
	n = cols - 3;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(s + n, "...", 4);
	return s;
}

/*
 * The short meaning of a codes row: an enhanced code's detail says more
 * than the basic code ("550 5.7.1" is a refusal, not a missing mailbox),
 * so when the row has one with a specific detail (not x.y.0, "other"),
 * that detail after "class; subject: " is used.
 */
static char *
code_short(const struct code_row *c, char *buf, size_t len)
{
	char	*p;
	int	 v[3];

	if (sscanf(c->enh, "%d.%d.%d", &v[0], &v[1], &v[2]) == 3 &&
	    v[2] != 0) {
		code_meaning_enhanced(v[0], v[1], v[2], buf, len);
		if ((p = strstr(buf, "; ")) != NULL &&
		    (p = strstr(p + 2, ": ")) != NULL) {
			memmove(buf, p + 2, strlen(p + 2) + 1);
			return shorten(buf, MEANING_COLS);
		}
	}
	return shorten(rep_code_meaning(c, buf, len), MEANING_COLS);
}

static void
text_codes(const struct tx *t)
{
	const struct result	*r = t->r;
	const struct code_row	*c;
	char			 lab[64], enh[16], mean[512];
	size_t			 i, wc = 4, we = 8, wn = 6, wid = 5;

	if (r->ncodes == 0)
		return;
	for (i = 0; i < r->ncodes; i++) {
		c = &r->codes[i];
		wc = name_width(code_label(c, lab, sizeof(lab)), wc);
		we = name_width(enh_label(c, enh, sizeof(enh)), we);
		wid = name_width(rep_cause_id(c->cause), wid);
		if (num_width(c->events) > wn)
			wn = num_width(c->events);
	}
	heading(t, "Codes");
	fprintf(t->out, "  proto  %-*s  %-*s  %*s  %-*s  meaning\n", (int)wc,
	    "code", (int)we, "enhanced", (int)wn, "events", (int)wid, "cause");
	for (i = 0; i < r->ncodes; i++) {
		c = &r->codes[i];
		fprintf(t->out, "  %-5s  ", proto_name(c->proto));
		cell(t, code_label(c, lab, sizeof(lab)), wc);
		fputs("  ", t->out);
		cell(t, enh_label(c, enh, sizeof(enh)), we);
		fputs("  ", t->out);
		count(t, c->events, wn, cause_sgr(c->cause));
		fputs("  ", t->out);
		cell(t, rep_cause_id(c->cause), wid);
		fputs("  ", t->out);
		rep_text_str(t->out, code_short(c, mean, sizeof(mean)));
		putc('\n', t->out);
	}
}

static void
text_pop3(const struct tx *t)
{
	const struct result	*r = t->r;
	size_t			 i, n, wn = 6, wid = 5;

	if (r->npop3 == 0)
		return;
	n = r->npop3 < t->rows ? r->npop3 : t->rows;
	for (i = 0; i < n; i++) {
		wid = name_width(rep_cause_id(r->pop3[i].cause), wid);
		if (num_width(r->pop3[i].events) > wn)
			wn = num_width(r->pop3[i].events);
	}
	heading(t, "POP3 replies");
	fprintf(t->out, "  %*s  %-*s  reply\n", (int)wn, "events", (int)wid,
	    "cause");
	for (i = 0; i < n; i++) {
		fputs("  ", t->out);
		count(t, r->pop3[i].events, wn, cause_sgr(r->pop3[i].cause));
		fputs("  ", t->out);
		cell(t, rep_cause_id(r->pop3[i].cause), wid);
		fputs("  ", t->out);
		rep_text_str(t->out, r->pop3[i].reply);
		putc('\n', t->out);
	}
	more(t, n, r->npop3, "replies");
}

/* --- timeline, unclassified ----------------------------------------- */

static void
timeline_row(const struct tx *t, int64_t start, uint64_t n, uint64_t max,
    size_t wn)
{
	char	 buf[32];
	size_t	 bar;

	fprintf(t->out, "  %s  ", hour_label(start, buf, sizeof(buf)));
	count(t, n, wn, NULL);
	/* round up, so that any hour with events shows a mark */
	bar = n == 0 ? 0 : (size_t)(((double)n * BAR_WIDTH + (double)max - 1) /
	    (double)max);
	if (bar > BAR_WIDTH)
		bar = BAR_WIDTH;
	if (bar > 0) {
		putc(' ', t->out);
		while (bar-- > 0)
			putc('#', t->out);
	}
	putc('\n', t->out);
}

static void
text_timeline(const struct tx *t)
{
	const struct result	*r = t->r;
	const struct entity_row	*h;
	uint64_t		 max = 0;
	int64_t			 at;
	size_t			 i, wn = 6;

	for (i = 0; i < r->nhours; i++)
		if (r->hours[i].events > max)
			max = r->hours[i].events;
	if (max == 0)
		return;
	wn = num_width(max) > wn ? num_width(max) : wn;
	heading(t, "Timeline (error events per hour)");
	for (i = 0; i < r->nhours; i++) {
		h = &r->hours[i];
		if (h->start == T_NONE)
			continue;
		/* show quiet hours in short gaps, so the bars keep scale */
		if (i > 0 && r->hours[i - 1].start != T_NONE) {
			at = r->hours[i - 1].start + 3600;
			if (h->start - at > (int64_t)GAP_HOURS * 3600)
				fputs("  ...\n", t->out);
			else
				for (; at < h->start; at += 3600)
					timeline_row(t, at, 0, max, wn);
		}
		timeline_row(t, h->start, h->events, max, wn);
	}
}

static void
text_unclassified(const struct tx *t)
{
	const struct result	*r = t->r;
	const struct tmpl_row	*u;
	size_t			 i, n, wn = 6;

	if (r->nunclassified == 0)
		return;
	n = r->nunclassified < t->rows ? r->nunclassified : t->rows;
	for (i = 0; i < n; i++)
		if (num_width(r->unclassified[i].events) > wn)
			wn = num_width(r->unclassified[i].events);
	heading(t, "Unclassified (candidates for a rule)");
	fprintf(t->out, "  %*s  template\n", (int)wn, "events");
	for (i = 0; i < n; i++) {
		u = &r->unclassified[i];
		fputs("  ", t->out);
		count(t, u->events, wn, NULL);
		fputs("  ", t->out);
		rep_text_str(t->out, u->tmpl);
		fputs("\n  ", t->out);
		rep_pad(t->out, wn);
		fputs("  e.g. ", t->out);
		rep_text_str(t->out, u->example);
		putc('\n', t->out);
	}
	more(t, n, r->nunclassified, "templates");
}

int
report_text(FILE *out, const struct result *r, const struct report_opts *o)
{
	struct tx	 t = { out, r, rep_views(r), o->color,
	    o->top ? o->top : ROWS_DEFAULT };

	text_summary(&t, o->version);
	text_alerts(&t);
	if ((r->events == 0 || r->ncauses == 0) && r->nwarnings > 0) {
		fprintf(out, "\ninput not understood: %zu of %zu files had no "
		    "(or almost no) lines of a mail server this report knows, "
		    "so no error events could be found in them; see the "
		    "warnings above\n", r->nwarnings, r->nfiles);
	} else if (r->events == 0 || r->ncauses == 0) {
		fputs("\nno error events found\n", out);
	} else {
		text_causes(&t);
		text_remotes(&t);
		text_storage(&t);
		text_locks(&t);
		text_top_users(&t);
		text_clients(&t);
		text_top_clients(&t);
		text_codes(&t);
		text_pop3(&t);
		text_timeline(&t);
		text_unclassified(&t);
	}
	if (fflush(out) == EOF || ferror(out))
		return -1;
	return 0;
}
