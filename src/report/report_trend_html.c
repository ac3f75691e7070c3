/*
 * The trend as one self-contained HTML page, built like the report's
 * (report_page.c: the same stylesheet, head, tiles, cause colours and
 * stacked bar chart), so that it reads on a phone (390 px) and on a
 * desktop: the answers first, the events per day by cause (days without
 * a recorded run drawn as dashed outlines, not as zeros), then each part
 * in its own section with its units and first step: system storage per
 * host (#system), mailbox quota per user (#quota), other causes as rates
 * (#rates). Each row has a small bar per recorded day in the colours of
 * its own causes. Rows carry data-* attributes for tests and scrapers;
 * every name from a log goes through rep_html_str.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "mxtally/trend.h"
#include "report_int.h"

#define SPARK_SLOT	8	/* a day in a row's bars, SVG units */
#define SPARK_MAX	240	/* a row's bars are never wider */
#define SPARK_H		22

static const char *
color_of(const char *id)
{
	return rep_cause_color(cause_find(id, strlen(id)));
}

static void
num(FILE *out, uint64_t n)
{
	char	 buf[32];

	fputs(rep_num(n, buf, sizeof(buf)), out);
}

/* A cause's swatch and id, as in the report's legend. */
static void
cause_label(FILE *out, const char *id)
{
	fprintf(out, "<span class=\"sw\" style=\"color:%s\"></span>",
	    color_of(id));
	rep_html_str(out, id);
}

/* Days from the first recorded day of the window to the newest. */
static size_t
span(const struct trend *t)
{
	return t->nd ? (size_t)(t->dn[t->nd - 1] - t->dn[0] + 1) : 0;
}

/*
 * A row's bars: one slot per calendar day from the first recorded day,
 * stacked by the part's causes in their colours; unrecorded days stay
 * empty (the chart above draws them as outlines).
 */
static void
spark(FILE *out, const struct trend *t, const struct trend_part *p,
    const struct trend_series *s)
{
	size_t		 i, k, n = span(t);
	uint64_t	 max = 1, v;
	double		 slot = (double)SPARK_SLOT, x, y, hgt;
	char		 day[16];

	if (n * SPARK_SLOT > SPARK_MAX)
		slot = (double)SPARK_MAX / (double)n;
	for (i = 0; i < t->nd; i++)
		if (s->n[i] > max)
			max = s->n[i];
	fprintf(out, "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %.0f %d\" width=\"%.0f\" height=\"%d\" "
	    "role=\"img\"><title>", slot * (double)n, SPARK_H,
	    slot * (double)n, SPARK_H);
	for (i = 0; i < t->nd; i++)
		fprintf(out, "%s%" PRIu64, i ? " " : "", s->n[i]);
	fputs("</title>", out);
	for (i = 0; i < t->nd; i++) {
		x = (double)(t->dn[i] - t->dn[0]) * slot;
		y = SPARK_H;
		for (k = 0; k < p->ncauses; k++) {
			if ((v = s->by[i * p->ncauses + k]) == 0)
				continue;
			hgt = (SPARK_H - 2) * (double)v / (double)max;
			y -= hgt;
			fprintf(out, "<rect x=\"%.1f\" y=\"%.2f\" width=\"%.1f\" "
			    "height=\"%.2f\" fill=\"%s\"", x + slot * 0.1, y,
			    slot * 0.8, hgt,
			    color_of(t->causes[p->causes[k]]));
			rep_html_attr(out, "cause", t->causes[p->causes[k]]);
			fprintf(out, " data-events=\"%" PRIu64 "\"><title>%s: "
			    "%" PRIu64 "</title></rect>", v, trend_day(t->dn[i],
			    day, sizeof(day)), v);
		}
	}
	fputs("</svg>", out);
}

/* The events per day and cause as a table, folded like the report's. */
static void
html_perday(FILE *out, const struct trend *t)
{
	char	 day[16];
	size_t	 i, c;

	fprintf(out, "<details id=\"per-day\"><summary>%zu recorded days"
	    "</summary>\n<div class=\"scroll\"><table class=\"tt\">\n<thead>"
	    "<tr><th>day</th><th class=\"n\">events</th>", t->nd);
	for (c = 0; c < t->ncauses; c++) {
		fputs("<th class=\"n\">", out);
		rep_html_str(out, t->causes[c]);
		fputs("</th>", out);
	}
	fputs("</tr></thead>\n<tbody>\n", out);
	for (i = 0; i < t->nd; i++) {
		fprintf(out, "<tr data-day=\"%s\" data-events=\"%" PRIu64
		    "\"><td>%s</td><td class=\"n\">", trend_day(t->dn[i], day,
		    sizeof(day)), t->day_events[i], day);
		num(out, t->day_events[i]);
		fputs("</td>", out);
		for (c = 0; c < t->ncauses; c++) {
			fputs("<td class=\"n\">", out);
			num(out, t->rates[c].n[i]);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n</details>\n", out);
}

/* The events per day by cause, over every day from the first recorded. */
static void
html_daily(FILE *out, const struct trend *t)
{
	struct rep_chart	 ch = { 0 };
	size_t			 n = span(t), i, c;
	int64_t			*start = xcalloc(n, sizeof(*start));
	uint64_t		*ev = xcalloc(n, sizeof(*ev));
	uint64_t		*by = xcalloc(n * t->ncauses + 1, sizeof(*by));
	unsigned char		*unknown = xcalloc(n, 1);
	size_t			*order = xcalloc(t->ncauses + 1, sizeof(*order));
	const char		**color = xcalloc(t->ncauses + 1,
	    sizeof(*color));

	for (i = 0; i < n; i++) {
		start[i] = ((int64_t)t->dn[0] + (int64_t)i) * 86400;
		unknown[i] = 1;
	}
	for (i = 0; i < t->nd; i++) {
		size_t j = (size_t)(t->dn[i] - t->dn[0]);

		unknown[j] = 0;
		for (c = 0; c < t->ncauses; c++)
			by[j * t->ncauses + c] = t->rates[c].n[i];
		ev[j] = t->day_events[i];
		if (ev[j] > ch.max)
			ch.max = ev[j];
	}
	for (c = 0; c < t->ncauses; c++) {
		order[c] = c;
		color[c] = color_of(t->causes[c]);
	}
	ch.bucket = 86400;
	ch.n = n;
	ch.start = start;
	ch.events = ev;
	ch.by = by;
	ch.nser = ch.norder = t->ncauses;
	ch.order = order;
	ch.label = t->causes;
	ch.color = color;
	ch.unknown = unknown;
	fputs("<section id=\"daily\">\n<h2>Events per day</h2>\n", out);
	rep_chart_svg(out, &ch, "chart", "Events");
	fputs("<ul class=\"legend\" id=\"legend\">\n", out);
	for (c = 0; c < t->ncauses; c++) {
		fputs("<li", out);
		rep_html_attr(out, "cause", t->causes[c]);
		fprintf(out, " data-events=\"%" PRIu64 "\">", t->rates[c].total);
		cause_label(out, t->causes[c]);
		fputs(" ", out);
		num(out, t->rates[c].total);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
	if (n > t->nd)
		fprintf(out, "<p class=\"note\">Dashed outlines: %zu day%s "
		    "without a recorded run, left out of every line (unknown, "
		    "not zero).</p>\n", n - t->nd, n - t->nd == 1 ? "" : "s");
	html_perday(out, t);
	fputs("</section>\n", out);
	free(start);
	free(ev);
	free(by);
	free(unknown);
	free(order);
	free(color);
}


static void
part_open(FILE *out, const struct trend *t, const struct trend_part *p)
{
	const struct rep_trend_words	*w = rep_trend_words(p->kind);
	size_t				 i;

	fprintf(out, "<section id=\"%s\">\n<h2>%s</h2>\n<p class=\"note\">",
	    w->id, w->title);
	rep_html_str(out, w->note);
	fputs(" Causes:", out);
	for (i = 0; i < p->ncauses; i++) {
		fputs(i ? ", " : " ", out);
		cause_label(out, t->causes[p->causes[i]]);
	}
	fputs(".</p>\n", out);
}

static void
part_close(FILE *out, const struct trend *t, const struct trend_part *p,
    const char *extra)
{
	const char	*a = rep_trend_advice(t, p);

	if (p->nrows > t->top)
		fprintf(out, "<p class=\"note\">%zu more %s (<code>--top"
		    "</code>).</p>\n", p->nrows - t->top,
		    rep_trend_words(p->kind)->keys);
	if (*a != '\0' && p->kind != TREND_RATE) {
		fputs("<p class=\"step\"><b>First step:</b> ", out);
		rep_html_str(out, a);
		if (extra != NULL) {
			fputc(' ', out);
			rep_html_str(out, extra);
		}
		fputs("</p>\n", out);
	}
	fputs("</section>\n", out);
}

static void
cell_slope(FILE *out, const struct trend_series *s)
{
	fprintf(out, "<td class=\"n wide\">%+.2f</td>", s->slope);
}

/* "500.0 MiB" and "-100.0 MiB/day", or "6.10/day" and "+0.70/day" */
static void
system_cells(FILE *out, const struct trend_series *s)
{
	char	 a[32], b[32];

	if (s->free == NULL) {
		fprintf(out, "<td class=\"n wide\">%.2f/day</td>", s->now);
		fprintf(out, "<td class=\"n wide\">%+.2f/day</td>", s->slope);
		return;
	}
	fprintf(out, "<td class=\"n wide\" data-bytes=\"%.0f\">%s</td>",
	    s->free->now, rep_bytes((uint64_t)s->free->now, a, sizeof(a)));
	if (s->free->fit == TREND_FREE_NONE)
		fputs("<td class=\"n wide\">-</td>", out);
	else
		fprintf(out, "<td class=\"n wide\">%s/day</td>",
		    rep_trend_bytes(s->free->slope, b, sizeof(b)));
}

static void
system_row(FILE *out, const struct trend *t, const struct trend_part *p,
    const struct trend_series *s)
{
	fputs("<tr", out);
	rep_html_attr(out, "host", s->name);
	if (s->free != NULL)
		rep_html_attr(out, "store", s->free->store);
	fprintf(out, " data-events=\"%" PRIu64 "\" data-days-to=\"%ld\" "
	    "data-days-to-full=\"%ld\" data-basis=\"%s\"><td class=\"nm\">",
	    s->total, s->days_to, s->days_full, trend_basis_id(s->basis));
	rep_html_str(out, s->name);
	if (s->free != NULL) {
		fputs(" <span class=\"note\">", out);
		rep_html_str(out, s->free->store);
		fputs("</span>", out);
	}
	/* under the name, so that it stays on a phone's narrow table */
	fprintf(out, "<br><span class=\"note basis\">%s</span>",
	    trend_basis_words(s->basis));
	if (s->days_full < 0)
		fputs("</td><td class=\"n\">-</td>", out);
	else
		fprintf(out, "</td><td class=\"n\">%ld</td>", s->days_full);
	system_cells(out, s);
	fprintf(out, "<td class=\"n\">%" PRIu64 "</td><td>", s->total);
	spark(out, t, p, s);
	fputs("</td></tr>\n", out);
}

static void
html_system(FILE *out, const struct trend *t, const struct trend_part *p)
{
	size_t	 i;

	part_open(out, t, p);
	if (p->nrows == 0) {
		fputs("<p>No host refused mail for lack of space.</p>\n", out);
		part_close(out, t, p, NULL);
		return;
	}
	fprintf(out, "<p class=\"note\">Days to full: to 0 bytes free "
	    "(from logged free space) or to %g refusals a day (from event "
	    "counts).</p>\n", t->threshold);
	fputs("<div class=\"scroll\"><table class=\"tt\" "
	    "id=\"system-table\">\n<thead><tr><th>host (basis)</th>"
	    "<th class=\"n\">days to full</th><th class=\"n wide\">now</th>"
	    "<th class=\"n wide\">change/day</th><th class=\"n\">total</th>"
	    "<th>refusals per day</th></tr></thead>\n<tbody>\n", out);
	for (i = 0; i < p->nrows && i < t->top; i++)
		system_row(out, t, p, &p->rows[i]);
	fputs("</tbody></table></div>\n", out);
	part_close(out, t, p, NULL);
}

static void
html_quota(FILE *out, const struct trend *t, const struct trend_part *p)
{
	size_t	 i;

	part_open(out, t, p);
	if (p->nrows == 0) {
		fputs("<p>No user was over quota.</p>\n", out);
		part_close(out, t, p, NULL);
		return;
	}
	fprintf(out, "<p id=\"users-per-day\">Users over quota a day: <b>");
	for (i = 0; i < t->nd; i++)
		fprintf(out, "%s%" PRIu64, i ? " " : "", p->keys.n[i]);
	fprintf(out, "</b> (%s, %+.2f/day each day).</p>\n",
	    trend_direction(&p->keys), p->keys.slope);
	fputs("<div class=\"scroll\"><table class=\"tt\" id=\"quota-table\">\n<thead><tr>"
	    "<th>user</th><th class=\"n\">newest</th><th class=\"n "
	    "wide\">days</th><th>trend</th><th class=\"n wide\">slope/day"
	    "</th>"
	    "<th class=\"n\">total</th><th>per day</th></tr></thead>\n"
	    "<tbody>\n", out);
	for (i = 0; i < p->nrows && i < t->top; i++) {
		const struct trend_series *s = &p->rows[i];

		fputs("<tr", out);
		rep_html_attr(out, "user", s->name);
		fprintf(out, " data-events=\"%" PRIu64 "\" data-newest=\"%"
		    PRIu64 "\" data-days=\"%zu\"><td class=\"nm\">", s->total,
		    s->n[t->nd - 1], s->days);
		rep_html_str(out, s->name);
		fprintf(out, "</td><td class=\"n\">%" PRIu64 "</td><td "
		    "class=\"n wide\">%zu/%zu</td><td>%s</td>", s->n[t->nd - 1],
		    s->days, t->nd, trend_direction(s));
		cell_slope(out, s);
		fprintf(out, "<td class=\"n\">%" PRIu64 "</td><td>", s->total);
		spark(out, t, p, s);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
	part_close(out, t, p, "When many users are over quota, or their "
	    "number rises day after day, the default quota is too small for "
	    "how the mail is used: raise it, and the storage behind it.");
}

static void
rate_row(FILE *out, const struct trend *t, const struct trend_part *p,
    const struct trend_series *s, const char *key)
{
	fputs("<tr", out);
	rep_html_attr(out, key, s->name);
	fprintf(out, " data-events=\"%" PRIu64 "\" data-trend=\"%s\"><td "
	    "class=\"nm\">",
	    s->total, trend_direction(s));
	if (strcmp(key, "cause") == 0)
		cause_label(out, s->name);
	else
		rep_html_str(out, s->name);
	fprintf(out, "</td><td>%s</td>", trend_direction(s));
	cell_slope(out, s);
	fprintf(out, "<td class=\"n\">%.2f</td><td class=\"n\">%" PRIu64
	    "</td><td>", s->now, s->total);
	if (s->by != NULL)
		spark(out, t, p, s);
	else
		for (size_t i = 0; i < t->nd; i++)
			fprintf(out, "%s%" PRIu64, i ? " " : "", s->n[i]);
	fputs("</td></tr>\n", out);
}

static void
html_rates(FILE *out, const struct trend *t, const struct trend_part *p)
{
	static const char head[] = "<th>trend</th><th class=\"n wide\">"
	    "slope/day</th><th class=\"n\">now/day</th><th class=\"n\">total</th>"
	    "<th>per day</th></tr></thead>\n<tbody>\n";
	size_t	 i;

	part_open(out, t, p);
	fprintf(out, "<div class=\"scroll\"><table class=\"tt\" id=\"rates-causes\">\n"
	    "<thead><tr><th>cause</th>%s", head);
	for (i = 0; i < p->ncauses; i++)
		rate_row(out, t, p, &t->rates[p->causes[i]], "cause");
	fputs("</tbody></table></div>\n", out);
	if (p->nrows > 0) {
		fprintf(out, "<h3>Hosts, fastest rise first</h3>\n<div "
		    "class=\"scroll\"><table class=\"tt\" id=\"rates-hosts\">\n<thead><tr>"
		    "<th>host</th>%s", head);
		for (i = 0; i < p->nrows && i < t->top; i++)
			rate_row(out, t, p, &p->rows[i], "host");
		fputs("</tbody></table></div>\n", out);
	}
	part_close(out, t, p, NULL);
}

static void
html_tiles(FILE *out, const struct trend *t)
{
	const struct trend_part	*sy = &t->part[TREND_SYSTEM];
	const struct trend_part	*qu = &t->part[TREND_QUOTA];
	uint64_t		 ev = 0;
	size_t			 c, i;

	for (c = 0; c < t->ncauses; c++)
		ev += t->rates[c].total;
	fputs("<section class=\"tiles\" id=\"summary\">\n", out);
	rep_html_tile(out, "days-recorded", NULL, t->nd, "days recorded");
	rep_html_tile(out, "total-events", NULL, ev, "events");
	if (sy->ncauses > 0) {
		uint64_t rising = 0;

		for (i = 0; i < sy->nrows; i++)
			rising += sy->rows[i].days_full >= 0;
		rep_html_tile(out, "system-hosts", "storage", sy->nrows,
		    "hosts short of space");
		rep_html_tile(out, "system-rising", "storage", rising,
		    "heading to full");
	}
	if (qu->ncauses > 0)
		rep_html_tile(out, "quota-users-newest", "storage",
		    qu->keys.n[t->nd - 1], "users over quota, newest day");
	fputs("</section>\n", out);
}

static void
html_header(FILE *out, const struct trend *t)
{
	const char	*q = rep_trend_question(t);
	char		 a[16], b[16], *s;
	int		 k;

	fprintf(out, "<header>\n<h1>Trend: %c%s</h1>\n<p class=\"sub\" "
	    "id=\"period\">", q[0] - 'a' + 'A', q + 1);
	if (t->nd > 0)
		fprintf(out, "<time datetime=\"%s\">%s</time> to <time "
		    "datetime=\"%s\">%s</time> &middot; %zu of %d days "
		    "recorded &middot; ", trend_day(t->day0, a, sizeof(a)), a,
		    trend_day(t->dn[t->nd - 1], b, sizeof(b)), b, t->nd,
		    t->days);
	fputs("history <code>", out);
	rep_html_str(out, t->db);
	fputs("</code></p>\n</header>\n", out);
	if (t->nd == 0)
		return;
	if ((s = rep_trend_gaps(t)) != NULL) {
		fputs("<p class=\"note\" id=\"gaps\">", out);
		rep_html_str(out, s);
		fputs("</p>\n", out);
		free(s);
	}
	if ((s = rep_trend_older(t)) != NULL) {
		fputs("<p class=\"alert\" id=\"older\">", out);
		rep_html_str(out, s);
		fputs("</p>\n", out);
		free(s);
	}
	html_tiles(out, t);
	fputs("<section id=\"answers\">\n", out);
	for (k = 0; k < TREND_KINDS; k++)
		if ((s = rep_trend_sentence(t, (enum trend_kind)k)) != NULL) {
			fprintf(out, "<p class=\"lead\" id=\"answer-%s\">",
			    rep_trend_words((enum trend_kind)k)->id);
			rep_html_str(out, s);
			fputs("</p>\n", out);
			free(s);
		}
	fputs("</section>\n", out);
}

int
report_trend_html(FILE *out, const struct trend *t, const char *version)
{
	char	 title[96];

	snprintf(title, sizeof(title), "mxtally trend: %s",
	    rep_trend_question(t));
	rep_html_head(out, version, title);
	html_header(out, t);
	fputs("<main>\n", out);
	if (t->nd == 0) {
		fputs("<p id=\"no-runs\">No runs recorded yet: run "
		    "<code>mxtally --history</code> on each night's log.</p>\n",
		    out);
	} else {
		html_daily(out, t);
		if (t->part[TREND_SYSTEM].ncauses > 0)
			html_system(out, t, &t->part[TREND_SYSTEM]);
		if (t->part[TREND_QUOTA].ncauses > 0)
			html_quota(out, t, &t->part[TREND_QUOTA]);
		if (t->part[TREND_RATE].ncauses > 0)
			html_rates(out, t, &t->part[TREND_RATE]);
	}
	fputs("</main>\n<footer id=\"method\">", out);
	rep_html_str(out, rep_trend_method);
	fputs("</footer>\n</body>\n</html>\n", out);
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}
