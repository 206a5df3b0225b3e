/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * digest: SHA-256 (FIPS 180-4) and the "sha256:<hex>" digests of OCI
 * content addresses, plus a stream that hashes what passes through it, so a
 * blob is verified on its way into the store without a second read.
 *
 * Portable C: words are assembled from bytes, never loaded through a cast,
 * so the same code is right on big-endian MIPS.
 */
#ifndef NOOK_DIGEST_H
#define NOOK_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "store/stream.h"

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	unsigned char buf[64]; /* a partial block */
	size_t n; /* bytes in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *p, size_t n);
/* The 32-byte digest; s must be initialised again before reuse. */
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* "sha256:" and 64 lowercase hex digits, NUL-terminated, into out. */
void sha256_digest_str(const unsigned char d[32], char out[72]);
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
