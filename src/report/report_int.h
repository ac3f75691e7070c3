/*
 * Helpers shared by the report writers: safe string output (JSON strings
 * per RFC 8259, terminal-safe text), numbers with thousands separators,
 * the composed meaning of a reply-code row and a bounds-checked cause
 * lookup. Nothing here allocates or keeps state.
 */
#ifndef MXTALLY_REPORT_INT_H
#define MXTALLY_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mxtally/cause.h"
#include "mxtally/report.h"
#include "mxtally/trend.h"

/*
 * Length of the longest prefix of s that a JSON string holds as it is:
 * printable ASCII other than " and \, and well-formed UTF-8 sequences.
 */
size_t rep_json_plain(const char *s);

/* The JSON escape of byte c (\" \n ... or \u00XX) into buf; its length. */
size_t rep_json_escape(unsigned char c, char buf[8]);

/*
 * Writes s for a terminal when out is not NULL: C0 controls, DEL, C1
 * controls, bidi overrides and invalid UTF-8 become \xNN per byte, so log
 * data cannot drive the terminal. NULL prints as "-". Returns the columns
 * used (one per character; wide characters are not measured). Borrows s.
 */
size_t rep_text_str(FILE *out, const char *s);

/*
 * Same for the first len bytes of s; s must still be NUL-terminated (a
 * character that starts before len is written whole).
 */
size_t rep_text_mem(FILE *out, const char *s, size_t len);

/*
 * Writes s as HTML text, safe in element content and in a quoted
 * attribute: & < > " ' become references; C0 and C1 controls, DEL, bidi
 * overrides, noncharacters and invalid UTF-8 become a visible \xNN per
 * byte. NULL prints as "-". Borrows s.
 */
void rep_html_str(FILE *out, const char *s);

/*
 * Writes s as one CSV field (RFC 4180): quoted, with quotes doubled,
 * when it holds a comma, quote, CR or LF. When from_log, a field that a
 * spreadsheet would run as a formula (first byte = + - @ TAB CR) gets a
 * leading apostrophe. Controls other than TAB, CR, LF and invalid UTF-8
 * become \xNN. NULL is an empty field. Borrows s.
 */
void rep_csv_field(FILE *out, const char *s, int from_log);

/*
 * Writes lead and the names of the families in fams (struct traffic
 * counted_from), comma-separated, and a newline; nothing when fams is 0.
 */
void rep_counted_from(FILE *out, uint32_t fams, const char *lead);

/*
 * A detail key as a reader says it: "rbl:zen.spamhaus.org" gives "by
 * zen.spamhaus.org" (into buf), any other key itself ("helo", "relay").
 */
const char *rep_detail_label(const char *key, char *buf, size_t len);

/*
 * The first step for the outbound events of cause: a remote server
 * refused our mail, so the advice points at our side (our IP listed:
 * delist and check our sending reputation). Never NULL.
 */
const char *rep_advice_outbound(int cause);

/* The who and where of cause in r; all empty when r has none. */
const struct cause_where *rep_where(const struct result *r, int cause);

/* 1 when most of w's events are outbound (a remote refused our mail). */
int rep_mostly_outbound(const struct cause_where *w);

/*
 * Writes s (terminal-safe, as rep_text_str) word-wrapped at cols and a
 * newline; the cursor is at column col, continuation lines are indented
 * to column indent. NULL prints as "-". Borrows s.
 */
void rep_text_wrap(FILE *out, const char *s, size_t col, size_t indent,
    size_t cols);

/* Writes n spaces. */
void rep_pad(FILE *out, size_t n);

/* How a writer marks up a refused lock session (rep_lock_session). */
struct lock_fmt {
	void	(*str)(FILE *, const char *);	/* writes a string, escaped */
	char	*(*time)(int64_t, char *, size_t); /* formats a time */
	const char *open, *sep;		/* before and after the time */
	const char *code, *uncode;	/* around the holder's session id */
	const char *end;		/* after the row */
};

/*
 * Writes one refused session of the lock section, "TIME USER from CLIENT:
 * held by HOLDER since TIME (session ID)" or ": the holder is not in the
 * log", the same words in every format, marked up by fmt.
 */
void rep_lock_session(FILE *out, const struct lock_row *l,
    const struct lock_fmt *fmt);

/*
 * "N POP3 sessions refused the mailbox lock; the session holding it is
 * in the log for HELD." (with IMAP ones: "N sessions (P POP3, K IMAP)
 * ..."); n and held are the counts as the writer formats them.
 */
void rep_lock_count(FILE *out, const struct result *r, const char *n,
    const char *held);

/* Formats bytes as "1.5 MiB" (or "512 bytes") into buf; returns buf. */
char *rep_bytes(uint64_t n, char *buf, size_t len);

/* Formats n with thousands separators ("1,234,567") into buf; returns buf. */
char *rep_num(uint64_t n, char *buf, size_t len);

/* A table --max-keys folded: its events in "(other)". */
struct rep_fold {
	const char	*what;		/* "users", "senders (messages)", ... */
	uint64_t	 events;
};

#define REP_FOLD_MAX	8

/* The folded tables of r, in report order, into out; returns how many. */
size_t rep_folded(const struct result *r, struct rep_fold *out);

/*
 * The meaning of a codes row: basic and enhanced code meanings joined by
 * "; ", then the response code's meaning when known; the cause's meaning
 * when none of them is known. Written into buf, truncated; returns buf.
 */
char *rep_code_meaning(const struct code_row *c, char *buf, size_t len);

/*
 * Copies a fixed-size code field of a code_row (code, enh, resp: not
 * NUL-terminated when full) into buf as a string, cut to len - 1 bytes.
 * Returns its length; 0 for an empty field.
 */
size_t rep_code_field(const char *s, size_t size, char *buf, size_t len);

/* The cause's info, or NULL when cause is out of range. */
const struct cause_info *rep_cause(int cause);

/* 1 when the cause belongs to that group ("storage", "auth", "lock"). */
int rep_cause_in(int cause, const char *group);

/* The cause's id, or "-" when cause is out of range. */
const char *rep_cause_id(int cause);

/*
 * r's views (report_views); BUG() when nobody computed them, so that no
 * writer goes back to deriving a figure of its own.
 */
const struct result_views *rep_views(const struct result *r);

/*
 * HTML shared by the report and the trend page (report_page.c).
 * rep_html_css: the one stylesheet; rep_html_head writes the doctype,
 * head (title escaped, CSP: no script, no fetch) and opens <body>.
 */
extern const char rep_html_css[];
void rep_html_head(FILE *out, const char *version, const char *title);

/* A summary tile: n at id (data-value) over label; cls may be NULL. */
void rep_html_tile(FILE *out, const char *id, const char *cls, uint64_t n,
    const char *label);

/* ' data-NAME="value"' with the value escaped. */
void rep_html_attr(FILE *out, const char *name, const char *value);

/* t as "2026-11-21 14:00:00" (or "-" for T_NONE) into buf; returns buf. */
char *rep_html_when(int64_t t, char *buf, size_t len);

/*
 * One colour per cause (a static string), the same in every chart,
 * legend and table; any int, CAUSE_NONE included, has one.
 */
const char *rep_cause_color(int cause);

/*
 * A stacked bar chart over time slots. Borrows every array. by holds
 * n * nser counts; the bars stack the series of order (first at the
 * bottom), each labelled and coloured by label[] and color[]. A slot
 * whose unknown[] is set (unknown may be NULL) is drawn as a dashed
 * outline: no data, which is not zero.
 */
struct rep_chart {
	int64_t			 bucket;	/* seconds per slot: hour, day */
	size_t			 n;		/* slots */
	int			 sparse;	/* only slots with events */
	const int64_t		*start;		/* slot starts */
	const uint64_t		*events;	/* slot totals */
	const uint64_t		*by;		/* n * nser, by series */
	uint64_t		 max;		/* busiest slot */
	size_t			 nser;		/* series */
	const size_t		*order;		/* series stacked, bottom first */
	size_t			 norder;
	const char *const	*label;		/* nser ids (data-cause) */
	const char *const	*color;		/* nser colours */
	const unsigned char	*unknown;	/* n flags, or NULL */
	const uint64_t		*quiet;		/* n: a run of that many empty
						   slots drawn as one, or NULL */
};

/*
 * Writes ch as <div class="chart"><svg id=ID>, titled "WHAT per hour
 * by cause" (or day); ch->n must be at least 1.
 */
void rep_chart_svg(FILE *out, const struct rep_chart *ch, const char *id,
    const char *what);

/*
 * The trend writers' shared words (report_trend.c). Each part of a
 * trend has an id (the JSON key and HTML section id), a title, the name
 * of its rows and what they count, and a note on what it means.
 */
struct rep_trend_words {
	const char	*id;		/* "system", "quota", "rates" */
	const char	*title;		/* "System storage per host" */
	const char	*key;		/* "host", "user" */
	const char	*keys;		/* "hosts", "users" */
	const char	*unit;		/* "refusals", "events" */
	const char	*note;		/* one sentence */
};

const struct rep_trend_words *rep_trend_words(enum trend_kind k);
extern const char rep_trend_method[];

/* "where will we run out of space next" or "are these errors ..." */
const char *rep_trend_question(const struct trend *t);

/* The first step of a part's first cause ("" when unknown). */
const char *rep_trend_advice(const struct trend *t,
    const struct trend_part *p);

/*
 * The one-sentence answer of part k (names raw: the caller escapes the
 * whole sentence), malloc'd; NULL when the part counts no cause or
 * nothing is recorded. rep_trend_older: the note on recorded days
 * before the window, or NULL when there are none.
 */
char *rep_trend_sentence(const struct trend *t, enum trend_kind k);

/* A system row's name: "mx1 queue" from free space, "mx1" from refusals. */
void rep_trend_row_name(FILE *f, const struct trend_series *s);

/* A change of v bytes with its sign, "-1.2 GiB", into buf. */
char *rep_trend_bytes(double v, char *buf, size_t len);
char *rep_trend_older(const struct trend *t);

/*
 * The days of the window without a recorded run, named (the first few,
 * then how many more), malloc'd; NULL when every day is recorded.
 */
char *rep_trend_gaps(const struct trend *t);

#endif
