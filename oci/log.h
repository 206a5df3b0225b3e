/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log: the process's diagnostic lines, and the step timings.
 *
 * Errors are printed once, at the top (err_print, the CLI's report); this
 * log carries what is not an error of the command: warnings, and runc's
 * --log file in text or JSON form.  The levels are LOGL_*: <syslog.h>
 * defines LOGL_INFO and LOGL_DEBUG as macros, and a module that includes
 * both must build.
 */
#ifndef NOOK_LOG_H
#define NOOK_LOG_H

enum log_level { LOGL_ERROR, LOGL_WARN, LOGL_INFO, LOGL_DEBUG };
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
