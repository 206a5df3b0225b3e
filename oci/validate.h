/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * validate: refuse a config that would reach into the host, before
 * anything exists (state directory, cgroup, process).
 *
 * A container must have a mount namespace of its own (without one, its
 * mounts and pivot_root are the caller's); a sysctl is written only into a
 * namespace of the container's own (runc's rules: the IPC ones need an ipc
 * namespace, net.* a network namespace, kernel.hostname/domainname a uts
 * namespace and no hostname/domainname field saying otherwise; any other
 * sysctl is global and refused); an AppArmor profile needs AppArmor.
 * A namespace joined by path counts as the container's own only when it
 * is neither ours nor pid 1's (the host's).
 */
#ifndef NOOK_VALIDATE_H
#define NOOK_VALIDATE_H

#include "oci/spec.h"
#include "oci/util.h"

/* 0 when s may be run; -1 with a one-line message naming the field and
 * the missing namespace ("linux.sysctl: net.ipv4.ip_forward needs a
 * network namespace of the container's own ..."). */
int oci_validate(const struct oci_spec *s, struct err *e);

/* 1 when the kernel has AppArmor enabled
 * (/sys/module/apparmor/parameters/enabled is "Y"), else 0. */
int oci_apparmor_enabled(void);

/* Refuse a profile where AppArmor is not enabled (profile may be NULL or
 * empty: nothing asked).  what names the field in the message. */
int oci_apparmor_check(const char *profile, const char *what, struct err *e);

#endif
