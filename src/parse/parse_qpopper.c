/*
 * Qpopper: "popper[pid]: user at host (ip): -ERR [IN-USE] ... lock busy!"
 * Each logged -ERR is one reply the client got. "(null)" is qpopper's
 * word for a client that left before USER: no user.
 */
#include <string.h>

#include "parse_int.h"

static int
qpopper_owns(struct slice prog)
{
	return SLICE_EQ(prog, "popper");
}

static int
qpopper_parse(const struct logline *ll, struct event *ev)
{
	struct slice	 msg = ll->msg;
	const char	*err = SLICE_FIND(msg, ": -ERR"), *at, *b, *e;

	if (err == NULL)
		return 0;
	if (!parse_reply(slice_from(msg, err + 2), ev))
		return 0;
	ev->dir = DIR_TO_CLIENT;
	at = SLICE_FIND(msg, " at ");
	if (at != NULL && at < err) {
		ev->user = slice_make(msg.p, at);
		if (SLICE_EQ(ev->user, "(null)"))
			ev->user = SLICE_NULL;
		b = memchr(at, '(', (size_t)(err - at));
		e = b ? memchr(b, ')', (size_t)(err - b)) : NULL;
		if (e != NULL)
			ev->client = slice_make(b + 1, e);
	}
	return 1;
}

const struct parser parser_qpopper = {
	.name = "qpopper",
	.first = 'p',
	.owns = qpopper_owns,
	.parse = qpopper_parse,
};
