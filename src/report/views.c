/*
 * The views of a result: what the writers show that is derived from the
 * counts rather than counted (the storage section's busiest users, hosts
 * and hours, the space trend of each store, the reject, bounce and
 * login-failure rates, the meaning of the lock pairs). report_views
 * computes them once into r->views when the result is complete and
 * before any writer runs; the text, HTML and JSON writers only read
 * them, so they cannot come to disagree. Owns the views' memory, freed
 * by report_views_release (result_free calls it).
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/log.h"
#include "mxtally/report.h"
#include "report_int.h"

/* busiest first, then by name; rows without one (hours) by start */
static int
cmp_pick(const void *x, const void *y)
{
	const struct view_pick *a = x, *b = y;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	if (a->e->name == NULL || b->e->name == NULL)
		return (a->e->start > b->e->start) - (a->e->start < b->e->start);
	return strcmp(a->e->name, b->e->name);
}

/* Events of the storage causes in by_cause (cause_count(), or NULL). */
static uint64_t
storage_sum(const uint64_t *by_cause)
{
	uint64_t	 n = 0;
	int		 c, nc = cause_count();

	for (c = 0; by_cause != NULL && c < nc; c++)
		if (by_cause[c] != 0 && rep_cause_in(c, "storage"))
			n += by_cause[c];
	return n;
}

/* The rows of rows[0..n) with storage events, busiest first. */
static struct view_pick *
storage_picks(const struct entity_row *rows, size_t n, size_t *np)
{
	struct view_pick	*p = xcalloc(n ? n : 1, sizeof(*p));
	size_t			 i, k = 0;

	for (i = 0; i < n; i++)
		if ((p[k].n = storage_sum(rows[i].by_cause)) != 0)
			p[k++].e = &rows[i];
	qsort(p, k, sizeof(*p), cmp_pick);
	*np = k;
	return p;
}

/* part as a percentage of whole; 0 when whole is 0 */
static double
share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static const char lock_why_two[] =
    "two clients fetch one mailbox at once (a phone and a desktop, "
    "two mail programs, or a forgotten old device). First step: ask "
    "the user which devices fetch this mailbox by POP3; leave POP3 on "
    "one and use IMAP on the others, or stagger their intervals.";
static const char lock_why_same[] =
    "one client opened a second session before its first had ended: "
    "its check interval is shorter than a session takes (a big "
    "mailbox, a slow link). First step: lengthen that client's "
    "polling interval.";

static const char lock_why_imap[] =
    "an IMAP session waited longer than Dovecot's lock timeout for a "
    "mailbox index that another session's process kept locked: IMAP "
    "shares a mailbox, so the holder was busy with it (a long expunge, "
    "search or move in a big mailbox) or stuck on slow storage. First "
    "step: look at what the holding client did then (its session and "
    "pid are below) and at the storage's latency; split or archive the "
    "mailbox if it is that big.";

/*
 * The lock reasons that r's pairs call for: POP3 [0] two clients, [1]
 * one; *imap for IMAP pairs.
 */
static void
lock_why(const struct result *r, const char *why[2], const char **imap)
{
	size_t	 i;
	int	 same;

	for (i = 0; i < r->nlock_pairs; i++) {
		if (r->lock_pairs[i].imap) {
			*imap = lock_why_imap;
			continue;
		}
		same = strcmp(r->lock_pairs[i].client,
		    r->lock_pairs[i].holder) == 0;
		why[same] = same ? lock_why_same : lock_why_two;
	}
}

void
report_views(struct result *r)
{
	struct result_views	*v = &r->views;
	const struct traffic	*tr = &r->traffic;
	const struct login_counts *l[3] = { &tr->pop3, &tr->imap,
	    &tr->smtp_auth };
	struct view_space	*s;
	size_t			 i;

	if (v->ready)
		BUG("report_views twice on one result");
	v->storage[VIEW_USERS] = storage_picks(r->users, r->nusers_shown,
	    &v->nstorage[VIEW_USERS]);
	v->storage[VIEW_HOSTS] = storage_picks(r->hosts, r->nhosts_shown,
	    &v->nstorage[VIEW_HOSTS]);
	v->storage[VIEW_HOURS] = storage_picks(r->hours, r->nhours,
	    &v->nstorage[VIEW_HOURS]);
	v->space = xcalloc(r->nspace ? r->nspace : 1, sizeof(*v->space));
	for (i = 0; i < r->nspace; i++) {
		s = &v->space[i];
		s->falling = space_rate(&r->space[i].f, &s->per_hour,
		    &s->hours_left);
	}
	v->attempts = tr->delivered + tr->rejected + tr->discarded;
	v->reject_pct = share(tr->rejected, v->attempts);
	v->bounce_pct = share(tr->bounced, tr->delivered + tr->bounced);
	for (i = 0; i < 3; i++)
		v->login_failed_pct[i] = share(l[i]->failed, l[i]->ok +
		    l[i]->failed);
	lock_why(r, v->lock_why, &v->lock_why_imap);
	v->ready = 1;
}

void
report_views_release(struct result *r)
{
	size_t	 i;

	for (i = 0; i < VIEW_ROWS; i++)
		free(r->views.storage[i]);
	free(r->views.space);
	memset(&r->views, 0, sizeof(r->views));
}

const struct result_views *
rep_views(const struct result *r)
{
	if (!r->views.ready)
		BUG("a writer given a result without its views");
	return &r->views;
}
