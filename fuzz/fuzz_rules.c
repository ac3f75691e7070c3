/*
 * libFuzzer target: the --rules INI parser (src/classify/rules.c) on
 * arbitrary files. A file is either loaded or refused with a message;
 * a loaded one must then classify a line without trouble.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mxtally/classify.h"
#include "mxtally/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct classifier	*cl;
	struct classify_scratch	*cs;
	struct event		 ev;
	char			 path[64], err[512];
	int			 fd;

	if ((fd = memfd_create("fuzz", 0)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((cl = classify_new(err, sizeof(err))) == NULL)
		abort();
	err[0] = '\0';
	if (classify_load_rules(cl, path, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
	} else {
		cs = classify_scratch_new(cl);
		event_reset(&ev);
		ev.text = (struct slice){ "mailbox is full", 15 };
		classify_event(cl, cs, &ev);
		classify_scratch_free(cs);
	}
	classify_free(cl);
	close(fd);
	return 0;
}
