/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * images: the engine side of the image store (see images.c): containers
 * made from images, and the commands of `nook image`.
 */
#ifndef NOOK_ENGINE_IMAGES_H
#define NOOK_ENGINE_IMAGES_H

#include <cjson/cJSON.h>

#include "engine/container.h"
#include "store/images.h"
#include "store/pull.h"

/* A create from an image: the options with the image's config applied as
 * podman applies it (Entrypoint and Cmd, Env, WorkingDir, User,
 * StopSignal), and the image store held locked until
 * engine_image_use_end. */
struct image_use {
	struct engine_create_opts opts;
	struct images im;
	char *id, *name; /* the image's id and the name it is known by */
	char *lowerdir; /* its layers for the overlay (images_lowerdir) */
	char *squashfs; /* or its squashfs file (then lowerdir is NULL) */
	char **argv, **env, **ports;
	size_t n_ep; /* how many of argv are the entrypoint (the rest: Cmd) */
	char *workdir, *user, *user_root;
	struct mount_opt *mounts; /* the user's and the image's Volumes */
	char **vol_dsts; /* the Volumes' paths, owned here */
};
int engine_image_use(struct engine *en, const struct engine_create_opts *o, struct image_use *u,
		     struct err *e);
void engine_image_use_end(struct image_use *u);

/* pull: the image's id and the name it got (NULL for a pull by digest)
 * into *id and *name; an image event "pull" */
int engine_image_pull(struct engine *en, const char *ref, const struct pull_opts *o, char **id,
		      char **name, struct err *e);

/* load: the names loaded (or "sha256:<id>") into *loaded */
int engine_image_load(struct engine *en, const char *path, char ***loaded, struct err *e);
/* import: a rootfs tar as a one-layer image, or (squashfs) a squashfs
 * file as an image of no layers; its id into *id */
int engine_image_import(struct engine *en, const char *path, const char *name, int squashfs,
			char **id, struct err *e);
/* commit: container ref's changes as a new image over its image, its
 * config edited by changes (NULL or NULL-terminated --change lines) */
int engine_commit(struct engine *en, const char *ref, const char *name, const char *author,
		  const char *message, char *const *changes, char **id, struct err *e);
/* tag (untag 0) or untag ref with names; untag without names: all */
int engine_image_tag(struct engine *en, const char *ref, char **names, int untag, struct err *e);
/* rmi: lines "Untagged: NAME", "Deleted: ID" into *out */
int engine_image_remove(struct engine *en, const char *ref, int force, char ***out, struct err *e);
/* image prune: unnamed images no container uses (all: every unused one) */
int engine_image_prune(struct engine *en, int all, char ***out, struct err *e);
/* rows {id, repository, tag, created (ns), size} */
cJSON *engine_image_list(struct engine *en, int all, struct err *e);
/* `images --format json`: podman's objects (Id, ParentId, RepoTags,
 * RepoDigests, Size, VirtualSize, Labels, Containers, Names, Created,
 * CreatedAt) for the images of rows (engine_image_list's, each image once,
 * in their order); caller frees */
cJSON *engine_image_summaries(struct engine *en, const cJSON *rows, struct err *e);
/* podman's image inspect object */
cJSON *engine_image_inspect(struct engine *en, const char *ref, struct err *e);

#endif
