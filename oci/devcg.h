/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devcg: the device cgroup of cgroup v2, an eBPF program
 * (BPF_PROG_TYPE_CGROUP_DEVICE) attached to the container's cgroup.
 *
 * Rules are the nodes of linux.devices (allowed), then
 * linux.resources.devices in order, then the devices every container gets
 * (null, zero, full, random, urandom, tty, console, ptmx, pts, mknod of
 * anything); the last rule that matches decides, no match denies (the v1
 * devices.list semantics runc and crun keep).  So a deny-all in
 * linux.resources.devices denies a node of linux.devices too, as in runc,
 * unless a later rule allows it.
 */
#ifndef NOOK_DEVCG_H
#define NOOK_DEVCG_H

#include "oci/spec.h"
#include "oci/util.h"

struct devcg_prog {
	void *insns; /* struct bpf_insn[len], malloc'd */
	size_t len;
};

/* Build the program for a spec (pure: no syscalls; unit-testable). */
int oci_devcg_build(const struct oci_spec *s, struct devcg_prog *p, struct err *e);
void oci_devcg_free(struct devcg_prog *p);

/* Load and attach to the cgroup directory fd.  Does nothing when the spec
 * has no device rules.  A kernel without cgroup BPF (ENOSYS/EINVAL from
 * bpf(2)) or a user namespace (EPERM) is reported in *skipped (may be NULL)
 * with success: nothing can be enforced there. */
int oci_devcg_apply(int cgroup_fd, const struct oci_spec *s, const char **skipped, struct err *e);

/* Run a built program on one access, in C: for tests and for `nook
 * system check`.  type 'c' or 'b'; access a subset of "rwm".  1 allowed. */
int oci_devcg_eval(const struct devcg_prog *p, char type, unsigned major, unsigned minor,
		   const char *access);

#endif
