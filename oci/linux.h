/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux: an OCI spec -> a process in its namespaces, cgroup and root.
 *
 * oci_linux_create() refuses a spec that oci_validate() refuses (no mount
 * namespace of its own, sysctls the host would get, AppArmor asked where
 * there is none), then clones the container's init (clone3 with
 * CLONE_INTO_CGROUP, else clone + cgroup.procs), sets it up (namespaces,
 * mounts resolved inside the rootfs, /dev, pivot_root or MS_MOVE+chroot
 * with the host's proc and sysfs detached first, masked/readonly paths,
 * sysctls, rlimits, AppArmor profile, user, capabilities, no_new_privs,
 * seccomp) and returns once the init is ready.  Any setup error in the
 * child reaches the caller as a struct err ("pivot_root: Invalid
 * argument"), the child is reaped and the cgroup is left for the caller
 * to remove.
 *
 * oci_linux_exec() starts a further process inside a running container.
 */
#ifndef NOOK_LINUX_H
#define NOOK_LINUX_H

#include "oci/seccomp.h"
#include "oci/spec.h"
#include "oci/util.h"

struct oci_create_opts {
	const char *id;
	const struct oci_spec *spec; /* spec->process must be set */
	const char *rootfs; /* absolute, real path */
	int cgroup_fd; /* O_DIRECTORY fd of the container's cgroup */
	const char *cgroup_path; /* its path, for the clone() fallback */
	/* NULL: exec as soon as setup is done (`run`).  Otherwise the init
	 * blocks opening this fifo for writing until `start` reads it. */
	const char *exec_fifo;
	int console_socket; /* connected unix socket for the pty master, -1 */
	int preserve_fds; /* fds 3 .. 3+n-1 pass into the container */
	int no_pivot; /* MS_MOVE + chroot instead of pivot_root */
	/* Called in the parent once namespaces and mounts exist, before the
	 * init pivots: prestart and createRuntime hooks.  May be NULL. */
	int (*on_created)(void *arg, pid_t pid, struct err *e);
	void *arg;
	/* The OCI state JSON the container-side hooks get on stdin, with
	 * this status ("creating" for createContainer, "created" for
	 * startContainer); malloc'd by the caller for a pid.  May be NULL
	 * when there are no such hooks. */
	char *(*state_json)(void *arg, pid_t pid, const char *status);
	/* Directory of built seccomp programs (oci_seccomp_get), NULL: none. */
	const char *seccomp_cache;
};

/* Create the container init.  Returns its pid (in our pid namespace) or -1.
 * With exec_fifo NULL the process has exec'd when this returns. */
pid_t oci_linux_create(const struct oci_create_opts *o, struct err *e);

struct oci_exec_opts {
	pid_t pid; /* the container's init */
	const char *cgroup_path; /* its cgroup (fs path), may be NULL */
	const struct oci_process *process;
	const struct oci_seccomp *seccomp; /* the container's filter, or NULL */
	const char *seccomp_cache; /* as in oci_create_opts, NULL: none */
	int console_socket; /* -1 if none */
	int preserve_fds;
};

/* Start process inside the container of o->pid.  Returns its pid (our
 * child) once it has exec'd, or -1 with e set (e.g. the command is not
 * found: `exec: "foo": executable file not found in $PATH`). */
pid_t oci_linux_exec(const struct oci_exec_opts *o, struct err *e);

/* Release an init created with an exec fifo: read its byte (it then
 * execs) and remove the fifo.  Never blocks on a dead init: pid and its
 * start time (proc_start_time) are checked while waiting.  Errors are
 * runc's texts ("cannot start a container that has stopped"). */
int oci_linux_start(const char *exec_fifo, pid_t pid, uint64_t pid_start, struct err *e);

/* Wait for our child pid in the foreground: forward the signals we get
 * to it, relay its terminal when we hold its pty master (pty >= 0; our
 * stdin goes raw while it runs), reap it.  Returns its code, 128+N for a
 * signal.  The caller blocks SIGCHLD before the child exists. */
int oci_linux_wait(pid_t pid, int pty);
/* Receive an fd passed with SCM_RIGHTS (a pty master), -1 if none. */
int oci_linux_recv_fd(int sock);

/* Run one hook with the state JSON on stdin, honouring its timeout.
 * Fails when the hook cannot start, exits non-zero or times out. */
int oci_hook_run(const struct oci_hook *h, const char *state_json, struct err *e);

/* Open path below rootfd without leaving it (openat2 RESOLVE_IN_ROOT,
 * or a component walk that treats symlinks as relative to rootfd).
 * flags as for open(2); O_CREAT creates a final regular file; when mkdirs
 * is set, missing directories on the way are created.  Returns an fd. */
int oci_open_in_root(int rootfd, const char *path, int flags, int mkdirs, struct err *e);

/* Make sure no process in a container can write the host's binary through
 * /proc/<pid>/exe (CVE-2019-5736): returns 0 at once if the binary is on a
 * read-only mount or a sealed memfd, or once this image is detached from
 * its file onto a read-only clone of its mount or a sealed memfd copy
 * (PR_SET_MM); else re-execs it, once, from a sealed memfd copy and does
 * not return, but on failure (-1, e set).  Afterwards /proc/self/exe has
 * no path: NOOK_EXE holds the binary's. */
int oci_protect_exe(char **argv, struct err *e);
/* An O_PATH fd of a read-only clone of the mount at path (a file: of just
 * that file), in no mount namespace: open_tree + mount_setattr, Linux 5.12,
 * CAP_SYS_ADMIN.  flags: NOOK_OPEN_TREE_CLOEXEC or 0.  -1 where the kernel
 * or our capabilities do not allow it.  Closing the last fd of it waits for
 * an RCU grace period. */
int oci_ro_clone(const char *path, unsigned int flags);
/* Let go of the read-only clone's mount (its exe stays): once the
 * processes we start have exec'd, e.g. while we wait for them. */
void oci_exe_release(void);

/* Every signal at its default disposition and none blocked (what a
 * caller blocked or ignored is not a container's, nor a monitor's). */
void oci_reset_signals(void);

/* Bring "lo" up in our network namespace (a new one: runc and crun do). */
int oci_loopback_up(struct err *e);

#endif
