/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * change: the Dockerfile instructions of `commit --change` applied to an
 * image config (see change.c).
 */
#ifndef NOOK_STORE_CHANGE_H
#define NOOK_STORE_CHANGE_H

#include <cjson/cJSON.h>

#include "oci/util.h"

/* Apply one instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD,
 * STOPSIGNAL, USER, VOLUME, WORKDIR, as docker parses them) to cfg, an
 * image config's "config" object.  -1 with e naming the instruction when
 * it is unknown or malformed; cfg may then be partly changed (validate on
 * a scratch object first when that matters). */
int image_change(cJSON *cfg, const char *change, struct err *e);

#endif
