/*
 * libFuzzer target: the input stage on arbitrary bytes, as a plain,
 * gzip or zstd file (detected by magic, as in a run), mapped or streamed
 * with a small chunk size. Every chunk must hold whole lines inside its
 * bounds, offsets must only grow, and an error must come with a message.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mxtally/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input_opts	 o = { 0 };
	struct source		*s;
	struct chunk		 c;
	char			 path[64], err[256];
	uint64_t		 off = 0;
	int			 fd, rc;

	if ((fd = memfd_create("fuzz", 0)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	o.no_mmap = size > 0 && (data[size - 1] & 1);
	o.chunk_size = 4096;
	o.nbufs = 2;
	err[0] = '\0';
	if ((s = source_open(path, 0, &o, err, sizeof(err))) != NULL) {
		while ((rc = source_next(s, &c, err, sizeof(err))) == 1) {
			if (c.end < c.beg || c.off < off)
				abort();
			if (c.end > c.beg)
				(void)memchr(c.beg, '\n', (size_t)(c.end - c.beg));
			off = c.off + (uint64_t)(c.end - c.beg);
			source_release(s, &c);
		}
		if (rc == -1 && err[0] == '\0')
			abort();
		source_close(s);
	} else if (err[0] == '\0')
		abort();
	close(fd);
	return 0;
}
