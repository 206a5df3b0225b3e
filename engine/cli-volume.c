// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-volume: volume create|ls|inspect|rm|prune|exists: podman's commands,
 * output and exit codes (rm: 1 for a missing volume, 2 for one in use).
 */
#include <getopt.h>

#include "engine/cli.h"
#include "engine/format.h"
#include "engine/volumes.h"

static int cmd_create(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "label", required_argument, NULL, 'l' },
					    { "driver", required_argument, NULL, 'd' },
					    { 0 } };
	_cleanup_strv_ char **labels = xcalloc(1, sizeof(char *));
	_cleanup_free_ char *name = NULL;
	struct err e = { 0 };
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "l:d:", lo, NULL)) != -1) {
		if (ch == 'l')
			strv_push(&labels, optarg);
		else if (ch != 'd' || strcmp(optarg, "local"))
			return cli_usage_err("volume create",
					     "invalid option (driver: local only)");
	}
	if (argc - optind > 1)
		return cli_usage_err("volume create", "takes at most 1 name");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_volume_create(&c->en, optind < argc ? argv[optind] : NULL, labels, &name, &e) <
	    0)
		return cli_report(&e);
	puts(name);
	return 0;
}

static cJSON *ls_fetch(struct cli *c, struct err *e)
{
	return cli_open_ro(c) < 0 ? NULL : engine_volume_list(&c->en, e);
}

static void ls_row(const cJSON *r)
{
	printf("%-12s%s\n", "local", cJSON_GetObjectItemCaseSensitive(r, "Name")->valuestring);
}

static int cmd_ls(struct cli *c, int argc, char **argv)
{
	static const struct cli_ls l = { "volume ls", "Name", "DRIVER      VOLUME NAME", ls_row };

	return cli_ls(&l, argc, argv, ls_fetch, c);
}

static int cmd_inspect(struct cli *c, int argc, char **argv)
{
	return cli_inspect("volume inspect", "volume", 0, argc, argv, c, engine_volume_inspect);
}

static int cmd_rm(struct cli *c, int argc, char **argv)
{
	return cli_rm("volume rm", argc, argv, c, engine_volume_remove);
}

static int cmd_prune(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	_cleanup_strv_ char **out = xcalloc(1, sizeof(char *));
	struct err e = { 0 };
	char answer[16];
	int ch, force = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "f", lo, NULL)) != -1) {
		if (ch != 'f')
			return cli_usage_err("volume prune", "invalid option");
		force = 1;
	}
	if (!force) { /* podman asks */
		printf("WARNING! This will remove all volumes not used by at least one "
		       "container.\nAre you sure you want to continue? [y/N] ");
		fflush(stdout);
		if (!fgets(answer, sizeof(answer), stdin))
			return cli_usage_err("volume prune", "no answer (use -f)");
		if (answer[0] != 'y' && answer[0] != 'Y')
			return 0;
	}
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_volume_prune(&c->en, &out, &e) < 0)
		return cli_report(&e);
	for (size_t i = 0; out[i]; i++)
		puts(out[i]);
	return 0;
}

static int cmd_exists(struct cli *c, int argc, char **argv)
{
	int first = cli_no_opts("volume exists", argc, argv);
	cJSON *j;

	if (first < 0)
		return EXIT_ENGINE;
	if (argc - first != 1)
		return cli_usage_err("volume exists", "requires exactly 1 volume");
	if (cli_open_ro(c) < 0)
		return EXIT_ENGINE;
	j = engine_volume_inspect(&c->en, argv[first], NULL);
	cJSON_Delete(j);
	return j ? 0 : 1;
}

int cli_cmd_volume(struct cli *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *c, int argc, char **argv);
	} subs[] = {
		{ "create", cmd_create },   { "ls", cmd_ls },	      { "list", cmd_ls },
		{ "inspect", cmd_inspect }, { "rm", cmd_rm },	      { "remove", cmd_rm },
		{ "prune", cmd_prune },	    { "exists", cmd_exists },
	};
	const char *sub = argc > 1 ? argv[1] : "";

	if (cli_opt_help(argc, argv,
			 "usage: nook volume create [--label K=V] [NAME]\n"
			 "       nook volume ls [-q] [--format json|TEMPLATE]\n"
			 "       nook volume inspect [--format TEMPLATE] VOLUME...\n"
			 "       nook volume rm [-f] VOLUME...\n"
			 "       nook volume prune [-f]\n"
			 "       nook volume exists VOLUME"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		if (!strcmp(sub, subs[i].name))
			return subs[i].fn(c, argc - 1, argv + 1);
	return cli_usage_err("volume",
			     "unknown subcommand \"%s\" (create, ls, inspect, rm, prune, exists)",
			     sub);
}
