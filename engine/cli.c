// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli: main() of the multi-call binary, and the engine's command line.
 *
 *   nook [--root DIR] [--runroot DIR] COMMAND ...   podman's lifecycle
 *   nook runtime ... / nook-runtime ...              runc's command line
 *
 * main() takes the global options and runs a command from the table
 * below; the commands live by group in cli-*.c (engine/cli.h).
 *
 * Exit codes are podman's: 0, 125 for an engine error, 126 when the
 * command cannot be invoked, 127 when it is not found, else the
 * container's own (run, start -a, wait, exec).  Errors are printed once,
 * by the command (cli_report), as "Error: <what>".
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>

#include "engine/cli.h"
#include "engine/format.h"
#include "monitor/monitor.h"
#include "oci/log.h"
#include "oci/runtime.h"

int cli_report(const struct err *e)
{
	char buf[800];

	fprintf(stderr, "Error: %s\n", err_str(e, buf, sizeof(buf)));
	return err_exit_code(e, EXIT_ENGINE);
}

int cli_rm_report(const struct err *e)
{
	int rc = cli_report(e);

	return e->kind == ERRK_NO_SUCH ? 1 : e->kind == ERRK_STATE_INVALID ? 2 : rc;
}

const char *cli_conf_at;

int cli_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "Error: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cli_conf_at)
		fprintf(stderr, " (from the defaults file %s)\n", cli_conf_at);
	else
		fprintf(stderr, " (see 'nook %s --help')\n", cmd);
	return EXIT_ENGINE;
}

static int open_engine(struct cli *c,
		       int (*open_fn)(struct engine *, const char *, const char *, struct err *))
{
	struct err e = { 0 };

	if (c->opened)
		return 0;
	if (open_fn(&c->en, c->root, c->runroot, &e) < 0) {
		cli_report(&e);
		return -1;
	}
	c->opened = 1;
	return 0;
}

int cli_open(struct cli *c)
{
	return open_engine(c, engine_open);
}

int cli_open_ro(struct cli *c)
{
	return open_engine(c, engine_open_ro);
}

int cli_ls(const struct cli_ls *l, int argc, char **argv,
	   cJSON *(*fetch)(struct cli *c, struct err *e), struct cli *c)
{
	static const struct option lo[] = { { "quiet", no_argument, NULL, 'q' },
					    { "format", required_argument, NULL, 'f' },
					    { 0 } };
	const char *fmt = NULL;
	struct err e = { 0 };
	int ch, quiet = 0;
	cJSON *rows, *r;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
		if (ch == 'q')
			quiet = 1;
		else if (ch == 'f')
			fmt = optarg;
		else
			return cli_usage_err(l->cmd, "invalid option");
	}
	rows = fetch(c, &e);
	if (!rows)
		return e.msg[0] ? cli_report(&e) : EXIT_ENGINE;
	if (fmt && !strcmp(fmt, "json"))
		format_json(stdout, rows);
	else if (!quiet && !fmt)
		puts(l->header);
	cJSON_ArrayForEach (r, rows) {
		if (fmt && strcmp(fmt, "json"))
			format_template(stdout, fmt, r);
		else if (quiet)
			puts(cJSON_GetObjectItemCaseSensitive(r, l->name_key)->valuestring);
		else if (!fmt)
			l->row(r);
	}
	cJSON_Delete(rows);
	return 0;
}

int cli_write_archive(const char *out, int (*write)(void *arg, int fd, struct err *e), void *arg)
{
	_cleanup_free_ char *tmp = out ? xasprintf("%s.tmp", out) : NULL;
	struct err e = { 0 };
	int fd = 1, r;

	if (out) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			err_sys(&e, "create %s", tmp);
			return cli_report(&e);
		}
	}
	r = write(arg, fd, &e);
	if (out) {
		if (r == 0 && (fsync(fd) < 0 || rename(tmp, out) < 0))
			r = err_sys(&e, "write %s", out);
		close(fd);
		if (r < 0)
			unlink(tmp);
	}
	return r < 0 ? cli_report(&e) : 0;
}

int cli_inspect(const char *cmd, const char *what, int rw, int argc, char **argv, struct cli *c,
		cJSON *(*get)(struct engine *en, const char *name, struct err *e))
{
	static const struct option lo[] = { { "format", required_argument, NULL, 'f' }, { 0 } };
	const char *fmt = NULL;
	cJSON *all, *j;
	int ch, rc = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "f:", lo, NULL)) != -1) {
		if (ch != 'f')
			return cli_usage_err(cmd, "invalid option");
		fmt = optarg;
	}
	if (optind >= argc)
		return cli_usage_err(cmd, "requires at least 1 %s", what);
	if ((rw ? cli_open(c) : cli_open_ro(c)) < 0)
		return EXIT_ENGINE;
	all = cJSON_CreateArray();
	for (int i = optind; i < argc; i++) {
		struct err e = { 0 };

		j = get(&c->en, argv[i], &e);
		if (!j) {
			rc = cli_report(&e);
			continue;
		}
		if (fmt)
			format_template(stdout, fmt, j);
		cJSON_AddItemToArray(all, j);
	}
	if (!fmt)
		format_json(stdout, all);
	cJSON_Delete(all);
	return rc;
}

int cli_rm(const char *cmd, int argc, char **argv, struct cli *c,
	   int (*rm)(struct engine *en, const char *name, int force, struct err *e))
{
	static const struct option lo[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	int ch, force = 0, rc = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "f", lo, NULL)) != -1) {
		if (ch != 'f')
			return cli_usage_err(cmd, "invalid option");
		force = 1;
	}
	if (optind >= argc)
		return cli_usage_err(cmd, "requires at least 1 name");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	for (int i = optind; i < argc; i++) {
		struct err e = { 0 };

		if (rm(&c->en, argv[i], force, &e) == 0) {
			puts(argv[i]);
			continue;
		}
		if (force && e.kind == ERRK_NO_SUCH) /* podman's: fine */
			continue;
		rc = cli_rm_report(&e);
	}
	return rc;
}

int cli_parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_opt_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			puts(usage);
			return 1;
		}
	}
	return 0;
}

int cli_no_opts(const char *cmd, int argc, char **argv)
{
	static const struct option none[] = { { 0 } };

	optind = 0;
	if (getopt_long(argc, argv, "", none, NULL) != -1) {
		cli_usage_err(cmd, "invalid option");
		return -1;
	}
	return optind;
}

/* ---- main ------------------------------------------------------------------ */

#ifndef NOOK_NO_IMAGES
#define IMAGE_COMMANDS                                                                    \
	"  load, import, save, commit, history, images, image ls|inspect|rm|prune|tag|\n" \
	"  untag, rmi, tag, untag, pull, login, logout\n"
#else
#define IMAGE_COMMANDS ""
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nook [--root DIR] [--runroot DIR] COMMAND [OPTIONS]\n"
		"Containers for small Linux systems: podman's lifecycle in one binary.\n\n"
		"  create, run, init, start, stop, restart, kill, pause, unpause, rm\n"
		"  ps, inspect, wait, logs, attach, exec, mount, unmount, export, cp\n"
		"  events, cleanup, sync, batch, artifact, system refresh|service\n" IMAGE_COMMANDS
		"  volume create|ls|inspect|rm|prune|exists\n"
		"  network create|ls|inspect|rm|prune|exists|connect|disconnect, port\n"
		"  runtime ...    the runc-compatible OCI runtime (also as nook-runtime)\n"
		"  version\n\n"
		"  --root DIR     persistent state (default /var/lib/nook, $NOOK_ROOT)\n"
		"  --runroot DIR  volatile state (default /run/nook, $NOOK_RUNROOT)\n"
		"'nook COMMAND --help' for a command's options.\n");
}

static int cmd_version(struct cli *c, int argc, char **argv)
{
	printf("nook version %s\n", NOOK_VERSION);
	return 0;
}

static int cmd_help(struct cli *c, int argc, char **argv)
{
	usage(stdout);
	return 0;
}

struct command {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	/* what --help or -h anywhere before "--" prints; NULL: the command
	 * reads them itself (create and run only before the command, as
	 * getopt finds them; system for each subcommand) */
	const char *usage;
};

#define UNMOUNT_USAGE "usage: nook unmount [-f] CONTAINER..."

static const struct command commands[] = {
	{ "create", cli_cmd_create, NULL },
	{ "run", cli_cmd_run, NULL },
	{ "init", cli_cmd_init, "usage: nook init CONTAINER..." },
	{ "start", cli_cmd_start, "usage: nook start [-a] [-i] [--detach-keys KEYS] CONTAINER..." },
	{ "stop", cli_cmd_stop, "usage: nook stop [-t SECONDS] CONTAINER..." },
	{ "restart", cli_cmd_restart, "usage: nook restart [-t SECONDS] CONTAINER..." },
	{ "kill", cli_cmd_kill, "usage: nook kill [-s SIGNAL] CONTAINER..." },
	{ "pause", cli_cmd_pause, "usage: nook pause CONTAINER..." },
	{ "unpause", cli_cmd_unpause, "usage: nook unpause CONTAINER..." },
	{ "rm", cli_cmd_rm, "usage: nook rm [-f] [-v] CONTAINER..." },
	{ "cleanup", cli_cmd_cleanup, "usage: nook cleanup CONTAINER..." },
	{ "sync", cli_cmd_sync, "usage: nook sync CONTAINER..." },
	{ "ps", cli_cmd_ps,
	  "usage: nook ps [-a] [-q] [--format json|TEMPLATE] [--filter "
	  "name=|id=|status=]" },
	{ "inspect", cli_cmd_inspect, "usage: nook inspect [--format TEMPLATE] CONTAINER..." },
	{ "wait", cli_cmd_wait, "usage: nook wait [--condition STATE] CONTAINER..." },
	{ "logs", cli_cmd_logs,
	  "usage: nook logs [-f] [--tail N] [--since T] [--until T] [-t] CONTAINER" },
	{ "attach", cli_cmd_attach,
	  "usage: nook attach [--detach-keys KEYS] [--no-stdin] CONTAINER" },
	{ "exec", cli_cmd_exec,
	  "usage: nook exec [-i] [-t] [-d] [-e K=V] [-u USER] [-w DIR] [--privileged] "
	  "[--preserve-fds N] CONTAINER COMMAND [ARG...]" },
	{ "mount", cli_cmd_mount, "usage: nook mount CONTAINER..." },
	{ "unmount", cli_cmd_unmount, UNMOUNT_USAGE },
	{ "umount", cli_cmd_unmount, UNMOUNT_USAGE },
	{ "export", cli_cmd_export, "usage: nook export [-o FILE] CONTAINER" },
	{ "cp", cli_cmd_cp,
	  "usage: nook cp [-a|--archive=false] CONTAINER:SRC DEST|-\n"
	  "       nook cp [-a|--archive=false] SRC|- CONTAINER:DEST\n"
	  "       nook cp [-a|--archive=false] CONTAINER:SRC CONTAINER2:DEST\n"
	  "  what goes in belongs to the container's user (--archive=false: as it was)" },
	{ "events", cli_cmd_events,
	  "usage: nook events [--since T] [--until T] [--filter container=X|event=Y] "
	  "[--format json]" },
	{ "artifact", cli_cmd_artifact,
	  "usage: nook artifact add|get|rm CONTAINER NAME [FILE]\n"
	  "  add reads FILE (or stdin), get writes stdout" },
	{ "batch", cli_cmd_batch,
	  "usage: nook batch CONTAINER OP...\n"
	  "  OP: init start kill[:SIG] pause unpause sync cleanup, run in order under "
	  "one lock" },
	{ "system", cli_cmd_system, NULL },
	{ "checkpoint", cli_cmd_checkpoint,
	  "usage: nook checkpoint [-k] [-R|--leave-running] [--tcp-established] [--file-locks]\n"
	  "                       [--print-stats] [-e|--export FILE [--ignore-rootfs]\n"
	  "                       [--ignore-volumes]] CONTAINER...\n"
	  "  dump running containers with CRIU; they exit (unless -R) and keep the images\n"
	  "  for restore (or put them with the root's changes into one archive: -e)" },
	{ "restore", cli_cmd_checkpoint,
	  "usage: nook restore [-k] [--tcp-established] [--file-locks] [--print-stats] "
	  "CONTAINER...\n"
	  "       nook restore -i|--import FILE [-n|--name NAME] [--ignore-rootfs] "
	  "[--ignore-volumes]\n"
	  "  run checkpointed containers again from their images (-k keeps them), or a\n"
	  "  new container from an archive of checkpoint --export" },
#ifndef NOOK_NO_IMAGES
	{ "load", cli_cmd_load,
	  "usage: nook load [-i FILE]\n  a docker-archive, oci-archive (gzip'd or not) or OCI "
	  "layout directory" },
	{ "import", cli_cmd_import,
	  "usage: nook import FILE|- [NAME]\n  a root filesystem tar (plain or gzip'd) as a "
	  "one-layer image" },
	{ "save", cli_cmd_save,
	  "usage: nook save [-o FILE] [--format docker-archive|oci-archive] IMAGE...\n"
	  "  the layers as they were loaded: docker load and podman load read it" },
	{ "commit", cli_cmd_commit,
	  "usage: nook commit [-a AUTHOR] [-m MESSAGE] [-f oci|docker] [-c INSTRUCTION]... "
	  "CONTAINER [IMAGE]\n"
	  "  the container's changes as one more layer over its image, whose config takes\n"
	  "  the container's command, env, ports, user and workdir; -c (--change): CMD,\n"
	  "  ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR\n"
	  "  ($VAR, ${VAR}, ${VAR:-word} and ${VAR:+word} from the config's Env)" },
	{ "history", cli_cmd_history, "usage: nook history [-q] [--no-trunc] IMAGE" },
	{ "images", cli_cmd_images,
	  "usage: nook images [-q] [--no-trunc] [--format json|TEMPLATE]" },
	{ "image", cli_cmd_image, NULL },
	{ "rmi", cli_cmd_rmi, "usage: nook rmi [-f] IMAGE..." },
	{ "tag", cli_cmd_tag, "usage: nook tag IMAGE NAME..." },
	{ "untag", cli_cmd_untag, "usage: nook untag IMAGE [NAME...]" },
	{ "pull", cli_cmd_pull,
	  "usage: nook pull [-q] [--platform OS/ARCH[/VARIANT]] [--tls-verify=false] IMAGE\n"
	  "  IMAGE: NAME[:TAG] or NAME@sha256:DIGEST; progress on stderr, the id on stdout\n"
	  "  --tls-verify=false  https without checking the certificate, else plain http\n"
	  "                      (podman's insecure registry; also 'insecure = HOST:PORT'\n"
	  "                      in /etc/nook/registries.conf).  https goes through curl\n"
	  "                      (or uclient-fetch, wget): nook has no TLS.  A registry's\n"
	  "                      CA: /etc/nook/certs.d/HOST:PORT/ca.crt (podman's layout;\n"
	  "                      with it, localhost and 127.0.0.1 are https, else http).\n"
	  "                      uclient-fetch shows no headers: a registry's token realm\n"
	  "                      is known for docker.io, ghcr.io and quay.io, else from\n"
	  "                      'token = HOST:PORT REALM [SERVICE]' in registries.conf" },
	{ "login", cli_cmd_login,
	  "usage: nook login [-u USER] [-p PASS | --password-stdin] [--tls-verify=false] "
	  "REGISTRY\n  checks the credentials and keeps them in <root>/auth.json (0600)" },
	{ "logout", cli_cmd_logout, "usage: nook logout REGISTRY | --all" },
#endif
	{ "volume", cli_cmd_volume, NULL },
	{ "network", cli_cmd_network, NULL },
	{ "port", cli_cmd_port, "usage: nook port CONTAINER [PORT[/PROTO]]" },
	{ "version", cmd_version, NULL },
	{ "help", cmd_help, NULL },
};

/* The command, after the global options: its exit code. */
static int run_command(struct cli *c, int argc, char **argv)
{
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *cmd = &commands[i];

		if (strcmp(argv[0], cmd->name) != 0)
			continue;
		if (cmd->usage && cli_opt_help(argc, argv, cmd->usage))
			return 0;
		rc = cmd->fn(c, argc, argv);
		timing_mark("exit");
		return rc;
	}
	if (strcmp(argv[0], "runtime") == 0) /* after --root/--runroot */
		fprintf(stderr, "Error: runtime: give it first, with its own options: "
				"nook runtime [--root DIR] COMMAND (see 'nook runtime --help')\n");
	else
		fprintf(stderr, "Error: unknown command \"%s\" (see 'nook --help')\n", argv[0]);
	return EXIT_ENGINE;
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	static const struct option lo[] = { { "root", required_argument, NULL, 'r' },
					    { "runroot", required_argument, NULL, 'R' },
					    { "log-level", required_argument, NULL, 'l' },
					    { "help", no_argument, NULL, 'h' },
					    { "version", no_argument, NULL, 'v' },
					    { 0 } };
	struct cli c = { .argv = argv };
	int ch, rc;

	timing_setup();
	timing_mark("main");
	/* "runtime": the runtime re-executed itself from a sealed memfd with
	 * the argv it was given (see oci_protect_exe). */
	if (strcmp(prog, "nook-runtime") == 0 || strcmp(prog, "runtime") == 0)
		return oci_runtime_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "runtime") == 0)
		return oci_runtime_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "__monitor") == 0)
		return monitor_main(argc - 1, argv + 1);

	signal(SIGPIPE, SIG_IGN);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+hv", lo, NULL)) != -1) {
		switch (ch) {
		case 'r': c.root = optarg; break;
		case 'R': c.runroot = optarg; break;
		case 'l':
			log_setup(2, 0, strcmp(optarg, "debug") == 0 ? LOGL_DEBUG : LOGL_WARN);
			break;
		case 'h': usage(stdout); return 0;
		case 'v': printf("nook version %s\n", NOOK_VERSION); return 0;
		default: usage(stderr); return EXIT_ENGINE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_ENGINE;
	}
	argc -= optind;
	argv += optind;
	rc = run_command(&c, argc, argv);
	if (c.opened)
		engine_close(&c.en);
	return rc;
}
