/*
 * What the report writers share: timestamps, escaping of log data for
 * JSON and for terminals, number formatting and the composed meaning of a
 * reply-code row. Log data is hostile until proven otherwise: every string
 * that came from a log line goes through rep_json_str or rep_text_str.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/event.h"
#include "mxtally/log.h"
#include "mxtally/parse.h"
#include "mxtally/report.h"
#include "report_int.h"

/*
 * Timestamps are wall-clock seconds as logged (parse_time.c), so this is
 * plain calendar arithmetic on a day count: no zone, no leap seconds.
 */
char *
report_time(int64_t t, char *buf, size_t len)
{
	int64_t	 days, secs, era, doe, yoe, doy, mp, y, m, d;

	if (len == 0)
		return buf;
	if (t == T_NONE) {
		snprintf(buf, len, "-");
		return buf;
	}
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* count from 0000-03-01 so that a leap day ends its year */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;			/* [0, 146096] */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	/* [0, 365] */
	mp = (5 * doy + 2) / 153;			/* March = 0 */
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	snprintf(buf, len, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld",
	    (long long)y, (long long)m, (long long)d, (long long)(secs / 3600),
	    (long long)(secs / 60 % 60), (long long)(secs % 60));
	return buf;
}

static int
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t
rep_utf8_len(const unsigned char *s)
{
	unsigned char	 c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return is_cont(s[1]) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		/* E0 needs A0..BF (no overlong), ED needs 80..9F (no surrogate) */
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;
		if (c == 0xed && s[1] > 0x9f)
			return 0;
		return is_cont(s[1]) && is_cont(s[2]) ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		/* F0 needs 90..BF (no overlong), F4 needs 80..8F (<= U+10FFFF) */
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] > 0x8f)
			return 0;
		return is_cont(s[1]) && is_cont(s[2]) && is_cont(s[3]) ? 4 : 0;
	}
	return 0;			/* 80..C1 and F5..FF never start one */
}

size_t
rep_clean_len(const unsigned char *s, int ws)
{
	size_t	 n = rep_utf8_len(s);

	if (n != 1)
		return n;
	if (*s == 0x7f || (*s < 0x20 && !(ws && (*s == '\t' ||
	    *s == '\r' || *s == '\n'))))
		return 0;
	return 1;
}

/* Bytes a JSON string holds as they are: ' ' to '~' but '"' and '\\'. */
#define JSON_PLAIN_ROW(b)	[b] = 1, [b + 1] = 1, [b + 2] = 1, [b + 3] = 1
static const unsigned char json_plain[256] = {
	[0x20] = 1, [0x21] = 1, [0x23] = 1, [0x24] = 1, [0x25] = 1,
	[0x26] = 1, [0x27] = 1, JSON_PLAIN_ROW(0x28), JSON_PLAIN_ROW(0x2c),
	JSON_PLAIN_ROW(0x30), JSON_PLAIN_ROW(0x34), JSON_PLAIN_ROW(0x38),
	JSON_PLAIN_ROW(0x3c), JSON_PLAIN_ROW(0x40), JSON_PLAIN_ROW(0x44),
	JSON_PLAIN_ROW(0x48), JSON_PLAIN_ROW(0x4c), JSON_PLAIN_ROW(0x50),
	JSON_PLAIN_ROW(0x54), JSON_PLAIN_ROW(0x58), [0x5d] = 1,
	[0x5e] = 1, [0x5f] = 1, JSON_PLAIN_ROW(0x60), JSON_PLAIN_ROW(0x64),
	JSON_PLAIN_ROW(0x68), JSON_PLAIN_ROW(0x6c), JSON_PLAIN_ROW(0x70),
	JSON_PLAIN_ROW(0x74), JSON_PLAIN_ROW(0x78), [0x7c] = 1, [0x7d] = 1,
	[0x7e] = 1,
};

size_t
rep_json_plain(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	for (;;) {
		while (json_plain[p[0]] && json_plain[p[1]] &&
		    json_plain[p[2]] && json_plain[p[3]])
			p += 4;		/* a NUL stops each step: no over-read */
		while (json_plain[*p])
			p++;
		if (*p < 0x80 || (n = rep_utf8_len(p)) == 0)
			return (size_t)(p - (const unsigned char *)s);
		p += n;
	}
}

size_t
rep_json_escape(unsigned char c, char buf[8])
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*e = NULL;

	switch (c) {
	case '"':	e = "\\\""; break;
	case '\\':	e = "\\\\"; break;
	case '\n':	e = "\\n"; break;
	case '\t':	e = "\\t"; break;
	case '\r':	e = "\\r"; break;
	case '\b':	e = "\\b"; break;
	case '\f':	e = "\\f"; break;
	}
	if (e != NULL) {
		memcpy(buf, e, 2);
		return 2;
	}
	memcpy(buf, "\\u00", 4);
	buf[4] = hex[c >> 4];
	buf[5] = hex[c & 15];
	return 6;
}

void
rep_json_str(FILE *out, const char *s)
{
	char	 esc[8];
	size_t	 n;

	if (s == NULL) {
		fputs("null", out);
		return;
	}
	putc_unlocked('"', out);
	for (;;) {
		n = rep_json_plain(s);
		fwrite_unlocked(s, 1, n, out);
		if (s[n] == '\0')
			break;
		fwrite_unlocked(esc, 1, rep_json_escape((unsigned char)s[n],
		    esc), out);
		s += n + 1;
	}
	putc_unlocked('"', out);
}

/*
 * Code points a terminal must not receive from log data even when they
 * are valid UTF-8: C1 controls (U+0080..U+009F; 8-bit CSI is U+009B),
 * the bidi embedding, override, isolate and mark characters that
 * reorder a line, the line and paragraph separators U+2028/U+2029 (a
 * line break to some terminals and viewers), and the invisible ones
 * that make look-alike names: soft hyphen U+00AD, zero-width space,
 * joiners U+200B..U+200D, word joiner and invisible operators
 * U+2060..U+2064, the Mongolian vowel separator U+180E, BOM U+FEFF.
 */
static int
text_unsafe_seq(const unsigned char *p, size_t n)
{
	if (n == 2)
		return (p[0] == 0xc2 && (p[1] <= 0x9f || p[1] == 0xad)) ||
		    (p[0] == 0xd8 && p[1] == 0x9c);	/* U+061C */
	if (n != 3)
		return 0;
	if (p[0] == 0xe2 && p[1] == 0x80)		/* U+200B..U+200F, */
		return (p[2] >= 0x8b && p[2] <= 0x8f) ||	/* U+2028..U+202E */
		    (p[2] >= 0xa8 && p[2] <= 0xae);
	if (p[0] == 0xe2 && p[1] == 0x81)		/* U+2060..U+2064, */
		return (p[2] >= 0xa0 && p[2] <= 0xa4) ||	/* U+2066..U+2069 */
		    (p[2] >= 0xa6 && p[2] <= 0xa9);
	return (p[0] == 0xe1 && p[1] == 0xa0 && p[2] == 0x8e) ||
	    (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf);
}

size_t
rep_text_mem(FILE *out, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + len;
	size_t			 n, i, cols = 0;

	while (p < end && *p != '\0') {
		n = rep_utf8_len(p);
		if (n == 1 && *p >= 0x20 && *p != 0x7f) {
			if (out != NULL)
				putc(*p, out);
			cols++;
		} else if (n > 1 && !text_unsafe_seq(p, n)) {
			if (out != NULL)
				fwrite(p, 1, n, out);
			cols++;
		} else {
			if (n == 0)
				n = 1;		/* escape the invalid byte alone */
			for (i = 0; i < n; i++) {
				if (out != NULL)
					fprintf(out, "\\x%02x", (unsigned)p[i]);
				cols += 4;
			}
		}
		p += n;
	}
	return cols;
}

size_t
rep_text_str(FILE *out, const char *s)
{
	if (s == NULL)
		s = "-";
	return rep_text_mem(out, s, strlen(s));
}

void
rep_text_wrap(FILE *out, const char *s, size_t col, size_t indent,
    size_t cols)
{
	const char	*p = s != NULL ? s : "-";
	size_t		 n, w;
	int		 bol = 1;	/* no word on this line yet */

	for (;;) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		n = strcspn(p, " ");
		w = rep_text_mem(NULL, p, n);
		if (!bol && col + 1 + w > cols) {
			putc('\n', out);
			rep_pad(out, indent);
			col = indent;
			bol = 1;
		}
		if (!bol) {
			putc(' ', out);
			col++;
		}
		col += rep_text_mem(out, p, n);
		p += n;
		bol = 0;
	}
	putc('\n', out);
}

void
rep_pad(FILE *out, size_t n)
{
	static const char	 spaces[] = "                                ";

	while (n > 0) {
		size_t	 k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		fwrite(spaces, 1, k, out);
		n -= k;
	}
}

void
rep_lock_session(FILE *out, const struct lock_row *l,
    const struct lock_fmt *fmt)
{
	char	 a[32];

	fprintf(out, "%s%s%s", fmt->open, fmt->time(l->t, a, sizeof(a)),
	    fmt->sep);
	fmt->str(out, l->user);
	fputs(" from ", out);
	fmt->str(out, l->client[0] != '\0' ? l->client : "-");
	if (l->imap)
		fputs(" (IMAP)", out);
	if (l->holder == NULL) {
		if (l->holder_pid != 0)
			fprintf(out, ": the holder, pid %lu, is not in the log%s",
			    (unsigned long)l->holder_pid, fmt->end);
		else
			fprintf(out, ": the holder is not in the log%s",
			    fmt->end);
		return;
	}
	fputs(": held by ", out);
	fmt->str(out, l->holder[0] != '\0' ? l->holder : "-");
	if (l->holder_user != NULL && strcmp(l->holder_user, l->user) != 0) {
		fputs(" as ", out);
		fmt->str(out, l->holder_user);
	}
	fprintf(out, " since %s (session %s", fmt->time(l->since, a,
	    sizeof(a)), fmt->code);
	fmt->str(out, l->holder_session);
	fputs(fmt->uncode, out);
	if (l->holder_pid != 0)
		fprintf(out, ", pid %lu", (unsigned long)l->holder_pid);
	fprintf(out, ")%s", fmt->end);
}

void
rep_lock_count(FILE *out, const struct result *r, const char *n,
    const char *held)
{
	char	 a[32], b[32];

	if (r->nlocks_imap == 0 || r->nlocks_imap == r->nlocks_all)
		fprintf(out, "%s %s session%s refused the mailbox lock; the "
		    "session holding it is in the log for %s.", n,
		    r->nlocks_imap == 0 ? "POP3" : "IMAP",
		    r->nlocks_all == 1 ? "" : "s", held);
	else
		fprintf(out, "%s session%s (%s POP3, %s IMAP) refused the "
		    "mailbox lock; the session holding it is in the log for "
		    "%s.", n, r->nlocks_all == 1 ? "" : "s",
		    rep_num(r->nlocks_all - r->nlocks_imap, a, sizeof(a)),
		    rep_num(r->nlocks_imap, b, sizeof(b)), held);
}

char *
rep_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double	 v = (double)n;
	size_t	 u = 0;

	if (n < 1024) {
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
		return buf;
	}
	for (v /= 1024; v >= 1024 && u + 1 < sizeof(units) / sizeof(*units);
	    u++)
		v /= 1024;
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

char *
rep_num(uint64_t n, char *buf, size_t len)
{
	char	 tmp[32];
	size_t	 digits, i, k = 0;

	if (len == 0)
		return buf;
	digits = (size_t)snprintf(tmp, sizeof(tmp), "%llu",
	    (unsigned long long)n);
	for (i = 0; i < digits; i++) {
		if (i > 0 && (digits - i) % 3 == 0 && k + 1 < len)
			buf[k++] = ',';
		if (k + 1 < len)
			buf[k++] = tmp[i];
	}
	buf[k] = '\0';
	return buf;
}

size_t
rep_folded(const struct result *r, struct rep_fold *out)
{
	const struct rep_fold	 all[REP_FOLD_MAX] = {
		{ "users", r->folded_users },
		{ "hosts", r->folded_hosts },
		{ "unclassified templates", r->folded_unclassified },
		{ "POP3 replies", r->folded_pop3 },
		{ "codes", r->folded_codes },
		{ "hours", r->folded_hours },
		{ "senders (messages)", r->traffic.folded_senders },
		{ "recipients (deliveries)", r->traffic.folded_recipients },
	};
	size_t			 i, n = 0;

	for (i = 0; i < REP_FOLD_MAX; i++)
		if (all[i].events != 0)
			out[n++] = all[i];
	return n;
}

const struct cause_info *
rep_cause(int cause)
{
	if (cause < 0 || cause >= cause_count())
		return NULL;
	return cause_get(cause);
}

int
rep_cause_in(int cause, const char *group)
{
	const struct cause_info *ci = rep_cause(cause);

	return ci != NULL && ci->group != NULL && strcmp(ci->group, group) == 0;
}

const char *
rep_cause_id(int cause)
{
	const struct cause_info *ci = rep_cause(cause);

	return ci != NULL ? ci->id : "-";
}

/* "4.3.1" into its three numbers; -1 unless it has that shape. */
static int
parse_enh(const char *s, int v[3])
{
	int	 i;

	for (i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return -1;
		for (v[i] = 0; *s >= '0' && *s <= '9' && v[i] < 1000; s++)
			v[i] = v[i] * 10 + (*s - '0');
		if (*s != (i < 2 ? '.' : '\0'))
			return -1;
		s++;
	}
	return 0;
}

static void
append(char *buf, size_t len, size_t *k, const char *part)
{
	int	 w;

	if (part == NULL || *part == '\0' || *k >= len)
		return;
	w = snprintf(buf + *k, len - *k, "%s%s", *k > 0 ? "; " : "", part);
	if (w > 0)
		*k += (size_t)w < len - *k ? (size_t)w : len - *k - 1;
}

size_t
rep_code_field(const char *s, size_t size, char *buf, size_t len)
{
	size_t	 n = strnlen(s, size);

	if (len == 0)
		return 0;
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return n;
}

char *
rep_code_meaning(const struct code_row *c, char *buf, size_t len)
{
	char			 part[256];
	const struct cause_info	*ci;
	size_t			 k = 0;
	int			 v[3];

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (strnlen(c->code, sizeof(c->code)) == 3 &&
	    strspn(c->code, "0123456789") == 3 && c->code[0] != '0')
		append(buf, len, &k, code_meaning_basic(
		    (c->code[0] - '0') * 100 + (c->code[1] - '0') * 10 +
		    (c->code[2] - '0'), part, sizeof(part)));
	if (strnlen(c->enh, sizeof(c->enh)) < sizeof(c->enh) &&
	    parse_enh(c->enh, v) == 0)
		append(buf, len, &k, code_meaning_enhanced(v[0], v[1], v[2],
		    part, sizeof(part)));
	if (c->resp[0] != '\0')
		append(buf, len, &k, code_meaning_resp(c->resp,
		    strnlen(c->resp, sizeof(c->resp))));
	if (k == 0 && (ci = rep_cause(c->cause)) != NULL)
		append(buf, len, &k, ci->meaning);
	return buf;
}

void
rep_counted_from(FILE *out, uint32_t fams, const char *lead)
{
	const char	*name, *sep = lead;
	int		 f;

	for (f = 1; f < 32; f++)
		if ((fams & (UINT32_C(1) << f)) &&
		    (name = parse_family_name(f)) != NULL) {
			fprintf(out, "%s%s", sep, name);
			sep = ", ";
		}
	if (sep != lead)
		putc('\n', out);
}

const char *
rep_detail_label(const char *key, char *buf, size_t len)
{
	if (strncmp(key, "rbl:", 4) == 0 && key[4] != '\0') {
		snprintf(buf, len, "by %s", key + 4);
		return buf;
	}
	return key;
}

const char *
rep_advice_outbound(int cause)
{
	const struct cause_info	*ci = rep_cause(cause);
	const char		*id = ci != NULL ? ci->id : "";

	if (strcmp(id, "policy_rejection") == 0)
		return "A remote server refused OUR mail by its policy. When "
		    "its reply names a blocklist or our reputation, our "
		    "sending IP is listed: look it up at that list, stop "
		    "what got it listed (a compromised account, a spam run, "
		    "an open relay), then ask for delisting; check SPF, DKIM "
		    "and DMARC of our domains and the IP's reverse DNS.";
	if (strcmp(id, "unknown_mailbox") == 0 ||
	    strcmp(id, "invalid_address") == 0 ||
	    strcmp(id, "not_local") == 0)
		return "The remote recipient does not exist: tell the "
		    "sender, and drop the address from lists that still "
		    "send to it.";
	if (strcmp(id, "quota_exceeded") == 0 ||
	    strcmp(id, "message_too_large") == 0)
		return "The remote mailbox or size limit refused the message: "
		    "nothing to fix on our side; the sender may retry later "
		    "or send less.";
	if (strcmp(id, "service_unavailable") == 0 ||
	    strcmp(id, "dns_failure") == 0 || strcmp(id, "expired") == 0 ||
	    strcmp(id, "rate_limited") == 0)
		return "Remote servers could not be reached or slowed us "
		    "down: when many domains fail at once, check our "
		    "outbound network, DNS resolver and sending rate; one "
		    "domain alone is its own trouble.";
	return "A remote server refused our mail: read its own reply under "
	    "\"Our mail refused by others\" and act on what it says.";
}

const struct cause_where *
rep_where(const struct result *r, int cause)
{
	static const struct cause_where none;

	if (r->where == NULL || cause < 0 || cause >= cause_count())
		return &none;
	return &r->where[cause];
}

int
rep_mostly_outbound(const struct cause_where *row)
{
	return row->dir[DIR_FROM_REMOTE] >
	    row->dir[DIR_TO_CLIENT] + row->dir[DIR_LOCAL];
}
