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

/*
 * Line layouts (layout.c): how a file's lines put time, host and program
 * before the message. Found once per file from its first lines
 * (layout_sniff); a line the file's layout does not fit is looked at on
 * its own. LAYOUT_UNKNOWN: no layout found, each line on its own.
 */
enum layout_kind {
	LAYOUT_UNKNOWN,
	LAYOUT_SYSLOG,		/* RFC 3164, journald short: "Dec  7 11:43:35 host prog[pid]: msg" */
	LAYOUT_PRECISE,		/* journald short-precise: "Dec 07 11:43:35.123456 host ..." */
	LAYOUT_RFC3339,		/* rsyslog high precision: "2026-12-07T11:43:35.123+01:00 host ..." */
	LAYOUT_JOURNAL_ISO,	/* journald short-iso(-precise): "2026-12-07T11:43:35+0000 host ..." */
	LAYOUT_RFC5424,		/* "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG" */
	LAYOUT_DOVECOT,		/* Dovecot's log_path: "Dec 07 11:43:35 pop3(u)<p><s>: Info: ..." */
	LAYOUT_EXIM,		/* Exim mainlog, rejectlog, paniclog */
	LAYOUT_MULTILOG,	/* daemontools, s6: "@4000000052a3b1c4xxxxxxxx msg" */
	LAYOUT_TAI64NLOCAL,	/* multilog through tai64nlocal: "2013-12-08 01:23:45.123456789 msg" */
	LAYOUT_EXCHANGE,	/* Exchange protocol logs (CSV) */
	LAYOUT_LOG4J,		/* Zimbra mailbox.log, audit.log */
	LAYOUT_DOCKER,		/* Docker json-file: {"log":"...","stream":...,"time":...} */
	LAYOUT_COUNT
};

/* A file's layout; zeroed = LAYOUT_UNKNOWN. */
struct layout {
	int		 kind;		/* enum layout_kind */
};

/* What the header parser found. */
struct logline {
	int64_t		 t;		/* wall-clock seconds, or T_NONE */
	struct slice	 host;
	struct slice	 program;	/* without "[pid]" */
	struct slice	 msg;		/* after "prog[pid]: " */
	int		 layout;	/* enum layout_kind of this line */
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

#define PARSE_SCRATCH	(64 * 1024)	/* a line's message rewritten: the line cap */

/*
 * A thread's header state: the minute of the last RFC 3164 stamp it
 * parsed ("Nov 21 03:14:"), since most lines share it and only their
 * seconds differ; and the scratch a message is rewritten into when the
 * layout hides it (a Docker JSON string unescaped, Dovecot's "Info: "
 * taken out). Zeroed = empty.
 */
struct timecache {
	const struct timectx *tc;
	char		 key[13];
	int64_t		 t;		/* seconds at the start of that minute */
	char		 buf[PARSE_SCRATCH];	/* a rewritten message */
};

/*
 * Splits a line into header and message, finding its layout on its own.
 * Returns 0, or -1 if the line has no parsable time (ll->msg is then the
 * whole line, or the message of a layout without a time). cache may be
 * NULL (then Docker lines are not unescaped and Dovecot's "Info: " stays);
 * it is the caller's, one per thread, and ll may point into it until the
 * next call.
 */
int parse_header(struct slice line, const struct timectx *tc,
    struct timecache *cache, struct logline *ll);

/*
 * parse_header for a line of a file of layout lo: the layout's own
 * reader, and parse_header when the line does not fit it.
 */
int layout_header(struct slice line, const struct layout *lo,
    const struct timectx *tc, struct timecache *cache, struct logline *ll);

/*
 * Finds the layout of a file from the whole lines at the start of head
 * (its first bytes; up to LAYOUT_SNIFF_LINES lines are looked at): the
 * layout most of them have. cache as for parse_header.
 */
#define LAYOUT_SNIFF_LINES	32
void layout_sniff(struct slice head, const struct timectx *tc,
    struct timecache *cache, struct layout *lo);

/* "syslog", "dovecot-log", ...; "unknown" for LAYOUT_UNKNOWN. */
const char *layout_name(int kind);

/*
 * Family parsers. parse_line fills ev and returns 1 when the line is an
 * error event (or a join fact, see event.h flags), 0 otherwise.
 */
int parse_line(const struct logline *ll, struct event *ev);

/*
 * parse_line that also says, in *known, whether the line was a mail
 * server's: a family parser took it (by its program name or, in a
 * layout without one, by the family's sniff of the message), or the
 * generic reader found a failure reply in it.
 */
int parse_line_known(const struct logline *ll, struct event *ev, int *known);

/*
 * Reads a reply as a client saw it ("-ERR [IN-USE] ...", "NO [OVERQUOTA]
 * ...", "550 5.1.1 ...") into ev: proto, code, enh, resp and text. Returns
 * 1 if it is a failure reply, 0 otherwise. Used by the family parsers and
 * by `mxtally explain`.
 */
int parse_reply(struct slice s, struct event *ev);

/* The name of ev->fam ("postfix", "exim"), or NULL for 0. */
const char *parse_family_name(int fam);

/* Clears ev to "no event" defaults (hint and cause CAUSE_NONE, count 1). */
void event_reset(struct event *ev);

#endif
