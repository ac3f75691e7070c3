/*
 * `mxtally merge [options] REPORT.json...`: one report from saved JSON
 * reports (several servers or nights), built by merge_reports
 * (src/merge/merge.c) and written by the report's writers.
 */
#include <stdio.h>

#include "mxtally/agg.h"
#include "mxtally/log.h"
#include "mxtally/merge.h"
#include "mxtally/report.h"
#include "cmd_int.h"

static const struct cli_opt *const merge_opts[] = {
	&opt_format_report, &opt_table, &opt_output, &opt_top, &opt_color,
	&opt_quiet, NULL
};

static int	merge_run(int, char **);

const struct cli_cmd cmd_merge = {
	"merge", "merge [options] REPORT.json...",
	"one report from saved JSON reports (servers, nights)",
	"Adds up saved JSON reports (mxtally -f json) of several servers or\n"
	"nights into one report, written like a scan's.\n",
	merge_opts, NULL, 0, merge_run, NULL, NULL
};

static int
merge_run(int argc, char **argv)
{
	struct cmd_args		 a;
	struct report_opts	 ro = { .version = MXT_VERSION };
	struct result		*r;
	int			 i, rc;

	cmd_args_init(&a);
	if ((i = cli_parse(&cmd_merge, argc, argv, &a)) < 0 ||
	    cmd_args_check(&a) == -1)
		return cli_status(i);
	if (i >= argc) {
		log_error("merge: no reports given");
		cli_usage(stderr, &cmd_merge);
		return EXIT_USAGE;
	}
	if ((r = merge_reports(argv + i, (size_t)(argc - i), a.top)) == NULL)
		return EXIT_INPUT;
	ro.top = a.top;
	report_views(r);
	rc = cmd_write_result(&a, r, &ro);
	result_free(r);
	return rc != 0 ? EXIT_OUTPUT : EXIT_OK;
}
