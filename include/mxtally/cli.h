/*
 * The one option parser (src/cli.c). A command declares its options in
 * one table of struct cli_opt (long name, short letter, argument name,
 * help text, and what the option sets); cli_parse builds getopt_long's
 * arrays from the table, parses argv with it, and answers -h/--help
 * with a help generated from the same table, so the help can never
 * name an option the parser does not take, nor leave one out.
 * Options that several commands take are declared once (src/cmd/) and
 * listed by address in each command's table.
 */
#ifndef MXTALLY_CLI_H
#define MXTALLY_CLI_H

#include <stddef.h>
#include <stdio.h>

/*
 * Exit statuses (mxtally(1) EXIT STATUS): 1 only from alert; 128 + N
 * after signal N.
 */
enum cmd_exit {
	EXIT_OK = 0,
	EXIT_FIRED = 1,		/* alert: an alert fired */
	EXIT_USAGE = 2,		/* usage error */
	EXIT_INPUT = 3,		/* an input could not be read */
	EXIT_OUTPUT = 4,	/* an output could not be written */
	EXIT_MAIL = 5		/* sendmail refused the report */
};

struct cli_opt;

/*
 * What an option does with its argument (NULL for an option without
 * one) in ctx, the command's argument struct: 0, or -1 after a message
 * naming the option (a usage error); CLI_STOP when it did the whole job
 * (--version) and the command is to exit 0.
 */
typedef int cli_set_fn(const struct cli_opt *o, const char *arg, void *ctx);

#define CLI_STOP	1

struct cli_opt {
	const char	*name;		/* long name, without "--" */
	int		 letter;	/* short option, or 0 */
	const char	*arg;		/* argument name in the help; NULL: none */
	const char	*help;		/* help text; '\n' starts a new line */
	cli_set_fn	*set;		/* what it sets */
	size_t		 off;		/* cli_set_*: where in ctx */
	long		 min, max;	/* cli_set_int, cli_set_size: range */
	const char	*choices;	/* cli_set_choice: "a\0b\0" */
	int		 val;		/* cli_set_flag: the value set */
};

/* A repeatable option's arguments, in order (cli_set_list). */
struct cli_list {
	const char	**v;		/* borrowed from argv; the array owned */
	size_t		 n;
};

enum cli_flags {
	CLI_TEXT = 1 << 0	/* operands are free text: only a lone
				   --help and a leading "--" are options */
};

struct cli_cmd {
	const char	*name;		/* "alert" */
	const char	*usage;		/* after "mxtally "; '\n' for more */
	const char	*purpose;	/* one line, also in mxtally --help */
	const char	*about;		/* more paragraphs, or NULL */
	const struct cli_opt *const *opts; /* NULL-terminated */
	const char	*epilog;	/* after the options, or NULL */
	int		 flags;		/* enum cli_flags */
	int		(*run)(int argc, char **argv);
	const struct cli_cmd *const *all; /* the default command: every
					   command, listed in its help */
	void		(*more)(FILE *f); /* help made from the code's own
					   tables (after about), or NULL */
};

/* cli_parse's result when --help or --version was answered: exit 0 */
#define CLI_DONE	(-2)
/* ... and when the help could not be written (said): exit 4 */
#define CLI_FAILED	(-3)

/*
 * Parses argv (argv[0] is the command name) by cmd's table into ctx.
 * Returns the index of the first operand; CLI_DONE after printing the
 * help or the version on stdout (CLI_FAILED when the help could not be
 * written, said); -1 on a usage error, said on stderr
 * (the option named, then "try 'mxtally CMD --help'"). getopt_long's
 * state is reset first, so it may be called again.
 */
int	cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *ctx);

/* The help of cmd, as --help prints it; -1 if f failed. */
int	cli_help(FILE *f, const struct cli_cmd *cmd);

/* Just cmd's usage lines ("usage: mxtally ..."), as after a bad call. */
void	cli_usage(FILE *f, const struct cli_cmd *cmd);

/* The exit status after cli_parse returned rc < 0: 0, 2 or 4. */
int	cli_status(int rc);

/* The generic setters; each stores at ctx + o->off. */
cli_set_fn cli_set_str;		/* const char *: the argument */
cli_set_fn cli_set_flag;	/* int: o->val */
cli_set_fn cli_set_int;		/* int in [min, max] */
cli_set_fn cli_set_size;	/* size_t in [min, max] */
cli_set_fn cli_set_choice;	/* int: index of the argument in choices */
cli_set_fn cli_set_list;	/* struct cli_list: appended */

/* Frees what cli_set_list allocated; l stays valid and empty. */
void	cli_list_release(struct cli_list *l);

#endif
