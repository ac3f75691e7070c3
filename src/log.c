/*
 * Diagnostics and allocation wrappers. Messages go to stderr with the
 * program name; only main.c decides the exit status, except log_die for
 * impossible states and out-of-memory.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/log.h"

int log_quiet;

static void
vlog(const char *kind, const char *fmt, va_list ap, const char *suffix)
{
	char	 buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "mxtally: %s%s%s%s\n", kind, buf,
	    suffix ? ": " : "", suffix ? suffix : "");
}

int
log_error(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap, NULL);
	va_end(ap);
	return -1;
}

int
log_errno(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
	return -1;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	vlog("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("fatal: ", fmt, ap, NULL);
	va_end(ap);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		log_die("out of memory (%zu bytes)", n);
	return p;
}

/*
 * Zeroes large blocks by writing them. calloc may hand out fresh pages
 * unwritten, and a hash table probed before it is written maps the
 * shared zero page on the read, then faults again on the write, and
 * that second fault flushes every other running thread's TLB (an IPI
 * each): a tenth of the workers' time at -j2 when the tables did it,
 * 30 ms of the serial tail on 512 MiB when the result's did.
 */
#define XCALLOC_WRITE	(64u << 10)

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	n = n ? n : 1;
	size = size ? size : 1;
	if (n > SIZE_MAX / size)
		log_die("out of memory (%zu x %zu bytes)", n, size);
	if (n * size < XCALLOC_WRITE) {
		if ((p = calloc(n, size)) == NULL)
			log_die("out of memory (%zu x %zu bytes)", n, size);
		return p;
	}
	p = xmalloc(n * size);
	/* keeps the compiler from making malloc and memset a calloc again */
	__asm__ volatile("" : : "r"(p) : "memory");
	return memset(p, 0, n * size);
}

void *
xrealloc(void *p, size_t n)
{
	void	*q = realloc(p, n ? n : 1);

	if (q == NULL)
		log_die("out of memory (%zu bytes)", n);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
log_stdout_done(int rc, int fail)
{
	int	 e = 0;

	if (fflush(stdout) != 0)
		e = errno;
	if (e == 0 && !ferror(stdout))
		return rc;
	if (e != 0)
		log_error("cannot write standard output: %s", strerror(e));
	else
		log_error("cannot write standard output");
	clearerr(stdout);
	return rc != 0 ? rc : fail;
}
