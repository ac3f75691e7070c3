/*
 * The fallback for programs no family owns: a POP3 "-ERR" reply anywhere
 * in the message, an IMAP tagged "NO" or "BAD" reply, or an SMTP reply
 * "4xx x.y.z" / "5xx x.y.z" (both codes, so ordinary numbers are not
 * taken for replies). The program name is kept, so unknown daemons still
 * show up in the report.
 *
 * IMAP: a tagged NO or BAD ends one command in failure and is counted.
 * "* BAD" (RFC 3501 7.1.3: a protocol error whose command the server
 * cannot tell) is counted too; "* NO" is a warning (7.1.2) and "* BYE" a
 * goodbye, neither counted. The word NO occurs in prose, so a reply is
 * taken only in this shape: the tag starts the message or follows ": ",
 * '"' or '='; it is 1-20 letters, digits or dots with at least one digit
 * (A001, a12, 7, 1.2), or '*' before BAD; and the verb is followed by a
 * space and then '[' (a response code) or a capital letter.
 */
#include <string.h>

#include "parse_int.h"

static int
generic_owns(struct slice prog)
{
	(void)prog;
	return 1;
}

/* An SMTP reply with basic and enhanced code somewhere in msg. */
static const char *
find_smtp(struct slice msg)
{
	const char	*p = msg.p, *end = msg.p + msg.len;

	while ((p = memchr(p, ' ', (size_t)(end - p))) != NULL) {
		p++;
		if (end - p >= 9 && (*p == '4' || *p == '5') &&
		    is_basic_code(p, end) && p[3] == ' ' &&
		    enhanced_len(p + 4, end) > 0 && p[4] == p[0])
			return p;
	}
	return NULL;
}

/* The verb at v ("NO " or "BAD ") closes a tagged reply: its tag, or NULL. */
static const char *
imap_tag(struct slice msg, const char *v)
{
	const char	*end = msg.p + msg.len, *t, *a;
	size_t		 vlen = *v == 'N' ? 3 : 4;
	int		 digit = 0;

	if (v - msg.p < 2 || v[-1] != ' ' || end - v < (ptrdiff_t)vlen + 1 ||
	    (v[vlen] != '[' && (unsigned)(v[vlen] - 'A') > 25))
		return NULL;
	for (t = v - 1; t > msg.p && t[-1] != ' ' && t[-1] != '"' &&
	    t[-1] != '='; t--)
		;
	if (t > msg.p && t[-1] == ' ' && (t - msg.p < 2 || t[-2] != ':'))
		return NULL;
	if (v - 1 - t == 1 && *t == '*')
		return *v == 'B' ? t : NULL;
	if (v - 1 - t > 20)
		return NULL;
	for (a = t; a < v - 1; a++) {
		if ((unsigned)(*a - '0') <= 9)
			digit = 1;
		else if ((unsigned)((*a | 0x20) - 'a') > 25 && *a != '.')
			return NULL;
	}
	return digit ? t : NULL;
}

/*
 * A tagged IMAP reply in msg: the verb, with *tag set. The verbs are
 * found by their capital first byte, which ordinary lines seldom have.
 */
static const char *
find_imap(struct slice msg, const char **tag)
{
	static const char *const verbs[2] = { "NO ", "BAD " };
	const char	*p, *best = NULL, *t;
	int		 i;

	for (i = 0; i < 2; i++)
		for (p = msg.p; (p = slice_find(slice_from(msg, p), verbs[i],
		    (size_t)(3 + i))) != NULL; p++)
			if ((t = imap_tag(msg, p)) != NULL) {
				if (best == NULL || p < best) {
					best = p;
					*tag = t;
				}
				break;
			}
	return best;
}

/* "user=<u>", "user=u" or "user u" before the reply, if any. */
static struct slice
generic_user(struct slice head)
{
	const char	*p = SLICE_FIND(head, "user"), *end = head.p + head.len;
	const char	*q;

	if (p == NULL || (p > head.p && p[-1] != ' ' && p[-1] != '('))
		return SLICE_NULL;
	p += 4;
	if (p < end && (*p == '=' || *p == ' '))
		p++;
	if (p < end && *p == '<')
		p++;
	for (q = p; q < end && *q != ' ' && *q != ',' && *q != '>' &&
	    *q != ':' && *q != ')' && *q != ';'; q++)
		;
	return slice_make(p, q);
}

static int
generic_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg;
	const char	*p, *v;

	if ((p = SLICE_FIND(msg, "-ERR")) != NULL &&
	    (p == msg.p || p[-1] == ' ' || p[-1] == '"' || p[-1] == '=') &&
	    parse_reply(slice_from(msg, p), ev))
		;
	else if ((v = find_imap(msg, &p)) != NULL &&
	    parse_reply(slice_from(msg, v), ev))
		;
	else if ((p = find_smtp(msg)) != NULL &&
	    smtp_reply(slice_from(msg, p), ev))
		ev->proto = PROTO_SMTP;
	else
		return 0;
	ev->user = generic_user(slice_make(msg.p, p));
	return 1;
}

const struct parser parser_generic = {
	.name = "generic",
	.first = 0,
	.owns = generic_owns,
	.parse = generic_parse,
};
