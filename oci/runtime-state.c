// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runtime-state: the state store of the runc command line.
 *
 * State lives in <root>/<id>/ (default root /run/nook-runtime):
 *   state.json   id, pid + its start time (pid reuse), bundle, rootfs,
 *                created, cgroup path, annotations
 *   config.json  the bundle's config as it was at create (exec, delete)
 *   exec.fifo    exists between create and start: the init blocks on it
 * and <root>/.seccomp/ holds the built seccomp programs (oci_seccomp_get;
 * ids never start with a dot, list skips it).
 * The status is never stored: it is read from the kernel each time
 * (process alive with the same start time? fifo present? cgroup frozen?).
 * The files are written atomically (tmp + rename) but not fsynced, as by
 * runc and crun: they describe processes that a power cut ends anyway
 * (the runtime spec wants them on a tmpfs), and on a disk each fsync cost
 * a millisecond or more of every start.
 */
#include "oci/runtime-internal.h"

#include <dirent.h>
#include <signal.h>

#include "oci/cgroup.h"
#include "oci/sys.h"

void rt_state_free(struct state *s)
{
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->cgroup);
	cJSON_Delete(s->annotations);
	memset(s, 0, sizeof(*s));
}

/* ---- state files ------------------------------------------------------- */

char *rt_state_dir(const struct rt *rt, const char *id)
{
	return xasprintf("%s/%s", rt->root, id);
}

int rt_state_save(const struct rt *rt, const struct state *s, struct err *e)
{
	_cleanup_free_ char *dir = rt_state_dir(rt, s->id);
	_cleanup_free_ char *path = xasprintf("%s/state.json", dir);
	cJSON *j = cJSON_CreateObject();
	char *text;
	int r;

	cJSON_AddStringToObject(j, "id", s->id);
	cJSON_AddNumberToObject(j, "pid", s->pid);
	cJSON_AddNumberToObject(j, "pidStart", (double)s->pid_start);
	cJSON_AddStringToObject(j, "bundle", s->bundle);
	cJSON_AddStringToObject(j, "rootfs", s->rootfs);
	cJSON_AddStringToObject(j, "created", s->created);
	if (s->cgroup)
		cJSON_AddStringToObject(j, "cgroup", s->cgroup);
	if (s->annotations)
		cJSON_AddItemToObject(j, "annotations", cJSON_Duplicate(s->annotations, 1));
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	r = file_write_nosync(path, text, strlen(text), 0600, e);
	free(text);
	return r;
}

const char *rt_jstr(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

#define STATE_MISSING (-2)
#define STATE_CORRUPT (-3)

/* Load <root>/<id>/state.json.  A missing container returns STATE_MISSING
 * with runc's text "container ... does not exist". */
int rt_state_load(const struct rt *rt, const char *id, struct state *s, struct err *e)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	struct err le = { 0 };
	cJSON *j;
	const cJSON *pid, *start;

	memset(s, 0, sizeof(*s));
	if (id_valid(id, e) < 0)
		return -1;
	path = xasprintf("%s/%s/state.json", rt->root, id);
	text = file_read(path, NULL, &le);
	if (!text) {
		if (e)
			*e = le;
		if (le.errnum == ENOENT) {
			/* runc's words, which callers match, plus the id */
			err_set(e, 0, "container \"%s\" does not exist", id);
			return STATE_MISSING;
		}
		return -1;
	}
	j = cJSON_Parse(text);
	pid = cJSON_GetObjectItemCaseSensitive(j, "pid");
	start = cJSON_GetObjectItemCaseSensitive(j, "pidStart");
	if (!j || !cJSON_IsNumber(pid) || !rt_jstr(j, "id") || !rt_jstr(j, "bundle")) {
		cJSON_Delete(j);
		err_set(e, EINVAL, "%s: corrupt state file", path);
		return STATE_CORRUPT;
	}
	s->id = xstrdup(rt_jstr(j, "id"));
	s->pid = (pid_t)pid->valuedouble;
	s->pid_start = cJSON_IsNumber(start) ? (uint64_t)start->valuedouble : 0;
	s->bundle = xstrdup(rt_jstr(j, "bundle"));
	s->rootfs = xstrdup(rt_jstr(j, "rootfs") ? rt_jstr(j, "rootfs") : "");
	s->created = xstrdup(rt_jstr(j, "created") ? rt_jstr(j, "created") : "");
	s->cgroup = rt_jstr(j, "cgroup") ? xstrdup(rt_jstr(j, "cgroup")) : NULL;
	s->annotations = cJSON_DetachItemFromObject(j, "annotations");
	cJSON_Delete(j);
	return 0;
}

int rt_pid_alive(const struct state *s)
{
	return s->pid_start && proc_running(s->pid, s->pid_start) && kill(s->pid, 0) == 0;
}

const char *rt_state_status(const struct rt *rt, const struct state *s)
{
	_cleanup_free_ char *fifo = NULL;

	if (!rt_pid_alive(s))
		return "stopped";
	fifo = xasprintf("%s/%s/exec.fifo", rt->root, s->id);
	if (access(fifo, F_OK) == 0)
		return "created";
	if (s->cgroup && oci_cgroup_frozen(s->cgroup) == 1)
		return "paused";
	return "running";
}

cJSON *rt_state_json(const struct rt *rt, const struct state *s, const char *status)
{
	cJSON *j = cJSON_CreateObject();
	int stopped = strcmp(status, "stopped") == 0;

	cJSON_AddStringToObject(j, "ociVersion", RT_OCI_VERSION);
	cJSON_AddStringToObject(j, "id", s->id);
	cJSON_AddNumberToObject(j, "pid", stopped ? 0 : s->pid);
	cJSON_AddStringToObject(j, "status", status);
	cJSON_AddStringToObject(j, "bundle", s->bundle);
	cJSON_AddStringToObject(j, "rootfs", s->rootfs);
	cJSON_AddStringToObject(j, "created", s->created);
	if (s->annotations)
		cJSON_AddItemToObject(j, "annotations", cJSON_Duplicate(s->annotations, 1));
	cJSON_AddStringToObject(j, "owner", "");
	return j;
}

void rt_print_json(cJSON *j)
{
	char *t = cJSON_Print(j);

	puts(t);
	free(t);
	cJSON_Delete(j);
}

/* Remove <root>/<id> and what is in it (flat: no subdirectories). */
void rt_state_dir_remove(const struct rt *rt, const char *id)
{
	_cleanup_free_ char *dir = rt_state_dir(rt, id);
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

struct oci_spec *rt_load_saved_spec(const struct rt *rt, const char *id, struct err *e)
{
	_cleanup_free_ char *p = xasprintf("%s/%s/config.json", rt->root, id);

	return oci_spec_load(p, e);
}
