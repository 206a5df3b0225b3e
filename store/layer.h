/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layer: unpack one image layer blob into a directory, safely.
 *
 * The blob's compression is told by its first bytes (gzip, plain tar,
 * zstd through the zstd program (filter.h); xz and bzip2 are named in the
 * error), never by a media type.  On the way through, the blob's sha256
 * (its digest in a manifest) and the uncompressed tar's sha256 (its diff
 * id in the image config) are computed, so that a caller verifies both
 * without reading twice.  The
 * tar is applied by tar_extract_stream with owners, modes, xattrs and
 * device nodes kept and whiteouts turned into overlay's form; no entry can
 * reach outside the directory (tar.h).
 */
#ifndef NOOK_LAYER_H
#define NOOK_LAYER_H

#include <stdint.h>

#include "oci/util.h"
#include "store/stream.h"

enum layer_kind { LAYER_NONE, LAYER_TAR, LAYER_GZIP, LAYER_ZSTD, LAYER_XZ, LAYER_BZIP2 };

/* What the first n bytes of a blob are (LAYER_NONE: not a layer). */
enum layer_kind layer_sniff(const unsigned char *p, size_t n);

struct layer_info {
	char blob[72]; /* "sha256:<hex>" of the blob's bytes */
	char diff[72]; /* "sha256:<hex>" of the uncompressed tar */
	uint64_t size; /* bytes of file data in the tree */
};

/* Unpack the blob read from raw (to its end) into dirfd/name (made here;
 * removed again on failure), its tar split into dirfd/name.split (see
 * split.h).  what names the blob in errors. */
int layer_unpack(struct stream *raw, int dirfd, const char *name, const char *what,
		 struct layer_info *li, struct err *e);

#endif
