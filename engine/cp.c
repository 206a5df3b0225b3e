// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cp: files between the host and a container, with podman's rules for
 * what the paths name (podman-cp(1)):
 *
 *   a file to     a missing path: that file (its directory must exist;
 *                 a trailing "/" says it must be a directory: an error)
 *                 a file: overwritten;  a directory: into it, same name
 *   a directory   a missing path: made, with the directory's contents
 *   to            a file: an error;  a directory: into it, same name;
 *                 "DIR/." into a directory: its contents
 *   "-"           a tar archive (gzip'd too) on stdin into a directory;
 *                 out: the source as a tar archive on stdout
 *
 * Symlinks on the way and at the end of either path are followed (the
 * source's target is copied, a destination symlink's target is written),
 * but a container's never lead out of it: its paths are resolved in its
 * root (RESOLVE_IN_ROOT, or oci's walk that does the same), an absolute
 * target from that root, ".." no higher than it.  The copy itself is a tar
 * stream from a child (store/tar: tar_copy), so nothing in the tree is
 * followed and nothing lands outside the destination directory.  What
 * goes into a container belongs to its user (podman's --archive, the
 * default), or keeps its owners with --archive=false; what comes out
 * belongs to us.
 */
#include "engine/ctr.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "oci/linux.h"
#include "store/inflate.h"
#include "store/tar.h"

#define MAX_FOLLOW 40

/* A directory inside root (root < 0: on the host), O_PATH. */
static int open_dir(int root, const char *path, struct err *e)
{
	int fd;

	if (root >= 0)
		return oci_open_in_root(root, *path ? path : ".", O_PATH | O_DIRECTORY, 0, e);
	fd = open(*path ? path : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? err_sys(e, "open %s", path) : fd;
}

/* Where path leads: the directory that holds its last component (an
 * O_PATH fd) and that component in *name, every symlink on the way and at
 * the end followed, inside root when root >= 0.  *name NULL: path names a
 * directory itself ("/", "a/.", "a/..").  The last component need not
 * exist; a directory on the way must (ENOENT). */
static int resolve(int root, const char *path, char **name, struct err *e)
{
	_cleanup_free_ char *p = xstrdup(path);

	*name = NULL;
	for (int follows = 0; follows <= MAX_FOLLOW; follows++) {
		size_t n = strlen(p);
		char *slash, *base, *next, target[PATH_MAX];
		const char *dir;
		struct stat st;
		ssize_t len;
		int fd;

		while (n > 1 && p[n - 1] == '/')
			p[--n] = '\0';
		slash = strrchr(p, '/');
		base = slash ? slash + 1 : p;
		if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
			return open_dir(root, p, e);
		if (slash == p) {
			dir = "/";
		} else if (slash) {
			*slash = '\0';
			dir = p;
		} else {
			dir = "";
		}
		fd = open_dir(root, dir, e);
		if (fd < 0)
			return -1;
		if (fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode)) {
			*name = xstrdup(base);
			return fd;
		}
		len = readlinkat(fd, base, target, sizeof(target) - 1);
		close(fd);
		if (len < 0)
			return err_sys(e, "readlink %s", path);
		target[len] = '\0';
		next = target[0] == '/' || !*dir ? xstrdup(target)
						 : xasprintf("%s/%s", dir, target);
		free(p);
		p = next;
	}
	return err_set(e, ELOOP, "resolve %s", path);
}

/* stat of dirfd/name (name NULL: dirfd; never a symlink's target: a
 * resolved name is none, unless one was swapped in since); -1 with errno */
static int stat_at(int dirfd, const char *name, struct stat *st)
{
	return name ? fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) : fstat(dirfd, st);
}

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

/* "a/b/" -> "b": the name a source is copied under */
static char *base_of(const char *path)
{
	size_t n = strlen(path);
	const char *b;

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (b = path + n; b > path && b[-1] != '/'; b--)
		;
	return xasprintf("%.*s", (int)(path + n - b), b);
}

/* The source, resolved: its directory and name, and what it is. */
struct src {
	int dir;
	char *name;
	struct stat st;
	int is_dir;
	int contents; /* "DIR/.": a directory's contents, not itself */
};

static int not_found(struct err *e, const char *path, const char *where)
{
	err_setk(e, ERRK_INVALID_ARG, ENOENT, "\"%s\" could not be found %s", path, where);
	return -1;
}

/* path in root; shown: what the user named it */
static int src_open(int root, const char *path, const char *shown, const char *where, struct src *s,
		    struct err *e)
{
	s->dir = resolve(root, path, &s->name, e);
	if (s->dir < 0 || stat_at(s->dir, s->name, &s->st) < 0)
		return not_found(e, shown, where);
	s->is_dir = S_ISDIR(s->st.st_mode);
	if (s->is_dir) { /* "/", "DIR/.", "DIR/..": what is in it */
		_cleanup_free_ char *b = base_of(shown);

		s->contents = !*b || !strcmp(b, ".") || !strcmp(b, "..");
	}
	return 0;
}

/* Copy s (src_path, as the user named it) to path (in root, or on the
 * host with root < 0; shown: as the user named it) by the rules above. */
static int copy_to(const struct src *s, const char *src_path, int root, const char *path,
		   const char *shown, const char *where, const struct tar_owner *own,
		   unsigned flags, struct err *e)
{
	_cleanup_close_ int pd = -1, dd = -1;
	_cleanup_free_ char *name = NULL, *as = NULL;
	int slash = ends_with(path, "/"), exists, is_dir;
	struct stat st;

	pd = resolve(root, path, &name, e);
	if (pd < 0)
		return not_found(e, shown, where);
	exists = stat_at(pd, name, &st) == 0;
	is_dir = exists && S_ISDIR(st.st_mode);
	if (slash && !exists)
		return not_found(e, shown, where);
	if (slash && !is_dir)
		return err_setk(e, ERRK_INVALID_ARG, ENOTDIR, "\"%s\" %s is not a directory", shown,
				where);
	if (exists && !is_dir && s->is_dir)
		return err_setk(e, ERRK_INVALID_ARG, 0,
				"destination must be a directory when copying a directory");
	if (is_dir) { /* into it */
		dd = name ? openat(pd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
			  : steal_fd(pd);
		if (dd < 0)
			return err_sys(e, "open %s", shown);
		if (!s->contents)
			as = base_of(src_path);
	} else { /* made or replaced under its name */
		dd = steal_fd(pd);
		as = steal_ptr(name);
	}
	return tar_copy(s->dir, s->name, as, dd, own, flags, e);
}

/* "-" into the directory dd: a tar archive, plain or gzip'd */
static int copy_stdin(int fd, int dd, const struct tar_owner *own, struct err *e)
{
	struct stream_fd f;
	struct stream_peek pk;
	struct inflate *z;
	int r;

	stream_fd_init(&f, fd, "standard input");
	if (stream_peek_init(&pk, &f.s, e) < 0)
		return -1;
	if (inflate_is_gzip(pk.buf, pk.len)) {
		z = inflate_new(&pk.s, "standard input");
		r = own ? tar_extract_as(inflate_stream(z), dd, own, e)
			: tar_extract_stream(inflate_stream(z), dd, TAR_EXTRACT_OWNER, NULL, NULL,
					     e);
		inflate_free(z);
		return r;
	}
	if (pk.len < 512 || !tar_block_is_header(pk.buf, pk.len))
		return err_setk(
			e, ERRK_INVALID_ARG, 0,
			"source must be a (compressed) tar archive when copying from stdin");
	return own ? tar_extract_as(&pk.s, dd, own, e)
		   : tar_extract_stream(&pk.s, dd, TAR_EXTRACT_OWNER, NULL, NULL, e);
}

/* path: o->path inside root */
static int copy_in(struct ctr *c, int root, const char *path, const struct engine_cp *o,
		   struct err *e)
{
	const cJSON *user = ctr_user(c);
	struct tar_owner own = { (uint64_t)jint(user, "uid", 0), (uint64_t)jint(user, "gid", 0) };
	_cleanup_free_ char *where = xasprintf("on container %s", cname(c));
	struct src s = { .dir = -1 };
	int r;

	if (!strcmp(o->host, "-")) {
		_cleanup_close_ int dd = -1;
		_cleanup_free_ char *name = NULL;
		struct stat st;

		dd = resolve(root, path, &name, e);
		if (dd < 0 || stat_at(dd, name, &st) < 0 || !S_ISDIR(st.st_mode))
			return err_setk(e, ERRK_INVALID_ARG, 0,
					"destination must be a directory when copying from stdin");
		if (name) {
			int sub = openat(dd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			close(dd);
			if ((dd = sub) < 0)
				return err_sys(e, "open %s", o->path);
		}
		return copy_stdin(o->fd, dd, o->keep_owner ? NULL : &own, e);
	}
	if (src_open(-1, o->host, o->host, "on the host", &s, e) < 0)
		return -1;
	r = copy_to(&s, o->host, root, path, o->path, where, o->keep_owner ? NULL : &own,
		    TAR_EXTRACT_OWNER, e);
	close(s.dir);
	free(s.name);
	return r;
}

static int copy_out(struct ctr *c, int root, const char *path, const struct engine_cp *o,
		    struct err *e)
{
	_cleanup_free_ char *where = xasprintf("on container %s", cname(c));
	struct src s = { .dir = -1 };
	int r;

	if (src_open(root, path, o->path, where, &s, e) < 0)
		return -1;
	if (!strcmp(o->host, "-")) {
		_cleanup_free_ char *as = s.contents ? NULL : base_of(o->path);

		r = tar_write_at(s.dir, s.name, as, o->fd, e);
	} else {
		r = copy_to(&s, o->path, -1, o->host, o->host, "on the host", NULL, 0, e);
	}
	close(s.dir);
	free(s.name);
	return r;
}

/* path made absolute and plain: no ".", "..", repeated "/" ("" for /) */
static char *plain(const char *path)
{
	char *out = xmalloc(strlen(path) + 2);
	size_t len = 0;

	out[0] = '\0';
	while (*path) {
		size_t n;

		while (*path == '/')
			path++;
		n = strcspn(path, "/");
		if (n == 2 && !strncmp(path, "..", 2)) {
			while (len > 0 && out[--len] != '/')
				;
			out[len] = '\0';
		} else if (n && !(n == 1 && *path == '.')) {
			len += (size_t)sprintf(out + len, "/%.*s", (int)n, path);
		}
		path += n;
	}
	return out;
}

/* A container without processes has its volumes and binds unmounted: a
 * path at or under one's destination is in its source (the longest
 * destination wins), as podman's cp sees it.  The match is by the path's
 * words: a symlink in the root that leads into a volume is not seen
 * through.  The source's fd, *rest the path in it; -1 when none. */
static int mount_of(const struct ctr *c, const char *path, char **rest)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(c->config, "spec"), *m;
	_cleanup_free_ char *p = plain(path);
	const char *src = NULL;
	size_t best = 0;
	int fd;

	cJSON_ArrayForEach (m, cJSON_GetObjectItemCaseSensitive(spec, "mounts")) {
		_cleanup_free_ char *d = plain(jstr(m, "destination") ?: "");
		size_t n = strlen(d);

		if (n > best && !strcmp(jstr(m, "type") ?: "", "bind") && !strncmp(p, d, n) &&
		    (p[n] == '/' || !p[n])) {
			best = n;
			src = jstr(m, "source");
		}
	}
	fd = src ? open(src, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd >= 0) /* what the user's path ends with says what it names */
		*rest = xasprintf("/%s%s", p + best + (p[best] == '/'),
				  ends_with(path, "/.")	 ? "/."
				  : ends_with(path, "/") ? "/"
							 : "");
	return fd;
}

/* One container of a copy, opened and locked, and its root. */
struct side {
	struct ctr c;
	int open, root, live;
};

static int side_open(struct engine *en, const char *ref, struct side *sd, struct err *e)
{
	*sd = (struct side){ .root = -1 };
	if (ctr_open(en, ref, &sd->c, e) < 0)
		return -1;
	sd->open = 1;
	if (sd->c.st == ST_REMOVING)
		return state_error(&sd->c, "copy files of", e);
	sd->root = ctr_root_get(&sd->c, &sd->live, e);
	return sd->root < 0 ? -1 : 0;
}

static void side_close(struct side *sd)
{
	if (!sd->open)
		return;
	if (sd->root >= 0) {
		close(sd->root);
		ctr_root_put(&sd->c);
	}
	ctr_close(&sd->c);
	sd->open = 0;
}

/* Where path is resolved in sd: its root, or for a container without
 * processes the bind mount's source that holds path (*vol, to close; the
 * path in it in *rest).  *p: the path to resolve. */
static int side_at(const struct side *sd, const char *path, int *vol, char **rest, const char **p)
{
	*vol = sd->live ? -1 : mount_of(&sd->c, path, rest);
	*p = *vol >= 0 ? *rest : path;
	return *vol >= 0 ? *vol : sd->root;
}

int engine_copy(struct engine *en, const char *ref, const struct engine_cp *o, struct err *e)
{
	_cleanup_free_ char *rest = NULL;
	_cleanup_close_ int vol = -1;
	struct side sd;
	const char *p;
	int r = -1;

	if (side_open(en, ref, &sd, e) == 0) {
		int fd = side_at(&sd, o->path, &vol, &rest, &p);

		r = o->to_container ? copy_in(&sd.c, fd, p, o, e) : copy_out(&sd.c, fd, p, o, e);
	}
	side_close(&sd);
	return r;
}

int engine_copy_between(struct engine *en, const char *src_ref, const char *src_path,
			const char *dst_ref, const char *dst_path, int keep_owner, struct err *e)
{
	char sid[STORE_ID_LEN + 1], did[STORE_ID_LEN + 1];
	struct side sides[2] = { { .open = 0 }, { .open = 0 } };
	_cleanup_free_ char *srest = NULL, *drest = NULL, *swhere = NULL, *dwhere = NULL;
	_cleanup_close_ int svol = -1, dvol = -1;
	struct src s = { .dir = -1 };
	const struct side *src, *dst;
	const char *sp, *dp;
	int same, first, sfd, dfd, r = -1;

	if (engine_resolve(en, src_ref, sid, NULL, e) < 0 ||
	    engine_resolve(en, dst_ref, did, NULL, e) < 0)
		return -1;
	/* Two locks, taken in the order of the ids so that a copy the other
	 * way round cannot deadlock; the same container is locked once. */
	same = !strcmp(sid, did);
	first = strcmp(sid, did) > 0;
	if (side_open(en, first ? did : sid, &sides[0], e) < 0 ||
	    (!same && side_open(en, first ? sid : did, &sides[1], e) < 0))
		goto out;
	src = same ? &sides[0] : &sides[first];
	dst = same ? &sides[0] : &sides[!first];
	swhere = xasprintf("on container %s", cname(&src->c));
	dwhere = xasprintf("on container %s", cname(&dst->c));
	sfd = side_at(src, src_path, &svol, &srest, &sp);
	dfd = side_at(dst, dst_path, &dvol, &drest, &dp);
	if (src_open(sfd, sp, src_path, swhere, &s, e) == 0) {
		const cJSON *user = ctr_user(&dst->c);
		struct tar_owner own = { (uint64_t)jint(user, "uid", 0),
					 (uint64_t)jint(user, "gid", 0) };

		r = copy_to(&s, src_path, dfd, dp, dst_path, dwhere, keep_owner ? NULL : &own,
			    TAR_EXTRACT_OWNER, e);
	}
	if (s.dir >= 0)
		close(s.dir);
	free(s.name);
out:
	side_close(&sides[1]);
	side_close(&sides[0]);
	return r;
}

/* ---- volumes' copy-up ---------------------------------------------------- */

static int dir_empty(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int empty = 1;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

int cp_copy_up(int root, const char *path, int datafd, struct err *e)
{
	struct src s = { .dir = -1 };
	int r = 0;

	if (src_open(root, path, path, "", &s, e) < 0)
		return 0;
	if (s.is_dir && dir_empty(datafd)) {
		r = tar_copy(s.dir, s.name, NULL, datafd, NULL, TAR_EXTRACT_OWNER, e);
		if (r == 0 && (fchown(datafd, s.st.st_uid, s.st.st_gid) < 0 ||
			       fchmod(datafd, s.st.st_mode & 07777) < 0))
			r = err_sys(e, "set owner and mode of the volume");
	}
	close(s.dir);
	free(s.name);
	return r < 0 ? -1 : s.is_dir;
}
