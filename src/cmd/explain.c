/*
 * `mxtally explain CODE|TEXT`: joins the words after the command with
 * spaces and has explain_write (src/explain.c) say what the reply means.
 * The words are free text ("-ERR [IN-USE] ..."): only a lone --help and
 * a leading "--" are options.
 */
#include <stdlib.h>
#include <string.h>

#include "mxtally/explain.h"
#include "mxtally/log.h"
#include "cmd_int.h"

static int	explain_run(int, char **);

const struct cli_cmd cmd_explain = {
	"explain", "explain CODE|TEXT",
	"what a reply code or text means and what to do first",
	"Says what a reply means and what to do first, without a log: a basic\n"
	"code (452), an enhanced code (5.2.2), a POP3/IMAP response code\n"
	"([IN-USE]) or a whole reply text (\"-ERR [IN-USE] mailbox locked\"):\n"
	"  mxtally explain 452 4.3.1\n"
	"  mxtally explain 5.7.8\n"
	"  mxtally explain '-ERR [IN-USE] Mailbox Locked'\n",
	NULL,
	"exit status: 0 explained, 1 not understood, 2 usage error.\n",
	CLI_TEXT, explain_run, NULL, NULL
};

/* argv[first..argc) joined with spaces, in a new string */
static char *
join(int argc, char **argv, int first)
{
	char	*arg, *p;
	size_t	 len = 1, n;
	int	 i;

	for (i = first; i < argc; i++)
		len += strlen(argv[i]) + 1;
	p = arg = xmalloc(len);
	for (i = first; i < argc; i++) {
		if (i > first)
			*p++ = ' ';
		n = strlen(argv[i]);
		memcpy(p, argv[i], n);
		p += n;
	}
	*p = '\0';
	return arg;
}

static int
explain_run(int argc, char **argv)
{
	char	*arg;
	int	 first, rc;

	if ((first = cli_parse(&cmd_explain, argc, argv, NULL)) < 0)
		return cli_status(first);
	arg = join(argc, argv, first);
	if (arg[strspn(arg, " \t\n")] == '\0') {
		free(arg);
		cli_usage(stderr, &cmd_explain);
		return EXIT_USAGE;
	}
	rc = explain_write(stdout, arg);
	free(arg);
	return rc;
}
