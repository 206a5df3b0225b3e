// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * create: the create options to a container's config.json and OCI spec.
 *
 * The spec starts from runc's default (oci_spec_default_json) and takes
 * podman's defaults (capabilities, environment, no rlimits, a seccomp
 * profile) and then the flags.  What the runtime side would refuse is
 * refused here, before anything is written.  A user name is looked up in
 * the rootfs's own /etc/passwd and /etc/group, never the host's.
 */
#include "engine/ctr.h"
#include "engine/images.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "engine/events.h"
#include "engine/network.h"
#include "engine/volumes.h"
#include "oci/linux.h"
#include "oci/seccomp.h"
#include "oci/spec.h"
#include "oci/validate.h"
#include "store/overlay.h"

/* podman's default capabilities. */
static const char *const default_caps[] = {
	"CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",	 "CAP_FSETID",
	"CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",	 "CAP_SETGID",
	"CAP_SETPCAP", "CAP_SETUID",	       "CAP_SYS_CHROOT", NULL,
};

static int has_str(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcasecmp(v[i], s) == 0 ||
		    (strncasecmp(v[i], "CAP_", 4) != 0 && strcasecmp(s + 4, v[i]) == 0))
			return 1;
	return 0;
}

/* Each name in v (a flag's values) is a capability or ALL. */
static int caps_known(char *const *v, const char *flag, struct err *e)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (strcasecmp(v[i], "ALL") && oci_cap_from_name(v[i]) < 0) {
			return err_setk(e, ERRK_INVALID_ARG, 0, "%s: unknown capability \"%s\"",
					flag, v[i]);
		}
	}
	return 0;
}

static cJSON *capabilities(const struct engine_create_opts *o, struct err *e)
{
	static const char *const sets[] = { "bounding", "effective", "permitted" };
	cJSON *caps, *set;

	if (caps_known(o->cap_add, "--cap-add", e) < 0 ||
	    caps_known(o->cap_drop, "--cap-drop", e) < 0)
		return NULL;
	caps = cJSON_CreateObject();
	set = cJSON_CreateArray();
	for (int cap = 0; cap <= oci_cap_last(); cap++) {
		const char *n = oci_cap_name(cap);
		int on;

		if (!n)
			continue;
		on = o->privileged ? (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
				   : has_str((char *const *)default_caps, n);
		if (has_str(o->cap_drop, "ALL") || has_str(o->cap_drop, n))
			on = 0;
		if (has_str(o->cap_add, "ALL") || has_str(o->cap_add, n))
			on = 1;
		if (on)
			cJSON_AddItemToArray(set, cJSON_CreateString(n));
	}
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		cJSON_AddItemToObject(caps, sets[i], cJSON_Duplicate(set, 1));
	cJSON_Delete(set);
	return caps;
}

/* uid[:gid] numbers, or names looked up in the rootfs's /etc/passwd and
 * /etc/group (read inside the rootfs: a symlink there cannot point us
 * at the host's files). */
static int lookup_id(int rootfd, const char *file, const char *name, int field, long *out)
{
	struct err e;
	_cleanup_close_ int fd = oci_open_in_root(rootfd, file, O_RDONLY, 0, &e);
	_cleanup_free_ char *text = NULL;
	char *save = NULL, *line;

	if (fd < 0 || !(text = file_read_at(fd, "", NULL, &e))) {
		char p[64];

		if (fd < 0)
			return -1;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		if (!(text = file_read(p, NULL, &e)))
			return -1;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { 0 };
		char *p = line;

		for (int i = 0; i < 4 && p; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (f[0] && strcmp(f[0], name) == 0 && f[field]) {
			*out = strtol(f[field], NULL, 10);
			return 0;
		}
	}
	return -1;
}

int resolve_user(const char *rootfs, const char *spec, cJSON *user, struct err *e)
{
	_cleanup_free_ char *u = xstrdup(spec);
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char *g = strchr(u, ':'), *end;
	long uid = -1, gid = -1;

	if (g)
		*g++ = '\0';
	uid = strtol(u, &end, 10);
	if (*end || end == u) {
		if (lookup_id(rootfd, "/etc/passwd", u, 2, &uid) < 0) {
			return err_setk(e, ERRK_INVALID_ARG, 0,
					"user \"%s\" not found in the container's /etc/passwd", u);
		}
		if (!g && lookup_id(rootfd, "/etc/passwd", u, 3, &gid) < 0)
			gid = 0;
	} else if (!g) {
		gid = 0;
	}
	if (g) {
		gid = strtol(g, &end, 10);
		if ((*end || end == g) && lookup_id(rootfd, "/etc/group", g, 2, &gid) < 0) {
			return err_setk(e, ERRK_INVALID_ARG, 0,
					"group \"%s\" not found in the container's /etc/group", g);
		}
	}
	if (uid < 0 || gid < 0) {
		return err_setk(e, ERRK_INVALID_ARG, 0, "invalid user \"%s\"", spec);
	}
	jset_num(user, "uid", (double)uid);
	jset_num(user, "gid", (double)gid);
	return 0;
}

static cJSON *mount_json(const char *dst, const char *type, const char *src, const char *opts)
{
	cJSON *m = cJSON_CreateObject(), *o = cJSON_CreateArray();
	_cleanup_free_ char *copy = xstrdup(opts ? opts : "");
	char *save = NULL;

	cJSON_AddStringToObject(m, "destination", dst);
	cJSON_AddStringToObject(m, "type", type);
	cJSON_AddStringToObject(m, "source", src);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		cJSON_AddItemToArray(o, cJSON_CreateString(t));
	cJSON_AddItemToObject(m, "options", o);
	return m;
}

/* The environment: PATH, TERM with a tty, HOSTNAME, then -e (K=V sets,
 * K alone takes our own K's value). */
static cJSON *spec_env(const struct engine_create_opts *o, const char *host)
{
	cJSON *env = cJSON_CreateArray();

	cJSON_AddItemToArray(
		env, cJSON_CreateString(
			     "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	if (o->tty)
		cJSON_AddItemToArray(env, cJSON_CreateString("TERM=xterm"));
	{
		char hn[300];

		snprintf(hn, sizeof(hn), "HOSTNAME=%s", o->hostname ? o->hostname : host);
		cJSON_AddItemToArray(env, cJSON_CreateString(hn));
	}
	for (size_t i = 0; o->env && o->env[i]; i++) {
		const char *eq = strchr(o->env[i], '=');
		size_t kl = eq ? (size_t)(eq - o->env[i]) : strlen(o->env[i]);
		cJSON *it;
		int replaced = 0;

		if (!eq) {
			/* -e NAME: take the value from our environment */
			const char *v = getenv(o->env[i]);
			char *kv;

			if (!v)
				continue;
			kv = xasprintf("%s=%s", o->env[i], v);
			cJSON_AddItemToArray(env, cJSON_CreateString(kv));
			free(kv);
			continue;
		}
		cJSON_ArrayForEach (it, env) {
			if (strncmp(it->valuestring, o->env[i], kl) == 0 &&
			    it->valuestring[kl] == '=') {
				cJSON_SetValuestring(it, o->env[i]);
				replaced = 1;
			}
		}
		if (!replaced)
			cJSON_AddItemToArray(env, cJSON_CreateString(o->env[i]));
	}
	return env;
}

/* The process: command, terminal, environment, cwd, user, capabilities. */
static int spec_process(cJSON *proc, const struct engine_create_opts *o, const char *host,
			const char *rootfs, struct err *e)
{
	cJSON *caps;

	cJSON_ReplaceItemInObjectCaseSensitive(
		proc, "args",
		o->argv && o->argv[0] ? strv_to_json(o->argv)
				      : strv_to_json((char *[]){ "/bin/sh", NULL }));
	jset_bool(proc, "terminal", o->tty);
	cJSON_ReplaceItemInObjectCaseSensitive(proc, "env", spec_env(o, host));
	jset_str(proc, "cwd", o->workdir ? o->workdir : "/");
	if (o->user && resolve_user(o->user_root ? o->user_root : rootfs, o->user,
				    cJSON_GetObjectItemCaseSensitive(proc, "user"), e) < 0)
		return -1;
	caps = capabilities(o, e);
	if (!caps)
		return -1;
	cJSON_ReplaceItemInObjectCaseSensitive(proc, "capabilities", caps);
	jset_bool(proc, "noNewPrivileges", o->no_new_privs);
	if (o->apparmor)
		jset_str(proc, "apparmorProfile", o->apparmor);
	/* podman does not cap open files at 1024 */
	cJSON_DeleteItemFromObjectCaseSensitive(proc, "rlimits");
	return 0;
}

/* namespaces: a new network one unless --network host (engine/network
 * makes the rest) */
static int spec_network(cJSON *s, const struct engine_create_opts *o, struct err *e)
{
	cJSON *nss = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "linux"),
						      "namespaces");
	cJSON *it;
	int i = 0;

	if (!o->network || strcmp(o->network, "host") != 0)
		return 0;
	cJSON_ArrayForEach (it, nss) {
		if (strcmp(jstr(it, "type") ?: "", "network") == 0) {
			cJSON_DeleteItemFromArray(nss, i);
			break;
		}
		i++;
	}
	/* sysfs of the host's network namespace cannot be mounted anew:
	 * bind it read-only instead */
	cJSON_ArrayForEach (it, cJSON_GetObjectItemCaseSensitive(s, "mounts")) {
		if (strcmp(jstr(it, "destination") ?: "", "/sys") == 0) {
			jset_str(it, "type", "bind");
			jset_str(it, "source", "/sys");
			cJSON_ReplaceItemInObjectCaseSensitive(
				it, "options",
				strv_to_json((char *[]){ "rbind", "nosuid", "noexec", "nodev", "ro",
							 NULL }));
		}
	}
	return 0;
}

/* binds, volumes (named by engine_volumes_use) and tmpfs */
static int spec_volumes(cJSON *mounts, const struct engine_create_opts *o, const struct store *st,
			struct err *e)
{
	for (size_t i = 0; i < o->n_mounts; i++) {
		const struct mount_opt *m = &o->mounts[i];

		if (m->kind == MOUNT_TMPFS) {
			cJSON_AddItemToArray(mounts,
					     mount_json(m->dst, "tmpfs", "tmpfs",
							m->src ? m->src : "rw,nosuid,nodev"));
		} else if (m->kind == MOUNT_VOLUME) {
			_cleanup_free_ char *p = volumes_data_path(st, m->src);

			cJSON_AddItemToArray(mounts, mount_json(m->dst, "bind", p,
								m->ro ? "rbind,nosuid,nodev,ro"
								      : "rbind,nosuid,nodev,rw"));
		} else {
			char *real = realpath(m->src, NULL);

			if (!real) {
				return err_setk(e, ERRK_INVALID_ARG, errno, "volume source %s",
						m->src);
			}
			cJSON_AddItemToArray(mounts, mount_json(m->dst, "bind", real,
								m->ro ? "rbind,ro" : "rbind,rw"));
			free(real);
		}
	}
	return 0;
}

/* The linux section: cgroup, limits, what --privileged lifts, seccomp. */
static int spec_linux(cJSON *lin, const struct engine_create_opts *o, const char *id, struct err *e)
{
	cJSON *res;

	{
		char cg[100];

		snprintf(cg, sizeof(cg), "/nook/%s", id);
		jset_str(lin, "cgroupsPath", cg);
	}
	res = cJSON_GetObjectItemCaseSensitive(lin, "resources");
	if (!res)
		res = cJSON_AddObjectToObject(lin, "resources");
	if (o->memory > 0)
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(res, "memory"), "limit",
					(double)o->memory);
	if (o->pids_limit > 0)
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(res, "pids"), "limit",
					(double)o->pids_limit);
	if (o->cpus > 0) {
		cJSON *cpu = cJSON_AddObjectToObject(res, "cpu");

		cJSON_AddNumberToObject(cpu, "quota", (double)(int64_t)(o->cpus * 100000));
		cJSON_AddNumberToObject(cpu, "period", 100000);
	}
	if (o->privileged) {
		/* all devices, no masks, no filter */
		cJSON_DeleteItemFromObjectCaseSensitive(res, "devices");
		cJSON_DeleteItemFromObjectCaseSensitive(lin, "maskedPaths");
		cJSON_DeleteItemFromObjectCaseSensitive(lin, "readonlyPaths");
	}

	/* seccomp */
	if (!o->privileged && !(o->seccomp && strcmp(o->seccomp, "unconfined") == 0)) {
		cJSON *sc;

		if (o->seccomp) {
			_cleanup_free_ char *prof = file_read(o->seccomp, NULL, e);

			if (!prof) {
				return err_wrapk(e, ERRK_INVALID_ARG, "--security-opt seccomp");
			}
			sc = cJSON_Parse(prof);
			if (!sc) {
				return err_setk(e, ERRK_INVALID_ARG, 0,
						"--security-opt seccomp=%s: invalid JSON",
						o->seccomp);
			}
		} else {
			sc = oci_seccomp_default_json();
		}
		cJSON_AddItemToObject(lin, "seccomp", sc);
	}
	return 0;
}

/* The OCI spec of a new container, from runc's default plus the flags. */
static cJSON *build_spec(const struct engine_create_opts *o, const char *id, const char *rootfs,
			 const struct store *st, struct err *e)
{
	cJSON *s = oci_spec_default(0);
	char host[13];

	snprintf(host, sizeof(host), "%.12s", id);
	if (spec_process(cJSON_GetObjectItemCaseSensitive(s, "process"), o, host, rootfs, e) < 0)
		goto fail;

	/* root, hostname */
	{
		cJSON *root = cJSON_GetObjectItemCaseSensitive(s, "root");

		jset_str(root, "path", rootfs);
		jset_bool(root, "readonly", o->read_only);
	}
	jset_str(s, "hostname", o->hostname ? o->hostname : host);

	if (spec_network(s, o, e) < 0 ||
	    spec_volumes(cJSON_GetObjectItemCaseSensitive(s, "mounts"), o, st, e) < 0 ||
	    spec_linux(cJSON_GetObjectItemCaseSensitive(s, "linux"), o, id, e) < 0)
		goto fail;
	if (o->annotations) {
		cJSON *an = cJSON_AddObjectToObject(s, "annotations");

		for (size_t i = 0; o->annotations[i]; i++) {
			_cleanup_free_ char *kv = xstrdup(o->annotations[i]);
			char *eq = strchr(kv, '=');

			if (eq)
				*eq++ = '\0';
			cJSON_AddStringToObject(an, kv, eq ? eq : "");
		}
	}

	/* What the runtime side would refuse should be refused now. */
	{
		struct oci_spec *check = oci_spec_from_json(s, e);

		if (!check) {
			err_wrapk(e, ERRK_INVALID_ARG, "container configuration");
			goto fail;
		}
		oci_spec_free(check);
	}
	return s;
fail:
	cJSON_Delete(s);
	return NULL;
}

static const char *const restart_names[] = { "no", "on-failure", "always", "unless-stopped" };

static int create(struct engine *en, const struct engine_create_opts *o,
		  const struct image_use *img, char id[STORE_ID_LEN + 1], struct err *e);

#ifndef NOOK_NO_IMAGES
/* Create from an image: the image's config applied to the options, the
 * image store locked until the container exists (see engine/images.c). */
static int create_from_image(struct engine *en, const struct engine_create_opts *o,
			     char id[STORE_ID_LEN + 1], struct err *e)
{
	struct image_use u;
	int r, pulled = 0;

	/* podman's --pull: always, missing (a pull when the store has no
	 * such image), never */
	for (;;) {
		struct pull_opts po = { .tls_verify = 1, .progress = o->pull_progress };
		_cleanup_free_ char *pid = NULL, *pname = NULL;

		if (o->pull != PULL_ALWAYS || pulled) {
			if (engine_image_use(en, o, &u, e) == 0)
				break;
			engine_image_use_end(&u);
			if (o->pull != PULL_MISSING || pulled || e->kind != ERRK_NO_SUCH)
				return -1;
		}
		if (engine_image_pull(en, o->image, &po, &pid, &pname, e) < 0)
			return -1;
		pulled = 1;
	}
	r = create(en, &u.opts, &u, id, e);
	engine_image_use_end(&u);
	return r;
}
#endif

int engine_create(struct engine *en, const struct engine_create_opts *o, char id[STORE_ID_LEN + 1],
		  struct err *e)
{
	if (!o->rootfs && !o->image) {
		return err_setk(e, ERRK_INVALID_ARG, 0,
				"an image or a root filesystem (--rootfs DIR) is required");
	}
	if (oci_apparmor_check(o->apparmor, "--security-opt apparmor", e) < 0)
		return kind(e, ERRK_INVALID_ARG);
#ifndef NOOK_NO_IMAGES
	if (!o->rootfs)
		return create_from_image(en, o, id, e);
#else
	if (!o->rootfs)
		return err_setk(e, ERRK_NOT_IMPLEMENTED, 0,
				"this nook was built without images (NOOK_IMAGES=0): use --rootfs");
#endif
	return create(en, o, NULL, id, e);
}

/* A --rm container is written for no power cut, and its record kept in RAM
 * (nothing on flash for a --rootfs DIR one) unless it has anonymous
 * volumes: those on disk would lose the record that says to remove them. */
static int create_durability(const struct engine_create_opts *o, const cJSON *cfg)
{
	const cJSON *u;

	if (!o->auto_remove)
		return 1;
	cJSON_ArrayForEach (u, cJSON_GetObjectItemCaseSensitive(cfg, "volumes"))
		if (jbool(u, "anonymous"))
			return 0;
	return STORE_VOLATILE;
}

static int create(struct engine *en, const struct engine_create_opts *o,
		  const struct image_use *img, char id[STORE_ID_LEN + 1], struct err *e)
{
	_cleanup_free_ char *rootfs = NULL;
	_cleanup_free_ char *gen_name = NULL;
	_cleanup_free_ char *sq_lower = NULL;
	struct engine_create_opts sq_opts;
	cJSON *cfg = NULL, *spec, *deps;
	_cleanup_ctr_state_ struct ctr_state st = { .state = ST_CONFIGURED };
	struct volume_use vu = { .vs.lockfd = -1 };
	struct net_use nu = { .lockfd = -1 };
	struct stat sb;
	const char *name = o->name;
	int r = -1, overlay = 0, squash = 0;

	if (img && img->squashfs) {
		/* mounted, never unpacked, as --rootfs FILE.sqfs */
		rootfs = xstrdup(img->squashfs);
		squash = overlay = 1;
	} else if (img) {
		overlay = 1;
	} else {
		/* DIR:O, as podman's: an overlay over DIR, which stays as it is */
		size_t n = strlen(o->rootfs);
		_cleanup_free_ char *dir = xstrdup(o->rootfs);

		if (n > 2 && strcmp(o->rootfs + n - 2, ":O") == 0) {
			overlay = 1;
			dir[n - 2] = '\0';
		}
		rootfs = realpath(dir, NULL);
		if (rootfs && !overlay && stat(rootfs, &sb) == 0 && S_ISREG(sb.st_mode)) {
			/* a squashfs image: mounted, never unpacked, under an
			 * overlay of the container's own */
			if (overlay_squashfs_check(rootfs, e) < 0)
				return kind(e, ERRK_INVALID_ARG);
			squash = overlay = 1;
		} else if (!rootfs || stat(rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			return err_setk(e, ERRK_INVALID_ARG, rootfs ? ENOTDIR : errno, "rootfs %s",
					dir);
		}
	}
	if (!img && overlay && !squash && overlay_lower_valid(rootfs, e) < 0) {
		return err_wrapk(e, ERRK_INVALID_ARG, "--rootfs %s", o->rootfs);
	}
	store_new_id(id);
	if (!name) {
		gen_name = xasprintf("nook_%.8s", id);
		name = gen_name;
	}
	if (store_name_valid(name, e) < 0)
		return kind(e, ERRK_INVALID_ARG);
	if (img && !squash)
		rootfs = overlay_merged_path(&en->st, id);
	/* the volume store stays locked until the container exists */
	if (engine_volumes_use(en, o, &vu, e) < 0)
		goto out;
	o = &vu.opts;
	if (squash && o->user) { /* user names: from the image's /etc */
		if (overlay_squashfs_mount(&en->st, id, rootfs, e) < 0) {
			kind(e, ERRK_RUNTIME);
			goto out;
		}
		sq_opts = *o;
		sq_opts.user_root = sq_lower = overlay_squashfs_lower(&en->st, id);
		o = &sq_opts;
	}
	spec = build_spec(o, id, rootfs, &en->st, e);
	if (sq_lower) /* mounted again when the container starts */
		overlay_squashfs_unmount(&en->st, id);
	if (!spec)
		goto out;

	cfg = cJSON_CreateObject();
	cJSON_AddStringToObject(cfg, "id", id);
	cJSON_AddStringToObject(cfg, "name", name);
	cJSON_AddStringToObject(cfg, "rootfs", rootfs);
	if (overlay)
		cJSON_AddTrueToObject(cfg, "rootfsOverlay");
	if (squash)
		cJSON_AddTrueToObject(cfg, "rootfsSquashfs");
	if (img) {
		cJSON_AddStringToObject(cfg, "image", img->id);
		cJSON_AddStringToObject(cfg, "imageName", img->name);
		if (img->lowerdir)
			cJSON_AddStringToObject(cfg, "imageLowerdir", img->lowerdir);
		/* for commit and inspect: where the entrypoint ends in the
		 * process's args (ctr_args_split), and the user by name (-u,
		 * or the image's User) */
		cJSON_AddNumberToObject(cfg, "entrypointLen", (double)img->n_ep);
		if (o->user)
			cJSON_AddStringToObject(cfg, "user", o->user);
	}
	cJSON_AddNumberToObject(cfg, "created", (double)sys_wall_ns());
	cJSON_AddStringToObject(cfg, "restartPolicy", restart_names[o->restart]);
	cJSON_AddNumberToObject(cfg, "restartMax", o->restart_max);
	cJSON_AddNumberToObject(cfg, "stopSignal", o->stop_signal > 0 ? o->stop_signal : SIGTERM);
	cJSON_AddNumberToObject(cfg, "stopTimeout",
				o->stop_timeout >= 0 ? o->stop_timeout : DEFAULT_STOP_TIMEOUT);
	cJSON_AddNumberToObject(cfg, "logSizeMax", (double)o->log_size_max);
	cJSON_AddBoolToObject(cfg, "tty", o->tty);
	cJSON_AddBoolToObject(cfg, "interactive", o->interactive);
	cJSON_AddBoolToObject(cfg, "autoRemove", o->auto_remove);
	cJSON_AddBoolToObject(cfg, "privileged", o->privileged);
	deps = cJSON_AddArrayToObject(cfg, "requires");
	for (size_t i = 0; o->requires && o->requires[i]; i++) {
		char did[STORE_ID_LEN + 1];

		if (store_lookup(&en->st, o->requires[i], did, e) < 0) {
			err_wrapk(e, ERRK_DEPENDENCY, "--requires");
			goto out;
		}
		cJSON_AddItemToArray(deps, cJSON_CreateString(did));
	}
	cJSON_AddItemToObject(cfg, "spec", spec);
	if (vu.config)
		cJSON_AddItemToObject(cfg, "volumes", steal_ptr(vu.config));

	/* its leases: the networks store stays locked until it exists */
	if (net_create(en, o, id, name, cfg, spec, &nu, e) < 0)
		goto out;

	/* --rm: nothing of it need survive a power cut (as ctr_save) */
	if (store_create(&en->st, id, name, cfg, create_durability(o, cfg), e) < 0) {
		kind(e, e->errnum == EEXIST ? ERRK_INVALID_ARG : ERRK_RUNTIME);
		goto out;
	}
	/* what ps shows, so that ps reads one small file per container */
	ctr_state_set_str(&st.name, name);
	ctr_state_set_str(&st.rootfs, img ? img->name : rootfs);
	st.created = jint(cfg, "created", 0);
	st.command = ctr_state_strv(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(spec, "process"), "args"));
	{
		_cleanup_free_ char *p = store_path(&en->st, id, "state.json");

		if (ctr_state_write(p, &st, !o->auto_remove, e) < 0) {
			store_remove(&en->st, id, name, NULL);
			goto out;
		}
	}
	events_append(&en->st, "create", id, name, NULL, NULL);
	r = 0;
out:
	net_create_end(en, &nu, r == 0);
	engine_volumes_use_end(&vu, r == 0);
	cJSON_Delete(cfg);
	return r;
}
