// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format: podman's output shapes (see format.h).  Times are relative to
 * now ("3 minutes ago") in the table and templates, RFC 3339 in the JSON.
 * Nothing here reads the store: rows come from engine_list_each and
 * documents from engine_inspect.
 */
#include "engine/format.h"

#include <time.h>

/* ---- a small subset of Go templates ------------------------------------ */

static const cJSON *jpath(const cJSON *j, const char *path, size_t len)
{
	while (len && j) {
		const char *dot;
		size_t n;
		char key[128];

		if (*path == '.') {
			path++;
			len--;
		}
		dot = memchr(path, '.', len);
		n = dot ? (size_t)(dot - path) : len;
		if (n == 0)
			break;
		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		j = cJSON_GetObjectItemCaseSensitive(j, key);
		path += n;
		len -= n;
	}
	return j;
}

static void print_value(FILE *f, const cJSON *v, int as_json)
{
	if (!v) {
		fputs("<no value>", f);
	} else if (as_json || cJSON_IsObject(v)) {
		char *t = cJSON_PrintUnformatted(v);

		fputs(t, f);
		free(t);
	} else if (cJSON_IsString(v)) {
		fputs(v->valuestring, f);
	} else if (cJSON_IsBool(v)) {
		fputs(cJSON_IsTrue(v) ? "true" : "false", f);
	} else if (cJSON_IsNumber(v)) {
		fprintf(f, "%.0f", v->valuedouble);
	} else if (cJSON_IsArray(v)) {
		const cJSON *it;
		int first = 1;

		fputc('[', f);
		cJSON_ArrayForEach (it, v) {
			if (!first)
				fputc(' ', f);
			first = 0;
			print_value(f, it, 0);
		}
		fputc(']', f);
	}
}

void format_template(FILE *f, const char *tmpl, const cJSON *j)
{
	for (const char *p = tmpl; *p;) {
		if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
			fputc(p[1] == 't' ? '\t' : '\n', f);
			p += 2;
			continue;
		}
		if (p[0] == '{' && p[1] == '{') {
			const char *end = strstr(p, "}}");
			const char *s = p + 2;
			int as_json = 0;

			if (!end)
				break;
			while (*s == ' ')
				s++;
			if (strncmp(s, "json ", 5) == 0) {
				as_json = 1;
				s += 5;
				while (*s == ' ')
					s++;
			}
			{
				const char *e2 = end;

				while (e2 > s && e2[-1] == ' ')
					e2--;
				print_value(f, jpath(j, s, (size_t)(e2 - s)), as_json);
			}
			p = end + 2;
			continue;
		}
		fputc(*p++, f);
	}
	fputc('\n', f);
}

void format_json(FILE *f, const cJSON *j)
{
	char *t = cJSON_Print(j);

	fputs(t, f);
	fputc('\n', f);
	free(t);
}

/* ---- ps ------------------------------------------------------------------ */

void format_ago(char *buf, size_t len, int64_t ns, const char *suffix)
{
	int64_t s = (int64_t)time(NULL) - ns / 1000000000;

	if (s < 1)
		snprintf(buf, len, "Less than a second%s", suffix);
	else if (s < 60)
		snprintf(buf, len, "%lld second%s%s", (long long)s, s == 1 ? "" : "s", suffix);
	else if (s < 3600)
		snprintf(buf, len, "%lld minute%s%s", (long long)s / 60, s / 60 == 1 ? "" : "s",
			 suffix);
	else if (s < 86400)
		snprintf(buf, len, "%lld hour%s%s", (long long)s / 3600, s / 3600 == 1 ? "" : "s",
			 suffix);
	else
		snprintf(buf, len, "%lld day%s%s", (long long)s / 86400, s / 86400 == 1 ? "" : "s",
			 suffix);
}

/* podman's time format in its JSON: RFC 3339 with nanoseconds; its zero
 * time for "never". */
static void fmt_iso(char *buf, size_t len, int64_t ns)
{
	if (ns <= 0 || !time_format_ns(ns, buf, len))
		snprintf(buf, len, "0001-01-01T00:00:00Z");
}

static int ps_exited(const char *status)
{
	return strcmp(status, "exited") == 0 || strcmp(status, "stopped") == 0;
}

/* The STATUS column: "Up 3 minutes", "Exited (0) 2 hours ago", "Created". */
static void ps_status(char *buf, size_t len, const struct engine_ps_row *r)
{
	char ago[64];

	if (strcmp(r->status, "running") == 0 || strcmp(r->status, "paused") == 0) {
		format_ago(ago, sizeof(ago), r->started_ns, "");
		snprintf(buf, len, "Up %s%s", ago,
			 strcmp(r->status, "paused") == 0 ? " (paused)" : "");
	} else if (ps_exited(r->status)) {
		format_ago(ago, sizeof(ago), r->finished_ns, " ago");
		snprintf(buf, len, "Exited (%d) %s", r->exit_code, ago);
	} else if (strcmp(r->status, "created") == 0 || strcmp(r->status, "configured") == 0) {
		snprintf(buf, len, "Created");
	} else {
		snprintf(buf, len, "%s", r->status);
	}
}

static void ps_cmdline(char *buf, size_t len, char *const *cmd)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; cmd && cmd[i]; i++)
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
					off ? " " : "", cmd[i]);
}

cJSON *format_ps_json(const struct engine_ps_row *r, int notrunc)
{
	cJSON *j = cJSON_CreateObject(), *names, *cmd;
	char buf[256], shortid[13];

	snprintf(shortid, sizeof(shortid), "%.12s", r->id);
	cJSON_AddStringToObject(j, "Id", r->id);
	cJSON_AddStringToObject(j, "ID", notrunc ? r->id : shortid);
	names = cJSON_AddArrayToObject(j, "Names");
	cJSON_AddItemToArray(names, cJSON_CreateString(r->name));
	cJSON_AddStringToObject(j, "Image", r->rootfs);
	cmd = cJSON_AddArrayToObject(j, "Command");
	for (size_t i = 0; r->command && r->command[i]; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(r->command[i]));
	ps_cmdline(buf, sizeof(buf), r->command);
	cJSON_AddStringToObject(j, "CommandLine", buf);
	cJSON_AddStringToObject(j, "State", r->status);
	ps_status(buf, sizeof(buf), r);
	cJSON_AddStringToObject(j, "Status", buf);
	cJSON_AddNumberToObject(j, "Pid", (double)r->pid);
	cJSON_AddNumberToObject(j, "ExitCode", r->exit_code);
	cJSON_AddBoolToObject(j, "Exited", ps_exited(r->status));
	cJSON_AddNumberToObject(j, "Created", (double)(r->created_ns / 1000000000));
	fmt_iso(buf, sizeof(buf), r->created_ns);
	cJSON_AddStringToObject(j, "CreatedAt", buf);
	format_ago(buf, sizeof(buf), r->created_ns, " ago");
	cJSON_AddStringToObject(j, "CreatedHuman", buf);
	cJSON_AddNumberToObject(j, "RestartCount", r->restart_count);
	return j;
}

void format_ps_rows(FILE *f, const char *format, const cJSON *rows)
{
	const cJSON *it;

	if (strcmp(format, "json") == 0) {
		format_json(f, rows);
		return;
	}
	if (strncmp(format, "table ", 6) == 0)
		format += 6; /* no header line from a custom table: keep it simple */
	cJSON_ArrayForEach (it, rows) {
		cJSON *row = cJSON_Duplicate(it, 1);
		const cJSON *n =
			cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(row, "Names"), 0);

		cJSON_ReplaceItemInObjectCaseSensitive(row, "Names",
						       cJSON_CreateString(n->valuestring));
		format_template(f, format, row);
		cJSON_Delete(row);
	}
}

void format_ps_header(FILE *f)
{
	fprintf(f, "%-13s %-24s %-20s %-16s %-28s %s\n", "CONTAINER ID", "IMAGE", "COMMAND",
		"CREATED", "STATUS", "NAMES");
}

void format_ps_line(FILE *f, const struct engine_ps_row *r, int notrunc)
{
	char cmd[256], status[128], ago[64];

	ps_cmdline(cmd, sizeof(cmd), r->command);
	ps_status(status, sizeof(status), r);
	format_ago(ago, sizeof(ago), r->created_ns, " ago");
	fprintf(f, "%-13.*s %-24.24s %-20.20s %-16s %-28s %s\n", notrunc ? STORE_ID_LEN : 12, r->id,
		r->rootfs, cmd, ago, status, r->name);
}
