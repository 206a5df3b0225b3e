// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mount: the container's filesystem, set up by its init before execve.
 * Paths inside the rootfs (openat2 RESOLVE_IN_ROOT, or a careful walk),
 * the spec's mounts, /dev, masked and read-only paths, and the pivot
 * (or, where "/" cannot be pivoted, MS_MOVE + chroot after detaching the
 * host's proc and sysfs).
 *
 * Hazards.
 * - Every path inside the rootfs is resolved with oci_open_in_root() and
 *   mounted through /proc/self/fd/N, so a symlink planted in the image
 *   cannot redirect a mount to the host (CVE-2021-30465).
 * - Runs in the container's init after a raw clone: plain syscalls and
 *   fixed buffers only, no stdio streams (see linux.c).
 */
#include "oci/linux-internal.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "oci/log.h"
#include "oci/sys.h"

#ifndef MS_REC
#define MS_REC 16384
#endif

#define SYMLINK_MAX_FOLLOW 40

/* ---- paths inside the rootfs ---------------------------------------- */

static int open_in_root_walk(int rootfd, const char *path, int flags, int mkdirs, struct err *e)
{
	/* A component walk from rootfd.  Symlinks are read and their target
	 * is resolved again from rootfd (absolute) or the current directory;
	 * ".." never climbs above rootfd.  Depth of the directory stack is
	 * bounded by PATH_MAX/2 components. */
	char buf[PATH_MAX * 2];
	int stack[PATH_MAX / 2];
	int depth = 0, follows = 0;
	char *rest, *comp;
	int ret = -1;

	if (strlen(path) >= PATH_MAX)
		return err_set(e, ENAMETOOLONG, "resolve %s", path);
	snprintf(buf, sizeof(buf), "%s", path);
	stack[0] = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (stack[0] < 0)
		return err_sys(e, "resolve %s: dup", path);
	rest = buf;
	for (;;) {
		int cur = stack[depth], fd, last;
		struct stat st;

		while (*rest == '/')
			rest++;
		if (!*rest) {
			/* The path named a directory we are standing in. */
			ret = openat(cur, ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
			if (ret < 0)
				err_sys(e, "open %s", path);
			break;
		}
		comp = rest;
		rest = strchr(rest, '/');
		if (rest)
			*rest++ = '\0';
		else
			rest = comp + strlen(comp);
		while (*rest == '/')
			rest++;
		last = *rest == '\0';

		if (strcmp(comp, ".") == 0 && !last)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (depth > 0)
				close(stack[depth--]);
			if (last) {
				ret = openat(stack[depth], ".",
					     (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
				if (ret < 0)
					err_sys(e, "open %s", path);
				break;
			}
			continue;
		}
		fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && last && (flags & O_CREAT)) {
			ret = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (ret < 0)
				err_sys(e, "create %s", path);
			break;
		}
		if (fd < 0 && errno == ENOENT && mkdirs && (!last || (flags & O_DIRECTORY))) {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
				err_sys(e, "mkdir %s (in %s)", comp, path);
				break;
			}
			fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0) {
			err_sys(e, "open %s", path);
			break;
		}
		if (fstat(fd, &st) < 0) {
			err_sys(e, "stat %s", path);
			close(fd);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX], nbuf[PATH_MAX * 2];
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);

			close(fd);
			if (n < 0 || ++follows > SYMLINK_MAX_FOLLOW) {
				err_set(e, n < 0 ? errno : ELOOP, "resolve symlink %s in %s", comp,
					path);
				break;
			}
			target[n] = '\0';
			if (target[0] == '/') {
				while (depth > 0)
					close(stack[depth--]);
			}
			if (snprintf(nbuf, sizeof(nbuf), "%s/%s", target, rest) >=
			    (int)sizeof(buf)) {
				err_set(e, ENAMETOOLONG, "resolve %s", path);
				break;
			}
			memcpy(buf, nbuf, sizeof(buf));
			rest = buf;
			continue;
		}
		if (last) {
			if (flags & O_PATH) {
				ret = fd;
			} else {
				char p[64];

				/* Reopen the O_PATH fd we just checked: the
				 * name cannot be swapped under us. */
				snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
				ret = open(p,
					   (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
				if (ret < 0)
					err_sys(e, "open %s", path);
				close(fd);
			}
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			err_set(e, ENOTDIR, "resolve %s: %s is not a directory", path, comp);
			break;
		}
		if (depth + 1 >= (int)ARRAY_SIZE(stack)) {
			close(fd);
			err_set(e, ENAMETOOLONG, "resolve %s", path);
			break;
		}
		stack[++depth] = fd;
	}
	while (depth >= 0)
		close(stack[depth--]);
	return ret;
}

int oci_open_in_root(int rootfd, const char *path, int flags, int mkdirs, struct err *e)
{
	struct nook_open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? 0644 : 0,
		.resolve = NOOK_RESOLVE_IN_ROOT | NOOK_RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	fd = sys_openat2(rootfd, path, &how);
	if (fd >= 0)
		return fd;
	/* ENOSYS: kernel < 5.6 (or qemu-user); ENOENT: something to create;
	 * anything else is a real answer from openat2. */
	if (errno != ENOSYS && errno != ENOENT && errno != EPERM)
		return err_sys(e, "open %s", path);
	if (errno == ENOENT && !mkdirs && !(flags & O_CREAT))
		return err_sys(e, "open %s", path);
	return open_in_root_walk(rootfd, path, flags, mkdirs, e);
}

/* "a/../../b" climbs out of the root lexically: a config error, refused
 * before anything is cloned. */
int path_escapes(const char *p)
{
	int depth = 0;

	while (*p) {
		const char *s;
		size_t n;

		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (--depth < 0)
				return 1;
		} else if (n && !(n == 1 && s[0] == '.')) {
			depth++;
		}
	}
	return 0;
}

/* ---- mounts --------------------------------------------------------- */

static unsigned long statvfs_to_ms(unsigned long f)
{
	unsigned long m = 0;

	if (f & ST_RDONLY)
		m |= MS_RDONLY;
	if (f & ST_NOSUID)
		m |= MS_NOSUID;
	if (f & ST_NODEV)
		m |= MS_NODEV;
	if (f & ST_NOEXEC)
		m |= MS_NOEXEC;
	if (f & ST_NOATIME)
		m |= MS_NOATIME;
	if (f & ST_NODIRATIME)
		m |= MS_NODIRATIME;
	if (f & ST_RELATIME)
		m |= MS_RELATIME;
	return m;
}

/* Remount a bind mount with flags.  In a user namespace some flags of
 * the source are locked (nosuid, nodev, ...): keep them on EPERM. */
static int bind_remount(const char *target, unsigned long flags, struct err *e)
{
	struct statvfs sv;

	if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags, NULL) == 0)
		return 0;
	if (errno == EPERM && statvfs(target, &sv) == 0 &&
	    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags | statvfs_to_ms(sv.f_flag),
		  NULL) == 0)
		return 0;
	return err_sys(e, "remount %s", target);
}

/* Make a mount read-only and keep the flags it has (nosuid, nodev,
 * noexec, atime): MS_REMOUNT|MS_BIND sets exactly the flags it is given
 * and would clear the others (runc's readonlyPath reads them back the
 * same way). */
static int remount_ro(const char *target, struct err *e)
{
	struct statvfs sv;

	if (statvfs(target, &sv) < 0)
		return err_sys(e, "statvfs %s", target);
	return bind_remount(target, MS_RDONLY | statvfs_to_ms(sv.f_flag), e);
}

/* A tmpfs, or /dev, mounted "ro": writable until the devices and the
 * mounts below it are made, read-only in mnt_finish_root (runc's
 * finalizeRootfs does the same). */
static int ro_later(const struct oci_mount *m)
{
	return (m->flags & MS_RDONLY) &&
	       ((m->type && strcmp(m->type, "tmpfs") == 0) || strcmp(m->destination, "/dev") == 0);
}

/* An option "NAME=" among the comma-separated ones of data. */
static int has_opt(const char *data, const char *name)
{
	size_t n = strlen(name);

	for (const char *o = data; o; o = strchr(o, ',')) {
		if (*o == ',')
			o++;
		if (strncmp(o, name, n) == 0)
			return 1;
	}
	return 0;
}

static int do_mount(struct mount_ctx *c, const struct oci_mount *m, struct err *e)
{
	const char *type = m->type;
	const char *src = m->source;
	const char *data = m->data;
	unsigned long flags = m->flags & ~MS_REC;
	int is_dir = 1, bound = m->bind;
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int fd2 = -1;
	_cleanup_free_ char *tmpfs_data = NULL;
	char p[64], p2[64];
	struct stat st;

	if (ro_later(m))
		flags &= ~(unsigned long)MS_RDONLY;
	if (m->bind) {
		if (c->src_fd >= 0 ? fstat(c->src_fd, &st) < 0 : !src || stat(src, &st) < 0)
			return err_sys(e, "mount %s: bind source %s", m->destination,
				       src ? src : "(none)");
		is_dir = S_ISDIR(st.st_mode);
	} else if (type && strcmp(type, "tmpfs") == 0 && !has_opt(data, "mode=")) {
		/* A tmpfs keeps the mode of the directory it covers (runc,
		 * crun); one we create gets the tmpfs default, 1777. */
		fd = oci_open_in_root(c->rootfd, m->destination, O_PATH | O_DIRECTORY, 0, NULL);
		if (fd >= 0 && fstat(fd, &st) == 0) {
			tmpfs_data = data ? xasprintf("mode=%04o,%s", st.st_mode & 07777, data)
					  : xasprintf("mode=%04o", st.st_mode & 07777);
			data = tmpfs_data;
		}
	}
	if (is_dir && fd < 0) {
		fd = oci_open_in_root(c->rootfd, m->destination, O_PATH | O_DIRECTORY, 1, e);
	} else if (!is_dir) {
		/* A file mount point: create it if missing (O_PATH cannot
		 * create), then take an O_PATH handle of what is there.  No
		 * O_EXCL: a dangling symlink is followed inside the root
		 * and its target created, as runc and crun do (O_NONBLOCK:
		 * a fifo put there meanwhile does not block us). */
		fd = oci_open_in_root(c->rootfd, m->destination, O_PATH, 0, e);
		if (fd < 0 && e->errnum == ENOENT) {
			int tmp = oci_open_in_root(c->rootfd, m->destination,
						   O_WRONLY | O_CREAT | O_NONBLOCK, 1, e);

			if (tmp >= 0)
				close(tmp);
			fd = oci_open_in_root(c->rootfd, m->destination, O_PATH, 0, e);
		}
	}
	if (fd < 0)
		return err_wrap(e, "mount %s", m->destination);
	fdpath(p, sizeof(p), fd);

	if (m->bind) {
		char sp[64];

		/* the source opened for us before the user namespace */
		if (c->src_fd >= 0)
			src = fdpath(sp, sizeof(sp), c->src_fd);
		if (mount(src, p, NULL, MS_BIND | (m->recursive ? MS_REC : 0), NULL) < 0)
			return err_sys(e, "bind mount %s on %s", src, m->destination);
	} else if (type && (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)) {
		/* cgroup v2 only: in a cgroup namespace a fresh cgroup2 mount
		 * shows the container's subtree; without one, bind the
		 * container's own cgroup directory. */
		if (c->new_cgroupns) {
			int r = mount("cgroup2", p, "cgroup2", flags, NULL);

			/* The host's cgroup2 root already there (a /sys bound
			 * from the host, --network host): the kernel refuses
			 * the same filesystem on its own root.  Our copy of it
			 * goes (a slave mount: the host keeps its own), then
			 * the place is opened again. */
			if (r < 0 && errno == EBUSY && umount2(p, MNT_DETACH) == 0) {
				close(fd);
				fd = oci_open_in_root(c->rootfd, m->destination,
						      O_PATH | O_DIRECTORY, 0, e);
				if (fd < 0)
					return err_wrap(e, "mount %s", m->destination);
				fdpath(p, sizeof(p), fd);
				r = mount("cgroup2", p, "cgroup2", flags, NULL);
			}
			if (r < 0)
				return err_sys(e, "mount cgroup2 on %s", m->destination);
		} else if (c->cgroup_path) {
			/* A bind takes none of the flags: they are set by
			 * the remount below ("ro" above all: a writable
			 * cgroup tree lets the container raise its own
			 * limits, GHSA-m8cg-xc2p-r3fc). */
			if (mount(c->cgroup_path, p, NULL, MS_BIND | MS_REC, NULL) < 0)
				return err_sys(e, "bind mount %s on %s", c->cgroup_path,
					       m->destination);
			bound = 1;
		} else {
			return 0;
		}
	} else {
		if (mount(src ? src : type, p, type, flags, data) < 0) {
			/* sysfs needs a network namespace we own; a user
			 * namespace that joined the host's gets EPERM. */
			if (errno == EPERM && type && strcmp(type, "sysfs") == 0) {
				if (mount("/sys", p, NULL, MS_BIND | MS_REC, NULL) < 0)
					return err_sys(e, "bind mount /sys on %s", m->destination);
				bound = 1;
			} else {
				return err_sys(e, "mount %s on %s (type %s%s%s)",
					       src    ? src
					       : type ? type
						      : "none",
					       m->destination, type ? type : "none",
					       data ? ", options " : "", data ? data : "");
			}
		}
	}

	/* Flags and propagation apply to the new mount: reopen the
	 * destination so the fd refers to it, not to what is underneath. */
	if ((bound && (flags & ~MS_BIND)) || m->propagation || m->rec_set || m->rec_clr) {
		fd2 = oci_open_in_root(c->rootfd, m->destination, O_PATH, 0, e);
		if (fd2 < 0)
			return err_wrap(e, "mount %s", m->destination);
		fdpath(p2, sizeof(p2), fd2);
		if (bound && (flags & ~(MS_BIND | MS_REMOUNT)) &&
		    bind_remount(p2, flags & ~(MS_BIND | MS_REMOUNT), e) < 0)
			return err_wrap(e, "mount %s", m->destination);
		if (m->propagation && mount(NULL, p2, NULL, m->propagation, NULL) < 0)
			return err_sys(e, "set propagation of %s", m->destination);
		if (m->rec_set || m->rec_clr) {
			struct nook_mount_attr a = { .attr_set = m->rec_set,
						     .attr_clr = m->rec_clr };

			if (sys_mount_setattr(fd2, "", AT_EMPTY_PATH | NOOK_AT_RECURSIVE, &a) < 0)
				return err_sys(e, "mount %s: options %s: mount_setattr%s",
					       m->destination, m->rec_opts,
					       errno == ENOSYS ? " (Linux 5.12 or later)" : "");
		}
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned maj, min;
} default_devices[] = {
	{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

/* Create one device node; in a user namespace mknod is refused, so bind
 * the host's node instead (runc does the same).  devdir: the parent,
 * already open, or -1 to resolve it from path. */
static int make_device(int rootfd, int devdir, const char *path, char type, unsigned maj,
		       unsigned min, mode_t mode, uid_t uid, gid_t gid, int userns, struct err *e)
{
	_cleanup_close_ int dir = -1;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *clean = xstrdup(path);
	_cleanup_free_ char *parent = NULL;
	const char *base;
	char *slash;
	mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
	size_t n = strlen(clean);
	char p[64];

	/* "/dev/foo/" names /dev/foo: runc joins the path onto the rootfs
	 * with filepath.Join, which drops the slash. */
	while (n > 1 && clean[n - 1] == '/')
		clean[--n] = '\0';
	path = clean;
	parent = xstrdup(clean);
	slash = strrchr(parent, '/');
	base = slash ? slash + 1 : parent;
	if (slash)
		*slash = '\0';
	if (devdir < 0) {
		dir = oci_open_in_root(rootfd, slash && *parent ? parent : "/",
				       O_PATH | O_DIRECTORY, 1, e);
		if (dir < 0)
			return err_wrap(e, "device %s", path);
		devdir = dir;
	}
	if (!userns) {
		/* The mode exactly as asked: no umask, so no chmod. */
		mode_t old = umask(0);
		int r;

		unlinkat(devdir, base, 0);
		r = mknodat(devdir, base, kind | (mode & 07777), makedev(maj, min));
		umask(old);
		if (r < 0)
			return err_sys(e, "mknod %s", path);
		if (fchownat(devdir, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return err_sys(e, "chown %s", path);
		return 0;
	}
	fd = openat(devdir, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_sys(e, "create %s", path);
	fdpath(p, sizeof(p), fd);
	if (mount(path, p, NULL, MS_BIND, NULL) < 0)
		return err_sys(e, "bind mount host %s", path);
	return 0;
}

static int setup_dev(struct mount_ctx *c, const struct oci_spec *s, int dev_tmpfs, struct err *e)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },	 { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
		{ "/proc/kcore", "core" },
	};
	_cleanup_close_ int dev = -1;
	char path[64];

	if (dev_tmpfs) {
		/* Our fresh tmpfs: opened once for the six of them. */
		dev = oci_open_in_root(c->rootfd, "/dev", O_PATH | O_DIRECTORY, 1, e);
		if (dev < 0)
			return -1;
		for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
			snprintf(path, sizeof(path), "/dev/%s", default_devices[i].name);
			if (make_device(c->rootfd, dev, path, 'c', default_devices[i].maj,
					default_devices[i].min, 0666, 0, 0, c->userns, e) < 0)
				return -1;
		}
	}
	for (size_t i = 0; i < s->linux.n_devices; i++) {
		const struct oci_device *d = &s->linux.devices[i];

		if (make_device(c->rootfd, -1, d->path, d->type, (unsigned)d->major,
				(unsigned)d->minor, d->has_file_mode ? d->file_mode : 0666,
				d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, c->userns, e) < 0)
			return -1;
	}
	if (!dev_tmpfs)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
			return err_sys(e, "symlink /dev/%s", links[i][1]);
	/* /dev/ptmx must be the container's devpts instance. */
	if (faccessat(dev, "pts/ptmx", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		unlinkat(dev, "ptmx", 0);
		if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
			return err_sys(e, "symlink /dev/ptmx");
	}
	return 0;
}

static int is_dev_tmpfs(const struct oci_spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].destination, "/dev") == 0)
			return s->mounts[i].type && strcmp(s->mounts[i].type, "tmpfs") == 0;
	return 0;
}

/* After pivot: masked paths get /dev/null (files) or an empty read-only
 * tmpfs (directories); missing ones are skipped. */
static int mask_paths(int root, char *const *paths, struct err *e)
{
	for (size_t i = 0; paths && paths[i]; i++) {
		_cleanup_close_ int fd = oci_open_in_root(root, paths[i], O_PATH, 0, NULL);
		struct stat st;
		char p[64];

		if (fd < 0)
			continue;
		if (fstat(fd, &st) < 0)
			return err_sys(e, "masked path %s", paths[i]);
		fdpath(p, sizeof(p), fd);
		if (S_ISDIR(st.st_mode)) {
			if (mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0") < 0)
				return err_sys(e, "mask %s", paths[i]);
		} else if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0) {
			return err_sys(e, "mask %s", paths[i]);
		}
	}
	return 0;
}

static int readonly_paths(int root, char *const *paths, struct err *e)
{
	for (size_t i = 0; paths && paths[i]; i++) {
		_cleanup_close_ int fd = oci_open_in_root(root, paths[i], O_PATH, 0, NULL);
		_cleanup_close_ int fd2 = -1;
		char p[64];

		if (fd < 0)
			continue;
		fdpath(p, sizeof(p), fd);
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
			return err_sys(e, "readonly path %s", paths[i]);
		fd2 = oci_open_in_root(root, paths[i], O_PATH, 0, e);
		if (fd2 < 0)
			return -1;
		fdpath(p, sizeof(p), fd2);
		if (remount_ro(p, e) < 0)
			return err_wrap(e, "readonly path %s", paths[i]);
	}
	return 0;
}

/* ---- the pivot ------------------------------------------------------- */

/* Before MS_MOVE + chroot: the host's old root stays in our mount
 * namespace, out of reach of paths but not of the kernel's check for a
 * new proc or sysfs mount in a user namespace (mnt_already_visible): a
 * full proc or sysfs mount anywhere in the namespace lets the container
 * mount a bare one, without masked paths.  Detach every full proc and
 * sysfs mount outside the rootfs, or cover it with a tmpfs where it cannot
 * go (runc's msMoveRoot).  Our tree is rslave: nothing propagates. */
static int hide_host_pseudo_fs(const char *rootfs, struct err *e)
{
	_cleanup_free_ char *mi = file_read("/proc/self/mountinfo", NULL, e);
	size_t rlen = strlen(rootfs);
	char *line, *next;

	if (!mi)
		return -1;
	for (line = mi; line && *line; line = next) {
		char *f[5], *sep, *type, *p = line;
		int n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* id parent maj:min root MOUNTPOINT opts [tags] - TYPE ... */
		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		type = sep + 3;
		for (n = 0; n < 5 && p; n++) {
			f[n] = p;
			p = strchr(p, ' ');
			if (p)
				*p++ = '\0';
		}
		if (n < 5 || strcmp(f[3], "/") != 0)
			continue;
		if (strncmp(type, "proc ", 5) != 0 && strncmp(type, "sysfs ", 6) != 0)
			continue;
		unescape_octal(f[4]);
		if (strncmp(f[4], rootfs, rlen) == 0 && (f[4][rlen] == '/' || !f[4][rlen]))
			continue;
		if (umount2(f[4], MNT_DETACH) == 0 || errno == ENOENT)
			continue;
		/* EINVAL: gone with a parent already, or not ours to
		 * unmount; EPERM: locked in a user namespace. */
		if (errno != EINVAL && errno != EPERM)
			return err_sys(e, "unmount %s before chroot", f[4]);
		if (mount("tmpfs", f[4], "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0") < 0 &&
		    errno != ENOENT)
			return err_sys(e, "cover %s before chroot", f[4]);
	}
	return 0;
}

int do_pivot(const char *rootfs, int no_pivot, struct err *e)
{
	if (chdir(rootfs) < 0)
		return err_sys(e, "chdir %s", rootfs);
	if (!no_pivot) {
		if (sys_pivot_root(".", ".") == 0) {
			/* The old root is now stacked on "/": detach it
			 * without letting the unmount propagate anywhere. */
			if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
				return err_sys(e, "make old root rslave");
			if (umount2(".", MNT_DETACH) < 0)
				return err_sys(e, "unmount old root");
			if (chdir("/") < 0)
				return err_sys(e, "chdir /");
			return 0;
		}
		/* EINVAL: "/" is an initramfs (rootfs cannot be pivoted). */
		if (errno != EINVAL)
			return err_sys(e, "pivot_root %s", rootfs);
	}
	if (hide_host_pseudo_fs(rootfs, e) < 0)
		return -1;
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return err_sys(e, "move %s to /", rootfs);
	if (chroot(".") < 0)
		return err_sys(e, "chroot %s", rootfs);
	if (chdir("/") < 0)
		return err_sys(e, "chdir /");
	return 0;
}

/* The container's mounts, before the pivot: our tree made rslave, the
 * rootfs bound onto itself and opened as c->rootfd (the caller closes it
 * after the pivot), the spec's mounts, /dev. */
int mnt_prepare_root(struct mount_ctx *c, const struct oci_spec *s, struct err *e)
{
	/* Mounts: our tree must not propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		/* EINVAL: "/" is a chroot into a plain directory, and the
		 * mount it lies in cannot be named from here: our mounts
		 * could propagate to the host through it.  Refuse. */
		if (errno == EINVAL)
			return err_set(
				e, EINVAL,
				"make / rslave: / is not a mount point (a chroot into a "
				"directory?): bind-mount the new root onto itself before chroot");
		return err_sys(e, "make / rslave");
	}
	if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_sys(e, "bind mount rootfs %s", c->rootfs);
	c->rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0)
		return err_sys(e, "open rootfs %s", c->rootfs);
	for (size_t i = 0; i < s->n_mounts; i++) {
		c->src_fd = c->src_fds ? c->src_fds[i] : -1;
		if (do_mount(c, &s->mounts[i], e) < 0)
			return -1;
	}
	return setup_dev(c, s, is_dev_tmpfs(s), e);
}

/* After the pivot and the sysctls (/proc/sys is usually read-only):
 * masked and read-only paths, a read-only root, the root's propagation. */
int mnt_finish_root(const struct oci_spec *s, struct err *e)
{
	/* One root for all: a mount on one path does not move "/". */
	_cleanup_close_ int root = open("/", O_PATH | O_CLOEXEC);

	if (root < 0)
		return err_sys(e, "open /");
	if (mask_paths(root, s->linux.masked_paths, e) < 0)
		return -1;
	timing_mark("init: masked paths");
	if (readonly_paths(root, s->linux.readonly_paths, e) < 0)
		return -1;
	timing_mark("init: readonly paths");
	for (size_t i = 0; i < s->n_mounts; i++) {
		_cleanup_close_ int fd = -1;
		char p[64];

		if (!ro_later(&s->mounts[i]))
			continue;
		fd = oci_open_in_root(root, s->mounts[i].destination, O_PATH | O_DIRECTORY, 0, e);
		if (fd < 0 || remount_ro(fdpath(p, sizeof(p), fd), e) < 0)
			return err_wrap(e, "mount %s read-only", s->mounts[i].destination);
	}
	if (s->root_readonly && remount_ro("/", e) < 0)
		return -1;
	if (s->linux.rootfs_propagation &&
	    mount(NULL, "/", NULL, s->linux.rootfs_propagation, NULL) < 0)
		return err_sys(e, "set rootfs propagation");
	return 0;
}
