/*
 * Alert rules: reading the INI files (with libinih, counting lines
 * through its stream reader so every message names FILE:LINE), checking
 * each rule, and matching a classified event against a rule's selector.
 * Sections named "cause.*" are classification rules (src/classify) and
 * are skipped here, as the classifier skips ours.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mxtally/alert.h"
#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/log.h"
#include "alert_int.h"

struct section {
	char		*name;
	int		 line;
};

struct load {
	struct alert_set *s;
	const char	*name;		/* file name for messages */
	FILE		*fp;		/* or, for strings: */
	const char	*str;
	int		 line;		/* line the reader returned last */
	size_t		 first;		/* first rule of this load */
	char		 err[256];	/* first error, "" if none */
	int		 err_line;
	struct section	*secs;		/* every [section] header of the file */
	size_t		 nsecs;
};

static int load_fail(struct load *l, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * An alert rule's [section] a second time in one file: inih would merge
 * the two silently, so the second one's keys would change the first
 * rule. (A [cause.NAME] may come back: the classifier reads it as more
 * patterns of that cause, in file order, as `rules --dump` writes.)
 */
static void
load_section(struct load *l, const char *buf)
{
	const char	*p = buf, *e;
	size_t		 i, n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '[' || (e = strchr(p, ']')) == NULL)
		return;
	p++;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	n = (size_t)(e - p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= 6 && strncmp(p, "cause.", 6) == 0)
		return;
	for (i = 0; i < l->nsecs; i++)
		if (strlen(l->secs[i].name) == n &&
		    memcmp(l->secs[i].name, p, n) == 0) {
			load_fail(l, l->line, "duplicate section [%.*s] "
			    "(first at line %d)", (int)n, p, l->secs[i].line);
			return;
		}
	l->secs = xrealloc(l->secs, (l->nsecs + 1) * sizeof(*l->secs));
	l->secs[l->nsecs].name = xstrndup(p, n);
	l->secs[l->nsecs++].line = l->line;
}

static char *
load_fgets(char *buf, int num, void *arg)
{
	struct load	*l = arg;
	const char	*nl;
	size_t		 n;

	if (l->fp != NULL) {
		if (fgets(buf, num, l->fp) == NULL)
			return NULL;
	} else {
		if (*l->str == '\0')
			return NULL;
		nl = strchr(l->str, '\n');
		n = nl ? (size_t)(nl - l->str) + 1 : strlen(l->str);
		if (n > (size_t)num - 1)
			n = (size_t)num - 1;
		memcpy(buf, l->str, n);
		buf[n] = '\0';
		l->str += n;
	}
	l->line++;
	load_section(l, buf);
	return buf;
}

/* Keeps the first error of a load; returns 0 (an inih handler error). */
static int
load_fail(struct load *l, int line, const char *fmt, ...)
{
	va_list	 ap;

	if (l->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(l->err, sizeof(l->err), fmt, ap);
		va_end(ap);
		l->err_line = line;
	}
	return 0;
}

int64_t
alert_parse_window(const char *s)
{
	char	*end;
	long	 v;
	int64_t	 mul = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || v <= 0)
		return -1;
	if (*end != '\0') {
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: return -1;
		}
		if (end[1] != '\0')
			return -1;
	}
	if (v > INT32_MAX / mul)
		return -1;
	return (int64_t)v * mul;
}

void
alert_fmt_window(int64_t w, char *buf, size_t len)
{
	if (w % 86400 == 0)
		snprintf(buf, len, "%lldd", (long long)(w / 86400));
	else if (w % 3600 == 0)
		snprintf(buf, len, "%lldh", (long long)(w / 3600));
	else if (w % 60 == 0)
		snprintf(buf, len, "%lldm", (long long)(w / 60));
	else
		snprintf(buf, len, "%llds", (long long)w);
}

static struct alert_rule *
rule_get(struct load *l, const char *section)
{
	struct alert_set	*s = l->s;
	struct alert_rule	*r;
	size_t			 i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->rules[i].name, section) == 0) {
			if (i < l->first) {
				load_fail(l, l->line, "rule '%s' is already "
				    "defined in '%s'", section, s->rules[i].file);
				return NULL;
			}
			return &s->rules[i];
		}
	s->rules = xrealloc(s->rules, (s->n + 1) * sizeof(*s->rules));
	r = &s->rules[s->n++];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(section);
	r->file = xstrdup(l->name);
	r->line = l->line;
	r->sel = -1;
	r->cause = CAUSE_NONE;
	r->by = BY_NONE;
	r->threshold = 1;
	r->window = 600;
	r->severity = SEV_WARNING;
	return r;
}

static int
set_selector(struct load *l, struct alert_rule *r, int sel, const char *v)
{
	if (r->sel != -1)
		return load_fail(l, l->line, "rule '%s': give only one of "
		    "cause, group and code", r->name);
	if (*v == '\0')
		return load_fail(l, l->line, "rule '%s': empty selector",
		    r->name);
	r->sel = sel;
	r->what = xstrdup(v);
	return 1;
}

static int
set_enum(struct load *l, struct alert_rule *r, int *dst, const char *v,
    const char *const *names, size_t n, const char *key)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcasecmp(v, names[i]) == 0) {
			*dst = (int)i;
			return 1;
		}
	return load_fail(l, l->line, "rule '%s': bad %s", r->name, key);
}

static int
load_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	static const char *const bys[] = { "none", "host", "user", "client" };
	static const char *const sevs[] = { NULL, "warning", "critical" };
	struct load		*l = arg;
	struct alert_rule	*r;
	char			*end;
	unsigned long long	 v;

	if (strncmp(section, "cause.", 6) == 0)
		return 1;
	if (*section == '\0')
		return load_fail(l, l->line, "'%s' is outside a [rule] "
		    "section", name);
	if ((r = rule_get(l, section)) == NULL)
		return 0;
	if (strcmp(name, "cause") == 0 || strcmp(name, "group") == 0 ||
	    strcmp(name, "code") == 0)
		return set_selector(l, r, name[0] == 'c' ? (name[1] == 'a' ?
		    SEL_CAUSE : SEL_CODE) : SEL_GROUP, value);
	if (strcmp(name, "by") == 0)
		return set_enum(l, r, &r->by, value, bys, 4, "by (host, "
		    "user, client or none)");
	if (strcmp(name, "severity") == 0)
		return set_enum(l, r, &r->severity, value, sevs, 3,
		    "severity (warning or critical)");
	if (strcmp(name, "threshold") == 0) {
		errno = 0;
		v = strtoull(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < 1 ||
		    *value == '-')
			return load_fail(l, l->line, "rule '%s': bad threshold "
			    "'%s' (a count, at least 1)", r->name, value);
		r->threshold = v;
		return 1;
	}
	if (strcmp(name, "window") == 0) {
		if ((r->window = alert_parse_window(value)) == -1)
			return load_fail(l, l->line, "rule '%s': bad window "
			    "'%s' (e.g. 30s, 10m, 2h, 1d)", r->name, value);
		return 1;
	}
	return load_fail(l, l->line, "rule '%s': unknown key '%s'", r->name,
	    name);
}

/* Checks the rules this load added; resolves cause ids. */
static int
load_check(struct load *l)
{
	struct alert_rule	*r;
	size_t			 i, k, ng = 0;
	int			 ok;

	for (i = l->first; i < l->s->n; i++) {
		r = &l->s->rules[i];
		if (r->sel == -1)
			return load_fail(l, r->line, "rule '%s': needs cause, "
			    "group or code", r->name);
		if (r->sel == SEL_CAUSE &&
		    (r->cause = cause_find(r->what, strlen(r->what))) ==
		    CAUSE_NONE)
			return load_fail(l, r->line, "rule '%s': unknown cause "
			    "'%s'", r->name, r->what);
		if (r->sel == SEL_GROUP) {
			ok = 0;
			ng = (size_t)cause_count();
			for (k = 0; k < ng && !ok; k++)
				ok = strcmp(cause_get((int)k)->group,
				    r->what) == 0;
			if (!ok)
				return load_fail(l, r->line, "rule '%s': "
				    "unknown group '%s'", r->name, r->what);
		}
	}
	return 1;
}

static int
load_run(struct load *l)
{
	size_t	 i;
	int	 rc;

	l->first = l->s->n;
	rc = ini_parse_stream(load_fgets, l, load_handler, l);
	for (i = 0; i < l->nsecs; i++)
		free(l->secs[i].name);
	free(l->secs);
	if (rc > 0 && l->err[0] == '\0') {
		l->err_line = rc;
		snprintf(l->err, sizeof(l->err), "syntax error (want "
		    "[rule] or key = value)");
	}
	if (l->err[0] == '\0')
		load_check(l);
	if (l->err[0] != '\0')
		return log_error("%s:%d: %s", l->name, l->err_line, l->err);
	if (rc < 0)
		return log_error("cannot parse '%s'", l->name);
	return 0;
}

int
alert_set_load(struct alert_set *s, const char *path)
{
	struct load	 l = { .s = s, .name = path };
	int		 rc;

	if ((l.fp = fopen(path, "r")) == NULL)
		return log_errno("cannot open '%s'", path);
	rc = load_run(&l);
	fclose(l.fp);
	return rc;
}

int
alert_set_load_string(struct alert_set *s, const char *text,
    const char *name)
{
	struct load	 l = { .s = s, .name = name, .str = text };

	return load_run(&l);
}

int
alert_rules_load(const char *const *paths, size_t n, struct classifier **cl,
    struct alert_set *s)
{
	const struct cause_reg	*prev = cause_current();
	size_t			 i;

	memset(s, 0, sizeof(*s));
	if ((*cl = classify_new()) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (classify_load_rules(*cl, paths[i]) == -1)
			goto fail;
	/* after the causes, which alert rules may name */
	for (i = 0; i < n; i++)
		if (alert_set_load(s, paths[i]) == -1)
			goto fail;
	return 0;
fail:
	/* the causes of the rules in use, not those of the files that failed */
	cause_reg_restore(prev);
	alert_set_release(s);
	classify_free(*cl);
	*cl = NULL;
	return -1;
}

void
alert_set_release(struct alert_set *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		free(s->rules[i].name);
		free(s->rules[i].file);
		free(s->rules[i].what);
	}
	free(s->rules);
	alert_buf_free(s->all);
	free(s->carry);
	free(s->current);
	s->carry = NULL;
	s->current = NULL;
	s->all = NULL;
	s->rules = NULL;
	s->n = 0;
}

/* Rule selector against a cause and the codes of an event. */
int
alert_match_parts(const struct alert_rule *r, int cause, const char *code,
    const char *enh, const char *resp)
{
	const struct cause_reg	*cr;

	switch (r->sel) {
	case SEL_CAUSE:
		return cause == r->cause;
	case SEL_GROUP:
		cr = cause_current();
		return cause >= 0 && cause < cause_reg_count(cr) &&
		    strcmp(cause_reg_get(cr, cause)->group, r->what) == 0;
	case SEL_CODE:
		if (strchr(r->what, '.') != NULL)
			return strcmp(enh, r->what) == 0;
		if (isdigit((unsigned char)r->what[0]))
			return strcmp(code, r->what) == 0;
		return strcasecmp(resp, r->what) == 0;
	}
	return 0;
}

int
alert_rule_match(const struct alert_rule *r, const struct event *ev)
{
	return alert_match_parts(r, ev->cause, ev->code, ev->enh, ev->resp);
}

size_t
alert_key(const struct alert_rule *r, const struct event *ev, char *buf,
    size_t len)
{
	struct slice	 s = SLICE_NULL;
	size_t		 i, n;

	if (r->by == BY_HOST)
		s = ev->host;
	else if (r->by == BY_USER)
		s = ev->user;
	else if (r->by == BY_CLIENT)
		s = ev->client;
	n = s.len < len - 1 ? s.len : len - 1;
	for (i = 0; i < n; i++)
		buf[i] = r->by == BY_USER ?
		    (char)tolower((unsigned char)s.p[i]) : s.p[i];
	buf[n] = '\0';
	return n;
}
