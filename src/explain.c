/*
 * `mxtally explain`: reads one argument as reply codes ("452", "4.3.1",
 * "452 4.3.1"), a lone POP3/IMAP response code ("IN-USE", "[OVERQUOTA]")
 * or a reply text ("-ERR [IN-USE] Mailbox Locked", "550 5.1.1 ... User
 * unknown", or bare POP3 words such as "invalid password"), classifies a
 * text the way a log line would be (parse_reply, then classify_event)
 * and prints what it means, whether it is temporary or permanent, the
 * cause and the first step. It keeps nothing between calls: the
 * classifier is built and freed for each one.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/event.h"
#include "mxtally/explain.h"
#include "mxtally/log.h"
#include "mxtally/parse.h"

#define WIDTH	78		/* wrap output at this column */
#define INDENT	12		/* values start here, after the label */

enum kind {
	K_CODES,		/* only codes: "452", "4.3.1", "452 4.3.1" */
	K_RESP,			/* only a response code: "IN-USE" */
	K_SUCCESS,		/* a success reply: "+OK ...", "250 ..." */
	K_REPLY,		/* a failure reply that parse_reply read */
	K_TEXT			/* bare text, perhaps after "[CODE]" */
};

/* Prints "label:    text", wrapping text at WIDTH under the value column. */
static void
put(FILE *out, const char *label, const char *text)
{
	size_t		 col = INDENT, n;
	const char	*p = text;

	fprintf(out, "%-*s", INDENT, label);
	while (*p == ' ')
		p++;
	while (*p != '\0') {
		n = strcspn(p, " ");
		if (col > INDENT && col + 1 + n > WIDTH) {
			fprintf(out, "\n%*s", INDENT, "");
			col = INDENT;
		} else if (col > INDENT) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, n, out);
		col += n;
		for (p += n; *p == ' '; p++)
			;
	}
	fputc('\n', out);
}

static int
digits3(const char *p)
{
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]);
}

/* Length of "D.D{1,3}.D{1,3}" at p, else 0. */
static size_t
enh_at(const char *p)
{
	const char	*q = p;
	int		 part, n;

	if (!isdigit((unsigned char)*q++))
		return 0;
	for (part = 0; part < 2; part++) {
		if (*q++ != '.')
			return 0;
		for (n = 0; isdigit((unsigned char)*q); q++)
			n++;
		if (n < 1 || n > 3)
			return 0;
	}
	return (size_t)(q - p);
}

/* s is "NNN", "C.S.D", "NNN C.S.D" or "NNN-C.S.D" and nothing else. */
static int
read_codes(const char *s, struct event *ev)
{
	const char	*p = s;
	size_t		 n;

	if (digits3(p) && (p[3] == '\0' || p[3] == ' ' || p[3] == '-')) {
		if (p[3] == '\0') {
			memcpy(ev->code, p, 4);
			return 1;
		}
		for (p += 4; *p == ' '; p++)
			;
	}
	if ((n = enh_at(p)) == 0 || p[n] != '\0')
		return 0;
	if (p != s) {
		memcpy(ev->code, s, 3);
		ev->code[3] = '\0';
	}
	memcpy(ev->enh, p, n + 1);
	return 1;
}

/* s is one response code the tables know, with or without brackets. */
static int
read_resp_only(const char *s, struct event *ev)
{
	size_t	 n = strlen(s);

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(ev->resp) || memchr(s, ' ', n) != NULL ||
	    code_meaning_resp(s, n) == NULL)
		return 0;
	memcpy(ev->resp, s, n);
	ev->resp[n] = '\0';
	return 1;
}

/* "+OK ..." or a reply starting with a 1xx, 2xx or 3xx code. */
static int
read_success(const char *s, struct event *ev)
{
	size_t	 n;

	if (strncmp(s, "+OK", 3) == 0) {
		ev->proto = PROTO_POP3;
		return 1;
	}
	if (!digits3(s) || s[0] < '1' || s[0] > '3' ||
	    (s[3] != '\0' && s[3] != ' ' && s[3] != '-'))
		return 0;
	memcpy(ev->code, s, 3);
	ev->code[3] = '\0';
	ev->proto = PROTO_SMTP;
	if (s[3] != '\0' && (n = enh_at(s + 4)) > 0 &&
	    (s[4 + n] == '\0' || s[4 + n] == ' ')) {
		memcpy(ev->enh, s + 4, n);
		ev->enh[n] = '\0';
	}
	return 1;
}

/* Bare text: an optional leading "[CODE]" goes to resp, the rest to text. */
static void
read_bare(const char *s, struct event *ev)
{
	const char	*q;
	size_t		 n;

	if (s[0] == '[' && (q = strchr(s, ']')) != NULL &&
	    (n = (size_t)(q - s - 1)) > 0 && n < sizeof(ev->resp)) {
		memcpy(ev->resp, s + 1, n);
		ev->resp[n] = '\0';
		for (s = q + 1; *s == ' '; s++)
			;
	}
	ev->text = (struct slice){ s, strlen(s) };
}

/* Steps 3b and 3c of causes.md: enhanced, then basic or response code. */
static int
codes_cause(const struct event *ev)
{
	int	 cls, sub, det, c = CAUSE_NONE;

	if (ev->enh[0] != '\0' &&
	    sscanf(ev->enh, "%d.%d.%d", &cls, &sub, &det) == 3)
		c = code_cause_enhanced(cls, sub, det);
	if (c == CAUSE_NONE && ev->code[0] != '\0')
		c = code_cause_basic(atoi(ev->code));
	if (c == CAUSE_NONE && ev->resp[0] != '\0')
		c = code_cause_resp(ev->resp, strlen(ev->resp));
	return c;
}

static void
classify_text(struct event *ev)
{
	struct classifier	*c;
	struct classify_scratch	*s;

	if ((c = classify_new()) == NULL) {
		log_warn("no text rules; explaining by codes only");
		ev->cause = (int16_t)codes_cause(ev);
		if (ev->cause == CAUSE_NONE)
			ev->cause = CAUSE_UNCLASSIFIED;
		return;
	}
	s = classify_scratch_new(c);
	classify_event(c, s, ev);
	classify_scratch_free(s);
	classify_free(c);
}

/* True if resp is name or a POP3 child of it ("SYS/TEMP/DISK"). */
static int
resp_is(const char *resp, const char *name)
{
	size_t	 n = strlen(name);

	return strncasecmp(resp, name, n) == 0 &&
	    (resp[n] == '\0' || resp[n] == '/' || resp[n] == ' ');
}

static const char *
status_of(const struct event *ev, int failure)
{
	int	 c = failure ? 0 : 2;

	if (ev->enh[0] != '\0')
		c = ev->enh[0] - '0';
	else if (ev->code[0] != '\0')
		c = ev->code[0] - '0';
	switch (c) {
	case 1:
	case 3:
		return "intermediate: the server waits for more from the "
		    "client";
	case 2:
		return "success: nothing failed";
	case 4:
		return "temporary: the same request may succeed later";
	case 5:
		return "permanent: the same request fails again until "
		    "something is changed";
	}
	if (ev->resp[0] != '\0') {
		if (resp_is(ev->resp, "SYS/PERM"))
			return "permanent: retrying will not help until the "
			    "server is fixed";
		if (resp_is(ev->resp, "SYS/TEMP") ||
		    resp_is(ev->resp, "IN-USE") ||
		    resp_is(ev->resp, "LOGIN-DELAY") ||
		    resp_is(ev->resp, "INUSE") ||
		    resp_is(ev->resp, "UNAVAILABLE"))
			return "temporary: the same request may succeed later";
	}
	if (ev->proto == PROTO_POP3 || ev->proto == PROTO_IMAP)
		return "a failure; POP3 and IMAP replies do not say whether "
		    "it is temporary";
	if (ev->proto == PROTO_NONE && ev->text.len > 0)
		return "not stated by the text";
	return NULL;
}

/* Code lines; returns 0, or -1 if a code is no valid code at all. */
static int
put_codes(FILE *out, const struct event *ev)
{
	char		 m[256], line[320];
	const char	*rm;
	int		 cls, sub, det, bad = 0;

	if (ev->resp[0] != '\0') {
		rm = code_meaning_resp(ev->resp, strlen(ev->resp));
		snprintf(line, sizeof(line), "[%s] %s", ev->resp, rm != NULL ?
		    rm : "is not a response code mxtally knows");
		put(out, "response:", line);
	}
	if (ev->code[0] != '\0') {
		code_meaning_basic(atoi(ev->code), m, sizeof(m));
		snprintf(line, sizeof(line), "%s: %s", ev->code, m);
		put(out, "code:", line);
		bad |= ev->code[0] < '1' || ev->code[0] > '5';
	}
	if (ev->enh[0] != '\0' &&
	    sscanf(ev->enh, "%d.%d.%d", &cls, &sub, &det) == 3) {
		code_meaning_enhanced(cls, sub, det, m, sizeof(m));
		snprintf(line, sizeof(line), "%s: %s", ev->enh, m);
		put(out, "enhanced:", line);
		bad |= cls != 2 && cls != 4 && cls != 5;
		if (ev->code[0] != '\0' && ev->code[0] != ev->enh[0] && !bad)
			put(out, "note:", "the two codes disagree on the "
			    "class; RFC 3463 wants them to match");
	}
	return bad ? -1 : 0;
}

/* Cause, meaning and first step; cause may be CAUSE_NONE. */
static void
put_cause(FILE *out, const struct event *ev, int failure)
{
	const struct cause_info	*ci;
	const char		*adv;
	char			 line[128];

	if (!failure) {
		put(out, "cause:", "none, this is not a failure");
		put(out, "first step:", "nothing to do");
		return;
	}
	if (ev->cause == CAUSE_NONE) {
		put(out, "cause:", "none from the code alone; in a log the "
		    "reply text may say more, else it counts as "
		    "unclassified");
		adv = ev->code[0] != '\0' ? code_advice_basic(atoi(ev->code)) :
		    NULL;
		put(out, "first step:", adv != NULL ? adv : "Read the full "
		    "reply text and the server's log for the reason.");
		return;
	}
	ci = cause_get(ev->cause);
	snprintf(line, sizeof(line), "%s (group: %s)", ci->id,
	    ci->group[0] != '\0' ? ci->group : "none");
	put(out, "cause:", line);
	put(out, "meaning:", ci->meaning);
	put(out, "first step:", ci->advice);
}

static int
is_failure(const struct event *ev, enum kind k)
{
	if (k == K_SUCCESS)
		return 0;
	if (ev->enh[0] != '\0')
		return ev->enh[0] == '4' || ev->enh[0] == '5';
	if (ev->code[0] != '\0')
		return ev->code[0] == '4' || ev->code[0] == '5';
	return 1;
}

static int
not_understood(FILE *out, const char *s)
{
	fprintf(out, "not understood: '%s' is neither a reply code (such as "
	    "452, 5.7.8 or \"452 4.3.1\") nor a reply text mxtally "
	    "recognises\n", s);
	return 1;
}

int
explain_write(FILE *out, const char *arg)
{
	struct event	 ev;
	enum kind	 k;
	const char	*st;
	char		*s;
	size_t		 n;
	int		 rc = 0;

	while (*arg == ' ' || *arg == '\t')
		arg++;
	for (n = strlen(arg); n > 0 && isspace((unsigned char)arg[n - 1]);)
		n--;
	s = xstrndup(arg, n);
	event_reset(&ev);
	if (n == 0) {
		fputs("nothing to explain: give a reply code or a reply "
		    "text\n", out);
		free(s);
		return 1;
	}
	if (read_codes(s, &ev))
		k = K_CODES;
	else if (read_resp_only(s, &ev))
		k = K_RESP;
	else if (read_success(s, &ev))
		k = K_SUCCESS;
	else if (parse_reply((struct slice){ s, n }, &ev))
		k = K_REPLY;
	else {
		read_bare(s, &ev);
		k = K_TEXT;
	}
	if (k == K_REPLY || k == K_TEXT)
		classify_text(&ev);
	else if (k != K_SUCCESS)
		ev.cause = (int16_t)codes_cause(&ev);
	if (k == K_TEXT && ev.cause == CAUSE_UNCLASSIFIED &&
	    (ev.resp[0] == '\0' ||
	    code_meaning_resp(ev.resp, strlen(ev.resp)) == NULL)) {
		rc = not_understood(out, s);
		free(s);
		return rc;
	}
	if (k == K_SUCCESS || k == K_REPLY || k == K_TEXT)
		put(out, "reply:", s);
	if (ev.proto != PROTO_NONE)
		put(out, "protocol:", proto_name(ev.proto));
	if (put_codes(out, &ev) == -1) {
		fputs("mxtally cannot explain this: it is no valid reply "
		    "code\n", out);
		rc = 1;
	} else {
		if ((st = status_of(&ev, is_failure(&ev, k))) != NULL)
			put(out, "status:", st);
		put_cause(out, &ev, is_failure(&ev, k));
	}
	free(s);
	return rc;
}
