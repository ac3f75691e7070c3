/*
 * Cyrus IMAP: the imapd/pop3d/lmtpd/timsieved services, logging as
 * "cyrus/imap", "cyrus/pop3s", "imap", "lmtpunix", "sieve", "timsieved",
 * ... or (through the Courier family, which owns the shared names)
 * "imapd" and "pop3d".
 *
 * Counted, one event per line:
 *  - "badlogin: host [ip] MECH user SASL(-13): authentication failure:
 *    ..." (Cyrus 3 writes the user as "(bob)") and "badlogin: host [ip]
 *    MECH [SASL(-13): ...]" (no user): the failed login the client was
 *    told of. The SASL text decides between auth_failure and
 *    unknown_mailbox ("user not found"), as Dovecot's "unknown user"
 *    does.
 *  - "verify_user(user.bob) failed: Over quota" (or "Mailbox does not
 *    exist"): lmtpd's refusal of a recipient, sent to the LMTP client.
 *  - "IOERROR: ...": the server failed; the client got a NO or 4xx for
 *    it. The text's rules come first (a full disk is system_storage),
 *    else it counts as server_error (response code SERVERBUG).
 *  - lmtpd's other "...: Over quota" lines.
 * "login: host [ip] user mech User logged in" is a successful IMAP or
 * POP3 login (traffic). Not counted: "DBERROR", "Fatal error".
 */
#include <string.h>

#include "mxtally/cause.h"
#include "parse_int.h"

/* "cyrus/imap" -> "imap"; then the service decides. */
static struct slice
service(struct slice prog)
{
	if (SLICE_STARTS(prog, "cyrus/"))
		return slice_make(prog.p + 6, prog.p + prog.len);
	return prog;
}

static int
cyrus_owns(struct slice prog)
{
	struct slice	 s;

	switch (prog.p[0]) {
	case 'c':
		return SLICE_STARTS(prog, "cyrus/");
	case 'i':
		return SLICE_EQ(prog, "imap") || SLICE_EQ(prog, "imaps");
	case 'p':
		return SLICE_EQ(prog, "pop3") || SLICE_EQ(prog, "pop3s");
	case 'l':
		s = prog;
		return SLICE_EQ(s, "lmtp") || SLICE_EQ(s, "lmtpd") ||
		    SLICE_EQ(s, "lmtpunix");
	case 's':			/* timsieved, as some set-ups name it */
		return SLICE_EQ(prog, "sieve");
	case 't':
		return SLICE_EQ(prog, "timsieved");
	}
	return 0;
}

static int
proto_of(struct slice prog)
{
	struct slice	 s = service(prog);

	if (SLICE_STARTS(s, "imap"))
		return PROTO_IMAP;
	if (SLICE_STARTS(s, "pop3"))
		return PROTO_POP3;
	if (SLICE_STARTS(s, "lmtp"))
		return PROTO_LMTP;
	return PROTO_NONE;
}

/* "user.bob.Sent", "user/bob/", "user.bob@example.com": "bob". */
static struct slice
mailbox_user(struct slice s)
{
	const char	*p = SLICE_FIND(s, "user"), *end = s.p + s.len, *q;

	while (p != NULL && (p + 5 > end || (p[4] != '.' && p[4] != '/') ||
	    (p > s.p && p[-1] != '/' && p[-1] != '(' && p[-1] != ' ' &&
	    p[-1] != '\'' && p[-1] != '!')))
		p = slice_find(slice_make(p + 4, end), "user", 4);
	if (p == NULL)
		return SLICE_NULL;
	for (p += 5, q = p; q < end && *q != '.' && *q != '/' && *q != ' ' &&
	    *q != ')' && *q != ':' && *q != '\'' && *q != ','; q++)
		;
	return slice_make(p, q);
}

/* "badlogin: host [ip] MECH [user] text" */
static int
cyrus_badlogin(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg;
	const char	*end = msg.p + msg.len, *b, *e, *p, *q;

	b = memchr(msg.p, '[', msg.len);
	e = b ? memchr(b, ']', (size_t)(end - b)) : NULL;
	if (e == NULL)
		return 0;
	ev->proto = (uint8_t)proto_of(ll->program);
	ev->dir = DIR_TO_CLIENT;
	ev->client = slice_make(b + 1, e);
	/* "badlogin: name [ip] ...": the name before " [" */
	if (b - 1 > msg.p && b[-1] == ' ') {
		const char *n = b - 1;
		while (n > msg.p && n[-1] != ' ')
			n--;
		if (n < b - 1 && n[0] != '[')
			ev->cname = slice_make(n, b - 1);
	}
	/* the mechanism, then a user unless the SASL text follows */
	for (p = e + 1; p < end && *p == ' '; p++)
		;
	p = memchr(p, ' ', (size_t)(end - p));
	p = p ? p + 1 : end;
	if (p < end && *p != '[' && !SLICE_STARTS(slice_make(p, end), "SASL(")) {
		q = memchr(p, ' ', (size_t)(end - p));
		ev->user = slice_make(p, q ? q : end);
		/* Cyrus 3 writes "(bob)": the user is bob */
		if (ev->user.len > 2 && ev->user.p[0] == '(' &&
		    ev->user.p[ev->user.len - 1] == ')') {
			ev->user.p++;
			ev->user.len -= 2;
		}
		p = q ? q + 1 : end;
	}
	if (p < end && *p == '[') {
		p++;
		if (end[-1] == ']')
			end--;
	}
	ev->text = slice_make(p, end);
	login_resp(ev);
	return 1;
}

static int
cyrus_failure(const struct logline *ll, struct slice text, struct event *ev)
{
	ev->proto = (uint8_t)proto_of(ll->program);
	ev->dir = DIR_TO_CLIENT;
	ev->user = mailbox_user(slice_make(ll->msg.p, text.p));
	if (ev->user.len == 0)
		ev->user = mailbox_user(text);
	ev->text = text;
	return 1;
}

/*
 * Anchored on the message's first word: "badlogin: ", "IOERROR: ",
 * "verify_user("; only lmtpd lines are searched for "Over quota".
 */
static int
cyrus_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg;
	const char	*p;

	if (msg.len < 10)
		return 0;
	switch (msg.p[0]) {
	case 'l':
		/* "login: host [ip] user mech User logged in ..." */
		if (!SLICE_STARTS(msg, "login: ") ||
		    SLICE_FIND(msg, "] ") == NULL ||
		    SLICE_FIND(msg, " User logged in") == NULL)
			return 0;
		ev->proto = (uint8_t)proto_of(ll->program);
		if (ev->proto == PROTO_IMAP || ev->proto == PROTO_POP3)
			ev->tkind = TR_LOGIN_OK;	/* traffic, no event */
		return 0;
	case 'b':
		return SLICE_STARTS(msg, "badlogin: ") ?
		    cyrus_badlogin(ll, ev) : 0;
	case 'I':
		if (!SLICE_STARTS(msg, "IOERROR: "))
			return 0;
		memcpy(ev->resp, "SERVERBUG", 10);
		return cyrus_failure(ll, slice_from(msg, msg.p + 9), ev);
	case 'v':
		if (!SLICE_STARTS(msg, "verify_user(") ||
		    (p = SLICE_FIND(msg, ") failed: ")) == NULL)
			return 0;
		return cyrus_failure(ll, slice_from(msg, p + 10), ev);
	}
	if (proto_of(ll->program) == PROTO_LMTP &&
	    (p = SLICE_FIND(msg, ": Over quota")) != NULL)
		return cyrus_failure(ll, slice_from(msg, p + 2), ev);
	return 0;
}

const struct parser parser_cyrus = {
	.name = "cyrus",
	.first = 0,		/* "cyrus/...", "imap", "pop3", "lmtpd" */
	.owns = cyrus_owns,
	.parse = cyrus_parse,
};
