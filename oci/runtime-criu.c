// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runtime-criu: `checkpoint` and `restore` of the runc command line, as
 * podman and containerd call them (runc's flags and defaults: the images
 * go to ./checkpoint unless --image-path says where).
 *
 * checkpoint: the container must be running (or paused); criu dumps its
 * tree; unless --leave-running the container is then gone, as with runc:
 * its processes were killed by the dump, its cgroup and state are removed.
 * restore: a create whose init comes from the images (rt_do_create with
 * co->restore), the same id reserved the same way, so a failed restore
 * leaves nothing.  Without --detach we wait for the restored init and
 * return its exit code, as `run` does.
 *
 * Not supported, refused by name: --lazy-pages and --page-server (a
 * second machine during the dump), a terminal (the pty would need to be
 * recreated and handed over through the console socket).
 */
#include <getopt.h>
#include <signal.h>
#include <sys/wait.h>

#include "oci/cgroup.h"
#include "oci/criu.h"
#include "oci/linux.h"
#include "oci/runtime-internal.h"

enum {
	O_IMAGE = 256,
	O_WORK,
	O_PARENT,
	O_LEAVE,
	O_TCP,
	O_EXT_UNIX,
	O_SHELL,
	O_LOCKS,
	O_PRE,
	O_IGNORED_ARG,
	O_IGNORED,
	O_REFUSED,
	O_BUNDLE,
	O_DETACH,
	O_PIDFILE,
	O_CONSOLE,
	O_NO_PIVOT,
};

static const struct option criu_longopts[] = {
	{ "image-path", required_argument, NULL, O_IMAGE },
	{ "work-path", required_argument, NULL, O_WORK },
	{ "parent-path", required_argument, NULL, O_PARENT },
	{ "leave-running", no_argument, NULL, O_LEAVE },
	{ "tcp-established", no_argument, NULL, O_TCP },
	{ "ext-unix-sk", no_argument, NULL, O_EXT_UNIX },
	{ "shell-job", no_argument, NULL, O_SHELL },
	{ "file-locks", no_argument, NULL, O_LOCKS },
	{ "pre-dump", no_argument, NULL, O_PRE },
	{ "manage-cgroups-mode", required_argument, NULL, O_IGNORED_ARG },
	{ "empty-ns", required_argument, NULL, O_IGNORED_ARG },
	{ "status-fd", required_argument, NULL, O_IGNORED_ARG },
	{ "lsm-profile", required_argument, NULL, O_IGNORED_ARG },
	{ "lsm-mount-context", required_argument, NULL, O_IGNORED_ARG },
	{ "auto-dedup", no_argument, NULL, O_IGNORED },
	{ "no-subreaper", no_argument, NULL, O_IGNORED },
	{ "lazy-pages", no_argument, NULL, O_REFUSED },
	{ "page-server", required_argument, NULL, O_REFUSED },
	{ "bundle", required_argument, NULL, O_BUNDLE },
	{ "detach", no_argument, NULL, O_DETACH },
	{ "pid-file", required_argument, NULL, O_PIDFILE },
	{ "console-socket", required_argument, NULL, O_CONSOLE },
	{ "no-pivot", no_argument, NULL, O_NO_PIVOT },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

struct criu_args {
	struct oci_criu o;
	struct create_opts co;
	const char *id;
};

/* Both commands' flags; restore-only ones are refused for checkpoint. */
static int parse(const char *cmd, int argc, char **argv, struct criu_args *a)
{
	int restore = strcmp(cmd, "restore") == 0, c;

	memset(a, 0, sizeof(*a));
	a->co.console_fd = -1;
	a->o.images = "checkpoint";
	optind = 0;
	while ((c = getopt_long(argc, argv, "+b:dh", criu_longopts, NULL)) != -1) {
		switch (c) {
		case O_IMAGE: a->o.images = optarg; break;
		case O_WORK: a->o.work = optarg; break;
		case O_PARENT: a->o.parent = optarg; break;
		case O_LEAVE: a->o.flags |= OCI_CRIU_LEAVE_RUNNING; break;
		case O_TCP: a->o.flags |= OCI_CRIU_TCP_ESTABLISHED; break;
		case O_EXT_UNIX: a->o.flags |= OCI_CRIU_EXT_UNIX_SK; break;
		case O_SHELL: a->o.flags |= OCI_CRIU_SHELL_JOB; break;
		case O_LOCKS: a->o.flags |= OCI_CRIU_FILE_LOCKS; break;
		case O_PRE: a->o.flags |= OCI_CRIU_PRE_DUMP; break;
		case O_IGNORED_ARG:
		case O_IGNORED: break;
		case O_REFUSED:
			return rt_usage_error(cmd, "%s is not supported by nook", argv[optind - 1]);
		case 'b':
		case O_BUNDLE: a->co.bundle = optarg; break;
		case 'd':
		case O_DETACH: a->co.detach = 1; break;
		case O_PIDFILE: a->co.pid_file = optarg; break;
		case O_CONSOLE: a->co.console_socket = optarg; break;
		case O_NO_PIVOT: a->co.no_pivot = 1; break;
		case 'h':
			if (restore)
				printf("usage: restore --image-path DIR [--work-path DIR] "
				       "[--bundle "
				       "DIR] [--detach] [--pid-file FILE] [--tcp-established] "
				       "[--file-locks] [--ext-unix-sk] [--shell-job] ID\n");
			else
				printf("usage: checkpoint --image-path DIR [--work-path DIR] "
				       "[--leave-running] [--tcp-established] [--file-locks] "
				       "[--ext-unix-sk] [--shell-job] [--pre-dump] [--parent-path "
				       "DIR] ID\n");
			exit(0);
		default: return rt_usage_error(cmd, "invalid option (see --help)");
		}
		if (!restore && (c == O_BUNDLE || c == 'b' || c == O_DETACH || c == 'd' ||
				 c == O_PIDFILE || c == O_CONSOLE || c == O_NO_PIVOT))
			return rt_usage_error(cmd, "%s is an option of restore", argv[optind - 1]);
		if (restore && (c == O_LEAVE || c == O_PRE || c == O_PARENT))
			return rt_usage_error(cmd, "%s is an option of checkpoint",
					      argv[optind - 1]);
	}
	if (optind != argc - 1)
		return rt_usage_error(cmd, "requires exactly 1 argument: the container id");
	a->id = argv[optind];
	if (!*a->o.images)
		return rt_usage_error(cmd, "--image-path: empty");
	return 0;
}

int rt_cmd_checkpoint(struct rt *rt, int argc, char **argv)
{
	struct criu_args a;
	struct state st;
	struct oci_spec *spec = NULL;
	struct err e = { 0 };
	const char *status;
	int r = 1;

	if (parse("checkpoint", argc, argv, &a))
		return 1;
	if (rt_state_load(rt, a.id, &st, &e) < 0)
		return rt_fail(&e);
	status = rt_state_status(rt, &st);
	if (strcmp(status, "running") != 0 && strcmp(status, "paused") != 0) {
		err_set(&e, 0, "container %s is not running (%s): nothing to checkpoint", a.id,
			status);
		goto out;
	}
	spec = rt_load_saved_spec(rt, a.id, &e);
	if (!spec)
		goto out;
	if (spec->process && spec->process->terminal) {
		err_set(&e, EINVAL,
			"checkpoint: container %s has a terminal (process.terminal), which nook "
			"cannot checkpoint",
			a.id);
		goto out;
	}
	if (oci_criu_usable(rt->root, &e) < 0 || oci_criu_dump(&a.o, spec, st.pid, &e) < 0)
		goto out;
	r = 0;
	if (a.o.flags & (OCI_CRIU_LEAVE_RUNNING | OCI_CRIU_PRE_DUMP))
		goto out;
	/* runc: a dumped container is gone; its processes died in the dump
	 * (their parent reaps them), the rest is ours to remove. */
	if (rt_destroy(rt, &st, spec, &e) < 0)
		r = 1;
out:
	if (r)
		rt_fail(&e);
	oci_spec_free(spec);
	rt_state_free(&st);
	return r;
}

int rt_cmd_restore(struct rt *rt, int argc, char **argv)
{
	struct criu_args a;
	struct state st;
	struct oci_spec *spec = NULL;
	struct err e = { 0 };
	sigset_t chld, old;
	int code;

	if (parse("restore", argc, argv, &a))
		return 1;
	a.co.no_fifo = 1;
	a.co.restore = &a.o;
	if (oci_criu_usable(rt->root, &e) < 0)
		return rt_fail(&e);
	/* SIGCHLD must not be lost between the restore and our wait. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	if (rt_do_create(rt, a.id, &a.co, &st, &spec, &e) < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return rt_fail(&e);
	}
	if (a.co.detach) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		rt_state_free(&st);
		oci_spec_free(spec);
		return 0;
	}
	code = oci_linux_wait(st.pid, -1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rt_destroy(rt, &st, spec, &e) < 0)
		rt_fail(&e);
	rt_state_free(&st);
	oci_spec_free(spec);
	return code;
}
