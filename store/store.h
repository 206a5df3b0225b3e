/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store: where containers live on disk, and the rules for touching it.
 *
 *   <root>     (default /var/lib/nook, NOOK_ROOT; persists, often flash)
 *     containers/<id>/config.json   written once at create
 *     containers/<id>/state.json    rewritten at each transition
 *     containers/<id>/lock          flock(LOCK_EX) for read-modify-write
 *     containers/<id>/artifacts/    small named files (made by the first add)
 *     names/<name>                  symlink -> <id>: atomic name reservation
 *   <runroot>  (default /run/nook, NOOK_RUNROOT; RAM, gone at reboot)
 *     containers/<id>/              logs, attach socket, exec fifo, monitor pid,
 *                                   exec.json (exec sessions: never fsync'd)
 *     exits/<id>                    exit files, watched with inotify
 *     events.log                    the event log (size-capped)
 *     seccomp/<sha256>              built seccomp programs (oci_seccomp_get)
 *
 * Ids are 64 hex characters; a unique prefix or the name also finds a
 * container.  Every JSON file is written atomically (tmp, fsync where the
 * filesystem persists, rename, fsync of the directory).  A corrupt or
 * truncated file is an error naming the file, never a silent reset.
 */
#ifndef NOOK_STORE_H
#define NOOK_STORE_H

#include <cjson/cJSON.h>

#include "oci/util.h"

#define STORE_ID_LEN 64

struct store {
	char *root; /* absolute */
	char *runroot; /* absolute */
};

/* Create the directories if missing.  root/runroot NULL: the environment
 * (NOOK_ROOT, NOOK_RUNROOT) or the defaults. */
int store_open(struct store *s, const char *root, const char *runroot, struct err *e);
/* The same paths for commands that only read (ps, inspect, logs, wait):
 * nothing is created, so a root on a disk not mounted yet stays an empty
 * mount point.  A missing store then simply has no containers. */
int store_open_ro(struct store *s, const char *root, const char *runroot);
void store_close(struct store *s);

/* A new random id (getrandom), NUL-terminated. */
void store_new_id(char id[STORE_ID_LEN + 1]);
/* Names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 chars; error names it. */
int store_name_valid(const char *name, struct err *e);

/* Resolve a reference (full id, unique id prefix, or name) to the full id.
 * Errors: ENOENT "no such container: REF" (kind ERRK_NO_SUCH), EINVAL
 * "ambiguous id prefix REF: N containers match" (ERRK_INVALID_ARG). */
int store_lookup(const struct store *s, const char *ref, char id[STORE_ID_LEN + 1], struct err *e);
/* All container ids, sorted (malloc'd vector, NULL-terminated; caller
 * frees).  A directory without config.json is a create in progress (or a
 * crash's leftover): skip it on ENOENT.  Finishes crashed removes. */
char **store_list(const struct store *s, struct err *e);
/* For listings that read one file per container without a lock: the
 * containers directory (open, O_CLOEXEC; -1 with errno, ENOENT when there
 * is no store yet), and containers/<id>/<file> read relative to it (a
 * volatile container's from the runroot) into
 * buf (NUL-terminated, *len without the NUL) when it fits, else into a
 * malloc'd buffer (the caller frees what is not buf).  NULL with errno
 * (ENOENT: removed meanwhile, or not created yet). */
int store_containers_fd(const struct store *s);
char *store_read_at(const struct store *s, int cfd, const char *id, const char *file, char *buf,
		    size_t size, size_t *len);

/* Paths (caller frees).  file may be NULL for the directory itself. */
char *store_path(const struct store *s, const char *id, const char *file);
char *store_run_path(const struct store *s, const char *id, const char *file);
char *store_exit_path(const struct store *s, const char *id); /* exits/<id> */
char *store_exit_dir(const struct store *s);

/* Reserve name for id and create containers/<id>/ with config.json.
 * EEXIST "name NAME is already in use by container ID"; all undone on
 * failure.  name NULL: no name.  A name link whose container directory is
 * gone (a crash) is taken over.  durable 0: config.json is not fsync'd (a
 * container that does not outlive its run, as store_write_json);
 * STORE_VOLATILE: nor is it on disk: the record lives in the runroot
 * (RAM), <runroot>/volatile/<id>, and its name in <runroot>/names: nothing
 * under root but its overlay, if any (which store_list drops once a reboot
 * took the record).  For --rm. */
#define STORE_VOLATILE 2
int store_create(const struct store *s, const char *id, const char *name, const cJSON *config,
		 int durable, struct err *e);
/* Remove everything of id (both trees, the name link if it points to id;
 * name NULL: found by a scan of names/).  Missing parts are fine. */
int store_remove(const struct store *s, const char *id, const char *name, struct err *e);

/* Remove parentfd/name and everything under it, never following a
 * symlink (name may be one, or a file); missing is fine. */
int store_rm_tree(int parentfd, const char *name, struct err *e);

/* flock(LOCK_EX) of containers/<id>/lock.  Returns the fd (release with
 * store_unlock) or -1: ENOENT "no such container" (ERRK_NO_SUCH), or
 * ERRK_REMOVED when the container was removed while we waited.  The lock
 * belongs to the open file: a child forked while it is held holds it too
 * until it closes the fd or execs (O_CLOEXEC). */
int store_lock(const struct store *s, const char *id, struct err *e);
void store_unlock(int fd);

/* Read and parse a JSON file.  ENOENT passes through (errnum ENOENT);
 * a parse error is "PATH: corrupt JSON file (N bytes)". */
cJSON *store_read_json(const char *path, struct err *e);
/* Atomic write; durable: fsync file and directory (persistent root). */
int store_write_json(const char *path, const cJSON *j, int durable, struct err *e);

/* /proc/sys/kernel/random/boot_id into out. */
int store_boot_id(char out[40], struct err *e);

/* Artifacts: containers/<id>/artifacts/<name>.  Names as store_name_valid. */
int store_artifact_add(const struct store *s, const char *id, const char *name, const void *data,
		       size_t len, struct err *e);
char *store_artifact_get(const struct store *s, const char *id, const char *name, size_t *len,
			 struct err *e);
int store_artifact_remove(const struct store *s, const char *id, const char *name, struct err *e);

#endif
