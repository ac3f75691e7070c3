/*
 * `mxtally watch` (being written).
 */
#include <stdio.h>

#include "mxtally/alert.h"
#include "mxtally/log.h"

int
watch_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_error("'watch' is not available in this version yet");
	return 2;
}
