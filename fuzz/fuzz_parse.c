/*
 * libFuzzer target: the input as a file's first lines through
 * layout_sniff (every layout, line by line), then as one line through
 * layout_header with the layout found and parse_line (every family
 * parser and the sniffer), then agg_add, with and without a fixed year.
 * ASan checks that no slice reads outside the line or the scratch.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct agg	*a;
	struct timectx		 tc = { 2026, 11, size & 1 };
	struct timecache	 cache;
	struct logline		 ll;
	struct layout		 lo;
	struct event		 ev;
	char			*line = malloc(size ? size : 1);

	if (a == NULL)
		a = agg_new();
	memcpy(line, data, size);
	memset(&cache, 0, sizeof(cache));
	layout_sniff((struct slice){ line, size }, &tc, &cache, &lo);
	(void)layout_header((struct slice){ line, size }, &lo, &tc, &cache,
	    &ll);
	if (parse_line(&ll, &ev)) {
		ev.cause = 0;
		agg_add(a, &ev, 0);
	}
	free(line);
	return 0;
}
