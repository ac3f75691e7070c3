/*
 * Classification: event to cause, in the order causes.md gives: user
 * rules, built-in text rules (PCRE2 JIT behind a literal prefilter), the
 * enhanced code, the basic or POP3/IMAP response code, else unclassified.
 * A classifier is compiled once and shared read-only by all workers; each
 * worker owns a scratch (match data and a lower-case buffer).
 */
#ifndef MXTALLY_CLASSIFY_H
#define MXTALLY_CLASSIFY_H

#include <stddef.h>
#include <stdio.h>

#include "mxtally/event.h"

struct classifier;
struct classify_scratch;

/* Compiles the built-in rules. Returns NULL, the error said. */
struct classifier *classify_new(void);
void classify_free(struct classifier *c);

struct classify_scratch *classify_scratch_new(const struct classifier *c);
void classify_scratch_free(struct classify_scratch *s);

/*
 * Sets ev->cause and ev->detail, first match wins: user rules, built-in
 * text rules, the enhanced code, the parser's hint, the basic code, the
 * POP3/IMAP response code, else unclassified. With EV_LABEL (the text is
 * a daemon's fixed label) the enhanced code runs before the text rules.
 */
void classify_event(const struct classifier *c, struct classify_scratch *s,
    struct event *ev);

/*
 * Loads the [cause.NAME] sections of the INI file path as user rules
 * (mxtally(1), RULES): they run before the built-in text rules, in file
 * order, and a later call appends after the rules already loaded. Other
 * sections belong to the alert rules and are skipped. Call before any
 * scratch is made. New causes and text overrides go into a draft of the
 * cause registry, published only when the whole file loads. Returns the
 * number of patterns loaded, or -1 with its first error said:
 * "path:line: message" (or "cannot open 'path': why").
 */
int classify_load_rules(struct classifier *c, const char *path);

/* Patterns and distinct [cause.NAME] causes loaded so far. */
void classify_rules_count(const struct classifier *c, size_t *rules,
    size_t *causes);

/*
 * Writes every built-in text rule, in the order they run, and every
 * built-in cause's texts to f in the --rules format; loading the output
 * classifies as the built-in rules do. Returns 0, or -1 when f failed.
 */
int classify_dump_rules(FILE *f);

/*
 * Writes the unclassified template of text into buf (NUL-terminated,
 * truncated to len): digits, addresses, IPs, hosts and queue ids masked.
 * Returns the template's length.
 */
size_t classify_template(struct slice text, char *buf, size_t len);

#endif
