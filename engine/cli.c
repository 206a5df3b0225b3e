// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli: main() of the multi-call binary, and the engine's command line.
 *
 *   nook [--root DIR] [--runroot DIR] COMMAND ...   podman's lifecycle
 *   nook runtime ... / nook-runtime ...              runc's command line
 *
 * Exit codes are podman's: 0, 125 for an engine error, 126 when the
 * command cannot be invoked, 127 when it is not found, else the
 * container's own (run, start -a, wait, exec).  Errors are printed once,
 * here, as "Error: <what>".
 */
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/api.h"
#include "engine/conf.h"
#include "engine/container.h"
#include "engine/events.h"
#include "engine/format.h"
#include "engine/syscheck.h"
#include "monitor/monitor.h"
#include "oci/linux.h"
#include "oci/runtime.h"
#include "oci/util.h"

#define EXIT_ENGINE 125

struct cli {
	char **argv; /* as main got it: the sealed re-exec repeats it */
	const char *root, *runroot;
	struct engine en;
	int opened;
};

static int report(const struct err *e)
{
	char buf[800];

	fprintf(stderr, "Error: %s\n", err_str(e, buf, sizeof(buf)));
	/* A process that could not start: the shell's codes. */
	if (strstr(e->msg, "exec: ") &&
	    (strstr(e->msg, "not found in $PATH") || strstr(e->msg, "no such file") ||
	     strstr(e->msg, "No such file")))
		return 127;
	if (strstr(e->msg, "exec: ") && strstr(e->msg, "permission denied"))
		return 126;
	return EXIT_ENGINE;
}

/* "FILE:LINE" while create/run parse the flags of the defaults file
 * (engine/conf): a bad value there is named as coming from it. */
static const char *conf_at;

static int usage_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "Error: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (conf_at)
		fprintf(stderr, " (from the defaults file %s)\n", conf_at);
	else
		fprintf(stderr, " (see 'nook %s --help')\n", cmd);
	return EXIT_ENGINE;
}

/* ps, inspect, logs, wait: a missing store is an empty one, not one to
 * create (the root may be a disk that is not mounted yet). */
static int open_engine_ro(struct cli *c)
{
	struct err e = { 0 };

	if (c->opened)
		return 0;
	if (engine_open_ro(&c->en, c->root, c->runroot, &e) < 0) {
		report(&e);
		return -1;
	}
	c->opened = 1;
	return 0;
}

static int open_engine(struct cli *c)
{
	struct err e = { 0 };

	if (c->opened)
		return 0;
	if (engine_open(&c->en, c->root, c->runroot, &e) < 0) {
		report(&e);
		return -1;
	}
	c->opened = 1;
	return 0;
}

/* exec, whose child joins a container from this process's image, runs from
 * a sealed copy of the binary (CVE-2019-5736).  The other commands never
 * enter a container: its init is cloned by the monitor, a fresh exec of
 * the binary on disk through a read-only bind mount (monitor_opts.
 * monitor_exe), not of our image.  For them the copy (a 360 KB memfd and
 * one more exec per call) would protect nothing. */
static int seal(struct cli *c)
{
	struct err e = { 0 };

	if (oci_reexec_sealed(c->argv, &e) < 0) {
		report(&e);
		return -1;
	}
	return 0;
}

/* ---- value parsing ------------------------------------------------------- */

static int parse_size(const char *s, int64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	int64_t mul = 1;

	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'b':
	case 'B':
	case '\0': mul = 1; break;
	case 'k':
	case 'K': mul = 1024; break;
	case 'm':
	case 'M': mul = 1024 * 1024; break;
	case 'g':
	case 'G': mul = 1024LL * 1024 * 1024; break;
	default: return -1;
	}
	if (*end && end[1] && !((end[1] == 'b' || end[1] == 'B') && !end[2]))
		return -1;
	*out = (int64_t)(v * (double)mul);
	return 0;
}

static int parse_int(const char *s, long min, long max, long *out)
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

static int parse_restart(const char *s, struct engine_create_opts *o)
{
	static const char *const names[] = { "no", "on-failure", "always", "unless-stopped" };
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strlen(names[i]) == n && strncmp(s, names[i], n) == 0) {
			long max = 0;

			o->restart = (enum restart_policy)i;
			if (colon &&
			    (i != RESTART_ON_FAILURE || parse_int(colon + 1, 0, 1 << 20, &max)))
				return -1;
			o->restart_max = (int)max;
			return 0;
		}
	}
	return -1;
}

static void env_file(const char *path, char ***env, struct err *e)
{
	_cleanup_free_ char *text = file_read(path, NULL, e);
	char *save = NULL;

	if (!text)
		return;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l && *l != '#')
			strv_push(env, l);
	}
}

static int parse_until(const char *s, int64_t *ns, struct err *e);

/* ---- create / run ------------------------------------------------------ */

enum {
	OPT_NAME = 256,
	OPT_ROOTFS,
	OPT_ENVFILE,
	OPT_TMPFS,
	OPT_HOSTNAME,
	OPT_CAPADD,
	OPT_CAPDROP,
	OPT_PRIV,
	OPT_READONLY,
	OPT_SECOPT,
	OPT_PIDS,
	OPT_CPUS,
	OPT_RESTART,
	OPT_REQUIRES,
	OPT_STOPSIG,
	OPT_STOPTO,
	OPT_LOGSIZE,
	OPT_NETWORK,
	OPT_RM,
	OPT_ANNOT,
	OPT_DETACHKEYS,
	OPT_ULIMIT,
};

static const struct option create_opts[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "rootfs", no_argument, NULL, OPT_ROOTFS },
	{ "env", required_argument, NULL, 'e' },
	{ "env-file", required_argument, NULL, OPT_ENVFILE },
	{ "volume", required_argument, NULL, 'v' },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "workdir", required_argument, NULL, 'w' },
	{ "user", required_argument, NULL, 'u' },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "interactive", no_argument, NULL, 'i' },
	{ "tty", no_argument, NULL, 't' },
	{ "detach", no_argument, NULL, 'd' },
	{ "cap-add", required_argument, NULL, OPT_CAPADD },
	{ "cap-drop", required_argument, NULL, OPT_CAPDROP },
	{ "privileged", no_argument, NULL, OPT_PRIV },
	{ "read-only", no_argument, NULL, OPT_READONLY },
	{ "security-opt", required_argument, NULL, OPT_SECOPT },
	{ "memory", required_argument, NULL, 'm' },
	{ "pids-limit", required_argument, NULL, OPT_PIDS },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "restart", required_argument, NULL, OPT_RESTART },
	{ "requires", required_argument, NULL, OPT_REQUIRES },
	{ "stop-signal", required_argument, NULL, OPT_STOPSIG },
	{ "stop-timeout", required_argument, NULL, OPT_STOPTO },
	{ "log-size-max", required_argument, NULL, OPT_LOGSIZE },
	{ "log-opt", required_argument, NULL, OPT_LOGSIZE },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "net", required_argument, NULL, OPT_NETWORK },
	{ "rm", no_argument, NULL, OPT_RM },
	{ "annotation", required_argument, NULL, OPT_ANNOT },
	{ "detach-keys", required_argument, NULL, OPT_DETACHKEYS },
	{ "ulimit", required_argument, NULL, OPT_ULIMIT },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static const char create_help[] =
	"usage: nook %s [OPTIONS] --rootfs DIR [COMMAND [ARG...]]\n"
	"  --name NAME            a name (default nook_<id>)\n"
	"  --rootfs               the first argument is the root filesystem directory\n"
	"  -e, --env K=V          environment (repeatable); --env-file FILE\n"
	"  -v, --volume SRC:DST[:ro]  bind mount; --tmpfs DST[:OPTS]\n"
	"  -w, --workdir DIR      -u, --user UID[:GID]|NAME[:GROUP]   --hostname NAME\n"
	"  -i, --interactive      keep stdin open;  -t, --tty  allocate a terminal\n"
	"  -d, --detach           (run) print the id and leave it running\n"
	"  --rm                   remove the container when it exits\n"
	"  --cap-add CAP, --cap-drop CAP (ALL works), --privileged, --read-only\n"
	"  --security-opt seccomp=FILE|unconfined, --security-opt no-new-privileges\n"
	"  -m, --memory SIZE, --pids-limit N, --cpus N   (cgroup v2 limits)\n"
	"  --restart no|on-failure[:N]|always|unless-stopped\n"
	"  --requires CTR,...     containers that must run first\n"
	"  --stop-signal SIG, --stop-timeout SECONDS, --log-size-max SIZE\n"
	"  --network none|host    (default none)\n"
	"  --detach-keys KEYS     (run) default ctrl-p,ctrl-q\n";

struct run_flags {
	int detach;
	const char *detach_keys;
};

static void free_create_opts(struct engine_create_opts *o)
{
	strv_free(o->env);
	strv_free(o->cap_add);
	strv_free(o->cap_drop);
	strv_free(o->requires);
	strv_free(o->annotations);
	for (size_t i = 0; i < o->n_mounts; i++) {
		free(o->mounts[i].src);
		free(o->mounts[i].dst);
	}
	free(o->mounts);
}

static int add_mount(struct engine_create_opts *o, const char *arg, int tmpfs)
{
	_cleanup_free_ char *a = xstrdup(arg);
	struct mount_opt m = { 0 };
	char *p1 = strchr(a, ':'), *p2 = NULL;

	if (p1) {
		*p1++ = '\0';
		p2 = strchr(p1, ':');
		if (p2)
			*p2++ = '\0';
	}
	if (tmpfs) {
		if (a[0] != '/')
			return -1;
		m.dst = xstrdup(a);
		m.src = p1 ? xstrdup(p1) : NULL;
		m.tmpfs = 1;
	} else {
		if (!p1 || a[0] != '/' || p1[0] != '/')
			return -1;
		if (p2 && strcmp(p2, "ro") && strcmp(p2, "rw") && strcmp(p2, "z") &&
		    strcmp(p2, "Z"))
			return -1;
		m.src = xstrdup(a);
		m.dst = xstrdup(p1);
		m.ro = p2 && strcmp(p2, "ro") == 0;
	}
	o->mounts = xrealloc(o->mounts, (o->n_mounts + 1) * sizeof(m));
	o->mounts[o->n_mounts++] = m;
	return 0;
}

/* create/run flags into o and rf; optind is left at the first
 * positional.  Called for the defaults file's flags, then the command's:
 * what the command says last wins. */
static int create_flags(const char *cmd, int argc, char **argv, struct engine_create_opts *o,
			struct run_flags *rf, int *rootfs_flag)
{
	int c;
	struct err e = { 0 };

	optind = 0;
	while ((c = getopt_long(argc, argv, "+e:v:w:u:itdm:h", create_opts, NULL)) != -1) {
		long v;
		int64_t sz;

		switch (c) {
		case OPT_NAME: o->name = optarg; break;
		case OPT_ROOTFS: *rootfs_flag = 1; break;
		case 'e': strv_push(&o->env, optarg); break;
		case OPT_ENVFILE:
			env_file(optarg, &o->env, &e);
			if (e.msg[0])
				return usage_err(cmd, "--env-file %s: %s", optarg,
						 strerror(e.errnum));
			break;
		case 'v':
			if (add_mount(o, optarg, 0) < 0)
				return usage_err(cmd,
						 "invalid --volume \"%s\" (want /SRC:/DST[:ro])",
						 optarg);
			break;
		case OPT_TMPFS:
			if (add_mount(o, optarg, 1) < 0)
				return usage_err(cmd,
						 "invalid --tmpfs \"%s\" (want /DST[:OPTIONS])",
						 optarg);
			break;
		case 'w': o->workdir = optarg; break;
		case 'u': o->user = optarg; break;
		case OPT_HOSTNAME: o->hostname = optarg; break;
		case 'i': o->interactive = 1; break;
		case 't': o->tty = 1; break;
		case 'd': rf->detach = 1; break;
		case OPT_CAPADD: strv_push(&o->cap_add, optarg); break;
		case OPT_CAPDROP: strv_push(&o->cap_drop, optarg); break;
		case OPT_PRIV: o->privileged = 1; break;
		case OPT_READONLY: o->read_only = 1; break;
		case OPT_SECOPT:
			if (strncmp(optarg, "seccomp=", 8) == 0)
				o->seccomp = optarg + 8;
			else if (strcmp(optarg, "no-new-privileges") == 0 ||
				 strcmp(optarg, "no-new-privileges=true") == 0)
				o->no_new_privs = 1;
			else if (strncmp(optarg, "label=", 6) != 0 &&
				 strncmp(optarg, "apparmor=", 9) != 0)
				return usage_err(cmd, "unsupported --security-opt \"%s\"", optarg);
			break;
		case 'm':
			if (parse_size(optarg, &sz) < 0 || sz <= 0)
				return usage_err(cmd, "invalid --memory \"%s\" (e.g. 64m)", optarg);
			o->memory = sz;
			break;
		case OPT_PIDS:
			if (parse_int(optarg, -1, 1 << 30, &v) < 0)
				return usage_err(cmd, "invalid --pids-limit \"%s\"", optarg);
			o->pids_limit = v;
			break;
		case OPT_CPUS: {
			char *end;

			o->cpus = strtod(optarg, &end);
			if (*end || end == optarg || o->cpus < 0 || isnan(o->cpus))
				return usage_err(cmd, "invalid --cpus \"%s\"", optarg);
			break;
		}
		case OPT_RESTART:
			if (parse_restart(optarg, o) < 0)
				return usage_err(cmd,
						 "invalid --restart \"%s\" (no, on-failure[:N], "
						 "always, unless-stopped)",
						 optarg);
			break;
		case OPT_REQUIRES: {
			_cleanup_free_ char *l = xstrdup(optarg);
			char *save = NULL;

			for (char *t = strtok_r(l, ",", &save); t; t = strtok_r(NULL, ",", &save))
				strv_push(&o->requires, t);
			break;
		}
		case OPT_STOPSIG:
			o->stop_signal = signal_parse(optarg);
			if (o->stop_signal < 0)
				return usage_err(cmd, "invalid --stop-signal \"%s\"", optarg);
			break;
		case OPT_STOPTO:
			if (parse_int(optarg, 0, 1 << 20, &v) < 0)
				return usage_err(cmd, "invalid --stop-timeout \"%s\"", optarg);
			o->stop_timeout = (int)v;
			break;
		case OPT_LOGSIZE: {
			const char *val =
				strncmp(optarg, "max-size=", 9) == 0 ? optarg + 9 : optarg;

			if (parse_size(val, &sz) < 0 || sz < 4096)
				return usage_err(cmd, "invalid log size \"%s\" (at least 4k)",
						 optarg);
			o->log_size_max = (uint64_t)sz;
			break;
		}
		case OPT_NETWORK:
			if (strcmp(optarg, "none") && strcmp(optarg, "host"))
				return usage_err(cmd, "invalid --network \"%s\" (none or host)",
						 optarg);
			o->network = optarg;
			break;
		case OPT_RM: o->auto_remove = 1; break;
		case OPT_ANNOT: strv_push(&o->annotations, optarg); break;
		case OPT_DETACHKEYS: rf->detach_keys = optarg; break;
		case OPT_ULIMIT: break; /* accepted for podman compatibility */
		case 'h': printf(create_help, cmd); exit(0);
		default: return usage_err(cmd, "invalid option");
		}
	}
	return 0;
}

/* Parse create/run: the defaults for new containers (engine/conf), then
 * the command line; optind is left at the first positional. */
static int parse_create(const char *cmd, int argc, char **argv, struct engine_create_opts *o,
			struct run_flags *rf)
{
	/* optarg points into them: they live as long as the command */
	static char **conf;
	_cleanup_free_ unsigned *lines = NULL;
	struct err e = { 0 };
	int rootfs_flag = 0;

	memset(o, 0, sizeof(*o));
	memset(rf, 0, sizeof(*rf));
	o->stop_timeout = -1;
	strv_free(conf);
	if (conf_load(NULL, &conf, &lines, &e) < 0) {
		fprintf(stderr, "Error: %s: defaults for new containers: %s\n", cmd, e.msg);
		return EXIT_ENGINE;
	}
	for (size_t i = 0; conf && conf[i]; i++) {
		char at[PATH_MAX + 16], *one[] = { (char *)cmd, conf[i], NULL };
		int r;

		snprintf(at, sizeof(at), "%s:%u", conf_path(), lines[i]);
		conf_at = at;
		r = create_flags(cmd, 2, one, o, rf, &rootfs_flag);
		conf_at = NULL;
		if (r)
			return r;
	}
	if (create_flags(cmd, argc, argv, o, rf, &rootfs_flag))
		return EXIT_ENGINE;
	if (!rootfs_flag || optind >= argc)
		return usage_err(cmd, "--rootfs DIR is required (nook has no images yet)");
	o->rootfs = argv[optind++];
	o->argv = optind < argc ? argv + optind : NULL;
	if (o->auto_remove && o->restart != RESTART_NO)
		return usage_err(cmd, "--rm and --restart cannot be used together");
	return 0;
}

static int cmd_create(struct cli *c, int argc, char **argv)
{
	struct engine_create_opts o;
	struct run_flags rf;
	struct err e = { 0 };
	char id[STORE_ID_LEN + 1];
	int r;

	if (parse_create("create", argc, argv, &o, &rf))
		return (free_create_opts(&o), EXIT_ENGINE);
	if (open_engine(c) < 0)
		return (free_create_opts(&o), EXIT_ENGINE);
	r = engine_create(&c->en, &o, id, &e);
	free_create_opts(&o);
	if (r < 0)
		return report(&e);
	puts(id);
	return 0;
}

static int cmd_run(struct cli *c, int argc, char **argv)
{
	struct engine_create_opts o;
	struct run_flags rf;
	struct err e = { 0 };
	char id[STORE_ID_LEN + 1];
	int r, code = 0;

	if (parse_create("run", argc, argv, &o, &rf))
		return (free_create_opts(&o), EXIT_ENGINE);
	if (open_engine(c) < 0)
		return (free_create_opts(&o), EXIT_ENGINE);
	r = engine_create(&c->en, &o, id, &e);
	if (r < 0) {
		free_create_opts(&o);
		return report(&e);
	}
	if (rf.detach) {
		r = engine_start(&c->en, id, 1, NULL, NULL, &e);
		if (r == 0)
			puts(id);
	} else {
		struct engine_attach at = {
			.in_fd = o.interactive ? 0 : -1,
			.out_fd = 1,
			.err_fd = 2,
			.detach_keys = rf.detach_keys,
			.tty = o.tty,
		};

		r = engine_start(&c->en, id, 1, &at, &code, &e);
		/* --rm: gone when run returns (the monitor's cleanup would
		 * remove it too, a moment later; whichever comes second finds
		 * nothing to do) */
		if (r == 0 && o.auto_remove && code >= 0) {
			struct err ignored;

			engine_remove(&c->en, id, 1, &ignored);
		}
	}
	if (r < 0) {
		code = report(&e);
		/* a run that could not start leaves nothing behind with --rm */
		if (o.auto_remove) {
			struct err ignored;

			engine_remove(&c->en, id, 1, &ignored);
		}
	}
	free_create_opts(&o);
	return code < 0 ? 0 : code;
}

/* ---- simple per-container commands ------------------------------------- */

static int opt_help(int argc, char **argv, const char *usage)
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

/* Commands without options still take flags anywhere (podman's cobra
 * intersperses them) and "--": the index of the first container argument
 * (argv permuted), or -1 after a usage error for an unknown option. */
static int no_opts(const char *cmd, int argc, char **argv)
{
	static const struct option none[] = { { 0 } };

	optind = 0;
	if (getopt_long(argc, argv, "", none, NULL) != -1) {
		usage_err(cmd, "invalid option");
		return -1;
	}
	return optind;
}

/* Run op for each container argument; the last error decides the code. */
static int for_each(struct cli *c, int argc, char **argv, int first, const char *cmd,
		    int (*op)(struct cli *, const char *, void *, struct err *), void *arg,
		    int print_ids)
{
	int rc = 0;

	if (first >= argc)
		return usage_err(cmd, "requires at least 1 container");
	if (open_engine(c) < 0)
		return EXIT_ENGINE;
	for (int i = first; i < argc; i++) {
		struct err e = { 0 };

		if (op(c, argv[i], arg, &e) < 0) {
			if (e.kind == ERRK_ALREADY_STOPPED) {
				if (print_ids)
					puts(argv[i]);
				continue;
			}
			rc = report(&e);
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
	int force = *(int *)arg;

	if (engine_remove(&c->en, ref, force, e) == 0)
		return 0;
	/* rm -f of what is not there is fine (podman) */
	if (force && e->kind == ERRK_NO_SUCH) {
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

static int cmd_start(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "attach", no_argument, NULL, 'a' },
					    { "interactive", no_argument, NULL, 'i' },
					    { "detach-keys", required_argument, NULL, 'k' },
					    { 0 } };
	int attach = 0, inter = 0, ch;
	const char *keys = NULL;

	if (opt_help(argc, argv, "usage: nook start [-a] [-i] [--detach-keys KEYS] CONTAINER..."))
		return 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "ai", lo, NULL)) != -1) {
		if (ch == 'a')
			attach = 1;
		else if (ch == 'i')
			inter = 1;
		else if (ch == 'k')
			keys = optarg;
		else
			return usage_err("start", "invalid option");
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
			return usage_err("start", "--attach takes exactly 1 container");
		if (open_engine(c) < 0)
			return EXIT_ENGINE;
		if (engine_start(&c->en, argv[optind], 1, &at, &code, &e) < 0)
			return report(&e);
		return code < 0 ? 0 : code;
	}
	return for_each(c, argc, argv, optind, "start", op_start, NULL, 1);
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
		if (ch != 't' || parse_int(optarg, 0, 1 << 20, &v) < 0)
			return usage_err(cmd, "invalid option or timeout");
		*t = (int)v;
	}
	return 0;
}

static int cmd_stop(struct cli *c, int argc, char **argv)
{
	int t;

	if (opt_help(argc, argv, "usage: nook stop [-t SECONDS] CONTAINER..."))
		return 0;
	if (parse_timeout("stop", argc, argv, &t))
		return EXIT_ENGINE;
	return for_each(c, argc, argv, optind, "stop", op_stop, &t, 1);
}

static int cmd_restart(struct cli *c, int argc, char **argv)
{
	int t;

	if (opt_help(argc, argv, "usage: nook restart [-t SECONDS] CONTAINER..."))
		return 0;
	if (parse_timeout("restart", argc, argv, &t))
		return EXIT_ENGINE;
	return for_each(c, argc, argv, optind, "restart", op_restart, &t, 1);
}

static int cmd_kill(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "signal", required_argument, NULL, 's' }, { 0 } };
	int sig = SIGKILL, ch;

	if (opt_help(argc, argv, "usage: nook kill [-s SIGNAL] CONTAINER..."))
		return 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:", lo, NULL)) != -1) {
		if (ch != 's' || (sig = signal_parse(optarg)) < 0)
			return usage_err("kill", "invalid signal \"%s\"", optarg ? optarg : "");
	}
	return for_each(c, argc, argv, optind, "kill", op_kill, &sig, 1);
}

static int cmd_rm(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "force", no_argument, NULL, 'f' },
					    { "volumes", no_argument, NULL, 'v' },
					    { 0 } };
	int force = 0, ch;

	if (opt_help(argc, argv, "usage: nook rm [-f] [-v] CONTAINER..."))
		return 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "fv", lo, NULL)) != -1) {
		if (ch == 'f')
			force = 1;
		else if (ch != 'v')
			return usage_err("rm", "invalid option");
	}
	return for_each(c, argc, argv, optind, "rm", op_rm, &force, 1);
}

static int cmd_simple(struct cli *c, int argc, char **argv, const char *cmd,
		      int (*op)(struct cli *, const char *, void *, struct err *), int print)
{
	char usage[128];
	int first;

	snprintf(usage, sizeof(usage), "usage: nook %s CONTAINER...", cmd);
	if (opt_help(argc, argv, usage))
		return 0;
	if ((first = no_opts(cmd, argc, argv)) < 0)
		return EXIT_ENGINE;
	return for_each(c, argc, argv, first, cmd, op, NULL, print);
}

/* ---- attach, exec, wait, logs ------------------------------------------- */

static int cmd_attach(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "detach-keys", required_argument, NULL, 'k' },
					    { "no-stdin", no_argument, NULL, 'n' },
					    { "sig-proxy", required_argument, NULL, 's' },
					    { 0 } };
	struct engine_attach at = { .in_fd = 0, .out_fd = 1, .err_fd = 2 };
	struct err e = { 0 };
	int ch, code = 0;

	if (opt_help(argc, argv, "usage: nook attach [--detach-keys KEYS] [--no-stdin] CONTAINER"))
		return 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'k')
			at.detach_keys = optarg;
		else if (ch == 'n')
			at.in_fd = -1;
		else if (ch != 's')
			return usage_err("attach", "invalid option");
	}
	if (argc - optind != 1)
		return usage_err("attach", "requires exactly 1 container");
	if (open_engine(c) < 0)
		return EXIT_ENGINE;
	at.tty = at.in_fd >= 0 && isatty(0);
	if (engine_attach(&c->en, argv[optind], &at, &code, &e) < 0)
		return report(&e);
	return code < 0 ? 0 : code;
}

static int cmd_exec(struct cli *c, int argc, char **argv)
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

	if (opt_help(argc, argv,
		     "usage: nook exec [-i] [-t] [-d] [-e K=V] [-u USER] [-w DIR] [--privileged] "
		     "[--preserve-fds N] CONTAINER COMMAND [ARG...]"))
		return 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+itde:u:w:", lo, NULL)) != -1) {
		switch (ch) {
		case 'i': o.interactive = 1; break;
		case 't': o.tty = 1; break;
		case 'd': o.detach = 1; break;
		case 'e': strv_push(&env, optarg); break;
		case 'F':
			env_file(optarg, &env, &e);
			if (e.msg[0])
				return report(&e);
			break;
		case 'u': o.user = optarg; break;
		case 'w': o.workdir = optarg; break;
		case 'P': o.privileged = 1; break;
		case 'f':
			if (parse_int(optarg, 0, 1 << 20, &v) < 0)
				return usage_err("exec", "invalid --preserve-fds \"%s\"", optarg);
			o.preserve_fds = (int)v;
			break;
		default: return usage_err("exec", "invalid option");
		}
	}
	if (argc - optind < 2)
		return usage_err("exec", "requires a container and a command");
	if (seal(c) < 0 || open_engine(c) < 0)
		return EXIT_ENGINE;
	o.argv = argv + optind + 1;
	o.env = env;
	if (engine_exec(&c->en, argv[optind], &o, &code, &e) < 0)
		return report(&e);
	if (o.detach)
		return 0;
	return code;
}

static int cmd_wait(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "condition", required_argument, NULL, 'c' },
					    { "interval", required_argument, NULL, 'i' },
					    { 0 } };
	const char *cond = NULL;
	int ch, rc = 0;

	if (opt_help(argc, argv, "usage: nook wait [--condition STATE] CONTAINER..."))
		return 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'c')
			cond = optarg;
		else if (ch != 'i')
			return usage_err("wait", "invalid option");
	}
	if (optind >= argc)
		return usage_err("wait", "requires at least 1 container");
	if (open_engine_ro(c) < 0)
		return EXIT_ENGINE;
	for (int i = optind; i < argc; i++) {
		struct err e = { 0 };
		int code = 0;

		if (engine_wait(&c->en, argv[i], cond, &code, &e) < 0) {
			rc = report(&e);
			continue;
		}
		printf("%d\n", code);
		fflush(stdout);
	}
	return rc;
}

static int cmd_logs(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "follow", no_argument, NULL, 'f' },
					    { "tail", required_argument, NULL, 'n' },
					    { "since", required_argument, NULL, 's' },
					    { "until", required_argument, NULL, 'u' },
					    { "timestamps", no_argument, NULL, 't' },
					    { 0 } };
	struct monitor_logs_opts lo2 = { .tail = -1 };
	struct err e = { 0 };
	char id[STORE_ID_LEN + 1];
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *exitp = NULL;
	int ch;
	long v;

	if (opt_help(argc, argv,
		     "usage: nook logs [-f] [--tail N] [--since T] [--until T] [-t] CONTAINER"))
		return 0;
	/* podman's logs alone takes no flags after the container (cobra's
	 * SetInterspersed(false)): `logs NAME -f` is a second container. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+fn:t", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': lo2.follow = 1; break;
		case 'n':
			if (parse_int(optarg, -1, 1L << 30, &v) < 0)
				return usage_err("logs", "invalid --tail \"%s\"", optarg);
			lo2.tail = v;
			break;
		case 's':
			if (events_parse_time(optarg, &lo2.since_ns, &e) < 0)
				return report(&e);
			break;
		case 'u':
			if (parse_until(optarg, &lo2.until_ns, &e) < 0)
				return report(&e);
			break;
		case 't': lo2.timestamps = 1; break;
		default: return usage_err("logs", "invalid option");
		}
	}
	if (argc - optind != 1)
		return usage_err("logs", "requires exactly 1 container");
	if (open_engine_ro(c) < 0)
		return EXIT_ENGINE;
	if (engine_resolve(&c->en, argv[optind], id, NULL, &e) < 0)
		return report(&e);
	dir = store_run_path(&c->en.st, id, NULL);
	exitp = store_exit_path(&c->en.st, id);
	lo2.exit_path = exitp;
	if (monitor_logs(dir, &lo2, 1, 2, &e) < 0)
		return report(&e);
	return 0;
}

/* ---- ps, inspect ------------------------------------------------------- */

/* 1 a supported filter (name=, id=, status=), 0 not. */
static int ps_filter_known(const char *f)
{
	return strncmp(f, "name=", 5) == 0 || strncmp(f, "id=", 3) == 0 ||
	       strncmp(f, "status=", 7) == 0;
}

static int ps_match(const struct engine_ps_row *r, char **filters)
{
	for (size_t i = 0; filters && filters[i]; i++) {
		const char *f = filters[i], *v = strchr(f, '=') + 1;

		if (f[0] == 'n') {
			if (!strstr(r->name, v))
				return 0;
		} else if (f[0] == 'i') {
			if (strncmp(r->id, v, strlen(v)) != 0)
				return 0;
		} else if (strcmp(r->status, v) != 0 &&
			   !(strcmp(v, "exited") == 0 && strcmp(r->status, "stopped") == 0) &&
			   !(strcmp(v, "created") == 0 && strcmp(r->status, "configured") == 0)) {
			return 0;
		}
	}
	return 1;
}

struct ps_out {
	int quiet, notrunc;
	const char *format; /* NULL: the table */
	char **filters;
	cJSON *rows; /* --format json or a template */
};

/* One row: printed at once (the table, -q) into stdout's buffer, or kept
 * for the JSON formats.  No JSON is built for the table. */
static int ps_each(const struct engine_ps_row *r, void *arg)
{
	struct ps_out *o = arg;

	if (!ps_match(r, o->filters))
		return 0;
	if (o->quiet)
		printf("%.*s\n", o->notrunc ? STORE_ID_LEN : 12, r->id);
	else if (o->format)
		cJSON_AddItemToArray(o->rows, format_ps_json(r, o->notrunc));
	else
		format_ps_line(stdout, r, o->notrunc);
	return 0;
}

static int cmd_ps(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "all", no_argument, NULL, 'a' },
					    { "quiet", no_argument, NULL, 'q' },
					    { "format", required_argument, NULL, 'f' },
					    { "filter", required_argument, NULL, 'F' },
					    { "no-trunc", no_argument, NULL, 'n' },
					    { "latest", no_argument, NULL, 'l' },
					    { 0 } };
	/* musl ignores setvbuf's size without a buffer of ours; it must
	 * outlive main's return, when stdout is flushed. */
	static char obuf[1 << 16];
	int all = 0, ch, rc;
	_cleanup_strv_ char **filters = NULL;
	struct ps_out o = { 0 };
	struct err e = { 0 };

	if (opt_help(argc, argv,
		     "usage: nook ps [-a] [-q] [--format json|TEMPLATE] [--filter "
		     "name=|id=|status=]"))
		return 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "aqf:", lo, NULL)) != -1) {
		switch (ch) {
		case 'a': all = 1; break;
		case 'q': o.quiet = 1; break;
		case 'f': o.format = optarg; break;
		case 'F':
			if (!ps_filter_known(optarg))
				return usage_err("ps", "unsupported filter (name=, id=, status=)");
			strv_push(&filters, optarg);
			break;
		case 'n': o.notrunc = 1; break;
		case 'l': break;
		default: return usage_err("ps", "invalid option");
		}
	}
	if (open_engine_ro(c) < 0)
		return EXIT_ENGINE;
	o.filters = filters;
	if (o.format && !o.quiet)
		o.rows = cJSON_CreateArray();
	else
		o.format = NULL;
	/* A thousand rows: a few large writes, not one per 1 KiB. */
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (!o.quiet && !o.format)
		format_ps_header(stdout);
	rc = engine_list_each(&c->en, all || filters, ps_each, &o, &e);
	if (rc < 0) {
		cJSON_Delete(o.rows);
		fflush(stdout);
		return report(&e);
	}
	if (o.format)
		format_ps_rows(stdout, o.format, o.rows);
	cJSON_Delete(o.rows);
	return 0;
}

static int cmd_inspect(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
					    { "type", required_argument, NULL, 't' },
					    { 0 } };
	const char *format = NULL;
	int ch, rc = 0;
	cJSON *arr = cJSON_CreateArray();

	if (opt_help(argc, argv, "usage: nook inspect [--format TEMPLATE] CONTAINER...")) {
		cJSON_Delete(arr);
		return 0;
	}
	optind = 0;
	while ((ch = getopt_long(argc, argv, "f:", lo, NULL)) != -1) {
		if (ch == 'f')
			format = optarg;
		else if (ch != 't') {
			cJSON_Delete(arr);
			return usage_err("inspect", "invalid option");
		}
	}
	if (optind >= argc) {
		cJSON_Delete(arr);
		return usage_err("inspect", "requires at least 1 container");
	}
	if (open_engine_ro(c) < 0) {
		cJSON_Delete(arr);
		return EXIT_ENGINE;
	}
	for (int i = optind; i < argc; i++) {
		struct err e = { 0 };
		cJSON *j = engine_inspect(&c->en, argv[i], &e);

		if (!j) {
			rc = report(&e);
			continue;
		}
		if (format)
			format_template(stdout, format, j);
		cJSON_AddItemToArray(arr, j);
	}
	if (!format)
		format_json(stdout, arr);
	cJSON_Delete(arr);
	return rc;
}

/* ---- mount, export, events, artifacts, batch, system --------------------- */

static int cmd_mount(struct cli *c, int argc, char **argv)
{
	int rc = 0, first;

	if (opt_help(argc, argv, "usage: nook mount CONTAINER..."))
		return 0;
	if ((first = no_opts("mount", argc, argv)) < 0)
		return EXIT_ENGINE;
	if (first >= argc)
		return usage_err("mount", "requires at least 1 container");
	if (open_engine(c) < 0)
		return EXIT_ENGINE;
	for (int i = first; i < argc; i++) {
		struct err e = { 0 };
		char *p = engine_mount(&c->en, argv[i], &e);

		if (!p) {
			rc = report(&e);
			continue;
		}
		puts(p);
		free(p);
	}
	return rc;
}

static int op_unmount(struct cli *c, const char *ref, void *arg, struct err *e)
{
	return engine_unmount(&c->en, ref, *(int *)arg, e);
}

static int cmd_unmount(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	int force = 0, ch;

	if (opt_help(argc, argv, "usage: nook unmount [-f] CONTAINER..."))
		return 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "f", lo, NULL)) != -1) {
		if (ch != 'f')
			return usage_err("unmount", "invalid option");
		force = 1;
	}
	return for_each(c, argc, argv, optind, "unmount", op_unmount, &force, 1);
}

static int cmd_export(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "output", required_argument, NULL, 'o' }, { 0 } };
	const char *out = NULL;
	struct err e = { 0 };
	_cleanup_free_ char *tmp = NULL;
	int ch, fd = 1, r;

	if (opt_help(argc, argv, "usage: nook export [-o FILE] CONTAINER"))
		return 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
		if (ch != 'o')
			return usage_err("export", "invalid option");
		out = optarg;
	}
	if (argc - optind != 1)
		return usage_err("export", "requires exactly 1 container");
	if (!out && isatty(1))
		return usage_err("export",
				 "refusing to write a tar archive to a terminal (use -o FILE)");
	if (open_engine(c) < 0)
		return EXIT_ENGINE;
	if (out) {
		/* never a half-written archive under the final name */
		tmp = xasprintf("%s.tmp", out);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			err_sys(&e, "create %s", tmp);
			return report(&e);
		}
	}
	r = engine_export(&c->en, argv[optind], fd, &e);
	if (out) {
		if (r == 0 && (fsync(fd) < 0 || rename(tmp, out) < 0))
			r = err_sys(&e, "write %s", out);
		close(fd);
		if (r < 0)
			unlink(tmp);
	}
	return r < 0 ? report(&e) : 0;
}

/* --until: podman counts a duration forward ("--until 3s": three seconds
 * from now), --since backward. */
static int parse_until(const char *s, int64_t *ns, struct err *e)
{
	struct timespec ts;
	int64_t now;

	if (events_parse_time(s, ns, e) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	/* a bare duration ("3s", "1h30m"): no date, no Unix time */
	if (strpbrk(s, "hmsun") && !strpbrk(s, "-:T") && *ns < now)
		*ns = now + (now - *ns);
	return 0;
}

static int cmd_events(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "since", required_argument, NULL, 's' },
					    { "until", required_argument, NULL, 'u' },
					    { "filter", required_argument, NULL, 'f' },
					    { "format", required_argument, NULL, 'F' },
					    { "stream", required_argument, NULL, 'S' },
					    { "no-trunc", no_argument, NULL, 'n' },
					    { 0 } };
	struct events_filter f = { 0 };
	struct err e = { 0 };
	int ch, json = 0, follow = 1, rc;

	if (opt_help(argc, argv,
		     "usage: nook events [--since T] [--until T] [--filter container=X|event=Y] "
		     "[--format json]"))
		return 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "f:", lo, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (events_parse_time(optarg, &f.since_ns, &e) < 0)
				return report(&e);
			break;
		case 'u':
			if (parse_until(optarg, &f.until_ns, &e) < 0)
				return report(&e);
			break;
		case 'f':
			if (strncmp(optarg, "container=", 10) == 0)
				strv_push(&f.containers, optarg + 10);
			else if (strncmp(optarg, "event=", 6) == 0)
				strv_push(&f.statuses, optarg + 6);
			else if (strncmp(optarg, "type=", 5) != 0) {
				strv_free(f.containers);
				strv_free(f.statuses);
				return usage_err("events",
						 "unsupported filter \"%s\" (container=, event=)",
						 optarg);
			}
			break;
		case 'F':
			json = strcmp(optarg, "json") == 0 || strcmp(optarg, "{{json .}}") == 0;
			break;
		case 'S': follow = strcmp(optarg, "false") != 0; break;
		case 'n': break;
		default: return usage_err("events", "invalid option");
		}
	}
	/* With --until in the past there is nothing to wait for. */
	if (f.until_ns) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		if (f.until_ns <= (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec)
			follow = 0;
	}
	if (open_engine(c) < 0)
		return EXIT_ENGINE;
	rc = events_print(&c->en.st, &f, follow, json, 1, &e);
	strv_free(f.containers);
	strv_free(f.statuses);
	return rc < 0 ? report(&e) : 0;
}

static int cmd_artifact(struct cli *c, int argc, char **argv)
{
	struct err e = { 0 };
	int fd;

	if (opt_help(argc, argv,
		     "usage: nook artifact add|get|rm CONTAINER NAME [FILE]\n"
		     "  add reads FILE (or stdin), get writes stdout"))
		return 0;
	if (argc < 4)
		return usage_err("artifact", "requires OPERATION CONTAINER NAME");
	if (open_engine(c) < 0)
		return EXIT_ENGINE;
	fd = strcmp(argv[1], "add") == 0 ? 0 : 1;
	if (argc > 4) {
		fd = open(argv[4],
			  strcmp(argv[1], "add") == 0 ? O_RDONLY | O_CLOEXEC
						      : O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd < 0) {
			err_sys(&e, "open %s", argv[4]);
			return report(&e);
		}
	}
	if (engine_artifact(&c->en, argv[2], argv[1], argv[3], fd, &e) < 0)
		return report(&e);
	return 0;
}

static int cmd_batch(struct cli *c, int argc, char **argv)
{
	struct err e = { 0 };

	if (opt_help(argc, argv,
		     "usage: nook batch CONTAINER OP...\n"
		     "  OP: init start kill[:SIG] pause unpause sync cleanup, run in order under "
		     "one lock"))
		return 0;
	if (argc < 3)
		return usage_err("batch", "requires a container and at least one operation");
	if (open_engine(c) < 0)
		return EXIT_ENGINE;
	if (engine_batch(&c->en, argv[1], argv + 2, &e) < 0)
		return report(&e);
	return 0;
}

static int cmd_system(struct cli *c, int argc, char **argv)
{
	struct err e = { 0 };

	if (argc >= 2 && strcmp(argv[1], "refresh") == 0) {
		int first;

		if (opt_help(argc - 1, argv + 1,
			     "usage: nook system refresh\n"
			     "  at boot: after a reboot (a new boot id) reset every container's "
			     "runtime\n"
			     "  state, then start those whose restart policy asks for it"))
			return 0;
		first = no_opts("system refresh", argc - 1, argv + 1);
		if (first < 0)
			return EXIT_ENGINE;
		if (first < argc - 1)
			return usage_err("system refresh", "takes no arguments");
		if (open_engine(c) < 0)
			return EXIT_ENGINE;
		if (engine_refresh(&c->en, &e) < 0)
			return report(&e);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "service") == 0) {
#ifndef NOOK_NO_API
		return api_service_main(c->root, c->runroot, argc - 1, argv + 1);
#else
		fprintf(stderr, "Error: system service: not in this build of nook (it was "
				"built with NOOK_API=0)\n");
		return EXIT_ENGINE;
#endif
	}
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return syscheck_main(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		puts("usage: nook system refresh|service|check [OPTIONS]\n"
		     "  refresh   after a reboot: reset the containers, start those that should "
		     "run\n"
		     "  service   the API service (http_attach) on a unix socket\n"
		     "  check     what this kernel offers nook");
		return 0;
	}
	return usage_err("system", "unknown subcommand (refresh, service, check)");
}

static int not_implemented(const char *cmd, int argc, char **argv)
{
	if (opt_help(
		    argc, argv,
		    strcmp(cmd, "checkpoint") == 0
			    ? "usage: nook checkpoint CONTAINER\n  checkpoint a container with "
			      "CRIU: "
			      "not implemented yet in nook (an error, exit 125)"
			    : "usage: nook restore CONTAINER\n  restore a container with CRIU: not "
			      "implemented yet in nook (an error, exit 125)"))
		return 0;
	fprintf(stderr,
		"Error: %s: not implemented yet in nook (needs CRIU support: a later release)\n",
		cmd);
	return EXIT_ENGINE;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "usage: nook [--root DIR] [--runroot DIR] COMMAND [OPTIONS]\n"
		   "Containers for small Linux systems: podman's lifecycle in one binary.\n\n"
		   "  create, run, init, start, stop, restart, kill, pause, unpause, rm\n"
		   "  ps, inspect, wait, logs, attach, exec, mount, unmount, export\n"
		   "  events, cleanup, sync, batch, artifact, system refresh|service\n"
		   "  runtime ...    the runc-compatible OCI runtime (also as nook-runtime)\n"
		   "  version\n\n"
		   "  --root DIR     persistent state (default /var/lib/nook, $NOOK_ROOT)\n"
		   "  --runroot DIR  volatile state (default /run/nook, $NOOK_RUNROOT)\n"
		   "'nook COMMAND --help' for a command's options.\n");
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
	const char *cmd;
	int ch, rc;

	/* "runtime": the runtime re-executed itself from a sealed memfd with
	 * the argv it was given (see oci_reexec_sealed). */
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
			log_setup(2, 0, strcmp(optarg, "debug") == 0 ? LOG_DEBUG : LOG_WARN);
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
	cmd = argv[optind];
	argc -= optind;
	argv += optind;

	if (strcmp(cmd, "create") == 0)
		rc = cmd_create(&c, argc, argv);
	else if (strcmp(cmd, "run") == 0)
		rc = cmd_run(&c, argc, argv);
	else if (strcmp(cmd, "init") == 0)
		rc = cmd_simple(&c, argc, argv, "init", op_init, 1);
	else if (strcmp(cmd, "start") == 0)
		rc = cmd_start(&c, argc, argv);
	else if (strcmp(cmd, "stop") == 0)
		rc = cmd_stop(&c, argc, argv);
	else if (strcmp(cmd, "restart") == 0)
		rc = cmd_restart(&c, argc, argv);
	else if (strcmp(cmd, "kill") == 0)
		rc = cmd_kill(&c, argc, argv);
	else if (strcmp(cmd, "pause") == 0)
		rc = cmd_simple(&c, argc, argv, "pause", op_pause, 1);
	else if (strcmp(cmd, "unpause") == 0)
		rc = cmd_simple(&c, argc, argv, "unpause", op_unpause, 1);
	else if (strcmp(cmd, "rm") == 0)
		rc = cmd_rm(&c, argc, argv);
	else if (strcmp(cmd, "cleanup") == 0)
		rc = cmd_simple(&c, argc, argv, "cleanup", op_cleanup, 0);
	else if (strcmp(cmd, "sync") == 0)
		rc = cmd_simple(&c, argc, argv, "sync", op_sync, 0);
	else if (strcmp(cmd, "ps") == 0)
		rc = cmd_ps(&c, argc, argv);
	else if (strcmp(cmd, "inspect") == 0)
		rc = cmd_inspect(&c, argc, argv);
	else if (strcmp(cmd, "wait") == 0)
		rc = cmd_wait(&c, argc, argv);
	else if (strcmp(cmd, "logs") == 0)
		rc = cmd_logs(&c, argc, argv);
	else if (strcmp(cmd, "attach") == 0)
		rc = cmd_attach(&c, argc, argv);
	else if (strcmp(cmd, "exec") == 0)
		rc = cmd_exec(&c, argc, argv);
	else if (strcmp(cmd, "mount") == 0)
		rc = cmd_mount(&c, argc, argv);
	else if (strcmp(cmd, "unmount") == 0 || strcmp(cmd, "umount") == 0)
		rc = cmd_unmount(&c, argc, argv);
	else if (strcmp(cmd, "export") == 0)
		rc = cmd_export(&c, argc, argv);
	else if (strcmp(cmd, "events") == 0)
		rc = cmd_events(&c, argc, argv);
	else if (strcmp(cmd, "artifact") == 0)
		rc = cmd_artifact(&c, argc, argv);
	else if (strcmp(cmd, "batch") == 0)
		rc = cmd_batch(&c, argc, argv);
	else if (strcmp(cmd, "system") == 0)
		rc = cmd_system(&c, argc, argv);
	else if (strcmp(cmd, "checkpoint") == 0 || strcmp(cmd, "restore") == 0)
		rc = not_implemented(cmd, argc, argv);
	else if (strcmp(cmd, "version") == 0) {
		printf("nook version %s\n", NOOK_VERSION);
		rc = 0;
	} else if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		rc = 0;
	} else {
		if (strcmp(cmd, "runtime") == 0) /* after --root/--runroot */
			fprintf(stderr,
				"Error: runtime: give it first, with its own options: "
				"nook runtime [--root DIR] COMMAND (see 'nook runtime --help')\n");
		else
			fprintf(stderr, "Error: unknown command \"%s\" (see 'nook --help')\n", cmd);
		rc = EXIT_ENGINE;
	}
	if (c.opened)
		engine_close(&c.en);
	return rc;
}
