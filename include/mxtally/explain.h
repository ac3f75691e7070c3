/*
 * `mxtally explain CODE|TEXT`: what a reply code or reply text means,
 * whether it is temporary or permanent, which cause mxtally files it
 * under and the first step to take. Needs no log; prints plain text.
 */
#ifndef MXTALLY_EXPLAIN_H
#define MXTALLY_EXPLAIN_H

/*
 * argv[0] is "explain"; the words after it are joined with spaces and
 * explained on stdout. Returns 0 when it explained something, 1 when the
 * input is no reply or code it understands (said on stdout), 2 on a
 * usage error (said on stderr). Borrows argv.
 */
int explain_main(int argc, char **argv);

#ifdef MXT_TESTING
#include <stdio.h>

/* Explains one joined argument onto out; returns as explain_main. */
int explain_write(FILE *out, const char *arg);
#endif

#endif
