/*
 * libFuzzer target: the report writers on hostile strings. The input is
 * cut at NUL bytes into a user, a host, a template, an example, a POP3
 * reply, a path and an error text (any bytes: invalid UTF-8, controls,
 * quotes); a result holding them is written as JSON and as text. The
 * JSON must pass the strict validator below (RFC 8259: structure,
 * escapes, UTF-8 in strings, no raw control characters), and the text
 * report must hold no control character but newline.
 *
 * The validator is written here rather than piping to jq: a file and a
 * process per input would cut the fuzzer's speed a hundredfold.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/event.h"
#include "mxtally/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct js {
	const unsigned char	*p, *end;
};

static int js_value(struct js *j, int depth);

static void
js_ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' ||
	    *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static int
js_lit(struct js *j, const char *s)
{
	size_t	 n = strlen(s);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

/* one UTF-8 sequence, well-formed (no overlong, surrogate, > U+10FFFF) */
static int
js_utf8(struct js *j)
{
	const unsigned char	*p = j->p;
	size_t			 n, i, left = (size_t)(j->end - p);
	unsigned		 lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		n = 1;
	else if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		lo = p[0] == 0xe0 ? 0xa0 : 0x80;
		hi = p[0] == 0xed ? 0x9f : 0xbf;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		lo = p[0] == 0xf0 ? 0x90 : 0x80;
		hi = p[0] == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	j->p += n;
	return 1;
}

static int
js_string(struct js *j)
{
	int	 i;

	if (!js_lit(j, "\""))
		return 0;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p < 0x20)
			return 0;
		if (*j->p != '\\') {
			if (!js_utf8(j))
				return 0;
			continue;
		}
		if (++j->p >= j->end)
			return 0;
		if (*j->p == 'u') {
			for (i = 1; i <= 4; i++)
				if (j->p + i >= j->end ||
				    strchr("0123456789abcdefABCDEF", j->p[i]) == NULL ||
				    j->p[i] == '\0')
					return 0;
			j->p += 5;
		} else if (strchr("\"\\/bfnrt", *j->p) != NULL && *j->p != '\0')
			j->p++;
		else
			return 0;
	}
	return js_lit(j, "\"");
}

static int
js_number(struct js *j)
{
	const unsigned char	*s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (j->p < j->end && *j->p >= '1' && *j->p <= '9')
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return 0;
	if (j->p < j->end && *j->p == '.') {
		if (++j->p >= j->end || *j->p < '0' || *j->p > '9')
			return 0;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static int
js_seq(struct js *j, int depth, char close, int obj)
{
	js_ws(j);
	if (js_lit(j, (char[]){ close, '\0' }))
		return 1;
	for (;;) {
		js_ws(j);
		if (obj) {
			if (!js_string(j))
				return 0;
			js_ws(j);
			if (!js_lit(j, ":"))
				return 0;
		}
		if (!js_value(j, depth + 1))
			return 0;
		js_ws(j);
		if (js_lit(j, ","))
			continue;
		return js_lit(j, (char[]){ close, '\0' });
	}
}

static int
js_value(struct js *j, int depth)
{
	if (depth > 64)
		return 0;
	js_ws(j);
	if (j->p >= j->end)
		return 0;
	switch (*j->p) {
	case '{':
		j->p++;
		return js_seq(j, depth, '}', 1);
	case '[':
		j->p++;
		return js_seq(j, depth, ']', 0);
	case '"':
		return js_string(j);
	case 't':
		return js_lit(j, "true");
	case 'f':
		return js_lit(j, "false");
	case 'n':
		return js_lit(j, "null");
	default:
		return js_number(j);
	}
}

/* the next NUL-terminated piece of the input, "" when it ran out */
static char *
piece(const uint8_t **p, const uint8_t *end)
{
	const uint8_t	*nul = memchr(*p, '\0', (size_t)(end - *p));
	size_t		 n = (size_t)((nul ? nul : end) - *p);
	char		*s = malloc(n + 1);

	memcpy(s, *p, n);
	s[n] = '\0';
	*p = nul ? nul + 1 : end;
	return s;
}

static void
check(const struct result *r, int json)
{
	struct report_opts	 o = { 0, 0, "fuzz" };
	struct js		 j;
	char			*buf = NULL;
	size_t			 len = 0, i;
	FILE			*f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	if ((json ? report_json(f, r, &o) : report_text(f, r, &o)) != 0)
		abort();
	fclose(f);
	if (json) {
		j.p = (const unsigned char *)buf;
		j.end = j.p + len;
		if (!js_value(&j, 0))
			abort();
		js_ws(&j);
		if (j.p != j.end)
			abort();
	} else
		for (i = 0; i < len; i++)
			if (((unsigned char)buf[i] < 0x20 && buf[i] != '\n') ||
			    buf[i] == 0x7f)
				abort();
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t		*p = data, *end = data + size;
	char			*s[7];
	size_t			 i, nc = (size_t)cause_count();
	uint64_t		*byc = calloc(nc, sizeof(*byc));
	struct result		 r;
	struct file_row		 file;
	struct error_row	 error;
	struct entity_row	 user, host;
	struct tmpl_row		 tmpl;
	struct reply_row	 reply;

	for (i = 0; i < 7; i++)
		s[i] = piece(&p, end);
	byc[0] = 3;
	memset(&r, 0, sizeof(r));
	file = (struct file_row){ s[5], "plain", 10, 1 };
	error = (struct error_row){ s[5], s[6] };
	user = (struct entity_row){ s[0], 0, 3, byc };
	host = (struct entity_row){ s[1], 0, 3, byc };
	tmpl = (struct tmpl_row){ s[2], s[3], 3 };
	reply = (struct reply_row){ s[4], 0, 3 };
	r.files = &file;
	r.nfiles = 1;
	r.errors = &error;
	r.nerrors = 1;
	r.first = r.last = T_NONE;
	r.events = 3;
	r.users = &user;
	r.nusers = r.nusers_shown = 1;
	r.hosts = &host;
	r.nhosts = r.nhosts_shown = 1;
	r.unclassified = &tmpl;
	r.nunclassified = 1;
	r.pop3 = &reply;
	r.npop3 = 1;
	r.folded_users = size;
	report_views(&r);
	check(&r, 1);
	check(&r, 0);
	report_views_release(&r);
	for (i = 0; i < 7; i++)
		free(s[i]);
	free(byc);
	return 0;
}
