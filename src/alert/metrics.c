/*
 * The counters `mxtally watch` serves on /metrics: lines read, events per
 * cause, per reply code and per host, and the alerts firing now. Label
 * sets from log data (codes, hosts, alert keys) are capped: past the cap
 * new label sets are counted in one series labelled "other", so a flood
 * of odd hosts cannot grow Prometheus without bound. Users are labels
 * only through rules that key on them (mxtally_alerts_firing). The
 * caller serialises access (watch.c holds its mutex).
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/alert.h"
#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "metrics.h"

#define SEP	'\x1f'		/* between the parts of a table key */

void
metrics_init(struct metrics *m, size_t cap)
{
	memset(m, 0, sizeof(*m));
	m->codes.max = m->hosts.max = cap;
}

static void
kv_release(struct kvtab *t)
{
	size_t	 i;

	for (i = 0; i < t->cap; i++)
		free(t->slot[i].key);
	free(t->slot);
}

void
metrics_release(struct metrics *m)
{
	kv_release(&m->codes);
	kv_release(&m->hosts);
}

static uint64_t
kv_hash(const char *k, size_t n)
{
	uint64_t	 h = 1469598103934665603ULL;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
	return h;
}

static void
kv_grow(struct kvtab *t)
{
	struct kv	*old = t->slot;
	size_t		 oldcap = t->cap, i, j;

	t->cap = t->cap ? t->cap * 2 : 64;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		j = old[i].hash & (t->cap - 1);
		while (t->slot[j].key != NULL)
			j = (j + 1) & (t->cap - 1);
		t->slot[j] = old[i];
	}
	free(old);
}

/* Adds n to key (klen bytes, no NUL inside); over the cap to other. */
static void
kv_add(struct kvtab *t, const char *key, size_t klen, uint64_t n)
{
	uint64_t	 h = kv_hash(key, klen);
	size_t		 i;

	if (t->cap == 0)
		kv_grow(t);
	for (i = h & (t->cap - 1); t->slot[i].key != NULL;
	    i = (i + 1) & (t->cap - 1))
		if (t->slot[i].hash == h && t->slot[i].klen == klen &&
		    memcmp(t->slot[i].key, key, klen) == 0) {
			t->slot[i].n += n;
			return;
		}
	if (t->max > 0 && t->len >= t->max) {
		t->other += n;
		return;
	}
	t->slot[i].key = xstrndup(key, klen);
	t->slot[i].klen = klen;
	t->slot[i].hash = h;
	t->slot[i].n = n;
	if (++t->len * 2 > t->cap)
		kv_grow(t);
}

/* Appends s (at most max bytes) to buf at *n, mapping SEP to '_'. */
static void
put(char *buf, size_t *n, size_t cap, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len && *n < cap - 1; i++)
		buf[(*n)++] = s[i] == SEP ? '_' : s[i];
}

void
metrics_event(struct metrics *m, const struct event *ev)
{
	char		 key[320], c[8];
	size_t		 n = 0;
	const char	*p = proto_name(ev->proto);
	uint64_t	 cnt = ev->count ? ev->count : 1;

	if (ev->cause < 0 || ev->cause >= CAUSE_MAX)
		return;
	m->cause_n[ev->cause] += cnt;
	if (ev->code[0] != '\0' || ev->enh[0] != '\0' || ev->resp[0] != '\0') {
		put(key, &n, sizeof(key), p, strlen(p));
		key[n++] = SEP;
		put(key, &n, sizeof(key), ev->code[0] ? ev->code : ev->resp,
		    strlen(ev->code[0] ? ev->code : ev->resp));
		key[n++] = SEP;
		put(key, &n, sizeof(key), ev->enh, strlen(ev->enh));
		kv_add(&m->codes, key, n, cnt);
	}
	n = 0;
	put(key, &n, 256, ev->host.p, ev->host.len);
	key[n++] = SEP;
	snprintf(c, sizeof(c), "%d", ev->cause);
	put(key, &n, sizeof(key), c, strlen(c));
	kv_add(&m->hosts, key, n, cnt);
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv	*x = *(const struct kv *const *)a;
	const struct kv	*y = *(const struct kv *const *)b;

	return strcmp(x->key, y->key);
}

/* Writes the series of t, its key split at SEP into the labels names. */
static void
kv_write(FILE *f, const char *metric, const struct kvtab *t,
    const char *const *names, size_t nnames, int cause_last)
{
	const struct kv	**v = xcalloc(t->len + 1, sizeof(*v));
	size_t		 i, k, nv = 0;
	const char	*p, *q;
	char		 part[272];

	for (i = 0; i < t->cap; i++)
		if (t->slot[i].key != NULL)
			v[nv++] = &t->slot[i];
	qsort(v, nv, sizeof(*v), kv_cmp);
	for (i = 0; i < nv; i++) {
		fprintf(f, "%s{", metric);
		for (k = 0, p = v[i]->key; k < nnames; k++) {
			q = strchr(p, SEP);
			snprintf(part, sizeof(part), "%.*s",
			    (int)(q ? q - p : (ptrdiff_t)strlen(p)), p);
			fprintf(f, "%s%s=", k ? "," : "", names[k]);
			if (cause_last && k == nnames - 1)
				alert_prom_label(f, cause_get(atoi(part))->id);
			else
				alert_prom_label(f, part);
			p = q ? q + 1 : p + strlen(p);
		}
		fprintf(f, "} %llu\n", (unsigned long long)v[i]->n);
	}
	if (t->other > 0) {
		fprintf(f, "%s{", metric);
		for (k = 0; k < nnames; k++)
			fprintf(f, "%s%s=\"other\"", k ? "," : "", names[k]);
		fprintf(f, "} %llu\n", (unsigned long long)t->other);
	}
	free(v);
}

struct firing_ctx {
	FILE		*f;
	FILE		*w;		/* the window counts, after f */
	char		*wbuf;
	size_t		 wlen;
	size_t		 n, max;
	uint64_t	 over;
};

static void
firing_one(const struct alert *a, void *arg)
{
	static const char *const sev[] = { "", "warning", "critical" };
	struct firing_ctx	*c = arg;

	if (c->n++ >= c->max) {
		c->over++;
		return;
	}
	fputs("mxtally_alerts_firing{rule=", c->f);
	alert_prom_label(c->f, a->rule->name);
	fputs(",key=", c->f);
	alert_prom_label(c->f, a->key);
	fprintf(c->f, ",severity=\"%s\"} 1\n", sev[a->rule->severity]);
	fputs("mxtally_alert_window_events{rule=", c->w);
	alert_prom_label(c->w, a->rule->name);
	fputs(",key=", c->w);
	alert_prom_label(c->w, a->key);
	fprintf(c->w, "} %llu\n", (unsigned long long)a->current);
}

void
metrics_write(FILE *f, const struct metrics *m, struct alert_eval *e)
{
	static const char *const code_names[] = { "protocol", "code",
	    "enhanced" };
	static const char *const host_names[] = { "host", "cause" };
	struct firing_ctx	 fc = { f, NULL, NULL, 0, 0, 0, 0 };
	const struct cause_info	*ci;
	int			 i, nc = cause_count();

	fc.max = m->codes.max ? m->codes.max : 1000;
	fprintf(f, "# HELP mxtally_lines_total Log lines read.\n"
	    "# TYPE mxtally_lines_total counter\n"
	    "mxtally_lines_total %llu\n", (unsigned long long)m->lines);
	fputs("# HELP mxtally_events_total Error events by cause.\n"
	    "# TYPE mxtally_events_total counter\n", f);
	for (i = 0; i < nc; i++) {
		ci = cause_get(i);
		fprintf(f, "mxtally_events_total{cause=\"%s\",group=", ci->id);
		alert_prom_label(f, ci->group);
		fprintf(f, "} %llu\n", (unsigned long long)m->cause_n[i]);
	}
	fputs("# HELP mxtally_events_by_code_total Error events by reply "
	    "code.\n# TYPE mxtally_events_by_code_total counter\n", f);
	kv_write(f, "mxtally_events_by_code_total", &m->codes, code_names, 3,
	    0);
	fputs("# HELP mxtally_events_by_host_total Error events by host and "
	    "cause.\n# TYPE mxtally_events_by_host_total counter\n", f);
	kv_write(f, "mxtally_events_by_host_total", &m->hosts, host_names, 2,
	    1);
	fputs("# HELP mxtally_alerts_firing Alerts firing now, by rule and "
	    "key.\n# TYPE mxtally_alerts_firing gauge\n", f);
	if ((fc.w = open_memstream(&fc.wbuf, &fc.wlen)) == NULL)
		log_die("out of memory");
	if (e != NULL)
		alert_eval_firing(e, firing_one, &fc);
	fclose(fc.w);
	fputs("# HELP mxtally_alert_window_events Events in the window of a "
	    "firing alert now.\n# TYPE mxtally_alert_window_events gauge\n",
	    f);
	fwrite(fc.wbuf, 1, fc.wlen, f);
	free(fc.wbuf);
	fprintf(f, "# HELP mxtally_alerts_firing_over_cap Firing alerts not "
	    "listed (label cap).\n# TYPE mxtally_alerts_firing_over_cap "
	    "gauge\nmxtally_alerts_firing_over_cap %llu\n",
	    (unsigned long long)fc.over);
}
