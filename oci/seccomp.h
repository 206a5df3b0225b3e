/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp: the OCI seccomp section -> a BPF program, built with libseccomp
 * in the parent before the container is cloned; the child installs the
 * ready program with the raw seccomp(2) syscall (no libseccomp, no malloc
 * after clone).  Built programs are kept in a cache directory between
 * starts.  Unknown syscall names for this architecture are skipped, as
 * runc does; an unknown action or architecture is an error.  SCMP_ACT_NOTIFY
 * rules get a listener, which the runtime hands to the agent at
 * linux.seccomp.listenerPath.  It also owns the engine's default profile.
 */
#ifndef NOOK_SECCOMP_H
#define NOOK_SECCOMP_H

#include <cjson/cJSON.h>

#include "oci/spec.h"
#include "oci/util.h"

struct oci_seccomp_prog {
	void *insns; /* struct sock_filter[len], malloc'd */
	unsigned short len; /* number of instructions */
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* from spec flags */
};
/* In oci_seccomp_prog.flags: the filter makes a listener (SCMP_ACT_NOTIFY rules). */
#define OCI_BPF_LISTENER (1U << 3) /* SECCOMP_FILTER_FLAG_NEW_LISTENER */

/* Build the filter.  Returns 0 and fills out, or -1 with e naming the
 * offending entry ("linux.seccomp.syscalls[3].action: unknown ..."). */
int oci_seccomp_build(const struct oci_seccomp *s, struct oci_seccomp_prog *out, struct err *e);
/* The same through a cache of built programs in the directory cache_dir
 * (made 0700 if missing; NULL: no cache): a profile built before with this
 * binary, libseccomp and kernel is loaded from its file without libseccomp.
 * Returns 1 when the program came from the cache, 0 when it was built (and
 * stored), -1 with e as oci_seccomp_build.  A cache directory or file not
 * fit to be trusted or used is passed over, never an error. */
int oci_seccomp_get(const struct oci_seccomp *s, const char *cache_dir,
		    struct oci_seccomp_prog *out, struct err *e);
/* Install a built filter in the calling process (seccomp(2), falling back
 * to prctl(PR_SET_SECCOMP) when flags are 0).  Needs no_new_privs or
 * CAP_SYS_ADMIN.  Safe after a raw clone: plain syscalls only. */
int oci_seccomp_load(const struct oci_seccomp_prog *b, struct err *e);
/* The listener fd (O_CLOEXEC) that oci_seccomp_load made in this process
 * for a profile with SCMP_ACT_NOTIFY rules, -1 if none. */
int oci_seccomp_listener(void);
/* Give the listener fd to the seccomp agent at s->listener_path with the
 * ContainerProcessState JSON (runc's and crun's protocol); state_json is
 * the container's state (may be NULL).  fd stays the caller's. */
int oci_seccomp_send_listener(const struct oci_seccomp *s, int fd, pid_t pid,
			      const char *state_json, struct err *e);
void oci_seccomp_prog_free(struct oci_seccomp_prog *b);

/* Names this build supports, NULL-terminated (for `features`). */
const char *const *oci_seccomp_actions(void);
const char *const *oci_seccomp_archs(void);
const char *const *oci_seccomp_flags(void);
const char *const *oci_seccomp_operators(void);

/* The engine's default profile (podman's place for one), as the
 * linux.seccomp JSON of a spec: allow, except a list of syscalls a
 * container never needs (EPERM).  Caller deletes. */
cJSON *oci_seccomp_default_json(void);

#endif
