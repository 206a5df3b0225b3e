// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * store: the on-disk registry of containers (layout in store.h).
 *
 * Invariants and the hazards they answer:
 * - Every id and name is validated before it becomes part of a path, so a
 *   reference like "../../etc" can never name a file outside the store.
 * - A name is reserved by symlink(2) of names/<name> -> <id>: creating a
 *   symlink is atomic, so two concurrent `create --name web` cannot both win.
 *   The container directory is made *before* the link, so a link whose
 *   directory is missing is a leftover of a crash (or of a remove in
 *   progress) and may be reclaimed; reclaiming and the conditional unlink in
 *   remove run under flock of names/ so they cannot unlink a fresh link.
 * - Remove renames containers/<id> to containers/.removing-<id> first: the
 *   container vanishes atomically, and a concurrent store_lock cannot
 *   recreate its lock file in a half-deleted directory.  A waiter that
 *   already held the lock file open sees st_nlink == 0 and gets ENOENT.
 * - JSON files are replaced by rename(2) of <path>.tmp: a reader sees the
 *   old or the new file, never half of one; a full disk leaves the old file.
 * - A volatile (--rm) container has nothing under --root (but its overlay,
 *   if any): its record is <runroot>/volatile/<id>, its name
 *   <runroot>/names/<name>.  A name is one container's across both names/
 *   directories: each create links its own first, then looks at the other
 *   one, and gives its link back if a container holds the name there; of
 *   two racing creates at least one sees the other's link.
 */
#include "store/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#define REMOVING_PREFIX ".removing-"

/* Set e->kind (err.h) after err_set; returns -1. */
static int kind(struct err *e, int k)
{
	if (e)
		e->kind = k;
	return -1;
}

static int no_such(struct err *e, const char *ref)
{
	err_set(e, ENOENT, "no such container: %s", ref);
	return kind(e, ERRK_NO_SUCH);
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
	return strlen(s) == STORE_ID_LEN && is_hex(s, STORE_ID_LEN);
}

static int id_check(const char *id, struct err *e)
{
	if (id && is_id(id))
		return 0;
	err_set(e, EINVAL, "invalid container id \"%.80s\": want 64 hex characters", id ? id : "");
	return kind(e, ERRK_INVALID_ARG);
}

static int name_check(const char *what, const char *name, struct err *e)
{
	size_t n = strlen(name);
	const char *why = NULL;

	if (n == 0)
		why = "empty";
	else if (n > 128)
		why = "longer than 128 characters";
	for (size_t i = 0; i < n && !why; i++) {
		char c = name[i];
		int alnum =
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (i == 0 && !alnum)
			why = "must start with a letter or digit";
		else if (!alnum && c != '_' && c != '.' && c != '-')
			why = "only [a-zA-Z0-9_.-] allowed";
	}
	if (!why)
		return 0;
	err_set(e, EINVAL, "invalid %s \"%.130s\": %s", what, name, why);
	return kind(e, ERRK_INVALID_ARG);
}

int store_name_valid(const char *name, struct err *e)
{
	return name_check("name", name ? name : "", e);
}

/* ---- open, ids, paths ------------------------------------------------ */

static char *dir_setup(const char *path, struct err *e)
{
	char *abs;

	if (mkdir_p(path, 0700, e) < 0)
		return NULL;
	abs = realpath(path, NULL);
	if (!abs)
		err_sys(e, "resolve %s", path);
	return abs;
}

static int subdir(const char *base, const char *sub, mode_t mode, struct err *e)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", base, sub);

	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return err_sys(e, "mkdir %s", p);
	return 0;
}

static const char *pick(const char *arg, const char *env, const char *def)
{
	return arg && *arg ? arg : env_or(env, def);
}

/* An absolute path for what may not exist (yet): nothing is created. */
static char *abs_path(const char *path)
{
	char cwd[PATH_MAX];
	char *r = realpath(path, NULL);

	if (r)
		return r;
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

int store_open_ro(struct store *s, const char *root, const char *runroot)
{
	s->root = abs_path(pick(root, "NOOK_ROOT", "/var/lib/nook"));
	s->runroot = abs_path(pick(runroot, "NOOK_RUNROOT", "/run/nook"));
	return 0;
}

int store_open(struct store *s, const char *root, const char *runroot, struct err *e)
{
	s->root = dir_setup(pick(root, "NOOK_ROOT", "/var/lib/nook"), e);
	s->runroot = s->root ? dir_setup(pick(runroot, "NOOK_RUNROOT", "/run/nook"), e) : NULL;
	if (!s->runroot || subdir(s->root, "containers", 0700, e) < 0 ||
	    subdir(s->root, "names", 0700, e) < 0 ||
	    subdir(s->runroot, "containers", 0700, e) < 0 ||
	    subdir(s->runroot, "exits", 0755, e) < 0) {
		store_close(s);
		return err_wrap(e, "open store");
	}
	return 0;
}

void store_close(struct store *s)
{
	free(s->root);
	free(s->runroot);
	s->root = s->runroot = NULL;
}

static void random_bytes(unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < n) { /* kernels before 3.17 */
		_cleanup_close_ int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		while (fd >= 0 && got < n) {
			ssize_t r = read(fd, buf + got, n - got);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
	}
	if (got < n) { /* no entropy source at all (early boot, no /dev) */
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
		    (uint64_t)getpid() << 32;
		for (size_t i = got; i < n; i++) {
			x ^= x << 13; /* xorshift64 */
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (unsigned char)(x >> 24);
		}
	}
}

void store_new_id(char id[STORE_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[STORE_ID_LEN / 2];
	int digits;

	/* Like Docker's stringid: the 12-character short id becomes the default
	 * hostname, which must not be all digits. */
	do {
		random_bytes(buf, sizeof(buf));
		digits = 0;
		for (size_t i = 0; i < sizeof(buf); i++) {
			id[2 * i] = hex[buf[i] >> 4];
			id[2 * i + 1] = hex[buf[i] & 15];
		}
		for (int i = 0; i < 12; i++)
			digits += id[i] <= '9';
	} while (digits == 12);
	id[STORE_ID_LEN] = '\0';
}

/* A volatile container's record: <runroot>/volatile/<id> (see
 * store_create). */
static char *volatile_path(const struct store *s, const char *id)
{
	return xasprintf("%s/volatile/%s", s->runroot, id);
}

static int is_volatile(const struct store *s, const char *id)
{
	_cleanup_free_ char *p = is_id(id) ? volatile_path(s, id) : NULL;

	return p && faccessat(AT_FDCWD, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

char *store_path(const struct store *s, const char *id, const char *file)
{
	const char *base = s->root, *dir = "containers";

	if (is_volatile(s, id)) {
		base = s->runroot;
		dir = "volatile";
	}
	if (!file)
		return xasprintf("%s/%s/%s", base, dir, id);
	return xasprintf("%s/%s/%s/%s", base, dir, id, file);
}

char *store_run_path(const struct store *s, const char *id, const char *file)
{
	if (!file)
		return xasprintf("%s/containers/%s", s->runroot, id);
	return xasprintf("%s/containers/%s/%s", s->runroot, id, file);
}

char *store_exit_path(const struct store *s, const char *id)
{
	return xasprintf("%s/exits/%s", s->runroot, id);
}

char *store_exit_dir(const struct store *s)
{
	return xasprintf("%s/exits", s->runroot);
}

static int container_exists(const struct store *s, const char *id)
{
	_cleanup_free_ char *p = store_path(s, id, NULL);
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- lookup and list ------------------------------------------------- */

/* <base>/names/<name> -> id into out (base: the root, or the runroot for
 * volatile containers); 0 found, -1 no (valid) link. */
static int name_target(const char *base, const char *name, char out[STORE_ID_LEN + 1])
{
	_cleanup_free_ char *p = xasprintf("%s/names/%s", base, name);
	char buf[STORE_ID_LEN + 2];
	ssize_t n = readlink(p, buf, sizeof(buf));

	if (n != STORE_ID_LEN || !is_hex(buf, STORE_ID_LEN))
		return -1;
	memcpy(out, buf, STORE_ID_LEN);
	out[STORE_ID_LEN] = '\0';
	return 0;
}

/* The container that holds name in <base>/names: 0, its id in out. */
static int name_owner(const struct store *s, const char *base, const char *name,
		      char out[STORE_ID_LEN + 1])
{
	return name_target(base, name, out) == 0 && container_exists(s, out) ? 0 : -1;
}

/* The ids in dir that start with ref (n bytes): the first into match,
 * *count raised for each other one. */
static int prefix_scan(const char *dir, const char *ref, size_t n, char match[STORE_ID_LEN + 1],
		       unsigned *count, struct err *e)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : err_sys(e, "open %s", dir);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, ref, n) != 0 || !is_id(de->d_name))
			continue;
		/* an old store's link to the runroot's record is one container */
		if (*count && strcmp(match, de->d_name) == 0)
			continue;
		if ((*count)++ == 0)
			memcpy(match, de->d_name, STORE_ID_LEN + 1);
	}
	closedir(d);
	return 0;
}

int store_lookup(const struct store *s, const char *ref, char id[STORE_ID_LEN + 1], struct err *e)
{
	size_t n = ref ? strlen(ref) : 0;
	_cleanup_free_ char *dir = NULL, *vdir = NULL;
	char match[STORE_ID_LEN + 1];
	unsigned count = 0;

	if (n == 0)
		return no_such(e, "\"\"");
	/* podman's order: full id, then name, then unique prefix. */
	if (is_id(ref) && container_exists(s, ref)) {
		memcpy(id, ref, STORE_ID_LEN + 1);
		return 0;
	}
	if (store_name_valid(ref, NULL) == 0 && (name_owner(s, s->root, ref, match) == 0 ||
						 name_owner(s, s->runroot, ref, match) == 0)) {
		memcpy(id, match, STORE_ID_LEN + 1);
		return 0;
	}
	if (n > STORE_ID_LEN || !is_hex(ref, n))
		return no_such(e, ref);
	dir = xasprintf("%s/containers", s->root);
	vdir = xasprintf("%s/volatile", s->runroot);
	if (prefix_scan(dir, ref, n, match, &count, e) < 0 ||
	    prefix_scan(vdir, ref, n, match, &count, e) < 0)
		return -1;
	if (count == 0)
		return no_such(e, ref);
	if (count > 1) {
		err_set(e, EINVAL, "ambiguous id prefix \"%s\": %u containers match", ref, count);
		return kind(e, ERRK_INVALID_ARG);
	}
	memcpy(id, match, STORE_ID_LEN + 1);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids in dir onto *v (n of them, room for *cap); crashed removes
 * finished.  vol: the runroot's volatile records. */
static int list_dir(const struct store *s, const char *dir, int vol, char ***v, size_t *n,
		    size_t *cap, struct err *e)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : err_sys(e, "open %s", dir); /* none (yet) */
	/* Grown here, not with strv_push: that counts the vector on each
	 * push, quadratic in the number of containers. */
	while ((de = readdir(d))) {
		if (!vol && is_id(de->d_name) && de->d_type != DT_DIR &&
		    faccessat(dirfd(d), de->d_name, F_OK, 0) < 0 && errno == ENOENT) {
			/* an older nook's link to a volatile record that a
			 * reboot took: the link, its name, its overlay go */
			store_remove(s, de->d_name, NULL, NULL);
			continue;
		}
		if (is_id(de->d_name)) {
			if (*n == *cap) {
				*cap *= 2;
				*v = xrealloc(*v, (*cap + 1) * sizeof(char *));
			}
			(*v)[(*n)++] = xstrdup(de->d_name);
			(*v)[*n] = NULL;
		} else if (strncmp(de->d_name, REMOVING_PREFIX, strlen(REMOVING_PREFIX)) == 0) {
			store_rm_tree(dirfd(d), de->d_name, NULL); /* a crashed remove */
		}
	}
	closedir(d);
	return 0;
}

/* Overlays of volatile containers whose record a reboot took. */
static void volatile_overlays_prune(const struct store *s)
{
	_cleanup_free_ char *dir = xasprintf("%s/volatile-overlay", s->root);
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)))
		/* the record is made before its overlay, removed before it */
		if (is_id(de->d_name) && !is_volatile(s, de->d_name))
			store_rm_tree(dirfd(d), de->d_name, NULL);
	if (d)
		closedir(d);
}

char **store_list(const struct store *s, struct err *e)
{
	_cleanup_free_ char *dir = xasprintf("%s/containers", s->root);
	_cleanup_free_ char *vdir = xasprintf("%s/volatile", s->runroot);
	size_t n = 0, k = 0, cap = 64;
	char **v = xcalloc(cap + 1, sizeof(char *));

	if (list_dir(s, dir, 0, &v, &n, &cap, e) < 0 || list_dir(s, vdir, 1, &v, &n, &cap, e) < 0) {
		strv_free(v);
		return NULL;
	}
	volatile_overlays_prune(s);
	qsort(v, n, sizeof(char *), cmp_str);
	/* an older nook's link to a volatile record: one container */
	for (size_t i = 0; i < n; i++) {
		if (k && strcmp(v[k - 1], v[i]) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	v[k] = NULL;
	return v;
}

int store_containers_fd(const struct store *s)
{
	_cleanup_free_ char *dir = xasprintf("%s/containers", s->root);

	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

char *store_read_at(const struct store *s, int cfd, const char *id, const char *file, char *buf,
		    size_t size, size_t *len)
{
	char rel[STORE_ID_LEN + 64];
	_cleanup_free_ char *vol = NULL;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!is_id(id) || snprintf(rel, sizeof(rel), "%s/%s", id, file) >= (int)sizeof(rel)) {
		errno = EINVAL;
		return NULL;
	}
	fd = openat(cfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) { /* a volatile container's */
		vol = volatile_path(s, rel); /* <id>/<file> */
		fd = open(vol, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return NULL;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return NULL;
	if ((size_t)n < size - 1) {
		/* Short: the whole file.  These files are only ever replaced
		 * by rename, never written in place, so what one open sees
		 * does not grow. */
		buf[n] = '\0';
		*len = (size_t)n;
		return buf;
	}
	return vol ? file_read_at(AT_FDCWD, vol, len, NULL)
		   : file_read_at(cfd, rel, len, NULL); /* larger than buf */
}

/* ---- create and remove ----------------------------------------------- */

/* Remove a directory tree without following symlinks and without holding one
 * fd per level (an overlay upper dir can be nested deeper than RLIMIT_NOFILE):
 * descend into the first non-empty subdirectory, climb back with "..", retry.
 * Missing is fine. */
int store_rm_tree(int parentfd, const char *name, struct err *e)
{
	int cur = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	unsigned depth = 0;

	if (cur < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno != ENOTDIR && errno != ELOOP)
			return err_sys(e, "open %s", name);
		if (unlinkat(parentfd, name, 0) < 0 && errno != ENOENT)
			return err_sys(e, "remove %s", name);
		return 0;
	}
	for (;;) {
		int sub = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), down = -1;
		DIR *d = sub >= 0 ? fdopendir(sub) : NULL;
		struct dirent *de;

		if (!d) {
			err_sys(e, "read directory in %s", name);
			goto fail;
		}
		while (down < 0 && (de = readdir(d))) {
			const char *n = de->d_name;

			if (!strcmp(n, ".") || !strcmp(n, ".."))
				continue;
			if (unlinkat(cur, n, 0) == 0 || errno == ENOENT)
				continue;
			if (errno == EISDIR &&
			    (unlinkat(cur, n, AT_REMOVEDIR) == 0 || errno == ENOENT))
				continue;
			if (errno != ENOTEMPTY && errno != EEXIST) {
				err_sys(e, "remove %s in %s", n, name);
				closedir(d);
				goto fail;
			}
			down = openat(cur, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (down < 0) {
				err_sys(e, "open %s in %s", n, name);
				closedir(d);
				goto fail;
			}
		}
		closedir(d);
		if (down >= 0) {
			depth++;
		} else if (depth == 0) {
			break;
		} else { /* cur is empty now; the parent's rescan removes it */
			down = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (down < 0) {
				err_sys(e, "open .. in %s", name);
				goto fail;
			}
			depth--;
		}
		close(cur);
		cur = down;
	}
	close(cur);
	if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_sys(e, "remove %s", name);
	return 0;
fail:
	close(cur);
	return -1;
}

/* flock of names/: serialises reclaiming a stale name link with the
 * conditional unlink in remove.  Plain creates need no lock. */
static int names_lock(const struct store *s, struct err *e)
{
	_cleanup_free_ char *p = xasprintf("%s/names", s->root);

	return file_lock_open(p, O_RDONLY | O_DIRECTORY, 0, LOCK_EX, e);
}

static int in_use(const char *name, const char *owner, struct err *e)
{
	return err_set(e, EEXIST, "name \"%s\" is already in use by container %.12s", name, owner);
}

/* Unlink <base>/names/<name> if it points to id (checked again under the
 * lock: a reclaim may have just pointed it elsewhere). */
static void name_release_in(const struct store *s, const char *base, const char *id,
			    const char *name)
{
	_cleanup_free_ char *link = NULL;
	_cleanup_close_ int lock = -1;
	char owner[STORE_ID_LEN + 1];

	if (name_target(base, name, owner) < 0 || strcmp(owner, id) != 0)
		return;
	link = xasprintf("%s/names/%s", base, name);
	lock = names_lock(s, NULL);
	if (name_target(base, name, owner) == 0 && strcmp(owner, id) == 0)
		unlink(link);
}

static void name_release(const struct store *s, const char *id, const char *name)
{
	name_release_in(s, s->runroot, id, name);
	name_release_in(s, s->root, id, name);
}

/* name for id, in the runroot's names/ for a volatile container. */
static int name_reserve(const struct store *s, const char *id, const char *name, int vol,
			struct err *e)
{
	const char *base = vol ? s->runroot : s->root, *other = vol ? s->root : s->runroot;
	_cleanup_free_ char *link = xasprintf("%s/names/%s", base, name);
	_cleanup_close_ int lock = -1;
	char owner[STORE_ID_LEN + 1];
	int r = symlink(id, link);

	if (r < 0 && errno == ENOENT && vol) { /* the runroot's first name */
		_cleanup_free_ char *dir = xasprintf("%s/names", base);

		if (mkdir(dir, 0700) == 0 || errno == EEXIST)
			r = symlink(id, link);
	}
	if (r < 0 && errno != EEXIST)
		return err_sys(e, "reserve name %s", link);
	if (r < 0) {
		lock = names_lock(s, e);
		if (lock < 0)
			return -1;
		if (name_owner(s, base, name, owner) == 0)
			return in_use(name, owner, e);
		/* A leftover of a crash: its container directory is gone. */
		if (unlink(link) < 0 && errno != ENOENT)
			return err_sys(e, "remove stale name link %s", link);
		if (symlink(id, link) < 0)
			return err_sys(e, "reserve name %s", link);
		close(steal_fd(lock));
	}
	/* linked first, looked at the other place next: see the top */
	if (name_owner(s, other, name, owner) == 0) {
		name_release_in(s, base, id, name);
		return in_use(name, owner, e);
	}
	return 0;
}

/* A volatile container's record is <runroot>/volatile/<id>, its name
 * <runroot>/names/<name>; its overlay, if any, stays on disk in
 * <root>/volatile-overlay/<id>, reached by the symlink "overlay" in the
 * record.  Nothing of it survives a reboot but that overlay, which
 * store_list drops. */
static char *volatile_overlay_path(const struct store *s, const char *id)
{
	return xasprintf("%s/volatile-overlay/%s", s->root, id);
}

static int volatile_make(const struct store *s, const char *id, int overlay, struct err *e)
{
	_cleanup_free_ char *rec = volatile_path(s, id);
	_cleanup_free_ char *ov = overlay ? volatile_overlay_path(s, id) : NULL;
	_cleanup_free_ char *ovl = overlay ? xasprintf("%s/overlay", rec) : NULL;

	if (mkdir_p(rec, 0700, e) < 0)
		return -1;
	if (ov && mkdir_p(ov, 0700, e) < 0)
		goto undo;
	if (ov && symlink(ov, ovl) < 0) {
		err_sys(e, "link %s", ovl);
		goto undo;
	}
	return 0;
undo:
	store_rm_tree(AT_FDCWD, rec, NULL);
	if (ov)
		store_rm_tree(AT_FDCWD, ov, NULL);
	return -1;
}

/* The volatile parts of id, if any: the record moved aside first, as
 * store_remove does on disk. */
static void volatile_remove(const struct store *s, const char *id)
{
	_cleanup_free_ char *rec = volatile_path(s, id);
	_cleanup_free_ char *dead = xasprintf("%s/volatile/" REMOVING_PREFIX "%s", s->runroot, id);
	_cleanup_free_ char *ov = volatile_overlay_path(s, id);

	store_rm_tree(AT_FDCWD, rename(rec, dead) == 0 ? dead : rec, NULL);
	store_rm_tree(AT_FDCWD, ov, NULL);
}

int store_create(const struct store *s, const char *id, const char *name, const cJSON *config,
		 int durable, struct err *e)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *p = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int cfd = -1;

	int vol = durable == STORE_VOLATILE;

	if (id_check(id, e) < 0 || (name && store_name_valid(name, e) < 0))
		return -1;
	if (vol) {
		const cJSON *ov = cJSON_GetObjectItemCaseSensitive(config, "rootfsOverlay");

		dir = volatile_path(s, id);
		if (volatile_make(s, id, cJSON_IsTrue(ov), e) < 0)
			return -1;
		durable = 0;
	} else {
		dir = xasprintf("%s/containers/%s", s->root, id);
		if (mkdir(dir, 0700) < 0)
			return err_sys(e, "create container directory %s", dir);
	}
	cfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cfd < 0) {
		err_sys(e, "open %s", dir);
		goto undo_dir;
	}
	fd = openat(cfd, "lock", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_sys(e, "create %s/lock", dir);
		goto undo_dir;
	}
	if (name && name_reserve(s, id, name, vol, e) < 0)
		goto undo_dir;
	p = xasprintf("%s/config.json", dir);
	if (store_write_json(p, config, durable, e) < 0)
		goto undo_name;
	return 0;
undo_name:
	if (name)
		name_release(s, id, name);
undo_dir:
	close(steal_fd(cfd));
	if (vol) {
		volatile_remove(s, id);
		return -1;
	}
	*strrchr(dir, '/') = '\0'; /* <root>/containers */
	cfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cfd >= 0)
		store_rm_tree(cfd, id, NULL);
	return -1;
}

int store_remove(const struct store *s, const char *id, const char *name, struct err *e)
{
	_cleanup_free_ char *run = xasprintf("%s/containers", s->runroot);
	_cleanup_free_ char *exits = store_exit_dir(s);
	_cleanup_free_ char *root = xasprintf("%s/containers", s->root);
	_cleanup_close_ int fd = -1;
	char dead[sizeof(REMOVING_PREFIX) + STORE_ID_LEN];

	if (id_check(id, e) < 0)
		return -1;
	fd = open(run, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || store_rm_tree(fd, id, e) < 0)
		return fd < 0 ? err_sys(e, "open %s", run) : err_wrap(e, "remove %s", run);
	close(fd);
	fd = open(exits, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (unlinkat(fd, id, 0) < 0 && errno != ENOENT))
		return err_sys(e, "remove %s/%s", exits, id);
	close(fd);
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "open %s", root);
	snprintf(dead, sizeof(dead), REMOVING_PREFIX "%s", id);
	/* an older nook's link to a volatile record goes at once; a
	 * directory is moved aside first (a crash mid-way leaves no half
	 * container) */
	if (unlinkat(fd, id, 0) < 0 && errno != ENOENT) {
		if (renameat(fd, id, fd, dead) < 0 && errno != ENOENT)
			return err_sys(e, "rename %s/%s", root, id);
		if (store_rm_tree(fd, dead, e) < 0)
			return err_wrap(e, "remove %s", root);
	}
	volatile_remove(s, id);
	if (name && *name && store_name_valid(name, NULL) == 0) {
		name_release(s, id, name);
	} else if (!name) { /* find the link that points to id */
		const char *bases[] = { s->root, s->runroot };

		for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
			_cleanup_free_ char *names = xasprintf("%s/names", bases[i]);
			DIR *d = opendir(names);
			struct dirent *de;

			while (d && (de = readdir(d)))
				if (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN)
					name_release_in(s, bases[i], id, de->d_name);
			if (d)
				closedir(d);
		}
	}
	return 0;
}

/* ---- locks and JSON files -------------------------------------------- */

int store_lock(const struct store *s, const char *id, struct err *e)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (id_check(id, e) < 0)
		return -1;
	p = store_path(s, id, "lock");
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT)
		return no_such(e, id);
	if (fd < 0)
		return err_sys(e, "open %s", p);
	if (file_lock(fd, LOCK_EX, p, e) < 0)
		return -1;
	/* Removed while we waited: the lock file is no longer linked. */
	if (fstat(fd, &st) < 0 || st.st_nlink == 0) {
		err_set(e, ENOENT, "container %s was removed", id);
		return kind(e, ERRK_REMOVED);
	}
	return steal_fd(fd);
}

void store_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

cJSON *store_read_json(const char *path, struct err *e)
{
	size_t len = 0;
	_cleanup_free_ char *buf = file_read(path, &len, e);
	cJSON *j;

	if (!buf)
		return NULL;
	/* Trailing garbage or an embedded NUL means a torn file as much as a
	 * truncated one does. */
	j = strlen(buf) == len ? cJSON_ParseWithOpts(buf, NULL, 1) : NULL;
	if (!j)
		err_set(e, EINVAL, "%s: corrupt JSON file (%zu bytes)", path, len);
	return j;
}

int store_write_json(const char *path, const cJSON *j, int durable, struct err *e)
{
	_cleanup_free_ char *s = cJSON_PrintUnformatted(j);
	size_t n;

	if (!s)
		return err_set(e, ENOMEM, "serialise %s", path);
	n = strlen(s);
	s = xrealloc(s, n + 2);
	memcpy(s + n, "\n", 2);
	if (durable)
		return file_write_atomic(path, s, n + 1, 0600, e);
	return file_write_nosync(path, s, n + 1, 0600, e);
}

int store_boot_id(char out[40], struct err *e)
{
	static const char path[] = "/proc/sys/kernel/random/boot_id";
	size_t len = 0;
	_cleanup_free_ char *buf = file_read(path, &len, e);

	if (!buf)
		return -1;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (len != 36)
		return err_set(e, EINVAL, "%s: unexpected content \"%.40s\"", path, buf);
	memcpy(out, buf, len + 1);
	return 0;
}

/* ---- artifacts ------------------------------------------------------- */

static char *artifact_path(const struct store *s, const char *id, const char *name, struct err *e)
{
	size_t n = name ? strlen(name) : 0;

	if (id_check(id, e) < 0 || name_check("artifact name", name ? name : "", e) < 0)
		return NULL;
	if (n > 4 && !strcmp(name + n - 4, ".tmp")) { /* the atomic write's temp file */
		err_set(e, EINVAL, "invalid artifact name \"%s\": .tmp is reserved", name);
		kind(e, ERRK_INVALID_ARG);
		return NULL;
	}
	if (!container_exists(s, id)) {
		no_such(e, id);
		return NULL;
	}
	{
		_cleanup_free_ char *dir = store_path(s, id, "artifacts");

		return xasprintf("%s/%s", dir, name);
	}
}

int store_artifact_add(const struct store *s, const char *id, const char *name, const void *data,
		       size_t len, struct err *e)
{
	_cleanup_free_ char *p = artifact_path(s, id, name, e);
	_cleanup_free_ char *dir = NULL;

	if (!p)
		return -1;
	dir = store_path(s, id, "artifacts");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_sys(e, "mkdir %s", dir);
	return file_write_atomic(p, data, len, 0600, e);
}

char *store_artifact_get(const struct store *s, const char *id, const char *name, size_t *len,
			 struct err *e)
{
	_cleanup_free_ char *p = artifact_path(s, id, name, e);
	char *data;

	if (!p)
		return NULL;
	data = file_read(p, len, e);
	if (!data && e && e->errnum == ENOENT)
		err_set(e, ENOENT, "no artifact \"%s\" in container %.12s", name, id);
	return data;
}

int store_artifact_remove(const struct store *s, const char *id, const char *name, struct err *e)
{
	_cleanup_free_ char *p = artifact_path(s, id, name, e);

	if (!p)
		return -1;
	if (unlink(p) == 0)
		return 0;
	if (errno == ENOENT)
		return err_set(e, ENOENT, "no artifact \"%s\" in container %.12s", name, id);
	return err_sys(e, "remove %s", p);
}
