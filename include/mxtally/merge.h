/*
 * `mxtally merge` (src/merge/merge.c): saved JSON reports of many
 * servers or nights read back into one result, as if one run had read
 * all their inputs.
 */
#ifndef MXTALLY_MERGE_H
#define MXTALLY_MERGE_H

#include <stddef.h>

#include "mxtally/report.h"

/*
 * Reads the JSON reports (schema mxtally/1) at paths[0..n) and combines
 * them into one result, as if one run had read all their inputs: their
 * rows go through the scan's aggregation (agg_add_row, agg_result), so
 * counts add, keys are joined, and order, --top cuts and "(other)" rows
 * are the scan's; period is the widest; files and errors are
 * concatenated in argument order. Distinct counts (users, hosts,
 * per-cause users) are exact when every report lists all its users (no
 * --top), otherwise an upper bound; so are distinct senders and
 * recipients with each report's lists; domains and deferred messages
 * are summed (an upper bound). top is as for agg_result. Causes the
 * built-in table lacks (from --rules) are added with the report's
 * texts. Returns NULL with "'path': what" said (a count that is no
 * count, a sum past 2^64 - 1, a row whose causes do not add up to its
 * events). Free with result_free.
 */
struct result *merge_reports(char *const *paths, size_t n, size_t top);

#endif
