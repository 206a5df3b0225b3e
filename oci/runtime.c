// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runtime: the front of the runc-compatible command line: global flags,
 * the command table, and the plumbing every command shares (runc's error
 * text on stderr and in the --log file, the console socket, pid files).
 *
 * The other files, one job each, share runtime-internal.h:
 *   runtime-state.c   the state store under --root
 *   runtime-create.c  create, run, start, kill, delete, pause, hooks
 *   runtime-exec.c    exec
 *   runtime-info.c    state, ps, list, update, spec, features
 *   runtime-criu.c    checkpoint, restore
 *
 * Callers parse our output: error text, exit codes (1 for runtime errors,
 * the process's own for run/exec) and the --log file in runc's formats.
 */
#include "oci/runtime.h"
#include "oci/runtime-internal.h"

#include <fcntl.h>
#include <getopt.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "oci/linux.h"
#include "oci/log.h"

/* ---- errors, runc style ------------------------------------------------ */

/* --debug without --log: the log is stderr, where errors go anyway. */
static int log_on_stderr;

int rt_fail(const struct err *e)
{
	char buf[800], ts[40];

	err_str(e, buf, sizeof(buf));
	if (!log_on_stderr)
		log_msg(LOGL_ERROR, "%s", buf);
	time_format_ns((int64_t)time(NULL) * 1000000000, ts, sizeof(ts));
	memcpy(ts + 19, "Z", 2); /* to the second, as runc */
	if (isatty(2)) {
		fprintf(stderr, "ERRO[0000] %s\n", buf);
	} else {
		fprintf(stderr, "time=\"%s\" level=error msg=\"", ts);
		for (const char *p = buf; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', stderr);
			fputc(*p, stderr);
		}
		fputs("\"\n", stderr);
	}
	return 1;
}

int rt_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rt_usage_error(const char *cmd, const char *fmt, ...)
{
	struct err e = { 0 };
	va_list ap;
	char msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(&e, 0, "%s: %s", cmd, msg);
	return rt_fail(&e);
}

/* ---- create / run ------------------------------------------------------- */

int rt_connect_console(const char *path, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(e, ENAMETOOLONG, "console socket %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return err_sys(e, "connect to console socket %s", path);
	}
	return fd;
}

int rt_write_pid_file(const char *path, pid_t pid, struct err *e)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return file_write_nosync(path, buf, strlen(buf), 0644, e);
}

int rt_parse_uint(const char *s, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}
/* ---- main -------------------------------------------------------------- */

/* The layout of runc's help (urfave/cli): NAME, USAGE, VERSION,
 * COMMANDS, GLOBAL OPTIONS, indented by three spaces. */
static void usage(FILE *f)
{
	fprintf(f, "NAME:\n"
		   "   nook-runtime - Open Container Initiative runtime\n\n"
		   "USAGE:\n"
		   "   nook-runtime [global options] [command [command options]]\n\n"
		   "VERSION:\n"
		   "   " NOOK_VERSION "\n\n"
		   "COMMANDS:\n"
		   "   checkpoint  checkpoint a running container\n"
		   "   create      create a container\n"
		   "   delete      delete any resources held by the container often used with "
		   "detached container\n"
		   "   exec        execute new process inside the container\n"
		   "   kill        kill sends the specified signal (default: SIGTERM) to the "
		   "container's init process\n"
		   "   list        lists containers started by nook-runtime with the given root\n"
		   "   pause       pause suspends all processes inside the container\n"
		   "   ps          ps displays the processes running inside a container\n"
		   "   restore     restore a container from a previous checkpoint\n"
		   "   resume      resumes all processes that have been previously paused\n"
		   "   run         create and run a container\n"
		   "   spec        create a new specification file\n"
		   "   start       executes the user defined process in a created container\n"
		   "   state       output the state of a container\n"
		   "   update      update container resource constraints\n"
		   "   features    show the enabled features\n"
		   "   help, h     Shows a list of commands or help for one command\n\n"
		   "GLOBAL OPTIONS:\n"
		   "   --debug           enable debug logging\n"
		   "   --log value       set the log file to write nook-runtime logs to (default "
		   "is '/dev/stderr')\n"
		   "   --log-format value  set the log format ('text' (default), or 'json') "
		   "(default: \"text\")\n"
		   "   --root value      root directory for storage of container state (default: "
		   "\"" RT_DEFAULT_ROOT "\")\n"
		   "   --systemd-cgroup  accepted; refused when a container is created\n"
		   "   --help, -h        show help\n"
		   "   --version, -v     print the version\n");
}

int oci_runtime_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ "rootless", required_argument, NULL, 'R' },
		{ "criu", required_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct rt rt = { .root = RT_DEFAULT_ROOT, .argv0 = argv };
	const char *cmd, *log_format = "text";
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", lo, NULL)) != -1) {
		switch (c) {
		case 'r': rt.root = optarg; break;
		case 'l': rt.log_path = optarg; break;
		case 'f': log_format = optarg; break;
		case 'd': rt.debug = 1; break;
		case 's': rt.systemd_cgroup = 1; break;
		case 'R':
		case 'C': break;
		case 'v': {
			const struct scmp_version *v = seccomp_version();

			printf("nook-runtime version %s\nspec: %s\nlibseccomp: %u.%u.%u\n",
			       NOOK_VERSION, RT_OCI_VERSION, v->major, v->minor, v->micro);
			return 0;
		}
		case 'h': usage(stdout); return 0;
		default:
			return rt_usage_error("nook-runtime", "unknown global option '%s'",
					      argv[optind - 1]);
		}
	}
	if (strcmp(log_format, "text") && strcmp(log_format, "json"))
		return rt_usage_error("nook-runtime",
				      "--log-format: unknown format \"%s\" (text or json)",
				      log_format);
	if (rt.log_path) {
		int fd = open(rt.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		if (fd < 0) {
			struct err e;

			err_sys(&e, "open log file %s", rt.log_path);
			return rt_fail(&e);
		}
		log_setup(fd, strcmp(log_format, "json") == 0, rt.debug ? LOGL_DEBUG : LOGL_WARN);
	} else if (rt.debug) {
		/* runc's default log is stderr, in the same formats; a copy
		 * of fd 2 so that util's log takes it for a file */
		log_setup(fcntl(2, F_DUPFD_CLOEXEC, 3), strcmp(log_format, "json") == 0,
			  LOGL_DEBUG);
		log_on_stderr = 1;
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	timing_mark("parse arguments");

	/* Anything that clones into a container must not run the binary's
	 * file (CVE-2019-5736). */
	if (strcmp(cmd, "create") == 0 || strcmp(cmd, "run") == 0 || strcmp(cmd, "exec") == 0) {
		struct err e = { 0 };

		if (oci_protect_exe(rt.argv0, &e) < 0)
			return rt_fail(&e);
	}
	log_msg(LOGL_DEBUG, "command %s, state under %s", cmd, rt.root);
	if (strcmp(cmd, "create") == 0)
		return rt_cmd_create(&rt, argc, argv);
	if (strcmp(cmd, "start") == 0)
		return rt_cmd_start(&rt, argc, argv);
	if (strcmp(cmd, "run") == 0)
		return rt_cmd_run(&rt, argc, argv);
	if (strcmp(cmd, "state") == 0)
		return rt_cmd_state(&rt, argc, argv);
	if (strcmp(cmd, "kill") == 0)
		return rt_cmd_kill(&rt, argc, argv);
	if (strcmp(cmd, "delete") == 0)
		return rt_cmd_delete(&rt, argc, argv);
	if (strcmp(cmd, "exec") == 0)
		return rt_cmd_exec(&rt, argc, argv);
	if (strcmp(cmd, "pause") == 0)
		return rt_cmd_pause(&rt, argc, argv, 1);
	if (strcmp(cmd, "resume") == 0)
		return rt_cmd_pause(&rt, argc, argv, 0);
	if (strcmp(cmd, "ps") == 0)
		return rt_cmd_ps(&rt, argc, argv);
	if (strcmp(cmd, "list") == 0)
		return rt_cmd_list(&rt, argc, argv);
	if (strcmp(cmd, "update") == 0)
		return rt_cmd_update(&rt, argc, argv);
	if (strcmp(cmd, "spec") == 0)
		return rt_cmd_spec(&rt, argc, argv);
	if (strcmp(cmd, "features") == 0)
		return rt_cmd_features(&rt, argc, argv);
	if (strcmp(cmd, "checkpoint") == 0)
		return rt_cmd_checkpoint(&rt, argc, argv);
	if (strcmp(cmd, "restore") == 0)
		return rt_cmd_restore(&rt, argc, argv);
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	return rt_usage_error("nook-runtime", "unknown command \"%s\"", cmd);
}
