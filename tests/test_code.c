/*
 * Tests of the reply-code knowledge (src/classify/code.c): every SMTP
 * code causes.md lists has a meaning that says the right thing, the
 * cause causes.md gives, and advice exactly when it is a failure;
 * enhanced codes follow the mapping rules; unknown codes are described
 * from their digits; POP3 and IMAP response codes map to causes.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "mxtally/cause.h"

struct basic_case {
	int	 code;
	int	 cause;
	int	 failure;
	char	 word[40];		/* must occur in the meaning */
};

ParameterizedTestParameters(code, basic)
{
	static struct basic_case cases[] = {
		{ 211, CAUSE_NONE, 0, "status" },
		{ 214, CAUSE_NONE, 0, "help" },
		{ 220, CAUSE_NONE, 0, "ready" },
		{ 221, CAUSE_NONE, 0, "closing" },
		{ 250, CAUSE_NONE, 0, "completed" },
		{ 251, CAUSE_NONE, 0, "forward" },
		{ 252, CAUSE_NONE, 0, "VRFY" },
		{ 354, CAUSE_NONE, 0, "single dot" },
		{ 421, CAUSE_SERVICE_UNAVAILABLE, 1, "not available" },
		{ 450, CAUSE_NONE, 1, "locked" },	/* or greylisting: text decides */
		{ 451, CAUSE_SERVER_ERROR, 1, "local error" },
		{ 452, CAUSE_SYSTEM_STORAGE, 1, "system storage" },
		{ 454, CAUSE_AUTH_FAILURE, 1, "temporary authentication" },
		{ 500, CAUSE_PROTOCOL_ERROR, 1, "not recognised" },
		{ 501, CAUSE_PROTOCOL_ERROR, 1, "arguments" },
		{ 502, CAUSE_PROTOCOL_ERROR, 1, "not implemented" },
		{ 503, CAUSE_PROTOCOL_ERROR, 1, "bad sequence" },
		{ 504, CAUSE_PROTOCOL_ERROR, 1, "parameter" },
		{ 521, CAUSE_DNS_FAILURE, 1, "host does not accept mail" },
		{ 530, CAUSE_AUTH_FAILURE, 1, "authentication required" },
		{ 535, CAUSE_AUTH_FAILURE, 1, "credentials" },
		{ 550, CAUSE_NONE, 1, "not found" },	/* or policy: text decides */
		{ 551, CAUSE_NOT_LOCAL, 1, "not local" },
		{ 552, CAUSE_QUOTA_EXCEEDED, 1, "storage allocation" },
		{ 553, CAUSE_INVALID_ADDRESS, 1, "not allowed" },
		{ 554, CAUSE_TRANSACTION_FAILED, 1, "transaction failed" },
		{ 556, CAUSE_DNS_FAILURE, 1, "domain does not accept mail" },
	};

	return cr_make_param_array(struct basic_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct basic_case *c, code, basic, .timeout = 5)
{
	char		 buf[256];
	const char	*adv;

	code_meaning_basic(c->code, buf, sizeof(buf));
	cr_assert(strstr(buf, c->word) != NULL, "%d: '%s' lacks '%s'",
	    c->code, buf, c->word);
	cr_assert(strstr(buf, "unlisted") == NULL, "%d: not in table",
	    c->code);
	cr_assert_eq(code_cause_basic(c->code), c->cause, "%d", c->code);
	adv = code_advice_basic(c->code);
	if (c->failure) {
		cr_assert_not_null(adv, "%d: no advice", c->code);
		cr_assert_gt(strlen(adv), 20);
	} else
		cr_assert_null(adv, "%d: advice for a success", c->code);
}

Test(code, basic_all_4xx_5xx_have_advice, .timeout = 5)
{
	int	 i;

	for (i = 400; i < 600; i++)
		cr_assert_not_null(code_advice_basic(i), "%d", i);
	cr_assert_null(code_advice_basic(0));
	cr_assert_null(code_advice_basic(600));
}

Test(code, basic_unknown_459, .timeout = 5)
{
	char	 buf[256];

	code_meaning_basic(459, buf, sizeof(buf));
	cr_assert(strstr(buf, "unlisted") != NULL, "%s", buf);
	cr_assert(strstr(buf, "temporary failure") != NULL, "%s", buf);
	cr_assert(strstr(buf, "mail system status") != NULL, "%s", buf);
	cr_assert_eq(code_cause_basic(459), CAUSE_NONE);
}

Test(code, basic_unknown_520, .timeout = 5)
{
	char	 buf[256];

	code_meaning_basic(520, buf, sizeof(buf));
	cr_assert(strstr(buf, "permanent failure") != NULL, "%s", buf);
	cr_assert(strstr(buf, "connection") != NULL, "%s", buf);
	cr_assert_eq(code_cause_basic(520), CAUSE_NONE);
}

Test(code, basic_unknown_categories, .timeout = 5)
{
	char	 buf[256];

	code_meaning_basic(409, buf, sizeof(buf));
	cr_assert(strstr(buf, "about syntax") != NULL, "%s", buf);
	code_meaning_basic(213, buf, sizeof(buf));
	cr_assert(strstr(buf, "success") != NULL, "%s", buf);
	cr_assert(strstr(buf, "information") != NULL, "%s", buf);
	code_meaning_basic(533, buf, sizeof(buf));
	cr_assert(strstr(buf, "unspecified") != NULL, "%s", buf);
	code_meaning_basic(371, buf, sizeof(buf));
	cr_assert(strstr(buf, "more input") != NULL, "%s", buf);
	code_meaning_basic(580, buf, sizeof(buf));
	cr_assert(strstr(buf, "undefined category") != NULL, "%s", buf);
}

Test(code, basic_not_a_code, .timeout = 5)
{
	char	 buf[256];

	code_meaning_basic(650, buf, sizeof(buf));
	cr_assert(strstr(buf, "first digit") != NULL, "%s", buf);
	code_meaning_basic(42, buf, sizeof(buf));
	cr_assert(strstr(buf, "three digits") != NULL, "%s", buf);
	code_meaning_basic(-1, buf, sizeof(buf));
	cr_assert(strstr(buf, "three digits") != NULL, "%s", buf);
	cr_assert_eq(code_cause_basic(650), CAUSE_NONE);
	cr_assert_null(code_advice_basic(650));
}

Test(code, basic_truncates, .timeout = 5)
{
	char	 buf[8], one[1] = { 'x' };

	cr_assert_eq(code_meaning_basic(452, buf, sizeof(buf)), buf);
	cr_assert_eq(strlen(buf), 7);
	cr_assert_eq(code_meaning_basic(452, one, 0), one);
	cr_assert_eq(one[0], 'x');
	code_meaning_basic(452, one, 1);
	cr_assert_eq(one[0], '\0');
}

struct enh_case {
	int	 subject;
	int	 detail;
	int	 cause;
	char	 word[40];		/* must occur in the meaning */
};

ParameterizedTestParameters(code, enhanced)
{
	static struct enh_case cases[] = {
		{ 1, 1, CAUSE_UNKNOWN_MAILBOX, "does not exist" },
		{ 1, 2, CAUSE_DNS_FAILURE, "destination system" },
		{ 1, 3, CAUSE_INVALID_ADDRESS, "syntax" },
		{ 1, 7, CAUSE_INVALID_ADDRESS, "sender's address" },
		{ 1, 6, CAUSE_NOT_LOCAL, "moved" },
		{ 2, 1, CAUSE_ACCOUNT_DISABLED, "disabled" },
		{ 2, 2, CAUSE_QUOTA_EXCEEDED, "full" },
		{ 2, 3, CAUSE_MESSAGE_TOO_LARGE, "size limit" },
		{ 3, 4, CAUSE_MESSAGE_TOO_LARGE, "too big" },
		{ 3, 0, CAUSE_SERVER_ERROR, "other mail system" },
		{ 3, 1, CAUSE_SYSTEM_STORAGE, "storage" },
		{ 4, 4, CAUSE_DNS_FAILURE, "unable to route" },
		{ 4, 7, CAUSE_EXPIRED, "expired" },
		{ 4, 0, CAUSE_SERVICE_UNAVAILABLE, "network" },
		{ 4, 1, CAUSE_SERVICE_UNAVAILABLE, "no answer" },
		{ 4, 2, CAUSE_SERVICE_UNAVAILABLE, "connection" },
		{ 4, 3, CAUSE_DNS_FAILURE, "directory server" },
		{ 4, 5, CAUSE_SERVICE_UNAVAILABLE, "congested" },
		{ 4, 6, CAUSE_SERVICE_UNAVAILABLE, "loop" },
		{ 5, 0, CAUSE_PROTOCOL_ERROR, "protocol" },
		{ 5, 1, CAUSE_PROTOCOL_ERROR, "invalid command" },
		{ 5, 2, CAUSE_PROTOCOL_ERROR, "syntax error" },
		{ 5, 3, CAUSE_PROTOCOL_ERROR, "too many recipients" },
		{ 5, 4, CAUSE_PROTOCOL_ERROR, "arguments" },
		{ 5, 5, CAUSE_PROTOCOL_ERROR, "protocol version" },
		{ 7, 1, CAUSE_POLICY_REJECTION, "not authorised" },
		{ 7, 8, CAUSE_AUTH_FAILURE, "credentials" },
		{ 7, 13, CAUSE_ACCOUNT_DISABLED, "account is disabled" },
		{ 7, 0, CAUSE_NONE, "other security" },
		/* choices documented in code.c */
		{ 0, 0, CAUSE_NONE, "other or undefined" },
		{ 1, 0, CAUSE_NONE, "other address" },
		{ 1, 4, CAUSE_INVALID_ADDRESS, "ambiguous" },
		{ 1, 5, CAUSE_NONE, "valid" },
		{ 1, 8, CAUSE_DNS_FAILURE, "sender's domain" },
		{ 1, 10, CAUSE_DNS_FAILURE, "null MX" },
		{ 2, 0, CAUSE_NONE, "other mailbox" },
		{ 2, 4, CAUSE_SERVER_ERROR, "mailing list" },
		{ 3, 2, CAUSE_SERVICE_UNAVAILABLE, "not accepting" },
		{ 3, 3, CAUSE_PROTOCOL_ERROR, "feature" },
		{ 3, 5, CAUSE_SERVER_ERROR, "configured" },
		{ 5, 6, CAUSE_PROTOCOL_ERROR, "too long" },
		{ 6, 0, CAUSE_PROTOCOL_ERROR, "media" },
		{ 6, 1, CAUSE_PROTOCOL_ERROR, "media type" },
		{ 6, 4, CAUSE_NONE, "loss" },
		{ 6, 5, CAUSE_PROTOCOL_ERROR, "conversion failed" },
		{ 6, 7, CAUSE_INVALID_ADDRESS, "non-ASCII" },
		{ 7, 2, CAUSE_POLICY_REJECTION, "list expansion" },
		{ 7, 7, CAUSE_POLICY_REJECTION, "integrity" },
		{ 7, 9, CAUSE_AUTH_FAILURE, "too weak" },
		{ 7, 11, CAUSE_AUTH_FAILURE, "encryption is required" },
		{ 7, 12, CAUSE_AUTH_FAILURE, "password transition" },
		{ 7, 16, CAUSE_MESSAGE_TOO_LARGE, "priority" },
		{ 7, 17, CAUSE_UNKNOWN_MAILBOX, "changed owner" },
		{ 7, 23, CAUSE_POLICY_REJECTION, "SPF" },
		{ 7, 25, CAUSE_POLICY_REJECTION, "reverse DNS" },
	};

	return cr_make_param_array(struct enh_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct enh_case *c, code, enhanced, .timeout = 5)
{
	char	 buf[256];

	cr_assert_eq(code_cause_enhanced(4, c->subject, c->detail), c->cause,
	    "4.%d.%d", c->subject, c->detail);
	cr_assert_eq(code_cause_enhanced(5, c->subject, c->detail), c->cause,
	    "5.%d.%d", c->subject, c->detail);
	cr_assert_eq(code_cause_enhanced(2, c->subject, c->detail),
	    CAUSE_NONE, "2.%d.%d is a success", c->subject, c->detail);
	code_meaning_enhanced(5, c->subject, c->detail, buf, sizeof(buf));
	cr_assert(strstr(buf, c->word) != NULL, "5.%d.%d: '%s' lacks '%s'",
	    c->subject, c->detail, buf, c->word);
	cr_assert(strstr(buf, "permanent") != NULL, "%s", buf);
	code_meaning_enhanced(4, c->subject, c->detail, buf, sizeof(buf));
	cr_assert(strstr(buf, "temporary") != NULL, "%s", buf);
}

Test(code, enhanced_subject_names, .timeout = 5)
{
	static const char *const names[] = {
		"other", "addressing", "mailbox", "mail system",
		"network and routing", "mail delivery protocol",
		"message content", "security or policy"
	};
	char	 buf[256];
	int	 s;

	for (s = 0; s < 8; s++) {
		code_meaning_enhanced(4, s, 0, buf, sizeof(buf));
		cr_assert(strstr(buf, names[s]) != NULL, "%d: %s", s, buf);
	}
}

Test(code, enhanced_success, .timeout = 5)
{
	char	 buf[256];

	code_meaning_enhanced(2, 0, 0, buf, sizeof(buf));
	cr_assert(strncmp(buf, "success", 7) == 0, "%s", buf);
	cr_assert_eq(code_cause_enhanced(2, 1, 1), CAUSE_NONE);
}

Test(code, enhanced_unknown_subject_599, .timeout = 5)
{
	char	 buf[256];

	code_meaning_enhanced(5, 9, 9, buf, sizeof(buf));
	cr_assert(strstr(buf, "permanent") != NULL, "%s", buf);
	cr_assert(strstr(buf, "subject 9 is not defined") != NULL, "%s", buf);
	cr_assert_eq(code_cause_enhanced(5, 9, 9), CAUSE_NONE);
}

Test(code, enhanced_unknown_detail, .timeout = 5)
{
	char	 buf[256];

	code_meaning_enhanced(4, 4, 99, buf, sizeof(buf));
	cr_assert(strstr(buf, "network and routing") != NULL, "%s", buf);
	cr_assert(strstr(buf, "detail 99 is not a registered") != NULL,
	    "%s", buf);
	/* unlisted details take their subject's cause */
	cr_assert_eq(code_cause_enhanced(4, 4, 99), CAUSE_SERVICE_UNAVAILABLE);
	cr_assert_eq(code_cause_enhanced(5, 5, 42), CAUSE_PROTOCOL_ERROR);
	cr_assert_eq(code_cause_enhanced(5, 7, 28), CAUSE_POLICY_REJECTION);
	cr_assert_eq(code_cause_enhanced(5, 1, 99), CAUSE_NONE);
	cr_assert_eq(code_cause_enhanced(5, 2, 9), CAUSE_NONE);
	cr_assert_eq(code_cause_enhanced(5, 3, -1), CAUSE_NONE);
}

Test(code, enhanced_bad_class, .timeout = 5)
{
	char	 buf[256];

	code_meaning_enhanced(3, 1, 1, buf, sizeof(buf));
	cr_assert(strstr(buf, "class 3 is not defined") != NULL, "%s", buf);
	cr_assert_eq(code_cause_enhanced(3, 1, 1), CAUSE_NONE);
	cr_assert_eq(code_cause_enhanced(9, 7, 1), CAUSE_NONE);
}

Test(code, enhanced_truncates, .timeout = 5)
{
	char	 buf[10];

	cr_assert_eq(code_meaning_enhanced(5, 1, 1, buf, sizeof(buf)), buf);
	cr_assert_eq(strlen(buf), 9);
}

struct resp_case {
	char	 name[24];
	int	 cause;
	char	 word[32];		/* must occur in the meaning */
};

ParameterizedTestParameters(code, resp)
{
	static struct resp_case cases[] = {
		{ "IN-USE", CAUSE_LOCK_CONTENTION, "in use" },
		{ "LOGIN-DELAY", CAUSE_RATE_LIMITED, "delay" },
		{ "SYS/TEMP", CAUSE_SERVER_ERROR, "temporary" },
		{ "SYS/PERM", CAUSE_SERVER_ERROR, "lasting" },
		{ "AUTH", CAUSE_AUTH_FAILURE, "credentials" },
		{ "AUTHENTICATIONFAILED", CAUSE_AUTH_FAILURE, "failed" },
		{ "AUTHORIZATIONFAILED", CAUSE_AUTH_FAILURE, "act as" },
		{ "EXPIRED", CAUSE_ACCOUNT_DISABLED, "expired" },
		{ "CONTACTADMIN", CAUSE_ACCOUNT_DISABLED, "administrator" },
		{ "INUSE", CAUSE_LOCK_CONTENTION, "another session" },
		{ "OVERQUOTA", CAUSE_QUOTA_EXCEEDED, "quota" },
		{ "LIMIT", CAUSE_RATE_LIMITED, "limit" },
		{ "UNAVAILABLE", CAUSE_SERVICE_UNAVAILABLE, "down" },
		{ "SERVERBUG", CAUSE_SERVER_ERROR, "bug" },
		{ "CORRUPTION", CAUSE_SERVER_ERROR, "corrupt" },
		{ "CLIENTBUG", CAUSE_PROTOCOL_ERROR, "client" },
		{ "CANNOT", CAUSE_PROTOCOL_ERROR, "never" },
		{ "NONEXISTENT", CAUSE_UNKNOWN_MAILBOX, "does not exist" },
		{ "NOPERM", CAUSE_POLICY_REJECTION, "rights" },
		{ "PRIVACYREQUIRED", CAUSE_POLICY_REJECTION, "encrypted" },
		{ "EXPUNGEISSUED", CAUSE_NO_SUCH_MESSAGE, "expunged" },
		{ "ALREADYEXISTS", CAUSE_PROTOCOL_ERROR, "already exists" },
		{ "TRYCREATE", CAUSE_UNKNOWN_MAILBOX, "create" },
		{ "TOOBIG", CAUSE_MESSAGE_TOO_LARGE, "too big" },
		{ "BADCHARSET", CAUSE_PROTOCOL_ERROR, "character set" },
		{ "PARSE", CAUSE_NONE, "parsed" },
		{ "ALERT", CAUSE_NONE, "shown" },
		/* case-insensitive */
		{ "in-use", CAUSE_LOCK_CONTENTION, "in use" },
		{ "OverQuota", CAUSE_QUOTA_EXCEEDED, "quota" },
		/* POP3 hierarchy and IMAP arguments */
		{ "SYS/TEMP/DISK", CAUSE_SERVER_ERROR, "temporary" },
		{ "AUTH/EXPIRED", CAUSE_AUTH_FAILURE, "credentials" },
		{ "SYS/OTHER", CAUSE_SERVER_ERROR, "server" },
		{ "BADCHARSET (UTF-8)", CAUSE_PROTOCOL_ERROR, "character set" },
	};

	return cr_make_param_array(struct resp_case, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct resp_case *c, code, resp, .timeout = 5)
{
	const char	*m = code_meaning_resp(c->name, strlen(c->name));

	cr_assert_eq(code_cause_resp(c->name, strlen(c->name)), c->cause,
	    "%s", c->name);
	cr_assert_not_null(m, "%s: no meaning", c->name);
	cr_assert(strstr(m, c->word) != NULL, "%s: '%s' lacks '%s'",
	    c->name, m, c->word);
}

Test(code, resp_unknown, .timeout = 5)
{
	cr_assert_eq(code_cause_resp("FOO", 3), CAUSE_NONE);
	cr_assert_null(code_meaning_resp("FOO", 3));
	cr_assert_null(code_meaning_resp("IN-US", 5));
	cr_assert_null(code_meaning_resp("/", 1));
	cr_assert_null(code_meaning_resp("", 0));
	cr_assert_eq(code_cause_resp(NULL, 0), CAUSE_NONE);
	cr_assert_eq(code_cause_resp("IN-USED", 7), CAUSE_NONE);
}

Test(code, resp_uses_len, .timeout = 5)
{
	cr_assert_eq(code_cause_resp("IN-USE] Mailbox", 6),
	    CAUSE_LOCK_CONTENTION);
	cr_assert_eq(code_cause_resp("AUTHENTICATIONFAILED", 4),
	    CAUSE_AUTH_FAILURE);
}
