/*
 * The spill engine (spill.h): runs in unlinked temporary files, merged a
 * level at a time, and the k-way merge that reads them back through a
 * heap of sources ordered by (record, source index).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mxtally/log.h"
#include "mxtally/spill.h"

struct src {				/* one sorted source being read */
	struct spill_run *run;		/* a run, or NULL: the memory source */
	uint64_t	 left;		/* records not read yet */
	size_t		 idx;		/* the tie-break: runs first, in order */
	size_t		 mi;		/* the memory source's next index */
	const void	*cur;		/* the record now: buf or memory */
	void		*buf;		/* a run's record, ops->size bytes */
};

struct merge {
	const struct spill_ops *ops;
	spill_at_fn	*at;
	void		*arg;
};

const char *
spill_dir(void)
{
	const char	*d = getenv("TMPDIR");

	return d != NULL && *d != '\0' ? d : "/tmp";
}

/* Says once a process (per ops) why spilling stopped; keeps errno. */
static void
spill_warn(const struct spill_ops *ops, const char *what)
{
	int	 e = errno;

	if (atomic_exchange(ops->warned, 1) == 0)
		log_warn("cannot %s a spill file in '%s': %s; %s", what,
		    spill_dir(), e != 0 ? strerror(e) : "i/o error",
		    ops->consequence);
	errno = e;
}

/* A new run file: unlinked from the start (O_TMPFILE) or at once. */
static FILE *
spill_file(void)
{
	const char	*dir = spill_dir();
	char		 path[4096];
	int		 fd, e;
	FILE		*f;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd == -1) {
		snprintf(path, sizeof(path), "%s/mxtally-spill.XXXXXX", dir);
		if ((fd = mkostemp(path, O_CLOEXEC)) != -1)
			unlink(path);
	}
	if (fd == -1)
		return NULL;
	if ((f = fdopen(fd, "w+")) == NULL) {
		e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	return f;
}

/* Ends writing f and rewinds it for reading; -1 on a write error. */
static int
run_seal(FILE *f)
{
	if (fflush(f) != 0 || ferror(f))
		return -1;
	rewind(f);
	return 0;
}

void
spill_init(struct spill *s, const struct spill_ops *ops)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
}

static void
runs_close(struct spill_run *runs, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		fclose(runs[i].f);
}

void
spill_release(struct spill *s)
{
	runs_close(s->runs, s->nruns);
	free(s->runs);
	s->runs = NULL;
	s->nruns = s->runcap = 0;
}

static void
runs_push(struct spill *s, FILE *f, uint64_t nrec, unsigned level)
{
	if (s->nruns == s->runcap) {
		s->runcap = s->runcap ? s->runcap * 2 : 8;
		s->runs = xrealloc(s->runs, s->runcap * sizeof(*s->runs));
	}
	s->runs[s->nruns++] = (struct spill_run){ f, nrec, level };
}

/* Our own file, written whole: a failure here is an i/o error or a bug. */
static void
src_next(struct src *d, const struct merge *m)
{
	FILE	*f;

	d->left--;
	if (d->run == NULL) {
		d->cur = m->at(m->arg, d->mi++);
		return;
	}
	f = d->run->f;
	if (m->ops->get(f, d->buf) == -1)
		log_die("cannot read back a spill file in '%s': %s",
		    spill_dir(), ferror(f) ? strerror(errno) : "short record");
	d->cur = d->buf;
}

static int
src_less(const struct src *a, const struct src *b, const struct merge *m)
{
	int	 c = m->ops->cmp(a->cur, b->cur);

	return c != 0 ? c < 0 : a->idx < b->idx;
}

static void
sift_down(struct src **h, size_t len, size_t i, const struct merge *m)
{
	size_t		 c;
	struct src	*tmp;

	for (; (c = 2 * i + 1) < len; i = c) {
		if (c + 1 < len && src_less(h[c + 1], h[c], m))
			c++;
		if (!src_less(h[c], h[i], m))
			break;
		tmp = h[i];
		h[i] = h[c];
		h[c] = tmp;
	}
}

/* The heap of runs[0..n) and the memory source; *len sources in it. */
static struct src *
srcs_open(struct spill_run *runs, size_t n, const struct merge *m,
    size_t nmem, struct src ***heap, size_t *len)
{
	struct src	*d = xcalloc(n + 1, sizeof(*d));
	size_t		 i;

	*heap = xmalloc((n + 1) * sizeof(**heap));
	*len = 0;
	for (i = 0; i <= n; i++) {
		d[i].idx = i;
		if (i < n) {
			rewind(runs[i].f);
			d[i].run = &runs[i];
			d[i].left = runs[i].nrec;
			d[i].buf = xmalloc(m->ops->size);
		} else
			d[i].left = nmem;
		if (d[i].left > 0) {
			src_next(&d[i], m);
			(*heap)[(*len)++] = &d[i];
		}
	}
	for (i = *len / 2; i-- > 0;)
		sift_down(*heap, *len, i, m);
	return d;
}

/* The merge of runs[0..n) and the memory source into emit. */
static int
runs_merge(struct spill_run *runs, size_t n, const struct merge *m,
    size_t nmem, spill_emit_fn *emit, void *ctx)
{
	const struct spill_ops	*ops = m->ops;
	struct src		*d, **heap;
	void			*acc = NULL;
	size_t			 i, len;
	int			 have = 0, rc = 0;

	d = srcs_open(runs, n, m, nmem, &heap, &len);
	if (ops->add != NULL)
		acc = xmalloc(ops->size);
	while (len > 0 && rc == 0) {
		if (acc == NULL)
			rc = emit(ctx, heap[0]->cur);
		else if (have && ops->cmp(acc, heap[0]->cur) == 0)
			ops->add(acc, heap[0]->cur);
		else {
			if (have)
				rc = emit(ctx, acc);
			ops->copy(acc, heap[0]->cur);
			have = 1;
		}
		if (heap[0]->left > 0)
			src_next(heap[0], m);
		else
			heap[0] = heap[--len];
		sift_down(heap, len, 0, m);
	}
	if (have && rc == 0)
		rc = emit(ctx, acc);
	free(acc);
	for (i = 0; i <= n; i++)
		free(d[i].buf);
	free(heap);
	free(d);
	return rc;
}

int
spill_merge(struct spill *s, spill_at_fn *at, void *arg, size_t n,
    spill_emit_fn *emit, void *ctx)
{
	struct merge	 m = { s->ops, at, arg };

	return runs_merge(s->runs, s->nruns, &m, n, emit, ctx);
}

struct run_out {
	const struct spill_ops *ops;
	FILE		*f;
	uint64_t	 nrec;
};

static int
emit_run(void *ctx, const void *rec)
{
	struct run_out	*o = ctx;

	o->nrec++;
	return o->ops->put(o->f, rec);
}

/*
 * Merges the last SPILL_FANIN runs while they share a level. On an error
 * they stay as they are (and s stops spilling): still correct.
 */
static void
runs_compact(struct spill *s)
{
	struct merge	 m = { s->ops, NULL, NULL };
	struct run_out	 o = { s->ops, NULL, 0 };
	unsigned	 level;
	size_t		 i, first;

	while (s->nruns >= SPILL_FANIN && !s->failed) {
		first = s->nruns - SPILL_FANIN;
		level = s->runs[first].level;
		for (i = first + 1; i < s->nruns; i++)
			if (s->runs[i].level != level)
				return;
		if ((o.f = spill_file()) == NULL) {
			spill_warn(s->ops, "create");
			s->failed = 1;
			return;
		}
		o.nrec = 0;
		if (runs_merge(s->runs + first, SPILL_FANIN, &m, 0, emit_run,
		    &o) != 0 || run_seal(o.f) != 0) {
			spill_warn(s->ops, "write");
			fclose(o.f);
			s->failed = 1;
			return;
		}
		runs_close(s->runs + first, SPILL_FANIN);
		s->nruns = first;
		runs_push(s, o.f, o.nrec, level + 1);
	}
}

int
spill_write(struct spill *s, spill_at_fn *at, void *arg, size_t n)
{
	FILE	*f;
	size_t	 i;
	int	 rc = 0;

	if (s->failed)
		return -1;
	if ((f = spill_file()) == NULL) {
		spill_warn(s->ops, "create");
		s->failed = 1;
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = s->ops->put(f, at(arg, i));
	if (rc != 0 || run_seal(f) != 0) {
		spill_warn(s->ops, "write");
		fclose(f);
		s->failed = 1;
		return -1;
	}
	runs_push(s, f, n, 0);
	runs_compact(s);
	return 0;
}

void
spill_take(struct spill *into, struct spill *from)
{
	size_t	 i;

	for (i = 0; i < from->nruns; i++) {
		runs_push(into, from->runs[i].f, from->runs[i].nrec,
		    from->runs[i].level);
		runs_compact(into);
	}
	into->failed |= from->failed;
	from->nruns = 0;
}
