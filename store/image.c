// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * image: see image.h.  The overlay's mount options are one string of
 * comma-separated key=value pairs whose lowerdir may list several layers
 * split by ':', so no path given to it may hold ',', ':' or '\'.
 */
#include "store/image.h"

#include "store/images.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

static int path_ok(const char *p)
{
	return !strpbrk(p, ",:\\");
}

int image_lower_valid(const char *lower, struct err *e)
{
	if (!path_ok(lower))
		return err_set(
			e, EINVAL,
			"%s: an overlay's lower directory cannot have ',', ':' or '\\' in its "
			"path",
			lower);
	return 0;
}

char *image_merged_path(const struct store *s, const char *id)
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
static int overlay_mount(const struct store *s, const char *id, const char *lower,
			 const char *rel_dir, struct err *e)
{
	_cleanup_free_ char *merged = image_merged_path(s, id);
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

int image_overlay_mount(const struct store *s, const char *id, const char *lower, struct err *e)
{
	if (image_lower_valid(lower, e) < 0)
		return -1;
	return overlay_mount(s, id, lower, NULL, e);
}

int image_overlay_mount_layers(const struct store *s, const char *id, const char *lowerdir,
			       struct err *e)
{
	_cleanup_free_ char *l = images_link_dir(s);

	if (strpbrk(lowerdir, ",\\/") || !*lowerdir)
		return err_set(e, EINVAL, "bad layer list \"%s\"", lowerdir);
	return overlay_mount(s, id, lowerdir, l, e);
}

void image_overlay_unmount(const struct store *s, const char *id)
{
	_cleanup_free_ char *merged = image_merged_path(s, id);

	if (is_mountpoint(merged) && umount2(merged, 0) < 0)
		umount2(merged, MNT_DETACH); /* busy: still in use by a process */
	rmdir(merged);
}
