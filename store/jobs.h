/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jobs: layers unpacked by child processes, a few at once.
 *
 * Inflating, hashing and writing a layer is a pull's or a load's work, and
 * one process does one layer at a time: on a device with more than one
 * CPU, podman unpacks several.  A job is a function run in a child (fork,
 * no exec: it has the caller's memory as it was), whose answer (a
 * layer_info or an error) comes back on a pipe; at most jobs.max run at
 * once: the CPUs online, at most JOBS_MAX.  With one CPU, max is 1 and
 * the caller runs each layer itself (no child, no second copy of memory).
 * A child that dies without an answer is a failure; jobs_kill stops and
 * reaps the rest (the caller removes its stage, as for any failure).
 */
#ifndef NOOK_JOBS_H
#define NOOK_JOBS_H

#include <sys/types.h>

#include "store/layer.h"

#define JOBS_MAX 3

struct jobs {
	pid_t pid[JOBS_MAX];
	int fd[JOBS_MAX];
	size_t tag[JOBS_MAX];
	int n, max;
};

typedef int (*job_fn)(void *arg, struct layer_info *li, struct err *e);

void jobs_init(struct jobs *j);
/* fn(arg) in a child, known by tag; -1 with e set when it cannot start. */
int jobs_start(struct jobs *j, size_t tag, job_fn fn, void *arg, struct err *e);
/* The next job to end: its tag and answer; 1 when it succeeded, -1 when
 * it failed (e set), 0 when none runs. */
int jobs_wait(struct jobs *j, size_t *tag, struct layer_info *li, struct err *e);
/* Stop the jobs still running (SIGKILL) and reap them. */
void jobs_kill(struct jobs *j);

#endif
