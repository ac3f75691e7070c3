/*
 * hostile: write an adversarial-cardinality mail log to stdout, the kind
 * a password-spraying botnet leaves behind: every line a POP3 failure for
 * a different user name, with a reply text that masks to one of many
 * distinct unclassified templates.
 *
 *	hostile USERS TEXTS [HEAVY]
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
	unsigned long	 users, texts, heavy = 0, i;
	char		 u[32], t[32];
	static char	 obuf[1 << 16];

	if (argc < 3 || argc > 4 || !arg(argv[1], &users) ||
	    !arg(argv[2], &texts) || texts == 0 ||
	    (argc == 4 && !arg(argv[3], &heavy))) {
		fputs("usage: hostile USERS TEXTS [HEAVY]\n", stderr);
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
	if (fflush(stdout) != 0) {
		perror("hostile");
		return 1;
	}
	return 0;
}
