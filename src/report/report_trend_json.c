/*
 * The trend as JSON, schema mxtally-trend/2: the answers, the window
 * (and the recorded days it leaves out), the events per day and cause,
 * each cause's line, and the three parts as separate objects (system
 * per host, quota per user, rates per host), null when the part counts
 * no cause. Version 1 listed hosts and users with every storage cause
 * mixed; version 2 has no top-level "hosts" or "users". Every string
 * goes through rep_json_str.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/report.h"
#include "mxtally/trend.h"
#include "report_int.h"

static void
json_days(FILE *out, const struct trend *t, const uint64_t *n)
{
	size_t	 i;

	fputc('[', out);
	for (i = 0; i < t->nd; i++)
		fprintf(out, "%s%" PRIu64, i ? ", " : "", n[i]);
	fputc(']', out);
}

/* ", \"slope\": 1.5000, \"now\": ..., \"trend\": \"rising\"" */
static void
json_line(FILE *out, const struct trend_series *s)
{
	if (s->fit)
		fprintf(out, ", \"slope\": %.4f", s->slope);
	else
		fputs(", \"slope\": null", out);
	fprintf(out, ", \"now\": %.4f, \"trend\": \"%s\"", s->now,
	    trend_direction(s));
}

static const char *const free_fits[] = {
	[TREND_FREE_NONE] = "none",
	[TREND_FREE_DAYS] = "days",
	[TREND_FREE_WITHIN_DAY] = "within_day",
};

static void
json_time(FILE *out, const char *key, int64_t t)
{
	char	 buf[32];

	fprintf(out, ", \"%s\": ", key);
	if (t < 0)
		fputs("null", out);
	else
		fprintf(out, "\"%s\"", report_time(t, buf, sizeof(buf)));
}

/*
 * A row from logged free space: its store, each recorded day's last
 * figure (null: none logged), how the fall was measured, the bytes
 * free now and their change a day, the hours to 0 bytes, and the
 * newest day's first and last figures with their times.
 */
static void
json_free(FILE *out, const struct trend *t, const struct trend_free *f)
{
	size_t	 i;

	fputs(", \"store\": ", out);
	rep_json_str(out, f->store);
	fputs(", \"free_bytes\": [", out);
	for (i = 0; i < t->nd; i++)
		if (f->last[i] < 0)
			fputs(i ? ", null" : "null", out);
		else
			fprintf(out, "%s%" PRId64, i ? ", " : "", f->last[i]);
	fprintf(out, "], \"free_fit\": \"%s\", \"free_now\": %.0f, "
	    "\"free_change_per_day\": ", free_fits[f->fit], f->now);
	if (f->fit == TREND_FREE_NONE)
		fputs("null", out);
	else
		fprintf(out, "%.0f", f->slope);
	fputs(", \"hours_to_full\": ", out);
	if (f->hours < 0)
		fputs("null", out);
	else
		fprintf(out, "%.2f", f->hours);
	fprintf(out, ", \"newest_first\": %" PRId64, f->first);
	json_time(out, "newest_first_at", f->first_at);
	fprintf(out, ", \"newest_last\": %" PRId64, f->last[f->newest]);
	json_time(out, "newest_last_at", f->last_at);
}

static void
json_row(FILE *out, const struct trend *t, const struct trend_part *p,
    const struct trend_series *s)
{
	fprintf(out, "{\"%s\": ", rep_trend_words(p->kind)->key);
	rep_json_str(out, s->name);
	fputs(", \"events\": ", out);
	json_days(out, t, s->n);
	fprintf(out, ", \"total\": %" PRIu64 ", \"days\": %zu", s->total,
	    s->days);
	if (p->kind == TREND_QUOTA)
		fprintf(out, ", \"newest\": %" PRIu64, t->nd ?
		    s->n[t->nd - 1] : 0);
	json_line(out, s);
	if (p->kind == TREND_SYSTEM) {
		fputs(", \"days_to_threshold\": ", out);
		if (s->days_to < 0)
			fputs("null", out);
		else
			fprintf(out, "%ld", s->days_to);
		fprintf(out, ", \"basis\": \"%s\", \"days_to_full\": ",
		    trend_basis_id(s->basis));
		if (s->days_full < 0)
			fputs("null", out);
		else
			fprintf(out, "%ld", s->days_full);
		if (s->free != NULL)
			json_free(out, t, s->free);
	}
	fputc('}', out);
}

static void
json_part(FILE *out, const struct trend *t, const struct trend_part *p)
{
	const struct rep_trend_words	*w = rep_trend_words(p->kind);
	char				*s;
	size_t				 i;

	fprintf(out, ",\n  \"%s\": ", w->id);
	if (p->ncauses == 0) {
		fputs("null", out);
		return;
	}
	fputs("{\n    \"title\": ", out);
	rep_json_str(out, w->title);
	fputs(",\n    \"answer\": ", out);
	if ((s = rep_trend_sentence(t, p->kind)) != NULL) {
		rep_json_str(out, s);
		free(s);
	} else {
		fputs("null", out);
	}
	fputs(",\n    \"causes\": [", out);
	for (i = 0; i < p->ncauses; i++) {
		fputs(i ? ", " : "", out);
		rep_json_str(out, t->causes[p->causes[i]]);
	}
	fprintf(out, "],\n    \"unit\": \"%s per %s per day\",\n"
	    "    \"advice\": ", w->unit, w->key);
	rep_json_str(out, rep_trend_advice(t, p));
	fputs(",\n    \"events\": ", out);
	json_days(out, t, p->all.n);
	fprintf(out, ",\n    \"%s_per_day\": ", w->keys);
	json_days(out, t, p->keys.n);
	fprintf(out, ",\n    \"%s_per_day_line\": {\"total\": %" PRIu64,
	    w->keys, p->keys.total);
	json_line(out, &p->keys);
	fprintf(out, "},\n    \"%s_total\": %zu,\n    \"%s\": [", w->keys,
	    p->nrows, w->keys);
	for (i = 0; i < p->nrows && i < t->top; i++) {
		fputs(i ? ",\n      " : "\n      ", out);
		json_row(out, t, p, &p->rows[i]);
	}
	fputs(i ? "\n    ]\n  }" : "]\n  }", out);
}

static void
json_daily(FILE *out, const struct trend *t)
{
	char	 day[16];
	size_t	 i, c;

	fputs(",\n  \"days\": [", out);
	for (i = 0; i < t->nd; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : "",
		    trend_day(t->dn[i], day, sizeof(day)));
	fputs("],\n  \"daily\": [", out);
	for (i = 0; i < t->nd; i++) {
		fprintf(out, "%s\n    {\"day\": \"%s\", \"events\": %" PRIu64
		    ", \"causes\": {", i ? "," : "", trend_day(t->dn[i], day,
		    sizeof(day)), t->day_events[i]);
		for (c = 0; c < t->ncauses; c++) {
			fputs(c ? ", " : "", out);
			rep_json_str(out, t->causes[c]);
			fprintf(out, ": %" PRIu64, t->rates[c].n[i]);
		}
		fputs("}}", out);
	}
	fputs(t->nd ? "\n  ]" : "]", out);
	fputs(",\n  \"by_cause\": [", out);
	for (c = 0; c < t->ncauses && t->rates != NULL; c++) {
		fputs(c ? ",\n    {\"cause\": " : "\n    {\"cause\": ", out);
		rep_json_str(out, t->causes[c]);
		fprintf(out, ", \"part\": \"%s\", \"events\": ",
		    rep_trend_words(trend_kind_of(t->causes[c]))->id);
		json_days(out, t, t->rates[c].n);
		fprintf(out, ", \"total\": %" PRIu64, t->rates[c].total);
		json_line(out, &t->rates[c]);
		fputc('}', out);
	}
	fputs(c ? "\n  ]" : "]", out);
}

/* The days from the window's first to its newest without a run. */
static void
json_gaps(FILE *out, const struct trend *t)
{
	char	 a[16];
	size_t	 i = 0, n = 0;
	long	 d;

	if (t->nd == 0)
		return;
	for (d = t->day0; d <= t->dn[t->nd - 1]; d++) {
		if (i < t->nd && t->dn[i] == d) {
			i++;
			continue;
		}
		fprintf(out, "%s\"%s\"", n++ ? ", " : "", trend_day(d, a,
		    sizeof(a)));
	}
}

static void
json_window(FILE *out, const struct trend *t)
{
	char	 a[16], b[16];

	fprintf(out, ",\n  \"window_days\": %d,\n  \"window\": {", t->days);
	if (t->nd > 0)
		fprintf(out, "\"first\": \"%s\", \"last\": \"%s\", ",
		    trend_day(t->day0, a, sizeof(a)), trend_day(t->dn[t->nd -
		    1], b, sizeof(b)));
	else
		fputs("\"first\": null, \"last\": null, ", out);
	fprintf(out, "\"days\": %d, \"recorded\": %zu, \"unrecorded\": [",
	    t->days, t->nd);
	json_gaps(out, t);
	fprintf(out, "]},\n  \"days_before_window\": %ld,\n"
	    "  \"earliest_day\": ", t->older);
	if (t->earliest >= 0 && t->nd > 0)
		fprintf(out, "\"%s\"", trend_day(t->earliest, a, sizeof(a)));
	else
		fputs("null", out);
}

int
report_trend_json(FILE *out, const struct trend *t)
{
	char	*s;
	size_t	 c, n = 0;
	int	 k;

	fputs("{\n  \"schema\": \"mxtally-trend/2\",\n  \"history\": ", out);
	rep_json_str(out, t->db);
	fprintf(out, ",\n  \"question\": \"%s\",\n  \"answers\": [",
	    rep_trend_question(t));
	for (k = 0; k < TREND_KINDS; k++)
		if ((s = rep_trend_sentence(t, (enum trend_kind)k)) != NULL) {
			fputs(n++ ? ", " : "", out);
			rep_json_str(out, s);
			free(s);
		}
	fputc(']', out);
	json_window(out, t);
	fprintf(out, ",\n  \"threshold\": %g,\n  \"method\": ", t->threshold);
	rep_json_str(out, rep_trend_method);
	fputs(",\n  \"causes\": [", out);
	for (c = 0; c < t->ncauses; c++) {
		fputs(c ? ", " : "", out);
		rep_json_str(out, t->causes[c]);
	}
	fputc(']', out);
	json_daily(out, t);
	for (k = 0; k < TREND_KINDS; k++)
		json_part(out, t, &t->part[k]);
	fputs("\n}\n", out);
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}
