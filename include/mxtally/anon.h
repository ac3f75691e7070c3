/*
 * --anonymize (src/anon/anon.c): keyed pseudonyms for the users and
 * addresses of reports that leave the mail team, applied to events as
 * the scan reads them and to what a result keeps of raw text.
 */
#ifndef MXTALLY_ANON_H
#define MXTALLY_ANON_H

#include <stddef.h>

#include "mxtally/event.h"
#include "mxtally/report.h"

/*
 * Tokens are "u-" or "ip-" and 12 hex digits of
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

#endif
