/*
 * qmail and vpopmail through syslog; qmail also under daemontools'
 * multilog (no program name: found by sniff, see qmail_sniff).
 *
 * qmail-send (splogger tag "qmail", the message after a "secs.usecs"
 * stamp): "delivery N: failure: ..." and "delivery N: deferral: ..." are
 * one failed delivery attempt each, counted once per line like Postfix's
 * status=deferred. When a remote server answered, the text has
 * "Remote_host_said:_550_5.1.1_..." and that reply is the event,
 * received from a remote server; otherwise qmail's own text is, with the
 * enhanced code qmail puts in "(#5.1.2)". qmail-send logs a space (and
 * every byte outside '!'..'~') as '_' and a newline as '/'. The text
 * stays a borrowed slice with '_' in it and the event carries
 * EV_UNDERSCORE; the classifier folds '_' to ' ' in the lower-case copy
 * it makes for its rules anyway, so no byte is copied here. Templates
 * and examples keep the underscores, as logged.
 *
 * The recipient is logged on the earlier "starting delivery N: msg M to
 * remote u@x" line only, and delivery numbers are reused as soon as a
 * delivery ends, so joining the two needs cross-line state (see
 * architecture.md) keyed by N and aged by "end msg". NEEDSWORK: until
 * then the user is empty, except when the remote reply to a recipient
 * names it in angle brackets ("does_not_like_recipient./Remote_host_said:
 * _550_5.1.1_<u@x>...").
 *
 * qmail-smtpd and rblsmtpd, when their output goes to the same syslog
 * tag ("qmail: 1157520813.48 qmail-smtpd: 421 ..."), log the reply they
 * sent: one event each.
 *
 * vpopmail's vchkpw ("vchkpw-pop3[pid]: ..." or "vpopmail[pid]:
 * vchkpw-pop3: ...") logs one line per refused login: "password fail
 * (pass: 'x') u@d:ip" (auth_failure), "vpopmail user not found u@d:ip"
 * (unknown_mailbox), "null password given u@d:ip" (auth_failure), "pop
 * access denied u@d:ip" (account_disabled). The logged password never
 * reaches the event: the text ends before " (pass:".
 */
#include <string.h>

#include "mxtally/cause.h"
#include "parse_int.h"

static int
qmail_owns(struct slice prog)
{
	return SLICE_EQ(prog, "qmail") || SLICE_EQ(prog, "qmail-send");
}

/* Skips splogger's "1157520813.485077 " stamp, if there is one. */
static struct slice
skip_stamp(struct slice msg)
{
	const char	*p = msg.p, *end = msg.p + msg.len;

	while (p < end && ((unsigned)(*p - '0') <= 9 || *p == '.'))
		p++;
	if (p > msg.p && p < end && *p == ' ')
		return slice_make(p + 1, end);
	return msg;
}

/* "(#5.1.2)" in s: its enhanced code into ev->enh. */
static void
qmail_enh(struct slice s, struct event *ev)
{
	const char	*p = SLICE_FIND(s, "(#"), *end = s.p + s.len;
	size_t		 n;

	if (p != NULL && (n = enhanced_len(p + 2, end)) > 0)
		copy_code(ev->enh, sizeof(ev->enh), p + 2, p + 2 + n);
}

/* "<u@x>" in a remote's reply to RCPT: the recipient. */
static struct slice
qmail_rcpt(struct slice reply)
{
	const char	*end = reply.p + reply.len, *b, *e;

	b = memchr(reply.p, '<', reply.len);
	if (b == NULL || (e = memchr(b, '>', (size_t)(end - b))) == NULL ||
	    memchr(b, '@', (size_t)(e - b)) == NULL)
		return SLICE_NULL;
	return slice_make(b + 1, e);
}

#define SAID	"Remote_host_said:_"

/* "Remote_host_said:_550_5.1.1_text/": the reply, '_' for ' '. */
static int
qmail_said(struct slice why, const char *said, struct event *ev)
{
	const char	*p = said + sizeof(SAID) - 1, *end = why.p + why.len;
	const char	*give;
	size_t		 n;

	ev->proto = PROTO_SMTP;
	ev->dir = DIR_FROM_REMOTE;
	if (end - p >= 3 && (*p == '4' || *p == '5') &&
	    (unsigned)(p[1] - '0') <= 9 && (unsigned)(p[2] - '0') <= 9 &&
	    (end - p == 3 || p[3] == '_' || p[3] == '-')) {
		memcpy(ev->code, p, 3);
		ev->code[3] = '\0';
		p += end - p > 3 ? 4 : 3;
		if ((n = enhanced_len(p, end)) > 0) {
			copy_code(ev->enh, sizeof(ev->enh), p, p + n);
			for (p += n; p < end && *p == '_'; p++)
				;
		}
	}
	give = SLICE_FIND(slice_make(p, end), "/Giving_up_on_");
	ev->text = slice_make(p, give ? give : end);
	if (SLICE_FIND(slice_make(why.p, said), "_recipient.") != NULL)
		ev->user = qmail_rcpt(ev->text);
	return 1;
}

/* "delivery 42: failure: text/" or "delivery 42: deferral: text/" */
static int
qmail_delivery(struct slice msg, struct event *ev)
{
	const char	*p = msg.p + 9, *end = msg.p + msg.len, *said;
	struct slice	 why;

	while (p < end && (unsigned)(*p - '0') <= 9)
		p++;
	why = slice_make(p, end);
	if (SLICE_STARTS(why, ": failure: "))
		why = slice_make(p + 11, end);
	else if (SLICE_STARTS(why, ": deferral: "))
		why = slice_make(p + 12, end);
	else
		return 0;		/* success */
	while (why.len > 0 && why.p[why.len - 1] == '/')
		why.len--;
	ev->flags |= EV_UNDERSCORE;
	qmail_enh(why, ev);
	if ((said = SLICE_FIND(why, SAID)) != NULL)
		return qmail_said(why, said, ev);
	ev->text = why;
	return 1;
}

/* "qmail-smtpd: 421 text" or "rblsmtpd: ip pid N: 451 text" */
static int
qmail_smtpd(struct slice rest, struct event *ev)
{
	const char	*p = rest.p, *end = rest.p + rest.len, *sp;

	if (!is_basic_code(p, end)) {
		/* rblsmtpd: the reply follows "pid N: " */
		p = SLICE_FIND(rest, ": ");
		if (p == NULL)
			return 0;
		p += 2;
	}
	if (!smtp_reply(slice_make(p, end), ev))
		return 0;
	ev->proto = PROTO_SMTP;
	ev->dir = DIR_TO_CLIENT;
	if (rest.p[0] >= '0' && rest.p[0] <= '9' && p > rest.p &&
	    (sp = memchr(rest.p, ' ', (size_t)(p - rest.p))) != NULL)
		ev->client = slice_make(rest.p, sp);	/* rblsmtpd's ip */
	return 1;
}

/*
 * Without a program name (multilog writes none, and qmail-send's own
 * lines have no tag): the lines qmail-send, qmail-smtpd and rblsmtpd
 * write, by their first words.
 */
static int
qmail_sniff(const struct logline *ll)
{
	static const struct {
		const char	*s;
		size_t		 n;
	} head[] = {
		{ "delivery ", 9 }, { "starting delivery ", 18 },
		{ "new msg ", 8 }, { "info msg ", 9 }, { "end msg ", 8 },
		{ "bounce msg ", 11 }, { "triple bounce: ", 15 },
		{ "status: local ", 14 }, { "qmail-smtpd: ", 13 },
		{ "rblsmtpd: ", 10 },
	};
	struct slice	 msg = ll->msg;
	size_t		 i;

	if (msg.len < 8 || (msg.p[0] != 'd' && msg.p[0] != 's' &&
	    msg.p[0] != 'n' && msg.p[0] != 'i' && msg.p[0] != 'e' &&
	    msg.p[0] != 'b' && msg.p[0] != 't' && msg.p[0] != 'q' &&
	    msg.p[0] != 'r'))
		return 0;
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		if (slice_starts(msg, head[i].s, head[i].n))
			return 1;
	return 0;
}

static int
qmail_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = skip_stamp(ll->msg);

	if (SLICE_STARTS(msg, "delivery "))
		return qmail_delivery(msg, ev);
	if (SLICE_STARTS(msg, "qmail-smtpd: "))
		return qmail_smtpd(slice_make(msg.p + 13, msg.p + msg.len), ev);
	if (SLICE_STARTS(msg, "rblsmtpd: "))
		return qmail_smtpd(slice_make(msg.p + 10, msg.p + msg.len), ev);
	return 0;
}

const struct parser parser_qmail = {
	.name = "qmail",
	.first = 'q',
	.owns = qmail_owns,
	.sniff = qmail_sniff,
	.parse = qmail_parse,
};

static int
vpopmail_owns(struct slice prog)
{
	return SLICE_EQ(prog, "vpopmail") || SLICE_STARTS(prog, "vchkpw-");
}

/* "vchkpw-pop3": the protocol of the login. */
static int
vchkpw_proto(struct slice svc)
{
	svc = slice_make(svc.p + 7, svc.p + svc.len);
	if (SLICE_STARTS(svc, "pop3"))
		return PROTO_POP3;
	if (SLICE_STARTS(svc, "imap"))
		return PROTO_IMAP;
	if (SLICE_STARTS(svc, "smtp") || SLICE_STARTS(svc, "submission"))
		return PROTO_SMTP;
	return PROTO_NONE;
}

/*
 * The last word "u@d:ip" (the password before it may hold spaces): the
 * user up to the first ':' after it begins, the client after.
 */
static void
vchkpw_who(struct slice msg, struct event *ev)
{
	const char	*end = msg.p + msg.len, *sp, *colon;

	sp = memrchr(msg.p, ' ', msg.len);
	sp = sp ? sp + 1 : msg.p;
	colon = memchr(sp, ':', (size_t)(end - sp));
	ev->user = slice_make(sp, colon ? colon : end);
	if (colon != NULL)
		ev->client = slice_make(colon + 1, end);
}

static const struct {
	const char	*lit;
	size_t		 len;
	int		 cause;
} vchkpw_fail[] = {
	{ "password fail", 13, CAUSE_AUTH_FAILURE },
	{ "null password given", 19, CAUSE_AUTH_FAILURE },
	/* a login naming no user: classify makes it auth_failure */
	{ "vpopmail user not found", 23, CAUSE_AUTH_FAILURE },
	{ "user not found", 14, CAUSE_AUTH_FAILURE },
	{ "pop access denied", 17, CAUSE_ACCOUNT_DISABLED },
	{ "imap access denied", 18, CAUSE_ACCOUNT_DISABLED },
	{ "smtp access denied", 18, CAUSE_ACCOUNT_DISABLED },
	{ "webmail access denied", 21, CAUSE_ACCOUNT_DISABLED },
};

static int
vpopmail_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg, svc = ll->program;
	const char	*sp;
	size_t		 i;

	if (SLICE_EQ(ll->program, "vpopmail")) {
		/* "vpopmail[pid]: vchkpw-pop3: password fail ..." */
		if (!SLICE_STARTS(msg, "vchkpw-") ||
		    (sp = SLICE_FIND(msg, ": ")) == NULL)
			return 0;
		svc = slice_make(msg.p, sp);
		msg = slice_make(sp + 2, msg.p + msg.len);
	}
	for (i = 0; i < sizeof(vchkpw_fail) / sizeof(vchkpw_fail[0]); i++)
		if (slice_starts(msg, vchkpw_fail[i].lit, vchkpw_fail[i].len))
			break;
	if (i == sizeof(vchkpw_fail) / sizeof(vchkpw_fail[0]))
		return 0;		/* login success and the like */
	ev->proto = (uint8_t)vchkpw_proto(svc);
	ev->dir = DIR_TO_CLIENT;
	ev->hint = (int16_t)vchkpw_fail[i].cause;
	ev->text = slice_make(msg.p, msg.p + vchkpw_fail[i].len);
	vchkpw_who(msg, ev);
	if (ev->proto == PROTO_SMTP && ev->hint == CAUSE_AUTH_FAILURE) {
		memcpy(ev->code, "535", 4);
		memcpy(ev->enh, "5.7.8", 6);
	}
	return 1;
}

const struct parser parser_vpopmail = {
	.name = "vpopmail",
	.first = 'v',
	.owns = vpopmail_owns,
	.parse = vpopmail_parse,
};
