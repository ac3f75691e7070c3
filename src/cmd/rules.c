/*
 * `mxtally rules --check FILE... | --dump`: reads each rule file with
 * the set-up report, alert and watch use (cmd_load_rules), so it fails
 * exactly where they would, or prints the built-in rules as a file.
 */
#include <stddef.h>
#include <stdio.h>

#include "mxtally/classify.h"
#include "mxtally/log.h"
#include "cmd_int.h"

struct rules_args {
	struct cmd_args	 a;
	int		 check, dump;
};

#define RARG(field)	offsetof(struct rules_args, field)

static const struct cli_opt opt_check = {
	"check", 0, NULL,
	"read each FILE as 'report --rules' and 'alert'\n"
	"would, and say what it holds or where it is wrong\n"
	"(file:line); exit 2 when one is wrong",
	cli_set_flag, RARG(check), 0, 0, NULL, 1 };
static const struct cli_opt opt_dump = {
	"dump", 0, NULL,
	"print the built-in classification rules as a rule\n"
	"file (it passes --check)",
	cli_set_flag, RARG(dump), 0, 0, NULL, 1 };

static const struct cli_opt *const rules_opts[] = {
	&opt_check, &opt_dump, NULL
};

static int	rules_run(int, char **);

const struct cli_cmd cmd_rules = {
	"rules", "rules --check FILE... | --dump",
	"check rule files, or print the built-in rules",
	NULL, rules_opts, NULL, 0, rules_run, NULL, NULL
};

/* One file, as report --rules would load it: 0, or -1 said. */
static int
rules_check(const char *path)
{
	struct cli_list		 one = { &path, 1 };
	struct classifier	*cl;
	struct alert_set	 set;
	size_t			 nr, nc;

	if (cmd_load_rules(&one, &cl, &set) == -1)
		return -1;
	classify_rules_count(cl, &nr, &nc);
	printf("%s: %zu cause rule%s, %zu cause%s, %zu alert rule%s, ok\n",
	    path, nr, nr == 1 ? "" : "s", nc, nc == 1 ? "" : "s", set.n,
	    set.n == 1 ? "" : "s");
	alert_set_release(&set);
	classify_free(cl);
	return 0;
}

static int
rules_run(int argc, char **argv)
{
	struct rules_args	 r = { 0 };
	int			 i, bad = 0;

	if ((i = cli_parse(&cmd_rules, argc, argv, &r)) < 0)
		return cli_status(i);
	if (r.dump && !r.check && i == argc)
		return classify_dump_rules(stdout) == 0 ? EXIT_OK :
		    (log_errno("cannot write the rules"), EXIT_OUTPUT);
	if (!r.check || r.dump || i == argc) {
		cli_usage(stderr, &cmd_rules);
		return EXIT_USAGE;
	}
	for (; i < argc; i++)
		if (rules_check(argv[i]) == -1)
			bad = 1;
	return bad ? EXIT_USAGE : EXIT_OK;
}
