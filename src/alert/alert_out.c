/*
 * Writers for fired alerts: JSON lines (fields as the JSON report's
 * "alerts" array, interface.md), the monitoring-plugin status line with
 * perfdata per cause, and the Prometheus text exposition format. Keys
 * come from log lines and are escaped for each format.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/alert.h"
#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "mxtally/report.h"

static const char *const sev_names[] = { "ok", "warning", "critical" };
static const char *const by_names[] = { "none", "host", "user", "client" };

/*
 * Label values must be valid UTF-8, or Prometheus drops the whole scrape.
 * A byte that starts no well-formed sequence stands for U+0000..U+00FF
 * (as \u00XX in the JSON report): deterministic, and two keys that differ
 * in such a byte stay two series.
 */
void
alert_prom_label(FILE *f, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	putc('"', f);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p++);
		else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if ((n = rep_utf8_len(p)) > 0) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			putc(0xc0 | (*p >> 6), f);
			putc(0x80 | (*p & 0x3f), f);
			p++;
		}
	}
	putc('"', f);
}

int
alert_write_jsonl(FILE *f, const struct alert *v, size_t n)
{
	char	 first[32], last[32], win[32];
	size_t	 i;

	for (i = 0; i < n; i++) {
		alert_fmt_window(v[i].rule->window, win, sizeof(win));
		fputs("{\"rule\":", f);
		rep_json_str(f, v[i].rule->name);
		fprintf(f, ",\"severity\":\"%s\",\"by\":\"%s\",\"key\":",
		    sev_names[v[i].rule->severity], by_names[v[i].rule->by]);
		rep_json_str(f, v[i].key);
		fprintf(f, ",\"value\":%llu,\"threshold\":%llu,"
		    "\"window\":\"%s\",\"first\":\"%s\",\"last\":\"%s\","
		    "\"events\":%llu,\"firing\":%s}\n",
		    (unsigned long long)v[i].value,
		    (unsigned long long)v[i].rule->threshold, win,
		    report_time(v[i].first, first, sizeof(first)),
		    report_time(v[i].last, last, sizeof(last)),
		    (unsigned long long)v[i].events,
		    v[i].firing ? "true" : "false");
	}
	return ferror(f) ? -1 : 0;
}

/* "rule key (5 in 10m)": the key is log data, printable bytes only. */
static void
nagios_alert(FILE *f, const struct alert *a)
{
	char		 win[32];
	const char	*p;

	alert_fmt_window(a->rule->window, win, sizeof(win));
	fputs(a->rule->name, f);
	if (a->key[0] != '\0') {
		putc(' ', f);
		for (p = a->key; *p != '\0'; p++)
			putc(*p == '|' || (unsigned char)*p < 0x20 ? '_' : *p,
			    f);
	}
	fprintf(f, " (%llu in %s)", (unsigned long long)a->current, win);
}

/*
 * A perfdata label: quoted when it holds more than [A-Za-z0-9_.:-]; a
 * quote or '=' (which the guidelines forbid) becomes '_'.
 */
static void
nagios_label(FILE *f, const char *prefix, const char *s)
{
	const char	*p;
	int		 quote = 0;

	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("_.:-", *p) != NULL))
			quote = 1;
	if (quote)
		putc('\'', f);
	fputs(prefix, f);
	for (p = s; *p != '\0'; p++)
		putc(*p == '\'' || *p == '=' || (unsigned char)*p < 0x20 ||
		    *p == '|' ? '_' : *p, f);
	if (quote)
		putc('\'', f);
}

/*
 * The monitoring-plugin status of the alerts firing now (a->firing):
 * CRITICAL or WARNING by the worst severity firing, UNKNOWN when an input
 * could not be read and nothing critical fires (a CRITICAL is never
 * hidden by a read error; both are said), OK otherwise. Perfdata, as the
 * plugin guidelines lay them out ('label'=value[UOM];warn;crit;min): per
 * rule the highest count of one of its windows at the end, with the
 * rule's threshold as its warn or crit level; per cause the events read
 * in this run, a counter ("c").
 */
int
alert_write_nagios(FILE *f, const struct alert_set *s,
    const struct alert *v, size_t n, const uint64_t *cause_events,
    int unreadable)
{
	static const char *const status[] = { "OK", "WARNING", "CRITICAL",
	    "UNKNOWN" };
	size_t		 i, k, nf = 0;
	int		 rc = 0, nc = cause_count();

	for (i = 0; i < n; i++)
		if (v[i].firing) {
			nf++;
			if (v[i].rule->severity > rc)
				rc = v[i].rule->severity;
		}
	if (unreadable && rc != SEV_CRITICAL)
		rc = 3;
	fprintf(f, "MXTALLY %s - ", status[rc]);
	if (unreadable)
		fputs("an input could not be read; ", f);
	if (nf == 0)
		fputs("no alert firing", f);
	else
		fprintf(f, "%zu alert%s firing: ", nf, nf == 1 ? "" : "s");
	for (i = k = 0; i < n && k < 5; i++) {
		if (!v[i].firing)
			continue;
		if (k++ > 0)
			fputs(", ", f);
		nagios_alert(f, &v[i]);
	}
	if (nf > 5)
		fprintf(f, ", and %zu more", nf - 5);
	fputs(" |", f);
	for (i = 0; i < s->n; i++) {
		putc(' ', f);
		nagios_label(f, "rule_", s->rules[i].name);
		fprintf(f, "=%llu;", s->current != NULL ?
		    (unsigned long long)s->current[i] : 0ULL);
		if (s->rules[i].severity == SEV_WARNING)
			fprintf(f, "%llu;;0",
			    (unsigned long long)s->rules[i].threshold);
		else
			fprintf(f, ";%llu;0",
			    (unsigned long long)s->rules[i].threshold);
	}
	for (i = 0; i < (size_t)nc; i++) {
		putc(' ', f);
		nagios_label(f, "", cause_get((int)i)->id);
		fprintf(f, "=%lluc;;;0", (unsigned long long)cause_events[i]);
	}
	putc('\n', f);
	return ferror(f) ? 3 : rc;
}

static int
alert_key_cmp(const void *a, const void *b)
{
	const struct alert	*x = *(const struct alert *const *)a;
	const struct alert	*y = *(const struct alert *const *)b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* mxtally_alert_value: one series per (rule, key), its highest peak. */
static void
prom_alert_values(FILE *f, const struct alert *v, size_t n)
{
	const struct alert	**p = xcalloc(n + 1, sizeof(*p));
	uint64_t		 peak;
	size_t			 i, k;

	for (i = 0; i < n; i++)
		p[i] = &v[i];
	qsort(p, n, sizeof(*p), alert_key_cmp);
	fputs("# HELP mxtally_alert_value Highest count of events within one "
	    "window of a fired alert.\n# TYPE mxtally_alert_value gauge\n", f);
	for (i = 0; i < n; i = k) {
		peak = p[i]->value;
		for (k = i + 1; k < n && alert_key_cmp(&p[i], &p[k]) == 0; k++)
			if (p[k]->value > peak)
				peak = p[k]->value;
		fputs("mxtally_alert_value{rule=", f);
		alert_prom_label(f, p[i]->rule->name);
		fputs(",key=", f);
		alert_prom_label(f, p[i]->key);
		fprintf(f, ",severity=\"%s\"} %llu\n",
		    sev_names[p[i]->rule->severity], (unsigned long long)peak);
	}
	free(p);
}

int
alert_write_prometheus(FILE *f, const struct alert_set *s,
    const struct alert *v, size_t n, const uint64_t *cause_events,
    uint64_t lines)
{
	const struct cause_info	*ci;
	size_t			 i, k, fired;
	int			 nc = cause_count();

	fprintf(f, "# HELP mxtally_lines_total Log lines read.\n"
	    "# TYPE mxtally_lines_total counter\n"
	    "mxtally_lines_total %llu\n", (unsigned long long)lines);
	fputs("# HELP mxtally_events_total Error events by cause.\n"
	    "# TYPE mxtally_events_total counter\n", f);
	for (i = 0; i < (size_t)nc; i++) {
		ci = cause_get((int)i);
		fprintf(f, "mxtally_events_total{cause=\"%s\",group=", ci->id);
		alert_prom_label(f, ci->group);
		fprintf(f, "} %llu\n", (unsigned long long)cause_events[i]);
	}
	fputs("# HELP mxtally_alerts_fired Alert episodes fired, by rule.\n"
	    "# TYPE mxtally_alerts_fired gauge\n", f);
	for (i = 0; i < s->n; i++) {
		for (k = fired = 0; k < n; k++)
			fired += v[k].rule == &s->rules[i];
		fputs("mxtally_alerts_fired{rule=", f);
		alert_prom_label(f, s->rules[i].name);
		fprintf(f, ",severity=\"%s\"} %zu\n",
		    sev_names[s->rules[i].severity], fired);
	}
	prom_alert_values(f, v, n);
	return ferror(f) ? -1 : 0;
}
