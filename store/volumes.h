/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * volumes: named volumes, laid out as podman lays them out.
 *
 *   <root>/volumes/
 *     .lock                flock(LOCK_EX) around create, remove and every
 *                          rewrite of a volume.json
 *     <name>/volume.json   name, driver ("local"), mountpoint, created (ns),
 *                          labels, anonymous, needsCopyUp, needsChown;
 *                          written atomically
 *     <name>/_data/        the contents, bind-mounted into containers
 *     .rm-<name>/          a remove in progress: a volume leaves its name
 *                          in one rename, then its tree goes
 *
 * Names are container names ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128
 * characters: never "/" or ".."); a volume created without a name gets 64
 * random hex digits, as podman's.  A directory without volume.json is a
 * create that crashed: not a volume, and taken over by the next create of
 * its name.  Nothing here knows about containers: the engine refuses to
 * remove a volume a container uses.
 */
#ifndef NOOK_VOLUMES_H
#define NOOK_VOLUMES_H

#include <cjson/cJSON.h>

#include "oci/util.h"
#include "store/store.h"

struct volumes {
	const struct store *st;
	char *dir; /* <root>/volumes */
	int lockfd; /* -1 when opened without the lock */
};

/* Open the store; lock: create it if missing and hold its lock until
 * volumes_close (and collect removes a crash interrupted).  Without lock a
 * missing store simply has no volumes. */
int volumes_open(struct volumes *v, const struct store *s, int lock, struct err *e);
void volumes_close(struct volumes *v);

/* EINVAL "invalid volume name ..." (ERRK_INVALID_ARG) unless name is one. */
int volume_name_valid(const char *name, struct err *e);

/* Create a volume (under the lock): name NULL for a random one; labels
 * "K=V" ("K": an empty value).  EEXIST "volume NAME already exists".
 * Returns its volume.json (caller deletes). */
cJSON *volumes_create(struct volumes *v, const char *name, char *const *labels, int anonymous,
		      struct err *e);
/* The volume.json of name (caller deletes); NULL with ENOENT "no such
 * volume NAME" (ERRK_NO_SUCH), or another error. */
cJSON *volumes_get(struct volumes *v, const char *name, struct err *e);
/* Rewrite vol's volume.json (under the lock). */
int volumes_save(struct volumes *v, const cJSON *vol, struct err *e);
/* Remove name and its contents (under the lock); ENOENT as volumes_get. */
int volumes_remove(struct volumes *v, const char *name, struct err *e);
/* Every volume's name, sorted (NULL-terminated; caller frees). */
char **volumes_names(struct volumes *v, struct err *e);

/* <root>/volumes/<name>/_data (caller frees). */
char *volumes_data_path(const struct store *s, const char *name);

#endif
