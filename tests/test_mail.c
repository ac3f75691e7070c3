/*
 * Tests of the mail subject (report_subject) on the report fixture, and
 * of the message mail_write builds: the encodings' edge cases, which a
 * real report may never hit (tests/mail.sh reads real messages back
 * through Postfix and Python's email package).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "mxtally/mail.h"
#include "report_fixture.h"

Test(mail, subject_one_host, .timeout = 5)
{
	struct result	 r = tiny_result();
	char		 s[256];

	/* mx1 is the only host; storage: alice's 2 quota events; no
	 * traffic, so a count */
	report_subject(&r, 0, "thishost", s, sizeof(s));
	cr_assert_str_eq(s, "mx1: 3 errors, storage 2");
	report_subject(&r, 1, "thishost", s, sizeof(s));
	cr_assert_str_eq(s, "mx1: 0 alerts, 3 errors, storage 2");
	r.nalerts = 1;
	r.nerrors = 2;
	r.traffic.delivered = 150;
	r.traffic.deferrals = 40;
	r.traffic.bounced = 10;
	report_subject(&r, 1, "thishost", s, sizeof(s));
	cr_assert_str_eq(s, "mx1: 2 inputs NOT READ, 1 alert, 3 errors, "
	    "storage 1.0 % of traffic");
	r.traffic.pop3.ok = 1799800;	/* 2 of 1,800,000 */
	r.events = 1204;
	report_subject(&r, 0, "thishost", s, sizeof(s));
	cr_assert_str_eq(s, "mx1: 2 inputs NOT READ, 1,204 errors, "
	    "storage <0.1 % of traffic");
}

Test(mail, subject_host_from_log_is_cleaned, .timeout = 5)
{
	struct result	 r = tiny_result();
	struct entity_row h = { "mx1\nBcc: evil@example.org", 0, 3, NULL };
	char		 s[256];

	r.hosts = &h;
	report_subject(&r, 0, "x", s, sizeof(s));
	cr_assert_str_eq(s, "mx1?Bcc??evil?example.org: 3 errors, storage 2");
	/* two hosts: this machine's name */
	r.nhosts = 2;
	report_subject(&r, 0, "mail.example.net", s, sizeof(s));
	cr_assert_str_eq(s, "mail.example.net: 3 errors, storage 2");
}

Test(mail, addresses, .timeout = 5)
{
	cr_assert(mail_addr_ok("postmaster@example.org"));
	cr_assert(mail_addr_ok("root"));
	cr_assert(!mail_addr_ok(""));
	cr_assert(!mail_addr_ok("-oQ/tmp"));
	cr_assert(!mail_addr_ok("a@b.example, c@d.example"));
	cr_assert(!mail_addr_ok("a@b.example\nBcc: c@d.example"));
	cr_assert(!mail_addr_ok("Root <root@example.org>"));
	cr_assert(!mail_addr_ok("j\xc3\xbcrgen@example.org"));
}

static char *
message(const char *text, const char *html)
{
	static const char *to[] = { "a@example.org", "b@example.org" };
	struct mail	 m = { to, 2, "me@example.org", NULL, "host: 1 error",
	    text, html, strlen(text), strlen(html), 1796648400 };
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(mail_write(f, &m), 0);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

Test(mail, quoted_printable, .timeout = 5)
{
	char	 text[400], *msg, *p, *line;
	size_t	 n;

	/* a 200-byte line, a trailing space, "From " and "." at line
	 * starts, '=', a UTF-8 ü */
	memset(text, 'x', 200);
	strcpy(text + 200, "\ntrailing \nFrom here\n.\na=b j\xc3\xbcrgen\n");
	msg = message(text, "<p>h</p>");
	cr_assert_not_null(strstr(msg, "\ntrailing=20\n"));
	cr_assert_not_null(strstr(msg, "\n=46rom here\n"));
	cr_assert_not_null(strstr(msg, "\n=2E\n"));
	cr_assert_not_null(strstr(msg, "\na=3Db j=C3=BCrgen\n"));
	/* every line within 76, soft breaks cut the long one: 75 x's and
	 * "=" twice, then 50 */
	for (p = msg; (line = strsep(&p, "\n")) != NULL; ) {
		n = strlen(line);
		cr_assert_leq(n, 76, "line of %zu: %s", n, line);
	}
	free(msg);
	msg = message(text, "<p>h</p>");
	cr_assert_not_null(strstr(msg, "\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=\n"));
	free(msg);
}

Test(mail, headers_and_base64, .timeout = 5)
{
	char	*msg = message("t\n", "<p>\xc3\xbc</p>\n");
	char	*b;

	cr_assert_not_null(strstr(msg, "From: me@example.org\n"));
	cr_assert_not_null(strstr(msg, "To: a@example.org,\n b@example.org\n"));
	cr_assert_not_null(strstr(msg, "Subject: host: 1 error\n"));
	cr_assert_not_null(strstr(msg, "MIME-Version: 1.0\n"));
	cr_assert_not_null(strstr(msg, "Auto-Submitted: auto-generated\n"));
	cr_assert_not_null(strstr(msg, "Message-ID: <20261207"));
	cr_assert_not_null(b = strstr(msg, "boundary=\"=_mxtally_"));
	/* "<p>ü</p>\n" = 3c 70 3e c3 bc 3c 2f 70 3e 0a */
	cr_assert_not_null(strstr(msg, "\n\nPHA+w7w8L3A+Cg==\n"));
	free(msg);
}
