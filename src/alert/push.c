/*
 * Pushing alerts to Alertmanager's v2 API (POST URL/api/v2/alerts, a
 * JSON array) with libcurl. Firing alerts carry startsAt and no endsAt,
 * and are sent again periodically as Alertmanager expects of its
 * clients; a resolved alert is sent once with endsAt. Labels identify
 * the alert (alertname = rule, key, severity); annotations carry what
 * the cause means and what to do, and the evidence.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mxtally/alert.h"
#include "mxtally/cause.h"
#include "mxtally/log.h"
#include "mxtally/report.h"
#include "push.h"

static const char *const by_label[] = { "none", "host", "user", "client" };
static const char *const sev_label[] = { "", "warning", "critical" };

/* Event times are local wall-clock as logged: UTC for Alertmanager. */
static void
utc_stamp(int64_t local, char *buf, size_t len)
{
	time_t		 now = time(NULL);
	struct tm	 tm;
	char		 t[32];

	localtime_r(&now, &tm);
	report_time(local - tm.tm_gmtoff, t, sizeof(t));
	snprintf(buf, len, "%sZ", t);
}

static void
now_stamp(char *buf, size_t len)
{
	time_t		 now = time(NULL);
	struct tm	 tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
json_kv(FILE *f, const char *k, const char *v, int comma)
{
	if (comma)
		putc(',', f);
	rep_json_str(f, k);
	putc(':', f);
	rep_json_str(f, v);
}

void
push_alert_json(FILE *f, const struct alert *a, int resolved,
    const char *instance)
{
	const struct alert_rule	*r = a->rule;
	const struct cause_info	*ci = r->sel == SEL_CAUSE ?
	    cause_get(r->cause) : NULL;
	char			 win[16], summary[512], t[40], n[24];

	alert_fmt_window(r->window, win, sizeof(win));
	fputs("{\"labels\":{", f);
	json_kv(f, "alertname", r->name, 0);
	json_kv(f, "severity", sev_label[r->severity], 1);
	json_kv(f, "by", by_label[r->by], 1);
	json_kv(f, "key", a->key, 1);
	json_kv(f, "job", "mxtally", 1);
	json_kv(f, "instance", instance, 1);
	fputs("},\"annotations\":{", f);
	/* "3 auth_failure events for client 192.0.2.9 within 5m (...)" */
	if (r->by != BY_NONE)
		snprintf(summary, sizeof(summary), "%llu %s events for %s %s "
		    "within %s (threshold %llu)", (unsigned long long)a->value,
		    r->what, by_label[r->by], a->key, win,
		    (unsigned long long)r->threshold);
	else
		snprintf(summary, sizeof(summary), "%llu %s events within %s "
		    "(threshold %llu)", (unsigned long long)a->value, r->what,
		    win, (unsigned long long)r->threshold);
	json_kv(f, "summary", summary, 0);
	json_kv(f, "meaning", ci ? ci->meaning : "events matching the "
	    "rule's selector passed its threshold", 1);
	json_kv(f, "advice", ci && ci->advice ? ci->advice :
	    "run mxtally explain on the logged reply", 1);
	utc_stamp(a->first, t, sizeof(t));
	json_kv(f, "first_event", t, 1);
	utc_stamp(a->last, t, sizeof(t));
	json_kv(f, "last_event", t, 1);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)a->events);
	json_kv(f, "evidence", n, 1);
	fputs("},", f);
	utc_stamp(a->first, t, sizeof(t));
	json_kv(f, "startsAt", t, 0);
	if (resolved) {
		now_stamp(t, sizeof(t));
		json_kv(f, "endsAt", t, 1);
	}
	putc('}', f);
}

void
push_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/*
 * url without the password of its user information ("http://u:pw@h/" is
 * shown as "http://u@h/", as --history shows a PostgreSQL URL), into
 * buf, for messages.
 */
static const char *
url_shown(const char *url, char *buf, size_t len)
{
	const char	*u = strstr(url, "://"), *end, *at, *colon;

	snprintf(buf, len, "%s", url);
	if (u == NULL)
		return buf;
	u += 3;
	end = u + strcspn(u, "/?#");
	at = memrchr(u, '@', (size_t)(end - u));
	colon = at != NULL ? memchr(u, ':', (size_t)(at - u)) : NULL;
	if (colon != NULL)
		snprintf(buf, len, "%.*s%s", (int)(colon - url), url, at);
	return buf;
}

int
push_send(const char *url, const char *body, size_t len)
{
	CURL			*c;
	struct curl_slist	*h;
	char			 full[1024], shown[1024];
	long			 status = 0;
	CURLcode		 rc;
	size_t			 ul = strlen(url);

	while (ul > 0 && url[ul - 1] == '/')
		ul--;
	snprintf(full, sizeof(full), "%.*s/api/v2/alerts", (int)ul, url);
	if ((c = curl_easy_init()) == NULL)
		return log_error("cannot start libcurl");
	h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return log_error("cannot push alerts to '%s': %s",
		    url_shown(full, shown, sizeof(shown)), curl_easy_strerror(rc));
	if (status / 100 != 2)
		return log_error("cannot push alerts to '%s': HTTP %ld",
		    url_shown(full, shown, sizeof(shown)), status);
	return 0;
}
