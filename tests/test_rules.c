/*
 * Unit tests of user rules (src/classify/rules.c): [cause.NAME] sections
 * loaded from files in a temp dir add causes, override built-in texts,
 * reclassify replies, honour program and code filters and run before the
 * built-in rules; every kind of bad file is refused with file, line and
 * reason; the dump of the built-in rules loads again and classifies as
 * the built-ins do. Expected causes, lines and offsets are worked out by
 * hand from the rules text in each test. Each test is its own process,
 * so causes added by one do not reach another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"
#include "said.h"

int alt_requires(const char *a, size_t n, const char *lit);

static struct classifier *cl;
static struct classify_scratch *cs;
static char dir[64];
static char path[128];
static char err[512];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mxt-rules.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cl = classify_new();
	cr_assert_not_null(cl);
}

static void
teardown(void)
{
	classify_scratch_free(cs);
	classify_free(cl);
	unlink(path);
	rmdir(dir);
}

/* Writes text to dir/name and returns its path. */
static const char *
write_rules(const char *name, const char *text)
{
	FILE	*f;

	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/*
 * classify_load_rules(c, file) with what it said on stderr in err (the
 * message after "mxtally: error: "); "" when it said nothing.
 */
static int
load_file(struct classifier *c, const char *file)
{
	struct said	 sd;
	int		 rc;

	said_begin(&sd);
	rc = classify_load_rules(c, file);
	said_end(&sd, err, sizeof(err));
	return rc;
}

/* Loads text as a rules file; returns what classify_load_rules did. */
static int
load(const char *text)
{
	return load_file(cl, write_rules("r.ini", text));
}

/* Classifies a reply logged by program; returns the cause id. */
static const char *
cause_of(const char *program, const char *reply)
{
	struct event	 ev;

	if (cs == NULL)
		cs = classify_scratch_new(cl);
	event_reset(&ev);
	ev.program = (struct slice){ program, strlen(program) };
	if (!parse_reply((struct slice){ reply, strlen(reply) }, &ev))
		ev.text = (struct slice){ reply, strlen(reply) };
	classify_event(cl, cs, &ev);
	return cause_get(ev.cause)->id;
}

Test(rules, new_cause, .init = setup, .fini = teardown, .timeout = 5)
{
	const struct cause_info	*ci;
	size_t			 nr, nc;
	int			 c;

	cr_assert_eq(load(
	    "; a site-specific cause\n"
	    "[cause.migration]\n"
	    "pattern = account is being migrated\n"
	    "group = storage\n"
	    "meaning = The account is moving\n"
	    "    to the new store.\n"
	    "advice = Wait for the move to end.\n"), 1, "%s", err);
	c = cause_find("migration", 9);
	cr_assert_eq(c, CAUSE_BUILTIN_COUNT);
	ci = cause_get(c);
	cr_assert_str_eq(ci->group, "storage");
	/* the continuation line joins with one space */
	cr_assert_str_eq(ci->meaning, "The account is moving to the new store.");
	cr_assert_str_eq(ci->advice, "Wait for the move to end.");
	cr_assert_str_eq(cause_of("pop3d",
	    "-ERR Account is being MIGRATED, try later"), "migration");
	classify_rules_count(cl, &nr, &nc);
	cr_assert_eq(nr, 1);
	cr_assert_eq(nc, 1);
}

Test(rules, override_builtin_texts, .init = setup, .fini = teardown,
    .timeout = 5)
{
	const struct cause_info	*ci = cause_get(CAUSE_QUOTA_EXCEEDED);
	const char		*advice = ci->advice, *meaning = ci->meaning;
	size_t			 nr, nc;

	cr_assert_eq(load("[cause.quota_exceeded]\n"
	    "meaning = Mailbox over its limit.\n"), 0, "%s", err);
	/* the registry a reader took is as it was; the new one has it */
	cr_assert_eq(ci->meaning, meaning);
	ci = cause_get(CAUSE_QUOTA_EXCEEDED);
	cr_assert_str_eq(ci->meaning, "Mailbox over its limit.");
	cr_assert_eq(ci->advice, advice);	/* not given: kept */
	cr_assert_str_eq(ci->group, "storage");
	cr_assert_eq(cause_count(), CAUSE_BUILTIN_COUNT);
	classify_rules_count(cl, &nr, &nc);
	cr_assert_eq(nr, 0);
	cr_assert_eq(nc, 1);
	/* the built-in patterns still work */
	cr_assert_str_eq(cause_of("pop3d", "552 5.2.2 Mailbox full"),
	    "quota_exceeded");
}

Test(rules, reclassifies_unclassified, .init = setup, .fini = teardown,
    .timeout = 5)
{
	cr_assert_str_eq(cause_of("pop3d", "-ERR frobnicator 42 out of sync"),
	    "unclassified");
	cr_assert_eq(load("[cause.server_error]\n"
	    "pattern = frobnicator \\d+ out of sync\n"), 1, "%s", err);
	cr_assert_str_eq(cause_of("pop3d", "-ERR frobnicator 42 out of sync"),
	    "server_error");
	cr_assert_str_eq(cause_of("pop3d", "-ERR frobnicator out of sync"),
	    "unclassified");
}

Test(rules, program_filter, .init = setup, .fini = teardown, .timeout = 5)
{
	cr_assert_eq(load("[cause.milter_hold]\n"
	    "pattern = frob\n"
	    "program = postfix/smtpd\n"
	    "[cause.any_postfix]\n"
	    "program = postfix\n"
	    "pattern = wibble\n"), 2, "%s", err);
	cr_assert_str_eq(cause_of("postfix/smtpd", "frob"), "milter_hold");
	/* a prefix of the program, not the other way round */
	cr_assert_str_eq(cause_of("postfix/smtp", "frob"), "unclassified");
	cr_assert_str_eq(cause_of("dovecot", "frob"), "unclassified");
	cr_assert_str_eq(cause_of("", "frob"), "unclassified");
	/* the filter set after the pattern still applies to it */
	cr_assert_str_eq(cause_of("postfix/local", "wibble"), "any_postfix");
	cr_assert_str_eq(cause_of("exim", "wibble"), "unclassified");
}

Test(rules, code_filter, .init = setup, .fini = teardown, .timeout = 5)
{
	cr_assert_eq(load("[cause.basic]\ncode = 452\npattern = frob\n"
	    "[cause.enh]\ncode = 5.3\npattern = frob\n"
	    "[cause.resp]\ncode = IN-USE\npattern = frob\n"), 3, "%s", err);
	cr_assert_str_eq(cause_of("x", "452 frob"), "basic");
	cr_assert_str_eq(cause_of("x", "451 4.3.0 frob"), "server_error");
	/* 5.3 is a prefix by parts: 5.3.4 yes, 5.30.1 no */
	cr_assert_str_eq(cause_of("x", "554 5.3.4 frob"), "enh");
	cr_assert_str_eq(cause_of("x", "554 5.30.1 frob"), "transaction_failed");
	cr_assert_str_eq(cause_of("x", "-ERR [in-use] frob"), "resp");
	cr_assert_str_eq(cause_of("x", "-ERR frob"), "unclassified");
}

Test(rules, user_rules_win_in_file_order, .init = setup, .fini = teardown,
    .timeout = 5)
{
	const char	*r = "452 4.3.1 Insufficient system storage";

	cr_assert_str_eq(cause_of("x", r), "system_storage");
	cr_assert_eq(load("[cause.spool_full]\n"
	    "pattern = insufficient\n"
	    "[cause.second]\n"
	    "pattern = system storage\n"), 2, "%s", err);
	cr_assert_str_eq(cause_of("x", r), "spool_full");
	/* a second file appends after the first */
	cr_assert_eq(load_file(cl, write_rules("b.ini",
	    "[cause.third]\npattern = insufficient\n")), 1, "%s", err);
	cr_assert_str_eq(cause_of("x", r), "spool_full");
	cr_assert_str_eq(cause_of("x", "nearly insufficient"), "spool_full");
}

/* qmail-send logs a space as '_': user rules read it as the built-ins do */
Test(rules, underscore_text, .init = setup, .fini = teardown, .timeout = 5)
{
	const char	*t = "Sorry,_mailbox_is_being_migrated._(#4.2.1)";
	struct event	 ev;

	cr_assert_eq(load("[cause.migration]\n"
	    "pattern = mailbox is being migrated\n"), 1, "%s", err);
	cs = classify_scratch_new(cl);
	event_reset(&ev);
	ev.text = (struct slice){ t, strlen(t) };
	ev.flags = EV_UNDERSCORE;
	classify_event(cl, cs, &ev);
	cr_assert_str_eq(cause_get(ev.cause)->id, "migration");
	/* without the flag the underscores stay and the pattern misses */
	event_reset(&ev);
	ev.text = (struct slice){ t, strlen(t) };
	classify_event(cl, cs, &ev);
	cr_assert_str_eq(cause_get(ev.cause)->id, "unclassified");
}

Test(rules, other_sections_are_for_alerts, .init = setup, .fini = teardown,
    .timeout = 5)
{
	size_t	 nr, nc;

	cr_assert_eq(load("[storage_incident]\n"
	    "cause     = system_storage          ; or group = storage\n"
	    "by        = host\n"
	    "threshold = 5\n"
	    "[cause.x1]\npattern = frob\n"
	    "[other]\nwhatever = 1\n"), 1, "%s", err);
	classify_rules_count(cl, &nr, &nc);
	cr_assert_eq(nr, 1);
	cr_assert_eq(nc, 1);
}

Test(rules, bad_pattern, .init = setup, .fini = teardown, .timeout = 5)
{
	char	 want[160];

	/* line 3; the ( opened at offset 3 is still open at offset 7 */
	cr_assert_eq(load("[cause.x1]\n"
	    "meaning = m\n"
	    "pattern = foo(bar\n"), -1);
	snprintf(want, sizeof(want), "%s:3: ", path);
	cr_assert(strncmp(err, want, strlen(want)) == 0, "%s", err);
	cr_assert(strstr(err, "missing closing parenthesis") != NULL, "%s", err);
	cr_assert(strstr(err, "offset 7") != NULL, "%s", err);
	cr_assert(strstr(err, "foo(bar") != NULL, "%s", err);
}

Test(rules, bad_files, .init = setup, .fini = teardown, .timeout = 5)
{
	static const struct {
		char	 text[96];
		int	 line;
		char	 why[48];
	} cases[] = {
		{ "[cause.x1]\ncolour = red\n", 2, "unknown key 'colour'" },
		{ "\n[cause.Bad-Name]\npattern = x\n", 3, "bad cause name" },
		{ "[cause.x1]\nthis is not ini\n", 2, "syntax error" },
		{ "[cause.x1]\n  pattern = a\n  pattern = b\n", 3, "indented key" },
		{ "[cause.x1]\ncode = 45\n", 2, "bad code '45'" },
		{ "[cause.x1]\ncode = 4.3.1.1\n", 2, "bad code" },
		{ "[cause.x1]\ngroup = disk\n", 2, "bad group 'disk'" },
		{ "[cause.x1]\nprogram = a\nprogram = b\n", 3, "given twice" },
		{ "[cause.unclassified]\npattern = x\n", 2, "takes no pattern" },
		{ "[cause.x1]\npattern =\n", 2, "empty pattern" },
	};
	char	 want[160];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(load(cases[i].text), -1, "case %zu", i);
		snprintf(want, sizeof(want), "%s:%d: ", path, cases[i].line);
		cr_assert(strncmp(err, want, strlen(want)) == 0,
		    "case %zu: %s", i, err);
		cr_assert(strstr(err, cases[i].why) != NULL, "case %zu: %s",
		    i, err);
	}
	/* a failed load keeps no rule */
	cr_assert_str_eq(cause_of("x", "frob a"), "unclassified");
}

Test(rules, long_line_and_missing_file, .init = setup, .fini = teardown,
    .timeout = 5)
{
	char	 text[400];

	memset(text, 'a', sizeof(text));
	memcpy(text, "[cause.x1]\npattern = ", 21);
	memcpy(text + sizeof(text) - 2, "\n", 2);
	cr_assert_eq(load(text), -1);
	cr_assert(strstr(err, ":2: line longer than") != NULL, "%s", err);
	cr_assert_eq(load_file(cl, "/nonexistent/r.ini"), -1);
	cr_assert_str_eq(err, "cannot open '/nonexistent/r.ini': No such "
	    "file or directory");
}

Test(rules, cause_table_limit, .init = setup, .fini = teardown,
    .timeout = 5)
{
	char	 text[4096];
	size_t	 len = 0;
	int	 i;

	/*
	 * 64 - 20 = 44 new causes fit; the 45th (i = 44) has its header on
	 * line 2 * 44 + 1 and its first key, where it is added, on line 90
	 */
	for (i = 0; i < CAUSE_MAX - CAUSE_BUILTIN_COUNT + 1; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "[cause.c%d]\nmeaning = m\n", i);
	cr_assert_eq(load(text), -1);
	cr_assert(strstr(err, ":90: too many causes") != NULL, "%s", err);
}

Test(rules, alt_requires, .timeout = 5)
{
	static const struct {
		char	 alt[48];
		char	 lit[16];
		int	 want;
	} cases[] = {
		{ "lock busy", "lock", 1 },
		{ "can'?t (get |obtain )?lock", "lock", 1 },
		{ "over ?quota", "quota", 1 },
		{ "exceeded (the )?(storage|quota)", "quota", 0 },
		{ "\\bmx\\b.{0,20}lookup", "mx", 1 },
		{ "\\mx", "mx", 0 },
		{ "[quota]", "quota", 0 },
		{ "quota?", "quota", 0 },
		{ "quota{0,1}", "quota", 0 },
		{ "quota+", "quota", 1 },
		{ "dnsbl", "list", 0 },
		{ "too (large|big)", "too ", 1 },
		{ "i/o error", "i.o", 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(alt_requires(cases[i].alt, strlen(cases[i].alt),
		    cases[i].lit), cases[i].want, "'%s' / '%s'", cases[i].alt,
		    cases[i].lit);
}

/* Writes the dump to dir/dump.ini; returns its "pattern = " lines. */
static size_t
dump_to_file(void)
{
	char	 line[512];
	size_t	 n = 0;
	FILE	*f;

	write_rules("dump.ini", "");
	f = fopen(path, "w");
	cr_assert_eq(classify_dump_rules(f), 0);
	fclose(f);
	f = fopen(path, "r");
	while (fgets(line, sizeof(line), f) != NULL) {
		cr_assert(strlen(line) < 197, "too long: %s", line);
		n += strncmp(line, "pattern = ", 10) == 0;
	}
	fclose(f);
	return n;
}

Test(rules, dump_loads_again, .init = setup, .fini = teardown,
    .timeout = 5)
{
	const char	*meaning[CAUSE_BUILTIN_COUNT];
	const char	*advice[CAUSE_BUILTIN_COUNT];
	size_t		 npat = dump_to_file(), nr, nc;
	int		 c;

	for (c = 0; c < CAUSE_BUILTIN_COUNT; c++) {
		meaning[c] = cause_get(c)->meaning;
		advice[c] = cause_get(c)->advice;
	}
	cr_assert_gt(npat, 60);
	cr_assert_eq(load_file(cl, path), (int)npat, "%s", err);
	classify_rules_count(cl, &nr, &nc);
	cr_assert_eq(nr, npat);
	cr_assert_eq(nc, CAUSE_BUILTIN_COUNT);
	cr_assert_eq(cause_count(), CAUSE_BUILTIN_COUNT);
	/* the texts survive wrapping: the loaded copies are equal */
	for (c = 0; c < CAUSE_BUILTIN_COUNT; c++) {
		cr_assert_neq(cause_get(c)->meaning, meaning[c]);
		cr_assert_str_eq(cause_get(c)->meaning, meaning[c]);
		cr_assert_str_eq(cause_get(c)->advice, advice[c]);
	}
}

/*
 * Replies for the dump's equivalence: one per built-in text rule family,
 * plus texts where a regex matches without the rule's literal (the dump
 * must guard those with a look-ahead) and texts only codes explain.
 */
static const char *const replies[] = {
	"-ERR some deleted messages not removed",
	"452 4.3.1 Insufficient system storage",
	"write failed: No space left on device",
	"552 5.2.2 Quota exceeded",
	"-ERR you have exceeded the storage",	/* no "quota": not quota */
	"-ERR exceeded the quota",
	"550 mailbox is full",
	"-ERR [IN-USE] Mailbox Locked",
	"-ERR /var/spool/mail/.a.pop lock busy!",
	"450 4.2.1 Mailbox busy, try later",
	"-ERR There's no message 7.",
	"-ERR message 3 has been deleted",
	"-ERR [AUTH] Authentication failed.",
	"-ERR invalid password",
	"550 5.2.1 Account disabled",
	"550 5.1.1 User unknown",
	"550 recipient bob does not exist",
	"552 5.3.4 Message size exceeds fixed limit",
	"421 4.7.0 Too many connections from your host",
	"450 4.2.0 Recipient address rejected: Greylisted",
	"554 5.7.1 Relay access denied",
	"554 5.7.1 Client host blocked using zen.spamhaus.org",
	"554 found in our dnsbl zone",		/* no "list": not that rule */
	"550 message refused by policy",	/* no "rejected" */
	"550 rejected by local policy",
	"message expired after 5 days in queue",
	"too long in queue",			/* no "expired" */
	"Host or domain name not found. Name service error",
	"connect to mx[1.2.3.4]:25: Connection timed out",
	"451 4.3.0 Local Error",
	"451 temporary failure",		/* no "error" */
	"553 5.1.3 Bad recipient address syntax",
	"500 5.5.1 Command unrecognized",
	"503 improper use of pipelining",	/* no "command" */
	"551 5.1.6 User not local",
	"554 Transaction failed",
	"-ERR frobnicator out of phase",
};

Test(rules, dump_classifies_as_builtin, .init = setup, .fini = teardown,
    .timeout = 5)
{
	struct classifier	*user;
	struct classify_scratch	*us;
	struct event		 a, b;
	size_t			 i;

	dump_to_file();
	user = classify_new();
	cr_assert_not_null(user);
	cr_assert_gt(load_file(user, path), 0, "%s", err);
	us = classify_scratch_new(user);
	cs = classify_scratch_new(cl);
	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		struct slice s = { replies[i], strlen(replies[i]) };
		event_reset(&a);
		if (!parse_reply(s, &a))
			a.text = s;
		b = a;
		classify_event(cl, cs, &a);
		classify_event(user, us, &b);
		cr_assert_str_eq(cause_get(b.cause)->id, cause_get(a.cause)->id,
		    "reply '%s'", replies[i]);
	}
	classify_scratch_free(us);
	classify_free(user);
}
