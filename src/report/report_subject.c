/*
 * The one-line verdict of a report, for a mail subject:
 * "mx1: 3 alerts, 1,204 errors, storage 2 % of traffic". Printable
 * ASCII only: a host name from the log passes through a whitelist, so
 * no log text can end a header line or inject one.
 */
#include <stdio.h>
#include <string.h>

#include "mxtally/report.h"
#include "report_int.h"

/* Storage events in r: the storage group's causes. */
static uint64_t
storage_events(const struct result *r)
{
	uint64_t	 n = 0;
	size_t		 i;

	for (i = 0; i < r->ncauses; i++)
		if (rep_cause_in(r->causes[i].cause, "storage"))
			n += r->causes[i].events;
	return n;
}

/* host with anything but [A-Za-z0-9._-] made '?', at most 63 bytes */
static void
clean_host(const char *h, char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; h[i] != '\0' && i + 1 < len && i < 63; i++)
		buf[i] = (h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' &&
		    h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9') ||
		    strchr("._-", h[i]) != NULL ? h[i] : '?';
	buf[i] = '\0';
}

void
report_subject(const struct result *r, int alerts, const char *host,
    char *buf, size_t len)
{
	const struct traffic *tr = &r->traffic;
	uint64_t	 st = storage_events(r), base;
	char		 h[64], a[32], b[32];
	double		 p;
	size_t		 k;

	clean_host(r->nhosts == 1 && r->nhosts_shown == 1 ?
	    r->hosts[0].name : host, h, sizeof(h));
	k = (size_t)snprintf(buf, len, "%s:", h[0] != '\0' ? h : "mxtally");
	if (r->nerrors > 0 && k < len)
		k += (size_t)snprintf(buf + k, len - k, " %zu %s NOT READ,",
		    r->nerrors, r->nerrors == 1 ? "input" : "inputs");
	if (alerts && k < len)
		k += (size_t)snprintf(buf + k, len - k, " %s %s,",
		    rep_num(r->nalerts, a, sizeof(a)), r->nalerts == 1 ?
		    "alert" : "alerts");
	if (k < len)
		k += (size_t)snprintf(buf + k, len - k, " %s %s",
		    rep_num(r->events, a, sizeof(a)), r->events == 1 ?
		    "error" : "errors");
	/* traffic: delivery attempts and POP3/IMAP logins */
	base = tr->delivered + tr->deferrals + tr->bounced + tr->pop3.ok +
	    tr->pop3.failed + tr->imap.ok + tr->imap.failed;
	if (k >= len)
		return;
	if (base == 0) {
		snprintf(buf + k, len - k, ", storage %s",
		    rep_num(st, b, sizeof(b)));
		return;
	}
	p = 100.0 * (double)st / (double)base;
	if (st == 0)
		snprintf(buf + k, len - k, ", storage 0 %% of traffic");
	else if (p < 0.1)
		snprintf(buf + k, len - k, ", storage <0.1 %% of traffic");
	else if (p < 9.95)
		snprintf(buf + k, len - k, ", storage %.1f %% of traffic", p);
	else
		snprintf(buf + k, len - k, ", storage %.0f %% of traffic", p);
}
