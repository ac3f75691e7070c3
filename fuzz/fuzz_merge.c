/*
 * libFuzzer target: `mxtally merge` (src/state/merge.c) on arbitrary
 * bytes, which libjansson parses. The report is merged with itself:
 * either it is refused with a message naming the file, or it merges,
 * and then no count of the merge is smaller than the report's own
 * (counts add up or are refused, never wrap).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mxtally/agg.h"
#include "mxtally/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result	*one, *two;
	char		 path[64], err[512];
	char		*paths[2] = { path, path };
	int		 fd;

	if ((fd = memfd_create("fuzz", 0)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	if ((one = merge_reports(paths, 1, 0, err, sizeof(err))) == NULL) {
		if (strstr(err, path) == NULL)
			abort();	/* an error must name the file */
		close(fd);
		return 0;
	}
	err[0] = '\0';
	if ((two = merge_reports(paths, 2, 0, err, sizeof(err))) != NULL) {
		if (two->events < one->events || two->lines < one->lines ||
		    two->traffic.received < one->traffic.received)
			abort();	/* wrapped */
		result_free(two);
	} else if (strstr(err, path) == NULL)
		abort();
	result_free(one);
	close(fd);
	return 0;
}
