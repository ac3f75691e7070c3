/*
 * The lines lock contention is explained from (agg/locks.c): Dovecot's
 * POP3 login with its client and session, the session's end, and that
 * a refusal stays an event and no end. Real lines of Dovecot 2.3.19
 * (notes/reallogs, the dovecot-postfix own-log run).
 */
#include <criterion/criterion.h>

#include "parse_util.h"

Test(locks, pop3_login, .timeout = 10)
{
	struct event	 ev;

	cr_assert_eq(line("Dec  7 14:36:46 vm dovecot: pop3-login: Login: "
	    "user=<lock1@example.net>, method=PLAIN, rip=127.0.1.65, "
	    "lip=127.0.0.1, mpid=8322, session=<7SC6JwxiVeF/AAFB>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK, "still a login for traffic");
	cr_assert_eq(ev.sess, SESS_LOGIN);
	cr_assert(eq(ev.user, "lock1@example.net"));
	cr_assert(eq(ev.client, "127.0.1.65"));
	cr_assert(eq(ev.session, "7SC6JwxiVeF/AAFB"));
	/* IMAP logins are not kept: IMAP shares the mailbox */
	line("Dec  7 14:36:46 vm dovecot: imap-login: Login: user=<a>, "
	    "method=PLAIN, rip=127.0.1.9, lip=127.0.0.1, mpid=1, "
	    "session=<x>", &ev);
	cr_assert_eq(ev.sess, SESS_NONE);
}

Test(locks, pop3_end_and_refusal, .timeout = 10)
{
	struct event	 ev;

	cr_assert_eq(line("Dec  7 14:36:57 vm dovecot: pop3(lock1@example.net)"
	    "<8322><7SC6JwxiVeF/AAFB>: Disconnected: Logged out top=0/0, "
	    "retr=0/0, del=0/0, size=0", &ev), 0);
	cr_assert_eq(ev.sess, SESS_END);
	cr_assert(eq(ev.user, "lock1@example.net"));
	cr_assert(eq(ev.session, "7SC6JwxiVeF/AAFB"));
	cr_assert_eq(line("Dec  7 14:36:57 vm dovecot: pop3(lock1@example.net)"
	    "<8401><vUe/JwxipeV/AAFQ>: Disconnected: Couldn't lock POP3 "
	    "session top=0/0, retr=0/0, del=0/0, size=0", &ev), 1);
	cr_assert_eq(ev.sess, SESS_NONE, "a refusal is no end");
	cr_assert(eq(ev.session, "vUe/JwxipeV/AAFQ"));
	cr_assert_str_eq(cause_of(&ev), "lock_contention");
}
