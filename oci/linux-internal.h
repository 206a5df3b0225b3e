/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux-internal: what oci/linux.c, oci/mount.c and oci/process.c share
 * and nothing else includes.  linux.c clones the init and drives it;
 * mount.c builds its filesystem; process.c sets up its process.  All of
 * it may run after a raw clone: plain syscalls only (see linux.c).
 */
#ifndef NOOK_LINUX_INTERNAL_H
#define NOOK_LINUX_INTERNAL_H

#include <stdio.h>
#include <sys/types.h>

#include "oci/linux.h"

/* "/proc/self/fd/FD" in buf; returns buf. */
static inline const char *fdpath(char *buf, size_t len, int fd)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

/* A value into a /proc or /sys file (file_write: no stdio). */
static inline int write_proc(const char *path, const char *val, struct err *e)
{
	return file_write(path, val, e);
}

/* ---- linux.c --------------------------------------------------------- */

/* Default dispositions and an empty mask for every signal. */
/* SIGKILL pid and wait for it. */
void lnx_reap(pid_t pid);

/* ---- mount.c --------------------------------------------------------- */

struct mount_ctx {
	int rootfd;
	const char *rootfs;
	const char *cgroup_path;
	int new_cgroupns;
	int userns;
	/* Per spec mount, an O_PATH fd of the bind source opened for a
	 * new user namespace by the host's root, or -1; NULL: none. */
	const int *src_fds;
	int src_fd; /* the current mount's, -1 */
};

/* 1 if the relative path p climbs out of its root lexically ("a/../.."). */
int path_escapes(const char *p);
/* Before the pivot: "/" rslave, the rootfs bound onto itself and opened
 * as c->rootfd (the caller closes it), the spec's mounts and /dev. */
int mnt_prepare_root(struct mount_ctx *c, const struct oci_spec *s, struct err *e);
/* Make rootfs "/" and the cwd: pivot_root, or MS_MOVE + chroot where "/"
 * cannot be pivoted or no_pivot is set. */
int do_pivot(const char *rootfs, int no_pivot, struct err *e);
/* After the pivot: masked and read-only paths, read-only root, the
 * root's propagation. */
int mnt_finish_root(const struct oci_spec *s, struct err *e);

/* ---- process.c ------------------------------------------------------- */

/* Everything between "joined the namespaces" and "ready to exec": exe
 * gets the executable's path, home "HOME=..." to add or "". */
int finish_process(const struct oci_process *p, const struct oci_seccomp_prog *bpf,
		   int setgroups_ok, char *exe, size_t exe_len, char *home, size_t home_len,
		   struct err *e);
/* execve with home added to the environment; returns -1 (e set) only. */
int exec_process(const struct oci_process *p, const char *exe, const char *home,
		 const struct oci_seccomp_prog *bpf, int preserve_fds, struct err *e);

#endif
