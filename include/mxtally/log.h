/*
 * Diagnostics on stderr: "mxtally: " prefix, lowercase message, subject
 * quoted. log_error and log_errno return -1 so a failing function can
 * "return log_error(...)" (as git's error()).
 */
#ifndef MXTALLY_LOG_H
#define MXTALLY_LOG_H

#include <stdlib.h>

extern int log_quiet;		/* -q: no warnings, errors still shown */

int  log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int  log_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/*
 * A command's last word on standard output: flushes it and, when what
 * was printed did not all arrive (a full disk, /dev/full), says so and
 * returns fail if rc was 0; otherwise returns rc. Every command's exit
 * status goes through it (main.c).
 */
int  log_stdout_done(int rc, int fail);

/* Allocation wrappers that abort with a message on OOM (OpenSMTPD). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#define BUG(msg) log_die("BUG: %s:%d: %s", __FILE__, __LINE__, (msg))

#ifdef MXT_TESTING
#define MXT_STATIC
#else
#define MXT_STATIC static
#endif

#endif
