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
#include <time.h>
#include <unistd.h>
#include <string.h>

#include "mxtally/alert.h"
#include "mxtally/cause.h"
#include "mxtally/keytab.h"
#include "mxtally/log.h"
#include "metrics.h"

#define SEP	'\x1f'		/* between the parts of a table key */

void
metrics_init(struct metrics *m, size_t cap)
{
	memset(m, 0, sizeof(*m));
	m->codes.max = m->hosts.max = cap;
}

void
metrics_release(struct metrics *m)
{
	keytab_release(&m->codes.tab);
	keytab_release(&m->hosts.tab);
}

/* Adds n to key (klen bytes, no NUL inside); over the cap to other. */
static void
kv_add(struct kvtab *t, const char *key, size_t klen, uint64_t n)
{
	struct keytab_ent	*e;

	if ((e = keytab_find(&t->tab, key, klen)) == NULL) {
		if (t->max > 0 && t->tab.len >= t->max) {
			t->other += n;
			return;
		}
		e = keytab_add(&t->tab, key, klen, NULL);
	}
	e->val += n;
}

/*
 * Appends s (at most max bytes) to buf at *n, mapping SEP to '_' and a
 * NUL to "\x00", as reports show it (agg_int.h), so that hosts "a\0b"
 * and "a\0c" stay two series.
 */
static void
put(char *buf, size_t *n, size_t cap, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len && *n < cap - 1; i++)
		if (s[i] == '\0') {
			if (*n + 4 > cap - 1)
				break;
			memcpy(buf + *n, "\\x00", 4);
			*n += 4;
		} else
			buf[(*n)++] = s[i] == SEP ? '_' : s[i];
}

void
metrics_traffic(struct metrics *m, const struct event *ev)
{
	if (ev->tkind < TR_COUNT)
		m->traffic[ev->tkind]++;
	if (ev->tkind == TR_LOGIN_OK && ev->proto < PROTO_COUNT)
		m->logins[ev->proto][0]++;
	/* an authenticated reception (sasl_username=, Exim's A=): as agg */
	if (ev->tkind == TR_RECEIVED && ev->user.len > 0)
		m->logins[PROTO_SMTP][0]++;
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
	if ((ev->cause == CAUSE_AUTH_FAILURE || (ev->flags & EV_JOIN)) &&
	    ev->proto < PROTO_COUNT)
		m->logins[ev->proto][1] += cnt;
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
	const struct keytab_ent *x = *(const struct keytab_ent *const *)a;
	const struct keytab_ent *y = *(const struct keytab_ent *const *)b;

	return strcmp(x->key, y->key);
}

/* Writes the series of t, its key split at SEP into the labels names. */
static void
kv_write(FILE *f, const char *metric, const struct kvtab *t,
    const char *const *names, size_t nnames, int cause_last)
{
	const struct keytab_ent **v = xcalloc(t->tab.len + 1, sizeof(*v));
	size_t		 i, k, nv = 0;
	const char	*p, *q;
	char		 part[272];

	for (i = 0; i < t->tab.cap; i++)
		if (t->tab.slot[i].key != NULL)
			v[nv++] = &t->tab.slot[i];
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
		fprintf(f, "} %llu\n", (unsigned long long)v[i]->val);
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

/* Log time (civil, as logged) as Unix seconds, by today's offset. */
static int64_t
unix_time(int64_t local)
{
	time_t		 now = time(NULL);
	struct tm	 tm;

	localtime_r(&now, &tm);
	return local - tm.tm_gmtoff;
}

static void
head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
traffic_write(FILE *f, const struct metrics *m)
{
	static const struct { const char *status; int kind; } tr[] = {
		{ "received", TR_RECEIVED }, { "delivered", TR_SENT },
		{ "forwarded", TR_FORWARDED }, { "deferred", TR_DEFERRED },
		{ "bounced", TR_BOUNCED }, { "rejected", TR_REJECTED },
		{ "held", TR_HELD }, { "discarded", TR_DISCARDED }
	};
	size_t	 i;
	int	 p;

	head(f, "mxtally_messages_total", "counter", "Mail traffic: "
	    "messages received (smtpd, pickup) and deliveries, deferrals, "
	    "bounces and rejections, by status.");
	for (i = 0; i < sizeof(tr) / sizeof(tr[0]); i++)
		fprintf(f, "mxtally_messages_total{status=\"%s\"} %llu\n",
		    tr[i].status, (unsigned long long)(m->traffic[tr[i].kind] +
		    (tr[i].kind == TR_RECEIVED ? m->traffic[TR_PICKUP] : 0)));
	head(f, "mxtally_logins_total", "counter", "Logins by protocol and "
	    "result (failed: authentication failures and unknown users).");
	for (p = PROTO_SMTP; p < PROTO_COUNT; p++) {
		if (p == PROTO_LMTP)
			continue;
		fprintf(f, "mxtally_logins_total{protocol=\"%s\",result=\"ok\"} "
		    "%llu\n", proto_name(p),
		    (unsigned long long)m->logins[p][0]);
		fprintf(f, "mxtally_logins_total{protocol=\"%s\",result="
		    "\"failed\"} %llu\n", proto_name(p),
		    (unsigned long long)m->logins[p][1]);
	}
}

/* One line per file: NAME{file="..."} VALUE. */
static void
file_series(FILE *f, const char *name, const struct metrics_file *mf,
    long long v)
{
	fprintf(f, "%s{file=", name);
	alert_prom_label(f, mf->path);
	fprintf(f, "} %lld\n", v);
}

static void
files_write(FILE *f, const struct metrics *m)
{
	size_t	 i;

	head(f, "mxtally_file_read_bytes_total", "counter", "Bytes read "
	    "from each followed file, over its rotations.");
	for (i = 0; i < m->nfiles; i++)
		file_series(f, "mxtally_file_read_bytes_total", &m->files[i],
		    (long long)m->files[i].bytes);
	head(f, "mxtally_file_lines_total", "counter", "Lines read from "
	    "each followed file.");
	for (i = 0; i < m->nfiles; i++)
		file_series(f, "mxtally_file_lines_total", &m->files[i],
		    (long long)m->files[i].lines);
	head(f, "mxtally_file_last_line_timestamp_seconds", "gauge",
	    "Log time of the newest line read from each file (Unix time; "
	    "time() minus it is how far the log is behind).");
	for (i = 0; i < m->nfiles; i++)
		if (m->files[i].last != T_NONE)
			file_series(f, "mxtally_file_last_line_timestamp_seconds",
			    &m->files[i], (long long)unix_time(m->files[i].last));
	head(f, "mxtally_file_unread_bytes", "gauge", "Bytes written to "
	    "each file and not read yet (read lag).");
	for (i = 0; i < m->nfiles; i++)
		if (m->files[i].unread >= 0)
			file_series(f, "mxtally_file_unread_bytes", &m->files[i],
			    (long long)m->files[i].unread);
	head(f, "mxtally_file_rotations_total", "counter", "Rotations of "
	    "each file seen (rename or copytruncate).");
	for (i = 0; i < m->nfiles; i++)
		file_series(f, "mxtally_file_rotations_total", &m->files[i],
		    (long long)m->files[i].rotations);
}

/* The process_* metrics every exporter has, from /proc/self. */
static void
process_write(FILE *f, int64_t started)
{
	FILE		*p;
	unsigned long	 utime = 0, stime = 0;
	long		 rss = 0;
	long		 tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	char		 buf[1024], *c;

	if ((p = fopen("/proc/self/stat", "r")) != NULL) {
		if (fgets(buf, sizeof(buf), p) != NULL &&
		    (c = strrchr(buf, ')')) != NULL)
			sscanf(c + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			    "%*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %*u %ld",
			    &utime, &stime, &rss);
		fclose(p);
	}
	head(f, "process_cpu_seconds_total", "counter", "User and system "
	    "CPU time spent, in seconds.");
	fprintf(f, "process_cpu_seconds_total %.2f\n", tick > 0 ?
	    (double)(utime + stime) / (double)tick : 0.0);
	head(f, "process_resident_memory_bytes", "gauge", "Resident memory "
	    "size in bytes.");
	fprintf(f, "process_resident_memory_bytes %lld\n",
	    (long long)rss * (page > 0 ? page : 4096));
	head(f, "process_start_time_seconds", "gauge", "Start time of the "
	    "process since the Unix epoch, in seconds.");
	fprintf(f, "process_start_time_seconds %lld\n", (long long)started);
}

static void
health_write(FILE *f, const struct metrics_health *h)
{
	process_write(f, h->started);
	head(f, "mxtally_alertmanager_pushes_total", "counter", "Alert "
	    "batches for Alertmanager: sent, failed after every retry, or "
	    "dropped from a full queue.");
	fprintf(f, "mxtally_alertmanager_pushes_total{result=\"sent\"} %llu\n"
	    "mxtally_alertmanager_pushes_total{result=\"failed\"} %llu\n"
	    "mxtally_alertmanager_pushes_total{result=\"dropped\"} %llu\n",
	    (unsigned long long)h->push_sent,
	    (unsigned long long)h->push_failed,
	    (unsigned long long)h->push_dropped);
	head(f, "mxtally_alertmanager_retries_total", "counter", "Posts to "
	    "Alertmanager tried again after a failure.");
	fprintf(f, "mxtally_alertmanager_retries_total %llu\n",
	    (unsigned long long)h->push_retries);
	head(f, "mxtally_alertmanager_queue_length", "gauge", "Alert batches "
	    "waiting for the sender.");
	fprintf(f, "mxtally_alertmanager_queue_length %llu\n",
	    (unsigned long long)h->push_queued);
	head(f, "mxtally_rule_reloads_total", "counter", "SIGHUP reloads of "
	    "the rules, by result.");
	fprintf(f, "mxtally_rule_reloads_total{result=\"ok\"} %llu\n"
	    "mxtally_rule_reloads_total{result=\"failed\"} %llu\n",
	    (unsigned long long)h->reloads,
	    (unsigned long long)h->reload_errors);
	head(f, "mxtally_alert_windows", "gauge", "Alert windows (rule, key) "
	    "kept.");
	fprintf(f, "mxtally_alert_windows %llu\n",
	    (unsigned long long)h->windows);
	head(f, "mxtally_alert_window_overflow_total", "counter", "Events of "
	    "keys that found no window under --max-windows.");
	fprintf(f, "mxtally_alert_window_overflow_total %llu\n",
	    (unsigned long long)h->window_overflow);
	head(f, "mxtally_alert_late_events_total", "counter", "Events older "
	    "than their rule's window of the newest line read.");
	fprintf(f, "mxtally_alert_late_events_total %llu\n",
	    (unsigned long long)h->late_events);
	head(f, "mxtally_join_held_lines", "gauge", "Lines held for a "
	    "join (one failure, several lines or daemons) or a group key.");
	fprintf(f, "mxtally_join_held_lines %llu\n",
	    (unsigned long long)h->join_held);
	head(f, "mxtally_join_evicted_total", "counter", "Held lines let go "
	    "before their join window ended (the cap).");
	fprintf(f, "mxtally_join_evicted_total %llu\n",
	    (unsigned long long)h->join_evicted);
	head(f, "mxtally_join_paired_total", "counter", "MTA and LMTP server "
	    "failures counted as one event.");
	fprintf(f, "mxtally_join_paired_total %llu\n",
	    (unsigned long long)h->join_paired);
}

void
metrics_write(FILE *f, const struct metrics *m, struct alert_eval *e,
    const struct metrics_health *h)
{
	static const char *const code_names[] = { "protocol", "code",
	    "enhanced" };
	static const char *const host_names[] = { "host", "cause" };
	struct firing_ctx	 fc = { f, NULL, NULL, 0, 0, 0, 0 };
	const struct cause_reg	*cr = cause_current();	/* one for the scrape */
	const struct cause_info	*ci;
	int			 i, nc = cause_reg_count(cr);

	fc.max = m->codes.max ? m->codes.max : 1000;
	head(f, "mxtally_lines_total", "counter", "Log lines read.");
	fprintf(f, "mxtally_lines_total %llu\n", (unsigned long long)m->lines);
	head(f, "mxtally_events_total", "counter", "Error events by cause.");
	for (i = 0; i < nc; i++) {
		ci = cause_reg_get(cr, i);
		fprintf(f, "mxtally_events_total{cause=\"%s\",group=", ci->id);
		alert_prom_label(f, ci->group);
		fprintf(f, "} %llu\n", (unsigned long long)m->cause_n[i]);
	}
	head(f, "mxtally_events_by_code_total", "counter", "Error events by "
	    "reply code.");
	kv_write(f, "mxtally_events_by_code_total", &m->codes, code_names, 3,
	    0);
	head(f, "mxtally_events_by_host_total", "counter", "Error events by "
	    "host and cause.");
	kv_write(f, "mxtally_events_by_host_total", &m->hosts, host_names, 2,
	    1);
	traffic_write(f, m);
	files_write(f, m);
	head(f, "mxtally_alerts_firing", "gauge", "Alerts firing now, by "
	    "rule and key.");
	if ((fc.w = open_memstream(&fc.wbuf, &fc.wlen)) == NULL)
		log_die("out of memory");
	if (e != NULL)
		alert_eval_firing(e, firing_one, &fc);
	fclose(fc.w);
	head(f, "mxtally_alert_window_events", "gauge", "Events in the "
	    "window of a firing alert now.");
	fwrite(fc.wbuf, 1, fc.wlen, f);
	free(fc.wbuf);
	head(f, "mxtally_alerts_firing_over_cap", "gauge", "Firing alerts "
	    "not listed (label cap).");
	fprintf(f, "mxtally_alerts_firing_over_cap %llu\n",
	    (unsigned long long)fc.over);
	if (h != NULL)
		health_write(f, h);
}
