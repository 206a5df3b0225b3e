// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * syscheck: `nook system check`.  Each feature is probed by using it, the
 * way the engine would, not by reading the kernel version: a vendor kernel
 * can backport a feature, and qemu-user or a seccomp filter (docker's) can
 * hide one the kernel has.  The version only fills the detail of a probe
 * that could not run.
 *
 * Probes that change something run in a child or clean up after
 * themselves: unshare() happens in a forked child, clone3() children
 * _exit at once (plain syscalls only: musl caches the thread id), and the
 * one temporary cgroup is removed before syscheck_probe returns.  Nothing
 * here mounts anything or writes a cgroup file.
 */
#include "engine/syscheck.h"

#include <fcntl.h>
#include <getopt.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "oci/cgroup.h"
#include "oci/sys.h"
#include "oci/util.h"

#ifndef PR_GET_SECCOMP
#define PR_GET_SECCOMP 21
#endif
#ifndef PR_SET_SECCOMP
#define PR_SET_SECCOMP 22
#endif
#ifndef SECCOMP_MODE_FILTER
#define SECCOMP_MODE_FILTER 2
#endif
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

#define NAME_WIDTH 18
#define STATUS_WIDTH 5

static const char *const status_names[] = { "yes", "no", "unknown" };

static struct syscheck_item *add(struct syscheck *sc, const char *name, int required,
				 const char *fallback)
{
	struct syscheck_item *it = &sc->item[sc->n < SYSCHECK_MAX ? sc->n++ : SYSCHECK_MAX - 1];

	memset(it, 0, sizeof(*it));
	it->name = name;
	it->required = required;
	it->fallback = fallback;
	it->status = SYSCHECK_UNKNOWN;
	return it;
}

static void set(struct syscheck_item *it, enum syscheck_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set(struct syscheck_item *it, enum syscheck_status st, const char *fmt, ...)
{
	va_list ap;

	it->status = st;
	it->detail[0] = '\0';
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
}

/* The errno's symbolic name for the short details ("ENOSYS"); strerror
 * for the rare others. */
static const char *errname(int err)
{
	switch (err) {
	case ENOSYS: return "ENOSYS";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case E2BIG: return "E2BIG";
	case ENOSPC: return "ENOSPC";
	case ENOENT: return "ENOENT";
	case EROFS: return "EROFS";
	case EBUSY: return "EBUSY";
	case EUSERS: return "EUSERS";
	default: return strerror(err);
	}
}

/* "6.1.0-56-amd64" >= maj.min? */
static int kernel_at_least(const struct syscheck *sc, int maj, int min)
{
	int a = 0, b = 0;

	if (sscanf(sc->kernel, "%d.%d", &a, &b) != 2)
		return 0;
	return a > maj || (a == maj && b >= min);
}

/* The detail of a probe that could not run: what the version suggests. */
static void guess(struct syscheck_item *it, const struct syscheck *sc, int maj, int min,
		  const char *why)
{
	set(it, SYSCHECK_UNKNOWN, "%s; kernel %s %s %d.%d", why, sc->kernel,
	    kernel_at_least(sc, maj, min) ? ">=" : "<", maj, min);
}

static void reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

/* ---- parsing --------------------------------------------------------- */

int syscheck_root_fstype(const char *mountinfo, char *buf, size_t len)
{
	const char *line = mountinfo;
	char found[64] = "";

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char l[4096], *f[5], *p, *sep;
		int i;

		if (n < sizeof(l)) {
			memcpy(l, line, n);
			l[n] = '\0';
			/* id parent maj:min root MOUNTPOINT opts [tags] - TYPE src opts */
			p = l;
			for (i = 0; i < 5 && p; i++) {
				f[i] = p;
				p = strchr(p, ' ');
				if (p)
					*p++ = '\0';
			}
			/* p: the options, never empty, then " - " */
			sep = p ? strstr(p, " - ") : NULL;
			if (i == 5 && sep) {
				char *type = sep + 3, *end = strchr(type, ' ');

				if (end)
					*end = '\0';
				unescape_octal(f[4]);
				if (strcmp(f[4], "/") == 0)
					snprintf(found, sizeof(found), "%s", type);
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (strlen(found) >= len)
		return -1;
	strcpy(buf, found);
	return 0;
}

/* Is word one of the space-separated words of list? */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n) {
		if ((p == list || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\t' || p[n] == '\n'))
			return 1;
	}
	return 0;
}

/* ---- probes ---------------------------------------------------------- */

static int probe_proc(struct syscheck *sc)
{
	struct syscheck_item *it = add(sc, "proc", 1, "none: mount it (mount -t proc proc /proc)");
	struct statfs sf;

	if (statfs("/proc", &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
		set(it, SYSCHECK_NO, "/proc is not a proc filesystem");
		return 0;
	}
	if (access("/proc/self/mountinfo", R_OK) < 0) {
		set(it, SYSCHECK_NO, "/proc/self/mountinfo: %s", errname(errno));
		return 0;
	}
	set(it, SYSCHECK_YES, NULL);
	return 1;
}

/* unshare(flag) in a forked child: 0 or the errno. */
static int try_unshare(int flag)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(unshare(flag) == 0 ? 0 : (errno & 0xff));
	reap(pid, &st);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return EIO;
}

static void probe_namespaces(struct syscheck *sc)
{
	static const struct {
		const char *name, *file, *config;
		int flag, required;
		const char *fallback;
	} ns[] = {
		{ "namespace.mnt", "mnt", "kernel < 3.8", CLONE_NEWNS, 1, "none: required" },
		{ "namespace.pid", "pid", "CONFIG_PID_NS is off", CLONE_NEWPID, 1,
		  "none: required" },
		{ "namespace.uts", "uts", "CONFIG_UTS_NS is off", CLONE_NEWUTS, 1,
		  "none: required" },
		{ "namespace.ipc", "ipc", "CONFIG_IPC_NS is off", CLONE_NEWIPC, 1,
		  "none: required" },
		{ "namespace.net", "net", "CONFIG_NET_NS is off", CLONE_NEWNET, 1,
		  "none: required by the default spec; --network host avoids it" },
		{ "namespace.cgroup", "cgroup", "CONFIG_CGROUPS is off", CLONE_NEWCGROUP, 1,
		  "none: required by the default spec" },
		{ "namespace.user", "user", "CONFIG_USER_NS is off", CLONE_NEWUSER, 0,
		  "containers with a user namespace are refused" },
		{ "namespace.time", "time", "CONFIG_TIME_NS is off or kernel < 5.6", CLONE_NEWTIME,
		  0, "containers with a time namespace (timeOffsets) are refused" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		struct syscheck_item *it = add(sc, ns[i].name, ns[i].required, ns[i].fallback);
		char path[64];
		int err;

		/* The file exists only when the kernel has the type. */
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].file);
		if (access(path, F_OK) < 0) {
			set(it, SYSCHECK_NO, "no %s: %s", path, ns[i].config);
			continue;
		}
		if (ns[i].flag == CLONE_NEWUSER) {
			_cleanup_free_ char *max =
				file_read("/proc/sys/user/max_user_namespaces", NULL, NULL);

			if (max && strtol(max, NULL, 10) <= 0) {
				set(it, SYSCHECK_NO, "user.max_user_namespaces is 0");
				continue;
			}
		}
		err = try_unshare(ns[i].flag);
		if (err == 0)
			set(it, SYSCHECK_YES, NULL);
		else if (err == EPERM && geteuid() != 0)
			set(it, SYSCHECK_YES, "in the kernel; unshare: EPERM (not root)");
		else
			set(it, SYSCHECK_NO, "unshare: %s", errname(err));
	}
}

static void probe_seccomp(struct syscheck *sc)
{
	struct syscheck_item *it =
		add(sc, "seccomp", 0,
		    "no filter can load: containers need --security-opt seccomp=unconfined");
	int mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);

	if (mode < 0 && errno == EINVAL) {
		set(it, SYSCHECK_NO, "CONFIG_SECCOMP is off");
		return;
	}
	/* A NULL program: EFAULT when filter mode exists (the copy fails
	 * before anything is installed), EINVAL without
	 * CONFIG_SECCOMP_FILTER. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) == 0 || errno == EFAULT)
		set(it, SYSCHECK_YES,
		    mode == 2 ? "filter mode; this process is already filtered" : "filter mode");
	else
		set(it, SYSCHECK_NO, "filter mode: %s", errname(errno));
}

/* clone3 a child that leaves at once; cgroup_fd < 0: no
 * CLONE_INTO_CGROUP.  0 or the errno. */
static int try_clone3(int cgroup_fd)
{
	struct nook_clone_args ca = { .exit_signal = SIGCHLD };
	pid_t pid;
	int st;

	if (cgroup_fd >= 0) {
		ca.flags |= NOOK_CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_fd;
	}
	pid = sys_clone3(&ca);
	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	reap(pid, &st);
	return 0;
}

/* A child cgroup of ours to look for cgroup.freeze/cgroup.kill in, when
 * none can be created: our own, unless it is the root. */
static char *own_cgroup_dir(const char *mnt)
{
	_cleanup_free_ char *s = file_read("/proc/self/cgroup", NULL, NULL);
	char *p, *nl;

	for (p = s; p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (strncmp(p, "0::", 3) != 0)
			continue;
		p += 3;
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (strcmp(p, "/") == 0 || strstr(p, "/.."))
			return NULL;
		return xasprintf("%s%s", strcmp(mnt, "/") == 0 ? "" : mnt, p);
	}
	return NULL;
}

static void probe_cgroup(struct syscheck *sc, int have_clone3)
{
	static const struct {
		const char *name, *controller, *fallback;
	} ctl[] = {
		{ "cgroup.memory", "memory", "--memory is refused" },
		{ "cgroup.pids", "pids", "--pids-limit is refused" },
		{ "cgroup.cpu", "cpu", "--cpus is refused" },
		{ "cgroup.io", "io", "blockIO limits are refused" },
	};
	struct syscheck_item *into = add(sc, "clone_into_cgroup", 0,
					 "clone(2), then the pid is written to cgroup.procs");
	struct syscheck_item *cg =
		add(sc, "cgroup2", 0, "containers run without a cgroup; limits are refused");
	struct syscheck_item *ctls[ARRAY_SIZE(ctl)], *freeze, *kill_;
	_cleanup_free_ char *controllers = NULL, *tmp = NULL, *own = NULL;
	_cleanup_close_ int tmpfd = -1;
	const char *look = NULL; /* the child cgroup to look for files in */
	char mnt[4096];
	const char *root; /* mnt, "" for "/" */
	struct err e = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(ctl); i++)
		ctls[i] = add(sc, ctl[i].name, 0, ctl[i].fallback);
	freeze = add(sc, "cgroup.freeze", 0,
		     "pause is refused; signals to every process go without freezing");
	kill_ = add(sc, "cgroup.kill", 0, "freeze + kill each pid");

	if (oci_cgroup_mount(mnt, sizeof(mnt), &e) < 0) {
		set(cg, SYSCHECK_NO, "no cgroup2 mount");
		set(into, SYSCHECK_NO, "no cgroup2 mount");
		for (size_t i = 0; i < ARRAY_SIZE(ctl); i++)
			set(ctls[i], SYSCHECK_NO, "no cgroup2 mount");
		set(freeze, SYSCHECK_NO, "no cgroup2 mount");
		set(kill_, SYSCHECK_NO, "no cgroup2 mount");
		return;
	}
	root = strcmp(mnt, "/") == 0 ? "" : mnt;
	{
		_cleanup_free_ char *cpath = xasprintf("%s/cgroup.controllers", root);
		char *nl;

		controllers = file_read(cpath, NULL, NULL);
		if (controllers && (nl = strchr(controllers, '\n')))
			*nl = '\0';
	}
	set(cg, SYSCHECK_YES, "%s; controllers: %s", mnt,
	    controllers && *controllers ? controllers : "none");
	for (size_t i = 0; i < ARRAY_SIZE(ctl); i++) {
		if (!controllers)
			set(ctls[i], SYSCHECK_UNKNOWN, "cannot read %s/cgroup.controllers", mnt);
		else if (has_word(controllers, ctl[i].controller))
			set(ctls[i], SYSCHECK_YES, NULL);
		else
			set(ctls[i], SYSCHECK_NO, "not in cgroup2; cgroup v1 is not used");
	}

	/* A temporary child of the root: the root cgroup has neither
	 * cgroup.freeze nor cgroup.kill, and is exempt from the
	 * no-internal-processes rule. */
	tmp = xasprintf("%s/nook-syscheck.%ld", root, (long)getpid());
	/* EEXIST: left behind by an earlier run that died, with our pid. */
	if (mkdir(tmp, 0755) < 0 && (errno != EEXIST || rmdir(tmp) < 0 || mkdir(tmp, 0755) < 0)) {
		int err = errno;
		size_t dl = strlen(cg->detail);

		free(tmp);
		tmp = NULL;
		snprintf(cg->detail + dl, sizeof(cg->detail) - dl, "; %s",
			 err == EACCES || err == EPERM || err == EROFS ? "not writable"
								       : "cannot create a cgroup");
		own = own_cgroup_dir(mnt);
		look = own;
		if (!have_clone3)
			set(into, SYSCHECK_NO, "no clone3");
		else
			guess(into, sc, 5, 7, "no cgroup to clone into");
	} else {
		look = tmp;
		tmpfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (!have_clone3) {
			set(into, SYSCHECK_NO, "no clone3");
		} else if (tmpfd < 0) {
			set(into, SYSCHECK_UNKNOWN, "open %s: %s", tmp, errname(errno));
		} else {
			int err = try_clone3(tmpfd);

			if (err == 0)
				set(into, SYSCHECK_YES, NULL);
			else
				set(into, SYSCHECK_NO, "clone3: %s", errname(err));
		}
	}

	if (look) {
		char p[4200];

		snprintf(p, sizeof(p), "%s/cgroup.freeze", look);
		set(freeze, access(p, F_OK) == 0 ? SYSCHECK_YES : SYSCHECK_NO, NULL);
		snprintf(p, sizeof(p), "%s/cgroup.kill", look);
		set(kill_, access(p, F_OK) == 0 ? SYSCHECK_YES : SYSCHECK_NO, NULL);
	} else {
		guess(freeze, sc, 5, 2, "no child cgroup to look in");
		guess(kill_, sc, 5, 14, "no child cgroup to look in");
	}

	if (tmp) {
		/* The clone3 child is reaped, but its exit can take a moment
		 * to leave the cgroup: EBUSY until then. */
		for (int i = 0; rmdir(tmp) < 0 && errno == EBUSY && i < 100; i++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
}

/* A syscall that returns an fd: yes if it did (closed again), else its
 * errno. */
static void fd_probe(struct syscheck_item *it, int fd)
{
	if (fd >= 0) {
		close(fd);
		set(it, SYSCHECK_YES, NULL);
	} else {
		set(it, SYSCHECK_NO, "%s", errname(errno));
	}
}

static void probe_syscalls(struct syscheck *sc, int *have_clone3)
{
	struct syscheck_item *it;
	struct nook_open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = NOOK_RESOLVE_IN_ROOT | NOOK_RESOLVE_NO_MAGICLINKS,
	};
	int err;

	it = add(sc, "clone3", 0, "clone(2)");
	err = try_clone3(-1);
	*have_clone3 = err == 0;
	if (err == 0)
		set(it, SYSCHECK_YES, NULL);
	else
		set(it, SYSCHECK_NO, "%s", errname(err));

	it = add(sc, "openat2", 0, "paths in the rootfs are walked one component at a time");
	fd_probe(it, sys_openat2(AT_FDCWD, "/", &how));

	it = add(sc, "pidfd_open", 0, "kill(2) after a /proc start-time check; exits are polled");
	fd_probe(it, sys_pidfd_open(getpid(), 0));

	/* No fd is that high: nothing changes, but the flag is checked
	 * (5.9 and 5.10 have close_range without CLOSE_RANGE_CLOEXEC). */
	it = add(sc, "close_range", 0, "close-on-exec is set by walking /proc/self/fd");
	if (sys_close_range(~0U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		set(it, SYSCHECK_YES, NULL);
	else if (errno == EINVAL)
		set(it, SYSCHECK_NO, "no CLOSE_RANGE_CLOEXEC (kernel < 5.11)");
	else
		set(it, SYSCHECK_NO, "%s", errname(errno));
}

static void probe_filesystems(struct syscheck *sc)
{
	struct syscheck_item *it =
		add(sc, "overlay", 0, "not needed yet: --rootfs directories are used as they are");
	_cleanup_free_ char *fs = file_read("/proc/filesystems", NULL, NULL);
	_cleanup_free_ char *mi = NULL;
	char type[64];

	if (!fs)
		set(it, SYSCHECK_UNKNOWN, "cannot read /proc/filesystems");
	else if (has_word(fs, "overlay"))
		set(it, SYSCHECK_YES, NULL);
	else
		set(it, SYSCHECK_NO, "not in /proc/filesystems (module not loaded?)");

	/* pivot_root(2) cannot move the initramfs ("rootfs", which has no
	 * parent mount), nor a root that is not a mount point (chroot): both
	 * EINVAL, and the engine then moves the rootfs over / and chroots. */
	it = add(sc, "pivot_root", 0, "MS_MOVE + chroot");
	mi = file_read("/proc/self/mountinfo", NULL, NULL);
	if (!mi || syscheck_root_fstype(mi, type, sizeof(type)) < 0)
		set(it, SYSCHECK_UNKNOWN, "cannot read /proc/self/mountinfo");
	else if (!type[0])
		set(it, SYSCHECK_NO, "/ is not a mount point: chroot");
	else if (strcmp(type, "rootfs") == 0)
		set(it, SYSCHECK_NO, "/ is the initramfs");
	else
		set(it, SYSCHECK_YES, "/ is %s", type);
}

void syscheck_probe(struct syscheck *sc)
{
	struct utsname u;
	int have_clone3 = 0;

	memset(sc, 0, sizeof(*sc));
	if (uname(&u) == 0) {
		snprintf(sc->kernel, sizeof(sc->kernel), "%s", u.release);
		snprintf(sc->machine, sizeof(sc->machine), "%s", u.machine);
	}
	/* Without /proc the rest would only print confusing errors. */
	if (!probe_proc(sc))
		return;
	probe_namespaces(sc);
	probe_seccomp(sc);
	probe_syscalls(sc, &have_clone3);
	probe_cgroup(sc, have_clone3);
	probe_filesystems(sc);
}

const struct syscheck_item *syscheck_find(const struct syscheck *sc, const char *name)
{
	for (size_t i = 0; i < sc->n; i++)
		if (strcmp(sc->item[i].name, name) == 0)
			return &sc->item[i];
	return NULL;
}

size_t syscheck_missing(const struct syscheck *sc)
{
	size_t n = 0;

	for (size_t i = 0; i < sc->n; i++)
		n += sc->item[i].required && sc->item[i].status == SYSCHECK_NO;
	return n;
}

/* ---- output ---------------------------------------------------------- */

void syscheck_print(const struct syscheck *sc, FILE *f)
{
	fprintf(f, "# kernel %s %s\n", sc->kernel, sc->machine);
	for (size_t i = 0; i < sc->n; i++) {
		const struct syscheck_item *it = &sc->item[i];
		const char *st = status_names[it->status];
		int fb = it->status != SYSCHECK_YES && it->fallback;

		fprintf(f, "%-*s %s", NAME_WIDTH - 1, it->name, st);
		if (fb || it->detail[0])
			fprintf(f, "%*s",
				strlen(st) < STATUS_WIDTH ? (int)(STATUS_WIDTH - strlen(st)) : 1,
				"");
		if (fb)
			fprintf(f, "-> %s", it->fallback);
		if (it->detail[0])
			fprintf(f, fb ? " (%s)" : "(%s)", it->detail);
		fputc('\n', f);
	}
}

cJSON *syscheck_json(const struct syscheck *sc)
{
	cJSON *j = cJSON_CreateObject(), *missing, *feats;

	cJSON_AddStringToObject(j, "kernel", sc->kernel);
	cJSON_AddStringToObject(j, "machine", sc->machine);
	cJSON_AddBoolToObject(j, "ok", syscheck_missing(sc) == 0);
	missing = cJSON_AddArrayToObject(j, "missingRequired");
	feats = cJSON_AddObjectToObject(j, "features");
	for (size_t i = 0; i < sc->n; i++) {
		const struct syscheck_item *it = &sc->item[i];
		cJSON *o = cJSON_AddObjectToObject(feats, it->name);

		cJSON_AddStringToObject(o, "status", status_names[it->status]);
		cJSON_AddBoolToObject(o, "required", it->required);
		if (it->status != SYSCHECK_YES && it->fallback)
			cJSON_AddStringToObject(o, "fallback", it->fallback);
		if (it->detail[0])
			cJSON_AddStringToObject(o, "detail", it->detail);
		if (it->required && it->status == SYSCHECK_NO)
			cJSON_AddItemToArray(missing, cJSON_CreateString(it->name));
	}
	return j;
}

/* ---- command --------------------------------------------------------- */

static const char usage[] =
	"usage: nook system check [--format text|json]\n"
	"Probe the kernel features nook uses; print each one's status and what\n"
	"nook does without it.  Exit status 1 when a required one is missing.\n";

int syscheck_main(int argc, char **argv)
{
	static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
					    { "help", no_argument, NULL, 'h' },
					    { 0 } };
	struct syscheck sc;
	int json = 0, ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+f:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "json") == 0 || strcmp(optarg, "{{json .}}") == 0) {
				json = 1;
			} else if (strcmp(optarg, "text") == 0) {
				json = 0;
			} else {
				fprintf(stderr, "Error: system check: unknown --format \"%s\"\n",
					optarg);
				return 125;
			}
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 125;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "Error: system check: unexpected argument \"%s\"\n", argv[optind]);
		return 125;
	}

	syscheck_probe(&sc);
	if (json) {
		cJSON *j = syscheck_json(&sc);
		char *s = cJSON_Print(j);

		puts(s);
		free(s);
		cJSON_Delete(j);
	} else {
		syscheck_print(&sc, stdout);
	}
	fflush(stdout);
	for (size_t i = 0; i < sc.n; i++) {
		const struct syscheck_item *it = &sc.item[i];

		if (it->required && it->status == SYSCHECK_NO)
			fprintf(stderr, "Error: required kernel feature missing: %s%s%s%s\n",
				it->name, it->detail[0] ? " (" : "", it->detail,
				it->detail[0] ? ")" : "");
	}
	return syscheck_missing(&sc) ? 1 : 0;
}
