/*
 * mxgen: the project's synthetic mail-server syslog generator.
 *
 * Writes one day of interleaved RFC 3164 syslog from a small ISP mail
 * platform to stdout, exactly SIZE bytes or at most one line short, ending
 * at a line boundary.  The same SEED, USERS, date and SIZE give the same
 * bytes.  It is a benchmark and test-data tool; it writes no ground truth,
 * but -v prints line counts per error kind to stderr.
 *
 * Hosts: mx1..mx3 (inbound Postfix), smtp1..smtp2 (submission and
 * outbound Postfix), store1..store4 (Dovecot pop3/imap/lmtp, auth-worker;
 * a mailbox lives on store (user % 4) + 1), pop-legacy (Qpopper, the only
 * source of literal "-ERR").  Timestamps rise over 00:00:00-23:59:59 as
 * the output fills, along a diurnal curve (night trough, peaks near 10:30
 * and 20:00).  About 1000 sessions/transactions are open at once and one
 * of them, picked at random, logs its next line; so the lines of one SMTP
 * transaction or POP/IMAP session are spread over thousands of lines.
 *
 * Users: USERS mailboxes (85 % @example.net, the rest in 40 hosted
 * *.example domains), chosen Zipf-like (s = 0.9 for mail, 0.7 for logins).
 * 42 % are POP users, the rest IMAP; 1.5 % are over quota, 3 % of POP
 * users poll from two clients, 0.5 % keep a stale password, 3 % are
 * legacy Qpopper accounts.  Failures pick from those subsets, skewed so
 * that a few users carry most of a cause.
 *
 * Mix (share of lines, roughly): ~96 % ordinary traffic: postfix smtpd
 * connect/client=/disconnect, cleanup message-id, qmgr from=/removed,
 * lmtp/smtp status=sent dsn=2.0.0, dovecot lmtp saved mail, pop3-login and
 * imap-login Login, pop3 "Disconnected: Logged out", imap "Logged out",
 * qpopper login and Stats.  ~4 % error lines, of these kinds (see
 * kind_name[]):
 *   postfix  NOQUEUE reject 550 5.1.1 user unknown, 554 5.7.1 relay
 *            access denied, 554 5.7.1 RBL (zen.spamhaus.org), 450 4.2.0
 *            greylisted, 452 4.3.1 insufficient system storage (MAIL
 *            stage; mostly an mx2 incident 14:02-14:19), SASL LOGIN
 *            authentication failed, lmtp deferred 452 4.2.2 quota,
 *            lmtp deferred 451 4.3.0 after a store disk-full, smtp bounced
 *            552 5.2.2 mailbox full, smtp deferred connection timed out
 *   dovecot  auth-worker sql() password mismatch / unknown user (one per
 *            attempt, same session id as the later pop3-login line),
 *            pop3-login Disconnected (auth failed ...), pop3 Couldn't lock
 *            POP3 session, lmtp save failed ... Quota exceeded, lmtp
 *            Error: ... No space left on device (mostly a store3 incident
 *            16:40-16:52)
 *   qpopper  -ERR [IN-USE] lock busy, -ERR [AUTH] password incorrect,
 *            -ERR no such message, -ERR some deleted messages not removed
 *
 * Speed: the hot path formats with memcpy and a digit-pair table into an
 * 8 MiB buffer written with fwrite; splitmix64 is the only PRNG.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_BUF		(8u << 20)	/* output buffer */
#define OUT_SLACK	(64u << 10)	/* flush when less than this is left */
#define NSLOTS		1024		/* open sessions/transactions */
#define DAY		86400
#define GUIDE		4096		/* Zipf guide-table buckets */

enum kind {
	K_OK,
	K_REJ_UNKNOWN, K_REJ_RELAY, K_REJ_RBL, K_REJ_GREY, K_REJ_STORAGE,
	K_SASL, K_LMTP_QUOTA, K_LMTP_451, K_SMTP_BOUNCE, K_SMTP_TIMEOUT,
	K_DOV_MISMATCH, K_DOV_UNKNOWN, K_DOV_POP3_AUTH, K_DOV_POP3_LOCK,
	K_DOV_LMTP_QUOTA, K_DOV_NOSPACE,
	K_QP_INUSE, K_QP_AUTH, K_QP_NOMSG, K_QP_NOTREMOVED,
	K__N
};

static const char *const kind_name[K__N] = {
	"ordinary",
	"postfix_reject_unknown_user", "postfix_reject_relay",
	"postfix_reject_rbl", "postfix_reject_greylist",
	"postfix_reject_storage", "postfix_sasl_failed",
	"postfix_lmtp_quota", "postfix_lmtp_tempfail",
	"postfix_smtp_bounce_full", "postfix_smtp_timeout",
	"dovecot_auth_mismatch", "dovecot_auth_unknown_user",
	"dovecot_pop3_auth_failed", "dovecot_pop3_lock",
	"dovecot_lmtp_quota", "dovecot_lmtp_nospace",
	"qpopper_in_use", "qpopper_auth", "qpopper_no_such_message",
	"qpopper_not_removed",
};

enum host {
	H_MX1, H_MX2, H_MX3, H_SMTP1, H_SMTP2,
	H_STORE1, H_STORE2, H_STORE3, H_STORE4, H_POPLEGACY, H__N
};

static const char *const host_name[H__N] = {
	"mx1", "mx2", "mx3", "smtp1", "smtp2",
	"store1", "store2", "store3", "store4", "pop-legacy",
};

enum txn_type { T_FREE, T_IN, T_REJ, T_SUB, T_SASL, T_POP, T_IMAP, T_QP };

enum variant {
	V_OK, V_QUOTA, V_UNKNOWN, V_RELAY, V_RBL, V_GREY, V_STORAGE,
	V_TIMEOUT, V_BOUNCE, V_LOCK, V_AUTH, V_AUTH_UNKNOWN,
	V_INUSE, V_NOMSG, V_NOTREMOVED,
};

struct str {
	uint32_t	 off;		/* offset into gen.arena */
	uint32_t	 len;
};

struct user {
	struct str	 addr;		/* local@domain */
	uint32_t	 local_len;	/* length of the local part */
	uint32_t	 home_ip;	/* usual client address */
	uint8_t		 pop;		/* POP user (else IMAP) */
};

struct client {
	struct str	 name;		/* reverse name or "unknown" */
	struct str	 helo;
	uint32_t	 ip;
};

struct txn {
	uint8_t		 type;		/* enum txn_type */
	uint8_t		 variant;	/* enum variant */
	uint8_t		 step;
	uint8_t		 host;		/* enum host of the first lines */
	uint8_t		 n;		/* attempts, messages, ... */
	uint32_t	 user;		/* user index, or pool index */
	uint32_t	 client;	/* client index */
	uint32_t	 pid;
	uint32_t	 aux;		/* remote address/domain index */
	uint32_t	 size;
	uint64_t	 qid;
	uint64_t	 sess;
	uint64_t	 mid;
};

struct zipf {
	double		*cdf;
	uint32_t	*guide;
	uint32_t	 n;
};

struct hostpids {
	uint32_t	 next;		/* per-connection pid counter */
	uint32_t	 qmgr;
	uint32_t	 cleanup[4];
	uint32_t	 deliver[8];	/* lmtp or smtp */
	uint32_t	 auth[4];	/* dovecot auth-worker */
	uint32_t	 bounce;
};

struct gen {
	uint64_t	 rs;		/* splitmix64 state */

	char		*arena;
	size_t		 alen, acap;

	struct user	*users;
	uint32_t	 nusers;
	struct zipf	 zmail, zlogin, zclient, zlegacy;
	uint32_t	*overquota, *lockers, *stale, *legacy;
	uint32_t	 noverquota, nlockers, nstale, nlegacy;
	struct str	*ghosts;	/* non-existent local parts */
	uint32_t	 nghosts;
	struct client	*clients;	/* legitimate senders */
	struct client	*spammers;
	uint32_t	 nclients, nspammers;
	struct str	*remotes;	/* remote domains */
	uint32_t	*remote_ip;
	uint32_t	 nremotes;
	struct str	*senders;	/* remote local parts */
	uint32_t	 nsenders;
	struct str	 domains[41];

	struct hostpids	 pids[H__N];
	struct txn	 slot[NSLOTS];
	uint32_t	 active;	/* slots that may start sessions */
	uint32_t	 high;		/* slots that may be open */
	double		 est_lines;	/* expected lines in the output */

	double		*cdf;		/* diurnal CDF over the day's seconds */
	uint32_t	 sec;
	char		 stamp[40];	/* "Nov 21 03:14:15 " */
	size_t		 date_len, stamp_len;

	char		*buf, *w, *line;
	uint64_t	 flushed, limit;
	int		 discard, full;
	uint64_t	 lines, errlines;
	uint64_t	 count[K__N];
};

static const char digits2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";
static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hexu[] = "0123456789ABCDEF";
static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/* ---- PRNG ---------------------------------------------------------- */

static inline uint64_t
rnd(struct gen *g)
{
	uint64_t	 z = (g->rs += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), Lemire's multiply-shift. */
static inline uint32_t
below(struct gen *g, uint32_t n)
{
	return (uint32_t)(((rnd(g) >> 32) * (uint64_t)n) >> 32);
}

static inline double
unit(struct gen *g)
{
	return (double)(rnd(g) >> 11) * 0x1p-53;
}

/* True with probability ppm / 1e6. */
static inline int
chance(struct gen *g, uint32_t ppm)
{
	return below(g, 1000000) < ppm;
}

/* Index in [0, n) skewed to the front: P(i < k) = (k / n)^(1/3). */
static inline uint32_t
skewed(struct gen *g, uint32_t n)
{
	double	 u = unit(g);

	return (uint32_t)((double)n * u * u * u);
}

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
	z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	return z ^ (z >> 33);
}

/* ---- setup --------------------------------------------------------- */

static void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "mxgen: out of memory\n");
		exit(1);
	}
	return p;
}

static struct str
intern(struct gen *g, const char *s, size_t n)
{
	struct str	 r;

	if (g->alen + n + 1 > g->acap) {
		g->acap = (g->acap + n + 1) * 2;
		g->arena = realloc(g->arena, g->acap);
		if (g->arena == NULL) {
			fprintf(stderr, "mxgen: out of memory\n");
			exit(1);
		}
	}
	memcpy(g->arena + g->alen, s, n);
	g->arena[g->alen + n] = '\0';
	r.off = (uint32_t)g->alen;
	r.len = (uint32_t)n;
	g->alen += n + 1;
	return r;
}

static void
zipf_init(struct zipf *z, uint32_t n, double s)
{
	double		 sum = 0;
	uint32_t	 i, b = 0;

	z->n = n;
	z->cdf = xmalloc(n * sizeof(*z->cdf));
	z->guide = xmalloc((GUIDE + 1) * sizeof(*z->guide));
	for (i = 0; i < n; i++)
		z->cdf[i] = (sum += pow((double)i + 1, -s));
	for (i = 0; i < n; i++)
		z->cdf[i] /= sum;
	z->cdf[n - 1] = 1.0;
	for (i = 0; i < n; i++)
		while (b <= GUIDE && z->cdf[i] >= (double)b / GUIDE)
			z->guide[b++] = i;
	while (b <= GUIDE)
		z->guide[b++] = n - 1;
}

/* Rank in [0, n): the first i with cdf[i] > u. */
static uint32_t
zipf_pick(struct gen *g, const struct zipf *z)
{
	double		 u = unit(g);
	uint32_t	 b = (uint32_t)(u * GUIDE);
	uint32_t	 lo = z->guide[b];
	uint32_t	 hi = z->guide[b + 1];

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (z->cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < z->n ? lo : z->n - 1;
}

static const char *const first_names[] = {
	"anna", "ben", "carla", "david", "emma", "felix", "greta", "hans",
	"ines", "jan", "karin", "lukas", "maria", "nils", "olga", "paul",
	"rita", "sven", "tina", "uwe", "vera", "walter", "yvonne", "zoe",
	"alice", "bob", "chris", "diane", "eric", "fiona", "george", "helen",
	"ivan", "julia", "kevin", "laura", "mike", "nina", "oscar", "petra",
	"quinn", "robert", "sarah", "tom", "ursula", "victor", "wendy",
	"xavier", "jose", "lucia", "pierre", "sophie", "marco", "giulia",
	"ahmet", "elif", "piotr", "agnieszka", "lars", "ingrid", "james",
	"linda", "john", "mary",
};

static const char *const last_names[] = {
	"mueller", "schmidt", "schneider", "fischer", "weber", "meyer",
	"wagner", "becker", "schulz", "hoffmann", "koch", "richter", "klein",
	"wolf", "neumann", "schwarz", "braun", "zimmermann", "krueger",
	"hartmann", "lange", "werner", "krause", "lehmann", "koehler", "smith",
	"johnson", "williams", "brown", "jones", "miller", "davis", "wilson",
	"taylor", "white", "martin", "thompson", "garcia", "martinez", "lopez",
	"rossi", "russo", "ferrari", "dubois", "moreau", "laurent", "nowak",
	"kowalski", "yilmaz", "kaya", "hansen", "nielsen", "jensen", "berg",
	"novak", "horvat", "silva", "santos", "costa", "ward", "ward", "reed",
	"cook", "bell", "murphy", "bailey", "cooper", "howard", "gray",
};

static const char *const words[] = {
	"alpha", "birch", "cedar", "delta", "ember", "fjord", "granite",
	"harbor", "iris", "juniper", "kestrel", "lumen", "maple", "nordic",
	"orchid", "pioneer", "quarry", "riverside", "summit", "tundra",
	"unity", "valley", "willow", "zenith", "atlas", "beacon", "canyon",
	"dune", "echo", "falcon", "glacier", "horizon", "island", "jade",
	"keystone", "lagoon", "meadow", "nova", "oak", "prairie", "ridge",
	"sierra", "timber", "vista", "bakery", "clinic", "dental", "garage",
	"hotel", "law", "studio", "school", "farm", "print", "travel",
};

static const char *const ghost_names[] = {
	"info", "admin", "sales", "support", "webmaster", "postmaster",
	"contact", "office", "test", "billing", "marketing", "hr", "jobs",
	"news", "service", "help", "mail", "root", "user", "accounts",
	"abuse", "noreply", "newsletter", "kontakt", "team", "hello",
	"finance", "orders", "shop", "web", "backup", "demo", "guest",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A random local part in one of the usual shapes. */
static size_t
make_local(struct gen *g, char *b)
{
	const char	*f = first_names[below(g, NELEM(first_names))];
	const char	*l = last_names[below(g, NELEM(last_names))];

	switch (below(g, 7)) {
	case 0:
		return (size_t)sprintf(b, "%s.%s", f, l);
	case 1:
		return (size_t)sprintf(b, "%c%s", f[0], l);
	case 2:
		return (size_t)sprintf(b, "%s%s", f, l);
	case 3:
		return (size_t)sprintf(b, "%s_%s", f, l);
	case 4:
		return (size_t)sprintf(b, "%c%s%u", f[0], l, below(g, 99) + 1);
	case 5:
		return (size_t)sprintf(b, "%s%u", f, below(g, 9000) + 10);
	default:
		return (size_t)sprintf(b, "%c.%s", f[0], l);
	}
}

/* Open-addressing set of FNV-1a hashes, to keep mailboxes distinct. */
static int
seen(uint64_t *set, size_t mask, const char *s, size_t n)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	h |= 1;
	for (i = h & mask; set[i] != 0; i = (i + 1) & mask)
		if (set[i] == h)
			return 1;
	set[i] = h;
	return 0;
}

static uint32_t *
subset(struct gen *g, uint64_t salt, uint32_t ppm, int pop_only,
    uint32_t *n)
{
	uint32_t	*v = xmalloc(g->nusers * sizeof(*v)), i;

	*n = 0;
	for (i = 0; i < g->nusers; i++) {
		if (pop_only && !g->users[i].pop)
			continue;
		if (mix64(g->rs ^ salt ^ i) % 1000000 < ppm)
			v[(*n)++] = i;
	}
	if (*n == 0)
		v[(*n)++] = 0;
	return v;
}

static uint32_t
public_ip(struct gen *g)
{
	static const uint8_t	 first[] = { 23, 37, 46, 62, 77, 78, 80, 81,
		85, 87, 91, 93, 95, 104, 109, 141, 151, 176, 185, 188, 194,
		195, 203, 209, 212, 213, 216, 217 };

	return (uint32_t)first[below(g, sizeof(first))] << 24 |
	    (uint32_t)(rnd(g) & 0xffffff);
}

static void
users_init(struct gen *g)
{
	size_t		 cap = 1, len;
	uint64_t	*set;
	uint32_t	 i, d;
	char		 b[160];

	while (cap < (size_t)g->nusers * 2)
		cap <<= 1;
	set = calloc(cap, sizeof(*set));
	g->users = xmalloc(g->nusers * sizeof(*g->users));
	for (i = 0; i < g->nusers; i++) {
		d = below(g, 100) < 85 ? 0 : 1 + below(g, 40);
		do {
			len = make_local(g, b);
			if (below(g, 4) == 0 || g->nusers > 200000)
				len += (size_t)sprintf(b + len, "%u",
				    below(g, 1000));
			len += (size_t)sprintf(b + len, "@%s",
			    g->arena + g->domains[d].off);
		} while (seen(set, cap - 1, b, len));
		g->users[i].addr = intern(g, b, len);
		g->users[i].local_len = (uint32_t)(strchr(b, '@') - b);
		g->users[i].home_ip = public_ip(g);
		g->users[i].pop = below(g, 100) < 42;
	}
	free(set);
	g->overquota = subset(g, 0x1111, 15000, 0, &g->noverquota);
	g->lockers = subset(g, 0x2222, 30000, 1, &g->nlockers);
	g->stale = subset(g, 0x3333, 5000, 0, &g->nstale);
	g->legacy = subset(g, 0x4444, 30000, 0, &g->nlegacy);
}

static void
ghosts_init(struct gen *g)
{
	uint32_t	 i, j, n;
	char		 b[64];

	g->nghosts = 20000;
	g->ghosts = xmalloc(g->nghosts * sizeof(*g->ghosts));
	for (i = 0; i < NELEM(ghost_names); i++)
		g->ghosts[i] = intern(g, ghost_names[i], strlen(ghost_names[i]));
	for (; i < g->nghosts; i++) {
		if (below(g, 3) == 0) {
			n = 5 + below(g, 6);
			for (j = 0; j < n; j++)
				b[j] = alnum[below(g, 26 + (j ? 10 : 0))];
		} else {
			n = (uint32_t)make_local(g, b);
			n += (uint32_t)sprintf(b + n, "%u", 1000 + below(g, 9000));
		}
		g->ghosts[i] = intern(g, b, n);
	}
}

static void
client_make(struct gen *g, struct client *c, const struct str *dom,
    int spam)
{
	char		 b[128];
	size_t		 n;
	uint32_t	 ip = public_ip(g);

	c->ip = ip;
	if (below(g, 100) < (spam ? 70 : 12))
		c->name = intern(g, "unknown", 7);
	else if (spam) {
		n = (size_t)sprintf(b, "dyn-%u-%u-%u-%u.cust.%s", ip >> 24,
		    ip >> 16 & 255, ip >> 8 & 255, ip & 255,
		    g->arena + dom->off);
		c->name = intern(g, b, n);
	} else {
		n = (size_t)sprintf(b, "%s%u.%s",
		    below(g, 2) ? "mail" : "mta", below(g, 60) + 1,
		    g->arena + dom->off);
		c->name = intern(g, b, n);
	}
	if (spam && below(g, 2)) {
		n = (size_t)sprintf(b, "WIN-%c%c%c%c%c%c%c%c",
		    hexu[below(g, 16)], alnum[below(g, 26)] - 32,
		    hexu[below(g, 16)], alnum[below(g, 26)] - 32,
		    hexu[below(g, 16)], alnum[below(g, 26)] - 32,
		    hexu[below(g, 16)], alnum[below(g, 26)] - 32);
		c->helo = intern(g, b, n);
	} else if (c->name.len == 7) {
		n = (size_t)sprintf(b, "[%u.%u.%u.%u]", ip >> 24,
		    ip >> 16 & 255, ip >> 8 & 255, ip & 255);
		c->helo = intern(g, b, n);
	} else
		c->helo = c->name;
}

static void
pools_init(struct gen *g)
{
	char		 b[128];
	uint32_t	 i;
	size_t		 n;

	g->domains[0] = intern(g, "example.net", 11);
	for (i = 1; i <= 40; i++) {
		n = (size_t)sprintf(b, "%s-%s.example", words[(i * 7) %
		    NELEM(words)], words[(i * 13 + 5) % NELEM(words)]);
		g->domains[i] = intern(g, b, n);
	}
	g->nremotes = 400;
	g->remotes = xmalloc(g->nremotes * sizeof(*g->remotes));
	g->remote_ip = xmalloc(g->nremotes * sizeof(*g->remote_ip));
	for (i = 0; i < g->nremotes; i++) {
		n = (size_t)sprintf(b, "%s%s.%s", words[below(g, NELEM(words))],
		    words[below(g, NELEM(words))],
		    i % 3 == 0 ? "example.com" : i % 3 == 1 ? "example.org" :
		    "test");
		if (i < 6)
			n = (size_t)sprintf(b, "%s.example.com", (const char *[])
			    { "freemail", "webpost", "mailbox", "inboxly",
			    "postbox", "netmail" }[i]);
		g->remotes[i] = intern(g, b, n);
		g->remote_ip[i] = public_ip(g);
	}
	g->nsenders = 30000;
	g->senders = xmalloc(g->nsenders * sizeof(*g->senders));
	for (i = 0; i < g->nsenders; i++) {
		n = make_local(g, b);
		g->senders[i] = intern(g, b, n);
	}
	g->nclients = 3000;
	g->clients = xmalloc(g->nclients * sizeof(*g->clients));
	for (i = 0; i < g->nclients; i++)
		client_make(g, &g->clients[i], &g->remotes[i % g->nremotes], 0);
	g->nspammers = 6000;
	g->spammers = xmalloc(g->nspammers * sizeof(*g->spammers));
	for (i = 0; i < g->nspammers; i++)
		client_make(g, &g->spammers[i],
		    &g->remotes[below(g, g->nremotes)], 1);
}

static void
pids_init(struct gen *g)
{
	struct hostpids	*h;
	unsigned	 i, j;

	for (i = 0; i < H__N; i++) {
		h = &g->pids[i];
		h->next = 100000 + below(g, 800000);
		h->qmgr = 1000 + below(g, 5000);
		h->bounce = 100000 + below(g, 800000);
		for (j = 0; j < 4; j++) {
			h->cleanup[j] = 100000 + below(g, 800000);
			h->auth[j] = 1000 + below(g, 90000);
		}
		for (j = 0; j < 8; j++)
			h->deliver[j] = 100000 + below(g, 800000);
	}
}

/* The cumulative share of the day's lines by second. */
static void
clock_init(struct gen *g, const char *date)
{
	double		 sum = 0, h, d;
	uint32_t	 s;

	g->cdf = xmalloc((DAY + 1) * sizeof(*g->cdf));
	g->cdf[0] = 0;
	for (s = 0; s < DAY; s++) {
		h = (double)s / 3600.0;
		d = 0.10 + 0.95 * exp(-pow((h - 10.5) / 2.8, 2)) +
		    0.80 * exp(-pow((h - 20.0) / 2.2, 2)) +
		    0.35 * exp(-pow((h - 14.5) / 2.0, 2));
		g->cdf[s + 1] = (sum += d);
	}
	for (s = 1; s <= DAY; s++)
		g->cdf[s] /= sum;
	g->date_len = strlen(date);
	memcpy(g->stamp, date, g->date_len);
	memcpy(g->stamp + g->date_len, " 00:00:00 ", 10);
	g->stamp_len = g->date_len + 10;
	g->sec = 0;
}

/* ---- formatting ---------------------------------------------------- */

static inline char *
put(char *w, const char *s, size_t n)
{
	memcpy(w, s, n);
	return w + n;
}

#define PUTL(w, lit)	put((w), (lit), sizeof(lit) - 1)

static inline char *
put_s(const struct gen *g, char *w, struct str s)
{
	return put(w, g->arena + s.off, s.len);
}

static inline char *
put_u(char *w, uint64_t v)
{
	char	 t[20], *e = t + sizeof(t), *p = e;

	while (v >= 100) {
		p -= 2;
		memcpy(p, digits2 + (v % 100) * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, digits2 + v * 2, 2);
	} else
		*--p = (char)('0' + v);
	return put(w, p, (size_t)(e - p));
}

static inline char *
put_ip(char *w, uint32_t ip)
{
	w = put_u(w, ip >> 24);
	*w++ = '.';
	w = put_u(w, ip >> 16 & 255);
	*w++ = '.';
	w = put_u(w, ip >> 8 & 255);
	*w++ = '.';
	return put_u(w, ip & 255);
}

/* Hundredths as Postfix prints delays: "0", "0.04", "1.2", "12". */
static inline char *
put_cs(char *w, uint32_t cs)
{
	if (cs == 0)
		return PUTL(w, "0");
	if (cs >= 1000)
		return put_u(w, cs / 100);
	w = put_u(w, cs / 100);
	*w++ = '.';
	if (cs >= 100) {
		*w++ = (char)('0' + cs / 10 % 10);
		return w;
	}
	return put(w, digits2 + (cs % 100) * 2, 2);
}

static inline char *
put_qid(char *w, uint64_t q)
{
	int	 i;

	for (i = 0; i < 11; i++, q >>= 4)
		w[i] = hexu[q & 15];
	return w + 11;
}

/* n base64 characters from two 64-bit words. */
static inline char *
put_b64(char *w, uint64_t a, uint64_t b, int n)
{
	int	 i;

	for (i = 0; i < n; i++) {
		if (i == 10)
			a = b;
		w[i] = b64[a & 63];
		a >>= 6;
	}
	return w + n;
}

/* ---- output -------------------------------------------------------- */

static void
flush(struct gen *g)
{
	size_t	 n = (size_t)(g->w - g->buf);

	if (n && fwrite(g->buf, 1, n, stdout) != n) {
		fprintf(stderr, "mxgen: write error: %s\n", strerror(errno));
		exit(1);
	}
	g->flushed += n;
	g->w = g->buf;
}

/*
 * As many sessions are open as about SESSION_SECS seconds of lines at the
 * current rate, so a session spans seconds at night and at peak alike.
 */
#define SESSION_SECS	10.0

static void
set_active(struct gen *g)
{
	double	 rate = g->est_lines * (g->cdf[g->sec + 1] - g->cdf[g->sec]);
	double	 n = rate * SESSION_SECS;

	g->active = n < 8 ? 8 : n > NSLOTS ? NSLOTS : (uint32_t)n;
	if (g->high < g->active)
		g->high = g->active;
}

/* Moves the clock to where the output is, and opens a line. */
static char *
begin(struct gen *g, enum host h, const char *prog, size_t plen,
    uint32_t pid)
{
	double	 f;
	uint32_t s = g->sec;
	char	*w, *t;

	if (!g->discard) {
		f = (double)(g->flushed + (uint64_t)(g->w - g->buf)) /
		    (double)g->limit;
		while (s < DAY - 1 && g->cdf[s + 1] <= f)
			s++;
		if (s != g->sec) {
			g->sec = s;
			t = g->stamp + g->date_len + 1;
			memcpy(t, digits2 + s / 3600 * 2, 2);
			memcpy(t + 3, digits2 + s / 60 % 60 * 2, 2);
			memcpy(t + 6, digits2 + s % 60 * 2, 2);
			set_active(g);
		}
	}
	g->line = w = g->w;
	w = put(w, g->stamp, g->stamp_len);
	w = put(w, host_name[h], strlen(host_name[h]));
	*w++ = ' ';
	w = put(w, prog, plen);
	if (pid) {
		*w++ = '[';
		w = put_u(w, pid);
		*w++ = ']';
	}
	*w++ = ':';
	*w++ = ' ';
	return w;
}

#define BEGIN(g, h, prog, pid)	begin((g), (h), (prog), sizeof(prog) - 1, (pid))

/* Closes the line at w; keeps it unless it would pass SIZE. */
static void
end(struct gen *g, char *w, enum kind k)
{
	*w++ = '\n';
	if (g->discard)
		return;
	if (g->flushed + (uint64_t)(w - g->buf) > g->limit) {
		g->full = 1;
		return;
	}
	g->w = w;
	g->lines++;
	g->count[k]++;
	g->errlines += k != K_OK;
	if ((size_t)(g->w - g->buf) > OUT_BUF - OUT_SLACK)
		flush(g);
}

/* ---- line pieces --------------------------------------------------- */

static inline const struct client *
client_of(const struct gen *g, const struct txn *t)
{
	return t->type == T_REJ || t->type == T_SASL ?
	    &g->spammers[t->client] : &g->clients[t->client];
}

static char *
put_client(const struct gen *g, char *w, const struct client *c)
{
	w = put_s(g, w, c->name);
	*w++ = '[';
	w = put_ip(w, c->ip);
	*w++ = ']';
	return w;
}

/* The envelope sender: a remote address or the null sender. */
static char *
put_sender(const struct gen *g, char *w, const struct txn *t)
{
	if (t->aux == UINT32_MAX)
		return w;
	w = put_s(g, w, g->senders[t->aux % g->nsenders]);
	*w++ = '@';
	return put_s(g, w, g->remotes[t->aux % g->nremotes]);
}

/* The remote recipient of an outbound message. */
static char *
put_remote_rcpt(const struct gen *g, char *w, const struct txn *t)
{
	uint32_t	 r = t->aux * 2654435761u;

	w = put_s(g, w, g->senders[r % g->nsenders]);
	*w++ = '@';
	return put_s(g, w, g->remotes[t->aux % g->nremotes]);
}

static inline char *
put_user(const struct gen *g, char *w, uint32_t u)
{
	return put_s(g, w, g->users[u].addr);
}

static inline char *
put_local(const struct gen *g, char *w, uint32_t u)
{
	return put(w, g->arena + g->users[u].addr.off, g->users[u].local_len);
}

static inline enum host
store_of(uint32_t u)
{
	return (enum host)(H_STORE1 + u % 4);
}

static char *
put_mid(const struct gen *g, char *w, const struct txn *t)
{
	uint64_t	 m = t->mid;
	int		 i;

	uint32_t	 sec = (uint32_t)(m & 0x1ffff) % DAY;

	*w++ = '<';
	w = PUTL(w, "20261121");
	w = put(w, digits2 + sec / 3600 * 2, 2);
	w = put(w, digits2 + sec / 60 % 60 * 2, 2);
	w = put(w, digits2 + sec % 60 * 2, 2);
	*w++ = '.';
	for (i = 0, m >>= 20; i < 10; i++, m >>= 4)
		*w++ = hexu[m & 15];
	*w++ = '@';
	if (t->type == T_SUB)
		w = PUTL(w, "mail.example.net");
	else
		w = put_s(g, w, g->remotes[t->aux % g->nremotes]);
	*w++ = '>';
	return w;
}

static char *
put_store_relay(char *w, enum host s)
{
	w = PUTL(w, "store");
	*w++ = (char)('1' + s - H_STORE1);
	w = PUTL(w, ".int.example.net[10.10.1.1");
	*w++ = (char)('1' + s - H_STORE1);
	*w++ = ']';
	return w;
}

static char *
put_delays(struct gen *g, char *w, uint32_t conn_cs)
{
	uint32_t	 a = below(g, 120), b = below(g, 3), c = conn_cs;
	uint32_t	 d = 1 + below(g, 60);

	w = PUTL(w, "delay=");
	w = put_cs(w, a + b + c + d);
	w = PUTL(w, ", delays=");
	w = put_cs(w, a);
	*w++ = '/';
	w = put_cs(w, b);
	*w++ = '/';
	w = put_cs(w, c);
	*w++ = '/';
	return put_cs(w, d);
}

static char *
put_rip_lip(const struct gen *g, char *w, const struct txn *t)
{
	w = PUTL(w, "rip=");
	w = put_ip(w, t->client ? t->client : g->users[t->user].home_ip);
	w = PUTL(w, ", lip=10.10.1.1");
	*w++ = (char)('1' + t->host - H_STORE1);
	return w;
}

/* ---- Postfix ------------------------------------------------------- */

static void
pf_connect(struct gen *g, const struct txn *t, int disc)
{
	const struct client	*c = client_of(g, t);
	const char		*prog = t->host >= H_SMTP1 ?
	    "postfix/submission/smtpd" : "postfix/smtpd";
	char			*w;

	w = begin(g, (enum host)t->host, prog, strlen(prog), t->pid);
	w = disc ? PUTL(w, "disconnect from ") : PUTL(w, "connect from ");
	w = put_client(g, w, c);
	if (disc) {
		switch (t->type) {
		case T_REJ:
			w = t->variant == V_STORAGE ?
			    PUTL(w, " ehlo=1 mail=0/1 quit=1 commands=2/3") :
			    PUTL(w, " ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4");
			break;
		case T_SASL:
			w = PUTL(w, " ehlo=1 auth=0/");
			w = put_u(w, t->n);
			w = PUTL(w, " quit=1 commands=2/");
			w = put_u(w, 2u + t->n);
			break;
		case T_SUB:
			w = PUTL(w, " ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 "
			    "data=1 quit=1 commands=8");
			break;
		default:
			w = PUTL(w, " ehlo=1 mail=1 rcpt=1 data=1 quit=1 "
			    "commands=5");
		}
	}
	end(g, w, K_OK);
}

static void
pf_client(struct gen *g, const struct txn *t)
{
	const char	*prog = t->host >= H_SMTP1 ?
	    "postfix/submission/smtpd" : "postfix/smtpd";
	char		*w;

	w = begin(g, (enum host)t->host, prog, strlen(prog), t->pid);
	w = put_qid(w, t->qid);
	w = PUTL(w, ": client=");
	w = put_client(g, w, client_of(g, t));
	if (t->type == T_SUB) {
		w = PUTL(w, ", sasl_method=PLAIN, sasl_username=");
		w = put_user(g, w, t->user);
	}
	end(g, w, K_OK);
}

static void
pf_cleanup(struct gen *g, const struct txn *t)
{
	struct hostpids	*hp = &g->pids[t->host];
	char		*w;

	w = BEGIN(g, (enum host)t->host, "postfix/cleanup",
	    hp->cleanup[t->qid >> 60 & 3]);
	w = put_qid(w, t->qid);
	w = PUTL(w, ": message-id=");
	w = put_mid(g, w, t);
	end(g, w, K_OK);
}

static void
pf_qmgr_from(struct gen *g, const struct txn *t)
{
	char	*w;

	w = BEGIN(g, (enum host)t->host, "postfix/qmgr",
	    g->pids[t->host].qmgr);
	w = put_qid(w, t->qid);
	w = PUTL(w, ": from=<");
	w = t->type == T_SUB ? put_user(g, w, t->user) : put_sender(g, w, t);
	w = PUTL(w, ">, size=");
	w = put_u(w, t->size);
	w = PUTL(w, ", nrcpt=1 (queue active)");
	end(g, w, K_OK);
}

static void
pf_removed(struct gen *g, const struct txn *t)
{
	char	*w;

	w = BEGIN(g, (enum host)t->host, "postfix/qmgr",
	    g->pids[t->host].qmgr);
	w = put_qid(w, t->qid);
	w = PUTL(w, ": removed");
	end(g, w, K_OK);
}

static const char reject_grey[] = "Recipient address rejected: Greylisted, "
	"see http://postgrey.schweikert.ch/help/example.net.html; from=<";

/* NOQUEUE: reject ... in the layout of smtpd_check.c. */
static void
pf_reject(struct gen *g, const struct txn *t)
{
	const struct client	*c = &g->spammers[t->client];
	enum kind		 k = K_REJ_UNKNOWN;
	char			*w;

	w = BEGIN(g, (enum host)t->host, "postfix/smtpd", t->pid);
	w = t->variant == V_STORAGE ? PUTL(w, "NOQUEUE: reject: MAIL from ") :
	    PUTL(w, "NOQUEUE: reject: RCPT from ");
	w = put_client(g, w, c);
	switch (t->variant) {
	case V_STORAGE:
		k = K_REJ_STORAGE;
		w = PUTL(w, ": 452 4.3.1 Insufficient system storage; from=<");
		w = put_sender(g, w, t);
		w = PUTL(w, "> proto=ESMTP helo=<");
		w = put_s(g, w, c->helo);
		*w++ = '>';
		end(g, w, k);
		return;
	case V_RBL:
		k = K_REJ_RBL;
		w = PUTL(w, ": 554 5.7.1 Service unavailable; Client host [");
		w = put_ip(w, c->ip);
		w = PUTL(w, "] blocked using zen.spamhaus.org;");
		if (t->n & 1) {
			w = PUTL(w, " https://www.spamhaus.org/query/ip/");
			w = put_ip(w, c->ip);
			*w++ = ';';
		}
		w = PUTL(w, " from=<");
		break;
	case V_RELAY:
		k = K_REJ_RELAY;
		w = PUTL(w, ": 554 5.7.1 <");
		w = put_remote_rcpt(g, w, t);
		w = PUTL(w, ">: Relay access denied; from=<");
		break;
	default:
		w = t->variant == V_GREY ? PUTL(w, ": 450 4.2.0 <") :
		    PUTL(w, ": 550 5.1.1 <");
		if (t->variant == V_GREY)
			w = put_user(g, w, t->user);
		else {
			w = put_s(g, w, g->ghosts[t->user]);
			w = PUTL(w, "@example.net");
		}
		if (t->variant == V_GREY) {
			k = K_REJ_GREY;
			w = PUTL(w, ">: ");
			w = put(w, reject_grey, sizeof(reject_grey) - 1);
		} else
			w = PUTL(w, ">: Recipient address rejected: User unknown "
			    "in virtual mailbox table; from=<");
	}
	w = put_sender(g, w, t);
	w = PUTL(w, "> to=<");
	if (t->variant == V_RELAY)
		w = put_remote_rcpt(g, w, t);
	else if (t->variant == V_UNKNOWN) {
		w = put_s(g, w, g->ghosts[t->user]);
		w = PUTL(w, "@example.net");
	} else
		w = put_user(g, w, t->user);
	w = PUTL(w, "> proto=ESMTP helo=<");
	w = put_s(g, w, c->helo);
	*w++ = '>';
	end(g, w, k);
}

static void
pf_nospace_warning(struct gen *g, const struct txn *t)
{
	char	*w;

	w = BEGIN(g, (enum host)t->host, "postfix/smtpd", t->pid);
	w = PUTL(w, "warning: not enough free space in mail queue: ");
	w = put_u(w, 1000000u + (uint32_t)(t->qid & 0xfffffff));
	w = PUTL(w, " bytes < 1.5*message size limit");
	end(g, w, K_OK);
}

static void
pf_sasl(struct gen *g, const struct txn *t)
{
	const struct client	*c = &g->spammers[t->client];
	char			*w;

	w = BEGIN(g, (enum host)t->host, "postfix/submission/smtpd", t->pid);
	w = PUTL(w, "warning: ");
	w = put_client(g, w, c);
	w = PUTL(w, ": SASL LOGIN authentication failed: UGFzc3dvcmQ6, "
	    "sasl_username=");
	if (t->variant == V_AUTH_UNKNOWN) {
		w = put_s(g, w, g->ghosts[t->user]);
		w = PUTL(w, "@example.net");
	} else
		w = put_user(g, w, t->user);
	end(g, w, K_SASL);
}

/* Final status of an inbound delivery over LMTP. */
static void
pf_lmtp(struct gen *g, const struct txn *t, enum host st)
{
	char	*w;

	w = BEGIN(g, (enum host)t->host, "postfix/lmtp",
	    g->pids[t->host].deliver[t->qid >> 56 & 7]);
	w = put_qid(w, t->qid);
	w = PUTL(w, ": to=<");
	w = put_user(g, w, t->user);
	w = PUTL(w, ">, relay=");
	w = put_store_relay(w, st);
	w = PUTL(w, ":24, ");
	w = put_delays(g, w, below(g, 3));
	switch (t->variant) {
	case V_QUOTA:
		w = PUTL(w, ", dsn=4.2.2, status=deferred (host ");
		w = put_store_relay(w, st);
		w = PUTL(w, " said: 452 4.2.2 <");
		w = put_user(g, w, t->user);
		w = PUTL(w, "> Quota exceeded (mailbox for user is full) "
		    "(in reply to end of DATA command))");
		end(g, w, K_LMTP_QUOTA);
		return;
	case V_STORAGE:
		w = PUTL(w, ", dsn=4.3.0, status=deferred (host ");
		w = put_store_relay(w, st);
		w = PUTL(w, " said: 451 4.3.0 <");
		w = put_user(g, w, t->user);
		w = PUTL(w, "> Temporary internal error "
		    "(in reply to end of DATA command))");
		end(g, w, K_LMTP_451);
		return;
	default:
		w = PUTL(w, ", dsn=2.0.0, status=sent (250 2.0.0 <");
		w = put_user(g, w, t->user);
		w = PUTL(w, "> ");
		w = put_b64(w, t->sess, t->mid, 22);
		w = PUTL(w, " Saved)");
		end(g, w, K_OK);
	}
}

/* Final status of an outbound delivery over SMTP. */
static void
pf_smtp(struct gen *g, const struct txn *t)
{
	uint32_t	 d = t->aux % g->nremotes;
	char		*w;

	w = BEGIN(g, (enum host)t->host, "postfix/smtp",
	    g->pids[t->host].deliver[t->qid >> 56 & 7]);
	w = put_qid(w, t->qid);
	w = PUTL(w, ": to=<");
	w = put_remote_rcpt(g, w, t);
	if (t->variant == V_TIMEOUT) {
		w = PUTL(w, ">, relay=none, ");
		w = put_delays(g, w, 3000);
		w = PUTL(w, ", dsn=4.4.1, status=deferred (connect to mx.");
		w = put_s(g, w, g->remotes[d]);
		*w++ = '[';
		w = put_ip(w, g->remote_ip[d]);
		w = PUTL(w, "]:25: Connection timed out)");
		end(g, w, K_SMTP_TIMEOUT);
		return;
	}
	w = PUTL(w, ">, relay=mx.");
	w = put_s(g, w, g->remotes[d]);
	*w++ = '[';
	w = put_ip(w, g->remote_ip[d]);
	w = PUTL(w, "]:25, ");
	w = put_delays(g, w, 5 + below(g, 80));
	if (t->variant == V_BOUNCE) {
		w = PUTL(w, ", dsn=5.2.2, status=bounced (host mx.");
		w = put_s(g, w, g->remotes[d]);
		*w++ = '[';
		w = put_ip(w, g->remote_ip[d]);
		w = PUTL(w, "] said: 552 5.2.2 <");
		w = put_remote_rcpt(g, w, t);
		w = PUTL(w, ">: Mailbox full (in reply to RCPT TO command))");
		end(g, w, K_SMTP_BOUNCE);
		return;
	}
	w = PUTL(w, ", dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ");
	w = put_qid(w, t->mid);
	*w++ = ')';
	end(g, w, K_OK);
}

static void
pf_bounce(struct gen *g, const struct txn *t)
{
	char	*w;

	w = BEGIN(g, (enum host)t->host, "postfix/bounce",
	    g->pids[t->host].bounce);
	w = put_qid(w, t->qid);
	w = PUTL(w, ": sender non-delivery notification: ");
	w = put_qid(w, t->qid * 0x9e3779b97f4a7c15ULL);
	end(g, w, K_OK);
}

/* ---- Dovecot ------------------------------------------------------- */

static void
dv_lmtp(struct gen *g, const struct txn *t, enum host st)
{
	char	*w;

	w = BEGIN(g, st, "dovecot", 0);
	w = PUTL(w, "lmtp(");
	w = put_user(g, w, t->user);
	w = PUTL(w, ")<");
	w = put_u(w, t->pid ^ 0x5a5a);
	*w++ = '>';
	*w++ = '<';
	w = put_b64(w, t->sess, t->mid, 22);
	w = PUTL(w, ">: ");
	if (t->variant == V_STORAGE) {
		const struct user *u = &g->users[t->user];

		w = PUTL(w, "Error: open(/var/vmail/");
		w = put(w, g->arena + u->addr.off + u->local_len + 1,
		    u->addr.len - u->local_len - 1);
		*w++ = '/';
		w = put_local(g, w, t->user);
		w = PUTL(w, "/Maildir/tmp/");
		w = put_u(w, 1795737600u + g->sec);
		w = PUTL(w, ".M");
		w = put_u(w, t->size);
		w = PUTL(w, "P");
		w = put_u(w, t->pid ^ 0x5a5a);
		w = PUTL(w, ".store3) failed: No space left on device");
		end(g, w, K_DOV_NOSPACE);
		return;
	}
	w = PUTL(w, "msgid=");
	w = put_mid(g, w, t);
	if (t->variant == V_QUOTA) {
		w = PUTL(w, ": save failed to INBOX: Quota exceeded "
		    "(mailbox for user is full)");
		end(g, w, K_DOV_LMTP_QUOTA);
	} else {
		w = PUTL(w, ": saved mail to INBOX");
		end(g, w, K_OK);
	}
}

/* The login a client gave: a mailbox, or a guessed non-existent one. */
static char *
put_login(const struct gen *g, char *w, const struct txn *t)
{
	if (t->variant != V_AUTH_UNKNOWN)
		return put_user(g, w, t->user);
	w = put_s(g, w, g->ghosts[t->aux]);
	return PUTL(w, "@example.net");
}

static char *
dv_login_tail(const struct gen *g, char *w, const struct txn *t, int mpid)
{
	w = PUTL(w, "user=<");
	w = put_login(g, w, t);
	w = PUTL(w, ">, method=PLAIN, ");
	w = put_rip_lip(g, w, t);
	if (mpid) {
		w = PUTL(w, ", mpid=");
		w = put_u(w, t->pid);
	}
	if (t->n & 0x80)
		w = PUTL(w, ", TLS");
	w = PUTL(w, ", session=<");
	return put_b64(w, t->sess, mix64(t->sess), 16);
}

static void
dv_login(struct gen *g, const struct txn *t)
{
	char	*w;

	w = BEGIN(g, (enum host)t->host, "dovecot", 0);
	w = t->type == T_POP ? PUTL(w, "pop3-login: Login: ") :
	    PUTL(w, "imap-login: Login: ");
	w = dv_login_tail(g, w, t, 1);
	*w++ = '>';
	end(g, w, K_OK);
}

static void
dv_auth_worker(struct gen *g, const struct txn *t)
{
	char	*w;

	w = BEGIN(g, (enum host)t->host, "dovecot", 0);
	w = PUTL(w, "auth-worker(");
	w = put_u(w, g->pids[t->host].auth[t->sess & 3]);
	w = PUTL(w, "): sql(");
	w = put_login(g, w, t);
	*w++ = ',';
	w = put_ip(w, t->client ? t->client : g->users[t->user].home_ip);
	w = PUTL(w, ",<");
	w = put_b64(w, t->sess, mix64(t->sess), 16);
	if (t->variant == V_AUTH_UNKNOWN) {
		w = PUTL(w, ">): unknown user");
		end(g, w, K_DOV_UNKNOWN);
	} else {
		w = PUTL(w, ">): Password mismatch");
		end(g, w, K_DOV_MISMATCH);
	}
}

static void
dv_auth_failed(struct gen *g, const struct txn *t)
{
	char	*w;

	w = BEGIN(g, (enum host)t->host, "dovecot", 0);
	w = PUTL(w, "pop3-login: Disconnected (auth failed, ");
	w = put_u(w, t->n & 0x7f);
	w = PUTL(w, " attempts in ");
	w = put_u(w, 2u + (t->n & 0x7f) * 2u + (uint32_t)(t->sess >> 60));
	w = PUTL(w, " secs): ");
	w = dv_login_tail(g, w, t, 0);
	*w++ = '>';
	end(g, w, K_DOV_POP3_AUTH);
}

static char *
dv_session_prefix(const struct gen *g, char *w, const struct txn *t)
{
	w = t->type == T_POP ? PUTL(w, "pop3(") : PUTL(w, "imap(");
	w = put_user(g, w, t->user);
	w = PUTL(w, ")<");
	w = put_u(w, t->pid);
	w = PUTL(w, "><");
	w = put_b64(w, t->sess, mix64(t->sess), 16);
	return PUTL(w, ">: ");
}

static void
dv_logout(struct gen *g, const struct txn *t)
{
	uint32_t	 n = t->n & 0x7, b = t->size;
	char		*w;

	w = BEGIN(g, (enum host)t->host, "dovecot", 0);
	w = dv_session_prefix(g, w, t);
	if (t->type == T_IMAP) {
		w = PUTL(w, "Logged out in=");
		w = put_u(w, 40 + (t->size & 0x3fff));
		w = PUTL(w, " out=");
		w = put_u(w, 300 + t->size);
		w = PUTL(w, " deleted=");
		w = put_u(w, n / 2);
		w = PUTL(w, " expunged=");
		w = put_u(w, n / 2);
		w = PUTL(w, " trashed=0 hdr_count=");
		w = put_u(w, n * 3);
		w = PUTL(w, " hdr_bytes=");
		w = put_u(w, n * 2100);
		w = PUTL(w, " body_count=");
		w = put_u(w, n);
		w = PUTL(w, " body_bytes=");
		w = put_u(w, n ? b : 0);
		end(g, w, K_OK);
		return;
	}
	if (t->variant == V_LOCK) {
		w = PUTL(w, "Disconnected: Couldn't lock POP3 session "
		    "top=0/0, retr=0/0, del=0/0, size=0");
		end(g, w, K_DOV_POP3_LOCK);
		return;
	}
	w = PUTL(w, "Disconnected: Logged out top=0/0, retr=");
	w = put_u(w, n);
	*w++ = '/';
	w = put_u(w, n ? b : 0);
	w = PUTL(w, ", del=");
	w = put_u(w, n);
	*w++ = '/';
	w = put_u(w, n + (t->size & 3));
	w = PUTL(w, ", size=");
	w = put_u(w, n ? b + (t->size & 3) * 4000u : (t->size & 3) * 4000u);
	end(g, w, K_OK);
}

/* ---- Qpopper ------------------------------------------------------- */

static char *
qp_who(const struct gen *g, char *w, const struct txn *t)
{
	uint32_t	 ip = g->users[t->user].home_ip;

	w = put_local(g, w, t->user);
	w = PUTL(w, " at dyn-");
	w = put_u(w, ip >> 24);
	*w++ = '-';
	w = put_u(w, ip >> 16 & 255);
	*w++ = '-';
	w = put_u(w, ip >> 8 & 255);
	*w++ = '-';
	w = put_u(w, ip & 255);
	w = PUTL(w, ".cust.example.net (");
	w = put_ip(w, ip);
	return PUTL(w, "): ");
}

static void
qp_line(struct gen *g, const struct txn *t, int what)
{
	uint32_t	 ip = g->users[t->user].home_ip;
	enum kind	 k = K_OK;
	char		*w;

	w = BEGIN(g, H_POPLEGACY, "popper", t->pid);
	switch (what) {
	case 0:
		w = PUTL(w, "(v4.1.0) POP login by user \"");
		w = put_local(g, w, t->user);
		w = PUTL(w, "\" at (dyn-");
		w = put_u(w, ip >> 24);
		*w++ = '-';
		w = put_u(w, ip >> 16 & 255);
		*w++ = '-';
		w = put_u(w, ip >> 8 & 255);
		*w++ = '-';
		w = put_u(w, ip & 255);
		w = PUTL(w, ".cust.example.net) ");
		w = put_ip(w, ip);
		break;
	case 1:
		w = PUTL(w, "Stats: ");
		w = put_local(g, w, t->user);
		*w++ = ' ';
		w = put_u(w, t->n & 7);
		*w++ = ' ';
		w = put_u(w, t->n & 7 ? t->size : 0);
		w = PUTL(w, " 0 0 dyn-");
		w = put_u(w, ip >> 24);
		*w++ = '-';
		w = put_u(w, ip >> 16 & 255);
		*w++ = '-';
		w = put_u(w, ip >> 8 & 255);
		*w++ = '-';
		w = put_u(w, ip & 255);
		w = PUTL(w, ".cust.example.net ");
		w = put_ip(w, ip);
		break;
	default:
		w = qp_who(g, w, t);
		switch (t->variant) {
		case V_INUSE:
			k = K_QP_INUSE;
			w = PUTL(w, "-ERR [IN-USE] /var/spool/mail/.");
			w = put_local(g, w, t->user);
			w = PUTL(w, ".pop lock busy!  Is another session "
			    "active? (11)");
			break;
		case V_AUTH:
			k = K_QP_AUTH;
			w = PUTL(w, "-ERR [AUTH] Password supplied for \"");
			w = put_local(g, w, t->user);
			w = PUTL(w, "\" is incorrect.");
			break;
		case V_NOMSG:
			k = K_QP_NOMSG;
			w = PUTL(w, "-ERR no such message");
			break;
		default:
			k = K_QP_NOTREMOVED;
			w = PUTL(w, "-ERR some deleted messages not removed");
		}
	}
	end(g, w, k);
}

/* ---- sessions ------------------------------------------------------ */

static uint32_t
next_pid(struct gen *g, enum host h)
{
	struct hostpids	*hp = &g->pids[h];

	hp->next += 1 + below(g, 24);
	if (hp->next > 4000000)
		hp->next = 2000 + below(g, 1000);
	return hp->next;
}

static int
in_window(const struct gen *g, uint32_t from, uint32_t to)
{
	return g->sec >= from && g->sec < to;
}

#define MX2_FULL_FROM	(14 * 3600 + 2 * 60)
#define MX2_FULL_TO	(14 * 3600 + 19 * 60)
#define STORE3_FULL_FROM (16 * 3600 + 40 * 60)
#define STORE3_FULL_TO	(16 * 3600 + 52 * 60)

static void
start_reject(struct gen *g, struct txn *t)
{
	uint32_t	 r = below(g, 1000);

	t->type = T_REJ;
	t->client = skewed(g, g->nspammers);
	if (r < 470) {
		t->variant = V_UNKNOWN;
		t->user = skewed(g, g->nghosts);
	} else if (r < 730)
		t->variant = V_RBL;
	else if (r < 870)
		t->variant = V_GREY;
	else if (r < 980)
		t->variant = V_RELAY;
	else
		t->variant = V_STORAGE;
	if (t->variant != V_UNKNOWN)
		t->user = zipf_pick(g, &g->zmail);
	else if (below(g, 5) == 0)
		t->aux = UINT32_MAX;		/* null sender */
}

static void
start_inbound(struct gen *g, struct txn *t)
{
	t->host = (uint8_t)(H_MX1 + below(g, 3));
	t->pid = next_pid(g, (enum host)t->host);
	t->aux = (uint32_t)(rnd(g) >> 8);
	t->qid = rnd(g);
	t->sess = rnd(g);
	t->mid = (rnd(g) & ~(uint64_t)0x1ffff) | g->sec;
	t->size = 900 + (uint32_t)(unit(g) * unit(g) * unit(g) * 4e6);
	t->n = (uint8_t)below(g, 256);
	if (t->host == H_MX2 && in_window(g, MX2_FULL_FROM, MX2_FULL_TO) &&
	    below(g, 10) < 7) {
		start_reject(g, t);
		t->variant = V_STORAGE;
		return;
	}
	if (chance(g, 185000)) {
		start_reject(g, t);
		return;
	}
	t->type = T_IN;
	t->client = zipf_pick(g, &g->zclient);
	if (chance(g, 50000)) {
		t->variant = V_QUOTA;
		t->user = g->overquota[skewed(g, g->noverquota)];
	} else
		t->user = zipf_pick(g, &g->zmail);
}

static void
start_submission(struct gen *g, struct txn *t)
{
	t->host = (uint8_t)(H_SMTP1 + below(g, 2));
	t->pid = next_pid(g, (enum host)t->host);
	t->qid = rnd(g);
	t->mid = (rnd(g) & ~(uint64_t)0x1ffff) | g->sec;
	t->size = 900 + (uint32_t)(unit(g) * unit(g) * unit(g) * 2e6);
	t->n = (uint8_t)(1 + below(g, 3));
	if (chance(g, 75000)) {
		t->type = T_SASL;
		t->client = skewed(g, g->nspammers);
		if (below(g, 2)) {
			t->user = g->stale[skewed(g, g->nstale)];
			t->variant = V_AUTH;
		} else {
			t->user = skewed(g, g->nghosts);
			t->variant = V_AUTH_UNKNOWN;
		}
		return;
	}
	t->type = T_SUB;
	t->client = zipf_pick(g, &g->zclient);
	t->user = zipf_pick(g, &g->zmail);
	t->aux = (uint32_t)(rnd(g) >> 8);
	if (chance(g, 30000))
		t->variant = V_TIMEOUT;
	else if (chance(g, 18000))
		t->variant = V_BOUNCE;
}

static void
start_login(struct gen *g, struct txn *t)
{
	uint32_t	 r = below(g, 1000);

	t->user = zipf_pick(g, &g->zlogin);
	t->type = g->users[t->user].pop ? T_POP : T_IMAP;
	if (r < 20) {
		t->type = T_POP;
		t->variant = V_LOCK;
		t->user = g->lockers[skewed(g, g->nlockers)];
	} else if (r < 36) {
		t->type = T_POP;
		t->variant = V_AUTH;
		t->user = g->stale[skewed(g, g->nstale)];
	} else if (r < 43) {
		t->type = T_POP;
		t->variant = V_AUTH_UNKNOWN;
		t->aux = skewed(g, g->nghosts);
	}
	t->host = (uint8_t)store_of(t->user);
	t->pid = next_pid(g, (enum host)t->host);
	t->sess = rnd(g);
	t->client = below(g, 5) == 0 ? public_ip(g) : 0;
	t->size = 1500 + (uint32_t)(unit(g) * unit(g) * 3e6);
	t->n = (uint8_t)((below(g, 10) < 7 ? 0x80 : 0) |
	    (below(g, 3) ? 0 : 1 + below(g, 5)));
	if (t->variant == V_AUTH || t->variant == V_AUTH_UNKNOWN)
		t->n = (uint8_t)((t->n & 0x80) | (1 + below(g, 3)));
}

static void
start_qpopper(struct gen *g, struct txn *t)
{
	uint32_t	 r = below(g, 1000);

	t->type = T_QP;
	t->host = H_POPLEGACY;
	t->pid = next_pid(g, H_POPLEGACY);
	t->user = g->legacy[zipf_pick(g, &g->zlegacy) % g->nlegacy];
	t->size = 1500 + (uint32_t)(unit(g) * unit(g) * 3e6);
	t->n = (uint8_t)below(g, 4);
	if (r < 70)
		t->variant = V_INUSE;
	else if (r < 140)
		t->variant = V_AUTH;
	else if (r < 175)
		t->variant = V_NOMSG;
	else if (r < 200)
		t->variant = V_NOTREMOVED;
}

static void
txn_start(struct gen *g, struct txn *t)
{
	uint32_t	 r = below(g, 1000);

	memset(t, 0, sizeof(*t));
	if (r < 420)
		start_inbound(g, t);
	else if (r < 520)
		start_submission(g, t);
	else if (r < 975)
		start_login(g, t);
	else
		start_qpopper(g, t);
}

/* Logs the next line of t; frees the slot when the session is over. */
static void
txn_step(struct gen *g, struct txn *t)
{
	enum host	 st;
	uint8_t		 s = t->step++;

	switch (t->type) {
	case T_IN:
		st = store_of(t->user);
		switch (s) {
		case 0: pf_connect(g, t, 0); return;
		case 1: pf_client(g, t); return;
		case 2: pf_cleanup(g, t); return;
		case 3: pf_qmgr_from(g, t); return;
		case 4: pf_connect(g, t, 1); return;
		case 5:
			if (st == H_STORE3 && t->variant == V_OK &&
			    (in_window(g, STORE3_FULL_FROM, STORE3_FULL_TO) ||
			    chance(g, 600)))
				t->variant = V_STORAGE;
			dv_lmtp(g, t, st);
			return;
		case 6:
			pf_lmtp(g, t, st);
			if (t->variant != V_OK)
				t->type = T_FREE;
			return;
		default: pf_removed(g, t); t->type = T_FREE; return;
		}
	case T_REJ:
		/* connect, [queue-space warning], reject, disconnect */
		if (s == 1 && t->variant == V_STORAGE && (t->n & 1)) {
			pf_nospace_warning(g, t);
			t->step = 1 + 8;
		} else if (s == 0)
			pf_connect(g, t, 0);
		else if (s == 1 || s == 9)
			pf_reject(g, t);
		else {
			pf_connect(g, t, 1);
			t->type = T_FREE;
		}
		return;
	case T_SASL:
		if (s == 0)
			pf_connect(g, t, 0);
		else if (s <= t->n)
			pf_sasl(g, t);
		else {
			pf_connect(g, t, 1);
			t->type = T_FREE;
		}
		return;
	case T_SUB:
		switch (s) {
		case 0: pf_connect(g, t, 0); return;
		case 1: pf_client(g, t); return;
		case 2: pf_cleanup(g, t); return;
		case 3: pf_qmgr_from(g, t); return;
		case 4: pf_connect(g, t, 1); return;
		case 5:
			pf_smtp(g, t);
			if (t->variant == V_TIMEOUT)
				t->type = T_FREE;
			return;
		case 6:
			if (t->variant == V_BOUNCE) {
				pf_bounce(g, t);
				return;
			}
			/* FALLTHROUGH */
		default: pf_removed(g, t); t->type = T_FREE; return;
		}
	case T_POP:
	case T_IMAP:
		if (t->variant == V_AUTH || t->variant == V_AUTH_UNKNOWN) {
			if (s < (t->n & 0x7f))
				dv_auth_worker(g, t);
			else {
				dv_auth_failed(g, t);
				t->type = T_FREE;
			}
		} else if (s == 0)
			dv_login(g, t);
		else {
			dv_logout(g, t);
			t->type = T_FREE;
		}
		return;
	case T_QP:
		if (t->variant == V_INUSE || t->variant == V_AUTH) {
			qp_line(g, t, 2);
			t->type = T_FREE;
		} else if (s == 0)
			qp_line(g, t, 0);
		else if (s == 1 && t->variant != V_OK)
			qp_line(g, t, 2);
		else {
			qp_line(g, t, 1);
			t->type = T_FREE;
		}
		return;
	}
}

/*
 * Picks a slot among the open ones; slots above active only finish what
 * they have, so the number of sessions follows the rate down smoothly.
 */
static void
step(struct gen *g)
{
	uint32_t	 i = below(g, g->high);
	struct txn	*t = &g->slot[i];

	while (g->high > g->active && g->slot[g->high - 1].type == T_FREE)
		g->high--;
	if (i >= g->active && t->type == T_FREE)
		t = &g->slot[below(g, g->active)];
	if (t->type == T_FREE)
		txn_start(g, t);
	txn_step(g, t);
}

/* ---- main ---------------------------------------------------------- */

static int
parse_size(const char *s, uint64_t *out)
{
	char		*e;
	uint64_t	 v, m = 1;

	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno || e == s)
		return -1;
	switch (*e) {
	case 'k': case 'K': m = 1ULL << 10; e++; break;
	case 'm': case 'M': m = 1ULL << 20; e++; break;
	case 'g': case 'G': m = 1ULL << 30; e++; break;
	case 't': case 'T': m = 1ULL << 40; e++; break;
	}
	if (*e == 'i' && m > 1)
		e++;
	if (*e == 'B' || *e == 'b')
		e++;
	if (*e != '\0' || v > UINT64_MAX / m)
		return -1;
	*out = v * m;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: mxgen [-v] [-s SEED] [-u USERS] "
	    "[-d 'Mon DD'] SIZE\n"
	    "  writes SIZE bytes (1G, 256M, 10K) of synthetic mail syslog "
	    "to stdout\n");
	exit(2);
}

static void
report(const struct gen *g)
{
	int	 k;

	fprintf(stderr, "mxgen: %" PRIu64 " bytes, %" PRIu64 " lines, %"
	    PRIu64 " error lines (%.2f%%)\n", g->flushed, g->lines,
	    g->errlines, g->lines ? 100.0 * (double)g->errlines /
	    (double)g->lines : 0.0);
	for (k = 1; k < K__N; k++)
		fprintf(stderr, "  %-28s %10" PRIu64 "\n", kind_name[k],
		    g->count[k]);
}

int
main(int argc, char **argv)
{
	static struct gen	 g;
	const char		*date = "Nov 21";
	uint64_t		 seed = 20261121;
	unsigned long		 nusers = 50000;
	int			 c, verbose = 0, i;
	char			*e;

	while ((c = getopt(argc, argv, "s:u:d:vh")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, &e, 0);
			if (*e) usage();
			break;
		case 'u': nusers = strtoul(optarg, &e, 0);
			if (*e || nusers < 10 || nusers > 50000000) usage();
			break;
		case 'd': date = optarg;
			if (strlen(date) < 5 || strlen(date) > 12) usage();
			break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 1 || parse_size(argv[optind], &g.limit) == -1)
		usage();
	g.rs = mix64(seed ^ 0x6d78676e);
	g.nusers = (uint32_t)nusers;
	pools_init(&g);
	users_init(&g);
	ghosts_init(&g);
	pids_init(&g);
	zipf_init(&g.zmail, g.nusers, 0.9);
	zipf_init(&g.zlogin, g.nusers, 0.7);
	zipf_init(&g.zclient, g.nclients, 1.0);
	zipf_init(&g.zlegacy, g.nlegacy, 0.8);
	clock_init(&g, date);
	g.est_lines = (double)g.limit / 148.0;
	set_active(&g);
	g.buf = g.w = xmalloc(OUT_BUF);

	/* Open sessions from before midnight: warm up without output. */
	g.discard = 1;
	for (i = 0; i < NSLOTS * 6; i++)
		step(&g);
	g.discard = 0;

	while (!g.full && g.limit > 0)
		step(&g);
	flush(&g);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "mxgen: write error: %s\n", strerror(errno));
		return 1;
	}
	if (verbose)
		report(&g);
	return 0;
}
