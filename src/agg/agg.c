/*
 * Per-thread aggregation tables and their merge. One agg per worker, no
 * locks: agg_add runs in the hot path of error lines only, and copies the
 * key bytes it keeps (users lower-cased) into the agg's arena.
 *
 * The Dovecot auth join: the verdicts table holds the session ids of
 * the login failures (EV_JOIN) and of the auth verdicts (n = verdicts);
 * the failures wait in a list until agg_finish, since their verdict may
 * be in another chunk. --max-keys caps the sessions by the rule of the
 * report tables (tab.c): a failure whose session the cap folds is counted
 * at once as it is (auth_failure) and in join_unresolved, and a folded
 * verdict in the table's other_n (join_dropped). Which sessions are kept
 * depends only on the set of session ids, so every count, the two
 * counters included, is the same for any -j.
 *
 * The other multi-line joins (a failure a mail process logs on several
 * lines, or that an MTA and the LMTP server both log) live in join.c;
 * agg_add hands their lines there, agg_merge and agg_finish settle them.
 */
#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/log.h"
#include "agg_int.h"

#define TABS(a)	{ &(a)->users, &(a)->hosts, &(a)->hours, &(a)->codes, \
		  &(a)->pop3, &(a)->uncl, &(a)->clients, &(a)->remotes, \
		  &(a)->urgent, &(a)->details, &(a)->verdicts }

struct agg *
agg_new(void)
{
	struct agg	*a = xcalloc(1, sizeof(*a));
	struct tab	*tabs[] = TABS(a);
	size_t		 i;

	arena_init(&a->ar);
	for (i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
		tab_init(tabs[i]);
		tabs[i]->spill = tabs[i] != &a->verdicts;
	}
	join_init(a);
	a->traffic = traffic_new();
	a->space = space_new();
	a->locks = locks_new();
	return a;
}

void
agg_set_max_keys(struct agg *a, size_t max)
{
	struct tab	*tabs[] = TABS(a);
	size_t		 i;

	for (i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++)
		tabs[i]->max = max;
	join_set_max(a, max);
	locks_set_max(a->locks, max);
	traffic_set_max_keys(a->traffic, max);
}

void
agg_free(struct agg *a)
{
	struct tab	*tabs[] = TABS(a);
	size_t		 i;

	if (a == NULL)
		return;
	agg_traffic_wait(a);
	locks_job_end(a, NULL, NULL);
	for (i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++)
		tab_release(tabs[i]);
	join_release(a);
	traffic_free(a->traffic);
	space_free(a->space);
	locks_free(a->locks);
	arena_release(&a->ar);
	free(a);
}

uint64_t
agg_events(const struct agg *a)
{
	return a->events;
}

/* key = cause byte + s (lower-cased when lower); returns its length. */
static size_t
key_cs(struct agg *a, int cause, struct slice s, int lower)
{
	size_t	 n = s.len < KEY_MAX ? s.len : KEY_MAX;

	a->key[0] = (char)cause;
	if (lower)	/* tolower in the C locale: mxtally sets no other */
		lower_ascii(a->key + 1, s.p, n);
	else if (n > 0)
		memcpy(a->key + 1, s.p, n);
	return 1 + n;
}

static void
count(struct tab *t, const char *key, size_t klen, uint64_t n)
{
	tab_count(t, key, klen, n);
}

static void
count_example(struct tab *t, const char *key, size_t klen, uint64_t n,
    struct slice ex, uint64_t pos)
{
	struct ent	*e = tab_count(t, key, klen, n);

	if (e != NULL && pos < e->pos) {
		e->pos = pos;
		e->ex = arena_strndup_name(&t->ar, ex.p,
		    ex.len < EXAMPLE_MAX ? ex.len : EXAMPLE_MAX);
	}
}

static void
add_codes(struct agg *a, const struct event *ev, uint64_t n)
{
	char	*k;

	if (ev->code[0] == '\0' && ev->enh[0] == '\0' && ev->resp[0] == '\0')
		return;
	k = code_key(a->key, ev->code, ev->enh, ev->resp);
	k[0] = (char)ev->proto;
	k[1] = (char)ev->cause;
	count(&a->codes, a->key, CODE_KEY_LEN, n);
}

static void
add_templates(struct agg *a, const struct event *ev, uint64_t n,
    uint64_t pos)
{
	char	 buf[KEY_MAX];
	size_t	 len;

	if (ev->proto == PROTO_POP3 && (ev->flags & EV_WIRE)) {
		/* key: "-ERR [RESP] template", NUL, cause byte */
		int off = snprintf(a->key, 48, "-ERR %s%s%s",
		    ev->resp[0] ? "[" : "", ev->resp, ev->resp[0] ? "] " : "");
		len = (size_t)off + classify_template(ev->text, a->key + off,
		    sizeof(a->key) - (size_t)off - 2);
		a->key[len + 1] = (char)ev->cause;
		count(&a->pop3, a->key, len + 2, n);
	}
	if (ev->cause == CAUSE_UNCLASSIFIED) {
		len = classify_template(ev->text, buf, sizeof(buf));
		count_example(&a->uncl, buf, len, n, ev->text, pos);
	}
}

/* A blocklist's name: a host name of two labels or more, lower-cased. */
static size_t
list_name(const char *p, const char *end, char *buf, size_t len)
{
	size_t	 n = 0, dots = 0;

	while (p < end && n + 1 < len && (isalnum((unsigned char)*p) ||
	    *p == '.' || *p == '-' || *p == '_')) {
		dots += *p == '.';
		buf[n++] = (char)tolower((unsigned char)*p++);
	}
	while (n > 0 && buf[n - 1] == '.')
		n--, dots--;
	return dots > 0 ? n : 0;
}

/*
 * The blocklist a reply names: "blocked using zen.spamhaus.org", "listed
 * at/in/on/by bl.spamcop.net", "see https://www.spamhaus.org/...".
 * Writes it to buf; returns its length, 0 when none is named.
 */
MXT_STATIC size_t
detail_list(struct slice text, char *buf, size_t len)
{
	static const char *const before[] = {
		"blocked using ", "listed at ", "listed in ", "listed on ",
		"listed by ", "blacklisted at ", "blacklisted by ", "dnsbl ",
		"rbl ", "://www.", "://"
	};
	char		 low[512];
	size_t		 n = text.len < sizeof(low) ? text.len : sizeof(low);
	size_t		 k, bl, got;
	const char	*p;

	lower_ascii(low, text.p, n);
	for (k = 0; k < sizeof(before) / sizeof(before[0]); k++) {
		bl = strlen(before[k]);
		if ((p = memmem(low, n, before[k], bl)) != NULL &&
		    (got = list_name(p + bl, low + n, buf, len)) > 0)
			return got;
	}
	return 0;
}

/* cause byte + detail key ("rbl:zen.spamhaus.org"); 0 = no detail */
static size_t
key_detail(struct agg *a, const struct event *ev)
{
	const char	*name = detail_name(ev->detail);
	size_t		 n, m;

	if (name == NULL)
		return 0;
	a->key[0] = (char)ev->cause;
	n = strlen(name);
	memcpy(a->key + 1, name, n);
	n++;
	if (ev->darg.len > 0) {
		m = ev->darg.len < KEY_MAX - 64 ? ev->darg.len : KEY_MAX - 64;
		a->key[n++] = ':';
		lower_ascii(a->key + n, ev->darg.p, m);
		n += m;
	} else if (ev->detail == POL_BLOCKLIST &&
	    (m = detail_list(ev->text, a->key + n + 1, KEY_MAX - 64)) > 0) {
		a->key[n] = ':';
		n += 1 + m;
	}
	return n;
}

/* Our IP on a blocklist or with a bad reputation: an urgent refusal. */
static int
detail_urgent(int detail)
{
	const char	*name = detail_name(detail);

	return name != NULL && (strcmp(name, "rbl") == 0 ||
	    strcmp(name, "reputation") == 0);
}

/* The remote's domain: the recipient's, else the MX host; cause first. */
static size_t
key_remote(struct agg *a, const struct event *ev)
{
	const char	*at = memrchr(ev->user.p, '@', ev->user.len);
	struct slice	 d = ev->remote;

	if (at != NULL && at + 1 < ev->user.p + ev->user.len)
		d = slice_make(at + 1, ev->user.p + ev->user.len);
	if (d.len == 0)
		return 0;
	return key_cs(a, ev->cause, d, 1);
}

/*
 * The who and where of an error event: direction, client (inbound),
 * remote (outbound) and detail. Only error events get here.
 */
static void
add_where(struct agg *a, const struct event *ev, uint64_t n, uint64_t pos)
{
	int		 d = event_dir(ev);
	size_t		 k, m;
	struct ent	*e;
	char		 ex[EXAMPLE_MAX];

	a->dir_n[ev->cause][d] += n;
	if (ev->client.len > 0 && d == DIR_TO_CLIENT) {
		k = key_cs(a, ev->cause, ev->client, 1);
		if (ev->cname.len > 0 && !SLICE_EQ(ev->cname, "unknown"))
			count_example(&a->clients, a->key, k, n, ev->cname, pos);
		else
			count(&a->clients, a->key, k, n);
	}
	if (d == DIR_FROM_REMOTE && (k = key_remote(a, ev)) > 0) {
		m = ev->remote.len < 200 ? ev->remote.len : 200;
		memcpy(ex, ev->remote.p, m);
		ex[m++] = '\t';
		if (ev->text.len < sizeof(ex) - m) {
			memcpy(ex + m, ev->text.p, ev->text.len);
			m += ev->text.len;
		} else {
			memcpy(ex + m, ev->text.p, sizeof(ex) - m);
			m = sizeof(ex);
		}
		if (ev->flags & EV_UNDERSCORE)	/* qmail: '_' is ' ' */
			for (size_t i = 0; i < m; i++)
				ex[i] = ex[i] == '_' ? ' ' : ex[i];
		count_example(&a->remotes, a->key, k, n, slice_make(ex, ex + m),
		    pos);
		if (detail_urgent(ev->detail))
			count_example(&a->urgent, a->key, k, n, ev->text, pos);
	}
	if ((k = key_detail(a, ev)) > 0) {
		e = tab_count(&a->details, a->key, k, n);
		if (e != NULL && pos < e->pos) {
			e->pos = pos;
			char *x = arena_strndup_name(&a->details.ar, ev->text.p,
			    ev->text.len < EXAMPLE_MAX ? ev->text.len :
			    EXAMPLE_MAX);
			for (char *c = x; (ev->flags & EV_UNDERSCORE) &&
			    *c != '\0'; c++)
				*c = *c == '_' ? ' ' : *c;
			e->ex = x;
		}
	}
}

void
agg_count(struct agg *a, const struct event *ev, uint64_t pos)
{
	uint64_t	 n = ev->count;
	int64_t		 hour;
	size_t		 k;

	a->cause_n[ev->cause] += n;
	a->events += n;
	if (ev->t != T_NONE) {
		hour = ev->t - ((ev->t % 3600) + 3600) % 3600;
		a->key[0] = (char)ev->cause;
		memcpy(a->key + 1, &hour, sizeof(hour));
		count(&a->hours, a->key, 1 + sizeof(hour), n);
	}
	k = key_cs(a, ev->cause, ev->user, 1);
	count(&a->users, a->key, k, n);
	k = key_cs(a, ev->cause, ev->host, 0);
	count(&a->hosts, a->key, k, n);
	add_codes(a, ev, n);
	add_templates(a, ev, n, pos);
	add_where(a, ev, n, pos);
	if (a->emit != NULL)
		a->emit(a->emit_arg, ev, pos);
}

static struct slice
keep(struct agg *a, struct slice s)
{
	return (struct slice){ arena_strndup(&a->ar, s.p, s.len), s.len };
}

static void
add_pending(struct agg *a, const struct event *ev, uint64_t pos)
{
	struct pending	*p = arena_alloc(&a->ar, sizeof(*p));

	p->ev = *ev;
	p->ev.host = keep(a, ev->host);
	p->ev.program = keep(a, ev->program);
	p->ev.user = keep(a, ev->user);
	p->ev.client = keep(a, ev->client);
	p->ev.cname = keep(a, ev->cname);
	p->ev.remote = keep(a, ev->remote);
	p->ev.darg = keep(a, ev->darg);
	p->ev.text = keep(a, ev->text);
	p->ev.session = keep(a, ev->session);
	p->pos = pos;
	p->next = a->pend;
	a->pend = p;
}

/* A login failure whose session the cap folded: counted as it is. */
static void
count_unresolved(struct agg *a, struct event *ev, uint64_t pos)
{
	a->join_unresolved += ev->count;
	ev->flags &= (uint8_t)~EV_JOIN;
	agg_count(a, ev, pos);
}

/*
 * After the session table's threshold fell: counts the pending failures
 * of the sessions it folded, and moves the rest into a fresh arena.
 */
static void
drop_folded(struct agg *a)
{
	struct pending	*p, *next, *list = a->pend;
	struct arena	 old = a->ar;
	struct slice	 s;

	a->pend = NULL;
	arena_init(&a->ar);
	for (p = list; p != NULL; p = next) {
		next = p->next;
		s = p->ev.session;
		if (s.len <= 1 || tab_hash(s.p, s.len) <= a->verdicts.hmax)
			add_pending(a, &p->ev, p->pos);
		else
			count_unresolved(a, &p->ev, p->pos);
	}
	arena_release(&old);
}

void
agg_add(struct agg *a, const struct event *ev, uint64_t pos)
{
	uint64_t	 hmax = a->verdicts.hmax;
	struct event	 e;

	if (ev->flags & (EV_GROUP | EV_PEER)) {
		join_add(a, ev, pos);	/* settled by agg_finish */
		return;
	}
	if (!(ev->flags & (EV_AUTH_UNKNOWN | EV_JOIN)) ||
	    ev->session.len == 0) {
		if (!(ev->flags & EV_AUTH_UNKNOWN))
			agg_count(a, ev, pos);
		return;
	}
	/* the session table: n = verdicts; a failure adds its session */
	if (tab_count(&a->verdicts, ev->session.p, ev->session.len,
	    (ev->flags & EV_AUTH_UNKNOWN) ? 1 : 0) == NULL) {
		if (ev->flags & EV_JOIN) {
			e = *ev;
			count_unresolved(a, &e, pos);
		}
	} else if (ev->flags & EV_JOIN)
		add_pending(a, ev, pos);	/* settled by agg_finish */
	if (a->verdicts.hmax != hmax)
		drop_folded(a);
}

static void
merge_tab(struct tab *into, struct tab *from)
{
	size_t		 i;
	struct ent	*s, *d;

	/* start from the lower threshold: see tab.c for why this is exact */
	tab_fold_to(into, from->hmax);
	into->other_n += from->other_n;
	for (i = 0; i < 256; i++)
		into->other_by[i] += from->other_by[i];
	for (i = 0; i < from->cap; i++) {
		if ((s = from->slot[i].e) == NULL)
			continue;
		d = tab_count(into, s->key, s->klen, s->n);
		if (d != NULL && s->ex != NULL && s->pos < d->pos) {
			d->pos = s->pos;
			d->ex = arena_strndup(&into->ar, s->ex, strlen(s->ex));
		}
	}
	spill_take(&into->sp, &from->sp);
}

static void *
job_run(void *arg)
{
	struct job	*j = arg;

	j->fn(j->arg);
	return NULL;
}

void
job_start(struct job *j, void (*fn)(void *), void *arg, int threaded)
{
	j->fn = fn;
	j->arg = arg;
	j->threaded = threaded &&
	    pthread_create(&j->tid, NULL, job_run, j) == 0;
	if (!j->threaded)
		fn(arg);
}

void
job_wait(struct job *j)
{
	if (j->threaded)
		pthread_join(j->tid, NULL);
	j->threaded = 0;
}

/*
 * The traffic context and the error tables share nothing, so a merge,
 * and the finish of a merged agg, run the traffic half on a second
 * thread: the serial work after the scan is what keeps -j2 from being
 * twice -j1. The finish's thread may go on while agg_result builds the
 * error half of the result; it waits before the traffic half. A run
 * with one worker never merges and stays on one thread.
 */
struct traffic_job {
	struct job		 job;
	struct traffic_agg	*into, *from;	/* from NULL: finish into */
};

static void
traffic_job_run(void *arg)
{
	struct traffic_job	*j = arg;

	if (j->from != NULL)
		traffic_merge(j->into, j->from);
	else
		traffic_finish(j->into);
}

static void
traffic_job_start(struct traffic_job *j, struct traffic_agg *into,
    struct traffic_agg *from, int threaded)
{
	j->into = into;
	j->from = from;
	job_start(&j->job, traffic_job_run, j, threaded);
}

void
agg_merge(struct agg *into, struct agg *from)
{
	struct tab	*dst[] = TABS(into), *src[] = TABS(from);
	struct pending	*p, *next;
	struct traffic_job j;
	size_t		 i;

	into->merged = 1;
	traffic_job_start(&j, into->traffic, from->traffic, 1);
	join_merge(into, from);		/* may count in from: first */

	for (i = 0; i < CAUSE_MAX; i++) {
		into->cause_n[i] += from->cause_n[i];
		for (int d = 0; d < DIR_COUNT; d++)
			into->dir_n[i][d] += from->dir_n[i][d];
	}
	into->events += from->events;
	for (i = 0; i < sizeof(dst) / sizeof(dst[0]); i++)
		merge_tab(dst[i], src[i]);
	into->join_unresolved += from->join_unresolved;
	space_merge(into->space, from->space);
	locks_merge(into->locks, from->locks);
	space_free(from->space);
	from->space = space_new();
	drop_folded(into);
	/* pending entries stay in from's arena: re-add them by copy */
	for (p = from->pend; p != NULL; p = next) {
		next = p->next;
		agg_add(into, &p->ev, p->pos);
	}
	from->pend = NULL;
	job_wait(&j.job);
	traffic_free(from->traffic);
	from->traffic = traffic_new();
	traffic_set_max_keys(from->traffic, from->users.max);
}

void
agg_traffic(struct agg *a, const struct event *ev, uint64_t pos, int error)
{
	if (ev->space != SP_NONE)
		space_add(a->space, ev);
	if (ev->sess != SESS_NONE || (error && ev->cause ==
	    CAUSE_LOCK_CONTENTION))
		locks_add(a->locks, ev);
	traffic_add(a->traffic, ev, pos, error);
}

void
agg_chunk_end(struct agg *a)
{
	traffic_chunk_end(a->traffic);
}

void
agg_set_emit(struct agg *a, agg_emit_fn *fn, void *arg)
{
	a->emit = fn;
	a->emit_arg = arg;
}

/* 1 when the auth process said session s's user does not exist */
static int
session_unknown(const struct agg *a, struct slice s)
{
	struct ent	*v;

	if (s.len == 0)
		return 0;
	v = tab_find(&a->verdicts, s.p, s.len);
	return v != NULL && v->n > 0;
}

void
agg_finish(struct agg *a)
{
	struct tab	*tabs[] = TABS(a);
	struct pending	*p;
	struct traffic_job *j = xmalloc(sizeof(*j));
	size_t		 i;

	traffic_job_start(j, a->traffic, NULL, a->merged);
	if (j->job.threaded)
		a->finishing = j;
	else
		free(j);
	locks_job_start(a);
	for (p = a->pend; p != NULL; p = p->next) {
		/*
		 * The auth process found no such user: still an
		 * auth_failure (causes.md), its detail unknown_user; only
		 * a built-in auth_failure, a user rule's cause stays.
		 */
		if (p->ev.cause == CAUSE_AUTH_FAILURE &&
		    session_unknown(a, p->ev.session))
			p->ev.detail = POL_UNKNOWN_USER;
		p->ev.flags &= (uint8_t)~EV_JOIN;
		agg_count(a, &p->ev, p->pos);
	}
	a->pend = NULL;
	join_finish(a);
	for (i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++)
		tab_settle(tabs[i]);
}

void
agg_traffic_wait(struct agg *a)
{
	if (a->finishing == NULL)
		return;
	job_wait(&a->finishing->job);
	free(a->finishing);
	a->finishing = NULL;
}
