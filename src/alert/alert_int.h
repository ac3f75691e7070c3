/*
 * Stage-private: helpers the alert files share (selector matching on
 * parts of an event, the process-wide stop/reload flags of watch).
 */
#ifndef MXTALLY_ALERT_INT_H
#define MXTALLY_ALERT_INT_H

#include <stddef.h>

#include "mxtally/alert.h"

/* Rule selector against a cause and an event's codes ("" when none). */
int alert_match_parts(const struct alert_rule *r, int cause,
    const char *code, const char *enh, const char *resp);

/*
 * Copies s into d (ALERT_STR_MAX + 1 bytes) as every evaluator keys it:
 * at most ALERT_STR_MAX bytes, upper-case ASCII lowered when lower is
 * set, a NUL byte as "\x00" (the reports' rule, agg_int.h), so that
 * "a\0b" and "a\0c" stay two keys. Returns the length written.
 */
size_t alert_str_copy(char *d, struct slice s, int lower);

#endif
