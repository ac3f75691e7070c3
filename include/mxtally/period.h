/*
 * Time periods of the command line (--since, --until, --day) and the
 * rotated files that cover them. Log times are wall-clock seconds as
 * logged (parse_time.c: civil time, no zone applied), so every bound is
 * made on that scale: the machine's local civil time, which is also what
 * makes a DST-change day 23 or 25 real hours long and still one day.
 */
#ifndef MXTALLY_PERIOD_H
#define MXTALLY_PERIOD_H

#include <stddef.h>
#include <stdint.h>

/* Local civil (wall-clock) seconds of the real time t, as logs write it. */
int64_t period_civil(int64_t t);

/*
 * One point in time from a --since/--until argument, relative to the
 * real time now: "2026-11-21", "2026-11-21T14:00[:SS]" (or a space),
 * "now", "today", "yesterday", "this-week", "last-week" (each word names
 * the local midnight its period starts at; weeks start on Monday),
 * "-90m", "-24h" (elapsed time: now minus that many real minutes or
 * hours), "-7d", "-2w" (calendar: the same clock time that many days or
 * weeks ago), "-30s". 0 and *t set, or -1 for a string it does not know.
 */
int period_point(const char *s, int64_t now, int64_t *t);

/*
 * --day: "today", "yesterday" or "2026-12-06" as [*since, *until), the
 * local midnights that begin that day and the next. 0, or -1.
 */
int period_day(const char *s, int64_t now, int64_t *since, int64_t *until);

/*
 * The rotated siblings of a live log that a period starting at since
 * (civil seconds) needs: path.1, path.2 (each also as .gz, .zst, .bz2,
 * .xz, .lz4), ..., newest first, while the file's mtime (its last write)
 * is at or after since; the first one last written before since, and
 * all older ones, hold nothing of the period. A path that already names
 * a rotated file (".N", or ".N" and one of those) gets none. Returns the
 * number found,
 * each a new string in *out (free each and the array); 0 when none.
 */
size_t period_rotated(const char *path, int64_t since, char ***out);

#endif
