/*
 * mxtally trend: the command. Parses its options (its table for the
 * shared parser, src/cli.c), loads the causes of --rules files (so that a site's own
 * storage causes fall into their part: named *quota* per user, others
 * per host), opens the history without creating it, has trend_load
 * (src/history/history_trend.c) compute the trend and one writer
 * (src/report/report_trend_*.c) show it. Exit status: 0, 2 for a usage error, 3
 * when the database cannot be read, 4 when standard output cannot be
 * written.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/cli.h"
#include "mxtally/history.h"
#include "mxtally/log.h"
#include "mxtally/trend.h"
#include "cmd_int.h"

#define TREND_DAYS	14
#define TREND_THRESHOLD	10.0
#define TREND_TOP	10

enum { T_USAGE = EXIT_USAGE, T_DB = EXIT_INPUT, T_OUTPUT = EXIT_OUTPUT };
enum trend_fmt { TF_TEXT, TF_JSON, TF_HTML };

/* What the command line asked for. */
struct trend_args {
	struct cmd_args	 a;		/* --rules, -f */
	struct trend	 t;		/* --days, --cause, --threshold, --top */
	const char	*db;		/* --history DB */
	const char	*group;		/* --group G */
};

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

#define TARG(field)	offsetof(struct trend_args, field)

static int
set_cause(const struct cli_opt *o, const char *arg, void *ctx)
{
	(void)o;
	if (!valid_id(arg))
		return log_error("bad --cause '%s'", arg);
	add_cause(&((struct trend_args *)ctx)->t, arg);
	return 0;
}

static int
set_threshold(const struct cli_opt *o, const char *arg, void *ctx)
{
	struct trend	*t = &((struct trend_args *)ctx)->t;
	char		*end;

	(void)o;
	t->threshold = strtod(arg, &end);
	if (*end != '\0' || end == arg ||
	    !(t->threshold > 0 && t->threshold < 1e12))
		return log_error("bad --threshold '%s'", arg);
	return 0;
}

static const struct cli_opt opt_history_read = {
	"history", 0, "DB",
	"the history 'mxtally --history DB' recorded (SQLite\n"
	"file or postgresql:// URL); required",
	cli_set_str, TARG(db), 0, 0, NULL, 0 };
static const struct cli_opt opt_days = {
	"days", 0, "N", "days in the window (default 14)",
	cli_set_int, TARG(t.days), 1, 3660, NULL, 0 };
static const struct cli_opt opt_cause = {
	"cause", 0, "ID", "count this cause (repeatable)",
	set_cause, 0, 0, 0, NULL, 0 };
static const struct cli_opt opt_group = {
	"group", 0, "G",
	"count the causes of group G: lock, auth or storage\n"
	"(default: storage)",
	cli_set_str, TARG(group), 0, 0, NULL, 0 };
static const struct cli_opt opt_threshold = {
	"threshold", 0, "N",
	"events a day a rising line is forecast to reach\n"
	"(default 10)",
	set_threshold, 0, 0, 0, NULL, 0 };
static const struct cli_opt opt_top_trend = {
	"top", 0, "N", "rows each part shows (default 10)",
	cli_set_size, TARG(t.top), 1, LONG_MAX, NULL, 0 };
static const struct cli_opt opt_format_trend = {
	"format", 'f', "FMT", "text (default), json or html",
	cli_set_choice, TARG(a.format), 0, 0, "text\0json\0html\0", 0 };

static const struct cli_opt *const trend_opts[] = {
	&opt_history_read, &opt_days, &opt_cause, &opt_group, &opt_threshold,
	&opt_top_trend, &opt_rules, &opt_format_trend, NULL
};

static int	trend_run(int, char **);

const struct cli_cmd cmd_trend = {
	"trend", "trend --history DB [--days N] [--cause ID... | --group G]\n"
	"              [--threshold N] [--top N] [--rules FILE...] "
	"[-f text|json|html]",
	"per-day counts from --history, and where they lead",
	"Reads the per-day counts report runs recorded with --history and\n"
	"shows, per cause, the rate over the last days and where its line\n"
	"leads: when a rising one reaches the threshold.\n",
	trend_opts,
	"exit status: 0 ok, 2 usage error, 3 the history cannot be read,\n"
	"4 standard output cannot be written.\n",
	0, trend_run, NULL, NULL
};

/*
 * The checks after parsing, and the causes of --rules files loaded (so
 * that --group finds a site's own causes): 0, or -1 said.
 */
static int
trend_check(struct trend_args *c, int argc, char **argv, int i,
    struct classifier **cl)
{
	struct alert_set	 set;

	if (i < argc)
		return log_error("trend: unexpected argument '%s'", argv[i]);
	if (c->db == NULL)
		return log_error("trend needs --history DB");
	if (c->group != NULL && c->t.ncauses > 0)
		return log_error("give --cause or --group, not both");
	if (c->a.rules.n > 0) {
		if (cmd_load_rules(&c->a.rules, cl, &set) == -1)
			return -1;
		alert_set_release(&set);
	}
	if (c->t.ncauses == 0 && pick_group(&c->t, c->group != NULL ?
	    c->group : "storage") == -1)
		return -1;
	return 0;
}

static int
trend_run(int argc, char **argv)
{
	struct trend_args c = { .t = { .days = TREND_DAYS,
	    .threshold = TREND_THRESHOLD, .top = TREND_TOP } };
	struct trend	*t = &c.t;
	struct history	*h;
	struct classifier *cl = NULL;
	int		 i, rc;

	cmd_args_init(&c.a);
	if ((i = cli_parse(&cmd_trend, argc, argv, &c)) < 0 ||
	    trend_check(&c, argc, argv, i, &cl) == -1) {
		if (i >= 0)
			cli_usage(stderr, &cmd_trend);
		free(t->causes);
		classify_free(cl);
		cmd_args_release(&c.a);
		return cli_status(i);
	}
	cmd_args_release(&c.a);
	t->db = c.db;
	if ((h = history_open(c.db, 0)) == NULL) {
		free(t->causes);
		classify_free(cl);
		return T_DB;
	}
	t->db = history_name(h);
	rc = 0;
	if (trend_load(h, t) == -1) {
		rc = T_DB;
	} else if ((c.a.format == TF_JSON ? report_trend_json(stdout, t) :
	    c.a.format == TF_HTML ? report_trend_html(stdout, t, NULL) :
	    report_trend_text(stdout, t)) == -1) {
		rc = (log_errno("cannot write the trend"), T_OUTPUT);
	}
	trend_release(t);
	history_close(h);
	classify_free(cl);
	return rc;
}
