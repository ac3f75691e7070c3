/*
 * mxtally trend: the command. Parses its options (one getopt_long
 * table), loads the causes of --rules files (so that a site's own
 * storage causes fall into their part: named *quota* per user, others
 * per host), opens the history without creating it, has trend_load
 * (src/state/trend.c) compute the trend and one writer (src/report/
 * report_trend_*.c) show it. Exit status: 0, 2 for a usage error, 3
 * when the database cannot be read, 4 when standard output cannot be
 * written.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/log.h"
#include "mxtally/state.h"
#include "mxtally/trend.h"

#define TREND_DAYS	14
#define TREND_THRESHOLD	10.0
#define TREND_TOP	10

enum { T_USAGE = 2, T_DB = 3, T_OUTPUT = 4 };
enum trend_fmt { TF_TEXT, TF_JSON, TF_HTML };

static void
trend_usage(FILE *f)
{
	fputs("usage: mxtally trend --history DB [--days N] [--cause ID... | "
	    "--group G]\n"
	    "                     [--threshold N] [--top N] [--rules FILE...] "
	    "[-f text|json|html]\n", f);
}

static int
valid_id(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return 0;
	return 1;
}

static void
add_cause(struct trend *t, const char *id)
{
	size_t	 i;

	for (i = 0; i < t->ncauses; i++)
		if (strcmp(t->causes[i], id) == 0)
			return;		/* --cause x --cause x: once */
	t->causes = xrealloc(t->causes, (t->ncauses + 1) *
	    sizeof(*t->causes));
	t->causes[t->ncauses++] = id;
}

static int
pick_group(struct trend *t, const char *group)
{
	int	 c;

	for (c = 0; c < cause_count(); c++)
		if (strcmp(cause_get(c)->group, group) == 0)
			add_cause(t, cause_get(c)->id);
	return t->ncauses ? 0 : log_error("unknown group '%s' (lock, auth, "
	    "storage)", group);
}

/* The causes of a --rules file into the cause table; -1 when bad (said). */
static int
load_rules(struct classifier **cl, const char *path)
{
	char	 err[512];

	if (*cl == NULL && (*cl = classify_new(err, sizeof(err))) == NULL)
		return log_error("%s", err);
	if (classify_load_rules(*cl, path, err, sizeof(err)) == -1)
		return log_error("%s", err);
	return 0;
}

static int
trend_opt(int ch, const char *arg, struct trend *t, const char **db,
    const char **group, enum trend_fmt *fmt, struct classifier **cl)
{
	char	*end;
	long	 v;

	switch (ch) {
	case 'r':
		return load_rules(cl, arg);
	case 'H':
		*db = arg;
		return 0;
	case 'd':
		v = strtol(arg, &end, 10);
		if (*end != '\0' || end == arg || v < 1 || v > 3660)
			return log_error("bad --days '%s': 1 to 3660", arg);
		t->days = (int)v;
		return 0;
	case 'c':
		if (!valid_id(arg))
			return log_error("bad --cause '%s'", arg);
		add_cause(t, arg);
		return 0;
	case 'g':
		*group = arg;
		return 0;
	case 't':
		t->threshold = strtod(arg, &end);
		if (*end != '\0' || end == arg ||
		    !(t->threshold > 0 && t->threshold < 1e12))
			return log_error("bad --threshold '%s'", arg);
		return 0;
	case 'n':
		v = strtol(arg, &end, 10);
		if (*end != '\0' || end == arg || v < 1)
			return log_error("bad --top '%s'", arg);
		t->top = (size_t)v;
		return 0;
	case 'f':
		if (strcmp(arg, "text") == 0)
			*fmt = TF_TEXT;
		else if (strcmp(arg, "json") == 0)
			*fmt = TF_JSON;
		else if (strcmp(arg, "html") == 0)
			*fmt = TF_HTML;
		else
			return log_error("unknown format '%s' (text, json, "
			    "html)", arg);
		return 0;
	}
	return -1;
}

/* 0 to run, 1 after --help, -1 on a usage error (said). */
static int
trend_args(int argc, char **argv, struct trend *t, const char **db,
    enum trend_fmt *fmt, struct classifier **cl)
{
	static const struct option longopts[] = {
		{ "history", required_argument, NULL, 'H' },
		{ "days", required_argument, NULL, 'd' },
		{ "cause", required_argument, NULL, 'c' },
		{ "group", required_argument, NULL, 'g' },
		{ "threshold", required_argument, NULL, 't' },
		{ "top", required_argument, NULL, 'n' },
		{ "rules", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*group = NULL;
	int		 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			trend_usage(stdout);
			return 1;
		}
		if (ch == '?' || trend_opt(ch, optarg, t, db, &group,
		    fmt, cl) == -1)
			return -1;
	}
	if (optind < argc)
		return log_error("trend: unexpected argument '%s'",
		    argv[optind]);
	if (*db == NULL)
		return log_error("trend needs --history DB");
	if (group != NULL && t->ncauses > 0)
		return log_error("give --cause or --group, not both");
	if (t->ncauses == 0 && pick_group(t, group != NULL ? group :
	    "storage") == -1)
		return -1;
	return 0;
}

int
trend_main(int argc, char **argv)
{
	struct trend	 t = { .days = TREND_DAYS, .threshold = TREND_THRESHOLD,
	    .top = TREND_TOP };
	struct history	*h;
	struct classifier *cl = NULL;
	enum trend_fmt	 fmt = TF_TEXT;
	const char	*db = NULL;
	char		 err[512];
	int		 rc;

	if ((rc = trend_args(argc, argv, &t, &db, &fmt, &cl)) != 0) {
		free(t.causes);
		classify_free(cl);
		if (rc == 1)
			return 0;
		trend_usage(stderr);
		return T_USAGE;
	}
	t.db = db;
	if ((h = history_open(db, 0, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		free(t.causes);
		classify_free(cl);
		return T_DB;
	}
	t.db = history_name(h);
	if (trend_load(h, &t, err, sizeof(err)) == -1) {
		log_error("%s", err);
		rc = T_DB;
	} else if ((fmt == TF_JSON ? report_trend_json(stdout, &t) :
	    fmt == TF_HTML ? report_trend_html(stdout, &t, NULL) :
	    report_trend_text(stdout, &t)) == -1) {
		rc = (log_errno("cannot write the trend"), T_OUTPUT);
	}
	trend_release(&t);
	history_close(h);
	classify_free(cl);
	return rc;
}
