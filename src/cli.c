/*
 * The option parser every command uses (include/mxtally/cli.h): turns a
 * command's table of struct cli_opt into getopt_long's arrays, parses
 * with them, names a bad option itself (opterr off: getopt's own
 * messages would name the command as the program), and prints the help
 * from the same table. Also the generic setters an option points at.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/cli.h"
#include "mxtally/log.h"

#define CLI_MAX		64	/* options in one table */
#define CLI_LONG	256	/* getopt val of an option without a letter */
#define HELP_COL	24	/* help text column, at most */

static size_t
opt_count(const struct cli_cmd *cmd)
{
	size_t	 n = 0;

	while (cmd->opts != NULL && cmd->opts[n] != NULL)
		n++;
	if (n > CLI_MAX)
		BUG("too many options in one table");
	return n;
}

/* The option getopt_long returned as ch, or NULL for --help. */
static const struct cli_opt *
opt_by_val(const struct cli_cmd *cmd, int ch)
{
	size_t	 i, n = opt_count(cmd);

	if (ch >= CLI_LONG && (size_t)(ch - CLI_LONG) < n)
		return cmd->opts[ch - CLI_LONG];
	for (i = 0; i < n && ch > 0; i++)
		if (cmd->opts[i]->letter == ch)
			return cmd->opts[i];
	return NULL;
}

/* The usage line of cmd, or of every command after the default one. */
void
cli_usage(FILE *f, const struct cli_cmd *cmd)
{
	const struct cli_cmd *const	*c;
	const char			*p, *nl;
	int				 first = 1;

	for (c = cmd->all != NULL ? cmd->all : &cmd; *c != NULL; c++) {
		for (p = (*c)->usage; *p != '\0'; p = nl + (*nl != '\0')) {
			nl = p + strcspn(p, "\n");
			/* a usage's own next lines bring their indent */
			fprintf(f, "%s%.*s\n", p != (*c)->usage ? "       " :
			    first ? "usage: mxtally " : "       mxtally ",
			    (int)(nl - p), p);
			first = 0;
		}
		if (cmd->all == NULL)
			break;
	}
}

/* "  -f, --format FMT" into buf; its length. */
static int
opt_head(const struct cli_opt *o, char *buf, size_t len)
{
	char	 sh[8] = "    ";

	if (o->letter != 0)
		snprintf(sh, sizeof(sh), "-%c, ", o->letter);
	return snprintf(buf, len, "  %s--%s%s%s", sh, o->name,
	    o->arg != NULL ? " " : "", o->arg != NULL ? o->arg : "");
}

/* Text with '\n' as new lines, each after the first indented by col. */
static void
put_indented(FILE *f, const char *text, int col)
{
	const char	*p, *nl;

	for (p = text; *p != '\0'; p = nl + (*nl != '\0')) {
		nl = p + strcspn(p, "\n");
		if (p != text)
			fprintf(f, "%*s", col, "");
		fprintf(f, "%.*s\n", (int)(nl - p), p);
	}
}

static void
put_opts(FILE *f, const struct cli_cmd *cmd)
{
	static const struct cli_opt help = { "help", 'h', NULL, "this help",
	    NULL, 0, 0, 0, NULL, 0 };
	char	 head[128];
	size_t	 i, n = opt_count(cmd);
	int	 w, col = 0;

	for (i = 0; i < n; i++)
		if ((w = opt_head(cmd->opts[i], head, sizeof(head)) + 2) > col &&
		    w <= HELP_COL)
			col = w;
	if (col < 20)
		col = 20;
	fputs("\noptions:\n", f);
	for (i = 0; i <= n; i++) {
		const struct cli_opt	*o = i < n ? cmd->opts[i] : &help;

		w = opt_head(o, head, sizeof(head));
		fprintf(f, "%s%*s", head, w + 2 > col ? 2 : col - w, "");
		put_indented(f, o->help, col);
	}
}

int
cli_help(FILE *f, const struct cli_cmd *cmd)
{
	const struct cli_cmd *const	*c;

	cli_usage(f, cmd);
	fprintf(f, "\n%s\n", cmd->purpose);
	if (cmd->all != NULL) {
		fputs("\ncommands (each answers --help):\n", f);
		for (c = cmd->all; *c != NULL; c++)
			fprintf(f, "  %-8s %s\n", (*c)->name, (*c)->purpose);
	}
	if (cmd->about != NULL)
		fprintf(f, "\n%s", cmd->about);
	if (cmd->more != NULL)
		cmd->more(f);
	if (cmd->opts != NULL)
		put_opts(f, cmd);
	if (cmd->epilog != NULL)
		fprintf(f, "\n%s", cmd->epilog);
	return ferror(f) ? -1 : 0;
}

/*
 * --help on stdout in one write, flushed at once: a failure is named
 * with its reason here (later, errno would be gone), then cleared.
 */
static int
put_help(const struct cli_cmd *cmd)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*m = open_memstream(&buf, &len);
	int	 rc = CLI_DONE;

	if (m == NULL)
		log_die("out of memory");
	cli_help(m, cmd);
	if (fclose(m) != 0)
		log_die("out of memory");
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		log_errno("cannot write standard output");
		clearerr(stdout);
		rc = CLI_FAILED;
	}
	free(buf);
	return rc;
}

static int
is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

/* Free text (CLI_TEXT): a lone --help, or operands after a "--". */
static int
parse_text(const struct cli_cmd *cmd, int argc, char **argv)
{
	if (argc == 2 && is_help(argv[1]))
		return put_help(cmd);
	return argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;
}

/*
 * "--no" when it starts more than one long option (getopt_long takes a
 * unique prefix): says which; 0 when it does not.
 */
static int
ambiguous(const struct cli_cmd *cmd, const char *arg)
{
	char	 list[256];
	size_t	 i, n = opt_count(cmd), len = 0, k = 0;
	int	 w = (int)strcspn(arg + 2, "=");

	if (strncmp(arg, "--", 2) != 0)
		return 0;
	list[0] = '\0';
	for (i = 0; i < n; i++)
		if (strncmp(cmd->opts[i]->name, arg + 2, (size_t)w) == 0 &&
		    len < sizeof(list)) {
			len += (size_t)snprintf(list + len, sizeof(list) - len,
			    "%s--%s", k++ ? ", " : "", cmd->opts[i]->name);
		}
	if (k < 2)
		return 0;
	log_error("ambiguous option '--%.*s' (%s)", w, arg + 2, list);
	return 1;
}

/* Says what was wrong with the option getopt_long stopped at. */
static int
bad_option(const struct cli_cmd *cmd, int ch, char **argv)
{
	const struct cli_opt	*o = opt_by_val(cmd, optopt);
	const char		*arg = argv[optind - 1];

	if (ch == ':' && o != NULL)
		return log_error("option '--%s' needs an argument (%s)",
		    o->name, o->arg);
	if (ch == ':')
		return log_error("option '%s' needs an argument", arg);
	if (o != NULL || optopt == 'h')
		return log_error("option '--%s' takes no argument",
		    o != NULL ? o->name : "help");
	if (optopt != 0)
		return log_error("unknown option '-%c'", optopt);
	if (ambiguous(cmd, arg))
		return -1;
	return log_error("unknown option '%.*s'", (int)strcspn(arg, "="),
	    arg);
}

int
cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *ctx)
{
	struct option		 lo[CLI_MAX + 2];
	char			 so[3 * CLI_MAX + 8], *s = so;
	const struct cli_opt	*o;
	size_t			 i, n = opt_count(cmd);
	int			 ch, rc;

	if (cmd->flags & CLI_TEXT)
		return parse_text(cmd, argc, argv);
	*s++ = ':';		/* a missing argument returns ':' */
	for (i = 0; i < n; i++) {
		o = cmd->opts[i];
		lo[i] = (struct option){ o->name, o->arg != NULL ?
		    required_argument : no_argument, NULL,
		    o->letter != 0 ? o->letter : (int)(CLI_LONG + i) };
		if (o->letter != 0) {
			*s++ = (char)o->letter;
			if (o->arg != NULL)
				*s++ = ':';
		}
	}
	lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	*s++ = 'h';
	*s = '\0';
	optind = 0;		/* glibc: start afresh */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (ch == 'h' && opt_by_val(cmd, 'h') == NULL)
			return put_help(cmd);
		o = ch == '?' || ch == ':' ? NULL : opt_by_val(cmd, ch);
		rc = o == NULL ? bad_option(cmd, ch, argv) :
		    o->set(o, optarg, ctx);
		if (rc == CLI_STOP)
			return CLI_DONE;
		if (rc != 0)
			goto usage;
	}
	return optind;
usage:
	fprintf(stderr, "try 'mxtally %s%s--help'\n", cmd->all != NULL ? "" :
	    cmd->name, cmd->all != NULL ? "" : " ");
	return -1;
}

int
cli_status(int rc)
{
	return rc == CLI_DONE ? EXIT_OK : rc == CLI_FAILED ? EXIT_OUTPUT :
	    EXIT_USAGE;
}


/* The field of ctx an option stores into. */
#define FIELD(type, o, ctx)	((type *)(void *)((char *)(ctx) + (o)->off))

int
cli_set_str(const struct cli_opt *o, const char *arg, void *ctx)
{
	*FIELD(const char *, o, ctx) = arg;
	return 0;
}

int
cli_set_flag(const struct cli_opt *o, const char *arg, void *ctx)
{
	(void)arg;
	*FIELD(int, o, ctx) = o->val;
	return 0;
}

/* arg as a number in [o->min, o->max]: 0, or -1 after a message. */
static int
number(const struct cli_opt *o, const char *arg, long *v)
{
	char	*end;

	errno = 0;
	*v = strtol(arg, &end, 10);
	if (errno == 0 && end != arg && *end == '\0' && *v >= o->min &&
	    *v <= o->max)
		return 0;
	if (o->max == LONG_MAX)
		return log_error("bad --%s '%s': a number, at least %ld",
		    o->name, arg, o->min);
	return log_error("bad --%s '%s': a number from %ld to %ld", o->name,
	    arg, o->min, o->max);
}

int
cli_set_int(const struct cli_opt *o, const char *arg, void *ctx)
{
	long	 v;

	if (o->max > INT_MAX)
		BUG("cli_set_int: range past INT_MAX");
	if (number(o, arg, &v) == -1)
		return -1;
	*FIELD(int, o, ctx) = (int)v;
	return 0;
}

int
cli_set_size(const struct cli_opt *o, const char *arg, void *ctx)
{
	long	 v;

	if (o->min < 0)
		BUG("cli_set_size: negative range");
	if (number(o, arg, &v) == -1)
		return -1;
	*FIELD(size_t, o, ctx) = (size_t)v;
	return 0;
}

int
cli_set_choice(const struct cli_opt *o, const char *arg, void *ctx)
{
	const char	*c;
	char		 list[256];
	size_t		 len = 0;
	int		 i;

	for (c = o->choices, i = 0; *c != '\0'; c += strlen(c) + 1, i++)
		if (strcmp(c, arg) == 0) {
			*FIELD(int, o, ctx) = i;
			return 0;
		}
	list[0] = '\0';
	for (c = o->choices; *c != '\0' && len < sizeof(list); c +=
	    strlen(c) + 1)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    c == o->choices ? "" : ", ", c);
	return log_error("unknown %s '%s' (%s)", o->name, arg, list);
}

int
cli_set_list(const struct cli_opt *o, const char *arg, void *ctx)
{
	struct cli_list	*l = FIELD(struct cli_list, o, ctx);

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = arg;
	return 0;
}

void
cli_list_release(struct cli_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
