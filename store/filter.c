// SPDX-License-Identifier: GPL-2.0-or-later
/* filter: see filter.h. */
#include "store/filter.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Keep the start of what the program says on stderr; 0 at its end. */
static void take_stderr(struct filter *f)
{
	char b[512];
	ssize_t r = read(f->err, b, sizeof(b));

	if (r <= 0) {
		if (r == 0 || errno != EINTR)
			close_fd(&f->err);
		return;
	}
	for (ssize_t i = 0; i < r && f->errlen + 1 < sizeof(f->errtext); i++)
		f->errtext[f->errlen++] = b[i] == '\n' ? ' ' : b[i];
	f->errtext[f->errlen] = '\0';
}

/* Feed the program what it can take without blocking. */
static int feed(struct filter *f, struct err *e)
{
	ssize_t r;

	if (f->off == f->len && !f->in_eof) {
		r = f->in->read(f->in, f->buf, sizeof(f->buf), e);
		if (r < 0)
			return -1;
		f->off = 0;
		f->len = (size_t)r;
		f->in_eof = r == 0;
	}
	if (f->off == f->len) {
		close_fd(&f->to); /* the end of the input */
		return 0;
	}
	r = write(f->to, f->buf + f->off, f->len - f->off);
	if (r > 0)
		f->off += (size_t)r;
	else if (r < 0 && errno == EPIPE)
		close_fd(&f->to); /* it stopped reading: the caller drains in */
	else if (r < 0 && errno != EAGAIN && errno != EINTR)
		return err_sys(e, "write to %s", f->name);
	return 0;
}

static int reap(struct filter *f, struct err *e);

static ssize_t filter_read(struct stream *s, void *buf, size_t n, struct err *e)
{
	struct filter *f = (struct filter *)s;

	for (;;) {
		struct pollfd p[3] = { { f->from, POLLIN, 0 },
				       { f->err, POLLIN, 0 },
				       { f->to, POLLOUT, 0 } };
		ssize_t r;

		if (f->from < 0)
			return 0;
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, "poll %s", f->name);
		}
		if (p[1].revents)
			take_stderr(f);
		if (p[2].revents && feed(f, e) < 0)
			return -1;
		if (!p[0].revents)
			continue;
		r = read(f->from, buf, n);
		if (r > 0)
			return r;
		if (r == 0) {
			/* its end: a failed program says why before the tar
			 * reader calls the stream truncated */
			close_fd(&f->from);
			return reap(f, e);
		}
		if (errno != EINTR && errno != EAGAIN)
			return err_sys(e, "read from %s", f->name);
	}
}

int filter_open(struct filter *f, struct stream *in, char *const argv[], struct err *e)
{
	_cleanup_free_ char *path = program_path(argv[0]);
	int to[2], from[2], er[2];

	memset(f, 0, sizeof(*f));
	f->s.read = filter_read;
	f->in = in;
	f->name = argv[0];
	f->pid = -1;
	f->status = -1;
	f->to = f->from = f->err = -1;
	if (!path)
		return err_set(e, 0, "no %s program in PATH or /usr/sbin (install %s)", argv[0],
			       argv[0]);
	if (pipe2(to, O_CLOEXEC) < 0)
		return err_sys(e, "pipe");
	if (pipe2(from, O_CLOEXEC) < 0) {
		close(to[0]);
		close(to[1]);
		return err_sys(e, "pipe");
	}
	if (pipe2(er, O_CLOEXEC) < 0) {
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		return err_sys(e, "pipe");
	}
	f->pid = fork();
	if (f->pid == 0) {
		if (dup2(to[0], 0) < 0 || dup2(from[1], 1) < 0 || dup2(er[1], 2) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execv(path, argv);
		dprintf(2, "exec %s: %s", path, strerror(errno));
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	close(er[1]);
	f->to = to[1];
	f->from = from[0];
	f->err = er[0];
	if (f->pid < 0) {
		int errnum = errno;

		filter_close(f, NULL);
		return err_set(e, errnum, "fork %s", argv[0]);
	}
	fcntl(f->to, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Reap the program (killed first when its output was not read to the
 * end): 0 if it exited 0, else -1 with the start of its stderr. */
static int reap(struct filter *f, struct err *e)
{
	int st = 0;

	if (f->pid > 0 && f->from >= 0)
		kill(f->pid, SIGKILL); /* stopped before its output's end */
	close_fd(&f->to);
	close_fd(&f->from);
	while (f->err >= 0)
		take_stderr(f);
	if (f->pid <= 0)
		return f->status;
	while (waitpid(f->pid, &st, 0) < 0 && errno == EINTR)
		;
	f->pid = -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return f->status = 0;
	f->status = -1;
	if (WIFSIGNALED(st))
		return err_set(e, 0, "%s killed by signal %d%s%s", f->name, WTERMSIG(st),
			       f->errlen ? ": " : "", f->errtext);
	return err_set(e, 0, "%s exited %d%s%s", f->name, WEXITSTATUS(st), f->errlen ? ": " : "",
		       f->errtext);
}

int filter_close(struct filter *f, struct err *e)
{
	return reap(f, e);
}
