/*
 * --history DB: the daily history behind `mxtally trend`. Each report
 * run appends its aggregates per day to a database: an SQLite file
 * (WAL mode, so `trend` can read while a run writes) or, for a URL
 * starting postgresql:// or postgres://, a shared PostgreSQL database
 * that many servers write into. Both get the same schema, created and
 * upgraded by the migrations below; schema_version holds the newest
 * migration applied.
 *
 * Days come from the result, which keeps time per hour only for cause
 * totals: day_cause is split by hour (a run over two days puts each
 * hour's events on its own day), while users, hosts and codes, which
 * have no time in the result, are put on the day of the run's last line
 * (day_last). A nightly run over one day's log is exact; a run over a
 * week at once puts the week's users and hosts on its last day.
 *
 * Re-running the same input must not count it twice. A run is known by
 * its input key: FNV-1a over the start keys of its inputs (as
 * --state computes them, so a rotated or copied file keeps its key),
 * sorted, and the time of the run's first line. Recording a run whose
 * key is already present replaces that run's rows: the same log read
 * again, or read again after it grew, is counted once, with what the
 * latest run saw; another server's log, another night's log, or the
 * next incremental (--state) run over the same file start elsewhere
 * and are added. Every row carries its run's id.
 *
 * Nothing here is in a per-line path: it runs once, after the report.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#ifdef HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#include "mxtally/cause.h"
#include "mxtally/event.h"
#include "mxtally/hash.h"
#include "mxtally/history.h"
#include "mxtally/input.h"
#include "mxtally/log.h"
#include "mxtally/parse.h"
#include "mxtally/report.h"
#include "mxtally/state.h"

#define HIST_BUSY_MS	30000	/* wait this long for another writer */
#define HIST_CACHE	32	/* prepared SQLite statements kept */

struct history {
	char		*name;		/* path or URL, for messages */
	sqlite3		*sq;
	sqlite3_stmt	*stmt[HIST_CACHE];
	const char	*sql[HIST_CACHE];	/* static strings, by address */
#ifdef HAVE_LIBPQ
	PGconn		*pg;
#endif
};

/*
 * The schema, one entry per version. Only the id column of runs differs
 * between the two databases. "user" is quoted: PostgreSQL reserves it.
 * Never edit a released migration: add the next one.
 */
#define HIST_V1(ID)							\
	"CREATE TABLE runs ("						\
	" id " ID ","							\
	" input_key TEXT NOT NULL UNIQUE,"				\
	" host TEXT NOT NULL,"						\
	" started BIGINT NOT NULL,"					\
	" period_first TEXT, period_last TEXT,"			\
	" day_first TEXT, day_last TEXT,"				\
	" files TEXT NOT NULL,"						\
	" events BIGINT NOT NULL);"					\
	"CREATE TABLE day_cause (run_id BIGINT NOT NULL, day TEXT NOT NULL,"\
	" cause TEXT NOT NULL, events BIGINT NOT NULL,"			\
	" PRIMARY KEY (run_id, day, cause));"				\
	"CREATE TABLE day_user (run_id BIGINT NOT NULL, day TEXT NOT NULL,"\
	" \"user\" TEXT NOT NULL, cause TEXT NOT NULL,"			\
	" events BIGINT NOT NULL,"					\
	" PRIMARY KEY (run_id, day, \"user\", cause));"			\
	"CREATE TABLE day_host (run_id BIGINT NOT NULL, day TEXT NOT NULL,"\
	" host TEXT NOT NULL, cause TEXT NOT NULL,"			\
	" events BIGINT NOT NULL,"					\
	" PRIMARY KEY (run_id, day, host, cause));"			\
	"CREATE TABLE day_code (run_id BIGINT NOT NULL, day TEXT NOT NULL,"\
	" protocol TEXT NOT NULL, code TEXT NOT NULL,"			\
	" enhanced TEXT NOT NULL, response TEXT NOT NULL,"		\
	" cause TEXT NOT NULL, events BIGINT NOT NULL,"			\
	" PRIMARY KEY (run_id, day, protocol, code, enhanced, response,"\
	" cause));"							\
	"CREATE INDEX day_cause_day ON day_cause (day);"		\
	"CREATE INDEX day_user_day ON day_user (day);"			\
	"CREATE INDEX day_host_day ON day_host (day);"			\
	"CREATE INDEX day_code_day ON day_code (day);"

/*
 * Version 2: who and where (issue 15). day_client: inbound clients by
 * address with their /24 or /64 network; day_remote: outbound refusals
 * by remote domain; day_space: the free space
 * servers logged, per host and store, in bytes (trend projects days to
 * full from it).
 */
#define HIST_V2								\
	"CREATE TABLE day_client (run_id BIGINT NOT NULL, day TEXT NOT NULL,"\
	" client TEXT NOT NULL, network TEXT NOT NULL, cause TEXT NOT NULL,"\
	" events BIGINT NOT NULL,"					\
	" PRIMARY KEY (run_id, day, client, cause));"			\
	"CREATE TABLE day_remote (run_id BIGINT NOT NULL, day TEXT NOT NULL,"\
	" remote TEXT NOT NULL, cause TEXT NOT NULL,"			\
	" events BIGINT NOT NULL,"					\
	" PRIMARY KEY (run_id, day, remote, cause));"			\
	"CREATE TABLE day_space (run_id BIGINT NOT NULL, day TEXT NOT NULL,"\
	" host TEXT NOT NULL, store TEXT NOT NULL,"			\
	" samples BIGINT NOT NULL, free_min BIGINT NOT NULL,"		\
	" free_last BIGINT NOT NULL,"					\
	" PRIMARY KEY (run_id, day, host, store));"			\
	"CREATE INDEX day_client_day ON day_client (day);"		\
	"CREATE INDEX day_remote_day ON day_remote (day);"		\
	"CREATE INDEX day_space_day ON day_space (day);"

/*
 * Version 3: when the free space was logged. day_space gains each
 * day's first figure and the times (seconds since the epoch, log time)
 * of its first and last, so that trend can measure the fall within a
 * day when only one day has figures. NULL in rows of version 2.
 */
#define HIST_V3								\
	"ALTER TABLE day_space ADD COLUMN free_first BIGINT;"		\
	"ALTER TABLE day_space ADD COLUMN first_at BIGINT;"		\
	"ALTER TABLE day_space ADD COLUMN last_at BIGINT;"

/*
 * Version 4: traffic per day (issue 15 item 4), from the report's
 * traffic hours, with the families it was counted from (comma-separated,
 * as counted_from). A run whose log counted no family's traffic has no
 * row: never a 0 that stands for "not read".
 */
#define HIST_V4								\
	"CREATE TABLE day_traffic (run_id BIGINT NOT NULL,"		\
	" day TEXT NOT NULL, counted_from TEXT NOT NULL,"		\
	" received BIGINT NOT NULL, delivered BIGINT NOT NULL,"	\
	" deferrals BIGINT NOT NULL, bounced BIGINT NOT NULL,"		\
	" rejected BIGINT NOT NULL, PRIMARY KEY (run_id, day));"	\
	"CREATE INDEX day_traffic_day ON day_traffic (day);"

static const struct {
	const char	*sqlite, *pg;
} migrations[] = {
	{ HIST_V1("INTEGER PRIMARY KEY"), HIST_V1("BIGSERIAL PRIMARY KEY") },
	{ HIST_V2, HIST_V2 },
	{ HIST_V3, HIST_V3 },
	{ HIST_V4, HIST_V4 },
};

#define HIST_VERSION	((int)(sizeof(migrations) / sizeof(migrations[0])))

int
history_schema_version(void)
{
	return HIST_VERSION;
}

/* --- the two databases behind one small interface -------------------- */

/* Says "'DB': what" (the database's own message); returns -1. */
static int
hist_err(const struct history *h, const char *what)
{
	return log_error("'%s': %s", h->name, what);
}

static int
is_pg(const struct history *h)
{
#ifdef HAVE_LIBPQ
	return h->pg != NULL;
#else
	(void)h;
	return 0;
#endif
}

/* Runs sql (one or more statements, no parameters). */
static int
db_exec(struct history *h, const char *sql)
{
	char	*msg = NULL;
	int	 rc;

#ifdef HAVE_LIBPQ
	if (h->pg != NULL) {
		PGresult *res = PQexec(h->pg, sql);
		ExecStatusType st = PQresultStatus(res);

		rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 :
		    hist_err(h, PQresultErrorMessage(res));
		PQclear(res);
		return rc;
	}
#endif
	if (sqlite3_exec(h->sq, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	rc = hist_err(h, msg != NULL ? msg :
	    sqlite3_errmsg(h->sq));
	sqlite3_free(msg);
	return rc;
}

/*
 * The prepared statement for sql, kept by address; *temp is set when the
 * cache is full and the caller must finalize it.
 */
static sqlite3_stmt *
sq_prepare(struct history *h, const char *sql, int *temp)
{
	sqlite3_stmt	*st;
	size_t		 i;

	*temp = 1;
	for (i = 0; i < HIST_CACHE; i++)
		if (h->sql[i] == sql) {
			*temp = 0;
			return h->stmt[i];
		}
	if (sqlite3_prepare_v3(h->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK)
		return NULL;
	for (i = 0; i < HIST_CACHE; i++)
		if (h->sql[i] == NULL) {
			h->sql[i] = sql;
			h->stmt[i] = st;
			*temp = 0;
			break;
		}
	return st;
}

/*
 * Runs sql with text parameters $1..$n (sql must be a static string: it
 * is cached by address) and calls fn for each result row, columns as
 * strings (NULL for SQL NULL). fn returns 0, or -1 to stop with an error
 * it said.
 */

static int
sq_rows(struct history *h, sqlite3_stmt *st, history_row_fn *fn, void *arg)
{
	const char	*col[16];
	int		 rc, i, n;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_count(st);
		if (n > 16)
			n = 16;
		for (i = 0; i < n; i++)
			col[i] = (const char *)sqlite3_column_text(st, i);
		if (fn != NULL && fn(arg, n, col) == -1)
			return -1;
	}
	if (rc != SQLITE_DONE)
		return hist_err(h, sqlite3_errmsg(h->sq));
	return 0;
}

static int
db_query(struct history *h, const char *sql, int n, const char *const *p,
    history_row_fn *fn, void *arg)
{
	sqlite3_stmt	*st;
	char		 name[16];
	int		 i, rc, temp;

#ifdef HAVE_LIBPQ
	if (h->pg != NULL) {
		PGresult	*res;
		const char	*col[16];
		int		 r, c, nc;

		res = PQexecParams(h->pg, sql, n, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK &&
		    PQresultStatus(res) != PGRES_COMMAND_OK) {
			rc = hist_err(h, PQresultErrorMessage(res));
			PQclear(res);
			return rc;
		}
		nc = PQnfields(res) < 16 ? PQnfields(res) : 16;
		rc = 0;
		for (r = 0; r < PQntuples(res) && rc == 0; r++) {
			for (c = 0; c < nc; c++)
				col[c] = PQgetisnull(res, r, c) ? NULL :
				    PQgetvalue(res, r, c);
			if (fn != NULL)
				rc = fn(arg, nc, col);
		}
		PQclear(res);
		return rc;
	}
#endif
	if ((st = sq_prepare(h, sql, &temp)) == NULL)
		return hist_err(h, sqlite3_errmsg(h->sq));
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(name, sizeof(name), "$%d", i + 1);
		if (sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name),
		    p[i], -1, SQLITE_TRANSIENT) != SQLITE_OK)
			rc = hist_err(h, sqlite3_errmsg(h->sq));
	}
	if (rc == 0)
		rc = sq_rows(h, st, fn, arg);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (temp)
		sqlite3_finalize(st);
	return rc;
}

/* BEGIN a write transaction: SQLite takes the write lock at once. */
static int
db_begin(struct history *h)
{
	return db_exec(h, is_pg(h) ? "BEGIN" : "BEGIN IMMEDIATE");
}

/* ROLLBACK after an error already said: quiet, the first error counts. */
static void
db_rollback(struct history *h)
{
#ifdef HAVE_LIBPQ
	if (h->pg != NULL) {
		PQclear(PQexec(h->pg, "ROLLBACK"));
		return;
	}
#endif
	sqlite3_exec(h->sq, "ROLLBACK", NULL, NULL, NULL);
}

/* --- open and migrate ------------------------------------------------ */

static int
row_int(void *arg, int ncol, const char *const *col)
{
	if (ncol > 0 && col[0] != NULL)
		*(long long *)arg = strtoll(col[0], NULL, 10);
	return 0;
}

/*
 * Applies the migrations the database lacks, each in the same
 * transaction as its schema_version row, under a lock so that two runs
 * starting together do not both migrate.
 */
static int
hist_migrate(struct history *h)
{
	long long	 v = 0;
	char		 ver[24], msg[128];
	const char	*p[1] = { ver };
	int		 i;

	if (db_exec(h, "CREATE TABLE IF NOT EXISTS schema_version ("
	    "version INTEGER NOT NULL)") == -1 ||
	    db_begin(h) == -1)
		return -1;
	if ((is_pg(h) && db_exec(h, "LOCK TABLE schema_version IN SHARE ROW "
	    "EXCLUSIVE MODE") == -1) ||
	    db_query(h, "SELECT MAX(version) FROM schema_version", 0, NULL,
	    row_int, &v) == -1)
		goto fail;
	if (v > HIST_VERSION) {
		snprintf(msg, sizeof(msg), "schema version %lld is newer than "
		    "this mxtally knows (%d)", v, HIST_VERSION);
		hist_err(h, msg);
		goto fail;
	}
	for (i = (int)v; i < HIST_VERSION; i++) {
		snprintf(ver, sizeof(ver), "%d", i + 1);
		if (db_exec(h, is_pg(h) ? migrations[i].pg :
		    migrations[i].sqlite) == -1 ||
		    db_query(h, "INSERT INTO schema_version (version) "
		    "VALUES ($1)", 1, p, NULL, NULL) == -1)
			goto fail;
	}
	return db_exec(h, "COMMIT");
fail:
	db_rollback(h);
	return -1;
}

/*
 * A symlink as the database path is refused (SQLITE_OPEN_NOFOLLOW): one
 * planted in a shared directory would have the history written where
 * it points; the real path may be given instead. Without create, a
 * missing file is an error, not a new empty database.
 */
static int
hist_open_sqlite(struct history *h, const char *path, int create)
{
	struct stat	 sb;

	if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
		return hist_err(h, "is a symbolic link (give the "
		    "path it points to)");
	if (!create && stat(path, &sb) == -1 && errno == ENOENT)
		return hist_err(h, "no such history database");
	if (sqlite3_open_v2(path, &h->sq, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW | (create ? SQLITE_OPEN_CREATE : 0),
	    NULL) != SQLITE_OK)
		return hist_err(h, h->sq != NULL ?
		    sqlite3_errmsg(h->sq) : "cannot open");
	sqlite3_busy_timeout(h->sq, HIST_BUSY_MS);
	return db_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
}

static int
is_pg_url(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0;
}

static int
hist_open_pg(struct history *h, const char *url)
{
#ifdef HAVE_LIBPQ
	h->pg = PQconnectdb(url);
	if (h->pg == NULL || PQstatus(h->pg) != CONNECTION_OK)
		return hist_err(h, h->pg != NULL ?
		    PQerrorMessage(h->pg) : "cannot connect");
	return db_exec(h, "SET client_min_messages = warning");
#else
	(void)url;
	return hist_err(h, "built without PostgreSQL (libpq)");
#endif
}

struct history *
history_open(const char *target, int create)
{
	struct history	*h = xcalloc(1, sizeof(*h));
	int		 rc;

	h->name = xstrdup(target);
	if (is_pg_url(target)) {
		/* never echo a password given in the URL */
		char *user = strstr(h->name, "://") + 3;
		char *at = strchr(user, '@'), *colon;

		colon = at != NULL ? memchr(user, ':', (size_t)(at - user)) :
		    NULL;
		if (colon != NULL)
			memmove(colon, at, strlen(at) + 1);
		rc = hist_open_pg(h, target);
	} else
		rc = hist_open_sqlite(h, target, create);
	if (rc == -1 || hist_migrate(h) == -1) {
		history_close(h);
		return NULL;
	}
	return h;
}

void
history_close(struct history *h)
{
	size_t	 i;

	if (h == NULL)
		return;
	for (i = 0; i < HIST_CACHE; i++)
		sqlite3_finalize(h->stmt[i]);
	if (h->sq != NULL)
		sqlite3_close(h->sq);
#ifdef HAVE_LIBPQ
	if (h->pg != NULL)
		PQfinish(h->pg);
#endif
	free(h->name);
	free(h);
}

/* --- recording a run ------------------------------------------------- */

/* "2026-11-21" of t into buf (at least 11 bytes). */
static char *
day_of(int64_t t, char *buf, size_t len)
{
	char	 full[32];

	report_time(t, full, sizeof(full));
	snprintf(buf, len, "%.10s", full);
	return buf;
}

/*
 * The key of path as --state computes it (its start up to its first
 * data line, so logs that share their '#' headers differ); 0 for stdin
 * or an input that cannot be read (its path and the period still tell
 * runs apart).
 */
static uint64_t
start_key(const char *path)
{
	struct input_opts	 o = { 0 };
	struct source		*s;
	struct chunk		 c;
	char			 err[256];
	uint64_t		 key = 0;
	int			 complete;

	if (strcmp(path, "-") == 0 ||
	    (s = source_open(path, 0, &o, err, sizeof(err))) == NULL)
		return 0;
	if (source_next(s, &c, err, sizeof(err)) == 1) {
		key = state_key(c.beg, (size_t)(c.end - c.beg), &complete);
		source_release(s, &c);
	}
	source_close(s);
	return key;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The run's input key into key (17 bytes) and a description of its
 * inputs ("path<TAB>bytes<TAB>start key" per line) into *files
 * (malloc'd).
 */
static void
input_key(const struct result *r, char *key, size_t keylen, char **files)
{
	uint64_t	*k = xcalloc(r->nfiles + 1, sizeof(*k)), h;
	char		 first[32], line[64];
	size_t		 i, len = 1;

	*files = xstrdup("");
	for (i = 0; i < r->nfiles; i++) {
		k[i] = start_key(r->files[i].path);
		snprintf(line, sizeof(line), "\t%" PRIu64 "\t%016" PRIx64 "\n",
		    r->files[i].bytes, k[i]);
		len += strlen(r->files[i].path) + strlen(line);
		*files = xrealloc(*files, len);
		strcat(strcat(*files, r->files[i].path), line);
	}
	qsort(k, r->nfiles, sizeof(*k), cmp_u64);
	h = hash_fnv(HASH_FNV_INIT, k, r->nfiles * sizeof(*k));
	report_time(r->first, first, sizeof(first));
	h = hash_fnv(h, first, strlen(first));
	snprintf(key, keylen, "%016" PRIx64, h);
	free(k);
}

static const char sql_find_run[] = "SELECT id FROM runs WHERE input_key = $1";
static const char sql_del_cause[] = "DELETE FROM day_cause WHERE run_id = $1";
static const char sql_del_user[] = "DELETE FROM day_user WHERE run_id = $1";
static const char sql_del_host[] = "DELETE FROM day_host WHERE run_id = $1";
static const char sql_del_code[] = "DELETE FROM day_code WHERE run_id = $1";
static const char sql_del_client[] = "DELETE FROM day_client WHERE "
    "run_id = $1";
static const char sql_del_remote[] = "DELETE FROM day_remote WHERE "
    "run_id = $1";
static const char sql_del_space[] = "DELETE FROM day_space WHERE "
    "run_id = $1";
static const char sql_del_traffic[] = "DELETE FROM day_traffic WHERE "
    "run_id = $1";
static const char sql_del_run[] = "DELETE FROM runs WHERE id = $1";
static const char sql_add_run[] = "INSERT INTO runs (input_key, host, "
    "started, period_first, period_last, day_first, day_last, files, "
    "events) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
static const char sql_add_cause[] = "INSERT INTO day_cause (run_id, day, "
    "cause, events) VALUES ($1, $2, $3, $4)";
/* names that meet again once stored (see hist_name) add up */
static const char sql_add_user[] = "INSERT INTO day_user (run_id, day, "
    "\"user\", cause, events) VALUES ($1, $2, $3, $4, $5) ON CONFLICT "
    "(run_id, day, \"user\", cause) DO UPDATE SET events = "
    "day_user.events + excluded.events";
static const char sql_add_host[] = "INSERT INTO day_host (run_id, day, "
    "host, cause, events) VALUES ($1, $2, $3, $4, $5) ON CONFLICT "
    "(run_id, day, host, cause) DO UPDATE SET events = "
    "day_host.events + excluded.events";
static const char sql_add_code[] = "INSERT INTO day_code (run_id, day, "
    "protocol, code, enhanced, response, cause, events) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

static const char sql_add_client[] = "INSERT INTO day_client (run_id, "
    "day, client, network, cause, events) VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (run_id, day, client, cause) DO UPDATE SET events = "
    "day_client.events + excluded.events";
static const char sql_add_remote[] = "INSERT INTO day_remote (run_id, "
    "day, remote, cause, events) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (run_id, day, remote, cause) DO UPDATE SET events = "
    "day_remote.events + excluded.events";
/*
 * Two rows for one day, host and store in one run (names that meet once
 * stored) make one: the lowest, the earliest first figure and the
 * latest last figure.
 */
static const char sql_add_space[] = "INSERT INTO day_space (run_id, day, "
    "host, store, samples, free_min, free_last, free_first, first_at, "
    "last_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT (run_id, day, host, store) DO UPDATE SET "
    "samples = day_space.samples + excluded.samples, free_min = "
    "CASE WHEN excluded.free_min < day_space.free_min THEN "
    "excluded.free_min ELSE day_space.free_min END, "
    "free_first = CASE WHEN excluded.first_at < day_space.first_at THEN "
    "excluded.free_first ELSE day_space.free_first END, "
    "first_at = CASE WHEN excluded.first_at < day_space.first_at THEN "
    "excluded.first_at ELSE day_space.first_at END, "
    "free_last = CASE WHEN excluded.last_at >= day_space.last_at THEN "
    "excluded.free_last ELSE day_space.free_last END, "
    "last_at = CASE WHEN excluded.last_at >= day_space.last_at THEN "
    "excluded.last_at ELSE day_space.last_at END";

/* the hours of one day add up */
static const char sql_add_traffic[] = "INSERT INTO day_traffic (run_id, "
    "day, counted_from, received, delivered, deferrals, bounced, rejected) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (run_id, day) DO "
    "UPDATE SET received = day_traffic.received + excluded.received, "
    "delivered = day_traffic.delivered + excluded.delivered, "
    "deferrals = day_traffic.deferrals + excluded.deferrals, "
    "bounced = day_traffic.bounced + excluded.bounced, "
    "rejected = day_traffic.rejected + excluded.rejected";

/* Deletes the run with input key key and its rows, when there is one. */
static int
drop_run(struct history *h, const char *key)
{
	static const char *const del[] = { sql_del_cause, sql_del_user,
	    sql_del_host, sql_del_code, sql_del_client, sql_del_remote,
	    sql_del_space, sql_del_traffic, sql_del_run };
	long long	 id = -1;
	char		 ids[24];
	const char	*p[1] = { key };
	size_t		 i;

	if (db_query(h, sql_find_run, 1, p, row_int, &id) == -1)
		return -1;
	if (id == -1)
		return 0;
	snprintf(ids, sizeof(ids), "%lld", id);
	p[0] = ids;
	for (i = 0; i < sizeof(del) / sizeof(del[0]); i++)
		if (db_query(h, del[i], 1, p, NULL, NULL) == -1)
			return -1;
	return 0;
}

/*
 * A user or host name as stored: valid UTF-8, with every byte that is
 * not part of a valid sequence, every C0 control and DEL written "\xHH"
 * (PostgreSQL refuses invalid UTF-8 in a UTF8 database), by the rule
 * the CSV writer follows (rep_clean_len; CSV keeps tab, CR and LF in
 * quotes). A NUL inside a name is "\x00" already (agg's result), so
 * names that differ after one stay apart. Two names that become the
 * same (a literal "\xff" and the byte; a logged "(other)" and the
 * folded row) are one row, their counts added. malloc'd.
 */
static char *
hist_name(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*out = xmalloc(strlen(s) * 4 + 1), *o = out;
	size_t			 n;

	while (*p != '\0') {
		if ((n = rep_clean_len(p, 0)) == 0) {
			o += sprintf(o, "\\x%02x", *p);
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
	return out;
}

/* One row per cause with events in by (cause_count() entries). */
static int
add_by_cause(struct history *h, const char *sql, const char *run,
    const char *day, const char *name, const uint64_t *by)
{
	char		 n[24], *stored = name != NULL ? hist_name(name) : NULL;
	const char	*p[5];
	int		 c, np, rc = 0;

	for (c = 0; c < cause_count() && rc == 0; c++) {
		if (by[c] == 0)
			continue;
		snprintf(n, sizeof(n), "%" PRIu64, by[c]);
		np = 0;
		p[np++] = run;
		p[np++] = day;
		if (stored != NULL)
			p[np++] = stored;
		p[np++] = cause_get(c)->id;
		p[np++] = n;
		rc = db_query(h, sql, np, p, NULL, NULL);
	}
	free(stored);
	return rc;
}

/* day_cause: the hours' counts summed per day (hours are ascending). */
static int
add_days(struct history *h, const struct result *r, const char *run)
{
	uint64_t	*sum = xcalloc((size_t)cause_count(), sizeof(*sum));
	char		 day[16], cur[16] = "";
	size_t		 i;
	int		 rc = 0;

	for (i = 0; i <= r->nhours && rc == 0; i++) {
		if (i < r->nhours)
			day_of(r->hours[i].start, day, sizeof(day));
		if (cur[0] != '\0' && (i == r->nhours || strcmp(day, cur) != 0)) {
			rc = add_by_cause(h, sql_add_cause, run, cur, NULL, sum);
			memset(sum, 0, (size_t)cause_count() * sizeof(*sum));
		}
		if (i == r->nhours)
			break;
		memcpy(cur, day, sizeof(cur));
		for (int c = 0; c < cause_count(); c++)
			sum[c] += r->hours[i].by_cause[c];
	}
	free(sum);
	return rc;
}

static int
add_codes(struct history *h, const struct result *r, const char *run,
    const char *day)
{
	char		 n[24];
	const char	*p[8];
	size_t		 i;

	for (i = 0; i < r->ncodes; i++) {
		const struct code_row *c = &r->codes[i];

		snprintf(n, sizeof(n), "%" PRIu64, c->events);
		p[0] = run;
		p[1] = day;
		p[2] = proto_name(c->proto);
		p[3] = c->code;
		p[4] = c->enh;
		p[5] = c->resp;
		p[6] = c->cause >= 0 && c->cause < cause_count() ?
		    cause_get(c->cause)->id : "unclassified";
		p[7] = n;
		if (db_query(h, sql_add_code, 8, p, NULL, NULL) == -1)
			return -1;
	}
	return 0;
}

/* day_client: one row per client address and cause. */
static int
add_clients(struct history *h, const struct result *r, const char *run,
    const char *day)
{
	char		 n[24], *name;
	const char	*p[6];
	size_t		 i;
	int		 c, rc = 0;

	for (i = 0; i < r->nclients && rc == 0; i++) {
		name = hist_name(r->clients[i].name);
		for (c = 0; c < cause_count() && rc == 0; c++) {
			if (r->clients[i].by_cause[c] == 0)
				continue;
			snprintf(n, sizeof(n), "%" PRIu64,
			    r->clients[i].by_cause[c]);
			p[0] = run;
			p[1] = day;
			p[2] = name;
			p[3] = r->clients[i].network != NULL ?
			    r->clients[i].network : "";
			p[4] = cause_get(c)->id;
			p[5] = n;
			rc = db_query(h, sql_add_client, 6, p, NULL, NULL);
		}
		free(name);
	}
	return rc;
}

/*
 * day_space: one row per host and store, on its last figure's day, with
 * its first and last figures and their times (trend's fall rate).
 */
static int
add_space(struct history *h, const struct result *r, const char *run,
    const char *dl)
{
	char		 day[16], ns[24], nm[24], nl[24], nf[24], ft[24], lt[24];
	char		*host;
	const char	*p[10];
	size_t		 i;
	int		 rc = 0;

	for (i = 0; i < r->nspace && rc == 0; i++) {
		const struct space_row *s = &r->space[i];

		host = hist_name(s->host);
		snprintf(ns, sizeof(ns), "%" PRIu64, s->f.samples);
		snprintf(nm, sizeof(nm), "%" PRIu64, s->f.min);
		snprintf(nl, sizeof(nl), "%" PRIu64, s->f.last);
		snprintf(nf, sizeof(nf), "%" PRIu64, s->f.first);
		snprintf(ft, sizeof(ft), "%" PRId64, s->f.first_at);
		snprintf(lt, sizeof(lt), "%" PRId64, s->f.last_at);
		p[0] = run;
		p[1] = s->f.last_at != T_NONE ? day_of(s->f.last_at, day,
		    sizeof(day)) : dl;
		p[2] = host;
		p[3] = space_name(s->kind);
		p[4] = ns;
		p[5] = nm;
		p[6] = nl;
		p[7] = nf;
		p[8] = s->f.first_at != T_NONE ? ft : NULL;
		p[9] = s->f.last_at != T_NONE ? lt : NULL;
		rc = db_query(h, sql_add_space, 10, p, NULL, NULL);
		free(host);
	}
	return rc;
}

/*
 * day_traffic: the traffic hours, per day, when some family's traffic
 * was counted.
 */
static int
add_traffic(struct history *h, const struct result *r, const char *run)
{
	const struct traffic	*t = &r->traffic;
	char			 day[16], fams[256], n[5][24];
	const char		*p[8], *name;
	size_t			 i, k = 0;
	int			 f, j, rc = 0;

	if (t->counted_from == 0)
		return 0;
	fams[0] = '\0';
	for (f = 1; f < 32; f++)
		if ((t->counted_from & (UINT32_C(1) << f)) &&
		    (name = parse_family_name(f)) != NULL && k < sizeof(fams))
			k += (size_t)snprintf(fams + k, sizeof(fams) - k, "%s%s",
			    k > 0 ? "," : "", name);
	for (i = 0; i < t->nhours && rc == 0; i++) {
		const struct traffic_hour *th = &t->hours[i];
		const uint64_t v[5] = { th->received, th->delivered,
		    th->deferred, th->bounced, th->rejected };

		for (j = 0; j < 5; j++)
			snprintf(n[j], sizeof(n[j]), "%" PRIu64, v[j]);
		p[0] = run;
		p[1] = day_of(th->start, day, sizeof(day));
		p[2] = fams;
		for (j = 0; j < 5; j++)
			p[3 + j] = n[j];
		rc = db_query(h, sql_add_traffic, 8, p, NULL, NULL);
	}
	return rc;
}

/* Inserts the runs row and everything under it; *id gets its id. */
static int
add_run(struct history *h, const struct result *r, const char *key,
    const char *files)
{
	char		 host[256], started[24], events[24], id[24] = "";
	char		 pf[32], pl[32], df[16], dl[16];
	const char	*p[9];
	long long	 runid = -1;
	size_t		 i;

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	snprintf(started, sizeof(started), "%lld", (long long)time(NULL));
	snprintf(events, sizeof(events), "%" PRIu64, r->events);
	p[0] = key;
	p[1] = host;
	p[2] = started;
	p[3] = report_time(r->first, pf, sizeof(pf));
	p[4] = report_time(r->last, pl, sizeof(pl));
	p[5] = day_of(r->first, df, sizeof(df));
	p[6] = day_of(r->last, dl, sizeof(dl));
	p[7] = files;
	p[8] = events;
	if (db_query(h, sql_add_run, 9, p, row_int, &runid) == -1)
		return -1;
	snprintf(id, sizeof(id), "%lld", runid);
	if (add_days(h, r, id) == -1)
		return -1;
	for (i = 0; i < r->nusers_shown; i++)
		if (add_by_cause(h, sql_add_user, id, dl, r->users[i].name,
		    r->users[i].by_cause) == -1)
			return -1;
	for (i = 0; i < r->nhosts_shown; i++)
		if (add_by_cause(h, sql_add_host, id, dl, r->hosts[i].name,
		    r->hosts[i].by_cause) == -1)
			return -1;
	for (i = 0; i < r->nremotes_shown; i++)
		if (add_by_cause(h, sql_add_remote, id, dl, r->remotes[i].name,
		    r->remotes[i].by_cause) == -1)
			return -1;
	if (add_clients(h, r, id, dl) == -1 ||
	    add_space(h, r, id, dl) == -1 ||
	    add_traffic(h, r, id) == -1)
		return -1;
	return add_codes(h, r, id, dl);
}

int
history_record(struct history *h, const struct result *r)
{
	char	 key[24], *files;
	int	 rc;

	if (r->first == T_NONE || r->last == T_NONE)
		return 0;	/* no timestamps: no day to put it on */
	input_key(r, key, sizeof(key), &files);
	if (db_begin(h) == -1) {
		free(files);
		return -1;
	}
	rc = drop_run(h, key);
	if (rc == 0)
		rc = add_run(h, r, key, files);
	if (rc == 0)
		rc = db_exec(h, "COMMIT");
	else
		db_rollback(h);
	free(files);
	return rc;
}

/* --- reading, for trend.c -------------------------------------------- */

int
history_query(struct history *h, const char *sql, int n,
    const char *const *params, history_row_fn *fn, void *arg)
{
	return db_query(h, sql, n, params, fn, arg);
}

const char *
history_name(const struct history *h)
{
	return h->name;
}
