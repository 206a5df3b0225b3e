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
 * The network namespace is not in the images (oci/criu.h): a restore
 * gets a new one, which ctr_init sets up as for a start (the same lease:
 * address and MAC; published ports); an import takes new leases on the
 * networks the manifest names.  Containers with a terminal (-t)
 * are refused by name.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "engine/ctr.h"
#include "engine/checkpoint.h"
#include "engine/events.h"
#include "engine/network.h"
#include "monitor/monitor.h"
#include "oci/criu.h"
#include "oci/spec.h"
#include "store/tar.h"
#include "store/volumes.h"

#define MANIFEST "manifest.json"

/* The reason c cannot be checkpointed, or NULL. */
static const char *unsupported(const struct ctr *c)
{
	if (jbool(c->config, "tty"))
		return "it has a terminal (-t)";
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

static const char *machine(void)
{
	static struct utsname u;

	return uname(&u) == 0 ? u.machine : "unknown";
}

/* One small file into the archive. */
static int put_text(int out, const char *name, const char *text, struct err *e)
{
	size_t n = strlen(text);

	if (tar_write_file_header(out, name, n, 0600, sys_wall_ns() / 1000000000, e) < 0)
		return -1;
	if (write_all(out, text, n) < 0)
		return err_sys(e, "write archive");
	return tar_write_pad(out, n, e);
}

static int put_json(int out, const char *name, const cJSON *j, struct err *e)
{
	_cleanup_free_ char *t = cJSON_Print(j);

	return put_text(out, name, t, e);
}

/* The contents of the named volumes c uses, as volumes/NAME/. */
static int export_volumes(struct ctr *c, int out, struct err *e)
{
	const cJSON *u;

	cJSON_ArrayForEach (u, cJSON_GetObjectItemCaseSensitive(c->config, "volumes")) {
		const char *name = jstr(u, "name") ?: "";
		_cleanup_free_ char *data = volumes_data_path(&c->en->st, name);
		_cleanup_free_ char *as = xasprintf("volumes/%s", name);
		_cleanup_close_ int fd = -1;

		if (volume_name_valid(name, e) < 0)
			return -1;
		fd = open(data, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return err_sys(e, "volume %s", name);
		if (tar_write_entries(fd, NULL, as, out, e) < 0)
			return err_wrap(e, "volume %s", name);
	}
	return 0;
}

/* --import: the volumes of config cfg from the archive unpacked in tmp:
 * each made here (refused if one of its name exists: its contents would
 * be lost) with the archive's contents; ignore: made empty where missing,
 * nothing restored.  The names made go into *made (for an undo). */
static int import_volumes(struct engine *en, const cJSON *cfg, const char *tmp, int ignore,
			  char ***made, struct err *e)
{
	struct volumes vs;
	const cJSON *u;
	int r = 0;

	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cfg, "volumes")) == 0)
		return 0;
	if (volumes_open(&vs, &en->st, 1, e) < 0)
		return -1;
	cJSON_ArrayForEach (u, cJSON_GetObjectItemCaseSensitive(cfg, "volumes")) {
		const char *name = jstr(u, "name") ?: "";
		_cleanup_free_ char *from = xasprintf("%s/volumes/%s", tmp, name);
		_cleanup_free_ char *data = NULL;
		cJSON *vol;
		struct stat sb;

		if (volume_name_valid(name, e) < 0) {
			r = -1;
			break;
		}
		vol = volumes_get(&vs, name, NULL);
		if (vol && ignore) {
			cJSON_Delete(vol);
			continue;
		}
		if (vol) {
			cJSON_Delete(vol);
			r = err_setk(
				e, ERRK_INVALID_ARG, 0,
				"volume %s already exists here (use --ignore-volumes to keep it "
				"and restore without the archive's contents)",
				name);
			break;
		}
		vol = volumes_create(&vs, name, NULL, jbool(u, "anonymous"), e);
		if (!vol) {
			r = -1;
			break;
		}
		strv_push(made, name);
		data = volumes_data_path(&en->st, name);
		if (!ignore && stat(from, &sb) == 0) {
			/* the archive's contents replace the empty _data */
			if (rmdir(data) < 0 || rename(from, data) < 0) {
				r = err_sys(e, "volume %s", name);
				cJSON_Delete(vol);
				break;
			}
			jset_bool(vol, "needsCopyUp", 0);
			jset_bool(vol, "needsChown", 0);
			r = volumes_save(&vs, vol, e);
		}
		cJSON_Delete(vol);
		if (r < 0)
			break;
	}
	if (r < 0)
		for (size_t i = 0; *made && (*made)[i]; i++)
			volumes_remove(&vs, (*made)[i], NULL);
	volumes_close(&vs);
	return r;
}

/* --export: one tar of manifest.json, config.dump, state.dump, the
 * images (checkpoint/) and the overlay's upper directory (rootfs-diff/),
 * written beside FILE and renamed onto it when complete. */
static int export_archive(struct ctr *c, int cdir, const struct engine_checkpoint_opts *o,
			  struct err *e)
{
	_cleanup_free_ char *tmp = xasprintf("%s.nook-tmp", o->export_path);
	int diff = ctr_overlay(c) && !o->ignore_rootfs;
	cJSON *m = cJSON_CreateObject(), *st;
	int out, r = -1;

	cJSON_AddNumberToObject(m, "nookCheckpoint", 1);
	cJSON_AddStringToObject(m, "arch", machine());
	cJSON_AddStringToObject(m, "version", NOOK_VERSION);
	cJSON_AddStringToObject(m, "id", c->id);
	cJSON_AddStringToObject(m, "name", cname(c));
	cJSON_AddBoolToObject(m, "rootfsDiff", diff);
	{
		_cleanup_strv_ char **nets = net_ctr_names(c->en, c->id);

		cJSON_AddItemToObject(m, "networks", strv_to_json(nets));
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		cJSON_Delete(m);
		return err_sys(e, "--export %s", o->export_path);
	}
	st = ctr_state_to_json(&c->state);
	if (put_json(out, MANIFEST, m, e) == 0 && put_json(out, "config.dump", c->config, e) == 0 &&
	    put_json(out, "state.dump", st, e) == 0 &&
	    tar_write_entries(cdir, "checkpoint", "checkpoint", out, e) == 0 &&
	    (!diff || tar_write_entries(cdir, "overlay/upper", "rootfs-diff", out, e) == 0) &&
	    (o->ignore_volumes || export_volumes(c, out, e) == 0) && tar_write_end(out, e) == 0) {
		if (fsync(out) < 0 || rename(tmp, o->export_path) < 0)
			err_sys(e, "--export %s", o->export_path);
		else
			r = 0;
	}
	close(out);
	cJSON_Delete(m);
	cJSON_Delete(st);
	if (r < 0) {
		unlink(tmp);
		err_wrap(e, "export the checkpoint of %s", cname(c));
	}
	return r;
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
	int64_t t0 = sys_mono_ms();
	int r = -1;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (c.st != ST_RUNNING) {
		err_setk(e, ERRK_STATE_INVALID, 0,
			 "cannot checkpoint container %s: it is not running (state %s)", cname(&c),
			 state_names[c.st]);
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
	if (oci_criu_usable(en->st.runroot, e) < 0)
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
	if (oci_criu_dump(&crit, spec, c.state.pid, e) < 0) {
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
		c.state.exit_known = true;
		c.state.exit_code = 0;
		c.state.signal = 0;
		c.state.checkpointed = true;
	}
	c.state.checkpointed_at = sys_wall_ns();
	c.state.restored = false;
	if (ctr_save(&c, e) < 0)
		goto out;
	event(&c, "checkpoint", NULL);
	if (o->export_path) {
		if (export_archive(&c, cdir, o, e) < 0)
			goto out;
		if (!o->keep)
			store_rm_tree(cdir, "checkpoint", NULL);
	}
	if (stats)
		stats->duration_us = (sys_mono_ms() - t0) * 1000;
	r = 0;
out:
	oci_spec_free(spec);
	ctr_close(&c);
	return r;
}

/* --import: the archive unpacked under the root, checked (its machine,
 * its parts), made a new container (a new id; its name or --name) that
 * holds the images and the root filesystem's changes: exited and
 * checkpointed, for engine_restore.  Nothing is left on failure. */
static int import_archive(struct engine *en, const struct engine_restore_opts *o,
			  char id[STORE_ID_LEN + 1], char ***vols, struct err *e)
{
	_cleanup_free_ char *tmp = xasprintf("%s/import-XXXXXX", en->st.root);
	_cleanup_free_ char *cdirp = NULL;
	_cleanup_close_ int in = -1, tfd = -1, rootfd = -1;
	cJSON *m = NULL, *cfg = NULL, *st = NULL, *spec;
	_cleanup_ctr_state_ struct ctr_state dump = { 0 };
	const char *name = NULL, *arch;
	_cleanup_strv_ char **nets = NULL;
	struct net_use nu = { .lockfd = -1 };
	int leased = 0;
	char cg[100];
	int created = 0, r = -1;

	in = open(o->import_path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return err_setk(e, ERRK_INVALID_ARG, errno, "--import %s", o->import_path);
	if (!mkdtemp(tmp))
		return err_sys(e, "mkdtemp %s", tmp);
	rootfd = open(en->st.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || tfd < 0) {
		err_sys(e, "open %s", tmp);
		goto out;
	}
	if (tar_extract(in, tfd, TAR_EXTRACT_OWNER, e) < 0)
		goto bad;
	{
		_cleanup_free_ char *p = xasprintf("%s/" MANIFEST, tmp);
		_cleanup_free_ char *pc = xasprintf("%s/config.dump", tmp);
		_cleanup_free_ char *ps = xasprintf("%s/state.dump", tmp);
		_cleanup_free_ char *pd = xasprintf("%s/checkpoint/descriptors.json", tmp);
		struct stat sb;

		m = store_read_json(p, e);
		if (!m || jint(m, "nookCheckpoint", 0) != 1) {
			if (m)
				err_set(e, 0, "%s: not a checkpoint of nook", MANIFEST);
			goto bad;
		}
		arch = jstr(m, "arch") ?: "?";
		if (strcmp(arch, machine()) != 0) {
			err_setk(e, ERRK_INVALID_ARG, 0,
				 "--import %s: a checkpoint of a %s machine cannot be restored on "
				 "%s",
				 o->import_path, arch, machine());
			goto out;
		}
		if (!(cfg = store_read_json(pc, NULL)) || !(st = store_read_json(ps, NULL)) ||
		    stat(pd, &sb) < 0) {
			err_set(e, 0, "%s missing or corrupt",
				!cfg  ? "config.dump"
				: !st ? "state.dump"
				      : "checkpoint/");
			goto bad;
		}
	}
	ctr_state_from_json(st, &dump);
	name = o->name ?: dump.name;
	if (!name || store_name_valid(name, e) < 0) {
		if (!name)
			err_set(e, 0, "state.dump: no name");
		goto bad;
	}
	store_new_id(id);
	spec = cJSON_GetObjectItemCaseSensitive(cfg, "spec");
	snprintf(cg, sizeof(cg), "/nook/%s", id);
	jset_str(cJSON_GetObjectItemCaseSensitive(spec, "linux"), "cgroupsPath", cg);
	if (cJSON_GetObjectItemCaseSensitive(cfg, "name"))
		jset_str(cfg, "name", name);
	if (strcmp(jstr(cfg, "netMode") ?: "", "bridge") == 0) {
		/* new leases here, on the networks it was on (they must exist
		 * here: the default one is made on first use) */
		const cJSON *jn = cJSON_GetObjectItemCaseSensitive(m, "networks"), *it;

		cJSON_ArrayForEach (it, jn)
			if (cJSON_IsString(it))
				strv_push(&nets, it->valuestring);
		if (!nets)
			strv_push(&nets, NET_DEFAULT);
		if (net_import(en, id, name, cfg, nets, &nu, e) < 0) {
			err_wrap(e, "--import %s", o->import_path);
			goto out;
		}
		leased = 1;
	}
	if (store_create(&en->st, id, name, cfg, 1, e) < 0) {
		kind(e, e->errnum == EEXIST ? ERRK_INVALID_ARG : ERRK_RUNTIME);
		goto out;
	}
	created = 1;
	cdirp = store_path(&en->st, id, NULL);
	{
		_cleanup_free_ char *from = xasprintf("%s/checkpoint", tmp);
		_cleanup_free_ char *to = xasprintf("%s/checkpoint", cdirp);
		_cleanup_free_ char *diff = xasprintf("%s/rootfs-diff", tmp);
		_cleanup_free_ char *ov = xasprintf("%s/overlay", cdirp);
		_cleanup_free_ char *upper = xasprintf("%s/overlay/upper", cdirp);
		_cleanup_free_ char *stp = xasprintf("%s/state.json", cdirp);
		struct ctr_state ns = { .state = ST_EXITED, .checkpointed = true };
		int w;

		if (rename(from, to) < 0) {
			err_sys(e, "rename %s", from);
			goto out;
		}
		if (!o->ignore_rootfs && access(diff, F_OK) == 0 &&
		    ((mkdir(ov, 0700) < 0 && errno != EEXIST) || rename(diff, upper) < 0)) {
			err_sys(e, "rename %s", diff);
			goto out;
		}
		ns.name = xstrdup(name);
		ns.rootfs = xstrdup(dump.rootfs ?: "");
		ns.created = sys_wall_ns();
		ns.command = dump.command ? strv_dup(dump.command) : NULL;
		w = ctr_state_write(stp, &ns, 1, e);
		ctr_state_free(&ns);
		if (w < 0)
			goto out;
	}
	if (import_volumes(en, cfg, tmp, o->ignore_volumes, vols, e) < 0)
		goto out;
	events_append(&en->st, "create", id, name, NULL, NULL);
	r = 0;
	goto out;
bad:
	kind(e, ERRK_INVALID_ARG);
	err_wrap(e, "--import %s", o->import_path);
out:
	if (leased)
		net_create_end(en, &nu, r == 0);
	if (r < 0 && created)
		store_remove(&en->st, id, name, NULL);
	if (rootfd >= 0)
		store_rm_tree(rootfd, strrchr(tmp, '/') + 1, NULL);
	cJSON_Delete(m);
	cJSON_Delete(cfg);
	cJSON_Delete(st);
	return r;
}

int engine_restore(struct engine *en, const char *ref, const struct engine_restore_opts *o,
		   struct engine_cr_stats *stats, struct err *e)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int cdir = -1;
	struct ctr c;
	struct stat sb;
	int64_t t0 = sys_mono_ms();
	int r = -1;

	if (o->import_path) {
		struct engine_restore_opts ro = *o;
		_cleanup_strv_ char **vols = NULL;
		char id[STORE_ID_LEN + 1];

		if (import_archive(en, o, id, &vols, e) < 0)
			return -1;
		ro.import_path = NULL;
		ro.keep = 0; /* the images are the archive's copy */
		if (engine_restore(en, id, &ro, stats, e) < 0) {
			struct volumes vs;
			struct err le;

			engine_remove(en, id, ENGINE_RM_FORCE, &le);
			/* and the volumes the import made */
			if (vols && volumes_open(&vs, &en->st, 1, &le) == 0) {
				for (size_t i = 0; vols[i]; i++)
					volumes_remove(&vs, vols[i], NULL);
				volumes_close(&vs);
			}
			return -1;
		}
		if (stats)
			memcpy(stats->id, id, sizeof(stats->id));
		return 0;
	}
	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	dir = store_path(&en->st, c.id, "checkpoint");
	if (c.st == ST_RUNNING || c.st == ST_PAUSED || c.st == ST_CREATED) {
		err_setk(e, ERRK_STATE_INVALID, 0, "cannot restore container %s: it is %s",
			 cname(&c), state_names[c.st]);
		goto out;
	}
	if (!c.state.checkpointed || stat(dir, &sb) < 0) {
		err_setk(e, ERRK_STATE_INVALID, 0,
			 "cannot restore container %s: it has no checkpoint", cname(&c));
		goto out;
	}
	if (oci_criu_usable(en->st.runroot, e) < 0)
		goto out;
	if (ctr_init(&c, dir, criu_flags(o->tcp_established, o->file_locks), e) < 0) {
		err_wrap(e, "restore");
		goto out;
	}
	ctr_set_state(&c, ST_RUNNING);
	c.state.started_at = sys_wall_ns();
	c.state.checkpointed = false;
	c.state.restored = true;
	c.state.restored_at = sys_wall_ns();
	if (ctr_save(&c, e) < 0)
		goto out;
	event(&c, "restore", NULL);
	if (!o->keep) {
		cdir = ctr_dirfd(&c);
		if (cdir >= 0)
			store_rm_tree(cdir, "checkpoint", NULL);
	}
	if (stats)
		stats->duration_us = (sys_mono_ms() - t0) * 1000;
	r = 0;
out:
	ctr_close(&c);
	return r;
}
