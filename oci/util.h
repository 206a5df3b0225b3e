/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util: the plumbing every module of nook includes.
 *
 * - struct err: the error contract.  A fallible function takes `struct err *e`
 *   last and returns 0/-1 (or a pointer/NULL).  On failure `e` holds an errno
 *   (0 if none) and a message naming the action and the value.  No heap: the
 *   message lives in the struct.  Context is prepended on the way up with
 *   err_wrap(); the error is printed once, at the top.
 * - scope-bound cleanup macros (gcc/clang `cleanup` attribute).
 * - raw wrappers for syscalls musl does not wrap (clone3, pidfd, openat2,
 *   close_range, pivot_root, seccomp).
 * - small file helpers and logging.
 */
#ifndef NOOK_UTIL_H
#define NOOK_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define NOOK_VERSION "0.1.0"

/* ---- errors ---------------------------------------------------------- */

/* What kind of failure, for callers that act on it (the engine maps
 * kinds to exit codes and to the error kinds of engine/LIFECYCLE.md).
 * err_set and friends reset it to ERRK_GENERIC; err_setk sets both.  It
 * travels with the message from a container's init and from the monitor. */
enum err_kind {
	ERRK_GENERIC = 0,
	ERRK_STATE_INVALID, /* the container's state refuses the operation */
	ERRK_ALREADY_STOPPED, /* stop of a stopped container: not a failure */
	ERRK_REMOVED, /* the container went away meanwhile */
	ERRK_INVALID_ARG,
	ERRK_NOT_IMPLEMENTED,
	ERRK_INTERNAL,
	ERRK_NO_SUCH, /* no such container */
	ERRK_DEPENDENCY,
	ERRK_RUNTIME, /* the OS refused: errnum says why */
	ERRK_EXEC_NOT_FOUND, /* the process's executable is not there: 127 */
	ERRK_EXEC_DENIED, /* it is there but cannot be executed: 126 */
};

struct err {
	int errnum; /* errno of the failing call, 0 if none */
	int kind; /* enum err_kind */
	char msg[512]; /* "action value: reason" without the strerror part */
};

/* Set e (if non-NULL) and return -1, so callers can `return err_set(...)`. */
int err_set(struct err *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* err_set and the kind, in one step. */
int err_setk(struct err *e, int kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The exit code a command line gives for e, by its kind: 127 and 126 for a
 * process that could not be started (the shell's codes, podman's and
 * runc's too), dflt for anything else. */
int err_exit_code(const struct err *e, int dflt);
/* err_set with errnum = errno. */
int err_sys(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepend "context: " to the message already in e; returns -1. */
int err_wrap(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* err_wrap and the kind, in one step; a process that could not be
 * started (ERRK_EXEC_*) stays that, whatever step it surfaced in. */
int err_wrapk(struct err *e, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The full one-line text: "msg: strerror(errnum)" (or just msg). */
const char *err_str(const struct err *e, char *buf, size_t len);
/* Print "prog: <err_str>" on stderr. */
void err_print(const char *prog, const struct err *e);

/* ---- cleanup --------------------------------------------------------- */

void util_freep(void *p);
void util_closep(int *fd);
void util_fclosep(FILE **f);
void util_strvfreep(char ***v);

#define _cleanup_free_ __attribute__((cleanup(util_freep)))
#define _cleanup_close_ __attribute__((cleanup(util_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(util_fclosep)))
#define _cleanup_strv_ __attribute__((cleanup(util_strvfreep)))

/* Take ownership out of a guarded variable. */
#define steal_ptr(p)                    \
	({                              \
		__typeof__(p) _t = (p); \
		(p) = NULL;             \
		_t;                     \
	})
#define steal_fd(fd)           \
	({                     \
		int _t = (fd); \
		(fd) = -1;     \
		_t;            \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that cannot fail: on ENOMEM the process dies with a message
 * (nothing sensible can continue; this is what toybox and bubblewrap do). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_free(char **v);
char **strv_dup(char *const *v);
/* Append a copy of s; *v may be NULL. */
void strv_push(char ***v, const char *s);

/* ---- syscalls -------------------------------------------------------- */

struct nook_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#define NOOK_CLONE_INTO_CGROUP 0x200000000ULL

/* Raw clone3; in the child returns 0.  After it the child must stay on plain
 * syscalls until execve (musl caches the thread id). */
pid_t sys_clone3(struct nook_clone_args *args);
/* fork-like clone(2) with extra flags (no new stack): the fallback. */
pid_t sys_clone(unsigned long flags);
int sys_pivot_root(const char *new_root, const char *put_old);
int sys_pidfd_open(pid_t pid, unsigned int flags);
int sys_pidfd_send_signal(int pidfd, int sig);
int sys_close_range(unsigned int first, unsigned int last, unsigned int flags);
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct nook_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define NOOK_RESOLVE_NO_XDEV 0x01
#define NOOK_RESOLVE_NO_MAGICLINKS 0x02
#define NOOK_RESOLVE_NO_SYMLINKS 0x04
#define NOOK_RESOLVE_BENEATH 0x08
#define NOOK_RESOLVE_IN_ROOT 0x10
int sys_openat2(int dirfd, const char *path, struct nook_open_how *how);

/* mount_setattr(2), Linux 5.12: attributes of a mount, with
 * NOOK_AT_RECURSIVE of every mount below it too. */
struct nook_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};
#define NOOK_MOUNT_ATTR_RDONLY 0x01
#define NOOK_MOUNT_ATTR_NOSUID 0x02
#define NOOK_MOUNT_ATTR_NODEV 0x04
#define NOOK_MOUNT_ATTR_NOEXEC 0x08
#define NOOK_MOUNT_ATTR__ATIME 0x70 /* the atime mode: one of the three below */
#define NOOK_MOUNT_ATTR_RELATIME 0x00
#define NOOK_MOUNT_ATTR_NOATIME 0x10
#define NOOK_MOUNT_ATTR_STRICTATIME 0x20
#define NOOK_MOUNT_ATTR_NODIRATIME 0x80
#define NOOK_MOUNT_ATTR_NOSYMFOLLOW 0x200000
#define NOOK_AT_RECURSIVE 0x8000
int sys_mount_setattr(int dirfd, const char *path, unsigned int flags,
		      struct nook_mount_attr *attr);

/* Mark every fd >= first close-on-exec, except those in [keep_lo, keep_hi). */
void fds_cloexec_from(int first);

/* ---- files ----------------------------------------------------------- */

/* Read a whole file (NUL-terminated); *len may be NULL.  Caller frees. */
char *file_read(const char *path, size_t *len, struct err *e);
char *file_read_at(int dirfd, const char *path, size_t *len, struct err *e);
/* Write s to an existing file (O_WRONLY|O_TRUNC unless append). */
int file_write(const char *path, const char *s, struct err *e);
int file_write_at(int dirfd, const char *path, const char *s, struct err *e);
/* A /proc/self/mountinfo field in place: \ooo escapes (space, tab,
 * newline, backslash) back to their bytes. */
void unescape_octal(char *s);

/* Code that the monitor's loop runs goes in one section, which
 * monitor/hot.ld places at the front of the text (see monitor.c). */
#define NOOK_HOT __attribute__((section(".text.nook_hot")))

/* ns since the epoch as "2026-11-22T12:00:00.123456789Z" (30 characters
 * and a NUL; years 0-9999).  Without libc (no gmtime_r, no printf): the
 * monitor's loop stamps its log records with it.  Returns the length, 0
 * when len is below 31. */
int time_format_ns(int64_t ns, char *out, size_t len);

/* Write data to path atomically: path.tmp, fsync, rename, fsync dir. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct err *e);
/* The same without the fsyncs, for what a reboot wipes anyway (the
 * runroot): readers see the old or the new contents, never a mix. */
int file_write_volatile(const char *path, const void *data, size_t len, mode_t mode, struct err *e);
/* mkdir -p with mode; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, struct err *e);
/* A program's path: the first executable NAME in PATH, else
 * /usr/sbin/NAME (a service's PATH may lack sbin); NULL if none. */
char *program_path(const char *name);
/* Full write, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

/* Start time of pid (field 22 of /proc/<pid>/stat), 0 if it does not exist. */
uint64_t proc_start_time(pid_t pid);
/* /proc/<pid>/stat: the state letter (R, S, Z...) and the start time. */
int proc_stat(pid_t pid, char *state, uint64_t *start);
/* pid exists, started at start, and has not exited (no zombie). */
int proc_running(pid_t pid, uint64_t start);

/* ---- names ----------------------------------------------------------- */

/* Ids and names: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 255 chars. */
int id_valid(const char *id, struct err *e);

/* Signal by name ("KILL", "SIGKILL", "sigterm") or number; -1 if unknown. */
int signal_parse(const char *s);
const char *signal_name(int sig);

/* ---- logging --------------------------------------------------------- */

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
/* Where log lines go: stderr by default; a file in text or runc's JSON form
 * ({"level":"error","msg":"...","time":"..."}). */
void log_setup(int fd, int json, enum log_level level);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_is_json(void);

/* ---- timing ---------------------------------------------------------- */

/* NOOK_TIMING=1 (stderr) or NOOK_TIMING=/abs/file (appended: the monitor's
 * stderr is /dev/null) makes timing_mark() write one line per step:
 *   "nook-timing PID T +D STEP" with T the µs of CLOCK_MONOTONIC since the
 * first mark of the command (NOOK_TIMING_T0, exported to what it runs:
 * the sealed re-exec, the monitor) and D the µs since this process's
 * previous mark (the first mark of an exec'd image: since the caller's
 * last one, see timing_export()).  Plain syscalls and a stack buffer: safe after a raw
 * clone.  Off, a mark costs one load and a branch. */
extern int timing_fd; /* -1: off */
/* Read NOOK_TIMING once; again after closing every fd (the monitor). */
void timing_setup(void);
/* Before an exec of ourselves: the next image's first D counts from our
 * last mark (NOOK_TIMING_T0=T0:LAST). */
void timing_export(void);
void timing_mark_on(const char *step);
#define timing_mark(step)                     \
	do {                                  \
		if (timing_fd >= 0)           \
			timing_mark_on(step); \
	} while (0)

#endif
