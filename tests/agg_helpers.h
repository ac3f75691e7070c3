/*
 * What the agg unit tests read back from a struct result: the events of
 * a cause, and of a cause's detail (the join's "unknown_user"); 0 when
 * absent.
 */
#ifndef MXTALLY_TESTS_AGG_HELPERS_H
#define MXTALLY_TESTS_AGG_HELPERS_H

#include <stdint.h>
#include <string.h>

#include "mxtally/agg.h"

static inline uint64_t
cause_events(const struct result *r, int cause)
{
	size_t	 i;

	for (i = 0; i < r->ncauses; i++)
		if (r->causes[i].cause == cause)
			return r->causes[i].events;
	return 0;
}

static inline uint64_t
detail_events(const struct result *r, int cause, const char *key)
{
	const struct cause_where *w;
	size_t	 i;

	if (r->where == NULL)
		return 0;
	w = &r->where[cause];
	for (i = 0; i < w->ndetail; i++)
		if (strcmp(w->detail[i].key, key) == 0)
			return w->detail[i].n;
	return 0;
}

#endif
