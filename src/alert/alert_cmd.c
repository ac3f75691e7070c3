/*
 * `mxtally alert`: loads the rules, scans the logs once with alert
 * records switched on, evaluates the windows and writes the fired alerts
 * as JSON lines, a Nagios status line or Prometheus text (also to a
 * node_exporter textfile, written atomically). Also the atomic file
 * writer the watch command shares.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
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
#include "mxtally/log.h"
#include "mxtally/period.h"
#include "mxtally/report.h"
#include "mxtally/scan.h"
#include "mxtally/state.h"
#include "alert_int.h"

enum { A_JSONL, A_NAGIOS, A_PROM };

struct alert_cli {
	struct scan_opts scan;
	int		 fmt;
	const char	*out;		/* -o FILE */
	const char	*prom_file;	/* --prom-file FILE */
	const char	**rules;
	size_t		 nrules;
	const char	*state;		/* --state FILE */
};

static void
alert_usage(FILE *f)
{
	fputs(
"usage: mxtally alert --rules FILE [options] [FILE...]\n"
"\n"
"Evaluates the alert rules of each --rules FILE over the logs (event time\n"
"as logged) and prints the alerts that fired.\n"
"\n"
"options:\n"
"      --rules FILE     INI rules (repeatable)\n"
"  -f, --format FMT     jsonl (default), nagios or prometheus\n"
"  -o, --output FILE    write to FILE atomically (temp + rename)\n"
"      --prom-file FILE also write Prometheus text to FILE atomically\n"
"                       (node_exporter textfile collector)\n"
"  -j, --jobs N         worker threads (default: online CPUs)\n"
"      --since TIME     only events at or after TIME (2026-11-21[THH:MM[:SS]],\n"
"                       yesterday, today, -24h, -7d, ...: as for the report)\n"
"      --until TIME     only events before TIME\n"
"      --state FILE     incremental: read only what earlier runs with the\n"
"                       same FILE did not, and carry the alert windows\n"
"                       over (kept in FILE.windows)\n"
"      --year YYYY      year of RFC 3164 stamps\n"
"      --no-mmap        read with read(2) instead of mmap\n"
"      --max-keys N     distinct keys per table and alert records kept\n"
"                       in memory (default 1000000, 0 = no limit)\n"
"  -q, --quiet          no warnings\n"
"\n"
"exit status: 0 no alert fired, 1 an alert fired, 2 usage error,\n"
"3 an input could not be read; nagios (the alerts firing at the last log\n"
"time read): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (an input could not\n"
"be read and nothing critical fires).\n", f);
}

int
alert_write_file(const char *path, const char *buf, size_t len)
{
	return afile_write(path, buf, len);
}

static int
alert_args(int argc, char **argv, struct alert_cli *c)
{
	enum { O_RULES = 256, O_PROM, O_YEAR, O_NOMMAP, O_MAXKEYS, O_SINCE,
	    O_UNTIL, O_STATE };
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, O_RULES },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "prom-file", required_argument, NULL, O_PROM },
		{ "jobs", required_argument, NULL, 'j' },
		{ "year", required_argument, NULL, O_YEAR },
		{ "no-mmap", no_argument, NULL, O_NOMMAP },
		{ "max-keys", required_argument, NULL, O_MAXKEYS },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "state", required_argument, NULL, O_STATE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char	*end;
	long	 v;
	int	 ch;

	while ((ch = getopt_long(argc, argv, "f:o:j:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_RULES:
			c->rules = xrealloc(c->rules, (c->nrules + 1) *
			    sizeof(*c->rules));
			c->rules[c->nrules++] = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "jsonl") == 0)
				c->fmt = A_JSONL;
			else if (strcmp(optarg, "nagios") == 0)
				c->fmt = A_NAGIOS;
			else if (strcmp(optarg, "prometheus") == 0)
				c->fmt = A_PROM;
			else
				return log_error("unknown alert format '%s' "
				    "(jsonl, nagios, prometheus)", optarg);
			break;
		case 'o':
			c->out = optarg;
			break;
		case O_PROM:
			c->prom_file = optarg;
			break;
		case 'j':
		case O_YEAR:
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < (ch == 'j' ?
			    1 : 1970) || v > (ch == 'j' ? 1024 : 9999))
				return log_error("bad %s '%s'", ch == 'j' ?
				    "--jobs" : "--year", optarg);
			if (ch == 'j')
				c->scan.jobs = (int)v;
			else
				c->scan.year = (int)v;
			break;
		case O_NOMMAP:
			c->scan.no_mmap = 1;
			break;
		case O_SINCE:
		case O_UNTIL:
			if (period_point(optarg, (int64_t)time(NULL),
			    ch == O_SINCE ? &c->scan.since : &c->scan.until)
			    == -1)
				return log_error("bad time '%s': use 2026-11-21, "
				    "2026-11-21T14:00:00, yesterday, today, "
				    "this-week, last-week, -24h or -7d", optarg);
			break;
		case O_STATE:
			c->state = optarg;
			break;
		case O_MAXKEYS:
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 0)
				return log_error("bad --max-keys '%s'", optarg);
			c->scan.max_keys = (size_t)v;
			break;
		case 'q':
			log_quiet = 1;
			break;
		case 'h':
			alert_usage(stdout);
			exit(log_stdout_done(0, 4));
		default:
			return -1;
		}
	}
	if (c->nrules == 0)
		return log_error("alert needs --rules FILE");
	return 0;
}

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

static int
alert_emit(const struct alert_cli *c, struct alert_set *set,
    const struct alert_run *ar)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;
	int	 rc = 0, bad;

	if (c->prom_file != NULL) {
		if ((f = open_memstream(&buf, &len)) == NULL)
			log_die("out of memory");
		bad = alert_write_prometheus(f, set, ar->v, ar->n, ar->ce,
		    ar->lines);
		fclose(f);
		if (bad || alert_write_file(c->prom_file, buf, len) == -1)
			rc = -1;
		free(buf);
		buf = NULL;
	}
	if ((f = open_memstream(&buf, &len)) == NULL)
		log_die("out of memory");
	if (c->fmt == A_NAGIOS)
		rc = alert_write_nagios(f, set, ar->v, ar->n, ar->ce,
		    ar->unreadable) | (rc == -1 ? 0x100 : 0);
	else if (c->fmt == A_PROM)
		alert_write_prometheus(f, set, ar->v, ar->n, ar->ce,
		    ar->lines);
	else
		alert_write_jsonl(f, ar->v, ar->n);
	fclose(f);
	if (c->out != NULL && strcmp(c->out, "-") != 0) {
		if (alert_write_file(c->out, buf, len) == -1)
			rc = c->fmt == A_NAGIOS ? 3 : -1;
	} else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		log_errno("cannot write alerts");
		rc = c->fmt == A_NAGIOS ? 3 : -1;
	}
	free(buf);
	return rc;
}

int
alert_main(int argc, char **argv)
{
	struct alert_cli	 c = { 0 };
	struct alert_set	 set = { 0 };
	struct alert_run	 ar = { 0 };
	struct scan_file	*files;
	struct scan_stats	 st;
	struct classifier	*cl;
	struct agg		*agg;
	struct state		*state = NULL;
	struct scan_sink	 sk;
	char			 err[256] = "", winpath[PATH_MAX];
	size_t			 n, i;
	int			 rc;
	long			 cpus = sysconf(_SC_NPROCESSORS_ONLN);
	static char		*stdin_only[] = { (char *)"-" };

	c.scan.jobs = cpus > 0 ? (int)cpus : 1;
	c.scan.since = c.scan.until = T_NONE;
	c.scan.max_keys = AGG_MAX_KEYS_DEFAULT;
	if (alert_args(argc, argv, &c) == -1) {
		fputs("try 'mxtally alert --help'\n", stderr);
		free(c.rules);
		return 2;
	}
	if (alert_rules_load(c.rules, c.nrules, &cl, &set) == -1) {
		free(c.rules);
		return 2;
	}
	argv += optind;
	n = (size_t)(argc - optind);
	if (n == 0) {
		argv = stdin_only;
		n = 1;
	}
	if (c.state != NULL && (state = state_load(c.state, err,
	    sizeof(err))) == NULL) {
		log_error("%s", err);
		alert_set_release(&set);
		classify_free(cl);
		free(c.rules);
		return 2;
	}
	if (state != NULL)
		state_resume(state, &c.scan.resume);
	if (c.state != NULL) {
		snprintf(winpath, sizeof(winpath), "%s.windows", c.state);
		set.windows = winpath;
	}
	files = xcalloc(n, sizeof(*files));
	for (i = 0; i < n; i++)
		files[i].path = argv[i];
	alert_set_sink(&set, &sk);
	scan_add_sink(&c.scan, &sk);
	alert_set_bound(&set, c.scan.max_keys);
	agg = scan_run(&c.scan, cl, files, n, &st);
	for (i = 0; i < n; i++) {
		if (files[i].error[0] != '\0') {
			log_error("'%s': %s", files[i].path, files[i].error);
			ar.unreadable = 1;
		}
		if (files[i].warning[0] != '\0')
			log_warn("'%s': %s", files[i].path, files[i].warning);
	}
	ar.v = alert_set_eval(&set, st.last, &ar.n);
	ar.ce = cause_events(agg);
	ar.lines = st.lines;
	rc = alert_emit(&c, &set, &ar);
	/* only once the alerts are out, so a failed run is read again */
	if ((rc & 0x100) == 0 && rc != -1 && state != NULL &&
	    (state_save(state, c.state, err, sizeof(err)) == -1 ||
	    alert_set_save(&set) == -1)) {
		if (err[0] != '\0')
			log_error("%s", err);
		rc = c.fmt == A_NAGIOS ? 0x100 : -1;
	}
	state_free(state);
	if (c.fmt == A_NAGIOS)
		rc = rc & 0x100 ? 3 : rc;
	else if (rc == -1 || ar.unreadable)
		rc = 3;
	else
		rc = ar.n > 0 ? 1 : 0;
	alert_list_free(ar.v, ar.n);
	free(ar.ce);
	agg_free(agg);
	alert_set_release(&set);
	classify_free(cl);
	free(files);
	free(c.rules);
	return rc;
}
