/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state: the container record, typed, and its JSON (state.json, and the
 * exec sessions of the runroot's exec.json).
 *
 * struct ctr_state is everything state.json holds: the engine reads and
 * writes its fields, never JSON keys.  ctr_state_from_json() accepts any
 * state.json an earlier nook wrote: a field that is missing or of another
 * type reads as zero (as the engine always read it), and keys this
 * version does not know are kept in `extra` and written back as they
 * were.  ctr_state_to_json() writes a field only when it is set (zero,
 * false and NULL are the defaults a reader assumes), in one fixed order,
 * so the same record always gives the same text: the engine compares
 * texts to skip writes that change nothing (flash wears).
 *
 * Nothing here locks or syncs: that is the engine's (engine/ctr.c).
 */
#ifndef NOOK_STATE_H
#define NOOK_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "oci/util.h"

/* The states of engine/LIFECYCLE.md; ST_UNKNOWN is never stored. */
enum cstate {
	ST_CONFIGURED,
	ST_CREATED,
	ST_RUNNING,
	ST_PAUSED,
	ST_STOPPED,
	ST_EXITED,
	ST_REMOVING,
	ST_UNKNOWN
};

/* indexed by enum cstate */
extern const char *const state_names[ST_UNKNOWN + 1];
/* A state's name to enum cstate (ST_UNKNOWN if none, or s NULL). */
enum cstate state_from(const char *s);

/* One exec session while its process runs (inspect's ExecIDs). */
struct ctr_exec {
	char *id;
	pid_t pid;
	uint64_t pid_start; /* /proc/<pid>/stat start time: pid reuse */
	char **command;
};

struct ctr_state {
	enum cstate state; /* "state" */
	int restart_count; /* "restartCount": runs the restart policy made */
	/* what ps shows, so that ps reads one small file per container;
	 * name NULL: not there (an older state.json: config.json has it) */
	char *name; /* "name" */
	char *rootfs; /* "rootfs": the image's name, or --rootfs */
	int64_t created; /* "created", ns */
	char **command; /* "command": NULL if unknown */
	/* the run: its init, its monitor, its cgroup */
	pid_t pid; /* "pid", 0 if none */
	uint64_t pid_start; /* "pidStart" */
	pid_t monitor_pid; /* "monitorPid" */
	uint64_t monitor_start; /* "monitorStart" */
	char *cgroup; /* "cgroup": its path, while the runtime side exists */
	char *boot_id; /* "bootId": the boot it was initialised in */
	int64_t started_at; /* "startedAt", ns */
	/* how the last run ended; exit_known: "exitCode" is there (an end
	 * was recorded since the last init) */
	bool exit_known;
	int exit_code; /* "exitCode" (-1: unknown) */
	int signal; /* "signal" */
	bool oom_killed; /* "oomKilled" */
	int64_t finished_at; /* "finishedAt", ns */
	bool stopped_by_user; /* "stoppedByUser": no restart policy */
	int64_t mount_count; /* "mountCount": users' mount()s */
	bool checkpointed; /* "checkpointed": a checkpoint can be restored */
	int64_t checkpointed_at; /* "checkpointedAt", ns */
	bool restored; /* "restored" */
	int64_t restored_at; /* "restoredAt", ns */
	/* "netLinks": the host ends of its veths, made at init.  NULL: no
	 * network was set up; an empty vector: set up, no link of its own. */
	char **net_links;
	/* "execSessions" (in exec.json since this nook; an older state.json
	 * may hold them): n_execs entries */
	struct ctr_exec *execs;
	size_t n_execs;
	cJSON *extra; /* keys not known here, kept as read; NULL if none */
};

/* Fill s (zeroed first; free it with ctr_state_free) from a parsed
 * state.json.  The exec sessions come from its "execSessions", if any.
 * s->state is ST_UNKNOWN when j names no state. */
void ctr_state_from_json(const cJSON *j, struct ctr_state *s);
/* Read path into s.  ENOENT passes through; a corrupt file is an error
 * naming it (store_read_json).  On failure s holds nothing (state
 * ST_UNKNOWN). */
int ctr_state_read(const char *path, struct ctr_state *s, struct err *e);
/* state.json's object for s, without the exec sessions (caller deletes). */
cJSON *ctr_state_to_json(const struct ctr_state *s);
/* Write s as state.json to path, atomically (durable: fsync'd). */
int ctr_state_write(const char *path, const struct ctr_state *s, int durable, struct err *e);

/* The exec sessions as exec.json's object {id: {pid, pidStart, command}}
 * (caller deletes; an empty object when there is none). */
cJSON *ctr_state_execs_to_json(const struct ctr_state *s);
/* Replace s's exec sessions with those of ss (an object as above;
 * NULL: none). */
void ctr_state_execs_from_json(struct ctr_state *s, const cJSON *ss);
/* Record (pid > 0) or drop (pid 0) the exec session id. */
void ctr_state_exec_put(struct ctr_state *s, const char *id, pid_t pid, uint64_t pid_start,
			char *const *command);

/* Replace a string field (*f freed; v NULL: unset). */
void ctr_state_set_str(char **f, const char *v);
/* Replace the net links with a copy of v (NULL: none set up). */
void ctr_state_set_links(struct ctr_state *s, char *const *v);

/* A JSON array's strings (others skipped), NULL if a is no array
 * (caller frees). */
char **ctr_state_strv(const cJSON *a);

/* Free what s holds and zero it (s may be freed again). */
void ctr_state_free(struct ctr_state *s);
#define _cleanup_ctr_state_ __attribute__((cleanup(ctr_state_free)))

#endif
