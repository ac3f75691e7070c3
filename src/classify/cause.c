/*
 * The cause registry: every cause id mxtally reports, its group and the
 * words a postmaster reads next to it (what happened, what to do first).
 * The built-in rows follow enum cause in cause.h and the taxonomy in
 * causes.md; their ids are public and never change.
 *
 * A registry is built whole (a draft: cause_reg_new, cause_reg_add) by
 * whoever loads a rule set, then published; a published registry is
 * never changed again. The one in use is an atomic pointer: publishing
 * stores it with release order, readers load it with acquire order, so
 * a reader sees a finished registry, old or new, never one being built
 * (a SIGHUP reload while the HTTP thread writes /metrics). A published
 * registry stays allocated until exit, since readers hold its strings
 * without a lock; a reload costs a few kilobytes. Cause numbers never
 * change while the process runs: a cause a new rule set drops is
 * retired (no longer found by id, still named by its number), so
 * counters keyed by number keep their meaning.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/log.h"

struct cause_reg {
	int		 n;		/* causes, numbered 0..n-1 */
	int		 published;	/* never changed again */
	struct cause_info v[CAUSE_MAX];
	unsigned char	 retired[CAUSE_MAX]; /* dropped by its rule set */
	char		**own;		/* strings this registry copied */
	size_t		 nown;
	struct cause_reg *next;		/* the published ones, kept */
};

static const struct cause_info builtin_info[CAUSE_BUILTIN_COUNT] = {
	[CAUSE_LOCK_CONTENTION] = {
		"lock_contention", "lock",
		"The mailbox was locked by another session; POP3 lets only "
		"one session at a time open a mailbox.",
		"Look for a second client (phone, desktop, webmail) polling "
		"the same mailbox, or a stale session or lock file still "
		"holding it, and stagger or end it."
	},
	[CAUSE_AUTH_FAILURE] = {
		"auth_failure", "auth",
		"The login failed: wrong password, unknown login name or a "
		"rejected AUTH exchange (accounts locked after bad logins "
		"usually show up here too).",
		"Check whether one user or one client IP dominates: a single "
		"user usually has a stale saved password, many users from "
		"one IP is password guessing to block."
	},
	[CAUSE_UNKNOWN_MAILBOX] = {
		"unknown_mailbox", "",
		"The mailbox named does not exist: a typo, a deleted account "
		"or someone probing for valid addresses.",
		"Look up the address in the user directory; if it was "
		"deleted, tell the senders or add an alias, and if many "
		"random names fail, block the probing client."
	},
	[CAUSE_QUOTA_EXCEEDED] = {
		"quota_exceeded", "storage",
		"One user's storage allocation is full, so nothing more can "
		"be stored for that user.",
		"Ask the user to delete or archive mail (or empty the trash), "
		"or raise that user's quota."
	},
	[CAUSE_SYSTEM_STORAGE] = {
		"system_storage", "storage",
		"The server itself ran short of storage: the queue, spool or "
		"mail store disk is full.",
		"Run df on the queue and mail store file systems and free or "
		"add space; mail keeps being deferred until there is room."
	},
	[CAUSE_DELETED_NOT_REMOVED] = {
		"deleted_not_removed", "storage",
		"At QUIT the POP3 server could not expunge the messages the "
		"client had marked deleted, usually for lack of a server "
		"resource.",
		"Check free disk space and inodes on the mail store and the "
		"server's error log at that time; the messages will be "
		"downloaded again until the expunge succeeds."
	},
	[CAUSE_NO_SUCH_MESSAGE] = {
		"no_such_message", "",
		"The client asked for a message number that does not exist "
		"or that it already deleted in this session.",
		"Usually harmless client behaviour; if one client repeats "
		"it, check that client's UIDL cache or update the client."
	},
	[CAUSE_MESSAGE_TOO_LARGE] = {
		"message_too_large", "",
		"The message is bigger than a size limit on the way.",
		"Compare the message size with the size limit in force "
		"(Postfix message_size_limit, or the remote side's SIZE); "
		"send big files by a link instead."
	},
	[CAUSE_POLICY_REJECTION] = {
		"policy_rejection", "",
		"A local policy refused the mail: relaying, a blocklist, "
		"greylisting, HELO, sender or client checks, SPF, DMARC or "
		"content filtering.",
		"Read the reply text for which check fired; if it was "
		"wrong, whitelist the sender or client or fix its DNS, "
		"SPF or DKIM, else nothing to do."
	},
	[CAUSE_RATE_LIMITED] = {
		"rate_limited", "",
		"Too many connections, messages or logins came in within a "
		"time window.",
		"Find the user or client IP over the limit; slow down a "
		"misconfigured client's polling, or raise the limit if the "
		"traffic is legitimate."
	},
	[CAUSE_SERVICE_UNAVAILABLE] = {
		"service_unavailable", "",
		"The service was down, closing, timed out or could not be "
		"reached.",
		"Check that the service named is running and reachable "
		"(process, port, firewall, network path) and look at its "
		"log at that moment."
	},
	[CAUSE_SERVER_ERROR] = {
		"server_error", "",
		"The server hit an internal error while handling the "
		"request.",
		"Read the server's own error log around that time for the "
		"failing component (delivery agent, filter, database, "
		"permissions)."
	},
	[CAUSE_PROTOCOL_ERROR] = {
		"protocol_error", "",
		"The peer sent a command the server did not understand, bad "
		"syntax or commands in the wrong order.",
		"Identify the client or program sending the commands; a "
		"broken script or old client needs fixing, while non-mail "
		"traffic on the port is usually a scanner."
	},
	[CAUSE_INVALID_ADDRESS] = {
		"invalid_address", "",
		"The address or mailbox name is not allowed: bad syntax or "
		"a form the server refuses.",
		"Look at the exact address in the log for typos, missing "
		"domains or stray characters, and correct it at its source."
	},
	[CAUSE_NOT_LOCAL] = {
		"not_local", "",
		"The recipient is not handled here; the server may name an "
		"address to forward to.",
		"Send to the forward address given in the reply, or update "
		"the routing or alias that pointed to this server."
	},
	[CAUSE_DNS_FAILURE] = {
		"dns_failure", "",
		"The destination domain or mail host could not be found in "
		"the DNS, or has no mail service.",
		"Query the domain's MX and A records (dig MX domain) to "
		"tell a misspelt domain from a resolver or DNS outage."
	},
	[CAUSE_ACCOUNT_DISABLED] = {
		"account_disabled", "",
		"The account exists but is disabled and accepts no mail or "
		"logins.",
		"Check the account's status in the user directory; enable "
		"it if that was a mistake, else tell the senders."
	},
	[CAUSE_EXPIRED] = {
		"expired", "",
		"The message stayed in the queue longer than the queue "
		"lifetime and was given up.",
		"Find why earlier attempts were deferred (the deferral "
		"reasons for the same destination) and fix that; expiry "
		"is only the end of it."
	},
	[CAUSE_TRANSACTION_FAILED] = {
		"transaction_failed", "",
		"The mail transaction failed for good and the reply gave no "
		"more specific reason.",
		"Read the full reply text and the remote server's notes; "
		"ask the remote postmaster when the text says nothing."
	},
	[CAUSE_UNCLASSIFIED] = {
		"unclassified", "",
		"An error reply that no rule explains yet.",
		"Look at the unclassified templates in the report and write "
		"a rule (--rules) for the frequent ones."
	},
};

static struct cause_reg		 builtin;	/* builtin_info, at first use */
static pthread_once_t		 builtin_once = PTHREAD_ONCE_INIT;
static const struct cause_reg *_Atomic current;	/* NULL before first use */
static pthread_mutex_t		 kept_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cause_reg		*kept;	/* published drafts, until exit */

static void
builtin_init(void)
{
	builtin.n = CAUSE_BUILTIN_COUNT;
	builtin.published = 1;
	memcpy(builtin.v, builtin_info, sizeof(builtin_info));
	atomic_store_explicit(&current, &builtin, memory_order_release);
}

const struct cause_reg *
cause_current(void)
{
	const struct cause_reg	*r;

	r = atomic_load_explicit(&current, memory_order_acquire);
	if (r != NULL)
		return r;
	pthread_once(&builtin_once, builtin_init);
	return atomic_load_explicit(&current, memory_order_acquire);
}

int
cause_reg_count(const struct cause_reg *r)
{
	return r->n;
}

const struct cause_info *
cause_reg_get(const struct cause_reg *r, int cause)
{
	if (cause < 0 || cause >= r->n)
		BUG("cause number out of range");
	return &r->v[cause];
}

/* The number of id, retired or not, or CAUSE_NONE. */
static int
find_any(const struct cause_reg *r, const char *id, size_t len)
{
	int	 i;

	for (i = 0; i < r->n; i++)
		if (strlen(r->v[i].id) == len &&
		    memcmp(r->v[i].id, id, len) == 0)
			return i;
	return CAUSE_NONE;
}

int
cause_reg_find(const struct cause_reg *r, const char *id, size_t len)
{
	int	 i;

	if (id == NULL || (i = find_any(r, id, len)) == CAUSE_NONE)
		return CAUSE_NONE;
	return r->retired[i] ? CAUSE_NONE : i;
}

struct cause_reg *
cause_reg_new(void)
{
	const struct cause_reg	*cur = cause_current();
	struct cause_reg	*r = xcalloc(1, sizeof(*r));
	int			 i;

	r->n = cur->n;
	memcpy(r->v, builtin_info, sizeof(builtin_info));
	for (i = CAUSE_BUILTIN_COUNT; i < cur->n; i++) {
		r->v[i] = (struct cause_info){ cur->v[i].id, "", "", "" };
		r->retired[i] = 1;
	}
	return r;
}

struct cause_reg *
cause_reg_copy(const struct cause_reg *from)
{
	struct cause_reg	*r = xcalloc(1, sizeof(*r));

	r->n = from->n;
	memcpy(r->v, from->v, sizeof(r->v));
	memcpy(r->retired, from->retired, sizeof(r->retired));
	return r;
}

/* A copy of s that lives as long as r. */
static const char *
reg_str(struct cause_reg *r, const char *s)
{
	if ((r->nown & (r->nown + 1)) == 0)	/* 0, 1, 3, 7, ... */
		r->own = xrealloc(r->own, (2 * r->nown + 2) * sizeof(*r->own));
	return r->own[r->nown++] = xstrdup(s);
}

int
cause_reg_add(struct cause_reg *r, const char *id, const char *group,
    const char *meaning, const char *advice)
{
	struct cause_info	*ci;
	int			 i;

	if (r->published)
		BUG("a published cause registry is changed");
	if (id == NULL || *id == '\0') {
		errno = EINVAL;
		return -1;
	}
	if ((i = find_any(r, id, strlen(id))) == CAUSE_NONE) {
		if (r->n == CAUSE_MAX) {
			errno = ENOSPC;
			return -1;
		}
		i = r->n++;
		r->v[i].id = reg_str(r, id);
		r->v[i].group = r->v[i].meaning = r->v[i].advice = "";
	}
	r->retired[i] = 0;
	ci = &r->v[i];
	if (group != NULL)
		ci->group = reg_str(r, group);
	if (meaning != NULL)
		ci->meaning = reg_str(r, meaning);
	if (advice != NULL)
		ci->advice = reg_str(r, advice);
	return i;
}

void
cause_reg_publish(struct cause_reg *r)
{
	if (r->published)
		BUG("a cause registry is published twice");
	r->published = 1;
	pthread_mutex_lock(&kept_mu);
	r->next = kept;
	kept = r;
	pthread_mutex_unlock(&kept_mu);
	atomic_store_explicit(&current, r, memory_order_release);
}

void
cause_reg_restore(const struct cause_reg *r)
{
	if (!r->published)
		BUG("a draft cause registry is restored");
	atomic_store_explicit(&current, r, memory_order_release);
}

void
cause_reg_free(struct cause_reg *r)
{
	size_t	 i;

	if (r == NULL || r->published)
		return;
	for (i = 0; i < r->nown; i++)
		free(r->own[i]);
	free(r->own);
	free(r);
}

int
cause_count(void)
{
	return cause_current()->n;
}

const struct cause_info *
cause_get(int cause)
{
	return cause_reg_get(cause_current(), cause);
}

int
cause_find(const char *id, size_t len)
{
	return cause_reg_find(cause_current(), id, len);
}

/*
 * Overriding an existing id keeps the texts passed as NULL; a new cause
 * takes "" for them. Besides a full table, an empty or NULL id also
 * returns -1 (errno EINVAL; a full table sets ENOSPC).
 */
int
cause_add(const char *id, const char *group, const char *meaning,
    const char *advice)
{
	struct cause_reg	*r = cause_reg_copy(cause_current());
	int			 i;

	if ((i = cause_reg_add(r, id, group, meaning, advice)) == -1) {
		i = errno;
		cause_reg_free(r);
		errno = i;
		return -1;
	}
	cause_reg_publish(r);
	return i;
}
