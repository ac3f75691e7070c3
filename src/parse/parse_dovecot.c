/*
 * Dovecot 2.x: login processes ("pop3-login: Disconnected (auth failed, 2
 * attempts in 4 secs): user=<u>, ..., rip=ip, ..., session=<S>"), the auth
 * processes' verdicts ("auth-worker(..): sql(u,ip,<S>): unknown user"),
 * mail processes ("pop3(u)<pid><S>: ... Couldn't lock", "lmtp(u): ...
 * Quota exceeded", "No space left on device").
 *
 * Counting: the login line is what the client was told, and counts N for
 * "N attempts". The auth line says why; it is not counted, but when it
 * says "unknown user" the login with the same session id becomes
 * unknown_mailbox instead of auth_failure (see agg's join).
 *
 * A mail process logs one failure on several lines: an LMTP save that
 * finds the disk full writes three "Error:" lines and a "save failed"
 * line for the one recipient it refuses, a POP3 login that cannot create
 * its index a handful of lines and a "Disconnected:" line. Such lines
 * carry the session id ("lmtp(u)<pid><S>:"; LMTP gives each recipient of
 * a transaction its own, "<S>", "<S:R2>", ...) and are marked EV_GROUP:
 * agg counts one event per session, and for IMAP, whose session may see
 * several failed commands, one per session and file the failing call
 * named ("write(PATH) failed"). The level after the prefix ("Error: ",
 * "Info: ", present in Dovecot's own log file, partly in syslog) is not
 * looked at.
 */
#include <string.h>

#include "mxtally/cause.h"
#include "parse_int.h"

static int
dovecot_owns(struct slice prog)
{
	return SLICE_STARTS(prog, "dovecot");
}

/* "pop3-login: ..." or "imap(u)...": the service name at the start. */
static int
proto_of_service(struct slice msg)
{
	if (SLICE_STARTS(msg, "pop3"))
		return PROTO_POP3;
	if (SLICE_STARTS(msg, "imap"))
		return PROTO_IMAP;
	if (SLICE_STARTS(msg, "lmtp"))
		return PROTO_LMTP;
	if (SLICE_STARTS(msg, "submission"))
		return PROTO_SMTP;
	return PROTO_NONE;
}

#define AUTH_FAILED	"(auth failed, "

static int
dovecot_login(struct slice msg, const char *af, struct event *ev)
{
	const char	*p = af + sizeof(AUTH_FAILED) - 1, *end = msg.p + msg.len;
	uint32_t	 n = 0;

	while (p < end && (unsigned)(*p - '0') <= 9)
		n = n * 10 + (uint32_t)(*p++ - '0');
	ev->count = n > 0 ? n : 1;
	ev->proto = (uint8_t)proto_of_service(msg);
	ev->dir = DIR_TO_CLIENT;
	ev->user = FIELD(msg, "user=<", '>');
	ev->client = FIELD(msg, "rip=", ',');
	ev->session = FIELD(msg, "session=<", '>');
	ev->hint = CAUSE_AUTH_FAILURE;
	ev->flags |= EV_JOIN;
	ev->text = slice_make(af + 1, p);
	if (ev->proto == PROTO_POP3)
		memcpy(ev->resp, "AUTH", 5);
	else if (ev->proto == PROTO_IMAP)
		memcpy(ev->resp, "AUTHENTICATIONFAILED", 21);
	return 1;
}

/*
 * "imap-login: Disconnected: Too many invalid commands (no auth attempts
 * ...): user=<>, rip=..." and "Maximum number of connections from user+IP
 * exceeded (...)": a login process that refused the client, not for a
 * password (the client was told BYE or -ERR).
 */
static int
dovecot_refused(struct slice msg, struct event *ev)
{
	const char	*p, *e, *end = msg.p + msg.len;

	if ((p = SLICE_FIND(msg, "Disconnected: Too many ")) != NULL) {
		p += 14;
		ev->hint = CAUSE_PROTOCOL_ERROR;
	} else if ((p = SLICE_FIND(msg, "Maximum number of connections ")) !=
	    NULL)
		ev->hint = CAUSE_RATE_LIMITED;
	else
		return 0;
	for (e = p; e < end && *e != '(' && *e != ':'; e++)
		;
	ev->text = slice_make(p, e > p && e[-1] == ' ' ? e - 1 : e);
	ev->proto = (uint8_t)proto_of_service(msg);
	ev->dir = DIR_TO_CLIENT;
	ev->user = FIELD(msg, "user=<", '>');
	ev->client = FIELD(msg, "rip=", ',');
	ev->session = FIELD(msg, "session=<", '>');
	return 1;
}

/* "...: sql(u,ip,<S>): unknown user" */
static int
dovecot_verdict(struct slice msg, const char *uu, struct event *ev)
{
	const char	*close = uu, *open, *lt, *comma;

	/* uu points at "): unknown user"; walk back to the '(' */
	for (open = close; open > msg.p && open[-1] != '('; open--)
		;
	if (open == msg.p)
		return 0;
	lt = memrchr(open, '<', (size_t)(close - open));
	if (lt == NULL || close[-1] != '>')
		return 0;
	ev->session = slice_make(lt + 1, close - 1);
	comma = memchr(open, ',', (size_t)(close - open));
	ev->user = slice_make(open, comma ? comma : close);
	ev->flags |= EV_AUTH_UNKNOWN;
	return 1;
}

/* "pop3(u)<pid><S>: ..." : the user between the parentheses. */
static struct slice
mail_user(struct slice msg)
{
	const char	*b = memchr(msg.p, '(', msg.len < 16 ? msg.len : 16), *e;

	if (b == NULL)
		return SLICE_NULL;
	e = memchr(b, ')', (size_t)(msg.p + msg.len - b));
	return e ? slice_make(b + 1, e) : SLICE_NULL;
}

/* "u)<pid><S>: ..." at p (after the user): S, else SLICE_NULL. */
static struct slice
mail_session(struct slice msg, const char *p)
{
	const char	*end = msg.p + msg.len, *q;

	if (end - p < 5 || p[0] != ')' || p[1] != '<')
		return SLICE_NULL;
	for (p += 2; p < end && (unsigned)(*p - '0') <= 9; p++)
		;
	if (end - p < 3 || p[0] != '>' || p[1] != '<')
		return SLICE_NULL;
	p += 2;
	q = memchr(p, '>', (size_t)(end - p) < 64 ? (size_t)(end - p) : 64);
	if (q == NULL || q == p || q + 1 >= end || q[1] != ':')
		return SLICE_NULL;
	return slice_make(p, q);
}

/*
 * "... write(/path/file) failed: No space left on device": the file of
 * the failing call that ends just before what (the matched condition),
 * else SLICE_NULL.
 */
static struct slice
failed_file(struct slice msg, const char *what)
{
	static const char	 tail[] = ") failed: ";
	const char		*close = what - (sizeof(tail) - 1), *open;

	if (close <= msg.p || memcmp(close, tail, sizeof(tail) - 1) != 0)
		return SLICE_NULL;
	open = memrchr(msg.p, '(', (size_t)(close - msg.p));
	return open ? slice_make(open + 1, close) : SLICE_NULL;
}

static int
dovecot_mail(struct slice msg, int cause, const char *what, struct event *ev)
{
	ev->proto = (uint8_t)proto_of_service(msg);
	ev->dir = DIR_TO_CLIENT;
	ev->user = mail_user(msg);
	ev->hint = (int16_t)cause;
	if (ev->user.len > 0) {
		ev->session = mail_session(msg, ev->user.p + ev->user.len);
		if (ev->session.len > 0)
			ev->flags |= EV_GROUP;
		if (ev->session.len > 0 && ev->proto == PROTO_IMAP)
			ev->subkey = failed_file(msg, what);
	}
	ev->text = slice_from(msg, what);
	/* a POP3 session that ends on a failure holds no lock after it */
	if (ev->proto == PROTO_POP3 && cause != CAUSE_LOCK_CONTENTION &&
	    ev->session.len > 0 && SLICE_FIND(msg, ": Disconnected: ") != NULL)
		ev->sess = SESS_END;
	if (cause == CAUSE_LOCK_CONTENTION && ev->proto == PROTO_POP3)
		memcpy(ev->resp, "IN-USE", 7);
	else if (cause == CAUSE_LOCK_CONTENTION && ev->proto == PROTO_IMAP)
		memcpy(ev->resp, "INUSE", 6);
	return 1;
}

/*
 * A mail process that gave up waiting for a lock another process held
 * (lib-index's mail-transaction-log-file.c, lib-storage's mail-error.h):
 * "Timeout (180s) while waiting for lock for transaction log file PATH
 * (WRITE lock held by pid N)" (the part in parentheses when the kernel
 * named the holder), "Timeout (Ns) while waiting for dotlock for
 * transaction log file PATH", "... Timeout while waiting for lock". wf
 * points at "waiting for " in msg. An IMAP client is told "NO
 * [SERVERBUG] Internal error occurred" (what Dovecot 2.3.19 answered the
 * real client, tests/realservers). One session's timeouts on one file
 * are one event (EV_GROUP, the file as subkey); the pid is agg/locks.c's
 * to read from the text.
 */
static int
lock_wait(struct slice msg, const char *wf, struct event *ev)
{
	const char	*end = msg.p + msg.len, *t, *f, *e;
	struct slice	 rest = slice_from(msg, wf + 12);

	if (!SLICE_STARTS(rest, "lock") && !SLICE_STARTS(rest, "dotlock"))
		return 0;
	for (t = wf - 1; t > msg.p && wf - t < 32 &&
	    (t[-1] != ' ' || !SLICE_STARTS(slice_from(msg, t), "Timeout "));
	    t--)
		;
	if (t <= msg.p || wf - t >= 32)
		return 0;
	dovecot_mail(msg, CAUSE_LOCK_CONTENTION, t, ev);
	if (ev->proto == PROTO_IMAP)
		memcpy(ev->resp, "SERVERBUG", 10);
	if (ev->session.len > 0 &&
	    (f = SLICE_FIND(rest, " log file ")) != NULL) {
		f += 10;
		e = memchr(f, ' ', (size_t)(end - f));
		ev->subkey = slice_make(f, e ? e : end);
	}
	return 1;
}

/*
 * What follows the prefix "svc(u)<pid><S>: " of a mail process's line
 * (par at its '('), else SLICE_NULL.
 */
static struct slice
mail_rest(struct slice msg, const char *par)
{
	const char	*end = msg.p + msg.len, *p, *q;

	if ((p = memchr(par, ')', (size_t)(end - par))) == NULL)
		return SLICE_NULL;
	for (p++; p < end && *p == '<'; p = q + 1)
		if ((q = memchr(p, '>', (size_t)(end - p))) == NULL)
			return SLICE_NULL;
	if (end - p < 2 || p[0] != ':' || p[1] != ' ')
		return SLICE_NULL;
	return slice_make(p + 2, end);
}

/*
 * "pop3-login: Login: user=<u>, ..., rip=ip, ..., mpid=N, ...,
 * session=<S>" (or "imap-login: ..."): the start of a session, which may
 * hold the mailbox lock another session is refused (agg/locks.c); N is
 * the pid of the mail process that serves it, which Dovecot names when
 * another process times out waiting for that lock.
 */
static void
mail_login(struct slice msg, struct event *ev)
{
	const char	*end = msg.p + msg.len, *p, *q;
	size_t		 n;

	/*
	 * One pass over the ", key=value" items after the user (the
	 * default login_log_format_elements); a line laid out otherwise
	 * (a value with a comma) is looked up key by key.
	 */
	ev->user = FIELD(msg, "user=<", '>');
	p = ev->user.len > 0 ? ev->user.p + ev->user.len + 1 : end;
	for (; end - p > 2 && p[0] == ',' && p[1] == ' '; p = q) {
		p += 2;
		if ((q = memchr(p, ',', (size_t)(end - p))) == NULL)
			q = end;
		n = (size_t)(q - p);
		if (n > 4 && memcmp(p, "rip=", 4) == 0)
			ev->client = slice_make(p + 4, q);
		else if (n > 5 && memcmp(p, "mpid=", 5) == 0)
			ev->subkey = slice_make(p + 5, q);
		else if (n > 10 && memcmp(p, "session=<", 9) == 0 &&
		    q[-1] == '>')
			ev->session = slice_make(p + 9, q - 1);
	}
	if (ev->client.len == 0)
		ev->client = FIELD(msg, "rip=", ',');
	if (ev->session.len == 0)
		ev->session = FIELD(msg, "session=<", '>');
	if (ev->subkey.len == 0)
		ev->subkey = FIELD(msg, ", mpid=", ',');
	if (ev->user.len > 0 && ev->session.len > 0)
		ev->sess = SESS_LOGIN;
}

/* "pop3(u)<pid><S>: Disconnected: Logged out ...": its end (or imap's) */
static int
mail_end(struct slice msg, struct event *ev)
{
	ev->proto = (uint8_t)proto_of_service(msg);
	ev->user = mail_user(msg);
	if (ev->user.len > 0)
		ev->session = mail_session(msg, ev->user.p + ev->user.len);
	if (ev->session.len > 0)
		ev->sess = SESS_END;
	return 0;
}

#define UNKNOWN	"): unknown user"

static int
has_suffix(struct slice s, const char *lit, size_t n)
{
	return s.len >= n && memcmp(s.p + s.len - n, lit, n) == 0;
}

/*
 * The service name at the start of the message picks the test: login
 * processes log auth failures, auth processes their verdicts, mail
 * processes ("pop3(user)...") locks and storage; anything else is looked
 * at only for a full disk.
 */
static int
dovecot_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg, rest = SLICE_NULL;
	const char	*p, *sp, *par;
	size_t		 head = msg.len < 24 ? msg.len : 24;

	sp = memchr(msg.p, ' ', head);
	par = memchr(msg.p, '(', sp ? (size_t)(sp - msg.p) : head);
	if (sp != NULL && par == NULL && sp - msg.p > 7 &&
	    memcmp(sp - 7, "-login:", 7) == 0) {
		if (SLICE_STARTS(slice_from(msg, sp + 1), "Login: ")) {
			ev->proto = (uint8_t)proto_of_service(msg);
			ev->tkind = TR_LOGIN_OK;	/* traffic, no event */
			if (ev->proto == PROTO_POP3 || ev->proto == PROTO_IMAP)
				mail_login(msg, ev);
			return 0;
		}
		p = SLICE_FIND(msg, AUTH_FAILED);
		return p ? dovecot_login(msg, p, ev) : dovecot_refused(msg, ev);
	}
	if (SLICE_STARTS(msg, "auth"))
		return has_suffix(msg, UNKNOWN, sizeof(UNKNOWN) - 1) ?
		    dovecot_verdict(msg, msg.p + msg.len -
		    (sizeof(UNKNOWN) - 1), ev) : 0;
	if (par != NULL) {
		if ((p = SLICE_FIND(msg, "Couldn't lock")) != NULL)
			return dovecot_mail(msg, CAUSE_LOCK_CONTENTION, p, ev);
		if ((p = SLICE_FIND(msg, "Quota exceeded")) != NULL)
			return dovecot_mail(msg, CAUSE_QUOTA_EXCEEDED, p, ev);
		/* lock timeouts are errors (LMTP's "save failed" is info) */
		rest = mail_rest(msg, par);
		if ((SLICE_STARTS(rest, "Error: ") ||
		    SLICE_STARTS(msg, "lmtp(")) &&
		    (p = SLICE_FIND(rest, " waiting for ")) != NULL &&
		    lock_wait(msg, p + 1, ev))
			return 1;
	}
	if ((p = SLICE_FIND(msg, "No space left on device")) != NULL)
		return dovecot_mail(msg, CAUSE_SYSTEM_STORAGE, p, ev);
	/* a POP3 or IMAP session's end that is no failure (agg/locks.c) */
	if (par != NULL && SLICE_STARTS(msg, "pop3(") &&
	    SLICE_FIND(msg, ": Disconnected: ") != NULL)
		return mail_end(msg, ev);
	if (par != NULL && SLICE_STARTS(msg, "imap(") &&
	    (SLICE_STARTS(rest, "Disconnected: ") ||
	    SLICE_STARTS(rest, "Info: Disconnected: ")))
		return mail_end(msg, ev);
	return 0;
}

const struct parser parser_dovecot = {
	.name = "dovecot",
	.first = 'd',
	.owns = dovecot_owns,
	.parse = dovecot_parse,
};
