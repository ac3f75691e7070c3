/*
 * Atomic output files (src/afile.c), the one writer behind -o, the
 * --state file and --prom-file: the content goes to FILE.tmp.XXXXXX
 * beside FILE and is renamed over it only once all of it is written and
 * synced, so a reader sees the old file or the new one. The new file
 * keeps an existing file's mode, or gets 0666 less the umask. While the
 * temp file exists, the signals that would end the process (HUP, INT,
 * TERM, QUIT, USR1, USR2, ALRM) are blocked: one that arrives is
 * delivered after the rename or the unlink, so no temp file stays and
 * a handler (SIGINT, SIGTERM) still sees it. Main thread only.
 */
#ifndef MXTALLY_AFILE_H
#define MXTALLY_AFILE_H

#include <limits.h>
#include <signal.h>
#include <stdio.h>

struct afile {
	FILE		*f;		/* write here */
	const char	*path;		/* NULL: standard output */
	char		 tmp[PATH_MAX];	/* "" unless a temp file was made */
	sigset_t	 old;		/* signal mask before open */
	int		 blocked;	/* old holds a mask to restore */
};

/*
 * Opens path for writing: NULL or "-" is standard output, an existing
 * file that is not regular (a device, a FIFO) is written in place,
 * anything else through a temp file. 0, or -1 after a message.
 */
int	afile_open(struct afile *a, const char *path);

/*
 * Finishes a: with failed = 0, flushes, syncs and renames the temp file
 * over path; with failed != 0 (the writer failed, or was interrupted),
 * removes the temp file and leaves path as it was. 0, or -1 after a
 * message (also when failed: "cannot write ...").
 */
int	afile_close(struct afile *a, int failed);

/* Removes the temp file (or just closes a), silently: interrupted. */
void	afile_abort(struct afile *a);

/* afile_open, write len bytes of buf, afile_close: 0 or -1. */
int	afile_write(const char *path, const void *buf, size_t len);

#endif
