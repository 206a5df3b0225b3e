// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log: log lines (stderr, or runc's --log file as text or JSON) and the
 * NOOK_TIMING step marks.  The marks are plain syscalls on a stack buffer
 * (a raw-cloned child may make them); log_msg uses stdio and is not for
 * such a child.
 */
#include "oci/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/sys.h"
#include "oci/util.h"

/* ---- logging --------------------------------------------------------- */

static int log_fd = 2;
static int log_json;
static enum log_level log_level = LOGL_WARN;

void log_setup(int fd, int json, enum log_level level)
{
	log_fd = fd;
	log_json = json;
	log_level = level;
}

int log_is_json(void)
{
	return log_json;
}

static void json_escape(char *out, size_t len, const char *in)
{
	size_t o = 0;

	for (; *in && o + 7 < len; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char msg[1024], line[2200], ts[40];
	va_list ap;
	int n;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	time_format_ns(sys_wall_ns(), ts, sizeof(ts));
	if (log_json) {
		char esc[2048];

		json_escape(esc, sizeof(esc), msg);
		n = snprintf(line, sizeof(line),
			     "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n", names[lvl], esc,
			     ts);
	} else if (log_fd == 2) {
		if (lvl == LOGL_ERROR)
			return; /* errors reach stderr through err_print */
		n = snprintf(line, sizeof(line), "nook: %s: %s\n", names[lvl], msg);
	} else {
		/* logrus's text format, which runc's --log readers know */
		char esc[2048];

		json_escape(esc, sizeof(esc), msg);
		ts[19] = '\0'; /* to the second */
		n = snprintf(line, sizeof(line), "time=\"%sZ\" level=%s msg=\"%s\"\n", ts,
			     names[lvl], esc);
	}
	if (n > 0)
		write_all(log_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* ---- timing ------------------------------------------------------------ */

int timing_fd = -1;
static uint64_t timing_t0, timing_last;

static uint64_t timing_now(void)
{
	return (uint64_t)sys_mono_ns() / 1000;
}

void timing_setup(void)
{
	const char *v = getenv("NOOK_TIMING"), *t0 = getenv("NOOK_TIMING_T0");
	char *end;

	timing_fd = -1;
	if (!v || !*v || strcmp(v, "0") == 0)
		return;
	/* Our own fd, CLOEXEC: a container's stdio is never written. */
	timing_fd = *v == '/' ? open(v, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)
			      : fcntl(2, F_DUPFD_CLOEXEC, 3);
	timing_last = 0;
	if (t0 && *t0) {
		timing_t0 = strtoull(t0, &end, 10);
		if (*end == ':')
			timing_last = strtoull(end + 1, NULL, 10);
	} else {
		timing_t0 = timing_now();
	}
	timing_export();
}

void timing_export(void)
{
	char buf[48];

	if (timing_fd < 0)
		return;
	snprintf(buf, sizeof(buf), "%llu:%llu", (unsigned long long)timing_t0,
		 (unsigned long long)timing_last);
	setenv("NOOK_TIMING_T0", buf, 1);
}

static char *timing_put(char *p, uint64_t v, char sep)
{
	char num[24], *s = num + sizeof(num);

	do
		*--s = (char)('0' + v % 10);
	while (v /= 10);
	memcpy(p, s, (size_t)(num + sizeof(num) - s));
	p += num + sizeof(num) - s;
	*p++ = sep;
	return p;
}

void timing_mark_on(const char *step)
{
	uint64_t now = timing_now();
	char buf[160], *p = buf + 12;
	size_t n;

	memcpy(buf, "nook-timing ", 12);
	p = timing_put(p, (uint64_t)getpid(), ' ');
	p = timing_put(p, now - timing_t0, ' ');
	*p++ = '+';
	p = timing_put(p, now - (timing_last ? timing_last : timing_t0), ' ');
	timing_last = now;
	n = strnlen(step, sizeof(buf) - (size_t)(p - buf) - 1);
	memcpy(p, step, n);
	p += n;
	*p++ = '\n';
	(void)!write(timing_fd, buf, (size_t)(p - buf));
}
