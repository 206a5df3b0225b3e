// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * overlay: see overlay.h.  The overlay's mount options are one string of
 * comma-separated key=value pairs whose lowerdir may list several layers
 * split by ':', so no path given to it may hold ',', ':' or '\'.
 */
#include "store/overlay.h"

#include "store/images.h"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

static int path_ok(const char *p)
{
	return !strpbrk(p, ",:\\");
}

int overlay_lower_valid(const char *lower, struct err *e)
{
	if (!path_ok(lower))
		return err_set(
			e, EINVAL,
			"%s: an overlay's lower directory cannot have ',', ':' or '\\' in its "
			"path",
			lower);
	return 0;
}

char *overlay_merged_path(const struct store *s, const char *id)
{
	return store_run_path(s, id, "merged");
}

/* path is the root of a mount (its device differs from its parent's). */
static int is_mountpoint(const char *path)
{
	_cleanup_free_ char *parent = xasprintf("%s/..", path);
	struct stat a, b;

	return stat(path, &a) == 0 && stat(parent, &b) == 0 &&
	       (a.st_dev != b.st_dev || a.st_ino == b.st_ino);
}

/* Mount the overlay with lowerdir lower; rel_dir: the directory lower's
 * relative names are in (the mount resolves them against our cwd). */
static int mount_overlay(const struct store *s, const char *id, const char *lower,
			 const char *rel_dir, struct err *e)
{
	_cleanup_free_ char *merged = overlay_merged_path(s, id);
	_cleanup_free_ char *top = store_path(s, id, "overlay");
	_cleanup_free_ char *upper = xasprintf("%s/upper", top);
	_cleanup_free_ char *work = xasprintf("%s/work", top);
	_cleanup_free_ char *opts = NULL;
	_cleanup_close_ int cwd = -1;
	int r, saved;

	if (is_mountpoint(merged))
		return 0;
	if (!path_ok(top) || !path_ok(merged))
		return err_set(e, EINVAL,
			       "an overlay needs --root and --runroot paths without ',', ':' or "
			       "'\\' (%s, %s)",
			       top, merged);
	if (mkdir_p(upper, 0755, e) < 0 || mkdir_p(work, 0700, e) < 0 ||
	    mkdir_p(merged, 0755, e) < 0)
		return -1;
	opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	if (strlen(opts) >= 4096)
		return err_set(e, E2BIG, "the overlay's mount options are longer than a page (%zu)",
			       strlen(opts));
	if (rel_dir) {
		cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cwd < 0 || chdir(rel_dir) < 0)
			return err_sys(e, "chdir %s", rel_dir);
	}
	r = mount("overlay", merged, "overlay", MS_NODEV, opts);
	saved = errno;
	if (cwd >= 0 && fchdir(cwd) < 0)
		return err_sys(e, "chdir back");
	errno = saved;
	if (r < 0)
		return err_sys(e, "mount an overlay of %s on %s%s",
			       rel_dir ? "the image's layers" : lower, merged,
			       errno == ENODEV ? " (the kernel has no overlay filesystem)" : "");
	return 0;
}

int overlay_mount(const struct store *s, const char *id, const char *lower, struct err *e)
{
	if (overlay_lower_valid(lower, e) < 0)
		return -1;
	return mount_overlay(s, id, lower, NULL, e);
}

int overlay_mount_layers(const struct store *s, const char *id, const char *lowerdir, struct err *e)
{
	_cleanup_free_ char *l = images_link_dir(s);

	if (strpbrk(lowerdir, ",\\/") || !*lowerdir)
		return err_set(e, EINVAL, "bad layer list \"%s\"", lowerdir);
	return mount_overlay(s, id, lowerdir, l, e);
}

void overlay_unmount(const struct store *s, const char *id)
{
	_cleanup_free_ char *merged = overlay_merged_path(s, id);

	if (is_mountpoint(merged) && umount2(merged, 0) < 0)
		umount2(merged, MNT_DETACH); /* busy: still in use by a process */
	rmdir(merged);
}

/* ---- squashfs ----------------------------------------------------------- */

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
#endif

int overlay_squashfs_check(const char *file, struct err *e)
{
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	unsigned char m[4];

	if (fd < 0)
		return err_sys(e, "open %s", file);
	if (read(fd, m, 4) != 4 || memcmp(m, "hsqs", 4) != 0)
		return err_set(e, 0, "%s: not a squashfs image (a directory or a .sqfs file)",
			       file);
	return 0;
}

char *overlay_squashfs_lower(const struct store *s, const char *id)
{
	return store_run_path(s, id, "lower");
}

/* A read-only loop device for file, detached by the kernel once its last
 * user (the mount) is gone; its fd, with its path in dev. */
static int loop_attach(const char *file, char dev[32], struct err *e)
{
	_cleanup_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	_cleanup_close_ int ffd = open(file, O_RDONLY | O_CLOEXEC);

	if (ffd < 0)
		return err_sys(e, "open %s", file);
	if (ctl < 0)
		return err_sys(e, "open /dev/loop-control (the kernel has no loop devices?)");
	for (int tries = 0; tries < 8; tries++) {
		struct loop_config cfg = { .fd = (uint32_t)ffd };
		int n = ioctl(ctl, LOOP_CTL_GET_FREE), lfd, r;

		if (n < 0)
			return err_sys(e, "find a free loop device");
		snprintf(dev, 32, "/dev/loop%d", n);
		lfd = open(dev, O_RDWR | O_CLOEXEC);
		if (lfd < 0)
			return err_sys(e, "open %s", dev);
		cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
		r = ioctl(lfd, LOOP_CONFIGURE, &cfg);
		if (r < 0 && (errno == EINVAL || errno == ENOTTY)) { /* before 5.8 */
			struct loop_info64 info = { .lo_flags = LO_FLAGS_READ_ONLY |
								LO_FLAGS_AUTOCLEAR };

			r = ioctl(lfd, LOOP_SET_FD, ffd);
			if (r == 0 && ioctl(lfd, LOOP_SET_STATUS64, &info) < 0) {
				ioctl(lfd, LOOP_CLR_FD, 0);
				r = -1;
			}
		}
		if (r == 0)
			return lfd;
		close(lfd);
		if (errno != EBUSY) /* EBUSY: another taker was first */
			return err_sys(e, "set up %s for %s", dev, file);
	}
	return err_set(e, EBUSY, "no free loop device for %s", file);
}

int overlay_squashfs_mount(const struct store *s, const char *id, const char *file, struct err *e)
{
	_cleanup_free_ char *lower = overlay_squashfs_lower(s, id);
	_cleanup_close_ int lfd = -1;
	char dev[32];

	if (is_mountpoint(lower))
		return 0;
	if (mkdir_p(lower, 0755, e) < 0 || overlay_squashfs_check(file, e) < 0)
		return -1;
	lfd = loop_attach(file, dev, e);
	if (lfd < 0)
		return -1;
	if (mount(dev, lower, "squashfs", MS_RDONLY | MS_NODEV, NULL) < 0)
		return err_sys(e, "mount %s (through %s) on %s%s", file, dev, lower,
			       errno == ENODEV ? " (the kernel has no squashfs)" : "");
	return 0;
}

void overlay_squashfs_unmount(const struct store *s, const char *id)
{
	_cleanup_free_ char *lower = overlay_squashfs_lower(s, id);

	if (is_mountpoint(lower) && umount2(lower, 0) < 0)
		umount2(lower, MNT_DETACH);
	rmdir(lower);
}
