/*
 * Alerts: rules read from INI files (interface.md), the compact event
 * records the scan collects for them, and the sliding-window evaluator
 * shared by `mxtally alert` (once, over whole logs) and `mxtally watch`
 * (incrementally, over growing logs). Windows run on event time as
 * logged, never on the wall clock, so a replayed log fires the same
 * alerts as the live one did.
 */
#ifndef MXTALLY_ALERT_H
#define MXTALLY_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mxtally/event.h"

enum alert_sel {
	SEL_CAUSE,		/* cause = system_storage */
	SEL_GROUP,		/* group = storage */
	SEL_CODE		/* code = 452, 4.3.1 or IN-USE */
};

enum alert_by {
	BY_NONE,
	BY_HOST,
	BY_USER,
	BY_CLIENT
};

enum alert_sev {
	SEV_WARNING = 1,	/* the Nagios exit status it maps to */
	SEV_CRITICAL = 2
};

struct alert_rule {
	char		*name;		/* section name */
	char		*file;		/* where it was defined */
	int		 line;		/* line of its first key */
	int		 sel;		/* enum alert_sel, -1 = not yet given */
	char		*what;		/* cause id, group or code as written */
	int		 cause;		/* SEL_CAUSE: cause number */
	int		 by;		/* enum alert_by */
	uint64_t	 threshold;	/* events within window to fire */
	int64_t		 window;	/* seconds */
	int		 severity;	/* enum alert_sev */
};

/* One fired alert: an episode of a (rule, key) above its threshold. */
struct alert {
	const struct alert_rule *rule;
	char		*key;		/* "" for by = none */
	uint64_t	 value;		/* peak events within one window */
	uint64_t	 events;	/* evidence: events while it was firing */
	int64_t		 first;		/* first event of the window that fired */
	int64_t		 last;		/* last event while firing */
	int		 firing;	/* still above threshold at the end */
	uint64_t	 current;	/* firing: events in the window now */
};

/*
 * One classified event as every evaluator sees it (report, alert and
 * watch build it the same way: alert_item_make). Strings are NUL-ended,
 * the user lower-cased, each at most ALERT_STR_MAX bytes.
 */
#define ALERT_STR_MAX	255

struct alert_item {
	int64_t		 t;		/* log time, never T_NONE */
	uint64_t	 count;		/* events the line stands for */
	int		 cause;		/* after the Dovecot join */
	const char	*code, *enh, *resp;
	const char	*host, *user, *client;
};

struct agg;
struct alert_buf;
struct alert_eval;

struct alert_set {
	struct alert_rule *rules;
	size_t		 n;
	struct alert_buf *all;		/* records merged from the workers */
	size_t		 max_records;	/* in memory a buffer; 0 = all */
	size_t		 max_windows;	/* (rule, key) windows; 0 = all */
	uint64_t	 overflow;	/* after eval: events past the cap */
	const char	*windows;	/* --state: FILE.windows, or NULL */
	char		*carry;		/* after eval: the windows to save */
	size_t		 carrylen;
	uint64_t	*current;	/* after eval: per rule, the highest
					   count of a window at the end */
};

/*
 * Reads the rules of the INI file path into s (appending; sections named
 * "cause.*" belong to the classifier and are skipped). Returns 0, or -1
 * after a "FILE:LINE: ..." message. Call after user causes are added.
 */
int alert_set_load(struct alert_set *s, const char *path);

/*
 * The one loader of rule files, for report, alert, watch and `rules
 * --check`: a new classifier with the [cause.NAME] sections of
 * paths[0..n) in *cl, then their alert rules in s (which may name those
 * causes). Every section is checked: keys, values, unknown causes and
 * groups, a section given twice in a file, a rule defined in two files.
 * Returns 0, or -1 after a "FILE:LINE: ..." message (nothing to free).
 */
struct classifier;
int alert_rules_load(const char *const *paths, size_t n, struct classifier **cl,
    struct alert_set *s);

/* Same, from a string; name is used in messages. For tests. */
int alert_set_load_string(struct alert_set *s, const char *text,
    const char *name);

void alert_set_release(struct alert_set *s);

/* 1 when rule r selects the classified event ev. Borrows both. */
int alert_rule_match(const struct alert_rule *r, const struct event *ev);

/*
 * Per-worker record buffers, filled from the agg (agg_set_emit) with the
 * timed events some rule selects, as the report counts them. add copies
 * the key strings it keeps; merge takes from (it is freed). A buffer
 * over s->max_records writes its records to a sorted run in $TMPDIR.
 */
struct alert_buf *alert_buf_new(void);

/*
 * Sets s->max_records from --max-keys (0 = no bound): at least 65,536
 * records (about 6 MB), so that a small key cap does not make a run,
 * and an open file, of every few records.
 */
void alert_set_bound(struct alert_set *s, size_t max_keys);
void alert_buf_add(struct alert_buf *b, const struct alert_set *s,
    const struct event *ev, uint64_t pos);
void alert_set_merge(struct alert_set *s, struct alert_buf *from);
void alert_buf_free(struct alert_buf *b);

/*
 * The scan sink (scan_add_sink) that fills one alert_buf per scanning
 * thread and merges them into s->all. Borrows s for the scan.
 */
struct scan_sink;
void alert_set_sink(struct alert_set *s, struct scan_sink *sk);

/*
 * Evaluates the merged records in (time, input position) order, so the
 * result is the same for any -j. Then advances the event clock to end
 * (the newest line read; T_NONE = the newest event) so that an alert
 * whose window emptied before the log ended is not "firing". Returns the
 * fired alerts ordered by first event time, rule order and key; *n gets
 * their count. Free with alert_list_free.
 */
struct alert *alert_set_eval(struct alert_set *s, int64_t end, size_t *n);
void alert_list_free(struct alert *v, size_t n);

/*
 * Incremental runs (--state FILE): before the records, alert_set_eval
 * reads the windows an earlier run left in s->windows (a missing file is
 * none), and after them keeps the windows that still hold events in
 * s->carry; alert_set_save writes those to s->windows atomically, once
 * the run's outputs are out. So a window that spans two runs counts the
 * events of both, and an episode still firing goes on firing with its
 * first event. A carried window whose rule changed (name, selector, by,
 * threshold or window) is dropped. Returns 0, or -1 after a message.
 */
int alert_set_save(const struct alert_set *s);

/* Per rule, the highest count of a window ending at the clock. */
void alert_eval_current(struct alert_eval *e, uint64_t *per_rule);

/* Serialises e's windows for the next run; reads them back into e. */
void alert_eval_save(const struct alert_eval *e, FILE *f);
int alert_eval_load(struct alert_eval *e, FILE *f, const char *name);

/*
 * The incremental evaluator (watch mode, and alert_set_eval under the
 * hood). feed counts n events of rule ri for key at event time t; it
 * returns 1 when that (rule, key) started firing. tick advances the
 * event clock to now and resolves alerts whose window fell below the
 * threshold; it calls done for each alert that stopped firing (feed also
 * calls it for episodes it ends). Times never go backwards: an event
 * older than the newest seen counts at the newest time.
 */
typedef void alert_done_fn(const struct alert *a, void *arg);

struct alert_eval *alert_eval_new(const struct alert_set *s,
    alert_done_fn *done, void *arg);
void alert_eval_free(struct alert_eval *e);
int alert_eval_feed(struct alert_eval *e, size_t ri, const char *key,
    size_t klen, int64_t t, uint64_t n);
void alert_eval_tick(struct alert_eval *e, int64_t now);

/*
 * The one evaluation path: feeds x to every rule that selects it, under
 * the rule's key (a keyed rule skips an event without that key). Returns
 * 1 when an alert started firing. Borrows x.
 */
int alert_eval_item(struct alert_eval *e, const struct alert_item *x);

/*
 * x from a classified event ev (cause = ev->cause unless the caller
 * joined it), its strings copied into buf; 0 when ev has no time or is
 * a join verdict (nothing to count).
 */
int alert_item_make(struct alert_item *x, const struct event *ev,
    char buf[3][ALERT_STR_MAX + 1]);

/*
 * Windows kept at most (0: no cap, the default). Past the cap, events
 * of a key that has no window yet are not counted; alert_eval_overflow
 * says how many, alert_eval_late how many came later than their rule's
 * window of the newest event (they cannot change any window now).
 */
void alert_eval_set_max(struct alert_eval *e, size_t max);
uint64_t alert_eval_overflow(const struct alert_eval *e);
uint64_t alert_eval_late(const struct alert_eval *e);
size_t alert_eval_windows(const struct alert_eval *e);

/* The evaluator's clock: the newest event time it has seen or ticked. */
int64_t alert_eval_now(const struct alert_eval *e);

/* Calls fn for every alert firing now, in rule order then key order. */
void alert_eval_firing(struct alert_eval *e, alert_done_fn *fn, void *arg);

/*
 * A reload: moves the windows of from whose rule is in to's set unchanged
 * (same name, selector, by, threshold and window) into to, episodes and
 * all, so an alert firing before goes on firing; gone is called for each
 * alert firing in from whose rule changed or went. Counters add up.
 * from is left to be freed.
 */
void alert_eval_carry(struct alert_eval *to, struct alert_eval *from,
    alert_done_fn *gone, void *arg);

/* Key of ev for rule r (host, lower-cased user, client, or ""). */
size_t alert_key(const struct alert_rule *r, const struct event *ev,
    char *buf, size_t len);

/* Parses "10m", "30s", "2h", "1d" or plain seconds; -1 when bad. */
int64_t alert_parse_window(const char *s);

/* Formats a window back as "10m" (largest exact unit). */
void alert_fmt_window(int64_t w, char *buf, size_t len);

/*
 * Writers. jsonl: one object per alert. nagios: one status line of the
 * alerts firing now, perfdata per rule and per cause (cause_events[i]
 * for every cause number); returns the plugin exit status. prometheus: exposition text format. lines is
 * the number of log lines read. Each returns -1 when writing failed,
 * except alert_write_nagios (see above; 3 when writing failed).
 */
int alert_write_jsonl(FILE *f, const struct alert *v, size_t n);
int alert_write_nagios(FILE *f, const struct alert_set *s,
    const struct alert *v, size_t n, const uint64_t *cause_events,
    int unreadable);
int alert_write_prometheus(FILE *f, const struct alert_set *s,
    const struct alert *v, size_t n, const uint64_t *cause_events,
    uint64_t lines);

/* Appends s to f as a Prometheus label value (escapes \ " and newline). */
void alert_prom_label(FILE *f, const char *s);

/* What `mxtally watch` was asked to do (src/cmd/watch.c fills it). */
struct watch_conf {
	const char *const *rules;	/* --rules FILE, in order; borrowed */
	size_t		 nrules;
	const char	*listen;	/* --listen ADDR:PORT, or NULL */
	const char	*am;		/* --alertmanager URL, or NULL */
	int		 from_start;	/* --from-start */
	int		 year;		/* --year, 0 = infer */
	size_t		 cap;		/* --max-labels */
	size_t		 max_windows;	/* --max-windows, 0 = no cap */
	int		 anon;		/* --anonymize: enum anon_flags */
	const char	*anon_key;	/* --anonymize-key FILE */
};

#define WATCH_LABELS_DEFAULT	1000	/* --max-labels */
#define WATCH_WINDOWS_DEFAULT	100000	/* --max-windows */

/*
 * Follows files[0..n) as conf says until SIGTERM or SIGINT (src/alert/
 * watch.c). 0, or -1 said when it could not start (rules, listen,
 * Alertmanager). Borrows conf and files for the whole run.
 */
int watch_follow(const struct watch_conf *conf, char **files, size_t n);

#endif
