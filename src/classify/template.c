/*
 * Templates for unclassified replies and for the POP3 reply table: the
 * variable parts of a reply (numbers, addresses, IPs, host names, paths,
 * queue ids, quoted strings, long tokens) are masked so that one template
 * stands for many lines and a postmaster can write a rule for it. A
 * leading basic and enhanced code are kept.
 */
#include <ctype.h>
#include <string.h>

#include "mxtally/classify.h"

struct out {
	char	*p;
	size_t	 n, cap;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->n + n >= o->cap)
		n = o->cap - o->n - 1;
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

#define PUT(o, lit)	put((o), (lit), sizeof(lit) - 1)

/* The mask for one whitespace-delimited token, or NULL to keep it. */
static const char *
mask_of(const char *t, size_t n)
{
	size_t	 i, digits = 0, dots = 0, alpha = 0, hex = 0, upper = 0;

	if (n > 32)
		return "<tok>";
	if (t[0] == '/' || t[0] == '~' || (n > 1 && t[0] == '.' && t[1] == '/'))
		return "<path>";
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c == '@')
			return "<addr>";
		digits += isdigit(c) != 0;
		dots += c == '.';
		alpha += isalpha(c) != 0;
		upper += isupper(c) != 0;
		hex += isxdigit(c) != 0;
	}
	if (dots >= 1 && alpha > 0 && i > 3 && t[n - 1] != '.' &&
	    memchr(t, '.', n - 1) != NULL && !ispunct((unsigned char)t[0]))
		return "<host>";
	if (n >= 6 && hex == n && digits > 0 && (upper > 0 || alpha == 0))
		return "<id>";
	return NULL;
}

/* Copies one token, masking digit runs. */
static void
put_token(struct out *o, const char *t, size_t n)
{
	const char	*m = mask_of(t, n);
	size_t		 i;

	if (m != NULL) {
		put(o, m, strlen(m));
		return;
	}
	for (i = 0; i < n; i++) {
		if (isdigit((unsigned char)t[i])) {
			PUT(o, "N");
			while (i + 1 < n && (isdigit((unsigned char)t[i + 1]) ||
			    (t[i + 1] == '.' && i + 2 < n &&
			    isdigit((unsigned char)t[i + 2]))))
				i++;
		} else if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			PUT(o, "?");
		else
			put(o, t + i, 1);
	}
}

/* Skips a bracketed or quoted group at p; returns its mask or NULL. */
static const char *
group_at(const char *p, const char *end, const char **next)
{
	char		 close;
	const char	*q;

	switch (*p) {
	case '<': close = '>'; break;
	case '"': close = '"'; break;
	case '[': close = ']'; break;
	case '(': close = ')'; break;
	default: return NULL;
	}
	q = memchr(p + 1, close, (size_t)(end - p - 1));
	if (q == NULL || q - p > 256)
		return NULL;
	*next = q + 1;
	if (*p == '<')
		return "<addr>";
	if (*p == '"')
		return "\"<str>\"";
	if (*p == '[') {
		/* mask addresses; keep response codes such as [IN-USE] */
		for (const char *c = p + 1; c < q; c++)
			if (!isxdigit((unsigned char)*c) && *c != '.' && *c != ':')
				return NULL;
		return "[<ip>]";
	}
	for (const char *c = p + 1; c < q; c++)	/* "(123)" -> "(N)" */
		if (!isdigit((unsigned char)*c))
			return NULL;
	return "(N)";
}

size_t
classify_template(struct slice text, char *buf, size_t len)
{
	struct out	 o = { buf, 0, len };
	const char	*p = text.p, *end = text.p + text.len, *q, *m;
	int		 lead = 1;

	if (len == 0)
		return 0;
	while (p < end && o.n + 1 < o.cap) {
		if (*p == ' ' || *p == '\t') {
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (o.n > 0 && p < end)
				PUT(&o, " ");
			continue;
		}
		if ((m = group_at(p, end, &q)) != NULL) {
			put(&o, m, strlen(m));
			p = q;
			lead = 0;
			continue;
		}
		for (q = p; q < end && *q != ' ' && *q != '\t' && *q != '<' &&
		    *q != '"' && *q != '('; q++)
			;
		if (q == p)
			q = p + 1;
		/* keep a leading "550" and "5.1.1" as they are */
		if (lead && ((q - p == 3 && isdigit((unsigned char)*p)) ||
		    (q - p >= 5 && isdigit((unsigned char)*p) && p[1] == '.')))
			put(&o, p, (size_t)(q - p));
		else {
			put_token(&o, p, (size_t)(q - p));
			lead = 0;
		}
		p = q;
	}
	buf[o.n] = '\0';
	return o.n;
}
