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
#include <ctype.h>
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
#include "mxtally/keytab.h"
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
	struct keytab	 idx;		/* key's 8 bytes -> entry number + 1 */
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

/*
 * The entry of key. An entry given a new key (state_find_old) leaves its
 * old key behind in the index, mapping to an entry with another key now:
 * that one is no match.
 */
static struct state_ent *
state_find(struct state *s, uint64_t key)
{
	struct keytab_ent *ie = keytab_find(&s->idx, (const char *)&key,
	    sizeof(key));

	if (ie == NULL || s->v[ie->val - 1].key != key)
		return NULL;
	return &s->v[ie->val - 1];
}

/* Entry i into the index, under its key. */
static void
state_index(struct state *s, size_t i)
{
	keytab_add(&s->idx, (const char *)&s->v[i].key, sizeof(s->v[i].key),
	    NULL)->val = i + 1;
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
	state_index(s, s->n - 1);
	return e;
}

/*
 * The next space-separated field of *p as an unsigned decimal number
 * (hex when base is 16). No sign, no value past UINT64_MAX: a state
 * file's offset or size is never wrapped. 0, or -1.
 */
static int
state_u64(char **p, int base, uint64_t *v)
{
	char	*end;

	while (**p == ' ')
		(*p)++;
	if (!(base == 16 ? isxdigit((unsigned char)**p) :
	    isdigit((unsigned char)**p)))
		return -1;
	errno = 0;
	*v = strtoull(*p, &end, base);
	if (errno != 0 || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -1;
	*p = end;
	return 0;
}

/*
 * One line of a state file into e: key dev ino size offset final seen
 * path. Every number must fit its field; 0, or -1.
 */
static int
state_parse(char *line, struct state_ent *e)
{
	char		*p = line, *end;
	uint64_t	 final, seen;
	size_t		 n;

	if (state_u64(&p, 16, &e->key) == -1 ||
	    state_u64(&p, 10, &e->dev) == -1 ||
	    state_u64(&p, 10, &e->ino) == -1 ||
	    state_u64(&p, 10, &e->size) == -1 ||
	    state_u64(&p, 10, &e->off) == -1 ||
	    state_u64(&p, 10, &final) == -1 || final > 1)
		return -1;
	while (*p == ' ')
		p++;
	errno = 0;
	seen = (uint64_t)strtoll(p, &end, 10);
	if (errno != 0 || end == p || (*end != ' ' && *end != '\n' &&
	    *end != '\0'))
		return -1;
	e->final = (int)final;
	e->seen = (int64_t)seen;
	p = *end == ' ' ? end + 1 : end;
	n = strcspn(p, "\n");
	e->path = xstrndup(p, n);
	return 0;
}

struct state *
state_load(const char *path)
{
	struct state	*s = xcalloc(1, sizeof(*s));
	struct state_ent e, *ep;
	char		 line[PATH_MAX + 256];
	unsigned	 ln = 1;
	FILE		*f;

	s->now = (int64_t)time(NULL);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return s;	/* the first run */
		log_errno("cannot open '%s'", path);
		free(s);
		return NULL;
	}
	if (fgets(line, sizeof(line), f) == NULL ||
	    strcmp(line, STATE_MAGIC "\n") != 0)
		goto bad;
	while (fgets(line, sizeof(line), f) != NULL) {
		ln++;
		memset(&e, 0, sizeof(e));
		if (strchr(line, '\n') == NULL && !feof(f))
			goto bad;	/* longer than any line we write */
		if (state_parse(line, &e) == -1)
			goto bad;
		ep = state_add(s, e.key);
		free(ep->path);		/* a key twice: the last line wins */
		*ep = e;
	}
	fclose(f);
	return s;
bad:
	log_error("'%s' line %u: not an mxtally state file (or a number out "
	    "of range)", path, ln);
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
	keytab_release(&s->idx);
	free(s);
}

int
state_save(const struct state *s, const char *path)
{
	struct afile	 a;
	size_t		 i;

	if (afile_open(&a, path) == -1)
		return log_error("state file '%s' not saved", path);
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
	if (afile_close(&a, 0) == -1)
		return log_error("state file '%s' not saved", path);
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
	state_index(sf->s, (size_t)(e - sf->s->v));
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
