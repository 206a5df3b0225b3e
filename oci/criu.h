/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * criu: checkpoint and restore of a container through the `criu` program
 * (exec'd, as fw4 ships nft: no libcriu, no protobuf in nook).
 *
 * A dump writes CRIU's images into one directory, plus our own
 * descriptors.json: what the init's fds 0-2 were ("pipe:[INODE]",
 * "/dev/null", ...), so that a restore can hand new pipes to the restored
 * process in their place (--inherit-fd).  The container's bind mounts
 * (and the mounts of its masked paths, which come from outside) are
 * declared external: their destination is the key at the dump, and the
 * restore maps the key back to the source the config names then.
 *
 * Hazards.  A dump without leave_running kills the container's processes:
 * the caller must be ready for its init to die (the engine holds the
 * container's lock, so the monitor's cleanup waits for it).  A failed dump
 * resumes the tree (CRIU's own rule), so the container runs on as it was.
 * The restore runs criu in a child with a mount namespace of its own (the
 * rootfs is bound onto itself there, CRIU wants a mount point for --root),
 * so nothing of it is left on the host's mounts.
 */
#ifndef NOOK_CRIU_H
#define NOOK_CRIU_H

#include <sys/types.h>

#include "oci/spec.h"
#include "oci/util.h"

enum {
	OCI_CRIU_LEAVE_RUNNING = 1 << 0,
	OCI_CRIU_TCP_ESTABLISHED = 1 << 1,
	OCI_CRIU_FILE_LOCKS = 1 << 2,
	OCI_CRIU_EXT_UNIX_SK = 1 << 3,
	OCI_CRIU_SHELL_JOB = 1 << 4,
	OCI_CRIU_PRE_DUMP = 1 << 5,
};

struct oci_criu {
	const char *images; /* CRIU's images: created by a dump if missing */
	const char *work; /* logs and stats; NULL: images */
	const char *parent; /* a pre-dump's images, relative to images; NULL */
	unsigned flags; /* OCI_CRIU_* */
};

/* Is criu there, does `criu check` pass on this kernel, is GNU tar
 * there?  0, or -1 with a one-line reason (kind ERRK_DEPENDENCY) naming
 * the first thing wrong.  A yes is kept in cache_dir/.criu-check (a tmpfs:
 * NULL keeps nothing) for this boot and these binaries: a check costs more
 * than a small container's dump. */
int oci_criu_usable(const char *cache_dir, struct err *e);

/* Checkpoint the tree of init pid (a container of spec) into o->images.
 * On failure e holds criu's first error line and the log's path. */
int oci_criu_dump(const struct oci_criu *o, const struct oci_spec *spec, pid_t pid, struct err *e);

/* Restore the tree from o->images with its root at rootfs, into the
 * cgroup at cgroup_path (NULL: none); stdio[0..2] are the fds the restored
 * init gets where it had pipes (-1: ours).  The init becomes our child
 * (criu --restore-sibling): its pid, or -1. */
pid_t oci_criu_restore(const struct oci_criu *o, const struct oci_spec *spec, const char *rootfs,
		       const char *cgroup_path, const int stdio[3], struct err *e);

#endif
