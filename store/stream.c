// SPDX-License-Identifier: GPL-2.0-or-later
/* stream: see stream.h. */
#include "store/stream.h"

static ssize_t fd_read(struct stream *s, void *buf, size_t n, struct err *e)
{
	struct stream_fd *f = (struct stream_fd *)s;

	for (;;) {
		ssize_t r = read(f->fd, buf, n);

		if (r >= 0)
			return r;
		if (errno != EINTR)
			return err_sys(e, "read %s", f->what);
	}
}

void stream_fd_init(struct stream_fd *f, int fd, const char *what)
{
	f->s.read = fd_read;
	f->fd = fd;
	f->what = what;
}

int stream_read_full(struct stream *s, void *buf, size_t n, const char *what, struct err *e)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = s->read(s, (char *)buf + got, n - got, e);

		if (r < 0)
			return -1;
		if (r == 0)
			return err_set(e, EIO, "truncated %s", what);
		got += (size_t)r;
	}
	return 0;
}
