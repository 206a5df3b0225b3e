/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor: one small process per container (conmon's job, libubox's size).
 *
 * monitor_spawn() double-forks a monitor (setsid, reparented to init or
 * procd, PR_SET_CHILD_SUBREAPER).  The monitor creates the container
 * through oci/ from <dir>/config.json (an OCI config with an absolute
 * root.path), holds its stdio (pipes, or the pty master with a terminal),
 * writes the log (k8s-file format, size-capped, one rotated generation),
 * serves the attach socket <dir>/attach, and when the init exits writes the
 * exit file atomically and execs the exit command (`nook cleanup ID`).
 * The init waits on <dir>/exec.fifo until oci_linux_start() releases it.
 *
 * <dir> is <runroot>/containers/<id>: config.json, exec.fifo, attach,
 * ctr.log (+ ctr.log.1), monitor.pid.
 *
 * This header is the surface of all of monitor/: monitor.c (the monitor
 * process), exitfile.c (exit files), attach.c (the attach protocol and
 * its client), log.c (the log and `nook logs`).
 */
#ifndef NOOK_MONITOR_H
#define NOOK_MONITOR_H

#include <stdint.h>
#include <sys/types.h>

#include "oci/util.h"

struct monitor_opts {
	const char *id;
	const char *dir; /* <runroot>/containers/<id>, absolute */
	const char *exit_path; /* <runroot>/exits/<id>, absolute */
	int stdin_open; /* -i: keep a stdin pipe (else /dev/null) */
	uint64_t log_size_max; /* bytes; 0 = default 1 MiB */
	char *const *exit_command; /* argv exec'd after the exit file is written */
	/* NULL: the monitor runs in the forked process (the tests).  Else the
	 * absolute path of the nook binary on disk (not a sealed memfd copy):
	 * the monitor re-executes it, through a read-only detached bind mount
	 * when it may mount (CVE-2019-5736), as `nook __monitor ...`, which
	 * main() hands to monitor_main() before anything else.  A fresh
	 * address space, and the binary's pages shared by all monitors. */
	const char *monitor_exe;
	/* NULL, or CRIU's images of this container (a checkpoint): the init
	 * is restored from them (oci/criu) instead of created, and runs at
	 * once (no exec fifo); restore_flags are OCI_CRIU_* (oci/criu.h). */
	const char *restore;
	unsigned restore_flags;
	/* Directory of built seccomp programs (<runroot>/seccomp), NULL: none. */
	const char *seccomp_cache;
	/* 0, or the process that removes the container once it exited (the
	 * CLI of an attached `run --rm`, which spawns the monitor): after the
	 * exit the monitor waits for it to end, and runs the exit command only
	 * if <dir> is still there (it died before the removal).  Saves an exec
	 * of nook beside the removal. */
	pid_t cleanup_by;
};

/* Start the monitor; returns once the container's init exists and waits on
 * the exec fifo (or with e set: the init's own setup error, e.g.
 * "pivot_root: Invalid argument").  Nothing is left behind on failure.
 * Needs <dir>/config.json and the directory of exit_path.  The cgroup is
 * created here and left, after the exit, for the exit command to remove.
 * The monitor writes <dir>/monitor.pid ("PID STARTTIME") and removes it,
 * the attach socket and a leftover exec.fifo before the exit command. */
int monitor_spawn(const struct monitor_opts *o, pid_t *init_pid, pid_t *monitor_pid, struct err *e);

/* The same in two halves, for work of the caller's own while the monitor
 * starts the init (a container's links, in a network namespace it made):
 * _begin forks (s holds the report pipe), _end waits and reads the
 * report; every successful _begin needs its _end. */
struct monitor_spawning {
	int fd;
	pid_t pid;
	const char *id;
};
int monitor_spawn_begin(const struct monitor_opts *o, struct monitor_spawning *s, struct err *e);
int monitor_spawn_end(struct monitor_spawning *s, pid_t *init_pid, pid_t *monitor_pid,
		      struct err *e);

struct monitor_exit {
	int exit_code; /* podman's: the code, or 128+signal */
	int signal; /* 0 if it exited */
	int oom_killed; /* memory.events oom_kill went up */
	int64_t time_ns; /* CLOCK_REALTIME of the exit */
};

/* Write an exit file atomically (<exit_path>.tmp, rename):
 * {"exitCode":N,"signal":S,"oomKilled":B,"time":NS}. */
int monitor_exit_write(const char *exit_path, const struct monitor_exit *x, struct err *e);
/* Read an exit file; errnum ENOENT when it does not exist (yet). */
int monitor_exit_read(const char *exit_path, struct monitor_exit *x, struct err *e);
/* Block until the exit file exists (inotify on its directory, no polling);
 * timeout_ms < 0 waits forever.  ETIMEDOUT on timeout. */
int monitor_exit_wait(const char *exit_path, int timeout_ms, struct monitor_exit *x, struct err *e);

/* The attach socket <dir>/attach (AF_UNIX, SOCK_STREAM) carries frames in
 * both directions: 1 byte type, 4 bytes payload length (network order),
 * payload.  Clients connect through /proc/self/fd/<O_PATH dir fd>/attach,
 * so the length of <dir> does not matter (sun_path has 108 bytes). */
enum monitor_frame {
	MONITOR_FRAME_STDIN = 1, /* client -> monitor: bytes for stdin */
	MONITOR_FRAME_STDOUT = 2, /* monitor -> client (a tty is all stdout) */
	MONITOR_FRAME_STDERR = 3, /* monitor -> client */
	MONITOR_FRAME_RESIZE = 4, /* client -> monitor: "WIDTH HEIGHT" */
	MONITOR_FRAME_EOF_STDIN = 5, /* client -> monitor: close stdin (^D on a tty) */
	MONITOR_FRAME_EXIT = 6, /* monitor -> client: "CODE", then close */
};

struct monitor_attach_opts {
	int in_fd; /* -1: do not send stdin */
	int out_fd, err_fd;
	const char *detach_keys; /* "ctrl-p,ctrl-q" (default), "" = none */
	int tty; /* put in_fd in raw mode, send resizes */
	/* Called once connected (and the first RESIZE sent), before any
	 * output is read: start_and_attach starts the container here, so
	 * nothing is lost.  May be NULL; failing (-1, e set) ends the attach
	 * with -1. */
	int (*on_connected)(void *arg, struct err *e);
	void *arg;
	int exit_code; /* out: the code of the EXIT frame when 0 is returned */
};
/* Attach to the container's streams.  Returns 0 when they end (the
 * container exited), 1 when the user detached, -1 on error: ENOENT or
 * ECONNREFUSED when no monitor listens (the container has exited: show
 * the logs instead).  EOF on in_fd sends EOF_STDIN (the container's stdin
 * closes; ^D on a tty) and output keeps coming. */
int monitor_attach(const char *dir, struct monitor_attach_opts *o, struct err *e);
/* Resize the container's terminal. */
int monitor_resize(const char *dir, unsigned width, unsigned height, struct err *e);

struct monitor_logs_opts {
	int follow; /* keep reading until the exit file appears */
	long tail; /* last N lines (in the order they began, both files, both
		    * streams); -1 = all; applied before since/until */
	int64_t since_ns; /* 0 = from the start */
	int64_t until_ns; /* 0 = no end */
	int timestamps; /* prefix each line with its time */
	const char *exit_path; /* for follow */
};
/* Print the log (both generations) to out_fd/err_fd by stream (-1:
 * dropped).  follow: then wait for more (inotify, across rotations) until
 * the exit file exists and the log is drained. */
int monitor_logs(const char *dir, const struct monitor_logs_opts *o, int out_fd, int err_fd,
		 struct err *e);

/* ---- the log: k8s-file format --------------------------------------
 * One record per line: `2026-11-22T12:00:00.123456789Z stdout F text`.
 * F ends a line; P is a part of one (no newline in a read, or longer than
 * 16 KiB): readers join the P parts that precede an F of the same stream.
 * <dir>/ctr.log is rotated to ctr.log.1 when the next record would make it
 * larger than max: at most about 2 * max bytes on disk. */
struct monitor_log {
	int dirfd; /* the container's directory; not owned */
	int fd; /* ctr.log, opened O_APPEND; -1 when closed */
	uint64_t size, max;
};
/* Open (append to) <dirfd>/ctr.log; max 0 = 1 MiB. */
int monitor_log_open(struct monitor_log *l, int dirfd, uint64_t max, struct err *e);
/* Log what one read of a stream (1 stdout, 2 stderr) returned, stamped
 * ts_ns (0 = now). */
int monitor_log_write(struct monitor_log *l, int stream, const char *buf, size_t len, int64_t ts_ns,
		      struct err *e);
void monitor_log_close(struct monitor_log *l);

/* Internal: the entry point of a re-executed monitor.  argv as main() got
 * it ({"nook", "__monitor", ...}) or shifted by one ({"__monitor", ...}).
 * Does not return. */
int monitor_main(int argc, char **argv);

#endif
