/*
 * A small strict JSON reader (RFC 8259) for reading mxtally's own reports
 * back in `mxtally merge`. It accepts exactly one value with optional
 * surrounding white space, refuses trailing commas, leading zeros, bare
 * control characters in strings, lone surrogates, duplicate member names
 * and nesting deeper than JSON_DEPTH. Strings are decoded to UTF-8.
 *
 * A library (jansson, json-c) would do too, but neither is installed on
 * the build machines and merge needs only this much; keeping it here
 * keeps the dependency list short.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mxtally/log.h"
#include "state_int.h"

struct jp {
	const char	*p, *beg, *end;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static struct json *jp_value(struct jp *j, int depth);

static struct json *
jp_fail(struct jp *j, const char *fmt, ...)
{
	const char	*q;
	size_t		 line = 1;
	char		 msg[160];
	va_list		 ap;

	if (j->failed)
		return NULL;
	j->failed = 1;
	for (q = j->beg; q < j->p && q < j->end; q++)
		line += *q == '\n';
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(j->err, j->errlen, "line %zu: %s", line, msg);
	return NULL;
}

static void
jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static struct json *
jp_node(enum json_type t)
{
	struct json	*n = xcalloc(1, sizeof(*n));

	n->type = t;
	return n;
}

static int
jp_hex4(struct jp *j, unsigned *v)
{
	int	 i;

	*v = 0;
	if (j->end - j->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = *j->p++;
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static size_t
utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* After the escape's backslash and 'u': one code point, pairs joined. */
static int
jp_unicode(struct jp *j, unsigned *cp)
{
	unsigned	 lo;

	if (jp_hex4(j, cp) == -1)
		return -1;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return -1;
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
		return -1;
	j->p += 2;
	if (jp_hex4(j, &lo) == -1 || lo < 0xdc00 || lo > 0xdfff)
		return -1;
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* At the opening quote; returns a NUL-terminated copy, or NULL. */
static char *
jp_string(struct jp *j, size_t *lenp)
{
	const char	*s = ++j->p;
	char		*o, *out;
	unsigned	 cp;

	while (j->p < j->end && *j->p != '"')
		j->p += *j->p == '\\' ? 2 : 1;
	if (j->p >= j->end)
		return jp_fail(j, "unterminated string"), NULL;
	out = o = xmalloc((size_t)(j->p - s) + 1);
	j->p = s;
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;
		if (c < 0x20) {
			free(out);
			return jp_fail(j, "control character in string"), NULL;
		}
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		switch (*j->p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (jp_unicode(j, &cp) == 0) {
				o += utf8_put(o, cp);
				break;
			}
			/* FALLTHROUGH */
		default:
			free(out);
			return jp_fail(j, "bad escape in string"), NULL;
		}
	}
	j->p++;
	*o = '\0';
	*lenp = (size_t)(o - out);
	return out;
}

static struct json *
jp_number(struct jp *j)
{
	const char	*s = j->p, *q = j->p;
	struct json	*n;
	char		 buf[64];
	int		 frac = 0;

	if (q < j->end && *q == '-')
		q++;
	if (q >= j->end || *q < '0' || *q > '9')
		return jp_fail(j, "bad value");
	if (*q == '0' && q + 1 < j->end && q[1] >= '0' && q[1] <= '9')
		return jp_fail(j, "leading zero in number");
	while (q < j->end && *q >= '0' && *q <= '9')
		q++;
	if (q < j->end && *q == '.') {
		frac = 1;
		if (++q >= j->end || *q < '0' || *q > '9')
			return jp_fail(j, "bad number");
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < j->end && (*q == 'e' || *q == 'E')) {
		frac = 1;
		if (++q < j->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= j->end || *q < '0' || *q > '9')
			return jp_fail(j, "bad number");
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	if ((size_t)(q - s) >= sizeof(buf))
		return jp_fail(j, "number too long");
	memcpy(buf, s, (size_t)(q - s));
	buf[q - s] = '\0';
	j->p = q;
	n = jp_node(JSON_NUMBER);
	n->num = strtod(buf, NULL);
	if (!frac && buf[0] != '-') {
		errno = 0;
		n->u = strtoull(buf, NULL, 10);
		n->is_uint = errno == 0;
	}
	return n;
}

static void
jp_push(struct json *n, char *key, struct json *kid)
{
	if ((n->n & (n->n - 1)) == 0) {
		size_t cap = n->n ? n->n * 2 : 4;
		n->kids = xrealloc(n->kids, cap * sizeof(*n->kids));
		if (n->type == JSON_OBJECT)
			n->keys = xrealloc(n->keys, cap * sizeof(*n->keys));
	}
	if (n->type == JSON_OBJECT)
		n->keys[n->n] = key;
	n->kids[n->n++] = kid;
}

/* At '[' or '{'. */
static struct json *
jp_container(struct jp *j, int depth)
{
	int		 obj = *j->p == '{';
	char		 close = obj ? '}' : ']';
	struct json	*n = jp_node(obj ? JSON_OBJECT : JSON_ARRAY), *kid;
	char		*key = NULL;
	size_t		 klen;

	if (depth >= JSON_DEPTH)
		goto fail_deep;
	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return n;
	}
	for (;;) {
		jp_ws(j);
		if (obj) {
			if (j->p >= j->end || *j->p != '"') {
				jp_fail(j, "expected a member name");
				goto fail;
			}
			if ((key = jp_string(j, &klen)) == NULL)
				goto fail;
			if (json_get(n, key) != NULL) {
				jp_fail(j, "duplicate member '%s'", key);
				goto fail;
			}
			jp_ws(j);
			if (j->p >= j->end || *j->p++ != ':') {
				jp_fail(j, "expected ':'");
				goto fail;
			}
		}
		if ((kid = jp_value(j, depth + 1)) == NULL)
			goto fail;
		jp_push(n, key, kid);
		key = NULL;
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return n;
		}
		jp_fail(j, "expected ',' or '%c'", close);
		goto fail;
	}
fail_deep:
	jp_fail(j, "nested too deeply");
fail:
	free(key);
	json_free(n);
	return NULL;
}

static struct json *
jp_word(struct jp *j, const char *w, enum json_type t)
{
	size_t	 n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return jp_fail(j, "bad value");
	j->p += n;
	return jp_node(t);
}

static struct json *
jp_value(struct jp *j, int depth)
{
	struct json	*n;

	jp_ws(j);
	if (j->p >= j->end)
		return jp_fail(j, "unexpected end of input");
	switch (*j->p) {
	case '{':
	case '[':
		return jp_container(j, depth);
	case '"':
		n = jp_node(JSON_STRING);
		if ((n->str = jp_string(j, &n->len)) == NULL) {
			free(n);
			return NULL;
		}
		return n;
	case 't':
		return jp_word(j, "true", JSON_TRUE);
	case 'f':
		return jp_word(j, "false", JSON_FALSE);
	case 'n':
		return jp_word(j, "null", JSON_NULL);
	default:
		return jp_number(j);
	}
}

struct json *
json_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	struct jp	 j = { buf, buf, buf + len, err, errlen, 0 };
	struct json	*n;

	if ((n = jp_value(&j, 0)) == NULL)
		return NULL;
	jp_ws(&j);
	if (j.p != j.end) {
		json_free(n);
		return jp_fail(&j, "trailing data after the value");
	}
	return n;
}

struct json *
json_load(const char *path, char *err, size_t errlen)
{
	struct stat	 sb;
	struct json	*n;
	char		*buf;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size &&
	    (r = read(fd, buf + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	n = json_parse(buf, got, err, errlen);
	free(buf);
	return n;
}

void
json_free(struct json *j)
{
	size_t	 i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n; i++) {
		if (j->keys != NULL)
			free(j->keys[i]);
		json_free(j->kids[i]);
	}
	free(j->keys);
	free(j->kids);
	free(j->str);
	free(j);
}

const struct json *
json_get(const struct json *o, const char *key)
{
	size_t	 i;

	if (o == NULL || o->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (strcmp(o->keys[i], key) == 0)
			return o->kids[i];
	return NULL;
}

const char *
json_str(const struct json *o, const char *key)
{
	const struct json *v = json_get(o, key);

	return v != NULL && v->type == JSON_STRING ? v->str : NULL;
}

uint64_t
json_u64(const struct json *o, const char *key)
{
	const struct json *v = json_get(o, key);

	return v != NULL && v->type == JSON_NUMBER && v->is_uint ? v->u : 0;
}
