/*
 * The merged, sorted result of a run, and the report writers that walk
 * it. A result is built once by agg_result (agg.h); writers only format,
 * never recompute. Every array is already in output order: by count
 * descending, then by key ascending (timeline: by time ascending).
 */
#ifndef MXTALLY_REPORT_H
#define MXTALLY_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "mxtally/cause.h"
#include "mxtally/event.h"

struct user_count {
	const char	*user;
	uint64_t	 n;
};

/* A detail, client or remote of one cause, with its count. */
struct key_count {
	const char	*key;		/* "rbl:zen.spamhaus.org", an IP, ... */
	uint64_t	 n;
	const char	*example;	/* a reply (details), or NULL */
};

struct cause_row {
	int		 cause;		/* cause number, see cause.h */
	uint64_t	 events;
	uint64_t	 users;		/* distinct users with this cause */
	struct user_count *top;		/* top users, at most result.top */
	size_t		 ntop;
};

/* The who and where of one cause: result.where[cause number]. */
struct cause_where {
	uint64_t	 dir[DIR_COUNT]; /* events by enum dir (NONE: 0) */
	struct key_count *detail;	/* every detail, by count */
	size_t		 ndetail;
	struct key_count *top_clients;	/* networks rolled up (agg.h) */
	size_t		 ntop_clients;
	struct key_count *top_remotes;	/* remote domains */
	size_t		 ntop_remotes;
};

struct code_row {
	int		 proto;		/* enum proto */
	char		 code[4];	/* "452" or "" */
	char		 enh[12];	/* "4.3.1" or "" */
	char		 resp[24];	/* POP3/IMAP response code or "" */
	int		 cause;
	uint64_t	 events;
};

struct reply_row {			/* POP3 -ERR reply templates */
	const char	*reply;
	int		 cause;
	uint64_t	 events;
};

struct entity_row {			/* a user, a host or an hour */
	const char	*name;		/* user or host; NULL for hours */
	int64_t		 start;		/* hour start (timeline only) */
	uint64_t	 events;
	uint64_t	*by_cause;	/* cause_count() entries */
};

struct where_row {			/* a client or network, a remote */
	const char	*name;		/* address, network or domain */
	uint64_t	 events;
	uint64_t	*by_cause;	/* cause_count() entries */
	const char	*network;	/* clients: "203.0.113.0/24", or NULL */
	const char	*note;		/* clients: reverse name; remotes: MX
					   host; else NULL */
	const char	*reply;		/* remotes: the remote's reply */
	uint64_t	 addrs;		/* networks: client addresses in it */
	uint64_t	 urgent;	/* remotes: our IP listed (rbl,
					   reputation) */
};

struct tmpl_row {
	const char	*tmpl;
	const char	*example;	/* first in input order */
	uint64_t	 events;
};

struct file_row {
	const char	*path;
	const char	*format;	/* "plain", "gzip", "zstd" */
	uint64_t	 bytes;
	uint64_t	 lines;
	const char	*layout;	/* "syslog", ...; NULL: not known */
	uint64_t	 recognised;	/* lines a mail-server parser understood */
};

struct error_row {
	const char	*path;
	const char	*error;
};

struct login_counts {
	uint64_t	 ok, failed;
};

struct traffic_row {			/* a sender or recipient */
	const char	*name;		/* address, domain part lower-cased */
	uint64_t	 n;		/* messages (senders), deliveries */
	uint64_t	 bytes;
};

struct traffic_hour {
	int64_t		 start;		/* hour start */
	uint64_t	 received, delivered, deferred, bounced, rejected;
};

struct reason_row {			/* deferrals, bounces, rejects */
	int		 cause;
	uint64_t	 n;
};

/*
 * Traffic context, pflogsumm's definitions for Postfix (interface.md,
 * tests/pflogsumm-diff.md): deferred counts messages, deferrals lines;
 * senders and recipients are distinct addresses.
 */
struct traffic {
	uint32_t	 counted_from;	/* bit per family (parse_family_name)
					   whose message traffic was counted */
	uint64_t	 received, delivered, forwarded, deferred, bounced;
	uint64_t	 rejected, held, discarded;
	uint64_t	 bytes_received, bytes_delivered;
	uint64_t	 senders, recipients;
	struct login_counts pop3, imap, smtp_auth;
	uint64_t	 deferrals, reject_warnings;
	uint64_t	 sender_domains, recipient_domains;
	/*
	 * --max-keys: messages and deliveries of folded senders and
	 * recipients (the "(other)" rows of the top lists). The distinct
	 * counts stay exact.
	 */
	uint64_t	 folded_senders, folded_recipients;
	struct traffic_row *top_senders, *top_senders_size;
	struct traffic_row *top_recipients, *top_recipients_size;
	size_t		 ntop_senders, ntop_senders_size;
	size_t		 ntop_recipients, ntop_recipients_size;
	struct reason_row *defer_reasons, *bounce_reasons, *reject_reasons;
	size_t		 ndefer_reasons, nbounce_reasons, nreject_reasons;
	struct traffic_hour *hours;	/* by start ascending */
	size_t		 nhours;
};

/*
 * Free space a server logged for one store (event.h, enum space_kind):
 * the figures in bytes, and when each was logged (T_NONE: no time).
 */
struct space_fig {
	uint64_t	 samples;	/* figures seen */
	uint64_t	 min, first, last;	/* bytes free */
	int64_t		 min_at, first_at, last_at;
};

struct space_row {
	const char	*host;		/* syslog host, "" none, "(other)" */
	int		 kind;		/* enum space_kind */
	struct space_fig f;
};

/*
 * From the first and the last figure: the bytes free space fell by per
 * hour and the hours left at that rate after the last one. Returns 1,
 * or 0 when there is no fall to tell (fewer than two timed figures, or
 * the last no lower than the first).
 */
int space_rate(const struct space_fig *f, double *per_hour,
    double *hours_left);

/* Adds the figures of b into a (sums, lowest, earliest, latest). */
void space_fig_add(struct space_fig *a, const struct space_fig *b);

/* Sorts rows as reports list them: lowest free first, "(other)" last. */
void space_sort(struct space_row *v, size_t n);

/*
 * A session refused its mailbox lock, and the session that held it
 * (agg/locks.c). POP3: same user, logged in by then, not yet ended.
 * IMAP (Dovecot): the session whose mail process had the pid Dovecot
 * named as the lock's holder, on the same host, open by then.
 */
struct lock_row {
	const char	*user;
	int64_t		 t;		/* refused at */
	const char	*session;	/* the refused session's id */
	const char	*client;	/* its client IP, "" unknown */
	const char	*holder;	/* the holder's client IP, NULL none */
	const char	*holder_session;
	int64_t		 since;		/* the holder's login, T_NONE */
	const char	*holder_user;	/* IMAP: the holder's user, else NULL */
	uint32_t	 holder_pid;	/* IMAP: the pid named, 0 none */
	uint8_t		 imap;		/* 1: an IMAP session, 0: POP3 */
};

struct lock_pair {			/* a mailbox polled by two at once */
	const char	*user;
	const char	*client;	/* refused */
	const char	*holder;	/* held the lock */
	uint64_t	 events;
	const char	*holder_user;	/* IMAP: the holder's user, else NULL */
	uint8_t		 imap;		/* 1: IMAP sessions, 0: POP3 */
};

/* Sorts lock rows latest first and pairs most first, as reports do. */
void locks_sort(struct lock_row *rows, size_t n, struct lock_pair *pairs,
    size_t np);

/*
 * A fired alert (alert.h), flattened to strings so that a report read
 * back by merge can hold it too. Strings are borrowed.
 */
struct alert_row {
	const char	*rule;
	const char	*severity;	/* "warning" or "critical" */
	const char	*by;		/* "host", "user", "client", "none" */
	const char	*key;		/* "" for by = none */
	const char	*window;	/* "10m" */
	uint64_t	 value;		/* peak events within one window */
	uint64_t	 threshold;
	uint64_t	 events;	/* events while it was firing */
	int64_t		 first, last;
	int		 firing;	/* still above threshold at the end */
};

/* A user, host or hour with storage events, and how many (report_views). */
struct view_pick {
	const struct entity_row *e;	/* in r->users, r->hosts or r->hours */
	uint64_t	 n;		/* its events of the storage causes */
};

enum view_rows { VIEW_USERS, VIEW_HOSTS, VIEW_HOURS, VIEW_ROWS };

/* The fall of one space row's free space (space_rate), if it falls. */
struct view_space {
	int		 falling;	/* space_rate said 1 */
	double		 per_hour;	/* bytes free space fell by an hour */
	double		 hours_left;	/* at that rate after the last figure */
};

/*
 * What the writers show that is derived from the counts rather than
 * counted: computed once by report_views when the result is complete,
 * before any writer runs, so that the text, HTML and JSON reports read
 * the same figures and none computes its own.
 */
struct result_views {
	int		 ready;		/* report_views ran */
	struct view_pick *storage[VIEW_ROWS]; /* users and hosts shown, and
					   hours, with storage events:
					   busiest first, then by name (the
					   hours by start) */
	size_t		 nstorage[VIEW_ROWS];
	struct view_space *space;	/* one per r->space row */
	uint64_t	 attempts;	/* delivered + rejected + discarded:
					   pflogsumm's base of the reject
					   rate */
	double		 reject_pct;	/* rejected, % of attempts */
	double		 bounce_pct;	/* bounced, % of delivered + bounced */
	double		 login_failed_pct[3]; /* pop3, imap, smtp auth:
					   failed, % of ok + failed */
	const char	*lock_why[2];	/* what the POP3 lock pairs of two
					   clients [0] and of one client
					   twice [1] mean and the first
					   step; NULL when r has no such
					   pair */
	const char	*lock_why_imap;	/* the same for IMAP pairs (a lock
					   timeout), NULL when none */
};

/*
 * The result of a scan (agg_result) or a merge (merge_reports), the one
 * thing every writer reads. Its one owner frees it with result_free,
 * whoever made it: the files, errors, warnings and alerts arrays (set
 * by the command, malloc'd) and the views go with it.
 */
struct result {
	struct file_row	*files;
	size_t		 nfiles;
	struct error_row *errors;
	size_t		 nerrors;
	struct error_row *warnings;	/* inputs not understood ("error": why) */
	size_t		 nwarnings;
	uint64_t	 bytes, lines, error_lines, unparsed_lines;
	uint64_t	 overlong_lines;
	int64_t		 first, last;	/* T_NONE when no timestamp */
	uint64_t	 events, nusers, nhosts;
	struct traffic	 traffic;

	struct cause_row *causes;	/* causes with events, sorted */
	size_t		 ncauses;
	struct code_row	*codes;
	size_t		 ncodes;
	struct reply_row *pop3;
	size_t		 npop3;
	struct entity_row *users;	/* all, or --top N */
	size_t		 nusers_shown;
	struct entity_row *hosts;
	size_t		 nhosts_shown;
	struct entity_row *hours;	/* timeline, by start ascending */
	size_t		 nhours;
	struct tmpl_row	*unclassified;
	size_t		 nunclassified;
	struct space_row *space;	/* free space logged, lowest first */
	size_t		 nspace;
	struct lock_row	*locks;		/* refused POP3 sessions, latest first */
	size_t		 nlocks;
	struct lock_pair *lock_pairs;	/* refused client and holder, most
					   first */
	size_t		 nlock_pairs;
	uint64_t	 nlocks_all;	/* refused sessions, listed or not */
	uint64_t	 nlocks_imap;	/* of which IMAP sessions */
	uint64_t	 locks_held;	/* refusals whose holder was found */
	uint64_t	 locks_dropped;	/* refusals --max-keys left out */
	/*
	 * Inbound clients by address (each with its network), the networks
	 * that dominate (see result.c: rolled up), and the view the text
	 * and HTML show: addresses, with a dominating network's addresses
	 * replaced by one network row. Remotes: outbound refusals by the
	 * recipient's domain (else MX host), urgent ones (our IP listed)
	 * first in remotes_urgent.
	 */
	struct where_row *clients;
	size_t		 nclients, nclients_shown;
	struct where_row *networks;
	size_t		 nnetworks;
	struct where_row *client_view;
	size_t		 nclient_view;
	struct where_row *remotes;
	size_t		 nremotes, nremotes_shown;
	struct cause_where *where;	/* by cause number, cause_count()
					   entries; NULL: none known */
	uint64_t	 client_events;	/* events that name a client */
	uint64_t	 remote_events, urgent_events;
	uint64_t	 dir[DIR_COUNT];	/* all events by direction */
	/*
	 * Events whose key was folded by --max-keys: users and hosts into an
	 * "(other)" row, unclassified templates into an "(other)" template;
	 * hours, codes and POP3 replies are only counted here. 0 = no fold.
	 */
	uint64_t	 folded_users, folded_clients, folded_remotes;
	uint64_t	 folded_hosts, folded_hours, folded_codes;
	uint64_t	 folded_pop3, folded_unclassified;
	/*
	 * The Dovecot auth join over --max-keys (agg.c): login failures
	 * settled before the end without a verdict, verdicts forgotten.
	 */
	uint64_t	 join_unresolved, join_dropped;
	/*
	 * Multi-line failures (agg/join.c): lines --max-keys left unjoined,
	 * each counted on its own; MTA and LMTP server lines counted as one.
	 */
	uint64_t	 join_evicted, join_paired;
	size_t		 max_keys;	/* the cap, 0 = none */
	size_t		 top;		/* --top N, 0 = all */
	struct alert_row *alerts;	/* fired, as alert_set_eval orders */
	size_t		 nalerts;
	struct result_views views;	/* report_views, before any writer */
	void		(*release)(struct result *r); /* what result_free
					   calls last: the maker's own free */
};

struct report_opts {
	int		 color;		/* ANSI colour in text output */
	size_t		 top;		/* rows per table in text; 0 = default */
	const char	*version;
	const char	*table;		/* CSV table (report_csv); NULL = causes */
};

/*
 * Length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF) that starts at s, which must be
 * NUL-terminated; 0 when the byte at s does not start one. ASCII is 1.
 * (The JSON writer and the Prometheus labels share it.)
 */
size_t rep_utf8_len(const unsigned char *s);

/*
 * The one rule for log bytes in text that must be valid UTF-8 and hold
 * no control (CSV fields, --history names): the length of the
 * sequence at s that passes as it is, or 0 when the byte at s is to be
 * written "\xHH": a byte that starts no valid UTF-8 sequence, a C0
 * control or DEL (tab, CR and LF pass when ws is set: a quoted CSV
 * field holds them). s must be NUL-terminated. JSON escapes the same
 * bytes (rep_json_plain), in its own notation.
 */
size_t rep_clean_len(const unsigned char *s, int ws);

/*
 * Writes s as a JSON string with its quotes, or null when s is NULL.
 * Control characters are escaped, as is each byte of invalid UTF-8
 * (as \u00XX, its Latin-1 reading), so any input gives valid JSON.
 * Every JSON writer of the program uses it. Borrows s.
 */
void rep_json_str(FILE *out, const char *s);

/*
 * Computes r->views from the counts: once, when r is complete (after
 * anonymising, which changes the names the rows sort by), before any
 * writer; the writers BUG() on a result without them. result_free
 * frees them; report_views_release frees those of a result that is
 * not freed by result_free (one on the stack) and clears them.
 */
void report_views(struct result *r);
void report_views_release(struct result *r);

/* Each writer returns 0, or -1 when writing to out failed. */
int report_text(FILE *out, const struct result *r, const struct report_opts *o);
int report_json(FILE *out, const struct result *r, const struct report_opts *o);
int report_html(FILE *out, const struct result *r, const struct report_opts *o);
int report_csv(FILE *out, const struct result *r, const struct report_opts *o);

/* 1 when name is a table report_csv writes (users, causes, codes, ...). */
int report_csv_table(const char *name);

/*
 * The verdict for a mail subject into buf: "mx1: 3 alerts, 1,204 errors,
 * storage 2.0 % of traffic" (the alert count only when alerts is set;
 * "N inputs NOT READ" first when any failed). The host is the only one
 * with errors in r, else host. Storage is the storage group's events as
 * a share of delivery attempts (delivered, deferrals, bounced) plus
 * POP3 and IMAP logins, or a count when r has no traffic. ASCII only.
 */
void report_subject(const struct result *r, int alerts, const char *host,
    char *buf, size_t len);

/* Formats t as "2026-11-21T14:00:00" into buf (at least 20 bytes). */
char *report_time(int64_t t, char *buf, size_t len);

#endif
