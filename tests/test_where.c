/*
 * Unit tests of the who and where of events (agg and result): direction
 * counts, details with the blocklist's name, clients with their networks
 * rolled up, remotes with our listed IP marked urgent. Every expected
 * value is counted by hand from the events each test feeds.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/agg.h"
#include "mxtally/cause.h"
#include "mxtally/parse.h"

size_t detail_list(struct slice text, char *buf, size_t len);
int client_network(const char *ip, char *buf, size_t len);

#define S(lit)	((struct slice){ (lit), sizeof(lit) - 1 })

static struct event
ev_in(int cause, const char *client, const char *text)
{
	struct event	 ev;

	event_reset(&ev);
	ev.cause = (int16_t)cause;
	ev.proto = PROTO_SMTP;
	ev.dir = DIR_TO_CLIENT;
	ev.client = (struct slice){ client, strlen(client) };
	ev.text = (struct slice){ text, strlen(text) };
	ev.t = 3600;
	return ev;
}

static const struct cause_where *
row_of(const struct result *r, int cause)
{
	cr_assert_not_null(r->where);
	return &r->where[cause];
}

Test(where, list_names, .timeout = 5)
{
	char	 buf[128];
	size_t	 n;

	n = detail_list(S("Service unavailable; Client host [203.0.113.9] "
	    "blocked using zen.spamhaus.org; https://www.spamhaus.org/q"),
	    buf, sizeof(buf));
	cr_assert_eq(n, 16);
	cr_assert(memcmp(buf, "zen.spamhaus.org", n) == 0);
	n = detail_list(S("Your IP 192.0.2.1 is LISTED AT bl.SpamCop.net."),
	    buf, sizeof(buf));
	cr_assert_eq(n, 14);
	cr_assert(memcmp(buf, "bl.spamcop.net", n) == 0);
	/* only a URL: its host without "www." */
	n = detail_list(S("JunkMail rejected - see "
	    "https://www.spamhaus.org/query/ip/192.0.2.1"), buf, sizeof(buf));
	cr_assert_eq(n, 12);
	cr_assert(memcmp(buf, "spamhaus.org", n) == 0);
	/* no name with a dot: none */
	cr_assert_eq(detail_list(S("blocked by RBL check"), buf, sizeof(buf)),
	    0);
}

Test(where, networks, .timeout = 5)
{
	char	 buf[64];

	cr_assert_eq(client_network("203.0.113.77", buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "203.0.113.0/24");
	cr_assert_eq(client_network("2001:db8:1:2:a:b:c:d", buf,
	    sizeof(buf)), 1);
	cr_assert_str_eq(buf, "2001:db8:1:2::/64");
	cr_assert_eq(client_network("::ffff:198.51.100.3", buf,
	    sizeof(buf)), 1);
	cr_assert_str_eq(buf, "198.51.100.0/24");
	cr_assert_eq(client_network("mail.example.org", buf, sizeof(buf)), 0);
}

/*
 * IPv4 as inet_pton(AF_INET) reads it (glibc's inet_pton4): exactly four
 * decimal parts of 0 to 255, no leading zero, nothing after; anything
 * else is no IPv4 address (and none of these is IPv6 either).
 */
Test(where, networks_ipv4_edges, .timeout = 5)
{
	static const char *const no[] = { "1.2.3", "1.2.3.4.5", "1.2.3.04",
	    "01.2.3.4", "256.1.1.1", "1.2.3.256", "1.2.3.", ".1.2.3",
	    "1..2.3", "1.2.3.4 ", "1.2.3.4x", "1.2.3.-4", "" };
	char	 buf[64];
	size_t	 i;

	cr_assert_eq(client_network("0.0.0.0", buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "0.0.0.0/24");
	cr_assert_eq(client_network("255.255.255.255", buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "255.255.255.0/24");
	cr_assert_eq(client_network("10.0.100.9", buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "10.0.100.0/24");
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_assert_eq(client_network(no[i], buf, sizeof(buf)), 0,
		    "'%s' is no address", no[i]);
}

/*
 * Five addresses of 203.0.113.0/24 with 2 events each (10) and one other
 * address with 3: the /24 has 10 of 13 events, over a tenth, and two or
 * more addresses, so it is rolled up; 198.51.100.5 stays alone.
 */
Test(where, clients_rolled_up, .timeout = 5)
{
	static const char *const ips[] = { "203.0.113.1", "203.0.113.2",
	    "203.0.113.3", "203.0.113.4", "203.0.113.5" };
	struct agg	*a = agg_new();
	struct event	 ev;
	struct result	*r;
	const struct cause_where *row;
	size_t		 i;

	for (i = 0; i < 10; i++) {
		ev = ev_in(CAUSE_UNKNOWN_MAILBOX, ips[i % 5], "User unknown");
		agg_add(a, &ev, i);
	}
	ev = ev_in(CAUSE_UNKNOWN_MAILBOX, "198.51.100.5", "User unknown");
	ev.count = 3;
	ev.cname = S("scan.example");
	agg_add(a, &ev, 20);
	agg_finish(a);
	r = agg_result(a, 0);
	cr_assert_eq(r->nclients, 6);
	cr_assert_eq(r->client_events, 13);
	cr_assert_str_eq(r->clients[0].name, "198.51.100.5");
	cr_assert_str_eq(r->clients[0].note, "scan.example");
	cr_assert_str_eq(r->clients[0].network, "198.51.100.0/24");
	cr_assert_str_eq(r->clients[1].name, "203.0.113.1");
	cr_assert_null(r->clients[1].note);
	cr_assert_eq(r->nnetworks, 1);
	cr_assert_str_eq(r->networks[0].name, "203.0.113.0/24");
	cr_assert_eq(r->networks[0].addrs, 5);
	cr_assert_eq(r->networks[0].events, 10);
	cr_assert_eq(r->networks[0].by_cause[CAUSE_UNKNOWN_MAILBOX], 10);
	cr_assert_eq(r->nclient_view, 2);
	cr_assert_str_eq(r->client_view[0].name, "203.0.113.0/24");
	cr_assert_str_eq(r->client_view[1].name, "198.51.100.5");
	row = row_of(r, CAUSE_UNKNOWN_MAILBOX);
	cr_assert_eq(row->ntop_clients, 2);
	cr_assert_str_eq(row->top_clients[0].key, "203.0.113.0/24");
	cr_assert_eq(row->top_clients[0].n, 10);
	cr_assert_str_eq(row->top_clients[1].key, "198.51.100.5");
	cr_assert_eq(row->top_clients[1].n, 3);
	cr_assert_eq(row->dir[DIR_TO_CLIENT], 13);
	result_free(r);
	agg_free(a);
}

/*
 * One address per network, two addresses only, or three under a tenth:
 * not rolled up.
 */
Test(where, clients_not_rolled_up, .timeout = 5)
{
	struct agg	*a = agg_new();
	struct event	 ev;
	struct result	*r;
	size_t		 i;

	ev = ev_in(CAUSE_AUTH_FAILURE, "192.0.2.1", "auth failed");
	ev.count = 90;
	agg_add(a, &ev, 1);
	/* two of 192.0.2.0/24 hold 95 of 103 events: still two only */
	ev = ev_in(CAUSE_AUTH_FAILURE, "192.0.2.2", "auth failed");
	ev.count = 5;
	agg_add(a, &ev, 1);
	/* 3 of 103 events from three addresses of one /64: under 10 % */
	ev = ev_in(CAUSE_AUTH_FAILURE, "2001:db8::1", "auth failed");
	agg_add(a, &ev, 2);
	ev = ev_in(CAUSE_AUTH_FAILURE, "2001:DB8::2", "auth failed");
	agg_add(a, &ev, 3);
	ev = ev_in(CAUSE_AUTH_FAILURE, "2001:db8::3", "auth failed");
	agg_add(a, &ev, 3);
	for (i = 0; i < 3; i++) {
		ev = ev_in(CAUSE_AUTH_FAILURE, i == 0 ? "198.51.100.1" :
		    i == 1 ? "198.18.0.1" : "10.1.1.1", "auth failed");
		agg_add(a, &ev, 4 + i);
	}
	agg_finish(a);
	r = agg_result(a, 0);
	cr_assert_eq(r->nnetworks, 0);
	cr_assert_eq(r->nclient_view, 8);
	cr_assert_str_eq(r->client_view[0].name, "192.0.2.1");
	cr_assert_str_eq(r->client_view[1].name, "192.0.2.2");
	/* by name after the counts: 10.1.1.1, 198.18.0.1, 198.51.100.1,
	   2001:db8::1, then the lower-cased 2001:db8::2 */
	cr_assert_str_eq(r->clients[6].name, "2001:db8::2");
	cr_assert_str_eq(r->clients[6].network, "2001:db8::/64");
	result_free(r);
	agg_free(a);
}

/*
 * Inbound policy rejects by detail: 2 by zen, 1 by spamcop, 1 helo; an
 * outbound bounce naming our IP on a list is urgent, a plain outbound
 * deferral is not; a local save failure counts as local only.
 */
Test(where, details_remotes_direction, .timeout = 5)
{
	struct agg	*a = agg_new();
	struct event	 ev;
	struct result	*r;
	const struct cause_where *row;

	ev = ev_in(CAUSE_POLICY_REJECTION, "203.0.113.9", "Client host "
	    "[203.0.113.9] blocked using zen.spamhaus.org; see ...");
	ev.detail = POL_BLOCKLIST;
	agg_add(a, &ev, 10);
	ev.text = S("blocked using ZEN.spamhaus.org");
	agg_add(a, &ev, 5);
	ev.text = S("blocked using bl.spamcop.net");
	agg_add(a, &ev, 11);
	ev.detail = POL_HELO;
	ev.text = S("Helo command rejected: Host not found");
	agg_add(a, &ev, 12);
	/* outbound: the remote lists our IP */
	event_reset(&ev);
	ev.cause = CAUSE_POLICY_REJECTION;
	ev.detail = POL_BLOCKLIST;
	ev.dir = DIR_FROM_REMOTE;
	ev.proto = PROTO_SMTP;
	ev.user = S("bob@Far.Example");
	ev.remote = S("mx.far.example");
	ev.text = S("Client host [192.0.2.1] blocked using "
	    "b.barracudacentral.org");
	agg_add(a, &ev, 13);
	event_reset(&ev);
	ev.cause = CAUSE_SERVICE_UNAVAILABLE;
	ev.dir = DIR_FROM_REMOTE;
	ev.user = S("c@slow.example");
	ev.text = S("connect to mx.slow.example: Connection timed out");
	ev.count = 2;
	agg_add(a, &ev, 14);
	event_reset(&ev);
	ev.cause = CAUSE_SYSTEM_STORAGE;
	ev.text = S("No space left on device");
	agg_add(a, &ev, 15);
	agg_finish(a);
	r = agg_result(a, 0);

	row = row_of(r, CAUSE_POLICY_REJECTION);
	cr_assert_eq(row->dir[DIR_TO_CLIENT], 4);
	cr_assert_eq(row->dir[DIR_FROM_REMOTE], 1);
	cr_assert_eq(row->ndetail, 4);
	cr_assert_str_eq(row->detail[0].key, "rbl:zen.spamhaus.org");
	cr_assert_eq(row->detail[0].n, 2);
	/* the example is the first in input order (pos 5) */
	cr_assert_str_eq(row->detail[0].example,
	    "blocked using ZEN.spamhaus.org");
	cr_assert_str_eq(row->detail[1].key, "helo");
	cr_assert_str_eq(row->detail[2].key, "rbl:b.barracudacentral.org");
	cr_assert_str_eq(row->detail[3].key, "rbl:bl.spamcop.net");
	cr_assert_eq(row->ntop_remotes, 1);
	cr_assert_str_eq(row->top_remotes[0].key, "far.example");

	cr_assert_eq(r->dir[DIR_TO_CLIENT], 4);
	cr_assert_eq(r->dir[DIR_FROM_REMOTE], 3);
	cr_assert_eq(r->dir[DIR_LOCAL], 1);
	cr_assert_eq(row_of(r, CAUSE_SYSTEM_STORAGE)->dir[DIR_LOCAL], 1);

	cr_assert_eq(r->nremotes, 2);
	cr_assert_eq(r->remote_events, 3);
	cr_assert_eq(r->urgent_events, 1);
	cr_assert_str_eq(r->remotes[0].name, "slow.example");
	cr_assert_eq(r->remotes[0].events, 2);
	cr_assert_eq(r->remotes[0].urgent, 0);
	cr_assert_null(r->remotes[0].note);
	cr_assert_str_eq(r->remotes[1].name, "far.example");
	cr_assert_eq(r->remotes[1].urgent, 1);
	cr_assert_str_eq(r->remotes[1].note, "mx.far.example");
	cr_assert_str_eq(r->remotes[1].reply, "Client host [192.0.2.1] "
	    "blocked using b.barracudacentral.org");
	result_free(r);
	agg_free(a);
}

/* Split over two aggs and merged: the same tables. */
Test(where, merge_same_as_one, .timeout = 5)
{
	struct agg	*a = agg_new(), *b = agg_new();
	struct event	 ev;
	struct result	*r;
	const struct cause_where *row;

	ev = ev_in(CAUSE_POLICY_REJECTION, "203.0.113.9", "blocked using "
	    "zen.spamhaus.org");
	ev.detail = POL_BLOCKLIST;
	agg_add(b, &ev, 30);
	ev.cname = S("late.example");
	agg_add(a, &ev, 40);
	ev.cname = S("first.example");
	agg_add(b, &ev, 20);
	agg_merge(a, b);
	agg_finish(a);
	r = agg_result(a, 0);
	row = row_of(r, CAUSE_POLICY_REJECTION);
	cr_assert_eq(row->dir[DIR_TO_CLIENT], 3);
	cr_assert_eq(row->detail[0].n, 3);
	cr_assert_eq(r->clients[0].events, 3);
	cr_assert_str_eq(r->clients[0].note, "first.example");
	result_free(r);
	agg_free(a);
	agg_free(b);
}
