/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime: the runc-compatible command line (`nook runtime ...` or argv[0]
 * `nook-runtime`).  Exit codes and error texts follow runc's so that
 * containerd, conmon and podman, which parse them, work unchanged.
 */
#ifndef NOOK_RUNTIME_H
#define NOOK_RUNTIME_H

/* argv[0] is the command name ("runtime" or "nook-runtime"). */
int oci_runtime_main(int argc, char **argv);

#endif
