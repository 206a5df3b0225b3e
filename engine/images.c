// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * images: the engine side of the image store (store/images, store/load):
 * which containers use an image, podman's rules for applying an image's
 * config to a container, and the rows of `images` and `image inspect`.
 *
 * Lock order: the image store's lock, then a container's.  A create from
 * an image holds the image store's lock until the container exists, and a
 * remove of an image holds it while it looks for containers that use it,
 * so that neither can slip between the other's check and its write.
 */
#include "engine/images.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/ctr.h"
#include "engine/events.h"
#include "store/load.h"

static const char *first_name(const cJSON *img)
{
	const cJSON *n = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(img, "names"), 0);

	return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* ---- which containers use an image ------------------------------------ */

static int uses_image(const cJSON *cfg, const void *id)
{
	return jstr(cfg, "image") && !strcmp(jstr(cfg, "image"), id);
}

/* The ids of the containers whose config names image id (NULL-terminated). */
static char **users_of(struct engine *en, const char *id, struct err *e)
{
	return ctr_ids_where(en, uses_image, id, e);
}

/* ---- create from an image --------------------------------------------- */

static char **json_strv(const cJSON *a)
{
	char **v = NULL;
	const cJSON *x;

	if (!cJSON_IsArray(a))
		return NULL;
	v = xcalloc(1, sizeof(char *));
	cJSON_ArrayForEach (x, a)
		if (cJSON_IsString(x))
			strv_push(&v, x->valuestring);
	return v;
}

static void append(char ***v, char *const *more)
{
	for (size_t i = 0; more && more[i]; i++)
		strv_push(v, more[i]);
}

/* The topmost layer that has etc/passwd: where a user name is looked up
 * before the overlay exists (a whiteout of it counts as none). */
static char *user_root(struct images *im, const cJSON *img)
{
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(img, "layers");

	for (int i = cJSON_GetArraySize(layers) - 1; i >= 0; i--) {
		const cJSON *l = cJSON_GetArrayItem(layers, i);
		_cleanup_free_ char *p = NULL;
		_cleanup_close_ int fd = -1;
		struct stat st;

		if (!cJSON_IsString(l))
			continue;
		p = images_layer_path(im, l->valuestring);
		fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && fstatat(fd, "etc/passwd", &st, AT_SYMLINK_NOFOLLOW) == 0)
			return S_ISCHR(st.st_mode) ? NULL : steal_ptr(p);
	}
	return NULL;
}

/* The image's Volumes as podman makes them: a new anonymous volume at
 * each path that no -v, --mount or --tmpfs of the user covers (removed
 * with the container by rm -v and --rm, as podman's are). */
static void image_volumes(struct image_use *u, const struct engine_create_opts *o,
			  const cJSON *vols)
{
	const cJSON *v;
	size_t n = o->n_mounts;

	cJSON_ArrayForEach (v, vols) {
		int taken = 0;

		if (!v->string || v->string[0] != '/')
			continue;
		for (size_t i = 0; i < n && !taken; i++)
			taken = !strcmp(u->opts.mounts[i].dst, v->string);
		if (taken)
			continue;
		if (u->opts.mounts == o->mounts) {
			u->mounts =
				xcalloc(n + (size_t)cJSON_GetArraySize(vols), sizeof(*u->mounts));
			if (n)
				memcpy(u->mounts, o->mounts, n * sizeof(*u->mounts));
			u->opts.mounts = u->mounts;
		}
		strv_push(&u->vol_dsts, v->string);
		u->mounts[n++] = (struct mount_opt){ .dst = u->vol_dsts[strv_len(u->vol_dsts) - 1],
						     .kind = MOUNT_VOLUME };
	}
	u->opts.n_mounts = n;
}

int engine_image_use(struct engine *en, const struct engine_create_opts *o, struct image_use *u,
		     struct err *e)
{
	cJSON *img, *cfg, *c;
	_cleanup_strv_ char **ep = NULL, **cmd = NULL;
	const char *s;

	*u = (struct image_use){ .opts = *o };
	if (images_open(&u->im, &en->st, 1, e) < 0)
		return -1;
	img = images_find(&u->im, o->image, e);
	if (!img)
		return -1;
	cfg = images_config(&u->im, img, e);
	if (!cfg)
		return err_wrap(e, "image %s", o->image);
	c = cJSON_GetObjectItemCaseSensitive(cfg, "config");
	u->id = xstrdup(jstr(img, "id"));
	u->name = xstrdup(first_name(img) ?: u->id);
	/* a squashfs image: its file, mounted under each container */
	u->squashfs = images_squashfs_path(&u->im, img);
	if (!u->squashfs) {
		u->lowerdir = images_lowerdir(&u->im, img);
		u->user_root = user_root(&u->im, img);
	}
	/* podman's rules: COMMAND replaces Cmd; --entrypoint replaces
	 * Entrypoint and drops Cmd */
	if (o->entrypoint) {
		ep = strv_dup(o->entrypoint);
	} else {
		ep = json_strv(cJSON_GetObjectItemCaseSensitive(c, "Entrypoint"));
		if (!o->argv || !o->argv[0])
			cmd = json_strv(cJSON_GetObjectItemCaseSensitive(c, "Cmd"));
	}
	u->argv = xcalloc(1, sizeof(char *));
	append(&u->argv, ep);
	u->n_ep = strv_len(u->argv);
	append(&u->argv, o->argv && o->argv[0] ? o->argv : cmd);
	if (!u->argv[0]) {
		cJSON_Delete(cfg);
		return err_setk(e, ERRK_INVALID_ARG, 0,
				"no command given, and image %s has no Entrypoint or Cmd",
				o->image);
	}
	u->env =
		json_strv(cJSON_GetObjectItemCaseSensitive(c, "Env")) ?: xcalloc(1, sizeof(char *));
	append(&u->env, o->env);
	u->opts.argv = u->argv;
	u->opts.env = u->env;
	if (!o->workdir && (s = jstr(c, "WorkingDir")) && *s)
		u->opts.workdir = u->workdir = xstrdup(s);
	if (!o->user && (s = jstr(c, "User")) && *s)
		u->opts.user = u->user = xstrdup(s);
	if (!o->stop_signal && (s = jstr(c, "StopSignal")) && signal_parse(s) > 0)
		u->opts.stop_signal = signal_parse(s);
	u->opts.user_root = u->user_root;
	if (o->publish_all) {
		/* -P: each exposed port on a port the kernel picks */
		const cJSON *p;

		u->ports = strv_dup(o->ports) ?: xcalloc(1, sizeof(char *));
		cJSON_ArrayForEach (p, cJSON_GetObjectItemCaseSensitive(c, "ExposedPorts"))
			strv_push(&u->ports, p->string);
		u->opts.ports = u->ports;
	}
	image_volumes(u, o, cJSON_GetObjectItemCaseSensitive(c, "Volumes"));
	cJSON_Delete(cfg);
	return 0;
}

void engine_image_use_end(struct image_use *u)
{
	images_close(&u->im);
	strv_free(u->argv);
	strv_free(u->env);
	strv_free(u->ports);
	strv_free(u->vol_dsts);
	free(u->mounts);
	free(u->id);
	free(u->name);
	free(u->lowerdir);
	free(u->squashfs);
	free(u->user_root);
	free(u->workdir);
	free(u->user);
	*u = (struct image_use){ 0 };
}

/* ---- commands ---------------------------------------------------------- */

int engine_image_pull(struct engine *en, const char *ref, const struct pull_opts *o, char **id,
		      char **name, struct err *e)
{
	if (image_pull(&en->st, ref, o, id, name, e) < 0)
		return -1;
	events_append_image(&en->st, "pull", *id, *name ? *name : ref, NULL);
	return 0;
}

int engine_image_load(struct engine *en, const char *path, char ***loaded, struct err *e)
{
	if (image_load(&en->st, path, loaded, e) < 0)
		return -1;
	for (size_t i = 0; (*loaded)[i]; i++)
		events_append_image(&en->st, "load", NULL, (*loaded)[i], NULL);
	return 0;
}

int engine_image_import(struct engine *en, const char *path, const char *name, int squashfs,
			char **id, struct err *e)
{
	if ((squashfs ? image_import_squashfs(&en->st, path, name, id, e)
		      : image_import(&en->st, path, name, id, e)) < 0)
		return -1;
	events_append_image(&en->st, "import", *id, name, NULL);
	return 0;
}

/* What of the container's config its image gets, as podman's commit takes
 * it: its Entrypoint and Cmd (when the config says them apart), its
 * process's Env (without the HOSTNAME nook gave it), the ports it publishes,
 * its User and WorkingDir; as image_commit's ctr. */
static cJSON *ctr_image_config(const cJSON *cfg)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(cfg, "spec"), *x;
	const cJSON *proc = cJSON_GetObjectItemCaseSensitive(spec, "process");
	const char *host = jstr(spec, "hostname") ?: "", *s;
	cJSON *o = cJSON_CreateObject(), *ep, *cmd, *ports = NULL;
	cJSON *env = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(proc, "env"), 1);
	char key[24];

	if (ctr_args_split(cfg, &ep, &cmd) == 0) {
		cJSON_AddItemToObject(o, "Entrypoint", ep);
		cJSON_AddItemToObject(o, "Cmd", cmd);
	}
	cJSON_ArrayForEach (x, env)
		if ((s = cJSON_GetStringValue(x)) && !strncmp(s, "HOSTNAME=", 9) &&
		    !strcmp(s + 9, host)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(env, (cJSON *)x));
			break;
		}
	cJSON_AddItemToObject(o, "Env", env);
	cJSON_ArrayForEach (x, cJSON_GetObjectItemCaseSensitive(cfg, "ports")) {
		snprintf(key, sizeof(key), "%d/%s", (int)jint(x, "containerPort", 0),
			 jstr(x, "protocol") ?: "tcp");
		if (!ports)
			ports = cJSON_AddObjectToObject(o, "ExposedPorts");
		if (!cJSON_GetObjectItemCaseSensitive(ports, key))
			cJSON_AddItemToObject(ports, key, cJSON_CreateObject());
	}
	if ((s = jstr(cfg, "user")))
		cJSON_AddStringToObject(o, "User", s);
	if ((s = jstr(proc, "cwd")))
		cJSON_AddStringToObject(o, "WorkingDir", s);
	return o;
}

int engine_commit(struct engine *en, const char *ref, const char *name, const char *author,
		  const char *message, char *const *changes, char **id, struct err *e)
{
	char cid[STORE_ID_LEN + 1];
	_cleanup_free_ char *cfgp = NULL, *upper = NULL;
	_cleanup_close_ int ufd = -1;
	cJSON *cfg, *ctr;
	int r;

	if (store_lookup(&en->st, ref, cid, e) < 0)
		return -1;
	cfgp = store_path(&en->st, cid, "config.json");
	cfg = store_read_json(cfgp, e);
	if (!cfg)
		return err_wrap(e, "container %s", ref);
	if (!jstr(cfg, "image") || jbool(cfg, "rootfsSquashfs")) {
		int sq = jbool(cfg, "rootfsSquashfs");

		cJSON_Delete(cfg);
		return err_setk(
			e, ERRK_INVALID_ARG, 0,
			sq ? "container %s runs on a squashfs image: commit takes layers only"
			   : "container %s was not made from an image (--rootfs): nothing to "
			     "commit onto",
			ref);
	}
	upper = store_path(&en->st, cid, "overlay/upper");
	ufd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd < 0 && errno == ENOENT && mkdir_p(upper, 0755, NULL) == 0) /* never started */
		ufd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd < 0) {
		cJSON_Delete(cfg);
		return err_sys(e, "open %s", upper);
	}
	ctr = ctr_image_config(cfg);
	r = image_commit(&en->st, ufd, jstr(cfg, "image"), name, author, message, ctr, changes, id,
			 e);
	cJSON_Delete(ctr);
	cJSON_Delete(cfg);
	if (r == 0)
		events_append_image(&en->st, "commit", *id, name, NULL);
	return r;
}

int engine_image_tag(struct engine *en, const char *ref, char **names, int untag, struct err *e)
{
	struct images im;
	cJSON *img;
	int r = -1;

	if (images_open(&im, &en->st, 1, e) < 0)
		return -1;
	img = images_find(&im, ref, e);
	if (!img)
		goto out;
	if (untag && !names[0]) { /* all of them */
		cJSON_DeleteItemFromObjectCaseSensitive(img, "names");
		cJSON_AddArrayToObject(img, "names");
	}
	for (size_t i = 0; names[i]; i++) {
		_cleanup_free_ char *n = images_normalize(names[i], "localhost", e);

		if (!n || (untag ? images_untag(&im, img, n, e) < 0 : (images_tag(&im, img, n), 0)))
			goto out;
	}
	if (images_save(&im, e) < 0)
		goto out;
	for (size_t i = 0; names[i]; i++)
		events_append_image(&en->st, untag ? "untag" : "tag", jstr(img, "id"), names[i],
				    NULL);
	r = 0;
out:
	images_close(&im);
	return r;
}

/* Remove img (all its names), refusing while containers use it unless
 * force, which removes them first.  Lines for the user into *out. */
static int remove_one(struct engine *en, struct images *im, cJSON *img, int force, char ***out,
		      struct err *e)
{
	_cleanup_free_ char *id = xstrdup(jstr(img, "id") ?: "");
	_cleanup_strv_ char **users = users_of(en, id, e);
	const cJSON *n;

	if (!users)
		return -1;
	if (users[0] && !force)
		return err_setk(e, ERRK_STATE_INVALID, 0,
				"image %.12s is in use by %zu container%s (%.12s...): remove %s "
				"first, or use -f",
				id, strv_len(users), users[1] ? "s" : "", users[0],
				users[1] ? "them" : "it");
	for (size_t i = 0; users[i]; i++)
		if (engine_remove(en, users[i], ENGINE_RM_FORCE, e) < 0)
			return -1;
	cJSON_ArrayForEach (n, cJSON_GetObjectItemCaseSensitive(img, "names")) {
		char *line = xasprintf("Untagged: %s", n->valuestring);

		strv_push(out, line);
		free(line);
	}
	if (images_remove(im, img, e) < 0)
		return -1;
	{
		char *line = xasprintf("Deleted: %s", id);

		strv_push(out, line);
		free(line);
	}
	events_append_image(&en->st, "remove", id, NULL, NULL);
	return 0;
}

int engine_image_remove(struct engine *en, const char *ref, int force, char ***out, struct err *e)
{
	struct images im;
	cJSON *img;
	int r = -1;

	if (images_open(&im, &en->st, 1, e) < 0)
		return -1;
	img = images_find(&im, ref, e);
	/* a name of an image that has others: only that name goes (podman) */
	if (img && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(img, "names")) > 1) {
		_cleanup_free_ char *n = images_matched_name(img, ref);

		if (n) {
			char *line = xasprintf("Untagged: %s", n);

			r = images_untag(&im, img, n, e) < 0 ? -1 : images_save(&im, e);
			if (r == 0) {
				strv_push(out, line);
				events_append_image(&en->st, "untag", jstr(img, "id"), n, NULL);
			}
			free(line);
			images_close(&im);
			return r;
		}
	}
	if (img)
		r = remove_one(en, &im, img, force, out, e);
	images_close(&im);
	return r;
}

int engine_image_prune(struct engine *en, int all, char ***out, struct err *e)
{
	struct images im;
	cJSON *img, *next;
	int r = 0;

	if (images_open(&im, &en->st, 1, e) < 0)
		return -1;
	for (img = cJSON_GetArrayItem(images_all(&im), 0); img && r == 0; img = next) {
		_cleanup_free_ char *id = xstrdup(jstr(img, "id") ?: "");
		_cleanup_strv_ char **users = users_of(en, id, e);

		next = img->next;
		if (!users) {
			r = -1;
			break;
		}
		if (users[0] || (!all && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
						 img, "names")) > 0))
			continue;
		r = remove_one(en, &im, img, 0, out, e);
	}
	images_close(&im);
	return r;
}

/* ---- listing ---------------------------------------------------------- */

/* RFC 3339 to ns since the epoch; 0 if it is not one. */
static int64_t parse_time(const char *s)
{
	int64_t ns = 0;

	return s && *s && events_parse_time(s, &ns, NULL) == 0 ? ns : 0;
}

cJSON *engine_image_list(struct engine *en, int all, struct err *e)
{
	struct images im;
	cJSON *rows, *img;

	if (images_open(&im, &en->st, 0, e) < 0)
		return NULL;
	rows = cJSON_CreateArray();
	cJSON_ArrayForEach (img, images_all(&im)) {
		const cJSON *names = cJSON_GetObjectItemCaseSensitive(img, "names"), *n;
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(img, "size");
		int count = 0;

		cJSON_ArrayForEach (n, names) {
			cJSON *row = cJSON_CreateObject();
			const char *colon = strrchr(n->valuestring, ':');
			size_t rlen =
				colon ? (size_t)(colon - n->valuestring) : strlen(n->valuestring);
			char *repo = xasprintf("%.*s", (int)rlen, n->valuestring);

			cJSON_AddStringToObject(row, "id", jstr(img, "id"));
			cJSON_AddStringToObject(row, "repository", repo);
			cJSON_AddStringToObject(row, "tag", colon ? colon + 1 : "<none>");
			cJSON_AddNumberToObject(row, "created",
						(double)parse_time(jstr(img, "created")));
			cJSON_AddNumberToObject(row, "size",
						cJSON_IsNumber(size) ? size->valuedouble : 0);
			cJSON_AddItemToArray(rows, row);
			free(repo);
			count++;
		}
		if (count == 0) {
			cJSON *row = cJSON_CreateObject();
			const cJSON *d = cJSON_GetArrayItem(
				cJSON_GetObjectItemCaseSensitive(img, "digests"), 0);
			char *repo = cJSON_IsString(d)
					     ? xasprintf("%.*s", (int)strcspn(d->valuestring, "@"),
							 d->valuestring)
					     : xstrdup("<none>");

			cJSON_AddStringToObject(row, "id", jstr(img, "id"));
			cJSON_AddStringToObject(row, "repository", repo);
			free(repo);
			cJSON_AddStringToObject(row, "tag", "<none>");
			cJSON_AddNumberToObject(row, "created",
						(double)parse_time(jstr(img, "created")));
			cJSON_AddNumberToObject(row, "size",
						cJSON_IsNumber(size) ? size->valuedouble : 0);
			cJSON_AddItemToArray(rows, row);
		}
	}
	images_close(&im);
	(void)all;
	return rows;
}

struct image_refs {
	char ***ids;
};

/* ctr_ids_where's match, to read each container's image once */
static int collect_image(const cJSON *cfg, const void *arg)
{
	if (jstr(cfg, "image"))
		strv_push(((const struct image_refs *)arg)->ids, jstr(cfg, "image"));
	return 0;
}

/* the item of a whose string key is id */
static cJSON *by_id(cJSON *a, const char *key, const char *id)
{
	cJSON *x;

	cJSON_ArrayForEach (x, a)
		if (jstr(x, key) && !strcmp(jstr(x, key), id))
			return x;
	return NULL;
}

/* podman's parent: the image whose layers are this one's but its top */
static const char *parent_of(cJSON *imgs, const cJSON *img)
{
	const cJSON *ls = cJSON_GetObjectItemCaseSensitive(img, "layers"), *p;
	int n = cJSON_GetArraySize(ls);

	cJSON_ArrayForEach (p, imgs) {
		const cJSON *pl = cJSON_GetObjectItemCaseSensitive(p, "layers"), *a, *b;

		if (n < 2 || cJSON_GetArraySize(pl) != n - 1)
			continue;
		for (a = pl->child, b = ls->child; a && cJSON_IsString(a) && cJSON_IsString(b) &&
						   !strcmp(a->valuestring, b->valuestring);
		     a = a->next, b = b->next)
			;
		if (!a)
			return jstr(p, "id");
	}
	return "";
}

/* an array copy, or null when empty (podman's nil slice) */
static cJSON *names_or_null(const cJSON *a)
{
	return cJSON_GetArraySize(a) ? cJSON_Duplicate(a, 1) : cJSON_CreateNull();
}

cJSON *engine_image_summaries(struct engine *en, const cJSON *rows, struct err *e)
{
	_cleanup_strv_ char **used = xcalloc(1, sizeof(char *));
	_cleanup_strv_ char **none =
		ctr_ids_where(en, collect_image, &(struct image_refs){ &used }, e);
	struct images im;
	cJSON *out, *imgs;
	const cJSON *r;

	if (!none || images_open(&im, &en->st, 0, e) < 0)
		return NULL;
	out = cJSON_CreateArray();
	imgs = images_all(&im);
	cJSON_ArrayForEach (r, rows) {
		const char *id = jstr(r, "id");
		cJSON *img = by_id(imgs, "id", id), *o, *cfg, *labels;
		struct err ce = { 0 };
		size_t users = 0;
		char when[40];
		int64_t ns;

		if (!img || by_id(out, "Id", id)) /* its other names' rows */
			continue;
		ns = parse_time(jstr(img, "created"));
		for (size_t i = 0; used[i]; i++)
			users += !strcmp(used[i], id);
		cfg = images_config(&im, img, &ce);
		labels = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cfg, "config"), "Labels");
		time_format_ns(ns - ns % 1000000000, when, sizeof(when));
		strcpy(when + 19, "Z"); /* whole seconds, as podman */
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "Id", id);
		cJSON_AddStringToObject(o, "ParentId", parent_of(imgs, img));
		cJSON_AddItemToObject(
			o, "RepoTags",
			names_or_null(cJSON_GetObjectItemCaseSensitive(img, "names")));
		cJSON_AddItemToObject(
			o, "RepoDigests",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(img, "digests"), 1)
				?: cJSON_CreateArray());
		cJSON_AddNumberToObject(o, "Size", jint(img, "size", 0));
		cJSON_AddNumberToObject(o, "VirtualSize", jint(img, "size", 0));
		cJSON_AddItemToObject(o, "Labels",
				      cJSON_IsObject(labels) && labels->child
					      ? cJSON_Duplicate(labels, 1)
					      : cJSON_CreateNull());
		cJSON_AddNumberToObject(o, "Containers", (double)users);
		cJSON_AddItemToObject(
			o, "Names", names_or_null(cJSON_GetObjectItemCaseSensitive(img, "names")));
		cJSON_AddNumberToObject(o, "Created", (double)(ns / 1000000000));
		cJSON_AddStringToObject(o, "CreatedAt", when);
		cJSON_AddItemToArray(out, o);
		cJSON_Delete(cfg);
	}
	images_close(&im);
	return out;
}

cJSON *engine_image_inspect(struct engine *en, const char *ref, struct err *e)
{
	struct images im;
	cJSON *img, *cfg, *out = NULL, *rootfs, *layers;
	const cJSON *l;

	if (images_open(&im, &en->st, 0, e) < 0)
		return NULL;
	img = images_find(&im, ref, e);
	cfg = img ? images_config(&im, img, e) : NULL;
	if (cfg) {
		out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "Id", jstr(img, "id"));
		cJSON_AddItemToObject(
			out, "RepoTags",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(img, "names"), 1));
		cJSON_AddItemToObject(
			out, "RepoDigests",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(img, "digests"), 1)
				?: cJSON_CreateArray());
		cJSON_AddStringToObject(out, "Created", jstr(cfg, "created") ?: "");
		cJSON_AddStringToObject(out, "Architecture", jstr(cfg, "architecture") ?: "");
		cJSON_AddStringToObject(out, "Os", jstr(cfg, "os") ?: "");
		if (jstr(cfg, "author"))
			cJSON_AddStringToObject(out, "Author", jstr(cfg, "author"));
		cJSON_AddItemToObject(
			out, "Config",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cfg, "config"), 1)
				?: cJSON_CreateObject());
		rootfs = cJSON_AddObjectToObject(out, "RootFS");
		cJSON_AddStringToObject(rootfs, "Type", "layers");
		layers = cJSON_AddArrayToObject(rootfs, "Layers");
		cJSON_ArrayForEach (l, cJSON_GetObjectItemCaseSensitive(img, "layers"))
			cJSON_AddItemToArray(layers, cJSON_CreateString(l->valuestring));
		cJSON_AddNumberToObject(out, "Size",
					cJSON_GetObjectItemCaseSensitive(img, "size")->valuedouble);
		cJSON_AddItemToObject(
			out, "History",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cfg, "history"), 1)
				?: cJSON_CreateArray());
		cJSON_Delete(cfg);
	} else if (img) {
		err_wrap(e, "image %s", ref);
	}
	images_close(&im);
	return out;
}
