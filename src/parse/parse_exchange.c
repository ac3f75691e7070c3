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
 * counted from protocol logs: a Send log's 250 after DATA reads
 * differently for every remote server.
 *
 * Message tracking logs (MSGTRK, "date-time,client-ip,client-hostname,
 * server-ip,server-hostname,source-context,connector-id,source,event-id,
 * internal-message-id,message-id,[network-message-id,]recipient-address,
 * recipient-status,total-bytes,recipient-count,...,sender-address,..."
 * per Microsoft's documentation of the message tracking log; Exchange
 * 2013 and later insert network-message-id, a GUID, after message-id)
 * count traffic: RECEIVE a message received (total-bytes its size,
 * sender-address its sender), DELIVER (to a mailbox) and SEND (by SMTP
 * to another server) a delivery to each recipient (recipient-address
 * lists them with ';'), DEFER a deferral and FAIL a bounce of each; the
 * internal-message-id joins a message's events. A DEFER or FAIL whose
 * recipient-status starts with a 4xx/5xx reply is also an error event,
 * one per recipient: a remote server's (source SMTP, outbound, its
 * server-hostname the remote) or our own routing or delivery's (local).
 * Other events (DSN, EXPAND, RESOLVE, AGENTINFO, ...) count nothing.
 */
#include <ctype.h>
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

/* The closing quote of a quoted field at p ("" inside it), or end. */
static const char *
csv_quote_end(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p == '"') {
			if (p + 1 < end && p[1] == '"')
				p++;
			else
				break;
		}
	return p;
}

/* The data field at p: quoted ("..." with "" inside) or up to ','. */
static struct slice
csv_data(const char *p, const char *end)
{
	const char	*q;

	if (p < end && *p == '"') {
		q = csv_quote_end(++p, end);
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

/*
 * The fields of a message tracking line (msg starts at the ',' after the
 * stamp; f[0] is the field after it), the first n kept: a quoted field
 * ("...", with "" inside) without its quotes. Returns how many the line
 * has (all of them, not only the n kept).
 */
static int
trk_fields(struct slice msg, struct slice *f, int n)
{
	const char	*p = msg.p + 1, *end = msg.p + msg.len, *q;
	struct slice	 skip, *dst;
	int		 i;

	for (i = 0; p <= end; i++, p = q + 1) {
		dst = i < n ? &f[i] : &skip;
		if (p < end && *p == '"') {
			q = csv_quote_end(++p, end);
			*dst = slice_make(p, q);
			q = q < end ? q + 1 : end;
			if (q < end && *q != ',')
				return i + 1;	/* not CSV: stop */
		} else {
			q = memchr(p, ',', (size_t)(end - p));
			q = q ? q : end;
			*dst = slice_make(p, q);
		}
	}
	return i;
}

/* "8-4-4-4-12" hex digits: a network-message-id (Exchange 2013+) */
static int
is_guid(struct slice s)
{
	size_t	 i;

	if (s.len != 36)
		return 0;
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ?
		    s.p[i] != '-' : !isxdigit((unsigned char)s.p[i]))
			return 0;
	return 1;
}

/* Fields of a tracking line, f[0] the one after date-time */
enum {
	TRK_CIP = 0, TRK_CHOST = 1, TRK_SHOST = 3, TRK_SOURCE = 6,
	TRK_EVENT = 7, TRK_ID = 8,
	TRK_RCPT = 10,		/* recipient-address, one later in 2013+ */
	TRK_N = 20
};

/* The event-ids that count nothing (Microsoft's list) */
static int
trk_other(struct slice id)
{
	static const char *const ids[] = {
		"DSN", "EXPAND", "RESOLVE", "REDIRECT", "SUBMIT", "TRANSFER",
		"BADMAIL", "POISONMESSAGE", "AGENTINFO", "HAREDIRECT",
		"HARECEIVE", "DUPLICATEDELIVER", "DUPLICATEEXPAND",
		"DUPLICATEREDIRECT", "DROP", "NOTIFYMAPI", "PROCESS",
		"RECEIVENOTIFY", "THROTTLE", "INITMESSAGECREATED",
		"MODERATORAPPROVE", "MODERATORREJECT", "MODERATIONEXPIRE",
		"SUBMITDEFER", "SUBMITDROP", "SAFETYNETSUBMIT"
	};
	size_t	 i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (id.len == strlen(ids[i]) && memcmp(id.p, ids[i], id.len) == 0)
			return 1;
	return 0;
}

/*
 * A message tracking line (see the top of the file), known by its
 * event-id: returns 1 and sets *rc as parse_line's; 0 for any other line.
 */
static int
exchange_track(struct slice msg, struct event *ev, int *rc)
{
	struct slice	 f[TRK_N], id, rcpt, status, bytes;
	const char	*p;
	int		 n, k, kind;
	uint32_t	 nr = 1;

	if ((n = trk_fields(msg, f, TRK_N)) <= TRK_RCPT + 8)
		return 0;
	id = f[TRK_EVENT];
	*rc = 0;
	if (SLICE_EQ(id, "RECEIVE"))
		kind = TR_RECEIVED;
	else if (SLICE_EQ(id, "DELIVER") || SLICE_EQ(id, "SEND"))
		kind = TR_SENT;
	else if (SLICE_EQ(id, "DEFER"))
		kind = TR_DEFERRED;
	else if (SLICE_EQ(id, "FAIL"))
		kind = TR_BOUNCED;
	else
		return trk_other(id);	/* tracked, nothing counted */
	/*
	 * 2013 and later have network-message-id, a GUID or empty, and
	 * at least 26 fields after date-time; 2010 has 25, 2007 20
	 */
	k = is_guid(f[TRK_RCPT]) || (f[TRK_RCPT].len == 0 && n >= 26) ?
	    TRK_RCPT + 1 : TRK_RCPT;
	rcpt = f[k];
	status = f[k + 1];
	bytes = f[k + 2];
	ev->qid = f[TRK_ID];
	parse_u64(bytes.p, bytes.p + bytes.len, &ev->size);
	ev->tkind = (uint8_t)kind;
	if (kind == TR_RECEIVED) {
		ev->addr = f[TRK_CHOST].len > 0 ? f[TRK_CHOST] : f[TRK_CIP];
		ev->from = f[k + 7];		/* sender-address */
		return 1;
	}
	for (p = rcpt.p; (p = memchr(p, ';', (size_t)(rcpt.p + rcpt.len -
	    p))) != NULL; p++)
		nr++;
	ev->addr = rcpt;
	if (nr > 1) {
		ev->flags |= EV_RCPT_LIST;
		ev->nrcpt = nr;
	}
	if (kind == TR_SENT || !smtp_reply(status, ev))
		return 1;
	/* refused recipients: one event each */
	ev->proto = PROTO_SMTP;
	ev->count = nr;
	if (nr == 1)
		ev->user = rcpt;
	if (SLICE_EQ(f[TRK_SOURCE], "SMTP")) {
		ev->dir = DIR_FROM_REMOTE;
		ev->remote = f[TRK_SHOST];
	} else
		ev->dir = DIR_LOCAL;
	*rc = 1;
	return 1;
}

static int
exchange_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg;
	const char	*e, *r;
	int		 rc;

	if (exchange_track(msg, ev, &rc))
		return rc;
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
