/*
 * Unit tests of the qmail and vpopmail parser on lines shaped as
 * qmail-send (through splogger), qmail-smtpd, rblsmtpd and vchkpw log
 * them. Expectations are read off each line by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"
#include "parse_util.h"

Test(parse_qmail, remote_failure, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:05 mx qmail: 1763719205.120004 "
	    "delivery 42: failure: 192.0.2.25_does_not_like_recipient./"
	    "Remote_host_said:_550_5.1.1_<ghost@example.org>..._User_unknown/"
	    "Giving_up_on_192.0.2.25./", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert_eq(ev.dir, DIR_FROM_REMOTE);
	cr_assert_str_eq(ev.code, "550");
	cr_assert_str_eq(ev.enh, "5.1.1");
	cr_assert(eq(ev.text, "<ghost@example.org>..._User_unknown"),
	    "got '%.*s'", (int)ev.text.len, ev.text.p);
	cr_assert(eq(ev.user, "ghost@example.org"));
	cr_assert(ev.flags & EV_UNDERSCORE);
	cr_assert(eq(ev.program, "qmail"));
	cr_assert_str_eq(cause_of(&ev), "unknown_mailbox");
}

Test(parse_qmail, underscores_reach_the_rules, .timeout = 5)
{
	struct event	 ev;

	/*
	 * 452 alone is system_storage; the text says mailbox full, which
	 * only the rules see, and only with '_' read as ' '
	 */
	cr_assert_eq(line("Nov 21 10:00:06 mx qmail: 1763719206.5 delivery "
	    "43: deferral: 192.0.2.26_does_not_like_recipient./"
	    "Remote_host_said:_452_Mailbox_full/Giving_up_on_192.0.2.26./",
	    &ev), 1);
	cr_assert_str_eq(ev.code, "452");
	cr_assert_str_eq(ev.enh, "");
	cr_assert_eq(ev.user.len, 0);	/* no <address> in the reply */
	cr_assert_str_eq(cause_of(&ev), "quota_exceeded");
}

Test(parse_qmail, own_text_and_code, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:07 mx qmail: 1763719207.000001 "
	    "delivery 44: deferral: Sorry,_I_couldn't_find_any_host_named_"
	    "nowhere.example._(#5.1.2)/", &ev), 1);
	cr_assert_str_eq(ev.enh, "5.1.2");
	cr_assert_str_eq(ev.code, "");
	cr_assert_eq(ev.dir, DIR_NONE);
	cr_assert(eq(ev.text, "Sorry,_I_couldn't_find_any_host_named_"
	    "nowhere.example._(#5.1.2)"));
	cr_assert_str_eq(cause_of(&ev), "dns_failure");
	cr_assert_eq(line("Nov 21 10:00:08 mx qmail: 1763719208.1 delivery "
	    "45: failure: Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/",
	    &ev), 1);
	cr_assert_str_eq(cause_of(&ev), "unknown_mailbox");
}

Test(parse_qmail, ordinary_lines, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:00:01 mx qmail: 1763719201.1 new msg "
	    "1234", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:01 mx qmail: 1763719201.1 starting "
	    "delivery 42: msg 1234 to remote ghost@example.org", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:02 mx qmail: 1763719202.1 delivery "
	    "41: success: 192.0.2.9_accepted_message./Remote_host_said:_250_"
	    "ok_1763719202_qp_512/", &ev), 0);
	cr_assert_eq(line("Nov 21 10:00:02 mx qmail: 1763719202.1 status: "
	    "local 0/10 remote 1/20", &ev), 0);
}

Test(parse_qmail, smtpd_and_rblsmtpd, .timeout = 5)
{
	struct event	 ev;

	/* the two fail2ban corpus shapes */
	cr_assert_eq(line("Sep  6 07:18:29 sd6 qmail: 1157519909.633171 "
	    "qmail-smtpd: 421 badiprbl: ip 198.51.100.54 rbl: example.com",
	    &ev), 1);
	cr_assert_str_eq(ev.code, "421");
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	cr_assert_eq(line("Sep  6 07:33:33 sd6 qmail: 1157520813.485077 "
	    "rblsmtpd: 198.51.100.77 pid 19597 sbl-xbl.spamhaus.org: 451 "
	    "http://www.spamhaus.org/query/bl?ip=198.51.100.77", &ev), 1);
	cr_assert_str_eq(ev.code, "451");
	cr_assert(eq(ev.client, "198.51.100.77"));
	cr_assert_str_eq(cause_of(&ev), "policy_rejection");
}

Test(parse_vpopmail, password_fail, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:01:00 mx vchkpw-pop3[812]: password "
	    "fail (pass: 'se cret') Alice@Example.net:203.0.113.9", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);
	cr_assert(eq(ev.user, "Alice@Example.net"));
	cr_assert(eq(ev.client, "203.0.113.9"));
	cr_assert(eq(ev.text, "password fail"));	/* no password */
	cr_assert_eq(line("Nov 21 10:01:01 mx vpopmail[99]: vchkpw-smtp: "
	    "password fail (pass: 'x') bob@example.net:198.51.100.3", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert_str_eq(ev.code, "535");
	cr_assert(eq(ev.user, "bob@example.net"));
}

Test(parse_vpopmail, other_refusals, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("Nov 21 10:01:02 mx vchkpw-imap[813]: vpopmail "
	    "user not found nobody@example.net:203.0.113.10", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_AUTH_FAILURE);	/* a failed login */
	cr_assert_str_eq(cause_of(&ev), "auth_failure");	/* causes.md */
	cr_assert_eq(ev.detail, POL_UNKNOWN_USER);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert(eq(ev.user, "nobody@example.net"));
	cr_assert_eq(line("Nov 21 10:01:03 mx vchkpw-pop3[814]: pop access "
	    "denied carol@example.net:203.0.113.11", &ev), 1);
	cr_assert_eq(ev.hint, CAUSE_ACCOUNT_DISABLED);
	cr_assert_eq(line("Nov 21 10:01:04 mx vchkpw-pop3[815]: login "
	    "success carol@example.net:203.0.113.11", &ev), 0);
	cr_assert_eq(line("Nov 21 10:01:04 mx vpopmail[815]: something "
	    "else", &ev), 0);
}
