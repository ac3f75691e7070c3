/*
 * --anonymize users,ips: keyed pseudonyms for reports that leave the mail
 * team. A user becomes "u-" and a client IP "ip-" followed by the first
 * 12 hex digits (48 bits) of HMAC-SHA256(key, kind NUL value), the value
 * lower-cased first, so one user maps to the same token every night and
 * on every server that shares the key, and nobody without the key can
 * test a guess. Over a million distinct users the chance that two share
 * a token is about 0.2%.
 *
 * The key is the content of the key file (a trailing newline aside). A
 * missing file is created with 32 random bytes as 64 hex digits, mode
 * 0600 and O_EXCL, so two runs racing to create it cannot both win.
 *
 * Tokens are applied to each event in the scan worker before it reaches
 * the agg and the alert evaluator, so every table and every output
 * format sees only tokens. Raw reply texts (the examples of unclassified
 * templates) can hold names and addresses too: anon_result replaces
 * each example by its template, whose variable parts are masked, and
 * drops the example replies of details and remote refusals. A client's
 * reverse name goes with its address.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/hmac.h>

#include "mxtally/log.h"
#include "mxtally/scan.h"
#include "mxtally/state.h"

#define KEY_MIN		16	/* bytes */

struct anon {
	int			 flags;	/* enum anon_flags */
	struct hmac_sha256_ctx	 ctx;	/* keyed; copied per token */
};

int
anon_parse_what(const char *s, int *flags)
{
	const char	*p = s, *e;
	size_t		 n;

	*flags = 0;
	while (*p != '\0') {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 5 && strncmp(p, "users", 5) == 0)
			*flags |= ANON_USERS;
		else if (n == 3 && strncmp(p, "ips", 3) == 0)
			*flags |= ANON_IPS;
		else
			return -1;
		p += n;
		if (*p == ',')
			p++;
	}
	return *flags != 0 ? 0 : -1;
}

/* Creates path with a fresh random key; 0, or -1 with err set. */
static int
key_create(const char *path, char *err, size_t errlen)
{
	unsigned char	 raw[32];
	char		 hex[2 * sizeof(raw) + 1];
	size_t		 i;
	int		 fd;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		snprintf(err, errlen, "no random bytes: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	hex[2 * sizeof(raw)] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return 0;	/* another run made it first: use that */
		snprintf(err, errlen, "cannot create '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	if (write(fd, hex, sizeof(hex)) != (ssize_t)sizeof(hex) ||
	    fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Reads the key into buf; returns its length or -1. */
static ssize_t
key_read(const char *path, unsigned char *buf, size_t len, char *err,
    size_t errlen)
{
	struct stat	 sb;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 && errno == ENOENT) {
		if (key_create(path, err, errlen) == -1)
			return -1;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd == -1) {
		snprintf(err, errlen, "cannot open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0)
		log_warn("'%s': key file is readable by others (chmod 600)",
		    path);
	n = read(fd, buf, len);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n < KEY_MIN) {
		snprintf(err, errlen, "'%s': key shorter than %d bytes", path,
		    KEY_MIN);
		return -1;
	}
	return n;
}

struct anon *
anon_new(int flags, const char *keyfile, char *err, size_t errlen)
{
	unsigned char	 key[1024];
	struct anon	*a;
	ssize_t		 n;

	if ((n = key_read(keyfile, key, sizeof(key), err, errlen)) == -1)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	a->flags = flags;
	hmac_sha256_set_key(&a->ctx, (size_t)n, key);
	explicit_bzero(key, sizeof(key));
	return a;
}

void
anon_free(struct anon *a)
{
	if (a == NULL)
		return;
	explicit_bzero(a, sizeof(*a));
	free(a);
}

int
anon_flags(const struct anon *a)
{
	return a != NULL ? a->flags : 0;
}

size_t
anon_token(const struct anon *a, int kind, const char *s, size_t len,
    char *buf, size_t buflen)
{
	struct hmac_sha256_ctx	 c = a->ctx;
	unsigned char		 low[256], mac[SHA256_DIGEST_SIZE];
	const char		*prefix = kind == ANON_USERS ? "u-" : "ip-";
	size_t			 i, k, n;

	hmac_sha256_update(&c, strlen(prefix), (const uint8_t *)prefix);
	hmac_sha256_update(&c, 1, (const uint8_t *)"");
	for (i = 0; i < len; i += n) {
		n = len - i < sizeof(low) ? len - i : sizeof(low);
		for (k = 0; k < n; k++) {
			unsigned char ch = (unsigned char)s[i + k];
			low[k] = ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
		}
		hmac_sha256_update(&c, n, low);
	}
	hmac_sha256_digest(&c, sizeof(mac), mac);
	n = (size_t)snprintf(buf, buflen, "%s%02x%02x%02x%02x%02x%02x",
	    prefix, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return n < buflen ? n : buflen - 1;
}

void
anon_event(const struct anon *a, struct event *ev,
    char buf[3][ANON_TOKEN_MAX])
{
	size_t	 n;
	int	 kind;

	if ((a->flags & ANON_USERS) && ev->user.len > 0) {
		n = anon_token(a, ANON_USERS, ev->user.p, ev->user.len, buf[0],
		    ANON_TOKEN_MAX);
		ev->user = (struct slice){ buf[0], n };
	}
	if ((a->flags & ANON_IPS) && ev->client.len > 0) {
		n = anon_token(a, ANON_IPS, ev->client.p, ev->client.len,
		    buf[1], ANON_TOKEN_MAX);
		ev->client = (struct slice){ buf[1], n };
		ev->cname = (struct slice){ "", 0 };	/* names the client */
	}
	/* traffic facts: senders and recipients are users, client= an IP */
	kind = ev->tkind == TR_RECEIVED ? ANON_IPS : ANON_USERS;
	if ((a->flags & kind) && ev->addr.len > 0) {
		n = anon_token(a, kind, ev->addr.p, ev->addr.len, buf[2],
		    ANON_TOKEN_MAX);
		ev->addr = (struct slice){ buf[2], n };
	}
}

_Static_assert(sizeof(char[3][ANON_TOKEN_MAX]) <= SCAN_EDIT_MAX,
    "the scan's edit buffer holds anon_event's three tokens");

void
anon_edit(const void *a, struct event *ev, char *buf)
{
	anon_event(a, ev, (char (*)[ANON_TOKEN_MAX])buf);
}

void
anon_result(const struct anon *a, struct result *r)
{
	size_t	 i;

	if (a == NULL)
		return;
	for (i = 0; i < r->nunclassified; i++)
		r->unclassified[i].example = r->unclassified[i].tmpl;
	/* the replies of details and remotes name clients and recipients */
	for (i = 0; r->where != NULL && i < r->ncauses; i++) {
		struct cause_where *w = &r->where[r->causes[i].cause];
		for (size_t j = 0; j < w->ndetail; j++)
			w->detail[j].example = NULL;
	}
	for (i = 0; i < r->nremotes + (r->folded_remotes > 0); i++)
		r->remotes[i].reply = NULL;
}
