/*
 * `mxtally [report]`: the report over the logs, the default command.
 * Its options, then the run: inputs (with the rotated files a period
 * reaches into), state, history, anonymisation and alert windows set
 * up, the scan, the result filled in, and the report written (-o,
 * atomically), mailed (--mail-to) or both; only then are the history,
 * the state and the alert windows recorded, so a failed run is read
 * again. The writing helpers are shared with merge.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mxtally/afile.h"
#include "mxtally/agg.h"
#include "mxtally/alert.h"
#include "mxtally/anon.h"
#include "mxtally/classify.h"
#include "mxtally/history.h"
#include "mxtally/log.h"
#include "mxtally/mail.h"
#include "mxtally/parse.h"
#include "mxtally/period.h"
#include "mxtally/report.h"
#include "mxtally/scan.h"
#include "mxtally/state.h"
#include "cmd_int.h"

#define ARG(field)	offsetof(struct cmd_args, field)

static int
set_addr(const struct cli_opt *o, const char *arg, void *ctx)
{
	if (!mail_addr_ok(arg))
		return log_error("bad address '%s': one user@domain, no "
		    "spaces, commas or <>", arg);
	return o->val ? cli_set_list(o, arg, ctx) : cli_set_str(o, arg, ctx);
}

static int
set_version(const struct cli_opt *o, const char *arg, void *ctx)
{
	(void)o;
	(void)arg;
	(void)ctx;
	printf("mxtally %s\n", MXT_VERSION);
	return CLI_STOP;
}

static const struct cli_opt opt_history = {
	"history", 0, "DB",
	"append per-day counts to DB (SQLite file or\n"
	"postgresql:// URL) for 'mxtally trend'",
	cli_set_str, ARG(history), 0, 0, NULL, 0 };
static const struct cli_opt opt_mail_to = {
	"mail-to", 0, "ADDR",
	"mail the report (text and HTML in one MIME message)\n"
	"to ADDR instead of printing it; repeatable",
	set_addr, ARG(mail_to), 0, 0, NULL, 1 };
static const struct cli_opt opt_mail_from = {
	"mail-from", 0, "ADDR", "From: of the mail (default: user@hostname)",
	set_addr, ARG(mail_from), 0, 0, NULL, 0 };
static const struct cli_opt opt_sendmail = {
	"sendmail", 0, "PATH",
	"sendmail(1) to run (default: $MXTALLY_SENDMAIL,\n"
	"else /usr/sbin/sendmail), as: PATH -oi -- ADDR...",
	cli_set_str, ARG(sendmail), 0, 0, NULL, 0 };
static const struct cli_opt opt_progress = {
	"progress", 0, NULL, "progress bar on stderr (default: on a terminal)",
	cli_set_flag, ARG(progress), 0, 0, NULL, 1 };
static const struct cli_opt opt_no_progress = {
	"no-progress", 0, NULL, "no progress bar",
	cli_set_flag, ARG(progress), 0, 0, NULL, 0 };
static const struct cli_opt opt_version = {
	"version", 0, NULL, "print the version",
	set_version, 0, 0, 0, NULL, 0 };

static const struct cli_opt *const report_opts[] = {
	&opt_format_report, &opt_table, &opt_output, &opt_jobs, &opt_top,
	&opt_since, &opt_until, &opt_day, &opt_no_rotated, &opt_year,
	&opt_rules, &opt_no_mmap, &opt_state, &opt_history, &opt_mail_to,
	&opt_mail_from, &opt_sendmail, &opt_anonymize, &opt_anonymize_key,
	&opt_max_keys, &opt_color, &opt_progress, &opt_no_progress,
	&opt_quiet, &opt_version, NULL
};

static int	report_run(int, char **);
static void	report_more(FILE *);

const struct cli_cmd cmd_report = {
	"report", "[report] [options] [FILE...]",
	"the report over the logs (the default command)",
	"Reads POP3, IMAP and SMTP server logs (plain, .gz, .zst, .bz2, .xz, .lz4;\n"
	"- or none for stdin), finds every error reply, classifies it by cause and\n"
	"reports per cause, user, code, host and hour.\n",
	report_opts,
	"exit status: 0 ok; 1 an alert fired (alert); 2 usage error; 3 an input\n"
	"could not be read (the others are still read); 4 the report, state or\n"
	"history could not be written; 5 the report could not be mailed\n"
	"(--mail-to: sendmail failed); 130, 143 interrupted by SIGINT, SIGTERM;\n"
	"141 output pipe closed (SIGPIPE).\n"
	"See mxtally(1).\n",
	0, report_run, cmd_list, report_more
};

/* Appends word to a help line list, wrapping at 76 columns; *col. */
static void
put_word(FILE *f, const char *w, int last, size_t *col)
{
	size_t	 n = strlen(w) + (last ? 0 : 1);

	if (*col + 1 + n > 76) {
		fputs("\n ", f);
		*col = 1;
	}
	fprintf(f, " %s%s", w, last ? "\n" : ",");
	*col += 1 + n;
}

/*
 * The servers and line layouts the parsers know, from their own tables:
 * the list mxtally(1) and the README are checked against (tests/docs.sh).
 */
static void
report_more(FILE *f)
{
	size_t	 col;
	int	 i, n;

	fputs("\nservers:", f);
	col = 8;
	for (n = 1; parse_family_name(n) != NULL; n++)
		;
	for (i = 1; i < n; i++)
		put_word(f, parse_family_name(i), 0, &col);
	fputs("\n  and in any program's line a POP3 -ERR, IMAP NO/BAD or SMTP "
	    "reply\n  with an enhanced code\n", f);
	fputs("\nlayouts:", f);
	col = 8;
	for (n = 1; strcmp(layout_name(n), "unknown") != 0; n++)
		;
	for (i = 1; i < n; i++)
		put_word(f, layout_name(i), i == n - 1, &col);
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
inputs_make(const struct cmd_args *a, char **argv, size_t n, size_t *np,
    char ***own)
{
	struct scan_file	*files;
	char			**rot, **all = NULL;
	size_t			 i, k, nr, nall = 0, m = 0;

	for (i = 0; i < n; i++) {
		nr = 0;
		rot = NULL;
		if (a->period && !a->no_rotated)
			nr = period_rotated(argv[i], a->scan.since, &rot);
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


/* Writes r in a's format onto out; 0, or -1 when writing failed. */
static int
write_report(const struct cmd_args *a, int fmt, FILE *out,
    const struct result *r, struct report_opts *ro)
{
	ro->table = a->table;
	switch (fmt) {
	case FMT_JSON:
		return report_json(out, r, ro);
	case FMT_HTML:
		return report_html(out, r, ro);
	case FMT_CSV:
		return report_csv(out, r, ro);
	default:
		return report_text(out, r, ro);
	}
}

int
cmd_write_result(const struct cmd_args *a, const struct result *r,
    struct report_opts *ro)
{
	struct afile	 af;
	int		 rc;

	if (afile_open(&af, a->out) == -1)
		return -1;
	ro->color = a->color != 2 ? a->color : (af.f == stdout &&
	    isatty(1) && getenv("NO_COLOR") == NULL);
	rc = write_report(a, a->format, af.f, r, ro);
	/* on a signal, removed, never left partial */
	if (cmd_got_signal != 0) {
		afile_abort(&af);
		return -1;
	}
	return afile_close(&af, rc != 0);
}

/* Renders r in fmt into a new string (*len bytes); NULL on failure. */
static char *
report_string(const struct cmd_args *a, int fmt, const struct result *r,
    struct report_opts *ro, size_t *len)
{
	char	*buf = NULL;
	FILE	*f = open_memstream(&buf, len);
	int	 rc;

	if (f == NULL)
		return NULL;
	rc = write_report(a, fmt, f, r, ro);
	if (fclose(f) != 0 || rc != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* --mail-to: the text and HTML reports of r, mailed; 0 or -1. */
static int
mail_report(const struct cmd_args *a, const struct result *r,
    struct report_opts *ro, int alerts)
{
	struct mail	 m = { .to = a->mail_to.v, .nto = a->mail_to.n,
	    .from = a->mail_from, .sendmail = a->sendmail, .now = cmd_now() };
	char		 subject[256], host[256];
	char		*text, *html = NULL;
	int		 rc = -1;

	ro->color = 0;
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	report_subject(r, alerts, host, subject, sizeof(subject));
	m.subject = subject;
	if ((text = report_string(a, FMT_TEXT, r, ro, &m.ntext)) == NULL ||
	    (html = report_string(a, FMT_HTML, r, ro, &m.nhtml)) == NULL)
		log_errno("cannot make the report for mail");
	else if (m.text = text, m.html = html, mail_send(&m) == 0)
		rc = 0;
	free(text);
	free(html);
	return rc;
}

/* One report run: what it set up, so one release frees it all. */
struct report {
	struct cmd_args	 a;
	struct state	*state;
	struct history	*hist;
	struct anon	*anon;
	struct classifier *cl;
	struct alert_set set;
	struct scan_sink sk;
	struct scan_file *files;
	size_t		 nfiles;
	char		**own;		/* the rotated files' names */
	struct agg	*agg;
	struct alert	*fired;
	size_t		 nfired;
	char		 winpath[PATH_MAX];
};

/* State, history, anonymisation, rules: 0, or -1 said (a usage error). */
static int
report_setup(struct report *p)
{
	struct cmd_args	*a = &p->a;

	a->scan.progress = a->progress >= 0 ? a->progress : isatty(2) ? -1 : 0;
	if (a->state != NULL && (p->state = state_load(a->state)) == NULL)
		return -1;
	if (p->state != NULL)
		state_resume(p->state, &a->scan.resume);
	if (a->history != NULL && (p->hist = history_open(a->history,
	    1)) == NULL)
		return -1;
	if (a->anon != 0 && (p->anon = anon_new(a->anon,
	    a->anon_key)) == NULL)
		return -1;
	if (p->anon != NULL) {
		a->scan.edit = anon_edit;
		a->scan.edit_arg = p->anon;
	}
	if (cmd_load_rules(&a->rules, &p->cl, &p->set) == -1)
		return -1;
	if (p->set.n > 0) {
		alert_set_sink(&p->set, &p->sk);
		scan_add_sink(&a->scan, &p->sk);
	}
	alert_set_bound(&p->set, a->scan.max_keys);
	if (a->state != NULL && p->set.n > 0) {
		snprintf(p->winpath, sizeof(p->winpath), "%s.windows",
		    a->state);
		p->set.windows = p->winpath;
	}
	return 0;
}

/*
 * The scan's tables and the result are many blocks of memory, hundreds
 * of megabytes on a large log: once the report is out, a release build
 * leaves them to the exit, which drops the address space in one go,
 * instead of freeing them block by block just before. Sanitizer and
 * test builds free everything, so that LeakSanitizer still checks who
 * owns what.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(MXT_TESTING)
#define FREE_AT_EXIT	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define FREE_AT_EXIT	1
#endif
#endif
#ifndef FREE_AT_EXIT
#define FREE_AT_EXIT	0
#endif

static void
report_release(struct report *p)
{
	history_close(p->hist);
	state_free(p->state);
	alert_list_free(p->fired, p->nfired);
	alert_set_release(&p->set);
	if (p->agg != NULL)	/* agg_free takes its tables' addresses first */
		agg_free(p->agg);
	anon_free(p->anon);
	classify_free(p->cl);
	free(p->files);
	own_free(p->own);
	cmd_args_release(&p->a);
}

/* Says each file's error and warning; 1 when one could not be read. */
static int
report_inputs_said(struct report *p)
{
	struct scan_file	*f;
	size_t			 i;
	int			 bad = 0;

	for (i = 0; i < p->nfiles; i++) {
		f = &p->files[i];
		if (f->error[0] != '\0') {
			log_error("'%s': %s", f->path, f->error);
			bad = 1;
		}
		anon_warning(p->anon, f->warning, sizeof(f->warning));
		if (f->warning[0] != '\0')
			log_warn("'%s': %s", f->path, f->warning);
	}
	return bad;
}

/*
 * The report written and mailed, then history, state and windows
 * recorded: 0, -1 when an output failed; *mailed -1 when the mail did.
 */
static int
report_out(struct report *p, const struct result *r, int *mailed)
{
	struct cmd_args		*a = &p->a;
	struct report_opts	 ro = { .version = MXT_VERSION, .top = a->top };
	int			 rc = 0;

	if (a->mail_to.n > 0 && (*mailed = mail_report(a, r, &ro,
	    p->set.n > 0)) == -1)
		rc = -1;
	if (rc == 0 && (a->mail_to.n == 0 || a->out != NULL))
		rc = cmd_write_result(a, r, &ro);
	/* SIGINT/SIGTERM after the scan: 130/143, nothing recorded */
	if (cmd_got_signal != 0 && rc == 0)
		rc = -1;
	if (rc == 0 && p->hist != NULL && history_record(p->hist, r) == -1)
		rc = -1;
	history_close(p->hist);
	p->hist = NULL;
	/* only once the report is out, so a failed run is read again */
	if (rc == 0 && p->state != NULL && state_save(p->state, a->state) == -1)
		rc = -1;
	if (rc == 0 && alert_set_save(&p->set) == -1)
		rc = -1;
	return rc;
}

static int
report_run(int argc, char **argv)
{
	static char		*stdin_only[] = { (char *)"-" };
	struct report		 p = { 0 };
	struct scan_stats	 st;
	struct result		*r;
	size_t			 n;
	int			 i, rc, bad, mailed = 0;

	cmd_args_init(&p.a);
	if ((i = cli_parse(&cmd_report, argc, argv, &p.a)) < 0 ||
	    cmd_args_check(&p.a) == -1 || report_setup(&p) == -1) {
		report_release(&p);
		return cli_status(i);
	}
	argv += i;
	n = (size_t)(argc - i);
	if (n == 0) {
		argv = stdin_only;
		n = 1;
	}
	p.files = inputs_make(&p.a, argv, n, &p.nfiles, &p.own);
	p.a.scan.stop = &cmd_got_signal;
	cmd_catch_signals();
	p.agg = scan_run(&p.a.scan, p.cl, p.files, p.nfiles, &st);
	if (cmd_got_signal != 0) {
		report_release(&p);
		return cmd_interrupted();
	}
	bad = report_inputs_said(&p);
	r = agg_result(p.agg, p.a.top);
	anon_result(p.anon, r);
	fill_result(r, p.files, p.nfiles, &st);
	if (p.set.n > 0) {
		p.fired = alert_set_eval(&p.set, st.last, &p.nfired);
		r->alerts = alert_rows(p.fired, p.nfired);
		r->nalerts = p.nfired;
	}
	report_views(r);
	rc = report_out(&p, r, &mailed);
	if (FREE_AT_EXIT)
		result_free(r);
	else
		p.agg = NULL;	/* left to the exit, with r */
	report_release(&p);
	if (cmd_got_signal != 0)
		return cmd_interrupted();
	if (mailed == -1)
		return EXIT_MAIL;
	if (rc != 0)
		return EXIT_OUTPUT;
	return bad ? EXIT_INPUT : EXIT_OK;
}
