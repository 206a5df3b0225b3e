// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-checkpoint: `nook checkpoint` and `nook restore`, podman's flags
 * (engine/checkpoint.h does the work).  Each container given is tried;
 * its id (or name, as given) is printed when done; the last failure
 * decides the exit code.
 */
#include <getopt.h>

#include "engine/checkpoint.h"
#include "engine/cli.h"

struct cr_args {
	struct engine_checkpoint_opts co;
	struct engine_restore_opts ro;
	int print_stats;
	int restore;
	cJSON *stats; /* --print-stats: one entry per container */
};

static int op_cr(struct cli *c, const char *ref, void *arg, struct err *e)
{
	struct cr_args *a = arg;
	struct engine_cr_stats st = { 0 };
	cJSON *j;
	int r = a->restore ? engine_restore(&c->en, ref, &a->ro, &st, e)
			   : engine_checkpoint(&c->en, ref, &a->co, &st, e);

	if (r == 0 && a->stats) {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "Id", ref);
		cJSON_AddNumberToObject(
			j, a->restore ? "runtime_restore_duration" : "runtime_checkpoint_duration",
			(double)st.duration_us);
		cJSON_AddItemToArray(a->stats, j);
	}
	return r;
}

enum { O_TCP = 256, O_IGN_ROOTFS, O_IGN_VOLUMES, O_STATS, O_LOCKS, O_IGN_IP, O_IGN_MAC };

int cli_cmd_checkpoint(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "keep", no_argument, NULL, 'k' },
		{ "leave-running", no_argument, NULL, 'R' },
		{ "tcp-established", no_argument, NULL, O_TCP },
		{ "export", required_argument, NULL, 'e' },
		{ "ignore-rootfs", no_argument, NULL, O_IGN_ROOTFS },
		{ "ignore-volumes", no_argument, NULL, O_IGN_VOLUMES },
		{ "print-stats", no_argument, NULL, O_STATS },
		{ "file-locks", no_argument, NULL, O_LOCKS },
		{ "import", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ "ignore-static-ip", no_argument, NULL, O_IGN_IP },
		{ "ignore-static-mac", no_argument, NULL, O_IGN_MAC },
		{ 0 },
	};
	struct cr_args a = { .restore = strcmp(argv[0], "restore") == 0 };
	const char *cmd = argv[0];
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, a.restore ? "+ki:n:" : "+kRe:", lo, NULL)) != -1) {
		int ckpt_only = ch == 'R' || ch == 'e';
		int restore_only = ch == 'i' || ch == 'n' || ch == O_IGN_IP || ch == O_IGN_MAC;

		if ((a.restore && ckpt_only) || (!a.restore && restore_only))
			return cli_usage_err(cmd, "%s is not an option of %s", argv[optind - 1],
					     cmd);
		switch (ch) {
		case 'k': a.co.keep = a.ro.keep = 1; break;
		case 'R': a.co.leave_running = 1; break;
		case O_TCP: a.co.tcp_established = a.ro.tcp_established = 1; break;
		case 'e': a.co.export_path = optarg; break;
		case O_IGN_ROOTFS: a.co.ignore_rootfs = a.ro.ignore_rootfs = 1; break;
		case O_IGN_VOLUMES: a.co.ignore_volumes = a.ro.ignore_volumes = 1; break;
		case O_STATS: a.print_stats = 1; break;
		case O_LOCKS: a.co.file_locks = a.ro.file_locks = 1; break;
		case 'i': a.ro.import_path = optarg; break;
		case 'n': a.ro.name = optarg; break;
		case O_IGN_IP: a.ro.ignore_static_ip = 1; break;
		case O_IGN_MAC: a.ro.ignore_static_mac = 1; break;
		default: return cli_usage_err(cmd, "invalid option (see --help)");
		}
	}
	if (a.ro.name && !a.ro.import_path)
		return cli_usage_err(cmd, "--name needs --import");
	if (a.co.export_path && argc - optind != 1)
		return cli_usage_err(cmd, "--export takes exactly one container");
	if (a.ro.import_path) {
		struct engine_cr_stats st = { 0 };
		struct err e = { 0 };

		if (optind < argc)
			return cli_usage_err(cmd, "--import takes no container (it makes one)");
		if (cli_open(c) < 0)
			return EXIT_ENGINE;
		if (engine_restore(&c->en, NULL, &a.ro, &st, &e) < 0)
			return cli_report(&e);
		puts(st.id);
		return 0;
	}
	if (a.print_stats)
		a.stats = cJSON_CreateArray();
	rc = cli_for_each(c, argc, argv, optind, cmd, op_cr, &a,
			  a.print_stats ? 0 : CLI_EACH_PRINT);
	if (a.stats) {
		cJSON *j = cJSON_CreateObject();
		char *t;

		cJSON_AddItemToObject(j, "container_statistics", a.stats);
		t = cJSON_Print(j);
		puts(t);
		free(t);
		cJSON_Delete(j);
	}
	return rc;
}
