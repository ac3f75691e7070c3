/*
 * The HTML report: one self-contained file that a postmaster opens on a
 * phone or prints. It holds no script, no font and no reference to any
 * other file; a Content-Security-Policy forbids them anyway, so even a
 * string that slipped past escaping could neither run nor call out. It
 * answers the text report's questions in the same order: summary tiles,
 * errors per hour by cause (an inline SVG stacked bar chart), causes
 * with their meaning, the storage section, top users per cause with a
 * first step, reply codes with meanings, then the long tables (POP3
 * replies, users, hosts, hours, unclassified templates, input files)
 * folded in <details>, which the print stylesheet unfolds.
 *
 * Each cause keeps one colour everywhere: the lock, auth and storage
 * groups in strong colours (storage in reds), the rest muted. Elements
 * carry stable ids and data-* attributes (id="total-events",
 * data-cause="quota_exceeded", data-events="3") for tests and scrapers.
 * Every string that came from a log goes through rep_html_str.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/event.h"
#include "mxtally/log.h"
#include "mxtally/parse.h"
#include "mxtally/report.h"
#include "report_int.h"

#define ROWS_DEFAULT	10	/* rows shown before a table folds */
#define ROWS_MAX	1000	/* users or hosts written; more go to CSV */
#define CODES_OPEN	30	/* a longer codes table folds */
#define CHART_DAYS	14	/* longer periods chart days, not hours */
#define CHART_SLOTS	800	/* more slots: chart only those with events */
#define CHART_QUIET	3	/* empty slots in a row drawn as one */

struct hw {
	FILE			*out;
	const struct result	*r;
	const struct result_views *v;	/* r's views (report_views) */
	size_t			 rows;	/* rows before a table folds */
	int			 nc;	/* cause_count() */
};

/* --- escaping, numbers, colours ----------------------------------- */

/*
 * Sequences that are valid UTF-8 but must not reach the page as they
 * are: C1 controls, the bidi embedding, override and isolate marks that
 * reorder text, and the noncharacters U+FDD0..U+FDEF and U+FFFE/U+FFFF
 * (HTML parse errors).
 */
static int
html_unsafe_seq(const unsigned char *p, size_t n)
{
	if (n == 1)
		return *p < 0x20 || *p == 0x7f || strchr("&<>\"'", *p) != NULL;
	if (n == 2)
		return p[0] == 0xc2 && p[1] <= 0x9f;
	if (n != 3)
		return 0;
	if (p[0] == 0xe2 && p[1] == 0x80)
		return p[2] >= 0xaa && p[2] <= 0xae;	/* U+202A..U+202E */
	if (p[0] == 0xe2 && p[1] == 0x81)
		return p[2] >= 0xa6 && p[2] <= 0xa9;	/* U+2066..U+2069 */
	if (p[0] == 0xef && p[1] == 0xb7)
		return p[2] >= 0x90 && p[2] <= 0xaf;	/* U+FDD0..U+FDEF */
	return p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe;
}

void
rep_html_str(FILE *out, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s, *run;
	size_t			 n = 0, i;

	if (s == NULL) {
		putc('-', out);
		return;
	}
	while (*p != '\0') {
		/* copy the longest run that needs no escape in one call */
		for (run = p; *p != '\0'; p += n)
			if ((n = rep_utf8_len(p)) == 0 || html_unsafe_seq(p, n))
				break;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), out);
		if (*p == '\0')
			break;
		switch (n == 1 ? *p : 0) {
		case '&':	fputs("&amp;", out); break;
		case '<':	fputs("&lt;", out); break;
		case '>':	fputs("&gt;", out); break;
		case '"':	fputs("&quot;", out); break;
		case '\'':	fputs("&#39;", out); break;
		default:
			if (n == 0)
				n = 1;		/* an invalid byte alone */
			for (i = 0; i < n; i++)
				fprintf(out, "\\x%02x", (unsigned)p[i]);
		}
		p += n;
	}
}

static void
num(const struct hw *h, uint64_t n)
{
	char	 buf[32];

	fputs(rep_num(n, buf, sizeof(buf)), h->out);
}

static const char *
cause_group(int cause)
{
	const struct cause_info *ci = rep_cause(cause);

	return ci != NULL && ci->group != NULL ? ci->group : "";
}

/* The colour swatch, id and group badge of a cause. */
static void
cause_label(const struct hw *h, int cause)
{
	const char	*g = cause_group(cause);

	fprintf(h->out, "<span class=\"sw\" style=\"color:%s\"></span>"
	    "<span class=\"cid\">", rep_cause_color(cause));
	rep_html_str(h->out, rep_cause_id(cause));
	fputs("</span>", h->out);
	if (*g != '\0') {
		fputs("<span class=\"grp ", h->out);
		rep_html_str(h->out, g);
		fputs("\">", h->out);
		rep_html_str(h->out, g);
		fputs("</span>", h->out);
	}
}

static void
attr(const struct hw *h, const char *name, const char *value)
{
	rep_html_attr(h->out, name, value);
}

/* Events of the causes in a group, for the summary tiles. */
static uint64_t
group_events(const struct result *r, const char *group)
{
	uint64_t	 n = 0;
	size_t		 i;

	for (i = 0; i < r->ncauses; i++)
		if (rep_cause_in(r->causes[i].cause, group))
			n += r->causes[i].events;
	return n;
}

/* --- head, summary ------------------------------------------------ */

static void
html_head(const struct hw *h, const char *version)
{
	char	 a[32], title[64];

	snprintf(title, sizeof(title), "Mail error report%s%s",
	    h->r->first != T_NONE ? " " : "", h->r->first != T_NONE ?
	    rep_html_when(h->r->first, a, sizeof(a)) : "");
	rep_html_head(h->out, version, title);
}

/*
 * A summary tile. The total of error events is the main one (twice as
 * wide); a group with no events gets a small muted tile, so that "0
 * lock" does not look as weighty as the total.
 */
static void
tile(const struct hw *h, const char *id, const char *cls, uint64_t n,
    const char *label)
{
	const char	*size = strcmp(id, "total-events") == 0 ? "main" :
			    n == 0 && cls != NULL ? "zero" : "";
	char		 c[64];

	snprintf(c, sizeof(c), "%s%s%s", cls != NULL ? cls : "",
	    cls != NULL && *size != '\0' ? " " : "", size);
	rep_html_tile(h->out, id, c[0] != '\0' ? c : NULL, n, label);
}

/* Says when --max-keys folded the least frequent keys into "(other)". */
static void
html_folded(const struct hw *h)
{
	struct rep_fold	 f[REP_FOLD_MAX];
	size_t		 i, n = rep_folded(h->r, f);

	if (n == 0)
		return;
	fputs("<p class=\"note\" id=\"folded\">Over <code>--max-keys ", h->out);
	num(h, h->r->max_keys);
	fputs("</code>, the least frequent keys were folded into "
	    "<b>(other)</b>:", h->out);
	for (i = 0; i < n; i++) {
		fputs(i > 0 ? ";" : "", h->out);
		fputs(" <span>", h->out);
		num(h, f[i].events);
		fprintf(h->out, "</span> events of %s", f[i].what);
	}
	fputs(".</p>\n", h->out);
}

/* "12.3 %" */
static void
pct(const struct hw *h, double v)
{
	fprintf(h->out, "%.1f&nbsp;%%", v);
}

/* " <b>3</b> received" */
static void
count_word(const struct hw *h, const char *sep, uint64_t n, const char *w)
{
	fputs(sep, h->out);
	fputs("<b>", h->out);
	num(h, n);
	fprintf(h->out, "</b> %s", w);
}

/*
 * The traffic and logins beside the errors, as the text report has
 * them, so that counts read as rates: which servers' traffic was
 * counted ("not counted" rather than a zero), messages, rejects of
 * attempts, bytes, and logins ok and failed per protocol.
 */
static void
html_traffic(const struct hw *h)
{
	const struct traffic	*tr = &h->r->traffic;
	const struct login_counts *l[3] = { &tr->pop3, &tr->imap,
	    &tr->smtp_auth };
	static const char *const names[3] = { "pop3", "imap", "smtp auth" };
	const char		*name, *sep = " (counted from ";
	int			 i, f, any = 0;

	fputs("<p id=\"traffic\"><b>Traffic</b>", h->out);
	if (tr->counted_from == 0) {
		fputs(": not counted (no traffic line of a server whose "
		    "traffic mxtally counts)</p>\n", h->out);
	} else {
		for (f = 1; f < 32; f++)
			if ((tr->counted_from & (UINT32_C(1) << f)) &&
			    (name = parse_family_name(f)) != NULL) {
				fputs(sep, h->out);
				rep_html_str(h->out, name);
				sep = ", ";
			}
		fputs("):", h->out);
		count_word(h, " ", tr->received, "received,");
		count_word(h, " ", tr->delivered, "delivered,");
		count_word(h, " ", tr->deferred, "deferred");
		fputs(" (", h->out);
		num(h, tr->deferrals);
		fputs(" deferrals),", h->out);
		count_word(h, " ", tr->bounced, "bounced,");
		count_word(h, " ", tr->rejected, "rejected");
		fputs(" (", h->out);
		pct(h, h->v->reject_pct);
		fputs(" of ", h->out);
		num(h, h->v->attempts);
		fputs(" attempts); ", h->out);
		num(h, tr->bytes_received);
		fputs(" bytes received, ", h->out);
		num(h, tr->bytes_delivered);
		fputs(" delivered.</p>\n", h->out);
	}
	for (i = 0; i < 3; i++) {
		if (l[i]->ok + l[i]->failed == 0)
			continue;
		fprintf(h->out, "%s%s", any ? "; " : "<p id=\"logins\"><b>"
		    "Logins</b>: ", names[i]);
		count_word(h, " ", l[i]->ok, "ok,");
		count_word(h, " ", l[i]->failed, "failed");
		fputs(" (", h->out);
		pct(h, h->v->login_failed_pct[i]);
		fputs(")", h->out);
		any = 1;
	}
	if (any)
		fputs(".</p>\n", h->out);
}

static void
html_summary(const struct hw *h, const char *version)
{
	const struct result	*r = h->r;
	char			 a[32], b[32], c[32], d[32];
	size_t			 i;

	fputs("<header>\n<h1>Mail error report</h1>\n<p class=\"sub\" "
	    "id=\"period\">", h->out);
	if (r->first != T_NONE)
		fprintf(h->out, "<time datetime=\"%s\">%s</time> to "
		    "<time datetime=\"%s\">%s</time>",
		    report_time(r->first, a, sizeof(a)),
		    rep_html_when(r->first, b, sizeof(b)),
		    report_time(r->last, c, sizeof(c)),
		    rep_html_when(r->last, d, sizeof(d)));
	else
		fputs("no timestamps", h->out);
	fputs(" &middot; mxtally ", h->out);
	rep_html_str(h->out, version);
	fputs("</p>\n</header>\n", h->out);
	if (r->nerrors > 0) {
		fputs("<section class=\"alert\" id=\"input-errors\">"
		    "<b>Inputs not read:</b>\n<ul>\n", h->out);
		for (i = 0; i < r->nerrors; i++) {
			fputs("<li><code>", h->out);
			rep_html_str(h->out, r->errors[i].path);
			fputs("</code>: ", h->out);
			rep_html_str(h->out, r->errors[i].error);
			fputs("</li>\n", h->out);
		}
		fputs("</ul>\n</section>\n", h->out);
	}
	if (r->nwarnings > 0) {
		fputs("<section class=\"alert\" id=\"input-warnings\">"
		    "<b>Inputs not understood</b> (no error events could be "
		    "found in them):\n<ul>\n", h->out);
		for (i = 0; i < r->nwarnings; i++) {
			fputs("<li><code>", h->out);
			rep_html_str(h->out, r->warnings[i].path);
			fputs("</code>: ", h->out);
			rep_html_str(h->out, r->warnings[i].error);
			fputs("</li>\n", h->out);
		}
		fputs("</ul>\n</section>\n", h->out);
	}
	fputs("<section class=\"tiles\" id=\"summary\">\n", h->out);
	tile(h, "total-events", NULL, r->events, "error events");
	tile(h, "total-users", NULL, r->nusers, "users");
	tile(h, "total-hosts", NULL, r->nhosts, "hosts");
	tile(h, "group-storage", "storage", group_events(r, "storage"),
	    "storage events");
	tile(h, "group-auth", "auth", group_events(r, "auth"), "auth events");
	tile(h, "group-lock", "lock", group_events(r, "lock"), "lock events");
	tile(h, "total-lines", NULL, r->lines, "lines read");
	if (r->unparsed_lines != 0)
		tile(h, "unparsed-lines", NULL, r->unparsed_lines,
		    "lines not understood");
	fputs("</section>\n", h->out);
	html_traffic(h);
	html_folded(h);
}

/* --- chart -------------------------------------------------------- */

struct chart {
	int64_t		 bucket;	/* seconds per slot: an hour or a day */
	size_t		 n;		/* slots */
	int		 sparse;	/* slots only where there are events */
	int64_t		*start;		/* slot starts */
	uint64_t	*events;	/* slot totals */
	uint64_t	*by;		/* n * nc counts by cause */
	uint64_t	*quiet;		/* n: empty slots a quiet slot stands
					   for, 0 = a slot of its own */
	uint64_t	 max;		/* busiest slot */
};

/* Adds hour e into slot k, which starts at s. */
static void
chart_add(const struct hw *h, struct chart *ch, size_t k, int64_t s,
    const struct entity_row *e)
{
	int	 c;

	ch->start[k] = s;
	ch->events[k] += e->events;
	for (c = 0; c < h->nc && e->by_cause != NULL; c++)
		ch->by[k * (size_t)h->nc + (size_t)c] += e->by_cause[c];
	if (ch->events[k] > ch->max)
		ch->max = ch->events[k];
}

static int64_t
floor_to(int64_t t, int64_t b)
{
	int64_t	 q = t / b;

	if (t % b < 0)
		q--;
	return q * b;
}

/*
 * Lays the hours with a timestamp out as chart slots: every hour from
 * the first to the last, days for periods of CHART_DAYS or longer; a
 * run of CHART_QUIET or more empty slots is drawn as one quiet slot
 * that says how long it was, so that a night without errors does not
 * push the busy hours apart. When that is still more than CHART_SLOTS,
 * only the non-empty slots. Returns 0 when nothing has a time.
 */
static int
chart_build(const struct hw *h, struct chart *ch)
{
	const struct result	*r = h->r;
	size_t			 i, k, lo = r->nhours;
	int64_t			 b, s, prev, gap;
	int			 pass;

	memset(ch, 0, sizeof(*ch));
	for (i = 0; i < r->nhours; i++)
		if (r->hours[i].start != T_NONE && lo == r->nhours)
			lo = i;
	if (lo == r->nhours)
		return 0;
	b = ch->bucket = r->hours[r->nhours - 1].start - r->hours[lo].start >=
	    (int64_t)CHART_DAYS * 86400 ? 86400 : 3600;
	for (pass = 0; pass < 2; pass++) {
		for (i = lo, k = 0, prev = T_NONE; i < r->nhours; i++) {
			s = floor_to(r->hours[i].start, b);
			if (s != prev && prev != T_NONE) {
				gap = (s - prev) / b - 1;
				if (ch->sparse || gap <= 0)
					;
				else if (gap >= CHART_QUIET) {
					if (pass) {
						ch->start[k] = prev + b;
						ch->quiet[k] = (uint64_t)gap;
					}
					k++;
				} else
					for (; gap > 0; gap--, k++)
						if (pass)
							ch->start[k] = s - gap * b;
			}
			if (s != prev)
				k++;
			prev = s;
			if (pass)
				chart_add(h, ch, k - 1, s, &r->hours[i]);
		}
		if (pass == 0) {
			if (k > CHART_SLOTS && !ch->sparse) {
				ch->sparse = 1;
				pass = -1;	/* count again, events only */
				continue;
			}
			ch->n = k;
			ch->start = xcalloc(k, sizeof(*ch->start));
			ch->quiet = xcalloc(k, sizeof(*ch->quiet));
			ch->events = xcalloc(k, sizeof(*ch->events));
			ch->by = xcalloc(k * (size_t)h->nc, sizeof(*ch->by));
		}
	}
	return 1;
}

static void
chart_free(struct chart *ch)
{
	free(ch->quiet);
	free(ch->start);
	free(ch->events);
	free(ch->by);
}

/* The report's chart: every cause a series, stacked busiest first. */
static void
chart_draw(const struct hw *h, const struct chart *ch)
{
	const struct result	*r = h->r;
	struct rep_chart	 rc = { 0 };
	const char		**label = xcalloc((size_t)h->nc, sizeof(*label));
	const char		**color = xcalloc((size_t)h->nc, sizeof(*color));
	size_t			*order = xcalloc(r->ncauses + 1, sizeof(*order));
	size_t			 i;
	int			 c;

	for (c = 0; c < h->nc; c++) {
		label[c] = rep_cause_id(c);
		color[c] = rep_cause_color(c);
	}
	for (i = 0; i < r->ncauses; i++)
		if ((c = r->causes[i].cause) >= 0 && c < h->nc)
			order[rc.norder++] = (size_t)c;
	rc.bucket = ch->bucket;
	rc.n = ch->n;
	rc.sparse = ch->sparse;
	rc.start = ch->start;
	rc.events = ch->events;
	rc.by = ch->by;
	rc.quiet = ch->quiet;
	rc.max = ch->max;
	rc.nser = (size_t)h->nc;
	rc.order = order;
	rc.label = label;
	rc.color = color;
	rep_chart_svg(h->out, &rc, "chart", "Error events");
	free(label);
	free(color);
	free(order);
}

static void
chart_legend(const struct hw *h)
{
	const struct result	*r = h->r;
	size_t			 i;

	fputs("<ul class=\"legend\" id=\"legend\">\n", h->out);
	for (i = 0; i < r->ncauses; i++) {
		fputs("<li", h->out);
		attr(h, "cause", rep_cause_id(r->causes[i].cause));
		fputs(">", h->out);
		cause_label(h, r->causes[i].cause);
		fputs(" ", h->out);
		num(h, r->causes[i].events);
		fputs("</li>\n", h->out);
	}
	fputs("</ul>\n", h->out);
}

/* "quota_exceeded 2, system_storage 1" in cause-number order. */
static void
by_cause_cell(const struct hw *h, const uint64_t *by, const char *group)
{
	int	 c, any = 0;

	for (c = 0; by != NULL && c < h->nc; c++) {
		if (by[c] == 0 || (group != NULL && !rep_cause_in(c, group)))
			continue;
		if (any++)
			fputs(", ", h->out);
		fprintf(h->out, "<span class=\"bc\"><span class=\"sw\" "
		    "style=\"color:%s\"></span>", rep_cause_color(c));
		rep_html_str(h->out, rep_cause_id(c));
		fputs(" ", h->out);
		num(h, by[c]);
		fputs("</span>", h->out);
	}
}

static void
html_timeline(const struct hw *h)
{
	const struct result	*r = h->r;
	struct chart		 ch;
	char			 a[32], t[32];
	size_t			 i;

	if (r->nhours == 0)
		return;
	fputs("<section id=\"timeline\">\n<h2>Errors over time</h2>\n",
	    h->out);
	if (chart_build(h, &ch)) {
		chart_draw(h, &ch);
		chart_free(&ch);
	}
	chart_legend(h);
	fprintf(h->out, "<details id=\"hours\"><summary>%zu hours with "
	    "errors</summary>\n<div class=\"scroll\"><table class=\"stack\">"
	    "\n<thead><tr><th>hour</th><th class=\"n\">events</th><th>causes</th></tr>"
	    "</thead>\n<tbody>\n", r->nhours);
	for (i = 0; i < r->nhours; i++) {
		fprintf(h->out, "<tr data-start=\"%s\" data-events=\"%llu\">"
		    "<td>%s</td><td class=\"n\">", report_time(r->hours[i].start,
		    t, sizeof(t)), (unsigned long long)r->hours[i].events,
		    r->hours[i].start == T_NONE ? "no time" :
		    rep_html_when(r->hours[i].start, a, sizeof(a)));
		num(h, r->hours[i].events);
		fputs("</td><td>", h->out);
		by_cause_cell(h, r->hours[i].by_cause, NULL);
		fputs("</td></tr>\n", h->out);
	}
	fputs("</tbody></table></div>\n</details>\n</section>\n", h->out);
}

/* --- causes ------------------------------------------------------- */

/*
 * Under a cause: "inbound 4 · outbound 1" and the checks that fired,
 * "411 by zen.spamhaus.org", each with its first reply as a tooltip.
 */
static void
html_cause_where(const struct hw *h, const struct cause_where *w)
{
	char		 lab[600];
	const char	*sep = "<div class=\"where\">";
	size_t		 j;
	int		 d;

	for (d = DIR_TO_CLIENT; d < DIR_COUNT; d++) {
		if (w->dir[d] == 0)
			continue;
		fprintf(h->out, "%s<span data-dir=\"%s\" data-events=\"%llu\">"
		    "%s ", sep, dir_name(d), (unsigned long long)w->dir[d],
		    dir_name(d));
		num(h, w->dir[d]);
		fputs("</span>", h->out);
		sep = " &middot; ";
	}
	if (sep[0] != '<')
		fputs("</div>", h->out);
	if (w->ndetail == 0)
		return;
	fputs("<ul class=\"det\">", h->out);
	for (j = 0; j < w->ndetail && j < h->rows; j++) {
		fputs("<li", h->out);
		attr(h, "detail", w->detail[j].key);
		fprintf(h->out, " data-events=\"%llu\"",
		    (unsigned long long)w->detail[j].n);
		if (w->detail[j].example != NULL) {
			fputs(" title=\"", h->out);
			rep_html_str(h->out, w->detail[j].example);
			putc('"', h->out);
		}
		fputs("><b>", h->out);
		num(h, w->detail[j].n);
		fputs("</b>", h->out);
		rep_html_str(h->out, rep_detail_label(w->detail[j].key, lab,
		    sizeof(lab)));
		fputs("</li>", h->out);
	}
	if (w->ndetail > j)
		fprintf(h->out, "<li class=\"note\">%zu more checks</li>",
		    w->ndetail - j);
	fputs("</ul>", h->out);
}

/*
 * "Our mail refused by others": outbound deferrals and bounces by
 * remote domain, the ones naming a blocklist or our reputation first and
 * marked urgent, each with the remote server's own reply.
 */
static void
html_remote_row(const struct hw *h, const struct where_row *e)
{
	fputs(e->urgent > 0 ? "<tr class=\"urgent\"" : "<tr", h->out);
	attr(h, "remote", e->name);
	fprintf(h->out, " data-events=\"%llu\" data-urgent=\"%llu\"><td>",
	    (unsigned long long)e->events, (unsigned long long)e->urgent);
	if (e->urgent > 0)
		fputs("<span class=\"urg\">URGENT: our IP listed</span>",
		    h->out);
	rep_html_str(h->out, e->name);
	if (e->note != NULL) {
		fputs("<div class=\"mean\">MX ", h->out);
		rep_html_str(h->out, e->note);
		fputs("</div>", h->out);
	}
	fputs("</td><td class=\"n\">", h->out);
	num(h, e->events);
	fputs("</td><td>", h->out);
	by_cause_cell(h, e->by_cause, NULL);
	if (e->reply != NULL) {
		fputs("<div class=\"reply\">they said: ", h->out);
		rep_html_str(h->out, e->reply);
		fputs("</div>", h->out);
	}
	fputs("</td></tr>\n", h->out);
}

static void
html_remotes(const struct hw *h)
{
	const struct result	*r = h->r;
	size_t			 i, shown = 0;

	if (r->nremotes_shown == 0)
		return;
	fputs("<section id=\"remotes\">\n<h2>Our mail refused by others"
	    "</h2>\n<p class=\"sub\">", h->out);
	num(h, r->remote_events);
	fputs(" outbound deferrals and bounces from ", h->out);
	num(h, r->nremotes);
	fputs(" remote domains", h->out);
	if (r->urgent_events > 0) {
		fputs("; <b class=\"urg\">", h->out);
		num(h, r->urgent_events);
		fputs(" name a blocklist or our reputation: our sending IP is "
		    "listed, delist it and check our sending reputation</b>",
		    h->out);
	}
	fputs(".</p>\n<div class=\"scroll\"><table class=\"stack\">\n<thead>"
	    "<tr><th>remote"
	    "</th><th class=\"n\">events</th><th>causes, reply</th></tr>"
	    "</thead>\n<tbody>\n", h->out);
	for (i = 0; i < r->nremotes_shown && shown < ROWS_MAX; i++)
		if (r->remotes[i].urgent > 0) {
			html_remote_row(h, &r->remotes[i]);
			shown++;
		}
	for (i = 0; i < r->nremotes_shown && shown < ROWS_MAX; i++)
		if (r->remotes[i].urgent == 0) {
			html_remote_row(h, &r->remotes[i]);
			shown++;
		}
	fputs("</tbody></table></div>\n", h->out);
	if (r->nremotes > shown) {
		fputs("<p class=\"note\">", h->out);
		num(h, r->nremotes - shown);
		fputs(" more remote domains: see <code>--format csv --table "
		    "remotes</code>.</p>\n", h->out);
	}
	fputs("</section>\n", h->out);
}

/* Clients we refused, networks rolled up where one dominates. */
static void
html_clients(const struct hw *h)
{
	const struct result	*r = h->r;
	const struct where_row	*e;
	size_t			 i, n = r->nclient_view;

	if (n == 0)
		return;
	fputs("<section id=\"clients\">\n<h2>Clients refused</h2>\n"
	    "<details open><summary>", h->out);
	num(h, r->nclients);
	fputs(" client addresses</summary>\n<div class=\"scroll\"><table>\n"
	    "<thead><tr><th>client</th><th class=\"n\">events</th>"
	    "<th>causes</th></tr></thead>\n<tbody>\n", h->out);
	for (i = 0; i < n && i < ROWS_MAX; i++) {
		e = &r->client_view[i];
		fputs("<tr", h->out);
		attr(h, "client", e->name);
		fprintf(h->out, " data-events=\"%llu\"><td>",
		    (unsigned long long)e->events);
		rep_html_str(h->out, e->name);
		if (e->addrs > 1) {
			fputs("<div class=\"mean\">", h->out);
			num(h, e->addrs);
			fputs(" addresses of one network</div>", h->out);
		} else if (e->note != NULL) {
			fputs("<div class=\"mean\">", h->out);
			rep_html_str(h->out, e->note);
			fputs("</div>", h->out);
		}
		fputs("</td><td class=\"n\">", h->out);
		num(h, e->events);
		fputs("</td><td>", h->out);
		by_cause_cell(h, e->by_cause, NULL);
		fputs("</td></tr>\n", h->out);
	}
	fputs("</tbody></table></div>\n", h->out);
	if (n > i) {
		fputs("<p class=\"note\">", h->out);
		num(h, (uint64_t)(n - i));
		fputs(" more: see <code>--format csv --table clients</code>."
		    "</p>\n", h->out);
	}
	fputs("</details>\n</section>\n", h->out);
}

static void
html_causes(const struct hw *h)
{
	const struct result	*r = h->r;
	const struct cause_row	*row;
	const struct cause_info	*ci;
	size_t			 i;

	fputs("<section id=\"causes\">\n<h2>Causes</h2>\n<div class=\"scroll\">"
	    "<table class=\"causes\">\n<thead><tr><th>cause</th>"
	    "<th class=\"n\">events</th>"
	    "<th class=\"n\">share</th><th class=\"n\">users</th></tr>"
	    "</thead>\n<tbody>\n", h->out);
	for (i = 0; i < r->ncauses; i++) {
		row = &r->causes[i];
		ci = rep_cause(row->cause);
		fputs("<tr", h->out);
		attr(h, "cause", rep_cause_id(row->cause));
		fprintf(h->out, " data-events=\"%llu\" data-users=\"%llu\">"
		    "<td>", (unsigned long long)row->events,
		    (unsigned long long)row->users);
		cause_label(h, row->cause);
		if (ci != NULL) {
			fputs("<div class=\"mean\">", h->out);
			rep_html_str(h->out, ci->meaning);
			fputs("</div>", h->out);
		}
		html_cause_where(h, rep_where(r, row->cause));
		fputs("</td><td class=\"n\">", h->out);
		num(h, row->events);
		fprintf(h->out, "</td><td class=\"n\">%.1f%%</td>"
		    "<td class=\"n\">", r->events != 0 ? 100.0 *
		    (double)row->events / (double)r->events : 0.0);
		num(h, row->users);
		fputs("</td></tr>\n", h->out);
	}
	fputs("</tbody></table></div>\n</section>\n", h->out);
}

/* --- storage ------------------------------------------------------ */

/* Users or hosts with storage events (view kind vk), busiest first. */
static void
storage_table(const struct hw *h, const char *id, const char *key, int vk)
{
	const struct view_pick *p = h->v->storage[vk];
	size_t		 i, k = h->v->nstorage[vk];

	if (k > 0) {
		fprintf(h->out, "<h3>By %s</h3>\n<div class=\"scroll\">"
		    "<table id=\"%s\" class=\"stack\">\n<thead><tr><th>%s</th>"
		    "<th class=\"n\">events</th><th>storage causes</th></tr>"
		    "</thead>\n<tbody>\n", key, id, key);
		for (i = 0; i < k && i < h->rows; i++) {
			fputs("<tr", h->out);
			attr(h, key, p[i].e->name);
			fprintf(h->out, " data-events=\"%llu\"><td>",
			    (unsigned long long)p[i].n);
			rep_html_str(h->out, p[i].e->name);
			fputs("</td><td class=\"n\">", h->out);
			num(h, p[i].n);
			fputs("</td><td>", h->out);
			by_cause_cell(h, p[i].e->by_cause, "storage");
			fputs("</td></tr>\n", h->out);
		}
		fputs("</tbody></table></div>\n", h->out);
		if (k > h->rows)
			fprintf(h->out, "<p class=\"note\">%zu more %ss with "
			    "storage events.</p>\n", k - h->rows, key);
	}
}

/* The free space servers logged: one row per store, lowest first. */
static void
html_space(const struct hw *h)
{
	const struct result	*r = h->r;
	const struct space_row	*s;
	const struct view_space	*vs;
	char			 b[32], c[32];
	size_t			 i;

	if (r->nspace == 0)
		return;
	fputs("<h3>Free space the server logged</h3>\n<div class=\"scroll\">"
	    "<table id=\"capacity\" class=\"stack\"><tr><th>host, store</th>"
	    "<th class=\"n\">lowest, when</th><th>last, trend</th></tr>\n",
	    h->out);
	for (i = 0; i < r->nspace; i++) {
		s = &r->space[i];
		fprintf(h->out, "<tr data-store=\"%s\"><td>", space_name(s->kind));
		rep_html_str(h->out, s->host[0] != '\0' ? s->host : "-");
		fprintf(h->out, " <span class=\"note\">%s</span></td>"
		    "<td class=\"n\" data-bytes=\"%llu\">%s<br><span "
		    "class=\"note\">%s</span></td>", space_name(s->kind),
		    (unsigned long long)s->f.min,
		    rep_bytes(s->f.min, b, sizeof(b)),
		    s->f.min_at != T_NONE ? rep_html_when(s->f.min_at, c,
		    sizeof(c)) : "-");
		fprintf(h->out, "<td data-bytes=\"%llu\"><span class=\"n\">%s"
		    "</span><br><span class=\"note\">",
		    (unsigned long long)s->f.last,
		    rep_bytes(s->f.last, b, sizeof(b)));
		vs = &h->v->space[i];
		if (vs->falling)
			fprintf(h->out, "fell %s/h, empty in %.1f&nbsp;h at "
			    "that rate", rep_bytes((uint64_t)vs->per_hour, b,
			    sizeof(b)), vs->hours_left);
		else
			fputs("not falling", h->out);
		fprintf(h->out, "; %llu figure%s</span></td></tr>\n",
		    (unsigned long long)s->f.samples, s->f.samples == 1 ?
		    "" : "s");
	}
	fputs("</table></div>\n", h->out);
}

static void
html_storage(const struct hw *h)
{
	const struct result	*r = h->r;
	size_t			 i;

	if (group_events(r, "storage") == 0 && r->nspace == 0)
		return;
	fputs("<section id=\"storage\">\n<h2>Storage</h2>\n<p class=\"note\">"
	    "A user's quota is full (quota_exceeded), or the server itself is "
	    "short of disk (system_storage, deleted_not_removed).</p>\n"
	    "<ul class=\"legend\">\n", h->out);
	for (i = 0; i < r->ncauses; i++) {
		if (!rep_cause_in(r->causes[i].cause, "storage"))
			continue;
		fputs("<li", h->out);
		attr(h, "cause", rep_cause_id(r->causes[i].cause));
		fprintf(h->out, " data-events=\"%llu\">",
		    (unsigned long long)r->causes[i].events);
		cause_label(h, r->causes[i].cause);
		fputs(": <b>", h->out);
		num(h, r->causes[i].events);
		fputs("</b> events, ", h->out);
		num(h, r->causes[i].users);
		fputs(r->causes[i].users == 1 ? " user</li>\n" : " users</li>\n",
		    h->out);
	}
	fputs("</ul>\n<div class=\"two\">\n<div>\n", h->out);
	storage_table(h, "storage-hosts", "host", VIEW_HOSTS);
	fputs("</div>\n<div>\n", h->out);
	storage_table(h, "storage-users", "user", VIEW_USERS);
	fputs("</div>\n</div>\n", h->out);
	html_space(h);
	fputs("</section>\n", h->out);
}

/* --- lock contention ---------------------------------------------- */

static const struct lock_fmt html_lock_fmt = {
	rep_html_str, rep_html_when, "<li>", " ", "<code>", "</code>", "</li>\n"
};

/* The mailboxes polled by two sessions at once, and who held the lock. */
static void
html_locks(const struct hw *h)
{
	const struct result	*r = h->r;
	const char		*why;
	char			 a[32], b[32];
	size_t			 i;

	if (r->nlocks_all == 0)
		return;
	fputs("<section id=\"locks\">\n<h2>Lock contention: who held the "
	    "lock</h2>\n<p>", h->out);
	rep_lock_count(h->out, r, rep_num(r->nlocks_all, a, sizeof(a)),
	    rep_num(r->locks_held, b, sizeof(b)));
	fputs("</p>\n", h->out);
	if (r->nlock_pairs > 0)
		fputs("<div class=\"scroll\"><table id=\"lock-pairs\" "
		    "class=\"stack\">\n<thead><tr><th>mailbox</th>"
		    "<th class=\"n\">times</th><th>refused client, held by"
		    "</th></tr></thead>\n<tbody>\n", h->out);
	for (i = 0; i < r->nlock_pairs && i < h->rows; i++) {
		const struct lock_pair *p = &r->lock_pairs[i];

		fputs("<tr", h->out);
		attr(h, "user", p->user);
		fprintf(h->out, " data-events=\"%llu\"><td>",
		    (unsigned long long)p->events);
		rep_html_str(h->out, p->user);
		fputs("</td><td class=\"n\">", h->out);
		num(h, p->events);
		fputs("</td><td><span class=\"mono\">", h->out);
		rep_html_str(h->out, p->client[0] != '\0' ? p->client : "-");
		fputs("</span> refused, held by <span class=\"mono\">", h->out);
		rep_html_str(h->out, p->holder[0] != '\0' ? p->holder : "-");
		fputs("</span>", h->out);
		if (p->holder_user != NULL &&
		    strcmp(p->holder_user, p->user) != 0) {
			fputs(" as ", h->out);
			rep_html_str(h->out, p->holder_user);
		}
		if (p->imap)
			fputs(" (IMAP)", h->out);
		fputs("</td></tr>\n", h->out);
	}
	if (r->nlock_pairs > 0)
		fputs("</tbody></table></div>\n", h->out);
	if ((why = h->v->lock_why[0]) != NULL)
		fprintf(h->out, "<p class=\"step\"><b>Why:</b> %s</p>\n",
		    why);
	if ((why = h->v->lock_why[1]) != NULL)
		fprintf(h->out, "<p class=\"step\"><b>Why (one client on "
		    "both sides):</b> %s</p>\n", why);
	if ((why = h->v->lock_why_imap) != NULL)
		fprintf(h->out, "<p class=\"step\"><b>Why (IMAP):</b> %s"
		    "</p>\n", why);
	fputs("<details><summary>latest refused sessions</summary>\n"
	    "<ul class=\"det\" id=\"lock-sessions\">\n", h->out);
	for (i = 0; i < r->nlocks && i < h->rows; i++)
		rep_lock_session(h->out, &r->locks[i], &html_lock_fmt);
	fputs("</ul></details>\n</section>\n", h->out);
}

/* --- top users ---------------------------------------------------- */

/* A cause card's top clients, networks rolled up. */
static void
html_card_clients(const struct hw *h, const struct cause_where *w)
{
	size_t	 j;

	if (w->ntop_clients == 0)
		return;
	fputs("<h4>clients</h4>\n<ol class=\"clients\">\n", h->out);
	for (j = 0; j < w->ntop_clients && j < h->rows; j++) {
		fputs("<li", h->out);
		attr(h, "client", w->top_clients[j].key);
		fprintf(h->out, " data-events=\"%llu\">",
		    (unsigned long long)w->top_clients[j].n);
		rep_html_str(h->out, w->top_clients[j].key);
		fputs("<span>", h->out);
		num(h, w->top_clients[j].n);
		fputs("</span></li>\n", h->out);
	}
	fputs("</ol>\n", h->out);
}

static void
html_top_users(const struct hw *h)
{
	const struct result	*r = h->r;
	const struct cause_where *wh;
	const struct cause_row	*row;
	const struct cause_info	*ci;
	size_t			 i, j;

	fputs("<section id=\"top-users\">\n<h2>Top users by cause</h2>\n"
	    "<div class=\"cards\">\n", h->out);
	for (i = 0; i < r->ncauses; i++) {
		row = &r->causes[i];
		ci = rep_cause(row->cause);
		fputs("<div class=\"card\"", h->out);
		attr(h, "cause", rep_cause_id(row->cause));
		fputs("><h3>", h->out);
		cause_label(h, row->cause);
		fputs("</h3>\n", h->out);
		wh = rep_where(r, row->cause);
		if (ci != NULL && ci->advice != NULL) {
			fputs("<p class=\"step\"><b>First step:</b> ", h->out);
			rep_html_str(h->out, rep_mostly_outbound(wh) ?
			    rep_advice_outbound(row->cause) : ci->advice);
			fputs("</p>\n", h->out);
		}
		if (ci != NULL && !rep_mostly_outbound(wh) &&
		    wh->dir[DIR_FROM_REMOTE] > 0) {
			fputs("<p class=\"step\"><b>Outbound:</b> ", h->out);
			rep_html_str(h->out, rep_advice_outbound(row->cause));
			fputs("</p>\n", h->out);
		}
		if (row->ntop > 0)
			fputs("<ol>\n", h->out);
		for (j = 0; j < row->ntop && j < h->rows; j++) {
			fputs("<li", h->out);
			attr(h, "user", row->top[j].user);
			fprintf(h->out, " data-events=\"%llu\">",
			    (unsigned long long)row->top[j].n);
			rep_html_str(h->out, row->top[j].user);
			fputs("<span>", h->out);
			num(h, row->top[j].n);
			fputs("</span></li>\n", h->out);
		}
		if (row->ntop > 0)
			fputs("</ol>\n", h->out);
		if (row->users > j) {
			fputs("<p class=\"note\">", h->out);
			num(h, row->users - j);
			fputs(j > 0 ? " more users</p>\n" : " users</p>\n",
			    h->out);
		} else if (row->users == 0) {
			fputs("<p class=\"note\">no user named</p>\n", h->out);
		}
		html_card_clients(h, wh);
		fputs("</div>\n", h->out);
	}
	fputs("</div>\n</section>\n", h->out);
}

/* --- codes, POP3 replies ------------------------------------------ */

/* A fixed-size code field in a cell, escaped; "" shows as a dash. */
static void
code_cell(const struct hw *h, const char *s, size_t size)
{
	char	 buf[32];
	size_t	 n = rep_code_field(s, size, buf, sizeof(buf));

	fputs("<td><code>", h->out);
	rep_html_str(h->out, n > 0 ? buf : NULL);
	fputs("</code></td>", h->out);
}

static void
html_codes(const struct hw *h)
{
	const struct result	*r = h->r;
	const struct code_row	*c;
	char			 mean[512];
	size_t			 i;
	int			 folded;

	if (r->ncodes == 0)
		return;
	fputs("<section id=\"codes\">\n<h2>Reply codes</h2>\n", h->out);
	folded = r->ncodes > CODES_OPEN;
	if (folded)
		fprintf(h->out, "<details><summary>%zu codes</summary>\n",
		    r->ncodes);
	fputs("<div class=\"scroll\"><table class=\"codes\">\n<thead><tr>"
	    "<th>proto</th><th>code</th><th>enhanced</th><th>response</th>"
	    "<th class=\"n\">events</th><th>cause</th><th>meaning</th></tr>"
	    "</thead>\n<tbody>\n", h->out);
	for (i = 0; i < r->ncodes; i++) {
		c = &r->codes[i];
		fprintf(h->out, "<tr data-protocol=\"%s\"", proto_name(c->proto));
		fprintf(h->out, " data-events=\"%llu\">",
		    (unsigned long long)c->events);
		fprintf(h->out, "<td>%s</td>", proto_name(c->proto));
		code_cell(h, c->code, sizeof(c->code));
		code_cell(h, c->enh, sizeof(c->enh));
		code_cell(h, c->resp, sizeof(c->resp));
		fputs("<td class=\"n\">", h->out);
		num(h, c->events);
		fputs("</td><td>", h->out);
		cause_label(h, c->cause);
		fputs("</td><td>", h->out);
		rep_html_str(h->out, rep_code_meaning(c, mean, sizeof(mean)));
		fputs("</td></tr>\n", h->out);
	}
	fputs("</tbody></table></div>\n", h->out);
	if (folded)
		fputs("</details>\n", h->out);
	fputs("</section>\n", h->out);
}

static void
html_pop3(const struct hw *h)
{
	const struct result	*r = h->r;
	size_t			 i;

	if (r->npop3 == 0)
		return;
	fprintf(h->out, "<section id=\"pop3\">\n<h2>POP3 replies</h2>\n"
	    "<details><summary>%zu reply templates</summary>\n"
	    "<div class=\"scroll\"><table>\n<thead><tr>"
	    "<th class=\"n\">events</th><th>cause</th><th>reply</th></tr>"
	    "</thead>\n<tbody>\n", r->npop3);
	for (i = 0; i < r->npop3; i++) {
		fprintf(h->out, "<tr data-events=\"%llu\"><td class=\"n\">",
		    (unsigned long long)r->pop3[i].events);
		num(h, r->pop3[i].events);
		fputs("</td><td>", h->out);
		cause_label(h, r->pop3[i].cause);
		fputs("</td><td><code>", h->out);
		rep_html_str(h->out, r->pop3[i].reply);
		fputs("</code></td></tr>\n", h->out);
	}
	fputs("</tbody></table></div>\n</details>\n</section>\n", h->out);
}

/* Fired alerts (--rules with alert sections), before everything else. */
static void
html_alerts(const struct hw *h)
{
	const struct result	*r = h->r;
	const struct alert_row	*a;
	char			 f[32], l[32];
	size_t			 i;

	if (r->nalerts == 0)
		return;
	fprintf(h->out, "<section id=\"alerts\">\n<h2>Alerts</h2>\n"
	    "<div class=\"scroll\"><table>\n<thead><tr><th>severity</th>"
	    "<th>rule</th><th>key</th><th class=\"n\">events</th>"
	    "<th>window</th><th>first</th><th>last</th><th>state</th></tr>"
	    "</thead>\n<tbody>\n");
	for (i = 0; i < r->nalerts; i++) {
		a = &r->alerts[i];
		fputs("<tr data-rule=\"", h->out);
		rep_html_str(h->out, a->rule);
		fprintf(h->out, "\" data-events=\"%llu\"><td>",
		    (unsigned long long)a->value);
		rep_html_str(h->out, a->severity);
		fputs("</td><td>", h->out);
		rep_html_str(h->out, a->rule);
		fputs("</td><td>", h->out);
		rep_html_str(h->out, a->key[0] != '\0' ? a->key : "-");
		fputs("</td><td class=\"n\">", h->out);
		num(h, a->value);
		fputs("</td><td>", h->out);
		rep_html_str(h->out, a->window);
		fprintf(h->out, "</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
		    report_time(a->first, f, sizeof(f)),
		    report_time(a->last, l, sizeof(l)),
		    a->firing ? "firing" : "resolved");
	}
	fputs("</tbody></table></div>\n</section>\n", h->out);
}

/* --- users, hosts, unclassified, input ----------------------------- */

static void
html_entities(const struct hw *h, const char *id, const char *title,
    const char *key, const struct entity_row *rows, size_t n, uint64_t all)
{
	size_t	 i, shown = n < ROWS_MAX ? n : ROWS_MAX;

	if (n == 0)
		return;
	fprintf(h->out, "<section id=\"%s\">\n<h2>%s</h2>\n<details>"
	    "<summary>%zu %ss</summary>\n<div class=\"scroll\"><table>\n"
	    "<thead><tr><th>%s</th><th class=\"n\">events</th>"
	    "<th>causes</th></tr></thead>\n<tbody>\n", id, title, n, key, key);
	for (i = 0; i < shown; i++) {
		fputs("<tr", h->out);
		attr(h, key, rows[i].name);
		fprintf(h->out, " data-events=\"%llu\"><td>",
		    (unsigned long long)rows[i].events);
		rep_html_str(h->out, rows[i].name);
		fputs("</td><td class=\"n\">", h->out);
		num(h, rows[i].events);
		fputs("</td><td>", h->out);
		by_cause_cell(h, rows[i].by_cause, NULL);
		fputs("</td></tr>\n", h->out);
	}
	fputs("</tbody></table></div>\n", h->out);
	if (all > shown) {
		fputs("<p class=\"note\">", h->out);
		num(h, all - shown);
		fprintf(h->out, " more %ss: see <code>--format csv --table "
		    "%ss</code>.</p>\n", key, key);
	}
	fputs("</details>\n</section>\n", h->out);
}

static void
html_unclassified(const struct hw *h)
{
	const struct result	*r = h->r;
	const struct tmpl_row	*u;
	size_t			 i;

	if (r->nunclassified == 0)
		return;
	fprintf(h->out, "<section id=\"unclassified\">\n<h2>Unclassified "
	    "replies</h2>\n<p class=\"note\">Candidates for a rule "
	    "(<code>--rules</code>).</p>\n<details><summary>%zu templates"
	    "</summary>\n<div class=\"scroll\"><table>\n<thead><tr>"
	    "<th class=\"n\">events</th><th>template and example</th></tr>"
	    "</thead>\n<tbody>\n", r->nunclassified);
	for (i = 0; i < r->nunclassified; i++) {
		u = &r->unclassified[i];
		fprintf(h->out, "<tr data-events=\"%llu\"><td class=\"n\">",
		    (unsigned long long)u->events);
		num(h, u->events);
		fputs("</td><td><code>", h->out);
		rep_html_str(h->out, u->tmpl);
		fputs("</code><div class=\"mean\">e.g. <code>", h->out);
		rep_html_str(h->out, u->example);
		fputs("</code></div></td></tr>\n", h->out);
	}
	fputs("</tbody></table></div>\n</details>\n</section>\n", h->out);
}

static void
html_input(const struct hw *h)
{
	const struct result	*r = h->r;
	size_t			 i;

	fprintf(h->out, "<section id=\"input\">\n<h2>Input</h2>\n<details>"
	    "<summary>%zu files, ", r->nfiles);
	num(h, r->lines);
	fputs(" lines, ", h->out);
	num(h, r->error_lines);
	fputs(" with errors, ", h->out);
	num(h, r->unparsed_lines);
	fputs(" unparsed</summary>\n<div class=\"scroll\"><table>\n<thead><tr>"
	    "<th>file</th><th>format</th><th>layout</th>"
	    "<th class=\"n\">lines</th><th class=\"n\">recognised</th>"
	    "<th class=\"n\">bytes</th></tr></thead>\n<tbody>\n", h->out);
	for (i = 0; i < r->nfiles; i++) {
		fputs("<tr><td><code>", h->out);
		rep_html_str(h->out, r->files[i].path);
		fputs("</code></td><td>", h->out);
		rep_html_str(h->out, r->files[i].format != NULL ?
		    r->files[i].format : "plain");
		fputs("</td><td>", h->out);
		rep_html_str(h->out, r->files[i].layout != NULL ?
		    r->files[i].layout : "");
		fputs("</td><td class=\"n\">", h->out);
		num(h, r->files[i].lines);
		fputs("</td><td class=\"n\">", h->out);
		if (r->files[i].layout != NULL)
			num(h, r->files[i].recognised);
		fputs("</td><td class=\"n\">", h->out);
		num(h, r->files[i].bytes);
		fputs("</td></tr>\n", h->out);
	}
	fputs("</tbody></table></div>\n", h->out);
	if (r->overlong_lines != 0) {
		fputs("<p class=\"note\">", h->out);
		num(h, r->overlong_lines);
		fputs(" overlong lines were cut at 64 KiB.</p>\n", h->out);
	}
	fputs("</details>\n</section>\n", h->out);
}

int
report_html(FILE *out, const struct result *r, const struct report_opts *o)
{
	struct hw	 h = { out, r, rep_views(r), o->top ? o->top :
	    ROWS_DEFAULT, cause_count() };
	const char	*version = o->version != NULL ? o->version : "";

	html_head(&h, version);
	html_summary(&h, version);
	fputs("<main>\n", out);
	html_alerts(&h);
	if (r->events == 0 || r->ncauses == 0) {
		fputs("<p id=\"no-events\">No error events found.</p>\n", out);
	} else {
		html_timeline(&h);
		html_causes(&h);
		html_remotes(&h);
		html_storage(&h);
		html_locks(&h);
		html_top_users(&h);
		html_clients(&h);
		html_codes(&h);
		html_pop3(&h);
		html_entities(&h, "users", "Users", "user", r->users,
		    r->nusers_shown, r->nusers);
		html_entities(&h, "hosts", "Hosts", "host", r->hosts,
		    r->nhosts_shown, r->nhosts);
		html_unclassified(&h);
	}
	html_input(&h);
	fputs("</main>\n<footer>Generated by mxtally ", out);
	rep_html_str(out, version);
	fputs(". Counts are error replies; a user is the mailbox or login the "
	    "failure is about.</footer>\n</body>\n</html>\n", out);
	if (fflush(out) == EOF || ferror(out))
		return -1;
	return 0;
}
