/*
 * An event is one failed reply (or a server-side failure that ends in
 * one), as a family parser extracts it from a log line. All slices borrow
 * from the line's chunk; agg_add copies what it keeps.
 */
#ifndef MXTALLY_EVENT_H
#define MXTALLY_EVENT_H

#include <stdint.h>

#include "mxtally/slice.h"

#define T_NONE	INT64_MIN	/* no parsable timestamp */

enum proto {
	PROTO_NONE,
	PROTO_SMTP,
	PROTO_LMTP,
	PROTO_POP3,
	PROTO_IMAP,
	PROTO_COUNT
};

/*
 * Direction (causes.md rule 4). DIR_NONE is settled by event_dir: POP3
 * and IMAP replies go to a client (inbound), anything else with no
 * direction is our own delivery or storage (local).
 */
enum dir {
	DIR_NONE,
	DIR_TO_CLIENT,		/* inbound: we sent the failure to a client */
	DIR_FROM_REMOTE,	/* outbound: a remote server refused our mail */
	DIR_LOCAL,		/* local: our own delivery or storage failed */
	DIR_COUNT
};

#define DIR_INBOUND	DIR_TO_CLIENT
#define DIR_OUTBOUND	DIR_FROM_REMOTE

/*
 * The event's detail: which check or condition fired (causes.md rule 4).
 * The comment after each value is its stable key. Named "policy" for its
 * first use; the service, auth and server values share the enum. The
 * outputs show detail_name's key; a detail with an argument (ev->darg,
 * the blocklist's name) shows "key:arg". Add names to detail_name too.
 */
enum policy {
	POL_NONE,
	POL_RELAY,		/* relay */
	POL_BLOCKLIST,		/* rbl: a DNS blocklist refused the client */
	POL_GREYLIST,		/* greylist */
	POL_HELO,		/* helo */
	POL_SENDER,		/* sender */
	POL_CLIENT,		/* client */
	POL_SPF,		/* spf */
	POL_DMARC,		/* dmarc */
	POL_CONTENT,		/* content */
	POL_REPUTATION,		/* reputation: the sender's IP or domain */
	POL_SENDER_VERIFY,	/* sender_verify: callout or sender check */
	POL_TLS,		/* tls: policy or service, TLS needed/failed */
	POL_TIMEOUT,		/* timeout: service_unavailable */
	POL_REFUSED,		/* refused: connection refused */
	POL_LOST,		/* lost: connection lost or reset */
	POL_AUTH_SERVICE,	/* auth_service: server_error, no password
				   was checked */
	POL_INTERNAL,		/* internal: server_error */
	POL_UNKNOWN_USER,	/* unknown_user: auth_failure, the login
				   names no user (causes.md) */
	POL_COUNT
};

enum event_flags {
	EV_AUTH_UNKNOWN = 1 << 0,	/* auth process: login is no user */
	EV_JOIN = 1 << 1,		/* login failure: cause decided by join */
	EV_WIRE = 1 << 2,		/* text is the reply as sent ("-ERR ...") */
	EV_UNDERSCORE = 1 << 3,		/* '_' in text stands for ' ' (qmail-send) */
	EV_LABEL = 1 << 4,		/* text is the daemon's fixed label for the
					   failure (sendmail stat=), not the reply */
	EV_GROUP = 1 << 5,		/* one of the lines of one failure: counted
					   once per (session, subkey), see agg */
	EV_PEER = 1 << 6,		/* an MTA's LMTP delivery failure: the LMTP
					   server's own line for it wins (agg) */
	EV_RCPT_LIST = 1 << 7		/* addr is a list "a,<b>,c" of nrcpt
					   recipients (sendmail's to=) */
};

/*
 * Traffic facts (pflogsumm's counting for Postfix, logins elsewhere). A
 * line that is only traffic makes parse_line return 2; an error event
 * (return 1) may carry one too (a reject, a deferral, a bounce).
 */
enum traffic_kind {
	TR_NONE,
	TR_RECEIVED,		/* smtpd client= or pickup sender=/uid= */
	TR_PICKUP,		/* received through pickup (local submission) */
	TR_SIZE,		/* qmgr from=<s>, size=N */
	TR_SENT,		/* status=sent to a recipient */
	TR_FORWARDED,		/* status=sent "forwarded as" */
	TR_DEFERRED,		/* status=deferred */
	TR_BOUNCED,		/* status=bounced */
	TR_REJECTED,		/* smtpd/postscreen/cleanup reject */
	TR_REJECT_WARNING,	/* reject_warning, cleanup warning: header */
	TR_HELD,		/* hold: */
	TR_DISCARDED,		/* discard: */
	TR_REMOVED,		/* qmgr removed: the queue id is free again */
	TR_LOGIN_OK,		/* a successful POP3/IMAP/SMTP AUTH login */
	TR_COUNT
};

/*
 * Free space a server logged with a failure or a warning (item 5 of
 * issue 15): the store it measured and the bytes it found free. Only
 * lines that already matched carry one, so it costs the scan nothing.
 */
enum space_kind {
	SP_NONE,
	SP_QUEUE,		/* Postfix: "not enough free space in mail
				   queue: N bytes" */
	SP_SPOOL,		/* Exim: "spool directory space check
				   failed: space=K" (kilobytes) */
	SP_LOGDIR,		/* Exim: "log directory space check ..." */
	SP_COUNT
};

/*
 * A POP3 session's start or end (Dovecot's "pop3-login: Login: ...,
 * session=<S>" and "pop3(u)<pid><S>: Disconnected: ..."): agg/locks.c
 * finds, for each session refused its mailbox lock, the session that
 * held it (issue 15 item 6).
 */
enum sess_kind {
	SESS_NONE,
	SESS_LOGIN,		/* user, client, session set */
	SESS_END		/* user, session set */
};

struct event {
	int64_t		 t;		/* wall-clock seconds as logged, or T_NONE */
	struct slice	 host;		/* syslog host, may be empty */
	struct slice	 program;	/* "postfix/smtpd", "dovecot", "popper" */
	struct slice	 user;		/* mailbox/login/recipient, as logged */
	struct slice	 client;	/* inbound: client IP, may be empty */
	struct slice	 cname;		/* inbound: its reverse name as logged */
	struct slice	 remote;	/* outbound: remote MX host, may be empty */
	struct slice	 darg;		/* detail argument ("zen.spamhaus.org") */
	struct slice	 text;		/* the reply text the rules look at */
	struct slice	 session;	/* join key (Dovecot session id) */
	struct slice	 subkey;	/* EV_GROUP: the rest of the key, or empty */
	char		 code[4];	/* basic SMTP code "452", or "" */
	char		 enh[12];	/* enhanced code "4.3.1", or "" */
	char		 resp[24];	/* POP3/IMAP response code "IN-USE", or "" */
	uint8_t		 proto;		/* enum proto */
	uint8_t		 dir;		/* enum dir */
	uint8_t		 detail;	/* enum policy, set by classify */
	uint8_t		 flags;		/* enum event_flags */
	int16_t		 hint;		/* the parser's guess, or CAUSE_NONE;
					   classify ranks it (classify.h) */
	int16_t		 cause;		/* CAUSE_NONE until classify_event */
	uint32_t	 count;		/* failed replies this line stands for */
	/* a traffic fact the line also carries (any line, see parse.h) */
	uint8_t		 tkind;		/* enum traffic_kind, TR_NONE */
	uint64_t	 size;		/* TR_SIZE: message size in bytes */
	struct slice	 qid;		/* Postfix queue id, may be empty */
	struct slice	 addr;		/* TR_SIZE sender, TR_SENT recipient;
					   TR_RECEIVED: the client= value */
	struct slice	 from;		/* TR_RECEIVED with a size (Exim <=):
					   the sender */
	uint32_t	 nrcpt;		/* EV_RCPT_LIST: recipients in addr */
	uint8_t		 fam;		/* parse_line's family, 1-based; 0 none */
	struct slice	 peer;		/* --anonymize: user as the joins
					   compare it, "TOKEN@TOKEN" of
					   join_peer_key and the domain
					   (anon.c); else empty */
	uint8_t		 space;		/* enum space_kind, SP_NONE */
	uint8_t		 sess;		/* enum sess_kind, SESS_NONE */
	uint64_t	 free;		/* space: bytes free, as logged */
};

/* The store a space figure is about ("queue", "spool", "log"). */
static inline const char *
space_name(int kind)
{
	static const char *const names[SP_COUNT] = {
		"none", "queue", "spool", "log"
	};
	return kind >= 0 && kind < SP_COUNT ? names[kind] : "none";
}

/* The stable key of a detail ("rbl", "relay"), or NULL for POL_NONE. */
static inline const char *
detail_name(int detail)
{
	static const char *const names[POL_COUNT] = {
		[POL_RELAY] = "relay",
		[POL_BLOCKLIST] = "rbl",
		[POL_GREYLIST] = "greylist",
		[POL_HELO] = "helo",
		[POL_SENDER] = "sender",
		[POL_CLIENT] = "client",
		[POL_SPF] = "spf",
		[POL_DMARC] = "dmarc",
		[POL_CONTENT] = "content",
		[POL_REPUTATION] = "reputation",
		[POL_SENDER_VERIFY] = "sender_verify",
		[POL_TLS] = "tls",
		[POL_TIMEOUT] = "timeout",
		[POL_REFUSED] = "refused",
		[POL_LOST] = "lost",
		[POL_AUTH_SERVICE] = "auth_service",
		[POL_INTERNAL] = "internal",
		[POL_UNKNOWN_USER] = "unknown_user",
	};
	return detail > 0 && detail < POL_COUNT ? names[detail] : NULL;
}

static inline const char *
dir_name(int dir)
{
	static const char *const names[DIR_COUNT] = {
		"none", "inbound", "outbound", "local"
	};
	return dir >= 0 && dir < DIR_COUNT ? names[dir] : "none";
}

/* ev's direction with DIR_NONE settled (see enum dir). */
static inline int
event_dir(const struct event *ev)
{
	if (ev->dir != DIR_NONE)
		return ev->dir;
	return ev->proto == PROTO_POP3 || ev->proto == PROTO_IMAP ?
	    DIR_TO_CLIENT : DIR_LOCAL;
}

static inline const char *
proto_name(int proto)
{
	static const char *const names[PROTO_COUNT] = {
		"none", "smtp", "lmtp", "pop3", "imap"
	};
	return proto >= 0 && proto < PROTO_COUNT ? names[proto] : "none";
}

#endif
