/*
 * Zimbra Collaboration: the mailbox server's log4j files, which have no
 * syslog header and are found by sniff. Layout (log4j "%d %-5p [%t] [%z]
 * %c{1} - %m"):
 *
 *   2026-11-21 10:00:00,123 INFO  [ImapServer-1] [name=u@x;ip=1.2.3.4;] imap - text
 *
 * that is a stamp with milliseconds after ',' (time_parse takes them),
 * the level padded to five, the thread in brackets, the context in
 * brackets ("key=value;" pairs, may be "[]"), the logger's last name,
 * " - " and the text. mailbox.log carries every logger; audit.log
 * carries the "security" logger.
 *
 * Counted, one event per line:
 *  - mailbox.log, loggers "imap" and "pop": a text that contains
 *    "authentication failed for [u@x], reason". The user is u@x; a
 *    reason of "account not found" is unknown_mailbox (the login names
 *    no account), any other reason is left to the rules on the whole
 *    text ("invalid password" and the like are auth_failure).
 *  - audit.log, logger "security": "cmd=Auth; account=u@x;
 *    protocol=imap; error=authentication failed for [u@x], invalid
 *    password;": the error's text, read as above; the user is account=,
 *    the protocol is protocol= (imap, pop3; soap and http, the web
 *    client, have none).
 *  - any logger, level WARN, ERROR or INFO: a text with "uota exceeded"
 *    ("quota exceeded", "Quota exceeded"): quota_exceeded, the user from
 *    the context's name=.
 * The client is the context's oip= (the client behind a proxy) or ip=.
 *
 * Assumptions, as far as the formats are known here: the failure texts
 * are the ones above, with the login in brackets; one stack trace line
 * after an exception has no stamp and is unparsed, as for every family.
 * mailbox.log and audit.log can both report one failed login: give
 * either for logins, not both, or each counts twice.
 */
#include <string.h>

#include "mxtally/cause.h"
#include "parse_int.h"

static int
zimbra_owns(struct slice prog)
{
	(void)prog;
	return 0;
}

/* The level word at msg and the spaces after it: their length, or 0. */
static size_t
level_len(struct slice msg)
{
	size_t	 n;

	if (msg.len < 8)
		return 0;
	switch (msg.p[0]) {
	case 'I':
		n = memcmp(msg.p, "INFO ", 5) == 0 ? 5 : 0;
		break;
	case 'W':
		n = memcmp(msg.p, "WARN ", 5) == 0 ? 5 : 0;
		break;
	case 'E':
		n = memcmp(msg.p, "ERROR ", 6) == 0 ? 6 : 0;
		break;
	case 'D':
		n = memcmp(msg.p, "DEBUG ", 6) == 0 ? 6 : 0;
		break;
	case 'F':
		n = memcmp(msg.p, "FATAL ", 6) == 0 ? 6 : 0;
		break;
	case 'T':
		n = memcmp(msg.p, "TRACE ", 6) == 0 ? 6 : 0;
		break;
	default:
		return 0;
	}
	while (n > 0 && n < msg.len && msg.p[n] == ' ')
		n++;
	return n;
}

/*
 * A stamp-only line (no host, no program) whose message is a log4j
 * level and then '[': Exim's mainlog has a message id or a word there,
 * never an upper-case level and a bracket.
 */
static int
zimbra_sniff(const struct logline *ll)
{
	size_t	 n;

	if (ll->host.len > 0 || (n = level_len(ll->msg)) == 0)
		return 0;
	return n < ll->msg.len && ll->msg.p[n] == '[';
}

/* The value of "key=" in a ';'-separated list, or SLICE_NULL. */
static struct slice
semi_value(struct slice s, const char *key, size_t klen)
{
	const char	*p = s.p;

	for (;;) {
		if ((p = slice_find(slice_from(s, p), key, klen)) == NULL)
			return SLICE_NULL;
		if (p == s.p || p[-1] == ';' || p[-1] == ' ' || p[-1] == '[')
			break;
		p += klen;
	}
	return field_until(slice_from(s, p), key, klen, ';');
}
#define SEMI(s, key)	semi_value((s), (key), sizeof(key) - 1)

/* "authentication failed for [u], reason" at p in text. */
static int
zimbra_auth(struct slice text, const char *p, struct event *ev)
{
	struct slice	 rest = slice_from(text, p + 26), who;

	who = field_until(rest, "[", 1, ']');
	if (who.len > 0)
		ev->user = who;
	ev->hint = CAUSE_AUTH_FAILURE;	/* "account not found": classify */
	ev->text = text;
	ev->dir = DIR_TO_CLIENT;
	return 1;
}

static int
proto_of(struct slice name)
{
	if (SLICE_STARTS(name, "imap"))
		return PROTO_IMAP;
	if (SLICE_STARTS(name, "pop"))
		return PROTO_POP3;
	if (SLICE_STARTS(name, "lmtp"))
		return PROTO_LMTP;
	return PROTO_NONE;
}

/* msg after the level: context, logger and text; 1 if they are there. */
static int
zimbra_split(struct slice msg, struct slice *ctx, struct slice *logger,
    struct slice *text)
{
	const char	*end = msg.p + msg.len, *p, *q;

	/* the thread "[...]" (may hold ':' and '/', not "] [") */
	if ((p = SLICE_FIND(msg, "] [")) == NULL)
		return 0;
	p += 3;
	if ((q = SLICE_FIND(slice_from(msg, p), "] ")) == NULL)
		return 0;
	*ctx = slice_make(p, q);
	p = q + 2;
	if ((q = SLICE_FIND(slice_from(msg, p), " - ")) == NULL)
		return 0;
	*logger = slice_make(p, q);
	*text = slice_make(q + 3, end);
	return 1;
}

static int
zimbra_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg, ctx, logger, text, v;
	const char	*p;
	size_t		 n = level_len(msg);

	if (n == 0 || !zimbra_split(slice_from(msg, msg.p + n), &ctx,
	    &logger, &text))
		return 0;
	ev->client = SEMI(ctx, "oip=");
	if (ev->client.len == 0)
		ev->client = SEMI(ctx, "ip=");
	ev->user = SEMI(ctx, "name=");
	if (SLICE_EQ(logger, "security")) {
		if (!SLICE_STARTS(text, "cmd=Auth;") ||
		    (v = SEMI(text, "error=")).len == 0 ||
		    (p = SLICE_FIND(v, "authentication failed for ")) == NULL)
			return 0;
		ev->proto = (uint8_t)proto_of(SEMI(text, "protocol="));
		ev->user = SEMI(text, "account=");
		return zimbra_auth(v, p, ev);
	}
	if ((SLICE_EQ(logger, "imap") || SLICE_EQ(logger, "pop")) &&
	    (p = SLICE_FIND(text, "authentication failed for ")) != NULL) {
		ev->proto = (uint8_t)proto_of(logger);
		return zimbra_auth(text, p, ev);
	}
	if (msg.p[0] != 'D' && msg.p[0] != 'T' && msg.p[0] != 'F' &&
	    SLICE_FIND(text, "uota exceeded") != NULL) {
		ev->proto = (uint8_t)proto_of(logger);
		ev->hint = CAUSE_QUOTA_EXCEEDED;
		ev->text = text;
		return 1;
	}
	return 0;
}

const struct parser parser_zimbra = {
	.name = "zimbra",
	.first = ',',		/* never a program's first byte: sniff only */
	.owns = zimbra_owns,
	.sniff = zimbra_sniff,
	.parse = zimbra_parse,
};
