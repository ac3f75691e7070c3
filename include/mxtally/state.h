/*
 * Incremental runs (src/state/state.c): the per-input read positions
 * that let the next run read only what is new, across rotation. The
 * other things that outlive one run have their own modules: merge.h
 * (saved reports into one result), anon.h (keyed pseudonyms) and
 * history.h (the daily database behind `mxtally trend`).
 */
#ifndef MXTALLY_STATE_H
#define MXTALLY_STATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * What was read of each input, found again by the hash of its start up
 * to its first data line after rotation. Single-threaded: the scan's
 * producer calls these.
 */
#define STATE_KEY_MAX	4096	/* bytes of the start hashed, at most */

struct state;
struct state_file;
struct chunk;

/*
 * FNV-1a of p up to the end of its first line that does not start with
 * '#' (header lines such as Exchange's "#Software:" come before it), at
 * most STATE_KEY_MAX bytes; *complete is 0 when p holds no such whole
 * line within that many bytes.
 */
uint64_t state_key(const char *p, size_t len, int *complete);

/*
 * Loads path; a missing file is an empty state. NULL after a message
 * on a bad or unreadable file.
 */
struct state *state_load(const char *path);

/*
 * Writes s to a temp file beside path, fsyncs and renames it over path
 * (afile). 0, or -1 after a message.
 */
int state_save(const struct state *s, const char *path);
void state_free(struct state *s);

/*
 * A cursor over one input path (borrowed until close); NULL when s is
 * NULL or path is not a regular file (stdin, a pipe): read it all.
 */
struct state_file *state_file_open(struct state *s, const char *path,
    int compressed);

/*
 * Given the input's chunks in order, trims c to what was not read
 * before; returns 0 when nothing of c is left (release it unread).
 */
int state_file_chunk(struct state_file *sf, struct chunk *c);

/* Records how far the input was read (whole: to its end, no error) and
 * frees sf; sf may be NULL. */
void state_file_close(struct state_file *sf, int whole);

/* The cursors above as the scan's resume (scan_opts.resume); borrows s. */
struct scan_resume;
void state_resume(struct state *s, struct scan_resume *rs);

#endif
