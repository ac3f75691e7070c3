/*
 * The tiny hand-built result the report writers' tests share: two
 * quota_exceeded events for alice on mx1 at 14:00, one auth_failure for
 * bob on mx1 at 15:00, from one 9-line file "maillog".
 */
#ifndef MXTALLY_TESTS_REPORT_FIXTURE_H
#define MXTALLY_TESTS_REPORT_FIXTURE_H

#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/event.h"
#include "mxtally/report.h"

/* 2026-11-21T14:00:00 as wall-clock seconds */
#define T_1400	INT64_C(1795269600)

static uint64_t alice_by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 2 };
static uint64_t bob_by[CAUSE_MAX] = { [CAUSE_AUTH_FAILURE] = 1 };
static uint64_t mx1_by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 2,
    [CAUSE_AUTH_FAILURE] = 1 };
static uint64_t h14_by[CAUSE_MAX] = { [CAUSE_QUOTA_EXCEEDED] = 2 };
static uint64_t h15_by[CAUSE_MAX] = { [CAUSE_AUTH_FAILURE] = 1 };
static struct user_count quota_top[] = { { "alice", 2 } };
static struct user_count auth_top[] = { { "bob", 1 } };
static struct cause_row causes[] = {
	{ CAUSE_QUOTA_EXCEEDED, 2, 1, quota_top, 1 },
	{ CAUSE_AUTH_FAILURE, 1, 1, auth_top, 1 },
};
static struct code_row codes[] = {
	{ PROTO_SMTP, "552", "5.2.2", "", CAUSE_QUOTA_EXCEEDED, 2 },
	{ PROTO_POP3, "", "", "AUTH", CAUSE_AUTH_FAILURE, 1 },
};
static struct entity_row users[] = {
	{ "alice", 0, 2, alice_by },
	{ "bob", 0, 1, bob_by },
};
static struct entity_row hosts[] = { { "mx1", 0, 3, mx1_by } };
static struct entity_row hours[] = {
	{ NULL, T_1400, 2, h14_by },
	{ NULL, T_1400 + 3600, 1, h15_by },
};
static struct file_row files[] = { { "maillog", "plain", 100, 9, NULL, 0 } };

static inline struct result
tiny_result(void)
{
	struct result	 r;

	memset(&r, 0, sizeof(r));
	r.files = files;
	r.nfiles = 1;
	r.lines = 9;
	r.error_lines = 3;
	r.first = T_1400 + 5;
	r.last = T_1400 + 3700;
	r.events = 3;
	r.nusers = 2;
	r.nhosts = 1;
	r.causes = causes;
	r.ncauses = 2;
	r.codes = codes;
	r.ncodes = 2;
	r.users = users;
	r.nusers_shown = 2;
	r.hosts = hosts;
	r.nhosts_shown = 1;
	r.hours = hours;
	r.nhours = 2;
	return r;
}

#endif
