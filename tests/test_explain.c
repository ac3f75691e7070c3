/*
 * Tests of `mxtally explain` (src/explain.c). Code-only inputs need only
 * the cause and code tables; reply texts go through parse_reply and the
 * classifier, and expect the causes causes.md gives for them. Output is
 * caught with open_memstream around explain_write, or with Criterion's
 * stdout/stderr redirection around cmd_explain.run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>

#include "slurp.h"

#include "mxtally/cmd.h"
#include "mxtally/explain.h"

static char *
explain_str(const char *arg, int *rc)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	*rc = explain_write(f, arg);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

/* Joins wrapped continuation lines ("\n" and 12 spaces) in place. */
static void
unwrap(char *s)
{
	char	*w = s;

	while (*s != '\0') {
		if (s[0] == '\n' && strspn(s + 1, " ") == 12) {
			*w++ = ' ';
			s += 13;
		} else
			*w++ = *s++;
	}
	*w = '\0';
}

struct ex_case {
	char	 arg[64];
	int	 rc;
	char	 want[3][72];		/* each must occur; "" = none */
};

static void
check_case(const struct ex_case *c)
{
	char	*out;
	int	 rc, i;

	out = explain_str(c->arg, &rc);
	unwrap(out);
	cr_assert_eq(rc, c->rc, "'%s': rc %d, want %d\n%s", c->arg, rc, c->rc,
	    out);
	for (i = 0; i < 3; i++)
		if (c->want[i][0] != '\0')
			cr_assert(strstr(out, c->want[i]) != NULL,
			    "'%s': no '%s' in\n%s", c->arg, c->want[i], out);
	free(out);
}

ParameterizedTestParameters(explain, code)
{
	static struct ex_case cases[] = {
		{ "452", 0, { "code:       452: insufficient system storage",
		    "cause:      system_storage (group: storage)",
		    "status:     temporary" } },
		{ "4.3.1", 0, { "enhanced:   4.3.1: temporary failure",
		    "cause:      system_storage (group: storage)",
		    "first step: Run df" } },
		{ "452 4.3.1", 0, { "code:       452:", "enhanced:   4.3.1:",
		    "system_storage" } },
		{ "  452   4.3.1 ", 0, { "code:       452:",
		    "enhanced:   4.3.1:", "system_storage" } },
		{ "5.7.8", 0, { "credentials are invalid",
		    "cause:      auth_failure (group: auth)",
		    "status:     permanent" } },
		{ "535", 0, { "authentication failed",
		    "cause:      auth_failure", "first step: " } },
		/* 450 and 550 decide nothing alone (causes.md rule 3c) */
		{ "550", 0, { "none from the code alone", "status:     permanent",
		    "" } },
		{ "550 5.7.1", 0, { "cause:      policy_rejection",
		    "not authorised", "" } },
		{ "4.4.7", 0, { "cause:      expired", "", "" } },
		{ "421", 0, { "cause:      service_unavailable", "", "" } },
		{ "554", 0, { "cause:      transaction_failed", "", "" } },
		{ "450", 0, { "none from the code alone", "status:     temporary",
		    "" } },
		{ "4.7.0", 0, { "none from the code alone", "first step: ",
		    "" } },
		{ "459", 0, { "unlisted code", "none from the code alone",
		    "first step: Retry later" } },
		{ "5.9.9", 0, { "subject 9 is not defined",
		    "status:     permanent", "first step: " } },
		{ "452 5.3.1", 0, { "note:", "disagree", "" } },
		{ "250", 0, { "status:     success",
		    "cause:      none, this is not a failure",
		    "first step: nothing to do" } },
		{ "354", 0, { "single dot", "status:     intermediate", "" } },
		{ "IN-USE", 0, { "response:   [IN-USE]",
		    "cause:      lock_contention", "status:     temporary" } },
		{ "[OVERQUOTA]", 0, { "response:   [OVERQUOTA]",
		    "cause:      quota_exceeded (group: storage)", "" } },
		{ "sys/perm", 0, { "cause:      server_error",
		    "status:     permanent", "" } },
		{ "650", 1, { "first digit must be 1 to 5", "cannot explain",
		    "" } },
		{ "3.1.1", 1, { "class 3 is not defined", "cannot explain",
		    "" } },
		{ "", 1, { "nothing to explain", "", "" } },
	};

	return cr_make_param_array(struct ex_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ex_case *c, explain, code, .timeout = 5)
{
	check_case(c);
}

/* Texts: the cause comes from the classifier's text rules or codes. */
ParameterizedTestParameters(explain, text)
{
	static struct ex_case cases[] = {
		{ "-ERR [IN-USE] Mailbox Locked", 0, {
		    "cause:      lock_contention (group: lock)",
		    "protocol:   pop3", "response:   [IN-USE]" } },
		{ "-ERR invalid password", 0, {
		    "cause:      auth_failure (group: auth)",
		    "protocol:   pop3", "first step: " } },
		{ "NO [OVERQUOTA] Quota exceeded", 0, {
		    "cause:      quota_exceeded (group: storage)",
		    "protocol:   imap", "" } },
		{ "550 5.1.1 <a@b>: User unknown", 0, {
		    "cause:      unknown_mailbox", "enhanced:   5.1.1:",
		    "code:       550:" } },
		{ "452 4.3.1 Insufficient system storage", 0, {
		    "cause:      system_storage", "status:     temporary",
		    "" } },
		{ "-ERR mailbox unknown", 0, {
		    "cause:      unknown_mailbox", "", "" } },
		{ "-ERR unable to lock mailbox", 0, {
		    "cause:      lock_contention", "", "" } },
		{ "-ERR no such message", 0, {
		    "cause:      no_such_message", "", "" } },
		{ "-ERR some deleted messages not removed", 0, {
		    "cause:      deleted_not_removed (group: storage)",
		    "", "" } },
		{ "invalid password", 0, { "cause:      auth_failure",
		    "reply:      invalid password", "" } },
		{ "unable to lock mailbox", 0, {
		    "cause:      lock_contention", "", "" } },
		{ "[IN-USE] Mailbox Locked", 0, {
		    "cause:      lock_contention", "status:     temporary",
		    "" } },
		{ "no such message", 0, { "cause:      no_such_message",
		    "", "" } },
		{ "some deleted messages not removed", 0, {
		    "cause:      deleted_not_removed", "", "" } },
		{ "a1 NO [UNAVAILABLE] try later", 0, {
		    "cause:      service_unavailable", "protocol:   imap",
		    "" } },
		{ "-ERR frobnicated", 0, { "cause:      unclassified",
		    "protocol:   pop3", "" } },
		{ "+OK 2 messages", 0, { "status:     success",
		    "first step: nothing to do", "" } },
		{ "250 2.0.0 Ok: queued", 0, { "status:     success",
		    "enhanced:   2.0.0:", "" } },
		{ "hello world", 1, { "not understood", "", "" } },
		{ "1.2.3.4", 1, { "not understood", "", "" } },
	};

	return cr_make_param_array(struct ex_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ex_case *c, explain, text, .timeout = 5)
{
	check_case(c);
}

Test(explain, wraps_long_lines, .timeout = 5)
{
	char	*out, *line;
	int	 rc;

	out = explain_str("5.7.8", &rc);
	cr_assert_eq(rc, 0);
	for (line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n"))
		cr_assert_leq(strlen(line), 78, "too long: '%s'", line);
	free(out);
}

Test(explain, main_joins_words, .init = cr_redirect_stdout, .timeout = 5)
{
	char	 a0[] = "explain", a1[] = "452", a2[] = "4.3.1";
	char	*argv[] = { a0, a1, a2, NULL };
	char	*out;

	cr_assert_eq(cmd_explain.run(3, argv), 0);
	fflush(stdout);
	out = slurp(cr_get_redirected_stdout());
	cr_assert(strstr(out, "enhanced:   4.3.1:") != NULL, "%s", out);
	cr_assert(strstr(out, "system_storage") != NULL, "%s", out);
	free(out);
}

Test(explain, main_double_dash, .init = cr_redirect_stdout, .timeout = 5)
{
	char	 a0[] = "explain", a1[] = "--", a2[] = "-ERR", a3[] = "[AUTH]",
		 a4[] = "nope";
	char	*argv[] = { a0, a1, a2, a3, a4, NULL };
	char	*out;

	cr_assert_eq(cmd_explain.run(5, argv), 0);
	fflush(stdout);
	out = slurp(cr_get_redirected_stdout());
	cr_assert(strstr(out, "cause:      auth_failure") != NULL, "%s", out);
	free(out);
}

Test(explain, main_not_understood, .init = cr_redirect_stdout, .timeout = 5)
{
	char	 a0[] = "explain", a1[] = "what", a2[] = "is", a3[] = "this";
	char	*argv[] = { a0, a1, a2, a3, NULL };
	char	*out;

	cr_assert_eq(cmd_explain.run(4, argv), 1);
	fflush(stdout);
	out = slurp(cr_get_redirected_stdout());
	cr_assert(strstr(out, "not understood: 'what is this'") != NULL,
	    "%s", out);
	free(out);
}

Test(explain, main_usage, .init = cr_redirect_stderr, .timeout = 5)
{
	char	 a0[] = "explain";
	char	*argv[] = { a0, NULL };
	char	*err;

	cr_assert_eq(cmd_explain.run(1, argv), 2);
	fflush(stderr);
	err = slurp(cr_get_redirected_stderr());
	cr_assert(strstr(err, "usage: mxtally explain") != NULL, "%s", err);
	free(err);
}

Test(explain, main_blank_is_usage, .init = cr_redirect_stderr, .timeout = 5)
{
	char	 a0[] = "explain", a1[] = " ", a2[] = "";
	char	*argv[] = { a0, a1, a2, NULL };

	cr_assert_eq(cmd_explain.run(3, argv), 2);
}

Test(explain, main_help, .init = cr_redirect_stdout, .timeout = 5)
{
	char	 a0[] = "explain", a1[] = "--help";
	char	*argv[] = { a0, a1, NULL };
	char	*out;

	cr_assert_eq(cmd_explain.run(2, argv), 0);
	fflush(stdout);
	out = slurp(cr_get_redirected_stdout());
	cr_assert(strstr(out, "usage: mxtally explain") != NULL, "%s", out);
	free(out);
}
