/*
 * `mxtally watch`: its options into a struct watch_conf, then the
 * follower (src/alert/watch.c) runs until SIGTERM or SIGINT.
 */
#include <limits.h>
#include <stddef.h>

#include "mxtally/alert.h"
#include "mxtally/log.h"
#include "cmd_int.h"

struct watch_args {
	struct cmd_args	 a;
	struct watch_conf w;
};

#define WARG(field)	offsetof(struct watch_args, field)

static const struct cli_opt opt_listen = {
	"listen", 0, "ADDR:PORT", "serve /metrics (e.g. 127.0.0.1:9772)",
	cli_set_str, WARG(w.listen), 0, 0, NULL, 0 };
static const struct cli_opt opt_alertmanager = {
	"alertmanager", 0, "URL", "push alerts to URL/api/v2/alerts",
	cli_set_str, WARG(w.am), 0, 0, NULL, 0 };
static const struct cli_opt opt_from_start = {
	"from-start", 0, NULL,
	"read what the files hold now, not only new lines",
	cli_set_flag, WARG(w.from_start), 0, 0, NULL, 1 };
static const struct cli_opt opt_max_labels = {
	"max-labels", 0, "N",
	"label sets per metric before \"other\" (1000)",
	cli_set_size, WARG(w.cap), 1, LONG_MAX, NULL, 0 };
static const struct cli_opt opt_max_windows = {
	"max-windows", 0, "N",
	"alert windows (rule, key) kept (100000, 0 = all)",
	cli_set_size, WARG(w.max_windows), 0, LONG_MAX, NULL, 0 };

static const struct cli_opt *const watch_opts[] = {
	&opt_rules, &opt_listen, &opt_alertmanager, &opt_from_start,
	&opt_max_labels, &opt_max_windows, &opt_year, &opt_anonymize,
	&opt_anonymize_key, &opt_quiet, NULL
};

static int	watch_cmd_run(int, char **);

const struct cli_cmd cmd_watch = {
	"watch", "watch [--rules FILE] [options] FILE...",
	"follow live logs, serve /metrics, push to Alertmanager",
	"Follows growing logs (surviving rotation by rename and by copytruncate),\n"
	"serves counters on /metrics and pushes alerts to Alertmanager.\n"
	"SIGHUP reloads the rules; SIGTERM and SIGINT end it.\n",
	watch_opts,
	"exit status: 0 after SIGTERM or SIGINT, 2 usage error or it could\n"
	"not start (rules, --listen, --alertmanager).\n",
	0, watch_cmd_run, NULL, NULL
};

static int
watch_cmd_run(int argc, char **argv)
{
	struct watch_args	 c;
	int			 i, rc;

	cmd_args_init(&c.a);
	c.w = (struct watch_conf){ .cap = WATCH_LABELS_DEFAULT,
	    .max_windows = WATCH_WINDOWS_DEFAULT };
	if ((i = cli_parse(&cmd_watch, argc, argv, &c)) < 0 || (i == argc &&
	    log_error("watch needs at least one log FILE") == -1)) {
		if (i >= 0)
			fputs("try 'mxtally watch --help'\n", stderr);
		cmd_args_release(&c.a);
		return cli_status(i);
	}
	c.w.rules = c.a.rules.v;
	c.w.nrules = c.a.rules.n;
	c.w.year = c.a.scan.year;
	c.w.anon = c.a.anon;
	c.w.anon_key = c.a.anon_key;
	rc = watch_follow(&c.w, argv + i, (size_t)(argc - i));
	cmd_args_release(&c.a);
	return rc == -1 ? EXIT_USAGE : EXIT_OK;
}
