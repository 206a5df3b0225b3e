// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-system: `nook system refresh|service|check`.
 */
#include "engine/api.h"
#include "engine/cli.h"
#include "engine/syscheck.h"

int cli_cmd_system(struct cli *c, int argc, char **argv)
{
	struct err e = { 0 };

	if (argc >= 2 && strcmp(argv[1], "refresh") == 0) {
		int first;

		if (cli_opt_help(
			    argc - 1, argv + 1,
			    "usage: nook system refresh\n"
			    "  at boot: after a reboot (a new boot id) reset every container's "
			    "runtime\n"
			    "  state, then start those whose restart policy asks for it"))
			return 0;
		first = cli_no_opts("system refresh", argc - 1, argv + 1);
		if (first < 0)
			return EXIT_ENGINE;
		if (first < argc - 1)
			return cli_usage_err("system refresh", "takes no arguments");
		if (cli_open(c) < 0)
			return EXIT_ENGINE;
		if (engine_refresh(&c->en, &e) < 0)
			return cli_report(&e);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "service") == 0) {
#ifndef NOOK_NO_API
		return api_service_main(c->root, c->runroot, argc - 1, argv + 1);
#else
		fprintf(stderr, "Error: system service: not in this build of nook (it was "
				"built with NOOK_API=0)\n");
		return EXIT_ENGINE;
#endif
	}
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return syscheck_main(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		puts("usage: nook system refresh|service|check [OPTIONS]\n"
		     "  refresh   after a reboot: reset the containers, start those that should "
		     "run\n"
		     "  service   the API service (http_attach) on a unix socket\n"
		     "  check     what this kernel offers nook");
		return 0;
	}
	return cli_usage_err("system", "unknown subcommand (refresh, service, check)");
}
