// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * volumes: see volumes.h.
 *
 * Order of writes, so that a crash at any point leaves either a whole
 * volume or none under a name: a create makes <name>/ and <name>/_data,
 * then writes volume.json (the volume exists from that rename on); a
 * remove renames <name>/ to .rm-<name>/ (the volume is gone from that
 * rename on), then removes the tree.  The next open with the lock removes
 * .rm-* leftovers.
 */
#include "store/volumes.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#define RM_PREFIX ".rm-"

static int kind(struct err *e, int k)
{
	if (e)
		e->kind = k;
	return -1;
}

static int no_such(struct err *e, const char *name)
{
	err_set(e, 0, "no such volume %s", name);
	return kind(e, ERRK_NO_SUCH);
}

int volume_name_valid(const char *name, struct err *e)
{
	if (name && store_name_valid(name, NULL) == 0)
		return 0;
	err_set(e, 0, "invalid volume name \"%.130s\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
		name ? name : "");
	return kind(e, ERRK_INVALID_ARG);
}

/* Remove the .rm-* trees that crashed removes left. */
static void collect(struct volumes *v)
{
	DIR *d = opendir(v->dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, RM_PREFIX, strlen(RM_PREFIX)) == 0)
			store_rm_tree(dirfd(d), de->d_name, NULL);
	closedir(d);
}

int volumes_open(struct volumes *v, const struct store *s, int lock, struct err *e)
{
	_cleanup_free_ char *lk = NULL;

	*v = (struct volumes){ .st = s, .lockfd = -1 };
	v->dir = xasprintf("%s/volumes", s->root);
	if (!lock)
		return 0;
	lk = xasprintf("%s/.lock", v->dir);
	if (mkdir_p(v->dir, 0700, e) < 0)
		goto fail;
	v->lockfd = file_lock_open(lk, O_RDWR | O_CREAT, 0600, LOCK_EX, e);
	if (v->lockfd < 0)
		goto fail;
	collect(v);
	return 0;
fail:
	volumes_close(v);
	return -1;
}

void volumes_close(struct volumes *v)
{
	if (v->lockfd >= 0)
		close(v->lockfd);
	free(v->dir);
	*v = (struct volumes){ .lockfd = -1 };
}

char *volumes_data_path(const struct store *s, const char *name)
{
	return xasprintf("%s/volumes/%s/_data", s->root, name);
}

static char *json_path(const struct volumes *v, const char *name)
{
	return xasprintf("%s/%s/volume.json", v->dir, name);
}

cJSON *volumes_get(struct volumes *v, const char *name, struct err *e)
{
	_cleanup_free_ char *p = NULL;
	cJSON *j;

	if (volume_name_valid(name, e) < 0)
		return NULL;
	p = json_path(v, name);
	j = store_read_json(p, e);
	if (!j && e && e->errnum == ENOENT)
		no_such(e, name);
	return j;
}

int volumes_save(struct volumes *v, const cJSON *vol, struct err *e)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(vol, "name");
	_cleanup_free_ char *p = NULL;

	if (!cJSON_IsString(n) || volume_name_valid(n->valuestring, e) < 0)
		return -1;
	p = json_path(v, n->valuestring);
	return store_write_json(p, vol, 1, e);
}

cJSON *volumes_create(struct volumes *v, const char *name, char *const *labels, int anonymous,
		      struct err *e)
{
	char id[STORE_ID_LEN + 1];
	_cleanup_free_ char *dir = NULL, *data = NULL, *jp = NULL;
	struct timespec ts;
	cJSON *vol, *lab;
	struct stat sb;

	if (!name) {
		store_new_id(id);
		name = id;
	}
	if (volume_name_valid(name, e) < 0)
		return NULL;
	dir = xasprintf("%s/%s", v->dir, name);
	data = volumes_data_path(v->st, name);
	jp = json_path(v, name);
	if (stat(jp, &sb) == 0) {
		err_set(e, 0, "volume %s already exists", name);
		kind(e, ERRK_INVALID_ARG);
		return NULL;
	}
	/* no volume.json: a crashed create, taken over */
	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(data, 0755) < 0 && errno != EEXIST)) {
		err_sys(e, "create volume %s", name);
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	vol = cJSON_CreateObject();
	cJSON_AddStringToObject(vol, "name", name);
	cJSON_AddStringToObject(vol, "driver", "local");
	cJSON_AddStringToObject(vol, "mountpoint", data);
	cJSON_AddNumberToObject(vol, "created", (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec);
	lab = cJSON_AddObjectToObject(vol, "labels");
	for (size_t i = 0; labels && labels[i]; i++) {
		const char *eq = strchr(labels[i], '=');
		_cleanup_free_ char *k = xasprintf("%.*s", (int)strcspn(labels[i], "="), labels[i]);

		cJSON_DeleteItemFromObjectCaseSensitive(lab, k);
		cJSON_AddStringToObject(lab, k, eq ? eq + 1 : "");
	}
	cJSON_AddBoolToObject(vol, "anonymous", anonymous);
	cJSON_AddTrueToObject(vol, "needsCopyUp");
	cJSON_AddTrueToObject(vol, "needsChown");
	if (volumes_save(v, vol, e) < 0) {
		_cleanup_close_ int dfd = open(v->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0)
			store_rm_tree(dfd, name, NULL);
		cJSON_Delete(vol);
		return NULL;
	}
	return vol;
}

int volumes_remove(struct volumes *v, const char *name, struct err *e)
{
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *gone = NULL;
	cJSON *vol = volumes_get(v, name, e);

	if (!vol)
		return -1;
	cJSON_Delete(vol);
	dfd = open(v->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, "open %s", v->dir);
	gone = xasprintf(RM_PREFIX "%s", name);
	store_rm_tree(dfd, gone, NULL);
	if (renameat(dfd, name, dfd, gone) < 0)
		return err_sys(e, "remove volume %s", name);
	if (store_rm_tree(dfd, gone, e) < 0)
		return err_wrap(e, "remove volume %s", name);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **volumes_names(struct volumes *v, struct err *e)
{
	char **out = xcalloc(1, sizeof(char *));
	DIR *d = opendir(v->dir);
	struct dirent *de;

	if (!d) {
		if (errno == ENOENT)
			return out;
		free(out);
		err_sys(e, "open %s", v->dir);
		return NULL;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *p = xasprintf("%s/volume.json", de->d_name);
		struct stat sb;

		if (store_name_valid(de->d_name, NULL) == 0 && fstatat(dirfd(d), p, &sb, 0) == 0)
			strv_push(&out, de->d_name);
	}
	closedir(d);
	qsort(out, strv_len(out), sizeof(char *), cmp_str);
	return out;
}
