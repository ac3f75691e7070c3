/*
 * Parsing: a log line's header (time, host, program) and then a family
 * parser that turns the message into an event. Everything borrows from
 * the line; nothing allocates.
 */
#ifndef MXTALLY_PARSE_H
#define MXTALLY_PARSE_H

#include <stdint.h>

#include "mxtally/event.h"
#include "mxtally/slice.h"

/* What the header parser found. */
struct logline {
	int64_t		 t;		/* wall-clock seconds, or T_NONE */
	struct slice	 host;
	struct slice	 program;	/* without "[pid]" */
	struct slice	 msg;		/* after "prog[pid]: " */
};

/* Year context for RFC 3164 stamps, per input file. */
struct timectx {
	int		 year;		/* year of the file's mtime or --year */
	int		 month;		/* month (1-12) of the mtime, 0 = unknown */
	int		 fixed;		/* --year given: no inference */
};

void timectx_init(struct timectx *tc, int64_t mtime, int year);

/*
 * Parses an RFC 3164, RFC 3339 or "YYYY-MM-DD HH:MM:SS" stamp at the start
 * of s. Returns the bytes used (0 if none) and stores wall-clock seconds
 * since the epoch in *t.
 */
size_t time_parse(struct slice s, const struct timectx *tc, int64_t *t);

/* Days since 1970-01-01 for a civil date (proleptic Gregorian). */
int64_t time_days(int y, int m, int d);

/*
 * The minute of the last RFC 3164 stamp a thread parsed ("Nov 21 03:14:"):
 * most lines share it, and only their seconds differ. Zeroed = empty.
 */
struct timecache {
	const struct timectx *tc;
	char		 key[13];
	int64_t		 t;		/* seconds at the start of that minute */
};

/*
 * Splits a line into header and message. Returns 0, or -1 if the line
 * has no parsable time (ll->msg is then the whole line). cache may be
 * NULL; it is the caller's, one per thread.
 */
int parse_header(struct slice line, const struct timectx *tc,
    struct timecache *cache, struct logline *ll);

/*
 * Family parsers. parse_line fills ev and returns 1 when the line is an
 * error event (or a join fact, see event.h flags), 0 otherwise.
 */
int parse_line(const struct logline *ll, struct event *ev);

/*
 * Reads a reply as a client saw it ("-ERR [IN-USE] ...", "NO [OVERQUOTA]
 * ...", "550 5.1.1 ...") into ev: proto, code, enh, resp and text. Returns
 * 1 if it is a failure reply, 0 otherwise. Used by the family parsers and
 * by `mxtally explain`.
 */
int parse_reply(struct slice s, struct event *ev);

/* Clears ev to "no event" defaults (hint and cause CAUSE_NONE, count 1). */
void event_reset(struct event *ev);

#endif
