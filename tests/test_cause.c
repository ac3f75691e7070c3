/*
 * Tests of the cause table (src/classify/cause.c): every built-in row
 * has its public id, its group and non-empty texts, and cause_find finds
 * it again; cause_get refuses out-of-range numbers; cause_add adds,
 * overrides and stops at CAUSE_MAX. Each test runs in its own process,
 * so causes added by one test do not leak into another.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "mxtally/cause.h"

struct row_case {
	int	 cause;
	char	 id[32];
	char	 group[16];
};

ParameterizedTestParameters(cause, row)
{
	static struct row_case rows[] = {
		{ CAUSE_LOCK_CONTENTION, "lock_contention", "lock" },
		{ CAUSE_AUTH_FAILURE, "auth_failure", "auth" },
		{ CAUSE_UNKNOWN_MAILBOX, "unknown_mailbox", "" },
		{ CAUSE_QUOTA_EXCEEDED, "quota_exceeded", "storage" },
		{ CAUSE_SYSTEM_STORAGE, "system_storage", "storage" },
		{ CAUSE_DELETED_NOT_REMOVED, "deleted_not_removed", "storage" },
		{ CAUSE_NO_SUCH_MESSAGE, "no_such_message", "" },
		{ CAUSE_MESSAGE_TOO_LARGE, "message_too_large", "" },
		{ CAUSE_POLICY_REJECTION, "policy_rejection", "" },
		{ CAUSE_RATE_LIMITED, "rate_limited", "" },
		{ CAUSE_SERVICE_UNAVAILABLE, "service_unavailable", "" },
		{ CAUSE_SERVER_ERROR, "server_error", "" },
		{ CAUSE_PROTOCOL_ERROR, "protocol_error", "" },
		{ CAUSE_INVALID_ADDRESS, "invalid_address", "" },
		{ CAUSE_NOT_LOCAL, "not_local", "" },
		{ CAUSE_DNS_FAILURE, "dns_failure", "" },
		{ CAUSE_ACCOUNT_DISABLED, "account_disabled", "" },
		{ CAUSE_EXPIRED, "expired", "" },
		{ CAUSE_TRANSACTION_FAILED, "transaction_failed", "" },
		{ CAUSE_UNCLASSIFIED, "unclassified", "" },
	};

	return cr_make_param_array(struct row_case, rows,
	    sizeof(rows) / sizeof(rows[0]));
}

ParameterizedTest(struct row_case *c, cause, row, .timeout = 5)
{
	const struct cause_info	*ci = cause_get(c->cause);

	cr_assert_str_eq(ci->id, c->id);
	cr_assert_str_eq(ci->group, c->group);
	cr_assert_not_null(ci->meaning);
	cr_assert_gt(strlen(ci->meaning), 20, "%s: meaning too short", c->id);
	cr_assert_not_null(ci->advice);
	cr_assert_gt(strlen(ci->advice), 20, "%s: advice too short", c->id);
	cr_assert_eq(cause_find(c->id, strlen(c->id)), c->cause);
}

Test(cause, count_is_builtin, .timeout = 5)
{
	cr_assert_eq(cause_count(), CAUSE_BUILTIN_COUNT);
	cr_assert_eq(CAUSE_BUILTIN_COUNT, 20);
}

Test(cause, ids_distinct, .timeout = 5)
{
	int	 i, j;

	for (i = 0; i < cause_count(); i++)
		for (j = i + 1; j < cause_count(); j++)
			cr_assert_str_neq(cause_get(i)->id, cause_get(j)->id);
}

Test(cause, groups_known, .timeout = 5)
{
	const char	*g;
	int		 i;

	for (i = 0; i < cause_count(); i++) {
		g = cause_get(i)->group;
		cr_assert(strcmp(g, "") == 0 || strcmp(g, "lock") == 0 ||
		    strcmp(g, "auth") == 0 || strcmp(g, "storage") == 0,
		    "%s: group '%s'", cause_get(i)->id, g);
	}
}

Test(cause, find_uses_len, .timeout = 5)
{
	const char	*s = "expired_and_more";

	cr_assert_eq(cause_find(s, 7), CAUSE_EXPIRED);
	cr_assert_eq(cause_find(s, strlen(s)), CAUSE_NONE);
	cr_assert_eq(cause_find("auth_failur", 11), CAUSE_NONE);
}

Test(cause, find_unknown, .timeout = 5)
{
	cr_assert_eq(cause_find("mailbox_full", 12), CAUSE_NONE);
	cr_assert_eq(cause_find("", 0), CAUSE_NONE);
	cr_assert_eq(cause_find(NULL, 0), CAUSE_NONE);
}

Test(cause, get_negative_is_bug, .signal = SIGABRT, .timeout = 5)
{
	cause_get(-1);
}

Test(cause, get_past_end_is_bug, .signal = SIGABRT, .timeout = 5)
{
	cause_get(cause_count());
}

Test(cause, add_new, .timeout = 5)
{
	int	 n;

	n = cause_add("virus_found", "", "A virus was found.",
	    "Check the scanner.");
	cr_assert_eq(n, CAUSE_BUILTIN_COUNT);
	cr_assert_eq(cause_count(), CAUSE_BUILTIN_COUNT + 1);
	cr_assert_eq(cause_find("virus_found", 11), n);
	cr_assert_str_eq(cause_get(n)->id, "virus_found");
	cr_assert_str_eq(cause_get(n)->meaning, "A virus was found.");
	cr_assert_str_eq(cause_get(n)->advice, "Check the scanner.");
}

Test(cause, add_new_null_texts_empty, .timeout = 5)
{
	int	 n = cause_add("bare", NULL, NULL, NULL);

	cr_assert_geq(n, CAUSE_BUILTIN_COUNT);
	cr_assert_str_eq(cause_get(n)->group, "");
	cr_assert_str_eq(cause_get(n)->meaning, "");
	cr_assert_str_eq(cause_get(n)->advice, "");
}

Test(cause, add_overrides_builtin, .timeout = 5)
{
	int	 n;

	n = cause_add("quota_exceeded", "storage", "Mailbox full.",
	    "Call the helpdesk.");
	cr_assert_eq(n, CAUSE_QUOTA_EXCEEDED);
	cr_assert_eq(cause_count(), CAUSE_BUILTIN_COUNT);
	cr_assert_str_eq(cause_get(n)->meaning, "Mailbox full.");
	cr_assert_str_eq(cause_get(n)->advice, "Call the helpdesk.");
}

Test(cause, add_override_keeps_null_texts, .timeout = 5)
{
	const char	*advice = cause_get(CAUSE_EXPIRED)->advice;
	int		 n;

	n = cause_add("expired", NULL, "Gave up.", NULL);
	cr_assert_eq(n, CAUSE_EXPIRED);
	cr_assert_str_eq(cause_get(n)->meaning, "Gave up.");
	cr_assert_eq(cause_get(n)->advice, advice);
	cr_assert_str_eq(cause_get(n)->group, "");
}

Test(cause, add_override_added, .timeout = 5)
{
	int	 a, b;

	a = cause_add("mine", "", "first", "first");
	b = cause_add("mine", "auth", "second", "second");
	cr_assert_eq(a, b);
	cr_assert_eq(cause_count(), CAUSE_BUILTIN_COUNT + 1);
	cr_assert_str_eq(cause_get(b)->group, "auth");
	cr_assert_str_eq(cause_get(b)->meaning, "second");
}

Test(cause, add_until_full, .timeout = 5)
{
	static char	 ids[CAUSE_MAX + 1][24];
	int		 i, n;

	for (i = CAUSE_BUILTIN_COUNT; i < CAUSE_MAX; i++) {
		snprintf(ids[i], sizeof(ids[i]), "user_%d", i);
		n = cause_add(ids[i], "", "m", "a");
		cr_assert_eq(n, i);
	}
	cr_assert_eq(cause_count(), CAUSE_MAX);
	snprintf(ids[CAUSE_MAX], sizeof(ids[0]), "one_too_many");
	errno = 0;
	cr_assert_eq(cause_add(ids[CAUSE_MAX], "", "m", "a"), -1);
	cr_assert_eq(errno, ENOSPC);
	cr_assert_eq(cause_count(), CAUSE_MAX);
	/* overriding still works on a full table */
	cr_assert_eq(cause_add("expired", NULL, "x", NULL), CAUSE_EXPIRED);
	cr_assert_eq(cause_find(ids[CAUSE_MAX - 1],
	    strlen(ids[CAUSE_MAX - 1])), CAUSE_MAX - 1);
}

Test(cause, add_empty_id, .timeout = 5)
{
	errno = 0;
	cr_assert_eq(cause_add("", "", "m", "a"), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(cause_add(NULL, "", "m", "a"), -1);
	cr_assert_eq(cause_count(), CAUSE_BUILTIN_COUNT);
}

/*
 * The registry (issue 17): built whole, published whole, never changed
 * once published; numbers stay put across rule sets.
 */
Test(cause_reg, published_registry_never_changes, .timeout = 5)
{
	const struct cause_reg	*old = cause_current();
	struct cause_reg	*r = cause_reg_new();

	cr_assert_eq(cause_reg_add(r, "virus", "", "A virus.", "Clean."),
	    CAUSE_BUILTIN_COUNT);
	cr_assert_eq(cause_current(), old, "a draft is private");
	cr_assert_eq(cause_find("virus", 5), CAUSE_NONE);
	cause_reg_publish(r);
	cr_assert_eq(cause_current(), r);
	cr_assert_eq(cause_find("virus", 5), CAUSE_BUILTIN_COUNT);
	/* what a reader took before is as it was */
	cr_assert_eq(cause_reg_count(old), CAUSE_BUILTIN_COUNT);
	cr_assert_eq(cause_reg_find(old, "virus", 5), CAUSE_NONE);
}

Test(cause_reg, change_after_publish_is_bug, .signal = SIGABRT,
    .timeout = 5)
{
	struct cause_reg	*r = cause_reg_new();

	cause_reg_publish(r);
	cause_reg_add(r, "late", NULL, NULL, NULL);
}

Test(cause_reg, new_rule_set_retires_what_it_drops, .timeout = 5)
{
	const struct cause_reg	*b = cause_current();
	const char		*quota = cause_get(CAUSE_QUOTA_EXCEEDED)->meaning;
	struct cause_reg	*r;

	r = cause_reg_new();
	cause_reg_add(r, "foo", "lock", "Foo.", "Fix foo.");
	cause_reg_add(r, "quota_exceeded", NULL, "Full.", NULL);
	cause_reg_publish(r);
	cr_assert_str_eq(cause_get(CAUSE_QUOTA_EXCEEDED)->meaning, "Full.");

	/* the next rule set names bar only */
	r = cause_reg_new();
	cr_assert_eq(cause_reg_add(r, "bar", "", NULL, NULL),
	    CAUSE_BUILTIN_COUNT + 1, "foo keeps its number");
	cause_reg_publish(r);
	cr_assert_eq(cause_find("foo", 3), CAUSE_NONE, "foo is gone");
	cr_assert_str_eq(cause_get(CAUSE_BUILTIN_COUNT)->id, "foo",
	    "its number still names it");
	cr_assert_str_eq(cause_get(CAUSE_BUILTIN_COUNT)->group, "");
	cr_assert_str_eq(cause_get(CAUSE_QUOTA_EXCEEDED)->meaning, quota,
	    "the built-in text is back");
	cr_assert_eq(cause_reg_get(b, CAUSE_QUOTA_EXCEEDED)->meaning, quota);

	/* and a rule set that names foo again gets its number back */
	r = cause_reg_new();
	cr_assert_eq(cause_reg_add(r, "foo", NULL, NULL, NULL),
	    CAUSE_BUILTIN_COUNT);
	cause_reg_publish(r);
	cr_assert_eq(cause_find("foo", 3), CAUSE_BUILTIN_COUNT);
	cr_assert_eq(cause_find("bar", 3), CAUSE_NONE);
	cr_assert_eq(cause_count(), CAUSE_BUILTIN_COUNT + 2);
}

Test(cause_reg, draft_freed_leaves_current, .timeout = 5)
{
	const struct cause_reg	*old = cause_current();
	struct cause_reg	*r = cause_reg_new();
	char			 s[8] = "temp";

	cause_reg_add(r, s, "", "m", "a");
	memcpy(s, "XXXX", 4);	/* the draft copied it */
	cr_assert_str_eq(cause_reg_get(r, CAUSE_BUILTIN_COUNT)->id, "temp");
	cause_reg_free(r);
	cr_assert_eq(cause_current(), old);
	cr_assert_eq(cause_count(), CAUSE_BUILTIN_COUNT);
}

/* A reader that walks every cause of the current registry, as a scrape. */
static void *
reader(void *arg)
{
	const struct cause_reg	*cr;
	const struct cause_info	*ci;
	int			*bad = arg, i, k;

	for (k = 0; k < 20000; k++) {
		cr = cause_current();
		for (i = 0; i < cause_reg_count(cr); i++) {
			ci = cause_reg_get(cr, i);
			if (ci->id[0] == '\0' || (i == CAUSE_BUILTIN_COUNT &&
			    strncmp(ci->meaning, "text ", 5) != 0))
				(*bad)++;
		}
	}
	return NULL;
}

Test(cause_reg, readers_see_whole_registries, .timeout = 30)
{
	struct cause_reg	*r;
	pthread_t		 tid;
	char			 m[32];
	int			 bad = 0, i;

	r = cause_reg_new();
	cause_reg_add(r, "live", "", "text 0", "");
	cause_reg_publish(r);
	cr_assert_eq(pthread_create(&tid, NULL, reader, &bad), 0);
	for (i = 1; i < 500; i++) {	/* reloads while it reads */
		r = cause_reg_new();
		snprintf(m, sizeof(m), "text %d", i);
		cause_reg_add(r, "live", "", m, "");
		cause_reg_publish(r);
	}
	pthread_join(tid, NULL);
	cr_assert_eq(bad, 0);
	cr_assert_str_eq(cause_get(CAUSE_BUILTIN_COUNT)->meaning, "text 499");
}
