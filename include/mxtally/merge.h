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
 * them into one result, as if one run had read all their inputs: counts
 * add; users, hosts, codes, POP3 replies, hours and templates are joined
 * by key; period is the widest; files and errors are concatenated in
 * argument order. Distinct counts (users, hosts, per-cause users) are
 * exact when every report lists all its users (no --top), otherwise an
 * upper bound; traffic senders and recipients are always summed (an
 * upper bound). top is as for agg_result. Causes the built-in table
 * lacks (from --rules) are added with the report's texts. Returns NULL
 * with "'path': what" said. Free with result_free.
 */
struct result *merge_reports(char *const *paths, size_t n, size_t top);

#endif
