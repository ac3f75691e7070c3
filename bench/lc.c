/*
 * lc: count newlines in a file as fast as memchr allows; the speed anchor
 * for make bench (nothing that looks at every line can beat it).
 *
 * The file is mapped read-only, cut into -j parts at newline boundaries
 * and each part is counted by its own thread with memchr.  Prints the
 * count, like wc -l: a last line without '\n' is not counted.  A file
 * truncated while mapped raises SIGBUS; this is a benchmark tool and
 * lets it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_JOBS	256

struct part {
	const char	*beg;		/* first byte of the part */
	const char	*end;		/* one past the last byte */
	uint64_t	 lines;		/* result */
};

static void *
count_part(void *arg)
{
	struct part	*pt = arg;
	const char	*p = pt->beg, *nl;
	uint64_t	 n = 0;

	while (p < pt->end &&
	    (nl = memchr(p, '\n', (size_t)(pt->end - p))) != NULL) {
		n++;
		p = nl + 1;
	}
	pt->lines = n;
	return NULL;
}

/* Cuts [base, base + len) into jobs parts, each ending after a '\n'. */
static int
plan(const char *base, size_t len, int jobs, struct part *pt)
{
	const char	*p = base, *end = base + len, *cut, *nl;
	int		 i, n = 0;

	for (i = 0; i < jobs && p < end; i++) {
		cut = base + len / (size_t)jobs * (size_t)(i + 1);
		if (i == jobs - 1 || cut >= end)
			cut = end;
		else if (cut > p) {
			nl = memchr(cut - 1, '\n', (size_t)(end - cut + 1));
			cut = nl ? nl + 1 : end;
		} else
			continue;
		pt[n].beg = p;
		pt[n].end = cut;
		n++;
		p = cut;
	}
	return n;
}

static int
count_file(const char *path, int jobs, uint64_t *lines)
{
	struct part	 pt[MAX_JOBS];
	pthread_t	 tid[MAX_JOBS];
	struct stat	 st;
	char		*base;
	int		 fd, n, i;

	*lines = 0;
	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1) {
		fprintf(stderr, "lc: cannot open '%s': %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		fprintf(stderr, "lc: cannot map '%s': %s\n", path,
		    strerror(errno));
		return -1;
	}
	madvise(base, (size_t)st.st_size, MADV_SEQUENTIAL);
	n = plan(base, (size_t)st.st_size, jobs, pt);
	for (i = 1; i < n; i++)
		if (pthread_create(&tid[i], NULL, count_part, &pt[i]) != 0) {
			fprintf(stderr, "lc: cannot start a thread\n");
			exit(1);
		}
	count_part(&pt[0]);
	for (i = 1; i < n; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < n; i++)
		*lines += pt[i].lines;
	munmap(base, (size_t)st.st_size);
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t	 lines, total = 0;
	int		 c, jobs = 1, i, failed = 0;
	char		*e;

	while ((c = getopt(argc, argv, "j:")) != -1) {
		if (c != 'j')
			goto usage;
		jobs = (int)strtol(optarg, &e, 10);
		if (*e || jobs < 1 || jobs > MAX_JOBS)
			goto usage;
	}
	if (optind == argc)
		goto usage;
	for (i = optind; i < argc; i++) {
		failed |= count_file(argv[i], jobs, &lines) == -1;
		total += lines;
	}
	printf("%" PRIu64 "\n", total);
	return failed;
usage:
	fprintf(stderr, "usage: lc [-j N] FILE...\n");
	return 2;
}
