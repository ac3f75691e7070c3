/*
 * Report writers: the exact JSON of a tiny hand-built result, escaping of
 * hostile log data (JSON and terminal), timestamps, and the text report's
 * sections, numbers and colour switch. Results are static arrays; output
 * goes to an open_memstream buffer.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mxtally/cause.h"
#include "mxtally/event.h"
#include "mxtally/report.h"
#include "../src/report/report_int.h"

/* 2026-11-21T14:00:00 as wall-clock seconds */
#define T_1400	INT64_C(1795269600)

static uint64_t alice_by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 2 };
static uint64_t host_by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 2 };
static uint64_t hour_by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 2 };
static struct user_count quota_top[] = { { "alice", 2 } };
static struct cause_row tiny_causes[] = {
	{ CAUSE_QUOTA_EXCEEDED, 2, 1, quota_top, 1 },
};
static struct code_row tiny_codes[] = {
	{ PROTO_SMTP, "552", "5.2.2", "", CAUSE_QUOTA_EXCEEDED, 2 },
};
static struct entity_row tiny_users[] = { { "alice", 0, 2, alice_by } };
static struct entity_row tiny_hosts[] = { { "mx1", 0, 2, host_by } };
static struct entity_row tiny_hours[] = { { NULL, T_1400, 2, hour_by } };
static struct file_row tiny_files[] = { { "maillog", "plain", 100, 3, NULL, 0 } };

static struct result
tiny_result(void)
{
	struct result	 r;

	memset(&r, 0, sizeof(r));
	r.files = tiny_files;
	r.nfiles = 1;
	r.bytes = 100;
	r.lines = 3;
	r.error_lines = 2;
	r.unparsed_lines = 1;
	r.first = T_1400 + 3;
	r.last = T_1400 + 59 * 60 + 58;
	r.events = 2;
	r.nusers = 1;
	r.nhosts = 1;
	r.traffic.received = 7;
	r.traffic.pop3.ok = 5;
	r.traffic.pop3.failed = 1;
	r.causes = tiny_causes;
	r.ncauses = 1;
	r.codes = tiny_codes;
	r.ncodes = 1;
	r.users = tiny_users;
	r.nusers_shown = 1;
	r.hosts = tiny_hosts;
	r.nhosts_shown = 1;
	r.hours = tiny_hours;
	r.nhours = 1;
	return r;
}

typedef int (*writer_fn)(FILE *, const struct result *,
    const struct report_opts *);

/* Runs a writer into memory; the caller frees the result. */
static char *
render(writer_fn fn, const struct result *r, int color)
{
	struct report_opts	 o = { .color = color, .version = "0.1.0" };
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

static char *
json_of(const char *s)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	rep_json_str(f, s);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static char *
text_of(const char *s)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	rep_text_str(f, s);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

/* The expected JSON is built from the cause table's own texts. */
static void
assert_plain(const char *s)
{
	const unsigned char *p;

	cr_assert_not_null(s);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		cr_assert(*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\',
		    "table text needs escaping, test cannot inline it: %s", s);
}

Test(report_json, tiny_exact, .timeout = 5)
{
	const struct cause_info	*ci = cause_get(CAUSE_QUOTA_EXCEEDED);
	struct result		 r = tiny_result();
	char			 basic[256], enh[256], want[4096];
	char			*got;

	code_meaning_basic(552, basic, sizeof(basic));
	code_meaning_enhanced(5, 2, 2, enh, sizeof(enh));
	assert_plain(ci->meaning);
	assert_plain(ci->advice);
	assert_plain(basic);
	assert_plain(enh);
	cr_assert_str_eq(ci->id, "quota_exceeded");
	cr_assert_str_eq(ci->group, "storage");
	snprintf(want, sizeof(want),
	    "{\n"
	    "  \"schema\": \"mxtally/1\",\n"
	    "  \"version\": \"0.1.0\",\n"
	    "  \"input\": {\n"
	    "    \"files\": [\n"
	    "      {\"path\": \"maillog\", \"bytes\": 100, \"lines\": 3, "
	    "\"format\": \"plain\"}\n"
	    "    ],\n"
	    "    \"bytes\": 100,\n"
	    "    \"lines\": 3,\n"
	    "    \"error_lines\": 2,\n"
	    "    \"unparsed_lines\": 1,\n"
	    "    \"overlong_lines\": 0,\n"
	    "    \"errors\": [],\n"
	    "    \"warnings\": []\n"
	    "  },\n"
	    "  \"period\": {\"first\": \"2026-11-21T14:00:03\", "
	    "\"last\": \"2026-11-21T14:59:58\"},\n"
	    "  \"totals\": {\"events\": 2, \"users\": 1, \"hosts\": 1, "
	    "\"clients\": 0, \"remotes\": 0, \"client_events\": 0, "
	    "\"remote_events\": 0, \"urgent_events\": 0, "
	    "\"direction\": {\"inbound\": 0, \"outbound\": 0, \"local\": 0}, "
	    "\"folded_users\": 0, \"folded_clients\": 0, "
	    "\"folded_remotes\": 0, "
	    "\"folded_hosts\": 0, \"folded_hours\": 0, "
	    "\"folded_codes\": 0, \"folded_pop3\": 0, "
	    "\"folded_unclassified\": 0, \"join_unresolved\": 0, "
	    "\"join_dropped\": 0, \"join_evicted\": 0, \"join_paired\": 0, "
	    "\"max_keys\": 0},\n"
	    "  \"traffic\": {\n"
	    "    \"counted_from\": [],\n"
	    "    \"received\": 7,\n"
	    "    \"delivered\": 0,\n"
	    "    \"forwarded\": 0,\n"
	    "    \"deferred\": 0,\n"
	    "    \"bounced\": 0,\n"
	    "    \"rejected\": 0,\n"
	    "    \"held\": 0,\n"
	    "    \"discarded\": 0,\n"
	    "    \"bytes_received\": 0,\n"
	    "    \"bytes_delivered\": 0,\n"
	    "    \"senders\": 0,\n"
	    "    \"recipients\": 0,\n"
	    "    \"logins\": {\n"
	    "      \"pop3\": {\"ok\": 5, \"failed\": 1},\n"
	    "      \"imap\": {\"ok\": 0, \"failed\": 0},\n"
	    "      \"smtp_auth\": {\"ok\": 0, \"failed\": 0}\n"
	    "    },\n"
	    "    \"deferrals\": 0,\n"
	    "    \"reject_warnings\": 0,\n"
	    "    \"sender_domains\": 0,\n"
	    "    \"recipient_domains\": 0,\n"
	    "    \"folded_senders\": 0,\n"
	    "    \"folded_recipients\": 0,\n"
	    "    \"top_senders\": [],\n"
	    "    \"top_senders_by_size\": [],\n"
	    "    \"top_recipients\": [],\n"
	    "    \"top_recipients_by_size\": [],\n"
	    "    \"defer_reasons\": {},\n"
	    "    \"bounce_reasons\": {},\n"
	    "    \"reject_reasons\": {},\n"
	    "    \"hours\": []\n"
	    "  },\n"
	    "  \"causes\": {\n"
	    "    \"quota_exceeded\": {\"events\": 2, \"users\": 1, "
	    "\"group\": \"storage\", \"meaning\": \"%s\", \"advice\": \"%s\", "
	    "\"top_users\": [[\"alice\", 2]], "
	    "\"direction\": {\"inbound\": 0, \"outbound\": 0, \"local\": 0}, "
	    "\"detail\": [], \"detail_examples\": {}, \"top_clients\": [], "
	    "\"top_remotes\": []}\n"
	    "  },\n"
	    "  \"capacity\": [],\n"
	    "  \"lock_contention\": {\n"
	    "    \"refused_sessions\": 0,\n"
	    "    \"holder_found\": 0,\n"
	    "    \"dropped\": 0,\n"
	    "    \"pairs\": [],\n"
	    "    \"sessions\": []\n"
	    "  },\n"
	    "  \"codes\": [\n"
	    "    {\"protocol\": \"smtp\", \"code\": \"552\", "
	    "\"enhanced\": \"5.2.2\", \"events\": 2, "
	    "\"cause\": \"quota_exceeded\", \"meaning\": \"%s; %s\"}\n"
	    "  ],\n"
	    "  \"pop3\": [],\n"
	    "  \"users\": [\n"
	    "    {\"user\": \"alice\", \"events\": 2, "
	    "\"causes\": {\"quota_exceeded\": 2}}\n"
	    "  ],\n"
	    "  \"hosts\": [\n"
	    "    {\"host\": \"mx1\", \"events\": 2, "
	    "\"causes\": {\"quota_exceeded\": 2}}\n"
	    "  ],\n"
	    "  \"clients\": [],\n"
	    "  \"networks\": [],\n"
	    "  \"remotes\": [],\n"
	    "  \"timeline\": [\n"
	    "    {\"start\": \"2026-11-21T14:00:00\", \"events\": 2, "
	    "\"causes\": {\"quota_exceeded\": 2}}\n"
	    "  ],\n"
	    "  \"unclassified\": [],\n"
	    "  \"alerts\": []\n"
	    "}\n", ci->meaning, ci->advice, basic, enh);
	got = render(report_json, &r, 0);
	cr_assert_str_eq(got, want);
	free(got);
}

Test(report_json, null_period_and_empty, .timeout = 5)
{
	struct result	 r;
	char		*got;

	memset(&r, 0, sizeof(r));
	r.first = T_NONE;
	r.last = T_NONE;
	got = render(report_json, &r, 0);
	cr_assert_not_null(strstr(got,
	    "\"period\": {\"first\": null, \"last\": null},"), "%s", got);
	cr_assert_not_null(strstr(got, "\"causes\": {},"), "%s", got);
	cr_assert_not_null(strstr(got, "\"files\": [],"), "%s", got);
	free(got);
}

Test(report_json, escape_specials, .timeout = 5)
{
	char	*s;

	s = json_of("say \"hi\" \\ now");
	cr_assert_str_eq(s, "\"say \\\"hi\\\" \\\\ now\"");
	free(s);
	s = json_of("a\nb\tc\rd\be\ff\x01g\x1fh\x7f");
	cr_assert_str_eq(s,
	    "\"a\\nb\\tc\\rd\\be\\ff\\u0001g\\u001fh\\u007f\"");
	free(s);
	s = json_of(NULL);
	cr_assert_str_eq(s, "null");
	free(s);
}

Test(report_json, escape_invalid_utf8, .timeout = 5)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "a\xff" "b", "\"a\\u00ffb\"" },
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },		/* overlong '/' */
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" },
		{ "x\xe2\x82", "\"x\\u00e2\\u0082\"" },		/* cut short */
		{ "\xe9t\xe9", "\"\\u00e9t\\u00e9\"" },		/* Latin-1 */
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		s = json_of(cases[i].in);
		cr_assert_str_eq(s, cases[i].want, "case %zu", i);
		free(s);
	}
}

Test(report_json, utf8_kept, .timeout = 5)
{
	char	*s = json_of("J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x93\xab");

	cr_assert_str_eq(s, "\"J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x93\xab\"");
	free(s);
}

Test(report_json, hostile_user_in_document, .timeout = 5)
{
	static uint64_t by[CAUSE_MAX] = { [CAUSE_AUTH_FAILURE] = 1 };
	static struct entity_row users[] = { { "ev\"il\x1b[31m\xff", 0, 1, by } };
	struct result	 r = tiny_result();
	char		*got;

	r.users = users;
	got = render(report_json, &r, 0);
	cr_assert_not_null(strstr(got,
	    "{\"user\": \"ev\\\"il\\u001b[31m\\u00ff\", \"events\": 1, "
	    "\"causes\": {\"auth_failure\": 1}}"), "%s", got);
	cr_assert_null(strchr(got, '\x1b'));
	free(got);
}

Test(report_json, passes_jq, .timeout = 5)
{
	static uint64_t by[CAUSE_MAX] = { [CAUSE_AUTH_FAILURE] = 1 };
	static struct entity_row users[] = {
		{ "a\"\\\x01\xff\xc3\xa9\xe2\x82", 0, 1, by },
	};
	static struct error_row errors[] = { { "x\n.log", "cannot \"open\"" } };
	struct result	 r = tiny_result();
	char		 path[] = "/tmp/test_report_XXXXXX", cmd[128];
	FILE		*f;
	int		 fd;
	struct report_opts o = { .version = "0.1.0" };

	if (system("command -v jq >/dev/null 2>&1") != 0)
		cr_skip_test("jq is not on PATH");
	r.users = users;
	r.errors = errors;
	r.nerrors = 1;
	r.last = T_NONE;
	cr_assert_neq(fd = mkstemp(path), -1);
	cr_assert_not_null(f = fdopen(fd, "w"));
	report_views(&r);
	cr_assert_eq(report_json(f, &r, &o), 0);
	report_views_release(&r);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
	    "jq -e '.users[0].events == 1 and .period.last == null' "
	    "<%s >/dev/null", path);
	cr_assert_eq(system(cmd), 0, "jq rejected %s", path);
	unlink(path);
}

Test(report_json, write_error, .timeout = 5)
{
	struct result		 r = tiny_result();
	struct report_opts	 o = { .version = "0.1.0" };
	FILE			*f = fopen("/dev/full", "w");

	if (f == NULL)
		cr_skip_test("no /dev/full");
	report_views(&r);
	cr_assert_eq(report_json(f, &r, &o), -1);
	cr_assert_eq(report_text(f, &r, &o), -1);
	report_views_release(&r);
	fclose(f);
}

Test(report_time, formats, .timeout = 5)
{
	char	 buf[32];

	cr_assert_str_eq(report_time(0, buf, sizeof(buf)),
	    "1970-01-01T00:00:00");
	cr_assert_str_eq(report_time(T_1400, buf, sizeof(buf)),
	    "2026-11-21T14:00:00");
	/* 2024-02-29T23:59:59, a leap day */
	cr_assert_str_eq(report_time(INT64_C(1709251199), buf, sizeof(buf)),
	    "2024-02-29T23:59:59");
	cr_assert_str_eq(report_time(INT64_C(951868800), buf, sizeof(buf)),
	    "2000-03-01T00:00:00");
	cr_assert_str_eq(report_time(-1, buf, sizeof(buf)),
	    "1969-12-31T23:59:59");
	cr_assert_str_eq(report_time(T_NONE, buf, sizeof(buf)), "-");
}

Test(report_time, matches_gmtime, .timeout = 5)
{
	char		 buf[32], want[32];
	struct tm	 tm;
	time_t		 t;
	int64_t		 i;

	/* every 7 hours 13 minutes over 1900..2100 */
	for (i = INT64_C(-2208988800); i < INT64_C(4102444800); i += 26003) {
		t = (time_t)i;
		cr_assert_not_null(gmtime_r(&t, &tm));
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
		cr_assert_str_eq(report_time(i, buf, sizeof(buf)), want,
		    "t=%lld", (long long)i);
	}
}

Test(report, num_separators, .timeout = 5)
{
	char	 buf[32], small[4];

	cr_assert_str_eq(rep_num(0, buf, sizeof(buf)), "0");
	cr_assert_str_eq(rep_num(999, buf, sizeof(buf)), "999");
	cr_assert_str_eq(rep_num(1000, buf, sizeof(buf)), "1,000");
	cr_assert_str_eq(rep_num(1234567, buf, sizeof(buf)), "1,234,567");
	cr_assert_str_eq(rep_num(UINT64_MAX, buf, sizeof(buf)),
	    "18,446,744,073,709,551,615");
	cr_assert_str_eq(rep_num(123456, small, sizeof(small)), "123");
}

Test(report, code_meaning_response, .timeout = 5)
{
	struct code_row	 c = { PROTO_POP3, "", "", "IN-USE",
	    CAUSE_LOCK_CONTENTION, 4 };
	const char	*want = code_meaning_resp("IN-USE", 6);
	char		 buf[256];

	cr_assert_not_null(want);
	cr_assert_str_eq(rep_code_meaning(&c, buf, sizeof(buf)), want);
	/* nothing known: the cause's meaning */
	memcpy(c.resp, "NO-SUCH-CODE", 13);
	cr_assert_str_eq(rep_code_meaning(&c, buf, sizeof(buf)),
	    cause_get(CAUSE_LOCK_CONTENTION)->meaning);
}

Test(report_text, terminal_escapes, .timeout = 5)
{
	char	*s;

	s = text_of("a\x1b[31mb\x07\x7f\xff\xc2\x9b" "c\xe2\x80\xae" "d");
	cr_assert_str_eq(s, "a\\x1b[31mb\\x07\\x7f\\xff\\xc2\\x9bc"
	    "\\xe2\\x80\\xaed");
	free(s);
	s = text_of("J\xc3\xbcrgen");
	cr_assert_str_eq(s, "J\xc3\xbcrgen");
	free(s);
	cr_assert_eq(rep_text_str(NULL, "J\xc3\xbcrgen"), 6);
	cr_assert_eq(rep_text_str(NULL, "\x1b"), 4);
}

/*
 * Look-alike names: line and paragraph separators, zero-width and
 * invisible characters, the soft hyphen and the BOM are escaped like
 * controls; their neighbours (U+200A hair space, U+2027, U+2030,
 * U+00AC, U+FEFE) stay as they are.
 */
Test(report_text, invisible_escaped, .timeout = 5)
{
	static const char *const hidden[] = {
		"\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\x8b",
		"\xe2\x80\x8c", "\xe2\x80\x8d", "\xe2\x80\x8e",
		"\xe2\x80\x8f", "\xc2\xad", "\xe2\x81\xa0",
		"\xe2\x81\xa4", "\xef\xbb\xbf", "\xe1\xa0\x8e",
		"\xd8\x9c",
	};
	static const char *const shown[] = {
		"\xe2\x80\x8a", "\xe2\x80\xa7", "\xe2\x80\xb0",
		"\xc2\xac", "\xef\xbb\xbe",
	};
	char	 in[32], want[64];
	char	*s;
	size_t	 i, k, n;

	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		snprintf(in, sizeof(in), "ad%smin", hidden[i]);
		n = (size_t)snprintf(want, sizeof(want), "ad");
		for (k = 0; hidden[i][k] != '\0'; k++)
			n += (size_t)snprintf(want + n, sizeof(want) - n,
			    "\\x%02x", (unsigned char)hidden[i][k]);
		snprintf(want + n, sizeof(want) - n, "min");
		s = text_of(in);
		cr_assert_str_eq(s, want);
		free(s);
	}
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		snprintf(in, sizeof(in), "ad%smin", shown[i]);
		s = text_of(in);
		cr_assert_str_eq(s, in);
		free(s);
	}
}

static struct user_count evil_top[] = { { "ev\x1b[31mil", 1234 } };
static uint64_t evil_by[CAUSE_MAX] = { [CAUSE_SYSTEM_STORAGE] = 1234 };
static struct cause_row evil_causes[] = {
	{ CAUSE_SYSTEM_STORAGE, 1234, 1, evil_top, 1 },
};
static struct entity_row evil_users[] = {
	{ "ev\x1b[31mil", 0, 1234, evil_by },
};
static struct entity_row evil_hosts[] = { { "mx1", 0, 1234, evil_by } };
static struct entity_row evil_hours[] = { { NULL, T_1400, 1234, evil_by } };
static struct code_row evil_codes[] = {
	{ PROTO_SMTP, "452", "4.3.1", "", CAUSE_SYSTEM_STORAGE, 1234 },
};
static struct reply_row evil_pop3[] = {
	{ "-ERR [SYS/TEMP] \x1b]0;owned\x07", CAUSE_SYSTEM_STORAGE, 3 },
};
static struct tmpl_row evil_tmpl[] = {
	{ "weird <*> thing", "weird 42 thing", 5 },
};

static struct result
evil_result(void)
{
	struct result	 r = tiny_result();

	r.events = 1234;
	r.causes = evil_causes;
	r.codes = evil_codes;
	r.users = evil_users;
	r.hosts = evil_hosts;
	r.hours = evil_hours;
	r.pop3 = evil_pop3;
	r.npop3 = 1;
	r.unclassified = evil_tmpl;
	r.nunclassified = 1;
	return r;
}

Test(report_text, sections_and_numbers, .timeout = 5)
{
	struct result	 r = evil_result();
	char		*got = render(report_text, &r, 0);
	static const char *const want[] = {
		"mxtally 0.1.0", "Period    2026-11-21T14:00:03 to "
		"2026-11-21T14:59:58", "1,234 events", "\nCauses\n",
		"system_storage", "100.0%", "first step:", "\nStorage\n",
		"busiest hours", "2026-11-21 14:00",
		"\nTop users by cause\n", "ev\\x1b[31mil", "\nCodes\n", "452", "4.3.1",
		"\nPOP3 replies\n", "\nTimeline (error events per hour)\n",
		"2026-11-21 14:00   1,234 " "########################################\n",
		"weird <*> thing", "e.g. weird 42 thing",
	};
	const char	*at = got;
	size_t		 i;

	/* in this order */
	for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
		at = strstr(at, want[i]);
		cr_assert_not_null(at, "missing or out of order: %s\n%s",
		    want[i], got);
	}
	free(got);
}

Test(report_text, hostile_name_escaped, .timeout = 5)
{
	struct result	 r = evil_result();
	char		*got = render(report_text, &r, 0);

	cr_assert_not_null(strstr(got, "ev\\x1b[31mil"), "%s", got);
	cr_assert_not_null(strstr(got, "\\x1b]0;owned\\x07"), "%s", got);
	cr_assert_null(strchr(got, '\x1b'), "raw ESC in:\n%s", got);
	cr_assert_null(strchr(got, '\x07'), "raw BEL in:\n%s", got);
	free(got);
}

Test(report_text, color_only_when_asked, .timeout = 5)
{
	struct result	 r = evil_result();
	char		*plain = render(report_text, &r, 0);
	char		*color = render(report_text, &r, 1);

	cr_assert_null(strchr(plain, '\x1b'));
	cr_assert_not_null(strstr(color, "\x1b[1mCauses\x1b[0m"), "%s", color);
	cr_assert_not_null(strstr(color, "\x1b[31m1,234\x1b[0m"), "%s", color);
	free(plain);
	free(color);
}

Test(report_text, no_events, .timeout = 5)
{
	static struct error_row errors[] = { { "gone.log", "no such file" } };
	struct result	 r;
	char		*got;

	memset(&r, 0, sizeof(r));
	r.first = T_NONE;
	r.last = T_NONE;
	r.errors = errors;
	r.nerrors = 1;
	got = render(report_text, &r, 0);
	cr_assert_not_null(strstr(got, "no error events found"), "%s", got);
	cr_assert_not_null(strstr(got, "!! input not read: gone.log: "
	    "no such file"), "%s", got);
	cr_assert_not_null(strstr(got, "Period    - to -"), "%s", got);
	cr_assert_null(strstr(got, "Causes"), "%s", got);
	cr_assert_null(strstr(got, "Timeline"), "%s", got);
	free(got);
}

Test(report_text, timeline_gaps_and_scale, .timeout = 5)
{
	static uint64_t by[CAUSE_MAX] = { [CAUSE_AUTH_FAILURE] = 1 };
	static struct entity_row hours[] = {
		{ NULL, T_1400, 40, by },
		{ NULL, T_1400 + 2 * 3600, 1, by },
		{ NULL, T_1400 + 100 * 3600, 20, by },
	};
	static struct cause_row causes[] = {
		{ CAUSE_AUTH_FAILURE, 61, 0, NULL, 0 },
	};
	struct result	 r = tiny_result();
	char		*got;

	r.events = 61;
	r.causes = causes;
	r.codes = NULL;
	r.ncodes = 0;
	r.hours = hours;
	r.nhours = 3;
	got = render(report_text, &r, 0);
	cr_assert_not_null(strstr(got,
	    "  2026-11-21 14:00      40 "
	    "########################################\n"
	    "  2026-11-21 15:00       0\n"
	    "  2026-11-21 16:00       1 #\n"
	    "  ...\n"
	    "  2026-11-25 18:00      20 ####################\n"), "%s", got);
	cr_assert_null(strstr(got, "\nStorage\n"), "%s", got);
	cr_assert_null(strstr(got, "\nCodes\n"), "%s", got);
	free(got);
}

Test(report_text, short_code_meaning, .timeout = 5)
{
	static struct code_row codes[] = {
		{ PROTO_SMTP, "", "", "XYZ", CAUSE_SERVER_ERROR, 1 },
	};
	static struct cause_row causes[] = {
		{ CAUSE_SERVER_ERROR, 1, 0, NULL, 0 },
	};
	struct result	 r = tiny_result();
	char		*got;
	int		 c;

	/* an unknown response code falls back to the cause's meaning */
	c = cause_add("server_error", "", "Short name (with a long aside): "
	    "and an explanation", "Do it.");
	cr_assert_eq(c, CAUSE_SERVER_ERROR);
	r.events = 1;
	r.causes = causes;
	r.codes = codes;
	got = render(report_text, &r, 0);
	cr_assert_not_null(strstr(got, "server_error  Short name\n"), "%s",
	    got);
	free(got);
}

Test(report_text, prose_wraps, .timeout = 5)
{
	static uint64_t by[CAUSE_MAX];
	static struct entity_row hours[] = { { NULL, T_1400, 3, by } };
	static struct cause_row causes[1];
	struct result	 r = tiny_result();
	char		*got, *line, *save = NULL;
	int		 c;

	c = cause_add("long_cause", "", "Alpha beta gamma delta epsilon zeta "
	    "eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
	    "upsilon phi chi psi omega.", "Do one thing, then another thing, "
	    "then a third thing, and finally check that everything worked "
	    "as expected.");
	cr_assert_geq(c, 0);
	by[c] = 3;
	causes[0] = (struct cause_row){ c, 3, 0, NULL, 0 };
	r.events = 3;
	r.causes = causes;
	r.ncodes = 0;
	r.nusers_shown = 0;
	r.nhosts_shown = 0;
	r.hours = hours;
	got = render(report_text, &r, 0);
	cr_assert_not_null(strstr(got, "      Alpha beta"), "%s", got);
	cr_assert_not_null(strstr(got, "omega.\n      first step: Do one"),
	    "%s", got);
	cr_assert_not_null(strstr(got, "\n                  "), "%s", got);
	for (line = strtok_r(got, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		cr_assert_leq(strlen(line), 78, "too long: %s", line);
	free(got);
}

/* A name longer than the writer's buffer, escapes on both sides of it. */
Test(report_json, name_longer_than_buffer, .timeout = 5)
{
	static uint64_t by[CAUSE_MAX] = { [CAUSE_AUTH_FAILURE] = 1 };
	static struct entity_row users[1];
	struct result	 r = tiny_result();
	size_t		 n = 200000, i, k;
	char		*name = malloc(n + 1), *want = malloc(n + 64), *got;

	cr_assert_not_null(name);
	cr_assert_not_null(want);
	for (i = 0; i < n; i++)
		name[i] = i % 70001 == 7 ? '"' : (char)('a' + i % 26);
	name[n] = '\0';
	users[0] = (struct entity_row){ name, 0, 1, by };
	r.users = users;
	r.nusers_shown = 1;
	got = render(report_json, &r, 0);
	k = (size_t)sprintf(want, "{\"user\": \"");
	for (i = 0; i < n; i++) {
		if (name[i] == '"')
			want[k++] = '\\';
		want[k++] = name[i];
	}
	strcpy(want + k, "\", \"events\": 1");
	cr_assert_not_null(strstr(got, want), "long name not written whole");
	free(got);
	free(want);
	free(name);
}

/*
 * rep_json_plain's run of bytes kept as they are, four bytes a step: a
 * byte from ' ' to '~' but '"' and '\' continues it, any other ASCII
 * byte ends it, wherever it sits in a step or the tail.
 */
Test(report, json_plain_every_byte, .timeout = 5)
{
	char	 s[8];
	size_t	 at, want;
	int	 c;

	for (c = 1; c < 0x80; c++)
		for (at = 0; at < 6; at++) {
			memset(s, 'a', sizeof(s) - 1);
			s[sizeof(s) - 1] = '\0';
			s[at] = (char)c;
			want = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ?
			    sizeof(s) - 1 : at;
			cr_assert_eq(rep_json_plain(s), want,
			    "byte 0x%02x at %zu", c, at);
		}
	cr_assert_eq(rep_json_plain(""), 0);
}
