/*
 * What the trend writers (report_trend_text.c, _json.c, _html.c) share:
 * which part a cause belongs to, the words of each part (title, units,
 * first step), the one-sentence answers that open every output and the
 * note on recorded days older than the window. The sentences are built
 * once here with names raw, and each writer escapes the whole sentence
 * for its format, so the three say the same thing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "mxtally/trend.h"
#include "report_int.h"

#define TREND_FLAT	0.005	/* |slope| below this many a day: flat */

static const struct rep_trend_words words[TREND_KINDS] = {
	[TREND_SYSTEM] = {
		"system", "System storage per host", "host", "hosts",
		"refusals",
		"A server's queue, spool or mail store is short of space: "
		"counted per host, never per user.",
	},
	[TREND_QUOTA] = {
		"quota", "Mailbox quota per user", "user", "users",
		"refusals",
		"One user's mailbox is full: counted per user, never per "
		"host.",
	},
	[TREND_RATE] = {
		"rates", "Rising or falling", "host", "hosts", "events",
		"Causes that are not about space: whether each one is rising, "
		"and the hosts where it rises fastest.",
	},
};

const char rep_trend_method[] =
    "Method: a least-squares line through the events of each recorded "
    "day of the window (days without a recorded run are left out, not "
    "counted as zero). System storage is counted per host. Where the "
    "server logged its free space (Postfix's mail queue, Exim's spool "
    "and log directories), the row of that host and store is from "
    "logged free space: a line through each recorded day's last figure "
    "(with figures on one day only, the fall from that day's first "
    "figure to its last), and \"days to full\" is how many days after "
    "the newest day that line reaches 0 bytes free. A host without "
    "such figures is from event counts: \"days to full\" is how many "
    "days after the newest day its line of refusals reaches N a day "
    "(the threshold); these are refusal rates, not the date a disk "
    "fills up. 0 = already there, \"-\" = not heading there. Mailbox "
    "quota is counted per user: a refusal means that mailbox is full, "
    "so the users refused on the newest day come first, and the number "
    "of users over quota a day has its own line.";

const char *
trend_basis_id(enum trend_basis b)
{
	return b == TREND_BYTES ? "free_space_bytes" : "event_counts";
}

const char *
trend_basis_words(enum trend_basis b)
{
	return b == TREND_BYTES ? "from logged free space" :
	    "from event counts";
}

/* "mx1 queue" for a row from free space, "mx1" for one from refusals */
void
rep_trend_row_name(FILE *f, const struct trend_series *s)
{
	fputs(s->name, f);
	if (s->free != NULL)
		fprintf(f, " %s", s->free->store);
}

/* "-1.2 GiB" for a change of bytes */
char *
rep_trend_bytes(double v, char *buf, size_t len)
{
	char	 b[32];

	rep_bytes((uint64_t)(v < 0 ? -v : v), b, sizeof(b));
	snprintf(buf, len, "%s%s", v < 0 ? "-" : v > 0 ? "+" : "", b);
	return buf;
}

const struct rep_trend_words *
rep_trend_words(enum trend_kind k)
{
	return &words[k < TREND_KINDS ? k : TREND_RATE];
}

enum trend_kind
trend_kind_of(const char *id)
{
	int		 c = cause_find(id, strlen(id));
	const char	*g;

	if (c == CAUSE_NONE)
		return TREND_RATE;
	g = cause_get(c)->group;
	if (g == NULL || strcmp(g, "storage") != 0)
		return TREND_RATE;
	return strstr(id, "quota") != NULL ? TREND_QUOTA : TREND_SYSTEM;
}

const char *
trend_direction(const struct trend_series *s)
{
	if (!s->fit)
		return "too few days";
	return s->slope > TREND_FLAT ? "rising" : s->slope < -TREND_FLAT ?
	    "falling" : "flat";
}

int
trend_storage(const struct trend *t)
{
	return t->part[TREND_SYSTEM].ncauses > 0 ||
	    t->part[TREND_QUOTA].ncauses > 0;
}

char *
trend_day(long n, char *buf, size_t len)
{
	time_t		 tt = (time_t)n * 86400;
	struct tm	 tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

const char *
rep_trend_question(const struct trend *t)
{
	return trend_storage(t) ? "where will we run out of space next" :
	    "are these errors rising or falling";
}

const char *
rep_trend_advice(const struct trend *t, const struct trend_part *p)
{
	int	 c;

	if (p->ncauses == 0)
		return "";
	c = cause_find(t->causes[p->causes[0]],
	    strlen(t->causes[p->causes[0]]));
	return c == CAUSE_NONE ? "" : cause_get(c)->advice;
}

/*
 * Where one system row leads, on its basis: "mx2 is already at 6.10
 * refusals a day (threshold 5/day, from event counts)", "mx1 reaches 5
 * refusals a day in 2 days (2026-12-09) at +0.70/day each day (now
 * 3.90/day, from event counts)", "mx4 queue has 500.0 MiB free, falling 100.0 MiB a
 * day: empty in 5 days (2026-12-12) (from logged free space)".
 */
static void
row_sentence(FILE *f, const struct trend *t, const struct trend_series *s)
{
	const struct trend_free	*fr = s->free;
	char			 day[16], a[32], b[32];

	rep_trend_row_name(f, s);
	trend_day(t->dn[t->nd - 1] + s->days_full, day, sizeof(day));
	if (s->basis == TREND_EVENTS && s->days_full == 0)
		fprintf(f, " is already at %.2f refusals a day (threshold "
		    "%g/day, from event counts)", s->now, t->threshold);
	else if (s->basis == TREND_EVENTS)
		fprintf(f, " reaches %g refusals a day in %ld day%s (%s) at "
		    "%+.2f/day each day (now %.2f/day, from event counts)",
		    t->threshold, s->days_full, s->days_full == 1 ? "" : "s",
		    day, s->slope, s->now);
	else if (s->days_full == 0)
		fputs(" is out of free space (from logged free space)", f);
	else if (fr->fit == TREND_FREE_WITHIN_DAY && fr->hours < 24)
		fprintf(f, " has %s free, falling %s an hour: empty about "
		    "%.0f hours after its last figure (from logged free space)",
		    rep_bytes((uint64_t)fr->now, a, sizeof(a)),
		    rep_bytes((uint64_t)(-fr->slope / 24), b, sizeof(b)),
		    fr->hours);
	else
		fprintf(f, " has %s free, falling %s a day: empty in %ld "
		    "day%s (%s) (from logged free space)",
		    rep_bytes((uint64_t)fr->now, a, sizeof(a)),
		    rep_bytes((uint64_t)-fr->slope, b, sizeof(b)),
		    s->days_full, s->days_full == 1 ? "" : "s", day);
}

static void
system_sentence(FILE *f, const struct trend *t, const struct trend_part *p)
{
	const struct trend_series	*s = p->nrows ? &p->rows[0] : NULL;
	size_t				 i;

	fputs("System storage (per host): ", f);
	if (s == NULL) {
		fputs("no refusals and no free space logged in this window.",
		    f);
		return;
	}
	if (s->days_full < 0) {
		fputs("no host is on course to run out (free space not "
		    "falling, refusals not rising).", f);
		return;
	}
	if (s->days_full > 0)
		fputs("next to run out: ", f);
	row_sentence(f, t, s);
	for (i = 1; i < p->nrows; i++)
		if (p->rows[i].days_full >= 0)
			break;
	if (i < p->nrows) {
		fputs(s->days_full > 0 ? "; then " : "; next: ", f);
		row_sentence(f, t, &p->rows[i]);
	}
	fputc('.', f);
}

static void
quota_sentence(FILE *f, const struct trend *t, const struct trend_part *p)
{
	const struct trend_series	*s = p->nrows ? &p->rows[0] : NULL;
	uint64_t			 u = p->keys.n[t->nd - 1];
	char				 day[16];

	trend_day(t->dn[t->nd - 1], day, sizeof(day));
	fputs("Mailbox quota (per user): ", f);
	if (s == NULL) {
		fputs("no user over quota in this window.", f);
		return;
	}
	if (u == 0)
		fprintf(f, "no user refused on %s (%zu earlier in the window)",
		    day, p->nrows);
	else
		fprintf(f, "%llu user%s over quota on %s, most refused %s "
		    "(%llu)", (unsigned long long)u, u == 1 ? "" : "s", day,
		    s->name, (unsigned long long)s->n[t->nd - 1]);
	fprintf(f, "; users over quota a day: %s (%+.2f/day each day).",
	    trend_direction(&p->keys), p->keys.slope);
}

/* "auth_failure: flat, +0.00 events/day each day (now 1.00/day)." */
static void
rate_sentence(FILE *f, const struct trend *t, const struct trend_part *p)
{
	const struct trend_series	*s;
	size_t				 i;

	for (i = 0; i < p->ncauses; i++) {
		s = &t->rates[p->causes[i]];
		fprintf(f, "%s%s: %s, %+.2f events/day each day (now %.2f/"
		    "day)", i ? "; " : "", s->name, trend_direction(s),
		    s->slope, s->now);
	}
	fputc('.', f);
}

char *
rep_trend_sentence(const struct trend *t, enum trend_kind k)
{
	const struct trend_part	*p = &t->part[k];
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f;

	if (p->ncauses == 0 || t->nd == 0)
		return NULL;
	if ((f = open_memstream(&buf, &len)) == NULL)
		log_die("cannot build a sentence: out of memory");
	if (k == TREND_SYSTEM)
		system_sentence(f, t, p);
	else if (k == TREND_QUOTA)
		quota_sentence(f, t, p);
	else
		rate_sentence(f, t, p);
	if (fclose(f) != 0 || buf == NULL)
		log_die("cannot build a sentence: out of memory");
	return buf;
}

#define GAPS_SHOWN	5	/* unrecorded days named in a sentence */

char *
rep_trend_gaps(const struct trend *t)
{
	char	 a[16], *buf = NULL;
	size_t	 len = 0, i, shown = 0;
	long	 d, gaps, last;
	FILE	*f;

	if (t->nd == 0)
		return NULL;
	last = t->dn[t->nd - 1];
	gaps = (last - t->day0 + 1) - (long)t->nd;
	if (gaps <= 0)
		return NULL;
	if ((f = open_memstream(&buf, &len)) == NULL)
		log_die("cannot build a sentence: out of memory");
	fprintf(f, "%ld day%s without a recorded run, left out (unknown, not "
	    "zero): ", gaps, gaps == 1 ? "" : "s");
	for (d = t->day0, i = 0; d <= last && shown < GAPS_SHOWN; d++) {
		if (i < t->nd && t->dn[i] == d) {
			i++;
			continue;
		}
		fprintf(f, "%s%s", shown++ ? ", " : "", trend_day(d, a,
		    sizeof(a)));
	}
	if (gaps > (long)shown)
		fprintf(f, " and %ld more", gaps - (long)shown);
	fputc('.', f);
	if (fclose(f) != 0 || buf == NULL)
		log_die("cannot build a sentence: out of memory");
	return buf;
}

char *
rep_trend_older(const struct trend *t)
{
	char	 a[16], *buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if (t->older <= 0)
		return NULL;
	if ((f = open_memstream(&buf, &len)) == NULL)
		log_die("cannot build a sentence: out of memory");
	fprintf(f, "%ld earlier recorded day%s (from %s) %s outside this "
	    "window: --days %ld covers %s.", t->older, t->older == 1 ?
	    "" : "s", trend_day(t->earliest, a, sizeof(a)), t->older == 1 ?
	    "is" : "are", (long)t->days + (t->day0 - t->earliest),
	    t->older == 1 ? "it" : "them");
	if (fclose(f) != 0 || buf == NULL)
		log_die("cannot build a sentence: out of memory");
	return buf;
}
