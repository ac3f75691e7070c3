/*
 * `mxtally watch`: follows growing logs in one thread, counts every line
 * into the /metrics counters (served by libmicrohttpd's own thread under
 * a mutex), feeds the alert windows and pushes fired and resolved alerts
 * to Alertmanager. Each file is read with read(2) from its saved offset;
 * the partial last line waits for its newline. Rotation: when the path
 * names a new inode (rename), the old file is read to its end first and
 * the new one from 0; when the file got shorter than the offset
 * (copytruncate), reading restarts at 0. inotify on the files'
 * directories wakes the loop; it also polls every second, which is the
 * whole mechanism where inotify is missing. SIGHUP reloads the rules
 * (windows of unchanged rules carried over, so their alerts go on
 * firing), SIGTERM and SIGINT end the loop.
 *
 * Pushes to Alertmanager never hold up the counting: the loop puts each
 * JSON body in a bounded queue (the oldest is dropped when it is full,
 * and counted) and a sender thread posts them, retrying a failed post
 * with backoff (1, 2, 4 ... 30 s, PUSH_TRIES times).
 *
 * The command's options are parsed in src/cmd/watch.c, which calls
 * watch_follow with them.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mxtally/agg.h"
#include "mxtally/alert.h"
#include "mxtally/anon.h"
#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/input.h"
#include "mxtally/log.h"
#include "mxtally/parse.h"
#include "mxtally/scan.h"
#include "alert_int.h"
#include "metrics.h"
#include "push.h"

#define READ_SIZE	(1u << 20)
#define DRAIN_MAX	(16u << 20)	/* bytes of one file per round */
#define PUSH_EVERY	60		/* seconds between re-sends */
#define PUSHQ_MAX	16		/* bodies waiting for the sender */
#define PUSH_TRIES	5		/* posts of one body before dropping it */
#define HTTP_TIMEOUT	15		/* seconds an idle /metrics client keeps
					   its connection */
#define HTTP_CONNS	2048		/* /metrics connections at once */

static volatile sig_atomic_t	 got_term, got_hup;

struct follow {
	const char	*path;		/* borrowed from argv */
	size_t		 idx;		/* argument order: POS_MAKE's file */
	int		 fd;		/* -1 while the path is missing */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 off;		/* next byte to read */
	char		*buf;		/* partial line, then new bytes */
	size_t		 len;
	int		 skipping;	/* dropping the rest of an overlong line */
	struct timectx	 tc;
	struct layout	 lo;		/* found from the first lines read */
	int		 sniffed;	/* lo is set (reset when reopened) */
	int		 year;
	struct scan_reader *rd;		/* this file's per-line pipeline */
	struct metrics_file *mf;	/* its /metrics counters (in w->m) */
};

/* The Alertmanager sender: its own thread, its own lock. */
struct pushq {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 tid;
	int		 running;	/* tid started */
	int		 stop;
	const char	*url;
	char		*body[PUSHQ_MAX];	/* a ring, owned */
	size_t		 len[PUSHQ_MAX];
	size_t		 head, n;
	uint64_t	 sent, failed, dropped, retries;
};

struct watch {
	struct join_stream *js;		/* the report's joins, streaming */
	const char *const *rules;	/* borrowed from the command */
	size_t		 nrules;
	struct alert_set set;
	struct alert_eval *eval;
	struct classifier *cl;
	struct scan_opts opts;		/* for the readers: no filter; the
					   --anonymize edit */
	int		 anon_flags;	/* --anonymize: enum anon_flags */
	const char	*anon_key;	/* --anonymize-key FILE */
	struct anon	*anon;		/* NULL: names as logged */
	struct follow	*f;
	size_t		 nf;
	pthread_mutex_t	 mu;		/* guards m and eval */
	struct metrics	 m;
	const char	*listen;
	const char	*am;		/* Alertmanager URL, or NULL */
	char		 instance[256];
	struct alert	*resolved;	/* to push once */
	size_t		 nresolved, capresolved;
	int		 dirty;		/* an alert started firing */
	time_t		 pushed;	/* last push, wall clock */
	int64_t		 clock;		/* newest event time */
	struct timespec	 clock_at;	/* monotonic time clock last moved */
	int		 from_start;
	int		 year;
	size_t		 cap;
	size_t		 max_windows;	/* --max-windows, 0 = no cap */
	struct pushq	 pq;
	int64_t		 started;	/* Unix seconds */
	uint64_t	 reloads, reload_errors;
};

static void watch_push_now(struct watch *w);

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

static void
on_resolved(const struct alert *a, void *arg)
{
	struct watch	*w = arg;

	if (w->am == NULL)
		return;
	if (w->nresolved == w->capresolved) {
		w->capresolved = w->capresolved ? w->capresolved * 2 : 16;
		w->resolved = xrealloc(w->resolved, w->capresolved *
		    sizeof(*w->resolved));
	}
	w->resolved[w->nresolved] = *a;
	w->resolved[w->nresolved].key = xstrdup(a->key);
	w->nresolved++;
}

/*
 * An event as the report counts it, joins settled (join_stream's emit):
 * the /metrics counters and the alert windows. The caller holds w->mu.
 */
static void
watch_event(void *arg, const struct event *ev, uint64_t pos)
{
	struct watch		*w = arg;
	struct alert_item	 it;
	char			 buf[3][ALERT_STR_MAX + 1];

	(void)pos;
	metrics_event(&w->m, ev);
	if (!alert_item_make(&it, ev, buf))
		return;
	if (ev->t > w->clock) {
		w->clock = ev->t;
		clock_gettime(CLOCK_MONOTONIC, &w->clock_at);
	}
	if (alert_eval_item(w->eval, &it))
		w->dirty = 1;
}

/*
 * The sink of watch's reader: traffic counters, then the events through
 * the streaming joins (which hand them to watch_event).
 */
static void
watch_sink(void *arg, struct event *ev, uint64_t pos, int is_event)
{
	struct watch	*w = arg;

	if (ev->tkind != TR_NONE)
		metrics_traffic(&w->m, ev);
	if (is_event)
		join_stream_add(w->js, ev, pos);
	else
		join_stream_line(w->js, (size_t)(pos >> 40), ev->t);
}

/*
 * Lines [beg, end) of f through the shared pipeline; off: of beg. The
 * file's layout is found from the first lines read, as the batch scan
 * finds it from a file's first chunk.
 */
static void
watch_run(struct watch *w, struct follow *f, const char *beg,
    const char *end, off_t off)
{
	uint64_t	 n;
	int64_t		 last;

	if (!f->sniffed) {
		layout_sniff(slice_make(beg, end), &f->tc, NULL, &f->lo);
		f->sniffed = 1;
	}
	n = scan_lines(f->rd, beg, end, &f->tc, &f->lo,
	    POS_MAKE(f->idx, (uint64_t)off), NULL);
	w->m.lines += n;
	f->mf->lines += n;
	last = scan_reader_stats(f->rd)->last;
	if (last != INT64_MIN && (f->mf->last == T_NONE ||
	    last > f->mf->last))
		f->mf->last = last;
}

/*
 * Handles the whole lines of f->buf (read from f->off - f->len); keeps
 * the partial one. As the batch reader does (input_read.c), a line with
 * no newline within INPUT_LINE_MAX + 1 bytes is handed on as those
 * bytes, and the rest of it up to its newline is skipped: one line,
 * counted once as overlong. flush: the file ended (rotation).
 */
static void
watch_lines(struct watch *w, struct follow *f, int flush)
{
	char	*p = f->buf, *end = f->buf + f->len, *nl, *last = NULL;
	off_t	 base = f->off - (off_t)f->len;

	if (f->skipping) {
		if ((nl = memchr(p, '\n', f->len)) == NULL) {
			f->len = 0;
			return;
		}
		p = nl + 1;
		f->skipping = 0;
	}
	if (p < end && (nl = memrchr(p, '\n', (size_t)(end - p))) != NULL)
		last = nl + 1;
	if (last != NULL) {
		watch_run(w, f, p, last, base + (p - f->buf));
		p = last;
	}
	if ((size_t)(end - p) > INPUT_LINE_MAX) {
		watch_run(w, f, p, p + INPUT_LINE_MAX + 1,
		    base + (p - f->buf));
		f->skipping = 1;
		p = end;
	} else if (p < end && flush) {
		watch_run(w, f, p, end, base + (p - f->buf));
		p = end;
	}
	f->len = (size_t)(end - p);
	memmove(f->buf, p, f->len);
}

/*
 * Reads f from its offset to the end, or DRAIN_MAX bytes of it (then
 * returns 1: more to read) so that an endless source (/dev/zero, a log
 * written faster than read) lets the other files, the alert clock and
 * SIGTERM have their turn.
 */
static int
follow_drain(struct watch *w, struct follow *f)
{
	ssize_t	 r;
	size_t	 got = 0;

	if (f->fd == -1)
		return 0;
	while (!got_term) {
		if (got >= DRAIN_MAX)
			return 1;
		r = pread(f->fd, f->buf + f->len, READ_SIZE, f->off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		f->off += r;
		f->len += (size_t)r;
		got += (size_t)r;
		pthread_mutex_lock(&w->mu);
		f->mf->bytes += (uint64_t)r;
		watch_lines(w, f, 0);
		pthread_mutex_unlock(&w->mu);
	}
	return 0;
}

static void
follow_open(struct follow *f, int at_end)
{
	struct stat	 sb;

	if ((f->fd = open(f->path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(f->fd, &sb) == -1) {
		close(f->fd);
		f->fd = -1;
		return;
	}
	f->dev = sb.st_dev;
	f->ino = sb.st_ino;
	f->off = at_end ? sb.st_size : 0;
	timectx_init(&f->tc, (int64_t)sb.st_mtime, f->year);
	f->sniffed = 0;
}

static void
follow_flush(struct watch *w, struct follow *f)
{
	pthread_mutex_lock(&w->mu);
	watch_lines(w, f, 1);
	f->skipping = 0;
	pthread_mutex_unlock(&w->mu);
}

static void
follow_rotated(struct watch *w, struct follow *f)
{
	pthread_mutex_lock(&w->mu);
	f->mf->rotations++;
	pthread_mutex_unlock(&w->mu);
}

/* The read lag of f for /metrics: bytes there, not read yet. */
static void
follow_lag(struct watch *w, struct follow *f)
{
	struct stat	 sb;
	int64_t		 unread = -1;

	if (f->fd != -1 && fstat(f->fd, &sb) == 0 && S_ISREG(sb.st_mode))
		unread = sb.st_size > f->off ? (int64_t)(sb.st_size - f->off) :
		    0;
	pthread_mutex_lock(&w->mu);
	f->mf->unread = unread;
	pthread_mutex_unlock(&w->mu);
}

/*
 * One look at f: new bytes, then rotation by rename or copytruncate (a
 * regular file only: a device or FIFO has no size to shrink). Returns 1
 * when f has more to read at once.
 */
static int
follow_poll(struct watch *w, struct follow *f)
{
	struct stat	 sb;

	if (f->fd == -1) {
		follow_open(f, 0);
		return follow_drain(w, f);
	}
	if (follow_drain(w, f))
		return 1;
	if (stat(f->path, &sb) == -1)
		return 0;		/* renamed away, new one not yet there */
	if (sb.st_dev != f->dev || sb.st_ino != f->ino) {
		while (follow_drain(w, f))	/* the writer may have added more */
			;
		follow_flush(w, f);
		follow_rotated(w, f);
		close(f->fd);
		follow_open(f, 0);
		return follow_drain(w, f);
	}
	if (S_ISREG(sb.st_mode) && sb.st_size < f->off) {
		follow_flush(w, f);
		follow_rotated(w, f);
		f->off = 0;
		return follow_drain(w, f);
	}
	return 0;
}

/*
 * Compiles the classifier with the files' [cause.NAME] rules into *cl,
 * then their alert rules into s. Returns 0, or -1 (nothing to free).
 */
static int
watch_load(struct watch *w, struct classifier **cl, struct alert_set *s)
{
	return alert_rules_load(w->rules, w->nrules, cl, s);
}

/*
 * SIGHUP: new rules replace the old. The windows of rules that did not
 * change (name, selector, by, threshold, window) move to the new
 * evaluator, so their alerts go on firing; alerts of rules that changed
 * or went are resolved.
 */
static void
watch_reload(struct watch *w)
{
	struct alert_set	 s, olds;
	struct alert_eval	*old;
	struct classifier	*cl;
	size_t			 i;

	if (watch_load(w, &cl, &s) == -1) {
		log_warn("keeping the old rules");
		pthread_mutex_lock(&w->mu);
		w->reload_errors++;
		pthread_mutex_unlock(&w->mu);
		return;
	}
	pthread_mutex_lock(&w->mu);
	old = w->eval;
	olds = w->set;
	w->set = s;
	w->eval = alert_eval_new(&w->set, on_resolved, w);
	alert_eval_set_max(w->eval, w->max_windows);
	alert_eval_carry(w->eval, old, on_resolved, w);
	w->reloads++;
	pthread_mutex_unlock(&w->mu);
	/* resolved copies still point at the old rules: serialise them */
	if (w->am != NULL)
		watch_push_now(w);
	alert_eval_free(old);
	alert_set_release(&olds);
	/* only this thread classifies */
	for (i = 0; i < w->nf; i++) {
		scan_reader_free(w->f[i].rd);
		w->f[i].rd = scan_reader_new(&w->opts, cl, watch_sink, w);
	}
	classify_free(w->cl);
	w->cl = cl;
	log_warn("reloaded %zu rule%s", s.n, s.n == 1 ? "" : "s");
}

/* Waits until ts or a stop; 1 when stopped. Holds q->mu. */
static int
pushq_sleep(struct pushq *q, const struct timespec *ts)
{
	while (!q->stop)
		if (pthread_cond_timedwait(&q->cv, &q->mu, ts) == ETIMEDOUT)
			return 0;
	return 1;
}

static void *
pushq_main(void *arg)
{
	struct pushq	*q = arg;
	struct timespec	 ts;
	char		*body;
	size_t		 len;
	int		 tries, rc;
	time_t		 backoff;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->n == 0 && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->stop)
			break;
		body = q->body[q->head];
		len = q->len[q->head];
		q->head = (q->head + 1) % PUSHQ_MAX;
		q->n--;
		for (tries = 1, backoff = 1;; tries++) {
			pthread_mutex_unlock(&q->mu);
			rc = push_send(q->url, body, len);
			pthread_mutex_lock(&q->mu);
			if (rc == 0) {
				q->sent++;
				break;
			}
			if (tries == PUSH_TRIES || q->stop) {
				q->failed++;
				break;
			}
			q->retries++;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += backoff;
			backoff = backoff * 2 > 30 ? 30 : backoff * 2;
			if (pushq_sleep(q, &ts))
				break;
		}
		free(body);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Queues body (taken) for the sender; never waits for the network. */
static void
pushq_put(struct pushq *q, char *body, size_t len)
{
	pthread_mutex_lock(&q->mu);
	if (q->n == PUSHQ_MAX) {
		free(q->body[q->head]);
		q->head = (q->head + 1) % PUSHQ_MAX;
		q->n--;
		q->dropped++;
	}
	q->body[(q->head + q->n) % PUSHQ_MAX] = body;
	q->len[(q->head + q->n) % PUSHQ_MAX] = len;
	q->n++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

static int
pushq_start(struct pushq *q, const char *url)
{
	q->url = url;
	if (pthread_create(&q->tid, NULL, pushq_main, q) != 0)
		return log_error("cannot start the Alertmanager sender");
	q->running = 1;
	return 0;
}

/* Stops the sender: a post under way ends within its 5 s timeout. */
static void
pushq_stop(struct pushq *q)
{
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	if (q->running)
		pthread_join(q->tid, NULL);
	while (q->n > 0) {
		free(q->body[q->head]);
		q->head = (q->head + 1) % PUSHQ_MAX;
		q->n--;
	}
}

struct push_ctx {
	FILE		*f;
	struct watch	*w;
	int		 n;
};

static void
push_one(const struct alert *a, void *arg)
{
	struct push_ctx	*c = arg;

	if (c->n++ > 0)
		putc(',', c->f);
	push_alert_json(c->f, a, 0, c->w->instance);
}

/* Sends every firing alert and the resolved ones not sent yet. */
static void
watch_push_now(struct watch *w)
{
	struct push_ctx	 c = { NULL, w, 0 };
	char		*body = NULL;
	size_t		 len = 0, i;

	if ((c.f = open_memstream(&body, &len)) == NULL)
		log_die("out of memory");
	putc('[', c.f);
	pthread_mutex_lock(&w->mu);
	if (w->eval != NULL)
		alert_eval_firing(w->eval, push_one, &c);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->nresolved; i++) {
		if (c.n++ > 0)
			putc(',', c.f);
		push_alert_json(c.f, &w->resolved[i], 1, w->instance);
		free(w->resolved[i].key);
	}
	w->nresolved = 0;
	putc(']', c.f);
	fclose(c.f);
	if (c.n > 0)
		pushq_put(&w->pq, body, len);	/* takes body */
	else
		free(body);
	w->dirty = 0;
	w->pushed = time(NULL);
}

/* The process's health for /metrics; the caller holds w->mu. */
static void
watch_health(struct watch *w, struct metrics_health *h)
{
	memset(h, 0, sizeof(*h));
	h->started = w->started;
	h->reloads = w->reloads;
	h->reload_errors = w->reload_errors;
	if (w->eval != NULL) {
		h->windows = alert_eval_windows(w->eval);
		h->window_overflow = alert_eval_overflow(w->eval);
		h->late_events = alert_eval_late(w->eval);
	}
	if (w->js != NULL) {
		struct join_stream_stats js;

		join_stream_stats(w->js, &js);
		h->join_held = js.held;
		h->join_evicted = js.evicted;
		h->join_paired = js.paired;
	}
	pthread_mutex_lock(&w->pq.mu);
	h->push_sent = w->pq.sent;
	h->push_failed = w->pq.failed;
	h->push_dropped = w->pq.dropped;
	h->push_retries = w->pq.retries;
	h->push_queued = w->pq.n;
	pthread_mutex_unlock(&w->pq.mu);
}

static enum MHD_Result
serve(void *arg, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **con_cls)
{
	struct watch		*w = arg;
	struct MHD_Response	*resp;
	char			*body = NULL;
	size_t			 len = 0;
	FILE			*f;
	enum MHD_Result		 rc;
	struct metrics_health	 h;
	static const char	 nf[] = "not found: try /metrics\n";

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)con_cls;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return MHD_NO;
	if (strcmp(url, "/metrics") != 0) {
		resp = MHD_create_response_from_buffer(sizeof(nf) - 1,
		    (void *)(uintptr_t)nf, MHD_RESPMEM_PERSISTENT);
		rc = MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, resp);
		MHD_destroy_response(resp);
		return rc;
	}
	if ((f = open_memstream(&body, &len)) == NULL)
		return MHD_NO;
	pthread_mutex_lock(&w->mu);
	watch_health(w, &h);
	metrics_write(f, &w->m, w->eval, &h);
	pthread_mutex_unlock(&w->mu);
	fclose(f);
	resp = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* Room for HTTP_CONNS connections and the logs: the soft limit raised. */
static void
files_limit(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < HTTP_CONNS + 256) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max > HTTP_CONNS + 256 ? HTTP_CONNS + 256 :
		    rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static struct MHD_Daemon *
serve_start(struct watch *w)
{
	struct sockaddr_in	 sa = { .sin_family = AF_INET };
	const char		*colon = strrchr(w->listen, ':');
	char			 host[64];
	long			 port;
	struct MHD_Daemon	*d;

	if (colon == NULL || (size_t)(colon - w->listen) >= sizeof(host))
		return log_error("bad --listen '%s' (ADDR:PORT)", w->listen),
		    NULL;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - w->listen),
	    w->listen);
	port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535 || inet_pton(AF_INET, host[0] ? host :
	    "0.0.0.0", &sa.sin_addr) != 1)
		return log_error("bad --listen '%s' (IPv4 ADDR:PORT)",
		    w->listen), NULL;
	sa.sin_port = htons((uint16_t)port);
	/*
	 * epoll (no FD_SETSIZE bound), a cap on connections and an idle
	 * timeout: slow clients that hold connections open cannot lock the
	 * scrapes out (tests/watch.sh, slow clients).
	 */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
	    serve, w, MHD_OPTION_SOCK_ADDR, &sa,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNS,
	    MHD_OPTION_END);
	if (d == NULL)
		log_error("cannot listen on '%s'", w->listen);
	return d;
}

/* Watches each file's directory: renames and creations show there. */
static int
watch_inotify(const struct watch *w)
{
	char	 dir[PATH_MAX];
	size_t	 i;
	int	 fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd == -1) {
		log_warn("no inotify (%s): polling every second",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < w->nf; i++) {
		snprintf(dir, sizeof(dir), "%s", w->f[i].path);
		if (inotify_add_watch(fd, dirname(dir), IN_MODIFY | IN_CREATE |
		    IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB |
		    IN_CLOSE_WRITE) == -1)
			log_warn("cannot watch '%s' (%s): polling it",
			    dir, strerror(errno));
	}
	return fd;
}

/*
 * The clock alerts resolve on: the newest log time read, moved on by the
 * time that passed since that line was read, so that a log gone quiet
 * still ends its alerts. The wall clock itself never enters: a log
 * replayed from the start, or a host whose clock is off, fires what
 * `mxtally alert` fires on the same lines.
 */
static int64_t
watch_now(const struct watch *w)
{
	struct timespec	 now;

	if (w->clock == INT64_MIN)
		return INT64_MIN;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return w->clock + (int64_t)(now.tv_sec - w->clock_at.tv_sec);
}

static void
watch_loop(struct watch *w, int ifd)
{
	struct pollfd	 pfd = { .fd = ifd, .events = POLLIN };
	char		 ev[4096];
	size_t		 i;
	int		 more, one;

	while (!got_term) {
		if (got_hup) {
			got_hup = 0;
			watch_reload(w);
		}
		/* a file not read this round may still join what others hold */
		pthread_mutex_lock(&w->mu);
		for (i = 0; i < w->nf; i++)
			join_stream_busy(w->js, i, w->f[i].fd != -1);
		pthread_mutex_unlock(&w->mu);
		for (i = more = 0; i < w->nf; i++) {
			one = follow_poll(w, &w->f[i]);
			more |= one;
			follow_lag(w, &w->f[i]);
			pthread_mutex_lock(&w->mu);
			join_stream_busy(w->js, i, one);
			pthread_mutex_unlock(&w->mu);
		}
		pthread_mutex_lock(&w->mu);
		join_stream_tick(w->js, watch_now(w));
		alert_eval_tick(w->eval, watch_now(w));
		pthread_mutex_unlock(&w->mu);
		if (w->am != NULL && (w->dirty || w->nresolved > 0 ||
		    time(NULL) - w->pushed >= PUSH_EVERY))
			watch_push_now(w);
		if (poll(ifd >= 0 ? &pfd : NULL, ifd >= 0 ? 1 : 0,
		    more ? 0 : 1000) > 0)
			while (read(ifd, ev, sizeof(ev)) > 0)
				;
	}
}

static void
watch_free(struct watch *w)
{
	size_t	 i;

	for (i = 0; i < w->nf; i++) {
		if (w->f[i].fd != -1)
			close(w->f[i].fd);
		free(w->f[i].buf);
		scan_reader_free(w->f[i].rd);
	}
	free(w->m.files);
	for (i = 0; i < w->nresolved; i++)
		free(w->resolved[i].key);
	free(w->resolved);
	free(w->f);
	join_stream_free(w->js);
	alert_eval_free(w->eval);
	alert_set_release(&w->set);
	metrics_release(&w->m);
	anon_free(w->anon);
	pthread_mutex_destroy(&w->pq.mu);
	pthread_cond_destroy(&w->pq.cv);
	classify_free(w->cl);
	pthread_mutex_destroy(&w->mu);
}

int
watch_follow(const struct watch_conf *conf, char **files, size_t n)
{
	struct watch		 w = { .rules = conf->rules,
	    .nrules = conf->nrules, .listen = conf->listen, .am = conf->am,
	    .from_start = conf->from_start, .year = conf->year,
	    .cap = conf->cap, .max_windows = conf->max_windows,
	    .anon_flags = conf->anon, .anon_key = conf->anon_key,
	    .clock = INT64_MIN };
	struct sigaction	 sa = { .sa_handler = on_signal };
	struct MHD_Daemon	*d = NULL;
	size_t			 i;
	int			 ifd, failed;

	pthread_mutex_init(&w.mu, NULL);
	pthread_mutex_init(&w.pq.mu, NULL);
	pthread_cond_init(&w.pq.cv, NULL);
	/* before any reader: /metrics, alerts and pushes see only tokens */
	w.anon = anon_setup(w.anon_flags, w.anon_key, &w.opts, &failed);
	if (failed || watch_load(&w, &w.cl, &w.set) == -1) {
		watch_free(&w);
		return -1;
	}
	w.opts.jobs = 1;
	w.opts.year = w.year;
	w.opts.since = w.opts.until = T_NONE;
	w.started = (int64_t)time(NULL);
	w.eval = alert_eval_new(&w.set, on_resolved, &w);
	alert_eval_set_max(w.eval, w.max_windows);
	metrics_init(&w.m, w.cap);
	files_limit();
	if (gethostname(w.instance, sizeof(w.instance) - 1) == -1)
		snprintf(w.instance, sizeof(w.instance), "mxtally");
	w.nf = n;
	w.f = xcalloc(w.nf, sizeof(*w.f));
	w.m.files = xcalloc(w.nf ? w.nf : 1, sizeof(*w.m.files));
	w.m.nfiles = w.nf;
	w.js = join_stream_new(w.nf, JOIN_STREAM_MAX, watch_event, &w);
	for (i = 0; i < w.nf; i++) {
		w.f[i].path = files[i];
		w.f[i].idx = i;
		w.f[i].mf = &w.m.files[i];
		w.f[i].mf->path = w.f[i].path;
		w.f[i].mf->last = T_NONE;
		w.f[i].mf->unread = -1;
		w.f[i].rd = scan_reader_new(&w.opts, w.cl, watch_sink, &w);
		w.f[i].buf = xmalloc(READ_SIZE + INPUT_LINE_MAX + 1);
		w.f[i].year = w.year;
		follow_open(&w.f[i], !w.from_start);
		if (w.f[i].fd == -1)
			log_warn("'%s' is not there yet (%s): waiting for it",
			    w.f[i].path, strerror(errno));
	}
	/* MHD's thread inherits the mask: the signals come to this one */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sa.sa_mask, NULL);
	if (w.listen != NULL && (d = serve_start(&w)) == NULL) {
		watch_free(&w);
		return -1;
	}
	if (w.am != NULL) {
		push_init();
		if (pushq_start(&w.pq, w.am) == -1) {
			if (d != NULL)
				MHD_stop_daemon(d);
			watch_free(&w);
			return -1;
		}
	}
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	pthread_sigmask(SIG_UNBLOCK, &sa.sa_mask, NULL);
	ifd = watch_inotify(&w);
	watch_loop(&w, ifd);
	pthread_mutex_lock(&w.mu);	/* what waits for a join counts now */
	join_stream_flush(w.js);
	pthread_mutex_unlock(&w.mu);
	if (ifd != -1)
		close(ifd);
	if (d != NULL)
		MHD_stop_daemon(d);
	pushq_stop(&w.pq);
	watch_free(&w);
	return 0;
}
