/*
 * The cause table: every cause id mxtally reports, its group and the
 * words a postmaster reads next to it (what happened, what to do first).
 * The built-in rows follow enum cause in cause.h and the taxonomy in
 * causes.md; their ids are public and never change. User rules may add
 * causes, or replace the texts of an existing one, before any worker
 * starts; after that the table is only read and needs no lock.
 */
#include <errno.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/log.h"

static struct cause_info causes[CAUSE_MAX] = {
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

static int	ncauses = CAUSE_BUILTIN_COUNT;

int
cause_count(void)
{
	return ncauses;
}

const struct cause_info *
cause_get(int cause)
{
	if (cause < 0 || cause >= ncauses)
		BUG("cause number out of range");
	return &causes[cause];
}

int
cause_find(const char *id, size_t len)
{
	int	 i;

	if (id == NULL)
		return CAUSE_NONE;
	for (i = 0; i < ncauses; i++)
		if (strlen(causes[i].id) == len &&
		    memcmp(causes[i].id, id, len) == 0)
			return i;
	return CAUSE_NONE;
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
	struct cause_info	*ci;
	int			 i;

	if (id == NULL || *id == '\0') {
		errno = EINVAL;
		return -1;
	}
	if ((i = cause_find(id, strlen(id))) == CAUSE_NONE) {
		if (ncauses == CAUSE_MAX) {
			errno = ENOSPC;
			return -1;
		}
		i = ncauses++;
		causes[i].id = id;
		causes[i].group = causes[i].meaning = causes[i].advice = "";
	}
	ci = &causes[i];
	if (group != NULL)
		ci->group = group;
	if (meaning != NULL)
		ci->meaning = meaning;
	if (advice != NULL)
		ci->advice = advice;
	return i;
}
