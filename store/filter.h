/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter: a stream through an external program (zstd -dc), for the
 * compressions nook does not carry code for.  The design links no
 * compression library but our own inflate; a device that has zstd layers
 * has the zstd program (OpenWrt's package, Yocto's zstd recipe).
 *
 * One process, no thread: each read polls the program's stdout, feeds its
 * stdin from the source when it can take more, and keeps the first line
 * of its stderr for the error.  The source is read only as the program
 * asks for it, so a blob inside an archive is not read past its end (the
 * caller still drains the source: bytes after the compressed frame count
 * in the blob's digest).  The program is reaped at the end of its output
 * (a read then fails with its stderr when it exited non-zero) or by
 * filter_close; its exit status decides success.  A filter closed early
 * (a failure downstream) kills it first.  SIGPIPE must be ignored (the
 * CLI does): a program that exits before its input ends makes the feed
 * an EPIPE, which only stops the feed.
 */
#ifndef NOOK_FILTER_H
#define NOOK_FILTER_H

#include <sys/types.h>

#include "store/stream.h"

struct filter {
	struct stream s;
	struct stream *in;
	const char *name; /* the program, for errors */
	pid_t pid;
	int status; /* once reaped: 0 it exited 0, -1 not */
	int to, from, err; /* its stdin, stdout, stderr (-1: closed) */
	int in_eof;
	size_t len, off; /* of buf: read from in, not yet written */
	char buf[16384];
	size_t errlen;
	char errtext[200];
};

/* Start argv[0] (found by program_path; none: an error naming it) with
 * its stdin fed from in; f->s is its stdout. */
int filter_open(struct filter *f, struct stream *in, char *const argv[], struct err *e);
/* Reap the program: 0 if it exited 0, else -1 with its stderr's first
 * line.  A program still running (the caller stops early) is killed. */
int filter_close(struct filter *f, struct err *e);

#endif
