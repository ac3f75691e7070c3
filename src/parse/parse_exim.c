/*
 * Exim: the mainlog layout ("2026-11-21 09:00:00 [+0100] [pid] [id] ...",
 * no host, no program: found by sniff) and the same text through syslog
 * ("exim[pid]: ..."). The rejectlog repeats the mainlog's reject lines
 * with the headers after them; give Exim's mainlog or its rejectlog, not
 * both, or each reject counts twice.
 *
 * Counted, one event per line:
 *  - "id ** addr ...: reason": a delivery failed for good. When a remote
 *    server said so ("SMTP error from remote mail server after RCPT
 *    TO:<x>: 550 5.1.1 ...", "LMTP error after DATA: 452 ...") its reply
 *    is the event, received from a remote server; "retry timeout
 *    exceeded" is expired.
 *  - "id == addr ... defer (n): reason": a delivery attempt failed for
 *    now, as above. "retry time not (yet) reached" is no attempt, only
 *    the wait after an earlier failure, and is not counted; nor are
 *    "SMTP delivery explicitly queued" and "first-pass only routing"
 *    (queueing asked for by -odqs or queue_smtp_domains). Without a
 *    reply a defer counts only for an errno ("defer (111): Connection
 *    refused") or a full mailbox; see defer_told.
 *  - "H=... F=<s> rejected RCPT <r>: text", "rejected MAIL <s>", "rejected
 *    after DATA", "rejected EHLO or HELO", "rejected connection", "rejected
 *    by local_scan()", and "temporarily" before any of them: the reply
 *    Exim sent. The log does not say the code, so none is made up; the
 *    text is the ACL's message. An ACL that gives no message is local
 *    policy: policy_rejection.
 *  - "<driver> authenticator failed for host [ip]: 535 ... (set_id=u)".
 *  - "SMTP protocol synchronization error", "SMTP protocol error in",
 *    "SMTP call from ... dropped: too many ...": protocol errors.
 *  - "H=... dropped by '<acl>' ACL: text".
 *  - "Connection from [ip] refused: too many connections ...": the 421
 *    Exim sent when its connection limits were reached.
 *  - "rejected MAIL FROM:<s> ...: message too big" and "id rejected from
 *    <s> ...: message too big" (size checks, the sender is the user);
 *    "spool directory space check failed" (told "452 Space shortage"),
 *    and the same check of the log directory; both keep the free space
 *    they logged (ev->space).
 * Not counted: "sender verify fail for <x>: ..." (the "rejected RCPT
 * ...: Sender verify failed" line after it is the reply), "SMTP connection
 * from ... closed by DROP in ACL" (the reject before it), the bare "id
 * H=host [ip] Connection timed out" that precedes an "==" line, and
 * "-ERR" lines of POP3 front ends (left to the generic parser).
 */
#include <string.h>

#include "mxtally/cause.h"
#include "parse_int.h"

static int
exim_owns(struct slice prog)
{
	return SLICE_EQ(prog, "exim") || SLICE_EQ(prog, "exim4");
}

/*
 * Mainlog lines carry no program; parse_header leaves host and program
 * empty only for the "YYYY-MM-DD HH:MM:SS " stamp, which is Exim's. A
 * family whose lines look the same (a CSV protocol log) must come before
 * this one in families[]. Lines of multilog's own stamps (TAI64N and
 * tai64nlocal) are never Exim's: Exim writes its own stamp.
 */
static int
exim_sniff(const struct logline *ll)
{
	return ll->t != T_NONE && ll->host.len == 0 && ll->msg.len > 0 &&
	    ll->layout != LAYOUT_MULTILOG && ll->layout != LAYOUT_TAI64NLOCAL;
}

static int
is_digit(char c)
{
	return (unsigned)(c - '0') <= 9;
}

/* An embedded "YYYY-MM-DD HH:MM:SS " stamp at p. */
static int
is_stamp(const char *p, const char *end)
{
	return end - p > 20 && is_digit(p[0]) && p[4] == '-' &&
	    p[7] == '-' && p[10] == ' ' && p[13] == ':' && p[19] == ' ';
}

/*
 * Skips what may precede the text: "host exim[pid]: " (a syslog header
 * after the mainlog stamp), a repeated stamp (syslog_timestamp), a zone
 * "+0100 ", a "[pid] " (log_selector +pid). Sets *host to the syslog
 * host when one was found.
 */
static struct slice
exim_body(struct slice msg, struct slice *host)
{
	const char	*p = msg.p, *end = msg.p + msg.len, *sp, *q;

	if (p < end && !is_digit(*p) && *p != '[' && *p != '+' && *p != '-' &&
	    (sp = memchr(p, ' ', (size_t)(end - p))) != NULL &&
	    end - sp > 6 && memcmp(sp + 1, "exim", 4) == 0 &&
	    (q = memchr(sp, ':', (size_t)(end - sp))) != NULL &&
	    q + 1 < end && q[1] == ' ') {
		*host = slice_make(p, sp);
		p = q + 2;
	}
	if (is_stamp(p, end))
		p += 20;
	if (end - p > 6 && (*p == '+' || *p == '-') && is_digit(p[1]) &&
	    is_digit(p[4]) && p[5] == ' ')
		p += 6;
	if (p < end && *p == '[' && end - p > 2 && is_digit(p[1])) {
		/* "[pid] " or a split record's part "[1\\6] " */
		for (q = p + 1; q < end && (is_digit(*q) || *q == '\\'); q++)
			;
		if (end - q > 1 && *q == ']' && q[1] == ' ')
			p = q + 2;
	}
	return slice_make(p, end);
}

/* Length of a message id ("1jmFYj-00039V-QX", "10HmaX-000000005vi-0000") and space, else 0. */
static size_t
msgid_len(struct slice s)
{
	if (s.len < 17 || s.p[6] != '-')
		return 0;
	if (s.p[13] == '-' && s.p[16] == ' ')
		return 17;
	if (s.len >= 24 && s.p[18] == '-' && s.p[23] == ' ')
		return 24;
	return 0;
}

/*
 * "H=name (helo) [ip]:port": the ip of the H= field in s, if any; *name
 * (may be NULL) gets the name when the field starts with one.
 */
static struct slice
exim_host(struct slice s, struct slice *name)
{
	const char	*p = SLICE_FIND(s, "H="), *end = s.p + s.len, *q;
	int		 tok;

	if (p == NULL)
		return SLICE_NULL;
	if (name != NULL && p + 2 < end && p[2] != '[' && p[2] != '(') {
		q = memchr(p + 2, ' ', (size_t)(end - p - 2));
		*name = slice_make(p + 2, q ? q : end);
	}
	for (p += 2, tok = 0; p < end && tok < 4; tok++) {
		if (*p == '[') {
			q = memchr(p, ']', (size_t)(end - p));
			return q ? slice_make(p + 1, q) : SLICE_NULL;
		}
		if (*p == '(')
			q = memchr(p, ')', (size_t)(end - p));
		else
			q = memchr(p, ' ', (size_t)(end - p));
		if (q == NULL)
			return SLICE_NULL;
		for (p = q + 1; p < end && *p == ' '; p++)
			;
	}
	return SLICE_NULL;
}

/* The client of an H= field: its address, and its name into ev. */
static struct slice
exim_client(struct slice s, struct event *ev)
{
	struct slice	 name = SLICE_NULL, ip = exim_host(s, &name);

	if (ip.len > 0)
		ev->cname = name;
	return ip;
}

/* The first ": " in s followed by a 4xx/5xx reply, read into ev. */
static int
exim_reply_after(struct slice s, struct event *ev)
{
	const char	*p = s.p, *end = s.p + s.len;

	while ((p = slice_find(slice_make(p, end), ": ", 2)) != NULL) {
		p += 2;
		if (smtp_reply(slice_make(p, end), ev))
			return 1;
	}
	return 0;
}

/*
 * A defer without a remote reply counts when something outside Exim
 * refused: an errno of the system ("defer (111): Connection refused") or
 * a full mailbox. Exim's own negative codes without a reply ("forced
 * defer", "Failed to expand ...", TLS and DANE set-up) are its
 * bookkeeping: the message waits and nobody was told anything yet.
 */
static int
defer_told(struct slice head, struct slice why)
{
	const char	*d = SLICE_FIND(head, " defer (");

	if (d != NULL && is_digit(d[8]))
		return 1;
	return SLICE_FIND(why, "quota") != NULL ||
	    SLICE_FIND(why, "mailbox is full") != NULL;
}

/* "** addr <orig> R=r T=t H=h [ip]: reason" and "== addr ... defer (n): reason" */
static int
exim_delivery(struct slice rest, int defer, struct event *ev)
{
	const char	*p = rest.p + 3, *end = rest.p + rest.len, *q, *c;
	struct slice	 why;

	for (q = p; q < end && *q != ' ' && *q != ':'; q++)
		;
	ev->user = slice_make(p, q);
	if (ev->user.len > 1 && ev->user.p[0] == '<' && q[-1] == '>')
		ev->user = slice_make(p + 1, q - 1);
	c = slice_find(slice_make(q, end), ": ", 2);
	why = c ? slice_make(c + 2, end) : slice_make(q, end);
	while (why.len > 0 && why.p[0] == ' ')
		why = slice_make(why.p + 1, end);
	if (defer && (SLICE_STARTS(why, "retry time not") ||
	    SLICE_STARTS(why, "Retry time not") ||
	    SLICE_STARTS(why, "SMTP delivery explicitly queued") ||
	    SLICE_STARTS(why, "first-pass only routing")))
		return 0;
	ev->text = why;
	/* H=: a remote server (outbound), its name or address */
	{
		struct slice name = SLICE_NULL;
		struct slice ip = exim_host(slice_make(q, c ? c : end), &name);
		ev->remote = name.len > 0 ? name : ip;
		ev->dir = ip.len > 0 ? DIR_FROM_REMOTE : DIR_LOCAL;
	}
	if (SLICE_STARTS(why, "SMTP error from remote mail server after ") &&
	    exim_reply_after(slice_make(why.p + 41, end), ev)) {
		ev->proto = PROTO_SMTP;
		ev->dir = DIR_FROM_REMOTE;
	} else if (SLICE_STARTS(why, "LMTP error after ") &&
	    exim_reply_after(slice_make(why.p + 17, end), ev)) {
		ev->proto = PROTO_LMTP;
		ev->dir = DIR_LOCAL;	/* our own LMTP store */
	} else if (SLICE_STARTS(why, "retry timeout exceeded"))
		ev->hint = CAUSE_EXPIRED;
	else if (defer && !defer_told(slice_make(q, c ? c : end), why))
		return 0;
	return 1;
}

/* "... rejected RCPT <r>: text" at r (just after "rejected ") */
static int
exim_reject(struct slice body, const char *r, struct event *ev)
{
	const char	*end = body.p + body.len, *p, *q, *verb = r;
	struct slice	 text;

	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->client = exim_client(slice_make(body.p, r), ev);
	if (ev->client.len == 0)
		ev->client = exim_client(slice_make(r, end), ev);
	if ((end - r > 5 && memcmp(r, "RCPT ", 5) == 0) ||
	    (end - r > 5 && memcmp(r, "MAIL ", 5) == 0)) {
		p = r + 5;
		if (p < end && *p == '<')
			p++;
		for (q = p; q < end && *q != '>' && *q != ':' && *q != ' '; q++)
			;
		ev->user = slice_make(p, q);
		r = q;
	}
	if ((p = slice_find(slice_make(r, end), ": ", 2)) == NULL) {
		/* an ACL that denies without a message: local policy */
		ev->text = slice_make(verb, end);
		ev->hint = CAUSE_POLICY_REJECTION;
		return 1;
	}
	text = slice_make(p + 2, end);
	if (!smtp_reply(text, ev))
		ev->text = text;
	/*
	 * local_scan(), "dropped by ... ACL" and the connect ACL ("rejected
	 * connection in \"connect\" ACL") are site policy by definition
	 */
	if (SLICE_STARTS(slice_make(verb, end), "by local_scan()") ||
	    SLICE_STARTS(slice_make(verb, end), "connection ") ||
	    memcmp(verb - 3, "by ", 3) == 0)
		ev->hint = CAUSE_POLICY_REJECTION;
	return 1;
}

/* "<driver> authenticator failed for h (helo) [ip]:port I=..: 535 ... (set_id=u)" */
static int
exim_auth(struct slice body, const char *af, struct event *ev)
{
	const char	*end = body.p + body.len, *p;
	struct slice	 rest = slice_make(af, end), id;

	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	id = FIELD(rest, "(set_id=", ')');
	ev->user = id;
	if (!exim_reply_after(rest, ev))
		return 0;
	/* the client's [ip]: the first " [" (a helo "([ip])" has none) */
	if ((p = SLICE_FIND(slice_make(af, ev->text.p), " [")) != NULL) {
		const char *e = memchr(p, ']', (size_t)(ev->text.p - p));
		if (e != NULL)
			ev->client = slice_make(p + 2, e);
	}
	if (id.len > 0 && id.p - 8 >= ev->text.p) {
		ev->text.len = (size_t)(id.p - 8 - ev->text.p);
		while (ev->text.len > 0 && ev->text.p[ev->text.len - 1] == ' ')
			ev->text.len--;
	}
	if ((p = SLICE_FIND(ev->text, ": ")) != NULL && p + 2 < end &&
	    is_digit(p[2]))
		ev->text.len = (size_t)(p - ev->text.p);	/* ": 1 Time(s)" */
	return 1;
}

/* "SMTP protocol ..." and "SMTP call from ... dropped: ..." lines */
static int
exim_smtp_line(struct slice body, struct event *ev)
{
	const char	*p, *end = body.p + body.len;

	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->hint = CAUSE_PROTOCOL_ERROR;
	ev->client = exim_client(body, ev);
	if (SLICE_STARTS(body, "SMTP protocol synchronization error")) {
		/* Exim answers 554 "SMTP synchronization error" */
		memcpy(ev->code, "554", 4);
		p = SLICE_FIND(body, "): ");
		ev->text = slice_make(body.p, p ? p + 1 : end);
		return 1;
	}
	if (SLICE_STARTS(body, "SMTP protocol error in ")) {
		ev->text = body;
		return 1;
	}
	if (SLICE_STARTS(body, "SMTP call from ") &&
	    (p = SLICE_FIND(body, " dropped: too many ")) != NULL) {
		ev->text = slice_make(p + 10, end);
		if (ev->client.len == 0) {
			const char *b = memchr(body.p, '[', (size_t)(p - body.p));
			const char *e = b ? memchr(b, ']', (size_t)(p - b)) : NULL;
			if (e != NULL)
				ev->client = slice_make(b + 1, e);
		}
		return 1;
	}
	return 0;
}

/*
 * "<= sender H=name (helo) [ip] ... S=size": a message received, with its
 * sender and size (as Postfix's client= and qmgr's from=, size= lines
 * together). The client's domain is read from its name, else its [ip].
 */
static int
exim_received(struct slice rest, struct event *ev)
{
	const char	*p = rest.p + 3, *end = rest.p + rest.len, *q, *s;
	struct slice	 name = SLICE_NULL, ip;
	uint64_t	 n = 0;

	for (q = p; q < end && *q != ' '; q++)
		;
	ev->from = slice_make(p, q);
	if (ev->from.len == 2 && p[0] == '<' && p[1] == '>')
		ev->from = slice_make(p + 1, p + 1);	/* the null sender */
	ev->tkind = TR_RECEIVED;
	ip = exim_host(slice_make(q, end), &name);
	if (name.len > 0)
		ev->addr = name;
	else if (ip.len > 0)
		ev->addr = slice_make(ip.p - 1, ip.p + ip.len + 1);
	if ((s = slice_find(slice_make(q, end), " S=", 3)) != NULL)
		for (s += 3; s < end && is_digit(*s); s++)
			n = n * 10 + (uint64_t)(*s - '0');
	ev->size = n;
	/* "A=plain:alice": authenticated, as Postfix's sasl_username= */
	if ((s = slice_find(slice_make(q, end), " A=", 3)) != NULL) {
		for (s += 3; s < end && *s != ' ' && *s != ':'; s++)
			;
		if (s < end && *s == ':') {
			for (p = ++s; s < end && *s != ' '; s++)
				;
			ev->user = slice_make(p, s);
			ev->proto = PROTO_SMTP;
		}
	}
	return 0;
}

/* "=> addr <orig> R=..." or "-> addr ...": a recipient delivered */
static int
exim_sent(struct slice rest, struct event *ev)
{
	const char	*p = rest.p + 3, *end = rest.p + rest.len, *q, *e;

	for (q = p; q < end && *q != ' '; q++)
		;
	ev->addr = slice_make(p, q);
	/* "=> alice <alice@example.net>": the address as it was sent to */
	if (q + 1 < end && q[1] == '<' &&
	    (e = memchr(q + 2, '>', (size_t)(end - q - 2))) != NULL)
		ev->addr = slice_make(q + 2, e);
	ev->tkind = TR_SENT;
	return 0;
}

/* "Connection from [ip] refused: too many connections ...": a 421 sent */
static int
exim_refused(struct slice body, struct event *ev)
{
	const char	*p;

	if (!SLICE_STARTS(body, "Connection from ") ||
	    (p = SLICE_FIND(body, " refused: too many ")) == NULL)
		return 0;
	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->hint = CAUSE_RATE_LIMITED;
	ev->client = FIELD(slice_make(body.p, p), "[", ']');
	ev->text = slice_make(p + 10, body.p + body.len);
	return 1;
}

/* " rejected " of Exim's own, before the first ": " (so not in a reply). */
static const char *
own_reject(struct slice s)
{
	const char	*colon = SLICE_FIND(s, ": "), *r;
	struct slice	 head = colon ? slice_make(s.p, colon) : s;

	if ((r = SLICE_FIND(head, " rejected ")) != NULL)
		return r + 10;
	if ((r = SLICE_FIND(head, " dropped by ")) != NULL &&
	    SLICE_FIND(slice_make(r, head.p + head.len), " ACL") != NULL)
		return r + 12;
	return NULL;
}

/* A reject Exim counted (exim_reject), also a rejected attempt. */
static int
exim_rejected(struct slice body, const char *p, struct event *ev)
{
	int	 rc = exim_reject(body, p, ev);

	if (rc == 1)
		ev->tkind = TR_REJECTED;
	return rc;
}

/*
 * Exim's size checks: "rejected MAIL FROM:<s> H=..: message too big:
 * size=N max=M" (SIZE= over the limit) and "ID rejected from <s> H=..:
 * message too big: read=N max=M" (at DATA); the sender is the user.
 */
static int
exim_toobig(struct slice body, const char *r, const char *from,
    struct event *ev)
{
	if (exim_rejected(body, r, ev) != 1)
		return 0;
	ev->user = field_until(body, from, strlen(from), '>');
	if (SLICE_STARTS(ev->text, "message too big"))
		ev->hint = CAUSE_MESSAGE_TOO_LARGE;
	return 1;
}

/*
 * "spool directory space check failed: space=K inodes=N" (or "log
 * directory"): told "452 Space shortage"; K is the kilobytes free
 * (-1 when statvfs failed: no figure).
 */
static int
exim_spool(struct slice body, struct event *ev)
{
	const char	*p = SLICE_FIND(body, " space="), *end = body.p + body.len;
	uint64_t	 k;

	if (p != NULL && parse_u64(p + 7, end, &k) > 0) {
		ev->space = body.p[0] == 'l' ? SP_LOGDIR : SP_SPOOL;
		ev->free = k > UINT64_MAX / 1024 ? UINT64_MAX : k * 1024;
	}
	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	memcpy(ev->code, "452", 4);
	ev->text = body;
	ev->hint = CAUSE_SYSTEM_STORAGE;
	ev->tkind = TR_REJECTED;	/* MAIL FROM refused */
	return 1;
}

/*
 * Most mainlog lines are "id <= ", "id => ", "id -> " or "id Completed":
 * with a message id, only the two bytes after it are looked at unless
 * the line is "id H=...", "id U=..." or "id F=...". Lines without an id
 * are looked at by their first bytes: "H=" (or "U=", a local SMTP
 * session's, which has no host), "SMTP ", or a second word
 * "authenticator".
 */
static int
exim_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 body = exim_body(ll->msg, &ev->host), rest;
	const char	*p, *sp;
	size_t		 n;

	if (body.len < 4)
		return 0;
	if ((n = msgid_len(body)) > 0) {
		rest = slice_make(body.p + n, body.p + body.len);
		if (rest.len < 4)
			return 0;
		ev->qid = slice_make(body.p, body.p + n - 1);
		if (rest.p[2] == ' ' && rest.p[1] == '=' &&
		    (rest.p[0] == '<'))
			return exim_received(rest, ev);
		if (rest.p[2] == ' ' && rest.p[1] == '>' &&
		    (rest.p[0] == '=' || rest.p[0] == '-'))
			return exim_sent(rest, ev);
		if (SLICE_EQ(rest, "Completed"))
			return ev->tkind = TR_REMOVED, 0;
		if (rest.p[0] == '*' && rest.p[1] == '*' && rest.p[2] == ' ') {
			ev->tkind = TR_BOUNCED;
			return exim_delivery(rest, 0, ev);
		}
		if (rest.p[0] == '=' && rest.p[1] == '=' && rest.p[2] == ' ') {
			/* an attempt that failed: a deferral; a wait is none */
			if (exim_delivery(rest, 1, ev) != 1)
				return 0;
			ev->tkind = TR_DEFERRED;
			return 1;
		}
		if (SLICE_STARTS(rest, "rejected from <"))
			return exim_toobig(body, rest.p + 9, "from <", ev);
		if ((rest.p[0] != 'H' && rest.p[0] != 'F' && rest.p[0] != 'U') ||
		    rest.p[1] != '=')
			return 0;
		p = own_reject(rest);
		return p ? exim_rejected(body, p, ev) : 0;
	}
	switch (body.p[0]) {
	case 'C':
		return exim_refused(body, ev);
	case 'H':
	case 'U':	/* local SMTP (-bs): "U=ident", no host (host_and_ident) */
		if (body.p[1] != '=')
			return 0;
		p = own_reject(body);
		return p ? exim_rejected(body, p, ev) : 0;
	case 'S':
		return SLICE_STARTS(body, "SMTP ") ? exim_smtp_line(body, ev) : 0;
	case 'r':
		return SLICE_STARTS(body, "rejected MAIL FROM:<") ?
		    exim_toobig(body, body.p + 9, "FROM:<", ev) : 0;
	case 's':
		return SLICE_STARTS(body, "spool directory space check failed") ?
		    exim_spool(body, ev) : 0;
	case 'l':	/* "login authenticator ..." goes on below */
		if (SLICE_STARTS(body, "log directory space check failed"))
			return exim_spool(body, ev);
		break;
	}
	sp = memchr(body.p, ' ', body.len < 32 ? body.len : 32);
	if (sp != NULL && SLICE_STARTS(slice_make(sp + 1, body.p + body.len),
	    "authenticator failed for "))
		return exim_auth(body, sp + 1, ev);
	return 0;
}

const struct parser parser_exim = {
	.name = "exim",
	.first = 'e',
	.owns = exim_owns,
	.sniff = exim_sniff,
	.parse = exim_parse,
};
