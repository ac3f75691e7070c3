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
	cr_assert(eq(ev.subkey, "8322"), "mpid, the pid a holder is named by");
}

/*
 * IMAP: the login with the pid of the imap process that serves it, the
 * line of a session that timed out waiting for a lock that process
 * held, and the session's end. Lines of Dovecot 2.3.19 with its own log
 * file, two real IMAP clients (tests/realservers).
 */
Test(locks, imap_login_timeout_end, .timeout = 10)
{
	struct event	 ev;

	cr_assert_eq(line("Dec 07 21:48:15 imap-login: Info: Login: "
	    "user=<alice@example.net>, method=PLAIN, rip=127.0.0.11, "
	    "lip=127.0.0.1, mpid=2927, session=<JhLXLhJiz6p/AAAL>", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_eq(ev.sess, SESS_LOGIN);
	cr_assert(eq(ev.user, "alice@example.net"));
	cr_assert(eq(ev.client, "127.0.0.11"));
	cr_assert(eq(ev.session, "JhLXLhJiz6p/AAAL"));
	cr_assert(eq(ev.subkey, "2927"));

	cr_assert_eq(line("Dec 07 21:48:19 imap(alice@example.net)<2950>"
	    "<QVTcLhJibbJ/AAAM>: Error: Mailbox INBOX: Timeout (2s) while "
	    "waiting for lock for transaction log file /tmp/dvx/home/alice/"
	    "Maildir/dovecot.index.log (WRITE lock held by pid 2927)", &ev), 1);
	cr_assert_str_eq(cause_of(&ev), "lock_contention");
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_eq(ev.sess, SESS_NONE, "a refusal is no end");
	cr_assert(eq(ev.user, "alice@example.net"));
	cr_assert(eq(ev.session, "QVTcLhJibbJ/AAAM"));
	cr_assert(ev.flags & EV_GROUP, "one session's timeouts: one event");
	cr_assert(eq(ev.subkey, "/tmp/dvx/home/alice/Maildir/dovecot.index.log"));
	cr_assert(eq(ev.text, "Timeout (2s) while waiting for lock for "
	    "transaction log file /tmp/dvx/home/alice/Maildir/dovecot.index.log"
	    " (WRITE lock held by pid 2927)"));
	/* what the real client was told */
	cr_assert_str_eq(ev.resp, "SERVERBUG");

	cr_assert_eq(line("Dec 07 21:48:19 imap(alice@example.net)<2927>"
	    "<JhLXLhJiz6p/AAAL>: Info: Disconnected: Logged out in=573 "
	    "out=2780 deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 "
	    "body_count=0 body_bytes=0", &ev), 0);
	cr_assert_eq(ev.sess, SESS_END);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert(eq(ev.session, "JhLXLhJiz6p/AAAL"));
}

/* The other wordings of mail-transaction-log-file.c and mail-error.h */
Test(locks, other_lock_timeouts, .timeout = 10)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:00 st1 dovecot: imap(bob)<400><s1>: "
	    "Error: Timeout (180s) while waiting for dotlock for transaction "
	    "log file /home/bob/mail/.imap/INBOX/dovecot.index.log", &ev), 1);
	cr_assert_str_eq(cause_of(&ev), "lock_contention");
	cr_assert(eq(ev.subkey, "/home/bob/mail/.imap/INBOX/dovecot.index.log"));
	cr_assert_eq(line("Nov 21 10:00:00 st1 dovecot: lmtp(carol)<401><s2>: "
	    "Error: msgid=<m@x>: save failed to INBOX: Timeout while waiting "
	    "for lock", &ev), 1);
	cr_assert_str_eq(cause_of(&ev), "lock_contention");
	cr_assert_eq(ev.proto, PROTO_LMTP);
	cr_assert(eq(ev.text, "Timeout while waiting for lock"));
	/* "waiting for" that is no lock timeout */
	cr_assert_eq(line("Nov 21 10:00:00 st1 dovecot: imap(bob)<400><s1>: "
	    "Info: Timeout while waiting for client", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:00 st1 dovecot: imap(bob)<400><s1>: "
	    "Warning: still waiting for lock", &ev), 0);
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
