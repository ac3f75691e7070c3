/*
 * The state stage: what outlives one run. Merging saved JSON reports
 * from many servers or nights into one result (merge.c), keyed
 * pseudonyms for reports that leave the mail team (anon.c), the
 * per-input read positions of incremental runs (state.c) and the daily
 * history database behind `mxtally trend` (history.c).
 */
#ifndef MXTALLY_STATE_H
#define MXTALLY_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "mxtally/event.h"
#include "mxtally/report.h"
#include "mxtally/trend.h"

/*
 * Reads the JSON reports (schema mxtally/1) at paths[0..n) and combines
 * them into one result, as if one run had read all their inputs: counts
 * add; users, hosts, codes, POP3 replies, hours and templates are joined
 * by key; period is the widest; files and errors are concatenated in
 * argument order. Distinct counts (users, hosts, per-cause users) are
 * exact when every report lists all its users (no --top), otherwise an
 * upper bound; traffic senders and recipients are always summed (an
 * upper bound). top is as for agg_result. Causes the built-in table
 * lacks (from --rules) are added with the report's texts. Returns NULL
 * with "'path': what" said. Free with result_free.
 */
struct result *merge_reports(char *const *paths, size_t n, size_t top);

/*
 * Incremental runs (state.c): what was read of each input, found again
 * by the hash of its start up to its first data line after rotation.
 * Single-threaded: the scan's producer calls these.
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

/*
 * Anonymisation (anon.c). Tokens are "u-" or "ip-" and 12 hex digits of
 * HMAC-SHA256 over the lower-cased value, keyed by a key file.
 */
enum anon_flags {
	ANON_USERS = 1 << 0,
	ANON_IPS = 1 << 1
};

#define ANON_TOKEN_MAX	24
#define ANON_TEXT_MAX	4096	/* a reply text kept, pseudonymised */

/* Where anon_event writes what ev then points at (the reading thread's). */
struct anon_buf {
	char	 tok[4][ANON_TOKEN_MAX];	/* user, client, addr, from */
	char	 text[ANON_TEXT_MAX];	/* the reply text, rewritten */
	char	 darg[ANON_TOKEN_MAX];	/* a detail argument that names */
	char	 peer[2 * ANON_TOKEN_MAX];	/* the joins' user (event.peer) */
};

struct anon;

/* Parses "users", "ips" or "users,ips" into flags; -1 when bad. */
int anon_parse_what(const char *s, int *flags);

/*
 * Reads the key from keyfile, creating it (32 random bytes as hex, mode
 * 0600) when it does not exist. NULL, the error said (naming keyfile).
 */
struct anon *anon_new(int flags, const char *keyfile);
void anon_free(struct anon *a);
int anon_flags(const struct anon *a);

/*
 * Writes the token of s[0..len) for kind (ANON_USERS or ANON_IPS) into
 * buf, NUL-terminated; returns its length. Thread-safe: a is only read.
 */
size_t anon_token(const struct anon *a, int kind, const char *s, size_t len,
    char *buf, size_t buflen);

/*
 * Points ev's user, client, sender and recipient (as a's flags say) at
 * their tokens, and its reply text at a copy in which every mail
 * address and the user's name (users), every IPv4 and IPv6 address and
 * the client's name (ips) is replaced by its token; the copy holds at
 * most ANON_TEXT_MAX - 1 bytes. ev borrows buf until the next call.
 */
void anon_event(const struct anon *a, struct event *ev, struct anon_buf *buf);

/*
 * anon_event as the scan's edit (scan_opts.edit, a scan_edit_fn; a is
 * the struct anon): buf holds SCAN_EDIT_MAX bytes, a struct anon_buf.
 */
void anon_edit(const void *a, struct event *ev, char *buf);

/*
 * Writes text[0..len) into out (at most outlen - 1 bytes and a NUL),
 * pseudonymised as anon_event does its reply text; user and cname are
 * the event's raw user and client name (may be empty). Returns the
 * length written.
 */
size_t anon_text(const struct anon *a, struct slice text, struct slice user,
    struct slice cname, char *out, size_t outlen);

/*
 * --anonymize for a command that scans (alert, watch; flags 0: none):
 * checks keyfile is given, reads or makes the key and sets the edit of
 * o, so every sink of o sees only tokens. Returns the anon for
 * anon_warning and anon_free (NULL when flags is 0), or sets *failed
 * after logging why.
 */
struct scan_opts;
struct anon *anon_setup(int flags, const char *keyfile, struct scan_opts *o,
    int *failed);

/*
 * Replaces raw examples in r by their masked templates and drops the
 * examples of details and remotes; a may be NULL.
 */
void anon_result(const struct anon *a, struct result *r);

/*
 * Cuts the log line quoted in a file's warning (scan_file.warning, size
 * bytes); a may be NULL.
 */
void anon_warning(const struct anon *a, char *warning, size_t size);

/*
 * Daily history (history.c): target is an SQLite file, created when
 * missing if create is set (a run records; trend only reads), never a
 * symbolic link, or a postgresql:// URL. Opening applies the schema
 * migrations the database lacks. NULL, "'target': what" said.
 */
struct history;

struct history *history_open(const char *target, int create);
void history_close(struct history *h);

/* The schema version this build creates (the newest migration). */
int history_schema_version(void);

/*
 * Appends r per day, in one transaction; a run over the same inputs
 * (same first-line keys, same first timestamp) replaces its earlier
 * rows instead of adding to them. A result without timestamps records
 * nothing. Borrows r; opens r's input files again to key them.
 */
int history_record(struct history *h, const struct result *r);

/*
 * Runs sql (a static string; parameters $1..$n as text) and calls fn per
 * row with the columns as strings (NULL for SQL NULL); fn returns -1 to
 * stop, having said why. -1, the database's message said ("'DB': what").
 */
typedef int history_row_fn(void *arg, int ncol, const char *const *col);
int history_query(struct history *h, const char *sql, int n,
    const char *const *params, history_row_fn *fn, void *arg);
const char *history_name(const struct history *h);

/*
 * The trend over a history (trend.c). trend_load reads the window of
 * t->days days ending at the newest recorded day from h and fills t
 * (struct trend, trend.h); nothing recorded yet leaves t->nd 0. -1 with
 * the database's message said ("'DB': what"). trend_release frees what it made and
 * t->causes.
 */
int trend_load(struct history *h, struct trend *t);
void trend_release(struct trend *t);

/*
 * Least-squares line y = icpt + slope * x through n points: -1 when
 * there are fewer than two distinct x. trend_days_to: whole days after
 * xlast until that line reaches threshold: 0 when it is there already
 * at xlast, -1 when it never does (slope <= 0).
 */
int trend_fit(const double *x, const double *y, size_t n, double *slope,
    double *icpt);
long trend_days_to(double slope, double icpt, double xlast,
    double threshold);

/*
 * The free space of f projected to 0 bytes, from x (days since the
 * window's first, the recorded days with a figure, ascending, n of
 * them) and y (their last figures): with 2 days or more the line
 * through them, with one the fall from f->first at f->first_at to that
 * day's last at f->last_at (seconds). Sets f->fit, slope (bytes a
 * day), now (bytes free at xend, the newest recorded day, >= 0) and
 * hours (to 0 bytes from now); returns the days to 0 bytes after xend
 * (ceil of hours / 24; 0 when at 0 already), -1 when the space is not
 * falling or no fall is known.
 */
long trend_free_project(struct trend_free *f, const double *x,
    const double *y, size_t n, double xend);

#endif
