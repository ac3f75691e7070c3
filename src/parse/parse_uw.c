/*
 * UW imapd and ipop3d (University of Washington IMAP toolkit): "Login
 * failed user=u auth=a host=name [ip]", the lock messages of its mailbox
 * drivers, and "Failed ... override of user=u". UW's imapd logs as
 * "imapd", a name Courier and Cyrus share, so the Courier family owns it
 * and hands us the lines it does not know; "ipop3d" is ours alone.
 *
 * Counted, one event per line:
 *  - "Login failed user=...": a failed login (auth_failure).
 *  - "Login excessive login failures user=...": the last failed login
 *    of a session, after which the server hangs up (auth_failure; the
 *    earlier attempts have their own "Login failed" lines).
 *  - "Login disabled user=...": plain-text login refused on this
 *    connection (policy_rejection).
 *  - "Failed <name> override of user=u": an administrator login that
 *    failed (auth_failure).
 *  - "AUTHENTICATE <mech> failure host=...", and in older releases
 *    "Authentication failure host=..." or, for the last attempt,
 *    "Excessive authentication failures host=...": a failed AUTHENTICATE
 *    (auth_failure; no user is logged).
 *  - "Mailbox lock file ... open failure", "Unable to lock ...", "Mailbox
 *    is locked ...", "Can't get lock ...": the session could not lock the
 *    mailbox (lock_contention).
 * Not counted: "Autologout", "Command stream end of file", "Logout".
 */
#include <string.h>

#include "mxtally/cause.h"
#include "parse_int.h"

static int
uw_owns(struct slice prog)
{
	return SLICE_EQ(prog, "ipop3d");
}

static int
proto_of(struct slice prog)
{
	if (SLICE_STARTS(prog, "ipop3") || SLICE_STARTS(prog, "pop3"))
		return PROTO_POP3;
	return PROTO_IMAP;
}

/* "host=name [ip]" or "host=[ip]": the ip; the name into ev. */
static struct slice
uw_client(struct slice msg, struct event *ev)
{
	const char	*h = SLICE_FIND(msg, "host="), *end = msg.p + msg.len;
	const char	*b, *e;

	if (h == NULL || (b = memchr(h, '[', (size_t)(end - h))) == NULL ||
	    (e = memchr(b, ']', (size_t)(end - b))) == NULL)
		return SLICE_NULL;
	if (b - (h + 5) > 1 && b[-1] == ' ')
		ev->cname = slice_make(h + 5, b - 1);
	return slice_make(b + 1, e);
}

static int
uw_event(const struct logline *ll, int cause, size_t textlen,
    struct event *ev)
{
	struct slice	 msg = ll->msg;
	const char	*u = SLICE_FIND(msg, "user="), *end = msg.p + msg.len, *q;

	ev->proto = (uint8_t)proto_of(ll->program);
	ev->dir = DIR_TO_CLIENT;
	ev->hint = (int16_t)cause;
	if (u != NULL) {
		for (u += 5, q = u; q < end && *q != ' '; q++)
			;
		ev->user = slice_make(u, q);
	}
	ev->client = uw_client(msg, ev);
	ev->text = slice_make(msg.p, msg.p + (textlen < msg.len ? textlen :
	    msg.len));
	return 1;
}

/* Text up to " user=" (or the whole line), for the lock messages. */
static size_t
before_user(struct slice msg)
{
	const char	*u = SLICE_FIND(msg, " user=");

	return u ? (size_t)(u - msg.p) : msg.len;
}

/*
 * Every case starts with a capital at the message's start: "Login ",
 * "Failed ", "AUTHENTICATE ", "Authentication failure", "Excessive ",
 * "Mailbox ", "Unable to lock", "Can't get lock".
 */
static int
uw_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg;
	const char	*u;

	if (msg.len < 12)
		return 0;
	switch (msg.p[0]) {
	case 'L':
		if (SLICE_STARTS(msg, "Login failed "))
			return uw_event(ll, CAUSE_AUTH_FAILURE, 12, ev);
		if (SLICE_STARTS(msg, "Login excessive login failures "))
			return uw_event(ll, CAUSE_AUTH_FAILURE, 30, ev);
		if (SLICE_STARTS(msg, "Login disabled "))
			return uw_event(ll, CAUSE_POLICY_REJECTION, 14, ev);
		return 0;
	case 'F':
		if (!SLICE_STARTS(msg, "Failed ") ||
		    (u = SLICE_FIND(msg, " override of user=")) == NULL)
			return 0;
		return uw_event(ll, CAUSE_AUTH_FAILURE, (size_t)(u - msg.p) + 12,
		    ev);
	case 'A':
		/* "AUTHENTICATE LOGIN failure host=...": no user is logged */
		if (SLICE_STARTS(msg, "AUTHENTICATE ") &&
		    (u = SLICE_FIND(msg, " failure host=")) != NULL)
			return uw_event(ll, CAUSE_AUTH_FAILURE,
			    (size_t)(u - msg.p) + 8, ev);
		if (SLICE_STARTS(msg, "Authentication failure host="))
			return uw_event(ll, CAUSE_AUTH_FAILURE, 22, ev);
		return 0;
	case 'E':
		if (SLICE_STARTS(msg, "Excessive authentication failures host="))
			return uw_event(ll, CAUSE_AUTH_FAILURE, 33, ev);
		return 0;
	case 'M':
		if (SLICE_STARTS(msg, "Mailbox lock file ") ||
		    SLICE_STARTS(msg, "Mailbox is locked"))
			return uw_event(ll, CAUSE_LOCK_CONTENTION,
			    before_user(msg), ev);
		return 0;
	case 'U':
		if (SLICE_STARTS(msg, "Unable to lock"))
			return uw_event(ll, CAUSE_LOCK_CONTENTION,
			    before_user(msg), ev);
		return 0;
	case 'C':
		if (SLICE_STARTS(msg, "Can't get lock"))
			return uw_event(ll, CAUSE_LOCK_CONTENTION,
			    before_user(msg), ev);
		return 0;
	}
	return 0;
}

const struct parser parser_uw = {
	.name = "uw",
	.first = 'i',
	.owns = uw_owns,
	.parse = uw_parse,
};
