/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * overlay: the container's root filesystem on the host, an overlay whose
 * lower layers are never written: `--rootfs DIR:O` (DIR), an image's
 * unpacked layers, or a squashfs file's loop mount.  Its upper and work
 * directories belong to the container, under the root
 * (<root>/containers/<id>/overlay/{upper,work}: they last as long as the
 * container); it is mounted on <runroot>/containers/<id>/merged.
 */
#ifndef NOOK_OVERLAY_H
#define NOOK_OVERLAY_H

#include "oci/util.h"
#include "store/store.h"

/* Where the overlay of container id is mounted (caller frees). */
char *overlay_merged_path(const struct store *s, const char *id);

/* Mount it if it is not mounted: lower is the container's DIR.  Paths
 * with ',', ':' or '\' (the mount options' separators) are refused. */
int overlay_mount(const struct store *s, const char *id, const char *lower, struct err *e);

/* The same for a container of an image: lowerdir is the layers' short
 * names (images_lowerdir), top first. */
int overlay_mount_layers(const struct store *s, const char *id, const char *lowerdir,
			 struct err *e);

/* Unmount it if mounted (lazily when busy) and remove the mount point. */
void overlay_unmount(const struct store *s, const char *id);

/* squashfs images (`--rootfs FILE.sqfs`): the file, through a read-only
 * loop device (LOOP_CONFIGURE, or LOOP_SET_FD before 5.8; freed by the
 * kernel at unmount), mounted on <runroot>/containers/<id>/lower as the
 * overlay's lower layer: nothing unpacked.  check: the file's magic. */
int overlay_squashfs_check(const char *file, struct err *e);
int overlay_squashfs_mount(const struct store *s, const char *id, const char *file, struct err *e);
void overlay_squashfs_unmount(const struct store *s, const char *id);
char *overlay_squashfs_lower(const struct store *s, const char *id);

/* Whether a path for an overlay's lower layer can be given to the kernel. */
int overlay_lower_valid(const char *lower, struct err *e);

#endif
