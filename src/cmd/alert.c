/*
 * `mxtally alert`: loads the rules, scans the logs once with the alert
 * sink registered, evaluates the windows and writes the fired alerts as
 * JSON lines, a Nagios status line or Prometheus text (also to a
 * node_exporter textfile, atomically). The windows and the writers are
 * the alert stage's (src/alert/); this file is the command around them.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/afile.h"
#include "mxtally/agg.h"
#include "mxtally/alert.h"
#include "mxtally/anon.h"
#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/log.h"
#include "mxtally/report.h"
#include "mxtally/scan.h"
#include "mxtally/state.h"
#include "cmd_int.h"

enum { A_JSONL, A_NAGIOS, A_PROM };	/* opt_format_alert's choices */

struct alert_args {
	struct cmd_args	 a;
	const char	*prom_file;	/* --prom-file FILE */
};

#define AARG(field)	offsetof(struct alert_args, field)

static const struct cli_opt opt_format_alert = {
	"format", 'f', "FMT", "jsonl (default), nagios or prometheus",
	cli_set_choice, AARG(a.format), 0, 0, "jsonl\0nagios\0prometheus\0",
	0 };
static const struct cli_opt opt_prom_file = {
	"prom-file", 0, "FILE",
	"also write Prometheus text to FILE atomically\n"
	"(node_exporter textfile collector)",
	cli_set_str, AARG(prom_file), 0, 0, NULL, 0 };

static const struct cli_opt *const alert_opts[] = {
	&opt_rules, &opt_format_alert, &opt_output, &opt_prom_file,
	&opt_jobs, &opt_since, &opt_until, &opt_state, &opt_year,
	&opt_no_mmap, &opt_max_keys, &opt_anonymize, &opt_anonymize_key,
	&opt_quiet, NULL
};

static int	alert_run(int, char **);

const struct cli_cmd cmd_alert = {
	"alert", "alert --rules FILE [options] [FILE...]",
	"evaluate alert rules once: jsonl, nagios or prometheus",
	"Evaluates the alert rules of each --rules FILE over the logs (event time\n"
	"as logged) and prints the alerts that fired.\n",
	alert_opts,
	"exit status: 0 no alert fired, 1 an alert fired, 2 usage error,\n"
	"3 an input could not be read; nagios (the alerts firing at the last log\n"
	"time read): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (an input could not\n"
	"be read and nothing critical fires).\n",
	0, alert_run, NULL, NULL
};

/* Events per cause number, from the merged agg. */
static uint64_t *
cause_events(struct agg *agg)
{
	uint64_t	*ce = xcalloc(CAUSE_MAX, sizeof(*ce));
	struct result	*r = agg_result(agg, 0);
	size_t		 i;

	for (i = 0; i < r->ncauses; i++)
		if (r->causes[i].cause >= 0 && r->causes[i].cause < CAUSE_MAX)
			ce[r->causes[i].cause] = r->causes[i].events;
	result_free(r);
	return ce;
}

struct alert_run {
	struct alert	*v;
	size_t		 n;
	uint64_t	*ce;
	uint64_t	 lines;
	int		 unreadable;
};

/*
 * The alerts out: --prom-file, then -o or stdout. 0 or -1; nagios: its
 * status, with 0x100 set when --prom-file failed, 3 when -o did.
 */
static int
alert_emit(const struct alert_args *c, struct alert_set *set,
    const struct alert_run *ar)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;
	int	 rc = 0, bad, fmt = c->a.format;

	if (c->prom_file != NULL) {
		if ((f = open_memstream(&buf, &len)) == NULL)
			log_die("out of memory");
		bad = alert_write_prometheus(f, set, ar->v, ar->n, ar->ce,
		    ar->lines);
		fclose(f);
		if (bad || afile_write(c->prom_file, buf, len) == -1)
			rc = -1;
		free(buf);
		buf = NULL;
	}
	if ((f = open_memstream(&buf, &len)) == NULL)
		log_die("out of memory");
	if (fmt == A_NAGIOS)
		rc = alert_write_nagios(f, set, ar->v, ar->n, ar->ce,
		    ar->unreadable) | (rc == -1 ? 0x100 : 0);
	else if (fmt == A_PROM)
		alert_write_prometheus(f, set, ar->v, ar->n, ar->ce,
		    ar->lines);
	else
		alert_write_jsonl(f, ar->v, ar->n);
	fclose(f);
	if (c->a.out != NULL && strcmp(c->a.out, "-") != 0) {
		if (afile_write(c->a.out, buf, len) == -1)
			rc = fmt == A_NAGIOS ? 3 : -1;
	} else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		log_errno("cannot write alerts");
		rc = fmt == A_NAGIOS ? 3 : -1;
	}
	free(buf);
	return rc;
}

/* After parsing: rules, state, windows. 0, or -1 said. */
static int
alert_setup(struct alert_args *c, struct classifier **cl,
    struct alert_set *set, struct state **state, char *winpath,
    size_t winlen)
{
	if (c->a.rules.n == 0)
		return log_error("alert needs --rules FILE");
	if (cmd_load_rules(&c->a.rules, cl, set) == -1)
		return -1;
	if (c->a.state != NULL && (*state = state_load(c->a.state)) == NULL)
		return -1;
	if (*state != NULL)
		state_resume(*state, &c->a.scan.resume);
	if (c->a.state != NULL) {
		snprintf(winpath, winlen, "%s.windows", c->a.state);
		set->windows = winpath;
	}
	return 0;
}

/* The exit status (alert's own convention, and nagios's). */
static int
alert_status(const struct alert_args *c, int rc, const struct alert_run *ar)
{
	if (c->a.format == A_NAGIOS)
		return rc & 0x100 ? 3 : rc;
	if (rc == -1 || ar->unreadable)
		return EXIT_INPUT;
	return ar->n > 0 ? EXIT_FIRED : EXIT_OK;
}

static int
alert_run(int argc, char **argv)
{
	static char		*stdin_only[] = { (char *)"-" };
	struct alert_args	 c = { 0 };
	struct alert_set	 set = { 0 };
	struct alert_run	 ar = { 0 };
	struct scan_file	*files;
	struct scan_stats	 st;
	struct classifier	*cl = NULL;
	struct agg		*agg;
	struct state		*state = NULL;
	struct scan_sink	 sk;
	struct anon		*anon = NULL;
	char			 winpath[PATH_MAX];
	size_t			 n, i;
	int			 k, rc, failed = 0;

	cmd_args_init(&c.a);
	if ((k = cli_parse(&cmd_alert, argc, argv, &c)) >= 0)
		anon = anon_setup(c.a.anon, c.a.anon_key, &c.a.scan, &failed);
	if (k < 0 || failed || alert_setup(&c, &cl, &set, &state, winpath,
	    sizeof(winpath)) == -1) {
		if (k >= 0 && c.a.rules.n == 0)
			fputs("try 'mxtally alert --help'\n", stderr);
		alert_set_release(&set);
		classify_free(cl);
		anon_free(anon);
		cmd_args_release(&c.a);
		return cli_status(k);
	}
	argv += k;
	n = (size_t)(argc - k);
	if (n == 0) {
		argv = stdin_only;
		n = 1;
	}
	files = xcalloc(n, sizeof(*files));
	for (i = 0; i < n; i++)
		files[i].path = argv[i];
	alert_set_sink(&set, &sk);
	scan_add_sink(&c.a.scan, &sk);
	alert_set_bound(&set, c.a.scan.max_keys);
	agg = scan_run(&c.a.scan, cl, files, n, &st);
	for (i = 0; i < n; i++) {
		if (files[i].error[0] != '\0') {
			log_error("'%s': %s", files[i].path, files[i].error);
			ar.unreadable = 1;
		}
		anon_warning(anon, files[i].warning,
		    sizeof(files[i].warning));
		if (files[i].warning[0] != '\0')
			log_warn("'%s': %s", files[i].path, files[i].warning);
	}
	ar.v = alert_set_eval(&set, st.last, &ar.n);
	ar.ce = cause_events(agg);
	ar.lines = st.lines;
	rc = alert_emit(&c, &set, &ar);
	/* only once the alerts are out, so a failed run is read again */
	if ((rc & 0x100) == 0 && rc != -1 && state != NULL &&
	    (state_save(state, c.a.state) == -1 ||
	    alert_set_save(&set) == -1))
		rc = c.a.format == A_NAGIOS ? 0x100 : -1;
	state_free(state);
	rc = alert_status(&c, rc, &ar);
	alert_list_free(ar.v, ar.n);
	free(ar.ce);
	agg_free(agg);
	alert_set_release(&set);
	classify_free(cl);
	anon_free(anon);
	free(files);
	cmd_args_release(&c.a);
	return rc;
}
