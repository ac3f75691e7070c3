/*
 * The commands (src/cmd/, one file each): their option tables and run
 * functions, and the exit statuses they return. main.c dispatches over
 * cmd_list and decides nothing else.
 */
#ifndef MXTALLY_CMD_H
#define MXTALLY_CMD_H

#include "mxtally/cli.h"

#define MXT_VERSION	"0.1.0"

extern const struct cli_cmd cmd_report, cmd_alert, cmd_watch, cmd_explain,
    cmd_rules, cmd_merge, cmd_trend;

/* Every command, the default (report) first; NULL-terminated. */
extern const struct cli_cmd *const cmd_list[];

#endif
