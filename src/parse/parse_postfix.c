/*
 * Postfix: smtpd/postscreen/cleanup rejects ("NOQUEUE: reject: RCPT from
 * host[ip]: 550 5.1.1 <rcpt>: ...; from=<s> to=<r> ..."), delivery agents'
 * "status=deferred|bounced|expired" with dsn= and the remote reply, and
 * SASL authentication failures, "warning: non-SMTP command from ..." (smtpd
 * hangs up on it). What the client was told is the event;
 * "warning: not enough free space" precedes a 452 reject and is not
 * counted again, but its figure of free bytes is kept (ev->space); smtpd's "warning: QID: queue file size limit exceeded"
 * is the only line of a 552 at the end of DATA and is counted. The lmtp
 * agent's failures with the server's reply are marked EV_PEER: when the
 * LMTP server (Dovecot) logged the same refusal, agg counts it once, with
 * the server's cause.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* "host[1.2.3.4]" or "[1.2.3.4]:port" at the start of s: the client. */
static void
client_of(struct slice s, struct event *ev)
{
	if (!host_ip(s, &ev->cname, &ev->client))
		ev->cname = ev->client = SLICE_NULL;
}

/* "relay=mx.example.org[192.0.2.1]:25": the host, else its address */
static struct slice
relay_of(struct slice msg)
{
	struct slice	 r = FIELD(msg, "relay=", ','), name, ip;

	if (r.len == 0 || SLICE_EQ(r, "none"))
		return SLICE_NULL;
	if (!host_ip(r, &name, &ip))
		return r;
	return name.len > 0 ? name : ip;
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
		client_of(slice_from(msg, p + 6), ev);
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
	/*
	 * smtp delivers to other servers (outbound), as does a message that
	 * expired in the queue; lmtp, local, virtual and pipe deliver here
	 */
	ev->dir = ev->proto == PROTO_SMTP ||
	    SLICE_STARTS(slice_from(msg, st), "expired") ?
	    DIR_FROM_REMOTE : DIR_LOCAL;
	if (ev->dir == DIR_FROM_REMOTE) {
		ev->remote = relay_of(msg);
		/* relay=none: "(connect to mx.example.org[192.0.2.1]:25: ..." */
		p = SLICE_FIND(msg, "(connect to ");
		if (ev->remote.len == 0 && p != NULL) {
			struct slice name, ip;
			if (host_ip(slice_from(msg, p + 12), &name, &ip))
				ev->remote = name.len > 0 ? name : ip;
		}
	}
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
		/* the LMTP server logs this failure too: agg joins the two */
		if (ev->proto == PROTO_LMTP && ev->user.len > 0)
			ev->flags |= EV_PEER;
		if (smtp_reply(slice_from(why, said + 7), &remote)) {
			memcpy(ev->code, remote.code, sizeof(ev->code));
			if (ev->enh[0] == '\0')
				memcpy(ev->enh, remote.enh, sizeof(ev->enh));
			ev->text = remote.text;
		}
	}
	if (SLICE_STARTS(slice_from(msg, st), "expired")) {
		ev->hint = CAUSE_EXPIRED;
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
	client_of(slice_from(msg, msg.p + 9), ev);
	ev->user = FIELD(msg, "sasl_username=", ',');
	memcpy(ev->code, "535", 4);
	memcpy(ev->enh, "5.7.8", 6);
	ev->text = msg;
	ev->hint = CAUSE_AUTH_FAILURE;
	return 1;
}

/*
 * "warning: non-SMTP command from host[ip]: GET / HTTP/1.1": smtpd hung up
 * with "221 2.7.0 Error: I can break rules, too. Goodbye."
 */
static int
postfix_nonsmtp(struct slice msg, struct event *ev)
{
	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	client_of(slice_from(msg, msg.p + 31), ev);
	ev->text = slice_make(msg.p + 9, msg.p + 25);	/* "non-SMTP command" */
	ev->hint = CAUSE_PROTOCOL_ERROR;
	return 1;
}

#define SIZE_LIMIT	": queue file size limit exceeded"

static int
slice_ends(struct slice s, const char *tail)
{
	size_t	 n = strlen(tail);

	return s.len >= n && memcmp(s.p + s.len - n, tail, n) == 0;
}

/*
 * smtpd "warning: QID: queue file size limit exceeded": the only line of
 * a message refused at the end of DATA; the client was told "552 5.3.4
 * Error: message file too big".
 */
static int
postfix_oversize(struct slice msg, struct event *ev)
{
	const char	*qid = msg.p + 9;

	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->qid = slice_make(qid, msg.p + msg.len - strlen(SIZE_LIMIT));
	memcpy(ev->code, "552", 4);
	memcpy(ev->enh, "5.3.4", 6);
	ev->text = slice_from(msg, ev->qid.p + ev->qid.len + 2);
	ev->hint = CAUSE_MESSAGE_TOO_LARGE;
	return 1;
}

#define QUEUE_SPACE	"warning: not enough free space in mail queue: "

/*
 * smtpd "warning: not enough free space in mail queue: N bytes < 1.5*
 * message size limit": the free bytes smtpd measured before it told the
 * client 452 (its reject line is the event). A space fact, no event.
 */
static int
postfix_space(struct slice msg, struct event *ev)
{
	const char	*p = msg.p + strlen(QUEUE_SPACE), *end = msg.p + msg.len;
	size_t		 n = parse_u64(p, end, &ev->free);

	if (n > 0 && SLICE_STARTS(slice_make(p + n, end), " bytes"))
		ev->space = SP_QUEUE;
	return 0;
}

/* "header ", "body " or "END-OF-MESSAGE ": what cleanup inspected */
static int
cleanup_stage(struct slice s)
{
	return SLICE_STARTS(s, "header ") || SLICE_STARTS(s, "body ") ||
	    SLICE_STARTS(s, "END-OF-MESSAGE ");
}

/*
 * pflogsumm counts smtpd/postscreen "reject:" and cleanup "reject:" or
 * "milter-reject:" of a header, body or END-OF-MESSAGE; smtpd's own
 * "milter-reject:" lines are not counted (tests/pflogsumm-diff.md).
 */
static int
postfix_verdict(struct slice rest, struct slice agent, struct event *ev)
{
	int	 cleanup = SLICE_EQ(agent, "cleanup");
	int	 smtpd = SLICE_EQ(agent, "smtpd") || SLICE_EQ(agent, "postscreen");
	size_t	 n;

	if (SLICE_STARTS(rest, "reject: "))
		n = 8, ev->tkind = TR_REJECTED;
	else if (SLICE_STARTS(rest, "milter-reject: ") && cleanup)
		n = 15, ev->tkind = TR_REJECTED;
	else if (SLICE_STARTS(rest, "reject_warning: ") && smtpd)
		return ev->tkind = TR_REJECT_WARNING, 0;
	else if (SLICE_STARTS(rest, "warning: ") && cleanup)
		n = 9, ev->tkind = TR_REJECT_WARNING;
	else if (SLICE_STARTS(rest, "hold: "))
		n = 6, ev->tkind = TR_HELD;
	else if (SLICE_STARTS(rest, "discard: "))
		n = 9, ev->tkind = TR_DISCARDED;
	else
		return 0;
	if (cleanup ? !cleanup_stage(slice_from(rest, rest.p + n)) : !smtpd)
		ev->tkind = TR_NONE;
	return 0;
}

/* smtpd "QID: client=host[ip]" (with sasl_username= on an AUTH login) */
static int
postfix_client(struct slice rest, struct event *ev)
{
	const char	*comma;

	ev->tkind = TR_RECEIVED;
	ev->addr = slice_from(rest, rest.p + 7);
	if ((comma = memchr(ev->addr.p, ',', ev->addr.len)) != NULL) {
		ev->addr.len = (size_t)(comma - ev->addr.p);
		ev->user = FIELD(slice_from(rest, comma), "sasl_username=", ',');
		if (ev->user.len > 0)
			ev->proto = PROTO_SMTP;
	}
	return 0;
}

/* qmgr "QID: from=<s>, size=N, nrcpt=M (queue active)": 1 if it is one */
static int
postfix_size(struct slice rest, struct event *ev)
{
	const char	*p, *end = rest.p + rest.len;
	uint64_t	 n = 0;

	p = memchr(rest.p + 6, '>', rest.len - 6);
	if (p == NULL || end - p < 9 || memcmp(p, ">, size=", 8) != 0 ||
	    (unsigned)(p[8] - '0') > 9)
		return 0;
	ev->addr = slice_make(rest.p + 6, p);
	for (p += 8; p < end && (unsigned)(*p - '0') <= 9; p++)
		n = n * 10 + (uint64_t)(*p - '0');
	ev->size = n;
	ev->tkind = TR_SIZE;
	return 1;
}

/* "to=<r>, ..., status=sent (...)" by a delivery agent */
static int
postfix_sent(struct slice rest, const char *st, struct event *ev)
{
	ev->addr = FIELD(rest, "to=<", '>');
	ev->tkind = SLICE_FIND(slice_from(rest, st), "forwarded as ") ?
	    TR_FORWARDED : TR_SENT;
	return 0;
}

/*
 * pflogsumm's command: the program after "postfix/" and an optional
 * "smtps/" or "submission/"; other instances ("postfix/amavisd/smtpd",
 * "postfix-out/...") are no smtpd, cleanup or pickup to it.
 */
static struct slice
traffic_cmd(struct slice prog)
{
	if (!SLICE_STARTS(prog, "postfix/"))
		return SLICE_NULL;
	prog = slice_from(prog, prog.p + 8);
	if (SLICE_STARTS(prog, "smtps/"))
		return slice_from(prog, prog.p + 6);
	if (SLICE_STARTS(prog, "submission/"))
		return slice_from(prog, prog.p + 11);
	return prog;
}

static int
delivery_agent(struct slice agent)
{
	return SLICE_EQ(agent, "smtp") || SLICE_EQ(agent, "lmtp") ||
	    SLICE_EQ(agent, "local") || SLICE_EQ(agent, "virtual") ||
	    SLICE_EQ(agent, "pipe") || SLICE_EQ(agent, "error") ||
	    SLICE_EQ(agent, "retry") || SLICE_EQ(agent, "discard");
}

/*
 * The first c in p[0..n), n <= 32, or NULL: one or two 16-byte compares
 * where a memchr call costs more than the search (the queue id).
 */
static inline const char *
find_short(const char *p, size_t n, char c)
{
#ifdef __SSE2__
	if (n >= 16) {
		const __m128i	 v = _mm_set1_epi8(c);
		unsigned	 m;

		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(
		    (const __m128i *)(const void *)p), v));
		if (m != 0)
			return p + __builtin_ctz(m);
		if (n == 16)
			return NULL;
		/* the last 16, overlapping what is known to hold no c */
		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(
		    (const __m128i *)(const void *)(p + n - 16)), v));
		return m != 0 ? p + n - 16 + __builtin_ctz(m) : NULL;
	}
#endif
	for (; n > 0; p++, n--)
		if (*p == c)
			return p;
	return NULL;
}

/*
 * Most Postfix lines are ordinary traffic, so every test here is cheap
 * and anchored: a reject follows the first token ("NOQUEUE: reject: ",
 * "QID: milter-reject: "), a delivery status is looked for only in the
 * delivery agents' lines, SASL failures are warnings. Traffic facts
 * (ev->tkind, on a return of 0 or on a reject, deferral or
 * bounce event) follow
 * pflogsumm: smtpd/pickup receive, qmgr sizes, agents' status=.
 */
static int
postfix_lines(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg, agent = ll->program, rest;
	struct slice	 cmd = traffic_cmd(ll->program);
	const char	*p, *end = msg.p + msg.len;
	int		 rc;

	if (SLICE_STARTS(msg, "warning: ")) {
		/* inside: a 31-byte memcmp is a libc call on every line */
		if (SLICE_STARTS(msg, "warning: non-SMTP command from "))
			return postfix_nonsmtp(msg, ev);
		if (SLICE_EQ(cmd, "smtpd") && slice_ends(msg, SIZE_LIMIT))
			return postfix_oversize(msg, ev);
		if (SLICE_STARTS(msg, QUEUE_SPACE))
			return postfix_space(msg, ev);
		return SLICE_FIND(msg, " authentication failed") != NULL &&
		    SLICE_FIND(msg, ": SASL ") != NULL ? postfix_sasl(msg, ev) : 0;
	}
	/* the first token: a queue id or NOQUEUE */
	p = find_short(msg.p, msg.len < 24 ? msg.len : 24, ' ');
	if (p == NULL || p == msg.p || p[-1] != ':')
		return 0;
	rest = slice_from(msg, p + 1);
	ev->qid = slice_make(msg.p, p - 1);
	/* the agent after the last '/': a few bytes, no memrchr call */
	for (p = agent.p + agent.len; p > agent.p && p[-1] != '/'; p--)
		;
	agent = slice_make(p, agent.p + agent.len);
	if (SLICE_STARTS(rest, "reject: ")) {
		rc = postfix_reject(msg, rest.p + 8, ev);
		postfix_verdict(rest, cmd, ev);
		return rc;
	}
	if (SLICE_STARTS(rest, "milter-reject: ")) {
		rc = postfix_reject(msg, rest.p + 15, ev);
		postfix_verdict(rest, cmd, ev);
		return rc;
	}
	if (SLICE_EQ(agent, "qmgr")) {
		if (SLICE_STARTS(rest, "from=<") && postfix_size(rest, ev))
			return 0;
		if (SLICE_EQ(rest, "removed"))
			return ev->tkind = TR_REMOVED, 0;
		p = SLICE_FIND(rest, ", status=expired");
		return p ? postfix_delivery(ll, p + 9, ev) : 0;
	}
	if (SLICE_EQ(cmd, "smtpd") || SLICE_EQ(cmd, "postscreen")) {
		if (SLICE_STARTS(rest, "client="))
			return postfix_client(rest, ev);
		return postfix_verdict(rest, cmd, ev);
	}
	if (SLICE_EQ(cmd, "cleanup"))
		return postfix_verdict(rest, cmd, ev);
	if (SLICE_EQ(cmd, "pickup"))
		return SLICE_STARTS(rest, "uid=") ||
		    SLICE_STARTS(rest, "sender=") ?
		    (ev->tkind = TR_PICKUP, 0) : 0;
	if (!delivery_agent(agent) || (p = SLICE_FIND(rest, ", status=")) == NULL)
		return 0;
	if (SLICE_STARTS(slice_make(p + 9, end), "sent ") &&
	    SLICE_STARTS(rest, "to=<"))
		return postfix_sent(rest, p + 9, ev);
	rest = slice_make(p + 9, end);
	if (SLICE_STARTS(rest, "deferred")) {
		ev->tkind = TR_DEFERRED;
		return postfix_delivery(ll, rest.p, ev);
	}
	if (SLICE_STARTS(rest, "bounced")) {
		ev->tkind = TR_BOUNCED;
		return postfix_delivery(ll, rest.p, ev);
	}
	if (SLICE_STARTS(rest, "expired"))
		return postfix_delivery(ll, rest.p, ev);
	return 0;
}

/* pflogsumm reads only "postfix/..." programs: others carry no traffic */
static int
postfix_parse(const struct logline *ll, struct event *ev)
{
	int	 rc = postfix_lines(ll, ev);

	if (ev->tkind != TR_NONE && !SLICE_STARTS(ll->program, "postfix/"))
		ev->tkind = TR_NONE;
	return rc;
}

const struct parser parser_postfix = {
	.name = "postfix",
	.first = 'p',
	.owns = postfix_owns,
	.parse = postfix_parse,
};
