/*
 * Atomic output files: see include/mxtally/afile.h. The temp file sits
 * beside the target so that rename(2) stays within one file system.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mxtally/afile.h"
#include "mxtally/log.h"

static void
afile_block(struct afile *a)
{
	sigset_t	 set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGALRM);
	a->blocked = sigprocmask(SIG_BLOCK, &set, &a->old) == 0;
}

static void
afile_unblock(struct afile *a)
{
	if (a->blocked)
		sigprocmask(SIG_SETMASK, &a->old, NULL);
	a->blocked = 0;
}

/* The mode of a new file: an existing one's, else 0666 less the umask. */
static mode_t
afile_mode(const char *path)
{
	struct stat	 sb;
	mode_t		 mask;

	if (stat(path, &sb) == 0)
		return sb.st_mode & 07777;
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

int
afile_open(struct afile *a, const char *path)
{
	struct stat	 sb;
	int		 fd;

	memset(a, 0, sizeof(*a));
	if (path == NULL || strcmp(path, "-") == 0) {
		a->f = stdout;
		return 0;
	}
	a->path = path;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		if ((a->f = fopen(path, "w")) == NULL)
			return log_errno("cannot open '%s'", path);
		return 0;
	}
	if (snprintf(a->tmp, sizeof(a->tmp), "%s.tmp.XXXXXX", path) >=
	    (int)sizeof(a->tmp)) {
		a->tmp[0] = '\0';
		return log_error("path too long: '%s'", path);
	}
	afile_block(a);
	if ((fd = mkstemp(a->tmp)) == -1) {
		log_errno("cannot create '%s'", a->tmp);
		a->tmp[0] = '\0';
		afile_unblock(a);
		return -1;
	}
#ifdef MXT_TESTING
	/* tests/faults.sh: a signal while the temp file exists */
	if (getenv("MXT_TEST_SIGNAL_WRITE") != NULL)
		raise(atoi(getenv("MXT_TEST_SIGNAL_WRITE")));
#endif
	if (fchmod(fd, afile_mode(path)) == -1 ||
	    (a->f = fdopen(fd, "w")) == NULL) {
		log_errno("cannot open '%s'", a->tmp);
		close(fd);
		unlink(a->tmp);
		a->tmp[0] = '\0';
		afile_unblock(a);
		return -1;
	}
	return 0;
}

int
afile_close(struct afile *a, int failed)
{
	int	 bad, e = 0;

	if (a->f == NULL)
		return -1;
	if (a->tmp[0] == '\0') {		/* stdout or a device */
		bad = fflush(a->f) != 0 || ferror(a->f) || failed;
		if (a->f != stdout && fclose(a->f) != 0)
			bad = 1;
		a->f = NULL;
		return bad ? log_errno("cannot write '%s'", a->path != NULL ?
		    a->path : "standard output") : 0;
	}
	if (fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0)
		e = errno != 0 ? errno : EIO;
	if (fclose(a->f) != 0 && e == 0)
		e = errno;
	a->f = NULL;
	if (failed || e != 0) {
		unlink(a->tmp);
		afile_unblock(a);
		errno = e != 0 ? e : errno;
		return log_errno("cannot write '%s'", a->path);
	}
	if (rename(a->tmp, a->path) != 0) {
		log_errno("cannot rename '%s' to '%s'", a->tmp, a->path);
		unlink(a->tmp);
		afile_unblock(a);
		return -1;
	}
	afile_unblock(a);
	return 0;
}

void
afile_abort(struct afile *a)
{
	if (a->f != NULL && a->f != stdout)
		fclose(a->f);
	else if (a->f == stdout)
		fflush(stdout);
	a->f = NULL;
	if (a->tmp[0] != '\0')
		unlink(a->tmp);
	afile_unblock(a);
}

int
afile_write(const char *path, const void *buf, size_t len)
{
	struct afile	 a;

	if (afile_open(&a, path) == -1)
		return -1;
	return afile_close(&a, len > 0 && fwrite(buf, 1, len, a.f) != len);
}
