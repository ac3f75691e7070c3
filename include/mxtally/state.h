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
 * with "'path': what" in err. Free with merge_free.
 */
struct result *merge_reports(char *const *paths, size_t n, size_t top,
    char *err, size_t errlen);
void merge_free(struct result *r);

/*
 * Anonymisation (anon.c). Tokens are "u-" or "ip-" and 12 hex digits of
 * HMAC-SHA256 over the lower-cased value, keyed by a key file.
 */
enum anon_flags {
	ANON_USERS = 1 << 0,
	ANON_IPS = 1 << 1
};

#define ANON_TOKEN_MAX	24

struct anon;

/* Parses "users", "ips" or "users,ips" into flags; -1 when bad. */
int anon_parse_what(const char *s, int *flags);

/*
 * Reads the key from keyfile, creating it (32 random bytes as hex, mode
 * 0600) when it does not exist. NULL with the message in err.
 */
struct anon *anon_new(int flags, const char *keyfile, char *err,
    size_t errlen);
void anon_free(struct anon *a);
int anon_flags(const struct anon *a);

/*
 * Writes the token of s[0..len) for kind (ANON_USERS or ANON_IPS) into
 * buf, NUL-terminated; returns its length. Thread-safe: a is only read.
 */
size_t anon_token(const struct anon *a, int kind, const char *s, size_t len,
    char *buf, size_t buflen);

/*
 * Points ev's user and client (as a's flags say) at their tokens, which
 * are written into buf: ev borrows buf until the next call.
 */
void anon_event(const struct anon *a, struct event *ev,
    char buf[2][ANON_TOKEN_MAX]);

/* Replaces raw examples in r by their masked templates; a may be NULL. */
void anon_result(const struct anon *a, struct result *r);

#endif
