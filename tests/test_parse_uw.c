/*
 * Unit tests of the UW imapd/ipop3d parser on lines shaped like
 * fail2ban's uwimap-auth samples; expectations are read off the lines by
 * hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/parse.h"
#include "parse_util.h"

Test(parse_uw, login_failed, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 Linux2 ipop3d[25745]: Login failed user=info auth=info host=dedicated.example [192.0.2.74]", &ev), 1);
	cr_assert(eq(ev.user, "info"));
	cr_assert(eq(ev.client, "192.0.2.74"));
	cr_assert(eq(ev.text, "Login failed"));
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);
	cr_assert_eq(line("Nov 21 10:00:00 grog imapd[19343]: Login excessive login failures user=user auth=user host=x.example [192.0.2.74]", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert(eq(ev.text, "Login excessive login failures"));
	cr_assert_eq(line("Nov 21 10:00:00 r2 imapd[3473]: Failed uwmaster override of user=pro1  host=r22.example [192.0.2.22] ", &ev), 1);
	cr_assert(eq(ev.user, "pro1"));
	cr_assert(eq(ev.text, "Failed uwmaster override of"));
	cr_assert_eq(line("Nov 21 10:00:00 r2 imapd[3473]: Login disabled user=test auth=test host=localhost [127.0.0.1]", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_POLICY_REJECTION);
}

Test(parse_uw, lock_and_ordinary, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 pop ipop3d[700]: Mailbox lock file /tmp/.803.3a9 open failure: Permission denied", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_LOCK_CONTENTION);
	cr_assert(eq(ev.text, "Mailbox lock file /tmp/.803.3a9 open failure: Permission denied"));
	cr_assert_eq(line("Nov 21 10:00:00 pop ipop3d[700]: Login user=dave host=x.example [192.0.2.1] nmsgs=3/3", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:00 pop ipop3d[700]: Logout user=dave host=x.example [192.0.2.1] nmsgs=3 ndele=0", &ev), 0);
}
