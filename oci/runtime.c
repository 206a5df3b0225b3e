// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runtime: the runc-compatible command line.
 *
 * State lives in <root>/<id>/ (default root /run/nook-runtime):
 *   state.json   id, pid + its start time (pid reuse), bundle, rootfs,
 *                created, cgroup path, annotations
 *   config.json  the bundle's config as it was at create (exec, delete)
 *   exec.fifo    exists between create and start: the init blocks on it
 * and <root>/.seccomp/ holds the built seccomp programs (oci_seccomp_get;
 * ids never start with a dot, list skips it).
 * The status is never stored: it is read from the kernel each time
 * (process alive with the same start time? fifo present? cgroup frozen?).
 * The files are written atomically (tmp + rename) but not fsynced, as by
 * runc and crun: they describe processes that a power cut ends anyway
 * (the runtime spec wants them on a tmpfs), and on a disk each fsync cost
 * a millisecond or more of every start.
 *
 * Callers parse our output: error text, exit codes (1 for runtime errors,
 * the process's own for run/exec) and the --log file in runc's formats.
 */
#include "oci/runtime.h"
#include "oci/runtime-internal.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "oci/cgroup.h"
#include "oci/devcg.h"
#include "oci/linux.h"
#include "oci/seccomp.h"
#include "oci/spec.h"
#include "oci/util.h"
#include "oci/validate.h"

#define DEFAULT_ROOT "/run/nook-runtime"
#define OCI_VERSION "1.2.0"

void rt_state_free(struct state *s)
{
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->cgroup);
	cJSON_Delete(s->annotations);
	memset(s, 0, sizeof(*s));
}

/* ---- errors, runc style ------------------------------------------------ */

int rt_fail(const struct err *e)
{
	char buf[800], ts[40];

	err_str(e, buf, sizeof(buf));
	log_msg(LOG_ERROR, "%s", buf);
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

/* ---- state files ------------------------------------------------------- */

static char *state_dir(const struct rt *rt, const char *id)
{
	return xasprintf("%s/%s", rt->root, id);
}

static char *iso_now(void)
{
	struct timespec ts;
	char buf[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	time_format_ns((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, buf, sizeof(buf));
	return xstrdup(buf);
}

static int state_save(const struct rt *rt, const struct state *s, struct err *e)
{
	_cleanup_free_ char *dir = state_dir(rt, s->id);
	_cleanup_free_ char *path = xasprintf("%s/state.json", dir);
	cJSON *j = cJSON_CreateObject();
	char *text;
	int r;

	cJSON_AddStringToObject(j, "id", s->id);
	cJSON_AddNumberToObject(j, "pid", s->pid);
	cJSON_AddNumberToObject(j, "pidStart", (double)s->pid_start);
	cJSON_AddStringToObject(j, "bundle", s->bundle);
	cJSON_AddStringToObject(j, "rootfs", s->rootfs);
	cJSON_AddStringToObject(j, "created", s->created);
	if (s->cgroup)
		cJSON_AddStringToObject(j, "cgroup", s->cgroup);
	if (s->annotations)
		cJSON_AddItemToObject(j, "annotations", cJSON_Duplicate(s->annotations, 1));
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	r = file_write_volatile(path, text, strlen(text), 0600, e);
	free(text);
	return r;
}

static const char *jstr(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

#define STATE_MISSING (-2)
#define STATE_CORRUPT (-3)

/* Load <root>/<id>/state.json.  A missing container returns STATE_MISSING
 * with runc's text "container ... does not exist". */
int rt_state_load(const struct rt *rt, const char *id, struct state *s, struct err *e)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	struct err le = { 0 };
	cJSON *j;
	const cJSON *pid, *start;

	memset(s, 0, sizeof(*s));
	if (id_valid(id, e) < 0)
		return -1;
	path = xasprintf("%s/%s/state.json", rt->root, id);
	text = file_read(path, NULL, &le);
	if (!text) {
		if (e)
			*e = le;
		if (le.errnum == ENOENT) {
			/* runc's words, which callers match, plus the id */
			err_set(e, 0, "container \"%s\" does not exist", id);
			return STATE_MISSING;
		}
		return -1;
	}
	j = cJSON_Parse(text);
	pid = cJSON_GetObjectItemCaseSensitive(j, "pid");
	start = cJSON_GetObjectItemCaseSensitive(j, "pidStart");
	if (!j || !cJSON_IsNumber(pid) || !jstr(j, "id") || !jstr(j, "bundle")) {
		cJSON_Delete(j);
		err_set(e, EINVAL, "%s: corrupt state file", path);
		return STATE_CORRUPT;
	}
	s->id = xstrdup(jstr(j, "id"));
	s->pid = (pid_t)pid->valuedouble;
	s->pid_start = cJSON_IsNumber(start) ? (uint64_t)start->valuedouble : 0;
	s->bundle = xstrdup(jstr(j, "bundle"));
	s->rootfs = xstrdup(jstr(j, "rootfs") ? jstr(j, "rootfs") : "");
	s->created = xstrdup(jstr(j, "created") ? jstr(j, "created") : "");
	s->cgroup = jstr(j, "cgroup") ? xstrdup(jstr(j, "cgroup")) : NULL;
	s->annotations = cJSON_DetachItemFromObject(j, "annotations");
	cJSON_Delete(j);
	return 0;
}

static int pid_alive(const struct state *s)
{
	return s->pid_start && proc_running(s->pid, s->pid_start) && kill(s->pid, 0) == 0;
}

const char *rt_state_status(const struct rt *rt, const struct state *s)
{
	_cleanup_free_ char *fifo = NULL;

	if (!pid_alive(s))
		return "stopped";
	fifo = xasprintf("%s/%s/exec.fifo", rt->root, s->id);
	if (access(fifo, F_OK) == 0)
		return "created";
	if (s->cgroup && oci_cgroup_frozen(s->cgroup) == 1)
		return "paused";
	return "running";
}

static cJSON *state_json_obj(const struct rt *rt, const struct state *s, const char *status)
{
	cJSON *j = cJSON_CreateObject();
	int stopped = strcmp(status, "stopped") == 0;

	cJSON_AddStringToObject(j, "ociVersion", OCI_VERSION);
	cJSON_AddStringToObject(j, "id", s->id);
	cJSON_AddNumberToObject(j, "pid", stopped ? 0 : s->pid);
	cJSON_AddStringToObject(j, "status", status);
	cJSON_AddStringToObject(j, "bundle", s->bundle);
	cJSON_AddStringToObject(j, "rootfs", s->rootfs);
	cJSON_AddStringToObject(j, "created", s->created);
	cJSON_AddStringToObject(j, "owner", "");
	if (s->annotations)
		cJSON_AddItemToObject(j, "annotations", cJSON_Duplicate(s->annotations, 1));
	return j;
}

static void print_json(cJSON *j)
{
	char *t = cJSON_Print(j);

	puts(t);
	free(t);
	cJSON_Delete(j);
}

/* Remove <root>/<id> and what is in it (flat: no subdirectories). */
static void state_dir_remove(const struct rt *rt, const char *id)
{
	_cleanup_free_ char *dir = state_dir(rt, id);
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
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
	j = state_json_obj(h->rt, h->st, status ? status : h->status);
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

/* ---- create / run ------------------------------------------------------- */

static int connect_console(const char *path, struct err *e)
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

static int write_pid_file(const char *path, pid_t pid, struct err *e)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return file_write_volatile(path, buf, strlen(buf), 0644, e);
}

/* Create the container; on success st is filled and saved.  On failure
 * nothing is left: no state dir, no cgroup, no process. */
int rt_do_create(const struct rt *rt, const char *id, const struct create_opts *co,
		 struct state *st, struct oci_spec **specp, struct err *e)
{
	_cleanup_free_ char *bundle = NULL;
	_cleanup_free_ char *cfg = NULL;
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *rootfs_rel = NULL;
	_cleanup_free_ char *fifo = NULL;
	_cleanup_free_ char *cfg_copy = NULL;
	_cleanup_free_ char *cfg_text = NULL;
	_cleanup_free_ char *seccache = xasprintf("%s/.seccomp", rt->root);
	_cleanup_close_ int cgfd = -1;
	_cleanup_close_ int console = -1;
	struct oci_spec *spec = NULL;
	struct hook_ctx hc = { .rt = rt, .st = st, .status = "creating" };
	struct oci_create_opts o = { .id = id, .console_socket = -1, .cgroup_fd = -1 };
	char rootfs[PATH_MAX], mnt[PATH_MAX];
	int made_dir = 0;
	pid_t pid;

	memset(st, 0, sizeof(*st));
	if (id_valid(id, e) < 0)
		return -1;
	if (rt->systemd_cgroup)
		return err_set(e, EINVAL,
			       "--systemd-cgroup: the systemd cgroup driver is not supported (nook "
			       "manages cgroupfs itself)");
	bundle = realpath(co->bundle ? co->bundle : ".", NULL);
	if (!bundle)
		return err_sys(e, "bundle %s", co->bundle ? co->bundle : ".");
	cfg = xasprintf("%s/config.json", bundle);
	cfg_text = file_read(cfg, NULL, e);
	if (!cfg_text)
		return -1;
	timing_mark("read config");
	spec = oci_spec_parse(cfg_text, e);
	if (!spec)
		return err_wrap(e, "%s", cfg);
	if (!spec->process) {
		err_set(e, EINVAL, "%s: process: required", cfg);
		goto fail;
	}
	/* Before anything exists: a refused config leaves nothing behind. */
	if (oci_validate(spec, e) < 0)
		goto fail;
	timing_mark("parse config");
	rootfs_rel = spec->root_path[0] == '/' ? xstrdup(spec->root_path)
					       : xasprintf("%s/%s", bundle, spec->root_path);
	if (!realpath(rootfs_rel, rootfs)) {
		err_sys(e, "rootfs (%s) does not exist", rootfs_rel);
		goto fail;
	}
	{
		struct stat sb;

		if (stat(rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			err_set(e, ENOTDIR, "rootfs (%s) is not a directory", rootfs_rel);
			goto fail;
		}
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

	/* The state directory doubles as the id reservation. */
	if (mkdir_p(rt->root, 0700, e) < 0)
		goto fail;
	dir = state_dir(rt, id);
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			err_set(e, EEXIST, "container with id %s already exists", id);
		else
			err_sys(e, "mkdir %s", dir);
		goto fail;
	}
	made_dir = 1;
	cfg_copy = xasprintf("%s/config.json", dir);
	if (file_write_volatile(cfg_copy, cfg_text, strlen(cfg_text), 0600, e) < 0)
		goto fail;
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

	/* cgroup v2, or none at all when none is mounted and nothing asks
	 * for a limit (nook never uses cgroup v1). */
	if (oci_cgroup_mount(mnt, sizeof(mnt), NULL) == 0) {
		st->cgroup = oci_cgroup_path(spec->linux.cgroups_path, id, e);
		if (!st->cgroup)
			goto fail;
		cgfd = oci_cgroup_create(
			st->cgroup, spec->linux.has_resources ? &spec->linux.resources : NULL, e);
		if (cgfd < 0) {
			free(st->cgroup);
			st->cgroup = NULL;
			goto fail;
		}
		timing_mark("cgroup create");
		{
			const char *skipped = NULL;

			if (oci_devcg_apply(cgfd, spec, &skipped, e) < 0)
				goto fail;
			if (skipped)
				log_msg(LOG_WARN, "linux.resources.devices not enforced: %s",
					skipped);
			timing_mark("device program");
		}
	} else if (oci_cgroup_limits_requested(spec->linux.has_resources ? &spec->linux.resources
									 : NULL)) {
		err_set(e, ENOENT,
			"linux.resources: no cgroup v2 filesystem is mounted, limits cannot be "
			"applied");
		goto fail;
	}

	if (!co->no_fifo) {
		fifo = xasprintf("%s/exec.fifo", dir);
		if (mkfifo(fifo, 0622) < 0) {
			err_sys(e, "mkfifo %s", fifo);
			goto fail;
		}
		/* mkfifo obeys the umask; the init may run as any user. */
		chmod(fifo, 0622);
	}
	if (co->console_socket) {
		console = connect_console(co->console_socket, e);
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
	if (state_save(rt, st, e) < 0 ||
	    (co->pid_file && write_pid_file(co->pid_file, pid, e) < 0)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto fail;
	}
	timing_mark("state write");
	*specp = spec;
	return 0;

fail:
	if (st->cgroup)
		oci_cgroup_remove(st->cgroup, NULL);
	if (made_dir)
		state_dir_remove(rt, id);
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

static int parse_uint(const char *s, long max, long *out)
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
			if (parse_uint(optarg, 1 << 20, &v) < 0)
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

static int cmd_create(struct rt *rt, int argc, char **argv)
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

struct oci_spec *rt_load_saved_spec(const struct rt *rt, const char *id, struct err *e)
{
	_cleanup_free_ char *p = xasprintf("%s/%s/config.json", rt->root, id);

	return oci_spec_load(p, e);
}

static int cmd_start(struct rt *rt, int argc, char **argv)
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
		if (pid_alive(st))
			poll(&p, 1, timeout_ms);
		close(pfd);
		return 0;
	}
	while (pid_alive(st) && waited < timeout_ms) {
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

		log_msg(LOG_WARN, "%s", err_str(e, buf, sizeof(buf)));
	}
	oci_spec_free(spec);
	if (r == 0)
		state_dir_remove(rt, st->id);
	return r;
}

static int kill_container(const struct state *st, int sig, int all, struct err *e)
{
	if (all && st->cgroup)
		return oci_cgroup_signal_all(st->cgroup, sig, e);
	if (!pid_alive(st))
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

static int cmd_run(struct rt *rt, int argc, char **argv)
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

static int cmd_state(struct rt *rt, int argc, char **argv)
{
	struct state st;
	struct err e = { 0 };

	if (argc != 2)
		return rt_usage_error("state", "requires exactly 1 argument: the container id");
	if (rt_state_load(rt, argv[1], &st, &e) < 0)
		return rt_fail(&e);
	print_json(state_json_obj(rt, &st, rt_state_status(rt, &st)));
	rt_state_free(&st);
	return 0;
}

static int cmd_kill(struct rt *rt, int argc, char **argv)
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
			state_dir_remove(rt, id);
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

static int cmd_delete(struct rt *rt, int argc, char **argv)
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

static int cmd_pause(struct rt *rt, int argc, char **argv, int freeze)
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

/* ---- exec ------------------------------------------------------------- */

static int parse_user(const char *s, struct oci_user *u)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || (*end && *end != ':'))
		return -1;
	u->uid = (uint32_t)v;
	if (*end == ':') {
		const char *g = end + 1;

		v = strtoul(g, &end, 10);
		if (end == g || *end)
			return -1;
		u->gid = (uint32_t)v;
	} else {
		u->gid = 0;
	}
	return 0;
}

/* Set "K=V" in env, replacing an existing K (exec --env overrides the
 * container's own value, as in runc). */
static void env_set(char ***env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);

	for (size_t i = 0; *env && (*env)[i]; i++) {
		if (strncmp((*env)[i], kv, klen) == 0 && (*env)[i][klen] == '=') {
			free((*env)[i]);
			(*env)[i] = xstrdup(kv);
			return;
		}
	}
	strv_push(env, kv);
}

static int cmd_exec(struct rt *rt, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "tty", no_argument, NULL, 't' },
		{ "console-socket", required_argument, NULL, 's' },
		{ "cwd", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "cap", required_argument, NULL, 'c' },
		{ "no-new-privs", no_argument, NULL, 'n' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ "process-label", required_argument, NULL, 'l' },
		{ "apparmor", required_argument, NULL, 'a' },
		{ "ignore-paused", no_argument, NULL, 'i' },
		{ "cgroup", required_argument, NULL, 'C' },
		{ 0 },
	};
	const char *process_file = NULL, *console = NULL, *cwd = NULL, *user = NULL,
		   *pid_file = NULL, *apparmor = NULL;
	_cleanup_strv_ char **envs = NULL;
	_cleanup_strv_ char **caps = NULL;
	_cleanup_strv_ char **gids = NULL;
	_cleanup_free_ char *seccache = xasprintf("%s/.seccomp", rt->root);
	int tty = 0, nnp = 0, detach = 0, ignore_paused = 0, c, rc = 1;
	long preserve = 0;
	struct state st = { 0 };
	struct oci_spec *spec = NULL;
	struct oci_process *proc = NULL;
	struct err e = { 0 };
	struct oci_exec_opts xo = { .console_socket = -1 };
	const char *status;
	sigset_t chld;
	pid_t pid;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:ts:w:e:u:g:c:dh", lo, NULL)) != -1) {
		switch (c) {
		case 'p': process_file = optarg; break;
		case 't': tty = 1; break;
		case 's': console = optarg; break;
		case 'w': cwd = optarg; break;
		case 'e': strv_push(&envs, optarg); break;
		case 'u': user = optarg; break;
		case 'g': strv_push(&gids, optarg); break;
		case 'c': strv_push(&caps, optarg); break;
		case 'n': nnp = 1; break;
		case 'd': detach = 1; break;
		case 'P': pid_file = optarg; break;
		case 'f':
			if (parse_uint(optarg, 1 << 20, &preserve) < 0)
				return rt_usage_error("exec", "--preserve-fds: invalid number '%s'",
						      optarg);
			break;
		case 'a': apparmor = optarg; break;
		case 'i': ignore_paused = 1; break;
		case 'l':
		case 'C': break;
		case 'h':
			printf("usage: exec [--process FILE | OPTIONS] ID [COMMAND [ARG...]]\n");
			return 0;
		default: return rt_usage_error("exec", "invalid option (see --help)");
		}
	}
	if (optind >= argc)
		return rt_usage_error("exec", "requires at least 1 argument: the container id");
	if (!process_file && optind + 1 >= argc)
		return rt_usage_error("exec", "a command or --process is required");
	if (rt_state_load(rt, argv[optind], &st, &e) < 0)
		return rt_fail(&e);
	status = rt_state_status(rt, &st);
	if (strcmp(status, "paused") == 0 && !ignore_paused) {
		err_set(&e, 0,
			"cannot exec in a paused container (use --ignore-paused to override)");
		goto out;
	}
	if (strcmp(status, "running") != 0 && strcmp(status, "created") != 0 &&
	    strcmp(status, "paused") != 0) {
		err_set(&e, 0, "cannot exec in a %s container", status);
		goto out;
	}
	spec = rt_load_saved_spec(rt, st.id, &e);
	if (!spec)
		goto out;
	if (process_file) {
		_cleanup_free_ char *text = strcmp(process_file, "-") == 0
						    ? file_read("/dev/stdin", NULL, &e)
						    : file_read(process_file, NULL, &e);

		if (!text)
			goto out;
		proc = oci_process_parse(text, &e);
		if (!proc) {
			err_wrap(&e, "%s", process_file);
			goto out;
		}
	} else {
		/* The container's process, with our command and overrides. */
		proc = spec->process;
		spec->process = NULL;
		strv_free(proc->args);
		proc->args = strv_dup(argv + optind + 1);
		proc->terminal = tty;
		for (size_t i = 0; envs && envs[i]; i++)
			env_set(&proc->env, envs[i]);
		if (cwd) {
			free(proc->cwd);
			proc->cwd = xstrdup(cwd);
		}
		if (user && parse_user(user, &proc->user) < 0) {
			err_set(&e, EINVAL, "exec --user: invalid value '%s' (want UID[:GID])",
				user);
			goto out;
		}
		if (gids) {
			size_t n = strv_len(gids);

			free(proc->user.additional_gids);
			proc->user.additional_gids = xcalloc(n, sizeof(uint32_t));
			proc->user.n_additional_gids = n;
			for (size_t i = 0; i < n; i++)
				proc->user.additional_gids[i] =
					(uint32_t)strtoul(gids[i], NULL, 10);
		}
		for (size_t i = 0; caps && caps[i]; i++) {
			int cap = oci_cap_from_name(caps[i]);

			if (cap < 0) {
				err_set(&e, EINVAL, "exec --cap: unknown capability \"%s\"",
					caps[i]);
				goto out;
			}
			proc->caps.present = 1;
			proc->caps.bounding |= 1ULL << cap;
			proc->caps.effective |= 1ULL << cap;
			proc->caps.permitted |= 1ULL << cap;
			proc->caps.inheritable |= 1ULL << cap;
			proc->caps.ambient |= 1ULL << cap;
		}
		if (nnp)
			proc->no_new_privileges = 1;
	}
	if (apparmor) {
		free(proc->apparmor_profile);
		proc->apparmor_profile = xstrdup(apparmor);
	}
	if (proc->terminal && !console) {
		err_set(&e, EINVAL, "exec: a terminal needs --console-socket");
		goto out;
	}
	if (console) {
		xo.console_socket = connect_console(console, &e);
		if (xo.console_socket < 0)
			goto out;
	}
	xo.pid = st.pid;
	xo.cgroup_path = st.cgroup;
	xo.process = proc;
	xo.seccomp = spec->linux.seccomp;
	xo.seccomp_cache = seccache;
	xo.preserve_fds = (int)preserve;
	/* SIGCHLD must not be lost between the exec and our wait. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	timing_mark("exec: state, config");
	pid = oci_linux_exec(&xo, &e);
	if (xo.console_socket >= 0)
		close(xo.console_socket);
	if (pid < 0)
		goto out;
	if (pid_file && write_pid_file(pid_file, pid, &e) < 0) {
		/* Nobody could find it to wait for it or kill it (runc
		 * terminates it too). */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	rc = detach ? 0 : oci_linux_wait(pid, -1);
	timing_mark("exec: exited");
	goto done;
out:
	rt_fail(&e);
	/* 126/127 when the command could not run, else runc's 255 for a
	 * failed exec: 1 could be the command's own status. */
	rc = err_exit_code(&e, 255);
done:
	if (proc && proc != spec->process)
		oci_process_free(proc);
	oci_spec_free(spec);
	rt_state_free(&st);
	return rc;
}

/* ---- ps, list ---------------------------------------------------------- */

static int cmd_ps(struct rt *rt, int argc, char **argv)
{
	static const struct option lo[] = { { "format", required_argument, NULL, 'f' }, { 0 } };
	const char *format = "table";
	struct state st;
	struct err e = { 0 };
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:", lo, NULL)) != -1) {
		if (c != 'f')
			return rt_usage_error("ps", "invalid option");
		format = optarg;
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return rt_usage_error("ps", "invalid format option \"%s\" (table or json)", format);
	if (optind >= argc)
		return rt_usage_error("ps", "requires at least 1 argument: the container id");
	if (rt_state_load(rt, argv[optind], &st, &e) < 0)
		return rt_fail(&e);
	if (st.cgroup) {
		if (oci_cgroup_pids(st.cgroup, &pids, &n, &e) < 0) {
			rt_state_free(&st);
			return rt_fail(&e);
		}
	} else if (pid_alive(&st)) {
		pids = xmalloc(sizeof(pid_t));
		pids[0] = st.pid;
		n = 1;
	}
	rt_state_free(&st);
	if (strcmp(format, "json") == 0) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		return 0;
	}
	printf("%-8s %s\n", "PID", "CMD");
	for (size_t i = 0; i < n; i++) {
		char path[64];
		_cleanup_free_ char *cmd = NULL;
		size_t len = 0;

		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
		cmd = file_read(path, &len, NULL);
		for (size_t k = 0; cmd && k + 1 < len; k++)
			if (!cmd[k])
				cmd[k] = ' ';
		printf("%-8d %s\n", (int)pids[i], cmd ? cmd : "?");
	}
	return 0;
}

static int cmd_list(struct rt *rt, int argc, char **argv)
{
	static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
					    { "quiet", no_argument, NULL, 'q' },
					    { 0 } };
	const char *format = "table";
	int quiet = 0, c;
	DIR *d;
	struct dirent *de;
	cJSON *arr = cJSON_CreateArray();

	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:q", lo, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'q')
			quiet = 1;
		else {
			cJSON_Delete(arr);
			return rt_usage_error("list", "invalid option");
		}
	}
	if (strcmp(format, "table") && strcmp(format, "json")) {
		cJSON_Delete(arr);
		return rt_usage_error("list", "invalid format option \"%s\" (table or json)",
				      format);
	}
	d = opendir(rt->root);
	while (d && (de = readdir(d))) {
		struct state st;

		if (de->d_name[0] == '.' || rt_state_load(rt, de->d_name, &st, NULL) < 0)
			continue;
		cJSON_AddItemToArray(arr, state_json_obj(rt, &st, rt_state_status(rt, &st)));
		rt_state_free(&st);
	}
	if (d)
		closedir(d);
	if (quiet) {
		const cJSON *it;

		cJSON_ArrayForEach (it, arr)
			puts(jstr(it, "id"));
	} else if (strcmp(format, "json") == 0) {
		char *t = cJSON_PrintUnformatted(arr);

		puts(t);
		free(t);
	} else {
		const cJSON *it;

		printf("%-12s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
		cJSON_ArrayForEach (it, arr) {
			const cJSON *pid = cJSON_GetObjectItemCaseSensitive(it, "pid");

			printf("%-12s %-8d %-10s %-40s %-32s %s\n", jstr(it, "id"),
			       (int)pid->valuedouble, jstr(it, "status"), jstr(it, "bundle"),
			       jstr(it, "created"), "root");
		}
	}
	cJSON_Delete(arr);
	return 0;
}

/* ---- update, spec, features ----------------------------------------------- */

static int cmd_update(struct rt *rt, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "resources", required_argument, NULL, 'r' },
		{ "memory", required_argument, NULL, 'm' },
		{ "memory-reservation", required_argument, NULL, 'R' },
		{ "memory-swap", required_argument, NULL, 's' },
		{ "pids-limit", required_argument, NULL, 'p' },
		{ "cpu-quota", required_argument, NULL, 'q' },
		{ "cpu-period", required_argument, NULL, 'P' },
		{ "cpu-shares", required_argument, NULL, 'S' },
		{ "cpuset-cpus", required_argument, NULL, 'c' },
		{ "cpuset-mems", required_argument, NULL, 'M' },
		{ 0 },
	};
	struct oci_resources r;
	struct state st;
	struct err e = { 0 };
	const char *file = NULL;
	int c, rc;

	memset(&r, 0, sizeof(r));
	optind = 0;
	while ((c = getopt_long(argc, argv, "+r:", lo, NULL)) != -1) {
		char *end;
		long long v = 0;

		if (c != 'r' && c != 'c' && c != 'M' && c != '?') {
			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg) {
				oci_resources_free(&r);
				return rt_usage_error("update", "invalid number '%s'", optarg);
			}
		}
		switch (c) {
		case 'r': file = optarg; break;
		case 'm':
			r.has_memory_limit = 1;
			r.memory_limit = v;
			break;
		case 'R':
			r.has_memory_reservation = 1;
			r.memory_reservation = v;
			break;
		case 's':
			r.has_memory_swap = 1;
			r.memory_swap = v;
			break;
		case 'p':
			r.has_pids_limit = 1;
			r.pids_limit = v;
			break;
		case 'q':
			r.has_cpu_quota = 1;
			r.cpu_quota = v;
			break;
		case 'P':
			r.has_cpu_period = 1;
			r.cpu_period = (uint64_t)v;
			break;
		case 'S':
			r.has_cpu_shares = 1;
			r.cpu_shares = (uint64_t)v;
			break;
		case 'c':
			free(r.cpuset_cpus);
			r.cpuset_cpus = xstrdup(optarg);
			break;
		case 'M':
			free(r.cpuset_mems);
			r.cpuset_mems = xstrdup(optarg);
			break;
		default: oci_resources_free(&r); return rt_usage_error("update", "invalid option");
		}
	}
	if (optind != argc - 1) {
		oci_resources_free(&r);
		return rt_usage_error("update", "requires exactly 1 argument: the container id");
	}
	if (file) {
		_cleanup_free_ char *text =
			file_read(strcmp(file, "-") == 0 ? "/dev/stdin" : file, NULL, &e);

		oci_resources_free(&r);
		memset(&r, 0, sizeof(r));
		if (!text || oci_resources_parse(text, &r, &e) < 0) {
			err_wrap(&e, "update --resources %s", file);
			return rt_fail(&e);
		}
	}
	if (rt_state_load(rt, argv[optind], &st, &e) < 0) {
		oci_resources_free(&r);
		return rt_fail(&e);
	}
	if (!st.cgroup)
		rc = err_set(&e, 0, "container %s has no cgroup v2", st.id);
	else
		rc = oci_cgroup_apply(st.cgroup, &r, &e);
	oci_resources_free(&r);
	rt_state_free(&st);
	return rc < 0 ? rt_fail(&e) : 0;
}

static int cmd_spec(struct rt *rt, int argc, char **argv)
{
	static const struct option lo[] = { { "bundle", required_argument, NULL, 'b' },
					    { "rootless", no_argument, NULL, 'r' },
					    { 0 } };
	const char *bundle = ".";
	int flags = 0, c, fd;
	struct statfs sf;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	struct err e = { 0 };

	optind = 0;
	while ((c = getopt_long(argc, argv, "+b:", lo, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			flags |= OCI_SPEC_ROOTLESS;
		else
			return rt_usage_error("spec", "invalid option");
	}
	/* runc's spec has a cgroup namespace only on a unified cgroup2
	 * host; callers add one where it lacks, and a second is an error. */
	if (statfs("/sys/fs/cgroup", &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
		flags |= OCI_SPEC_NO_CGROUPNS;
	path = xasprintf("%s/config.json", bundle);
	text = oci_spec_default_json(flags);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == EEXIST)
			err_set(&e, 0, "File %s exists. Remove it first", path);
		else
			err_sys(&e, "create %s", path);
		return rt_fail(&e);
	}
	if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0) {
		err_sys(&e, "write %s", path);
		close(fd);
		return rt_fail(&e);
	}
	close(fd);
	return 0;
}

static cJSON *strv_json(const char *const *v)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; v && v[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static int cmd_features(struct rt *rt, int argc, char **argv)
{
	static const char *const hooks[] = { "prestart",
					     "createRuntime",
					     "createContainer",
					     "startContainer",
					     "poststart",
					     "poststop",
					     NULL };
	static const char *const mopts[] = {
		"async",	 "atime",      "bind",	     "defaults", "dev",
		"diratime",	 "dirsync",    "exec",	     "mand",	 "noatime",
		"nodev",	 "nodiratime", "noexec",     "nomand",	 "norelatime",
		"nostrictatime", "nosuid",     "private",    "rbind",	 "relatime",
		"remount",	 "ro",	       "rprivate",   "rshared",	 "rslave",
		"runbindable",	 "rw",	       "shared",     "slave",	 "strictatime",
		"suid",		 "sync",       "unbindable", NULL
	};
	static const char *const nss[] = { "cgroup", "ipc",  "mount", "network", "pid",
					   "time",   "user", "uts",   NULL };
	cJSON *j = cJSON_CreateObject(), *lx, *cg, *sc, *caps, *x;
	const struct scmp_version *v = seccomp_version();
	char ver[32];

	cJSON_AddStringToObject(j, "ociVersionMin", "1.0.0");
	cJSON_AddStringToObject(j, "ociVersionMax", OCI_VERSION);
	cJSON_AddItemToObject(j, "hooks", strv_json(hooks));
	cJSON_AddItemToObject(j, "mountOptions", strv_json(mopts));
	lx = cJSON_AddObjectToObject(j, "linux");
	cJSON_AddItemToObject(lx, "namespaces", strv_json(nss));
	caps = cJSON_AddArrayToObject(lx, "capabilities");
	for (int i = 0; i <= oci_cap_last(); i++)
		if (oci_cap_name(i))
			cJSON_AddItemToArray(caps, cJSON_CreateString(oci_cap_name(i)));
	cg = cJSON_AddObjectToObject(lx, "cgroup");
	cJSON_AddBoolToObject(cg, "v1", 0);
	cJSON_AddBoolToObject(cg, "v2", 1);
	cJSON_AddBoolToObject(cg, "systemd", 0);
	cJSON_AddBoolToObject(cg, "systemdUser", 0);
	cJSON_AddBoolToObject(cg, "rdma", 0);
	sc = cJSON_AddObjectToObject(lx, "seccomp");
	cJSON_AddBoolToObject(sc, "enabled", 1);
	cJSON_AddItemToObject(sc, "actions", strv_json(oci_seccomp_actions()));
	cJSON_AddItemToObject(sc, "operators", strv_json(oci_seccomp_operators()));
	cJSON_AddItemToObject(sc, "archs", strv_json(oci_seccomp_archs()));
	cJSON_AddItemToObject(sc, "knownFlags", strv_json(oci_seccomp_flags()));
	cJSON_AddItemToObject(sc, "supportedFlags", strv_json(oci_seccomp_flags()));
	x = cJSON_AddObjectToObject(lx, "apparmor");
	cJSON_AddBoolToObject(x, "enabled", oci_apparmor_enabled());
	x = cJSON_AddObjectToObject(lx, "selinux");
	cJSON_AddBoolToObject(x, "enabled", 0);
	x = cJSON_AddObjectToObject(lx, "intelRdt");
	cJSON_AddBoolToObject(x, "enabled", 0);
	x = cJSON_AddObjectToObject(lx, "mountExtensions");
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(x, "idmap"), "enabled", 0);
	x = cJSON_AddObjectToObject(j, "annotations");
	cJSON_AddStringToObject(x, "org.opencontainers.runtime-spec.features", "nook");
	snprintf(ver, sizeof(ver), "%u.%u.%u", v->major, v->minor, v->micro);
	cJSON_AddStringToObject(x, "io.github.seccomp.libseccomp.version", ver);
	cJSON_AddStringToObject(x, "org.nook.version", NOOK_VERSION);
	print_json(j);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: nook runtime [GLOBAL OPTIONS] COMMAND [OPTIONS] ID ...\n"
		   "The runc-compatible OCI runtime of nook.\n\n"
		   "commands:\n"
		   "  create    create a container from a bundle (the init waits for start)\n"
		   "  start     start a created container\n"
		   "  run       create and start; waits for it unless --detach\n"
		   "  state     print the OCI state of a container\n"
		   "  kill      send a signal (default TERM) to the init, or --all processes\n"
		   "  delete    delete a stopped container (--force: any)\n"
		   "  exec      run a process in a running container\n"
		   "  pause     freeze every process of a container\n"
		   "  resume    thaw a paused container\n"
		   "  ps        list the processes of a container\n"
		   "  list      list containers\n"
		   "  update    change resource limits\n"
		   "  spec      write a default config.json\n"
		   "  features  print the features this runtime supports (JSON)\n"
		   "  checkpoint  dump a running container with CRIU (--image-path DIR)\n"
		   "  restore   create a container from a checkpoint and run it\n\n"
		   "global options:\n"
		   "  --root DIR        state directory (default " DEFAULT_ROOT ")\n"
		   "  --log FILE        log file (errors are also printed on stderr)\n"
		   "  --log-format F    text or json\n"
		   "  --debug           debug logging\n"
		   "  --systemd-cgroup  accepted; refused when a container is created\n"
		   "  --version\n");
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
	struct rt rt = { .root = DEFAULT_ROOT, .argv0 = argv };
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
			       NOOK_VERSION, OCI_VERSION, v->major, v->minor, v->micro);
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
		log_setup(fd, strcmp(log_format, "json") == 0, rt.debug ? LOG_DEBUG : LOG_WARN);
	} else if (rt.debug) {
		log_setup(2, 0, LOG_DEBUG);
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	timing_mark("parse arguments");

	/* Anything that clones into a container runs from a sealed copy of
	 * this binary (CVE-2019-5736). */
	if (strcmp(cmd, "create") == 0 || strcmp(cmd, "run") == 0 || strcmp(cmd, "exec") == 0) {
		struct err e = { 0 };

		if (oci_reexec_sealed(rt.argv0, &e) < 0)
			return rt_fail(&e);
	}
	if (strcmp(cmd, "create") == 0)
		return cmd_create(&rt, argc, argv);
	if (strcmp(cmd, "start") == 0)
		return cmd_start(&rt, argc, argv);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(&rt, argc, argv);
	if (strcmp(cmd, "state") == 0)
		return cmd_state(&rt, argc, argv);
	if (strcmp(cmd, "kill") == 0)
		return cmd_kill(&rt, argc, argv);
	if (strcmp(cmd, "delete") == 0)
		return cmd_delete(&rt, argc, argv);
	if (strcmp(cmd, "exec") == 0)
		return cmd_exec(&rt, argc, argv);
	if (strcmp(cmd, "pause") == 0)
		return cmd_pause(&rt, argc, argv, 1);
	if (strcmp(cmd, "resume") == 0)
		return cmd_pause(&rt, argc, argv, 0);
	if (strcmp(cmd, "ps") == 0)
		return cmd_ps(&rt, argc, argv);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(&rt, argc, argv);
	if (strcmp(cmd, "update") == 0)
		return cmd_update(&rt, argc, argv);
	if (strcmp(cmd, "spec") == 0)
		return cmd_spec(&rt, argc, argv);
	if (strcmp(cmd, "features") == 0)
		return cmd_features(&rt, argc, argv);
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
