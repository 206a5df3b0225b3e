/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * format: what podman (and docker) print, in their shapes: the subset of
 * Go templates that --format takes, ps's JSON rows and its table.  The CLI
 * uses it today; the API can answer in the same shapes.
 */
#ifndef NOOK_FORMAT_H
#define NOOK_FORMAT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "engine/container.h"

/* A Go template's subset onto f, then a newline: "{{.State.Status}}",
 * "{{json .Config}}", the "\t" and "\n" escapes.  A missing field prints
 * "<no value>", as Go's does. */
void format_template(FILE *f, const char *tmpl, const cJSON *j);

/* j indented (podman's --format json and inspect), then a newline. */
void format_json(FILE *f, const cJSON *j);

/* ps's row in podman's JSON shape; notrunc: "ID" is the whole id, not 12
 * characters.  The caller deletes it. */
cJSON *format_ps_json(const struct engine_ps_row *r, int notrunc);

/* ps's rows (from format_ps_json) with --format: "json" as one array,
 * else a template per row ("table " dropped, no header line) in which
 * .Names is one string, as podman's. */
void format_ps_rows(FILE *f, const char *format, const cJSON *rows);

/* ps's table: the header line, and one row a line. */
/* "3 minutes" + suffix since ns (the epoch's) */
void format_ago(char *buf, size_t len, int64_t ns, const char *suffix);

void format_ps_header(FILE *f);
void format_ps_line(FILE *f, const struct engine_ps_row *r, int notrunc);

#endif
