/*
 * The trend as text: the answer first (one line per part, so that a
 * script can take line 2), then the window and what it leaves out, then
 * each part on its own with its heading, units and first step (system
 * storage per host, mailbox quota per user, other causes as rates), the
 * events per day by cause and the method. Log data (host and user
 * names) goes through rep_text_str.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/log.h"
#include "mxtally/trend.h"
#include "report_int.h"

#define TT_COLS		78	/* prose wraps here */
#define TT_NAME_MAX	40	/* names are cut to this many columns */

static size_t
name_width(const struct trend_series *v, size_t n, size_t top, size_t min)
{
	size_t	 i, w = min, l;

	for (i = 0; i < n && i < top; i++)
		if ((l = rep_text_str(NULL, v[i].name)) > w)
			w = l;
	return w > TT_NAME_MAX ? TT_NAME_MAX : w;
}

static void
text_name(FILE *out, const char *s, size_t w)
{
	size_t	 used = rep_text_mem(out, s, strlen(s) > w ? w : strlen(s));

	rep_pad(out, used < w ? w - used : 0);
}

static void
text_days(FILE *out, const struct trend *t, const uint64_t *n)
{
	size_t	 i;

	for (i = 0; i < t->nd; i++)
		fprintf(out, "%s%" PRIu64, i ? " " : "", n[i]);
	fputc('\n', out);
}

/* "System storage per host (system_storage, deleted_not_removed)" */
static void
part_heading(FILE *out, const struct trend *t, const struct trend_part *p)
{
	size_t	 i;

	fprintf(out, "\n%s (", rep_trend_words(p->kind)->title);
	for (i = 0; i < p->ncauses; i++) {
		fputs(i ? ", " : "", out);
		rep_text_str(out, t->causes[p->causes[i]]);
	}
	fputs(")\n  ", out);
	rep_text_wrap(out, rep_trend_words(p->kind)->note, 2, 2, TT_COLS);
}

static void
part_advice(FILE *out, const char *lead, const char *advice)
{
	if (advice == NULL || *advice == '\0')
		return;
	fprintf(out, "  %s", lead);
	rep_text_wrap(out, advice, 2 + strlen(lead), 2 + strlen(lead),
	    TT_COLS);
}

/* A system row's name with its store, cut to w columns. */
static void
system_name(FILE *out, const struct trend_series *s, size_t w)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		log_die("cannot build a row: out of memory");
	rep_trend_row_name(f, s);
	if (fclose(f) != 0 || buf == NULL)
		log_die("cannot build a row: out of memory");
	text_name(out, buf, w);
	free(buf);
}

static size_t
system_width(const struct trend *t, const struct trend_part *p)
{
	size_t	 i, w = 4, l;

	for (i = 0; i < p->nrows && i < t->top; i++) {
		l = rep_text_str(NULL, p->rows[i].name);
		if (p->rows[i].free != NULL)
			l += 1 + strlen(p->rows[i].free->store);
		if (l > w)
			w = l;
	}
	return w > TT_NAME_MAX ? TT_NAME_MAX : w;
}

/*
 * One row: its days to full, its basis, where it stands now and how
 * fast it moves (refusals a day, or bytes free), its refusals; a row
 * from free space adds its figures: each recorded day's last, in MiB.
 */
static void
system_row(FILE *out, const struct trend *t, const struct trend_series *s,
    size_t w)
{
	char	 now[32], chg[32], b[32];
	size_t	 i;

	if (s->free != NULL) {
		rep_bytes((uint64_t)s->free->now, now, sizeof(now));
		if (s->free->fit == TREND_FREE_NONE)
			snprintf(chg, sizeof(chg), "-");
		else
			snprintf(chg, sizeof(chg), "%s/day", rep_trend_bytes(
			    s->free->slope, b, sizeof(b)));
	} else {
		snprintf(now, sizeof(now), "%.2f/day", s->now);
		snprintf(chg, sizeof(chg), "%+.2f/day", s->slope);
	}
	fputs("  ", out);
	system_name(out, s, w);
	if (s->days_full < 0)
		fprintf(out, "  %12s", "-");
	else
		fprintf(out, "  %12ld", s->days_full);
	fprintf(out, "  %-22s  %13s  %16s  %6" PRIu64 "  ",
	    trend_basis_words(s->basis), now, chg, s->total);
	text_days(out, t, s->n);
	if (s->free == NULL)
		return;
	fputs("    free space, last figure a day (MiB):", out);
	for (i = 0; i < t->nd; i++)
		if (s->free->last[i] < 0)
			fputs(" -", out);
		else
			fprintf(out, " %.1f", (double)s->free->last[i] /
			    (1024.0 * 1024.0));
	if (s->free->fit == TREND_FREE_WITHIN_DAY)
		fprintf(out, "; within the day: %.1f to %.1f",
		    (double)s->free->first / (1024.0 * 1024.0),
		    (double)s->free->last[s->free->newest] /
		    (1024.0 * 1024.0));
	fputc('\n', out);
}

static void
text_system(FILE *out, const struct trend *t, const struct trend_part *p)
{
	size_t	 i, w = system_width(t, p);
	char	 note[160];

	part_heading(out, t, p);
	snprintf(note, sizeof(note), "days to full: to 0 bytes free (from "
	    "logged free space) or to %g refusals a day (from event counts)",
	    t->threshold);
	fputs("  ", out);
	rep_text_wrap(out, note, 2, 2, TT_COLS);
	if (p->nrows == 0) {
		fputs("  none: no host refused mail for lack of space\n", out);
		return;
	}
	fputs("  ", out);
	text_name(out, "host", w);
	fprintf(out, "  %12s  %-22s  %13s  %16s  %6s  refusals per day\n",
	    "days to full", "basis", "now", "change/day", "total");
	for (i = 0; i < p->nrows && i < t->top; i++)
		system_row(out, t, &p->rows[i], w);
	if (p->nrows > t->top)
		fprintf(out, "  %zu more hosts (--top)\n", p->nrows - t->top);
	part_advice(out, "first step: ", rep_trend_advice(t, p));
}

static void
text_quota(FILE *out, const struct trend *t, const struct trend_part *p)
{
	size_t	 i, w = name_width(p->rows, p->nrows, t->top, 4);

	part_heading(out, t, p);
	if (p->nrows == 0) {
		fputs("  none: no user was over quota\n", out);
		return;
	}
	fputs("  users over quota a day: ", out);
	for (i = 0; i < t->nd; i++)
		fprintf(out, "%s%" PRIu64, i ? " " : "", p->keys.n[i]);
	fprintf(out, " (%s, %+.2f/day each day)\n", trend_direction(&p->keys),
	    p->keys.slope);
	fputs("  ", out);
	text_name(out, "user", w);
	fprintf(out, "  %6s  %5s  %-12s  %9s  %6s  per day\n", "newest",
	    "days", "trend", "slope/day", "total");
	for (i = 0; i < p->nrows && i < t->top; i++) {
		const struct trend_series *s = &p->rows[i];
		char days[32];

		snprintf(days, sizeof(days), "%zu/%zu", s->days, t->nd);
		fputs("  ", out);
		text_name(out, s->name, w);
		fprintf(out, "  %6" PRIu64 "  %5s  %-12s  %+9.2f  %6" PRIu64
		    "  ", s->n[t->nd - 1], days, trend_direction(s), s->slope,
		    s->total);
		text_days(out, t, s->n);
	}
	if (p->nrows > t->top)
		fprintf(out, "  %zu more users (--top)\n", p->nrows - t->top);
	part_advice(out, "first step: ", rep_trend_advice(t, p));
	part_advice(out, "many users: ", "When many users are over quota, or "
	    "their number rises day after day, the default quota is too "
	    "small for how the mail is used: raise it, and the storage "
	    "behind it.");
}

static void
rate_row(FILE *out, const struct trend *t, const struct trend_series *s,
    size_t w)
{
	fputs("  ", out);
	text_name(out, s->name, w);
	fprintf(out, "  %-12s  %+9.2f  %8.2f  %6" PRIu64 "  ",
	    trend_direction(s), s->slope, s->now, s->total);
	text_days(out, t, s->n);
}

static void
text_rates(FILE *out, const struct trend *t, const struct trend_part *p)
{
	const struct trend_series	*s;
	size_t				 i, w = 5, l;

	part_heading(out, t, p);
	for (i = 0; i < p->ncauses; i++)
		if ((l = strlen(t->causes[p->causes[i]])) > w)
			w = l;
	fputs("  ", out);
	text_name(out, "cause", w);
	fprintf(out, "  %-12s  %9s  %8s  %6s  per day\n", "trend",
	    "slope/day", "now/day", "total");
	for (i = 0; i < p->ncauses; i++)
		rate_row(out, t, &t->rates[p->causes[i]], w);
	if (p->nrows > 0) {
		w = name_width(p->rows, p->nrows, t->top, 4);
		fputs("  ", out);
		text_name(out, "host", w);
		fprintf(out, "  %-12s  %9s  %8s  %6s  per day\n", "trend",
		    "slope/day", "now/day", "total");
		for (i = 0; i < p->nrows && i < t->top; i++)
			rate_row(out, t, &p->rows[i], w);
	}
	for (i = 0; i < p->ncauses; i++) {
		char lead[64];
		int c;

		s = &t->rates[p->causes[i]];
		if (strcmp(trend_direction(s), "rising") != 0 ||
		    (c = cause_find(s->name, strlen(s->name))) == CAUSE_NONE)
			continue;
		snprintf(lead, sizeof(lead), "%.40s rises: ", s->name);
		part_advice(out, lead, cause_get(c)->advice);
	}
}

static void
text_daily(FILE *out, const struct trend *t)
{
	char	 day[16];
	size_t	 i, c;

	fputs("\nPer day\n  day         events", out);
	for (c = 0; c < t->ncauses; c++) {
		fputs("  ", out);
		rep_text_str(out, t->causes[c]);
	}
	fputc('\n', out);
	for (i = 0; i < t->nd; i++) {
		fprintf(out, "  %s  %6" PRIu64, trend_day(t->dn[i], day,
		    sizeof(day)), t->day_events[i]);
		for (c = 0; c < t->ncauses; c++)
			fprintf(out, "  %*" PRIu64, (int)strlen(t->causes[c]),
			    t->rates[c].n[i]);
		fputc('\n', out);
	}
}

/* The answers, one line per part, then the window. */
static void
text_head(FILE *out, const struct trend *t)
{
	char	 a[16], b[16], *s;
	size_t	 c;
	int	 k;

	for (k = 0; k < TREND_KINDS; k++)
		if ((s = rep_trend_sentence(t, (enum trend_kind)k)) != NULL) {
			rep_text_str(out, s);
			fputc('\n', out);
			free(s);
		}
	fputs("history '", out);
	rep_text_str(out, t->db);
	fprintf(out, "': %s .. %s, %zu of %d days recorded\ncauses:",
	    trend_day(t->day0, a, sizeof(a)), trend_day(t->dn[t->nd - 1], b,
	    sizeof(b)), t->nd, t->days);
	for (c = 0; c < t->ncauses; c++) {
		fputs(c ? ", " : " ", out);
		rep_text_str(out, t->causes[c]);
	}
	fputc('\n', out);
	if ((s = rep_trend_gaps(t)) != NULL) {
		rep_text_str(out, s);	/* one line: scripts grep it */
		fputc('\n', out);
		free(s);
	}
	if ((s = rep_trend_older(t)) != NULL) {
		rep_text_str(out, s);	/* one line: scripts grep it */
		fputc('\n', out);
		free(s);
	}
}

int
report_trend_text(FILE *out, const struct trend *t)
{
	fprintf(out, "mxtally trend: %s\n", rep_trend_question(t));
	if (t->nd == 0) {
		fputs("No runs recorded yet in '", out);
		rep_text_str(out, t->db);
		fputs("': run mxtally --history on each night's log.\n", out);
		return fflush(out) == EOF || ferror(out) ? -1 : 0;
	}
	text_head(out, t);
	if (t->part[TREND_SYSTEM].ncauses > 0)
		text_system(out, t, &t->part[TREND_SYSTEM]);
	if (t->part[TREND_QUOTA].ncauses > 0)
		text_quota(out, t, &t->part[TREND_QUOTA]);
	if (t->part[TREND_RATE].ncauses > 0)
		text_rates(out, t, &t->part[TREND_RATE]);
	text_daily(out, t);
	fputc('\n', out);
	rep_text_wrap(out, rep_trend_method, 0, 0, TT_COLS);
	return fflush(out) == EOF || ferror(out) ? -1 : 0;
}
