/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container: the lifecycle contract of engine/LIFECYCLE.md.
 *
 * A container is containers/<id>/config.json (written once: name, rootfs,
 * policy, and the OCI spec the monitor runs) and state.json (rewritten at
 * each transition).  Every operation takes the container's flock, re-reads
 * the state and syncs it with the kernel (monitor alive? exit file
 * there?) before it decides; long waits (attach, exec, wait) hold no lock.
 * Every successful operation appends an event.
 *
 * Errors carry an enum err_kind (oci/err.h): state-invalid messages name
 * the container and its state.
 */
#ifndef NOOK_CONTAINER_H
#define NOOK_CONTAINER_H

#include <cjson/cJSON.h>

#include "oci/util.h"
#include "store/store.h"

struct engine {
	struct store st;
	char *self; /* absolute path of the nook binary, for exit commands */
	/* the container that this process removes once it exited (an
	 * attached `run --rm`): its monitor leaves the removal to us */
	const char *removes;
};

int engine_open(struct engine *en, const char *root, const char *runroot, struct err *e);
/* For commands that only read: creates no directory (store_open_ro). */
int engine_open_ro(struct engine *en, const char *root, const char *runroot, struct err *e);
void engine_close(struct engine *en);

enum restart_policy { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED };

enum mount_kind { MOUNT_BIND, MOUNT_TMPFS, MOUNT_VOLUME };

/* -v, --mount, --tmpfs */
struct mount_opt {
	/* bind: the host path; volume: its name (NULL: a new anonymous
	 * one); tmpfs: the mount options (NULL: the defaults) */
	char *src, *dst;
	int ro;
	int kind; /* enum mount_kind */
	int nocopy; /* volume: no copy-up of the image's files */
};

/* What `create`/`run` take from the command line. */
struct engine_create_opts {
	const char *name; /* NULL: generated */
	const char *rootfs; /* a directory (DIR:O an overlay over it), or NULL: */
	const char *image; /* an image reference */
	char **entrypoint; /* --entrypoint (NULL: the image's) */
	const char *user_root; /* where user names are looked up (NULL: rootfs) */
	char **argv; /* command; NULL/empty: /bin/sh */
	char **env; /* K=V */
	const char *workdir;
	const char *user; /* uid[:gid] or name[:group], resolved in the rootfs */
	const char *hostname;
	int tty, interactive;
	char **cap_add, **cap_drop;
	int privileged, read_only, no_new_privs;
	const char *seccomp; /* profile file, "unconfined", NULL = default */
	const char *apparmor; /* profile, NULL = none ("unconfined" too) */
	int64_t memory; /* bytes, 0 = none */
	int64_t pids_limit; /* 0 = none */
	double cpus; /* 0 = none */
	enum restart_policy restart;
	int restart_max; /* on-failure:N, 0 = unlimited */
	char **requires; /* container refs */
	int stop_signal; /* 0 = SIGTERM */
	int stop_timeout; /* -1 = 10 s */
	uint64_t log_size_max;
	const char *network; /* none, host, bridge, NAME[,NAME...], ns:PATH,
			      * container:REF (NULL: bridge) */
	char **ports; /* -p specs */
	int publish_all; /* -P: the image's ExposedPorts */
	const char *ip, *mac; /* --ip, --mac-address */
	char **dns, **dns_search, **dns_opt, **add_hosts;
	struct mount_opt *mounts;
	size_t n_mounts;
	int auto_remove; /* --rm */
	char **annotations; /* K=V */
	enum { PULL_MISSING, PULL_ALWAYS, PULL_NEVER } pull; /* --pull, podman's default */
	FILE *pull_progress; /* a pull's progress lines, or NULL */
};

/* Create a container (state configured).  Writes its id into id. */
int engine_create(struct engine *en, const struct engine_create_opts *o, char id[STORE_ID_LEN + 1],
		  struct err *e);

/* The operations; ref is an id, id prefix or name. */
int engine_init(struct engine *en, const char *ref, int recursive, struct err *e);

struct engine_attach {
	int in_fd; /* -1: no stdin */
	int out_fd, err_fd;
	const char *detach_keys;
	int tty;
};
/* start; with at (start -a, run): attach before the process starts and
 * stream until it exits or the user detaches.  *exit_code gets the
 * container's code when it exited (-1 when detached). */
int engine_start(struct engine *en, const char *ref, int recursive, const struct engine_attach *at,
		 int *exit_code, struct err *e);
/* timeout < 0: the container's own (default 10 s). */
int engine_stop(struct engine *en, const char *ref, int timeout, struct err *e);
int engine_restart(struct engine *en, const char *ref, int timeout, struct err *e);
int engine_kill(struct engine *en, const char *ref, int sig, struct err *e);
int engine_pause(struct engine *en, const char *ref, int pause, struct err *e);
/* flags: ENGINE_RM_FORCE (a running container too), ENGINE_RM_VOLUMES (its
 * anonymous volumes go too, as they always do with --rm) */
enum { ENGINE_RM_FORCE = 1, ENGINE_RM_VOLUMES = 2 };
int engine_remove(struct engine *en, const char *ref, unsigned flags, struct err *e);
int engine_cleanup(struct engine *en, const char *ref, struct err *e);
int engine_sync(struct engine *en, const char *ref, struct err *e);
/* After a reboot: reset every container, then start the ones whose
 * restart policy says so. */
int engine_refresh(struct engine *en, struct err *e);

/* condition: "stopped" (default: stopped or exited), "exited", "running",
 * "paused", "created", "configured".  *exit_code for stopped/exited. */
int engine_wait(struct engine *en, const char *ref, const char *condition, int *exit_code,
		struct err *e);

int engine_attach(struct engine *en, const char *ref, const struct engine_attach *at,
		  int *exit_code, struct err *e);

struct engine_exec_opts {
	char **argv;
	char **env;
	const char *user;
	const char *workdir;
	int tty, interactive, detach, privileged;
	int preserve_fds;
};
/* Runs a process in a running container; *exit_code its code (or 0 with
 * detach). */
int engine_exec(struct engine *en, const char *ref, const struct engine_exec_opts *o,
		int *exit_code, struct err *e);

/* mount: the root filesystem's path on the host (counted). */
char *engine_mount(struct engine *en, const char *ref, struct err *e);
int engine_unmount(struct engine *en, const char *ref, int force, struct err *e);
/* export the root filesystem as tar to out_fd. */
int engine_export(struct engine *en, const char *ref, int out_fd, struct err *e);

/* cp between the host and a container (engine/cp.c), podman's rules for
 * what a path names; container paths are resolved inside its root, with
 * its mounts while it runs. */
struct engine_cp {
	const char *path; /* in the container */
	const char *host; /* on the host; "-": a tar archive on fd */
	int fd;
	int to_container;
	int keep_owner; /* --archive=false: the source's owners, not the
			 * container's user */
};
int engine_copy(struct engine *en, const char *ref, const struct engine_cp *o, struct err *e);
/* From one container's path to another's (or the same one's), by the same
 * rules; what lands belongs to the destination's user unless keep_owner. */
int engine_copy_between(struct engine *en, const char *src_ref, const char *src_path,
			const char *dst_ref, const char *dst_path, int keep_owner, struct err *e);

/* inspect: one JSON document (caller deletes). */
cJSON *engine_inspect(struct engine *en, const char *ref, struct err *e);
/* What the API decides an attach on, from the record (locked and synced
 * as inspect does, without building its document). */
struct engine_status {
	char id[STORE_ID_LEN + 1];
	char *name; /* its name, else its id: caller frees */
	const char *status; /* a state name: "running", "exited", ... */
	int tty;
};
int engine_status(struct engine *en, const char *ref, struct engine_status *s, struct err *e);
/* ps: an array of inspect-like summaries (caller deletes). */
cJSON *engine_list(struct engine *en, int all, struct err *e);
/* ps without building JSON: one row per container (all, or only the
 * running and paused ones) in id order, read without a lock from the
 * summary state.json carries.  A row and its strings live only during the
 * call; fn returning < 0 stops the walk, and that is returned. */
struct engine_ps_row {
	const char *id, *name, *rootfs;
	const char *status; /* a state name: "running", "exited", ... */
	char *const *command; /* NULL if unknown */
	int64_t created_ns, started_ns, finished_ns; /* 0: never */
	int64_t pid; /* 0 unless created, running or paused */
	int exit_code, restart_count;
};
int engine_list_each(struct engine *en, int all,
		     int (*fn)(const struct engine_ps_row *r, void *arg), void *arg, struct err *e);

/* Run several operations on one container under one lock: ops "init",
 * "start", "kill[:SIG]", "pause", "unpause", "sync", "cleanup". */
int engine_batch(struct engine *en, const char *ref, char **ops, struct err *e);

int engine_artifact(struct engine *en, const char *ref, const char *op, const char *name, int fd,
		    struct err *e);

/* Resolve ref to its id and name (for events, messages). */
int engine_resolve(struct engine *en, const char *ref, char id[STORE_ID_LEN + 1], char **name,
		   struct err *e);

#endif
