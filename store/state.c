// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state: the typed container record <-> state.json (store/state.h).
 *
 * The format is the one the engine wrote before the record was typed:
 * numbers as JSON numbers (ns timestamps fit a double's 53 bits until
 * 2255), booleans as JSON booleans.  Hazard: a key added to struct
 * ctr_state must be added to both directions and to known[], or it would
 * be written twice (once from the field, once from extra).
 */
#include "store/state.h"

#include "store/store.h"

const char *const state_names[ST_UNKNOWN + 1] = { "configured", "created", "running",  "paused",
						  "stopped",	"exited",  "removing", "unknown" };

enum cstate state_from(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(state_names); i++)
		if (strcmp(s, state_names[i]) == 0)
			return (enum cstate)i;
	return ST_UNKNOWN;
}

static const char *const known[] = {
	"state",	  "restartCount", "name",	   "rootfs",	 "created",
	"command",	  "pid",	  "pidStart",	   "monitorPid", "monitorStart",
	"cgroup",	  "bootId",	  "startedAt",	   "exitCode",	 "signal",
	"oomKilled",	  "finishedAt",	  "stoppedByUser", "mountCount", "checkpointed",
	"checkpointedAt", "restored",	  "restoredAt",	   "netLinks",	 "execSessions",
};

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t num_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static bool bool_of(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static char *dup_of(const cJSON *o, const char *k)
{
	const char *v = str_of(o, k);

	return v ? xstrdup(v) : NULL;
}

char **ctr_state_strv(const cJSON *a)
{
	char **v;
	const cJSON *it;

	if (!cJSON_IsArray(a))
		return NULL;
	v = xcalloc(1, sizeof(char *));
	cJSON_ArrayForEach (it, a)
		if (cJSON_IsString(it))
			strv_push(&v, it->valuestring);
	return v;
}

static cJSON *strv_json(char *const *v)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; v && v[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

void ctr_state_from_json(const cJSON *j, struct ctr_state *s)
{
	const cJSON *it;

	memset(s, 0, sizeof(*s));
	s->state = state_from(str_of(j, "state"));
	s->restart_count = (int)num_of(j, "restartCount");
	s->name = dup_of(j, "name");
	s->rootfs = dup_of(j, "rootfs");
	s->created = num_of(j, "created");
	s->command = ctr_state_strv(cJSON_GetObjectItemCaseSensitive(j, "command"));
	s->pid = (pid_t)num_of(j, "pid");
	s->pid_start = (uint64_t)num_of(j, "pidStart");
	s->monitor_pid = (pid_t)num_of(j, "monitorPid");
	s->monitor_start = (uint64_t)num_of(j, "monitorStart");
	s->cgroup = dup_of(j, "cgroup");
	s->boot_id = dup_of(j, "bootId");
	s->started_at = num_of(j, "startedAt");
	s->exit_known = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "exitCode"));
	s->exit_code = (int)num_of(j, "exitCode");
	s->signal = (int)num_of(j, "signal");
	s->oom_killed = bool_of(j, "oomKilled");
	s->finished_at = num_of(j, "finishedAt");
	s->stopped_by_user = bool_of(j, "stoppedByUser");
	s->mount_count = num_of(j, "mountCount");
	s->checkpointed = bool_of(j, "checkpointed");
	s->checkpointed_at = num_of(j, "checkpointedAt");
	s->restored = bool_of(j, "restored");
	s->restored_at = num_of(j, "restoredAt");
	s->net_links = ctr_state_strv(cJSON_GetObjectItemCaseSensitive(j, "netLinks"));
	ctr_state_execs_from_json(s, cJSON_GetObjectItemCaseSensitive(j, "execSessions"));
	cJSON_ArrayForEach (it, j) {
		size_t i = 0;

		while (i < ARRAY_SIZE(known) && strcmp(it->string, known[i]))
			i++;
		if (i < ARRAY_SIZE(known))
			continue;
		if (!s->extra)
			s->extra = cJSON_CreateObject();
		cJSON_AddItemToObject(s->extra, it->string, cJSON_Duplicate(it, 1));
	}
}

int ctr_state_read(const char *path, struct ctr_state *s, struct err *e)
{
	cJSON *j = store_read_json(path, e);

	memset(s, 0, sizeof(*s));
	s->state = ST_UNKNOWN;
	if (!j)
		return -1;
	ctr_state_from_json(j, s);
	cJSON_Delete(j);
	return 0;
}

static void put_num(cJSON *o, const char *k, int64_t v)
{
	if (v)
		cJSON_AddNumberToObject(o, k, (double)v);
}

static void put_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
}

static void put_bool(cJSON *o, const char *k, bool v)
{
	if (v)
		cJSON_AddBoolToObject(o, k, 1);
}

cJSON *ctr_state_to_json(const struct ctr_state *s)
{
	cJSON *j = cJSON_CreateObject(), *it;

	cJSON_AddStringToObject(j, "state", state_names[s->state]);
	cJSON_AddNumberToObject(j, "restartCount", s->restart_count);
	put_str(j, "name", s->name);
	put_str(j, "rootfs", s->rootfs);
	put_num(j, "created", s->created);
	if (s->command)
		cJSON_AddItemToObject(j, "command", strv_json(s->command));
	put_num(j, "pid", s->pid);
	put_num(j, "pidStart", (int64_t)s->pid_start);
	put_num(j, "monitorPid", s->monitor_pid);
	put_num(j, "monitorStart", (int64_t)s->monitor_start);
	put_str(j, "cgroup", s->cgroup);
	put_str(j, "bootId", s->boot_id);
	put_num(j, "startedAt", s->started_at);
	if (s->exit_known)
		cJSON_AddNumberToObject(j, "exitCode", s->exit_code);
	put_num(j, "signal", s->signal);
	put_bool(j, "oomKilled", s->oom_killed);
	put_num(j, "finishedAt", s->finished_at);
	put_bool(j, "stoppedByUser", s->stopped_by_user);
	put_num(j, "mountCount", s->mount_count);
	put_bool(j, "checkpointed", s->checkpointed);
	put_num(j, "checkpointedAt", s->checkpointed_at);
	put_bool(j, "restored", s->restored);
	put_num(j, "restoredAt", s->restored_at);
	if (s->net_links)
		cJSON_AddItemToObject(j, "netLinks", strv_json(s->net_links));
	cJSON_ArrayForEach (it, s->extra)
		cJSON_AddItemToObject(j, it->string, cJSON_Duplicate(it, 1));
	return j;
}

int ctr_state_write(const char *path, const struct ctr_state *s, int durable, struct err *e)
{
	cJSON *j = ctr_state_to_json(s);
	int r = store_write_json(path, j, durable, e);

	cJSON_Delete(j);
	return r;
}

cJSON *ctr_state_execs_to_json(const struct ctr_state *s)
{
	cJSON *ss = cJSON_CreateObject();

	for (size_t i = 0; i < s->n_execs; i++) {
		const struct ctr_exec *x = &s->execs[i];
		cJSON *o = cJSON_AddObjectToObject(ss, x->id);

		cJSON_AddNumberToObject(o, "pid", (double)x->pid);
		cJSON_AddNumberToObject(o, "pidStart", (double)x->pid_start);
		cJSON_AddItemToObject(o, "command", strv_json(x->command));
	}
	return ss;
}

static void exec_free(struct ctr_exec *x)
{
	free(x->id);
	strv_free(x->command);
}

void ctr_state_execs_from_json(struct ctr_state *s, const cJSON *ss)
{
	const cJSON *o;

	for (size_t i = 0; i < s->n_execs; i++)
		exec_free(&s->execs[i]);
	free(s->execs);
	s->execs = NULL;
	s->n_execs = 0;
	cJSON_ArrayForEach (o, ss) {
		_cleanup_strv_ char **cmd = NULL;

		if (!cJSON_IsObject(o) || !o->string)
			continue;
		cmd = ctr_state_strv(cJSON_GetObjectItemCaseSensitive(o, "command"));
		ctr_state_exec_put(s, o->string, (pid_t)num_of(o, "pid"),
				   (uint64_t)num_of(o, "pidStart"), cmd);
	}
}

void ctr_state_exec_put(struct ctr_state *s, const char *id, pid_t pid, uint64_t pid_start,
			char *const *command)
{
	struct ctr_exec *x;
	size_t i = 0;

	while (i < s->n_execs && strcmp(s->execs[i].id, id))
		i++;
	if (i < s->n_execs) { /* dropped, or recorded again: at the end */
		exec_free(&s->execs[i]);
		memmove(&s->execs[i], &s->execs[i + 1], (s->n_execs - i - 1) * sizeof(*x));
		s->n_execs--;
	}
	if (pid <= 0)
		return;
	s->execs = xrealloc(s->execs, (s->n_execs + 1) * sizeof(*x));
	x = &s->execs[s->n_execs++];
	x->id = xstrdup(id);
	x->pid = pid;
	x->pid_start = pid_start;
	x->command = strv_dup(command);
}

void ctr_state_set_str(char **f, const char *v)
{
	char *old = *f;

	*f = v ? xstrdup(v) : NULL;
	free(old);
}

void ctr_state_set_links(struct ctr_state *s, char *const *v)
{
	strv_free(s->net_links);
	s->net_links = v ? strv_dup(v) : NULL;
}

void ctr_state_free(struct ctr_state *s)
{
	free(s->name);
	free(s->rootfs);
	strv_free(s->command);
	free(s->cgroup);
	free(s->boot_id);
	strv_free(s->net_links);
	ctr_state_execs_from_json(s, NULL);
	cJSON_Delete(s->extra);
	memset(s, 0, sizeof(*s));
}
