/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * checkpoint: checkpoint and restore of a container with CRIU, podman's
 * options (engine/LIFECYCLE.md).  The images stay under the container
 * (containers/<id>/checkpoint/) until a restore takes them.
 */
#ifndef NOOK_CHECKPOINT_H
#define NOOK_CHECKPOINT_H

#include "engine/container.h"

struct engine_checkpoint_opts {
	int keep; /* the images stay after an export */
	int leave_running; /* the container runs on after the dump */
	int tcp_established; /* established TCP connections are dumped */
	int file_locks;
	int ignore_rootfs; /* export: without the root filesystem's changes */
	int ignore_volumes; /* export: without the named volumes' contents */
	const char *export_path; /* one archive of everything, or NULL */
};

struct engine_restore_opts {
	int keep; /* the images stay after the restore */
	int tcp_established;
	int file_locks;
	int ignore_rootfs; /* import: the archive's root changes are not applied */
	int ignore_volumes; /* import: the volumes' contents are not restored */
	int ignore_static_ip, ignore_static_mac;
	const char *import_path; /* an archive of checkpoint --export */
	const char *name; /* import: the new container's name */
};

struct engine_cr_stats {
	int64_t duration_us; /* of the whole operation, for --print-stats */
	char id[65]; /* restore --import: the new container's id */
};

/* Checkpoint a running container (exited afterwards unless leave_running). */
int engine_checkpoint(struct engine *en, const char *ref, const struct engine_checkpoint_opts *o,
		      struct engine_cr_stats *stats, struct err *e);
/* Restore a checkpointed container; it runs again under a new monitor. */
int engine_restore(struct engine *en, const char *ref, const struct engine_restore_opts *o,
		   struct engine_cr_stats *stats, struct err *e);

#endif
