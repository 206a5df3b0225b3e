/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tar: the archive format of `nook export`, imports and checkpoint archives.
 *
 * Written archives are POSIX ustar with pax ('x') extended headers where
 * ustar runs out (names or link targets over 100 bytes, sizes of 8 GiB and
 * more, ids over 2097151, mtimes before 1970): GNU tar, busybox tar and
 * libarchive read them.  The reader also takes GNU 'L'/'K' long names and
 * base-256 numbers, so archives made by GNU tar import too.
 */
#ifndef NOOK_TAR_H
#define NOOK_TAR_H

#include <stdint.h>

#include "oci/util.h"
#include "store/stream.h"

struct tar_xattr {
	char *name; /* "security.capability", "user.x"... */
	char *value; /* len bytes (binary), NUL after them */
	size_t len;
};

struct tar_entry {
	const char *name; /* as stored (pax/GNU long names applied) */
	const char *linkname; /* symlink target or hardlink source; "" if none */
	char type; /* '0' file, '1' hardlink, '2' symlink, '3' char dev,
			       * '4' block dev, '5' dir, '6' fifo; others as found */
	uint32_t mode; /* permission bits with setuid/setgid/sticky */
	uint64_t size;
	uint64_t uid, gid;
	int64_t mtime;
	uint32_t devmajor, devminor;
	const struct tar_xattr *xattrs; /* pax SCHILY.xattr.* records */
	size_t nxattrs;
};

/* Archive the tree under dirfd (its root as "./", children as "./a/b") to
 * out_fd, ending with the two zero blocks.  Never follows a symlink and never
 * leaves the tree (everything is opened relative to its parent with
 * O_NOFOLLOW); descends into other filesystems; skips sockets; files with
 * several links are stored once, then as hardlink entries.  Files that
 * vanish while the tree is read are left out; a file that shrinks is padded
 * with zeros (GNU tar does the same). */
int tar_write_tree(int dirfd, int out_fd, struct err *e);
/* The same for an overlay's upper directory as an image layer: its
 * whiteouts (0:0 character devices) become ".wh.NAME" entries and its
 * opaque directories get a ".wh..wh..opq" entry. */
int tar_write_layer(int dirfd, int out_fd, struct err *e);
/* tar_write_tree's archive of dirfd/name (name NULL: dirfd itself), a
 * directory tree or any other file (a symlink is archived as one), as the
 * entry `as` (a directory's contents as "as/a/b"); as NULL: only a
 * directory's contents, as "a/b" (what `cp DIR/.` copies).  A missing
 * name is an error. */
int tar_write_at(int dirfd, const char *name, const char *as, int out_fd, struct err *e);
/* tar_write_at without the end marker: one part of an archive written
 * from several trees and files (end it with tar_write_end). */
int tar_write_entries(int dirfd, const char *name, const char *as, int out_fd, struct err *e);

/* Writing an archive entry by entry: a file's header (a name ending in
 * '/' a directory's; uid and gid 0), then its size bytes written by the
 * caller, then tar_write_pad; tar_write_end after the last entry. */
int tar_write_file_header(int out, const char *name, uint64_t size, uint32_t mode, int64_t mtime,
			  struct err *e);
int tar_write_pad(int out, uint64_t size, struct err *e);
int tar_write_end(int out, struct err *e);

/* Call cb for each entry of the archive on in_fd (the entry and its strings
 * live until cb returns).  A bad checksum or a truncated archive (no end
 * marker) is an error. */
int tar_read_list(int in_fd, void (*cb)(void *arg, const struct tar_entry *ent), void *arg,
		  struct err *e);

/* Whether the n bytes at h begin with a tar header block (a valid
 * checksum) or the end marker's zero block: a tar archive, told by its
 * bytes. */
int tar_block_is_header(const unsigned char *h, size_t n);

/* Reading entry by entry: tar_reader_next gives the next entry (1; 0 at
 * the end marker; -1 on error: a bad checksum, or the end of the stream
 * before the end marker), skipping what was not read of the previous
 * entry's data; tar_reader_data is a stream of the current entry's data
 * (ent->size bytes).  The entry lives until the next call. */
struct tar_reader;
struct tar_reader *tar_reader_new(struct stream *in);
int tar_reader_next(struct tar_reader *r, const struct tar_entry **ent, struct err *e);
struct stream *tar_reader_data(struct tar_reader *r);
void tar_reader_free(struct tar_reader *r);

/* A recorder of an archive's layout (a "tar split"): raw gets every byte
 * the reader reads but file data, in order; data says that an entry's
 * size bytes of data come next, from the file at name (normalised) of
 * the extracted tree.  Replaying the two gives the archive back, byte for
 * byte. */
struct tar_record {
	void (*raw)(struct tar_record *rec, const void *p, size_t n);
	void (*data)(struct tar_record *rec, const char *name, uint64_t size);
};
void tar_reader_record(struct tar_reader *r, struct tar_record *rec);

/* tar_extract flags */
/* chown to the archive's uid/gid (root), keep setuid/setgid bits and the
 * entries' xattrs; otherwise all three are dropped */
#define TAR_EXTRACT_OWNER 1
/* an image layer: ".wh.NAME" entries become overlay whiteouts (0:0
 * character devices) and ".wh..wh..opq" marks its directory opaque
 * (trusted.overlay.opaque=y) */
#define TAR_EXTRACT_WHITEOUTS 2

/* Extract the archive on in_fd into dirfd.  Refuses absolute names, names
 * with a ".." component, and any path whose directories are not real
 * directories inside dirfd (a symlink in the path, planted by an earlier
 * entry or already there, is never followed); the whole extraction stops at
 * the first refusal.  An existing file at an entry's place is replaced.
 * Directory modes and times are applied at the end. */
int tar_extract(int in_fd, int dirfd, unsigned flags, struct err *e);
/* The same from a stream; *bytes (if not NULL) gets the sum of the
 * entries' data sizes.  The stream is read up to the end marker only. */
int tar_extract_stream(struct stream *in, int dirfd, unsigned flags, uint64_t *bytes,
		       struct tar_record *rec, struct err *e);

/* An owner for every entry extracted: what `cp` puts into a container
 * belongs to the container's user (podman's default). */
struct tar_owner {
	uint64_t uid, gid;
};
/* tar_extract_stream with every entry owned by own (TAR_EXTRACT_OWNER
 * otherwise); own NULL: owned by us, as without TAR_EXTRACT_OWNER. */
int tar_extract_as(struct stream *in, int dirfd, const struct tar_owner *own, struct err *e);
/* Copy sdir/sname into ddir as tar_write_at archives it and tar_extract
 * extracts it (a child process writes the archive into a pipe that we
 * extract): a tree copied without following a symlink or leaving ddir.
 * own as for tar_extract_as; flags as for tar_extract. */
int tar_copy(int sdir, const char *sname, const char *as, int ddir, const struct tar_owner *own,
	     unsigned flags, struct err *e);

#endif
