/*
 * The fallback for programs no family owns: a POP3 "-ERR" reply anywhere
 * in the message, or an SMTP reply "4xx x.y.z" / "5xx x.y.z" (both codes,
 * so ordinary numbers are not taken for replies). The program name is
 * kept, so unknown daemons still show up in the report.
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
	const char	*p;

	if ((p = SLICE_FIND(msg, "-ERR")) != NULL &&
	    (p == msg.p || p[-1] == ' ' || p[-1] == '"' || p[-1] == '=') &&
	    parse_reply(slice_from(msg, p), ev))
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
