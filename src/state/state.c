/*
 * --state FILE: incremental runs. For every input it read, the state file
 * remembers the device, inode, size, how far it was read (offset in the
 * decompressed content, always just after a newline), whether the file
 * can still grow, and a key: FNV-1a over the file's start up to the end
 * of its first data line, a line not starting with '#' (at most
 * STATE_KEY_MAX bytes). Header lines alone do not tell files apart:
 * every Exchange or IIS log starts with the same "#Software:" and
 * "#Fields:" lines, and a key over the first line took a new log for an
 * old one and resumed it at the old one's offset. An input is recognised
 * by its key, whatever its name, so after rotation (maillog -> maillog.1
 * -> maillog.2.gz) the next run resumes each file where the last one
 * stopped. Two different files that start with the same lines up to and
 * including their first data line are still taken for one another.
 *
 *  - a key never seen: read from the start;
 *  - a known key: resume at the recorded offset (chunks before it are
 *    released unread, the one that straddles it is cut there); a plain
 *    file now shorter than the offset was truncated in place
 *    (copytruncate) and is read from the start;
 *  - a compressed file whose key was read to its end is skipped: it
 *    cannot have grown.
 *
 * A trailing line without its newline in a plain file is still being
 * written: it is left for the next run. Files read without a complete
 * first data line (empty, headers or a partial line only) are not
 * recorded. Entries of state files written when the key covered the
 * first line only are still found for the same device and inode.
 *
 * The file is text, one input per line, written to a temp file beside it
 * and renamed over it, so a crash leaves the old state or the new one.
 * Entries not seen for STATE_KEEP days are dropped.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mxtally/afile.h"
#include "mxtally/hash.h"
#include "mxtally/input.h"
#include "mxtally/log.h"
#include "mxtally/scan.h"
#include "mxtally/state.h"

#define STATE_MAGIC	"mxtally-state 1"
#define STATE_KEEP	(90 * 86400)

struct state_ent {
	uint64_t	 key;
	uint64_t	 dev, ino, size;
	uint64_t	 off;		/* read up to here */
	int		 final;		/* compressed: cannot grow */
	int64_t		 seen;		/* last run that saw it */
	char		*path;		/* as last given, for people */
};

struct state {
	struct state_ent *v;
	size_t		 n, cap;
	int64_t		 now;
};

struct state_file {
	struct state	*s;
	const char	*path;
	struct stat	 sb;
	int		 plain;
	int		 started;	/* first chunk seen */
	int		 complete;	/* key covers a whole first data line */
	uint64_t	 key;
	uint64_t	 start;		/* resume offset */
	uint64_t	 end;		/* end of what was handed on */
};

/*
 * FNV-1a over p up to the end of the first line that is not a '#'
 * header (headers = 1), or of the first line (headers = 0, the rule of
 * state files written before: see state_file_first), at most
 * STATE_KEY_MAX bytes.
 */
static uint64_t
key_hash(const char *p, size_t len, int headers, int *complete)
{
	const char	*nl;
	size_t		 n = len < STATE_KEY_MAX ? len : STATE_KEY_MAX, at = 0;

	*complete = n == STATE_KEY_MAX;
	while (at < n && (nl = memchr(p + at, '\n', n - at)) != NULL) {
		if (!headers || p[at] != '#') {
			n = (size_t)(nl - p) + 1;
			*complete = 1;
			break;
		}
		at = (size_t)(nl - p) + 1;
	}
	return hash_fnv(HASH_FNV_INIT, p, n);
}

uint64_t
state_key(const char *p, size_t len, int *complete)
{
	return key_hash(p, len, 1, complete);
}

static struct state_ent *
state_find(struct state *s, uint64_t key)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].key == key)
			return &s->v[i];
	return NULL;
}

static struct state_ent *
state_add(struct state *s, uint64_t key)
{
	struct state_ent *e = state_find(s, key);

	if (e != NULL)
		return e;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	return e;
}

struct state *
state_load(const char *path, char *err, size_t errlen)
{
	struct state	*s = xcalloc(1, sizeof(*s));
	struct state_ent e;
	char		 line[PATH_MAX + 256], p[PATH_MAX + 1];
	unsigned	 ln = 1;
	FILE		*f;

	s->now = (int64_t)time(NULL);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return s;	/* the first run */
		snprintf(err, errlen, "cannot open '%s': %s", path,
		    strerror(errno));
		free(s);
		return NULL;
	}
	if (fgets(line, sizeof(line), f) == NULL ||
	    strcmp(line, STATE_MAGIC "\n") != 0)
		goto bad;
	while (fgets(line, sizeof(line), f) != NULL) {
		ln++;
		memset(&e, 0, sizeof(e));
		p[0] = '\0';
		if (sscanf(line, "%16" SCNx64 " %" SCNu64 " %" SCNu64 " %"
		    SCNu64 " %" SCNu64 " %d %" SCNd64 " %4096[^\n]", &e.key,
		    &e.dev, &e.ino, &e.size, &e.off, &e.final, &e.seen,
		    p) < 7)
			goto bad;
		e.path = xstrdup(p);
		*state_add(s, e.key) = e;
	}
	fclose(f);
	return s;
bad:
	snprintf(err, errlen, "'%s' line %u: not an mxtally state file", path,
	    ln);
	fclose(f);
	state_free(s);
	return NULL;
}

void
state_free(struct state *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	free(s);
}

int
state_save(const struct state *s, const char *path, char *err,
    size_t errlen)
{
	struct afile	 a;
	size_t		 i;

	if (afile_open(&a, path) == -1) {
		snprintf(err, errlen, "state file '%s' not saved", path);
		return -1;
	}
	fprintf(a.f, "%s\n", STATE_MAGIC);
	for (i = 0; i < s->n; i++) {
		const struct state_ent *e = &s->v[i];
		if (e->seen + STATE_KEEP < s->now)
			continue;
		fprintf(a.f, "%016" PRIx64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		    " %" PRIu64 " %d %" PRId64 " %s\n", e->key, e->dev, e->ino,
		    e->size, e->off, e->final, e->seen,
		    e->path != NULL ? e->path : "");
	}
	if (afile_close(&a, 0) == -1) {
		snprintf(err, errlen, "state file '%s' not saved", path);
		return -1;
	}
	return 0;
}

struct state_file *
state_file_open(struct state *s, const char *path, int compressed)
{
	struct state_file *sf;

	if (s == NULL || strcmp(path, "-") == 0)
		return NULL;
	sf = xcalloc(1, sizeof(*sf));
	if (stat(path, &sf->sb) != 0 || !S_ISREG(sf->sb.st_mode)) {
		free(sf);
		return NULL;		/* a pipe or device: read as it comes */
	}
	sf->s = s;
	sf->path = path;
	sf->plain = !compressed;
	return sf;
}

/*
 * An entry of a state file written when the key covered the first line
 * only: taken for this file only if it is the same inode, and given the
 * new key.
 */
static struct state_ent *
state_find_old(struct state_file *sf, const struct chunk *c)
{
	struct state_ent *e;
	uint64_t	 key;
	int		 complete;

	key = key_hash(c->beg, (size_t)(c->end - c->beg), 0, &complete);
	if (!complete || key == sf->key || (e = state_find(sf->s, key)) == NULL ||
	    e->dev != (uint64_t)sf->sb.st_dev || e->ino != (uint64_t)sf->sb.st_ino)
		return NULL;
	e->key = sf->key;
	return e;
}

/* On the first chunk: find the key and where to start. */
static void
state_file_first(struct state_file *sf, const struct chunk *c)
{
	struct state_ent *e;

	sf->started = 1;
	sf->key = state_key(c->beg, (size_t)(c->end - c->beg), &sf->complete);
	if (!sf->complete)
		return;
	if ((e = state_find(sf->s, sf->key)) == NULL &&
	    (e = state_find_old(sf, c)) == NULL)
		return;
	if (sf->plain && (uint64_t)sf->sb.st_size < e->off)
		return;			/* truncated in place: start over */
	sf->start = e->off;
	if (!sf->plain && e->final)
		sf->start = UINT64_MAX;	/* read whole before: skip */
}

int
state_file_chunk(struct state_file *sf, struct chunk *c)
{
	uint64_t	 cut;
	const char	*nl;

	if (!sf->started)
		state_file_first(sf, c);
	if (sf->start == UINT64_MAX ||
	    c->off + (uint64_t)(c->end - c->beg) <= sf->start)
		return 0;
	if (c->off < sf->start) {
		cut = sf->start - c->off;
		c->beg += cut;
		c->off += cut;
	}
	if (sf->plain && c->end > c->beg && c->end[-1] != '\n') {
		/* the writer is mid-line: leave it for the next run */
		nl = memrchr(c->beg, '\n', (size_t)(c->end - c->beg));
		c->end = nl != NULL ? nl + 1 : c->beg;
		if (c->end == c->beg) {
			sf->end = c->off;
			return 0;
		}
	}
	sf->end = c->off + (uint64_t)(c->end - c->beg);
	return 1;
}

void
state_file_close(struct state_file *sf, int whole)
{
	struct state_ent *e;
	uint64_t	 off;

	if (sf == NULL)
		return;
	if (sf->started && sf->complete) {
		e = state_add(sf->s, sf->key);
		off = sf->start == UINT64_MAX ? e->off :
		    sf->end > sf->start ? sf->end : sf->start;
		e->off = off;
		e->final = !sf->plain && (whole || e->final);
		e->dev = (uint64_t)sf->sb.st_dev;
		e->ino = (uint64_t)sf->sb.st_ino;
		e->size = (uint64_t)sf->sb.st_size;
		e->seen = sf->s->now;
		free(e->path);
		e->path = xstrdup(sf->path);
	}
	free(sf);
}

static void *
resume_open(void *arg, const char *path, int compressed)
{
	return state_file_open(arg, path, compressed);
}

static int
resume_chunk(void *cursor, struct chunk *c)
{
	return state_file_chunk(cursor, c);
}

static void
resume_close(void *cursor, int whole)
{
	state_file_close(cursor, whole);
}

void
state_resume(struct state *s, struct scan_resume *rs)
{
	*rs = (struct scan_resume){ resume_open, resume_chunk, resume_close,
	    s };
}
