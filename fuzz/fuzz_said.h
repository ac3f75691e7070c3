/*
 * For fuzz targets of functions that say their errors where they find
 * them (log_error, on stderr): said_begin sends fd 2 to a memory file,
 * said_end puts it back and copies what was said into err (NUL-ended,
 * cut to len - 1 bytes), so a target can check that a refusal names
 * its file. Included by one target each; static, as a target is one
 * file. tests/said.h is the unit tests' twin, on Criterion's asserts.
 */
#ifndef FUZZ_SAID_H
#define FUZZ_SAID_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

struct said {
	int	 mem;		/* the memory file fd 2 writes to */
	int	 saved;		/* fd 2 before */
};

static void
said_begin(struct said *s)
{
	if ((s->mem = memfd_create("err", 0)) == -1 ||
	    (s->saved = dup(2)) == -1)
		abort();
	fflush(stderr);
	dup2(s->mem, 2);
}

static void
said_end(struct said *s, char *err, size_t len)
{
	ssize_t	 got;

	fflush(stderr);
	dup2(s->saved, 2);
	close(s->saved);
	if ((got = pread(s->mem, err, len - 1, 0)) < 0)
		abort();
	err[got] = '\0';
	close(s->mem);
}

#endif
