/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * syscheck: `nook system check`, which kernel features nook finds on this
 * system and what it does instead of each missing one.
 *
 * Text output, one line per feature, stable and grep-friendly:
 *   NAME (18 columns) STATUS [-> FALLBACK] [(DETAIL)]
 * STATUS is yes, no or unknown (the probe needed a privilege it lacks).
 * `--format json` gives the same as one JSON object.
 *
 * Required features are those every default container needs (/proc and
 * the mnt, pid, uts, ipc, net and cgroup namespaces of the default spec);
 * everything else has a fallback or only refuses the options that need it.
 */
#ifndef NOOK_SYSCHECK_H
#define NOOK_SYSCHECK_H

#include <cjson/cJSON.h>
#include <stdio.h>

enum syscheck_status { SYSCHECK_YES, SYSCHECK_NO, SYSCHECK_UNKNOWN };

struct syscheck_item {
	const char *name; /* "clone3", "cgroup.kill": static, stable */
	enum syscheck_status status;
	int required; /* missing: nook cannot run a default container */
	const char *fallback; /* what nook does without it; static, may be NULL */
	char detail[200]; /* mount point, the probe's errno, ... ("" if none) */
};

#define SYSCHECK_MAX 40

struct syscheck {
	char kernel[65], machine[65]; /* uname -r, uname -m */
	struct syscheck_item item[SYSCHECK_MAX];
	size_t n;
};

/* Probe everything.  Forks short-lived children (unshare, clone3) and, when
 * the cgroup2 root is writable, creates and removes one empty child cgroup
 * "nook-syscheck.<pid>" there.  Never fails: what cannot be probed is
 * SYSCHECK_UNKNOWN. */
void syscheck_probe(struct syscheck *sc);

/* The item called name, or NULL. */
const struct syscheck_item *syscheck_find(const struct syscheck *sc, const char *name);

/* Number of required items not found (status no). */
size_t syscheck_missing(const struct syscheck *sc);

/* The text form on f. */
void syscheck_print(const struct syscheck *sc, FILE *f);

/* The JSON form (caller deletes):
 * {"kernel":..,"machine":..,"ok":bool,"missingRequired":[names],
 *  "features":{NAME:{"status":"yes|no|unknown","required":bool,
 *                    "fallback":..,"detail":..}}} */
cJSON *syscheck_json(const struct syscheck *sc);

/* Type of the filesystem mounted on "/" in mountinfo text (the last such
 * line: later mounts cover earlier ones) into buf; "" when no line has
 * mount point "/" (the process is chrooted below a mount point).  Returns
 * 0, or -1 when buf is too small. */
int syscheck_root_fstype(const char *mountinfo, char *buf, size_t len);

/* `nook system check [--format text|json]` with argv[0] = "check".
 * Returns the exit code: 0, 1 when a required feature is missing, 125 on a
 * usage error. */
int syscheck_main(int argc, char **argv);

#endif
