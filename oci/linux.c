// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * linux: an OCI spec -> a process in its namespaces, cgroup and root.
 *
 * Process model.  The parent (the runtime or the monitor) clones the init
 * with clone3(CLONE_INTO_CGROUP), or clone() + cgroup.procs on kernels
 * before 5.7.  Only the user and pid namespaces are created by the clone
 * itself: the child first joins the namespaces given by path (user first),
 * then unshares the remaining new ones, so that every namespace ends up
 * owned by the right user namespace and the cgroup namespace is rooted at
 * the container's cgroup.  Parent and child talk over a SOCK_SEQPACKET
 * socketpair; the child reports every failure as {errno, message} and
 * exits; EOF without a message means execve succeeded.
 *
 * Hazards.
 * - musl caches the thread id: after a raw clone the child uses plain
 *   syscalls, snprintf into fixed buffers and no stdio streams, and leaves
 *   with _exit().  Grandchildren (hooks) are made with raw clone too.
 * - Every path inside the rootfs is resolved with oci_open_in_root() and
 *   mounted through /proc/self/fd/N, so a symlink planted in the image
 *   cannot redirect a mount to the host (CVE-2021-30465).
 * - No fd of ours survives execve (CVE-2024-21626): everything is CLOEXEC
 *   and fds from 3 + preserve_fds are marked CLOEXEC before exec; the cwd
 *   is checked to be inside the root.
 * - The child is not dumpable until it execs, and the runtime re-execs
 *   itself from a sealed memfd (CVE-2019-5736).
 */
#include "oci/linux.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "oci/cgroup.h"
#include "oci/validate.h"

#ifndef MS_REC
#define MS_REC 16384
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 2U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 1
#define F_SEAL_SHRINK 2
#define F_SEAL_GROW 4
#define F_SEAL_WRITE 8
#endif

#define SYMLINK_MAX_FOLLOW 40

/* ---- parent <-> child protocol -------------------------------------- */

enum {
	MSG_GO = 1, /* parent: carry on */
	MSG_CREATED, /* child: namespaces and mounts exist, run hooks */
	MSG_READY, /* child: set up, about to wait for start / exec */
	MSG_ERROR, /* child: failed; errnum + msg */
	MSG_PTY, /* child: the pty master travels as SCM_RIGHTS */
	MSG_STATE_REQ, /* child: send me the state JSON for hooks */
	MSG_STATE, /* parent: here it is (variable length) */
};

struct sync_msg {
	int32_t type;
	int32_t errnum;
	int32_t kind; /* enum err_kind */
	char msg[512];
};

static int sync_send(int fd, int type, const struct err *e)
{
	struct sync_msg m = { .type = type };

	if (e) {
		m.errnum = e->errnum;
		m.kind = e->kind;
		memcpy(m.msg, e->msg, sizeof(m.msg));
		m.msg[sizeof(m.msg) - 1] = '\0';
	}
	return send(fd, &m, sizeof(m), MSG_NOSIGNAL) == sizeof(m) ? 0 : -1;
}

/* Receive one message; *fd_out gets a passed fd (or -1).  Returns the
 * message type, 0 on EOF, -1 on error. */
static int sync_recv(int fd, struct sync_msg *m, int *fd_out)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	if (fd_out)
		*fd_out = -1;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int passed;

			memcpy(&passed, CMSG_DATA(c), sizeof(int));
			if (fd_out)
				*fd_out = passed;
			else
				close(passed);
		}
	}
	if ((size_t)n < 2 * sizeof(int32_t))
		return -1;
	m->msg[sizeof(m->msg) - 1] = '\0';
	return m->type;
}

static int send_fd(int sock, int type, int fd, const char *name)
{
	struct sync_msg m = { .type = type };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	if (name) {
		/* The console socket protocol carries just a name. */
		iov.iov_base = (void *)name;
		iov.iov_len = strlen(name);
	} else {
		iov.iov_base = &m;
		iov.iov_len = sizeof(m);
	}
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* In the child: report e and leave. */
static __attribute__((noreturn)) void child_fail(int sock, const struct err *e)
{
	sync_send(sock, MSG_ERROR, e);
	_exit(127);
}

/* The caller may block or ignore signals (the foreground `run` blocks
 * SIGCHLD): a container starts with a clean signal state. */
static void reset_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

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

static const char *fdpath(char *buf, size_t len, int fd)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

/* "a/../../b" climbs out of the root lexically: a config error, refused
 * before anything is cloned. */
static int path_escapes(const char *p)
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

struct mount_ctx {
	int rootfd;
	const char *rootfs;
	const char *cgroup_path;
	int new_cgroupns;
	int userns;
};

static int do_mount(struct mount_ctx *c, const struct oci_mount *m, struct err *e)
{
	const char *type = m->type;
	const char *src = m->source;
	unsigned long flags = m->flags & ~MS_REC;
	int is_dir = 1, bound = m->bind;
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int fd2 = -1;
	char p[64], p2[64];
	struct stat st;

	if (m->bind) {
		if (!src || stat(src, &st) < 0)
			return err_sys(e, "mount %s: bind source %s", m->destination,
				       src ? src : "(none)");
		is_dir = S_ISDIR(st.st_mode);
	}
	if (is_dir) {
		fd = oci_open_in_root(c->rootfd, m->destination, O_PATH | O_DIRECTORY, 1, e);
	} else {
		/* A file mount point: create it if missing (O_PATH cannot
		 * create), then take an O_PATH handle of what is there. */
		fd = oci_open_in_root(c->rootfd, m->destination, O_PATH, 0, e);
		if (fd < 0 && e->errnum == ENOENT) {
			int tmp = oci_open_in_root(c->rootfd, m->destination,
						   O_WRONLY | O_CREAT | O_EXCL, 1, e);

			if (tmp >= 0)
				close(tmp);
			fd = oci_open_in_root(c->rootfd, m->destination, O_PATH, 0, e);
		}
	}
	if (fd < 0)
		return err_wrap(e, "mount %s", m->destination);
	fdpath(p, sizeof(p), fd);

	if (m->bind) {
		if (mount(src, p, NULL, MS_BIND | (m->recursive ? MS_REC : 0), NULL) < 0)
			return err_sys(e, "bind mount %s on %s", src, m->destination);
	} else if (type && (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)) {
		/* cgroup v2 only: in a cgroup namespace a fresh cgroup2 mount
		 * shows the container's subtree; without one, bind the
		 * container's own cgroup directory. */
		if (c->new_cgroupns) {
			if (mount("cgroup2", p, "cgroup2", flags, NULL) < 0)
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
		if (mount(src ? src : type, p, type, flags, m->data) < 0) {
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
					       m->data ? ", options " : "", m->data ? m->data : "");
			}
		}
	}

	/* Flags and propagation apply to the new mount: reopen the
	 * destination so the fd refers to it, not to what is underneath. */
	if ((bound && (flags & ~MS_BIND)) || m->propagation) {
		fd2 = oci_open_in_root(c->rootfd, m->destination, O_PATH, 0, e);
		if (fd2 < 0)
			return err_wrap(e, "mount %s", m->destination);
		fdpath(p2, sizeof(p2), fd2);
		if (bound && (flags & ~(MS_BIND | MS_REMOUNT)) &&
		    bind_remount(p2, flags & ~(MS_BIND | MS_REMOUNT), e) < 0)
			return err_wrap(e, "mount %s", m->destination);
		if (m->propagation && mount(NULL, p2, NULL, m->propagation, NULL) < 0)
			return err_sys(e, "set propagation of %s", m->destination);
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
 * the host's node instead (runc does the same). */
static int make_device(int rootfd, const char *path, char type, unsigned maj, unsigned min,
		       mode_t mode, uid_t uid, gid_t gid, int userns, struct err *e)
{
	_cleanup_close_ int dir = -1;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *parent = xstrdup(path);
	const char *base;
	char *slash = strrchr(parent, '/');
	mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
	char p[64];

	base = slash ? slash + 1 : parent;
	if (slash)
		*slash = '\0';
	dir = oci_open_in_root(rootfd, slash && *parent ? parent : "/", O_PATH | O_DIRECTORY, 1, e);
	if (dir < 0)
		return err_wrap(e, "device %s", path);
	if (!userns) {
		unlinkat(dir, base, 0);
		if (mknodat(dir, base, kind | (mode & 07777), makedev(maj, min)) < 0)
			return err_sys(e, "mknod %s", path);
		fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return err_sys(e, "open %s", path);
		fdpath(p, sizeof(p), fd);
		if (chmod(p, mode & 07777) < 0 || chown(p, uid, gid) < 0)
			return err_sys(e, "chmod/chown %s", path);
		return 0;
	}
	fd = openat(dir, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
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
		for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
			snprintf(path, sizeof(path), "/dev/%s", default_devices[i].name);
			if (make_device(c->rootfd, path, 'c', default_devices[i].maj,
					default_devices[i].min, 0666, 0, 0, c->userns, e) < 0)
				return -1;
		}
	}
	for (size_t i = 0; i < s->linux.n_devices; i++) {
		const struct oci_device *d = &s->linux.devices[i];

		if (make_device(c->rootfd, d->path, d->type, (unsigned)d->major, (unsigned)d->minor,
				d->has_file_mode ? d->file_mode : 0666, d->has_uid ? d->uid : 0,
				d->has_gid ? d->gid : 0, c->userns, e) < 0)
			return -1;
	}
	if (!dev_tmpfs)
		return 0;
	dev = oci_open_in_root(c->rootfd, "/dev", O_PATH | O_DIRECTORY, 1, e);
	if (dev < 0)
		return -1;
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
static int mask_paths(char *const *paths, struct err *e)
{
	for (size_t i = 0; paths && paths[i]; i++) {
		_cleanup_close_ int root = open("/", O_PATH | O_CLOEXEC);
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

static int readonly_paths(char *const *paths, struct err *e)
{
	for (size_t i = 0; paths && paths[i]; i++) {
		_cleanup_close_ int root = open("/", O_PATH | O_CLOEXEC);
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

static int do_pivot(const char *rootfs, int no_pivot, struct err *e)
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

/* ---- process attributes --------------------------------------------- */

static int write_proc(const char *path, const char *val, struct err *e)
{
	return file_write(path, val, e);
}

static int set_sysctls(const struct oci_spec *s, struct err *e)
{
	for (size_t i = 0; i < s->linux.n_sysctl; i++) {
		char path[PATH_MAX];
		const char *k = s->linux.sysctl[i].key;
		size_t n;

		if (strstr(k, "..") || strchr(k, '/'))
			return err_set(e, EINVAL, "linux.sysctl: invalid key %s", k);
		n = (size_t)snprintf(path, sizeof(path), "/proc/sys/%s", k);
		for (size_t j = strlen("/proc/sys/"); j < n; j++)
			if (path[j] == '.')
				path[j] = '/';
		if (write_proc(path, s->linux.sysctl[i].value, e) < 0)
			return err_wrap(e, "sysctl %s", k);
	}
	return 0;
}

static int set_rlimits(const struct oci_process *p, struct err *e)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { .rlim_cur = (rlim_t)p->rlimits[i].soft,
				     .rlim_max = (rlim_t)p->rlimits[i].hard };

		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return err_sys(e, "setrlimit %d (soft %llu, hard %llu)",
				       p->rlimits[i].resource,
				       (unsigned long long)p->rlimits[i].soft,
				       (unsigned long long)p->rlimits[i].hard);
	}
	return 0;
}

static int capset_raw(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
	};

	return (int)syscall(SYS_capset, &h, d);
}

static int last_cap(void)
{
	char buf[16];
	_cleanup_close_ int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return CAP_LAST_CAP;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return CAP_LAST_CAP;
	buf[n] = '\0';
	return atoi(buf);
}

/* Drop the bounding set, switch to the process's user and groups keeping
 * capabilities across the uid change, then set the final sets. */
static int set_user_caps(const struct oci_process *p, int userns_setgroups_ok, struct err *e)
{
	const struct oci_caps *c = &p->caps;
	int last = last_cap();

	if (c->present) {
		for (int cap = 0; cap <= last && cap < 64; cap++) {
			if (c->bounding & (1ULL << cap))
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
				return err_sys(e, "drop capability %d from the bounding set", cap);
		}
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_sys(e, "prctl PR_SET_KEEPCAPS");
	if (userns_setgroups_ok) {
		gid_t *g = xcalloc(p->user.n_additional_gids + 1, sizeof(gid_t));

		for (size_t i = 0; i < p->user.n_additional_gids; i++)
			g[i] = p->user.additional_gids[i];
		if (setgroups(p->user.n_additional_gids, g) < 0) {
			free(g);
			return err_sys(e, "setgroups");
		}
		free(g);
	}
	if (syscall(SYS_setresgid, p->user.gid, p->user.gid, p->user.gid) < 0)
		return err_sys(e, "setresgid %u", p->user.gid);
	if (syscall(SYS_setresuid, p->user.uid, p->user.uid, p->user.uid) < 0)
		return err_sys(e, "setresuid %u", p->user.uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return err_sys(e, "prctl PR_SET_KEEPCAPS");
	if (!c->present)
		return 0;
	if (capset_raw(c->effective, c->permitted, c->inheritable) < 0)
		return err_sys(e, "capset");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* An ambient capability must also be permitted and inheritable;
	 * runc's default spec lists ambient ones that are not inheritable
	 * and runc skips them silently: so do we (EPERM only). */
	for (int cap = 0; cap <= last && cap < 64; cap++)
		if ((c->ambient & (1ULL << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM)
			return err_sys(e, "raise ambient capability %d", cap);
	return 0;
}

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

/* One /etc/passwd line, name:passwd:uid:gid:gecos:home:shell (cut up in
 * place): "HOME=home" in out if it is uid's. */
static int passwd_line_home(char *line, uid_t uid, char *out, size_t len)
{
	char *f[7], *q = line;
	int k;

	for (k = 0; k < 7 && q; k++) {
		f[k] = q;
		q = strchr(q, ':');
		if (q)
			*q++ = '\0';
	}
	if (k < 7 || !*f[2] || strspn(f[2], "0123456789") != strlen(f[2]) ||
	    strtoul(f[2], NULL, 10) != uid || !*f[5])
		return 0;
	snprintf(out, len, "HOME=%s", f[5]);
	return 1;
}

/* The home directory of uid in the container's /etc/passwd ("/" when it
 * has none), as "HOME=..." in out: runc and crun set HOME this way when
 * process.env lacks it, and shells and tools expect it.  Called after
 * pivot_root or chroot, so "/etc/passwd" is the container's.  Plain
 * read(2) (no stdio after a raw clone); a FIFO or device there would
 * block or worse: only a regular file is read. */
static void passwd_home(uid_t uid, char *out, size_t len)
{
	_cleanup_close_ int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	char buf[4096], line[1024];
	size_t ll = 0;
	int toolong = 0;
	struct stat st;
	ssize_t n;

	snprintf(out, len, "HOME=/");
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				else
					toolong = 1; /* not a passwd entry */
				continue;
			}
			line[ll] = '\0';
			if (!toolong && passwd_line_home(line, uid, out, len))
				return;
			ll = 0;
			toolong = 0;
		}
	}
	line[ll] = '\0'; /* a last line without a newline */
	if (ll && !toolong)
		passwd_line_home(line, uid, out, len);
}

/* Find args[0] the way execvp would, in the container's filesystem, with
 * the process's PATH.  Error texts are runc's: podman maps "not found"
 * to 127 and "permission denied" to 126 by matching them. */
static int lookup_exec(const char *cmd, char *const *env, char *out, size_t len, struct err *e)
{
	const char *path;
	int saw_eacces = 0;

	if (!*cmd)
		return err_setk(e, ERRK_EXEC_NOT_FOUND, 0,
				"exec: \"\": executable file not found in $PATH");
	if (strchr(cmd, '/')) {
		struct stat st;

		if (stat(cmd, &st) < 0)
			return err_setk(e, errno == ENOENT ? ERRK_EXEC_NOT_FOUND : ERRK_GENERIC, 0,
					"exec: \"%s\": stat %s: %s", cmd, cmd, strerror(errno));
		if (S_ISDIR(st.st_mode) || access(cmd, X_OK) < 0)
			return err_setk(e, ERRK_EXEC_DENIED, 0, "exec: \"%s\": permission denied",
					cmd);
		snprintf(out, len, "%s", cmd);
		return 0;
	}
	path = env_get(env, "PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		struct stat st;

		snprintf(out, len, "%.*s%s%s", (int)n, path, n ? "/" : "", cmd);
		if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			saw_eacces = 1;
		}
		path += n + (end ? 1 : 0);
		if (!end)
			break;
	}
	if (saw_eacces)
		return err_setk(e, ERRK_EXEC_DENIED, 0, "exec: \"%s\": permission denied", cmd);
	return err_setk(e, ERRK_EXEC_NOT_FOUND, 0,
			"exec: \"%s\": executable file not found in $PATH", cmd);
}

/* chdir into the process's cwd and check it is inside our root: a cwd
 * reached through a leaked fd would show as "(unreachable)/..."
 * (CVE-2024-21626). */
static int enter_cwd(const char *cwd, struct err *e)
{
	char buf[PATH_MAX];
	long n;

	if (chdir(cwd && *cwd ? cwd : "/") < 0)
		return err_sys(e, "chdir to cwd (\"%s\") set in config.json failed", cwd);
	n = syscall(SYS_getcwd, buf, sizeof(buf));
	if (n < 0 || buf[0] != '/')
		return err_set(e, EPERM, "cwd \"%s\" is outside the container's root", cwd);
	return 0;
}

static int open_pty(const struct oci_process *p, int sock, struct err *e)
{
	_cleanup_close_ int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	_cleanup_close_ int slave = -1;
	int unlock = 0;

	if (master < 0)
		master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return err_sys(e, "open /dev/ptmx for the terminal");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return err_sys(e, "unlock pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0) {
		unsigned n;
		char path[64];

		if (ioctl(master, TIOCGPTN, &n) < 0)
			return err_sys(e, "get pty number");
		snprintf(path, sizeof(path), "/dev/pts/%u", n);
		slave = open(path, O_RDWR | O_NOCTTY);
		if (slave < 0)
			return err_sys(e, "open %s", path);
	}
	if (p->has_console_size) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };

		ioctl(slave, TIOCSWINSZ, &ws);
	}
	if (send_fd(sock, MSG_PTY, master, NULL) < 0)
		return err_sys(e, "send the pty master");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return err_sys(e, "set controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return err_sys(e, "dup2 pty to fd %d", i);
	return 0;
}

/* Ask the parent for the state JSON, run the hooks of one kind.  Hooks
 * run here are found in the filesystem the child sees at that moment. */
/* The state JSON for hooks of ours (malloc'd, NULL on error), asked of the
 * parent: it knows the pid in its namespace and the bundle.  status is the
 * runtime spec's for the phase: "creating" inside the create operation
 * (createContainer), "created" once it is done (startContainer). */
static char *child_hook_state(int sock, const char *status, struct err *e)
{
	struct err req = { 0 };
	size_t cap = 1 << 16;
	char *json;
	ssize_t n;

	snprintf(req.msg, sizeof(req.msg), "%s", status);
	if (sync_send(sock, MSG_STATE_REQ, &req) < 0) {
		err_sys(e, "ask for the hook state");
		return NULL;
	}
	json = xmalloc(cap);
	do
		n = recv(sock, json, cap - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		free(json);
		err_sys(e, "receive the hook state");
		return NULL;
	}
	json[n] = '\0';
	return json;
}

static int child_hooks(const struct oci_spec *s, enum oci_hook_kind k, const char *json,
		       struct err *e)
{
	for (size_t i = 0; i < s->hooks.n[k]; i++)
		if (oci_hook_run(&s->hooks.list[k][i], json, e) < 0)
			return -1;
	return 0;
}

/* ---- the container init --------------------------------------------- */

struct child_args {
	const struct oci_create_opts *o;
	int sock;
	int ns_fds[8]; /* namespaces to join, -1 terminated; user first */
	int ns_types[8];
	int unshare_flags;
	int new_userns;
	int fifo_fd; /* O_PATH fd of the exec fifo, -1 */
	const struct oci_bpf *bpf;
};

/* Bring "lo" up in the network namespace we just made: runc and crun do,
 * and programs that talk to 127.0.0.1 (health checks, local daemons) count
 * on it.  A namespace joined by path is its creator's to configure. */
static int loopback_up(struct err *e)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };

	if (fd < 0)
		return err_sys(e, "bring up lo: socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return err_sys(e, "bring up lo: get its flags");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return err_sys(e, "bring up lo");
	return 0;
}

static int join_namespaces(const int *fds, const int *types, struct err *e)
{
	for (int i = 0; fds[i] >= 0; i++)
		if (setns(fds[i], types[i]) < 0)
			return err_sys(e, "join namespace (setns type 0x%x)", types[i]);
	return 0;
}

/* Confine the process from its execve on: "exec PROFILE" into the attr
 * file of AppArmor (its own directory since 5.8, the shared one before),
 * as runc does.  oci_validate refused a profile where AppArmor is off. */
static int apply_apparmor(const char *profile, struct err *e)
{
	_cleanup_close_ int fd = -1;
	char buf[1024];
	int n;

	if (!profile || !*profile)
		return 0;
	n = snprintf(buf, sizeof(buf), "exec %s", profile);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return err_set(e, ENAMETOOLONG, "AppArmor profile %s", profile);
	fd = open("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = open("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "AppArmor profile %s: open /proc/self/attr/exec", profile);
	if (write(fd, buf, (size_t)n) != n)
		return err_sys(e, "apply AppArmor profile %s", profile);
	return 0;
}

/* Everything between "joined the namespaces" and "ready to exec" that the
 * init and exec'd processes share: user, capabilities, cwd, lookup. */
static int finish_process(const struct oci_process *p, const struct oci_bpf *bpf, int setgroups_ok,
			  char *exe, size_t exe_len, char *home, size_t home_len, struct err *e)
{
	if (set_rlimits(p, e) < 0)
		return -1;
	/* While still root: /etc/passwd may be unreadable to the user. */
	home[0] = '\0';
	if (!env_get(p->env, "HOME"))
		passwd_home(p->user.uid, home, home_len);
	/* Without no_new_privs, installing a filter needs CAP_SYS_ADMIN:
	 * do it before the capabilities go (runc's order).  With it, as
	 * late as possible, just before execve. */
	if (bpf && bpf->len && !p->no_new_privileges) {
		fds_cloexec_from(3); /* close_range may not pass the filter */
		if (oci_seccomp_load(bpf, e) < 0)
			return -1;
	}
	if (p->has_oom_score_adj) {
		char v[16];

		snprintf(v, sizeof(v), "%d", p->oom_score_adj);
		if (write_proc("/proc/self/oom_score_adj", v, e) < 0)
			return -1;
	}
	if (apply_apparmor(p->apparmor_profile, e) < 0)
		return -1;
	if (set_user_caps(p, setgroups_ok, e) < 0)
		return -1;
	if (p->user.has_umask)
		umask(p->user.umask);
	else
		umask(022);
	if (enter_cwd(p->cwd, e) < 0)
		return -1;
	if (lookup_exec(p->args[0], p->env, exe, exe_len, e) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_sys(e, "prctl PR_SET_NO_NEW_PRIVS");
	return 0;
}

/* home: "HOME=..." to add to the environment, or "" (finish_process). */
static int exec_process(const struct oci_process *p, const char *exe, const char *home,
			const struct oci_bpf *bpf, int preserve_fds, struct err *e)
{
	size_t n = 0;

	while (p->env && p->env[n])
		n++;
	/* On the stack: no malloc between a raw clone and execve. */
	char *env[n + 2];

	for (size_t i = 0; i < n; i++)
		env[i] = p->env[i];
	env[n] = *home ? (char *)home : NULL;
	env[n + 1] = NULL;
	/* Before the filter: a strict profile may refuse close_range. */
	fds_cloexec_from(3 + preserve_fds);
	if (bpf && bpf->len && p->no_new_privileges && oci_seccomp_load(bpf, e) < 0)
		return -1;
	execve(exe, p->args, env);
	return err_setk(e,
			errno == EACCES	  ? ERRK_EXEC_DENIED
			: errno == ENOENT ? ERRK_EXEC_NOT_FOUND
					  : ERRK_GENERIC,
			0, "exec: \"%s\": %s", p->args[0],
			errno == EACCES ? "permission denied" : strerror(errno));
}

static __attribute__((noreturn)) void child_main(struct child_args *a)
{
	const struct oci_create_opts *o = a->o;
	const struct oci_spec *s = o->spec;
	const struct oci_process *p = s->process;
	struct mount_ctx mc = { .rootfs = o->rootfs, .cgroup_path = o->cgroup_path };
	struct sync_msg m;
	struct err e = { 0 };
	char exe[PATH_MAX], home[PATH_MAX + 8];
	char *start_state = NULL; /* never freed: execve or _exit */
	int r;

	/* Die with the parent while it still cares about us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	reset_signals();
	r = sync_recv(a->sock, &m, NULL);
	if (r != MSG_GO)
		_exit(127);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	if (join_namespaces(a->ns_fds, a->ns_types, &e) < 0)
		child_fail(a->sock, &e);
	if (a->unshare_flags && unshare(a->unshare_flags) < 0) {
		err_sys(&e, "unshare namespaces (flags 0x%x)", a->unshare_flags);
		child_fail(a->sock, &e);
	}
	if (a->new_userns) {
		/* uid 0 of the new namespace (mapped by the parent). */
		if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0) {
			err_sys(&e, "become root in the user namespace (is uid/gid 0 mapped?)");
			child_fail(a->sock, &e);
		}
	}
	if ((a->unshare_flags & CLONE_NEWNET) && loopback_up(&e) < 0)
		child_fail(a->sock, &e);
	if (setsid() < 0) {
		err_sys(&e, "setsid");
		child_fail(a->sock, &e);
	}
	if (s->linux.has_time_offsets) {
		char v[128];

		snprintf(v, sizeof(v), "monotonic %lld %u\nboottime %lld %u\n",
			 (long long)s->linux.monotonic_secs, s->linux.monotonic_nanosecs,
			 (long long)s->linux.boottime_secs, s->linux.boottime_nanosecs);
		if (write_proc("/proc/self/timens_offsets", v, &e) < 0)
			child_fail(a->sock, &e);
	}
	if (a->unshare_flags & CLONE_NEWUTS) {
		if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) {
			err_sys(&e, "sethostname %s", s->hostname);
			child_fail(a->sock, &e);
		}
		if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0) {
			err_sys(&e, "setdomainname %s", s->domainname);
			child_fail(a->sock, &e);
		}
	}

	/* Mounts: our tree must not propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		/* EINVAL: "/" is a chroot into a plain directory, and the
		 * mount it lies in cannot be named from here: our mounts
		 * could propagate to the host through it.  Refuse. */
		if (errno == EINVAL)
			err_set(&e, EINVAL,
				"make / rslave: / is not a mount point (a chroot into a "
				"directory?): bind-mount the new root onto itself before chroot");
		else
			err_sys(&e, "make / rslave");
		child_fail(a->sock, &e);
	}
	if (mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
		err_sys(&e, "bind mount rootfs %s", o->rootfs);
		child_fail(a->sock, &e);
	}
	mc.rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mc.rootfd < 0) {
		err_sys(&e, "open rootfs %s", o->rootfs);
		child_fail(a->sock, &e);
	}
	mc.new_cgroupns = !!(a->unshare_flags & CLONE_NEWCGROUP);
	mc.userns = a->new_userns || oci_spec_namespace(s, CLONE_NEWUSER);
	for (size_t i = 0; i < s->n_mounts; i++) {
		if (do_mount(&mc, &s->mounts[i], &e) < 0)
			child_fail(a->sock, &e);
	}
	if (setup_dev(&mc, s, is_dev_tmpfs(s), &e) < 0)
		child_fail(a->sock, &e);

	/* prestart / createRuntime hooks run in the parent now. */
	if (o->on_created) {
		if (sync_send(a->sock, MSG_CREATED, NULL) < 0 ||
		    sync_recv(a->sock, &m, NULL) != MSG_GO)
			_exit(127);
	}
	if (s->hooks.n[OCI_HOOK_CREATE_CONTAINER]) {
		char *json = child_hook_state(a->sock, "creating", &e);

		if (!json || child_hooks(s, OCI_HOOK_CREATE_CONTAINER, json, &e) < 0)
			child_fail(a->sock, &e);
		free(json);
	}

	if (do_pivot(o->rootfs, o->no_pivot, &e) < 0)
		child_fail(a->sock, &e);
	close(mc.rootfd);
	/* Before the read-only paths: /proc/sys is usually one of them. */
	if (set_sysctls(s, &e) < 0)
		child_fail(a->sock, &e);
	if (mask_paths(s->linux.masked_paths, &e) < 0 ||
	    readonly_paths(s->linux.readonly_paths, &e) < 0)
		child_fail(a->sock, &e);
	if (s->root_readonly && remount_ro("/", &e) < 0)
		child_fail(a->sock, &e);
	if (s->linux.rootfs_propagation &&
	    mount(NULL, "/", NULL, s->linux.rootfs_propagation, NULL) < 0) {
		err_sys(&e, "set rootfs propagation");
		child_fail(a->sock, &e);
	}
	if (p->terminal && open_pty(p, a->sock, &e) < 0)
		child_fail(a->sock, &e);
	if (finish_process(p, a->bpf, 1, exe, sizeof(exe), home, sizeof(home), &e) < 0)
		child_fail(a->sock, &e);

	/* Asked for now: after `create` returned nobody answers. */
	if (s->hooks.n[OCI_HOOK_START_CONTAINER]) {
		start_state = child_hook_state(a->sock, "created", &e);
		if (!start_state)
			child_fail(a->sock, &e);
	}
	if (a->fifo_fd >= 0) {
		char path[64];
		int fd;

		/* `create` exits once it reads READY: stop dying with it
		 * first, or a slow init is killed by its parent's exit. */
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
		sync_send(a->sock, MSG_READY, NULL);
		/* Blocks until `start` opens the fifo for reading. */
		fdpath(path, sizeof(path), a->fifo_fd);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(127);
		close(fd);
		close(a->fifo_fd);
		if (child_hooks(s, OCI_HOOK_START_CONTAINER, start_state, &e) < 0)
			goto late_fail;
	} else {
		if (child_hooks(s, OCI_HOOK_START_CONTAINER, start_state, &e) < 0)
			child_fail(a->sock, &e);
		sync_send(a->sock, MSG_READY, NULL);
	}
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (exec_process(p, exe, home, a->bpf, o->preserve_fds, &e) < 0) {
		if (a->fifo_fd < 0)
			child_fail(a->sock, &e);
		goto late_fail;
	}
late_fail:
	/* Nobody waits on the socket after `create` returned: say it on the
	 * container's stderr. */
	{
		char buf[700];
		int n = snprintf(buf, sizeof(buf), "nook: %s%s%s\n", e.msg, e.errnum ? ": " : "",
				 e.errnum ? strerror(e.errnum) : "");

		if (n > 0)
			write_all(2, buf, (size_t)n);
	}
	_exit(127);
}

/* ---- parent side ----------------------------------------------------- */

static const struct {
	int type;
	const char *file;
} ns_files[] = {
	/* user first: joining the others needs its capabilities. */
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mnt" },    { CLONE_NEWNET, "net" },
	{ CLONE_NEWIPC, "ipc" },   { CLONE_NEWUTS, "uts" },   { CLONE_NEWCGROUP, "cgroup" },
	{ CLONE_NEWPID, "pid" },   { CLONE_NEWTIME, "time" },
};

static int write_idmap(pid_t pid, const char *file, const struct oci_idmap *m, size_t n,
		       struct err *e)
{
	char path[64], buf[4096];
	size_t off = 0;

	for (size_t i = 0; i < n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%u %u %u\n",
					m[i].container_id, m[i].host_id, m[i].size);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return file_write(path, buf, e);
}

static void reap(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Clone with CLONE_INTO_CGROUP where the kernel has it.  *in_cgroup says
 * whether the child is already in its cgroup. */
static pid_t clone_child(uint64_t flags, int cgroup_fd, int *in_cgroup, struct err *e)
{
	struct nook_clone_args ca = { .flags = flags, .exit_signal = SIGCHLD };
	pid_t pid;

	*in_cgroup = 0;
	if (cgroup_fd >= 0) {
		ca.flags |= NOOK_CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_fd;
	}
	pid = sys_clone3(&ca);
	if (pid >= 0) {
		*in_cgroup = cgroup_fd >= 0;
		return pid;
	}
	/* ENOSYS: kernel < 5.3 or qemu-user; E2BIG/EINVAL: no
	 * CLONE_INTO_CGROUP (< 5.7). */
	if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
		return err_sys(e, "clone3");
	pid = sys_clone((unsigned long)flags);
	if (pid < 0)
		return err_sys(e, "clone");
	return pid;
}

/* Set our pid_for_children (and time_for_children) to the namespaces the
 * child must be born in; *saved gets fds to restore them. */
static int enter_for_children(int pidns, int timens, int saved[2], struct err *e)
{
	saved[0] = saved[1] = -1;
	if (pidns >= 0) {
		saved[0] = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		if (saved[0] < 0)
			return err_sys(e, "open /proc/self/ns/pid_for_children");
		if (setns(pidns, CLONE_NEWPID) < 0)
			return err_sys(e, "join pid namespace");
	}
	if (timens >= 0) {
		saved[1] = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
		if (saved[1] < 0)
			return err_sys(e, "open /proc/self/ns/time_for_children");
		if (setns(timens, CLONE_NEWTIME) < 0)
			return err_sys(e, "join time namespace");
	}
	return 0;
}

static void leave_for_children(int saved[2])
{
	if (saved[0] >= 0) {
		setns(saved[0], CLONE_NEWPID);
		close(saved[0]);
	}
	if (saved[1] >= 0) {
		setns(saved[1], CLONE_NEWTIME);
		close(saved[1]);
	}
}

/* Forward a pty master to the caller's console socket. */
static int forward_pty(int console_socket, int master, struct err *e)
{
	if (console_socket < 0) {
		close(master);
		return err_set(e, EINVAL,
			       "process.terminal is set but no --console-socket was given");
	}
	if (send_fd(console_socket, 0, master, "/dev/ptmx") < 0) {
		close(master);
		return err_sys(e, "send the pty master to the console socket");
	}
	close(master);
	return 0;
}

/* Serve the child until it is ready (or has exec'd, or failed). */
static int parent_loop(int sock, pid_t pid, int console_socket,
		       int (*on_created)(void *, pid_t, struct err *),
		       char *(*state_json)(void *, pid_t, const char *), void *arg, int want_eof,
		       struct err *e)
{
	for (;;) {
		struct sync_msg m;
		int passed = -1;
		int t = sync_recv(sock, &m, &passed);

		switch (t) {
		case MSG_CREATED:
			if (on_created && on_created(arg, pid, e) < 0)
				return -1;
			if (sync_send(sock, MSG_GO, NULL) < 0)
				return err_sys(e, "sync with container init");
			break;
		case MSG_STATE_REQ: {
			_cleanup_free_ char *js = NULL;

			m.msg[sizeof(m.msg) - 1] = '\0';
			js = state_json ? state_json(arg, pid, m.msg) : xstrdup("{}");

			if (send(sock, js, strlen(js), MSG_NOSIGNAL) < 0)
				return err_sys(e, "send state to container init");
			break;
		}
		case MSG_PTY:
			if (forward_pty(console_socket, passed, e) < 0)
				return -1;
			break;
		case MSG_READY:
			if (!want_eof)
				return 0;
			break;
		case MSG_ERROR:
			e->errnum = m.errnum;
			e->kind = m.kind;
			memcpy(e->msg, m.msg, sizeof(e->msg));
			return -1;
		case 0:
			if (want_eof)
				return 0; /* execve closed the socket */
			return err_set(e, 0, "container init exited during setup");
		default: return err_sys(e, "read from container init");
		}
	}
}

pid_t oci_linux_create(const struct oci_create_opts *o, struct err *e)
{
	const struct oci_spec *s = o->spec;
	struct child_args a = { .o = o, .fifo_fd = -1 };
	struct oci_bpf bpf = { 0 };
	int sp[2] = { -1, -1 }, saved[2] = { -1, -1 };
	int pidns = -1, timens = -1, nj = 0, in_cgroup = 0;
	uint64_t flags = 0;
	pid_t pid = -1;

	for (int i = 0; i < 8; i++)
		a.ns_fds[i] = -1;
	if (!s->process)
		return err_set(e, EINVAL, "config.json: process is required");
	if (oci_validate(s, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_mounts; i++)
		if (path_escapes(s->mounts[i].destination))
			return err_set(
				e, EINVAL,
				"mounts[%zu].destination \"%s\": outside the container's root", i,
				s->mounts[i].destination);

	/* Namespaces: open the ones to join (user first), pick the new ones. */
	for (size_t k = 0; k < ARRAY_SIZE(ns_files); k++) {
		const struct oci_namespace *ns = oci_spec_namespace(s, ns_files[k].type);
		int fd;

		if (!ns)
			continue;
		if (!ns->path || !*ns->path) {
			if (ns->type == CLONE_NEWUSER || ns->type == CLONE_NEWPID)
				flags |= (uint64_t)ns->type;
			else
				a.unshare_flags |= ns->type;
			continue;
		}
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err_sys(e, "open %s namespace %s", ns_files[k].file, ns->path);
			goto fail;
		}
		if (ns->type == CLONE_NEWPID) {
			pidns = fd;
		} else if (ns->type == CLONE_NEWTIME) {
			timens = fd;
		} else {
			a.ns_fds[nj] = fd;
			a.ns_types[nj++] = ns->type;
		}
	}
	a.new_userns = !!(flags & CLONE_NEWUSER);
	if ((s->hostname || s->domainname) && !(a.unshare_flags & CLONE_NEWUTS)) {
		err_set(e, EINVAL,
			"%s is set but there is no new uts namespace: it would change the host's",
			s->hostname ? "hostname" : "domainname");
		goto fail;
	}
	if (a.new_userns && !s->linux.n_uid_mappings) {
		err_set(e, EINVAL, "linux.uidMappings: required with a new user namespace");
		goto fail;
	}
	if (s->linux.has_time_offsets && !(a.unshare_flags & CLONE_NEWTIME)) {
		err_set(e, EINVAL, "linux.timeOffsets: needs a new time namespace");
		goto fail;
	}
	if (s->linux.seccomp && oci_seccomp_build(s->linux.seccomp, &bpf, e) < 0)
		goto fail;
	a.bpf = &bpf;
	if (o->exec_fifo) {
		a.fifo_fd = open(o->exec_fifo, O_PATH | O_CLOEXEC);
		if (a.fifo_fd < 0) {
			err_sys(e, "open %s", o->exec_fifo);
			goto fail;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		err_sys(e, "socketpair");
		goto fail;
	}
	if (enter_for_children(pidns, timens, saved, e) < 0) {
		leave_for_children(saved);
		goto fail;
	}
	pid = clone_child(flags, o->cgroup_fd, &in_cgroup, e);
	if (pid == 0) {
		close(sp[0]);
		a.sock = sp[1];
		child_main(&a);
	}
	leave_for_children(saved);
	if (pid < 0)
		goto fail;
	close(sp[1]);
	sp[1] = -1;

	if (!in_cgroup && o->cgroup_path && oci_cgroup_enter(o->cgroup_path, pid, e) < 0)
		goto fail_child;
	if (a.new_userns) {
		if (write_idmap(pid, "uid_map", s->linux.uid_mappings, s->linux.n_uid_mappings, e) <
			    0 ||
		    write_idmap(pid, "gid_map", s->linux.gid_mappings, s->linux.n_gid_mappings, e) <
			    0) {
			err_wrap(e, "user namespace mappings");
			goto fail_child;
		}
	}
	if (sync_send(sp[0], MSG_GO, NULL) < 0) {
		err_sys(e, "start container init");
		goto fail_child;
	}
	if (parent_loop(sp[0], pid, o->console_socket, o->on_created, o->state_json, o->arg,
			!o->exec_fifo, e) < 0)
		goto fail_child;
	goto out;

fail_child:
	reap(pid);
fail:
	pid = -1;
out:
	for (int i = 0; i < nj; i++)
		close(a.ns_fds[i]);
	if (pidns >= 0)
		close(pidns);
	if (timens >= 0)
		close(timens);
	if (a.fifo_fd >= 0)
		close(a.fifo_fd);
	if (sp[0] >= 0)
		close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
	oci_bpf_free(&bpf);
	return pid;
}

/* ---- exec ------------------------------------------------------------ */

struct exec_child {
	const struct oci_exec_opts *o;
	int sock;
	int root_fd; /* O_PATH of /proc/<init>/root, opened before setns */
	int wait_go; /* cloned without CLONE_INTO_CGROUP: wait to be moved */
	int ns_fds[8];
	int ns_types[8];
	const struct oci_bpf *bpf;
};

static __attribute__((noreturn)) void exec_child_main(struct exec_child *a)
{
	const struct oci_process *p = a->o->process;
	struct sync_msg m;
	struct err e = { 0 };
	char exe[PATH_MAX], home[PATH_MAX + 8];

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	reset_signals();
	/* Not born in the container's cgroup (clone(2) fallback): nothing of
	 * the command may run before the parent has moved us there. */
	if (a->wait_go && sync_recv(a->sock, &m, NULL) != MSG_GO)
		_exit(127);
	if (join_namespaces(a->ns_fds, a->ns_types, &e) < 0)
		child_fail(a->sock, &e);
	/* setns(CLONE_NEWNS) puts us at the root of the mount namespace,
	 * which is the container's root only if its init could pivot_root.
	 * Where it could not (nook run from a chroot, or without pivot), the
	 * init chrooted into a directory of that namespace: enter the very
	 * directory the init sees as "/", as it is, or we would run in the
	 * host's root. */
	if (fchdir(a->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		err_sys(&e, "enter the container's root");
		child_fail(a->sock, &e);
	}
	close(a->root_fd);
	if (setsid() < 0 && p->terminal) {
		err_sys(&e, "setsid");
		child_fail(a->sock, &e);
	}
	if (p->terminal && open_pty(p, a->sock, &e) < 0)
		child_fail(a->sock, &e);
	if (finish_process(p, a->bpf, 1, exe, sizeof(exe), home, sizeof(home), &e) < 0)
		child_fail(a->sock, &e);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	exec_process(p, exe, home, a->bpf, a->o->preserve_fds, &e);
	child_fail(a->sock, &e);
}

pid_t oci_linux_exec(const struct oci_exec_opts *o, struct err *e)
{
	struct exec_child a = { .o = o, .root_fd = -1 };
	struct oci_bpf bpf = { 0 };
	int sp[2] = { -1, -1 }, saved[2] = { -1, -1 };
	int pidns = -1, timens = -1, nj = 0, in_cgroup = 0;
	_cleanup_close_ int cgfd = -1;
	pid_t pid = -1;

	for (int i = 0; i < 8; i++)
		a.ns_fds[i] = -1;
	if (!o->process || !o->process->args || !o->process->args[0])
		return err_set(e, EINVAL, "exec: no command given");
	if (oci_apparmor_check(o->process->apparmor_profile, "exec: AppArmor profile", e) < 0)
		return -1;
	for (size_t k = 0; k < ARRAY_SIZE(ns_files); k++) {
		char path[64], self[64];
		struct stat st1, st2;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)o->pid, ns_files[k].file);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_files[k].file);
		if (stat(path, &st1) < 0) {
			if (errno == ENOENT && ns_files[k].type == CLONE_NEWTIME)
				continue; /* kernel without time namespaces */
			err_sys(e, "container process %d", (int)o->pid);
			goto fail;
		}
		/* Joining the namespace we are in is EINVAL for user. */
		if (stat(self, &st2) == 0 && st1.st_ino == st2.st_ino && st1.st_dev == st2.st_dev)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err_sys(e, "open %s", path);
			goto fail;
		}
		if (ns_files[k].type == CLONE_NEWPID) {
			pidns = fd;
		} else if (ns_files[k].type == CLONE_NEWTIME) {
			timens = fd;
		} else {
			a.ns_fds[nj] = fd;
			a.ns_types[nj++] = ns_files[k].type;
		}
	}
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/root", (int)o->pid);
		a.root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (a.root_fd < 0) {
			err_sys(e, "container process %d: open %s", (int)o->pid, path);
			goto fail;
		}
	}
	if (o->seccomp && oci_seccomp_build(o->seccomp, &bpf, e) < 0)
		goto fail;
	a.bpf = &bpf;
	if (o->cgroup_path) {
		cgfd = open(o->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgfd < 0) {
			err_sys(e, "open cgroup %s", o->cgroup_path);
			goto fail;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		err_sys(e, "socketpair");
		goto fail;
	}
	if (enter_for_children(pidns, timens, saved, e) < 0) {
		leave_for_children(saved);
		goto fail;
	}
	pid = clone_child(0, cgfd, &in_cgroup, e);
	if (pid == 0) {
		close(sp[0]);
		a.sock = sp[1];
		a.wait_go = !in_cgroup && cgfd >= 0;
		exec_child_main(&a);
	}
	leave_for_children(saved);
	if (pid < 0)
		goto fail;
	close(sp[1]);
	sp[1] = -1;
	if (!in_cgroup && cgfd >= 0) {
		if (oci_cgroup_enter(o->cgroup_path, pid, e) < 0)
			goto fail_child;
		if (sync_send(sp[0], MSG_GO, NULL) < 0) {
			err_sys(e, "start the exec'd process");
			goto fail_child;
		}
	}
	if (parent_loop(sp[0], pid, o->console_socket, NULL, NULL, NULL, 1, e) < 0)
		goto fail_child;
	goto out;

fail_child:
	reap(pid);
fail:
	pid = -1;
out:
	for (int i = 0; i < nj; i++)
		close(a.ns_fds[i]);
	if (pidns >= 0)
		close(pidns);
	if (timens >= 0)
		close(timens);
	if (a.root_fd >= 0)
		close(a.root_fd);
	if (sp[0] >= 0)
		close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
	oci_bpf_free(&bpf);
	return pid;
}

/* ---- foreground ------------------------------------------------------ */

/* Foreground run/exec: forward signals to the process, relay its
 * terminal when we hold the pty master (pty >= 0), reap it, return its
 * code (128+N for a signal, like a shell).  The caller has SIGCHLD
 * blocked since before the clone, so no exit is lost. */
int oci_linux_wait(pid_t pid, int pty)
{
	struct termios saved;
	int raw = 0, st = 0, sfd, in_open = 1;
	sigset_t all;
	char buf[4096];

	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (pty >= 0 && isatty(0) && tcgetattr(0, &saved) == 0) {
		struct termios t = saved;
		struct winsize ws;

		cfmakeraw(&t);
		raw = tcsetattr(0, TCSANOW, &t) == 0;
		if (ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(pty, TIOCSWINSZ, &ws);
	}
	for (;;) {
		struct pollfd p[3] = { { .fd = sfd, .events = POLLIN },
				       { .fd = pty, .events = POLLIN },
				       { .fd = in_open && pty >= 0 ? 0 : -1, .events = POLLIN } };
		struct signalfd_siginfo si;
		ssize_t n;

		if (poll(p, 3, -1) < 0)
			continue;
		if (p[1].revents & (POLLIN | POLLHUP)) {
			n = read(pty, buf, sizeof(buf));
			if (n > 0)
				write_all(1, buf, (size_t)n);
			else if (n <= 0 && errno != EINTR && errno != EAGAIN)
				pty = -1; /* EIO: the last slave closed */
		}
		if (p[2].revents & (POLLIN | POLLHUP)) {
			n = read(0, buf, sizeof(buf));
			if (n > 0)
				write_all(pty, buf, (size_t)n);
			else
				in_open = 0;
		}
		if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH && pty >= 0) {
			struct winsize ws;

			if (ioctl(0, TIOCGWINSZ, &ws) == 0)
				ioctl(pty, TIOCSWINSZ, &ws);
			continue;
		}
		if (si.ssi_signo != SIGCHLD) {
			kill(pid, (int)si.ssi_signo);
			continue;
		}
		/* Reap every child; ours decides. */
		for (pid_t r; (r = waitpid(-1, &st, WNOHANG)) > 0;)
			if (r == pid)
				goto done;
	}
done:
	/* Drain what the process wrote last. */
	while (pty >= 0) {
		struct pollfd p = { .fd = pty, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 0) <= 0 || (n = read(pty, buf, sizeof(buf))) <= 0)
			break;
		write_all(1, buf, (size_t)n);
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	close(sfd);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* For a foreground terminal without --console-socket we are the console
 * socket's other end: a socketpair whose far end receives the master. */
int oci_linux_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], data[64];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) < 0)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* ---- start ----------------------------------------------------------- */

int oci_linux_start(const char *exec_fifo, pid_t pid, uint64_t pid_start, struct err *e)
{
	_cleanup_close_ int fd = open(exec_fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char b;

	if (fd < 0) {
		if (errno == ENOENT)
			return err_set(e, 0, "cannot start an already running container");
		return err_sys(e, "open %s", exec_fifo);
	}
	for (;;) {
		/* The init opens the fifo for writing (it blocked until we
		 * opened it for reading) and writes one byte.  Poll with a
		 * bounded wait so a dead init is noticed. */
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, 100);

		if (r > 0 && read(fd, &b, 1) == 1)
			break;
		if (r < 0 && errno != EINTR)
			return err_sys(e, "poll %s", exec_fifo);
		if (!proc_running(pid, pid_start))
			return err_set(e, 0, "cannot start a container that has stopped");
		if (r > 0) {
			/* POLLHUP before the writer wrote: a moment. */
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	unlink(exec_fifo);
	return 0;
}

/* ---- hooks ----------------------------------------------------------- */

int oci_hook_run(const struct oci_hook *h, const char *state_json, struct err *e)
{
	int in[2];
	pid_t pid;
	int st = 0;
	int waited_ms = 0;
	/* Without env: a PATH, as runc and crun give, so that a hook script
	 * finds its programs. */
	char *const env_default[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL
	};
	char *const argv_default[] = { h->path, NULL };

	if (pipe2(in, O_CLOEXEC) < 0)
		return err_sys(e, "hook %s: pipe", h->path);
	/* Raw clone: this may run in a freshly cloned container child. */
	pid = sys_clone(0);
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return err_sys(e, "hook %s: fork", h->path);
	}
	if (pid == 0) {
		reset_signals();
		dup2(in[0], 0);
		execve(h->path, h->args && h->args[0] ? h->args : argv_default,
		       h->env ? h->env : env_default);
		_exit(127);
	}
	close(in[0]);
	/* The hook may not read its stdin: a closed pipe is fine. */
	write_all(in[1], state_json, strlen(state_json));
	close(in[1]);
	for (;;) {
		pid_t r = waitpid(pid, &st, h->timeout > 0 ? WNOHANG : 0);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return err_sys(e, "hook %s: wait", h->path);
		if (r == 0) {
			/* A hook with a timeout: check every 10 ms.  Hooks
			 * are rare and short; a pidfd would need 5.3. */
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			waited_ms += 10;
			if (waited_ms >= h->timeout * 1000) {
				reap(pid);
				return err_set(e, ETIMEDOUT, "hook %s: timed out after %d s",
					       h->path, h->timeout);
			}
		}
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		return err_set(e, 0, "hook %s: exited with status %d%s", h->path, WEXITSTATUS(st),
			       WEXITSTATUS(st) == 127 ? " (cannot execute?)" : "");
	return err_set(e, 0, "hook %s: killed by signal %d", h->path, WTERMSIG(st));
}

/* ---- CVE-2019-5736 ----------------------------------------------------- */

int oci_reexec_sealed(char **argv, struct err *e)
{
	extern char **environ;
	_cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int mfd = -1;
	int seals;
	struct stat st;
	off_t off = 0;

	if (self < 0)
		return err_sys(e, "open /proc/self/exe");
	seals = fcntl(self, F_GET_SEALS);
	if (seals >= 0 && (seals & F_SEAL_WRITE))
		return 0; /* already running from the sealed copy */
	if (fstat(self, &st) < 0)
		return err_sys(e, "stat /proc/self/exe");
	mfd = memfd_create("nook", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return err_sys(e, "memfd_create");
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, self, NULL, (size_t)(st.st_size - off));

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return err_sys(e, "copy /proc/self/exe into a memfd");
		}
		off += n;
	}
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return err_sys(e, "seal memfd");
	{
		/* The copy has no path: tell it where the binary lives (the
		 * engine's exit commands need it). */
		char real[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", real, sizeof(real) - 1);

		if (n > 0) {
			real[n] = '\0';
			setenv("NOOK_EXE", real, 1);
		}
	}
	fexecve(mfd, argv, environ);
	return err_sys(e, "re-exec from the sealed memfd");
}
