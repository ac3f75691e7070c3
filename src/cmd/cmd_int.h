/*
 * What the commands share: the argument struct every command's parse
 * fills (a command with options of its own wraps it as its first
 * member, so the shared options' offsets hold), the options several
 * commands take, declared once (src/cmd/cmd.c), and the set-up steps
 * they have in common.
 */
#ifndef MXTALLY_CMD_INT_H
#define MXTALLY_CMD_INT_H

#include <signal.h>
#include <stdint.h>

#include "mxtally/alert.h"
#include "mxtally/classify.h"
#include "mxtally/cli.h"
#include "mxtally/cmd.h"
#include "mxtally/scan.h"

struct cmd_args {
	struct scan_opts scan;		/* -j, --since/--until/--day, --year,
					   --no-mmap, --max-keys */
	int		 format;	/* -f: index in the command's choices */
	const char	*out;		/* -o FILE, NULL = stdout */
	struct cli_list	 rules;		/* --rules FILE, in order */
	const char	*state;		/* --state FILE */
	const char	*history;	/* --history DB */
	int		 anon;		/* --anonymize: enum anon_flags */
	const char	*anon_key;	/* --anonymize-key FILE */
	int		 period;	/* --since or --day given */
	int		 day, range;	/* --day; --since or --until given */
	const char	*table;		/* --table for csv, NULL = causes */
	size_t		 top;		/* --top N, 0 = all */
	int		 color;		/* --color: 0 never, 1 always, 2 auto */
	int		 progress;	/* -1 auto, 0, 1 */
	int		 no_rotated;	/* --no-rotated */
	struct cli_list	 mail_to;	/* --mail-to ADDR, in order */
	const char	*mail_from;	/* --mail-from ADDR */
	const char	*sendmail;	/* --sendmail PATH */
};

/* The options several commands take (src/cmd/cmd.c). */
extern const struct cli_opt opt_output, opt_jobs, opt_since, opt_until,
    opt_day, opt_no_rotated, opt_year, opt_no_mmap, opt_max_keys, opt_rules,
    opt_state, opt_anonymize, opt_anonymize_key, opt_quiet, opt_top,
    opt_table, opt_color, opt_format_report;

/* The report formats, in opt_format_report's order. */
enum cmd_fmt { FMT_TEXT, FMT_JSON, FMT_HTML, FMT_CSV };

/* The defaults before parsing: jobs = online CPUs, no period, ... */
void	cmd_args_init(struct cmd_args *a);

/* Frees the lists parsing made. */
void	cmd_args_release(struct cmd_args *a);

/*
 * The checks between options after parsing (--day with --since, --table
 * without csv, --anonymize without its key): 0, or -1 said.
 */
int	cmd_args_check(const struct cmd_args *a);

/*
 * The real time periods are relative to; the test binary takes it from
 * MXTALLY_NOW (seconds since the epoch) so tests can be at any date.
 */
int64_t	cmd_now(void);

/*
 * The one set-up of report, alert, watch and rules --check: the
 * classifier with the [cause.NAME] rules of every --rules file, then
 * their alert rules into set. 0, or -1 said (nothing to free).
 */
int	cmd_load_rules(const struct cli_list *rules, struct classifier **cl,
	    struct alert_set *set);

/* SIGINT or SIGTERM seen since cmd_catch_signals (the signal number) */
extern volatile sig_atomic_t cmd_got_signal;

/*
 * The first SIGINT or SIGTERM sets cmd_got_signal (a scan given it as
 * stop ends early); the handler is then reset, so a second one ends
 * the process.
 */
void	cmd_catch_signals(void);

/* "mxtally: interrupted", and the shell's status for the signal */
int	cmd_interrupted(void);

struct result;
struct report_opts;

/*
 * Writes r in a's report format to -o (atomically) or stdout, colour as
 * --color says (src/cmd/report.c, shared with merge). 0, or -1 said;
 * on a signal the file is removed and -1 returned.
 */
int	cmd_write_result(const struct cmd_args *a, const struct result *r,
	    struct report_opts *ro);

#endif
