// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * monitor/log.c: the container's log in the k8s-file format (see
 * monitor/monitor.h), its writer and its reader.
 *
 * The writer runs in the monitor's loop (HOT): one writev() a record, so a
 * reader never sees half of one that has been complete for a while, and
 * the rotation to ctr.log.1 before the record that would pass the cap.
 * The reader is `nook logs`: both generations in order, tail/since/until,
 * and follow with inotify across rotations until the exit file appears
 * (the monitor writes its last records before the exit file).
 */
#include "monitor/internal.h"

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#define LOG_NAME "ctr.log"
#define LOG_OLD "ctr.log.1"
#define LOG_DEFAULT_MAX (1024 * 1024)

/* ---- the log writer --------------------------------------------------- */

int monitor_log_open(struct monitor_log *l, int dirfd, uint64_t max, struct err *e)
{
	struct stat st;

	l->dirfd = dirfd;
	l->max = max ? max : LOG_DEFAULT_MAX;
	l->fd = openat(dirfd, LOG_NAME, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (l->fd < 0)
		return err_sys(e, "open %s", LOG_NAME);
	l->size = fstat(l->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

void monitor_log_close(struct monitor_log *l)
{
	monitor_close_fd(&l->fd);
}

static HOT int log_rotate(struct monitor_log *l, struct err *e)
{
	if (renameat(l->dirfd, LOG_NAME, l->dirfd, LOG_OLD) < 0)
		return err_sys(e, "rename %s to %s", LOG_NAME, LOG_OLD);
	close(l->fd);
	l->size = 0;
	l->fd = openat(l->dirfd, LOG_NAME, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
		       0600);
	if (l->fd < 0)
		return err_sys(e, "open %s", LOG_NAME);
	return 0;
}

/* One record with one writev(): readers never see half of one that has
 * been complete for a while, and only the tail can be torn. */
static HOT int log_record(struct monitor_log *l, const char *hdr, size_t hn, const char *text,
			  size_t tn, struct err *e)
{
	char nl = '\n'; /* not a literal: see put_stream */
	struct iovec iov[3] = { { (void *)hdr, hn }, { (void *)text, tn }, { &nl, 1 } };
	size_t len = hn + tn + 1;
	ssize_t n;

	if (l->fd < 0) {
		/* a failed rotation: try again now */
		l->fd = openat(l->dirfd, LOG_NAME, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (l->fd < 0)
			return err_sys(e, "open %s", LOG_NAME);
	}
	if (l->size > 0 && l->size + len > l->max && log_rotate(l, e) < 0)
		return -1;
	do
		n = writev(l->fd, iov, 3);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(e, "write %s", LOG_NAME);
	l->size += (uint64_t)n;
	if ((size_t)n != len)
		return err_set(e, ENOSPC, "write %s: short write", LOG_NAME);
	return 0;
}

/* " stdout X " or " stderr X " by stores, not copied from a literal:
 * string literals are merged with equal ones anywhere in the binary, and
 * reading one would fault a cold 64 KiB of read-only data into the
 * monitor (see HOT). */
static HOT void put_stream(char *p, int stream)
{
	p[0] = p[7] = p[9] = ' ';
	p[1] = 's';
	p[2] = 't';
	p[3] = 'd';
	p[4] = stream == 2 ? 'e' : 'o';
	p[5] = stream == 2 ? 'r' : 'u';
	p[6] = stream == 2 ? 'r' : 't';
	p[8] = 'X';
}

HOT int monitor_log_write(struct monitor_log *l, int stream, const char *buf, size_t len,
			  int64_t ts_ns, struct err *e)
{
	char hdr[64];
	int hn = time_format_ns(ts_ns ? ts_ns : sys_wall_ns(), hdr, sizeof(hdr) - 10);

	put_stream(hdr + hn, stream);
	while (len > 0) {
		size_t look = len < LOG_CHUNK + 1 ? len : LOG_CHUNK + 1;
		const char *nl = memchr(buf, '\n', look);
		size_t take = nl ? (size_t)(nl - buf) : len < LOG_CHUNK ? len : LOG_CHUNK;

		hdr[hn + 8] = nl ? 'F' : 'P';
		if (log_record(l, hdr, (size_t)hn + 10, buf, take, e) < 0)
			return -1;
		take += nl ? 1 : 0;
		buf += take;
		len -= take;
	}
	return 0;
}

/* ---- the log reader --------------------------------------------------- */

int monitor_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EAGAIN) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };

			poll(&pf, 1, -1);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

struct log_rd {
	int fd;
	char *buf;
	size_t cap, start, end;
};

struct log_rec {
	const char *ts; /* as written, ts_len characters */
	size_t ts_len;
	int64_t ts_ns;
	int stream; /* 1, 2 */
	int partial;
	const char *text;
	size_t len;
};

static void rd_reset(struct log_rd *r, int fd)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = fd;
	r->start = r->end = 0;
}

/* The next complete line of r, without its '\n'.  1 found, 0 not (yet). */
static int rd_next(struct log_rd *r, const char **line, size_t *n)
{
	for (;;) {
		char *nl = r->buf ? memchr(r->buf + r->start, '\n', r->end - r->start) : NULL;
		ssize_t k;

		if (nl) {
			*line = r->buf + r->start;
			*n = (size_t)(nl - *line);
			r->start = (size_t)(nl + 1 - r->buf);
			return 1;
		}
		if (r->fd < 0)
			return 0;
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		if (r->end == r->cap) {
			/* Records are short; a longer line is garbage. */
			if (r->cap >= 1 << 20)
				r->end = 0;
			else
				r->buf = xrealloc(r->buf, r->cap = r->cap ? r->cap * 2 : 65536);
		}
		k = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return 0;
		r->end += (size_t)k;
	}
}

static int rec_parse(const char *s, size_t n, struct log_rec *r)
{
	const char *end = s + n, *p = memchr(s, ' ', n);

	/* RFC 3339 with a time, as k8s-file writers put it */
	if (!p || p - s < 20 || time_parse_ns(s, (size_t)(p - s), &r->ts_ns) < 0)
		return -1;
	r->ts = s;
	r->ts_len = (size_t)(p - s);
	p++;
	if (end - p < 8 || (memcmp(p, "stdout ", 7) && memcmp(p, "stderr ", 7)))
		return -1;
	r->stream = p[3] == 'o' ? 1 : 2;
	p += 7;
	r->partial = *p == 'P';
	p = memchr(p, ' ', (size_t)(end - p));
	r->text = p ? p + 1 : end;
	r->len = (size_t)(end - r->text);
	return 0;
}

struct obuf {
	int fd;
	size_t n;
	char b[8192];
};

static void ob_flush(struct obuf *o)
{
	if (o->fd >= 0 && o->n)
		monitor_write_full(o->fd, o->b, o->n);
	o->n = 0;
}

static void ob_put(struct obuf *o, const char *s, size_t n)
{
	if (o->fd < 0)
		return;
	if (o->n + n > sizeof(o->b))
		ob_flush(o);
	if (n > sizeof(o->b)) {
		monitor_write_full(o->fd, s, n);
		return;
	}
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

struct logs_ctx {
	const struct monitor_logs_opts *o;
	struct obuf *ob[3];
	int counting; /* pass 1 of a tail: count lines only */
	long lines; /* lines started */
	long skip; /* lines still to skip (tail) */
	int open[3]; /* a line of the stream is in progress */
	int show[3];
};

static void logs_rec(struct logs_ctx *c, const struct log_rec *r)
{
	const struct monitor_logs_opts *o = c->o;
	int s = r->stream;

	if (!c->open[s]) {
		c->open[s] = 1;
		c->lines++;
		if (c->counting) {
			c->show[s] = 0;
		} else if (c->skip > 0) {
			c->skip--;
			c->show[s] = 0;
		} else {
			c->show[s] = (!o->since_ns || r->ts_ns >= o->since_ns) &&
				     (!o->until_ns || r->ts_ns <= o->until_ns);
		}
		if (c->show[s] && o->timestamps) {
			ob_put(c->ob[s], r->ts, r->ts_len);
			ob_put(c->ob[s], " ", 1);
		}
	}
	if (c->show[s]) {
		ob_put(c->ob[s], r->text, r->len);
		if (!r->partial)
			ob_put(c->ob[s], "\n", 1);
	}
	if (!r->partial)
		c->open[s] = 0;
}

static void logs_drain(struct logs_ctx *c, struct log_rd *r)
{
	const char *line;
	size_t n;
	struct log_rec rec;

	while (rd_next(r, &line, &n))
		if (rec_parse(line, n, &rec) == 0)
			logs_rec(c, &rec);
}

/* Read both generations from the start, counting or printing. */
static void logs_pass(struct logs_ctx *c, struct log_rd *old, struct log_rd *cur)
{
	struct log_rd *rs[2] = { old, cur };

	c->open[1] = c->open[2] = 0;
	for (int i = 0; i < 2; i++) {
		if (rs[i]->fd < 0)
			continue;
		lseek(rs[i]->fd, 0, SEEK_SET);
		rs[i]->start = rs[i]->end = 0;
		logs_drain(c, rs[i]);
	}
}

static int same_file(int dirfd, const char *name, int fd)
{
	struct stat a, b;

	if (fstatat(dirfd, name, &a, 0) < 0)
		return 1; /* not there (yet): keep what we have */
	return fd >= 0 && fstat(fd, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int exists(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0;
}

static void inotify_drain(int ino, int timeout_ms)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd p = { .fd = ino, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) > 0)
		while (read(ino, buf, sizeof(buf)) > 0)
			;
}

int monitor_logs(const char *dir, const struct monitor_logs_opts *o, int out_fd, int err_fd,
		 struct err *e)
{
	static struct obuf ob_out, ob_err; /* 16 KiB: not on the stack */
	_cleanup_close_ int dfd = -1;
	_cleanup_close_ int ino = -1;
	struct log_rd old = { .fd = -1 }, cur = { .fd = -1 };
	struct logs_ctx c = { .o = o, .ob = { NULL, &ob_out, &ob_err } };
	const char *base;

	ob_out.fd = out_fd;
	ob_err.fd = err_fd;
	ob_out.n = ob_err.n = 0;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, "open %s", dir);
	/* Watches first, then the files: no event can fall in between. */
	if (o->follow) {
		ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (ino < 0)
			return err_sys(e, "inotify_init");
		if (inotify_add_watch(ino, dir,
				      IN_MODIFY | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO) < 0)
			return err_sys(e, "watch %s", dir);
		if (o->exit_path &&
		    monitor_watch_dir_of(ino, o->exit_path,
					 IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE, &base, e) < 0)
			return -1;
	}
	old.fd = openat(dfd, LOG_OLD, O_RDONLY | O_CLOEXEC);
	cur.fd = openat(dfd, LOG_NAME, O_RDONLY | O_CLOEXEC);
	if (o->tail >= 0) {
		c.counting = 1;
		logs_pass(&c, &old, &cur);
		c.counting = 0;
		c.skip = c.lines > o->tail ? c.lines - o->tail : 0;
	}
	logs_pass(&c, &old, &cur);
	rd_reset(&old, -1);
	while (o->follow) {
		/* Seen before the last drain: then that drain is complete. */
		int done = exists(o->exit_path);

		logs_drain(&c, &cur);
		if (!same_file(dfd, LOG_NAME, cur.fd)) {
			/* Rotated: the rest of the old generation, then the new. */
			logs_drain(&c, &cur);
			rd_reset(&cur, openat(dfd, LOG_NAME, O_RDONLY | O_CLOEXEC));
			continue;
		}
		ob_flush(&ob_out);
		ob_flush(&ob_err);
		if (done)
			break;
		inotify_drain(ino, -1);
	}
	ob_flush(&ob_out);
	ob_flush(&ob_err);
	rd_reset(&cur, -1);
	free(old.buf);
	free(cur.buf);
	return 0;
}
