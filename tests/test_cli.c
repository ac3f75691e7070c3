/*
 * The option parser (src/cli.c) with a table of its own: each kind of
 * setter, operands after options and between them, --help generated
 * from the table, and the usage errors (unknown option, missing
 * argument, bad number, bad choice, an argument to a flag), each named
 * on stderr. Then the real command tables: every command's --help
 * lists every option of its table.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "slurp.h"

#include "mxtally/cli.h"
#include "mxtally/cmd.h"
#include "mxtally/log.h"

struct targs {
	const char	*out;
	int		 jobs;
	size_t		 max;
	int		 fmt;
	int		 flag;
	struct cli_list	 rules;
};

#define T(f)	offsetof(struct targs, f)

static const struct cli_opt t_out = { "output", 'o', "FILE", "where to",
	cli_set_str, T(out), 0, 0, NULL, 0 };
static const struct cli_opt t_jobs = { "jobs", 'j', "N", "threads\nmore",
	cli_set_int, T(jobs), 1, 64, NULL, 0 };
static const struct cli_opt t_max = { "max-keys", 0, "N", "a cap",
	cli_set_size, T(max), 0, LONG_MAX, NULL, 0 };
static const struct cli_opt t_fmt = { "format", 'f', "FMT", "a or bb",
	cli_set_choice, T(fmt), 0, 0, "a\0bb\0", 0 };
static const struct cli_opt t_flag = { "no-mmap", 0, NULL, "a flag",
	cli_set_flag, T(flag), 0, 0, NULL, 7 };
static const struct cli_opt t_rules = { "rules", 0, "FILE", "repeatable",
	cli_set_list, T(rules), 0, 0, NULL, 0 };

static const struct cli_opt *const t_opts[] = {
	&t_out, &t_jobs, &t_max, &t_fmt, &t_flag, &t_rules, NULL
};

static const struct cli_cmd t_cmd = {
	"tcmd", "tcmd [options] FILE...", "a test command", "About it.\n",
	t_opts, "exit status: 0 or 2.\n", 0, NULL, NULL, NULL
};

static const struct cli_cmd t_text = {
	"ttext", "ttext TEXT", "free text", NULL, NULL, NULL, CLI_TEXT,
	NULL, NULL, NULL
};

/* parse argv (NULL-terminated words) into a; cli_parse's result */
static int
parse(const struct cli_cmd *cmd, struct targs *a, char **words)
{
	int	 argc = 0;

	while (words[argc] != NULL)
		argc++;
	memset(a, 0, sizeof(*a));
	return cli_parse(cmd, argc, words, a);
}

static char *
stderr_of(void)
{
	fflush(stderr);
	return slurp(cr_get_redirected_stderr());
}

Test(cli, every_setter, .timeout = 10)
{
	char	 w0[] = "tcmd", w1[] = "-o", w2[] = "out.txt", w3[] = "x.log",
		 w4[] = "--jobs=4", w5[] = "--max-keys", w6[] = "0",
		 w7[] = "-fbb", w8[] = "--no-mmap", w9[] = "--rules", w10[] = "a",
		 w11[] = "--rules=b", w12[] = "y.log";
	char	*argv[] = { w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11,
		 w12, NULL };
	struct targs	 a;
	int		 i;

	i = parse(&t_cmd, &a, argv);
	/* GNU getopt puts the operands last, in their order */
	cr_assert_eq(i, 11);
	cr_assert_str_eq(argv[11], "x.log");
	cr_assert_str_eq(argv[12], "y.log");
	cr_assert_str_eq(a.out, "out.txt");
	cr_assert_eq(a.jobs, 4);
	cr_assert_eq(a.max, 0);
	cr_assert_eq(a.fmt, 1);
	cr_assert_eq(a.flag, 7);
	cr_assert_eq(a.rules.n, 2);
	cr_assert_str_eq(a.rules.v[0], "a");
	cr_assert_str_eq(a.rules.v[1], "b");
	cli_list_release(&a.rules);
	cr_assert_eq(a.rules.n, 0);
}

Test(cli, parses_again, .timeout = 10)
{
	char	 w0[] = "tcmd", w1[] = "-j", w2[] = "2", w3[] = "f";
	char	*argv[] = { w0, w1, w2, w3, NULL };
	char	 v0[] = "tcmd", v1[] = "-j3";
	char	*argv2[] = { v0, v1, NULL };
	struct targs	 a;

	cr_assert_eq(parse(&t_cmd, &a, argv), 3);
	cr_assert_eq(a.jobs, 2);
	/* getopt's state was reset: the second parse starts at argv[1] */
	cr_assert_eq(parse(&t_cmd, &a, argv2), 2);
	cr_assert_eq(a.jobs, 3);
}

Test(cli, double_dash_ends_options, .timeout = 10)
{
	char	 w0[] = "tcmd", w1[] = "--", w2[] = "-j", w3[] = "--x";
	char	*argv[] = { w0, w1, w2, w3, NULL };
	struct targs	 a;

	cr_assert_eq(parse(&t_cmd, &a, argv), 2);
	cr_assert_eq(a.jobs, 0);
}

Test(cli, unknown_long_option, .init = cr_redirect_stderr, .timeout = 10)
{
	char	 w0[] = "tcmd", w1[] = "--bogus=3", w2[] = "f";
	char	*argv[] = { w0, w1, w2, NULL };
	struct targs	 a;
	char		*err;

	cr_assert_eq(parse(&t_cmd, &a, argv), -1);
	cr_assert_eq(cli_status(-1), 2);
	err = stderr_of();
	cr_assert(strstr(err, "unknown option '--bogus'\n") != NULL, "%s", err);
	cr_assert(strstr(err, "try 'mxtally tcmd --help'") != NULL, "%s", err);
	free(err);
}

static const struct cli_opt t_max2 = { "max-labels", 0, "N", "another",
	cli_set_size, T(max), 0, 9, NULL, 0 };
static const struct cli_opt *const t_amb_opts[] = { &t_max, &t_max2, NULL };
static const struct cli_cmd t_amb = {
	"tamb", "tamb", "ambiguous", NULL, t_amb_opts, NULL, 0, NULL, NULL,
	NULL
};

Test(cli, ambiguous_prefix, .init = cr_redirect_stderr, .timeout = 10)
{
	char	 w0[] = "tamb", w1[] = "--max=3";
	char	 v0[] = "tamb", v1[] = "--max-l=3";	/* unique: taken */
	char	*argv[] = { w0, w1, NULL }, *argv2[] = { v0, v1, NULL };
	struct targs	 a;
	char		*err;

	cr_assert_eq(parse(&t_amb, &a, argv), -1);
	cr_assert_eq(parse(&t_amb, &a, argv2), 2);
	cr_assert_eq(a.max, 3);
	err = stderr_of();
	cr_assert(strstr(err, "ambiguous option '--max' (--max-keys, "
	    "--max-labels)\n") != NULL, "%s", err);
	free(err);
}

Test(cli, unknown_short_option, .init = cr_redirect_stderr, .timeout = 10)
{
	char	 w0[] = "tcmd", w1[] = "-Z";
	char	*argv[] = { w0, w1, NULL };
	struct targs	 a;
	char		*err;

	cr_assert_eq(parse(&t_cmd, &a, argv), -1);
	err = stderr_of();
	cr_assert(strstr(err, "unknown option '-Z'") != NULL, "%s", err);
	free(err);
}

Test(cli, missing_argument, .init = cr_redirect_stderr, .timeout = 10)
{
	char	 w0[] = "tcmd", w1[] = "f", w2[] = "--jobs";
	char	 v0[] = "tcmd", v1[] = "-o";
	char	*argv[] = { w0, w1, w2, NULL };
	char	*argv2[] = { v0, v1, NULL };
	struct targs	 a;
	char		*err;

	cr_assert_eq(parse(&t_cmd, &a, argv), -1);
	cr_assert_eq(parse(&t_cmd, &a, argv2), -1);
	err = stderr_of();
	cr_assert(strstr(err, "option '--jobs' needs an argument (N)") != NULL,
	    "%s", err);
	/* the short form is named by its long name too */
	cr_assert(strstr(err, "option '--output' needs an argument (FILE)") !=
	    NULL, "%s", err);
	free(err);
}

Test(cli, bad_numbers, .init = cr_redirect_stderr, .timeout = 10)
{
	char	 w0[] = "tcmd", w1[] = "-j", w2[] = "4x";
	char	 v0[] = "tcmd", v1[] = "--jobs=65";
	char	 u0[] = "tcmd", u1[] = "--max-keys", u2[] = "-1";
	char	 s0[] = "tcmd", s1[] = "--jobs", s2[] = "";
	char	 b0[] = "tcmd", b1[] = "--max-keys",
		 b2[] = "99999999999999999999999";
	char	*argv[] = { w0, w1, w2, NULL }, *argv2[] = { v0, v1, NULL },
		*argv3[] = { u0, u1, u2, NULL }, *argv4[] = { s0, s1, s2, NULL },
		*argv5[] = { b0, b1, b2, NULL };
	struct targs	 a;
	char		*err;

	cr_assert_eq(parse(&t_cmd, &a, argv), -1);
	cr_assert_eq(parse(&t_cmd, &a, argv2), -1);
	cr_assert_eq(parse(&t_cmd, &a, argv3), -1);
	cr_assert_eq(parse(&t_cmd, &a, argv4), -1);
	cr_assert_eq(parse(&t_cmd, &a, argv5), -1);
	cr_assert_eq(a.max, 0, "an overflow stored %zu", a.max);
	err = stderr_of();
	cr_assert(strstr(err, "bad --jobs '4x': a number from 1 to 64") != NULL,
	    "%s", err);
	cr_assert(strstr(err, "bad --jobs '65': a number from 1 to 64") != NULL,
	    "%s", err);
	cr_assert(strstr(err, "bad --max-keys '-1': a number, at least 0") !=
	    NULL, "%s", err);
	cr_assert(strstr(err, "bad --jobs '': a number") != NULL, "%s", err);
	cr_assert(strstr(err, "bad --max-keys '9999") != NULL, "%s", err);
	free(err);
}

Test(cli, bad_choice, .init = cr_redirect_stderr, .timeout = 10)
{
	char	 w0[] = "tcmd", w1[] = "-f", w2[] = "b";
	char	*argv[] = { w0, w1, w2, NULL };
	struct targs	 a;
	char		*err;

	cr_assert_eq(parse(&t_cmd, &a, argv), -1);
	err = stderr_of();
	cr_assert(strstr(err, "unknown format 'b' (a, bb)") != NULL, "%s", err);
	free(err);
}

Test(cli, flag_takes_no_argument, .init = cr_redirect_stderr, .timeout = 10)
{
	char	 w0[] = "tcmd", w1[] = "--no-mmap=1";
	char	 v0[] = "tcmd", v1[] = "--help=1";
	char	*argv[] = { w0, w1, NULL }, *argv2[] = { v0, v1, NULL };
	struct targs	 a;
	char		*err;

	cr_assert_eq(parse(&t_cmd, &a, argv), -1);
	cr_assert_eq(parse(&t_cmd, &a, argv2), -1);
	err = stderr_of();
	cr_assert(strstr(err, "option '--no-mmap' takes no argument") != NULL,
	    "%s", err);
	cr_assert(strstr(err, "option '--help' takes no argument") != NULL,
	    "%s", err);
	free(err);
}

Test(cli, help_from_the_table, .init = cr_redirect_stdout, .timeout = 10)
{
	char	 w0[] = "tcmd", w1[] = "-j", w2[] = "2", w3[] = "--help",
		 w4[] = "--bogus";
	char	*argv[] = { w0, w1, w2, w3, w4, NULL };
	struct targs	 a;
	char		*out;

	/* --help answers at once: the bad option after it is not reached */
	cr_assert_eq(parse(&t_cmd, &a, argv), CLI_DONE);
	cr_assert_eq(cli_status(CLI_DONE), 0);
	cr_assert_eq(cli_status(CLI_FAILED), 4);
	fflush(stdout);
	out = slurp(cr_get_redirected_stdout());
	cr_assert_str_eq(out,
	    "usage: mxtally tcmd [options] FILE...\n"
	    "\n"
	    "a test command\n"
	    "\n"
	    "About it.\n"
	    "\n"
	    "options:\n"
	    "  -o, --output FILE  where to\n"
	    "  -j, --jobs N       threads\n"
	    "                     more\n"
	    "      --max-keys N   a cap\n"
	    "  -f, --format FMT   a or bb\n"
	    "      --no-mmap      a flag\n"
	    "      --rules FILE   repeatable\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "exit status: 0 or 2.\n");
	free(out);
}

Test(cli, free_text, .init = cr_redirect_stdout, .timeout = 10)
{
	char	 w0[] = "ttext", w1[] = "-ERR", w2[] = "[IN-USE]";
	char	 v0[] = "ttext", v1[] = "--", v2[] = "--help";
	char	 h0[] = "ttext", h1[] = "-h";
	char	*argv[] = { w0, w1, w2, NULL }, *argv2[] = { v0, v1, v2, NULL },
		*argv3[] = { h0, h1, NULL };
	char	*out;

	cr_assert_eq(cli_parse(&t_text, 3, argv, NULL), 1);
	cr_assert_eq(cli_parse(&t_text, 3, argv2, NULL), 2);
	cr_assert_eq(cli_parse(&t_text, 2, argv3, NULL), CLI_DONE);
	fflush(stdout);
	out = slurp(cr_get_redirected_stdout());
	cr_assert(strncmp(out, "usage: mxtally ttext TEXT\n", 26) == 0, "%s",
	    out);
	free(out);
}

/* Each real command: --help exits 0 and names every option it takes. */
Test(cli, commands_help_lists_their_table, .timeout = 30)
{
	const struct cli_cmd *const	*c;
	const struct cli_opt *const	*o;
	char				*buf, want[64];
	size_t				 len;
	FILE				*f;
	int				 n = 0;

	for (c = cmd_list; *c != NULL; c++, n++) {
		buf = NULL;
		f = open_memstream(&buf, &len);
		cr_assert_not_null(f);
		cr_assert_eq(cli_help(f, *c), 0);
		fclose(f);
		snprintf(want, sizeof(want), "usage: mxtally %s",
		    c == cmd_list ? "[report]" : (*c)->name);
		cr_assert(strncmp(buf, want, strlen(want)) == 0, "%s", buf);
		cr_assert(strstr(buf, (*c)->purpose) != NULL, "%s", buf);
		for (o = (*c)->opts; o != NULL && *o != NULL; o++) {
			snprintf(want, sizeof(want), "--%s ", (*o)->name);
			cr_assert(strstr(buf, want) != NULL ||
			    (snprintf(want, sizeof(want), "--%s\n",
			    (*o)->name), strstr(buf, want) != NULL),
			    "%s --help: no --%s", (*c)->name, (*o)->name);
		}
		free(buf);
	}
	cr_assert_eq(n, 7);
}
