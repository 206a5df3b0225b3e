/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream: a pull source of bytes, so that the tar reader, the gzip
 * inflater, the digests and the archive readers stack without buffering a
 * whole blob: a layer in a docker-archive read from a pipe is the tar
 * entry's data, through inflate when it is compressed, hashed on the way,
 * into the layer unpacker.
 *
 * read returns the number of bytes put into buf (at most n, at least 1
 * unless the source is at its end), 0 at the end, -1 with e set.  A source
 * that wraps another never reads past what it needs of it.
 */
#ifndef NOOK_STREAM_H
#define NOOK_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#include "oci/util.h"

struct stream {
	ssize_t (*read)(struct stream *s, void *buf, size_t n, struct err *e);
};

/* A file descriptor as a stream (EINTR retried; errors name `what`). */
struct stream_fd {
	struct stream s;
	int fd;
	const char *what;
};

void stream_fd_init(struct stream_fd *f, int fd, const char *what);

/* A stream whose first bytes can be looked at before it is read: what it
 * read ahead (up to sizeof buf, fewer only at the end of in) is served
 * first, then the rest of in. */
struct stream_peek {
	struct stream s;
	struct stream *in;
	unsigned char buf[512];
	size_t len, off;
};

int stream_peek_init(struct stream_peek *p, struct stream *in, struct err *e);

/* Read and drop the rest of s. */
int stream_drain(struct stream *s, struct err *e);

/* Read exactly n bytes; the end before n is an error ("truncated <what>"). */
int stream_read_full(struct stream *s, void *buf, size_t n, const char *what, struct err *e);

#endif
