/*
 * Pushing to Alertmanager (src/alert/push.c): an error names the URL
 * without the password of its user information.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>

#include "../src/alert/push.h"

static void
redirect(void)
{
	cr_redirect_stderr();
}

/* Port 1 on loopback: nothing listens, the connection is refused. */
Test(push, error_hides_password, .init = redirect, .timeout = 20)
{
	char	 buf[4096];
	size_t	 n;
	FILE	*f;

	push_init();
	cr_assert_eq(push_send("http://amuser:s3cr3t-pw@127.0.0.1:1/", "[]", 2),
	    -1);
	cr_assert_eq(push_send("http://127.0.0.1:1/p@th", "[]", 2), -1);
	fflush(stderr);
	f = cr_get_redirected_stderr();
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	cr_assert(strstr(buf, "s3cr3t") == NULL, "password shown: %s", buf);
	cr_assert(strstr(buf, "'http://amuser@127.0.0.1:1/api/v2/alerts'") !=
	    NULL, "%s", buf);
	/* an '@' after the host is not user information */
	cr_assert(strstr(buf, "'http://127.0.0.1:1/p@th/api/v2/alerts'") !=
	    NULL, "%s", buf);
}
