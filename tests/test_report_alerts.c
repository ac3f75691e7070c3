/*
 * Fired alerts in the reports: the exact "alerts" array of the JSON
 * writer for hand-built rows (field order of `mxtally alert -f jsonl`,
 * times as the report writes them, log data escaped), an empty array when
 * none fired, and the text report's "Alerts" section, present only when
 * an alert fired. The expected strings are written by hand from the rows.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/event.h"
#include "mxtally/report.h"

/* 2026-11-21T14:00:00 as wall-clock seconds */
#define T_1400	INT64_C(1795269600)

static struct alert_row two_alerts[] = {
	{ "storage_incident", "critical", "host", "store2", "10m", 4, 3, 5,
	    T_1400 + 120, T_1400 + 480, 0 },
	{ "auth_burst", "warning", "client", "203.0.113.9", "1m", 12, 10, 12,
	    T_1400 + 3600, T_1400 + 3645, 1 },
};

static struct alert_row odd_alert[] = {		/* a key with log bytes */
	{ "lock_storm", "warning", "user", "a\"b\\c\n", "1h", 1, 1, 1,
	    T_1400, T_1400, 0 },
};

static struct result
empty_result(void)
{
	struct result	 r;

	memset(&r, 0, sizeof(r));
	r.first = r.last = T_NONE;
	return r;
}

typedef int (*writer_fn)(FILE *, const struct result *,
    const struct report_opts *);

static char *
render(writer_fn fn, const struct result *r)
{
	struct report_opts	 o = { .version = "0.1.0" };
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f = open_memstream(&buf, &len);
	struct result		 v = *r;	/* with its views, as the
						   commands make them */

	cr_assert_not_null(f);
	report_views(&v);
	cr_assert_eq(fn(f, &v, &o), 0);
	report_views_release(&v);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

/* The JSON from the "alerts" member to the end of the document. */
static const char *
alerts_tail(const char *json)
{
	const char	*p = strstr(json, "  \"alerts\": [");

	cr_assert_not_null(p, "no alerts member in %s", json);
	return p;
}

Test(report_alerts, json_exact, .timeout = 5)
{
	struct result	 r = empty_result();
	char		*got;

	r.alerts = two_alerts;
	r.nalerts = 2;
	got = render(report_json, &r);
	cr_assert_str_eq(alerts_tail(got),
	    "  \"alerts\": [\n"
	    "    {\"rule\": \"storage_incident\", \"severity\": \"critical\", "
	    "\"by\": \"host\", \"key\": \"store2\", \"value\": 4, "
	    "\"threshold\": 3, \"window\": \"10m\", "
	    "\"first\": \"2026-11-21T14:02:00\", "
	    "\"last\": \"2026-11-21T14:08:00\", \"events\": 5, "
	    "\"firing\": false},\n"
	    "    {\"rule\": \"auth_burst\", \"severity\": \"warning\", "
	    "\"by\": \"client\", \"key\": \"203.0.113.9\", \"value\": 12, "
	    "\"threshold\": 10, \"window\": \"1m\", "
	    "\"first\": \"2026-11-21T15:00:00\", "
	    "\"last\": \"2026-11-21T15:00:45\", \"events\": 12, "
	    "\"firing\": true}\n"
	    "  ]\n"
	    "}\n");
	free(got);
}

Test(report_alerts, json_none, .timeout = 5)
{
	struct result	 r = empty_result();
	char		*got = render(report_json, &r);

	cr_assert_str_eq(alerts_tail(got), "  \"alerts\": []\n}\n");
	free(got);
}

/* A merged report without "by" leaves it out; keys are escaped. */
Test(report_alerts, json_escaped_no_by, .timeout = 5)
{
	struct alert_row a = odd_alert[0];
	struct result	 r = empty_result();
	char		*got;

	a.by = NULL;
	r.alerts = &a;
	r.nalerts = 1;
	got = render(report_json, &r);
	cr_assert_str_eq(alerts_tail(got),
	    "  \"alerts\": [\n"
	    "    {\"rule\": \"lock_storm\", \"severity\": \"warning\", "
	    "\"key\": \"a\\\"b\\\\c\\n\", \"value\": 1, "
	    "\"threshold\": 1, \"window\": \"1h\", "
	    "\"first\": \"2026-11-21T14:00:00\", "
	    "\"last\": \"2026-11-21T14:00:00\", \"events\": 1, "
	    "\"firing\": false}\n"
	    "  ]\n"
	    "}\n");
	free(got);
}

Test(report_alerts, text_section, .timeout = 5)
{
	struct result	 r = empty_result();
	char		*got;

	r.alerts = two_alerts;
	r.nalerts = 2;
	got = render(report_text, &r);
	/* rule 16 wide, key 11, value 2, window 4 ("%-4s") */
	cr_assert_not_null(strstr(got, "\nAlerts\n"
	    "  critical  storage_incident  store2        4 in 10m   "
	    "2026-11-21T14:02:00 .. 2026-11-21T14:08:00\n"
	    "  warning   auth_burst        203.0.113.9  12 in 1m    "
	    "2026-11-21T15:00:00 .. 2026-11-21T15:00:45  (firing)\n"), "%s",
	    got);
	free(got);
}

Test(report_alerts, text_none, .timeout = 5)
{
	struct result	 r = empty_result();
	char		*got = render(report_text, &r);

	cr_assert_null(strstr(got, "Alerts"), "%s", got);
	free(got);
}
