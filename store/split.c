// SPDX-License-Identifier: GPL-2.0-or-later
/* split: see split.h.  The file is ours, but read back defensively all
 * the same: lengths are bounded and names resolved inside the tree. */
#include "store/split.h"

#include <fcntl.h>

#define MAGIC "NKSPLIT1"
#define NAME_MAX_LEN 4096
#define RAW_MAX (1u << 20)

/* ---- writing ------------------------------------------------------------ */

static void put(struct split_writer *w, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n > 0 && !w->failed) {
		size_t k = sizeof(w->buf) - w->n < n ? sizeof(w->buf) - w->n : n;

		memcpy(w->buf + w->n, c, k);
		w->n += k;
		c += k;
		n -= k;
		if (w->n == sizeof(w->buf)) {
			if (write_all(w->fd, w->buf, w->n) < 0)
				w->failed = errno ? errno : EIO;
			w->n = 0;
		}
	}
}

static void put_varint(struct split_writer *w, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;

	do {
		b[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	put(w, b, n);
}

void split_writer_raw(struct split_writer *w, const void *p, size_t n)
{
	const unsigned char *c = p;
	unsigned char out[2 * 512];

	w->total += n;
	put(w, "R", 1);
	put_varint(w, n);
	while (n > 0) {
		size_t o = 0;

		/* a chunk at a time: at most 2 bytes out per byte in */
		for (size_t k = 0; k < 512 && n > 0;) {
			if (*c) {
				out[o++] = *c++;
				n--, k++;
				continue;
			}
			{
				unsigned run = 0;

				while (run < 255 && n > 0 && k < 512 && *c == 0)
					run++, c++, n--, k++;
				out[o++] = 0;
				out[o++] = (unsigned char)run;
			}
		}
		put(w, out, o);
	}
}

static void rec_raw(struct tar_record *rec, const void *p, size_t n)
{
	split_writer_raw((struct split_writer *)rec, p, n);
}

static void rec_data(struct tar_record *rec, const char *name, uint64_t size)
{
	struct split_writer *w = (struct split_writer *)rec;
	size_t len = strlen(name);

	w->total += size;
	put(w, "D", 1);
	put_varint(w, size);
	put_varint(w, len);
	put(w, name, len);
}

int split_writer_open(struct split_writer *w, int dirfd, const char *name, struct err *e)
{
	w->rec.raw = rec_raw;
	w->rec.data = rec_data;
	w->failed = 0;
	w->total = 0;
	w->n = 0;
	w->fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd < 0)
		return err_sys(e, "create %s", name);
	put(w, MAGIC "\0\0\0\0\0\0\0\0", 16);
	return 0;
}

int split_writer_close(struct split_writer *w, struct err *e)
{
	unsigned char sz[8];

	put(w, "E", 1);
	if (!w->failed && w->n && write_all(w->fd, w->buf, w->n) < 0)
		w->failed = errno ? errno : EIO;
	for (int i = 0; i < 8; i++)
		sz[i] = (unsigned char)(w->total >> (8 * i));
	if (!w->failed && (pwrite(w->fd, sz, 8, 8) != 8 || fsync(w->fd) < 0))
		w->failed = errno ? errno : EIO;
	close(w->fd);
	w->fd = -1;
	if (w->failed)
		return err_set(e, w->failed, "write the layer's tar split");
	return 0;
}

void split_writer_abort(struct split_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

/* ---- reading ------------------------------------------------------------ */

struct rd {
	int fd;
	unsigned char buf[16384];
	size_t pos, len;
};

static int get(struct rd *r, unsigned char *c, struct err *e)
{
	if (r->pos == r->len) {
		ssize_t n;

		do
			n = read(r->fd, r->buf, sizeof(r->buf));
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return err_sys(e, "read the layer's tar split");
		if (n == 0)
			return err_set(e, 0, "the layer's tar split is truncated");
		r->pos = 0;
		r->len = (size_t)n;
	}
	*c = r->buf[r->pos++];
	return 0;
}

static int get_varint(struct rd *r, uint64_t *v, struct err *e)
{
	unsigned char c;

	*v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (get(r, &c, e) < 0)
			return -1;
		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
	}
	return err_set(e, 0, "the layer's tar split is corrupt");
}

static int header(struct rd *r, uint64_t *size, struct err *e)
{
	unsigned char h[16];

	for (int i = 0; i < 16; i++)
		if (get(r, &h[i], e) < 0)
			return -1;
	if (memcmp(h, MAGIC, 8) != 0)
		return err_set(e, 0, "not a tar split");
	*size = 0;
	for (int i = 0; i < 8; i++)
		*size |= (uint64_t)h[8 + i] << (8 * i);
	return 0;
}

int split_size(int fd, uint64_t *size, struct err *e)
{
	struct rd r = { .fd = fd };

	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_sys(e, "seek the layer's tar split");
	return header(&r, size, e);
}

/* Open name (normalised, relative) under treefd without following a
 * symlink anywhere on the way. */
static int open_in_tree(int treefd, char *name, struct err *e)
{
	int fd = dup(treefd);
	char *p = name, *slash;

	if (fd < 0)
		return err_sys(e, "dup");
	while ((slash = strchr(p, '/'))) {
		int next;

		*slash = '\0';
		next = strcmp(p, "..")
			       ? openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
			       : -1;
		*slash = '/';
		close(fd);
		if (next < 0)
			return err_sys(e, "open %s", name);
		fd = next;
		p = slash + 1;
	}
	{
		int f = strcmp(p, "..") ? openat(fd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;

		if (f < 0)
			err_sys(e, "open %s", name);
		close(fd);
		return f;
	}
}

static int copy_file(struct rd *r, int treefd, uint64_t size,
		     int (*out)(void *, const void *, size_t, struct err *), void *arg,
		     struct err *e)
{
	uint64_t len;
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int fd = -1;
	unsigned char c;
	char buf[32768];

	if (get_varint(r, &len, e) < 0)
		return -1;
	if (len == 0 || len > NAME_MAX_LEN)
		return err_set(e, 0, "the layer's tar split is corrupt");
	name = xmalloc((size_t)len + 1);
	for (uint64_t i = 0; i < len; i++) {
		if (get(r, &c, e) < 0)
			return -1;
		name[i] = (char)c;
	}
	name[len] = '\0';
	if (memchr(name, '\0', (size_t)len) || name[0] == '/')
		return err_set(e, 0, "the layer's tar split is corrupt");
	fd = open_in_tree(treefd, name, e);
	if (fd < 0)
		return -1;
	while (size > 0) {
		ssize_t n = read(fd, buf, size < sizeof(buf) ? (size_t)size : sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? err_sys(e, "read %s", name)
				     : err_set(e, 0, "%s is shorter than when it was unpacked",
					       name);
		if (out(arg, buf, (size_t)n, e) < 0)
			return -1;
		size -= (uint64_t)n;
	}
	return 0;
}

static int copy_raw(struct rd *r, int (*out)(void *, const void *, size_t, struct err *), void *arg,
		    struct err *e)
{
	uint64_t len;
	unsigned char buf[1024], c;
	size_t n = 0;

	if (get_varint(r, &len, e) < 0)
		return -1;
	if (len > RAW_MAX)
		return err_set(e, 0, "the layer's tar split is corrupt");
	while (len > 0) {
		if (get(r, &c, e) < 0)
			return -1;
		if (c) {
			buf[n++] = c;
			len--;
		} else {
			unsigned char run;

			if (get(r, &run, e) < 0)
				return -1;
			if (run == 0 || run > len)
				return err_set(e, 0, "the layer's tar split is corrupt");
			memset(buf + n, 0, run);
			n += run;
			len -= run;
		}
		if (n > sizeof(buf) - 256 || len == 0) {
			if (out(arg, buf, n, e) < 0)
				return -1;
			n = 0;
		}
	}
	return 0;
}

int split_replay(int fd, int treefd, int (*out)(void *arg, const void *p, size_t n, struct err *e),
		 void *arg, const char *what, struct err *e)
{
	struct rd *r = xcalloc(1, sizeof(*r));
	uint64_t size;
	int rc = -1;

	r->fd = fd;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		err_sys(e, "seek");
		goto out;
	}
	if (header(r, &size, e) < 0)
		goto out;
	for (;;) {
		unsigned char t;

		if (get(r, &t, e) < 0)
			goto out;
		if (t == 'E')
			break;
		if (t == 'R') {
			if (copy_raw(r, out, arg, e) < 0)
				goto out;
		} else if (t == 'D') {
			uint64_t n;

			if (get_varint(r, &n, e) < 0 || copy_file(r, treefd, n, out, arg, e) < 0)
				goto out;
		} else {
			err_set(e, 0, "the layer's tar split is corrupt");
			goto out;
		}
	}
	rc = 0;
out:
	free(r);
	return rc < 0 ? err_wrap(e, "%s", what) : 0;
}
