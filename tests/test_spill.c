/*
 * Unit tests of spill.c, the one spill-and-merge engine: runs of any
 * size merged back complete and in order, nothing or one run, many runs
 * merged a level at a time, equal records combined or kept in run order,
 * no file left in $TMPDIR, and a run that cannot be created or written
 * reported (naming the directory) with nothing lost.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mxtally/spill.h"

struct trec {
	uint64_t	 key;
	uint64_t	 val;		/* summed when combining */
	uint64_t	 tag;		/* where the record came from */
};

static int
trec_cmp(const void *a, const void *b)
{
	const struct trec *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static int
trec_put(FILE *f, const void *rec)
{
	fwrite(rec, sizeof(struct trec), 1, f);
	return ferror(f) ? -1 : 0;
}

static int
trec_get(FILE *f, void *buf)
{
	return fread(buf, sizeof(struct trec), 1, f) == 1 ? 0 : -1;
}

static void
trec_copy(void *buf, const void *rec)
{
	memcpy(buf, rec, sizeof(struct trec));
}

static void
trec_add(void *buf, const void *rec)
{
	((struct trec *)buf)->val += ((const struct trec *)rec)->val;
}

static atomic_int	 warned;

static const struct spill_ops keep_ops = {
	sizeof(struct trec), trec_cmp, trec_put, trec_get, NULL, NULL,
	"records stay in memory", &warned
};

static const struct spill_ops sum_ops = {
	sizeof(struct trec), trec_cmp, trec_put, trec_get, trec_copy,
	trec_add, "records stay in memory", &warned
};

static const void *
trec_at(void *arg, size_t i)
{
	return &((const struct trec *)arg)[i];
}

struct got {
	struct trec	*v;
	size_t		 n, cap, stop;	/* stop: emit returns -1 at this n */
};

static int
collect(void *ctx, const void *rec)
{
	struct got	*g = ctx;

	if (g->stop != 0 && g->n == g->stop)
		return -1;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->v = realloc(g->v, g->cap * sizeof(*g->v));
		cr_assert_not_null(g->v);
	}
	g->v[g->n++] = *(const struct trec *)rec;
	return 0;
}

/* A private $TMPDIR, removed by the test's process at exit. */
static char	 tmpdir[64];

static void
tmp_rm(void)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static void
tmp_init(void)
{
	strcpy(tmpdir, "/tmp/mxt-spill.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	setenv("TMPDIR", tmpdir, 1);
	atexit(tmp_rm);
}

static size_t
dir_entries(const char *path)
{
	DIR		*d = opendir(path);
	struct dirent	*e;
	size_t		 n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* A run of n records with keys seed, seed + step, ... (sorted). */
static int
write_run(struct spill *s, size_t n, uint64_t seed, uint64_t step,
    uint64_t tag)
{
	struct trec	*v = calloc(n + 1, sizeof(*v));
	size_t		 i;
	int		 rc;

	cr_assert_not_null(v);
	for (i = 0; i < n; i++)
		v[i] = (struct trec){ seed + i * step, 1, tag };
	rc = spill_write(s, trec_at, v, n);
	free(v);
	return rc;
}

/* One assertion a check, not one a record (they are many). */
static void
assert_sorted(const struct got *g)
{
	size_t	 i;

	for (i = 1; i < g->n && g->v[i - 1].key <= g->v[i].key; i++)
		;
	cr_assert_geq(i, g->n, "out of order at %zu", i);
}

Test(spill, empty, .init = tmp_init, .timeout = 60)
{
	struct spill	 s;
	struct got	 g = { 0 };

	spill_init(&s, &sum_ops);
	cr_assert_eq(spill_merge(&s, trec_at, NULL, 0, collect, &g), 0);
	cr_assert_eq(g.n, 0, "nothing in, nothing out");
	cr_assert_eq(write_run(&s, 0, 0, 1, 0), 0, "an empty run is a run");
	cr_assert_eq(spill_merge(&s, trec_at, NULL, 0, collect, &g), 0);
	cr_assert_eq(g.n, 0);
	spill_release(&s);
}

Test(spill, one_run_and_memory, .init = tmp_init, .timeout = 60)
{
	struct spill	 s;
	struct got	 g = { 0 };
	struct trec	 mem[] = { { 1, 10, 9 }, { 4, 10, 9 }, { 100, 10, 9 } };
	size_t		 i;

	spill_init(&s, &keep_ops);
	cr_assert_eq(write_run(&s, 50, 0, 2, 0), 0);	/* keys 0, 2, .. 98 */
	cr_assert_eq(s.nruns, 1);
	cr_assert_eq(spill_merge(&s, trec_at, mem, 3, collect, &g), 0);
	cr_assert_eq(g.n, 53);
	assert_sorted(&g);
	/* 4 is in the run and in memory: the run's comes first */
	for (i = 0; i < g.n && g.v[i].key != 4; i++)
		;
	cr_assert_eq(g.v[i].tag, 0);
	cr_assert_eq(g.v[i + 1].key, 4);
	cr_assert_eq(g.v[i + 1].tag, 9);
	cr_assert_eq(g.v[g.n - 1].key, 100);
	free(g.v);
	/* a merge reads the runs from their start again */
	memset(&g, 0, sizeof(g));
	cr_assert_eq(spill_merge(&s, trec_at, NULL, 0, collect, &g), 0);
	cr_assert_eq(g.n, 50);
	free(g.v);
	spill_release(&s);
}

/*
 * 300 runs of 1 to 300 records: merged in levels (never more than
 * SPILL_FANIN runs a level open), every record back, in order, with the
 * equal keys of different runs in run order.
 */
Test(spill, many_runs_of_any_size, .init = tmp_init, .timeout = 60)
{
	struct spill	 s;
	struct got	 g = { 0 };
	size_t		 r, i, total = 0, nlevel[8] = { 0 };

	spill_init(&s, &keep_ops);
	for (r = 0; r < 300; r++) {
		cr_assert_eq(write_run(&s, r + 1, r % 7, 3, r), 0);
		total += r + 1;
	}
	for (i = 0; i < s.nruns; i++) {
		cr_assert_lt(s.runs[i].level, 8);
		nlevel[s.runs[i].level]++;
	}
	for (i = 0; i < 8; i++)
		cr_assert_lt(nlevel[i], SPILL_FANIN, "level %zu: %zu runs", i,
		    nlevel[i]);
	cr_assert_lt(s.nruns, 300, "runs were merged");
	cr_assert_eq(spill_merge(&s, trec_at, NULL, 0, collect, &g), 0);
	cr_assert_eq(g.n, total);
	assert_sorted(&g);
	for (i = 1; i < g.n; i++)
		if (g.v[i - 1].key == g.v[i].key &&
		    g.v[i - 1].tag >= g.v[i].tag)
			break;
	cr_assert_eq(i, g.n, "equal keys not in run order at %zu", i);
	free(g.v);
	spill_release(&s);
	cr_assert_eq(dir_entries(tmpdir), 0, "no file left in TMPDIR");
}

/* With add, equal keys of every run and of memory come out as one. */
Test(spill, equal_keys_combined, .init = tmp_init, .timeout = 60)
{
	struct spill	 s;
	struct got	 g = { 0 };
	struct trec	 mem[] = { { 0, 5, 0 }, { 7, 5, 0 } };
	size_t		 r, i;

	spill_init(&s, &sum_ops);
	for (r = 0; r < 40; r++)	/* keys 0..9, each once a run */
		cr_assert_eq(write_run(&s, 10, 0, 1, r), 0);
	cr_assert_eq(spill_merge(&s, trec_at, mem, 2, collect, &g), 0);
	cr_assert_eq(g.n, 10, "one record a key");
	for (i = 0; i < 10; i++) {
		cr_assert_eq(g.v[i].key, i);
		cr_assert_eq(g.v[i].val, i == 0 || i == 7 ? 45 : 40,
		    "key %zu: %llu", i, (unsigned long long)g.v[i].val);
	}
	free(g.v);
	spill_release(&s);
}

/* Two spill sets merged into one give what one set would have. */
Test(spill, take_moves_runs, .init = tmp_init, .timeout = 60)
{
	struct spill	 a, b;
	struct got	 g = { 0 };

	spill_init(&a, &sum_ops);
	spill_init(&b, &sum_ops);
	cr_assert_eq(write_run(&a, 10, 0, 1, 0), 0);
	cr_assert_eq(write_run(&b, 10, 5, 1, 1), 0);
	spill_take(&a, &b);
	cr_assert_eq(b.nruns, 0);
	cr_assert_eq(a.nruns, 2);
	cr_assert_eq(spill_merge(&a, trec_at, NULL, 0, collect, &g), 0);
	cr_assert_eq(g.n, 15, "keys 0..14");
	cr_assert_eq(g.v[7].val, 2, "5..9 in both");
	cr_assert_eq(g.v[14].val, 1);
	free(g.v);
	spill_release(&a);
	spill_release(&b);
}

Test(spill, emit_stops_the_merge, .init = tmp_init, .timeout = 60)
{
	struct spill	 s;
	struct got	 g = { .stop = 3 };

	spill_init(&s, &keep_ops);
	cr_assert_eq(write_run(&s, 10, 0, 1, 0), 0);
	cr_assert_eq(spill_merge(&s, trec_at, NULL, 0, collect, &g), -1);
	cr_assert_eq(g.n, 3);
	free(g.v);
	spill_release(&s);
}

static char *
err_text(void)
{
	static char	 buf[4096];
	size_t		 n;

	fflush(stderr);
	n = fread(buf, 1, sizeof(buf) - 1, cr_get_redirected_stderr());
	buf[n] = '\0';
	return buf;
}

/* No directory to spill to: -1, failed, one warning naming it. */
Test(spill, create_error_reported, .init = cr_redirect_stderr,
    .timeout = 60)
{
	struct spill	 s;
	char		*err;

	setenv("TMPDIR", "/nonexistent/mxt-spill", 1);
	spill_init(&s, &keep_ops);
	cr_assert_eq(write_run(&s, 10, 0, 1, 0), -1);
	cr_assert(s.failed);
	cr_assert_eq(s.nruns, 0);
	cr_assert_eq(write_run(&s, 10, 0, 1, 0), -1, "stays failed");
	err = err_text();
	cr_assert(strstr(err, "cannot create a spill file in "
	    "'/nonexistent/mxt-spill': No such file or directory; records "
	    "stay in memory\n") != NULL, "%s", err);
	cr_assert_null(strstr(strstr(err, "cannot create") + 1,
	    "cannot create"), "warned once: %s", err);
	spill_release(&s);
}

/* A file size limit stops a run midway: -1, the reason, no file left. */
Test(spill, write_error_reported, .init = cr_redirect_stderr,
    .timeout = 60)
{
	struct spill	 s;
	struct rlimit	 rl = { 1 << 16, 1 << 16 };
	char		*err;

	tmp_init();
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	spill_init(&s, &keep_ops);
	cr_assert_eq(write_run(&s, 100000, 0, 1, 0), -1);	/* 2.4 MB */
	cr_assert(s.failed);
	cr_assert_eq(s.nruns, 0);
	err = err_text();
	cr_assert(strstr(err, "cannot write a spill file in '") != NULL &&
	    strstr(err, tmpdir) != NULL && strstr(err, "File too large") !=
	    NULL, "%s", err);
	cr_assert_eq(dir_entries(tmpdir), 0, "no file left in TMPDIR");
	spill_release(&s);
}

/*
 * Runs that fit under the limit but whose merge does not: the merge
 * fails, the runs stay as they were, and every record still comes back.
 */
Test(spill, failed_level_merge_loses_nothing, .init = cr_redirect_stderr,
    .timeout = 60)
{
	struct spill	 s;
	struct rlimit	 rl = { 40000, 40000 };
	struct got	 g = { 0 };
	size_t		 r;
	char		*err;

	tmp_init();
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	spill_init(&s, &keep_ops);
	for (r = 0; r < SPILL_FANIN; r++)	/* 24 kB a run */
		cr_assert_eq(write_run(&s, 1000, r, SPILL_FANIN, r), 0);
	cr_assert(s.failed, "the level merge could not be written");
	cr_assert_eq(s.nruns, SPILL_FANIN, "the runs stay");
	cr_assert_eq(spill_merge(&s, trec_at, NULL, 0, collect, &g), 0);
	cr_assert_eq(g.n, SPILL_FANIN * 1000);
	for (r = 0; r < g.n && g.v[r].key == r; r++)
		;
	cr_assert_eq(r, g.n, "every key once, in order: not at %zu", r);
	err = err_text();
	cr_assert(strstr(err, "cannot write a spill file in '") != NULL,
	    "%s", err);
	free(g.v);
	spill_release(&s);
}
