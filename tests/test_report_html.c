/*
 * The HTML writer: escaping of hostile log data, the numbers at their
 * stable ids for a tiny hand-built result (two quota_exceeded events for
 * alice on mx1 at 14:00, one auth_failure for bob at 15:00), that the
 * page is self-contained (no script, no URL but the SVG namespace), that
 * its elements are balanced, and the chart's choices (hours, days, none).
 * tests/html.sh renders real reports in Chromium.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/event.h"
#include "mxtally/report.h"
#include "../src/report/report_int.h"

#include "report_fixture.h"


static char *
html(const struct result *r)
{
	struct report_opts	 o = { .version = "0.1.0" };
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f = open_memstream(&buf, &len);
	struct result		 v = *r;	/* with its views, as the
						   commands make them */

	cr_assert_not_null(f);
	report_views(&v);
	cr_assert_eq(report_html(f, &v, &o), 0);
	report_views_release(&v);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static char *
esc(const char *s)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	rep_html_str(f, s);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t	 n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

#define HAS(doc, s)	cr_assert_not_null(strstr((doc), (s)), "missing %s", (s))

/* Every element that must be closed is closed as often as opened. */
static void
assert_balanced(const char *doc)
{
	static const char *const tags[] = {
		"section", "details", "table", "tr", "svg", "g", "ul", "ol",
		"div", "li", "rect", "title",
	};
	char	 open[32], openattr[32], close[32];
	size_t	 i, n;

	for (i = 0; i < sizeof(tags) / sizeof(*tags); i++) {
		snprintf(open, sizeof(open), "<%s>", tags[i]);
		snprintf(openattr, sizeof(openattr), "<%s ", tags[i]);
		snprintf(close, sizeof(close), "</%s>", tags[i]);
		n = count(doc, open) + count(doc, openattr);
		cr_assert_eq(n, count(doc, close), "<%s>: %zu opened, %zu closed",
		    tags[i], n, count(doc, close));
	}
}

/* Bytes of the document: UTF-8, no control but newline. */
static void
assert_clean_bytes(const char *doc)
{
	const unsigned char	*p = (const unsigned char *)doc;
	size_t			 n;

	for (; *p != '\0'; p += n) {
		n = rep_utf8_len(p);
		cr_assert_neq(n, 0, "invalid UTF-8 at offset %zu",
		    (size_t)(p - (const unsigned char *)doc));
		cr_assert(n > 1 || *p >= 0x20 || *p == '\n',
		    "control byte 0x%02x at offset %zu", *p,
		    (size_t)(p - (const unsigned char *)doc));
	}
}

Test(report_html, escape, .timeout = 5)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "alice", "alice" },
		{ "<script>alert(1)</script>",
		  "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "\"><img src=x onerror=alert(1)>",
		  "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" },
		{ "it's & <b>", "it&#39;s &amp; &lt;b&gt;" },
		{ "&amp;", "&amp;amp;" },
		{ "a\x1b[31mb\tc\nd\x7f", "a\\x1b[31mb\\x09c\\x0ad\\x7f" },
		{ "bad\xff\xc0\xaf", "bad\\xff\\xc0\\xaf" },
		{ "x\xe2\x82", "x\\xe2\\x82" },			/* cut short */
		{ "c1\xc2\x9b", "c1\\xc2\\x9b" },		/* 8-bit CSI */
		{ "rlo\xe2\x80\xae" "gpj.exe", "rlo\\xe2\\x80\\xaegpj.exe" },
		{ "iso\xe2\x81\xa6x", "iso\\xe2\\x81\\xa6x" },	/* U+2066 */
		{ "non\xef\xbf\xbf", "non\\xef\\xbf\\xbf" },	/* U+FFFF */
		{ "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x93\xab",
		  "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x93\xab" },
		{ "", "" },
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		s = esc(cases[i].in);
		cr_assert_str_eq(s, cases[i].want, "case %zu", i);
		free(s);
	}
	s = esc(NULL);
	cr_assert_str_eq(s, "-");
	free(s);
}

Test(report_html, tiny_numbers, .timeout = 5)
{
	struct result	 r = tiny_result();
	char		*doc = html(&r);

	cr_assert_eq(strncmp(doc, "<!DOCTYPE html>\n", 16), 0);
	HAS(doc, "<meta name=\"viewport\" content=\"width=device-width");
	/* tiles: 3 events, 2 users, 1 host, storage 2, auth 1, lock 0 */
	HAS(doc, "<b id=\"total-events\" data-value=\"3\">3</b>");
	HAS(doc, "<b id=\"total-users\" data-value=\"2\">2</b>");
	HAS(doc, "<b id=\"total-hosts\" data-value=\"1\">1</b>");
	HAS(doc, "<b id=\"group-storage\" data-value=\"2\">2</b>");
	HAS(doc, "<b id=\"group-auth\" data-value=\"1\">1</b>");
	HAS(doc, "<b id=\"group-lock\" data-value=\"0\">0</b>");
	/* the total is the main tile; a group without events a small one */
	HAS(doc, "<div class=\"tile main\"><b id=\"total-events\"");
	HAS(doc, "<div class=\"tile lock zero\"><b id=\"group-lock\"");
	HAS(doc, "<div class=\"tile auth\"><b id=\"group-auth\"");
	/* no traffic line read: "not counted", never a zero */
	HAS(doc, "<p id=\"traffic\"><b>Traffic</b>: not counted");
	cr_assert_null(strstr(doc, "id=\"logins\""));
	HAS(doc, "<b id=\"total-lines\" data-value=\"9\">9</b>");
	cr_assert_null(strstr(doc, "unparsed-lines"));	/* none unparsed */
	/* period */
	HAS(doc, "<time datetime=\"2026-11-21T14:00:05\">2026-11-21 14:00:05"
	    "</time> to <time datetime=\"2026-11-21T15:01:40\">");
	/* causes table: 2 of 3 is 66.7 % */
	HAS(doc, "<tr data-cause=\"quota_exceeded\" data-events=\"2\" "
	    "data-users=\"1\">");
	HAS(doc, "<td class=\"n\">66.7%</td>");
	HAS(doc, "<tr data-cause=\"auth_failure\" data-events=\"1\" "
	    "data-users=\"1\">");
	/* chart: one bar per hour, each with its stacked parts */
	HAS(doc, "<g data-start=\"2026-11-21T14:00:00\" data-events=\"2\">");
	HAS(doc, "<g data-start=\"2026-11-21T15:00:00\" data-events=\"1\">");
	HAS(doc, "data-cause=\"quota_exceeded\" data-events=\"2\"><title>"
	    "2026-11-21 14:00: quota_exceeded 2</title></rect>");
	HAS(doc, "Error events per hour by cause");
	/* storage: mx1 and alice, 2 storage events each */
	HAS(doc, "<tr data-host=\"mx1\" data-events=\"2\">");
	HAS(doc, "<tr data-user=\"alice\" data-events=\"2\">");
	/* bob has no storage event: only in the users table */
	cr_assert_eq(count(doc, "<tr data-user=\"bob\""), 1);
	/* top users */
	HAS(doc, "<li data-user=\"alice\" data-events=\"2\">alice<span>2"
	    "</span></li>");
	free(doc);
}

/* Fired alerts come first, one row each; the key is log data, escaped. */
Test(report_html, alerts, .timeout = 5)
{
	struct result	 r = tiny_result();
	struct alert_row a[] = {
		{ "storage_incident", "critical", "host", "mx<1>", "10m",
		    4, 3, 4, T_1400, T_1400 + 360, 0 },
		{ "auth_burst", "warning", "none", "", "1m",
		    5, 5, 5, T_1400 + 3600, T_1400 + 3645, 1 },
	};
	char		*doc;

	doc = html(&r);
	cr_assert_null(strstr(doc, "id=\"alerts\""));	/* none fired */
	free(doc);
	r.alerts = a;
	r.nalerts = 2;
	doc = html(&r);
	HAS(doc, "<tr data-rule=\"storage_incident\" data-events=\"4\">"
	    "<td>critical</td><td>storage_incident</td><td>mx&lt;1&gt;</td>"
	    "<td class=\"n\">4</td><td>10m</td><td>2026-11-21T14:00:00</td>"
	    "<td>2026-11-21T14:06:00</td><td>resolved</td></tr>");
	HAS(doc, "<td>auth_burst</td><td>-</td>");
	HAS(doc, "<td>2026-11-21T15:00:45</td><td>firing</td>");
	/* before the chart */
	cr_assert_lt(strstr(doc, "id=\"alerts\""), strstr(doc, "<svg"));
	free(doc);
}

Test(report_html, codes_with_meanings, .timeout = 5)
{
	struct result	 r = tiny_result();
	char		 basic[256], enh[256], want[600], *doc, *e;

	code_meaning_basic(552, basic, sizeof(basic));
	code_meaning_enhanced(5, 2, 2, enh, sizeof(enh));
	snprintf(want, sizeof(want), "%s; %s", basic, enh);
	doc = html(&r);
	HAS(doc, "<tr data-protocol=\"smtp\" data-events=\"2\"><td>smtp</td>"
	    "<td><code>552</code></td><td><code>5.2.2</code></td>"
	    "<td><code>-</code></td>");
	HAS(doc, "<td><code>-</code></td><td><code>-</code></td>"
	    "<td><code>AUTH</code></td>");
	e = esc(want);
	HAS(doc, e);
	free(e);
	e = esc(code_meaning_resp("AUTH", 4));
	HAS(doc, e);
	free(e);
	free(doc);
}

Test(report_html, self_contained, .timeout = 5)
{
	struct result	 r = tiny_result();
	char		*doc = html(&r), *p;

	HAS(doc, "<meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src 'none'; style-src 'unsafe-inline'; "
	    "img-src data:\">");
	HAS(doc, "@media print");
	HAS(doc, "details::details-content");
	cr_assert_null(strstr(doc, "<script"));
	cr_assert_null(strstr(doc, "<link"));
	cr_assert_null(strstr(doc, "@import"));
	cr_assert_null(strstr(doc, "url("));
	cr_assert_null(strstr(doc, "src="));
	cr_assert_null(strstr(doc, "href="));
	/* the only URL is the SVG namespace, which is a name, not a fetch */
	for (p = doc; (p = strstr(p, "://")) != NULL; p++)
		cr_assert(p - doc >= 4 && strncmp(p - 4,
		    "http://www.w3.org/2000/svg\"", 27) == 0, "a URL: %.40s",
		    p - 4);
	assert_balanced(doc);
	assert_clean_bytes(doc);
	free(doc);
}

Test(report_html, hostile_log_data, .timeout = 5)
{
	static uint64_t by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 1 };
	static struct entity_row evil_users[] = {
		{ "<script>alert(1)</script>", 0, 1, by },
		{ "\"><img src=x onerror=alert(1)>", 0, 1, by },
		{ "'onmouseover='alert(1)", 0, 1, by },
		{ "=HYPERLINK(\"http://x\")\x1b[2J\xff", 0, 1, by },
	};
	static struct entity_row evil_hosts[] = {
		{ "</td></tr></table><script>x()</script>", 0, 1, by },
	};
	static struct user_count evil_top[] = {
		{ "<svg onload=alert(1)>", 1 },
	};
	static struct cause_row evil_causes[] = {
		{ CAUSE_QUOTA_EXCEEDED, 4, 4, evil_top, 1 },
	};
	static struct reply_row evil_pop3[] = {
		{ "-ERR <b>&amp;</b>", CAUSE_QUOTA_EXCEEDED, 1 },
	};
	static struct tmpl_row evil_tmpl[] = {
		{ "<iframe src=//x>", "<iframe src=//evil.example>", 1 },
	};
	static struct code_row evil_codes[] = {
		{ PROTO_POP3, "", "", "<i>X</i>", CAUSE_QUOTA_EXCEEDED, 1 },
	};
	static struct file_row evil_files[] = {
		{ "/var/log/<img>.log", "plain", 1, 1, "<svg>", 0 },
	};
	static struct error_row evil_warnings[] = {
		{ "<a>.log", "no line recognised (layout unknown); first "
		  "unrecognised line: \"<script>x\"" },
	};
	static struct error_row evil_errors[] = {
		{ "x\n<script>", "cannot \"open\" <it>" },
	};
	struct result	 r = tiny_result();
	char		*doc;

	r.users = evil_users;
	r.nusers_shown = 4;
	r.hosts = evil_hosts;
	r.nhosts_shown = 1;
	r.causes = evil_causes;
	r.ncauses = 1;
	r.pop3 = evil_pop3;
	r.npop3 = 1;
	r.unclassified = evil_tmpl;
	r.nunclassified = 1;
	r.codes = evil_codes;
	r.ncodes = 1;
	r.files = evil_files;
	r.errors = evil_errors;
	r.nerrors = 1;
	r.warnings = evil_warnings;
	r.nwarnings = 1;
	doc = html(&r);
	cr_assert_null(strstr(doc, "<script"));
	cr_assert_null(strstr(doc, "<img"));
	cr_assert_null(strstr(doc, "<iframe"));
	cr_assert_null(strstr(doc, "<svg onload"));
	cr_assert_null(strstr(doc, "<b>&amp;"));
	cr_assert_null(strstr(doc, "<i>"));
	cr_assert_null(strstr(doc, "<it>"));
	cr_assert_null(strstr(doc, "'onmouseover"));
	/* the attribute and the text of a hostile user, both escaped */
	HAS(doc, "<tr data-user=\"&quot;&gt;&lt;img src=x onerror=alert(1)"
	    "&gt;\" data-events=\"1\"><td>&quot;&gt;&lt;img src=x "
	    "onerror=alert(1)&gt;</td>");
	HAS(doc, "data-user=\"&#39;onmouseover=&#39;alert(1)\"");
	HAS(doc, "=HYPERLINK(&quot;http://x&quot;)\\x1b[2J\\xff");
	HAS(doc, "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;");
	HAS(doc, "<code>-ERR &lt;b&gt;&amp;amp;&lt;/b&gt;</code>");
	HAS(doc, "e.g. <code>&lt;iframe src=//evil.example&gt;</code>");
	HAS(doc, "<section class=\"alert\" id=\"input-errors\">");
	/* an input not understood: its warning, escaped; its layout */
	HAS(doc, "<section class=\"alert\" id=\"input-warnings\">");
	HAS(doc, "<li><code>&lt;a&gt;.log</code>: no line recognised (layout "
	    "unknown); first unrecognised line: &quot;&lt;script&gt;x&quot;"
	    "</li>");
	HAS(doc, "<td>&lt;svg&gt;</td>");
	cr_assert_null(strstr(doc, "<a>"));
	cr_assert_null(strstr(doc, "<svg>"));
	HAS(doc, "x\\x0a&lt;script&gt;</code>: cannot &quot;open&quot; "
	    "&lt;it&gt;");
	assert_balanced(doc);
	assert_clean_bytes(doc);
	free(doc);
}

Test(report_html, no_events, .timeout = 5)
{
	struct result	 r;
	char		*doc;

	memset(&r, 0, sizeof(r));
	r.first = r.last = T_NONE;
	doc = html(&r);
	HAS(doc, "<b id=\"total-events\" data-value=\"0\">0</b>");
	HAS(doc, "<p id=\"no-events\">No error events found.</p>");
	HAS(doc, "no timestamps");
	cr_assert_null(strstr(doc, "<svg"));
	cr_assert_null(strstr(doc, "id=\"causes\""));
	assert_balanced(doc);
	free(doc);
}

Test(report_html, chart_gaps_and_days, .timeout = 5)
{
	static uint64_t by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 1 };
	static struct entity_row gap[] = {
		{ NULL, T_NONE, 1, by },		/* no timestamp: no bar */
		{ NULL, T_1400, 1, by },
		{ NULL, T_1400 + 3 * 3600, 1, by },
	};
	static struct entity_row long_run[] = {
		{ NULL, T_1400, 1, by },
		{ NULL, T_1400 + 3600, 1, by },		/* same day as above */
		{ NULL, T_1400 + 20 * 86400, 1, by },
	};
	struct result	 r = tiny_result();
	char		*doc;

	/* 14:00 and 17:00: four hourly slots, two bars, quiet ones empty */
	r.hours = gap;
	r.nhours = 3;
	doc = html(&r);
	HAS(doc, "<desc id=\"chart-desc\">4 hours from 2026-11-21 14:00:00 "
	    "to 2026-11-21 17:00:00, busiest with 1 events.</desc>");
	cr_assert_eq(count(doc, "<g data-start="), 2);
	HAS(doc, "<g data-start=\"2026-11-21T17:00:00\" data-events=\"1\">");
	HAS(doc, "<td>no time</td>");
	cr_assert_null(strstr(doc, "class=\"quiet\""), "2 quiet hours stay");
	free(doc);
	/* 14:00 and 18:00: the three quiet hours between are one slot */
	gap[2].start = T_1400 + 4 * 3600;
	doc = html(&r);
	HAS(doc, "<desc id=\"chart-desc\">5 hours from 2026-11-21 14:00:00 "
	    "to 2026-11-21 18:00:00, busiest with 1 events.</desc>");
	HAS(doc, "<g class=\"quiet\" data-from=\"2026-11-21T15:00:00\" "
	    "data-quiet=\"3\">");
	cr_assert_eq(count(doc, "<g data-start="), 2);
	/* the hour after a quiet run is labelled: 14, 18, no 15..17 */
	HAS(doc, ">18</text>");
	cr_assert_null(strstr(doc, ">16</text>"));
	gap[2].start = T_1400 + 3 * 3600;
	free(doc);
	/* 20 days: one slot a day, 21 slots, the first day's two hours added */
	r.hours = long_run;
	doc = html(&r);
	HAS(doc, "Error events per day by cause");
	HAS(doc, "<desc id=\"chart-desc\">21 days from 2026-11-21 00:00:00");
	HAS(doc, "<g data-start=\"2026-11-21T00:00:00\" data-events=\"2\">");
	HAS(doc, "<g data-start=\"2026-12-11T00:00:00\" data-events=\"1\">");
	/* the 19 quiet days between are one slot that says so */
	HAS(doc, "<g class=\"quiet\" data-from=\"2026-11-22T00:00:00\" "
	    "data-quiet=\"19\">");
	HAS(doc, "<title>19 days without errors</title>");
	cr_assert_eq(count(doc, "<g class=\"quiet\""), 1);
	free(doc);
	/* 1000 days apart: the 999 quiet days are one slot, not 999 */
	long_run[2].start = T_1400 + INT64_C(1000) * 86400;
	doc = html(&r);
	HAS(doc, "<desc id=\"chart-desc\">1001 days from 2026-11-21 00:00:00 "
	    "to 2029-08-17 00:00:00, busiest with 2 events.</desc>");
	cr_assert_eq(count(doc, "<g data-start="), 2);
	HAS(doc, "data-quiet=\"999\"");
	free(doc);
	long_run[2].start = T_1400 + 20 * 86400;
	/* only hours without a timestamp: the table, no chart */
	r.hours = gap;
	r.nhours = 1;
	doc = html(&r);
	cr_assert_null(strstr(doc, "<svg"));
	HAS(doc, "<td>no time</td>");
	free(doc);
}

/* The traffic and logins line, as the text report has it */
Test(report_html, traffic_line, .timeout = 5)
{
	struct result	 r = tiny_result();
	char		*doc;

	r.traffic.counted_from = UINT32_C(1) << 1;	/* family 1 */
	r.traffic.received = 1200;
	r.traffic.delivered = 30;
	r.traffic.deferred = 2;
	r.traffic.deferrals = 5;
	r.traffic.bounced = 1;
	r.traffic.rejected = 10;
	r.traffic.pop3.ok = 3;
	r.traffic.pop3.failed = 1;
	doc = html(&r);
	/* rejected 10 of 30 + 10 + 0 attempts = 25.0 %; pop3 1 of 4 */
	HAS(doc, "(counted from postfix): <b>1,200</b> received, <b>30</b> "
	    "delivered, <b>2</b> deferred (5 deferrals), <b>1</b> bounced, "
	    "<b>10</b> rejected (25.0&nbsp;% of 40 attempts)");
	HAS(doc, "<p id=\"logins\"><b>Logins</b>: pop3 <b>3</b> ok, <b>1</b> "
	    "failed (25.0&nbsp;%).</p>");
	free(doc);
}

Test(report_html, write_error, .timeout = 5)
{
	struct result		 r = tiny_result();
	struct report_opts	 o = { .version = "0.1.0" };
	FILE			*f = fopen("/dev/full", "w");

	if (f == NULL)
		cr_skip_test("no /dev/full");
	report_views(&r);
	cr_assert_eq(report_html(f, &r, &o), -1);
	report_views_release(&r);
	fclose(f);
}

/* --max-keys folding is said under the tiles, only when it happened. */
Test(report_html, folded_note, .timeout = 5)
{
	struct result	 r = tiny_result();
	char		*doc = html(&r);

	cr_assert_null(strstr(doc, "id=\"folded\""));
	free(doc);
	r.max_keys = 1000;
	r.folded_users = 199001;
	r.traffic.folded_senders = 12;
	doc = html(&r);
	HAS(doc, "<p class=\"note\" id=\"folded\">Over <code>--max-keys "
	    "1,000</code>, the least frequent keys were folded into "
	    "<b>(other)</b>: <span>199,001</span> events of users; "
	    "<span>12</span> events of senders (messages).</p>");
	assert_balanced(doc);
	free(doc);
}
