/*
 * Unit tests of merge_reports, which reads reports with libjansson. The
 * two reports below are written by hand; every expected number in the
 * merge cases is added up by hand from them (see the comments).
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/merge.h"
#include "slurp.h"

static void write_file(char *path, const char *text);

/* What the code under test said on stderr (redirected), to the end. */
static char *
stderr_of(void)
{
	fflush(stderr);
	return slurp(cr_get_redirected_stderr());
}

/* Merges text alone (n copies of it); NULL with the error said. */
static struct result *
merge_text(const char *text, size_t n)
{
	char		 a[] = "/tmp/mxt-merge-t.XXXXXX";
	char		*paths[4] = { a, a, a, a };
	struct result	*r;

	write_file(a, text);
	r = merge_reports(paths, n, 0);
	unlink(a);
	return r;
}

struct bad_case {
	char	 text[96];
	char	 msg[48];
};

/*
 * Each is refused naming the file and where: the parser's line and
 * column, or the member whose count is no count. The counts were read
 * with no check before (a negative or fractional one as 0, one past
 * 2^64 - 1 wrapped by strtod's rounding).
 */
ParameterizedTestParameters(merge, refuses)
{
	static struct bad_case cases[] = {
		{ "{\"schema\": \"mxtally/1\", \"a\": [1,]}",
		    "line 1, column 33 (byte 33)" },
		{ "{\"schema\": \"mxtally/1\",\n \"schema\": \"x\"}",
		    "line 2, column 9" },
		{ "{\"schema\": \"mxtally/1\"} [2]", "line 1, column 25" },
		{ "{\"schema\": \"mxtally/1\", \"totals\": {\"events\": -1}}",
		    "'events' is negative, not a count" },
		{ "{\"schema\": \"mxtally/1\", \"totals\": {\"events\": 2.5}}",
		    "'events' is a fraction, not a count" },
		{ "{\"schema\": \"mxtally/1\", \"totals\": {\"events\": \"3\"}}",
		    "'events' is not a number, not a count" },
		{ "{\"schema\": \"mxtally/1\", \"totals\": "
		    "{\"events\": 18446744073709551616}}", "too big integer" },
		{ "{\"schema\": \"mxtally/1\", \"users\": [{\"user\": \"a\","
		    " \"causes\": {\"quota_exceeded\": -2}}]}",
		    "'quota_exceeded' is negative" },
		/* rows are counted by cause: events with none would be lost */
		{ "{\"schema\": \"mxtally/1\", \"users\": [{\"user\": \"a\","
		    " \"events\": 2, \"causes\": {\"quota_exceeded\": 1}}]}",
		    "'a': causes add up to 1, not to its 2 events" },
		{ "{\"schema\": \"mxtally/1\", \"codes\": [{\"code\": \"452\","
		    " \"events\": 2}]}", "a row of 'codes' names no cause" },
	};

	return cr_make_param_array(struct bad_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *bc, merge, refuses, .timeout = 5,
    .init = cr_redirect_stderr)
{
	struct result	*r = merge_text(bc->text, 1);
	char		*err = stderr_of();

	cr_assert_null(r, "accepted '%s'", bc->text);
	cr_assert(strstr(err, "mxtally: error: '/tmp/mxt-merge-t.") == err,
	    "no file: %s", err);
	cr_assert(strstr(err, bc->msg) != NULL, "'%s': got '%s'", bc->text,
	    err);
	/* one error, said once, where it was found */
	cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "%s", err);
	free(err);
}

/*
 * 2^63 - 1 is the largest count libjansson reads: two of them add up
 * to 2^64 - 2, exact; a third would pass 2^64 - 1 and is refused (the
 * hand parser wrapped: 2^64 - 1 + 167 gave 166).
 */
Test(merge, counts_never_wrap, .timeout = 5, .init = cr_redirect_stderr)
{
	static const char text[] = "{\"schema\": \"mxtally/1\", "
	    "\"totals\": {\"events\": 9223372036854775807}}";
	char		*err;
	struct result	*r;

	r = merge_text(text, 2);
	cr_assert_not_null(r);
	cr_assert_eq(r->events, UINT64_MAX - 1);
	result_free(r);
	r = merge_text(text, 3);
	cr_assert_null(r);
	err = stderr_of();
	cr_assert(strstr(err, "'events' adds up past 2^64 - 1") != NULL,
	    "%s", err);
	free(err);
}

/*
 * An object of 200,000 members and an array of 100,000 users: the hand
 * parser looked up every member name it had read before (40,000
 * members took 4.4 s, 200,000 never ended). Here it takes well under a
 * second, even under ASan.
 */
Test(merge, large_objects_linear, .timeout = 30)
{
	size_t		 n = 200000, i, len = 0, cap = 64 * n;
	char		*text = malloc(cap);
	struct result	*r;
	struct timespec	 t0, t1;

	cr_assert_not_null(text);
	len += (size_t)snprintf(text + len, cap - len, "{\"schema\": "
	    "\"mxtally/1\", \"causes\": {\"quota_exceeded\": {\"events\": "
	    "%zu, \"detail_examples\": {", n);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "%s\"d%zu\": \"x\"", i ? ", " : "", i);
	len += (size_t)snprintf(text + len, cap - len, "}}}, \"users\": [");
	for (i = 0; i < n / 2; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "%s{\"user\": \"u%zu\", \"events\": 2, \"causes\": "
		    "{\"quota_exceeded\": 2}}", i ? ", " : "", i);
	snprintf(text + len, cap - len, "]}");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = merge_text(text, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(text);
	cr_assert_not_null(r);
	cr_assert_eq(r->nusers, n / 2);
	cr_assert_eq(r->users[0].events, 2);
	cr_assert_lt((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000, 10000);
	result_free(r);
}

/* Server A, night 1: alice quota 2 + auth 1, bob auth 1, host mx1. */
static const char report_a[] =
"{\"schema\": \"mxtally/1\", \"version\": \"0.1.0\",\n"
" \"input\": {\"files\": [{\"path\": \"a.log\", \"bytes\": 100, \"lines\": 10,"
" \"format\": \"plain\"}], \"bytes\": 100, \"lines\": 10, \"error_lines\": 4,"
" \"unparsed_lines\": 1, \"overlong_lines\": 0, \"errors\": []},\n"
" \"period\": {\"first\": \"2026-11-21T06:00:00\","
" \"last\": \"2026-11-21T09:30:00\"},\n"
" \"totals\": {\"events\": 4, \"users\": 2, \"hosts\": 1, \"folded_users\": 0},\n"
" \"traffic\": {\"received\": 5, \"logins\": {\"pop3\": {\"ok\": 3, \"failed\": 2},"
" \"imap\": {\"ok\": 0, \"failed\": 0}, \"smtp_auth\": {\"ok\": 0, \"failed\": 0}}},\n"
" \"causes\": {\"quota_exceeded\": {\"events\": 2, \"users\": 1,"
" \"top_users\": [[\"alice\", 2]]}, \"auth_failure\": {\"events\": 2,"
" \"users\": 2, \"top_users\": [[\"alice\", 1], [\"bob\", 1]]}},\n"
" \"codes\": [{\"protocol\": \"smtp\", \"code\": \"452\", \"enhanced\": \"4.2.2\","
" \"events\": 2, \"cause\": \"quota_exceeded\", \"meaning\": \"x\"}],\n"
" \"pop3\": [{\"reply\": \"-ERR [AUTH] bad\", \"events\": 2,"
" \"cause\": \"auth_failure\"}],\n"
" \"users\": [{\"user\": \"alice\", \"events\": 3, \"causes\":"
" {\"quota_exceeded\": 2, \"auth_failure\": 1}},"
" {\"user\": \"bob\", \"events\": 1, \"causes\": {\"auth_failure\": 1}}],\n"
" \"hosts\": [{\"host\": \"mx1\", \"events\": 4, \"causes\":"
" {\"quota_exceeded\": 2, \"auth_failure\": 2}}],\n"
" \"timeline\": [{\"start\": \"2026-11-21T06:00:00\", \"events\": 4,"
" \"causes\": {\"quota_exceeded\": 2, \"auth_failure\": 2}}],\n"
" \"unclassified\": [], \"alerts\": []}\n";

/* Server B: alice quota 3, carol quota 1, one custom cause, host mx2. */
static const char report_b[] =
"{\"schema\": \"mxtally/1\", \"version\": \"0.1.0\",\n"
" \"input\": {\"files\": [{\"path\": \"b.log.gz\", \"bytes\": 50, \"lines\": 7,"
" \"format\": \"gzip\"}], \"bytes\": 50, \"lines\": 7, \"error_lines\": 5,"
" \"unparsed_lines\": 0, \"overlong_lines\": 0,"
" \"errors\": [{\"path\": \"c.log\", \"error\": \"cannot open\"}]},\n"
" \"period\": {\"first\": \"2026-11-20T23:59:00\","
" \"last\": \"2026-11-21T07:00:00\"},\n"
" \"totals\": {\"events\": 5, \"users\": 2, \"hosts\": 1, \"folded_users\": 0},\n"
" \"traffic\": {\"received\": 7, \"logins\": {\"pop3\": {\"ok\": 1, \"failed\": 0}}},\n"
" \"causes\": {\"quota_exceeded\": {\"events\": 4, \"users\": 2,"
" \"top_users\": [[\"alice\", 3], [\"carol\", 1]]},"
" \"merge_test_cause\": {\"events\": 1, \"users\": 0, \"group\": \"storage\","
" \"meaning\": \"m\", \"advice\": \"a\", \"top_users\": []}},\n"
" \"codes\": [{\"protocol\": \"smtp\", \"code\": \"452\", \"enhanced\": \"4.2.2\","
" \"events\": 4, \"cause\": \"quota_exceeded\"},"
" {\"protocol\": \"lmtp\", \"code\": \"452\", \"enhanced\": \"4.2.2\","
" \"events\": 1, \"cause\": \"merge_test_cause\"}],\n"
" \"pop3\": [],\n"
" \"users\": [{\"user\": \"alice\", \"events\": 3, \"causes\":"
" {\"quota_exceeded\": 3}},"
" {\"user\": \"carol\", \"events\": 1, \"causes\": {\"quota_exceeded\": 1}}],\n"
" \"hosts\": [{\"host\": \"mx2\", \"events\": 5, \"causes\":"
" {\"quota_exceeded\": 4, \"merge_test_cause\": 1}}],\n"
" \"timeline\": [{\"start\": \"2026-11-21T06:00:00\", \"events\": 5,"
" \"causes\": {\"quota_exceeded\": 4, \"merge_test_cause\": 1}}],\n"
" \"unclassified\": [{\"template\": \"frob N\", \"events\": 1,"
" \"example\": \"frob 7\"}], \"alerts\": []}\n";

static void
write_file(char *path, const char *text)
{
	int	 fd = mkstemp(path);
	FILE	*f;

	cr_assert(fd != -1);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

static const struct cause_row *
find_cause(const struct result *r, const char *id)
{
	size_t	 i;

	for (i = 0; i < r->ncauses; i++)
		if (strcmp(cause_get(r->causes[i].cause)->id, id) == 0)
			return &r->causes[i];
	return NULL;
}

Test(merge, two_servers, .timeout = 5)
{
	char		 a[] = "/tmp/mxt-merge-a.XXXXXX";
	char		 b[] = "/tmp/mxt-merge-b.XXXXXX";
	char		*paths[] = { a, b };
	struct result	*r;
	const struct cause_row *q;

	write_file(a, report_a);
	write_file(b, report_b);
	r = merge_reports(paths, 2, 0);
	unlink(a);
	unlink(b);
	cr_assert_not_null(r);
	cr_assert_eq(r->events, 9);		/* 4 + 5 */
	cr_assert_eq(r->lines, 17);		/* 10 + 7 */
	cr_assert_eq(r->bytes, 150);
	cr_assert_eq(r->error_lines, 9);
	cr_assert_eq(r->unparsed_lines, 1);
	cr_assert_eq(r->nfiles, 2);
	cr_assert_str_eq(r->files[1].format, "gzip");
	cr_assert_eq(r->nerrors, 1);
	cr_assert_str_eq(r->errors[0].path, "c.log");
	/* period: B's first (Nov 20 23:59) and A's last (Nov 21 09:30) */
	cr_assert_eq(r->first, 1795219140);	/* 2026-11-20T23:59:00 */
	cr_assert_eq(r->last, 1795253400);	/* 2026-11-21T09:30:00 */
	cr_assert_eq(r->traffic.received, 12);
	cr_assert_eq(r->traffic.pop3.ok, 4);
	cr_assert_eq(r->traffic.pop3.failed, 2);
	/* users: alice 3 + 3 = 6, carol 1, bob 1; union of 2 + 2 is 3 */
	cr_assert_eq(r->nusers, 3);
	cr_assert_eq(r->nusers_shown, 3);
	cr_assert_str_eq(r->users[0].name, "alice");
	cr_assert_eq(r->users[0].events, 6);
	cr_assert_str_eq(r->users[1].name, "bob");	/* 1, by name */
	cr_assert_str_eq(r->users[2].name, "carol");
	cr_assert_eq(r->nhosts, 2);
	cr_assert_str_eq(r->hosts[0].name, "mx2");	/* 5 before 4 */
	/* causes: quota 2 + 4 = 6 (alice 5, carol 1), auth 2, custom 1 */
	cr_assert_eq(r->ncauses, 3);
	q = &r->causes[0];
	cr_assert_str_eq(cause_get(q->cause)->id, "quota_exceeded");
	cr_assert_eq(q->events, 6);
	cr_assert_eq(q->users, 2);
	cr_assert_eq(q->ntop, 2);
	cr_assert_str_eq(q->top[0].user, "alice");
	cr_assert_eq(q->top[0].n, 5);
	q = find_cause(r, "merge_test_cause");
	cr_assert_not_null(q);
	cr_assert_str_eq(cause_get(q->cause)->group, "storage");
	/* codes: smtp 452 4.2.2 quota 2 + 4, lmtp one apart */
	cr_assert_eq(r->ncodes, 2);
	cr_assert_eq(r->codes[0].events, 6);
	cr_assert_eq(r->codes[1].events, 1);
	/* one hour, 4 + 5 */
	cr_assert_eq(r->nhours, 1);
	cr_assert_eq(r->hours[0].events, 9);
	cr_assert_eq(r->npop3, 1);
	cr_assert_eq(r->nunclassified, 1);
	cr_assert_str_eq(r->unclassified[0].example, "frob 7");
	result_free(r);
}

Test(merge, partial_user_lists_sum, .timeout = 5)
{
	char		 a[] = "/tmp/mxt-merge-a.XXXXXX";
	char		 b[] = "/tmp/mxt-merge-b.XXXXXX";
	char		*paths[] = { a, b };
	char		*text;
	struct result	*r;

	/* A claims 5 users but lists 2 (as with --top 2): 3 unlisted */
	text = strdup(report_a);
	memcpy(strstr(text, "\"users\": 2"), "\"users\": 5", 10);
	write_file(a, text);
	write_file(b, report_b);
	r = merge_reports(paths, 2, 0);
	unlink(a);
	unlink(b);
	free(text);
	cr_assert_not_null(r);
	cr_assert_eq(r->nusers, 6);		/* union 3 + 3 unlisted */
	/* quota users from the reports' own counts: 1 + 2 */
	cr_assert_eq(find_cause(r, "quota_exceeded")->users, 3);
	result_free(r);
}

Test(merge, refuses_other_json, .timeout = 5, .init = cr_redirect_stderr)
{
	char		 a[] = "/tmp/mxt-merge-a.XXXXXX";
	char		 b[] = "/tmp/mxt-merge-b.XXXXXX";
	char		*paths[] = { a, b }, want[512], *err;

	write_file(a, "{\"schema\": \"other/2\"}");
	write_file(b, "{\"schema\": ");
	cr_assert_null(merge_reports(paths, 1, 0));
	cr_assert_null(merge_reports(paths + 1, 1, 0));
	err = stderr_of();
	/* each said where it was found, naming its file */
	snprintf(want, sizeof(want), "mxtally: error: '%s': not an "
	    "mxtally/1 report\nmxtally: error: '%s': line 1, column 11 "
	    "(byte 11): ", a, b);
	cr_assert(strncmp(err, want, strlen(want)) == 0, "%s", err);
	free(err);
	unlink(a);
	unlink(b);
}

/*
 * Traffic lists of two servers, hand-written. C lists all 3 of its
 * senders; D lists its 2 senders but only 2 of the 3 recipients it
 * counts, so the recipient lists of the merge are partial.
 */
static const char report_c[] =
"{\"schema\": \"mxtally/1\",\n"
" \"totals\": {\"events\": 0, \"folded_hosts\": 2, \"max_keys\": 100},\n"
" \"traffic\": {\"senders\": 3, \"recipients\": 1, \"sender_domains\": 2,"
" \"recipient_domains\": 1,\n"
" \"top_senders\": [{\"address\": \"a@x\", \"messages\": 3, \"bytes\": 300},"
" {\"address\": \"b@x\", \"messages\": 2, \"bytes\": 900},"
" {\"address\": \"c@y\", \"messages\": 1, \"bytes\": 50}],\n"
" \"top_senders_by_size\": [{\"address\": \"b@x\", \"messages\": 2,"
" \"bytes\": 900}, {\"address\": \"a@x\", \"messages\": 3, \"bytes\": 300},"
" {\"address\": \"c@y\", \"messages\": 1, \"bytes\": 50}],\n"
" \"top_recipients\": [{\"address\": \"r@z\", \"deliveries\": 4,"
" \"bytes\": 1000}],\n"
" \"top_recipients_by_size\": [{\"address\": \"r@z\", \"deliveries\": 4,"
" \"bytes\": 1000}],\n"
" \"defer_reasons\": {\"quota_exceeded\": 2, \"auth_failure\": 1},\n"
" \"bounce_reasons\": {\"quota_exceeded\": 1}, \"reject_reasons\": {},\n"
" \"hours\": [{\"start\": \"2026-11-21T06:00:00\", \"received\": 3,"
" \"delivered\": 2, \"deferred\": 1, \"bounced\": 0, \"rejected\": 0},"
" {\"start\": \"2026-11-21T07:00:00\", \"received\": 1, \"delivered\": 0,"
" \"deferred\": 0, \"bounced\": 0, \"rejected\": 0}]}}\n";

static const char report_d[] =
"{\"schema\": \"mxtally/1\",\n"
" \"totals\": {\"events\": 0, \"folded_hosts\": 1, \"folded_codes\": 3,"
" \"max_keys\": 50},\n"
" \"traffic\": {\"senders\": 2, \"recipients\": 3, \"sender_domains\": 2,"
" \"recipient_domains\": 1,\n"
" \"top_senders\": [{\"address\": \"c@y\", \"messages\": 5, \"bytes\": 10},"
" {\"address\": \"b@x\", \"messages\": 1, \"bytes\": 100}],\n"
" \"top_senders_by_size\": [{\"address\": \"b@x\", \"messages\": 1,"
" \"bytes\": 100}, {\"address\": \"c@y\", \"messages\": 5, \"bytes\": 10}],\n"
" \"top_recipients\": [{\"address\": \"r@z\", \"deliveries\": 1,"
" \"bytes\": 50}, {\"address\": \"s@z\", \"deliveries\": 1, \"bytes\": 60}],\n"
" \"top_recipients_by_size\": [{\"address\": \"s@z\", \"deliveries\": 1,"
" \"bytes\": 60}, {\"address\": \"r@z\", \"deliveries\": 1, \"bytes\": 50}],\n"
" \"defer_reasons\": {\"auth_failure\": 2}, \"bounce_reasons\": {},\n"
" \"reject_reasons\": {\"quota_exceeded\": 4},\n"
" \"hours\": [{\"start\": \"2026-11-21T07:00:00\", \"received\": 2,"
" \"delivered\": 0, \"deferred\": 0, \"bounced\": 0, \"rejected\": 4},"
" {\"start\": \"2026-11-21T05:00:00\", \"received\": 1, \"delivered\": 0,"
" \"deferred\": 0, \"bounced\": 0, \"rejected\": 0}]}}\n";

static void
assert_row(const struct traffic_row *row, const char *name, uint64_t n,
    uint64_t bytes)
{
	cr_assert_str_eq(row->name, name);
	cr_assert_eq(row->n, n, "%s: %ju", name, (uintmax_t)row->n);
	cr_assert_eq(row->bytes, bytes, "%s: %ju", name, (uintmax_t)row->bytes);
}

static const char *
cause_id(int c)
{
	return cause_get(c)->id;
}

Test(merge, traffic_lists, .timeout = 5)
{
	char		 c[] = "/tmp/mxt-merge-c.XXXXXX";
	char		 d[] = "/tmp/mxt-merge-d.XXXXXX";
	char		*paths[] = { c, d };
	struct result	*r;
	const struct traffic *t;

	write_file(c, report_c);
	write_file(d, report_d);
	r = merge_reports(paths, 2, 2);	/* --top 2 */
	unlink(c);
	unlink(d);
	cr_assert_not_null(r);
	t = &r->traffic;
	/*
	 * senders: a@x 3 msgs 300 B; b@x 2 + 1 = 3, 900 + 100 = 1000 B;
	 * c@y 1 + 5 = 6, 50 + 10 = 60 B. By count c@y 6, then a@x and b@x
	 * tie at 3 (by address): top 2 is c@y, a@x. By size b@x, a@x.
	 */
	cr_assert_eq(t->ntop_senders, 2);
	assert_row(&t->top_senders[0], "c@y", 6, 60);
	assert_row(&t->top_senders[1], "a@x", 3, 300);
	cr_assert_eq(t->ntop_senders_size, 2);
	assert_row(&t->top_senders_size[0], "b@x", 3, 1000);
	assert_row(&t->top_senders_size[1], "a@x", 3, 300);
	/* both reports listed all their senders: union of 3, not 3 + 2 */
	cr_assert_eq(t->senders, 3);
	/* recipients: r@z 4 + 1 = 5, 1000 + 50 B; s@z 1, 60 B */
	cr_assert_eq(t->ntop_recipients, 2);
	assert_row(&t->top_recipients[0], "r@z", 5, 1050);
	assert_row(&t->top_recipients[1], "s@z", 1, 60);
	cr_assert_eq(t->ntop_recipients_size, 2);
	assert_row(&t->top_recipients_size[0], "r@z", 5, 1050);
	assert_row(&t->top_recipients_size[1], "s@z", 1, 60);
	/* D lists 2 of its 3 recipients: the sum 1 + 3, an upper bound */
	cr_assert_eq(t->recipients, 4);
	/* domains are always summed: 2 + 2, 1 + 1 */
	cr_assert_eq(t->sender_domains, 4);
	cr_assert_eq(t->recipient_domains, 2);
	/* defer: auth 1 + 2 = 3, quota 2; bounce: quota 1; reject: quota 4 */
	cr_assert_eq(t->ndefer_reasons, 2);
	cr_assert_str_eq(cause_id(t->defer_reasons[0].cause), "auth_failure");
	cr_assert_eq(t->defer_reasons[0].n, 3);
	cr_assert_str_eq(cause_id(t->defer_reasons[1].cause),
	    "quota_exceeded");
	cr_assert_eq(t->defer_reasons[1].n, 2);
	cr_assert_eq(t->nbounce_reasons, 1);
	cr_assert_str_eq(cause_id(t->bounce_reasons[0].cause),
	    "quota_exceeded");
	cr_assert_eq(t->bounce_reasons[0].n, 1);
	cr_assert_eq(t->nreject_reasons, 1);
	cr_assert_eq(t->reject_reasons[0].n, 4);
	/*
	 * hours by start: 05:00 (D: received 1), 06:00 (C only), 07:00
	 * (received 1 + 2 = 3, rejected 0 + 4). 2026-11-21T00:00:00 is
	 * 1795219200 (two_servers: 09:30 is 1795253400, less 34200 s).
	 */
	cr_assert_eq(t->nhours, 3);
	cr_assert_eq(t->hours[0].start, 1795219200 + 5 * 3600);
	cr_assert_eq(t->hours[0].received, 1);
	cr_assert_eq(t->hours[1].start, 1795219200 + 6 * 3600);
	cr_assert_eq(t->hours[1].received, 3);
	cr_assert_eq(t->hours[1].delivered, 2);
	cr_assert_eq(t->hours[1].deferred, 1);
	cr_assert_eq(t->hours[2].start, 1795219200 + 7 * 3600);
	cr_assert_eq(t->hours[2].received, 3);
	cr_assert_eq(t->hours[2].rejected, 4);
	/* folded counts add (hosts 2 + 1, codes 0 + 3); max_keys: largest */
	cr_assert_eq(r->folded_hosts, 3);
	cr_assert_eq(r->folded_codes, 3);
	cr_assert_eq(r->max_keys, 100);
	result_free(r);
}

/*
 * A report whose --max-keys folded senders lists them as one "(other)"
 * row, which is no address: its top lists are not all of its senders,
 * so the distinct senders of a merge are the reports' sum (3 + 3 = 6;
 * counting "(other)" as an address gave 3, below the 4 the two reports
 * may hold: a@x, b@x and one folded sender each), and "(other)" comes
 * last in both lists, as the scan puts it, not by its count or bytes.
 */
Test(merge, folded_senders, .timeout = 5)
{
	static const char text[] = "{\"schema\": \"mxtally/1\", \"traffic\":"
	    " {\"senders\": 3, \"folded_senders\": 1, \"top_senders\": ["
	    "{\"address\": \"a@x\", \"messages\": 2, \"bytes\": 20},"
	    " {\"address\": \"b@x\", \"messages\": 1, \"bytes\": 10},"
	    " {\"address\": \"(other)\", \"messages\": 1, \"bytes\": 90}],"
	    " \"top_senders_by_size\": ["
	    "{\"address\": \"a@x\", \"messages\": 2, \"bytes\": 20},"
	    " {\"address\": \"b@x\", \"messages\": 1, \"bytes\": 10},"
	    " {\"address\": \"(other)\", \"messages\": 1, \"bytes\": 90}]}}";
	struct result	*r = merge_text(text, 2);
	const struct traffic *t;

	cr_assert_not_null(r);
	t = &r->traffic;
	cr_assert_eq(t->senders, 6);
	cr_assert_eq(t->folded_senders, 2);
	cr_assert_eq(t->ntop_senders, 3);
	assert_row(&t->top_senders[0], "a@x", 4, 40);
	assert_row(&t->top_senders[1], "b@x", 2, 20);
	assert_row(&t->top_senders[2], "(other)", 2, 180);
	cr_assert_eq(t->ntop_senders_size, 3);
	assert_row(&t->top_senders_size[0], "a@x", 4, 40);
	assert_row(&t->top_senders_size[2], "(other)", 2, 180);
	result_free(r);
}
