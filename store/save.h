/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * save: images out of the store as an archive that `docker load` and
 * `podman load` read: a docker-archive (manifest.json, <id>.json, one
 * <diffid>.tar per layer) or an oci-archive (an OCI image layout in a
 * tar).  Each layer's tar is the very one that was loaded, so its digest
 * is the diff id in the config and the image keeps its id.
 */
#ifndef NOOK_SAVE_H
#define NOOK_SAVE_H

#include "oci/util.h"
#include "store/store.h"

/* Write refs (NULL-terminated) in format ("docker-archive" or
 * "oci-archive") to out.  A name given goes into the archive with its
 * image; an image given by id goes without one. */
int image_save(const struct store *s, char **refs, const char *format, int out, struct err *e);
/* The same as an OCI image layout directory dir (podman's oci-dir), made
 * as dir.tmp and renamed when whole; dir must not exist. */
int image_save_dir(const struct store *s, char **refs, const char *dir, struct err *e);

#endif
