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
#include "fuzz_said.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * classify_load_rules with stderr sent to a memory file, and what it
 * said there into err (NUL-ended, cut to len - 1 bytes).
 */
static int
load_said(struct classifier *cl, const char *path, char *err, size_t len)
{
	struct said	 said;
	int		 rc;

	said_begin(&said);
	rc = classify_load_rules(cl, path);
	said_end(&said, err, len);
	return rc;
}

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
	if ((cl = classify_new()) == NULL)
		abort();
	if (load_said(cl, path, err, sizeof(err)) == -1) {
		if (strstr(err, path) == NULL)
			abort();	/* an error must name the file */
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
