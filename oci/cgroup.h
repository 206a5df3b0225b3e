/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup: cgroup v2 for one container, wherever cgroup2 is mounted
 * (/sys/fs/cgroup on a pure v2 host, /sys/fs/cgroup/unified on a hybrid one).
 * Never touches cgroup v1.  A requested limit whose controller is absent is
 * an error naming the controller; no limit requested, no error.
 * Paths below are absolute filesystem paths of the container's cgroup
 * directory, as returned by oci_cgroup_path().
 */
#ifndef NOOK_CGROUP_H
#define NOOK_CGROUP_H

#include "oci/spec.h"
#include "oci/util.h"

/* The cgroup2 mount point from /proc/self/mountinfo, copied into buf. */
int oci_cgroup_mount(char *buf, size_t len, struct err *e);

/* linux.cgroupsPath (NULL or "" = default "/nook/<id>"; absolute = from the
 * cgroup2 root; relative = below our own cgroup) to an absolute filesystem
 * path.  Refuses ".." components.  Caller frees. */
char *oci_cgroup_path(const char *cgroups_path, const char *id, struct err *e);

/* Create the cgroup directory (and missing parents), enable in each ancestor's
 * cgroup.subtree_control the controllers the resources need, apply r (may be
 * NULL).  Returns an O_DIRECTORY|O_CLOEXEC fd of the new cgroup (for
 * CLONE_INTO_CGROUP); -1 on failure, after removing what it created. */
int oci_cgroup_create(const char *path, const struct oci_resources *r, struct err *e);

/* The container's cgroup, or none: with cgroup2 mounted, spec's
 * linux.cgroupsPath (oci_cgroup_path, id) is created with its resources
 * (oci_cgroup_create): *path (caller frees) and *fd are set.  With no
 * cgroup2 mounted the container runs without a cgroup (*path NULL, *fd -1)
 * unless the spec asks for a limit: then -1, ENOENT.  nook never uses
 * cgroup v1. */
int oci_cgroup_setup(const struct oci_spec *spec, const char *id, char **path, int *fd,
		     struct err *e);

/* Apply (or update) resources on an existing cgroup. */
int oci_cgroup_apply(const char *path, const struct oci_resources *r, struct err *e);

/* Move pid into the cgroup (cgroup.procs): the clone() fallback. */
int oci_cgroup_enter(const char *path, pid_t pid, struct err *e);

/* Freeze (1) or thaw (0); waits (bounded) until cgroup.events agrees. */
int oci_cgroup_freeze(const char *path, int frozen, struct err *e);
/* 1 frozen, 0 not, -1 no such cgroup / no cgroup.freeze. */
int oci_cgroup_frozen(const char *path);

/* Signal every process in the cgroup.  SIGKILL uses cgroup.kill (5.14+);
 * otherwise (or for other signals) freeze, signal each pid, thaw. */
int oci_cgroup_signal_all(const char *path, int sig, struct err *e);

/* Pids in the cgroup (cgroup.procs).  *pids is malloc'd; caller frees. */
int oci_cgroup_pids(const char *path, pid_t **pids, size_t *n, struct err *e);

/* 1 if the cgroup has processes (cgroup.events "populated 1"). */
int oci_cgroup_populated(const char *path);

/* Kill what is left, wait for "populated 0", rmdir; retries the EBUSY that
 * follows an OOM kill.  A missing cgroup is success. */
int oci_cgroup_remove(const char *path, struct err *e);

struct oci_cgroup_stats {
	uint64_t memory_current, memory_max; /* max: UINT64_MAX = "max" */
	uint64_t memory_oom, memory_oom_kill;
	uint64_t pids_current, pids_max;
	uint64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	uint64_t cpu_nr_throttled, cpu_throttled_usec;
};
/* Fills what the available controllers report; the rest stays 0. */
int oci_cgroup_stats(const char *path, struct oci_cgroup_stats *st, struct err *e);

#endif
