/*
 * libFuzzer target: `mxtally merge` (src/merge/merge.c) on arbitrary
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
#include "mxtally/merge.h"
#include "fuzz_said.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * merge_reports with stderr sent to a memory file, and what it said
 * there into err (NUL-ended, cut to len - 1 bytes).
 */
static struct result *
merge_said(char **paths, size_t n, char *err, size_t len)
{
	struct result	*r;
	struct said	 said;

	said_begin(&said);
	r = merge_reports(paths, n, 0);
	said_end(&said, err, len);
	return r;
}

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
	if ((one = merge_said(paths, 1, err, sizeof(err))) == NULL) {
		if (strstr(err, path) == NULL)
			abort();	/* an error must name the file */
		close(fd);
		return 0;
	}
	if ((two = merge_said(paths, 2, err, sizeof(err))) != NULL) {
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
