/*
 * Unit tests of the scan's registered consumers (issue 17): a sink gets
 * one part per scanning thread and every error event once, an edit runs
 * before every sink and the aggregation, and a resume skips what it
 * says was read. The input is written here: NLINES Postfix RCPT
 * rejects, each after a "connect from" line that is no event, cut into
 * small chunks (MXT_TEST_CHUNK) so that every thread gets some.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mxtally/agg.h"
#include "mxtally/classify.h"
#include "mxtally/input.h"
#include "mxtally/scan.h"

#define NLINES	3000

struct whole {
	int		 parts_new, parts_end;
	uint64_t	 events, not_edited;
	uint64_t	 pos_sum;	/* of every event's position */
};

struct part {
	uint64_t	 events, not_edited, pos_sum;
};

static void *
t_part_new(void *arg)
{
	struct whole	*w = arg;

	__atomic_add_fetch(&w->parts_new, 1, __ATOMIC_RELAXED);
	return calloc(1, sizeof(struct part));
}

static void
t_event(void *arg, void *part, const struct event *ev, uint64_t pos)
{
	struct part	*p = part;

	(void)arg;
	p->events++;
	p->pos_sum += pos;
	if (ev->user.len != 3 || memcmp(ev->user.p, "who", 3) != 0)
		p->not_edited++;
}

static void
t_part_end(void *arg, void *part)
{
	struct whole	*w = arg;
	struct part	*p = part;

	w->parts_end++;
	w->events += p->events;
	w->not_edited += p->not_edited;
	w->pos_sum += p->pos_sum;
	free(p);
}

static void
t_edit(const void *arg, struct event *ev, char *buf)
{
	(void)arg;
	memcpy(buf, "who", 3);
	ev->user = (struct slice){ buf, 3 };
}

/* The input file; *rejects_pos gets the sum of the reject lines' offsets. */
static char *
write_input(uint64_t *rejects_pos)
{
	char	*path = strdup("/tmp/test_scan.XXXXXX");
	FILE	*f;
	int	 fd, i;
	long	 at;

	cr_assert_neq(fd = mkstemp(path), -1);
	cr_assert_not_null(f = fdopen(fd, "w"));
	*rejects_pos = 0;
	for (i = 0; i < NLINES; i++) {
		fprintf(f, "Nov 21 09:%02d:%02d mx1 postfix/smtpd[41]: connect "
		    "from unknown[198.51.100.7]\n", i / 60 % 60, i % 60);
		at = ftell(f);
		*rejects_pos += (uint64_t)at;
		fprintf(f, "Nov 21 09:%02d:%02d mx1 postfix/smtpd[41]: NOQUEUE: "
		    "reject: RCPT from unknown[198.51.100.7]: 550 5.1.1 "
		    "<u%04d@example.net>: Recipient address rejected: User "
		    "unknown in virtual mailbox table; from=<s@bad.example> "
		    "to=<u%04d@example.net> proto=ESMTP helo=<x>\n",
		    i / 60 % 60, i % 60, i, i);
	}
	cr_assert_eq(fclose(f), 0);
	return path;
}

/* The resume of these tests: the first chunk was read before. */
struct cursor {
	int		 opened, closed, whole, chunks;
	uint64_t	 skipped;	/* reject lines in skipped chunks */
	int		 skip_all;	/* every chunk was read before */
};

static void *
t_open(void *arg, const char *path, int compressed)
{
	struct cursor	*c = arg;

	(void)path;
	cr_assert_eq(compressed, 0);
	c->opened++;
	return c;
}

static int
t_chunk(void *cursor, struct chunk *ch)
{
	struct cursor	*c = cursor;
	const char	*p;

	if (c->chunks++ > 0 && !c->skip_all)
		return 1;
	for (p = ch->beg; (p = memmem(p, (size_t)(ch->end - p), "reject:",
	    7)) != NULL; p += 7)
		c->skipped++;
	return 0;
}

static void
t_close(void *cursor, int whole)
{
	struct cursor	*c = cursor;

	c->closed++;
	c->whole = whole;
}

/* Scans the input with jobs threads, a counting sink and the edit. */
static struct result *
scan_with(int jobs, struct whole *w, struct cursor *cur, struct agg **aggp)
{
	struct scan_opts	 o = { .jobs = jobs, .since = T_NONE,
				    .until = T_NONE, .year = 2026 };
	struct scan_sink	 sk = { t_part_new, t_event, t_part_end, w };
	struct scan_file	 f = { 0 };
	struct scan_stats	 st;
	struct classifier	*cl;
	uint64_t		 rejects_pos;
	char			*path;
	struct agg		*a;

	cr_assert_not_null(cl = classify_new());
	f.path = path = write_input(&rejects_pos);
	setenv("MXT_TEST_CHUNK", "4096", 1);
	scan_add_sink(&o, &sk);
	o.edit = t_edit;
	if (cur != NULL)
		o.resume = (struct scan_resume){ t_open, t_chunk, t_close, cur };
	a = scan_run(&o, cl, &f, 1, &st);
	unlink(path);
	free(path);
	cr_assert_str_eq(f.error, "");
	cr_assert_eq(w->parts_new, jobs + 1, "a part per worker and the reader");
	cr_assert_eq(w->parts_end, jobs + 1);
	cr_assert_eq(w->not_edited, 0, "the edit comes before every sink");
	if (cur == NULL) {
		cr_assert_eq(st.lines, 2 * NLINES);
		cr_assert_eq(w->pos_sum, rejects_pos, "each event once");
	}
	*aggp = a;
	classify_free(cl);
	return agg_result(a, 0);
}

Test(scan, sink_gets_each_event_once, .timeout = 30)
{
	int		 jobs[] = { 1, 3 };
	struct whole	 w;
	struct result	*r;
	struct agg	*a;
	size_t		 k;

	for (k = 0; k < 2; k++) {
		memset(&w, 0, sizeof(w));
		r = scan_with(jobs[k], &w, NULL, &a);
		cr_assert_eq(w.events, NLINES, "-j%d", jobs[k]);
		/* the aggregation saw the edited event too: one user */
		cr_assert_eq(r->events, NLINES);
		cr_assert_eq(r->nusers, 1);
		cr_assert_str_eq(r->users[0].name, "who");
		result_free(r);
		agg_free(a);
	}
}

Test(scan, resume_skips_what_was_read, .timeout = 30)
{
	struct cursor	 cur = { 0 };
	struct whole	 w = { 0 };
	struct result	*r;
	struct agg	*a;

	r = scan_with(2, &w, &cur, &a);
	cr_assert_eq(cur.opened, 1);
	cr_assert_eq(cur.closed, 1);
	cr_assert_eq(cur.whole, 1, "read to its end without error");
	cr_assert(cur.chunks > 2, "the input is cut into several chunks");
	cr_assert(cur.skipped > 0 && cur.skipped < NLINES);
	cr_assert_eq(w.events, NLINES - cur.skipped);
	cr_assert_eq(r->events, NLINES - cur.skipped);
	result_free(r);
	agg_free(a);
}

Test(scan, resume_of_all_reads_nothing, .timeout = 30)
{
	struct cursor	 cur = { .skip_all = 1 };
	struct whole	 w = { 0 };
	struct result	*r;
	struct agg	*a;

	r = scan_with(2, &w, &cur, &a);
	cr_assert_eq(cur.skipped, NLINES);
	cr_assert_eq(w.events, 0);
	cr_assert_eq(r->events, 0);
	result_free(r);
	agg_free(a);
}
