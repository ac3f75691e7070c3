/*
 * Stage-private interface of the parsers: the family table and the small
 * scanning helpers every family uses. Nothing here allocates; every slice
 * borrows from the line.
 */
#ifndef MXTALLY_PARSE_INT_H
#define MXTALLY_PARSE_INT_H

#include "mxtally/parse.h"

struct parser {
	const char	*name;
	char		 first;		/* first byte of the programs it owns, 0 = several */
	/* 1 if this family owns lines of that program name */
	int		(*owns)(struct slice program);
	/*
	 * For layouts with no syslog program name (Exim's mainlog, CSV
	 * protocol logs): 1 if the line is of this family. NULL if the
	 * family always logs through syslog.
	 */
	int		(*sniff)(const struct logline *ll);
	/* as parse_line */
	int		(*parse)(const struct logline *ll, struct event *ev);
};

extern const struct parser parser_postfix;
extern const struct parser parser_dovecot;
extern const struct parser parser_qpopper;
extern const struct parser parser_qmail;
extern const struct parser parser_vpopmail;
extern const struct parser parser_exchange;
extern const struct parser parser_opensmtpd;
extern const struct parser parser_zimbra;
extern const struct parser parser_sendmail;
extern const struct parser parser_courier;
extern const struct parser parser_cyrus;
extern const struct parser parser_uw;
extern const struct parser parser_exim;
extern const struct parser parser_generic;

/*
 * The user as every family hands it on: surrounding blanks, a "user="
 * prefix, and enclosing <>, "" or '' removed; the domain kept as logged.
 * parse_line applies it to every event, so that one login is one row
 * whichever daemon logged it. Lower-casing needs a copy and is left to
 * agg, which copies the key anyway. Borrows s.
 */
struct slice user_normal(struct slice s);

/*
 * After the literal key (e.g. "to=<"), the text up to the closing c.
 * Inline, so that slice_find sees FIELD's key as a constant.
 */
static inline struct slice
field_until(struct slice s, const char *key, size_t klen, char close)
{
	const char	*p = slice_find(s, key, klen), *end = s.p + s.len, *q;

	if (p == NULL)
		return SLICE_NULL;
	p += klen;
	q = memchr(p, close, (size_t)(end - p));
	return slice_make(p, q ? q : end);
}
#define FIELD(s, key, close) field_until((s), (key), sizeof(key) - 1, (close))

/*
 * "name[ip]" (then anything, e.g. ":port") at the start of s: *ip gets
 * the address, *name the name before '[' ("unknown" and an empty name
 * give an empty slice). Returns 0 when s has no "[...]".
 */
int host_ip(struct slice s, struct slice *name, struct slice *ip);

/*
 * The decimal number at p (before end) into *v, saturating at
 * UINT64_MAX; returns the digits read, 0 when p holds none.
 */
size_t parse_u64(const char *p, const char *end, uint64_t *v);

/* Slice from p to the end of s. */
static inline struct slice
slice_from(struct slice s, const char *p)
{
	return (struct slice){ p, (size_t)(s.p + s.len - p) };
}

/* Copies a code made of digits and dots into dst (cap n) if s starts with it. */
size_t copy_code(char *dst, size_t n, const char *p, const char *end);

/* True if p..end starts with a basic reply code "[245]dd" and a space or end. */
int is_basic_code(const char *p, const char *end);

/* Length of an enhanced code "[245].d{1,3}.d{1,3}" at p, else 0. */
size_t enhanced_len(const char *p, const char *end);

/*
 * Reads "NNN X.Y.Z text" or "NNN-X.Y.Z text" at s into ev->code/enh and
 * ev->text; returns 1 if s starts with a 4xx/5xx code, else 0.
 */
int smtp_reply(struct slice s, struct event *ev);

/*
 * The response code a client is told for a failed login, into ev->resp:
 * [AUTH] for POP3 (RFC 3206), [AUTHENTICATIONFAILED] otherwise (RFC 5530).
 */
void login_resp(struct event *ev);

#endif
