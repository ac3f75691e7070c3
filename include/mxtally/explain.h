/*
 * `mxtally explain CODE|TEXT`: what a reply code or reply text means,
 * whether it is temporary or permanent, which cause mxtally files it
 * under and the first step to take. Needs no log; prints plain text.
 */
#ifndef MXTALLY_EXPLAIN_H
#define MXTALLY_EXPLAIN_H

#include <stdio.h>

/*
 * Explains arg, a code or a reply text, on out: 0 when it explained
 * something, 1 when arg is no reply or code it understands (said on
 * out). Borrows arg.
 */
int explain_write(FILE *out, const char *arg);

#endif
