/*
 * User classification rules (--rules FILE) and the dump of the built-in
 * ones in the same format. A rules file is INI, read with libinih; each
 * [cause.NAME] section names a cause (a built-in id overrides its texts
 * and adds patterns, a new id adds a cause) and holds PCRE2 patterns,
 * matched case-insensitively against the reply text, with an optional
 * program prefix and reply-code filter; they see the reply as the
 * built-in rules do (lower-cased, qmail's '_' read as ' '), so a dump of
 * the built-ins loads as an exact copy. Every other section is an alert
 * rule and is left to src/alert/. Rules are compiled with JIT once,
 * before the workers start, and then only read; matching allocates
 * nothing.
 *
 * libinih tells the handler neither the line number nor where a section
 * starts (both are compile-time options of the library), so the line
 * reader given to ini_parse_stream counts lines and section headers
 * itself. Its buffer is the library's line limit: a longer line is an
 * error rather than being cut in two.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "classify_int.h"
#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/log.h"

#define NAME_MAX_LEN	48	/* longest cause id a file may define */

enum code_kind {
	CODE_ANY,		/* no filter */
	CODE_BASIC,		/* "452": ev->code equal */
	CODE_ENH,		/* "4.3" or "4.3.1": ev->enh prefix, by part */
	CODE_RESP		/* "IN-USE": ev->resp equal, any case */
};

struct urule {
	pcre2_code	*re;
	int		 cause;
	const char	*program;	/* prefix of ev->program, or NULL */
	size_t		 proglen;
	uint8_t		 kind;		/* enum code_kind */
	uint8_t		 codelen;
	char		 code[24];	/* as in the file */
	_Atomic int	*limited;	/* hit a match limit: warned once */
	char		*where;		/* "file:line", for that warning */
};

/*
 * PCRE2 limits for user patterns (the defaults let a catastrophic one
 * take 16 ms a line): a match that needs more fails, counts as no match
 * and is reported once per rule. A sane pattern on CLASSIFY_TEXT_MAX
 * bytes stays far below them.
 */
#define URULE_MATCH_LIMIT	100000
#define URULE_DEPTH_LIMIT	5000

struct urules {
	struct urule	*v;
	pcre2_match_context *mctx;	/* the limits above, shared read-only */
	size_t		 n, cap;
	uint64_t	 causes;	/* bit per cause a section named */
	const struct cause_reg *reg;	/* what the loads published, or NULL */
	uint32_t	 ovec;		/* largest capture count + 1 */
};

/*
 * Program names point into every rule that names them, for the
 * classifier's life; they are kept on one list for the whole run.
 */
struct interned {
	struct interned	*next;
	char		 s[];
};
static struct interned *strings;

static const char *
intern(const char *s, size_t n)
{
	struct interned	*i = xmalloc(sizeof(*i) + n + 1);

	memcpy(i->s, s, n);
	i->s[n] = '\0';
	i->next = strings;
	strings = i;
	return i->s;
}

/* A text value built from a key and its continuation lines. */
struct text {
	char		*p;		/* NULL: the key was not given */
	size_t		 len;
};

struct load {
	struct urules	*u;
	struct cause_reg *reg;		/* the draft this load adds to */
	const char	*path;
	FILE		*f;
	int		 line;		/* lines read so far */
	int		 indented;	/* the current line starts with a blank */
	int		 serial;	/* section headers read so far */
	int		 err_line;	/* first error, 0 = none */
	char		 err[600];	/* "path:line: what", said at the end
					   (an earlier inih syntax error
					   replaces it) */
	/* the section being read */
	int		 sect;		/* its serial, -1 before the first key */
	int		 cause;		/* CAUSE_NONE: not a cause section */
	size_t		 first;		/* its first rule in u->v */
	const char	*program;
	char		 code[24];
	uint8_t		 kind;
	const char	*group;		/* NULL: not given */
	struct text	 meaning, advice;
};

static int fail(struct load *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the first error; returns 0, the handler's failure value. */
static int
fail(struct load *l, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	if (l->err_line != 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->err_line = l->line > 0 ? l->line : 1;
	snprintf(l->err, sizeof(l->err), "%s:%d: %s", l->path, l->err_line,
	    msg);
	return 0;
}

/* fgets for inih that also counts lines and section headers. */
static char *
read_line(char *buf, int num, void *stream)
{
	struct load	*l = stream;
	size_t		 n;
	char		*p;

	if (l->err_line != 0 || fgets(buf, num, l->f) == NULL)
		return NULL;
	l->line++;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] != '\n' && !feof(l->f)) {
		fail(l, "line longer than %d bytes; split a long pattern "
		    "into several pattern lines", num - 3);
		return NULL;
	}
	l->indented = buf[0] == ' ' || buf[0] == '\t';
	for (p = buf; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '[')
		l->serial++;
	return buf;
}

static void
text_add(struct text *t, const char *v)
{
	size_t	 n = strlen(v);

	t->p = xrealloc(t->p, t->len + n + 2);
	if (t->len > 0 && n > 0)
		t->p[t->len++] = ' ';
	memcpy(t->p + t->len, v, n + 1);
	t->len += n;
}

/* The text as a string (malloc'd), or NULL when not given; t is reset. */
static char *
text_take(struct text *t)
{
	char	*s;

	if (t->p == NULL)
		return NULL;
	s = xstrndup(t->p, t->len);
	free(t->p);
	t->p = NULL;
	t->len = 0;
	return s;
}

/* Ends the section being read: filters to its rules, texts to its cause. */
static void
section_end(struct load *l)
{
	size_t	 i;
	char	*meaning, *advice;

	if (l->cause != CAUSE_NONE && l->err_line == 0) {
		for (i = l->first; i < l->u->n; i++) {
			struct urule *r = &l->u->v[i];
			r->program = l->program;
			r->proglen = l->program != NULL ? strlen(l->program) : 0;
			r->kind = l->kind;
			r->codelen = (uint8_t)strlen(l->code);
			memcpy(r->code, l->code, sizeof(r->code));
		}
		meaning = text_take(&l->meaning);
		advice = text_take(&l->advice);
		cause_reg_add(l->reg, cause_reg_get(l->reg, l->cause)->id,
		    l->group, meaning, advice);
		free(meaning);
		free(advice);
	}
	free(l->meaning.p);
	free(l->advice.p);
	memset(&l->meaning, 0, sizeof(l->meaning));
	memset(&l->advice, 0, sizeof(l->advice));
	l->cause = CAUSE_NONE;
	l->program = NULL;
	l->code[0] = '\0';
	l->kind = CODE_ANY;
	l->group = NULL;
}

static int
section_begin(struct load *l, const char *section)
{
	const char	*name = section + 6;
	size_t		 n = strlen(name), i;
	int		 c;

	l->sect = l->serial;
	if (strncmp(section, "cause.", 6) != 0)
		return 1;
	if (n == 0 || n > NAME_MAX_LEN)
		return fail(l, "bad cause name '%s': 1 to %d characters",
		    name, NAME_MAX_LEN);
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)name[i]) &&
		    !isdigit((unsigned char)name[i]) && name[i] != '_')
			return fail(l, "bad cause name '%s': use a-z, 0-9 "
			    "and _", name);
	if ((c = cause_reg_find(l->reg, name, n)) == CAUSE_NONE &&
	    (c = cause_reg_add(l->reg, name, NULL, NULL, NULL)) == -1)
		return fail(l, "too many causes: at most %d in all",
		    CAUSE_MAX);
	l->cause = c;
	l->first = l->u->n;
	l->u->causes |= 1ULL << c;
	return 1;
}


/* The limits' context, made once per rule set. */
static pcre2_match_context *
urules_mctx(struct urules *u)
{
	if (u->mctx == NULL) {
		if ((u->mctx = pcre2_match_context_create(NULL)) == NULL)
			log_die("out of memory");
		pcre2_set_match_limit(u->mctx, URULE_MATCH_LIMIT);
		pcre2_set_depth_limit(u->mctx, URULE_DEPTH_LIMIT);
	}
	return u->mctx;
}

/*
 * Tries a new pattern on long test strings (CLASSIFY_TEXT_MAX bytes of
 * one letter, of one letter and a stop, of words and spaces, of
 * digits): one that hits the match limit backtracks badly and would
 * leave lines like them unclassified, so the loader warns (rules
 * --check shows it).
 */
static void
urule_probe(struct urules *u, const struct urule *r, const char *pat)
{
	static const char *const unit[] = { "a", "x", "a b ", "0", " " };
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->re,
	    NULL);
	char		 text[CLASSIFY_TEXT_MAX + 1];
	size_t		 i, k, n;
	int		 rc, bad = 0;

	for (i = 0; i < sizeof(unit) / sizeof(unit[0]) && !bad; i++) {
		n = strlen(unit[i]);
		for (k = 0; k + n <= CLASSIFY_TEXT_MAX; k += n)
			memcpy(text + k, unit[i], n);
		text[k - 1] = '!';
		rc = pcre2_match(r->re, (PCRE2_SPTR)text, k, 0, 0, md,
		    urules_mctx(u));
		bad = rc == PCRE2_ERROR_MATCHLIMIT ||
		    rc == PCRE2_ERROR_DEPTHLIMIT;
	}
	pcre2_match_data_free(md);
	if (bad)
		log_warn("%s: pattern '%s' backtracks badly: it hits the "
		    "match limit on a %d-byte test line, and such lines stay "
		    "unclassified", r->where, pat, CLASSIFY_TEXT_MAX);
}

static int
add_pattern(struct load *l, const char *value)
{
	struct urule	*r;
	pcre2_code	*re;
	PCRE2_UCHAR	 msg[256];
	PCRE2_SIZE	 off;
	uint32_t	 cc;
	int		 rc;

	if (l->cause == CAUSE_UNCLASSIFIED)
		return fail(l, "[cause.unclassified] takes no pattern: it is "
		    "what no rule matches");
	if (*value == '\0')
		return fail(l, "empty pattern");
	re = pcre2_compile((PCRE2_SPTR)value, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS, &rc, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		return fail(l, "bad pattern '%s': %s at offset %zu", value,
		    (char *)msg, (size_t)off);
	}
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	if (pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &cc) == 0 &&
	    cc + 1 > l->u->ovec)
		l->u->ovec = cc + 1;
	if (l->u->n == l->u->cap) {
		l->u->cap = l->u->cap ? 2 * l->u->cap : 16;
		l->u->v = xrealloc(l->u->v, l->u->cap * sizeof(*l->u->v));
	}
	r = &l->u->v[l->u->n++];
	memset(r, 0, sizeof(*r));
	r->re = re;
	r->cause = l->cause;
	r->limited = xcalloc(1, sizeof(*r->limited));
	r->where = xmalloc(strlen(l->path) + 16);
	sprintf(r->where, "%s:%d", l->path, l->line);
	urule_probe(l->u, r, value);
	return 1;
}

/* Frees what add_pattern allocated for r (not r itself). */
static void
urule_release(struct urule *r)
{
	pcre2_code_free(r->re);
	free(r->limited);
	free(r->where);
}

/* 452 | 4.3 | 4.3.1 | IN-USE: sets l->kind, or 0 when malformed. */
static int
parse_code(struct load *l, const char *v)
{
	size_t	 n = strlen(v), i, parts = 1, digits = 0;

	if (n == 0 || n >= sizeof(l->code))
		return 0;
	if (n == 3 && strspn(v, "0123456789") == 3 && v[0] >= '2' &&
	    v[0] <= '5')
		l->kind = CODE_BASIC;
	else if (isdigit((unsigned char)v[0])) {
		if (v[0] != '2' && v[0] != '4' && v[0] != '5')
			return 0;
		for (i = 0; i < n; i++) {
			if (v[i] == '.') {
				if (digits == 0 && i > 0)
					return 0;
				parts++;
				digits = 0;
			} else if (isdigit((unsigned char)v[i]) && digits < 3)
				digits++;
			else
				return 0;
		}
		if (parts < 2 || parts > 3 || digits == 0)
			return 0;
		l->kind = CODE_ENH;
	} else {
		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)v[i]) && v[i] != '-' &&
			    v[i] != '/')
				return 0;
		l->kind = CODE_RESP;
	}
	memcpy(l->code, v, n + 1);
	return 1;
}

static int
set_key(struct load *l, const char *name, const char *value)
{
	if (strcmp(name, "program") == 0) {
		if (l->program != NULL)
			return fail(l, "program given twice in one section");
		if (*value == '\0')
			return fail(l, "empty program");
		l->program = intern(value, strlen(value));
	} else if (strcmp(name, "code") == 0) {
		if (l->kind != CODE_ANY)
			return fail(l, "code given twice in one section");
		if (!parse_code(l, value))
			return fail(l, "bad code '%s': a reply code (452), "
			    "an enhanced code or its start (4.3.1, 5.7), or "
			    "a response code (IN-USE)", value);
	} else if (strcmp(name, "group") == 0) {
		if (l->group != NULL)
			return fail(l, "group given twice in one section");
		if (strcmp(value, "lock") == 0)
			l->group = "lock";
		else if (strcmp(value, "auth") == 0)
			l->group = "auth";
		else if (strcmp(value, "storage") == 0)
			l->group = "storage";
		else if (*value == '\0' || strcmp(value, "none") == 0)
			l->group = "";
		else
			return fail(l, "bad group '%s': lock, auth, storage "
			    "or none", value);
	} else if (strcmp(name, "meaning") == 0)
		text_add(&l->meaning, value);
	else if (strcmp(name, "advice") == 0)
		text_add(&l->advice, value);
	else
		return fail(l, "unknown key '%s' in [cause.%s] (pattern, "
		    "program, code, group, meaning, advice)", name,
		    cause_reg_get(l->reg, l->cause)->id);
	return 1;
}

/* An indented "key = value" is a continuation of the previous value. */
static int
looks_like_key(const char *v)
{
	static const char *const keys[] = { "pattern", "program", "code",
	    "group", "meaning", "advice" };
	size_t	 i, n;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		n = strlen(keys[i]);
		if (strncmp(v, keys[i], n) != 0)
			continue;
		v += n;
		while (*v == ' ' || *v == '\t')
			v++;
		return *v == '=' || *v == ':';
	}
	return 0;
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load	*l = user;

	if (l->err_line != 0)
		return 1;
	if (l->sect != l->serial) {
		section_end(l);
		if (!section_begin(l, section))
			return 0;
	}
	if (l->cause == CAUSE_NONE)
		return 1;
	if (l->indented && looks_like_key(value))
		return fail(l, "indented key: keys start in the first column "
		    "(an indented line continues the value above)");
	if (strcmp(name, "pattern") == 0)
		return add_pattern(l, value);
	return set_key(l, name, value);
}

int
classify_load_rules(struct classifier *c, const char *path)
{
	struct load	 l = { .path = path, .sect = -1, .cause = CAUSE_NONE };
	size_t		 start, i;
	int		 rc;

	if ((l.u = classify_get_urules(c)) == NULL) {
		l.u = xcalloc(1, sizeof(*l.u));
		classify_set_urules(c, l.u);
	}
	start = l.u->n;
	if ((l.f = fopen(path, "r")) == NULL)
		return log_errno("cannot open '%s'", path);
	/* the first file of a rule set starts it anew, a later one adds */
	l.reg = l.u->reg != NULL ? cause_reg_copy(l.u->reg) : cause_reg_new();
	rc = ini_parse_stream(read_line, &l, on_key, &l);
	if (l.err_line == 0 && ferror(l.f))
		fail(&l, "read error: %s", strerror(errno));
	fclose(l.f);
	if (rc > 0 && (l.err_line == 0 || rc < l.err_line)) {
		l.err_line = 0;
		l.line = rc;
		fail(&l, "syntax error: expected [section], key = value, "
		    "or a comment");
	} else if (rc < 0 && l.err_line == 0)
		fail(&l, "out of memory");
	section_end(&l);
	if (l.err_line == 0) {
		cause_reg_publish(l.reg);
		l.u->reg = l.reg;
		return (int)(l.u->n - start);
	}
	cause_reg_free(l.reg);
	for (i = start; i < l.u->n; i++)
		urule_release(&l.u->v[i]);
	l.u->n = start;
	return log_error("%s", l.err);
}

void
classify_rules_count(const struct classifier *c, size_t *rules,
    size_t *causes)
{
	const struct urules	*u = classify_get_urules(c);

	*rules = u != NULL ? u->n : 0;
	*causes = u != NULL ? (size_t)__builtin_popcountll(u->causes) : 0;
}

static int
code_ok(const struct urule *r, const struct event *ev)
{
	switch (r->kind) {
	case CODE_BASIC:
		return memcmp(ev->code, r->code, 4) == 0;
	case CODE_ENH:
		return strncmp(ev->enh, r->code, r->codelen) == 0 &&
		    (ev->enh[r->codelen] == '\0' || ev->enh[r->codelen] == '.');
	case CODE_RESP:
		return strcasecmp(ev->resp, r->code) == 0;
	default:
		return 1;
	}
}

int
urules_match(const struct urules *u, pcre2_match_data *md, const char *text,
    size_t n, const struct event *ev)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < u->n; i++) {
		const struct urule *r = &u->v[i];
		if (r->proglen > 0 && (ev->program.len < r->proglen ||
		    memcmp(ev->program.p, r->program, r->proglen) != 0))
			continue;
		if (r->kind != CODE_ANY && !code_ok(r, ev))
			continue;
		rc = pcre2_match(r->re, (PCRE2_SPTR)text, n, 0, 0, md, u->mctx);
		if (rc >= 0)
			return r->cause;
		if ((rc == PCRE2_ERROR_MATCHLIMIT ||
		    rc == PCRE2_ERROR_DEPTHLIMIT) &&
		    atomic_exchange(r->limited, 1) == 0)
			log_warn("%s: pattern hit the match limit on a line: "
			    "no match (reported once)", r->where);
	}
	return CAUSE_NONE;
}

uint32_t
urules_ovec(const struct urules *u)
{
	return u != NULL ? u->ovec : 0;
}

void
urules_free(struct urules *u)
{
	size_t	 i;

	if (u == NULL)
		return;
	for (i = 0; i < u->n; i++)
		urule_release(&u->v[i]);
	pcre2_match_context_free(u->mctx);
	free(u->v);
	free(u);
}

/*
 * The dump. A built-in rule is a literal that must occur plus an optional
 * regex; each top-level alternative of the regex becomes one pattern line
 * (the lines of a section are alternatives too). An alternative that
 * spells the literal out at its top level already requires it; any other
 * is prefixed with a look-ahead for the literal, so the dump matches
 * exactly what the built-in rule matches.
 */
#define META	"\\^$.|?*+()[]{}"

/* Length of the top-level alternative starting at re. */
static size_t
alt_len(const char *re)
{
	size_t	 i;
	int	 depth = 0, cls = 0;

	for (i = 0; re[i] != '\0'; i++) {
		if (re[i] == '\\' && re[i + 1] != '\0')
			i++;
		else if (cls)
			cls = re[i] != ']';
		else if (re[i] == '[')
			cls = 1;
		else if (re[i] == '(')
			depth++;
		else if (re[i] == ')')
			depth--;
		else if (re[i] == '|' && depth == 0)
			break;
	}
	return i;
}

/* Whether alternative a (n bytes) requires the plain literal lit. */
MXT_STATIC int
alt_requires(const char *a, size_t n, const char *lit)
{
	char	 plain[256];
	size_t	 i, k, ll = strlen(lit);
	int	 depth = 0, cls = 0;

	if (n > sizeof(plain) || strpbrk(lit, META) != NULL || ll == 0)
		return 0;
	for (i = 0; i < n; i++) {
		plain[i] = 0;
		if (a[i] == '\\') {
			if (i + 1 < n)
				plain[++i] = 0;
		} else if (cls)
			cls = a[i] != ']';
		else if (a[i] == '[')
			cls = 1;
		else if (a[i] == '(')
			depth++;
		else if (a[i] == ')')
			depth--;
		else
			plain[i] = depth == 0 && strchr(META, a[i]) == NULL;
	}
	for (i = 0; i + ll <= n; i++) {
		if (memcmp(a + i, lit, ll) != 0)
			continue;
		for (k = 0; k < ll && plain[i + k]; k++)
			;
		if (k == ll && (i + ll == n || strchr("?*{", a[i + ll]) == NULL))
			return 1;
	}
	return 0;
}

static void
put_escaped(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr(META, *s) != NULL)
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void
dump_rule(FILE *f, const struct rule_def *d)
{
	const char	*a;
	size_t		 n;

	if (d->re == NULL) {
		fputs("pattern = ", f);
		put_escaped(f, d->lit);
		fputc('\n', f);
		return;
	}
	for (a = d->re;; a += n + 1) {
		n = alt_len(a);
		if (alt_requires(a, n, d->lit))
			fprintf(f, "pattern = %.*s\n", (int)n, a);
		else {
			fputs("pattern = ^(?=.*", f);
			put_escaped(f, d->lit);
			fprintf(f, ").*?(?:%.*s)\n", (int)n, a);
		}
		if (a[n] == '\0')
			break;
	}
}

/* key = text, wrapped at 72 columns with indented continuation lines. */
static void
dump_text(FILE *f, const char *key, const char *s)
{
	size_t	 col, w;

	col = (size_t)fprintf(f, "%s =", key);
	while (*s != '\0') {
		w = strcspn(s, " ");
		if (col + 1 + w > 72 && col > 12 && *s != ';' && *s != '#') {
			fputs("\n\t", f);
			col = 8;
		} else {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)w, s);
		col += w;
		s += w;
		while (*s == ' ')
			s++;
	}
	fputc('\n', f);
}

static void
dump_cause(FILE *f, int cause)
{
	const struct cause_info	*ci = cause_get(cause);

	if (ci->group[0] != '\0')
		fprintf(f, "group = %s\n", ci->group);
	dump_text(f, "meaning", ci->meaning);
	dump_text(f, "advice", ci->advice);
}

int
classify_dump_rules(FILE *f)
{
	const struct rule_def	*b;
	uint64_t		 done = 0;
	size_t			 n, i;
	int			 prev = CAUSE_NONE, c;

	b = classify_builtin(&n);
	fputs(
"; mxtally's built-in classification rules, in the order they run\n"
"; (mxtally rules --dump). A --rules FILE uses the same format: its\n"
"; [cause.NAME] sections run before these, in file order; a built-in NAME\n"
"; gets its texts replaced and patterns added, a new NAME is a new cause.\n"
"; Patterns are PCRE2, matched case-insensitively against the reply text;\n"
"; the pattern lines of a section are alternatives. A reply no pattern\n"
"; matches is classified by its enhanced code, then its reply code or\n"
"; POP3/IMAP response code, else it is unclassified.\n", f);
	for (i = 0; i < n; i++) {
		c = b[i].cause;
		if (c != prev) {
			fprintf(f, "\n[cause.%s]\n", cause_get(c)->id);
			if (!(done & (1ULL << c)))
				dump_cause(f, c);
			done |= 1ULL << c;
			prev = c;
		}
		dump_rule(f, &b[i]);
	}
	for (c = 0; c < CAUSE_BUILTIN_COUNT; c++) {
		if (done & (1ULL << c))
			continue;
		fprintf(f, "\n; %s\n[cause.%s]\n", c == CAUSE_UNCLASSIFIED ?
		    "what no rule or code explains" : "no text rule: "
		    "reached by reply codes only", cause_get(c)->id);
		dump_cause(f, c);
	}
	return fflush(f) != 0 || ferror(f) ? -1 : 0;
}
