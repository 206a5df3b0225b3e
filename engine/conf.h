/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf: defaults for new containers, from a small file (NOOK_CONF, else
 * /etc/nook/nook.conf), so that an init script or OpenWrt's UCI can set
 * what every `nook create` and `nook run` gets unless its own flags say
 * otherwise:
 *
 *     # comment
 *     log_size_max = 1M
 *     network = "none"
 *
 * A key is a create flag without its dashes, '-' or '_' alike; only flags
 * that take one value are keys (see conf.c).  Values may be quoted with
 * "..." or '...'.  A missing file is no defaults; anything else wrong
 * (an unknown key, a line that is no assignment, a key twice) is an error
 * naming the file and line.
 */
#ifndef NOOK_CONF_H
#define NOOK_CONF_H

#include "oci/util.h"

#define CONF_DEFAULT_PATH "/etc/nook/nook.conf"

/* The file as flags: *flags gets a NULL-terminated list of "--flag=value"
 * (NULL when there are none; free with strv_free) and *lines the line each
 * came from (free()).  path NULL: NOOK_CONF, else CONF_DEFAULT_PATH. */
int conf_load(const char *path, char ***flags, unsigned **lines, struct err *e);

/* The path conf_load(NULL, ...) reads. */
const char *conf_path(void);

#endif
