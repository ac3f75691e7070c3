/*
 * Line layouts: how a log file puts time, host and program before the
 * message, so that one family parser serves every layout. A file's
 * layout is found once, from its first lines (layout_sniff); each line
 * is then read the layout's way (layout_header), and on its own
 * (parse_header) when it does not fit, as in a file that mixes them.
 *
 *   syslog            RFC 3164 and journald's "short": "Dec  7 11:43:35
 *                     host prog[pid]: msg", host and pid optional
 *   journal-short-precise  "Dec 07 11:43:35.123456 host prog[pid]: msg"
 *   rfc3339           rsyslog's high-precision stamp:
 *                     "2026-12-07T11:43:35.123456+01:00 host prog: msg"
 *   journal-short-iso journald's short-iso and short-iso-precise, whose
 *                     zone has no colon: "2026-12-07T11:43:35+0000 ..."
 *   rfc5424           "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG",
 *                     with or without "<PRI>"; "-" fields are empty
 *   dovecot-log       Dovecot's own log_path/info_log_path files, either
 *                     log_timestamp ("%b %d %H:%M:%S " or "%Y-%m-%d
 *                     %H:%M:%S "): "Dec 07 11:43:35 pop3(u)<pid><s>:
 *                     Info: text". Program "dovecot", as through syslog.
 *   exim-mainlog      Exim's mainlog, rejectlog and paniclog: "2026-12-07
 *                     11:43:35 [+0100] [[pid]] text", no host, no program
 *   multilog          daemontools' and s6's TAI64N stamp: "@" and 24 hex
 *                     digits, then the text, no host, no program (a
 *                     Dovecot line "imap-login: Info: ..." is Dovecot's)
 *   tai64nlocal       the same through tai64nlocal: "2013-12-08
 *                     01:23:45.123456789 text"
 *   exchange-csv      Exchange protocol logs: an ISO stamp, then ','
 *   log4j             Zimbra's mailbox.log and audit.log: "2026-11-21
 *                     10:00:00,123 INFO  [thread] ..."
 *   docker-json       Docker's json-file driver: {"log":"<line>\n",
 *                     "stream":"stdout","time":"<RFC 3339, UTC>"}; the
 *                     line is unescaped and read as above
 *
 * Dovecot writes to syslog "log_prefix" + the level ("Error: ", ...) +
 * text, except that it leaves out "Info: " (failures.c, syslog_handler);
 * its own files always have the level. A dovecot-log line "pop3(u)<p><s>:
 * Info: text" therefore becomes the message "pop3(u)<p><s>: text", copied
 * into the thread's scratch without "Info: ", and the Dovecot parser sees
 * the very message it would see through syslog, so both count alike.
 *
 * Time: wall-clock as logged, as everywhere (parse_time.c). Stamps that
 * are UTC by definition (TAI64N, Docker's "time") are reported as UTC.
 * A TAI64N label is 2^62 + TAI seconds; daemontools and s6 write 2^62 +
 * 10 + the Unix time (no leap-second table: tai64nlocal undoes the same
 * 10 s), so the Unix time is label - 2^62 - 10. A Docker line's inner RFC
 * 3164 stamp takes its year from the "time" field (with the Dec -> Jan
 * wrap), and an inner line without a stamp gets the "time" itself.
 *
 * Nothing allocates; everything borrows from the line or the scratch.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "parse_int.h"

static const char *const layout_names[LAYOUT_COUNT] = {
	[LAYOUT_UNKNOWN] = "unknown",
	[LAYOUT_SYSLOG] = "syslog",
	[LAYOUT_PRECISE] = "journal-short-precise",
	[LAYOUT_RFC3339] = "rfc3339",
	[LAYOUT_JOURNAL_ISO] = "journal-short-iso",
	[LAYOUT_RFC5424] = "rfc5424",
	[LAYOUT_DOVECOT] = "dovecot-log",
	[LAYOUT_EXIM] = "exim-mainlog",
	[LAYOUT_MULTILOG] = "multilog",
	[LAYOUT_TAI64NLOCAL] = "tai64nlocal",
	[LAYOUT_EXCHANGE] = "exchange-csv",
	[LAYOUT_LOG4J] = "log4j",
	[LAYOUT_DOCKER] = "docker-json",
};

const char *
layout_name(int kind)
{
	return kind > 0 && kind < LAYOUT_COUNT ? layout_names[kind] :
	    layout_names[LAYOUT_UNKNOWN];
}

static inline int
is_digit(char c)
{
	return (unsigned)(c - '0') <= 9;
}

/*
 * The first byte in [p, end) that is a, b or c, or end. Header fields are
 * a few to a few dozen bytes: SSE2 looks at 16 of them per step where a
 * call to memchr would cost more than the search.
 */
static inline const char *
find3(const char *p, const char *end, char a, char b, char c)
{
#ifdef __SSE2__
	__m128i	 va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
	__m128i	 vc = _mm_set1_epi8(c), x;
	unsigned mask;

	for (; end - p >= 16; p += 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)p);
		mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
		    _mm_cmpeq_epi8(x, vc)));
		if (mask != 0)
			return p + __builtin_ctz(mask);
	}
#endif
	for (; p < end; p++)
		if (*p == a || *p == b || *p == c)
			return p;
	return end;
}

/*
 * The stamp at the start of line: bytes used (0 if none) and the time in
 * *t. An RFC 3164 stamp in the minute of the cache costs a compare and
 * two digits; any other goes through time_parse and, if RFC 3164, sets
 * the cache's minute.
 */
static size_t
header_time(struct slice line, const struct timectx *tc,
    struct timecache *cache, int64_t *t)
{
	const char	*p = line.p;
	size_t		 n;
	int		 sec;

	if (cache != NULL && line.len >= 15 && cache->tc == tc &&
	    memcmp(p, cache->key, 13) == 0 &&
	    (unsigned)(p[13] - '0') <= 9 && (unsigned)(p[14] - '0') <= 9 &&
	    (sec = (p[13] - '0') * 10 + (p[14] - '0')) <= 60) {
		*t = cache->t + sec;
		return 15;
	}
	n = time_parse(line, tc, t);
	if (n == 15 && cache != NULL) {		/* only RFC 3164 is 15 */
		cache->tc = tc;
		memcpy(cache->key, p, 13);
		cache->t = *t - ((p[13] - '0') * 10 + (p[14] - '0'));
	}
	return n;
}

/* The length of Dovecot's level ("Info: ", "Error: ", ...) at p, or 0. */
static size_t
dovecot_level(const char *p, const char *end)
{
	static const struct {
		const char	*s;
		size_t		 n;
	} lv[] = {
		{ "Info: ", 6 }, { "Error: ", 7 }, { "Warning: ", 9 },
		{ "Fatal: ", 7 }, { "Panic: ", 7 }, { "Debug: ", 7 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
		if ((size_t)(end - p) >= lv[i].n && p[0] == lv[i].s[0] &&
		    memcmp(p, lv[i].s, lv[i].n) == 0)
			return lv[i].n;
	return 0;
}

/*
 * A Dovecot log-file line after its stamp, "prefix: Level: text" with a
 * prefix of no blanks: fills ll as its syslog twin would be and returns
 * 1; 0 if p is no such line. "Info: " is taken out by copying the line
 * into buf (memmove: p may already be in buf); without buf it stays.
 */
static int
dovecot_line(const char *p, const char *end, char *buf, struct logline *ll)
{
	const char	*q = find3(p, end, ' ', ' ', ' ');
	size_t		 lv, k;

	if (q == end || q - p < 2 || q[-1] != ':' ||
	    (lv = dovecot_level(q + 1, end)) == 0)
		return 0;
	ll->host = SLICE_NULL;
	ll->program = SLICE_LIT("dovecot");
	ll->layout = LAYOUT_DOVECOT;
	if (lv != 6 || q[1] != 'I' || buf == NULL) {
		ll->msg = slice_make(p, end);
		return 1;
	}
	k = (size_t)(q + 1 - p);
	memmove(buf, p, k);
	memmove(buf + k, q + 1 + lv, (size_t)(end - (q + 1 + lv)));
	ll->msg = (struct slice){ buf, k + (size_t)(end - (q + 1 + lv)) };
	return 1;
}

/* "prog[pid]: msg" or "prog: msg" at p: program and message. */
static inline __attribute__((always_inline)) void
program_msg(const char *p, const char *end, struct logline *ll)
{
	const char	*q = find3(p, end, '[', ':', ' ');

	if (q == end || *q == ' ') {
		ll->msg = slice_make(p, end);
		return;
	}
	ll->program = slice_make(p, q);
	if (*q == '[') {
		q = find3(q, end, ']', ']', ']');
		if (q < end)
			q++;
	}
	if (q < end && *q == ':')
		q++;
	while (q < end && *q == ' ')
		q++;
	ll->msg = slice_make(q, end);
}

/* The layout of an ISO stamp of n bytes with 'T' (its zone's shape). */
static int
iso_kind(const char *s, size_t n)
{
	if (n >= 24 && (s[n - 5] == '+' || s[n - 5] == '-') &&
	    s[n - 3] != ':' && is_digit(s[n - 1]))
		return LAYOUT_JOURNAL_ISO;
	return LAYOUT_RFC3339;
}

/*
 * A stamp "YYYY-MM-DD HH:MM:SS..." of n bytes, then no host or program:
 * tai64nlocal (9 fractional digits), log4j (",mmm"), a Dovecot log file
 * (prefix and level), else Exim's logs. hint: the file's layout.
 */
static int
hdr_spaced(struct slice line, size_t n, int hint, char *buf,
    struct logline *ll)
{
	const char	*p = line.p + n, *end = line.p + line.len;

	while (p < end && *p == ' ')
		p++;
	ll->msg = slice_make(p, end);
	if (n == 29 && line.p[19] == '.') {
		(void)dovecot_line(p, end, buf, ll);
		ll->layout = LAYOUT_TAI64NLOCAL;
	} else if (n >= 21 && line.p[19] == ',')
		ll->layout = LAYOUT_LOG4J;
	else if (hint == LAYOUT_EXIM || !dovecot_line(p, end, buf, ll))
		ll->layout = LAYOUT_EXIM;
	return 0;
}

/* After a stamp of n bytes: host, program and message. */
static int
hdr_rest(struct slice line, size_t n, int hint, char *buf,
    struct logline *ll)
{
	const char	*p = line.p + n, *end = line.p + line.len, *q;

	if (!is_digit(line.p[0])) {	/* RFC 3164: 15 bytes, or 14 */
		ll->layout = LAYOUT_SYSLOG;
		if (p < end && *p == '.') {	/* journald short-precise */
			for (p++; p < end && is_digit(*p); p++)
				;
			ll->layout = LAYOUT_PRECISE;
		}
	} else if (line.p[10] == ' ') {
		if (p < end && *p == ',') {
			ll->msg = slice_make(p, end);
			ll->layout = LAYOUT_EXCHANGE;
			return 0;
		}
		return hdr_spaced(line, n, hint, buf, ll);
	} else
		ll->layout = iso_kind(line.p, n);
	while (p < end && *p == ' ')
		p++;
	ll->msg = slice_make(p, end);
	if (p < end && *p == ',') {
		ll->layout = LAYOUT_EXCHANGE;
		return 0;		/* CSV protocol log: msg keeps the ',' */
	}
	/* "<mail.notice> host ...": a template's facility.level, skipped */
	if (p < end && *p == '<' && (q = memchr(p, '>', (size_t)(end - p))) !=
	    NULL && q + 1 < end && q[1] == ' ' && memchr(p, '.', (size_t)(q - p))) {
		p = q + 2;
		ll->msg = slice_make(p, end);
	}
	q = find3(p, end, ' ', ' ', ' ');
	if (q == end)
		return 0;
	if (q[-1] == ':') {		/* no host: "prog[pid]: msg" */
		if (dovecot_line(p, end, buf, ll))
			return 0;
		program_msg(p, end, ll);
		return 0;
	}
	ll->host = slice_make(p, q);
	program_msg(q + 1, end, ll);
	return 0;
}

/* A stamped line (RFC 3164, ISO): -1 if there is no stamp. */
static int
hdr_stamped(struct slice line, int hint, const struct timectx *tc,
    struct timecache *cache, char *buf, struct logline *ll)
{
	size_t	 n;

	if ((n = header_time(line, tc, cache, &ll->t)) == 0) {
		ll->t = T_NONE;
		ll->msg = line;
		return -1;
	}
	return hdr_rest(line, n, hint, buf, ll);
}

/* A token of RFC 5424 at *pp: "-" is empty. Moves *pp past its blank. */
static struct slice
sd_token(const char **pp, const char *end)
{
	const char	*p = *pp, *q = find3(p, end, ' ', ' ', ' ');

	*pp = q < end ? q + 1 : end;
	if (q - p == 1 && *p == '-')
		return SLICE_NULL;
	return slice_make(p, q);
}

/*
 * RFC 5424 after "<PRI>" (or with none) at p: "1 TIMESTAMP HOST APP
 * PROCID MSGID SD [MSG]". Returns 0, -1 for a "-" time, -2 if p is no
 * RFC 5424 header.
 */
static int
hdr_5424(struct slice line, const char *p, const struct timectx *tc,
    struct logline *ll)
{
	const char	*end = line.p + line.len;
	size_t		 n = 0;
	int		 quoted = 0;

	if (p >= end || !is_digit(*p))
		return -2;
	while (p < end && is_digit(*p))
		p++;
	if (end - p < 2 || *p != ' ')
		return -2;
	p++;
	if (*p == '-' && (end - p == 1 || p[1] == ' '))
		ll->t = T_NONE, n = 1;
	else if (!is_digit(*p) ||
	    (n = time_parse(slice_make(p, end), tc, &ll->t)) == 0)
		return -2;
	p += n;
	if (p < end && *p == ' ')
		p++;
	ll->layout = LAYOUT_RFC5424;
	ll->host = sd_token(&p, end);
	ll->program = sd_token(&p, end);
	(void)sd_token(&p, end);		/* PROCID */
	(void)sd_token(&p, end);		/* MSGID */
	if (p < end && *p == '-')
		p++;
	else
		for (; p < end && *p == '[';) {
			for (p++; p < end && (quoted || *p != ']'); p++)
				if (*p == '\\' && quoted && p + 1 < end)
					p++;
				else if (*p == '"')
					quoted = !quoted;
			if (p < end)
				p++;
		}
	if (p < end && *p == ' ')
		p++;
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;				/* the BOM before a UTF-8 MSG */
	ll->msg = slice_make(p, end);
	return ll->t == T_NONE ? -1 : 0;
}

static int
hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#define TAI64_BASE	(((uint64_t)1 << 62) + 10)	/* see the top */

/*
 * "@" and 24 hex digits (TAI64N), then the message: a daemon's own line
 * without its stamp, such as Dovecot's "imap-login: Info: ..." when it
 * logs to stderr. -2 if not.
 */
static int
hdr_tai64n(struct slice line, char *buf, struct logline *ll)
{
	const char	*p = line.p, *end = line.p + line.len;
	uint64_t	 label = 0;
	int		 i, v;

	if (line.len < 25 || p[0] != '@')
		return -2;
	for (i = 1; i <= 24; i++) {
		if ((v = hexval(p[i])) < 0)
			return -2;
		if (i <= 16)
			label = label << 4 | (uint64_t)v;
	}
	if (label < TAI64_BASE || label - TAI64_BASE > ((uint64_t)1 << 40))
		return -2;
	ll->t = (int64_t)(label - TAI64_BASE);
	for (p += 25; p < end && *p == ' '; p++)
		;
	ll->msg = slice_make(p, end);
	(void)dovecot_line(p, end, buf, ll);
	ll->layout = LAYOUT_MULTILOG;
	return 0;
}

/*
 * A JSON string's body at p (after the opening quote) unescaped into
 * buf; returns its length and sets *after past the closing quote, or
 * returns -1 if the string does not end.
 */
static long
json_unescape(const char *p, const char *end, char *buf, const char **after)
{
	char		*o = buf;
	unsigned	 u;
	int		 i, v;

	while (p < end && *p != '"') {
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		if (++p >= end)
			return -1;
		switch (*p++) {
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'u':
			for (u = 0, i = 0; i < 4; i++, p++) {
				if (p >= end || (v = hexval(*p)) < 0)
					return -1;
				u = u << 4 | (unsigned)v;
			}
			/* UTF-8; surrogates are written one by one */
			if (u < 0x80)
				*o++ = (char)u;
			else if (u < 0x800) {
				*o++ = (char)(0xc0 | u >> 6);
				*o++ = (char)(0x80 | (u & 0x3f));
			} else {
				*o++ = (char)(0xe0 | u >> 12);
				*o++ = (char)(0x80 | ((u >> 6) & 0x3f));
				*o++ = (char)(0x80 | (u & 0x3f));
			}
			break;
		default:		/* '"', '\\', '/' */
			*o++ = p[-1];
		}
	}
	if (p >= end)
		return -1;
	*after = p + 1;
	return o - buf;
}

/* Year and month of Unix time t (UTC), for an inner RFC 3164 stamp. */
static void
timectx_of(int64_t t, struct timectx *tc)
{
	/* civil from days, after H. Hinnant's derivation */
	int64_t	 z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
	int64_t	 era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t	 doe = z - era * 146097;
	int64_t	 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t	 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t	 mp = (5 * doy + 2) / 153;
	int	 m = (int)(mp < 10 ? mp + 3 : mp - 9);

	tc->year = (int)(yoe + era * 400) + (m <= 2);
	tc->month = m;
	tc->fixed = 0;
}

#define HINT_INNER	LAYOUT_COUNT

static int hdr_any(struct slice line, int hint, const struct timectx *tc,
    struct timecache *cache, char *buf, struct logline *ll);

#define DOCKER_LOG	"{\"log\":\""
#define DOCKER_TIME	"\"time\":\""

/* A Docker json-file line: its "log" string read as a line. -2 if not. */
static int
hdr_docker(struct slice line, const struct timectx *tc, char *buf,
    struct logline *ll)
{
	const char	*end = line.p + line.len, *after, *tp;
	struct timectx	 itc = *tc;
	struct slice	 in;
	int64_t		 dt = T_NONE;
	long		 n;
	int		 rc;

	if (buf == NULL || !SLICE_STARTS(line, DOCKER_LOG) ||
	    (n = json_unescape(line.p + sizeof(DOCKER_LOG) - 1, end, buf,
	    &after)) < 0)
		return -2;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	tp = slice_find(slice_make(after, end), DOCKER_TIME,
	    sizeof(DOCKER_TIME) - 1);
	if (tp != NULL && time_parse(slice_make(tp + sizeof(DOCKER_TIME) - 1,
	    end), tc, &dt) > 0)
		timectx_of(dt, &itc);
	in = (struct slice){ buf, (size_t)n };
	/* no minute cache: the year context is this line's own */
	rc = hdr_any(in, HINT_INNER, &itc, NULL, buf, ll);
	if (rc == -1 && dt != T_NONE && ll->host.len == 0 &&
	    ll->program.len == 0) {
		ll->t = dt;
		ll->msg = in;
		rc = 0;
	}
	ll->layout = LAYOUT_DOCKER;
	return rc;
}

/*
 * Any line, its layout found from its first byte and its stamp. hint is
 * the file's layout, or HINT_INNER for the line inside a Docker line
 * (which is no Docker line again: the scratch holds it).
 */
static int
hdr_any(struct slice line, int hint, const struct timectx *tc,
    struct timecache *cache, char *buf, struct logline *ll)
{
	const char	*p = line.p, *end = line.p + line.len;
	int		 rc;

	ll->host = SLICE_NULL;
	ll->program = SLICE_NULL;
	ll->layout = LAYOUT_UNKNOWN;
	switch (line.len > 2 ? *p : 0) {
	case '<':		/* "<PRI>": RFC 5424, or RFC 3164 after it */
		for (p++; p < end && p - line.p <= 4 && is_digit(*p); p++)
			;
		if (p == end || *p != '>' || p == line.p + 1)
			break;
		p++;
		if ((rc = hdr_5424(line, p, tc, ll)) != -2)
			return rc;
		if (hdr_stamped(slice_make(p, end), hint, tc, cache, buf,
		    ll) == 0)
			return 0;
		ll->msg = line;
		return -1;
	case '1':
		if (p[1] == ' ' && (rc = hdr_5424(line, p, tc, ll)) != -2)
			return rc;
		break;
	case '@':
		if (hdr_tai64n(line, buf, ll) == 0)
			return 0;
		break;
	case '{':
		if (hint != HINT_INNER &&
		    (rc = hdr_docker(line, tc, buf, ll)) != -2)
			return rc;
		break;
	}
	ll->host = SLICE_NULL;
	ll->program = SLICE_NULL;
	ll->layout = LAYOUT_UNKNOWN;
	return hdr_stamped(line, hint, tc, cache, buf, ll);
}

int
parse_header(struct slice line, const struct timectx *tc,
    struct timecache *cache, struct logline *ll)
{
	return hdr_any(line, LAYOUT_UNKNOWN, tc, cache,
	    cache != NULL ? cache->buf : NULL, ll);
}

/*
 * The common syslog line, "Mmm dd hh:mm:ss host prog[pid]: msg" in the
 * minute of the cache, read in one pass: what hdr_stamped, hdr_rest and
 * program_msg make of it, without their calls and stores that the next
 * one overwrites. Returns 0, or -2 for any other line (a new minute, a
 * fraction, no host, a CSV line), which then goes the long way.
 */
static inline int
hdr_syslog_fast(struct slice line, const struct timectx *tc,
    const struct timecache *cache, struct logline *ll)
{
	const char	*p = line.p, *end = line.p + line.len, *h, *q;
	unsigned	 d1, d2;

	if (line.len < 17 || cache->tc != tc || memcmp(p, cache->key, 13) != 0)
		return -2;
	d1 = (unsigned)(p[13] - '0');
	d2 = (unsigned)(p[14] - '0');
	if (d1 > 9 || d2 > 9 || d1 * 10 + d2 > 60 || p[15] != ' ')
		return -2;
	for (h = p + 16; h < end && *h == ' '; h++)
		;
	if (h == end || *h == ',')
		return -2;
	q = find3(h, end, ' ', ' ', ' ');
	if (q == end || q[-1] == ':')
		return -2;
	ll->t = cache->t + (int64_t)(d1 * 10 + d2);
	ll->layout = LAYOUT_SYSLOG;
	ll->host = slice_make(h, q);
	ll->program = SLICE_NULL;
	program_msg(q + 1, end, ll);
	return 0;
}

/*
 * Every line but the common syslog one of the cache's minute (see
 * layout_header): kept out of line, so that the fast path saves and
 * restores only the few registers it uses.
 */
static __attribute__((noinline)) int
layout_header_slow(struct slice line, const struct layout *lo,
    const struct timectx *tc, struct timecache *cache, struct logline *ll)
{
	char	*buf = cache != NULL ? cache->buf : NULL;

	switch (lo->kind) {
	case LAYOUT_SYSLOG:
	case LAYOUT_DOVECOT:
	case LAYOUT_EXIM:
		/* the stamp first, the layout only where lines look alike */
		if (line.len > 0 && line.p[0] != '<' && line.p[0] != '@' &&
		    line.p[0] != '{' && line.p[0] != '1') {
			ll->host = SLICE_NULL;
			ll->program = SLICE_NULL;
			ll->layout = LAYOUT_UNKNOWN;
			return hdr_stamped(line, lo->kind, tc, cache, buf, ll);
		}
		break;
	case LAYOUT_MULTILOG:
		ll->host = SLICE_NULL;
		ll->program = SLICE_NULL;
		if (hdr_tai64n(line, buf, ll) == 0)
			return 0;
		break;
	}
	return hdr_any(line, lo->kind, tc, cache, buf, ll);
}

/*
 * Called on every line from the scan loop in another file: inlined
 * there under link-time optimisation whatever else the program grows
 * to (GCC's heuristics dropped it once another stage grew, +3 % of the
 * scan's instructions); without LTO an ordinary external function.
 */
inline __attribute__((always_inline)) int
layout_header(struct slice line, const struct layout *lo,
    const struct timectx *tc, struct timecache *cache, struct logline *ll)
{
	if (lo->kind == LAYOUT_SYSLOG && cache != NULL &&
	    hdr_syslog_fast(line, tc, cache, ll) == 0)
		return 0;
	return layout_header_slow(line, lo, tc, cache, ll);
}

/* Exchange's header lines: "#Software: Microsoft Exchange Server" ... */
static int
exchange_head(struct slice line)
{
	return SLICE_STARTS(line, "#Software: Microsoft Exchange") ||
	    SLICE_STARTS(line, "#Fields: date-time,") ||
	    SLICE_STARTS(line, "#Fields: dateTime,");
}

void
layout_sniff(struct slice head, const struct timectx *tc,
    struct timecache *cache, struct layout *lo)
{
	const char	*p = head.p, *end = head.p + head.len, *nl;
	unsigned	 count[LAYOUT_COUNT] = { 0 }, seen = 0;
	int		 order[LAYOUT_COUNT], norder = 0, i, best = 0;
	struct logline	 ll;
	struct slice	 line;

	lo->kind = LAYOUT_UNKNOWN;
	while (p < end && seen < LAYOUT_SNIFF_LINES) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line = slice_make(p, nl ? nl : end);
		p = nl ? nl + 1 : end;
		if (line.len > 0 && line.p[line.len - 1] == '\r')
			line.len--;
		if (line.len > PARSE_SCRATCH)
			line.len = PARSE_SCRATCH;
		if (line.len == 0)
			continue;
		seen++;
		if (exchange_head(line))
			ll.layout = LAYOUT_EXCHANGE;
		else
			(void)parse_header(line, tc, cache, &ll);
		if (ll.layout == LAYOUT_UNKNOWN)
			continue;
		if (count[ll.layout]++ == 0)
			order[norder++] = ll.layout;
	}
	for (i = 0; i < norder; i++)		/* ties: the first seen */
		if (best == 0 || count[order[i]] > count[best])
			best = order[i];
	lo->kind = best;
}
