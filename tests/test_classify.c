/*
 * Unit tests of the classifier: one case per cause the built-in text
 * rules know, the order text > enhanced > basic > response code, and the
 * unclassified template.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"
#include "../src/classify/classify_int.h"

static struct classifier *cl;
static struct classify_scratch *cs;

static void
setup(void)
{

	cl = classify_new();
	cr_assert_not_null(cl);
	cs = classify_scratch_new(cl);
}

static void
teardown(void)
{
	classify_scratch_free(cs);
	classify_free(cl);
}

/* Classifies a reply as a client saw it; returns the cause id. */
static const char *
cause_of(const char *reply)
{
	struct event	 ev;

	event_reset(&ev);
	if (!parse_reply((struct slice){ reply, strlen(reply) }, &ev))
		ev.text = (struct slice){ reply, strlen(reply) };
	classify_event(cl, cs, &ev);
	return cause_get(ev.cause)->id;
}

struct tcase {
	char	 reply[128];
	char	 cause[32];
};

ParameterizedTestParameters(classify, replies)
{
	static struct tcase cases[] = {
		{ "-ERR [IN-USE] Mailbox Locked", "lock_contention" },
		{ "450 4.4.0 <a@b.example>... Relaying temporarily denied. Cannot resolve PTR record for 192.0.2.1", "policy_rejection" },
		{ "-ERR unable to lock mailbox", "lock_contention" },
		{ "-ERR /var/spool/mail/.a.pop lock busy!  Is another session active?", "lock_contention" },
		{ "450 4.2.1 Mailbox busy, try later", "lock_contention" },
		/* Dovecot's lib-index: a timeout, but one on a lock */
		{ "Timeout (180s) while waiting for dotlock for transaction log file /m/dovecot.index.log", "lock_contention" },
		{ "Timeout (2s) while waiting for lock for transaction log file /m/dovecot.index.log (WRITE lock held by pid 2927)", "lock_contention" },
		{ "-ERR invalid password", "auth_failure" },
		{ "-ERR [AUTH] Authentication failed.", "auth_failure" },
		{ "535 5.7.8 Error: authentication failed: UGFzc3dvcmQ6", "auth_failure" },
		{ "-ERR mailbox unknown", "unknown_mailbox" },
		{ "550 5.1.1 <x@y>: Recipient address rejected: User unknown", "unknown_mailbox" },
		{ "550 No Such User Here", "unknown_mailbox" },
		{ "552 5.2.2 Mailbox full", "quota_exceeded" },
		{ "NO [OVERQUOTA] Quota exceeded (mailbox for user is full)", "quota_exceeded" },
		{ "452 4.3.1 Insufficient system storage", "system_storage" },
		{ "write failed: No space left on device", "system_storage" },
		{ "-ERR some deleted messages not removed", "deleted_not_removed" },
		{ "-ERR no such message", "no_such_message" },
		{ "-ERR There's no message 7.", "no_such_message" },
		{ "552 5.3.4 Message size exceeds fixed limit", "message_too_large" },
		{ "554 5.7.1 <a@b>: Relay access denied", "policy_rejection" },
		{ "Sender verify failed", "policy_rejection" },
		{ "Could not complete sender verify callout", "policy_rejection" },
		{ "restricted characters in address", "invalid_address" },
		{ "Invalid host name", "invalid_address" },
		{ "554 5.7.1 Service unavailable; Client host [1.2.3.4] blocked using zen.spamhaus.org", "policy_rejection" },
		{ "421 badiprbl: ip 198.51.100.54 rbl: zen.example.net", "policy_rejection" },
		{ "535 5.7.3 Authentication unsuccessful", "auth_failure" },
		{ "a1 NO AUTHENTICATE failed.", "auth_failure" },
		{ "550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found", "unknown_mailbox" },
		{ "-ERR Server Unavailable. 21", "service_unavailable" },
		{ "-ERR Command is not valid in this state.", "protocol_error" },
		{ "a4 BAD Command Argument Error. 11", "protocol_error" },
		{ "450 4.2.0 <a@b>: Recipient address rejected: Greylisted", "policy_rejection" },
		{ "504 5.5.2 <x>: Helo command rejected: need fully-qualified hostname", "policy_rejection" },
		{ "-ERR [LOGIN-DELAY] wait 5 minutes", "rate_limited" },
		{ "421 4.7.0 Too many connections from your host", "rate_limited" },
		{ "421 4.4.2 Service not available, closing channel", "service_unavailable" },
		{ "connect to mx[1.2.3.4]:25: Connection timed out", "service_unavailable" },
		{ "Network error on destination MXs", "service_unavailable" },
		{ "451 4.3.0 Local Error", "server_error" },
		{ "-ERR [SYS/TEMP] something happened", "server_error" },
		{ "500 5.5.1 Command unrecognized", "protocol_error" },
		{ "553 5.1.3 Bad recipient address syntax", "invalid_address" },
		{ "501 5.5.4 Syntax: MAIL FROM:<address>", "protocol_error" },
		{ "551 5.1.6 User not local; please try <a@b>", "not_local" },
		{ "Host or domain name not found. Name service error", "dns_failure" },
		{ "550 5.2.1 Account disabled", "account_disabled" },
		{ "Domain example.com does not accept mail (nullMX)", "dns_failure" },
		{ "DANE error: tlsa lookup FAIL", "dns_failure" },
		{ "554 5.7.1 Service unavailable; listed in zen.spamhaus.org", "policy_rejection" },
		{ "550 Mail refused, see spamcop", "policy_rejection" },
		{ "550 5.7.0 Administrative prohibition", "policy_rejection" },
		{ "message stayed too long in the queue", "expired" },
		{ "-ERR temporary failure, try once more", "server_error" },
		{ "-ERR improper pipelining detected", "protocol_error" },
		{ "message expired after 5 days in queue", "expired" },
		{ "554 Transaction failed", "transaction_failed" },
		{ "-ERR frobnicator out of phase", "unclassified" },
	};
	return cr_make_param_array(struct tcase, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct tcase *c, classify, replies, .init = setup,
    .fini = teardown, .timeout = 5)
{
	cr_assert_str_eq(cause_of(c->reply), c->cause, "reply '%s'", c->reply);
}

/* An event with a text, an enhanced code, a basic code and a hint. */
static const char *
cause_hinted(const char *text, const char *enh, const char *code, int hint,
    int flags)
{
	struct event	 ev;

	event_reset(&ev);
	ev.text = (struct slice){ text, strlen(text) };
	snprintf(ev.enh, sizeof(ev.enh), "%s", enh);
	snprintf(ev.code, sizeof(ev.code), "%s", code);
	ev.hint = (int16_t)hint;
	ev.flags = (uint8_t)flags;
	classify_event(cl, cs, &ev);
	return cause_get(ev.cause)->id;
}

/* The parser's hint ranks below text and enhanced code, above the rest. */
Test(classify, hint_rank, .init = setup, .fini = teardown, .timeout = 5)
{
	/* nothing else says anything: the hint decides */
	cr_assert_str_eq(cause_hinted("frobnicated", "", "", CAUSE_EXPIRED, 0),
	    "expired");
	/* a text rule beats the hint */
	cr_assert_str_eq(cause_hinted("Quota exceeded", "", "",
	    CAUSE_LOCK_CONTENTION, 0), "quota_exceeded");
	/* so does the enhanced code (5.2.2: mailbox full) */
	cr_assert_str_eq(cause_hinted("frobnicated", "5.2.2", "550",
	    CAUSE_AUTH_FAILURE, 0), "quota_exceeded");
	/* the hint beats the basic code (552 alone: quota_exceeded) */
	cr_assert_str_eq(cause_hinted("frobnicated", "", "552",
	    CAUSE_AUTH_FAILURE, 0), "auth_failure");
	/* no hint, nothing known: unclassified */
	cr_assert_str_eq(cause_hinted("frobnicated", "", "", CAUSE_NONE, 0),
	    "unclassified");
}

/* The enhanced code read digit by digit, as sscanf's "%d.%d.%d" reads it. */
Test(classify, enh_parts_as_sscanf, .timeout = 5)
{
	static const struct {
		const char	*s;
		int		 n, v[3];
	} c[] = {
		{ "5.1.1", 3, { 5, 1, 1 } },
		{ "4.7.100", 3, { 4, 7, 100 } },
		{ "5.2.2.9", 3, { 5, 2, 2 } },	/* the rest is not read */
		{ "5.1", 2, { 5, 1, 0 } },
		{ "5..1", 1, { 5, 0, 0 } },
		{ "5.1.", 2, { 5, 1, 0 } },
		{ "1234567890.1.1", 3, { 1234567890, 1, 1 } },	/* sscanf's */
	};
	size_t	 i;
	int	 v[3], w[3], n, m;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(v, 0, sizeof(v));
		memset(w, 0, sizeof(w));
		n = enh_parts(c[i].s, v);
		m = sscanf(c[i].s, "%d.%d.%d", &w[0], &w[1], &w[2]);
		cr_assert_eq(n, c[i].n, "'%s': %d parts", c[i].s, n);
		cr_assert_eq(n, m, "'%s': %d parts, sscanf %d", c[i].s, n, m);
		cr_assert(memcmp(v, w, sizeof(int) * (size_t)n) == 0,
		    "'%s': parts differ from sscanf's", c[i].s);
		if (n == 3)
			cr_assert(v[0] == c[i].v[0] && v[1] == c[i].v[1] &&
			    v[2] == c[i].v[2], "'%s'", c[i].s);
	}
}

/* A fixed label (sendmail's stat=) is weaker than the enhanced code. */
Test(classify, label_below_enhanced, .init = setup, .fini = teardown,
    .timeout = 5)
{
	cr_assert_str_eq(cause_hinted("Service unavailable", "5.1.3", "",
	    CAUSE_NONE, EV_LABEL), "invalid_address");
	/* with no enhanced code the label's text still counts */
	cr_assert_str_eq(cause_hinted("Service unavailable", "", "",
	    CAUSE_NONE, EV_LABEL), "service_unavailable");
	/* the same words as reply text beat the code, as text does */
	cr_assert_str_eq(cause_hinted("Service unavailable", "5.1.3", "",
	    CAUSE_NONE, 0), "service_unavailable");
}

Test(classify, text_beats_codes, .init = setup, .fini = teardown,
    .timeout = 5)
{
	/* 550 alone says unknown_mailbox; the text says policy */
	cr_assert_str_eq(cause_of("550 5.7.1 Sender address rejected: Domain not found"),
	    "policy_rejection");
	/* enhanced beats basic: 550 with 5.2.2 is a full mailbox */
	cr_assert_str_eq(cause_of("550 5.2.2 sorry"), "quota_exceeded");
}

Test(classify, policy_detail, .init = setup, .fini = teardown, .timeout = 5)
{
	struct event	 ev;
	const char	*r = "554 5.7.1 <a@b>: Relay access denied";

	event_reset(&ev);
	parse_reply((struct slice){ r, strlen(r) }, &ev);
	classify_event(cl, cs, &ev);
	cr_assert_eq(ev.detail, POL_RELAY);
}

/*
 * causes.md: a login that names no user is an auth_failure with detail
 * unknown_user; the same words about a recipient stay unknown_mailbox.
 */
Test(classify, unknown_login_is_auth_failure, .init = setup,
    .fini = teardown, .timeout = 5)
{
	struct event	 ev;
	static const char *const login[] = {
		"NO [AUTHENTICATIONFAILED] user not found",
		"-ERR [AUTH] unknown user",
		"535 5.7.8 no such user",
	};
	const char	*rcpt = "550 5.1.1 <x@example.org>: User unknown";
	size_t		 i;

	for (i = 0; i < sizeof(login) / sizeof(login[0]); i++) {
		event_reset(&ev);
		cr_assert(parse_reply((struct slice){ login[i],
		    strlen(login[i]) }, &ev));
		classify_event(cl, cs, &ev);
		cr_assert_eq(ev.cause, CAUSE_AUTH_FAILURE, "%s", login[i]);
		cr_assert_eq(ev.detail, POL_UNKNOWN_USER, "%s", login[i]);
	}
	/* a parser's hint says the line is a login: "account not found" */
	event_reset(&ev);
	ev.text = (struct slice){ "account not found", 17 };
	ev.hint = CAUSE_AUTH_FAILURE;
	classify_event(cl, cs, &ev);
	cr_assert_eq(ev.cause, CAUSE_AUTH_FAILURE);
	cr_assert_eq(ev.detail, POL_UNKNOWN_USER);
	event_reset(&ev);
	parse_reply((struct slice){ rcpt, strlen(rcpt) }, &ev);
	classify_event(cl, cs, &ev);
	cr_assert_eq(ev.cause, CAUSE_UNKNOWN_MAILBOX);
	cr_assert_eq(ev.detail, POL_NONE);
}

Test(template, masks_variable_parts, .timeout = 5)
{
	char		 buf[256];
	const char	*t = "550 5.1.1 <bob@example.net>: lost at mx.example.org [192.0.2.1] id 3F2A11C0A1 after 42 secs \"Bob\" /var/mail/bob (11)";

	classify_template((struct slice){ t, strlen(t) }, buf, sizeof(buf));
	cr_assert_str_eq(buf, "550 5.1.1 <addr>: lost at <host> [<ip>] id <id> after N secs \"<str>\" <path> (N)");
}

Test(template, keeps_response_codes_and_truncates, .timeout = 5)
{
	char		 buf[12];
	const char	*t = "[IN-USE] Mailbox Locked";

	classify_template((struct slice){ t, strlen(t) }, buf, sizeof(buf));
	cr_assert_str_eq(buf, "[IN-USE] Ma");
}

/* --- the literal search -------------------------------------------------- */

/*
 * The classifier's literal search: the lower-cased copy, the '_' for ' '
 * of qmail texts and the one pass that finds every literal by its first
 * two bytes, then its first eight in one compare, then the rest. The
 * rule used is "no space left on device" (system_storage, a literal with
 * no pattern, longer than eight bytes). Each text carries no reply code,
 * so a text that misses the rule is unclassified; the expected causes
 * follow from reading the texts.
 */
static const char *
cause_of_text(const char *text, int flags)
{
	struct event	 ev;

	event_reset(&ev);
	ev.text = (struct slice){ text, strlen(text) };
	ev.flags = (uint8_t)flags;
	classify_event(cl, cs, &ev);
	return cause_get(ev.cause)->id;
}

Test(classify_find, where_the_literal_sits, .init = setup, .fini = teardown,
    .timeout = 5)
{
	/* the whole text, at the start, at the very end */
	cr_assert_str_eq(cause_of_text("no space left on device", 0),
	    "system_storage");
	cr_assert_str_eq(cause_of_text("no space left on device (write)", 0),
	    "system_storage");
	cr_assert_str_eq(cause_of_text("write failed: no space left on device",
	    0), "system_storage");
}

Test(classify_find, false_candidates, .init = setup, .fini = teardown,
    .timeout = 5)
{
	/* many 'v's before the real one; a near miss at the end */
	cr_assert_str_eq(cause_of_text("vvv over vivid v: no space left on "
	    "device", 0), "system_storage");
	cr_assert_str_eq(cause_of_text("vvv no space left on devic", 0),
	    "unclassified");
	/* shorter than the literal, though every byte of it is there */
	cr_assert_str_eq(cause_of_text("no space left on devic", 0),
	    "unclassified");
	/* the anchor is there but the bytes before it differ */
	cr_assert_str_eq(cause_of_text("no space left in device", 0),
	    "unclassified");
}

Test(classify_find, case_and_underscore, .init = setup, .fini = teardown,
    .timeout = 5)
{
	cr_assert_str_eq(cause_of_text("No Space Left On DEVICE", 0),
	    "system_storage");
	/* qmail-send writes blanks as '_': only with EV_UNDERSCORE */
	cr_assert_str_eq(cause_of_text("no_space_left_on_device", EV_UNDERSCORE),
	    "system_storage");
	cr_assert_str_eq(cause_of_text("no_space_left_on_device", 0),
	    "unclassified");
}

Test(classify_find, short_texts_and_stale_bytes, .init = setup,
    .fini = teardown, .timeout = 5)
{
	/* a two-byte literal ("mx", dns_failure's "no mx") at the very end */
	cr_assert_str_eq(cause_of_text("domain has no mx", 0), "dns_failure");
	/* a near miss in the first eight bytes and after them */
	cr_assert_str_eq(cause_of_text("no spade left on device", 0),
	    "unclassified");
	cr_assert_str_eq(cause_of_text("no space left on devise", 0),
	    "unclassified");
	/*
	 * The copy of a longer text stays in the scratch buffer: its bytes
	 * past a shorter text's end must not complete a literal.
	 */
	cr_assert_str_eq(cause_of_text("xxxxxxxx no space left on device", 0),
	    "system_storage");
	cr_assert_str_eq(cause_of_text("xxxxxxxx no space left on devic", 0),
	    "unclassified");
	cr_assert_str_eq(cause_of_text("xxxxxxxx no space left on dev", 0),
	    "unclassified");
}
