// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * images: see images.h.  The index is small (an entry per image and per
 * layer) and rewritten whole under the lock; configs and layers are
 * written once and never changed, only removed.
 *
 * Order of writes, so that a crash at any point leaves a usable store: a
 * commit moves layers in and writes configs first, then the index; a
 * remove writes the index first, then removes configs and layers.  A layer
 * or config no index entry names is garbage that the next remove of
 * anything collects (images_gc).
 */
#include "store/images.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "oci/sys.h"
#include "store/digest.h"

#define SHORT_LEN 16 /* hex digits of a layer's short name */

static char *dupn(const char *s, size_t n)
{
	return xasprintf("%.*s", (int)n, s);
}

static const char *hex_of(const char *digest)
{
	return strncmp(digest, "sha256:", 7) == 0 ? digest + 7 : digest;
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int is_id(const char *s)
{
	return strlen(s) == 64 && is_hex(s, 64);
}

static cJSON *arr(cJSON *o, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsArray(a)) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		a = cJSON_AddArrayToObject(o, key);
	}
	return a;
}

static cJSON *obj(cJSON *o, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsObject(a)) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		a = cJSON_AddObjectToObject(o, key);
	}
	return a;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- open, save, close ------------------------------------------------ */

/* Remove tmp/<n> whose tmp/<n>.lock nobody holds (a crashed load). */
static void clean_tmp(struct images *im)
{
	_cleanup_free_ char *tmp = xasprintf("%s/tmp", im->dir);
	DIR *d = opendir(tmp);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		_cleanup_free_ char *dir = NULL;
		int fd;

		if (n < 6 || strcmp(de->d_name + n - 5, ".lock") != 0)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			dir = dupn(de->d_name, n - 5);
			store_rm_tree(dirfd(d), dir, NULL);
			unlinkat(dirfd(d), de->d_name, 0);
		}
		close(fd);
	}
	closedir(d);
}

int images_open(struct images *im, const struct store *s, int lock, struct err *e)
{
	_cleanup_free_ char *path = NULL;

	*im = (struct images){ .st = s, .lockfd = -1 };
	im->dir = xasprintf("%s/images", s->root);
	if (lock) {
		static const char *const sub[] = { "configs", "layers", "l", "split", "tmp" };
		_cleanup_free_ char *lk = xasprintf("%s/lock", im->dir);

		for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
			_cleanup_free_ char *p = xasprintf("%s/%s", im->dir, sub[i]);

			if (mkdir_p(p, 0700, e) < 0)
				goto fail;
		}
		im->lockfd = file_lock_open(lk, O_RDWR | O_CREAT, 0600, LOCK_EX, e);
		if (im->lockfd < 0)
			goto fail;
		clean_tmp(im);
	}
	path = xasprintf("%s/images.json", im->dir);
	im->index = store_read_json(path, e);
	if (!im->index) {
		if (e && e->errnum != ENOENT)
			goto fail;
		im->index = cJSON_CreateObject();
	}
	if (!cJSON_IsObject(im->index)) {
		err_set(e, EINVAL, "%s: not a JSON object", path);
		goto fail;
	}
	arr(im->index, "images");
	obj(im->index, "layers");
	return 0;
fail:
	images_close(im);
	return -1;
}

void images_close(struct images *im)
{
	if (im->lockfd >= 0)
		close(im->lockfd);
	cJSON_Delete(im->index);
	free(im->dir);
	*im = (struct images){ .lockfd = -1 };
}

int images_save(struct images *im, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/images.json", im->dir);

	return store_write_json(path, im->index, 1, e);
}

cJSON *images_all(struct images *im)
{
	return cJSON_GetObjectItemCaseSensitive(im->index, "images");
}

/* ---- names ------------------------------------------------------------ */

/* [a-z0-9]+ separated by '.', '_', '__', '-'+ (distribution's grammar,
 * loosely: what matters is that nothing odd reaches a path or a line). */
static int path_comp_ok(const char *s, size_t n)
{
	if (n == 0 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return s[0] != '.' && s[0] != '-' && s[0] != '_';
}

static int tag_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* host[:port]: letters, digits, '.', '-', then digits after a ':' */
static int domain_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t h = colon ? (size_t)(colon - s) : n;

	if (h == 0)
		return 0;
	for (size_t i = 0; i < h; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-'))
			return 0;
	}
	if (colon && (h + 1 == n || strspn(colon + 1, "0123456789") != n - h - 1))
		return 0;
	return 1;
}

char *images_normalize(const char *ref, const char *dflt_domain, struct err *e)
{
	const char *slash = strchr(ref, '/'), *path = ref, *colon;
	_cleanup_free_ char *domain = NULL, *repo = NULL;
	const char *tag = "latest";

	if (strchr(ref, '@')) {
		err_set(e, EINVAL, "%s: references by digest are not supported", ref);
		return NULL;
	}
	if (slash &&
	    (memchr(ref, '.', (size_t)(slash - ref)) || memchr(ref, ':', (size_t)(slash - ref)) ||
	     (slash - ref == 9 && !strncmp(ref, "localhost", 9)))) {
		if (!domain_ok(ref, (size_t)(slash - ref)))
			goto bad;
		domain = dupn(ref, (size_t)(slash - ref));
		path = slash + 1;
	}
	colon = strrchr(path, ':');
	if (colon && !strchr(colon, '/')) {
		tag = colon + 1;
		repo = dupn(path, (size_t)(colon - path));
	} else {
		repo = xstrdup(path);
	}
	if (!tag_ok(tag) || strlen(ref) > 255)
		goto bad;
	for (const char *p = repo;;) {
		size_t n = strcspn(p, "/");

		if (!path_comp_ok(p, n))
			goto bad;
		if (!p[n])
			break;
		p += n + 1;
	}
	if (!domain)
		domain = xstrdup(dflt_domain);
	if (!strcmp(domain, "docker.io") && !strchr(repo, '/'))
		return xasprintf("%s/library/%s:%s", domain, repo, tag);
	return xasprintf("%s/%s:%s", domain, repo, tag);
bad:
	err_setk(e, ERRK_INVALID_ARG, EINVAL, "invalid image name \"%s\"", ref);
	return NULL;
}

char *images_normalize_digest(const char *ref, const char *dflt_domain, struct err *e)
{
	const char *at = strchr(ref, '@');
	_cleanup_free_ char *base = at ? dupn(ref, (size_t)(at - ref)) : NULL, *n = NULL;

	if (!at || !digest_valid(at + 1)) {
		err_setk(e, ERRK_INVALID_ARG, EINVAL, "invalid image name \"%s\"", ref);
		return NULL;
	}
	n = images_normalize(base, dflt_domain, e);
	if (!n)
		return NULL;
	*strrchr(n, ':') = '\0'; /* the tag: the digest says more */
	return xasprintf("%s%s", n, at);
}

void images_add_digest(struct images *im, cJSON *img, const char *name)
{
	cJSON *other, *v;

	cJSON_ArrayForEach (other, images_all(im)) {
		cJSON *a = cJSON_GetObjectItemCaseSensitive(other, "digests");
		int i = 0;

		cJSON_ArrayForEach (v, a) {
			if (cJSON_IsString(v) && !strcmp(v->valuestring, name)) {
				cJSON_DeleteItemFromArray(a, i);
				break;
			}
			i++;
		}
	}
	cJSON_AddItemToArray(arr(img, "digests"), cJSON_CreateString(name));
}

/* Whether the stored full name matches short ("busybox:latest",
 * "library/busybox:latest"): equal, or ending in "/" + short. */
static int short_match(const char *name, const char *shortn)
{
	size_t n = strlen(name), k = strlen(shortn);

	return n == k ? !strcmp(name, shortn)
		      : n > k && name[n - k - 1] == '/' && !strcmp(name + n - k, shortn);
}

static int has_name(const cJSON *img, const char *name)
{
	const cJSON *v;

	cJSON_ArrayForEach (v, cJSON_GetObjectItemCaseSensitive(img, "names"))
		if (cJSON_IsString(v) && !strcmp(v->valuestring, name))
			return 1;
	return 0;
}

static cJSON *no_such(const char *ref, struct err *e)
{
	err_setk(e, ERRK_NO_SUCH, ENOENT, "no such image: %s", ref);
	return NULL;
}

cJSON *images_find(struct images *im, const char *ref, struct err *e)
{
	const char *hex = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	size_t n = strlen(hex);
	cJSON *img, *found = NULL;
	unsigned count = 0;
	_cleanup_free_ char *full = NULL, *shortn = NULL;

	if (!*ref)
		return no_such("\"\"", e);
	if (strchr(ref, '@')) {
		for (int i = 0; i < 2; i++) {
			_cleanup_free_ char *d =
				images_normalize_digest(ref, i ? "docker.io" : "localhost", e);
			const cJSON *v;

			if (!d)
				return NULL;
			cJSON_ArrayForEach (img, images_all(im))
				cJSON_ArrayForEach (
					v, cJSON_GetObjectItemCaseSensitive(img, "digests"))
					if (cJSON_IsString(v) && !strcmp(v->valuestring, d))
						return img;
		}
		return no_such(ref, e);
	}
	/* an id or a unique prefix of one */
	if (n >= 3 && n <= 64 && is_hex(hex, n)) {
		cJSON_ArrayForEach (img, images_all(im)) {
			const char *id = str_of(img, "id");

			if (id && !strncmp(id, hex, n) && (count++ == 0))
				found = img;
		}
		if (count == 1)
			return found;
		if (count > 1) {
			err_setk(e, ERRK_INVALID_ARG, EINVAL,
				 "ambiguous image id prefix \"%s\": %u images match", ref, count);
			return NULL;
		}
	}
	/* a full name, then podman's order for a short one: localhost/,
	 * then docker.io */
	for (int i = 0; i < 2; i++) {
		free(full);
		full = images_normalize(ref, i ? "docker.io" : "localhost", NULL);
		if (!full)
			return no_such(ref, e);
		cJSON_ArrayForEach (img, images_all(im))
			if (has_name(img, full))
				return img;
	}
	/* a short name: what the user typed, with ":latest" if untagged */
	{
		const char *slash = strrchr(ref, '/');

		shortn = strchr(slash ? slash : ref, ':') ? xstrdup(ref)
							  : xasprintf("%s:latest", ref);
	}
	count = 0;
	cJSON_ArrayForEach (img, images_all(im)) {
		const cJSON *v;

		cJSON_ArrayForEach (v, cJSON_GetObjectItemCaseSensitive(img, "names"))
			if (cJSON_IsString(v) && short_match(v->valuestring, shortn)) {
				if (found != img)
					count++;
				found = img;
				break;
			}
	}
	if (count == 1)
		return found;
	if (count > 1) {
		err_setk(e, ERRK_INVALID_ARG, EINVAL,
			 "short name \"%s\" matches %u images: give the full name", ref, count);
		return NULL;
	}
	return no_such(ref, e);
}

char *images_matched_name(const cJSON *img, const char *ref)
{
	_cleanup_free_ char *full = images_normalize(ref, "docker.io", NULL);
	const char *slash = strrchr(ref, '/');
	_cleanup_free_ char *shortn =
		strchr(slash ? slash : ref, ':') ? xstrdup(ref) : xasprintf("%s:latest", ref);
	const cJSON *v;

	if (full && has_name(img, full))
		return steal_ptr(full);
	cJSON_ArrayForEach (v, cJSON_GetObjectItemCaseSensitive(img, "names"))
		if (cJSON_IsString(v) && short_match(v->valuestring, shortn))
			return xstrdup(v->valuestring);
	return NULL;
}

static void drop_name(cJSON *img, const char *name)
{
	cJSON *names = cJSON_GetObjectItemCaseSensitive(img, "names"), *v;
	int i = 0;

	cJSON_ArrayForEach (v, names) {
		if (cJSON_IsString(v) && !strcmp(v->valuestring, name)) {
			cJSON_DeleteItemFromArray(names, i);
			return;
		}
		i++;
	}
}

void images_tag(struct images *im, cJSON *img, const char *name)
{
	cJSON *other;

	cJSON_ArrayForEach (other, images_all(im))
		if (other != img)
			drop_name(other, name);
	if (!has_name(img, name))
		cJSON_AddItemToArray(arr(img, "names"), cJSON_CreateString(name));
}

int images_untag(struct images *im, cJSON *img, const char *name, struct err *e)
{
	if (!has_name(img, name))
		return err_setk(e, ERRK_INVALID_ARG, ENOENT, "image %.12s has no name %s",
				str_of(img, "id") ?: "?", name);
	drop_name(img, name);
	return 0;
}

/* ---- layers ----------------------------------------------------------- */

char *images_link_dir(const struct store *s)
{
	return xasprintf("%s/images/l", s->root);
}

char *images_split_path(const struct images *im, const char *diff_id)
{
	return xasprintf("%s/split/%s", im->dir, hex_of(diff_id));
}

char *images_layer_path(const struct images *im, const char *diff_id)
{
	return xasprintf("%s/layers/%s", im->dir, hex_of(diff_id));
}

int images_has_layer(struct images *im, const char *diff_id)
{
	return cJSON_GetObjectItemCaseSensitive(
		       cJSON_GetObjectItemCaseSensitive(im->index, "layers"), hex_of(diff_id)) !=
	       NULL;
}

char *images_lowerdir(struct images *im, const cJSON *img)
{
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(img, "layers");
	int n = cJSON_GetArraySize(layers);
	char *out = xcalloc(1, (size_t)n * (SHORT_LEN + 1) + 1);
	size_t len = 0;

	for (int i = n - 1; i >= 0; i--) {
		const cJSON *l = cJSON_GetArrayItem(layers, i);
		size_t k = 0;

		if (!cJSON_IsString(l) || strlen(hex_of(l->valuestring)) != 64)
			continue;
		/* a layer twice (two equal commits, a COPY done again): its
		 * topmost copy alone, as overlay takes a directory once; the
		 * lower one adds nothing the upper one does not */
		while (k < len && memcmp(out + k, hex_of(l->valuestring), SHORT_LEN))
			k += SHORT_LEN + 1;
		if (k < len)
			continue;
		if (len)
			out[len++] = ':';
		memcpy(out + len, hex_of(l->valuestring), SHORT_LEN);
		len += SHORT_LEN;
	}
	out[len] = '\0';
	return out;
}

/* Remove layers (and their links) and configs that no image names. */
/* The squashfs files no image names, and copies a crash left (.tmp-*). */
static void squashfs_gc(struct images *im)
{
	_cleanup_free_ char *dir = xasprintf("%s/squashfs", im->dir);
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(dup(fd)) : NULL;
	struct dirent *de;
	cJSON *img;

	while (d && (de = readdir(d))) {
		int used = 0;
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' && strncmp(de->d_name, ".tmp-", 5))
			continue;
		if (n == 69 && !strcmp(de->d_name + 64, ".sqfs")) {
			cJSON_ArrayForEach (img, images_all(im)) {
				const char *hex = str_of(img, "squashfs");

				used |= hex && !strncmp(hex, de->d_name, 64);
			}
		}
		if (!used)
			unlinkat(fd, de->d_name, 0);
	}
	if (d)
		closedir(d);
}

static void images_gc(struct images *im)
{
	cJSON *layers = obj(im->index, "layers"), *l, *img;
	_cleanup_free_ char *ldir = xasprintf("%s/layers", im->dir);
	_cleanup_free_ char *sdir = xasprintf("%s/l", im->dir);
	_cleanup_free_ char *cdir = xasprintf("%s/configs", im->dir);
	_cleanup_close_ int lfd = open(ldir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int sfd = open(sdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int cfd = open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (lfd < 0 || sfd < 0 || cfd < 0)
		return;
	squashfs_gc(im);
	d = fdopendir(dup(lfd));
	while (d && (de = readdir(d))) {
		int used = 0;

		if (!is_id(de->d_name))
			continue;
		cJSON_ArrayForEach (img, images_all(im)) {
			cJSON_ArrayForEach (l, cJSON_GetObjectItemCaseSensitive(img, "layers"))
				if (cJSON_IsString(l) &&
				    !strcmp(hex_of(l->valuestring), de->d_name))
					used = 1;
		}
		if (used)
			continue;
		{
			char shortn[SHORT_LEN + 1];

			memcpy(shortn, de->d_name, SHORT_LEN);
			shortn[SHORT_LEN] = '\0';
			unlinkat(sfd, shortn, 0);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(layers, de->d_name);
		{
			_cleanup_free_ char *sp = xasprintf("%s/split/%s", im->dir, de->d_name);

			unlink(sp);
		}
		store_rm_tree(lfd, de->d_name, NULL);
	}
	if (d)
		closedir(d);
	d = fdopendir(dup(cfd));
	while (d && (de = readdir(d))) {
		int used = 0;

		if (!is_id(de->d_name))
			continue;
		cJSON_ArrayForEach (img, images_all(im))
			if (str_of(img, "id") && !strcmp(str_of(img, "id"), de->d_name))
				used = 1;
		if (!used)
			unlinkat(cfd, de->d_name, 0);
	}
	if (d)
		closedir(d);
}

int images_remove(struct images *im, cJSON *img, struct err *e)
{
	cJSON_DetachItemViaPointer(images_all(im), img);
	cJSON_Delete(img);
	if (images_save(im, e) < 0)
		return -1;
	images_gc(im);
	return images_save(im, e);
}

/* ---- staging and commit ------------------------------------------------- */

int images_stage_begin(const struct store *s, struct image_stage *st, struct err *e)
{
	_cleanup_free_ char *tmp = xasprintf("%s/images/tmp", s->root);
	char id[STORE_ID_LEN + 1];
	_cleanup_free_ char *lk = NULL;

	*st = (struct image_stage){ .fd = -1, .lockfd = -1 };
	if (mkdir_p(tmp, 0700, e) < 0)
		return -1;
	store_new_id(id);
	id[16] = '\0';
	st->path = xasprintf("%s/%s", tmp, id);
	lk = xasprintf("%s.lock", st->path);
	st->lockfd = open(lk, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (st->lockfd < 0 || flock(st->lockfd, LOCK_EX) < 0) {
		err_sys(e, "create %s", lk);
		images_stage_end(st);
		return -1;
	}
	if (mkdir(st->path, 0700) < 0 ||
	    (st->fd = open(st->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err_sys(e, "create %s", st->path);
		images_stage_end(st);
		return -1;
	}
	return 0;
}

void images_stage_end(struct image_stage *st)
{
	if (st->path) {
		_cleanup_free_ char *lk = xasprintf("%s.lock", st->path);
		char *slash = strrchr(st->path, '/');
		_cleanup_free_ char *parent = dupn(st->path, (size_t)(slash - st->path));
		_cleanup_close_ int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (pfd >= 0)
			store_rm_tree(pfd, slash + 1, NULL);
		if (st->lockfd >= 0)
			unlink(lk);
	}
	if (st->fd >= 0)
		close(st->fd);
	if (st->lockfd >= 0)
		close(st->lockfd);
	free(st->path);
	*st = (struct image_stage){ .fd = -1, .lockfd = -1 };
}

/* A new index entry (no names, no layers yet) for the image id whose
 * config is config: its created time from the config, loaded now. */
static cJSON *entry_new(struct images *im, const char *id, const char *config, size_t len,
			uint64_t size)
{
	cJSON *img = cJSON_CreateObject(), *cfg = cJSON_ParseWithLength(config, len);
	char when[40];

	cJSON_AddStringToObject(img, "id", id);
	cJSON_AddArrayToObject(img, "names");
	cJSON_AddArrayToObject(img, "layers");
	cJSON_AddNumberToObject(img, "size", (double)size);
	cJSON_AddStringToObject(img, "created", str_of(cfg, "created") ?: "");
	cJSON_Delete(cfg);
	time_format_ns(sys_wall_ns(), when, sizeof(when));
	cJSON_AddStringToObject(img, "loaded", when);
	cJSON_AddItemToArray(images_all(im), img);
	return img;
}

cJSON *images_commit(struct images *im, struct image_stage *stage, const char *config,
		     size_t config_len, char **diff_ids, char **names, const uint64_t *sizes,
		     char **tags, struct err *e)
{
	_cleanup_free_ char *ldir = xasprintf("%s/layers", im->dir);
	_cleanup_free_ char *sdir = xasprintf("%s/l", im->dir);
	_cleanup_free_ char *cpath = NULL;
	_cleanup_close_ int lfd = open(ldir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int sfd = open(sdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cJSON *layers = obj(im->index, "layers"), *img = NULL, *v;
	char id[72];
	uint64_t total = 0;

	if (lfd < 0 || sfd < 0) {
		err_sys(e, "open %s", lfd < 0 ? ldir : sdir);
		return NULL;
	}
	sha256_digest_of(config, config_len, id);
	/* layers first: each moved in once, with its short name */
	for (size_t i = 0; diff_ids[i]; i++) {
		const char *hex = hex_of(diff_ids[i]);
		char shortn[SHORT_LEN + 1], target[80];

		if (!images_has_layer(im, diff_ids[i])) {
			if (!names[i]) {
				err_set(e, ENOENT, "layer %s is neither in the store nor loaded",
					diff_ids[i]);
				return NULL;
			}
			/* a leftover of a crash, not in the index: replace it */
			store_rm_tree(lfd, hex, NULL);
			if (renameat(stage->fd, names[i], lfd, hex) < 0) {
				err_sys(e, "move layer %s into %s", diff_ids[i], ldir);
				return NULL;
			}
			{
				_cleanup_free_ char *from = xasprintf("%s.split", names[i]);
				_cleanup_free_ char *to = xasprintf("%s/split/%s", im->dir, hex);
				_cleanup_free_ char *sp = xasprintf("%s/%s", stage->path, from);

				/* a layer without one cannot be saved, but runs */
				if (rename(sp, to) < 0 && errno != ENOENT) {
					err_sys(e, "move %s to %s", sp, to);
					return NULL;
				}
			}
			memcpy(shortn, hex, SHORT_LEN);
			shortn[SHORT_LEN] = '\0';
			snprintf(target, sizeof(target), "../layers/%s", hex);
			unlinkat(sfd, shortn, 0);
			if (symlinkat(target, sfd, shortn) < 0) {
				err_sys(e, "link %s/%s", sdir, shortn);
				return NULL;
			}
			cJSON_AddItemToObject(layers, hex, cJSON_CreateObject());
			cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(layers, hex),
						"size", (double)sizes[i]);
		}
		v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(layers, hex),
						     "size");
		total += cJSON_IsNumber(v) ? (uint64_t)v->valuedouble : 0;
	}
	cpath = xasprintf("%s/configs/%s", im->dir, id + 7);
	if (file_write_atomic(cpath, config, config_len, 0600, e) < 0)
		return NULL;
	cJSON_ArrayForEach (v, images_all(im))
		if (str_of(v, "id") && !strcmp(str_of(v, "id"), id + 7))
			img = v;
	if (!img) {
		cJSON *l;

		img = entry_new(im, id + 7, config, config_len, total);
		l = cJSON_GetObjectItemCaseSensitive(img, "layers");
		for (size_t i = 0; diff_ids[i]; i++)
			cJSON_AddItemToArray(l, cJSON_CreateString(diff_ids[i]));
	}
	for (size_t i = 0; tags && tags[i]; i++)
		images_tag(im, img, tags[i]);
	if (images_save(im, e) < 0)
		return NULL;
	return img;
}

cJSON *images_config(struct images *im, const cJSON *img, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/configs/%s", im->dir, str_of(img, "id") ?: "");

	return store_read_json(path, e);
}

/* ---- squashfs images ---------------------------------------------------- */

char *images_squashfs_path(const struct images *im, const cJSON *img)
{
	const char *hex = str_of(img, "squashfs");

	return hex && is_id(hex) ? xasprintf("%s/squashfs/%s.sqfs", im->dir, hex) : NULL;
}

int images_squashfs_store(struct images *im, int fd, char hex[65], uint64_t *size, struct err *e)
{
	_cleanup_free_ char *dir = xasprintf("%s/squashfs", im->dir);
	_cleanup_free_ char *tmp = xasprintf("%s/.tmp-%d", dir, (int)getpid());
	_cleanup_free_ char *final = NULL;
	_cleanup_close_ int out = -1;
	char buf[65536], digest[72];
	unsigned char d[32];
	struct sha256 h;
	ssize_t n;

	if (mkdir_p(dir, 0700, e) < 0)
		return -1;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return err_sys(e, "create %s", tmp);
	sha256_init(&h);
	*size = 0;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_all(out, buf, (size_t)n) < 0) {
			err_sys(e, n < 0 ? "read the squashfs file" : "write %s", tmp);
			unlink(tmp);
			return -1;
		}
		sha256_update(&h, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	if (fsync(out) < 0) {
		err_sys(e, "write %s", tmp);
		unlink(tmp);
		return -1;
	}
	sha256_final(&h, d);
	sha256_digest_str(d, digest);
	memcpy(hex, digest + 7, 65);
	final = xasprintf("%s/%s.sqfs", dir, hex);
	if (rename(tmp, final) < 0) {
		err_sys(e, "rename %s to %s", tmp, final);
		unlink(tmp);
		return -1;
	}
	return 0;
}

cJSON *images_commit_squashfs(struct images *im, const char *hex, uint64_t size, const char *config,
			      char **tags, struct err *e)
{
	_cleanup_free_ char *cpath = NULL;
	char id[72];
	cJSON *img;

	sha256_digest_of(config, strlen(config), id);
	cpath = xasprintf("%s/configs/%s", im->dir, id + 7);
	if (file_write_atomic(cpath, config, strlen(config), 0600, e) < 0) {
		squashfs_gc(im); /* the file, which no entry names */
		return NULL;
	}
	img = entry_new(im, id + 7, config, strlen(config), size);
	cJSON_AddStringToObject(img, "squashfs", hex);
	for (size_t i = 0; tags && tags[i]; i++)
		images_tag(im, img, tags[i]);
	if (images_save(im, e) < 0) {
		/* (a name taken from another image stays taken in memory
		 * only: the index on disk is the old one) */
		cJSON_Delete(cJSON_DetachItemViaPointer(images_all(im), img));
		unlink(cpath);
		squashfs_gc(im);
		return NULL;
	}
	return img;
}
