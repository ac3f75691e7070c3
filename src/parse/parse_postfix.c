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

/*
 * Most Postfix lines are ordinary traffic, so every test here is cheap
 * and anchored: a reject follows the first token ("NOQUEUE: reject: ",
 * "QID: milter-reject: "), a delivery status is looked for only in the
 * delivery agents' lines, SASL failures are warnings.
 */
static int
postfix_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg, agent = ll->program, rest;
	const char	*p, *end = msg.p + msg.len;

	if (SLICE_STARTS(msg, "warning: "))
		return SLICE_FIND(msg, " authentication failed") != NULL &&
		    SLICE_FIND(msg, ": SASL ") != NULL ? postfix_sasl(msg, ev) : 0;
	/* the first token: a queue id or NOQUEUE */
	p = memchr(msg.p, ' ', msg.len < 24 ? msg.len : 24);
	if (p == NULL || p[-1] != ':')
		return 0;
	rest = slice_from(msg, p + 1);
	if (SLICE_STARTS(rest, "reject: "))
		return postfix_reject(msg, rest.p + 8, ev);
	if (SLICE_STARTS(rest, "milter-reject: "))
		return postfix_reject(msg, rest.p + 15, ev);
	if ((p = memrchr(agent.p, '/', agent.len)) != NULL)
		agent = slice_make(p + 1, agent.p + agent.len);
	if (SLICE_EQ(agent, "qmgr")) {
		p = SLICE_FIND(rest, ", status=expired");
		return p ? postfix_delivery(ll, p + 9, ev) : 0;
	}
	if (!SLICE_EQ(agent, "smtp") && !SLICE_EQ(agent, "lmtp") &&
	    !SLICE_EQ(agent, "local") && !SLICE_EQ(agent, "virtual") &&
	    !SLICE_EQ(agent, "pipe") && !SLICE_EQ(agent, "error") &&
	    !SLICE_EQ(agent, "retry"))
		return 0;
	if ((p = SLICE_FIND(rest, ", status=")) == NULL)
		return 0;
	rest = slice_make(p + 9, end);
	if (SLICE_STARTS(rest, "deferred") || SLICE_STARTS(rest, "bounced") ||
	    SLICE_STARTS(rest, "expired"))
		return postfix_delivery(ll, rest.p, ev);
	return 0;
}

const struct parser parser_postfix = {
	.name = "postfix",
	.first = 'p',
	.owns = postfix_owns,
	.parse = postfix_parse,
};
