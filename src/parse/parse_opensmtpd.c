/*
 * OpenSMTPD (6.x and 7.x) through syslog, program "smtpd". Every line of
 * interest starts with a 16-digit hex session or message id and a
 * subsystem word; 6.4 and later write "smtp failed-command ...", 6.0 to
 * 6.3 "smtp event=failed-command address=ip host=name ...". Both read.
 *
 * Counted, one event per line:
 *  - "smtp failed-command command="RCPT TO:<x>" result="550 Invalid
 *    recipient: <x>"": a 4xx/5xx reply sent to a client. The user is the
 *    address of a RCPT TO command, else none; 6.x names the client
 *    (address=).
 *  - "smtp bad-input result="500 5.5.1 Line too long"": likewise, for
 *    input that was no command.
 *  - "smtp authentication user=u result=permfail": a failed login,
 *    auth_failure with the 535 the client got; "result=tempfail" is the
 *    credential lookup failing inside the server (server_error, 421).
 *    The reply itself is logged once more as a failed-command with
 *    command="AUTH PLAIN (...)" or "AUTH LOGIN (password)"; an AUTH
 *    failed-command whose reply is 535, 454 or 421 is that same failure
 *    and is not counted, so that each failed login counts once, and on
 *    the line that names the user. Other AUTH replies ("503 ... Command
 *    not supported", "501 Syntax error") have no authentication line
 *    and are counted as failed commands. "result=ok" is a login (traffic,
 *    no event).
 *  - "mta delivery evpid=E from=<s> to=<r> rcpt=<o> source="ip" relay="ip
 *    (name)" delay=D result="TempFail" stat="451 ..."": a relay attempt
 *    that failed for now (TempFail) or for good (PermFail, Loop). The
 *    stat is the remote server's reply when it starts with a code (the
 *    event is then received from the remote server), else OpenSMTPD's
 *    own words ("Connection refused", "No MX found for domain"); the
 *    user is to=, the client the relay's address. "mda delivery ..." is
 *    the same for local delivery, with no remote server.
 * Traffic (pflogsumm's terms): "smtp message msgid=M" is a message
 * received, "smtp envelope evpid=E from=<s>" its sender, a delivery with
 * result=Ok a recipient delivered (TempFail deferred, PermFail and Loop
 * bounced), each failed command but an AUTH one a reject; the message id
 * is the envelope id's first 8 hex digits. The bytes are not counted:
 * the size is on the message line, the sender on the next.
 * Not counted: "smtp connected", "smtp disconnected reason=...", "mta
 * connecting", "mta error reason=..." (the failed delivery line that
 * follows says it again).
 */
#include <string.h>
#include <strings.h>

#include "mxtally/cause.h"
#include "parse_int.h"

static int
opensmtpd_owns(struct slice prog)
{
	return SLICE_EQ(prog, "smtpd");
}

/* "key=" ... value: quoted ("..." up to the next '"') or up to a space. */
static struct slice
kv_value(struct slice s, const char *key, size_t klen)
{
	const char	*p = s.p, *end = s.p + s.len, *q;

	for (;;) {
		if ((p = slice_find(slice_from(s, p), key, klen)) == NULL)
			return SLICE_NULL;
		if (p == s.p || p[-1] == ' ')
			break;
		p += klen;
	}
	p += klen;
	if (p < end && *p == '"') {
		p++;
		q = memchr(p, '"', (size_t)(end - p));
		return slice_make(p, q ? q : end);
	}
	q = memchr(p, ' ', (size_t)(end - p));
	return slice_make(p, q ? q : end);
}
#define KV(s, key)	kv_value((s), (key), sizeof(key) - 1)

/*
 * The result of a failed command: "NNN ..." up to the line's last '"'
 * (the reply may hold quotes of its own).
 */
static struct slice
result_of(struct slice rest)
{
	const char	*p = SLICE_FIND(rest, "result=\""), *end = rest.p + rest.len;

	if (p == NULL)
		return SLICE_NULL;
	p += 8;
	while (end > p && end[-1] != '"')
		end--;
	return slice_make(p, end > p ? end - 1 : p);
}

/* "smtp failed-command ..." or "smtp bad-input ...": rest after the verb. */
static int
smtpd_failed(struct slice rest, int command, struct event *ev)
{
	struct slice	 cmd = SLICE_NULL, res = result_of(rest);
	const char	*c, *r;

	if (!smtp_reply(res, ev))
		return 0;
	if (command && (c = SLICE_FIND(rest, "command=\"")) != NULL &&
	    (r = SLICE_FIND(rest, "\" result=\"")) != NULL && r > c)
		cmd = slice_make(c + 9, r);
	if (SLICE_STARTS(cmd, "AUTH ") && (memcmp(ev->code, "535", 4) == 0 ||
	    memcmp(ev->code, "454", 4) == 0 || memcmp(ev->code, "421", 4) == 0))
		return 0;		/* the authentication line counts */
	/* 6.8 echoes the command as sent: "rcpt TO:<x>", "RCPT TO:<x>" */
	if (cmd.len > 9 && strncasecmp(cmd.p, "rcpt to:<", 9) == 0)
		ev->user = field_until(cmd, ":<", 2, '>');
	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	ev->client = KV(rest, "address=");
	ev->tkind = TR_REJECTED;
	return 1;
}

/* "smtp authentication user=u result=permfail": rest after the verb. */
static int
smtpd_auth(struct slice rest, struct event *ev)
{
	struct slice	 res = KV(rest, "result=");

	ev->proto = PROTO_SMTP;
	if (SLICE_EQ(res, "ok")) {
		ev->tkind = TR_LOGIN_OK;	/* traffic, no event */
		return 0;
	}
	if (SLICE_EQ(res, "permfail")) {
		memcpy(ev->code, "535", 4);
		ev->hint = CAUSE_AUTH_FAILURE;
	} else if (SLICE_EQ(res, "tempfail")) {
		memcpy(ev->code, "421", 4);
		ev->hint = CAUSE_SERVER_ERROR;
	} else
		return 0;
	ev->dir = DIR_TO_CLIENT;
	ev->user = KV(rest, "user=");
	ev->client = KV(rest, "address=");
	ev->text = rest;
	return 1;
}

/*
 * "smtp message msgid=M size=N nrcpt=K proto=ESMTP": a message received
 * (traffic). Its sender is on the "smtp envelope" lines that follow.
 */
static int
smtpd_message(struct slice rest, struct event *ev)
{
	ev->qid = KV(rest, "msgid=");
	if (ev->qid.len > 0)
		ev->tkind = TR_RECEIVED;
	return 0;
}

/*
 * "smtp envelope evpid=E from=<s> to=<r>", one a recipient: the sender,
 * as Postfix's qmgr from= (counted once a message). The size stays on
 * the message line, which comes first and names no sender: not counted.
 */
static int
smtpd_envelope(struct slice rest, struct event *ev)
{
	struct slice	 evp = KV(rest, "evpid="), from = KV(rest, "from=");

	if (evp.len != 16 || from.len < 2 || from.p[0] != '<')
		return 0;
	ev->qid = slice_make(evp.p, evp.p + 8);
	ev->addr = slice_make(from.p + 1, from.p + from.len - 1);
	ev->tkind = TR_SIZE;
	return 0;
}

/* "mta delivery ..." or "mda delivery ...": rest after "delivery ". */
static int
smtpd_delivery(struct slice rest, int remote, struct event *ev)
{
	struct slice	 res = KV(rest, "result="), stat, relay;
	const char	*sp;

	struct slice	 evp = KV(rest, "evpid=");

	/* the message id is the envelope id's first half */
	if (evp.len == 16)
		ev->qid = slice_make(evp.p, evp.p + 8);
	if (SLICE_EQ(res, "Ok")) {
		ev->addr = KV(rest, "rcpt=");
		if (ev->addr.len > 2 && ev->addr.p[0] == '<')
			ev->addr = slice_make(ev->addr.p + 1,
			    ev->addr.p + ev->addr.len - 1);
		ev->tkind = TR_SENT;	/* traffic, no event */
		return 0;
	}
	if (!SLICE_EQ(res, "TempFail") && !SLICE_EQ(res, "PermFail") &&
	    !SLICE_EQ(res, "Loop"))
		return 0;
	ev->tkind = SLICE_EQ(res, "TempFail") ? TR_DEFERRED : TR_BOUNCED;
	stat = KV(rest, "stat=");
	if (stat.len > 0 && stat.p[-1] != '"')	/* unquoted: to the end */
		stat = slice_from(rest, stat.p);
	if (!remote || !smtp_reply(stat, ev))
		ev->text = stat;
	/* mta delivers to other servers (outbound), mda here (local) */
	ev->dir = remote ? DIR_FROM_REMOTE : DIR_LOCAL;
	ev->proto = remote ? PROTO_SMTP : PROTO_NONE;
	ev->user = KV(rest, "to=");
	if (remote) {
		/* relay="203.0.113.5 (mx.example.org)": the name, else the ip */
		relay = KV(rest, "relay=");
		sp = relay.len ? memchr(relay.p, ' ', relay.len) : NULL;
		ev->remote = sp ? slice_make(relay.p, sp) : relay;
		if (sp != NULL && sp + 2 < relay.p + relay.len && sp[1] == '(' &&
		    relay.p[relay.len - 1] == ')')
			ev->remote = slice_make(sp + 2, relay.p + relay.len - 1);
	}
	return 1;
}

static int
opensmtpd_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 m = ll->msg;
	size_t		 i;

	/* cheap first: "0123456789abcdef smtp " or " mta " or " mda " */
	if (m.len < 22 || m.p[16] != ' ')
		return 0;
	for (i = 0; i < 16; i++)
		if ((unsigned)(m.p[i] - '0') > 9 &&
		    (unsigned)(m.p[i] - 'a') > 5)
			return 0;
	m = slice_make(m.p + 17, m.p + m.len);
	if (SLICE_STARTS(m, "smtp ")) {
		m = slice_make(m.p + 5, m.p + m.len);
		if (SLICE_STARTS(m, "event="))
			m = slice_make(m.p + 6, m.p + m.len);
		if (SLICE_STARTS(m, "failed-command "))
			return smtpd_failed(slice_from(m, m.p + 15), 1, ev);
		if (SLICE_STARTS(m, "bad-input "))
			return smtpd_failed(slice_from(m, m.p + 10), 0, ev);
		if (SLICE_STARTS(m, "authentication "))
			return smtpd_auth(slice_from(m, m.p + 15), ev);
		if (SLICE_STARTS(m, "message "))
			return smtpd_message(slice_from(m, m.p + 8), ev);
		if (SLICE_STARTS(m, "envelope "))
			return smtpd_envelope(slice_from(m, m.p + 9), ev);
		return 0;
	}
	if (SLICE_STARTS(m, "mta delivery "))
		return smtpd_delivery(slice_from(m, m.p + 13), 1, ev);
	if (SLICE_STARTS(m, "mda delivery "))
		return smtpd_delivery(slice_from(m, m.p + 13), 0, ev);
	return 0;
}

const struct parser parser_opensmtpd = {
	.name = "opensmtpd",
	.first = 's',
	.owns = opensmtpd_owns,
	.parse = opensmtpd_parse,
};
