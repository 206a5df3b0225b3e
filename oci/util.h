/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util: the plumbing every module of nook includes.
 *
 * - scope-bound cleanup macros (gcc/clang `cleanup` attribute) and
 *   allocation that cannot fail (it dies on ENOMEM).
 * - string vectors, small file helpers (atomic writes), ids, signals, the
 *   RFC 3339 timestamps.
 *
 * The error contract is oci/err.h (included: these functions take a
 * struct err); raw syscalls and clocks are oci/sys.h, logging oci/log.h.
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

#include "oci/err.h"

#define NOOK_VERSION "0.1.0"

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

/* A build with -mips16 (MIPS16=1, or OpenWrt's CONFIG_USE_MIPS16) keeps
 * these in the standard MIPS encoding: the loops that need all 32
 * registers (inflate, crc32, sha256).  oci/alloc.c is compiled so as a
 * whole (the Makefile): the C library and libseccomp, built without
 * MIPS16, reach free() by a direct jump, which cannot change ISA mode. */
#ifdef __mips__
#define NOOK_NOMIPS16 __attribute__((nomips16))
#else
#define NOOK_NOMIPS16
#endif

/* ns since the epoch as "2026-11-22T12:00:00.123456789Z" (30 characters
 * and a NUL; years 0-9999).  Without libc (no gmtime_r, no printf): the
 * monitor's loop stamps its log records with it.  Returns the length, 0
 * when len is below 31. */
int time_format_ns(int64_t ns, char *out, size_t len);

/* The other way: "2026-11-22" or RFC 3339 ("2026-11-22T12:00:00", an
 * optional fraction, Z or +hh:mm; no zone means UTC), the n characters at
 * s, to ns since the epoch.  -1 for anything else, an impossible date
 * ("02-30") or one before 1970. */
int time_parse_ns(const char *s, size_t n, int64_t *ns);

/* Write data to path atomically: path.tmp, fsync, rename, fsync dir. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct err *e);
/* The same without the fsyncs, for what a reboot wipes anyway (the
 * runroot): readers see the old or the new contents, never a mix. */
int file_write_nosync(const char *path, const void *data, size_t len, mode_t mode, struct err *e);
/* flock(fd, op), again after EINTR; -1 with "lock PATH" (fd stays open). */
int file_lock(int fd, int op, const char *path, struct err *e);
/* open(path, oflags | O_CLOEXEC, mode), then file_lock(op): the locked fd,
 * or -1 with e naming path (nothing left open). */
int file_lock_open(const char *path, int oflags, mode_t mode, int op, struct err *e);
/* mkdir -p with mode; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, struct err *e);
/* A program's path: the first executable NAME in PATH, else
 * /usr/sbin/NAME (a service's PATH may lack sbin); NULL if none. */
char *program_path(const char *name);
/* Full write, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

/* The environment variable name when it is set and not empty, else dflt
 * (NOOK_ROOT, NOOK_CONF...: how an environment overrides a default). */
const char *env_or(const char *name, const char *dflt);

/* ---- names ----------------------------------------------------------- */

/* Ids and names: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 255 chars. */
int id_valid(const char *id, struct err *e);

/* Signal by name ("KILL", "SIGKILL", "sigterm") or number; -1 if unknown. */
int signal_parse(const char *s);
const char *signal_name(int sig);

#endif
