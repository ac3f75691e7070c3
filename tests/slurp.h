/*
 * For unit tests that redirect a stream with Criterion: slurp() reads
 * all a redirected stream got into one NUL-ended heap string (the
 * caller frees it).
 */
#ifndef TESTS_SLURP_H
#define TESTS_SLURP_H

#include <stdio.h>

#include <criterion/criterion.h>

static char *
slurp(FILE *f)
{
	char	*buf = NULL;
	size_t	 len = 0, n;
	FILE	*m = open_memstream(&buf, &len);
	char	 chunk[512];

	cr_assert_not_null(m);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	return buf;
}

#endif
