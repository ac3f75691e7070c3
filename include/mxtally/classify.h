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

#include "mxtally/event.h"

struct classifier;
struct classify_scratch;

/* Compiles the built-in rules. Returns NULL with a message in err. */
struct classifier *classify_new(char *err, size_t errlen);
void classify_free(struct classifier *c);

struct classify_scratch *classify_scratch_new(const struct classifier *c);
void classify_scratch_free(struct classify_scratch *s);

/* Sets ev->cause (and ev->detail) unless the parser already set cause. */
void classify_event(const struct classifier *c, struct classify_scratch *s,
    struct event *ev);

/*
 * Writes the unclassified template of text into buf (NUL-terminated,
 * truncated to len): digits, addresses, IPs, hosts and queue ids masked.
 * Returns the template's length.
 */
size_t classify_template(struct slice text, char *buf, size_t len);

#endif
