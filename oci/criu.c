// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * criu: checkpoint and restore through the `criu` program (see criu.h).
 *
 * Every run of criu gets a fresh argv built here, its log in the work
 * directory, and stdio on /dev/null: what goes wrong is read back from
 * the log (its first "Error (" line), so a caller's error names it in one
 * line.  Nothing here keeps state between calls.
 *
 * What is declared external, and why:
 *  - every bind mount of the spec (its source is outside the container's
 *    mount namespace): key = destination at the dump, mapped to the
 *    source at the restore (runc does the same);
 *  - the container's network namespace, key "extRootNetNS" (see netns()).
 * Cgroups are left to us (--manage-cgroups=ignore): the restore runs criu
 * inside the container's new cgroup, so the tree it forks lands there.
 */
#include "oci/criu.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "oci/linux.h"
#include "oci/log.h"
#include "oci/sys.h"

#define NETNS_KEY "extRootNetNS"
#define FD_BASE 10 /* criu's inherited fds are put from here */

extern char **environ;

static int not_installed(struct err *e)
{
	return err_setk(e, ERRK_DEPENDENCY, 0,
			"checkpoint/restore needs the criu program, which is not installed");
}

/* What criu said went wrong: the first of its "Error (file:line): what"
 * lines that says more than that a helper exited (the helper's own words
 * come before it, the cause's consequences after it), as "what". */
static void log_error(const char *log, char *out, size_t len)
{
	_cleanup_free_ char *text = file_read(log, NULL, NULL);
	char *save = NULL;

	out[0] = '\0';
	if (!text)
		return;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *m = strstr(l, "Error (");

		if (!m || !(m = strstr(m, "): ")))
			continue;
		m += 3;
		if (strncmp(m, "exited, status=", 15) == 0)
			continue;
		snprintf(out, len, "%s", m);
		return;
	}
}

struct run {
	char **argv;
	const char *log; /* criu's -o, read on failure */
	const char *what; /* "dump", "restore" */
	/* restore: set up in the child before the exec */
	const char *cgroup; /* join this cgroup2 directory */
	const char *rootfs; /* bind onto itself in a private mount ns */
	int fds[8]; /* put on FD_BASE + i; -1: the new netns's slot */
	size_t n_fds;
	int new_netns; /* restore: the tree gets a new netns (slot: fds[i] -1) */
};

static __attribute__((noreturn)) void child(struct run *r, const char *exe)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(126);
	/* Out of the way of the targets first, then onto them. */
	for (size_t i = 0; i < r->n_fds; i++) {
		if (r->fds[i] >= 0 && (r->fds[i] = fcntl(r->fds[i], F_DUPFD, FD_BASE + 32)) < 0)
			_exit(126);
	}
	for (size_t i = 0; i < r->n_fds; i++)
		if (r->fds[i] >= 0 && dup2(r->fds[i], FD_BASE + (int)i) < 0)
			_exit(126);
	sys_close_range(FD_BASE + (unsigned)r->n_fds, ~0U, 0);
	for (int fd = 3; fd < FD_BASE; fd++)
		close(fd);
	if (r->new_netns) {
		/* A new netns with lo up, held by an fd in its slot; criu
		 * itself stays in ours. */
		int self = open("/proc/self/ns/net", O_RDONLY), nfd;

		if (self < 0 || unshare(CLONE_NEWNET) < 0 || oci_loopback_up(NULL) < 0 ||
		    (nfd = open("/proc/self/ns/net", O_RDONLY)) < 0 ||
		    setns(self, CLONE_NEWNET) < 0)
			_exit(123);
		for (size_t i = 0; i < r->n_fds; i++)
			if (r->fds[i] < 0 && dup2(nfd, FD_BASE + (int)i) < 0)
				_exit(123);
		close(nfd);
		close(self);
	}
	if (r->cgroup) {
		_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", r->cgroup);

		if (file_write(procs, "0", NULL) < 0)
			_exit(125);
	}
	if (r->rootfs) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount(r->rootfs, r->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
			_exit(124);
	}
	execve(exe, r->argv, environ);
	_exit(errno == ENOENT ? 127 : 126);
}

static int run_criu(struct run *r, struct err *e)
{
	_cleanup_free_ char *exe = program_path("criu");
	char why[300];
	int status;
	pid_t pid;

	if (!exe)
		return not_installed(e);
	pid = fork();
	if (pid < 0)
		return err_sys(e, "fork");
	if (pid == 0)
		child(r, exe);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_sys(e, "waitpid criu");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 123 && WEXITSTATUS(status) <= 127) {
		static const char *const step[] = { "a new network namespace",
						    "a private mount of the rootfs",
						    "joining the cgroup", "running criu",
						    "finding criu" };

		if (WEXITSTATUS(status) == 127)
			return not_installed(e);
		return err_set(e, 0, "criu %s: %s failed", r->what,
			       step[WEXITSTATUS(status) - 123]);
	}
	log_error(r->log, why, sizeof(why));
	if (why[0])
		return err_set(e, 0, "criu %s: %s (log: %s)", r->what, why, r->log);
	if (WIFSIGNALED(status))
		return err_set(e, 0, "criu %s: killed by signal %d (log: %s)", r->what,
			       WTERMSIG(status), r->log);
	return err_set(e, 0, "criu %s: exit status %d (log: %s)", r->what, WEXITSTATUS(status),
		       r->log);
}

/* criu saves and restores tmpfs contents (the container's /dev at least)
 * with GNU tar's options: busybox tar refuses them. */
static int gnu_tar(struct err *e)
{
	char *argv[] = { "tar", "--version", NULL };
	char buf[64] = "";
	int p[2], status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(e, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_sys(e, "fork");
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(null, 2) < 0)
			_exit(126);
		execvp("tar", argv);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!strstr(buf, "GNU tar"))
		return err_setk(
			e, ERRK_DEPENDENCY, 0,
			"criu needs GNU tar (it saves tmpfs contents with it), which is not "
			"installed");
	return 0;
}

/* What the check's verdict holds for: this boot, this criu binary, this
 * tar (a package upgrade changes an inode or an mtime). */
static char *check_key(const char *criu)
{
	char boot[64] = "";
	struct stat a, b;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, boot, sizeof(boot) - 1);

		boot[n > 0 ? n : 0] = '\0';
		boot[strcspn(boot, "\n")] = '\0';
		close(fd);
	}
	if (!boot[0] || stat(criu, &a) < 0)
		return NULL;
	memset(&b, 0, sizeof(b));
	{
		_cleanup_free_ char *tar = program_path("tar");

		if (tar)
			stat(tar, &b);
	}
	return xasprintf("%s %llu %lld %llu %lld\n", boot, (unsigned long long)a.st_ino,
			 (long long)a.st_mtime, (unsigned long long)b.st_ino,
			 (long long)b.st_mtime);
}

static int criu_check(const char *exe, struct err *e);

int oci_criu_usable(const char *cache_dir, struct err *e)
{
	_cleanup_free_ char *exe = program_path("criu");
	_cleanup_free_ char *key = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *had = NULL;

	if (!exe)
		return not_installed(e);
	key = check_key(exe);
	if (cache_dir && key) {
		path = xasprintf("%s/.criu-check", cache_dir);
		had = file_read(path, NULL, NULL);
		if (had && strcmp(had, key) == 0)
			return 0;
	}
	if (criu_check(exe, e) < 0 || gnu_tar(e) < 0)
		return -1;
	if (path && mkdir_p(cache_dir, 0700, NULL) == 0)
		file_write_atomic(path, key, strlen(key), 0600, NULL);
	return 0;
}

/* `criu check`: 0, or its first error. */
static int criu_check(const char *exe, struct err *e)
{
	char *argv[] = { "criu", "check", NULL };
	char log[] = "/tmp/nook-criu-check-XXXXXX";
	int fd, status;
	pid_t pid;

	fd = mkstemp(log);
	if (fd < 0)
		return err_sys(e, "mkstemp %s", log);
	unlink(log);
	pid = fork();
	if (pid < 0) {
		close(fd);
		return err_sys(e, "fork");
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		sys_close_range(3, ~0U, 0);
		execve(exe, argv, environ);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			close(fd);
			return err_sys(e, "waitpid criu");
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		close(fd);
		return 0;
	}
	{
		char buf[1024];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		char *l;

		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		l = strstr(buf, "Error (");
		l = l && strstr(l, "): ") ? strstr(l, "): ") + 3 : buf;
		l[strcspn(l, "\n")] = '\0';
		return err_setk(e, ERRK_DEPENDENCY, 0,
				"criu cannot checkpoint on this kernel (`criu check`: %s)",
				*l ? l : "failed");
	}
}

static void push(char ***v, const char *s)
{
	strv_push(v, s);
}

static void pushf(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pushf(char ***v, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	strv_push(v, s);
	free(s);
}

/* Options both dump and restore take. */
static void common_args(char ***v, const struct oci_criu *o, const char *log)
{
	push(v, "--images-dir");
	push(v, o->images);
	push(v, "--work-dir");
	push(v, o->work ? o->work : o->images);
	push(v, "--log-file");
	push(v, log);
	push(v, "--manage-cgroups=ignore");
	/* fw4's firewall, and no iptables modules needed */
	push(v, "--network-lock=nftables");
	if (o->flags & OCI_CRIU_TCP_ESTABLISHED)
		push(v, "--tcp-established");
	if (o->flags & OCI_CRIU_FILE_LOCKS)
		push(v, "--file-locks");
	if (o->flags & OCI_CRIU_EXT_UNIX_SK)
		push(v, "--ext-unix-sk");
	if (o->flags & OCI_CRIU_SHELL_JOB)
		push(v, "--shell-job");
}

static int is_bind(const struct oci_mount *m)
{
	return m->bind || (m->type && strcmp(m->type, "bind") == 0);
}

/* The container's own network namespace (none: the host's) is always
 * external: a dump never saves its interfaces (so no `ip` and no
 * iptables-save are needed, which a router lacks); a restore puts the
 * tree into the namespace the spec names, or a new one with lo up, and
 * the caller sets up its network again. */
static const struct oci_namespace *netns(const struct oci_spec *spec)
{
	return oci_spec_namespace(spec, CLONE_NEWNET);
}

/* descriptors.json: the init's fds 0-2 as /proc shows them. */
static int save_descriptors(const char *images, pid_t pid, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("%s/descriptors.json", images);
	_cleanup_free_ char *text = NULL;
	cJSON *a = cJSON_CreateArray();
	int r;

	for (int i = 0; i < 3; i++) {
		char link[64], target[PATH_MAX];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, i);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		cJSON_AddItemToArray(a, cJSON_CreateString(target));
	}
	text = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	r = file_write_atomic(path, text, strlen(text), 0600, e);
	return r;
}

int oci_criu_dump(const struct oci_criu *o, const struct oci_spec *spec, pid_t pid, struct err *e)
{
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *log = NULL;
	const struct oci_namespace *net = netns(spec);
	int pre = o->flags & OCI_CRIU_PRE_DUMP;
	struct run r = { .what = pre ? "pre-dump" : "dump" };

	if (mkdir_p(o->images, 0700, e) < 0 || (o->work && mkdir_p(o->work, 0700, e) < 0))
		return -1;
	log = xasprintf("%s/%s.log", o->work ? o->work : o->images, pre ? "pre-dump" : "dump");
	push(&argv, "criu");
	push(&argv, pre ? "pre-dump" : "dump");
	pushf(&argv, "--tree=%d", (int)pid);
	common_args(&argv, o, log);
	if (o->parent) {
		push(&argv, "--prev-images-dir");
		push(&argv, o->parent);
	}
	if (pre || o->parent)
		push(&argv, "--track-mem");
	if (o->flags & OCI_CRIU_LEAVE_RUNNING)
		push(&argv, "--leave-running");
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (is_bind(&spec->mounts[i]))
			pushf(&argv, "--ext-mount-map=%s:%s", spec->mounts[i].destination,
			      spec->mounts[i].destination);
	if (net) {
		_cleanup_free_ char *p = xasprintf("/proc/%d/ns/net", (int)pid);
		struct stat sb;

		if (stat(p, &sb) < 0)
			return err_sys(e, "the network namespace of %d", (int)pid);
		pushf(&argv, "--external=net[%llu]:" NETNS_KEY, (unsigned long long)sb.st_ino);
	}
	if (!pre && save_descriptors(o->images, pid, e) < 0)
		return -1;
	r.argv = argv;
	r.log = log;
	timing_mark("criu: dump args");
	if (run_criu(&r, e) < 0)
		return -1;
	timing_mark("criu: dump");
	return 0;
}

/* The places of the spec's mounts, made in rootfs where missing (as a
 * create makes them: resolved inside it): criu mounts onto them and
 * wants them there, which a root without its old changes
 * (--ignore-rootfs) may not have. */
static int make_mountpoints(const struct oci_spec *spec, const char *rootfs, struct err *e)
{
	_cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		return err_sys(e, "rootfs %s", rootfs);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		struct stat sb;
		int fd, dir = 1;

		if (is_bind(m) && m->source && stat(m->source, &sb) == 0)
			dir = S_ISDIR(sb.st_mode);
		fd = oci_open_in_root(root, m->destination, O_PATH, 0, NULL);
		if (fd < 0)
			fd = dir ? oci_open_in_root(root, m->destination, O_PATH | O_DIRECTORY, 1,
						    e)
				 : oci_open_in_root(root, m->destination,
						    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 1, e);
		if (fd < 0)
			return err_wrap(e, "mount point %s", m->destination);
		close(fd);
	}
	return 0;
}

pid_t oci_criu_restore(const struct oci_criu *o, const struct oci_spec *spec, const char *rootfs,
		       const char *cgroup_path, const int stdio[3], struct err *e)
{
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *log = xasprintf("%s/restore.log", o->work ? o->work : o->images);
	_cleanup_free_ char *pidfile = NULL;
	_cleanup_free_ char *dpath = xasprintf("%s/descriptors.json", o->images);
	_cleanup_free_ char *dtext = NULL;
	_cleanup_free_ char *pidtext = NULL;
	_cleanup_close_ int netfd = -1;
	const struct oci_namespace *net = netns(spec);
	struct run r = { .what = "restore", .cgroup = cgroup_path, .rootfs = rootfs };
	cJSON *desc;
	long pid;

	if (o->work && mkdir_p(o->work, 0700, e) < 0)
		return -1;
	dtext = file_read(dpath, NULL, e);
	if (!dtext)
		return err_wrap(e, "checkpoint %s", o->images);
	desc = cJSON_Parse(dtext);
	if (!cJSON_IsArray(desc) || cJSON_GetArraySize(desc) != 3) {
		cJSON_Delete(desc);
		return err_set(e, EINVAL, "checkpoint %s: descriptors.json: not 3 descriptors",
			       o->images);
	}
	if (make_mountpoints(spec, rootfs, e) < 0)
		return -1;
	pidfile = xasprintf("%s/restore.pid", o->work ? o->work : o->images);
	unlink(pidfile);
	push(&argv, "criu");
	push(&argv, "restore");
	common_args(&argv, o, log);
	push(&argv, "--root");
	push(&argv, rootfs);
	push(&argv, "--restore-detached");
	push(&argv, "--restore-sibling");
	push(&argv, "--pidfile");
	push(&argv, pidfile);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct oci_mount *m = &spec->mounts[i];

		if (is_bind(m))
			pushf(&argv, "--ext-mount-map=%s:%s", m->destination,
			      m->source ? m->source : "");
	}
	for (int i = 0; i < 3; i++) {
		const char *d = cJSON_GetArrayItem(desc, i)->valuestring;
		int fd = stdio ? stdio[i] : i;

		if (!d || strncmp(d, "pipe:[", 6) != 0 || fd < 0)
			continue;
		r.fds[r.n_fds] = fd;
		pushf(&argv, "--inherit-fd=fd[%d]:%s", FD_BASE + (int)r.n_fds, d);
		r.n_fds++;
	}
	cJSON_Delete(desc);
	if (net) {
		if (net->path) {
			netfd = open(net->path, O_RDONLY | O_CLOEXEC);
			if (netfd < 0)
				return err_sys(e, "network namespace %s", net->path);
		} else {
			r.new_netns = 1;
		}
		r.fds[r.n_fds] = netfd;
		pushf(&argv, "--inherit-fd=fd[%d]:" NETNS_KEY, FD_BASE + (int)r.n_fds);
		r.n_fds++;
	}
	r.argv = argv;
	r.log = log;
	timing_mark("criu: restore args");
	if (run_criu(&r, e) < 0)
		return -1;
	timing_mark("criu: restore");
	pidtext = file_read(pidfile, NULL, e);
	if (!pidtext)
		return err_wrap(e, "criu restore: its pid file");
	pid = strtol(pidtext, NULL, 10);
	unlink(pidfile);
	if (pid <= 0 || pid > INT_MAX)
		return err_set(e, EINVAL, "criu restore: pid file: '%.20s'", pidtext);
	return (pid_t)pid;
}
