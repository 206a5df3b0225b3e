// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runtime-info: the commands of the runc command line that read or
 * adjust but do not change the lifecycle: state, ps, list, update, spec,
 * features.  Their output is parsed by callers (containerd, podman):
 * formats follow runc's.
 */
#include "oci/runtime-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/magic.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "oci/cgroup.h"
#include "oci/seccomp.h"
#include "oci/validate.h"

int rt_cmd_state(struct rt *rt, int argc, char **argv)
{
	struct state st;
	struct err e = { 0 };

	if (argc != 2)
		return rt_usage_error("state", "requires exactly 1 argument: the container id");
	if (rt_state_load(rt, argv[1], &st, &e) < 0)
		return rt_fail(&e);
	rt_print_json(rt_state_json(rt, &st, rt_state_status(rt, &st)));
	rt_state_free(&st);
	return 0;
}

/* ---- ps, list ---------------------------------------------------------- */

/* The output of `ps ARGS` (runc's default "-ef"), allocated; NULL and
 * e set when it could not run or failed. */
static char *ps_output(char **args, struct err *e)
{
	_cleanup_strv_ char **av = NULL;
	char *out, path[32];
	int p[2], status;
	pid_t pid;

	strv_push(&av, "ps");
	if (!args[0])
		strv_push(&av, "-ef");
	for (size_t i = 0; args[i]; i++)
		strv_push(&av, args[i]);
	if (pipe2(p, O_CLOEXEC) < 0) {
		err_sys(e, "pipe");
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		err_sys(e, "fork");
		return NULL;
	}
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execvp("ps", av);
		_exit(127);
	}
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	out = file_read(path, NULL, e);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		err_set(e, 0, "ps: exit status %d: %s",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
		free(out);
		return NULL;
	}
	return out;
}

/* runc's table: the header of `ps ARGS` and its lines whose PID column
 * is one of pids. */
static int ps_table(char **args, const pid_t *pids, size_t n)
{
	_cleanup_free_ char *out = NULL;
	struct err e = { 0 };
	char *line, *next;
	int col = -1;

	out = ps_output(args, &e);
	if (!out)
		return rt_fail(&e);
	for (line = out; line && *line; line = next) {
		_cleanup_free_ char *copy = NULL;
		char *tok, *sp = NULL;
		long pid = -1;
		int i = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		copy = xstrdup(line);
		for (tok = strtok_r(copy, " \t", &sp); tok; tok = strtok_r(NULL, " \t", &sp), i++) {
			if (col < 0 && strcmp(tok, "PID") == 0)
				col = i;
			else if (i == col)
				pid = strtol(tok, NULL, 10);
		}
		if (line == out) {
			if (col < 0) {
				err_set(&e, 0, "couldn't find PID field in ps output");
				return rt_fail(&e);
			}
			puts(line);
			continue;
		}
		for (size_t k = 0; k < n; k++)
			if (pids[k] == pid) {
				puts(line);
				break;
			}
	}
	return 0;
}

int rt_cmd_ps(struct rt *rt, int argc, char **argv)
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
	} else if (rt_pid_alive(&st)) {
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
	return ps_table(argv + optind + 1, pids, n);
}

/* The user name of uid in the host's /etc/passwd, else "#UID" (runc's
 * owner column). */
static void owner_name(uid_t uid, char *out, size_t len)
{
	_cleanup_free_ char *pw = file_read("/etc/passwd", NULL, NULL);
	char *line, *next;

	snprintf(out, len, "#%u", (unsigned)uid);
	for (line = pw; line && *line; line = next) {
		char *c1, *c2;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 && strtoul(c2 + 1, NULL, 10) == uid && c2[1] != ':') {
			*c1 = '\0';
			snprintf(out, len, "%s", line);
			return;
		}
	}
}

/* A list row as runc's: created in Go's RFC3339Nano (no trailing zeros
 * in the fraction), owner = who owns the state directory. */
static void list_fix_row(cJSON *j, uid_t uid)
{
	const char *created = rt_jstr(j, "created");
	char owner[64], buf[64];

	if (created && strlen(created) < sizeof(buf)) {
		char *dot, *z;

		strcpy(buf, created);
		dot = strchr(buf, '.');
		z = dot ? strpbrk(dot, "Z+-") : NULL;
		if (z) {
			char *end = z;

			while (end > dot + 1 && end[-1] == '0')
				end--;
			if (end == dot + 1)
				end = dot;
			memmove(end, z, strlen(z) + 1);
			cJSON_ReplaceItemInObject(j, "created", cJSON_CreateString(buf));
		}
	}
	owner_name(uid, owner, sizeof(owner));
	cJSON_ReplaceItemInObject(j, "owner", cJSON_CreateString(owner));
}

/* runc's table: Go's tabwriter with minwidth 12, padding 3: each column
 * but the last is as wide as its widest cell + 3, at least 12. */
static void list_table(const cJSON *arr)
{
	static const char *const head[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
	static const char *const keys[] = { "id", "pid", "status", "bundle", "created", "owner" };
	size_t w[6];
	const cJSON *it;

	for (int c = 0; c < 6; c++)
		w[c] = strlen(head[c]);
	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			for (int c = 0; c < 5; c++)
				printf("%-*s", (int)(w[c] + 3 < 12 ? 12 : w[c] + 3), head[c]);
			printf("%s\n", head[5]);
		}
		cJSON_ArrayForEach (it, arr) {
			for (int c = 0; c < 6; c++) {
				const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, keys[c]);
				char num[24];
				const char *t = num;
				int width = (int)(w[c] + 3 < 12 ? 12 : w[c] + 3);

				if (cJSON_IsNumber(v))
					snprintf(num, sizeof(num), "%d", (int)v->valuedouble);
				else
					t = cJSON_IsString(v) ? v->valuestring : "";
				if (!pass && strlen(t) > w[c])
					w[c] = strlen(t);
				else if (pass && c < 5)
					printf("%-*s", width, t);
				else if (pass)
					printf("%s\n", t);
			}
		}
	}
}

int rt_cmd_list(struct rt *rt, int argc, char **argv)
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
	/* runc: no default root yet is no containers; a --root that is
	 * not there is an error */
	if (!d && (errno != ENOENT || strcmp(rt->root, RT_DEFAULT_ROOT) != 0)) {
		struct err e = { 0 };

		cJSON_Delete(arr);
		err_sys(&e, "open %s", rt->root);
		return rt_fail(&e);
	}
	while (d && (de = readdir(d))) {
		struct state st;
		struct stat sb;
		cJSON *j;

		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &sb, 0) < 0 ||
		    rt_state_load(rt, de->d_name, &st, NULL) < 0)
			continue;
		j = rt_state_json(rt, &st, rt_state_status(rt, &st));
		list_fix_row(j, sb.st_uid);
		cJSON_AddItemToArray(arr, j);
		rt_state_free(&st);
	}
	if (d)
		closedir(d);
	if (quiet) {
		const cJSON *it;

		cJSON_ArrayForEach (it, arr)
			puts(rt_jstr(it, "id"));
	} else if (strcmp(format, "json") == 0) {
		/* Go's encoder: one line, and null for no containers */
		char *t = cJSON_GetArraySize(arr) ? cJSON_PrintUnformatted(arr) : NULL;

		puts(t ? t : "null");
		free(t);
	} else {
		list_table(arr);
	}
	cJSON_Delete(arr);
	return 0;
}

/* ---- update, spec, features ----------------------------------------------- */

int rt_cmd_update(struct rt *rt, int argc, char **argv)
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

int rt_cmd_spec(struct rt *rt, int argc, char **argv)
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

int rt_cmd_features(struct rt *rt, int argc, char **argv)
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
	cJSON_AddStringToObject(j, "ociVersionMax", RT_OCI_VERSION);
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
	rt_print_json(j);
	return 0;
}
