/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * volumes: the engine side of the volume store (store/volumes): the
 * volumes a container uses, and the commands of `nook volume`.
 */
#ifndef NOOK_ENGINE_VOLUMES_H
#define NOOK_ENGINE_VOLUMES_H

#include <cjson/cJSON.h>

#include "engine/ctr.h"
#include "store/volumes.h"

/* A create's volumes: those its mounts name, made when missing (an
 * anonymous one always), and the volume store held locked until
 * engine_volumes_use_end.  opts is o with each volume mount named. */
struct volume_use {
	struct engine_create_opts opts;
	struct volumes vs;
	struct mount_opt *mounts;
	char **made; /* volumes this create made */
	cJSON *config; /* what config.json records: [{name, destination,
			* anonymous, nocopy}], NULL without volumes */
};
int engine_volumes_use(struct engine *en, const struct engine_create_opts *o, struct volume_use *u,
		       struct err *e);
/* created 0: the container was not created, the volumes made go again. */
void engine_volumes_use_end(struct volume_use *u, int created);

/* At init, c's root filesystem in place: each volume's first use, as
 * podman's: owned by the container's user, and an empty one gets the
 * image's files at its destination (copy-up). */
int engine_volumes_init(struct ctr *c, struct err *e);
/* Remove the anonymous volumes of a removed container's config that no
 * other container uses (rm -v, --rm); failures are logged. */
void engine_volumes_drop_anonymous(struct engine *en, const cJSON *config);

/* volume create: name NULL for a random one, its name into *out */
int engine_volume_create(struct engine *en, const char *name, char *const *labels, char **out,
			 struct err *e);
/* podman's volume inspect object of name, or (ls) of every volume */
cJSON *engine_volume_inspect(struct engine *en, const char *name, struct err *e);
cJSON *engine_volume_list(struct engine *en, struct err *e);
/* refused while containers use it (ERRK_STATE_INVALID) unless force,
 * which removes them first */
int engine_volume_remove(struct engine *en, const char *name, int force, struct err *e);
/* the volumes no container uses; their names into *out */
int engine_volume_prune(struct engine *en, char ***out, struct err *e);

#endif
