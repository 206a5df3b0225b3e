// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * volumes: the engine side of the volume store (store/volumes): the
 * volumes a container uses (config.json's "volumes": made at create when
 * missing, copied up from its image at its first init), which containers
 * use a volume, and the rows of `volume ls` and `volume inspect`.
 *
 * Lock order: a container's lock, then the volume store's.  A create holds
 * the volume store's lock until the container exists, and a remove holds
 * it while it looks for users, so that neither can slip between the
 * other's check and its write.  `volume rm -f` removes the users with the
 * store unlocked (their locks come first), then looks again.
 */
#include "engine/volumes.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "oci/log.h"

/* ---- which containers use a volume ------------------------------------ */

static int uses(const cJSON *cfg, const char *name)
{
	const cJSON *v;

	cJSON_ArrayForEach (v, cJSON_GetObjectItemCaseSensitive(cfg, "volumes"))
		if (!strcmp(jstr(v, "name") ?: "", name))
			return 1;
	return 0;
}

static int uses_volume(const cJSON *cfg, const void *name)
{
	return uses(cfg, name);
}

/* The ids of the containers whose config names volume name. */
static char **users_of(struct engine *en, const char *name, struct err *e)
{
	return ctr_ids_where(en, uses_volume, name, e);
}

/* ---- a container's volumes -------------------------------------------- */

int engine_volumes_use(struct engine *en, const struct engine_create_opts *o, struct volume_use *u,
		       struct err *e)
{
	size_t n = 0;

	*u = (struct volume_use){ .opts = *o, .vs.lockfd = -1 };
	for (size_t i = 0; i < o->n_mounts; i++)
		n += o->mounts[i].kind == MOUNT_VOLUME;
	if (!n)
		return 0;
	if (volumes_open(&u->vs, &en->st, 1, e) < 0)
		return -1;
	u->made = xcalloc(1, sizeof(char *));
	u->config = cJSON_CreateArray();
	u->mounts = xcalloc(o->n_mounts, sizeof(*u->mounts));
	memcpy(u->mounts, o->mounts, o->n_mounts * sizeof(*u->mounts));
	u->opts.mounts = u->mounts;
	for (size_t i = 0; i < o->n_mounts; i++) {
		struct mount_opt *m = &u->mounts[i];
		cJSON *vol = NULL, *rec;

		if (m->kind != MOUNT_VOLUME)
			continue;
		if (m->src && !(vol = volumes_get(&u->vs, m->src, e)) && e->kind != ERRK_NO_SUCH)
			return -1;
		if (!vol) { /* podman's: made on first use */
			vol = volumes_create(&u->vs, m->src, NULL, !m->src, e);
			if (!vol)
				return -1;
			strv_push(&u->made, jstr(vol, "name"));
			m->src = u->made[strv_len(u->made) - 1];
		}
		rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "name", m->src);
		cJSON_AddStringToObject(rec, "destination", m->dst);
		cJSON_AddBoolToObject(rec, "anonymous", jbool(vol, "anonymous"));
		cJSON_AddBoolToObject(rec, "nocopy", m->nocopy);
		cJSON_AddItemToArray(u->config, rec);
		cJSON_Delete(vol);
	}
	return 0;
}

void engine_volumes_use_end(struct volume_use *u, int created)
{
	for (size_t i = 0; !created && u->made && u->made[i]; i++)
		volumes_remove(&u->vs, u->made[i], NULL);
	if (u->vs.dir)
		volumes_close(&u->vs);
	strv_free(u->made);
	free(u->mounts);
	cJSON_Delete(u->config);
	*u = (struct volume_use){ .vs.lockfd = -1 };
}

/* The first use of vol by c: chown to the container's user, copy-up. */
static int first_use(struct ctr *c, struct volumes *vs, int root, const cJSON *use, cJSON *vol,
		     struct err *e)
{
	const cJSON *user = ctr_user(c);
	_cleanup_free_ char *data = volumes_data_path(&c->en->st, jstr(vol, "name"));
	_cleanup_close_ int dfd = open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dfd < 0)
		return err_sys(e, "open %s", data);
	if (jbool(vol, "needsChown")) {
		if (fchown(dfd, (uid_t)jint(user, "uid", 0), (gid_t)jint(user, "gid", 0)) < 0)
			return err_sys(e, "chown %s", data);
		jset_bool(vol, "needsChown", 0);
	}
	/* a destination the root does not have keeps it waiting (podman's) */
	if (jbool(vol, "needsCopyUp") && !jbool(use, "nocopy")) {
		int r = cp_copy_up(root, jstr(use, "destination") ?: "/", dfd, e);

		if (r < 0)
			return err_wrap(e, "copy up %s", jstr(use, "destination"));
		if (r > 0)
			jset_bool(vol, "needsCopyUp", 0);
	}
	return volumes_save(vs, vol, e);
}

int engine_volumes_init(struct ctr *c, struct err *e)
{
	const cJSON *uses = cJSON_GetObjectItemCaseSensitive(c->config, "volumes"), *u;
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int root = -1;
	struct volumes vs;
	int r = 0;

	if (cJSON_GetArraySize(uses) == 0)
		return 0;
	path = ctr_rootfs(c);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return err_sys(e, "open root filesystem %s", path);
	if (volumes_open(&vs, &c->en->st, 1, e) < 0)
		return -1;
	cJSON_ArrayForEach (u, uses) {
		cJSON *vol = volumes_get(&vs, jstr(u, "name") ?: "", e);

		if (!vol || ((jbool(vol, "needsChown") || jbool(vol, "needsCopyUp")) &&
			     first_use(c, &vs, root, u, vol, e) < 0)) {
			err_wrap(e, "container %s: volume %s", cname(c), jstr(u, "name") ?: "");
			r = -1;
		}
		cJSON_Delete(vol);
		if (r < 0)
			break;
	}
	volumes_close(&vs);
	return r;
}

void engine_volumes_drop_anonymous(struct engine *en, const cJSON *config)
{
	const cJSON *u;
	struct volumes vs;
	struct err e = { 0 };
	char buf[800];

	cJSON_ArrayForEach (u, cJSON_GetObjectItemCaseSensitive(config, "volumes")) {
		_cleanup_strv_ char **users = NULL;

		if (!jbool(u, "anonymous"))
			continue;
		if (volumes_open(&vs, &en->st, 1, &e) < 0)
			break;
		users = users_of(en, jstr(u, "name") ?: "", &e);
		if (!users || (!users[0] && volumes_remove(&vs, jstr(u, "name") ?: "", &e) < 0 &&
			       e.kind != ERRK_NO_SUCH))
			log_msg(LOGL_WARN, "remove volume %s: %s", jstr(u, "name"),
				err_str(&e, buf, sizeof(buf)));
		volumes_close(&vs);
	}
}

/* ---- commands ---------------------------------------------------------- */

int engine_volume_create(struct engine *en, const char *name, char *const *labels, char **out,
			 struct err *e)
{
	struct volumes vs;
	cJSON *vol;

	if (volumes_open(&vs, &en->st, 1, e) < 0)
		return -1;
	vol = volumes_create(&vs, name, labels, 0, e);
	volumes_close(&vs);
	if (!vol)
		return -1;
	*out = xstrdup(jstr(vol, "name"));
	cJSON_Delete(vol);
	return 0;
}

/* podman's volume inspect object */
static cJSON *inspect_obj(const cJSON *vol)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *lab = cJSON_GetObjectItemCaseSensitive(vol, "labels");
	char t[40];

	if (!time_format_ns(jint(vol, "created", 0), t, sizeof(t)))
		snprintf(t, sizeof(t), "0001-01-01T00:00:00Z");
	cJSON_AddStringToObject(o, "Name", jstr(vol, "name") ?: "");
	cJSON_AddStringToObject(o, "Driver", jstr(vol, "driver") ?: "local");
	cJSON_AddStringToObject(o, "Mountpoint", jstr(vol, "mountpoint") ?: "");
	cJSON_AddStringToObject(o, "CreatedAt", t);
	cJSON_AddItemToObject(o, "Labels",
			      cJSON_IsObject(lab) ? cJSON_Duplicate(lab, 1) : cJSON_CreateObject());
	cJSON_AddStringToObject(o, "Scope", "local");
	cJSON_AddObjectToObject(o, "Options");
	cJSON_AddNumberToObject(o, "MountCount", 0);
	if (jbool(vol, "needsCopyUp"))
		cJSON_AddTrueToObject(o, "NeedsCopyUp");
	if (jbool(vol, "needsChown"))
		cJSON_AddTrueToObject(o, "NeedsChown");
	return o;
}

cJSON *engine_volume_inspect(struct engine *en, const char *name, struct err *e)
{
	struct volumes vs;
	cJSON *vol, *o = NULL;

	volumes_open(&vs, &en->st, 0, e);
	vol = volumes_get(&vs, name, e);
	if (vol)
		o = inspect_obj(vol);
	cJSON_Delete(vol);
	volumes_close(&vs);
	return o;
}

cJSON *engine_volume_list(struct engine *en, struct err *e)
{
	struct volumes vs;
	_cleanup_strv_ char **names = NULL;
	cJSON *rows;

	volumes_open(&vs, &en->st, 0, e);
	names = volumes_names(&vs, e);
	volumes_close(&vs);
	if (!names)
		return NULL;
	rows = cJSON_CreateArray();
	for (size_t i = 0; names[i]; i++) {
		cJSON *o = engine_volume_inspect(en, names[i], NULL);

		if (o) /* else removed meanwhile */
			cJSON_AddItemToArray(rows, o);
	}
	return rows;
}

int engine_volume_remove(struct engine *en, const char *name, int force, struct err *e)
{
	for (int pass = 0;; pass++) {
		_cleanup_strv_ char **users = NULL;
		struct volumes vs;
		cJSON *vol;
		int r = -1;

		if (volumes_open(&vs, &en->st, 1, e) < 0)
			return -1;
		vol = volumes_get(&vs, name, e);
		users = vol ? users_of(en, name, e) : NULL;
		cJSON_Delete(vol);
		if (users && !users[0]) {
			r = volumes_remove(&vs, name, e);
		} else if (users && (!force || pass > 0)) {
			_cleanup_free_ char *list = xstrdup(users[0]);

			for (size_t i = 1; users[i]; i++) {
				char *l = xasprintf("%s, %s", list, users[i]);

				free(list);
				list = l;
			}
			err_setk(e, ERRK_STATE_INVALID, 0,
				 "volume %s is being used by the following container(s): %s%s",
				 name, list, force ? "" : " (remove them first, or use -f)");
		} else if (users) {
			/* -f: the users go first, with the store unlocked */
			volumes_close(&vs);
			for (size_t i = 0; users[i]; i++)
				if (engine_remove(en, users[i], ENGINE_RM_FORCE, e) < 0 &&
				    e->kind != ERRK_NO_SUCH)
					return -1;
			continue;
		}
		volumes_close(&vs);
		return r;
	}
}

int engine_volume_prune(struct engine *en, char ***out, struct err *e)
{
	struct volumes vs;
	_cleanup_strv_ char **names = NULL;
	int r = 0;

	if (volumes_open(&vs, &en->st, 1, e) < 0)
		return -1;
	names = volumes_names(&vs, e);
	for (size_t i = 0; names && names[i] && r == 0; i++) {
		_cleanup_strv_ char **users = users_of(en, names[i], e);

		if (!users)
			r = -1;
		else if (!users[0] && (r = volumes_remove(&vs, names[i], e)) == 0)
			strv_push(out, names[i]);
	}
	volumes_close(&vs);
	return names ? r : -1;
}
