/*
 * For unit tests of functions that say their errors where they find them
 * (log_error, on stderr): said_begin sends fd 2 to a memory file,
 * said_end puts it back and copies what was said into buf, without the
 * "mxtally: error: " before the first message and without the last
 * newline, so a test compares the message itself. Unlike Criterion's
 * redirect, it can be read back after each call of a test.
 */
#ifndef TESTS_SAID_H
#define TESTS_SAID_H

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <criterion/criterion.h>

struct said {
	int	 mem;		/* the memory file fd 2 writes to */
	int	 saved;		/* fd 2 before */
};

static void
said_begin(struct said *s)
{
	fflush(stderr);
	s->mem = memfd_create("said", 0);
	s->saved = dup(2);
	cr_assert(s->mem != -1 && s->saved != -1);
	cr_assert_neq(dup2(s->mem, 2), -1);
}

static void
said_end(struct said *s, char *buf, size_t len)
{
	static const char lead[] = "mxtally: error: ";
	ssize_t		 n;

	fflush(stderr);
	cr_assert_neq(dup2(s->saved, 2), -1);
	close(s->saved);
	n = pread(s->mem, buf, len - 1, 0);
	close(s->mem);
	cr_assert(n >= 0);
	buf[n] = '\0';
	if (strncmp(buf, lead, sizeof(lead) - 1) == 0)
		memmove(buf, buf + sizeof(lead) - 1, (size_t)n -
		    (sizeof(lead) - 1) + 1);
	n = (ssize_t)strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
}

#endif
