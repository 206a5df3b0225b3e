/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sha256: SHA-256 (FIPS 180-4), our own small implementation, in oci/ so
 * that every layer may use it (the seccomp cache's keys here, the image
 * store's digests in store/digest).
 *
 * Portable C: words are assembled from bytes, never loaded through a cast,
 * so the same code is right on big-endian MIPS.
 */
#ifndef NOOK_SHA256_H
#define NOOK_SHA256_H

#include <stddef.h>
#include <stdint.h>

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

#endif
