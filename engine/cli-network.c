// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-network: network create|ls|inspect|rm|prune|exists|connect|
 * disconnect and port: podman's commands, output and exit codes.
 */
#include <getopt.h>

#include "engine/cli.h"
#include "engine/format.h"
#include "engine/network.h"

#ifdef NOOK_NO_NETWORK
int cli_cmd_network(struct cli *c, int argc, char **argv)
{
	fprintf(stderr, "nook: network: " NO_BRIDGE "\n");
	return EXIT_ENGINE;
}
#else

static int cmd_create(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "subnet", required_argument, NULL, 's' },
					    { "gateway", required_argument, NULL, 'g' },
					    { "ip-range", required_argument, NULL, 'r' },
					    { "internal", no_argument, NULL, 'i' },
					    { "disable-dns", no_argument, NULL, 'n' },
					    { "driver", required_argument, NULL, 'd' },
					    { 0 } };
	struct net_create_opts o = { 0 };
	struct err e = { 0 };
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "d:", lo, NULL)) != -1) {
		switch (ch) {
		case 's': o.subnet = optarg; break;
		case 'g': o.gateway = optarg; break;
		case 'r': o.ip_range = optarg; break;
		case 'i': o.internal = 1; break;
		case 'n': o.disable_dns = 1; break;
		case 'd':
			if (strcmp(optarg, "bridge") == 0)
				break;
			/* fall through */
		default: return cli_usage_err("network create", "invalid option (driver: bridge)");
		}
	}
	if (argc - optind != 1)
		return cli_usage_err("network create", "takes 1 name");
	o.name = argv[optind];
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_network_create(&c->en, &o, &e) < 0)
		return cli_report(&e);
	puts(o.name);
	return 0;
}

static cJSON *ls_fetch(struct cli *c, struct err *e)
{
	return cli_open(c) < 0 ? NULL : engine_network_inspect(&c->en, NULL, e);
}

static void ls_row(const cJSON *r)
{
	printf("%-15.12s%-22s%s\n", cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring,
	       cJSON_GetObjectItemCaseSensitive(r, "name")->valuestring, "bridge");
}

static int cmd_ls(struct cli *c, int argc, char **argv)
{
	static const struct cli_ls l = { "network ls", "name",
					 "NETWORK ID     NAME                  DRIVER", ls_row };

	return cli_ls(&l, argc, argv, ls_fetch, c);
}

/* one network's object (engine_network_inspect answers an array) */
static cJSON *inspect_one(struct engine *en, const char *name, struct err *e)
{
	cJSON *arr = engine_network_inspect(en, name, e), *one;

	if (!arr)
		return NULL;
	one = cJSON_DetachItemFromArray(arr, 0);
	cJSON_Delete(arr);
	return one;
}

static int cmd_inspect(struct cli *c, int argc, char **argv)
{
	return cli_inspect("network inspect", "network", 1, argc, argv, c, inspect_one);
}

static int cmd_rm(struct cli *c, int argc, char **argv)
{
	return cli_rm("network rm", argc, argv, c, engine_network_remove);
}

static int cmd_prune(struct cli *c, int argc, char **argv)
{
	_cleanup_strv_ char **out = NULL;
	struct err e = { 0 };

	(void)argc;
	(void)argv;
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_network_prune(&c->en, &out, &e) < 0)
		return cli_report(&e);
	for (size_t i = 0; out[i]; i++)
		puts(out[i]);
	return 0;
}

static int cmd_exists(struct cli *c, int argc, char **argv)
{
	struct err e = { 0 };
	cJSON *one;

	if (argc != 2)
		return cli_usage_err("network exists", "takes 1 network");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	one = engine_network_inspect(&c->en, argv[1], &e);
	cJSON_Delete(one);
	return one ? 0 : e.kind == ERRK_NO_SUCH ? 1 : cli_report(&e);
}

static int connect_cmd(struct cli *c, int argc, char **argv, int connect)
{
	struct err e = { 0 };

	if (argc != 3)
		return cli_usage_err(connect ? "network connect" : "network disconnect",
				     "takes a network and a container");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_network_connect(&c->en, argv[1], argv[2], connect, &e) < 0)
		return cli_report(&e);
	return 0;
}

static int cmd_connect(struct cli *c, int argc, char **argv)
{
	return connect_cmd(c, argc, argv, 1);
}

static int cmd_disconnect(struct cli *c, int argc, char **argv)
{
	return connect_cmd(c, argc, argv, 0);
}

int cli_cmd_network(struct cli *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *c, int argc, char **argv);
	} subs[] = {
		{ "create", cmd_create },   { "ls", cmd_ls },
		{ "list", cmd_ls },	    { "inspect", cmd_inspect },
		{ "rm", cmd_rm },	    { "remove", cmd_rm },
		{ "prune", cmd_prune },	    { "exists", cmd_exists },
		{ "connect", cmd_connect }, { "disconnect", cmd_disconnect },
	};
	const char *sub = argc > 1 ? argv[1] : "";

	if (cli_opt_help(
		    argc, argv,
		    "usage: nook network create [--subnet CIDR] [--gateway IP] [--ip-range CIDR]\n"
		    "                           [--internal] [--disable-dns] [-d bridge] NAME\n"
		    "       nook network ls [-q] [--format json|TEMPLATE]\n"
		    "       nook network inspect [--format TEMPLATE] NETWORK...\n"
		    "       nook network rm [-f] NETWORK...\n"
		    "       nook network prune [-f]\n"
		    "       nook network exists NETWORK\n"
		    "       nook network connect|disconnect NETWORK CONTAINER  (stopped)"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
		if (!strcmp(sub, subs[i].name))
			return subs[i].fn(c, argc - 1, argv + 1);
	return cli_usage_err("network",
			     "unknown subcommand \"%s\" (create, ls, inspect, rm, prune, exists, "
			     "connect, disconnect)",
			     sub);
}

#endif

int cli_cmd_port(struct cli *c, int argc, char **argv)
{
	_cleanup_strv_ char **lines = NULL;
	struct err e = { 0 };

	if (argc < 2 || argc > 3)
		return cli_usage_err("port", "takes a container and an optional PORT[/PROTO]");
	if (cli_open_ro(c) < 0)
		return EXIT_ENGINE;
	lines = net_ctr_ports(&c->en, argv[1], &e);
	if (!lines)
		return cli_report(&e);
	for (size_t i = 0; lines[i]; i++) {
		if (argc == 3) {
			/* PORT or PORT/PROTO: just the host side, as podman */
			size_t n = strlen(argv[2]);
			const char *arrow = strstr(lines[i], " -> ");

			if (strncmp(lines[i], argv[2], n) != 0 ||
			    (lines[i][n] != '/' && lines[i][n] != ' ') || !arrow)
				continue;
			puts(arrow + 4);
			continue;
		}
		puts(lines[i]);
	}
	return 0;
}
