/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * digest: the "sha256:<hex>" digests of OCI content addresses (the hash:
 * oci/sha256.h), plus a stream that hashes what passes through it, so a
 * blob is verified on its way into the store without a second read.
 *
 * Portable C: words are assembled from bytes, never loaded through a cast,
 * so the same code is right on big-endian MIPS.
 */
#ifndef NOOK_DIGEST_H
#define NOOK_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "oci/sha256.h"
#include "store/stream.h"

/* "sha256:" and 64 lowercase hex digits, NUL-terminated, into out. */
void sha256_digest_str(const unsigned char d[32], char out[72]);
/* The digest string of n bytes at p into out. */
void sha256_digest_of(const void *p, size_t n, char out[72]);
/* Whether s is "sha256:" followed by exactly 64 lowercase hex digits. */
int digest_valid(const char *s);

/* A stream that passes in's bytes through unchanged while hashing them and
 * counting them in bytes; sha256_final(&sh->h, ...) at the end.  Borrows in. */
struct stream_hash {
	struct stream s;
	struct stream *in;
	struct sha256 h;
	uint64_t bytes;
};

void stream_hash_init(struct stream_hash *sh, struct stream *in);

#endif
