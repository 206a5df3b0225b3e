/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * events: one JSON line per operation in <runroot>/events.log, capped in
 * size (the older half moves to events.log.1), and `nook events`, which
 * filters and follows the log with inotify.
 *
 * A line: {"time":"2026-11-22T12:00:00.123456789Z","timeNano":N,
 *          "type":"container","status":"start","id":"<64 hex>",
 *          "name":"web","attributes":{...}}
 */
#ifndef NOOK_EVENTS_H
#define NOOK_EVENTS_H

#include <stdint.h>

#include "oci/util.h"
#include "store/store.h"

/* Append one event.  attrs may be NULL (a JSON object otherwise; not
 * consumed).  Concurrent writers are serialised with flock. */
int events_append(const struct store *s, const char *status, const char *id, const char *name,
		  const cJSON *attrs, struct err *e);

/* An image's event (type "image"): pull, load, tag, untag, remove. */
int events_append_image(const struct store *s, const char *status, const char *id, const char *name,
			struct err *e);

struct events_filter {
	int64_t since_ns, until_ns; /* 0 = unbounded */
	char **containers; /* ids, id prefixes or names; NULL = all */
	char **statuses; /* event names; NULL = all */
};

/* Print matching events to out_fd, as JSON lines (json) or podman's text
 * form ("2026-11-22 12:00:00.123456789 +0000 UTC container start ID
 * (name=web)").  follow: then wait for new ones (inotify) until until_ns
 * passes or the process is interrupted. */
int events_print(const struct store *s, const struct events_filter *f, int follow, int json,
		 int out_fd, struct err *e);

/* Parse "10m", "2h", "30s", an RFC3339 time or a Unix time into ns since
 * the epoch (relative values count back from now). */
int events_parse_time(const char *s, int64_t *ns, struct err *e);

#endif
