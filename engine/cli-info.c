// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-info: the commands that read: ps, inspect, logs, events.  They open
 * the store read-only where they can (a missing store is an empty one) and
 * print in podman's shapes (engine/format).
 */
#include <getopt.h>
#include <time.h>

#include "engine/cli.h"
#include "engine/events.h"
#include "engine/format.h"
#include "monitor/monitor.h"

/* --until: podman counts a duration forward ("--until 3s": three seconds
 * from now), --since backward. */
static int parse_until(const char *s, int64_t *ns, struct err *e)
{
	struct timespec ts;
	int64_t now;

	if (events_parse_time(s, ns, e) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	/* a bare duration ("3s", "1h30m"): no date, no Unix time */
	if (strpbrk(s, "hmsun") && !strpbrk(s, "-:T") && *ns < now)
		*ns = now + (now - *ns);
	return 0;
}

/* 1 a supported filter (name=, id=, status=), 0 not. */
static int ps_filter_known(const char *f)
{
	return strncmp(f, "name=", 5) == 0 || strncmp(f, "id=", 3) == 0 ||
	       strncmp(f, "status=", 7) == 0;
}

static int ps_match(const struct engine_ps_row *r, char **filters)
{
	for (size_t i = 0; filters && filters[i]; i++) {
		const char *f = filters[i], *v = strchr(f, '=') + 1;

		if (f[0] == 'n') {
			if (!strstr(r->name, v))
				return 0;
		} else if (f[0] == 'i') {
			if (strncmp(r->id, v, strlen(v)) != 0)
				return 0;
		} else if (strcmp(r->status, v) != 0 &&
			   !(strcmp(v, "exited") == 0 && strcmp(r->status, "stopped") == 0) &&
			   !(strcmp(v, "created") == 0 && strcmp(r->status, "configured") == 0)) {
			return 0;
		}
	}
	return 1;
}

struct ps_out {
	int quiet, notrunc;
	const char *format; /* NULL: the table */
	char **filters;
	cJSON *rows; /* --format json or a template */
};

/* One row: printed at once (the table, -q) into stdout's buffer, or kept
 * for the JSON formats.  No JSON is built for the table. */
static int ps_each(const struct engine_ps_row *r, void *arg)
{
	struct ps_out *o = arg;

	if (!ps_match(r, o->filters))
		return 0;
	if (o->quiet)
		printf("%.*s\n", o->notrunc ? STORE_ID_LEN : 12, r->id);
	else if (o->format)
		cJSON_AddItemToArray(o->rows, format_ps_json(r, o->notrunc));
	else
		format_ps_line(stdout, r, o->notrunc);
	return 0;
}

int cli_cmd_ps(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "all", no_argument, NULL, 'a' },
					    { "quiet", no_argument, NULL, 'q' },
					    { "format", required_argument, NULL, 'f' },
					    { "filter", required_argument, NULL, 'F' },
					    { "no-trunc", no_argument, NULL, 'n' },
					    { "latest", no_argument, NULL, 'l' },
					    { 0 } };
	/* musl ignores setvbuf's size without a buffer of ours; it must
	 * outlive main's return, when stdout is flushed. */
	static char obuf[1 << 16];
	int all = 0, ch, rc;
	_cleanup_strv_ char **filters = NULL;
	struct ps_out o = { 0 };
	struct err e = { 0 };

	optind = 0;
	while ((ch = getopt_long(argc, argv, "aqf:", lo, NULL)) != -1) {
		switch (ch) {
		case 'a': all = 1; break;
		case 'q': o.quiet = 1; break;
		case 'f': o.format = optarg; break;
		case 'F':
			if (!ps_filter_known(optarg))
				return cli_usage_err("ps",
						     "unsupported filter (name=, id=, status=)");
			strv_push(&filters, optarg);
			break;
		case 'n': o.notrunc = 1; break;
		case 'l': break;
		default: return cli_usage_err("ps", "invalid option");
		}
	}
	if (cli_open_ro(c) < 0)
		return EXIT_ENGINE;
	o.filters = filters;
	if (o.format && !o.quiet)
		o.rows = cJSON_CreateArray();
	else
		o.format = NULL;
	/* A thousand rows: a few large writes, not one per 1 KiB. */
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (!o.quiet && !o.format)
		format_ps_header(stdout);
	rc = engine_list_each(&c->en, all || filters, ps_each, &o, &e);
	if (rc < 0) {
		cJSON_Delete(o.rows);
		fflush(stdout);
		return cli_report(&e);
	}
	if (o.format)
		format_ps_rows(stdout, o.format, o.rows);
	cJSON_Delete(o.rows);
	return 0;
}

struct inspect_out {
	const char *format; /* NULL: one JSON array of them all */
	cJSON *arr;
};

static int op_inspect(struct cli *c, const char *ref, void *arg, struct err *e)
{
	struct inspect_out *o = arg;
	cJSON *j = engine_inspect(&c->en, ref, e);

	if (!j)
		return -1;
	if (o->format)
		format_template(stdout, o->format, j);
	cJSON_AddItemToArray(o->arr, j);
	return 0;
}

int cli_cmd_inspect(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
					    { "type", required_argument, NULL, 't' },
					    { 0 } };
	struct inspect_out o = { 0 };
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "f:", lo, NULL)) != -1) {
		if (ch == 'f')
			o.format = optarg;
		else if (ch != 't')
			return cli_usage_err("inspect", "invalid option");
	}
	if (optind >= argc)
		return cli_usage_err("inspect", "requires at least 1 container");
	/* the array even when none was found, not when the store failed */
	if (cli_open_ro(c) < 0)
		return EXIT_ENGINE;
	o.arr = cJSON_CreateArray();
	rc = cli_for_each(c, argc, argv, optind, "inspect", op_inspect, &o, CLI_EACH_RO);
	if (!o.format)
		format_json(stdout, o.arr);
	cJSON_Delete(o.arr);
	return rc;
}

int cli_cmd_logs(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "follow", no_argument, NULL, 'f' },
					    { "tail", required_argument, NULL, 'n' },
					    { "since", required_argument, NULL, 's' },
					    { "until", required_argument, NULL, 'u' },
					    { "timestamps", no_argument, NULL, 't' },
					    { 0 } };
	struct monitor_logs_opts lo2 = { .tail = -1 };
	struct err e = { 0 };
	char id[STORE_ID_LEN + 1];
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *exitp = NULL;
	int ch;
	long v;

	/* podman's logs alone takes no flags after the container (cobra's
	 * SetInterspersed(false)): `logs NAME -f` is a second container. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+fn:t", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': lo2.follow = 1; break;
		case 'n':
			if (cli_parse_int(optarg, -1, 1L << 30, &v) < 0)
				return cli_usage_err("logs", "invalid --tail \"%s\"", optarg);
			lo2.tail = v;
			break;
		case 's':
			if (events_parse_time(optarg, &lo2.since_ns, &e) < 0)
				return cli_report(&e);
			break;
		case 'u':
			if (parse_until(optarg, &lo2.until_ns, &e) < 0)
				return cli_report(&e);
			break;
		case 't': lo2.timestamps = 1; break;
		default: return cli_usage_err("logs", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_err("logs", "requires exactly 1 container");
	if (cli_open_ro(c) < 0)
		return EXIT_ENGINE;
	if (engine_resolve(&c->en, argv[optind], id, NULL, &e) < 0)
		return cli_report(&e);
	dir = store_run_path(&c->en.st, id, NULL);
	exitp = store_exit_path(&c->en.st, id);
	lo2.exit_path = exitp;
	if (monitor_logs(dir, &lo2, 1, 2, &e) < 0)
		return cli_report(&e);
	return 0;
}

int cli_cmd_events(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "since", required_argument, NULL, 's' },
					    { "until", required_argument, NULL, 'u' },
					    { "filter", required_argument, NULL, 'f' },
					    { "format", required_argument, NULL, 'F' },
					    { "stream", required_argument, NULL, 'S' },
					    { "no-trunc", no_argument, NULL, 'n' },
					    { 0 } };
	struct events_filter f = { 0 };
	struct err e = { 0 };
	int ch, json = 0, follow = 1, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "f:", lo, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (events_parse_time(optarg, &f.since_ns, &e) < 0)
				return cli_report(&e);
			break;
		case 'u':
			if (parse_until(optarg, &f.until_ns, &e) < 0)
				return cli_report(&e);
			break;
		case 'f':
			if (strncmp(optarg, "container=", 10) == 0)
				strv_push(&f.containers, optarg + 10);
			else if (strncmp(optarg, "event=", 6) == 0)
				strv_push(&f.statuses, optarg + 6);
			else if (strncmp(optarg, "type=", 5) != 0) {
				strv_free(f.containers);
				strv_free(f.statuses);
				return cli_usage_err(
					"events", "unsupported filter \"%s\" (container=, event=)",
					optarg);
			}
			break;
		case 'F':
			json = strcmp(optarg, "json") == 0 || strcmp(optarg, "{{json .}}") == 0;
			break;
		case 'S': follow = strcmp(optarg, "false") != 0; break;
		case 'n': break;
		default: return cli_usage_err("events", "invalid option");
		}
	}
	/* With --until in the past there is nothing to wait for. */
	if (f.until_ns) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		if (f.until_ns <= (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec)
			follow = 0;
	}
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	rc = events_print(&c->en.st, &f, follow, json, 1, &e);
	strv_free(f.containers);
	strv_free(f.statuses);
	return rc < 0 ? cli_report(&e) : 0;
}
