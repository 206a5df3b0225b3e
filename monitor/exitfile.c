// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * monitor/exitfile.c: the exit file, {"exitCode":N,"signal":S,
 * "oomKilled":B,"time":NS}, written atomically by the monitor when the
 * init has exited (and its output is in the log), read by the engine, and
 * waited for with inotify on its directory: never by polling.  A watch is
 * always added before the first look, so a file renamed into place in
 * between is either seen or queued as an event.
 */
#include "monitor/internal.h"

#include <ctype.h>
#include <poll.h>
#include <sys/inotify.h>

int monitor_watch_dir_of(int ino, const char *path, uint32_t mask, const char **base, struct err *e)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	*base = slash ? path + (slash - dir) + 1 : path;
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if (inotify_add_watch(ino, dir, mask) < 0)
		return err_sys(e, "watch %s", dir);
	return 0;
}

int monitor_exit_write(const char *exit_path, const struct monitor_exit *x, struct err *e)
{
	char buf[160];
	int n = snprintf(buf, sizeof(buf),
			 "{\"exitCode\":%d,\"signal\":%d,\"oomKilled\":%s,\"time\":%lld}\n",
			 x->exit_code, x->signal, x->oom_killed ? "true" : "false",
			 (long long)x->time_ns);

	return file_write_nosync(exit_path, buf, (size_t)n, 0644, e); /* runroot */
}

/* The value of "key" in our flat JSON object, as text; NULL if absent. */
static const char *json_val(const char *s, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = s; (p = strchr(p, '"')); p++) {
		if (strncmp(p + 1, key, kl) == 0 && p[kl + 1] == '"') {
			p += kl + 2;
			while (isspace((unsigned char)*p))
				p++;
			if (*p != ':')
				return NULL;
			for (p++; isspace((unsigned char)*p); p++)
				;
			return p;
		}
	}
	return NULL;
}

int monitor_exit_read(const char *exit_path, struct monitor_exit *x, struct err *e)
{
	_cleanup_free_ char *s = file_read(exit_path, NULL, e);
	const char *code, *sig, *oom, *t;
	char *end;

	if (!s)
		return -1;
	code = json_val(s, "exitCode");
	sig = json_val(s, "signal");
	oom = json_val(s, "oomKilled");
	t = json_val(s, "time");
	memset(x, 0, sizeof(*x));
	if (!code || (x->exit_code = (int)strtol(code, &end, 10), end == code))
		return err_set(e, EINVAL, "exit file %s: no exitCode", exit_path);
	x->signal = sig ? atoi(sig) : 0;
	x->oom_killed = oom && strncmp(oom, "true", 4) == 0;
	x->time_ns = t ? strtoll(t, NULL, 10) : 0;
	return 0;
}

int monitor_exit_wait(const char *exit_path, int timeout_ms, struct monitor_exit *x, struct err *e)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	_cleanup_close_ int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	int64_t deadline = timeout_ms >= 0 ? sys_mono_ms() + timeout_ms : -1;
	const char *base;

	if (ino < 0)
		return err_sys(e, "inotify_init");
	/* The watch before the first look: a file renamed into place in
	 * between is either seen by the look or queued as an event. */
	if (monitor_watch_dir_of(ino, exit_path,
				 IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE_SELF |
					 IN_MOVE_SELF,
				 &base, e) < 0)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = ino, .events = POLLIN };
		int again = 0, r;
		ssize_t n;
		struct err le = { 0 };

		if (monitor_exit_read(exit_path, x, &le) == 0)
			return 0;
		if (le.errnum != ENOENT) {
			if (e)
				*e = le;
			return -1;
		}
		while (!again) {
			r = poll(&p, 1, monitor_ms_left(deadline));
			if (r < 0 && errno != EINTR)
				return err_sys(e, "poll inotify");
			if (r == 0)
				return err_set(e, ETIMEDOUT, "wait for %s", exit_path);
			while ((n = read(ino, buf, sizeof(buf))) > 0) {
				for (char *q = buf; q < buf + n;) {
					struct inotify_event *ev = (struct inotify_event *)q;

					if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
						return err_set(
							e, ENOENT,
							"wait for %s: its directory went away",
							exit_path);
					if ((ev->mask & IN_Q_OVERFLOW) ||
					    (ev->len && strcmp(ev->name, base) == 0))
						again = 1;
					q += sizeof(*ev) + ev->len;
				}
			}
		}
	}
}
