/*
 * Postfix: smtpd/postscreen/cleanup rejects ("NOQUEUE: reject: RCPT from
 * host[ip]: 550 5.1.1 <rcpt>: ...; from=<s> to=<r> ..."), delivery agents'
 * "status=deferred|bounced|expired" with dsn= and the remote reply, and
 * SASL authentication failures. What the client was told is the event;
 * "warning: not enough free space" precedes a 452 reject and is not
 * counted again.
 */
#include <string.h>

#include "mxtally/cause.h"
#include "parse_int.h"

static int
postfix_owns(struct slice prog)
{
	return SLICE_STARTS(prog, "postfix");
}

static int
proto_of_agent(struct slice prog)
{
	const char	*slash = memrchr(prog.p, '/', prog.len);
	struct slice	 agent = slash ? slice_make(slash + 1, prog.p + prog.len)
			    : prog;

	if (SLICE_EQ(agent, "smtp"))
		return PROTO_SMTP;
	if (SLICE_EQ(agent, "lmtp"))
		return PROTO_LMTP;
	return PROTO_NONE;	/* local, virtual, pipe: no wire protocol */
}

/* "host[1.2.3.4]" or "[1.2.3.4]:port" at the start of s: the address. */
static struct slice
client_of(struct slice s)
{
	const char	*end = s.p + s.len, *b, *e;

	b = memchr(s.p, '[', s.len);
	if (b == NULL || (e = memchr(b, ']', (size_t)(end - b))) == NULL)
		return SLICE_NULL;
	return slice_make(b + 1, e);
}

/* "... reject: RCPT from host[ip]: 550 5.1.1 <r>: text; from=<s> to=<r>" */
static int
postfix_reject(struct slice msg, const char *r, struct event *ev)
{
	const char	*end = msg.p + msg.len, *p, *semi;
	struct slice	 rest = slice_from(msg, r), reply;
	int		 mail_stage;

	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	mail_stage = SLICE_STARTS(rest, "MAIL ");
	p = SLICE_FIND(rest, " from ");
	if (p != NULL)
		ev->client = client_of(slice_from(msg, p + 6));
	/* the reply follows "]: " (smtpd) or "]:port: " (postscreen) */
	p = p ? memchr(p, ']', (size_t)(end - p)) : NULL;
	if (p != NULL) {
		while (p < end && *p != ' ')
			p++;
		p++;
	} else if ((p = SLICE_FIND(rest, ": ")) != NULL)
		p += 2;
	else
		return 0;
	if (p >= end)
		return 0;
	reply = slice_from(msg, p);
	semi = SLICE_FIND(reply, "; from=<");
	if (semi != NULL)
		reply.len = (size_t)(semi - reply.p);
	if (!smtp_reply(reply, ev) && !parse_reply(reply, ev))
		ev->text = reply;
	ev->user = mail_stage ? FIELD(rest, "from=<", '>')
			      : FIELD(rest, "to=<", '>');
	return 1;
}

/* "QID: to=<r>, relay=..., dsn=4.2.2, status=deferred (reason)" */
static int
postfix_delivery(const struct logline *ll, const char *st, struct event *ev)
{
	struct slice	 msg = ll->msg, why;
	const char	*end = msg.p + msg.len, *p, *said;
	struct slice	 dsn;

	ev->proto = proto_of_agent(ll->program);
	ev->user = FIELD(msg, "to=<", '>');
	dsn = FIELD(msg, "dsn=", ',');
	if (dsn.len > 0 && enhanced_len(dsn.p, dsn.p + dsn.len) == dsn.len &&
	    dsn.p[0] != '2')
		copy_code(ev->enh, sizeof(ev->enh), dsn.p, dsn.p + dsn.len);
	p = memchr(st, '(', (size_t)(end - st));
	why = p ? slice_make(p + 1, end) : slice_from(msg, st);
	if (why.len > 0 && why.p[why.len - 1] == ')')
		why.len--;
	ev->text = why;
	said = SLICE_FIND(why, " said: ");
	if (said != NULL) {
		struct event	 remote = *ev;
		ev->dir = DIR_FROM_REMOTE;
		if (smtp_reply(slice_from(why, said + 7), &remote)) {
			memcpy(ev->code, remote.code, sizeof(ev->code));
			if (ev->enh[0] == '\0')
				memcpy(ev->enh, remote.enh, sizeof(ev->enh));
			ev->text = remote.text;
		}
	}
	if (SLICE_STARTS(slice_from(msg, st), "expired")) {
		ev->cause = CAUSE_EXPIRED;
		if (ev->user.len == 0)
			ev->user = FIELD(msg, "from=<", '>');
	}
	return 1;
}

/* "warning: host[ip]: SASL LOGIN authentication failed: ..., sasl_username=u" */
static int
postfix_sasl(struct slice msg, struct event *ev)
{
	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->client = client_of(slice_from(msg, msg.p + 9));
	ev->user = FIELD(msg, "sasl_username=", ',');
	memcpy(ev->code, "535", 4);
	memcpy(ev->enh, "5.7.8", 6);
	ev->text = msg;
	ev->cause = CAUSE_AUTH_FAILURE;
	return 1;
}

static int
postfix_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg;
	const char	*p;

	if ((p = SLICE_FIND(msg, "reject: ")) != NULL &&
	    (size_t)(p - msg.p) < 32)
		return postfix_reject(msg, p + 8, ev);
	if ((p = SLICE_FIND(msg, " status=")) != NULL) {
		struct slice st = slice_from(msg, p + 8);
		if (SLICE_STARTS(st, "deferred") ||
		    SLICE_STARTS(st, "bounced") ||
		    SLICE_STARTS(st, "expired"))
			return postfix_delivery(ll, st.p, ev);
		return 0;
	}
	if (SLICE_STARTS(msg, "warning: ") &&
	    SLICE_FIND(msg, " authentication failed") != NULL &&
	    SLICE_FIND(msg, ": SASL ") != NULL)
		return postfix_sasl(msg, ev);
	return 0;
}

const struct parser parser_postfix = {
	.name = "postfix",
	.owns = postfix_owns,
	.parse = postfix_parse,
};
