/*
 * The domain model: cause ids and groups (../shared/spec/causes.md), the
 * meaning of SMTP basic and RFC 3463 enhanced codes, and the POP3/IMAP
 * response codes. All tables are static and read-only; user rules may add
 * causes before any worker starts (cause_add), never after.
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

/* Number of causes known now (built-in plus added). */
int cause_count(void);

/* Returns the cause's info; BUG() on an out-of-range id. */
const struct cause_info *cause_get(int cause);

/* Returns the cause with that id, or CAUSE_NONE. Borrows id. */
int cause_find(const char *id, size_t len);

/*
 * Adds (or, for an existing id, overrides the texts of) a cause. Copies
 * nothing: the strings must live for the whole run. Returns the cause
 * number, or -1 when CAUSE_MAX is reached. Not thread-safe: call before
 * workers start.
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
