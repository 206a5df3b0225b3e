// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-fs: the commands on a container's files: mount, unmount, export (its
 * root filesystem as tar), cp, and artifact (files kept beside it).
 */
#include <fcntl.h>
#include <getopt.h>

#include "engine/cli.h"

static int op_mount(struct cli *c, const char *ref, void *arg, struct err *e)
{
	char *p = engine_mount(&c->en, ref, e);

	if (!p)
		return -1;
	puts(p);
	free(p);
	return 0;
}

int cli_cmd_mount(struct cli *c, int argc, char **argv)
{
	int first = cli_no_opts("mount", argc, argv);

	if (first < 0)
		return EXIT_ENGINE;
	return cli_for_each(c, argc, argv, first, "mount", op_mount, NULL, 0);
}

static int op_unmount(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_unmount(&c->en, ref, *(int *)arg, e);
}

int cli_cmd_unmount(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	int force = 0, ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "f", lo, NULL)) != -1) {
		if (ch != 'f')
			return cli_usage_err("unmount", "invalid option");
		force = 1;
	}
	return cli_for_each(c, argc, argv, optind, "unmount", op_unmount, &force, CLI_EACH_PRINT);
}

struct export_arg {
	struct cli *c;
	const char *ctr;
};

static int export_to(void *arg, int fd, struct err *e)
{
	struct export_arg *a = arg;

	return engine_export(&a->c->en, a->ctr, fd, e);
}

int cli_cmd_export(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "output", required_argument, NULL, 'o' }, { 0 } };
	const char *out = NULL;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
		if (ch != 'o')
			return cli_usage_err("export", "invalid option");
		out = optarg;
	}
	if (argc - optind != 1)
		return cli_usage_err("export", "requires exactly 1 container");
	if (!out && isatty(1))
		return cli_usage_err("export",
				     "refusing to write a tar archive to a terminal (use -o FILE)");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	return cli_write_archive(out, export_to, &(struct export_arg){ c, argv[optind] });
}

int cli_cmd_artifact(struct cli *c, int argc, char **argv)
{
	struct err e = { 0 };
	int fd;

	if (argc < 4)
		return cli_usage_err("artifact", "requires OPERATION CONTAINER NAME");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	fd = strcmp(argv[1], "add") == 0 ? 0 : 1;
	if (argc > 4) {
		fd = open(argv[4],
			  strcmp(argv[1], "add") == 0 ? O_RDONLY | O_CLOEXEC
						      : O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd < 0) {
			err_sys(&e, "open %s", argv[4]);
			return cli_report(&e);
		}
	}
	if (engine_artifact(&c->en, argv[2], argv[1], argv[3], fd, &e) < 0)
		return cli_report(&e);
	return 0;
}

/* "CTR:PATH": the path after the colon, the container's name before it
 * (cut at the colon); NULL for a host path, which is one when it starts
 * with "/" or "." (podman's rule: "./a:b" is a host file). */
static char *ctr_path(char *arg)
{
	char *colon = arg[0] == '/' || arg[0] == '.' ? NULL : strchr(arg, ':');

	if (!colon)
		return NULL;
	*colon = '\0';
	return colon + 1;
}

int cli_cmd_cp(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "archive", optional_argument, NULL, 'a' }, { 0 } };
	struct engine_cp o = { 0 };
	struct err e = { 0 };
	char *src, *dst, *sp, *dp;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "a::", lo, NULL)) != -1) {
		const char *v = optarg ? optarg + (optarg[0] == '=') : "true";

		if (ch != 'a' || (strcmp(v, "true") && strcmp(v, "false")))
			return cli_usage_err("cp", "invalid option");
		o.keep_owner = !strcmp(v, "false");
	}
	if (argc - optind != 2)
		return cli_usage_err("cp", "requires a source and a destination");
	src = argv[optind];
	dst = argv[optind + 1];
	sp = ctr_path(src);
	dp = ctr_path(dst);
	if (sp && dp) {
		if (!*sp || !*dp)
			return cli_usage_err("cp", "empty path");
		if (cli_open(c) < 0)
			return EXIT_ENGINE;
		if (engine_copy_between(&c->en, src, sp, dst, dp, o.keep_owner, &e) < 0)
			return cli_report(&e);
		return 0;
	}
	if (!sp && !dp)
		return cli_usage_err("cp", "one of the paths must be CONTAINER:PATH");
	o.to_container = dp != NULL;
	o.path = sp ? sp : dp;
	o.host = sp ? dst : src;
	o.fd = sp ? 1 : 0;
	if (!*o.path || !*o.host)
		return cli_usage_err("cp", "empty path");
	if (!strcmp(o.host, "-") && isatty(o.fd))
		return cli_usage_err("cp", o.to_container ? "no tar archive on standard input"
							  : "refusing to write a tar archive to a "
							    "terminal");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_copy(&c->en, sp ? src : dst, &o, &e) < 0)
		return cli_report(&e);
	return 0;
}
