/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * split: a layer's tar split, so that `save` writes each layer's tar
 * again byte for byte from the unpacked tree (its digest must be the diff
 * id the image config names) without keeping the tar itself.
 *
 * Recorded while the layer is unpacked (a struct tar_record): every byte
 * of the tar that is not file data (headers, pax records, padding, the end
 * marker and whatever follows it), and for each file its size and its path
 * in the tree.  Headers are mostly zeros: runs of zeros are stored as a
 * count, so a split takes about 100 bytes per entry.
 *
 *   "NKSPLIT1", u64 tar size (little endian), then records:
 *   'R' varint(len) rle-bytes   len raw bytes (0x00 n = n zeros)
 *   'D' varint(size) varint(namelen) name   size bytes from the file name
 *   'E'                          the end
 */
#ifndef NOOK_SPLIT_H
#define NOOK_SPLIT_H

#include <stdint.h>

#include "oci/util.h"
#include "store/tar.h"

struct split_writer {
	struct tar_record rec;
	int fd;
	int failed; /* errno of the first failed write, 0 if none */
	uint64_t total; /* bytes of the tar so far */
	size_t n;
	unsigned char buf[16384];
};

/* Create dirfd/name and start recording into it. */
int split_writer_open(struct split_writer *w, int dirfd, const char *name, struct err *e);
/* Raw bytes that are not a tar_reader's (what follows the end marker). */
void split_writer_raw(struct split_writer *w, const void *p, size_t n);
/* Finish (the size, then fsync) and close; -1 if any write failed. */
int split_writer_close(struct split_writer *w, struct err *e);
/* Close and forget after a failure (the caller removes the file). */
void split_writer_abort(struct split_writer *w);

/* The size of the tar a split describes. */
int split_size(int fd, uint64_t *size, struct err *e);
/* Write the tar again: out(arg, bytes) for each piece, file data read
 * from the tree at treefd (paths resolved without following symlinks).
 * what names the layer in errors. */
int split_replay(int fd, int treefd, int (*out)(void *arg, const void *p, size_t n, struct err *e),
		 void *arg, const char *what, struct err *e);

#endif
