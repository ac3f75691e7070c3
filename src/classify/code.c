/*
 * Reply-code knowledge: what an SMTP basic code (RFC 5321, 4954, 7504),
 * an RFC 3463 enhanced code and a POP3 (RFC 2449, 3206) or IMAP (RFC
 * 3501, 5530) response code mean, which cause each points to, and the
 * first step for a failure. The tables are static and read-only, so
 * every worker may use them without a lock. The cause chosen here is the
 * fallback of causes.md step 3b/3c: the reply text's rules come first.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mxtally/cause.h"

struct basic_code {
	int		 code;
	int		 cause;		/* CAUSE_NONE for success replies */
	const char	*meaning;
	const char	*advice;	/* NULL for success replies */
};

/*
 * 521 and 556 (RFC 7504) say the host or domain takes no mail at all;
 * the sender meets the same dead end as with a domain that has no mail
 * host, and the first step (check the domain) is the same, so both
 * count as dns_failure. 455 and 555 are about MAIL/RCPT parameters:
 * protocol_error. 432, 534 and 538 are RFC 4954 AUTH failures.
 */
static const struct basic_code basic[] = {
	{ 211, CAUSE_NONE, "system status: the server reports its state "
	    "or answers a help request", NULL },
	{ 214, CAUSE_NONE, "help message, meant for a human reader", NULL },
	{ 220, CAUSE_NONE, "the service is ready: the greeting that opens "
	    "a session", NULL },
	{ 221, CAUSE_NONE, "the server is closing the connection "
	    "normally, at the end of a session", NULL },
	{ 235, CAUSE_NONE, "authentication succeeded", NULL },
	{ 250, CAUSE_NONE, "the requested action was completed", NULL },
	{ 251, CAUSE_NONE, "the user is not local; the server will "
	    "forward the message", NULL },
	{ 252, CAUSE_NONE, "the server cannot verify the user (VRFY) but "
	    "will accept the message and try to deliver it", NULL },
	{ 334, CAUSE_NONE, "authentication challenge: the server waits "
	    "for the client's next AUTH step", NULL },
	{ 354, CAUSE_NONE, "start mail input: the client sends the message "
	    "and ends it with a line holding a single dot", NULL },
	{ 421, CAUSE_SERVICE_UNAVAILABLE, "service not available: the "
	    "server is closing the channel (overloaded, shutting down or "
	    "timed out)",
	    "Check whether the server is overloaded, restarting or limiting "
	    "connections; queued mail is retried by itself." },
	{ 432, CAUSE_AUTH_FAILURE, "a password transition is needed before "
	    "this login can be used",
	    "Have the user change or re-enter the password, then log in "
	    "again." },
	{ 450, CAUSE_NONE, "mailbox unavailable for now: it is "
	    "locked or busy (some servers also send it for greylisting)",
	    "Retry later; if it persists, find the process holding the "
	    "mailbox lock or read the reply text for a policy check." },
	{ 451, CAUSE_SERVER_ERROR, "action aborted by a local error in "
	    "processing on the server",
	    "Read the server's error log at that time (content filter, "
	    "delivery agent, lookup table); the sender will retry." },
	{ 452, CAUSE_SYSTEM_STORAGE, "insufficient system storage: the "
	    "server lacks the space to take the message now",
	    "Check free space on the queue and spool file systems (df) "
	    "and free or add space." },
	{ 454, CAUSE_AUTH_FAILURE, "temporary authentication failure: the "
	    "server could not check the credentials right now",
	    "Check that the authentication backend (SASL daemon, LDAP, "
	    "database) is running and reachable." },
	{ 455, CAUSE_PROTOCOL_ERROR, "the server cannot accommodate the "
	    "MAIL or RCPT parameters right now",
	    "Retry later; if it persists, check which parameters the "
	    "client sends." },
	{ 500, CAUSE_PROTOCOL_ERROR, "syntax error: the command was not "
	    "recognised (or the line was too long)",
	    "See which client sends it; non-SMTP traffic on the port "
	    "(scanners, HTTP) is common and harmless." },
	{ 501, CAUSE_PROTOCOL_ERROR, "syntax error in the command's "
	    "parameters or arguments",
	    "Check the argument the client sent, often a malformed "
	    "address in MAIL FROM or RCPT TO." },
	{ 502, CAUSE_PROTOCOL_ERROR, "the command is not implemented by "
	    "this server",
	    "Check the client configuration: it uses a command or "
	    "extension this server does not offer." },
	{ 503, CAUSE_PROTOCOL_ERROR, "bad sequence of commands: the "
	    "command came in the wrong order",
	    "Check the client's command order; often it sends mail "
	    "before logging in or before HELO." },
	{ 504, CAUSE_PROTOCOL_ERROR, "a command parameter is not "
	    "implemented (for example an unknown AUTH mechanism)",
	    "Check the client configuration for an option or mechanism "
	    "the server does not offer." },
	{ 521, CAUSE_DNS_FAILURE, "this host does not accept mail at all",
	    "Check the recipient's domain for a typo; the destination "
	    "declares that it takes no mail." },
	{ 530, CAUSE_AUTH_FAILURE, "authentication required: the client "
	    "must log in (often over TLS) first",
	    "Configure the client to use SMTP AUTH, over TLS if the "
	    "server asks for it." },
	{ 534, CAUSE_AUTH_FAILURE, "the authentication mechanism is too "
	    "weak for this server",
	    "Configure the client to use a stronger mechanism, or TLS." },
	{ 535, CAUSE_AUTH_FAILURE, "authentication failed: the credentials "
	    "were not accepted",
	    "Check the user name and password stored in the client; many "
	    "failures from one IP mean password guessing." },
	{ 538, CAUSE_AUTH_FAILURE, "encryption is required for the "
	    "requested authentication mechanism",
	    "Configure the client to use STARTTLS or implicit TLS before "
	    "logging in." },
	{ 550, CAUSE_NONE, "mailbox unavailable: not found, no "
	    "access, or refused by policy",
	    "Read the reply text: for an unknown user check the address, "
	    "for a refusal see which policy check fired." },
	{ 551, CAUSE_NOT_LOCAL, "user not local: the server does not "
	    "handle this recipient and may name a forward path",
	    "Send to the forward address given in the reply, or fix the "
	    "routing that pointed here." },
	{ 552, CAUSE_QUOTA_EXCEEDED, "exceeded storage allocation: the "
	    "recipient's space is full (some servers also mean the size "
	    "limit)",
	    "Ask the recipient to free space or raise the quota; if the "
	    "text speaks of size, the message is too large." },
	{ 553, CAUSE_INVALID_ADDRESS, "mailbox name not allowed, such as "
	    "an address with bad syntax",
	    "Check the exact address for typos, a missing domain or "
	    "forbidden characters." },
	{ 554, CAUSE_TRANSACTION_FAILED, "transaction failed (as a greeting: "
	    "no SMTP service here)",
	    "Read the full reply text for the reason; ask the remote "
	    "postmaster if it says nothing." },
	{ 555, CAUSE_PROTOCOL_ERROR, "MAIL FROM or RCPT TO parameters not "
	    "recognised or not implemented",
	    "Check the client configuration for an extension the server "
	    "does not offer." },
	{ 556, CAUSE_DNS_FAILURE, "the domain does not accept mail",
	    "Check the recipient's domain for a typo; the domain "
	    "declares that it takes no mail." },
};

#define NBASIC	(sizeof(basic) / sizeof(basic[0]))

/* First and second digit of a basic code, causes.md's wording. */
static const char *const basic_class[10] = {
	NULL,
	"preliminary reply: accepted, waiting for confirmation",
	"success: the action completed",
	"intermediate reply: the server needs more input",
	"temporary failure: trying again later may work",
	"permanent failure: the same request will fail again",
};

static const char *const basic_category[10] = {
	"syntax", "information", "connection", "an unspecified category",
	"an unspecified category", "mail system status",
	"an undefined category", "an undefined category",
	"an undefined category", "an undefined category",
};

static const struct basic_code *
basic_find(int code)
{
	size_t	 i;

	for (i = 0; i < NBASIC; i++)
		if (basic[i].code == code)
			return &basic[i];
	return NULL;
}

int
code_cause_basic(int code)
{
	const struct basic_code	*b = basic_find(code);

	return b != NULL ? b->cause : CAUSE_NONE;
}

char *
code_meaning_basic(int code, char *buf, size_t len)
{
	const struct basic_code	*b;

	if (len == 0)
		return buf;
	if ((b = basic_find(code)) != NULL)
		snprintf(buf, len, "%s", b->meaning);
	else if (code < 100 || code > 999)
		snprintf(buf, len, "not an SMTP reply code: it must have "
		    "three digits");
	else if (basic_class[code / 100] == NULL)
		snprintf(buf, len, "not an SMTP reply code: the first digit "
		    "must be 1 to 5");
	else
		snprintf(buf, len, "unlisted code; by its digits a %s, about "
		    "%s", basic_class[code / 100], basic_category[code / 10 % 10]);
	return buf;
}

const char *
code_advice_basic(int code)
{
	const struct basic_code	*b = basic_find(code);

	if (b != NULL)
		return b->advice;
	if (code >= 400 && code <= 499)
		return "Retry later; if it persists, read the full reply "
		    "text and the server's log for the reason.";
	if (code >= 500 && code <= 599)
		return "Read the full reply text for the reason; the same "
		    "request fails again until that is fixed.";
	return NULL;
}

/*
 * Enhanced codes (RFC 3463 and the IANA registry that extends it). Each
 * subject has a row of details; the cause of a detail not listed is the
 * subject's fallback below.
 */
struct enh_detail {
	const char	*meaning;	/* NULL: not a registered detail */
	int		 cause;
};

#define ENH_DETAILS	31

struct enh_subject {
	const char		*name;
	int			 fallback;	/* cause of unlisted details */
	struct enh_detail	 d[ENH_DETAILS];
};

/*
 * Choices beyond causes.md's evidence column, one per line of thought:
 * - x.0.0, x.1.0, x.2.0, x.7.0 are "other": CAUSE_NONE, the basic code
 *   decides (4.7.0 in particular is sent for rate limits, TLS and
 *   greylisting alike).
 * - x.1.4 (ambiguous address) is an address that cannot be used as
 *   given: invalid_address, like x.1.3. x.6.7 (non-ASCII address not
 *   permitted) is an address the server refuses: invalid_address.
 * - x.1.8 (sender's domain unknown) and x.1.10 (null MX, RFC 7505):
 *   the domain has no mail host, dns_failure like x.1.2.
 * - x.1.5, x.1.9, x.3.6 and x.6.4 are notes, not failures: CAUSE_NONE.
 * - x.2.4 (list expansion failed) is the receiving server failing at
 *   its own work: server_error.
 * - x.3.2 (system not accepting network messages):
 *   service_unavailable; x.3.3 (feature missing) is a capability
 *   mismatch between the peers: protocol_error; x.3.5 (misconfigured):
 *   server_error.
 * - x.6.x (content and conversion) is what the peers can carry, so a
 *   protocol_error, unless listed otherwise.
 * - x.7.x is security or policy: policy_rejection, except the AUTH
 *   failures of RFC 4954 (x.7.8, x.7.9, x.7.11, x.7.12: auth_failure),
 *   x.7.13 (account_disabled), x.7.16 (too big for the priority:
 *   message_too_large), and x.7.17/x.7.18 (the mailbox or domain has a
 *   new owner, so the address no longer reaches the intended person:
 *   unknown_mailbox).
 * - Unknown subjects give CAUSE_NONE.
 */
static const struct enh_subject enh[8] = {
	{ "other", CAUSE_NONE, {
		[0] = { "other or undefined status", CAUSE_NONE },
	} },
	{ "addressing", CAUSE_NONE, {
		[0] = { "other address status", CAUSE_NONE },
		[1] = { "bad destination mailbox: the mailbox does not "
		    "exist", CAUSE_UNKNOWN_MAILBOX },
		[2] = { "bad destination system: the domain or host does "
		    "not exist or takes no mail", CAUSE_DNS_FAILURE },
		[3] = { "bad syntax in the destination address",
		    CAUSE_INVALID_ADDRESS },
		[4] = { "the destination address is ambiguous: it matches "
		    "several mailboxes", CAUSE_INVALID_ADDRESS },
		[5] = { "the destination address is valid", CAUSE_NONE },
		[6] = { "the mailbox has moved and no forwarding address "
		    "is known", CAUSE_NOT_LOCAL },
		[7] = { "bad syntax in the sender's address",
		    CAUSE_INVALID_ADDRESS },
		[8] = { "bad sender's system: the sender's domain does "
		    "not exist", CAUSE_DNS_FAILURE },
		[9] = { "relayed to a mailer that cannot report delivery "
		    "status", CAUSE_NONE },
		[10] = { "the recipient domain publishes a null MX: it "
		    "takes no mail", CAUSE_DNS_FAILURE },
	} },
	{ "mailbox", CAUSE_NONE, {
		[0] = { "other mailbox status", CAUSE_NONE },
		[1] = { "the mailbox is disabled and accepts no messages",
		    CAUSE_ACCOUNT_DISABLED },
		[2] = { "the mailbox is full", CAUSE_QUOTA_EXCEEDED },
		[3] = { "the message exceeds the mailbox's administrative "
		    "size limit", CAUSE_MESSAGE_TOO_LARGE },
		[4] = { "a mailing list could not be expanded",
		    CAUSE_SERVER_ERROR },
	} },
	{ "mail system", CAUSE_NONE, {
		[0] = { "other mail system status", CAUSE_SERVER_ERROR },
		[1] = { "the mail system is full: no storage left",
		    CAUSE_SYSTEM_STORAGE },
		[2] = { "the system is not accepting network messages",
		    CAUSE_SERVICE_UNAVAILABLE },
		[3] = { "the system lacks a feature the message needs",
		    CAUSE_PROTOCOL_ERROR },
		[4] = { "the message is too big for the system",
		    CAUSE_MESSAGE_TOO_LARGE },
		[5] = { "the system is incorrectly configured",
		    CAUSE_SERVER_ERROR },
		[6] = { "the requested priority was changed", CAUSE_NONE },
	} },
	{ "network and routing", CAUSE_SERVICE_UNAVAILABLE, {
		[0] = { "other network or routing status",
		    CAUSE_SERVICE_UNAVAILABLE },
		[1] = { "no answer from the host",
		    CAUSE_SERVICE_UNAVAILABLE },
		[2] = { "the connection went bad",
		    CAUSE_SERVICE_UNAVAILABLE },
		[3] = { "a directory server (such as DNS) failed",
		    CAUSE_DNS_FAILURE },
		[4] = { "unable to route: no usable mail host for the "
		    "destination", CAUSE_DNS_FAILURE },
		[5] = { "the mail system is congested",
		    CAUSE_SERVICE_UNAVAILABLE },
		[6] = { "a routing loop was detected",
		    CAUSE_SERVICE_UNAVAILABLE },
		[7] = { "delivery time expired: the message waited in the "
		    "queue too long", CAUSE_EXPIRED },
	} },
	{ "mail delivery protocol", CAUSE_PROTOCOL_ERROR, {
		[0] = { "other protocol status", CAUSE_PROTOCOL_ERROR },
		[1] = { "invalid command", CAUSE_PROTOCOL_ERROR },
		[2] = { "syntax error", CAUSE_PROTOCOL_ERROR },
		[3] = { "too many recipients", CAUSE_PROTOCOL_ERROR },
		[4] = { "invalid command arguments", CAUSE_PROTOCOL_ERROR },
		[5] = { "wrong protocol version", CAUSE_PROTOCOL_ERROR },
		[6] = { "the authentication exchange line is too long",
		    CAUSE_PROTOCOL_ERROR },
	} },
	{ "message content or media", CAUSE_PROTOCOL_ERROR, {
		[0] = { "other media error", CAUSE_PROTOCOL_ERROR },
		[1] = { "the media type is not supported",
		    CAUSE_PROTOCOL_ERROR },
		[2] = { "a conversion is required but prohibited",
		    CAUSE_PROTOCOL_ERROR },
		[3] = { "a conversion is required but not supported",
		    CAUSE_PROTOCOL_ERROR },
		[4] = { "a conversion was done with loss of content",
		    CAUSE_NONE },
		[5] = { "the conversion failed", CAUSE_PROTOCOL_ERROR },
		[6] = { "the message content is not available",
		    CAUSE_PROTOCOL_ERROR },
		[7] = { "non-ASCII addresses are not permitted for that "
		    "sender or recipient", CAUSE_INVALID_ADDRESS },
		[8] = { "a UTF-8 reply is required but the client does "
		    "not permit it", CAUSE_PROTOCOL_ERROR },
		[9] = { "a UTF-8 header message cannot be passed on to a "
		    "recipient", CAUSE_PROTOCOL_ERROR },
	} },
	{ "security or policy", CAUSE_POLICY_REJECTION, {
		[0] = { "other security or policy status", CAUSE_NONE },
		[1] = { "delivery not authorised: the message was refused "
		    "by policy", CAUSE_POLICY_REJECTION },
		[2] = { "mailing list expansion is prohibited",
		    CAUSE_POLICY_REJECTION },
		[3] = { "a security conversion is required but not "
		    "possible", CAUSE_POLICY_REJECTION },
		[4] = { "security features are not supported",
		    CAUSE_POLICY_REJECTION },
		[5] = { "a cryptographic operation failed",
		    CAUSE_POLICY_REJECTION },
		[6] = { "the cryptographic algorithm is not supported",
		    CAUSE_POLICY_REJECTION },
		[7] = { "the message integrity check failed",
		    CAUSE_POLICY_REJECTION },
		[8] = { "authentication credentials are invalid",
		    CAUSE_AUTH_FAILURE },
		[9] = { "the authentication mechanism is too weak",
		    CAUSE_AUTH_FAILURE },
		[10] = { "encryption is needed", CAUSE_POLICY_REJECTION },
		[11] = { "encryption is required for the requested "
		    "authentication mechanism", CAUSE_AUTH_FAILURE },
		[12] = { "a password transition is needed",
		    CAUSE_AUTH_FAILURE },
		[13] = { "the user account is disabled",
		    CAUSE_ACCOUNT_DISABLED },
		[14] = { "a trust relationship is required",
		    CAUSE_POLICY_REJECTION },
		[15] = { "the priority level is too low",
		    CAUSE_POLICY_REJECTION },
		[16] = { "the message is too big for the requested "
		    "priority", CAUSE_MESSAGE_TOO_LARGE },
		[17] = { "the mailbox has changed owner",
		    CAUSE_UNKNOWN_MAILBOX },
		[18] = { "the domain has changed owner",
		    CAUSE_UNKNOWN_MAILBOX },
		[19] = { "the required-recipient-valid-since test could "
		    "not be completed", CAUSE_POLICY_REJECTION },
		[20] = { "no passing DKIM signature was found",
		    CAUSE_POLICY_REJECTION },
		[21] = { "no acceptable DKIM signature was found",
		    CAUSE_POLICY_REJECTION },
		[22] = { "no valid author-matched DKIM signature was "
		    "found", CAUSE_POLICY_REJECTION },
		[23] = { "SPF validation failed", CAUSE_POLICY_REJECTION },
		[24] = { "SPF validation error", CAUSE_POLICY_REJECTION },
		[25] = { "reverse DNS validation failed",
		    CAUSE_POLICY_REJECTION },
		[26] = { "multiple authentication checks failed",
		    CAUSE_POLICY_REJECTION },
		[27] = { "the sender's domain publishes a null MX",
		    CAUSE_POLICY_REJECTION },
		[29] = { "ARC validation failed", CAUSE_POLICY_REJECTION },
		[30] = { "REQUIRETLS support is required",
		    CAUSE_POLICY_REJECTION },
	} },
};

#define NSUBJECTS	(int)(sizeof(enh) / sizeof(enh[0]))

static const struct enh_detail *
enh_find(int subject, int detail)
{
	const struct enh_detail	*d;

	if (subject < 0 || subject >= NSUBJECTS || detail < 0 ||
	    detail >= ENH_DETAILS)
		return NULL;
	d = &enh[subject].d[detail];
	return d->meaning != NULL ? d : NULL;
}

int
code_cause_enhanced(int cls, int subject, int detail)
{
	const struct enh_detail	*d;

	if (cls != 4 && cls != 5)
		return CAUSE_NONE;	/* success or not a class */
	if ((d = enh_find(subject, detail)) != NULL)
		return d->cause;
	if (subject < 0 || subject >= NSUBJECTS)
		return CAUSE_NONE;
	return enh[subject].fallback;
}

static const char *
enh_class(int cls)
{
	switch (cls) {
	case 2:
		return "success";
	case 4:
		return "temporary failure (persistent transient: a later "
		    "retry may work)";
	case 5:
		return "permanent failure (a retry fails the same way)";
	default:
		return NULL;
	}
}

char *
code_meaning_enhanced(int cls, int subject, int detail, char *buf,
    size_t len)
{
	const struct enh_detail	*d;
	const char		*c = enh_class(cls);

	if (len == 0)
		return buf;
	if (c == NULL)
		snprintf(buf, len, "not an enhanced status code: class %d "
		    "is not defined (only 2, 4 and 5 are)", cls);
	else if (subject < 0 || subject >= NSUBJECTS)
		snprintf(buf, len, "%s; subject %d is not defined, so "
		    "detail %d says nothing more", c, subject, detail);
	else if ((d = enh_find(subject, detail)) == NULL)
		snprintf(buf, len, "%s; %s: detail %d is not a registered "
		    "code", c, enh[subject].name, detail);
	else
		snprintf(buf, len, "%s; %s: %s", c, enh[subject].name,
		    d->meaning);
	return buf;
}

struct resp_code {
	const char	*name;
	int		 cause;
	const char	*meaning;
};

/*
 * POP3 (RFC 2449, 3206) and IMAP (RFC 3501, 5530, 4469) response codes.
 * Choices not in causes.md: AUTHORIZATIONFAILED is a login that may not
 * act as the requested user, an auth_failure; PRIVACYREQUIRED (TLS
 * required) and NOPERM (no ACL right) are local policy; CANNOT and
 * ALREADYEXISTS are requests that can never work as sent, like a bad
 * command: protocol_error; TRYCREATE names a missing mailbox like
 * NONEXISTENT; TOOBIG is message_too_large. PARSE (a stored message's
 * headers do not parse) fits no cause, and ALERT and READ-ONLY are not
 * failures: CAUSE_NONE.
 */
static const struct resp_code resp[] = {
	{ "IN-USE", CAUSE_LOCK_CONTENTION, "the mailbox is in use: another "
	    "session holds its lock (temporary, try again later)" },
	{ "LOGIN-DELAY", CAUSE_RATE_LIMITED, "login too soon: the server "
	    "enforces a minimum delay between logins (temporary)" },
	{ "SYS/TEMP", CAUSE_SERVER_ERROR, "a temporary problem on the "
	    "server, not the user's fault; a later retry may work" },
	{ "SYS/PERM", CAUSE_SERVER_ERROR, "a lasting problem on the server, "
	    "not the user's fault; retrying will not help until it is "
	    "fixed" },
	{ "SYS", CAUSE_SERVER_ERROR, "a problem on the server, not the "
	    "user's fault" },
	{ "AUTH", CAUSE_AUTH_FAILURE, "the credentials were refused: the "
	    "login name or password is wrong, not the server" },
	{ "UNAVAILABLE", CAUSE_SERVICE_UNAVAILABLE, "a subsystem the "
	    "server needs (such as the authentication backend) is down "
	    "for now" },
	{ "AUTHENTICATIONFAILED", CAUSE_AUTH_FAILURE, "authentication "
	    "failed: wrong password or unknown login" },
	{ "AUTHORIZATIONFAILED", CAUSE_AUTH_FAILURE, "the credentials are "
	    "valid but may not be used to act as the requested user" },
	{ "EXPIRED", CAUSE_ACCOUNT_DISABLED, "the credentials or the "
	    "account have expired" },
	{ "PRIVACYREQUIRED", CAUSE_POLICY_REJECTION, "the operation needs "
	    "an encrypted connection (TLS) first" },
	{ "CONTACTADMIN", CAUSE_ACCOUNT_DISABLED, "the user must contact "
	    "the administrator before logging in (the account is held)" },
	{ "NOPERM", CAUSE_POLICY_REJECTION, "the user lacks the rights "
	    "(ACL) for that mailbox or operation" },
	{ "INUSE", CAUSE_LOCK_CONTENTION, "another session is using the "
	    "mailbox, so the operation cannot run now (temporary)" },
	{ "EXPUNGEISSUED", CAUSE_NO_SUCH_MESSAGE, "some of the requested "
	    "messages were expunged by another session" },
	{ "CORRUPTION", CAUSE_SERVER_ERROR, "the server found corrupt data "
	    "in the mailbox" },
	{ "SERVERBUG", CAUSE_SERVER_ERROR, "the server hit an internal bug" },
	{ "CLIENTBUG", CAUSE_PROTOCOL_ERROR, "the server judged that the "
	    "client sent something wrong" },
	{ "CANNOT", CAUSE_PROTOCOL_ERROR, "the operation can never succeed "
	    "on this server as requested" },
	{ "LIMIT", CAUSE_RATE_LIMITED, "a server limit was reached (too "
	    "many messages, mailboxes or sessions)" },
	{ "OVERQUOTA", CAUSE_QUOTA_EXCEEDED, "the user's storage quota is "
	    "full" },
	{ "ALREADYEXISTS", CAUSE_PROTOCOL_ERROR, "the mailbox to create or "
	    "rename to already exists" },
	{ "NONEXISTENT", CAUSE_UNKNOWN_MAILBOX, "the mailbox named does not "
	    "exist" },
	{ "TRYCREATE", CAUSE_UNKNOWN_MAILBOX, "the target mailbox does not "
	    "exist; the client may create it and try again" },
	{ "TOOBIG", CAUSE_MESSAGE_TOO_LARGE, "the message is too big for "
	    "the server" },
	{ "BADCHARSET", CAUSE_PROTOCOL_ERROR, "the search used a character "
	    "set the server does not support" },
	{ "PARSE", CAUSE_NONE, "the headers of a stored message could not "
	    "be parsed" },
	{ "ALERT", CAUSE_NONE, "a message the server wants shown to the "
	    "user" },
	{ "READ-ONLY", CAUSE_NONE, "the mailbox was opened read-only" },
};

#define NRESP	(sizeof(resp) / sizeof(resp[0]))

/*
 * Looks up a response code. IMAP codes may carry arguments after a
 * space ("BADCHARSET (UTF-8)"); POP3 codes are hierarchical, so an
 * unknown "SYS/TEMP/DISK" falls back to "SYS/TEMP", then "SYS".
 */
static const struct resp_code *
resp_find(const char *code, size_t len)
{
	const char	*sp;
	size_t		 i;

	if (code == NULL)
		return NULL;
	if ((sp = memchr(code, ' ', len)) != NULL)
		len = (size_t)(sp - code);
	while (len > 0) {
		for (i = 0; i < NRESP; i++)
			if (strlen(resp[i].name) == len &&
			    strncasecmp(resp[i].name, code, len) == 0)
				return &resp[i];
		while (len > 0 && code[len - 1] != '/')
			len--;
		if (len > 0)
			len--;		/* drop the '/' */
	}
	return NULL;
}

int
code_cause_resp(const char *code, size_t len)
{
	const struct resp_code	*r = resp_find(code, len);

	return r != NULL ? r->cause : CAUSE_NONE;
}

const char *
code_meaning_resp(const char *code, size_t len)
{
	const struct resp_code	*r = resp_find(code, len);

	return r != NULL ? r->meaning : NULL;
}
