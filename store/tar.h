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
};

/* Archive the tree under dirfd (its root as "./", children as "./a/b") to
 * out_fd, ending with the two zero blocks.  Never follows a symlink and never
 * leaves the tree (everything is opened relative to its parent with
 * O_NOFOLLOW); descends into other filesystems; skips sockets; files with
 * several links are stored once, then as hardlink entries.  Files that
 * vanish while the tree is read are left out; a file that shrinks is padded
 * with zeros (GNU tar does the same). */
int tar_write_tree(int dirfd, int out_fd, struct err *e);

/* Call cb for each entry of the archive on in_fd (the entry and its strings
 * live until cb returns).  A bad checksum or a truncated archive (no end
 * marker) is an error. */
int tar_read_list(int in_fd, void (*cb)(void *arg, const struct tar_entry *ent), void *arg,
		  struct err *e);

/* tar_extract flags */
#define TAR_EXTRACT_OWNER \
	1 /* chown to the archive's uid/gid (root) and keep
			     * setuid/setgid bits; otherwise both are dropped */

/* Extract the archive on in_fd into dirfd.  Refuses absolute names, names
 * with a ".." component, and any path whose directories are not real
 * directories inside dirfd (a symlink in the path, planted by an earlier
 * entry or already there, is never followed); the whole extraction stops at
 * the first refusal.  An existing file at an entry's place is replaced.
 * Directory modes and times are applied at the end. */
int tar_extract(int in_fd, int dirfd, unsigned flags, struct err *e);

#endif
