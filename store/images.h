/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * images: the image store.
 *
 *   <root>/images/
 *     lock                 flock(LOCK_EX) around every read-modify-write
 *     images.json          the index: images (id, names, layers, size,
 *                          created) and layers (size); written atomically
 *     configs/<id>         each image's config blob, byte for byte (its
 *                          sha256 is the image id)
 *     layers/<diffid>/     each layer unpacked once (64 hex of its diff id),
 *                          whiteouts in overlay's form, shared by images
 *     split/<diffid>       the layer's tar split: save writes the layer's
 *                          tar again from it, byte for byte
 *     l/<short>            -> ../layers/<diffid>: the short names an
 *                          overlay's lowerdir lists, so that many layers
 *                          still fit in the mount options' page
 *     squashfs/<hex>.sqfs  a squashfs image's file (hex: its sha256), kept
 *                          as it came, mounted through a loop device by
 *                          each container, never unpacked
 *     tmp/<n>/             a load in progress (with tmp/<n>.lock held);
 *                          a leftover whose lock is free is removed
 *
 * Image ids are the 64 hex digits of the config's sha256.  Names are full
 * references, "docker.io/library/busybox:latest" or "localhost/app:1";
 * one name belongs to one image at a time.  Nothing here knows about
 * containers: the engine refuses to remove an image a container uses.
 */
#ifndef NOOK_IMAGES_H
#define NOOK_IMAGES_H

#include <cjson/cJSON.h>

#include "oci/util.h"
#include "store/store.h"

struct images {
	const struct store *st;
	char *dir; /* <root>/images */
	int lockfd; /* -1 when opened read-only */
	cJSON *index; /* {"images": [...], "layers": {...}} */
};

/* Open the store; lock: create what is missing and hold the lock until
 * images_close (also removes leftovers of crashed loads).  Without lock
 * the index is read as it is (a missing store has no images). */
int images_open(struct images *im, const struct store *s, int lock, struct err *e);
void images_close(struct images *im);
/* Write the index (under the lock). */
int images_save(struct images *im, struct err *e);

/* The image a reference names: a full name, a short name ("busybox",
 * "app:1": matched against the last path components of the names), a
 * name by digest (images_add_digest), an id,
 * "sha256:<id>", or a unique id prefix of at least 3 hex digits.  NULL
 * with ENOENT "no such image: REF" (kind ERRK_NO_SUCH), or EINVAL when a
 * short name or prefix is ambiguous. */
cJSON *images_find(struct images *im, const char *ref, struct err *e);
/* The name of img that ref (a name, full or short) matched; NULL when
 * ref matched its id (caller frees). */
char *images_matched_name(const cJSON *img, const char *ref);
/* Every image entry (the index's array). */
cJSON *images_all(struct images *im);

/* A reference as stored: "[domain/]path[:tag]" with the domain
 * (dflt_domain, "docker.io" adding "library/" to a one-component path)
 * and ":latest" added when missing.  Digests (@sha256:...) are refused.
 * NULL with e set when ref is not a valid reference. */
char *images_normalize(const char *ref, const char *dflt_domain, struct err *e);

/* "domain/repo@sha256:<hex>" for ref "[domain/]repo[:tag]@sha256:<hex>"
 * (dflt_domain as images_normalize adds it); NULL with e set when ref
 * is not one. */
char *images_normalize_digest(const char *ref, const char *dflt_domain, struct err *e);
/* Record that img is what name ("domain/repo@sha256:...") pulled: a
 * reference images_find finds it by (podman's RepoDigests), taken from
 * any other image that had it (an index's digest, pulled for two
 * platforms). */
void images_add_digest(struct images *im, cJSON *img, const char *name);

/* Give name (normalized) to img, taking it from any other image. */
void images_tag(struct images *im, cJSON *img, const char *name);
/* Take name away from img: 0, or -1 when img does not have it. */
int images_untag(struct images *im, cJSON *img, const char *name, struct err *e);
/* Remove img from the index, its config, and the layers no other image
 * uses (then images_save). */
int images_remove(struct images *im, cJSON *img, struct err *e);

/* A staging directory for a load: tmp/<n>, locked; the load unpacks its
 * layers into it (as dirfd-relative names), then images_commit moves
 * them into layers/ under the store's lock.  images_stage_end removes
 * what is left. */
struct image_stage {
	char *path;
	int fd; /* the directory */
	int lockfd;
};
int images_stage_begin(const struct store *s, struct image_stage *st, struct err *e);
void images_stage_end(struct image_stage *st);

/* Register an image: config (its bytes; the id is their sha256),
 * diff ids ("sha256:<hex>", bottom layer first) whose trees are
 * staged under stage->fd as names[i] (NULL when the layer is already in
 * the store) with sizes[i], and names to give it.  Layers already in the
 * store are kept and the staged copy dropped.  Returns the image entry. */
cJSON *images_commit(struct images *im, struct image_stage *stage, const char *config,
		     size_t config_len, char **diff_ids, char **names, const uint64_t *sizes,
		     char **tags, struct err *e);

/* Whether layers/<hex of diff_id> exists. */
int images_has_layer(struct images *im, const char *diff_id);

/* The overlay's lowerdir for img: the short names of its layers, top
 * first, separated by ':', relative to images_link_dir (caller frees). */
char *images_lowerdir(struct images *im, const cJSON *img);
char *images_link_dir(const struct store *s);
/* The path of layer diff_id's tree (caller frees). */
char *images_layer_path(const struct images *im, const char *diff_id);
/* The path of layer diff_id's tar split (store/split.h). */
char *images_split_path(const struct images *im, const char *diff_id);
/* A squashfs image, in two steps under the lock: the file read from fd
 * into squashfs/<hex>.sqfs (copied, hashed: hex and size out); then its
 * entry (layers empty, "squashfs": hex) with config (which should name
 * hex, so that two files never share an id) and tags, and images_save.
 * A file no entry names is removed by the next gc. */
int images_squashfs_store(struct images *im, int fd, char hex[65], uint64_t *size, struct err *e);
cJSON *images_commit_squashfs(struct images *im, const char *hex, uint64_t size, const char *config,
			      char **tags, struct err *e);
/* img's squashfs file (caller frees); NULL when img has layers. */
char *images_squashfs_path(const struct images *im, const cJSON *img);
/* The config (parsed) of img; NULL with e set. */
cJSON *images_config(struct images *im, const cJSON *img, struct err *e);

#endif
