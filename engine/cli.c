// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli: main() of the multi-call binary.  `nook runtime ...` and a
 * `nook-runtime` symlink reach the runc-compatible runtime (oci/runtime);
 * the engine's commands (run, ps, logs, ...) come with the engine.
 */
#include <libgen.h>

#include "oci/runtime.h"
#include "oci/util.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: nook runtime COMMAND [OPTIONS]   the runc-compatible OCI runtime\n"
		   "       nook --version\n");
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	/* "runtime": the runtime re-executed itself from a sealed memfd with
	 * the argv it was given (see oci_reexec_sealed). */
	if (strcmp(prog, "nook-runtime") == 0 || strcmp(prog, "runtime") == 0)
		return oci_runtime_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "runtime") == 0)
		return oci_runtime_main(argc - 1, argv + 1);
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
		printf("nook version %s\n", NOOK_VERSION);
		return 0;
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc > 1)
		fprintf(stderr, "nook: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 125;
}
