/*
 * Unit tests of the Exchange protocol-log parser: the SMTP Receive/Send
 * and POP3/IMAP4 event layout and the command layout with R="...".
 * Expectations are read off each line by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"
#include "parse_util.h"

Test(parse_exchange, smtp_receive_535, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21T10:00:04.512Z,EX01\\Client Frontend "
	    "EX01,08DE2A1B3C4D5E6F,9,10.0.0.5:587,203.0.113.7:53211,>,"
	    "535 5.7.3 Authentication unsuccessful,", &ev), 1);
	cr_assert_eq(ev.t, time_days(2026, 11, 21) * 86400 + 10 * 3600 + 4);
	cr_assert_eq(ev.proto, PROTO_SMTP);
	cr_assert_eq(ev.dir, DIR_TO_CLIENT);
	cr_assert_str_eq(ev.code, "535");
	cr_assert_str_eq(ev.enh, "5.7.3");
	cr_assert(eq(ev.client, "203.0.113.7"));
	cr_assert(eq(ev.text, "Authentication unsuccessful"));
	cr_assert_eq(ev.user.len, 0);
	cr_assert_eq(ev.program.len, 0);
	/* 5.7.3 alone would be policy; the text says auth */
	cr_assert_str_eq(cause_of(&ev), "auth_failure");
}

Test(parse_exchange, smtp_recipient_not_found, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21T10:00:05.001Z,EX01\\Default Frontend "
	    "EX01,08DE2A1B3C4D5E70,7,10.0.0.5:25,198.51.100.8:40022,>,"
	    "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient "
	    "Nobody@Example.net not found by SMTP address lookup,", &ev), 1);
	cr_assert_str_eq(ev.enh, "5.1.10");
	cr_assert(eq(ev.user, "Nobody@Example.net"));
	cr_assert_str_eq(cause_of(&ev), "unknown_mailbox");
}

Test(parse_exchange, smtp_send_remote_reply, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21T10:00:06.000Z,Internet Send,"
	    "08DE2A1B3C4D5E71,6,10.0.0.5:41000,192.0.2.25:25,<,"
	    "452 4.2.2 Mailbox full,", &ev), 1);
	cr_assert_eq(ev.dir, DIR_FROM_REMOTE);
	/* the server we sent to is the remote, not a client */
	cr_assert(eq(ev.remote, "192.0.2.25"));
	cr_assert_eq(ev.client.len, 0);
	cr_assert_str_eq(cause_of(&ev), "quota_exceeded");
	/* a command received, a success sent */
	cr_assert_eq(line("2026-11-21T10:00:06.000Z,EX01\\Default Frontend "
	    "EX01,08DE2A1B3C4D5E72,3,10.0.0.5:25,198.51.100.8:40022,<,"
	    "RCPT TO:<bob@example.net>,", &ev), 0);
	cr_assert_eq(line("2026-11-21T10:00:06.000Z,EX01\\Default Frontend "
	    "EX01,08DE2A1B3C4D5E72,4,10.0.0.5:25,198.51.100.8:40022,>,"
	    "250 2.1.5 Recipient OK,", &ev), 0);
}

Test(parse_exchange, pop3_imap_event_layout, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21T10:01:00.100Z,00000000000000E0,5,"
	    "10.0.0.5:995,203.0.113.9:2519,>,-ERR Logon failure: unknown "
	    "user name or bad password.,", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert(eq(ev.client, "203.0.113.9"));
	cr_assert_str_eq(cause_of(&ev), "auth_failure");
	cr_assert_eq(line("2026-11-21T10:01:01.100Z,00000000000000E1,7,"
	    "10.0.0.5:993,203.0.113.9:2520,>,a2 NO [OVERQUOTA] APPEND "
	    "failed.,", &ev), 1);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_str_eq(cause_of(&ev), "quota_exceeded");
	/* untagged NO: a warning */
	cr_assert_eq(line("2026-11-21T10:01:01.200Z,00000000000000E1,8,"
	    "10.0.0.5:993,203.0.113.9:2520,>,* NO Mailbox almost full,",
	    &ev), 0);
	cr_assert_eq(line("2026-11-21T10:01:01.300Z,00000000000000E1,9,"
	    "10.0.0.5:993,203.0.113.9:2520,>,+OK,", &ev), 0);
}

Test(parse_exchange, quoted_data, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21T10:01:02.000Z,00000000000000E2,3,"
	    "10.0.0.5:110,203.0.113.9:2521,>,\"-ERR Server Unavailable, "
	    "try later. 21\",", &ev), 1);
	cr_assert(eq(ev.text, "Server Unavailable, try later. 21"));
	cr_assert_str_eq(cause_of(&ev), "service_unavailable");
}

Test(parse_exchange, command_layout, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21T10:02:00.000Z,0000000000A1B2C3,4,"
	    "10.0.0.5:995,203.0.113.20:50001,carol@example.net,46,6,49,pass,"
	    "****,\"R=\"\"-ERR Logon failure: unknown user name or bad "
	    "password.\"\";Msg=User:carol@example.net\"", &ev), 1);
	cr_assert(eq(ev.user, "carol@example.net"));
	cr_assert(eq(ev.client, "203.0.113.20"));
	cr_assert(eq(ev.text, "Logon failure: unknown user name or bad "
	    "password."));
	cr_assert_str_eq(cause_of(&ev), "auth_failure");
	cr_assert_eq(line("2026-11-21T10:02:01.000Z,0000000000A1B2C3,5,"
	    "10.0.0.5:995,203.0.113.20:50001,carol@example.net,1,6,4,stat,,"
	    "R=+OK", &ev), 0);
}

Test(parse_exchange, header_lines, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("#Software: Microsoft Exchange Server", &ev), 0);
	cr_assert_eq(line("#Fields: date-time,connector-id,session-id,"
	    "sequence-number,local-endpoint,remote-endpoint,event,data,"
	    "context", &ev), 0);
}

/* Traffic kinds, per the README's "Traffic" rules for Exchange. */
Test(parse_exchange, traffic, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21T10:00:01.300Z,EX01\\Default Frontend "
	    "EX01,08DE2A1B3C4D5F01,2,10.0.0.5:25,198.51.100.8:40022,>,"
	    "250 2.6.0 <a2@mail.example.org> [InternalId=1235] Queued mail "
	    "for delivery,", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	/* other 250s are nothing */
	cr_assert_eq(line("2026-11-21T10:00:01.262Z,EX01\\Default Frontend "
	    "EX01,08DE2A1B3C4D5E70,5,10.0.0.5:25,198.51.100.8:40022,>,"
	    "250 2.1.0 Sender OK,", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert_eq(line("2026-11-21T10:00:01.421Z,EX01\\Default Frontend "
	    "EX01,08DE2A1B3C4D5E70,9,10.0.0.5:25,198.51.100.8:40022,>,"
	    "550 5.7.54 SMTP; Unable to relay recipient in non-accepted "
	    "domain,", &ev), 1);
	cr_assert_eq(ev.tkind, TR_REJECTED);
	cr_assert_eq(line("2026-11-21T10:05:02.411Z,EX01\\Client Frontend "
	    "EX01,08DE2A1B3C4D5E80,3,10.0.0.5:587,203.0.113.7:53211,>,"
	    "535 5.7.3 Authentication unsuccessful,", &ev), 1);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert_eq(line("2026-11-21T10:00:01.601Z,EX01\\Default Frontend "
	    "EX01,08DE2A1B3C4D5F01,6,10.0.0.5:25,198.51.100.8:40022,>,"
	    "500 5.3.3 Unrecognized command,", &ev), 1);
	cr_assert_eq(ev.tkind, TR_NONE);
	cr_assert_eq(line("2026-11-21T10:01:00.200Z,Internet Send Connector,"
	    "08DE2A1B3C4D5F02,2,10.0.0.5:40100,192.0.2.25:25,<,550 5.1.1 "
	    "<bob@far.example>: Recipient address rejected,", &ev), 1);
	cr_assert_eq(ev.tkind, TR_BOUNCED);
	cr_assert_eq(line("2026-11-21T10:01:00.400Z,Internet Send Connector,"
	    "08DE2A1B3C4D5F02,4,10.0.0.5:40100,192.0.2.25:25,<,450 4.2.0 "
	    "Greylisted,", &ev), 1);
	cr_assert_eq(ev.tkind, TR_DEFERRED);
	cr_assert_eq(line("2026-11-21T10:05:00.000Z,0000000000B1C2E5,0,"
	    "10.0.0.5:995,198.51.100.30:50100,dan@example.net,12,6,4,pass,"
	    "****,R=+OK", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_POP3);
	cr_assert(eq(ev.user, "dan@example.net"));
	cr_assert_eq(line("2026-11-21T11:10:00.000Z,0000000000C1D2B7,0,"
	    "10.0.0.5:993,198.51.100.77:52000,frank@example.net,15,36,27,"
	    "login,frank@example.net ****,R=a1 OK LOGIN completed.", &ev), 0);
	cr_assert_eq(ev.tkind, TR_LOGIN_OK);
	cr_assert_eq(ev.proto, PROTO_IMAP);
	cr_assert_eq(line("2026-11-21T10:00:01.100Z,0000000000B1C2D1,1,"
	    "10.0.0.5:995,203.0.113.20:50001,,0,22,4,user,carol@example.net,"
	    "R=+OK", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
}

/*
 * Message tracking lines (MSGTRK), written per Microsoft's list of the
 * log's fields: Exchange 2013+ (network-message-id after message-id)
 * and 2010 (without it). tests/exchange/ holds whole files of them.
 */
Test(parse_exchange, tracking_receive_deliver, .timeout = 5)
{
	struct event	 ev;

	cr_assert_eq(line("2026-11-21T10:00:01.000Z,198.51.100.8,"
	    "mail.partner.example,10.0.0.5,EX01,08DE2A1B3C4D5F01;2026-11-21"
	    "T10:00:01.000Z;0,EX01\\Default EX01,SMTP,RECEIVE,1001,"
	    "<m1001@example>,5f1c2a3b-0d4e-4f60-8a71-92b3c4d5e6f1,"
	    "alice@example.net;bob@example.net,,4200,2,,,Quarterly figures,"
	    "ann@partner.example,ann@partner.example,,Incoming,,,,,,,"
	    "15.01.2507.006", &ev), 0);
	cr_assert_eq(ev.tkind, TR_RECEIVED);
	cr_assert_eq(ev.size, 4200);
	cr_assert(eq(ev.qid, "1001"));
	cr_assert(eq(ev.from, "ann@partner.example"));
	cr_assert(eq(ev.addr, "mail.partner.example"));
	/* a quoted source-context with commas; two recipients */
	cr_assert_eq(line("2026-11-21T10:00:02.000Z,,,10.0.0.5,EX01,\"MDB:1a2b"
	    ", Mailbox:3c4d, Event:123\",,STOREDRIVER,DELIVER,1001,"
	    "<m1001@example>,5f1c2a3b-0d4e-4f60-8a71-92b3c4d5e6f1,"
	    "alice@example.net;bob@example.net,,4200,2,,,,ann@partner.example"
	    ",,,Incoming,,,,,,,15.01.2507.006", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SENT);
	cr_assert(ev.flags & EV_RCPT_LIST);
	cr_assert_eq(ev.nrcpt, 2);
	cr_assert(eq(ev.addr, "alice@example.net;bob@example.net"));
	cr_assert_eq(ev.size, 4200);
	/* 2010: no network-message-id */
	cr_assert_eq(line("2026-11-21T11:00:01.000Z,,,10.0.0.6,EX10,,,"
	    "STOREDRIVER,DELIVER,77,<o77@old.example>,alice@example.net,,700,"
	    "1,,,,z@old.example,,,,,,,", &ev), 0);
	cr_assert_eq(ev.tkind, TR_SENT);
	cr_assert(eq(ev.addr, "alice@example.net"));
	cr_assert_eq(ev.size, 700);
	cr_assert(!(ev.flags & EV_RCPT_LIST));
	/* an event that counts nothing */
	cr_assert_eq(line("2026-11-21T10:00:01.000Z,,,10.0.0.5,EX01,Transport "
	    "Rule Agent,,AGENT,AGENTINFO,1001,<m1001@example>,5f1c2a3b-0d4e-"
	    "4f60-8a71-92b3c4d5e6f1,alice@example.net,,4200,1,,,,"
	    "ann@partner.example,,,Incoming,,,,,,,15.01.2507.006", &ev), 0);
	cr_assert_eq(ev.tkind, TR_NONE);
}

Test(parse_exchange, tracking_fail_defer, .timeout = 5)
{
	struct event	 ev;

	/* our own routing refused the recipient: local */
	cr_assert_eq(line("2026-11-21T10:02:01.000Z,,,10.0.0.5,EX01,,,ROUTING,"
	    "FAIL,1003,<m1003@example>,7b3e4c5d-2f60-4182-ac93-b4d5e6f70813,"
	    "ghost@example.net,550 5.1.1 RESOLVER.ADR.RecipNotFound; not found,"
	    "800,1,,,\"Re: hello, world\",eve@partner.example,,,Incoming,,,,,,,"
	    "15.01.2507.006", &ev), 1);
	cr_assert_eq(ev.tkind, TR_BOUNCED);
	cr_assert_str_eq(ev.code, "550");
	cr_assert_str_eq(ev.enh, "5.1.1");
	cr_assert(eq(ev.user, "ghost@example.net"));
	cr_assert_eq(ev.dir, DIR_LOCAL);
	cr_assert_str_eq(cause_of(&ev), "unknown_mailbox");
	/* a remote server deferred two recipients: outbound, two events */
	cr_assert_eq(line("2026-11-21T10:03:30.000Z,,,203.0.113.25,"
	    "mx.slow.example,,Internet Send Connector,SMTP,DEFER,1004,"
	    "<m1004@example>,8c4f5d6e-3071-4293-bda4-c5e6f7081924,"
	    "x@slow.example;y@slow.example,\"451 4.4.0 Primary target IP "
	    "address responded with: \"\"421 4.3.2 Service not available.\"\" "
	    "Attempted failover to alternate host, but that did not "
	    "succeed.\",2000,2,,,,carol@example.net,,,Originating,,,,,,,"
	    "15.01.2507.006", &ev), 1);
	cr_assert_eq(ev.tkind, TR_DEFERRED);
	cr_assert_eq(ev.count, 2);
	cr_assert_eq(ev.nrcpt, 2);
	cr_assert_eq(ev.user.len, 0, "two recipients: no one user");
	cr_assert_eq(ev.dir, DIR_FROM_REMOTE);
	cr_assert(eq(ev.remote, "mx.slow.example"));
	cr_assert_str_eq(ev.code, "451");
	/* 2013+ with an empty network-message-id: known by its 29 fields */
	cr_assert_eq(line("2026-11-21T10:04:00.000Z,,,10.0.0.5,EX01,,,ROUTING,FAIL,1005,<m1005@example>,,z@example.net,550 5.4.1 Relay Access Denied,10,1,,,,a@example.net,,,,,,,,,,", &ev), 1);
	cr_assert_eq(ev.tkind, TR_BOUNCED);
	cr_assert(eq(ev.user, "z@example.net"));
	cr_assert_str_eq(ev.enh, "5.4.1");
	/* a status that is no reply: traffic only */
	cr_assert_eq(line("2026-11-21T10:04:00.000Z,,,10.0.0.5,EX01,,,ROUTING,FAIL,1005,<m1005@example>,,z@example.net,,10,1,,,,a@example.net,,,,,,,,,,", &ev), 0);
	cr_assert_eq(ev.tkind, TR_BOUNCED);
	cr_assert(eq(ev.addr, "z@example.net"));
}
