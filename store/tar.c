// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tar: ustar + pax writer, reader and safe extractor (see tar.h).
 *
 * Hazards: the writer walks a container's rootfs, which the container may
 * have filled with symlinks to anywhere and may still be changing, so every
 * open is relative to the parent directory's fd with O_NOFOLLOW, a regular
 * file is re-checked with fstat after open (a fifo swapped in would block,
 * a device would have side effects), and a file's size is the one written
 * in its header, whatever the file does meanwhile.  The extractor takes
 * archives from elsewhere: names are normalised and ".." refused, and each
 * directory of a path is opened with O_NOFOLLOW from dirfd, so no entry can
 * reach outside through a symlink (CVE-2018-15664 style tricks), and a file
 * is never written through an existing symlink or hardlink (it is unlinked
 * and created with O_EXCL).
 */
#include "store/tar.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#define BLOCK 512
#define COPY_BUF (64 * 1024)
#define EXT_MAX (1024 * 1024) /* longest pax or GNU long-name data we take */

/* ustar field offsets and sizes */
#define F_NAME 0, 100
#define F_MODE 100, 8
#define F_UID 108, 8
#define F_GID 116, 8
#define F_SIZE 124, 12
#define F_MTIME 136, 12
#define F_CHKSUM 148, 8
#define F_TYPE 156
#define F_LINK 157, 100
#define F_MAGIC 257
#define F_DEVMAJOR 329, 8
#define F_DEVMINOR 337, 8
#define F_PREFIX 345, 155

static const char zeros[BLOCK];

/* ---- numbers ---------------------------------------------------------- */

/* Octal if it fits in len-1 digits (0), else base-256 (1: the caller adds
 * a pax record too, for readers without base-256). */
static int put_num(char *h, size_t off, size_t len, uint64_t v)
{
	if (len - 1 >= 22 || v < (1ULL << (3 * (len - 1)))) {
		snprintf(h + off, len, "%0*" PRIo64, (int)(len - 1), v);
		return 0;
	}
	for (size_t i = len - 1; i > 0; i--, v >>= 8)
		h[off + i] = (char)(v & 0xff);
	h[off] = (char)0x80;
	return 1;
}

static int get_num(const char *h, size_t off, size_t len, uint64_t *out)
{
	const unsigned char *f = (const unsigned char *)h + off;
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] == 0x80) { /* base-256, positive */
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return -1;
			v = v << 8 | f[i];
		}
		*out = v;
		return 0;
	}
	while (i < len && (f[i] == ' ' || f[i] == '\0'))
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 61)
			return -1;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	if (i < len && f[i] != ' ' && f[i] != '\0')
		return -1;
	*out = v;
	return 0;
}

static unsigned checksum(const unsigned char *h, int sign)
{
	unsigned sum = 0;

	for (int i = 0; i < BLOCK; i++) {
		int c = (i >= 148 && i < 156) ? ' ' : h[i];

		sum += sign ? (unsigned)(int)(signed char)c : (unsigned)c;
	}
	return sum;
}

int tar_block_is_header(const unsigned char *h, size_t n)
{
	uint64_t v;

	if (n < BLOCK)
		return 0;
	if (!memcmp(h, zeros, BLOCK))
		return 1; /* the end marker: an empty archive */
	return get_num((const char *)h, F_CHKSUM, &v) == 0 &&
	       ((unsigned)v == checksum(h, 0) || (unsigned)v == checksum(h, 1));
}

/* ---- writer ----------------------------------------------------------- */

struct link_seen {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct writer {
	int out;
	int layer; /* overlay whiteouts and opaque directories as .wh. entries */
	char *buf;
	struct link_seen *links;
	size_t nlinks;
};

/* Append a pax record "LEN key=value\n"; LEN counts itself. */
static void pax_add(char **pax, size_t *len, const char *key, const char *val)
{
	size_t base = strlen(key) + strlen(val) + 3, n = base + 1;
	int r;

	while (n != base + (size_t)snprintf(NULL, 0, "%zu", n))
		n = base + (size_t)snprintf(NULL, 0, "%zu", n);
	*pax = xrealloc(*pax, *len + n + 1);
	r = snprintf(*pax + *len, n + 1, "%zu %s=%s\n", n, key, val);
	*len += (size_t)r;
}

static void pax_num(char **pax, size_t *len, const char *key, intmax_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%jd", v);
	pax_add(pax, len, key, num);
}

static int write_pad(int out, uint64_t size)
{
	size_t pad = (size_t)(-size % BLOCK);

	return pad ? write_all(out, zeros, pad) : 0;
}

static void header_fill(char *h, const char *name, const char *link, char type, uint32_t mode,
			uint64_t uid, uint64_t gid, uint64_t size, int64_t mtime, int *need_pax)
{
	memset(h, 0, BLOCK);
	memcpy(h, name, strnlen(name, 100));
	put_num(h, F_MODE, mode & 07777);
	need_pax[0] = put_num(h, F_UID, uid);
	need_pax[1] = put_num(h, F_GID, gid);
	need_pax[2] = put_num(h, F_SIZE, size);
	need_pax[3] = mtime < 0 ? 1 : put_num(h, F_MTIME, (uint64_t)mtime);
	if (mtime < 0)
		put_num(h, F_MTIME, 0);
	h[F_TYPE] = type;
	if (link)
		memcpy(h + 157, link, strnlen(link, 100));
	memcpy(h + F_MAGIC, "ustar", 6); /* POSIX: "ustar\0" then version "00" */
	memcpy(h + F_MAGIC + 6, "00", 2);
}

static void header_sum(char *h)
{
	snprintf(h + 148, 8, "%06o", checksum((unsigned char *)h, 0));
	h[155] = ' ';
}

/* One entry's headers: a pax header when ustar cannot hold it, then ustar. */
static int emit(struct writer *w, const char *name, const char *link, char type,
		const struct stat *st, uint64_t size, struct err *e)
{
	char h[BLOCK];
	_cleanup_free_ char *pax = NULL;
	size_t plen = 0;
	int need[4];

	header_fill(h, name, link, type, st->st_mode, st->st_uid, st->st_gid, size,
		    (int64_t)st->st_mtim.tv_sec, need);
	if (type == '3' || type == '4') {
		put_num(h, F_DEVMAJOR, major(st->st_rdev));
		put_num(h, F_DEVMINOR, minor(st->st_rdev));
	}
	if (strlen(name) > 100)
		pax_add(&pax, &plen, "path", name);
	if (link && strlen(link) > 100)
		pax_add(&pax, &plen, "linkpath", link);
	if (need[0])
		pax_num(&pax, &plen, "uid", (intmax_t)st->st_uid);
	if (need[1])
		pax_num(&pax, &plen, "gid", (intmax_t)st->st_gid);
	if (need[2])
		pax_num(&pax, &plen, "size", (intmax_t)size);
	if (need[3])
		pax_num(&pax, &plen, "mtime", (intmax_t)st->st_mtim.tv_sec);
	if (pax) {
		/* GNU tar names it "<dir>/PaxHeaders.<pid>/<base>"; readers
		 * that do not know 'x' extract it as a file, so keep it short. */
		const char *base = strrchr(name, '/') && strrchr(name, '/')[1]
					   ? strrchr(name, '/') + 1
					   : "entry";
		char x[BLOCK], xname[101];
		int unused[4];

		snprintf(xname, sizeof(xname), "PaxHeaders/%.88s", base);
		header_fill(x, xname, NULL, 'x', 0644, 0, 0, plen, st->st_mtim.tv_sec, unused);
		header_sum(x);
		if (write_all(w->out, x, BLOCK) < 0 || write_all(w->out, pax, plen) < 0 ||
		    write_pad(w->out, plen) < 0)
			return err_sys(e, "write archive");
	}
	header_sum(h);
	if (write_all(w->out, h, BLOCK) < 0)
		return err_sys(e, "write archive");
	return 0;
}

int tar_write_file_header(int out, const char *name, uint64_t size, uint32_t mode, int64_t mtime,
			  struct err *e)
{
	struct writer w = { .out = out };
	struct stat st = { .st_mode = mode };

	st.st_mtim.tv_sec = mtime;
	return emit(&w, name, NULL, name[strlen(name) - 1] == '/' ? '5' : '0', &st, size, e);
}

int tar_write_pad(int out, uint64_t size, struct err *e)
{
	return write_pad(out, size) < 0 ? err_sys(e, "write archive") : 0;
}

int tar_write_end(int out, struct err *e)
{
	if (write_all(out, zeros, BLOCK) < 0 || write_all(out, zeros, BLOCK) < 0)
		return err_sys(e, "write archive");
	return 0;
}

/* Exactly size bytes of fd, zeros if the file shrank, then the padding. */
static int copy_data(struct writer *w, int fd, uint64_t size, const char *name, struct err *e)
{
	uint64_t left = size;

	while (left > 0) {
		size_t want = left < COPY_BUF ? (size_t)left : COPY_BUF;
		ssize_t r = fd >= 0 ? read(fd, w->buf, want) : 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_sys(e, "read %s", name);
		if (r == 0) { /* shrank */
			memset(w->buf, 0, want);
			r = (ssize_t)want;
			fd = -1;
		}
		if (write_all(w->out, w->buf, (size_t)r) < 0)
			return err_sys(e, "write archive");
		left -= (uint64_t)r;
	}
	if (write_pad(w->out, size) < 0)
		return err_sys(e, "write archive");
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dfd, sorted (the archive is reproducible). */
static char **dir_names(int dfd, const char *path, struct err *e)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	char **v = xcalloc(1, sizeof(char *));
	struct dirent *de;

	if (!d) {
		err_sys(e, "read directory %s", path);
		if (fd >= 0)
			close(fd);
		free(v);
		return NULL;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_push(&v, de->d_name);
	closedir(d);
	qsort(v, strv_len(v), sizeof(char *), cmp_name);
	return v;
}

static int walk(struct writer *w, int dfd, const char *prefix, struct err *e);

static int is_opaque(int fd)
{
	char v[4];
	ssize_t n = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v));

	return n == 1 && v[0] == 'y';
}

/* The entry n of dfd, stat'ed as st: 0 written, 1 gone meanwhile, -1 error. */
static int write_entry(struct writer *w, int dfd, const char *n, const char *path,
		       const struct stat *st, struct err *e)
{
	_cleanup_free_ char *target = NULL;
	_cleanup_close_ int fd = -1;
	struct stat fst;

	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		fd = openat(dfd, n, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return errno == ENOENT ? 1 : err_sys(e, "open %s", path);
		if (fstat(fd, &fst) < 0)
			return err_sys(e, "stat %s", path);
		if (!S_ISREG(fst.st_mode) || fst.st_ino != st->st_ino || fst.st_dev != st->st_dev)
			return err_set(e, EAGAIN, "%s changed while it was archived", path);
		if (emit(w, path, NULL, '0', &fst, (uint64_t)fst.st_size, e) < 0)
			return -1;
		return copy_data(w, fd, (uint64_t)fst.st_size, path, e);
	case S_IFDIR: {
		_cleanup_free_ char *sub = xasprintf("%s/", path);

		/* One fd per level: trees deeper than RLIMIT_NOFILE fail (EMFILE). */
		fd = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return errno == ENOENT ? 1 : err_sys(e, "open %s", path);
		if (emit(w, sub, NULL, '5', st, 0, e) < 0)
			return -1;
		if (w->layer && is_opaque(fd)) {
			_cleanup_free_ char *opq = xasprintf("%s.wh..wh..opq", sub);
			struct stat z = { .st_mode = S_IFREG | 0644, .st_mtim = st->st_mtim };

			if (emit(w, opq, NULL, '0', &z, 0, e) < 0)
				return -1;
		}
		return walk(w, fd, sub, e);
	}
	case S_IFLNK: {
		size_t cap = (size_t)st->st_size + 2;
		ssize_t r;

		for (;;) { /* st_size is 0 on some filesystems (procfs-like) */
			target = xrealloc(target, cap);
			r = readlinkat(dfd, n, target, cap);
			if (r < 0)
				return errno == ENOENT ? 1 : err_sys(e, "readlink %s", path);
			if ((size_t)r < cap)
				break;
			cap *= 2;
		}
		target[r] = '\0';
		return emit(w, path, target, '2', st, 0, e);
	}
	case S_IFCHR:
		if (w->layer && st->st_rdev == 0) { /* overlay's whiteout */
			const char *slash = strrchr(path, '/');
			_cleanup_free_ char *wh =
				xasprintf("%.*s.wh.%s", slash ? (int)(slash - path + 1) : 0, path,
					  slash ? slash + 1 : path);
			struct stat z = { .st_mode = S_IFREG | 0644, .st_mtim = st->st_mtim };

			return emit(w, wh, NULL, '0', &z, 0, e);
		}
		return emit(w, path, NULL, '3', st, 0, e);
	case S_IFBLK: return emit(w, path, NULL, '4', st, 0, e);
	case S_IFIFO: return emit(w, path, NULL, '6', st, 0, e);
	}
	return 1; /* sockets (and anything unknown) are not archived */
}

/* The entry n of dfd as path (taken over): 0 written or gone meanwhile. */
static int write_named(struct writer *w, int dfd, const char *n, char *path, struct err *e)
{
	int several = 0, r;
	struct stat st;

	if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = errno == ENOENT ? 0 : err_sys(e, "stat %s", path);
		free(path);
		return r;
	}
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		several = 1;
		for (size_t i = 0; i < w->nlinks; i++) {
			if (w->links[i].dev == st.st_dev && w->links[i].ino == st.st_ino) {
				r = emit(w, path, w->links[i].name, '1', &st, 0, e);
				free(path);
				return r;
			}
		}
	}
	r = write_entry(w, dfd, n, path, &st, e);
	if (r == 0 && several) { /* later names of this file become links to it */
		w->links = xrealloc(w->links, (w->nlinks + 1) * sizeof(*w->links));
		w->links[w->nlinks++] = (struct link_seen){ st.st_dev, st.st_ino, steal_ptr(path) };
	}
	free(path);
	return r < 0 ? -1 : 0;
}

static int walk(struct writer *w, int dfd, const char *prefix, struct err *e)
{
	_cleanup_strv_ char **names = dir_names(dfd, prefix, e);

	if (!names)
		return -1;
	for (size_t i = 0; names[i]; i++)
		if (write_named(w, dfd, names[i], xasprintf("%s%s", prefix, names[i]), e) < 0)
			return -1;
	return 0;
}

/* A layer (a commit's upper directory) has no entry for its root, as
 * podman's commit has none: the root's time alone would make each commit
 * of an unchanged container a layer of its own. */
static int write_tree(int dirfd, int out_fd, int layer, struct err *e)
{
	struct writer w = { .out = out_fd, .layer = layer, .buf = xmalloc(COPY_BUF) };
	struct stat st;
	int r = -1;

	if (fstat(dirfd, &st) < 0) {
		err_sys(e, "stat the directory to archive");
	} else if ((layer || emit(&w, "./", NULL, '5', &st, 0, e) == 0) &&
		   walk(&w, dirfd, "./", e) == 0) {
		r = 0;
		if (write_all(out_fd, zeros, BLOCK) < 0 || write_all(out_fd, zeros, BLOCK) < 0)
			r = err_sys(e, "write archive");
	}
	for (size_t i = 0; i < w.nlinks; i++)
		free(w.links[i].name);
	free(w.links);
	free(w.buf);
	return r;
}

int tar_write_tree(int dirfd, int out_fd, struct err *e)
{
	return write_tree(dirfd, out_fd, 0, e);
}

int tar_write_layer(int dirfd, int out_fd, struct err *e)
{
	return write_tree(dirfd, out_fd, 1, e);
}

static int write_at(int dirfd, const char *name, const char *as, int out_fd, int end, struct err *e)
{
	struct writer w = { .out = out_fd, .buf = xmalloc(COPY_BUF) };
	const char *n = name ? name : ".";
	struct stat st;
	int r, fd;

	if (as) { /* (below the top, what vanishes meanwhile is left out) */
		r = fstatat(dirfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0
			    ? err_sys(e, "stat %s", n)
			    : write_named(&w, dirfd, n, xstrdup(as), e);
	} else {
		fd = openat(dirfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = fd < 0 ? err_sys(e, "open %s", n) : walk(&w, fd, "", e);
		if (fd >= 0)
			close(fd);
	}
	if (r == 0 && end &&
	    (write_all(out_fd, zeros, BLOCK) < 0 || write_all(out_fd, zeros, BLOCK) < 0))
		r = err_sys(e, "write archive");
	for (size_t i = 0; i < w.nlinks; i++)
		free(w.links[i].name);
	free(w.links);
	free(w.buf);
	return r;
}

int tar_write_at(int dirfd, const char *name, const char *as, int out_fd, struct err *e)
{
	return write_at(dirfd, name, as, out_fd, 1, e);
}

int tar_write_entries(int dirfd, const char *name, const char *as, int out_fd, struct err *e)
{
	return write_at(dirfd, name, as, out_fd, 0, e);
}

/* ---- reader ----------------------------------------------------------- */

struct tar_reader {
	struct stream *in;
	struct tar_record *rec; /* told of every byte but file data, or NULL */
	struct stream data; /* the current entry's data: left bytes, then pad */
	uint64_t left, pad;
	char *name, *link; /* the current entry's, owned */
	char *ext_name, *ext_link; /* pending from pax or GNU L/K */
	uint64_t ext_size, ext_uid, ext_gid;
	int64_t ext_mtime;
	unsigned has; /* bits: pax size, uid, gid, mtime */
	struct tar_xattr *xattrs; /* pending, then the current entry's */
	size_t nxattrs;
	struct tar_entry ent;
	/* extraction: one copy buffer, and the directory the last file went
	 * into (a layer's files come directory by directory) */
	char *copybuf;
	char *cdir;
	int cfd;
};

/* Archive bytes that are not file data (headers, padding, the end). */
static int read_exact(struct tar_reader *r, void *buf, size_t n, struct err *e)
{
	if (stream_read_full(r->in, buf, n, "archive", e) < 0)
		return -1;
	if (r->rec)
		r->rec->raw(r->rec, buf, n);
	return 0;
}

static ssize_t data_read(struct stream *s, void *buf, size_t n, struct err *e)
{
	struct tar_reader *r = (struct tar_reader *)((char *)s - offsetof(struct tar_reader, data));
	ssize_t got;

	if (r->left == 0)
		return 0;
	if (n > r->left)
		n = (size_t)r->left;
	got = r->in->read(r->in, buf, n, e);
	if (got == 0)
		return err_set(e, EIO, "truncated archive");
	if (got > 0)
		r->left -= (uint64_t)got;
	return got;
}

/* Skip what is left of the current entry's data, and its padding (data
 * that nobody read counts as raw bytes for a recorder). */
static int skip_data(struct tar_reader *r, struct err *e)
{
	char buf[8 * BLOCK];
	uint64_t left = r->left + r->pad;

	while (left > 0) {
		size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);

		if (read_exact(r, buf, n, e) < 0)
			return -1;
		left -= n;
	}
	r->left = r->pad = 0;
	return 0;
}

void tar_reader_record(struct tar_reader *r, struct tar_record *rec)
{
	r->rec = rec;
}

static void xattrs_free(struct tar_reader *r)
{
	for (size_t i = 0; i < r->nxattrs; i++) {
		free(r->xattrs[i].name);
		free(r->xattrs[i].value);
	}
	free(r->xattrs);
	r->xattrs = NULL;
	r->nxattrs = 0;
}

static int pax_parse(struct tar_reader *r, char *p, size_t len, struct err *e)
{
	while (len > 0) {
		char *end, *eq;
		unsigned long n = strtoul(p, &end, 10);

		if (end == p || *end != ' ' || n > len || n < 5 || p[n - 1] != '\n')
			return err_set(e, EINVAL, "bad pax extended header");
		p[n - 1] = '\0';
		eq = strchr(end + 1, '=');
		if (!eq)
			return err_set(e, EINVAL, "bad pax extended header");
		*eq++ = '\0';
		if (!strcmp(end + 1, "path")) {
			free(r->ext_name);
			r->ext_name = xstrdup(eq);
		} else if (!strcmp(end + 1, "linkpath")) {
			free(r->ext_link);
			r->ext_link = xstrdup(eq);
		} else if (!strcmp(end + 1, "size")) {
			r->ext_size = strtoull(eq, NULL, 10), r->has |= 1;
		} else if (!strcmp(end + 1, "uid")) {
			r->ext_uid = strtoull(eq, NULL, 10), r->has |= 2;
		} else if (!strcmp(end + 1, "gid")) {
			r->ext_gid = strtoull(eq, NULL, 10), r->has |= 4;
		} else if (!strcmp(end + 1, "mtime")) {
			r->ext_mtime = strtoll(eq, NULL, 10), r->has |= 8;
		} else if (!strncmp(end + 1, "SCHILY.xattr.", 13) && r->nxattrs < 64) {
			struct tar_xattr *x;

			r->xattrs = xrealloc(r->xattrs, (r->nxattrs + 1) * sizeof(*r->xattrs));
			x = &r->xattrs[r->nxattrs++];
			x->name = xstrdup(end + 1 + 13);
			x->len = (size_t)(p + n - 1 - eq);
			x->value = xmalloc(x->len + 1);
			memcpy(x->value, eq, x->len);
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* The next entry into r->ent: 1, 0 at the end marker, -1 on error.  Its
 * data (r->ent.size bytes for files) is next, through r->data. */
static int next_entry(struct tar_reader *r, struct err *e)
{
	unsigned char h[BLOCK];
	uint64_t v[7];
	struct tar_entry *t = &r->ent;

	if (t->xattrs == r->xattrs) /* the last entry's, not pending ones */
		xattrs_free(r);
	t->xattrs = NULL;
	t->nxattrs = 0;
	for (;;) {
		_cleanup_free_ char *data = NULL;
		unsigned sum;
		char type;

		if (skip_data(r, e) < 0 || read_exact(r, h, BLOCK, e) < 0)
			return -1; /* EOF here too: no end marker, truncated */
		if (!memcmp(h, zeros, BLOCK)) {
			/* Take the second zero block too, so that a writer at the
			 * other end of a pipe is not killed by SIGPIPE. */
			read_exact(r, h, BLOCK, NULL);
			return 0;
		}
		if (get_num((char *)h, F_CHKSUM, v) < 0 ||
		    ((sum = (unsigned)v[0]) != checksum(h, 0) && sum != checksum(h, 1)))
			return err_set(e, EINVAL, "bad tar header checksum (not a tar archive?)");
		if (get_num((char *)h, F_MODE, &v[0]) < 0 || get_num((char *)h, F_UID, &v[1]) < 0 ||
		    get_num((char *)h, F_GID, &v[2]) < 0 || get_num((char *)h, F_SIZE, &v[3]) < 0 ||
		    get_num((char *)h, F_MTIME, &v[4]) < 0 ||
		    get_num((char *)h, F_DEVMAJOR, &v[5]) < 0 ||
		    get_num((char *)h, F_DEVMINOR, &v[6]) < 0)
			return err_set(e, EINVAL, "bad number in tar header");
		type = (char)h[F_TYPE];
		if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
			if (v[3] > EXT_MAX)
				return err_set(e, EINVAL, "tar extended header too large");
			data = xmalloc((size_t)v[3] + 1);
			/* the data, then its padding (into h, no longer needed) */
			if (read_exact(r, data, (size_t)v[3], e) < 0 ||
			    read_exact(r, h, (size_t)(-v[3] % BLOCK), e) < 0)
				return -1;
			data[v[3]] = '\0';
			if (type == 'x' && pax_parse(r, data, v[3], e) < 0)
				return -1;
			if (type == 'L' || type == 'K') {
				char **dst = type == 'L' ? &r->ext_name : &r->ext_link;

				free(*dst);
				*dst = steal_ptr(data);
			}
			continue;
		}
		if (r->has & 1)
			v[3] = r->ext_size;
		free(r->name);
		free(r->link);
		if (r->ext_name) {
			r->name = steal_ptr(r->ext_name);
		} else if (!memcmp(h + F_MAGIC, "ustar", 6) && h[345]) {
			/* POSIX prefix; GNU's "ustar  " keeps atime/ctime there */
			r->name = xasprintf("%.155s/%.100s", (char *)h + 345, (char *)h);
		} else {
			r->name = xasprintf("%.100s", (char *)h);
		}
		r->link =
			r->ext_link ? steal_ptr(r->ext_link) : xasprintf("%.100s", (char *)h + 157);
		*t = (struct tar_entry){
			.name = r->name,
			.linkname = r->link,
			.type = type ? type : '0',
			.mode = (uint32_t)v[0] & 07777,
			.size = (type >= '1' && type <= '6') ? 0 : v[3],
			.uid = r->has & 2 ? r->ext_uid : v[1],
			.gid = r->has & 4 ? r->ext_gid : v[2],
			.mtime = r->has & 8 ? r->ext_mtime : (int64_t)v[4],
			.devmajor = (uint32_t)v[5],
			.devminor = (uint32_t)v[6],
		};
		if (t->type == '7')
			t->type = '0';
		t->xattrs = r->xattrs;
		t->nxattrs = r->nxattrs;
		r->left = t->size;
		r->pad = -t->size % BLOCK;
		r->has = 0;
		return 1;
	}
}

struct tar_reader *tar_reader_new(struct stream *in)
{
	struct tar_reader *r = xcalloc(1, sizeof(*r));

	r->in = in;
	r->data.read = data_read;
	r->cfd = -1;
	return r;
}

void tar_reader_free(struct tar_reader *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->link);
	free(r->ext_name);
	free(r->ext_link);
	xattrs_free(r);
	free(r->copybuf);
	free(r->cdir);
	if (r->cfd >= 0)
		close(r->cfd);
	free(r);
}

int tar_reader_next(struct tar_reader *r, const struct tar_entry **ent, struct err *e)
{
	int n = next_entry(r, e);

	*ent = n > 0 ? &r->ent : NULL;
	return n;
}

struct stream *tar_reader_data(struct tar_reader *r)
{
	return &r->data;
}

int tar_read_list(int in_fd, void (*cb)(void *arg, const struct tar_entry *ent), void *arg,
		  struct err *e)
{
	struct stream_fd f;
	struct tar_reader *r;
	int n;

	stream_fd_init(&f, in_fd, "archive");
	r = tar_reader_new(&f.s);
	while ((n = next_entry(r, e)) > 0)
		cb(arg, &r->ent);
	tar_reader_free(r);
	return n;
}

/* ---- extractor -------------------------------------------------------- */

/* Normalise an archive name in place ("./a//b/" -> "a/b"); refuses absolute
 * names and ".." components.  "" is the archive's root. */
static int norm_name(char *name, const char *orig, struct err *e)
{
	char *out = name, *p = name;

	if (*name == '/')
		return err_set(e, EPERM, "refusing absolute path in archive: %s", orig);
	while (*p) {
		char *c = p;
		size_t n = strcspn(p, "/");

		p += n + (p[n] == '/');
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return err_set(e, EPERM, "refusing path with \"..\" in archive: %s", orig);
		if (out != name)
			*out++ = '/';
		memmove(out, c, n);
		out += n;
	}
	*out = '\0';
	return 0;
}

/* Open the directory that holds path (normalised, not "") inside dirfd,
 * never following a symlink; *base points at the last component.  With
 * create, missing directories are made (0755). */
static int open_parent(int dirfd, char *path, const char *orig, int create, const char **base,
		       struct err *e)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *p = path, *slash;

	if (fd < 0)
		return err_sys(e, "open extraction directory");
	while ((slash = strchr(p, '/'))) {
		int next;

		*slash = '\0';
		next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create &&
		    (mkdirat(fd, p, 0755) == 0 || errno == EEXIST))
			next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			if (errno == ELOOP || errno == ENOTDIR)
				err_set(e, ELOOP, "refusing %s: %s is not a directory (a symlink?)",
					orig, path);
			else
				err_sys(e, "open %s", path);
			close(fd);
			*slash = '/';
			return -1;
		}
		*slash = '/';
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*base = p;
	return fd;
}

/* Make room for a new entry at pfd/base: anything but a directory goes
 * (so nothing is ever written through an old symlink or hardlink). */
static int clear_place(int pfd, const char *base, const char *orig, struct err *e)
{
	if (unlinkat(pfd, base, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno == EISDIR && unlinkat(pfd, base, AT_REMOVEDIR) == 0)
		return 0;
	return err_sys(e, "replace %s", orig);
}

static struct tar_xattr *xattrs_dup(const struct tar_entry *t)
{
	struct tar_xattr *x = t->nxattrs ? xmalloc(t->nxattrs * sizeof(*x)) : NULL;

	for (size_t i = 0; i < t->nxattrs; i++) {
		x[i].name = xstrdup(t->xattrs[i].name);
		x[i].len = t->xattrs[i].len;
		x[i].value = xmalloc(x[i].len + 1);
		memcpy(x[i].value, t->xattrs[i].value, x[i].len);
	}
	return x;
}

struct dir_meta {
	char *path;
	struct tar_xattr *xattrs; /* ent.xattrs, owned */
	struct tar_entry ent;
};

/* The entry's pax xattrs (SCHILY.xattr.*), with TAR_EXTRACT_OWNER only
 * (security.capability and trusted.* are root's).  A filesystem without
 * xattrs keeps the file without them. */
static int set_xattrs(int fd, const struct tar_entry *t, unsigned flags, struct err *e)
{
	if (!(flags & TAR_EXTRACT_OWNER))
		return 0;
	for (size_t i = 0; i < t->nxattrs; i++) {
		const struct tar_xattr *x = &t->xattrs[i];

		if (fsetxattr(fd, x->name, x->value, x->len, 0) < 0 && errno != ENOTSUP)
			return err_sys(e, "set xattr %s of %s", x->name, t->name);
	}
	return 0;
}

static int set_meta(int fd, const struct tar_entry *t, unsigned flags, const char *orig,
		    struct err *e)
{
	struct timespec ts[2] = { { .tv_sec = t->mtime }, { .tv_sec = t->mtime } };
	mode_t mode = t->mode & (flags & TAR_EXTRACT_OWNER ? 07777 : 01777);

	if ((flags & TAR_EXTRACT_OWNER) && fchown(fd, (uid_t)t->uid, (gid_t)t->gid) < 0)
		return err_sys(e, "chown %s", orig);
	if (fchmod(fd, mode) < 0) /* after chown, which clears setuid */
		return err_sys(e, "chmod %s", orig);
	if (futimens(fd, ts) < 0)
		return err_sys(e, "set times of %s", orig);
	return 0;
}

static int extract_file(struct tar_reader *r, int pfd, const char *base, unsigned flags,
			struct err *e)
{
	const struct tar_entry *t = &r->ent;
	const int how = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	_cleanup_close_ int fd = openat(pfd, base, how, 0600);
	char *buf;
	uint64_t left = t->size;

	if (fd < 0 && errno == EEXIST) { /* replaced, never written through */
		if (clear_place(pfd, base, t->name, e) < 0)
			return -1;
		fd = openat(pfd, base, how, 0600);
	}
	if (fd < 0)
		return err_sys(e, "create %s", t->name);
	if (!r->copybuf)
		r->copybuf = xmalloc(COPY_BUF);
	buf = r->copybuf;
	while (left > 0) {
		size_t n = left < COPY_BUF ? (size_t)left : COPY_BUF;

		if (stream_read_full(&r->data, buf, n, "archive", e) < 0)
			return err_wrap(e, "%s", t->name);
		if (write_all(fd, buf, n) < 0)
			return err_sys(e, "write %s", t->name);
		left -= n;
	}
	if (set_xattrs(fd, t, flags, e) < 0)
		return -1;
	return set_meta(fd, t, flags, t->name, e);
}

static void extract_forget_dir(struct tar_reader *r)
{
	free(r->cdir);
	r->cdir = NULL;
	if (r->cfd >= 0)
		close(r->cfd);
	r->cfd = -1;
}

/* One entry (not the root); data consumed. */
static int extract_one(struct tar_reader *r, int dirfd, char *path, unsigned flags,
		       struct dir_meta **dirs, size_t *ndirs, struct err *e)
{
	const struct tar_entry *t = &r->ent;
	struct timespec ts[2] = { { .tv_sec = t->mtime }, { .tv_sec = t->mtime } };
	_cleanup_free_ char *lpath = NULL;
	_cleanup_close_ int pfd = -1;
	_cleanup_close_ int lfd = -1;
	const char *base, *lbase;
	struct stat st;
	mode_t fmt = S_IFIFO, old;
	int made;

	if (t->type == '0') {
		char *slash = strrchr(path, '/');
		size_t dlen = slash ? (size_t)(slash - path) : 0;

		if (r->cdir && strlen(r->cdir) == dlen && !strncmp(r->cdir, path, dlen)) {
			pfd = dup(r->cfd);
			if (pfd < 0)
				return err_sys(e, "dup");
			base = slash ? slash + 1 : path;
			return extract_file(r, pfd, base, flags, e);
		}
		pfd = open_parent(dirfd, path, t->name, 1, &base, e);
		if (pfd < 0)
			return -1;
		extract_forget_dir(r);
		r->cfd = dup(pfd);
		if (r->cfd >= 0)
			r->cdir = xasprintf("%.*s", (int)dlen, path);
		return extract_file(r, pfd, base, flags, e);
	}
	/* anything but a file may replace a directory: forget the one kept */
	extract_forget_dir(r);
	pfd = open_parent(dirfd, path, t->name, 1, &base, e);
	if (pfd < 0)
		return -1;
	switch (t->type) {
	case '5':
		if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode) &&
		    clear_place(pfd, base, t->name, e) < 0)
			return -1;
		if (mkdirat(pfd, base, 0700) < 0 && errno != EEXIST)
			return err_sys(e, "mkdir %s", t->name);
		*dirs = xrealloc(*dirs, (*ndirs + 1) * sizeof(**dirs));
		(*dirs)[*ndirs].path = xstrdup(path);
		(*dirs)[*ndirs].ent = *t;
		(*dirs)[*ndirs].ent.linkname = NULL;
		(*dirs)[*ndirs].xattrs = xattrs_dup(t);
		(*dirs)[*ndirs].ent.xattrs = (*dirs)[*ndirs].xattrs;
		(*dirs)[(*ndirs)++].ent.name = NULL; /* r's, freed soon */
		return 0;
	case '1':
		lpath = xstrdup(t->linkname);
		if (norm_name(lpath, t->linkname, e) < 0)
			return err_wrap(e, "hardlink %s", t->name);
		if (!*lpath || !strcmp(lpath, path))
			return err_set(e, EINVAL, "bad hardlink %s -> %s", t->name, t->linkname);
		lfd = open_parent(dirfd, lpath, t->linkname, 0, &lbase, e);
		if (lfd < 0 || clear_place(pfd, base, t->name, e) < 0)
			return -1;
		if (linkat(lfd, lbase, pfd, base, 0) < 0)
			return err_sys(e, "hardlink %s to %s", t->name, t->linkname);
		return 0;
	case '2':
		if (clear_place(pfd, base, t->name, e) < 0)
			return -1;
		if (symlinkat(t->linkname, pfd, base) < 0)
			return err_sys(e, "symlink %s", t->name);
		if ((flags & TAR_EXTRACT_OWNER) &&
		    fchownat(pfd, base, (uid_t)t->uid, (gid_t)t->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return err_sys(e, "chown %s", t->name);
		utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW); /* not everywhere */
		return 0;
	case '3':
	case '4':
		fmt = t->type == '3' ? S_IFCHR : S_IFBLK;
		/* fallthrough */
	case '6':
		if (clear_place(pfd, base, t->name, e) < 0)
			return -1;
		/* The mode goes in at creation (umask 0; nook has one thread):
		 * a chmod by name would follow a symlink swapped in meanwhile,
		 * and fifos and devices cannot be opened without side effects. */
		old = umask(0);
		made = mknodat(pfd, base, fmt | (t->mode & 0777),
			       makedev(t->devmajor, t->devminor));
		umask(old);
		if (made < 0)
			return err_sys(e, "mknod %s", t->name);
		if ((flags & TAR_EXTRACT_OWNER) &&
		    fchownat(pfd, base, (uid_t)t->uid, (gid_t)t->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return err_sys(e, "chown %s", t->name);
		if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
			return err_sys(e, "set times of %s", t->name);
		return 0;
	}
	return err_set(e, ENOTSUP, "%s: unsupported tar entry type '%c'", t->name, t->type);
}

/* A layer's whiteout (TAR_EXTRACT_WHITEOUTS) in overlay's form: ".wh.NAME"
 * a 0:0 character device NAME, ".wh..wh..opq" the directory's
 * trusted.overlay.opaque.  1 if t was one, 0 if not, -1 on error. */
static int whiteout(int dirfd, char *path, const struct tar_entry *t, struct err *e)
{
	char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	_cleanup_close_ int pfd = -1;
	const char *base;

	if (strncmp(name, ".wh.", 4) != 0)
		return 0;
	pfd = open_parent(dirfd, path, t->name, 1, &base, e);
	if (pfd < 0)
		return -1;
	if (!strcmp(name, ".wh..wh..opq")) {
		if (fsetxattr(pfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return err_sys(e, "mark %s opaque", t->name);
		return 1;
	}
	base += 4;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return err_set(e, EINVAL, "bad whiteout %s", t->name);
	if (clear_place(pfd, base, t->name, e) < 0)
		return -1;
	if (mknodat(pfd, base, S_IFCHR | 0, makedev(0, 0)) < 0)
		return err_sys(e, "make whiteout %s", t->name);
	return 1;
}

static int extract(struct stream *in, int dirfd, unsigned flags, uint64_t *bytes,
		   struct tar_record *rec, const struct tar_owner *own, struct err *e)
{
	struct tar_reader *r = tar_reader_new(in);
	struct dir_meta *dirs = NULL;
	size_t ndirs = 0;
	int n;

	r->rec = rec;
	if (bytes)
		*bytes = 0;
	while ((n = next_entry(r, e)) > 0) {
		_cleanup_free_ char *path = xstrdup(r->ent.name);
		int w = 0;

		if (norm_name(path, r->ent.name, e) < 0) {
			n = -1;
			break;
		}
		if (!*path) /* the root: dirfd itself stays as it is */
			continue;
		if (own) {
			r->ent.uid = own->uid;
			r->ent.gid = own->gid;
		}
		if ((flags & TAR_EXTRACT_WHITEOUTS) &&
		    (w = whiteout(dirfd, path, &r->ent, e)) < 0) {
			n = -1;
			break;
		}
		if (rec && !w && r->ent.type == '0' && r->ent.size)
			rec->data(rec, path, r->ent.size); /* extract_file reads it */
		if (!w && extract_one(r, dirfd, path, flags, &dirs, &ndirs, e) < 0) {
			n = -1;
			break;
		}
		if (bytes)
			*bytes += r->ent.size;
	}
	/* Directory modes and times last: a read-only directory must still be
	 * filled, and each entry made in a directory changes its mtime. */
	for (size_t i = ndirs; i-- > 0;) {
		const char *base;
		int pfd, fd = -1;

		if (n >= 0) {
			pfd = open_parent(dirfd, dirs[i].path, dirs[i].path, 0, &base, e);
			fd = pfd < 0 ? -1
				     : openat(pfd, base,
					      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			/* gone or replaced by a later entry: nothing to set */
			if (pfd >= 0 && fd < 0 && errno != ENOENT && errno != ENOTDIR &&
			    errno != ELOOP)
				n = err_sys(e, "open %s", dirs[i].path);
			if (pfd < 0 ||
			    (fd >= 0 && (set_xattrs(fd, &dirs[i].ent, flags, e) < 0 ||
					 set_meta(fd, &dirs[i].ent, flags, dirs[i].path, e) < 0)))
				n = -1;
			if (pfd >= 0)
				close(pfd);
			if (fd >= 0)
				close(fd);
		}
		for (size_t k = 0; k < dirs[i].ent.nxattrs; k++) {
			free(dirs[i].xattrs[k].name);
			free(dirs[i].xattrs[k].value);
		}
		free(dirs[i].xattrs);
		free(dirs[i].path);
	}
	free(dirs);
	tar_reader_free(r);
	return n < 0 ? -1 : 0;
}

int tar_extract_stream(struct stream *in, int dirfd, unsigned flags, uint64_t *bytes,
		       struct tar_record *rec, struct err *e)
{
	return extract(in, dirfd, flags, bytes, rec, NULL, e);
}

int tar_extract_as(struct stream *in, int dirfd, const struct tar_owner *own, struct err *e)
{
	return extract(in, dirfd, own ? TAR_EXTRACT_OWNER : 0, NULL, NULL, own, e);
}

int tar_copy(int sdir, const char *sname, const char *as, int ddir, const struct tar_owner *own,
	     unsigned flags, struct err *e)
{
	/* The writer's error comes back through a shared page. */
	struct err *child_err = mmap(NULL, sizeof(struct err), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct stream_fd f;
	int p[2], r = -1, st = 0;
	pid_t pid;

	if (child_err == MAP_FAILED)
		return err_sys(e, "mmap");
	memset(child_err, 0, sizeof(*child_err));
	if (pipe2(p, O_CLOEXEC) < 0) {
		err_sys(e, "pipe");
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		err_sys(e, "fork");
		close(p[0]);
		close(p[1]);
		goto out;
	}
	if (pid == 0) {
		close(p[0]);
		_exit(tar_write_at(sdir, sname, as, p[1], child_err) < 0);
	}
	close(p[1]);
	stream_fd_init(&f, p[0], "archive");
	r = extract(&f.s, ddir, flags | (own ? TAR_EXTRACT_OWNER : 0), NULL, NULL, own, e);
	close(p[0]); /* a writer still writing gets EPIPE */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* its own failure, not the EPIPE of ours */
		if (e && child_err->msg[0] && child_err->errnum != EPIPE)
			*e = *child_err;
		else if (r == 0)
			err_set(e, 0, "archive writer failed");
		r = -1;
	}
out:
	munmap(child_err, sizeof(struct err));
	return r;
}

int tar_extract(int in_fd, int dirfd, unsigned flags, struct err *e)
{
	struct stream_fd f;

	stream_fd_init(&f, in_fd, "archive");
	return tar_extract_stream(&f.s, dirfd, flags, NULL, NULL, e);
}
