/*
 * Unit tests of the alert stage: rule files (and their errors, named by
 * file and line), sliding windows on event time, keys, the Dovecot join,
 * order independence and the three output formats. Every expectation is
 * counted by hand from the events each test builds.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/alert.h"
#include "mxtally/cause.h"
#include "mxtally/parse.h"
#include "mxtally/scan.h"

static struct event
ev_make(int cause, const char *user, const char *host, const char *client,
    int64_t t)
{
	struct event	 ev;

	event_reset(&ev);
	ev.cause = (int16_t)cause;
	ev.user = (struct slice){ user, strlen(user) };
	ev.host = (struct slice){ host, strlen(host) };
	ev.client = (struct slice){ client, strlen(client) };
	ev.t = t;
	return ev;
}

static void
load(struct alert_set *s, const char *text)
{
	cr_assert_eq(alert_set_load_string(s, text, "t.ini"), 0);
}

Test(alert, parse_rules, .timeout = 5)
{
	struct alert_set	 s = { 0 };

	load(&s,
	    "; comment\n"
	    "[storage]\n"
	    "cause = system_storage   ; inline comment\n"
	    "by = host\n"
	    "threshold = 5\n"
	    "window = 10m\n"
	    "severity = critical\n"
	    "[cause.mine]\n"
	    "pattern = anything here is the classifier's\n"
	    "[quota]\n"
	    "group = storage\n"
	    "[smtp452]\n"
	    "code = 452\n"
	    "by = client\n"
	    "window = 2h\n");
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.rules[0].name, "storage");
	cr_assert_eq(s.rules[0].sel, SEL_CAUSE);
	cr_assert_eq(s.rules[0].cause, CAUSE_SYSTEM_STORAGE);
	cr_assert_eq(s.rules[0].by, BY_HOST);
	cr_assert_eq(s.rules[0].threshold, 5);
	cr_assert_eq(s.rules[0].window, 600);
	cr_assert_eq(s.rules[0].severity, SEV_CRITICAL);
	cr_assert_eq(s.rules[0].line, 3);
	/* defaults: by none, threshold 1, 10m, warning */
	cr_assert_eq(s.rules[1].sel, SEL_GROUP);
	cr_assert_eq(s.rules[1].by, BY_NONE);
	cr_assert_eq(s.rules[1].threshold, 1);
	cr_assert_eq(s.rules[1].window, 600);
	cr_assert_eq(s.rules[1].severity, SEV_WARNING);
	cr_assert_eq(s.rules[2].sel, SEL_CODE);
	cr_assert_eq(s.rules[2].window, 7200);
	cr_assert_eq(s.rules[2].by, BY_CLIENT);
	alert_set_release(&s);
}

struct bad_rule {
	char	 text[160];
	char	 msg[160];
};

ParameterizedTestParameters(alert, rule_errors)
{
	static struct bad_rule cases[] = {
		{ "[a]\ncause = system_storage\nthreshold = 0\n",
		  "mxtally: error: t.ini:3: rule 'a': bad threshold '0' (a count, "
		  "at least 1)\n" },
		{ "[a]\ncause = nosuch\n",
		  "mxtally: error: t.ini:2: rule 'a': unknown cause 'nosuch'\n" },
		{ "[a]\n\nby = host\n",
		  "mxtally: error: t.ini:3: rule 'a': needs cause, group or code\n" },
		{ "[a]\ncause = expired\ngroup = lock\n",
		  "mxtally: error: t.ini:3: rule 'a': give only one of cause, group "
		  "and code\n" },
		{ "[a]\ncause = expired\nwindow = 10x\n",
		  "mxtally: error: t.ini:3: rule 'a': bad window '10x' (e.g. 30s, "
		  "10m, 2h, 1d)\n" },
		{ "[a]\ncause = expired\nby = domain\n",
		  "mxtally: error: t.ini:3: rule 'a': bad by (host, user, client "
		  "or none)\n" },
		{ "[a]\ncause = expired\ncolour = red\n",
		  "mxtally: error: t.ini:3: rule 'a': unknown key 'colour'\n" },
		{ "[a]\ncause = expired\n[b\n",
		  "mxtally: error: t.ini:3: syntax error (want [rule] or key = "
		  "value)\n" },
		{ "threshold = 3\n[a]\ncause = expired\n",
		  "mxtally: error: t.ini:1: 'threshold' is outside a [rule] section\n" },
		{ "[a]\ngroup = nosuch\n",
		  "mxtally: error: t.ini:2: rule 'a': unknown group 'nosuch'\n" },
	};
	return cr_make_param_array(struct bad_rule, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_rule *c, alert, rule_errors, .timeout = 5,
    .init = cr_redirect_stderr)
{
	struct alert_set	 s = { 0 };

	cr_assert_eq(alert_set_load_string(&s, c->text, "t.ini"), -1);
	fflush(stderr);
	cr_assert_stderr_eq_str(c->msg);
	alert_set_release(&s);
}

Test(alert, duplicate_across_files, .timeout = 5, .init = cr_redirect_stderr)
{
	struct alert_set	 s = { 0 };

	cr_assert_eq(alert_set_load_string(&s, "[a]\ncause = expired\n",
	    "one.ini"), 0);
	cr_assert_eq(alert_set_load_string(&s, "[b]\ncause = expired\n"
	    "[a]\ncause = expired\n", "two.ini"), -1);
	fflush(stderr);
	cr_assert_stderr_eq_str("mxtally: error: two.ini:4: rule 'a' is already "
	    "defined in 'one.ini'\n");
	alert_set_release(&s);
}

Test(alert, windows, .timeout = 5)
{
	cr_assert_eq(alert_parse_window("30"), 30);
	cr_assert_eq(alert_parse_window("30s"), 30);
	cr_assert_eq(alert_parse_window("10m"), 600);
	cr_assert_eq(alert_parse_window("2h"), 7200);
	cr_assert_eq(alert_parse_window("1d"), 86400);
	cr_assert_eq(alert_parse_window("0m"), -1);
	cr_assert_eq(alert_parse_window("-5"), -1);
	cr_assert_eq(alert_parse_window("5mm"), -1);
	cr_assert_eq(alert_parse_window(""), -1);
}

/* Feeds times t[0..n) (one event each) for rule 0, key "k". */
static size_t
fired(const char *rules, const int64_t *t, size_t n, struct alert **out)
{
	struct alert_set	 s = { 0 };
	struct alert_buf	*b = alert_buf_new();
	struct event		 ev;
	size_t			 i, nf;

	load(&s, rules);
	for (i = 0; i < n; i++) {
		ev = ev_make(CAUSE_SYSTEM_STORAGE, "u", "k", "192.0.2.1", t[i]);
		alert_buf_add(b, &s, &ev, i);
	}
	alert_set_merge(&s, b);
	*out = alert_set_eval(&s, T_NONE, &nf);
	for (i = 0; i < nf; i++)
		(*out)[i].rule = NULL;	/* the set goes away */
	alert_set_release(&s);
	return nf;
}

#define R5 "[r]\ncause = system_storage\nby = host\nthreshold = 5\n" \
	   "window = 10m\n"

Test(alert, threshold_at_window_edge, .timeout = 5)
{
	/* 5 events within 599 s: all in one 10m window, fires */
	int64_t		 in[] = { 1000, 1150, 1300, 1450, 1599 };
	/* the 5th is 600 s after the 1st: the 1st has left, no alert */
	int64_t		 out[] = { 1000, 1150, 1300, 1450, 1600 };
	struct alert	*v;
	size_t		 n;

	n = fired(R5, in, 5, &v);
	cr_assert_eq(n, 1);
	cr_assert_eq(v[0].value, 5);
	cr_assert_eq(v[0].events, 5);
	cr_assert_eq(v[0].first, 1000);
	cr_assert_eq(v[0].last, 1599);
	cr_assert_str_eq(v[0].key, "k");
	alert_list_free(v, n);
	n = fired(R5, out, 5, &v);
	cr_assert_eq(n, 0);
	alert_list_free(v, n);
}

Test(alert, episodes_and_evidence, .timeout = 5)
{
	/*
	 * Threshold 2 in 1m: 0,30 fire (value 2); 50 keeps it firing
	 * (value 3, events 3); 200 comes after the window emptied, so the
	 * episode ended; 210 opens a second one (first 200, events 2).
	 */
	int64_t		 t[] = { 0, 30, 50, 200, 210 };
	struct alert	*v;
	size_t		 n;

	n = fired("[r]\ncause = system_storage\nthreshold = 2\nwindow = 1m\n",
	    t, 5, &v);
	cr_assert_eq(n, 2);
	cr_assert_eq(v[0].first, 0);
	cr_assert_eq(v[0].last, 50);
	cr_assert_eq(v[0].value, 3);
	cr_assert_eq(v[0].events, 3);
	cr_assert_eq(v[0].firing, 0);
	cr_assert_eq(v[1].first, 200);
	cr_assert_eq(v[1].last, 210);
	cr_assert_eq(v[1].events, 2);
	cr_assert_eq(v[1].firing, 1);
	alert_list_free(v, n);
}

Test(alert, event_time_not_wall_clock, .timeout = 5)
{
	/* 2016 and 2036: far from now either way; 3 in one minute fire */
	int64_t		 old[] = { 1451606400, 1451606410, 1451606420 };
	int64_t		 future[] = { 2082758400, 2082758401, 2082758459 };
	/* 3 events an hour apart never share a 10m window */
	int64_t		 spread[] = { 0, 3600, 7200 };
	struct alert	*v;
	size_t		 n;
	const char	*r = "[r]\ncause = system_storage\nthreshold = 3\n"
	    "window = 10m\n";

	n = fired(r, old, 3, &v);
	cr_assert_eq(n, 1);
	cr_assert_eq(v[0].first, 1451606400);
	alert_list_free(v, n);
	n = fired(r, future, 3, &v);
	cr_assert_eq(n, 1);
	alert_list_free(v, n);
	n = fired(r, spread, 3, &v);
	cr_assert_eq(n, 0);
	alert_list_free(v, n);
}

static void
count_done(const struct alert *a, void *arg)
{
	(void)a;
	(*(int *)arg)++;
}

/*
 * The streaming evaluator counts an event at its own log time: 100 and
 * 200, then 150 read after 200 (inside 200's 5m window) make 3 in the
 * window now; 0 read last is older than 200 - 300 (late): no window.
 * Then 560 empties 100..200 and the episode ends once.
 */
Test(alert, late_events_at_their_time, .timeout = 5)
{
	struct alert_set	 s = { 0 };
	struct alert_eval	*e;
	uint64_t		 cur[1];
	int			 done = 0;

	load(&s, "[r]\ncause = system_storage\nthreshold = 3\nwindow = 5m\n");
	e = alert_eval_new(&s, count_done, &done);
	cr_assert_eq(alert_eval_feed(e, 0, "", 0, 100, 1), 0);
	cr_assert_eq(alert_eval_feed(e, 0, "", 0, 200, 1), 0);
	cr_assert_eq(alert_eval_feed(e, 0, "", 0, 150, 1), 1);
	cr_assert_eq(alert_eval_now(e), 200);
	cr_assert_eq(alert_eval_feed(e, 0, "", 0, -100, 5), 0);
	cr_assert_eq(alert_eval_late(e), 5);
	alert_eval_current(e, cur);
	cr_assert_eq(cur[0], 3);
	/* at 399 the window (99, 399] still holds all three */
	alert_eval_tick(e, 399);
	cr_assert_eq(done, 0);
	/* at 450: 100 and 150 have left */
	alert_eval_tick(e, 450);
	cr_assert_eq(done, 1);
	alert_eval_current(e, cur);
	cr_assert_eq(cur[0], 1);
	alert_eval_free(e);
	alert_set_release(&s);
}

/* Past the cap, a new key's events are counted as overflow. */
Test(alert, window_cap, .timeout = 5)
{
	struct alert_set	 s = { 0 };
	struct alert_eval	*e;

	load(&s, "[r]\ncause = system_storage\nby = user\nthreshold = 2\n"
	    "window = 1m\n");
	e = alert_eval_new(&s, NULL, NULL);
	alert_eval_set_max(e, 2);
	alert_eval_feed(e, 0, "a", 1, 10, 1);
	alert_eval_feed(e, 0, "b", 1, 10, 1);
	alert_eval_feed(e, 0, "c", 1, 10, 4);
	cr_assert_eq(alert_eval_overflow(e), 4);
	cr_assert_eq(alert_eval_windows(e), 2);
	/* a and b emptied by 100: their windows make room for d */
	alert_eval_feed(e, 0, "d", 1, 100, 1);
	cr_assert_eq(alert_eval_overflow(e), 4);
	cr_assert_eq(alert_eval_feed(e, 0, "d", 1, 101, 1), 1);
	alert_eval_free(e);
	alert_set_release(&s);
}

/* Rules by user, client, host and none over the same 6 events. */
Test(alert, keys, .timeout = 5)
{
	struct alert_set	 s = { 0 };
	struct alert_buf	*b = alert_buf_new();
	struct event		 ev[] = {
		ev_make(CAUSE_LOCK_CONTENTION, "Alice", "mx1", "192.0.2.1", 10),
		ev_make(CAUSE_LOCK_CONTENTION, "alice", "mx2", "192.0.2.2", 20),
		ev_make(CAUSE_LOCK_CONTENTION, "bob", "mx1", "192.0.2.1", 30),
		ev_make(CAUSE_LOCK_CONTENTION, "", "mx1", "", 40),
		ev_make(CAUSE_AUTH_FAILURE, "carol", "mx1", "192.0.2.1", 50),
		ev_make(CAUSE_LOCK_CONTENTION, "bob", "mx2", "192.0.2.1", 60),
	};
	struct alert		*v;
	size_t			 i, n;

	load(&s, "[u]\ncause = lock_contention\nby = user\nthreshold = 2\n"
	    "[c]\ncause = lock_contention\nby = client\nthreshold = 3\n"
	    "[h]\ngroup = lock\nby = host\nthreshold = 3\n"
	    "[n]\ncause = lock_contention\nthreshold = 5\n");
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		alert_buf_add(b, &s, &ev[i], i);
	alert_set_merge(&s, b);
	v = alert_set_eval(&s, T_NONE, &n);
	/*
	 * user: alice (Alice lower-cased) fires at 20, bob at 60; the
	 * user-less event is no one's. client: 192.0.2.1 has 10,30,60 = 3.
	 * host: mx1 has 10,30,40 = 3 (auth is not group lock). none: 5
	 * lock events (10..60 without the auth one), fires at 60.
	 * Sorted by first event time, then rule order, then key.
	 */
	cr_assert_eq(n, 5);
	cr_assert_str_eq(v[0].rule->name, "u");
	cr_assert_str_eq(v[0].key, "alice");
	cr_assert_eq(v[0].first, 10);
	cr_assert_str_eq(v[1].rule->name, "c");
	cr_assert_str_eq(v[1].key, "192.0.2.1");
	cr_assert_eq(v[1].value, 3);
	cr_assert_str_eq(v[2].rule->name, "h");
	cr_assert_str_eq(v[2].key, "mx1");
	cr_assert_eq(v[2].last, 40);
	cr_assert_str_eq(v[3].rule->name, "n");
	cr_assert_str_eq(v[3].key, "");
	cr_assert_eq(v[3].value, 5);
	cr_assert_str_eq(v[4].rule->name, "u");
	cr_assert_str_eq(v[4].key, "bob");
	cr_assert_eq(v[4].first, 30);
	alert_list_free(v, n);
	alert_set_release(&s);
}

/* The scan's sink, as one thread's part: every counted event. */
static struct scan_sink	 sink;
static void		*part;

static void
to_part(void *arg, const struct event *ev, uint64_t pos)
{
	(void)arg;
	sink.event(sink.arg, part, ev, pos);
}

Test(alert, dovecot_join, .timeout = 5)
{
	struct alert_set	 s = { 0 };
	struct agg		*a1 = agg_new(), *a2 = agg_new();
	struct event		 login = ev_make(CAUSE_AUTH_FAILURE, "zed", "h",
	    "192.0.2.9", 100), verdict;
	struct alert		*v;
	size_t			 n;

	/* as the scan does: the records are the events the aggs count */
	load(&s, "[unknown]\ncause = unknown_mailbox\n"
	    "[auth]\ncause = auth_failure\n");
	alert_set_sink(&s, &sink);
	part = sink.part_new(sink.arg);
	agg_set_emit(a1, to_part, NULL);
	agg_set_emit(a2, to_part, NULL);
	login.flags |= EV_JOIN;
	login.session = SLICE_LIT("S1");
	agg_add(a1, &login, 2);
	login.session = SLICE_LIT("S2");
	login.t = 200;
	agg_add(a1, &login, 3);
	/* the verdict for S1 comes from another worker */
	verdict = ev_make(CAUSE_NONE, "zed", "h", "", 90);
	verdict.flags |= EV_AUTH_UNKNOWN;
	verdict.session = SLICE_LIT("S1");
	agg_add(a2, &verdict, 1);
	agg_merge(a1, a2);
	agg_finish(a1);
	sink.part_end(sink.arg, part);
	v = alert_set_eval(&s, T_NONE, &n);
	/*
	 * causes.md: S1's unknown login stays auth_failure, as S2's
	 * wrong password: the unknown_mailbox rule never fires, and the
	 * auth rule's first event is S1's
	 */
	cr_assert_geq(n, 1);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(v[i].rule->name, "auth");
	cr_assert_eq(v[0].first, 100);
	alert_list_free(v, n);
	alert_set_release(&s);
	agg_free(a1);
	agg_free(a2);
}

/*
 * Records over max_records go to sorted runs: with 3 records in memory
 * per buffer and 40 events fed to two buffers out of time order, the
 * result must equal the one with every record in memory. Expected by
 * hand: user "a" has events at t = 0, 10, ..., 190 (every even i), "b"
 * at 5, 15, ..., 195 (odd i); with threshold 3 in 35s a window holds 3
 * or 4 of them from the third event on, so each fires once (a: first 0,
 * b: first 5) and is still firing at its last event (190, 195).
 */
static struct alert *
spill_run(size_t max, size_t *n)
{
	struct alert_set	 s = { 0 };
	struct alert_buf	*b[2] = { alert_buf_new(), alert_buf_new() };
	struct event		 ev;
	struct alert		*v;
	int			 i, k;

	load(&s, "[r]\ncause = quota_exceeded\nby = user\nthreshold = 3\n"
	    "window = 35s\n");
	s.max_records = max;
	for (k = 0; k < 40; k++) {
		i = (k * 17) % 40;	/* a permutation of 0..39 */
		ev = ev_make(CAUSE_QUOTA_EXCEEDED, i % 2 ? "b" : "a", "h", "",
		    (int64_t)i * 5);
		alert_buf_add(b[k % 2], &s, &ev, (uint64_t)i);
	}
	alert_set_merge(&s, b[0]);
	alert_set_merge(&s, b[1]);
	v = alert_set_eval(&s, T_NONE, n);
	for (k = 0; k < (int)*n; k++)
		v[k].rule = NULL;	/* the set goes away */
	alert_set_release(&s);
	return v;
}

Test(alert, spilled_records_same_result, .timeout = 5)
{
	size_t		 n1, n2, i;
	struct alert	*mem = spill_run(0, &n1), *disk = spill_run(3, &n2);

	cr_assert_eq(n1, 2);
	cr_assert_str_eq(mem[0].key, "a");
	cr_assert_eq(mem[0].first, 0);
	cr_assert_str_eq(mem[1].key, "b");
	cr_assert_eq(mem[1].first, 5);
	cr_assert_eq(mem[0].last, 190);
	cr_assert_eq(mem[1].last, 195);
	cr_assert(mem[0].firing && mem[1].firing);
	cr_assert_eq(n2, n1);
	for (i = 0; i < n1; i++) {
		cr_assert_str_eq(disk[i].key, mem[i].key);
		cr_assert_eq(disk[i].first, mem[i].first);
		cr_assert_eq(disk[i].last, mem[i].last);
		cr_assert_eq(disk[i].value, mem[i].value);
		cr_assert_eq(disk[i].firing, mem[i].firing);
	}
	alert_list_free(mem, n1);
	alert_list_free(disk, n2);
}

/* Writes the jsonl of records fed split over two buffers in order o. */
static char *
split_run(int swap)
{
	struct alert_set	 s = { 0 };
	struct alert_buf	*b[2] = { alert_buf_new(), alert_buf_new() };
	struct event		 ev;
	struct alert		*v;
	size_t			 i, n, len;
	char			*out = NULL;
	FILE			*f = open_memstream(&out, &len);
	static const int64_t	 t[] = { 50, 10, 10, 30, 70, 10, 20, 90 };

	load(&s, "[r]\ncause = quota_exceeded\nby = user\nthreshold = 3\n"
	    "window = 30s\n");
	for (i = 0; i < 8; i++) {
		ev = ev_make(CAUSE_QUOTA_EXCEEDED, i % 2 ? "a" : "b", "h", "",
		    t[i]);
		alert_buf_add(b[(i % 3 == 0) ^ swap], &s, &ev, i);
	}
	alert_set_merge(&s, b[swap]);
	alert_set_merge(&s, b[!swap]);
	v = alert_set_eval(&s, T_NONE, &n);
	alert_write_jsonl(f, v, n);
	fclose(f);
	alert_list_free(v, n);
	alert_set_release(&s);
	return out;
}

Test(alert, order_independent, .timeout = 5)
{
	char	*a = split_run(0), *b = split_run(1);

	/*
	 * user a (odd i): 10, 10, 30, 90. At 30 the window (30s) holds
	 * 10, 10, 30: fires, first 10, last 30; 90 empties it, so the
	 * episode is over. user b: 10, 20, 50, 70 never has 3 within 30s.
	 */
	cr_assert_str_eq(a, b);
	cr_assert_str_eq(a, "{\"rule\":\"r\",\"severity\":\"warning\","
	    "\"by\":\"user\",\"key\":\"a\",\"value\":3,\"threshold\":3,"
	    "\"window\":\"30s\",\"first\":\"1970-01-01T00:00:10\","
	    "\"last\":\"1970-01-01T00:00:30\",\"events\":3,"
	    "\"firing\":false}\n");
	free(a);
	free(b);
}

Test(alert, nagios_and_prometheus, .timeout = 5)
{
	struct alert_set	 s = { 0 };
	struct alert		 v[2];
	uint64_t		 ce[CAUSE_MAX] = { 0 };
	char			*out = NULL;
	size_t			 len;
	FILE			*f;
	int			 rc;

	load(&s, "[lock]\ncause = lock_contention\nby = user\nthreshold = 5\n"
	    "[disk]\ncause = system_storage\nby = host\nseverity = critical\n");
	v[0] = (struct alert){ &s.rules[0], (char *)"a\"b\\c", 6, 7, 0, 60,
	    1, 6 };
	v[1] = (struct alert){ &s.rules[1], (char *)"mx|1", 1, 1, 0, 0, 1, 1 };
	ce[CAUSE_LOCK_CONTENTION] = 7;
	ce[CAUSE_SYSTEM_STORAGE] = 1;
	s.current = calloc(2, sizeof(*s.current));
	s.current[0] = 6;
	s.current[1] = 1;

	f = open_memstream(&out, &len);
	rc = alert_write_nagios(f, &s, v, 1, ce, 0);
	fclose(f);
	cr_assert_eq(rc, 1);	/* warning only */
	cr_assert(strncmp(out, "MXTALLY WARNING - 1 alert firing: lock "
	    "a\"b\\c (6 in 10m) | rule_lock=6;5;;0 rule_disk=1;;",
	    strlen("MXTALLY WARNING - 1 alert firing: lock a\"b\\c (6 in 10m) "
	    "| rule_lock=6;5;;0 rule_disk=1;;")) == 0, "%s", out);
	cr_assert(strstr(out, " lock_contention=7c;;;0 auth_failure=0c;;;0 ")
	    != NULL, "%s", out);
	cr_assert(strstr(out, " system_storage=1c;;;0 ") != NULL);
	free(out);

	f = open_memstream(&out, &len);
	rc = alert_write_nagios(f, &s, v, 2, ce, 0);
	fclose(f);
	cr_assert_eq(rc, 2);	/* a critical one */
	cr_assert(strstr(out, ", disk mx_1 (1 in 10m) |") != NULL, "%s", out);
	free(out);

	/* an unreadable input: UNKNOWN, unless something critical fires */
	f = open_memstream(&out, &len);
	rc = alert_write_nagios(f, &s, v, 0, ce, 1);
	fclose(f);
	cr_assert_eq(rc, 3);
	cr_assert(strncmp(out, "MXTALLY UNKNOWN - ", 18) == 0);
	free(out);
	f = open_memstream(&out, &len);
	rc = alert_write_nagios(f, &s, v, 2, ce, 1);
	fclose(f);
	cr_assert_eq(rc, 2);
	cr_assert(strncmp(out, "MXTALLY CRITICAL - an input could not be "
	    "read; 2 alerts firing: ", 61) == 0, "%s", out);
	free(out);

	/* an episode that ended is history, not the state now: OK */
	v[1].firing = 0;
	v[0].firing = 0;
	f = open_memstream(&out, &len);
	rc = alert_write_nagios(f, &s, v, 2, ce, 0);
	fclose(f);
	cr_assert_eq(rc, 0);
	cr_assert(strncmp(out, "MXTALLY OK - no alert firing | ", 31) == 0,
	    "%s", out);
	free(out);

	f = open_memstream(&out, &len);
	alert_write_prometheus(f, &s, v, 2, ce, 42);
	fclose(f);
	cr_assert(strstr(out, "# TYPE mxtally_lines_total counter\n"
	    "mxtally_lines_total 42\n") != NULL);
	cr_assert(strstr(out, "mxtally_events_total{cause=\"lock_contention\","
	    "group=\"lock\"} 7\n") != NULL);
	cr_assert(strstr(out, "mxtally_alerts_fired{rule=\"lock\","
	    "severity=\"warning\"} 1\n") != NULL);
	cr_assert(strstr(out, "mxtally_alert_value{rule=\"lock\","
	    "key=\"a\\\"b\\\\c\",severity=\"warning\"} 6\n") != NULL, "%s",
	    out);
	free(out);
	alert_set_release(&s);
}
