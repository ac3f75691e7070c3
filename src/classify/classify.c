/*
 * The classifier: event to cause in the order causes.md gives. Built-in
 * text rules are pairs of a lower-case literal (the prefilter) and an
 * optional PCRE2 pattern that confirms it; the pattern runs only when
 * the literal is there. All literals are found in one pass over the
 * lower-cased reply text: a table indexed by two bytes names the rules
 * whose literal starts with them, so a text costs one lookup a byte
 * and a memcmp per candidate, however many rules there are. Patterns
 * are compiled once with JIT and shared read-only; each worker brings
 * its own match data.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "classify_int.h"
#include "mxtally/ascii.h"
#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/log.h"

#define TEXT_MAX	CLASSIFY_TEXT_MAX

/*
 * First match wins, so specific texts come before general ones: storage
 * and lock texts before auth, policy details (whose texts say "Service
 * unavailable" or "Host not found") before the network and DNS rules.
 */
static const struct rule_def builtin[] = {
	{ CAUSE_DELETED_NOT_REMOVED, 0, "deleted messages not removed", NULL },
	{ CAUSE_SYSTEM_STORAGE, 0, "insufficient system storage", NULL },
	{ CAUSE_SYSTEM_STORAGE, 0, "no space left on device", NULL },
	{ CAUSE_SYSTEM_STORAGE, 0, "not enough free space", NULL },
	{ CAUSE_SYSTEM_STORAGE, 0, "disk full", NULL },
	{ CAUSE_QUOTA_EXCEEDED, 0, "quota", "quota (exceeded|exceed|full)|over ?quota|exceeded (the )?(storage|quota)" },
	{ CAUSE_QUOTA_EXCEEDED, 0, "full", "mailbox (is )?full|mail ?box full|user.{0,20} is full" },
	{ CAUSE_QUOTA_EXCEEDED, 0, "storage", "exceeded storage allocation|out of storage space" },
	{ CAUSE_QUOTA_EXCEEDED, 0, "file too large", NULL },
	{ CAUSE_LOCK_CONTENTION, 0, "lock", "lock busy|unable to (obtain )?lock|can'?t (get |obtain )?lock|couldn'?t lock|mailbox (is )?locked|waiting for (dot)?lock|lock (timeout|timed out)" },
	{ CAUSE_LOCK_CONTENTION, 0, "in use", "mailbox (is )?(already )?in use|maildrop (is )?(already )?in use" },
	{ CAUSE_LOCK_CONTENTION, 0, "busy", "mailbox (is )?busy" },
	/* sender verification names an unknown user that is not ours */
	{ CAUSE_POLICY_REJECTION, POL_SENDER_VERIFY, "sender verif", "sender verif(y|ication)" },
	{ CAUSE_POLICY_REJECTION, POL_SENDER_VERIFY, "unverified address", "sender address rejected: unverified address" },
	{ CAUSE_POLICY_REJECTION, POL_SENDER_VERIFY, "callout", "callout verification fail" },
	{ CAUSE_POLICY_REJECTION, 0, "verify callout", NULL },	/* Exim recipient */
	{ CAUSE_POLICY_REJECTION, POL_SENDER, "domain of sender", "domain of sender address \\S+ does not (exist|resolve)" },	/* sendmail */
	/* no password was checked: the auth service failed */
	{ CAUSE_SERVER_ERROR, POL_AUTH_SERVICE, "authentication server", "connection lost to authentication server|authentication server (is )?(unavailable|not available|down)" },
	{ CAUSE_SERVER_ERROR, POL_AUTH_SERVICE, "temporary authentication failure", NULL },
	{ CAUSE_SERVER_ERROR, POL_AUTH_SERVICE, "auth service", "auth service reported temporary failure" },
	{ CAUSE_SERVER_ERROR, POL_AUTH_SERVICE, "authentication service", "authentication service (is )?(temporarily )?(unavailable|not available|down)" },
	{ CAUSE_SERVER_ERROR, POL_INTERNAL, "internal error occurred", NULL },
	{ CAUSE_SERVER_ERROR, POL_INTERNAL, "internal login failure", NULL },
	{ CAUSE_PROTOCOL_ERROR, 0, "invalid base64", NULL },	/* bad SASL data */
	{ CAUSE_NO_SUCH_MESSAGE, 0, "message", "no such message|there'?s no message|message \\d+ (does not|doesn'?t) exist|message (\\d+ )?(has been |already )deleted" },
	{ CAUSE_UNKNOWN_MAILBOX, 0, "account not found", NULL },	/* Zimbra's auth */
	{ CAUSE_AUTH_FAILURE, 0, "auth", "authentication (failed|failure)|auth failed|\\bauth(entication)? error" },
	{ CAUSE_AUTH_FAILURE, 0, "password", "(invalid|bad|wrong|incorrect) password|password (supplied|mismatch|fail|incorrect|is incorrect)" },
	{ CAUSE_AUTH_FAILURE, 0, "login", "login (failed|incorrect|denied)|invalid login|bad login" },
	{ CAUSE_AUTH_FAILURE, 0, "credentials", NULL },
	{ CAUSE_AUTH_FAILURE, 0, "authentication unsuccessful", NULL },
	{ CAUSE_AUTH_FAILURE, 0, "authenticate failed", NULL },	/* Exchange IMAP4 */
	{ CAUSE_POLICY_REJECTION, POL_TLS, "login disabled", "^login disabled$" },	/* UW: plaintext off */
	{ CAUSE_ACCOUNT_DISABLED, 0, "disabled", "(account|mailbox|user|login)( is)? disabled" },
	{ CAUSE_ACCOUNT_DISABLED, 0, "suspended", "(account|mailbox|user|login)( has been| is| was)?( temporarily)? suspended" },
	{ CAUSE_UNKNOWN_MAILBOX, 0, "unknown", "user( <\\S+>)? unknown|unknown user|mailbox unknown|unknown (local )?(recipient|mailbox)" },
	{ CAUSE_UNKNOWN_MAILBOX, 0, "no such", "no such (user|mailbox|recipient|account)" },
	{ CAUSE_UNKNOWN_MAILBOX, 0, "unrouteable address", NULL },
	{ CAUSE_UNKNOWN_MAILBOX, 0, "exist", "(user|mailbox|recipient|account|address)( \\S+)? (does not|doesn'?t) exist" },
	{ CAUSE_UNKNOWN_MAILBOX, 0, "not found", "(user|mailbox|recipient) not found" },
	{ CAUSE_UNKNOWN_MAILBOX, 0, "invalid recipient", NULL },
	{ CAUSE_UNKNOWN_MAILBOX, 0, "invalid mailbox", NULL },
	{ CAUSE_UNKNOWN_MAILBOX, 0, "recipientnotfound", NULL },
	{ CAUSE_MESSAGE_TOO_LARGE, 0, "size", "size exceeds|exceeds (the )?(maximum |max )?(message )?size|size limit" },
	{ CAUSE_MESSAGE_TOO_LARGE, 0, "too ", "(message|file|mail) (is )?too (large|big)" },
	{ CAUSE_PROTOCOL_ERROR, 0, "too many", "too many (invalid|bad|unknown|unrecognized) (\\S+ )?commands" },
	{ CAUSE_RATE_LIMITED, 0, "too many", "too many (\\S+ )?(connections|concurrent|messages|e-?mails|mails|recipients|login|errors|sessions|auth)" },
	{ CAUSE_RATE_LIMITED, 0, "maximum number of connections", NULL },	/* Dovecot */
	{ CAUSE_RATE_LIMITED, 0, "limit exceeded", "connection (rate|concurrency|count) limit exceeded" },
	{ CAUSE_RATE_LIMITED, 0, "rate", "rate[ -]?limit|rate exceeded|sending rate" },
	{ CAUSE_RATE_LIMITED, 0, "login-delay", NULL },
	{ CAUSE_POLICY_REJECTION, POL_GREYLIST, "greylist", NULL },
	{ CAUSE_POLICY_REJECTION, POL_GREYLIST, "graylist", NULL },
	{ CAUSE_POLICY_REJECTION, POL_RELAY, "relay", "relay(ing)? (access )?(temporarily )?(denied|not permitted|prohibited)|not permitted to relay|unable to relay" },
	{ CAUSE_POLICY_REJECTION, POL_BLOCKLIST, "blocked using", NULL },
	{ CAUSE_POLICY_REJECTION, POL_BLOCKLIST, "rbl", "\\brbl\\b|badiprbl" },
	{ CAUSE_POLICY_REJECTION, POL_BLOCKLIST, "list", "(black|block|deny) ?list|listed (at|in|on|by)" },
	{ CAUSE_POLICY_REJECTION, POL_BLOCKLIST, "dnsbl", NULL },
	{ CAUSE_POLICY_REJECTION, POL_BLOCKLIST, "spamhaus", NULL },
	{ CAUSE_POLICY_REJECTION, POL_BLOCKLIST, "spamcop", NULL },
	{ CAUSE_POLICY_REJECTION, POL_REPUTATION, "reputation", NULL },
	{ CAUSE_POLICY_REJECTION, POL_REPUTATION, "banned", "banned send(er|ing)|\\b(ip|host|address) (is )?banned" },
	{ CAUSE_POLICY_REJECTION, POL_REPUTATION, "not accepted from this ip", NULL },	/* Outlook */
	{ CAUSE_POLICY_REJECTION, POL_CONTENT, "unsolicited", NULL },
	{ CAUSE_POLICY_REJECTION, POL_TLS, "starttls", "must issue a starttls|starttls (is )?required" },
	{ CAUSE_POLICY_REJECTION, POL_HELO, "helo", "helo command rejected|invalid helo|helo.{0,40}rejected" },
	{ CAUSE_POLICY_REJECTION, POL_SENDER, "sender address rejected", NULL },
	{ CAUSE_POLICY_REJECTION, POL_CLIENT, "client host rejected", NULL },
	{ CAUSE_POLICY_REJECTION, POL_SPF, "spf", "\\bspf\\b" },
	{ CAUSE_POLICY_REJECTION, POL_DMARC, "dmarc", NULL },
	{ CAUSE_POLICY_REJECTION, POL_CONTENT, "spam", NULL },
	{ CAUSE_POLICY_REJECTION, POL_CONTENT, "virus", NULL },
	{ CAUSE_POLICY_REJECTION, POL_CONTENT, "content rejected", NULL },
	{ CAUSE_POLICY_REJECTION, 0, "rejected", "(access|recipient|message) (address )?rejected" },
	{ CAUSE_POLICY_REJECTION, 0, "administrative prohibition", NULL },
	{ CAUSE_POLICY_REJECTION, 0, "policy", "\\bpolicy\\b" },
	{ CAUSE_EXPIRED, 0, "retry timeout exceeded", NULL },	/* Exim */
	{ CAUSE_EXPIRED, 0, "expired", "message expired|(has )?expired" },
	{ CAUSE_EXPIRED, 0, "too long in", "too long in (the )?queue" },
	{ CAUSE_DNS_FAILURE, 0, "not found", "host not found|domain not found|host or domain name not found" },
	{ CAUSE_DNS_FAILURE, 0, "name service error", NULL },
	{ CAUSE_DNS_FAILURE, 0, "does not accept mail", NULL },	/* null MX, RFC 7505 */
	{ CAUSE_DNS_FAILURE, 0, "tlsa", "tlsa (lookup|record)" },	/* DANE's DNS */
	{ CAUSE_DNS_FAILURE, 0, "mx", "no mx|\\bmx\\b.{0,20}(lookup|not found|error)" },
	{ CAUSE_SERVICE_UNAVAILABLE, POL_TIMEOUT, "time", "timed out|timeout" },
	{ CAUSE_SERVICE_UNAVAILABLE, POL_REFUSED, "refused", "connection refused" },
	{ CAUSE_SERVICE_UNAVAILABLE, POL_LOST, "connection", "connection (reset|closed|lost)|lost connection" },
	{ CAUSE_SERVICE_UNAVAILABLE, POL_TLS, "tls", "tls (is required|handshake|negotiation)|cannot start tls|starttls failed" },
	{ CAUSE_SERVICE_UNAVAILABLE, 0, "unreachable", NULL },
	{ CAUSE_SERVICE_UNAVAILABLE, 0, "no route to host", NULL },
	{ CAUSE_SERVICE_UNAVAILABLE, 0, "i/o error", NULL },
	{ CAUSE_SERVICE_UNAVAILABLE, 0, "eof", "\\beof\\b" },
	{ CAUSE_SERVICE_UNAVAILABLE, 0, "service", "service (not available|unavailable|temporarily unavailable)" },
	{ CAUSE_SERVICE_UNAVAILABLE, 0, "try again later", NULL },
	{ CAUSE_SERVICE_UNAVAILABLE, 0, "server unavailable", NULL },
	{ CAUSE_SERVICE_UNAVAILABLE, 0, "network error", NULL },	/* OpenSMTPD mta */
	{ CAUSE_SERVER_ERROR, POL_INTERNAL, "error", "local error|internal (server )?error|server error|i/o error" },
	{ CAUSE_SERVER_ERROR, 0, "temporary", "temporary (local )?(problem|failure)" },
	{ CAUSE_INVALID_ADDRESS, 0, "address", "(bad|invalid|malformed|illegal|unqualified) (\\S+ )?address|address (syntax|not allowed)|restricted characters in address" },
	{ CAUSE_INVALID_ADDRESS, 0, "invalid host name", NULL },
	{ CAUSE_PROTOCOL_ERROR, 0, "command", "(non-smtp|unknown|unrecognized|bad|invalid|improper) command|command (not recognized|unrecognized|not implemented)" },
	{ CAUSE_PROTOCOL_ERROR, 0, "pipelining", NULL },
	{ CAUSE_PROTOCOL_ERROR, 0, "syntax", NULL },
	{ CAUSE_PROTOCOL_ERROR, 0, "bad sequence", NULL },
	{ CAUSE_PROTOCOL_ERROR, 0, "not valid in this state", NULL },
	{ CAUSE_PROTOCOL_ERROR, 0, "command argument error", NULL },	/* Exchange IMAP4 */
};

#define NRULES	(sizeof(builtin) / sizeof(builtin[0]))

struct rule {
	int		 cause, detail;
	const char	*lit;
	size_t		 litlen;
	uint64_t	 head, mask;	/* lit's first 8 bytes, as loaded */
	pcre2_code	*re;
};

/* Rule numbers fit the uint8_t lists of struct classifier. */
_Static_assert(NRULES < 255, "too many built-in rules for the bigram table");

struct classifier {
	/* the rules whose literal starts with bytes a, b: first[a | b << 8]
	 * is 1 + the first such rule, next[i] 1 + the one after rule i */
	uint8_t		 first[1 << 16];
	uint8_t		 next[NRULES];
	struct rule	 rules[NRULES];
	size_t		 nrules;
	uint32_t	 ovec_max;
	struct urules	*user;		/* --rules (rules.c), or NULL */
};

struct classify_scratch {
	pcre2_match_data *md;
	char		 low[TEXT_MAX + 8];	/* + 8: literals_in loads 8 */
};

/* The two bytes at p as the index of first[]. */
static unsigned
bigram(const char *p)
{
	return (unsigned)(unsigned char)p[0] |
	    (unsigned)(unsigned char)p[1] << 8;
}

/* Every literal has two bytes at least: the table is indexed by two. */
static void
tables_init(struct classifier *c)
{
	size_t		 i, j, n;
	unsigned	 k;

	for (i = NRULES; i-- > 0;) {	/* each list in rule order */
		if (c->rules[i].litlen < 2)
			BUG("built-in literal shorter than two bytes");
		n = c->rules[i].litlen < 8 ? c->rules[i].litlen : 8;
		memcpy(&c->rules[i].head, c->rules[i].lit, n);
		memset(&c->rules[i].mask, 0xff, n);
		k = bigram(c->rules[i].lit);
		j = c->first[k];
		c->next[i] = (uint8_t)j;
		c->first[k] = (uint8_t)(i + 1);
	}
}

/*
 * Copies src[0..n) to dst lower-cased (ASCII A-Z only, as tolower in the
 * C locale, ascii.h), '_' as ' ' if underscore.
 */
static void
lower_copy(char *dst, const char *src, size_t n, int underscore)
{
	size_t	 i;

	lower_ascii(dst, src, n);
	if (underscore)
		for (i = 0; i < n; i++)
			if (dst[i] == '_')
				dst[i] = ' ';
}

/*
 * The rules whose literal occurs in s[0..n), as bits of have[2] (rule i
 * is bit i % 64 of have[i / 64]), in one pass over s. A candidate is
 * tried on its first 8 bytes in one compare (s has 8 readable bytes
 * past any position), then on the rest.
 */
static void
literals_in(const struct classifier *c, const char *s, size_t n,
    uint64_t have[2])
{
	const struct rule	*ru;
	size_t			 i, r;
	unsigned		 k;
	uint64_t		 w;

	have[0] = have[1] = 0;
	for (i = 0; i + 1 < n; i++) {
		if ((k = c->first[bigram(s + i)]) == 0)
			continue;
		memcpy(&w, s + i, 8);
		for (r = k - 1;; r = (size_t)c->next[r] - 1) {
			ru = &c->rules[r];
			if (ru->litlen <= n - i && (w & ru->mask) == ru->head &&
			    (ru->litlen <= 8 || memcmp(s + i + 8, ru->lit + 8,
			    ru->litlen - 8) == 0))
				have[r / 64] |= 1ULL << (r % 64);
			if (c->next[r] == 0)
				break;
		}
	}
}

struct classifier *
classify_new(void)
{
	struct classifier	*c = xcalloc(1, sizeof(*c));
	size_t			 i;
	int			 rc;
	PCRE2_SIZE		 off;
	PCRE2_UCHAR		 msg[256];

	for (i = 0; i < NRULES; i++) {
		struct rule *r = &c->rules[i];
		r->cause = builtin[i].cause;
		r->detail = builtin[i].detail;
		r->lit = builtin[i].lit;
		r->litlen = strlen(r->lit);
		if (builtin[i].re == NULL)
			continue;
		r->re = pcre2_compile((PCRE2_SPTR)builtin[i].re,
		    PCRE2_ZERO_TERMINATED, 0, &rc, &off, NULL);
		if (r->re == NULL) {
			pcre2_get_error_message(rc, msg, sizeof(msg));
			log_error("built-in rule %zu: %s at %zu", i,
			    (char *)msg, (size_t)off);
			c->nrules = i;
			classify_free(c);
			return NULL;
		}
		(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	}
	c->nrules = NRULES;
	tables_init(c);
	return c;
}

void
classify_free(struct classifier *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrules; i++)
		pcre2_code_free(c->rules[i].re);
	urules_free(c->user);
	free(c);
}

const struct rule_def *
classify_builtin(size_t *n)
{
	*n = NRULES;
	return builtin;
}

struct urules *
classify_get_urules(const struct classifier *c)
{
	return c->user;
}

void
classify_set_urules(struct classifier *c, struct urules *u)
{
	c->user = u;
}

struct classify_scratch *
classify_scratch_new(const struct classifier *c)
{
	struct classify_scratch	*s = xcalloc(1, sizeof(*s));
	uint32_t		 pairs = urules_ovec(c->user);

	s->md = pcre2_match_data_create(pairs > 4 ? pairs : 4, NULL);
	if (s->md == NULL)
		log_die("out of memory (pcre2 match data)");
	return s;
}

void
classify_scratch_free(struct classify_scratch *s)
{
	if (s == NULL)
		return;
	pcre2_match_data_free(s->md);
	free(s);
}

/* Step 3a for the user rules alone, on the lower-cased s->low. */
static int
match_user(const struct classifier *c, struct classify_scratch *s,
    struct event *ev, size_t n)
{
	int	 cause;

	if (c->user == NULL || (cause = urules_match(c->user, s->md, s->low,
	    n, ev)) == CAUSE_NONE)
		return 0;
	ev->cause = (int16_t)cause;
	return 1;
}

/* Step 3a, the built-in text rules, on the lower-cased s->low. */
static int
match_builtin(const struct classifier *c, struct classify_scratch *s,
    struct event *ev, size_t n)
{
	uint64_t	 have[2], bits;
	size_t		 w, i;

	literals_in(c, s->low, n, have);
	for (w = 0; w < 2; w++)
		for (bits = have[w]; bits != 0; bits &= bits - 1) {
			const struct rule *r;

			i = w * 64 + (size_t)__builtin_ctzll(bits);
			r = &c->rules[i];
			if (r->re != NULL && pcre2_match(r->re,
			    (PCRE2_SPTR)s->low, n, 0, 0, s->md, NULL) < 0)
				continue;
			ev->cause = (int16_t)r->cause;
			ev->detail = (uint8_t)r->detail;
			return 1;
		}
	return 0;
}

/*
 * "cls.sub.det" at s as sscanf's "%d.%d.%d" reads it: 3 when all three
 * parts are there. Parsers fill ev->enh with digits and dots only, read
 * here digit by digit; anything sscanf would read its own way (blanks,
 * signs, more than 9 digits) goes to sscanf, whose start-up cost was a
 * quarter of classify_event's.
 */
MXT_STATIC int
enh_parts(const char *s, int v[3])
{
	const char	*start = s;
	int		 i, digits;

	for (i = 0; i < 3; i++) {
		if (i > 0 && *s++ != '.')
			return i;		/* the literal '.' does not match */
		if ((unsigned)(*s - '0') > 9)
			break;
		for (v[i] = 0, digits = 0; (unsigned)(*s - '0') <= 9; s++) {
			if (++digits > 9)
				break;
			v[i] = v[i] * 10 + (*s - '0');
		}
		if (digits > 9)
			break;
	}
	if (i == 3)
		return 3;
	return sscanf(start, "%d.%d.%d", &v[0], &v[1], &v[2]);
}

static int
enhanced_cause(const char *enh)
{
	int	 v[3];

	if (enh[0] == '\0' || enh_parts(enh, v) != 3)
		return CAUSE_NONE;
	return code_cause_enhanced(v[0], v[1], v[2]);
}

/* Step 3c: the basic code, then the POP3/IMAP response code. */
static int
basic_cause(const struct event *ev)
{
	int	 cause = CAUSE_NONE;

	if (ev->code[0] != '\0')
		cause = code_cause_basic(atoi(ev->code));
	if (cause == CAUSE_NONE && ev->resp[0] != '\0')
		cause = code_cause_resp(ev->resp, strlen(ev->resp));
	return cause;
}

/*
 * A failed login (POP3/IMAP login, SMTP AUTH): the parser's hint, the
 * response code a login failure gets, 535 or x.7.8, or a login failure
 * waiting for its auth verdict (EV_JOIN).
 */
static int
is_login(const struct event *ev)
{
	return ev->hint == CAUSE_AUTH_FAILURE || (ev->flags & EV_JOIN) ||
	    strcmp(ev->resp, "AUTH") == 0 ||
	    strcmp(ev->resp, "AUTHENTICATIONFAILED") == 0 ||
	    strcmp(ev->code, "535") == 0 || strcmp(ev->enh, "5.7.8") == 0;
}

/*
 * causes.md: a login that names no user is an auth_failure whatever the
 * words ("user not found"), with detail unknown_user; unknown_mailbox is
 * a recipient or mailbox that does not exist.
 */
static void
login_unknown(struct event *ev)
{
	if (ev->cause == CAUSE_UNKNOWN_MAILBOX && is_login(ev)) {
		ev->cause = CAUSE_AUTH_FAILURE;
		ev->detail = POL_UNKNOWN_USER;
	}
}

/*
 * The one place a cause is decided. The parser's hint ranks below the
 * text rules and the enhanced code (a daemon's own words and the RFC 3463
 * code are more specific than a parser's label for the line) and above
 * the basic and response codes. When the text is a fixed label
 * (EV_LABEL), the enhanced code goes before the text rules.
 */
void
classify_event(const struct classifier *c, struct classify_scratch *s,
    struct event *ev)
{
	size_t		 n = ev->text.len < TEXT_MAX ? ev->text.len : TEXT_MAX;
	int		 enh;

	ev->detail = POL_NONE;
	lower_copy(s->low, ev->text.p, n, ev->flags & EV_UNDERSCORE);
	if (match_user(c, s, ev, n))
		return;
	enh = enhanced_cause(ev->enh);
	if ((ev->flags & EV_LABEL) && enh != CAUSE_NONE)
		ev->cause = (int16_t)enh;
	else if (match_builtin(c, s, ev, n)) {
		login_unknown(ev);
		return;
	} else if (enh != CAUSE_NONE)
		ev->cause = (int16_t)enh;
	else if (ev->hint != CAUSE_NONE)
		ev->cause = ev->hint;
	else if ((ev->cause = (int16_t)basic_cause(ev)) == CAUSE_NONE)
		ev->cause = CAUSE_UNCLASSIFIED;
	login_unknown(ev);
}
