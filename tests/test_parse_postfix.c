/*
 * Unit tests of the Postfix parser on lines a real Postfix wrote in
 * tests/realservers. Expectations are read off the lines and off what
 * the client was told.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/parse.h"
#include "parse_util.h"

/* the client was told "552 5.3.4 Error: message file too big" */
Test(parse_postfix_real, oversize_at_data, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Dec  7 14:36:46 vm postfix/smtpd[8173]: warning: ED4BA2D: queue file size limit exceeded", &ev), 1);
	cr_assert(eq(ev.qid, "ED4BA2D"));
	cr_assert_str_eq(ev.code, "552");
	cr_assert_str_eq(ev.enh, "5.3.4");
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert_eq(ev.user.len, 0);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert(eq(ev.text, "queue file size limit exceeded"));
	cr_assert_str_eq(cause_of(&ev), "message_too_large");
	/* only smtpd's warning is the reply; other warnings are not */
	cr_assert_eq(line("Dec  7 14:36:46 vm postfix/cleanup[8270]: warning: ED4BA2D: queue file size limit exceeded", &ev), 0);
	cr_assert_eq(line("Dec  7 14:36:46 vm postfix/smtpd[8173]: warning: hostname x.example does not resolve to address 192.0.2.1", &ev), 0);
}
