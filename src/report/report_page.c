/*
 * What the two HTML pages (the report, report_html.c, and the trend,
 * report_trend_html.c) share, so that they look and read alike: the
 * stylesheet, the page head with its Content-Security-Policy, one
 * colour per cause, and the stacked bar chart drawn as inline SVG over
 * time slots (hours or days). Nothing here keeps state; the chart
 * borrows its arrays from the caller.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/report.h"
#include "report_int.h"

/* Chart geometry, in SVG user units. */
#define CH_LEFT		44	/* y axis labels */
#define CH_TOP		10
#define CH_PLOT		180	/* plot height */
#define CH_BOTTOM	38	/* x axis labels: hour, then date */
#define CH_RIGHT	10

const char rep_html_css[] =
":root{--fg:#1b1f24;--mute:#59636e;--line:#d5dbe1;--tile:#f3f5f7}\n"
"*{box-sizing:border-box}\n"
"html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
"body{margin:0 auto;max-width:72rem;padding:.8rem;color:var(--fg);"
"background:#fff;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\","
"Roboto,\"Helvetica Neue\",Arial,\"Noto Sans\",\"Liberation Sans\","
"sans-serif}\n"
"h1{font-size:1.35rem;margin:.2rem 0}\n"
"h2{font-size:1.1rem;margin:1.6rem 0 .5rem;padding-bottom:.2rem;"
"border-bottom:1px solid var(--line)}\n"
"h3{font-size:1rem;margin:.2rem 0}\n"
"p{margin:.3rem 0}\n"
".sub,.note{color:var(--mute)}\n"
".note{font-size:.85rem}\n"
".tiles{display:grid;grid-template-columns:repeat(auto-fill,"
"minmax(9rem,1fr));gap:.5rem;margin:.8rem 0}\n"
".tile{background:var(--tile);border-left:.3rem solid #9aa0a6;"
"border-radius:.4rem;padding:.5rem .7rem}\n"
".tile b{display:block;font-size:1.5rem;line-height:1.2;"
"font-variant-numeric:tabular-nums}\n"
".tile span{color:var(--mute);font-size:.85rem}\n"
".tile.main{grid-column:span 2}\n"
".tile.main b{font-size:2rem}\n"
".tile.zero{background:none;border:1px dashed var(--line);"
"padding:.3rem .6rem}\n"
".tile.zero b{font-size:1rem;color:var(--mute)}\n"
".tile.storage{border-left-color:#c62828}\n"
".tile.auth{border-left-color:#6a3fb5}\n"
".tile.lock{border-left-color:#d99400}\n"
".scroll{overflow-x:auto}\n"
"table{border-collapse:collapse;width:100%;font-size:.9rem}\n"
"th,td{padding:.3rem .45rem;border-bottom:1px solid var(--line);"
"text-align:left;vertical-align:top}\n"
"th{font-weight:600;color:var(--mute);white-space:nowrap}\n"
".n{text-align:right;font-variant-numeric:tabular-nums;"
"white-space:nowrap}\n"
".sw{display:inline-block;width:0;height:.8em;border-left:.8em solid;"
"margin-right:.35em;vertical-align:-.05em}\n"
".bc{white-space:nowrap}\n"
".grp{font-size:.72rem;border:1px solid var(--line);border-radius:.3em;"
"padding:0 .3em;margin-left:.3em;color:var(--mute);white-space:nowrap}\n"
".grp.storage{color:#b71c1c;border-color:#e0a0a0}\n"
".grp.auth{color:#5b33a0;border-color:#c3b0e3}\n"
".grp.lock{color:#8a5d00;border-color:#e6c87a}\n"
".mean{color:var(--mute);font-size:.85rem;margin-top:.1rem}\n"
"code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
"\"Liberation Mono\",monospace;font-size:.85em}\n"
"td,.card li{overflow-wrap:break-word}\n"
"td code,td .mono,.reply,.card li{overflow-wrap:anywhere}\n"
".n .note{white-space:normal}\n"
".cid,.bc{overflow-wrap:normal;word-break:keep-all;hyphens:none}\n"
"#traffic,#logins{font-size:.9rem;margin:.2rem 0}\n"
"#traffic b,#logins b{font-variant-numeric:tabular-nums}\n"
".cards{display:grid;grid-template-columns:repeat(auto-fill,"
"minmax(17rem,1fr));gap:.6rem}\n"
".card{border:1px solid var(--line);border-radius:.4rem;"
"padding:.5rem .7rem}\n"
".card ol{margin:.3rem 0 0;padding-left:1.6rem}\n"
".card h4{font-size:.85rem;margin:.4rem 0 0;color:var(--mute)}\n"
".card li span{float:right;font-variant-numeric:tabular-nums;"
"padding-left:.5rem}\n"
".step{font-size:.85rem}\n"
"details{margin:.5rem 0}\n"
"summary{cursor:pointer;font-weight:600;padding:.2rem 0}\n"
".chart{overflow-x:auto}\n"
".chart svg{display:block;height:auto;font-size:12px}\n"
".chart text{fill:#444}\n"
".legend{list-style:none;padding:0;margin:.4rem 0;display:flex;"
"flex-wrap:wrap;gap:.15rem 1rem;font-size:.85rem}\n"
".two{display:grid;grid-template-columns:repeat(auto-fit,"
"minmax(20rem,1fr));gap:0 1.5rem}\n"
".alert{border:2px solid #b00020;border-radius:.4rem;"
"padding:.4rem .7rem;margin:.6rem 0}\n"
".where{font-size:.85rem;margin:.15rem 0 0}\n"
".det{list-style:none;padding:0;margin:.15rem 0 0;font-size:.85rem}\n"
".det b{font-variant-numeric:tabular-nums;margin-right:.3em}\n"
"tr.urgent td:first-child{border-left:.3rem solid #b00020}\n"
".urg{color:#b00020;font-weight:700;font-size:.75rem;margin-right:.3em}\n"
".reply{font-size:.85rem;color:var(--mute)}\n"
".lead{font-size:1.05rem;font-weight:600;margin:.4rem 0}\n"
"svg.spark{display:block}\n"
"td.nm{white-space:nowrap}\n"
"@media (max-width:30rem){.wide{display:none}table.tt{font-size:.8rem}}\n"
"footer{margin-top:2rem;font-size:.8rem;color:var(--mute)}\n"
"@media (max-width:30rem){body{font-size:14px;padding:.5rem}"
".tile b{font-size:1.3rem}th,td{padding:.25rem .3rem}\n"
"table.codes thead{display:none}\n"
"table.codes tr{display:grid;grid-template-columns:repeat(4,max-content)"
" 1fr;column-gap:.6rem;border-bottom:1px solid var(--line);"
"padding:.3rem 0}\n"
"table.codes td{border:0;padding:0}\n"
"table.codes td:nth-child(n+6){grid-column:1/-1}\n"
"table.stack tr,table.causes tr{display:grid;grid-template-columns:1fr"
" max-content;column-gap:.6rem;border-bottom:1px solid var(--line)}\n"
"table.causes tr{grid-template-columns:repeat(3,1fr)}\n"
"table.stack :is(td,th),table.causes :is(td,th){border:0}\n"
"table.stack :is(td,th):nth-child(n+3),"
"table.causes :is(td,th):first-child{grid-column:1/-1}}\n"
"@media print{\n"
"body{max-width:none;padding:0;font-size:10pt;color:#000}\n"
".tile{background:none;border:1px solid #888}\n"
".tile b{font-size:14pt}\n"
".grp{color:#000;border-color:#888}\n"
".scroll,.chart{overflow:visible}\n"
"details::details-content{content-visibility:visible;display:block}\n"
"summary{list-style:none}\n"
"h2,h3,summary{break-after:avoid}\n"
"tr,.card,.tile,.chart{break-inside:avoid}\n"
"footer{color:#000}\n"
"}\n";

/*
 * One colour per cause, the same in the chart, the legend and the
 * tables. Built-in causes have their own; causes added by rules take
 * their group's colour family, else a muted one by number.
 */
const char *
rep_cause_color(int cause)
{
	static const char *const builtin[CAUSE_BUILTIN_COUNT] = {
		[CAUSE_LOCK_CONTENTION] = "#e0a000",
		[CAUSE_AUTH_FAILURE] = "#6a3fb5",
		[CAUSE_UNKNOWN_MAILBOX] = "#8fa9c9",
		[CAUSE_QUOTA_EXCEEDED] = "#e53935",
		[CAUSE_SYSTEM_STORAGE] = "#8e0000",
		[CAUSE_DELETED_NOT_REMOVED] = "#ff7a45",
		[CAUSE_NO_SUCH_MESSAGE] = "#b5cca1",
		[CAUSE_MESSAGE_TOO_LARGE] = "#d2c19f",
		[CAUSE_POLICY_REJECTION] = "#7fb0a8",
		[CAUSE_RATE_LIMITED] = "#b3a6cf",
		[CAUSE_SERVICE_UNAVAILABLE] = "#a3a9b0",
		[CAUSE_SERVER_ERROR] = "#c29b9b",
		[CAUSE_PROTOCOL_ERROR] = "#cfcf9e",
		[CAUSE_INVALID_ADDRESS] = "#a1c3cf",
		[CAUSE_NOT_LOCAL] = "#cdb1d3",
		[CAUSE_DNS_FAILURE] = "#6d93b0",
		[CAUSE_ACCOUNT_DISABLED] = "#b39f78",
		[CAUSE_EXPIRED] = "#98b377",
		[CAUSE_TRANSACTION_FAILED] = "#bdbdbd",
		[CAUSE_UNCLASSIFIED] = "#e2e2e2",
	};
	static const char *const muted[] = {
		"#9fb7a0", "#a7a0c4", "#c4b09f", "#9fc0c4", "#c49fb4",
	};

	if (cause >= 0 && cause < CAUSE_BUILTIN_COUNT)
		return builtin[cause];
	if (rep_cause_in(cause, "storage"))
		return "#c2185b";
	if (rep_cause_in(cause, "auth"))
		return "#8e5cd9";
	if (rep_cause_in(cause, "lock"))
		return "#b07800";
	return muted[(cause < 0 ? 0 : cause) % 5];
}

void
rep_html_attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " data-%s=\"", name);
	rep_html_str(out, value);
	putc('"', out);
}

void
rep_html_head(FILE *out, const char *version, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src 'none'; style-src 'unsafe-inline'; "
	    "img-src data:\">\n"
	    "<meta name=\"generator\" content=\"mxtally", out);
	if (version != NULL && *version != '\0') {
		putc(' ', out);
		rep_html_str(out, version);
	}
	fputs("\">\n<title>", out);
	rep_html_str(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    rep_html_css);
}

void
rep_html_tile(FILE *out, const char *id, const char *cls, uint64_t n,
    const char *label)
{
	char	 buf[32];

	fprintf(out, "<div class=\"tile%s%s\"><b id=\"%s\" "
	    "data-value=\"%llu\">", cls != NULL ? " " : "",
	    cls != NULL ? cls : "", id, (unsigned long long)n);
	fputs(rep_num(n, buf, sizeof(buf)), out);
	fprintf(out, "</b><span>%s</span></div>\n", label);
}

char *
rep_html_when(int64_t t, char *buf, size_t len)
{
	report_time(t, buf, len);
	if (strlen(buf) >= 19)
		buf[10] = ' ';
	return buf;
}

static void
num(FILE *out, uint64_t n)
{
	char	 buf[32];

	fputs(rep_num(n, buf, sizeof(buf)), out);
}

/* A step of 1, 2 or 5 times a power of ten giving at most 4 gridlines. */
static uint64_t
nice_step(uint64_t max)
{
	uint64_t	 p = 1;

	for (;;) {
		if (max <= 4 * p)
			return p;
		if (max <= 8 * p)
			return 2 * p;
		if (max <= 20 * p)
			return 5 * p;
		p *= 10;
	}
}

/* Every how many slots an x label fits (hours: on clock multiples). */
static size_t
label_every(const struct rep_chart *ch, double slotw)
{
	static const size_t hours[] = { 1, 2, 3, 6, 12, 24 };
	static const size_t days[] = { 1, 2, 7, 14, 28, 56, 112, 364 };
	const size_t	*steps = ch->bucket == 3600 ? hours : days;
	size_t		 i, n = ch->bucket == 3600 ? 6 : 8;
	double		 need = ch->bucket == 3600 ? 22 : 40;

	for (i = 0; i < n; i++)
		if ((double)steps[i] * slotw >= need)
			return steps[i];
	return steps[n - 1];
}

static void
chart_axes(FILE *out, double w, uint64_t ymax, uint64_t step)
{
	uint64_t	 v;
	double		 y;

	for (v = 0; v <= ymax; v += step) {
		y = CH_TOP + CH_PLOT - (double)v * CH_PLOT / (double)ymax;
		fprintf(out, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>"
		    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%llu"
		    "</text>\n", CH_LEFT, w - CH_RIGHT, y, y,
		    v == 0 ? "#888" : "#e3e6ea", CH_LEFT - 6, y + 4,
		    (unsigned long long)v);
	}
}

/* Where the last hour and date labels went, so that none overlap. */
struct xlabels {
	char		 lastday[16];
	double		 hour_x, date_x;	/* -1e9: none yet */
};

/*
 * The x label of slot i: hour and, when the day changes, the date. An
 * hour is labelled on multiples of every (any slot of a sparse chart,
 * and the first after a quiet run), a date when its day starts; either
 * only when it keeps clear of the label before it.
 */
static void
chart_xlabel(FILE *out, const struct rep_chart *ch, size_t i, double x,
    size_t every, struct xlabels *xl)
{
	char	 t[32];
	int	 after_quiet = i > 0 && ch->quiet != NULL && ch->quiet[i - 1];

	report_time(ch->start[i], t, sizeof(t));
	if (ch->bucket == 3600) {
		if (!ch->sparse && !after_quiet && (size_t)(ch->start[i] %
		    86400 / 3600) % every != 0)
			return;
		if (x - xl->hour_x >= 20) {
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" "
			    "text-anchor=\"middle\">%.2s</text>", x,
			    CH_TOP + CH_PLOT + 15, t + 11);
			xl->hour_x = x;
		}
		if (strncmp(xl->lastday, t, 10) != 0 && x - xl->date_x >= 42) {
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" "
			    "text-anchor=\"middle\">%.5s</text>", x,
			    CH_TOP + CH_PLOT + 31, t + 5);
			xl->date_x = x;
			memcpy(xl->lastday, t, 10);
		}
	} else if ((i % every == 0 || after_quiet) && x - xl->date_x >= 42) {
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\">%.5s</text>", x,
		    CH_TOP + CH_PLOT + 15, t + 5);
		xl->date_x = x;
	}
}

/* A run of quiet slots drawn as one: a band and its length ("13 d"). */
static void
chart_quiet(FILE *out, const struct rep_chart *ch, size_t i, double x,
    double bw)
{
	char		 t[32], len[32];
	const char	*unit = ch->bucket == 3600 ? "hour" : "day";

	report_time(ch->start[i], t, sizeof(t));
	if (bw >= 24)
		snprintf(len, sizeof(len), "%llu%s", (unsigned long long)
		    ch->quiet[i], ch->bucket == 3600 ? "h" : "d");
	else
		snprintf(len, sizeof(len), "&#x2026;");
	fprintf(out, "<g class=\"quiet\" data-from=\"%s\" data-quiet=\"%llu\">"
	    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
	    "fill=\"#f6f7f9\" stroke=\"#e3e6ea\" stroke-dasharray=\"2 3\"/>"
	    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
	    "fill=\"#59636e\">%s</text><title>%llu %s%s without errors"
	    "</title></g>\n", t, (unsigned long long)ch->quiet[i], x, CH_TOP,
	    bw, CH_PLOT, x + bw / 2, CH_TOP + CH_PLOT - 4, len,
	    (unsigned long long)ch->quiet[i], unit,
	    ch->quiet[i] == 1 ? "" : "s");
}

/* One stacked bar: the series in ch->order, the first at the bottom. */
static void
chart_bar(FILE *out, const struct rep_chart *ch, size_t i, double x,
    double bw, uint64_t ymax)
{
	char		 t[32], day[32], lab[32];
	double		 y = CH_TOP + CH_PLOT, ht;
	uint64_t	 v;
	size_t		 j, c;

	report_time(ch->start[i], t, sizeof(t));
	snprintf(lab, sizeof(lab), "%.*s", ch->bucket == 3600 ? 16 : 10,
	    rep_html_when(ch->start[i], day, sizeof(day)));
	fprintf(out, "<g data-start=\"%s\" data-events=\"%llu\"><title>"
	    "%s: ", t, (unsigned long long)ch->events[i], lab);
	num(out, ch->events[i]);
	fputs(ch->events[i] == 1 ? " event</title>\n" : " events</title>\n",
	    out);
	for (j = 0; j < ch->norder; j++) {
		c = ch->order[j];
		if (c >= ch->nser || (v = ch->by[i * ch->nser + c]) == 0)
			continue;
		ht = (double)v * CH_PLOT / (double)ymax;
		y -= ht;
		fprintf(out, "<rect x=\"%.1f\" y=\"%.2f\" width=\"%.1f\" "
		    "height=\"%.2f\" fill=\"%s\"", x, y, bw, ht,
		    ch->color[c]);
		rep_html_attr(out, "cause", ch->label[c]);
		fprintf(out, " data-events=\"%llu\"><title>%s: ",
		    (unsigned long long)v, lab);
		rep_html_str(out, ch->label[c]);
		fprintf(out, " %llu</title></rect>\n",
		    (unsigned long long)v);
	}
	fputs("</g>\n", out);
}

/* A slot without data (a day no run recorded): an outline, not a zero. */
static void
chart_unknown(FILE *out, const struct rep_chart *ch, size_t i, double x,
    double bw)
{
	char	 t[32];

	report_time(ch->start[i], t, sizeof(t));
	fprintf(out, "<rect class=\"unknown\" data-start=\"%s\" "
	    "x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
	    "fill=\"none\" stroke=\"#b0b7bf\" stroke-dasharray=\"3 3\">"
	    "<title>%.10s: no run recorded</title></rect>\n", t, x, CH_TOP,
	    bw, CH_PLOT, t);
}

void
rep_chart_svg(FILE *out, const struct rep_chart *ch, const char *id,
    const char *what)
{
	const char	*unit = ch->bucket == 3600 ? "hour" : "day";
	double		 slotw, w;
	uint64_t	 step = nice_step(ch->max), ymax;
	size_t		 i, every;
	struct xlabels	 xl = { .hour_x = -1e9, .date_x = -1e9 };
	char		 a[32], b[32];

	ymax = (ch->max + step - 1) / step * step;
	if (ymax == 0)
		ymax = step;	/* no events at all: an empty frame */
	slotw = ch->n <= 8 ? 56 : ch->n <= 24 ? 30 : ch->n <= 72 ? 18 : 10;
	w = CH_LEFT + (double)ch->n * slotw + CH_RIGHT;
	every = label_every(ch, slotw);
	fprintf(out, "<div class=\"chart\"><svg id=\"%s\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %d\" "
	    "width=\"%.0f\" style=\"width:100%%;max-width:%.0fpx;"
	    "min-width:%.0fpx\" role=\"img\" aria-labelledby=\"%s-title "
	    "%s-desc\">\n<title id=\"%s-title\">%s per %s "
	    "by cause</title>\n<desc id=\"%s-desc\">%zu %ss from %s to "
	    "%s, busiest with %llu events.</desc>\n", id, w,
	    CH_TOP + CH_PLOT + CH_BOTTOM, w, w * 1.4, w < 320 ? w : 320,
	    id, id, id, what, unit, id, ch->sparse ? ch->n : (size_t)
	    ((ch->start[ch->n - 1] - ch->start[0]) / ch->bucket + 1), unit,
	    rep_html_when(ch->start[0], a, sizeof(a)),
	    rep_html_when(ch->start[ch->n - 1], b, sizeof(b)),
	    (unsigned long long)ch->max);
	chart_axes(out, w, ymax, step);
	for (i = 0; i < ch->n; i++) {
		double	 x = CH_LEFT + (double)i * slotw;

		if (ch->quiet != NULL && ch->quiet[i]) {
			chart_quiet(out, ch, i, x + slotw * 0.05, slotw * 0.9);
			continue;
		}
		if (ch->unknown != NULL && ch->unknown[i])
			chart_unknown(out, ch, i, x + slotw * 0.15,
			    slotw * 0.7);
		else if (ch->events[i] != 0)
			chart_bar(out, ch, i, x + slotw * 0.15, slotw * 0.7,
			    ymax);
		chart_xlabel(out, ch, i, x + slotw / 2, every, &xl);
	}
	fputs("</svg></div>\n", out);
}
