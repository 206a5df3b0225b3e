// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * checkpoint: `nook checkpoint` and `nook restore` (engine/LIFECYCLE.md),
 * through oci/criu.
 *
 * A checkpoint is containers/<id>/checkpoint/ (CRIU's images and
 * descriptors.json), made in checkpoint.tmp/ and renamed when the dump
 * succeeded: a failed dump leaves the old checkpoint, if any, and a
 * running container (CRIU resumes the tree).  After a dump without
 * --leave-running the init is dead; the monitor writes its exit file and
 * runs `nook cleanup`, which waits for our lock: we record the container
 * exited and checkpointed first, so the cleanup finds nothing to do and
 * no restart policy brings it back.
 *
 * restore: ctr_init with the images: the overlay, volumes, run dir and
 * the cgroup as for a start, then a new monitor whose init comes from
 * criu (it logs, serves attach and writes the exit file as for any init).
 * A failed restore leaves the container exited and checkpointed, as it
 * was.  The images are removed after a restore unless --keep.
 *
 * Not yet: containers on a bridge network or sharing another container's
 * network, and containers with a terminal (-t), are refused by name.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "engine/ctr.h"
#include "engine/checkpoint.h"
#include "monitor/monitor.h"
#include "oci/criu.h"
#include "oci/spec.h"

/* The reason c cannot be checkpointed, or NULL. */
static const char *unsupported(const struct ctr *c)
{
	const char *net = jstr(c->config, "netMode") ?: "none";

	if (jbool(c->config, "tty"))
		return "it has a terminal (-t)";
	if (strcmp(net, "bridge") == 0)
		return "it is on a bridge network (use --network none, host or ns:PATH)";
	if (strcmp(net, "container") == 0)
		return "it shares the network of another container";
	return NULL;
}

/* containers/<id>/, O_PATH, or -1 */
static int ctr_dirfd(const struct ctr *c)
{
	_cleanup_free_ char *d = store_path(&c->en->st, c->id, NULL);

	return open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static unsigned criu_flags(int tcp, int locks)
{
	return (tcp ? OCI_CRIU_TCP_ESTABLISHED : 0) | (locks ? OCI_CRIU_FILE_LOCKS : 0);
}

int engine_checkpoint(struct engine *en, const char *ref, const struct engine_checkpoint_opts *o,
		      struct engine_cr_stats *stats, struct err *e)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *tmp = NULL;
	_cleanup_free_ char *work = NULL;
	_cleanup_free_ char *rdir = NULL;
	_cleanup_free_ char *cfgp = NULL;
	_cleanup_close_ int cdir = -1;
	struct oci_spec *spec = NULL;
	struct oci_criu crit = { 0 };
	const char *why;
	struct ctr c;
	int64_t t0 = mono_ms();
	int r = -1;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (c.st != ST_RUNNING) {
		err_set(e, 0, "cannot checkpoint container %s: it is not running (state %s)",
			cname(&c), state_names[c.st]);
		kind(e, ERRK_STATE_INVALID);
		goto out;
	}
	if ((why = unsupported(&c))) {
		err_setk(e, ERRK_INVALID_ARG, 0, "cannot checkpoint container %s: %s", cname(&c),
			 why);
		goto out;
	}
	if (jbool(c.config, "autoRemove") && !o->export_path) {
		err_setk(e, ERRK_INVALID_ARG, 0,
			 "cannot checkpoint container %s: it was started with --rm (it would "
			 "be removed at once); use --export",
			 cname(&c));
		goto out;
	}
	if (oci_criu_usable(e) < 0)
		goto out;
	rdir = run_dir(&c);
	cfgp = xasprintf("%s/config.json", rdir);
	spec = oci_spec_load(cfgp, e);
	if (!spec)
		goto out;
	dir = store_path(&en->st, c.id, "checkpoint");
	tmp = store_path(&en->st, c.id, "checkpoint.tmp");
	cdir = ctr_dirfd(&c);
	if (cdir < 0) {
		err_sys(e, "container %s: its directory", cname(&c));
		goto out;
	}
	if (store_rm_tree(cdir, "checkpoint.tmp", e) < 0)
		goto out;
	crit.images = tmp;
	crit.work = work = store_path(&en->st, c.id, "criu");
	crit.flags = criu_flags(o->tcp_established, o->file_locks) |
		     (o->leave_running ? OCI_CRIU_LEAVE_RUNNING : 0);
	if (oci_criu_dump(&crit, spec, (pid_t)jint(c.state, "pid", 0), e) < 0) {
		store_rm_tree(cdir, "checkpoint.tmp", NULL);
		kind(e, ERRK_RUNTIME);
		err_wrap(e, "checkpoint container %s", cname(&c));
		goto out;
	}
	if (store_rm_tree(cdir, "checkpoint", e) < 0 || rename(tmp, dir) < 0) {
		if (!e->msg[0])
			err_sys(e, "rename %s", tmp);
		goto out;
	}
	if (!o->leave_running) {
		/* The dump killed the init: its monitor writes the exit file
		 * (the cleanup it then runs waits for our lock). */
		wait_exit(en, c.id, 10000);
		if (ctr_sync(&c, e) < 0)
			goto out;
		if (c.st == ST_RUNNING)
			ctr_set_state(&c, ST_STOPPED); /* no exit file in 10 s */
		if (ctr_cleanup(&c, e) < 0)
			goto out;
		/* Not a failure of the process: it was taken away whole. */
		jset_num(c.state, "exitCode", 0);
		cJSON_DeleteItemFromObjectCaseSensitive(c.state, "signal");
		jset_bool(c.state, "checkpointed", 1);
	}
	jset_num(c.state, "checkpointedAt", (double)now_ns());
	jset_bool(c.state, "restored", 0);
	if (ctr_save(&c, e) < 0)
		goto out;
	event(&c, "checkpoint", NULL);
	if (stats)
		stats->duration_us = (mono_ms() - t0) * 1000;
	r = 0;
out:
	oci_spec_free(spec);
	ctr_close(&c);
	return r;
}

int engine_restore(struct engine *en, const char *ref, const struct engine_restore_opts *o,
		   struct engine_cr_stats *stats, struct err *e)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int cdir = -1;
	struct ctr c;
	struct stat sb;
	int64_t t0 = mono_ms();
	int r = -1;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	dir = store_path(&en->st, c.id, "checkpoint");
	if (c.st == ST_RUNNING || c.st == ST_PAUSED || c.st == ST_CREATED) {
		err_set(e, 0, "cannot restore container %s: it is %s", cname(&c),
			state_names[c.st]);
		kind(e, ERRK_STATE_INVALID);
		goto out;
	}
	if (!jbool(c.state, "checkpointed") || stat(dir, &sb) < 0) {
		err_set(e, 0, "cannot restore container %s: it has no checkpoint", cname(&c));
		kind(e, ERRK_STATE_INVALID);
		goto out;
	}
	if (oci_criu_usable(e) < 0)
		goto out;
	if (ctr_init(&c, dir, criu_flags(o->tcp_established, o->file_locks), e) < 0) {
		err_wrap(e, "restore");
		goto out;
	}
	ctr_set_state(&c, ST_RUNNING);
	jset_num(c.state, "startedAt", (double)now_ns());
	jset_bool(c.state, "checkpointed", 0);
	jset_bool(c.state, "restored", 1);
	jset_num(c.state, "restoredAt", (double)now_ns());
	if (ctr_save(&c, e) < 0)
		goto out;
	event(&c, "restore", NULL);
	if (!o->keep) {
		cdir = ctr_dirfd(&c);
		if (cdir >= 0)
			store_rm_tree(cdir, "checkpoint", NULL);
	}
	if (stats)
		stats->duration_us = (mono_ms() - t0) * 1000;
	r = 0;
out:
	ctr_close(&c);
	return r;
}
