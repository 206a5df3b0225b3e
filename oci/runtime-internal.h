/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime-internal: what the files of the runc command line share
 * (runtime.c: the lifecycle commands and the state store; runtime-criu.c:
 * checkpoint and restore).  Not for the engine: it has its own store.
 */
#ifndef NOOK_RUNTIME_INTERNAL_H
#define NOOK_RUNTIME_INTERNAL_H

#include <cjson/cJSON.h>
#include <sys/types.h>

#include "oci/criu.h"
#include "oci/spec.h"
#include "oci/util.h"

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

/* Print e as runc does (stderr, and the --log file); returns 1. */
int rt_fail(const struct err *e);
int rt_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* <root>/<id>/state.json: load (runc's "does not exist" when missing), free. */
int rt_state_load(const struct rt *rt, const char *id, struct state *s, struct err *e);
void rt_state_free(struct state *s);
/* "created", "running", "paused" or "stopped", from the kernel. */
const char *rt_state_status(const struct rt *rt, const struct state *s);
/* The config.json saved at create. */
struct oci_spec *rt_load_saved_spec(const struct rt *rt, const char *id, struct err *e);
/* Create the container (or restore it: co->restore); st filled and saved.
 * Nothing is left on failure. */
int rt_do_create(const struct rt *rt, const char *id, const struct create_opts *co,
		 struct state *st, struct oci_spec **specp, struct err *e);
/* Tear down a stopped container: cgroup, poststop hooks, state dir. */
int rt_destroy(const struct rt *rt, struct state *st, const struct oci_spec *have, struct err *e);

/* runtime-criu.c */
int rt_cmd_checkpoint(struct rt *rt, int argc, char **argv);
int rt_cmd_restore(struct rt *rt, int argc, char **argv);

#endif
