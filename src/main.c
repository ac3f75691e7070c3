/*
 * mxtally's entry point: picks the command (src/cmd/, the report when
 * the first word names none), runs it, and turns what it returns into
 * the exit status (mxtally(1) EXIT STATUS: 0 ok, 1 alert fired, 2
 * usage, 3 an input could not be read, 4 an output could not be
 * written, 5 the report could not be mailed; 128 + N after signal N).
 * A failed write to standard output, found only at the final flush, is
 * exit 4 here; nothing else exits.
 */
#include <signal.h>
#include <string.h>

#include "mxtally/cmd.h"
#include "mxtally/log.h"

int
main(int argc, char **argv)
{
	const struct cli_cmd	*cmd = cmd_list[0];
	size_t			 i;

	signal(SIGPIPE, SIG_DFL);
	/* over a file size limit, writes fail (EFBIG) and say so: no kill */
	signal(SIGXFSZ, SIG_IGN);
	for (i = 0; argc > 1 && cmd_list[i] != NULL; i++)
		if (strcmp(argv[1], cmd_list[i]->name) == 0) {
			cmd = cmd_list[i];
			argc--;
			argv++;
			break;
		}
	return log_stdout_done(cmd->run(argc, argv), EXIT_OUTPUT);
}
