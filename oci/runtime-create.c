// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runtime-create: the lifecycle commands of the runc command line:
 * create, run, start, kill, delete, pause/resume, and the OCI hooks they
 * run.
 *
 * create reserves the id with the state directory and undoes every step
 * on failure (no state dir, cgroup or process left behind).  delete and
 * run tear down through rt_destroy: cgroup, poststop hooks (a failing one
 * only warns, as in runc), state directory.  Signals go through a pidfd
 * where there is one, so a reused pid is never hit.
 */
#include "oci/runtime-internal.h"

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "oci/cgroup.h"
#include "oci/devcg.h"
#include "oci/linux.h"
#include "oci/log.h"
#include "oci/sys.h"
#include "oci/validate.h"

static char *iso_now(void)
{
	char buf[40];

	time_format_ns(sys_wall_ns(), buf, sizeof(buf));
	return xstrdup(buf);
}

/* ---- hooks ------------------------------------------------------------ */

struct hook_ctx {
	const struct rt *rt;
	struct state *st;
	const struct oci_spec *spec;
	const char *status;
};

/* status NULL: the hook context's */
static char *hook_state_json(void *arg, pid_t pid, const char *status)
{
	struct hook_ctx *h = arg;
	cJSON *j;
	char *t;

	h->st->pid = pid;
	j = rt_state_json(h->rt, h->st, status ? status : h->status);
	t = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return t;
}

static int run_hooks(struct hook_ctx *h, enum oci_hook_kind k, pid_t pid, struct err *e)
{
	_cleanup_free_ char *json = NULL;

	if (!h->spec || !h->spec->hooks.n[k])
		return 0;
	json = hook_state_json(h, pid, NULL);
	for (size_t i = 0; i < h->spec->hooks.n[k]; i++)
		if (oci_hook_run(&h->spec->hooks.list[k][i], json, e) < 0)
			return -1;
	return 0;
}

static int on_created(void *arg, pid_t pid, struct err *e)
{
	struct hook_ctx *h = arg;

	if (run_hooks(h, OCI_HOOK_PRESTART, pid, e) < 0 ||
	    run_hooks(h, OCI_HOOK_CREATE_RUNTIME, pid, e) < 0)
		return -1;
	return 0;
}

/* Step 1: the bundle's config.json, parsed and validated, and the rootfs.
 * Nothing exists yet, so a refused config leaves nothing behind.
 * *bundlep is the caller's; *textp (the config's text, saved with the
 * state) is the spec's. */
static struct oci_spec *create_load(const struct create_opts *co, char **bundlep,
				    const char **textp, char rootfs[PATH_MAX], struct err *e)
{
	_cleanup_free_ char *cfg = NULL;
	_cleanup_free_ char *rootfs_rel = NULL;
	struct oci_spec *spec;
	struct stat sb;
	char *text;

	*bundlep = realpath(co->bundle ? co->bundle : ".", NULL);
	if (!*bundlep) {
		err_sys(e, "bundle %s", co->bundle ? co->bundle : ".");
		return NULL;
	}
	cfg = xasprintf("%s/config.json", *bundlep);
	text = file_read(cfg, NULL, e);
	if (!text)
		return NULL;
	timing_mark("read config");
	spec = oci_spec_parse_owned(text, e);
	if (!spec) {
		err_wrap(e, "%s", cfg);
		return NULL;
	}
	*textp = spec->text;
	if (!spec->process) {
		err_set(e, EINVAL, "%s: process: required", cfg);
		goto fail;
	}
	if (oci_validate(spec, e) < 0)
		goto fail;
	timing_mark("parse config");
	rootfs_rel = spec->root_path[0] == '/' ? xstrdup(spec->root_path)
					       : xasprintf("%s/%s", *bundlep, spec->root_path);
	if (!realpath(rootfs_rel, rootfs)) {
		err_sys(e, "rootfs (%s) does not exist", rootfs_rel);
		goto fail;
	}
	if (stat(rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		err_set(e, ENOTDIR, "rootfs (%s) is not a directory", rootfs_rel);
		goto fail;
	}
	if (co->restore && spec->process->terminal) {
		err_set(e, EINVAL,
			"restore: a container with a terminal (process.terminal) cannot be "
			"restored by nook");
		goto fail;
	}
	if (spec->process->terminal && !co->console_socket && co->detach) {
		err_set(e, EINVAL,
			"cannot allocate tty if runc will detach without setting console socket");
		goto fail;
	}
	if (spec->process->terminal && !co->console_socket && co->console_fd < 0) {
		err_set(e, EINVAL, "process.terminal is true but no --console-socket was given");
		goto fail;
	}
	return spec;
fail:
	oci_spec_free(spec);
	return NULL;
}

/* Step 2: the state directory (which doubles as the id reservation),
 * the config copy, and st's fields.  -1 with *made 0: nothing to undo. */
static int create_state_dir(const struct rt *rt, const char *id, const char *bundle,
			    const char *rootfs, const char *cfg_text, const struct oci_spec *spec,
			    struct state *st, int *made, struct err *e)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *cfg_copy = NULL;

	if (mkdir_p(rt->root, 0700, e) < 0)
		return -1;
	dir = rt_state_dir(rt, id);
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			return err_set(e, EEXIST, "container with id %s already exists", id);
		return err_sys(e, "mkdir %s", dir);
	}
	*made = 1;
	cfg_copy = xasprintf("%s/config.json", dir);
	if (file_write_nosync(cfg_copy, cfg_text, strlen(cfg_text), 0600, e) < 0)
		return -1;
	timing_mark("state dir, config copy");

	st->id = xstrdup(id);
	st->bundle = xstrdup(bundle);
	st->rootfs = xstrdup(rootfs);
	st->created = iso_now();
	if (spec->n_annotations) {
		st->annotations = cJSON_CreateObject();
		for (size_t i = 0; i < spec->n_annotations; i++)
			cJSON_AddStringToObject(st->annotations, spec->annotations[i].key,
						spec->annotations[i].value);
	}
	return 0;
}

/* Step 3: the cgroup (oci_cgroup_setup: st->cgroup, the returned fd) with
 * its device program, or none (-2).  On failure st->cgroup is what the
 * caller must remove. */
static int create_cgroup(const char *id, const struct oci_spec *spec, struct state *st,
			 struct err *e)
{
	const char *skipped = NULL;
	int cgfd;

	if (oci_cgroup_setup(spec, id, &st->cgroup, &cgfd, e) < 0)
		return -1;
	if (cgfd < 0)
		return -2;
	if (oci_devcg_apply(cgfd, spec, &skipped, e) < 0) {
		close(cgfd);
		return -1;
	}
	if (skipped)
		log_msg(LOGL_WARN, "linux.resources.devices not enforced: %s", skipped);
	timing_mark("device program");
	return cgfd;
}

/* Create the container; on success st is filled and saved.  On failure
 * nothing is left: no state dir, no cgroup, no process. */
int rt_do_create(const struct rt *rt, const char *id, const struct create_opts *co,
		 struct state *st, struct oci_spec **specp, struct err *e)
{
	_cleanup_free_ char *bundle = NULL;
	const char *cfg_text = NULL;
	_cleanup_free_ char *fifo = NULL;
	_cleanup_free_ char *seccache = xasprintf("%s/.seccomp", rt->root);
	_cleanup_close_ int cgfd = -1;
	_cleanup_close_ int console = -1;
	struct oci_spec *spec = NULL;
	struct hook_ctx hc = { .rt = rt, .st = st, .status = "creating" };
	struct oci_create_opts o = { .id = id, .console_socket = -1, .cgroup_fd = -1 };
	char rootfs[PATH_MAX];
	int made_dir = 0;
	pid_t pid;

	memset(st, 0, sizeof(*st));
	if (id_valid(id, e) < 0)
		return -1;
	if (rt->systemd_cgroup)
		return err_set(e, EINVAL,
			       "--systemd-cgroup: the systemd cgroup driver is not supported (nook "
			       "manages cgroupfs itself)");
	spec = create_load(co, &bundle, &cfg_text, rootfs, e);
	if (!spec)
		return -1;
	if (create_state_dir(rt, id, bundle, rootfs, cfg_text, spec, st, &made_dir, e) < 0)
		goto fail;
	cgfd = create_cgroup(id, spec, st, e);
	if (cgfd == -1)
		goto fail;
	if (cgfd < 0)
		cgfd = -1; /* no cgroup v2 */
	if (!co->no_fifo) {
		fifo = xasprintf("%s/%s/exec.fifo", rt->root, id);
		if (mkfifo(fifo, 0622) < 0) {
			err_sys(e, "mkfifo %s", fifo);
			goto fail;
		}
		/* mkfifo obeys the umask; the init may run as any user. */
		chmod(fifo, 0622);
	}
	if (co->console_socket) {
		console = rt_connect_console(co->console_socket, e);
		if (console < 0)
			goto fail;
	} else if (co->console_fd >= 0) {
		console = fcntl(co->console_fd, F_DUPFD_CLOEXEC, 3);
	}

	hc.spec = spec;
	o.spec = spec;
	o.rootfs = rootfs;
	o.cgroup_fd = cgfd;
	o.cgroup_path = st->cgroup;
	o.exec_fifo = fifo;
	o.console_socket = console;
	o.preserve_fds = co->preserve_fds;
	o.no_pivot = co->no_pivot;
	/* the init waits for the parent there only for hooks to run */
	if (spec->hooks.n[OCI_HOOK_PRESTART] || spec->hooks.n[OCI_HOOK_CREATE_RUNTIME])
		o.on_created = on_created;
	o.state_json = hook_state_json;
	o.arg = &hc;
	o.seccomp_cache = seccache;
	if (co->restore)
		pid = oci_criu_restore(co->restore, spec, rootfs, st->cgroup, NULL, e);
	else
		pid = oci_linux_create(&o, e);
	if (pid < 0)
		goto fail;
	st->pid = pid;
	st->pid_start = proc_start_time(pid);
	if (rt_state_save(rt, st, e) < 0 ||
	    (co->pid_file && rt_write_pid_file(co->pid_file, pid, e) < 0)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	timing_mark("state write");
	log_msg(LOGL_DEBUG, "container %s: init pid %d, bundle %s, cgroup %s", id, (int)pid, bundle,
		st->cgroup ? st->cgroup : "none");
	*specp = spec;
	return 0;

fail:
	if (st->cgroup)
		oci_cgroup_remove(st->cgroup, NULL);
	if (made_dir)
		rt_state_dir_remove(rt, id);
	rt_state_free(st);
	oci_spec_free(spec);
	return -1;
}

static const struct option create_longopts[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "pid-file", required_argument, NULL, 'p' },
	{ "console-socket", required_argument, NULL, 'c' },
	{ "no-pivot", no_argument, NULL, 'P' },
	{ "no-new-keyring", no_argument, NULL, 'K' },
	{ "preserve-fds", required_argument, NULL, 'f' },
	{ "detach", no_argument, NULL, 'd' },
	{ "keep", no_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int parse_create(const char *cmd, int argc, char **argv, struct create_opts *co,
			const char **id)
{
	int c;
	long v;

	memset(co, 0, sizeof(*co));
	co->console_fd = -1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+b:dh", create_longopts, NULL)) != -1) {
		switch (c) {
		case 'b': co->bundle = optarg; break;
		case 'p': co->pid_file = optarg; break;
		case 'c': co->console_socket = optarg; break;
		case 'P': co->no_pivot = 1; break;
		case 'K':
		case 'k': break;
		case 'f':
			if (rt_parse_uint(optarg, 1 << 20, &v) < 0)
				return rt_usage_error(cmd, "--preserve-fds: invalid number '%s'",
						      optarg);
			co->preserve_fds = (int)v;
			break;
		case 'd': co->detach = 1; break;
		case 'h':
			printf("usage: %s [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] "
			       "[--no-pivot] [--preserve-fds N]%s ID\n",
			       cmd, strcmp(cmd, "run") == 0 ? " [--detach]" : "");
			exit(0);
		default: return rt_usage_error(cmd, "invalid option (see --help)");
		}
	}
	if (optind != argc - 1)
		return rt_usage_error(cmd, "requires exactly 1 argument: the container id");
	*id = argv[optind];
	return 0;
}

int rt_cmd_create(struct rt *rt, int argc, char **argv)
{
	struct create_opts co;
	struct state st;
	struct oci_spec *spec = NULL;
	struct err e = { 0 };
	const char *id;

	if (parse_create("create", argc, argv, &co, &id))
		return 1;
	if (rt_do_create(rt, id, &co, &st, &spec, &e) < 0)
		return rt_fail(&e);
	rt_state_free(&st);
	oci_spec_free(spec);
	return 0;
}

int rt_cmd_start(struct rt *rt, int argc, char **argv)
{
	struct state st;
	struct err e = { 0 };
	struct oci_spec *spec;
	struct hook_ctx hc = { .rt = rt, .st = &st, .status = "running" };
	_cleanup_free_ char *fifo = NULL;
	const char *status;
	int r = 0;

	if (argc != 2)
		return rt_usage_error("start", "requires exactly 1 argument: the container id");
	if (rt_state_load(rt, argv[1], &st, &e) < 0)
		return rt_fail(&e);
	status = rt_state_status(rt, &st);
	if (strcmp(status, "created") != 0) {
		if (strcmp(status, "stopped") == 0)
			err_set(&e, 0, "cannot start a container that has stopped");
		else
			err_set(&e, 0, "cannot start an already running container");
		rt_state_free(&st);
		return rt_fail(&e);
	}
	fifo = xasprintf("%s/%s/exec.fifo", rt->root, st.id);
	if (oci_linux_start(fifo, st.pid, st.pid_start, &e) < 0) {
		rt_state_free(&st);
		return rt_fail(&e);
	}
	log_msg(LOGL_DEBUG, "container %s: started", st.id);
	spec = rt_load_saved_spec(rt, st.id, &e);
	hc.spec = spec;
	if (spec && run_hooks(&hc, OCI_HOOK_POSTSTART, st.pid, &e) < 0)
		r = rt_fail(&e); /* poststart failures are reported, the container runs */
	oci_spec_free(spec);
	rt_state_free(&st);
	return r;
}

static int wait_gone(const struct state *st, int timeout_ms)
{
	int pfd = sys_pidfd_open(st->pid, 0);
	int waited = 0;

	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };

		/* The start time check guards against pid reuse before the
		 * pidfd was opened. */
		if (rt_pid_alive(st))
			poll(&p, 1, timeout_ms);
		close(pfd);
		return 0;
	}
	while (rt_pid_alive(st) && waited < timeout_ms) {
		struct timespec ts = { 0, 2000000 };

		nanosleep(&ts, NULL);
		waited += 2;
	}
	return 0;
}

/* Tear down a stopped (or killed) container: cgroup, poststop hooks,
 * state directory.  have: the spec when the caller holds it (run), else
 * it is read from the state directory. */
int rt_destroy(const struct rt *rt, struct state *st, const struct oci_spec *have, struct err *e)
{
	struct oci_spec *spec = have ? NULL : rt_load_saved_spec(rt, st->id, NULL);
	struct hook_ctx hc = {
		.rt = rt, .st = st, .spec = have ? have : spec, .status = "stopped"
	};
	int r = 0;

	if (st->cgroup && oci_cgroup_remove(st->cgroup, e) < 0)
		r = -1;
	if (r == 0 && run_hooks(&hc, OCI_HOOK_POSTSTOP, 0, e) < 0) {
		/* runc warns and goes on: the container is gone either way */
		char buf[600];

		log_msg(LOGL_WARN, "%s", err_str(e, buf, sizeof(buf)));
	}
	oci_spec_free(spec);
	if (r == 0) {
		rt_state_dir_remove(rt, st->id);
		log_msg(LOGL_DEBUG, "container %s: deleted", st->id);
	}
	return r;
}

static int kill_container(const struct state *st, int sig, int all, struct err *e)
{
	if (all && st->cgroup)
		return oci_cgroup_signal_all(st->cgroup, sig, e);
	if (!rt_pid_alive(st))
		return err_set(e, ESRCH, "container not running");
	{
		int pfd = sys_pidfd_open(st->pid, 0);

		if (pfd >= 0) {
			int r = sys_pidfd_send_signal(pfd, sig);

			close(pfd);
			if (r == 0)
				return 0;
			return err_sys(e, "kill container %s", st->id);
		}
	}
	if (kill(st->pid, sig) < 0)
		return err_sys(e, "kill container %s", st->id);
	return 0;
}

int rt_cmd_run(struct rt *rt, int argc, char **argv)
{
	struct create_opts co;
	struct state st;
	struct oci_spec *spec = NULL;
	struct hook_ctx hc = { .rt = rt, .st = &st, .status = "running" };
	struct err e = { 0 };
	const char *id;
	sigset_t chld, old;
	int code, sp[2] = { -1, -1 }, pty = -1;

	if (parse_create("run", argc, argv, &co, &id))
		return 1;
	co.no_fifo = 1;
	if (!co.console_socket && !co.detach) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
			err_sys(&e, "socketpair");
			return rt_fail(&e);
		}
		co.console_fd = sp[1];
	}
	/* SIGCHLD must not be lost between the exec and our wait. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	if (rt_do_create(rt, id, &co, &st, &spec, &e) < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (sp[0] >= 0) {
			close(sp[0]);
			close(sp[1]);
		}
		rt_fail(&e);
		return err_exit_code(&e, 1);
	}
	if (sp[0] >= 0) {
		close(sp[1]);
		pty = oci_linux_recv_fd(sp[0]);
		close(sp[0]);
	}
	hc.spec = spec;
	if (run_hooks(&hc, OCI_HOOK_POSTSTART, st.pid, &e) < 0)
		rt_fail(&e);
	if (co.detach) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		rt_state_free(&st);
		oci_spec_free(spec);
		return 0;
	}
	code = oci_linux_wait(st.pid, pty);
	timing_mark("container exited");
	log_msg(LOGL_DEBUG, "container %s: exit code %d", st.id, code);
	if (pty >= 0)
		close(pty);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rt_destroy(rt, &st, spec, &e) < 0)
		rt_fail(&e);
	timing_mark("delete");
	rt_state_free(&st);
	oci_spec_free(spec);
	return code;
}

int rt_cmd_kill(struct rt *rt, int argc, char **argv)
{
	static const struct option lo[] = { { "all", no_argument, NULL, 'a' }, { 0 } };
	struct state st;
	struct err e = { 0 };
	int all = 0, c, sig = SIGTERM;
	const char *status;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+a", lo, NULL)) != -1) {
		if (c != 'a')
			return rt_usage_error("kill", "invalid option");
		all = 1;
	}
	if (argc - optind < 1 || argc - optind > 2)
		return rt_usage_error("kill", "requires 1 or 2 arguments: ID [SIGNAL]");
	if (argc - optind == 2) {
		/* 0: only check that the process exists (runc accepts it;
		 * signal_parse does not, a stop signal must be real) */
		sig = strcmp(argv[optind + 1], "0") == 0 ? 0 : signal_parse(argv[optind + 1]);
		if (sig < 0)
			return rt_usage_error("kill", "unknown signal \"%s\"", argv[optind + 1]);
	}
	if (rt_state_load(rt, argv[optind], &st, &e) < 0)
		return rt_fail(&e);
	status = rt_state_status(rt, &st);
	if (strcmp(status, "stopped") == 0 && !all) {
		rt_state_free(&st);
		err_set(&e, 0, "container not running");
		return rt_fail(&e);
	}
	log_msg(LOGL_DEBUG, "container %s: signal %d%s", st.id, sig, all ? " to all" : "");
	if (kill_container(&st, sig, all, &e) < 0) {
		rt_state_free(&st);
		return rt_fail(&e);
	}
	rt_state_free(&st);
	return 0;
}

static int delete_one(struct rt *rt, const char *id, int force)
{
	struct state st;
	struct err e = { 0 };
	const char *status;
	int r;

	int r0 = rt_state_load(rt, id, &st, &e);

	if (r0 < 0) {
		if (force && (r0 == STATE_MISSING || r0 == STATE_CORRUPT)) {
			/* containerd deletes twice; a create that died before
			 * its state.json left a directory that only this can
			 * remove (runc removes it too); so can a power cut
			 * with the state on a disk (it is not fsynced). */
			rt_state_dir_remove(rt, id);
			return 0;
		}
		return rt_fail(&e);
	}
	status = rt_state_status(rt, &st);
	if (strcmp(status, "running") == 0 || strcmp(status, "paused") == 0) {
		if (!force) {
			err_set(&e, 0, "cannot delete container %s that is not stopped: %s", id,
				status);
			rt_state_free(&st);
			return rt_fail(&e);
		}
	}
	if (strcmp(status, "stopped") != 0) {
		if (st.cgroup)
			oci_cgroup_signal_all(st.cgroup, SIGKILL, NULL);
		kill_container(&st, SIGKILL, 0, NULL);
		wait_gone(&st, 5000);
	}
	r = rt_destroy(rt, &st, NULL, &e);
	rt_state_free(&st);
	return r < 0 ? rt_fail(&e) : 0;
}

int rt_cmd_delete(struct rt *rt, int argc, char **argv)
{
	static const struct option lo[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	int force = 0, c, rc = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+f", lo, NULL)) != -1) {
		if (c != 'f')
			return rt_usage_error("delete", "invalid option");
		force = 1;
	}
	if (optind >= argc)
		return rt_usage_error("delete", "requires at least 1 argument: the container id");
	for (int i = optind; i < argc; i++)
		if (delete_one(rt, argv[i], force))
			rc = 1;
	return rc;
}

int rt_cmd_pause(struct rt *rt, int argc, char **argv, int freeze)
{
	const char *cmd = freeze ? "pause" : "resume";
	struct state st;
	struct err e = { 0 };
	const char *status;

	if (argc != 2)
		return rt_usage_error(cmd, "requires exactly 1 argument: the container id");
	if (rt_state_load(rt, argv[1], &st, &e) < 0)
		return rt_fail(&e);
	status = rt_state_status(rt, &st);
	if (freeze && strcmp(status, "running") != 0)
		err_set(&e, 0, "container %s is not running (%s)", st.id, status);
	else if (!freeze && strcmp(status, "paused") != 0)
		err_set(&e, 0, "container %s is not paused (%s)", st.id, status);
	else if (!st.cgroup)
		err_set(&e, 0, "container %s has no cgroup v2: cannot %s", st.id, cmd);
	else if (oci_cgroup_freeze(st.cgroup, freeze, &e) == 0) {
		rt_state_free(&st);
		return 0;
	}
	rt_state_free(&st);
	return rt_fail(&e);
}
