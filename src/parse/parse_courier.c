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
 * Traffic (Courier's courierd and delivery modules, per courier's
 * cdmsgq.C and libs/comctlfile.c): "courierd: newmsg,id=ID[, auth=u]:
 * dns; helo (name [ip])" is a message received (with auth=, also an
 * SMTP AUTH login); "id=ID,from=<s>,addr=<r>[,size=N],success: reply"
 * and "id=...,status: success" a recipient delivered (courieresmtp logs
 * each of its deliveries both ways, so there only the first counts),
 * "...,status: deferred" a deferral, "...,status: failure" a bounce;
 * courieresmtpd's "error,relay=...,from=<s>,to=<r>: NNN ..." a rejected
 * attempt; "completed,id=ID" frees the id. Courier logs a message's
 * size only with a successful delivery (ctlfile_append_msgsize), not
 * when it arrives: the first delivered line of a message received in
 * the log gives its size and sender (bytes received, senders), as
 * Postfix's qmgr size= does; a message never delivered adds neither.
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

/* "newmsg,id=ID[, auth=u][: dns; helo (name [ip])]": a message received */
static int
courier_newmsg(struct slice msg, struct event *ev)
{
	const char	*end = msg.p + msg.len, *p, *e;
	struct slice	 c;

	ev->tkind = TR_RECEIVED;
	ev->qid = slice_make(msg.p + 10, end);
	if ((p = memchr(ev->qid.p, ',', ev->qid.len)) != NULL ||
	    (p = memchr(ev->qid.p, ':', ev->qid.len)) != NULL)
		ev->qid.len = (size_t)(p - ev->qid.p);
	ev->user = FIELD(msg, ", auth=", ':');
	if (ev->user.len > 0)
		ev->proto = PROTO_SMTP;
	c = FIELD(msg, "; ", ')');
	if ((p = memchr(c.p, '(', c.len)) == NULL)
		return 0;
	c = slice_make(p + 1, c.p + c.len);
	if (c.len > 0 && c.p[0] == '[')
		e = memchr(c.p, ']', c.len), e = e ? e + 1 : c.p + c.len;
	else if ((e = memchr(c.p, ' ', c.len)) == NULL)
		e = c.p + c.len;
	ev->addr = slice_make(c.p, e);
	return 0;
}

/*
 * "id=ID,from=<s>,addr=<r>[,size=N],success: ..." or "...,status: W":
 * a recipient's delivery, deferral or bounce (traffic only).
 */
static int
courier_delivery(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg, st;
	const char	*p = SLICE_FIND(msg, ",addr=<"), *end = msg.p + msg.len;

	if (p == NULL || (p = memchr(p, '>', (size_t)(end - p))) == NULL ||
	    end - p < 2 || p[1] != ',')
		return 0;		/* "...>: reply": the reply, not counted */
	st = slice_make(p + 2, end);
	if (SLICE_STARTS(st, "size=")) {
		p += 2 + parse_u64(st.p + 5, end, &ev->size) + 5;
		st = slice_make(p, end);
		if (st.len == 0 || st.p[0] != ',')
			return ev->size = 0, 0;
		st = slice_make(p + 1, end);
	}
	if (SLICE_STARTS(st, "success: ") ||
	    (SLICE_EQ(st, "status: success") &&
	    !SLICE_EQ(ll->program, "courieresmtp")))
		ev->tkind = TR_SENT;
	else if (SLICE_EQ(st, "status: deferred"))
		ev->tkind = TR_DEFERRED;
	else if (SLICE_EQ(st, "status: failure"))
		ev->tkind = TR_BOUNCED;
	else
		return ev->size = 0, 0;
	ev->qid = FIELD(msg, "id=", ',');
	ev->addr = FIELD(msg, ",addr=<", '>');
	if (ev->tkind == TR_SENT && ev->size > 0)
		ev->from = FIELD(msg, ",from=<", '>');
	return 0;
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
	    SLICE_STARTS(ll->program, "courieresmtpd")) {
		/* a refused MAIL, RCPT or DATA; msg="..." is a command's */
		if ((rc = courier_esmtpd(msg, ev)) == 1 &&
		    SLICE_FIND(msg, ",msg=\"") == NULL)
			ev->tkind = TR_REJECTED;
		return rc;
	}
	if (SLICE_STARTS(msg, "id=") && SLICE_STARTS(ll->program, "courier"))
		return courier_delivery(ll, ev);
	if (SLICE_EQ(ll->program, "courierd")) {
		if (SLICE_STARTS(msg, "newmsg,id="))
			return courier_newmsg(msg, ev);
		if (SLICE_STARTS(msg, "completed,id=")) {
			ev->qid = slice_make(msg.p + 13, msg.p + msg.len);
			ev->tkind = TR_REMOVED;
		}
		return 0;
	}
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
