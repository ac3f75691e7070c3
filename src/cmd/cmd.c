/*
 * The command layer's shared parts: the options several commands take,
 * each declared once here with its help text and listed by address in
 * the tables of the commands that take it; the defaults and the checks
 * between options; the one set-up of classifier, rules and alert rules;
 * the signal handling of the batch commands; and the command list main
 * dispatches over.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mxtally/agg.h"
#include "mxtally/anon.h"
#include "mxtally/log.h"
#include "mxtally/mail.h"
#include "mxtally/period.h"
#include "mxtally/report.h"
#include "cmd_int.h"

const struct cli_cmd *const cmd_list[] = {
	&cmd_report, &cmd_alert, &cmd_watch, &cmd_explain, &cmd_rules,
	&cmd_merge, &cmd_trend, NULL
};

#define ARG(field)	offsetof(struct cmd_args, field)

int64_t
cmd_now(void)
{
#ifdef MXT_TESTING
	const char	*s = getenv("MXTALLY_NOW");

	if (s != NULL)
		return strtoll(s, NULL, 10);
#endif
	return (int64_t)time(NULL);
}

static int
set_point(const struct cli_opt *o, const char *arg, void *ctx)
{
	struct cmd_args	*a = ctx;

	if (period_point(arg, cmd_now(), o->val ? &a->scan.since :
	    &a->scan.until) == -1)
		return log_error("bad time '%s': use 2026-11-21, "
		    "2026-11-21T14:00:00, yesterday, today, this-week, "
		    "last-week, -24h or -7d", arg);
	a->period |= o->val;
	a->range = 1;
	return 0;
}

static int
set_day(const struct cli_opt *o, const char *arg, void *ctx)
{
	struct cmd_args	*a = ctx;

	(void)o;
	if (period_day(arg, cmd_now(), &a->scan.since, &a->scan.until) == -1)
		return log_error("bad --day '%s': use yesterday, today or "
		    "2026-12-06", arg);
	a->period = a->day = 1;
	return 0;
}

static int
set_anon(const struct cli_opt *o, const char *arg, void *ctx)
{
	struct cmd_args	*a = ctx;

	(void)o;
	if (anon_parse_what(arg, &a->anon) == -1)
		return log_error("bad --anonymize '%s' (users, ips or "
		    "users,ips)", arg);
	return 0;
}

static int
set_quiet(const struct cli_opt *o, const char *arg, void *ctx)
{
	(void)o;
	(void)arg;
	(void)ctx;
	log_quiet = 1;
	return 0;
}

static int
set_table(const struct cli_opt *o, const char *arg, void *ctx)
{
	(void)o;
	if (!report_csv_table(arg))
		return log_error("unknown table '%s' (causes, users, hosts, "
		    "codes, hours, clients, remotes, details, directions, "
		    "capacity, locks, traffic)", arg);
	((struct cmd_args *)ctx)->table = arg;
	return 0;
}

const struct cli_opt opt_format_report = {
	"format", 'f', "FMT", "text (default), json, html or csv",
	cli_set_choice, ARG(format), 0, 0, "text\0json\0html\0csv\0", 0 };
const struct cli_opt opt_table = {
	"table", 0, "NAME",
	"csv table: causes (default), users, hosts, codes,\n"
	"hours, clients, remotes, details, directions,\n"
	"capacity, locks, traffic",
	set_table, 0, 0, 0, NULL, 0 };
const struct cli_opt opt_output = {
	"output", 'o', "FILE",
	"write to FILE atomically (temp + rename); - is stdout",
	cli_set_str, ARG(out), 0, 0, NULL, 0 };
const struct cli_opt opt_jobs = {
	"jobs", 'j', "N", "worker threads (default: online CPUs)",
	cli_set_int, ARG(scan.jobs), 1, 1024, NULL, 0 };
const struct cli_opt opt_top = {
	"top", 0, "N", "rows per table; also limits users/hosts in JSON",
	cli_set_size, ARG(top), 0, LONG_MAX, NULL, 0 };
const struct cli_opt opt_since = {
	"since", 0, "TIME",
	"only events at or after TIME, local time: 2026-11-21,\n"
	"2026-11-21T14:00[:SS], now, today, yesterday,\n"
	"this-week, last-week (weeks start Monday), -90m,\n"
	"-24h (real time back), -7d, -2w (calendar days back)",
	set_point, 0, 0, 0, NULL, 1 };
const struct cli_opt opt_until = {
	"until", 0, "TIME", "only events before TIME (same forms)",
	set_point, 0, 0, 0, NULL, 0 };
const struct cli_opt opt_day = {
	"day", 0, "DAY", "one whole day: yesterday, today or 2026-12-06",
	set_day, 0, 0, 0, NULL, 0 };
const struct cli_opt opt_no_rotated = {
	"no-rotated", 0, NULL,
	"with --since/--day, do not add FILE.1, FILE.2.gz...\n"
	"(read by default when the period reaches into them)",
	cli_set_flag, ARG(no_rotated), 0, 0, NULL, 1 };
const struct cli_opt opt_year = {
	"year", 0, "YYYY", "year of RFC 3164 stamps (default: from file mtime)",
	cli_set_int, ARG(scan.year), 1970, 9999, NULL, 0 };
const struct cli_opt opt_rules = {
	"rules", 0, "FILE",
	"rule file (INI): [cause.NAME] classification rules,\n"
	"run in order before the built-in ones, and alert\n"
	"rules; repeatable",
	cli_set_list, ARG(rules), 0, 0, NULL, 0 };
const struct cli_opt opt_no_mmap = {
	"no-mmap", 0, NULL, "read regular files with read(2) instead of mmap",
	cli_set_flag, ARG(scan.no_mmap), 0, 0, NULL, 1 };
const struct cli_opt opt_state = {
	"state", 0, "FILE",
	"incremental: read only what earlier runs with the\n"
	"same FILE did not, across rotation (maillog.1, .gz);\n"
	"alert windows carry over in FILE.windows",
	cli_set_str, ARG(state), 0, 0, NULL, 0 };
const struct cli_opt opt_anonymize = {
	"anonymize", 0, "WHAT",
	"users, ips or users,ips: keyed pseudonyms\n"
	"(u-..., ip-...) in every output; needs:",
	set_anon, 0, 0, 0, NULL, 0 };
const struct cli_opt opt_anonymize_key = {
	"anonymize-key", 0, "FILE", "HMAC key, made (mode 0600) when missing",
	cli_set_str, ARG(anon_key), 0, 0, NULL, 0 };
const struct cli_opt opt_max_keys = {
	"max-keys", 0, "N",
	"keep the N most frequent users, hosts, templates...\n"
	"per table (and alert records), the rest fold into\n"
	"(other); tables spill to $TMPDIR to find them\n"
	"(default 1000000, 0 = no cap)",
	cli_set_size, ARG(scan.max_keys), 0, LONG_MAX, NULL, 0 };
const struct cli_opt opt_color = {
	"color", 0, "WHEN", "auto (default), always or never",
	cli_set_choice, ARG(color), 0, 0, "never\0always\0auto\0", 0 };
const struct cli_opt opt_quiet = {
	"quiet", 'q', NULL, "no warnings",
	set_quiet, 0, 0, 0, NULL, 0 };

void
cmd_args_init(struct cmd_args *a)
{
	long	 cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(a, 0, sizeof(*a));
	a->scan.jobs = cpus > 0 ? (int)cpus : 1;
	a->scan.since = a->scan.until = T_NONE;
	a->scan.max_keys = AGG_MAX_KEYS_DEFAULT;
	a->color = 2;
	a->progress = -1;
}

void
cmd_args_release(struct cmd_args *a)
{
	cli_list_release(&a->rules);
	cli_list_release(&a->mail_to);
}

int
cmd_args_check(const struct cmd_args *a)
{
	if (a->table != NULL && a->format != FMT_CSV)
		return log_error("--table needs --format csv");
	if (a->day && a->range)
		return log_error("--day is a whole day: not with --since or "
		    "--until");
	if (a->anon != 0 && a->anon_key == NULL)
		return log_error("--anonymize needs --anonymize-key FILE");
	return 0;
}

int
cmd_load_rules(const struct cli_list *rules, struct classifier **cl,
    struct alert_set *set)
{
	return alert_rules_load(rules->v, rules->n, cl, set);
}

volatile sig_atomic_t cmd_got_signal;

static void
on_signal(int sig)
{
	cmd_got_signal = sig;
}

void
cmd_catch_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
cmd_interrupted(void)
{
	fputs("mxtally: interrupted\n", stderr);
	return 128 + cmd_got_signal;
}
