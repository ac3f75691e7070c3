/*
 * The domain model: cause ids and groups (../shared/spec/causes.md), the
 * meaning of SMTP basic and RFC 3463 enhanced codes, and the POP3/IMAP
 * response codes. The code tables are static and read-only; the cause
 * registry is built whole per rule set and never changed once published
 * (cause.c), so any thread may read it without a lock.
 */
#ifndef MXTALLY_CAUSE_H
#define MXTALLY_CAUSE_H

#include <stddef.h>

enum cause {
	CAUSE_LOCK_CONTENTION,
	CAUSE_AUTH_FAILURE,
	CAUSE_UNKNOWN_MAILBOX,
	CAUSE_QUOTA_EXCEEDED,
	CAUSE_SYSTEM_STORAGE,
	CAUSE_DELETED_NOT_REMOVED,
	CAUSE_NO_SUCH_MESSAGE,
	CAUSE_MESSAGE_TOO_LARGE,
	CAUSE_POLICY_REJECTION,
	CAUSE_RATE_LIMITED,
	CAUSE_SERVICE_UNAVAILABLE,
	CAUSE_SERVER_ERROR,
	CAUSE_PROTOCOL_ERROR,
	CAUSE_INVALID_ADDRESS,
	CAUSE_NOT_LOCAL,
	CAUSE_DNS_FAILURE,
	CAUSE_ACCOUNT_DISABLED,
	CAUSE_EXPIRED,
	CAUSE_TRANSACTION_FAILED,
	CAUSE_UNCLASSIFIED,
	CAUSE_BUILTIN_COUNT
};

#define CAUSE_MAX	64	/* built-in plus user-defined */
#define CAUSE_NONE	(-1)

struct cause_info {
	const char	*id;		/* stable public id, e.g. "quota_exceeded" */
	const char	*group;		/* "lock", "auth", "storage" or "" */
	const char	*meaning;	/* one sentence, plain words */
	const char	*advice;	/* the first step to take */
};

/*
 * A cause registry: the causes of one rule set, numbered; immutable once
 * published. Numbers stay the same for the whole run: a rule set that
 * drops a cause retires it (cause_reg_find no longer finds it, its
 * number still names it), so counters kept by number stay right.
 */
struct cause_reg;

/*
 * The registry in use: the built-in causes until a rule set publishes
 * its own. A reader that looks at several causes takes it once. It and
 * its strings stay valid until exit. Never NULL.
 */
const struct cause_reg *cause_current(void);

int cause_reg_count(const struct cause_reg *r);

/* The info of a cause; BUG() on an out-of-range number. */
const struct cause_info *cause_reg_get(const struct cause_reg *r, int cause);

/* The cause with that id (not retired), or CAUSE_NONE. Borrows id. */
int cause_reg_find(const struct cause_reg *r, const char *id, size_t len);

/*
 * Drafts, private to the thread building them. cause_reg_new starts a
 * new rule set: the built-in causes with their own texts, the current
 * registry's other causes retired under their numbers. cause_reg_copy
 * is from as it is, to add to.
 */
struct cause_reg *cause_reg_new(void);
struct cause_reg *cause_reg_copy(const struct cause_reg *from);

/*
 * Adds a cause to draft r, or for an id r has (a retired one too: it is
 * back) replaces the texts not passed as NULL; a new cause takes "" for
 * those. Copies the strings. Returns the cause number, or -1 with errno
 * ENOSPC at CAUSE_MAX causes, EINVAL for an empty or NULL id.
 */
int cause_reg_add(struct cause_reg *r, const char *id, const char *group,
    const char *meaning, const char *advice);

/* Makes draft r the registry in use; takes r (never changed again). */
void cause_reg_publish(struct cause_reg *r);

/* Makes the published registry r the one in use again (a failed load). */
void cause_reg_restore(const struct cause_reg *r);

/* Frees a draft never published; NULL and published ones are kept. */
void cause_reg_free(struct cause_reg *r);

/* The same on cause_current(): number of causes, info, lookup by id. */
int cause_count(void);
const struct cause_info *cause_get(int cause);
int cause_find(const char *id, size_t len);

/*
 * Publishes a copy of the current registry with one cause added (or its
 * texts replaced), as cause_reg_add; for single-threaded set-up such as
 * merging reports. Returns the cause number, or -1 (errno as above).
 */
int cause_add(const char *id, const char *group, const char *meaning,
    const char *advice);

/* Cause for an enhanced code class.subject.detail, or CAUSE_NONE. */
int code_cause_enhanced(int cls, int subject, int detail);

/* Cause for a basic three-digit SMTP reply code, or CAUSE_NONE. */
int code_cause_basic(int code);

/*
 * Cause for a POP3 (RFC 2449/3206) or IMAP (RFC 5530) response code such
 * as "IN-USE", "SYS/TEMP", "AUTHENTICATIONFAILED", given without brackets,
 * matched case-insensitively; CAUSE_NONE when unknown.
 */
int code_cause_resp(const char *code, size_t len);

/*
 * Writes the meaning of a basic code (e.g. 452) into buf, NUL-terminated
 * and truncated to len. Unknown codes are described from their digits.
 * Returns buf.
 */
char *code_meaning_basic(int code, char *buf, size_t len);

/* Same for an enhanced code, described from its class, subject, detail. */
char *code_meaning_enhanced(int cls, int subject, int detail, char *buf,
    size_t len);

/* Advice for a basic code, or NULL for a non-failure code. */
const char *code_advice_basic(int code);

/* Meaning of a POP3/IMAP response code, or NULL when unknown. */
const char *code_meaning_resp(const char *code, size_t len);

#endif
