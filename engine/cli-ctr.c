// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-ctr: the lifecycle commands (start, stop, restart, kill, rm, init,
 * pause, unpause, cleanup, sync, batch) and the ones that join a running
 * container (attach, exec, wait).  Most take several containers: each is
 * tried, and the last failure decides the exit code.
 */
#include <getopt.h>
#include <signal.h>

#include "engine/cli.h"
#include "oci/linux.h"

/* exec, whose child joins a container from this process's image, must not
 * run the binary's file (CVE-2019-5736, oci_protect_exe).  The other
 * commands never enter a container: its init is cloned by the monitor, a
 * fresh exec of the binary on disk through a read-only bind mount
 * (monitor_opts.monitor_exe), not of our image.  For them the protection
 * would protect nothing. */
static int seal(struct cli *c)
{
	struct err e = { 0 };

	if (oci_protect_exe(c->argv, &e) < 0) {
		cli_report(&e);
		return -1;
	}
	return 0;
}

int cli_for_each(struct cli *c, int argc, char **argv, int first, const char *cmd,
		 int (*op)(struct cli *, const char *, void *, struct err *), void *arg,
		 unsigned flags)
{
	int rc = 0, print_ids = flags & CLI_EACH_PRINT;

	if (first >= argc)
		return cli_usage_err(cmd, "requires at least 1 container");
	if ((flags & CLI_EACH_RO ? cli_open_ro(c) : cli_open(c)) < 0)
		return EXIT_ENGINE;
	for (int i = first; i < argc; i++) {
		struct err e = { 0 };

		if (op(c, argv[i], arg, &e) < 0) {
			if (e.kind == ERRK_ALREADY_STOPPED) {
				if (print_ids)
					puts(argv[i]);
				continue;
			}
			rc = cli_report(&e);
			continue;
		}
		if (print_ids)
			puts(argv[i]);
	}
	return rc;
}

static int op_init(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_init(&c->en, ref, 1, e);
}

static int op_start(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_start(&c->en, ref, 1, NULL, NULL, e);
}

static int op_stop(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_stop(&c->en, ref, *(int *)arg, e);
}

static int op_restart(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_restart(&c->en, ref, *(int *)arg, e);
}

static int op_kill(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_kill(&c->en, ref, *(int *)arg, e);
}

static int op_pause(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_pause(&c->en, ref, 1, e);
}

static int op_unpause(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_pause(&c->en, ref, 0, e);
}

static int op_rm(struct cli *c, const char *ref, void *arg, struct err *e)
{
	unsigned flags = *(unsigned *)arg;

	if (engine_remove(&c->en, ref, flags, e) == 0)
		return 0;
	/* rm -f of what is not there is fine (podman) */
	if ((flags & ENGINE_RM_FORCE) && e->kind == ERRK_NO_SUCH) {
		e->kind = ERRK_ALREADY_STOPPED; /* quiet success in for_each */
		return -1;
	}
	return -1;
}

static int op_cleanup(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_cleanup(&c->en, ref, e);
}

static int op_sync(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_sync(&c->en, ref, e);
}

int cli_cmd_start(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "attach", no_argument, NULL, 'a' },
					    { "interactive", no_argument, NULL, 'i' },
					    { "detach-keys", required_argument, NULL, 'k' },
					    { 0 } };
	int attach = 0, inter = 0, ch;
	const char *keys = NULL;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "ai", lo, NULL)) != -1) {
		if (ch == 'a')
			attach = 1;
		else if (ch == 'i')
			inter = 1;
		else if (ch == 'k')
			keys = optarg;
		else
			return cli_usage_err("start", "invalid option");
	}
	if (attach) {
		struct err e = { 0 };
		struct engine_attach at = { .in_fd = inter ? 0 : -1,
					    .out_fd = 1,
					    .err_fd = 2,
					    .detach_keys = keys,
					    .tty = isatty(0) && inter };
		int code = 0;

		if (argc - optind != 1)
			return cli_usage_err("start", "--attach takes exactly 1 container");
		if (cli_open(c) < 0)
			return EXIT_ENGINE;
		if (engine_start(&c->en, argv[optind], 1, &at, &code, &e) < 0)
			return cli_report(&e);
		return code < 0 ? 0 : code;
	}
	return cli_for_each(c, argc, argv, optind, "start", op_start, NULL, CLI_EACH_PRINT);
}

static int parse_timeout(const char *cmd, int argc, char **argv, int *t)
{
	static const struct option lo[] = { { "time", required_argument, NULL, 't' },
					    { "timeout", required_argument, NULL, 't' },
					    { 0 } };
	int ch;
	long v;

	*t = -1;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "t:", lo, NULL)) != -1) {
		if (ch != 't' || cli_parse_int(optarg, 0, 1 << 20, &v) < 0)
			return cli_usage_err(cmd, "invalid option or timeout");
		*t = (int)v;
	}
	return 0;
}

int cli_cmd_stop(struct cli *c, int argc, char **argv)
{
	int t;

	if (parse_timeout("stop", argc, argv, &t))
		return EXIT_ENGINE;
	return cli_for_each(c, argc, argv, optind, "stop", op_stop, &t, CLI_EACH_PRINT);
}

int cli_cmd_restart(struct cli *c, int argc, char **argv)
{
	int t;

	if (parse_timeout("restart", argc, argv, &t))
		return EXIT_ENGINE;
	return cli_for_each(c, argc, argv, optind, "restart", op_restart, &t, CLI_EACH_PRINT);
}

int cli_cmd_kill(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "signal", required_argument, NULL, 's' }, { 0 } };
	int sig = SIGKILL, ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:", lo, NULL)) != -1) {
		if (ch != 's' || (sig = signal_parse(optarg)) < 0)
			return cli_usage_err("kill", "invalid signal \"%s\"", optarg ? optarg : "");
	}
	return cli_for_each(c, argc, argv, optind, "kill", op_kill, &sig, CLI_EACH_PRINT);
}

int cli_cmd_rm(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "force", no_argument, NULL, 'f' },
					    { "volumes", no_argument, NULL, 'v' },
					    { 0 } };
	unsigned flags = 0;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "fv", lo, NULL)) != -1) {
		if (ch == 'f')
			flags |= ENGINE_RM_FORCE;
		else if (ch == 'v')
			flags |= ENGINE_RM_VOLUMES;
		else
			return cli_usage_err("rm", "invalid option");
	}
	return cli_for_each(c, argc, argv, optind, "rm", op_rm, &flags, CLI_EACH_PRINT);
}

/* The commands without options: argv[0] names the command. */
static int simple(struct cli *c, int argc, char **argv,
		  int (*op)(struct cli *, const char *, void *, struct err *), unsigned flags)
{
	int first = cli_no_opts(argv[0], argc, argv);

	if (first < 0)
		return EXIT_ENGINE;
	return cli_for_each(c, argc, argv, first, argv[0], op, NULL, flags);
}

int cli_cmd_init(struct cli *c, int argc, char **argv)
{
	return simple(c, argc, argv, op_init, CLI_EACH_PRINT);
}

int cli_cmd_pause(struct cli *c, int argc, char **argv)
{
	return simple(c, argc, argv, op_pause, CLI_EACH_PRINT);
}

int cli_cmd_unpause(struct cli *c, int argc, char **argv)
{
	return simple(c, argc, argv, op_unpause, CLI_EACH_PRINT);
}

int cli_cmd_cleanup(struct cli *c, int argc, char **argv)
{
	return simple(c, argc, argv, op_cleanup, 0);
}

int cli_cmd_sync(struct cli *c, int argc, char **argv)
{
	return simple(c, argc, argv, op_sync, 0);
}
int cli_cmd_attach(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "detach-keys", required_argument, NULL, 'k' },
					    { "no-stdin", no_argument, NULL, 'n' },
					    { "sig-proxy", required_argument, NULL, 's' },
					    { 0 } };
	struct engine_attach at = { .in_fd = 0, .out_fd = 1, .err_fd = 2 };
	struct err e = { 0 };
	int ch, code = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'k')
			at.detach_keys = optarg;
		else if (ch == 'n')
			at.in_fd = -1;
		else if (ch != 's')
			return cli_usage_err("attach", "invalid option");
	}
	if (argc - optind != 1)
		return cli_usage_err("attach", "requires exactly 1 container");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	at.tty = at.in_fd >= 0 && isatty(0);
	if (engine_attach(&c->en, argv[optind], &at, &code, &e) < 0)
		return cli_report(&e);
	return code < 0 ? 0 : code;
}

int cli_cmd_exec(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "detach", no_argument, NULL, 'd' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "privileged", no_argument, NULL, 'P' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ "env-file", required_argument, NULL, 'F' },
		{ 0 },
	};
	struct engine_exec_opts o = { 0 };
	_cleanup_strv_ char **env = NULL;
	struct err e = { 0 };
	int ch, code;
	long v;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+itde:u:w:", lo, NULL)) != -1) {
		switch (ch) {
		case 'i': o.interactive = 1; break;
		case 't': o.tty = 1; break;
		case 'd': o.detach = 1; break;
		case 'e': cli_env_add(&env, optarg); break;
		case 'F':
			cli_env_file(optarg, &env, &e);
			if (e.msg[0])
				return cli_report(&e);
			break;
		case 'u': o.user = optarg; break;
		case 'w': o.workdir = optarg; break;
		case 'P': o.privileged = 1; break;
		case 'f':
			if (cli_parse_int(optarg, 0, 1 << 20, &v) < 0)
				return cli_usage_err("exec", "invalid --preserve-fds \"%s\"",
						     optarg);
			o.preserve_fds = (int)v;
			break;
		default: return cli_usage_err("exec", "invalid option");
		}
	}
	if (argc - optind < 2)
		return cli_usage_err("exec", "requires a container and a command");
	if (seal(c) < 0 || cli_open(c) < 0)
		return EXIT_ENGINE;
	o.argv = argv + optind + 1;
	o.env = env;
	if (engine_exec(&c->en, argv[optind], &o, &code, &e) < 0)
		return cli_report(&e);
	if (o.detach)
		return 0;
	return code;
}

static int op_wait(struct cli *c, const char *ref, void *arg, struct err *e)
{
	int code = 0;

	if (engine_wait(&c->en, ref, arg, &code, e) < 0)
		return -1;
	printf("%d\n", code);
	fflush(stdout);
	return 0;
}

int cli_cmd_wait(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "condition", required_argument, NULL, 'c' },
					    { "interval", required_argument, NULL, 'i' },
					    { 0 } };
	const char *cond = NULL;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'c')
			cond = optarg;
		else if (ch != 'i')
			return cli_usage_err("wait", "invalid option");
	}
	return cli_for_each(c, argc, argv, optind, "wait", op_wait, (void *)cond, CLI_EACH_RO);
}

int cli_cmd_batch(struct cli *c, int argc, char **argv)
{
	struct err e = { 0 };

	if (argc < 3)
		return cli_usage_err("batch", "requires a container and at least one operation");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_batch(&c->en, argv[1], argv + 2, &e) < 0)
		return cli_report(&e);
	return 0;
}
