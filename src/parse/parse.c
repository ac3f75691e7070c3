/*
 * The dispatch of a line (its header split by layout.c) to a family
 * parser, by program name or by the families' sniffs; also the reply
 * reader shared by every family and by `mxtally explain`.
 */
#include <ctype.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mxtally/cause.h"
#include "parse_int.h"

/*
 * The empty event: every byte zero, then the fields whose empty value is
 * not. Neither "*ev = empty" nor memset: GCC makes both a rep stos or rep
 * movs, whose start-up cost was a fifth of all parsing on mxgen lines;
 * nor a copy of a static empty event, which loads what it stores (a
 * sixth of parse_line's own instructions). Zero stores from one register,
 * then the 14 slices' pointers (SLICE_NULL points at ""), unrolled so
 * that no pattern matcher turns it back into a memset.
 */
inline __attribute__((always_inline)) void
event_reset(struct event *ev)
{
#ifdef __SSE2__
	char		*d = (char *)ev;
	const __m128i	 z = _mm_setzero_si128();
	size_t		 i;

#pragma GCC unroll 32
	for (i = 0; i + 16 <= sizeof(*ev); i += 16)
		_mm_storeu_si128((__m128i *)(void *)(d + i), z);
	if (i < sizeof(*ev))
		memset(d + i, 0, sizeof(*ev) - i);
#else
	memset(ev, 0, sizeof(*ev));
#endif
	/* every slice of struct event is listed: none may stay NULL */
	ev->host.p = ev->program.p = ev->user.p = ev->client.p = "";
	ev->cname.p = ev->remote.p = ev->darg.p = ev->text.p = "";
	ev->session.p = ev->subkey.p = ev->qid.p = ev->addr.p = "";
	ev->from.p = ev->peer.p = "";
	ev->t = T_NONE;
	ev->hint = CAUSE_NONE;
	ev->cause = CAUSE_NONE;
	ev->count = 1;
}

size_t
parse_u64(const char *p, const char *end, uint64_t *v)
{
	const char	*q = p;
	uint64_t	 n = 0, d;

	for (; q < end && (d = (uint64_t)(unsigned char)*q - '0') <= 9; q++)
		n = n > (UINT64_MAX - d) / 10 ? UINT64_MAX : n * 10 + d;
	*v = n;
	return (size_t)(q - p);
}

int
host_ip(struct slice s, struct slice *name, struct slice *ip)
{
	const char	*end = s.p + s.len, *b, *e;

	b = memchr(s.p, '[', s.len);
	if (b == NULL || (e = memchr(b, ']', (size_t)(end - b))) == NULL)
		return 0;
	*ip = slice_make(b + 1, e);
	*name = slice_make(s.p, b);
	if (SLICE_EQ(*name, "unknown"))
		*name = SLICE_NULL;
	return 1;
}

int
is_basic_code(const char *p, const char *end)
{
	if (end - p < 3 || (p[0] != '4' && p[0] != '5' && p[0] != '2') ||
	    (unsigned)(p[1] - '0') > 9 || (unsigned)(p[2] - '0') > 9)
		return 0;
	return end - p == 3 || p[3] == ' ' || p[3] == '-';
}

size_t
enhanced_len(const char *p, const char *end)
{
	const char	*q = p;
	int		 part, digits;

	if (q >= end || (*q != '2' && *q != '4' && *q != '5'))
		return 0;
	q++;
	for (part = 0; part < 2; part++) {
		if (q >= end || *q != '.')
			return 0;
		for (q++, digits = 0; q < end && (unsigned)(*q - '0') <= 9;
		    q++)
			digits++;
		if (digits < 1 || digits > 3)
			return 0;
	}
	if (q < end && (isalnum((unsigned char)*q) || *q == '.'))
		return 0;
	return (size_t)(q - p);
}

size_t
copy_code(char *dst, size_t n, const char *p, const char *end)
{
	size_t	 i = 0;

	while (p + i < end && i + 1 < n &&
	    ((unsigned)(p[i] - '0') <= 9 || p[i] == '.'))
		i++;
	memcpy(dst, p, i);
	dst[i] = '\0';
	return i;
}

int
smtp_reply(struct slice s, struct event *ev)
{
	const char	*p = s.p, *end;
	size_t		 n;

	if (s.len == 0)		/* also a NULL slice: no arithmetic on it */
		return 0;
	end = s.p + s.len;
	if (!is_basic_code(p, end) || p[0] == '2')
		return 0;
	memcpy(ev->code, p, 3);
	ev->code[3] = '\0';
	p += 3;
	if (p < end && (*p == ' ' || *p == '-'))
		p++;
	if ((n = enhanced_len(p, end)) > 0) {
		copy_code(ev->enh, sizeof(ev->enh), p, p + n);
		p += n;
		while (p < end && *p == ' ')
			p++;
	}
	ev->text = slice_make(p, end);
	return 1;
}

/* "[CODE] rest" at p: copies CODE into ev->resp, returns the rest. */
static const char *
resp_code(const char *p, const char *end, struct event *ev)
{
	const char	*q;
	size_t		 n;

	if (p >= end || *p != '[')
		return p;
	q = memchr(p, ']', (size_t)(end - p));
	if (q == NULL || (n = (size_t)(q - p - 1)) == 0 ||
	    n >= sizeof(ev->resp))
		return p;
	memcpy(ev->resp, p + 1, n);
	ev->resp[n] = '\0';
	for (q++; q < end && *q == ' '; q++)
		;
	return q;
}

int
parse_reply(struct slice s, struct event *ev)
{
	const char	*p = s.p, *end;

	if (s.len == 0)
		return 0;
	end = s.p + s.len;

	while (p < end && *p == ' ')
		p++;
	if (end - p >= 4 && memcmp(p, "-ERR", 4) == 0) {
		ev->proto = PROTO_POP3;
		ev->flags |= EV_WIRE;
		for (p += 4; p < end && *p == ' '; p++)
			;
		p = resp_code(p, end, ev);
		ev->text = slice_make(p, end);
		return 1;
	}
	/* IMAP: optional tag, then NO or BAD */
	if (end - p >= 2 && *p != 'N' && *p != 'B') {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		if (sp != NULL && sp + 4 <= end &&
		    (memcmp(sp + 1, "NO ", 3) == 0 ||
		    (sp + 5 <= end && memcmp(sp + 1, "BAD ", 4) == 0)))
			p = sp + 1;
	}
	if ((end - p >= 3 && memcmp(p, "NO ", 3) == 0) ||
	    (end - p >= 4 && memcmp(p, "BAD ", 4) == 0)) {
		ev->proto = PROTO_IMAP;
		p += *p == 'N' ? 3 : 4;
		p = resp_code(p, end, ev);
		ev->text = slice_make(p, end);
		return 1;
	}
	if (smtp_reply(slice_make(p, end), ev)) {
		ev->proto = PROTO_SMTP;
		return 1;
	}
	if (enhanced_len(p, end) > 0 && *p != '2') {
		size_t n = copy_code(ev->enh, sizeof(ev->enh), p, end);
		for (p += n; p < end && *p == ' '; p++)
			;
		ev->proto = PROTO_SMTP;
		ev->text = slice_make(p, end);
		return 1;
	}
	return 0;
}

struct slice
user_normal(struct slice s)
{
	const char	*p = s.p, *end = s.p + s.len;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - p >= 5 && memcmp(p, "user=", 5) == 0)
		p += 5;
	while (end - p >= 2 && ((*p == '<' && end[-1] == '>') ||
	    (*p == '"' && end[-1] == '"') || (*p == '\'' && end[-1] == '\'')))
		p++, end--;
	return slice_make(p, end);
}

/* The families of most lines, tried first without the loop (parse_line). */
#define FAM_POSTFIX	0
#define FAM_DOVECOT	1

static const struct parser *const families[] = {
	[FAM_POSTFIX] = &parser_postfix,	/* owns "postfix..." */
	[FAM_DOVECOT] = &parser_dovecot,	/* owns "dovecot..." */
	&parser_qpopper,
	&parser_qmail,
	&parser_vpopmail,
	&parser_opensmtpd,	/* "smtpd": Postfix's is "postfix/smtpd" */
	&parser_zimbra,		/* sniff: before exim's, which takes any stamp */
	&parser_exchange,
	&parser_sendmail,
	&parser_courier,
	&parser_cyrus,
	&parser_uw,
	&parser_exim,		/* its sniff takes any stamp-only line: last */
};

#define NFAMILIES	(sizeof(families) / sizeof(families[0]))

/* Every family's user is normalised here, so that one login is one row. */
static inline int
parsed(int rc, struct event *ev)
{
	if (rc == 1 && ev->user.len > 0)
		ev->user = user_normal(ev->user);
	return rc;
}

const char *
parse_family_name(int fam)
{
	return fam >= 1 && (size_t)fam <= NFAMILIES ? families[fam - 1]->name :
	    NULL;
}

/*
 * The families' loop, for any line that is not Postfix's or Dovecot's;
 * out of line, so that parse_line_known saves only the registers its
 * common path uses.
 */
static __attribute__((noinline)) int
parse_other(const struct logline *ll, struct event *ev, int *known)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < NFAMILIES; i++)
		if (ll->program.len > 0 && (ll->program.p[0] == families[i]->first ||
		    families[i]->first == 0) &&
		    families[i]->owns(ll->program))
			return ev->fam = (uint8_t)(i + 1),
			    parsed(families[i]->parse(ll, ev), ev);
	if (ll->program.len == 0)
		for (i = 0; i < NFAMILIES; i++)
			if (families[i]->sniff != NULL && families[i]->sniff(ll))
				return ev->fam = (uint8_t)(i + 1),
				    parsed(families[i]->parse(ll, ev), ev);
	rc = parsed(parser_generic.parse(ll, ev), ev);
	*known = rc != 0 || ev->tkind != TR_NONE;
	return rc;
}

/* Inlined into the scan loop as layout_header is (layout.c). */
inline __attribute__((always_inline)) int
parse_line_known(const struct logline *ll, struct event *ev, int *known)
{
	size_t	 i;

	event_reset(ev);
	ev->t = ll->t;
	ev->host = ll->host;
	ev->program = ll->program;
	*known = 1;
	/*
	 * Most lines are Postfix's or Dovecot's: their owns() tests, here
	 * without the loop and its indirect calls. A program that starts
	 * with "postfix" is Postfix's (the first family), "dovecot" with no
	 * earlier family of first byte 'd' or 0, Dovecot's.
	 */
	if (ll->program.len >= 7 && memcmp(ll->program.p, "postfix", 7) == 0)
		i = FAM_POSTFIX;
	else if (ll->program.len >= 7 &&
	    memcmp(ll->program.p, "dovecot", 7) == 0)
		i = FAM_DOVECOT;
	else
		return parse_other(ll, ev, known);
	ev->fam = (uint8_t)(i + 1);
	return parsed(families[i]->parse(ll, ev), ev);
}

int
parse_line(const struct logline *ll, struct event *ev)
{
	int	 known;

	return parse_line_known(ll, ev, &known);
}

void
login_resp(struct event *ev)
{
	if (ev->proto == PROTO_POP3)
		memcpy(ev->resp, "AUTH", 5);
	else
		memcpy(ev->resp, "AUTHENTICATIONFAILED", 21);
}
