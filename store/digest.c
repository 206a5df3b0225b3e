// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * digest: see digest.h (the hash itself: oci/sha256.c).
 */
#include "store/digest.h"

void sha256_digest_str(const unsigned char d[32], char out[72])
{
	static const char hex[] = "0123456789abcdef";

	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[d[i] >> 4];
		out[8 + 2 * i] = hex[d[i] & 15];
	}
	out[71] = '\0';
}

void sha256_digest_of(const void *p, size_t n, char out[72])
{
	struct sha256 h;
	unsigned char d[32];

	sha256_init(&h);
	sha256_update(&h, p, n);
	sha256_final(&h, d);
	sha256_digest_str(d, out);
}

int digest_valid(const char *s)
{
	if (strncmp(s, "sha256:", 7) != 0)
		return 0;
	s += 7;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

static ssize_t hash_read(struct stream *s, void *buf, size_t n, struct err *e)
{
	struct stream_hash *sh = (struct stream_hash *)s;
	ssize_t r = sh->in->read(sh->in, buf, n, e);

	if (r > 0) {
		sha256_update(&sh->h, buf, (size_t)r);
		sh->bytes += (uint64_t)r;
	}
	return r;
}

void stream_hash_init(struct stream_hash *sh, struct stream *in)
{
	sh->s.read = hash_read;
	sh->in = in;
	sha256_init(&sh->h);
	sh->bytes = 0;
}
