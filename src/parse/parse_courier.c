/*
 * Courier: courieresmtpd's "error,relay=ip,from=<s>,to=<r>: 550 User
 * unknown." and "error,relay=ip,msg=\"535 Authentication failed.\",cmd:
 * AUTH ...", and the POP3/IMAP servers' "LOGIN FAILED, user=u,
 * ip=[::ffff:1.2.3.4]" and "Maximum connection limit reached for ip".
 *
 * Counted: each of those lines is one reply the client got. Not
 * counted: "authentication error: ..." and "authdaemon: s_connect()
 * failed" (why the LOGIN FAILED after or before them happened).
 * "LOGIN, user=u, ip=[...]" is a successful login (traffic).
 *
 * Courier's POP3 and IMAP servers log as "pop3d", "imapd", "pop3d-ssl"
 * and "imapd-ssl", names Cyrus and UW imapd use too, and so do other
 * POP3 daemons the generic parser reads. This family owns those names
 * and hands a line it does not recognise to Cyrus, then UW, then the
 * generic parser, each of which rejects with anchored tests.
 */
#include <string.h>

#include "mxtally/cause.h"
#include "parse_int.h"

static int
shared_name(struct slice prog)
{
	return SLICE_EQ(prog, "imapd") || SLICE_EQ(prog, "pop3d") ||
	    SLICE_EQ(prog, "imapd-ssl") || SLICE_EQ(prog, "pop3d-ssl");
}

static int
courier_owns(struct slice prog)
{
	switch (prog.p[0]) {
	case 'c':
		return SLICE_STARTS(prog, "courier");
	case 'i':
	case 'p':
		return shared_name(prog);
	}
	return 0;
}

static int
proto_of(struct slice prog)
{
	if (SLICE_STARTS(prog, "imap") || SLICE_STARTS(prog, "courierimap"))
		return PROTO_IMAP;
	if (SLICE_STARTS(prog, "pop3") || SLICE_STARTS(prog, "courierpop3"))
		return PROTO_POP3;
	return PROTO_SMTP;
}

/* "::ffff:1.2.3.4" -> "1.2.3.4" */
static struct slice
unmap(struct slice ip)
{
	if (SLICE_STARTS(ip, "::ffff:") && memchr(ip.p + 7, '.', ip.len - 7))
		return slice_make(ip.p + 7, ip.p + ip.len);
	return ip;
}

/* "LOGIN FAILED, user=u, ip=[::ffff:1.2.3.4], port=[n]" */
static int
courier_login(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg;

	ev->proto = (uint8_t)proto_of(ll->program);
	ev->dir = DIR_TO_CLIENT;
	ev->hint = CAUSE_AUTH_FAILURE;
	ev->user = FIELD(msg, "user=", ',');
	ev->client = unmap(FIELD(msg, "ip=[", ']'));
	ev->text = slice_make(msg.p, msg.p + 12);
	login_resp(ev);
	return 1;
}

/* "error,relay=ip,[port=n,][ident=i,]from=<s>,to=<r>: 550 text" */
static int
courier_esmtpd(struct slice msg, struct event *ev)
{
	struct slice	 quoted = FIELD(msg, "msg=\"", '"');
	const char	*p;

	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->client = unmap(FIELD(msg, "relay=", ','));
	if (quoted.len > 0)
		return smtp_reply(quoted, ev);
	if ((p = SLICE_FIND(msg, ": ")) == NULL ||
	    !smtp_reply(slice_from(msg, p + 2), ev))
		return 0;
	ev->user = FIELD(slice_make(msg.p, p), ",to=<", '>');
	if (ev->user.len == 0)
		ev->user = FIELD(slice_make(msg.p, p), ",from=<", '>');
	return 1;
}

static int
courier_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg;
	struct event	 base;
	int		 rc;

	if (SLICE_STARTS(msg, "LOGIN FAILED, "))
		return courier_login(ll, ev);
	if (SLICE_STARTS(msg, "LOGIN, user=") && shared_name(ll->program)) {
		ev->proto = (uint8_t)proto_of(ll->program);
		ev->user = FIELD(msg, "user=", ',');
		ev->tkind = TR_LOGIN_OK;	/* traffic, no event */
		return 0;
	}
	if (SLICE_STARTS(msg, "error,relay=") &&
	    SLICE_STARTS(ll->program, "courieresmtpd"))
		return courier_esmtpd(msg, ev);
	if (SLICE_STARTS(msg, "Maximum connection limit reached for ")) {
		ev->proto = (uint8_t)proto_of(ll->program);
		ev->dir = DIR_TO_CLIENT;
		ev->hint = CAUSE_RATE_LIMITED;
		ev->client = unmap(slice_make(msg.p + 37, msg.p + msg.len));
		ev->text = slice_make(msg.p, msg.p + 31);
		return 1;
	}
	if (!shared_name(ll->program))
		return 0;
	base = *ev;
	/* Cyrus' traffic lines (its logins) return 0 with tkind set */
	if ((rc = parser_cyrus.parse(ll, ev)) != 0 || ev->tkind != TR_NONE)
		return rc;
	*ev = base;
	if (parser_uw.parse(ll, ev))
		return 1;
	*ev = base;
	return parser_generic.parse(ll, ev);
}

const struct parser parser_courier = {
	.name = "courier",
	.first = 0,		/* "courier*", "imapd", "pop3d": several bytes */
	.owns = courier_owns,
	.parse = courier_parse,
};
