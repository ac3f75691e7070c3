/*
 * hostile: write an adversarial-cardinality mail log to stdout, the kind
 * a password-spraying botnet leaves behind: every line a POP3 failure for
 * a different user name, with a reply text that masks to one of many
 * distinct unclassified templates.
 *
 *	hostile USERS TEXTS [HEAVY [MSGS [SESSIONS]]]
 *
 * Writes USERS lines (qpopper format). Line i is for user "u" + name(i),
 * so all USERS names are distinct; its reply is "-ERR frobnicated " +
 * name(i % TEXTS), so there are exactly min(USERS, TEXTS) distinct
 * templates (names use the letters g..z only, which the template masker
 * keeps verbatim). Every HEAVY-th line (default 0 = none) is followed by
 * one more line for the user "heavy" with the reply of text 0, so the
 * expected counts are known in closed form for tests:
 *
 *	events            USERS + USERS / HEAVY
 *	distinct users    USERS + (HEAVY ? 1 : 0)
 *
 * Then MSGS Postfix messages (a big relay, or spam to guessed names):
 * message i is received from "s" + name(i) + "@" + name(i) + ".example",
 * 1000 bytes, and delivered once to "r" + name(i) + "@" + name(i) +
 * ".example", so every sender, recipient and domain is distinct:
 *
 *	received, delivered, senders, recipients   MSGS
 *	bytes received, bytes delivered            1000 * MSGS
 *
 * Then SESSIONS Dovecot IMAP login failures, each in its own session;
 * even sessions are preceded by the auth worker's "unknown user" verdict
 * for it (the Dovecot join), odd ones are wrong passwords:
 *
 *	unknown_mailbox   (SESSIONS + 1) / 2
 *	auth_failure      SESSIONS / 2
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* i in base 20 over the letters g..z, at least 4 letters */
static char *
name(unsigned long i, char *buf)
{
	char	 tmp[32];
	int	 n = 0, k = 0;

	do {
		tmp[n++] = (char)('g' + i % 20);
		i /= 20;
	} while (i > 0 || n < 4);
	while (n > 0)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
	return buf;
}

static int
arg(const char *s, unsigned long *v)
{
	char	*end;

	*v = strtoul(s, &end, 10);
	return end != s && *end == '\0';
}

int
main(int argc, char **argv)
{
	unsigned long	 users, texts, heavy = 0, msgs = 0, sess = 0, i;
	char		 u[32], t[32];
	static char	 obuf[1 << 16];

	if (argc < 3 || argc > 6 || !arg(argv[1], &users) ||
	    !arg(argv[2], &texts) || texts == 0 ||
	    (argc >= 4 && !arg(argv[3], &heavy)) ||
	    (argc >= 5 && !arg(argv[4], &msgs)) ||
	    (argc >= 6 && !arg(argv[5], &sess))) {
		fputs("usage: hostile USERS TEXTS [HEAVY [MSGS [SESSIONS]]]\n",
		    stderr);
		return 2;
	}
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	for (i = 0; i < users; i++) {
		printf("Nov 21 07:%02lu:%02lu spray popper[%lu]: u%s at x "
		    "(192.0.2.1): -ERR frobnicated %s\n", i / 60 % 60, i % 60,
		    1000 + i % 30000, name(i, u), name(i % texts, t));
		if (heavy != 0 && (i + 1) % heavy == 0)
			printf("Nov 21 07:00:00 spray popper[1]: heavy at x "
			    "(192.0.2.1): -ERR frobnicated %s\n", name(0, t));
	}
	for (i = 0; i < msgs; i++) {
		name(i, u);
		printf("Nov 21 08:%02lu:%02lu relay postfix/smtpd[%lu]: "
		    "%010lX: client=h%s.example[192.0.2.2]\n", i / 60 % 60,
		    i % 60, 2000 + i % 30000, i, u);
		printf("Nov 21 08:%02lu:%02lu relay postfix/qmgr[900]: "
		    "%010lX: from=<s%s@%s.example>, size=1000, nrcpt=1 "
		    "(queue active)\n", i / 60 % 60, i % 60, i, u, u);
		printf("Nov 21 08:%02lu:%02lu relay postfix/smtp[%lu]: "
		    "%010lX: to=<r%s@%s.example>, relay=mx.%s.example"
		    "[198.51.100.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, "
		    "status=sent (250 2.0.0 Ok)\n", i / 60 % 60, i % 60,
		    3000 + i % 30000, i, u, u, u);
		printf("Nov 21 08:%02lu:%02lu relay postfix/qmgr[900]: "
		    "%010lX: removed\n", i / 60 % 60, i % 60, i);
	}
	for (i = 0; i < sess; i++) {
		name(i, u);
		if (i % 2 == 0)
			printf("Nov 21 09:%02lu:%02lu store dovecot: "
			    "auth-worker(7): conn unix:auth-worker (pid=6,"
			    "uid=97): auth-worker<%lu>: sql(v%s,203.0.113.9,"
			    "<S%s>): unknown user\n", i / 60 % 60, i % 60, i,
			    u, u);
		printf("Nov 21 09:%02lu:%02lu store dovecot: imap-login: "
		    "Disconnected: Connection closed (auth failed, 1 attempts "
		    "in 2 secs): user=<v%s>, method=PLAIN, rip=203.0.113.9, "
		    "lip=10.0.0.1, TLS, session=<S%s>\n", i / 60 % 60, i % 60,
		    u, u);
	}
	if (fflush(stdout) != 0) {
		perror("hostile");
		return 1;
	}
	return 0;
}
