// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-create: `nook create` and `nook run`: their flags, the defaults file
 * for new containers (engine/conf) read as flags before the command's own,
 * and -e/--env-file, which exec shares.
 *
 * optarg points into argv and into the defaults file's lines: both live as
 * long as the command, and so do the strings in engine_create_opts.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>

#include "engine/cli.h"
#include "engine/network.h"
#include "engine/conf.h"
#include "oci/log.h"

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
			    (i != RESTART_ON_FAILURE || cli_parse_int(colon + 1, 0, 1 << 20, &max)))
				return -1;
			o->restart_max = (int)max;
			return 0;
		}
	}
	return -1;
}

void cli_env_add(char ***env, const char *arg)
{
	const char *v;
	char *kv;

	if (strchr(arg, '=')) {
		strv_push(env, arg);
		return;
	}
	v = getenv(arg);
	if (!v)
		return;
	kv = xasprintf("%s=%s", arg, v);
	strv_push(env, kv);
	free(kv);
}

void cli_env_file(const char *path, char ***env, struct err *e)
{
	_cleanup_free_ char *text = file_read(path, NULL, e);
	char *save = NULL;

	if (!text)
		return;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l && *l != '#')
			cli_env_add(env, l);
	}
}

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
	OPT_ENTRYPOINT,
	OPT_MOUNT,
	OPT_PULL,
	OPT_IP,
	OPT_MAC,
	OPT_DNS,
	OPT_DNSSEARCH,
	OPT_DNSOPT,
	OPT_ADDHOST,
};

static const struct option create_opts[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "rootfs", no_argument, NULL, OPT_ROOTFS },
	{ "env", required_argument, NULL, 'e' },
	{ "env-file", required_argument, NULL, OPT_ENVFILE },
	{ "volume", required_argument, NULL, 'v' },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "mount", required_argument, NULL, OPT_MOUNT },
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
	{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
	{ "pull", required_argument, NULL, OPT_PULL },
	{ "publish", required_argument, NULL, 'p' },
	{ "publish-all", no_argument, NULL, 'P' },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "mac-address", required_argument, NULL, OPT_MAC },
	{ "dns", required_argument, NULL, OPT_DNS },
	{ "dns-search", required_argument, NULL, OPT_DNSSEARCH },
	{ "dns-option", required_argument, NULL, OPT_DNSOPT },
	{ "add-host", required_argument, NULL, OPT_ADDHOST },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static const char create_help[] =
	"usage: nook %s [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	"       nook %s [OPTIONS] --rootfs DIR[:O] [COMMAND [ARG...]]\n"
	"  --name NAME            a name (default nook_<id>)\n"
	"  --rootfs               the first argument is the root filesystem directory\n"
	"  --entrypoint CMD|JSON  replaces the image's entrypoint (and its command)\n"
	"  --pull missing|always|never  pull the image (default: when the store lacks it);\n"
	"                         -q, --quiet: without the pull's progress lines\n"
	"  -e, --env K=V          environment (repeatable); --env-file FILE\n"
	"  -v, --volume /SRC:/DST[:ro]  a bind mount; VOLUME:/DST[:ro,nocopy] a volume\n"
	"                         (made when missing); /DST a new anonymous volume\n"
	"  --mount type=bind|volume|tmpfs,src=SRC,dst=/DST[,ro][,tmpfs-size=SIZE]\n"
	"  --tmpfs DST[:OPTS]\n"
	"  -w, --workdir DIR      -u, --user UID[:GID]|NAME[:GROUP]   --hostname NAME\n"
	"  -i, --interactive      keep stdin open;  -t, --tty  allocate a terminal\n"
	"  -d, --detach           (run) print the id and leave it running\n"
	"  --rm                   remove the container when it exits\n"
	"  --cap-add CAP, --cap-drop CAP (ALL works), --privileged, --read-only\n"
	"  --security-opt seccomp=FILE|unconfined, --security-opt no-new-privileges,\n"
	"  --security-opt apparmor=PROFILE|unconfined (refused without AppArmor)\n"
	"  -m, --memory SIZE, --pids-limit N, --cpus N   (cgroup v2 limits)\n"
	"  --restart no|on-failure[:N]|always|unless-stopped\n"
	"  --requires CTR,...     containers that must run first\n"
	"  --stop-signal SIG, --stop-timeout SECONDS, --log-size-max SIZE\n"
	"  --network bridge|NAME[,NAME]|none|host|ns:PATH|container:CTR  (default bridge:\n"
	"                         the network \"nook\")\n"
	"  -p, --publish [IP:][HOSTPORT:]CTRPORT[/tcp|udp]  (ranges A-B too); -P, --publish-all\n"
	"  --ip IP, --mac-address MAC   fixed address on the first network\n"
	"  --dns IP, --dns-search DOMAIN, --dns-option OPT, --add-host NAME:IP\n"
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
	strv_free(o->entrypoint);
	strv_free(o->ports);
	strv_free(o->dns);
	strv_free(o->dns_search);
	strv_free(o->dns_opt);
	strv_free(o->add_hosts);
	for (size_t i = 0; i < o->n_mounts; i++) {
		free(o->mounts[i].src);
		free(o->mounts[i].dst);
	}
	free(o->mounts);
}

static void push_mount(struct engine_create_opts *o, const struct mount_opt *m)
{
	o->mounts = xrealloc(o->mounts, (o->n_mounts + 1) * sizeof(*m));
	o->mounts[o->n_mounts++] = *m;
}

/* --tmpfs DST[:OPTIONS] */
static int add_tmpfs(struct engine_create_opts *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	struct mount_opt m = { .kind = MOUNT_TMPFS };

	if (arg[0] != '/')
		return -1;
	m.dst = xasprintf("%.*s", (int)(colon ? colon - arg : (int)strlen(arg)), arg);
	m.src = colon ? xstrdup(colon + 1) : NULL;
	push_mount(o, &m);
	return 0;
}

/* -v SRC:DST[:OPTIONS], SRC a host path ("/..." or "./...") or a volume's
 * name; -v DST alone: a new anonymous volume.  OPTIONS: ro, rw, z, Z,
 * nocopy, comma-separated. */
static int add_volume(struct engine_create_opts *o, const char *arg)
{
	_cleanup_free_ char *a = xstrdup(arg);
	struct mount_opt m = { .kind = MOUNT_VOLUME };
	char *dst = strchr(a, ':'), *opts = NULL, *save = NULL;

	if (dst) {
		*dst++ = '\0';
		opts = strchr(dst, ':');
		if (opts)
			*opts++ = '\0';
		if (!*a)
			return -1;
		if (a[0] == '/' || a[0] == '.')
			m.kind = MOUNT_BIND;
	} else {
		dst = a;
	}
	if (dst[0] != '/')
		return -1;
	for (char *t = opts ? strtok_r(opts, ",", &save) : NULL; t;
	     t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "ro"))
			m.ro = 1;
		else if (!strcmp(t, "nocopy"))
			m.nocopy = 1;
		else if (strcmp(t, "rw") && strcmp(t, "z") && strcmp(t, "Z"))
			return -1;
	}
	m.src = dst != a ? xstrdup(a) : NULL;
	m.dst = xstrdup(dst);
	push_mount(o, &m);
	return 0;
}

/* --mount type=bind|volume|tmpfs,src=,dst=[,ro][,tmpfs-size=][,tmpfs-mode=]:
 * NULL, or what is wrong. */
static const char *add_mount(struct engine_create_opts *o, const char *arg)
{
	_cleanup_free_ char *a = xstrdup(arg), *src = NULL, *dst = NULL, *size = NULL, *mode = NULL;
	struct mount_opt m = { .kind = -1 };
	char *save = NULL;

	for (char *t = strtok_r(a, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *v = strchr(t, '=');

		if (v)
			*v++ = '\0';
		if (!strcmp(t, "type") && v) {
			m.kind = !strcmp(v, "bind")	? MOUNT_BIND
				 : !strcmp(v, "volume") ? MOUNT_VOLUME
				 : !strcmp(v, "tmpfs")	? MOUNT_TMPFS
							: -2;
		} else if ((!strcmp(t, "src") || !strcmp(t, "source")) && v) {
			free(src);
			src = xstrdup(v);
		} else if ((!strcmp(t, "dst") || !strcmp(t, "destination") ||
			    !strcmp(t, "target")) &&
			   v) {
			free(dst);
			dst = xstrdup(v);
		} else if (!strcmp(t, "ro") || !strcmp(t, "readonly")) {
			if (v && strcmp(v, "true") && strcmp(v, "false"))
				return "ro takes true or false";
			m.ro = !v || !strcmp(v, "true");
		} else if (!strcmp(t, "rw") && !v) {
			m.ro = 0;
		} else if (!strcmp(t, "nocopy") || !strcmp(t, "volume-nocopy")) {
			m.nocopy = 1;
		} else if (!strcmp(t, "tmpfs-size") && v) {
			free(size);
			size = xstrdup(v);
		} else if (!strcmp(t, "tmpfs-mode") && v) {
			free(mode);
			mode = xstrdup(v);
		} else {
			return "unknown option (type, src, dst, ro, nocopy, tmpfs-size, "
			       "tmpfs-mode)";
		}
	}
	if (m.kind < 0)
		return "type=bind, type=volume or type=tmpfs is required";
	if (!dst || dst[0] != '/')
		return "dst=/PATH is required";
	if (m.kind == MOUNT_BIND && (!src || !*src))
		return "type=bind requires src=PATH";
	if (m.kind == MOUNT_TMPFS && src)
		return "type=tmpfs takes no src";
	if (m.kind != MOUNT_TMPFS && (size || mode))
		return "tmpfs-size and tmpfs-mode are for type=tmpfs";
	if (m.kind == MOUNT_TMPFS)
		src = xasprintf("%s,nosuid,nodev%s%s%s%s", m.ro ? "ro" : "rw", size ? ",size=" : "",
				size ?: "", mode ? ",mode=" : "", mode ?: "");
	m.src = steal_ptr(src);
	m.dst = steal_ptr(dst);
	push_mount(o, &m);
	return NULL;
}

/* --entrypoint: a JSON array of strings, or one command ("" for none). */
static char **parse_entrypoint(const char *arg)
{
	char **v = xcalloc(1, sizeof(char *));
	cJSON *j, *x;

	if (arg[0] != '[') {
		if (*arg)
			strv_push(&v, arg);
		return v;
	}
	j = cJSON_Parse(arg);
	if (!cJSON_IsArray(j)) {
		cJSON_Delete(j);
		strv_free(v);
		return NULL;
	}
	cJSON_ArrayForEach (x, j) {
		if (!cJSON_IsString(x)) {
			cJSON_Delete(j);
			strv_free(v);
			return NULL;
		}
		strv_push(&v, x->valuestring);
	}
	cJSON_Delete(j);
	return v;
}

/* create/run flags into o and rf; optind is left at the first
 * positional.  Called for the defaults file's flags, then the command's:
 * what the command says last wins. */
/* create_flags' second half: limits, restart and stop, network, pull,
 * and the rest; 0 or cli_usage_err's code. */
static int create_flag_more(const char *cmd, int c, struct engine_create_opts *o,
			    struct run_flags *rf)
{
	long v;
	int64_t sz;

	switch (c) {
	case 'm':
		if (parse_size(optarg, &sz) < 0 || sz <= 0)
			return cli_usage_err(cmd, "invalid --memory \"%s\" (e.g. 64m)", optarg);
		o->memory = sz;
		break;
	case OPT_PIDS:
		if (cli_parse_int(optarg, -1, 1 << 30, &v) < 0)
			return cli_usage_err(cmd, "invalid --pids-limit \"%s\"", optarg);
		o->pids_limit = v;
		break;
	case OPT_CPUS: {
		char *end;

		o->cpus = strtod(optarg, &end);
		if (*end || end == optarg || o->cpus < 0 || isnan(o->cpus))
			return cli_usage_err(cmd, "invalid --cpus \"%s\"", optarg);
		break;
	}
	case OPT_RESTART:
		if (parse_restart(optarg, o) < 0)
			return cli_usage_err(cmd,
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
			return cli_usage_err(cmd, "invalid --stop-signal \"%s\"", optarg);
		break;
	case OPT_STOPTO:
		if (cli_parse_int(optarg, 0, 1 << 20, &v) < 0)
			return cli_usage_err(cmd, "invalid --stop-timeout \"%s\"", optarg);
		o->stop_timeout = (int)v;
		break;
	case OPT_LOGSIZE: {
		const char *val = strncmp(optarg, "max-size=", 9) == 0 ? optarg + 9 : optarg;

		if (parse_size(val, &sz) < 0 || sz < 4096)
			return cli_usage_err(cmd, "invalid log size \"%s\" (at least 4k)", optarg);
		o->log_size_max = (uint64_t)sz;
		break;
	}
	case OPT_NETWORK:
		if (!net_mode_valid(optarg))
			return cli_usage_err(cmd,
					     "invalid --network \"%s\" (bridge, none, host, "
					     "NAME[,NAME], ns:PATH, container:CTR)",
					     optarg);
		o->network = optarg;
		break;
	case 'p': strv_push(&o->ports, optarg); break;
	case 'P': o->publish_all = 1; break;
	case OPT_IP: o->ip = optarg; break;
	case OPT_MAC: o->mac = optarg; break;
	case OPT_DNS: strv_push(&o->dns, optarg); break;
	case OPT_DNSSEARCH: strv_push(&o->dns_search, optarg); break;
	case OPT_DNSOPT: strv_push(&o->dns_opt, optarg); break;
	case OPT_ADDHOST: strv_push(&o->add_hosts, optarg); break;
	case OPT_RM: o->auto_remove = 1; break;
	case OPT_PULL:
		if (!strcmp(optarg, "missing"))
			o->pull = PULL_MISSING;
		else if (!strcmp(optarg, "always"))
			o->pull = PULL_ALWAYS;
		else if (!strcmp(optarg, "never"))
			o->pull = PULL_NEVER;
		else
			return cli_usage_err(cmd, "invalid --pull \"%s\" (missing, always, never)",
					     optarg);
		break;
	case 'q': o->pull_progress = NULL; break;
	case OPT_ANNOT: strv_push(&o->annotations, optarg); break;
	case OPT_DETACHKEYS: rf->detach_keys = optarg; break;
	case OPT_ULIMIT: break; /* accepted for podman compatibility */
	case 'h': printf(create_help, cmd, cmd); exit(0);
	default: return cli_usage_err(cmd, "invalid option");
	}
	return 0;
}

static int create_flags(const char *cmd, int argc, char **argv, struct engine_create_opts *o,
			struct run_flags *rf, int *rootfs_flag)
{
	int c;
	struct err e = { 0 };

	optind = 0;
	while ((c = getopt_long(argc, argv, "+e:v:w:u:itdm:hqp:P", create_opts, NULL)) != -1) {
		int r;

		switch (c) {
		case OPT_NAME: o->name = optarg; break;
		case OPT_ROOTFS: *rootfs_flag = 1; break;
		case OPT_ENTRYPOINT:
			strv_free(o->entrypoint);
			o->entrypoint = parse_entrypoint(optarg);
			if (!o->entrypoint)
				return cli_usage_err(
					cmd,
					"invalid --entrypoint '%s' (a command, or a JSON "
					"array of strings)",
					optarg);
			break;
		case 'e': cli_env_add(&o->env, optarg); break;
		case OPT_ENVFILE:
			cli_env_file(optarg, &o->env, &e);
			if (e.msg[0])
				return cli_usage_err(cmd, "--env-file %s: %s", optarg,
						     strerror(e.errnum));
			break;
		case 'v':
			if (add_volume(o, optarg) < 0)
				return cli_usage_err(cmd,
						     "invalid --volume \"%s\" (want /SRC:/DST, "
						     "VOLUME:/DST or /DST, then :ro, :nocopy)",
						     optarg);
			break;
		case OPT_MOUNT: {
			const char *why = add_mount(o, optarg);

			if (why)
				return cli_usage_err(cmd, "invalid --mount \"%s\": %s", optarg,
						     why);
			break;
		}
		case OPT_TMPFS:
			if (add_tmpfs(o, optarg) < 0)
				return cli_usage_err(cmd,
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
			else if (strncmp(optarg, "apparmor=", 9) == 0)
				o->apparmor =
					strcmp(optarg + 9, "unconfined") == 0 ? NULL : optarg + 9;
			else if (strncmp(optarg, "label=", 6) != 0)
				return cli_usage_err(cmd, "unsupported --security-opt \"%s\"",
						     optarg);
			break;
		default:
			r = create_flag_more(cmd, c, o, rf);
			if (r)
				return r;
			break;
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
	o->pull_progress = stderr;
	strv_free(conf);
	if (conf_load(NULL, &conf, &lines, &e) < 0) {
		fprintf(stderr, "Error: %s: defaults for new containers: %s\n", cmd, e.msg);
		return EXIT_ENGINE;
	}
	for (size_t i = 0; conf && conf[i]; i++) {
		char at[PATH_MAX + 16], *one[] = { (char *)cmd, conf[i], NULL };
		int r;

		snprintf(at, sizeof(at), "%s:%u", conf_path(), lines[i]);
		cli_conf_at = at;
		r = create_flags(cmd, 2, one, o, rf, &rootfs_flag);
		cli_conf_at = NULL;
		if (r)
			return r;
	}
	if (create_flags(cmd, argc, argv, o, rf, &rootfs_flag))
		return EXIT_ENGINE;
	if (optind >= argc)
		return cli_usage_err(cmd, rootfs_flag ? "--rootfs: a directory is required"
						      : "an image (or --rootfs DIR) is required");
	if (rootfs_flag)
		o->rootfs = argv[optind++];
	else
		o->image = argv[optind++];
	o->argv = optind < argc ? argv + optind : NULL;
	if (o->auto_remove && o->restart != RESTART_NO)
		return cli_usage_err(cmd, "--rm and --restart cannot be used together");
	return 0;
}

/* create and run: the flags, then the container, its id into id.  0, and
 * o is the caller's to free; else the exit code, o freed. */
static int create_one(struct cli *c, const char *cmd, int argc, char **argv,
		      struct engine_create_opts *o, struct run_flags *rf, char id[STORE_ID_LEN + 1])
{
	struct err e = { 0 };

	if (parse_create(cmd, argc, argv, o, rf) || cli_open(c) < 0) {
		free_create_opts(o);
		return EXIT_ENGINE;
	}
	timing_mark("engine: parse, open store");
	if (engine_create(&c->en, o, id, &e) < 0) {
		free_create_opts(o);
		return cli_report(&e);
	}
	timing_mark("engine: create");
	return 0;
}

int cli_cmd_create(struct cli *c, int argc, char **argv)
{
	struct engine_create_opts o;
	struct run_flags rf;
	char id[STORE_ID_LEN + 1];
	int rc = create_one(c, "create", argc, argv, &o, &rf, id);

	if (rc)
		return rc;
	free_create_opts(&o);
	puts(id);
	return 0;
}

int cli_cmd_run(struct cli *c, int argc, char **argv)
{
	struct engine_create_opts o;
	struct run_flags rf;
	struct err e = { 0 };
	char id[STORE_ID_LEN + 1];
	int r, code = create_one(c, "run", argc, argv, &o, &rf, id);

	if (code)
		return code;
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

		/* --rm: removed by us when it exits; its monitor runs no
		 * cleanup of its own unless we die first */
		if (o.auto_remove)
			c->en.removes = id;
		r = engine_start(&c->en, id, 1, &at, &code, &e);
		timing_mark("engine: start, attach, exit");
		/* --rm: gone when run returns (if we die before, the
		 * monitor's cleanup removes it) */
		if (r == 0 && o.auto_remove && code >= 0) {
			struct err ignored;

			engine_remove(&c->en, id, ENGINE_RM_FORCE, &ignored);
			timing_mark("engine: remove");
		}
	}
	if (r < 0) {
		code = cli_report(&e);
		/* a run that could not start leaves nothing behind with --rm */
		if (o.auto_remove) {
			struct err ignored;

			engine_remove(&c->en, id, ENGINE_RM_FORCE, &ignored);
		}
	}
	free_create_opts(&o);
	return code < 0 ? 0 : code;
}
