/*
 * mxtally's command line: picks the command, parses options, runs the
 * scan, builds the result and hands it to the chosen writer. The only
 * file that decides exit status (interface.md: 0 ok, 1 alert fired,
 * 2 usage, 3 an input could not be read, 4 an output could not be
 * written, 5 the report could not be mailed; 128 + N after signal N).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mxtally/afile.h"
#include "mxtally/agg.h"
#include "mxtally/alert.h"
#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/explain.h"
#include "mxtally/log.h"
#include "mxtally/mail.h"
#include "mxtally/parse.h"
#include "mxtally/period.h"
#include "mxtally/report.h"
#include "mxtally/scan.h"
#include "mxtally/state.h"

#define MXT_VERSION	"0.1.0"

enum { EXIT_USAGE = 2, EXIT_INPUT = 3, EXIT_OUTPUT = 4, EXIT_MAIL = 5 };

/*
 * Distinct keys per table (users, hosts, hours, codes, POP3 and
 * unclassified templates) before folding into "(other)". A kept key costs
 * about 100 bytes plus its length, per worker: with 2 workers and keys of
 * 20 to 500 bytes the six tables stay under about 1.5 to 7 GiB even when
 * every table is flooded, sized for the 2-core, 24 GiB report host.
 */

enum fmt { OUT_TEXT, OUT_JSON, OUT_HTML, OUT_CSV };

struct cli {
	struct scan_opts scan;
	enum fmt	 fmt;
	const char	*out;		/* -o FILE, NULL = stdout */
	const char	*table;		/* --table for csv, NULL = causes */
	size_t		 top;
	int		 color;		/* -1 auto */
	int		 progress;	/* -1 auto */
	int		 anon;		/* --anonymize: enum anon_flags */
	const char	*anon_key;	/* --anonymize-key FILE */
	const char	*state;		/* --state FILE */
	const char	*history;	/* --history DB */
	const char	**rules;	/* --rules FILE, in order */
	size_t		 nrules;
	int		 period;	/* --since or --day given */
	int		 no_rotated;	/* --no-rotated */
	const char	**mail_to;	/* --mail-to ADDR, in order */
	size_t		 nmail_to;
	const char	*mail_from;	/* --mail-from ADDR */
	const char	*sendmail;	/* --sendmail PATH */
};

static void
usage(FILE *f)
{
	fputs(
"usage: mxtally [report] [options] [FILE...]\n"
"       mxtally alert --rules FILE [options] [FILE...]\n"
"       mxtally watch --rules FILE [options] FILE...\n"
"       mxtally explain CODE|TEXT\n"
"       mxtally rules --check FILE... | --dump\n"
"       mxtally merge [options] REPORT.json...\n"
"       mxtally trend --history DB [--days N] [--cause ID|--group G]\n"
"\n"
"commands (each answers --help):\n"
"  report   the report over the logs (the default command)\n"
"  alert    evaluate alert rules once: jsonl, nagios or prometheus\n"
"  watch    follow live logs, serve /metrics, push to Alertmanager\n"
"  explain  what a reply code or text means and what to do first\n"
"  rules    check rule files, or print the built-in rules\n"
"  merge    one report from saved JSON reports (servers, nights)\n"
"  trend    per-day counts from --history, and where they lead\n"
"\n"
"Reads POP3, IMAP and SMTP server logs (plain, .gz, .zst, .bz2, .xz, .lz4;\n"
"- or none for stdin), finds every error reply, classifies it by cause and\n"
"reports per cause, user, code, host and hour.\n"
"\n"
"options:\n"
"  -f, --format FMT   text (default), json, html or csv\n"
"      --table NAME   csv table: causes (default), users, hosts, codes, hours\n"
"  -o, --output FILE  write the report to FILE atomically (temp + rename)\n"
"  -j, --jobs N       worker threads (default: online CPUs)\n"
"      --top N        rows per table; also limits users/hosts in JSON\n"
"      --since TIME   only events at or after TIME, local time: 2026-11-21,\n"
"                     2026-11-21T14:00[:SS], now, today, yesterday,\n"
"                     this-week, last-week (weeks start Monday), -90m,\n"
"                     -24h (real time back), -7d, -2w (calendar days back)\n"
"      --until TIME   only events before TIME (same forms)\n"
"      --day DAY      one whole day: yesterday, today or 2026-12-06\n"
"      --no-rotated   with --since/--day, do not add FILE.1, FILE.2.gz...\n"
"                     (read by default when the period reaches into them)\n"
"      --year YYYY    year of RFC 3164 stamps (default: from file mtime)\n"
"      --rules FILE   classification rules ([cause.NAME] sections, INI);\n"
"                     repeatable, run in order before the built-in ones\n"
"      --no-mmap      read regular files with read(2) instead of mmap\n"
"      --state FILE   incremental: read only what earlier runs with the\n"
"                     same FILE did not, across rotation (maillog.1, .gz)\n"
"      --history DB   append per-day counts to DB (SQLite file or\n"
"                     postgresql:// URL) for 'mxtally trend'\n"
"      --mail-to ADDR mail the report (text and HTML in one MIME message)\n"
"                     to ADDR instead of printing it; repeatable\n"
"      --mail-from ADDR  From: of the mail (default: user@hostname)\n"
"      --sendmail PATH   sendmail(1) to run (default: $MXTALLY_SENDMAIL,\n"
"                     else /usr/sbin/sendmail), as: PATH -oi -- ADDR...\n"
"      --anonymize WHAT  users, ips or users,ips: keyed pseudonyms\n"
"                     (u-..., ip-...) in every output; needs:\n"
"      --anonymize-key FILE  HMAC key, made (mode 0600) when missing\n"
"      --max-keys N   keep the N most frequent users, hosts, templates...\n"
"                     per table, the rest fold into (other); tables spill\n"
"                     to $TMPDIR to find them (default 1000000, 0 = no cap)\n"
"      --color WHEN   auto (default), always or never\n"
"      --progress     progress bar on stderr (default: on a terminal)\n"
"      --no-progress  no progress bar\n"
"  -q, --quiet        no warnings\n"
"      --version      print the version\n"
"  -h, --help         this help\n"
"\n"
"exit status: 0 ok; 1 an alert fired (alert); 2 usage error; 3 an input\n"
"could not be read (the others are still read); 4 the report, state or\n"
"history could not be written; 5 the report could not be mailed\n"
"(--mail-to: sendmail failed); 130, 143 interrupted by SIGINT, SIGTERM;\n"
"141 output pipe closed (SIGPIPE).\n"
"See mxtally(1).\n", f);
}

static int
parse_uint(const char *s, long max, long *v)
{
	char	*end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *v >= 0 && *v <= max;
}

/*
 * The real time periods are relative to; the test binary takes it from
 * MXTALLY_NOW (seconds since the epoch) so tests can be at any date.
 */
static int64_t
cli_now(void)
{
#ifdef MXT_TESTING
	const char	*s = getenv("MXTALLY_NOW");

	if (s != NULL)
		return strtoll(s, NULL, 10);
#endif
	return (int64_t)time(NULL);
}

static int
parse_args(int argc, char **argv, struct cli *c)
{
	enum { O_TOP = 256, O_SINCE, O_UNTIL, O_YEAR, O_NOMMAP, O_COLOR,
	    O_PROGRESS, O_NOPROGRESS, O_VERSION, O_RULES, O_MAXKEYS, O_TABLE };
	enum { O_ANON = 400, O_ANONKEY, O_STATE, O_HISTORY };
	enum { O_DAY = 500, O_NOROTATED, O_MAILTO, O_MAILFROM, O_SENDMAIL };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "table", required_argument, NULL, O_TABLE },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "top", required_argument, NULL, O_TOP },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "day", required_argument, NULL, O_DAY },
		{ "no-rotated", no_argument, NULL, O_NOROTATED },
		{ "mail-to", required_argument, NULL, O_MAILTO },
		{ "mail-from", required_argument, NULL, O_MAILFROM },
		{ "sendmail", required_argument, NULL, O_SENDMAIL },
		{ "year", required_argument, NULL, O_YEAR },
		{ "rules", required_argument, NULL, O_RULES },
		{ "no-mmap", no_argument, NULL, O_NOMMAP },
		{ "anonymize", required_argument, NULL, O_ANON },
		{ "anonymize-key", required_argument, NULL, O_ANONKEY },
		{ "state", required_argument, NULL, O_STATE },
		{ "history", required_argument, NULL, O_HISTORY },
		{ "max-keys", required_argument, NULL, O_MAXKEYS },
		{ "color", required_argument, NULL, O_COLOR },
		{ "progress", no_argument, NULL, O_PROGRESS },
		{ "no-progress", no_argument, NULL, O_NOPROGRESS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, O_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	long	 v;
	int	 ch, day = 0, range = 0;
	int64_t	 now = cli_now();

	while ((ch = getopt_long(argc, argv, "f:o:j:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "text") == 0)
				c->fmt = OUT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				c->fmt = OUT_JSON;
			else if (strcmp(optarg, "html") == 0)
				c->fmt = OUT_HTML;
			else if (strcmp(optarg, "csv") == 0)
				c->fmt = OUT_CSV;
			else
				return log_error("unknown format '%s' (text, json, "
				    "html, csv)", optarg);
			break;
		case O_TABLE:
			if (!report_csv_table(optarg))
				return log_error("unknown table '%s' (causes, "
				    "users, hosts, codes, hours)", optarg);
			c->table = optarg;
			break;
		case 'o':
			c->out = optarg;
			break;
		case 'j':
			if (!parse_uint(optarg, 1024, &v) || v < 1)
				return log_error("bad --jobs '%s': a number "
				    "from 1 to 1024", optarg);
			c->scan.jobs = (int)v;
			break;
		case O_TOP:
			if (!parse_uint(optarg, LONG_MAX, &v))
				return log_error("bad --top '%s'", optarg);
			c->top = (size_t)v;
			break;
		case O_SINCE:
		case O_UNTIL:
			if (period_point(optarg, now, ch == O_SINCE ?
			    &c->scan.since : &c->scan.until) == -1)
				return log_error("bad time '%s': use 2026-11-21, "
				    "2026-11-21T14:00:00, yesterday, today, "
				    "this-week, last-week, -24h or -7d", optarg);
			c->period |= ch == O_SINCE;
			range = 1;
			break;
		case O_DAY:
			if (period_day(optarg, now, &c->scan.since,
			    &c->scan.until) == -1)
				return log_error("bad --day '%s': use yesterday, "
				    "today or 2026-12-06", optarg);
			c->period = day = 1;
			break;
		case O_NOROTATED:
			c->no_rotated = 1;
			break;
		case O_MAILTO:
		case O_MAILFROM:
			if (!mail_addr_ok(optarg))
				return log_error("bad address '%s': one "
				    "user@domain, no spaces, commas or <>",
				    optarg);
			if (ch == O_MAILFROM) {
				c->mail_from = optarg;
				break;
			}
			c->mail_to = xrealloc(c->mail_to,
			    (c->nmail_to + 1) * sizeof(*c->mail_to));
			c->mail_to[c->nmail_to++] = optarg;
			break;
		case O_SENDMAIL:
			c->sendmail = optarg;
			break;
		case O_YEAR:
			if (!parse_uint(optarg, 9999, &v) || v < 1970)
				return log_error("bad --year '%s'", optarg);
			c->scan.year = (int)v;
			break;
		case O_ANON:
			if (anon_parse_what(optarg, &c->anon) == -1)
				return log_error("bad --anonymize '%s' (users, ips "
				    "or users,ips)", optarg);
			break;
		case O_ANONKEY:
			c->anon_key = optarg;
			break;
		case O_STATE:
			c->state = optarg;
			break;
		case O_HISTORY:
			c->history = optarg;
			break;
		case O_NOMMAP:
			c->scan.no_mmap = 1;
			break;
		case O_RULES:
			c->rules = xrealloc(c->rules,
			    (c->nrules + 1) * sizeof(*c->rules));
			c->rules[c->nrules++] = optarg;
			break;
		case O_MAXKEYS:
			if (!parse_uint(optarg, LONG_MAX, &v))
				return log_error("bad --max-keys '%s'", optarg);
			c->scan.max_keys = (size_t)v;
			break;
		case O_COLOR:
			if (strcmp(optarg, "auto") == 0)
				c->color = -1;
			else if (strcmp(optarg, "always") == 0)
				c->color = 1;
			else if (strcmp(optarg, "never") == 0)
				c->color = 0;
			else
				return log_error("bad --color '%s' (auto, always, "
				    "never)", optarg);
			break;
		case O_PROGRESS:
			c->progress = 1;
			break;
		case O_NOPROGRESS:
			c->progress = 0;
			break;
		case 'q':
			log_quiet = 1;
			break;
		case O_VERSION:
			printf("mxtally %s\n", MXT_VERSION);
			exit(log_stdout_done(0, EXIT_OUTPUT));
		case 'h':
			usage(stdout);
			exit(log_stdout_done(0, EXIT_OUTPUT));
		default:
			return -1;
		}
	}
	if (c->table != NULL && c->fmt != OUT_CSV)
		return log_error("--table needs --format csv");
	if (day && range)
		return log_error("--day is a whole day: not with --since or "
		    "--until");
	return 0;
}

/* Writes r in the format asked for; 0, or -1 when writing failed. */
static int
write_report(const struct cli *c, FILE *out, const struct result *r,
    struct report_opts *ro)
{
	ro->table = c->table;
	switch (c->fmt) {
	case OUT_JSON:
		return report_json(out, r, ro);
	case OUT_HTML:
		return report_html(out, r, ro);
	case OUT_CSV:
		return report_csv(out, r, ro);
	default:
		return report_text(out, r, ro);
	}
}


/* SIGINT or SIGTERM seen: the scan stops, no report is written */
static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

/*
 * The first SIGINT or SIGTERM asks the scan to stop; the handler is then
 * reset, so a second one (say, while stdin blocks) ends the process.
 */
static void
catch_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* "mxtally: interrupted", and the shell's status for the signal */
static int
interrupted(void)
{
	fputs("mxtally: interrupted\n", stderr);
	return 128 + got_signal;
}

/* The report's file done; on a signal, removed, never left partial. */
static int
out_close(struct afile *a, int failed)
{
	if (got_signal != 0) {
		afile_abort(a);
		return -1;
	}
	return afile_close(a, failed);
}

/*
 * The fired alerts v[0..n) as report rows, in their order; the window
 * strings live after the rows, so one free releases all. Borrows v.
 */
static struct alert_row *
alert_rows(const struct alert *v, size_t n)
{
	static const char *const sev[] = { "ok", "warning", "critical" };
	static const char *const by[] = { "none", "host", "user", "client" };
	struct alert_row	*rows;
	char			*win;
	size_t			 i;

	rows = xcalloc(n + 1, sizeof(*rows) + 16);
	win = (char *)(rows + n + 1);
	for (i = 0; i < n; i++, win += 16) {
		alert_fmt_window(v[i].rule->window, win, 16);
		rows[i] = (struct alert_row){ v[i].rule->name,
		    sev[v[i].rule->severity], by[v[i].rule->by], v[i].key,
		    win, v[i].value, v[i].rule->threshold, v[i].events,
		    v[i].first, v[i].last, v[i].firing };
	}
	return rows;
}

static void
fill_result(struct result *r, struct scan_file *files, size_t n,
    const struct scan_stats *st)
{
	size_t	 i;

	r->files = xcalloc(n + 1, sizeof(*r->files));
	r->errors = xcalloc(n + 1, sizeof(*r->errors));
	r->warnings = xcalloc(n + 1, sizeof(*r->warnings));
	for (i = 0; i < n; i++) {
		r->files[i] = (struct file_row){ files[i].path,
		    files[i].format, files[i].bytes, files[i].lines,
		    files[i].layout, files[i].known.recognised };
		r->bytes += files[i].bytes;
		if (files[i].error[0] != '\0')
			r->errors[r->nerrors++] = (struct error_row){
			    files[i].path, files[i].error };
		if (files[i].warning[0] != '\0')
			r->warnings[r->nwarnings++] = (struct error_row){
			    files[i].path, files[i].warning };
	}
	r->nfiles = n;
	r->lines = st->lines;
	r->error_lines = st->error_lines;
	r->unparsed_lines = st->unparsed;
	r->overlong_lines = st->overlong;
	r->first = st->first;
	r->last = st->last;
}

/* Whether path is the same file as one of v[0..n). */
static int
named_already(const char *path, char **v, size_t n)
{
	struct stat	 a, b;
	size_t		 i;

	if (stat(path, &a) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (stat(v[i], &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return 1;
	return 0;
}

/*
 * The inputs: FILE... as named; with a period's start (--since, --day),
 * each live log is preceded by the rotated files, oldest first, that the
 * period reaches into (period_rotated), unless named too. The added
 * names go to *own (free each and it). Returns the files, *np of them.
 */
static struct scan_file *
inputs_make(const struct cli *c, char **argv, size_t n, size_t *np,
    char ***own)
{
	struct scan_file	*files;
	char			**rot, **all = NULL;
	size_t			 i, k, nr, nall = 0, m = 0;

	for (i = 0; i < n; i++) {
		nr = 0;
		rot = NULL;
		if (c->period && !c->no_rotated)
			nr = period_rotated(argv[i], c->scan.since, &rot);
		all = xrealloc(all, (nall + nr + 1) * sizeof(*all));
		for (k = nr; k-- > 0; ) {
			if (named_already(rot[k], argv, n))
				free(rot[k]);
			else
				all[nall++] = rot[k];
		}
		free(rot);
		all[nall++] = argv[i];
	}
	files = xcalloc(nall, sizeof(*files));
	*own = xcalloc(nall + 1, sizeof(**own));
	for (i = 0; i < nall; i++) {
		files[i].path = all[i];
		for (k = 0; k < n && all[i] != argv[k]; k++)
			;
		if (k == n)
			(*own)[m++] = all[i];
	}
	free(all);
	*np = nall;
	return files;
}

static void
own_free(char **own)
{
	char	**p;

	for (p = own; p != NULL && *p != NULL; p++)
		free(*p);
	free(own);
}

/* Renders r in fmt into a new string (*len bytes); NULL on failure. */
static char *
report_string(struct cli *c, enum fmt fmt, const struct result *r,
    struct report_opts *ro, size_t *len)
{
	char	*buf = NULL;
	FILE	*f = open_memstream(&buf, len);
	enum fmt keep = c->fmt;
	int	 rc;

	if (f == NULL)
		return NULL;
	c->fmt = fmt;
	rc = write_report(c, f, r, ro);
	c->fmt = keep;
	if (fclose(f) != 0 || rc != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* --mail-to: the text and HTML reports of r, mailed; 0 or -1. */
static int
mail_report(struct cli *c, const struct result *r, struct report_opts *ro,
    int alerts)
{
	struct mail	 m = { .to = c->mail_to, .nto = c->nmail_to,
	    .from = c->mail_from, .sendmail = c->sendmail, .now = cli_now() };
	char		 subject[256], host[256], err[1024];
	char		*text, *html = NULL;
	int		 rc = -1;

	ro->color = 0;
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	report_subject(r, alerts, host, subject, sizeof(subject));
	m.subject = subject;
	if ((text = report_string(c, OUT_TEXT, r, ro, &m.ntext)) == NULL ||
	    (html = report_string(c, OUT_HTML, r, ro, &m.nhtml)) == NULL)
		log_errno("cannot make the report for mail");
	else if (m.text = text, m.html = html,
	    mail_send(&m, err, sizeof(err)) == -1)
		log_error("%s", err);
	else
		rc = 0;
	free(text);
	free(html);
	return rc;
}

static int
cmd_report(int argc, char **argv)
{
	struct cli		 c = { .color = -1, .progress = -1 };
	struct scan_file	*files;
	struct scan_stats	 st;
	struct classifier	*cl;
	struct agg		*agg;
	struct result		*r;
	struct report_opts	 ro = { .version = MXT_VERSION };
	struct history		*hist = NULL;
	struct state		*state = NULL;
	struct anon		*anon = NULL;
	struct scan_sink	 sk;
	struct alert_set	 set = { 0 };
	struct alert		*fired = NULL;
	size_t			 nfired = 0;
	char			 err[512], **own = NULL;
	struct afile		 af;
	char			 winpath[PATH_MAX];
	size_t			 n, i;
	int			 rc, bad = 0, mailed = 0;
	long			 cpus = sysconf(_SC_NPROCESSORS_ONLN);
	static char		*stdin_only[] = { (char *)"-" };

	c.scan.jobs = cpus > 0 ? (int)cpus : 1;
	c.scan.since = c.scan.until = T_NONE;
	c.scan.max_keys = AGG_MAX_KEYS_DEFAULT;
	if (parse_args(argc, argv, &c) == -1) {
		fputs("try 'mxtally --help'\n", stderr);
		free(c.rules);
		free(c.mail_to);
		return EXIT_USAGE;
	}
	argv += optind;
	n = (size_t)(argc - optind);
	if (n == 0) {
		argv = stdin_only;
		n = 1;
	}
	c.scan.progress = c.progress >= 0 ? c.progress : isatty(2) ? -1 : 0;
	if (c.state != NULL && (state = state_load(c.state, err,
	    sizeof(err))) == NULL) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	if (state != NULL)
		state_resume(state, &c.scan.resume);
	if (c.history != NULL && (hist = history_open(c.history, 1,
	    err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	if (c.anon != 0 && c.anon_key == NULL) {
		log_error("--anonymize needs --anonymize-key FILE");
		return EXIT_USAGE;
	}
	if (c.anon != 0 && (anon = anon_new(c.anon, c.anon_key, err,
	    sizeof(err))) == NULL) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	if (anon != NULL) {
		c.scan.edit = anon_edit;
		c.scan.edit_arg = anon;
	}
	if (alert_rules_load(c.rules, c.nrules, &cl, &set) == -1)
		return EXIT_USAGE;
	free(c.rules);
	if (set.n > 0) {
		alert_set_sink(&set, &sk);
		scan_add_sink(&c.scan, &sk);
	}
	alert_set_bound(&set, c.scan.max_keys);
	if (c.state != NULL && set.n > 0) {
		snprintf(winpath, sizeof(winpath), "%s.windows", c.state);
		set.windows = winpath;
	}
	files = inputs_make(&c, argv, n, &n, &own);
	c.scan.stop = &got_signal;
	catch_signals();
	agg = scan_run(&c.scan, cl, files, n, &st);
	if (got_signal != 0) {
		agg_free(agg);
		alert_set_release(&set);
		classify_free(cl);
		free(files);
		own_free(own);
		free(c.mail_to);
		return interrupted();
	}
	for (i = 0; i < n; i++) {
		if (files[i].error[0] != '\0') {
			log_error("'%s': %s", files[i].path, files[i].error);
			bad = 1;
		}
		anon_warning(anon, files[i].warning,
		    sizeof(files[i].warning));
		if (files[i].warning[0] != '\0')
			log_warn("'%s': %s", files[i].path, files[i].warning);
	}
	r = agg_result(agg, c.top);
	anon_result(anon, r);
	fill_result(r, files, n, &st);
	if (set.n > 0) {
		fired = alert_set_eval(&set, st.last, &nfired);
		r->alerts = alert_rows(fired, nfired);
		r->nalerts = nfired;
	}
	ro.top = c.top;
	rc = 0;
	if (c.nmail_to > 0 && (mailed = mail_report(&c, r, &ro,
	    set.n > 0)) == -1)
		rc = -1;
	if (rc == 0 && (c.nmail_to == 0 || c.out != NULL)) {
		if (afile_open(&af, c.out) == -1)
			rc = -1;
		else {
			ro.color = c.color >= 0 ? c.color : (af.f == stdout &&
			    isatty(1) && getenv("NO_COLOR") == NULL);
			rc = write_report(&c, af.f, r, &ro);
			rc = out_close(&af, rc != 0);
		}
	}
	/* SIGINT/SIGTERM after the scan: 130/143, nothing recorded */
	if (got_signal != 0 && rc == 0)
		rc = -1;
	if (rc == 0 && hist != NULL &&
	    history_record(hist, r, err, sizeof(err)) == -1)
		rc = log_error("%s", err);
	history_close(hist);
	/* only once the report is out, so a failed run is read again */
	if (rc == 0 && state != NULL &&
	    state_save(state, c.state, err, sizeof(err)) == -1)
		rc = log_error("%s", err);
	if (rc == 0 && alert_set_save(&set) == -1)
		rc = -1;
	state_free(state);
	free(r->files);
	free(r->errors);
	free(r->warnings);
	free(r->alerts);
	result_free(r);
	alert_list_free(fired, nfired);
	alert_set_release(&set);
	agg_free(agg);
	anon_free(anon);
	classify_free(cl);
	free(files);
	own_free(own);
	free(c.mail_to);
	if (got_signal != 0)
		return interrupted();
	if (mailed == -1)
		return EXIT_MAIL;
	if (rc != 0)
		return EXIT_OUTPUT;
	return bad ? EXIT_INPUT : 0;
}

static const char merge_usage[] =
"usage: mxtally merge [options] REPORT.json...\n";

static const char merge_help[] =
"\n"
"Adds up saved JSON reports (mxtally -f json) of several servers or\n"
"nights into one report, written like a scan's. Takes the report\n"
"options -f, --table, -o, --top and --color (see mxtally --help).\n";

static const char rules_usage[] =
"usage: mxtally rules --check FILE... | --dump\n";

static const char rules_help[] =
"\n"
"  --check FILE...  read each rule file as 'report --rules' and 'alert'\n"
"                   would, and say what it holds or where it is wrong\n"
"                   (file:line); exit 2 when one is wrong\n"
"  --dump           print the built-in classification rules as a rule\n"
"                   file (it passes --check)\n";

/*
 * mxtally merge [options] REPORT.json...: one report from many saved JSON
 * reports (several servers or nights), written like a scan's report.
 */
static int
cmd_merge(int argc, char **argv)
{
	struct cli		 c = { .color = -1, .progress = -1 };
	struct report_opts	 ro = { .version = MXT_VERSION };
	struct result		*r;
	char			 err[512];
	struct afile		 af;
	int			 rc;

	if (parse_args(argc, argv, &c) == -1 || optind >= argc) {
		if (optind >= argc)
			log_error("merge: no reports given");
		fputs(merge_usage, stderr);
		return EXIT_USAGE;
	}
	if (c.history != NULL) {
		log_error("--history records report runs, not merges");
		return EXIT_USAGE;
	}
	if (c.nmail_to > 0) {
		free(c.mail_to);
		log_error("--mail-to mails report runs, not merges");
		return EXIT_USAGE;
	}
	if ((r = merge_reports(argv + optind, (size_t)(argc - optind), c.top,
	    err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return EXIT_INPUT;
	}
	ro.top = c.top;
	if (afile_open(&af, c.out) == -1)
		rc = -1;
	else {
		ro.color = c.color >= 0 ? c.color :
		    (af.f == stdout && isatty(1) && getenv("NO_COLOR") == NULL);
		rc = write_report(&c, af.f, r, &ro);
		rc = out_close(&af, rc != 0);
	}
	merge_free(r);
	return rc != 0 ? EXIT_OUTPUT : 0;
}

/* mxtally rules --check FILE... | --dump: exit 0, or 2 on a bad file. */
static int
cmd_rules(int argc, char **argv)
{
	struct classifier	*cl;
	struct alert_set	 set;
	size_t			 nr, nc;
	int			 i, bad = 0;

	if (argc == 2 && strcmp(argv[1], "--dump") == 0)
		return classify_dump_rules(stdout) == 0 ? 0 :
		    (log_errno("cannot write the rules"), EXIT_OUTPUT);
	if (argc < 3 || strcmp(argv[1], "--check") != 0) {
		fputs(rules_usage, stderr);
		return EXIT_USAGE;
	}
	/* the loader report, alert and watch use: the same checks */
	for (i = 2; i < argc; i++) {
		if (alert_rules_load((const char *const *)&argv[i], 1, &cl,
		    &set) == -1) {
			bad = 1;
			continue;
		}
		classify_rules_count(cl, &nr, &nc);
		printf("%s: %zu cause rule%s, %zu cause%s, %zu alert rule%s, "
		    "ok\n", argv[i], nr, nr == 1 ? "" : "s", nc,
		    nc == 1 ? "" : "s", set.n, set.n == 1 ? "" : "s");
		alert_set_release(&set);
		classify_free(cl);
	}
	return bad ? EXIT_USAGE : 0;
}

static const char explain_usage[] = "usage: mxtally explain CODE|TEXT\n";

static const char explain_help[] =
"\n"
"Says what a reply means and what to do first, without a log: a basic\n"
"code (452), an enhanced code (5.2.2), a POP3/IMAP response code\n"
"([IN-USE]) or a whole reply text (\"-ERR [IN-USE] mailbox locked\").\n";

/*
 * The commands. usage and help are set for the commands whose --help
 * this file answers; the others (report, alert, watch, trend) parse
 * their own options and answer it themselves.
 */
static const struct command {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*usage, *help;
} commands[] = {
	{ "report", cmd_report, NULL, NULL },
	{ "alert", alert_main, NULL, NULL },
	{ "watch", watch_main, NULL, NULL },
	{ "explain", explain_main, explain_usage, explain_help },
	{ "rules", cmd_rules, rules_usage, rules_help },
	{ "merge", cmd_merge, merge_usage, merge_help },
	{ "trend", trend_main, NULL, NULL },
};

static int
is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int
main(int argc, char **argv)
{
	const struct command	*cmd = &commands[0];
	size_t			 i;

	signal(SIGPIPE, SIG_DFL);
	/* over a file size limit, writes fail (EFBIG) and say so: no kill */
	signal(SIGXFSZ, SIG_IGN);
	for (i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]);
	    i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			cmd = &commands[i];
			argc--;
			argv++;
			break;
		}
	if (cmd->usage != NULL && argc == 2 && is_help(argv[1])) {
		fputs(cmd->usage, stdout);
		fputs(cmd->help, stdout);
		return log_stdout_done(0, EXIT_OUTPUT);
	}
	return log_stdout_done(cmd->run(argc, argv), EXIT_OUTPUT);
}
