/*
 * The Postfix message the traffic unit tests feed an agg: message i is
 * received ("Q<i>", from h.example), sized 100 bytes from snd, delivered
 * (i % 7) + 1 times to rcp, and removed, at input positions i * 16 on.
 */
#ifndef MXTALLY_TESTS_TRAFFIC_UTIL_H
#define MXTALLY_TESTS_TRAFFIC_UTIL_H

#include <stdio.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/parse.h"

static inline void
add_message(struct agg *a, unsigned i, const char *snd, const char *rcp)
{
	char		 qid[16];
	struct event	 ev;
	uint64_t	 pos = (uint64_t)i * 16;
	unsigned	 k;

	snprintf(qid, sizeof(qid), "Q%05u", i);
	event_reset(&ev);
	ev.qid = (struct slice){ qid, strlen(qid) };
	ev.tkind = TR_RECEIVED;
	ev.addr = (struct slice){ "h.example[192.0.2.1]", 20 };
	agg_traffic(a, &ev, pos++, 0);
	ev.tkind = TR_SIZE;
	ev.addr = (struct slice){ snd, strlen(snd) };
	ev.size = 100;
	agg_traffic(a, &ev, pos++, 0);
	ev.tkind = TR_SENT;
	ev.addr = (struct slice){ rcp, strlen(rcp) };
	for (k = 0; k <= i % 7; k++)
		agg_traffic(a, &ev, pos++, 0);
	ev.tkind = TR_REMOVED;
	agg_traffic(a, &ev, pos, 0);
}

#endif
