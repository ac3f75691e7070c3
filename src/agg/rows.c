/*
 * The cold path into the agg tables: rows that were counted elsewhere
 * (a saved report that `merge` reads) go into the tables the scan fills,
 * keyed as agg.c keys its events, so that agg_result sorts them, cuts
 * them to --top and puts the "(other)" rows where a scan puts them.
 * Names arrive as the result gave them (lower-cased where agg.c lowers
 * them), so they are copied as they are. Nothing here runs per line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/log.h"
#include "agg_int.h"

/* -1 with ERANGE, for a count that would pass 2^64 - 1 */
static int
too_big(void)
{
	errno = ERANGE;
	return -1;
}

/* The (cause byte + name) tables, by enum agg_table. */
static struct tab *
cause_tab(struct agg *a, enum agg_table t)
{
	switch (t) {
	case AGG_USERS: return &a->users;
	case AGG_HOSTS: return &a->hosts;
	case AGG_CLIENTS: return &a->clients;
	case AGG_REMOTES: return &a->remotes;
	case AGG_URGENT: return &a->urgent;
	case AGG_DETAILS: return &a->details;
	case AGG_HOURS: return &a->hours;
	case AGG_CODES: return &a->codes;
	case AGG_POP3: return &a->pop3;
	case AGG_UNCL: return &a->uncl;
	default: return NULL;
	}
}

/*
 * row's key in its table, into a buffer of the caller's to free;
 * its length into *klen. The layouts are agg.c's (agg_int.h's).
 */
static char *
row_key(const struct agg_row *row, size_t *klen)
{
	size_t	 n = row->name != NULL ? strlen(row->name) : 0;
	char	*k = xmalloc(n + CODE_KEY_LEN + 2), *end;

	switch (row->table) {
	case AGG_HOURS:
		k[0] = (char)row->cause;
		memcpy(k + 1, &row->start, sizeof(row->start));
		*klen = 1 + sizeof(row->start);
		break;
	case AGG_CODES:
		end = code_key(k, row->code->code, row->code->enh,
		    row->code->resp);
		end[0] = (char)row->code->proto;
		end[1] = (char)row->cause;
		*klen = CODE_KEY_LEN;
		break;
	case AGG_POP3:		/* reply template, NUL, cause byte */
		memcpy(k, row->name, n + 1);
		k[n + 1] = (char)row->cause;
		*klen = n + 2;
		break;
	case AGG_UNCL:
		memcpy(k, row->name, n);
		*klen = n;
		break;
	default:
		k[0] = (char)row->cause;
		memcpy(k + 1, row->name, n);
		*klen = n + 1;
		break;
	}
	return k;
}

/* The keys a report folded: the table's remainder, by cause. */
static int
add_folded(struct tab *t, int cause, uint64_t n)
{
	uint64_t	 by = t->other_by[(unsigned char)cause], all = t->other_n;

	if (__builtin_add_overflow(all, n, &all) ||
	    __builtin_add_overflow(by, n, &by))
		return too_big();
	t->other_n = all;
	t->other_by[(unsigned char)cause] = by;
	return 0;
}

int
agg_add_row(struct agg *a, const struct agg_row *row)
{
	struct tab	*t = cause_tab(a, row->table);
	struct ent	*e;
	char		*key;
	size_t		 klen;
	uint64_t	 n;

	if (row->table == AGG_SENDERS || row->table == AGG_RCPTS)
		return traffic_add_row(a->traffic, row->table == AGG_RCPTS,
		    row->name, row->n, row->bytes) == 0 ? 0 : too_big();
	if (t == NULL || row->cause < 0 || row->cause >= CAUSE_MAX)
		BUG("agg_add_row: no such table or cause");
	if (row->name == NULL && row->table != AGG_HOURS &&
	    row->table != AGG_CODES)
		return add_folded(t, row->cause, row->n);
	key = row_key(row, &klen);
	e = tab_get(t, key, klen);
	free(key);
	if (__builtin_add_overflow(e->n, row->n, &n))
		return too_big();
	e->n = n;
	if (row->ex != NULL && row->pos < e->pos) {
		e->pos = row->pos;
		e->ex = arena_strndup(&t->ar, row->ex, strlen(row->ex));
	}
	return 0;
}

int
agg_add_cause(struct agg *a, int cause, uint64_t n, const uint64_t *dir)
{
	uint64_t	 sum[DIR_COUNT + 1];
	int		 d;

	if (cause < 0 || cause >= CAUSE_MAX)
		BUG("agg_add_cause: no such cause");
	if (__builtin_add_overflow(a->cause_n[cause], n, &sum[DIR_COUNT]))
		return too_big();
	for (d = 0; d < DIR_COUNT; d++)
		if (__builtin_add_overflow(a->dir_n[cause][d],
		    dir != NULL ? dir[d] : 0, &sum[d]))
			return too_big();
	a->cause_n[cause] = sum[DIR_COUNT];
	memcpy(a->dir_n[cause], sum, sizeof(a->dir_n[cause]));
	return 0;
}

int
agg_add_traffic(struct agg *a, const struct traffic *t)
{
	return traffic_add_counts(a->traffic, t) == 0 ? 0 : too_big();
}

void
agg_add_space(struct agg *a, int kind, const char *host,
    const struct space_fig *f)
{
	space_add_fig(a->space, kind, host, f);
}

int
agg_add_lock_counts(struct agg *a, const struct lock_counts *c)
{
	return locks_add_counts(a->locks, c);
}

void
agg_add_lock_row(struct agg *a, const struct lock_row *row)
{
	locks_add_row(a->locks, row);
}

int
agg_add_lock_pair(struct agg *a, const struct lock_pair *p)
{
	return locks_add_pair(a->locks, p);
}
