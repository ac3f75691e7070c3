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
 * format sees only tokens. Reply texts name people too ("-ERR [IN-USE]
 * alice is locked by 192.0.2.7", "<bob@example.org>: Recipient address
 * rejected"), and the POP3 reply templates, unclassified templates,
 * details and examples are made from them: the event's text is
 * rewritten with every mail address and the event's user, also as the
 * local part of its address (users), and every IPv4 and IPv6 address
 * and the client's reverse name (ips) replaced by their tokens, the
 * same tokens as the user and client fields get. Names the text holds
 * that are none of these (another user's bare login) cannot be told
 * from words: anon_result still replaces each example by its template,
 * whose variable parts are masked, and drops the example replies of
 * details and remote refusals, and the log line quoted in an input's
 * "not understood" warning is cut (anon_warning). A client's reverse
 * name goes with its address.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/hmac.h>

#include "mxtally/agg.h"
#include "mxtally/anon.h"
#include "mxtally/log.h"
#include "mxtally/scan.h"

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

/* Creates path with a fresh random key; 0, or -1 said. */
static int
key_create(const char *path)
{
	unsigned char	 raw[32];
	char		 hex[2 * sizeof(raw) + 1];
	size_t		 i;
	int		 fd;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return log_errno("no random bytes");
	for (i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	hex[2 * sizeof(raw)] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return 0;	/* another run made it first: use that */
		return log_errno("cannot create '%s'", path);
	}
	if (write(fd, hex, sizeof(hex)) != (ssize_t)sizeof(hex) ||
	    fsync(fd) != 0) {
		log_errno("cannot write '%s'", path);
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Reads the key into buf; returns its length or -1. */
static ssize_t
key_read(const char *path, unsigned char *buf, size_t len)
{
	struct stat	 sb;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 && errno == ENOENT) {
		if (key_create(path) == -1)
			return -1;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd == -1)
		return log_errno("cannot open '%s'", path);
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0)
		log_warn("'%s': key file is readable by others (chmod 600)",
		    path);
	n = read(fd, buf, len);
	close(fd);
	if (n < 0)
		return log_errno("cannot read '%s'", path);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n < KEY_MIN)
		return log_error("'%s': key shorter than %d bytes", path,
		    KEY_MIN);
	return n;
}

struct anon *
anon_new(int flags, const char *keyfile)
{
	unsigned char	 key[1024];
	struct anon	*a;
	ssize_t		 n;

	if ((n = key_read(keyfile, key, sizeof(key))) == -1)
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

/* --- reply texts ---------------------------------------------------- */

struct tout {
	char	*p;
	size_t	 n, cap;		/* cap: room for n bytes and a NUL */
	int	 full;			/* a piece did not fit: the end */
};

/*
 * Appends s[0..n) when all of it fits, else ends the text there: a
 * name is never cut in two, nor a token.
 */
static void
tout_put(struct tout *o, const char *s, size_t n)
{
	if (o->full || o->n + n >= o->cap) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void
tout_token(const struct anon *a, struct tout *o, int kind, const char *s,
    size_t n)
{
	char	 tok[ANON_TOKEN_MAX];

	tout_put(o, tok, anon_token(a, kind, s, n, tok, sizeof(tok)));
}

/*
 * A word of a reply text: letters, digits, UTF-8 and the characters of
 * mail addresses, host names, IPv4 and IPv6 addresses.
 */
static int
word_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || (c != '\0' &&
	    strchr("._%+-@:", c) != NULL);
}

static int
same_ci(const char *s, size_t n, struct slice t)
{
	return n == t.len && n > 0 && strncasecmp(s, t.p, n) == 0;
}

/* s[0..n) parses as an address of family af. */
static int
is_ip(int af, const char *s, size_t n)
{
	char		 buf[64];
	unsigned char	 addr[16];

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(af, buf, addr) == 1;
}

/* A segment of a word (no ':'), trailing dots and dashes not part. */
static void
anon_segment(const struct anon *a, struct tout *o, const char *s, size_t n,
    struct slice user, struct slice cname)
{
	const char	*at = memchr(s, '@', n), *uat;
	size_t		 k = n;

	while (k > 0 && (s[k - 1] == '.' || s[k - 1] == '-'))
		k--;
	uat = user.len > 0 ? memchr(user.p, '@', user.len) : NULL;
	if ((a->flags & ANON_USERS) && at != NULL && at > s && at + 1 < s + k)
		tout_token(a, o, ANON_USERS, s, k);
	else if ((a->flags & ANON_USERS) && (same_ci(s, k, user) ||
	    (uat != NULL && same_ci(s, k, (struct slice){ user.p,
	    (size_t)(uat - user.p) }))))
		tout_token(a, o, ANON_USERS, user.p, user.len);
	else if ((a->flags & ANON_IPS) && (is_ip(AF_INET, s, k) ||
	    same_ci(s, k, cname)))
		tout_token(a, o, ANON_IPS, s, k);
	else
		k = 0;
	tout_put(o, s + k, n - k);
}

/*
 * A whole word: an IPv6 address (also after Postfix's "IPv6:"), else
 * each part between colons on its own (user:alice, 192.0.2.7:25).
 */
static void
anon_word(const struct anon *a, struct tout *o, const char *s, size_t n,
    struct slice user, struct slice cname)
{
	const char	*c;
	size_t		 k = n, pre = 0;

	while (k > 0 && s[k - 1] == '.')
		k--;
	if (k > 5 && strncasecmp(s, "IPv6:", 5) == 0)
		pre = 5;
	if ((a->flags & ANON_IPS) && is_ip(AF_INET6, s + pre, k - pre)) {
		tout_put(o, s, pre);
		tout_token(a, o, ANON_IPS, s + pre, k - pre);
		tout_put(o, s + k, n - k);
		return;
	}
	while ((c = memchr(s, ':', n)) != NULL) {
		anon_segment(a, o, s, (size_t)(c - s), user, cname);
		tout_put(o, ":", 1);
		n -= (size_t)(c - s) + 1;
		s = c + 1;
	}
	anon_segment(a, o, s, n, user, cname);
}

size_t
anon_text(const struct anon *a, struct slice text, struct slice user,
    struct slice cname, char *out, size_t outlen)
{
	struct tout	 o = { out, 0, outlen, 0 };
	const char	*p = text.p, *end = text.p + text.len, *w;

	if (outlen == 0)
		return 0;
	while (p < end) {
		for (w = p; p < end && !word_char((unsigned char)*p); p++)
			;
		tout_put(&o, w, (size_t)(p - w));
		for (w = p; p < end && word_char((unsigned char)*p); p++)
			;
		if (p > w)
			anon_word(a, &o, w, (size_t)(p - w), user, cname);
	}
	out[o.n] = '\0';
	return o.n;
}

/* A detail argument ("rbl:zone") that is an address becomes its token. */
static void
anon_darg(const struct anon *a, struct event *ev, char *buf)
{
	const char	*s = ev->darg.p;
	size_t		 n = ev->darg.len;
	int		 kind = 0;

	if ((a->flags & ANON_USERS) && memchr(s, '@', n) != NULL)
		kind = ANON_USERS;
	else if ((a->flags & ANON_IPS) && (is_ip(AF_INET, s, n) ||
	    is_ip(AF_INET6, s, n)))
		kind = ANON_IPS;
	if (kind != 0)
		ev->darg = (struct slice){ buf,
		    anon_token(a, kind, s, n, buf, ANON_TOKEN_MAX) };
}

static void
anon_peer(const struct anon *a, struct event *ev, char *buf)
{
	const char	*at = memchr(ev->user.p, '@', ev->user.len);
	char		 k[JOIN_PEER_MAX];
	size_t		 n;

	n = anon_token(a, ANON_USERS, k, join_peer_key(ev->user, k), buf,
	    ANON_TOKEN_MAX);
	if (at != NULL) {
		buf[n++] = '@';
		n += anon_token(a, ANON_USERS, at + 1,
		    (size_t)(ev->user.p + ev->user.len - at - 1), buf + n,
		    ANON_TOKEN_MAX);
	}
	ev->peer = (struct slice){ buf, n };
}

static void
anon_slice(const struct anon *a, int kind, struct slice *s, char *buf)
{
	if ((a->flags & kind) && s->len > 0)
		*s = (struct slice){ buf,
		    anon_token(a, kind, s->p, s->len, buf, ANON_TOKEN_MAX) };
}

/*
 * A list of recipients (EV_RCPT_LIST, sendmail's "to=a,<b>", Exchange's
 * "a;b"): each its own token, so that distinct recipients stay
 * distinct. buf takes as many as fit; traffic counts the rest without
 * an address.
 */
static void
anon_list(const struct anon *a, struct slice *s, char *buf, size_t size)
{
	const char	*p = s->p, *end = s->p + s->len, *c;
	size_t		 o = 0, n;

	for (; p < end && o + ANON_TOKEN_MAX + 1 <= size; p = c + 1) {
		for (c = p; c < end && *c != ',' && *c != ';'; c++)
			;
		n = (size_t)(c - p);
		if (n >= 2 && p[0] == '<' && p[n - 1] == '>')
			p++, n -= 2;
		if (n == 0)
			continue;
		o += anon_token(a, ANON_USERS, p, n, buf + o, ANON_TOKEN_MAX);
		buf[o++] = ',';
	}
	*s = (struct slice){ buf, o };
}

void
anon_event(const struct anon *a, struct event *ev, struct anon_buf *b)
{
	struct slice	 user = ev->user, cname = ev->cname;

	/*
	 * The MTA's deferral and the LMTP server's refusal meet by the
	 * user's local part and, when both have one, its domain: tokens of
	 * "alice@x" and "alice" differ, so the joins get the user as the
	 * token of join_peer_key, '@' and the token of the domain
	 */
	if ((a->flags & ANON_USERS) && user.len > 0 &&
	    ((ev->flags & EV_PEER) || ev->proto == PROTO_LMTP))
		anon_peer(a, ev, b->peer);
	if (ev->text.len > 0) {
		ev->text.len = anon_text(a, ev->text, user, cname, b->text,
		    sizeof(b->text));
		ev->text.p = b->text;
	}
	if (ev->darg.len > 0)
		anon_darg(a, ev, b->darg);
	anon_slice(a, ANON_USERS, &ev->user, b->tok[0]);
	anon_slice(a, ANON_IPS, &ev->client, b->tok[1]);
	if ((a->flags & ANON_IPS) && ev->client.len > 0)
		ev->cname = (struct slice){ "", 0 };	/* names the client */
	/* traffic facts: senders and recipients are users, client= an IP */
	if ((ev->flags & EV_RCPT_LIST) && (a->flags & ANON_USERS) &&
	    ev->text.len == 0 && ev->addr.len > 0)
		anon_list(a, &ev->addr, b->text, sizeof(b->text));
	else
		anon_slice(a, ev->tkind == TR_RECEIVED ? ANON_IPS : ANON_USERS,
		    &ev->addr, b->tok[2]);
	anon_slice(a, ANON_USERS, &ev->from, b->tok[3]);	/* Exim <= */
}

void
anon_warning(const struct anon *a, char *warning, size_t size)
{
	static const char	 mark[] = "first unrecognised line: ";
	char			*p;

	if (a == NULL || (p = strstr(warning, mark)) == NULL)
		return;
	p += sizeof(mark) - 1;
	snprintf(p, size - (size_t)(p - warning), "(not shown: --anonymize)");
}

_Static_assert(sizeof(struct anon_buf) <= SCAN_EDIT_MAX,
    "the scan's edit buffer holds a struct anon_buf");
_Static_assert(_Alignof(struct anon_buf) == 1,
    "struct anon_buf is bytes only: any char buffer holds one");

void
anon_edit(const void *a, struct event *ev, char *buf)
{
	anon_event(a, ev, (struct anon_buf *)(void *)buf);
}

struct anon *
anon_setup(int flags, const char *keyfile, struct scan_opts *o, int *failed)
{
	struct anon	*a;

	*failed = 0;
	if (flags == 0)
		return NULL;
	if (keyfile == NULL) {
		log_error("--anonymize needs --anonymize-key FILE");
		*failed = 1;
		return NULL;
	}
	if ((a = anon_new(flags, keyfile)) == NULL) {
		*failed = 1;
		return NULL;
	}
	o->edit = anon_edit;
	o->edit_arg = a;
	return a;
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
