// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * err: setting, wrapping and printing errors, and the one table that says
 * what each kind means to a command line and to the API.  Setting an error
 * never allocates: safe in a freshly cloned child (the printing is not).
 */
#include "oci/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "oci/log.h"

static int err_vset(struct err *e, int errnum, const char *fmt, va_list ap)
{
	if (e) {
		e->errnum = errnum;
		e->kind = ERRK_GENERIC;
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	}
	return -1;
}

int err_set(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int err_setk(struct err *e, int kind, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, errnum, fmt, ap);
	va_end(ap);
	if (e)
		e->kind = kind;
	return -1;
}

int err_sys(struct err *e, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, saved, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

static int err_vwrap(struct err *e, const char *fmt, va_list ap)
{
	char ctx[256], old[sizeof(e->msg)];
	size_t n;

	if (!e)
		return -1;
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	memcpy(old, e->msg, sizeof(old));
	n = strlen(ctx);
	if (n + 2 >= sizeof(e->msg))
		n = sizeof(e->msg) - 3;
	memcpy(e->msg, ctx, n);
	memcpy(e->msg + n, ": ", 2);
	snprintf(e->msg + n + 2, sizeof(e->msg) - n - 2, "%.*s", (int)(sizeof(e->msg) - n - 3),
		 old);
	return -1;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vwrap(e, fmt, ap);
	va_end(ap);
	return -1;
}

int err_wrapk(struct err *e, int kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vwrap(e, fmt, ap);
	va_end(ap);
	if (e && e->kind != ERRK_EXEC_NOT_FOUND && e->kind != ERRK_EXEC_DENIED)
		e->kind = kind;
	return -1;
}

const char *err_str(const struct err *e, char *buf, size_t len)
{
	if (e->errnum)
		snprintf(buf, len, "%s: %s", e->msg, strerror(e->errnum));
	else
		snprintf(buf, len, "%s", e->msg);
	return buf;
}

void err_print(const char *prog, const struct err *e)
{
	char buf[800];

	err_str(e, buf, sizeof(buf));
	if (log_is_json())
		log_msg(LOGL_ERROR, "%s", buf);
	fprintf(stderr, "%s: %s\n", prog, buf);
}

/* One row a kind, in enum order; podman's texts and statuses
 * (libpod/define/errors.go and its API's handlers). */
static const struct err_kind_info kinds[] = {
	[ERRK_GENERIC] = { 0, 500, "internal error" },
	[ERRK_STATE_INVALID] = { 0, 409, "container state improper" },
	[ERRK_ALREADY_STOPPED] = { 0, 304, "container already stopped" },
	[ERRK_REMOVED] = { 0, 404, "container has already been removed" },
	[ERRK_INVALID_ARG] = { 0, 400, "invalid argument" },
	[ERRK_NOT_IMPLEMENTED] = { 0, 501, "not implemented" },
	[ERRK_INTERNAL] = { 0, 500, "internal error" },
	[ERRK_NO_SUCH] = { 0, 404, "no such container" },
	[ERRK_DEPENDENCY] = { 0, 500, "dependency error" },
	[ERRK_RUNTIME] = { 0, 500, "OCI runtime error" },
	[ERRK_EXEC_NOT_FOUND] = { 127, 500, "command not found" },
	[ERRK_EXEC_DENIED] = { 126, 500, "permission denied" },
};

const struct err_kind_info *err_kind_info(int kind)
{
	return &kinds[kind > 0 && (size_t)kind < sizeof(kinds) / sizeof(kinds[0]) ? kind : 0];
}

int err_exit_code(const struct err *e, int dflt)
{
	int code = err_kind_info(e->kind)->exit;

	return code ? code : dflt;
}
