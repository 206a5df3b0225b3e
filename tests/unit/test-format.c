// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-format: engine/format, podman's output shapes: the Go-template
 * subset (paths, json, escapes, a missing field), ps's JSON row, its
 * templates (.Names one string) and its table line.
 */
#define UNIT_NAME "test-format"
#include "tests/unit/unit.h"

#include <stdlib.h>
#include <time.h>

#include "engine/format.h"

static char out[4096];

/* What fn wrote through a memory stream, in out. */
#define CAPTURE(call)                                           \
	do {                                                    \
		char *_b = NULL;                                \
		size_t _n = 0;                                  \
		FILE *f = open_memstream(&_b, &_n);             \
		call;                                           \
		fclose(f);                                      \
		snprintf(out, sizeof(out), "%s", _b ? _b : ""); \
		free(_b);                                       \
	} while (0)

static void test_template(void)
{
	cJSON *j = cJSON_Parse("{\"Id\":\"abc\",\"State\":{\"Status\":\"running\",\"Pid\":42,"
			       "\"Paused\":false},\"Args\":[\"a\",\"b\"],\"Cfg\":{\"K\":1}}");

	CAPTURE(format_template(f, "{{.Id}} {{ .State.Status }}\\t{{.State.Pid}}", j));
	CHECK_STR(out, "abc running\t42\n");
	CAPTURE(format_template(f, "{{.State.Paused}} {{.Args}} {{.Cfg}}", j));
	CHECK_STR(out, "false [a b] {\"K\":1}\n");
	CAPTURE(format_template(f, "{{json .Args}}\\n{{json .Id}}", j));
	CHECK_STR(out, "[\"a\",\"b\"]\n\"abc\"\n");
	CAPTURE(format_template(f, "{{.Nope.Deeper}}|{{.Id", j));
	CHECK_STR(out, "<no value>|\n");
	cJSON_Delete(j);
}

static void test_ps(void)
{
	char *cmd[] = { "/bin/sh", "-c", "sleep 1", NULL };
	cJSON *row, *rows;
	struct engine_ps_row r = {
		.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		.name = "web",
		.rootfs = "/srv/root",
		.status = "exited",
		.command = cmd,
		.created_ns = ((int64_t)time(NULL) - 7200) * 1000000000,
		.finished_ns = ((int64_t)time(NULL) - 120) * 1000000000,
		.exit_code = 3,
	};

	row = format_ps_json(&r, 0);
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(row, "ID")->valuestring, "0123456789ab");
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(row, "CommandLine")->valuestring,
		  "/bin/sh -c sleep 1");
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(row, "Status")->valuestring,
		  "Exited (3) 2 minutes ago");
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(row, "CreatedHuman")->valuestring,
		  "2 hours ago");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "Exited")));
	rows = cJSON_CreateArray();
	cJSON_AddItemToArray(rows, row);
	CAPTURE(format_ps_rows(f, "table {{.Names}} {{.State}}", rows));
	CHECK_STR(out, "web exited\n");
	CAPTURE(format_ps_rows(f, "json", rows));
	CHECK_HAS(out, "\"Names\":\t[\"web\"]");
	CAPTURE(format_ps_line(f, &r, 0));
	CHECK_HAS(out, "0123456789ab  /srv/root");
	CHECK_HAS(out, "Exited (3) 2 minutes ago");
	CHECK_HAS(out, " web\n");
	cJSON_Delete(rows);
}

int main(void)
{
	RUN(test_template);
	RUN(test_ps);
	UNIT_EXIT();
}
