// SPDX-License-Identifier: GPL-2.0-or-later
/* layer: see layer.h. */
#include "store/layer.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "store/digest.h"
#include "store/filter.h"
#include "store/inflate.h"
#include "store/split.h"
#include "store/store.h"
#include "store/tar.h"

enum layer_kind layer_sniff(const unsigned char *p, size_t n)
{
	if (inflate_is_gzip(p, n))
		return LAYER_GZIP;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return LAYER_ZSTD;
	if (n >= 6 && !memcmp(p,
			      "\xfd"
			      "7zXZ\0",
			      6))
		return LAYER_XZ;
	if (n >= 3 && !memcmp(p, "BZh", 3))
		return LAYER_BZIP2;
	if (tar_block_is_header(p, n))
		return LAYER_TAR;
	return LAYER_NONE;
}

/* Read the rest of s into the split (what follows the end marker). */
static int drain_into(struct stream *s, struct split_writer *w, struct err *e)
{
	char buf[4096];
	ssize_t r;

	while ((r = s->read(s, buf, sizeof(buf), e)) > 0)
		split_writer_raw(w, buf, (size_t)r);
	return r < 0 ? -1 : 0;
}

static int unpack_tar(struct stream *tar, int dirfd, const char *name, const char *what,
		      struct layer_info *li, struct err *e)
{
	struct stream_hash diff;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *split = xasprintf("%s.split", name);
	_cleanup_free_ struct split_writer *w = xmalloc(sizeof(*w));
	unsigned char d[32];

	stream_hash_init(&diff, tar);
	if (mkdirat(dirfd, name, 0755) < 0)
		return err_sys(e, "create layer directory %s", name);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "open layer directory %s", name);
	if (split_writer_open(w, dirfd, split, e) < 0)
		return -1;
	/* the tar up to its end marker, then whatever padding follows it:
	 * the diff id covers every byte, and so does the split */
	if (tar_extract_stream(&diff.s, fd, TAR_EXTRACT_OWNER | TAR_EXTRACT_WHITEOUTS, &li->size,
			       &w->rec, e) < 0 ||
	    drain_into(&diff.s, w, e) < 0) {
		split_writer_abort(w);
		unlinkat(dirfd, split, 0);
		return err_wrap(e, "%s", what);
	}
	if (split_writer_close(w, e) < 0) {
		unlinkat(dirfd, split, 0);
		return err_wrap(e, "%s", what);
	}
	sha256_final(&diff.h, d);
	sha256_digest_str(d, li->diff);
	return 0;
}

int layer_unpack(struct stream *raw, int dirfd, const char *name, const char *what,
		 struct layer_info *li, struct err *e)
{
	struct stream_hash blob;
	struct stream_peek peek;
	struct inflate *z = NULL;
	_cleanup_free_ struct filter *zstd = NULL;
	char *zstd_argv[] = { "zstd", "-dcq", NULL };
	unsigned char d[32];
	int r = -1, packed = 0; /* a compressed blob: its own digest */

	if (stream_peek_init(&peek, raw, e) < 0)
		return err_wrap(e, "%s", what);
	/* the blob's digest over the bytes the peek read, then the rest */
	stream_hash_init(&blob, &peek.s);
	switch (layer_sniff(peek.buf, peek.len)) {
	case LAYER_TAR:
		/* uncompressed: the blob is the tar, one hash does for both */
		r = unpack_tar(&peek.s, dirfd, name, what, li, e);
		if (r == 0)
			memcpy(li->blob, li->diff, sizeof(li->blob));
		break;
	case LAYER_GZIP:
		z = inflate_new(&blob.s, NULL);
		r = unpack_tar(inflate_stream(z), dirfd, name, what, li, e);
		inflate_free(z);
		packed = 1;
		break;
	case LAYER_ZSTD:
		/* through the zstd program: no zstd code in the binary */
		zstd = xmalloc(sizeof(*zstd));
		if (filter_open(zstd, &blob.s, zstd_argv, e) < 0)
			return err_wrap(e, "%s: zstd-compressed", what);
		r = unpack_tar(&zstd->s, dirfd, name, what, li, e);
		if (filter_close(zstd, r < 0 ? NULL : e) < 0 && r == 0)
			r = err_wrap(e, "%s", what);
		packed = 1;
		break;
	case LAYER_XZ:
	case LAYER_BZIP2: return err_set(e, 0, "%s: xz and bzip2 layers are not supported", what);
	case LAYER_NONE:
		return err_set(e, 0, "%s: not a layer (neither a tar archive nor gzip)", what);
	}
	if (packed && r == 0 && stream_drain(&blob.s, e) < 0)
		r = err_wrap(e, "%s", what);
	if (r < 0) {
		_cleanup_free_ char *split = xasprintf("%s.split", name);

		store_rm_tree(dirfd, name, NULL);
		unlinkat(dirfd, split, 0);
		return -1;
	}
	if (packed) {
		sha256_final(&blob.h, d);
		sha256_digest_str(d, li->blob);
	}
	return 0;
}
