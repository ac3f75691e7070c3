/*
 * Stage-private: Alertmanager v2 pushes (push.c).
 */
#ifndef MXTALLY_PUSH_H
#define MXTALLY_PUSH_H

#include <stdio.h>

#include "mxtally/alert.h"

/*
 * Writes one alert of the v2 API's JSON array to f: resolved sets endsAt
 * to now. instance names this watcher (host name).
 */
void push_alert_json(FILE *f, const struct alert *a, int resolved,
    const char *instance);

/* Initialises libcurl; once, before any thread but MHD's starts. */
void push_init(void);

/* POSTs body to url/api/v2/alerts. Returns 0, or -1 after a message. */
int push_send(const char *url, const char *body, size_t len);

#endif
