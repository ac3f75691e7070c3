/*
 * event_reset must leave no field of a reused event behind: the scan
 * loop parses every line into the same struct event. Expectations are
 * event.h's documented defaults (no time, empty slices that are not
 * NULL, no codes, cause CAUSE_NONE, count 1, no traffic fact).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/parse.h"

Test(parse_event_reset, clears_a_used_event, .timeout = 5)
{
	struct event	 ev;
	struct slice	*sl[] = { &ev.host, &ev.program, &ev.user, &ev.client,
			    &ev.text, &ev.session, &ev.qid, &ev.addr };
	size_t		 i;

	memset(&ev, 0x5a, sizeof(ev));	/* a previous line's leftovers */
	event_reset(&ev);
	cr_assert_eq(ev.t, T_NONE);
	for (i = 0; i < sizeof(sl) / sizeof(sl[0]); i++) {
		cr_assert_not_null(sl[i]->p, "slice %zu is NULL", i);
		cr_assert_eq(sl[i]->len, 0, "slice %zu not empty", i);
	}
	cr_assert_str_empty(ev.code);
	cr_assert_str_empty(ev.enh);
	cr_assert_str_empty(ev.resp);
	cr_assert_eq(ev.proto, PROTO_NONE);
	cr_assert_eq(ev.dir, DIR_NONE);
	cr_assert_eq(ev.detail, POL_NONE);
	cr_assert_eq(ev.flags, 0);
	cr_assert_eq(ev.cause, CAUSE_NONE);
	cr_assert_eq(ev.count, 1);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert_eq(ev.size, 0);
}

/*
 * Every byte: event_reset copies its template 16 bytes at a time plus a
 * tail, so a reset over two different leftovers must give the same
 * bytes, and the slices added since the test above are empty too.
 */
Test(parse_event_reset, every_byte, .timeout = 5)
{
	struct event	 a, b;
	struct slice	*sl[] = { &a.cname, &a.remote, &a.darg, &a.subkey,
			    &a.from };
	size_t		 i;

	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	event_reset(&a);
	event_reset(&b);
	/* padding included: both come from one template */
	cr_assert(memcmp(&a, &b, sizeof(a)) == 0, "resets differ");
	for (i = 0; i < sizeof(sl) / sizeof(sl[0]); i++) {
		cr_assert_not_null(sl[i]->p, "slice %zu is NULL", i);
		cr_assert_eq(sl[i]->len, 0, "slice %zu not empty", i);
	}
	cr_assert_eq(a.hint, CAUSE_NONE);
	cr_assert_eq(a.fam, 0);
}
