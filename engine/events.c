// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * events: the event log in <runroot>/events.log, one JSON line per
 * operation, and `nook events`.
 *
 * Invariants:
 * - Writers hold flock(LOCK_EX) on <runroot>/events.lock (a separate file, so
 *   rotation can rename the log without moving the lock) while they check
 *   the size, rotate and append.  A line goes out in one write(); a short
 *   write is truncated away under the lock, so the log holds whole lines.
 * - Rotation renames events.log over events.log.1: the log never exceeds
 *   the cap (1 MiB, NOOK_EVENTS_MAX) unless one line alone does, and the two
 *   files together hold at most twice that.  Only events.log is ever written.
 * - Readers take LOCK_SH only to open the pair of files (no rotation between
 *   the two opens), then read outside the lock: an open fd keeps a rotated
 *   file readable, and a slow consumer (`nook events | less`) never stalls
 *   the engine.
 * - timeNano is read from the raw line, not through cJSON: a double cannot
 *   hold today's nanoseconds exactly.
 */
#include "engine/events.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/ctr.h"

#define EVENTS_LOG "events.log"
#define EVENTS_OLD "events.log.1"
#define EVENTS_LOCK "events.lock"
#define EVENTS_MAX_DEFAULT (1024 * 1024)
#define NS 1000000000LL
#define ISDIGIT(c) ((c) >= '0' && (c) <= '9')

static int64_t events_max(void)
{
	const char *v = getenv("NOOK_EVENTS_MAX");
	char *end;
	long long n;

	if (!v || !*v)
		return EVENTS_MAX_DEFAULT;
	errno = 0;
	n = strtoll(v, &end, 10);
	return errno || *end || n <= 0 ? EVENTS_MAX_DEFAULT : n;
}

/* "2026-11-22<sep>12:00:00" into buf and the nanoseconds into *frac. */
static void fmt_time(int64_t ns, char sep, char *buf, size_t len, long *frac)
{
	char t[40];

	*frac = (long)(ns % NS);
	if (*frac < 0)
		*frac += NS;
	if (!time_format_ns(ns, t, sizeof(t)))
		t[0] = '\0';
	t[10] = sep; /* "2026-11-22T12:00:00": date, sep, time */
	t[19] = '\0';
	snprintf(buf, len, "%s", t);
}

static int lock_open(const struct store *s, int op, struct err *e)
{
	_cleanup_free_ char *p = xasprintf("%s/" EVENTS_LOCK, s->runroot);

	return file_lock_open(p, O_RDWR | O_CREAT, 0644, op, e);
}

static char *event_line(int64_t t, const char *type, const char *status, const char *id,
			const char *name, const cJSON *attrs)
{
	cJSON *j = cJSON_CreateObject();
	char tb[48], nb[24];
	long frac;
	char *s, *line;

	fmt_time(t, 'T', tb, sizeof(tb), &frac);
	snprintf(tb + strlen(tb), sizeof(tb) - strlen(tb), ".%09ldZ", frac);
	snprintf(nb, sizeof(nb), "%lld", (long long)t);
	if (!j || !cJSON_AddStringToObject(j, "time", tb) ||
	    !cJSON_AddRawToObject(j, "timeNano", nb) || !cJSON_AddStringToObject(j, "type", type) ||
	    !cJSON_AddStringToObject(j, "status", status ? status : "") ||
	    !cJSON_AddStringToObject(j, "id", id ? id : "") ||
	    !cJSON_AddStringToObject(j, "name", name ? name : "") ||
	    (attrs && !cJSON_AddItemToObject(j, "attributes", cJSON_Duplicate(attrs, 1)))) {
		cJSON_Delete(j);
		return NULL;
	}
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!s)
		return NULL;
	line = xasprintf("%s\n", s);
	cJSON_free(s);
	return line;
}

static int append_typed(const struct store *s, const char *type, const char *status, const char *id,
			const char *name, const cJSON *attrs, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/" EVENTS_LOG, s->runroot);
	_cleanup_free_ char *line = event_line(sys_wall_ns(), type, status, id, name, attrs);
	_cleanup_close_ int lock = -1;
	_cleanup_close_ int fd = -1;
	const int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
	struct stat st;
	size_t len;
	ssize_t n;

	if (!line)
		return err_set(e, ENOMEM, "format event %s", status);
	len = strlen(line);
	lock = lock_open(s, LOCK_EX, e);
	if (lock < 0)
		return err_wrap(e, "event %s", status);
	fd = open(path, flags, 0644);
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_sys(e, "open %s", path);
	if (st.st_size > 0 && st.st_size + (int64_t)len > events_max()) {
		_cleanup_free_ char *old = xasprintf("%s/" EVENTS_OLD, s->runroot);

		if (rename(path, old) < 0)
			return err_sys(e, "rotate %s", path);
		close(fd);
		st.st_size = 0;
		fd = open(path, flags, 0644);
		if (fd < 0)
			return err_sys(e, "open %s", path);
	}
	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	/* A torn line would glue onto the next one; we still hold the lock. */
	if (n < 0)
		err_sys(e, "write %s", path);
	else
		err_set(e, ENOSPC, "write %s: short write", path);
	if (n > 0 && ftruncate(fd, st.st_size) < 0)
		return err_sys(e, "truncate %s after a short write", path);
	return -1;
}

int events_append(const struct store *s, const char *status, const char *id, const char *name,
		  const cJSON *attrs, struct err *e)
{
	return append_typed(s, "container", status, id, name, attrs, e);
}

int events_append_image(const struct store *s, const char *status, const char *id, const char *name,
			struct err *e)
{
	return append_typed(s, "image", status, id, name, NULL, e);
}

/* ---- reading ---------------------------------------------------------- */

struct reader {
	const struct events_filter *f;
	int json, out;
	char *buf; /* bytes read but not yet handled: at most a partial line */
	size_t len, cap;
};

/* A NULL list matches everything; a value matches the name, or the id or a
 * prefix of it (prefix: only where id is given). */
static int match(char **list, const char *id, const char *name)
{
	if (!list)
		return 1;
	for (; *list; list++)
		if (!strcmp(*list, name) || (id && **list && !strncmp(*list, id, strlen(*list))))
			return 1;
	return 0;
}

/* Filter and print one line (NUL-terminated, without its newline).  Lines
 * that do not parse (foreign or damaged) are skipped. */
static int handle_line(struct reader *r, const char *line, struct err *e)
{
	const struct events_filter *f = r->f;
	const char *p = strstr(line, "\"timeNano\":");
	const cJSON *code;
	_cleanup_free_ char *out = NULL;
	char tb[48], cb[32] = "";
	const char *id, *name, *status, *type;
	cJSON *j;
	int64_t t;
	long frac;

	if (!p)
		return 0;
	t = strtoll(p + strlen("\"timeNano\":"), NULL, 10);
	if ((f->since_ns && t < f->since_ns) || (f->until_ns && t > f->until_ns))
		return 0;
	j = cJSON_Parse(line);
	if (!j)
		return 0;
	id = jstr(j, "id") ?: "";
	name = jstr(j, "name") ?: "";
	status = jstr(j, "status") ?: "";
	if (!match(f->containers, id, name) || !match(f->statuses, NULL, status)) {
		cJSON_Delete(j);
		return 0;
	}
	if (r->json) {
		out = xasprintf("%s\n", line);
	} else {
		code = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(j, "attributes"), "exitCode");
		if (cJSON_IsNumber(code))
			snprintf(cb, sizeof(cb), ", containerExitCode=%d", code->valueint);
		else if (cJSON_IsString(code))
			snprintf(cb, sizeof(cb), ", containerExitCode=%.10s", code->valuestring);
		fmt_time(t, ' ', tb, sizeof(tb), &frac);
		type = jstr(j, "type");
		out = xasprintf("%s.%09ld +0000 UTC %s %s %s (name=%s%s)\n", tb, frac,
				type && *type ? type : "container", status, id, name, cb);
	}
	cJSON_Delete(j);
	if (write_all(r->out, out, strlen(out)) < 0)
		return err_sys(e, "write events");
	return 0;
}

/* Read fd to EOF, handling each complete line; a trailing fragment stays
 * in r->buf until its newline arrives. */
static int drain(struct reader *r, int fd, struct err *e)
{
	for (;;) {
		char *start, *nl;
		ssize_t n;

		if (r->cap - r->len < 4096) {
			r->cap = r->cap ? r->cap * 2 : 16384;
			r->buf = xrealloc(r->buf, r->cap);
		}
		n = read(fd, r->buf + r->len, r->cap - r->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, "read events");
		if (n == 0)
			return 0;
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
		start = r->buf;
		/* memchr: a stray NUL must not hide the newlines after it */
		while ((nl = memchr(start, '\n', (size_t)(r->buf + r->len - start)))) {
			*nl = '\0';
			if (handle_line(r, start, e) < 0)
				return -1;
			start = nl + 1;
		}
		r->len -= (size_t)(start - r->buf);
		memmove(r->buf, start, r->len);
	}
}

/* events.log appeared or was replaced: finish the old file, then read the
 * new one from the start.  Stale notifications (the same file) are ignored. */
static int reopen_log(struct reader *r, int *fd, const char *path, struct err *e)
{
	struct stat a, b;
	int nfd = open(path, O_RDONLY | O_CLOEXEC);

	if (nfd < 0)
		return errno == ENOENT ? 0 : err_sys(e, "open %s", path);
	if (*fd >= 0 && fstat(*fd, &a) == 0 && fstat(nfd, &b) == 0 && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev) {
		close(nfd);
		return 0;
	}
	if (*fd >= 0 && drain(r, *fd, e) < 0) {
		close(nfd);
		return -1;
	}
	if (*fd >= 0)
		close(*fd);
	*fd = nfd;
	r->len = 0; /* the old file's fragment will never be completed */
	return drain(r, nfd, e);
}

static int follow_log(struct reader *r, int ifd, int *fd, const char *path, struct err *e)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		struct pollfd pfd = { .fd = ifd, .events = POLLIN };
		int timeout = -1, reopen = 0, n;
		ssize_t len;
		char *p;

		if (r->f->until_ns) {
			int64_t left = r->f->until_ns - sys_wall_ns();

			if (left <= 0)
				return 0;
			timeout = left / 1000000 >= INT_MAX ? INT_MAX : (int)(left / 1000000) + 1;
		}
		n = poll(&pfd, 1, timeout);
		if (n < 0 && errno != EINTR)
			return err_sys(e, "poll");
		if (n <= 0)
			continue;
		len = read(ifd, ev, sizeof(ev));
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len < 0)
			return err_sys(e, "read inotify");
		for (p = ev; p < ev + len;
		     p += sizeof(struct inotify_event) + ((struct inotify_event *)p)->len) {
			const struct inotify_event *ie = (const struct inotify_event *)p;

			if (ie->mask & IN_Q_OVERFLOW)
				reopen = 1;
			if ((ie->mask & (IN_CREATE | IN_MOVED_TO)) && ie->len &&
			    !strcmp(ie->name, EVENTS_LOG))
				reopen = 1;
			if (ie->mask & IN_IGNORED)
				return err_set(e, ENOENT, "follow events: %s was removed", path);
		}
		if (*fd >= 0 && drain(r, *fd, e) < 0)
			return -1;
		if (reopen && reopen_log(r, fd, path, e) < 0)
			return -1;
	}
}

int events_print(const struct store *s, const struct events_filter *f, int follow, int json,
		 int out_fd, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/" EVENTS_LOG, s->runroot);
	_cleanup_free_ char *old = xasprintf("%s/" EVENTS_OLD, s->runroot);
	_cleanup_close_ int ifd = -1;
	_cleanup_close_ int ofd = -1;
	_cleanup_close_ int fd = -1;
	struct reader r = { .f = f, .json = json, .out = out_fd };
	int lock, rc = 0;

	/* Watch before opening, so no rotation between the two is missed. */
	if (follow) {
		ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (ifd < 0)
			return err_sys(e, "inotify_init1");
		if (inotify_add_watch(ifd, s->runroot, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
			return err_sys(e, "watch %s", s->runroot);
	}
	lock = lock_open(s, LOCK_SH, e);
	if (lock < 0)
		return err_wrap(e, "read events");
	ofd = open(old, O_RDONLY | O_CLOEXEC);
	if (ofd < 0 && errno != ENOENT)
		rc = err_sys(e, "open %s", old);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT && rc == 0)
		rc = err_sys(e, "open %s", path);
	close(lock);

	if (rc == 0 && ofd >= 0)
		rc = drain(&r, ofd, e);
	r.len = 0;
	if (rc == 0 && fd >= 0)
		rc = drain(&r, fd, e);
	if (rc == 0 && follow)
		rc = follow_log(&r, ifd, &fd, path, e);
	free(r.buf);
	return rc;
}

/* ---- time parsing ------------------------------------------------------ */

/* ".123" after the dot: as nanoseconds (digits past the ninth dropped). */
static int fraction(const char **p, int64_t *ns)
{
	int64_t scale = NS / 10;

	*ns = 0;
	if (!ISDIGIT(**p))
		return -1;
	for (; ISDIGIT(**p); (*p)++, scale /= 10)
		*ns += (**p - '0') * scale;
	return 0;
}

static int parse_unix(const char *p, int64_t *ns)
{
	int64_t sec = 0, frac = 0;

	if (!ISDIGIT(*p))
		return -1;
	for (; ISDIGIT(*p); p++)
		if ((sec = sec * 10 + (*p - '0')) >= INT64_MAX / NS)
			return -1;
	if (*p == '.' && (p++, fraction(&p, &frac) < 0))
		return -1;
	if (*p)
		return -1;
	*ns = sec * NS + frac;
	return 0;
}

/* Go's time.ParseDuration without a sign: ("1.5" "h")+, counted back from now. */
static int parse_duration(const char *p, int64_t *ns)
{
	static const struct {
		const char *u;
		int64_t ns;
	} units[] = { { "ns", 1 },	     { "us", 1000 },	{ "\xc2\xb5s", 1000 },
		      { "\xce\xbcs", 1000 }, { "ms", 1000000 }, { "s", NS },
		      { "m", 60 * NS },	     { "h", 3600 * NS } };
	int64_t total = 0;

	if (!*p)
		return -1;
	while (*p) {
		int64_t whole = 0, frac = 0, v;
		int n = 0;
		size_t i;

		for (; ISDIGIT(*p); p++, n++) {
			if (whole > (INT64_MAX - 9) / 10)
				return -1;
			whole = whole * 10 + (*p - '0');
		}
		if (*p == '.' && ISDIGIT(p[1])) {
			p++;
			n += fraction(&p, &frac) == 0;
		} else if (*p == '.') {
			p++;
		}
		if (!n)
			return -1;
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (!strncmp(p, units[i].u, strlen(units[i].u)))
				break;
		if (i == ARRAY_SIZE(units))
			return -1;
		p += strlen(units[i].u);
		if (__builtin_mul_overflow(whole, units[i].ns, &v) ||
		    __builtin_add_overflow(v, (int64_t)((double)frac / NS * units[i].ns), &v) ||
		    __builtin_add_overflow(total, v, &total))
			return -1;
	}
	*ns = sys_wall_ns() - total;
	return 0;
}

int events_parse_time(const char *s, int64_t *ns, struct err *e)
{
	if (parse_unix(s, ns) == 0 || time_parse_ns(s, strlen(s), ns) == 0 ||
	    parse_duration(s, ns) == 0)
		return 0;
	return err_set(e, EINVAL, "invalid time \"%s\"", s);
}
