/*
 * Whole log lines through the family parsers and the classifier: the
 * cause is decided in classify/ alone, so a user rule overrides what a
 * parser hints, and the built-in rules give each real daemon line the
 * cause its words say. Every line is as the daemon writes it (the
 * format strings are in the daemons' sources); each expected cause is
 * read off the line against causes.md, not taken from a run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "parse_util.h"

static struct classifier *cl;
static struct classify_scratch *cs;
static char path[64];

static void
setup(void)
{
	char	 err[256];

	cl = classify_new(err, sizeof(err));
	cr_assert_not_null(cl, "%s", err);
}

static void
teardown(void)
{
	classify_scratch_free(cs);
	classify_free(cl);
	if (path[0] != '\0')
		unlink(path);
}

/* Loads text as a --rules file. */
static void
rules(const char *text)
{
	char	 err[512];
	FILE	*f;
	int	 fd;

	snprintf(path, sizeof(path), "/tmp/mxt-lines.XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cr_assert_gt(classify_load_rules(cl, path, err, sizeof(err)), 0,
	    "%s", err);
}

/* The cause of one whole log line, "" when it is no error event. */
static const char *
cause_line(const char *l, struct event *ev)
{
	if (cs == NULL)
		cs = classify_scratch_new(cl);
	event_reset(ev);
	if (line(l, ev) != 1)
		return "";
	classify_event(cl, cs, ev);
	return cause_get(ev->cause)->id;
}

#define POSTFIX_SASL "Dec  7 10:00:00 mx postfix/smtpd[4242]: warning: " \
	"unknown[192.0.2.9]: SASL LOGIN authentication failed: " \
	"UGFzc3dvcmQ6, sasl_username=alice@example.com"
#define DOVECOT_LOGIN "Dec  7 10:00:01 mx dovecot: pop3-login: " \
	"Disconnected (auth failed, 1 attempts in 2 secs): user=<alice>, " \
	"method=PLAIN, rip=192.0.2.9, lip=192.0.2.1, session=<Ab12Cd34>"
#define DOVECOT_LOCK "Dec  7 10:00:02 mx dovecot: pop3(alice)<77><Ef56>: " \
	"Error: Couldn't lock /var/mail/alice: Resource temporarily unavailable"

/* Without rules the parsers' own lines get the built-in causes. */
Test(classify_lines, builtin_causes, .init = setup, .fini = teardown,
    .timeout = 5)
{
	struct event	 ev;

	cr_assert_str_eq(cause_line(POSTFIX_SASL, &ev), "auth_failure");
	cr_assert_str_eq(cause_line(DOVECOT_LOGIN, &ev), "auth_failure");
	cr_assert_str_eq(cause_line(DOVECOT_LOCK, &ev), "lock_contention");
}

/* The case: the rule matched generic lines, not Postfix's own. */
Test(classify_lines, user_rule_beats_postfix_sasl, .init = setup,
    .fini = teardown, .timeout = 5)
{
	struct event	 ev;

	rules("[cause.x]\npattern = sasl login authentication failed\n");
	cr_assert_str_eq(cause_line(POSTFIX_SASL, &ev), "x");
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);	/* the parser's hint */
	/* a line the rule does not match keeps the built-in cause */
	cr_assert_str_eq(cause_line(DOVECOT_LOGIN, &ev), "auth_failure");
}

Test(classify_lines, user_rule_beats_dovecot_hint, .init = setup,
    .fini = teardown, .timeout = 5)
{
	struct event	 ev;

	rules("[cause.pop_lock]\nprogram = dovecot\npattern = couldn't lock\n"
	    "[cause.pop_login]\npattern = ^auth failed\n");
	cr_assert_str_eq(cause_line(DOVECOT_LOCK, &ev), "pop_lock");
	cr_assert_eq(ev.hint, CAUSE_LOCK_CONTENTION);
	cr_assert_str_eq(cause_line(DOVECOT_LOGIN, &ev), "pop_login");
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);
	cr_assert_eq(ev.count, 1);
}

/* A user rule may also name a built-in cause for a parser's line. */
Test(classify_lines, user_rule_names_builtin, .init = setup,
    .fini = teardown, .timeout = 5)
{
	struct event	 ev;

	rules("[cause.server_error]\nprogram = postfix/smtpd\n"
	    "pattern = authentication failed: ugfzc3dvcmq6\n");
	cr_assert_str_eq(cause_line(POSTFIX_SASL, &ev), "server_error");
}
