/*
 * Classifier internals shared by classify.c (the built-in text rules and
 * the order of steps) and rules.c (user rules from --rules files, and the
 * dump of the built-in rules in the same format). Nothing outside
 * src/classify/ includes this.
 */
#ifndef MXTALLY_CLASSIFY_INT_H
#define MXTALLY_CLASSIFY_INT_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdint.h>

#include "mxtally/classify.h"
#include "mxtally/event.h"

#define CLASSIFY_TEXT_MAX	1024	/* reply bytes the rules look at */

struct rule_def {
	int		 cause;
	int		 detail;	/* enum policy */
	const char	*lit;		/* lower case; must occur */
	const char	*re;		/* confirms, or NULL */
};

struct urules;

/* The built-in table in the order it runs; *n gets its length. */
const struct rule_def *classify_builtin(size_t *n);

/* The user rules a classifier holds (NULL when none); set takes u. */
struct urules *classify_get_urules(const struct classifier *c);
void classify_set_urules(struct classifier *c, struct urules *u);

/*
 * Runs the user rules on ev in load order: program prefix, code filter,
 * then the pattern on text (n bytes), the reply as the built-in rules see
 * it: lower-cased, at most CLASSIFY_TEXT_MAX bytes, '_' read as ' ' for
 * EV_UNDERSCORE. Returns the first matching rule's cause, or CAUSE_NONE.
 * md is the worker's; nothing is allocated.
 */
int urules_match(const struct urules *u, pcre2_match_data *md,
    const char *text, size_t n, const struct event *ev);

/* Ovector pairs the largest user pattern needs (0 for NULL). */
uint32_t urules_ovec(const struct urules *u);

void urules_free(struct urules *u);

#ifdef MXT_TESTING
/* Whether a top-level regex alternative (n bytes) requires lit. */
int alt_requires(const char *a, size_t n, const char *lit);

/* An enhanced code's parts, as sscanf's "%d.%d.%d" (classify.c). */
int enh_parts(const char *s, int v[3]);
#endif

#endif
