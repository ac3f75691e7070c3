/*
 * Helpers shared by the parser unit tests: a slice of a C string, a slice
 * compared with a string, one log line through the header and family
 * parsers (year 2026), and the cause a classifier gives an event.
 */
#ifndef MXTALLY_TESTS_PARSE_UTIL_H
#define MXTALLY_TESTS_PARSE_UTIL_H

#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"

static inline struct slice
S(const char *s)
{
	return (struct slice){ s, strlen(s) };
}

static inline int
eq(struct slice s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

/*
 * Parses a whole line with a fixed year (2026); as parse_line returns.
 * The header state is kept, as a worker's is, so that ev may point into
 * its scratch (a rewritten message) until the next call.
 */
static inline int
line(const char *l, struct event *ev)
{
	static struct timecache	 cache;
	struct timectx		 tc;
	struct logline		 ll;

	timectx_init(&tc, 0, 2026);
	parse_header(S(l), &tc, &cache, &ll);
	return parse_line(&ll, ev);
}

/* Classifies ev with the built-in rules; returns the cause id. */
static inline const char *
cause_of(struct event *ev)
{
	struct classifier	*cl;
	struct classify_scratch	*cs;
	const char		*id;

	cl = classify_new();
	cr_assert_not_null(cl);
	cs = classify_scratch_new(cl);
	classify_event(cl, cs, ev);
	id = cause_get(ev->cause)->id;
	classify_scratch_free(cs);
	classify_free(cl);
	return id;
}

#endif
