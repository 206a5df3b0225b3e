/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * api: `nook system service`, the smallest HTTP API server that serves
 * the http_attach of the lifecycle contract (engine/LIFECYCLE.md) the way
 * podman's and docker's clients call it (POST /containers/NAME/attach,
 * hijacked), plus /_ping and /version.
 */
#ifndef NOOK_API_H
#define NOOK_API_H

/* `nook system service [--time SECONDS] [URI]`: argv[0] is "service".
 * root/runroot as given to the CLI (NULL: the defaults).  Serves until
 * killed (SIGTERM/SIGINT: the socket file is removed) or idle for
 * --time seconds (default 5, 0 = forever).  Returns the exit code. */
int api_service_main(const char *root, const char *runroot, int argc, char **argv);

#endif
