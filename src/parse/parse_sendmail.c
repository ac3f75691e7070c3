/*
 * Sendmail ("sendmail", "sm-mta", "sm-msp-queue" and other "sm-" names
 * set with -L): delivery results, rejects of the SMTP server, SASL
 * failures, and the traffic around them.
 *
 * Counted, one event per line:
 *  - "QID: to=<r>, ..., mailer=m, ..., dsn=4.x.x, stat=Deferred: 452 4.3.1
 *    ...": a delivery attempt that failed (dsn 4.x.x or 5.x.x, or a stat
 *    of "Deferred"); the reply after "Deferred: " or the stat text.
 *  - "QID: ruleset=check_rcpt, arg1=<r>, relay=h [ip], reject=550 5.7.1
 *    <r>... text": a reply sent to a client; the user is arg1 for
 *    check_rcpt and check_mail, none for check_relay (arg1 is a host).
 *  - "QID: Milter: to=<r>, reject=550 5.7.1 text" (also "from=", "data",
 *    "cmd=data", "helo=", "connect:"): a milter's reply sent to a client.
 *  - "QID: <r>... User unknown": the RCPT reply sendmail sent.
 *  - "QID: AUTH failure (MECH): ..., user=u, relay=h [ip]": the 535 sent.
 *  - "QID: message size (n) exceeds maximum (m)": the 552 5.2.3 sent.
 *  - "QID: rejecting commands from h [ip] due to pre-greeting traffic".
 * Not counted: the notices that follow a failure ("QID: QID2: DSN: ...",
 * "postmaster notify: ...", "return to sender: ...", "sender notify:
 * ..."), "possible SMTP attack: command=AUTH, count=N" (each AUTH failure
 * was logged already), "did not issue MAIL", "lost input channel", and
 * "milter=NAME, ..., reject=" (the same reject again, at a higher
 * MilterLogLevel).
 *
 * Traffic (sendmail's logsender() and logdelivery(), sendmail 8.x):
 *  - "QID: from=S, size=N, class=C, nrcpts=R, ..., relay=h [ip]" with R
 *    and N above 0 is a message received, with its sender and size.
 *    Sendmail writes the from= line once per envelope: after the DATA
 *    was collected, or when a transaction ends without one (RSET, QUIT,
 *    a lost connection), then with size=0 and, if no RCPT was taken,
 *    nrcpts=0; neither of the latter is a message.
 *  - "QID: to=R1,<R2>,..., stat=Sent (...)": each recipient of the list
 *    delivered (one line names all the recipients of one delivery to
 *    one host; a long list goes on over "[more]" lines); with dsn=4.x.x
 *    or stat=Deferred each is a deferral, with dsn=5.x.x a bounce. The
 *    DSN notices sendmail then sends have no from= line (not received),
 *    and their own to= line is a delivery, as Postfix's bounce notices.
 *  - every reject above (ruleset, Milter, "<r>... text", message size,
 *    pre-greeting) is a rejected attempt; AUTH failures are failed
 *    logins, "AUTH=server, relay=..., authid=u, mech=M" successful ones.
 */
#include <string.h>

#include "mxtally/cause.h"
#include "parse_int.h"

static int
sendmail_owns(struct slice prog)
{
	return SLICE_EQ(prog, "sendmail") || SLICE_STARTS(prog, "sm-");
}

/* "relay=host [ip]" or "relay=[ip]": the ip. */
static struct slice
relay_ip(struct slice s)
{
	struct slice	 r = FIELD(s, "relay=", ',');
	const char	*b, *e;

	if (r.len == 0 || (b = memchr(r.p, '[', r.len)) == NULL ||
	    (e = memchr(b, ']', (size_t)(r.p + r.len - b))) == NULL)
		return SLICE_NULL;
	if (e - b > 6 && memcmp(b + 1, "IPv6:", 5) == 0)
		b += 5;
	return slice_make(b + 1, e);
}

/* "relay=name. [ip]": the name without its dot, else empty */
static struct slice
relay_name(struct slice s)
{
	struct slice	 r = FIELD(s, "relay=", ',');
	const char	*e;

	if (r.len == 0 || r.p[0] == '[')
		return SLICE_NULL;
	e = memchr(r.p, ' ', r.len);
	r = slice_make(r.p, e ? e : r.p + r.len);
	if (r.len > 0 && r.p[r.len - 1] == '.')
		r.len--;
	return r;
}

/* "relay=name [ip]" at s into the client of ev: address and name */
static void
relay_client(struct slice s, struct event *ev)
{
	ev->client = relay_ip(s);
	ev->cname = ev->client.len > 0 ? relay_name(s) : SLICE_NULL;
}

/* "<a@b>" -> "a@b" */
static struct slice
unbracket(struct slice s)
{
	if (s.len >= 2 && s.p[0] == '<' && s.p[s.len - 1] == '>')
		return slice_make(s.p + 1, s.p + s.len - 1);
	return s;
}

/*
 * The recipients of "to=LIST, ...": up to the first ", " (sendmail
 * joins them with a bare ','; a "[more]" line's list ends in ',').
 * Their number into *n.
 */
static struct slice
rcpt_list(struct slice rest, uint32_t *n)
{
	const char	*p = rest.p + 3, *end = rest.p + rest.len, *c;
	struct slice	 l = slice_make(p, end);

	if ((c = SLICE_FIND(l, ", ")) != NULL)
		l = slice_make(p, end = c);
	for (*n = 0; p < end; p = c + 1) {
		if ((c = memchr(p, ',', (size_t)(end - p))) == NULL)
			c = end;
		*n += c > p;
	}
	return l;
}

/* Reply text after "<addr>... ", as sendmail words its RCPT replies. */
static struct slice
after_dots(struct slice text)
{
	const char	*p = SLICE_FIND(text, "... ");

	if (p != NULL && text.p[0] == '<')
		return slice_make(p + 4, text.p + text.len);
	return text;
}

static int
mailer_proto(struct slice m)
{
	if (SLICE_EQ(m, "esmtp") || SLICE_EQ(m, "smtp") ||
	    SLICE_EQ(m, "relay") || SLICE_EQ(m, "dsmtp") ||
	    SLICE_EQ(m, "smtp8"))
		return PROTO_SMTP;
	if (SLICE_EQ(m, "lmtp") || SLICE_STARTS(m, "cyrus"))
		return PROTO_LMTP;
	return PROTO_NONE;
}

/*
 * sendmail's fixed texts for the mailer's exit status (sysexits.h), which
 * it writes as stat= when the mailer gave no reply of its own. They say
 * which exit the mailer took, not why: the dsn= beside them says more.
 */
static const char *const exit_labels[] = {
	"Bad usage", "Data format error", "Cannot open input",
	"User unknown", "Host unknown", "Service unavailable",
	"Internal error", "Operating system error", "System file missing",
	"Can't create output", "I/O error", "Deferred",
	"Remote protocol error", "Insufficient permission",
	"Local configuration error",
};

/* 1 if stat is one of exit_labels, alone or before " (" or ": ". */
static int
is_exit_label(struct slice stat)
{
	size_t	 i, n;

	for (i = 0; i < sizeof(exit_labels) / sizeof(exit_labels[0]); i++) {
		n = strlen(exit_labels[i]);
		if (slice_starts(stat, exit_labels[i], n) && (stat.len == n ||
		    (stat.len > n + 1 && (stat.p[n] == ' ' || stat.p[n] == ':') &&
		    (stat.p[n + 1] == '(' || stat.p[n + 1] == ' '))))
			return 1;
	}
	return 0;
}

/* "to=<r>,<r2>, ..., dsn=5.1.1, stat=User unknown" */
static int
sendmail_delivery(struct slice rest, struct event *ev)
{
	const char	*end = rest.p + rest.len, *p;
	struct slice	 dsn = FIELD(rest, ", dsn=", ','), stat, to;
	struct event	 r;

	if ((p = SLICE_FIND(rest, ", stat=")) == NULL)
		return 0;
	stat = slice_make(p + 7, end);
	if (SLICE_STARTS(stat, "Sent") && (stat.len == 4 || stat.p[4] == ' ')) {
		ev->addr = rcpt_list(rest, &ev->nrcpt);
		ev->flags |= EV_RCPT_LIST;
		ev->tkind = TR_SENT;	/* traffic, no event */
		return 0;
	}
	if (dsn.len > 0 && dsn.p[0] == '2')
		return 0;
	if (dsn.len == 0 && !SLICE_STARTS(stat, "Deferred"))
		return 0;
	ev->addr = rcpt_list(rest, &ev->nrcpt);
	ev->flags |= EV_RCPT_LIST;
	ev->tkind = dsn.len > 0 && dsn.p[0] == '5' ? TR_BOUNCED : TR_DEFERRED;
	to = ev->addr;
	if ((p = memchr(to.p, ',', to.len)) != NULL)
		to.len = (size_t)(p - to.p);
	ev->user = unbracket(to);
	ev->proto = (uint8_t)mailer_proto(FIELD(rest, ", mailer=", ','));
	if (dsn.len > 0 && enhanced_len(dsn.p, dsn.p + dsn.len) == dsn.len)
		copy_code(ev->enh, sizeof(ev->enh), dsn.p, dsn.p + dsn.len);
	if (SLICE_STARTS(stat, "Deferred: "))
		stat = slice_make(stat.p + 10, end);
	event_reset(&r);
	ev->text = stat;
	/* an SMTP mailer delivers to another server: outbound */
	ev->dir = ev->proto == PROTO_SMTP ? DIR_FROM_REMOTE : DIR_LOCAL;
	if (ev->dir == DIR_FROM_REMOTE) {
		ev->remote = relay_name(rest);
		if (ev->remote.len == 0)
			ev->remote = relay_ip(rest);
	}
	if (is_exit_label(stat))
		ev->flags |= EV_LABEL;
	else if (smtp_reply(stat, &r)) {
		/* the reply's code and text; dsn= stays the enhanced code */
		memcpy(ev->code, r.code, sizeof(ev->code));
		if (ev->enh[0] == '\0')
			memcpy(ev->enh, r.enh, sizeof(ev->enh));
		ev->text = r.text;
	}
	return 1;
}

/* "ruleset=check_rcpt, arg1=<r>, relay=h [ip], reject=550 5.7.1 <r>... text" */
static int
sendmail_ruleset(struct slice rest, struct event *ev)
{
	const char	*p = SLICE_FIND(rest, ", reject=");
	struct slice	 reply;

	if (p == NULL)
		return 0;
	reply = slice_make(p + 9, rest.p + rest.len);
	if (!smtp_reply(reply, ev))
		return 0;
	ev->text = after_dots(ev->text);
	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->tkind = TR_REJECTED;
	relay_client(rest, ev);
	if (SLICE_STARTS(rest, "ruleset=check_rcpt,") ||
	    SLICE_STARTS(rest, "ruleset=check_mail,"))
		ev->user = unbracket(FIELD(rest, "arg1=", ','));
	return 1;
}

/* "AUTH failure (LOGIN): authentication failure (-13) ..., user=u, relay=h [ip]" */
static int
sendmail_auth(struct slice rest, struct event *ev)
{
	const char	*p = memchr(rest.p, ':', rest.len), *end = rest.p + rest.len;
	const char	*u = SLICE_FIND(rest, ", user=");
	const char	*r = SLICE_FIND(rest, ", relay=");

	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->hint = CAUSE_AUTH_FAILURE;
	memcpy(ev->code, "535", 4);
	ev->user = FIELD(rest, ", user=", ',');
	relay_client(rest, ev);
	p = p ? p + 2 : rest.p;
	if (p > end)
		p = end;
	ev->text = slice_make(p, u ? u : r ? r : end);
	return 1;
}

/* "<r>... User unknown" */
static int
sendmail_rcpt(struct slice rest, struct event *ev)
{
	const char	*p = SLICE_FIND(rest, ">... ");

	if (p == NULL)
		return 0;
	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->tkind = TR_REJECTED;
	ev->user = slice_make(rest.p + 1, p);
	ev->text = slice_make(p + 5, rest.p + rest.len);
	return 1;
}

/*
 * "from=S, size=N, class=C, nrcpts=R, ..., relay=h [ip]": a message
 * received when R and N are above 0 (see the top). The client for its
 * domain is the relay's name, else its "[ip]"; "user@localhost" of a
 * local submission is "localhost".
 */
static int
sendmail_from(struct slice rest, struct event *ev)
{
	const char	*end = rest.p + rest.len, *p, *e;
	struct slice	 f, r;
	uint64_t	 size = 0, n = 0;

	if ((p = SLICE_FIND(rest, ", size=")) == NULL ||
	    parse_u64(p + 7, end, &size) == 0 || size == 0)
		return 0;
	f = slice_make(rest.p + 5, p);
	if ((p = SLICE_FIND(rest, ", nrcpts=")) == NULL ||
	    parse_u64(p + 9, end, &n) == 0 || n == 0)
		return 0;
	ev->tkind = TR_RECEIVED;
	ev->size = size;
	ev->from = unbracket(f);
	if ((p = SLICE_FIND(slice_make(p, end), ", relay=")) == NULL)
		return 0;
	r = slice_make(p + 8, end);
	if (r.len > 0 && r.p[0] == '[') {
		if ((e = memchr(r.p, ']', r.len)) != NULL)
			ev->addr = slice_make(r.p, e + 1);
		return 0;
	}
	if ((e = memchr(r.p, ' ', r.len)) != NULL)
		r.len = (size_t)(e - r.p);
	if ((e = memchr(r.p, '@', r.len)) != NULL)
		r = slice_make(e + 1, r.p + r.len);
	if (r.len > 0 && r.p[r.len - 1] == '.')
		r.len--;
	ev->addr = r;
	return 0;
}

/* "AUTH=server, relay=h [ip], authid=u, mech=M, bits=N": a login */
static int
sendmail_auth_ok(struct slice msg, struct event *ev)
{
	ev->proto = PROTO_SMTP;
	ev->user = FIELD(msg, ", authid=", ',');
	ev->tkind = TR_LOGIN_OK;	/* traffic, no event */
	return 0;
}

/* "Milter: to=<r>, reject=550 5.7.1 text" (from=, data, helo=, ...) */
static int
sendmail_milter(struct slice rest, struct event *ev)
{
	const char	*p = SLICE_FIND(rest, ", reject=");

	if (p == NULL || !smtp_reply(slice_make(p + 9, rest.p + rest.len), ev))
		return 0;
	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->tkind = TR_REJECTED;
	if (SLICE_STARTS(rest, "Milter: to=") ||
	    SLICE_STARTS(rest, "Milter: from="))
		ev->user = unbracket(slice_make((const char *)memchr(rest.p,
		    '=', rest.len) + 1, p));
	else if (SLICE_STARTS(rest, "Milter: connect: "))
		ev->client = FIELD(rest, ", addr=", ',');
	return 1;
}

/*
 * The line starts with "ruleset=", "AUTH=server", "Milter: " or a queue
 * id and ": "; the word after it picks the case, so most lines are
 * passed over after a few compares (and one search for the dsn).
 */
static int
sendmail_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg, rest;
	const char	*p;

	if (SLICE_STARTS(msg, "ruleset="))
		return sendmail_ruleset(msg, ev);
	if (SLICE_STARTS(msg, "AUTH=server, "))
		return sendmail_auth_ok(msg, ev);
	if (SLICE_STARTS(msg, "Milter: "))
		return sendmail_milter(msg, ev);
	p = memchr(msg.p, ' ', msg.len < 24 ? msg.len : 24);
	if (p == NULL || p[-1] != ':')
		return 0;
	rest = slice_from(msg, p + 1);
	if (rest.len < 4)
		return 0;
	ev->qid = slice_make(msg.p, p - 1);
	switch (rest.p[0]) {
	case 't':
		return SLICE_STARTS(rest, "to=") ? sendmail_delivery(rest, ev) : 0;
	case 'f':
		return SLICE_STARTS(rest, "from=") ? sendmail_from(rest, ev) : 0;
	case 'M':
		return SLICE_STARTS(rest, "Milter: ") ?
		    sendmail_milter(rest, ev) : 0;
	case 'r':
		if (SLICE_STARTS(rest, "ruleset="))
			return sendmail_ruleset(rest, ev);
		if (SLICE_STARTS(rest, "rejecting commands from ") &&
		    SLICE_FIND(rest, "pre-greeting traffic") != NULL) {
			ev->proto = PROTO_SMTP;
			ev->dir = DIR_TO_CLIENT;
			ev->hint = CAUSE_PROTOCOL_ERROR;
			ev->tkind = TR_REJECTED;
			ev->client = FIELD(rest, "[", ']');
			ev->text = rest;
			return 1;
		}
		return 0;
	case '<':
		return sendmail_rcpt(rest, ev);
	case 'A':
		return SLICE_STARTS(rest, "AUTH failure (") ?
		    sendmail_auth(rest, ev) : 0;
	case 'm':
		if (!SLICE_STARTS(rest, "message size ("))
			return 0;
		ev->proto = PROTO_SMTP;
		ev->dir = DIR_TO_CLIENT;
		ev->tkind = TR_REJECTED;
		memcpy(ev->code, "552", 4);
		memcpy(ev->enh, "5.2.3", 6);
		ev->text = rest;
		return 1;
	}
	return 0;
}

const struct parser parser_sendmail = {
	.name = "sendmail",
	.first = 's',
	.owns = sendmail_owns,
	.parse = sendmail_parse,
};
