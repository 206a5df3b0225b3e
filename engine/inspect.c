// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inspect: a container as podman's inspect shows it, and the rows of ps.
 *
 * inspect takes the lock (and so syncs the state); ps takes none and
 * writes nothing: it reads the summary each state.json carries and asks
 * the kernel only what the recorded state may no longer say.
 */
#include "engine/network.h"
#include "engine/ctr.h"

#include <signal.h>

#include "monitor/monitor.h"
#include "oci/cgroup.h"
#include "oci/sys.h"

static void add_time(cJSON *o, const char *k, int64_t ns)
{
	char buf[40];

	/* podman's zero time for "never" */
	if (ns <= 0 || !time_format_ns(ns, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "0001-01-01T00:00:00Z");
	cJSON_AddStringToObject(o, k, buf);
}

static int has_opt(const cJSON *m, const char *opt)
{
	const cJSON *o;

	cJSON_ArrayForEach (o, cJSON_GetObjectItemCaseSensitive(m, "options"))
		if (cJSON_IsString(o) && !strcmp(o->valuestring, opt))
			return 1;
	return 0;
}

/* podman's Mounts: the binds and volumes (tmpfs mounts are not listed) */
static cJSON *mounts_json(const struct ctr *c, const cJSON *spec)
{
	const cJSON *vols = cJSON_GetObjectItemCaseSensitive(c->config, "volumes"), *m, *v;
	cJSON *out = cJSON_CreateArray();

	cJSON_ArrayForEach (m, cJSON_GetObjectItemCaseSensitive(spec, "mounts")) {
		const char *dst = jstr(m, "destination") ?: "", *src = jstr(m, "source") ?: "";
		const char *name = NULL;
		cJSON *o, *opts;

		/* --network host's /sys is no mount of the user's */
		if (strcmp(jstr(m, "type") ?: "", "bind") || !strcmp(dst, "/sys"))
			continue;
		cJSON_ArrayForEach (v, vols)
			if (!strcmp(jstr(v, "destination") ?: "", dst))
				name = jstr(v, "name");
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "Type", name ? "volume" : "bind");
		if (name)
			cJSON_AddStringToObject(o, "Name", name);
		cJSON_AddStringToObject(o, "Source", src);
		cJSON_AddStringToObject(o, "Destination", dst);
		cJSON_AddStringToObject(o, "Driver", name ? "local" : "");
		cJSON_AddStringToObject(o, "Mode", "");
		opts = cJSON_AddArrayToObject(o, "Options");
		if (name) {
			cJSON_AddItemToArray(opts, cJSON_CreateString("nosuid"));
			cJSON_AddItemToArray(opts, cJSON_CreateString("nodev"));
		}
		cJSON_AddItemToArray(opts, cJSON_CreateString("rbind"));
		cJSON_AddBoolToObject(o, "RW", !has_opt(m, "ro"));
		cJSON_AddStringToObject(o, "Propagation", "rprivate");
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

static cJSON *inspect_locked(struct ctr *c)
{
	cJSON *j = cJSON_CreateObject(), *st, *cfg, *hc, *rp, *execs, *ep, *cmd;
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(c->config, "spec");
	const cJSON *proc = cJSON_GetObjectItemCaseSensitive(spec, "process");
	int running = c->st == ST_RUNNING || c->st == ST_PAUSED;

	cJSON_AddStringToObject(j, "Id", c->id);
	cJSON_AddStringToObject(j, "Name", cname(c));
	add_time(j, "Created", jint(c->config, "created", 0));
	if (jstr(c->config, "image")) { /* podman's: the image's id and the name given */
		cJSON_AddStringToObject(j, "Image", jstr(c->config, "image"));
		cJSON_AddStringToObject(j, "ImageName", jstr(c->config, "imageName") ?: "");
		cJSON_AddStringToObject(j, "Rootfs", "");
	} else {
		cJSON_AddStringToObject(j, "Rootfs", jstr(c->config, "rootfs"));
	}
	cJSON_AddBoolToObject(j, "RootfsOverlay", ctr_overlay(c));
	cJSON_AddItemToObject(
		j, "Path",
		cJSON_Duplicate(
			cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(proc, "args"), 0), 1));
	st = cJSON_AddObjectToObject(j, "State");
	cJSON_AddStringToObject(st, "Status", state_names[c->st]);
	cJSON_AddBoolToObject(st, "Running", c->st == ST_RUNNING);
	cJSON_AddBoolToObject(st, "Paused", c->st == ST_PAUSED);
	cJSON_AddNumberToObject(st, "Pid", running || c->st == ST_CREATED ? c->state.pid : 0);
	cJSON_AddNumberToObject(st, "ConmonPid",
				running || c->st == ST_CREATED ? c->state.monitor_pid : 0);
	cJSON_AddNumberToObject(st, "ExitCode", (double)c->state.exit_code);
	cJSON_AddBoolToObject(st, "OOMKilled", c->state.oom_killed);
	add_time(st, "StartedAt", c->state.started_at);
	add_time(st, "FinishedAt", c->state.finished_at);
	cJSON_AddBoolToObject(st, "StoppedByUser", c->state.stopped_by_user);
	cJSON_AddBoolToObject(st, "Checkpointed", c->state.checkpointed);
	add_time(st, "CheckpointedAt", c->state.checkpointed_at);
	cJSON_AddBoolToObject(st, "Restored", c->state.restored);
	add_time(st, "RestoredAt", c->state.restored_at);
	if (c->state.cgroup)
		cJSON_AddStringToObject(st, "CgroupPath", c->state.cgroup);
	cJSON_AddNumberToObject(j, "RestartCount", (double)c->state.restart_count);
	cJSON_AddNumberToObject(j, "MountCount", (double)c->state.mount_count);
	execs = cJSON_AddArrayToObject(j, "ExecIDs");
	for (size_t i = 0; i < c->state.n_execs; i++)
		cJSON_AddItemToArray(execs, cJSON_CreateString(c->state.execs[i].id));
	cJSON_AddItemToObject(j, "ExecSessions", ctr_state_execs_to_json(&c->state));
	cfg = cJSON_AddObjectToObject(j, "Config");
	cJSON_AddStringToObject(cfg, "Hostname", jstr(spec, "hostname") ?: "");
	cJSON_AddItemToObject(cfg, "Env",
			      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(proc, "env"), 1));
	/* podman's: Entrypoint and Cmd apart when the config says where one
	 * ends (made from an image by this nook), else the args as Cmd */
	if (ctr_args_split(c->config, &ep, &cmd) == 0)
		cJSON_AddItemToObject(cfg, "Entrypoint", ep);
	else
		cmd = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(proc, "args"), 1);
	cJSON_AddItemToObject(cfg, "Cmd", cmd);
	cJSON_AddStringToObject(cfg, "WorkingDir", jstr(proc, "cwd") ?: "/");
	cJSON_AddBoolToObject(cfg, "Tty", jbool(c->config, "tty"));
	cJSON_AddBoolToObject(cfg, "OpenStdin", jbool(c->config, "interactive"));
	{
		const char *sn = signal_name((int)jint(c->config, "stopSignal", SIGTERM));
		char sig[32];

		snprintf(sig, sizeof(sig), "SIG%s", sn ? sn : "TERM");
		cJSON_AddStringToObject(cfg, "StopSignal", sig);
	}
	cJSON_AddNumberToObject(cfg, "StopTimeout", (double)jint(c->config, "stopTimeout", 10));
	hc = cJSON_AddObjectToObject(j, "HostConfig");
	rp = cJSON_AddObjectToObject(hc, "RestartPolicy");
	cJSON_AddStringToObject(rp, "Name", jstr(c->config, "restartPolicy") ?: "no");
	cJSON_AddNumberToObject(rp, "MaximumRetryCount", (double)jint(c->config, "restartMax", 0));
	cJSON_AddBoolToObject(hc, "AutoRemove", jbool(c->config, "autoRemove"));
	cJSON_AddBoolToObject(hc, "Privileged", jbool(c->config, "privileged"));
	net_ctr_inspect(c, j, hc);
	cJSON_AddItemToObject(
		j, "Dependencies",
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c->config, "requires"), 1));
	cJSON_AddItemToObject(j, "Mounts", mounts_json(c, spec));
	cJSON_AddItemToObject(j, "OCIConfig", cJSON_Duplicate(spec, 1));
	return j;
}

cJSON *engine_inspect(struct engine *en, const char *ref, struct err *e)
{
	struct ctr c;
	cJSON *j;

	if (ctr_open(en, ref, &c, e) < 0)
		return NULL;
	j = inspect_locked(&c);
	ctr_close(&c);
	return j;
}

int engine_status(struct engine *en, const char *ref, struct engine_status *s, struct err *e)
{
	struct ctr c;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	memcpy(s->id, c.id, sizeof(s->id));
	s->name = xstrdup(cname(&c));
	s->status = state_names[c.st];
	s->tty = jbool(c.config, "tty");
	ctr_close(&c);
	return 0;
}

/* ps: one small state.json per container, read relative to the
 * containers directory in one read, no lock, nothing written.  A run the
 * kernel says is over (exit file there, monitor gone) shows as stopped;
 * the next locked operation records it. */
static void list_fill(struct engine *en, const char *id, const struct ctr_state *st,
		      struct engine_ps_row *r)
{
	enum cstate cs = st->state;

	memset(r, 0, sizeof(*r));
	r->finished_ns = st->finished_at;
	r->exit_code = st->exit_code;
	if (cs == ST_CREATED || cs == ST_RUNNING || cs == ST_PAUSED) {
		_cleanup_free_ char *exitp = store_exit_path(&en->st, id);
		struct monitor_exit x;
		struct err le;

		if (monitor_exit_read(exitp, &x, &le) == 0) {
			cs = ST_STOPPED;
			r->exit_code = x.exit_code;
			r->finished_ns = x.time_ns;
		} else if (!proc_running(st->monitor_pid, st->monitor_start)) {
			cs = ST_STOPPED;
			r->exit_code = -1;
		} else if (st->cgroup && oci_cgroup_frozen(st->cgroup) == 1) {
			cs = ST_PAUSED;
		}
	}
	r->id = id;
	r->name = st->name ?: id;
	r->rootfs = st->rootfs ?: "";
	r->status = state_names[cs];
	r->command = st->command;
	r->created_ns = st->created;
	r->started_ns = st->started_at;
	r->pid = cs == ST_RUNNING || cs == ST_PAUSED || cs == ST_CREATED ? st->pid : 0;
	r->restart_count = st->restart_count;
}

/* A state without ps's summary (written before it existed): take it from
 * config.json. */
static void list_summary_from_config(const struct store *s, int cfd, const char *id,
				     struct ctr_state *st)
{
	char buf[8192];
	size_t len;
	char *text = store_read_at(s, cfd, id, "config.json", buf, sizeof(buf), &len);
	cJSON *cfg = text && strlen(text) == len ? cJSON_ParseWithOpts(text, NULL, 1) : NULL;
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(cfg, "spec");

	if (text && text != buf)
		free(text);
	if (!cfg)
		return;
	ctr_state_set_str(&st->name, jstr(cfg, "name"));
	ctr_state_set_str(&st->rootfs, jstr(cfg, "rootfs"));
	st->created = jint(cfg, "created", 0);
	strv_free(st->command);
	st->command = ctr_state_strv(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(spec, "process"), "args"));
	cJSON_Delete(cfg);
}

int engine_list_each(struct engine *en, int all,
		     int (*fn)(const struct engine_ps_row *r, void *arg), void *arg, struct err *e)
{
	_cleanup_strv_ char **ids = store_list(&en->st, e);
	_cleanup_close_ int cfd = -1;

	if (!ids)
		return -1;
	if (!ids[0])
		return 0;
	cfd = store_containers_fd(&en->st);
	if (cfd < 0)
		return errno == ENOENT ? 0 : err_sys(e, "open %s/containers", en->st.root);
	for (size_t i = 0; ids[i]; i++) {
		char buf[4096];
		size_t len;
		char *text =
			store_read_at(&en->st, cfd, ids[i], "state.json", buf, sizeof(buf), &len);
		/* a torn file (embedded NUL) is as corrupt as a truncated one */
		cJSON *j = text && strlen(text) == len ? cJSON_ParseWithOpts(text, NULL, 1) : NULL;
		_cleanup_ctr_state_ struct ctr_state st = { 0 };
		struct engine_ps_row r;
		int rc = 0;

		if (text && text != buf)
			free(text);
		if (!j)
			continue; /* removed meanwhile, not yet created, or corrupt */
		ctr_state_from_json(j, &st);
		cJSON_Delete(j);
		if (!st.name)
			list_summary_from_config(&en->st, cfd, ids[i], &st);
		list_fill(en, ids[i], &st, &r);
		if (all || strcmp(r.status, "running") == 0 || strcmp(r.status, "paused") == 0)
			rc = fn(&r, arg);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int list_add(const struct engine_ps_row *r, void *arg)
{
	cJSON *j = cJSON_CreateObject(), *s, *cfg;

	cJSON_AddStringToObject(j, "Id", r->id);
	cJSON_AddStringToObject(j, "Name", r->name);
	cJSON_AddStringToObject(j, "Rootfs", r->rootfs);
	add_time(j, "Created", r->created_ns);
	s = cJSON_AddObjectToObject(j, "State");
	cJSON_AddStringToObject(s, "Status", r->status);
	cJSON_AddNumberToObject(s, "Pid", (double)r->pid);
	cJSON_AddNumberToObject(s, "ExitCode", r->exit_code);
	add_time(s, "StartedAt", r->started_ns);
	add_time(s, "FinishedAt", r->finished_ns);
	cfg = cJSON_AddObjectToObject(j, "Config");
	cJSON_AddItemToObject(cfg, "Cmd", strv_to_json(r->command));
	cJSON_AddNumberToObject(j, "RestartCount", r->restart_count);
	cJSON_AddItemToArray(arg, j);
	return 0;
}

cJSON *engine_list(struct engine *en, int all, struct err *e)
{
	cJSON *arr = cJSON_CreateArray();

	if (engine_list_each(en, all, list_add, arr, e) < 0) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}
