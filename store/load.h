/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load: image archives into the image store.
 *
 * Formats, told by their contents: a docker-archive (`docker save`,
 * `podman save`: manifest.json, configs, layer tars), an oci-archive (a tar
 * of an OCI image layout: oci-layout, index.json, blobs/sha256/...), both
 * possibly gzip-compressed as a whole, and an OCI image-layout directory.
 * Archives are read as a stream (a pipe works): each layer is unpacked into
 * a staging directory as it passes, hashed on the way (from an uncompressed
 * archive file, by a child process that reads the entry's bytes where they
 * lie, a few at once: jobs.h); once the archive's
 * manifests are known, every digest is checked (blob names, the config's
 * id, each layer's diff id against the config) and only then are the
 * layers moved into the store.  Any error removes all that was staged.
 */
#ifndef NOOK_LOAD_H
#define NOOK_LOAD_H

#include "oci/util.h"
#include "store/store.h"

/* Load path (NULL or "-": standard input; a directory: an OCI layout).
 * *loaded gets, per image, its names or "sha256:<id>" when it has none
 * (NULL-terminated; caller frees with strv_free). */
int image_load(const struct store *s, const char *path, char ***loaded, struct err *e);

/* `import`: a root filesystem tar (plain or gzip; NULL or "-": standard
 * input) as a one-layer image named name (NULL: none); its id into *id. */
int image_import(const struct store *s, const char *path, const char *name, char **id,
		 struct err *e);

/* `image import --squashfs`: the squashfs file path as an image with no
 * layers, its file kept in the store and mounted (never unpacked) under
 * each container of it; named name (NULL: none); its id into *id. */
int image_import_squashfs(const struct store *s, const char *path, const char *name, char **id,
			  struct err *e);

/* `commit`: the overlay upper directory upperfd (its whiteouts and opaque
 * directories as layer entries) as one more layer over the image base (an
 * id), named name (NULL: none).  Its config: the base's, each key of ctr
 * (the container's; NULL: none) put over it (an object's keys join the
 * base's object, an empty array removes the key), then changes (NULL or
 * NULL-terminated: image_change's instructions, in order); the new image's
 * id into *id. */
int image_commit(const struct store *s, int upperfd, const char *base, const char *name,
		 const char *author, const char *comment, const cJSON *ctr, char *const *changes,
		 char **id, struct err *e);

#endif
