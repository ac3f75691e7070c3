/*
 * libFuzzer target: the timestamp parser. Whatever it accepts must lie
 * inside the input, and a parsed time must format back without error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/parse.h"
#include "mxtally/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timectx	 tc = { 2026, 1, 0 };
	int64_t		 t = 0;
	size_t		 n;
	char		*s = malloc(size ? size : 1), buf[64];

	memcpy(s, data, size);
	n = time_parse((struct slice){ s, size }, &tc, &t);
	if (n > size)
		abort();
	if (n > 0)
		report_time(t, buf, sizeof(buf));
	tc.fixed = 1;
	tc.month = 12;
	(void)time_parse((struct slice){ s, size }, &tc, &t);
	free(s);
	return 0;
}
