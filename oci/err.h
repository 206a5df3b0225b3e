/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * err: the error contract every module of nook follows.
 *
 * A fallible function takes `struct err *e` last and returns 0/-1 (or a
 * pointer/NULL).  On failure `e` holds an errno (0 if none), a kind, and a
 * message naming the action and the value.  No heap: the message lives in
 * the struct, so error paths never allocate.  Context is prepended on the
 * way up with err_wrap(); the error is printed once, at the top.
 *
 * The kind decides what the user sees besides the message: the command
 * line's exit code and the API's HTTP status come from one table
 * (err_kind_info), never from the message's words.
 */
#ifndef NOOK_ERR_H
#define NOOK_ERR_H

#include <stddef.h>
#include <stdint.h>

/* What kind of failure, for callers that act on it (engine/LIFECYCLE.md
 * names them).  err_set and friends reset it to ERRK_GENERIC; err_setk
 * sets both.  It travels with the message from a container's init and
 * from the monitor. */
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

/* What a kind means outside the process (any kind, unknown ones as
 * ERRK_GENERIC; never NULL):
 *   exit   the command line's exit code, 0 for the command's own default
 *          (125 for the engine, runc's 1 or 255 for the runtime): 127 and
 *          126 for a process that could not be started (the shell's codes,
 *          podman's and runc's too)
 *   http   the API's status, podman's: 404 no such, 409 a state that
 *          refuses, 304 already stopped, 400 invalid, 501 not
 *          implemented, 500 anything else
 *   cause  podman's text for it (the "cause" of an API error body) */
struct err_kind_info {
	uint8_t exit;
	uint16_t http;
	const char *cause;
};
const struct err_kind_info *err_kind_info(int kind);
/* The exit code a command line gives for e: err_kind_info's, else dflt. */
int err_exit_code(const struct err *e, int dflt);

#endif
