// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctr: the container record (engine/ctr.h).
 *
 * Locking discipline.  ctr_open() takes the container's flock and loads
 * config and state; ctr_sync() asks the kernel and the monitor what is
 * true now; the operation decides from that; ctr_save() writes state.json
 * (only if it changed) and ctr_close() drops the lock.  Waits for a
 * process (stop's timeout, wait, attach, exec) happen with the lock
 * released, then the lock is taken again and the state synced again.
 */
#include "engine/ctr.h"

#include <fcntl.h>
#include <time.h>

#include "engine/events.h"
#include "monitor/monitor.h"
#include "oci/cgroup.h"
#include "oci/log.h"
#include "oci/sys.h"
#include "store/overlay.h"

/* ---- small helpers ----------------------------------------------------- */

const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int64_t jint(const cJSON *o, const char *k, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

int jbool(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

void jset_num(cJSON *o, const char *k, double v)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	if (it && cJSON_IsNumber(it))
		cJSON_SetNumberValue(it, v);
	else if (it)
		cJSON_ReplaceItemInObjectCaseSensitive(o, k, cJSON_CreateNumber(v));
	else
		cJSON_AddNumberToObject(o, k, v);
}

void jset_str(cJSON *o, const char *k, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	if (v)
		cJSON_AddStringToObject(o, k, v);
}

void jset_bool(cJSON *o, const char *k, int v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddBoolToObject(o, k, v);
}

int kind(struct err *e, int k)
{
	/* A process that could not be started stays that (126/127) in
	 * whatever step of ours it surfaced. */
	if (e && e->kind != ERRK_EXEC_NOT_FOUND && e->kind != ERRK_EXEC_DENIED)
		e->kind = k;
	return -1;
}

const char *cname(const struct ctr *c)
{
	const char *n = jstr(c->config, "name");

	return n ? n : c->id;
}

int state_error(struct ctr *c, const char *op, struct err *e)
{
	return err_setk(e, ERRK_STATE_INVALID, 0, "cannot %s container %s: container state is %s",
			op, cname(c), state_names[c->st]);
}

void event(struct ctr *c, const char *status, const cJSON *attrs)
{
	struct err e;

	/* An event that cannot be written must not undo the operation. */
	if (events_append(&c->en->st, status, c->id, cname(c), attrs, &e) < 0) {
		char buf[600];

		log_msg(LOGL_WARN, "event %s: %s", status, err_str(&e, buf, sizeof(buf)));
	}
}

cJSON *strv_to_json(char *const *v)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; v && v[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

int ctr_args_split(const cJSON *cfg, cJSON **ep, cJSON **cmd)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(cfg, "spec"), *a;
	int64_t n = jint(cfg, "entrypointLen", -1);

	if (n < 0)
		return -1;
	*ep = cJSON_CreateArray();
	*cmd = cJSON_CreateArray();
	cJSON_ArrayForEach (a, cJSON_GetObjectItemCaseSensitive(
				       cJSON_GetObjectItemCaseSensitive(spec, "process"), "args"))
		cJSON_AddItemToArray(n-- > 0 ? *ep : *cmd, cJSON_Duplicate(a, 1));
	return 0;
}

/* ---- load, sync, save ---------------------------------------------------- */

void ctr_set_state(struct ctr *c, enum cstate st)
{
	c->st = st;
	c->state.state = st;
}

void ctr_close(struct ctr *c)
{
	if (c->lock >= 0)
		store_unlock(c->lock);
	c->lock = -1;
	cJSON_Delete(c->config);
	ctr_state_free(&c->state);
	cJSON_Delete(c->net);
	free(c->saved);
	free(c->saved_exec);
	c->config = c->net = NULL;
	c->saved = c->saved_exec = NULL;
}

/* The exec sessions into the run dir's exec.json, without fsync, only
 * on a change. */
static int exec_save(struct ctr *c, struct err *e)
{
	_cleanup_free_ char *path = store_run_path(&c->en->st, c->id, "exec.json");
	cJSON *ss;
	char *text;
	int r;

	if (c->state.n_execs == 0) {
		if (c->saved_exec && unlink(path) < 0 && errno != ENOENT)
			return err_sys(e, "remove %s", path);
		free(c->saved_exec);
		c->saved_exec = NULL;
		return 0;
	}
	ss = ctr_state_execs_to_json(&c->state);
	text = cJSON_PrintUnformatted(ss);
	r = c->saved_exec && strcmp(text, c->saved_exec) == 0 ? 1
							      : store_write_json(path, ss, 0, e);
	cJSON_Delete(ss);
	if (r != 0) {
		free(text);
		return r < 0 ? -1 : 0;
	}
	free(c->saved_exec);
	c->saved_exec = text;
	return 0;
}

static int state_save(struct ctr *c, struct err *e)
{
	_cleanup_free_ char *path = store_path(&c->en->st, c->id, "state.json");
	cJSON *j = ctr_state_to_json(&c->state);
	char *text = cJSON_PrintUnformatted(j);
	int r;

	/* flash wears out: write only on a change.  A --rm container does
	 * not outlive its run: its state need not survive a power cut, and
	 * each fsync costs (flash, slow disks). */
	r = c->saved && strcmp(text, c->saved) == 0
		    ? 1
		    : store_write_json(path, j, !jbool(c->config, "autoRemove"), e);
	cJSON_Delete(j);
	if (r != 0) {
		free(text);
		return r < 0 ? -1 : 0;
	}
	free(c->saved);
	c->saved = text;
	return 0;
}

int ctr_save(struct ctr *c, struct err *e)
{
	if (state_save(c, e) < 0)
		return -1;
	return exec_save(c, e);
}

/* Read <runroot>/containers/<id>/exec.json into state (see struct ctr).
 * A state.json of an older nook may carry execSessions itself: they stay
 * until the next save moves them. */
static void exec_load(struct ctr *c)
{
	_cleanup_free_ char *path = store_run_path(&c->en->st, c->id, "exec.json");
	struct err e;
	cJSON *ss = store_read_json(path, &e);

	if (!cJSON_IsObject(ss)) {
		cJSON_Delete(ss); /* none, or unreadable: no session to keep */
		return;
	}
	c->saved_exec = cJSON_PrintUnformatted(ss);
	ctr_state_execs_from_json(&c->state, ss);
	cJSON_Delete(ss);
}

char *ctr_cgroup(const struct ctr *c)
{
	return c->state.cgroup ? xstrdup(c->state.cgroup) : NULL;
}

/* The init is gone: record how, once (sync runs often). */
static void record_exit(struct ctr *c, const struct monitor_exit *x)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddNumberToObject(a, "exitCode", x->exit_code);
	if (x->oom_killed)
		cJSON_AddBoolToObject(a, "oomKilled", 1);
	event(c, "died", a);
	cJSON_Delete(a);
	c->state.exit_known = true;
	c->state.exit_code = x->exit_code;
	c->state.signal = x->signal;
	c->state.oom_killed = x->oom_killed;
	c->state.finished_at = x->time_ns;
}

/* Bring the recorded state in line with the kernel: the exit file, the
 * monitor's and the init's liveness, the cgroup's freezer. */
int ctr_sync(struct ctr *c, struct err *e)
{
	_cleanup_free_ char *exitp = NULL;
	struct monitor_exit x;
	struct err le;

	if (c->st != ST_CREATED && c->st != ST_RUNNING && c->st != ST_PAUSED)
		return 0;
	exitp = store_exit_path(&c->en->st, c->id);
	if (monitor_exit_read(exitp, &x, &le) == 0) {
		record_exit(c, &x);
		ctr_set_state(c, ST_STOPPED);
		return 0;
	}
	if (le.errnum != ENOENT) {
		*e = le;
		return -1;
	}
	if (!proc_running(c->state.monitor_pid, c->state.monitor_start)) {
		/* The monitor is gone (killed?) and left no exit file: the
		 * exit code is unknown; nothing may hang on it. */
		if (monitor_exit_read(exitp, &x, &le) == 0) {
			record_exit(c, &x);
		} else {
			struct monitor_exit unknown = { .exit_code = -1, .time_ns = sys_wall_ns() };

			record_exit(c, &unknown);
		}
		ctr_set_state(c, ST_STOPPED);
		return 0;
	}
	if (c->st == ST_RUNNING || c->st == ST_PAUSED) {
		_cleanup_free_ char *cg = ctr_cgroup(c);
		int fr = cg ? oci_cgroup_frozen(cg) : 0;

		if (fr == 1)
			ctr_set_state(c, ST_PAUSED);
		else if (fr == 0)
			ctr_set_state(c, ST_RUNNING);
	}
	return 0;
}

/* Open, lock, load and sync a container; save: record what the sync
 * found (else the caller's next ctr_save does). */
int ctr_load(struct engine *en, const char *ref, struct ctr *c, int save, struct err *e)
{
	_cleanup_free_ char *cfg = NULL;
	_cleanup_free_ char *stp = NULL;
	cJSON *j;

	memset(c, 0, sizeof(*c));
	c->en = en;
	c->lock = -1;
	if (store_lookup(&en->st, ref, c->id, e) < 0) {
		int no = e->errnum == ENOENT;

		e->errnum = 0; /* the message says it all */
		return kind(e, no ? ERRK_NO_SUCH : ERRK_INVALID_ARG);
	}
	c->lock = store_lock(&en->st, c->id, e);
	if (c->lock < 0) {
		if (e->errnum == ENOENT) {
			return err_setk(e, ERRK_NO_SUCH, 0, "no such container: %s", ref);
		}
		return -1;
	}
	timing_mark("engine: lock");
	cfg = store_path(&en->st, c->id, "config.json");
	stp = store_path(&en->st, c->id, "state.json");
	c->config = store_read_json(cfg, e);
	if (!c->config)
		goto fail;
	j = store_read_json(stp, e);
	if (!j) {
		if (e->errnum == ENOENT) {
			/* removed between lookup and lock */
			err_setk(e, ERRK_NO_SUCH, 0, "no such container: %s", ref);
		}
		goto fail;
	}
	ctr_state_from_json(j, &c->state);
	c->st = c->state.state;
	if (c->st == ST_UNKNOWN) {
		err_setk(e, ERRK_INTERNAL, 0, "%s: unknown state \"%s\"", stp,
			 jstr(j, "state") ?: "");
		cJSON_Delete(j);
		goto fail;
	}
	/* what an equal record would write; exec sessions in an older
	 * state.json: the next save moves them to exec.json */
	if (!cJSON_GetObjectItemCaseSensitive(j, "execSessions")) {
		cJSON *canon = ctr_state_to_json(&c->state);

		c->saved = cJSON_PrintUnformatted(canon);
		cJSON_Delete(canon);
	}
	cJSON_Delete(j);
	exec_load(c);
	if (ctr_sync(c, e) < 0 || (save && ctr_save(c, e) < 0))
		goto fail;
	timing_mark("engine: load, sync state");
	return 0;
fail:
	ctr_close(c);
	return -1;
}

int ctr_open(struct engine *en, const char *ref, struct ctr *c, struct err *e)
{
	return ctr_load(en, ref, c, 1, e);
}

/* ---- paths ------------------------------------------------------------- */

char *run_dir(const struct ctr *c)
{
	return store_run_path(&c->en->st, c->id, NULL);
}

/* ---- --rootfs DIR:O: an overlay over DIR --------------------------------
 * The container sees DIR as the lower layer of an overlay whose upper and
 * work directories are its own, under the root (they persist as the
 * container does); DIR is never written.  Mounted on <runroot>/containers/
 * <id>/merged while the runtime side exists or a user mount() holds it. */

int ctr_overlay(const struct ctr *c)
{
	return jbool(c->config, "rootfsOverlay");
}

const cJSON *ctr_user(const struct ctr *c)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(c->config, "spec");

	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "process"),
						"user");
}

/* The directory the container's processes see as / (and mount() gives). */
char *ctr_rootfs(const struct ctr *c)
{
	return ctr_overlay(c) ? overlay_merged_path(&c->en->st, c->id)
			      : xstrdup(jstr(c->config, "rootfs") ?: "");
}

int engine_resolve(struct engine *en, const char *ref, char id[STORE_ID_LEN + 1], char **name,
		   struct err *e)
{
	struct ctr c;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	memcpy(id, c.id, STORE_ID_LEN + 1);
	if (name)
		*name = xstrdup(cname(&c));
	ctr_close(&c);
	return 0;
}

char **ctr_ids_where(struct engine *en, int (*match)(const cJSON *cfg, const void *arg),
		     const void *arg, struct err *e)
{
	_cleanup_strv_ char **ids = store_list(&en->st, e);
	char **out = xcalloc(1, sizeof(char *));
	_cleanup_close_ int cfd = -1;

	if (!ids) {
		if (e && e->errnum == ENOENT)
			return out;
		free(out);
		return NULL;
	}
	cfd = store_containers_fd(&en->st);
	for (size_t i = 0; ids[i] && cfd >= 0; i++) {
		char buf[8192];
		size_t len;
		char *txt =
			store_read_at(&en->st, cfd, ids[i], "config.json", buf, sizeof(buf), &len);
		cJSON *cfg = txt ? cJSON_ParseWithLength(txt, len) : NULL;

		if (txt && txt != buf)
			free(txt);
		if (cfg && match(cfg, arg))
			strv_push(&out, ids[i]);
		cJSON_Delete(cfg);
	}
	return out;
}
