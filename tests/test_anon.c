/*
 * Unit tests of --anonymize: option parsing, key file creation and
 * reuse, and the tokens themselves. Expected tokens were computed apart
 * from mxtally, with Python's hmac module:
 *   hmac.new(b"0123456789abcdef0123456789abcdef", b"u-\0alice",
 *            hashlib.sha256).hexdigest()[:12]  ->  bab7f3920686
 * and likewise for the other values named below.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mxtally/anon.h"
#include "mxtally/event.h"
#include "mxtally/parse.h"
#include "slurp.h"

static const char test_key[] = "0123456789abcdef0123456789abcdef\n";

static struct anon *
anon_with_key(const char *text, int flags, char *path)
{
	int	 fd = mkstemp(path);

	cr_assert(fd != -1);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return anon_new(flags, path);
}

Test(anon, parse_what, .timeout = 5)
{
	int	 f;

	cr_assert_eq(anon_parse_what("users", &f), 0);
	cr_assert_eq(f, ANON_USERS);
	cr_assert_eq(anon_parse_what("ips", &f), 0);
	cr_assert_eq(f, ANON_IPS);
	cr_assert_eq(anon_parse_what("users,ips", &f), 0);
	cr_assert_eq(f, ANON_USERS | ANON_IPS);
	cr_assert_eq(anon_parse_what("", &f), -1);
	cr_assert_eq(anon_parse_what("users,hosts", &f), -1);
	cr_assert_eq(anon_parse_what("user", &f), -1);
}

Test(anon, known_tokens, .timeout = 5)
{
	char		 path[] = "/tmp/mxt-anon-key.XXXXXX", tok[32];
	struct anon	*a = anon_with_key(test_key, ANON_USERS | ANON_IPS,
	    path);

	unlink(path);
	cr_assert_not_null(a);
	anon_token(a, ANON_USERS, "alice", 5, tok, sizeof(tok));
	cr_assert_str_eq(tok, "u-bab7f3920686");
	/* lower-cased before hashing: the same user, the same token */
	anon_token(a, ANON_USERS, "ALICE", 5, tok, sizeof(tok));
	cr_assert_str_eq(tok, "u-bab7f3920686");
	anon_token(a, ANON_USERS, "Alice@Example.NET", 17, tok, sizeof(tok));
	cr_assert_str_eq(tok, "u-6c295d5f50ae");
	/* "ip-" NUL "192.0.2.7" (python: b"ip-\x00192.0.2.7") */
	anon_token(a, ANON_IPS, "192.0.2.7", 9, tok, sizeof(tok));
	cr_assert_str_eq(tok, "ip-a9356dd2e2d9");
	anon_free(a);
}

Test(anon, event_fields, .timeout = 5)
{
	char		 path[] = "/tmp/mxt-anon-key.XXXXXX";
	struct anon_buf	 buf;
	struct anon	*a = anon_with_key(test_key, ANON_USERS, path);
	struct event	 ev;

	unlink(path);
	cr_assert_not_null(a);
	event_reset(&ev);
	ev.user = (struct slice){ "alice", 5 };
	ev.client = (struct slice){ "192.0.2.7", 9 };
	anon_event(a, &ev, &buf);
	cr_assert_eq(ev.user.len, 14);
	cr_assert(memcmp(ev.user.p, "u-bab7f3920686", 14) == 0);
	/* ips not asked for: the client stays */
	cr_assert(ev.client.len == 9 && memcmp(ev.client.p, "192.0.2.7", 9) == 0);
	/* an event without a user keeps none */
	ev.user = (struct slice){ "", 0 };
	anon_event(a, &ev, &buf);
	cr_assert_eq(ev.user.len, 0);
	anon_free(a);
}

Test(anon, key_file_made_once, .timeout = 5)
{
	char		 dir[] = "/tmp/mxt-anon-dir.XXXXXX", path[64];
	char		 t1[32], t2[32], text[80];
	struct anon	*a, *b;
	struct stat	 sb;
	FILE		*f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/key", dir);
	a = anon_new(ANON_USERS, path);
	cr_assert_not_null(a);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	f = fopen(path, "r");
	cr_assert_not_null(fgets(text, sizeof(text), f));
	fclose(f);
	cr_assert_eq(strlen(text), 65);		/* 64 hex digits, newline */
	cr_assert_eq(strspn(text, "0123456789abcdef"), 64);
	b = anon_new(ANON_USERS, path);
	cr_assert_not_null(b);
	anon_token(a, ANON_USERS, "bob", 3, t1, sizeof(t1));
	anon_token(b, ANON_USERS, "bob", 3, t2, sizeof(t2));
	cr_assert_str_eq(t1, t2);
	anon_free(a);
	anon_free(b);
	unlink(path);
	rmdir(dir);
}

Test(anon, short_key_refused, .timeout = 5, .init = cr_redirect_stderr)
{
	char		 path[] = "/tmp/mxt-anon-key.XXXXXX", want[512], *err;
	struct anon	*a = anon_with_key("too short\n", ANON_USERS, path);

	unlink(path);
	cr_assert_null(a);
	/* said where it was found, naming the key file */
	fflush(stderr);
	err = slurp(cr_get_redirected_stderr());
	snprintf(want, sizeof(want), "mxtally: error: '%s': key shorter "
	    "than 16 bytes\n", path);
	cr_assert_str_eq(err, want);
	free(err);
}

/* A key file that cannot be read is refused, naming it. */
Test(anon, unreadable_key_refused, .timeout = 5, .init = cr_redirect_stderr)
{
	char		 dir[] = "/tmp/mxt-anon-dir.XXXXXX", path[64], *err;
	char		 want[512];

	cr_assert_not_null(mkdtemp(dir));
	/* a directory: open(2) works, read(2) fails with EISDIR */
	snprintf(path, sizeof(path), "%s", dir);
	cr_assert_null(anon_new(ANON_USERS, path));
	fflush(stderr);
	err = slurp(cr_get_redirected_stderr());
	snprintf(want, sizeof(want), "mxtally: error: cannot read '%s': %s\n",
	    path, strerror(EISDIR));
	cr_assert_str_eq(err, want);
	free(err);
	rmdir(dir);
}

/*
 * Reply texts: the tokens are the ones anon_token gives (known_tokens
 * above pins alice's and 192.0.2.7's), written where the name or the
 * address stood; the rest of the text is untouched.
 */
Test(anon, reply_text, .timeout = 5)
{
	char		 path[] = "/tmp/mxt-anon-key.XXXXXX";
	char		 out[512], alice[32], ip[32], bob[32], v6[32], pc[32];
	char		 want[512];
	struct anon	*a = anon_with_key(test_key, ANON_USERS | ANON_IPS,
	    path);
	const char	*text = "-ERR [IN-USE] Alice is locked by 192.0.2.7:110"
	    " (user:alice, <bob@example.org>: rejected from "
	    "[IPv6:2001:db8::5] pc.example, at 12:30:45, 10.0.0.300.)";
	size_t		 n;

	unlink(path);
	cr_assert_not_null(a);
	anon_token(a, ANON_USERS, "alice@example.net", 17, alice,
	    sizeof(alice));
	anon_token(a, ANON_IPS, "192.0.2.7", 9, ip, sizeof(ip));
	anon_token(a, ANON_USERS, "bob@example.org", 15, bob, sizeof(bob));
	anon_token(a, ANON_IPS, "2001:db8::5", 11, v6, sizeof(v6));
	anon_token(a, ANON_IPS, "pc.example", 10, pc, sizeof(pc));
	/* the user's local part, any address; a time and 10.0.0.300 stay */
	snprintf(want, sizeof(want), "-ERR [IN-USE] %s is locked by %s:110 "
	    "(user:%s, <%s>: rejected from [IPv6:%s] %s, at 12:30:45, "
	    "10.0.0.300.)", alice, ip, alice, bob, v6, pc);
	n = anon_text(a, (struct slice){ text, strlen(text) },
	    (struct slice){ "alice@example.net", 17 },
	    (struct slice){ "pc.example", 10 }, out, sizeof(out));
	cr_assert_str_eq(out, want);
	cr_assert_eq(n, strlen(want));
	/* a short buffer: the text ends before the first piece that does
	 * not fit whole (here alice's token): no name or token is cut */
	n = anon_text(a, (struct slice){ text, strlen(text) },
	    (struct slice){ "alice@example.net", 17 },
	    (struct slice){ "", 0 }, out, 20);
	cr_assert_str_eq(out, "-ERR [IN-USE] ");
	cr_assert_eq(n, 14);
	anon_free(a);
}
