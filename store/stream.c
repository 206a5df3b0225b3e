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

static ssize_t peek_read(struct stream *s, void *buf, size_t n, struct err *e)
{
	struct stream_peek *p = (struct stream_peek *)s;

	if (p->off < p->len) {
		size_t k = p->len - p->off < n ? p->len - p->off : n;

		memcpy(buf, p->buf + p->off, k);
		p->off += k;
		return (ssize_t)k;
	}
	return p->in->read(p->in, buf, n, e);
}

int stream_peek_init(struct stream_peek *p, struct stream *in, struct err *e)
{
	p->s.read = peek_read;
	p->in = in;
	p->len = p->off = 0;
	while (p->len < sizeof(p->buf)) {
		ssize_t r = in->read(in, p->buf + p->len, sizeof(p->buf) - p->len, e);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		p->len += (size_t)r;
	}
	return 0;
}

int stream_drain(struct stream *s, struct err *e)
{
	char buf[16384];
	ssize_t r;

	while ((r = s->read(s, buf, sizeof(buf), e)) > 0)
		;
	return r < 0 ? -1 : 0;
}
