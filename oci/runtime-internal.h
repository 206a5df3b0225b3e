/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime-internal: what the files of the runc command line share
 * (runtime.c: the front and shared plumbing; runtime-state.c: the state
 * store; runtime-create.c: the lifecycle; runtime-exec.c; runtime-info.c:
 * state/ps/list/update/spec/features; runtime-criu.c: checkpoint and
 * restore).  Not for the engine: it has its own store.
 */
#ifndef NOOK_RUNTIME_INTERNAL_H
#define NOOK_RUNTIME_INTERNAL_H

#include <cjson/cJSON.h>
#include <sys/types.h>

#include "oci/criu.h"
#include "oci/spec.h"
#include "oci/util.h"

#define RT_DEFAULT_ROOT "/run/nook-runtime"
#define RT_OCI_VERSION "1.2.0"

struct rt {
	const char *root;
	const char *log_path;
	int log_json;
	int debug;
	int systemd_cgroup;
	char **argv0; /* for re-exec from the sealed memfd */
};

struct state {
	char *id;
	pid_t pid;
	uint64_t pid_start;
	char *bundle;
	char *rootfs;
	char *created;
	char *cgroup; /* fs path, NULL when no cgroup v2 was available */
	cJSON *annotations;
};

struct create_opts {
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	int no_pivot;
	int preserve_fds;
	int detach;
	int no_fifo; /* run: exec as soon as set up */
	int console_fd; /* run: our end of a socketpair for the pty, or -1 */
	/* restore: the init comes from these CRIU images, not a clone */
	const struct oci_criu *restore;
};

/* runtime.c: plumbing */
/* Print e as runc does (stderr, and the --log file); returns 1. */
int rt_fail(const struct err *e);
int rt_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Connect to a --console-socket; returns the fd (CLOEXEC) or -1. */
int rt_connect_console(const char *path, struct err *e);
/* Write pid (decimal) to path, atomically. */
int rt_write_pid_file(const char *path, pid_t pid, struct err *e);
/* Decimal 0..max into *out; -1 when s is not one. */
int rt_parse_uint(const char *s, long max, long *out);

/* runtime-state.c: the store */
#define STATE_MISSING (-2)
#define STATE_CORRUPT (-3)
/* <root>/<id>, allocated. */
char *rt_state_dir(const struct rt *rt, const char *id);
/* <root>/<id>/state.json: load (runc's "does not exist" and STATE_MISSING
 * when missing, STATE_CORRUPT when unreadable), save, free. */
int rt_state_load(const struct rt *rt, const char *id, struct state *s, struct err *e);
int rt_state_save(const struct rt *rt, const struct state *s, struct err *e);
void rt_state_free(struct state *s);
/* The init is alive and is the same process (start time). */
int rt_pid_alive(const struct state *s);
/* "created", "running", "paused" or "stopped", from the kernel. */
const char *rt_state_status(const struct rt *rt, const struct state *s);
/* The OCI state object (new; the caller owns it). */
cJSON *rt_state_json(const struct rt *rt, const struct state *s, const char *status);
/* Print j indented on stdout and delete it. */
void rt_print_json(cJSON *j);
/* The string member k of j, or NULL. */
const char *rt_jstr(const cJSON *j, const char *k);
/* Remove <root>/<id> and its files. */
void rt_state_dir_remove(const struct rt *rt, const char *id);
/* The config.json saved at create. */
struct oci_spec *rt_load_saved_spec(const struct rt *rt, const char *id, struct err *e);

/* runtime-create.c: the lifecycle */
/* Create the container (or restore it: co->restore); st filled and saved.
 * Nothing is left on failure. */
int rt_do_create(const struct rt *rt, const char *id, const struct create_opts *co,
		 struct state *st, struct oci_spec **specp, struct err *e);
/* Tear down a stopped container: cgroup, poststop hooks, state dir. */
int rt_destroy(const struct rt *rt, struct state *st, const struct oci_spec *have, struct err *e);

int rt_cmd_create(struct rt *rt, int argc, char **argv);
int rt_cmd_start(struct rt *rt, int argc, char **argv);
int rt_cmd_run(struct rt *rt, int argc, char **argv);
int rt_cmd_kill(struct rt *rt, int argc, char **argv);
int rt_cmd_delete(struct rt *rt, int argc, char **argv);
/* freeze 1: pause, 0: resume */
int rt_cmd_pause(struct rt *rt, int argc, char **argv, int freeze);

/* runtime-exec.c */
int rt_cmd_exec(struct rt *rt, int argc, char **argv);

/* runtime-info.c */
int rt_cmd_state(struct rt *rt, int argc, char **argv);
int rt_cmd_ps(struct rt *rt, int argc, char **argv);
int rt_cmd_list(struct rt *rt, int argc, char **argv);
int rt_cmd_update(struct rt *rt, int argc, char **argv);
int rt_cmd_spec(struct rt *rt, int argc, char **argv);
int rt_cmd_features(struct rt *rt, int argc, char **argv);

/* runtime-criu.c */
int rt_cmd_checkpoint(struct rt *rt, int argc, char **argv);
int rt_cmd_restore(struct rt *rt, int argc, char **argv);

#endif
