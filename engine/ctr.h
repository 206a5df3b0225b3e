/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctr: what the files of engine/ share, private to them (container.h is
 * the public surface for the CLI and the API).
 *
 * struct ctr is one container while its flock is held: ctr_open() locks,
 * loads and syncs it; ctr_save() writes state.json when it changed;
 * ctr_close() drops the lock.  Anything read from c->config or c->state
 * is valid only until ctr_close().
 */
#ifndef NOOK_CTR_H
#define NOOK_CTR_H

#include <sys/types.h>

#include "engine/container.h"
#include "oci/sys.h"
#include "store/state.h"

#define DEFAULT_STOP_TIMEOUT 10

struct ctr {
	struct engine *en;
	char id[STORE_ID_LEN + 1];
	int lock;
	cJSON *config; /* config.json: read-only */
	struct ctr_state state; /* state.json: what ctr_save writes */
	char *saved; /* state.json text as loaded, to skip no-op writes */
	/* state's exec sessions live in <runroot>/containers/<id>/exec.json:
	 * processes, gone with a reboot, so never fsync'd on the root's
	 * flash; ctr_load reads them in, ctr_save writes them there.  Its
	 * text as loaded or last written, NULL when there is no file. */
	char *saved_exec;
	enum cstate st; /* == state.state, set by ctr_set_state */
	cJSON *net; /* its networks, read at init for the links (network.c) */
};

/* The ids of the containers whose config.json match() accepts (read
 * without their locks; NULL-terminated, caller frees; no store: none). */
char **ctr_ids_where(struct engine *en, int (*match)(const cJSON *cfg, const void *arg),
		     const void *arg, struct err *e);

/* JSON fields: jstr NULL unless a string; jint def unless a number. */
const char *jstr(const cJSON *o, const char *k);
int64_t jint(const cJSON *o, const char *k, int64_t def);
int jbool(const cJSON *o, const char *k);
/* Set (jset_str: NULL deletes) a field in place. */
void jset_num(cJSON *o, const char *k, double v);
void jset_str(cJSON *o, const char *k, const char *v);
void jset_bool(cJSON *o, const char *k, int v);
/* A new array of v's strings (caller deletes). */
cJSON *strv_to_json(char *const *v);
/* The process's args of cfg (a config.json) apart, as podman keeps them:
 * the entrypoint into *ep, the command into *cmd (new arrays); -1 (and
 * nothing made) when cfg does not say where the entrypoint ends: a --rootfs
 * container, or one an older nook made. */
int ctr_args_split(const cJSON *cfg, cJSON **ep, cJSON **cmd);

/* Give a callee's error in e (may be NULL) kind k, unless it says a
 * process could not be started (ERRK_EXEC_*); returns -1.  Where the
 * message is ours, err_setk/err_wrapk set both in one step. */
int kind(struct err *e, int k);
/* The container's name (its id if it has none), valid until ctr_close. */
const char *cname(const struct ctr *c);
/* "cannot OP container NAME: container state is STATE"; returns -1. */
int state_error(struct ctr *c, const char *op, struct err *e);
/* Append an event; a failure is logged, never returned. */
void event(struct ctr *c, const char *status, const cJSON *attrs);

void ctr_set_state(struct ctr *c, enum cstate st);
/* Lock, load and sync ref into c; save: also record what the sync found.
 * On failure c holds nothing (no ctr_close needed). */
int ctr_load(struct engine *en, const char *ref, struct ctr *c, int save, struct err *e);
/* ctr_load with save. */
int ctr_open(struct engine *en, const char *ref, struct ctr *c, struct err *e);
/* Bring c->state in line with the kernel (exit file, monitor, freezer). */
int ctr_sync(struct ctr *c, struct err *e);
/* Write state.json if it changed since loaded or last saved. */
int ctr_save(struct ctr *c, struct err *e);
/* Unlock (if still locked) and free; c may be closed again. */
void ctr_close(struct ctr *c);

/* The container's cgroup, its run directory, its root as its processes
 * see it (each NULL or counted: caller frees). */
char *ctr_cgroup(const struct ctr *c);
char *run_dir(const struct ctr *c);
char *ctr_rootfs(const struct ctr *c);
/* The spec's process.user ({uid, gid}), valid until ctr_close. */
const cJSON *ctr_user(const struct ctr *c);
/* Is the root an overlay over --rootfs DIR:O? */
int ctr_overlay(const struct ctr *c);
/* The root for a file operation (cp): its processes' root (/proc/PID/root,
 * with their mounts: *live 1) while it has some, else its root filesystem
 * (the overlay mounted for the time being).  An O_PATH fd of the
 * directory, or -1; ctr_root_put after either. */
int ctr_root_get(struct ctr *c, int *live, struct err *e);
void ctr_root_put(struct ctr *c);

/* container.c: bring c to created (run dir, runtime config, volumes,
 * network, monitor); with restore (CRIU's images, oci/criu.h flags) the
 * init is restored from them instead and already runs. */
int ctr_init(struct ctr *c, const char *restore, unsigned restore_flags, struct err *e);
/* container.c: the teardown of a stopped container, without its restart
 * policy (state exited). */
int ctr_cleanup(struct ctr *c, struct err *e);

/* cp.c: a volume's copy-up: the contents of the directory path names in
 * root (symlinks resolved inside it) into the empty directory datafd,
 * owners kept, datafd taking the directory's owner and mode.  1 done (or
 * datafd was not empty: nothing to do), 0 path is no directory in root. */
int cp_copy_up(int root, const char *path, int datafd, struct err *e);

/* create.c: set user's uid and gid from spec (uid[:gid], or names looked
 * up in rootfs's /etc/passwd and /etc/group). */
int resolve_user(const char *rootfs, const char *spec, cJSON *user, struct err *e);

/* wait.c: wait until id meets cond ("stopped" when NULL; a state name) or,
 * run > 0, until the run of init pid run has ended; timeout_ms < 0: no
 * limit.  ERRK_REMOVED if the container goes away.  *exit_code (may be
 * NULL) gets the run's exit code. */
int wait_cond(struct engine *en, const char *id, const char *cond, pid_t run, int timeout_ms,
	      int *exit_code, struct err *e);
/* Wait for id's exit file, up to timeout_ms; 0 once it is there. */
int wait_exit(struct engine *en, const char *id, int timeout_ms);

#endif
