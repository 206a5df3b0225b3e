/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inflate: gzip (RFC 1952) decompression as a stream, for compressed
 * layers.  Deflate (RFC 1951) with table-driven Huffman decoding; members
 * concatenated by pigz and some registries come out as one stream, and zero
 * bytes after the last member (some tools pad) are allowed; anything else
 * after it, a CRC-32 or ISIZE that does not match, and every malformed or
 * truncated input are errors ("<what>: corrupt gzip stream: <cause>",
 * "<what>: truncated gzip stream"), never a crash or a loop.
 *
 * Memory is bounded whatever the input: 86 KiB in one allocation (the
 * 32 KiB window with 32 KiB of output behind it, 8 KiB of input, 13 KiB of
 * decoding tables) plus an 8 KiB CRC table shared by all.  Reads of `in` ask
 * for at most 8 KiB; the inflater reads `in` to its end, as it must to
 * know that nothing follows the last member.
 */
#ifndef NOOK_INFLATE_H
#define NOOK_INFLATE_H

#include <stddef.h>

#include "store/stream.h"

struct inflate;

/* A decompressor of the gzip stream read from in; what (NULL: the caller
 * wraps the error with its own name) names the blob in
 * errors ("layer sha256:..."). Both are borrowed and must outlive it.
 * Never NULL (allocation failure ends the process, as xmalloc does). */
struct inflate *inflate_new(struct stream *in, const char *what);
/* The stream of decompressed bytes.  After an error every read repeats it.
 * The end (0) comes only after every member's CRC-32 and size matched. */
struct stream *inflate_stream(struct inflate *z);
/* Frees z (NULL is fine); in is not touched. */
void inflate_free(struct inflate *z);
/* Whether the first n bytes at p begin like a gzip member (1f 8b 08). */
int inflate_is_gzip(const unsigned char *p, size_t n);

#endif
