/*
 * rss: run a command and report its wall time and peak resident set.
 *
 *	rss CMD [ARGS...]
 *
 * The command inherits stdin, stdout and stderr.  When it ends, one line
 * goes to stderr, last:
 *
 *	wall=<seconds> anon_kb=<n> maxrss_kb=<n>
 *
 * maxrss is ru_maxrss from wait4(2): the largest RSS of the child (not of
 * its own children), in KiB on Linux. anon is the largest RssAnon of
 * /proc/PID/status seen while polling it every 5 ms: the heap and the
 * stacks, without the pages of mapped files (0 where /proc is missing).
 * The exit status is the command's, or 128 + signal if it was killed, or
 * 127 if it could not be run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* RssAnon of pid in KiB, or 0 */
static long
rss_anon(pid_t pid)
{
	char	 path[64], line[256];
	long	 kb = 0;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "RssAnon: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	struct rusage	 ru;
	struct timespec	 tick = { 0, 5000000 };
	double		 t0, t1;
	pid_t		 pid, r;
	long		 kb, anon = 0;
	int		 status;

	if (argc < 2) {
		fprintf(stderr, "usage: rss CMD [ARGS...]\n");
		return 2;
	}
	fflush(NULL);
	t0 = now();
	if ((pid = fork()) == -1) {
		fprintf(stderr, "rss: cannot fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "rss: cannot run '%s': %s\n", argv[1],
		    strerror(errno));
		_exit(127);
	}
	for (;;) {
		r = wait4(pid, &status, WNOHANG, &ru);
		if (r == pid)
			break;
		if (r == -1 && errno != EINTR) {
			fprintf(stderr, "rss: wait4: %s\n", strerror(errno));
			return 127;
		}
		if ((kb = rss_anon(pid)) > anon)
			anon = kb;
		nanosleep(&tick, NULL);
	}
	t1 = now();
	fprintf(stderr, "wall=%.3f anon_kb=%ld maxrss_kb=%ld\n", t1 - t0, anon,
	    ru.ru_maxrss);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
