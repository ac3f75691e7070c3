/*
 * Microsoft Exchange protocol logs: CSV files with no syslog header,
 * found by sniff (an ISO stamp and then ','; see parse_header).
 *
 * Two layouts. The event layout of SMTP Receive/Send logs ("date-time,
 * connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,
 * event,data,context") and of POP3/IMAP4 logs of Exchange 2010
 * ("dateTime,sessionId,seqNumber,localEndPoint,remoteEndPoint,eventType,
 * data,context"): the event field is one character, '>' for what the
 * server sent and '<' for what it received, and the remote endpoint
 * comes just before it. A failure is data that is a failed reply: sent
 * to a client ('>': "-ERR ...", "a1 NO ...", "535 5.7.3 ...") or, in a
 * Send log, received from a remote server ('<' and a 4xx/5xx code;
 * commands never start with a digit). The command layout of POP3/IMAP4
 * logs of Exchange 2013 and later ("dateTime,sessionId,seqNumber,sIp,
 * cIp,user,duration,rqsize,rpsize,command,parameters,context") keeps the
 * reply in the context as R="..." (doubled quotes when the field is
 * quoted); the user is the sixth field.
 *
 * In the event layout the login is on an earlier line ("<,USER alice",
 * or base64 in AUTH LOGIN), so failed logins carry no user; a refused
 * recipient does when the reply names it ("Recipient u@x not found").
 * "* NO" untagged replies are warnings and not counted. "#Software:"
 * and the other header lines have no stamp and are no events.
 *
 * Traffic: in a Receive log, the "250 2.6.0 <id> [...] Queued mail for
 * delivery" sent after DATA or BDAT LAST is a message received, and a
 * failed reply sent to a client a rejected attempt, except AUTH's 535
 * (a failed login) and the command errors 500-504; in a Send log, a
 * remote server's 4xx is a deferral and its 5xx a bounce. In the
 * command layout, "pass" answered "+OK" is a POP3 login and "login" or
 * "authenticate" answered "tag OK" an IMAP4 one. Deliveries are not
 * counted: a Send log's 250 after DATA reads differently for every
 * remote server, and the message tracking logs are another format.
 */
#include <string.h>

#include "parse_int.h"

static int
exchange_owns(struct slice prog)
{
	(void)prog;
	return 0;
}

static int
exchange_sniff(const struct logline *ll)
{
	return ll->msg.len > 1 && ll->msg.p[0] == ',';
}

/* "1.2.3.4:25" or "[::1]:25": the address without the port. */
static struct slice
endpoint_ip(struct slice f)
{
	const char	*end = f.p + f.len, *c;

	if (f.len > 0 && f.p[0] == '[' &&
	    (c = memchr(f.p, ']', f.len)) != NULL)
		return slice_make(f.p + 1, c);
	c = memrchr(f.p, ':', f.len);
	if (c != NULL && memchr(f.p, ':', (size_t)(c - f.p)) == NULL)
		return slice_make(f.p, c);
	return slice_make(f.p, end);
}

/* The field of msg (which starts at the ',' after the stamp) numbered i >= 1. */
static struct slice
csv_field(struct slice msg, int i)
{
	const char	*p = msg.p, *end = msg.p + msg.len, *q;

	while (i-- > 0) {
		if ((p = memchr(p, ',', (size_t)(end - p))) == NULL)
			return SLICE_NULL;
		p++;
	}
	q = memchr(p, ',', (size_t)(end - p));
	return slice_make(p, q ? q : end);
}

/* The data field at p: quoted ("..." with "" inside) or up to ','. */
static struct slice
csv_data(const char *p, const char *end)
{
	const char	*q;

	if (p < end && *p == '"') {
		for (q = ++p; q < end; q++)
			if (*q == '"') {
				if (q + 1 < end && q[1] == '"')
					q++;
				else
					break;
			}
		return slice_make(p, q);
	}
	q = memchr(p, ',', (size_t)(end - p));
	return slice_make(p, q ? q : end);
}

/* A failed reply in s, but no untagged "* NO" warning. */
static int
exchange_reply(struct slice s, struct event *ev)
{
	if (SLICE_STARTS(s, "* NO "))
		return 0;
	return parse_reply(s, ev);
}

/* "... Recipient u@x not found ...": the address. */
static struct slice
named_rcpt(struct slice text)
{
	const char	*p = SLICE_FIND(text, "Recipient "), *end, *q;

	if (p == NULL)
		return SLICE_NULL;
	p += 10;
	end = text.p + text.len;
	for (q = p; q < end && *q != ' ' && *q != ';' && *q != ','; q++)
		;
	if (memchr(p, '@', (size_t)(q - p)) == NULL)
		return SLICE_NULL;
	return slice_make(p, q);
}

/* The event layout: ev at the event character. */
static int
exchange_event(struct slice msg, const char *e, struct event *ev)
{
	const char	*end = msg.p + msg.len, *b;
	struct slice	 data = csv_data(e + 2, end);
	char		 c = data.len > 0 ? data.p[0] : '\0';

	/* cheap first: replies start with '-', a digit or a tag */
	if (*e == '<' && c != '4' && c != '5')
		return 0;
	if (c == '2' && *e == '>' && SLICE_STARTS(data, "250 2.6.0 ") &&
	    SLICE_FIND(data, "Queued mail for delivery") != NULL) {
		ev->tkind = TR_RECEIVED;	/* traffic, no event */
		return 0;
	}
	if (c == '+' || c == '2' || c == '3' || c == '\0')
		return 0;
	if (!exchange_reply(data, ev))
		return 0;
	ev->dir = *e == '>' ? DIR_TO_CLIENT : DIR_FROM_REMOTE;
	if (ev->proto == PROTO_SMTP && ev->dir == DIR_FROM_REMOTE)
		ev->tkind = ev->code[0] == '5' ? TR_BOUNCED : TR_DEFERRED;
	else if (ev->proto == PROTO_SMTP && strcmp(ev->code, "535") != 0 &&
	    !(ev->code[0] == '5' && ev->code[1] == '0' && ev->code[2] <= '4'))
		ev->tkind = TR_REJECTED;
	for (b = e - 1; b > msg.p && b[-1] != ','; b--)
		;
	/* the remote endpoint: a client (inbound), else the server we sent to */
	if (ev->dir == DIR_TO_CLIENT)
		ev->client = endpoint_ip(slice_make(b, e - 1));
	else
		ev->remote = endpoint_ip(slice_make(b, e - 1));
	if (ev->proto == PROTO_SMTP)
		ev->user = named_rcpt(ev->text);
	return 1;
}

/* A POP3 "pass" answered "+OK", an IMAP4 login answered "tag OK". */
static int
exchange_login(struct slice msg, struct slice reply, struct event *ev)
{
	struct slice	 cmd = csv_field(msg, 9);
	const char	*sp;

	if (SLICE_EQ(cmd, "pass") && SLICE_STARTS(reply, "+OK"))
		ev->proto = PROTO_POP3;
	else if ((SLICE_EQ(cmd, "login") || SLICE_EQ(cmd, "authenticate")) &&
	    (sp = memchr(reply.p, ' ', reply.len)) != NULL &&
	    SLICE_STARTS(slice_make(sp + 1, reply.p + reply.len), "OK"))
		ev->proto = PROTO_IMAP;
	else
		return 0;
	ev->user = csv_field(msg, 5);
	ev->tkind = TR_LOGIN_OK;	/* traffic, no event */
	return 0;
}

/* The command layout: R="reply" in the context. */
static int
exchange_command(struct slice msg, const char *r, struct event *ev)
{
	const char	*p = r + 2, *end = msg.p + msg.len, *q;
	struct slice	 reply;

	while (p < end && *p == '"')
		p++;
	for (q = p; q < end && *q != '"' && *q != ';'; q++)
		;
	reply = slice_make(p, q);
	if (!exchange_reply(reply, ev))
		return exchange_login(msg, reply, ev);
	ev->dir = DIR_TO_CLIENT;
	ev->client = endpoint_ip(csv_field(msg, 4));
	ev->user = csv_field(msg, 5);
	return 1;
}

static int
exchange_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg;
	const char	*e, *r;

	if ((e = SLICE_FIND(msg, ",>,")) != NULL ||
	    (e = SLICE_FIND(msg, ",<,")) != NULL)
		return exchange_event(msg, e + 1, ev);
	if ((r = SLICE_FIND(msg, "R=")) != NULL &&
	    (r == msg.p || r[-1] == ',' || r[-1] == '"' || r[-1] == ';'))
		return exchange_command(msg, r, ev);
	return 0;
}

const struct parser parser_exchange = {
	.name = "exchange",
	.first = ',',		/* never a program's first byte: sniff only */
	.owns = exchange_owns,
	.sniff = exchange_sniff,
	.parse = exchange_parse,
};
